/**
 * Saves the image threshold chosen on the page into the current part model: a new manifest revision,
 * stored in this browser (a shipped model becomes an edited copy that overrides it).
 */
import { useCurrentPart } from './current-part';
import { invalidateLibrary, storedSourceFor } from './library';
import { withImageThreshold } from './part-manifest';
import { saveStoredPart } from './storage';

/** Throws a readable error (no model chosen, storage full) and then has changed nothing. */
export async function saveThreshold(threshold: number): Promise<void> {
  const { pkg } = useCurrentPart.getState();
  if (!pkg) throw new Error('choose a part model before saving a threshold');
  const manifest = withImageThreshold(pkg.manifest, threshold);
  await saveStoredPart({ id: pkg.id, manifest, head: pkg.head, source: await storedSourceFor(pkg.id) });
  // the page judges verdicts at the manifest's threshold, so the worker's session needs no reload
  if (useCurrentPart.getState().pkg?.id === pkg.id) useCurrentPart.setState({ pkg: { ...pkg, manifest } });
  await invalidateLibrary();
}
