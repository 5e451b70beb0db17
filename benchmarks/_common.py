"""Helpers shared by the benchmark scripts (not part of the package).

* the machine description recorded with every figure (CPU, cores, date, versions);
* best-of-N timing (the machine is shared, so the best of several runs is the figure);
* measurements in a fresh Python process, so that each one has its own peak resident
  memory (``ru_maxrss``) and pays its own imports and compilation;
* scenarios scaled in size (communities, residents, headcount and the other counts).

Every script puts the repository root on ``sys.path`` through this module, so the
scripts run from a checkout whether or not the package is installed.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # a checkout without `pip install -e .`
    sys.path.insert(0, str(ROOT))

# Count fields scaled by `scaled_raw` (workers grow in proportion to them).
SIZE_FIELDS = (("demand", "communities"), ("demand", "urban_residents"), ("population", "headcount"),
               ("recruitment", "pool_size"), ("recruitment", "cap"), ("recruitment", "extra_hires"),
               ("promotion_out", "street_hiring_plan"), ("promotion_out", "per_year"),
               ("training", "capacity"))


def machine() -> dict:
    """What the figures were measured on."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import numpy
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = float("nan")
    return {"cpu": cpu, "nproc": os.cpu_count(), "date": _dt.date.today().isoformat(),
            "python": platform.python_version(), "numpy": numpy.__version__,
            "load_1min": round(load, 2)}


def print_machine() -> dict:
    m = machine()
    print(f"machine: {m['cpu']}, nproc {m['nproc']}, load {m['load_1min']} (1 min), "
          f"python {m['python']}, numpy {m['numpy']}, {m['date']}")
    return m


def peak_rss_mb(who=resource.RUSAGE_SELF) -> float:
    """Peak resident set size in MB (Linux reports kB)."""
    return resource.getrusage(who).ru_maxrss / 1024


def cpu_seconds() -> float:
    """CPU time (user + system) of this process and of its children waited for so far."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def best_of(fn, repeat: int = 3):
    """Run ``fn()`` ``repeat`` times.

    Returns
    -------
    best : float
        The shortest wall time (s).
    times, cpus : list of float
        Every run's wall time and CPU time (this process and its worker processes; on a
        shared machine CPU time is the steadier figure).
    out
        The last run's result.
    """
    times, cpus, out = [], [], None
    for _ in range(repeat):
        c = cpu_seconds()
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
        cpus.append(cpu_seconds() - c)
    return min(times), times, out, cpus


def scaled_raw(raw: dict, factor: float, years: int | None = None) -> dict:
    """A scenario's raw data with its size multiplied by ``factor`` (and its horizon changed).

    Constant counts in :data:`SIZE_FIELDS` and each district's communities are scaled;
    rates, shares and per-community figures are left alone, so workers scale with
    ``factor``.
    """
    import copy
    raw = copy.deepcopy(raw)
    for sec, key in SIZE_FIELDS:
        v = raw.get(sec, {}).get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            raw[sec][key] = type(v)(round(v * factor)) if isinstance(v, int) else v * factor
    ds = raw.get("districts") or []
    for d in ds:
        d["communities"] = max(1, round(d["communities"] * factor))
    if ds:
        raw["demand"]["communities"] = sum(d["communities"] for d in ds)
    else:
        raw["demand"]["communities"] = max(1, int(raw["demand"]["communities"]))
    if years is not None:
        raw["years"] = int(years)
    raw.pop("extends", None)
    return raw


def scenario(name: str, factor: float = 1.0, years: int | None = None, overrides=None):
    """Load a scenario by name or path, optionally scaled (see :func:`scaled_raw`)."""
    import model
    from model.scenario import Scenario
    sc = model.load(name, overrides)
    if factor == 1.0 and years is None:
        return sc
    raw = scaled_raw(sc.raw, factor, years)
    return Scenario(raw, [], f"{sc.name} x{factor:g}" + (f" {years}y" if years else ""))


# -- measurements in a fresh process ------------------------------------------------

def _child_run(spec: dict) -> dict:
    """In a fresh process: load a scenario and run it; timings and peak memory."""
    import numpy as np
    t0 = time.perf_counter()
    import model
    sc = scenario(spec["scenario"], spec.get("factor", 1.0), spec.get("years"), spec.get("overrides"))
    t1 = time.perf_counter()
    warm = spec.get("warmup")
    if warm:
        # one replication of the scenario shrunk by `warm`: imports, caches, compilation
        model.run(scenario(spec["scenario"], spec.get("factor", 1.0) * warm, spec.get("years"),
                           spec.get("overrides")) if warm != 1 else sc, reps=1, seed=spec.get("seed", 1), workers=1)
    t2 = time.perf_counter()
    res = model.run(sc, reps=spec["reps"], seed=spec.get("seed", 1), workers=spec.get("workers", 1))
    t3 = time.perf_counter()
    wy = float(np.nansum(res.values[..., res.metrics.index("worker_years")]))
    return {"import_load_s": t1 - t0, "warmup_s": t2 - t1, "run_s": t3 - t2, "worker_years": wy,
            "workers_mean": float(np.nanmean(res.values[..., res.metrics.index("headcount")])),
            "rss_self_mb": peak_rss_mb(), "rss_children_mb": peak_rss_mb(resource.RUSAGE_CHILDREN)}


def _child_cli(spec: dict) -> dict:
    """In a fresh process: the `python -m model` command line, stage by stage."""
    import model
    from model import cli
    t0 = time.perf_counter()
    sc = model.load(spec["scenario"], spec.get("overrides"))
    res = model.run(sc, reps=spec["reps"], seed=spec.get("seed", 1), workers=spec.get("workers"))
    t1 = time.perf_counter()
    after_run = peak_rss_mb()
    out = Path(spec["out"])
    cli.write_run(sc, res, out / "tables", report=False)
    t2 = time.perf_counter()
    after_tables = peak_rss_mb()
    after_report = None
    if spec.get("report"):
        cli.write_run(sc, res, out / "report", report=True)
        after_report = peak_rss_mb()
    t3 = time.perf_counter()
    return {"run_s": t1 - t0, "tables_s": t2 - t1, "report_s": t3 - t2,
            "values_mb": res.values.nbytes / 2**20, "shape": list(res.values.shape),
            "rss_after_run_mb": after_run, "rss_after_tables_mb": after_tables,
            "rss_after_report_mb": after_report, "rss_children_mb": peak_rss_mb(resource.RUSAGE_CHILDREN)}


CHILDREN = {"run": _child_run, "cli": _child_cli}


def in_fresh_process(kind: str, **spec) -> dict:
    """Run a measurement (:data:`CHILDREN`) in a new interpreter and return its figures."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p])
    t = time.perf_counter()
    p = subprocess.run([sys.executable, __file__, kind, json.dumps(spec)], check=False, capture_output=True,
                       text=True, env=env, cwd=str(ROOT))
    wall = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(f"measurement {kind} {spec} failed:\n{p.stderr[-3000:]}")
    out = json.loads(p.stdout.strip().splitlines()[-1])
    out["process_wall_s"] = wall
    return out


if __name__ == "__main__":
    result = CHILDREN[sys.argv[1]](json.loads(sys.argv[2]))
    print(json.dumps(result))
