#!/usr/bin/env python3
"""Writes a data set kept as seq.in / label line pairs (SNIPS and ATIS in the JointBERT layout) as
the text,intent CSVs `intent train` and `intent eval` read.

    scripts/data/seqin-csv.py DATA_DIR OUTDIR

DATA_DIR holds train/, valid/ and test/, each with seq.in (one text per line) and label (its
intent). OUTDIR gets train.csv, valid.csv and test.csv as they are, and the two files training
accepts: train-kept.csv without the rows of intents seen once in training (`intent train` needs two
examples of each), valid-kept.csv without the rows whose label train-kept.csv lacks. test.csv keeps
every row: `intent eval` scores rows of unknown labels as wrong, as published figures do.
"""
import collections
import csv
import os
import sys


def read(split_dir):
    with open(os.path.join(split_dir, "seq.in"), encoding="utf-8") as f:
        texts = [line.strip() for line in f]
    with open(os.path.join(split_dir, "label"), encoding="utf-8") as f:
        labels = [line.strip() for line in f]
    if len(texts) != len(labels):
        sys.exit(f"{split_dir}: {len(texts)} texts but {len(labels)} labels")
    return list(zip(texts, labels))


def write(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["text", "intent"])
        w.writerows(rows)
    print(f"{path}: {len(rows)} rows, {len({label for _, label in rows})} intents")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    splits = {name: read(os.path.join(data, name)) for name in ("train", "valid", "test")}
    for name, rows in splits.items():
        write(os.path.join(out, name + ".csv"), rows)
    counts = collections.Counter(label for _, label in splits["train"])
    train = [r for r in splits["train"] if counts[r[1]] >= 2]
    known = {label for _, label in train}
    write(os.path.join(out, "train-kept.csv"), train)
    write(os.path.join(out, "valid-kept.csv"), [r for r in splits["valid"] if r[1] in known])


if __name__ == "__main__":
    main()
