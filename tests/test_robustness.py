"""Bad scenario files never crash the model (issue 9, item 1).

Property: a scenario file made by breaking a valid one (deleting keys, lines or bytes;
wrong types; negative counts; shares outside [0, 1]; schedules outside the horizon or
not increasing; unknown keys at every level; ``extends`` cycles and missing parents;
non-UTF-8 bytes; empty files; huge numbers; NaN and infinity; bad ``--set`` values) is
either valid, and then validates and runs, or it ends with exit status 2 and one line
naming the file and the field path (and the line, where the field is written in the
file), never a traceback, and nothing written to the output folder.

Cases run in-process through ``model.cli.main``. CI runs a few hundred, derandomized (so
CI is repeatable); ``ROBUSTNESS_EXAMPLES=5000 pytest tests/test_robustness.py`` runs more
of each kind, with fresh random cases each time.
"""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import numpy as np
import pytest
from conftest import starting_workforce
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context
from robust_helpers import BENCH, ROOT, call, check_error, dumps

import model
from model import outputs
from model.population import age_on_1_january

N = int(os.environ.get("ROBUSTNESS_EXAMPLES", "0"))


def cases(default: int):
    """Hypothesis settings: ``default`` examples in CI (derandomized), N with the env var."""
    return settings(max_examples=N or default, deadline=None, derandomize=not N, database=None,
                    suppress_health_check=list(HealthCheck))


# --------------------------------------------------------------------------- valid bases

BENCH_DATA = tomllib.loads(BENCH.read_text(encoding="utf-8"))


def _small(d: dict) -> dict:
    d = copy.deepcopy(d)
    d["demand"]["communities"] = 20
    d["years"] = 5
    return d


PLAIN = _small(BENCH_DATA)

RICH = _small(BENCH_DATA)
"""Bench with every structure a file can hold: districts, targets, schedules, uncertain values."""
RICH["districts"] = [{"name": "gulou", "communities": 12, "urban": True, "households_scale": 1.2},
                     {"name": "jiangning", "communities": 8, "urban": False, "floor_share": 0.7}]
RICH["targets"] = [
    {"name": "certified", "metric": "certified_share", "year": 2028, "op": ">=", "threshold": 0.6,
     "source": "test"},
    {"name": "urban_headcount", "metric": "headcount", "scope": "urban", "year": 2029, "threshold": 100},
]
RICH["quits"].update(rate={"2025": [0.10], "2027": [0.06]}, death_rate=0.002)
RICH["pay"].update(growth={"2025": 0.03, "2029": 0.05, "interp": "linear"}, floor_share=[0.7, 0.8, 1.0])
RICH["economy"] = {"average_wage": 90000.0, "average_wage_growth": {"dist": "normal", "mean": 0.05, "sd": 0.01}}
RICH["certification"]["pass_prob"] = {"dist": "beta", "mean": 0.25, "sd": 0.05}
RICH["population"].update(heads_per_community=1, committee_per_community=2)
RICH["elections"] = {"enabled": True, "years": [2026]}
RICH["service_terms"] = {"enabled": True, "term_end_years": [2027], "nonrenewal_prob": 0.05}
RICH["recruitment"].update(max_age={"2025": 40, "2027": 35}, certificate_required_from=2027)
BASES = {"plain": PLAIN, "rich": RICH}


def test_bases_are_valid_and_roundtrip(tmp_path):
    """The writer used by the property tests gives back the same data, and both bases run."""
    for name, d in BASES.items():
        text = dumps(d)
        assert tomllib.loads(text) == d
        f = tmp_path / f"{name}.toml"
        f.write_text(text, encoding="utf-8")
        code, out, err = call(["run", f, "--reps", "2", "--seed", "1", "--out", tmp_path / name,
                               "--quiet", "--no-report"])
        assert (code, err) == (0, ""), err
        assert (tmp_path / name / "summary.csv").is_file()


# --------------------------------------------------------------------------- the property

def event(text: str) -> None:
    """Count outcomes (``--hypothesis-show-statistics``) when inside a hypothesis test."""
    if currently_in_test_context():
        import hypothesis
        hypothesis.event(text)


def _runnable(sc) -> bool:
    """Small enough to run in a test (a valid mutation may ask for millions of posts)."""
    from model.semantics import _max
    d, rec = sc.demand, sc.recruitment
    return (sc.years <= 30 and d.rule == "fixed" and d.communities <= 500
            and _max(d.posts_per_community) <= 100 and _max(d.min_posts) <= 100
            and sc.population.headcount <= 20_000 and _max(rec.extra_hires) <= 20_000)


def check_case(files: dict[str, bytes], main: str, extra: tuple = ()) -> None:
    """Either valid (validates, and runs when small) or the bad-input rule."""
    with tempfile.TemporaryDirectory() as d:
        d = Path(d)
        paths = {}
        for name, data in files.items():
            p = d / name
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
            paths[p] = data
        before = sorted(p.relative_to(d) for p in d.rglob("*"))
        out = d / "out"
        run = ["run", d / main, "--reps", "1", "--seed", "3", "--out", out, "--quiet", "--no-report", *extra]
        code, stdout, stderr = call(["validate", d / main, *extra])
        if code == 0:
            assert stderr == "" and "valid" in stdout
            import model
            sc = model.load(d / main, [e for e in extra if e != "--set"])
            event("valid")
            if _runnable(sc):
                # the engine (writing a run's folder is tested elsewhere; it takes longer)
                res = model.run(sc, reps=1, seed=3)
                assert res.values.shape == (1, sc.years, len(res.metrics))
            return
        m = check_error(code, stdout, stderr, paths)
        event("exit 2: " + ("line " if m.group("line") else "") + (f"field {m.group('field').split('.')[0]}"
                                                                    if m.group("field") else "no field"))
        code2, stdout2, stderr2 = call(run)
        check_error(code2, stdout2, stderr2, paths)
        if not (m.group("where") or "").startswith("python -m model"):  # argparse names the command
            assert stderr2 == stderr, "run and validate disagree"
        assert not out.exists()
        assert sorted(p.relative_to(d) for p in d.rglob("*")) == before, "something was written"
        return m


# --------------------------------------------------------------------------- strategies

TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
KEYS = st.one_of(st.sampled_from(["bogus", "rate", "dist", "interp", "2030", "name", "extends", "Name",
                                  "rule ", "years", "metric"]), TEXT.filter(bool))
SCALARS = st.one_of(
    st.booleans(),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(-(10**30), 10**30),
    st.sampled_from([0, -1, -10, 1, 2, 1e308, -1e308, 1e-320, 2**63, 10**400, float("nan"), float("inf"),
                     float("-inf"), 1.5, -0.5, 0.999999, 1.000001, 2025, 1899, 2200, 9999]),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
    st.sampled_from(["fixed", "households", "step", "linear", "beta", ">=", "", "2025", "nan", "headcount"]),
    st.datetimes(), st.dates(), st.times(),
)
WEIRD = st.recursive(SCALARS, lambda ch: st.lists(ch, max_size=5) | st.dictionaries(KEYS, ch, max_size=4),
                     max_leaves=10)
YEARS = st.integers(1900, 2200) | st.sampled_from([2024, 2025, 2026, 2029, 2030])
SCHEDULE = st.dictionaries(YEARS.map(str) | st.sampled_from(["interp", "25", "２０２６", "x"]),
                           SCALARS | st.lists(SCALARS, max_size=5), max_size=4)
UNCERTAIN = st.fixed_dictionaries(
    {"dist": st.sampled_from(["normal", "lognormal", "beta", "gamma", "uniform", "triangular", "cauchy"])
     | SCALARS},
    optional={"mean": SCALARS, "sd": SCALARS, "low": SCALARS, "high": SCALARS, "mode": SCALARS,
              "bogus": SCALARS})


def _paths(d, prefix=()):
    """Every node's path in nested dicts and lists."""
    out = [prefix]
    if isinstance(d, dict):
        for k, v in d.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(d, list):
        for i, v in enumerate(d):
            out += _paths(v, prefix + (i,))
    return out


def _get(d, path):
    for k in path:
        d = d[k]
    return d


@st.composite
def mutated(draw):
    """A base scenario with one to three mutations of its data."""
    d = copy.deepcopy(BASES[draw(st.sampled_from(sorted(BASES)))])
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(d)
        path = draw(st.sampled_from(paths))
        kind = draw(st.sampled_from(["delete", "replace", "unknown", "number", "schedule", "uncertain",
                                     "negate"]))
        node = _get(d, path)
        if kind == "unknown":
            dicts = [p for p in paths if isinstance(_get(d, p), dict)]
            where = _get(d, draw(st.sampled_from(dicts)))
            where[draw(KEYS)] = draw(WEIRD)
            continue
        if not path:
            continue
        parent, key = _get(d, path[:-1]), path[-1]
        if kind == "delete":
            del parent[key]
        elif kind == "replace":
            parent[key] = draw(WEIRD)
        elif kind == "number":
            parent[key] = draw(SCALARS)
        elif kind == "schedule":
            parent[key] = draw(SCHEDULE)
        elif kind == "uncertain":
            parent[key] = draw(UNCERTAIN)
        elif kind == "negate" and isinstance(node, (int, float)) and not isinstance(node, bool):
            parent[key] = draw(st.sampled_from([-node, -1, node + 1, node * 1e6, node - 1]))
    return d


@given(mutated())
@cases(250)
def test_mutated_scenarios(d):
    check_case({"case.toml": dumps(d).encode("utf-8")}, "case.toml")


@st.composite
def broken_text(draw):
    """Bench's own text (with its comments) broken at the level of lines, characters and bytes."""
    data = BENCH.read_bytes().replace(b"communities = 1000", b"communities = 20")
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["lines", "span", "bytes", "truncate", "empty", "duplicate", "bom",
                                     "char"]))
        lines = data.split(b"\n")
        if kind == "lines":
            i = draw(st.integers(0, max(len(lines) - 1, 0)))
            del lines[i:i + draw(st.integers(1, 5))]
            data = b"\n".join(lines)
        elif kind == "span":
            i = draw(st.integers(0, len(data)))
            data = data[:i] + data[i + draw(st.integers(1, 40)):]
        elif kind == "bytes":
            i = draw(st.integers(0, len(data)))
            data = data[:i] + draw(st.binary(min_size=1, max_size=6)) + data[i:]
        elif kind == "truncate":
            data = data[:draw(st.integers(0, len(data)))]
        elif kind == "empty":
            data = draw(st.sampled_from([b"", b" ", b"\n\n", b"\t \r\n", b"# only a comment\n", b"\xef\xbb\xbf"]))
        elif kind == "duplicate" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(draw(st.integers(0, len(lines))), lines[i])
            data = b"\n".join(lines)
        elif kind == "bom":
            data = b"\xef\xbb\xbf" + data
        elif kind == "char" and data:
            i = draw(st.integers(0, len(data) - 1))
            ch = draw(st.sampled_from([b"[", b"]", b"=", b'"', b"'", b"{", b"}", b"#", b".", b"\x00", b"\\",
                                       b"\n", b"-", b"1", b"e"]))
            data = data[:i] + ch + data[i + 1:]
    return data


@given(broken_text())
@cases(200)
def test_broken_text(data):
    check_case({"case.toml": data}, "case.toml")


@st.composite
def chains(draw):
    """Files that extend one another: cycles, missing or broken parents, odd extends values."""
    child = copy.deepcopy(BASES[draw(st.sampled_from(sorted(BASES)))])
    for k in draw(st.lists(st.sampled_from(["run", "calendar", "quits", "pay", "name"]), max_size=3)):
        child.pop(k, None)
    parent = copy.deepcopy(PLAIN)
    kind = draw(st.sampled_from(["self", "cycle2", "cycle3", "missing", "badtype", "folder", "parent_bad",
                                 "ok", "deep_ok", "absolute_missing", "nul"]))
    files = {}
    if kind == "self":
        child["extends"] = "case.toml"
    elif kind == "cycle2":
        child["extends"] = "base/parent.toml"
        parent["extends"] = "../case.toml"
    elif kind == "cycle3":
        child["extends"] = "a.toml"
        files["a.toml"] = dumps({"extends": "sub/b.toml", **PLAIN}).encode()
        files["sub/b.toml"] = dumps({"extends": "../a.toml"}).encode()
    elif kind == "missing":
        child["extends"] = draw(st.sampled_from(["nope.toml", "base/nope.toml", "../../nope.toml", " "]))
    elif kind == "badtype":
        child["extends"] = draw(WEIRD.filter(lambda v: not isinstance(v, str)))
    elif kind == "folder":
        child["extends"] = "base"
        files["base/x.toml"] = b"years = 1\n"
    elif kind == "parent_bad":
        child["extends"] = "base/parent.toml"
        parent = draw(mutated())
    elif kind == "ok":
        child["extends"] = "base/parent.toml"
    elif kind == "deep_ok":
        child["extends"] = "base/parent.toml"
        parent = {"extends": "deeper/grand.toml", "description": "middle"}
        files["base/deeper/grand.toml"] = dumps(PLAIN).encode()
    elif kind == "absolute_missing":
        child["extends"] = "/nonexistent/dir/base.toml"
    elif kind == "nul":
        child["extends"] = "base\x00.toml"
    if draw(st.booleans()):
        paths = [p for p in _paths(child) if p and p != ("extends",)]
        p = draw(st.sampled_from(paths))
        _get(child, p[:-1])[p[-1]] = draw(WEIRD)
    files.setdefault("base/parent.toml", dumps(parent).encode())
    files["case.toml"] = dumps(child).encode()
    return files


@given(chains())
@cases(120)
def test_extends_chains(files):
    check_case(files, "case.toml")


SET_KEYS = st.sampled_from(["demand.communities", "recruitment.max_age", "quits.rate", "pay.monthly",
                            "population.education", "certification.pass_prob", "name", "years", "start_year",
                            "extends", "demand", "demand.nope", "nope.communities", "run.reps", "", ".",
                            "elections.years", "retirement.rule", "pay.growth"]) | TEXT
SET_VALUES = st.sampled_from(["50", "abc", "-1", "1e400", "nan", "inf", "[0.1]", "[1, 2, 3]", "{2025 = 0.1}",
                              "{dist = 'beta', mean = 0.3, sd = 0.05}", "true", "", "2025-01-01", "[[1]]",
                              "0.5", "\"x\"", "{", "1 2", "10000000000000000000000"]) | TEXT


@given(st.lists(st.tuples(SET_KEYS, SET_VALUES), min_size=1, max_size=3), st.booleans())
@cases(120)
def test_set_options(pairs, broken_section):
    d = copy.deepcopy(PLAIN)
    if broken_section:
        d["quits"] = 5  # a broken section that an override may reach into
    extra = []
    for k, v in pairs:
        extra += ["--set", f"{k}={v}"]
    check_case({"case.toml": dumps(d).encode()}, "case.toml", tuple(extra))


def test_set_without_equals_sign(tmp_path):
    f = tmp_path / "case.toml"
    f.write_text(dumps(PLAIN), encoding="utf-8")
    m = check_case({"case.toml": dumps(PLAIN).encode()}, "case.toml", ("--set", "demand.communities"))
    assert m.group("where") == "--set"


# --------------------------------------------------------------------------- specific inputs

@pytest.mark.parametrize("text, field", [
    ("start_year = 2025\nyears = 1e999", "years"),
    ("start_year = 2025\nyears = nan", "years"),
    ("start_year = 2025\nyears = 99999999999999999999999", "years"),
    ("start_year = 2025\nyears = " + "9" * 5000, "years"),  # read, then out of range
    ("start_year = 2025\nyears = " + "9" * 100_001, "years"),  # too long to read: named all the same
    ("start_year = 2025\nyears = " + "[" * 3000 + "]" * 3000, None),
    ('start_year = 2025\nyears = 5\n[demand]\ncommunities = 20\n[quits]\nrate = {2025 = [0.1], 2024 = [0.2]}',
     "quits.rate.2024"),
    ('start_year = 2025\nyears = 5\n[demand]\ncommunities = 20\n[quits]\nrate = {2026 = [0.1], 2025 = [0.2]}',
     "quits.rate.2025"),
    (('start_year = 2025\nyears = 5\n[demand]\ncommunities = 20\n[certification]\n'
     'pass_prob = {dist = "lognormal", mean = 1e-300, sd = 1e300}'), "certification.pass_prob"),
    (('start_year = 2025\nyears = 5\n[demand]\ncommunities = 20\n[certification]\n'
     'pass_prob = {dist = "beta", mean = 0.5, sd = 1e200}'), "certification.pass_prob"),
    (('start_year = 2025\nyears = 5\n[demand]\ncommunities = 20\n[certification]\n'
     'pass_prob = {dist = "gamma", mean = 1e300, sd = 1e-300}'), "certification.pass_prob"),
    ('start_year = 2025\nyears = 5\n[demand]\ncommunities = 20\n[population]\nage = [[20, 30, 1e308], [30, 40, 1e308]]',
     "population.age[0]"),
    ('start_year = 2025\nyears = 5\n[demand]\ncommunities = -3', "demand.communities"),
    ('start_year = 2025\nyears = 5\n[demand]\ncommunities = 20\n[assessment]\nshares = [0.5, 0.5, 0.5, -0.5]',
     "assessment.shares[3]"),
    ('start_year = 2025\nyears = 5\nyears = 6\n[demand]\ncommunities = 20', "years"),
    ('start_year = 2025\nyears = 5\n[demand]\ncommunities = 20\n[demand]\nrule = "fixed"', "demand"),
])
def test_specific_bad_inputs(tmp_path, text, field):
    """Inputs that once crashed the reader: giant integers, deep nesting, extreme distributions."""
    m = check_case({"case.toml": text.encode()}, "case.toml")
    assert m.group("field") == field


def test_bom_is_accepted(tmp_path):
    """Files saved by Windows editors start with a byte-order mark; they are still UTF-8 TOML."""
    f = tmp_path / "bom.toml"
    f.write_bytes(b"\xef\xbb\xbf" + BENCH.read_bytes())
    code, out, err = call(["validate", f])
    assert (code, err) == (0, "")


def test_non_utf8_names_file_and_line(tmp_path):
    data = BENCH.read_bytes().replace(b'description = "', b'description = "\xb3\xa3\xd6\xdd ')  # GBK 常州
    m = check_case({"gbk.toml": data}, "gbk.toml")
    assert m.group("line") == "4" and "UTF-8" in m.group("msg")


# --------------------------------------------------------------------------- real processes

SUBPROCESS_CASES = {
    "syntax": (b"start_year = 2025\nyears = = 5\n", "2"),
    "non_utf8": (b"start_year = 2025\nname = \"\xff\xfe\"\n", "2"),
    "cycle": (b'extends = "case.toml"\n', "extends"),
}


@pytest.mark.parametrize("kind", sorted(SUBPROCESS_CASES))
def test_bad_input_in_a_real_process(tmp_path, kind):
    """As a user sees it: ``python -m model run BAD.toml`` prints one line, exits 2, writes nothing."""
    data, expect = SUBPROCESS_CASES[kind]
    f = tmp_path / "case.toml"
    f.write_bytes(data)
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, "-m", "model", "run", str(f), "--out", str(out), "--reps", "1"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    m = check_error(p.returncode, p.stdout, p.stderr, {f: data})
    assert expect in (m.group("field") or "") + (m.group("line") or "")
    assert not out.exists()
    assert sorted(x.name for x in tmp_path.iterdir()) == ["case.toml"]


# --------------------------------------------------------------------------- atomic outputs (item 4)


SMALL = ["--set", "demand.communities=50"]
VOLATILE = ("created", "wall_time_s", "command", "workers")


def snapshot(folder: Path) -> dict | None:
    """A folder's files and bytes (manifest without its timing fields); None if it does not exist."""
    if not folder.exists():
        return None
    snap = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            data = p.read_bytes()
            if p.name == "manifest.json":
                m = json.loads(data)
                data = json.dumps({k: v for k, v in m.items() if k not in VOLATILE}, sort_keys=True).encode()
            snap[str(p.relative_to(folder))] = data
    return snap


def leftovers(parent: Path, name: str) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(f".{name}."))


def test_commit_restores_the_old_output_if_the_final_rename_fails(tmp_path, monkeypatch):
    out = tmp_path / "out"
    with outputs.atomic_folder(out) as tmp:
        (tmp / "manifest.json").write_text("{}")
        (tmp / "summary.csv").write_text("old")
    real, calls = os.rename, []

    def flaky(src, dst):
        calls.append((Path(src).name, Path(dst).name))
        if len(calls) == 2:  # out -> aside succeeded; tmp -> out fails
            raise OSError(5, "Input/output error")
        return real(src, dst)
    monkeypatch.setattr(outputs.os, "rename", flaky)
    with pytest.raises(OSError):
        with outputs.atomic_folder(out) as tmp:
            (tmp / "summary.csv").write_text("new")
    assert calls[0][0] == "out" and calls[1][1] == "out"
    assert (out / "summary.csv").read_text() == "old"
    assert leftovers(tmp_path, "out") == []


def test_a_signal_during_the_commit_waits_until_the_output_is_complete(tmp_path, monkeypatch):
    """SIGINT arriving between the two renames is held back: the new output is complete when
    the interrupt lands, and it is recorded as written."""
    out = tmp_path / "out"
    with outputs.atomic_folder(out) as tmp:
        (tmp / "summary.csv").write_text("old")
    real = os.rename

    def rename_then_interrupt(src, dst):
        r = real(src, dst)
        if Path(dst).name.startswith(".out.old-"):
            os.kill(os.getpid(), signal.SIGINT)  # lands between the two renames
        return r
    monkeypatch.setattr(outputs.os, "rename", rename_then_interrupt)
    outputs.reset()
    with pytest.raises(KeyboardInterrupt):
        with outputs.atomic_folder(out) as tmp:
            (tmp / "summary.csv").write_text("new")
    assert (out / "summary.csv").read_text() == "new"
    assert outputs.committed() == [out.resolve()]
    assert leftovers(tmp_path, "out") == []


def test_failure_while_writing_leaves_the_previous_output(tmp_path):
    out = tmp_path / "out"
    with outputs.atomic_folder(out) as tmp:
        (tmp / "summary.csv").write_text("old")
    with pytest.raises(KeyboardInterrupt):
        with outputs.atomic_folder(out) as tmp:
            (tmp / "summary.csv").write_text("half")
            raise KeyboardInterrupt
    assert (out / "summary.csv").read_text() == "old" and leftovers(tmp_path, "out") == []


def _dead_pid() -> int:
    pid = 4_000_000
    while outputs._alive(pid):
        pid += 1
    return pid


def test_leftovers_of_a_killed_process_are_cleaned_and_its_old_output_put_back(tmp_path):
    """After SIGKILL between the renames: the old output sits aside and a temp folder remains."""
    pid = _dead_pid()
    aside = tmp_path / f".out.old-{pid}-0a0b0c0d"
    aside.mkdir()
    (aside / "summary.csv").write_text("previous")
    (aside / "manifest.json").write_text("{}")
    (aside / outputs.MARKER).write_text("")  # as every output folder the model writes
    (tmp_path / f".out.tmp-{pid}-01020304").mkdir()
    alive = tmp_path / f".out.tmp-{os.getpid()}-01020304"  # a live process's: left alone
    alive.mkdir()
    with pytest.raises(RuntimeError):
        with outputs.atomic_folder(tmp_path / "out"):
            assert (tmp_path / "out" / "summary.csv").read_text() == "previous"
            raise RuntimeError("stop before writing")
    assert (tmp_path / "out" / "summary.csv").read_text() == "previous"
    assert leftovers(tmp_path, "out") == [alive.name]


def test_ctrl_c_message_says_what_was_written(tmp_path, monkeypatch):
    import model.runner
    from model import cli

    def interrupted(*a, **kw):
        raise KeyboardInterrupt
    monkeypatch.setattr(model.runner, "run", interrupted)
    out = tmp_path / "out"
    code, stdout, stderr = call(["run", BENCH, "--reps", "2", "--out", out, "--quiet", *SMALL])
    assert code == 130 and not out.exists()
    assert stderr == "interrupted (Ctrl-C): no output was written; any earlier output folder is unchanged\n"
    monkeypatch.undo()
    monkeypatch.setattr(cli, "_print_forecast", interrupted)  # after the folder is complete
    code, stdout, stderr = call(["run", BENCH, "--reps", "2", "--out", out, "--quiet", "--no-report", *SMALL])
    assert code == 130 and (out / "summary.csv").is_file()
    assert stderr.startswith("interrupted (Ctrl-C) after the output was complete: ")


def test_a_signal_wrapped_by_the_code_it_interrupted_is_still_an_interruption(tmp_path, monkeypatch):
    """A signal's exception raised inside an import can reach the command line wrapped (a
    class body's ``__set_name__`` turns it into a RuntimeError, as matplotlib's did when
    SIGINT came while the report imported it): still one line and 128 + signal, nothing
    written. A RuntimeError with no signal behind it is not mistaken for one."""
    import model.runner
    from model.outputs import Interrupted

    def wrapped(*a, **kw):
        try:
            raise Interrupted(signal.SIGTERM)
        except Interrupted as e:
            raise RuntimeError("Error calling __set_name__") from e
    monkeypatch.setattr(model.runner, "run", wrapped)
    out = tmp_path / "out"
    code, stdout, stderr = call(["run", BENCH, "--reps", "2", "--out", out, "--quiet", *SMALL])
    assert code == 128 + signal.SIGTERM and not out.exists()
    assert stderr.count("\n") == 1 and stderr.startswith("interrupted (signal SIGTERM)")

    from model.cli import _interruption_in
    try:
        try:
            raise Interrupted(signal.SIGINT)
        except Interrupted:
            raise RuntimeError("chosen instead") from None  # the signal deliberately set aside
    except RuntimeError as e:
        assert _interruption_in(e) is None

    def broken(*a, **kw):
        raise RuntimeError("a bug, not a signal")
    monkeypatch.setattr(model.runner, "run", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        call(["run", BENCH, "--reps", "2", "--out", out, "--quiet", *SMALL])
    assert not out.exists()


def test_a_signal_replaced_by_the_code_it_interrupted_is_still_an_interruption(tmp_path, monkeypatch):
    """A compiled module whose import a signal interrupts raises an ImportError of its own
    and drops the signal's exception (pandas' parsers did, when SIGINT came while a run
    first imported pandas). The signal did arrive: still one line and 128 + signal, nothing
    written."""
    import model.runner

    def replaced(*a, **kw):
        try:
            signal.raise_signal(signal.SIGINT)  # the command's own handler runs here
        except KeyboardInterrupt:
            pass
        raise ImportError("pd_parser.c could not import module pandas")  # no cause, no context
    monkeypatch.setattr(model.runner, "run", replaced)
    out = tmp_path / "out"
    code, _, stderr = call(["run", BENCH, "--reps", "2", "--out", out, "--quiet", *SMALL])
    assert code == 128 + signal.SIGINT and not out.exists()
    assert stderr == "interrupted (Ctrl-C): no output was written; any earlier output folder is unchanged\n"


def test_the_installed_command_takes_ctrl_c_while_the_libraries_load():
    """``community-model`` (the installed script) enters as ``python -m model`` does, through
    model.launch.main, which takes SIGINT over before the command's modules load: a Ctrl-C
    then is one line and 130 (the script called model.cli.main, and an early Ctrl-C was a
    traceback)."""
    import tomllib
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    assert scripts == {"community-model": "model.launch:main"}
    src = "\n".join([
        "import importlib.abc, signal, sys",
        "class Interrupting(importlib.abc.MetaPathFinder):",
        "    def find_spec(self, name, path=None, target=None):",
        "        if name == 'model.cli':",
        "            signal.raise_signal(signal.SIGINT)",
        "        return None",
        "sys.meta_path.insert(0, Interrupting())",
        "from model.launch import main",
        "sys.argv = ['community-model', '--version']",
        "sys.exit(main())",
    ])
    p = subprocess.run([sys.executable, "-c", src], cwd=ROOT, capture_output=True, text=True, timeout=60,
                       check=False)
    assert p.returncode == 130, p.stderr
    assert p.stderr == "interrupted (Ctrl-C): no output was written; any earlier output folder is unchanged\n"


def test_a_signal_while_the_workers_start_leaves_no_process_waiting(tmp_path):
    """SIGTERM while the process pool starts its workers, before the thread that would
    tell them to stop exists: the command still ends at once with its one line and 143,
    writing nothing. The workers used to wait for work forever and the exiting command
    for them (a killed run hung until the test's timeout)."""
    out = tmp_path / "out"
    argv = ["model", "run", str(BENCH), "--reps", "4", "--workers", "2", "--out", str(out), "--quiet", *SMALL]
    src = "\n".join([
        "import runpy, signal, sys",
        "from concurrent.futures import ProcessPoolExecutor",
        "from model.outputs import Interrupted",
        "def interrupted(self):",
        "    self._adjust_process_count()  # the workers start; the signal comes before the rest",
        "    raise Interrupted(signal.SIGTERM)",
        "ProcessPoolExecutor._start_executor_manager_thread = interrupted",
        f"sys.argv = {argv!r}",
        "runpy.run_module('model', run_name='__main__')",
    ])
    p = subprocess.run([sys.executable, "-c", src], cwd=ROOT, capture_output=True, text=True, timeout=120,
                       check=False)
    assert p.returncode == 128 + signal.SIGTERM, p.stderr
    assert p.stderr.startswith("interrupted (signal SIGTERM): no output was written") and not out.exists()


def _start(out: Path, seed: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "model", "run", str(BENCH), "--reps", "200", "--seed", str(seed),
                             "--out", str(out), *SMALL], cwd=ROOT, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _ready(p: subprocess.Popen) -> float:
    """Wait for the run's first line (main() is running, signal handlers are in place)."""
    line = p.stdout.readline()
    assert line.startswith("Running bench"), line + p.stderr.read()
    return time.monotonic()


CORE = ("summary.csv", "targets.csv", "metrics.csv", "manifest.json")


@pytest.mark.slow
def test_killed_runs_leave_the_previous_output_or_nothing(tmp_path):
    """``python -m model run bench --reps 200`` (with its report: figures, workbook, HTML) killed
    with SIGINT or SIGTERM at random moments -- a fixed-seed RNG picks them, uniform over an
    uninterrupted run's duration, so they fall while replications run and while files are
    written. The output folder then holds the previous complete output, or nothing, or --
    when the signal came after the commit -- the new complete output; never a part, and no
    temporary folder is left. Ctrl-C and SIGTERM print one line saying which.
    """
    prev, new = tmp_path / "prev", tmp_path / "new"
    assert call(["run", BENCH, "--reps", "200", "--seed", "1", "--no-report", "--quiet", "--out", prev, *SMALL])[0] == 0
    t0 = time.monotonic()  # the output an uninterrupted run writes, and about how long it takes
    assert call(["run", BENCH, "--reps", "200", "--seed", "2", "--quiet", "--out", new, *SMALL])[0] == 0
    duration = time.monotonic() - t0
    previous, complete = snapshot(prev), snapshot(new)

    def state(out: Path) -> str | None:
        snap = snapshot(out)
        if snap is None:
            return "nothing"
        if snap == previous:
            return "previous"
        # the new output: same files, the reproducible ones byte for byte (xlsx and figures
        # carry timestamps)
        if snap.keys() == complete.keys() and all(snap[f] == complete[f] for f in CORE):
            return "new"
        return None

    rng = np.random.default_rng(20250109)
    seen = []
    for i, sig in enumerate([signal.SIGINT, signal.SIGTERM] * 2):
        out = tmp_path / f"case{i}"
        had_previous = i < 2
        if had_previous:
            shutil.copytree(prev, out)
        p = _start(out, 2)
        _ready(p)
        time.sleep(rng.uniform(0, duration))
        p.send_signal(sig)
        stdout, stderr = p.communicate(timeout=300)
        st = state(out)
        assert st, f"case {i}: the output folder is neither the previous, the new complete output nor absent"
        if p.returncode in (0, -sig):  # finished before the signal (or during interpreter shutdown)
            assert st == "new" and "Traceback" not in stderr, stderr
        else:
            assert p.returncode == 128 + sig, (p.returncode, stderr)
            assert stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
            name = "Ctrl-C" if sig == signal.SIGINT else "signal SIGTERM"
            if st == "new":
                assert stderr.startswith(f"interrupted ({name}) after the output was complete"), stderr
            else:
                assert stderr == f"interrupted ({name}): no output was written; any earlier output folder is unchanged\n"
                assert st == ("previous" if had_previous else "nothing")
        assert leftovers(tmp_path, out.name) == []
        seen.append((int(sig), p.returncode, st))
    assert any(rc > 0 for _, rc, _ in seen), f"no run was interrupted: {seen}"


def test_an_interrupt_swallowed_by_a_callback_still_stops_the_commit(tmp_path):
    """A signal's exception raised inside a ``__del__`` or weakref callback (as happens during
    imports) cannot propagate; it is kept and raised before the folder would be committed."""
    out = tmp_path / "out"
    with outputs.atomic_folder(out) as tmp:
        (tmp / "summary.csv").write_text("old")

    class Finalizer:
        def __del__(self):
            raise outputs.Interrupted(signal.SIGTERM)
    outputs.reset()
    with pytest.raises(outputs.Interrupted):
        with outputs.atomic_folder(out) as tmp:
            (tmp / "summary.csv").write_text("new")
            f = Finalizer()
            del f  # "Exception ignored in ...": not printed, kept
    assert (out / "summary.csv").read_text() == "old" and leftovers(tmp_path, "out") == []


# --------------------------------------------------------------------------- no code from data (item 6)

def test_scenario_text_is_never_run_as_code(tmp_path):
    """Python in a scenario's strings stays a string: as free text it is kept verbatim, and
    where a number, a name, a path or a key is expected it is an error. Nothing runs."""
    marker = tmp_path / "PWNED"
    code = f"__import__('os').system('touch {marker}')"
    d = copy.deepcopy(PLAIN)
    d["description"] = code
    f = tmp_path / "free_text.toml"
    f.write_text(dumps(d), encoding="utf-8")
    out = tmp_path / "out"
    assert call(["run", f, "--reps", "1", "--quiet", "--no-report", "--out", out])[0] == 0
    assert json.loads((out / "manifest.json").read_text())["scenario_raw"]["description"] == code
    for where in (("years",), ("name",), ("demand", "rule"), ("quits", "rate"), ("extends",),
                  ("certification", "pass_prob")):
        d = copy.deepcopy(PLAIN)
        (d if len(where) == 1 else d[where[0]])[where[-1]] = code
        check_case({"case.toml": dumps(d).encode()}, "case.toml")
    d = copy.deepcopy(PLAIN)
    d["quits"][code] = 1
    check_case({"case.toml": dumps(d).encode()}, "case.toml")
    check_case({"case.toml": dumps(PLAIN).encode()}, "case.toml", ("--set", f"years={code}"))
    check_case({"case.toml": dumps(PLAIN).encode()}, "case.toml", ("--set", f"{code}=1"))
    assert not marker.exists()


FORBIDDEN = re.compile(r"\b(eval|exec)\s*\(|pickle\.loads?\(|yaml\.(unsafe_)?load\(|__import__\(|"
                       r"(?<!re\.)\bcompile\(|marshal\.loads?\(|shelve\.|runpy\.|subprocess\.|os\.system\(")


def test_no_module_of_the_model_can_run_code_from_data():
    """The package has no eval, exec, pickle loading, dynamic imports of data-given names, or
    shell-outs; the dynamic imports (the experiments, the report's pieces loaded on first use)
    take names from fixed tuples."""
    pkg = ROOT / "model"
    hits = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}" for p in sorted(pkg.rglob("*.py"))
            for i, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
            if FORBIDDEN.search(line.split("#")[0])]
    assert hits == []
    imports = [f"{p.relative_to(ROOT)}" for p in sorted(pkg.rglob("*.py"))
               if "import_module(" in p.read_text(encoding="utf-8")]
    assert imports == ["model/cli.py", "model/report/__init__.py"]
    from model import cli, report
    assert cli.EXPERIMENTS == ("compare", "sweep", "solve", "sensitivity", "calibrate")
    assert report._MODULES == ("budget", "experiments", "figures", "fonts", "labels", "webpage")
    assert set(report._FROM.values()) <= set(report._MODULES)


@given(st.text(max_size=30) | st.sampled_from(["..", ".", "../x", "/abs", "a/../../b", "~", "C:\\x", "a\x00b",
                                                ".hidden", "con", "x" * 101, "ok-name_1.v2"]))
@cases(150)
def test_an_accepted_name_keeps_the_output_inside_outputs(name):
    """Whatever ``name`` a scenario or manifest gives, if it is accepted, the default output
    folder (outputs/NAME, outputs/NAME-rerun) is a direct child of outputs/."""
    import model
    from model import cli
    from model.errors import ScenarioError
    try:
        sc = model.load(BENCH).with_overrides({"name": name})
    except ScenarioError as e:
        assert e.field == "name"
        return
    for folder in (cli.OUTPUTS / sc.name, cli.OUTPUTS / f"{sc.name}-rerun"):
        assert folder.resolve().parent == cli.OUTPUTS.resolve() and folder.name not in (".", "..")


def test_a_runaway_workforce_is_a_user_error(tmp_path, monkeypatch):
    """A legal scenario that asks for more people than one replication can hold (a runaway
    staffing rule, a huge campaign) stops with one message naming the field, exit 2 and
    nothing written, instead of running until memory is out. The limit (20 million, five
    times China's community workers) is lowered here so that the test is quick."""
    from model import population
    monkeypatch.setattr(population, "MAX_PEOPLE", 2100)
    out = tmp_path / "out"
    # 2,000 workers and a campaign of 200 a year: over the limit in the first year's round
    code, _, err = call(["run", BENCH, "--reps", "2", "--workers", "1", "--out", out, "--no-report",
                         "--set", "demand.communities=200", "--set", "recruitment.extra_hires=200"])
    assert code == 2 and not out.exists()
    # the field an override set is blamed on the override (it named the file, from which simpy's
    # copy of the error had dropped the field)
    assert err.startswith("error: --set, field 'recruitment.extra_hires'"), err
    assert "2,100" in err and "in 2025" in err
    # campaigns adding up to more than the limit: refused by validate, before any run
    code, _, err = call(["validate", BENCH, "--set", "recruitment.extra_hires=5000"])
    assert code == 2 and "field 'recruitment.extra_hires'" in err and "campaigns add up to 50,000" in err
    code, _, err = call(["run", BENCH, "--reps", "2", "--workers", "1", "--out", out, "--no-report",
                         "--set", "demand.communities=400"])
    assert code == 2 and "field 'demand.posts_per_community'" in err and "workers at the start" in err
    assert err.startswith(("error: bench.toml:", "error: scenarios/bench.toml:")), err  # with the line
    assert not out.exists()
    monkeypatch.setattr(population, "MAX_COMMUNITIES", 300)
    code, _, err = call(["run", BENCH, "--reps", "2", "--workers", "1", "--out", out, "--no-report",
                         "--set", "demand.rule=households", "--set", "demand.split_above=100",
                         "--set", "demand.urban_residents=250000", "--set", "demand.communities=100"])
    assert code == 2 and "field 'demand.split_above'" in err and not out.exists()


# --------------------------------------------------------------------------- starting workforce

@st.composite
def starting_mixes(draw):
    """Age and tenure bands, sexes, categories and retirement rules as a scenario may give
    them (ages at or above min_hire_age, as validation requires)."""
    m = draw(st.integers(14, 25))
    def bands(lo, hi):
        cuts = sorted(draw(st.lists(st.integers(lo, hi), min_size=1, max_size=3, unique=True)))
        edges = [lo, *[c for c in cuts if c > lo], hi + 1]
        return [[a, b - 1, draw(st.floats(0.05, 1.0))] for a, b in zip(edges, edges[1:]) if b - 1 >= a]
    rule = draw(st.sampled_from(["fixed", "china2025"]))
    over = {"population.min_hire_age": m, "population.age": bands(m, draw(st.integers(m, 64))),
            "population.tenure": bands(0, draw(st.integers(0, 45))),
            "population.female_share": draw(st.sampled_from([0.0, 0.5, 1.0])),
            "population.cadre_share": draw(st.sampled_from([0.0, 0.5, 1.0])),
            "retirement.rule": rule, "demand.communities": 40,
            "start_year": draw(st.sampled_from([2020, 2025, 2031]))}
    if rule == "fixed":
        over.update({"retirement.age_men": draw(st.integers(50, 65)),
                     "retirement.age_women": draw(st.integers(45, 60))})
    return over


@given(starting_mixes())
@cases(40)
def test_starting_workers_are_in_post_and_were_hired_as_adults(over):
    """Whatever the mixes: every starting worker is below their statutory retirement age
    on the first day, was hired at min_hire_age or older and has a tenure of 0 or more,
    and their age and tenure are at most the bands' highest."""
    sc = model.load("bench", over)
    pop = starting_workforce(sc)
    n, y, ps = pop.n, sc.start_year, sc.population
    age = age_on_1_january(pop.birth[:n], y)
    tenure = y - pop.hire_year[:n]
    assert (pop.retire_at[:n] > y).all()
    assert (tenure >= 0).all() and (age - tenure >= ps.min_hire_age).all()
    assert age.max() <= max(b[1] for b in ps.age) and tenure.max() <= max(b[1] for b in ps.tenure)
