#!/usr/bin/env python3
"""Top-1 right answers of models, and of their mean-probability ensemble, on a text,intent CSV.

Each PRED file is `intent predict --json --top-k K -` over the CSV's texts in order (K = every
intent, so the ensemble sees every probability):

  scripts/data/ensemble-top1.py val.csv a.jsonl b.jsonl
"""
import csv
import json
import sys

if len(sys.argv) < 3:
    sys.exit("usage: ensemble-top1.py DATA.csv PRED.jsonl...")
gold = [r["intent"] for r in csv.DictReader(open(sys.argv[1], newline=""))]
models = []
for path in sys.argv[2:]:
    rows = [{t["intent"]: t["confidence"] for t in json.loads(line)["top"]} for line in open(path)]
    if len(rows) != len(gold):
        sys.exit(f"{path}: {len(rows)} predictions for {len(gold)} rows")
    models.append(rows)
    print(f"{path}: {sum(max(p, key=p.get) == g for p, g in zip(rows, gold))} / {len(gold)}")
if len(models) > 1:
    right = 0
    for i, g in enumerate(gold):
        total = {}
        for m in models:
            for intent, p in m[i].items():
                total[intent] = total.get(intent, 0.0) + p
        right += max(total, key=total.get) == g
    print(f"mean-probability ensemble of {len(models)}: {right} / {len(gold)}")
