#!/usr/bin/env bash
# Reproduces docs/accuracy.md: for each configuration, trains on MVTec bottle and casting_dev (the
# Gaussian companion fitted too) and evaluates every scoring rule; then prints the markdown table.
#   scripts/accuracy.sh                 all configurations below (about an hour on 2 cores)
#   scripts/accuracy.sh NAME FLAGS...   one configuration
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${PATCHFLOW_SHARED:-../shared}
runs=runs/accuracy
mkdir -p "$runs"

run() {
  local name=$1; shift
  for ds in mvtec_bottle_512 casting_dev; do
    local out=$runs/$name-$ds
    npx tsx src/cli/main.ts train --data "$shared/datasets/$ds" --out "$out" --quiet --gaussians flow:64:random-projection "$@"
    for rule in flow gaussian mean max; do
      npx tsx src/cli/main.ts eval --data "$shared/datasets/$ds" --model "$out" --json "$out/eval-$rule.json" --combine "$rule" --heat-map "$rule" --quiet > /dev/null 2>&1
    done
  done
}

if [ $# -gt 0 ]; then
  run "$@"
else
  run plain --preset paper
  run position --preset paper --position-channels 32
  run expand --preset paper --taps s8_expand,s16_expand,s32_head
  run expand-position --preset paper --taps s8_expand,s16_expand,s32_head --position-channels 32
  run size320 --preset paper --size 320
fi
node scripts/accuracy-table.mjs "$runs"
