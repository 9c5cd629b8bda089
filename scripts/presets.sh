#!/usr/bin/env bash
# Reproduces the README's preset table: for each preset, `npm run bench` (bottle: training time, latency,
# head size), then accuracy on MVTec bottle and casting_dev with `npm run eval`.
#   scripts/presets.sh [PRESET...]      default: every preset
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${PATCHFLOW_SHARED:-../shared}
presets=("$@")
[ ${#presets[@]} -gt 0 ] || presets=(balanced fast fine-detail tiled paper)
mkdir -p runs/presets
for p in "${presets[@]}"; do
  npx tsx src/cli/main.ts bench --preset "$p" > "runs/presets/$p.bench.txt"
  npx tsx src/cli/main.ts eval --data "$shared/datasets/mvtec_bottle_512" --model "runs/bench-$p" --json "runs/presets/$p-bottle.json" --quiet > /dev/null
  npx tsx src/cli/main.ts train --data "$shared/datasets/casting_dev" --out "runs/presets/$p-casting" --preset "$p" --quiet
  npx tsx src/cli/main.ts eval --data "$shared/datasets/casting_dev" --model "runs/presets/$p-casting" --json "runs/presets/$p-casting.json" --quiet > /dev/null
done
echo '| preset | bottle image / pixel AUROC / AUPRO | casting image AUROC | latency per image (× paper) | bottle training | head.onnx |'
echo '|---|---|---|---|---|---|'
for p in "${presets[@]}"; do
  node -e '
    const [p] = process.argv.slice(1);
    const fs = require("fs");
    const b = JSON.parse(fs.readFileSync(`runs/presets/${p}-bottle.json`)), c = JSON.parse(fs.readFileSync(`runs/presets/${p}-casting.json`));
    const bench = fs.readFileSync(`runs/presets/${p}.bench.txt`, "utf8");
    const grab = (re, missing = "?") => (bench.match(re) ?? [, missing])[1];
    console.log(`| ${p} | ${b.image_auroc.toFixed(3)} / ${b.pixel_auroc.toFixed(3)} / ${b.aupro.toFixed(3)} | ${c.image_auroc.toFixed(3)} | ${grab(/median ([\d.]+) ms, p90/)} ms (${grab(/\(median\): ([\d.]+)×/, "1")}×) | ${grab(/: ([\d.]+) s for/)} s | ${grab(/head.onnx: ([\d.]+) MiB/)} MiB |`);
  ' "$p"
done
