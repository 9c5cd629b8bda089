/** Where the tests find ../shared (PATCHFLOW_SHARED overrides), and a clear skip when it is absent. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sharedDir } from '../src/cli/paths';

export const SHARED = sharedDir();
export const BOTTLE = path.join(SHARED, 'datasets', 'mvtec_bottle_512');
export const CASTING = path.join(SHARED, 'datasets', 'casting_dev');
export const KOLEKTOR = path.join(SHARED, 'datasets', 'kolektorsdd');

/** True when `dir` exists; otherwise says why the tests that need it are skipped. */
export function haveData(dir: string): boolean {
  const ok = existsSync(dir);
  if (!ok) console.warn(`skipping: ${dir} not found (set PATCHFLOW_SHARED to the folder holding models/ and datasets/)`);
  return ok;
}
