#!/usr/bin/env bash
# Batch-1 latency of two artifacts in process on one core, alternated A B A B ... so that the
# machine's drift hits both alike (docs/perf.md, issue 9's "no slower than today's default").
#
#   scripts/perf/batch1-ab.sh OLD.intent NEW.intent
#
# Environment: ROUNDS (3), DURATION (20s), WARMUP (5s), OUT (perf-runs/<time>).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
a=$1; b=$2
rounds=${ROUNDS:-3}; duration=${DURATION:-20s}; warmup=${WARMUP:-5s}
out=${OUT:-perf-runs/$(date +%Y%m%d-%H%M%S)}; mkdir -p "$out"
grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni' /proc/cpuinfo | sort -u | tr '\n' ' ' > "$out/cpu-flags.txt"
for r in $(seq 1 "$rounds"); do
  for side in a b; do
    artifact=$a; [ "$side" = b ] && artifact=$b
    ./intent bench --target "inproc:$artifact" --concurrency 1 --intra-op-threads 1 --duration "$duration" \
      --warmup "$warmup" --summary "$out/$side-$r.json" > "$out/$side-$r.log" 2>&1
    echo "$side round $r: $(grep -E 'latency \(s\)|summary:' "$out/$side-$r.log" | head -2 | tr '\n' ' ')"
  done
done | tee "$out/result.txt"
echo "cpu flags: $(cat "$out/cpu-flags.txt")" | tee -a "$out/result.txt"
