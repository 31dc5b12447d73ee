#!/usr/bin/env python3
"""A small slice of a text,intent CSV: N_TRAIN and then N_VAL random texts of each intent.

For checks that need the whole default recipe (teacher and model) to run in minutes, such as
whether two builds train the same model (docs/accuracy.md, "Thirty-third session").

    scripts/data/per-intent-slice.py snips/train.csv snips-small.csv snips-small-val.csv 30 15 1
"""
import csv
import random
import sys

source, train_out, val_out = sys.argv[1], sys.argv[2], sys.argv[3]
n_train, n_val, seed = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
with open(source, newline="") as f:
    rows = list(csv.DictReader(f))
by_intent = {}
for row in rows:
    by_intent.setdefault(row["intent"], []).append(row["text"])
random.seed(seed)
with open(train_out, "w", newline="") as t, open(val_out, "w", newline="") as v:
    train, val = csv.writer(t), csv.writer(v)
    train.writerow(["text", "intent"])
    val.writerow(["text", "intent"])
    for intent in sorted(by_intent):
        texts = by_intent[intent][:]
        random.shuffle(texts)
        for text in texts[:n_train]:
            train.writerow([text, intent])
        for text in texts[n_train:n_train + n_val]:
            val.writerow([text, intent])
