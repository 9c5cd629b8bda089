import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { REFERENCE_LABELS, classifyReferencePhotos, defaultSourceDir, loadBackbone, provisionBackbone, relativeDifference } from '../../src/cli/provision-backbone';
import type { LoadedBackbone } from '../../src/engine/backbone/manifest';
import { MOBILENET_V2, MOBILENET_V2_VARIANTS } from '../../src/engine/backbone/provision';
import { TfliteFormatError, readTflite } from '../../src/engine/backbone/tflite';
import { importTflite } from '../../src/engine/backbone/tflite-import';
import { decodeImage } from '../../src/engine/image/decode-node';
import { extractSubgraph } from '../../src/engine/onnx/graph';
import { parseModel, serializeModel } from '../../src/engine/onnx/serialize';
import { IMAGE_OUTPUT, buildPreprocessGraph, preprocessFeeds } from '../../src/engine/patchflow/preprocess';
import { runSession } from '../../src/engine/runtime';
import { nodeRuntime } from '../../src/engine/runtime/node';

const modelDir = defaultSourceDir();
const tflitePath = path.join(modelDir, MOBILENET_V2.file);
const present = existsSync(tflitePath);
if (!present) console.warn(`skipping backbone import tests: ${tflitePath} not found (set PATCHFLOW_SHARED to the shared data folder)`);

const runtime = nodeRuntime();

/** Whether this x86 CPU has VNNI (exact 8-bit dot products); read from Linux's /proc/cpuinfo. */
const cpuHasVnni = () => existsSync('/proc/cpuinfo') && /\b(avx512_vnni|avx_vnni)\b/.test(readFileSync('/proc/cpuinfo', 'utf8'));
const silent = () => {};

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
    expect(m.id).toBe(MOBILENET_V2_VARIANTS.float.id);
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
    expect(await classifyReferencePhotos(runtime, graph, manifest.classifier!.output, manifest.input, modelDir)).toEqual(REFERENCE_LABELS);
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
    expect(await classifyReferencePhotos(runtime, imported.graph, 'logits', { scale: [scale, scale, scale], offset: [offset, offset, offset] }, modelDir)).toEqual(REFERENCE_LABELS);
  });

  describe('as int8 (QDQ)', () => {
    let int8: LoadedBackbone;

    beforeAll(async () => {
      await provisionBackbone({ sourceDir: modelDir, outDir: path.join(tmp, 'int8'), variant: 'int8', log: silent });
      int8 = await loadBackbone(path.join(tmp, 'int8'));
    });

    it('keeps the file\'s integers: int8 weights behind DequantizeLinear, activations rounded to uint8 grids', () => {
      const m = int8.manifest;
      expect(m.id).toBe(MOBILENET_V2_VARIANTS.int8.id);
      expect(m.sha256).not.toBe(backbone.manifest.sha256);
      expect({ ...m, id: '', sha256: '', source: { ...m.source, description: '' } }).toEqual({
        ...backbone.manifest, id: '', sha256: '', source: { ...backbone.manifest.source, description: '' },
      });
      const { graph } = int8;
      const dequantised = graph.nodes.filter((n) => n.op === 'DequantizeLinear').map((n) => graph.initializers.get(n.inputs[0]));
      // every conv's weights (the 1001-way classifier is a 1×1 conv), per channel, and their int32 biases
      expect(dequantised.filter((t) => t?.dtype === 'int8' && t.dims.length === 4).length).toBe(53);
      expect(dequantised.filter((t) => t?.dtype === 'int32').length).toBe(53);
      const ops = (op: string) => graph.nodes.filter((n) => n.op === op).length;
      expect(ops('QuantizeLinear')).toBe(68); // one per TFLite operator: every one writes a quantised tensor
      expect(ops('Clip')).toBe(35); // the fused ReLU6s stay: onnxruntime drops each into the grid of its QuantizeLinear
    });

    it('runs on onnxruntime\'s integer kernels: every conv a QLinearConv, every residual add a QLinearAdd', async () => {
      const optimised = path.join(tmp, 'int8-optimised.onnx');
      const session = await ort.InferenceSession.create(serializeModel(int8.graph), { graphOptimizationLevel: 'extended', optimizedModelFilePath: optimised });
      await session.release();
      const ops = parseModel(new Uint8Array(readFileSync(optimised))).graph.nodes.map((n) => n.op);
      const count = (op: string) => ops.filter((o) => o === op).length;
      expect([count('QLinearConv'), count('QLinearAdd'), count('Conv'), count('Add')]).toEqual([53, 10, 0, 0]);
    });

    it('classifies the four reference photos as the float import does', async () => {
      const { graph, manifest } = int8;
      expect(await classifyReferencePhotos(runtime, graph, manifest.classifier!.output, manifest.input, modelDir)).toEqual(REFERENCE_LABELS);
    });

    it('gives taps within the int8 grids\' rounding of the float ones', async () => {
      const taps = backbone.manifest.taps.map((t) => t.output);
      const sessions = await Promise.all([backbone, int8].map((b) => runtime.createSession(serializeModel(extractSubgraph(b.graph, taps)))));
      const { scale, offset } = backbone.manifest.input;
      const pre = await runtime.createSession(serializeModel(buildPreprocessGraph({ input: { width: 256, height: 256 }, centerCrop: null, scale, offset })));
      const worst: Record<string, number> = {};
      for (const name of Object.keys(REFERENCE_LABELS)) {
        const photo = await decodeImage(new Uint8Array(readFileSync(path.join(modelDir, 'test-images', `${name}.png`))), name, 256);
        const image = (await runSession(runtime, pre, preprocessFeeds(photo, { input: { width: 256, height: 256 }, centerCrop: null, stretch: true })))[IMAGE_OUTPUT];
        const [float, quantised] = await Promise.all(sessions.map((s) => runSession(runtime, s, { [backbone.manifest.input.name]: image })));
        for (const t of taps) worst[t] = Math.max(worst[t] ?? 0, relativeDifference(quantised[t].data as Float32Array, float[t].data as Float32Array));
      }
      // measured 0.07 (s8_expand) to 0.16 (s32_head): the rounding of 17 blocks adds up with depth; 0 would
      // mean no int8 at all. Without VNNI (AVX2 alone: an AMD EPYC here) onnxruntime sums uint8 × int8 pairs
      // in saturating 16 bits, and the taps drift further: 0.21 to 0.60
      for (const t of taps) expect(worst[t], t).toBeGreaterThan(0.02);
      for (const t of taps) expect(worst[t], t).toBeLessThan(cpuHasVnni() ? 0.2 : 0.75);
    });
  });
});
