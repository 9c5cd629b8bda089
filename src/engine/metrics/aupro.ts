/**
 * AUPRO: area under the per-region-overlap curve, as defined by MVTec AD (Bergmann et al.) and
 * used by anomalib.
 *
 * For a threshold t, PRO(t) is the mean over all ground-truth connected components (8-connected,
 * pooled over every image) of the fraction of the component's pixels with score >= t, and
 * FPR(t) is the fraction of all normal pixels with score >= t. PRO is integrated over FPR from 0
 * to `fprLimit` with the trapezoid rule and divided by `fprLimit`, so a perfect map scores 1.
 *
 * The sweep is exact, like the MVTec reference `compute_pro`: every distinct score is a
 * threshold, and the last segment is linearly interpolated at `fprLimit`. This works because each
 * defect pixel moves PRO by exactly 1 / (component size × component count), so the curve is a
 * weighted ROC over the pixels sorted once.
 */
import { sortFloat32 } from './auroc';

export interface AnomalyMapSample {
  map: Float32Array;
  /** > 0 = defect. */
  mask: Uint8Array;
  width: number;
  height: number;
}

export interface Components {
  /** Per pixel: 0 = background, 1..count = component. */
  labels: Int32Array;
  count: number;
  /** Pixel count of component k at index k - 1. */
  sizes: Uint32Array;
}

export interface AuproOptions {
  /** Upper end of the FPR integration range, in (0, 1]; default 0.3 as in MVTec AD. */
  fprLimit?: number;
}

/** Connected components of `mask > 0` by flood fill (O(pixels), no recursion). */
export function labelComponents(mask: Uint8Array, width: number, height: number, connectivity: 4 | 8 = 8): Components {
  const n = width * height;
  if (mask.length !== n) throw new Error(`mask has ${mask.length} pixels, expected ${width}x${height}`);
  const labels = new Int32Array(n);
  // Each pixel is pushed at most once, so n slots suffice.
  const stack = new Int32Array(n);
  const sizes: number[] = [];
  for (let start = 0; start < n; start++) {
    if (!mask[start] || labels[start]) continue;
    const label = sizes.length + 1;
    labels[start] = label;
    stack[0] = start;
    let top = 1;
    let size = 0;
    while (top > 0) {
      const p = stack[--top];
      size++;
      const x = p % width;
      const y = (p - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        const ny = y + dy;
        if (ny < 0 || ny >= height) continue;
        for (let dx = -1; dx <= 1; dx++) {
          if ((dx === 0 && dy === 0) || (connectivity === 4 && dx !== 0 && dy !== 0)) continue;
          const nx = x + dx;
          if (nx < 0 || nx >= width) continue;
          const q = ny * width + nx;
          if (mask[q] && !labels[q]) {
            labels[q] = label;
            stack[top++] = q;
          }
        }
      }
    }
    sizes.push(size);
  }
  return { labels, count: sizes.length, sizes: Uint32Array.from(sizes) };
}

export function aupro(samples: readonly AnomalyMapSample[], options: AuproOptions = {}): number {
  const limit = options.fprLimit ?? 0.3;
  if (!(limit > 0 && limit <= 1)) throw new Error(`fprLimit must be in (0, 1], got ${limit}`);

  // Count first so that the pixel arrays are allocated once, at their final size.
  let defectPixels = 0;
  let totalPixels = 0;
  for (const [s, { map, mask, width, height }] of samples.entries()) {
    if (map.length !== width * height || mask.length !== width * height) {
      throw new Error(`sample ${s}: map (${map.length}) and mask (${mask.length}) must both be ${width}x${height}`);
    }
    totalPixels += map.length;
    for (let i = 0; i < mask.length; i++) if (mask[i]) defectPixels++;
  }
  const normalScores = new Float32Array(totalPixels - defectPixels);
  const defectScores = new Float32Array(defectPixels);
  const defectRegion = new Uint32Array(defectPixels);
  const regionWeight: number[] = [];
  let normal = 0;
  let defect = 0;
  for (const [s, { map, mask, width, height }] of samples.entries()) {
    const { labels, sizes } = labelComponents(mask, width, height, 8);
    const first = regionWeight.length;
    for (const size of sizes) regionWeight.push(1 / size);
    for (let i = 0; i < map.length; i++) {
      const v = map[i];
      if (Number.isNaN(v)) throw new Error(`sample ${s}: anomaly map pixel ${i} is NaN`);
      if (labels[i]) {
        defectScores[defect] = v;
        defectRegion[defect++] = first + labels[i] - 1;
      } else normalScores[normal++] = v;
    }
  }
  const regions = regionWeight.length;
  if (regions === 0) throw new Error('AUPRO needs at least one defect region in the masks');
  if (normal === 0) throw new Error('AUPRO needs normal (mask = 0) pixels');
  sortFloat32(normalScores);
  sortFloat32(defectScores, defectRegion);

  let i = normal - 1;
  let j = defect - 1;
  let fp = 0;
  let overlapSum = 0;
  let prevFpr = 0;
  let prevPro = 0;
  let area = 0;
  while (i >= 0 || j >= 0) {
    const t = i < 0 ? defectScores[j] : j < 0 ? normalScores[i] : Math.max(normalScores[i], defectScores[j]);
    while (i >= 0 && normalScores[i] >= t) {
      i--;
      fp++;
    }
    while (j >= 0 && defectScores[j] >= t) overlapSum += regionWeight[defectRegion[j--]];
    const fpr = fp / normal;
    // Rounding in the running sum can overshoot 1 by an ulp or so.
    const pro = Math.min(1, overlapSum / regions);
    if (fpr >= limit) {
      // fpr > prevFpr here: prevFpr < limit or the loop would have ended earlier.
      const proAtLimit = prevPro + ((pro - prevPro) * (limit - prevFpr)) / (fpr - prevFpr);
      area += ((limit - prevFpr) * (prevPro + proAtLimit)) / 2;
      return area / limit;
    }
    area += ((fpr - prevFpr) * (prevPro + pro)) / 2;
    prevFpr = fpr;
    prevPro = pro;
  }
  // Unreachable: the lowest threshold counts every normal pixel, so FPR reaches 1 >= limit.
  throw new Error('AUPRO sweep ended before the FPR limit');
}
