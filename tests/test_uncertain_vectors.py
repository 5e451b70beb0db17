"""Uncertain values inside schedules and vectors (issue 5).

A schedule point may be uncertain (``growth = {2025 = 0.05, 2030 = {dist = ...}}``), and
so may an entry of a vector (``rate = [{dist = ...}, 0.05]``), also inside a schedule of
vectors. Each such entry is drawn once per replication from its own stream, named by its
key (``quits.rate[0]``, ``pay.growth@2030``, ``pay.monthly@2030[1]``); ``streams=None``
takes the means; a scenario without such entries draws exactly as before.

Statistical checks compare the mean of ``N`` per-replication draws with the
distribution's mean within ``K`` standard errors ``sd / sqrt(N)`` (and the sample sd with
its own standard error ``sd / sqrt(2 (N - 1))``; the correlation of two entries with 0
within ``K / sqrt(N)``). With ``K = 4`` a correct model fails one such check with
probability about 6e-5; the seeds are fixed, so the outcome is repeatable.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from scipy import stats
from robust_helpers import BENCH, call, check_error

import model
from model import engine
from model.errors import ScenarioError
from model.params import Constant, Schedule, Uncertain, entry_key, parse_key
from model.scenario import Scenario
from model.streams import Streams

N = 400  # replications in the statistical checks
K = 4.0  # tolerance in standard errors

NESTED = f'''extends = "{BENCH}"
[quits]
rate = [{{dist = "normal", mean = 0.08, sd = 0.01}}, {{dist = "uniform", low = 0.02, high = 0.06}}, 0.05]
tenure_bands = [0, 3, 10]
[pay]
growth = {{2025 = 0.05, 2030 = {{dist = "uniform", low = 0.02, high = 0.06}}}}
monthly = {{2025 = [5000, 6000, 7000], 2029 = [5500, {{dist = "normal", mean = 6600, sd = 300}}, 7700]}}
'''
KEYS = ("quits.rate[0]", "quits.rate[1]", "pay.monthly@2029[1]", "pay.growth@2030")


@pytest.fixture(scope="module")
def nested(tmp_path_factory) -> Scenario:
    f = tmp_path_factory.mktemp("nested") / "nested.toml"
    f.write_text(NESTED, encoding="utf-8")
    return model.load(f)


def _draws(sc, reps=N, seed=20250101):
    """Per replication: the year namespaces of ``engine.year_parameters``."""
    return [engine.year_parameters(sc, Streams(seed, r)) for r in range(reps)]


# --------------------------------------------------------------------------- parsing

def test_both_forms_parse(nested):
    rate, growth, monthly = nested.quits.rate, nested.pay.growth, nested.pay.monthly
    assert isinstance(rate, Constant) and isinstance(rate.value[0], Uncertain) and rate.value[2] == 0.05
    assert (rate.value[0].dist, dict(rate.value[0].args)) == ("normal", {"mean": 0.08, "sd": 0.01})
    assert (rate.value[0].lo, rate.value[0].hi) == (0.0, 1.0)  # the field's range travels with the entry
    assert isinstance(growth, Schedule) and growth.points[0] == (2025, 0.05)
    assert isinstance(dict(growth.points)[2030], Uncertain)
    pt = dict(monthly.points)[2029]
    assert isinstance(pt[1], Uncertain) and (pt[0], pt[2]) == (5500.0, 7700.0)
    assert (pt[1].lo, pt[1].hi) == (0.0, 1e7)
    assert all(v.is_random for v in (rate, growth, monthly))
    assert not nested.pay.floor_share.is_random


def test_uncertain_lists_every_entry_by_its_key(nested):
    u = nested.uncertain()
    assert set(u) == set(KEYS)
    assert u["pay.growth@2030"] is dict(nested.pay.growth.points)[2030]
    assert set(nested.random_fields()) == {"quits.rate", "pay.growth", "pay.monthly"}
    for k in u:
        path, year, index = parse_key(k)
        assert entry_key(path, year, index) == k


def test_means_and_toml_round_trip(nested):
    """Central values use the means; the manifest's record of the fields reads back the same."""
    assert nested.quits.rate.central() == pytest.approx((0.08, 0.04, 0.05))
    years = nested.year_list
    g = nested.pay.growth.resolve(years)
    assert g[years < 2030] == pytest.approx(0.05) and g[years >= 2030] == pytest.approx(0.04)
    res = json.loads(json.dumps(nested.resolved()))  # the manifest's record
    again = nested.with_overrides({f"{s}.{k}": res[s][k] for s, k in
                                   (("quits", "rate"), ("pay", "growth"), ("pay", "monthly"))})
    assert again.hash == nested.hash
    rerun = Scenario(json.loads(json.dumps(nested.raw)), [], "manifest.json")  # what `rerun` reads
    for sc in (again, rerun):
        assert sc.uncertain() == nested.uncertain()
        assert sc.resolved()["pay"] == nested.resolved()["pay"]


def test_overrides_and_linear_schedules_take_nested_entries():
    sc = model.load("bench", [('pay.growth={2025 = 0.01, 2034 = {dist = "uniform", low = 0.02, high = 0.04}, '
                               'interp = "linear"}')])
    assert list(sc.uncertain()) == ["pay.growth@2034"]
    x = sc.pay.growth.sample(sc.year_list, "pay.growth", Streams(5, 0))
    end = sc.uncertain()["pay.growth@2034"].draw(Streams(5, 0).parameter("pay.growth@2034"))
    assert x == pytest.approx(np.linspace(0.01, end, 10))  # interpolated towards the drawn point


# --------------------------------------------------------------------------- draws

def test_draws_follow_each_distribution(nested):
    """Mean and sd of N per-replication draws of each entry, within K standard errors."""
    P = _draws(nested)
    y29, y30 = 2029 - nested.start_year, 2030 - nested.start_year
    samples = {
        "quits.rate[0]": ([p[0].quits.rate[0] for p in P], 0.08, 0.01),
        "quits.rate[1]": ([p[0].quits.rate[1] for p in P], 0.04, 0.04 / math.sqrt(12)),
        "pay.monthly@2029[1]": ([p[y29].pay.monthly[1] for p in P], 6600.0, 300.0),
        "pay.growth@2030": ([p[y30].pay.growth for p in P], 0.04, 0.04 / math.sqrt(12)),
    }
    for key, (x, mean, sd) in samples.items():
        x = np.asarray(x)
        assert abs(x.mean() - mean) < K * sd / math.sqrt(N), key
        assert abs(x.std(ddof=1) - sd) < K * sd / math.sqrt(2 * (N - 1)), key
    # fixed entries, and years before a drawn point, are not drawn
    for p in P[:20]:
        assert p[0].quits.rate[2] == 0.05 and p[0].pay.growth == 0.05
        assert list(p[0].pay.monthly) == [5000.0, 6000.0, 7000.0]
        assert (p[y29].pay.monthly[0], p[y29].pay.monthly[2]) == (5500.0, 7700.0)
        assert p[y29].pay.growth == 0.05
    # a draw holds for every year it applies to (drawn once per replication)
    assert len({float(p.quits.rate[0]) for p in P[0]}) == 1
    assert len({float(p.pay.growth) for p in P[0][y30:]}) == 1


def test_each_entry_draws_from_its_own_stream(nested):
    """The draw of an entry is the quantile of the first uniform of stream ``key``."""
    u = nested.uncertain()
    for r in range(3):
        P = engine.year_parameters(nested, Streams(9, r))
        want = {k: u[k].draw(Streams(9, r).parameter(k)) for k in KEYS}
        assert P[0].quits.rate[0] == want["quits.rate[0]"]
        assert P[0].quits.rate[1] == want["quits.rate[1]"]
        assert P[2029 - 2025].pay.monthly[1] == want["pay.monthly@2029[1]"]
        assert P[2030 - 2025].pay.growth == want["pay.growth@2030"]


def test_entries_are_drawn_independently(nested):
    """Entries of one vector, and points of one schedule, are uncorrelated across replications."""
    P = _draws(nested)
    a = np.array([p[0].quits.rate[0] for p in P])
    b = np.array([p[0].quits.rate[1] for p in P])
    c = np.array([p[2030 - 2025].pay.growth for p in P])
    for x, y in ((a, b), (a, c), (b, c)):
        assert abs(np.corrcoef(x, y)[0, 1]) < K / math.sqrt(N)
    assert len(set(a)) == N  # no two replications share a draw


def test_no_streams_gives_the_means(nested):
    P = engine.year_parameters(nested, None)
    assert list(P[0].quits.rate) == pytest.approx([0.08, 0.04, 0.05])
    assert list(P[2029 - 2025].pay.monthly) == pytest.approx([5500.0, 6600.0, 7700.0])
    assert P[2030 - 2025].pay.growth == pytest.approx(0.04)
    assert P[2029 - 2025].pay.growth == 0.05


def test_draws_are_clipped_to_the_fields_range():
    """As for a whole uncertain field: a draw outside [lo, hi] is set to the bound."""
    sc = model.load("bench").with_overrides({"quits.rate": [{"dist": "normal", "mean": 0.01, "sd": 0.05}]})
    x = np.array([p[0].quits.rate[0] for p in _draws(sc, 200)])
    assert x.min() == 0.0 and (x == 0.0).sum() > 50 and x.max() > 0.05


def test_adding_an_entry_elsewhere_leaves_other_draws_unchanged(nested):
    more = nested.with_overrides({"pay.growth": {"2025": {"dist": "normal", "mean": 0.05, "sd": 0.01},
                                                 "2030": {"dist": "uniform", "low": 0.02, "high": 0.06}},
                                  "economy.inflation": {"dist": "normal", "mean": 0.02, "sd": 0.01}})
    for r in range(5):
        a, b = engine.year_parameters(nested, Streams(3, r)), engine.year_parameters(more, Streams(3, r))
        assert np.array_equal(a[0].quits.rate, b[0].quits.rate)
        assert np.array_equal(a[4].pay.monthly, b[4].pay.monthly)
        assert a[5].pay.growth == b[5].pay.growth
        assert a[0].pay.growth != b[0].pay.growth


@pytest.mark.parametrize("name", ["national-2025", "yichang-2021", "example-city"])
def test_unchanged_scenarios_draw_as_before(name):
    """Whole uncertain fields draw from stream ``section.key`` exactly as before issue 5,
    and every other field keeps its value."""
    sc = model.load(name)
    assert sc.uncertain() and all("[" not in k and "@" not in k for k in sc.uncertain())
    fixed = engine.year_parameters(sc, None)
    for r in (0, 1, 7):
        P = engine.year_parameters(sc, Streams(sc.run.seed, r))
        for path, u in sc.uncertain().items():
            sec, key = path.split(".")
            old = u.resolve(sc.year_list, Streams(sc.run.seed, r).parameter(path))  # the former engine's draw
            assert [getattr(getattr(p, sec), key) for p in P] == [float(v) for v in old], path
        for i, p in enumerate(P):
            for sec, ns in vars(p).items():
                for key, v in vars(ns).items():
                    if f"{sec}.{key}" not in sc.uncertain():
                        assert np.array_equal(v, getattr(getattr(fixed[i], sec), key)), (sec, key)


def test_a_run_with_nested_entries_is_reproducible(nested):
    sc = nested.with_overrides({"demand.communities": 20, "years": 5,
                                "pay.growth": {"2025": 0.05, "2028": {"dist": "uniform", "low": 0.02, "high": 0.06}},
                                "pay.monthly": [5000, {"dist": "normal", "mean": 6600, "sd": 300}, 7700]})
    a, b = model.run(sc, reps=2, seed=4), model.run(sc, reps=2, seed=4)
    assert np.array_equal(a.values, b.values, equal_nan=True)


# --------------------------------------------------------------------------- experiments

def test_sensitivity_factors_cover_nested_entries(nested):
    """Each uncertain entry is a factor; fixing it at a value keeps the other entries uncertain."""
    from model.experiments.sensitivity import factors_from
    facs = {f.lever.name: f for f in factors_from(nested)}
    assert set(facs) == set(KEYS)
    f = facs["pay.monthly@2029[1]"]
    assert f.low < 6600 < f.high and f.lever.current(nested) == pytest.approx(6600)
    low = f.lever.apply(nested, f.low)
    assert dict(low.pay.monthly.points)[2029] == (5500.0, pytest.approx(f.low), 7700.0)
    assert set(low.uncertain()) == set(KEYS) - {"pay.monthly@2029[1]"}
    g = facs["quits.rate[0]"].lever.apply(nested, 0.1)
    assert g.quits.rate.value[0] == 0.1 and isinstance(g.quits.rate.value[1], Uncertain)
    assert facs["pay.growth@2030"].lever.apply(nested, 0.03).pay.growth.points == ((2025, 0.05), (2030, 0.03))


def test_multiplier_scales_nested_entries(nested):
    from model.experiments.common import Lever
    sc = Lever.parse("quits.rate*").apply(nested, 2.0)
    u = sc.quits.rate.value[0]
    assert dict(u.args) == {"mean": 0.16, "sd": 0.02} and sc.quits.rate.value[2] == 0.1


def test_an_uncertain_value_times_zero_is_zero(nested):
    """Times 0, every draw is 0: an uncertain entry becomes the number 0, alone or inside a
    vector or a schedule (the multiplier was refused: 'sd must be > 0', the zero spread of
    a distribution the schema does not accept), as a constant times 0 is accepted."""
    from model.experiments.common import Lever
    assert Lever.parse("quits.rate*").apply(nested, 0.0).quits.rate.value == (0.0, 0.0, 0.0)
    assert all(v == 0 for _, v in Lever.parse("pay.growth*").apply(nested, 0.0).pay.growth.points)
    sc = model.load("national-2025", ["certification.pass_prob*=0"])
    assert sc.certification.pass_prob.value == 0.0 and "certification.pass_prob" not in sc.uncertain()


# --------------------------------------------------------------------------- bad files

BAD = [
    # (text after [section], field, words)
    ('[quits]\nrate = [{dist = "cauchy", mean = 0.08, sd = 0.01}]\n', "quits.rate[0]", "dist must be one of"),
    ('[quits]\nrate = [{dist = "beta", mean = 0.5, sd = 0.6}]\n', "quits.rate[0]", "sd^2 < mean*(1-mean)"),
    ('[quits]\nrate = [{dist = "normal", mean = 1.5, sd = 0.1}]\n', "quits.rate[0]", "mean 1.5 is outside [0, 1]"),
    ('[quits]\nrate = [{dist = "normal", mean = 0.1}]\n', "quits.rate[0]", "missing sd"),
    ('[quits]\nrate = [{dist = "normal", mean = 0.1, sd = "x"}]\n', "quits.rate[0].sd", "expected a finite number"),
    ('[quits]\nrate = [{mean = 0.1}]\n', "quits.rate[0]", "expected a number or an uncertain value"),
    ('[pay]\ngrowth = {2025 = 0.05, 2030 = {dist = "uniform", low = 0.06, high = 0.02}}\n', "pay.growth.2030",
     "needs low < high"),
    ('[pay]\ngrowth = {2025 = 0.05, 2030 = {dist = "normal", mean = 0.05, sd = 0.01, bogus = 1}}\n',
     "pay.growth.2030", "unknown key(s) bogus"),
    ('[pay]\nmonthly = {2025 = [5000, {dist = "gamma", mean = -1, sd = 1}, 7000]}\n', "pay.monthly.2025[1]",
     "needs mean > 0"),
    ('[pay]\nmonthly = {dist = "normal", mean = 5000, sd = 100}\n', "pay.monthly", "cannot be uncertain"),
    ('[recruitment]\ncertificate = [{dist = "uniform", low = 0.7, high = 0.9}, 0.2, 0.0, 0.0]\n',
     "recruitment.certificate[0]", "cannot be uncertain one by one"),
]


@pytest.mark.parametrize("text, field, words", BAD, ids=[b[1] + ":" + b[2].split()[0] for b in BAD])
def test_bad_nested_distribution_is_one_line(tmp_path, text, field, words):
    f = tmp_path / "case.toml"
    f.write_text(f'extends = "{BENCH}"\n{text}', encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        model.load(f)
    assert (e.value.field, e.value.line) == (field, 3), str(e.value)
    assert words in e.value.message
    code, out, err = call(["validate", f])
    m = check_error(code, out, err, {f: f.read_bytes()})
    assert (m.group("field"), m.group("line")) == (field, "3")
    assert re.fullmatch(rf"error: .*case\.toml:3, field '{re.escape(field)}': .+\n", err)


def test_bad_nested_distribution_from_set_names_the_option():
    code, out, err = call(["validate", BENCH, "--set", 'quits.rate=[{dist = "normal", mean = 2, sd = 1}]'])
    m = check_error(code, out, err, {Path(BENCH): Path(BENCH).read_bytes()})
    assert (m.group("where"), m.group("field")) == ("--set", "quits.rate[0]")


def test_a_draw_at_or_below_zero_is_the_least_amount_where_zero_switches_off():
    """Where 0 switches a field off (a hiring cap of 0 is no cap), a draw clipped at the
    field's lower end is the least amount, not the switch: cap ~ normal(0.5, 5) draws at or
    below 0 in Phi(-0.1) = 46% of replications, and those replications hire nobody (before
    the audit of 2026-12-07 they hired without limit). 200 draws: a binomial test at 1e-4 of
    the share (a threshold at 0.5, the draws a cap rounds to no hire, would make it 50%, too
    near to tell: a second law, uniform(-1, 1.2), tells them apart, 45% against 68%); every
    drawn cap positive; in a run, the replications with the least cap hire none while the
    others fill posts up to their cap."""
    from model.params import LEAST_AMOUNT
    from model.streams import Streams
    cap = {"dist": "normal", "mean": 0.5, "sd": 5.0}
    sc = model.load("bench", {"demand.communities": 20, "recruitment.cap": cap})
    caps = np.array([engine.year_parameters(sc, Streams(3, r))[0].recruitment.cap for r in range(200)])
    assert (caps > 0).all()
    least = caps == LEAST_AMOUNT
    p = 0.5 * math.erfc(0.1 / math.sqrt(2))  # P(normal(0.5, 5) <= 0)
    assert stats.binomtest(int(least.sum()), len(caps), p).pvalue > 1e-4, least.mean()
    wide = model.load("bench", {"demand.communities": 20,
                                "recruitment.cap": {"dist": "uniform", "low": -1.0, "high": 1.2}})
    at_least = np.array([engine.year_parameters(wide, Streams(3, r))[0].recruitment.cap
                         for r in range(200)]) == LEAST_AMOUNT
    assert stats.binomtest(int(at_least.sum()), 200, 1 / 2.2).pvalue > 1e-4, at_least.mean()  # not 1.5 / 2.2
    res = model.run(sc, reps=12, seed=3, workers=1)
    hires = res.metric("hires").to_numpy()[:, 1:]  # the first year hires none anyway (every post filled)
    drawn = caps[:12]
    assert (hires[drawn == LEAST_AMOUNT] == 0).all()
    assert (hires[drawn >= 1.5] > 0).any()
