/** The `patchflow` command line: setup, train, eval, bench (Node only). */
import { parseArgs } from 'node:util';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { nodeRuntime } from '../engine/runtime/node';
import { PartModel } from '../engine/patchflow/pipeline';
import { ensureBackbone, loadBackbone } from './provision-backbone';
import { evaluateCommand, formatReport } from './evaluate';
import { readModel, saveModel } from './model-files';
import { readPartPackage } from '../engine/patchflow/part-package';
import { ruleOf, smoothingOf, trainCommand, type TrainArgs } from './train';
import { MAP_COMBINATIONS, SCORE_RULES, heatMapRule } from '../engine/patchflow/scores';
import { benchCommand } from './bench';
import { benchBrowserCommand } from './bench-browser';
import { benchTeachCommand } from './bench-teach';
import { benchHistoryCommand } from './bench-history';
import { benchLiveCommand } from './bench-live';
import { benchBackboneQuantCommand } from './bench-backbone-quant';
import { backboneVariant } from '../engine/backbone/provision';
import { demoPartsDir, ensureDemoParts } from './demo-parts';
import { validateCommand } from './validate';
import { DEFAULT_FALSE_REJECT_RATE, withFalseRejectRate } from '../engine/train/calibration';

const USAGE = `usage:
  npm run setup                                   provision the backbone and, beside ../shared, the demo part models (public/models)
  npm run train -- --data DIR --out DIR [--preset balanced|paper|...] [--part NAME] [--epochs N] [--batch N]
                   [--lr X] [--seed N] [--size PX|WxH] [--taps a,b,c] [--scales 1,0.5,0.25] [--steps K] [--crop F] [--region X,Y,W,H (fractions)]
                   [--tiles CxR[@OVERLAP] (tiled inspection, e.g. 2x2@0.25)]
                   [--adapter-constraint none|fixed-norm|frozen|unit-variance] [--position-channels N] [--position-blind auto|SHARE] [--covariance-block K]
                   [--gaussians none|TAPS[@SCALES]:DIMS:REDUCTION[;...]]   e.g. s8_block+s8_expand@1:64:random-channels
                   [--combine flow|gaussian|mean|max|agreement|gaussian.I] [--heat-map flow|gaussian|mean|max|gaussian.I] [--smoothing σ PX] [--thin-defects]
                   [--backbone float|int8] [--false-reject-rate 1%] [--validate DIR (real photos set aside: test/good, test/<defect>)]
  npm run eval  -- --data DIR --model DIR|PART.zip [--json FILE] [--combine RULE] [--heat-map RULE] [--smoothing σ PX] [--backbone float|int8]
                   [--false-reject-rate R (the threshold set anew from the model's held-out good scores)]
  npm run bench -- [--data DIR] [--preset NAME]   training time, latency and memory on MVTec bottle
  npm run bench -- --browser [--webgpu]          the app's speed in headless Chromium beside onnxruntime-node
  npm run bench -- --teach [--preset NAME] [--thin-defects] [--webgpu]  teaching 50 good photos in headless Chromium (WASM; WebGPU) beside onnxruntime-node, the tab's peak memory
  npm run bench -- --history [--records N]       100 000 (N) history records in headless Chromium: insert rate, opening the History view filtered
  npm run bench -- --live [--size PX] [--webgpu]  sustained live inspection (fake camera) in headless Chromium, default and live preset (at PX)
  npm run bench -- --backbone-quant               int8 (QDQ) against float backbone: speed (Chromium WASM, Node), accuracy`;

const list = (v: string | undefined) => v?.split(',').map((s) => s.trim()).filter(Boolean);
/** A share, as a fraction (0.01) or a percentage (1%). */
const rate = (v: string | undefined) => {
  if (v === undefined) return undefined;
  const share = v.endsWith('%') ? Number(v.slice(0, -1)) / 100 : Number(v);
  if (!(share > 0 && share < 1)) throw new Error(`--false-reject-rate must be a share between 0 and 1 (0.01) or a percentage (1%), got '${v}'`);
  return share;
};

const num = (v: string | undefined, name: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got '${v}'`);
  return n;
};

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      data: { type: 'string' }, out: { type: 'string' }, model: { type: 'string' }, json: { type: 'string' },
      part: { type: 'string' }, epochs: { type: 'string' }, batch: { type: 'string' }, lr: { type: 'string' },
      seed: { type: 'string' }, size: { type: 'string' }, taps: { type: 'string' }, scales: { type: 'string' },
      steps: { type: 'string' }, crop: { type: 'string' }, region: { type: 'string' }, tiles: { type: 'string' }, quiet: { type: 'boolean' }, preset: { type: 'string' },
      'adapter-constraint': { type: 'string' }, 'position-channels': { type: 'string' }, 'position-blind': { type: 'string' }, 'covariance-block': { type: 'string' }, gaussians: { type: 'string' },
      combine: { type: 'string' }, 'heat-map': { type: 'string' }, smoothing: { type: 'string' }, 'thin-defects': { type: 'boolean' }, optional: { type: 'boolean' },
      browser: { type: 'boolean' }, webgpu: { type: 'boolean' }, live: { type: 'boolean' }, backbone: { type: 'string' }, 'backbone-quant': { type: 'boolean' }, history: { type: 'boolean' }, records: { type: 'string' }, teach: { type: 'boolean' },
      'false-reject-rate': { type: 'string' }, validate: { type: 'string' },
    },
  });
  const require = (v: string | undefined, flag: string) => {
    if (!v) throw new Error(`${command} needs --${flag}\n${USAGE}`);
    return v;
  };
  const runtime = nodeRuntime();
  const variant = backboneVariant(values.backbone ?? 'float');
  switch (command) {
    case 'setup': {
      let backbone;
      try {
        const { dir, manifest } = await ensureBackbone();
        console.log(`backbone ${manifest.id} ready in ${path.relative(process.cwd(), dir)}`);
        backbone = await loadBackbone(dir);
      } catch (e) {
        // the test command provisions optionally: without the weights, the tests that need them skip
        if (!values.optional) throw e;
        console.warn(`setup skipped: ${(e as Error).message}`);
        return;
      }
      const parts = await ensureDemoParts(runtime, backbone, (line) => console.log(line));
      console.log(`demo part models: ${parts.map((p) => p.part).join(', ') || 'none (no shared data sets)'} in ${path.relative(process.cwd(), demoPartsDir())}`);
      return;
    }
    case 'train': {
      const out = require(values.out, 'out');
      const args: TrainArgs = {
        data: require(values.data, 'data'), part: values.part, epochs: num(values.epochs, 'epochs'), batch: num(values.batch, 'batch'),
        lr: num(values.lr, 'lr'), seed: num(values.seed, 'seed'), size: values.size, taps: list(values.taps),
        scales: list(values.scales)?.map((s) => num(s, 'scales')!), steps: num(values.steps, 'steps'), crop: num(values.crop, 'crop'), region: values.region, tiles: values.tiles, quiet: values.quiet,
        preset: values.preset, adapterConstraint: values['adapter-constraint'], positionChannels: num(values['position-channels'], 'position-channels'), positionBlind: values['position-blind'], covarianceBlock: num(values['covariance-block'], 'covariance-block'),
        gaussians: values.gaussians, combine: values.combine, heatMap: values['heat-map'], smoothing: num(values.smoothing, 'smoothing'), thinDefects: values['thin-defects'], falseRejectRate: rate(values['false-reject-rate']),
      };
      const backbone = await loadBackbone((await ensureBackbone({ variant })).dir);
      let model = await trainCommand(runtime, backbone, args);
      if (values.validate) model = await validateCommand(runtime, backbone, model, values.validate, args.falseRejectRate ?? DEFAULT_FALSE_REJECT_RATE);
      const zip = await saveModel(out, model);
      const t = model.manifest.training;
      console.log(`saved ${out} (package ${zip}): best epoch ${t.bestEpoch}/${t.epochs}, threshold ${model.manifest.thresholds.image.toFixed(4)}, ${t.seconds.toFixed(0)} s`);
      return;
    }
    case 'eval': {
      const backbone = await loadBackbone((await ensureBackbone({ variant })).dir);
      // a model folder, or the package the app exports (<part>.zip)
      const modelPath = require(values.model, 'model');
      const stored = modelPath.toLowerCase().endsWith('.zip') ? await readPartPackage([{ name: path.basename(modelPath), bytes: new Uint8Array(readFileSync(modelPath)) }]) : readModel(modelPath);
      const falseRejectRate = rate(values['false-reject-rate']);
      const { head } = stored;
      const manifest = falseRejectRate === undefined ? stored.manifest : withFalseRejectRate(stored.manifest, falseRejectRate);
      // re-scoring a trained model under another rule needs no retraining: the head keeps every map
      const scoring = manifest.settings.scoring;
      const heatMap = heatMapRule(scoring);
      if (values.combine) scoring.combine = ruleOf(values.combine, SCORE_RULES, 'combine');
      scoring.heatMap = values['heat-map'] ? ruleOf(values['heat-map'], MAP_COMBINATIONS, 'heat-map') : heatMap;
      if (values.smoothing) scoring.mapSmoothingSigma = smoothingOf(num(values.smoothing, 'smoothing')!);
      if (values.combine || values['heat-map'] || values.smoothing) {
        console.error('note: re-scored; the stored thresholds were calibrated for the trained rules, so read AUROC/AUPRO/F1 max, not precision/recall');
      }
      const model = await PartModel.load(runtime, backbone, manifest, head);
      const report = await evaluateCommand(model, require(values.data, 'data'), { json: values.json, quiet: values.quiet });
      console.log(formatReport(report));
      return;
    }
    case 'bench':
      if (values.live) await benchLiveCommand(runtime, { webgpu: values.webgpu, size: values.size });
      else if (values.browser) await benchBrowserCommand(runtime, { webgpu: values.webgpu });
      else if (values['backbone-quant']) await benchBackboneQuantCommand(runtime);
      else if (values.history) await benchHistoryCommand(num(values.records, 'records'));
      else if (values.teach) await benchTeachCommand(runtime, { webgpu: values.webgpu, preset: values.preset, thinDefects: values['thin-defects'] });
      else await benchCommand(runtime, values.data, values.preset);
      return;
    default:
      console.error(USAGE);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((e: Error) => {
  console.error(`error: ${e.message}`);
  process.exitCode = 1;
});
