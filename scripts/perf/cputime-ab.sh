#!/usr/bin/env bash
# Thread CPU time of OrtSession.run for two artifacts, one thread, A and B interleaved in blocks
# (docs/perf.md, issue 11's static int8): robust to other load on the machine, unlike throughput.
#
#   scripts/perf/cputime-ab.sh OLD.intent NEW.intent [pairs (5)] [runs per block (200)] [data_full.json: adds CLINC150 test batches of 8 and 16]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[ -f cli/target/intent-cli.jar ] || ./mvnw -q -o -pl cli -am package -DskipTests
grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni' /proc/cpuinfo | sort -u | tr '\n' ' '; echo
exec java -cp 'cli/target/lib/*' scripts/perf/CpuTimeAb.java "$@"
