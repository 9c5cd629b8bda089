/**
 * The CLI on a small real subset of MVTec bottle: train a part model, evaluate it through the command
 * line, check the manifest, the JSON report, the browser runtime's agreement and the error messages.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/engine/image/decode-node';
import { PartModel, buildInferenceGraph } from '../../src/engine/patchflow/pipeline';
import { parseModel } from '../../src/engine/onnx/serialize';
import { graphFor } from '../../src/engine/onnx/session';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { webRuntime } from '../../src/engine/runtime/web';
import { ensureBackbone, loadBackbone } from '../../src/cli/provision-backbone';
import { readModel, saveModel } from '../../src/cli/model-files';
import { trainCommand } from '../../src/cli/train';
import { validateCommand } from '../../src/cli/validate';
import { testImages, trainImages } from '../../src/cli/dataset';
import type { PartManifest } from '../../src/engine/patchflow/manifest';
import { BOTTLE, haveData } from '../shared';
import { inputLongSide } from '../../src/engine/patchflow/aggregation';

const present = haveData(BOTTLE);

function copySome(from: string, to: string, count: number, suffix = ''): string[] {
  mkdirSync(to, { recursive: true });
  const files = readdirSync(from).sort().slice(0, count);
  for (const f of files) copyFileSync(path.join(from, f), path.join(to, f.replace(/(\.\w+)$/, `${suffix}$1`)));
  return files;
}

describe.skipIf(!present)('train and eval on a bottle subset', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pf-cli-'));
  const data = path.join(root, 'bottle');
  const modelDir = path.join(root, 'model');
  const runtime = nodeRuntime();
  let manifest: PartManifest;

  beforeAll(async () => {
    copySome(path.join(BOTTLE, 'train/good'), path.join(data, 'train/good'), 40);
    copySome(path.join(BOTTLE, 'test/good'), path.join(data, 'test/good'), 5);
    const broken = copySome(path.join(BOTTLE, 'test/broken_large'), path.join(data, 'test/broken_large'), 5);
    mkdirSync(path.join(data, 'ground_truth/broken_large'), { recursive: true });
    for (const f of broken) {
      const mask = f.replace(/\.\w+$/, '_mask.png');
      copyFileSync(path.join(BOTTLE, 'ground_truth/broken_large', mask), path.join(data, 'ground_truth/broken_large', mask));
    }
    const backbone = await loadBackbone((await ensureBackbone()).dir);
    const model = await trainCommand(runtime, backbone, { data, epochs: 2, batch: 8, quiet: true });
    await saveModel(modelDir, model);
    manifest = model.manifest;
  });

  it('writes a manifest that records settings, thresholds and the training run', () => {
    const { manifest: m, head } = readModel(modelDir);
    expect(m.part).toBe('bottle');
    expect(m.backbone.id).toBe('mobilenet_v2_1.0_224_tf2_ptq');
    expect(m.settings.features.scales).toEqual([1, 0.5, 0.25]);
    expect(m.training.trainImages + m.training.validationImages).toBe(40);
    expect(m.training.lossCurve).toHaveLength(2);
    expect(m.training.validation.map((v) => v.epoch)).toEqual([1, 2]);
    expect(m.training.validation[m.training.bestEpoch - 1].pixelAuroc).toBeGreaterThan(0.6); // synthetic defects are found
    expect(m.thresholds.image).toBeGreaterThan(m.goodScores.quantiles['0.5']);
    // set for 1 % false rejects from the held-out good scores, which the manifest keeps for setting it anew
    expect(m.goodScores.values).toHaveLength(m.training.validationImages);
    expect(m.thresholds.falseRejects).toMatchObject({ target: 0.01, estimated: 0.01, heldOutGood: m.training.validationImages });
    expect(head.byteLength).toBeGreaterThan(100_000);
  });

  it('eval through the command line separates broken bottles and writes the JSON report', () => {
    const json = path.join(root, 'report.json');
    const out = execFileSync('npx', ['tsx', 'src/cli/main.ts', 'eval', '--data', data, '--model', modelDir, '--json', json, '--quiet'], { encoding: 'utf8' });
    expect(out).toContain('image AUROC');
    const report = JSON.parse(readFileSync(json, 'utf8'));
    expect(report.image_auroc).toBeGreaterThanOrEqual(0.9);
    expect(report.pixel_auroc).toBeGreaterThan(0.85);
    expect(report.aupro).toBeGreaterThan(0.3);
    expect(report.per_image).toHaveLength(10);
    expect(report.per_image[0]).toEqual({ file: expect.stringContaining('broken_large'), label: 1, type: 'broken_large', score: expect.any(Number) });
    for (const key of ['f1_max', 'threshold', 'precision', 'recall', 'false_reject_rate', 'hindsight_recall', 'pixel_threshold', 'pixel_precision', 'pixel_recall', 'latency_ms']) expect(typeof report[key]).toBe('number');
    expect(report.target_false_reject_rate).toBe(0.01);
    expect(report.hindsight_recall).toBeGreaterThanOrEqual(report.recall); // the best threshold at the same rate does no worse
    expect(out).toMatch(/false-reject rate +\d\.\d{4} \(target 0\.0100\)/);

    // a looser target, set anew from the kept held-out scores without retraining, lowers the threshold
    const loose = path.join(root, 'loose.json');
    execFileSync('npx', ['tsx', 'src/cli/main.ts', 'eval', '--data', data, '--model', modelDir, '--json', loose, '--quiet', '--false-reject-rate', '20%'], { encoding: 'utf8' });
    const looser = JSON.parse(readFileSync(loose, 'utf8'));
    expect(looser.target_false_reject_rate).toBe(0.2);
    expect(looser.threshold).toBeLessThan(report.threshold);
  });

  it('--validate sets the threshold on real photos set aside, at the stated false-reject rate', async () => {
    const backbone = await loadBackbone((await ensureBackbone()).dir);
    const { head } = readModel(modelDir);
    const validated = await validateCommand(runtime, backbone, { manifest, head, heldOut: [] }, data, 0.2);
    const t = validated.manifest.thresholds;
    expect(t.falseRejects).toMatchObject({ target: 0.2, heldOutGood: 5 });
    expect(t.falseRejects!.heldOutRejected).toBeLessThanOrEqual(1); // at most 20 % of 5
    expect(t.rule).toContain(`set aside in ${data}`);
    expect(t.rule).toMatch(/catches \d+ of 5 defect photos/);
    expect(t.pixel).toBe(manifest.thresholds.pixel);
  });

  it('onnxruntime-web (WASM, as in the browser worker) scores like onnxruntime-node', async () => {
    const backbone = await loadBackbone((await ensureBackbone()).dir);
    const { head } = readModel(modelDir);
    const node = await PartModel.load(runtime, backbone, manifest, head);
    const web = await PartModel.load(webRuntime('wasm'), backbone, manifest, head);
    for (const img of testImages(data).slice(0, 3)) {
      const image = await decodeImage(new Uint8Array(readFileSync(img.path)), img.path, inputLongSide(manifest.settings.features));
      const [a, b] = [await node.inspect(image), await web.inspect(image)];
      expect(b.score).toBeCloseTo(a.score, 3);
      expect(b.verdict).toBe(a.verdict);
    }
  });

  it("gives WebGPU a graph with no op its onnxruntime-web kernels lack (Max, Identity), under every rule", async () => {
    const backbone = await loadBackbone((await ensureBackbone()).dir);
    const head = parseModel(readModel(modelDir).head).graph;
    for (const combine of ['agreement', 'max'] as const) {
      const graph = graphFor(webRuntime('webgpu'), buildInferenceGraph(backbone, { ...manifest, settings: { ...manifest.settings, scoring: { ...manifest.settings.scoring, combine } } }, head));
      // they would run on the CPU, the values going from the GPU and back; the pixels' uint8 Cast is the one left there
      expect(graph.nodes.filter((n) => n.op === 'Max' || n.op === 'Identity')).toEqual([]);
    }
  });

  it('the default fits its two Gaussian companions on their own taps and can be re-scored under every rule', async () => {
    const backbone = await loadBackbone((await ensureBackbone()).dir);
    const { head } = readModel(modelDir);
    expect(manifest.settings.head.gaussians.map((g) => g.taps)).toEqual([['s8_block', 's8_expand'], ['s8_expand', 's16_expand', 's32_head']]);
    expect(manifest.mapStatistics.gaussians).toHaveLength(2);
    for (const s of manifest.mapStatistics.gaussians) expect(s.std).toBeGreaterThan(0);
    const broken = await decodeImage(new Uint8Array(readFileSync(testImages(data).find((i) => i.label === 1)!.path)), 'broken', inputLongSide(manifest.settings.features));
    const scores: Record<string, number> = {};
    for (const rule of ['flow', 'gaussian', 'gaussian.0', 'mean', 'max', 'agreement'] as const) {
      const model = await PartModel.load(runtime, backbone, { ...manifest, settings: { ...manifest.settings, scoring: { ...manifest.settings.scoring, combine: rule } } }, head);
      scores[rule] = (await model.inspect(broken)).score;
      await model.release();
    }
    // standardised maps: the closed-form Gaussians put a broken bottle many good-σ above normal even
    // after two epochs; the pixelwise max dominates the mean, and agreement lies below the largest peak
    expect(scores.gaussian).toBeGreaterThan(3);
    expect(scores['gaussian.0']).toBeGreaterThan(3);
    expect(scores.max).toBeGreaterThanOrEqual(Math.max(scores.flow, scores.gaussian, scores['gaussian.0']) - 1e-3);
    expect(scores.mean).toBeLessThanOrEqual(scores.max + 1e-3);
    expect(scores.agreement).toBeGreaterThan(3);
    expect(scores.agreement).toBeLessThanOrEqual(scores.max + 1e-3);
  });

  it('refuses a part model trained on another backbone, naming both', async () => {
    const backbone = await loadBackbone((await ensureBackbone()).dir);
    const { head } = readModel(modelDir);
    const foreign = { ...manifest, backbone: { id: 'efficientnet_b5', sha256: 'ab'.repeat(32) } };
    await expect(PartModel.load(runtime, backbone, foreign, head)).rejects.toThrow(/trained on backbone 'efficientnet_b5'.*mobilenet_v2/);
  });

  it('bad input ends with a clear error naming the file or folder', async () => {
    const bad = path.join(root, 'bad');
    mkdirSync(path.join(bad, 'train/good'), { recursive: true });
    writeFileSync(path.join(bad, 'train/good/broken.jpg'), 'not really a jpeg');
    await expect(decodeImage(new Uint8Array(readFileSync(path.join(bad, 'train/good/broken.jpg'))), 'broken.jpg', 256)).rejects.toThrow(/broken\.jpg: not an image/);
    const truncated = readFileSync(path.join(BOTTLE, 'test/good/000.jpg')).subarray(0, 2000);
    await expect(decodeImage(new Uint8Array(truncated), '000.jpg', 256)).rejects.toThrow(/000\.jpg: damaged JPEG/);
    expect(() => trainImages(path.join(root, 'nowhere'))).toThrow(/training folder.*nowhere/);
    expect(() => testImages(bad)).toThrow(/test folder/);
    const run = () => execFileSync('npx', ['tsx', 'src/cli/main.ts', 'eval', '--data', bad, '--model', modelDir], { encoding: 'utf8', stdio: 'pipe' });
    expect(run).toThrow(/test folder/);
  });
});
