"""Targeted promotion out: community workers recruited into civil-service or
institution posts (定向招录), taken from the best-rated.

Each year ``n = per_year + reserved_share * street_hiring_plan`` active workers (a
fractional ``n`` is rounded up with probability equal to its fraction, so the mean is
``n``) in the eligible posts leave (``exits_promoted_out``), chosen by best assessment grade, then
highest score (workers never assessed after the qualified; ties: the earlier row; so with
the assessment off, nobody rated, the earliest rows go, mostly of the first communities).
Changzhou 2022: about 5% of street-office hiring reserved for good party secretaries and
residents' committee directors (优秀村(社区)党组织书记、村(居)民委员会主任: heads,
``posts = [0, 0, 1]``; seed 000_4ab8506bd769e853.txt); Hohhot: 36 targeted posts over
2023-24 for good party secretaries and community workers (seed 002_5cfcc670a2031676.txt).
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..population import PROMOTED_OUT
from ..sampling import smallest_first


def apply(pop, p, rng, t: float) -> dict:
    want = p.per_year + p.reserved_share * p.street_hiring_plan
    k = int(np.floor(want + rng.random()))  # unbiased rounding of a fractional number
    if k <= 0:
        return {}
    ok = np.asarray(p.posts) > 0.5
    if kernels.ENABLED:
        def pick(r):  # the best k of one slice of rows, as rows of the workforce
            rows, key = kernels.promotion_pick(pop.exit_time[r], pop.hire_time[r], float(t), pop.post[r],
                                               pop.rating[r], pop.score[r], ok, k)
            return rows + r.start, key
        parts = kernels.over_rows(pop.n, pick)
        rows = np.concatenate([r for r, _ in parts])
        key = np.concatenate([q for _, q in parts])
        out = rows[np.lexsort((rows, key))[:k]]  # the best k of the slices' best (ties: earlier row)
    else:
        rows = np.flatnonzero(pop.active(t) & ok[pop.post])
        key = pop.rating[rows].astype(np.float64) * 1e3 - pop.score[rows]
        key[pop.rating[rows] < 0] = 1.5e3  # never assessed: after qualified workers
        out = rows[smallest_first(key, k)]  # ties: earlier row first
    pop.leave(out, t, PROMOTED_OUT)
    return {}
