/**
 * A photo with its heat map in one canvas (drawn at the photo's own aspect), with zoom (wheel, buttons),
 * pan (drag) and the map value under the pointer. Zoom and pan move the canvas, never redraw it, so its
 * pixels are always the photo blended with the heat layer at the photo's scale.
 */
import { useEffect, useRef, useState, type PointerEvent } from 'react';
import { drawInspection, type HeatLayer, type HeatMap } from './inspection-canvas';
import { clampPan, FIT, mapIndexAt, MAX_ZOOM, zoomAt, type ViewTransform } from './view-transform';
import './components.css';

interface OverlayCanvasProps {
  /** The decoded photo; null while it decodes. */
  photo: CanvasImageSource | null;
  /** Size to draw at (the photo's, reduced when very large). */
  size: { width: number; height: number };
  /** The map read under the pointer. */
  heatMap: HeatMap;
  /** The layer to draw over the photo; null shows the photo alone. */
  layer: HeatLayer | null;
  opacity: number;
  /** Accessible name of the canvas. */
  label: string;
}

const BUTTON_ZOOM = 1.5;
/** Zoom per wheel pixel: a notch of ~100 px zooms by about 1.2×. */
const WHEEL_ZOOM = 0.0018;
/** From this zoom on, pixels show as blocks: the inspector sees what was measured. */
const PIXELATED_FROM = 4;

interface Reading {
  value: number;
  x: number;
  y: number;
}

export function OverlayCanvas({ photo, size, heatMap, layer, opacity, label }: OverlayCanvasProps) {
  const viewport = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [view, setView] = useState<ViewTransform>(FIT);
  const [drawn, setDrawn] = useState<CanvasImageSource | null>(null);
  const [reading, setReading] = useState<Reading | null>(null);
  const drag = useRef<{ pointer: number; x: number; y: number } | null>(null);

  useEffect(() => {
    if (!canvas.current || !photo) return;
    drawInspection(canvas.current, photo, size, layer, opacity);
    setDrawn(photo);
  }, [photo, size, layer, opacity]);

  // another aspect or size of photo: start from the whole picture again
  useEffect(() => setView(FIT), [size.width, size.height]);

  const zoomBy = (factor: number, px?: number, py?: number) => {
    const el = viewport.current;
    if (!el) return;
    const w = el.clientWidth;
    const h = el.clientHeight;
    setView((v) => zoomAt(v, factor, px ?? w / 2, py ?? h / 2, w, h));
  };

  // the wheel must be a non-passive listener to keep the page from scrolling while zooming
  useEffect(() => {
    const el = viewport.current;
    if (!el) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const box = el.getBoundingClientRect();
      const w = el.clientWidth;
      const h = el.clientHeight;
      setView((v) => zoomAt(v, Math.exp(-e.deltaY * WHEEL_ZOOM), e.clientX - box.left, e.clientY - box.top, w, h));
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, []);

  const read = (e: PointerEvent) => {
    const box = canvas.current!.getBoundingClientRect();
    const fx = (e.clientX - box.left) / box.width;
    const fy = (e.clientY - box.top) / box.height;
    if (fx < 0 || fx > 1 || fy < 0 || fy > 1) return setReading(null);
    const value = heatMap.anomalyMap[mapIndexAt(fx, fy, heatMap.mapWidth, heatMap.mapHeight)];
    setReading({ value, x: Math.floor(fx * size.width), y: Math.floor(fy * size.height) });
  };

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { pointer: e.pointerId, x: e.clientX, y: e.clientY };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    read(e);
    const d = drag.current;
    if (!d || d.pointer !== e.pointerId) return;
    const dx = e.clientX - d.x;
    const dy = e.clientY - d.y;
    drag.current = { ...d, x: e.clientX, y: e.clientY };
    const el = e.currentTarget;
    setView((v) => clampPan({ zoom: v.zoom, x: v.x + dx, y: v.y + dy }, el.clientWidth, el.clientHeight));
  };
  const endDrag = () => (drag.current = null);

  return (
    <div className="overlay-canvas">
      <div className="overlay-canvas-tools">
        <button type="button" aria-label="Zoom out" onClick={() => zoomBy(1 / BUTTON_ZOOM)} disabled={view.zoom <= 1}>
          −
        </button>
        <output aria-label="Zoom">{Math.round(view.zoom * 100)} %</output>
        <button type="button" aria-label="Zoom in" onClick={() => zoomBy(BUTTON_ZOOM)} disabled={view.zoom >= MAX_ZOOM}>
          +
        </button>
        <button type="button" onClick={() => setView(FIT)} disabled={view.zoom === 1}>
          Fit
        </button>
        <output className="overlay-canvas-reading" data-testid="map-value" data-value={reading ? String(reading.value) : undefined}>
          {reading ? `${reading.value.toFixed(2)} σ at ${reading.x}, ${reading.y}` : 'point at the photo to read the map'}
        </output>
      </div>
      <div
        ref={viewport}
        className={`overlay-canvas-viewport${view.zoom > 1 ? ' zoomed' : ''}`}
        style={{ aspectRatio: `${size.width} / ${size.height}`, maxWidth: `calc(var(--overlay-max-height, 70vh) * ${size.width / size.height})` }}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={endDrag}
        onPointerCancel={endDrag}
        onPointerLeave={() => setReading(null)}
      >
        <canvas
          ref={canvas}
          data-testid="overlay"
          data-drawn={photo !== null && drawn === photo ? 'true' : undefined}
          role="img"
          aria-label={label}
          className={view.zoom >= PIXELATED_FROM ? 'pixelated' : undefined}
          style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.zoom})` }}
        />
      </div>
    </div>
  );
}
