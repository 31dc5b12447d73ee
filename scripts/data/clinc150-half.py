#!/usr/bin/env python3
"""CLINC150 Full with every other training text of each intent (50 of 100), all other splits as they are.

A smaller data set with CLINC150's validation and test splits, for choosing how the recipe scales with
data size without touching another data set (docs/accuracy.md, "Seventeenth session").

    scripts/data/clinc150-half.py ../shared/data/clinc150/data_full.json /tmp/clinc150-half.json
"""
import collections
import json
import sys

source, target = sys.argv[1], sys.argv[2]
with open(source) as f:
    data = json.load(f)
seen = collections.Counter()
half = []
for text, intent in data["train"]:
    if seen[intent] % 2 == 0:
        half.append([text, intent])
    seen[intent] += 1
data["train"] = half
with open(target, "w") as f:
    json.dump(data, f)
print(f"{len(half)} training texts over {len(seen)} intents -> {target}")
