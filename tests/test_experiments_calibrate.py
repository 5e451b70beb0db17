"""Tests for ``calibrate`` (model.experiments.calibrate): recovering a quit rate from
observations the model generated itself, flagging a parameter the observations cannot
identify, and reading observation files.

Known answer: in the first year of the benchmark (1,000 workers at 100 communities, all
present on 1 January, no hires during the year) every worker quits with probability
``q`` independently, so ``exits_quit`` in 2025 is Binomial(1000, q) per replication and
the mean over R replications is Binomial(1000 R, q) / R.
"""

from __future__ import annotations

import hashlib
import json
import math
import shlex
import warnings

import numpy as np
import pandas as pd
import pytest

import model
from model.cli import main as cli
from model.errors import UserError
from model.experiments.calibrate import calibrate, read_observations

Q0 = 0.12
R = 20


def one_year():
    return model.load("bench", {"demand.communities": 100, "years": 1})


def observed(seed):
    res = model.run(one_year().with_overrides({"quits.rate": [Q0]}), reps=R, seed=seed)
    return [{"metric": "exits_quit", "year": 2025, "value": float(res.at("exits_quit", 2025).mean())}]


def test_recovers_the_quit_rate_from_its_own_observations():
    """Observations from seed 11, fit on seed 99 (independent draws). The fitted ``q``
    makes the fit run's quit count equal the observed one, so ``q_hat - q0`` is the
    difference of two independent binomial proportions over 1000 R trials: sd
    ``sqrt(2 q0 (1 - q0) / (1000 R)) = 0.0033``. Tolerance 4 sd (false alarm ~ 6e-5).
    The reported Monte Carlo standard error should be that of one proportion,
    ``sqrt(q0 (1 - q0) / (1000 R)) = 0.0023``, up to the error of its estimate: the sd
    of a 20-replication sd is ~16% and the slope's (a count of ~560 uniforms in the
    +-5% step) ~4%, so ~0.17 on the log scale; a factor 2 is 4 sd (false alarm ~ 6e-5)."""
    c = calibrate(one_year(), {"quits.rate": (0.02, 0.3)}, observed(11), reps=R, seed=99)
    sd = math.sqrt(2 * Q0 * (1 - Q0) / (1000 * R))
    assert abs(c.values["quits.rate"] - Q0) <= 4 * sd, c.values
    se = c.parameters.set_index("parameter").loc["quits.rate", "se_mc"]
    assert abs(math.log(se / math.sqrt(Q0 * (1 - Q0) / (1000 * R)))) < math.log(2)
    assert c.identified == {"quits.rate": True} and c.warnings == []
    assert abs(c.fit.residual.iloc[0]) <= 1.0 / R + 1e-9     # matched to one quit in the R replications
    from model.report import experiments as fig
    from model.report.fonts import figure_language
    zh = figure_language("zh")[0] == "zh"  # English where no CJK font is installed
    f = fig.calibration_fit(c, lang="zh")
    assert f.axes[0].get_title() == ("辞职" if zh else "Quits"), f.axes[0].get_title()



def test_one_history_observed_carries_its_own_spread():
    """A city's figure is one history: the observation here is the quit count of one
    replication, Binomial(1000, q0) / 1000 away from q0 by sd sqrt(q0 (1 - q0) / 1000) =
    0.0103, and the fit adds its Monte Carlo error (0.0023): sd 0.0105 in all. The
    quoted se should be that, up to the error of its estimate (a factor 2 is 4 sd, as
    above), where se_mc alone is 4.5 times smaller; the fit is within 4 of those sd."""
    res = model.run(one_year().with_overrides({"quits.rate": [Q0]}), reps=1, seed=11)
    obs = [{"metric": "exits_quit", "year": 2025, "value": float(res.at("exits_quit", 2025)[0])}]
    c = calibrate(one_year(), {"quits.rate": (0.02, 0.3)}, obs, reps=R, seed=99)
    sd = math.sqrt(Q0 * (1 - Q0) / 1000 * (1 + 1 / R))
    row = c.parameters.set_index("parameter").loc["quits.rate"]
    assert abs(math.log(row["se"] / sd)) < math.log(2), row
    assert row["se_mc"] < row["se"] / 3 and math.isnan(row["se_fit"])
    assert abs(c.values["quits.rate"] - Q0) <= 4 * sd

def test_same_seed_recovers_the_rate_to_one_draw():
    """On the generating seed the objective is exactly 0 on the interval of ``q`` between
    the two uniforms around ``q0`` among the 1000 R quit draws (spacing ~ 1/(1000 R) =
    5e-5); it exceeding 5e-4 has probability ~ exp(-10)."""
    c = calibrate(one_year(), {"quits.rate": (0.02, 0.3)}, observed(11), reps=R, seed=11)
    assert c.objective == 0
    assert abs(c.values["quits.rate"] - Q0) < 5e-4


def test_a_parameter_the_observations_do_not_depend_on_is_flagged():
    """Training cost cannot change the quit count: it is reported not identified (with a
    warning) while the quit rate is still recovered (same 4-sd tolerance as above, with
    R = 10 in the fit)."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        c = calibrate(one_year(), {"quits.rate": (0.02, 0.3), "training.cost_per_trainee": (0, 1000)},
                      observed(11), reps=10, seed=99, max_evaluations=60, profile=3)
    assert c.identified == {"quits.rate": True, "training.cost_per_trainee": False}
    assert any("training.cost_per_trainee is not identified" in str(x.message) for x in w)
    sd = math.sqrt(Q0 * (1 - Q0) / (1000 * R) + Q0 * (1 - Q0) / (1000 * 10))
    assert abs(c.values["quits.rate"] - Q0) <= 4 * sd
    prof = c.profile[c.profile.parameter == "training.cost_per_trainee"]
    assert prof.objective.nunique() == 1


def test_observation_files(tmp_path):
    sc = one_year()
    csv = tmp_path / "obs.csv"
    csv.write_text("metric,year,value,weight\nexits_quit,2025,120,2\nheadcount,2025,700,\n", encoding="utf-8")
    df = read_observations(csv, sc)
    assert list(df.weight) == [2.0, 1.0] and list(df.value) == [120.0, 700.0]
    toml = tmp_path / "obs.toml"
    toml.write_text('[[observations]]\nmetric = "exits_quit"\nyear = 2025\nvalue = 120\nsource = "x"\n',
                    encoding="utf-8")
    assert read_observations(toml, sc).source.iloc[0] == "x"
    with pytest.raises(UserError, match="file not found"):
        read_observations(tmp_path / "none.csv", sc)


@pytest.mark.parametrize("rows, message", [
    ("no_metric,2025,1", r"bad\.csv, field 'row 2\.metric': unknown metric"),
    ("exits_quit,2031,1", "outside the horizon"),
    ("exits_quit,2025,abc", r"row 2\.value': expected a number"),
    ("exits_quit,2025,1\nexits_quit,2025,2", "observed twice"),
    ("certified_share,2025,60", r"row 2\.value': certified_share is a share .* 60 cannot be its value; write 0\.6"),
    ("certified_share,2025,-0.2", r"row 2\.value': .*give a value in 0\.\.1"),
    ("headcount,2025,-5", r"row 2\.value': headcount cannot be negative"),
])
def test_bad_observation_file(tmp_path, rows, message):
    """One bad file per error kind."""
    bad = tmp_path / "bad.csv"
    bad.write_text(f"metric,year,value\n{rows}\n", encoding="utf-8")
    with pytest.raises(UserError, match=message):
        read_observations(bad, one_year())


def test_cli_calibrate(tmp_path, capsys):
    obs = tmp_path / "obs.csv"
    obs.write_text("metric,year,value\nexits_quit,2025,24\n", encoding="utf-8")
    out = tmp_path / "c"
    common = ["--set", "demand.communities=20", "--set", "years=1", "--reps", "4", "--quiet"]
    assert cli(["calibrate", "bench", "--param", "quits.rate=0.02,0.3", "--observed", str(obs), "--profile", "3",
                "--out", str(out), *common]) == 0
    assert {"parameters.csv", "fit.csv", "profile.csv", "metrics.csv", "calibration.png",
            "manifest.json"} <= {p.name for p in out.iterdir()}
    assert (out / "metrics.csv").read_text().splitlines()[:2] == [
        "metric,unit,definition", f"exits_quit,workers/year,{model.metrics.definition('exits_quit')}"]
    printed = capsys.readouterr().out
    assert "quits.rate" in printed
    # the run it prints reproduces the fit: quits.rate has bands, so it is given as a list (a
    # number was printed, which --set refuses for a vector field), the value exactly
    line = next(x for x in printed.splitlines() if "to run the scenario with it:" in x)
    argv = shlex.split(line.split("python -m model ", 1)[1])
    assert "--set" in argv and argv[argv.index("--set", argv.index("years=1")) + 1].startswith("quits.rate=[")
    assert cli([*argv, "--out", str(tmp_path / "run"), "--no-report", "--quiet"]) == 0
    fit = pd.read_csv(out / "fit.csv")
    ran = pd.read_csv(tmp_path / "run" / "summary.csv").query("metric == 'exits_quit' and year == 2025")
    assert float(ran["mean"].iloc[0]) == pytest.approx(float(fit.simulated.iloc[0]), rel=1e-12)
    recorded = json.loads((out / "manifest.json").read_text())["observations"]
    assert recorded == {"path": str(obs.resolve()), "sha256": hashlib.sha256(obs.read_bytes()).hexdigest()}
    bad = tmp_path / "bad"
    obs.write_text("metric,year,value\nnope,2025,24\n", encoding="utf-8")
    assert cli(["calibrate", "bench", "--param", "quits.rate=0.02,0.3", "--observed", str(obs), "--out", str(bad),
                *common]) == 2
    err = capsys.readouterr().err
    assert "obs.csv" in err and "unknown metric" in err and "Traceback" not in err
    assert not bad.exists()


def test_one_replication_gives_no_standard_error():
    """One replication says nothing of the spread: se is NaN, with a warning, not 0."""
    with pytest.warns(UserWarning, match="need at least 2 replications"):
        c = calibrate(one_year(), {"quits.rate": (0.02, 0.3)}, observed(11), reps=1, seed=99)
    assert math.isnan(c.parameters.set_index("parameter").loc["quits.rate", "se"])


def test_several_observations_of_one_history():
    """Three observations of one history: the quits of each of 3 years, each year's 1,000
    workers (refilled every 1 January) quitting independently, so the three together
    weigh like 3,000 Binomial trials: the fit's sd is sqrt(q0 (1 - q0) / 3000) = 0.0059,
    times sqrt(1 + 1/R) for its own Monte Carlo error. hypot(se_mc, se_history) should be
    that, up to the error of a 20-replication estimate (a factor 2, as above); the misfit
    error is given (3 observations, 1 parameter); the fit is within 4 quoted se."""
    sc = model.load("bench", {"demand.communities": 100, "years": 3})
    res = model.run(sc.with_overrides({"quits.rate": [Q0]}), reps=1, seed=11)
    obs = [{"metric": "exits_quit", "year": y, "value": float(res.at("exits_quit", y)[0])} for y in (2025, 2026, 2027)]
    c = calibrate(sc, {"quits.rate": (0.02, 0.3)}, obs, reps=R, seed=99)
    row = c.parameters.set_index("parameter").loc["quits.rate"]
    sd = math.sqrt(Q0 * (1 - Q0) / 3000 * (1 + 1 / R))
    assert abs(math.log(math.hypot(row["se_mc"], row["se_history"]) / sd)) < math.log(2), row
    assert math.isfinite(row["se_fit"])
    assert abs(c.values["quits.rate"] - Q0) <= 4 * row["se"]


def test_a_low_and_a_high_observation_weigh_alike():
    """Two years of quits, each year's 1,000 workers refilled on 1 January and quitting
    independently, so each year's simulated mean is 1000 R-draws' share below the rate:
    nearly E_y q / q0. Observed 20% below the mean at q0 in one year and 20% above in the
    other, a fit weighing both alike lands on q0 (the residuals cancel there). Scaled by the
    observed values (as before), the low one weighs (1.2 / 0.8)^2 = 2.25 times the high one
    and the fit lands at q0 (1/0.8 + 1/1.2) / (1/0.64 + 1/1.44) = 0.923 q0: the bias of a
    scale that moves with the observation. In general, with scales s_y fixed, weighted least
    squares on means E_y q / q0 lands at q0 sum(f_y w_y) / sum(w_y), w_y = (E_y / s_y)^2:
    q0 itself with the simulated means at the start (q0 here) as scales, and with each
    year's sd (scale="sd") the average of 0.8 and 1.2 weighted by (E_y / sd_y)^2. The fit
    wanders about that point: its ends balance where the two years' simulated counts (step
    functions of q) change alike against residuals of +-20%, and over 12 seeds (90-101) it
    fell off by sd 1.1% (relative) and 2.3% (sd). Checked within 4 of those sd: 4.5%, which
    the old scale's 0.923 misses, and 9% for sd. (Here the two years' sds are nearly alike,
    so sd's point is within 1% of q0 too: this case checks that sd does not bias the fit,
    not that its weights differ from relative's.)"""
    sc = model.load("bench", {"demand.communities": 100, "years": 2, "quits.rate": [Q0]})
    res = model.run(sc, reps=R, seed=99)
    mean = np.array([res.at("exits_quit", y).mean() for y in (2025, 2026)])
    f = np.array([0.8, 1.2])
    obs = [{"metric": "exits_quit", "year": y, "value": float(v)} for y, v in zip((2025, 2026), f * mean)]
    wants = {}
    for scale, within in (("relative", 0.045), ("sd", 0.09)):
        c = calibrate(sc, {"quits.rate": (0.02, 0.3)}, obs, reps=R, seed=99, scale=scale, profile=0)
        w = (mean / c.fit.scale.to_numpy()) ** 2
        wants[scale] = want = float((f * w).sum() / w.sum())
        assert abs(c.values["quits.rate"] / Q0 - want) < within, (scale, want, c.values)
    # relative weighs the two years alike: its point is q0 itself, whatever the seed
    assert wants["relative"] == pytest.approx(1.0, abs=1e-12), wants


def test_the_scale_of_each_residual():
    """relative: the simulated mean at the start; sd: one replication's sd there, at least
    SD_FLOOR of the mean; where the start has no value or a mean of 0, the observed value's
    size, else 1; absolute: 1."""
    from types import SimpleNamespace

    from model.experiments.calibrate import SD_FLOOR, _Problem
    obs = pd.DataFrame({"metric": ["a", "b", "c", "d", "e"], "year": [2025] * 5,
                        "value": [50.0, 7.0, 5.0, 0.0, 3.0], "weight": [1.0] * 5})
    at = {"a": [8.0, 12.0], "b": [0.0, 0.0], "c": [np.nan, np.nan], "d": [0.0, 0.0], "e": [3.0, 3.0]}
    res = SimpleNamespace(at=lambda m, y: np.array(at[m]))
    want = {"relative": [10.0, 7.0, 5.0, 1.0, 3.0],
            "sd": [np.std([8.0, 12.0], ddof=1), 7.0, 5.0, 1.0, SD_FLOOR * 3.0],
            "absolute": [1.0] * 5}
    for scale, s in want.items():
        pb = _Problem(None, obs, [(0.0, 1.0)], scale)
        pb.set_scale(res)
        np.testing.assert_allclose(pb.s, s, rtol=1e-12, err_msg=scale)


def closed_cohort():
    """200 workers whose only exits are quits (q 0.1) and deaths (d 0.03), over 3 years."""
    return model.load("bench", {"demand.communities": 20, "years": 3, "recruitment.enabled": False,
                                "certification.enabled": False, "training.enabled": False,
                                "assessment.enabled": False, "dismissal.enabled": False,
                                "retirement.enabled": False, "quits.rate": [0.1], "quits.death_rate": 0.03})


def test_a_fit_that_the_end_of_the_range_matches_as_well_is_at_the_edge():
    """An observed headcount of 100 of the 200 workers a year on needs q near 0.5, far above
    the range's top, 0.3: the best fit is the top. With common random numbers the simulated
    means at the top and at a point just below it tie (141.2 at 20 replications), and the fit
    kept the point found first, 0.2995: 0.0005 from the end, more than the 0.1% of the range
    the edge test allowed, so no warning was given. An end that fits as well is the edge."""
    obs = [{"metric": "headcount", "year": 2025, "value": 100.0}]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        c = calibrate(closed_cohort(), {"quits.rate": (0.02, 0.3)}, obs, reps=R, seed=8, profile=0)
    assert c.values["quits.rate"] > 0.29
    assert c.parameters.note.iloc[0] == "at the edge of its range"
    assert any("at the edge of its range [0.02, 0.3]" in str(x.message) for x in w)


def test_an_observation_no_value_reaches_is_named_and_the_limit_said():
    """200 workers, no hiring: an observed headcount of 260 a year on is more than the
    workforce. The fit is quits.rate 0, the field's own limit: the warning says it can go
    no lower (not that the best value may lie outside the range) and names the observation
    the fit does not reproduce (simulated 200, which does not vary). It had been fitted with
    se 0 and no word of the misfit (found by an audit). An observation within reach
    (headcount 180, q about 0.07 with deaths 0.03) gives neither warning."""
    far = [{"metric": "headcount", "year": 2025, "value": 260.0}]
    c = calibrate(closed_cohort().with_overrides({"quits.death_rate": 0.0}), {"quits.rate": (0.0, 0.3)}, far,
                  reps=R, seed=8, profile=0)
    assert c.values["quits.rate"] == 0.0
    said = " ".join(c.warnings)
    assert "quits.rate can go no lower" in said and "may lie outside" not in said
    assert "does not reproduce 1 observation: headcount 2025: observed 260, simulated 200" in said
    near = [{"metric": "headcount", "year": 2025, "value": 180.0}]
    c = calibrate(closed_cohort(), {"quits.rate": (0.0, 0.3)}, near, reps=R, seed=8, profile=0)
    assert not any("reproduce" in w or "go no lower" in w for w in c.warnings), c.warnings


def test_two_parameters_seen_only_through_their_product_are_not_separately_identified():
    """Headcount alone, with quits and deaths the only exits, depends on (1 - q)(1 - d): the
    observations fix that product, not q and d apart. Monte Carlo noise keeps J'J off exact
    singularity (its condition number was 3.8e3 in an audit, never the 1e8 tested), so
    the warning never came; the two columns of J pointing over 99% the same way, with
    standard errors loose (above a tenth of the ranges: about 0.2 of 0.28 and 0.3 here), give it.
    Observed also through the quits and the deaths, the two are identified."""
    sc = closed_cohort()
    truth = model.run(sc, reps=R, seed=3)
    seen = lambda ms: [{"metric": m, "year": y, "value": float(truth.at(m, y).mean())}  # noqa: E731
                       for m in ms for y in (2025, 2026, 2027)]
    ranges = {"quits.rate": (0.02, 0.3), "quits.death_rate": (0.0, 0.3)}
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        c = calibrate(sc, ranges, seen(["headcount"]), reps=R, seed=8, max_evaluations=80)
    assert c.identified == {"quits.rate": False, "quits.death_rate": False}
    assert set(c.parameters.note) == {"not separately identified"}
    assert any("quits.rate, quits.death_rate are not separately identified" in str(x.message) for x in w)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        both = calibrate(sc, ranges, seen(["headcount", "exits_quit", "exits_death"]), reps=R, seed=8,
                         max_evaluations=80)
    assert both.identified == {"quits.rate": True, "quits.death_rate": True}
    assert not any("separately" in str(x.message) for x in w)


def test_two_parameters_aligned_but_each_pinned_down_are_identified():
    """Pay growth and pay level seen through the pay per worker-year of late years move the
    simulated means 99.1% the same way, yet the observations fix both (se about 0.0002 of a
    range of 0.1 and 0.0009 of 1): not flagged (the alignment test alone flagged them, found
    by a review). The observations are the means of 20 replications at seed 3 and the fit
    runs on independent ones (seed 8): each value within 4 of its quoted standard errors,
    which hold one history's spread, wider than a 20-replication mean's, so the bound is
    conservative (false alarm below 6e-5). The fit starts away from the truth (growth 0.07:
    the scenario's own value is where a fit starts) and must converge."""
    sc = model.load("bench", {"demand.communities": 20, "years": 8, "pay.growth": 0.04})
    truth = model.run(sc, reps=20, seed=3)
    m = "payroll_per_worker_year"
    obs = [{"metric": m, "year": y, "value": float(truth.at(m, y).mean())} for y in (2030, 2031, 2032)]
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        c = calibrate(sc.with_overrides({"pay.growth": 0.07}), {"pay.growth": (0.0, 0.1),
                                                                "pay.monthly*": (0.5, 1.5)},
                      obs, reps=5, seed=8, max_evaluations=150)
    assert c.identified == {"pay.growth": True, "pay.monthly*": True}
    assert not any("separately" in str(x.message) or "converg" in str(x.message) for x in w)
    se = c.parameters.set_index("parameter").se
    assert abs(c.values["pay.growth"] - 0.04) < 4 * se["pay.growth"]
    assert abs(c.values["pay.monthly*"] - 1) < 4 * se["pay.monthly*"]


def test_parameters_given_as_a_list_of_names_are_refused_saying_what_is_expected():
    with pytest.raises(UserError, match="each parameter with its range"):
        calibrate(one_year(), ["quits.rate"], [{"metric": "headcount", "year": 2025, "value": 450}], reps=2)


def test_a_whole_number_over_a_short_range_is_fitted_by_trying_every_value():
    """A whole-number parameter (the certificate deadline, 1..6 years) over a range shorter
    than max_evaluations: every value is tried, once, and the fit is the best of them; a
    bounded search stalled on the flat steps rounding makes and could return a value worse
    than one it had tried (and than the range's ends). Bad settings are one message each."""
    sc = model.load("bench", {"demand.communities": 30, "years": 4})
    truth = model.run(sc.with_overrides({"dismissal.certificate_deadline": 2}), reps=R, seed=5)
    obs = [{"metric": "headcount", "year": y, "value": float(truth.at("headcount", y).mean())}
           for y in (2027, 2028)]
    c = calibrate(sc, {"dismissal.certificate_deadline": (1, 6)}, obs, reps=4, seed=7)
    assert c.evaluations == 6 and isinstance(c.values["dismissal.certificate_deadline"], int)
    prof = calibrate(sc, {"dismissal.certificate_deadline": (1, 6)}, obs, reps=4, seed=7, profile=6).profile
    assert c.objective <= prof.objective.min() + 1e-12
    for bad, field in [({"max_evaluations": 0}, "--max-evaluations"), ({"profile": -1}, "--profile"),
                       ({"tol": 0.0}, "--tol")]:
        with pytest.raises(UserError) as e:
            calibrate(sc, {"dismissal.certificate_deadline": (1, 6)}, obs, reps=2, seed=7, **bad)
        assert e.value.field == field


def test_an_observed_metric_the_scenario_never_defines_is_refused():
    """bench gives no average wage, so pay ratios are NaN in every replication: observing
    one is a user error naming --observed (it stopped in numpy's SVD, or fitted nothing
    and printed objective nan)."""
    obs = [{"metric": "pay_ratio_staff", "year": 2025, "value": 0.8},
           {"metric": "headcount", "year": 2025, "value": 900.0}]
    with pytest.raises(UserError, match="pay_ratio_staff in 2025 has no value") as e:
        calibrate(one_year(), {"quits.rate": (0.02, 0.3)}, obs, reps=2, seed=1)
    assert e.value.field == "--observed"


def test_cli_calibrate_an_element_the_scenario_lacks(tmp_path, capsys):
    """quits.rate[5] of a one-band quit rate: one message, as sweep gives, not an IndexError."""
    obs = tmp_path / "obs.csv"
    obs.write_text("metric,year,value\nexits_quit,2025,24\n", encoding="utf-8")
    out = tmp_path / "c"
    assert cli(["calibrate", "bench", "--param", "quits.rate[5]=0.01,0.2", "--observed", str(obs), "--out", str(out),
                "--set", "demand.communities=20", "--set", "years=1", "--reps", "2", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "quits.rate[5]" in err and "has 1 element here (0..0)" in err and "Traceback" not in err
    assert not out.exists()


def test_cli_calibrate_prints_and_keeps_the_warning_on_an_uncertain_field(tmp_path, capsys):
    """Fitting a field the scenario draws leaves its uncertainty out: said on the console and
    kept in the manifest, as solve does (the command once silenced it)."""
    obs = tmp_path / "obs.csv"
    obs.write_text("metric,year,value\nexam_passes,2025,300\n", encoding="utf-8")
    out = tmp_path / "c"
    assert cli(["calibrate", "bench", "--param", "certification.pass_prob=0.1,0.5", "--observed", str(obs),
                "--out", str(out), "--set", "demand.communities=20", "--set", "years=1", "--reps", "2", "--quiet",
                "--no-report", "--set", 'certification.pass_prob={dist="beta", mean=0.25, sd=0.05}']) == 0
    printed = capsys.readouterr().out
    kept = json.loads((out / "manifest.json").read_text())["warnings"]
    assert any("certification.pass_prob is uncertain" in w for w in kept)
    assert all(f"warning: {w}" in printed for w in kept)


def test_observations_as_columns_and_a_blank_weight_in_a_table():
    """A dict of columns was told it was 'one row alone: put it in a list'; a DataFrame's empty
    weight (NaN, as pandas reads a blank cell) was refused where a file's blank weight is 1."""
    sc = model.load("bench")
    with pytest.raises(UserError, match=r"got columns \(a dict of lists\): make them a table"):
        read_observations({"metric": ["exits_quit"], "year": [2025], "value": [30]}, sc)
    with pytest.raises(UserError, match="got one row alone: put it in a list"):
        read_observations({"metric": "exits_quit", "year": 2025, "value": 30}, sc)
    table = pd.DataFrame({"metric": ["exits_quit", "headcount"], "year": [2025, 2025], "value": [30, 9000],
                          "weight": [np.nan, 2.0], "source": ["survey", np.nan]})
    read = read_observations(table, sc)
    assert read.weight.tolist() == [1.0, 2.0] and read.source.tolist() == ["survey", ""]  # not "nan"
    with pytest.raises(UserError, match="'value' is missing"):  # not "expected a finite number, got nan"
        read_observations(table.assign(value=[30, np.nan]), sc)


def test_scale_sd_needs_two_replications_and_a_small_start_is_warned():
    """One replication has no sd: scale='sd' is refused (it would fall to 0.1% of the mean).
    A start whose simulated mean is under a tenth of the observed value (quits at 0.005 of
    1,000 workers, about 5, against 100 observed) is warned; the fit table gives each scale."""
    with pytest.raises(UserError, match="scale='sd' needs at least 2 replications"):
        calibrate(one_year(), {"quits.rate": (0.02, 0.3)}, observed(11), reps=1, seed=99, scale="sd")
    sc = one_year().with_overrides({"quits.rate": [0.005]})
    obs = [{"metric": "exits_quit", "year": 2025, "value": 100.0}]
    c = calibrate(sc, {"quits.rate": (0.001, 0.3)}, obs, reps=4, seed=99)
    assert any("is under a tenth of the observed 100" in w for w in c.warnings), c.warnings
    start = model.run(sc, reps=4, seed=99).at("exits_quit", 2025).mean()
    assert c.fit.scale.iloc[0] == pytest.approx(start, rel=1e-12)


def test_se_fit_does_not_divide_by_rounding():
    """One noisy observation that the parameter moves and one with no spread that it does not:
    one history's noise lies wholly in the Jacobian's span, so the misfit that noise would
    leave is 0 in exact arithmetic (about 1e-15 in floating point). se_fit then falls back to
    the textbook formula, sqrt(diag(A) SSR / (n - k)), over 200 random slopes and spreads (it
    was 3e6 at one in five of them)."""
    from model.experiments import calibrate as C

    class Lever:
        integer, name = False, "quits.rate"

    rng = np.random.default_rng(0)
    for _ in range(200):
        j, s2 = rng.uniform(50, 2000), rng.uniform(0.5, 3.0)

        class Problem:
            sw, s, v = np.ones(2), np.array([100.0, 20.0]), np.array([10.0, 21.0])

            def means(self, th, j=j):
                return np.array([j * th[0], 20.0]), None, None

            def objective(self, th):
                return float(np.sum(((self.means(th)[0] - self.v) / self.s) ** 2))
        pb, theta = Problem(), np.array([0.1])
        rvec = (pb.means(theta)[0] - pb.v) / pb.s
        history = (np.array([[s2, 0.0], [0.0, 0.0]]), 8)
        row = C._identification(pb, [Lever()], [(0.0, 1.0)], theta, rvec, history, float(rvec @ rvec), [],
                                theta).iloc[0]
        textbook = math.sqrt((100.0 / j) ** 2 * float(rvec @ rvec) / (2 - 1))  # A = 1 / (j / 100)^2
        assert row.se_fit == pytest.approx(textbook, rel=1e-9), (j, s2, row.se_fit)


def test_every_way_out_of_calibrate_closes_its_counter_once(counters_made, monkeypatch):
    """The counter of points run was closed by hand at the end only: a refusal after it was
    made (scale 'sd' from one replication, an observed metric with no value) or an
    interrupted run left it open. Now every exit closes it, once, and a refusal that needs
    no run comes before it is made."""
    from model.experiments import common
    made = counters_made
    sc, param = model.load("bench", {"demand.communities": 20, "years": 1}), {"quits.rate": (0.02, 0.3)}
    obs = [{"metric": "exits_quit", "year": 2025, "value": 20.0}]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (stopped before converging: 3 points)
        calibrate(sc, param, obs, reps=2, seed=1, max_evaluations=3, profile=0, quiet=False)
    with pytest.raises(UserError, match="scale='sd' needs at least 2 replications"):
        calibrate(sc, param, obs, reps=1, seed=1, scale="sd", quiet=False)
    with pytest.raises(UserError, match="pay_ratio_staff in 2025 has no value"):
        calibrate(sc, param, [{"metric": "pay_ratio_staff", "year": 2025, "value": 0.8}], reps=2, seed=1,
                  quiet=False)

    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(common, "run_many", interrupted)
    with pytest.raises(KeyboardInterrupt):
        calibrate(sc, param, obs, reps=2, seed=1, quiet=False)
    assert made and all(c.closed == 1 for c in made), [c.closed for c in made]
    assert len(made) == 3  # none for the refusal before any run
