/**
 * What the end-to-end tests share: the shipped demo part models (built by `npm run setup` beside
 * ../shared), real photos, photos re-encoded into every format a station may send, and onnxruntime-node's
 * scores of the same photos as the reference the browser must match.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { expect, type Page } from '@playwright/test';
import { CHROMIUM } from '../playwright.config';
import { decodeImage } from '../src/engine/image/decode-node';
import { readPartPackage, type PartPackage } from '../src/engine/patchflow/part-package';
import { PartModel } from '../src/engine/patchflow/pipeline';
import { nodeRuntime } from '../src/engine/runtime/node';
import { ensureBackbone, loadBackbone } from '../src/cli/provision-backbone';
import { sharedDir } from '../src/cli/paths';
import { demoPartsDir } from '../src/cli/demo-parts';
import { decodeSide } from '../src/engine/patchflow/tiling';

export const BOTTLE = path.join(sharedDir(), 'datasets', 'mvtec_bottle_512');
export const BOTTLE_PACKAGE = path.join(demoPartsDir(), 'bottle.zip');

/** Why the browser tests cannot run here, or null. */
export function missing(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} not found: apt-get install chromium (or set CHROMIUM_PATH)`;
  if (!existsSync(BOTTLE)) return `${BOTTLE} not found: set PATCHFLOW_SHARED`;
  if (!existsSync(BOTTLE_PACKAGE)) return `${BOTTLE_PACKAGE} not built: run npm run setup beside ../shared`;
  return null;
}

export const photo = (rel: string) => path.join(BOTTLE, rel);

export function bottlePackage(): Promise<PartPackage> {
  return readPartPackage([{ name: 'bottle.zip', bytes: new Uint8Array(readFileSync(BOTTLE_PACKAGE)) }]);
}

/** onnxruntime-node's scores for photos (sharp decoding): what every browser backend must reproduce. */
export async function nodeScores(files: string[]): Promise<number[]> {
  const pkg = await bottlePackage();
  const backbone = await loadBackbone((await ensureBackbone()).dir);
  const model = await PartModel.load(nodeRuntime(), backbone, pkg.manifest, pkg.head);
  const scores: number[] = [];
  for (const f of files) scores.push((await model.inspect(await decodeImage(new Uint8Array(readFileSync(f)), f, decodeSide(pkg.manifest.settings)))).score);
  await model.release();
  return scores;
}

export const relativeDifference = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-6);

export function scratchDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pf-e2e-'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** A 24-bit BMP (sharp writes none). */
function bmp(rgb: Buffer, width: number, height: number): Buffer {
  const row = Math.ceil((width * 3) / 4) * 4;
  const out = Buffer.alloc(54 + row * height);
  out.write('BM', 0);
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(54, 10);
  out.writeUInt32LE(40, 14);
  out.writeInt32LE(width, 18);
  out.writeInt32LE(height, 22);
  out.writeUInt16LE(1, 26);
  out.writeUInt16LE(24, 28);
  out.writeUInt32LE(row * height, 34);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const s = (y * width + x) * 3;
      const d = 54 + (height - 1 - y) * row + x * 3; // bottom-up rows, BGR
      out[d] = rgb[s + 2];
      out[d + 1] = rgb[s + 1];
      out[d + 2] = rgb[s];
    }
  }
  return out;
}

/** One real photo written in every format and layout the app must read; returns name → path. */
export async function photoVariants(source: string, dir: string): Promise<Record<string, string>> {
  const img = sharp(readFileSync(source));
  const { data, info } = await img.clone().removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const out: Record<string, string> = {};
  const write = async (name: string, bytes: Buffer | Promise<Buffer>) => {
    out[name] = path.join(dir, name);
    writeFileSync(out[name], await bytes);
  };
  await write('variant.webp', img.clone().webp({ quality: 90 }).toBuffer());
  await write('variant.avif', img.clone().avif({ quality: 60 }).toBuffer());
  await write('variant.gif', img.clone().gif().toBuffer());
  await write('variant.bmp', bmp(data, info.width, info.height));
  await write('variant-grey.png', img.clone().greyscale().png().toBuffer());
  await write('variant-16bit.png', img.clone().toColourspace('rgb16').png().toBuffer());
  await write('variant-alpha.png', img.clone().ensureAlpha(0.8).png().toBuffer());
  await write('variant-cmyk.jpg', img.clone().toColourspace('cmyk').jpeg({ quality: 95 }).toBuffer());
  // stored on its side, with EXIF orientation 6 ("rotate 90° clockwise to view")
  await write('variant-exif.jpg', img.clone().rotate(-90).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer());
  return out;
}

/** Bad input a station can send: not an image, a truncated JPEG, a 10000×10000 photo. */
export async function badPhotos(dir: string): Promise<Record<string, string>> {
  const out = { text: path.join(dir, 'notes.jpg'), truncated: path.join(dir, 'truncated.jpg'), huge: path.join(dir, 'huge.png') };
  writeFileSync(out.text, 'this is not a photo');
  writeFileSync(out.truncated, readFileSync(photo('test/good/001.jpg')).subarray(0, 3000));
  writeFileSync(out.huge, await sharp({ create: { width: 10000, height: 10000, channels: 3, background: '#808080' } }).png({ compressionLevel: 9 }).toBuffer());
  return out;
}

/** Opens the app with the bottle demo model chosen; returns the backend it runs on. */
export async function openWithBottle(page: Page, url = '/'): Promise<string> {
  await page.goto(url);
  const part = page.getByLabel('Part', { exact: true });
  await expect(part.locator('option', { hasText: 'bottle' })).toHaveCount(1, { timeout: 180_000 });
  await part.selectOption({ label: await part.locator('option', { hasText: 'bottle' }).first().innerText() });
  const backend = page.getByTestId('backend');
  await expect(backend).toHaveAttribute('data-backend', /webgpu|wasm/, { timeout: 300_000 });
  return (await backend.getAttribute('data-backend'))!;
}

/** The results shown for a photo name, once inspected (or failed). */
export function resultFor(page: Page, file: string) {
  return page.locator(`[data-testid="result"][data-file="${file}"]`);
}

export async function scoreOf(page: Page, file: string): Promise<number> {
  const item = resultFor(page, file);
  await expect(item).toHaveAttribute('data-verdict', /pass|fail|error/, { timeout: 300_000 });
  if ((await item.getAttribute('data-verdict')) === 'error') throw new Error(`${file} was not inspected: ${await item.innerText()}`);
  return Number(await item.getAttribute('data-score'));
}

/** How many photos of the batch show a verdict (several can appear at once). */
export function finishedCount(page: Page): Promise<number> {
  return page.locator('[data-testid="result"][data-verdict]').count();
}

/** Kills the inspection worker as a crash would, once at least `after` photos are finished. */
export async function crashInspectorAfter(page: Page, after: number): Promise<void> {
  await expect.poll(() => finishedCount(page), { timeout: 180_000, intervals: [100] }).toBeGreaterThanOrEqual(after);
  await page.evaluate(() => (window as unknown as { patchflow: { inspector: { crashWorker(): void } } }).patchflow.inspector.crashWorker());
}

/** What a teaching test sets in the Teach view before it trains. */
export interface Teaching {
  part: string;
  files: string[];
  epochs: number;
  seed?: number;
  preset?: string;
  /** The page's address (`?backend=` chooses where it trains); the Teach view of the app by default. */
  url?: string;
}

/** Opens the Teach view with a part name, photos and settings set, ready to train. */
export async function prepareTeaching(page: Page, t: Teaching): Promise<void> {
  await page.goto(t.url ?? '/#teach');
  await page.getByLabel('Part name', { exact: true }).fill(t.part);
  await page.getByLabel('Add good photos', { exact: true }).setInputFiles(t.files);
  if (t.preset) await page.getByLabel('Preset', { exact: true }).selectOption(t.preset);
  await page.getByText('Advanced', { exact: true }).click();
  await page.getByLabel('Epochs', { exact: true }).fill(String(t.epochs));
  if (t.seed !== undefined) await page.getByLabel('Seed', { exact: true }).fill(String(t.seed));
}

/** Waits for the Teach view's training to end and expects it done; a failed run fails at once, with its message. */
export async function trainingDone(page: Page, timeout: number): Promise<void> {
  const progress = page.getByTestId('teach-progress');
  await expect(progress).toHaveAttribute('data-status', /^(done|failed|cancelled)$/, { timeout });
  if ((await progress.getAttribute('data-status')) !== 'done') throw new Error(`training ended ${await progress.getAttribute('data-status')}: ${await progress.innerText()}`);
}
