/** Part models on disk: `<dir>/manifest.json` + `<dir>/head.onnx`, written atomically. */
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeAtomic } from './files';
import type { TrainedModel } from '../engine/train/trainer';
import { validateManifest, type PartManifest } from '../engine/patchflow/manifest';

export function saveModel(dir: string, model: TrainedModel): void {
  mkdirSync(dir, { recursive: true });
  writeAtomic(path.join(dir, model.manifest.head), model.head);
  writeAtomic(path.join(dir, 'manifest.json'), `${JSON.stringify(model.manifest, null, 2)}\n`);
}

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
