/**
 * A region of interest over a picture: the box (the picture outside it dimmed), and, while `drawing`,
 * a new box dragged in any direction with mouse, pen or finger, or set from the keyboard (arrow keys
 * move it, Shift + arrow keys resize it, Enter keeps it, Escape drops it). Boxes are fractions of the
 * picture, so they stay on the same part of it at any size. Lies over its positioned parent.
 */
import { useState } from 'react';
import { KEYBOARD_START_ROI, nudgeRoi, pointOnPicture, roiFromCorners, type Point, type Roi } from '../live/roi';
import './components.css';

interface RegionLayerProps {
  /** The region kept now. */
  roi: Roi | null;
  /** False where the picture under the layer draws the kept region itself. */
  showRoi?: boolean;
  drawing: boolean;
  onDrawn: (roi: Roi) => void;
  /** The layer's accessible name. */
  label: string;
  /** Test ids: `<testId>-layer` on the layer, `<testId>` on the box. */
  testId: string;
}

/** One arrow-key step: 2 % of the picture. */
const KEY_STEP = 0.02;
const ARROWS: Record<string, [number, number]> = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

export function RegionLayer({ roi, showRoi = true, drawing, onDrawn, label, testId }: RegionLayerProps) {
  const [draft, setDraft] = useState<{ pointer: number; from: Point; to: Point } | null>(null);
  const [keyDraft, setKeyDraft] = useState<Roi | null>(null);
  const shown = draft ? roiFromCorners(draft.from, draft.to) : (keyDraft ?? (showRoi ? roi : null));
  const at = (e: React.PointerEvent<HTMLDivElement>) => pointOnPicture(e.clientX, e.clientY, e.currentTarget.getBoundingClientRect());
  return (
    <div
      className={`region-layer${drawing ? ' drawing' : ''}`}
      data-testid={`${testId}-layer`}
      role="group"
      aria-label={label}
      aria-keyshortcuts="ArrowLeft ArrowRight ArrowUp ArrowDown Shift+ArrowLeft Shift+ArrowRight Shift+ArrowUp Shift+ArrowDown Enter Escape"
      tabIndex={drawing ? 0 : -1}
      onPointerDown={(e) => {
        if (!drawing) return;
        e.currentTarget.setPointerCapture(e.pointerId);
        const p = at(e);
        setKeyDraft(null);
        setDraft({ pointer: e.pointerId, from: p, to: p });
      }}
      onPointerMove={(e) => draft?.pointer === e.pointerId && setDraft({ ...draft, to: at(e) })}
      onPointerUp={(e) => {
        if (draft?.pointer !== e.pointerId) return;
        setDraft(null);
        const drawn = roiFromCorners(draft.from, at(e));
        if (drawn) onDrawn(drawn);
      }}
      onPointerCancel={() => setDraft(null)}
      onKeyDown={(e) => {
        if (!drawing || draft) return;
        const arrow = ARROWS[e.key];
        if (arrow) {
          e.preventDefault();
          setKeyDraft(nudgeRoi(keyDraft ?? roi ?? KEYBOARD_START_ROI, arrow[0] * KEY_STEP, arrow[1] * KEY_STEP, e.shiftKey));
        } else if (e.key === 'Enter' && keyDraft) {
          e.preventDefault();
          onDrawn(keyDraft);
          setKeyDraft(null);
        } else if (e.key === 'Escape') setKeyDraft(null);
      }}
      onBlur={() => setKeyDraft(null)}
    >
      {shown && (
        <div
          className={`region-box${draft || keyDraft ? ' draft' : ''}`}
          data-testid={testId}
          style={{ left: `${shown.x * 100}%`, top: `${shown.y * 100}%`, width: `${shown.width * 100}%`, height: `${shown.height * 100}%` }}
        />
      )}
    </div>
  );
}
