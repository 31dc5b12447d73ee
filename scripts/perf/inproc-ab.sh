#!/usr/bin/env bash
# In-process throughput and latency of two artifacts at one concurrency, alternated A B A B ...
# so that the machine's drift hits both alike (docs/perf.md, issue 11's compile-pass ratios).
#
#   CONCURRENCY=16 scripts/perf/inproc-ab.sh OLD.intent NEW.intent
#
# Environment: CONCURRENCY (16), INTRA (intra-op threads; default: the bench's own, cores / concurrency),
# ROUNDS (2), DURATION (15s), WARMUP (5s), OUT (perf-runs/<time>-c<concurrency>), A_OPTS and B_OPTS
# (extra bench options for one side, e.g. B_OPTS="--inproc-batch 16"), ENV_A and ENV_B (variables,
# NAME=VALUE ..., set for one side's runs only, e.g. ENV_B=GLIBC_TUNABLES=glibc.malloc.hugetlb=1).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
a=$1; b=$2
concurrency=${CONCURRENCY:-16}; rounds=${ROUNDS:-2}; duration=${DURATION:-15s}; warmup=${WARMUP:-5s}
out=${OUT:-perf-runs/$(date +%Y%m%d-%H%M%S)-c$concurrency}; mkdir -p "$out"
intra=(); [ -n "${INTRA:-}" ] && intra=(--intra-op-threads "$INTRA")
grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni|amx_int8' /proc/cpuinfo | sort -u | tr '\n' ' ' > "$out/cpu-flags.txt"
for r in $(seq 1 "$rounds"); do
  for side in a b; do
    artifact=$a; opts=${A_OPTS:-}; vars=${ENV_A:-}; [ "$side" = b ] && artifact=$b && opts=${B_OPTS:-} && vars=${ENV_B:-}
    # shellcheck disable=SC2086 # opts and vars hold several words on purpose
    env $vars ./intent bench --target "inproc:$artifact" --concurrency "$concurrency" "${intra[@]}" $opts --duration "$duration" \
      --warmup "$warmup" --summary "$out/$side-$r.json" > "$out/$side-$r.log" 2>&1
    echo "$side round $r: $(grep -E 'latency \(s\)|summary:' "$out/$side-$r.log" | head -2 | tr '\n' ' ')"
  done
done | tee "$out/result.txt"
echo "cpu flags: $(cat "$out/cpu-flags.txt")" | tee -a "$out/result.txt"
[ -z "${ENV_A:-}${ENV_B:-}" ] || echo "a: ${ENV_A:-(no extra variables)}; b: ${ENV_B:-(no extra variables)}" | tee -a "$out/result.txt"
