/**
 * The accuracy floors on the full real data sets, with the default preset: a regression here means the
 * product got worse at its one job. (A few minutes on 2 cores; figures for every preset are in
 * docs/accuracy.md.)
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ensureBackbone, loadBackbone } from '../../src/cli/provision-backbone';
import { evaluateCommand } from '../../src/cli/evaluate';
import { trainCommand } from '../../src/cli/train';
import { PartModel } from '../../src/engine/patchflow/pipeline';
import { nodeRuntime } from '../../src/engine/runtime/node';
import { BOTTLE, CASTING, haveData } from '../shared';

const runtime = nodeRuntime();

async function trainAndEvaluate(data: string) {
  const backbone = await loadBackbone((await ensureBackbone()).dir);
  const trained = await trainCommand(runtime, backbone, { data, quiet: true });
  const model = await PartModel.load(runtime, backbone, trained.manifest, trained.head);
  const report = await evaluateCommand(model, data, { quiet: true, json: path.join(mkdtempSync(path.join(os.tmpdir(), 'pf-acc-')), 'report.json') });
  await model.release();
  return report;
}

describe.skipIf(!haveData(BOTTLE))('MVTec bottle (full)', () => {
  it('image AUROC ≥ 0.99, pixel AUROC ≥ 0.975 and AUPRO ≥ 0.9', async () => {
    const r = await trainAndEvaluate(BOTTLE);
    expect(r.image_auroc).toBeGreaterThanOrEqual(0.99);
    expect(r.pixel_auroc).toBeGreaterThanOrEqual(0.975);
    expect(r.aupro).toBeGreaterThanOrEqual(0.9);
  });
});

describe.skipIf(!haveData(CASTING))('die-cast impellers (full)', () => {
  it('image AUROC ≥ 0.97', async () => {
    const r = await trainAndEvaluate(CASTING);
    expect(r.image_auroc).toBeGreaterThanOrEqual(0.97);
  });
});
