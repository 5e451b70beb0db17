"""The Python API as a researcher uses it in a notebook: tables that stay consistent,
and a user's mistake named where it is made. Found by an audit of the API: tables
cached before an edit in place, a confidence level of 95 taken as given, a misspelt
metric giving an empty table, ``model.run(None)`` running the default scenario."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import model
from conftest import ROOT
from model.errors import UserError
from model.experiments.compare import compare
from model.experiments.sweep import sweep


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The benchmark's rules over 50 communities and 2 years, with a target."""
    f = tmp_path_factory.mktemp("api") / "small.toml"
    f.write_text(f'extends = "{(ROOT / "scenarios" / "bench.toml").as_posix()}"\n'
                 'years = 2\n[demand]\ncommunities = 50\n'
                 '[[targets]]\nname = "460 workers"\nmetric = "headcount"\nyear = 2026\nop = ">="\n'
                 'threshold = 460\nsource = "a test"\n', encoding="utf-8")
    return model.load(f)


@pytest.fixture(scope="module")
def comparison(small):
    return compare([small, small.with_overrides({"quits.rate": [0.2]})], reps=3, seed=1)


def test_tables_follow_values_changed_in_place(small):
    res = model.run(small, reps=3, seed=1)
    i = res.metrics.index("headcount")
    before = res.summary()
    res.values[:, :, i] *= 2
    after = res.summary()
    got = after.loc[after.metric == "headcount", "mean"].to_numpy()
    np.testing.assert_allclose(got, 2 * before.loc[before.metric == "headcount", "mean"].to_numpy())
    np.testing.assert_allclose(got, res.per_replication().query("metric == 'headcount'")
                               .groupby("year").value.mean().to_numpy())


@pytest.mark.parametrize("level", [95, 1.5, -1, 0, 1, "0.9", float("nan")])
def test_a_confidence_level_outside_0_1_is_refused(small, level):
    res = model.run(small, reps=3, seed=1)
    with pytest.raises(UserError, match="confidence level"):
        res.targets(level=level)


def test_a_metric_table_names_its_axes(small):
    tab = model.run(small, reps=3, seed=1).metric("headcount")
    assert (tab.index.name, tab.columns.name) == ("rep", "year")
    assert tab.melt().columns.tolist() == ["year", "value"]


def test_quantiles_given_as_a_string_are_refused_as_such(small):
    with pytest.raises(UserError, match="a list of quantiles"):
        model.run(small, reps=3, seed=1).summary(quantiles="0.5")


@pytest.mark.parametrize("args, says", [
    (("certifed_share",), "did you mean 'certified_share'"),
    (("certified_share", 2040), "outside the years compared"),
    (("certified_share", "2026"), "whole number"),
])
def test_a_comparisons_difference_names_a_wrong_metric_or_year(comparison, args, says):
    with pytest.raises(UserError, match=says):
        comparison.difference(*args)


def test_a_comparisons_tables_take_one_metric_by_name(comparison):
    d = comparison.difference("headcount", 2026)
    assert d.index.tolist() == [0] and d.metric.tolist() == ["headcount"]
    t = comparison.table("headcount")
    assert t.metric.tolist() == ["headcount"] and t.difference.iloc[0] == d.difference.iloc[0]
    with pytest.raises(UserError, match="no metric 'typo'"):
        comparison.table(["typo"])
    with pytest.raises(UserError, match="outside"):
        comparison.table(year=1990)


def test_running_none_is_refused():
    with pytest.raises(UserError, match="got None"):
        model.run(None, reps=2)


def test_a_misspelt_scenario_name_gets_a_suggestion():
    with pytest.raises(UserError, match="did you mean 'jilin-2020'"):
        model.load("jilin2020")


def test_a_sweeps_replications_are_those_with_a_value(small):
    """A metric undefined in every replication (grade shares without a grade ladder) is
    a mean over no replication: reps 0, not the replications run."""
    sw = sweep(small, {"quits.rate*": [1.0, 1.5]}, reps=3, seed=1)
    assert sw.output("grade_share_01@2026").reps.tolist() == [0, 0]
    assert sw.output("headcount@2026").reps.tolist() == [3, 3]


def test_sweeping_an_uncertain_field_warns_that_its_uncertainty_is_left_out(small):
    sc = small.with_overrides({"quits.rate": [{"dist": "beta", "mean": 0.08, "sd": 0.01}]})
    with pytest.warns(UserWarning, match="quits.rate is uncertain"):
        sweep(sc, {"quits.rate": [0.05, 0.1]}, reps=2, seed=1)  # every element of the vector
    with pytest.raises(UserError, match="is a number; got \\[0.05\\]"):
        sweep(small, {"quits.rate": [[0.05], [0.1]]}, reps=2, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a multiplier keeps the uncertainty: no warning
        sweep(sc, {"quits.rate*": [1.0, 1.2]}, reps=2, seed=1)


def test_a_comparisons_targets_hold_every_column_of_a_runs(comparison):
    own = comparison.results[0].targets()
    assert len(own) == 1 and set(own.columns) <= set(comparison.targets.columns)
    base = comparison.targets[comparison.targets.scenario == comparison.labels[0]].reset_index(drop=True)
    for c in ("verdict", "first_year_met_p50", "share_never_met", "p05", "p95"):
        assert base[c].equals(own[c]), c


def test_one_observation_alone_is_refused_saying_to_put_it_in_a_list():
    from model.experiments.calibrate import read_observations
    with pytest.raises(UserError, match="a list of rows .* put it in a list"):
        read_observations({"metric": "headcount", "year": 2026, "value": 450.0})
    assert len(read_observations([{"metric": "headcount", "year": 2026, "value": 450.0}])) == 1


def test_payroll_per_worker_year_is_payroll_over_worker_years(small):
    """The cost of a worker-year (a finance bureau sets it beside the average wage): pay at
    5,000 + 200 a month for the certified, so between 60,000 and 62,400 yuan."""
    res = model.run(small, reps=3, seed=1)
    got = res.metric("payroll_per_worker_year").to_numpy()
    np.testing.assert_allclose(got, res.metric("payroll").to_numpy() / res.metric("worker_years").to_numpy(),
                               rtol=1e-12)
    assert ((got > 60_000) & (got < 62_400)).all()


# --------------------------------------------------------------------------- a second API audit

def test_a_loaded_scenario_is_read_only(small):
    """Changing a scenario's years after loading ran unchecked in one process, and failed
    with a broadcast error in worker processes, which rebuild it from its data."""
    with pytest.raises(AttributeError, match=r"read-only once loaded \('years'\).*with_overrides"):
        small.years = 1
    with pytest.raises(AttributeError, match="read-only"):
        small.targets = ()
    with pytest.raises(AttributeError, match="read-only"):
        del small.years
    assert small.with_overrides({"years": 3}).years == 3 and small.years == 2


def test_a_target_is_named_by_its_name_too(small):
    res = model.run(small, reps=3, seed=1)
    t = small.targets[0]
    assert (res.target_hits("460 workers") == res.target_hits(t)).all()
    np.testing.assert_array_equal(res.first_year_met("460 workers"), res.first_year_met(t))
    with pytest.raises(UserError, match=r"no target '460 worker' .*did you mean '460 workers'"):
        res.target_hits("460 worker")


def test_a_run_without_targets_gives_typed_empty_targets(small):
    t = model.run(model.load("bench", {"years": 2, "demand.communities": 50}), reps=2, seed=1).targets()
    full = model.run(small, reps=2, seed=1).targets()
    assert len(t) == 0 and t.dtypes.to_dict() == full.dtypes.to_dict()


def test_a_comparisons_means_are_the_summarys(small):
    """mean and mean_baseline are each scenario's own means, as summary gives them, to the
    last digit (at 10 replications, 7 of 226 cells differed by one rounding unit)."""
    c = compare([small, small.with_overrides({"quits.rate": [0.2]})], reps=10, seed=1)
    s = c.summary.set_index(["scenario", "year", "metric"])["mean"]
    d = c.differences
    for col, who in (("mean", "scenario"), ("mean_baseline", "baseline")):
        want = s.loc[list(zip(d[who], d.year, d.metric))].to_numpy()
        np.testing.assert_array_equal(d[col].to_numpy(), want)


def test_figures_of_experiments_take_names_and_refuse_what_they_cannot_draw(small, comparison):
    from model.experiments.sensitivity import sensitivity
    from model.report import experiments as figs
    sw = sweep(small, {"quits.rate": [0.05, 0.1]}, reps=2, seed=1)
    figs.sweep_figure(sw, "headcount@2026")  # a name, as Sweep.output takes it (AttributeError before)
    figs.sweep_figure(sw, small.targets[0])
    with pytest.raises(UserError, match="did you mean 'headcount'"):
        figs.paired_differences(comparison, ["headcont"])  # dropped without a word before
    sens = sensitivity(small, "headcount@2026", {"quits.rate": (0.05, 0.1)}, reps=2, seed=1, sobol=0)
    with pytest.raises(UserError, match="no Sobol indices"):
        figs.sobol_figure(sens)


def test_a_researchers_rough_edges():
    """From an audit of the Python API: model.run takes overrides as the experiments do;
    model.load of a loaded scenario says what to do; a Results made by hand with a list of
    years finds its years; compare's total names an unknown scenario and lists them, gives
    Python numbers, its empty targets table is typed, and its table keeps the order asked."""
    small = {"demand.communities": 5, "years": 2}
    sc = model.load("bench", small)
    assert model.run("bench", reps=1, seed=2, overrides=small) == model.run(sc, reps=1, seed=2)
    with pytest.raises(model.UserError, match="loaded already: use it as it is, or scenario.with_overrides"):
        model.load(sc)
    r = model.Results("x", [2025, 2026], ["a", "b"], np.arange(8.0).reshape(2, 2, 2))
    assert r.at("a", 2026).tolist() == [2.0, 6.0] and r.years.dtype == np.int64
    for years, metrics in (([2025.5, 2026], ["a", "b"]), ([2025, 2026], "ab"), (None, ["a", "b"])):
        with pytest.raises(model.UserError, match="expected years as whole numbers"):  # not cut, not split
            model.Results("x", years, metrics, np.arange(8.0).reshape(2, 2, 2))
    c = compare([sc, sc.with_overrides({"quits.rate*": 2})], reps=3, seed=1)
    with pytest.raises(model.UserError, match=r"no scenario 'nope' in the comparison; its scenarios are "
                                              r"'bench', 'bench#2'"):
        c.total("nope", "payroll", [2025])
    total = c.total(c.labels[1], "payroll", [2025, 2026])
    assert type(total["reps"]) is int and all(type(v) is float for k, v in total.items() if k != "reps")
    assert c.targets.empty and c.targets.year.dtype == np.int64 and c.targets.probability.dtype == float
    assert c.table(["certified_share", "headcount"]).metric.tolist() == ["certified_share", "headcount"]
    twice = ("headcount", "certified_share", "headcount")  # the first place of a repeated name
    assert c.table(twice).metric.tolist() == ["headcount", "certified_share"]


def test_each_experiments_result_writes_its_tables_as_its_command_does(small, tmp_path):
    """Sweep, Solution, Sensitivity and Calibration each have ``to_csv`` (the command's
    tables, into a folder made if missing); what is written reads back as the tables."""
    import pandas as pd

    from model.experiments.calibrate import calibrate
    from model.experiments.sensitivity import sensitivity
    from model.experiments.solve import solve
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        sw = sweep(small, {"quits.rate*": [1.0, 1.5]}, reps=2, seed=1)
        so = solve(small, "quits.rate*", 0.5, 2, "460 workers", prob=0.5, direction="greatest", reps=2,
                   seed=1, tol=0.5)
        se = sensitivity(small, "headcount@2026", {"quits.rate*": (0.8, 1.2)}, reps=2, seed=1)
        observed = [{"metric": "headcount", "year": 2026, "value": 470}]
        ca = calibrate(small, {"quits.rate*": (0.5, 2)}, observed, reps=2, seed=1, max_evaluations=4)
    written = {"sweep": (sw, ("output",), ["grid", "summary", "targets", "output", "metrics"]),
               "solve": (so, (), ["solution", "trace", "effects", "metrics"]),
               "sensitivity": (se, (), ["one_at_a_time", "metrics"]),
               "calibrate": (ca, (), ["parameters", "fit", "metrics"])}
    for name, (res, extra, files) in written.items():
        folder = tmp_path / "new" / name
        res.to_csv(folder, *(["headcount@2026"] if extra else []))
        assert sorted(p.stem for p in folder.iterdir()) == sorted(files), name
    back = pd.read_csv(tmp_path / "new" / "sweep" / "output.csv")
    assert back["value"].tolist() == pytest.approx(sw.output("headcount@2026")["value"].tolist(), rel=1e-12)
    assert pd.read_csv(tmp_path / "new" / "solve" / "solution.csv")["value"][0] == pytest.approx(so.value)


def test_a_wrong_kind_of_argument_is_named_not_met_deep_inside():
    """From an audit of the Python API: sc.get(5), res.target_hits(0) and a year given where
    compare's total wants the years raised TypeError or AttributeError from deep inside;
    each now raises one UserError naming the argument."""
    sc = model.load("bench", {"demand.communities": 10, "years": 2})
    with pytest.raises(UserError, match="expected a field's path as text"):
        sc.get(5)
    res = model.run(sc, reps=2, seed=1, workers=1)
    with pytest.raises(UserError, match="expected a target's name or a target"):
        res.target_hits(0)
    c = compare([sc, sc.with_overrides({"quits.rate*": 1.2})], reps=2, seed=1, workers=1)
    with pytest.raises(UserError, match="expected the years to total as a list or range"):
        c.total(c.labels[1], "payroll", 2025)
    assert c.total(c.labels[1], "payroll", [2025, 2026])["mean"] > 0


def test_a_targets_field_is_read_as_a_districts_is():
    """sc.get('targets[0].year') reads a target's field, as the key works in an override (it
    said 'no such field'; from an audit of the Python API); a target or field it lacks is
    named."""
    sc = model.load("changzhou-2022")
    assert sc.get("targets[0].year") == sc.targets[0].year and sc.get("targets[1].op") == sc.targets[1].op
    with pytest.raises(model.ScenarioError, match=r"has 3 targets \(targets\[0\] to targets\[2\]\)"):
        sc.get("targets[3].year")
    with pytest.raises(model.ScenarioError, match="no such field of a target"):
        sc.get("targets[0].yaer")
