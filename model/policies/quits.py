"""Voluntary quits and deaths: competing continuous-time exits within the year.

A worker present at the start of year ``y`` quits during the year with probability

    q = rate[b] * (pay_ratio / reference_pay_ratio) ** (-pay_elasticity),   clipped to [0, 1]

where ``b`` is the worker's tenure band on 1 January (tenure ``y - hire_year``, whole
calendar years from the hire year, as the exam counts service: a July 2023 hire has 3
on 1 January 2026; the grade clock counts otherwise, :mod:`model.policies.grades`) and
``pay_ratio`` is the worker's
annual pay over last year's local average wage (12 times the monthly rate of
:meth:`model.policies.pay.PayYear.pay_of` on entering the year: gross pay with the
performance part at 100%, plus the certificate allowance). The quit instant is uniform in the year.
One uniform ``u`` gives both: the worker quits at ``y + u / q`` if ``u < q``. A worker
who enters at ``t0`` inside the year keeps the same law (quits only if that instant is
after ``t0``), so hiring dates do not change who would have quit.

Deaths and disability exits use the same construction with ``death_rate``.

No community-worker quit rate is published (FIGURES.md section 3.3); the closest anchor
is the ~20% yearly turnover of professional social workers, so scenario rates are
assumptions with ranges.
"""

from __future__ import annotations

import numpy as np


def quit_probability(p, tenure: np.ndarray, pay_ratio: np.ndarray | None) -> np.ndarray:
    """Annual quit probability per worker (see module docstring)."""
    edges = np.asarray(p.tenure_bands)
    rates = np.asarray(p.rate, dtype=float)
    band = np.clip(np.searchsorted(edges, tenure, side="right") - 1, 0, len(rates) - 1)
    q = rates[band]
    if p.pay_elasticity > 0 and pay_ratio is not None:
        rel = np.maximum(pay_ratio, 1e-9) / p.reference_pay_ratio
        q = q * rel ** (-p.pay_elasticity)
    return np.clip(q, 0.0, 1.0)


def times_from_uniforms(q: np.ndarray, u: np.ndarray, year: int, t0: np.ndarray | float) -> np.ndarray:
    """Exit instants in ``[max(t0, year), year + 1)`` that uniforms ``u`` give under
    annual probabilities ``q``; ``inf`` where there is none."""
    with np.errstate(divide="ignore", invalid="ignore"):
        t = year + u / q
    t = np.where(u < q, t, np.inf)
    return np.where(t >= t0, t, np.inf)
