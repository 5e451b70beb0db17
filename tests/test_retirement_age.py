"""Tests for :mod:`model.policies.retirement_age`.

All expectations are exact (integer months); the rule is deterministic, so no
tolerance from variance is needed. Test vectors and cohort boundaries are from
FIGURES.md section 5 (State Council measures 2024-09-13); the boundary months
next to each cap were checked by hand from ``delay = min(ceil(k / step), cap)``.
The last test runs the engine: a binomial count with its Monte Carlo tolerance.
"""

from __future__ import annotations

import numpy as np
import pytest

from model.policies.retirement_age import (
    RULES,
    fixed_age_months,
    months_later,
    retirement_time,
    statutory_age_months,
)

# Category -> (female, cadre)
CATS = {"man": (False, False), "woman55": (True, True), "woman50": (True, False)}
ORIGINAL_MONTHS = {"man": 720, "woman55": 660, "woman50": 600}


def add_months(year, month, months):
    """Year-month reached ``months`` after ``year``-``month`` (month 1..12)."""
    total = year * 12 + (month - 1) + months
    return total // 12, total % 12 + 1


def age_of(year, month, cat):
    female, cadre = CATS[cat]
    return int(statutory_age_months([year], [month], [female], [cadre])[0])


# FIGURES.md section 5 table: birth, category, retire month, age (years, as
# printed), delay (months).
TABLE = [
    ((1963, 12), "man", (2023, 12), 60, 0),
    ((1964, 2), "man", (2024, 2), 60, 0),
    ((1965, 1), "man", (2025, 2), 60.08, 1),
    ((1965, 12), "man", (2026, 3), 60.25, 3),
    ((1995, 12), "man", (2058, 12), 63, 36),
    ((2000, 12), "man", (2063, 12), 63, 36),
    ((1963, 4), "woman55", (2018, 4), 55, 0),
    ((1971, 4), "woman55", (2026, 8), 55.33, 4),
    ((2000, 12), "woman55", (2058, 12), 58, 36),
    ((1995, 12), "woman50", (2050, 12), 55, 60),
]


@pytest.mark.parametrize("birth, cat, retire, age_years, delay", TABLE)
def test_figures_table(birth, cat, retire, age_years, delay):
    age = age_of(*birth, cat)
    assert age - ORIGINAL_MONTHS[cat] == delay
    assert round(age / 12, 2) == age_years
    assert add_months(*birth, age) == retire


def test_figures_table_in_one_vectorised_call():
    """The whole table, mixed categories, through both public entry points."""
    year = np.array([b[0] for b, *_ in TABLE])
    month = np.array([b[1] for b, *_ in TABLE])
    female = np.array([CATS[c][0] for _, c, *_ in TABLE])
    cadre = np.array([CATS[c][1] for _, c, *_ in TABLE])
    expected_delay = np.array([row[4] for row in TABLE])
    original = np.array([ORIGINAL_MONTHS[c] for _, c, *_ in TABLE])

    age = statutory_age_months(year, month, female, cadre)
    assert age.shape == year.shape
    assert np.issubdtype(age.dtype, np.integer)
    np.testing.assert_array_equal(age - original, expected_delay)

    birth_time = year + (month - 1) / 12
    t = retirement_time(birth_time, female, cadre, "china2025")
    retire_index = np.floor(t * 12 + 1e-6).astype(int)  # months since year 0
    expected_index = np.array([r[0] * 12 + r[1] - 1 for _, _, r, *_ in TABLE])
    np.testing.assert_array_equal(retire_index, expected_index)


@pytest.mark.parametrize(
    "birth, cat, months",
    [
        # Men: reform starts with the 1965-01 cohort.
        ((1964, 12), "man", 720),
        ((1965, 1), "man", 721),
        ((1965, 4), "man", 721),
        ((1965, 5), "man", 722),
        # Men: cap of 36 first reached at k = 141, i.e. Sep 1976.
        ((1976, 8), "man", 755),
        ((1976, 9), "man", 756),
        ((1976, 12), "man", 756),
        ((1977, 1), "man", 756),
        # Women, original 55: base 1970-01, cap at Sep 1981.
        ((1969, 12), "woman55", 660),
        ((1970, 1), "woman55", 661),
        ((1981, 8), "woman55", 695),
        ((1981, 9), "woman55", 696),
        ((1990, 1), "woman55", 696),
        # Women, original 50: base 1975-01, 1 month per 2, cap 60 at k = 119
        # (Nov 1984); Oct 1984 is k = 118 -> 59.
        ((1974, 12), "woman50", 600),
        ((1975, 1), "woman50", 601),
        ((1975, 2), "woman50", 601),
        ((1975, 3), "woman50", 602),
        ((1984, 9), "woman50", 659),
        ((1984, 10), "woman50", 659),
        ((1984, 11), "woman50", 660),
        ((1984, 12), "woman50", 660),
    ],
)
def test_cohort_boundaries(birth, cat, months):
    assert age_of(*birth, cat) == months


def test_cadre_flag_ignored_for_men():
    a = statutory_age_months([1970, 1970], [6, 6], [False, False], [False, True])
    assert a[0] == a[1] == 720 + 17  # k = 66 -> ceil(66/4) = 17


def test_retirement_month_never_decreases_with_birth_month():
    """Later cohorts never retire earlier, and each month of birth adds at
    most one month to the age (the reform is gradual)."""
    months = np.arange(1950 * 12, 2010 * 12)
    year, month = months // 12, months % 12 + 1
    for female, cadre in CATS.values():
        age = statutory_age_months(year, month, np.full(months.shape, female),
                                   np.full(months.shape, cadre))
        retire = months + age
        assert np.all(np.diff(retire) >= 1)
        assert np.all(np.diff(age) >= 0) and np.all(np.diff(age) <= 1)


def test_fixed_rule():
    np.testing.assert_array_equal(
        fixed_age_months(np.array([False, True, True]), 60, 55), [720, 660, 660])
    np.testing.assert_array_equal(fixed_age_months([False, True], 62.5, 57.25),
                                  [750, 687])
    t = retirement_time(np.array([1966.0]), np.array([False]), np.array([False]),
                        "fixed", age_men=60)
    assert t.tolist() == [2026.0]


def test_retirement_time_mixed_categories_and_rules():
    birth_time = np.array([1966.0, 1966.25, 1971.25, 1995 + 11 / 12, 1964 + 11 / 12])
    female = np.array([False, True, True, True, False])
    cadre = np.array([False, False, True, False, True])

    fixed = retirement_time(birth_time, female, cadre, "fixed", age_men=60, age_women=55)
    np.testing.assert_allclose(fixed, birth_time + np.where(female, 55, 60))

    new = retirement_time(birth_time, female, cadre, "china2025")
    # 1966-01 man: k=13 -> +4; 1966-04 woman50: before base -> 50 y;
    # 1971-04 woman55: +4; 1995-12 woman50: +60; 1964-12 man: 60 y.
    np.testing.assert_allclose(new - birth_time,
                               np.array([724, 600, 664, 660, 720]) / 12)


def test_retirement_time_agrees_with_statutory_age_on_every_month():
    """retirement_time's own vectorised rule gives statutory_age_months for every birth
    month 1940-2010 in all three categories (with a birth day inside the month)."""
    months = np.repeat(np.arange(1940 * 12, 2011 * 12), 3)
    female = np.tile([False, True, True], len(months) // 3)
    cadre = np.tile([True, True, False], len(months) // 3)
    birth = months / 12 + 0.4 / 12
    t = retirement_time(birth, female, cadre, "china2025")
    age = statutory_age_months(months // 12, months % 12 + 1, female, cadre)
    np.testing.assert_array_equal(np.rint((t - birth) * 12).astype(np.int64), age)


def test_month_starts_decoded_despite_float_rounding():
    """Birth instants at month starts (year + m/12) fall in month m + 1."""
    months = np.arange(1965 * 12, 1966 * 12)
    t = retirement_time(months / 12, np.zeros(12, bool), np.zeros(12, bool),
                        "china2025")
    expected = 720 + np.ceil(np.arange(1, 13) / 4)
    np.testing.assert_allclose(t - months / 12, expected / 12)


def test_bad_inputs():
    with pytest.raises(ValueError):
        statutory_age_months([1970], [13], [False], [False])
    with pytest.raises(ValueError):
        statutory_age_months([1970], [0], [False], [False])
    with pytest.raises(ValueError):
        statutory_age_months([1970.5], [1], [False], [False])
    with pytest.raises(ValueError, match="unknown retirement rule"):
        retirement_time([1970.0], [False], [False], "china2024")
    assert RULES == ("china2025", "fixed")


def test_nobody_starts_past_the_statutory_age():
    """The age mix is for men and women together (uniform 22..59 here), but women retire
    at 50 and men at 60: starting women take their age from the mix truncated at 49, so
    in the first year a starting worker retires (on their birthday) exactly when a woman
    is 49 (probability 1/28) or a man 59 (1/38). Each of the 10,000 starting workers
    retires in the first year with p = 0.5/28 + 0.5/38, independently: the count is
    Binomial(10,000, p) in each replication. Without the truncation every woman aged 50
    or more would retire on the first day (p about 0.16)."""
    import model

    sc = model.load("bench").with_overrides(
        {"retirement.age_women": 50, "population.age": [[22, 59, 1.0]], "quits.enabled": False})
    reps, n = 20, 10_000
    r = model.run(sc, reps=reps, seed=5)
    retired = r.values[:, 0, r.metrics.index("exits_retired")]
    p = 0.5 / 28 + 0.5 / 38
    se = np.sqrt(n * p * (1 - p) / reps)
    assert abs(retired.mean() - n * p) / se < 4.0  # one check: false alarm 6e-5


def test_retirement_falls_on_the_calendar_day_the_age_is_reached():
    """A worker born on a date retires on that date's day in the month the statutory age is
    reached (the month's last day where it is shorter), by the calendar of
    ``datetime``: every day of 1964-1969 for men (60 years plus the reform's delay) and a
    fixed rule of 61 years (29 February 1964 -> 28 February 2025)."""
    import calendar
    import datetime as dt

    from model.roster import date_instant
    first = dt.date(1964, 1, 1)
    days = [first + dt.timedelta(days=i) for i in range((dt.date(1970, 1, 1) - first).days)]
    birth = np.array([date_instant(d) for d in days])
    men = np.zeros(len(days), bool)
    for rule, months in (("china2025", statutory_age_months([d.year for d in days], [d.month for d in days],
                                                             men, men)),
                         ("fixed", np.full(len(days), 61 * 12))):
        got = retirement_time(birth, men, men, rule, age_men=61)
        want = []
        for d, m in zip(days, months):
            y, mo = divmod(d.year * 12 + d.month - 1 + int(m), 12)
            want.append(date_instant(dt.date(y, mo + 1, min(d.day, calendar.monthrange(y, mo + 1)[1]))))
        np.testing.assert_array_equal(got, np.array(want))
    assert retirement_time([date_instant(dt.date(1964, 2, 29))], [False], [False], "fixed",
                           age_men=61)[0] == date_instant(dt.date(2025, 2, 28))
    # born 24 January 1969: 13 months' delay, so 24 February 2030 (the day, not the same
    # fraction of the shorter month, 21.8 February)
    assert retirement_time([date_instant(dt.date(1969, 1, 24))], [False], [False],
                           "china2025")[0] == date_instant(dt.date(2030, 2, 24))


def test_an_instant_within_its_day_keeps_its_point_of_the_day():
    """The engine draws birth instants that are not a day's start (day k/365 of a year):
    retirement falls at the same point of the day, as a share of that day (half a day into
    24 January 1969 retires half a day into 24 February 2030; half a day into 31 March
    1966 retires half a day into 30 June 2026, the shorter month's last day)."""
    import calendar
    import datetime as dt

    from model.roster import date_instant

    def half_day_into(d):
        return date_instant(d) + 0.5 / (12 * calendar.monthrange(d.year, d.month)[1])
    for born, months, retires in ((dt.date(1969, 1, 24), 733, dt.date(2030, 2, 24)),
                                  (dt.date(1966, 3, 31), 723, dt.date(2026, 6, 30)),
                                  (dt.date(1964, 2, 29), 732, dt.date(2025, 2, 28))):
        got = months_later([half_day_into(born)], months)[0]
        assert got == pytest.approx(half_day_into(retires), abs=1e-12), born
