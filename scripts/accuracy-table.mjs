// Prints the markdown accuracy table from the runs that scripts/accuracy.sh leaves in a folder.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const dir = process.argv[2] ?? 'runs/accuracy';
const read = (f) => JSON.parse(readFileSync(f, 'utf8'));
const fmt = (v) => (v === null || v === undefined ? '–' : v.toFixed(3));
const names = [...new Set(readdirSync(dir).map((d) => d.replace(/-(mvtec_bottle_512|casting_dev)$/, '')))];

console.log('| configuration | score | bottle image AUROC | bottle pixel AUROC | bottle AUPRO | casting image AUROC | train s (bottle / casting) | latency ms |');
console.log('|---|---|---|---|---|---|---|---|');
for (const name of names) {
  const bottle = path.join(dir, `${name}-mvtec_bottle_512`);
  const casting = path.join(dir, `${name}-casting_dev`);
  if (!existsSync(path.join(bottle, 'manifest.json')) || !existsSync(path.join(casting, 'manifest.json'))) continue;
  const seconds = `${read(path.join(bottle, 'manifest.json')).training.seconds.toFixed(0)} / ${read(path.join(casting, 'manifest.json')).training.seconds.toFixed(0)}`;
  for (const rule of ['flow', 'gaussian', 'mean', 'max']) {
    const b = read(path.join(bottle, `eval-${rule}.json`));
    const c = read(path.join(casting, `eval-${rule}.json`));
    console.log(`| ${name} | ${rule} | ${fmt(b.image_auroc)} | ${fmt(b.pixel_auroc)} | ${fmt(b.aupro)} | ${fmt(c.image_auroc)} | ${seconds} | ${b.latency_ms.toFixed(1)} |`);
  }
}
