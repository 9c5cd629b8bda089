/**
 * Teaching a part in Chromium on WASM from real good photos: the progress and the loss curve move, a
 * reload mid-training goes on from the last finished epoch, the held-out photos get heat maps, bad
 * photos and duplicates are pointed out, the part is saved to the library, and the Inspect view then
 * fails a broken bottle with the heat map over the break.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { expect, test, type Page } from '@playwright/test';
import { BOTTLE, missing, photo, prepareTeaching, resultFor, scratchDir, trainingDone } from './fixtures';

test.skip(() => missing() !== null, missing() ?? '');

const PHOTOS = 30;
const EPOCHS = 4;
const goodPhotos = () => readdirSync(path.join(BOTTLE, 'train', 'good')).sort().slice(0, PHOTOS).map((f) => photo(`train/good/${f}`));

const epochOf = async (page: Page) => Number(await page.getByTestId('teach-progress').getAttribute('data-epoch'));
const curvePoints = async (page: Page) => Number(await page.getByTestId('teach-loss-chart').getAttribute('data-points'));

test('teach from real photos: progress, a reload resumes, save, and the new part fails a broken bottle over the break', async ({ page }) => {
  test.setTimeout(1_800_000);
  await prepareTeaching(page, { part: 'bottle-taught', files: goodPhotos(), epochs: EPOCHS });
  await expect(page.getByTestId('teach-photo-count')).toHaveAttribute('data-ready', String(PHOTOS), { timeout: 120_000 });
  await expect(page.getByTestId('teach-photo-count')).toContainText(/Enough to train/);
  await page.getByRole('button', { name: 'Train', exact: true }).click();

  const progress = page.getByTestId('teach-progress');
  await expect(progress).toHaveAttribute('data-phase', 'cache', { timeout: 120_000 });
  await expect(progress).toContainText(/reading photos/);
  await expect(progress).toHaveAttribute('data-loss', /^\d/, { timeout: 600_000 });
  await expect(progress).toContainText(/left/);
  await expect.poll(() => curvePoints(page), { timeout: 300_000 }).toBe(1);
  await expect(page.getByTestId('teach-auroc-chart')).toHaveAttribute('data-points', '1');
  // epoch 2 under way: epoch 1's checkpoint is kept
  await expect.poll(() => epochOf(page), { timeout: 300_000 }).toBeGreaterThanOrEqual(2);
  const before = await epochOf(page);
  await page.screenshot({ path: path.join('test-results', 'teach-training.png'), fullPage: true });

  await page.reload();
  await expect(page.getByText(/Training resumed after the reload from epoch [2-9]/)).toBeAttached({ timeout: 60_000 });
  await expect(progress).toHaveAttribute('data-resumed-after', /^[1-9]/);
  const resumedAfter = Number(await progress.getAttribute('data-resumed-after'));
  expect(resumedAfter).toBeGreaterThanOrEqual(before - 1);
  // the epochs done before the reload are on the curve at once, and training never goes back to epoch 1
  expect(await curvePoints(page)).toBe(resumedAfter);
  expect(await epochOf(page)).toBe(resumedAfter + 1);
  await expect(page.getByLabel('Part name', { exact: true })).toHaveValue('bottle-taught');
  await trainingDone(page, 900_000);
  expect(await curvePoints(page)).toBe(EPOCHS);

  // heat maps on the held-out good photos (15 % of 30), which the calibrated threshold passes
  const checks = page.getByTestId('teach-check');
  await expect(checks).toHaveCount(5, { timeout: 60_000 });
  await expect(checks.and(page.locator('[data-verdict="pass"], [data-verdict="fail"]'))).toHaveCount(5, { timeout: 120_000 });
  expect(await page.locator('[data-testid="teach-check"][data-verdict="pass"]').count()).toBeGreaterThanOrEqual(4);

  // a real defect photo on the operating point: scored above the good ones
  const broken = path.join(scratchDir(), 'broken_large-000.jpg');
  writeFileSync(broken, readFileSync(photo('test/broken_large/000.jpg')));
  await page.getByLabel('Add defect photos', { exact: true }).setInputFiles([broken]);
  const defect = page.locator('[data-testid="teach-check"][data-kind="defect"]');
  await expect(defect).toHaveAttribute('data-verdict', 'fail', { timeout: 120_000 });
  await expect(page.getByTestId('teach-rates')).toHaveAttribute('data-missed', '0');
  await page.screenshot({ path: path.join('test-results', 'teach-done.png'), fullPage: true });

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(page.getByText(/Saved 'bottle-taught' to the library/)).toBeVisible({ timeout: 60_000 });

  // the Inspect view now inspects with the taught part
  await page.getByRole('link', { name: 'Inspect', exact: true }).click();
  const part = page.getByLabel('Part', { exact: true });
  await expect(part.locator('option:checked')).toHaveText(/bottle-taught/, { timeout: 60_000 });
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'wasm', { timeout: 300_000 });
  await page.getByLabel('Add photos', { exact: true }).setInputFiles([broken]);
  await expect(resultFor(page, 'broken_large-000.jpg')).toHaveAttribute('data-verdict', 'fail', { timeout: 300_000 });
  await resultFor(page, 'broken_large-000.jpg').click();
  await expect(page.getByTestId('overlay')).toHaveAttribute('data-drawn', 'true', { timeout: 60_000 });
  const heat = await heatOverDefect(page, photo('test/broken_large/000.jpg'), photo('ground_truth/broken_large/000_mask.png'));
  expect(heat.insideMask).toBeGreaterThan(0.5);
  expect(heat.farFromMask).toBeLessThan(0.02);
  await page.screenshot({ path: path.join('test-results', 'teach-inspect.png'), fullPage: true });
});

/**
 * Shares of the viewer's pixels that the heat map turned red: inside the defect's mask, and far from it
 * (outside the mask blurred by a tenth of the photo). The photo itself, resized alike, is the reference.
 */
async function heatOverDefect(page: Page, photoPath: string, maskPath: string): Promise<{ insideMask: number; farFromMask: number }> {
  const drawn = await page.getByTestId('overlay').evaluate((c: HTMLCanvasElement) => {
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    return { width: d.width, height: d.height, data: Array.from(d.data) };
  });
  const { width, height } = drawn;
  const plain = await sharp(photoPath).resize(width, height).removeAlpha().raw().toBuffer();
  const mask = await sharp(maskPath).resize(width, height, { kernel: 'nearest' }).greyscale().raw().toBuffer();
  const near = await sharp(maskPath).resize(width, height).greyscale().blur(width / 10).raw().toBuffer();
  const count = { inside: 0, insideRed: 0, far: 0, farRed: 0 };
  for (let p = 0; p < width * height; p++) {
    const red = drawn.data[p * 4] - drawn.data[p * 4 + 2] > plain[p * 3] - plain[p * 3 + 2] + 40;
    if (mask[p] > 127) {
      count.inside++;
      if (red) count.insideRed++;
    } else if (near[p] === 0) {
      count.far++;
      if (red) count.farRed++;
    }
  }
  return { insideMask: count.insideRed / count.inside, farFromMask: count.farRed / count.far };
}

test('too few photos, unreadable files and duplicates are pointed out before training', async ({ page }) => {
  const dir = scratchDir();
  const files = goodPhotos().slice(0, 12);
  const notPhoto = path.join(dir, 'notes.jpg');
  writeFileSync(notPhoto, 'this is not a photo');
  const copy = path.join(dir, 'copy-of-000.jpg');
  writeFileSync(copy, readFileSync(files[0]));
  await prepareTeaching(page, { part: 'bottle', files: [...files, notPhoto, copy], epochs: 2 });
  const count = page.getByTestId('teach-photo-count');
  await expect(count).toHaveAttribute('data-ready', '13', { timeout: 120_000 });
  await expect(count).toContainText(/7 more good photos needed: training takes at least 20/);
  await expect(page.getByRole('button', { name: 'Train', exact: true })).toBeDisabled();
  await expect(page.getByRole('alert').filter({ hasText: /notes\.jpg: not an image/ })).toBeVisible();
  await expect(page.getByText(/1 photo repeats another one exactly/)).toBeVisible();
  await page.getByRole('button', { name: 'Remove duplicates' }).click();
  await expect(count).toHaveAttribute('data-ready', '12');
  await page.getByRole('button', { name: 'Remove them' }).click();
  await expect(page.getByRole('alert').filter({ hasText: /notes\.jpg/ })).toHaveCount(0);

  // a box dragged on the first photo is the region every photo is cut to; 'Whole photo' takes it back
  const preview = page.getByRole('img', { name: 'Region of interest on the first photo' });
  // the header settles (part model loaded, app cached) and with it the layout, so the box stays where it is measured
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', /wasm|webgpu/, { timeout: 120_000 });
  await expect(page.getByTestId('offline-ready')).toHaveAttribute('data-ready', 'true', { timeout: 120_000 });
  const layer = page.getByTestId('teach-roi-layer');
  let box = (await layer.boundingBox())!;
  await expect.poll(async () => {
    const [before, now] = [box, (await layer.boundingBox())!];
    box = now;
    return before.x === now.x && before.y === now.y;
  }, { intervals: [300] }).toBe(true);
  await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.1);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.75, box.y + box.height * 0.9, { steps: 4 });
  await page.mouse.up();
  await expect(preview).toHaveAttribute('data-region', /^[\d.]+,[\d.]+,[\d.]+,[\d.]+$/);
  const region = (await preview.getAttribute('data-region'))!.split(',').map(Number);
  [0.25, 0.1, 0.5, 0.8].forEach((want, i) => expect(region[i]).toBeCloseTo(want, 1));
  // the same box from the keyboard: arrows move it, Shift + arrows resize it, Enter keeps it
  const keys = page.getByRole('group', { name: 'Region of interest on the first photo' });
  await keys.focus();
  await keys.press('ArrowRight');
  await keys.press('Shift+ArrowDown');
  await keys.press('Enter');
  await expect(preview).not.toHaveAttribute('data-region', region.join(','));
  const nudged = (await preview.getAttribute('data-region'))!.split(',').map(Number);
  [region[0] + 0.02, region[1], region[2], region[3] + 0.02].forEach((want, i) => expect(nudged[i]).toBeCloseTo(want, 3));
  await page.getByRole('button', { name: 'Whole photo' }).click();
  await expect(preview).not.toHaveAttribute('data-region');

  // a part with thin defects gets its heat map from every map
  const thin = page.getByRole('checkbox', { name: 'Thin defects (cracks, scratches)' });
  await thin.check();
  await expect(page.getByText('it covers a thin crack along its length')).toBeVisible();
  await thin.uncheck();
});
