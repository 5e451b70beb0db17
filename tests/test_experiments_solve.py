"""Tests for ``solve`` (model.experiments.solve): a known answer worked out by hand from
the benchmark's rules, the bisection's guarantees, and a clear error when no value works.

Closed form (scenarios/bench.toml, first year, 2025). Every post is filled on 1 January
(no hires during the year: recruitment is on 1 January only). A worker's tenure ``T`` is
uniform on 0..9; a share ``c0 = 0.4`` holds a certificate; everyone quits during the year
with probability 0.08, independently of everything else (nobody reaches 60, nobody has
two unqualified years yet). Workers with even ``T`` are trained (interval 2) and pass
the mid-year exam with ``p + b`` (``b = 0.10``), the others with ``p``. On 31 December
uncertified workers with ``T >= 3`` are dismissed (certificate deadline: 4 years of service
at the assessment) and are not counted. Per 10 initial workers who do not quit (the quit factor cancels):

    certified  N(p) = 10 c0 + (1 - c0) (10 p + 5 b)             = 4.3 + 6 p
    present    D(p) = N(p) + (1 - c0) sum_{T<3} (1 - p - b [T even])
                    = N(p) + 0.6 (3 - 3 p - 2 b)                = 5.98 + 4.2 p
    share      x(p) = (4.3 + 6 p) / (5.98 + 4.2 p),   p(x) = (5.98 x - 4.3) / (6 - 4.2 x)

(at p = 0.25, x = 0.825; the engine gives 0.823 +- 0.004 at 100 communities).
"""

from __future__ import annotations

import json
import re
import math
import shlex

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS
from robust_helpers import call

import model
from model.cli import main as cli
from model.errors import UserError
from model.experiments.solve import monte_carlo_range, solve
from model.results import paired_proportions


def share(p):
    return (4.3 + 6 * p) / (5.98 + 4.2 * p)


def pass_prob_for(x):
    return (5.98 * x - 4.3) / (6 - 4.2 * x)


def slope(p):
    return (6 * (5.98 + 4.2 * p) - 4.2 * (4.3 + 6 * p)) / (5.98 + 4.2 * p) ** 2


def one_year(communities=200):
    return model.load("bench", {"demand.communities": communities, "years": 1})


@pytest.mark.parametrize("direction, target", [("least", "certified_share>=0.85@2025"),
                                               ("greatest", "certified_share<=0.85@2025")])
def test_solve_finds_the_hand_computed_pass_probability(direction, target):
    """With ``prob = 0.5`` the answer is where the median replication's share crosses
    ``x = 0.85``: under CRN each replication's share rises with ``p``, so the solved
    value is the sample median of the replications' crossing points ``p_r``, whose sd
    is ``sigma / slope`` (sigma: the replications' sd of the share, measured at the
    answer). The median of R = 100 has standard error ``sqrt(pi/2) sigma / (slope sqrt(R))``
    (~0.005 here). Tolerance: 4 standard errors plus the final bracket width; false-alarm
    rate ~ 6e-5 (normal approximation) per case.
    """
    sc = one_year(100)
    x = 0.85
    truth = pass_prob_for(x)
    assert share(truth) == pytest.approx(x)
    s = solve(sc, "certification.pass_prob", 0.0, 0.9, target, prob=0.5, reps=100, seed=3, direction=direction)
    sigma = float(np.std(s.results.at("certified_share", 2025), ddof=1))
    se = math.sqrt(math.pi / 2) * sigma / (slope(truth) * math.sqrt(s.reps))
    width = s.bracket[1] - s.bracket[0]
    assert abs(s.value - truth) <= 4 * se + width, (s.value, truth, se)
    assert s.probability >= 0.5 and s.probability_low <= s.probability <= s.probability_high
    assert s.runs == s.evaluations * 100
    assert width <= 0.9 / 1000 + 1e-12
    # the other end of the bracket fails the requirement (that is what makes it least/greatest)
    other = s.bracket[0] if direction == "least" else s.bracket[1]
    row = s.trace[s.trace.value == other]
    assert len(row) == 1 and row.probability.iloc[0] < 0.5


def test_solve_on_a_whole_number_lever_returns_the_least_whole_value():
    """Certificate deadline k (years): a smaller k dismisses more uncertified workers, so
    the certified share at the end of 2025 falls as k rises; the greatest k with
    P(share >= 0.82) >= 0.5 is whole, meets it, and k + 1 does not (bisection on whole
    numbers ends with a bracket of width 1)."""
    sc = one_year(100)
    s = solve(sc, "dismissal.certificate_deadline", 1, 10, "certified_share>=0.82@2025", prob=0.5, reps=20,
              seed=1, direction="greatest")
    assert s.value == int(s.value) and 1 <= s.value < 10
    assert s.bracket[1] - s.bracket[0] == 1
    tr = s.trace.set_index("value")
    assert tr.loc[s.value, "probability"] >= 0.5 > tr.loc[s.value + 1, "probability"]


def test_a_count_the_model_rounds_is_solved_and_swept_in_whole_numbers():
    """recruitment.cap is a number (it may be drawn) that the model rounds half up: 127.6
    hires a year were reported (an experiments audit), where only whole caps differ. Solve
    ends on a whole value that meets the requirement with one less failing it; sweep's
    evenly spaced grid is whole; a multiplier of it is not a whole number."""
    from model.experiments.common import Lever, parse_values
    assert Lever.parse("recruitment.cap").integer and Lever.parse("training.capacity").integer
    assert not Lever.parse("recruitment.cap*").integer and not Lever.parse("quits.rate[0]").integer
    assert parse_values("0:5:3", Lever.parse("recruitment.cap")) == [0, 3, 5]  # 2.5 rounds half up
    sc = model.load("bench", {"demand.communities": 40, "years": 2})
    s = solve(sc, "recruitment.cap", 1, 200, "headcount>=340@2026", prob=0.7, reps=20, seed=11)
    assert s.value == int(s.value) and s.bracket[1] - s.bracket[0] == 1
    tr = s.trace.set_index("value")
    assert tr.loc[s.value, "probability"] >= 0.7 > tr.loc[s.value - 1, "probability"]

def test_solve_returns_the_range_end_when_it_already_meets_the_target():
    with pytest.warns(UserWarning, match="low end 0.5 already meets the requirement"):
        s = solve(one_year(50), "certification.pass_prob", 0.5, 0.9, "certified_share>=0.5@2025", prob=0.9,
                  reps=5, seed=1)
    assert s.value == 0.5 and s.evaluations == 2 and s.probability == 1.0


def test_solve_at_the_fields_own_limit_says_the_answer_is_the_limit():
    """When the met end of the range is the field's own limit (a probability of 0), the
    answer cannot lie outside the range: the warning says the value is the limit itself."""
    with pytest.warns(UserWarning, match="can be no lower: the least value is 0 itself"):
        s = solve(one_year(50), "quits.rate[0]", 0.0, 0.5, "certified_share>=0.3@2025", prob=0.9, reps=5, seed=1)
    assert s.value == 0.0
    # a multiplier of a field (key*) has no upper limit of its own: the usual warning
    with pytest.warns(UserWarning, match="may lie outside"):
        solve(one_year(50), "certification.pass_prob*", 0.5, 1.0, "headcount>=0@2025", prob=0.9, reps=2, seed=1,
              direction="greatest")


def test_monte_carlo_range_of_the_answer_from_the_values_tried():
    """Required 0.9. Values 0.2 and 0.4 are surely short (95% upper bound below 0.9),
    0.5 is unclear, 0.6 and 0.8 surely meet: the least value lies in [0.4, 0.6]. Falling
    with the lever (greatest), the same trace mirrored gives the range from the sure
    meeting side to the sure failing side."""
    tr = pd.DataFrame({"value": [0.2, 0.4, 0.5, 0.6, 0.8],
                       "probability_low": [0.1, 0.7, 0.85, 0.91, 0.95],
                       "probability_high": [0.3, 0.85, 0.95, 0.99, 1.0]})
    assert monte_carlo_range(tr, 0.9, "least", 0.0, 1.0) == (0.4, 0.6)
    mirrored = tr.assign(value=1 - tr.value)
    assert monte_carlo_range(mirrored, 0.9, "greatest", 0.0, 1.0) == pytest.approx((0.4, 0.6))
    # nothing surely short: the range runs down to the range's own end
    assert monte_carlo_range(tr[tr.value > 0.45], 0.9, "least", 0.0, 1.0) == (0.0, 0.6)


def test_solve_reports_the_monte_carlo_range_around_its_answer():
    s = solve(one_year(50), "certification.pass_prob", 0.0, 1.0, "certified_share>=0.85@2025", prob=0.9,
              reps=40, seed=1)
    assert 0 < s.value < 1 and s.value_low <= s.value <= s.value_high
    tr = s.trace.set_index("value")
    assert s.value_low > 0 and tr.loc[s.value_low, "probability_high"] < 0.9
    assert tr.loc[s.value_high, "probability_low"] >= 0.9


def test_no_value_in_range_is_a_clear_error():
    with pytest.raises(UserError, match=r"no value of certification\.pass_prob in \[0, 0\.1\] reaches"):
        solve(one_year(50), "certification.pass_prob", 0.0, 0.1, "certified_share>=0.95@2025", prob=0.9,
              reps=5, seed=1)


SMALL = ["--set", "demand.communities=40", "--set", "years=1", "--quiet"]


@pytest.mark.parametrize("direction", ["least", "greatest"])
def test_the_printed_answer_lies_in_its_printed_bracket_and_a_sure_value_is_named(tmp_path, capsys,
                                                                                    direction):
    """The bracket is printed rounded outwards and the answer towards the side that meets
    the requirement, so the answer lies within the bracket as printed (it used to fall
    just outside); the printout names the end of the Monte Carlo range that surely meets
    the requirement, since the answer itself falls short about as often as not (found by
    an audit); and a target given on the command line is said not to show in the run's
    targets.csv."""
    import re
    lever, rng, target = (("certification.pass_prob", "0.05,0.9", "certified_share>=0.55@2025")
                          if direction == "least" else ("quits.rate", "0.02,0.4", "headcount>=360@2025"))
    extra = ["--set", "dismissal.enabled=false", "--set", "recruitment.enabled=false"]
    extra += [] if direction == "least" else ["--greatest"]
    assert cli(["solve", "bench", "--lever", lever, "--range", rng, "--target", target, "--prob", "0.8",
                "--reps", "20", "--no-report", "--out", str(tmp_path / "s"), *extra, *SMALL]) == 0
    said = capsys.readouterr().out
    value = float(re.search(r">= 0\.8: ([0-9.]+)\n", said).group(1))
    lo, hi = map(float, re.search(r"bracket \[([0-9.]+), ([0-9.]+)\]", said).groups())
    assert lo <= value <= hi
    low, high = map(float, re.search(r"Monte Carlo range of the answer: ([0-9.]+) to ([0-9.]+)",
                                     said).groups())
    sure = float(re.search(r"; ([0-9.]+) surely meets it", said).group(1))
    assert sure == (high if direction == "least" else low)
    assert "is not one of the scenario's" in said
    if direction == "greatest":
        return
    # where no value tried surely meets the requirement, no value is said to (found by a review)
    assert cli(["solve", "bench", "--lever", "certification.pass_prob", "--range", "0.05,0.9", "--target",
                "certified_share>=0.55@2025", "--prob", "0.95", "--reps", "20", "--no-report", "--out",
                str(tmp_path / "t"), "--set", "dismissal.enabled=false", "--set", "recruitment.enabled=false",
                *SMALL]) == 0
    said = capsys.readouterr().out
    assert "surely meets it" not in said and "no value tried is surely" in said


def test_a_solved_multiplier_runs_as_printed(tmp_path, capsys):
    """solve prints the --set that runs the scenario at its answer; for a multiplier lever
    (KEY*) that --set works too, and gives the solution's probability."""
    out = tmp_path / "s"
    assert cli(["solve", "bench", "--lever", "certification.pass_prob*", "--range", "0.5,3", "--target",
                "certified_share>=0.85@2025", "--prob", "0.5", "--reps", "5", "--tol", "0.01", "--no-report",
                "--out", str(out), *SMALL]) == 0
    said = capsys.readouterr().out.splitlines()
    line = next(x for x in said if "to run the scenario with it:" in x)
    headline = float(next(x for x in said if x.startswith("Least ")).rsplit(": ", 1)[1])
    argv = shlex.split(line.split(": ", 1)[1].split(" (the answer")[0])  # as a shell reads it
    settings = [argv[i + 1] for i, a in enumerate(argv) if a == "--set"]
    assert "python -m model run bench --reps 5 --seed 20250101 --set" in line and line.endswith("rounded up)")
    assert settings[:2] == ["demand.communities=40", "years=1"]
    assert settings[2].startswith("certification.pass_prob*=")
    again = str(tmp_path / "again")
    assert cli(["run", "bench", *(x for o in settings for x in ("--set", o)), "--reps", "5", "--no-report",
                "--out", again, "--quiet"]) == 0
    sol = pd.read_csv(out / "solution.csv").iloc[0]  # at the unrounded answer: the solution's probability
    value = float(sol.value)
    sc = model.load("bench", ["demand.communities=40", "years=1", f"certification.pass_prob*={value!r}"])
    share = model.run(sc, reps=int(sol.reps), seed=int(sol.seed)).at("certified_share", 2025)
    assert (share >= 0.85).mean() == sol.probability
    printed = float(settings[2].partition("=")[2])  # rounded up to the tolerance's digits: at least it
    assert value <= printed < value + 0.01 and headline == printed


def test_the_printed_setting_of_a_whole_vector_lever_is_a_list_that_runs(tmp_path, capsys):
    import re
    assert cli(["solve", "bench", "--lever", "quits.rate", "--range", "0,0.5", "--target",
                "headcount>=250@2025", "--greatest", "--reps", "4", "--tol", "0.01", "--no-report", "--out",
                str(tmp_path / "s"), *SMALL]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if "to run the scenario with it:" in x)
    argv = shlex.split(line.split(": ", 1)[1].split(" (the answer")[0])  # as a shell reads it
    settings = [argv[i + 1] for i, a in enumerate(argv) if a == "--set"]
    assert re.fullmatch(r"quits\.rate=\[[0-9.]+\]", settings[-1]), settings
    assert cli(["run", "bench", *(x for o in settings for x in ("--set", o)), "--reps", "2", "--no-report",
                "--out", str(tmp_path / "r"), "--quiet"]) == 0


def test_cli_solve_writes_and_unreachable_exits_2(tmp_path, capsys):
    out = tmp_path / "s"
    assert cli(["solve", "bench", "--lever", "certification.pass_prob", "--range", "0,0.9", "--target",
                "certified_share>=0.85@2025", "--prob", "0.5", "--reps", "5", "--tol", "0.01", "--out",
                str(out), *SMALL]) == 0
    assert {"solution.csv", "trace.csv", "solve.png", "manifest.json"} <= {p.name for p in out.iterdir()}
    assert "achieved probability" in capsys.readouterr().out
    bad = tmp_path / "bad"
    assert cli(["solve", "bench", "--lever", "certification.pass_prob", "--range", "0,0.1", "--target",
                "certified_share>=0.95@2025", "--reps", "3", "--out", str(bad), *SMALL]) == 2
    err = capsys.readouterr().err
    assert "no value of certification.pass_prob" in err and "Traceback" not in err
    assert not bad.exists()
    assert cli(["solve", "bench", "--lever", "certification.pass_prob", "--range", "0,1.5", "--target",
                "certified_share>=0.95@2025", "--out", str(bad), *SMALL]) == 2
    assert "allowed range" in capsys.readouterr().err


@pytest.mark.parametrize("tol", [float("nan"), float("inf"), 0.0])
def test_tolerance_must_be_a_finite_positive_number(tol):
    """A NaN tolerance passed `tol <= 0` and stopped the bisection at once."""
    with pytest.raises(UserError, match="expected a tolerance above 0"):
        solve(one_year(50), "certification.pass_prob", 0.0, 1.0, "certified_share>=0.85@2025", reps=5, seed=1,
              tol=tol)


@pytest.mark.parametrize("tol", [5e-324, 1e-310, 1e-13])
def test_a_tolerance_finer_than_floating_point_resolves_is_refused(tol):
    """Below 1e-12 of the range's largest end (here 1e-12): the printout's rounding divided by
    10^-324, 0, and raised ZeroDivisionError after the folder was written."""
    with pytest.raises(UserError, match="is finer than a search over"):
        solve(one_year(50), "certification.pass_prob", 0.0, 1.0, "certified_share>=0.85@2025", reps=5, seed=1,
              tol=tol)


def test_solving_for_an_uncertain_input_says_it_drops_that_uncertainty():
    sc = one_year(50).with_overrides({"certification.pass_prob": {"dist": "beta", "mean": 0.3, "sd": 0.05}})
    with pytest.warns(UserWarning, match="certification.pass_prob is uncertain"):
        solve(sc, "certification.pass_prob", 0.0, 1.0, "certified_share>=0.85@2025", prob=0.9, reps=10, seed=1)


def test_messages_name_python_arguments_from_python_and_options_from_the_command_line():
    with pytest.raises(UserError) as e:
        solve(one_year(50), "certification.pass_prob", 0.5, 0.2, "certified_share>=0.85@2025", reps=5, seed=1)
    assert str(e.value).startswith("argument 'lo, hi': ")
    code, out, err = call(["solve", "bench", "--lever", "certification.pass_prob", "--range", "0.5,0.2",
                           "--target", "certified_share>=0.85@2025"])
    assert code == 2 and "option '--range': " in err


def test_a_range_end_that_already_meets_prints_to_the_tolerance(tmp_path):
    """The bracket has zero width: the answer prints to the default tolerance (range /
    1000), not as 0."""
    code, out, err = call(["solve", "bench", "--set", "demand.communities=50", "--set", "years=1",
                           "--lever", "certification.pass_prob", "--range", "0.5,0.9",
                           "--target", "certified_share>=0.5@2025", "--reps", "5", "--quiet", "--no-report",
                           "--out", tmp_path / "s"])
    assert code == 0 and ">= 0.9: 0.5000\n" in out and "warning: the range's low end 0.5 already meets" in out
    said = json.loads((tmp_path / "s" / "manifest.json").read_text(encoding="utf-8"))["warnings"]
    assert len(said) == 1 and said[0].startswith("the range's low end 0.5 already meets")  # kept with the files


def test_an_open_end_of_the_monte_carlo_range_says_why(tmp_path):
    """Payroll is 12 x 2 x monthly pay in one year (2 uncertified workers, no exits), so the least pay
    for 120,000 is exactly 5,000 and every replication meets it at once; with 20
    replications no value is surely meeting it (20 of 20 give a 95% lower bound of 0.839
    < 0.9), so the range's end 7,000 is printed with the reason, and with 40 (lower bound
    0.912) it is not."""
    base = ["solve", "bench", "--set", "demand.communities=1", "--set", "demand.posts_per_community=2",
            "--set", "years=1", "--set", "quits.enabled=false", "--set", "certification.enabled=false",
            "--set", "dismissal.enabled=false", "--set", "population.age=[[30, 30, 1.0]]",
            "--set", "population.certificate=[1, 0, 0, 0]",
            "--lever", "pay.monthly", "--range", "4000,7000", "--target", "payroll>=120000@2025",
            "--quiet", "--no-report"]
    code, out, err = call([*base, "--reps", "20", "--out", tmp_path / "a"])
    assert code == 0, err
    assert "the end 7000 is the range's" in out and "lower bound of 0.839" in out
    code, out, err = call([*base, "--reps", "40", "--out", tmp_path / "b"])
    assert code == 0 and "is the range's" not in out, out
    # the short side: at --prob 0.1 even 0 of 20 meeting give an upper bound of 0.161
    code, out, err = call([*base, "--reps", "20", "--prob", "0.1", "--out", tmp_path / "c"])
    assert code == 0 and "the end 4000 is the range's: no value tried is surely below 0.1" in out, out
    assert "upper bound of 0.161" in out
    code, out, err = call([*base, "--reps", "20", "--prob", "1", "--out", tmp_path / "d"])
    assert code == 0 and "a probability of 1 is never sure" in out, out


def test_solve_refuses_inputs_it_cannot_answer_with_one_message():
    """Each is a UserError naming the argument: a range through 0 where 0 switches the
    field off (training capacity 0 is unlimited: solve answered '0'); a tolerance as wide
    as the range (it printed 1 for 0.6); a range or probability that is not a number; a
    target of another scenario in a year outside this one's horizon (it ran, then
    KeyError)."""
    sc = one_year(30)
    cases = [
        (dict(lever="training.capacity", lo=0, hi=500, target="certified_share>=0.5@2025"), "--range", "no limit"),
        (dict(lever="certification.pass_prob", lo=0.1, hi=0.6, target="certified_share>=0.5@2025", tol=1.0),
         "--tol", "not narrower"),
        (dict(lever="certification.pass_prob", lo="low", hi=0.6, target="certified_share>=0.5@2025"), "--range",
         "expected a number"),
        (dict(lever="certification.pass_prob", lo=0.1, hi=0.6, target="certified_share>=0.5@2025", prob="0.9"),
         "--prob", "required probability in"),
        (dict(lever="certification.pass_prob", lo=0.1, hi=0.6,
              target=next(t for t in model.load("yichang-2021").targets if t.year != 2025)),
         "--target", "outside the horizon"),
        (dict(lever="certification.pass_prob", lo=0.1, hi=0.6, target=None), "--target", "expected a target"),
    ]
    for kw, field, words in cases:
        kw = {"prob": 0.9, "reps": 2, "seed": 1, **kw}
        with pytest.raises(UserError, match=words) as e:
            solve(sc, kw.pop("lever"), kw.pop("lo"), kw.pop("hi"), kw.pop("target"), **kw)
        assert e.value.field == field


def test_solve_for_a_metric_the_scenario_never_defines_is_refused():
    """bench gives no average wage, so pay ratios have no value: a target on one is a user
    error naming --target (solve answered 'at 0.3 it is 0', as if the target were missed)."""
    with pytest.raises(UserError, match="pay_ratio_staff in 2025 has no value") as e:
        solve(one_year(30), "certification.pass_prob", 0.1, 0.6, "pay_ratio_staff<=2@2025", prob=0.9, reps=2, seed=1)
    assert e.value.field == "--target"


@pytest.mark.parametrize("name,given,lever,value", [
    # one element after the user's whole vector (the user's vector stays)
    ("bench", ["years=2", "quits.rate=[0.2]"], "quits.rate[0]", "0.2414"),
    ("nanjing-2018", ["quits.rate=[0.2, 0.2, 0.2]"], "quits.rate[0]", "0.25"),
    # a multiplier of the user's own value, compounded with the user's multiplier, or after it
    ("nanjing-2018", ["quits.rate=[0.2, 0.2, 0.2]"], "quits.rate*", "1.1"),
    ("nanjing-2018", ["quits.rate*=2"], "quits.rate*", "1.1"),
    ("nanjing-2018", ["quits.rate*=3"], "quits.rate*", "1.1"),  # 3 x 1.1 is not 3.3 in floating point
    ("nanjing-2018", ["quits.rate*=1.2345678"], "quits.rate*", "1.1"),
    ("bench", ["demand.communities*=1.0005"], "demand.communities*", "1.5"),  # whole numbers round once
    ("nanjing-2018", ["quits.rate*=2", "quits.rate[1]=0.5"], "quits.rate*", "1.1"),
    ("nanjing-2018", ["quits.reference_pay_ratio*=2", "quits.reference_pay_ratio=0.5"],
     "quits.reference_pay_ratio*", "1.5"),
    # a whole vector over the user's element; a point of a schedule the user replaced
    ("nanjing-2018", ["quits.rate[1]=0.5"], "quits.rate", "0.07"),
    ("yichang-2021", ["certification.pass_prob={2021 = 0.1, 2022 = 0.3}"], "certification.pass_prob@2022",
     "0.2"),
    ("yichang-2021", ["certification.pass_prob*=0.5", "years=6"], "certification.pass_prob*", "1.2"),
])
def test_the_printed_settings_give_the_scenario_solved(name, given, lever, value):
    """What solve prints to run its answer (``--set`` options, a later one winning) is the
    scenario it solved: the user's settings with the lever on top."""
    from model.experiments.common import Lever, lever_settings
    sc = model.load(name, given)
    lv = Lever.parse(lever, "--lever")
    printed = lever_settings(lv, value, sc, given)
    solved = lv.apply(sc, float(value))
    again = model.load(name, printed)
    assert again.get(lv.path) == solved.get(lv.path), printed
    assert again.years == solved.years and again.raw == solved.raw


def test_a_later_setting_of_the_same_key_wins():
    sc = model.load("nanjing-2018", ["quits.rate=[0.1, 0.1, 0.1]", "quits.rate[0]=0.5",
                                     "quits.rate=[0.2, 0.2, 0.2]"])
    assert list(sc.raw["quits"]["rate"]) == [0.2, 0.2, 0.2]


def test_an_answer_the_monte_carlo_error_does_not_pin_down_is_said_so(tmp_path, capsys):
    """With 3 replications no estimated probability is surely above or below 0.5 (Wilson:
    3 of 3 give a lower bound of 0.44, 0 of 3 an upper bound of 0.56), so the answer's
    Monte Carlo range is the whole range searched: solve says the value is not a finding."""
    out = tmp_path / "s"
    assert cli(["solve", "bench", "--lever", "certification.pass_prob", "--range", "0.25,0.3", "--target",
                "certified_share>=0.835@2025", "--prob", "0.5", "--reps", "3", "--seed", "1",
                "--tol", "0.001",
                "--out", str(out), *SMALL]) == 0
    printed = capsys.readouterr().out
    sol = pd.read_csv(out / "solution.csv").iloc[0]
    assert (sol.value_low, sol.value_high) == (0.25, 0.3) and not sol.determined
    assert "NOT DETERMINED at 3 replications" in printed
    # the value where the bisection stopped as the headline gives it (0.296875 was 0.297 there, 0.296 here)
    import re
    headline = re.search(r">= 0\.5: ([0-9.]+)\n", printed).group(1)
    assert f"so {headline} is where the bisection stopped" in printed
    assert (out / "solve.png").exists()


def test_solve_mistakes_say_what_to_do():
    sc = one_year(20)
    target = "certified_share>=0.5@2025"
    cases = [(dict(lever="certification.pass_prob", lo=0.5, hi=0.1), "--range", r"\(swap them: 0.1,0.5\)"),
             (dict(lever="certification.pass_prob", lo=0.1, hi=0.5, prob=90), "--prob", r"\(for 90%, write 0.9\)"),
             (dict(lever="pay.floor_basis", lo=0, hi=1), "--lever", "is not a number")]
    for kw, field, words in cases:
        lever, lo, hi = kw.pop("lever"), kw.pop("lo"), kw.pop("hi")
        with pytest.raises(UserError, match=words) as e:
            solve(sc, lever, lo, hi, target, reps=2, seed=1, **kw)
        assert e.value.field == field


def test_the_answers_effects_beside_its_target(tmp_path):
    """Two uncertified workers, no exits, one year: payroll is 12 x 2 x monthly pay, so at
    the answer v the payroll differs from the scenario's (5,000 a month) by exactly
    24 (v - 5000) in every replication (se 0), and the headcount not at all; the scenario's
    own target (added here) is met in both."""
    sc = tmp_path / "two.toml"
    sc.write_text(f"extends = {str(SCENARIOS / 'bench.toml')!r}\n[[targets]]\nname = 'two'\n"
                  "metric = 'headcount'\nyear = 2025\nop = '>='\nthreshold = 2\n", encoding="utf-8")
    base = ["solve", sc, "--set", "demand.communities=1", "--set", "demand.posts_per_community=2",
            "--set", "years=1", "--set", "quits.enabled=false", "--set", "certification.enabled=false",
            "--set", "dismissal.enabled=false", "--set", "population.age=[[30, 30, 1.0]]",
            "--set", "population.certificate=[1, 0, 0, 0]", "--set", "retirement.enabled=false",
            "--lever", "pay.monthly", "--range", "4000,7000", "--target", "payroll>=130000@2025",
            "--reps", "4", "--quiet", "--no-report", "--out", tmp_path / "s"]
    code, out, err = call(base)
    assert code == 0, err
    v = pd.read_csv(tmp_path / "s" / "solution.csv").value[0]
    e = pd.read_csv(tmp_path / "s" / "effects.csv").set_index("name")
    assert list(e.kind) == ["target", "target", "metric", "metric", "metric"] and set(e.year) == {2025}
    assert e.loc["unfilled_posts", "difference"] == 0  # (no hiring: the posts are filled at the start)
    solved = e.loc["payroll>=130000@2025"]  # the target solved for, not one of the scenario's: 120,000 before
    assert (solved.baseline, solved.answer) == (0, 1)
    assert (e.loc["two", "baseline"], e.loc["two", "answer"], e.loc["two", "difference"]) == (1, 1, 0)
    assert e.loc["headcount", "difference"] == 0 and e.loc["headcount", "difference_se"] == 0
    assert e.loc["payroll", "baseline"] == pytest.approx(24 * 5000, rel=1e-9)
    assert e.loc["payroll", "difference"] == pytest.approx(24 * (v - 5000), rel=1e-9)
    assert e.loc["payroll", "difference_se"] == pytest.approx(0, abs=1e-6)
    assert "at the answer, against the scenario as it stands (4 replications, the same random numbers)" in out
    # a target met or not: Newcombe's paired interval, which has width where the t-interval (se
    # 0) has none, both when nothing changes and when every replication changes the same way
    same, flipped = paired_proportions(np.ones(4), np.ones(4)), paired_proportions(np.zeros(4), np.ones(4))
    assert tuple(e.loc["two", ["difference", "difference_low", "difference_high"]]) == pytest.approx(same)
    assert tuple(solved[["difference", "difference_low", "difference_high"]]) == pytest.approx(flipped)
    assert same[1] < 0 < same[2] and flipped[0] == 1 and 0 < flipped[1] < 1 == flipped[2]
    assert f"    P(two): 1.000 -> 1.000 (+0.000, 95% interval {same[1]:+.3f} to {same[2]:+.3f})" in out
    assert e.loc["payroll", "difference_low"] == pytest.approx(e.loc["payroll", "difference"], rel=1e-9)


def test_the_answers_effects_share_the_scenarios_random_numbers(tmp_path):
    """Pay moves no one (bench's quits do not read pay): on the same random numbers the
    answer's headcount equals the scenario's in every replication (difference 0, se 0),
    though it differs between replications; with other random numbers it would not."""
    code, out, err = call(["solve", "bench", "--set", "demand.communities=20", "--set", "years=2", "--lever",
                           "pay.monthly", "--range", "4000,8000", "--target", "payroll>=1.5e7@2026",
                           "--reps", "6", "--quiet", "--no-report", "--out", tmp_path / "s"])
    assert code == 0, err
    e = pd.read_csv(tmp_path / "s" / "effects.csv").set_index("name")
    assert (e.loc["headcount", "difference"], e.loc["headcount", "difference_se"]) == (0, 0)
    run = model.run(model.load("bench", {"demand.communities": 20, "years": 2}), reps=6)
    assert np.ptp(run.at("headcount", 2026)) > 0  # it varies between replications
    assert e.loc["headcount", "baseline"] == pytest.approx(run.at("headcount", 2026).mean(), rel=1e-12)


def test_an_answer_at_the_ranges_own_end_says_to_widen_the_range(tmp_path, capsys):
    """Where the range's own end already meets the requirement, the printout says to widen
    the range there, not that more replications would settle it (found by a policy-team
    audit: 'NOT DETERMINED ... use more replications'); and a target expression that states
    one of the scenario's targets is not called 'not one of the scenario's', nor given a second
    row in effects.csv."""
    f = tmp_path / "t.toml"
    f.write_text(f'extends = "{(SCENARIOS / "bench.toml").as_posix()}"\nyears = 1\n[demand]\n'
                 'communities = 20\n[[targets]]\nname = "a hundred"\nmetric = "headcount"\nyear = 2025\n'
                 'threshold = 100\n', encoding="utf-8")
    assert cli(["solve", str(f), "--lever", "quits.rate", "--range", "0.02,0.1", "--target",
                "headcount>=100@2025", "--prob", "0.5", "--greatest", "--reps", "5", "--no-report", "--quiet",
                "--out", str(tmp_path / "s")]) == 0
    said = capsys.readouterr().out
    assert "AT THE END OF THE RANGE: 0.1 already meets the requirement" in said and "above 0.1" in said
    # the Monte Carlo range is open on that side (it said '0.1 to 0.1' when nothing was tried beyond)
    assert "Monte Carlo range of the answer: 0.10000 or above (the range's own end already meets" in said
    assert "NOT DETERMINED" not in said and "not one of the scenario's" not in said
    effects = pd.read_csv(tmp_path / "s" / "effects.csv")  # the target once, as the scenario names it
    assert (effects.kind == "target").sum() == 1 and "a hundred" in set(effects.name)
    # at the lever's own limit (a rate of 0) there is nothing to widen: the warning says the answer is 0
    assert cli(["solve", str(f), "--lever", "quits.rate[0]", "--range", "0,0.5", "--target",
                "headcount>=1@2025", "--prob", "0.9", "--reps", "5", "--no-report", "--quiet", "--out",
                str(tmp_path / "z")]) == 0
    said = capsys.readouterr().out
    assert "can be no lower: the least value is 0 itself" in said
    assert "AT THE END OF THE RANGE" not in said and "NOT DETERMINED" not in said


def test_a_lever_value_a_field_cannot_take_is_named_in_the_message():
    """A multiplier that takes an uncertain share's mean past 1 is refused naming the value
    at fault (the message named the lever only: an audit needed four tries to find which end
    of the range it was)."""
    from model.experiments.common import Lever
    sc = model.load("bench", {"certification.pass_prob": {"dist": "beta", "mean": 0.3, "sd": 0.05}})
    lv = Lever.parse("certification.pass_prob*", "--lever")
    lv.apply(sc, 3.0)
    with pytest.raises(UserError, match=r"lever certification\.pass_prob\*=4, field .*0 < mean < 1"):
        lv.apply(sc, 4.0)


def test_a_lever_that_works_the_other_way_is_said_so_first():
    """Quits lower the headcount: the least quit rate meeting headcount >= 150 is not at the
    range's high end, and the low end meets it surely: the error says the probability falls
    as the lever rises and to try --greatest, not first to widen the range (from an audit)."""
    sc = model.load("bench", {"demand.communities": 20, "years": 1, "recruitment.enabled": False,
                              "retirement.enabled": False, "dismissal.enabled": False})
    with pytest.raises(UserError, match=r"falls as quits\.rate\[0\] rises: it is 1 at 0\.05 and 0 at 0\.5 .*"
                                        r"try --greatest") as e:
        solve(sc, "quits.rate[0]", 0.05, 0.5, "headcount>=150@2025", prob=0.9, reps=4, seed=1)
    assert e.value.field == "--range" and "widen" not in str(e.value)


def test_a_policy_teams_rough_edges(tmp_path):
    """From a policy-team audit: a whole-number lever's --tol was set to 1 whatever was asked
    (it now stops at the bracket asked); an unreachable target at the lever's own limit
    said 'widen the range' (it says the lever can go no further, with the metric's mean
    there); a misspelt metric or target name gets a suggestion, a share written as 60% a
    hint; the figure labels the answer as the command prints it (rounded towards the side
    that meets the requirement), not to 4 significant digits."""
    sc = model.load("bench", {"demand.communities": 30, "years": 2})
    s = solve(sc, "recruitment.cap", 1, 601, "headcount>=250@2026", prob=0.5, reps=2, seed=1, tol=50)
    assert s.tol == 50 and s.bracket[1] - s.bracket[0] <= 50 and isinstance(s.value, int)
    with pytest.raises(UserError, match="not narrower than the range"):
        solve(sc, "recruitment.cap", 1, 601, "headcount>=280@2026", reps=2, seed=1, tol=600)
    with pytest.raises(UserError, match=r"the mean of certified_share there is 0\.\d+ \(0\.\d+ at 0\.5\); "
                                        r"certification\.sit_prob can go no higher than 1, so this lever "
                                        r"alone cannot meet it") as e:
        solve(sc, "certification.sit_prob", 0.5, 1, "certified_share>=0.99@2025", reps=2, seed=1)
    assert e.value.field == "--range" and "widen the range" not in str(e.value)
    typo = r"unknown metric 'certifed_share' \(did you mean 'certified_share'\?\)"
    with pytest.raises(UserError, match=typo):
        solve(sc, "certification.sit_prob", 0.5, 1, "certifed_share>=0.6@2026", reps=2, seed=1)
    with pytest.raises(UserError, match=r"a share as a number: 0.6, not 60%"):
        solve(sc, "certification.sit_prob", 0.5, 1, "certified_share>=60%@2026", reps=2, seed=1)
    from model.report.experiments import solve_trace
    s = solve(sc, "certification.pass_prob", 0.1, 0.9, "certified_share>=0.65@2026", prob=0.5, reps=2, seed=1)
    fig = solve_trace(s)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert s.value == pytest.approx(0.15625)  # the bisection of [0.1, 0.9] stopped there
    assert s.digits == 4 and s.rounded_safe(s.value) == "0.1563"  # the tolerance 0.0008: 4 places, rounded up
    assert any(lab.endswith(": 0.1563") for lab in labels), labels  # as the command prints it


def test_a_range_end_the_scenario_cannot_take_is_blamed_on_the_range_with_the_reach():
    """A policy-team audit: a multiplier range whose high end takes an uncertain value's
    mean out of its distribution's range was blamed on --lever with the distribution's
    words alone; it names --range, the end, and how far the range can reach (bisection:
    the value given works, a little more does not)."""
    from model.experiments.common import Lever
    sc = model.load("yichang-2021", {"years": 2})
    lv = Lever.parse("certification.sit_prob*", "--lever")
    said = (r"sit_prob\* = 2 \(the range's high end\) is not a valid value.*needs 0 < mean < 1; the range can "
            r"reach about ([\d.]+) from 0.5")
    with pytest.raises(UserError, match=said) as e:
        lv.check_ends(sc, 0.5, 2, "--range")
    assert e.value.field == "--range"
    reach = float(re.search(r"reach about ([\d.]+)", str(e.value)).group(1))
    lv.apply(sc, reach)  # works
    with pytest.raises(UserError):
        lv.apply(sc, reach * 1.001)  # a little more does not
    lv.check_ends(sc, 0.5, reach, "--range")  # a range within reach passes


def test_every_way_out_of_solve_closes_its_counter_once(counters_made, monkeypatch):
    """The counter of values tried was closed by hand at three exits: an interrupted run
    (or any other error in a run) left it open. Now every exit closes it, once."""
    from model.experiments import common
    made = counters_made
    sc, lever = one_year(30), "certification.pass_prob"
    solve(sc, lever, 0.0, 1.0, "certified_share>=0.85@2025", reps=2, seed=1, tol=0.2, quiet=False)
    with pytest.raises(UserError, match="reaches"):  # the range's good end short of the target
        solve(sc, lever, 0.0, 0.1, "certified_share>=0.95@2025", reps=2, seed=1, quiet=False)
    with pytest.raises(UserError, match="has no value"):  # the target's metric is never defined
        solve(sc, lever, 0.1, 0.6, "pay_ratio_staff<=2@2025", reps=2, seed=1, quiet=False)

    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(common, "run_many", interrupted)
    with pytest.raises(KeyboardInterrupt):
        solve(sc, lever, 0.0, 1.0, "certified_share>=0.85@2025", reps=2, seed=1, quiet=False)
    assert [c.closed for c in made] == [1, 1, 1, 1]
