#!/usr/bin/env bash
# Batch-1 latency of two artifacts in process on one core, alternated A B A B ... so that the
# machine's drift hits both alike (docs/perf.md, issue 9's "no slower than today's default"):
# scripts/perf/inproc-ab.sh at one client and one intra-op thread.
#
#   scripts/perf/batch1-ab.sh OLD.intent NEW.intent
#   ENV_B=GLIBC_TUNABLES=glibc.malloc.hugetlb=1 scripts/perf/batch1-ab.sh M.intent M.intent   # one setting, two ways
#
# Environment: ROUNDS (3), DURATION (20s), WARMUP (5s), OUT, ENV_A, ENV_B (as for inproc-ab.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
CONCURRENCY=1 INTRA=1 ROUNDS=${ROUNDS:-3} DURATION=${DURATION:-20s} WARMUP=${WARMUP:-5s} exec scripts/perf/inproc-ab.sh "$@"
