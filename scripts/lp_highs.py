#!/usr/bin/env python3
"""Solve a Haven JSON placement problem (docs/optimiser.md) with HiGHS: its LP relaxation
(the best bound any solver can prove from the relaxation), or the MIP with `mip SECONDS`.

    cargo run --release -p haven-optim --example solve -- --resettle 20000 100 --dump /tmp/r.json
    python3 scripts/lp_highs.py /tmp/r.json            # LP relaxation
    python3 scripts/lp_highs.py /tmp/r.json mip 300    # MIP, 300 s limit

Prints one JSON line: size, HiGHS status, objective (in the problem's sense), MIP bound,
seconds. Maximisation problems only (the resettlement generator's).
"""
import json
import sys
import time

import highspy
import numpy as np

d = json.load(open(sys.argv[1]))
mip = len(sys.argv) > 2 and sys.argv[2] == "mip"
tl = float(sys.argv[3]) if len(sys.argv) > 3 else 3600
m, n, K = len(d["places"]), len(d["items"]), len(d["resources"])
cost, start, idx, val = [], [0], [], []
for j, it in enumerate(d["items"]):
    for o in it["options"]:
        cost.append(-o["value"])
        need = o.get("need") or it["need"]
        idx.append(j)
        val.append(1.0)
        for k in range(K):
            if need[k] != 0:
                idx.append(n + o["place"] * K + k)
                val.append(need[k])
        start.append(len(idx))
nv = len(cost)
lp = highspy.HighsLp()
lp.num_col_, lp.num_row_ = nv, n + m * K
lp.col_cost_ = np.array(cost)
lp.col_lower_, lp.col_upper_ = np.zeros(nv), np.ones(nv)
lp.row_lower_ = np.full(n + m * K, -highspy.kHighsInf)
caps = np.array([c for p in d["places"] for c in p["capacity"]], dtype=float)
lp.row_upper_ = np.concatenate([np.ones(n), caps])
lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
lp.a_matrix_.start_ = np.array(start, dtype=np.int32)
lp.a_matrix_.index_ = np.array(idx, dtype=np.int32)
lp.a_matrix_.value_ = np.array(val)
if mip:
    lp.integrality_ = [highspy.HighsVarType.kInteger] * nv
h = highspy.Highs()
h.setOptionValue("output_flag", False)
h.setOptionValue("threads", 2)
h.setOptionValue("time_limit", tl)
t = time.time()
h.passModel(lp)
h.run()
info = h.getInfo()
print(json.dumps({
    "items": n, "places": m, "options": nv, "mip": mip,
    "status": h.modelStatusToString(h.getModelStatus()),
    "objective": -info.objective_function_value,
    "mip_bound": -info.mip_dual_bound if mip else None,
    "seconds": round(time.time() - t, 2),
}))
