"""The monthly pay table by post class and grade (numpy only: the scenario's checks read it
without the compiled kernels).

``monthly[post] * grade_coefficient[grade]``, where a post class's own table
(``pay.table_staff``, ``table_committee``, ``table_head``) replaces its row when any entry is
above 0 (:mod:`model.policies.pay`). A worker's grade moves their pay where some row is not
flat (:func:`by_grade`).
"""

from __future__ import annotations

import numpy as np


def monthly_table(monthly, grade_coefficient, own_tables) -> np.ndarray:
    """The table, shape ``(..., 3, 18)`` (leading axes: years, in the checks): ``monthly``
    ``(..., 3)``, ``grade_coefficient`` ``(..., 18)``, ``own_tables`` the three post classes'
    own tables, each ``(..., 18)``."""
    coefficient = np.asarray(grade_coefficient, dtype=float)
    table = np.asarray(monthly, dtype=float)[..., :, None] * coefficient[..., None, :]
    for k, own in enumerate(own_tables):
        own = np.asarray(own, dtype=float)
        table[..., k, :] = np.where((own > 0).any(axis=-1, keepdims=True), own, table[..., k, :])
    return table


def by_grade(table) -> bool:
    """Whether a worker's grade moves their pay anywhere in ``table`` (some row not flat)."""
    return bool((np.ptp(np.asarray(table), axis=-1) > 0).any())
