/** How the live inspection keeps up: inspected frames per second, latency, backend, dropped frames. */
import type { ReactNode } from 'react';
import { useLive } from './live-session';

const BACKEND_NAMES = { webgpu: 'WebGPU', wasm: 'WASM' } as const;

interface ReadoutProps {
  id: string;
  label: string;
  /** The figure, for automation (`data-value`). */
  value: number | null;
  /** A second figure (`data-p95`). */
  p95?: number | null;
  /** Another second figure (`data-read`). */
  read?: number | null;
  title?: string;
  children: ReactNode;
}

const attribute = (v: number | null | undefined) => (v === null || v === undefined ? undefined : String(v));

function Readout({ id, label, value, p95, read, title, children }: ReadoutProps) {
  return (
    <div className="live-readout" data-testid={id} data-value={attribute(value)} data-p95={attribute(p95)} data-read={attribute(read)} title={title}>
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
        <Readout id="live-latency" label="Latency p50 / p95" value={readouts.latencyMedian} p95={readouts.latencyP95} title="camera frame to verdict, over the last 100 frames">
          {ms(readouts.latencyMedian)} / {ms(readouts.latencyP95)}
        </Readout>
        <Readout
          id="live-stages"
          label="Of which model / read"
          value={readouts.modelMedian}
          read={readouts.readMedian}
          title="medians of the worker's inference and of reading the frame's pixels; the rest of the latency is waiting and passing frames between threads"
        >
          {ms(readouts.modelMedian)} / {ms(readouts.readMedian)}
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
