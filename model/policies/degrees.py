"""In-service degrees (学历提升): workers who earn a higher education level while in post.

At the promotion date (``calendar.promotion``, before promotion out, elections and grade
steps) an active worker holding education level ``e`` (0 below college, 1 college 大专,
2 bachelor, 3 postgraduate) earns level ``e + 1`` with probability ``rate[e]`` (one keyed
uniform per worker, from its own stream: switching the mechanism on changes no other
draw), if aged at most ``max_age`` whole years (周岁) that day (on 31 December, a 1
January birthday is still to come). At most one level a year; a worker hired during the
year has the whole year's chance (the rate is not scaled by the time in post).

What the new level changes:

* the grade: with ``regrade`` and the grade ladder on, the worker moves up the
  difference between the grades a hire with the worker's certificate would enter at with
  levels ``e + 1`` and ``e`` (``grades.entry_grade`` plus ``certificate_bonus``, each
  rounded: :func:`model.policies.recruitment.ladder_grade`; none if not above 0), within
  the post's ``max_grade`` (a grade already above it is kept).
  Hohhot re-graded its workers for changes of post, of education and of certificate (根据岗位变化、学历变化以及取得全国社会工作者
  职业资格证书等情况, 3,264 adjustments in 2023-24, seed 002_5cfcc670a2031676.txt). The
  step clock keeps running, as after a certificate;
* ``college_share`` and everything that reads education from then on: the exam's
  years of service by education (``certification.min_tenure_by_education``,
  ``min_education``, ``education_bonus``) from the next exam (this year's where
  ``calendar.exam`` comes after ``calendar.promotion``, else next year's);
* the certificate deadline (``dismissal.certificate_deadline``), which runs from the
  first year a worker could sit the exam. That year is kept per worker (``sit_from``): a
  worker who could already sit before the degree counts (a year before the next exam's)
  keeps that year; for the others it is the first year from the next exam's on whose
  service reaches what the new level needs (never before the degree: one below the
  exam's ``min_education`` before it could not sit at all).

The rates are by level held; no seed document or public figure gives them, so a
scenario that sets them marks them as assumptions. What the support costs the budget,
``cost_per_degree`` for each degree earned, is counted in the year it is earned
(``cost_degrees``, a part of ``total_cost``, in the budget workbook and by district).
"""

from __future__ import annotations

import numpy as np

from ..population import age_on_date
from ..streams import uniforms
from .certification import first_exam_year, years_to_sit
from .recruitment import ladder_grade


def apply(pop, p, grades, rng, t: float, year: int, exam=None, needs=None, start: int = 0,
          next_exam: int | None = None, district=None, nd: int = 0) -> dict:
    """Degrees earned at the promotion instant ``t`` of ``year``: their number and cost
    (``cost_per_degree`` each), and with ``nd`` districts (``district``: each community's)
    their number by district (``degrees_d``). ``exam``: the year's certification parameters
    when the exam runs (to move the year a worker could first sit); ``needs``, ``start``: as
    for :func:`model.policies.dismissal.apply`; ``next_exam``: the year of the first exam
    after ``t`` (default ``year + 1``)."""
    rate = np.append(np.asarray(p.rate, dtype=float), 0.0)  # level 3 is the highest: nothing to earn
    if not rate.any():
        return {"degrees_earned": 0}
    rows = np.flatnonzero(pop.active(t))
    rows = rows[(rate[pop.education[rows]] > 0) & (age_on_date(pop.birth[rows], year, t - year) <= p.max_age)]
    won = rows[uniforms(rng, pop.uid[rows]) < rate[pop.education[rows]]]
    old = pop.education[won].astype(np.int64)
    if exam is not None:
        needs = years_to_sit(exam) if needs is None else needs
        first = year + 1 if next_exam is None else next_exam
        pop.sit_from[won] = _first_sitting(pop, won, old, needs, first, start)
    pop.education[won] = old + 1
    if p.regrade and grades.enabled:
        level = pop.level[won]  # as a hire with the worker's certificate would enter
        step = np.maximum(ladder_grade(grades, old + 1, level) - ladder_grade(grades, old, level), 0)
        hi = np.asarray(grades.max_grade)[pop.post[won]]
        g = pop.grade[won]
        pop.grade[won] = np.clip(g + step, 1, np.maximum(hi, g)).astype(np.int8)
    counts = {"degrees_earned": len(won), "cost_degrees": len(won) * p.cost_per_degree}
    if nd:
        counts["degrees_d"] = np.bincount(district[pop.community[won]], minlength=nd)
    return counts


def _first_sitting(pop, rows, old, needs, next_exam: int, start: int) -> np.ndarray:
    """The first year the workers ``rows`` could sit the exam once they hold the level above
    ``old`` from the exam of ``next_exam`` on: the year they could with what they held (their
    ``sit_from`` if a degree had moved it; never below the exam's ``min_education``, as
    ``needs`` from :func:`~model.policies.certification.years_to_sit` say) if it came before
    that exam's year, else the first year from it on in which they can with the new level
    (which may ask more years of service than the old one did)."""
    hire = pop.hire_year[rows]
    before = np.where(pop.sit_from[rows] > 0, pop.sit_from[rows].astype(float),
                      first_exam_year(hire, old, needs, start))
    after = first_exam_year(hire, old + 1, needs, start, not_before=next_exam)
    first = np.where(before < next_exam, before, after)
    return np.where(np.isfinite(first), first, np.iinfo(np.int32).max).astype(np.int32)
