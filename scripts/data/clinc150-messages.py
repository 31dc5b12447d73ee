#!/usr/bin/env python3
"""The messages `intent bench` sends by default, one per line: CLINC150's test and oos_test texts.

For load generators that read plain lines (scripts/perf/wrk-infer.lua).

    scripts/data/clinc150-messages.py core/src/main/resources/datasets/clinc150/data_full.json > messages.txt
"""
import json
import sys

with open(sys.argv[1]) as f:
    data = json.load(f)
print("\n".join(text for text, _ in data["test"] + data["oos_test"]))
