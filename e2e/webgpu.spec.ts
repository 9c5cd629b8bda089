/**
 * WebGPU, proven correct: Chromium with --enable-unsafe-webgpu (SwiftShader here: slow, but real WebGPU)
 * runs the full default model, and its scores match WASM's in the same browser within 1e-3 relative; a
 * model with a nearest-neighbour companion matches onnxruntime-node on both.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ensureBackbone, loadBackbone } from '../src/cli/provision-backbone';
import { trainCommand } from '../src/cli/train';
import { decodeImage } from '../src/engine/image/decode-node';
import { packPartPackage } from '../src/engine/patchflow/part-package';
import { PartModel } from '../src/engine/patchflow/pipeline';
import { nodeRuntime } from '../src/engine/runtime/node';
import { BOTTLE, missing, openWithBottle, photo, relativeDifference, scoreOf, scratchDir } from './fixtures';

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

test('a nearest-neighbour companion scores on WebGPU as on WASM and as onnxruntime-node', async ({ browser }) => {
  test.setTimeout(900_000);
  const dir = scratchDir();
  // 24 good bottles and one epoch: the memory bank, not the flow, is what this checks
  const data = path.join(dir, 'bottle-nn');
  mkdirSync(path.join(data, 'train/good'), { recursive: true });
  for (const f of readdirSync(path.join(BOTTLE, 'train/good')).sort().slice(0, 24)) copyFileSync(path.join(BOTTLE, 'train/good', f), path.join(data, 'train/good', f));
  const runtime = nodeRuntime();
  const backbone = await loadBackbone((await ensureBackbone()).dir);
  const model = await trainCommand(runtime, backbone, {
    data, part: 'bottle-nn', epochs: 1, batch: 8, quiet: true,
    gaussians: 's8_block+s16_block@1:128:random-channels:nn=0.01', combine: 'gaussian.0', heatMap: 'gaussian.0',
  });
  const zip = path.join(dir, 'bottle-nn.zip');
  writeFileSync(zip, packPartPackage(model.manifest, model.head));
  const broken = path.join(dir, 'broken.jpg');
  writeFileSync(broken, readFileSync(photo('test/broken_large/000.jpg')));
  const scorer = await PartModel.load(runtime, backbone, model.manifest, model.head);
  const expected = (await scorer.inspect(await decodeImage(new Uint8Array(readFileSync(broken)), broken, model.manifest.settings.features.inputSize))).score;
  await scorer.release();

  for (const backend of ['webgpu', 'wasm']) {
    const page = await (await browser.newContext()).newPage();
    await openWithBottle(page, `/?backend=${backend}`);
    await page.getByRole('link', { name: 'Library' }).click();
    await page.getByLabel('Import part model', { exact: true }).setInputFiles(zip);
    const part = page.getByLabel('Part', { exact: true });
    await expect(part.locator('option', { hasText: 'bottle-nn' })).toHaveCount(1, { timeout: 60_000 });
    await part.selectOption({ label: await part.locator('option', { hasText: 'bottle-nn' }).innerText() });
    await expect(page.getByTestId('backend')).toHaveAttribute('data-part', 'bottle-nn', { timeout: 300_000 });
    await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', backend);
    await page.getByRole('link', { name: 'Inspect' }).click();
    await page.getByLabel('Add photos', { exact: true }).setInputFiles(broken);
    const score = await scoreOf(page, 'broken.jpg');
    console.log(`nearest-neighbour companion on ${backend}: ${score.toFixed(4)} (onnxruntime-node ${expected.toFixed(4)})`);
    expect(relativeDifference(score, expected)).toBeLessThan(1e-3);
    await page.close();
  }
});
