/**
 * `npm run bench`: the figures the product promises, measured on this machine — training time of the
 * bottle model, per-image inference latency in Node (median of 25 after warm-up) and peak memory.
 */
import os from 'node:os';
import path from 'node:path';
import { decodeImage } from '../engine/image/decode';
import { DEFAULT_PRESET } from '../engine/patchflow/manifest';
import { PartModel } from '../engine/patchflow/pipeline';
import type { Runtime } from '../engine/runtime';
import { readBytes, testImages } from './dataset';
import { saveModel } from './model-files';
import { sharedDir } from './paths';
import { ensureBackbone, loadBackbone } from './provision-backbone';
import { trainCommand } from './train';

const LATENCY_RUNS = 25;
const WARMUP = 3;

function percentile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

export async function benchCommand(runtime: Runtime, data = path.join(sharedDir(), 'datasets', 'mvtec_bottle_512'), preset: string = DEFAULT_PRESET): Promise<void> {
  const backbone = await await loadBackbone((await ensureBackbone()).dir);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${runtime.name}`);

  const t0 = performance.now();
  const trained = await trainCommand(runtime, backbone, { data, preset, quiet: true });
  const trainSeconds = (performance.now() - t0) / 1000;
  saveModel(path.join('runs', `bench-${preset}`), trained);
  const t = trained.manifest.training;
  console.log(`training (preset ${preset}): ${trainSeconds.toFixed(1)} s for ${t.trainImages} images × ${t.epochs} epochs (best epoch ${t.bestEpoch}), ${JSON.stringify(trained.manifest.settings.features)}`);

  const model = await PartModel.load(runtime, backbone, trained.manifest, trained.head);
  const files = testImages(data).slice(0, LATENCY_RUNS + WARMUP);
  const decodeMs: number[] = [];
  let decodedSize = '';
  const inferMs: number[] = [];
  for (const [i, f] of files.entries()) {
    const bytes = readBytes(f.path);
    const d0 = performance.now();
    const image = decodeImage(bytes, f.path);
    const decode = performance.now() - d0;
    decodedSize = `${image.width}×${image.height}`;
    const result = await model.inspect(image);
    if (i >= WARMUP) {
      decodeMs.push(decode);
      inferMs.push(result.milliseconds);
    }
  }
  console.log(`inference (preprocess + backbone ×${trained.manifest.settings.features.scales.length} scales + head), ${inferMs.length} images: median ${percentile(inferMs, 0.5).toFixed(1)} ms, p90 ${percentile(inferMs, 0.9).toFixed(1)} ms`);
  console.log(`image decode (pure JS, ${decodedSize}): median ${percentile(decodeMs, 0.5).toFixed(1)} ms`);
  console.log(`head.onnx: ${(trained.head.byteLength / 2 ** 20).toFixed(1)} MiB`);
  console.log(`peak memory (max RSS): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  await model.release();
}
