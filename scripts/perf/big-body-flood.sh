#!/usr/bin/env bash
# Memory and answers of a server flooded with 1 MB request bodies (each within --max-body):
# three rounds of `wrk -t2 -c20 -d15s`, the resident set 20 s after each.
#   scripts/perf/big-body-flood.sh DIST REPO MODEL [PORT]
# DIST holds intent-cli.jar and lib/ (a copy of cli/target); REPO a model repository; MODEL its name.
set -euo pipefail
dist=$1 repo=$2 model=$3 port=${4:-8701}
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
python3 -c "import json; print(json.dumps({'text': 'word ' * 200000}))" > "$work/body.json"   # 1,000,012 bytes
cat > "$work/codes.lua" <<'LUA'
wrk.method = "POST"
local f = io.open(os.getenv("BODY"), "rb"); wrk.body = f:read("*a"); f:close()
wrk.headers["Content-Type"] = "application/json"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) codes = {} end
function response(status, headers, body) codes[status] = (codes[status] or 0) + 1 end
function done(s, l, r)
  local all = {}
  for _, t in ipairs(threads) do for k, v in pairs(t:get("codes")) do all[k] = (all[k] or 0) + v end end
  for k, v in pairs(all) do io.write(string.format("status %s: %d\n", k, v)) end
end
LUA
MKL_DYNAMIC=FALSE OMP_DYNAMIC=FALSE java -Xmx2g -jar "$dist/intent-cli.jar" serve --repository "$repo" --port "$port" \
  --model-name "$model" > "$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 120); do curl -sf "localhost:$port/v2/health/ready" > /dev/null && break; sleep 1; done
echo "start $(grep VmRSS /proc/$pid/status)"
for round in 1 2 3; do
  BODY="$work/body.json" wrk -t2 -c20 -d15s --timeout 30s -s "$work/codes.lua" \
    "http://127.0.0.1:$port/v1/models/$model/predict" | grep -E '^status|Requests/sec'
  sleep 20
  echo "round $round $(grep VmRSS /proc/$pid/status), threads $(ls /proc/$pid/task | wc -l)"
done
