/**
 * The Inspect view: add photos (files, folders, drops), follow the batch, read verdicts in a sortable
 * table, look at a photo's heat map, try and save the verdict threshold, export the results.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent } from 'react';
import { useCurrentPart } from '../library/current-part';
import { BatchProgress } from './BatchProgress';
import { useBatch, useThresholds } from './batch-store';
import { photosFromDrop, type PickedPhoto } from './collect-files';
import { ExportBar } from './ExportBar';
import { modelVersion } from './export';
import { PhotoIntake } from './PhotoIntake';
import { ResultsTable } from './ResultsTable';
import { sortItems } from './results-order';
import { ThresholdPanel } from './ThresholdPanel';
import { VerdictCounts } from './VerdictCounts';
import { Viewer } from './Viewer';
import './inspect.css';

const STEP_KEYS: Record<string, 1 | -1> = { ArrowRight: 1, j: 1, ArrowLeft: -1, k: -1 };

/** Keys typed into a field belong to it, not to the viewer (a range input moves with the arrows). */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT') return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset', 'file'].includes(target.type);
}

const hasFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files');

export function InspectView() {
  const pkg = useCurrentPart((s) => s.pkg);
  const loadedId = useCurrentPart((s) => s.loaded?.id ?? null);
  const loading = useCurrentPart((s) => s.loading);
  const items = useBatch((s) => s.items);
  const sort = useBatch((s) => s.sort);
  const selectedId = useBatch((s) => s.selectedId);
  const notice = useBatch((s) => s.notice);
  const thresholds = useThresholds();
  const threshold = thresholds?.threshold ?? Infinity;
  const ordered = useMemo(() => sortItems(items, sort, threshold), [items, sort, threshold]);
  const selected = useMemo(() => items.find((i) => i.id === selectedId) ?? null, [items, selectedId]);
  const [dragging, setDragging] = useState(false);
  const root = useRef<HTMLElement>(null);

  const blocked = loading ? 'Loading the part model…' : loadedId === null ? 'No part model loaded: choose one in the Part list or the Library.' : null;

  const addPhotos = (photos: PickedPhoto[]) => {
    if (loadedId !== null) useBatch.getState().add(photos, loadedId);
  };

  /** Selects the next or previous finished photo in table order. */
  const step = useCallback(
    (delta: 1 | -1) => {
      const finished = ordered.filter((i) => i.status === 'done' || i.status === 'error');
      if (finished.length === 0) return;
      const at = finished.findIndex((i) => i.id === selectedId);
      const next = at < 0 ? (delta > 0 ? 0 : finished.length - 1) : Math.min(finished.length - 1, Math.max(0, at + delta));
      useBatch.getState().select(finished[next].id);
    },
    [ordered, selectedId],
  );

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const delta = STEP_KEYS[e.key];
      if (!delta || e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target)) return;
      // the shell keeps this view mounted behind other sections: keys belong to the one shown
      if (!root.current?.checkVisibility()) return;
      e.preventDefault();
      step(delta);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [step]);

  const onDragOver = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = blocked ? 'none' : 'copy';
    setDragging(true);
  };
  const onDragLeave = (e: DragEvent) => {
    if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setDragging(false);
  };
  const onDrop = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    setDragging(false);
    const { setNotice } = useBatch.getState();
    if (blocked) return setNotice(blocked);
    photosFromDrop(e.dataTransfer).then(addPhotos, (err: Error) => setNotice(`The dropped folder could not be read: ${err.message}`));
  };

  return (
    <section ref={root} className={`inspect-view dark-panel${dragging ? ' dragging' : ''}`} onDragOver={onDragOver} onDragLeave={onDragLeave} onDrop={onDrop}>
      <div className="inspect-toolbar">
        <PhotoIntake blocked={blocked} onPhotos={addPhotos} />
        <BatchProgress />
        {pkg && (
          <span className="model-line" title={pkg.id}>
            {pkg.manifest.part} · {modelVersion(pkg.manifest)}
          </span>
        )}
        {thresholds && <VerdictCounts items={items} threshold={threshold} />}
      </div>
      {notice && (
        <p className="inspect-notice" role="status">
          {notice}
        </p>
      )}
      <div className="inspect-main">
        <div className="inspect-side">
          {pkg && thresholds && <ThresholdPanel items={items} thresholds={thresholds} />}
          {pkg && <ExportBar items={items} threshold={threshold} pkg={pkg} />}
          <ResultsTable ordered={ordered} threshold={threshold} />
        </div>
        {thresholds && <Viewer item={selected} threshold={threshold} pixelThreshold={thresholds.pixelThreshold} onStep={step} />}
      </div>
    </section>
  );
}
