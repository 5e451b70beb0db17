"""Statutory retirement age: China's 2025 gradual-delay reform and a fixed-age rule.

Rule modelled
-------------
From 2025-01-01 the statutory retirement age rises by birth cohort, in whole
months. There are three categories, each with an original age, a base birth
cohort, the number of birth months per extra month of age, and a maximum delay:

========================  ============  ===========  ==================  =========
category                  original age  base cohort  months per +1 mo.   max delay
========================  ============  ===========  ==================  =========
men                       60 y          1965-01      4                   36 mo
women, cadre posts        55 y          1970-01      4                   36 mo
women, worker posts       50 y          1975-01      2                   60 mo
========================  ============  ===========  ==================  =========

In words: people born before their category's base cohort keep the original
age; from the base month on, every 4 birth months (every 2 for women in worker
posts) add one month to the age, until the cap is reached (men born from
Sep 1976 retire at 63, cadre women born from Sep 1981 at 58, worker women born
from Nov 1984 at 55). Retirement falls on the day the age is reached: the birth day's
date in the birth month plus the age, or that month's last day where it is shorter (born
14 March 1965: k = 3, one month's delay, 60 years and 1 month, so 14 April 2025; born 31
January 1966: k = 13, four months, so 31 May 2026; born 31 March 1966: k = 15, four
months, so 31 July 2026), and
pay stops then, pro rata to the day (the pension's start, the month after, is not the
model's concern).

As a formula, with all quantities in months::

    k     = (birth_year - base_year) * 12 + birth_month      # k = 1 for the base month
    delay = clip(ceil(k / step), 0, max_delay)               # 0 when k <= 0
    age   = 12 * original_age + delay
    retirement instant = the birth instant + age months, on the same day of the month
                         (:func:`months_later`)

Flexible early/late retirement (up to 3 years either way) and the minimum
contribution period are not modelled here.

Sources
-------
FIGURES.md section 5; gov.cn State Council measures 2024-09-13
(国务院关于渐进式延迟法定退休年龄的办法, under the NPC Standing Committee
*Decision on Implementing the Gradual Delay of the Statutory Retirement Age*,
2024-09-13, gov.cn/yaowen/liebiao/202409/content_6974294.htm).
"""

from __future__ import annotations

import numpy as np

__all__ = ["statutory_age_months", "fixed_age_months", "retirement_time", "retirement_time_into",
           "months_later", "RULES"]

#: Names accepted by :func:`retirement_time`.
RULES = ("china2025", "fixed")

# (base birth year, original age in years, birth months per month of delay,
#  maximum delay in months), FIGURES.md section 5. The base birth month is January.
_MEN = (1965, 60, 4, 36)
_WOMEN_CADRE = (1970, 55, 4, 36)
_WOMEN_WORKER = (1975, 50, 2, 60)

# A birth instant such as 1965 + 1/12 is stored as 1965.08333...; its fraction
# times 12 can come out as 0.99999999999909, which floor() would put in the
# wrong month. Nudging by far less than a day fixes that without moving any
# instant that really lies inside a month.
_MONTH_EPS = 1e-6

# the same table by category index (0 men, 1 women in cadre posts, 2 women in worker
# posts), for _statutory_months
_CATEGORIES = (_MEN, _WOMEN_CADRE, _WOMEN_WORKER)
_BASE_MONTH = np.array([12 * c[0] for c in _CATEGORIES], dtype=np.int64)
_ORIG_MONTHS = np.array([12 * c[1] for c in _CATEGORIES], dtype=np.int64)
_STEP = np.array([c[2] for c in _CATEGORIES], dtype=np.int64)
_MAX_DELAY = np.array([c[3] for c in _CATEGORIES], dtype=np.int64)


def _as_int_array(x, name: str) -> np.ndarray:
    """Return ``x`` as an int64 array, rejecting non-integral values."""
    a = np.asarray(x)
    if a.dtype == bool or not (np.issubdtype(a.dtype, np.integer)
                               or np.issubdtype(a.dtype, np.floating)):
        raise TypeError(f"{name} must be an integer array, got dtype {a.dtype}")
    if np.issubdtype(a.dtype, np.floating):
        if not np.all(np.isfinite(a)) or np.any(a != np.floor(a)):
            raise ValueError(f"{name} must hold whole numbers")
    return a.astype(np.int64)


def statutory_age_months(birth_year, birth_month, female, cadre):
    """Statutory retirement age in months under the 2025 reform.

    Implements the State Council measures of 2024-09-13 (reform effective
    2025-01-01) as summarised in FIGURES.md section 5: the age is the
    original age of the person's category plus
    ``clip(ceil(k / step), 0, max_delay)`` months, where
    ``k = (birth_year - base_year) * 12 + birth_month``.

    Parameters
    ----------
    birth_year : array_like of int
        Calendar year of birth.
    birth_month : array_like of int
        Month of birth, 1 (January) to 12 (December).
    female : array_like of bool
        True for women.
    cadre : array_like of bool
        Only used for women: True for cadre/managerial posts (original age 55,
        base cohort 1970-01, 1 month per 4, max 36), False for worker posts
        (original age 50, base cohort 1975-01, 1 month per 2, max 60).
        Ignored for men (original age 60, base cohort 1965-01, 1 month per 4,
        max 36).

    Returns
    -------
    numpy.ndarray of int64
        Statutory age in months (e.g. 720 for 60 years, 721 for 60 years and
        1 month), broadcast to the common shape of the inputs.

    Raises
    ------
    ValueError
        If a birth month lies outside 1..12 or a year/month is not whole.

    Examples
    --------
    >>> statutory_age_months([1964, 1965, 1971, 1995],
    ...                      [12, 1, 4, 12],
    ...                      [False, False, True, True],
    ...                      [False, False, True, False]).tolist()
    [720, 721, 664, 660]
    """
    year = _as_int_array(birth_year, "birth_year")
    month = _as_int_array(birth_month, "birth_month")
    if np.any((month < 1) | (month > 12)):
        raise ValueError("birth_month must be in 1..12")
    year, month, female, cadre = np.broadcast_arrays(year, month, female, cadre)
    return _statutory_months(year * 12 + month - 1, female, cadre)


def _statutory_months(month_index, female, cadre) -> np.ndarray:
    """:func:`statutory_age_months` for the birth month ``month_index`` (months since
    January of year 0), without checking the inputs."""
    # category index: 0 men, 1 women in cadre posts, 2 women in worker posts
    cat = np.asarray(female, dtype=bool).astype(np.int64) * (2 - np.asarray(cadre, dtype=bool))
    k = month_index - _BASE_MONTH[cat] + 1  # 1 for January of the base year
    return _ORIG_MONTHS[cat] + np.clip(-(-k // _STEP[cat]), 0, _MAX_DELAY[cat])  # integer ceil(k / step)


def fixed_age_months(female, age_men, age_women):
    """Retirement age in months under a fixed (pre-reform style) rule.

    The age is ``12 * age_men`` for men and ``12 * age_women`` for women,
    independent of cohort; e.g. the pre-2025 rule is ``age_men=60``,
    ``age_women=55`` (or 50 for women in worker posts).

    Parameters
    ----------
    female : array_like of bool
        True for women.
    age_men, age_women : float or array_like of float
        Retirement ages in years; may be fractional (62.5 -> 750 months) and
        may be arrays broadcastable with ``female``.

    Returns
    -------
    numpy.ndarray of int64
        Age in months, rounded to the nearest whole month (retirement happens
        at a monthly birthday, as under the statutory rule).

    Examples
    --------
    >>> fixed_age_months([False, True], 60, 55).tolist()
    [720, 660]
    >>> fixed_age_months([True], 60, 57.5).tolist()
    [690]
    """
    female = np.asarray(female, dtype=bool)
    years = np.where(female, np.asarray(age_women, dtype=float),
                     np.asarray(age_men, dtype=float))
    if not np.all(np.isfinite(years)) or np.any(years < 0):
        raise ValueError("retirement ages must be finite and non-negative")
    return np.rint(12.0 * years).astype(np.int64)


def lowest_age(rule: str, age_men: float = 60, age_women: float = 55) -> float:
    """No one retires younger than this under ``rule``: the younger of the two ages of
    ``fixed``; for ``china2025`` the lowest age before the reform (women in worker posts),
    which the reform only raises."""
    return min(age_men, age_women) if rule == "fixed" else float(min(c[1] for c in _CATEGORIES))


def retirement_time(birth_time, female, cadre, rule, age_men=60, age_women=55):
    """Instant (in years) at which each person reaches the retirement age.

    ``age_months`` after ``birth_time`` on the same day of the month
    (:func:`months_later`): the day the statutory (``"china2025"``) or fixed
    (``"fixed"``) age is reached.

    Parameters
    ----------
    birth_time : array_like of float
        Birth instants in years, e.g. 1966.25 = born about 1 April 1966. The
        birth year is ``floor(birth_time)`` and the birth month
        ``floor(frac(birth_time) * 12) + 1`` (with a tolerance of 1e-6 months
        for floating-point representation of month starts).
    female : array_like of bool
        True for women.
    cadre : array_like of bool
        For women under ``"china2025"``: True for cadre/managerial posts
        (original age 55), False for worker posts (original age 50). Ignored
        by ``"fixed"`` and for men.
    rule : {"china2025", "fixed"}
        ``"china2025"`` uses :func:`statutory_age_months`; ``"fixed"`` uses
        :func:`fixed_age_months` with ``age_men`` and ``age_women``.
    age_men, age_women : float or array_like of float, optional
        Ages in years for the ``"fixed"`` rule (default 60 and 55).

    Returns
    -------
    numpy.ndarray of float
        Retirement instants in years.

    Raises
    ------
    ValueError
        If ``rule`` is not one of :data:`RULES`.

    Examples
    --------
    >>> retirement_time([1966.0], [False], [False], "fixed").tolist()
    [2026.0]
    >>> # Born Jan 1965, man: 60 years + 1 month -> Feb 2025.
    >>> t = retirement_time([1965.0], [False], [False], "china2025")
    >>> int(t[0]), int(round((t[0] % 1) * 12)) + 1
    (2025, 2)
    """
    birth_time = np.asarray(birth_time, dtype=float)
    if rule == "china2025":
        # the birth month is whole by construction: no re-checking (this runs for every hire)
        age = _statutory_months(np.floor(birth_time * 12.0 + _MONTH_EPS).astype(np.int64), female, cadre)
    elif rule == "fixed":
        age = fixed_age_months(female, age_men, age_women)
    else:
        raise ValueError(f"unknown retirement rule {rule!r}; expected one of {RULES}")
    return months_later(birth_time, age)


def retirement_time_into(out, birth_time, female, cadre, rule, age_men=60, age_women=55) -> None:
    """:func:`retirement_time` written into ``out``, by the compiled kernel
    :func:`model.kernels.retirement_instants` (one pass, to the last bit the same) where
    numba is on, else by the numpy code. ``age_men`` and ``age_women`` are numbers here."""
    from .. import kernels  # here, not above: loading a scenario need not import numba
    if not kernels.ENABLED:
        out[...] = retirement_time(birth_time, female, cadre, rule, age_men, age_women)
        return
    if rule not in RULES:
        raise ValueError(f"unknown retirement rule {rule!r}; expected one of {RULES}")
    shapes = {np.shape(a) for a in (out, birth_time, female, cadre)}
    if len(shapes) != 1 or np.ndim(out) != 1 or np.ndim(age_men) or np.ndim(age_women):
        raise ValueError("retirement_time_into: out, birth_time, female and cadre must be 1-D of one length, "
                         "and the ages numbers")  # the kernel does not check its bounds
    men, women = fixed_age_months([False, True], age_men, age_women) if rule == "fixed" else (0, 0)
    kernels.retirement_instants(np.asarray(birth_time, dtype=float), np.asarray(female, dtype=bool),
                                np.asarray(cadre, dtype=bool), rule == "china2025", int(men), int(women),
                                _BASE_MONTH, _ORIG_MONTHS, _STEP, _MAX_DELAY, _DAYS, _MONTH_EPS, _DAY_EPS,
                                out)


_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)
_DAY_EPS = 1e-6  # days: a date's instant (model.roster.date_instant) may fall a hair before its day


def days_in_month(month_index) -> np.ndarray:
    """Days in the month ``month_index`` (months since January of year 0; Gregorian leap years)."""
    m = np.asarray(month_index, dtype=np.int64)
    year, month = np.divmod(m, 12)
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return _DAYS[month] + ((month == 1) & leap)


def months_later(t, months) -> np.ndarray:
    """The instant ``months`` whole months after the instants ``t``, on the same day of the
    month at the same point of the day; on the month's last day where it is shorter (31
    March + 3 months: 30 June; 29 February + 12 months: 28 February). An instant's month is
    ``floor(12 * t)`` and its day ``1 + floor(days)`` of the ``days`` into its month, the
    payroll calendar of :mod:`model.policies.pay` (:func:`model.roster.date_instant` writes a
    date so).

    Examples
    --------
    >>> import datetime as dt
    >>> from model.roster import date_instant
    >>> bool(months_later([date_instant(dt.date(1969, 1, 24))], 733)[0] == date_instant(dt.date(2030, 2, 24)))
    True
    >>> bool(months_later([date_instant(dt.date(1966, 3, 31))], 723)[0] == date_instant(dt.date(2026, 6, 30)))
    True
    """
    t = np.asarray(t, dtype=float)
    month = np.floor(t * 12.0 + _MONTH_EPS)
    days = np.maximum(t * 12.0 - month, 0.0) * days_in_month(month)  # days into the month
    day = np.floor(days + _DAY_EPS)
    later = month + np.asarray(months)
    n = days_in_month(later)
    year, m = np.divmod(later, 12)  # as date_instant adds them: a date's instant to the last bit
    part = days - day  # of the day: 0 for a date (within rounding)
    return year + (m + (np.minimum(day, n - 1) + np.where(part > _DAY_EPS, part, 0.0)) / n) / 12
