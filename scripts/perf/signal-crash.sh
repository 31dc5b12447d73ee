#!/bin/bash
# Sends a signal to `intent train --frozen` (or `intent train $TRAIN_ARGS`) at a random moment, N
# times, and counts crashes (hs_err_pid*.log, exit 134) and output left behind after an
# interrupted run.
#
#   JAR=dist/intent-cli.jar scripts/perf/signal-crash.sh 30 INT train6k.csv          # during embedding
#   MIN=0.5 SPAN=4 JAR=dist/intent-cli.jar scripts/perf/signal-crash.sh 30 INT train6k.csv   # start-up
#   TRAIN_ARGS="--teacher none --epochs 4 --threads 2" MIN=5 SPAN=12 JAR=... signal-crash.sh 10 INT clinc10.json  # fine-tuning
#   FRESH_DJL_CACHE=1 TRAIN_ARGS="--teacher none --epochs 1 --threads 1" MIN=0.8 SPAN=3.2 JAR=... signal-crash.sh 8 TERM clinc10.json
#       # libtorch's first unpacking: each try gets an empty DJL_CACHE_DIR (djl_cache_N, kept for a look);
#       # counts half-unpacked pytorch/tmp* directories left in it
#
# Each try prints how long the process took to end after the signal (the exit's wait).
# Runs in the current directory (it writes out_r, log_*.txt and crash_*.log there). train6k.csv: the
# thirty-sixth session used the first 5,996 rows of BANKING77's train.csv.
set -m   # job control: without it bash starts background jobs with SIGINT ignored, and Java then ignores Ctrl-C
N=${1:-30}; SIG=${2:-INT}; DATA=${3:?a text,intent CSV}
MIN=${MIN:-1.5}; SPAN=${SPAN:-11}
JAR=${JAR:?the intent-cli.jar to run (cli/target/lib beside it)}
declare -A codes
crashes=0; leftovers=0; kept=0; unpacked=0
for i in $(seq 1 "$N"); do
  rm -rf out_r
  if [ -n "${FRESH_DJL_CACHE:-}" ]; then rm -rf "djl_cache_$i"; mkdir "djl_cache_$i"; export DJL_CACHE_DIR="$PWD/djl_cache_$i"; fi
  MKL_DYNAMIC=FALSE OMP_DYNAMIC=FALSE java -Xmx2g -jar "$JAR" train ${TRAIN_ARGS:---frozen} --data "$DATA" --out out_r >log_$i.txt 2>&1 &
  pid=$!
  d=$(awk -v s=$RANDOM "BEGIN{srand(s); printf \"%.2f\", $MIN+rand()*$SPAN}")
  sleep "$d"
  kill -"$SIG" $pid 2>/dev/null
  signalled=$(date +%s.%N)
  wait $pid; rc=$?
  took=$(awk -v a="$signalled" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')
  codes[$rc]=$(( ${codes[$rc]:-0} + 1 ))
  hs=""; [ -f hs_err_pid${pid}.log ] && hs=hs_err_pid${pid}.log
  [ -n "$hs" ] && crashes=$((crashes+1)) && mv "$hs" crash_$i.log
  left=$(ls -A | grep -E '^(out_r|\.out_r)')
  # A model whose write was under way at the signal may be finished (the exit waits for the write):
  # counted apart, since it is whole, unlike a half-written or hidden leftover.
  if [ -n "$left" ] && [ $rc -ne 0 ]; then
    if [ "$left" = out_r ] && [ -f out_r/manifest.json ]; then kept=$((kept+1)); echo "whole model kept in try $i"
    else leftovers=$((leftovers+1)); echo "leftover in try $i: $left"; fi
  fi
  if [ -n "${FRESH_DJL_CACHE:-}" ] && ls -d "djl_cache_$i"/pytorch/tmp* >/dev/null 2>&1; then
    unpacked=$((unpacked+1)); echo "half-unpacked in try $i: $(du -sh "djl_cache_$i"/pytorch/tmp* | cut -f1)"
  fi
  echo "try $i delay $d rc $rc ended ${took}s after the signal ${hs:+CRASH}"
done
rm -rf out_r
echo "exit codes:"; for k in "${!codes[@]}"; do echo "  $k: ${codes[$k]}"; done
echo "crashes (hs_err): $crashes  leftovers: $leftovers  whole models kept: $kept${FRESH_DJL_CACHE:+  half-unpacked libtorch: $unpacked}"
