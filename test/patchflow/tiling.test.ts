import { describe, expect, it } from 'vitest';
import { decodeSide, isTiling, pixelsRead, stitchTiles, tileRects, type TileMap } from '../../src/engine/patchflow/tiling';
import { parseTiles } from '../../src/cli/train';

describe('tiles', () => {
  it('without a tiling, the area is the one tile', () => {
    const area = { x: 10, y: 20, width: 300, height: 200 };
    expect(tileRects(area, undefined)).toEqual([area]);
    expect(tileRects(area, { columns: 1, rows: 1, overlap: 0.25 })).toEqual([area]);
  });

  it('cover the area row by row with equal tiles, neighbours sharing the overlap (to the pixel)', () => {
    const area = { x: 7, y: 3, width: 512, height: 301 };
    const tiles = tileRects(area, { columns: 3, rows: 2, overlap: 0.25 });
    expect(tiles).toHaveLength(6);
    const [w, h] = [tiles[0].width, tiles[0].height];
    for (const t of tiles) expect([t.width, t.height]).toEqual([w, h]);
    expect(w).toBe(Math.ceil(512 / (3 - 2 * 0.25)));
    expect(h).toBe(Math.ceil(301 / (2 - 0.25)));
    // the first row left to right, then the second; the first tile at the area's corner, the last at the opposite one
    expect(tiles.map((t) => [t.x, t.y])).toEqual([[7, 3], [7 + Math.round((512 - w) / 2), 3], [7 + 512 - w, 3], [7, 3 + 301 - h], [7 + Math.round((512 - w) / 2), 3 + 301 - h], [7 + 512 - w, 3 + 301 - h]]);
    for (const [a, b] of [[0, 1], [1, 2]]) expect(tiles[a].x + w - tiles[b].x).toBeGreaterThanOrEqual(Math.floor(0.25 * w));
    expect(tiles[0].y + h - tiles[3].y).toBeGreaterThanOrEqual(Math.floor(0.25 * h));
  });

  it('without overlap, tile the area edge to edge', () => {
    expect(tileRects({ x: 0, y: 0, width: 512, height: 512 }, { columns: 2, rows: 2, overlap: 0 })).toEqual([
      { x: 0, y: 0, width: 256, height: 256 },
      { x: 256, y: 0, width: 256, height: 256 },
      { x: 0, y: 256, width: 256, height: 256 },
      { x: 256, y: 256, width: 256, height: 256 },
    ]);
  });

  it('are checked: 1 to 4 a side, overlap below one half', () => {
    expect(isTiling({ columns: 2, rows: 3, overlap: 0 })).toBe(true);
    for (const bad of [{ columns: 0, rows: 1, overlap: 0 }, { columns: 5, rows: 1, overlap: 0 }, { columns: 2, rows: 2, overlap: 0.5 }, { columns: 1.5, rows: 1, overlap: 0 }, { columns: 2, rows: 2 }]) {
      expect(isTiling(bad as never)).toBe(false);
    }
    expect(parseTiles('2x3')).toEqual({ columns: 2, rows: 3, overlap: 0.25 });
    expect(parseTiles('4x1@0')).toEqual({ columns: 4, rows: 1, overlap: 0 });
    for (const bad of ['2', '2x', '0x2', '5x5', '2x2@0.5', '2x2@x']) expect(() => parseTiles(bad)).toThrow(/--tiles/);
  });

  it('read the input side times the tiles, less their overlaps, along the shorter side', () => {
    expect(pixelsRead(256, undefined)).toBe(256);
    expect(pixelsRead(256, { columns: 2, rows: 2, overlap: 0.25 })).toBe(448);
    expect(pixelsRead(256, { columns: 3, rows: 1, overlap: 0 })).toBe(256);
  });

  it('make the decoder keep pixels for every tile along the longer side', () => {
    expect(decodeSide({ features: { inputSize: 256 } })).toBe(256);
    expect(decodeSide({ features: { inputSize: 256, input: { width: 256, height: 640 } }, tiles: { columns: 3, rows: 1, overlap: 0 } })).toBe(3 * 640);
  });
});

describe('stitching', () => {
  /** A tile whose map holds `value` everywhere but a marked cell in its top-left corner. */
  const tile = (rect: TileMap['rect'], cells: number, value: number): TileMap => ({ rect, map: new Float32Array(cells * cells).fill(value), width: cells, height: cells });

  it('gives a single tile back as it is', () => {
    const t = tile({ x: 0, y: 0, width: 100, height: 100 }, 50, 3);
    expect(stitchTiles([t], 1, t.rect)).toBe(t);
  });

  it('takes each cell from the tile whose centre is nearest, at the tiles\' density', () => {
    const area = { x: 0, y: 0, width: 400, height: 200 };
    // two columns of 250 px overlapping by 100 (150…250), maps at 0.5 cells a pixel
    const rects = tileRects(area, { columns: 2, rows: 1, overlap: 0.4 });
    expect(rects).toEqual([{ x: 0, y: 0, width: 250, height: 200 }, { x: 150, y: 0, width: 250, height: 200 }]);
    const tiles = rects.map((r, i): TileMap => ({ rect: r, map: Float32Array.from({ length: 125 * 100 }, (_, c) => i * 1000 + (c % 125)), width: 125, height: 100 }));
    const { map, width, height } = stitchTiles(tiles, 2, area);
    expect([width, height]).toEqual([200, 100]);
    // the centres lie at 125 and 275 px: cells left of 200 px come from the first tile, the rest from the second
    const at = (x: number) => map[50 * width + x];
    expect(at(0)).toBe(0);
    expect(at(99)).toBe(99); // the cell at 199 px, column 99 of the first tile
    expect(at(100)).toBe(1000 + 25); // the cell at 201 px, column (201 − 150) / 2 of the second tile
    expect(at(199)).toBe(1000 + 124);
  });
});
