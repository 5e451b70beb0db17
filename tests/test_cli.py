"""The command line: option mistakes, output folders, and what a run writes (issue 9, items 3-4).

Every mistake is one line on stderr and exit status 2, and nothing is written.
Runs use the benchmark scenario with 50 communities and a few replications.
"""

from __future__ import annotations

import html
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from robust_helpers import BENCH, ROOT, call, check_error

import model
from model import outputs
from model.errors import ScenarioError, UserError

SMALL = ("--set", "demand.communities=50")


def run_args(out, *extra):
    return ["run", BENCH, "--reps", "2", "--seed", "5", "--quiet", "--no-report", "--out", out, *SMALL, *extra]


def tree(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.mark.parametrize("args, words", [
    (["run", "--frobnicate"], "unrecognized arguments: --frobnicate"),
    (["run", BENCH, "--reps", "0"], "argument --reps: expected a whole number from 1 to 10,000,000, got 0"),
    (["run", BENCH, "--reps", "two"], "argument --reps: expected a whole number, got 'two'"),
    (["run", BENCH, "--reps", "-3"], "argument --reps: expected a whole number from 1 to 10,000,000, got -3"),
    (["run", BENCH, "--reps", "99999999999"], "argument --reps: expected a whole number from 1 to 10,000,000, got 99,999,999,999"),
    (["run", BENCH, "--seed", "-1"], "argument --seed: expected a whole number from 0 to 9,223,372,036,854,775,807, got -1"),
    (["run", BENCH, "--seed=-1"], "argument --seed: expected a whole number from 0 to 9,223,372,036,854,775,807, got -1"),
    (["run", BENCH, "--seed", str(2**63)], "argument --seed: expected a whole number from 0 to 9,223,372,036,854,775,807, got 9,223,372,036,854,775,808"),
    (["run", BENCH, "--seed", "1.5"], "argument --seed: expected a whole number, got '1.5'"),
    (["run", BENCH, "--workers", "0"], "argument --workers: expected a whole number of at least 1, got 0"),
    (["run", BENCH, "--lang", "fr"], "argument --lang: invalid choice: 'fr'"),
    (["run", BENCH, "--reps"], "argument --reps: expected one argument"),
    (["rnu", BENCH], "invalid choice: 'rnu'"),
    (["validate"], "the following arguments are required: scenario"),
    (["rerun"], "the following arguments are required: manifest"),
    (["run", BENCH, "--out", ""], "argument --out: an empty path"),  # `--out "$UNSET"`: not the current folder
    (["sweep", BENCH, "--param", "quits.rate[0]", "-0.1,0.1"],
     "a value that starts with a minus goes after '='"),
    (["solve", BENCH, "--lever", "quits.rate", "--range", "-1,2", "--target", "headcount>=5@2025"],
     "expected one argument; a value that starts with a minus goes after '=' (--range=-1,2"),
])
def test_option_mistakes_are_one_line_exit_2(tmp_path, args, words):
    out = tmp_path / "out"
    code, stdout, stderr = call([*args, "--out", out] if args[0] == "run" and "--reps" != args[-1] else args)
    assert code == 2
    assert stderr.count("\n") == 1 and stderr.startswith("error: python -m model"), stderr
    assert words in stderr, stderr
    assert "see `python -m model" in stderr and "Traceback" not in stderr
    assert not out.exists() and list(tmp_path.iterdir()) == []


def test_year_without_metric_is_an_error_not_ignored(tmp_path):
    """sweep and sensitivity report the first target unless given --metric: a --year alone
    would be silently dropped, so it is refused."""
    out = tmp_path / "out"
    code, stdout, stderr = call(["sweep", BENCH, "--param", "certification.pass_prob", "0.1,0.3", "--year", "2026",
                                 "--reps", "2", "--out", out])
    assert code == 2 and stderr.count("\n") == 1 and "Traceback" not in stderr, stderr
    assert "--year goes with --metric" in stderr and not out.exists()


def test_the_models_warnings_are_one_line_each(tmp_path, monkeypatch, capsys):
    """A warning (here: fewer processes than asked, for lack of memory) is one line,
    ``warning: ...``, not Python's file, line and source; the run goes on and writes."""
    from model import cli, runner
    monkeypatch.setattr(runner, "available_memory", lambda: runner.PROCESS_BYTES * 1.5)
    monkeypatch.setattr(runner, "_warned_memory", set())
    out = tmp_path / "out"
    argv = ["run", str(BENCH), "--reps", "16", "--workers", "2", "--quiet", "--no-report", "--out", str(out)]
    assert cli.main([*argv, *SMALL]) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: 2 processes would need about") and err.count("\n") == 1, err
    assert "running 1 (the results are the same, only slower)" in err and (out / "summary.csv").exists()


def _die(*args):
    os._exit(9)  # as the system's out-of-memory killer stops a process


def test_a_worker_that_dies_is_one_line_and_exit_1(tmp_path, monkeypatch, capsys):
    """A worker process killed mid-run (BrokenProcessPool) ends the command with one line,
    exit status 1, and no output folder."""
    from model import cli, runner
    monkeypatch.setattr(runner, "_chunk", _die)  # the workers are forked: they call it too
    out = tmp_path / "out"
    argv = ["run", str(BENCH), "--reps", "16", "--workers", "2", "--quiet", "--no-report", "--out", str(out)]
    assert cli.main([*argv, *SMALL]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: a worker process died") and err.count("\n") == 1, err
    assert not out.exists()


def test_money_in_terminal_lines_is_never_in_scientific_notation():
    from model.experiments.common import fmt
    assert fmt(1.04e9, "yuan/year") == "1,040M"
    assert fmt(2.5e7, "yuan/year") == "25M"
    assert fmt(123_456_789.0, "yuan/year") == "123M"
    assert fmt(999.6e6, "yuan/year") == "1,000M"  # .3g would round it to 1e+03


def test_an_intervals_two_ends_are_in_one_unit():
    from model.experiments.common import fmt_interval
    assert fmt_interval(-45_800, -1_118, "yuan/year") == "[-0.0458M, -0.00112M]"  # not "[-0.0458M, -1,118]"
    assert fmt_interval(-500, 1_118, "yuan/year") == "[-500, 1,118]"
    assert fmt_interval(0.012, 0.2, "share") == "[1.2%, 20.0%]"
    assert fmt_interval(float("nan"), 3.0, "persons") == "[n/a, 3]"
    from model.experiments.common import fmt_estimate
    assert fmt_estimate(-5_000, -45_800, 1_118, "yuan/year") == "-0.005M yuan [-0.0458M, 0.00112M]"
    assert fmt_estimate(9_000, 8_000, 12_000, "yuan/year") == "0.009M yuan [0.008M, 0.012M]"
    assert fmt_estimate(float("nan"), 1.0, 2.0, "persons") == "n/a [1, 2]"
    # a difference of shares is in percentage points: 81.3% against 77.3% is +4.0 pp, not 4.0%
    assert fmt_estimate(0.04, 0.029, 0.052, "share", difference=True) == "+4.0 pp [+2.9 pp, +5.2 pp]"
    assert fmt_estimate(-0.5, -0.6, -0.4, "probability", difference=True) == "-50.0 pp [-60.0 pp, -40.0 pp]"
    assert fmt_estimate(0.04, 0.029, 0.052, "share") == "4.0% [2.9%, 5.2%]"  # levels stay in %
    # a difference of counts or money has its sign too, as one of shares (from an audit)
    assert fmt_estimate(501, 499, 503, "workers", difference=True) == "+501 [+499, +503]"
    money = fmt_estimate(69_000, -1_000, 80_000, "yuan/year", difference=True)
    assert money == "+0.069M yuan [-0.001M, +0.08M]"
    assert fmt_estimate(-5.2, -6, 4, "workers", difference=True) == "-5.2 [-6, +4]"


@pytest.mark.parametrize("setting, field, words", [
    ("demand.comunities=50", "demand.comunities", "no such field (did you mean 'demand.communities'?)"),
    ("nosection.key=1", "nosection.key", "no such field"),
    ("extends=other.toml", "extends", "no such field"),
    ("demand.communities=fifty", "demand.communities", "expected a whole number, got str 'fifty'"),
    ("demand.communities=2.5", "demand.communities", "expected a whole number, got float 2.5"),
    ("quits.rate=0.1", "quits.rate", "expected a list of some numbers, got float 0.1"),
    ("pay.monthly=[5000, 6000]", "pay.monthly", "expected a list of 3 numbers, got 2"),
    ("recruitment.max_age=nan", "recruitment.max_age", "expected a finite number, got nan"),
    ("recruitment.max_age=thirty", "recruitment.max_age", "expected a number, got str 'thirty'"),
    ("recruitment.max_age=inf", "recruitment.max_age", "expected a finite number, got inf"),
    ("elimination.enabled=yes", "elimination.enabled", "expected true or false, got str 'yes'"),
    ("population.female_share=1.5", "population.female_share", "1.5 is outside the allowed range [0, 1]"),
    # the value as given, not rounded to 6 digits ('1 is outside [0, 1]')
    ("population.female_share=1.0000001", "population.female_share",
     "1.0000001 is outside the allowed range"),
    ("demand.communities", "demand.communities", "expected key=value"),
    # a list or table that is not valid TOML: what is wrong, not 'expected a number, got str'
    ("certification.pass_prob={2025=0.1,2027=}", "certification.pass_prob",
     "is not a valid TOML list or table"),
    ("quits.rate=[0.1,", "quits.rate", "is not a valid TOML list or table"),
    # hires who start at the assessment's instant would be rated (and dismissed) that day
    ("calendar.recruitment=[0.5, 1.0]", "calendar.recruitment", "a recruitment round at 1, the assessment's"),
    ("calendar.recruitment=[" + ", ".join(f"{i / 20:g}" for i in range(17)) + "]", "calendar.recruitment",
     "17 instants: at most 16 a year"),
])
def test_set_mistakes(tmp_path, setting, field, words):
    out = tmp_path / "out"
    code, stdout, stderr = call(["run", BENCH, "--reps", "1", "--out", out, "--set", setting])
    m = check_error(code, stdout, stderr, {BENCH: BENCH.read_bytes()})
    assert (m.group("where"), m.group("field")) == ("--set", field)
    assert words in m.group("msg") and "(at line" not in m.group("msg")
    assert not out.exists()


def test_output_path_that_is_a_file(tmp_path):
    f = tmp_path / "results.csv"
    f.write_text("keep me")
    for out in (f, f / "sub"):
        code, stdout, stderr = call(run_args(out))
        m = check_error(code, stdout, stderr, {})
        assert m.group("field") == "--out" and str(f) in m.group("msg")
    assert f.read_text() == "keep me" and tree(tmp_path) == ["results.csv"]


def test_output_folder_not_writable(tmp_path):
    if os.geteuid() == 0:  # root may write anywhere but a read-only or virtual file system
        if not Path("/proc/self").is_dir():
            pytest.skip("needs /proc (root ignores permissions)")
        out = Path("/proc/self/model-output")
    else:
        locked = tmp_path / "locked"
        locked.mkdir()
        locked.chmod(stat.S_IRUSR | stat.S_IXUSR)
        out = locked / "out"
    code, stdout, stderr = call(run_args(out))
    m = check_error(code, stdout, stderr, {})
    assert m.group("field") == "--out" and m.group("msg").startswith("cannot write into")
    assert not out.exists()


def test_refuses_to_replace_a_folder_it_did_not_write(tmp_path):
    """A mistyped --out (a home folder, a project) must not be replaced by a run."""
    docs = tmp_path / "documents"
    docs.mkdir()
    (docs / "thesis.docx").write_text("years of work")
    code, stdout, stderr = call(run_args(docs))
    m = check_error(code, stdout, stderr, {})
    assert m.group("field") == "--out" and "not an output folder of this model" in m.group("msg")
    assert tree(tmp_path) == ["documents", "documents/thesis.docx"]


def test_a_manifest_json_of_another_program_does_not_make_a_folder_the_models(tmp_path):
    """A web app has a manifest.json too: its folder is not replaced; a folder with the
    model's own manifest (no marker: written by an older version) is."""
    app = tmp_path / "webapp"
    (app / "src").mkdir(parents=True)
    (app / "manifest.json").write_text('{"name": "My PWA"}')
    (app / "src" / "app.js").write_text("x")
    code, stdout, stderr = call(run_args(app))
    m = check_error(code, stdout, stderr, {})
    assert "not an output folder of this model" in m.group("msg")
    assert tree(app) == ["manifest.json", "src", "src/app.js"]
    assert outputs.is_output_folder(app) is False
    old = tmp_path / "old"
    old.mkdir()
    (old / "manifest.json").write_text('{"package_version": "0.1.0", "versions": {"model": "0.1.0"}}')
    assert outputs.is_output_folder(old) is True
    (old / "manifest.json").write_text('{"package_version": "1.0", "versions": {"chrome": "120"}}')
    assert outputs.is_output_folder(old) is False


def test_a_mount_point_is_refused_before_the_run(tmp_path, monkeypatch):
    """A run replaces its folder by renaming a new one into place, which a mount point (a
    container's volume) refuses: it is refused up front, not after the run."""
    out = tmp_path / "volume"
    out.mkdir()
    monkeypatch.setattr(outputs.os.path, "ismount", lambda p: Path(p) == out)
    with pytest.raises(UserError, match="is a mount point"):
        outputs.check_destination(out)


def test_run_writes_a_complete_folder_and_replaces_it_as_a_whole(tmp_path):
    out = tmp_path / "out"
    code, stdout, stderr = call(run_args(out))
    assert (code, stderr) == (0, "")
    first = tree(out)
    assert {"summary.csv", "targets.csv", "manifest.json", "metrics.csv", outputs.MARKER} <= set(first)
    (out / "stale-note.txt").write_text("from an earlier run")
    code, stdout, stderr = call(run_args(out, "--seed", "6"))
    assert (code, stderr) == (0, "")
    assert tree(out) == first                                  # replaced, not merged
    assert json.loads((out / "manifest.json").read_text())["seed"] == 6
    assert tree(tmp_path) == ["out", *(f"out/{x}" for x in first)]   # no temporary folders left


def test_no_overwrite_keeps_the_existing_folder(tmp_path):
    out = tmp_path / "out"
    assert call(run_args(out))[0] == 0
    before = {p: (out / p).read_bytes() for p in tree(out)}
    code, stdout, stderr = call(run_args(out, "--seed", "9", "--no-overwrite"))
    m = check_error(code, stdout, stderr, {})
    assert m.group("field") == "--out" and "--no-overwrite" in m.group("msg")
    assert {p: (out / p).read_bytes() for p in tree(out)} == before


def test_output_folder_permissions_follow_the_umask(tmp_path):
    """The output folder is not left private (mkdtemp's 0700) for colleagues to read."""
    out = tmp_path / "out"
    old = os.umask(0o022)
    try:
        assert call(run_args(out))[0] == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o755


def test_missing_parent_folders_are_created_and_removed_on_failure(tmp_path, monkeypatch):
    out = tmp_path / "a" / "b" / "out"
    assert call(run_args(out))[0] == 0 and (out / "summary.csv").is_file()

    def boom(*args, **kw):
        raise OSError(28, "No space left on device")
    import model.results
    monkeypatch.setattr(model.results.Results, "to_csv", boom)
    out2 = tmp_path / "c" / "d" / "out"
    code, stdout, stderr = call(run_args(out2))  # a full disk: one line (found by an audit: a traceback)
    m = check_error(code, stdout, stderr, {})
    assert m.group("field") == "--out" and f"cannot write {out2}: no space left on the device" in stderr
    assert not (tmp_path / "c").exists()


def test_toml_file_as_first_argument_runs_it(tmp_path):
    out = tmp_path / "out"
    code, stdout, stderr = call([BENCH, "--reps", "1", "--quiet", "--no-report", "--out", out, *SMALL])
    assert (code, stderr) == (0, "") and (out / "summary.csv").is_file()


def test_validate_and_version():
    code, stdout, stderr = call(["validate", BENCH])
    assert code == 0 and stdout.startswith(f"{BENCH}: valid (bench, 2025-2034")
    assert "[[" not in stdout and "takes" not in stdout  # one file: nothing replaced, nothing taken
    code, stdout, stderr = call(["--version"])
    assert code == 0 and stdout.strip() == __import__("model").__version__


def test_validate_names_the_numbers_without_a_source(tmp_path):
    """Every number cites its source or is marked '# assumption:' (README); validate names
    those a file sets with no comment, with file and line (a new city's audit of
    2026-12-07 removed one and validate said nothing). The places have none."""
    f = tmp_path / "city.toml"
    f.write_text(f'extends = "{BENCH}"\n[quits]\nrate = [0.1]\n[demand]\n'
                 'communities = 30  # our 2025 register\n', encoding="utf-8")
    code, stdout, stderr = call(["validate", f])
    assert code == 0, stderr
    (line,) = [x for x in stdout.splitlines() if "without a comment" in x]
    assert "without a comment (a source, or '# assumption: why'): quits.rate (city.toml:3), " in line
    assert "demand.communities" not in line  # (the file's own come first, then its base's)
    for place in ("changzhou-2022", "nanjing-2018", "hohhot-2023", "jilin-2020", "yichang-2021"):
        code, stdout, stderr = call(["validate", place])
        assert code == 0 and "without a comment" not in stdout, (place, stdout)


def test_validate_says_when_a_files_targets_replace_its_bases(tmp_path):
    child = tmp_path / "child.toml"
    base = ROOT / "scenarios" / "changzhou-2022.toml"
    child.write_text(f"extends = {str(base)!r}\n[[targets]]\nname = 'pay'\nmetric = 'payroll'\n"
                     "year = 2025\nop = '<='\nthreshold = 1e9\n", encoding="utf-8")
    code, stdout, stderr = call(["validate", child])
    assert code == 0 and ", 1 target," in stdout
    assert "[[targets]]: the 1 of child.toml replace the 3 of changzhou-2022.toml" in stdout
    import tomllib
    from model import schema
    own = tomllib.loads(base.read_text(encoding="utf-8"))  # the fields the base writes (the child: none)
    k = sum(len(own[sec]) for sec in schema.SECTIONS if sec in own)
    assert f"\n  takes {k} fields from changzhou-2022.toml as that file sets them" in stdout
    assert "written for" not in stdout  # the same start year


def test_validate_names_the_amounts_a_base_wrote_for_another_start_year(tmp_path):
    child = tmp_path / "later.toml"
    base = ROOT / "scenarios" / "hohhot-2023.toml"
    child.write_text(f"extends = {str(base)!r}\nname = 'later'\nstart_year = 2026\nyears = 5\ntargets = []\n"
                     "[economy]\naverage_wage = 120000\naverage_wage_growth = 0.05\n[pay]\ngrowth = 0.03\n"
                     "[demand]\nresidents_growth = 0.01\npersons_per_household = 2.5\n"
                     "[certification]\npass_prob = 0.235\n", encoding="utf-8")
    code, stdout, stderr = call(["validate", child])
    assert code == 0, stderr
    line = next(x for x in stdout.splitlines() if "written for" in x)
    assert line.startswith("  written for 2023 in hohhot-2023.toml but run from 2026: demand.communities, ")
    assert "pay.monthly" in line and "economy.average_wage," not in line  # restated here
    assert "funding.work_fund_urban" not in line  # hohhot-2023.toml has a [funding] table but not this field


def test_run_in_a_real_process_prints_what_it_does(tmp_path):
    out = tmp_path / "out"
    p = subprocess.run([sys.executable, "-m", "model", "run", str(BENCH), "--reps", "2", "--no-report",
                        "--out", str(out), *SMALL], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith(f"Running bench: 2 replications, seed 20250101; output: {out}/")
    from model.report import labels
    assert labels.reps_seed(1, 7) == "1 replication, seed 7" and labels.reps_seed(2, 7, "zh") == "2次模拟，种子7"
    assert f"Wrote {out}/" in p.stdout


def test_run_speaks_chinese_with_lang_zh(tmp_path):
    """``--lang zh`` puts the console in Chinese as well as the files: the same means,
    with Chinese metric and target names and payroll in 万元 (10,000 yuan)."""
    out_en, out_zh = tmp_path / "en", tmp_path / "zh"
    runs = {lang: call(["run", "changzhou-2022", "--reps", "2", "--no-report", "--out", str(out), "--lang", lang])
            for lang, out in (("en", out_en), ("zh", out_zh))}
    (code_en, en, _), (code_zh, zh, err) = runs["en"], runs["zh"]
    assert code_en == code_zh == 0, err
    assert zh.startswith("运行 changzhou-2022：2次模拟，种子20220128；输出：")
    assert "changzhou-2022预测（2次模拟，种子20220128；均值）" in zh and "在岗人数" in zh and "人员经费（万元）" in zh
    assert "目标达成概率" in zh and "2025年持证比例达70%以上：持证率 >= 70%（2025年）：" in zh
    assert f"已写入 {out_zh}/（summary.csv、targets.csv、metrics.csv、manifest.json）" in zh
    assert "Running" not in zh and "Forecast" not in zh
    # the same numbers: headcount as printed, payroll in 万元 against millions
    rows_en = [x.split() for x in en.splitlines() if x[:4] in ("2022", "2023")]
    rows_zh = [x.split() for x in zh.splitlines() if x[:4] in ("2022", "2023")]
    assert [r[1] for r in rows_en] == [r[1] for r in rows_zh]
    for r_en, r_zh in zip(rows_en, rows_zh):
        assert abs(float(r_en[-1].rstrip("M").replace(",", "")) * 100 - float(r_zh[-1].replace(",", ""))) <= 6


@pytest.mark.parametrize("sig, code", [("SIGINT", 130), ("SIGTERM", 143)])
def test_a_worker_process_ends_quietly_on_a_signal(sig, code):
    """Worker processes of a run get outputs.quiet_worker as initializer: Ctrl-C (sent to
    the whole process group) ends them at once without the traceback multiprocessing
    would print under the command's one-line message."""
    src = ("import os, signal, time\nfrom model.outputs import quiet_worker\nquiet_worker()\n"
           f"os.kill(os.getpid(), signal.{sig})\ntime.sleep(5)\nprint('still here')\n")
    p = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True, timeout=60, check=False)
    assert p.returncode == code and p.stdout == "" and p.stderr == "", p


@pytest.mark.parametrize("kw, field, words", [
    ({"reps": 2, "seed": "abc"}, "seed", "expected a whole number, got 'abc'"),
    ({"reps": 10**12}, "reps", "from 1 to 10,000,000"),
    ({"reps": 2.5}, "reps", "expected a whole number, got 2.5"),
    ({"reps": "2"}, "reps", "expected a whole number, got '2'"),
    ({"reps": True}, "reps", "expected a whole number, got True"),
    ({"reps": 2, "seed": 2**70}, "seed", "from 0 to 9,223,372,036,854,775,807"),
    ({"reps": 2, "backend": "spark"}, "backend", "expected 'local' or 'dask', got 'spark'"),
])
def test_api_arguments_are_checked_and_named(bench, kw, field, words):
    """The Python API names its own arguments (not command-line options) and refuses what
    it used to coerce (2.5 replications ran as 2) or ignore (an unknown backend ran locally)."""
    with pytest.raises(UserError) as e:
        model.run(bench, **kw)
    assert str(e.value).startswith(f"argument '{field}': ") and words in e.value.message, str(e.value)


@pytest.mark.parametrize("what", [42, {"start_year": 2025}])
def test_load_names_what_it_was_given(what):
    with pytest.raises(ScenarioError, match="expected a scenario file's path or name"):
        model.load(what)


@pytest.mark.parametrize("args, named", [([], "scenarios/changzhou-2022.toml"), (["bench"], "bench"),
                                         (["bench.toml"], "bench.toml"),
                                         (["alternatives/jilin-2020-intermediate-certificates"],
                                          "alternatives/jilin-2020-intermediate-certificates")])
def test_a_name_without_the_scenarios_folder_says_why(tmp_path, monkeypatch, args, named):
    """An install without -e has no scenarios/ folder: the default scenario or a name
    (bare, or under scenarios/) stops with one line saying so (exit 2, nothing written); a
    path is read as given."""
    from model import scenario as S
    monkeypatch.setattr(S, "SCENARIO_DIR", tmp_path / "site-packages" / "scenarios")
    monkeypatch.chdir(tmp_path)
    code, stdout, stderr = call(["run", *args, "--reps", "1", "--quiet", "--out", tmp_path / "out"])
    assert code == 2 and stderr.count("\n") == 1 and not (tmp_path / "out").exists()
    assert stderr.startswith(f"error: {named}: file not found;") and "pip install -e ." in stderr
    code, stdout, stderr = call(["validate", BENCH])
    assert code == 0, stderr


@pytest.mark.parametrize("metric, value, lang, text", [
    ("payroll", 1.2e9, "en", "1,200 million yuan"), ("payroll", 1.2e9, "zh", "120,000万元"),
    ("certified_share", 0.6, "en", "60%"), ("certified_share.urban", 0.35, "zh", "35%"),
    ("headcount", 9000, "en", "9000"), ("workers_per_10k", 18, "en", "18"),
    ("remuneration_ratio_staff.xuanwu", 0.8, "zh", "80%"), ("pay_ratio_head", 1.0, "en", "100%")])
def test_a_targets_threshold_in_the_consoles_units(metric, value, lang, text):
    """The console's target lines give a threshold in the units of its columns (money in
    million yuan, or 万元 in Chinese; a share as a percentage), not as 1.2e+09."""
    from model.cli import _threshold_text
    assert _threshold_text(metric, value, lang) == text


def test_the_console_marks_a_target_the_model_meets_by_its_own_rule(tmp_path):
    """A target on the elimination rate at the share the scenario eliminates is met by the
    rule itself: the console says so on its line (it read as a forecast of 100%, the note
    being in the report only); a forecast target gets no mark."""
    f = tmp_path / "rule.toml"
    f.write_text(f'extends = "{BENCH.as_posix()}"\nyears = 2\n[demand]\ncommunities = 30\n'
                 '[elimination]\nenabled = true\nshare = {2025 = 0.1, 2026 = 0.0}\n'
                 '[[targets]]\nname = "renew 10%"\nmetric = "elimination_rate"\nyear = 2025\n'
                 'threshold = 0.1\n'
                 '[[targets]]\nname = "250 workers"\nmetric = "headcount"\nyear = 2026\nthreshold = 250\n',
                 encoding="utf-8")
    code, stdout, stderr = call(["run", f, "--reps", "2", "--no-report", "--out", tmp_path / "out"])
    assert code == 0, stderr
    lines = {ln.split(":")[0].strip(): ln for ln in stdout.splitlines() if ln.startswith("  ")}
    assert lines["renew 10%"].endswith("(met by the elimination rule itself, not a forecast)")
    assert "rule" not in lines["250 workers"]


def test_the_report_and_workbook_say_what_set_overrode(tmp_path):
    """A run with --set wrote a report and a budget workbook that described the files'
    policy only (found by a policy-team audit): both now list each field set over the
    files, with its value and the option; a run without any says nothing of the kind."""
    from openpyxl import load_workbook
    out = tmp_path / "out"
    code, _, stderr = call(["run", BENCH, "--reps", "2", "--set", "years=2", "--set", "demand.communities=20",
                            "--set", "quits.rate=[0.12]", "--quiet", "--out", out])
    assert code == 0, stderr
    said = "years = 2 (--set), demand.communities = 20 (--set), quits.rate = [0.12] (--set)"
    cover = {r[0]: r[1] for r in load_workbook(out / "budget.xlsx").worksheets[0].iter_rows(values_only=True)}
    assert cover["Set over the policy described"] == said
    assert html.escape(said) in (out / "report.html").read_text(encoding="utf-8")
    from model.report import labels
    assert labels.settings(model.load("bench"), "en") == ""
    # a multiplied value shown as a reader expects it (0.08 x 1.1 is 0.08800000000000001 in floating point)
    assert labels.settings(model.load("bench", ["quits.rate*=1.1"]), "en") == "quits.rate = [0.088] (--set)"


def test_validate_counts_in_the_singular_where_there_is_one(tmp_path, capsys):
    from model import cli
    f = tmp_path / "one.toml"
    f.write_text(f'extends = "{BENCH}"\n[degrees]\nrate = [{{dist = "beta", mean = 0.1, sd = 0.02}}, 0, 0]'
                 '   # assumption: one\n', encoding="utf-8")
    assert cli.main(["validate", str(f)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert "1 uncertain parameter," in first and "1 marked assumption," in first
