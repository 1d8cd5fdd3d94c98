#!/usr/bin/env python3
"""Benchmark the Haven placement optimiser against HiGHS (highspy) and OR-Tools CP-SAT.

Runs every solver on the same OR-Library GAP files (minimisation, as in data.csv), one
after the other (never two at once), with the same time limit and 2 threads, and prints a
table: instance, best known, each solver's objective, its gap to the best known value (%),
its proven bound and its wall time.

    pip install highspy ortools            # only needed for the comparison
    python3 scripts/bench_optim.py --set chu --time-limit-ms 1000
    python3 scripts/bench_optim.py --set cattrysse --time-limit-ms 100
    python3 scripts/bench_optim.py --set yagiura --time-limit-ms 10000 --only 'c|d|e' --max-n 1600
    python3 scripts/bench_optim.py --resettle 100000 500 --time-limit-ms 10000   # Haven only

Options: --solvers haven,highs,cpsat   --data DIR (default ../shared/data/gap)
         --only REGEX (instance names)  --csv FILE (also write the rows as CSV)
"""

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
HAVEN = os.path.join(TARGET, "release", "examples", "solve")


def build_haven():
    subprocess.run(
        ["cargo", "build", "--release", "-q", "-p", "haven-optim", "--example", "solve"],
        cwd=ROOT,
        check=True,
    )


def read_gap(path):
    with open(path) as f:
        t = [int(x) for x in f.read().split()]
    m, n = t[0], t[1]
    p = 2
    c = [t[p + i * n : p + (i + 1) * n] for i in range(m)]
    p += m * n
    r = [t[p + i * n : p + (i + 1) * n] for i in range(m)]
    p += m * n
    b = t[p : p + m]
    return m, n, c, r, b


def run_haven(path, tl_ms, seed):
    t0 = time.time()
    out = subprocess.run(
        [HAVEN, "--time-limit-ms", str(tl_ms), "--seed", str(seed), "--threads", "2", path],
        capture_output=True,
        text=True,
    )
    wall = (time.time() - t0) * 1000
    if out.returncode != 0:
        return None, None, wall
    d = json.loads(out.stdout.strip().splitlines()[-1])
    return d["objective"], d["bound"], d["time_ms"]


def run_highs(path, tl_ms):
    import highspy
    import numpy as np

    m, n, c, r, b = read_gap(path)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", tl_ms / 1000.0)
    h.setOptionValue("threads", 2)
    nv = m * n
    lp = highspy.HighsLp()
    lp.num_col_ = nv
    lp.num_row_ = n + m
    lp.col_cost_ = np.array(c, dtype=float).flatten()
    lp.col_lower_ = np.zeros(nv)
    lp.col_upper_ = np.ones(nv)
    lp.row_lower_ = np.concatenate([np.ones(n), np.full(m, -highspy.kHighsInf)])
    lp.row_upper_ = np.concatenate([np.ones(n), np.array(b, dtype=float)])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.arange(0, 2 * nv + 1, 2, dtype=np.int32)
    idx = np.empty(2 * nv, dtype=np.int32)
    idx[0::2] = np.tile(np.arange(n), m)
    idx[1::2] = n + np.repeat(np.arange(m), n)
    val = np.empty(2 * nv)
    val[0::2] = 1.0
    val[1::2] = np.array(r, dtype=float).flatten()
    lp.a_matrix_.index_ = idx
    lp.a_matrix_.value_ = val
    lp.integrality_ = [highspy.HighsVarType.kInteger] * nv
    t0 = time.time()
    h.passModel(lp)
    h.run()
    wall = (time.time() - t0) * 1000
    info = h.getInfo()
    obj = None
    if info.primal_solution_status == 2:
        obj = info.objective_function_value
    bound = info.mip_dual_bound if abs(info.mip_dual_bound) < 1e30 else None
    return obj, bound, wall


def run_cpsat(path, tl_ms):
    from ortools.sat.python import cp_model

    m, n, c, r, b = read_gap(path)
    model = cp_model.CpModel()
    x = [[model.NewBoolVar(f"x{i}_{j}") for j in range(n)] for i in range(m)]
    for j in range(n):
        model.AddExactlyOne(x[i][j] for i in range(m))
    for i in range(m):
        model.Add(sum(r[i][j] * x[i][j] for j in range(n)) <= b[i])
    model.Minimize(sum(c[i][j] * x[i][j] for i in range(m) for j in range(n)))
    s = cp_model.CpSolver()
    s.parameters.max_time_in_seconds = tl_ms / 1000.0
    s.parameters.num_workers = 2
    t0 = time.time()
    st = s.Solve(model)
    wall = (time.time() - t0) * 1000
    obj = s.ObjectiveValue() if st in (cp_model.OPTIMAL, cp_model.FEASIBLE) else None
    return obj, s.BestObjectiveBound(), wall


SETS = {"cattrysse": "cattrysse1994", "chu": "chu1997", "yagiura": "yagiura2004"}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="chu", help="cattrysse, chu, yagiura or all")
    ap.add_argument("--time-limit-ms", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--solvers", default="haven,highs,cpsat")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared", "data", "gap"))
    ap.add_argument("--only", default=None, help="regex on instance names")
    ap.add_argument("--max-n", type=int, default=None, help="skip instances with more jobs")
    ap.add_argument("--csv", default=None)
    ap.add_argument("--resettle", nargs=2, type=int, metavar=("HOUSEHOLDS", "PLACES"))
    ap.add_argument("--no-build", action="store_true")
    a = ap.parse_args()

    if not a.no_build:
        build_haven()
    if a.resettle:
        out = subprocess.run(
            [HAVEN, "--resettle", str(a.resettle[0]), str(a.resettle[1]), "--time-limit-ms", str(a.time_limit_ms), "--seed", str(a.seed)],
            capture_output=True,
            text=True,
        )
        print(out.stdout, out.stderr, sep="")
        return 0 if out.returncode == 0 else 1

    best = {}
    with open(os.path.join(a.data, "data.csv")) as f:
        for row in csv.DictReader(f):
            best[row["Path"]] = (float(row["Best known solution value"]), int(row["Item number"]))
    folders = list(SETS.values()) if a.set == "all" else [SETS[a.set]]
    solvers = [s for s in a.solvers.split(",") if s]
    rows = []
    hdr = f"{'instance':24} {'best':>8}"
    for s in solvers:
        hdr += f" | {s + ' obj':>10} {'gap%':>7} {'bound':>9} {'ms':>6}"
    print(hdr)
    print("-" * len(hdr))
    sums = {s: [0, 0.0, 0] for s in solvers}
    for folder in folders:
        for name in sorted(os.listdir(os.path.join(a.data, folder))):
            key = f"{folder}/{name}"
            if key not in best:
                continue
            if a.only and not re.search(a.only, name):
                continue
            bk, n = best[key]
            if a.max_n and n > a.max_n:
                continue
            path = os.path.join(a.data, folder, name)
            line = f"{key:24} {bk:8.0f}"
            row = {"instance": key, "best_known": bk}
            for s in solvers:
                try:
                    if s == "haven":
                        obj, bound, ms = run_haven(path, a.time_limit_ms, a.seed)
                    elif s == "highs":
                        obj, bound, ms = run_highs(path, a.time_limit_ms)
                    else:
                        obj, bound, ms = run_cpsat(path, a.time_limit_ms)
                except Exception as e:  # a missing package or a solver error: show, go on
                    print(f"  {s} failed on {key}: {e}", file=sys.stderr)
                    obj, bound, ms = None, None, 0.0
                gap = None if obj is None else 100.0 * (obj - bk) / bk
                line += f" | {('-' if obj is None else f'{obj:.0f}'):>10} {('-' if gap is None else f'{gap:.3f}'):>7} {('-' if bound is None else f'{bound:.1f}'):>9} {ms:6.0f}"
                row.update({f"{s}_obj": obj, f"{s}_gap_pct": gap, f"{s}_bound": bound, f"{s}_ms": round(ms)})
                sums[s][0] += 1
                if gap is not None:
                    sums[s][1] += gap
                    sums[s][2] += gap < 1e-9
                else:
                    sums[s][1] += float("nan")
            print(line, flush=True)
            rows.append(row)
    print("-" * len(hdr))
    for s in solvers:
        k, g, hits = sums[s]
        if k:
            print(f"{s:6}: mean gap to best known {g / k:.3f}%  at best known {hits}/{k}")
    if a.csv and rows:
        with open(a.csv, "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
            w.writeheader()
            w.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
