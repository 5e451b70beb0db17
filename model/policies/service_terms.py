"""Service agreements signed per committee term, ended at term ends.

Jilin 2020 (seed 003_29d33855077651d4.txt): one service agreement per 5-year committee
term, from the 2021 elections. At the assessment instant of each year in
``term_end_years`` every active worker's agreement ends (heads and committee members
too, and that year's hires: an agreement runs to the end of the term in which it is
signed) and is not renewed with
probability ``nonrenewal_prob``, or ``nonrenewal_unqualified_prob`` if rated basic or
unqualified that year (``exits_nonrenewal``).
"""

from __future__ import annotations

import numpy as np

from ..population import NONRENEWAL, row_chunks
from ..streams import uniforms


def apply(pop, p, rng, t: float, year: int) -> dict:
    if year not in p.term_end_years:
        return {}
    out = []
    for s in row_chunks(slice(0, pop.n)):  # in chunks of rows: the temporaries stay in cache
        rows = np.flatnonzero(pop.active(t, s)) + s.start
        prob = np.where(pop.rating[rows] >= 2, p.nonrenewal_unqualified_prob, p.nonrenewal_prob)
        out.append(rows[uniforms(rng, pop.uid[rows]) < prob])
    pop.leave(np.concatenate(out) if out else np.zeros(0, np.int64), t, NONRENEWAL)
    return {}
