"""Old code against new, alternately in one process: a speed ratio a noisy machine cannot fake.

This machine's speed drifts by up to 1.6x within minutes (a shared virtual machine), so
two timings taken a minute apart compare the machine, not the code. This script loads
the package as it is at a git revision (``git archive REV model/``, imported under the
name ``model_old``; the package's imports are relative, so it runs unchanged beside
``model``), then times the two alternately, replication batch by replication batch, in
this one process, so both meet the same machine. It prints, per scenario, the best and
the mean time per replication of each and their ratios (new / old: below 1 is faster),
and checks that the two give the same values (the same seed must give identical
results unless a change says otherwise).

Usage::

    python benchmarks/bench_compare.py HEAD~3                       # bench, changzhou-2022, nanjing-2018
    python benchmarks/bench_compare.py c872432 --scenarios bench --rounds 12
    python benchmarks/bench_compare.py c872432 --national 10        # + national, 10 years, 2 threads
"""

from __future__ import annotations

import argparse
import importlib
import io
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import _common as C
import numpy as np

import model
from model.runner import _large_allocations_stay_mapped


def load_old(rev: str, where: Path):
    """The package at ``rev`` as the module ``model_old``."""
    data = subprocess.run(["git", "archive", rev, "model"], cwd=C.ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(data)) as tar:
        tar.extractall(where, filter="data")
    (where / "model").rename(where / "model_old")
    sys.path.insert(0, str(where))
    return importlib.import_module("model_old")


def metric_names(scs: dict, old) -> dict:
    """Each version's metric names for its scenario (``scs``: "old"/"new" -> scenario)."""
    return {k: importlib.import_module(m.__name__ + ".metrics").names(scs[k])
            for k, m in (("old", old), ("new", model))}


def compare(label: str, runs: dict, rounds: int, names: dict | None = None) -> dict:
    """``runs``: name -> function running one batch and returning (seconds per replication,
    values). Alternates them ``rounds`` times. ``names``: each one's metric names (the last
    axis of its values), so that values are compared on the metrics both report where one
    reports more (a metric added)."""
    times = {k: [] for k in runs}
    values = {}
    for _ in range(rounds):
        for name, f in runs.items():
            dt, v = f()
            times[name].append(dt)
            values[name] = v
    old, new = times["old"], times["new"]
    added = ""
    if names is not None and list(names["old"]) != list(names["new"]):
        both = [m for m in names["new"] if m in set(names["old"])]
        values = {k: values[k][..., [list(names[k]).index(m) for m in both]] for k in values}
        added = f" (on the {len(both)} metrics both report; {len(names['new']) - len(both)} new)"
    same = np.array_equal(values["old"], values["new"], equal_nan=True)
    print(f"{label:18s} old best {min(old) * 1e3:9.2f} mean {np.mean(old) * 1e3:9.2f} ms | "
          f"new best {min(new) * 1e3:9.2f} mean {np.mean(new) * 1e3:9.2f} ms | "
          f"new/old best {min(new) / min(old):.3f} mean {np.mean(new) / np.mean(old):.3f} | "
          f"identical values: {'yes' if same else 'NO'}{added}")
    return {"old": old, "new": new, "identical": same}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("rev", help="git revision of the old code (a commit, tag or HEAD~n)")
    ap.add_argument("--scenarios", nargs="+", default=["bench", "changzhou-2022", "nanjing-2018"])
    ap.add_argument("--rounds", type=int, default=8, help="alternations (default 8)")
    ap.add_argument("--reps", type=int, default=10, help="replications per batch (default 10)")
    ap.add_argument("--national", type=int, default=0, metavar="YEARS",
                    help="also one national replication of this many years, 2 threads, 3 rounds")
    a = ap.parse_args()
    C.print_machine()
    _large_allocations_stay_mapped()  # as a run does
    with tempfile.TemporaryDirectory() as tmp:
        old = load_old(a.rev, Path(tmp))
        old_run = importlib.import_module("model_old.engine").run_replication
        from model.engine import run_replication as new_run
        print(f"old: {a.rev}; new: this checkout; {a.reps} replications per batch, {a.rounds} rounds")
        for name in a.scenarios:
            path = C.ROOT / "scenarios" / f"{name}.toml"
            scs = {"old": old.load(path), "new": model.load(path)}
            fns = {"old": old_run, "new": new_run}
            for k, run in fns.items():
                run(scs[k], 1, 0)  # imports, compilation caches

            def batch(k, fns=fns, scs=scs):
                def f():
                    t = time.perf_counter()
                    v = [fns[k](scs[k], 1, r) for r in range(a.reps)]
                    return (time.perf_counter() - t) / a.reps, np.stack(v)
                return f
            names = metric_names(scs, old)
            compare(name, {k: batch(k) for k in ("old", "new")}, a.rounds, names)
        if a.national:
            path = C.ROOT / "scenarios" / "national-2025.toml"
            over = {"years": a.national}
            scs = {"old": old.load(path, over), "new": model.load(path, over)}
            mods = {"old": old, "new": model}

            def national(k):
                def f():
                    eng = importlib.import_module(mods[k].__name__ + ".engine")
                    kern = importlib.import_module(mods[k].__name__ + ".kernels")
                    with kern.threads(2):
                        t = time.perf_counter()
                        v = eng.run_replication(scs[k], 1, 0)
                        return time.perf_counter() - t, v
                return f
            names = metric_names(scs, old)
            compare(f"national {a.national}y", {k: national(k) for k in ("old", "new")}, 3, names)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
