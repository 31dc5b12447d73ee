#!/usr/bin/env python3
"""Summarises one scripts/perf/tail.sh run: latency (the bench's summary), GC pauses and
safepoints in the JFR window, bytes the server allocated per request, and where (TLAB-weighted).

    python3 scripts/perf/tail_report.py OUT
"""
import collections
import datetime
import json
import re
import subprocess
import sys


WINDOW = [0.0, float("inf")]  # epoch seconds of the measured window, set by main()


def epoch(iso):
    return datetime.datetime.fromisoformat(re.sub(r"(\.\d{6})\d*", r"\1", iso)).timestamp()


def events(jfr, names, window=True):
    text = subprocess.run(["jfr", "print", "--json", "--events", ",".join(names), jfr],
                          check=True, capture_output=True, text=True).stdout
    evs = json.loads(text)["recording"]["events"]
    return [e for e in evs if not window or WINDOW[0] <= epoch(e["values"]["startTime"]) <= WINDOW[1]]


def seconds(duration):
    # JFR JSON durations are ISO-8601, e.g. "PT0.001234S".
    return float(duration[2:-1]) if duration.startswith("PT") and duration.endswith("S") else 0.0


def frame_name(f):
    return f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"]


def scrape(path):
    """intent_requests_total summed, and intent_request_seconds_bucket counts by upper bound."""
    total, buckets = 0.0, collections.Counter()
    for line in open(path):
        if line.startswith("intent_requests_total{"):
            total += float(line.split()[-1])
        m = re.match(r'intent_request_seconds_bucket\{.*le="([^"]+)".*\} (\S+)', line)
        if m:
            buckets[float(m.group(1))] += float(m.group(2))
    return total, buckets


def quantile(buckets, q):
    """The upper bound of the histogram bucket holding quantile q (cumulative counts)."""
    n = buckets[float("inf")]
    return next((le for le in sorted(buckets) if buckets[le] >= q * n), float("inf"))


def gc_log_pauses(out):
    """Pauses of the GC log between the JFR window's start and end (JVM uptime)."""
    start, end = (float(open(f"{out}/uptime-{w}.txt").read().split()[0]) for w in ("before", "after"))
    pauses = []
    for line in open(f"{out}/gc.log"):
        m = re.match(r"\[([\d.]+)s\]\[info\]\[gc\s*\] GC\(\d+\) (Pause .*?) ([\d.]+)ms$", line)
        if m and start <= float(m.group(1)) <= end:
            pauses.append((m.group(2).split(" (")[0].split(" ")[0:3], float(m.group(3))))
    return [p for _, p in pauses]


def main(out):
    before, hist_before = scrape(f"{out}/metrics-before.txt")
    after, hist_after = scrape(f"{out}/metrics-after.txt")
    requests = int(after - before)
    hist = hist_after - hist_before
    WINDOW[:] = [float(open(f"{out}/epoch-{w}.txt").read()) for w in ("before", "after")]
    s = json.load(open(f"{out}/open.json"))
    lat = s.get("latency") or s.get("latency_seconds") or s
    p50, p99, p999 = lat["p50"], lat["p99"], lat.get("p99_9")
    ok = s.get("succeeded", s.get("ok", "?"))
    failed = s.get("failed", "?")
    print(f"latency: p50 {p50 * 1e3:.2f} ms, p99 {p99 * 1e3:.2f} ms, p99.9 {p999 * 1e3:.2f} ms, "
          f"p99/p50 {p99 / p50:.2f}; ok {ok}, failed {failed}; throughput {s.get('throughput')}")
    print(f"server side (intent_request_seconds, bucket bounds): p50 <= {quantile(hist, 0.5) * 1e3:g} ms, "
          f"p99 <= {quantile(hist, 0.99) * 1e3:g} ms, p99.9 <= {quantile(hist, 0.999) * 1e3:g} ms")
    logged = gc_log_pauses(out)
    print(f"GC log: {len(logged)} pauses, {sum(logged):.1f} ms in total, longest {max(logged, default=0):.2f} ms")
    jfr = f"{out}/server.jfr"
    gcs = events(jfr, ["jdk.GarbageCollection"])
    pauses = [seconds(e["values"]["sumOfPauses"]) for e in gcs]
    longest = max([seconds(e["values"]["longestPause"]) for e in gcs], default=0)
    names = collections.Counter(e["values"]["name"] for e in gcs)
    print(f"GC (JFR): {len(gcs)} collections {dict(names)}, pauses {sum(pauses) * 1e3:.1f} ms in total, "
          f"longest {longest * 1e3:.2f} ms")
    sps = events(jfr, ["jdk.SafepointBegin"])
    sp = [seconds(e["values"]["duration"]) for e in sps]
    print(f"safepoints: {len(sp)}, {sum(sp) * 1e3:.1f} ms in total, longest {max(sp, default=0) * 1e3:.2f} ms")
    # Per thread: its allocated bytes at the last sample (1 s apart) before the window's end, less
    # at the last one before its start.
    stats = collections.defaultdict(dict)
    for e in events(jfr, ["jdk.ThreadAllocationStatistics"], window=False):
        t = e["values"]["thread"]
        when = epoch(e["values"]["startTime"])
        key = (t["javaName"], t["javaThreadId"]) if t else (None, None)
        for i, edge in enumerate(WINDOW):
            if when <= edge:
                best = stats[key].get(i)
                if best is None or when > best[0]:
                    stats[key][i] = (when, e["values"]["allocated"])
    per_thread = collections.Counter()
    for k, v in stats.items():
        if 1 in v:
            per_thread[k[0]] += v[1][1] - (v[0][1] if 0 in v else 0)
    total = sum(per_thread.values())
    print(f"allocated: {total / 2**20:.1f} MiB for {requests} requests = {total / max(requests, 1):.0f} bytes/request")
    top = sorted(per_thread.items(), key=lambda kv: -kv[1])[:6]
    print("  by thread: " + ", ".join(f"{n} {b / max(requests, 1):.0f}" for n, b in top))
    # A TLAB refill stands for the TLAB's size, an allocation outside one for itself: the classic
    # unbiased weighting of allocation sites (jdk.ObjectAllocationSample is throttled).
    samples = events(jfr, ["jdk.ObjectAllocationInNewTLAB", "jdk.ObjectAllocationOutsideTLAB"])
    by_site = collections.Counter()
    by_ours = collections.Counter()
    by_class = collections.Counter()
    for e in samples:
        v = e["values"]
        w = v.get("tlabSize") or v["allocationSize"]
        frames = (v.get("stackTrace") or {}).get("frames") or []
        by_class[v["objectClass"]["name"]] += w
        if frames:
            by_site[frame_name(frames[0])] += w
            ours = next((i for i, f in enumerate(frames) if "intentinference" in f["method"]["type"]["name"]), None)
            by_ours["/".join(frame_name(f) for f in frames[:2]) if ours is None
                    else frame_name(frames[ours]) + " <- " + frame_name(frames[0])] += w
    sampled = sum(by_class.values())
    print(f"TLAB-weighted allocation {sampled / 2**20:.1f} MiB; top sites, bytes/request:")
    for title, c in (("  top frame", by_site), ("  first intent frame <- top frame", by_ours), ("  class", by_class)):
        print(title + ":")
        for k, w in c.most_common(15):
            print(f"    {w / max(requests, 1):8.0f}  {k}")

if __name__ == "__main__":
    main(sys.argv[1])
