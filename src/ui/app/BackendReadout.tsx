/** What the chosen part model runs on (WebGPU or WASM, and why not WebGPU), its loading, its load error. */
import { useCurrentPart } from '../library/current-part';
import type { Backend } from '../../../workers/inspector-api';

const BACKEND_NAMES: Record<Backend, string> = { webgpu: 'WebGPU', wasm: 'WASM' };

export function BackendReadout() {
  const { pkg, loaded, loading, error } = useCurrentPart();
  // the worker may still hold a model whose choice was cleared: only a chosen one counts
  const running = !loading && pkg && loaded ? loaded : null;
  return (
    <div className="backend-readout">
      <div role="status" data-testid="backend" data-backend={running?.backend} data-part={running ? pkg?.manifest.part : undefined} title={running ? `loaded in ${running.loadSeconds.toFixed(1)} s` : undefined}>
        {loading ? (
          'loading part model…'
        ) : running ? (
          <>
            runs on <strong>{BACKEND_NAMES[running.backend]}</strong>
            {running.backendNote && <span className="backend-note">{running.backendNote}</span>}
          </>
        ) : (
          'no part model loaded'
        )}
      </div>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </div>
  );
}
