"""Elections: committee (两委) and head (正职) posts filled from within the community.

In election years (Jilin: committee terms of 5 years from 2021, seed
003_29d33855077651d4.txt), or every year with ``fill_between``, each community's
vacant head posts (``population.heads_per_community``) are filled by its best-scoring
committee members, then, for those still vacant, its best-scoring staff; then its vacant
committee posts (``population.committee_per_community``) by its best-scoring remaining
staff, by the latent score of the latest assessment (:mod:`model.policies.assessment`:
lasting ability and that year's draw; an election on 31 December after the assessment
reads this year's, one before the first assessment the score behind the starting
workers' grade of last year, or, with the assessment off, their lasting ability; a hire of
the year, not yet assessed, competes at an election before the assessment with a score of
0, the mean). A worker moving up
takes at least the new post's ``grades.min_grade``, and leaves any party-building staff
post (``population.party``) for hiring to fill: party-building posts are staff posts
(Jilin: not counting the party secretary and deputy, seed 003). The party post so left is
held by nobody until the next recruitment, whose first hire in that community takes it
(the leader replaced left a vacancy), so ``communities_party_share`` on 31 December counts
it as unheld.
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from ..sampling import rank_within


def _fill(pop, rows_from, need, post, min_grade) -> np.ndarray:
    """Move the best-scoring ``need[c]`` of ``rows_from`` in each community ``c`` up to
    ``post``; returns the rows moved."""
    # only candidates in communities with a vacancy are ranked (usually few)
    rows_from = rows_from[need[pop.community[rows_from]] > 0]
    if not len(rows_from):
        return rows_from
    c = pop.community[rows_from]
    key = -pop.score[rows_from].astype(np.float64)
    up = rows_from[rank_within(c, key) < need[c]]
    pop.post[up] = post
    pop.grade[up] = np.maximum(pop.grade[up], min_grade)
    pop.party[up] = False
    return up


def apply(pop, p, heads: int, committee: int, n_comm: int, min_grade, t: float, year: int,
          alive=None) -> dict:
    if not (p.fill_between or year in p.years):
        return {}
    if kernels.ENABLED:
        live = np.zeros(0, bool) if alive is None else np.ascontiguousarray(alive[:n_comm])

        def elect(communities):  # a range of communities: independent of the others
            return kernels.elect(pop.exit_time, pop.hire_time, float(t), pop.community, pop.post, pop.grade,
                                 pop.score, pop.party, int(heads), int(committee), live, int(min_grade[2]),
                                 int(min_grade[1]), communities.start, communities.stop)
        ways = min(kernels.THREADS, n_comm) if pop.n > kernels.ROWS_PER_THREAD else 1
        ranges = [slice(n_comm * j // ways, n_comm * (j + 1) // ways) for j in range(ways)]
        return {"posts_filled_internally": int(sum(kernels.in_threads(elect, ranges)))}
    moved = 0
    act = pop.active(t)
    for post, per_comm, source in ((2, heads, (1, 0)), (1, committee, (0,))):
        if per_comm <= 0:
            continue
        held = np.bincount(pop.community[act & (pop.post == post)], minlength=n_comm)
        need = np.maximum(per_comm - held, 0)
        if alive is not None:
            need[~alive[:n_comm]] = 0
        for src in source:
            if not need.any():
                break
            cand = np.flatnonzero(act & (pop.post == src))
            up = _fill(pop, cand, need, post, int(min_grade[post]))
            need = need - np.bincount(pop.community[up], minlength=n_comm)
            moved += len(up)
    return {"posts_filled_internally": moved}
