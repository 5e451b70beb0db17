"""Cost against workers x years x replications: is it linear? (issue 8 item 2)

Three sweeps, each changing one factor over three sizes with the other two held fixed:

* workers: the scenario scaled by ``--factors`` (communities, residents, headcount and the
  other counts multiplied; rates and per-community figures unchanged);
* years: the horizon ``--years`` (years must cover the scenario's target years);
* replications: ``--reps``.

Every point is run in one process (per-core cost) after a warm-up, best of ``--repeat``.
For each sweep the script fits ``time = a + b x worker_years`` by least squares and prints
the cost per million worker-years at each size: cost is linear when that figure stays
flat (the fixed part ``a`` small) as the size grows fourfold.

Usage::

    python benchmarks/bench_scaling.py                                    # example-city
    python benchmarks/bench_scaling.py --scenario national-2025 --factors 0.0625 0.25 1 \\
        --years 10 --reps 1 --sweep workers --repeat 1
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import _common as C
import numpy as np


def measure(scenario: str, factor: float, years: int, reps: int, repeat: int, seed: int):
    import model
    sc = C.scenario(scenario, factor, years)
    model.run(C.scenario(scenario, min(factor, 0.05), years), reps=1, seed=seed, workers=1)  # warm-up
    best, times, res, cpus = C.best_of(lambda: model.run(sc, reps=reps, seed=seed, workers=1), repeat)
    wy = float(np.nansum(res.values[..., res.metrics.index("worker_years")]))
    return {"factor": factor, "years": years, "reps": reps, "best_s": best, "times_s": times, "cpu_s": cpus,
            "worker_years": wy, "workers": float(np.nanmean(res.values[..., res.metrics.index("headcount")]))}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="example-city")
    ap.add_argument("--factors", type=float, nargs=3, default=[1, 2, 4], help="size multipliers (workers)")
    ap.add_argument("--years", type=int, nargs="+", default=[6, 12, 24], help="horizons (1 or 3 values)")
    ap.add_argument("--reps", type=int, nargs="+", default=[2, 4, 8], help="replications (1 or 3 values)")
    ap.add_argument("--sweep", nargs="+", choices=("workers", "years", "reps"), default=["workers", "years", "reps"])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="also write the figures to this file")
    a = ap.parse_args()
    C.print_machine()
    f_mid, y_mid, r_mid = a.factors[0], a.years[len(a.years) // 2], a.reps[0]
    plans = {"workers": [(f, y_mid, r_mid) for f in a.factors],
             "years": [(f_mid, y, r_mid) for y in a.years],
             "reps": [(f_mid, y_mid, r) for r in a.reps]}
    out = {"machine": C.machine(), "scenario": a.scenario, "sweeps": {}}
    for sweep in a.sweep:
        pts = [measure(a.scenario, f, y, r, a.repeat, a.seed) for f, y, r in plans[sweep]]
        x = np.array([p["worker_years"] for p in pts])
        t = np.array([p["best_s"] for p in pts])
        b, c = np.polyfit(x, t, 1)
        print(f"\nsweep over {sweep} ({a.scenario}; best of {a.repeat}):")
        print(f"{'factor':>7s} {'workers':>10s} {'years':>6s} {'reps':>5s} {'worker-years':>13s} {'best s':>8s} "
              f"{'s per 1M w-y':>13s} {'w-y/s':>12s}")
        for p in pts:
            print(f"{p['factor']:7g} {p['workers']:10,.0f} {p['years']:6d} {p['reps']:5d} {p['worker_years']:13,.0f} "
                  f"{p['best_s']:8.3f} {p['best_s'] / p['worker_years'] * 1e6:13.3f} "
                  f"{p['worker_years'] / p['best_s']:12,.0f}")
        ratio = (t[-1] / x[-1]) / (t[0] / x[0])
        print(f"fit: time = {c:.3f} s + {b * 1e6:.3f} s per million worker-years; cost per worker-year at the "
              f"largest size / at the smallest = {ratio:.2f} (1 = linear, below 1 = fixed costs amortised)")
        out["sweeps"][sweep] = {"points": pts, "intercept_s": c, "s_per_million": b * 1e6, "ratio": ratio}
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
