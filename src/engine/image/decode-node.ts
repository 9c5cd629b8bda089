/**
 * Node's decoder (CLI, tests): sharp, whose libvips reads JPEG (libjpeg-turbo, like Chromium), PNG, WebP,
 * AVIF, GIF, TIFF, 16-bit and CMYK. Node only: the browser worker decodes with createImageBitmap.
 */
import sharp from 'sharp';
import { ImageDecodeError, MAX_PIXELS, decodeSize, type DecodeImage, type Mask, type RgbImage } from './decode';

/** Format and upright size from the header alone, or null when the bytes are no image sharp reads. */
async function headerOf(bytes: Uint8Array): Promise<{ format: string; width: number; height: number } | null> {
  try {
    const m = await sharp(bytes).metadata();
    return m.format ? { format: m.format, ...m.autoOrient } : null;
  } catch {
    return null;
  }
}

/** Decodes a photo as the browser does: orientation applied, alpha composited over black, reduced by `decodeSize`. */
export const decodeImage: DecodeImage = async (bytes, label, inputSide) => {
  const header = await headerOf(bytes);
  if (!header) throw new ImageDecodeError(`${label}: not an image this app can decode, or the file is damaged`);
  const { format, width, height } = header;
  if (width * height > MAX_PIXELS) throw new ImageDecodeError(`${label}: ${width}×${height} is larger than ${MAX_PIXELS / 1e6} megapixels`);
  try {
    const target = decodeSize(width, height, inputSide);
    let pipeline = sharp(bytes, { limitInputPixels: false, failOn: 'error' }).autoOrient().flatten({ background: '#000000' }).toColourspace('srgb');
    if (target.width !== width || target.height !== height) pipeline = pipeline.resize(target.width, target.height, { fit: 'fill' });
    const { data, info } = await pipeline.removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`${info.channels} channels after conversion to RGB`);
    return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) } satisfies RgbImage;
  } catch (e) {
    if (e instanceof ImageDecodeError) throw e;
    throw new ImageDecodeError(`${label}: damaged ${format.toUpperCase()} (${(e as Error).message})`);
  }
};

/** Decodes a defect mask (PNG) to one byte per pixel (non-zero = defect), at its own size. */
export async function decodeMask(bytes: Uint8Array, label = 'mask'): Promise<Mask> {
  const rgb = await decodeImage(bytes, label, Number.POSITIVE_INFINITY);
  const data = new Uint8Array(rgb.width * rgb.height);
  for (let p = 0; p < data.length; p++) data[p] = rgb.data[p * 3] > 127 ? 1 : 0;
  return { width: rgb.width, height: rgb.height, data };
}
