/**
 * The end of teaching: the taught part with the threshold chosen, saved to the library (and put in use,
 * so the Inspect view inspects with it) or exported as a package the command line's `eval` reads.
 */
import type { PartPackageData } from '../../../workers/inspector-api';
import { download } from '../inspect/download';
import { useCurrentPart } from '../library/current-part';
import { storeTaughtPart } from '../library/library';
import { errorMessage } from '../library/storage-errors';
import { operatingScores, ratesAt, withOperatingPoint } from './operating-point';
import { forgetRun } from './teach-run';
import { useTeach } from './teach-store';

/** The taught part's package with the threshold being tried (if any) written into its manifest. */
function chosenPackage(): PartPackageData {
  const { taught, threshold, checks } = useTeach.getState();
  if (!taught) throw new Error('no part has been taught yet');
  if (threshold === null) return taught.pkg;
  const { good, defect } = operatingScores(checks);
  return { ...taught.pkg, manifest: withOperatingPoint(taught.pkg.manifest, threshold, ratesAt(threshold, good, defect)) };
}

/** Saves the part to the library and puts it in use; on failure (storage full) nothing is lost and the view says so. */
export async function saveTaught(): Promise<boolean> {
  const { setNotice } = useTeach.getState();
  let pkg: PartPackageData;
  try {
    pkg = chosenPackage();
    await storeTaughtPart(pkg);
  } catch (e) {
    setNotice({ text: `Not saved: ${errorMessage(e)} The taught part is still here: export it as a package, or free space and save again.`, tone: 'error' });
    return false;
  }
  forgetRun();
  setNotice({ text: `Saved '${pkg.manifest.part}' to the library; it is now the part model in use (Inspect, Live).`, tone: 'note' });
  await useCurrentPart.getState().choose(pkg);
  return true;
}

/** Downloads the part as `<part>.zip` (manifest.json + head.onnx), which `npm run eval -- --model` reads. */
export async function exportTaught(): Promise<void> {
  const pkg = chosenPackage();
  // the package writer comes with the engine's zip code: loaded on the first export only
  const { packPartPackage } = await import('../../engine/patchflow/part-package');
  download(new Blob([packPartPackage(pkg.manifest, pkg.head) as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), `${pkg.manifest.part.replace(/[^\w.-]+/g, '_') || 'part'}.zip`);
}
