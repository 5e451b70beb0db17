"""Tests for the experiments' shared pieces, ``compare`` and ``sweep`` (model.experiments).

Scenarios are the benchmark (scenarios/bench.toml) shrunk to a few communities and years.
Exact properties of common random numbers (CRN) are asserted exactly; the one
statistical assertion states its bound's derivation and false-alarm rate.
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from conftest import write_scenario

import model
from model.cli import main as cli
from model.errors import UserError
from model.experiments import common
from model.experiments.compare import compare
from model.experiments.sweep import sweep
from model.results import paired_proportions


def small(**over):
    return model.load("bench", {"demand.communities": 100, "years": 3, **over})


# --------------------------------------------------------------------------- levers

def test_scalar_lever_on_vector_field_sets_every_band():
    sc = small(**{"quits.tenure_bands": [0, 3], "quits.rate": [0.1, 0.05]})
    lv = common.Lever.parse("quits.rate")
    assert lv.raw_value(sc, 0.2) == [0.2, 0.2]
    assert lv.apply(sc, 0.2).quits.rate.value == (0.2, 0.2)


def test_indexed_and_scaled_levers_keep_the_rest():
    sc = small(**{"quits.tenure_bands": [0, 3], "quits.rate": {"2025": [0.1, 0.05], "2026": [0.2, 0.04]}})
    one = common.Lever.parse("quits.rate[1]").apply(sc, 0.3).quits.rate
    assert [p[1] for p in one.points] == [(0.1, 0.3), (0.2, 0.3)]
    double = common.Lever.parse("quits.rate*").apply(sc, 2).quits.rate
    assert [p[1] for p in double.points] == [(0.2, 0.1), (0.4, 0.08)]
    assert common.Lever.parse("recruitment.max_age*").apply(sc, 0.5).recruitment.max_age.value == 50.0


def test_lever_kinds_and_errors():
    sc = small()
    assert common.Lever.parse("dismissal.certificate_deadline").apply(sc, 4.0).dismissal.certificate_deadline == 4
    assert common.Lever.parse("elimination.enabled").apply(sc, True).elimination.enabled is True
    with pytest.raises(UserError, match="whole number"):
        common.Lever.parse("dismissal.certificate_deadline").raw_value(sc, 2.5)
    with pytest.raises(UserError, match=r"not a scenario field;"):
        common.Lever.parse("quits.no_such_key")
    with pytest.raises(UserError, match=r"so 60 cannot be met as meant; write 0.6 for 60%"):
        common.find_target(sc, "certified_share>=60@2026")  # as a scenario file's target is refused
    for typo in ("certification.pass_prb", "certification.pass_prb*", "certification.pass_prb[0]"):
        with pytest.raises(UserError, match=r"not a scenario field \(did you mean "
                                            r"'certification.pass_prob'\?\)"):
            common.Lever.parse(typo)
    with pytest.raises(UserError, match="not a vector"):
        common.Lever.parse("quits.death_rate[0]")
    with pytest.raises(UserError, match="cannot vary"):
        common.Lever.parse("population.age")
    with pytest.raises(UserError, match="allowed range"):
        common.Lever.parse("quits.death_rate").check_range(0.1, 1.5)
    with pytest.raises(UserError, match=r"outside the allowed range"):
        common.Lever.parse("certification.pass_prob").apply(sc, 1.5)


def test_values_and_ranges_parse():
    lv = common.Lever.parse("recruitment.max_age")
    assert common.parse_values("35,40,45", lv) == [35, 40, 45]
    assert common.parse_values("30:40:3", lv) == [30.0, 35.0, 40.0]
    assert common.parse_range("30,40", lv) == (30.0, 40.0)
    assert common.lever_range("recruitment.max_age", "30,40") == (lv, (30.0, 40.0))
    assert common.lever_range(lv, (30, 40)) == (lv, (30.0, 40.0))
    with pytest.raises(UserError, match="low < high"):
        common.lever_range(lv, (40, 30))
    with pytest.raises(UserError, match="expected finite numbers"):
        common.parse_values("35,abc", lv)
    with pytest.raises(UserError, match="low < high"):
        common.parse_range("40,30", lv)
    with pytest.raises(UserError, match="low and high are both 0.2"):  # three identical points
        common.parse_values("0.2:0.2:3", common.Lever.parse("certification.pass_prob"))
    assert common.split_param(["a.b=1,2"]) == ("a.b", "1,2")
    assert common.split_params(["a.b=1,2", "c.d*=3,4"]) == [("a.b", "1,2"), ("c.d*", "3,4")]
    assert common.split_params(["a.b", "1,2"]) == [("a.b", "1,2")]
    assert common.split_params(["a.b", "1,2", "c.d", "3"]) == [("a.b", "1,2"), ("c.d", "3")]  # the usage line
    given = [["quits.rate*=0.5,2", "certification.pass_prob=0.1,0.3"], ["recruitment.max_age", "30,40"]]
    assert [lv.name for lv, _ in common.levers_with_ranges(given)] == \
        ["quits.rate*", "certification.pass_prob", "recruitment.max_age"]
    assert common.split_param(["a.b", "1,2"]) == ("a.b", "1,2")


def test_output_from_target_expression_and_errors():
    sc = small()
    out = common.Output.parse(sc, target="certified_share>=0.8@2026")
    assert out.is_probability and out.metric == "certified_share" and out.year == 2026
    assert out.target.op == ">=" and out.target.threshold == 0.8
    assert common.Output.parse(sc).metric == "headcount"          # bench has no targets
    with pytest.raises(UserError, match="unknown metric"):
        common.Output.parse(sc, target="no_metric>=1@2026")
    with pytest.raises(UserError, match="outside the horizon"):
        common.Output.parse(sc, metric="headcount", year=2040)


# --------------------------------------------------------------------------- compare

def test_compare_with_itself_gives_exactly_zero():
    sc = small()
    with pytest.warns(UserWarning, match="no effect"):
        c = compare([sc, sc], reps=4, seed=3)
    d = c.differences
    assert c.labels == ["bench", "bench#2"]
    finite = d.difference.notna()
    # every metric the baseline defines has a difference (the bench defines no pay ratios, no
    # residents and, without a grade ladder, no grade metrics)
    assert (finite == d.mean_baseline.notna()).all() and finite.sum() > 0.7 * len(d)
    assert (d.difference[finite] == 0).all()
    assert (d.difference_low[finite] == 0).all() and (d.difference_high[finite] == 0).all()
    assert (d["mean"][finite] == d.mean_baseline[finite]).all()


def test_compare_names_its_scenarios_as_told_and_the_runs_record_their_overrides(tmp_path):
    """An alternative made with with_overrides keeps its baseline's name; ``labels`` names
    each in the tables (and only there: the values are those of the unnamed comparison);
    each result's meta records the fields set over the files. Bad labels: one message."""
    sc = small(years=1)
    alt = sc.with_overrides({"quits.rate*": 2})
    named = compare([sc, alt], reps=3, seed=2, labels=["as is", "quits x2"])
    plain = compare([sc, alt], reps=3, seed=2)
    assert named.labels == ["as is", "quits x2"] and plain.labels == ["bench", "bench#2"]
    assert set(named.summary.scenario) == {"as is", "quits x2"}
    assert set(named.differences.scenario) == {"quits x2"} and set(named.differences.baseline) == {"as is"}
    cols = ["difference", "difference_low", "difference_high"]
    np.testing.assert_array_equal(named.differences[cols].to_numpy(), plain.differences[cols].to_numpy())
    assert "quits.rate" in named.results[1].meta["set"] and "quits.rate" not in named.results[0].meta["set"]
    assert named.results[0].meta["set"]["years"]["value"] == 1
    named.to_csv(tmp_path / "new" / "folder")  # made if missing
    assert (tmp_path / "new" / "folder" / "differences.csv").exists()
    for bad, words in ((["one"], "expected 2 names"), (["a", "a"], "'a' is given twice"),
                       (["a", " "], "not blank"), ("ab", "a list of 2 names")):
        with pytest.raises(UserError, match=words) as e:
            compare([sc, alt], reps=2, seed=2, labels=bad)
        assert e.value.field == "labels"


def test_compare_shows_each_scenarios_own_mean_where_the_other_has_none():
    """workers_per_10k is undefined without a resident population: the alternative that
    sets one still shows its mean (as in its summary); the paired difference has no
    replication to use."""
    sc = small(years=2)
    c = compare([sc, sc.with_overrides({"demand.urban_residents": 100_000})], reps=3, seed=1)
    d = c.differences.query("metric == 'workers_per_10k'")
    own = c.results[1].summary().query("metric == 'workers_per_10k'")["mean"].to_numpy()
    assert d.mean_baseline.isna().all() and (d["mean"].to_numpy() == own).all() and (own > 0).all()
    assert d.difference.isna().all() and (d.reps == 0).all()


def test_compare_gives_the_spread_of_one_replications_difference():
    """difference_p05 / difference_p95 are the 5% and 95% quantiles of the replications'
    own paired differences (worked out here from each run's per-replication values), which
    the interval of the mean sits inside: at 20 replications the mean's interval is about
    sqrt(20) times narrower than the replications' spread."""
    base = small(years=2)
    alt = base.with_overrides({"quits.rate*": 1.5})
    c = compare([base, alt], reps=20, seed=5)
    for m in ("headcount", "exits_quit", "payroll"):
        d = c.results[1].metric(m).to_numpy() - c.results[0].metric(m).to_numpy()
        rows = c.differences.query("metric == @m").sort_values("year")
        np.testing.assert_allclose(rows.difference_p05, np.quantile(d, 0.05, axis=0), rtol=1e-12)
        np.testing.assert_allclose(rows.difference_p95, np.quantile(d, 0.95, axis=0), rtol=1e-12)
        assert ((rows.difference_p95 - rows.difference_p05)
                > 2 * (rows.difference_high - rows.difference_low)).all(), m


def test_budget_differences_workbook_gives_each_alternatives_money_against_the_baseline(tmp_path):
    """budget-differences.xlsx: one sheet per alternative; each money item's rows equal
    differences.csv's columns year by year, and the total column is worked out here from the
    replications' own totals over the years (paired mean, t interval, 5% and 95% quantiles)."""
    from openpyxl import load_workbook
    from scipy import stats

    from model.report import budget
    base = small(years=3).with_overrides({"pay.pension_rate": 0.16})
    c = compare([base, base.with_overrides({"quits.rate*": 1.5}), base.with_overrides({"pay.growth": 0.05})],
                reps=8, seed=2)
    wb = load_workbook(budget.write_differences(c, tmp_path / "d.xlsx"))
    assert wb.sheetnames == c.labels[1:]
    col = dict(budget.DIFFERENCE_STATS)
    label = {budget.L.word2(k, "en", pct="95"): k for k in col.values()}
    stat_of = {v: k for k, v in col.items()}
    for ws, alt in zip(wb.worksheets, c.results[1:]):
        years = [x.value for x in ws[budget.HEADER_ROW]][4:-1]
        d = c.differences[c.differences.scenario == alt.scenario].set_index(["metric", "year"])
        seen = set()
        for row in ws.iter_rows(min_row=budget.FIRST_DATA_ROW, values_only=True):
            m, stat = row[1], stat_of[label[row[2]]]
            seen.add(m)
            for y, v in zip(years, row[4:-1]):
                assert v == pytest.approx(d.loc[(m, y), stat], rel=1e-12, abs=1e-6), (m, y, stat)
            a = sum(c.results[0].at(m, y) for y in years)
            b = sum(alt.at(m, y) for y in years)
            diff = b - a
            half = stats.t.ppf(0.975, len(diff) - 1) * diff.std(ddof=1) / np.sqrt(len(diff))
            want = {"mean_baseline": a.mean(), "mean": b.mean(), "difference": diff.mean(),
                    "difference_low": diff.mean() - half, "difference_high": diff.mean() + half,
                    "difference_p05": np.quantile(diff, 0.05),
                    "difference_p95": np.quantile(diff, 0.95)}[stat]
            assert row[-1] == pytest.approx(want, rel=1e-9, abs=1e-6), (m, stat)
        assert {"payroll", "payroll_insurance", "total_cost", "payroll_real"} <= seen
        assert "payroll_annuity" not in seen  # 0 in both throughout
    # an alternative at prices of another base year has no constant-price difference
    priced = base.with_overrides({"economy.inflation": 0.02})
    other = compare([priced, priced.with_overrides({"economy.price_base_year": 2026})], reps=2, seed=2)
    ws = load_workbook(budget.write_differences(other, tmp_path / "p.xlsx")).worksheets[0]
    shown = {r[1] for r in ws.iter_rows(min_row=budget.FIRST_DATA_ROW, values_only=True)}
    assert "payroll" in shown and "payroll_real" not in shown
    # at another level the intervals, year by year and in total, are of it and say so
    half = compare([base, base.with_overrides({"quits.rate*": 1.5})], reps=8, seed=2, level=0.5)
    ws = load_workbook(budget.write_differences(half, tmp_path / "h.xlsx")).worksheets[0]
    low = [r for r in ws.iter_rows(min_row=budget.FIRST_DATA_ROW, values_only=True)
           if r[1] == "payroll" and r[2] == budget.L.word2("difference_low", "en", pct="50")][0]
    diff = sum(half.results[1].at("payroll", y) for y in (2025, 2026, 2027)) - sum(
        half.results[0].at("payroll", y) for y in (2025, 2026, 2027))
    width = stats.t.ppf(0.75, 7) * diff.std(ddof=1) / np.sqrt(8)
    assert low[-1] == pytest.approx(diff.mean() - width, rel=1e-9)
    assert "50% interval" in ws["A2"].value


def test_paired_interval_much_narrower_than_unpaired_for_small_rule_change():
    """Pass probability 0.25 -> 0.27; certified share at the end of 2025, R = 30.

    Expected ratio (paired / unpaired half-width) by hand: the change adds about
    ``M * 0.02`` passes, M ~ 552 uncertified non-quitting workers of 1,000, so ~11; each
    moves the share by ``1/P`` (tenure < 3) or ``(1 - S)/P ~ 0.175/P`` (tenure >= 3,
    who would otherwise be dismissed), with ``P ~ 647`` present at year end. The sd of
    the paired difference is then ``sqrt(11 * (0.3 + 0.7 * 0.175^2)) / 647 ~ 0.0029``,
    against ``sqrt(2) * 0.0176 ~ 0.025`` for two independent runs (0.0176: the
    replication sd of the share at this size): ratio ~ 0.12. Each sd estimate from 30
    replications has relative sd ~ 1/sqrt(58) ~ 0.13, so a ratio above the bound 0.3
    (2.5 times the expected) is more than 7 sd away: false-alarm rate far below 1e-6.

    Control: the same statistics on two runs with *different* seeds (no CRN) must give
    a ratio near 1; below 0.5 is more than 4 sd away (false alarm ~ 3e-5).
    """
    base = small(years=1)
    alt = base.with_overrides({"certification.pass_prob": 0.27})
    c = compare([base, alt], reps=30, seed=7)
    r = c.difference("certified_share", 2025).iloc[0]
    ratio = (r.difference_high - r.difference_low) / (r.unpaired_high - r.unpaired_low)
    assert r.difference > 0
    assert ratio < 0.3, ratio
    a = model.run(base, reps=30, seed=7).at("certified_share", 2025)
    b = model.run(alt, reps=30, seed=8).at("certified_share", 2025)
    st = common.paired_difference(a, b)
    ratio_indep = (st["high"] - st["low"]) / (st["unpaired_high"] - st["unpaired_low"])
    assert ratio_indep > 0.5, ratio_indep


def test_compare_reports_targets_and_paired_probability_difference(tmp_path):
    path = write_scenario(tmp_path, """
extends = "@SCENARIOS@/bench.toml"
years = 1
[demand]
communities = 100
[[targets]]
name = "83% certified"
metric = "certified_share"
year = 2025
threshold = 0.83
""")
    base = model.load(path)
    alt = base.with_overrides({"certification.pass_prob": 0.35})
    c = compare([base, alt], reps=10, seed=2)
    tg = c.targets.set_index("scenario")
    assert list(tg.index) == ["case", "case#2"]
    hits_a = c.results[0].target_hits(base.targets[0])
    hits_b = c.results[1].target_hits(base.targets[0])
    assert tg.loc["case#2", "probability"] == hits_b.mean()
    assert tg.loc["case#2", "probability_difference"] == pytest.approx(hits_b.mean() - hits_a.mean())
    assert 0 < hits_a.mean() < hits_b.mean()
    from model.results import wilson
    half = compare([base, alt], reps=10, seed=2, level=0.5).targets.set_index("scenario")
    for lab, hits in (("case", hits_a), ("case#2", hits_b)):  # the intervals at the level asked for
        ends = ["probability_low", "probability_high"]
        assert tuple(half.loc[lab, ends]) == wilson(int(hits.sum()), 10, 0.5)
        assert tuple(tg.loc[lab, ends]) == wilson(int(hits.sum()), 10)
    # the verdict is on the 95% interval at any level: 10 of 10 met is sure at 50% (lower
    # bound 0.98), not at 95% (0.72)
    from dataclasses import replace
    from model.scenario import Target
    any_share = Target(name="any", metric="certified_share", year=2025, op=">=", threshold=0.0, scope="",
                       source="")
    sure = replace(c.results[1], target_specs=(any_share,))
    assert sure.targets(0.5).probability_low.iloc[0] > 0.9 > sure.targets().probability_low.iloc[0]
    assert list(sure.targets(0.5).verdict) == list(sure.targets().verdict) == ["likely_met"]
    c.to_csv(tmp_path)
    assert {"summary.csv", "differences.csv", "targets.csv"} <= {p.name for p in tmp_path.iterdir()}


def test_compare_prints_a_target_each_scenario_defines_its_own_way_once_per_condition(tmp_path, capsys):
    """An alternative that keeps a target's name with another threshold: the printed lines
    tell the two conditions apart."""
    from model.experiments.compare import _print
    text = """
extends = "@SCENARIOS@/bench.toml"
name = "NAME"
years = 1
[demand]
communities = 30
[[targets]]
name = "certified"
metric = "certified_share"
year = 2025
threshold = THRESHOLD
"""
    a, b = (model.load(write_scenario(tmp_path, text.replace("NAME", n).replace("THRESHOLD", t), f"{n}.toml"))
            for n, t in (("base", "0.8"), ("alt", "0.5")))
    _print(compare([a, b], reps=2, seed=1), ["headcount"], tmp_path)
    lines = [x for x in capsys.readouterr().out.splitlines() if x.startswith("  certified (")]
    assert [x.split(":")[0] for x in lines] == ["  certified (certified_share >= 0.8 in 2025)",
                                                "  certified (certified_share >= 0.5 in 2025)"], lines
    # one target, two scenarios: the alternative's line has its paired difference in percentage points
    c = compare([a, a.with_overrides({"certification.pass_prob": 0.0, "name": "hard"})], reps=6, seed=1)
    _print(c, ["headcount"], tmp_path)
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("  certified ("))
    r = c.targets.set_index("scenario").loc["hard"]
    assert line.endswith("(" + common.fmt_estimate(r.probability_difference, r.probability_difference_low,
                                                   r.probability_difference_high, "probability",
                                                   difference=True) + ")")
    assert r.probability_difference < 0 and " pp [" in line


# --------------------------------------------------------------------------- sweep

def test_sweep_is_monotone_in_every_replication_on_common_random_numbers():
    """In year 1 a higher pass probability can only add passes (the exam's uniforms are
    fixed by CRN): each replication's certified share rises with it, exactly."""
    s = sweep(small(years=1), {"certification.pass_prob": [0.1, 0.2, 0.3, 0.5]}, reps=6, seed=4)
    per = np.array([r.at("certified_share", 2025) for r in s.results])   # points x reps
    assert (np.diff(per, axis=0) > 0).all()
    tab = s.output(common.Output.parse(s.scenario, metric="certified_share", year=2025))
    assert list(tab["certification.pass_prob"]) == [0.1, 0.2, 0.3, 0.5]
    assert (tab.low <= tab.value).all() and (tab.value <= tab.high).all()


def test_sweep_of_an_irrelevant_lever_changes_nothing_else():
    """Training cost moves costs only; with CRN every other metric is identical."""
    s = sweep(small(), {"training.cost_per_trainee": [0, 500, 1000]}, reps=3, seed=5)
    v = [r.metric("certified_share").to_numpy() for r in s.results]
    h = [r.metric("headcount").to_numpy() for r in s.results]
    assert np.array_equal(v[0], v[1]) and np.array_equal(v[0], v[2])
    assert np.array_equal(h[0], h[2])
    cost = [r.metric("cost_training").to_numpy() for r in s.results]
    assert np.allclose(cost[2], 2 * cost[1]) and (cost[1] > 0).all()


def test_sweep_two_levers_makes_the_grid():
    s = sweep(small(years=1), [("certification.pass_prob", "0.2,0.3"), ("quits.rate", [0.05, 0.1, 0.2])],
              reps=2, seed=1)
    assert len(s.grid) == 6 and len(s.results) == 6
    assert set(s.summary.columns) >= {"point", "certification.pass_prob", "quits.rate", "metric", "mean"}
    pr = s.per_replication("headcount")  # a metric name, as output() takes, in the last year
    assert len(pr) == 12 and list(pr.columns) == ["point", "certification.pass_prob", "quits.rate", "rep", "value"]
    for i, res in enumerate(s.results):
        assert (pr.value[pr.point == i].to_numpy() == res.at("headcount", 2025)).all()
    with pytest.raises(UserError, match="one or two levers"):
        sweep(small(), {"quits.rate": [0.1], "pay.growth": [0.0], "recruitment.max_age": [30]}, reps=1)


def test_an_output_is_named_by_a_metric_in_a_year_or_a_target():
    """``metric`` (the last year), ``metric@YEAR``, or a target's expression: its probability."""
    s = sweep(small(), {"certification.pass_prob": [0.2, 0.4]}, reps=4, seed=3)
    for name, year in (("certified_share", 2027), ("certified_share@2026", 2026)):
        tab = s.output(name)
        assert tab.output.tolist() == [f"certified_share {year}"] * 2
        assert tab.value.tolist() == [r.at("certified_share", year).mean() for r in s.results]
    tab = s.output("certified_share>=0.9@2026")
    assert tab.value.tolist() == [(r.at("certified_share", 2026) >= 0.9).mean() for r in s.results]
    for bad, words in (("certified_share@2031", "outside the horizon"), ("nosuch@2026", "neither a metric")):
        with pytest.raises(UserError, match=words) as e:
            s.output(bad)
        assert e.value.field == "--output"


# --------------------------------------------------------------------------- command line

SMALL = ["--set", "demand.communities=40", "--set", "years=2", "--quiet"]


def test_cli_compare_and_sweep_write_their_folders(tmp_path, capsys):
    out = tmp_path / "cmp"
    assert cli(["compare", "bench", "--variant", "certification.pass_prob=0.3", "--variant",
                "quits.death_rate=0.01", "--reps", "3", "--year", "2025", "--out", str(out), *SMALL]) == 0
    # each alternative named by its whole key (two sections' fields of one name stay apart)
    assert set(pd.read_csv(out / "differences.csv").scenario) == {"bench.certification.pass_prob-0.3",
                                                                 "bench.quits.death_rate-0.01"}
    names = {p.name for p in out.iterdir()}
    assert {"summary.csv", "differences.csv", "targets.csv", "metrics.csv", "manifest.json",
            "differences.png", "report.html"} <= names
    recorded = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["scenarios"]
    assert recorded[1]["set"]["certification.pass_prob"]["value"] == 0.3  # what the variant is
    assert recorded[0]["set"]["years"]["by"] == "--set"
    assert "certification.pass_prob" not in recorded[0]["set"]
    units = pd.read_csv(out / "metrics.csv").set_index("metric")  # each metric's unit, as a run gives it
    assert set(units.index) == set(pd.read_csv(out / "differences.csv").metric)
    assert units.loc["certified_share", "unit"] == "share" and units.loc["payroll", "unit"] == "yuan/year"
    assert "paired difference" in (said := capsys.readouterr().out) and "\nIn 2025: mean" in said
    assert "  largest in 2026: " in said  # the year of the largest difference, besides the year asked
    page = (out / "report.html").read_text(encoding="utf-8")
    assert model.load("bench").description in page  # what each alternative is
    # each alternative's budget workbook, its numbers those of its own run (summary.csv)
    from model.report.budget import read_budget
    summary = pd.read_csv(out / "summary.csv").set_index(["scenario", "metric", "year"])
    for name in ("bench", "bench.certification.pass_prob-0.3", "bench.quits.death_rate-0.01"):
        book = read_budget(out / f"budget-{name}.xlsx")
        cell = next(v for (_, metric, stat), v in book.items() if metric == "total_cost" and stat == "mean")
        assert cell[2026] == pytest.approx(summary.loc[(name, "total_cost", 2026), "mean"], rel=1e-9)
    out = tmp_path / "sw"
    assert cli(["sweep", "bench", "--param", "certification.pass_prob", "0.2,0.3", "--param",
                "quits.rate=0.05,0.1", "--metric", "certified_share", "--reps", "2", "--out", str(out),
                *SMALL]) == 0
    assert {"grid.csv", "summary.csv", "output.csv", "metrics.csv", "sweep.png", "manifest.json"} <= {
        p.name for p in out.iterdir()}


@pytest.mark.parametrize("argv, message", [
    (["sweep", "bench", "--param", "quits.nope", "0.1,0.2"], "not a scenario field"),
    (["sweep", "bench", "--param", "quits.rate", "0.1,x"], "expected finite numbers"),
    (["sweep", "bench", "--param", "quits.rate", "0.1,2"], "allowed range"),
    (["compare", "bench"], "at least two scenarios"),
    (["compare", "bench", "bench", "--year", "2040"], "2040 is not a year every scenario covers"),
    (["compare", "bench", "no-such-scenario.toml"], "file not found"),
    (["compare", "bench", "bench", "--metric", "nope"], "unknown metric"),
])
def test_cli_bad_input_exits_2_and_writes_nothing(tmp_path, capsys, argv, message):
    out = tmp_path / "o"
    assert cli([*argv, "--reps", "1", "--out", str(out), *SMALL]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


def test_figures_in_chinese(tmp_path):
    from model.report import experiments as fig
    sc = small(years=2, **{"demand.communities": 30})
    c = compare([sc, sc.with_overrides({"certification.pass_prob": 0.3})], reps=2, seed=1)
    f = fig.paired_differences(c, ["headcount", "certified_share"], tmp_path / "d.png", lang="zh", svg=True)
    assert (tmp_path / "d.png").stat().st_size > 0 and (tmp_path / "d.svg").exists()
    assert len([a for a in f.axes if a.get_visible()]) == 2
    from model.report.fonts import figure_language
    drawn = figure_language("zh")[0]  # English where no CJK font is installed
    titles = [a.get_title() for a in f.axes if a.get_visible()]
    expected = ["年末在岗人数", "持证率"] if drawn == "zh" else ["Headcount on 31 December", "Certified share"]
    assert titles == expected, titles
    s = sweep(sc, {"certification.pass_prob": [0.2, 0.3]}, reps=2, seed=1)
    out = common.Output.parse(sc, target="certified_share>=0.5@2026")
    g = fig.sweep_figure(s, out, lang="zh")
    expected = "P(持证率 >= 0.5，2026年)" if drawn == "zh" else "P(certified_share >= 0.5 in 2026)"
    assert g.axes[0].get_title().endswith(expected), g.axes[0].get_title()


def test_an_output_names_itself_in_either_language():
    """The label experiments print and draw: the metric's own name in English, its Chinese
    label with 年 in Chinese, for a metric and for a target."""
    sc = small(years=2)
    metric = common.Output.parse(sc, metric="headcount", year=2026)
    target = common.Output.parse(sc, target="certified_share>=0.5@2026")
    assert (metric.label, metric.label_in("zh")) == ("headcount 2026", "年末在岗人数，2026年")
    assert target.label == "P(certified_share >= 0.5 in 2026)"
    assert target.label_in("zh") == "P(持证率 >= 0.5，2026年)"


def test_experiment_figures_draw_outputs_as_the_run_figures_do():
    """A share in percent, money in millions, thousands with separators, on the sweep's
    axis and the tornado's (the label said (%) over ticks of 0.5, 0.55 ...)."""
    from model.experiments.sensitivity import sensitivity
    from model.report import experiments as fig
    sc = small(years=1, **{"demand.communities": 30})
    s = sweep(sc, {"certification.pass_prob": [0.2, 0.3]}, reps=2, seed=1)
    for metric, label, tick in (("certified_share", "Certified share (%)", "%"),
                                ("payroll", "Payroll (million yuan per year)", None)):
        f = fig.sweep_figure(s, common.Output.parse(sc, metric=metric))
        f.canvas.draw()
        ax = f.axes[0]
        ticks = [t.get_text() for t in ax.get_yticklabels()]
        assert ax.get_ylabel() == label and all(t.endswith("%") for t in ticks if t) == (tick == "%"), ticks
        line = ax.get_lines()[0].get_ydata()
        scale = 1e6 if metric == "payroll" else 1.0
        np.testing.assert_allclose(line, s.output(metric)["value"] / scale)
    big = small(years=1, **{"demand.communities": 150})
    f = fig.sweep_figure(sweep(big, {"certification.pass_prob": [0.2, 0.3]}, reps=2, seed=1),
                         common.Output.parse(big, metric="headcount"))
    f.canvas.draw()  # about 1,500 posts: thousands carry a separator, as in the run's figures
    ticks = [t.get_text() for t in f.axes[0].get_yticklabels() if t.get_position()[1] >= 1000]
    assert ticks and all("," in t for t in ticks), ticks
    t = fig.tornado(sensitivity(big, "headcount", {"quits.rate*": (0.5, 2.0)}, reps=2, seed=1))
    t.canvas.draw()
    ticks = [x.get_text() for x in t.axes[0].get_xticklabels() if x.get_position()[0] >= 1000]
    assert ticks and all("," in x for x in ticks), ticks
    sens = sensitivity(sc, "certified_share", {"certification.pass_prob": (0.2, 0.3)}, reps=2, seed=1)
    t = fig.tornado(sens)
    t.canvas.draw()
    assert t.axes[0].get_xlabel() == "Certified share (%)"
    assert all(x.get_text().endswith("%") for x in t.axes[0].get_xticklabels() if x.get_text())


def test_paired_proportions_interval():
    """Newcombe's square-and-add interval for paired proportions. (1) Pairs no more
    associated than n/2 (A = n11 n22 - n12 n21 in [0, n/2]: psi = 0) give the interval
    of two independent Wilson intervals, sqrt of the sum of squared half-widths on each
    side (Wilson from scipy); (2) no replication changing outcome no longer gives a
    zero-width interval, and it holds 0; (3) a target met in every replication of both
    keeps the interval within [-1, 1] and around 0."""
    from scipy import stats

    def wilson(k, n):
        ci = stats.binomtest(k, n).proportion_ci(0.95, method="wilson")
        return ci.low, ci.high
    # (1) 40 pairs: both 4, only a 10, only b 6, neither 20: A = 80 - 60 = 20 = n/2
    a = np.array([1] * 4 + [1] * 10 + [0] * 6 + [0] * 20)
    b = np.array([1] * 4 + [0] * 10 + [1] * 6 + [0] * 20)
    d, low, high = paired_proportions(a, b)
    pa, pb = 14 / 40, 10 / 40
    (la, ua), (lb, ub) = wilson(14, 40), wilson(10, 40)
    assert d == pytest.approx(pb - pa)
    assert low == pytest.approx(d - np.hypot(pb - lb, ua - pa))
    assert high == pytest.approx(d + np.hypot(ub - pb, pa - la))
    # (2) 300 replications, 240 met in both, none changes
    x = np.r_[np.ones(240), np.zeros(60)]
    d, low, high = paired_proportions(x, x)
    assert d == 0 and low < 0 < high and high - low > 0.01
    # (3) met everywhere
    d, low, high = paired_proportions(np.ones(50), np.ones(50))
    assert d == 0 and -1 <= low < 0 < high <= 1
    # (4) the data of the worked examples of Fagerland, Lydersen and Laake (2017), chapter 8,
    # where the correlation correction is at work: Bentur et al. (1, 1 / 7, 12) and Cavo et
    # al. (59, 6 / 16, 80), first minus second measurement; limits worked out by hand from
    # the square-and-add formula there (psi = (A - n/2) / sqrt(margins) for A > n/2, and
    # A / sqrt(margins) for A < 0), to 4 decimals: -0.2857 (-0.5069 to -0.0256) and
    # -0.0621 (-0.1186 to -0.0046)
    for (n11, n12, n21, n22), want in (((1, 1, 7, 12), (-0.2857, -0.5069, -0.0256)),
                                       ((59, 6, 16, 80), (-0.0621, -0.1186, -0.0046))):
        first = np.repeat([1, 1, 0, 0], [n11, n12, n21, n22])
        second = np.repeat([1, 0, 1, 0], [n11, n12, n21, n22])
        assert paired_proportions(second, first) == pytest.approx(want, abs=5e-5)


def test_compare_refuses_a_metric_an_alternative_does_not_report(tmp_path, capsys):
    """--metric naming a district's metric that only the baseline has (Nanjing's xuanwu
    district, against Changzhou) is a user error naming --metric, exit 2 and nothing
    written; it used to print an empty table."""
    out = tmp_path / "out"
    code = cli(["compare", "nanjing-2018", "changzhou-2022", "--reps", "2", "--out", str(out), "--quiet",
                "--metric", "payroll.xuanwu"])
    err = capsys.readouterr().err
    assert code == 2 and not out.exists()
    assert "'--metric'" in err and "not for changzhou-2022" in err


def test_levers_that_would_silently_do_nothing_are_refused():
    """A multiplier of one element (key[i]*) used to scale the whole vector; a lever on a
    field the scenario leaves unset stopped with a traceback; two levers setting the same
    field or overlapping elements let the later undo the earlier. Each is one message
    naming --param."""
    from model.experiments.common import Lever, check_distinct
    with pytest.raises(UserError, match=r"quits.rate\[0\]\*: a multiplier scales the whole field"):
        Lever.parse("quits.rate[0]*")
    sc = model.load("changzhou-2022")
    with pytest.raises(UserError, match="recruitment.exempt_certificate is not set in changzhou-2022"):
        Lever.parse("recruitment.exempt_certificate").apply(sc, 0.25)
    for a, b in [("quits.rate", "quits.rate[0]"), ("quits.rate*", "quits.rate[1]"),
                 ("certification.pass_prob@2022", "certification.pass_prob"), ("pay.growth", "pay.growth")]:
        with pytest.raises(UserError) as e:
            check_distinct([Lever.parse(a), Lever.parse(b)])
        assert e.value.field == "--param"
    check_distinct([Lever.parse("quits.rate[0]"), Lever.parse("quits.rate[1]"),
                    Lever.parse("certification.pass_prob@2022"), Lever.parse("certification.pass_prob@2023")])
    with pytest.raises(UserError, match="both set part of quits.rate"):
        sweep(model.load("bench", {"demand.communities": 20}), {"quits.rate[0]": [0.02, 0.5], "quits.rate": [0.1]},
              reps=2, seed=1)


def test_the_api_names_its_bad_arguments():
    """Wrong types through the Python API are UserErrors naming the argument, as on the
    command line (they were TypeError, ValueError or AttributeError from deep inside)."""
    from model.experiments.compare import compare as compare_
    from model.errors import ARGUMENTS
    from model.experiments.sensitivity import sensitivity
    from model.experiments.solve import solve
    sc = model.load("bench", {"demand.communities": 20, "years": 1})
    cases = [
        (lambda: sensitivity(sc, "certified_share", {"quits.rate": 0.1}, reps=2), "--param"),
        (lambda: sensitivity(sc, "certified_share", {"quits.rate": ("a", "b")}, reps=2), "--param"),
        (lambda: sensitivity(sc, 5, {"quits.rate": (0.05, 0.1)}, reps=2), "--output"),
        (lambda: sensitivity(sc, "nonsense", {"quits.rate": (0.05, 0.1)}, reps=2), "--output"),
        (lambda: sensitivity(model.load("bench", {"certification.pass_prob": {"dist": "uniform", "low": 0.2,
                                                                              "high": 0.3}}),
                             "certified_share", reps=2, quantile="0.1"), "--quantile"),
        (lambda: sweep(sc, {"quits.rate": object()}, reps=2), "--param"),
        (lambda: sweep(sc, {"certification.pass_prob": [0.2, 0.2]}, reps=2), "--param"),
        (lambda: compare_([sc, sc], reps=2, level=1.5), "--level"),
        (lambda: model.run(sc, reps=2, workers="a"), "--workers"),
        (lambda: model.run(sc, reps=2, workers=1.5), "--workers"),
        (lambda: model.run(sc, reps=2, workers=True), "--workers"),
        (lambda: sensitivity(sc, "certified_share", {"quits.rate": (0.05, 0.1)}, reps=2, sobol=4,
                             sobol_reps=1.5), "--sobol-reps"),
        (lambda: solve(sc, "certification.pass_prob", 0.1, 0.5, "certified_share>=0.5@2025",
                       max_evaluations="x"), "--max-evaluations"),
    ]
    for call_, field in cases:
        with pytest.raises(UserError) as e:
            call_()
        assert e.value.field == field, (field, str(e.value))
        assert f"argument '{ARGUMENTS.get(field, field.lstrip('-'))}'" in str(e.value), str(e.value)
    assert len(sweep(sc, {"certification.pass_prob": 0.3}, reps=2, seed=1).grid) == 1  # one value
    with pytest.raises(UserError, match="expected a list of scenarios, the baseline first, got 'bench'"):
        compare_("bench")  # not 'b', 'e', 'n', ... as scenario names


def test_a_search_cannot_pass_through_a_fields_off_switch():
    """0 switches some fields off (Field.zero: a certificate deadline of 0 is no deadline,
    a capacity of 0 no limit). A search range that reaches it, directly or through a
    multiplier (0.1 x 3 years rounds to 0), is refused naming the range; a whole-number
    field's calibration range must have whole ends (as in solve and sweep). merge_below = 0
    is the smallest amount (nothing merges), not a switch. In sweep, 1 and 1.0 are one
    value."""
    from model.experiments.calibrate import calibrate
    from model.experiments.solve import solve
    sc = model.load("bench", {"demand.communities": 20, "years": 3, "dismissal.certificate_deadline": 3})
    for lever, lo in [("dismissal.certificate_deadline", 0), ("dismissal.certificate_deadline*", 0.1)]:
        with pytest.raises(UserError, match="0 means 'off' for dismissal.certificate_deadline") as e:
            solve(sc, lever, lo, 2 if "*" in lever else 6, "headcount>=150@2027", reps=2, seed=1)
        assert e.value.field == "--range"
    obs = [{"metric": "headcount", "year": 2027, "value": 150.0}]
    with pytest.raises(UserError, match="takes whole numbers; give a whole-number range"):
        calibrate(sc, {"dismissal.certificate_deadline": (0.3, 0.45)}, obs, reps=2, seed=1)
    assert model.schema.SECTIONS["demand"]["merge_below"].zero is None
    assert model.schema.SECTIONS["training"]["capacity"].zero == "no limit"
    with pytest.raises(UserError, match="given twice"):
        sweep(sc, {"dismissal.certificate_deadline": [1, 1.0]}, reps=2, seed=1)


def test_a_change_that_changes_nothing_is_said_to_have_no_effect():
    """An alternative (or a whole sweep) whose values equal the baseline's in every metric,
    year and replication gets a warning, not a silent 'difference 0 [0, 0]'."""
    base = small(years=1)
    with pytest.warns(UserWarning, match="gives the baseline's values .* its change has no effect"):
        compare([base, base.with_overrides({"certification.sit_prob": 1.0})], reps=2, seed=1)  # bench's own
    with pytest.warns(UserWarning, match="every grid point gives the same values .* elections.fill_between"):
        sweep(base, {"elections.fill_between": [True, False]}, reps=2, seed=1)  # elections are off in bench
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a change with an effect: no warning
        compare([base, base.with_overrides({"certification.sit_prob": 0.5})], reps=2, seed=1)
        # nor one that may act after the years both cover (a longer horizon, the same first year)
        compare([base, base.with_overrides({"years": 2, "name": "longer"})], reps=2, seed=1)


def test_a_number_for_a_whole_vector_warns_that_it_flattens_it():
    """pay.monthly = 5000 pays every post alike: said where the scenario's posts differ
    (example-city), not where they are alike (Jilin) or for one element or a multiplier."""
    from model.experiments.common import Lever, warn_lever_replaces
    with pytest.warns(UserWarning, match=r"sweeping pay.monthly sets each of its 3 elements to the same "
                                         r"value, where example-city has 4500, 5400, 6750"):
        warn_lever_replaces(model.load("example-city"), Lever.parse("pay.monthly"), "sweeping")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_lever_replaces(model.load("jilin-2020"), Lever.parse("pay.monthly"), "sweeping")
        for name in ("pay.monthly[1]", "pay.monthly*"):
            warn_lever_replaces(model.load("example-city"), Lever.parse(name), "sweeping")


def test_a_number_for_a_whole_schedule_warns_that_it_flattens_it():
    """jilin-2020 caps hiring at 1200 from 2020 and not from 2023 (0: no cap): solving,
    sweeping, fitting or varying recruitment.cap put one cap in every year, silently (an
    experiments audit). Said for the whole field and for one element of every point of a
    vector's schedule; not for one year's point, a multiplier, or a schedule alike in what
    the lever sets. The lever has no current value then (sensitivity's `current`)."""
    from model.experiments.common import Lever, warn_lever_replaces
    from model.params import Schedule
    jilin = model.load("jilin-2020")
    for doing in ("solving for", "sweeping", "fitting", "varying"):
        with pytest.warns(UserWarning, match=rf"recruitment.cap changes by year in jilin-2020 \(2020 = "
                                             rf"1200; 2023 = 0\); {doing} recruitment.cap sets one value"):
            warn_lever_replaces(jilin, Lever.parse("recruitment.cap"), doing)
    assert Lever.parse("recruitment.cap").current(jilin) is None
    assert Lever.parse("recruitment.cap@2020").current(jilin) == 1200
    pay = jilin.with_overrides({"pay.monthly": {2020: [5000, 4000, 3000], 2022: [5000, 4500, 3000]}})
    assert isinstance(pay.get("pay.monthly"), Schedule)
    with pytest.warns(UserWarning, match=r"pay.monthly changes by year .*2020 = 4000; 2022 = 4500"):
        warn_lever_replaces(pay, Lever.parse("pay.monthly[1]"), "sweeping")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("recruitment.cap@2020", "recruitment.cap*"):
            warn_lever_replaces(jilin, Lever.parse(name), "sweeping")
        for name in ("pay.monthly[0]", "pay.monthly[2]"):  # alike in every point
            warn_lever_replaces(pay, Lever.parse(name), "sweeping")
    from model.experiments.sensitivity import factors_from
    with pytest.warns(UserWarning, match="recruitment.cap changes by year"):
        factors_from(jilin, {"recruitment.cap": (500, 1500)})

def test_a_target_expression_may_name_a_district_by_its_label():
    """headcount.玄武区>=1@2020 is Nanjing's xuanwu district's headcount, as a scenario's
    target scope may name it; a name that is no district stays refused."""
    sc = model.load("nanjing-2018")
    t = common.find_target(sc, "headcount.玄武区>=1@2020")
    assert (t.metric, t.scope, t.metric_name, t.year) == ("headcount", "xuanwu", "headcount.xuanwu", 2020)
    with pytest.raises(UserError, match="unknown metric 'headcount.火星'"):
        common.find_target(sc, "headcount.火星>=1@2020")


def test_a_variants_name_carries_its_value_readably():
    """A list or a schedule given to --variant names the alternative by its values (a
    list's brackets became underscores: 'bench.quits.rate-_0.12_')."""
    from model.experiments.compare import _compact
    assert _compact([0.12]) == "0.12" and _compact([0.12, 0.05]) == "0.12_0.05"
    assert _compact({2025: 0.1, 2027: 0.2}) == "2025-0.1_2027-0.2"
    assert _compact(0.3) == "0.3" and _compact("households") == "households"


def test_a_multiplier_of_a_whole_number_rounds_half_up_as_the_model_does():
    """Python's round took 2.5 to 2 and 4.5 to 4 (half to even); every count the model is
    given rounds half up (sampling.half_up)."""
    from model.params import scaled_toml
    assert [scaled_toml(v, f, "int") for v, f in ((5, 0.5), (3, 1.5), (7, 0.5), (4, 0.6))] == [3, 5, 4, 2]


def test_whole_number_levers_run_as_the_model_rounds_them():
    """A review of the whole-number levers: sweep's check of repeated values rounded half
    to even (2 and 2.5 were 'a value given twice' though the model runs 2 and 3);
    sensitivity took fractional ends of a whole-number lever (its one-at-a-time runs and
    its Sobol points then differed); a multiplier of a count the model rounds itself is
    not switched off by a small low end (a cap of 0.4 hires none: 'no cap' is 0 only)."""
    from model.experiments.common import Lever
    from model.experiments.sensitivity import factors_from
    from model.experiments.sweep import _same
    cap = Lever.parse("recruitment.cap")
    assert [_same(v, cap) for v in (2, 2.5, 3.5, 2.4999)] == [2.0, 3.0, 4.0, 2.0]
    assert cap.as_run(0.5) == 1.0 and Lever.parse("quits.rate[0]").as_run(0.5) == 0.5
    assert cap.as_run(np.array([0.5, 2.4, 2.5])).tolist() == [1.0, 2.0, 3.0]  # a profile's grid, Sobol draws
    sc = model.load("bench", {"recruitment.cap": 100})
    with pytest.raises(model.UserError, match="takes whole numbers"):
        factors_from(sc, {"recruitment.cap": (100.4, 200)})
    Lever.parse("recruitment.cap*").check_no_switch_at_zero(0.004, "--range", sc)
    with pytest.raises(model.UserError, match="0 means 'no cap'"):
        Lever.parse("recruitment.cap*").check_no_switch_at_zero(0.0, "--range", sc)
    # a whole-number field's multiple is rounded half up as the model takes it: 0.25 x 2 = 0.5 is 1
    # dismissal after one unqualified year (round() made it 0, 'off'); 0.24 x 2 = 0.48 is 0
    consecutive = Lever.parse("dismissal.consecutive_unqualified*")
    consecutive.check_no_switch_at_zero(0.25, "--range", sc)
    with pytest.raises(model.UserError, match="0 means 'off'"):
        consecutive.check_no_switch_at_zero(0.24, "--range", sc)
    with pytest.raises(model.UserError, match="expected a finite one"):
        sweep(sc.with_overrides({"demand.communities": 5, "years": 1}), {"quits.rate[0]": [0.1, 10**400]},
              reps=1)


def test_the_whole_number_fields_are_those_the_policies_round():
    """schema's Field.integer (experiments search such a field in whole numbers) is written by
    hand beside each field: every field a policy rounds with half_up(p.FIELD) on its own is
    marked, and every field marked is so rounded (a new rounded count must be marked too)."""
    import re

    from conftest import ROOT

    from model import schema
    rounded = set()
    for section in ("demand", "recruitment", "training", "certification"):
        text = (ROOT / "model" / "policies" / f"{section}.py").read_text(encoding="utf-8")
        rounded |= {(section, name) for name in re.findall(r"half_up\(p\.(\w+)\)", text)}
    marked = {(s, name) for s, fields in schema.SECTIONS.items() for name, f in fields.items() if f.integer}
    assert rounded == marked


def test_a_bad_sweep_value_of_an_uncertain_input_gives_its_error_alone():
    """The uncertain input's warning (sweeping sets it to fixed values) came before the
    value's range error: two messages for one mistake. Now the error alone."""
    sc = model.load("bench", {"demand.communities": 10, "years": 1,
                              "certification.pass_prob": {"dist": "beta", "mean": 0.3, "sd": 0.05}})
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        with pytest.raises(UserError, match="certification.pass_prob"):
            sweep(sc, {"certification.pass_prob": [-1, 1]}, reps=1, seed=1, workers=1)
    assert not [m for m in said if "uncertain" in str(m.message)], [str(m.message) for m in said]


def test_a_sweep_of_a_whole_number_lever_refuses_fractional_values():
    """A policy-team audit: ``--param recruitment.cap 1.4,2.5,3000.5`` ran 1, 3 and 3001 while
    the grid, the output table and the manifest said 1.4, 2.5 and 3000.5; as solve's range,
    a whole-number lever takes whole values (in a list from Python too)."""
    from model.experiments.common import Lever, parse_values
    cap = Lever.parse("recruitment.cap")
    with pytest.raises(UserError, match=r"takes whole numbers .*got 1.4 in '1.4,2.5,3000.5'") as e:
        parse_values("1.4,2.5,3000.5", cap)
    assert e.value.field == "--param"
    with pytest.raises(UserError, match="takes whole numbers .*got 2.5$"):
        sweep(small(years=1), {"recruitment.cap": [2, 2.5]}, reps=1, seed=1)
    assert parse_values("2,3.0", cap) == [2, 3.0]
    assert parse_values("1.4,2.5", Lever.parse("recruitment.cap*")) == [1.4, 2.5]  # a multiplier is no count


def test_a_districts_field_is_a_lever():
    """A policy-team audit: Nanjing's district floors and pass-rate scales are its levers,
    which --set and --variant took but solve and sweep refused ('not a scenario field').
    ``districts[i].key`` (and ``districts[i].key*``) set one district's field; one not set
    there (-1: the city's) has no current value and cannot be multiplied; a wrong index or
    key is one clear message."""
    from model.experiments.common import Lever
    sc = model.load("nanjing-2018", {"years": 1})
    lv = Lever.parse("districts[0].floor_share", "--lever")
    assert (lv.name, lv.current(sc)) == ("districts[0].floor_share", sc.districts[0].floor_share)
    moved = lv.apply(sc, 0.95)
    assert moved.districts[0].floor_share == 0.95 and moved.districts[1] == sc.districts[1]
    star = Lever.parse("districts[0].floor_share*")
    assert star.apply(sc, 2).districts[0].floor_share == pytest.approx(2 * sc.districts[0].floor_share)
    unset = next(i for i, d in enumerate(sc.districts) if d.head_floor_share == -1)
    assert Lever.parse(f"districts[{unset}].head_floor_share").current(sc) is None
    with pytest.raises(UserError, match=r"head_floor_share is -1 \(not set here\) .* nothing to scale"):
        Lever.parse(f"districts[{unset}].head_floor_share*").apply(sc, 1.1)
    with pytest.raises(UserError, match=r"has no field 'floor_shar' \(did you mean 'floor_share'\?\)"):
        Lever.parse("districts[0].floor_shar", "--lever")
    with pytest.raises(UserError, match="names the district"):
        Lever.parse("districts[0].name")
    with pytest.raises(model.ScenarioError, match=r"has 13 districts \(districts\[0\] to districts\[12\]\)"):
        Lever.parse("districts[13].floor_share").apply(sc, 0.9)
    s = sweep(sc, {"districts[0].floor_share": [0.8, 1.2]}, reps=2, seed=1)
    pay = s.output("avg_pay_staff." + sc.districts[0].name + "@2018")["value"].tolist()
    assert pay[1] > pay[0]  # a higher floor in the district pays its staff more


def test_a_cut_horizon_is_noted_once_by_an_experiments_command(tmp_path):
    """``compare A A --set years=2`` printed the note on the targets a cut horizon leaves
    out once per scenario and again in the command; once is enough (the same for sweep)."""
    from robust_helpers import call
    code, _, err = call(["compare", "changzhou-2022", "changzhou-2022", "--set", "years=2", "--reps", 2,
                         "--workers", 1, "--quiet", "--no-report", "--out", tmp_path / "c"])
    assert code == 0 and err.count("horizon is cut short to 2022-2023") == 1, err
    code, _, err = call(["sweep", "changzhou-2022", "--set", "years=2", "--param", "quits.rate*", "1,1.2",
                         "--metric", "headcount", "--reps", 2, "--workers", 1, "--quiet", "--no-report",
                         "--out", tmp_path / "s"])
    assert code == 0 and err.count("horizon is cut short") == 1, err


def test_a_multiplier_lever_is_the_set_options_multiplier():
    """A lever ``key*`` sets the field as ``--set key*=x`` does, by the same rule (a review of
    2026-12-07: the levers had their own copy, which took a -1 'not set' for an amount and
    let a multiplier of 0 switch a cap off); a lever's current value of a field left at -1
    is none; and a whole-number lever's reachable end is a whole number (the bisection tried
    fractions, which such a lever refuses, and said 18 could go no higher where 22 works)."""
    from model.experiments.common import Lever
    sc = model.load("bench")
    with pytest.raises(UserError, match=r"is -1 \(not set here\) in the scenario, so there is nothing to "
                                        r"scale"):
        Lever.parse("pay.housing_fund_floor_monthly*").apply(sc, 1.2)
    assert Lever.parse("pay.housing_fund_floor_monthly").current(sc) is None
    capped = model.load("bench", {"recruitment.cap": 10})
    with pytest.raises(UserError, match="times 0 is 0, and 0 here means no cap"):
        Lever.parse("recruitment.cap*").apply(capped, 0)
    assert Lever.parse("recruitment.cap*").apply(capped, 1.5).recruitment.cap.value == 15
    doubled = Lever.parse("quits.rate*").apply(sc, 2).quits.rate.value
    assert doubled == pytest.approx((2 * sc.quits.rate.value[0],))
    with pytest.raises(UserError, match=r"the range can reach 22 from 18$"):
        Lever.parse("population.min_hire_age").check_ends(sc, 18, 59)


def test_one_rule_tells_the_values_a_whole_number_lever_refuses():
    """A range's ends (check_whole_range) and a list's values (check_whole_values) are
    judged by one rule, Lever.fractional: what is not a finite number is left to the checks
    of numbers (the range's own test raised OverflowError on an infinite end and ValueError
    on a NaN, where the values' passed them on)."""
    import math
    cap = common.Lever.parse("recruitment.cap")
    for ends in [(0, math.inf), (math.nan, 3), (2, 10**400)]:
        cap.check_whole_range(*ends, "--range")
        common.check_whole_values(cap, ends, "--param")
    assert cap.fractional([1, 2.5, 3.0, math.inf, "x"]) == [2.5]
    assert common.Lever.parse("recruitment.cap*").fractional([2.5]) == []
    for check in (lambda: cap.check_whole_range(1, 2.5, "--range"),
                  lambda: common.check_whole_values(cap, [1, 2.5], "--param")):
        with pytest.raises(UserError, match="recruitment.cap takes whole numbers"):
            check()


def test_sweep_checks_whole_values_once_with_the_same_message(monkeypatch, tmp_path, capsys):
    """The sweep command checks its values' wholeness once (parse_values checked them, then
    sweep itself again), and says what it said; from Python a list is checked too."""
    checked = []
    rule = common.check_whole_values
    monkeypatch.setattr(common, "check_whole_values", lambda *a: checked.append(a[1]) or rule(*a))
    base = ["sweep", "bench", "--set", "demand.communities=5", "--set", "years=1", "--reps", "1",
            "--workers", "1", "--quiet", "--no-report"]
    assert cli([*base, "--param", "recruitment.cap", "2,3", "--out", str(tmp_path / "ok")]) == 0
    assert checked == [[2, 3]]
    manifest = json.loads((tmp_path / "ok" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["levers"] == {"recruitment.cap": [2, 3]}
    capsys.readouterr()
    assert cli([*base, "--param", "recruitment.cap", "1.4,2", "--out", str(tmp_path / "no")]) == 2
    assert ("option '--param': recruitment.cap takes whole numbers (the model rounds it half up); got 1.4 "
            "in '1.4,2'") in capsys.readouterr().err
    with pytest.raises(UserError, match="takes whole numbers .*got 2.5$"):
        sweep(small(years=1), {"recruitment.cap": [2, 2.5]}, reps=1, seed=1)


TINY = ["--set", "demand.communities=5", "--set", "years=1", "--reps", "2", "--seed", "3", "--workers", "1",
        "--quiet", "--no-report"]
EXPERIMENTS = {
    "compare": ["compare", "bench", "--variant", "quits.death_rate=0.01"],
    "sweep": ["sweep", "bench", "--param", "quits.rate", "0.05,0.1"],
    "solve": ["solve", "bench", "--lever", "certification.pass_prob", "--range", "0,1", "--tol", "0.25",
              "--target", "certified_share>=0.5@2025", "--prob", "0.5"],
    "sensitivity": ["sensitivity", "bench", "--param", "quits.rate=0.05,0.1", "--sobol", "0",
                    "--metric", "headcount"],
    "calibrate": ["calibrate", "bench", "--param", "quits.rate=0.02,0.3", "--max-evaluations", "2",
                  "--profile", "0"],
}


def test_every_experiments_manifest_says_where_its_runs_ran_as_runs_does(tmp_path, monkeypatch, capsys):
    """The run manifest says where the run ran (backend, workers, scheduler); the
    experiments' said nothing of it. Each now gives the same keys, from its runs' own
    record (model.runner.where_ran), as `run`'s manifest gives them for the same options."""
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    observed = tmp_path / "observed.csv"
    observed.write_text("metric,year,value\nexits_quit,2025,1\n", encoding="utf-8")

    def where(folder, argv):
        assert cli([*argv, *TINY, "--out", str(folder)]) == 0, capsys.readouterr().err
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        return {k: m[k] for k in ("backend", "workers", "scheduler")}
    ran = where(tmp_path / "run", ["run", "bench"])
    assert ran == {"backend": "local", "workers": 1, "scheduler": None}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (calibrate stops before converging: 2 points)
        for name, argv in EXPERIMENTS.items():
            argv = [*argv, "--observed", str(observed)] if name == "calibrate" else argv
            assert where(tmp_path / name, argv) == ran, name


def test_an_experiments_runs_spread_over_a_pool_ran_on_the_pools_processes(monkeypatch):
    """Scenarios spread over a pool of local processes each ran in one of them (their own
    meta: 1 worker), side by side: the experiment's record gives the pool's processes; of
    several sets of runs (sensitivity's one-at-a-time and Sobol points), the most any had."""
    import concurrent.futures
    import contextlib

    from model import runner
    pools = []

    @contextlib.contextmanager
    def here(workers):  # the pool's calls made in this process, one after the other
        pools.append(workers)

        def submit(fn, calls):
            futures = [concurrent.futures.Future() for _ in calls]
            for f, args in zip(futures, calls):
                f.set_result(fn(*args))
            return futures
        yield submit
    monkeypatch.setattr(runner, "process_pool", here)
    monkeypatch.setattr(runner, "available_memory", lambda *a: None)  # (room for every process)
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    sc = small(years=1, **{"demand.communities": 5})
    c = compare([sc, sc.with_overrides({"quits.rate": [0.1]})], reps=2, seed=3, workers=2)
    assert pools == [2] and [r.meta["workers"] for r in c.results] == [1, 1]
    assert c.ran_on == {"backend": "local", "workers": 2, "scheduler": None}
    about = {}
    common.run_many([sc], reps=2, seed=3, workers=1, about=about)
    assert about == {"backend": "local", "workers": 1, "scheduler": None}
    common.run_many([sc, sc], reps=2, seed=3, workers=2, about=about)
    assert about == {"backend": "local", "workers": 2, "scheduler": None}
    common.run_many([sc], reps=2, seed=3, workers=1, about=about)
    assert about["workers"] == 2


def test_compare_shows_by_default_the_metrics_the_targets_read():
    """Without --metric, compare's figure and table take the key metrics and those the
    baseline's targets read (city-wide), not those of targets after its horizon."""
    from model.experiments.compare import KEY_METRICS, default_metrics
    sc = model.load("changzhou-2022")
    assert default_metrics([sc, sc]) == [*KEY_METRICS, "workers_per_10k", "college_share"]
    short = model.load("changzhou-2022", {"years": 2})  # its targets are for 2025
    assert default_metrics([short, short]) == list(KEY_METRICS)
    nanjing = model.load("nanjing-2018")
    assert default_metrics([nanjing, nanjing])[len(KEY_METRICS):] == ["remuneration_ratio_head",
                                                                      "remuneration_ratio_staff"]


def test_an_experiment_gives_its_scenarios_notes_once():
    """A scenario's notes (here, targets a cut horizon leaves out) are warned once by the
    experiment, not by each of its runs (a sweep of three points warned three times, and
    from a pool's processes, where Python's filter does not fold repeats)."""
    import warnings as w

    from model.experiments.sweep import sweep
    sc = model.load("changzhou-2022", {"years": 2, "demand.communities": 40})
    with w.catch_warnings(record=True) as seen:
        w.simplefilter("always")
        sweep(sc, {"quits.rate*": [1.0, 1.1, 1.2]}, reps=2, seed=1, workers=1)
    notes = [str(x.message) for x in seen if "horizon is cut short" in str(x.message)]
    assert len(notes) == 1, notes


def test_an_experiment_on_dask_refuses_the_workers_a_run_refuses():
    """workers=0 is refused by the experiments as by model.run, on the Dask backend too (a
    shared local cluster took it for one worker per core)."""
    from model.experiments.common import run_many
    with pytest.raises(UserError, match="at least 1"):
        run_many([model.load("bench")], reps=2, seed=1, workers=0, backend="dask")


def test_a_shorter_alternative_leaves_the_baselines_later_targets_in_place():
    """Yichang against itself cut to 2 years: the baseline keeps all 7 of its targets, the
    alternative has the 3 its horizon holds, each with its paired difference (the baseline's
    4 later targets had gone from both; found by an audit of the Python API)."""
    base = model.load("yichang-2021")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the horizon cut short is noted
        c = compare([base, base.with_overrides({"years": 2})], reps=2, seed=1, workers=1)
    counts = c.targets.groupby("scenario", sort=False).size().tolist()
    assert counts == [len(base.targets), 3] and len(base.targets) == 7
    short = c.targets[c.targets.scenario == c.labels[1]]
    assert short.year.max() == 2022 and short.probability_difference.notna().all()
