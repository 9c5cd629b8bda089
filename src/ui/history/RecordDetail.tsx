/**
 * One record in full: its photo with the heat map in the overlay viewer (zoom, pan, the map value under
 * the pointer), what judged it, and the operator's review: a note and an override kept beside the
 * model's verdict. Everything a person typed or a file was named is shown as text.
 */
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { ColourLegend } from '../components/ColourLegend';
import { heatScale } from '../components/colour-map';
import { prepareHeatLayer } from '../components/inspection-canvas';
import { OverlayCanvas } from '../components/OverlayCanvas';
import { OverlayControls } from '../components/OverlayControls';
import { formatScore } from '../inspect/batch-item';
import { errorMessage } from '../library/storage-errors';
import { finalVerdict, type InspectionRecord, type ModelVerdict } from '../records/record';
import type { OpenedImages } from '../records/record-images';
import { readRecord } from '../records/records-query';
import { saveReview } from '../records/review';
import { RECORDS_KEY } from './records-queries';
import { clockLabel, dateLabel } from './time-bins';
import { useRecordImages } from './useRecordImages';

const IMAGE_STATES: Record<InspectionRecord['images'], string> = {
  stored: 'kept',
  pruned: 'pruned to save space',
  'not-stored': 'not kept: the browser storage was full',
};

export function RecordDetail({ id }: { id: string | null }) {
  const record = useQuery({ queryKey: [...RECORDS_KEY, 'one', id], queryFn: () => readRecord(id!).then((r) => r ?? null), enabled: id !== null }).data ?? null;
  if (!id || !record) return <section className="viewer history-detail viewer-empty">Select a record to see its photo, heat map and review.</section>;
  const final = finalVerdict(record);
  return (
    <section className="viewer history-detail" data-testid="history-detail" data-record={record.id}>
      <div className="viewer-head">
        <h2 className="viewer-name" title={record.file}>
          {record.file}
        </h2>
        <span className={`verdict verdict-big verdict-${final}`}>{final.toUpperCase()}</span>
        <span className="viewer-score">
          score <strong>{formatScore(record.score)}</strong> · reject at ≥ {formatScore(record.threshold)}
        </span>
      </div>
      <dl className="record-facts">
        <Fact label="Time" value={`${dateLabel(record.time)} ${clockLabel(record.time)}`} />
        <Fact label="Station" value={record.station} />
        <Fact label="Part model" value={`${record.part} · ${record.modelVersion}`} />
        <Fact label="Model id" value={record.modelId} />
        <Fact label="Model verdict" value={record.verdict.toUpperCase()} />
        <Fact label="Source" value={record.source === 'capture' ? 'Live capture' : 'photo'} />
        <Fact label="Photo" value={`${record.width} × ${record.height}`} />
        <Fact label="Pictures" value={IMAGE_STATES[record.images]} />
      </dl>
      {record.images === 'stored' && <RecordOverlay record={record} />}
      <ReviewForm key={record.id} record={record} />
    </section>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
}

function RecordOverlay({ record }: { record: InspectionRecord }) {
  const images = useRecordImages(record.id);
  if (images.status === 'loading') return <p className="hint">opening the pictures…</p>;
  if (images.status === 'none') return <p className="hint">The pictures of this record are gone (pruned).</p>;
  if (images.status === 'error') return <p className="error">The pictures cannot be opened: {images.message}</p>;
  return <HeatMapOverlay record={record} images={images.images} />;
}

function HeatMapOverlay({ record, images }: { record: InspectionRecord; images: OpenedImages }) {
  const [opacity, setOpacity] = useState(0.7);
  const [show, setShow] = useState(true);
  const scale = useMemo(() => heatScale(record.pixelThreshold), [record.pixelThreshold]);
  const layer = useMemo(() => prepareHeatLayer(images.heatMap, scale), [images, scale]);
  const size = useMemo(() => ({ width: images.picture.width, height: images.picture.height }), [images]);
  return (
    <>
      <OverlayControls show={show} opacity={opacity} onShow={setShow} onOpacity={setOpacity} />
      <OverlayCanvas photo={images.picture} size={size} heatMap={images.heatMap} layer={show ? layer : null} opacity={opacity} label={`${record.file} with its anomaly heat map`} />
      <ColourLegend scale={scale} />
    </>
  );
}

function ReviewForm({ record }: { record: InspectionRecord }) {
  const [note, setNoteValue] = useState(record.note);
  const [override, setOverrideValue] = useState<ModelVerdict | null>(record.override?.verdict ?? null);
  const [state, setState] = useState<{ saving: boolean; message: string | null; failed: boolean }>({ saving: false, message: null, failed: false });
  const opposite: ModelVerdict = record.verdict === 'fail' ? 'pass' : 'fail';
  const changed = note !== record.note || override !== (record.override?.verdict ?? null);
  // an edit makes the last save's message stale
  const edited = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setState((s) => ({ ...s, message: null }));
  };
  const setNote = edited(setNoteValue);
  const setOverride = edited(setOverrideValue);

  const save = async () => {
    setState({ saving: true, message: null, failed: false });
    try {
      await saveReview(record.id, { note, override });
      setState({ saving: false, message: 'Review saved.', failed: false });
    } catch (e) {
      setState({ saving: false, message: errorMessage(e), failed: true });
    }
  };

  return (
    <form
      className="review-form"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <fieldset>
        <legend>Operator's verdict</legend>
        <label>
          <input type="radio" name="override" checked={override === null} onChange={() => setOverride(null)} /> the model's {record.verdict.toUpperCase()} stands
        </label>
        <label>
          <input type="radio" name="override" checked={override === opposite} onChange={() => setOverride(opposite)} />{' '}
          {opposite === 'pass' ? 'accept the part: PASS' : 'reject the part: FAIL'}
        </label>
      </fieldset>
      <label className="review-note">
        Note
        <textarea value={note} maxLength={2000} rows={2} onChange={(e) => setNote(e.target.value)} />
      </label>
      <button type="submit" className="primary" disabled={!changed || state.saving}>
        {state.saving ? 'Saving…' : 'Save review'}
      </button>
      {state.message && (
        <span role={state.failed ? 'alert' : 'status'} className={state.failed ? 'error' : 'hint'}>
          {state.message}
        </span>
      )}
    </form>
  );
}
