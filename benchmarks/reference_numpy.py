"""A plain, careful numpy implementation of the benchmark scenario, written from its spec.

This is the yardstick the engine is timed against (issue 8 item 1) and an independent
cross-check of its results. It is written from the spec of the benchmark scenario alone
(issue 2 item 4, restated below) and imports nothing from ``model``: one replication at a
time, one numpy array per attribute, whole-array operations, no Python loop over people.
Its random draws are its own (``numpy.random.Generator`` from a ``SeedSequence``), so it
agrees with the engine in distribution, not draw for draw.

The spec
--------
C communities of Q posts, every community full at the start; 10 years from 2025. Initial
workers: age uniform integer 22..55, tenure uniform integer 0..9, certified with
probability 0.4, no rating history. Each year ``y`` (time in years, year ``y`` is
``[y, y + 1)``):

(a) 1 January: recruitment fills every community back to Q; a hire has age uniform
    integer 22..35, tenure 0, certified with probability 0.2 (no hires in the first year).
(b) During the year every worker present on 1 January (hires included) quits with annual
    probability 0.08 at a uniform instant of the year; a worker aged 59 on 1 January
    retires on their birthday ``y + d / 365`` (``d`` uniform in 0..364, fixed per person).
    Whichever comes first is the exit.
(c) 30 June (``y + 0.5``): every active uncertified worker passes the exam with
    probability 0.25, or 0.35 if trained this year (tenure on 1 January even); a pass
    earns the allowance from ``y + 0.5``.
(d) 31 December (the very end of the year): each active worker is rated unqualified with
    probability 0.05; two consecutive unqualified years mean dismissal; then every active
    uncertified worker whose tenure on 1 January was 3 or more is dismissed. A worker
    dismissed then is paid the whole year.
(e) Age and tenure grow by one.

Pay is 5,000 yuan a month, plus 200 a month while certified, pro rata to time active;
``payroll`` is yuan per year. ``headcount`` and ``certified_share`` are taken on 31
December after dismissals; ``hires`` are the year's 1 January hires.

Run it alone: ``python benchmarks/reference_numpy.py --reps 20``.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

METRICS = ("headcount", "certified_share", "hires", "exits_quit", "exits_retired",
           "exits_dismissed_assessment", "exits_dismissed_cert", "payroll", "worker_years")

QUIT_P = 0.08
RETIRE_AGE = 60
PASS_P, PASS_P_TRAINED = 0.25, 0.35
UNQUALIFIED_P = 0.05
CERT_DEADLINE = 3
MONTHLY, ALLOWANCE = 5000.0, 200.0


def replication(seed: int, rep: int, communities: int = 1000, quota: int = 10,
                years: int = 10) -> np.ndarray:
    """One replication of the benchmark scenario.

    Parameters
    ----------
    seed, rep : int
        The replication draws from ``SeedSequence(seed, spawn_key=(rep,))``.
    communities, quota, years : int
        C, Q and the horizon.

    Returns
    -------
    ndarray, shape (years, len(METRICS))
        Metric values by year, columns in the order of :data:`METRICS`.
    """
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(rep,))))
    n = communities * quota
    # one array per attribute
    community = np.repeat(np.arange(communities, dtype=np.int32), quota)
    age = rng.integers(22, 56, n).astype(np.int16)        # on 1 January
    tenure = rng.integers(0, 10, n).astype(np.int16)      # on 1 January
    certified = rng.random(n) < 0.4
    birthday = rng.integers(0, 365, n) / 365.0            # fraction of the year
    unq_last = np.zeros(n, dtype=bool)                    # unqualified last year
    out = np.zeros((years, len(METRICS)))
    for yi in range(years):
        # (a) 1 January: fill every community back to Q
        if yi == 0:
            hires = 0
        else:
            vacant = quota - np.bincount(community, minlength=communities)
            hires = int(vacant.sum())
            community = np.concatenate([community, np.repeat(np.arange(communities, dtype=np.int32), vacant)])
            age = np.concatenate([age, rng.integers(22, 36, hires).astype(np.int16)])
            tenure = np.concatenate([tenure, np.zeros(hires, dtype=np.int16)])
            certified = np.concatenate([certified, rng.random(hires) < 0.2])
            birthday = np.concatenate([birthday, rng.integers(0, 365, hires) / 365.0])
            unq_last = np.concatenate([unq_last, np.zeros(hires, dtype=bool)])
        n = len(age)
        # (b) quits and retirements: exit instant as a fraction of the year (inf: stays)
        t_quit = np.where(rng.random(n) < QUIT_P, rng.random(n), np.inf)
        t_retire = np.where(age >= RETIRE_AGE - 1, np.where(age >= RETIRE_AGE, 0.0, birthday), np.inf)
        retires = t_retire <= t_quit
        t_exit = np.minimum(t_quit, t_retire)
        quits = np.isfinite(t_quit) & ~retires
        retires &= np.isfinite(t_retire)
        worked = np.minimum(t_exit, 1.0)
        # (c) 30 June: exam for the uncertified still present; trained if tenure even
        sits = ~certified & (t_exit > 0.5)
        p_pass = np.where(tenure % 2 == 0, PASS_P_TRAINED, PASS_P)
        passes = sits & (rng.random(n) < p_pass)
        cert_time = np.where(certified, worked, 0.0) + np.where(passes, worked - 0.5, 0.0)
        certified = certified | passes
        # pay, pro rata to time active (dismissals at year end are paid the whole year)
        payroll = 12.0 * (MONTHLY * worked.sum() + ALLOWANCE * cert_time.sum())
        # (d) 31 December: assessment, then the certificate deadline
        active = np.isinf(t_exit)
        unq = active & (rng.random(n) < UNQUALIFIED_P)
        dism_a = unq & unq_last
        dism_c = active & ~dism_a & ~certified & (tenure >= CERT_DEADLINE)
        stay = active & ~dism_a & ~dism_c
        headcount = int(stay.sum())
        out[yi] = (headcount, certified[stay].sum() / headcount if headcount else np.nan, hires,
                   quits.sum(), retires.sum(), dism_a.sum(), dism_c.sum(), payroll, worked.sum())
        # (e) the stayers age a year
        community, certified, birthday = community[stay], certified[stay], birthday[stay]
        age, tenure, unq_last = age[stay] + 1, tenure[stay] + 1, unq[stay]
    return out


def run(reps: int, seed: int = 1, communities: int = 1000, quota: int = 10, years: int = 10) -> np.ndarray:
    """``reps`` replications, shape (reps, years, len(METRICS))."""
    return np.stack([replication(seed, r, communities, quota, years) for r in range(reps)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--communities", type=int, default=1000)
    ap.add_argument("--quota", type=int, default=10)
    a = ap.parse_args()
    t = time.perf_counter()
    v = run(a.reps, a.seed, a.communities, a.quota)
    wall = time.perf_counter() - t
    wy = v[..., METRICS.index("worker_years")].sum()
    print(f"reference: {a.reps} replications in {wall:.3f} s: {wy / wall:,.0f} worker-years/s")
    for i, m in enumerate(METRICS):
        print(f"  {m:28s} " + " ".join(f"{x:12.6g}" for x in v[:, :, i].mean(axis=0)))


if __name__ == "__main__":
    main()
