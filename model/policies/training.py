"""Training: who is trained this year, within capacity, and at what cost.

Jilin 2020 (seed 003_29d33855077651d4.txt): heads are trained every year, other
workers every two years. A worker in post ``k`` is due in year ``y`` when their tenure
on 1 January is a multiple of ``interval[k]``:

    due = (y - hire_year) mod interval[post] == 0

If more are due than ``capacity`` (when > 0), ``capacity`` of them are chosen at random.
Being trained raises this year's exam pass probability (``certification.trained_bonus``)
and assessment score (``assessment.trained_shift``). Cost: ``cost_per_trainee`` each.
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..population import row_chunks
from ..sampling import smallest_first
from ..streams import uniforms


def apply(pop, p, rng, t: float, year: int) -> dict:
    interval = np.asarray(p.interval).round().astype(np.int64)

    def due_in(s):  # a chunk of rows: the temporaries stay in cache, and chunks may go in threads
        if kernels.ENABLED:
            due = np.empty(s.stop - s.start, dtype=bool)
            kernels.training_due(pop.exit_time[s], pop.hire_time[s], float(t), int(year), pop.hire_year[s],
                                 pop.post[s], interval, due)
        else:
            due = pop.active(t, s) & ((year - pop.hire_year[s]) % interval[pop.post[s]] == 0)
        return np.flatnonzero(due) + s.start
    due = np.concatenate([np.zeros(0, np.int64)] + kernels.in_threads(due_in, row_chunks(slice(0, pop.n))))
    cap = int(round(p.capacity))
    if cap > 0 and len(due) > cap:
        # the ``cap`` due workers with the smallest keyed draws: the same people in an
        # alternative that changes nothing about them
        due = due[smallest_first(uniforms(rng, pop.uid[due]), cap)]
    pop.trained[due] = True
    return {"trained": len(due), "cost_training": len(due) * p.cost_per_trainee}
