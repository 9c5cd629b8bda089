/**
 * Keeps the line tablet's screen on while it streams (the Screen Wake Lock API, where the browser has
 * it). The browser releases the lock whenever the tab is hidden; it is taken again when the tab shows.
 */

export type WakeLockState = 'held' | 'unavailable' | 'refused';

/** Holds the screen awake until the returned function is called; `onState` hears how that goes. */
export function keepScreenAwake(onState: (state: WakeLockState) => void): () => void {
  const wakeLock = (navigator as Navigator & { wakeLock?: WakeLock }).wakeLock;
  if (!wakeLock) {
    onState('unavailable');
    return () => undefined;
  }
  let sentinel: WakeLockSentinel | null = null;
  let released = false;
  const request = () => {
    if (released || document.hidden || (sentinel && !sentinel.released)) return;
    wakeLock.request('screen').then(
      (s) => {
        if (released) return void s.release();
        sentinel = s;
        onState('held');
      },
      // refused: no user activation yet, a battery saver, a permissions policy
      () => onState('refused'),
    );
  };
  request();
  document.addEventListener('visibilitychange', request);
  return () => {
    released = true;
    document.removeEventListener('visibilitychange', request);
    void sentinel?.release();
  };
}
