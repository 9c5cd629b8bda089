/** The overlay export: each inspected photo drawn with its heat map as in the viewer, as PNGs in one zip. */
import { zipSync } from 'fflate';
import { heatScale } from '../components/colour-map';
import { decodeForDrawing, drawInspection, MAX_DRAWN_SIDE, prepareHeatLayer } from '../components/inspection-canvas';
import { fitWithin } from '../components/view-transform';
import type { BatchItem } from './batch-item';
import { overlayFileNames } from './export';

function canvasPng(canvas: HTMLCanvasElement): Promise<Uint8Array> {
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? blob.arrayBuffer().then((b) => resolve(new Uint8Array(b)), reject) : reject(new Error('the browser could not encode a PNG'))), 'image/png'),
  );
}

/** One photo at a time (a batch of full-size photos would not fit in memory at once). */
export async function overlayZip(items: readonly BatchItem[], pixelThreshold: number, opacity: number, onProgress: (done: number, total: number) => void): Promise<Blob> {
  const inspected = items.filter((i) => i.result);
  const names = overlayFileNames(inspected.map((i) => i.path));
  const scale = heatScale(pixelThreshold);
  const canvas = document.createElement('canvas');
  const files: Record<string, Uint8Array> = {};
  for (const [k, item] of inspected.entries()) {
    const result = item.result!;
    const photo = await decodeForDrawing(item.file).catch(() => result.thumbnail);
    const layer = prepareHeatLayer(result, scale);
    drawInspection(canvas, photo, fitWithin(result.width, result.height, MAX_DRAWN_SIDE), layer, opacity);
    if (photo !== result.thumbnail) photo.close();
    files[names[k]] = await canvasPng(canvas);
    onProgress(k + 1, inspected.length);
  }
  // PNGs are compressed already: store them as they are
  return new Blob([zipSync(files, { level: 0 }) as Uint8Array<ArrayBuffer>], { type: 'application/zip' });
}
