import { describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/engine/patchflow/manifest';
import { describeHead, formatScore, summarizeManifest, withImageThreshold } from '../../src/ui/library/part-manifest';
import { manifestOf } from './library-fixtures';

describe('summarizeManifest', () => {
  const rows = Object.fromEntries(summarizeManifest(manifestOf('bottle'), 22.2 * 2 ** 20).map((r) => [r.label, r.value]));

  it('says how the model is built and how it judges', () => {
    expect(rows).toMatchObject({
      Part: 'bottle',
      Model: 'position-aware flow (1 step, 128 channels) + 2 Gaussian companions',
      'Input size': '256 px',
      'Region of interest': 'the whole photo',
      Scales: '1, 0.5, 0.25',
      'Flow taps': 's8_block, s16_block, s32_block',
      'Gaussian 0': '64 dims (random-channels) on s8_block, s8_expand at scales 1; per position; one covariance per 2 × 2 cells',
      'Gaussian 1': '32 dims (random-channels) on s8_expand, s16_expand, s32_head at scales 1, 0.5, 0.25; per position; one covariance per 2 × 2 cells',
      Scoring: 'agreement; heat map from gaussian.0; smoothing σ 4 px',
      'Head size': '22.2 MiB',
      'Image threshold': '2.346',
      'Pixel threshold': '4.5',
      'Threshold rule': 'calibrated',
      Revision: '1 (as trained)',
    });
  });

  it('names a tall input and the region of interest', () => {
    const m = manifestOf('commutator');
    m.settings = { ...m.settings, features: { ...m.settings.features, input: { width: 256, height: 640 } }, region: { x: 0.1, y: 0, width: 0.8, height: 1 }, centerCrop: 0.5 };
    const tall = Object.fromEntries(summarizeManifest(m, 1).map((r) => [r.label, r.value]));
    expect(tall['Input size']).toBe('256 × 640 px');
    expect(tall['Region of interest']).toBe('the box from 10 %, 0 % of the photo, 80 % wide, 100 % high, then the centred square, 50 % of the shorter side');
  });

  it('names the tiles of a tiled model', () => {
    const m = manifestOf('large casting');
    m.settings = PRESETS.tiled();
    expect(Object.fromEntries(summarizeManifest(m, 1).map((r) => [r.label, r.value]))['Input size']).toBe('256 px, 2 × 2 tiles (25 % overlap)');
  });

  it('says how little position counts in a Gaussian, and whether training chose it', () => {
    const m = manifestOf('bottle');
    m.settings.head.gaussians = m.settings.head.gaussians.map((g, i) => ({ ...g, positionBlind: i === 0 ? 0.2 : 0.5, covarianceBlock: i === 0 ? 2 : 1 }));
    m.training.positionBlind = [{ companion: 0, chosen: 0.2, candidates: [] }];
    const chosen = Object.fromEntries(summarizeManifest(m, 1).map((r) => [r.label, r.value]));
    expect(chosen['Gaussian 0']).toBe('64 dims (random-channels) on s8_block, s8_expand at scales 1; 20 % position-blind, chosen by training; one covariance per 2 × 2 cells');
    expect(chosen['Gaussian 1']).toBe('32 dims (random-channels) on s8_expand, s16_expand, s32_head at scales 1, 0.5, 0.25; 50 % position-blind');
  });

  it('gives the training record', () => {
    expect(rows).toMatchObject({
      Trained: '2025-03-01 09:12',
      Data: 'bottle',
      Images: '178 for training, 31 held out',
      Epochs: '10',
      'Best epoch': '7',
      'Training time': '46 s',
    });
  });

  it('leaves out a training record the manifest lacks', () => {
    const labels = summarizeManifest(manifestOf('x', { training: undefined }), 1).map((r) => r.label);
    expect(labels).not.toContain('Trained');
    expect(labels).toContain('Revision');
  });
});

describe('describeHead', () => {
  it("describes the paper's plain flow", () => {
    expect(describeHead(PRESETS.paper().head)).toBe('flow (1 step, 128 channels)');
  });

  it('names a nearest-neighbour bank apart from the Gaussians, with its coreset share', () => {
    const manifest = manifestOf('bottle');
    manifest.settings.head.gaussians.push({ dims: 128, ridge: 0, seed: 0, reduction: 'random-projection', taps: ['s8_expand', 's16_expand'], scales: [1], model: 'nearest-neighbour', coreset: 0.01 });
    expect(describeHead(manifest.settings.head)).toBe('position-aware flow (1 step, 128 channels) + 2 Gaussian companions + a nearest-neighbour bank');
    const bank = summarizeManifest(manifest, 0).find((r) => r.label === 'Nearest-neighbour bank 2');
    expect(bank?.value).toBe('128 dims (random-projection) on s8_expand, s16_expand at scales 1; 1 % of the training patches');
  });
});

describe('formatScore', () => {
  it('keeps four significant digits', () => {
    expect(formatScore(12.3456)).toBe('12.35');
    expect(formatScore(0.000123456)).toBe('0.0001235');
  });
});

describe('withImageThreshold', () => {
  it('writes a new revision with the threshold and where it came from, leaving the original alone', () => {
    const original = manifestOf('bottle');
    const edited = withImageThreshold(original, 3.5);
    expect(edited.thresholds).toEqual({ image: 3.5, pixel: 4.5, rule: 'set in the app' });
    expect(edited.revision).toBe(2);
    expect(withImageThreshold(edited, 3).revision).toBe(3);
    expect(original.thresholds.image).toBe(2.345678);
    expect(original.revision).toBeUndefined();
  });

  it('refuses a threshold that is not a number', () => {
    expect(() => withImageThreshold(manifestOf('bottle'), Number.NaN)).toThrow(/must be a number/);
  });
});
