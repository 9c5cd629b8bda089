/**
 * Demo part models for a first start (Node only): where the shared data sets are present, `npm run setup`
 * trains the default preset once on each and writes `public/models/parts/<part>.zip` plus `index.json`,
 * which the app's library offers. A model already built on the current backbone and settings is kept.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LoadedBackbone } from '../engine/backbone/manifest';
import { DEFAULT_PRESET, presetSettings, trainedAsRequested } from '../engine/patchflow/manifest';
import { readPartPackage } from '../engine/patchflow/part-package';
import type { Runtime } from '../engine/runtime';
import type { ShippedParts } from '../../workers/inspector-api';
import { writeAtomic } from './files';
import { packageName, saveModel } from './model-files';
import { repoRoot, sharedDir } from './paths';
import { trainCommand } from './train';

const DEMO_PARTS = [
  { part: 'casting', data: 'datasets/casting_dev', description: 'Die-cast pump impellers, top view (casting_dev train/good); default preset' },
  { part: 'bottle', data: 'datasets/mvtec_bottle_512', description: 'MVTec AD bottle (train/good; CC BY-NC-SA, evaluation only); default preset' },
];

export function demoPartsDir(): string {
  return path.join(repoRoot(), 'public', 'models', 'parts');
}

/** True when `zip` holds a model of the default preset on this backbone, calibrated by the current rule. */
async function current(zip: string, backbone: LoadedBackbone): Promise<boolean> {
  if (!existsSync(zip)) return false;
  try {
    const { manifest } = await readPartPackage([{ name: path.basename(zip), bytes: new Uint8Array(readFileSync(zip)) }]);
    return manifest.backbone.sha256 === backbone.manifest.sha256 && trainedAsRequested(manifest.settings, presetSettings(DEFAULT_PRESET)) && manifest.goodScores.values !== undefined;
  } catch {
    return false;
  }
}

/** Trains what is missing and rewrites the index; returns the parts on offer. */
export async function ensureDemoParts(runtime: Runtime, backbone: LoadedBackbone, log: (line: string) => void): Promise<ShippedParts['parts']> {
  const dir = demoPartsDir();
  mkdirSync(dir, { recursive: true });
  const parts: ShippedParts['parts'] = [];
  for (const demo of DEMO_PARTS) {
    const data = path.join(sharedDir(), demo.data);
    const file = `${packageName(demo.part)}.zip`;
    const zip = path.join(dir, file);
    if (!(await current(zip, backbone))) {
      if (!existsSync(path.join(data, 'train', 'good'))) {
        log(`demo part '${demo.part}' skipped: ${data} not found`);
        continue;
      }
      log(`training demo part '${demo.part}' on ${data} (once; about a minute)`);
      const model = await trainCommand(runtime, backbone, { data, part: demo.part });
      const built = await saveModel(path.join(repoRoot(), 'runs', `demo-${demo.part}`), model);
      writeAtomic(zip, readFileSync(built));
    }
    parts.push({ part: demo.part, file, bytes: readFileSync(zip).length, description: demo.description });
  }
  const index: ShippedParts = { format: 'patchflow-inspect/shipped-parts@1', parts };
  writeAtomic(path.join(dir, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  return parts;
}
