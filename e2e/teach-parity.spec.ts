/**
 * Parity: a part taught in Chromium on WASM and one taught by `npm run train` from the same 30 bottle
 * photos, preset, epochs and seed score real test photos alike (image AUROC within 0.01, the same best
 * epoch, close losses), and the package the Teach view exports is one `npm run eval` reads.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { decodeImage } from '../src/engine/image/decode-node';
import { auroc } from '../src/engine/metrics/auroc';
import { readPartPackage } from '../src/engine/patchflow/part-package';
import { PartModel } from '../src/engine/patchflow/pipeline';
import type { PartManifest } from '../src/engine/patchflow/manifest';
import { nodeRuntime } from '../src/engine/runtime/node';
import { ensureBackbone, loadBackbone } from '../src/cli/provision-backbone';
import { trainCommand } from '../src/cli/train';
import { BOTTLE, missing, prepareTeaching, scratchDir, trainingDone } from './fixtures';
import { decodeSide } from '../src/engine/patchflow/tiling';

test.skip(() => missing() !== null, missing() ?? '');

const PHOTOS = 30;
const EPOCHS = 3;
const SEED = 42;
/** Test photos per folder: good ones and each kind of defect. */
const PER_FOLDER = 6;

function copyFolder(from: string, to: string, count: number): string[] {
  mkdirSync(to, { recursive: true });
  return readdirSync(from).sort().slice(0, count).map((f) => {
    copyFileSync(path.join(from, f), path.join(to, f));
    return path.join(to, f);
  });
}

test('a part taught in the browser scores as one taught by npm run train, and its package evaluates', async ({ page }) => {
  test.setTimeout(1_800_000);
  const data = path.join(scratchDir(), 'bottle');
  const good = copyFolder(path.join(BOTTLE, 'train/good'), path.join(data, 'train/good'), PHOTOS);
  const tests = ['good', 'broken_large', 'broken_small', 'contamination'].flatMap((type) => copyFolder(path.join(BOTTLE, 'test', type), path.join(data, 'test', type), PER_FOLDER).map((file) => ({ file, label: type === 'good' ? 0 : 1 })));

  await prepareTeaching(page, { part: 'bottle', files: good, epochs: EPOCHS, seed: SEED, preset: 'balanced' });
  await expect(page.getByTestId('teach-photo-count')).toHaveAttribute('data-ready', String(PHOTOS), { timeout: 120_000 });
  await page.getByRole('button', { name: 'Train', exact: true }).click();
  await trainingDone(page, 1_200_000);
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export package', exact: true }).click();
  const zip = path.join(scratchDir(), 'bottle.zip');
  await (await download).saveAs(zip);

  const runtime = nodeRuntime();
  const backbone = await loadBackbone((await ensureBackbone()).dir);
  const browser = await readPartPackage([{ name: 'bottle.zip', bytes: new Uint8Array(readFileSync(zip)) }]);
  const cli = await trainCommand(runtime, backbone, { data, epochs: EPOCHS, seed: SEED, preset: 'balanced', part: 'bottle', quiet: true });

  const imageAuroc = async (manifest: PartManifest, head: Uint8Array) => {
    const model = await PartModel.load(runtime, backbone, manifest, head);
    const scores: number[] = [];
    for (const t of tests) scores.push((await model.inspect(await decodeImage(new Uint8Array(readFileSync(t.file)), t.file, decodeSide(manifest.settings)))).score);
    await model.release();
    return auroc(Float32Array.from(scores), Uint8Array.from(tests.map((t) => t.label)));
  };
  const [taughtHere, trainedThere] = [await imageAuroc(browser.manifest, browser.head), await imageAuroc(cli.manifest, cli.head)];
  console.log(`image AUROC on ${tests.length} test photos: browser ${taughtHere.toFixed(4)}, npm run train ${trainedThere.toFixed(4)}`);
  expect(Math.abs(taughtHere - trainedThere)).toBeLessThanOrEqual(0.01);
  expect(taughtHere).toBeGreaterThan(0.8);

  // the same run, epoch by epoch
  const [a, b] = [browser.manifest.training, cli.manifest.training];
  expect([a.trainImages, a.validationImages, a.bestEpoch]).toEqual([b.trainImages, b.validationImages, b.bestEpoch]);
  console.log(`loss per epoch: browser ${a.lossCurve.map((l) => l.toFixed(4)).join(' ')}; npm run train ${b.lossCurve.map((l) => l.toFixed(4)).join(' ')}`);
  // WASM SIMD and native kernels sum in other orders, and each optimiser step carries the difference on
  a.lossCurve.forEach((loss, i) => expect(Math.abs(loss - b.lossCurve[i])).toBeLessThan(5e-3 * Math.max(1, Math.abs(b.lossCurve[i]))));
  expect(Math.abs(browser.manifest.thresholds.image - cli.manifest.thresholds.image)).toBeLessThan(0.01 * Math.abs(cli.manifest.thresholds.image));

  // the exported package is a model the command line evaluates, to the same figure
  const json = path.join(scratchDir(), 'report.json');
  execFileSync('npx', ['tsx', 'src/cli/main.ts', 'eval', '--data', data, '--model', zip, '--json', json, '--quiet'], { encoding: 'utf8' });
  expect(JSON.parse(readFileSync(json, 'utf8')).image_auroc).toBeCloseTo(taughtHere, 6);
});
