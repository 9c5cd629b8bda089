/**
 * The taught part at work: heat maps on the good photos it held out and on the photos added for the
 * operating point, each with its score and its verdict at the threshold being tried. One is shown
 * large, with the overlay's zoom and the colour key.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { ColourLegend } from '../components/ColourLegend';
import { heatScale, type HeatScale } from '../components/colour-map';
import { drawInspection, MAX_DRAWN_SIDE, prepareHeatLayer } from '../components/inspection-canvas';
import { OverlayCanvas } from '../components/OverlayCanvas';
import { useDecodedPhoto } from '../components/useDecodedPhoto';
import { fitWithin } from '../components/view-transform';
import { formatScore } from '../library/part-manifest';
import { useTeach, type CheckKind, type CheckPhoto } from './teach-store';

const KIND_LABELS: Record<CheckKind, string> = { 'held-out': 'held-out good', defect: 'defect', good: 'set-aside good' };
const CARD_SIDE = 180;
const OVERLAY_OPACITY = 0.6;

export function HeatMapGallery({ threshold, pixelThreshold }: { threshold: number; pixelThreshold: number }) {
  const checks = useTeach((s) => s.checks);
  const removeCheck = useTeach((s) => s.removeCheck);
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const scale = useMemo(() => heatScale(pixelThreshold), [pixelThreshold]);
  const selected = checks.find((c) => c.id === selectedId && c.result) ?? checks.find((c) => c.result) ?? null;
  return (
    <section className="teach-panel" aria-labelledby="teach-maps-title">
      <h2 id="teach-maps-title" className="teach-panel-title">
        5 · Heat maps
      </h2>
      {checks.length === 0 && <p className="hint">The held-out good photos are being scored…</p>}
      <ul className="teach-map-grid">
        {checks.map((c) => (
          <CheckCard key={c.id} check={c} threshold={threshold} scale={scale} selected={c === selected} onSelect={() => setSelectedId(c.id)} onRemove={c.kind === 'held-out' ? undefined : () => removeCheck(c.id)} />
        ))}
      </ul>
      {selected?.result && <SelectedMap check={selected} scale={scale} />}
    </section>
  );
}

function verdictOf(check: CheckPhoto, threshold: number): 'pass' | 'fail' | null {
  return check.result ? (check.result.score >= threshold ? 'fail' : 'pass') : null;
}

function CheckCard({ check, threshold, scale, selected, onSelect, onRemove }: { check: CheckPhoto; threshold: number; scale: HeatScale; selected: boolean; onSelect: () => void; onRemove?: () => void }) {
  const verdict = verdictOf(check, threshold);
  return (
    <li className={`teach-map-card${selected ? ' selected' : ''}`} data-testid="teach-check" data-file={check.name} data-kind={check.kind} data-score={check.result?.score} data-verdict={verdict ?? check.status}>
      <button type="button" className="teach-map-open" onClick={onSelect} disabled={!check.result} aria-label={`Show the heat map of ${check.name}`}>
        {check.result ? <CardCanvas check={check} scale={scale} /> : <span className="teach-photo-placeholder">{check.status === 'error' ? '✕' : '…'}</span>}
      </button>
      <span className="teach-map-caption">
        <span className="teach-photo-name" title={check.name}>
          {check.name}
        </span>
        <span className="hint">{KIND_LABELS[check.kind]}</span>
        {verdict && <span className={`teach-verdict teach-verdict-${verdict}`}>{verdict.toUpperCase()}</span>}
        {check.result && <span className="teach-map-score">{formatScore(check.result.score)}</span>}
      </span>
      {check.error && (
        <span className="teach-photo-error" role="alert">
          {check.error}
        </span>
      )}
      {onRemove && (
        <button type="button" className="teach-photo-remove" aria-label={`Remove ${check.name}`} onClick={onRemove}>
          ×
        </button>
      )}
    </li>
  );
}

/** A card's photo with its heat map, drawn once at card size. */
function CardCanvas({ check, scale }: { check: CheckPhoto; scale: HeatScale }) {
  const result = check.result!;
  const photo = useDecodedPhoto(check.file, result.thumbnail);
  const canvas = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (canvas.current && photo) drawInspection(canvas.current, photo, fitWithin(result.width, result.height, CARD_SIDE), prepareHeatLayer(result, scale), OVERLAY_OPACITY);
  }, [photo, result, scale]);
  return <canvas ref={canvas} className="teach-map-canvas" role="img" aria-label={`${check.name} with its heat map`} />;
}

function SelectedMap({ check, scale }: { check: CheckPhoto; scale: HeatScale }) {
  const result = check.result!;
  const photo = useDecodedPhoto(check.file, result.thumbnail);
  const layer = useMemo(() => prepareHeatLayer(result, scale), [result, scale]);
  const size = useMemo(() => fitWithin(result.width, result.height, MAX_DRAWN_SIDE), [result]);
  return (
    <div className="teach-map-large">
      <OverlayCanvas photo={photo} size={size} heatMap={result} layer={layer} opacity={OVERLAY_OPACITY} label={`${check.name} with its anomaly heat map`} />
      <ColourLegend scale={scale} />
    </div>
  );
}
