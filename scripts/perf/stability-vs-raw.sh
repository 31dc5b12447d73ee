#!/usr/bin/env bash
# Issue 11's 60-s stability target (>= 90 % of 1-s intervals within +-5 % of the mean) for the bench
# over HTTP, each run next to the same measure for ONNX Runtime alone on the same graph (two threads,
# a fixed batch-1 input, no Java of ours, no HTTP: RawOrtThroughput.java), alternated ROUNDS times,
# so that the machine's own drift in that minute can be told apart from the bench's and the server's
# (docs/perf.md, "Nineteenth session").
#
#   scripts/perf/stability-vs-raw.sh models
#
# Environment: PORT (8003), WARM (20: seconds of 16-client warm-up), ROUNDS (2), OUT (perf-runs/<time>).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$1; shift
port=${PORT:-8003}; warm=${WARM:-20}; rounds=${ROUNDS:-2}
out=${OUT:-perf-runs/$(date +%Y%m%d-%H%M%S)}; mkdir -p "$out"
artifact=$(ls "$repo"/clinc150/*/*.intent | sort -V | tail -1)
. scripts/perf/serve-warm.sh
serve_and_warm "$repo" "$port" "$out" "$warm" "$@"
for r in $(seq 1 "$rounds"); do
  THREADS=2 SECS=60 ROUNDS=1 INTERVALS=true scripts/perf/raw-ort-ab.sh "$artifact" > "$out/raw-$r.log" 2>&1
  ./intent bench --target "http://127.0.0.1:$port" --model clinc150 --concurrency 16 --duration 60s \
    --summary "$out/bench-$r.json" > "$out/bench-$r.log" 2>&1 || true   # exit 1 = some requests failed
  echo "round $r raw ORT: $(grep stability: "$out/raw-$r.log")"
  echo "round $r bench:   $(grep stability: "$out/bench-$r.log")"
done | tee "$out/result.txt"
