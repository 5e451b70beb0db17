"""Annual assessment: four grades from a latent performance score.

Each active worker gets a score

    z = sqrt(rho) * ability + sqrt(1 - rho) * e + trained_shift * trained + certified_shift * certified

with ``e ~ N(0, 1)`` new each year, ``ability ~ N(0, 1)`` fixed per worker and
``rho = persistence``. Grades are cut from ``shares = (excellent, qualified, basic,
unqualified)`` so that an untrained, uncertified worker gets each grade with exactly
those probabilities:

    unqualified if z < Phi^-1(s_u); basic if z < Phi^-1(s_u + s_b);
    excellent if z >= Phi^-1(1 - s_e); qualified otherwise.

Four grades (优秀, 称职, 基本称职, 不称职): Jilin 2020 (seed 003_29d33855077651d4.txt);
25-30% rated excellent in Dashiqiao (FIGURES.md section 3.2). The score also ranks
workers for bottom-ratio elimination and for promotion out.

A quota on the excellent grade (优秀等次比例, ``excellent_cap``): when the scores rate
more than ``floor(excellent_cap * N)`` of the ``N`` rated excellent, only that many, the
highest scores, keep it; the others are rated qualified (their scores unchanged). Without
it the shares above hold for an untrained, uncertified worker only, so training and
certificates raise the share rated excellent as they spread.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri

from .. import kernels
from ..population import row_chunks
from ..streams import uniforms


def cuts(shares) -> tuple[float, float, float]:
    e, q, b, u = shares
    return float(ndtri(u)), float(ndtri(min(u + b, 1.0))), float(ndtri(1.0 - e))


def grades_from_scores(z: np.ndarray, cuts3) -> np.ndarray:
    """Grades (0 excellent .. 3 unqualified) of scores ``z`` at the cuts of :func:`cuts`."""
    c_u, c_b, c_e = cuts3
    return np.where(z < c_u, 3, np.where(z < c_b, 2, np.where(z >= c_e, 0, 1))).astype(np.int8)


def scores(p, u: np.ndarray, ability: np.ndarray, trained, certified) -> np.ndarray:
    """The latent scores ``z`` of the model above, the yearly part from the uniforms ``u``
    (numpy; :func:`model.kernels.grade_scores` is the compiled twin)."""
    z = np.sqrt(1 - p.persistence) * ndtri(u)
    if p.persistence > 0:
        z += np.sqrt(p.persistence) * ability
    z += p.trained_shift * trained + p.certified_shift * certified
    return z


def last_years_scores(p, u: np.ndarray, ability: np.ndarray, certified: np.ndarray) -> np.ndarray:
    """The scores a starting workforce had at last year's assessment, for the rules that read
    its grades before this year's (the annuity of workers rated excellent last year,
    Changzhou; grade steps before the assessment): :func:`scores` with a fresh yearly part
    (whether they were trained last year is not known: no training shift). Their grades:
    :func:`grades_from_scores`, then :func:`cap_excellent` over the whole workforce."""
    return scores(p, u, ability, False, certified)


def apply(pop, p, rng, t: float) -> dict:
    rows = np.flatnonzero(pop.active(t))
    k = len(rows)
    rho = p.persistence
    c_u, c_b, c_e = cuts(p.shares)
    if kernels.ENABLED:
        def grade(part):  # a slice of the rated: counts by grade
            n = np.zeros(4, np.int64)
            for s in row_chunks(part):  # in chunks: the draws and their quantiles stay in cache
                r = rows[s]
                z = np.sqrt(1 - rho) * ndtri(uniforms(rng, pop.uid[r]))
                n += kernels.grade_scores(z, pop.trained, pop.level, pop.ability, float(p.trained_shift),
                                          float(p.certified_shift), float(np.sqrt(rho)), c_u, c_b, c_e, r,
                                          pop.rating, pop.score, pop.unq_consec, pop.unq_total)
            return n
        keyed = getattr(rng, "key", None) is not None  # a plain Generator draws in order: one thread
        n = np.sum(kernels.over_rows(k, grade) if keyed else [grade(slice(0, k))], axis=0)
    else:
        z = scores(p, uniforms(rng, pop.uid[rows]), pop.ability[rows], pop.trained[rows], pop.level[rows] > 0)
        grade = grades_from_scores(z, (c_u, c_b, c_e))
        pop.rating[rows] = grade
        pop.score[rows] = z
        unq = grade == 3
        pop.unq_consec[rows] = np.where(unq, np.minimum(pop.unq_consec[rows] + 1, 100), 0)
        pop.unq_total[rows] = np.minimum(pop.unq_total[rows] + unq, 100)
        n = np.bincount(grade, minlength=4)
    held = cap_excellent(pop.rating, pop.score, rows, p.excellent_cap, int(n[0]))
    n = np.array(n, dtype=np.int64) + [-held, held, 0, 0]
    return {"rated": k, "rated_excellent": int(n[0]), "rated_qualified": int(n[1]),
            "rated_basic": int(n[2]), "rated_unqualified": int(n[3])}


def cap_excellent(rating: np.ndarray, score: np.ndarray, rows, cap: float,
                  excellent: int | None = None) -> int:
    """Hold those rated excellent (``rating`` 0) among the ``rows`` to ``floor(cap *
    len(rows))``: the lowest-scoring of the rest (ties: earlier row first) are rated
    qualified. ``excellent``: how many are, if known (nothing to do then where the quota
    holds: no pass over the rows). Returns how many were moved."""
    if cap >= 1:
        return 0
    rows = np.arange(len(rating))[rows] if isinstance(rows, slice) else rows
    allowed = int(np.floor(cap * len(rows) + 1e-9))  # a share of 0.29 of 100 is 29, not 28.999...
    if excellent is not None and excellent <= allowed:
        return 0
    top = rows[rating[rows] == 0]
    if len(top) <= allowed:
        return 0
    lower = top[np.argsort(-score[top], kind="stable")[allowed:]]
    rating[lower] = 1
    return len(lower)
