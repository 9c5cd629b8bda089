/**
 * The library as a list: shipped and stored models merged, the model to start with, how the chooser
 * names them, how chosen files make up packages. Pure, so it is tested without a browser.
 */
import type { PartPackageData } from '../../../workers/inspector-api';
import type { StoredPart, StoredSource } from './storage';

export type PartSource = 'shipped' | StoredSource;

export interface ShippedPart {
  pkg: PartPackageData;
  description: string;
}

export interface LibraryEntry {
  pkg: PartPackageData;
  source: PartSource;
  /** The shipped index's description (shipped models and their edits), else null. */
  description: string | null;
  /** When it was stored; null for a shipped model as shipped. */
  addedAt: string | null;
  /** An edit of a shipped model that deleting reverts to the shipped one. */
  revertsToShipped: boolean;
}

/**
 * Shipped models in their index order, each replaced by a stored model with its id (an edited
 * threshold), then the other stored models in the order they were added.
 */
export function mergeLibrary(shipped: ShippedPart[], stored: StoredPart[]): LibraryEntry[] {
  const storedById = new Map(stored.map((s) => [s.id, s]));
  const shippedIds = new Set(shipped.map((s) => s.pkg.id));
  const fromStore = (s: StoredPart, overrides?: ShippedPart): LibraryEntry => ({
    pkg: { id: s.id, manifest: s.manifest, head: s.head },
    source: s.source,
    description: overrides?.description ?? null,
    addedAt: s.addedAt,
    revertsToShipped: overrides !== undefined,
  });
  return [
    ...shipped.map((s): LibraryEntry => {
      const edit = storedById.get(s.pkg.id);
      return edit ? fromStore(edit, s) : { pkg: s.pkg, source: 'shipped', description: s.description, addedAt: null, revertsToShipped: false };
    }),
    ...stored
      .filter((s) => !shippedIds.has(s.id))
      .sort((a, b) => a.addedAt.localeCompare(b.addedAt))
      .map((s) => fromStore(s)),
  ];
}

/** The model to load at start: the one chosen last time if it is still there, else the first. */
export function startupChoice(entries: LibraryEntry[], rememberedId: string | null): LibraryEntry | undefined {
  return entries.find((e) => e.pkg.id === rememberedId) ?? entries[0];
}

/** Chooser labels: the part's name, with its head's short hash where two models share a name. */
export function chooserLabels(entries: LibraryEntry[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const e of entries) count.set(e.pkg.manifest.part, (count.get(e.pkg.manifest.part) ?? 0) + 1);
  return new Map(
    entries.map((e) => {
      const part = e.pkg.manifest.part;
      const hash = e.pkg.id.slice(e.pkg.id.lastIndexOf('@') + 1);
      return [e.pkg.id, count.get(part)! > 1 ? `${part} (${hash})` : part];
    }),
  );
}

/** Chosen files as packages: every .zip is one; the loose files (manifest.json + head.onnx) make one more. */
export function groupImportFiles<F extends { name: string }>(files: F[]): F[][] {
  const isZip = (f: F) => f.name.toLowerCase().endsWith('.zip');
  const loose = files.filter((f) => !isZip(f));
  return [...files.filter(isZip).map((f) => [f]), ...(loose.length ? [loose] : [])];
}

/** An import failure that names its files (the package reader names them in most of its messages). */
export function importFailure(files: { name: string }[], message: string): string {
  const names = files.map((f) => f.name).join(' + ');
  return message.startsWith(names) ? message : `${names}: ${message}`;
}
