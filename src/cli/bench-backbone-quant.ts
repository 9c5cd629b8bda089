/**
 * `npm run bench -- --backbone-quant`: the int8 import of MobileNetV2 (the TFLite file's own integer
 * arithmetic as ONNX QDQ, which onnxruntime fuses into QLinearConv/QLinearAdd) against the float one.
 *
 * Speed, in ms per 256 px bottle photo: the backbone alone (one 256 px input, every tap) and the whole
 * default-model inference (preprocess → backbone at scales 1, ½, ¼ → head), on onnxruntime-web's WASM in
 * headless Chromium (the app's bundle, 1 and 2 threads, cross-origin isolated) and on onnxruntime-node.
 * Float and int8 run photo by photo in alternating order, so that a busy machine slows both alike. Both
 * whole-model graphs carry the shipped bottle model's head: its cost does not depend on its weights.
 *
 * Accuracy: ImageNet top-1 of the four reference photos with each import, and how far each tap of the
 * int8 import lies from the float one. Part-model AUROC needs training on each backbone
 * (`npm run train -- … --backbone int8`); docs/backbone-quantization.md has the commands and figures.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../../playwright.config';
import type { LoadedBackbone } from '../engine/backbone/manifest';
import { MOBILENET_V2_VARIANTS, type BackboneVariant } from '../engine/backbone/provision';
import { decodeImage } from '../engine/image/decode-node';
import { extractSubgraph, type Graph } from '../engine/onnx/graph';
import { parseModel, serializeModel } from '../engine/onnx/serialize';
import { readPartPackage } from '../engine/patchflow/part-package';
import { buildInferenceGraph } from '../engine/patchflow/pipeline';
import { IMAGE_OUTPUT, buildPreprocessGraph, preprocessFeeds, preprocessSettings } from '../engine/patchflow/preprocess';
import { SCORE_OUTPUTS } from '../engine/patchflow/scores';
import { runSession, type HostTensor, type Runtime } from '../engine/runtime';
import { percentile } from './bench';
import { testImages } from './dataset';
import { demoPartsDir } from './demo-parts';
import { repoRoot, sharedDir } from './paths';
import { REFERENCE_LABELS, classifyReferencePhotos, ensureBackbone, loadBackbone, relativeDifference } from './provision-backbone';
import { inputLongSide } from '../engine/patchflow/aggregation';

const PORT = 4177;
const WARMUP = 5;
const MEASURED = 30;
const VARIANTS: BackboneVariant[] = ['float', 'int8'];
const ORT_DIST = path.join(repoRoot(), 'node_modules', 'onnxruntime-web', 'dist');
/** The app's onnxruntime-web entry (package.json "exports"."."."import"), with its WASM build. */
const ORT_BUNDLE = 'ort.bundle.min.mjs';

/** One graph to time, per backbone: the graph and its bytes, the outputs read back, and the feeds of each photo. */
interface Case {
  label: string;
  graphs: Record<BackboneVariant, Graph>;
  models: Record<BackboneVariant, Uint8Array>;
  outputs: string[];
  feeds: Record<string, HostTensor>[];
}

type Timings = Record<BackboneVariant, number[]>;

/** Median and fastest: on a shared machine the fastest run is the nearest to what the work itself costs. */
const fmt = (v: number[]) => `${percentile(v, 0.5).toFixed(1).padStart(6)} / ${Math.min(...v).toFixed(1).padStart(6)}`;

/** Runs every photo through each backbone's session, the order alternating photo by photo; warm-ups not kept. */
async function timeInNode(runtime: Runtime, c: Case): Promise<{ ms: Timings; outputs: Record<BackboneVariant, Record<string, HostTensor>[]> }> {
  const sessions = await Promise.all(VARIANTS.map((v) => runtime.createSession(c.models[v])));
  const ms: Timings = { float: [], int8: [] };
  const outputs: Record<BackboneVariant, Record<string, HostTensor>[]> = { float: [], int8: [] };
  for (const [i, feeds] of c.feeds.entries()) {
    for (const k of i % 2 ? [1, 0] : [0, 1]) {
      const t0 = performance.now();
      const out = await runSession(runtime, sessions[k], feeds, c.outputs);
      if (i < WARMUP) continue;
      ms[VARIANTS[k]].push(performance.now() - t0);
      outputs[VARIANTS[k]].push(out);
    }
  }
  await Promise.all(sessions.map((s) => s.release()));
  return { ms, outputs };
}

/**
 * Serves the cases' models and feeds and onnxruntime-web's files, cross-origin isolated so that WASM
 * may use threads.
 */
function serve(cases: Case[]): Promise<Server> {
  const files = new Map<string, Uint8Array>();
  for (const [n, c] of cases.entries()) {
    for (const v of VARIANTS) files.set(`/case/${n}/${v}.onnx`, c.models[v]);
    c.feeds.forEach((feeds, i) => Object.entries(feeds).forEach(([name, t]) => files.set(`/case/${n}/feed/${i}/${name}`, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength))));
  }
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const ort = url.startsWith('/ort/') ? path.join(ORT_DIST, path.basename(url)) : null;
    const body = url === '/' ? '<!doctype html><title>backbone bench</title>' : ort ? (existsSync(ort) ? readFileSync(ort) : null) : files.get(url);
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    const type = url === '/' ? 'text/html' : url.endsWith('.mjs') ? 'text/javascript' : url.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream';
    res.writeHead(200, { 'Content-Type': type, 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(PORT, '127.0.0.1', () => resolve(server)));
}

/** A photo's feeds as the page fetches them: name, type, dims and URL of each. */
function feedUrls(c: Case, n: number, photo: number): FeedUrl[] {
  return Object.entries(c.feeds[photo]).map(([name, t]) => ({ name, dtype: t.dtype, dims: t.dims, url: `/case/${n}/feed/${photo}/${name}` }));
}

interface FeedUrl {
  name: string;
  dtype: string;
  dims: number[];
  url: string;
}

/** What the bench page keeps on `window` between evaluations: onnxruntime-web and each case's photo feeds. */
interface BenchWindow {
  ort: typeof import('onnxruntime-web');
  feeds: Record<string, import('onnxruntime-web').Tensor>[][];
}

/**
 * A page with the app's onnxruntime-web on WASM with `threads` threads (set once per page, before any
 * session) and every case's feeds fetched. (The page code defines no named functions: tsx would wrap
 * them in a __name() helper the page does not have.)
 */
async function openBenchPage(browser: Browser, threads: number, cases: Case[]): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${PORT}/`);
  await page.evaluate(
    async ({ threads, ortUrl, photos }) => {
      const ort = (await import(/* @vite-ignore */ ortUrl)) as BenchWindow['ort'];
      if (threads > 1 && !crossOriginIsolated) throw new Error('the bench page is not cross-origin isolated: WASM cannot use threads');
      ort.env.wasm.wasmPaths = '/ort/';
      ort.env.wasm.numThreads = threads;
      const arrays = { float32: Float32Array, uint8: Uint8Array, int64: BigInt64Array } as const;
      const feeds: BenchWindow['feeds'] = [];
      for (const casePhotos of photos) {
        const tensors: BenchWindow['feeds'][number] = [];
        for (const photo of casePhotos) {
          const byName: Record<string, InstanceType<typeof ort.Tensor>> = {};
          for (const f of photo) {
            const data = new arrays[f.dtype as keyof typeof arrays](await (await fetch(f.url)).arrayBuffer());
            byName[f.name] = new ort.Tensor(f.dtype as 'float32', data as Float32Array, f.dims);
          }
          tensors.push(byName);
        }
        feeds.push(tensors);
      }
      (window as unknown as { bench: BenchWindow }).bench = { ort, feeds };
    },
    { threads, ortUrl: `/ort/${ORT_BUNDLE}`, photos: cases.map((c, n) => c.feeds.map((_, i) => feedUrls(c, n, i))) },
  );
  return page;
}

/** The same alternating runs as timeInNode, on onnxruntime-web's WASM in the page. */
async function timeInPage(page: Page, cases: Case[]): Promise<Timings[]> {
  const plan = cases.map((c, n) => ({ outputs: c.outputs, models: VARIANTS.map((v) => `/case/${n}/${v}.onnx`) }));
  return page.evaluate(
    async ({ plan, variants, warmup }) => {
      const { ort, feeds } = (window as unknown as { bench: BenchWindow }).bench;
      const results: Record<string, number[]>[] = [];
      for (const [n, c] of plan.entries()) {
        const sessions = await Promise.all(c.models.map((url) => ort.InferenceSession.create(url, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' })));
        const ms: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v, []]));
        for (const [i, tensors] of feeds[n].entries()) {
          for (const k of i % 2 ? [1, 0] : [0, 1]) {
            const t0 = performance.now();
            await sessions[k].run(tensors, c.outputs);
            if (i >= warmup) ms[variants[k]].push(performance.now() - t0);
          }
        }
        await Promise.all(sessions.map((s) => s.release()));
        results.push(ms);
      }
      return results as Timings[];
    },
    { plan, variants: VARIANTS, warmup: WARMUP },
  );
}

const PROFILED_RUNS = 10;

interface ProfileEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args: { op_name?: string };
}

/** What a kernel computes, from the graph node it was made of (the profiler names it `Op_<index>`, `_token_<n>` when fused). */
function kernelKind(graph: Graph, e: ProfileEvent): string {
  const [, op, index] = /^([A-Za-z]+)_(\d+)/.exec(e.name) ?? [];
  const node = graph.nodes[Number(index)];
  if (node?.op !== op) return 'other';
  if (op === 'Add') return 'residual add';
  if (op !== 'Conv') return 'other';
  const group = node.attrs.group?.kind === 'int' ? node.attrs.group.value : 1;
  const kernel = node.attrs.kernel_shape?.kind === 'ints' ? node.attrs.kernel_shape.value : [];
  return group > 1 ? 'depthwise 3×3 conv' : kernel.every((k) => k === 1) ? '1×1 conv' : 'full 3×3 conv (stem)';
}

/**
 * Where the time goes: onnxruntime-web's profiler over one case in the page (1 thread), each backbone in
 * turn. Per kernel the fastest of its runs (robust to a busy machine), summed by what it computes.
 */
async function profileInPage(page: Page, c: Case, n: number): Promise<Record<BackboneVariant, Map<string, number>>> {
  const lines: string[] = [];
  page.on('console', (m) => lines.push(m.text()));
  await page.evaluate(
    async ({ models, n, outputs, runs }) => {
      const { ort, feeds } = (window as unknown as { bench: BenchWindow }).bench;
      const tensors = feeds[n][0];
      for (const [variant, url] of models) {
        const session = await ort.InferenceSession.create(url, { executionProviders: ['wasm'], graphOptimizationLevel: 'all', enableProfiling: true });
        for (let i = 0; i < runs; i++) await session.run(tensors, outputs);
        console.log(`profile of ${variant}`); // the session's events follow, one console line each
        session.endProfiling();
        await session.release();
      }
    },
    { models: VARIANTS.map((v) => [v, `/case/${n}/${v}.onnx`]), n, outputs: c.outputs, runs: WARMUP + PROFILED_RUNS },
  );
  const byVariant = {} as Record<BackboneVariant, Map<string, number>>;
  for (const v of VARIANTS) {
    // the events are a JSON array printed one element a line, after the marker and before the next one
    const start = lines.indexOf(`profile of ${v}`);
    const end = lines.findIndex((l, i) => i > start && l.startsWith('profile of '));
    const events = lines
      .slice(start + 1, end < 0 ? undefined : end)
      .filter((l) => l.startsWith('{"cat"'))
      .map((l) => JSON.parse(l.replace(/,\s*$/, '')) as ProfileEvent);
    const measuredFrom = events.filter((e) => e.name === 'model_run')[WARMUP]?.ts ?? 0;
    const fastest = new Map<string, [string, number]>();
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time') || e.ts < measuredFrom) continue;
      const known = fastest.get(e.name);
      if (!known || e.dur < known[1]) fastest.set(e.name, [kernelKind(c.graphs[v], e), e.dur]);
    }
    const kinds = new Map<string, number>();
    for (const [kind, us] of fastest.values()) kinds.set(kind, (kinds.get(kind) ?? 0) + us / 1000);
    byVariant[v] = kinds;
  }
  return byVariant;
}

export async function benchBackboneQuantCommand(runtime: Runtime): Promise<void> {
  const bottle = path.join(sharedDir(), 'datasets', 'mvtec_bottle_512');
  const shipped = path.join(demoPartsDir(), 'bottle.zip');
  if (!existsSync(bottle) || !existsSync(shipped)) throw new Error(`the backbone bench needs ${bottle} and the demo model ${shipped} (npm run setup)`);
  const backbones = {} as Record<BackboneVariant, LoadedBackbone>;
  const onnxMiB = {} as Record<BackboneVariant, number>;
  for (const v of VARIANTS) {
    const { dir, manifest: m } = await ensureBackbone({ variant: v });
    backbones[v] = await loadBackbone(dir);
    onnxMiB[v] = statSync(path.join(dir, m.file)).size / 2 ** 20;
  }
  const { manifest, head } = await readPartPackage([{ name: 'bottle.zip', bytes: new Uint8Array(readFileSync(shipped)) }]);
  const input = backbones.float.manifest.input;
  const size = inputLongSide(manifest.settings.features);

  console.log('ImageNet top-1 of the reference photos:');
  for (const v of VARIANTS) {
    const { graph, manifest: m } = backbones[v];
    const labels = await classifyReferencePhotos(runtime, graph, m.classifier!.output, m.input);
    const same = Object.entries(REFERENCE_LABELS).every(([photo, label]) => labels[photo] === label);
    console.log(`  ${v.padEnd(5)} ${Object.entries(labels).map(([photo, label]) => `${photo}: ${label}`).join(', ')} (${same ? 'all' : 'NOT all'} as the reference classifier)`);
  }

  // the photos, decoded and preprocessed as the app does; the backbone alone reads the preprocessed image
  const photos = testImages(bottle).slice(0, WARMUP + MEASURED);
  const wholeFeeds = await Promise.all(photos.map(async (f) => preprocessFeeds(await decodeImage(new Uint8Array(readFileSync(f.path)), f.path, size), preprocessSettings(manifest.settings))));
  const preprocess = await runtime.createSession(serializeModel(buildPreprocessGraph({ ...preprocessSettings(manifest.settings), scale: input.scale, offset: input.offset })));
  const imageFeeds: Record<string, HostTensor>[] = [];
  for (const feeds of wholeFeeds) imageFeeds.push({ [input.name]: (await runSession(runtime, preprocess, feeds))[IMAGE_OUTPUT] });
  await preprocess.release();

  const taps = backbones.float.manifest.taps.map((t) => t.output);
  const headGraph = parseModel(head).graph;
  const both = (label: string, build: (b: LoadedBackbone) => Graph, outputs: string[], feeds: Record<string, HostTensor>[]): Case => {
    const graphs = Object.fromEntries(VARIANTS.map((v) => [v, build(backbones[v])])) as Record<BackboneVariant, Graph>;
    const models = Object.fromEntries(VARIANTS.map((v) => [v, serializeModel(graphs[v])])) as Record<BackboneVariant, Uint8Array>;
    return { label, graphs, models, outputs, feeds };
  };
  const cases = [
    both(`backbone (${size} px, ${taps.length} taps)`, (b) => extractSubgraph(b.graph, taps), taps, imageFeeds),
    both(`whole ${manifest.settings.features.scales.length}-scale default model`, (b) => buildInferenceGraph(b, manifest, headGraph), [SCORE_OUTPUTS.score, SCORE_OUTPUTS.anomalyMap], wholeFeeds),
  ];

  const node = await Promise.all(cases.map((c) => timeInNode(runtime, c)));
  console.log(`\nint8 taps against float (${MEASURED} bottle photos at ${size} px): ‖int8 − float‖ / ‖float‖, median (max)`);
  for (const t of taps) {
    const d = node[0].outputs.int8.map((out, i) => relativeDifference(out[t].data as Float32Array, node[0].outputs.float[i][t].data as Float32Array));
    console.log(`  ${t.padEnd(11)} ${percentile(d, 0.5).toFixed(4)} (${Math.max(...d).toFixed(4)})`);
  }
  const scores = node[1].outputs;
  console.log(`  anomaly score of the float-trained head on the int8 backbone: median |Δ| ${percentile(scores.int8.map((o, i) => Math.abs((o.score.data as Float32Array)[0] - (scores.float[i].score.data as Float32Array)[0])), 0.5).toFixed(3)} (threshold ${manifest.thresholds.image.toFixed(3)}; a part model is trained per backbone)`);

  const server = await serve(cases);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const rows: { runtime: string; timings: Timings[] }[] = [{ runtime: `${runtime.name}`, timings: node.map((n) => n.ms) }];
  let profile: Record<BackboneVariant, Map<string, number>>;
  try {
    for (const threads of [1, 2]) {
      const page = await openBenchPage(browser, threads, cases);
      rows.push({ runtime: `Chromium WASM, ${threads} thread${threads > 1 ? 's' : ''}`, timings: await timeInPage(page, cases) });
      await page.close();
    }
    const page = await openBenchPage(browser, 1, cases.slice(0, 1));
    profile = await profileInPage(page, cases[0], 0);
    await page.close();
  } finally {
    await browser.close();
    server.close();
  }

  console.log(`\nms per photo, median / fastest of ${MEASURED} bottle photos after ${WARMUP} warm-ups (float and int8 alternating; a shared machine makes these noisy)`);
  console.log(`${'graph'.padEnd(34)} ${'runtime'.padEnd(28)} ${'float'.padStart(15)} ${'int8'.padStart(15)}   int8 ÷ float`);
  for (const [n, c] of cases.entries()) {
    for (const r of rows) {
      const t = r.timings[n];
      console.log(`${c.label.padEnd(34)} ${r.runtime.padEnd(28)} ${fmt(t.float)} ${fmt(t.int8)}   ${(percentile(t.int8, 0.5) / percentile(t.float, 0.5)).toFixed(2)}×`);
    }
  }
  console.log(`\nwhere the backbone's time goes: Chromium WASM, 1 thread, onnxruntime-web's profiler; per kernel the fastest of ${PROFILED_RUNS} runs, summed, ms`);
  const kinds = [...new Set(VARIANTS.flatMap((v) => [...profile[v].keys()]))].sort((a, b) => (profile.float.get(b) ?? 0) - (profile.float.get(a) ?? 0));
  const total = (v: BackboneVariant) => [...profile[v].values()].reduce((a, b) => a + b, 0);
  console.log(`  ${'kernels'.padEnd(24)} ${'float'.padStart(7)} ${'int8'.padStart(7)}`);
  for (const kind of kinds) console.log(`  ${kind.padEnd(24)} ${(profile.float.get(kind) ?? 0).toFixed(1).padStart(7)} ${(profile.int8.get(kind) ?? 0).toFixed(1).padStart(7)}`);
  console.log(`  ${'all kernels'.padEnd(24)} ${total('float').toFixed(1).padStart(7)} ${total('int8').toFixed(1).padStart(7)}`);
  console.log(`\nbackbones: ${VARIANTS.map((v) => `${v} = ${MOBILENET_V2_VARIANTS[v].id} (${onnxMiB[v].toFixed(1)} MiB)`).join(', ')}`);
}
