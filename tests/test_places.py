"""The five place scenarios and their alternatives: they validate, run, cite a source for
every number, and reproduce the starting figures their documents give.

The starting figures and how each is measured live in ``scenarios/make_readme.py``
(``FIGURES``), which also writes them into scenarios/README.md, so the page and the tests
check the same thing. Figures of kind ``back-test`` are reported there, not asserted:
nothing was set from them, and a miss is a finding, not a failure.

Statistical tolerance. A figure the model should reproduce is compared with the mean of
``REPS`` replications at a fixed seed; the tolerance is

    t_{0.9995, REPS-1} * sd / sqrt(REPS)  +  rounding

where ``sd`` is the sample standard deviation over replications (parameter uncertainty
included) and ``rounding`` half a unit of the document's last digit ("13 per community"
is known to +-0.5). Under normality this has a 0.1% false-alarm rate per figure (about 2%
for the ~20 figures together); at a fixed seed the outcome is reproducible.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import model

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
REPS = 12
SEED = 20240601


sys.path.insert(0, str(SCENARIOS))
import make_readme as MR  # noqa: E402  (scenarios/make_readme.py: the starting figures)
PLACE_FILES = [SCENARIOS / f"{p.scenario}.toml" for p in MR.PLACES]
ALT_FILES = sorted((SCENARIOS / "alternatives").glob("*.toml"))
K = float(stats.t.ppf(0.9995, REPS - 1))


# ------------------------------------------------------------------ every file

@pytest.mark.parametrize("path", PLACE_FILES + ALT_FILES, ids=lambda p: p.stem)
def test_scenario_validates_and_runs(path):
    """Loads (schema and semantic checks), runs two replications, every target evaluates."""
    sc = model.load(path)
    res = model.run(sc, reps=2, seed=SEED, workers=1)
    assert res.values.shape[:2] == (2, sc.years)
    head = res.metric("headcount").to_numpy()
    assert np.isfinite(head).all() and (head > 0).all()
    tab = res.targets()
    assert len(tab) == len(sc.targets) >= 1
    for t in sc.targets:
        assert np.isfinite(res.at(t.metric_name, t.year)).all(), t.name


@pytest.mark.parametrize("place", MR.PLACES, ids=lambda p: p.scenario)
def test_place_horizon_and_start(place):
    """Starts in its document's year; runs to the last target year + 5 at least."""
    sc = model.load(SCENARIOS / f"{place.scenario}.toml")
    year = int(re.search(r"(\d{4})$", place.scenario).group(1))
    assert sc.start_year == year
    assert sc.end_year >= max(t.year for t in sc.targets) + 5
    assert all(t.source for t in sc.targets)


@pytest.mark.parametrize("place", MR.PLACES, ids=lambda p: p.scenario)
def test_at_least_two_alternatives_each_changing_the_base(place):
    base = model.load(SCENARIOS / f"{place.scenario}.toml")
    alts = MR.alternatives(place.scenario)
    assert len(alts) >= 2
    for a in alts:
        sc = model.load(a)
        assert sc.name != base.name
        assert sc.hash != base.hash, f"{a.name} changes nothing"


@pytest.mark.parametrize("path", PLACE_FILES + ALT_FILES, ids=lambda p: p.stem)
def test_every_value_cites_a_source(path):
    """Each key has a comment (its line, or the lines above): a seed, FIGURES.md, or an assumption."""
    missing = [r.path for r in MR.parse(path)
               if r.section != "targets" and r.key not in MR.NOT_PARAMETERS and not r.source]
    assert not missing, f"{path.name}: no source comment for {missing}"


# ------------------------------------------------------------------ starting figures

def _check(fig, sc, res, stock):
    v = MR.figure_values(fig, sc, res, stock)
    if fig.op == ">=":
        assert v.min() >= fig.value - 1e-9, f"{fig.label}: {v.min()} < {fig.value}"
        return
    mean = float(v.mean())
    se = float(v.std(ddof=1) / np.sqrt(len(v))) if len(v) > 1 else 0.0
    tol = K * se + fig.rounding + 1e-9 * abs(fig.value)
    assert abs(mean - fig.value) <= tol, f"{fig.label}: model {mean:.6g}, document {fig.value:g}, tolerance {tol:.3g}"


def _figures(place: str):
    sc = model.load(SCENARIOS / f"{place}.toml")
    res = model.run(sc, reps=REPS, seed=SEED, workers=1)
    figs = [f for f in MR.figures_of(place) if f.kind != "back-test" and f.expected is None]
    stock = (model.run(sc.with_overrides(MR.STOCK), reps=REPS, seed=SEED, workers=1)
             if any(f.stock for f in figs) else None)
    return sc, res, stock, figs


def test_changzhou_starting_figures():
    """10 workers per community before the rule, 13 posts after it, 86% college, 65% certified,
    base wage 4,500 yuan/month and subsidy 83,800 yuan per worker in 2022 (seed 000), and
    65.4% women (a survey of 162 workers)."""
    sc, res, stock, figs = _figures("changzhou-2022")
    assert len(figs) == 7
    for f in figs:
        _check(f, sc, res, stock)


def test_nanjing_starting_figures_and_district_rollup():
    """1,253 communities, the work funds, the pay floors by district (seed 001), 16,000
    workers in 2024 (calibrated); district metrics add up to the city's and urban + rural = all."""
    sc, res, stock, figs = _figures("nanjing-2018")
    assert len(figs) == 6
    for f in figs:
        _check(f, sc, res, stock)
    names = [d.name for d in sc.districts]
    assert len(names) == 13
    for y in (2018, 2020):
        total = res.at("headcount", y)
        assert np.array_equal(sum(res.at(f"headcount.{d}", y) for d in names), total)
        assert np.array_equal(res.at("headcount.urban", y) + res.at("headcount.rural", y), total)
        assert np.allclose(sum(res.at(f"payroll.{d}", y) for d in names), res.at("payroll", y), rtol=1e-9)


def test_hohhot_starting_figures():
    """5,285 workers = 18.2 per 10,000 urban residents on 31 December 2023 and 428 communities
    in 2024 (calibrated), the pay ladder and 36 promoted out in 2023-24 (seed 002)."""
    sc, res, stock, figs = _figures("hohhot-2023")
    assert len(figs) == 6
    for f in figs:
        _check(f, sc, res, stock)


def test_jilin_starting_figures():
    """Changchun's 421 urban communities, every community starts with its 2 party-building
    workers, the allowance is at least 200 yuan, average pay equals the benchmark
    (calibrated), and posts per community equal the size-band rule's expectation computed
    from the rule text (seed 003)."""
    sc, res, stock, figs = _figures("jilin-2020")
    assert len(figs) == 4
    for f in figs:
        _check(f, sc, res, stock)
    # the rule at one point of its ranges (10-15 posts -> 12, 300-500 households -> 400)
    fixed = sc.with_overrides({"demand.band_base": 12, "demand.band_step": 400})
    r = model.run(fixed, reps=REPS, seed=SEED, workers=1)
    v = r.at("posts", 2020) / r.at("communities", 2020)
    expected = MR.jilin_rule_expectation(fixed)
    tol = K * v.std(ddof=1) / np.sqrt(REPS)
    assert abs(v.mean() - expected) <= tol, (v.mean(), expected, tol)
    # and the rule's own bounds hold in every replication of the scenario itself
    per_c = res.at("posts", 2020) / res.at("communities", 2020)
    assert (per_c >= 10).all()


def test_yichang_starting_figures():
    """20% eliminated in 2021 and the starting certified share of 20% (seed 004, FIGURES.md 1.2)."""
    sc, res, stock, figs = _figures("yichang-2021")
    assert len(figs) == 2
    for f in figs:
        _check(f, sc, res, stock)


def test_readme_lists_every_target():
    """scenarios/README.md was regenerated after the last target was added or renamed."""
    text = (SCENARIOS / "README.md").read_text(encoding="utf-8")
    assert "python scenarios/make_readme.py" in text
    for p in PLACE_FILES + ALT_FILES:
        assert f"`{model.load(p).name}`" in text
        for t in model.load(p).targets:
            assert t.name in text, t.name
