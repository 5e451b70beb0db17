"""Checks a schema cannot make: contradictions between fields, caught before running.

Each message says what is inconsistent and how to fix it.
"""

from __future__ import annotations

import numpy as np

from . import metrics
from .params import Constant, Schedule, Uncertain


def _values(v):
    """Every number a parameter can take (schedule points, a distribution's bounds)."""
    if isinstance(v, Constant):
        return [np.asarray(v.value, dtype=float)]
    if isinstance(v, Schedule):
        return [np.asarray(x, dtype=float) for _, x in v.points]
    if isinstance(v, Uncertain):
        return [np.asarray(v.interval(0.0), dtype=float)]
    return [np.asarray(v, dtype=float)]


def _max(v):
    return max(float(np.max(x)) for x in _values(v))


def _min(v):
    return min(float(np.min(x)) for x in _values(v))


def check(sc, ck) -> None:
    fail = ck.fail
    d, ps, rec = sc.demand, sc.population, sc.recruitment
    # districts
    if not sc.implicit_district:
        names = [x.name for x in sc.districts]
        for i, n in enumerate(names):
            if n in names[:i]:
                fail(f"districts[{i}].name", f"district '{n}' is named twice")
            if n in ("urban", "rural") or not n.replace("_", "").isalnum() or not n.islower():
                fail(f"districts[{i}].name", "use lower-case letters, digits and '_' (not 'urban' or 'rural')")
        total = sum(x.communities for x in sc.districts)
        if total != d.communities:
            fail("demand.communities", f"is {d.communities} but the districts' communities add up to "
                 f"{total}; make them agree")
    # staffing
    leaders = ps.heads_per_community + ps.committee_per_community
    if d.rule == "fixed" and leaders > _min(d.posts_per_community):
        fail("population.committee_per_community",
             f"heads ({ps.heads_per_community}) + committee ({ps.committee_per_community}) per community "
             f"exceed the posts per community ({_min(d.posts_per_community):g}); lower them or raise "
             "demand.posts_per_community")
    if d.rule in ("households", "size_band", "per_10k") and d.urban_residents <= 0:
        fail("demand.urban_residents", f"rule '{d.rule}' needs the urban resident population; set "
             "demand.urban_residents")
    if d.merge_below and d.split_above and d.merge_below * 2 >= d.split_above:
        fail("demand.merge_below", "must be less than half of split_above, or halves of a split "
             "community would merge again")
    # recruitment
    min_age = min(b[0] for b in rec.age)
    if rec.enabled and _max(rec.max_age) < min_age:
        fail("recruitment.max_age", f"the hiring age limit ({_max(rec.max_age):g}) is below the youngest "
             f"applicant ({min_age}); raise max_age or lower recruitment.age")
    if rec.enabled and _max(rec.min_education) > 0:
        for v in _values(rec.education):
            if v[int(round(_max(rec.min_education))):].sum() <= 0:
                fail("recruitment.min_education", "no applicant has the required education; change "
                     "recruitment.education or min_education")
    if rec.certificate_required_from and all(v[1:].sum() <= 0 for v in _values(rec.certificate)):
        fail("recruitment.certificate", "certificates are required from "
             f"{rec.certificate_required_from} but no applicant holds one; give recruitment.certificate "
             "a share above 0 at some level")
    # quits
    q = sc.quits
    if list(q.tenure_bands) != sorted(set(q.tenure_bands)) or (q.tenure_bands and q.tenure_bands[0] != 0):
        fail("quits.tenure_bands", "must start at 0 and increase, e.g. [0, 3, 10]")
    for v in _values(q.rate):
        if len(v) != len(q.tenure_bands):
            fail("quits.rate", f"gives {len(v)} rates for {len(q.tenure_bands)} tenure bands; give one "
                 "rate per band")
    # pay floors need a benchmark
    floors = _max(sc.pay.floor_share) > 0 or any(x.floor_share > 0 for x in sc.districts)
    if floors and sc.economy.average_wage <= 0:
        fail("economy.average_wage", "pay floors are set (pay.floor_share or a district floor_share) but "
             "the average wage they are benchmarked to is missing; set economy.average_wage")
    if (_max(sc.pay.contribution_floor) > 0 or _max(sc.quits.pay_elasticity) > 0) and sc.economy.average_wage <= 0:
        fail("economy.average_wage", "contribution limits and pay-sensitive quits need the average wage; "
             "set economy.average_wage")
    g = sc.grades
    for a, b in zip(_values(g.min_grade), _values(g.max_grade)):
        if (a > b).any():
            fail("grades.min_grade", "a post's lowest grade is above its highest grade")
    # targets
    known = set(metrics.names(sc))
    scopes = set(metrics.scopes(sc))
    for i, t in enumerate(sc.targets):
        if t.scope and t.scope not in scopes:
            fail(f"targets[{i}].scope", f"unknown scope '{t.scope}'; scopes here: "
                 + (", ".join(sorted(scopes)) if scopes else "none (define [[districts]] first)"))
        if t.metric_name not in known:
            fail(f"targets[{i}].metric", f"unknown metric '{t.metric_name}'; see `python -m model metrics`")
        if not sc.start_year <= t.year <= sc.end_year:
            fail(f"targets[{i}].year", f"year {t.year} is outside the horizon {sc.start_year}-{sc.end_year}; "
                 "extend `years` or move the target")
