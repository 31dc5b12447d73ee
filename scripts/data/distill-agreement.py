#!/usr/bin/env python3
"""Teacher and student on the texts the student learnt from and on the held-out ones.

Reads the training CSV (text,intent), the held-out rows (HeldOut.java) and two files of
`intent predict --json` lines over the CSV's texts in order; prints, for the training rows and the
held-out rows apart, how many each model gets right and how often the two agree. A student that
agrees with its teacher on its training texts but not on held-out ones lacks generalisation, not
fit (docs/accuracy.md, "Twenty-first session").

    scripts/data/distill-agreement.py train.csv heldout.tsv teacher.jsonl student.jsonl
"""
import csv
import json
import sys

from heldout_rows import held_out

data, heldout, teacher, student = sys.argv[1:5]
rows = [(r["text"], r["intent"]) for r in csv.DictReader(open(data, newline=""))]
split = ["held-out" if h else "training" for h in held_out(rows, heldout)]
best = [[json.loads(line)["intent"] for line in open(p)] for p in (teacher, student)]
assert all(len(b) == len(rows) for b in best), "predictions must cover the data's texts, in order"
for part in ("training", "held-out"):
    idx = [i for i, s in enumerate(split) if s == part]
    t = sum(best[0][i] == rows[i][1] for i in idx)
    s = sum(best[1][i] == rows[i][1] for i in idx)
    a = sum(best[0][i] == best[1][i] for i in idx)
    n = len(idx)
    print(f"{part:9} rows {n:6}  teacher right {t} ({100 * t / n:.2f} %)  student right {s} ({100 * s / n:.2f} %)"
          f"  agreement {a} ({100 * a / n:.2f} %)")
