/**
 * Threshold sweeps over scored samples: AUROC and the ROC curve, plus the shared primitives
 * (class split, sorted sweep, float32 radix sort) that the other metrics build on.
 *
 * Pixel-level evaluation means tens of millions of scores, so nothing here builds per-sample
 * objects: scores are split into two typed arrays (anomalous / normal), each sorted, and merged
 * from the top. Ties are handled exactly by visiting each distinct score once, which is the same
 * trapezoid-over-distinct-thresholds rule as sklearn's roc_auc_score.
 */

export type Scores = Float32Array | Float64Array;

/** Scores of each class, each sorted ascending. */
export interface ClassScores {
  positive: Scores;
  negative: Scores;
}

export interface RocCurve {
  /** Starts at (0, 0) with threshold +Infinity, like sklearn; one point per distinct score after that. */
  fpr: Float64Array;
  tpr: Float64Array;
  thresholds: Float64Array;
}

/**
 * Splits scores by label (truthy = anomalous) into two sorted arrays.
 * Float32Array scores stay float32 (half the memory, radix-sortable); anything else becomes float64.
 */
export function splitByClass(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): ClassScores {
  const n = scores.length;
  if (labels.length !== n) throw new Error(`scores (${n}) and labels (${labels.length}) differ in length`);
  let positives = 0;
  for (let i = 0; i < n; i++) if (labels[i]) positives++;
  const float32 = scores instanceof Float32Array;
  const positive = float32 ? new Float32Array(positives) : new Float64Array(positives);
  const negative = float32 ? new Float32Array(n - positives) : new Float64Array(n - positives);
  let p = 0;
  let q = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i];
    if (Number.isNaN(s)) throw new Error(`score ${i} is NaN`);
    if (labels[i]) positive[p++] = s;
    else negative[q++] = s;
  }
  if (positive instanceof Float32Array && negative instanceof Float32Array) {
    sortFloat32(positive);
    sortFloat32(negative);
  } else {
    positive.sort();
    negative.sort();
  }
  return { positive, negative };
}

/**
 * Visits every distinct score from the highest down, after counting all samples with
 * score >= threshold: `tp` anomalous ones and `fp` normal ones.
 */
export function sweepThresholds(split: ClassScores, visit: (threshold: number, tp: number, fp: number) => void): void {
  const { positive, negative } = split;
  let i = positive.length - 1;
  let j = negative.length - 1;
  let tp = 0;
  let fp = 0;
  while (i >= 0 || j >= 0) {
    const t = i < 0 ? negative[j] : j < 0 ? positive[i] : Math.max(positive[i], negative[j]);
    // >= rather than === so that -0 and +0 count as one threshold
    while (i >= 0 && positive[i] >= t) {
      i--;
      tp++;
    }
    while (j >= 0 && negative[j] >= t) {
      j--;
      fp++;
    }
    visit(t, tp, fp);
  }
}

/** Area under the ROC curve; labels truthy = anomalous. Exact with ties (matches sklearn roc_auc_score). */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number {
  const split = splitByClass(scores, labels);
  requireBothClasses(split);
  let prevTp = 0;
  let prevFp = 0;
  // Twice the area in units of one (tp, fp) cell: integer-valued, so the sum is exact below 2^53.
  let twiceArea = 0;
  sweepThresholds(split, (_, tp, fp) => {
    twiceArea += (fp - prevFp) * (tp + prevTp);
    prevTp = tp;
    prevFp = fp;
  });
  return twiceArea / (2 * split.positive.length * split.negative.length);
}

/** ROC curve over all distinct thresholds (no intermediate points dropped, unlike sklearn's default). */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): RocCurve {
  const split = splitByClass(scores, labels);
  requireBothClasses(split);
  let points = 1;
  sweepThresholds(split, () => points++);
  const fpr = new Float64Array(points);
  const tpr = new Float64Array(points);
  const thresholds = new Float64Array(points);
  thresholds[0] = Infinity;
  const P = split.positive.length;
  const N = split.negative.length;
  let k = 1;
  sweepThresholds(split, (t, tp, fp) => {
    thresholds[k] = t;
    tpr[k] = tp / P;
    fpr[k] = fp / N;
    k++;
  });
  return { fpr, tpr, thresholds };
}

function requireBothClasses(split: ClassScores): void {
  if (split.positive.length === 0 || split.negative.length === 0) {
    throw new Error(
      `AUROC needs both anomalous and normal samples; got ${split.positive.length} anomalous and ${split.negative.length} normal`,
    );
  }
}

/**
 * Sorts NaN-free float32 values ascending in place, moving `payload[i]` along with `values[i]`.
 * LSD radix sort on order-preserving 32-bit keys: exact, and about 4x faster than the native sort
 * on 40M values, at the cost of one scratch array of the same size.
 */
export function sortFloat32(values: Float32Array, payload?: Uint32Array): void {
  const n = values.length;
  if (payload && payload.length !== n) throw new Error('payload length differs from values');
  if (n < 2) return;
  const keys = new Uint32Array(values.buffer, values.byteOffset, n);
  // Flip negatives entirely and set the sign bit of positives: unsigned order = float order.
  for (let i = 0; i < n; i++) {
    const b = keys[i];
    keys[i] = b & 0x80000000 ? ~b : b | 0x80000000;
  }
  let src: Uint32Array = keys;
  let dst: Uint32Array = new Uint32Array(n);
  let psrc: Uint32Array | undefined = payload;
  let pdst: Uint32Array | undefined = payload ? new Uint32Array(n) : undefined;
  const count = new Uint32Array(256);
  for (let shift = 0; shift < 32; shift += 8) {
    count.fill(0);
    for (let i = 0; i < n; i++) count[(src[i] >>> shift) & 255]++;
    // Scores often share their top byte; a pass where every key has the same digit is a no-op.
    if (count[(src[0] >>> shift) & 255] === n) continue;
    let sum = 0;
    for (let d = 0; d < 256; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    if (psrc && pdst) {
      for (let i = 0; i < n; i++) {
        const k = src[i];
        const at = count[(k >>> shift) & 255]++;
        dst[at] = k;
        pdst[at] = psrc[i];
      }
      [psrc, pdst] = [pdst, psrc];
    } else {
      for (let i = 0; i < n; i++) {
        const k = src[i];
        dst[count[(k >>> shift) & 255]++] = k;
      }
    }
    [src, dst] = [dst, src];
  }
  if (src !== keys) keys.set(src);
  if (payload && psrc && psrc !== payload) payload.set(psrc);
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    keys[i] = k & 0x80000000 ? k & 0x7fffffff : ~k;
  }
}

/** Every pixel of a set of maps (or masks), end to end. */
export function concatPixels<A extends Float32Array | Uint8Array>(arrays: readonly A[], make: (n: number) => A): A {
  const out = make(arrays.reduce((s, a) => s + a.length, 0));
  arrays.reduce((offset, a) => (out.set(a, offset), offset + a.length), 0);
  return out;
}

/** Pools per-image maps and masks into one pixel-level score/label pair (for pixel AUROC and F1). */
export function poolPixels(maps: readonly Float32Array[], masks: readonly Uint8Array[]): { scores: Float32Array; labels: Uint8Array } {
  maps.forEach((m, i) => {
    if (masks[i].length !== m.length) throw new Error(`map ${i} has ${m.length} pixels but its mask ${masks[i].length}`);
  });
  return { scores: concatPixels(maps, (n) => new Float32Array(n)), labels: concatPixels(masks, (n) => new Uint8Array(n)) };
}

/** Pixel-level AUROC over a set of anomaly maps and their defect masks. */
export function pixelAuroc(maps: readonly Float32Array[], masks: readonly Uint8Array[]): number {
  const { scores, labels } = poolPixels(maps, masks);
  return auroc(scores, labels);
}
