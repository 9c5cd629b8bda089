/**
 * The Live view, for a tablet on the line: the camera's picture with the latest heat map over it, a
 * verdict that does not flicker, how well inspection keeps up, and one-tap capture into the Inspect
 * results. Camera trouble gets a message and a way to try again; the rest of the app carries on.
 */
import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useSection } from '../app/navigation';
import { ColourLegend } from '../components/ColourLegend';
import { heatScale } from '../components/colour-map';
import { useCurrentPart } from '../library/current-part';
import { useLibrary } from '../library/library';
import { RESOLUTIONS, type ResolutionId } from './camera';
import { LiveReadouts } from './LiveReadouts';
import { sampleCameraFps, setLiveModel, setLiveViewShown, useLive, type LiveState } from './live-session';
import { LiveStage } from './LiveStage';
import { StationPanel } from './StationPanel';
import { usePartStation, useStation } from './station-settings';
import { VerdictBanner } from './VerdictBanner';
import './live.css';

/** What the view shows around the picture (not the per-frame figures: those re-render only their readouts). */
const notices = ({ phase, problem, paused, frameError, liveModelError, captureNote, turnedNote }: LiveState) => ({ phase, problem, paused, frameError, liveModelError, captureNote, turnedNote });

export function LiveView() {
  const chosen = useCurrentPart((s) => s.pkg);
  const loading = useCurrentPart((s) => s.loading);
  const part = chosen?.manifest.part ?? null;
  const { roi, liveModelId } = usePartStation(part);
  const setPart = useStation((s) => s.setPart);
  const { phase, problem, paused, frameError, liveModelError, captureNote, turnedNote } = useLive(useShallow(notices));
  const inspectedPixelThreshold = useLive((s) => s.latest?.thresholds.pixel ?? null);
  const hasFrame = useLive((s) => s.latest !== null);
  const [drawing, setDrawing] = useState(false);
  const shown = useSection() === 'live';
  const library = useLibrary();

  // the part's live model (from the station settings) while one is set and still in the library
  const liveModel = library.data?.entries.find((e) => e.pkg.id === liveModelId && e.pkg.manifest.part === part)?.pkg ?? null;
  useEffect(() => setLiveModel(liveModel), [liveModel]);
  useEffect(() => setLiveViewShown(shown), [shown]);
  useEffect(() => {
    void useLive.getState().refreshCameras();
    const timer = setInterval(sampleCameraFps, 1000);
    return () => clearInterval(timer);
  }, []);

  const blocked = loading ? 'Loading the part model…' : chosen === null ? 'No part model loaded: choose one in the Part list or the Library.' : null;
  const streaming = phase === 'streaming';
  const { start, stop, capture } = useLive.getState();
  const pixelThreshold = inspectedPixelThreshold ?? chosen?.manifest.thresholds.pixel;
  const scale = pixelThreshold === undefined ? null : heatScale(pixelThreshold);

  return (
    <section className="live-view dark-panel">
      <div className="live-toolbar">
        <CameraChoice disabled={phase !== 'off'} />
        {phase === 'off' ? (
          <button type="button" className="primary" onClick={() => void start()} disabled={blocked !== null}>
            Start camera
          </button>
        ) : (
          <button type="button" onClick={stop}>
            Stop camera
          </button>
        )}
        <button type="button" className="live-capture" onClick={() => void capture()} disabled={!hasFrame}>
          Capture
        </button>
        <button type="button" aria-pressed={drawing} onClick={() => setDrawing(!drawing)} disabled={part === null}>
          Draw region
        </button>
        <button type="button" onClick={() => part && setPart(part, { roi: null })} disabled={part === null || roi === null}>
          Whole picture
        </button>
        {blocked && <span className="live-blocked">{blocked}</span>}
      </div>
      {problem && (
        <div className="live-problem" role="alert">
          <p>{problem}</p>
          <button type="button" onClick={() => void start()} disabled={blocked !== null}>
            Try again
          </button>
        </div>
      )}
      {[paused && streaming ? paused : null, frameError && `The last frame could not be inspected: ${frameError}`, liveModelError, turnedNote, captureNote].map(
        (note) =>
          note && (
            <p key={note} className="live-notice" role="status">
              {note}
            </p>
          ),
      )}
      {drawing && <p className="live-notice">Drag over the picture to frame the part; only that region is inspected.</p>}
      <div className="live-main">
        <div className="live-picture">
          <VerdictBanner />
          <LiveStage
            roi={roi}
            drawing={drawing}
            onDrawn={(drawn) => {
              if (part) setPart(part, { roi: drawn });
              setDrawing(false);
              useLive.setState({ turnedNote: null });
            }}
          />
        </div>
        <aside className="live-side">
          <LiveReadouts />
          <StationPanel chosen={chosen} />
          {scale && <ColourLegend scale={scale} />}
        </aside>
      </div>
    </section>
  );
}

/** Which camera and at what resolution; chosen before starting, kept in the station settings. */
function CameraChoice({ disabled }: { disabled: boolean }) {
  const cameras = useLive((s) => s.cameras);
  const { cameraId, resolution, set } = useStation();
  const cameraField = useId();
  const resolutionField = useId();
  const known = cameraId === null || cameras.some((c) => c.deviceId === cameraId);
  return (
    <>
      <label htmlFor={cameraField}>Camera</label>
      <select id={cameraField} value={cameraId ?? ''} disabled={disabled} onChange={(e) => set({ cameraId: e.target.value || null })}>
        <option value="">{cameras.length ? 'default camera' : 'no camera found'}</option>
        {cameras
          .filter((c) => c.deviceId)
          .map((c) => (
            <option key={c.deviceId} value={c.deviceId}>
              {c.label}
            </option>
          ))}
        {!known && <option value={cameraId}>the camera chosen before (not connected)</option>}
      </select>
      <label htmlFor={resolutionField}>Resolution</label>
      <select id={resolutionField} value={resolution} disabled={disabled} onChange={(e) => set({ resolution: e.target.value as ResolutionId })}>
        {RESOLUTIONS.map((r) => (
          <option key={r.id} value={r.id}>
            {r.label}
          </option>
        ))}
      </select>
    </>
  );
}
