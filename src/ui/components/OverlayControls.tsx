/** The heat map overlay's switches, beside any viewer: the map on or off, and its opacity. */
import type { ReactNode } from 'react';

interface OverlayControlsProps {
  show: boolean;
  opacity: number;
  onShow: (show: boolean) => void;
  onOpacity: (opacity: number) => void;
  /** More readouts on the same line (e.g. timings). */
  children?: ReactNode;
}

export function OverlayControls({ show, opacity, onShow, onOpacity, children }: OverlayControlsProps) {
  return (
    <div className="viewer-controls">
      <label>
        <input type="checkbox" checked={show} onChange={(e) => onShow(e.target.checked)} /> Show heat map
      </label>
      <label>
        Overlay opacity
        <input type="range" min={0} max={1} step={0.05} value={opacity} disabled={!show} onChange={(e) => onOpacity(Number(e.target.value))} />
      </label>
      {children}
    </div>
  );
}
