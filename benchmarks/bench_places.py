"""Worker-years per second and peak memory for every scenario in ``scenarios/*.toml``.

Each measurement runs in a fresh Python process (so each has its own peak resident
memory), warms up with one replication (imports, caches, compilation; shrunk to 1% for
scenarios above 100,000 workers), runs the scenario's replications in that process
(``workers=1``, so the figure is per core) and is repeated ``--repeat`` times; the best
run time is reported (the machine is shared); the repeats take the scenarios in turn. Run time excludes interpreter start-up,
imports, scenario loading and the warm-up; start-up and loading are printed separately.

The places' own scenario files are being written; whatever exists is measured.

Usage::

    python benchmarks/bench_places.py                   # every scenario, best of 3
    python benchmarks/bench_places.py --only bench example-city --reps 8
    python benchmarks/bench_places.py --big-reps 1      # replications of scenarios with > 1M posts
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import _common as C

SCENARIOS = C.ROOT / "scenarios"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="*", help="scenario names (default: every scenarios/*.toml)")
    ap.add_argument("--reps", type=int, default=4, help="replications per run (default 4)")
    ap.add_argument("--big-reps", type=int, default=1,
                    help="replications for scenarios with more than 1 million workers (default 1)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="also write the figures to this file")
    a = ap.parse_args()
    C.print_machine()
    names = a.only or sorted(p.stem for p in SCENARIOS.glob("*.toml"))
    import model
    rows = []
    print(f"{'scenario':24s} {'workers':>10s} {'reps':>5s} {'run s (best)':>13s} {'all runs s':>24s} "
          f"{'worker-years/s':>15s} {'peak MB':>8s} {'start s':>8s} {'warm s':>7s}")
    plans = []
    for name in names:
        try:
            sc = model.load(SCENARIOS / f"{name}.toml" if (SCENARIOS / f"{name}.toml").exists() else name)
        except model.UserError as e:
            print(f"{name:24s} skipped: {e}")
            continue
        big = _posts(sc) > 1_000_000
        # warm-up first (imports, caches, compilation): one replication, shrunk to ~1% if big
        plans.append((name, sc, a.big_reps if big else a.reps, 0.01 if _posts(sc) > 100_000 else 1))
    # the repeats go round the scenarios (bench, changzhou, ..., bench, changzhou, ...), so a
    # slow spell on the shared machine hits every scenario alike, not one of them
    runs = {name: [] for name, *_ in plans}
    for _ in range(a.repeat):
        for name, sc, reps, warm in plans:
            runs[name].append(C.in_fresh_process("run", scenario=str(sc.path or name), reps=reps, seed=a.seed,
                                                 workers=1, warmup=warm))
    for name, sc, reps, warm in plans:
        best = min(runs[name], key=lambda r: r["run_s"])
        wy = best["worker_years"]
        row = {"scenario": sc.name, "workers": best["workers_mean"], "reps": reps,
               "run_s": best["run_s"], "runs_s": [r["run_s"] for r in runs[name]],
               "worker_years": wy, "worker_years_per_s": wy / best["run_s"],
               "peak_rss_mb": max(r["rss_self_mb"] for r in runs[name]),
               "import_load_s": best["import_load_s"], "warmup_s": best["warmup_s"],
               "command": f"python benchmarks/bench_places.py --only {name} --reps {a.reps} "
                          f"--big-reps {a.big_reps} --repeat {a.repeat}"}
        rows.append(row)
        print(f"{sc.name:24s} {row['workers']:10,.0f} {reps:5d} {row['run_s']:13.3f} "
              f"{', '.join(f'{x:.2f}' for x in row['runs_s']):>24s} {row['worker_years_per_s']:15,.0f} "
              f"{row['peak_rss_mb']:8,.0f} {row['import_load_s']:8.2f} {row['warmup_s']:7.2f}")
    rate = {r["scenario"]: r["worker_years_per_s"] for r in rows}
    if "bench" in rate and "example-city" in rate:
        print(f"\nexample-city / bench, worker-years per second: {rate['example-city'] / rate['bench']:.2f} "
              "(issue 3 asks for at least 0.5)")
    print("\nworkers: mean year-end headcount; worker-years: the worker_years metric (time employed);"
          " peak MB: the largest resident set of the measuring process over the runs;"
          " start s: imports and scenario loading; warm s: the warm-up replication")
    if a.json:
        Path(a.json).write_text(json.dumps({"machine": C.machine(), "rows": rows}, indent=1), encoding="utf-8")
    return 0


def _posts(sc) -> float:
    """A rough size: workers at the start (headcount, or residents x per-10k, or communities x posts)."""
    if sc.population.headcount:
        return sc.population.headcount
    d = sc.raw.get("demand", {})
    if d.get("rule") == "per_10k" and d.get("urban_residents"):
        return float(d.get("per_10k", 18.0)) * d["urban_residents"] / 1e4
    ppc = d.get("posts_per_community", 10)
    return sc.demand.communities * (ppc if isinstance(ppc, (int, float)) else 10)


if __name__ == "__main__":
    raise SystemExit(main())
