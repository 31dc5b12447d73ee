#!/usr/bin/env bash
# ONNX Runtime alone on artifacts' graphs: throughput of THREADS threads sharing one session at a
# fixed synthetic batch, artifacts alternated (docs/perf.md, "Seventeenth session": the ceiling of
# the in-process and served paths, and what a graph change is worth before any Java of ours).
#
#   THREADS=2 BATCH=1 scripts/perf/raw-ort-ab.sh A.intent [B.intent ...]
#
# Environment: THREADS (2), INTRA (ONNX Runtime threads per session run, 1), BATCH (1),
# LEN (tokens per text, 12), SECS (8 per run), ROUNDS (3), INTERVALS (false; true prints each
# second's rate and the share within +-5 % of the mean).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[ -f cli/target/intent-cli.jar ] || ./mvnw -q -o -pl cli -am package -DskipTests
grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni|amx_int8' /proc/cpuinfo | sort -u | tr '\n' ' '; echo
exec java -cp 'cli/target/lib/*' -Dthreads="${THREADS:-2}" -Dintra="${INTRA:-1}" -Dbatch="${BATCH:-1}" -Dlen="${LEN:-12}" -Dsecs="${SECS:-8}" \
  -Drounds="${ROUNDS:-3}" -Dintervals="${INTERVALS:-false}" scripts/perf/RawOrtThroughput.java "$@"
