/**
 * The verdict threshold: the score histogram with its line, a slider and an exact value that re-judge
 * every result at once (no model re-run), the share of good parts it would reject (estimated from the
 * model's held-out good photos), and saving the value into the part model.
 */
import { useEffect, useId, useMemo, useState } from 'react';
import { Histogram } from '../components/Histogram';
import { histogramDomain } from '../components/histogram';
import { formatShare } from '../../engine/metrics/false-rejects';
import { fitGumbel, gumbelExceedance } from '../../engine/train/calibration';
import { useCurrentPart } from '../library/current-part';
import { saveThreshold } from '../library/save-threshold';
import { formatScore, type BatchItem } from './batch-item';
import { useBatch, type Thresholds } from './batch-store';

export function ThresholdPanel({ items, thresholds }: { items: BatchItem[]; thresholds: Thresholds }) {
  const { threshold, modelThreshold } = thresholds;
  const setTrialThreshold = useBatch((s) => s.setTrialThreshold);
  const scores = useMemo(() => items.flatMap((i) => (i.result ? [i.result.score] : [])), [items]);
  // the model's threshold anchors the range, so it stays put while the slider moves
  const domain = useMemo(() => histogramDomain(scores, [modelThreshold]), [scores, modelThreshold]);
  const sliderId = useId();

  return (
    <section className="threshold-panel">
      <h2 className="panel-title">Verdict threshold</h2>
      <Histogram values={scores} domain={domain} threshold={threshold} label="Score histogram" onPick={setTrialThreshold} formatValue={formatScore} />
      <div className="threshold-inputs">
        <label htmlFor={sliderId}>Threshold</label>
        <input id={sliderId} type="range" min={domain.min} max={domain.max} step="any" value={threshold} onChange={(e) => setTrialThreshold(Number(e.target.value))} />
        <ExactThreshold threshold={threshold} onChange={setTrialThreshold} />
      </div>
      <EstimatedFalseRejects threshold={threshold} />
      <div className="threshold-actions">
        <span className="threshold-model">model: ≥ {formatScore(modelThreshold)}</span>
        <button type="button" onClick={() => setTrialThreshold(null)} disabled={threshold === modelThreshold}>
          Reset to model
        </button>
        <SaveThresholdButton threshold={threshold} unchanged={threshold === modelThreshold} />
      </div>
    </section>
  );
}

/** The share of good parts a threshold rejects, by the tail fitted to the model's held-out good scores. */
function EstimatedFalseRejects({ threshold }: { threshold: number }) {
  const heldOut = useCurrentPart((s) => s.pkg?.manifest.goodScores.values);
  const fit = useMemo(() => (heldOut && heldOut.length >= 4 ? fitGumbel(heldOut) : null), [heldOut]);
  if (!fit || !heldOut) return null;
  const share = gumbelExceedance(fit, threshold);
  const shown = share < 0.001 ? '< 0.1 %' : `≈ ${formatShare(share)}`;
  return (
    <p className="threshold-false-rejects" data-testid="estimated-false-rejects" data-value={share}>
      Rejects {shown} of good parts (estimated from the {heldOut.length} good photos held out in training)
    </p>
  );
}

/** A number field that lets a value be typed through partial states ("3.", "-") and takes each valid one. */
function ExactThreshold({ threshold, onChange }: { threshold: number; onChange: (value: number) => void }) {
  const [text, setText] = useState(formatScore(threshold));
  // follow the slider and the histogram, unless the text already says this value
  useEffect(() => setText((t) => (t !== '' && Number(t) === threshold ? t : formatScore(threshold))), [threshold]);
  return (
    <label className="threshold-exact">
      Reject at score ≥
      <input
        type="number"
        step="any"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          const v = e.target.valueAsNumber;
          if (Number.isFinite(v)) onChange(v);
        }}
      />
    </label>
  );
}

function SaveThresholdButton({ threshold, unchanged }: { threshold: number; unchanged: boolean }) {
  const setTrialThreshold = useBatch((s) => s.setTrialThreshold);
  const [state, setState] = useState<{ saving: boolean; message: string | null; failed: boolean }>({ saving: false, message: null, failed: false });
  const save = async () => {
    setState({ saving: true, message: null, failed: false });
    try {
      await saveThreshold(threshold);
      setTrialThreshold(null);
      setState({ saving: false, message: `Saved: the model now rejects at ≥ ${formatScore(threshold)}.`, failed: false });
    } catch (e) {
      setState({ saving: false, message: `Not saved: ${(e as Error).message}`, failed: true });
    }
  };
  return (
    <>
      <button type="button" className="primary" onClick={() => void save()} disabled={state.saving || unchanged}>
        {state.saving ? 'Saving…' : 'Save threshold to model'}
      </button>
      {state.message && (
        <p className={state.failed ? 'threshold-save-error' : 'threshold-save-note'} role={state.failed ? 'alert' : 'status'}>
          {state.message}
        </p>
      )}
    </>
  );
}
