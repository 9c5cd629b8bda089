/**
 * Synthetic anomalies for choosing a model when no defect images exist (DRAEM-style): a Perlin-noise
 * blob decides where, and either foreign texture (another good image, geometrically and tonally
 * altered) or the part's own texture, shuffled, is blended in there. Everything is driven by a
 * seeded generator, so a seed reproduces the same validation set.
 */
import type { RgbImage } from '../image/decode';
export type Rng = () => number;

function fade(t: number): number {
  return t * t * t * (t * (t * 6 - 15) + 10);
}

/**
 * Classic gradient Perlin noise on a (cellsX+1)x(cellsY+1) lattice of random unit gradients, as in
 * DRAEM's rand_perlin_2d, evaluable anywhere in [0, cellsX] x [0, cellsY]. Scaled by √2 so values
 * span about [-1, 1].
 */
function perlinField(cellsX: number, cellsY: number, rng: Rng): (u: number, v: number) => number {
  const stride = cellsX + 1;
  const gx = new Float64Array(stride * (cellsY + 1));
  const gy = new Float64Array(gx.length);
  for (let k = 0; k < gx.length; k++) {
    const angle = 2 * Math.PI * rng();
    gx[k] = Math.cos(angle);
    gy[k] = Math.sin(angle);
  }
  return (u, v) => {
    const i = Math.min(Math.floor(u), cellsX - 1);
    const j = Math.min(Math.floor(v), cellsY - 1);
    const fu = u - i;
    const fv = v - j;
    const k00 = j * stride + i;
    const k10 = k00 + 1;
    const k01 = k00 + stride;
    const k11 = k01 + 1;
    const n00 = gx[k00] * fu + gy[k00] * fv;
    const n10 = gx[k10] * (fu - 1) + gy[k10] * fv;
    const n01 = gx[k01] * fu + gy[k01] * (fv - 1);
    const n11 = gx[k11] * (fu - 1) + gy[k11] * (fv - 1);
    const su = fade(fu);
    const top = n00 + su * (n10 - n00);
    const bottom = n01 + su * (n11 - n01);
    return Math.SQRT2 * (top + fade(fv) * (bottom - top));
  };
}

/** Perlin noise of `resolution` = [cells across, cells down] over a width x height grid, row-major. */
export function perlinNoise2d(width: number, height: number, resolution: [number, number], rng: Rng): Float32Array {
  const [cellsX, cellsY] = resolution;
  if (!(Number.isInteger(cellsX) && Number.isInteger(cellsY) && cellsX > 0 && cellsY > 0)) {
    throw new Error(`Perlin resolution must be positive integers, got ${cellsX}x${cellsY}`);
  }
  const field = perlinField(cellsX, cellsY, rng);
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const v = (y * cellsY) / height;
    for (let x = 0; x < width; x++) out[y * width + x] = field((x * cellsX) / width, v);
  }
  return out;
}

export interface PerlinMaskOptions {
  /** Inclusive range of log2(cells per side), drawn independently per axis; default [0, 6]. */
  scaleExponents?: [number, number];
  /** Noise above this becomes defect; default 0.5 as in DRAEM. */
  threshold?: number;
  /** Rotate the noise by a random angle in [-90°, 90°), as DRAEM does; default true. */
  rotate?: boolean;
  /** Accepted fraction of the allowed area (foreground, or the whole image); default [0.005, 0.4]. */
  coverage?: [number, number];
  /** > 0 where defects may appear, e.g. from foregroundMask, so defects land on the part. */
  foreground?: Uint8Array;
  /** Noise draws before falling back to a disc; default 30. */
  maxTries?: number;
}

/**
 * DRAEM-style defect mask (1 = defect): thresholded Perlin noise at a random power-of-two scale,
 * redrawn until its coverage of the allowed area is within bounds. If no draw qualifies (e.g. a
 * tiny foreground), a disc of the minimum coverage around a random allowed pixel is used, so the
 * mask is never empty.
 */
export function perlinMask(width: number, height: number, rng: Rng, options: PerlinMaskOptions = {}): Uint8Array {
  const [minExp, maxExp] = options.scaleExponents ?? [0, 6];
  const threshold = options.threshold ?? 0.5;
  const rotate = options.rotate ?? true;
  const [minCoverage, maxCoverage] = options.coverage ?? [0.005, 0.4];
  const maxTries = options.maxTries ?? 30;
  const n = width * height;
  const fg = options.foreground;
  if (fg && fg.length !== n) throw new Error(`foreground has ${fg.length} pixels, expected ${width}x${height}`);
  let allowed = n;
  if (fg) {
    allowed = 0;
    for (let i = 0; i < n; i++) if (fg[i]) allowed++;
  }
  if (allowed === 0) throw new Error('perlinMask: the foreground is empty');
  const minCount = Math.max(1, Math.ceil(minCoverage * allowed));
  const maxCount = Math.max(minCount, Math.floor(maxCoverage * allowed));

  const mask = new Uint8Array(n);
  // Cells under 4 px would be pixel noise rather than blobs on small images.
  const cells = (size: number) => {
    const exp = minExp + Math.floor(rng() * (maxExp - minExp + 1));
    return Math.max(1, Math.min(2 ** exp, Math.floor(size / 4)));
  };
  for (let attempt = 0; attempt < maxTries; attempt++) {
    const cellsX = cells(width);
    const cellsY = cells(height);
    const field = perlinField(cellsX, cellsY, rng);
    const angle = rotate ? (rng() - 0.5) * Math.PI : 0;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const cx = width / 2;
    const cy = height / 2;
    let count = 0;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        mask[i] = 0;
        if (fg && !fg[i]) continue;
        // Inverse rotation about the centre; noise rotated in from outside the frame is 0, like
        // DRAEM's zero-padded affine, so the corners stay defect-free.
        const sx = cos * (x - cx) + sin * (y - cy) + cx;
        const sy = cos * (y - cy) - sin * (x - cx) + cy;
        if (sx < 0 || sy < 0 || sx >= width || sy >= height) continue;
        if (field((sx * cellsX) / width, (sy * cellsY) / height) > threshold) {
          mask[i] = 1;
          count++;
        }
      }
    }
    if (count >= minCount && count <= maxCount) return mask;
  }

  mask.fill(0);
  let pick = Math.floor(rng() * allowed);
  let centre = 0;
  while (fg && !fg[centre]) centre++;
  for (; pick > 0; pick--) {
    centre++;
    while (fg && !fg[centre]) centre++;
  }
  const radius = Math.max(1, Math.sqrt(minCount / Math.PI));
  const px = centre % width;
  const py = (centre - px) / width;
  for (let y = Math.max(0, Math.floor(py - radius)); y <= Math.min(height - 1, Math.ceil(py + radius)); y++) {
    for (let x = Math.max(0, Math.floor(px - radius)); x <= Math.min(width - 1, Math.ceil(px + radius)); x++) {
      const i = y * width + x;
      if ((x - px) ** 2 + (y - py) ** 2 <= radius * radius && (!fg || fg[i])) mask[i] = 1;
    }
  }
  return mask;
}

/**
 * True when the image is gray in all but a few pixels (max channel spread <= 6 on >= 99.5% of
 * pixels), which tolerates JPEG chroma noise on scans of gray parts.
 */
export function looksGray(image: RgbImage): boolean {
  const { data } = image;
  const pixels = data.length / 3;
  let colourful = 0;
  for (let i = 0; i < data.length; i += 3) {
    const r = data[i];
    const g = data[i + 1];
    const b = data[i + 2];
    if (Math.max(r, g, b) - Math.min(r, g, b) > 6) colourful++;
  }
  return colourful <= pixels * 0.005;
}

export interface PasteOptions {
  /** 'texture': foreign material from `source`; 'structural': the target's own texture, shuffled. Default 'random' (50/50). */
  mode?: 'texture' | 'structural' | 'random';
  /** Defect mask to use as is (> 0 = defect) instead of drawing a Perlin mask. */
  mask?: Uint8Array;
  /** Restricts the drawn mask to the part (> 0 = allowed). */
  foreground?: Uint8Array;
  maskOptions?: Omit<PerlinMaskOptions, 'foreground'>;
  /** Range of the pasted texture's weight beta: new = (1 - beta) * target + beta * texture. Default [0.2, 1). */
  opacity?: [number, number];
  /** Keep R = G = B inside the defect. 'auto' (default) does so when the target looks gray. */
  preserveGray?: boolean | 'auto';
}

export interface PastedAnomaly {
  image: RgbImage;
  /** 1 where the anomaly was blended in. */
  mask: Uint8Array;
  mode: 'texture' | 'structural';
  opacity: number;
}

/**
 * Tone curve as a per-channel 256-entry table, composed from DRAEM's kinds of augmentation
 * (gamma, brightness/contrast, invert, solarize, posterize, per-channel gain). A table costs 768
 * evaluations instead of one per pixel. With `gray` the three channels share one curve.
 */
function toneLut(rng: Rng, gray: boolean, strong: boolean): Uint8Array {
  const gamma = strong && rng() < 0.5 ? 2 ** (rng() * 2 - 1) : 1;
  const contrast = strong ? 0.5 + rng() : 0.85 + rng() * 0.3;
  const brightness = strong ? (rng() - 0.5) * 100 : (rng() - 0.5) * 30;
  const invert = strong && rng() < 0.15;
  const solarizeAt = strong && rng() < 0.15 ? 128 + rng() * 127 : 256;
  const posterizeMask = strong && rng() < 0.15 ? (0xff << (4 + Math.floor(rng() * 3))) & 0xff : 0xff;
  const gains = [1, 1, 1];
  if (strong && !gray && rng() < 0.5) for (let c = 0; c < 3; c++) gains[c] = 0.6 + rng() * 0.8;
  const lut = new Uint8Array(768);
  for (let c = 0; c < 3; c++) {
    for (let v = 0; v < 256; v++) {
      let x = 255 * (v / 255) ** gamma;
      x = (x - 128) * contrast + 128 + brightness;
      x = Math.max(0, Math.min(255, Math.round(x * gains[c])));
      if (invert) x = 255 - x;
      if (x >= solarizeAt) x = 255 - x;
      lut[c * 256 + v] = x & posterizeMask;
    }
  }
  return lut;
}

/**
 * Blends a synthetic anomaly into a copy of `target`. Texture mode samples `source` (any size)
 * rotated by a multiple of 90°, maybe mirrored, cyclically shifted and strongly re-toned; structural
 * mode samples the target itself with its blocks permuted and mildly re-toned, giving seams and
 * misplaced features. `source` is unused in structural mode.
 */
export function pasteAnomaly(target: RgbImage, source: RgbImage, rng: Rng, options: PasteOptions = {}): PastedAnomaly {
  const { width, height } = target;
  const n = width * height;
  if (target.data.length !== n * 3) throw new Error(`target data has ${target.data.length} bytes, expected ${n * 3}`);
  const mode = options.mode === 'random' || !options.mode ? (rng() < 0.5 ? 'texture' : 'structural') : options.mode;
  const from = mode === 'texture' ? source : target;
  if (from.data.length !== from.width * from.height * 3) throw new Error('source data size does not match its dimensions');

  let mask: Uint8Array;
  if (options.mask) {
    if (options.mask.length !== n) throw new Error(`mask has ${options.mask.length} pixels, expected ${width}x${height}`);
    mask = Uint8Array.from(options.mask, (m) => (m ? 1 : 0));
  } else {
    mask = perlinMask(width, height, rng, { ...options.maskOptions, foreground: options.foreground });
  }
  const [lo, hi] = options.opacity ?? [0.2, 1];
  const beta = lo + (hi - lo) * rng();
  const gray = options.preserveGray === 'auto' || options.preserveGray === undefined ? looksGray(target) : options.preserveGray;
  const lut = toneLut(rng, gray, mode === 'texture');

  // Target pixel -> source pixel, in normalised [0, 1) coordinates so the sizes need not match.
  const quarterTurns = mode === 'texture' ? Math.floor(rng() * 4) : 2 * Math.floor(rng() * 2);
  const mirror = rng() < 0.5;
  const shiftU = mode === 'texture' ? rng() : 0;
  const shiftV = mode === 'texture' ? rng() : 0;
  const grid = mode === 'structural' ? 2 ** (1 + Math.floor(rng() * 3)) : 1;
  const blocks = Array.from({ length: grid * grid }, (_, i) => i);
  for (let i = blocks.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [blocks[i], blocks[j]] = [blocks[j], blocks[i]];
  }

  const out = target.data.slice();
  const src = from.data;
  const t = target.data;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!mask[i]) continue;
      let u = (x + 0.5) / width;
      let v = (y + 0.5) / height;
      if (grid > 1) {
        const bx = Math.floor(u * grid);
        const by = Math.floor(v * grid);
        const b = blocks[by * grid + bx];
        u = (b % grid) / grid + (u - bx / grid);
        v = Math.floor(b / grid) / grid + (v - by / grid);
      }
      let su = u;
      let sv = v;
      if (quarterTurns === 1) [su, sv] = [v, 1 - u];
      else if (quarterTurns === 2) [su, sv] = [1 - u, 1 - v];
      else if (quarterTurns === 3) [su, sv] = [1 - v, u];
      if (mirror) su = 1 - su;
      su = (su + shiftU) % 1;
      sv = (sv + shiftV) % 1;
      const sx = Math.min(from.width - 1, Math.floor(su * from.width));
      const sy = Math.min(from.height - 1, Math.floor(sv * from.height));
      const s = 3 * (sy * from.width + sx);
      const o = 3 * i;
      if (gray) {
        // Luma weights sum to 256, so an exactly gray pixel maps to itself.
        const sl = lut[(77 * src[s] + 150 * src[s + 1] + 29 * src[s + 2] + 128) >> 8];
        const tl = (77 * t[o] + 150 * t[o + 1] + 29 * t[o + 2] + 128) >> 8;
        out[o] = out[o + 1] = out[o + 2] = Math.round((1 - beta) * tl + beta * sl);
      } else {
        for (let c = 0; c < 3; c++) out[o + c] = Math.round((1 - beta) * t[o + c] + beta * lut[c * 256 + src[s + c]]);
      }
    }
  }
  return { image: { width, height, data: out }, mask, mode, opacity: beta };
}

/** Square dilation by `radius` (separable box max via prefix sums; pixels outside the image are 0). */
function dilate(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const rows = new Uint8Array(mask.length);
  const prefix = new Int32Array(Math.max(width, height) + 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) prefix[x + 1] = prefix[x] + (mask[y * width + x] ? 1 : 0);
    for (let x = 0; x < width; x++) {
      rows[y * width + x] = prefix[Math.min(width, x + radius + 1)] - prefix[Math.max(0, x - radius)] > 0 ? 1 : 0;
    }
  }
  const out = new Uint8Array(mask.length);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) prefix[y + 1] = prefix[y] + rows[y * width + x];
    for (let y = 0; y < height; y++) {
      out[y * width + x] = prefix[Math.min(height, y + radius + 1)] - prefix[Math.max(0, y - radius)] > 0 ? 1 : 0;
    }
  }
  return out;
}

/** Erosion as the complement of the dilated complement, so the image border does not eat into parts. */
function erode(mask: Uint8Array, width: number, height: number, radius: number): Uint8Array {
  const eroded = dilate(
    mask.map((m) => (m ? 0 : 1)),
    width,
    height,
    radius,
  );
  for (let i = 0; i < eroded.length; i++) eroded[i] ^= 1;
  return eroded;
}

export interface ForegroundOptions {
  /** Max per-channel difference from the border colour above which a pixel is foreground; default 25. */
  threshold?: number;
  /** Closing radius in pixels that fills speckle and small gaps; default 2% of the shorter side. */
  closeRadius?: number;
  /** Extra dilation so defects can reach the part's edge; default 0. */
  dilateRadius?: number;
}

/**
 * Foreground (1) of a part photographed on a uniform background: pixels that differ from the
 * border's median colour, then closed. On full-frame textures nearly everything differs from the
 * border median, so the whole image counts as foreground, which is what those need.
 */
export function foregroundMask(image: RgbImage, options: ForegroundOptions = {}): Uint8Array {
  const { width, height, data } = image;
  const threshold = options.threshold ?? 25;
  const closeRadius = options.closeRadius ?? Math.max(1, Math.round(0.02 * Math.min(width, height)));
  const dilateRadius = options.dilateRadius ?? 0;

  const histograms = [new Uint32Array(256), new Uint32Array(256), new Uint32Array(256)];
  let borderPixels = 0;
  const count = (x: number, y: number) => {
    const o = 3 * (y * width + x);
    for (let c = 0; c < 3; c++) histograms[c][data[o + c]]++;
    borderPixels++;
  };
  for (let x = 0; x < width; x++) {
    count(x, 0);
    if (height > 1) count(x, height - 1);
  }
  for (let y = 1; y < height - 1; y++) {
    count(0, y);
    if (width > 1) count(width - 1, y);
  }
  const background = histograms.map((h) => {
    let seen = 0;
    for (let v = 0; v < 256; v++) if ((seen += h[v]) * 2 >= borderPixels) return v;
    return 255;
  });

  let mask: Uint8Array = new Uint8Array(width * height);
  for (let i = 0; i < mask.length; i++) {
    const o = 3 * i;
    const diff = Math.max(
      Math.abs(data[o] - background[0]),
      Math.abs(data[o + 1] - background[1]),
      Math.abs(data[o + 2] - background[2]),
    );
    mask[i] = diff > threshold ? 1 : 0;
  }
  if (closeRadius > 0) mask = erode(dilate(mask, width, height, closeRadius), width, height, closeRadius);
  if (dilateRadius > 0) mask = dilate(mask, width, height, dilateRadius);
  return mask;
}
