import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../src/engine/image/decode';
import { createRng } from '../../src/engine/random';
import {
  foregroundMask,
  looksGray,
  pasteAnomaly,
  perlinMask,
  perlinNoise2d,
} from '../../src/engine/train/synthetic';

/** Smooth colour gradient with a little texture, so pasted texture differs from the target. */
function colourImage(width: number, height: number, seed: number): RgbImage {
  const rng = createRng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const o = 3 * (y * width + x);
      data[o] = (x * 255) / width;
      data[o + 1] = (y * 255) / height;
      data[o + 2] = 100 + rng() * 60;
    }
  }
  return { width, height, data };
}

function grayImage(width: number, height: number, seed: number): RgbImage {
  const rng = createRng(seed);
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data[3 * i] = data[3 * i + 1] = data[3 * i + 2] = 60 + rng() * 120;
  return { width, height, data };
}

/** A bright disc (the part) on a uniform dark background. */
function partOnBackground(size: number, radius: number): RgbImage {
  const data = new Uint8Array(size * size * 3).fill(20);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const o = 3 * (y * size + x);
      if ((x - size / 2) ** 2 + (y - size / 2) ** 2 <= radius * radius) data.fill(180, o, o + 3);
    }
  }
  return { width: size, height: size, data };
}

const sum = (mask: Uint8Array) => mask.reduce((a, m) => a + m, 0);

describe('createRng', () => {
  it('is deterministic per seed and uniform in [0, 1)', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(createRng(43)()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((s, x) => s + x, 0) / xs.length).toBeCloseTo(0.5, 1);
  });
});

describe('perlinNoise2d', () => {
  it('is zero on lattice points, bounded, and reproducible', () => {
    const noise = perlinNoise2d(64, 32, [4, 2], createRng(1));
    expect(noise.length).toBe(64 * 32);
    // Lattice points fall every 16 px in both axes; gradient noise vanishes there.
    for (const [x, y] of [[0, 0], [16, 0], [48, 16]]) expect(noise[y * 64 + x]).toBeCloseTo(0, 6);
    expect(Math.max(...noise)).toBeLessThanOrEqual(1);
    expect(Math.min(...noise)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...noise) - Math.min(...noise)).toBeGreaterThan(0.5);
    expect(perlinNoise2d(64, 32, [4, 2], createRng(1))).toEqual(noise);
    expect(() => perlinNoise2d(8, 8, [0, 1], createRng(1))).toThrow(/positive integers/);
  });
});

describe('perlinMask', () => {
  it('keeps coverage within bounds over many seeds', () => {
    for (let seed = 0; seed < 40; seed++) {
      const mask = perlinMask(64, 48, createRng(seed));
      const covered = sum(mask);
      expect(covered).toBeGreaterThanOrEqual(Math.ceil(0.005 * 64 * 48));
      expect(covered).toBeLessThanOrEqual(0.4 * 64 * 48);
      expect(mask.every((m) => m === 0 || m === 1)).toBe(true);
    }
    const tight = perlinMask(64, 64, createRng(5), { coverage: [0.05, 0.1] });
    expect(sum(tight) / 4096).toBeGreaterThanOrEqual(0.05);
    expect(sum(tight) / 4096).toBeLessThanOrEqual(0.1);
  });

  it('is deterministic for a seed', () => {
    expect(perlinMask(40, 40, createRng(9))).toEqual(perlinMask(40, 40, createRng(9)));
  });

  it('stays inside the foreground and falls back to a disc when noise cannot fit', () => {
    const fg = new Uint8Array(64 * 64);
    for (let y = 10; y < 30; y++) fg.fill(1, y * 64 + 20, y * 64 + 50);
    for (let seed = 0; seed < 20; seed++) {
      const mask = perlinMask(64, 64, createRng(seed), { foreground: fg });
      expect(sum(mask)).toBeGreaterThan(0);
      expect(mask.every((m, i) => !m || fg[i] === 1)).toBe(true);
    }
    const single = new Uint8Array(64 * 64);
    single[64 * 40 + 7] = 1;
    const fallback = perlinMask(64, 64, createRng(1), { foreground: single, maxTries: 2 });
    expect(sum(fallback)).toBe(1);
    expect(fallback[64 * 40 + 7]).toBe(1);
    expect(() => perlinMask(8, 8, createRng(1), { foreground: new Uint8Array(64) })).toThrow(/empty/);
  });
});

describe('pasteAnomaly', () => {
  const target = colourImage(96, 80, 1);
  const source = colourImage(50, 70, 2);

  it('is deterministic and changes pixels only inside the mask', () => {
    for (const mode of ['texture', 'structural'] as const) {
      const a = pasteAnomaly(target, source, createRng(11), { mode });
      const b = pasteAnomaly(target, source, createRng(11), { mode });
      expect(a.image.data).toEqual(b.image.data);
      expect(a.mask).toEqual(b.mask);
      expect(a.mode).toBe(mode);
      expect(a.opacity).toBeGreaterThanOrEqual(0.2);
      expect(a.opacity).toBeLessThan(1);
      let changedInside = 0;
      let changedOutside = 0;
      for (let i = 0; i < a.mask.length; i++) {
        const changed = [0, 1, 2].some((c) => a.image.data[3 * i + c] !== target.data[3 * i + c]);
        if (changed && a.mask[i]) changedInside++;
        else if (changed) changedOutside++;
      }
      expect(changedOutside).toBe(0);
      // Visible, not a no-op: most defect pixels differ from the original.
      expect(changedInside).toBeGreaterThan(0.5 * sum(a.mask));
    }
    expect(target.data).toEqual(colourImage(96, 80, 1).data);
  });

  it('uses a given mask as is and honours the opacity range', () => {
    const mask = new Uint8Array(96 * 80);
    mask.fill(255, 96 * 10, 96 * 20);
    const pasted = pasteAnomaly(target, source, createRng(3), { mask, mode: 'texture', opacity: [1, 1] });
    expect(sum(pasted.mask)).toBe(96 * 10);
    expect(pasted.opacity).toBe(1);
  });

  it('keeps gray images gray (automatically and on request)', () => {
    const gray = grayImage(64, 64, 4);
    expect(looksGray(gray)).toBe(true);
    expect(looksGray(target)).toBe(false);
    for (let seed = 0; seed < 10; seed++) {
      for (const preserveGray of ['auto', true] as const) {
        const { image, mask } = pasteAnomaly(gray, source, createRng(seed), { preserveGray, mode: 'texture' });
        expect(sum(mask)).toBeGreaterThan(0);
        let coloured = 0;
        for (let i = 0; i < 64 * 64; i++) {
          const [r, g, b] = image.data.subarray(3 * i, 3 * i + 3);
          if (r !== g || r !== b) coloured++;
        }
        expect(coloured).toBe(0);
      }
    }
    // Without it, colour from the source leaks in (which would make detection trivial).
    const coloured = pasteAnomaly(gray, source, createRng(0), { preserveGray: false, mode: 'texture', opacity: [1, 1] });
    expect(looksGray(coloured.image)).toBe(false);
  });

  it('keeps defects on the part when given its foreground', () => {
    const part = partOnBackground(80, 25);
    const fg = foregroundMask(part);
    for (let seed = 0; seed < 10; seed++) {
      const { image, mask } = pasteAnomaly(part, source, createRng(seed), { foreground: fg });
      expect(sum(mask)).toBeGreaterThan(0);
      let offPart = 0;
      for (let i = 0; i < mask.length; i++) {
        if (!fg[i] && (mask[i] || image.data[3 * i] !== part.data[3 * i])) offPart++;
      }
      expect(offPart).toBe(0);
    }
  });

  it('takes a few milliseconds at 256x256', () => {
    const big = colourImage(256, 256, 5);
    const other = colourImage(256, 256, 6);
    const rng = createRng(1);
    pasteAnomaly(big, other, rng);
    const start = performance.now();
    for (let k = 0; k < 20; k++) pasteAnomaly(big, other, rng);
    expect((performance.now() - start) / 20).toBeLessThan(25);
  });
});

describe('foregroundMask', () => {
  it('finds a part on a uniform background and closes small holes', () => {
    const part = partOnBackground(80, 25);
    // A 2-pixel background-coloured pinhole inside the part gets closed.
    part.data.fill(20, 3 * (40 * 80 + 40), 3 * (40 * 80 + 42));
    const fg = foregroundMask(part);
    const area = sum(fg);
    expect(area).toBeGreaterThan(Math.PI * 24 * 24);
    expect(area).toBeLessThan(Math.PI * 27 * 27);
    expect(fg[40 * 80 + 40]).toBe(1);
    expect(fg[0]).toBe(0);
    expect(fg[40 * 80 + 5]).toBe(0);
    expect(sum(foregroundMask(part, { dilateRadius: 3 }))).toBeGreaterThan(area);
  });
});
