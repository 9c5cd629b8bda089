/** Where things live on disk for the Node side (CLI, tests). */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is <root>/src/cli/paths.ts). */
export function repoRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
}

/** The shared data folder beside the project: $PATCHFLOW_SHARED, else <root>/../shared. */
export function sharedDir(): string {
  const env = process.env.PATCHFLOW_SHARED;
  return env ? path.resolve(env) : path.resolve(repoRoot(), '..', 'shared');
}
