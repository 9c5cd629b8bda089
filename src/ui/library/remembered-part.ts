/**
 * The part model chosen last, kept across reloads (its id in localStorage), and the choice made at start:
 * that one if it is still in the library, else the first model.
 */
import { useCurrentPart } from './current-part';
import { startupChoice, type LibraryEntry } from './entries';

const STORAGE_KEY = 'patchflow-inspect.part';

// localStorage throws where the browser forbids site storage; the app then just does not remember
function readRemembered(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

function writeRemembered(id: string | null): void {
  try {
    if (id) localStorage.setItem(STORAGE_KEY, id);
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    // not remembered: see readRemembered
  }
}

/** Remembers every choice that loaded (and forgets a cleared one); returns the unsubscribe. */
export function rememberChoices(): () => void {
  return useCurrentPart.subscribe((now, before) => {
    if (now.pkg?.id !== before.pkg?.id) writeRemembered(now.pkg?.id ?? null);
  });
}

let startupDone = false;

/** Loads the start-up model once per page, when the library is first listed and nothing is chosen yet. */
export function chooseAtStartup(entries: LibraryEntry[]): void {
  if (startupDone) return;
  startupDone = true;
  const { pkg, loading, choose } = useCurrentPart.getState();
  const pick = startupChoice(entries, readRemembered());
  if (!pkg && !loading && pick) void choose(pick.pkg);
}
