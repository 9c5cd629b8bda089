/**
 * The inspection app in Chromium on WASM (no GPU adapter here): the shipped bottle model scores real
 * photos as onnxruntime-node does, the heat map lies over the defect, every photo format is read, bad
 * input is reported on its own item, the threshold re-judges, exports hold every result, part models are
 * imported, kept and deleted, and a crashed worker restarts without losing the batch.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { zipSync } from 'fflate';
import { expect, test, type Page } from '@playwright/test';
import { packPartPackage } from '../src/engine/patchflow/part-package';
import { badPhotos, bottlePackage, crashInspectorAfter, finishedCount, missing, nodeScores, openWithBottle, photo, photoVariants, relativeDifference, resultFor, scoreOf, scratchDir } from './fixtures';

test.skip(() => missing() !== null, missing() ?? '');

const addPhotos = (page: Page, files: string[]) => page.getByLabel('Add photos', { exact: true }).setInputFiles(files);

/** The viewer canvas's pixels (photo with heat map, as drawn). */
async function overlayPixels(page: Page): Promise<{ width: number; height: number; data: number[] }> {
  return page.getByTestId('overlay').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    return { width: d.width, height: d.height, data: Array.from(d.data) };
  });
}

test('real photos on WASM score as onnxruntime-node does, and the heat map lies over the defect', async ({ page }) => {
  const files = [photo('test/good/000.jpg'), photo('test/broken_large/000.jpg')];
  const reference = await nodeScores(files);
  expect(await openWithBottle(page)).toBe('wasm');
  await expect(page.getByTestId('backend')).toContainText(/WebGPU unavailable/);
  await addPhotos(page, [files[0]]);
  const good = await scoreOf(page, '000.jpg');
  expect(relativeDifference(good, reference[0])).toBeLessThan(1e-3);
  await expect(resultFor(page, '000.jpg')).toHaveAttribute('data-verdict', 'pass');

  // the broken bottle shares the good one's name in another folder: copy it under its own name
  const broken = path.join(scratchDir(), 'broken_large-000.jpg');
  writeFileSync(broken, readFileSync(files[1]));
  await addPhotos(page, [broken]);
  const score = await scoreOf(page, 'broken_large-000.jpg');
  expect(relativeDifference(score, reference[1])).toBeLessThan(1e-3);
  await expect(resultFor(page, 'broken_large-000.jpg')).toHaveAttribute('data-verdict', 'fail');

  await resultFor(page, 'broken_large-000.jpg').click();
  const overlay = page.getByTestId('overlay');
  await expect(overlay).toBeVisible();
  await page.waitForTimeout(500);
  const on = await overlayPixels(page);
  await page.getByLabel('Show heat map').uncheck();
  await page.waitForTimeout(500);
  const off = await overlayPixels(page);
  await page.getByLabel('Show heat map').check();

  // the ground-truth mask at the canvas's size: heat (red) over the defect, clear glass elsewhere
  const mask = await sharp(photo('ground_truth/broken_large/000_mask.png')).resize(on.width, on.height, { kernel: 'nearest' }).greyscale().raw().toBuffer();
  const dilated = await sharp(photo('ground_truth/broken_large/000_mask.png')).resize(on.width, on.height).greyscale().blur(on.width / 10).raw().toBuffer();
  let inside = 0, insideRed = 0, far = 0, farChanged = 0;
  for (let p = 0; p < on.width * on.height; p++) {
    const changed = Math.abs(on.data[p * 4] - off.data[p * 4]) + Math.abs(on.data[p * 4 + 1] - off.data[p * 4 + 1]) + Math.abs(on.data[p * 4 + 2] - off.data[p * 4 + 2]) > 24;
    const redder = on.data[p * 4] - on.data[p * 4 + 2] > off.data[p * 4] - off.data[p * 4 + 2] + 24;
    if (mask[p] > 127) {
      inside++;
      if (redder) insideRed++;
    } else if (dilated[p] === 0) {
      far++;
      if (changed) farChanged++;
    }
  }
  expect(insideRed / inside).toBeGreaterThan(0.5);
  expect(farChanged / far).toBeLessThan(0.02);
  await page.screenshot({ path: path.join('test-results', 'inspect-overlay.png'), fullPage: true });
});

test('every photo format is read; bad photos get a message on their own item and the batch goes on', async ({ page }) => {
  const dir = scratchDir();
  const variants = await photoVariants(photo('test/broken_small/000.jpg'), dir);
  const bad = await badPhotos(dir);
  await openWithBottle(page);
  await addPhotos(page, [photo('test/good/002.jpg'), bad.text, ...Object.values(variants), bad.truncated, bad.huge]);
  await expect(resultFor(page, 'notes.jpg')).toHaveAttribute('data-verdict', 'error', { timeout: 120_000 });
  await expect(resultFor(page, 'notes.jpg').getByRole('alert')).toContainText(/notes\.jpg: not an image/);
  await expect(resultFor(page, 'truncated.jpg')).toHaveAttribute('data-verdict', 'error', { timeout: 120_000 });
  await expect(resultFor(page, 'huge.png')).toHaveAttribute('data-verdict', 'error', { timeout: 120_000 });
  await expect(resultFor(page, 'huge.png').getByRole('alert')).toContainText(/10000×10000 is larger than 40 megapixels/);
  // the same broken bottle in every format: all read, all fail, scores close to one another
  const scores: number[] = [];
  for (const name of Object.keys(variants)) {
    scores.push(await scoreOf(page, name));
    await expect(resultFor(page, name)).toHaveAttribute('data-verdict', 'fail');
  }
  expect(await scoreOf(page, '002.jpg')).toBeGreaterThan(0);
  const lossless = await nodeScores([variants['variant-exif.jpg']]);
  expect(relativeDifference(scores[Object.keys(variants).indexOf('variant-exif.jpg')], lossless[0])).toBeLessThan(1e-3);
  await expect(page.locator('[data-testid="result"]')).toHaveCount(Object.keys(variants).length + 4);

  // a photo dropped on the page (not chosen in the picker) is inspected too
  const bytes = readFileSync(photo('test/good/003.jpg')).toString('base64');
  const dropped = await page.evaluateHandle((b64) => {
    const dt = new DataTransfer();
    dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], 'dropped.jpg', { type: 'image/jpeg' }));
    return dt;
  }, bytes);
  await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer: dropped });
  await expect(resultFor(page, 'dropped.jpg')).toHaveAttribute('data-verdict', 'pass', { timeout: 120_000 });
});

test('the threshold re-judges every result, is saved into the model, and exports hold every result', async ({ page }) => {
  await openWithBottle(page);
  const names = ['000.jpg', '001.jpg', '002.jpg', '003.jpg'];
  await addPhotos(page, names.map((n) => photo(`test/good/${n}`)));
  const scores = await Promise.all(names.map((n) => scoreOf(page, n)));
  await expect(page.getByTestId('histogram')).toBeVisible();
  for (const n of names) await expect(resultFor(page, n)).toHaveAttribute('data-verdict', 'pass');
  // the model's threshold was set for 1 % false rejects; the panel says what any threshold would reject
  const estimated = page.getByTestId('estimated-false-rejects');
  await expect(estimated).toContainText(/Rejects ≈ 1\.0 % of good parts \(estimated from the \d+ good photos held out/);
  expect(Number(await estimated.getAttribute('data-value'))).toBeCloseTo(0.01, 6);

  // below the lowest good score: every photo fails, at once, without inspecting again
  const threshold = Math.min(...scores) * 0.9;
  const exact = page.getByRole('spinbutton', { name: /reject at score/i });
  await exact.fill(String(threshold));
  await exact.press('Enter');
  for (const n of names) await expect(resultFor(page, n)).toHaveAttribute('data-verdict', 'fail');
  expect(Number(await estimated.getAttribute('data-value'))).toBeGreaterThan(0.5);
  await expect(page.getByTestId('threshold-line')).toHaveCount(1); // a zero-width SVG line: attached, not 'visible'

  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
  const csvText = readFileSync(await csv.path(), 'utf8').trim().split('\n');
  expect(csvText[0]).toMatch(/file.*score.*verdict.*threshold.*model/);
  expect(csvText).toHaveLength(names.length + 1);
  for (const n of names) expect(csvText.some((l) => l.includes(n) && l.includes('fail'))).toBe(true);
  const [json] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
  const records = JSON.parse(readFileSync(await json.path(), 'utf8'));
  const rows = Array.isArray(records) ? records : records.results;
  expect(rows).toHaveLength(names.length);
  for (const r of rows) expect(Math.abs(r.threshold - threshold)).toBeLessThan(1e-6 * Math.max(1, threshold));
  const [pngs] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export overlays' }).click()]);
  expect(readFileSync(await pngs.path()).subarray(0, 2).toString()).toBe('PK');

  await page.getByRole('button', { name: 'Save threshold to model' }).click();
  await expect(page.getByText(/Saved: the model now rejects/)).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', /wasm|webgpu/, { timeout: 300_000 });
  await addPhotos(page, [photo('test/good/000.jpg')]);
  await expect(resultFor(page, '000.jpg')).toHaveAttribute('data-verdict', 'fail', { timeout: 120_000 });
});

test('part models are imported, kept across a reload and deleted; bad packages are refused and nothing is lost', async ({ page }) => {
  const dir = scratchDir();
  const pkg = await bottlePackage();
  const good = path.join(dir, 'bottle-line-2.zip');
  writeFileSync(good, packPartPackage({ ...pkg.manifest, part: 'bottle-line-2' }, pkg.head));
  const foreign = path.join(dir, 'foreign.zip');
  writeFileSync(foreign, packPartPackage({ ...pkg.manifest, part: 'foreign', backbone: { id: 'efficientnet_b5', sha256: 'ab'.repeat(32) } }, pkg.head));
  const tampered = path.join(dir, 'tampered.zip');
  const head = pkg.head.slice();
  head[head.length - 10] ^= 0xff;
  writeFileSync(tampered, packPartPackage(pkg.manifest, head));
  const notZip = path.join(dir, 'notes.zip');
  writeFileSync(notZip, 'not a zip at all');
  const bomb = path.join(dir, 'oversized.zip');
  writeFileSync(bomb, zipSync({ 'manifest.json': new TextEncoder().encode(JSON.stringify(pkg.manifest)), 'head.onnx': new Uint8Array(300 * 2 ** 20) }, { level: 9 }));

  await openWithBottle(page);
  await page.getByRole('link', { name: 'Library' }).click();
  const importer = page.getByLabel('Import part model', { exact: true });
  const items = page.getByTestId('library-item');
  const before = await items.count();
  for (const [file, message] of [
    [foreign, /trained on backbone 'efficientnet_b5'/],
    [tampered, /sha256.*damaged/],
    [notZip, /not a readable \.zip/],
    [bomb, /more than a part model may hold/],
  ] as const) {
    await importer.setInputFiles(file);
    await expect(page.getByRole('alert').filter({ hasText: message })).toBeVisible({ timeout: 60_000 });
    await expect(items).toHaveCount(before);
  }

  // a full disk: the import fails with a message, and the library keeps what it had
  await page.evaluate(() => {
    const put = IDBObjectStore.prototype.put;
    (window as unknown as { restorePut: () => void }).restorePut = () => (IDBObjectStore.prototype.put = put);
    IDBObjectStore.prototype.put = function () {
      throw new DOMException('quota exceeded (test)', 'QuotaExceededError');
    };
  });
  await importer.setInputFiles(good);
  await expect(page.getByRole('alert').filter({ hasText: /storage is full/i })).toBeVisible({ timeout: 60_000 });
  await expect(items).toHaveCount(before);
  await page.evaluate(() => (window as unknown as { restorePut: () => void }).restorePut());

  await importer.setInputFiles(good);
  await expect(page.locator('[data-testid="library-item"][data-part="bottle-line-2"]')).toHaveCount(1, { timeout: 60_000 });
  await page.reload();
  await page.getByRole('link', { name: 'Library' }).click();
  const imported = page.locator('[data-testid="library-item"][data-part="bottle-line-2"]');
  await expect(imported).toHaveCount(1, { timeout: 60_000 });
  await expect(page.getByLabel('Part', { exact: true }).locator('option', { hasText: 'bottle-line-2' })).toHaveCount(1);
  await imported.getByRole('button', { name: 'Delete' }).click();
  await imported.getByRole('button', { name: 'Yes, delete' }).click();
  await expect(imported).toHaveCount(0);
  await page.reload();
  await page.getByRole('link', { name: 'Library' }).click();
  await expect(page.locator('[data-testid="library-item"][data-part="bottle"]')).toHaveCount(1, { timeout: 60_000 });
  await expect(page.locator('[data-testid="library-item"][data-part="bottle-line-2"]')).toHaveCount(0);
});

test('a crashed worker is restarted and the batch goes on, inspecting every photo', async ({ page }) => {
  await openWithBottle(page);
  await addPhotos(page, [photo('test/good/000.jpg')]);
  await scoreOf(page, '000.jpg');
  // enough photos that the crash falls in the middle of the batch
  const names = Array.from({ length: 14 }, (_, i) => `${String(i + 4).padStart(3, '0')}.jpg`);
  await addPhotos(page, names.map((n) => photo(`test/good/${n}`)));
  await crashInspectorAfter(page, 2);
  expect(await finishedCount(page)).toBeLessThan(names.length + 1);
  for (const n of names) await expect(resultFor(page, n)).toHaveAttribute('data-verdict', /pass|fail|error/, { timeout: 180_000 });
  // the photos in flight when it died were sent again to the restarted worker
  const verdicts = await Promise.all(names.map((n) => resultFor(page, n).getAttribute('data-verdict')));
  expect(verdicts.filter((v) => v === 'pass' || v === 'fail')).toHaveLength(names.length);
  await expect(resultFor(page, '000.jpg')).toHaveAttribute('data-verdict', 'pass');
  await expect(page.getByTestId('backend')).toContainText('the inspection worker restarted (crash requested for testing)');
});
