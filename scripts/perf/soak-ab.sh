#!/usr/bin/env bash
# The soak's tail for two builds, alternated A B A B: each round starts a fresh server, warms it
# (30 s at 16 clients), then offers RATE texts per second with constant arrivals (as soak.sh does
# at 70 % of the peak) and reports p50, p99 and p99/p50, with the server's mean batch size over
# the open loop, its warm-up included (docs/perf.md). Both sides get the same offered rate, so their tails compare.
#
#   JAR_A=/tmp/old/cli/target/intent-cli.jar RATE=1544 scripts/perf/soak-ab.sh REPO
#   OPTS_B="--max-queue-delay 0" RATE=1973 scripts/perf/soak-ab.sh REPO      # one build, two settings
#
# Environment: RATE (texts/s, required), JAR_A / JAR_B (each side's intent-cli.jar with its lib/
# beside it; default this checkout's), OPTS_A / OPTS_B (`intent serve` options of that side only,
# split on blanks, after the ones given to both on the command line), JAVA_OPTS_A / JAVA_OPTS_B (that
# side's server JVM options; default the launcher's), ROUNDS (2), DURATION (120s), WARMUP (20s: the open loop's
# own warm-up, not measured), PORT (8150; each server takes the next one), OUT
# (perf-runs/<time>-soak-ab).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$1; shift
rate=${RATE:?RATE (texts per second) is required}
rounds=${ROUNDS:-2}; duration=${DURATION:-120s}; warmup=${WARMUP:-20s}; port=${PORT:-8150}
out=${OUT:-perf-runs/$(date +%Y%m%d-%H%M%S)-soak-ab}; mkdir -p "$out"
./intent --version > /dev/null
jar_a=${JAR_A:-cli/target/intent-cli.jar}; jar_b=${JAR_B:-cli/target/intent-cli.jar}
grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni|amx_int8' /proc/cpuinfo | sort -u | tr '\n' ' ' > "$out/cpu-flags.txt"
batches() { curl -s "localhost:$1/metrics" | awk '/^intent_batch_size_(count|sum)/ {s[$1 ~ /count/ ? "n" : "t"] += $2} END {print s["n"]+0, s["t"]+0}'; }
source scripts/perf/serve-warm.sh
for r in $(seq 1 "$rounds"); do
  for side in a b; do
    jar=$jar_a; opts=${OPTS_A:-}; jopts=${JAVA_OPTS_A:-}
    [ "$side" = b ] && jar=$jar_b && opts=${OPTS_B:-} && jopts=${JAVA_OPTS_B:-}
    read -r -a side_opts <<< "$opts"
    port=$((port + 1)); mkdir -p "$out/$side-$r"
    SERVE_JAVA_OPTS=$jopts SERVE_JAR=$jar serve_and_warm "$repo" "$port" "$out/$side-$r" 30 "$@" "${side_opts[@]}" || true
    read -r n0 t0 < <(batches "$port")
    # The bench exits 1 when a request failed (a 503 from a full queue): a result, not an error here.
    ./intent bench --target "http://127.0.0.1:$port" --model clinc150 --rate "$rate" --arrivals constant \
      --duration "$duration" --warmup "$warmup" --summary "$out/$side-$r.json" > "$out/$side-$r.log" 2>&1 || true
    read -r n1 t1 < <(batches "$port")
    kill "$server"; wait "$server" 2>/dev/null || true
    python3 - "$out/$side-$r.json" "$side" "$r" "$n0" "$t0" "$n1" "$t1" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1])); l = d["latency"]
n = float(sys.argv[6]) - float(sys.argv[4]); t = float(sys.argv[7]) - float(sys.argv[5])
print(f"{sys.argv[2]} round {sys.argv[3]}: {d['throughput']:.1f} inf/s, p50 {l['p50']*1e3:.2f} ms, "
      f"p99 {l['p99']*1e3:.2f} ms, p99/p50 {l['p99']/l['p50']:.2f}, failed {d['failed']}, "
      f"texts per batch {t / n if n else float('nan'):.2f} (warm-up included)")
EOF
  done
done | tee "$out/result.txt"
echo "a: $jar_a ${OPTS_A:-} ${JAVA_OPTS_A:-}; b: $jar_b ${OPTS_B:-} ${JAVA_OPTS_B:-}; rate $rate; cpu flags: $(cat "$out/cpu-flags.txt")" | tee -a "$out/result.txt"
