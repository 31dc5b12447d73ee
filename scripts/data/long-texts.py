#!/usr/bin/env python3
"""Writes a text,intent CSV of long texts: for each of CLINC150's first INTENTS intents (sorted by
name), ROWS texts of WORDS words drawn from that intent's training queries, joined. Used to time a
training pass at the step budget's full size (docs/server.md, "Stopping").

    scripts/data/long-texts.py ../shared/data/clinc150/data_full.json long.csv [INTENTS ROWS WORDS]   # 10 40 52
"""
import csv
import json
import random
import sys

source, out = sys.argv[1], sys.argv[2]
intents, rows, words = (int(a) for a in (sys.argv[3:6] if len(sys.argv) > 5 else (10, 40, 52)))
by_intent = {}
for text, label in json.load(open(source))["train"]:
    by_intent.setdefault(label, []).append(text)
random.seed(1)
with open(out, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["text", "intent"])
    for label in sorted(by_intent)[:intents]:
        for _ in range(rows):
            picked = []
            while len(picked) < words:
                picked += random.choice(by_intent[label]).split()
            w.writerow([" ".join(picked[:words]), label])
