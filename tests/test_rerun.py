"""Reproducibility and manifests (issue 9, items 5 and 6).

The manifest of a run records the scenario file's hash, the resolved parameters, the
seed, the package version and the versions of numpy, scipy and simpy;
``python -m model rerun DIR/manifest.json`` reproduces summary.csv byte for byte, with
any number of worker processes. A manifest is data: a tampered one stops with exit
status 2 and cannot make the model write outside the output folder.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy
import pytest
import scipy
import simpy
from robust_helpers import BENCH, ROOT, call, check_error

import model
from model import cli

# bench, small, with an uncertain parameter so that parameter draws are reproduced too
SETS = ["--set", "demand.communities=50", "--set", "certification.pass_prob={dist='beta', mean=0.25, sd=0.05}"]


def run(out: Path, workers: int, reps: int = 6, seed: int = 11) -> Path:
    code, stdout, stderr = call(["run", BENCH, "--reps", reps, "--seed", seed, "--workers", workers, "--quiet",
                                 "--no-report", "--out", out, *SETS])
    assert (code, stderr) == (0, ""), stderr
    return out / "manifest.json"


def test_manifest_records_what_was_run(tmp_path):
    m = json.loads(run(tmp_path / "out", workers=1).read_text(encoding="utf-8"))
    sc = model.load(BENCH, [SETS[1], SETS[3]])
    digest = hashlib.sha256(BENCH.read_bytes()).hexdigest()           # what `sha256sum bench.toml` prints
    assert m["scenario_file_hash"] == digest
    assert m["scenario_files"] == [{"path": str(BENCH), "sha256": digest}]
    assert m["scenario_hash"] == sc.hash
    assert m["resolved_parameters"] == json.loads(json.dumps(sc.resolved(), default=str))
    assert m["resolved_parameters"]["certification"]["pass_prob"] == {"dist": "beta", "mean": 0.25, "sd": 0.05}
    assert m["scenario_raw"]["demand"]["communities"] == 50                # overrides are part of what ran
    assert (m["seed"], m["reps"]) == (11, 6)
    assert m["package_version"] == model.__version__
    assert (m["versions"]["numpy"], m["versions"]["scipy"], m["versions"]["simpy"]) == (
        numpy.__version__, scipy.__version__, simpy.__version__)


def test_the_manifest_says_whether_the_compiled_kernels_ran(monkeypatch, tmp_path):
    """The numpy code adds money in another order than the compiled kernels (the same to
    about 1e-11), so a rerun on the other path differs in the last digits: the versions
    record numba's version, or "off", and rerun names the difference."""
    from importlib.metadata import version

    from model import kernels
    if kernels.ENABLED:
        assert cli.versions()["numba"] == version("numba")
    manifest = run(tmp_path / "first", workers=1, reps=2)
    m = json.loads(manifest.read_text())
    m["versions"]["numba"] = "0.0.1" if m["versions"]["numba"] == "off" else "off"
    manifest.write_text(json.dumps(m))
    _, _, stderr = call(["rerun", manifest, "--workers", 1, "--quiet", "--out", tmp_path / "again"])
    assert f"numba {m['versions']['numba']} -> {cli.versions()['numba']}" in stderr
    monkeypatch.setattr(kernels, "ENABLED", False)
    assert cli.versions()["numba"] == "off"


@pytest.mark.parametrize("first, second", [(1, 2), (2, 1)])
def test_rerun_reproduces_summary_byte_for_byte(tmp_path, first, second):
    manifest = run(tmp_path / "first", workers=first)
    code, stdout, stderr = call(["rerun", manifest, "--workers", second, "--quiet", "--out", tmp_path / "again"])
    assert (code, stderr) == (0, ""), stderr
    assert f"summary.csv identical to {tmp_path / 'first' / 'summary.csv'}: yes" in stdout
    for f in ("summary.csv", "targets.csv"):
        assert (tmp_path / "again" / f).read_bytes() == (tmp_path / "first" / f).read_bytes()
    again = json.loads((tmp_path / "again" / "manifest.json").read_text())
    original = json.loads(manifest.read_text())
    assert again["rerun_of"] == str(manifest.resolve())
    assert again["scenario_file_hash"] == original["scenario_file_hash"]
    assert again["scenario_hash"] == original["scenario_hash"]


def test_rerun_says_when_summary_differs(tmp_path):
    """The comparison can fail: an edited summary.csv is reported, with exit status 1."""
    manifest = run(tmp_path / "first", workers=1, reps=2)
    s = tmp_path / "first" / "summary.csv"
    s.write_bytes(s.read_bytes().replace(b"bench,2025,headcount,", b"bench,2025,headcount,1"))
    code, stdout, stderr = call(["rerun", manifest, "--quiet", "--out", tmp_path / "again"])
    assert code == 1 and "summary.csv identical to" in stdout and ": NO\n" in stdout
    assert "targets.csv identical to" in stdout  # the other tables are checked too


def test_rerun_as_a_user_types_it(tmp_path):
    manifest = run(tmp_path / "first", workers=1, reps=3)
    p = subprocess.run([sys.executable, "-m", "model", "rerun", str(manifest), "--out", str(tmp_path / "again")],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert "summary.csv identical to" in p.stdout and p.stdout.rstrip().endswith("yes")


# --------------------------------------------------------------------------- tampered manifests

def _tamper(tmp_path: Path, change) -> Path:
    src = run(tmp_path / "first", workers=1, reps=2)
    m = json.loads(src.read_text())
    change(m)
    f = tmp_path / "tampered" / "manifest.json"
    f.parent.mkdir()
    f.write_text(json.dumps(m) if not isinstance(m, str) else m)
    return f


def _set_raw(key, value):
    def change(m):
        m["scenario_raw"][key] = value
    return change


@pytest.mark.parametrize("change, field, words", [
    (_set_raw("name", "../../etc"), "name", "cannot name an output folder"),
    (_set_raw("name", "/tmp/elsewhere"), "name", "cannot name an output folder"),
    (_set_raw("name", "..\\..\\windows"), "name", "cannot name an output folder"),
    (_set_raw("extends", "/etc/passwd"), "extends", "only a scenario file may extend another"),
    (_set_raw("__class__", "os.system"), "__class__", "unknown key"),
    (_set_raw("years", "__import__('os').system('touch PWNED')"), "years", "expected a whole number"),
    (lambda m: m.update(seed=-1), "seed", "expected a whole number from 0 to "),
    (lambda m: m.update(seed="7"), "seed", "expected a whole number"),
    (lambda m: m.update(reps=0), "reps", "expected a whole number from 1 to "),
    (lambda m: m.update(reps=True), "reps", "expected a whole number"),
    (lambda m: m.update(scenario_raw=["a"]), "scenario_raw", "expected the scenario's fields"),
    (lambda m: m.pop("scenario_raw"), None, "no scenario_raw"),
])
def test_tampered_manifest_stops_and_writes_nothing(tmp_path, change, field, words):
    f = _tamper(tmp_path, change)
    before = sorted(p for p in tmp_path.rglob("*"))
    outputs_before = sorted(cli.OUTPUTS.iterdir())
    code, stdout, stderr = call(["rerun", f, "--quiet"])   # default output folder: outputs/<name>-rerun
    m = check_error(code, stdout, stderr, {f: f.read_bytes()})
    assert m.group("field") == field and words in m.group("msg")
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert sorted(cli.OUTPUTS.iterdir()) == outputs_before
    assert not Path("PWNED").exists() and not (ROOT / "PWNED").exists()


@pytest.mark.parametrize("content", ["", "not json", "[1, 2]", "{\"a\": 1}", "[" * 100_000, "\udcff"])
def test_not_a_manifest(tmp_path, content):
    f = tmp_path / "manifest.json"
    f.write_bytes(content.encode("utf-8", "surrogateescape"))
    code, stdout, stderr = call(["rerun", f])
    check_error(code, stdout, stderr, {f: f.read_bytes()})
    assert sorted(tmp_path.iterdir()) == [f]


def test_missing_manifest_or_folder(tmp_path):
    for f in (tmp_path / "nope.json", tmp_path):
        code, stdout, stderr = call(["rerun", f])
        m = check_error(code, stdout, stderr, {f: b""})
        assert m.group("where") == str(f)


def test_a_manifest_writes_only_into_the_folder_given(tmp_path):
    """Paths recorded in a manifest (scenario file, rerun_of) are never written to or read."""
    def change(m):
        m["scenario_file"] = str(tmp_path / "victim.toml")
        m["rerun_of"] = str(tmp_path / "victim2")
        m["scenario_files"] = [{"path": "/etc/passwd", "sha256": "0"}]
    f = _tamper(tmp_path, change)
    before = set(tmp_path.rglob("*"))
    code, stdout, stderr = call(["rerun", f, "--quiet", "--out", tmp_path / "given"])
    assert code in (0, 1), stderr
    new = set(tmp_path.rglob("*")) - before
    assert new and all(p.is_relative_to(tmp_path / "given") for p in new)


def test_rerun_into_the_manifests_own_folder_compares_with_what_was_there(tmp_path):
    manifest = run(tmp_path / "first", workers=1, reps=2)
    s = tmp_path / "first" / "summary.csv"
    s.write_bytes(s.read_bytes().replace(b"bench,2025,headcount,", b"bench,2025,headcount,1"))
    code, stdout, stderr = call(["rerun", manifest, "--quiet", "--out", tmp_path / "first"])
    assert code == 1 and "summary.csv identical to" in stdout and ": NO\n" in stdout  # with the edited file


def test_rerun_keeps_a_runs_report_and_says_when_there_is_nothing_to_compare(tmp_path):
    """Re-running into the run's own folder when it holds a report is refused (the re-run
    writes tables only and replaces the folder: report.html, budget.xlsx and figures were
    lost); a manifest with no tables beside it is re-run and the output says nothing was
    compared, with exit status 1 (it said nothing and exited 0 as if checked)."""
    out = tmp_path / "withreport"
    assert call(["run", BENCH, "--reps", "2", "--quiet", "--out", out, *SETS])[0] == 0
    code, _, err = call(["rerun", out / "manifest.json", "--quiet", "--out", out])
    assert code == 2 and "'--out'" in err and "report.html" in err and (out / "report.html").is_file()
    alone = tmp_path / "alone"
    alone.mkdir()
    (alone / "manifest.json").write_bytes((out / "manifest.json").read_bytes())
    code, stdout, _ = call(["rerun", alone / "manifest.json", "--quiet", "--out", tmp_path / "again"])
    assert code == 1 and "nothing to compare" in stdout


def test_a_run_over_a_horizon_cut_short_reruns(tmp_path):
    """A review: ``run changzhou-2022 --set years=2`` ran, but its rerun rebuilt the scenario
    from the merged data, where years = 2 looked like the file's own, and refused the
    schedules' later points; the manifest keeps the files' own horizon for the rerun."""
    code, _, stderr = call(["run", "changzhou-2022", "--set", "years=2", "--reps", 2, "--workers", 1,
                            "--quiet", "--no-report", "--out", tmp_path / "first"])
    assert code == 0, stderr
    manifest = tmp_path / "first" / "manifest.json"
    assert json.loads(manifest.read_text())["scenario_horizon_written"] == [2022, 9]
    code, stdout, stderr = call(["rerun", manifest, "--quiet", "--out", tmp_path / "again"])
    assert code == 0, stderr
    assert "summary.csv identical to" in stdout and ": NO" not in stdout
