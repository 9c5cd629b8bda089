/**
 * `npm run bench -- --live`: sustained live inspection where it runs, in headless Chromium (Debian's)
 * with a fake camera made of real bottle photos (good and broken in turn every 2 s, 512×512 at 30 fps).
 * For the default preset and the live preset (as the part's live model), on WASM with the app's default
 * threads and with one (and on WebGPU with `--webgpu`, for a machine with a GPU): frames inspected per
 * second over 30 s through the Live view itself, latency (camera frame to verdict) and the worker's
 * share of it (model, frame read), frames dropped, and how smooth the camera picture stays
 * meanwhile (frames the video element presented, the longest gap between two, main-thread long tasks),
 * the tab's memory as the window starts and ends, and where the cores went. Then the model alone, as
 * fast as it goes (no camera, nothing drawn): one worker with the app's threads, one with one thread, and
 * two workers of one thread each (frames in parallel). `--size PX` trains the live model at that input
 * instead of the preset's (its frame rate against its accuracy).
 */
import os from 'node:os';
import path from 'node:path';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../../playwright.config';
import type { Runtime } from '../engine/runtime';
import { browserProcesses, buildApp, largestRendererMiB, presetPackage, serve } from './bench-browser';
import { demoPartsDir } from './demo-parts';
import { fakeCameraArgs, writeFakeCameraVideo } from './fake-camera';
import { sharedDir } from './paths';
import { ensureBackbone, loadBackbone } from './provision-backbone';

const PORT = 4176;
const SECONDS = 30;
/** Frames inspected before the measured window: the model's first inferences are slower. */
const WARMUP_FRAMES = 5;
const CAMERA = { secondsEach: 2, fps: 30, width: 512, height: 512 };

interface Sustained {
  fps: number;
  latencyMedian: number;
  latencyP95: number;
  /** The worker's medians: the model's inference and reading the frame's pixels (ms). */
  modelMedian: number;
  readMedian: number;
  dropped: number;
  inspected: number;
  /** The video element's presented frames per second, and the longest gap between two (ms). */
  cameraFps: number;
  longestGap: number;
  /** Main-thread tasks over 50 ms in the window: count and longest (ms). */
  longTasks: number;
  longestTask: number;
  /** The tab's resident set (MiB) as the window starts and as it ends: a stream must not grow it. */
  memoryStart: number | null;
  memoryEnd: number | null;
  /** Cores busy over the window, by whom; null where /proc cannot be read. */
  cores: CpuSplit | null;
}

/**
 * CPU time of the browser's threads in three groups: the tab's workers (the inspection worker and its
 * WASM threads: the model), the rest of the tab's process (main thread, compositing, rasterising), and
 * the browser's other processes (GPU process, camera capture).
 */
interface CpuSplit {
  model: number;
  page: number;
  other: number;
}

/** Linux's clock ticks per second in /proc's CPU times (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** CPU seconds so far, split as CpuSplit says; null where the browser's processes cannot be read. */
async function cpuSeconds(browser: Browser): Promise<CpuSplit | null> {
  const split: CpuSplit = { model: 0, page: 0, other: 0 };
  for (const p of await browserProcesses(browser)) {
    const tasks = `/proc/${p.id}/task`;
    if (!existsSync(tasks)) return null;
    for (const t of readdirSync(tasks)) {
      const statFile = `${tasks}/${t}/stat`;
      if (!existsSync(statFile)) continue; // the thread ended meanwhile
      const stat = readFileSync(statFile, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const [utime, stime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number);
      const group = p.type !== 'renderer' ? 'other' : name.startsWith('DedicatedWorker') ? 'model' : 'page';
      split[group] += (utime + stime) / TICKS_PER_SECOND;
    }
  }
  return split;
}

const coresBusy = (a: CpuSplit, b: CpuSplit, seconds: number): CpuSplit => ({ model: (b.model - a.model) / seconds, page: (b.page - a.page) / seconds, other: (b.other - a.other) / seconds });
const coresFigure = (c: CpuSplit | null) => (c ? `${c.model.toFixed(2)} / ${c.page.toFixed(2)} / ${c.other.toFixed(2)}` : '—');

/**
 * Frames per second of the model alone: `workers` inspection-worker clients (the page's own, and more of
 * its kind) each inspecting `photo` as camera frames, back to back for SECONDS; nothing else runs.
 */
async function modelAlone(browser: Browser, zip: string, photo: string, threads: number | null, workers: number): Promise<number> {
  const page = await browser.newPage();
  try {
    await page.goto(`http://127.0.0.1:${PORT}/?backend=wasm${threads ? `&threads=${threads}` : ''}`);
    await page.locator('[data-testid="backend"][data-backend]').waitFor({ timeout: 600_000 });
    const bytes = (file: string) => `Uint8Array.from(atob('${readFileSync(file).toString('base64')}'), (c) => c.charCodeAt(0))`;
    // a string, not a function: tsx would wrap the functions inside in a helper the page does not have
    return await page.evaluate(`(async () => {
      const first = window.patchflow.inspector;
      const clients = [first];
      while (clients.length < ${workers}) clients.push(new first.constructor());
      const zip = new File([${bytes(zip)}], 'part.zip');
      const photo = new Blob([${bytes(photo)}], { type: 'image/jpeg' });
      for (const c of clients) await c.loadPart(await c.readPackage([zip]), 'wasm');
      const frames = await Promise.all(clients.map(() => createImageBitmap(photo)));
      const inspect = async (c, i) => (await c.inspectFrame(await createImageBitmap(frames[i]), null)).picture.close();
      await Promise.all(clients.map(async (c, i) => { for (let w = 0; w < ${WARMUP_FRAMES}; w++) await inspect(c, i); }));
      let count = 0;
      const t0 = performance.now();
      await Promise.all(clients.map(async (c, i) => { while (performance.now() - t0 < ${SECONDS * 1000}) { await inspect(c, i); count++; } }));
      return count / ((performance.now() - t0) / 1000);
    })()`);
  } finally {
    await page.close();
  }
}

const memoryFigure = (v: number | null) => (v === null ? '—' : v.toFixed(0));
const readout = async (page: Page, id: string, attribute = 'data-value') => Number(await page.getByTestId(id).getAttribute(attribute));

/** Counts the frames the video element presents, and the longest wait between two. */
function watchPresentedFrames(page: Page): Promise<void> {
  // no named functions inside: tsx would wrap them in a helper the page does not have
  return page.evaluate(() => {
    const video = document.querySelector('video')!;
    const seen = {
      frames: 0,
      longestGap: 0,
      last: performance.now(),
      count(now: number) {
        seen.frames++;
        seen.longestGap = Math.max(seen.longestGap, now - seen.last);
        seen.last = now;
        video.requestVideoFrameCallback((t) => seen.count(t));
      },
    };
    (window as unknown as { presented: typeof seen }).presented = seen;
    video.requestVideoFrameCallback((t) => seen.count(t));
  });
}

/** The Live view streaming the fake camera for SECONDS, with `liveModel` (a package) as the part's live model. */
async function sustained(browser: Browser, backend: string, threads: number | null, liveModel: string | null): Promise<Sustained> {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await page.addInitScript(() => {
      const tasks: number[] = [];
      (window as unknown as { longTasks: number[] }).longTasks = tasks;
      new PerformanceObserver((list) => list.getEntries().forEach((e) => tasks.push(e.duration))).observe({ type: 'longtask' });
    });
    await page.goto(`http://127.0.0.1:${PORT}/?backend=${backend}${threads ? `&threads=${threads}` : ''}#live`);
    const part = page.getByLabel('Part', { exact: true });
    const bottle = part.locator('option', { hasText: 'bottle' }).first();
    await bottle.waitFor({ state: 'attached', timeout: 60_000 });
    // the model chosen at start-up loads first (the chooser waits meanwhile)
    await part.selectOption({ label: await bottle.innerText() }, { timeout: 600_000 });
    await page.locator('[data-testid="backend"][data-backend]').waitFor({ timeout: 600_000 });
    if (liveModel) {
      await page.getByLabel('Import part model', { exact: true }).setInputFiles(liveModel);
      const choice = page.getByLabel('Live model', { exact: true });
      await choice.locator('option').nth(1).waitFor({ state: 'attached', timeout: 60_000 });
      await choice.selectOption({ index: 1 });
    }
    await page.getByRole('button', { name: 'Start camera' }).click();
    await page.waitForFunction((n) => Number(document.querySelector('[data-testid="live-inspected"]')?.getAttribute('data-value')) >= n, WARMUP_FRAMES, { timeout: 900_000, polling: 500 });
    await watchPresentedFrames(page);
    const tasksBefore = await page.evaluate(() => (window as unknown as { longTasks: number[] }).longTasks.length);
    const [inspected0, dropped0] = [await readout(page, 'live-inspected'), await readout(page, 'live-dropped')];
    const memoryStart = await largestRendererMiB(browser, 'VmRSS');
    const cpuStart = await cpuSeconds(browser);
    const t0 = Date.now();
    await page.waitForTimeout(SECONDS * 1000);
    const [inspected1, dropped1] = [await readout(page, 'live-inspected'), await readout(page, 'live-dropped')];
    const cpuEnd = await cpuSeconds(browser);
    const memoryEnd = await largestRendererMiB(browser, 'VmRSS');
    const seconds = (Date.now() - t0) / 1000;
    const presented = await page.evaluate(() => (window as unknown as { presented: { frames: number; longestGap: number } }).presented);
    const tasks = await page.evaluate((from) => (window as unknown as { longTasks: number[] }).longTasks.slice(from), tasksBefore);
    return {
      fps: (inspected1 - inspected0) / seconds,
      latencyMedian: await readout(page, 'live-latency'),
      latencyP95: await readout(page, 'live-latency', 'data-p95'),
      modelMedian: await readout(page, 'live-stages'),
      readMedian: await readout(page, 'live-stages', 'data-read'),
      dropped: dropped1 - dropped0,
      inspected: inspected1 - inspected0,
      cameraFps: presented.frames / seconds,
      longestGap: presented.longestGap,
      longTasks: tasks.length,
      longestTask: Math.max(0, ...tasks),
      memoryStart,
      memoryEnd,
      cores: cpuStart && cpuEnd && coresBusy(cpuStart, cpuEnd, seconds),
    };
  } finally {
    await context.close();
  }
}

export async function benchLiveCommand(runtime: Runtime, options: { webgpu?: boolean; size?: string }): Promise<void> {
  const bottle = path.join(sharedDir(), 'datasets', 'mvtec_bottle_512');
  const shipped = path.join(demoPartsDir(), 'bottle.zip');
  if (!existsSync(bottle) || !existsSync(shipped)) throw new Error(`the live bench needs ${bottle} and the demo model ${shipped} (npm run setup)`);
  const backbone = await loadBackbone((await ensureBackbone()).dir);
  const liveZip = await presetPackage(runtime, backbone, bottle, 'bottle', 'live', options.size);
  const liveLabel = options.size ? `live ${options.size}` : 'live';
  const photos = ['000', '001', '002'].flatMap((n) => [path.join(bottle, 'test', 'good', `${n}.jpg`), path.join(bottle, 'test', 'broken_large', `${n}.jpg`)]);
  const camera = writeFakeCameraVideo(photos, path.join(os.tmpdir(), `patchflow-bench-live-${process.pid}.y4m`), CAMERA);
  buildApp();

  const stop = await serve(PORT);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...fakeCameraArgs(camera), ...(options.webgpu ? ['--enable-unsafe-webgpu'] : [])] });
  try {
    console.log(`\nlive inspection through the Live view, ${SECONDS} s sustained after ${WARMUP_FRAMES} frames; fake camera ${CAMERA.width}×${CAMERA.height} at ${CAMERA.fps} fps; ${os.cpus().length} cores`);
    console.log('preset     backend             inspected fps   latency p50 / p95 (ms)   of which model / read   dropped   camera fps   longest gap   long tasks (longest)   tab MiB start → end   cores: model / page / other');
    // the app's default threads (both cores here), then one: the page's own work competes for the cores
    const runs: [string, number | null][] = [['wasm', null], ['wasm', 1], ...(options.webgpu ? [['webgpu', null] as [string, null]] : [])];
    for (const [backend, threads] of runs) {
      for (const [preset, liveModel] of [['balanced', null], [liveLabel, liveZip]] as const) {
        const r = await sustained(browser, backend, threads, liveModel);
        const label = backend === 'webgpu' ? 'WebGPU' : threads ? `WASM, ${threads} thread` : 'WASM, app default';
        console.log(
          `${preset.padEnd(10)} ${label.padEnd(19)} ${r.fps.toFixed(1).padStart(13)}   ${`${r.latencyMedian.toFixed(0)} / ${r.latencyP95.toFixed(0)}`.padStart(22)}   ${`${r.modelMedian.toFixed(0)} / ${r.readMedian.toFixed(0)}`.padStart(21)}   ${`${r.dropped}/${r.dropped + r.inspected}`.padStart(7)}   ${r.cameraFps.toFixed(1).padStart(10)}   ${`${r.longestGap.toFixed(0)} ms`.padStart(11)}   ${`${r.longTasks} (${r.longestTask.toFixed(0)} ms)`.padEnd(20)}   ${`${memoryFigure(r.memoryStart)} → ${memoryFigure(r.memoryEnd)}`.padEnd(19)}   ${coresFigure(r.cores)}`,
        );
      }
    }
    console.log(`\nthe model alone (WASM, no camera, nothing drawn): frames per second over ${SECONDS} s of one bottle photo as camera frames`);
    console.log('preset     1 worker, app threads   1 worker, 1 thread   2 workers, 1 thread each');
    for (const [preset, zip] of [['balanced', shipped], [liveLabel, liveZip]]) {
      const fps = [];
      for (const [threads, workers] of [[null, 1], [1, 1], [1, 2]] as const) fps.push(await modelAlone(browser, zip, photos[0], threads, workers));
      console.log(`${preset.padEnd(10)} ${fps[0].toFixed(1).padStart(21)}   ${fps[1].toFixed(1).padStart(18)}   ${fps[2].toFixed(1).padStart(24)}`);
    }
  } finally {
    await browser.close();
    stop();
    rmSync(camera, { force: true });
  }
}
