/**
 * The part's name and its good photos: picked or dropped (folders too) or taken with the camera, counted with advice on how many
 * more are needed, each checked (unreadable ones say why on their tile), with duplicates and photos taken
 * the other way round pointed out and removable at once.
 */
import { useMemo, type ChangeEvent } from 'react';
import { BitmapThumbnail } from '../components/BitmapThumbnail';
import { photosFromInput } from '../inspect/collect-files';
import { duplicates, orientationOutliers, photoAdvice, sizeSummary, type GoodPhoto } from './good-photos';
import { CameraIntake } from './CameraIntake';
import { addGoodPhotos } from './photo-intake';
import { PHOTO_NEEDS } from './teach-run';
import { useTeach } from './teach-store';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function GoodPhotosPanel({ locked }: { locked: boolean }) {
  const part = useTeach((s) => s.part);
  const photos = useTeach((s) => s.photos);
  const setPart = useTeach((s) => s.setPart);
  const removePhotos = useTeach((s) => s.removePhotos);
  const repeats = useMemo(() => duplicates(photos), [photos]);
  const orientation = useMemo(() => orientationOutliers(photos), [photos]);
  const ready = photos.filter((p) => p.status === 'ready').length;
  const checking = photos.filter((p) => p.status === 'checking').length;
  const unreadable = photos.filter((p) => p.status === 'error');
  const advice = photoAdvice(ready, PHOTO_NEEDS);
  const sizes = useMemo(() => sizeSummary(photos), [photos]);

  const take = (e: ChangeEvent<HTMLInputElement>) => {
    addGoodPhotos(photosFromInput(e.target.files ?? []).map((p) => ({ name: p.path.split('/').pop()!, file: p.file })));
    e.target.value = ''; // the same files can be chosen again
  };

  return (
    <section className="teach-panel" aria-labelledby="teach-photos-title">
      <h2 id="teach-photos-title" className="teach-panel-title">
        1 · Part and good photos
      </h2>
      <label className="teach-field">
        Part name
        <input type="text" value={part} placeholder="e.g. bracket-A7" disabled={locked} onChange={(e) => setPart(e.target.value)} />
      </label>
      <div className="teach-intake">
        <label className={`button primary${locked ? ' disabled' : ''}`}>
          Add good photos
          <input className="visually-hidden" type="file" multiple accept="image/*" disabled={locked} onChange={take} />
        </label>
        <span className="hint">or drop photos and folders on this view · good parts only, as the line sees them</span>
      </div>
      <CameraIntake locked={locked} />
      <p className={`teach-count advice-${advice.level}`} data-testid="teach-photo-count" data-ready={ready}>
        <strong>{plural(ready, 'good photo')}</strong>
        {checking > 0 && ` (${checking} being checked)`} · {advice.text}
      </p>
      {sizes && <p className="hint">Sizes: {sizes}. The model's input takes the shape most photos have; each photo is resized to it, whatever its size.</p>}
      {repeats.size > 0 && (
        <p className="teach-warning" role="status">
          {plural(repeats.size, 'photo')} repeat{repeats.size === 1 ? 's' : ''} another one exactly (the same part twice teaches nothing new).{' '}
          <button type="button" disabled={locked} onClick={() => removePhotos([...repeats.keys()])}>
            Remove duplicates
          </button>
        </p>
      )}
      {orientation.outliers.length > 0 && (
        <p className="teach-warning" role="status">
          {plural(orientation.outliers.length, 'photo')} {orientation.outliers.length === 1 ? 'is' : 'are'} not {orientation.majority} like the others: the model takes their shape,
          so a part taken the other way round is shrunk to fit, padded, and looks like another part.{' '}
          <button type="button" disabled={locked} onClick={() => removePhotos(orientation.outliers)}>
            Remove them
          </button>
        </p>
      )}
      {unreadable.length > 0 && (
        <p className="teach-warning" role="status">
          {plural(unreadable.length, 'file')} cannot be used (see the tiles marked ✕).{' '}
          <button type="button" disabled={locked} onClick={() => removePhotos(unreadable.map((p) => p.id))}>
            Remove them
          </button>
        </p>
      )}
      {photos.length > 0 && (
        <ul className="teach-photo-grid" aria-label="Good photos">
          {photos.map((p) => (
            <PhotoTile key={p.id} photo={p} duplicateOf={repeats.get(p.id)} rotated={orientation.outliers.includes(p.id)} locked={locked} />
          ))}
        </ul>
      )}
    </section>
  );
}

function PhotoTile({ photo, duplicateOf, rotated, locked }: { photo: GoodPhoto; duplicateOf?: string; rotated: boolean; locked: boolean }) {
  const removePhotos = useTeach((s) => s.removePhotos);
  const flag = photo.status === 'error' ? photo.error : duplicateOf ? `the same photo as ${duplicateOf}` : rotated ? 'taken the other way round' : null;
  return (
    <li className={`teach-photo status-${photo.status}${flag ? ' flagged' : ''}`} title={flag ? `${photo.name}: ${flag}` : `${photo.name} (${photo.width}×${photo.height})`}>
      {photo.thumbnail ? <BitmapThumbnail bitmap={photo.thumbnail} /> : <span className="teach-photo-placeholder">{photo.status === 'error' ? '✕' : '…'}</span>}
      <span className="teach-photo-name">{photo.name}</span>
      {photo.status === 'error' && (
        <span className="teach-photo-error" role="alert">
          {photo.error}
        </span>
      )}
      <button type="button" className="teach-photo-remove" aria-label={`Remove ${photo.name}`} disabled={locked} onClick={() => removePhotos([photo.id])}>
        ×
      </button>
    </li>
  );
}
