/**
 * Tiled inspection: a photo larger than the model's input is read as a grid of overlapping tiles, each
 * one at the input's full size, so small defects on a large part keep their pixels. Training learns from
 * the tiles of every photo, inspection stitches the tiles' maps into one map of the photo, and a photo's
 * score is its highest tile's.
 */
import { cropImage, type Rect, type RgbImage } from '../image/decode';
import { inputLongSide, type FeatureSettings } from './aggregation';
import { cropRect, preprocessSettings, type Placement } from './preprocess';

export interface Tiling {
  columns: number;
  rows: number;
  /** The share of a tile's side it shares with its neighbour (0 ≤ overlap < 0.5). */
  overlap: number;
}

/** Neighbouring tiles share a quarter of their side unless a model says otherwise. */
export const DEFAULT_TILE_OVERLAP = 0.25;

/** Tiles a side at most: 4 × 4 tiles of 768 px already read a 2400 px photo pixel for pixel. */
export const MAX_TILES_PER_SIDE = 4;

/** True for a tiling the engine can run: 1 to MAX_TILES_PER_SIDE tiles a side, overlap in [0, 0.5). */
export function isTiling(t: Partial<Tiling> | undefined): t is Tiling {
  if (!t) return false;
  const side = (n: unknown) => Number.isInteger(n) && (n as number) >= 1 && (n as number) <= MAX_TILES_PER_SIDE;
  return side(t.columns) && side(t.rows) && typeof t.overlap === 'number' && t.overlap >= 0 && t.overlap < 0.5;
}

/** How many tiles a photo is read as. */
export const tileCount = (t: Tiling | undefined): number => (t ? t.columns * t.rows : 1);

/**
 * How many photo pixels a model reads along the photo's shorter side: its input's shorter side, times
 * the tiles there less their overlaps.
 */
export function pixelsRead(inputSize: number, tiles: Tiling | undefined): number {
  const n = tiles ? Math.min(tiles.columns, tiles.rows) : 1;
  return Math.round(inputSize * (n - (n - 1) * (tiles?.overlap ?? 0)));
}

/** One side's tiles: `count` spans of one length covering [start, start + length), neighbours overlapping by `overlap`. */
function spans(start: number, length: number, count: number, overlap: number): { start: number; length: number }[] {
  if (count === 1) return [{ start, length }];
  const span = Math.min(length, Math.ceil(length / (count - (count - 1) * overlap)));
  return Array.from({ length: count }, (_, i) => ({ start: start + Math.round((i * (length - span)) / (count - 1)), length: span }));
}

/** The tiles of `area` (photo pixels), row by row; without a tiling, the area itself. */
export function tileRects(area: Rect, tiling: Tiling | undefined): Rect[] {
  if (!tiling) return [area];
  const columns = spans(area.x, area.width, tiling.columns, tiling.overlap);
  return spans(area.y, area.height, tiling.rows, tiling.overlap).flatMap((row) =>
    columns.map((column) => ({ x: column.start, y: row.start, width: column.length, height: row.length })),
  );
}

/** What of a model's settings decides its tiles. */
export type TiledPlacement = Placement & { tiles?: Tiling };

/** Where a model's tiles lie: the region and the crop, then the tiles. */
export const tiledPlacement = (s: Parameters<typeof preprocessSettings>[0] & { tiles?: Tiling }): TiledPlacement => ({ ...preprocessSettings(s), tiles: s.tiles });

/** The pixels a model reads, cut into its tiles (the region of interest and the centre crop first). */
export function tilesOf(image: RgbImage, s: TiledPlacement): { rect: Rect; image: RgbImage }[] {
  return tileRects(cropRect(image, s), s.tiles).map((rect) => ({ rect, image: cropImage(image, rect) }));
}

/** How a tile, already cut from the photo, goes into the model's input: letterboxed as it is. */
export const tilePlacement = (s: Placement): Placement => ({ input: s.input, centerCrop: null });

/**
 * The longer side the model's input stands for on a photo: the decoder keeps enough pixels for it. A
 * tiled model reads several inputs' worth along each side.
 */
export const decodeSide = (s: { features: Pick<FeatureSettings, 'inputSize' | 'input'>; tiles?: Tiling }): number =>
  inputLongSide(s.features) * Math.max(s.tiles?.columns ?? 1, s.tiles?.rows ?? 1);

export interface TileMap {
  /** Where the tile lies in the photo, in pixels. */
  rect: Rect;
  /** Its map, row-major, covering the whole tile. */
  map: Float32Array;
  width: number;
  height: number;
}

/**
 * The tiles' maps (row by row, `columns` a row) stitched into one map of `area` at the tiles' density. Each cell takes the tile whose
 * centre is nearest along each axis: where tiles overlap, the one that saw the cell farthest from its
 * border, whose features are least disturbed by the cut.
 */
export function stitchTiles(tiles: TileMap[], columns: number, area: Rect): { map: Float32Array; width: number; height: number } {
  if (tiles.length === 1) return tiles[0];
  const k = tiles[0].width / tiles[0].rect.width; // cells per photo pixel
  const width = Math.max(1, Math.round(area.width * k));
  const height = Math.max(1, Math.round(area.height * k));
  const nearest = (centres: number[], v: number) => centres.reduce((best, c, i) => (Math.abs(v - c) < Math.abs(v - centres[best]) ? i : best), 0);
  const columnCentres = tiles.slice(0, columns).map((t) => t.rect.x + t.rect.width / 2);
  const rowCentres = tiles.filter((_, i) => i % columns === 0).map((t) => t.rect.y + t.rect.height / 2);
  const map = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const py = area.y + ((y + 0.5) * area.height) / height;
    const row = nearest(rowCentres, py);
    for (let x = 0; x < width; x++) {
      const px = area.x + ((x + 0.5) * area.width) / width;
      const t = tiles[row * columns + nearest(columnCentres, px)];
      const tx = Math.min(t.width - 1, Math.max(0, Math.floor(((px - t.rect.x) * t.width) / t.rect.width)));
      const ty = Math.min(t.height - 1, Math.max(0, Math.floor(((py - t.rect.y) * t.height) / t.rect.height)));
      map[y * width + x] = t.map[ty * t.width + tx];
    }
  }
  return { map, width, height };
}
