"""The national scenario: one replication's whole command, its time and peak memory, and
where the time goes (issue 8 item 2: at most 5 s and 2 GB on the 2-core machine).

Runs, ``--repeat`` times, exactly::

    /usr/bin/time -v python -m model run scenarios/national-2025.toml --reps 1 --no-report --out TMP

and reports the best elapsed (wall) time and the largest "Maximum resident set size"
(whole command: interpreter start-up, imports, loading, simulation, writing). Then, with
``--profile``, runs one replication under cProfile in this process and prints the
functions of ``model/`` that take the most time (own time, and cumulative), so the
engine's hot spots can be read off directly.

Usage::

    python benchmarks/bench_national.py                  # best of 3, then profile
    python benchmarks/bench_national.py --repeat 1 --no-profile
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import _common as C

SCENARIO = "scenarios/national-2025.toml"


def timed_command(out: Path, extra: list[str]) -> dict:
    """The whole command under /usr/bin/time -v: wall seconds, peak resident MB."""
    cmd = [sys.executable, "-m", "model", "run", SCENARIO, "--reps", "1", "--no-report", "--quiet",
           "--out", str(out), *extra]
    timer = shutil.which("time") or "/usr/bin/time"
    t = time.perf_counter()
    p = subprocess.run([timer, "-v", *cmd], cwd=str(C.ROOT), capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t
    if p.returncode != 0:
        raise RuntimeError(p.stderr[-3000:])
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
    e = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", p.stderr)
    parts = [float(x) for x in e.group(1).split(":")] if e else [wall]
    elapsed = sum(v * 60 ** i for i, v in enumerate(reversed(parts)))
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", p.stderr).group(1))
    system = float(re.search(r"System time \(seconds\): ([\d.]+)", p.stderr).group(1))
    sim = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["wall_time_s"]
    return {"elapsed_s": elapsed, "user_s": user, "system_s": system, "simulation_s": sim,
            "max_rss_mb": int(m.group(1)) / 1024 if m else float("nan"),
            "command": "/usr/bin/time -v " + " ".join(["python", *cmd[1:-2], *extra])}


def profile(top: int) -> list[dict]:
    """One replication under cProfile; the ``model/`` functions with the most time."""
    import model
    from model.engine import run_replication
    sc = model.load(SCENARIO)
    pr = cProfile.Profile()
    t = time.perf_counter()
    pr.enable()
    run_replication(sc, sc.run.seed, 0)
    pr.disable()
    wall = time.perf_counter() - t
    st = pstats.Stats(pr)
    rows = []
    for (file, line, fn), (cc, nc, tt, ct, _) in st.stats.items():
        if "/model/" in file:
            rows.append({"function": f"{Path(file).relative_to(C.ROOT)}:{line}({fn})", "calls": nc,
                         "own_s": tt, "cumulative_s": ct})
    print(f"\nprofile of one replication (cProfile, {wall:.1f} s with profiling): model/ functions")
    print(f"{'own s':>7s} {'cum s':>7s} {'calls':>6s}  function (by own time)")
    for r in sorted(rows, key=lambda r: -r["own_s"])[:top]:
        print(f"{r['own_s']:7.2f} {r['cumulative_s']:7.2f} {r['calls']:6d}  {r['function']}")
    print(f"\n{'own s':>7s} {'cum s':>7s} {'calls':>6s}  function (by cumulative time)")
    for r in sorted(rows, key=lambda r: -r["cumulative_s"])[:top]:
        print(f"{r['own_s']:7.2f} {r['cumulative_s']:7.2f} {r['calls']:6d}  {r['function']}")
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--profile", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--json", help="also write the figures to this file")
    a = ap.parse_args()
    C.print_machine()
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-national-") as tmp:
        for i in range(a.repeat):
            r = timed_command(Path(tmp) / f"run{i}", [])
            runs.append(r)
            print(f"run {i + 1}: {r['elapsed_s']:.2f} s elapsed (user {r['user_s']:.1f} s, system "
                  f"{r['system_s']:.1f} s; simulation {r['simulation_s']:.2f} s), "
                  f"peak {r['max_rss_mb']:,.0f} MB resident")
    best = min(r["elapsed_s"] for r in runs)
    sim = min(r["simulation_s"] for r in runs)
    peak = max(r["max_rss_mb"] for r in runs)
    print(f"\n{runs[0]['command']}")
    print(f"best of {a.repeat}: {best:.2f} s elapsed; peak memory {peak:,.0f} MB "
          f"(targets: <= 5 s, <= 2048 MB); best simulation time (manifest wall_time_s) {sim:.2f} s")
    out = {"machine": C.machine(), "runs": runs, "best_elapsed_s": best, "peak_rss_mb": peak}
    if a.profile:
        out["profile"] = profile(a.top)
    if a.json:
        Path(a.json).write_text(json.dumps(out, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
