#!/usr/bin/env python3
"""Where a short CLI command's main thread spends its time, from a JFR recording: its execution
and native-method samples grouped by the innermost project frame, and the heaviest callers of the
first frames given with --under.

    java -XX:StartFlightRecording=filename=c.jfr,settings=profile -jar DIST/intent-cli.jar compile ...
    python3 scripts/perf/main_thread_profile.py c.jfr [--under IntentArtifact.put ClasspathResources.readAll]
"""
import collections
import re
import subprocess
import sys


def main_thread_stacks(jfr):
    text = subprocess.run(["jfr", "print", "--stack-depth", "60", "--events",
                           "jdk.NativeMethodSample,jdk.ExecutionSample", jfr],
                          check=True, capture_output=True, text=True).stdout
    for event in text.split("jdk.")[1:]:
        if 'sampledThread = "main"' in event:
            yield re.findall(r"^\s+([\w.$<>]+)\(", event, re.M)


def main(argv):
    jfr, under = argv[0], argv[argv.index("--under") + 1:] if "--under" in argv else []
    stacks = list(main_thread_stacks(jfr))
    innermost = collections.Counter()
    for frames in stacks:
        ours = [f for f in frames if f.startswith("dev.intentinference")]
        innermost[ours[0] if ours else (frames[0] if frames else "?")] += 1
    print(f"{len(stacks)} main-thread samples")
    for name, n in innermost.most_common(12):
        print(f"{n:6d}  {name}")
    for target in under:
        tops = collections.Counter(frames[0] for frames in stacks if any(target in f for f in frames))
        print(f"under {target}: {sum(tops.values())} samples; top frames:")
        for name, n in tops.most_common(3):
            print(f"{n:6d}  {name}")


if __name__ == "__main__":
    main(sys.argv[1:])
