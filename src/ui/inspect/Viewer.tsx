/** The selected photo, large: verdict, score, and the heat map over the photo with its controls and key. */
import { useMemo } from 'react';
import type { PhotoResult } from '../../../workers/inspector-api';
import { ColourLegend } from '../components/ColourLegend';
import { heatScale } from '../components/colour-map';
import { MAX_DRAWN_SIDE, prepareHeatLayer } from '../components/inspection-canvas';
import { OverlayCanvas } from '../components/OverlayCanvas';
import { OverlayControls } from '../components/OverlayControls';
import { useDecodedPhoto } from '../components/useDecodedPhoto';
import { fitWithin } from '../components/view-transform';
import { formatScore, verdictOf, type BatchItem } from './batch-item';
import { useBatch } from './batch-store';

interface ViewerProps {
  item: BatchItem | null;
  threshold: number;
  pixelThreshold: number;
  /** Moves the selection by one in the table's order. */
  onStep: (delta: 1 | -1) => void;
}

/** A photo filling less of the model's input than this was letterboxed enough to say so. */
const LETTERBOX_NOTE_BELOW = 0.9;

export function Viewer({ item, threshold, pixelThreshold, onStep }: ViewerProps) {
  const verdict = item && verdictOf(item, threshold);
  return (
    <section className="viewer" data-testid="viewer">
      <div className="viewer-head">
        <button type="button" aria-label="Previous photo" title="Previous (← or k)" onClick={() => onStep(-1)}>
          ◀
        </button>
        <button type="button" aria-label="Next photo" title="Next (→ or j)" onClick={() => onStep(1)}>
          ▶
        </button>
        {item && (
          <>
            <h2 className="viewer-name" title={item.path}>
              {item.name}
            </h2>
            {verdict && <span className={`verdict verdict-big verdict-${verdict}`}>{verdict.toUpperCase()}</span>}
            {item.result && (
              <span className="viewer-score">
                score <strong>{formatScore(item.result.score)}</strong> · reject at ≥ {formatScore(threshold)}
              </span>
            )}
          </>
        )}
      </div>
      {!item && <p className="viewer-empty">Select a result to see its heat map (← → or j k step through them).</p>}
      {item?.status === 'error' && <p className="viewer-error">{item.error}</p>}
      {item?.result && <HeatMapView file={item.file} result={item.result} pixelThreshold={pixelThreshold} />}
    </section>
  );
}

function HeatMapView({ file, result, pixelThreshold }: { file: File; result: PhotoResult; pixelThreshold: number }) {
  const opacity = useBatch((s) => s.overlayOpacity);
  const showHeatMap = useBatch((s) => s.showHeatMap);
  const setOverlayOpacity = useBatch((s) => s.setOverlayOpacity);
  const setShowHeatMap = useBatch((s) => s.setShowHeatMap);
  const photo = useDecodedPhoto(file, result.thumbnail);
  const scale = useMemo(() => heatScale(pixelThreshold), [pixelThreshold]);
  const layer = useMemo(() => prepareHeatLayer(result, scale), [result, scale]);
  const size = useMemo(() => fitWithin(result.width, result.height, MAX_DRAWN_SIDE), [result]);
  return (
    <>
      <OverlayControls show={showHeatMap} opacity={opacity} onShow={setShowHeatMap} onOpacity={setOverlayOpacity}>
        <span className="viewer-timing">
          {result.width}×{result.height} · decode {result.decodeMs.toFixed(0)} ms · model {result.inferenceMs.toFixed(0)} ms · {result.backend === 'webgpu' ? 'WebGPU' : 'WASM'}
        </span>
        {result.filled < LETTERBOX_NOTE_BELOW && (
          <span className="viewer-note" data-testid="letterboxed" data-value={result.filled.toFixed(3)}>
            Not the part model's shape: shrunk to fit its input ({Math.round(result.filled * 100)} % filled), so the part looks smaller than in training
          </span>
        )}
      </OverlayControls>
      <OverlayCanvas photo={photo} size={size} heatMap={result} layer={showHeatMap ? layer : null} opacity={opacity} label={`${file.name} with its anomaly heat map`} />
      <ColourLegend scale={scale} />
    </>
  );
}
