/**
 * The library's operations: list, import, delete. The list is a react-query query (key PARTS_QUERY_KEY)
 * that every change invalidates; the current choice follows a deleted model.
 */
import { useQuery } from '@tanstack/react-query';
import type { PartPackageData } from '../../../workers/inspector-api';
import { queryClient } from '../app/query-client';
import { inspector } from '../inspector-client';
import { useCurrentPart } from './current-part';
import { groupImportFiles, importFailure, mergeLibrary, type LibraryEntry } from './entries';
import { loadShippedParts, type ShippedLoad } from './shipped';
import { deleteStoredPart, listStoredParts, saveStoredPart, type StoredPart, type StoredSource } from './storage';
import { errorMessage } from './storage-errors';

export const PARTS_QUERY_KEY = ['parts'] as const;

export interface Library {
  entries: LibraryEntry[];
  /** What could not be read (a shipped model, the browser's storage); the rest of the library is still there. */
  problems: string[];
}

/** Lists shipped and stored models; a part that cannot be read becomes a problem line, not a failed list. */
async function listLibrary(): Promise<Library> {
  const problems: string[] = [];
  const noting = <T>(fallback: T) => (e: unknown) => {
    problems.push(errorMessage(e));
    return fallback;
  };
  const [shipped, stored] = await Promise.all([
    loadShippedParts().catch(noting<ShippedLoad>({ parts: [], problems: [] })),
    listStoredParts().catch(noting<StoredPart[]>([])),
  ]);
  return { entries: mergeLibrary(shipped.parts, stored), problems: [...problems, ...shipped.problems] };
}

export function useLibrary() {
  return useQuery({ queryKey: PARTS_QUERY_KEY, queryFn: listLibrary });
}

export function invalidateLibrary(): Promise<void> {
  return queryClient.invalidateQueries({ queryKey: PARTS_QUERY_KEY });
}

/** How a model with this id is stored: as an edit of a shipped model, or as an import of its own. */
export async function storedSourceFor(id: string): Promise<StoredSource> {
  const shipped = await loadShippedParts().catch(() => null);
  return shipped?.parts.some((p) => p.pkg.id === id) ? 'shipped-edited' : 'imported';
}

/** Stores a part model taught in this browser; throws a readable error (storage full) and then has changed nothing. */
export async function storeTaughtPart(pkg: PartPackageData): Promise<void> {
  await saveStoredPart({ ...pkg, source: 'taught' });
  await invalidateLibrary();
}

export interface ImportOutcome {
  imported: PartPackageData[];
  /** One line per package that was not imported, naming its files. */
  failures: string[];
}

/** Reads, checks and stores each package among the chosen files; one that fails leaves the others and the library as they were. */
export async function importPartModels(files: File[]): Promise<ImportOutcome> {
  const outcome: ImportOutcome = { imported: [], failures: [] };
  for (const group of groupImportFiles(files)) {
    try {
      const pkg = await inspector.readPackage(group);
      await saveStoredPart({ ...pkg, source: await storedSourceFor(pkg.id) });
      outcome.imported.push(pkg);
    } catch (e) {
      outcome.failures.push(importFailure(group, errorMessage(e)));
    }
  }
  if (outcome.imported.length) await invalidateLibrary();
  return outcome;
}

/**
 * Deletes a stored model. An edited shipped model reverts to the shipped one (still chosen if it was:
 * same head, so the worker's session stands); a deleted current model is no longer chosen.
 */
export async function deletePartModel(entry: LibraryEntry): Promise<void> {
  await deleteStoredPart(entry.pkg.id);
  const current = useCurrentPart.getState();
  if (current.pkg?.id === entry.pkg.id) {
    const shipped = entry.revertsToShipped ? (await loadShippedParts()).parts.find((p) => p.pkg.id === entry.pkg.id) : undefined;
    if (shipped) useCurrentPart.setState({ pkg: shipped.pkg });
    else current.clear();
  }
  await invalidateLibrary();
}
