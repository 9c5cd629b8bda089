/**
 * Camera frames as the model reads them: the inspected region cropped and reduced to the size a photo
 * of that region would be decoded at (decodeSize), in one createImageBitmap, then read as a photo's
 * pixels are. The frame (a camera buffer) is closed as soon as the region is copied out of it.
 */
import { decodeSize, type RgbImage } from '../src/engine/image/decode';
import { readRgb, rgbOf } from './decode-photo';
import type { FrameRegion } from './inspector-api';

export interface ReadFrame {
  /** The region as read, at its reduced size: what the model saw, for drawing and capture. */
  picture: ImageBitmap;
  image: RgbImage;
  /** The region in frame pixels (clamped to the frame). */
  region: FrameRegion;
}

const frameSize = (frame: ImageBitmap | VideoFrame) => (frame instanceof ImageBitmap ? { width: frame.width, height: frame.height } : { width: frame.displayWidth, height: frame.displayHeight });

/** The part of `region` inside a `width` × `height` frame, in whole pixels; the whole frame for null. */
function clampRegion(region: FrameRegion | null, width: number, height: number): FrameRegion {
  if (!region) return { x: 0, y: 0, width, height };
  const x = Math.min(width - 1, Math.max(0, Math.floor(region.x)));
  const y = Math.min(height - 1, Math.max(0, Math.floor(region.y)));
  return { x, y, width: Math.max(1, Math.min(width - x, Math.round(region.width))), height: Math.max(1, Math.min(height - y, Math.round(region.height))) };
}

/** Whether this browser's VideoFrame.copyTo converts to RGBA (until a copy fails). */
let copyWorks = true;

/**
 * A region the model reads at its own size, copied out of a camera frame as RGBA by the frame itself (a
 * plain copy and colour conversion, where a bitmap would go through the canvas); null where the
 * browser cannot.
 */
async function copyRegion(frame: VideoFrame, r: FrameRegion): Promise<ReadFrame | null> {
  if (!copyWorks) return null;
  try {
    const rgba = new Uint8ClampedArray(r.width * r.height * 4);
    await frame.copyTo(rgba, { rect: r, format: 'RGBA', colorSpace: 'srgb' });
    const picture = await createImageBitmap(new ImageData(rgba, r.width, r.height));
    return { picture, image: rgbOf(rgba, r.width, r.height), region: r };
  } catch {
    copyWorks = false; // the canvas path from now on, rather than a failed copy every frame
    return null;
  }
}

export async function readFrame(frame: ImageBitmap | VideoFrame, region: FrameRegion | null, inputSide: number): Promise<ReadFrame> {
  try {
    const size = frameSize(frame);
    if (size.width === 0 || size.height === 0) throw new Error('the camera sent an empty frame');
    const r = clampRegion(region, size.width, size.height);
    const target = decodeSize(r.width, r.height, inputSide);
    const atOwnSize = target.width === r.width && target.height === r.height;
    const copied = atOwnSize && frame instanceof VideoFrame ? await copyRegion(frame, r) : null;
    if (copied) return copied;
    const picture = await createImageBitmap(frame, r.x, r.y, r.width, r.height, { resizeWidth: target.width, resizeHeight: target.height, resizeQuality: 'high' });
    return { picture, image: readRgb(picture), region: r };
  } finally {
    frame.close();
  }
}
