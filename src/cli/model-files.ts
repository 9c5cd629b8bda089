/** Part models on disk: `<dir>/manifest.json` + `<dir>/head.onnx`, written atomically. */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TrainedModel } from '../engine/train/trainer';
import { validateManifest, type PartManifest } from '../engine/patchflow/manifest';

/** Writes next to the target and renames, so a full disk or a crash never leaves half a model. */
function writeAtomic(file: string, data: Uint8Array | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOSPC') throw new Error(`disk full while writing ${file}; the previous file (if any) is untouched`);
    throw e;
  }
}

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
