/**
 * The scoring graph against a direct computation: standardisation, the pixelwise rules (one companion's
 * map included), the heat map drawn from another rule than the score, and the 'agreement' rule's
 * geometric mean of peaks.
 */
import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../src/engine/onnx/graph';
import { serializeModel } from '../../src/engine/onnx/serialize';
import { runSession } from '../../src/engine/runtime';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { createRng, gaussian } from '../../src/engine/random';
import { AGREEMENT_FLOOR, CONTENT_MASK_OFF, appendScoring, mapUpsampleMatrix, type MapStatistics, type ScoringSettings } from '../../src/engine/patchflow/scores';

const runtime = nodeRuntime(1);
const side = 16; // input pixels: a 2×2 grid
const size = { width: side, height: side };
const grid = 2;
const stats: MapStatistics = { flow: { mean: 1, std: 2 }, gaussians: [{ mean: -1, std: 0.5 }, { mean: 3, std: 4 }] };

async function score(scoring: ScoringSettings, maps: Float32Array[]) {
  const b = new GraphBuilder('scores');
  const names = maps.map((_, i) => b.input(`map${i}`, 'float32', [1, 1, grid, grid]));
  const out = appendScoring(b, { flow: names[0], gaussians: names.slice(1) }, scoring, stats, size);
  b.outputAs(out.score, 'score', 'float32', [1]);
  b.outputAs(out.anomalyMap, 'map', 'float32', [1, 1, size.height, size.width]);
  const session = await runtime.createSession(serializeModel(b.graph));
  const r = await runSession(runtime, session, Object.fromEntries(maps.map((m, i) => [`map${i}`, { dtype: 'float32' as const, dims: [1, 1, grid, grid], data: m }])));
  return { score: (r.score.data as Float32Array)[0], map: r.map.data as Float32Array };
}

/** The upsampled, smoothed map in plain JS: M · X · Mᵀ. */
function upsample(x: number[]): number[] {
  const m = mapUpsampleMatrix(grid, side, 4);
  const out: number[] = [];
  for (let i = 0; i < side; i++)
    for (let j = 0; j < side; j++) {
      let s = 0;
      for (let a = 0; a < grid; a++) for (let c = 0; c < grid; c++) s += m[i * grid + a] * x[a * grid + c] * m[j * grid + c];
      out.push(s);
    }
  return out;
}

describe('scoring', () => {
  const rng = createRng(9);
  const raw = [0, 1, 2].map(() => Float32Array.from({ length: grid * grid }, () => 3 * gaussian(rng)));
  const all = [stats.flow, ...stats.gaussians];
  const z = raw.map((m, k) => [...m].map((v) => (v - all[k].mean) / all[k].std));
  const peak = (x: number[]) => Math.max(...upsample(x));

  it('standardises each map and scores the combined map by its maximum', async () => {
    const mean = z[0].map((_, p) => (z[0][p] + z[1][p] + z[2][p]) / 3);
    const max = z[0].map((_, p) => Math.max(z[0][p], z[1][p], z[2][p]));
    const gaussians = z[0].map((_, p) => (z[1][p] + z[2][p]) / 2);
    for (const [rule, expected] of [['flow', z[0]], ['mean', mean], ['max', max], ['gaussian', gaussians], ['gaussian.1', z[2]]] as const) {
      const r = await score({ combine: rule, mapSmoothingSigma: 4 }, raw);
      expect(r.score).toBeCloseTo(peak(expected), 4);
      const want = upsample(expected);
      r.map.forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
    }
  });

  it('agreement: the geometric mean of every map’s own peak, floored; the heat map from its own rule', async () => {
    const r = await score({ combine: 'agreement', heatMap: 'gaussian.0', mapSmoothingSigma: 4 }, raw);
    const peaks = z.map((m) => Math.max(peak(m), AGREEMENT_FLOOR));
    expect(r.score).toBeCloseTo(Math.exp(peaks.reduce((s, p) => s + Math.log(p), 0) / peaks.length), 4);
    const want = upsample(z[1]);
    r.map.forEach((v, i) => expect(v).toBeCloseTo(want[i], 4));
  });

  it('with content masks, scores the photo alone and leaves the letterbox padding out', async () => {
    // the photo fills rows 4…11 and columns 2…15 of the input; the rest is padding
    const onPhoto = (i: number, from: number, to: number) => (i >= from && i <= to ? 0 : CONTENT_MASK_OFF);
    const rows = Float32Array.from({ length: side }, (_, i) => onPhoto(i, 4, 11));
    const columns = Float32Array.from({ length: side }, (_, i) => onPhoto(i, 2, 15));
    const b = new GraphBuilder('scores');
    const map = b.input('map0', 'float32', [1, 1, grid, grid]);
    const mask = { rows: b.input('rows', 'float32', [1, 1, side, 1]), columns: b.input('columns', 'float32', [1, 1, 1, side]) };
    b.outputAs(appendScoring(b, { flow: map, gaussians: [] }, { combine: 'flow', mapSmoothingSigma: 4 }, { flow: stats.flow, gaussians: [] }, size, mask).score, 'score', 'float32', [1]);
    const session = await runtime.createSession(serializeModel(b.graph));
    const peakOnPhoto = Float32Array.of(9, 0, 0, 0); // the top-left cell, mostly padding, is the hottest
    const r = await runSession(runtime, session, {
      map0: { dtype: 'float32', dims: [1, 1, grid, grid], data: peakOnPhoto },
      rows: { dtype: 'float32', dims: [1, 1, side, 1], data: rows },
      columns: { dtype: 'float32', dims: [1, 1, 1, side], data: columns },
    });
    const up = upsample([...peakOnPhoto].map((v) => (v - stats.flow.mean) / stats.flow.std));
    const onPhotoPeak = Math.max(...up.filter((_, i) => rows[Math.floor(i / side)] === 0 && columns[i % side] === 0));
    expect((r.score.data as Float32Array)[0]).toBeCloseTo(onPhotoPeak, 4);
    expect(onPhotoPeak).toBeLessThan(Math.max(...up));
  });

  it('refuses a head whose companions the manifest does not standardise, and a rule naming a missing companion', async () => {
    await expect(score({ combine: 'mean', mapSmoothingSigma: 4 }, raw.slice(0, 1))).rejects.toThrow(/Gaussian maps but the manifest standardises 2/);
    await expect(score({ combine: 'flow', heatMap: 'gaussian.2', mapSmoothingSigma: 4 }, raw)).rejects.toThrow(/reads companion 2, but this model has 2/);
  });
});
