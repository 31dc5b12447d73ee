#!/usr/bin/env python3
"""Writes the slice `intent train` holds out as a validation file, and the rest as training files.

    scripts/data/split-heldout.py train.csv heldout.tsv OUTDIR [DROP_EVERY]

heldout.tsv is what scripts/data/HeldOut.java writes for a seed. OUTDIR gets val.csv (the held-out
rows), train.csv (every other row) and, with DROP_EVERY = n, smaller.csv: train.csv without every
n-th row of each intent. Training on train.csv and smaller.csv with --val val.csv measures what
more training rows are worth on the same validation texts.
"""
import collections
import csv
import os
import sys

from heldout_rows import held_out


def without_every(rows, n):
    """rows without the n-th, 2n-th, ... row of each intent."""
    seen = collections.Counter()
    kept = []
    for row in rows:
        seen[row[1]] += 1
        if seen[row[1]] % n:
            kept.append(row)
    return kept


def main(data, heldout, out, drop_every=None):
    rows = [(r["text"], r["intent"]) for r in csv.DictReader(open(data, newline=""))]
    flags = held_out(rows, heldout)
    rest = [r for r, h in zip(rows, flags) if not h]
    files = {"val.csv": [r for r, h in zip(rows, flags) if h], "train.csv": rest}
    if drop_every:
        files["smaller.csv"] = without_every(rest, drop_every)
    os.makedirs(out, exist_ok=True)
    for name, part in files.items():
        with open(os.path.join(out, name), "w", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["text", "intent"])
            writer.writerows(part)
        print(f"{name}: {len(part)} rows")


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(*sys.argv[1:4], int(sys.argv[4]) if len(sys.argv) == 5 else None)
