/** The ways in for photos: "Add photos" (one or many files), "Add a folder", and drops on the view. */
import type { ChangeEvent } from 'react';
import { photosFromInput, type PickedPhoto } from './collect-files';

interface PhotoIntakeProps {
  /** Why photos cannot be added now, or null when they can. */
  blocked: string | null;
  onPhotos: (photos: PickedPhoto[]) => void;
}

/** React has no typed prop for it; the attribute is what browsers read. */
const asFolderPicker = (input: HTMLInputElement | null) => input?.setAttribute('webkitdirectory', '');

export function PhotoIntake({ blocked, onPhotos }: PhotoIntakeProps) {
  const take = (e: ChangeEvent<HTMLInputElement>) => {
    onPhotos(photosFromInput(e.target.files ?? []));
    e.target.value = ''; // the same files can be chosen again
  };
  return (
    <div className={`intake${blocked ? ' blocked' : ''}`} data-testid="drop-zone">
      <label className="button primary">
        Add photos
        <input className="visually-hidden" type="file" multiple accept="image/*" disabled={blocked !== null} onChange={take} />
      </label>
      <label className="button">
        Add a folder
        <input className="visually-hidden" type="file" ref={asFolderPicker} disabled={blocked !== null} onChange={take} />
      </label>
      <span className="intake-hint">{blocked ?? 'or drop photos and folders anywhere on this page'}</span>
    </div>
  );
}
