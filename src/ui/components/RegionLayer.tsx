/**
 * A region of interest over a picture: the box (the picture outside it dimmed), and, while `drawing`,
 * a new box dragged in any direction with mouse, pen or finger. Boxes are fractions of the picture, so
 * they stay on the same part of it at any size. Lies over its positioned parent.
 */
import { useState } from 'react';
import { pointOnPicture, roiFromCorners, type Point, type Roi } from '../live/roi';
import './components.css';

interface RegionLayerProps {
  roi: Roi | null;
  drawing: boolean;
  onDrawn: (roi: Roi) => void;
  /** Test ids: `<testId>-layer` on the layer, `<testId>` on the box. */
  testId: string;
}

export function RegionLayer({ roi, drawing, onDrawn, testId }: RegionLayerProps) {
  const [draft, setDraft] = useState<{ pointer: number; from: Point; to: Point } | null>(null);
  const shown = draft ? roiFromCorners(draft.from, draft.to) : roi;
  const at = (e: React.PointerEvent<HTMLDivElement>) => pointOnPicture(e.clientX, e.clientY, e.currentTarget.getBoundingClientRect());
  return (
    <div
      className={`region-layer${drawing ? ' drawing' : ''}`}
      data-testid={`${testId}-layer`}
      onPointerDown={(e) => {
        if (!drawing) return;
        e.currentTarget.setPointerCapture(e.pointerId);
        const p = at(e);
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
    >
      {shown && (
        <div
          className={`region-box${draft ? ' draft' : ''}`}
          data-testid={testId}
          style={{ left: `${shown.x * 100}%`, top: `${shown.y * 100}%`, width: `${shown.width * 100}%`, height: `${shown.height * 100}%` }}
        />
      )}
    </div>
  );
}
