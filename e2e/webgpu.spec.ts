/**
 * WebGPU, proven correct: Chromium with --enable-unsafe-webgpu (SwiftShader here: slow, but real WebGPU)
 * runs the full default model, and its scores match WASM's in the same browser within 1e-3 relative; a
 * GPU lost mid-batch costs no photo; a model with a nearest-neighbour companion, one with a tall input (a
 * letterboxed photo too), and a tiled one match onnxruntime-node on both.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ensureBackbone, loadBackbone } from '../src/cli/provision-backbone';
import { trainCommand } from '../src/cli/train';
import { decodeImage } from '../src/engine/image/decode-node';
import { packPartPackage } from '../src/engine/patchflow/part-package';
import { PartModel } from '../src/engine/patchflow/pipeline';
import { nodeRuntime } from '../src/engine/runtime/node';
import { BOTTLE, finishedCount, missing, nodeScores, openWithBottle, photo, relativeDifference, resultFor, scoreOf, scratchDir } from './fixtures';
import { sharedDir } from '../src/cli/paths';
import type { TrainArgs } from '../src/cli/train';
import type { Browser, Page } from '@playwright/test';
import { decodeSide } from '../src/engine/patchflow/tiling';

test.skip(() => missing() !== null, missing() ?? '');

test('the default model on WebGPU scores real photos as WASM does', async ({ browser }) => {
  test.setTimeout(900_000);
  const dir = scratchDir();
  const files = [photo('test/good/000.jpg'), path.join(dir, 'broken.jpg')];
  writeFileSync(files[1], readFileSync(photo('test/broken_large/000.jpg')));
  const scores: Record<string, number[]> = {};
  for (const backend of ['webgpu', 'wasm']) {
    const page = await (await browser.newContext()).newPage();
    expect(await openWithBottle(page, `/?backend=${backend}`)).toBe(backend);
    await page.getByLabel('Add photos', { exact: true }).setInputFiles(files);
    scores[backend] = [await scoreOf(page, '000.jpg'), await scoreOf(page, 'broken.jpg')];
    // still on the backend it was asked for: no photo fell back to WASM
    await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', backend);
    if (backend === 'webgpu') {
      await page.screenshot({ path: path.join('test-results', 'inspect-webgpu.png'), fullPage: true });
    }
    await page.close();
  }
  for (let i = 0; i < files.length; i++) expect(relativeDifference(scores.webgpu[i], scores.wasm[i])).toBeLessThan(1e-3);
  expect(scores.webgpu[1]).toBeGreaterThan(scores.webgpu[0]);
});

test('a GPU lost in the middle of a batch restarts the worker, and the photos in flight are inspected again', async ({ page }) => {
  test.setTimeout(900_000);
  const dir = scratchDir();
  const files = [photo('test/good/000.jpg'), path.join(dir, 'broken.jpg'), photo('test/good/001.jpg')];
  writeFileSync(files[1], readFileSync(photo('test/broken_large/000.jpg')));
  const names = files.map((f) => path.basename(f));
  expect(await openWithBottle(page, '/?backend=webgpu')).toBe('webgpu');
  await page.getByLabel('Add photos', { exact: true }).setInputFiles(files);
  await expect.poll(() => finishedCount(page), { timeout: 300_000, intervals: [100] }).toBeGreaterThanOrEqual(1);
  await page.evaluate(() => (window as unknown as { patchflow: { inspector: { loseGpu(): Promise<void> } } }).patchflow.inspector.loseGpu());

  // the restarted worker is on a fresh device: back on WebGPU, saying why it restarted
  await expect(page.getByTestId('backend')).toContainText('the inspection worker restarted (the GPU was lost', { timeout: 300_000 });
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'webgpu');
  const expected = await nodeScores(files);
  for (let i = 0; i < files.length; i++) expect(relativeDifference(await scoreOf(page, names[i]), expected[i])).toBeLessThan(1e-3);
  await expect(page.locator('[data-testid="result"][data-verdict="error"]')).toHaveCount(0);
});

/** Trains a part in onnxruntime-node from the first `count` good photos of `from`, packed for import, with its node scores of `photos`. */
async function trainedPart(from: string, count: number, args: Omit<TrainArgs, 'data'>, photos: string[]) {
  const dir = scratchDir();
  const data = path.join(dir, args.part!);
  mkdirSync(path.join(data, 'train/good'), { recursive: true });
  for (const f of readdirSync(path.join(from, 'train/good')).sort().slice(0, count)) copyFileSync(path.join(from, 'train/good', f), path.join(data, 'train/good', f));
  const runtime = nodeRuntime();
  const backbone = await loadBackbone((await ensureBackbone()).dir);
  const model = await trainCommand(runtime, backbone, { data, ...args, quiet: true });
  const zip = path.join(dir, `${args.part}.zip`);
  writeFileSync(zip, packPartPackage(model.manifest, model.head));
  const scorer = await PartModel.load(runtime, backbone, model.manifest, model.head);
  const expected: number[] = [];
  for (const f of photos) expected.push((await scorer.inspect(await decodeImage(new Uint8Array(readFileSync(f)), f, decodeSide(model.manifest.settings)))).score);
  await scorer.release();
  return { model, zip, expected };
}

/** Imports a part package into the library and makes it the part in use, on the page's backend. */
async function usePart(page: Page, zip: string, part: string, backend: string): Promise<void> {
  await page.getByRole('link', { name: 'Library' }).click();
  await page.getByLabel('Import part model', { exact: true }).setInputFiles(zip);
  const chooser = page.getByLabel('Part', { exact: true });
  await expect(chooser.locator('option', { hasText: part })).toHaveCount(1, { timeout: 60_000 });
  await chooser.selectOption({ label: await chooser.locator('option', { hasText: part }).innerText() });
  await expect(page.getByTestId('backend')).toHaveAttribute('data-part', part, { timeout: 300_000 });
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', backend);
  await page.getByRole('link', { name: 'Inspect' }).click();
}

/** Imports the part on WebGPU, then on WASM, and checks that each scores `file` as onnxruntime-node did. */
async function expectNodeScoreOnBothBackends(browser: Browser, zip: string, part: string, file: string, expected: number, what: string): Promise<void> {
  for (const backend of ['webgpu', 'wasm']) {
    const page = await (await browser.newContext()).newPage();
    await openWithBottle(page, `/?backend=${backend}`);
    await usePart(page, zip, part, backend);
    await page.getByLabel('Add photos', { exact: true }).setInputFiles(file);
    const score = await scoreOf(page, path.basename(file));
    console.log(`${what} on ${backend}: ${score.toFixed(4)} (onnxruntime-node ${expected.toFixed(4)})`);
    expect(relativeDifference(score, expected)).toBeLessThan(1e-3);
    await page.close();
  }
}

test('a nearest-neighbour companion scores on WebGPU as on WASM and as onnxruntime-node', async ({ browser }) => {
  test.setTimeout(900_000);
  const broken = path.join(scratchDir(), 'broken.jpg');
  writeFileSync(broken, readFileSync(photo('test/broken_large/000.jpg')));
  // 24 good bottles and one epoch: the memory bank, not the flow, is what this checks
  const { zip, expected } = await trainedPart(BOTTLE, 24, {
    part: 'bottle-nn', epochs: 1, batch: 8,
    gaussians: 's8_block+s16_block@1:128:random-channels:nn=0.01', combine: 'gaussian.0', heatMap: 'gaussian.0',
  }, [broken]);
  await expectNodeScoreOnBothBackends(browser, zip, 'bottle-nn', broken, expected[0], 'nearest-neighbour companion');
});

const KOLEKTOR = path.join(sharedDir(), 'datasets', 'kolektorsdd');

test('a tall part is inspected at its own aspect ratio, and a square photo letterboxed, on WebGPU and WASM as by onnxruntime-node', async ({ browser }) => {
  test.skip(!existsSync(KOLEKTOR), `${KOLEKTOR} not found: set PATCHFLOW_SHARED`);
  test.setTimeout(900_000);
  const dir = scratchDir();
  const tall = path.join(dir, 'commutator.jpg');
  const square = path.join(dir, 'bottle.jpg');
  const defects = path.join(KOLEKTOR, 'test/defect');
  copyFileSync(path.join(defects, readdirSync(defects).filter((f) => f.endsWith('.jpg')).sort()[0]), tall);
  copyFileSync(photo('test/good/000.jpg'), square);
  // 24 good commutators (256 × 646) and one epoch, the default preset: the tall input is what this checks
  const { model, zip, expected } = await trainedPart(KOLEKTOR, 24, { part: 'commutator', epochs: 1, batch: 8 }, [tall, square]);
  expect(model.manifest.settings.features.input).toEqual({ width: 256, height: 640 });
  for (const backend of ['webgpu', 'wasm']) {
    const page = await (await browser.newContext()).newPage();
    await openWithBottle(page, `/?backend=${backend}`);
    await usePart(page, zip, 'commutator', backend);
    await page.getByLabel('Add photos', { exact: true }).setInputFiles([tall, square]);
    const scores = [await scoreOf(page, 'commutator.jpg'), await scoreOf(page, 'bottle.jpg')];
    console.log(`tall part on ${backend}: ${scores.map((v) => v.toFixed(4)).join(', ')} (onnxruntime-node ${expected.map((v) => v.toFixed(4)).join(', ')})`);
    scores.forEach((score, i) => expect(relativeDifference(score, expected[i])).toBeLessThan(1e-3));
    // the square photo filled 256 × 256 of the 256 × 640 input, and the viewer says so; the commutator filled it
    await resultFor(page, 'bottle.jpg').click();
    await expect(page.getByTestId('letterboxed')).toHaveAttribute('data-value', '0.400');
    await resultFor(page, 'commutator.jpg').click();
    await expect(page.getByTestId('letterboxed')).toHaveCount(0);
    if (backend === 'webgpu') await page.screenshot({ path: path.join('test-results', 'inspect-tall-webgpu.png'), fullPage: true });
    await page.close();
  }
});

test('a tiled model reads each tile with its own Gaussians on WebGPU and WASM as onnxruntime-node does', async ({ browser }) => {
  test.setTimeout(900_000);
  const broken = path.join(scratchDir(), 'broken.jpg');
  writeFileSync(broken, readFileSync(photo('test/broken_large/000.jpg')));
  // 16 good bottles, 2 × 2 tiles, one epoch: the tile input and the stitching are what this checks
  const { model, zip, expected } = await trainedPart(BOTTLE, 16, { part: 'bottle-tiled', epochs: 1, batch: 8, tiles: '2x2' }, [broken]);
  expect(model.manifest.settings.tiles).toEqual({ columns: 2, rows: 2, overlap: 0.25 });
  await expectNodeScoreOnBothBackends(browser, zip, 'bottle-tiled', broken, expected[0], 'tiled model');
});
