/**
 * The backbone as the app serves it (`public/models/backbones/`, precached for offline use), fetched and
 * checked once per worker.
 */
import type { BackboneManifest, LoadedBackbone } from '../src/engine/backbone/manifest';
import { openBackbone } from '../src/engine/backbone/provision';

const BACKBONE_DIR = `${import.meta.env.BASE_URL}models/backbones/mobilenet_v2/`;

let backbone: Promise<LoadedBackbone> | undefined;

/**
 * Not through the HTTP cache: the service worker keeps its own copy, and Chromium fails a large download
 * (ERR_CACHE_WRITE_FAILURE) when another worker is writing the same cache entry. One retry covers a
 * transient network error.
 */
async function fetchBytes(url: string): Promise<Uint8Array> {
  const res = await fetch(url, { cache: 'no-store' }).catch(() => fetch(url, { cache: 'no-store' }));
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}; is the backbone provisioned (npm run setup)?`);
  return new Uint8Array(await res.arrayBuffer());
}

export function servedBackbone(): Promise<LoadedBackbone> {
  backbone ??= (async () => {
    const manifest = JSON.parse(new TextDecoder().decode(await fetchBytes(`${BACKBONE_DIR}manifest.json`))) as BackboneManifest;
    return openBackbone(manifest, await fetchBytes(BACKBONE_DIR + manifest.file), `${BACKBONE_DIR}manifest.json`);
  })();
  backbone.catch(() => (backbone = undefined)); // a failed fetch is tried again next time
  return backbone;
}
