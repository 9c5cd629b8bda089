/** Part models for the library's tests: real settings from the presets, made-up numbers elsewhere. */
import { PART_FORMAT, PRESETS, type PartManifest } from '../../src/engine/patchflow/manifest';
import type { ShippedPart } from '../../src/ui/library/entries';
import type { StoredPart, StoredSource } from '../../src/ui/library/storage';

/** The default preset as training resolves it: position-blind shares instead of 'auto'. */
function trainedBalanced(): PartManifest['settings'] {
  const s = PRESETS.balanced();
  s.head.gaussians = s.head.gaussians.map((g) => ({ ...g, positionBlind: 0 }));
  return s;
}

export function manifestOf(part: string, overrides: Partial<PartManifest> = {}): PartManifest {
  return {
    format: PART_FORMAT,
    part,
    backbone: { id: 'mobilenet_v2', sha256: 'ab'.repeat(32) },
    settings: trainedBalanced(),
    thresholds: { image: 2.345678, pixel: 4.5, rule: 'calibrated' },
    mapStatistics: { flow: { mean: 0, std: 1 }, gaussians: [] },
    goodScores: { count: 5, mean: 1, std: 0.2, min: 0.7, max: 1.4, quantiles: {} },
    training: {
      date: '2025-03-01T09:12:44.123Z',
      data: 'bottle',
      trainImages: 178,
      validationImages: 31,
      epochs: 10,
      bestEpoch: 7,
      batchSize: 8,
      learningRate: 1e-3,
      weightDecay: 1e-5,
      seed: 42,
      lossCurve: [],
      validation: [],
      seconds: 45.6,
    },
    head: 'head.onnx',
    ...overrides,
  };
}

export const shippedPart = (part: string, hash: string): ShippedPart => ({
  pkg: { id: `${part}@${hash}`, manifest: manifestOf(part), head: new Uint8Array(4) },
  description: `${part} demo`,
});

export const storedPart = (id: string, source: StoredSource, addedAt: string): StoredPart => ({
  id,
  manifest: manifestOf(id.split('@')[0], { revision: 2 }),
  head: new Uint8Array(4),
  source,
  addedAt,
});
