/**
 * `npm run train -- … --validate DIR`: where the user has real photos set aside (MVTec layout: `test/good`
 * and `test/<defect>`), the image threshold is set on them at the stated false-reject rate, and the recall
 * it gets is reported. The Teach view sets it with the same engine code.
 */
import type { LoadedBackbone } from '../engine/backbone/manifest';
import { PartModel } from '../engine/patchflow/pipeline';
import type { Runtime } from '../engine/runtime';
import { withValidatedThreshold } from '../engine/train/calibration';
import type { TrainedModel } from '../engine/train/trainer';
import { evaluateCommand } from './evaluate';

export async function validateCommand(runtime: Runtime, backbone: LoadedBackbone, model: TrainedModel, dir: string, rate: number): Promise<TrainedModel> {
  const scorer = await PartModel.load(runtime, backbone, model.manifest, model.head);
  const report = await evaluateCommand(scorer, dir, { quiet: true }).finally(() => scorer.release());
  const scores = (label: number) => report.per_image.filter((i) => i.label === label).map((i) => i.score);
  const good = scores(0);
  if (good.length === 0) throw new Error(`--validate ${dir}: no good photos in test/good to set the threshold on`);
  const manifest = withValidatedThreshold(model.manifest, good, scores(1), rate, dir);
  process.stderr.write(`validated on ${dir}: threshold ${manifest.thresholds.image.toFixed(4)} (calibrated ${model.manifest.thresholds.image.toFixed(4)}): ${manifest.thresholds.rule.split(';')[0]}\n`);
  return { ...model, manifest };
}
