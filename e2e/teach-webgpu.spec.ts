/**
 * Teaching on WebGPU (SwiftShader's adapter here: 50–100× slower than WASM, but the WGSL kernels a GPU
 * runs): the page's teaching worker trains on WebGPU and gives the model onnxruntime-node trains from
 * the same photos, and a GPU lost mid-run hands the run to WASM, which goes on from the last finished
 * epoch to the same model. The Teach view drives this worker (e2e/teach.spec.ts, on WASM); here it is
 * asked directly, with the default preset's graphs at a 64 px input, so that SwiftShader takes minutes.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ensureBackbone, loadBackbone } from '../src/cli/provision-backbone';
import { settingsFrom, trainCommand, type TrainArgs } from '../src/cli/train';
import { decodeImage } from '../src/engine/image/decode-node';
import type { PartManifest } from '../src/engine/patchflow/manifest';
import { PartModel } from '../src/engine/patchflow/pipeline';
import { decodeSide } from '../src/engine/patchflow/tiling';
import type { TrainedModel } from '../src/engine/train/trainer';
import { nodeRuntime } from '../src/engine/runtime/node';
import type { TeacherClient } from '../src/ui/teacher-client';
import type { TeachRequest } from '../workers/teacher-api';
import { BOTTLE, missing, photo, relativeDifference, scratchDir } from './fixtures';

test.skip(() => missing() !== null, missing() ?? '');
// the photos are served to the page by the test: no service worker may answer for them
test.use({ serviceWorkers: 'block' });

/** The fewest photos a run takes: a batch of 16 and 4 held out. */
const PHOTOS = 20;
const EPOCHS = 3;
const names = () => readdirSync(path.join(BOTTLE, 'train', 'good')).sort().slice(0, PHOTOS);
const RUN: TrainArgs = { data: '', preset: 'balanced', size: '64', epochs: EPOCHS, seed: 42, part: 'bottle-gpu', quiet: true };
const TEST_PHOTOS = ['test/good/000.jpg', 'test/good/001.jpg', 'test/broken_large/000.jpg', 'test/contamination/000.jpg'].map(photo);

interface Taught {
  manifest: PartManifest;
  head: Uint8Array;
  backend: string;
  /** The backends the worker reported, with its notes, in order. */
  switches: string[];
}

/** Teaches RUN from the photos in the page's teaching worker, on `?backend=webgpu`; loses the GPU once epoch `loseAfter` is kept. */
async function teachInPage(page: Page, loseAfter: number | null): Promise<Taught> {
  await page.route('**/teach-photos/*', (route) => route.fulfill({ body: readFileSync(photo(`train/good/${path.basename(new URL(route.request().url()).pathname)}`)), contentType: 'image/jpeg' }));
  await page.goto('/?backend=webgpu');
  await page.waitForFunction(() => (window as unknown as { patchflow?: { teacher?: unknown } }).patchflow?.teacher !== undefined);
  const request: Omit<TeachRequest, 'backend' | 'photos'> = { part: RUN.part!, dataLabel: 'e2e', settings: settingsFrom(RUN), epochs: EPOCHS, seed: RUN.seed!, resumeFrom: null };
  const taught = await page.evaluate(
    async ({ request, names, loseAfter }) => {
      const teacher = (window as unknown as { patchflow: { teacher: TeacherClient } }).patchflow.teacher;
      const photos = await Promise.all(names.map(async (name) => ({ name, photo: await (await fetch(`/teach-photos/${name}`)).blob() })));
      const switches: string[] = [];
      const { pkg, backend } = await teacher.teach(
        { ...request, photos },
        {
          progress: () => undefined,
          checkpoint: async (c) => {
            if (c.epoch === loseAfter) await teacher.loseGpu();
          },
          backend: (b, note) => void switches.push(`${b}: ${note ?? ''}`),
        },
      );
      let head = '';
      for (let i = 0; i < pkg.head.length; i += 0x8000) head += String.fromCharCode(...pkg.head.subarray(i, i + 0x8000));
      return { manifest: pkg.manifest, head: btoa(head), backend, switches };
    },
    { request, names: names(), loseAfter },
  );
  return { ...taught, head: new Uint8Array(Buffer.from(taught.head, 'base64')) };
}

let reference: Promise<TrainedModel> | undefined;
/** The same run by `npm run train` (onnxruntime-node), once for the file. */
function trainedByCli(): Promise<TrainedModel> {
  reference ??= (async () => {
    const data = path.join(scratchDir(), 'bottle');
    mkdirSync(path.join(data, 'train/good'), { recursive: true });
    for (const name of names()) copyFileSync(photo(`train/good/${name}`), path.join(data, 'train/good', name));
    return trainCommand(nodeRuntime(), await loadBackbone((await ensureBackbone()).dir), { ...RUN, data });
  })();
  return reference;
}

/** onnxruntime-node's scores of the test photos under a model. */
async function scores({ manifest, head }: { manifest: PartManifest; head: Uint8Array }): Promise<number[]> {
  const model = await PartModel.load(nodeRuntime(), await loadBackbone((await ensureBackbone()).dir), manifest, head);
  const out: number[] = [];
  for (const f of TEST_PHOTOS) out.push((await model.inspect(await decodeImage(new Uint8Array(readFileSync(f)), f, decodeSide(manifest.settings)))).score);
  await model.release();
  return out;
}

/** The taught model is the CLI's: the same run epoch by epoch, the same threshold and scores (within what other kernels' rounding carries). */
async function expectSameAsCli(taught: Taught, label: string): Promise<void> {
  const cli = await trainedByCli();
  const [a, b] = [taught.manifest.training, cli.manifest.training];
  console.log(`loss per epoch: ${label} ${a.lossCurve.map((l) => l.toFixed(4)).join(' ')}; npm run train ${b.lossCurve.map((l) => l.toFixed(4)).join(' ')}`);
  expect([a.trainImages, a.validationImages, a.bestEpoch]).toEqual([b.trainImages, b.validationImages, b.bestEpoch]);
  a.lossCurve.forEach((loss, i) => expect(Math.abs(loss - b.lossCurve[i])).toBeLessThan(5e-3 * Math.max(1, Math.abs(b.lossCurve[i]))));
  // the browser decodes the photos with its own JPEG decoder, and 4 held-out photos place the threshold
  expect(relativeDifference(taught.manifest.thresholds.image, cli.manifest.thresholds.image)).toBeLessThan(0.03);
  const [here, there] = [await scores(taught), await scores(cli)];
  console.log(`scores of ${TEST_PHOTOS.length} test photos (good, good, broken, contaminated): ${label} ${here.map((s) => s.toFixed(3)).join(' ')}; npm run train ${there.map((s) => s.toFixed(3)).join(' ')}`);
  // a score matters against the threshold: low good scores are compared on its scale
  here.forEach((s, i) => expect(Math.abs(s - there[i])).toBeLessThan(0.03 * Math.max(Math.abs(there[i]), cli.manifest.thresholds.image)));
  expect(Math.min(here[2], here[3])).toBeGreaterThan(Math.max(here[0], here[1]));
}

test('a part taught on WebGPU is the one npm run train teaches from the same photos', async ({ page }) => {
  test.setTimeout(1_200_000);
  const taught = await teachInPage(page, null);
  // the whole run stayed on WebGPU
  expect(taught.switches).toEqual(['webgpu: ']);
  expect(taught.backend).toBe('webgpu');
  await expectSameAsCli(taught, 'WebGPU');
});

test('a GPU lost mid-training hands the run to WASM, which goes on from the last finished epoch to the same model', async ({ page }) => {
  test.setTimeout(1_200_000);
  const taught = await teachInPage(page, 1);
  // the fresh worker's report keeps the reason
  expect(taught.switches).toEqual(['webgpu: ', ...Array(taught.switches.length - 1).fill(expect.stringMatching(/^wasm: WebGPU failed: the GPU was lost \(.+\); training goes on on WASM from epoch 2$/))]);
  expect(taught.switches.length).toBeGreaterThan(1);
  expect(taught.backend).toBe('wasm');
  await expectSameAsCli(taught, 'WebGPU, then WASM');
});
