"""Peak memory of a city forecast against the number of replications (issue 9 item 7).

A run must keep no per-person data across replications: each replication returns only
its metric values (years x metrics numbers), so the collecting process should grow by
about ``years x metrics x 8`` bytes per replication plus what the summary tables need,
and the worker processes should not grow at all.

For each replication count (default 1,000, 3,000 and 10,000 of ``example-city``) a fresh
Python process does what ``python -m model run SCENARIO --reps N`` does, stage by stage:
simulate (local processes, every core), write the tables (summary.csv, targets.csv,
manifest.json), and with ``--report`` the figures, workbook and HTML report. It records
its peak resident set (``ru_maxrss``) after each stage and the largest worker process's.
A least-squares line through the three peaks gives the memory per replication, printed
next to the size of one replication's values.

Memory is measured once per count (it barely varies between runs); the run times
printed are for information only.

Usage::

    python benchmarks/bench_memory.py                          # example-city, 1k/3k/10k reps
    python benchmarks/bench_memory.py --counts 100 300 1000 --report
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import _common as C
import numpy as np


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="example-city")
    ap.add_argument("--counts", type=int, nargs=3, default=[1000, 3000, 10000])
    ap.add_argument("--workers", type=int, help="local processes (default: every core)")
    ap.add_argument("--report", action="store_true", help="also write figures, workbook and report")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="also write the figures to this file")
    a = ap.parse_args()
    C.print_machine()
    import model
    from model import metrics as M
    sc = model.load(a.scenario)
    n_metrics = len(M.names(sc))
    per_rep_kb = sc.years * n_metrics * 8 / 1024
    print(f"{sc.name}: {sc.years} years x {n_metrics} metrics = {per_rep_kb:.2f} kB of values per replication")
    print(f"{'reps':>7s} {'values MB':>10s} {'peak MB: run':>13s} {'+tables':>9s} {'+report':>9s} "
          f"{'worker MB':>10s} {'run s':>8s} {'tables s':>9s} {'report s':>9s}")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        for n in a.counts:
            r = C.in_fresh_process("cli", scenario=a.scenario, reps=n, seed=a.seed, workers=a.workers,
                                   out=str(Path(tmp) / f"r{n}"), report=a.report)
            r["reps"] = n
            rows.append(r)
            rep = r["rss_after_report_mb"]
            print(f"{n:7d} {r['values_mb']:10.1f} {r['rss_after_run_mb']:13,.0f} {r['rss_after_tables_mb']:9,.0f} "
                  f"{(f'{rep:9,.0f}' if rep else '        -')} {r['rss_children_mb']:10,.0f} "
                  f"{r['run_s']:8.1f} {r['tables_s']:9.1f} {r['report_s']:9.1f}")
    reps = np.array([r["reps"] for r in rows], dtype=float)
    fits = {}
    for key in ("rss_after_run_mb", "rss_after_tables_mb", "rss_after_report_mb", "rss_children_mb"):
        y = np.array([r[key] or np.nan for r in rows], dtype=float)
        if np.isnan(y).any():
            continue
        slope, icpt = np.polyfit(reps, y, 1)
        resid = y - (icpt + slope * reps)
        fits[key] = {"kb_per_rep": slope * 1024, "intercept_mb": icpt, "max_residual_mb": float(np.abs(resid).max())}
        print(f"{key:22s}: {icpt:8,.0f} MB + {slope * 1024:7.2f} kB per replication "
              f"(largest residual {np.abs(resid).max():.1f} MB)")
    print(f"one replication's values: {per_rep_kb:.2f} kB; no per-person data is kept between replications "
          "if the slope is a small multiple of this and the workers' peak does not grow")
    if a.json:
        Path(a.json).write_text(json.dumps({"machine": C.machine(), "scenario": sc.name,
                                            "per_rep_values_kb": per_rep_kb, "rows": rows, "fits": fits},
                                           indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
