"""Training: who is trained this year, within capacity, and at what cost.

Jilin 2020 (seed 003_29d33855077651d4.txt): heads are trained every year, other
workers every two years (书记、主任每年培训一遍,其他社区工作者每两年培训一遍). A
worker in post ``k`` is due in year ``y`` when the whole years since their first
training date after hire are a multiple of ``interval[k]`` (a move to another post
changes the interval, not the years counted):

    first = ceil(hire_time - training date)      (the year of that first date)
    due = (y - first) mod interval[post] == 0

For a worker hired on or before the year's training date, ``first`` is the hire year
(so the years counted are the tenure on 1 January when training is on 1 January); a
worker hired after it, in a later recruitment round, is first trained at the next
year's date and then every ``interval`` years. A fractional interval counts as the whole
years at or above it (2.5: every 3 years), as ``grades.step_years`` and
``certification.min_tenure`` do.

If more are due than ``capacity`` (when > 0), heads are trained first, then committee
members, then staff, each class chosen at random within the capacity left.
Being trained raises this year's exam pass probability (``certification.trained_bonus``)
and assessment score (``assessment.trained_shift``): only where the training date comes
on or before the exam (the assessment) in the calendar (on the same date training goes
first), since who was trained is forgotten on 1 January. A capacity below one half
rounds to no trainees (0 alone means no limit). Cost: ``cost_per_trainee`` each.
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..population import row_chunks
from ..sampling import half_up, smallest_first
from ..streams import uniforms

EPS = 1e-9  # years: a hire at the training instant itself (t - year rounds) counts from that year


def apply(pop, p, rng, t: float, year: int) -> dict:
    interval = np.ceil(np.asarray(p.interval, dtype=float)).astype(np.int64)  # whole years: 2.5 is 3
    date = t - year  # the training date in the year

    def due_in(s):  # a chunk of rows: the temporaries stay in cache, and chunks may go in threads
        if kernels.ENABLED:
            due = np.empty(s.stop - s.start, dtype=bool)
            kernels.training_due(pop.exit_time[s], pop.hire_time[s], float(t), int(year), float(date + EPS),
                                 pop.post[s], interval, due)
        else:
            first = np.ceil(pop.hire_time[s] - (date + EPS)).astype(np.int64)
            due = pop.active(t, s) & ((year - first) % interval[pop.post[s]] == 0)
        return np.flatnonzero(due) + s.start
    due = np.concatenate([np.zeros(0, np.int64)] + kernels.in_threads(due_in, row_chunks(slice(0, pop.n))))
    cap = half_up(p.capacity)  # trainees a year; a capacity of 0 means no limit (not one below 0.5)
    if p.capacity > 0 and len(due) > cap:
        # the ``cap`` due workers with the smallest keyed draws: the same people in an
        # alternative that changes nothing about them
        # heads first, then committee members, then staff (posts 2, 1, 0)
        due = due[smallest_first(uniforms(rng, pop.uid[due]) + (2 - pop.post[due]), cap)]
    pop.trained[due] = True
    return {"trained": len(due), "cost_training": len(due) * p.cost_per_trainee}
