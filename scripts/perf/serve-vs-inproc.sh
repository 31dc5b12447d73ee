#!/usr/bin/env bash
# Serves REPO's model "clinc150", warms the server, then benches it over loopback HTTP and the same
# artifact in process, back to back, at 1 and 16 concurrent requests (docs/perf.md).
#
#   scripts/perf/serve-vs-inproc.sh models                       # server defaults
#   scripts/perf/serve-vs-inproc.sh models --io-threads 4        # extra options go to `intent serve`
#
# When `wrk` is installed (Debian's C load generator), its 16-connection run (wrk-infer.lua, the same
# CLINC150 test messages) follows the bench's, as the issue's independent client.
#
# Environment: PORT (8002), WARM (20: seconds of 16-client warm-up), DURATION (30s), OUT (perf-runs/<time>).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$1; shift
port=${PORT:-8002}; warm=${WARM:-20}; duration=${DURATION:-30s}
out=${OUT:-perf-runs/$(date +%Y%m%d-%H%M%S)}; mkdir -p "$out"
artifact=$(ls "$repo"/clinc150/*/*.intent | sort -V | tail -1)
. scripts/perf/serve-warm.sh
serve_and_warm "$repo" "$port" "$out" "$warm" "$@"
for c in 1 16; do
  ./intent bench --target "http://127.0.0.1:$port" --model clinc150 --concurrency $c --duration "$duration" --warmup 10s \
    --csv "$out/http-c$c.csv" --summary "$out/http-c$c.json" > "$out/http-c$c.log" 2>&1 || true   # exit 1 = some requests failed
  if [ "$c" = 16 ] && command -v wrk >/dev/null; then
    scripts/data/clinc150-messages.py \
      core/src/main/resources/datasets/clinc150/data_full.json > "$out/messages.txt"
    wrk -t2 -c16 -d"$duration" --latency -s scripts/perf/wrk-infer.lua "http://127.0.0.1:$port" -- "$out/messages.txt" clinc150 \
      > "$out/wrk-c16.log" 2>&1
  fi
  ./intent bench --target "inproc:$artifact" --concurrency $c --intra-op-threads 1 --duration "$duration" --warmup 10s \
    --summary "$out/inproc-c$c.json" > "$out/inproc-c$c.log" 2>&1
done
curl -s "localhost:$port/metrics" > "$out/metrics.txt"
for f in http-c1 inproc-c1 http-c16 inproc-c16; do
  echo "$f: $(grep -E 'summary:|latency \(s\)' "$out/$f.log" | head -2 | tr '\n' ' ')"
done | tee "$out/result.txt"
if [ -f "$out/wrk-c16.log" ]; then
  echo "wrk-c16: $(grep -E 'Requests/sec|Non-2xx|50%|99%' "$out/wrk-c16.log" | tr -s ' ' | tr '\n' ' ')" | tee -a "$out/result.txt"
fi
