/**
 * Provisioning the backbone on disk (Node only): find or download the pinned TFLite file, check its
 * sha256, import it (src/engine/backbone/provision.ts) and write backbone.onnx + manifest.json.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BackboneManifest, LoadedBackbone } from '../engine/backbone/manifest';
import { BACKBONE_MANIFEST, CONVERTER, MOBILENET_V2, buildMobileNetV2Backbone, openBackbone } from '../engine/backbone/provision';
import { writeAtomic } from './files';
import { repoRoot, sharedDir } from './paths';

export interface ProvisionOptions {
  /** Folder holding the .tflite; default <shared>/models/mobilenet_v2. Without the file there, it is downloaded. */
  sourceDir?: string;
  /** Where backbone.onnx and manifest.json go. */
  outDir: string;
  fetchImpl?: typeof fetch;
  log?: (message: string) => void;
}

/** public/models/backbones/mobilenet_v2: served to the browser as is. */
export function defaultBackboneDir(): string {
  return path.join(repoRoot(), 'public', 'models', 'backbones', 'mobilenet_v2');
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The manifest in `dir` when it was written from the pinned source by this converter and its ONNX file is intact. */
function upToDate(dir: string): BackboneManifest | null {
  const file = path.join(dir, BACKBONE_MANIFEST);
  if (!existsSync(file)) return null;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as BackboneManifest;
    const current = m.id === MOBILENET_V2.id && m.source?.sha256 === MOBILENET_V2.sha256 && m.converter === CONVERTER;
    return current && sha256(readFileSync(path.join(dir, m.file))) === m.sha256 ? m : null;
  } catch {
    return null; // unreadable manifest or missing ONNX file: rebuild
  }
}

async function readSource(sourceDir: string, fetchImpl: typeof fetch, log: (m: string) => void): Promise<Uint8Array> {
  const local = path.join(sourceDir, MOBILENET_V2.file);
  let bytes: Uint8Array;
  let origin: string;
  if (existsSync(local)) {
    bytes = new Uint8Array(readFileSync(local));
    origin = local;
  } else {
    log(`${local} not found; downloading ${MOBILENET_V2.url}`);
    let res: Response;
    try {
      res = await fetchImpl(MOBILENET_V2.url);
    } catch (e) {
      throw new Error(`cannot download ${MOBILENET_V2.url} (${(e as Error).message}); put ${MOBILENET_V2.file} in ${sourceDir} or set PATCHFLOW_SHARED`);
    }
    if (!res.ok) throw new Error(`downloading ${MOBILENET_V2.url} failed: HTTP ${res.status} ${res.statusText}`);
    bytes = new Uint8Array(await res.arrayBuffer());
    origin = MOBILENET_V2.url;
  }
  const actual = sha256(bytes);
  if (actual !== MOBILENET_V2.sha256) {
    throw new Error(
      `${origin} is not the pinned MobileNetV2 file: sha256 ${actual}, expected ${MOBILENET_V2.sha256} (${bytes.length} bytes). ` +
        'Refusing to import it; replace it with the original from google-coral/test_data.',
    );
  }
  return bytes;
}

/** Makes backbone.onnx + manifest.json in `outDir` unless an up-to-date pair is already there. */
export async function provisionBackbone(options: ProvisionOptions): Promise<{ dir: string; manifest: BackboneManifest; built: boolean }> {
  const dir = path.resolve(options.outDir);
  const log = options.log ?? ((m: string) => console.log(m));
  const existing = upToDate(dir);
  if (existing) return { dir, manifest: existing, built: false };

  const sourceDir = options.sourceDir ?? path.join(sharedDir(), 'models', 'mobilenet_v2');
  const tflite = await readSource(sourceDir, options.fetchImpl ?? fetch, log);
  log(`importing ${MOBILENET_V2.file} → ${dir}`);
  const { onnxBytes, manifest } = await buildMobileNetV2Backbone(tflite);
  mkdirSync(dir, { recursive: true });
  writeAtomic(path.join(dir, manifest.file), onnxBytes);
  writeAtomic(path.join(dir, BACKBONE_MANIFEST), JSON.stringify(manifest, null, 2) + '\n'); // last: it marks the pair complete
  return { dir, manifest, built: true };
}

/** The CLI's `setup`: the backbone in public/models/backbones/mobilenet_v2 (or `outDir`), made if needed. */
export async function ensureBackbone(options: Partial<ProvisionOptions> = {}): Promise<{ dir: string; manifest: BackboneManifest }> {
  const { dir, manifest } = await provisionBackbone({ ...options, outDir: options.outDir ?? defaultBackboneDir() });
  return { dir, manifest };
}

/** Reads a provisioned backbone folder (manifest.json + its ONNX file), checking the file against the manifest. */
export async function loadBackbone(dir: string): Promise<LoadedBackbone> {
  const manifestFile = path.join(dir, BACKBONE_MANIFEST);
  if (!existsSync(manifestFile)) throw new Error(`no backbone in ${dir} (missing ${BACKBONE_MANIFEST}); run \`npm run setup\``);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BackboneManifest;
  return openBackbone(manifest, new Uint8Array(readFileSync(path.join(dir, manifest.file))), manifestFile);
}
