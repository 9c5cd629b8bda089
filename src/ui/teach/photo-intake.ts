/**
 * Good photos coming in (picked, dropped, restored with a session): each gets a unique name and is
 * examined by the teaching worker, two at a time, so a large photo set neither blocks the page nor
 * holds every decoded photo at once. A photo that does not decode keeps its message on its own tile.
 */
import { MAX_INPUT_SIDE } from '../../engine/patchflow/aggregation';
import { errorMessage } from '../library/storage-errors';
import { teacher } from '../teacher-client';
import { uniqueName, type GoodPhoto } from './good-photos';
import { newId, useTeach } from './teach-store';

const AT_ONCE = 2;

let waiting: GoodPhoto[] = [];
let running = 0;

function update(id: number, patch: Partial<GoodPhoto>): void {
  useTeach.setState((s) => ({ photos: s.photos.map((p) => (p.id === id ? { ...p, ...patch } : p)) }));
}

async function examine(photo: GoodPhoto): Promise<void> {
  try {
    // examined at the largest input any model reads: a photo no model can take is caught now
    const { width, height, sha256, thumbnail } = await teacher.examine(photo.file, photo.name, MAX_INPUT_SIDE);
    // a photo removed while it was examined is not brought back
    if (useTeach.getState().photos.some((p) => p.id === photo.id)) update(photo.id, { status: 'ready', width, height, sha256, thumbnail });
    else thumbnail.close();
  } catch (e) {
    update(photo.id, { status: 'error', error: errorMessage(e) });
  }
}

function pump(): void {
  while (running < AT_ONCE && waiting.length) {
    const next = waiting.shift()!;
    running++;
    void examine(next).finally(() => {
      running--;
      pump();
    });
  }
}

/** Adds photos (files or a session's stored photos) to the good photos. */
export function addGoodPhotos(files: readonly { name: string; file: Blob }[]): void {
  const taken = new Set(useTeach.getState().photos.map((p) => p.name));
  const added = files.map((f): GoodPhoto => {
    const name = uniqueName(f.name, taken);
    taken.add(name);
    return { id: newId(), name, file: f.file, status: 'checking', error: null, width: 0, height: 0, sha256: '', thumbnail: null };
  });
  useTeach.setState((s) => ({ photos: [...s.photos, ...added] }));
  waiting.push(...added);
  pump();
}

/** Forgets the photos not yet examined (the session starts over). */
export function dropWaitingPhotos(): void {
  waiting = [];
}
