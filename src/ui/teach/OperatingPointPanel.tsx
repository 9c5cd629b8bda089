/**
 * The operating point before saving: the threshold as calibrated, the scores of good and of real defect
 * photos (added here) on one histogram, the miss rate and false-reject rate a threshold implies, and
 * ways to move it: the slider, a click on the histogram, a value, or a stated false-reject rate.
 */
import { useId, useMemo, useState, type ChangeEvent } from 'react';
import { ClassHistogram } from '../components/ClassHistogram';
import { histogramDomain } from '../components/histogram';
import { photosFromInput } from '../inspect/collect-files';
import { formatScore } from '../library/part-manifest';
import { addChecks } from './checks';
import { formatShare, thresholdForFalseRejects } from '../../engine/metrics/false-rejects';
import type { PartManifest } from '../../engine/patchflow/manifest';
import { fitGumbel, gumbelQuantile } from '../../engine/train/calibration';
import { formatRate, operatingScores, ratesAt } from './operating-point';
import { useTeach, type CheckKind } from './teach-store';

function CheckIntake({ kind, label }: { kind: CheckKind; label: string }) {
  const take = (e: ChangeEvent<HTMLInputElement>) => {
    addChecks(kind, photosFromInput(e.target.files ?? []).map((p) => ({ name: p.path.split('/').pop()!, file: p.file })));
    e.target.value = '';
  };
  return (
    <label className="button">
      {label}
      <input className="visually-hidden" type="file" multiple accept="image/*" onChange={take} />
    </label>
  );
}

/** What the calibration says of its threshold, as a sentence. */
function calibrationNote({ image, falseRejects: e }: PartManifest['thresholds']): string {
  if (!e) return `Calibrated threshold ${formatScore(image)}.`;
  return `Calibrated threshold ${formatScore(image)}: it rejects an estimated ${formatShare(e.estimated)} of good parts (90 % interval ${formatShare(e.interval[0])}–${formatShare(e.interval[1])}), estimated from ${e.heldOutGood} held-out good photos.`;
}

export function OperatingPointPanel({ manifest }: { manifest: PartManifest }) {
  const calibrated = manifest.thresholds.image;
  const checks = useTeach((s) => s.checks);
  const trial = useTeach((s) => s.threshold);
  const setThreshold = useTeach((s) => s.setThreshold);
  const threshold = trial ?? calibrated;
  const { good, defect, goodFrom } = useMemo(() => operatingScores(checks), [checks]);
  const domain = useMemo(() => histogramDomain([...good, ...defect], [calibrated]), [good, defect, calibrated]);
  const rates = ratesAt(threshold, good, defect);
  const [target, setTarget] = useState(1);
  const sliderId = useId();
  const scoring = checks.filter((c) => c.status === 'scoring').length;
  // good photos set aside are counted; the few held out are not enough for that, so their fitted tail is used
  const heldOut = manifest.goodScores.values;
  const thresholdFor = (share: number) =>
    goodFrom === 'held out' && heldOut && share > 0 ? gumbelQuantile(fitGumbel(heldOut), 1 - share) : thresholdForFalseRejects(good, share);
  return (
    <section className="teach-panel" aria-labelledby="teach-operating-title">
      <h2 id="teach-operating-title" className="teach-panel-title">
        4 · Operating point
      </h2>
      <p className="hint">
        {calibrationNote(manifest.thresholds)} Add a few real defect photos and good photos kept out of training to see what it misses and
        rejects.
      </p>
      <div className="teach-actions">
        <CheckIntake kind="defect" label="Add defect photos" />
        <CheckIntake kind="good" label="Add set-aside good photos" />
        {scoring > 0 && <span role="status">scoring {scoring}…</span>}
      </div>
      <ClassHistogram good={good} defect={defect} domain={domain} threshold={threshold} label="Scores of good and defect photos" onPick={setThreshold} formatValue={formatScore} />
      <div className="teach-threshold">
        <label htmlFor={sliderId}>Threshold</label>
        <input id={sliderId} type="range" min={domain.min} max={domain.max} step="any" value={threshold} onChange={(e) => setThreshold(Number(e.target.value))} />
        <label className="teach-inline">
          Reject at score ≥
          <input type="number" step="any" value={formatScore(threshold)} onChange={(e) => Number.isFinite(e.target.valueAsNumber) && setThreshold(e.target.valueAsNumber)} />
        </label>
      </div>
      <dl className="teach-rates" data-testid="teach-rates" data-missed={rates.missed} data-rejected={rates.rejected}>
        <div>
          <dt>Missed defects</dt>
          <dd>{formatRate(rates.missed, rates.defects)}</dd>
        </div>
        <div>
          <dt>Rejected good parts ({goodFrom})</dt>
          <dd>{formatRate(rates.rejected, rates.goods)}</dd>
        </div>
      </dl>
      <div className="teach-actions">
        <label className="teach-inline">
          Reject at most
          <input type="number" min={0} max={50} step={0.5} value={target} onChange={(e) => Number.isFinite(e.target.valueAsNumber) && setTarget(e.target.valueAsNumber)} />% of good parts
        </label>
        <button type="button" disabled={good.length === 0 || !(target >= 0 && target < 100)} onClick={() => setThreshold(thresholdFor(target / 100))}>
          Set threshold
        </button>
        <button type="button" disabled={trial === null} onClick={() => setThreshold(null)}>
          Back to calibrated
        </button>
      </div>
    </section>
  );
}
