/**
 * The live readouts over the last frames inspected: frames per second, and latency (camera frame to
 * verdict) as median and 95th percentile. Pure.
 */

/** Frames the readouts look back over. */
export const READOUT_FRAMES = 100;

/**
 * One inspected frame: when the camera presented it and when its verdict came back (ms, one clock), and
 * the worker's share of that: reading the frame's pixels and running the model.
 */
export interface FrameTiming {
  grabbedAt: number;
  doneAt: number;
  readMs: number;
  modelMs: number;
}

export interface Readouts {
  /** Frames inspected per second; 0 until two have been. */
  fps: number;
  /** Latency in ms; null before the first frame. */
  latencyMedian: number | null;
  latencyP95: number | null;
  /**
   * Medians of the worker's two stages; the rest of the latency is waiting and passing the frame and its
   * map between threads.
   */
  readMedian: number | null;
  modelMedian: number | null;
}

export const NO_READOUTS: Readouts = { fps: 0, latencyMedian: null, latencyP95: null, readMedian: null, modelMedian: null };

/** The value below which a fraction `q` of `sorted` (ascending) lies: nearest rank, so it is one of them. */
export function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** The last `READOUT_FRAMES` timings after adding one (oldest first). */
export function appendTiming(recent: readonly FrameTiming[], timing: FrameTiming): FrameTiming[] {
  return [...recent.slice(1 - READOUT_FRAMES), timing];
}

export function readoutsOf(recent: readonly FrameTiming[]): Readouts {
  if (recent.length === 0) return NO_READOUTS;
  const sorted = (of: (t: FrameTiming) => number) => recent.map(of).sort((a, b) => a - b);
  const latencies = sorted((t) => t.doneAt - t.grabbedAt);
  const span = recent[recent.length - 1].doneAt - recent[0].doneAt;
  return {
    fps: recent.length > 1 && span > 0 ? ((recent.length - 1) * 1000) / span : 0,
    latencyMedian: nearestRank(latencies, 0.5),
    latencyP95: nearestRank(latencies, 0.95),
    readMedian: nearestRank(sorted((t) => t.readMs), 0.5),
    modelMedian: nearestRank(sorted((t) => t.modelMs), 0.5),
  };
}
