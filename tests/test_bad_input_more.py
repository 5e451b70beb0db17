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
