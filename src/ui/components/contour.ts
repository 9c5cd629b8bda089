/**
 * The outline of the region where a map exceeds a level, by marching squares: each 2×2 block of
 * neighbouring values that straddles the level contributes a segment whose ends are placed by linear
 * interpolation, so the outline is smooth even when the map is coarser than the photo. Pure.
 */

/** Segments as [x0, y0, x1, y1, …] in map pixel units, a value's centre at (x + 0.5, y + 0.5). */
export function contourSegments(map: ArrayLike<number>, width: number, height: number, level: number): Float32Array {
  const out: number[] = [];
  const crossing = (a: number, b: number) => (a === b ? 0.5 : (level - a) / (b - a));
  for (let y = 0; y + 1 < height; y++) {
    for (let x = 0; x + 1 < width; x++) {
      const tl = map[y * width + x];
      const tr = map[y * width + x + 1];
      const br = map[(y + 1) * width + x + 1];
      const bl = map[(y + 1) * width + x];
      const cell = (tl > level ? 8 : 0) | (tr > level ? 4 : 0) | (br > level ? 2 : 0) | (bl > level ? 1 : 0);
      if (cell === 0 || cell === 15) continue;
      const cx = x + 0.5;
      const cy = y + 0.5;
      const at: Record<Edge, number[]> = {
        top: [cx + crossing(tl, tr), cy],
        right: [cx + 1, cy + crossing(tr, br)],
        bottom: [cx + crossing(bl, br), cy + 1],
        left: [cx, cy + crossing(tl, bl)],
      };
      const centreInside = (tl + tr + br + bl) / 4 > level;
      for (const [p, q] of edgesOf(cell, centreInside)) out.push(at[p][0], at[p][1], at[q][0], at[q][1]);
    }
  }
  return Float32Array.from(out);
}

type Edge = 'top' | 'right' | 'bottom' | 'left';
type Segments = readonly (readonly [Edge, Edge])[];

/** The edges a contour joins in each case of inside corners (bits: top-left 8, top-right 4, bottom-right 2, bottom-left 1). */
const CELL_EDGES: readonly Segments[] = [
  [],
  [['left', 'bottom']],
  [['bottom', 'right']],
  [['left', 'right']],
  [['top', 'right']],
  [], // saddle
  [['top', 'bottom']],
  [['top', 'left']],
  [['top', 'left']],
  [['top', 'bottom']],
  [], // saddle
  [['top', 'right']],
  [['left', 'right']],
  [['bottom', 'right']],
  [['left', 'bottom']],
  [],
];

/** Cutting off the top-left and bottom-right corners, or the top-right and bottom-left ones. */
const CUT_TL_BR: Segments = [
  ['top', 'left'],
  ['bottom', 'right'],
];
const CUT_TR_BL: Segments = [
  ['top', 'right'],
  ['left', 'bottom'],
];

/** Saddles (two opposite corners inside) are decided by the centre: inside, the two inside corners join. */
function edgesOf(cell: number, centreInside: boolean): Segments {
  if (cell === 5) return centreInside ? CUT_TL_BR : CUT_TR_BL;
  if (cell === 10) return centreInside ? CUT_TR_BL : CUT_TL_BR;
  return CELL_EDGES[cell];
}
