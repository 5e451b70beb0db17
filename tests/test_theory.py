"""The engine against theory: laws derived by hand from the rules, checked at fixed seeds.

Issue 10 item 1 and issue 2 item 7. Each test runs a small scenario from
``tests/theory/`` (each extends ``scenarios/bench.toml`` and switches mechanisms off)
and compares what the engine reports with an answer derived from the rules as the
engine implements them (``model/engine.py``, ``model/policies/*.py``):

* time is in years; a quit happens with annual probability ``q`` at a uniform instant
  in the year; the assessment and its dismissals come at the very end of 31 December
  (a worker dismissed then is paid the whole year); the exam is on 30 June and a pass
  earns the allowance from then; pay accrues pro rata to the day.

Tolerances come from the Monte Carlo error, never from trial and error:

* every check yields a p-value: exact tests from ``scipy.stats`` (``binomtest``,
  ``chisquare``), or a z-check ``z = (estimate - expected) / se`` whose standard error
  ``se`` is derived from the model's own law (binomial counts, sums of independent
  posts), with the two-sided normal p-value ``2 * (1 - Phi(|z|))``;
* each test function is a family of ``m`` checks with a family-wise false-alarm rate of
  ``FAMILY_ALPHA = 1e-4`` (Bonferroni): a check fails when its p-value is below
  ``1e-4 / m``, i.e. a z-check fails when ``|z| > k_m = Phi^-1(1 - 0.5e-4 / m)``
  (``k_1 = 3.89``, ``k_10 = 4.42``). With the seeds fixed a correct engine passes or
  fails deterministically; the rate says how likely a correct engine is to fail at a
  new seed or after a change that reshuffles the draws (about 1e-3 for the whole file).

Every test records what it checked with pytest's ``record_property("validation", ...)``;
``docs/make_validation.py`` runs this file and turns the records into
``docs/validation.md`` and its figures.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy import stats

import model

pytestmark = pytest.mark.slow  # statistical checks: seconds, run by default

THEORY = Path(__file__).resolve().parent / "theory"
FAMILY_ALPHA = 1e-4


# --------------------------------------------------------------------------- helpers

def scenario(name: str, overrides: dict | None = None):
    sc = model.load(THEORY / f"{name}.toml")
    return sc.with_overrides(overrides) if overrides else sc


def simulate(sc, reps: int, seed: int):
    return model.run(sc, reps=reps, seed=seed, workers=1, quiet=True)


def const(sc, path: str) -> float:
    """A constant scalar parameter of ``sc`` (the first element of a vector)."""
    return float(np.ravel(sc.get(path).central())[0])


def col(res, metric: str) -> np.ndarray:
    """Values of ``metric``, shape (replications, years)."""
    return res.values[:, :, res.metrics.index(metric)]


def count(res, share_metric: str) -> np.ndarray:
    """A stock as a whole number of workers: share x headcount."""
    return np.rint(col(res, share_metric) * col(res, "headcount")).astype(np.int64)


def z_check(name: str, observed: float, expected: float, se: float) -> dict:
    """A normal check of an estimate against its expected value, ``se`` from theory."""
    z = (observed - expected) / se
    return {"name": name, "kind": "z", "observed": float(observed), "expected": float(expected),
            "se": float(se), "z": float(z), "p": float(2 * stats.norm.sf(abs(z)))}


def p_check(name: str, test: str, p: float, statistic: float | None = None, **info) -> dict:
    """An exact test from scipy.stats, reported by its p-value."""
    out = {"name": name, "kind": "p", "test": test, "p": float(p)}
    if statistic is not None:
        out["statistic"] = float(statistic)
    out.update({k: (float(v) if isinstance(v, (int, float, np.number)) else v) for k, v in info.items()})
    return out


def exact_check(name: str, max_error: float, tol: float = 1e-9) -> dict:
    """A deterministic identity: holds to rounding error or not at all."""
    return {"name": name, "kind": "exact", "max_error": float(max_error), "tol": tol,
            "ok": bool(max_error <= tol)}


def binom_check(name: str, successes: int, trials: int, p: float) -> dict:
    if int(trials) == 0:  # nothing to test: the setting failed (e.g. everyone already gone)
        return p_check(name, "binomtest", 0.0, observed=float("nan"), expected=p, successes=0, trials=0)
    r = stats.binomtest(int(successes), int(trials), p)
    return p_check(name, "binomtest", r.pvalue, observed=successes / trials, expected=p,
                   successes=int(successes), trials=int(trials))


def variance_check(name: str, x, sigma2: float) -> dict:
    """Two-sided chi-square test that the sample variance of ``x`` (independent, close to
    normal) is ``sigma2``: (n - 1) s^2 / sigma2 ~ chi-square(n - 1)."""
    x = np.asarray(x, dtype=float)
    n = len(x)
    stat = (n - 1) * x.var(ddof=1) / sigma2
    p = 2 * min(stats.chi2.cdf(stat, n - 1), stats.chi2.sf(stat, n - 1))
    return p_check(name, "chi-square variance", p, stat, df=n - 1, observed=x.var(ddof=1), expected=sigma2)


def binomial_bins(n: int, p: float, bins: int) -> np.ndarray:
    """Upper edges of ``bins`` cells of Binomial(n, p) of roughly equal probability."""
    edges = np.unique(stats.binom.ppf(np.arange(1, bins) / bins, n, p).astype(np.int64))
    return np.r_[edges, n]


def chisq_check(name: str, observed, probs) -> dict:
    """Chi-square goodness of fit of counts to cell probabilities (no fitted parameters)."""
    observed = np.asarray(observed, dtype=float)
    probs = np.asarray(probs, dtype=float)
    impossible = probs == 0
    if observed[impossible].any():  # an outcome the law rules out: reject outright
        return p_check(name, "chi-square", 0.0, np.inf, df=int((~impossible).sum()) - 1)
    observed, probs = observed[~impossible], probs[~impossible]
    expected = observed.sum() * probs / probs.sum()
    assert expected.min() >= 5, "cells too small for the chi-square approximation"
    r = stats.chisquare(observed, expected)
    return p_check(name, "chi-square", r.pvalue, r.statistic, df=len(observed) - 1,
                   min_expected=expected.min())


def settle(record_property, title: str, what: str, theory: str, setup: str, checks: list,
           plot: dict) -> None:
    """Judge a family of checks (Bonferroni at FAMILY_ALPHA), record it, then assert."""
    stat = [c for c in checks if c["kind"] != "exact"]
    m = max(len(stat), 1)
    level = FAMILY_ALPHA / m
    for c in stat:
        c["level"] = level
        c["ok"] = bool(c["p"] > level)
        if c["kind"] == "z":
            c["k"] = float(stats.norm.isf(level / 2))
    record_property("validation", {
        "title": title, "what": what, "theory": theory, "setup": setup,
        "family_alpha": FAMILY_ALPHA, "checks": checks, "plot": plot,
        "passed": all(c["ok"] for c in checks)})
    bad = [c for c in checks if not c["ok"]]
    assert not bad, "failed: " + "; ".join(_describe(c) for c in bad)


def _describe(c: dict) -> str:
    if c["kind"] == "z":
        return (f"{c['name']}: observed {c['observed']:.6g}, expected {c['expected']:.6g}, "
                f"z = {c['z']:.2f} (|z| must be < {c['k']:.2f})")
    if c["kind"] == "p":
        return f"{c['name']}: {c['test']} p = {c['p']:.3g} < {c['level']:.2g}"
    return f"{c['name']}: max error {c['max_error']:.3g} > {c['tol']:.1g}"


def series(label: str, y, kind: str, err=None) -> dict:
    def floats(a):  # JSON-ready: NaN (no value) becomes None
        return [float(v) if np.isfinite(v) else None for v in np.asarray(a, dtype=float)]
    out = {"label": label, "y": floats(y), "kind": kind}
    if err is not None:
        out["err"] = floats(err)
    return out


# --------------------------------------------------------------------------- quits only

@pytest.fixture(scope="module")
def quits_only():
    sc = scenario("quits_only")
    return sc, simulate(sc, reps=100, seed=101)


def per_community_headcount(sc, res) -> np.ndarray:
    """Year-end headcount of every community (each is its own district), flattened."""
    return np.concatenate([col(res, f"headcount.{d.name}").ravel() for d in sc.districts]).astype(np.int64)


def binomial_headcount_checks(x: np.ndarray, Q: int, p: float, label: str) -> tuple[list, dict]:
    """Mean, variance and chi-square fit of counts ``x`` to Binomial(Q, p)."""
    n = len(x)
    k = np.arange(Q + 1)
    pmf = stats.binom.pmf(k, Q, p)
    mu, var = Q * p, Q * p * (1 - p)
    mu4 = float(pmf @ (k - mu) ** 4)
    # the lower tail is pooled into one bin until its expected count reaches 20
    low = int(np.argmax(stats.binom.cdf(k, Q, p) * n >= 20))
    obs = np.r_[(x <= low).sum(), [(x == j).sum() for j in range(low + 1, Q + 1)]]
    probs = np.r_[pmf[: low + 1].sum(), pmf[low + 1:]]
    checks = [
        z_check(f"{label}: mean headcount per community", x.mean(), mu, np.sqrt(var / n)),
        z_check(f"{label}: variance of headcount per community", x.var(ddof=1), var,
                np.sqrt((mu4 - var ** 2) / n)),
        chisq_check(f"{label}: distribution of headcount per community (bins <= {low}, "
                    + ", ".join(str(j) for j in range(low + 1, Q + 1)) + ")", obs, probs),
    ]
    emp = np.bincount(x, minlength=Q + 1) / n
    plot = {"type": "bar", "xlabel": "year-end headcount of one community",
            "ylabel": "share of community-years", "x": [int(v) for v in k],
            "series": [series("simulated", emp, "simulated"),
                       series(f"Binomial({Q}, {p:g})", pmf, "theory")]}
    return checks, plot


def test_quits_only_headcount_per_community_is_binomial(quits_only, record_property):
    """Quits only, refill to Q on 1 January: year-end headcount per community ~ Binomial(Q, 1 - q).

    Bench with exams, dismissals and retirement off (tests/theory/quits_only.toml):
    every community holds Q = 10 workers on 1 January; each quits independently with
    q = 0.08 during the year and nobody else enters before 31 December, so the count left
    is Binomial(10, 0.92), independently across communities and years (one quit rate for
    all tenures, fresh draws each year). Each community is its own district, so its
    headcount is a reported metric. 40 communities x 10 years x 100 replications
    = 40,000 draws, seed 101. Checks (m = 3, each at p > 1e-4 / 3, z-checks |z| < 4.15;
    family false alarm 1e-4): mean 9.2 with se sqrt(Q p (1-p) / n); sample variance
    0.736 with se sqrt((mu4 - sigma^4) / n) (mu4 the binomial's fourth central moment);
    chi-square goodness of fit on the counts (the lower tail pooled until its expected
    count reaches 20). Also exact: the city
    hires on 1 January exactly the posts left empty on 31 December.
    """
    sc, res = quits_only
    Q = int(const(sc, "demand.posts_per_community"))
    q = const(sc, "quits.rate")
    C = sc.demand.communities
    x = per_community_headcount(sc, res)
    checks, plot = binomial_headcount_checks(x, Q, 1 - q, "quits only")
    hires, head = col(res, "hires"), col(res, "headcount")
    refill_err = max(np.abs(hires[:, 1:] - (C * Q - head[:, :-1])).max(), np.abs(hires[:, 0]).max())
    checks.append(exact_check("hires on 1 January = posts empty on 31 December (none in the first year)",
                              refill_err))
    settle(record_property, "Quits only: year-end headcount per community is binomial",
           "With quits as the only exit and every community refilled to its quota Q on 1 January, "
           "each community's year-end headcount is Binomial(Q, 1 - q): its mean, variance and "
           "whole distribution.",
           r"$N_{c,y} \sim \mathrm{Binomial}(Q, 1-q)$, $Q = 10$, $q = 0.08$: mean 9.2, variance 0.736.",
           f"tests/theory/quits_only.toml ({C} one-community districts, {sc.years} years), "
           f"{res.reps} replications, seed {res.seed}; {len(x):,} community-years.",
           checks, plot)


def quit_slot_moments(q: float) -> tuple[float, float]:
    """E[f], E[f^2] of the fraction of a year worked by a worker present on 1 January.

    f = 1 with probability 1 - q, else the quit instant U ~ Uniform(0, 1).
    """
    return 1 - q / 2, (1 - q) + q / 3


def test_quits_only_payroll_follows_from_uniform_quit_times(quits_only, record_property):
    """E[payroll] = 12 x pay x (Q C) x (1 - q/2), with the certificate allowance by year.

    Same run as the binomial test (bench, exams/dismissals/retirement off; 400 posts,
    100 replications, seed 101). Each post is an independent process: its holder on
    1 January works the whole year with probability 1 - q, else until a uniform instant
    (E f = 1 - q/2, E f^2 = 1 - q + q/3) and is paid 12 x (5000 + 200 c) a year pro rata,
    where c = 1 if certified. Exams are off, so the holder in year y (y = 0, 1, ...) is
    certified with probability pi_y = 0.4 x 0.92^y + 0.2 x (1 - 0.92^y) (an original
    worker still there, certified with 0.4, or a hire, certified with 0.2), independently
    of quitting. Hence per year E[payroll] = QC x E[w] x E[f] with w = 12 (5000 + 200 c)
    and Var = QC (E[w^2] E[f^2] - E[w]^2 E[f]^2), exact. Checks (m = 11, z-checks at
    |z| < 4.44; family false alarm 1e-4): the mean payroll in each of the 10 years, and
    the mean worker-years per year pooled over years, E = QC (1 - q/2).
    """
    sc, res = quits_only
    Q = int(const(sc, "demand.posts_per_community"))
    C = sc.demand.communities
    q = const(sc, "quits.rate")
    pay = const(sc, "pay.monthly")
    allow = float(np.asarray(sc.get("pay.allowance").central())[1])
    c0 = float(np.asarray(sc.get("population.certificate").central())[1:].sum())
    ch = float(np.asarray(sc.get("recruitment.certificate").central())[1:].sum())
    n = Q * C
    R = res.reps
    Ef, Ef2 = quit_slot_moments(q)
    years = np.arange(sc.years)
    pi = c0 * (1 - q) ** years + ch * (1 - (1 - q) ** years)
    Ew = 12 * (pay + allow * pi)
    Ew2 = 144 * ((1 - pi) * pay ** 2 + pi * (pay + allow) ** 2)
    mean = n * Ew * Ef
    var = n * (Ew2 * Ef2 - (Ew * Ef) ** 2)
    payroll = col(res, "payroll")
    checks = [z_check(f"mean payroll, year {sc.start_year + y}", payroll[:, y].mean(), mean[y],
                      np.sqrt(var[y] / R)) for y in years]
    wy = col(res, "worker_years")
    checks.append(z_check("mean worker-years per year (all years)", wy.mean(), n * Ef,
                          np.sqrt(n * (Ef2 - Ef ** 2) / wy.size)))
    se = np.sqrt(var / R)
    plot = {"type": "line", "xlabel": "year", "ylabel": "payroll, million yuan / year",
            "x": [int(v) for v in sc.year_list],
            "series": [series("simulated mean (± 2 se)", payroll.mean(axis=0) / 1e6, "simulated",
                              2 * se / 1e6),
                       series("12 · pay · QC · (1 − q/2)", mean / 1e6, "theory")]}
    settle(record_property, "Quits only: payroll follows from uniform quit times",
           "With quits at a uniform instant in the year and pay accrued pro rata, the expected "
           "payroll is 12 × monthly pay × posts × (1 − q/2); the certificate allowance follows "
           "the certified share of the 1 January workforce.",
           r"$E[\mathrm{payroll}_y] = 12\,QC\,(1-q/2)\,(5000 + 200\,\pi_y)$, "
           r"$\pi_y = 0.4\cdot0.92^y + 0.2\,(1-0.92^y)$.",
           f"tests/theory/quits_only.toml, {R} replications, seed {res.seed}.", checks, plot)


def midyear_moments(q: float) -> tuple[float, float, float]:
    """A post refilled on 1 January and again on 1 July (recruitment = [0.0, 0.5]).

    Returns E[f], E[f^2] of the worker-years it is filled in the year, and the
    probability it is filled on 31 December. The 1 January holder quits with probability
    q at T ~ U(0, 1). If T < 1/2 (probability q/2) the post is refilled at 1/2 by a hire
    who quits only if their own instant falls after 1/2: with probability q/2, at
    T' ~ U(1/2, 1).
    """
    e_u2_hi = 7 / 12                    # E[U^2], U ~ U(1/2, 1)
    e_g = (1 - q / 2) * 0.5 + (q / 2) * 0.25          # second holder's time
    e_g2 = (1 - q / 2) * 0.25 + (q / 2) * (1 / 12)
    e_t, e_t2 = 0.25, 1 / 12            # T ~ U(0, 1/2)
    Ef = (1 - q) + (q / 2) * 0.75 + (q / 2) * (e_t + e_g)
    Ef2 = (1 - q) + (q / 2) * e_u2_hi + (q / 2) * (e_t2 + 2 * e_t * e_g + e_g2)
    filled = (1 - q) + (q / 2) * (1 - q / 2)
    return Ef, Ef2, filled


def test_midyear_recruitment_pro_rata(record_property):
    """A second recruitment round on 1 July: pro rata payroll, headcount and hires.

    tests/theory/quits_only.toml with calendar.recruitment = [0.0, 0.5] and no
    certificate allowance (pay = 5000 a month for all). Per post (independent), with
    q = 0.08: E[worker-years] = 1 - q/4 - q^2/16, P(filled on 31 Dec) = 1 - q/2 - q^2/4,
    and E[f^2] from the case split in ``midyear_moments``; mid-year hires are the quits
    before 1 July among the Q C holders on 1 January: Binomial(QC, q/2) each year. 40
    one-community districts x 10 years x 60 replications, seed 202. Checks (m = 6;
    p > 1.7e-5, z-checks |z| < 4.31; family false alarm 1e-4): mean worker-years and
    mean payroll (12 x 5000 x QC x E f) pooled over years with exact se; per-community
    year-end headcount ~ Binomial(10, 1 - q/2 - q^2/4) (mean, variance, chi-square);
    mid-year hires (hires minus the 1 January refill, which is exactly last year's empty
    posts) pooled, by binomtest against q/2.
    """
    sc = scenario("quits_only", {"calendar.recruitment": [0.0, 0.5], "pay.allowance": [0, 0, 0, 0]})
    res = simulate(sc, reps=60, seed=202)
    Q = int(const(sc, "demand.posts_per_community"))
    C = sc.demand.communities
    q = const(sc, "quits.rate")
    pay = const(sc, "pay.monthly")
    n = Q * C
    Ef, Ef2, filled = midyear_moments(q)
    wy, payroll = col(res, "worker_years"), col(res, "payroll")
    checks = [
        z_check("mean worker-years per year", wy.mean(), n * Ef, np.sqrt(n * (Ef2 - Ef ** 2) / wy.size)),
        z_check("mean payroll per year", payroll.mean(), 12 * pay * n * Ef,
                12 * pay * np.sqrt(n * (Ef2 - Ef ** 2) / payroll.size)),
    ]
    x = per_community_headcount(sc, res)
    hc_checks, plot = binomial_headcount_checks(x, Q, filled, "mid-year round")
    checks += hc_checks
    hires, head = col(res, "hires"), col(res, "headcount")
    mid = np.c_[hires[:, :1], hires[:, 1:] - (n - head[:, :-1])]
    checks.append(binom_check("mid-year hires = quits before 1 July, Binomial(QC, q/2)",
                              mid.sum(), n * mid.size, q / 2))
    settle(record_property, "Pro rata payroll with a mid-year recruitment round",
           "A second recruitment round on 1 July refills the posts of those who quit in the "
           "first half; the new hires quit only in the second half. Worker-years, payroll, "
           "year-end headcount per community and mid-year hires match the closed forms.",
           r"$E[f] = 1 - q/4 - q^2/16$ worker-years per post, "
           r"$P(\text{filled on 31 Dec}) = 1 - q/2 - q^2/4$, mid-year hires $\sim \mathrm{Binomial}(QC, q/2)$.",
           f"tests/theory/quits_only.toml with calendar.recruitment = [0.0, 0.5] and no allowance, "
           f"{res.reps} replications, seed {res.seed}.", checks, plot)


# --------------------------------------------------------------------------- exams

def test_exam_pass_counts_are_binomial(record_property):
    """Sitters ~ Binomial(eligible, s); passes ~ Binomial(sitters, p), p by training (tenure parity).

    tests/theory/exam_cohort.toml: a closed cohort of N = 1,000 workers, all of tenure 0
    and uncertified at the start, no entries or exits. In year k every worker has tenure
    k, so all are trained when k is even and none when k is odd (bench rule: trained when
    tenure on 1 January is even). An uncertified worker sits with s = 0.6 and passes with
    0.35 if trained, else 0.25; one uniform decides both, so given the eligible count E_k
    sitters are Binomial(E_k, s) and given sitters the passes are Binomial(sitters, p_k).
    E_k = N minus those certified by the end of year k-1. Pooled over 40 replications
    (conditionally binomial with a common p, so the sum is binomial too), seed 303.
    Checks (m = 16: sitters and passes for each of 8 years, binomtest p > 6.25e-6;
    family false alarm 1e-4). Exact: ``trained`` is N in even years and 0 in odd ones;
    the allowance is paid pro rata from the exam date: payroll_allowance =
    12 x 200 x (certified at the start of the year + passes / 2).
    """
    sc = scenario("exam_cohort")
    res = simulate(sc, reps=40, seed=303)
    N = int(col(res, "headcount")[0, 0])
    s = const(sc, "certification.sit_prob")
    p0, bonus = const(sc, "certification.pass_prob"), const(sc, "certification.trained_bonus")
    allow = float(np.asarray(sc.get("pay.allowance").central())[1])
    years = np.arange(sc.years)
    trained_year = years % 2 == 0
    p = p0 + bonus * trained_year
    cert = col(res, "certified_share") * N
    cert_before = np.c_[np.zeros(res.reps), cert[:, :-1]]
    eligible = np.rint(N - cert_before).astype(np.int64)
    sitters, passes = col(res, "exam_sitters").astype(np.int64), col(res, "exam_passes").astype(np.int64)
    checks = []
    for k in years:
        yr = sc.start_year + k
        checks.append(binom_check(f"sitters among eligible, {yr}", sitters[:, k].sum(), eligible[:, k].sum(), s))
        checks.append(binom_check(f"passes among sitters, {yr} ({'trained' if trained_year[k] else 'untrained'}, "
                                  f"p = {p[k]:.2f})", passes[:, k].sum(), sitters[:, k].sum(), p[k]))
    trained = col(res, "trained")
    checks.append(exact_check("trained = N in even years of tenure, 0 in odd years",
                              np.abs(trained - N * trained_year).max()))
    expected_allow = 12 * allow * (cert_before + passes / 2)
    checks.append(exact_check("allowance paid from the exam date: 12 x 200 x (certified before + passes / 2)",
                              np.abs(col(res, "payroll_allowance") - expected_allow).max() / expected_allow.max()))
    rate = passes.sum(axis=0) / sitters.sum(axis=0)
    se = np.sqrt(p * (1 - p) / sitters.sum(axis=0))
    plot = {"type": "line", "xlabel": "year", "ylabel": "passes / sitters",
            "x": [int(v) for v in sc.year_list],
            "series": [series("simulated (± 2 se)", rate, "simulated", 2 * se),
                       series("0.35 trained (even tenure), 0.25 untrained", p, "theory")]}
    settle(record_property, "Exam pass counts are binomial",
           "Sitters are binomial among the eligible and passes binomial among sitters, with the "
           "pass probability raised in the years a worker is trained (even tenure). The "
           "certificate allowance starts on the exam date.",
           r"$\mathrm{sitters}_k \sim \mathrm{Bin}(E_k, 0.6)$, $\mathrm{passes}_k \sim "
           r"\mathrm{Bin}(\mathrm{sitters}_k, p_k)$, $p_k = 0.35$ ($k$ even), $0.25$ ($k$ odd).",
           f"tests/theory/exam_cohort.toml, {res.reps} replications, seed {res.seed}.", checks, plot)


def test_time_to_certificate_is_geometric(record_property):
    """Share certified after k years = 1 - (1 - p)^k; year of the certificate ~ Geometric(p).

    tests/theory/exam_cohort.toml with training off and sit_prob = 1: every uncertified
    worker passes each year with p = 0.25, independently across years, and nobody enters
    or leaves. So the year of the certificate is Geometric(p) and the share certified
    after k years is 1 - (1 - p)^k. N = 1,000 workers x 40 replications = 40,000
    workers, seed 404, 8 years. Checks (m = 9, p > 1.1e-5; family false alarm 1e-4):
    a chi-square goodness of fit of the year of the certificate (years 1..8, or not yet:
    9 cells, 8 df; the per-year pass counts summed over replications), and a binomtest
    of the certified count after each k = 1..8 years against 1 - (1 - p)^k.
    """
    sc = scenario("exam_cohort", {"training.enabled": False, "certification.sit_prob": 1.0})
    res = simulate(sc, reps=40, seed=404)
    N = int(col(res, "headcount")[0, 0])
    p = const(sc, "certification.pass_prob")
    K = sc.years
    k = np.arange(1, K + 1)
    total = N * res.reps
    passes = col(res, "exam_passes").sum(axis=0)
    cells = np.r_[passes, total - passes.sum()]
    probs = np.r_[p * (1 - p) ** (k - 1), (1 - p) ** K]
    checks = [chisq_check("year of the certificate ~ Geometric(p), censored after 8 years", cells, probs)]
    certified = np.rint(col(res, "certified_share") * N).astype(np.int64).sum(axis=0)
    theory = 1 - (1 - p) ** k
    for j in range(K):
        checks.append(binom_check(f"certified after {k[j]} years", certified[j], total, theory[j]))
    share = certified / total
    plot = {"type": "line", "xlabel": "years in the cohort (k)", "ylabel": "share certified",
            "x": [int(v) for v in k],
            "series": [series("simulated (± 2 se)", share, "simulated", 2 * np.sqrt(theory * (1 - theory) / total)),
                       series("1 − (1 − p)^k, p = 0.25", theory, "theory")]}
    settle(record_property, "Time to certificate is geometric",
           "In a cohort without exits that passes with the same probability every year, the "
           "year of the certificate is geometric and the share certified after k years is "
           "1 − (1 − p)^k.",
           r"$P(\text{certified in year } j) = p(1-p)^{j-1}$; share after $k$ years $= 1-(1-p)^k$, $p = 0.25$.",
           f"tests/theory/exam_cohort.toml with training off and sit_prob = 1, {res.reps} replications, "
           f"seed {res.seed}.", checks, plot)


# --------------------------------------------------------------------------- competing risks

def competing_risks_cells(q: float, d: float, years: int, consecutive: int):
    """Cell probabilities of a worker's fate in a closed cohort.

    Each year: quit with probability q at a uniform instant; if still there at the end
    of 31 December, rated unqualified with probability d; dismissed when the run of
    unqualified years reaches ``consecutive`` (state = current run, starting at 0).

    Returns (quit[k], dismissed[k], survived all years, survival at the start of each year).
    """
    state = np.zeros(consecutive)
    state[0] = 1.0
    quit, dis, alive = np.zeros(years), np.zeros(years), np.zeros(years)
    for k in range(years):
        alive[k] = state.sum()
        quit[k] = q * state.sum()
        stay = (1 - q) * state
        dis[k] = d * stay[-1]
        nxt = np.zeros(consecutive)
        nxt[0] = (1 - d) * stay.sum()
        nxt[1:] += d * stay[:-1]
        state = nxt
    return quit, dis, state.sum(), alive


@pytest.mark.parametrize("consecutive", [1, 2], ids=["constant-hazard", "two-consecutive"])
def test_closed_cohort_competing_risks(consecutive, record_property):
    """Survival curve and exit causes of a closed cohort under quits and dismissals.

    tests/theory/closed_cohort.toml: N = 1,000 workers, no recruitment, quits with
    q = 0.10 a year at a uniform instant, rated unqualified with d = 0.07 at the very end
    of 31 December and dismissed then (``consecutive = 1``: a constant hazard; or after
    two consecutive unqualified years, the bench rule, a two-state Markov chain). With
    one rule a worker present on 1 January of year k quits in it with probability q,
    is dismissed at its end with (1 - q) d and survives with (1 - q)(1 - d), so
    S(k) = ((1 - q)(1 - d))^k and, in the long run, the share of exits that are quits is
    q / (q + (1 - q) d); with two consecutive the same chain is run on the run length.
    Workers are independent, so the fates of the N x 40 = 40,000 workers pooled over
    replications (seed 505 + consecutive) are multinomial over the cells (quit in year k,
    dismissed at the end of year k, k = 1..10, or still there): chi-square goodness of
    fit, 20 df. Also: given the number of exits, quits are Binomial(exits, q / (q + (1-q) d))
    (constant hazard only); and worker-years in year k, given the n_k present on
    1 January, have mean n_k (1 - q/2) (quitters leave at a uniform instant, the dismissed
    are paid the whole year) and variance n_k Var(f), pooled over years as a martingale
    sum. m = 3 (constant hazard) or 2, each at p > 1e-4 / m; family false alarm 1e-4.
    """
    sc = scenario("closed_cohort", {"dismissal.consecutive_unqualified": consecutive})
    res = simulate(sc, reps=40, seed=505 + consecutive)
    q = const(sc, "quits.rate")
    d = float(np.asarray(sc.get("assessment.shares").central())[3])
    K = sc.years
    N = int(sc.demand.communities * const(sc, "demand.posts_per_community"))
    quit_p, dis_p, surv_p, alive_p = competing_risks_cells(q, d, K, consecutive)
    quits, dis = col(res, "exits_quit").sum(axis=0), col(res, "exits_dismissed_assessment").sum(axis=0)
    head = col(res, "headcount")
    total = N * res.reps
    survivors = head[:, -1].sum()
    cells = np.r_[quits, dis, survivors]
    checks = [chisq_check("fate of each worker: quit in year k / dismissed at the end of year k / still there",
                          cells, np.r_[quit_p, dis_p, surv_p])]
    other_exits = sum(col(res, m).sum() for m in res.metrics
                      if m.startswith("exits_") and m not in ("exits_quit", "exits_dismissed_assessment",
                                                               "exits_total"))
    checks.append(exact_check("no other exit cause occurs", other_exits))
    if consecutive == 1:
        share = q / (q + (1 - q) * d)
        checks.append(binom_check("quits among exits ~ Binomial(exits, q / (q + (1 - q) d))",
                                  quits.sum(), quits.sum() + dis.sum(), share))
    present = np.c_[np.full(res.reps, N), head[:, :-1]]
    Ef, Ef2 = quit_slot_moments(q)
    wy = col(res, "worker_years")
    checks.append(z_check("worker-years: quits at a uniform instant, dismissals paid the whole year",
                          wy.sum(), Ef * present.sum(), np.sqrt((Ef2 - Ef ** 2) * present.sum())))
    surv_sim = np.r_[1.0, head.sum(axis=0) / total]
    surv_th = np.r_[alive_p, surv_p]
    plot = {"type": "line", "xlabel": "years since the start", "ylabel": "share of the starting cohort",
            "x": list(range(K + 1)),
            "series": [series("still employed: simulated (± 2 se)", surv_sim, "simulated",
                              2 * np.sqrt(surv_th * (1 - surv_th) / total)),
                       series("still employed: formula", surv_th, "theory"),
                       series("quit by then: simulated", np.r_[0, np.cumsum(quits)] / total, "simulated"),
                       series("quit by then: formula", np.r_[0, np.cumsum(quit_p)], "theory"),
                       series("dismissed by then: simulated", np.r_[0, np.cumsum(dis)] / total, "simulated"),
                       series("dismissed by then: formula", np.r_[0, np.cumsum(dis_p)], "theory")]}
    rule = "dismissed at the first unqualified year" if consecutive == 1 else "dismissed after two consecutive unqualified years"
    settle(record_property, f"Closed cohort, competing risks ({rule})",
           "A closed cohort exposed to quits at a uniform instant (q = 0.10 a year) and year-end "
           f"dismissal ({rule}, unqualified with d = 0.07): the survival curve, the exit causes by year "
           "and the worker-years match the competing-risks formulas.",
           (r"$S(k) = ((1-q)(1-d))^k$; quits in year $k$: $S(k)\,q$; dismissals: $S(k)(1-q)d$."
            if consecutive == 1 else
            r"Run length $r \in \{0,1\}$: quit $q$; if still there, unqualified with $d$: "
            r"$r{=}1 \to$ dismissed, $r{=}0 \to r{=}1$; qualified $\to r{=}0$."),
           f"tests/theory/closed_cohort.toml with dismissal.consecutive_unqualified = {consecutive}, "
           f"{res.reps} replications, seed {res.seed}.", checks, plot)


def test_retirement_on_birthdays_is_pro_rata(record_property):
    """Retirement at 60 on a uniform birthday: who retires when, and pay up to the birthday.

    tests/theory/closed_cohort.toml with quits, assessment and dismissal off and
    retirement on (bench rule: retire at 60 on the birthday, day d uniform on 1..365, at
    y + d/365; age is as of 1 January in whole years and uniform on 22..55 at the start). A worker aged
    a on 1 January of the start year retires in simulated year k = 59 - a: so nobody in
    years 0-3, then each year k = 4..9 the cohort aged 55 - (k - 4), probability 1/34
    each; the rest stay. Workers are independent, so the fates of the N x 30 = 30,000
    workers (seed 707) are multinomial: chi-square goodness of fit over the cells
    retired in year k (k = 4..9) or still there (7 cells, 6 df); cells of years 0-3 must
    be empty. Given the m_k retirements of year k, the worker-years of year k are
    n_k - sum (1 - d_i / 365) with E[d / 365] = 182 / 365 and Var = (365^2 - 1) / 12 / 365^2:
    a z-check pooled over years and replications. m = 2, each at p > 5e-5 (|z| < 4.06);
    family false alarm 1e-4.
    """
    sc = scenario("closed_cohort", {"quits.enabled": False, "assessment.enabled": False,
                                    "dismissal.enabled": False, "retirement.enabled": True})
    res = simulate(sc, reps=30, seed=707)
    N = int(sc.demand.communities * const(sc, "demand.posts_per_community"))
    (lo, hi, _), = sc.population.age
    age_retire = int(sc.retirement.age_men)
    assert sc.retirement.age_women == age_retire and sc.retirement.rule == "fixed"
    K = sc.years
    ages = np.arange(lo, hi + 1)
    k_of_age = age_retire - 1 - ages               # the year index in which each age retires
    probs = np.array([np.mean(k_of_age == k) for k in range(K)])
    retired = col(res, "exits_retired")
    total = N * res.reps
    survivors = col(res, "headcount")[:, -1].sum()
    checks = [chisq_check("retired in year k / still there", np.r_[retired.sum(axis=0), survivors],
                          np.r_[probs, 1 - probs.sum()])]
    head = col(res, "headcount")
    present = np.c_[np.full(res.reps, N), head[:, :-1]]
    e_frac, v_frac = 182 / 365, (365 ** 2 - 1) / 12 / 365 ** 2
    wy = col(res, "worker_years")
    expected = (present - retired * (1 - e_frac)).sum()
    checks.append(z_check("worker-years: retirees paid up to their birthday (mean 182/365 of the year)",
                          wy.sum(), expected, np.sqrt(v_frac * retired.sum())))
    paid = (wy - (present - retired)).sum(axis=0)   # the retirees' worker-years, per year
    n_ret = retired.sum(axis=0)
    per_year = np.divide(paid, n_ret, out=np.full(K, np.nan), where=n_ret > 0)
    plot = {"type": "line", "xlabel": "year", "ylabel": "share of the cohort retiring / of the year worked",
            "x": [int(v) for v in sc.year_list],
            "series": [series("retiring: simulated (± 2 se)", retired.sum(axis=0) / total, "simulated",
                              2 * np.sqrt(probs * (1 - probs) / total)),
                       series("retiring: ages uniform 22..55, one cohort a year", probs, "theory"),
                       series("fraction of the year a retiree works: simulated", per_year, "simulated"),
                       series("fraction of the year a retiree works: 182/365", np.where(probs > 0, e_frac, np.nan),
                              "theory")]}
    settle(record_property, "Retirement on birthdays, paid pro rata",
           "A cohort with ages uniform on 22..55 and retirement at 60 on a uniform birthday: one age "
           "cohort retires each year from the fifth year on, and each retiree is paid up to the "
           "birthday, on average 182/365 of the year.",
           r"$P(\text{retire in year } k) = 1/34$ for $k = 4..9$ (ages 55..50), 0 before; "
           r"worker-years $= n_k - \sum_i (1 - d_i/365)$, $d_i \sim U\{0..364\}$.",
           f"tests/theory/closed_cohort.toml with quits, assessment and dismissal off and retirement on, "
           f"{res.reps} replications, seed {res.seed}.", checks, plot)


# --------------------------------------------------------------------------- grades

def grade_chain_moments(n0: int, hires: int, q: float, step: float, top: int, years: int):
    """Exact mean and variance of year-end stocks by grade (1..top).

    Every worker moves independently: in a year they survive quits with 1 - q, then step
    up one grade with probability ``step`` unless at ``top``. One-year matrix
    P = (1 - q) S. The initial workers and each year's ``hires`` start the year at grade 1.
    Mean: n(t) = n(t-1) P + r with n(-1) = n0 e1 and r = hires e1 P. Variance: a cohort
    of size m with distribution pi contributes m pi (1 - pi).
    """
    S = np.diag(np.r_[np.full(top - 1, 1 - step), 1.0]) + np.diag(np.full(top - 1, step), 1)
    P = (1 - q) * S
    e1 = np.eye(top)[0]
    r = hires * e1 @ P
    mean, var = np.zeros((years, top)), np.zeros((years, top))
    n = n0 * e1.astype(float)
    for t in range(years):
        n = n @ P + r
        mean[t] = n
        # cohorts: the initial workers and year-0 hires started at t = 0, later hires at t = s
        for s in range(t + 1):
            size = n0 + hires if s == 0 else hires
            pi = e1 @ np.linalg.matrix_power(P, t - s + 1)
            var[t] += size * pi * (1 - pi)
    return mean, var


def test_grade_stocks_follow_the_markov_recursion(record_property):
    """Expected stocks per grade obey n(t+1) = n(t) P + r.

    tests/theory/grade_chain.toml: 1,000 staff at grade 1, exactly 200 hires at grade 1
    on 1 January (posts far exceed the workforce, so the cap binds), quits q = 0.10 a
    year, and at the end of each year a step up one grade with probability 0.4, capped at
    grade 5 (grades.step_years = 0, assessment off, staff max_grade 5). Workers move
    independently, so the stock in grade g at the end of year t (grade_share_0g x
    headcount) has the exact mean from the recursion and the exact variance of a sum of
    independent Bernoulli fates (``grade_chain_moments``). 40 replications, seed 606.
    Checks: a z-check of the mean over replications for every (year, grade) cell with an
    expected total of at least 100 workers (so the normal approximation holds); m = the
    number of such cells (44), |z| < 4.73; family false alarm 1e-4. Exact: cells the chain
    cannot reach (grade above year + 2) are empty, nobody is above grade 5, and hires are
    200 every year.
    """
    sc = scenario("grade_chain")
    res = simulate(sc, reps=40, seed=606)
    q = const(sc, "quits.rate")
    step = const(sc, "grades.step_prob")
    top = int(np.asarray(sc.get("grades.max_grade").central())[0])
    n0, h = sc.population.headcount, int(const(sc, "recruitment.cap"))
    mean, var = grade_chain_moments(n0, h, q, step, top, sc.years)
    stocks = np.stack([count(res, f"grade_share_{g:02d}") for g in range(1, top + 1)], axis=-1)
    above = sum(count(res, f"grade_share_{g:02d}") for g in range(top + 1, 19))
    R = res.reps
    checks = []
    unreachable = []
    for t in range(sc.years):
        for g in range(top):
            if mean[t, g] == 0:
                unreachable.append(stocks[:, t, g].max())
            elif mean[t, g] * R >= 100:
                checks.append(z_check(f"grade {g + 1} stock, end of {sc.start_year + t}",
                                      stocks[:, t, g].mean(), mean[t, g], np.sqrt(var[t, g] / R)))
    checks.append(exact_check("unreachable cells are empty and nobody is above the top grade",
                              max(unreachable + [above.max()])))
    checks.append(exact_check("hires = the cap every year", np.abs(col(res, "hires") - h).max()))
    sim = stocks.mean(axis=0)
    plot = {"type": "line", "xlabel": "year", "ylabel": "workers in grade (31 December)",
            "x": [int(v) for v in sc.year_list], "series": []}
    for g in range(top):
        plot["series"].append(series(f"grade {g + 1}: simulated", sim[:, g], "simulated",
                                     2 * np.sqrt(var[:, g] / R)))
        plot["series"].append(series(f"grade {g + 1}: n(t) P + r", mean[:, g], "theory"))
    settle(record_property, "Grades: a Markov chain with fixed step probability",
           "With a fixed probability of stepping up one grade a year, quits and a fixed number "
           "of grade-1 hires a year, the expected year-end stock in each grade follows the "
           "matrix recursion n(t+1) = n(t) P + r.",
           r"$n(t+1) = n(t)\,P + r$, $P = (1-q)\,S$, $S$ = step up with 0.4 (capped at grade 5), "
           r"$r = 200\,e_1 P$, $q = 0.10$.",
           f"tests/theory/grade_chain.toml, {R} replications, seed {res.seed}.", checks, plot)


# --------------------------------------------------------------------------- exit rules at term ends

def test_elimination_and_service_terms(record_property):
    """Bottom-ratio elimination takes exactly ceil(s N) of the N covered; service terms end
    each agreement with probability p.

    tests/theory/closed_cohort.toml with quits and dismissal off: the only exits are the
    exit rules at the assessment. Elimination with share s = 0.2 in 2025 and 2027 takes exactly ceil(s N)
    of the N then in post (200 of the starting 1,000), in every replication, and the
    headcount loses exactly the eliminated and the not renewed. Service agreements end in 2026 and 2028 and are not renewed with
    probability 0.1, or 0.5 for a worker rated basic or unqualified that year (grade shares
    0 / 0.8 / 0.1 / 0.1, fresh each year, no dismissal): each of the N workers then in
    post leaves independently with p = 0.8 x 0.1 + 0.2 x 0.5 = 0.18, so the year's
    non-renewals summed over replications are Binomial(sum N, p); an exact binomial test
    for each of the two years, and none outside them. m = 2 at p > 5e-5; the identities
    exact.
    """
    s, p = 0.2, 0.8 * 0.1 + 0.2 * 0.5
    sc = scenario("closed_cohort", {"quits.enabled": False, "dismissal.enabled": False,
                                    "assessment.shares": [0.0, 0.8, 0.1, 0.1],
                                    "elimination.enabled": True, "elimination.share": {"2025": s, "2026": 0.0,
                                                                                      "2027": s, "2028": 0.0},
                                    "service_terms.enabled": True, "service_terms.term_end_years": [2026, 2028],
                                    "service_terms.nonrenewal_prob": 0.1,
                                    "service_terms.nonrenewal_unqualified_prob": 0.5, "years": 4})
    res = simulate(sc, reps=40, seed=808)
    N0 = int(sc.demand.communities * const(sc, "demand.posts_per_community"))
    head = col(res, "headcount").astype(np.int64)
    start = np.c_[np.full(res.reps, N0), head[:, :-1]]          # in post before each year's rules
    elim = col(res, "exits_eliminated").astype(np.int64)
    nonren = col(res, "exits_nonrenewal").astype(np.int64)
    want_elim = np.where([True, False, True, False], np.ceil(s * start - 1e-9), 0)
    checks = [exact_check("eliminated = ceil(s N) in the elimination years, 0 otherwise",
                          np.abs(elim - want_elim).max(), 0),
              exact_check("headcount = N - eliminated - not renewed, every year (no other exit)",
                          np.abs(head - (start - elim - nonren)).max(), 0),
              exact_check("nobody not renewed outside the term-end years", nonren[:, [0, 2]].max(), 0)]
    for k, y in ((1, 2026), (3, 2028)):
        checks.append(binom_check(f"not renewed in {y} among those in post", nonren[:, k].sum(),
                                  start[:, k].sum(), p))
    plot = {"type": "line", "xlabel": "year", "ylabel": "workers leaving (mean)",
            "x": [int(v) for v in sc.year_list],
            "series": [series("eliminated: simulated", elim.mean(axis=0), "simulated"),
                       series("eliminated: ceil(s N)", want_elim.mean(axis=0), "theory"),
                       series("not renewed: simulated", nonren.mean(axis=0), "simulated"),
                       series("not renewed: p N", np.where([False, True, False, True], p * start.mean(axis=0),
                                                           0.0), "theory")]}
    settle(record_property, "Bottom-ratio elimination and service terms",
           "A closed cohort in which the only exits are the exit rules: bottom-ratio elimination takes "
           "exactly the share rounded up of those covered, and at a term's end each agreement is not "
           "renewed with its probability (higher for a worker rated basic or unqualified), independently.",
           r"eliminated $= \lceil sN \rceil$, $s = 0.2$; not renewed $\sim \mathrm{Binomial}(N, p)$, "
           r"$p = 0.8 \times 0.1 + 0.2 \times 0.5 = 0.18$.",
           f"tests/theory/closed_cohort.toml with quits and dismissal off, grade shares 0 / 0.8 / 0.1 / 0.1, "
           f"elimination in 2025 and 2027, term ends in 2026 and 2028 (not renewed with 0.1, or 0.5 if rated "
           f"basic or unqualified), {res.reps} replications, seed {res.seed}.",
           checks, plot)


# --------------------------------------------------------------------------- recruitment from a finite pool

def test_hires_from_a_finite_pool_are_binomial(record_property):
    """With more vacancies than applicants, a year's hires are the eligible applicants:
    Binomial(pool, p_eligible).

    tests/theory/closed_cohort.toml with quits at 0.3 a year, dismissal off and recruitment
    on: 100 applicants a year, aged uniformly 20..49 with a limit of 34 (eligible with
    probability 15/30), education below college / college / bachelor with shares 0.2 / 0.5
    / 0.3 and college required (0.8): p_eligible = 0.5 x 0.8 = 0.4. The cohort starts full
    (no hires in the first year) and loses about 300 a year to quits, so from the second
    year the vacancies (over 250) always exceed the pool, and each year's hires are
    Binomial(100, 0.4), independently across years and replications. Checks: the total
    hires (an exact binomial test over every applicant), the distribution of a year's hires
    (chi-square against Binomial(100, 0.4) in 8 cells of about equal probability, each
    expected 45 times), and the independence of the years: a replication's nine-year
    total has variance 9 x 100 x 0.4 x 0.6 = 216 (chi-square variance test; a pool drawn
    once per replication would give 81 times that). m = 3 at p > 3.3e-5.
    """
    pool, p_e = 100, 0.5 * 0.8
    sc = scenario("closed_cohort", {"quits.rate": [0.3], "dismissal.enabled": False,
                                    "recruitment.enabled": True, "recruitment.pool_size": pool,
                                    "recruitment.age": [[20, 49, 1.0]], "recruitment.max_age": 34,
                                    "recruitment.education": [0.2, 0.5, 0.3, 0.0], "recruitment.min_education": 1,
                                    "recruitment.certificate": [1.0, 0.0, 0.0, 0.0]})
    res = simulate(sc, reps=40, seed=909)
    hires = col(res, "hires").astype(np.int64)
    vac_before = col(res, "vacancies")[:, :-1]      # vacancies on 31 December, before the next year's round
    assert (hires[:, 0] == 0).all() and vac_before.min() > pool, "the setting needs ample vacancies"
    h = hires[:, 1:].ravel()
    k = np.arange(pool + 1)
    pmf = stats.binom.pmf(k, pool, p_e)
    upper = binomial_bins(pool, p_e, 8)
    cell = np.searchsorted(upper, h)                     # the cell of each year's hires
    obs = np.bincount(cell, minlength=len(upper))
    probs = np.diff(np.r_[0.0, stats.binom.cdf(upper, pool, p_e)])
    years_after_first = hires.shape[1] - 1
    checks = [binom_check("hires among all applicants (years with ample vacancies)", h.sum(), pool * h.size, p_e),
              chisq_check("distribution of a year's hires (cells up to " + ", ".join(str(u) for u in upper) + ")",
                          obs, probs),
              variance_check("a replication's total over the years: variance (years independent)",
                             hires[:, 1:].sum(axis=1), years_after_first * pool * p_e * (1 - p_e))]
    emp = np.bincount(h, minlength=pool + 1) / h.size
    span = slice(int(stats.binom.ppf(0.001, pool, p_e)), int(stats.binom.isf(0.001, pool, p_e)) + 1)
    plot = {"type": "bar", "xlabel": "hires in a year", "ylabel": "share of replication-years",
            "x": [int(v) for v in k[span]],
            "series": [series("simulated", emp[span], "simulated"),
                       series(f"Binomial({pool}, {p_e:g})", pmf[span], "theory")]}
    settle(record_property, "Hires from a finite pool are binomial",
           "With more vacancies than applicants, each year's hires are the applicants who meet the age and "
           "education rules: Binomial(pool, probability of meeting them), the probability worked out by hand "
           "from the applicants' mix.",
           r"hires $\sim \mathrm{Binomial}(100, 0.5 \times 0.8)$: ages uniform 20..49 at most 34, college or above "
           r"0.8.",
           f"tests/theory/closed_cohort.toml with quits 0.3, dismissal off, recruitment from 100 applicants a "
           f"year, {res.reps} replications, seed {res.seed}.", checks, plot)


# --------------------------------------------------------------------------- promotion out

def test_promotion_out_rounds_a_fractional_number_without_bias(record_property):
    """A fractional number promoted out a year is rounded up with probability equal to its
    fraction, so its mean is kept.

    tests/theory/closed_cohort.toml cut to 10 communities (100 workers), with quits,
    dismissal and the assessment off and promotion out of n = 6.25 workers a year from
    every post: each year 6 or 7 leave (never running out: at most 70 in 10 years), 7
    with probability 0.25, independently across years and replications. Checks: every
    year's count is 6 or 7 (exact); the number of years with 7 is Binomial(years x
    replications, 0.25): 10,000 trials, so a rounding bias of 0.02 in that probability is
    4.6 standard errors; and each replication's number of years with 7 has the binomial
    variance 10 x 0.25 x 0.75 = 1.875 (an unbiased rounding drawn once per replication
    and reused every year gives 10 times that). m = 2 at p > 5e-5.
    """
    n = 6.25
    sc = scenario("closed_cohort", {"quits.enabled": False, "dismissal.enabled": False, "assessment.enabled": False,
                                    "demand.communities": 10, "promotion_out.enabled": True,
                                    "promotion_out.per_year": n, "promotion_out.posts": [1, 1, 1]})
    res = simulate(sc, reps=1000, seed=1010)
    out = col(res, "exits_promoted_out").astype(np.int64)
    lo = int(np.floor(n))
    checks = [exact_check(f"each year's count is {lo} or {lo + 1}", float(np.isin(out, (lo, lo + 1), invert=True).sum())),
              binom_check(f"years with {lo + 1} promoted out", int((out == lo + 1).sum()), out.size, n - lo),
              variance_check(f"a replication's years with {lo + 1}: variance (years independent)",
                             (out == lo + 1).sum(axis=1), out.shape[1] * (n - lo) * (1 - (n - lo)))]
    plot = {"type": "bar", "xlabel": "workers promoted out in a year", "ylabel": "share of replication-years",
            "x": [lo, lo + 1],
            "series": [series("simulated", [np.mean(out == lo), np.mean(out == lo + 1)], "simulated"),
                       series(f"{lo} or {lo + 1}, mean {n:g}", [1 - (n - lo), n - lo], "theory")]}
    settle(record_property, "Promotion out: a fractional number rounded without bias",
           "A fractional number of workers promoted out a year is rounded up with probability equal to its "
           "fraction, so the yearly mean is the number asked for.",
           rf"count $= {lo} + \mathrm{{Bernoulli}}({n - lo:g})$, mean ${n:g}$.",
           f"tests/theory/closed_cohort.toml with 10 communities, quits, dismissal and the assessment off, "
           f"promotion out of {n:g} a year, {res.reps} replications, seed {res.seed}.", checks, plot)


# --------------------------------------------------------------------------- assessment grades

def test_grades_follow_the_shares_whatever_the_persistence(record_property):
    """Each year's grades follow the stated shares, however persistent ability is.

    tests/theory/closed_cohort.toml with quits and dismissal off and grade shares
    (excellent, qualified, basic, unqualified) = (0.25, 0.60, 0.10, 0.05), no training or
    certificate shift, persistence 0.6: a worker's score is sqrt(0.6) ability +
    sqrt(0.4) e, standard normal whatever the split, so each worker's grade in a year has
    exactly the stated shares, independently of the other workers (ability and e are
    drawn per worker). In a given year the N x R grades are multinomial; years are not
    pooled (the same workers' grades are correlated across years). Checks: chi-square of
    the four grades' counts in the first and in the last year; and that persistence is
    at work: a worker's scores in
    two years have correlation rho, so a replication's ten-year total of excellent
    ratings has variance N [Y p (1 - p) + Y (Y - 1) (P2 - p^2)] with P2 = P(both years
    excellent) = Phi_2(-c, -c; rho), c = Phi^-1(1 - p): 8,355 here against 1,875
    without persistence (chi-square variance test over the 500 replications, the total a
    sum of N independent workers' totals; at p > 3.3e-5 it accepts about 0.75 to 1.3
    times 8,355, so it also rejects a loading of rho instead of sqrt(rho), 0.65 times).
    m = 3 at p > 3.3e-5.
    """
    shares = np.array([0.25, 0.60, 0.10, 0.05])
    sc = scenario("closed_cohort", {"quits.enabled": False, "dismissal.enabled": False,
                                    "assessment.shares": shares.tolist(), "assessment.persistence": 0.6})
    res = simulate(sc, reps=500, seed=1111)
    rated = col(res, "headcount")          # everyone in post is rated at the year's end; nobody leaves
    exc = np.rint(col(res, "rated_excellent_share") * rated)
    bas = np.rint(col(res, "rated_basic_share") * rated)
    unq = np.rint(col(res, "rated_unqualified_share") * rated)
    assert (rated == rated[0, 0]).all(), "a closed cohort without exits"
    checks = []
    for k, y in ((0, sc.year_list[0]), (-1, sc.year_list[-1])):
        n = rated[:, k].sum()
        e, b, u = exc[:, k].sum(), bas[:, k].sum(), unq[:, k].sum()
        checks.append(chisq_check(f"grades in {y}: excellent / qualified / basic / unqualified",
                                  [e, n - e - b - u, b, u], shares))
    rho, p, Y, N = 0.6, shares[0], sc.years, rated[0, 0]
    c = stats.norm.isf(p)
    p2 = stats.multivariate_normal(mean=[0, 0], cov=[[1, rho], [rho, 1]]).cdf([-c, -c])
    checks.append(variance_check("a replication's excellent ratings over the years: variance with persistence",
                                 exc.sum(axis=1), N * (Y * p * (1 - p) + Y * (Y - 1) * (p2 - p * p))))
    plot = {"type": "line", "xlabel": "year", "ylabel": "share of workers rated",
            "x": [int(v) for v in sc.year_list],
            "series": [series("excellent: simulated", exc.sum(axis=0) / rated.sum(axis=0), "simulated"),
                       series("excellent: stated share", np.full(sc.years, shares[0]), "theory"),
                       series("unqualified: simulated", unq.sum(axis=0) / rated.sum(axis=0), "simulated"),
                       series("unqualified: stated share", np.full(sc.years, shares[3]), "theory")]}
    settle(record_property, "Grades follow the shares whatever the persistence",
           "With persistent ability (0.6 of the score's variance), each year's assessment still gives "
           "every worker the stated grade shares: the score stays standard normal.",
           r"$z = \sqrt{\rho}\,a + \sqrt{1-\rho}\,e \sim N(0,1)$, grades cut at the shares' normal quantiles; "
           r"counts in a year multinomial.",
           f"tests/theory/closed_cohort.toml with quits and dismissal off, shares 0.25 / 0.60 / 0.10 / 0.05, "
           f"persistence 0.6, {res.reps} replications, seed {res.seed}.", checks, plot)
