/**
 * The Teach view: a line engineer teaches a new part on the tablet itself, from good photos only. Name it,
 * add photos, choose how, train (in a worker, WebGPU or WASM, resumable across reloads), check the heat
 * maps and the operating point, save it to the library or export it.
 */
import { useEffect, useState, type DragEvent } from 'react';
import { photosFromDrop } from '../inspect/collect-files';
import { GoodPhotosPanel } from './GoodPhotosPanel';
import { HeatMapGallery } from './HeatMapGallery';
import { OperatingPointPanel } from './OperatingPointPanel';
import { addGoodPhotos } from './photo-intake';
import { SavePanel } from './SavePanel';
import { restoreSession } from './teach-run';
import { TeachSettingsPanel } from './TeachSettingsPanel';
import { useTeach } from './teach-store';
import { TrainingPanel } from './TrainingPanel';
import './teach.css';

const hasFiles = (e: DragEvent) => e.dataTransfer.types.includes('Files');

export function TeachView() {
  const notice = useTeach((s) => s.notice);
  const setNotice = useTeach((s) => s.setNotice);
  const taught = useTeach((s) => s.taught);
  const threshold = useTeach((s) => s.threshold);
  // photos and settings are the run's while it runs and once it has taught a part
  const locked = useTeach((s) => s.run?.status === 'running' || s.taught !== null);
  const [dragging, setDragging] = useState(false);

  useEffect(() => void restoreSession(), []);

  const onDragOver = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = locked ? 'none' : 'copy';
    setDragging(true);
  };
  const onDrop = (e: DragEvent) => {
    if (!hasFiles(e)) return;
    e.preventDefault();
    setDragging(false);
    if (locked) return setNotice({ text: 'Photos cannot change while a run uses them: cancel it, or save or discard the taught part.', tone: 'error' });
    photosFromDrop(e.dataTransfer).then(
      (photos) => addGoodPhotos(photos.map((p) => ({ name: p.path.split('/').pop()!, file: p.file }))),
      (err: Error) => setNotice({ text: `The dropped folder could not be read: ${err.message}`, tone: 'error' }),
    );
  };

  return (
    <div
      className={`teach-view dark-panel${dragging ? ' dragging' : ''}`}
      data-testid="teach-drop-zone"
      onDragOver={onDragOver}
      onDragLeave={(e) => !e.currentTarget.contains(e.relatedTarget as Node | null) && setDragging(false)}
      onDrop={onDrop}
    >
      <h1 className="teach-title">Teach a new part</h1>
      {notice && (
        <p className={`teach-notice tone-${notice.tone}`} role={notice.tone === 'error' ? 'alert' : 'status'}>
          {notice.text}{' '}
          <button type="button" aria-label="Dismiss" onClick={() => setNotice(null)}>
            ×
          </button>
        </p>
      )}
      <div className="teach-columns">
        <GoodPhotosPanel locked={locked} />
        <div className="teach-column">
          <TeachSettingsPanel locked={locked} />
          <TrainingPanel />
        </div>
      </div>
      {taught && (
        <div className="teach-columns">
          <OperatingPointPanel manifest={taught.pkg.manifest} />
          <HeatMapGallery threshold={threshold ?? taught.pkg.manifest.thresholds.image} pixelThreshold={taught.pkg.manifest.thresholds.pixel} />
        </div>
      )}
      {taught && <SavePanel />}
    </div>
  );
}
