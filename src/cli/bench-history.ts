/**
 * `npm run bench -- --history`: the history at plant scale, in headless Chromium (Debian's). Writes
 * 100 000 inspections through the page's own record writer (window.patchflow.records.keepInspection:
 * pictures encoded, one transaction per record, in order) and prints the insert rate; then the time to
 * open the History view filtered (a fresh page load of #history?part=…&verdict=…, to its first rows and
 * its count), to change the filter, to page deep, and to chart every record.
 *
 * Records carry real-size pictures (512 px photo, 256² heat map) for the first PICTURED inspections and
 * 16 px ones after: 100 000 full records would take ~6 GB of disk; the write path is the same.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../../playwright.config';
import { buildApp, serve } from './bench-browser';

const PORT = 4176;
/** Records written unless --records says otherwise. */
export const HISTORY_BENCH_RECORDS = 100_000;
const PICTURED = 1_000;
/** Records written per call into the page, each reported (does the rate hold as the history grows?). */
const CHUNK = 11_000;
const PARTS = ['bench-bottle', 'bench-casting', 'bench-gear', 'bench-seal', 'bench-valve'];
/** Inspections handed to the writer at once (their pictures encode meanwhile; writes stay in order). */
const CONCURRENCY = 16;

interface WriteFigures {
  records: number;
  seconds: number;
}

/** Writes `count` inspections of `side`-pixel photos (maps of `mapSide`²) through the page's record writer. */
function writeInspections(page: Page, count: number, side: number, mapSide: number, offset: number): Promise<WriteFigures> {
  return page.evaluate(
    async ({ count, side, mapSide, offset, parts, concurrency }) => {
      type Keep = (inspection: unknown) => Promise<unknown>;
      const { keepInspection } = (window as unknown as { patchflow: { records: { keepInspection: Keep } } }).patchflow.records;
      // one synthetic photo: a lit cylinder with grain, as a 90 % JPEG
      const canvas = new OffscreenCanvas(side, side);
      const ctx = canvas.getContext('2d')!;
      const light = ctx.createLinearGradient(0, 0, side, 0);
      light.addColorStop(0, '#333');
      light.addColorStop(0.5, '#ccc');
      light.addColorStop(1, '#444');
      ctx.fillStyle = light;
      ctx.fillRect(0, 0, side, side);
      for (let i = 0; i < side * 4; i++) {
        ctx.fillStyle = `rgba(0,0,0,${Math.random() * 0.2})`;
        ctx.fillRect(Math.random() * side, Math.random() * side, 2, 2);
      }
      const photo = new File([await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 })], 'photo.jpg', { type: 'image/jpeg' });
      const thumbSide = Math.max(4, Math.round(side / 5.3));
      const started = performance.now();
      let next = 0;
      // (no named functions in here: tsx would wrap them in a helper the page does not have)
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (next < count) {
            const k = offset + next++;
            // scores of good parts around 1, one in 29 well above the threshold of 3 (29 and the 5 parts
            // share no factor, so every part has its FAILs)
            const score = k % 29 === 7 ? 4 + (k % 11) : 0.5 + ((k * 7919) % 1000) / 1000;
            const anomalyMap = new Float32Array(mapSide * mapSide);
            for (let i = 0; i < anomalyMap.length; i++) anomalyMap[i] = Math.sin(i / 37 + k) + (score > 3 && i % mapSide < mapSide / 8 ? score * 2 : 0);
            const thumbnail = await createImageBitmap(canvas, { resizeWidth: thumbSide, resizeHeight: thumbSide });
            const part = parts[k % parts.length];
            const result = { score, verdict: score >= 3 ? 'fail' : 'pass', anomalyMap, mapWidth: mapSide, mapHeight: mapSide, width: side, height: side, thumbnail, decodeMs: 0, inferenceMs: 0, backend: 'wasm', backendNote: null };
            const model = { id: `${part}@bench`, part, version: 'r1 bench', threshold: 3, pixelThreshold: 2 };
            await keepInspection({ photo, path: `lot-${Math.floor(k / 1000)}/${k}.jpg`, source: 'photo', result, model });
            thumbnail.close();
          }
        }),
      );
      return { records: count, seconds: (performance.now() - started) / 1000 };
    },
    { count, side, mapSide, offset, parts: PARTS, concurrency: CONCURRENCY },
  );
}

/** Milliseconds from the page's navigation start until `selector` matches (polled every frame). */
async function msUntil(page: Page, selector: string): Promise<number> {
  await page.waitForFunction((s) => document.querySelector(s) !== null, selector, { polling: 'raf', timeout: 600_000 });
  return page.evaluate(() => performance.now());
}

/** What to do in the History view: choose select options (by accessible name), then click a button or tab (by its text). */
interface Change {
  selects?: [label: string, value: string][];
  click?: string;
}

/** When the change shows: the first row is of a part, the first row is no longer a file, a row of a PASS, or an element. */
type Shown = { firstPart: string } | { firstFileNot: string } | { anyPass: true } | { selector: string };

/** A change that has not shown after this long failed. */
const CHANGE_TIMEOUT_MS = 300_000;

/**
 * Milliseconds from a change made as a user makes it (Playwright picks the option, clicks the button) to
 * its showing, checked every frame. An event dispatched by hand does not reach React's controlled select.
 */
async function msForChange(page: Page, change: Change, shown: Shown): Promise<number> {
  const t0 = performance.now();
  for (const [label, value] of change.selects ?? []) await page.getByLabel(label, { exact: true }).selectOption(value);
  if (change.click) await page.getByRole('button', { name: change.click }).or(page.getByRole('tab', { name: change.click })).first().click();
  await page
    .waitForFunction(
      (shown: Shown) => {
        const first = document.querySelector('[data-testid="history-row"]');
        return 'firstPart' in shown
          ? first?.children[2]?.textContent === shown.firstPart
          : 'firstFileNot' in shown
            ? first !== null && first.getAttribute('data-file') !== shown.firstFileNot
            : 'anyPass' in shown
              ? document.querySelector('[data-testid="history-row"][data-verdict="pass"]') !== null
              : document.querySelector(shown.selector) !== null;
      },
      shown,
      { timeout: CHANGE_TIMEOUT_MS, polling: 'raf' },
    )
    .catch(() => {
      throw new Error(`${JSON.stringify(change)} did not show ${JSON.stringify(shown)} within ${CHANGE_TIMEOUT_MS / 1000} s`);
    });
  return performance.now() - t0;
}

const rate = (f: WriteFigures) => `${f.records.toLocaleString('en')} in ${f.seconds.toFixed(1)} s = ${(f.records / f.seconds).toFixed(0)} records/s`;

export async function benchHistoryCommand(total = HISTORY_BENCH_RECORDS): Promise<void> {
  if (!(total > PICTURED)) throw new Error(`--records must be more than ${PICTURED}`);
  buildApp();
  const stop = await serve(PORT);
  // a profile on disk: a plain new context keeps IndexedDB in memory, which is not what a tablet does
  const profile = mkdtempSync(path.join(os.tmpdir(), 'pf-bench-history-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const url = `http://127.0.0.1:${PORT}/`;
    const writer = await context.newPage();
    await writer.goto(url);
    // the app loads its start-up part model into the worker: let it finish before timing
    await writer.locator('[data-testid="backend"][data-backend]').waitFor({ timeout: 300_000 });

    console.log(`\nwriting ${total.toLocaleString('en')} inspections through the page's record writer (one transaction each, ${CONCURRENCY} handed over at once)`);
    const pictured = await writeInspections(writer, PICTURED, 512, 256, 0);
    console.log(`  with 512 px photos and 256² heat maps (encoded as stored): ${rate(pictured)}`);
    const small: WriteFigures = { records: 0, seconds: 0 };
    for (let done = PICTURED; done < total; done += CHUNK) {
      const chunk = await writeInspections(writer, Math.min(CHUNK, total - done), 16, 16, done);
      small.records += chunk.records;
      small.seconds += chunk.seconds;
      console.log(`  with 16 px pictures (the same write path, little to encode), records ${(done + 1).toLocaleString('en')}–${(done + chunk.records).toLocaleString('en')}: ${rate(chunk)}`);
    }
    console.log(`  with 16 px pictures, all: ${rate(small)}`);
    const usage = await writer.evaluate(async () => (await navigator.storage.estimate()).usage ?? 0);
    console.log(`  site storage in use: ${(usage / 2 ** 20).toFixed(0)} MiB`);
    await writer.close();

    const part = PARTS[2];
    const view = await context.newPage();
    await view.goto(`${url}#history?part=${part}&verdict=fail`);
    const shell = await msUntil(view, '.history-view');
    const firstRows = await msUntil(view, '[data-testid="history-row"]');
    const counted = await msUntil(view, '[data-testid="history-count"][data-value]');
    const count = await view.getByTestId('history-count').getAttribute('data-value');
    console.log(`\nHistory view opened filtered (part=${part}, verdict=fail; a fresh page load, ${count} of ${total.toLocaleString('en')} records match):`);
    console.log(`  the app drawn ${shell.toFixed(0)} ms after navigation start; first rows at ${firstRows.toFixed(0)} ms, the count at ${counted.toFixed(0)} ms`);

    const other = PARTS[4];
    await view.locator(`select[aria-label="Part filter"] option[value="${other}"]`).waitFor({ state: 'attached' });
    const changed = await msForChange(view, { selects: [['Part filter', other]] }, { firstPart: other });
    console.log(`  filter changed to part=${other}: new rows in ${changed.toFixed(0)} ms`);
    const cleared = await msForChange(view, { selects: [['Verdict filter', ''], ['Part filter', '']] }, { anyPass: true });
    console.log(`  all filters cleared (every record): rows in ${cleared.toFixed(0)} ms`);
    const pages: number[] = [];
    for (let i = 0; i < 20; i++) {
      const first = (await view.getByTestId('history-row').first().getAttribute('data-file'))!;
      pages.push(await msForChange(view, { click: 'Older' }, { firstFileNot: first }));
    }
    console.log(`  paging older, 100 rows a page: ${(pages.reduce((a, b) => a + b, 0) / pages.length).toFixed(0)} ms a page (20 pages)`);
    const charts = await msForChange(view, { click: 'Charts' }, { selector: '[data-testid="history-charts"]' });
    console.log(`  charts over all ${total.toLocaleString('en')} records (score over time, FAIL rate, histograms): ${(charts / 1000).toFixed(1)} s`);
    console.log(`\n(${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end: other work ran beside this, figures vary run to run)`);
  } finally {
    await context.close();
    stop();
    rmSync(profile, { recursive: true, force: true });
  }
}
