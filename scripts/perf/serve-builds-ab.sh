#!/usr/bin/env bash
# Served throughput of one model repository under two builds of the server (two intent-cli.jar
# copies, each with its lib/ beside it), alternated A B A B; this checkout's `./intent bench` is the
# client for both (docs/perf.md). Use it when a change touches the serving path.
#
#   scripts/perf/serve-builds-ab.sh /tmp/old/intent-cli.jar cli/target/intent-cli.jar models
#
# Environment: CONCURRENCY (16), ROUNDS (2), DURATION (20s), PORT (8070; each server takes the
# next one), OUT (perf-runs/<time>-builds-ab). The model must be called clinc150.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
a=$1; b=$2; repo=$3
concurrency=${CONCURRENCY:-16}; rounds=${ROUNDS:-2}; duration=${DURATION:-20s}; port=${PORT:-8070}
out=${OUT:-perf-runs/$(date +%Y%m%d-%H%M%S)-builds-ab}; mkdir -p "$out"
grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni|amx_int8' /proc/cpuinfo | sort -u | tr '\n' ' ' > "$out/cpu-flags.txt"
export MKL_DYNAMIC=FALSE OMP_DYNAMIC=FALSE
for r in $(seq 1 "$rounds"); do
  for side in a b; do
    jar=$a; [ "$side" = b ] && jar=$b
    port=$((port + 1))
    java -Xmx4g -jar "$jar" serve --repository "$repo" --port "$port" > "$out/serve-$side-$r.log" 2>&1 &
    server=$!
    for _ in $(seq 1 60); do curl -sf "localhost:$port/v2/health/ready" >/dev/null && break; sleep 1; done
    ./intent bench --target "http://127.0.0.1:$port" --model clinc150 --concurrency "$concurrency" --duration 15s \
      --warmup 1s > "$out/warm-$side-$r.log" 2>&1 || true
    ./intent bench --target "http://127.0.0.1:$port" --model clinc150 --concurrency "$concurrency" --duration "$duration" \
      --warmup 5s --summary "$out/$side-$r.json" > "$out/$side-$r.log" 2>&1 || true
    kill "$server"; wait "$server" 2>/dev/null || true
    echo "$side round $r: $(grep -E 'latency \(s\)|summary:' "$out/$side-$r.log" | head -2 | tr '\n' ' ')"
  done
done | tee "$out/result.txt"
echo "cpu flags: $(cat "$out/cpu-flags.txt")" | tee -a "$out/result.txt"
