#!/usr/bin/env bash
# Issue 11's bench fidelity: serves REPO's model "clinc150", warms it with wrk (Debian's C load
# generator), then per round runs wrk and `intent bench` over HTTP/1.1 and HTTP/2 back to back at
# 16 connections, all posting the CLINC150 test messages to /v2/models/clinc150/infer (docs/perf.md).
#
#   scripts/perf/bench-vs-wrk.sh models
#
# Environment: PORT (8003), ROUNDS (3), DURATION (15: seconds per run), OUT (perf-runs/<time>).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)" >&2; exit 2; }
repo=$1; shift
port=${PORT:-8003}; rounds=${ROUNDS:-3}; duration=${DURATION:-15}
out=${OUT:-perf-runs/$(date +%Y%m%d-%H%M%S)}; mkdir -p "$out"
url="http://127.0.0.1:$port"
. scripts/perf/serve-warm.sh
serve_ready "$repo" "$port" "$out" --upgrade false "$@"
scripts/data/clinc150-messages.py \
  core/src/main/resources/datasets/clinc150/data_full.json > "$out/messages.txt"
wrk_run() { wrk -t2 -c16 -d"$1"s -s scripts/perf/wrk-infer.lua "$url" -- "$out/messages.txt" clinc150; }
wrk_run 20 > "$out/warm.log" 2>&1
for r in $(seq 1 "$rounds"); do
  wrk_run "$duration" > "$out/wrk-$r.log" 2>&1
  for p in h1 h2; do
    ./intent bench --target "$url" --model clinc150 --http "$p" --concurrency 16 --duration "${duration}s" \
      --summary "$out/bench-$p-$r.json" > "$out/bench-$p-$r.log" 2>&1 || true   # exit 1 = some requests failed
  done
  echo "round $r: wrk $(grep Requests/sec "$out/wrk-$r.log" | tr -s ' ' | cut -d' ' -f2) req/s;" \
    "bench h1 $(grep -o 'throughput [0-9][0-9.]*' "$out/bench-h1-$r.log" | tail -1);" \
    "bench h2 $(grep -o 'throughput [0-9][0-9.]*' "$out/bench-h2-$r.log" | tail -1)" | tee -a "$out/result.txt"
done
