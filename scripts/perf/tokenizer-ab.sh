#!/usr/bin/env bash
# CPU time per text of the serving path's tokenizer against DJL's own encode, alternated
# (docs/perf.md, "Tokenizing on the event loop").
#
#   scripts/perf/tokenizer-ab.sh [rounds (5)]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
[ -f cli/target/intent-cli.jar ] || ./mvnw -q -o -pl cli -am package -DskipTests
grep -o -w -E 'avx2|avx512f|avx512_vnni|avx_vnni' /proc/cpuinfo | sort -u | tr '\n' ' '; echo
exec java -cp 'cli/target/lib/*' scripts/perf/TokenizerEncodeAb.java "$@"
