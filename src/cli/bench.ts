/**
 * `npm run bench`: the figures the product promises, measured on this machine — training time of the
 * bottle model, per-image inference latency in Node and peak memory. Latency is measured against the
 * paper's plain flow in alternating rounds, so that a busy machine slows both alike and the ratio holds.
 */
import os from 'node:os';
import path from 'node:path';
import { decodeImage } from '../engine/image/decode-node';
import { DEFAULT_PRESET } from '../engine/patchflow/manifest';
import { PartModel } from '../engine/patchflow/pipeline';
import type { Runtime } from '../engine/runtime';
import { readBytes, testImages } from './dataset';
import { saveModel } from './model-files';
import { sharedDir } from './paths';
import { ensureBackbone, loadBackbone } from './provision-backbone';
import { trainCommand } from './train';
import { decodeSide } from '../engine/patchflow/tiling';
import { mib } from '../engine/units';

const LATENCY_IMAGES = 25;
const LATENCY_ROUNDS = 4;
const WARMUP = 3;
const BASELINE_PRESET = 'paper';

export function percentile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

export async function benchCommand(runtime: Runtime, data = path.join(sharedDir(), 'datasets', 'mvtec_bottle_512'), preset: string = DEFAULT_PRESET): Promise<void> {
  const backbone = await loadBackbone((await ensureBackbone()).dir);
  console.log(`machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${runtime.name}`);

  const train = async (name: string) => {
    const t0 = performance.now();
    const trained = await trainCommand(runtime, backbone, { data, preset: name, quiet: true });
    const seconds = (performance.now() - t0) / 1000;
    await saveModel(path.join('runs', `bench-${name}`), trained);
    const t = trained.manifest.training;
    console.log(`training (preset ${name}): ${seconds.toFixed(1)} s for ${t.trainImages} images × ${t.epochs} epochs (best epoch ${t.bestEpoch}), ${JSON.stringify(trained.manifest.settings.features)}`);
    return { name, trained, model: await PartModel.load(runtime, backbone, trained.manifest, trained.head), ms: [] as number[] };
  };
  const measured = await train(preset);
  const runs = preset === BASELINE_PRESET ? [measured] : [measured, await train(BASELINE_PRESET)];

  // Rounds of one model over all images, then the other, the order alternating: each model runs in
  // its steady state (as at an inspection station, where one part model is loaded), while slow spells
  // of a shared machine tend to fall on both. (Alternating every few images instead evicts the
  // default's 20 MiB of Gaussian precisions from cache at each switch and overstates its cost.)
  const images = testImages(data).slice(0, LATENCY_IMAGES + WARMUP).map((f) => ({ path: f.path, bytes: readBytes(f.path) }));
  const decodeMs: number[] = [];
  let decodedSize = '';
  for (let round = 0; round < LATENCY_ROUNDS; round++) {
    for (const r of round % 2 ? [...runs].reverse() : runs) {
      for (const [i, f] of images.entries()) {
        const d0 = performance.now();
        const image = await decodeImage(f.bytes, f.path, decodeSide(r.model.manifest.settings));
        const decode = performance.now() - d0;
        decodedSize = `${image.width}×${image.height}`;
        const result = await r.model.inspect(image);
        if (i < WARMUP) continue;
        r.ms.push(result.milliseconds);
        decodeMs.push(decode);
      }
    }
  }
  const scales = measured.trained.manifest.settings.features.scales.length;
  for (const r of runs) {
    console.log(`inference ${r.name} (preprocess + backbone ×${scales} scales + head), ${r.ms.length} runs: median ${percentile(r.ms, 0.5).toFixed(1)} ms, p90 ${percentile(r.ms, 0.9).toFixed(1)} ms`);
  }
  if (runs.length > 1) console.log(`latency ${preset} / ${BASELINE_PRESET} (median): ${(percentile(measured.ms, 0.5) / percentile(runs[1].ms, 0.5)).toFixed(2)}×`);
  console.log(`image decode (pure JS, ${decodedSize}): median ${percentile(decodeMs, 0.5).toFixed(1)} ms`);
  console.log(`head.onnx: ${mib(measured.trained.head.byteLength)}`);
  console.log(`peak memory (max RSS, training and both models): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
  for (const r of runs) await r.model.release();
}
