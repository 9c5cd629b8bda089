/**
 * Tiled inspection on real photos (MVTec bottle, 512 px): a model taught on 2 × 2 tiles of 256 px reads
 * every photo pixel for pixel, and its result is what an untiled model holding one tile's Gaussians
 * computes on that tile alone.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cropImage, type RgbImage } from '../../src/engine/image/decode';
import { decodeImage } from '../../src/engine/image/decode-node';
import { PartModel, type Inspection } from '../../src/engine/patchflow/pipeline';
import { decodeSide, tileRects } from '../../src/engine/patchflow/tiling';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { ensureBackbone, loadBackbone } from '../../src/cli/provision-backbone';
import { trainCommand } from '../../src/cli/train';
import type { TrainedModel } from '../../src/engine/train/trainer';
import type { LoadedBackbone } from '../../src/engine/backbone/manifest';
import { parseModel, serializeModel } from '../../src/engine/onnx/serialize';
import type { Tensor } from '../../src/engine/onnx/graph';
import { buildHeadGraph, headLayout } from '../../src/engine/patchflow/head';
import { inputShape } from '../../src/engine/patchflow/aggregation';
import { BOTTLE, haveData } from '../shared';

describe.skipIf(!haveData(BOTTLE))('tiled inspection', () => {
  const data = path.join(mkdtempSync(path.join(os.tmpdir(), 'pf-tiled-')), 'bottle');
  const runtime = nodeRuntime();
  let backbone: LoadedBackbone;
  let model: TrainedModel;
  let photo: RgbImage;

  beforeAll(async () => {
    mkdirSync(path.join(data, 'train/good'), { recursive: true });
    for (const f of readdirSync(path.join(BOTTLE, 'train/good')).sort().slice(0, 16)) copyFileSync(path.join(BOTTLE, 'train/good', f), path.join(data, 'train/good', f));
    backbone = await loadBackbone((await ensureBackbone()).dir);
    // no overlap, so every photo pixel belongs to one tile
    model = await trainCommand(runtime, backbone, { data, epochs: 1, batch: 8, tiles: '2x2@0', quiet: true });
    const file = path.join(BOTTLE, 'test/broken_large', readdirSync(path.join(BOTTLE, 'test/broken_large')).sort()[0]);
    photo = await decodeImage(new Uint8Array(readFileSync(file)), 'bottle', decodeSide(model.manifest.settings));
  });

  it('fits the input to a tile and decodes the photo at full size', () => {
    expect(model.manifest.settings.tiles).toEqual({ columns: 2, rows: 2, overlap: 0 });
    expect(model.manifest.format).toBe('patchflow-inspect/part@5'); // tiles, and the default's covariance blocks
    expect(model.manifest.settings.features.input).toBeUndefined(); // square tiles: the preset's 256²
    expect([photo.width, photo.height]).toEqual([512, 512]);
  });

  it("scores a photo by its highest tile and stitches the tiles' maps as untiled heads compute them", async () => {
    const tiled = await PartModel.load(runtime, backbone, model.manifest, model.head);
    const whole = await tiled.inspect(photo);
    await tiled.release();
    expect([whole.mapWidth, whole.mapHeight]).toEqual([512, 512]); // one cell a pixel: each 256 px tile fills the 256² input
    const rects = tileRects({ x: 0, y: 0, width: 512, height: 512 }, model.manifest.settings.tiles);
    const { tiles: _, ...untiledSettings } = model.manifest.settings;
    const alone: Inspection[] = [];
    for (const [t, r] of rects.entries()) {
      const untiled = await PartModel.load(runtime, backbone, { ...model.manifest, settings: untiledSettings }, headOfTile(model, backbone, t, rects.length));
      alone.push(await untiled.inspect(cropImage(photo, r)));
      await untiled.release();
    }
    expect(whole.score).toBeCloseTo(Math.max(...alone.map((a) => a.score)), 5);
    rects.forEach((r, i) => {
      expect([alone[i].mapWidth, alone[i].mapHeight]).toEqual([256, 256]);
      let worst = 0;
      for (let y = 0; y < 256; y++) for (let x = 0; x < 256; x++) worst = Math.max(worst, Math.abs(whole.anomalyMap[(r.y + y) * 512 + r.x + x] - alone[i].anomalyMap[y * 256 + x]));
      expect(worst).toBeLessThan(1e-5);
    });
  });
});

/** The head with tile `t`'s Gaussians alone (each companion's weights stack the tiles on their first axis). */
function headOfTile({ manifest, head }: TrainedModel, backbone: LoadedBackbone, t: number, tiles: number): Uint8Array {
  const params = new Map<string, Tensor>();
  for (const [name, tensor] of parseModel(head).graph.initializers) {
    if (!/^gaussian\.\d+\.(mean|whitening|whitening_scale)$/.test(name)) {
      params.set(name, tensor);
      continue;
    }
    const rows = tensor.dims[0] / tiles;
    const size = tensor.data.length / tensor.dims[0];
    params.set(name, { ...tensor, dims: [rows, ...tensor.dims.slice(1)], data: tensor.data.slice(t * rows * size, (t + 1) * rows * size) } as Tensor);
  }
  const { settings } = manifest;
  return serializeModel(buildHeadGraph(headLayout(settings.features, settings.head, backbone.manifest), settings.head, { input: inputShape(settings.features), params }));
}
