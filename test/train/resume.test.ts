/**
 * Resumable training on a small real bottle subset: a run stopped after its first epoch and resumed from
 * that epoch's checkpoint ends where the uninterrupted run ends, and a checkpoint of another run is refused.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../src/engine/image/decode-node';
import { presetSettings } from '../../src/engine/patchflow/manifest';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { ensureBackbone, loadBackbone } from '../../src/cli/provision-backbone';
import { epochOrder, type TrainingCheckpoint } from '../../src/engine/train/checkpoint';
import { minimumImages, trainDefaults, trainPartModel, type TrainOptions, type TrainedModel } from '../../src/engine/train/trainer';
import type { LoadedBackbone } from '../../src/engine/backbone/manifest';
import { BOTTLE, haveData } from '../shared';

describe('epoch order and the least number of photos', () => {
  it('shuffles each epoch by seed and epoch alone', () => {
    expect(epochOrder(30, 42, 3)).toEqual(epochOrder(30, 42, 3));
    expect(epochOrder(30, 42, 3)).not.toEqual(epochOrder(30, 42, 4));
    expect(epochOrder(30, 42, 3)).not.toEqual(epochOrder(30, 7, 3));
    expect([...epochOrder(30, 42, 3)].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('asks for a full batch besides the held-out share', () => {
    expect(minimumImages({ batchSize: 16, validationFraction: 0.15 })).toBe(20);
    expect(minimumImages({ batchSize: 8, validationFraction: 0.15 })).toBe(12);
    expect(minimumImages({ batchSize: 16, validationFraction: 0.5 })).toBe(32);
  });
});

describe.skipIf(!haveData(BOTTLE))('resuming a training run', () => {
  const runtime = nodeRuntime();
  const dir = path.join(BOTTLE, 'train/good');
  const images = readdirSync(dir).sort().slice(0, 16).map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(path.join(dir, f))) }));
  const options: TrainOptions = { ...trainDefaults(), part: 'bottle', dataLabel: 'bottle subset', settings: presetSettings('fast'), epochs: 3, batchSize: 8, decode: decodeImage };
  let backbone: LoadedBackbone;
  let whole: TrainedModel;
  const checkpoints: TrainingCheckpoint[] = [];

  beforeAll(async () => {
    backbone = await loadBackbone((await ensureBackbone()).dir);
    whole = await trainPartModel(runtime, backbone, images, { ...options, onCheckpoint: (c) => void checkpoints.push(structuredClone(c)) });
  });

  it('hands out a checkpoint after every epoch with the state to go on from', () => {
    expect(checkpoints.map((c) => c.epoch)).toEqual([1, 2, 3]);
    expect(checkpoints.map((c) => c.step)).toEqual([1, 2, 3]); // 12 training photos, batch 8: one step per epoch
    expect(checkpoints[2].lossCurve).toEqual(whole.manifest.training.lossCurve);
    const state = checkpoints[0].state;
    expect(Object.keys(state)).toEqual(expect.arrayContaining(['feature_adaptor.weight', 'adam.m/feature_adaptor.weight', 'adam.v/feature_adaptor.weight', 'flow.module_list.0.subnet.2.running_mean']));
    expect(state['feature_adaptor.weight'].data).toBeInstanceOf(Float32Array);
    expect(checkpoints[2].best.epoch).toBe(whole.manifest.training.bestEpoch);
    expect(whole.heldOut).toHaveLength(4);
  });

  it('resumed after the first epoch, ends as the uninterrupted run', async () => {
    const resumed = await trainPartModel(runtime, backbone, images, { ...options, resumeFrom: checkpoints[0] });
    const [a, b] = [whole.manifest, resumed.manifest];
    expect(b.training.lossCurve[0]).toBe(a.training.lossCurve[0]); // carried over, not recomputed
    for (let e = 1; e < 3; e++) expect(b.training.lossCurve[e]).toBeCloseTo(a.training.lossCurve[e], 5);
    expect(b.training.validation.map((v) => v.imageAuroc)).toEqual(a.training.validation.map((v) => v.imageAuroc));
    expect(b.training.bestEpoch).toBe(a.training.bestEpoch);
    expect(b.thresholds.image).toBeCloseTo(a.thresholds.image, 3);
    expect(resumed.heldOut).toEqual(whole.heldOut);
  });

  it('refuses the checkpoint of another run', async () => {
    await expect(trainPartModel(runtime, backbone, images.slice(1), { ...options, resumeFrom: checkpoints[0] })).rejects.toThrow(/another training run/);
    await expect(trainPartModel(runtime, backbone, images, { ...options, seed: 7, resumeFrom: checkpoints[0] })).rejects.toThrow(/another training run/);
  });
});
