"""The housing fund's contribution base: its own floor and cap, or the insurances'.

By the national rule the fund's monthly base is the worker's own wage (住房公积金管理条例
art. 16), not below the local minimum wage and at most 3 times the city's average monthly
wage; a scenario may give the fund its own floor (yuan a month) and cap (a share of the
monthly average wage), or leave either at -1 for the insurances' (``pay.contribution_floor``,
``pay.contribution_cap``). One rule for the pay (:class:`model.policies.pay.PayYear`) and
for the scenario's checks (:mod:`model.semantics`); numpy only, so that checking a
scenario does not load the compiled kernels.
"""

from __future__ import annotations

import numpy as np


def insurance_cap(cap_share, wage_last):
    """The insurances' contribution cap a month: ``cap_share`` of last year's average wage
    ``wage_last`` (yuan a year) over 12; a share of 0 is no cap (inf)."""
    share = np.asarray(cap_share, dtype=float)
    return np.where(share > 0, share * np.asarray(wage_last, dtype=float) / 12, np.inf)


def fund_bounds(floor_monthly, cap_share, insurance_lo, insurance_hi, wage_last):
    """The housing fund's contribution base ``(lo, hi)`` a month (arrays broadcast: years in
    the scenario checks): its own floor in yuan, or the insurances' floor ``insurance_lo``
    (yuan a month) where -1; its own cap as a share of last year's average wage (as
    :func:`insurance_cap`), or the insurances' cap ``insurance_hi`` (yuan a month, as the
    caller has it) where -1."""
    lo = np.where(np.asarray(floor_monthly) >= 0, floor_monthly, insurance_lo)
    hi = np.where(np.asarray(cap_share) >= 0, insurance_cap(cap_share, wage_last), insurance_hi)
    return lo, hi
