"""More of the bad-input rule (one line naming the file or option and the field, exit
status 2, nothing written), for cases an audit found giving a traceback, a wrong file or
nothing at all; and ``rerun`` of a scenario named after its file."""

from __future__ import annotations

import pytest
from robust_helpers import BENCH, call, check_error

SMALL = ("--reps", "2", "--seed", "5", "--quiet", "--no-report", "--workers", "1")


def scenario(folder, body: str, name: str = "case.toml"):
    f = folder / name
    f.write_text(f'extends = "{BENCH.as_posix()}"\n{body}', encoding="utf-8")
    return f


def test_rerun_of_a_scenario_named_after_its_file(tmp_path):
    """Without ``name =`` a scenario is named after its file; the manifest's scenario
    table has no name, and the re-run used to be named after the manifest, so its tables
    differed from the run's and the parameters' hash too."""
    f = scenario(tmp_path, "years = 2\n[demand]\ncommunities = 20\n", "my-city.toml")
    out, again = tmp_path / "out", tmp_path / "again"
    assert call(["run", str(f), *SMALL, "--out", str(out)])[0] == 0
    code, stdout, stderr = call(["rerun", str(out / "manifest.json"), "--quiet", "--out", str(again)])
    assert code == 0 and "summary.csv identical" in stdout and "NO" not in stdout, stdout
    assert "differ" not in stderr, stderr


def test_a_workforce_too_big_to_hold_is_refused_before_making_room_for_it(tmp_path):
    """650 million workers: the room made ahead for a big workforce used to try to
    allocate 47 GB (a traceback) before the engine's own size check."""
    f = scenario(tmp_path, "[demand]\ncommunities = 650000\nposts_per_community = 1000\n")
    out = tmp_path / "out"
    code, stdout, stderr = call(["run", str(f), *SMALL, "--out", str(out)])
    m = check_error(code, stdout, stderr, {f: f.read_bytes()})
    assert m.group("field") == "demand.posts_per_community" and "more than this model handles" in stderr
    assert not out.exists()


@pytest.mark.parametrize("args, option", [
    (["sweep", "--param", "certification.pass_prob", "0.1:0.5:100000000000000"], "--param"),
    (["sweep", "--param", "certification.pass_prob", "0.1:0.5:10000000"], "--param"),
    (["sensitivity", "--param", "certification.pass_prob=0.1,0.3", "--param", "quits.rate*=0.5,2",
      "--sobol", "1099511627776"], "--sobol"),
    (["sweep", "--param", "demand.communities", "50:50.4:5"], "--param"),
    (["sweep", "--param", "certification.pass_prob=" + "[" * 3000 + "]" * 3000], "--param"),
    (["solve", "--lever", "certification.pass_prob", "--range", "0,5e-324", "--target",
      "certified_share>=0.5@2026"], "--range"),
])
def test_experiment_sizes_and_odd_values_are_refused(tmp_path, args, option):
    out = tmp_path / "out"
    code, stdout, stderr = call([args[0], str(BENCH), *args[1:], *SMALL[:-3], "--out", str(out)])
    m = check_error(code, stdout, stderr, {})
    assert m.group("field") == option or (m.group("where") or "").startswith(option), stderr
    assert len(stderr) < 400 and not out.exists()


def test_calibrate_refuses_a_fractional_range_for_a_whole_number(tmp_path):
    obs = tmp_path / "obs.csv"
    obs.write_text("metric,year,value\nheadcount,2026,9000\n", encoding="utf-8")
    code, stdout, stderr = call(["calibrate", str(BENCH), "--param", "demand.communities=40.5,60.5",
                                 "--observed", str(obs), *SMALL[:-3], "--out", str(tmp_path / "out")])
    check_error(code, stdout, stderr, {})
    assert "whole numbers" in stderr


def test_a_nul_in_the_rosters_path(tmp_path):
    f = scenario(tmp_path, '[population]\nroster = "a\\u0000b.csv"\n')
    code, stdout, stderr = call(["validate", str(f)])
    m = check_error(code, stdout, stderr, {f: f.read_bytes()})
    assert m.group("field") == "population.roster" and "NUL" in stderr


def test_a_long_extends_chain(tmp_path):
    n = 150
    for i in range(1, n):
        (tmp_path / f"d{i}.toml").write_text(f'extends = "d{i + 1}.toml"\n', encoding="utf-8")
    (tmp_path / f"d{n}.toml").write_bytes(BENCH.read_bytes())
    files = {tmp_path / f"d{i}.toml": (tmp_path / f"d{i}.toml").read_bytes() for i in range(1, n + 1)}
    code, stdout, stderr = call(["validate", str(tmp_path / "d1.toml")])
    m = check_error(code, stdout, stderr, files)
    assert m.group("field") == "extends" and "chain" in stderr
    assert call(["validate", str(tmp_path / "d60.toml")])[0] == 0  # 91 files


def test_a_file_name_that_cannot_name_the_scenario_is_blamed_not_its_base(tmp_path):
    base = scenario(tmp_path, 'name = "tiny"\n', "base.toml")
    child = tmp_path / "我的城市.toml"
    child.write_text('extends = "base.toml"\nyears = 2\n', encoding="utf-8")
    code, stdout, stderr = call(["validate", str(child)])
    m = check_error(code, stdout, stderr, {child: child.read_bytes(), base: base.read_bytes()})
    assert m.group("where") == str(child) and m.group("field") == "name", stderr


def test_a_rule_set_by_an_option_is_blamed_on_the_option(tmp_path):
    code, stdout, stderr = call(["validate", str(BENCH), "--set", "demand.rule=households"])
    m = check_error(code, stdout, stderr, {BENCH: BENCH.read_bytes()})
    assert m.group("where") == "--set" and m.group("field") == "demand.rule", stderr


def test_an_empty_target_is_refused_not_ignored(tmp_path):
    code, stdout, stderr = call(["sweep", str(BENCH), "--param", "quits.rate*", "1,2", "--target", "",
                                 *SMALL[:-3], "--out", str(tmp_path / "out")])
    check_error(code, stdout, stderr, {})


# --------------------------------------------------------------------------- a second audit

CASE = "years = 3\n[demand]\ncommunities = 20\n"


def one_line(code, stdout, stderr) -> str:
    """The bad-input rule where the message names a file check_error cannot place (an
    observations file, an environment variable): exit 2, one line, no traceback."""
    assert "Traceback" not in stderr + stdout, stderr
    assert code == 2, f"exit {code}, stderr: {stderr!r}"
    lines = stderr.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    return lines[0]


def calibrate_with(tmp_path, observed, *more):
    f = scenario(tmp_path, CASE)
    return call(["calibrate", str(f), "--param", "quits.rate=0.02,0.3", "--observed", str(observed), *more,
                 *SMALL, "--out", str(tmp_path / "out")])


@pytest.mark.parametrize("name", ["o.csv", "o.toml", "fifo.csv"])
def test_observations_that_are_not_a_regular_file(tmp_path, name):
    """A folder named o.csv ended in IsADirectoryError (exit 1); a FIFO would have waited
    for a writer for ever."""
    import contextlib
    import os
    import threading
    import time
    obs = tmp_path / name
    if name.startswith("fifo"):
        os.mkfifo(obs)

        def unblock():  # a reader of the FIFO (the bug) gets an end of file after a while, not a hang
            time.sleep(5)
            with contextlib.suppress(OSError):  # no reader: nothing to unblock
                os.close(os.open(obs, os.O_WRONLY | os.O_NONBLOCK))
        threading.Thread(target=unblock, daemon=True).start()
    else:
        obs.mkdir()
    line = one_line(*calibrate_with(tmp_path, obs))
    assert name in line and ("is a folder" if obs.is_dir() else "not a regular file") in line, line
    assert not (tmp_path / "out").exists()


def test_an_observed_value_too_large_for_a_number(tmp_path):
    """A 400-digit whole number raised OverflowError, from a TOML file and from Python."""
    from model.errors import UserError
    from model.experiments.calibrate import read_observations
    obs = tmp_path / "o.toml"
    obs.write_text(f'[[observations]]\nmetric = "headcount"\nyear = 2026\nvalue = {10**400}\n',
                   encoding="utf-8")
    line = one_line(*calibrate_with(tmp_path, obs))
    assert "observations[0].value" in line and "finite number" in line and len(line) < 300, line
    with pytest.raises(UserError) as e:
        read_observations([{"metric": "headcount", "year": 2026, "value": 10**400}])
    assert e.value.field == "observations[0].value" and "finite number" in e.value.message


def test_a_csv_row_with_more_fields_than_its_header(tmp_path):
    """pandas took the extra fields as the row's index and shifted the rest: the message
    named metric '150'."""
    obs = tmp_path / "o.csv"
    obs.write_text("metric,year,value\nheadcount,2026,150,9,9\n", encoding="utf-8")
    line = one_line(*calibrate_with(tmp_path, obs))
    assert "row 2" in line and "5 fields where the header has 3" in line and "'150'" not in line, line


@pytest.mark.parametrize("observations", [5, None])
def test_calibrate_from_python_with_observations_of_a_wrong_kind(observations):
    """list(source) raised a raw TypeError."""
    import model
    from model.errors import UserError
    from model.experiments.calibrate import calibrate
    sc = model.load(BENCH, {"years": 2, "demand.communities": 20})
    with pytest.raises(UserError) as e:
        calibrate(sc, {"quits.rate": (0.02, 0.3)}, observations, 2)
    assert e.value.field == "--observed" and "DataFrame" in e.value.message
    assert "list of dicts" in e.value.message


def test_levers_without_their_values_from_python():
    """A list of lever names (no values) raised 'too many values to unpack'."""
    import model
    from model.errors import UserError
    from model.experiments.sensitivity import sensitivity
    from model.experiments.sweep import sweep
    sc = model.load(BENCH, {"years": 2, "demand.communities": 20})
    for call_it in (lambda: sweep(sc, ["quits.rate*"]), lambda: sweep(sc, 5),
                    lambda: sensitivity(sc, "headcount@2026", ["quits.rate*"])):
        with pytest.raises(UserError) as e:
            call_it()
        assert e.value.field == "--param", str(e.value)
        assert "expected each parameter with its" in e.value.message, str(e.value)


def test_experiments_refuse_none_as_model_run_does():
    """None was loaded as the default scenario (model.run(None) is refused)."""
    import model
    from model.errors import UserError
    from model.experiments.compare import compare
    from model.experiments.sweep import sweep
    sc = model.load(BENCH, {"years": 2, "demand.communities": 20})
    for call_it in (lambda: compare([sc, None], reps=2),
                    lambda: sweep(None, {"quits.rate*": [1, 2]}, reps=2)):
        with pytest.raises(UserError) as e:
            call_it()
        assert e.value.field == "scenario" and "got None" in e.value.message


def _output_folder(folder):
    folder.mkdir()
    (folder / ".model-output").write_text("written by the model\n", encoding="utf-8")
    (folder / "summary.csv").write_text("old\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("inside", ["scenario", "base", "roster", "observations"])
def test_an_output_folder_holding_a_file_the_command_reads_is_not_replaced(tmp_path, inside):
    """`run o/c.toml --out o`, where o/ is an earlier run's folder: the run replaced the
    folder and deleted the user's scenario; its base, its roster or calibrate's
    observations inside the folder as well."""
    out = _output_folder(tmp_path / "o")
    home = {k: (out if k == inside else tmp_path) for k in ("scenario", "base", "roster", "observations")}
    base = scenario(home["base"], CASE, "base.toml")
    roster = home["roster"] / "roster.csv"
    if inside == "roster":
        from test_roster import HEADER, people, write
        write(roster, [r[:-1] for r in people(30, 2025)], HEADER[:-1])  # no districts
    f = home["scenario"] / "c.toml"
    body = f'extends = "{base.as_posix()}"\n'
    if inside == "roster":
        body += (f'[population]\nroster = "{roster.as_posix()}"\nheadcount = 0\n')
    f.write_text(body, encoding="utf-8")
    obs = home["observations"] / "obs.csv"
    obs.write_text("metric,year,value\nheadcount,2026,150\n", encoding="utf-8")
    assert call(["validate", f])[0] == 0
    before = {p: p.read_bytes() for p in out.iterdir()}
    if inside == "observations":
        args = ["calibrate", f, "--param", "quits.rate=0.02,0.3", "--observed", obs]
    else:
        args = ["run", f]
    m = check_error(*call([*args, *SMALL, "--out", out]), {})
    assert m.group("field") == "--out" and "would be deleted" in m.group("msg"), m.group("msg")
    assert {p: p.read_bytes() for p in out.iterdir()} == before  # nothing deleted, nothing written


def test_an_output_folder_beside_the_scenario_is_still_replaced(tmp_path):
    """The refusal is for files inside the folder: a run whose scenario sits next to its
    output folder replaces it as before."""
    f = scenario(tmp_path, CASE, "c.toml")
    out = _output_folder(tmp_path / "o")
    assert call(["run", f, *SMALL, "--out", out])[0] == 0
    assert (out / "manifest.json").exists() and f.exists()


def test_a_negative_threshold_on_the_command_line(tmp_path):
    m = check_error(*call(["sweep", BENCH, "--param", "quits.rate*", "1,2", "--target", "headcount<-1@2026",
                           *SMALL[:-3], "--out", tmp_path / "out"]), {})
    assert m.group("field") == "--target", m.group("msg")
    assert "never negative" in m.group("msg") and "0 or more" in m.group("msg")


@pytest.mark.parametrize("args", [["sweep", "--param", "years", "2,3"],
                                  ["solve", "--lever", "years", "--range", "1,3", "--target",
                                   "headcount>=1@2026"],
                                  ["solve", "--lever", "start_year", "--range", "1,3", "--target",
                                   "headcount>=1@2026"]])
def test_a_top_level_field_as_a_lever(tmp_path, args):
    """'years' is not a scenario field (did you mean 'years'?)."""
    f = scenario(tmp_path, CASE)
    m = check_error(*call([args[0], f, *args[1:], *SMALL, "--out", tmp_path / "out"]), {f: f.read_bytes()})
    assert "top-level field" in m.group("msg") and "did you mean" not in m.group("msg"), m.group("msg")


def test_an_empty_scenario_name(tmp_path):
    """Path('') is the working folder: the message named the model's own scenarios/ folder."""
    import model
    from model.errors import UserError
    m = check_error(*call(["run", "", *SMALL, "--out", tmp_path / "out"]), {})
    assert "empty string" in m.group("msg") and "folder" not in m.group("msg"), m.group("msg")
    with pytest.raises(UserError) as e:
        model.load("")
    assert "expected a scenario name or a .toml file, got an empty string" in str(e.value)


def test_an_infinite_end_of_a_search_range(tmp_path):
    m = check_error(*call(["solve", BENCH, "--lever", "quits.rate", "--range", "0.1,inf", "--target",
                           "headcount>=1@2026", *SMALL, "--out", tmp_path / "out"]), {})
    assert m.group("field") == "--range" and "finite" in m.group("msg"), m.group("msg")


def test_a_bad_scheduler_address_from_the_environment_names_the_variable(tmp_path, monkeypatch):
    """The message blamed option '--scheduler', which was never given."""
    pytest.importorskip("distributed")
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "garbage")
    f = scenario(tmp_path, CASE)
    line = one_line(*call(["run", f, *SMALL, "--out", tmp_path / "out"]))
    assert line.startswith("error: environment variable DASK_SCHEDULER_ADDRESS: "), line
    assert "option" not in line, line
    assert not (tmp_path / "out").exists()


def test_compare_with_one_scenario_on_the_command_line(tmp_path):
    """The message named field 'scenarios', compare()'s argument."""
    m = check_error(*call(["compare", BENCH, *SMALL, "--out", tmp_path / "out"]), {})
    assert m.group("field") is None, m.group("msg")
    assert "at least two scenarios" in m.group("msg") and "--variant" in m.group("msg")


@pytest.mark.parametrize("args", [["run", BENCH, "--seed", "١٢٣"], ["run", BENCH, "--reps", "1_0"],
                                  ["sweep", BENCH, "--param", "quits.rate*", "1,2", "--year", "2_026"],
                                  ["compare", BENCH, BENCH, "--year", "٢٠٢٦"]])
def test_whole_numbers_only_in_ascii_digits(tmp_path, args):
    """int() takes other scripts' digits and underscores: they were accepted."""
    m = check_error(*call([*args, "--quiet", "--no-report", "--workers", "1", "--out", tmp_path / "out"]), {})
    assert "expected a whole number" in m.group("msg")
    assert not (tmp_path / "out").exists()


BIG = str(10**400)  # a whole number too large for a float: TOML and the options read it as an int


@pytest.mark.parametrize("args,field", [
    (["sweep", BENCH, "--param", "quits.rate", f"0:{BIG}:3"], "--param"),
    (["sweep", BENCH, "--param", "quits.rate", f"0.1,{BIG}"], "--param"),
    (["solve", BENCH, "--lever", "quits.rate", "--range", f"0,{BIG}", "--target", "headcount>=1@2026"],
     "--range"),
])
def test_a_whole_number_too_large_for_a_float_in_an_option(tmp_path, args, field):
    """math.isfinite raised OverflowError on it: a traceback."""
    m = check_error(*call([*args, *SMALL, "--out", tmp_path / "out"]), {})
    assert m.group("field") == field and "finite numbers" in m.group("msg"), m.group("msg")
    assert len(m.group("msg")) < 300 and not (tmp_path / "out").exists()


def test_a_whole_number_too_large_for_a_float_from_python():
    from model.errors import UserError, number_in
    from model.experiments import common
    for rng in [(0, 10**400), (10**400, 1)]:
        with pytest.raises(UserError, match="two numbers"):
            common.lever_range("quits.rate", rng)
    with pytest.raises(UserError, match="a probability") as e:
        number_in(10**400, "--prob", 0, 1, what="a probability")
    assert len(str(e.value)) < 200


@pytest.mark.parametrize("args,field", [
    (["solve", BENCH, "--lever", "demand.rule", "--range", "fixed,households", "--target",
      "headcount>=1@2026"], "--lever"),
    (["sensitivity", BENCH, "--param", "demand.rule=fixed,households"], "--param"),
])
def test_a_text_lever_with_a_text_range(tmp_path, args, field):
    """The range's ends were made floats before the lever was checked to be a number: a
    ValueError traceback ('could not convert string to float')."""
    m = check_error(*call([*args, *SMALL, "--out", tmp_path / "out"]), {})
    assert m.group("field") == field and "demand.rule is not a number" in m.group("msg"), m.group("msg")
    assert not (tmp_path / "out").exists()


def test_compare_of_horizons_that_do_not_overlap_names_each(tmp_path):
    """The message named field 'scenarios' and no horizon: which file to change was left to guess."""
    later = scenario(tmp_path, 'name = "later"\nstart_year = 2040\nyears = 2\n')
    m = check_error(*call(["compare", BENCH, later, *SMALL, "--out", tmp_path / "out"]), {})
    assert "do not overlap (bench 2025-2034, later 2040-2041)" in m.group("msg"), m.group("msg")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("setting,words", [("demand.communities*=1e400", "a multiplier is a finite number"),
                                           ("demand.communities*=1e308", "far too large")])
def test_a_multiplier_too_large(tmp_path, setting, words):
    """An infinite multiplier, or one that makes a whole number infinite, ended in a
    traceback (OverflowError: cannot convert float infinity to integer)."""
    m = check_error(*call(["run", BENCH, "--set", setting, *SMALL, "--out", tmp_path / "out"]), {})
    assert m.group("field") == "demand.communities*" and words in m.group("msg"), m.group("msg")


@pytest.mark.parametrize("settings,field,words", [
    (["recruitment.cap=10", "recruitment.cap*=0"], "recruitment.cap*",
     "times 0 is 0, and 0 here means no cap"),
    (["dismissal.certificate_deadline*=0.1"], "dismissal.certificate_deadline*",
     "times 0.1 is 0, and 0 here means off")])
def test_a_multiplier_that_reaches_the_switch_at_zero_is_refused(tmp_path, settings, field, words):
    """Where 0 switches a field off (a cap of 0 is no cap), a multiplier that takes a value
    to 0 switched it off where the user scaled it down (a fuzz check of 2026-12-07); a
    field at 0 already may still be scaled (0 stays 0)."""
    sets = [a for s in settings for a in ("--set", s)]
    m = check_error(*call(["run", BENCH, *sets, *SMALL, "--out", tmp_path / "out"]), {})
    assert m.group("field") == field and words in m.group("msg"), m.group("msg")
    assert not (tmp_path / "out").exists()
    import model
    assert model.load("bench", ["recruitment.cap*=0"]).recruitment.cap.value == 0  # the bench's: 0 stays 0
