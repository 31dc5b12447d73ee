#!/usr/bin/env bash
# The 10-minute soak of docs/perf.md: serve REPO, warm up, measure the peak (60 s closed loop at
# 32 clients), then offer 70 % of it with constant arrivals for 10 minutes while sampling the
# server's resident memory every 10 s.
#
#   scripts/perf/soak.sh models
#   scripts/perf/soak.sh models --queue-capacity 1024      # extra options go to `intent serve`
#
# Environment: PORT (8002), OUT (perf-runs/soak-<time>), SERVE_JAVA_OPTS (the server's JVM options
# only, e.g. another collector; default: the launcher's), SERVER_CPUS and BENCH_CPUS (taskset CPU
# lists that keep the server and the load generator on their own cores, e.g. 0 and 1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$1; shift
port=${PORT:-8002}
out=${OUT:-perf-runs/soak-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$out"
server_cpus=(); [[ -n "${SERVER_CPUS:-}" ]] && server_cpus=(taskset -c "$SERVER_CPUS")
bench=(./intent bench); [[ -n "${BENCH_CPUS:-}" ]] && bench=(taskset -c "$BENCH_CPUS" ./intent bench)
INTENT_JAVA_OPTS="${SERVE_JAVA_OPTS:-${INTENT_JAVA_OPTS:--Xmx4g}}" "${server_cpus[@]}" ./intent serve --repository "$repo" --port "$port" "$@" > "$out/serve.log" 2>&1 &
server=$!   # taskset and the launcher exec java, so this is the server's JVM
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -sf "localhost:$port/v2/health/ready" >/dev/null && break; sleep 1; done
"${bench[@]}" --target "http://127.0.0.1:$port" --model clinc150 --concurrency 16 --duration 30s --warmup 1s > "$out/warm.log" 2>&1
"${bench[@]}" --target "http://127.0.0.1:$port" --model clinc150 --concurrency 32 --duration 60s --warmup 10s \
  --summary "$out/peak.json" > "$out/peak.log" 2>&1
rate=$(python3 -c "import json; print(round(0.7 * json.load(open('$out/peak.json'))['throughput']))")
echo "peak $(python3 -c "import json; print(json.load(open('$out/peak.json'))['throughput'])"), soak rate $rate" | tee "$out/rate.txt"
( while kill -0 "$server" 2>/dev/null; do echo "$(date +%s) $(ps -o rss= -p "$server")"; sleep 10; done ) > "$out/rss.log" &
# The bench exits 1 when any request failed (e.g. 503s from a full queue); that is a result, not an error here.
"${bench[@]}" --target "http://127.0.0.1:$port" --model clinc150 --rate "$rate" --arrivals constant --duration 10m --warmup 30s \
  --csv "$out/soak.csv" --summary "$out/soak.json" > "$out/soak.log" 2>&1 || true
grep -E 'summary:|latency \(s\)|stability' "$out/soak.log" | tee "$out/result.txt"
awk 'NR==7{a=$2} END{printf "RSS %d KB at 60 s, %d KB at the end: %+.2f %%\n", a, $2, ($2-a)/a*100}' "$out/rss.log" | tee -a "$out/result.txt"
