"""Certification: the yearly national social-worker exam, three levels.

At the exam date every active worker without a certificate who meets the eligibility
rules (``education >= min_education``, a fraction rounded half up as
:func:`min_level` says; tenure ``>=`` :func:`years_to_sit` for their
education, the larger of ``min_tenure`` and ``min_tenure_by_education``) sits with probability
``sit_prob`` and passes the assistant level (助理社会工作师) with probability

    p = clip(k * (pass_prob + trained_bonus * trained + education_bonus[education]
                  + attempt_bonus * min(attempts, max_attempts_counted)), 0, 1)

with ``k`` the worker's district's ``pass_prob_scale`` (1 by default: it scales the
bonuses too)

where ``attempts`` counts the worker's earlier failed sittings at the level they sit: it
starts at 0 (starting workers and hires alike) and goes back to 0 when a level is
passed, so the next level counts only its own failures. A certified worker who has held
a level for ``next_level_years`` (> 0) whole calendar years (``year - level_since >=
next_level_years``, ``level_since`` the year the level was passed: a hire's is the hire
year, a starting worker's the year before the start, or the start year for one with
tenure 0) sits the next level (intermediate 社会工作师, then senior 高级社会工作师) with
probability ``next_sit_prob`` and passes with ``pass_prob_intermediate`` /
``pass_prob_senior`` (+ the same bonuses). A level whose
pass probability is 0 in a year is not examined that year: nobody sits it, and the
bonuses do not make it passable (the scenarios set ``pass_prob_senior = 0``: the senior
level is by exam and review, not modelled).

One uniform ``u`` per eligible worker decides both: sits if ``u < s``, passes if
``u < s * p``; so the pass count among ``n`` eligible is ``Binomial(n, s * p)``.

Pass rates: FIGURES.md section 1.2 (national 8-28% of registrants a year; 2021 a hard
year at 8.2%). Passing moves the worker up the difference between the grades a hire
with their education would enter at with the new level and with the old
(``grades.entry_grade[education] + certificate_bonus[level]``, rounded half up:
:func:`model.policies.recruitment.ladder_grade`; with whole grades, ``certificate_bonus[new] -
certificate_bonus[old]``), within the post's ``max_grade``, and earns the new level's
certificate allowance from the exam date.
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..sampling import half_up
from ..streams import uniforms
from .recruitment import ladder_grade


def min_level(p) -> int:
    """The lowest education level that may sit: ``min_education`` rounded half up, as
    ``recruitment.min_education`` is (an uncertain or interpolated value may fall between
    levels)."""
    return int(half_up(p.min_education))


def years_to_sit(p) -> np.ndarray:
    """Years of service needed to sit the assistant exam, by education level: the larger of
    ``min_tenure`` and ``min_tenure_by_education`` (the national exam's conditions: 4 years
    of social work with a college diploma in another subject, 2 with a bachelor's degree);
    infinite below ``min_education`` (those may not sit at all), so that the first year a
    worker could sit (:func:`first_exam_year`) follows a ``min_education`` that changes from
    year to year."""
    need = np.maximum(float(p.min_tenure), np.asarray(p.min_tenure_by_education, dtype=float))
    return np.where(np.arange(len(need)) >= min_level(p), need, np.inf)


def pass_steps(grades) -> np.ndarray:
    """``steps[e, l]``: the grades a worker of education ``e`` moves up on passing from
    certificate level ``l`` to ``l + 1``: the difference of the grades a hire would enter
    at with the two levels (:func:`model.policies.recruitment.ladder_grade`, rounded half
    up), so that a fractional bonus steps as hires enter. Shape (4, 3)."""
    edu = np.arange(4)[:, None]
    return (ladder_grade(grades, edu, np.arange(1, 4)[None, :])
            - ladder_grade(grades, edu, np.arange(3)[None, :])).astype(np.int64)


def first_exam_year(hire_year, education, needs, start: int = 0, not_before: int | None = None) -> np.ndarray:
    """The first year in which each worker (hired in ``hire_year``, with ``education``) may
    sit the assistant exam: the first year ``Y`` from the hire year on (and from
    ``not_before``, if given: a degree earned in service counts from the first exam after it)
    whose years of service ``Y - hire_year`` reach what ``Y`` asks. ``needs``:
    :func:`years_to_sit` of each simulated year from ``start``, shape (years, 4), or one
    year's; years before the start ask what the first year does. Service counts in whole
    years, as the exam counts it (2.5 years needed: a first sitting 3 years on). inf where
    no year of the horizon allows it."""
    needs = np.asarray(needs, dtype=float).reshape(-1, 4)
    hire_year = np.asarray(hire_year)
    if (needs == needs[0]).all():  # the same every year: a closed form
        first = hire_year + np.ceil(needs[0])[education]
        return first if not_before is None else np.maximum(first, not_before)
    if not hire_year.size:
        return np.zeros(0)
    h0, end = int(hire_year.min()), start + len(needs)
    years = np.arange(h0, end)
    served = years[None, :] - years[:, None]  # (hire year, year): years of service, negative before hire
    asked = needs[np.clip(years - start, 0, len(needs) - 1)]  # (year, education)
    ok = (served[:, :, None] >= 0) & (served[:, :, None] >= asked[None, :, :])
    if not_before is not None:
        ok &= (years >= not_before)[None, :, None]
    first = np.where(ok.any(axis=1), years[ok.argmax(axis=1)], np.inf)  # (hire year, education)
    return first[hire_year - h0, education]


def _pass_prob(pop, rows, base, p, scale_by_community=None):
    prob = (base + p.trained_bonus * pop.trained[rows]
            + np.asarray(p.education_bonus)[pop.education[rows]]
            + p.attempt_bonus * np.minimum(pop.attempts[rows], p.max_attempts_counted))
    if scale_by_community is not None:
        prob = prob * scale_by_community[pop.community[rows]]
    return np.clip(prob, 0.0, 1.0)


def apply(pop, p, grades, rng, t: float, year: int, scale_by_community=None) -> dict:
    """Hold the exam at ``t``; ``scale_by_community`` (optional) multiplies the pass
    probability of each community's workers (a district's ``pass_prob_scale``)."""
    if kernels.ENABLED and getattr(rng, "key", None) is not None:
        scale = np.zeros(0) if scale_by_community is None else np.asarray(scale_by_community, dtype=float)
        steps = pass_steps(grades)

        def exam(r):  # one slice of rows: per-row updates and counts, so slices add up
            return kernels.exam(
                pop.exit_time[r], pop.hire_time[r], float(t), int(year), pop.level[r], pop.education[r],
                pop.hire_year[r], pop.level_since[r], pop.attempts[r], pop.trained[r], pop.community[r],
                pop.uid[r], pop.post[r], pop.grade[r], np.uint64(rng.key), float(min_level(p)),
                years_to_sit(p), float(p.sit_prob), float(p.pass_prob), float(p.next_level_years),
                float(p.next_sit_prob), float(p.pass_prob_intermediate), float(p.pass_prob_senior),
                float(p.trained_bonus), np.asarray(p.education_bonus, dtype=float), float(p.attempt_bonus),
                float(p.max_attempts_counted), scale, bool(grades.enabled), steps,
                np.asarray(grades.max_grade, dtype=float))
        sitters, passes = np.sum(kernels.over_rows(pop.n, exam), axis=0)
        return {"exam_sitters": int(sitters), "exam_passes": int(passes)}
    act = pop.active(t)
    counts = {"exam_sitters": 0, "exam_passes": 0}
    elig = np.flatnonzero(act & (pop.level == 0) & (pop.education >= min_level(p))
                          & ((year - pop.hire_year) >= years_to_sit(p)[pop.education]))
    new_levels = [(elig, p.sit_prob, np.full(len(elig), p.pass_prob))]
    if p.next_level_years > 0:
        up = np.flatnonzero(act & (pop.level >= 1) & (pop.level <= 2)
                            & ((year - pop.level_since) >= p.next_level_years))
        base = np.where(pop.level[up] == 1, p.pass_prob_intermediate, p.pass_prob_senior)
        new_levels.append((up, p.next_sit_prob, base))
    steps = pass_steps(grades)
    for sub, (rows, sit, base) in enumerate(new_levels):
        examined = base > 0  # a level not examined: nobody sits it
        rows, base = rows[examined], base[examined]
        if not len(rows):
            continue
        u = uniforms(rng, pop.uid[rows], sub)
        sits = u < sit
        passed = u < sit * _pass_prob(pop, rows, base, p, scale_by_community)
        failed = rows[sits & ~passed]
        pop.attempts[failed] = np.minimum(pop.attempts[failed].astype(np.int16) + 1, 127)
        win = rows[passed]
        old = pop.level[win]
        pop.level[win] = old + 1
        pop.level_since[win] = year
        pop.attempts[win] = 0
        if grades.enabled:
            hi = np.asarray(grades.max_grade)[pop.post[win]]
            step = steps[pop.education[win], old]
            pop.grade[win] = np.clip(pop.grade[win] + step, 1, np.maximum(hi, pop.grade[win])).astype(np.int8)
        counts["exam_sitters"] += int(sits.sum())
        counts["exam_passes"] += len(win)
    return counts
