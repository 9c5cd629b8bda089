/**
 * The heat map's colours: a piecewise-linear ramp over map values in good-σ units. Pure, so the overlay,
 * the legend and the tests agree on what a value looks like.
 */

export type Rgb = readonly [number, number, number];

export interface ColourStop {
  /** Position on the ramp, 0…1. */
  at: number;
  rgb: Rgb;
}

/**
 * The hot end of the usual anomaly colouring (jet: red is most anomalous): yellow just above the pixel
 * threshold, through orange, to red and deep red at the top. Red dominates at every level, so whatever
 * the overlay colours reads as heat over a grey or metallic part, and a defect's core reads red.
 */
export const HEAT_STOPS: readonly ColourStop[] = [
  { at: 0, rgb: [255, 220, 0] },
  { at: 0.33, rgb: [255, 140, 0] },
  { at: 0.66, rgb: [235, 30, 20] },
  { at: 1, rgb: [170, 0, 30] },
];

/** The colour at `t` (clamped to 0…1) on a ramp of stops sorted by `at`. */
export function colourAt(stops: readonly ColourStop[], t: number): Rgb {
  const x = Math.min(1, Math.max(0, t));
  const upper = stops.findIndex((s) => s.at >= x);
  if (upper <= 0) return stops[Math.max(upper, 0)].rgb;
  const a = stops[upper - 1];
  const b = stops[upper];
  const f = (x - a.at) / (b.at - a.at);
  const mix = (c: number) => Math.round(a.rgb[c] + (b.rgb[c] - a.rgb[c]) * f);
  return [mix(0), mix(1), mix(2)];
}

/** Map values the overlay spans: clear at or below `low`, full heat from `high` on. */
export interface HeatScale {
  low: number;
  high: number;
}

/**
 * The overlay's scale for a part: it starts at the pixel threshold and reaches full heat at four times it
 * (at least 3 σ higher; real defects run to ten times the threshold and more), the same for every photo
 * so colours compare across a batch.
 */
export function heatScale(pixelThreshold: number): HeatScale {
  return { low: pixelThreshold, high: pixelThreshold + 3 * Math.max(Math.abs(pixelThreshold), 1) };
}

const LUT_SIZE = 256;

/**
 * RGBA pixels of a map: fully transparent at or below `scale.low` (good areas stay clear), opaque ramp
 * colours above it. The caller blends the layer with its own opacity.
 */
export function heatRgba(map: ArrayLike<number>, scale: HeatScale, stops: readonly ColourStop[] = HEAT_STOPS): Uint8ClampedArray<ArrayBuffer> {
  const lut = new Uint8ClampedArray(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) lut.set(colourAt(stops, i / (LUT_SIZE - 1)), i * 3);
  const span = scale.high - scale.low;
  const rgba = new Uint8ClampedArray(map.length * 4);
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    if (!(v > scale.low)) continue; // NaN stays clear too
    const k = Math.min(LUT_SIZE - 1, Math.round(((v - scale.low) / span) * (LUT_SIZE - 1))) * 3;
    rgba[i * 4] = lut[k];
    rgba[i * 4 + 1] = lut[k + 1];
    rgba[i * 4 + 2] = lut[k + 2];
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

/** A CSS gradient of the ramp, left (low) to right (high), for the legend. */
export function cssGradient(stops: readonly ColourStop[] = HEAT_STOPS): string {
  return `linear-gradient(to right, ${stops.map((s) => `rgb(${s.rgb.join(' ')}) ${s.at * 100}%`).join(', ')})`;
}
