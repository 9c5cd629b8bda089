/**
 * A captured live frame as a photo result: the region the model read, as a PNG (lossless, so the same
 * pixels are scored again if the file is inspected), with its map, score and timings.
 */
import { THUMBNAIL_SIZE, type FrameResult, type PhotoResult } from '../../../workers/inspector-api';
import { fitWithin } from '../components/view-transform';

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `live-<part>-YYYYMMDD-HHMMSS-mmm.png` in local time: sorts by time, and says where it came from. */
export function captureName(part: string, at: Date): string {
  const date = `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}`;
  const time = `${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}-${pad(at.getMilliseconds(), 3)}`;
  const safePart = part.replace(/[^\w.-]+/g, '_');
  return `live-${safePart}-${date}-${time}.png`;
}

export interface CapturedFrame {
  file: File;
  result: PhotoResult;
}

/** Saves a frame's picture as a PNG file and its result as the Inspect view keeps one. */
export async function captureFrame(frame: FrameResult, name: string): Promise<CapturedFrame> {
  const { picture } = frame;
  // drawn at once: the live view may close the picture while the PNG is encoded
  const canvas = new OffscreenCanvas(picture.width, picture.height);
  canvas.getContext('2d')!.drawImage(picture, 0, 0);
  const small = fitWithin(picture.width, picture.height, THUMBNAIL_SIZE);
  const [png, thumbnail] = await Promise.all([
    canvas.convertToBlob({ type: 'image/png' }),
    createImageBitmap(canvas, { resizeWidth: small.width, resizeHeight: small.height, resizeQuality: 'medium' }),
  ]);
  const result: PhotoResult = {
    score: frame.score,
    verdict: frame.verdict,
    anomalyMap: frame.anomalyMap,
    mapWidth: frame.mapWidth,
    mapHeight: frame.mapHeight,
    width: picture.width,
    height: picture.height,
    thumbnail,
    decodeMs: frame.readMs,
    inferenceMs: frame.inferenceMs,
    filled: frame.filled,
    backend: frame.backend,
    backendNote: null,
  };
  return { file: new File([png], name, { type: 'image/png' }), result };
}
