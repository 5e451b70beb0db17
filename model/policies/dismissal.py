"""Exit rules on assessment results and on the certificate deadline.

After the assessment, an active worker is dismissed (``exits_dismissed_assessment``)
when rated unqualified in ``consecutive_unqualified`` consecutive years or in
``cumulative_unqualified`` years in all (Jilin: 2 consecutive or 3 cumulative, seed
003_29d33855077651d4.txt; Changzhou: 2 consecutive, seed 000_4ab8506bd769e853.txt).
The years count from the run's first assessment: a starting worker's history is not
known and starts at zero (the grade a rule reads for last year,
:func:`model.policies.assessment.last_years_scores`, does not count), so with a rule of 2
the first such dismissals come at the second assessment.

Then an active worker still without a certificate is dismissed (``exits_dismissed_cert``)
when, at the assessment instant ``t``,

    t - max(hire_time, first_exam_year, certificate_deadline_from) >= certificate_deadline

i.e. the time since they could first sit the exam (1 January of the first year in which
their service, counted in whole years from the hire year as the exam counts it, reaches
the years their education needs that year:
:func:`model.policies.certification.first_exam_year`; the rule's
start, 1 January of ``certificate_deadline_from``, if later) has reached the deadline;
for a worker who earned a degree in service, the year it kept
(:mod:`model.policies.degrees`).
Workers below the exam's ``certification.min_education`` cannot sit, so the rule does
not apply to them. Changzhou: 符合报考条件三年内未取得社工职业资格的予以辞退, no
certificate within 3 years of meeting the exam's conditions (seed 000): a worker who can
sit from hire, hired on 1 January 2022 and still uncertified at the assessment of 31
December 2024, has had three years and three exams, and is dismissed then; one hired in
July 2022, at the first assessment after July 2025. With the certification mechanism
off, the time counts from ``max(hire_time, certificate_deadline_from)``. A rule ``0`` is
off. Dismissals take effect at the assessment instant; a worker dismissed on 31 December
is paid the whole year.
"""

from __future__ import annotations

import numpy as np

from ..population import DISMISSED_ASSESSMENT, DISMISSED_CERT
from .certification import first_exam_year, min_level, years_to_sit


def apply(pop, p, t: float, exam=None, needs=None, start: int = 0) -> dict:
    """``exam``: this year's certification parameters (``min_tenure``,
    ``min_tenure_by_education``, ``min_education``) when the exam runs; None: the deadline
    counts from hire for everyone. ``needs``: the years of service to sit in each simulated
    year from ``start`` (:func:`~model.policies.certification.first_exam_year`; None: this
    year's, as if the same every year)."""
    act = pop.active(t)
    hit = np.zeros(len(act), dtype=bool)
    if p.consecutive_unqualified > 0:
        hit |= pop.unq_consec >= p.consecutive_unqualified
    if p.cumulative_unqualified > 0:
        hit |= pop.unq_total >= p.cumulative_unqualified
    out_a = np.flatnonzero(act & hit)
    pop.leave(out_a, t, DISMISSED_ASSESSMENT)
    out_c = np.zeros(0, dtype=np.int64)
    if p.certificate_deadline > 0:
        act = pop.active(t)
        since = np.maximum(pop.hire_time, float(p.certificate_deadline_from))
        subject = act & (pop.level == 0)
        if exam is not None:
            needs = years_to_sit(exam) if needs is None else needs
            moved = pop.sit_from > 0  # a degree in service moved the year (model.policies.degrees)
            if np.any(needs) or moved.any():
                first = first_exam_year(pop.hire_year, pop.education, needs, start)
                since = np.maximum(since, np.where(moved, pop.sit_from, first))
            if min_level(exam) > 0:
                subject &= pop.education >= min_level(exam)
        # a hair of tolerance: dates such as y + 0.3 are not exact in binary, and service
        # of exactly N years must count as N
        due = t - since >= p.certificate_deadline - 1e-9
        out_c = np.flatnonzero(subject & due)
        pop.leave(out_c, t, DISMISSED_CERT)
    return {}
