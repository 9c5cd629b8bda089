/**
 * The part models shipped with the app (`npm run setup` builds them into public/models/parts/). Each
 * is fetched and checked by the worker like an import, once per page; they are never copied into the
 * browser's storage.
 */
import type { ShippedParts } from '../../../workers/inspector-api';
import { inspector } from '../inspector-client';
import type { ShippedPart } from './entries';
import { errorMessage } from './storage-errors';

const PARTS_DIR = `${import.meta.env.BASE_URL}models/parts/`;

export interface ShippedLoad {
  parts: ShippedPart[];
  /** Shipped models that could not be read, one line each. */
  problems: string[];
}

/**
 * Fetches a shipped file, or null where there is none. Asking for the file's own type keeps the dev
 * server from answering a missing file with its index.html.
 */
async function fetchShipped(url: string, accept: string): Promise<Response | null> {
  const res = await fetch(url, { headers: { Accept: accept }, cache: 'no-store' }); // the service worker keeps the copy
  if (res.status === 404 || res.headers.get('content-type')?.startsWith('text/html')) return null;
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res;
}

async function readShippedPart(entry: ShippedParts['parts'][number]): Promise<ShippedPart> {
  const res = await fetchShipped(PARTS_DIR + entry.file, 'application/zip, application/octet-stream');
  if (!res) throw new Error(`${entry.file}: listed in models/parts/index.json but missing; run npm run setup again`);
  const pkg = await inspector.readPackage([new File([await res.blob()], entry.file)]);
  return { pkg, description: entry.description };
}

async function fetchShippedParts(): Promise<ShippedLoad> {
  const res = await fetchShipped(`${PARTS_DIR}index.json`, 'application/json');
  if (!res) return { parts: [], problems: [] }; // no demo models were built
  const index = (await res.json()) as ShippedParts;
  const read = await Promise.allSettled(index.parts.map(readShippedPart));
  return {
    parts: read.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : [])),
    problems: read.flatMap((r, i) => (r.status === 'rejected' ? [`shipped part model '${index.parts[i].part}': ${errorMessage(r.reason)}`] : [])),
  };
}

let shipped: Promise<ShippedLoad> | undefined;

/** The shipped models, read once per page (a failure to read the index is tried again next time). */
export function loadShippedParts(): Promise<ShippedLoad> {
  shipped ??= fetchShippedParts().catch((e: unknown) => {
    shipped = undefined;
    throw new Error(`the shipped part models could not be listed: ${errorMessage(e)}`);
  });
  return shipped;
}
