"""The report of a big run written by a helper forked before the run (issue 8, item 2:
the national command within 5 s with its report). The helper writes the same files as
the report written in the run's own process; a helper that dies or fails costs only time
(the run writes its report itself); its warnings reach the caller; it ends with the
process that started it. Each case runs in a fresh interpreter, as the command does
(a single-threaded process that may fork)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the helper is forked on Linux only")

PRELUDE = """
import json, os, signal, threading, warnings
from pathlib import Path
import model
from model import kernels, report_ahead
sc = model.load("bench", ["demand.communities=20", "years=3"])
def simulate():
    res = model.run(sc, reps=3, seed=1, workers=1)
    kernels.release_threads()
    return res
"""


def python(script: str) -> list:
    out = subprocess.run([sys.executable, "-c", PRELUDE + script], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.splitlines()[-1])


def test_the_helper_writes_the_files_the_run_would_write(tmp_path):
    """Figures byte for byte, the workbook cell for cell, the page apart from nothing."""
    wrote, same_png, same_page, same_cells, files = python(f"""
ahead = report_ahead.start(sc)
assert ahead is not None
res = simulate()
a, b = Path({str(tmp_path / 'a')!r}), Path({str(tmp_path / 'b')!r})
a.mkdir(); b.mkdir()
wrote = ahead.write(res, sc, a)
from model import report
report.write_all(res, sc, b)
pngs = sorted(p.name for p in (b / "figures").glob("*.png"))
same_png = [(a / "figures" / n).read_bytes() == (b / "figures" / n).read_bytes() for n in pngs]
from openpyxl import load_workbook
def cells(p):
    return {{ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in load_workbook(p)}}
def names(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))
files = names(a) == names(b)
print(json.dumps([wrote, same_png, (a / "report.html").read_text() == (b / "report.html").read_text(),
                  cells(a / "budget.xlsx") == cells(b / "budget.xlsx"), files]))
""")
    assert wrote is True
    assert len(same_png) >= 4 and all(same_png)
    assert same_page and same_cells and files


def test_a_helper_that_dies_or_fails_leaves_the_report_to_the_run():
    """Killed before the results reach it, or failing to write them (here a bug in the
    report), the helper says no and the caller writes the report itself; a scenario other
    than the one it was started with is not sent at all."""
    died, failed, other, reaped = python("""
ahead = report_ahead.start(sc)
os.kill(ahead.pid, signal.SIGKILL)
res = simulate()
died = ahead.write(res, sc, "/nonexistent")
from model import report
report.write_all = lambda *a, **k: 1 / 0
ahead = report_ahead.start(sc)
failed = ahead.write(res, sc, "/nonexistent")
ahead = report_ahead.start(sc)
pid = ahead.pid
other = ahead.write(res, model.load("bench"), "/nonexistent")
try:
    os.kill(pid, 0)
    reaped = False
except ProcessLookupError:
    reaped = True
print(json.dumps([died, failed, other, reaped]))
""")
    assert (died, failed, other) == (False, False, False)
    assert reaped


def test_the_helpers_warnings_reach_the_caller(tmp_path):
    """A warning given while the helper writes (here the one for a missing Chinese font)
    is given again in the caller, with its class and the place that gave it: the
    warnings of the report written in the caller's own process."""
    caught = python(f"""
from model.report import fonts
def no_cjk(lang):
    warnings.warn("no CJK font here", fonts.MissingCJKFontWarning)
    return "en", None
fonts.figure_language = no_cjk
ahead = report_ahead.start(sc)
res = simulate()
with warnings.catch_warnings(record=True) as there:
    warnings.simplefilter("always")
    assert ahead.write(res, sc, {str(tmp_path / 'a')!r}, lang="zh")
from model import report
with warnings.catch_warnings(record=True) as here:
    warnings.simplefilter("always")
    report.write_all(res, sc, {str(tmp_path / 'b')!r}, lang="zh")
print(json.dumps([[[w.category.__name__, str(w.message), w.filename, w.lineno] for w in caught]
                  for caught in (there, here)]))
""")
    there, here = ({tuple(w) for w in ws} for ws in caught)  # a warning given again from one place shows once
    assert there == here
    assert {w[:2] for w in there} == {("MissingCJKFontWarning", "no CJK font here")}


def test_the_helper_ends_with_the_process_that_started_it(tmp_path):
    """A process that ends without closing its helper (killed, say) leaves none behind:
    the helper sees its end of the pipe close. (Its output goes to a file: a pipe would
    make the test wait for the helper itself.)"""
    log = tmp_path / "out.txt"
    with open(log, "w") as f:
        subprocess.run([sys.executable, "-c", PRELUDE + """
ahead = report_ahead.start(sc)
print(ahead.pid, flush=True)
os._exit(0)
"""], stdout=f, stderr=subprocess.STDOUT, check=True, timeout=120)
    pid = int(log.read_text().split()[-1])
    assert _gone(pid, 30), f"the helper {pid} outlived its parent by 30 s"


def test_closing_the_helper_ends_what_it_forked_to_draw():
    """Closed while it draws (the run stopped), the helper ends with the process it forked
    to draw the other half of the figures, so nothing writes into a folder the run has
    removed: no process of its group is left."""
    left = python("""
import time
from model.report import figures
draw = figures.draw
def slow(*args, **kwargs):
    time.sleep(0.4)
    return draw(*args, **kwargs)
figures.draw = slow
ahead = report_ahead.start(sc)
res = simulate()
pid = ahead.pid
import tempfile
folder = tempfile.mkdtemp()
done = []
worker = threading.Thread(target=lambda: done.append(ahead.write(res, sc, folder)))
worker.start()
deadline = time.monotonic() + 60
def members():
    found = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                with open(f"/proc/{p}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pid and fields[0] != "Z":
                found.append(int(p))
    return found
while len(members()) < 2 and time.monotonic() < deadline:  # the helper and its drawing child
    time.sleep(0.02)
assert len(members()) == 2, members()
ahead.close()
left = members()  # at once: close() returns when none of the group runs
worker.join(60)
files = os.listdir(folder)  # what the helper drew was removed: the run draws its own
time.sleep(1.0)
print(json.dumps([left, done, files, os.listdir(folder)]))
""")
    left, wrote, files, later = left
    assert left == [] and wrote == [False] and files == later == []


def test_a_failed_helpers_files_go_and_every_helper_ends_with_the_command(tmp_path):
    """A helper that fails after writing part of the report leaves nothing behind in the
    run's folder (the run writes its own report there); and a ``model run`` that fails
    after starting its helper ends it (report_ahead.close_all on the command's way out)."""
    stray, gone_pid, still_open = python(f"""
from pathlib import Path
from model import report
def half(results, scenario, folder, **kwargs):
    Path(folder, "half-written.txt").write_text("x")
    raise RuntimeError("a bug in the report")
report.write_all = half
folder = Path({str(tmp_path / 'run')!r})
folder.mkdir()
(folder / "summary.csv").write_text("tables")
ahead = report_ahead.start(sc)
res = simulate()
assert ahead.write(res, sc, folder) is False
stray = sorted(os.listdir(folder))
from model import cli, population, runner
population.ROWS_AHEAD = 100
started = []
real = report_ahead.start
def spy(s):
    a = real(s)
    started.append((a, a.pid))
    return a
report_ahead.start = spy
def fails(*args, **kwargs):
    raise model.UserError("the run failed")
runner.run = fails
code = cli.main(["run", "bench", "--set", "demand.communities=20", "--reps", "1", "--quiet",
                 "--out", {str(tmp_path / 'failed')!r}])
assert code == 2 and len(started) == 1 and started[0][1] is not None
print(json.dumps([stray, started[0][1], len(report_ahead._open)]))
""")
    assert stray == ["summary.csv"]
    assert still_open == 0 and _gone(gone_pid, 10)


def _gone(pid: int, seconds: float) -> bool:
    """Whether ``pid`` ends (or is a zombie waiting for its new parent) within ``seconds``."""
    import os
    import time
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if _zombie(pid):
            return True
        time.sleep(0.05)
    return False


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def test_model_run_uses_the_helper_for_a_big_run(tmp_path):
    """With the threshold lowered, ``model run`` forks the helper before the run, and the
    folder it commits holds the helper's report; with ``--no-report`` no helper is forked."""
    started, wrote, files, none_started = python(f"""
from model import population, cli
population.ROWS_AHEAD = 100
started, wrote = [], []
real_start, real_write = report_ahead.start, report_ahead.ReportAhead.write
report_ahead.start = lambda s: started.append(threading.active_count()) or real_start(s)
report_ahead.ReportAhead.write = lambda self, *a, **k: wrote.append(real_write(self, *a, **k)) or wrote[-1]
out = Path({str(tmp_path / 'run')!r})
code = cli.main(["run", "bench", "--set", "demand.communities=20", "--set", "years=3", "--reps", "2",
                 "--quiet", "--out", str(out)])
assert code == 0
files = sorted(str(p.relative_to(out)) for p in out.rglob("*.*"))
n = len(started)
code = cli.main(["run", "bench", "--set", "demand.communities=20", "--set", "years=3", "--reps", "2",
                 "--quiet", "--no-report", "--out", {str(tmp_path / 'tables')!r}])
assert code == 0
print(json.dumps([started, wrote, files, len(started) == n]))
""")
    assert started == [1]  # forked once, from a single-threaded process
    assert wrote == [True]
    assert {"report.html", "budget.xlsx", "summary.csv", "targets.csv", "manifest.json"} <= set(files)
    assert any(f.startswith("figures/") and f.endswith(".png") for f in files)
    assert none_started
