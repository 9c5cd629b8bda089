/** `npm run eval -- --data DIR --model DIR [--json FILE]`: score `test/*` and report the metrics. */
import { writeFileSync } from 'node:fs';
import { maskToMap } from '../engine/image/decode';
import { decodeSide } from '../engine/patchflow/tiling';
import { decodeImage, decodeMask } from '../engine/image/decode-node';
import { aupro } from '../engine/metrics/aupro';
import { auroc, poolPixels } from '../engine/metrics/auroc';
import { f1Max, precisionRecallAt } from '../engine/metrics/f1';
import { hindsightRecall, rejectedShare } from '../engine/metrics/false-rejects';
import type { PartModel } from '../engine/patchflow/pipeline';
import { readBytes, testImages } from './dataset';
import { ProgressBar } from './progress';

export interface EvalReport {
  part: string;
  data: string;
  images: number;
  image_auroc: number;
  pixel_auroc: number | null;
  aupro: number | null;
  f1_max: number;
  threshold: number;
  precision: number;
  recall: number;
  /** Test good images the shipped threshold rejects, and the share its calibration aimed at (if stated). */
  false_reject_rate: number;
  target_false_reject_rate: number | null;
  /** The recall of the best threshold, chosen with hindsight on this test set, with the same false-reject rate. */
  hindsight_recall: number;
  /** The same at the target rate (null without one). */
  hindsight_recall_at_target: number | null;
  /** Where the heat map starts to colour (the manifest's pixel threshold), and how its colouring does. */
  pixel_threshold: number;
  pixel_precision: number | null;
  pixel_recall: number | null;
  /** Good pixels (outside every defect) the pixel threshold colours. */
  pixel_false_positive_rate: number | null;
  latency_ms: number;
  per_type: Record<string, { count: number; mean_score: number; detected: number }>;
  per_image: { file: string; label: number; type: string; score: number }[];
}

const median = (v: number[]) => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

export async function evaluateCommand(model: PartModel, data: string, options: { json?: string; quiet?: boolean } = {}): Promise<EvalReport> {
  const images = testImages(data);
  const withMasks = images.some((i) => i.maskPath);
  const side = decodeSide(model.manifest.settings);
  const scores: number[] = [];
  const labels: number[] = [];
  const latencies: number[] = [];
  const maps: { map: Float32Array; mask: Uint8Array; width: number; height: number }[] = [];
  const bar = options.quiet ? undefined : new ProgressBar('evaluating', images.length);
  for (const [i, img] of images.entries()) {
    const decoded = await decodeImage(readBytes(img.path), img.path, side);
    const result = await model.inspect(decoded);
    scores.push(result.score);
    labels.push(img.label);
    latencies.push(result.milliseconds);
    if (withMasks) {
      const map = { width: result.mapWidth, height: result.mapHeight };
      const mask = img.maskPath ? maskToMap(await decodeMask(readBytes(img.maskPath), img.maskPath), map) : new Uint8Array(map.width * map.height);
      maps.push({ map: result.anomalyMap, mask, ...map });
    }
    bar?.update(i + 1);
  }
  const threshold = model.manifest.thresholds.image;
  const atThreshold = precisionRecallAt(scores, labels, threshold);
  const goodScores = scores.filter((_, i) => labels[i] === 0);
  const defectScores = scores.filter((_, i) => labels[i] !== 0);
  const falseRejectRate = rejectedShare(goodScores, threshold);
  const target = model.manifest.thresholds.falseRejects?.target ?? null;
  const pixels = withMasks ? poolPixels(maps.map((m) => m.map), maps.map((m) => m.mask)) : null;
  const pixelThreshold = model.manifest.thresholds.pixel;
  const pixelsAtThreshold = pixels ? precisionRecallAt(pixels.scores, pixels.labels, pixelThreshold) : null;
  const perType: EvalReport['per_type'] = {};
  images.forEach((img, i) => {
    const t = (perType[img.type] ??= { count: 0, mean_score: 0, detected: 0 });
    t.count++;
    t.mean_score += scores[i];
    if (scores[i] >= threshold) t.detected++;
  });
  for (const t of Object.values(perType)) t.mean_score /= t.count;
  const report: EvalReport = {
    part: model.manifest.part,
    data,
    images: images.length,
    image_auroc: auroc(scores, labels),
    pixel_auroc: pixels ? auroc(pixels.scores, pixels.labels) : null,
    aupro: withMasks ? aupro(maps) : null,
    f1_max: f1Max(scores, labels).f1,
    threshold,
    precision: atThreshold.precision,
    recall: atThreshold.recall,
    false_reject_rate: falseRejectRate,
    target_false_reject_rate: target,
    hindsight_recall: hindsightRecall(goodScores, defectScores, falseRejectRate).recall,
    hindsight_recall_at_target: target === null ? null : hindsightRecall(goodScores, defectScores, target).recall,
    pixel_threshold: pixelThreshold,
    pixel_precision: pixelsAtThreshold?.precision ?? null,
    pixel_recall: pixelsAtThreshold?.recall ?? null,
    pixel_false_positive_rate: pixelsAtThreshold ? pixelsAtThreshold.fp / (pixelsAtThreshold.fp + pixelsAtThreshold.tn) : null,
    latency_ms: median(latencies),
    per_type: perType,
    per_image: images.map((img, i) => ({ file: img.name, label: img.label, type: img.type, score: scores[i] })),
  };
  if (options.json) writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}

export function formatReport(r: EvalReport): string {
  const fmt = (v: number | null) => (v === null ? 'n/a (no masks)' : v.toFixed(4));
  const rows = [
    ['image AUROC', fmt(r.image_auroc)],
    ['pixel AUROC', fmt(r.pixel_auroc)],
    ['AUPRO (30% FPR)', fmt(r.aupro)],
    ['F1 max', fmt(r.f1_max)],
    ['threshold', r.threshold.toFixed(4)],
    ['  precision', fmt(r.precision)],
    ['  recall', fmt(r.recall)],
    ['  false-reject rate', `${fmt(r.false_reject_rate)}${r.target_false_reject_rate === null ? '' : ` (target ${fmt(r.target_false_reject_rate)})`}`],
    ['  hindsight recall', `${fmt(r.hindsight_recall)} (best threshold at the same false-reject rate, chosen on this test set)`],
    ...(r.hindsight_recall_at_target === null ? [] : [['  … at the target', fmt(r.hindsight_recall_at_target)]]),
    ['pixel threshold', r.pixel_threshold.toFixed(4)],
    ['  pixel precision', fmt(r.pixel_precision)],
    ['  pixel recall', fmt(r.pixel_recall)],
    ['  good pixels coloured', r.pixel_false_positive_rate === null ? 'n/a (no masks)' : r.pixel_false_positive_rate.toExponential(2)],
    ['latency (median)', `${r.latency_ms.toFixed(1)} ms`],
  ];
  const types = Object.entries(r.per_type).map(([t, v]) => `  ${t.padEnd(16)} ${String(v.count).padStart(4)} images  mean score ${v.mean_score.toFixed(3)}  flagged ${v.detected}/${v.count}`);
  return [`${r.part} on ${r.data} (${r.images} images)`, ...rows.map(([k, v]) => `  ${k.padEnd(22)} ${v}`), 'per type:', ...types].join('\n');
}
