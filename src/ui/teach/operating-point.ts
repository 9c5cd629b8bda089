/**
 * The operating point of a newly taught part: at a threshold, how many real defect photos it would miss
 * and how many good photos it would reject. Pure, and it imports the engine's types only.
 */
import type { PartManifest } from '../../engine/patchflow/manifest';
import { formatScore } from '../library/part-manifest';
import type { CheckKind, CheckPhoto } from './teach-store';

export interface Rates {
  /** Defect photos scored below the threshold (passed), of all defect photos. */
  missed: number;
  defects: number;
  /** Good photos scored at or above it (rejected), of all good photos. */
  rejected: number;
  goods: number;
}

export function ratesAt(threshold: number, goodScores: readonly number[], defectScores: readonly number[]): Rates {
  return {
    missed: defectScores.filter((s) => s < threshold).length,
    defects: defectScores.length,
    rejected: goodScores.filter((s) => s >= threshold).length,
    goods: goodScores.length,
  };
}

/** "2 of 40 (5.0 %)", or "—" when there is nothing to count. */
export function formatRate(count: number, of: number): string {
  return of === 0 ? '—' : `${count} of ${of} (${((100 * count) / of).toFixed(1)} %)`;
}

/** The manifest with the threshold chosen in the Teach view, saying what it does on which photos. */
export function withOperatingPoint(manifest: PartManifest, threshold: number, rates: Rates): PartManifest {
  if (!Number.isFinite(threshold)) throw new Error(`a threshold must be a number (got ${threshold})`);
  if (threshold === manifest.thresholds.image) return manifest;
  const measured = `misses ${formatRate(rates.missed, rates.defects)} defect photos, rejects ${formatRate(rates.rejected, rates.goods)} good photos`;
  return {
    ...manifest,
    // the calibration's false-reject estimate was for its own threshold; the rule says what this one does
    thresholds: { image: threshold, pixel: manifest.thresholds.pixel, rule: `set in the Teach view at ${formatScore(threshold)} (calibrated: ${formatScore(manifest.thresholds.image)}): ${measured}` },
  };
}

/**
 * The scores the operating point is judged on: defect photos against good photos set aside by the user
 * or, without those, the held-out good photos (which the calibration has seen).
 */
export function operatingScores(checks: readonly CheckPhoto[]): { good: number[]; defect: number[]; goodFrom: 'set aside' | 'held out' } {
  const scores = (kind: CheckKind) => checks.flatMap((c) => (c.kind === kind && c.result ? [c.result.score] : []));
  const setAside = scores('good');
  return { good: setAside.length ? setAside : scores('held-out'), defect: scores('defect'), goodFrom: setAside.length ? 'set aside' : 'held out' };
}
