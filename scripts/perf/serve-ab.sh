#!/usr/bin/env bash
# Served throughput of two model repositories over loopback HTTP at one concurrency, alternated
# A B A B: each round starts a fresh server on a new port, warms it, then benches it (docs/perf.md).
#
#   scripts/perf/serve-ab.sh REPO_A REPO_B [extra intent serve options for both]
#
# Environment: CONCURRENCY (16), ROUNDS (2), WARM (20: seconds of warm-up at the same concurrency),
# DURATION (20s), PORT (8050; each server takes the next one), OUT (perf-runs/<time>-serve-ab),
# JAR_A / JAR_B (serve that side with another build's intent-cli.jar, its lib/ beside it, instead
# of this checkout's: two builds on one repository, when a change touches the serving path),
# ENV_A / ENV_B (variables, NAME=VALUE ..., set for that side's server only).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
a=$1; b=$2; shift 2
concurrency=${CONCURRENCY:-16}; rounds=${ROUNDS:-2}; warm=${WARM:-20}; duration=${DURATION:-20s}; port=${PORT:-8050}
out=${OUT:-perf-runs/$(date +%Y%m%d-%H%M%S)-serve-ab}; mkdir -p "$out"
grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni|amx_int8' /proc/cpuinfo | sort -u | tr '\n' ' ' > "$out/cpu-flags.txt"
for r in $(seq 1 "$rounds"); do
  for side in a b; do
    repo=$a; jar=${JAR_A:-}; vars=${ENV_A:-}; [ "$side" = b ] && repo=$b && jar=${JAR_B:-} && vars=${ENV_B:-}
    port=$((port + 1))
    env $vars INTENT_JAR="$jar" ./intent serve --repository "$repo" --port "$port" "$@" > "$out/serve-$side-$r.log" 2>&1 &
    server=$!
    for _ in $(seq 1 60); do curl -sf "localhost:$port/v2/health/ready" >/dev/null && break; sleep 1; done
    ./intent bench --target "http://127.0.0.1:$port" --model clinc150 --concurrency "$concurrency" --duration "${warm}s" \
      --warmup 1s > "$out/warm-$side-$r.log" 2>&1 || true
    ./intent bench --target "http://127.0.0.1:$port" --model clinc150 --concurrency "$concurrency" --duration "$duration" \
      --warmup 5s --summary "$out/$side-$r.json" > "$out/$side-$r.log" 2>&1 || true
    rss=$(awk '/^VmRSS/ {print $2 " kB"}' "/proc/$server/status" 2>/dev/null || true)
    kill "$server"; wait "$server" 2>/dev/null || true
    echo "$side round $r: $(grep -E 'latency \(s\)|summary:' "$out/$side-$r.log" | head -2 | tr '\n' ' ') server RSS ${rss:-?}"
  done
done | tee "$out/result.txt"
echo "cpu flags: $(cat "$out/cpu-flags.txt")" | tee -a "$out/result.txt"
[ -z "${ENV_A:-}${ENV_B:-}" ] || echo "a: ${ENV_A:-(no extra variables)}; b: ${ENV_B:-(no extra variables)}" | tee -a "$out/result.txt"
