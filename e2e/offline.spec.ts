/**
 * Offline on the shop floor: after one visit the service worker has the app, the runtime, the backbone and
 * the shipped part models, so with the server stopped a reload still inspects.
 */
import { spawn } from 'node:child_process';
import { expect, test } from '@playwright/test';
import { PREVIEW_PORT } from '../playwright.config';
import { missing, openWithBottle, photo, scoreOf } from './fixtures';

test.skip(() => missing() !== null, missing() ?? '');

const PORT = PREVIEW_PORT + 1;

/** A preview server of its own (the suite's stays up), serving the build the suite made. */
async function startServer() {
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(PORT), '--strictPort'], { stdio: 'ignore', detached: true });
  for (let i = 0; i < 100; i++) {
    if (await fetch(`http://127.0.0.1:${PORT}/`).then((r) => r.ok, () => false)) return server;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('preview server did not start');
}

test('with the server stopped, a reload still inspects', async ({ page }) => {
  const server = await startServer();
  try {
    await page.goto(`http://127.0.0.1:${PORT}/`);
    await expect(page.getByTestId('offline-ready')).toHaveAttribute('data-ready', 'true', { timeout: 180_000 });
  } finally {
    process.kill(-server.pid!);
  }
  await expect.poll(() => fetch(`http://127.0.0.1:${PORT}/`).then(() => 'up', () => 'down')).toBe('down');
  await openWithBottle(page, `http://127.0.0.1:${PORT}/`);
  await page.getByLabel('Add photos', { exact: true }).setInputFiles([photo('test/good/000.jpg')]);
  expect(await scoreOf(page, '000.jpg')).toBeGreaterThan(0);
});
