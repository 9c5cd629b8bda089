/** Axes for the small SVG charts: linear scales and round tick values. Pure. */

export interface Scale {
  (value: number): number;
  domain: [number, number];
}

/** Maps [d0, d1] onto [r0, r1] (a flat domain maps to the middle of the range). */
export function linearScale([d0, d1]: [number, number], [r0, r1]: [number, number]): Scale {
  const span = d1 - d0;
  const scale = ((v: number) => (span === 0 ? (r0 + r1) / 2 : r0 + ((v - d0) / span) * (r1 - r0))) as Scale;
  scale.domain = [d0, d1];
  return scale;
}

/** About `count` round values (1, 2 or 5 × 10ⁿ apart) within [min, max]. */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min) || count < 1) return Number.isFinite(min) ? [min] : [];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** A domain around values and anchors (e.g. a threshold), padded by 5 %, never empty. */
export function paddedDomain(min: number, max: number): [number, number] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  const pad = max > min ? (max - min) * 0.05 : Math.max(Math.abs(min) * 0.1, 1);
  return [min - pad, max + pad];
}
