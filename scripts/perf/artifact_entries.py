#!/usr/bin/env python3
"""Each entry of .intent artifacts: its size, how it is stored, and what zlib's level 6 (the
JDK's default deflate) would make of it.

    python3 scripts/perf/artifact_entries.py a.intent [b.intent ...]
"""
import sys
import zipfile
import zlib

for path in sys.argv[1:]:
    with zipfile.ZipFile(path) as z:
        for e in z.infolist():
            data = z.read(e)
            method = "stored" if e.compress_type == zipfile.ZIP_STORED else "deflated"
            ratio = len(zlib.compress(data, 6)) / len(data)
            print(f"{path} {e.filename}: {len(data)} bytes, {method} as {e.compress_size}; deflated would be {ratio:.3f} of it")
