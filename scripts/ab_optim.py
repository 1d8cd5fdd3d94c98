#!/usr/bin/env python3
"""Compare builds of the optimiser's driver on GAP instances, run one after the other.

Each seed in turn, each instance in turn, every binary runs once (never two at once, 2
threads each), so that a change in the machine's load falls on all of them alike. Prints,
per instance, each binary's mean gap to the best known value (%), how many runs were over
0.1 %, and the objectives; then each binary's totals.

    cargo build --release -p haven-optim --example solve
    cp target/release/examples/solve /tmp/solve_a      # ... change, build, copy to /tmp/solve_b
    python3 scripts/ab_optim.py 1001:1017 1000 'chu1997/d20100' /tmp/solve_a /tmp/solve_b

Arguments: SEEDS (FIRST:END, END excluded), the time limit in ms, a regex on the paths of
data.csv (e.g. 'chu1997' or 'chu1997/[cd]'), then one or more binaries (or scripts that
run one with an environment of their own). --data DIR (default ../shared/data/gap).
"""

import argparse
import collections
import csv
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("seeds", help="FIRST:END")
    ap.add_argument("time_limit_ms")
    ap.add_argument("only", help="regex on data.csv paths")
    ap.add_argument("bins", nargs="+")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "gap"))
    a = ap.parse_args()
    first, end = map(int, a.seeds.split(":"))
    rx = re.compile(a.only)
    with open(os.path.join(a.data, "data.csv")) as f:
        files = [
            (r["Path"], float(r["Best known solution value"]))
            for r in csv.DictReader(f)
            if rx.search(r["Path"])
        ]
    if not files:
        sys.exit(f"no instance of {a.data}/data.csv matches {a.only!r}")
    res = collections.defaultdict(list)
    for s in range(first, end):
        for path, _ in files:
            for b in a.bins:
                cmd = [b, "--time-limit-ms", a.time_limit_ms, "--seed", str(s), "--threads", "2",
                       os.path.join(a.data, path)]
                out = subprocess.run(cmd, capture_output=True, text=True).stdout
                lines = [l for l in out.splitlines() if l.startswith("{")]
                if not lines:
                    sys.exit(f"{' '.join(cmd)}: no result")
                res[(path, b)].append(json.loads(lines[-1])["objective"])
        print(f"seed {s} done", file=sys.stderr, flush=True)
    tot = collections.defaultdict(lambda: [0.0, 0, 0])
    for path, bk in files:
        cells = [f"{path:<22}", f"{bk:>8.0f}"]
        for b in a.bins:
            v = res[(path, b)]
            g = [(x - bk) / bk * 100 for x in v]
            over = sum(x > 0.1 for x in g)
            t = tot[b]
            t[0] += sum(g)
            t[1] += len(g)
            t[2] += over
            objs = " ".join(f"{x:.0f}" for x in v)
            cells.append(f"{os.path.basename(b)}: {sum(g) / len(g):.3f} {over}/{len(g)} [{objs}]")
        print(" | ".join(cells))
    for b in a.bins:
        s, n, over = tot[b]
        print(f"{b}: mean {s / n:.4f} %, runs over 0.1 %: {over} of {n}")


if __name__ == "__main__":
    main()
