"""Bottom-ratio elimination (末位淘汰).

In a year whose ``share`` is above 0, after the exit rules, exactly
``K = ceil(share * N)`` (at least the share) of the ``N`` active workers in the covered posts, those with
the lowest assessment scores (so the lowest grades first), leave
(``exits_eliminated``; ties: the earlier row, as the other rankings). Yichang 2021:
"末位淘汰" with 20% renewal (seed 004_7ff16b39686a218b.txt). ``elimination_rate`` is
``K / N``. The ranking is the city's; with districts, each district's covered and
eliminated are counted too (its own ``elimination_rate.<district>`` differs from the share
where its workers score otherwise).
"""

from __future__ import annotations

import numpy as np

from ..population import ELIMINATED
from ..sampling import smallest_first


def apply(pop, p, t: float, district_of_community=None, nd: int = 0) -> dict:
    """Eliminate; returns the workers covered (``elimination_base``) and, for ``nd`` > 0
    districts (``district_of_community``), the covered and the eliminated by district."""
    if p.share <= 0:
        return {"elimination_base": 0}
    covered = np.asarray(p.posts)[pop.post] > 0.5
    rows = np.flatnonzero(pop.active(t) & covered)
    # (a share of 0.2 of 10 is 2, not 3: a hair of tolerance; but any share above 0 takes one)
    k = min(max(int(np.ceil(p.share * len(rows) - 1e-9)), 1), len(rows))
    out = rows[:0]
    if k > 0:
        # rating first (worst grade = 3), then score: lowest scores go
        key = pop.score[rows].astype(np.float64) - 1e3 * pop.rating[rows]
        out = rows[smallest_first(key, k)]
        pop.leave(out, t, ELIMINATED)
    counts = {"elimination_base": len(rows)}
    if nd:
        d = np.asarray(district_of_community)
        counts["elimination_base_d"] = np.bincount(d[pop.community[rows]], minlength=nd)
        counts["eliminated_d"] = np.bincount(d[pop.community[out]], minlength=nd)
    return counts
