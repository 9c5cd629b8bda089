/**
 * `npm run bench -- --teach [--preset NAME] [--thin-defects]`: teaching a part where it runs. 50 good bottle photos at the
 * default preset (or NAME; 10 epochs, seed 42) through the page's own teaching worker in headless Chromium on WASM (and WebGPU
 * with `--webgpu`), beside onnxruntime-node on the same photos in the same run: wall time, throughput in
 * photos × epochs per second, where the time goes, what the runs chose (best epoch, validation AUROC),
 * and the tab's peak memory (the renderer process's peak resident set, workers included).
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../../playwright.config';
import { decodeImage } from '../engine/image/decode-node';
import { DEFAULT_PRESET, presetSettings, type ModelSettings } from '../engine/patchflow/manifest';
import type { Runtime } from '../engine/runtime';
import { trainDefaults, trainPartModel, type TrainProgress } from '../engine/train/trainer';
import { buildApp, largestRendererMiB, serve } from './bench-browser';
import { repoRoot, sharedDir } from './paths';
import { ensureBackbone, loadBackbone } from './provision-backbone';

const PORT = 4476;
const PHOTOS = 50;
const GOALS = { wasmSeconds: 120, gpuSeconds: 30, peakMiB: 1536 };

/** Seconds spent per phase, from the trainer's progress events (each event closes the time since the one before). */
type PhaseSeconds = Record<'start' | TrainProgress['phase'], number>;

interface TeachRun {
  label: string;
  seconds: number;
  phases: PhaseSeconds;
  bestEpoch: number;
  imageAuroc: number;
  peakMiB: number | null;
  note: string | null;
}

/** Adds the time since the previous event to the phase that event belonged to. */
function phaseClock() {
  const phases: PhaseSeconds = { start: 0, cache: 0, train: 0, validate: 0, complete: 0 };
  let last = performance.now();
  let phase: keyof PhaseSeconds = 'start';
  return {
    phases,
    tick(next: keyof PhaseSeconds, now = performance.now()) {
      phases[phase] += (now - last) / 1000;
      [last, phase] = [now, next];
    },
  };
}

async function nodeRun(runtime: Runtime, files: string[], settings: ModelSettings): Promise<TeachRun> {
  const backbone = await loadBackbone((await ensureBackbone()).dir);
  const clock = phaseClock();
  const t0 = performance.now();
  const trained = await trainPartModel(
    runtime,
    backbone,
    files.map((f) => ({ name: path.basename(f), bytes: new Uint8Array(readFileSync(f)) })),
    { ...trainDefaults(), part: 'bottle', dataLabel: 'bench', settings, decode: decodeImage, onProgress: (p) => clock.tick(p.phase) },
  );
  clock.tick('complete');
  const t = trained.manifest.training;
  return { label: runtime.name, seconds: (performance.now() - t0) / 1000, phases: clock.phases, bestEpoch: t.bestEpoch, imageAuroc: t.validation[t.bestEpoch - 1].imageAuroc, peakMiB: process.resourceUsage().maxRSS / 1024, note: null };
}

async function browserRun(args: string[], backend: 'wasm' | 'webgpu', urls: string[], settings: ModelSettings): Promise<TeachRun> {
  // a browser per run: the peak resident set is the run's own
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...args] });
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${PORT}/?backend=${backend}&threads=2#teach`);
    const { epochs, seed } = trainDefaults();
    const result = await page.evaluate(
      async ({ urls, settings, epochs, seed }) => {
        type Teacher = {
          teach(
            request: object,
            listener: { progress(p: { phase: string }): void; checkpoint(): Promise<void>; backend(b: string, note: string | null): void },
          ): Promise<{ backend: string; pkg: { manifest: { training: { bestEpoch: number; validation: { imageAuroc: number }[] } } } }>;
        };
        const teacher = (window as unknown as { patchflow: { teacher: Teacher } }).patchflow.teacher;
        const photos = await Promise.all(urls.map(async (url) => ({ name: url.split('/').pop()!, photo: await (await fetch(url)).blob() })));
        const events: { phase: string; at: number }[] = [];
        let note: string | null = null;
        const t0 = performance.now();
        const taught = await teacher.teach(
          { part: 'bottle', dataLabel: 'bench', settings, epochs, seed, photos, resumeFrom: null },
          // methods, not arrow properties: tsx names those with a helper the page does not have
          {
            progress(p) {
              events.push({ phase: p.phase, at: performance.now() - t0 });
            },
            async checkpoint() {},
            backend(_b, n) {
              note = n;
            },
          },
        );
        return { ms: performance.now() - t0, events, note, backend: taught.backend, training: taught.pkg.manifest.training };
      },
      { urls, settings, epochs, seed },
    );
    const clock = phaseClock();
    const start = performance.now();
    for (const e of result.events) clock.tick(e.phase as keyof PhaseSeconds, start + e.at);
    clock.tick('complete', start + result.ms);
    const t = result.training;
    return {
      label: `Chromium ${result.backend === 'webgpu' ? 'WebGPU' : 'WASM (2 threads)'}`,
      seconds: result.ms / 1000,
      phases: clock.phases,
      bestEpoch: t.bestEpoch,
      imageAuroc: t.validation[t.bestEpoch - 1].imageAuroc,
      peakMiB: await largestRendererMiB(browser, 'VmHWM'),
      note: result.note,
    };
  } finally {
    await browser.close();
  }
}

const s = (v: number) => v.toFixed(1).padStart(8);

export async function benchTeachCommand(runtime: Runtime, options: { webgpu?: boolean; preset?: string; thinDefects?: boolean }): Promise<void> {
  const preset = options.preset ?? DEFAULT_PRESET;
  const settings = presetSettings(preset, options.thinDefects);
  const good = path.join(sharedDir(), 'datasets', 'mvtec_bottle_512', 'train', 'good');
  if (!existsSync(good)) throw new Error(`the teaching bench needs ${good}`);
  const files = readdirSync(good).sort().slice(0, PHOTOS).map((f) => path.join(good, f));
  buildApp();
  // the photos beside the build (after it, so the service worker does not precache them)
  const benchDir = path.join(repoRoot(), process.env.PATCHFLOW_DIST ?? 'dist', 'bench-teach');
  mkdirSync(benchDir, { recursive: true });
  files.forEach((f) => copyFileSync(f, path.join(benchDir, path.basename(f))));
  const urls = files.map((f) => `/bench-teach/${path.basename(f)}`);

  const { epochs } = trainDefaults();
  console.log(`\nteaching ${PHOTOS} good bottle photos (512×512 JPEG), preset ${preset}${options.thinDefects ? ' for thin defects' : ''}, ${epochs} epochs, seed 42; on this shared machine figures drift by up to 1.5×`);
  const runs = [await nodeRun(runtime, files, settings)];
  const stop = await serve(PORT);
  try {
    runs.push(await browserRun([], 'wasm', urls, settings));
    if (options.webgpu) runs.push(await browserRun(['--enable-unsafe-webgpu'], 'webgpu', urls, settings));
  } finally {
    stop();
  }
  console.log('runtime                         seconds  photos×epochs/s   start   caching  steps  validation  completion  best epoch  val. AUROC  peak MiB');
  for (const r of runs) {
    const p = r.phases;
    console.log(
      `${r.label.padEnd(30)} ${s(r.seconds)} ${s((PHOTOS * epochs) / r.seconds).padStart(12)}     ${s(p.start)} ${s(p.cache)} ${s(p.train)} ${s(p.validate).padStart(10)} ${s(p.complete).padStart(10)} ${String(r.bestEpoch).padStart(10)} ${r.imageAuroc.toFixed(3).padStart(11)} ${r.peakMiB === null ? '       —' : s(r.peakMiB)}`,
    );
    if (r.note) console.log(`  ${r.note}`);
  }
  const node = runs[0].seconds;
  for (const r of runs.slice(1)) console.log(`${r.label}: ${(r.seconds / node).toFixed(2)}× onnxruntime-node's time`);
  console.log(`goals: under ${GOALS.wasmSeconds} s on WASM, under ${GOALS.gpuSeconds} s on a GPU, the tab's peak under ${GOALS.peakMiB} MiB (node's column: the whole process's peak)`);
}
