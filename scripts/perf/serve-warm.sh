# Sourced by the perf scripts that measure one server.
#   serve_ready REPO PORT OUT [serve options...]: starts `intent serve` on REPO in the background
#     (stopped when the calling script exits) and waits until it is ready;
#   serve_and_warm REPO PORT OUT WARM [serve options...]: the same, then warms it with WARM seconds
#     of a 16-client bench (the JIT, the batcher).
# SERVE_JAR, when set, serves with that build's intent-cli.jar (its lib/ beside it) instead of
# this checkout's, through the launcher (INTENT_JAR), so with its settings; SERVE_JAVA_OPTS, when
# set, are the server's JVM options (default: INTENT_JAVA_OPTS, as for every other JVM; empty, the
# launcher's own).
serve_ready() {
  local repo=$1 port=$2 out=$3; shift 3
  INTENT_JAVA_OPTS="${SERVE_JAVA_OPTS:-${INTENT_JAVA_OPTS:-}}" INTENT_JAR="${SERVE_JAR:-}" ./intent serve --repository "$repo" --port "$port" "$@" > "$out/serve.log" 2>&1 &
  server=$!
  # Waits for the server to finish draining, so that a next run can take the same port.
  trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
  for _ in $(seq 1 60); do curl -sf "localhost:$port/v2/health/ready" >/dev/null && break; sleep 1; done
}

serve_and_warm() {
  local repo=$1 port=$2 out=$3 warm=$4; shift 4
  serve_ready "$repo" "$port" "$out" "$@"
  ./intent bench --target "http://127.0.0.1:$port" --model clinc150 --concurrency 16 --duration "${warm}s" --warmup 1s \
    > "$out/warm.log" 2>&1
}
