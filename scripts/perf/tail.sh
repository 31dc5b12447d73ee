#!/usr/bin/env bash
# One run of the tail-latency measurement of docs/perf.md ("Tail latency (issue 11)"): serve REPO
# from JAR (an intent-cli.jar with its lib/ beside it) with a GC log, warm it up, then offer RATE
# inferences/s with constant arrivals for 60 s while JFR records. Prints the bench's latency line,
# the server's own view of the same requests (its intent_request_seconds histogram), the GC pauses
# of the measured window (GC log and JFR) and the bytes the server allocated per request.
#
#   scripts/perf/tail.sh REPO RATE [JAR] [extra intent serve options...]
#   scripts/perf/tail.sh /tmp/repo 200 cli/target/intent-cli.jar
#   JAVA_OPTS="-Xmx4g -XX:+UseShenandoahGC" scripts/perf/tail.sh /tmp/repo 200
#
# Environment: PORT (8002), JAVA_OPTS (what the server's JVM gets besides the logging flags;
# default: the launcher's), DURATION (60s), BENCH_JAR (the bench's jar; default JAR), OUT
# (perf-runs/tail-<time>).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
repo=$1; rate=$2; jar=${3:-cli/target/intent-cli.jar}; shift 2; [ $# -gt 0 ] && shift
port=${PORT:-8002}; duration=${DURATION:-60s}; bench_jar=${BENCH_JAR:-$jar}
out=${OUT:-perf-runs/tail-$(date +%Y%m%d-%H%M%S)}; mkdir -p "$out"
opts=${JAVA_OPTS:-$(sed -n 's/.*INTENT_JAVA_OPTS:-\([^}]*\)}.*/\1/p' intent)}
# shellcheck disable=SC2086
java $opts -Xlog:gc*:file="$out/gc.log":uptime,level,tags -Xlog:safepoint:file="$out/safepoint.log":uptime \
  -jar "$jar" serve --repository "$repo" --port "$port" "$@" > "$out/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 90); do curl -sf "localhost:$port/v2/health/ready" >/dev/null && break; sleep 1; done
# JFR starts before the warm-up: starting it stalls the server for a second or two.
jcmd "$server" JFR.start name=tail settings=profile settings="$PWD/scripts/perf/tail.jfc" filename="$out/server.jfr" > /dev/null
bench() { java -Xmx1g -jar "$bench_jar" bench --target "http://127.0.0.1:$port" --model clinc150 --no-progress "$@"; }
bench --concurrency 16 --duration 20s --warmup 1s --warmup-max 1s > "$out/warm.log" 2>&1 || true
# The bench's own warm-up (a fresh JVM) is slow: the measured window (counters, GC log, JFR
# events) starts after it.
bench --rate "$rate" --arrivals constant --duration "$duration" --warmup 10s \
  --csv "$out/open.csv" --summary "$out/open.json" > "$out/open.log" 2>&1 &   # exit 1 = some requests failed
client=$!
sleep 8   # JVM start (1-2 s) and most of the 10-s warm-up
curl -s "localhost:$port/metrics" > "$out/metrics-before.txt"
jcmd "$server" VM.uptime | tail -1 > "$out/uptime-before.txt"; date +%s.%N > "$out/epoch-before.txt"
wait "$client" || true
jcmd "$server" VM.uptime | tail -1 > "$out/uptime-after.txt"; date +%s.%N > "$out/epoch-after.txt"
curl -s "localhost:$port/metrics" > "$out/metrics-after.txt"
jcmd "$server" JFR.stop name=tail > /dev/null
kill "$server"; wait "$server" 2>/dev/null || true
python3 scripts/perf/tail_report.py "$out" | tee "$out/result.txt"
