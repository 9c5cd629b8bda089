/** File writing for the CLI. */
import { renameSync, rmSync, writeFileSync } from 'node:fs';

/**
 * Writes next to the target and renames, so a full disk or a crash never leaves a half-written file
 * under the final name, and the previous version survives a failed write.
 */
export function writeAtomic(file: string, data: Uint8Array | string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    if ((e as NodeJS.ErrnoException).code === 'ENOSPC') throw new Error(`disk full while writing ${file}; the previous file (if any) is untouched`);
    throw e;
  }
}
