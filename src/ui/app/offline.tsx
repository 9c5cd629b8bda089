/**
 * The service worker (vite-plugin-pwa): registered after the first render; `ready` turns true once the
 * app shell, the ORT runtime, the backbone and the shipped part models are cached for offline use.
 */
import { create } from 'zustand';
import { registerSW } from 'virtual:pwa-register';

export const useOffline = create<{ ready: boolean; error: string | null }>(() => ({ ready: false, error: null }));

export function registerOffline(): void {
  if (!('serviceWorker' in navigator)) return;
  registerSW({
    immediate: true,
    onOfflineReady: () => useOffline.setState({ ready: true }),
    onRegisteredSW: (_url, registration) => {
      // an already cached app reports ready at once: a controlling worker means the precache is complete
      if (registration?.active && navigator.serviceWorker.controller) useOffline.setState({ ready: true });
    },
    onRegisterError: (e: Error) => useOffline.setState({ error: `offline use unavailable: ${e.message}` }),
  });
}

export function OfflineReadout() {
  const { ready, error } = useOffline();
  if (error) return <span className="offline-readout" title={error}>online only</span>;
  return (
    <span className="offline-readout" data-testid="offline-ready" data-ready={ready ? 'true' : 'false'}>
      {ready ? 'ready offline' : 'caching for offline…'}
    </span>
  );
}
