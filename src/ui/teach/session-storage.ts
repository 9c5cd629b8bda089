/**
 * The teaching session kept in this browser (IndexedDB, apart from the library's database): the photos
 * and settings of the run in progress, its checkpoint after each epoch, and the taught model until it
 * is saved or dropped. A tab closed or reloaded mid-training finds them here and goes on from the last
 * finished epoch; a taught model survives a reload too.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { TaughtPart, TrainingCheckpoint } from '../../../workers/teacher-api';
import { errorMessage, storageWriteError } from '../library/storage-errors';
import type { Region } from '../../engine/patchflow/preprocess';

export interface SessionPhoto {
  name: string;
  file: Blob;
}

/** What a run needs to start again: its photos and settings (the model's numbers come from the preset). */
export interface StoredSession {
  /** Tells this run's checkpoint from an earlier run's. */
  runId: string;
  part: string;
  preset: string;
  /** Centre square kept, as a share of the shorter side; null = the whole photo. */
  centerCrop: number | null;
  /** The box kept of every photo (absent in sessions kept before boxes existed). */
  region?: Region | null;
  /** Thin defects: the heat map from every map's mean (absent in sessions kept before the choice existed). */
  thinDefects?: boolean;
  epochs: number;
  seed: number;
  photos: SessionPhoto[];
  /** The model, once taught (kept until saved or dropped). */
  taught: TaughtPart | null;
}

interface StoredCheckpoint {
  runId: string;
  checkpoint: TrainingCheckpoint;
}

interface TeachDb extends DBSchema {
  session: { key: string; value: StoredSession };
  checkpoint: { key: string; value: StoredCheckpoint };
}

const DB_NAME = 'patchflow-inspect-teach';
const KEY = 'current';

let database: Promise<IDBPDatabase<TeachDb>> | undefined;

function open(): Promise<IDBPDatabase<TeachDb>> {
  database ??= openDB<TeachDb>(DB_NAME, 1, {
    upgrade(db) {
      db.createObjectStore('session');
      db.createObjectStore('checkpoint');
    },
  }).catch((e: unknown) => {
    database = undefined;
    throw new Error(`this browser's storage cannot be opened (${errorMessage(e)}); a reload will not resume training`);
  });
  return database;
}

async function put<S extends 'session' | 'checkpoint'>(store: S, value: TeachDb[S]['value'], action: string): Promise<void> {
  try {
    await (await open()).put(store, value, KEY);
  } catch (e) {
    throw storageWriteError(e, null, action);
  }
}

export async function readSession(): Promise<{ session: StoredSession; checkpoint: TrainingCheckpoint | null } | null> {
  const db = await open();
  const session = await db.get('session', KEY);
  if (!session) return null;
  const stored = await db.get('checkpoint', KEY);
  return { session, checkpoint: stored?.runId === session.runId ? stored.checkpoint : null };
}

/** Keeps a run's photos and settings (replacing the session before, and its checkpoint). */
export async function keepSession(session: StoredSession): Promise<void> {
  await put('session', session, `keep the ${session.photos.length} photos of '${session.part}' for resuming`);
  await (await open()).delete('checkpoint', KEY);
}

export async function keepCheckpoint(runId: string, checkpoint: TrainingCheckpoint): Promise<void> {
  await put('checkpoint', { runId, checkpoint }, `keep the checkpoint of epoch ${checkpoint.epoch}`);
}

/** Records the taught model in the session; the checkpoint has served. */
export async function keepTaught(session: StoredSession, taught: TaughtPart): Promise<void> {
  await put('session', { ...session, taught }, `keep the taught model '${session.part}'`);
  await (await open()).delete('checkpoint', KEY);
}

export async function dropSession(): Promise<void> {
  const db = await open();
  await Promise.all([db.delete('session', KEY), db.delete('checkpoint', KEY)]);
}
