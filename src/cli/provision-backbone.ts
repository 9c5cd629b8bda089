/**
 * Provisioning the backbone on disk (Node only): find or download the pinned TFLite file, check its
 * sha256, import it (src/engine/backbone/provision.ts) and write backbone.onnx + manifest.json; and the
 * checks of an import against the reference classifier's labels.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { BackboneManifest, LoadedBackbone } from '../engine/backbone/manifest';
import { decodeImage } from '../engine/image/decode-node';
import { compose, extractSubgraph, type Graph } from '../engine/onnx/graph';
import { serializeModel } from '../engine/onnx/serialize';
import { buildPreprocessGraph, preprocessFeeds } from '../engine/patchflow/preprocess';
import { runSession, type Runtime } from '../engine/runtime';
import {
  BACKBONE_MANIFEST, CONVERTER, MOBILENET_V2, MOBILENET_V2_VARIANTS, buildMobileNetV2Backbone, openBackbone, type BackboneVariant,
} from '../engine/backbone/provision';
import { writeAtomic } from './files';
import { repoRoot, sharedDir } from './paths';

export interface ProvisionOptions {
  /** Folder holding the .tflite; default <shared>/models/mobilenet_v2. Without the file there, it is downloaded. */
  sourceDir?: string;
  /** Where backbone.onnx and manifest.json go. */
  outDir: string;
  /** Which import of the file (default 'float', the app's). */
  variant?: BackboneVariant;
  fetchImpl?: typeof fetch;
  log?: (message: string) => void;
}

/** <shared>/models/mobilenet_v2: the TFLite file, its ImageNet labels and reference photos. */
export function defaultSourceDir(): string {
  return path.join(sharedDir(), 'models', 'mobilenet_v2');
}

/**
 * The float backbone goes to public/models/backbones/mobilenet_v2, served to the browser as is; the int8
 * one, an experiment for now, to .cache/ (public/ is precached by the service worker, .onnx and all).
 */
export function defaultBackboneDir(variant: BackboneVariant = 'float'): string {
  return variant === 'float'
    ? path.join(repoRoot(), 'public', 'models', 'backbones', 'mobilenet_v2')
    : path.join(repoRoot(), '.cache', 'backbones', `mobilenet_v2_${variant}`);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The manifest in `dir` when it was written as `variant` from the pinned source by this converter and its ONNX file is intact. */
function upToDate(dir: string, variant: BackboneVariant): BackboneManifest | null {
  const file = path.join(dir, BACKBONE_MANIFEST);
  if (!existsSync(file)) return null;
  try {
    const m = JSON.parse(readFileSync(file, 'utf8')) as BackboneManifest;
    const current = m.id === MOBILENET_V2_VARIANTS[variant].id && m.source?.sha256 === MOBILENET_V2.sha256 && m.converter === CONVERTER;
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
  const variant = options.variant ?? 'float';
  const existing = upToDate(dir, variant);
  if (existing) return { dir, manifest: existing, built: false };

  const sourceDir = options.sourceDir ?? defaultSourceDir();
  const tflite = await readSource(sourceDir, options.fetchImpl ?? fetch, log);
  log(`importing ${MOBILENET_V2.file} (${variant}) → ${dir}`);
  const { onnxBytes, manifest } = await buildMobileNetV2Backbone(tflite, variant);
  mkdirSync(dir, { recursive: true });
  writeAtomic(path.join(dir, manifest.file), onnxBytes);
  writeAtomic(path.join(dir, BACKBONE_MANIFEST), JSON.stringify(manifest, null, 2) + '\n'); // last: it marks the pair complete
  return { dir, manifest, built: true };
}

/** The CLI's `setup`: the backbone in its default folder (or `outDir`), made if needed. */
export async function ensureBackbone(options: Partial<ProvisionOptions> = {}): Promise<{ dir: string; manifest: BackboneManifest }> {
  const { dir, manifest } = await provisionBackbone({ ...options, outDir: options.outDir ?? defaultBackboneDir(options.variant) });
  return { dir, manifest };
}

/** Reads a provisioned backbone folder (manifest.json + its ONNX file), checking the file against the manifest. */
export async function loadBackbone(dir: string): Promise<LoadedBackbone> {
  const manifestFile = path.join(dir, BACKBONE_MANIFEST);
  if (!existsSync(manifestFile)) throw new Error(`no backbone in ${dir} (missing ${BACKBONE_MANIFEST}); run \`npm run setup\``);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BackboneManifest;
  return openBackbone(manifest, new Uint8Array(readFileSync(path.join(dir, manifest.file))), manifestFile);
}

/** The photos beside the TFLite file (test-images/) and the ImageNet label the reference classifier gives each. */
export const REFERENCE_LABELS: Record<string, string> = { cat: 'Egyptian cat', bird: 'chickadee', grace_hopper: 'military uniform', dragonfly: 'dragonfly' };

/**
 * Top-1 ImageNet label of each reference photo through the classifier output `logits` of `graph`, behind
 * the preprocess graph at 224 px with the whole photo squashed to 224², as the reference (Coral)
 * classifier feeds it. An import that reproduces REFERENCE_LABELS computes what the TFLite file does.
 */
const CLASSIFIER_INPUT = { width: 224, height: 224 };

export async function classifyReferencePhotos(
  runtime: Runtime,
  graph: Graph,
  logits: string,
  input: Pick<BackboneManifest['input'], 'scale' | 'offset'>,
  sourceDir = defaultSourceDir(),
): Promise<Record<string, string>> {
  const labels = readFileSync(path.join(sourceDir, 'imagenet_labels.txt'), 'utf8').trimEnd().split('\n');
  const pre = buildPreprocessGraph({ input: CLASSIFIER_INPUT, centerCrop: null, scale: input.scale, offset: input.offset });
  const session = await runtime.createSession(serializeModel(compose(pre, extractSubgraph(graph, [logits]), { image: 'image' }, { prefix: '' })));
  const top1: Record<string, string> = {};
  try {
    for (const name of Object.keys(REFERENCE_LABELS)) {
      const image = await decodeImage(new Uint8Array(readFileSync(path.join(sourceDir, 'test-images', `${name}.png`))), name, 224);
      const out = (await runSession(runtime, session, preprocessFeeds(image, { input: CLASSIFIER_INPUT, centerCrop: null, stretch: true })))[logits];
      // 1001 logits, index 0 = background, as the label file
      if (out.dims.join() !== [1, labels.length].join()) throw new Error(`classifier output '${logits}' is [${out.dims}], expected [1,${labels.length}]`);
      const l = out.data as Float32Array;
      top1[name] = labels[l.indexOf(Math.max(...l))].split(',')[0];
    }
  } finally {
    await session.release();
  }
  return top1;
}

/** ‖a − b‖ / ‖b‖ over every element: how far one import's output lies from another's. */
export function relativeDifference(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < b.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return Math.sqrt(d / n);
}
