"""The engine against theory, continued: the rules of the retirement reform, quit hazards,
pay components, training cycles and staffing rules, derived by hand.

The conventions of ``tests/test_theory.py`` hold here (its helpers are imported): each
test runs a small scenario from ``tests/theory/`` (each extends ``scenarios/bench.toml``
and switches mechanisms off) at a fixed seed and compares what the engine reports with an
answer worked out in the test from the documented rule. A statistical check yields a
p-value (an exact ``scipy.stats`` test, or a z-check whose standard error comes from the
rule's own law); a test is a family of ``m`` checks with a family-wise false-alarm rate
of ``FAMILY_ALPHA = 1e-4`` (Bonferroni: each at ``p > 1e-4 / m``). Where the rule leaves
nothing to chance (a roster's retirements, trainees, posts) the check is an identity,
which holds to rounding error or not at all. Each test records what it checked with
``record_property("validation", ...)`` for ``docs/make_validation.py``, which runs every
``tests/test_theory*.py``.

The answers are written from the rules as documented, never by calling the model's
functions for them: the retirement reform from FIGURES.md section 5 alone, pay accrual
from README.md (each month a twelfth of the year, each day its share of its month), the
quit hazard from ``model/policies/quits.py``'s docstring, pay from ``model/policies/pay.py``'s,
training from ``model/policies/training.py``'s and the staffing rules from
``model/policies/demand.py``'s.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt

import numpy as np
import pytest

from test_theory import (binom_check, chisq_check, col, const, exact_check, scenario, series, settle,
                         simulate, z_check)

pytestmark = pytest.mark.slow  # statistical checks: seconds, run by default


def relative_error(got, want) -> float:
    """Largest relative difference (to at least 1 in the denominator)."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1.0)))


# --------------------------------------------------------------------------- the 2025 retirement reform

# FIGURES.md section 5, from its text alone (not model/policies/retirement_age.py): for each
# category, (original age in years, first birth year the reform reaches, from its January,
# birth months per month of delay, most months of delay).
REFORM = {"men": (60, 1965, 4, 36), "women_cadre": (55, 1970, 4, 36), "women_worker": (50, 1975, 2, 60)}

# FIGURES.md section 5, test vectors: birth (year, month), category, retirement (year, month), delay
FIGURES_VECTORS = [((1963, 12), "men", (2023, 12), 0), ((1964, 2), "men", (2024, 2), 0),
                   ((1965, 1), "men", (2025, 2), 1), ((1965, 12), "men", (2026, 3), 3),
                   ((1995, 12), "men", (2058, 12), 36), ((2000, 12), "men", (2063, 12), 36),
                   ((1963, 4), "women_cadre", (2018, 4), 0), ((1971, 4), "women_cadre", (2026, 8), 4),
                   ((2000, 12), "women_cadre", (2058, 12), 36), ((1995, 12), "women_worker", (2050, 12), 60)]


def reform_delay(year: int, month: int, category: str) -> int:
    """Months of delay: k = (birth year - base year) x 12 + birth month (k = 1 for the base
    January); d = min(ceil(k / step), cap); none for those born before the base year."""
    _, base, step, cap = REFORM[category]
    k = (year - base) * 12 + month
    return 0 if k < 1 else min(-(-k // step), cap)


def retirement_date(born: dt.date, category: str) -> dt.date:
    """The day the statutory age is reached: the retirement month is the birth month plus
    the age (FIGURES.md section 5), on the birth day, or the month's last day where it is
    shorter (model/policies/retirement_age.py's docstring: born 31 March, 4 months on: 31 July;
    its 'same day of the month' is what the day within the month follows)."""
    months = 12 * REFORM[category][0] + reform_delay(born.year, born.month, category)
    y, m0 = divmod(born.year * 12 + born.month - 1 + months, 12)
    return dt.date(y, m0 + 1, min(born.day, calendar.monthrange(y, m0 + 1)[1]))


def year_fraction(day: dt.date, part: float = 0.0) -> float:
    """The share of its year before ``day`` (plus ``part`` of that day) on the payroll's
    calendar (README.md: each month a twelfth of the year, each day its share of its month;
    one leaving on 16 October is paid 9 months and 15/31 of October)."""
    return (day.month - 1 + (day.day - 1 + part) / calendar.monthrange(day.year, day.month)[1]) / 12


def reform_roster(start: int) -> list[tuple[dt.date, str]]:
    """Birth dates over every month from five years before each category's first reformed
    cohort to two years after its last delayed one, two workers a month (a day cycling over
    1..28, a different cycle per category, and the month's last day: the 29th to 31st,
    29 February included, which the rule must clip) and for women in cadre posts a third (the
    15th: so that no two categories have the same retirements every year, as men and cadre
    women born five years later otherwise would), keeping those still in post on 1 January
    of ``start``."""
    out = []
    for c, (category, (_, base, step, cap)) in enumerate(REFORM.items()):
        last = base + (cap * step - 1) // 12 + 2        # the cap is reached in base + (cap step - 1) // 12
        i = 0
        third = {15} if category == "women_cadre" else set()
        for y in range(base - 5, last + 1):
            for m in range(1, 13):
                n = calendar.monthrange(y, m)[1]
                for d in sorted({1 + (5 * i + 3 * c) % 28, n} | third):
                    born = dt.date(y, m, d)
                    if retirement_date(born, category) > dt.date(start, 1, 1):
                        out.append((born, category))
                i += 1
    return out


def write_roster(path, people) -> None:
    """A roster (model/roster.py): birth date, sex, hire date, cadre status, district."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["birth_date", "sex", "hire_date", "cadre", "district"])
        for born, category in people:
            w.writerow([born.isoformat(), "male" if category == "men" else "female", "2015-01-01",
                        {"men": "", "women_cadre": "yes", "women_worker": "no"}[category], category])


def test_retirement_reform_by_month_of_birth(tmp_path, record_property):
    """Retirements and worker-years, year by year, of a roster spread over the reform's
    cohorts: an identity with FIGURES.md section 5's rule.

    tests/theory/retirement_reform.toml from 1 January 2020 to the end of 2039, retirement
    the only exit, with a roster (``reform_roster``) of workers born in every month from
    five years before each category's first reformed cohort (men 1960, women in cadre posts
    1965, in worker posts 1970: they retire at 60, 55 and 50) to two years after its last
    delayed one (men born from September 1976 retire at 63, cadre women from September 1981
    at 58, worker women from November 1984 at 55), two or three a month on different days (the
    29th to 31st of a month included, which the retirement month may lack), those still in post on
    1 January 2020; each category is its own district. The rule, written here from FIGURES.md
    alone (``retirement_date``), gives each worker's retirement day, so each category's
    retirements in each year, its year-end headcount, and its worker-years (those in post all
    year count 1, a retiree the share of the year before the day, by the payroll's calendar),
    exactly; the city's payroll is 12 x 5000 a worker-year (flat pay, no allowance: pay stops
    on the retirement day). The rule as written here is first checked against FIGURES.md's
    ten test vectors. Two replications, seed 2020 (nothing here is drawn, so they must
    agree). All checks are identities: counts exactly, worker-years and payroll to a relative
    1e-9.
    """
    start = 2020
    for born, category, (year, month), delay in FIGURES_VECTORS:  # the test's own rule, before the engine
        r = retirement_date(dt.date(*born, 1), category)
        assert (reform_delay(*born, category), r.year, r.month) == (delay, year, month), born
    people = reform_roster(start)
    path = tmp_path / "reform-roster.csv"
    write_roster(path, people)
    sc = scenario("retirement_reform", {"population.roster": str(path)})
    assert sc.start_year == start
    res = simulate(sc, reps=2, seed=2020)
    years = np.array(sc.year_list)
    checks = []
    plot = {"type": "line", "xlabel": "year", "ylabel": "workers retiring", "x": [int(v) for v in years],
            "series": []}
    total_retired = np.zeros(len(years))
    pay = float(np.asarray(sc.get("pay.monthly").central())[0])
    for category in REFORM:
        dates = [retirement_date(b, c) for b, c in people if c == category]
        n = len(dates)
        retiring = np.array([sum(r.year == y for r in dates) for y in years])
        worker_years = np.array([sum(r.year > y for r in dates)
                                 + sum(year_fraction(r) for r in dates if r.year == y) for y in years])
        head = col(res, f"headcount.{category}")
        before = np.c_[np.full(res.reps, n), head[:, :-1]]
        checks.append(exact_check(f"{category}: retirements each year (year-end headcount's fall), "
                                  f"{int(retiring.sum())} of {n} by 2039",
                                  np.abs((before - head) - retiring).max(), 0))
        checks.append(exact_check(f"{category}: worker-years each year (relative)",
                                  relative_error(col(res, f"worker_years.{category}"), worker_years)))
        checks.append(exact_check(f"{category}: payroll = 12 x {pay:g} x worker-years (relative)",
                                  relative_error(col(res, f"payroll.{category}"), 12 * pay * worker_years)))
        total_retired += retiring
        plot["series"] += [series(f"{category}: simulated", (before - head).mean(axis=0), "simulated"),
                           series(f"{category}: FIGURES.md rule", retiring, "theory")]
    checks.append(exact_check("the city's exits_retired = the three categories' retirements",
                              np.abs(col(res, "exits_retired") - total_retired).max(), 0))
    checks.append(exact_check("no other exit",
                              np.abs(col(res, "exits_total") - col(res, "exits_retired")).max(), 0))
    settle(record_property, "Retirement under the 2025 reform, by month of birth",
           "A roster of workers born in every month across the reform's cohorts (men, women in cadre "
           "posts, women in worker posts, each its own district), retirement the only exit: each year's "
           "retirements and worker-years by category are exactly those of FIGURES.md section 5's rule, "
           "written in the test.",
           r"age $= a_0 + \min(\lceil k/s \rceil, D)$ months, "
           r"$k = 12(\text{birth year} - b) + \text{birth month}$: men $a_0 = 60$ y, $b = 1965$, $s = 4$, "
           r"$D = 36$; women (cadre) 55 y, 1970, 4, 36; women (worker) 50 y, 1975, 2, 60; retirement on the "
           r"birth day of the month reached (its last day where shorter).",
           f"tests/theory/retirement_reform.toml (2020-2039) with a roster of {len(people)} workers born "
           f"1960-1986, two or three a month, {res.reps} replications, seed {res.seed}.", checks, plot)


# drawn starting workers, one category a run: ages on 1 January 2020 from the oldest still in
# post (older would be past the statutory age and given another age) down 19 years
DRAWN = {"men": ({"population.female_share": 0.0}, (41, 59)),
         "women_cadre": ({"population.female_share": 1.0, "population.cadre_share": 1.0}, (36, 54)),
         "women_worker": ({"population.female_share": 1.0, "population.cadre_share": 0.0}, (31, 49))}


def drawn_retirement_law(category: str, lo: int, hi: int, start: int, years: int):
    """For a worker aged uniformly lo..hi (whole years) on 1 January ``start`` with the next
    birthday on one of the 365 days after it (schema: population.age), uniformly: the
    probability of retiring in each simulated year (and of staying to the end), and the mean
    and variance of the share of the year worked by one retiring in it.

    The birth instant is start - a - 1 + d / 365, d = 1..365, a calendar date by the payroll's
    calendar (its month the twelfth of the year it falls in, its day and part of a day by the
    month's days: model/population.py and model/roster.py's date_instant); the retirement
    instant is the same day and part of a day in the month reached (:func:`retirement_date`)."""
    year_of, worked = [], []
    for a in range(lo, hi + 1):
        for d in range(1, 366):
            t = start - a - 1 + d / 365
            y = int(np.floor(t))
            m0 = min(int(np.floor((t - y) * 12 + 1e-9)), 11)   # a month's first instant is in it
            days = calendar.monthrange(y, m0 + 1)[1]
            into = max((t - y) * 12 - m0, 0.0) * days
            day = int(np.floor(into + 1e-9))
            part = into - day if into - day > 1e-9 else 0.0
            r = retirement_date(dt.date(y, m0 + 1, day + 1), category)
            year_of.append(min(r.year - start, years))          # `years`: still in post at the end
            worked.append(year_fraction(r, part))
    year_of, worked = np.array(year_of), np.array(worked)
    assert year_of.min() >= 0, "nobody may start past the statutory age"
    probs = np.bincount(year_of, minlength=years + 1) / len(year_of)
    mean = np.array([worked[year_of == k].mean() if (year_of == k).any() else 0.0 for k in range(years)])
    var = np.array([worked[year_of == k].var() if (year_of == k).any() else 0.0 for k in range(years)])
    return probs, mean, var


@pytest.mark.parametrize("category", list(DRAWN))
def test_retirement_reform_on_drawn_birthdays(category, record_property):
    """Workers drawn from an age mix retire in each year with the probability the reform's
    rule gives, and work the worker-years it gives.

    tests/theory/retirement_reform.toml without a roster: 1,700 workers of one category
    (men; women in cadre posts; women in worker posts), aged uniformly over 19 whole years on
    1 January 2020 up to the oldest still in post (59, 54, 49) with the birthday uniform over
    the 365 days, retirement the only exit, 2020-2039. Each worker's year of retirement (or
    still in post at the end) has the probabilities of ``drawn_retirement_law``, worked out by
    enumerating the 19 x 365 equally likely (age, birthday) pairs through the FIGURES.md rule;
    workers are independent, so the fates of the 1,700 x 20 = 34,000 workers (seed 2021,
    2022, 2023) are multinomial: chi-square goodness of fit over the 21 cells (a year 2020-2039
    or still in post). Their worker-years over the run (up to the retirement instant, the
    birthday's day and part of a day in the month reached): given the m_k retiring in year k,
    the worker-years they lose that year are a sum of m_k independent 1 - f, f the share of
    the year before the retirement instant, whose mean and variance among those retiring in
    year k come from the same enumeration; a z-check pooled over years (its standard error,
    about 50 worker-years here, against the 2,500 or so that some 30,000 retirees retiring a
    month late would add). Also exact: no other exit. m = 2, each at p > 5e-5 (|z| < 4.06);
    family false alarm 1e-4.
    """
    overrides, (lo, hi) = DRAWN[category]
    sc = scenario("retirement_reform", dict(overrides, **{"population.age": [[lo, hi, 1.0]]}))
    res = simulate(sc, reps=20, seed=2021 + list(DRAWN).index(category))
    probs, f_mean, f_var = drawn_retirement_law(category, lo, hi, sc.start_year, sc.years)
    head = col(res, "headcount")
    N = int(head[0, 0] + col(res, "exits_total")[0, 0])
    assert N == 1700  # the scenario's workers (the law below is fitted to them, so they are checked)
    n = N * res.reps
    retired = col(res, "exits_retired")
    present = np.c_[np.full(res.reps, N), head[:, :-1]]
    checks = [chisq_check("year of retirement (2020-2039) or still in post at the end",
                          np.r_[retired.sum(axis=0), head[:, -1].sum()], probs)]
    lost = (present - col(res, "worker_years")).sum(axis=0)    # the retirees' unworked share of their year
    m = retired.sum(axis=0)
    checks.append(z_check("worker-years the retirees lose, given how many retire each year",
                          lost.sum(), (m * (1 - f_mean)).sum(), np.sqrt((m * f_var).sum())))
    checks.append(exact_check("no other exit",
                              np.abs(col(res, "exits_total") - col(res, "exits_retired")).max(), 0))
    plot = {"type": "line", "xlabel": "year", "ylabel": "share of the cohort retiring",
            "x": [int(v) for v in sc.year_list],
            "series": [series("simulated (± 2 se)", m / n, "simulated",
                              2 * np.sqrt(probs[:-1] * (1 - probs[:-1]) / n)),
                       series("FIGURES.md rule over ages and birthdays", probs[:-1], "theory")]}
    label = category.replace("_", " ")
    settle(record_property, f"Retirement under the 2025 reform, drawn birthdays ({label})",
           f"Starting workers ({label}) drawn from an age mix with uniform birthdays retire in each year "
           "with the probability the reform's rule gives over the ages and birthdays, and work the "
           "worker-years it gives.",
           r"$P(\text{retire in year } y) = \frac{1}{19 \cdot 365}\,\#\{(a, d) : \text{year of "
           r"retirement}(2020 - a - 1 + d/365) = y\}$, the FIGURES.md rule.",
           f"tests/theory/retirement_reform.toml without a roster, {label} aged {lo}..{hi} on 1 January "
           f"2020, {N} workers, {res.reps} replications, seed {res.seed}.", checks, plot)


# --------------------------------------------------------------------------- quits by tenure band and pay

POSTS = ("staff", "committee", "head")


def test_quit_hazard_by_tenure_band_and_pay(record_property):
    """Quits by post class and year are binomial with the hazard of the worker's tenure band,
    scaled by their pay relative to last year's average wage.

    tests/theory/quit_hazards.toml: 2,000 workers all hired on 1 January 2025 (so each
    worker's tenure on 1 January of simulated year k is k), 200 heads, 400 committee members
    and 1,400 staff with monthly pay 9,000, 6,500 and 5,000 (70% base, 30% performance; no
    pay growth), all holding the assistant certificate (allowance 1,000 a month), no exit
    but quits, no election (posts never change). model/policies/quits.py: a worker in post
    p quits in year k with probability q = rate[band(k)] x (r / 0.9)^(-1.5), the bands
    [0, 2), [2, 5) and 5+ years at rates 0.20, 0.10, 0.05, and r = 12 x (monthly[p] + 1,000)
    / W_k the pay ratio (gross pay with the performance part at 100%, plus the allowance) to
    last year's average wage W_k = 75,000 x 1.05^k (economy.average_wage is the year before
    the start's). Each year's stock of a post class is share_<post> x
    headcount; given the n_{k,p} in post p on 1 January of year k, its quits that year (the
    stock's fall) are Binomial(n_{k,p}, q_{k,p}), and pooled over 40 replications (seed 111)
    still binomial: an exact binomial test for each of the 3 x 10 (post, year) cells. The
    cells have a few thousand trials each, so a mistake in one factor common to all of them
    (last year's wage or this year's: 1.05^1.5 = 7.6% on every q; the reference ratio left
    out: 17%; the allowance or the performance part left out of pay: 30% or more) is also
    checked pooled over the years, one z-check per post class with
    se = sqrt(sum n q (1 - q)) (the yearly terms are martingale differences). Exact: every
    exit is a quit. m = 33, each at p > 3.0e-6 (|z| < 4.67); family false alarm 1e-4.
    """
    sc = scenario("quit_hazards")
    res = simulate(sc, reps=40, seed=111)
    C = sc.demand.communities
    heads, committee = sc.population.heads_per_community, sc.population.committee_per_community
    start = np.array([C * (10 - heads - committee), C * committee, C * heads])
    assert const(sc, "demand.posts_per_community") == 10
    edges = np.asarray(sc.quits.tenure_bands)
    rates = np.asarray(sc.get("quits.rate").central(), dtype=float)
    e, ref = const(sc, "quits.pay_elasticity"), const(sc, "quits.reference_pay_ratio")
    assert vec(sc, "population.certificate")[1] == 1       # every worker an assistant: one allowance
    monthly = vec(sc, "pay.monthly") + vec(sc, "pay.allowance")[1]       # gross at 100% + allowance
    W0, g = sc.economy.average_wage, const(sc, "economy.average_wage_growth")
    K = sc.years
    k = np.arange(K)
    band = np.searchsorted(edges, k, side="right") - 1               # tenure k on 1 January of year k
    ratio = 12 * monthly[None, :] / (W0 * (1 + g) ** k)[:, None]      # (year, post)
    q = rates[band][:, None] * (ratio / ref) ** (-e)
    assert q.max() < 1
    head = col(res, "headcount")
    stock = np.stack([np.rint(col(res, f"share_{p}") * head) for p in POSTS], axis=-1)   # (rep, year, post)
    before = np.concatenate([np.broadcast_to(start, (res.reps, 1, 3)), stock[:, :-1]], axis=1)
    quits = (before - stock).sum(axis=0)
    trials = before.sum(axis=0)
    checks = [binom_check(f"{POSTS[p]}, {sc.start_year + j} (tenure {j}, pay ratio {ratio[j, p]:.3f}): quits",
                          quits[j, p], trials[j, p], q[j, p]) for p in range(3) for j in range(K)]
    for p in range(3):
        n, qp = trials[:, p], q[:, p]
        checks.append(z_check(f"{POSTS[p]}: quits over the ten years", quits[:, p].sum(), (n * qp).sum(),
                              np.sqrt((n * qp * (1 - qp)).sum())))
    checks.append(exact_check("every exit is a quit",
                              np.abs(col(res, "exits_total") - col(res, "exits_quit")).max(), 0))
    checks.append(exact_check("the post classes' quits add up to exits_quit",
                              np.abs((before - stock).sum(axis=-1) - col(res, "exits_quit")).max(), 0))
    rate_sim = quits / trials
    plot = {"type": "line", "xlabel": "year", "ylabel": "quits / workers in post on 1 January",
            "x": [int(v) for v in sc.year_list], "series": []}
    for p in range(3):
        plot["series"] += [series(f"{POSTS[p]}: simulated (± 2 se)", rate_sim[:, p], "simulated",
                                  2 * np.sqrt(q[:, p] * (1 - q[:, p]) / trials[:, p])),
                           series(f"{POSTS[p]}: rate(band) x (r / 0.9)^-1.5", q[:, p], "theory")]
    settle(record_property, "Quits by tenure band and by pay relative to the average wage",
           "In a cohort hired on one day, quits of each post class in each year are binomial with the hazard "
           "of the tenure band the year falls in, scaled by the post's pay relative to last year's local "
           "average wage.",
           r"$q_{k,p} = \mathrm{rate}[b(k)]\,(r_{k,p}/0.9)^{-1.5}$, rates 0.20 / 0.10 / 0.05 from tenure "
           r"0 / 2 / 5, $r_{k,p} = 12\,(\mathrm{monthly}_p + 1000) / (75{,}000 \times 1.05^k)$; quits "
           r"$\sim \mathrm{Bin}(n_{k,p}, q_{k,p})$.",
           f"tests/theory/quit_hazards.toml: {int(start.sum())} workers hired on 1 January {sc.start_year}, "
           f"{res.reps} replications, seed {res.seed}.", checks, plot)


# --------------------------------------------------------------------------- pay by component

def vec(sc, path: str) -> np.ndarray:
    """A constant vector parameter of ``sc``."""
    return np.asarray(sc.get(path).central(), dtype=float)


def test_payroll_by_component(record_property):
    """Each payroll component's yearly mean against its value worked out by hand from the
    pay rules, in a closed cohort with fixed posts and certificates.

    tests/theory/pay_components.toml: 1,000 workers (100 heads, 200 committee members, 700
    staff at 9,000 / 6,500 / 5,000 a month in the start year), no exit, no exam, so posts and
    certificate levels stay those of the start; levels drawn independently of posts with
    shares 0.4 / 0.3 / 0.2 / 0.1 (allowance 0 / 200 / 400 / 600 a month); each year every
    worker graded with shares 0.2 / 0.6 / 0.15 / 0.05 (performance multipliers 1.5 / 1 / 0.5
    / 0). model/policies/pay.py: in year k (g_k = 1.04^k pay growth, W_k = 100,000 x 1.06^k
    last year's average wage), for a worker in post p at level l graded r:
    base 12 x 0.7 m_p g_k; performance 12 x 0.3 m_p g_k x mult_r; allowance 12 a_l (not
    grown); insurance 12 x 0.249 x clip(m_p g_k + a_l, 0.7 W_k/12, 1.0 W_k/12); housing fund
    12 x 0.08 x clip(m_p g_k + a_l, 5,500, 0.9 W_k/12); annuity 12 x 0.05 x the insurance base,
    heads only. Staff sit on the insurance floor, heads on the fund's cap, and heads on the
    insurance cap until 2029 (pay grows 4% a year against the wage's 6%). Workers are
    independent (a level per worker, a grade per worker and year), so each component's total
    in a year has the exact mean sum_p n_p E[.] and variance sum_p n_p Var[.] over the level
    and grade laws; the mean over 40 replications (seed 1212) is z-checked with se =
    sqrt(Var / 40) for performance, insurance, housing fund and annuity in every year where
    the variance is not 0 (where it is, the total is an identity). Identities: base pay every
    year; the allowance given the level counts reported (certified_share_<level> x
    headcount), 12 x sum_l n_l a_l; payroll = the sum of its six parts; the average wage the
    pay benchmarks read. m = the z-checks (35), each at p > 2.9e-6 (|z| < 4.68); family
    false alarm 1e-4.
    """
    sc = scenario("pay_components")
    R = 40
    res = simulate(sc, reps=R, seed=1212)
    C = sc.demand.communities
    heads, committee = sc.population.heads_per_community, sc.population.committee_per_community
    n_p = np.array([C * (10 - heads - committee), C * committee, C * heads], dtype=float)
    m_p = vec(sc, "pay.monthly")
    a_l, s_l = vec(sc, "pay.allowance"), vec(sc, "population.certificate")
    mult, s_r = vec(sc, "pay.performance_multiplier"), vec(sc, "assessment.shares")
    bs = const(sc, "pay.base_share")
    ins = sum(const(sc, f"pay.{x}_rate") for x in ("pension", "medical", "unemployment", "injury"))
    hf_rate, ann_rate = const(sc, "pay.housing_fund_rate"), const(sc, "pay.annuity_rate")
    lo_share, hi_share = const(sc, "pay.contribution_floor"), const(sc, "pay.contribution_cap")
    hf_lo, hf_hi_share = const(sc, "pay.housing_fund_floor_monthly"), const(sc, "pay.housing_fund_cap")
    covered = vec(sc, "pay.annuity_posts")
    growth, wg = const(sc, "pay.growth"), const(sc, "economy.average_wage_growth")
    W0 = sc.economy.average_wage
    K = sc.years
    checks, expected, simulated = [], {}, {}
    base_err = wage_err = 0.0
    for k in range(K):
        g, W = (1 + growth) ** k, W0 * (1 + wg) ** k
        gross = m_p[:, None] * g * np.ones(len(a_l))[None, :]       # (post, level)
        cb = np.clip(gross + a_l, lo_share * W / 12, hi_share * W / 12)
        per_worker = {"payroll_insurance": 12 * ins * cb,
                      "payroll_housing_fund": 12 * hf_rate * np.clip(gross + a_l, hf_lo,
                                                                     hf_hi_share * W / 12),
                      "payroll_annuity": 12 * ann_rate * cb * covered[:, None]}
        for name, v in per_worker.items():
            mean = n_p @ (v @ s_l)
            var = n_p @ (v ** 2 @ s_l - (v @ s_l) ** 2)
            expected.setdefault(name, []).append(mean)
            x = col(res, name)[:, k]
            simulated.setdefault(name, []).append(x.mean())
            if var > 1e-6 * mean ** 2 / R:
                checks.append(z_check(f"{name[8:]}, {sc.start_year + k}", x.mean(), mean, np.sqrt(var / R)))
            else:   # every worker of a post on the same bound: no variance
                checks.append(exact_check(f"{name[8:]}, {sc.start_year + k}: every base on a bound "
                                          "(relative)", relative_error(x, mean)))
        unit = 12 * (1 - bs) * m_p * g                                # performance at multiplier 1
        mean = n_p @ unit * (s_r @ mult)
        var = n_p @ unit ** 2 * (s_r @ mult ** 2 - (s_r @ mult) ** 2)
        x = col(res, "payroll_performance")[:, k]
        checks.append(z_check(f"performance, {sc.start_year + k}", x.mean(), mean, np.sqrt(var / R)))
        expected.setdefault("payroll_performance", []).append(mean)
        simulated.setdefault("payroll_performance", []).append(x.mean())
        base_err = max(base_err, relative_error(col(res, "payroll_base")[:, k], 12 * bs * n_p @ m_p * g))
        wage_err = max(wage_err, relative_error(col(res, "average_wage")[:, k], W))
    head = col(res, "headcount")
    levels = np.stack([np.rint(col(res, f"certified_share_{x}") * head)
                       for x in ("assistant", "intermediate", "senior")], axis=-1)
    allowance = 12 * (levels @ a_l[1:])
    parts = sum(col(res, f"payroll_{x}") for x in ("base", "performance", "allowance", "insurance",
                                                    "housing_fund", "annuity"))
    checks += [exact_check("base pay = 12 x 0.7 x sum of monthly pay x 1.04^k, every year (relative)",
                           base_err),
               exact_check("allowance = 12 x sum over levels of workers x allowance, every year (relative)",
                           relative_error(col(res, "payroll_allowance"), allowance)),
               exact_check("payroll = the sum of its six parts (relative)",
                           relative_error(col(res, "payroll"), parts)),
               exact_check("average wage read = 100,000 x 1.06^k (relative)", wage_err),
               exact_check("nobody leaves", np.abs(head - n_p.sum()).max(), 0)]
    plot = {"type": "line", "xlabel": "year", "ylabel": "million yuan / year",
            "x": [int(v) for v in sc.year_list], "series": []}
    for name in ("payroll_performance", "payroll_insurance", "payroll_housing_fund", "payroll_annuity"):
        plot["series"] += [series(f"{name[8:]}: simulated mean", np.array(simulated[name]) / 1e6,
                                  "simulated"),
                           series(f"{name[8:]}: by hand", np.array(expected[name]) / 1e6, "theory")]
    settle(record_property, "Payroll by component",
           "In a closed cohort with fixed posts and certificates, graded every year with fixed shares, each "
           "payroll component's yearly mean (base, performance by grade, allowance, employer insurance and "
           "housing fund on clipped bases, annuity) equals its value worked out by hand under pay and wage "
           "growth.",
           r"per worker: base $12 \cdot 0.7\,m_p g_k$; performance $12 \cdot 0.3\,m_p g_k\,\mathrm{mult}_r$; "
           r"insurance $12 \cdot 0.249\,\mathrm{clip}(m_p g_k + a_l, 0.7 W_k/12, W_k/12)$; housing fund "
           r"$12 \cdot 0.08\,\mathrm{clip}(m_p g_k + a_l, 5500, 0.9 W_k/12)$; $g_k = 1.04^k$, "
           r"$W_k = 10^5 \cdot 1.06^k$.",
           f"tests/theory/pay_components.toml: {int(n_p.sum())} workers, {res.reps} replications, "
           f"seed {res.seed}.",
           checks, plot)


def test_performance_pay_and_annuity_follow_the_grades(record_property):
    """Performance pay is paid by the year's grade (leavers who quit before the assessment
    at their own multiplier), and an annuity for workers rated excellent follows last
    year's grade: identities given the grades reported.

    tests/theory/closed_cohort.toml (1,000 staff at 5,000 a month, no recruitment, no exam)
    with dismissal off, no allowance, 70% base pay, grade shares 0.2 / 0.6 / 0.15 / 0.05
    and performance multipliers 1.5 / 1 / 0.5 / 0, a leaver's multiplier 0.4, and an
    annuity of 5% of pay (the contribution base, here 5,000 a month: no floor or cap) for
    workers rated excellent at the latest assessment only (pay.annuity_excellent, no post
    covered). model/policies/pay.py: performance pay accrues at 30% of pay and is paid at the
    assessment (the very end of 31 December) times the multiplier of that day's grade, or at
    the leaver's multiplier to one who left before it; the annuity covers last year's
    excellent until this year's assessment (then this year's, for no time at all). Run 1,
    quits off: every worker is rated and works the whole year, so performance pay is
    12 x 0.3 x 5000 x (1.5 n_exc + n_qual + 0.5 n_basic) with the year's reported counts, and
    the annuity of year k is 0.05 x 12 x 5000 x n_exc of year k - 1, exactly; in the first
    year the excellent of the year before the start are drawn with the same shares, so the
    first year's annuity / 3,000 pooled over 20 replications is Binomial(20 x 1,000, 0.2)
    (exact binomial test). Run 2, quits at 0.10 a year (uniform in the year): the leavers'
    worked shares of the year add up to worker-years - headcount, so performance pay is
    12 x 0.3 x 5000 x (1.5 n_exc + n_qual + 0.5 n_basic + 0.4 (worker-years - headcount)),
    exactly. Seed 1515. m = 1 (p > 1e-4); the identities to a relative 1e-9.
    """
    common = {"dismissal.enabled": False, "assessment.shares": [0.2, 0.6, 0.15, 0.05],
              "pay.allowance": [0, 0, 0, 0], "pay.base_share": 0.7,
              "pay.performance_multiplier": [1.5, 1.0, 0.5, 0.0], "pay.leaver_performance_multiplier": 0.4,
              "pay.annuity_rate": 0.05, "pay.annuity_posts": [0, 0, 0], "pay.annuity_excellent": True}
    checks = []
    plot = {"type": "line", "xlabel": "year", "ylabel": "million yuan / year", "series": []}
    for quits in (False, True):
        sc = scenario("closed_cohort", dict(common, **{"quits.enabled": quits}))
        res = simulate(sc, reps=20, seed=1515)
        pay, bs = const(sc, "pay.monthly"), const(sc, "pay.base_share")
        mult = vec(sc, "pay.performance_multiplier")
        leaver = const(sc, "pay.leaver_performance_multiplier")
        head = col(res, "headcount")
        exc, basic, unq = (np.rint(col(res, f"rated_{g}_share") * head)
                           for g in ("excellent", "basic", "unqualified"))
        qual = head - exc - basic - unq
        left = col(res, "worker_years") - head          # the leavers' shares of the year
        want = 12 * (1 - bs) * pay * (mult[0] * exc + mult[1] * qual + mult[2] * basic + mult[3] * unq
                                      + leaver * left)
        label = "quits 0.10, leavers at 0.4" if quits else "no quits"
        checks.append(exact_check(f"{label}: performance pay = 12 x 0.3 x 5000 x (sum of multipliers of the "
                                  "year's grades" + (" + 0.4 x leavers' worker-years" if quits else "") + ")",
                                  relative_error(col(res, "payroll_performance"), want)))
        plot["x"] = [int(v) for v in sc.year_list]
        group = "performance, quits" if quits else "performance"
        plot["series"] += [series(f"{group}: simulated", col(res, "payroll_performance").mean(axis=0) / 1e6,
                                  "simulated"),
                           series(f"{group}: by the grades", want.mean(axis=0) / 1e6, "theory")]
        if quits:
            continue
        unit = 12 * const(sc, "pay.annuity_rate") * pay
        annuity = col(res, "payroll_annuity")
        checks.append(exact_check("no quits: annuity of year k = 0.05 x 12 x 5000 x rated excellent in k - 1 "
                                  "(relative)", relative_error(annuity[:, 1:], unit * exc[:, :-1])))
        first = annuity[:, 0] / unit
        checks.append(exact_check("no quits: the first year's annuity is a whole number of workers",
                                  np.abs(first - np.rint(first)).max(), 1e-6))
        N = int(head[0, 0])
        checks.append(binom_check("no quits: excellent the year before the start (first year's annuity / "
                                  "3,000)", int(np.rint(first).sum()), N * res.reps, 0.2))
        plot["series"] += [series("annuity: simulated", annuity.mean(axis=0) / 1e6, "simulated"),
                           series("annuity: last year's excellent", np.r_[unit * N * 0.2,
                                  unit * exc[:, :-1].mean(axis=0)] / 1e6, "theory")]
    settle(record_property, "Performance pay and the annuity follow the grades",
           "Performance pay is paid by the multiplier of the year's assessment grade (leavers before the "
           "assessment at the leaver's multiplier), and an annuity for workers rated excellent follows last "
           "year's grade: identities given the grades reported.",
           r"performance $= 12 \cdot 0.3 \cdot 5000\,(1.5\,n_{exc} + n_{qual} + 0.5\,n_{basic} + 0.4\,"
           r"\mathrm{wy}_{leavers})$; annuity$_k = 0.05 \cdot 12 \cdot 5000\,n_{exc,k-1}$.",
           "tests/theory/closed_cohort.toml with dismissal off, 70% base pay, grade shares 0.2 / 0.6 / "
           "0.15 / 0.05, an annuity for the excellent; without and with quits (0.10), 20 replications each, "
           "seed 1515.",
           checks, plot)


# --------------------------------------------------------------------------- training cycles

@pytest.mark.parametrize("capacity", [0, 450], ids=["no-limit", "capacity-450"])
def test_training_cycle_by_post(capacity, record_property):
    """Heads are trained every year, committee members every 2 years, staff every 2.5 (so 3)
    years: exact counts and cost in a cohort hired on one day.

    tests/theory/training_cycle.toml: 1,000 workers all hired on 1 January 2025, 100 heads,
    200 committee members and 700 staff, no exit, no election. model/policies/training.py: a
    worker in post p is trained in year y when the whole years since their first training
    date after hire (training on 1 January: the hire year) are a multiple of interval[p]
    rounded up to whole years (2.5 -> 3). Here those years are k = y - 2025 for everyone, so
    the year's trainees are exactly C [heads] + 2C [k even] + 7C [k a multiple of 3] with C =
    100 communities, and with a capacity (450) the smaller of that and the capacity (heads,
    then committee members, then staff fill it). The cost is trainees x 1,500 yuan. Two
    replications, seed 1313 (nothing here may vary). All identities.
    """
    sc = scenario("training_cycle", {"training.capacity": capacity} if capacity else None)
    res = simulate(sc, reps=2, seed=1313)
    C = sc.demand.communities
    heads, committee = sc.population.heads_per_community, sc.population.committee_per_community
    staff = const(sc, "demand.posts_per_community") - heads - committee
    interval = np.ceil(vec(sc, "training.interval")).astype(int)     # staff, committee, head
    k = np.arange(sc.years)
    due = C * (staff * (k % interval[0] == 0) + committee * (k % interval[1] == 0)
               + heads * (k % interval[2] == 0))
    want = np.minimum(due, capacity) if capacity else due
    cost = const(sc, "training.cost_per_trainee")
    trained = col(res, "trained")
    rule = "min(due, capacity)" if capacity else "those due"
    checks = [exact_check(f"trainees each year = {rule}, due = {C * heads} heads + {C * committee} "
                          f"committee [k even] + {int(C * staff)} staff [k multiple of 3]",
                          np.abs(trained - want).max(), 0),
              exact_check(f"training cost = trainees x {cost:g} (relative)",
                          relative_error(col(res, "cost_training"), cost * want)),
              exact_check("nobody leaves", np.abs(col(res, "exits_total")).max(), 0)]
    plot = {"type": "line", "xlabel": "year", "ylabel": "workers trained",
            "x": [int(v) for v in sc.year_list],
            "series": [series("simulated", trained.mean(axis=0), "simulated"),
                       series("heads every year, committee every 2, staff every 3"
                              + (f" (capacity {capacity})" if capacity else ""), want, "theory")]}
    label = f"capacity {capacity}" if capacity else "no capacity limit"
    settle(record_property, f"Training cycles by post ({label})",
           "Heads trained every year, committee members every 2 years and staff every 2.5 years (counted "
           "as 3): in a cohort hired on one day, the trainees and the training cost of each year are exact"
           + (", the capacity taking the smaller number." if capacity else "."),
           r"trained$_k = C\,[1] + 2C\,[k \equiv 0 \bmod 2] + 7C\,[k \equiv 0 \bmod 3]$"
           + (f", at most {capacity}" if capacity else "") + "; cost = 1500 × trained.",
           f"tests/theory/training_cycle.toml ({label}), {res.reps} replications, seed {res.seed}.",
           checks, plot)


# --------------------------------------------------------------------------- staffing rules

DEMAND_CASES = {
    # the file as it is: one post per 250 households, 3% growth, communities split above 4,600
    "households": {},
    # 18 posts per 10,000 urban residents over the city; communities (3,846 households each)
    # split above 3,800 households in the start year
    "per_10k": {"demand.rule": "per_10k", "demand.per_10k": 18.0, "demand.persons_per_household": 2.6,
                "demand.split_above": 3800.0},
    # Jilin's size band: 12 posts up to 3,000 households, one more per full 400 beyond, at least 13 a
    # community; residents falling 4% a year; communities below 3,000 households merge
    "size_band": {"demand.rule": "size_band", "demand.band_limit": 3000.0, "demand.band_base": 12,
                  "demand.band_step": 400.0, "demand.min_posts": 13, "demand.residents_growth": -0.04,
                  "demand.split_above": 0.0, "demand.merge_below": 3000.0},
}


def staffing_by_hand(rule: str, sc, years: int):
    """Posts, communities, splits and merges each year, by hand from model/policies/demand.py's
    docstring: households = residents / persons per household, shared equally by the C
    communities (no spread); residents grow by residents_growth a year from the second year;
    on 1 January every community above split_above splits in two equal halves (at most once a
    year) and, with every community equal and below merge_below, they merge in pairs (one
    into the smallest other: n / 2 merges for n even, the case here); then posts by the rule,
    rounded half up, at least min_posts. Also returns the distance of every rounded quantity
    from its rounding boundary (so that rounding error cannot decide the answer)."""
    residents = sc.demand.urban_residents
    pph, growth = const(sc, "demand.persons_per_household"), const(sc, "demand.residents_growth")
    split, merge = sc.demand.split_above, sc.demand.merge_below
    n = sc.demand.communities
    posts, comms, splits, merges, margins = [], [], [], [], []
    for k in range(years):
        if k:
            residents *= 1 + growth
        h = residents / pph / n
        s = m = 0
        if split > 0 and h > split:
            s, n, h = n, 2 * n, h / 2
        if merge > 0 and h < merge:
            assert n % 2 == 0 and 2 * h >= merge, "by hand only for pairs that merge once"
            m, n, h = n // 2, n // 2, 2 * h
        if rule == "households":
            x = h / const(sc, "demand.households_per_post")
            p = n * int(np.floor(x + 0.5))
            margins.append(abs(x - np.floor(x) - 0.5))
        elif rule == "per_10k":
            x = const(sc, "demand.per_10k") * residents / 1e4
            p = int(np.floor(x + 0.5))
            margins.append(abs(x - np.floor(x) - 0.5))
        else:
            extra = (h - const(sc, "demand.band_limit")) / const(sc, "demand.band_step")
            p = n * max(int(const(sc, "demand.band_base")) + int(np.floor(max(extra, 0.0))),
                        int(const(sc, "demand.min_posts")))
            margins.append(abs(extra - np.round(extra)) if extra > 0 else 1.0)
        posts.append(p)
        comms.append(n)
        splits.append(s)
        merges.append(m)
    return (np.array(posts), np.array(comms), np.array(splits), np.array(merges), min(margins))


@pytest.mark.parametrize("rule", list(DEMAND_CASES))
def test_posts_follow_the_staffing_rule(rule, record_property):
    """Posts each year under a staffing rule as households change, with communities
    splitting above and merging below their bounds: identities worked out by hand.

    tests/theory/demand_growth.toml: 1,000,000 urban residents in 100 equal communities (no
    spread), growing 3% a year. ``households``: one post per 250 households in each community,
    rounded half up (16 at the start), and a community above 4,600 households splits in two
    on 1 January (all of them in 2030, to 2,318.5 households and 9 posts each). ``per_10k``:
    18 posts per 10,000 urban residents for the city, rounded half up (the total is that
    whatever the spread over communities), the communities (3,846 households at 2.6 a
    household) split in the start year above 3,800. ``size_band`` (Jilin): 12 posts up to
    3,000 households and one more per full 400 beyond, at least 13 a community (14, 14, 13, 13,
    then the floor of 13 from 2029), with residents falling 4% a year, so that communities fall
    below 3,000 households in 2033 and merge in pairs (50 merges, 50 communities of 5,771
    households, 18 posts each). ``staffing_by_hand``
    gives each year's posts, communities, splits and merges. One replication, seed 1414
    (nothing here is drawn). Identities: posts, communities, splits and merges each year, and
    the urban residents reported; the test also asserts that no rounded quantity lies within
    1e-6 of where it would round the other way, so rounding error cannot decide the answer.
    """
    sc = scenario("demand_growth", DEMAND_CASES[rule] or None)
    res = simulate(sc, reps=1, seed=1414)
    posts, comms, splits, merges, margin = staffing_by_hand(rule, sc, sc.years)
    assert margin > 1e-6, "a rounding boundary too close to decide by hand"
    assert splits.any() or merges.any(), "the case should split or merge communities"
    residents = sc.demand.urban_residents * (1 + const(sc, "demand.residents_growth")) ** np.arange(sc.years)
    def gap(metric, want):
        return np.abs(col(res, metric) - want).max()

    checks = [exact_check("posts each year", gap("posts", posts), 0),
              exact_check("communities each year", gap("communities", comms), 0),
              exact_check("communities split each year", gap("communities_split", splits), 0),
              exact_check("communities merged each year", gap("communities_merged", merges), 0),
              exact_check("urban residents (relative)",
                          relative_error(col(res, "urban_residents"), residents))]
    plot = {"type": "line", "xlabel": "year", "ylabel": "posts / communities",
            "x": [int(v) for v in sc.year_list],
            "series": [series("posts: simulated", col(res, "posts")[0], "simulated"),
                       series("posts: by hand", posts, "theory"),
                       series("communities: simulated", col(res, "communities")[0], "simulated"),
                       series("communities: by hand", comms, "theory")]}
    what = {"households": "one post per 250 households, communities splitting above 4,600",
            "per_10k": "18 posts per 10,000 urban residents, communities splitting in the start year",
            "size_band": "12 posts up to 3,000 households and one per 400 beyond (at least 13), communities "
                         "merging below 3,000"}[rule]
    settle(record_property, f"Posts under the staffing rule ({rule})",
           f"As residents change by a fixed rate, the posts of each year under the staffing rule ({what}) "
           "and the communities splitting or merging at their bounds are exactly those worked out by hand.",
           {"households": r"posts $= C \cdot \mathrm{round}(H_k / C / 250)$, "
                          r"$H_k = 400{,}000 \times 1.03^k$; $C \to 2C$ when $H_k / C > 4600$.",
            "per_10k": r"posts $= \mathrm{round}(18 R_k / 10^4)$, $R_k = 10^6 \times 1.03^k$.",
            "size_band": r"posts $= C \max(12 + \lfloor (h - 3000) / 400 \rfloor, 13)$, $h = H_k / C$, "
                         r"$H_k = 400{,}000 \times 0.96^k$; $C \to C/2$ when $h < 3000$."}[rule],
           f"tests/theory/demand_growth.toml ({rule}), {res.reps} replication, seed {res.seed}.",
           checks, plot)


# --------------------------------------------------------------------------- degrees in service

def test_degrees_in_service_follow_a_markov_chain(record_property):
    """Degrees earned in service: each year a worker below college earns a college diploma
    with probability a, one at college a bachelor's with b, at most one level a year, so a
    worker's level is a Markov chain on {below college, college, bachelor}; a degree moves
    the grade up by the entry grades' difference.

    tests/theory/degrees_cohort.toml: N = 1,000 workers all below college, nothing else
    happening (no exit, hire, exam or grade step), a = 0.2, b = 0.1. After k years the
    shares at each level are the first row of P^k, P = [[1-a, a, 0], [0, 1-b, b], [0, 0, 1]].
    The engine reports the college share (levels 1 and 2) and the degrees of each year
    (degrees_earned); together they give each level's count (level 2 = all degrees so far -
    those at level 1 or above). Checks: a chi-square of the three counts, pooled over the
    replications (multinomial over N x reps workers, 2 df), each year (10 checks; family
    false alarm 1e-4); and an identity in every replication and year: everyone starts new and
    uncertified at the entry grade of their level (1, 3, 4), and each degree moves them to the
    next level's, so the mean grade is (1 n_0 + 3 n_1 + 4 n_2) / N.
    40 replications, seed 1717.
    """
    sc = scenario("degrees_cohort")
    res = simulate(sc, reps=40, seed=1717)
    a, b = vec(sc, "degrees.rate")[:2]
    N = int(col(res, "headcount")[0, 0])
    college = np.rint(col(res, "college_share") * N).astype(np.int64)      # levels 1 and 2
    earned = np.cumsum(np.rint(col(res, "degrees_earned")).astype(np.int64), axis=1)
    second = earned - college                                              # level 2
    counts = np.stack([N - college, college - second, second], axis=-1)    # (reps, years, level)
    P = np.array([[1 - a, a, 0.0], [0.0, 1 - b, b], [0.0, 0.0, 1.0]])
    shares = np.array([np.linalg.matrix_power(P, k)[0] for k in range(1, sc.years + 1)])
    pooled = counts.sum(axis=0)
    checks = [chisq_check(f"workers by level after {k} years ~ Multinomial(N x reps, row 1 of P^{k})",
                          pooled[k - 1], shares[k - 1]) for k in range(1, sc.years + 1)]
    entry = vec(sc, "grades.entry_grade")  # everyone starts new, uncertified, at their level's entry grade
    want = (counts * entry[:3]).sum(axis=-1) / N
    checks.append(exact_check("mean grade each year = (1 x below college + 3 x college + 4 x bachelor's) / N",
                              np.abs(col(res, "mean_grade") - want).max()))
    checks.append(exact_check("nobody leaves and nobody is hired",
                              np.abs(col(res, "headcount") - N).max() + np.abs(col(res, "hires")).max(), 0))
    total = N * res.reps
    k = np.arange(1, sc.years + 1)
    plot = {"type": "line", "xlabel": "years in the cohort (k)", "ylabel": "share of the cohort",
            "x": [int(v) for v in k],
            "series": [series("college or above: simulated (± 2 se)", pooled[:, 1:].sum(axis=1) / total,
                              "simulated", 2 * np.sqrt(shares[:, 1:].sum(axis=1)
                                                       * (1 - shares[:, 1:].sum(axis=1)) / total)),
                       series("college or above: 1 − (1 − a)^k", shares[:, 1:].sum(axis=1), "theory"),
                       series("bachelor's: simulated", pooled[:, 2] / total, "simulated"),
                       series("bachelor's: row 1 of P^k", shares[:, 2], "theory")]}
    settle(record_property, "Degrees in service: a Markov chain over the education levels",
           "Workers below college earn a college diploma with probability 0.2 a year and those at college "
           "a bachelor's with 0.1, one level a year at most: the counts at each level follow the chain's "
           "law, and each degree moves the grade by the entry grades' difference.",
           r"level shares after $k$ years: row 1 of $P^k$, "
           r"$P = \begin{pmatrix}1-a & a & 0\\ 0 & 1-b & b\\ 0 & 0 & 1\end{pmatrix}$, $a = 0.2$, $b = 0.1$.",
           f"tests/theory/degrees_cohort.toml, {res.reps} replications, seed {res.seed}.", checks, plot)
