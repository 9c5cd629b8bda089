/**
 * Part models on disk: `<dir>/manifest.json` + `<dir>/head.onnx`, and the same two as one package,
 * `<dir>/<part>.zip`, for the app's library. Written atomically.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeAtomic } from './files';
import { sha256Hex } from '../engine/backbone/provision';
import type { TrainedModel } from '../engine/train/trainer';
import { validateManifest, type PartManifest } from '../engine/patchflow/manifest';
import { packPartPackage } from '../engine/patchflow/part-package';

/** Writes the model's files and its package; returns the package's path. */
export async function saveModel(dir: string, model: TrainedModel): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const manifest: PartManifest = { ...model.manifest, headSha256: await sha256Hex(model.head) };
  const zip = path.join(dir, `${packageName(manifest.part)}.zip`);
  writeAtomic(path.join(dir, manifest.head), model.head);
  writeAtomic(path.join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeAtomic(zip, packPartPackage(manifest, model.head));
  return zip;
}

/** A file name for a part's package: the part's name with anything but letters, digits, '.', '_' and '-' as '_'. */
export const packageName = (part: string) => part.replace(/[^\w.-]+/g, '_') || 'part';

export function readModel(dir: string): { manifest: PartManifest; head: Uint8Array } {
  const manifestPath = path.join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read part model manifest ${manifestPath}: ${(e as Error).message}`);
  }
  const manifest = validateManifest(raw, manifestPath);
  const headPath = path.join(dir, manifest.head);
  try {
    return { manifest, head: new Uint8Array(readFileSync(headPath)) };
  } catch (e) {
    throw new Error(`cannot read part model head ${headPath}: ${(e as Error).message}`);
  }
}
