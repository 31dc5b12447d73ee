#!/usr/bin/env bash
# Where a distilled model parts from its teacher: on the texts it learnt from, or on held-out ones.
# For a data file without its own validation split (intent train holds out 15 % for a seed).
#
#   scripts/data/distill-agreement.sh TEACHER STUDENT train.csv [SEED]
#
# Environment: OUT (a new temporary directory). Needs the built CLI (./intent builds it).
set -euo pipefail
teacher=$(realpath "$1"); student=$(realpath "$2"); data=$(realpath "$3"); seed=${4:-42}
out=${OUT:-$(mktemp -d)}; mkdir -p "$out"; out=$(realpath "$out")
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
./intent --version > /dev/null
java -cp 'cli/target/lib/*' scripts/data/HeldOut.java "$data" "$seed" "$out/heldout.tsv"
python3 -c 'import csv,sys; [print(" ".join(r["text"].split())) for r in csv.DictReader(open(sys.argv[1], newline=""))]' \
  "$data" > "$out/texts.txt"
./intent predict --model "$teacher" --json --top-k 1 - < "$out/texts.txt" > "$out/teacher.jsonl"
./intent predict --model "$student" --json --top-k 1 - < "$out/texts.txt" > "$out/student.jsonl"
python3 scripts/data/distill-agreement.py "$data" "$out/heldout.tsv" "$out/teacher.jsonl" "$out/student.jsonl"
