"""Accounting identities that hold in every replication of every scenario, checked over
random combinations of mechanisms and parameters on the shipped places.

Each case draws (from a fixed seed) which mechanisms are on, their dates, and values of
some forty fields across their ranges, on one of the places, for 2-5 years; a
combination the scenario checks refuse is skipped (a fuzz of 2,000 such combinations
found every refusal to be a stated contradiction). One replication of each must satisfy,
every year, to rounding:

* stock and flow: last year's headcount + hires - exits = headcount (the first year's
  opening headcount read from the exit rate), exits by cause add up to all exits;
* posts - headcount = vacancies - workers above posts (both summed by community);
* payroll = its six parts; total cost = payroll + training, recruitment, degree and
  work-fund costs; city + province + district funding = total cost, none below 0;
* the age pyramid adds up to headcount, the post classes' shares and the grade shares to
  1, the certificate levels' shares to the certified share, the four grades of the
  assessment to 1 where anyone is rated; every share in [0, 1];
* passes <= sitters, exempt hires <= hires, worker-years <= the year's opening headcount
  + hires; with districts, each summed metric's districts add up to the city's.

A fuzz of 2,000 combinations (the same generator) found one violation, fixed: funding
below 0 by rounding where the city's subsidy covered every district's cost.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import model
from model.engine import Replication
from model.errors import ScenarioError
from model.metrics import PAYROLL_PARTS, SUMMED_SCOPED

PLACES = ("bench", "example-city", "changzhou-2022", "nanjing-2018", "hohhot-2023", "jilin-2020",
          "yichang-2021")
MECHANISMS = ("recruitment", "certification", "training", "degrees", "assessment", "dismissal", "elimination",
              "service_terms", "grades", "elections", "promotion_out", "quits", "retirement")
CASES = 80


def combination(rng, base) -> dict:
    """Random overrides of ``base`` (a loaded scenario)."""
    y0 = base.start_year
    o: dict = {"years": int(rng.integers(2, 6))}

    def maybe(p, key, value):
        if rng.random() < p:
            o[key] = value() if callable(value) else value
    for m in MECHANISMS:
        maybe(0.25, f"{m}.enabled", lambda: bool(rng.random() < 0.5))
    maybe(0.5, "calendar.recruitment", lambda: sorted({round(float(rng.random()), 3) for _ in range(3)}))
    for stage in ("training", "exam", "assessment", "promotion"):
        maybe(0.3, f"calendar.{stage}", lambda: round(float(rng.random()), 3) if rng.random() < 0.8 else 1.0)
    maybe(0.3, "recruitment.anticipate_exits", lambda: bool(rng.random() < 0.5))
    maybe(0.3, "recruitment.pool_size", lambda: float(rng.choice([1, 10, 100, 1000])))
    maybe(0.3, "recruitment.cap", lambda: float(rng.choice([1, 5, 50, 500])))
    maybe(0.2, "recruitment.max_age", lambda: float(rng.choice([30, 35, 100])))
    maybe(0.2, "recruitment.certificate_required_from", lambda: int(y0 + rng.integers(0, 4)))
    maybe(0.2, "recruitment.extra_hires", lambda: float(rng.choice([3, 30])))
    maybe(0.2, "recruitment.exempt_share", lambda: round(float(rng.random()), 2))
    maybe(0.2, "recruitment.cost_per_hire", 1000.0)
    maybe(0.3, "quits.rate*", lambda: round(3 * float(rng.random()), 2))
    maybe(0.2, "quits.death_rate", lambda: round(0.05 * float(rng.random()), 3))
    maybe(0.2, "quits.pay_elasticity", lambda: round(3 * float(rng.random()), 2))
    maybe(0.3, "certification.pass_prob", lambda: round(float(rng.random()), 2))
    maybe(0.2, "certification.sit_prob", lambda: round(float(rng.random()), 2))
    maybe(0.2, "certification.next_level_years", lambda: float(rng.integers(0, 4)))
    maybe(0.2, "certification.next_sit_prob", lambda: round(float(rng.random()), 2))
    maybe(0.2, "training.capacity", lambda: float(rng.choice([10, 1000])))
    maybe(0.2, "training.cost_per_trainee", 500.0)
    maybe(0.3, "degrees.rate", lambda: [round(0.3 * float(rng.random()), 3) for _ in range(3)])
    maybe(0.2, "degrees.cost_per_degree", 3000.0)
    if rng.random() < 0.3:
        s = np.round(rng.dirichlet([1, 1, 1, 1]), 3)
        s[1] = 1 - s[0] - s[2] - s[3]
        if s[1] >= 0:
            o["assessment.shares"] = [float(x) for x in s]
    maybe(0.2, "assessment.persistence", lambda: round(0.99 * float(rng.random()), 2))
    maybe(0.2, "assessment.excellent_cap", lambda: round(float(rng.random()), 2))
    maybe(0.2, "dismissal.consecutive_unqualified", lambda: int(rng.integers(0, 4)))
    maybe(0.2, "dismissal.certificate_deadline", lambda: int(rng.integers(0, 5)))
    maybe(0.3, "elimination.share", lambda: round(0.3 * float(rng.random()), 2))
    if rng.random() < 0.2:
        o["service_terms.term_end_years"] = [int(y0 + rng.integers(0, 5))]
        o["service_terms.nonrenewal_prob"] = round(0.3 * float(rng.random()), 2)
    maybe(0.2, "elections.fill_between", lambda: bool(rng.random() < 0.5))
    maybe(0.2, "promotion_out.per_year", lambda: float(rng.choice([1, 20])))
    maybe(0.2, "grades.step_prob", lambda: round(float(rng.random()), 2))
    maybe(0.2, "demand.residents_growth", lambda: round(0.2 * float(rng.random()) - 0.1, 3))
    maybe(0.15, "pay.base_share", lambda: round(float(rng.random()), 2))
    maybe(0.15, "pay.growth", lambda: round(0.1 * float(rng.random()), 3))
    maybe(0.15, "economy.inflation", lambda: round(0.05 * float(rng.random()), 3))
    maybe(0.15, "funding.city_subsidy_per_worker", lambda: float(rng.choice([50_000, 1e6])))
    maybe(0.15, "funding.province_share", lambda: round(float(rng.random()), 2))
    if not base.implicit_district:
        for _ in range(int(rng.integers(0, 3))):
            i = int(rng.integers(0, len(base.districts)))
            maybe(1.0, f"districts[{i}].pass_prob_scale", lambda: round(3 * float(rng.random()), 2))
    if base.economy.average_wage <= 0:
        o["economy.average_wage"] = 90_000.0  # pay-sensitive quits read it
    return o


def _cases():
    rng = np.random.default_rng(20261208)
    out = []
    while len(out) < CASES:
        place = str(rng.choice(PLACES))
        sets = [f"{k}={v}" if k.endswith("*") else f"{k}={json.dumps(v)}"
                for k, v in combination(rng, model.load(place)).items()]
        try:
            model.load(place, sets)
        except ScenarioError:
            continue
        out.append((place, sets))
    return out


def close(a, b, rel=1e-9, abs_=1e-6) -> bool:
    return abs(a - b) <= max(abs_, rel * max(abs(a), abs(b)))


@pytest.mark.parametrize("place,sets", _cases())
def test_accounting_identities_hold_in_every_year(place, sets):
    sc = model.load(place, sets)
    r = Replication(sc, 7, 0)
    r.run()

    def g(m, i):
        return float(r.out[i, r.index[m]])
    last = None
    for i, year in enumerate(sc.year_list):
        hc, hires, exits = g("headcount", i), g("hires", i), g("exits_total", i)
        causes = sum(g(m, i) for m in r.index if m.startswith("exits_") and m != "exits_total")
        assert causes == exits, (year, causes, exits)
        rate = g("exit_rate", i)
        opening = exits / rate if rate > 0 else last
        if opening is not None:
            assert close(opening + hires - exits, hc, 1e-6), (year, opening, hires, exits, hc)
            assert g("worker_years", i) <= opening + hires + 1e-6, year
        last = hc
        assert close(g("posts", i) - hc, g("vacancies", i) - g("surplus_workers", i)), year
        assert close(sum(g(m, i) for m in PAYROLL_PARTS), g("payroll", i), 1e-9, 1e-3), year
        costs = ("training", "recruitment", "degrees", "work_funds")
        cost = g("payroll", i) + sum(g(f"cost_{c}", i) for c in costs)
        assert close(cost, g("total_cost", i), 1e-9, 1e-3), year
        sources = [g(f"funding_{s}", i) for s in ("city", "province", "district")]
        assert close(sum(sources), g("total_cost", i), 1e-9, 1e-3) and min(sources) >= 0, (year, sources)
        assert sum(g(m, i) for m in r.index if m.startswith("pyramid_")) == hc, year
        if hc > 0:
            assert close(g("share_head", i) + g("share_committee", i) + g("share_staff", i), 1.0), year
            levels = sum(g(f"certified_share_{lv}", i) for lv in ("assistant", "intermediate", "senior"))
            assert close(levels, g("certified_share", i)), year
            grades = np.array([g(m, i) for m in r.index if m.startswith("grade_share_")])
            assert np.isnan(grades).all() or close(grades.sum(), 1.0), year
        rated = [g(f"rated_{x}_share", i) for x in ("excellent", "qualified", "basic", "unqualified")]
        assert np.isnan(rated).all() or close(sum(rated), 1.0), (year, rated)
        for m in r.index:
            v = g(m, i)
            if (m.endswith("_share") or "_share." in m) and np.isfinite(v):
                assert -1e-12 <= v <= 1 + 1e-12, (year, m, v)
        assert g("exam_passes", i) <= g("exam_sitters", i) and g("hires_exempt", i) <= hires, year
        if not sc.implicit_district:
            for m in SUMMED_SCOPED:
                parts = sum(g(f"{m}.{d.name}", i) for d in sc.districts)
                assert close(parts, g(m, i), 1e-9, 1e-3), (year, m, parts, g(m, i))
                assert m != "funding_district" or min(g(f"{m}.{d.name}", i) for d in sc.districts) >= 0
