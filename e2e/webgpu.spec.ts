/**
 * WebGPU, proven correct: Chromium with --enable-unsafe-webgpu (SwiftShader here: slow, but real WebGPU)
 * runs the full default model, and its scores match WASM's in the same browser within 1e-3 relative.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { missing, openWithBottle, photo, relativeDifference, scoreOf, scratchDir } from './fixtures';

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
