import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sharedDir } from '../../src/cli/paths';
import { loadBackbone, provisionBackbone } from '../../src/cli/provision-backbone';
import type { LoadedBackbone } from '../../src/engine/backbone/manifest';
import { MOBILENET_V2 } from '../../src/engine/backbone/provision';
import { TfliteFormatError, readTflite } from '../../src/engine/backbone/tflite';
import { importTflite } from '../../src/engine/backbone/tflite-import';
import { decodeImage } from '../../src/engine/image/decode-node';
import { compose, extractSubgraph, type Graph } from '../../src/engine/onnx/graph';
import { serializeModel } from '../../src/engine/onnx/serialize';
import { buildPreprocessGraph, preprocessFeeds } from '../../src/engine/patchflow/preprocess';
import { runSession } from '../../src/engine/runtime';
import { nodeRuntime } from '../../src/engine/runtime/node';

const modelDir = path.join(sharedDir(), 'models', 'mobilenet_v2');
const tflitePath = path.join(modelDir, MOBILENET_V2.file);
const present = existsSync(tflitePath);
if (!present) console.warn(`skipping backbone import tests: ${tflitePath} not found (set PATCHFLOW_SHARED to the shared data folder)`);

const runtime = nodeRuntime();
const silent = () => {};

/** Top-1 label of each test photo, with the classifier composed behind the preprocess graph at 224. */
async function classify(graph: Graph, logits: string, scale: [number, number, number], offset: [number, number, number]): Promise<Record<string, string>> {
  const labels = readFileSync(path.join(modelDir, 'imagenet_labels.txt'), 'utf8').trimEnd().split('\n');
  // the whole photo squashed to 224², as the reference (Coral) classifier feeds it
  const pre = buildPreprocessGraph({ inputSize: 224, centerCrop: null, scale, offset });
  const session = await runtime.createSession(serializeModel(compose(pre, extractSubgraph(graph, [logits]), { image: 'image' }, { prefix: '' })));
  const top1: Record<string, string> = {};
  for (const name of ['cat', 'bird', 'grace_hopper', 'dragonfly']) {
    const image = await decodeImage(new Uint8Array(readFileSync(path.join(modelDir, 'test-images', `${name}.png`))), name, 224);
    const out = (await runSession(runtime, session, preprocessFeeds(image, { inputSize: 224, centerCrop: null })))[logits];
    expect(out.dims).toEqual([1, labels.length]); // 1001 logits, index 0 = background, as the label file
    const l = out.data as Float32Array;
    top1[name] = labels[l.indexOf(Math.max(...l))].split(',')[0];
  }
  return top1;
}

describe.skipIf(!present)('MobileNetV2 from TFLite', () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'patchflow-backbone-'));
  let backbone: LoadedBackbone;

  beforeAll(async () => {
    await provisionBackbone({ sourceDir: modelDir, outDir: path.join(tmp, 'out'), log: silent });
    backbone = await loadBackbone(path.join(tmp, 'out'));
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('writes a manifest with the input normalisation, taps and classifier', () => {
    const m = backbone.manifest;
    expect(m.id).toBe('mobilenet_v2_1.0_224_tf2_ptq');
    expect(m.source.sha256).toBe(MOBILENET_V2.sha256);
    // uint8 input with scale 1/127.5 and zero point 127
    expect(m.input.scale[0]).toBeCloseTo(1 / 127.5, 9);
    expect(m.input.offset[0]).toBeCloseTo(-127 / 127.5, 6);
    expect(m.classifier).toEqual({ output: 'logits', classes: 1001 });
    expect(m.taps.map((t) => [t.name, t.stride, t.channels])).toEqual([
      ['s8_block', 8, 32], ['s8_expand', 8, 192], ['s16_block', 16, 96], ['s16_expand', 16, 576], ['s32_block', 32, 320], ['s32_head', 32, 1280],
    ]);
  });

  it('classifies the four reference photos', async () => {
    const { graph, manifest } = backbone;
    expect(await classify(graph, manifest.classifier!.output, manifest.input.scale, manifest.input.offset)).toEqual({
      cat: 'Egyptian cat', bird: 'chickadee', grace_hopper: 'military uniform', dragonfly: 'dragonfly',
    });
  });

  it('gives every tap ceil(size/stride) cells at any input size and batch', async () => {
    const { graph, manifest } = backbone;
    const session = await runtime.createSession(serializeModel(extractSubgraph(graph, manifest.taps.map((t) => t.output))));
    for (const [n, h, w] of [[1, 256, 256], [2, 250, 330]]) {
      const data = Float32Array.from({ length: n * 3 * h * w }, (_, i) => Math.sin(i * 0.01));
      const out = await runSession(runtime, session, { [manifest.input.name]: { dtype: 'float32', dims: [n, 3, h, w], data } });
      for (const t of manifest.taps) {
        expect(out[t.output].dims, `${t.name} at ${n}×${h}×${w}`).toEqual([n, t.channels, Math.ceil(h / t.stride), Math.ceil(w / t.stride)]);
      }
    }
  });

  it('provisions once: a second run reuses the files, a stale manifest is rebuilt', async () => {
    const out = path.join(tmp, 'out');
    const again = await provisionBackbone({ sourceDir: modelDir, outDir: out, log: silent });
    expect(again.built).toBe(false);
    const manifestFile = path.join(out, 'manifest.json');
    writeFileSync(manifestFile, JSON.stringify({ ...again.manifest, converter: 'older' }));
    expect((await provisionBackbone({ sourceDir: modelDir, outDir: out, log: silent })).built).toBe(true);
    expect(JSON.parse(readFileSync(manifestFile, 'utf8')).sha256).toBe(backbone.manifest.sha256); // deterministic import
  });

  it('downloads from the pinned URL without a local copy, and refuses a file with another sha256', async () => {
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty);
    const bytes = readFileSync(tflitePath);
    const urls: string[] = [];
    const fetchImpl = (async (url: string) => {
      urls.push(url);
      return new Response(bytes);
    }) as typeof fetch;
    const fetched = await provisionBackbone({ sourceDir: empty, outDir: path.join(tmp, 'dl'), fetchImpl, log: silent });
    expect(urls).toEqual([MOBILENET_V2.url]);
    expect(fetched.manifest.sha256).toBe(backbone.manifest.sha256);

    const tampered = path.join(tmp, 'tampered');
    mkdirSync(tampered);
    const copy = new Uint8Array(bytes);
    copy[copy.length - 100] ^= 1;
    writeFileSync(path.join(tampered, MOBILENET_V2.file), copy);
    await expect(provisionBackbone({ sourceDir: tampered, outDir: path.join(tmp, 'bad'), log: silent })).rejects.toThrow(/not the pinned MobileNetV2 file: sha256/);
    expect(existsSync(path.join(tmp, 'bad'))).toBe(false);
  });

  it('rejects truncated and foreign files with a clear error', () => {
    const bytes = new Uint8Array(readFileSync(tflitePath));
    expect(() => readTflite(bytes.subarray(0, bytes.length >> 1))).toThrow(TfliteFormatError);
    expect(() => readTflite(bytes.subarray(0, bytes.length >> 1))).toThrow(/truncated or corrupt TFLite file: .* runs past the end/);
    expect(() => readTflite(bytes.subarray(0, 6))).toThrow(/not a TFLite file/);
    const foreign = bytes.slice(0, 64);
    foreign.set([0x4f, 0x4e, 0x4e, 0x58], 4);
    expect(() => readTflite(foreign)).toThrow(/file identifier is "ONNX", expected "TFL3"/);
  });

  it('imports the TF-slim quantisation-aware model too (uint8 asymmetric weights, AVERAGE_POOL_2D)', async () => {
    const slim = path.join(modelDir, 'mobilenet_v2_1.0_224_quant.tflite');
    if (!existsSync(slim)) return;
    const imported = importTflite(readTflite(new Uint8Array(readFileSync(slim))), { outputs: { logits: 'MobilenetV2/Logits/Squeeze1' } });
    const { scale, offset } = imported.input;
    expect([scale, offset]).toEqual([1 / 128, -1]);
    expect(await classify(imported.graph, 'logits', [scale, scale, scale], [offset, offset, offset])).toEqual({
      cat: 'Egyptian cat', bird: 'chickadee', grace_hopper: 'military uniform', dragonfly: 'dragonfly',
    });
  });
});
