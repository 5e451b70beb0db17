"""Grade steps on the "three posts, eighteen grades" pay ladder (三岗十八级).

At the promotion date an active worker steps up one grade with probability
``step_prob`` when

* they have served at least ``step_years`` since their last step on the ladder (counted
  in whole years to the end of this year: ``year + 1 - grade_since >= step_years``, where
  ``grade_since`` is the first 1 January on or after the last ladder step or hire: a hire
  of 1 January 2025 has 3 years at the end of 2027, one of October 2025 at the end of 2028,
  and a step at the 31 December promotion counts from the next day;
  a starting worker's clock runs as if every step of their service had come on time,
  see the entry grades below, not from the start). A grade raised otherwise (a
  certificate passed, an election's minimum grade of the post) keeps its clock running,
* this year's assessment grade is ``min_rating`` or better (index 0 excellent ..
  3 unqualified; workers not assessed count as eligible), and
* they are below their post's ``max_grade``.

Entry grades depend on education and certificate (``entry_grade``,
``certificate_bonus``), within the post's ``[min_grade, max_grade]``. A starting worker
(drawn, or a roster's without a grade column) is graded as if hired into the post they
hold on the first day (a head or committee member from that post's range) and stepped
up every ``ceil(step_years)`` (at least 1) whole years of service since their first 1 January in post
(``step_prob`` and ratings, unknown before the start, are not applied), at most
``max_grade``: a committee member of 9 years' service entering at grade 4 with a step
every 3 years starts at grade 7. Nanjing 2018 (seed 001_f809a46add856e54.txt) sets the ladder by
duties, tenure, education and professional level; Hohhot 2023 (seed
002_5cfcc670a2031676.txt) made 3,264 grade adjustments.

With ``step_years = 0`` and a fixed ``step_prob`` the grades follow a Markov chain:
expected stocks obey ``n(t+1) = n(t) P + r``.
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..streams import uniforms


def apply(pop, p, rng, t: float, year: int) -> dict:
    if kernels.ENABLED and getattr(rng, "key", None) is not None:
        def steps(r):  # one slice of rows
            return kernels.grade_steps(pop.exit_time[r], pop.hire_time[r], float(t), int(year), pop.post[r],
                                       pop.grade[r], pop.grade_since[r], pop.rating[r], pop.uid[r],
                                       np.uint64(rng.key), float(p.step_years), int(p.min_rating),
                                       float(p.step_prob), np.asarray(p.max_grade, dtype=float))
        return {"grade_steps": int(sum(kernels.over_rows(pop.n, steps)))}
    rows = np.flatnonzero(pop.active(t))
    hi = np.asarray(p.max_grade)[pop.post[rows]]
    rating = pop.rating[rows]
    ok = ((year + 1 - pop.grade_since[rows] >= p.step_years)
          & (rating <= p.min_rating) & (pop.grade[rows] < hi))
    u = uniforms(rng, pop.uid[rows])
    step = rows[ok & (u < p.step_prob)]
    pop.grade[step] += 1
    pop.grade_since[step] = year + 1
    return {"grade_steps": len(step)}
