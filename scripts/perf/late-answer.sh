#!/bin/bash
# How long a one-text request queued behind a long batch waits for its 503 once past --timeout.
# One worker (--instances 1) takes a 64-text request of ~512-token texts; 0.15 s later one short
# text arrives. With --timeout 200 its answer is due at 0.2 s; before the deadline watcher it came
# when the worker reached it, after the long batch.
#
#   JAR=dist/intent-cli.jar scripts/perf/late-answer.sh REPO MODEL [TRIES]
#       # REPO: a model repository (REPO/MODEL/1/<artifact>.intent), e.g. an int8 artifact of the default
set -m
REPO=${1:?a model repository}; MODEL=${2:?the name of the model}; TRIES=${3:-3}
JAR=${JAR:?the intent-cli.jar to run (cli/target/lib beside it)}
PORT=${PORT:-8711}
MKL_DYNAMIC=FALSE OMP_DYNAMIC=FALSE java -Xmx2g -jar "$JAR" serve --repository "$REPO" --model-name "$MODEL" \
  --port "$PORT" --instances 1 --max-batch 64 --timeout 200 --poll 0 > late-answer-serve.log 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
for _ in $(seq 1 240); do curl -sf "localhost:$PORT/v2/health/ready" >/dev/null && break; sleep 0.5; done
for _ in $(seq 1 "$TRIES"); do
  python3 - "http://localhost:$PORT" "$MODEL" <<'PY'
import json, sys, threading, time, urllib.request, urllib.error
base, model = sys.argv[1], sys.argv[2]
res = {}
def post(path, body, key):
    t0 = time.monotonic()
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), headers={"content-type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            code = r.status
            r.read()
    except urllib.error.HTTPError as e:
        code = e.code
        e.read()
    res[key] = (code, time.monotonic() - t0)
texts = ["please change my address and tell me the balance " * 60 + str(i) for i in range(64)]
big = {"inputs": [{"name": "text", "datatype": "BYTES", "shape": [64], "data": texts}]}
a = threading.Thread(target=post, args=("/v2/models/%s/infer" % model, big, "big"))
a.start()
time.sleep(0.15)
b = threading.Thread(target=post, args=("/v1/models/%s/predict" % model, {"text": "what is my balance"}, "one"))
b.start()
a.join()
b.join()
print("64 texts: %d after %.3f s; one text, sent 0.15 s later: %d after %.3f s"
      % (res["big"][0], res["big"][1], res["one"][0], res["one"][1]))
PY
done
