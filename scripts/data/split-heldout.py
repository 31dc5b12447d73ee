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


def words(text):
    # HeldOut.java writes each text on one line with its whitespace collapsed.
    return " ".join(text.split())


def main(data, heldout, out, drop_every=None):
    rows = list(csv.DictReader(open(data, newline="")))
    wanted = collections.Counter()
    for line in open(heldout):
        text, intent = line.rstrip("\n").split("\t")
        wanted[(words(text), intent)] += 1
    val, rest = [], []
    for row in rows:
        key = (words(row["text"]), row["intent"])
        if wanted[key] > 0:
            wanted[key] -= 1
            val.append(row)
        else:
            rest.append(row)
    missing = sum(wanted.values())
    if missing:
        sys.exit(f"{missing} held-out rows are not in {data}")
    files = {"val.csv": val, "train.csv": rest}
    if drop_every:
        seen = collections.Counter()
        files["smaller.csv"] = [r for r in rest if seen.update([r["intent"]]) or seen[r["intent"]] % drop_every]
    os.makedirs(out, exist_ok=True)
    for name, part in files.items():
        with open(os.path.join(out, name), "w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["text", "intent"])
            writer.writeheader()
            for row in part:
                writer.writerow({"text": row["text"], "intent": row["intent"]})
        print(f"{name}: {len(part)} rows")


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    main(*sys.argv[1:4], int(sys.argv[4]) if len(sys.argv) == 5 else None)
