/**
 * True aspect ratio on real tall photos (KolektorSDD commutators, 256 × 646): training fits the input to
 * the photos instead of squashing them, the heat map keeps the photo's shape, a photo of another shape is
 * letterboxed, and onnxruntime-web (WASM, as in the browser worker) scores all of it as onnxruntime-node.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/engine/image/decode-node';
import { inputLongSide } from '../../src/engine/patchflow/aggregation';
import { PartModel } from '../../src/engine/patchflow/pipeline';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { webRuntime } from '../../src/engine/runtime/web';
import { ensureBackbone, loadBackbone } from '../../src/cli/provision-backbone';
import { trainCommand } from '../../src/cli/train';
import type { TrainedModel } from '../../src/engine/train/trainer';
import { BOTTLE, KOLEKTOR, haveData } from '../shared';

const present = haveData(KOLEKTOR) && haveData(BOTTLE);

describe.skipIf(!present)('a tall part at its own aspect ratio', () => {
  const data = path.join(mkdtempSync(path.join(os.tmpdir(), 'pf-aspect-')), 'kolektor');
  const runtime = nodeRuntime();
  let model: TrainedModel;

  beforeAll(async () => {
    mkdirSync(path.join(data, 'train/good'), { recursive: true });
    for (const f of readdirSync(path.join(KOLEKTOR, 'train/good')).sort().slice(0, 24)) copyFileSync(path.join(KOLEKTOR, 'train/good', f), path.join(data, 'train/good', f));
    const backbone = await loadBackbone((await ensureBackbone()).dir);
    model = await trainCommand(runtime, backbone, { data, epochs: 1, batch: 8, quiet: true });
  });

  it('fits the input to the photos: 256 wide, their height rounded to the backbone stride', () => {
    expect(model.manifest.settings.features.input).toEqual({ width: 256, height: 640 });
    expect(model.manifest.format).toBe('patchflow-inspect/part@5'); // the default's covariance blocks
  });

  it('maps the photo at its own shape, letterboxes a square photo, and scores the same on onnxruntime-web', async () => {
    const backbone = await loadBackbone((await ensureBackbone()).dir);
    const node = await PartModel.load(runtime, backbone, model.manifest, model.head);
    const web = await PartModel.load(webRuntime('wasm'), backbone, model.manifest, model.head);
    const side = inputLongSide(model.manifest.settings.features);
    const tall = await decodeImage(new Uint8Array(readFileSync(path.join(KOLEKTOR, 'test/defect', readdirSync(path.join(KOLEKTOR, 'test/defect')).sort()[0]))), 'tall', side);
    const square = await decodeImage(new Uint8Array(readFileSync(path.join(BOTTLE, 'test/good/000.jpg'))), 'square', side);
    // the map covers the photo alone, at the size it has in the input: a 256 × 650 commutator fits 252 × 640
    const fitted = (w: number, h: number) => [Math.round(w * Math.min(256 / w, 640 / h)), Math.round(h * Math.min(256 / w, 640 / h))];
    expect(fitted(tall.width, tall.height)[1]).toBe(640);
    for (const [image, shape] of [[tall, fitted(tall.width, tall.height)], [square, [256, 256]]] as const) {
      const [a, b] = [await node.inspect(image), await web.inspect(image)];
      expect([a.mapWidth, a.mapHeight]).toEqual(shape);
      expect(a.anomalyMap).toHaveLength(shape[0] * shape[1]);
      expect(Number.isFinite(a.score)).toBe(true);
      expect(Math.abs(a.score - b.score) / Math.abs(a.score)).toBeLessThan(1e-3);
      expect([b.mapWidth, b.mapHeight]).toEqual(shape);
      expect(a.filled).toBeCloseTo((shape[0] * shape[1]) / (256 * 640), 6);
    }
    await Promise.all([node.release(), web.release()]);
  });

  it('a region of interest is cut first, and its map is drawn back where it lies on the photo', async () => {
    const backbone = await loadBackbone((await ensureBackbone()).dir);
    // the middle half of the commutator's height
    const manifest = { ...model.manifest, settings: { ...model.manifest.settings, region: { x: 0, y: 0.25, width: 1, height: 0.5 } } };
    const node = await PartModel.load(runtime, backbone, manifest, model.head);
    const file = path.join(KOLEKTOR, 'test/defect', readdirSync(path.join(KOLEKTOR, 'test/defect')).sort()[0]);
    const photo = await decodeImage(new Uint8Array(readFileSync(file)), 'tall', inputLongSide(manifest.settings.features));
    const r = await node.inspect(photo);
    // the region (256 wide) fills the input's width: one map cell per photo pixel, over the whole photo
    expect([r.mapWidth, r.mapHeight]).toEqual([photo.width, photo.height]);
    const [top, bottom] = [Math.round(0.25 * photo.height), Math.round(0.75 * photo.height)];
    const low = r.anomalyMap.reduce((m, v) => Math.min(m, v), Infinity);
    const row = (y: number) => r.anomalyMap.subarray(y * photo.width, (y + 1) * photo.width);
    for (const y of [0, top - 1, bottom, photo.height - 1]) expect(row(y).every((v) => v === low)).toBe(true);
    expect(row(Math.round(photo.height / 2)).some((v) => v !== low)).toBe(true);
    await node.release();
  });
});
