/**
 * The browser path end to end: a part model trained by the CLI is loaded into the page, photos are
 * inspected by onnxruntime-web in the worker, verdicts and heat maps appear, bad files get a message.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { CHROMIUM } from '../playwright.config';

const SHARED = process.env.PATCHFLOW_SHARED ?? path.resolve('..', 'shared');
const BOTTLE = path.join(SHARED, 'datasets', 'mvtec_bottle_512');

test.skip(!existsSync(CHROMIUM), `${CHROMIUM} not found: apt-get install chromium (or set CHROMIUM_PATH)`);
test.skip(!existsSync(BOTTLE), `${BOTTLE} not found: set PATCHFLOW_SHARED`);

test('inspect photos with a part model in the browser', async ({ page }) => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'pf-e2e-'));
  const train = path.join(root, 'bottle', 'train', 'good');
  mkdirSync(train, { recursive: true });
  for (const f of readdirSync(path.join(BOTTLE, 'train/good')).sort().slice(0, 32)) copyFileSync(path.join(BOTTLE, 'train/good', f), path.join(train, f));
  const model = path.join(root, 'model');
  execFileSync('npx', ['tsx', 'src/cli/main.ts', 'train', '--data', path.join(root, 'bottle'), '--out', model, '--epochs', '2', '--batch', '8', '--quiet']);

  await page.goto('/');
  await page.getByLabel(/Part model/).setInputFiles([path.join(model, 'manifest.json'), path.join(model, 'head.onnx')]);
  await expect(page.getByText(/reject at score/)).toBeVisible({ timeout: 120_000 });
  await expect(page.getByText(/onnxruntime-web/)).toBeVisible();

  const good = path.join(BOTTLE, 'test/good/000.jpg');
  const broken = path.join(BOTTLE, 'test/broken_large/000.jpg');
  const notAnImage = path.join(root, 'notes.jpg');
  writeFileSync(notAnImage, 'this is not a photo');
  await page.getByLabel(/Drop part photos/).setInputFiles([good, broken, notAnImage]);

  const cards = page.locator('.results li');
  await expect(cards).toHaveCount(3);
  await expect(page.getByText(/score \d/)).toHaveCount(2, { timeout: 120_000 });
  await expect(page.getByRole('alert').filter({ hasText: 'notes.jpg: not a JPEG or PNG' })).toBeVisible();
  await expect(page.locator('canvas.heatmap')).toHaveCount(2);

  // both photos are named 000.jpg; the list keeps the order they were chosen in
  const scoreOf = async (card: number) => Number((await cards.nth(card).locator('.verdict').innerText()).match(/score (-?[\d.]+)/)![1]);
  expect(await scoreOf(1)).toBeGreaterThan(await scoreOf(0));
  await page.screenshot({ path: path.join('test-results', 'inspect.png'), fullPage: true });
});
