/**
 * The live picture: the camera's video, shown by the browser at the camera's own rate, with a canvas
 * above it that holds the latest heat map over the region it was measured on, and the region of
 * interest, which the operator draws by dragging over the picture.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { RegionLayer } from '../components/RegionLayer';
import { heatScale } from '../components/colour-map';
import { drawHeatLayer, prepareHeatLayer } from '../components/inspection-canvas';
import { fitWithin } from '../components/view-transform';
import { watchFrames } from './frame-loop';
import { notePictureSize, offerFrame, useLive } from './live-session';
import { rescaleRegion, type Roi } from './roi';
import { useStation } from './station-settings';

/** The overlay canvas's longest side: the map is far coarser, and a 4K canvas would cost for nothing. */
const OVERLAY_SIDE = 1280;

interface LiveStageProps {
  roi: Roi | null;
  /** Dragging draws a region (then this is called with it) instead of doing nothing. */
  drawing: boolean;
  onDrawn: (roi: Roi) => void;
}

export function LiveStage({ roi, drawing, onDrawn }: LiveStageProps) {
  const video = useRef<HTMLVideoElement>(null);
  const stream = useLive((s) => s.stream);
  const picture = useLive((s) => s.picture);

  useEffect(() => {
    const v = video.current;
    if (!v || !stream) return;
    v.srcObject = stream;
    const onSize = () => notePictureSize(v.videoWidth, v.videoHeight);
    v.addEventListener('loadedmetadata', onSize);
    v.addEventListener('resize', onSize);
    v.play().catch(() => undefined); // autoplay of a muted stream is allowed; a refusal shows a still picture
    const stopWatching = watchFrames(v, (now) => offerFrame(v, now));
    return () => {
      stopWatching();
      v.removeEventListener('loadedmetadata', onSize);
      v.removeEventListener('resize', onSize);
      v.srcObject = null;
    };
  }, [stream]);

  const size = picture ?? { width: 4, height: 3 };
  return (
    <div className={`live-stage${drawing ? ' drawing' : ''}`} style={{ aspectRatio: `${size.width} / ${size.height}`, maxWidth: `calc(var(--live-max-height) * ${size.width / size.height})` }}>
      <video ref={video} className="live-video" muted playsInline aria-label="Live camera picture" />
      {!stream && <p className="live-stage-idle">Camera off</p>}
      <HeatOverlay canvasSize={fitWithin(size.width, size.height, OVERLAY_SIDE)} />
      <RegionLayer roi={roi} drawing={drawing} onDrawn={onDrawn} label="Region of interest on the live picture" testId="live-roi" />
    </div>
  );
}

/** The latest frame's heat map, drawn over the region it was measured on. */
function HeatOverlay({ canvasSize }: { canvasSize: { width: number; height: number } }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const latest = useLive((s) => s.latest);
  const showHeatMap = useStation((s) => s.showHeatMap);
  const opacity = useStation((s) => s.overlayOpacity);
  const showContour = useStation((s) => s.showContour);
  const showInspectedFrame = useStation((s) => s.showInspectedFrame);
  const [drawn, setDrawn] = useState(false);
  const pixelThreshold = latest?.thresholds.pixel;
  const scale = useMemo(() => (pixelThreshold === undefined ? null : heatScale(pixelThreshold)), [pixelThreshold]);
  const layer = useMemo(() => (latest && scale ? prepareHeatLayer(latest, scale) : null), [latest, scale]);

  useEffect(() => {
    const c = canvas.current;
    if (!c) return;
    if (c.width !== canvasSize.width || c.height !== canvasSize.height) {
      c.width = canvasSize.width;
      c.height = canvasSize.height;
    }
    const ctx = c.getContext('2d')!;
    ctx.clearRect(0, 0, c.width, c.height);
    // a map measured before the picture turned would land on the wrong place
    const fits = latest !== null && latest.frameWidth / latest.frameHeight > 1 === c.width / c.height > 1;
    const show = Boolean(layer && showHeatMap && fits);
    if (fits) {
      const at = rescaleRegion(latest.region, { width: latest.frameWidth, height: latest.frameHeight }, c);
      if (showInspectedFrame) ctx.drawImage(latest.picture, at.x, at.y, at.width, at.height);
      if (show) drawHeatLayer(ctx, layer!, at, opacity, showContour);
    }
    setDrawn(show);
  }, [layer, latest, showHeatMap, opacity, showContour, showInspectedFrame, canvasSize.width, canvasSize.height]);

  const region = latest?.region;
  return (
    <canvas
      ref={canvas}
      className="live-overlay"
      data-testid="live-overlay"
      data-drawn={drawn ? 'true' : undefined}
      data-region={region && `${region.x},${region.y},${region.width},${region.height}`}
      aria-hidden="true"
    />
  );
}
