/** How the live inspection keeps up: inspected frames per second, latency, backend, dropped frames. */
import type { ReactNode } from 'react';
import { useLive } from './live-session';

const BACKEND_NAMES = { webgpu: 'WebGPU', wasm: 'WASM' } as const;

function Readout({ id, label, value, children, title }: { id: string; label: string; value: number | null; children: ReactNode; title?: string }) {
  return (
    <div className="live-readout" data-testid={id} data-value={value === null ? undefined : String(value)} title={title}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

export function LiveReadouts() {
  const { readouts, inspected, dropped, cameraFps, latest, picture, wakeLock } = useLive();
  const ms = (v: number | null) => (v === null ? '—' : `${v.toFixed(0)} ms`);
  return (
    <section className="live-panel" aria-label="Readouts">
      <h2 className="panel-title">Readouts</h2>
      <dl className="live-readouts">
        <Readout id="live-fps" label="Inspected" value={readouts.fps} title="frames inspected per second over the last 100">
          {readouts.fps.toFixed(1)} fps
        </Readout>
        <Readout id="live-latency" label="Latency p50 / p95" value={readouts.latencyMedian} title="camera frame to verdict, over the last 100 frames">
          {ms(readouts.latencyMedian)} / {ms(readouts.latencyP95)}
        </Readout>
        <Readout id="live-backend" label="Backend" value={null}>
          {latest ? BACKEND_NAMES[latest.backend] : '—'}
        </Readout>
        <Readout id="live-dropped" label="Dropped" value={dropped} title="stale frames replaced by newer ones before the model was free">
          {dropped} of {dropped + inspected}
        </Readout>
        <Readout id="live-camera-fps" label="Camera" value={cameraFps}>
          {picture ? `${picture.width} × ${picture.height}` : '—'} · {cameraFps.toFixed(0)} fps
        </Readout>
        <Readout id="live-inspected" label="Frames inspected" value={inspected}>
          {inspected}
          {latest && ` · model reads ${latest.picture.width} × ${latest.picture.height}`}
        </Readout>
        <Readout id="live-wake-lock" label="Screen" value={null}>
          {wakeLock === 'held' ? 'kept awake' : wakeLock === 'refused' ? 'may sleep (wake lock refused)' : wakeLock === 'unavailable' ? 'may sleep (no wake lock in this browser)' : '—'}
        </Readout>
      </dl>
    </section>
  );
}
