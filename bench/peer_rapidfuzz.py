#!/usr/bin/env python3
"""Peer comparison for the screening index: rapidfuzz brute force over the same names
and the same queries, measured in the same run as Meridian.

    pip install rapidfuzz
    python3 bench/peer_rapidfuzz.py [LISTS_DIR] [--peer-sample N]

Meridian: `examples/bench_queries.rs` (release build) loads LISTS_DIR, writes every
listed name and the query mix (every 20th listed name with a typo + as many unlisted
names) to a temp dir, and times its index on one thread. The peer then scores each
query against every name with rapidfuzz `process.extractOne` (WRatio, default
processor, cutoff 85: its usual operating point), also on one thread (extractOne
does not parallelise). Brute force is slow, so the peer runs on an evenly spaced sample of the
queries (default 400); queries/s is comparable because each query's cost does not
depend on which queries are chosen.
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("lists_dir", nargs="?", default=str(ROOT.parent / "shared" / "data" / "lists"))
    parser.add_argument("--peer-sample", type=int, default=400)
    parser.add_argument("--cargo-dir", default=str(ROOT), help="where to run cargo (the workspace)")
    args = parser.parse_args()
    try:
        from rapidfuzz import fuzz, process, utils
        import rapidfuzz
    except ImportError:
        print("rapidfuzz is not installed: pip install rapidfuzz", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory() as out:
        command = [
            "cargo", "run", "--release", "-q", "-p", "meridian-screening",
            "--example", "bench_queries", "--", args.lists_dir, out,
        ]
        result = subprocess.run(command, cwd=args.cargo_dir, check=True, capture_output=True, text=True)
        meridian = json.loads(result.stdout.strip().splitlines()[-1])
        names = pathlib.Path(out, "names.txt").read_text(encoding="utf-8").splitlines()
        queries = pathlib.Path(out, "queries.txt").read_text(encoding="utf-8").splitlines()

    step = max(1, len(queries) // max(1, args.peer_sample))
    sample = queries[::step][: args.peer_sample]
    started = time.perf_counter()
    choices = [utils.default_process(n) for n in names]
    prep_s = time.perf_counter() - started
    timings = []
    matched = 0
    started = time.perf_counter()
    for query in sample:
        one = time.perf_counter()
        best = process.extractOne(
            utils.default_process(query), choices, scorer=fuzz.WRatio,
            processor=None, score_cutoff=85,
        )
        timings.append((time.perf_counter() - one) * 1e6)
        matched += best is not None
    total = time.perf_counter() - started
    timings.sort()
    pct = lambda p: timings[int((len(timings) - 1) * p)]
    peer = {
        "names": len(names),
        "queries": len(sample),
        "prep_ms": round(prep_s * 1e3, 1),
        "queries_per_s": round(len(sample) / total),
        "p50_us": round(pct(0.5), 1),
        "p99_us": round(pct(0.99), 1),
        "with_match": matched,
    }
    print(f"rapidfuzz {rapidfuzz.__version__}, python {sys.version.split()[0]}, cpu count {os.cpu_count()}")
    print("meridian index (1 thread):   ", json.dumps(meridian))
    print("rapidfuzz brute force WRatio:", json.dumps(peer))
    print(f"speed-up: {meridian['queries_per_s'] / max(1, peer['queries_per_s']):.0f}x queries/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
