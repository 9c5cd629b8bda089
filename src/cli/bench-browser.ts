/**
 * `npm run bench -- --browser`: the app's speed where it runs, in headless Chromium (Debian's), beside
 * onnxruntime-node on the same photos and models in the same run. Per photo: the whole pipeline through
 * the page's worker client (transfer, decode, inference, thumbnail) with and without decoding, on WASM
 * with 1 and 2 threads, for the default and the fast preset; then the wall time per photo of a 200-photo
 * batch through the page, from the file input's change to the last result drawn. `--webgpu` adds WebGPU
 * runs (for a machine with a GPU; SwiftShader's is slow, and measures nothing useful).
 */
import { spawn, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../../playwright.config';
import { decodeImage } from '../engine/image/decode-node';
import { PartModel } from '../engine/patchflow/pipeline';
import { readPartPackage } from '../engine/patchflow/part-package';
import type { Runtime } from '../engine/runtime';
import type { LoadedBackbone } from '../engine/backbone/manifest';
import { percentile } from './bench';
import { demoPartsDir } from './demo-parts';
import { packageName, saveModel } from './model-files';
import { repoRoot, sharedDir } from './paths';
import { ensureBackbone, loadBackbone } from './provision-backbone';
import { trainCommand } from './train';
import { decodeSide } from '../engine/patchflow/tiling';

const PORT = 4175;
const WARMUP = 5;
const MEASURED = 35;
const BATCH = 200;

interface PhotoTiming {
  total: number;
  decode: number;
  inference: number;
}

const median = (v: number[]) => percentile(v, 0.5);
const p90 = (v: number[]) => percentile(v, 0.9);
const fmt = (v: number) => v.toFixed(1).padStart(7);

/** The browser's processes: their type ('browser', 'renderer', 'GPU', …) and process id. */
export async function browserProcesses(browser: Browser): Promise<{ type: string; id: number }[]> {
  const cdp = await browser.newBrowserCDPSession();
  const { processInfo } = (await cdp.send('SystemInfo.getProcessInfo')) as { processInfo: { type: string; id: number }[] };
  await cdp.detach();
  return processInfo;
}

/**
 * The largest renderer process's (a tab with its workers) resident set now ('VmRSS') or at its peak
 * ('VmHWM'), from /proc; null where the browser's processes cannot be read.
 */
export async function largestRendererMiB(browser: Browser, field: 'VmRSS' | 'VmHWM'): Promise<number | null> {
  const sizes = (await browserProcesses(browser))
    .filter((p) => p.type === 'renderer')
    .map((p) => {
      const status = existsSync(`/proc/${p.id}/status`) ? readFileSync(`/proc/${p.id}/status`, 'utf8') : '';
      const kB = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status);
      return kB ? Number(kB[1]) / 1024 : 0;
    });
  return sizes.length ? Math.max(...sizes) : null;
}

/** Serves the built app on `port` (vite preview); returns how to stop it. */
export async function serve(port = PORT): Promise<() => void> {
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], { cwd: repoRoot(), stdio: 'ignore', detached: true });
  for (let i = 0; i < 150; i++) {
    if (await fetch(`http://127.0.0.1:${port}/`).then((r) => r.ok, () => false)) return () => process.kill(-server.pid!);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('vite preview did not start');
}

/** Times every photo through the page's own worker client, on one backend and thread count. */
async function pagePipeline(browser: Browser, packageUrl: string, photoUrls: string[], backend: string, threads: number): Promise<{ timings: PhotoTiming[]; scores: number[]; ran: string }> {
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${PORT}/?backend=${backend}&threads=${threads}`);
    // the app loads its first shipped model at start: let that finish before timing
    await page.locator('[data-testid="backend"][data-backend]').waitFor({ timeout: 300_000 });
    return await page.evaluate(
      async ({ packageUrl, photoUrls, backend }) => {
        type Client = {
          readPackage(f: File[]): Promise<unknown>;
          loadPart(p: unknown, b: string): Promise<{ backend: string }>;
          inspect(b: Blob, n: string): Promise<{ score: number; decodeMs: number; inferenceMs: number; thumbnail: ImageBitmap }>;
        };
        const inspector = (window as unknown as { patchflow: { inspector: Client } }).patchflow.inspector;
        const zip = await (await fetch(packageUrl)).blob();
        const loaded = await inspector.loadPart(await inspector.readPackage([new File([zip], 'part.zip')]), backend);
        const timings: PhotoTiming[] = [];
        const scores: number[] = [];
        for (const url of photoUrls) {
          const blob = await (await fetch(url)).blob();
          const t0 = performance.now();
          const r = await inspector.inspect(blob, url);
          timings.push({ total: performance.now() - t0, decode: r.decodeMs, inference: r.inferenceMs });
          scores.push(r.score);
          r.thumbnail.close();
        }
        return { timings, scores, ran: loaded.backend };
      },
      { packageUrl, photoUrls, backend },
    );
  } finally {
    await page.close();
  }
}

/** Wall time of a batch dropped on the page: from the input's change to the last result drawn. */
async function pageBatch(browser: Browser, files: string[]): Promise<number> {
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${PORT}/?backend=wasm`);
    const part = page.getByLabel('Part', { exact: true });
    await part.locator('option', { hasText: 'bottle' }).first().waitFor({ state: 'attached', timeout: 60_000 });
    await part.selectOption({ label: await part.locator('option', { hasText: 'bottle' }).first().innerText() });
    await page.locator('[data-testid="backend"][data-backend]').waitFor({ timeout: 300_000 });
    await page.evaluate(() => document.addEventListener('change', () => ((window as unknown as { batchStart: number }).batchStart = performance.now()), { capture: true, once: true }));
    await page.getByLabel('Add photos', { exact: true }).setInputFiles(files);
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="result"]').length >= n, files.length, { timeout: 1_800_000, polling: 'raf' });
    return page.evaluate(() => performance.now() - (window as unknown as { batchStart: number }).batchStart);
  } finally {
    await page.close();
  }
}

/** The production build the benches drive. */
export function buildApp(): void {
  console.log('building the app (vite build)…');
  execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: repoRoot(), stdio: 'inherit' });
}

/**
 * A bench's model of `part` (photos in `data`) trained with `preset` (at input `size`, when given): trained
 * once, then kept in runs/bench-browser-<preset>[-<size>].
 */
export async function presetPackage(runtime: Runtime, backbone: LoadedBackbone, data: string, part: string, preset: string, size?: string): Promise<string> {
  const dir = path.join(repoRoot(), 'runs', `bench-browser-${preset}${size ? `-${size}` : ''}`);
  const zip = path.join(dir, `${packageName(part)}.zip`);
  if (existsSync(zip)) return zip;
  return saveModel(dir, await trainCommand(runtime, backbone, { data, preset, part, size, quiet: true }));
}

export async function benchBrowserCommand(runtime: Runtime, options: { webgpu?: boolean }): Promise<void> {
  const bottle = path.join(sharedDir(), 'datasets', 'mvtec_bottle_512');
  const shipped = path.join(demoPartsDir(), 'bottle.zip');
  if (!existsSync(bottle) || !existsSync(shipped)) throw new Error(`the browser bench needs ${bottle} and the demo model ${shipped} (npm run setup)`);
  const backbone = await loadBackbone((await ensureBackbone()).dir);
  const fastZip = await presetPackage(runtime, backbone, bottle, 'bottle', 'fast');
  buildApp();
  // the bench's own files beside the build (after it, so the service worker does not precache them)
  const benchDir = path.join(repoRoot(), 'dist', 'bench');
  mkdirSync(benchDir, { recursive: true });
  const photos = readdirSync(path.join(bottle, 'test', 'good')).sort().map((f) => path.join(bottle, 'test', 'good', f));
  const defects = readdirSync(path.join(bottle, 'test', 'broken_large')).sort().map((f) => path.join(bottle, 'test', 'broken_large', f));
  const chosen = [...photos, ...defects].slice(0, WARMUP + MEASURED);
  chosen.forEach((f, i) => copyFileSync(f, path.join(benchDir, `${i}.jpg`)));
  copyFileSync(shipped, path.join(benchDir, 'balanced.zip'));
  copyFileSync(fastZip, path.join(benchDir, 'fast.zip'));
  const photoUrls = chosen.map((_, i) => `/bench/${i}.jpg`);

  const stop = await serve();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...(options.webgpu ? ['--enable-unsafe-webgpu'] : [])] });
  try {
    console.log(`\n${MEASURED} bottle photos (512×512 JPEG) after ${WARMUP} warm-ups; ms per photo, median / p90`);
    console.log('preset    runtime                    whole pipeline     without decode     inference      inference ÷ node');
    for (const preset of ['balanced', 'fast']) {
      const pkg = await readPartPackage([{ name: `${preset}.zip`, bytes: new Uint8Array(readFileSync(path.join(benchDir, `${preset}.zip`))) }]);
      const model = await PartModel.load(runtime, backbone, pkg.manifest, pkg.head);
      const nodeMs: number[] = [];
      for (const [i, f] of chosen.entries()) {
        const image = await decodeImage(new Uint8Array(readFileSync(f)), f, decodeSide(pkg.manifest.settings));
        const r = await model.inspect(image);
        if (i >= WARMUP) nodeMs.push(r.milliseconds);
      }
      await model.release();
      const nodeMedian = median(nodeMs);
      console.log(`${preset.padEnd(9)} ${'onnxruntime-node'.padEnd(26)} ${''.padStart(18)} ${''.padStart(18)} ${fmt(nodeMedian)} / ${fmt(p90(nodeMs))}`);
      const runs: [string, number][] = [['wasm', 1], ['wasm', 2], ...(options.webgpu ? [['webgpu', 2] as [string, number]] : [])];
      for (const [backend, threads] of runs) {
        const { timings, ran } = await pagePipeline(browser, `/bench/${preset}.zip`, photoUrls, backend, threads);
        const t = timings.slice(WARMUP);
        const whole = t.map((x) => x.total);
        const noDecode = t.map((x) => x.total - x.decode);
        const inference = t.map((x) => x.inference);
        const label = `${ran}${ran === 'wasm' ? `, ${threads} thread${threads > 1 ? 's' : ''}` : ''}`;
        console.log(
          `${preset.padEnd(9)} ${label.padEnd(26)} ${fmt(median(whole))} / ${fmt(p90(whole))} ${fmt(median(noDecode))} / ${fmt(p90(noDecode))} ${fmt(median(inference))} / ${fmt(p90(inference))}   ${(median(inference) / nodeMedian).toFixed(2)}×`,
        );
      }
    }
    const train = readdirSync(path.join(bottle, 'train', 'good')).sort().slice(0, BATCH).map((f) => path.join(bottle, 'train', 'good', f));
    const wall = await pageBatch(browser, train);
    console.log(`\nbatch of ${train.length} photos through the page (default preset, WASM, the app's default threads): ${(wall / 1000).toFixed(1)} s, ${(wall / train.length).toFixed(1)} ms per photo wall time`);
  } finally {
    await browser.close();
    stop();
  }
}
