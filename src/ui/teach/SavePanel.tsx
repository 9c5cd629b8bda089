/** The last step: save the taught part to the library (and use it), export it as a package, or teach another. */
import { useState } from 'react';
import { formatScore } from '../library/part-manifest';
import { exportTaught, saveTaught } from './save-taught';
import { forgetRun } from './teach-run';
import { useTeach } from './teach-store';

export function SavePanel() {
  const taught = useTeach((s) => s.taught)!;
  const threshold = useTeach((s) => s.threshold);
  const setNotice = useTeach((s) => s.setNotice);
  const [saving, setSaving] = useState(false);
  const { manifest } = taught.pkg;
  const save = async () => {
    setSaving(true);
    try {
      await saveTaught();
    } finally {
      setSaving(false);
    }
  };
  const exportPackage = () => exportTaught().catch((e: Error) => setNotice({ text: `Not exported: ${e.message}`, tone: 'error' }));
  return (
    <section className="teach-panel" aria-labelledby="teach-save-title">
      <h2 id="teach-save-title" className="teach-panel-title">
        6 · Save
      </h2>
      <p>
        <strong>{manifest.part}</strong>: best epoch {manifest.training.bestEpoch} of {manifest.training.epochs}, {manifest.training.trainImages} photos trained on,{' '}
        {manifest.training.validationImages} held out, {Math.round(manifest.training.seconds)} s on {taught.backend === 'webgpu' ? 'WebGPU' : 'WASM'}. Rejects at score ≥{' '}
        {formatScore(threshold ?? manifest.thresholds.image)}
        {threshold !== null && ' (moved from the calibrated value)'}.
      </p>
      <div className="teach-actions">
        <button type="button" className="primary" onClick={() => void save()} disabled={saving}>
          Save
        </button>
        <button type="button" onClick={() => void exportPackage()}>
          Export package
        </button>
        <button type="button" onClick={forgetRun} disabled={saving}>
          Discard
        </button>
        <span className="hint">Save keeps it in this browser's library and inspects with it; the package (.zip) is what npm run eval -- --model reads.</span>
      </div>
    </section>
  );
}
