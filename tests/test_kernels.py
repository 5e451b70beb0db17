"""The compiled kernels and the numpy code compute the same rules.

Both paths draw the same random numbers, so a whole run must agree: counts exactly,
money up to floating-point summation order (relative 1e-9)."""

from __future__ import annotations

import io
from contextlib import redirect_stderr, redirect_stdout

import numpy as np
import pytest

import model
from model import kernels
from conftest import SCENARIOS

pytestmark = pytest.mark.skipif(not kernels.ENABLED, reason="numba not installed")


@pytest.mark.parametrize("name,overrides", [
    ("bench.toml", {"demand.communities": 80}),
    ("example-city.toml", {"demand.communities": 60, "demand.urban_residents": 450_000,
                           "population.headcount": 700}),
    ("nanjing-2018.toml", {}),  # districts: the per-district metrics
    # the housing fund on a base of its own: accrual, district costs, remuneration, total-basis floors
    ("nanjing-2018.toml", {"years": 2, "pay.housing_fund_floor_monthly": 2490, "pay.housing_fund_cap": 2.0}),
])
def test_kernels_agree_with_numpy(monkeypatch, name, overrides):
    sc = model.load(SCENARIOS / name, overrides)
    reps = 1 if sc.districts and not sc.implicit_district else 2
    fast = model.run(sc, reps=reps, seed=4)
    monkeypatch.setattr(kernels, "ENABLED", False)
    slow = model.run(sc, reps=reps, seed=4)
    np.testing.assert_allclose(fast.values, slow.values, rtol=1e-9, atol=1e-6, equal_nan=True)
    i = fast.metrics.index("headcount")
    np.testing.assert_array_equal(fast.values[:, :, i], slow.values[:, :, i])


@pytest.mark.parametrize("heads,committee", [(1, 4), (2, 3), (0, 3), (1, 0), (3, 1)])
def test_elections_kernel_agrees_with_numpy(monkeypatch, heads, committee):
    """Random communities with vacancies, leavers, tied scores and dead communities: the
    compiled election moves exactly the workers the numpy code moves."""
    from types import SimpleNamespace
    from model.policies import elections
    from model.population import Workforce
    rng = np.random.default_rng(heads * 10 + committee)
    n, nc = 3000, 200
    cols = dict(community=rng.integers(0, nc, n), post=rng.choice(3, n, p=[0.75, 0.2, 0.05]),
                grade=rng.integers(1, 10, n), score=rng.integers(0, 5, n).astype(np.float32),
                hire_time=np.where(rng.random(n) < 0.05, 2030.7, 2020.0),
                exit_time=np.where(rng.random(n) < 0.1, 2030.3, np.inf), party=rng.random(n) < 0.3)
    alive = rng.random(nc) < 0.9
    p = SimpleNamespace(fill_between=True, years=[])
    min_grade = np.array([1, 6, 9])
    out = {}
    for enabled in (True, False):
        monkeypatch.setattr(kernels, "ENABLED", enabled)
        pop = Workforce.from_columns(**cols)
        moved = elections.apply(pop, p, heads, committee, nc, min_grade, 2030.5, 2030, alive)
        out[enabled] = (moved, pop.post.copy(), pop.grade.copy(), pop.party.copy())
    assert out[True][0] == out[False][0] and out[True][0]["posts_filled_internally"] > 0
    for k in (1, 2, 3):
        np.testing.assert_array_equal(out[True][k], out[False][k])
    moved_up = out[True][1] != cols["post"]
    # some of those moved up held a party post, and none keeps it above staff
    assert cols["party"][moved_up].any() and not out[True][3][moved_up].any()


@pytest.mark.parametrize("k", [1, 7, 64, 65, 400, 5000])
def test_promotion_out_kernel_agrees_with_numpy(monkeypatch, k):
    """The compiled pick of the best-rated takes the same workers as the numpy code,
    with tied keys (integer scores, never-assessed workers) and fewer candidates than k."""
    from types import SimpleNamespace
    from model.policies import promotion_out
    from model.population import Workforce
    rng = np.random.default_rng(k)
    n = 3000
    cols = dict(post=rng.choice(3, n, p=[0.8, 0.15, 0.05]), rating=rng.integers(-1, 4, n),
                score=rng.integers(0, 4, n).astype(np.float32),
                hire_time=np.where(rng.random(n) < 0.05, 2030.7, 2020.0),
                exit_time=np.where(rng.random(n) < 0.1, 2030.3, np.inf))
    p = SimpleNamespace(per_year=k, reserved_share=0.0, street_hiring_plan=0.0, posts=[1, 1, 0])
    left = {}
    for enabled in (True, False):
        monkeypatch.setattr(kernels, "ENABLED", enabled)
        pop = Workforce.from_columns(**cols)
        promotion_out.apply(pop, p, np.random.default_rng(0), 2030.5)
        left[enabled] = pop.exit_cause.copy()
    np.testing.assert_array_equal(left[True], left[False])
    assert 0 < (left[True] > 0).sum() <= k


def test_vacant_slots_kernel_agrees_with_numpy(monkeypatch):
    """Slot ids, communities and party flags of a round: compiled and numpy the same."""
    from model.policies import recruitment
    rng = np.random.default_rng(3)
    vac = rng.integers(0, 6, 500)
    party = np.minimum(rng.integers(0, 3, 500), vac)
    out = {}
    for enabled in (True, False):
        monkeypatch.setattr(kernels, "ENABLED", enabled)
        out[enabled] = recruitment.choose_slots(vac, party, int(vac.sum()), rng, year_index=7, round_index=1)
    for a, b in zip(out[True], out[False]):
        np.testing.assert_array_equal(a, b)
    assert out[True][2].dtype == np.uint64 and out[True][1].sum() == party.sum()
    # with hires for exits to come: party posts vacant now, then those among the hires ahead
    ahead = np.minimum(rng.integers(0, 3, 500), vac)
    both = np.stack([np.minimum(party, vac - ahead), np.minimum(rng.integers(0, 2, 500), ahead)])
    for enabled in (True, False):
        monkeypatch.setattr(kernels, "ENABLED", enabled)
        out[enabled] = recruitment.choose_slots(vac, both, int(vac.sum()), rng, year_index=7, round_index=1,
                                                ahead=ahead)
    for a, b in zip(out[True], out[False]):
        np.testing.assert_array_equal(a, b)
    assert out[True][1].sum() == both.sum()


@pytest.mark.parametrize("rule,men,women", [("china2025", 60, 55), ("fixed", 60, 55), ("fixed", 62.5, 57.25)])
def test_retirement_instants_are_the_numpy_code_to_the_last_bit(monkeypatch, rule, men, women):
    """Random instants, every day of 1955-1974 as a date and at a point of the day, month
    starts and the instants a hair before them (the month's nudge), across leap years and
    month ends, men and both categories of women: the compiled retirement instants are the
    numpy code's, bit for bit; arrays of unequal lengths are refused (the kernel does not
    check its bounds)."""
    import datetime as dt

    from model.policies.retirement_age import retirement_time, retirement_time_into
    from model.roster import date_instant
    rng = np.random.default_rng(11)
    dates = np.array([date_instant(dt.date(1955, 1, 1) + dt.timedelta(days=i)) for i in range(20 * 366)])
    random = 1940 + 70 * rng.random(20_000)
    starts = 1955 + np.arange(20 * 12) / 12  # month starts, and a hair before them (stored so by rounding)
    birth = np.concatenate([random, dates, dates + rng.random(dates.size) / 366, np.floor(random * 12) / 12,
                            starts, np.nextafter(starts, -np.inf)])
    female, cadre = rng.random(birth.size) < 0.5, rng.random(birth.size) < 0.5
    ref = retirement_time(birth, female, cadre, rule, men, women)
    out = {}
    for enabled in (True, False):
        monkeypatch.setattr(kernels, "ENABLED", enabled)
        out[enabled] = np.full(birth.size, np.nan)
        retirement_time_into(out[enabled], birth, female, cadre, rule, men, women)
    for got in out.values():
        np.testing.assert_array_equal(got.view(np.int64), ref.view(np.int64))
    assert len(np.unique(np.round((ref - birth) * 12))) > (20 if rule == "china2025" else 1)
    monkeypatch.setattr(kernels, "ENABLED", True)
    for bad in ((np.empty(5), birth, female, cadre), (np.empty(birth.size), birth, female[:9], cadre)):
        with pytest.raises(ValueError, match="one length"):
            retirement_time_into(*bad, rule, men, women)

@pytest.mark.parametrize("m", [0, 1, 3, 7])
def test_rank_top_agrees_with_rank_within(m):
    """The one-pass ranking of each group's m smallest keys (ties: earlier element) is
    the full stable ranking cut at m."""
    from model.sampling import rank_within
    rng = np.random.default_rng(m)
    groups = rng.integers(0, 50, 2000)
    keys = rng.integers(0, 6, 2000).astype(float)
    expect = np.minimum(rank_within(groups, keys), m)
    np.testing.assert_array_equal(kernels.rank_top(groups, keys, m, 50), expect)


@pytest.mark.parametrize("share_kept", [0.0, 0.3, 0.9, 1.0])
def test_keep_in_place_agrees_with_numpy(monkeypatch, share_kept):
    """Dropping rows in place (the compiled path) leaves every column exactly as the
    numpy gather does, in order, for every column type."""
    from model.population import COLUMNS, Workforce
    rng = np.random.default_rng(int(share_kept * 10))
    n = 5000
    cols = {name: (rng.random(n) * 100).astype(dt) for name, dt in COLUMNS.items()}
    mask = rng.random(n) < share_kept
    out = {}
    monkeypatch.setattr(kernels, "ROWS_PER_THREAD", 100)
    for way, enabled, threads in (("blocks", True, 1), ("columns in threads", True, 2), ("numpy", False, 1)):
        monkeypatch.setattr(kernels, "ENABLED", enabled)
        with kernels.threads(threads):
            pop = Workforce.from_columns(**cols)
            pop.keep(mask)
        out[way] = pop
    for way, pop in out.items():
        assert pop.n == mask.sum(), way
        for name in COLUMNS:
            np.testing.assert_array_equal(getattr(pop, name), cols[name][mask], err_msg=f"{way}: {name}")


@pytest.mark.parametrize("name", ["example-city.toml", "nanjing-2018.toml"])
def test_threads_give_identical_results(monkeypatch, name):
    """Kernels split over threads (here every 300 rows, so small runs split too) and
    chunks of numpy work in threads give exactly the values of one thread: the split
    work is per-row or whole-number counts,
    and float sums go by parts fixed by the rows alone (here 700 rows), not by threads.
    Parts change only the order of float additions: money agrees with the undivided
    pass to rounding (relative 1e-12), counts exactly."""
    from model import metrics, population
    from model.engine import run_replication
    sc = model.load(SCENARIOS / name)
    whole = run_replication(sc, 11, 0)
    monkeypatch.setattr(kernels, "ROWS_PER_THREAD", 300)
    monkeypatch.setattr(kernels, "PART_ROWS", 700)
    monkeypatch.setattr(population, "CHUNK", 1000)  # chunks of numpy work, also in threads
    one = run_replication(sc, 11, 0)
    with kernels.threads(2):
        two = run_replication(sc, 11, 0)
        assert kernels.THREADS == 2
    assert kernels.THREADS == 1
    np.testing.assert_array_equal(one, two)
    np.testing.assert_allclose(one, whole, rtol=1e-12, equal_nan=True)
    i = metrics.names(sc).index("headcount")
    np.testing.assert_array_equal(one[:, i], whole[:, i])


def test_parts_are_fixed_by_the_rows_and_added_in_order(monkeypatch):
    """``over_parts`` cuts the rows into the same parts whatever the threads (so float
    sums round alike), hands ``whole`` only to a single part, and ``add_parts`` adds
    numbers, arrays and tuples of them part by part, in row order; one part is returned
    as it is."""
    monkeypatch.setattr(kernels, "PART_ROWS", 4)
    seen = {}
    for threads in (1, 2, 3):
        with kernels.threads(threads):
            seen[threads] = kernels.over_parts(10, lambda r, whole: (r.start, r.stop, whole))
    assert seen[1] == seen[2] == seen[3] == [(0, 4, False), (4, 8, False), (8, 10, False)]
    assert kernels.over_parts(3, lambda r, whole: (r.start, r.stop, whole)) == [(0, 3, True)]
    x = np.array([0.1, 1e16, -1e16, 0.2, 3.0, 0.3, 7.0, -2.5, 1e-3])
    counts = np.array([1, 0, 2, 5, 1, 1, 0, 3, 4])
    with kernels.threads(2):
        parts = kernels.over_parts(len(x), lambda r, whole: (float(x[r].sum()), np.bincount(counts[r], minlength=6)))
    total, hist = kernels.add_parts(parts)
    assert total == (float(x[0:4].sum()) + float(x[4:8].sum())) + float(x[8:].sum())
    np.testing.assert_array_equal(hist, np.bincount(counts, minlength=6))
    one = (1.5, np.arange(3))
    assert kernels.add_parts([one]) is one


def test_counts_add_up_whatever_the_threads(monkeypatch):
    """``over_parts_counting``: the work's own results come part by part, in row order,
    with the parts fixed by the rows (as ``over_parts``); the whole-number counts it adds
    into its per-thread arrays come out exactly the counts over all rows, for 1, 2 and 3
    threads alike."""
    monkeypatch.setattr(kernels, "PART_ROWS", 4)
    rng = np.random.default_rng(5)
    x = rng.random(23)
    groups = rng.integers(0, 7, 23)

    def work(r, counts):
        np.add.at(counts[0], groups[r], 1)
        return float(x[r].sum())
    seen = {}
    for threads in (1, 2, 3):
        with kernels.threads(threads):
            seen[threads] = kernels.over_parts_counting(len(x), lambda: (np.zeros(7, np.int64),), work)
    sums = [float(x[a:a + 4].sum()) for a in range(0, 23, 4)]
    for threads, (parts, (counts,)) in seen.items():
        assert parts == sums, threads
        np.testing.assert_array_equal(counts, np.bincount(groups, minlength=7), err_msg=str(threads))
    parts, (counts,) = kernels.over_parts_counting(0, lambda: (np.zeros(7, np.int64),), work)
    assert parts == [0.0] and not counts.any()


def test_keep_takes_a_copy_of_its_mask_and_checks_its_length(monkeypatch):
    """A mask that is a view of a column (which the in-place path rewrites column by
    column) drops the same rows from every column; a mask of the wrong length is an
    error, not a write past the end."""
    from model.population import COLUMNS, Workforce
    monkeypatch.setattr(kernels, "ROWS_PER_THREAD", 100)
    rng = np.random.default_rng(8)
    n = 3000
    cols = {name: (rng.random(n) * 100).astype(dt) for name, dt in COLUMNS.items()}
    for threads in (1, 2):  # by blocks of columns; by columns in threads
        with kernels.threads(threads):
            pop = Workforce.from_columns(**cols)
            pop.keep(pop.female)  # a view of the `female` column
        kept = cols["female"]
        for name in COLUMNS:
            np.testing.assert_array_equal(getattr(pop, name), cols[name][kept], err_msg=name)
    with pytest.raises(ValueError, match="mask"):
        pop.keep(np.ones(pop.n + 5, bool))


def test_promotion_pick_of_none_is_empty():
    rows, key = kernels.promotion_pick(np.full(5, np.inf), np.zeros(5), 0.5, np.zeros(5, np.int8),
                                       np.zeros(5, np.int8), np.zeros(5, np.float32), np.ones(3, bool), 0)
    assert rows.size == 0 and key.size == 0


@pytest.mark.parametrize("in_a_pool", [False, True])
def test_threads_only_in_the_main_process(monkeypatch, in_a_pool):
    """A run in one process widens the kernels to every core, unless it runs inside a
    worker of a process pool (an experiment's), which keeps one thread."""
    import multiprocessing

    from model import metrics, runner
    sc = model.load(SCENARIOS / "bench.toml", {"years": 2})
    seen = []

    def chunk(scenario, seed, reps):
        seen.append(kernels.THREADS)
        return reps.start, np.zeros((len(reps), scenario.years, len(metrics.names(scenario))))
    monkeypatch.setattr(runner, "_chunk", chunk)
    monkeypatch.setattr(multiprocessing, "parent_process", lambda: object() if in_a_pool else None)
    runner.run(sc, reps=2, workers=1, quiet=True)
    assert seen and set(seen) == ({1} if in_a_pool else {runner._cores()})
    assert kernels.THREADS == 1


@pytest.mark.parametrize("seed,rep", [(0, 0), (20250101, 3), (2**32 - 1, 7), (2**32, 1), (2**64 + 5, 2**33), (12345, 2**40)])
def test_stream_keys_are_numpys_seed_sequence(seed, rep):
    """A stream's 64-bit key, worked out without making its SeedSequence, is the first
    word of ``SeedSequence(seed, spawn_key=(rep, mechanism, year))``, for seeds and reps
    of one and of several 32-bit words; the stream's Generator draws what that
    SeedSequence's does."""
    from model.streams import MECHANISMS, Streams
    s = Streams(seed, rep)
    for m, mechanism in enumerate(MECHANISMS):
        for year in (0, 1, 9, 70, 2**31):
            ss = np.random.SeedSequence(seed, spawn_key=(rep, m, year))
            g = s.get(mechanism, year)
            assert g.key == int(ss.generate_state(1, np.uint64)[0]), (mechanism, year)
    g = s.get("quits", 4)
    expect = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(rep, MECHANISMS.index("quits"), 4))))
    np.testing.assert_array_equal(g.random(5), expect.random(5))


def test_the_first_run_compiles_every_kernel_for_the_later_ones(tmp_path):
    """With an empty cache every kernel is uncached; after the warm-up (which the first
    ``run`` after an install does) none is, and one replication of every shipped scenario
    (the national one scaled down) then loads every kernel it calls from the cache:
    the warm-up compiled each with the argument types the scenarios use."""
    import json
    import os
    import subprocess
    import sys
    from conftest import ROOT
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    warm = ("import json\nfrom model import kernels\nbefore = kernels.uncached()\nkernels.warm_up()\n"
            "print(json.dumps([before, kernels.uncached(), sorted(kernels._dispatchers())]))")
    out = subprocess.run([sys.executable, "-c", warm], env=env, cwd=tmp_path, capture_output=True, text=True,
                         check=True)
    before, after, every = json.loads(out.stdout.splitlines()[-1])
    assert sorted(before) == every and len(every) >= 15
    assert after == []
    later = f"""
import json, sys
sys.path.insert(0, {str(ROOT / 'benchmarks')!r})
import _common
from model import kernels
from model.engine import run_replication
for path in sorted(__import__('pathlib').Path({str(SCENARIOS)!r}).rglob('*.toml')):
    factor = 0.005 if path.name == 'national-2025.toml' else 1.0
    run_replication(_common.scenario(str(path), factor, 3 if factor != 1.0 else None), 1, 0)
print(json.dumps({{n: [sum(d.stats.cache_hits.values()), sum(d.stats.cache_misses.values())]
                  for n, d in kernels._dispatchers().items()}}))
"""
    out = subprocess.run([sys.executable, "-c", later], env=env, cwd=tmp_path, capture_output=True, text=True,
                         check=True)
    stats = json.loads(out.stdout.splitlines()[-1])
    assert {n: misses for n, (hits, misses) in stats.items() if misses} == {}
    assert sum(hits for hits, _ in stats.values()) >= len(every) - 2  # most were called (loaded)


@pytest.mark.parametrize("case", ["cold", "no scenarios", "fails"])
def test_the_first_run_warms_up_once_and_never_breaks_a_run(tmp_path, monkeypatch, case):
    """``run`` with kernels uncached compiles the others after its outputs (a line saying
    so); without the repository's scenarios it says nothing; a failure is a warning and the
    run's exit status stays 0."""
    from model import cli
    from model import scenario as S
    bench = S.SCENARIO_DIR / "bench.toml"
    monkeypatch.setattr(kernels, "uncached", lambda: ["accrue"])
    ran = []
    if case == "no scenarios":
        monkeypatch.setattr(S, "SCENARIO_DIR", tmp_path / "nowhere")
    monkeypatch.setattr(kernels, "warm_up", lambda: ran.append(1) if case != "fails" else 1 / 0)
    out = io.StringIO()
    err = io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = cli.main(["run", str(bench), "--reps", "1", "--no-report", "--out", str(tmp_path / "o"),
                         "--set", "demand.communities=5", "--set", "years=1"])
    assert code == 0 and (tmp_path / "o" / "summary.csv").exists()
    said = "Compiling the model's other kernels" in out.getvalue()
    assert said == (case != "no scenarios")
    assert ran == ([1] if case == "cold" else [])
    assert ("compiling the other kernels failed" in err.getvalue()) == (case == "fails")
