/** Part-model settings: presets, the `--gaussians` spec and the manifest's format check. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_PRESET, ManifestError, PART_FORMAT, formatFor, forThinDefects, presetSettings, trainedAsRequested, validateManifest } from '../../src/engine/patchflow/manifest';
import { modelSettingsOf } from '../../src/ui/teach/teach-settings';
import { settingsFrom } from '../../src/cli/train';

describe('part-model settings', () => {
  it('the default preset scores by the agreement of flow and two companions, draws the scale-1 companion and leaves position to training', () => {
    const s = presetSettings(DEFAULT_PRESET);
    expect(s.scoring).toMatchObject({ combine: 'agreement', heatMap: 'gaussian.0' });
    expect(s.head.gaussians.map((g) => [g.taps, g.scales, g.reduction, g.positionBlind])).toEqual([
      [['s8_block', 's8_expand'], [1], 'random-channels', 'auto'],
      [['s8_expand', 's16_expand', 's32_head'], undefined, 'random-channels', 'auto'],
    ]);
    expect(() => presetSettings('turbo')).toThrow(/unknown preset 'turbo'.*balanced/);
  });

  it("a trained model is current for a request when it differs only where the request says 'auto'", () => {
    const requested = presetSettings(DEFAULT_PRESET);
    const trained = presetSettings(DEFAULT_PRESET);
    trained.head.gaussians = trained.head.gaussians.map((g) => ({ ...g, positionBlind: 0.05 }));
    expect(trainedAsRequested(trained, requested)).toBe(true);
    expect(trainedAsRequested({ ...trained, features: { ...trained.features, inputSize: 320 } }, requested)).toBe(false);
    expect(trainedAsRequested({ ...trained, centerCrop: 0.5 }, requested)).toBe(false);
  });

  it('--position-blind fixes the share or leaves it to training', () => {
    const fixed = settingsFrom({ data: 'd', positionBlind: '0.25' });
    expect(fixed.head.gaussians.map((g) => g.positionBlind)).toEqual([0.25, 0.25]);
    expect(settingsFrom({ data: 'd', preset: 'fast', gaussians: 's8_expand:8', positionBlind: 'auto' }).head.gaussians).toMatchObject([{ positionBlind: 'auto' }]);
    expect(() => settingsFrom({ data: 'd', positionBlind: '1.5' })).toThrow(/--position-blind 1.5: give auto, or a share from 0/);
  });

  it('thin defects draw the heat map from every map and double the local Gaussian (teach and train alike); a flow alone keeps its own', () => {
    const thin = forThinDefects(presetSettings(DEFAULT_PRESET));
    expect(thin.scoring).toMatchObject({ combine: 'agreement', heatMap: 'mean' });
    expect(thin.head.gaussians.map((g) => g.dims)).toEqual([128, 32]);
    expect(presetSettings(DEFAULT_PRESET).head.gaussians.map((g) => g.dims)).toEqual([64, 32]);
    expect(settingsFrom({ data: 'd', thinDefects: true, gaussians: 's8_expand@1:16:random-channels' }).head.gaussians[0].dims).toBe(16);
    expect(settingsFrom({ data: 'd', thinDefects: true }).scoring.heatMap).toBe('mean');
    expect(modelSettingsOf({ preset: DEFAULT_PRESET, centerCrop: null, region: null, thinDefects: true })).toEqual(settingsFrom({ data: 'd', thinDefects: true }));
    expect(forThinDefects(presetSettings('fast')).scoring).toEqual(presetSettings('fast').scoring);
  });

  it('--gaussians sets the companions; none falls back to the flow alone', () => {
    const two = settingsFrom({ data: 'd', preset: 'fast', gaussians: 's8_expand+s16_expand@1+0.5:32:random-channels;flow:16', combine: 'mean', heatMap: 'gaussian.1' });
    expect(two.head.gaussians).toEqual([
      { dims: 32, ridge: 0.01, seed: 0, reduction: 'random-channels', taps: ['s8_expand', 's16_expand'], scales: [1, 0.5] },
      { dims: 16, ridge: 0.01, seed: 0, reduction: 'random-projection' },
    ]);
    expect(two.scoring).toMatchObject({ combine: 'mean', heatMap: 'gaussian.1' });
    expect(() => settingsFrom({ data: 'd', heatMap: 'gaussian' + '.x' })).toThrow(/--heat-map must be one of flow, gaussian, mean, max, or gaussian.<i>/);
    expect(() => settingsFrom({ data: 'd', gaussians: 's8_expand@:8' })).toThrow(/TAPS\[@SCALES\]:DIMS/);
    const none = settingsFrom({ data: 'd', gaussians: 'none' });
    expect(none.head.gaussians).toEqual([]);
    expect(none.scoring.combine).toBe('flow');
    expect(() => settingsFrom({ data: 'd', gaussians: 's8_expand:64:random-channels:extra' })).toThrow(/TAPS\[@SCALES\]:DIMS\[:REDUCTION\[:nn=SHARE\]\]/);
    expect(() => settingsFrom({ data: 'd', gaussians: 's8_expand:64:random-channels:nn=2' })).toThrow(/nn=SHARE/);
    // nn=SHARE: a nearest-neighbour bank of that share of the training patches
    expect(settingsFrom({ data: 'd', gaussians: 's8_expand+s16_expand@1:128:random-projection:nn=0.01' }).head.gaussians).toEqual([
      { dims: 128, ridge: 0.01, seed: 0, reduction: 'random-projection', taps: ['s8_expand', 's16_expand'], scales: [1], model: 'nearest-neighbour', coreset: 0.01 },
    ]);
    expect(() => settingsFrom({ data: 'd', gaussians: 'flow:8:pca' })).toThrow(/pca/);
    // --size PX leaves the aspect ratio to the photos; WxH fixes the input; --region cuts a rectangle first
    expect(settingsFrom({ data: 'd', size: '320' }).features).toEqual(expect.not.objectContaining({ input: expect.anything() }));
    expect(settingsFrom({ data: 'd', size: '320' }).features.inputSize).toBe(320);
    expect(settingsFrom({ data: 'd', size: '256x640' }).features).toMatchObject({ inputSize: 256, input: { width: 256, height: 640 } });
    expect(() => settingsFrom({ data: 'd', size: '250' })).toThrow(/multiple of 32/);
    expect(settingsFrom({ data: 'd', region: '0.1,0,0.8,1' }).region).toEqual({ x: 0.1, y: 0, width: 0.8, height: 1 });
    expect(() => settingsFrom({ data: 'd', region: '0.5,0,0.8,1' })).toThrow(/rectangle inside it/);
    // covariance blocks: the default shares one per 2 × 2 cells; 1 gives each cell its own (written as before)
    expect(settingsFrom({ data: 'd' }).head.gaussians.map((g) => g.covarianceBlock)).toEqual([2, 2]);
    expect(settingsFrom({ data: 'd', covarianceBlock: 1 }).head.gaussians.every((g) => !('covarianceBlock' in g))).toBe(true);
    expect(formatFor(settingsFrom({ data: 'd', covarianceBlock: 1 }))).toBe('patchflow-inspect/part@3');
    expect(() => settingsFrom({ data: 'd', covarianceBlock: 5 })).toThrow(/--covariance-block 5: give the side of the square of grid cells/);
    expect(() => settingsFrom({ data: 'd', preset: 'fast', combine: 'agreement' })).toThrow(/--combine agreement needs a Gaussian companion/);
  });

  it('refuses manifests from an earlier format and files that are not part models, saying which', () => {
    const manifest = { format: PART_FORMAT, part: 'p', backbone: {}, settings: {}, thresholds: {}, mapStatistics: {}, goodScores: {}, head: 'head.onnx' };
    expect(validateManifest(manifest, 'm.json').part).toBe('p');
    // @2 models (square input) read as they are
    expect(validateManifest({ ...manifest, format: 'patchflow-inspect/part@2' }, 'm.json').part).toBe('p');
    expect(() => validateManifest({ ...manifest, format: 'patchflow-inspect/part@1' }, 'old.json')).toThrow(/old\.json: part model format 'patchflow-inspect\/part@1' was written by an earlier version; retrain/);
    expect(() => validateManifest({ ...manifest, format: 'patchflow-inspect/part@9' }, 'new.json')).toThrow(/new\.json: part model format 'patchflow-inspect\/part@9' was written by a newer version of PatchFlow Inspect; update this one/);
    // each model is written in the oldest format that reads it: @3 untiled, @4 tiled, @5 with covariance blocks
    for (const format of ['patchflow-inspect/part@3', 'patchflow-inspect/part@4']) expect(validateManifest({ ...manifest, format }, 'm.json').part).toBe('p');
    const untiled = { ...presetSettings('fast'), tiles: undefined };
    expect([formatFor(untiled), formatFor({ ...untiled, tiles: presetSettings('tiled').tiles }), formatFor(presetSettings('balanced')), formatFor(presetSettings('tiled'))]).toEqual([
      'patchflow-inspect/part@3',
      'patchflow-inspect/part@4',
      'patchflow-inspect/part@5',
      'patchflow-inspect/part@5',
    ]);
    expect(() => validateManifest({ name: 'x' }, 'x.json')).toThrow(ManifestError);
    expect(() => validateManifest({ ...manifest, settings: { region: { x: 0.5, y: 0, width: 0.6, height: 1 } } }, 'r.json')).toThrow(/r\.json: settings\.region must be a rectangle inside the photo/);
    expect(() => validateManifest({ ...manifest, head: undefined }, 'h.json')).toThrow(/lacks 'head'/);
    const blocks = (covarianceBlock: number) => ({ ...manifest, settings: { head: { gaussians: [{ dims: 8 }, { dims: 8, covarianceBlock }] } } });
    expect(validateManifest(blocks(2), 'b.json').part).toBe('p');
    expect(() => validateManifest(blocks(5), 'b.json')).toThrow(/b\.json: settings\.head\.gaussians\[1\]\.covarianceBlock must be a whole number of cells from 1 to 4/);
  });
});
