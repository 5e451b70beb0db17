"""The engine end to end: identities, reproducibility, switches, ties, common random numbers."""

from __future__ import annotations

import re
import sys
import warnings

import numpy as np
import pytest
from conftest import SCENARIOS, starting_workforce, write_scenario

import model
from model import metrics as M
from model.population import age_on_1_january

SMALL = {"demand.communities": 60}


@pytest.fixture(scope="module")
def small_bench():
    return model.load(SCENARIOS / "bench.toml", SMALL)


@pytest.fixture(scope="module")
def res(small_bench):
    return model.run(small_bench, reps=6, seed=7, workers=1)


def col(res, metric):
    return res.values[:, :, res.metrics.index(metric)]


def test_headcount_flows_add_up(res):
    """start + hires - exits = end, every year of every replication."""
    h = col(res, "headcount")
    start = np.concatenate([np.full((res.reps, 1), 600.0), h[:, :-1]], axis=1)
    np.testing.assert_array_equal(start + col(res, "hires") - col(res, "exits_total"), h)
    causes = [m for m in res.metrics if m.startswith("exits_") and m != "exits_total"]
    np.testing.assert_array_equal(sum(col(res, m) for m in causes), col(res, "exits_total"))


def test_payroll_is_the_sum_of_its_components_and_funding_covers_cost(res):
    parts = ["payroll_base", "payroll_performance", "payroll_allowance", "payroll_insurance",
             "payroll_housing_fund", "payroll_annuity"]
    np.testing.assert_allclose(sum(col(res, m) for m in parts), col(res, "payroll"), rtol=1e-12)
    cost = col(res, "payroll") + col(res, "cost_training") + col(res, "cost_recruitment") + col(res, "cost_work_funds")
    np.testing.assert_allclose(cost, col(res, "total_cost"), rtol=1e-12)
    fund = col(res, "funding_city") + col(res, "funding_province") + col(res, "funding_district")
    np.testing.assert_allclose(fund, col(res, "total_cost"), rtol=1e-12)


def test_the_four_grades_shares_add_up_to_one(res):
    """rated_excellent, _qualified, _basic and _unqualified_share are the year's assessments
    by grade: they add up to 1 in every year someone is rated (qualified was not reported)."""
    shares = sum(col(res, f"rated_{g}_share") for g in ("excellent", "qualified", "basic", "unqualified"))
    np.testing.assert_allclose(shares, 1.0, rtol=1e-12)
    assert (col(res, "rated_qualified_share") > 0.5).all()


def test_full_quota_is_refilled_every_first_of_january(small_bench):
    """Recruitment fills every community to Q on 1 January: hires(y+1) = vacancies(y).
    (Retirement is off: a birthday on 1 January retires a worker at that instant, before
    recruitment, which adds a vacancy not seen on 31 December.)"""
    res = model.run(small_bench.with_overrides({"retirement.enabled": False}), reps=4, seed=7)
    vac = col(res, "vacancies")
    np.testing.assert_array_equal(col(res, "hires")[:, 1:], vac[:, :-1])
    assert (col(res, "hires")[:, 0] == 0).all()  # every community starts full


def test_same_seed_same_results_any_number_of_processes(small_bench):
    a = model.run(small_bench, reps=5, seed=11, workers=1)
    b = model.run(small_bench, reps=5, seed=11, workers=2)
    np.testing.assert_array_equal(a.values, b.values)
    assert a.summary().equals(b.summary())
    c = model.run(small_bench, reps=5, seed=12, workers=1)
    assert not np.array_equal(a.values, c.values)
    # == says the same: equal whatever the processes and the wall time, not across seeds
    assert a == b and a.meta["workers"] != b.meta["workers"] and a != c and not (a == "a")
    d = model.run(small_bench, reps=5, seed=11, workers=1)
    d.values[0, 0, 0] += 1
    assert a != d
    a.values[:, :, 0] = d.values[:, :, 0] = np.nan  # a metric NaN in every cell (as a scope without workers)
    assert a == d
    a.meta["weights"], d.meta["weights"] = np.ones(3), np.ones(3)  # an array in meta compares as one
    assert a == d
    d.meta["weights"] = np.zeros(3)
    assert a != d


def test_processes_are_limited_to_what_the_free_memory_holds(small_bench, monkeypatch):
    """Each local process needs PROCESS_BYTES + BYTES_PER_WORKER per starting worker; with
    memory for fewer than asked, fewer run (with a warning), and the results are the same."""
    from model import runner
    from model.policies.demand import starting_workers_estimate
    need = runner.PROCESS_BYTES + runner.BYTES_PER_WORKER * starting_workers_estimate(small_bench)
    for free, asked, fit in ((None, 3, 3), (3.5 * need, 3, 3), (3.5 * need, 5, 3), (0.5 * need, 2, 1),
                             (1.99 * need, 2, 1), (2 * need, 2, 2), (0, 1, 1)):
        monkeypatch.setattr(runner, "available_memory", lambda free=free: free)
        monkeypatch.setattr(runner, "_warned_memory", set())
        if fit < asked:
            with pytest.warns(UserWarning, match=f"{asked} processes would need .* running {fit} "):
                assert runner.processes_that_fit([small_bench], asked, free) == fit
            with warnings.catch_warnings():  # warned once: a second warning would fail here
                warnings.simplefilter("error")
                assert runner.processes_that_fit([small_bench], asked, free) == fit
        else:
            assert runner.processes_that_fit([small_bench], asked, free) == fit
    monkeypatch.setattr(runner, "available_memory", lambda: 1.5 * need)
    monkeypatch.setattr(runner, "_warned_memory", set())
    with pytest.warns(UserWarning, match="running 1 "):
        a = model.run(small_bench, reps=8, seed=11, workers=2)
    assert a.meta["workers"] == 1
    monkeypatch.setattr(runner, "available_memory", lambda: None)
    np.testing.assert_array_equal(a.values, model.run(small_bench, reps=8, seed=11, workers=2).values)


def test_a_national_replication_is_sized_by_its_workers(small_bench, monkeypatch):
    """The per-worker part dominates at national scale: 4.3 million workers need about
    250 MB + 200 B x 4.3 million = 1.1 GB a process, so 2 GB free holds one (a city holds
    eight); a list of scenarios (an experiment's) is sized by its largest."""
    from model import runner
    from model.policies.demand import starting_workers_estimate
    national = model.load(SCENARIOS / "national-2025.toml")
    n = starting_workers_estimate(national)
    assert 4.2e6 < n < 4.5e6
    monkeypatch.setattr(runner, "available_memory", lambda: 2 * 2**30)
    monkeypatch.setattr(runner, "_warned_memory", set())
    assert runner.processes_that_fit([small_bench], 8, 2 * 2**30) == 8
    from model.policies import demand  # with room for the largest replication allowed, none is sized
    monkeypatch.setattr(demand, "starting_workers_estimate", lambda sc: 1 / 0)
    assert runner.processes_that_fit([national], 2, 2 * (runner.PROCESS_BYTES + 200 * 20_000_000)) == 2
    monkeypatch.undo()
    monkeypatch.setattr(runner, "_warned_memory", set())
    with pytest.warns(UserWarning, match=r"for national-2025 \(1\.0\d GB each\)"):
        assert runner.processes_that_fit([small_bench, national], 2, 2 * 2**30) == 1
    from model.experiments.common import run_many  # an experiment's processes are sized so too
    monkeypatch.setattr(runner, "available_memory", lambda: 1.5 * (runner.PROCESS_BYTES + 200 * 600))
    monkeypatch.setattr(runner, "_warned_memory", set())
    with pytest.warns(UserWarning, match="running 1 "):
        run_many([small_bench, small_bench.with_overrides({"quits.rate": [0.1]})], reps=1, seed=1, workers=2)


def test_replications_whose_results_alone_would_not_fit_are_refused(small_bench, monkeypatch):
    from model import metrics, runner
    from model.errors import UserError
    need = 8 * 1000 * small_bench.years * len(metrics.names(small_bench))  # the results of 1000 replications
    monkeypatch.setattr(runner, "available_memory", lambda: need / 0.4 * 0.99)  # just short of room for them
    with pytest.raises(UserError, match="for their results alone") as e:
        model.run(small_bench, reps=1000, seed=1)
    assert e.value.field == "--reps"
    runner._check_results_fit(small_bench, 1000, len(metrics.names(small_bench)), need / 0.4 * 1.01)  # room


def test_available_memory_reads_the_tightest_control_group(tmp_path):
    """cgroup v1 and v2, the process's own group and those above it; the usage counts
    without the page cache the kernel can drop; no limit ('max', or v1's huge number) is none."""
    from model import runner
    root = tmp_path
    (root / "proc").mkdir()
    (root / "proc/meminfo").write_text("MemTotal: 64000000 kB\nMemAvailable: 50000000 kB\n")
    (root / "proc/self").mkdir()
    (root / "proc/self/cgroup").write_text("4:memory:/jobs/42\n0::/batch/7\n")
    assert runner.available_memory(str(root)) == 50000000 * 1024  # no cgroup files: the machine's
    v1 = root / "sys/fs/cgroup/memory/jobs/42"
    v1.mkdir(parents=True)
    (v1 / "memory.limit_in_bytes").write_text(f"{8 * 2**30}\n")
    (v1 / "memory.usage_in_bytes").write_text(f"{5 * 2**30}\n")
    (v1 / "memory.stat").write_text(f"cache 1\ntotal_inactive_file {2**30}\n")
    assert runner.available_memory(str(root)) == 4 * 2**30  # 8 - (5 - 1)
    v2 = root / "sys/fs/cgroup/batch"
    v2.mkdir(parents=True)
    (v2 / "memory.max").write_text(f"{3 * 2**30}\n")
    (v2 / "memory.current").write_text(f"{2 * 2**30}\n")
    (v2 / "memory.stat").write_text("anon 5\ninactive_file 0\n")
    assert runner.available_memory(str(root)) == 2**30  # a group above the process's own (batch/7)
    (v2 / "memory.max").write_text("max\n")
    (v1 / "memory.limit_in_bytes").write_text("9223372036854771712\n")
    assert runner.available_memory(str(root)) == 50000000 * 1024


def test_available_memory_is_a_positive_number_of_bytes_here():
    from model import runner
    free = runner.available_memory()
    if sys.platform.startswith("linux"):  # /proc/meminfo is there
        assert free is not None and 0 < free < 2**50
    else:
        assert free is None or 0 <= free < 2**50


def test_a_hiring_freeze_hires_no_one_and_leaves_the_posts_unfilled(small_bench):
    """In a freeze year no round hires; the posts left empty are the year's unfilled posts,
    and the year after refills them (an unlimited pool). Other mechanisms' draws are
    untouched in the years before the freeze (common random numbers)."""
    frozen = small_bench.with_overrides({"years": 4, "recruitment.freeze_years": [2026, 2027]})
    base = small_bench.with_overrides({"years": 4})
    r, b = model.run(frozen, reps=4, seed=3), model.run(base, reps=4, seed=3)
    for y in (2026, 2027):
        assert (r.at("hires", y) == 0).all() and (r.at("unfilled_posts", y) > 0).all()
        # the one round, on 1 January, finds the posts less last year's year-end workforce
        np.testing.assert_array_equal(r.at("unfilled_posts", y), r.at("posts", y) - r.at("headcount", y - 1))
    assert (r.at("hires", 2028) > b.at("hires", 2028)).all() and (r.at("unfilled_posts", 2028) == 0).all()
    np.testing.assert_array_equal(r.metric("headcount")[2025], b.metric("headcount")[2025])


def test_a_replication_does_not_depend_on_the_others(small_bench):
    a = model.run(small_bench, reps=4, seed=3)
    from model.engine import run_replication
    np.testing.assert_array_equal(a.values[2], run_replication(small_bench, 3, 2))


def test_common_random_numbers_leave_other_mechanisms_untouched(small_bench):
    """A change to the exam changes who is certified but, with no exits tied to the
    certificate, not who quits or how workers are rated: quits and ratings are identical
    in every year (draws are keyed by worker, mechanism and year, not by position in a
    shared stream)."""
    sc = small_bench.with_overrides({"dismissal.enabled": False})
    a = model.run(sc, reps=3, seed=5)
    b = model.run(sc.with_overrides({"certification.pass_prob": 0.9}), reps=3, seed=5)
    for m in ("exits_quit", "exits_retired", "rated_unqualified_share"):
        np.testing.assert_array_equal(col(a, m), col(b, m))
    assert not np.array_equal(col(a, "certified_share"), col(b, "certified_share"))


@pytest.mark.parametrize("section,metric", [
    ("quits", "exits_quit"), ("retirement", "exits_retired"),
    ("dismissal", "exits_dismissed_cert"), ("certification", "exam_passes"),
    ("training", "trained"), ("recruitment", "hires"),
])
def test_each_switch_turns_its_mechanism_off(small_bench, section, metric):
    on = model.run(small_bench, reps=2, seed=1)
    off = model.run(small_bench.with_overrides({f"{section}.enabled": False}), reps=2, seed=1)
    assert col(on, metric).sum() > 0
    assert col(off, metric).sum() == 0


def test_deaths_go_on_with_quits_off():
    """quits.enabled switches voluntary quits only: with quits off and a death rate of 5%,
    the 10,000 workers of the benchmark's first year (no retirement, no dismissals) lose
    Binomial(10,000, 0.05) to deaths and nobody quits; the total of 4 replications within
    4 standard deviations (a false alarm for 6 in 100,000 seeds)."""
    sc = model.load("bench", overrides={"years": 1, "quits.enabled": False, "quits.death_rate": 0.05,
                                        "retirement.enabled": False, "dismissal.enabled": False})
    res = model.run(sc, reps=4, seed=5)
    assert col(res, "exits_quit").sum() == 0
    n, q = 4 * 10_000, 0.05
    assert abs(col(res, "exits_death").sum() - n * q) < 4 * np.sqrt(n * q * (1 - q))


def test_assessment_switch_and_dismissal_on_ratings(small_bench):
    sc = small_bench.with_overrides({"assessment.shares": [0, 0.5, 0, 0.5], "dismissal.certificate_deadline": 0})
    on = model.run(sc, reps=2, seed=1)
    assert col(on, "exits_dismissed_assessment")[:, 1:].sum() > 0
    off = model.run(sc.with_overrides({"assessment.enabled": False}), reps=2, seed=1)
    assert col(off, "exits_dismissed_assessment").sum() == 0


DETERMINISTIC = """
extends = "@SCENARIOS@/bench.toml"
name = "pay-check"
years = 3
[demand]
communities = 1
posts_per_community = 2
[population]
age = [[30, 30, 1.0]]
tenure = [[0, 0, 1.0]]
certificate = [1.0, 0.0, 0.0, 0.0]
[quits]
enabled = false
[dismissal]
enabled = false
[certification]
pass_prob = 1.0
trained_bonus = 0.0
[pay]
monthly = [5000, 5000, 5000]
allowance = [0, 200, 300, 400]
housing_fund_rate = {2025 = 0.0, 2026 = 0.05}
pension_rate = 0.16
"""


def test_payroll_hand_computed_with_mid_year_certificate_and_a_rate_switched_on(tmp_path):
    """Two workers all year, both pass on 30 June (pass probability 1): each earns
    12 x 5000 + 6 x 200 = 61,200 in 2025 and 12 x 5200 = 62,400 after; pension 16% of that;
    housing fund 5% from 2026 only."""
    sc = model.load(write_scenario(tmp_path, DETERMINISTIC))
    r = model.run(sc, reps=2, seed=1)
    at = lambda m, y: r.at(m, y)
    np.testing.assert_allclose(at("payroll_base", 2025), 2 * 60000.0)
    np.testing.assert_allclose(at("payroll_allowance", 2025), 2 * 1200.0)
    np.testing.assert_allclose(at("payroll_insurance", 2025), 0.16 * 2 * 61200.0)
    np.testing.assert_allclose(at("payroll_housing_fund", 2025), 0.0)
    np.testing.assert_allclose(at("payroll_housing_fund", 2026), 0.05 * 2 * 62400.0)
    np.testing.assert_allclose(at("payroll", 2026), 2 * 62400.0 * 1.21)
    np.testing.assert_allclose(at("certified_share", 2025), 1.0)
    np.testing.assert_allclose(at("headcount", 2027), 2.0)


def test_retirement_on_the_birthday_and_refill(tmp_path):
    """Everyone is 59 on 1 January 2025 in whole years: all retire on their 60th birthday,
    in 2025 or, born on 1 January (turning 59 that day), at the first instant of 2026, and
    are replaced on 1 January 2026; 2025 pay is pro rata to the birthday."""
    p = write_scenario(tmp_path, DETERMINISTIC.replace("age = [[30, 30, 1.0]]", "age = [[59, 59, 1.0]]")
                       .replace("[demand]\ncommunities = 1", "[demand]\ncommunities = 50"))
    r = model.run(model.load(p), reps=3, seed=2)
    np.testing.assert_array_equal(r.at("exits_retired", 2025) + r.at("exits_retired", 2026), 100)
    # a 60th birthday on 1 January 2026 retires the worker at that instant, before
    # recruitment, so that post is refilled the same day, with the posts of the 2025 retirements
    np.testing.assert_array_equal(r.at("hires", 2025), 0)
    np.testing.assert_array_equal(r.at("hires", 2026), 100)
    # birthdays uniform on days 1..365 after 1 January, day d working d/365 of the year: mean
    # fraction of the year worked (1 + 2 + ... + 365) / 365^2 = 183/365; 100 workers, sd of the mean
    # fraction at most sqrt((365^2-1)/12)/365/sqrt(100) ~ 0.029; 4 sd
    frac = r.at("worker_years", 2025) / 100
    assert abs(frac.mean() - 183 / 365) < 4 * 0.029 / np.sqrt(3)


def test_ties_at_one_instant_run_in_stated_order(tmp_path):
    """Recruitment and exam on the same day: recruitment runs first, so new hires sit."""
    text = DETERMINISTIC + "\n[calendar]\nrecruitment = [0.5]\nexam = 0.5\ntraining = 0.0\n"
    text = text.replace("age = [[30, 30, 1.0]]", "age = [[59, 59, 1.0]]").replace(
        "[demand]\ncommunities = 1", "[demand]\ncommunities = 10")
    r = model.run(model.load(write_scenario(tmp_path, text)), reps=1, seed=3)
    # everyone aged 59 retires on a 2025 birthday; those gone by 30 June are replaced at
    # that instant and, recruitment running first, sit at once: with pass probability 1
    # every one of the 20 posts' holders on 30 June passes (the exam first would leave
    # the hires out: 20 - hires)
    assert r.at("hires", 2025)[0] > 0
    assert r.at("exam_passes", 2025)[0] == 20


def test_results_tables_are_tidy(res):
    s = res.summary()
    assert list(s.columns[:8]) == ["scenario", "year", "metric", "mean", "sd", "p05", "p10", "p25"]
    assert len(s) == len(res.years) * len(res.metrics)
    pr = res.per_replication()
    assert len(pr) == res.values.size and set(pr.columns) == {"scenario", "rep", "year", "metric", "value"}
    hc = s[(s.metric == "headcount") & (s.year == 2030)]["mean"].item()
    assert hc == pytest.approx(res.at("headcount", 2030).mean())


@pytest.fixture(scope="module")
def city():
    return model.load(SCENARIOS / "example-city.toml",
                      {"demand.communities": 60, "demand.urban_residents": 450_000, "population.headcount": 700})


@pytest.mark.parametrize("section,metric,override", [
    ("elimination", "exits_eliminated", {}),
    ("service_terms", "exits_nonrenewal", {}),
    ("promotion_out", "exits_promoted_out", {"promotion_out.per_year": 5}),
    ("grades", "grade_steps", {}),
    ("elections", "posts_filled_internally", {}),
    ("assessment", "rated_excellent_share", {"elimination.enabled": False}),  # elimination ranks its scores
])
def test_each_switch_turns_its_mechanism_off_in_the_full_city(city, section, metric, override):
    sc = city.with_overrides(override) if override else city
    on = model.run(sc, reps=2, seed=1)
    off = model.run(sc.with_overrides({f"{section}.enabled": False}), reps=2, seed=1)
    assert np.nansum(col(on, metric)) > 0
    assert np.nansum(col(off, metric)) == 0


def test_full_city_identities_hold(city):
    r = model.run(city, reps=2, seed=3)
    h = col(r, "headcount")
    start = np.concatenate([np.full((2, 1), 700.0), h[:, :-1]], axis=1)
    np.testing.assert_array_equal(start + col(r, "hires") - col(r, "exits_total"), h)
    parts = ["payroll_base", "payroll_performance", "payroll_allowance", "payroll_insurance",
             "payroll_housing_fund", "payroll_annuity"]
    np.testing.assert_allclose(sum(col(r, m) for m in parts), col(r, "payroll"), rtol=1e-12)
    assert (col(r, "share_head") > 0).all() and (col(r, "exits_death").sum() > 0)


def test_workers_above_their_posts_are_reported():
    """surplus_workers = headcount - posts + vacancies: workers above their communities'
    posts. Falling residents (so posts) leave some every year; without splits or falling
    posts there are none. (Who moves at a split: tests/test_policies.py.)"""
    shrinking = model.run(model.load("hohhot-2023", ["demand.residents_growth=-0.05"]), reps=2, seed=1)
    surplus = col(shrinking, "surplus_workers")
    np.testing.assert_array_equal(surplus, col(shrinking, "headcount") - col(shrinking, "posts")
                                  + col(shrinking, "vacancies"))
    assert (surplus >= 0).all() and surplus[:, 1:].min() > 0
    flat = model.run(model.load(SCENARIOS / "alternatives" / "hohhot-2023-no-split.toml"),
                     reps=2, seed=1)
    assert (col(flat, "surplus_workers") == 0).all()


def test_a_pay_rule_reading_last_years_grades_changes_no_flow():
    """The annuity of workers rated excellent last year draws the starting workers' last
    grades from the 'initial' stream. Those draws come after every other draw of that
    stream, so turning the rule on changes money only: it used to come before the new ages
    of starting workers past their retirement age, and changed those ages, the
    retirements and the headcount (common random numbers, DESIGN section 3)."""
    base = {"demand.communities": 5, "population.age": [[22, 60, 1.0]], "population.female_share": 0.7,
            "retirement.rule": "china2025", "pay.annuity_rate": 0.08,
            "assessment.shares": [0.2, 0.75, 0.0, 0.05]}
    off, on = (model.run(model.load("bench", {**base, "pay.annuity_excellent": f}), reps=3, seed=1)
               for f in (False, True))
    assert not np.array_equal(col(off, "payroll_annuity"), col(on, "payroll_annuity"))
    for m in ("mean_age", "exits_retired", "headcount", "certified_share", "hires", "exits_quit"):
        np.testing.assert_array_equal(col(off, m), col(on, m), err_msg=m)


def test_grade_metrics_only_where_grades_mean_something():
    """Without a grade ladder and with pay the same in every grade (the bench) the grades
    mean nothing, and mean_grade and the grade shares are NaN (they reported entry grades);
    pay by grade (grade_coefficient) or a ladder (grades.enabled) makes them count."""
    over = {"years": 2, "demand.communities": 10}
    flat = model.run(model.load("bench", over), reps=2, seed=1)
    assert np.isnan(col(flat, "mean_grade")).all() and np.isnan(col(flat, "grade_share_01")).all()
    for extra in ({"pay.grade_coefficient": [1.0 + 0.05 * g for g in range(18)]}, {"grades.enabled": True}):
        res = model.run(model.load("bench", {**over, **extra}), reps=2, seed=1)
        shares = sum(col(res, f"grade_share_{g:02d}") for g in range(1, 19))
        assert (col(res, "mean_grade") >= 1).all() and np.allclose(shares, 1.0), extra


@pytest.mark.parametrize("need", [[2.5] * 4, {"2025": [5.0] * 4, "2027": [0.0] * 4}])
def test_nobody_is_dismissed_for_a_certificate_before_they_could_sit(need):
    """The certificate deadline runs from the first exam a worker may sit. The assessment
    (30 June) comes before the exam (late November). With 2.5 years of service needed
    (whole years count: first sitting in 2028), or 5 years lowered to 0 from 2027 (first
    sitting in 2027), and a deadline of 1 year, the uncertified go at the assessment a year
    after their first chance, having sat once. They went at the assessment before that
    first exam: the fractional need started the clock in mid-2027, the lowered one at hire."""
    sc = model.load("bench", {"years": 6, "demand.communities": 10, "population.tenure": [[0, 0, 1.0]],
                              "calendar.exam": 0.9, "calendar.assessment": 0.5, "calendar.promotion": 0.5,
                              "population.certificate": [1.0, 0.0, 0.0, 0.0],
                              "certification.min_tenure_by_education": need, "certification.pass_prob": 0.1,
                              "dismissal.certificate_deadline": 1, "recruitment.enabled": False,
                              "quits.enabled": False, "retirement.enabled": False,
                              "dismissal.consecutive_unqualified": 0})
    res = model.run(sc, reps=2, seed=1)
    sat, dismissed = col(res, "exam_sitters"), col(res, "exits_dismissed_cert")
    first = 3 if isinstance(need, list) else 2  # 2028, 2027
    assert (sat[:, :first] == 0).all() and (sat[:, first] > 0).all()
    assert (dismissed[:, :first + 1] == 0).all() and (dismissed[:, first + 1] > 0).all()


def test_an_elimination_that_covers_nobody_has_no_rate():
    """elimination_rate is the eliminated over those covered: NaN in a year whose
    elimination covers nobody (here head posts, in a city without heads), as every share of
    an empty base is (it was 0, which a '<=' target counted as met); 0 in a year without
    elimination."""
    over = {"years": 2, "demand.communities": 10, "population.heads_per_community": 0}
    covered_none = model.load("bench", {**over, "elimination.enabled": True, "elimination.share": 0.2,
                                        "elimination.posts": [0, 0, 1]})
    assert np.isnan(col(model.run(covered_none, reps=2, seed=1), "elimination_rate")).all()
    assert (col(model.run(model.load("bench", over), reps=2, seed=1), "elimination_rate") == 0).all()
    # switched on, in the years its share is 0
    none_due = model.load("bench", {**over, "elimination.enabled": True,
                                    "elimination.share": {"2025": 0.2, "2026": 0.0}})
    assert (col(model.run(none_due, reps=2, seed=1), "elimination_rate")[:, 1] == 0).all()


def test_pairing_stays_strong_over_the_years():
    """Draws are keyed by worker, so a small rule change (pass probability 0.25 -> 0.27)
    keeps alternatives paired in every year: the sd of the paired difference of the
    certified share stays below 0.4 of the unpaired one in year 10 (with independent
    draws it is 1; keyed by row position it had decayed to ~0.45 by year 3). Measured
    ~0.25 at this size; the bound leaves room for the sampling error of two sds from 30
    replications (~13% each)."""
    sc = model.load(SCENARIOS / "bench.toml", {"demand.communities": 150})
    a = model.run(sc, reps=30, seed=3)
    b = model.run(sc.with_overrides({"certification.pass_prob": 0.27}), reps=30, seed=3)
    x, y = col(a, "certified_share")[:, -1], col(b, "certified_share")[:, -1]
    ratio = np.std(y - x, ddof=1) / np.sqrt(np.var(x, ddof=1) + np.var(y, ddof=1))
    assert ratio < 0.4, ratio


def test_pay_indexed_to_the_average_wage(tmp_path):
    """With index_to_wage, pay follows the average wage: base pay per worker-year grows
    exactly as the wage benchmark (a constant 5% here) and pay.growth is ignored."""
    text = DETERMINISTIC + ("\n[economy]\naverage_wage = 80000\naverage_wage_growth = 0.05\n")
    text = text.replace("[pay]\n", "[pay]\nindex_to_wage = true\ngrowth = 0.5\n")
    r = model.run(model.load(write_scenario(tmp_path, text)), reps=1, seed=1)
    base = r.at("payroll_base", 2026)[0] / r.at("worker_years", 2026)[0]
    np.testing.assert_allclose(base, 60000.0 * 1.05)
    np.testing.assert_allclose(r.at("average_wage", 2026)[0], 80000.0 * 1.05)


DISTRICTS = """
extends = "@SCENARIOS@/bench.toml"
name = "districts-check"
years = 2
[demand]
communities = 200
[[districts]]
name = "town"
communities = 100
[[districts]]
name = "village"
communities = 100
urban = false
certified_share = 0.1
pass_prob_scale = 0.0
"""


def test_district_starting_certified_share_and_pass_scale(tmp_path):
    """With no exits, the village district's share on 31 December is its 10% start
    (nobody there passes: scale 0): 1,000 workers, binomial sd 0.0095, checked within 4 sd
    (false alarm 6e-5 per replication). The town keeps the city's 40% start and passes
    about a quarter of the rest (expected 0.4 + 0.6 x 0.3 = 0.58; far above 0.5)."""
    sc = model.load(write_scenario(tmp_path, DISTRICTS), {"dismissal.enabled": False, "quits.enabled": False,
                                                          "retirement.enabled": False})
    r = model.run(sc, reps=3, seed=5)
    v = r.at("certified_share.village", 2025)
    assert (np.abs(v - 0.1) < 4 * 0.0095).all(), v
    assert (r.at("certified_share.town", 2025) > 0.5).all()


def test_starting_workers_were_hired_as_adults():
    """Age and tenure come from separate mixes; a tenure above age - min_hire_age is drawn
    again from the tenure bands truncated there. Workers aged 22 with tenure uniform on
    0..9 and min_hire_age 18 have tenure uniform on 0..4: 10,000 workers, each count
    Binomial(10,000, 1/5) (sd 40), checked within 4.4 sd (false alarm 5e-5 over the five).
    The other attributes come from the same draws as without the rule."""
    base = model.load(SCENARIOS / "bench.toml", {"population.age": [[22, 22, 1.0]],
                                                 "population.min_hire_age": 18})
    y = base.start_year
    pop = starting_workforce(base)
    n = pop.n
    tenure = y - pop.hire_year[:n]
    assert n == 10_000 and tenure.min() == 0 and tenure.max() == 4
    counts = np.bincount(tenure, minlength=5)
    assert (np.abs(counts - 2000) <= 4.4 * 40).all(), counts
    free = starting_workforce(base.with_overrides({"population.min_hire_age": 0}))
    n0 = free.n
    assert (y - free.hire_year[:n0]).max() == 9  # without the rule: the bands as drawn
    for name in ("birth", "female", "education", "ability"):
        np.testing.assert_array_equal(getattr(pop, name)[:n], getattr(free, name)[:n0])
    kept = (y - free.hire_year[:n0]) <= 4  # those the rule leaves alone keep their tenure
    np.testing.assert_array_equal(pop.hire_year[:n][kept], free.hire_year[:n0][kept])


def _women_retiring_at_50(age, tenure):
    """The starting workforce of the benchmark (start 2025) with these age and tenure bands,
    all women retiring at 50, hired at 18 or older: (workforce, whole ages, tenures)."""
    sc = model.load(SCENARIOS / "bench.toml", {
        "population.age": age, "population.tenure": tenure, "population.min_hire_age": 18,
        "population.female_share": 1.0, "retirement.age_women": 50})
    pop = starting_workforce(sc)
    y, n = sc.start_year, pop.n
    return pop, age_on_1_january(pop.birth[:n], y).astype(int), y - pop.hire_year[:n]


def test_workers_given_a_younger_age_keep_the_age_mix_and_were_hired_as_adults():
    """Women past the retirement age (50 here) on the first day get an age from the bands
    truncated at 49, and then a tenure that has them hired at min_hire_age or older: with
    ages uniform on 22..59 the ages in post are uniform on 22..49 (10,000 workers, each
    of the 28 counts Binomial(10,000, 1/28), sd 18.6, within 4.6 sd: false alarm 1e-4
    over the 28), and with tenure 25-30 a worker younger than 43 has served age - 18
    years (the tenure bands hold nothing lower), one of 43..49 at most that."""
    pop, age, tenure = _women_retiring_at_50([[22, 59, 1.0]], [[25, 30, 1.0]])
    n, y = pop.n, 2025
    assert age.min() == 22 and age.max() == 49 and (pop.retire_at[:n] > y).all()
    counts = np.bincount(age - 22, minlength=28)
    sd = np.sqrt(n / 28 * (1 - 1 / 28))
    assert (np.abs(counts - n / 28) <= 4.6 * sd).all(), counts
    young = age < 43
    assert (tenure[young] == age[young] - 18).all()
    assert (tenure[~young] >= 25).all() and (tenure[~young] <= np.minimum(age[~young] - 18, 30)).all()


def test_a_new_age_and_the_tenure_drawn_for_it_are_independent_draws():
    """The new age of a worker past the retirement age and the tenure then drawn for it
    come from separate uniforms: among the re-aged (those 50 or older without retirement,
    10 of the 38 ages 22..59: a binomial count of mean 2,632 and sd 44 of 10,000), the
    tenure's place in its allowed range (tenure / (age - 18)) is uncorrelated with the age
    (|r| within 4.5 standard errors, 4.5 / sqrt(2,632) = 0.088); drawn from the same
    uniforms it was 0.57."""
    pop, age, tenure = _women_retiring_at_50([[22, 59, 1.0]], [[0, 40, 1.0]])
    sc = model.load(SCENARIOS / "bench.toml", {
        "population.age": [[22, 59, 1.0]], "population.tenure": [[0, 40, 1.0]],
        "population.min_hire_age": 18, "population.female_share": 1.0, "retirement.enabled": False})
    before = starting_workforce(sc)
    reaged = age_on_1_january(before.birth[:before.n], sc.start_year) >= 50
    mean, sd = 10_000 * 10 / 38, np.sqrt(10_000 * 10 / 38 * 28 / 38)
    assert abs(reaged.sum() - mean) < 4.5 * sd
    r = np.corrcoef(age[reaged], tenure[reaged] / (age[reaged] - 18))[0, 1]
    assert abs(r) < 4.5 / np.sqrt(reaged.sum()), r


def test_workers_too_old_for_every_age_band_take_the_oldest_age_in_post():
    """Where the age bands hold nothing young enough to be in post (all 50-59, women
    retiring at 50), a starting worker takes the oldest age in post, 49 in whole years on
    1 January (one born on 1 January turns 49 that day and 50 a year later), and their
    tenure (bands 25-35) is cut to what hires them at 18: 25..31."""
    pop, age, tenure = _women_retiring_at_50([[50, 59, 1.0]], [[25, 35, 1.0]])
    n, y = pop.n, 2025
    assert (age == 49).all() and (pop.retire_at[:n] > y).all()
    assert (pop.retire_at[:n][pop.birth[:n] == np.floor(pop.birth[:n])] == y + 1).all()  # born 1 January
    assert tenure.min() == 25 and tenure.max() == 31 and (tenure <= age - 18).all()


def test_district_starting_grades_follow_the_certificate_held(tmp_path):
    """A district with its own starting certified share redraws its workers' levels, and
    their starting grade adds the certificate bonus of the level they hold (it once added
    the city mix's level drawn before): with the city mix all assistant, the village's
    uncertified workers start at their education's entry grade (3), the town's one grade
    above (4). Tenure 0 and no flows: the grades on 31 December are the starting ones."""
    from model.engine import Replication
    text = DISTRICTS.replace("certified_share = 0.1", "certified_share = 0.0") + """
[population]
tenure = [[0, 0, 1.0]]
certificate = [0.0, 1.0, 0.0, 0.0]
education = [0.0, 1.0, 0.0, 0.0]
[grades]
enabled = true
entry_grade = [1, 3, 5, 7]
certificate_bonus = [0, 1, 2, 3]
step_prob = 0.0
"""
    off = {f"{m}.enabled": False
           for m in ("recruitment", "quits", "retirement", "certification", "dismissal")}
    rep = Replication(model.load(write_scenario(tmp_path, text), off), 5, 0)
    rep.run()
    n = rep.pop.n
    village = rep.comm.district[rep.pop.community[:n]] == 1
    level, grade = rep.pop.level[:n], rep.pop.grade[:n]
    assert n == 2000 and village.sum() == 1000
    assert (level[village] == 0).all() and (level[~village] == 1).all()
    assert (grade[village] == 3).all() and (grade[~village] == 4).all()


def test_constant_prices_deflate_from_the_base_year(tmp_path):
    """With 10% inflation and base year 2024, 2025 payroll in constant prices is nominal /
    1.1 and 2026 nominal / 1.21; with no base year the start year is the base."""
    text = DETERMINISTIC + "\n[economy]\ninflation = 0.1\nprice_base_year = 2024\n"
    r = model.run(model.load(write_scenario(tmp_path, text)), reps=1, seed=1)
    for year, idx in ((2025, 1.1), (2026, 1.21)):
        np.testing.assert_allclose(r.at("payroll_real", year), r.at("payroll", year) / idx)
    r0 = model.run(model.load(write_scenario(tmp_path, DETERMINISTIC + "\n[economy]\ninflation = 0.1\n",
                                             "b.toml")), reps=1, seed=1)
    np.testing.assert_allclose(r0.at("payroll_real", 2025), r0.at("payroll", 2025))


def test_constant_prices_of_a_later_base_year_use_each_years_inflation(tmp_path):
    """Inflation 0% in 2025, 10% in 2026-2027, 2% from 2028, base year 2027: prices
    relative to 2027 are 1/1.21, 1/1.1, 1, 1.02, 1.02^2 ...; after the end (base 2040 on a
    horizon to 2034) the last year's rate carries on."""
    text = (DETERMINISTIC.replace("years = 3\n", "years = 10\n")
            + "\n[economy]\ninflation = {2025 = 0.0, 2026 = 0.1, 2028 = 0.02}\nprice_base_year = 2027\n")
    r = model.run(model.load(write_scenario(tmp_path, text)), reps=1, seed=1)
    index = {2025: 1 / 1.21, 2026: 1 / 1.1, 2027: 1.0, 2028: 1.02, 2030: 1.02 ** 3}
    for year, idx in index.items():
        np.testing.assert_allclose(r.at("payroll_real", year), r.at("payroll", year) / idx, rtol=1e-12)
    late = model.run(model.load(write_scenario(tmp_path, text.replace("2027\n", "2040\n"), "late.toml")),
                     reps=1, seed=1)
    np.testing.assert_allclose(late.at("payroll_real", 2034), late.at("payroll", 2034) * 1.02 ** 6,
                               rtol=1e-12)


def test_results_tables_are_computed_once_per_values():
    """summary() and targets() are worked out once; a caller changing its copy, or new
    values, cannot make them stale."""
    res = model.run(model.load(SCENARIOS / "example-city.toml", {"demand.communities": 30,
                                                                  "demand.urban_residents": 225_000,
                                                                  "population.headcount": 350}), reps=3, seed=2)
    first = res.summary()
    first["mean"] = -1.0
    again = res.summary()
    assert (again["mean"] != -1.0).any()
    assert again.equals(res._summary(model.results.QUANTILES))
    res.values = res.values * 2
    doubled = res.summary()
    i = doubled["metric"] == "headcount"
    np.testing.assert_allclose(doubled.loc[i, "mean"].to_numpy(), 2 * again.loc[i, "mean"].to_numpy())


def test_csv_tables_keep_a_national_payroll_to_the_yuan(small_bench, tmp_path):
    """summary.csv holds 15 significant digits: numbers of hundreds of billions (a national
    payroll) read back within a thousandth of a yuan (10 digits lost whole yuan)."""
    import pandas as pd
    res = model.run(small_bench, reps=3, seed=1)
    res.values = res.values * 1e4 + 0.37  # payroll about 3e11 yuan, with a fraction
    res.to_csv(tmp_path)
    back = pd.read_csv(tmp_path / "summary.csv")
    s = res.summary()
    assert s["mean"].abs().max() > 1e11
    np.testing.assert_allclose(back["mean"], s["mean"], rtol=0, atol=1e-3)


def test_results_lookups_are_copies_and_name_their_argument(small_bench):
    """at() is a copy (editing it leaves every table alone); a renamed result's tables carry
    the new name; a wrong metric or year is a UserError naming the argument that is also
    the KeyError of a lookup."""
    from model.errors import UnknownName, UserError
    res = model.run(small_bench, reps=3, seed=1)
    before = res.summary()
    x = res.at("headcount", 2025)
    x -= x.mean()
    assert res.summary().equals(before) and (res.at("headcount", 2025) > 0).all()
    res.scenario = "renamed"
    assert set(res.summary().scenario) == {"renamed"} == set(res.per_replication().scenario)
    with pytest.raises(UnknownName, match="argument 'name': no metric 'headcont'; did you mean 'headcount"):
        res.at("headcont", 2025)
    with pytest.raises(KeyError, match="argument 'year': year 2040 is outside 2025-2034"):
        res.at("headcount", 2040)
    with pytest.raises(UserError, match="argument 'year': expected a whole number, got '2026'"):
        res.at("headcount", "2026")
    assert (res.at("headcount", 2026.0) == res.at("headcount", np.int64(2026))).all()


@pytest.mark.parametrize("quantiles, columns", [
    ((0.025, 0.5, 0.975), ["p02.5", "p50", "p97.5"]),
    ((0.05, 0.1, 0.9), ["p05", "p10", "p90"]),
    ((0.125, 0.135), ["p12.5", "p13.5"]),
    ((0.001, 0.999, 0.0, 1.0), ["p00.1", "p99.9", "p00", "p100"]),
    ((1e-7, 0.5), ["p00.00001", "p50"]),
])
def test_quantile_columns_are_named_exactly(small_bench, quantiles, columns):
    res = model.run(small_bench, reps=4, seed=1)
    s = res.summary(quantiles)
    assert list(s.columns[5:]) == columns
    v = res.values.reshape(4, -1)
    for q, c in zip(quantiles, columns):
        np.testing.assert_array_equal(s[c].to_numpy(), np.quantile(v, q, axis=0))


@pytest.mark.parametrize("quantiles, words", [
    ((0.001, 0.001), "quantiles (0.001, 0.001) give the column p00.1 twice"),
    ((1.5,), "expected a quantile in [0, 1], got 1.5"),
    (0.5, "expected a list of quantiles"),
])
def test_bad_quantiles_name_the_argument(small_bench, quantiles, words):
    from model.errors import UserError
    res = model.run(small_bench, reps=2, seed=1)
    with pytest.raises(UserError, match=re.escape(f"argument 'quantiles': {words}")):
        res.summary(quantiles)


def test_starting_workers_carry_last_years_grades():
    """Starting workers were rated last year (where a rule reads it before the first
    assessment: here grade steps dated mid-year): with no certificate shift their scores
    are standard normal whatever the persistence, so the grades follow the shares exactly.
    10,000 workers, shares (0.2, 0.5, 0.2, 0.1): each count within 4 binomial standard
    deviations (a false alarm for 3 in 10,000 seeds over the four). Without the
    assessment they stay unrated (-1)."""
    shares = [0.2, 0.5, 0.2, 0.1]
    sc = model.load("bench", overrides={"assessment.shares": shares, "assessment.persistence": 0.5,
                                        "calendar.promotion": 0.5})
    pop = starting_workforce(sc)
    n = pop.n
    counts = np.bincount(pop.rating, minlength=4)
    for k, s in enumerate(shares):
        assert abs(counts[k] - n * s) < 4 * np.sqrt(n * s * (1 - s)), (k, counts)
    off = starting_workforce(sc.with_overrides({"assessment.enabled": False}))
    assert (off.rating == -1).all()


def test_starting_workers_are_ranked_by_the_score_behind_last_years_grade():
    """An election or promotion out dated before the first assessment ranks the starting
    workers by the score their grade of last year came from (the grades are that score cut
    at the shares' quantiles), not by their lasting ability alone: found in an audit of
    2026-12-07, when the grades and the score that ranks agreed for about half of them."""
    from model.policies import assessment
    shares = [0.2, 0.5, 0.2, 0.1]
    sc = model.load("bench", overrides={"assessment.shares": shares, "assessment.persistence": 0.5,
                                        "calendar.promotion": 0.5})
    pop = starting_workforce(sc)
    n = pop.n
    graded = assessment.grades_from_scores(pop.score[:n], assessment.cuts(shares))
    np.testing.assert_array_equal(graded, pop.rating[:n])
    assert not np.array_equal(pop.score[:n], pop.ability[:n])


def test_last_years_grades_keep_the_excellent_quota():
    """With a quota of 5% on the excellent grade, the starting workers' grades of last
    year keep it too: exactly floor(0.05 n) rated excellent (the shares alone would rate
    about 30%), the highest scores among those the shares rate excellent (the others rated
    qualified: the unqualified and basic counts are those without the quota), the scores
    the engine worked out (with a lasting ability, not the year's draws)."""
    from unittest import mock

    from model.policies import assessment
    over = {"assessment.shares": [0.3, 0.5, 0.15, 0.05], "calendar.promotion": 0.5,
            "assessment.persistence": 0.5}  # a score not in the order of the year's draws alone
    sc = model.load("bench", overrides=over)
    free = starting_workforce(sc)
    seen, real = [], assessment.last_years_scores

    def spy(*a, **k):  # the scores the engine works out, as it gets them
        seen.append(real(*a, **k).copy())
        return seen[-1]
    with mock.patch.object(assessment, "last_years_scores", spy):
        held = starting_workforce(sc.with_overrides({"assessment.excellent_cap": 0.05}))
    assert len(seen) == 1  # the bench's 10,000 rows are one chunk: the scores of every row
    scores = seen[0]
    n = held.n
    a, b = np.bincount(free.rating, minlength=4), np.bincount(held.rating, minlength=4)
    assert b[0] == int(0.05 * n) and a[0] > 0.25 * n
    assert b[1] == a[1] + a[0] - b[0] and (b[2:] == a[2:]).all()
    assert (held.rating[free.rating != 0] == free.rating[free.rating != 0]).all()
    top = np.flatnonzero(free.rating == 0)
    top = top[np.argsort(-scores[top], kind="stable")[:b[0]]]
    assert set(np.flatnonzero(held.rating == 0)) == set(top)


def test_the_annuity_of_excellent_workers_starts_in_the_first_year():
    """Changzhou extends the annuity to workers rated excellent last year (seed 000): the
    starting workers rated excellent in the year before the start are covered in the
    first year already: the extension costs something in the first year of every
    replication (before, nobody starting was rated, and it cost exactly nothing)."""
    sc = model.load("changzhou-2022")
    on = model.run(sc, reps=4, seed=2)
    off = model.run(sc.with_overrides({"pay.annuity_excellent": False}), reps=4, seed=2)
    extra = col(on, "payroll_annuity") - col(off, "payroll_annuity")
    assert (extra[:, 0] > 0).all(), extra[:, :2]


@pytest.mark.parametrize("first, expected", [
    ([2026, 2026, np.nan, np.nan, np.nan], np.nan),      # 2 of 5 ever meet it: not by half
    ([2026, 2027, 2028, np.nan, np.nan], 2028.0),        # the third of five meets it in 2028
    ([2025, 2026], 2025.0),                              # half have met it by 2025
    ([2028, 2025, 2027, 2026], 2026.0),
    ([], np.nan),
])
def test_first_year_met_counts_the_replications_that_never_meet(first, expected):
    """The reported first year (targets.csv first_year_met_p50) is the median over every
    replication, those that never meet the target counting as after the horizon: the
    year by which half the replications have met it."""
    from model.results import first_year_by_half
    got = first_year_by_half(np.array(first, dtype=float))
    assert (np.isnan(got) and np.isnan(expected)) or got == expected


@pytest.mark.parametrize("share, expected", [
    (0.1, 2025.0),    # 2 of 20 (a tenth) have met it by 2025
    (0.5, 2027.0),    # the tenth of 20 meets it in 2027
    (0.9, 2029.0),    # the eighteenth in 2029
    (0.95, np.nan),   # 2 of 20 never do: not 19 by the horizon
])
def test_first_year_met_by_a_share_of_the_replications(share, expected):
    """targets.csv's first_year_met_p10 and p90: the year by which a tenth, and nine tenths,
    of the replications have met the target, counted by hand on 20 replications (2 in 2025,
    2026 and 2028, 6 in 2027 and 2029; 2 never meet it)."""
    from model.results import first_year_by_share
    first = np.array([2025] * 2 + [2026] * 2 + [2027] * 6 + [2028] * 2 + [2029] * 6 + [np.nan] * 2, float)
    got = first_year_by_share(np.random.default_rng(1).permutation(first), share)
    assert (np.isnan(got) and np.isnan(expected)) or got == expected


def test_targets_table_has_the_first_year_met_by_a_tenth_and_nine_tenths(tmp_path):
    """The columns come from each target's first years over the replications (first_year_met):
    a certified share near 0.83 from 2025 (the uncertified dismissed), met in different years."""
    from model.results import first_year_by_share
    text = DISTRICTS.split("[[districts]]")[0] + """
[[targets]]
name = "certified"
metric = "certified_share"
year = 2028
threshold = 0.825
"""
    r = model.run(model.load(write_scenario(tmp_path, text), {"years": 4}), reps=12, seed=2, workers=1)
    tab = r.targets().set_index("target")
    f = r.first_year_met(r.target_specs[0])
    assert len(np.unique(f[~np.isnan(f)])) > 1  # met in different years
    assert tab.iloc[0]["first_year_met_p10"] < tab.iloc[0]["first_year_met_p90"]  # both finite, apart
    for t in r.target_specs:
        first = r.first_year_met(t)
        for col, share in (("first_year_met_p10", 0.1), ("first_year_met_p90", 0.9)):
            want, got = first_year_by_share(first, share), tab.loc[t.name, col]
            assert (np.isnan(want) and np.isnan(got)) or want == got


@pytest.mark.parametrize("value, ok", [(-1, True), (0, True), (3, True), (-2, False)])
def test_a_districts_party_posts_are_minus_one_or_a_whole_number(tmp_path, value, ok):
    """-1 (the city's), or 0..100; a fraction is bad_scenarios/district_party_posts_fractional.toml."""
    from model.errors import ScenarioError
    text = DISTRICTS + f"min_party_posts = {value}\n"
    path = write_scenario(tmp_path, text)
    if ok:
        assert model.load(path).districts[1].min_party_posts == value
    else:
        with pytest.raises(ScenarioError, match=r"districts\[1\]\.min_party_posts"):
            model.load(path)


def test_no_spread_is_sd_zero(tmp_path):
    """A metric with the same value in every replication has sd exactly 0, not the
    rounding of subtracting the mean (30 copies of 1,234,567.89 gave 4.7e-10)."""
    from dataclasses import replace
    r = model.run(model.load(write_scenario(tmp_path, DETERMINISTIC)), reps=30, seed=1)
    same = replace(r, values=np.full_like(r.values, 1234567.89))
    assert (same.summary().sd == 0).all()


def test_a_starting_headcount_without_posts_runs(bench):
    """The staffing rule may give no posts while the scenario states a starting headcount
    (validate accepts it): the workers start spread over the communities, none is hired,
    and the run ends with its headcount at most the starting one."""
    sc = bench.with_overrides({"demand.posts_per_community": 0, "population.headcount": 12,
                               "demand.communities": 5, "years": 2})
    r = model.run(sc, reps=2, seed=1)
    # the 12 start: each either still in post at the end of the first year or gone
    assert (r.at("headcount", 2025) + r.at("exits_total", 2025) == 12).all()
    assert (r.at("hires", 2026) == 0).all()


def test_a_filled_share_of_the_posts_starts_in_post():
    """``population.filled_share``: round-half-up share x posts workers at the start (here
    posts of 10-14 per community by the size bands, so the count is each replication's),
    spread over communities in proportion to their posts (largest remainder); refused
    beside a headcount."""
    from model.errors import ScenarioError
    from model.sampling import largest_remainder
    sc = model.load("bench", {"demand.rule": "size_band", "demand.urban_residents": 200_000,
                              "demand.communities": 40, "demand.band_base": 10, "demand.band_limit": 1500,
                              "demand.band_step": 300, "demand.households_spread": 0.5,
                              "population.filled_share": 0.73})
    rep = starting_workforce(sc, replication=True)
    posts = rep.comm.posts
    assert len(set(posts.tolist())) > 1
    want = int(np.floor(0.73 * posts.sum() + 0.5))
    assert rep.pop.n == want
    assert np.bincount(rep.pop.community, minlength=len(posts)).tolist() == \
        largest_remainder(want, posts).tolist()
    with pytest.raises(ScenarioError, match="population.filled_share"):
        model.load("bench", {"population.headcount": 100, "population.filled_share": 0.5})


def test_the_city_subsidy_is_capped_at_each_districts_cost(tmp_path):
    """A subsidy of 100,000 per worker-year covers all of the town's cost (about 62,000 per
    worker-year: pay, no work funds) and part of the village's (its work funds are 2 million
    a community): the town takes only its cost, the village its full subsidy, and the city's
    subsidy is the two added up, not 100,000 x all worker-years (which let the town's unused
    subsidy pay the village's cost, so the districts did not add up to the city)."""
    fund = {"funding.work_fund_urban": 0, "funding.work_fund_rural": 2_000_000,
            "funding.city_subsidy_per_worker": 100_000, "funding.province_share": 0.25, "years": 2}
    r = model.run(model.load(write_scenario(tmp_path, DISTRICTS), fund), reps=2, seed=3, workers=1)
    for y in r.years:
        town, village = r.at("total_cost.town", y), r.at("total_cost.village", y)
        assert (town < 100_000 * r.at("worker_years.town", y)).all()
        assert (village > 100_000 * r.at("worker_years.village", y)).all()
        np.testing.assert_allclose(r.at("funding_city.town", y), town, rtol=1e-12)
        np.testing.assert_allclose(r.at("funding_city", y), town + 100_000 * r.at("worker_years.village", y),
                                   rtol=1e-12)
        for m in ("funding_city", "funding_province", "funding_district"):
            np.testing.assert_allclose(r.at(f"{m}.town", y) + r.at(f"{m}.village", y), r.at(m, y), rtol=1e-12)
        rest = r.at("total_cost", y) - r.at("funding_city", y)
        np.testing.assert_allclose(r.at("funding_province", y), 0.25 * rest, rtol=1e-12)


def test_a_subsidy_covering_every_districts_cost_leaves_the_districts_nothing_to_pay():
    """Where the city's subsidy covers each district's whole cost, the districts pay exactly
    0 in every year, not the rounding left over from the city's total less the city's and
    the province's shares summed over districts (which was -6e-5 yuan in some years)."""
    sc = model.load("nanjing-2018", {"funding.city_subsidy_per_worker": 1e6, "years": 5})
    r = model.run(sc, reps=3, seed=2, workers=1)
    assert (r.metric("funding_district").to_numpy() == 0).all()
    np.testing.assert_allclose(r.metric("funding_city").to_numpy(), r.metric("total_cost").to_numpy(),
                               rtol=1e-12)


NEWLY_SCOPED = ("posts", "vacancy_rate", "workers_per_community", "communities_certified_k_share",
                "college_share", "avg_pay_committee", "avg_pay_head", "pay_ratio_committee",
                "remuneration_ratio_committee", "elimination_rate")


def test_the_metrics_targets_name_are_kept_by_district_too(tmp_path):
    """DESIGN section 5's target metrics may carry a scope: vacancy rate, workers per community,
    the share of communities with k certified, the college share and pay by post class are
    kept by district and urban/rural. A city of one district: each is the city's, exactly.
    Two districts (the village starting at 10% certified, nobody there passing): posts and
    the counts behind each share add up to the city's, each district's vacancy rate is its
    vacancies over its posts, and the village has the fewer communities with k certified; a
    target on one of them with a scope is measured on that part (its probability is the
    share of replications meeting it there)."""
    one = DISTRICTS.split("[[districts]]")[0] + '[[districts]]\nname = "town"\ncommunities = 200\n'
    r = model.run(model.load(write_scenario(tmp_path, one), {"years": 3}), reps=3, seed=4, workers=1)
    for y in r.years:
        for m in NEWLY_SCOPED:
            np.testing.assert_allclose(r.at(f"{m}.town", int(y)), r.at(m, int(y)), rtol=1e-12, err_msg=m)
            np.testing.assert_array_equal(r.at(f"{m}.urban", int(y)), r.at(f"{m}.town", int(y)), err_msg=m)
    two = DISTRICTS + """
[[targets]]
name = "village communities with 3 certified"
metric = "communities_certified_k_share"
scope = "village"
year = 2026
op = "<="
threshold = 0.5
"""
    sc = model.load(write_scenario(tmp_path, two), {"years": 3})
    r = model.run(sc, reps=4, seed=4, workers=1)
    for y in (int(y) for y in r.years):
        def parts(m, y=y):
            return r.at(f"{m}.town", y) + r.at(f"{m}.village", y)
        for m in M.SUMMED_SCOPED:  # the sums (labelled 合计 in Chinese) add up
            np.testing.assert_allclose(parts(m), r.at(m, y), rtol=1e-9, err_msg=m)
        for d in ("town", "village"):
            np.testing.assert_allclose(r.at(f"vacancy_rate.{d}", y),
                                       r.at(f"vacancies.{d}", y) / r.at(f"posts.{d}", y), rtol=1e-12)
        for share, of in (("college_share", "headcount"), ("workers_per_community", "communities"),
                          ("communities_certified_k_share", "communities")):
            counted = r.at(f"{share}.town", y) * r.at(f"{of}.town", y) + r.at(f"{share}.village", y) * r.at(
                f"{of}.village", y)
            np.testing.assert_allclose(counted, r.at(share, y) * r.at(of, y), rtol=1e-9, err_msg=share)
        assert (r.at("communities_certified_k_share.village", y)
                < r.at("communities_certified_k_share.town", y)).all()
    t = r.targets().set_index("target").loc["village communities with 3 certified"]
    met = r.at("communities_certified_k_share.village", 2026) <= 0.5
    assert t["probability"] == met.mean() and t["metric"] == "communities_certified_k_share.village"


def test_the_elimination_rate_by_district(tmp_path):
    """Bottom-ratio elimination ranks the whole city: 20% of 2,000 workers go in 2025. With
    scores alike in both districts (no shift for a certificate), a district's share is
    hypergeometric: 400 of 2,000 drawn, 1,000 there, sd sqrt(0.2 x 0.8 x 1000/1999 / 1000) =
    0.0089 about 0.2, checked within 4 sd. With certified workers scoring a whole sd higher, the
    village (10% certified against about half in the town) loses more: its rate exceeds the
    town's by more than 0.05 (some 0.12 at these settings). One district: the
    city's rate exactly. 2026 has no elimination: 0 everywhere. A target on a district's rate
    is measured there."""
    elim = {"elimination.enabled": True, "elimination.share": {"2025": 0.2, "2026": 0.0}, "years": 2,
            "dismissal.enabled": False}
    two = DISTRICTS + """
[[targets]]
name = "village renewal"
metric = "elimination_rate"
scope = "village"
year = 2025
threshold = 0.25
"""
    sc = model.load(write_scenario(tmp_path, two), elim)
    r = model.run(sc, reps=4, seed=6, workers=1)
    for d in ("town", "village"):
        assert (np.abs(r.at(f"elimination_rate.{d}", 2025) - 0.2) < 4 * 0.0089).all(), d
        assert (r.at(f"elimination_rate.{d}", 2026) == 0).all()
    np.testing.assert_array_equal(r.at("elimination_rate.urban", 2025), r.at("elimination_rate.town", 2025))
    t = r.targets().set_index("target").loc["village renewal"]
    assert t["probability"] == (r.at("elimination_rate.village", 2025) >= 0.25).mean()
    shifted = model.run(sc.with_overrides({"assessment.certified_shift": 1.0}), reps=4, seed=6, workers=1)
    gap = shifted.at("elimination_rate.village", 2025) - shifted.at("elimination_rate.town", 2025)
    assert (gap > 0.05).all(), gap  # about 0.12; each rate's own sd is under 0.009
    one = DISTRICTS.split("[[districts]]")[0] + '[[districts]]\nname = "town"\ncommunities = 200\n'
    r1 = model.run(model.load(write_scenario(tmp_path, one), elim), reps=3, seed=6, workers=1)
    np.testing.assert_array_equal(r1.at("elimination_rate.town", 2025), r1.at("elimination_rate", 2025))


def test_each_districts_cost_and_who_pays_it(tmp_path):
    """Per district (150 urban communities at 10,000 of work funds, 50 rural at 20,000: of
    unequal size, so that one district's sums counted for the other show): with no training
    or recruitment cost the total is its payroll and those funds, exactly; its worker-years
    lie within its own posts (10 a community, a year each: at most, and above 85%, as quits,
    retirements and deaths take about 5% of a year); its payroll per worker-year is a staff
    post's 60,000 plus at most 2,400 of allowance; the districts' totals, worker-years and
    (the subsidy's cap not binding) funding parts add up to the city's; each district's
    funding follows the city's rule on its own total and worker-years. With training and
    recruitment priced, the districts' totals still add up to the city's; with hires priced
    alone, each district's cost above its payroll and funds is 500 x its own hires, and the
    district of three times the posts hires more every year."""
    sizes = {"town": 150, "village": 50}
    fund = {"funding.work_fund_urban": 10_000, "funding.work_fund_rural": 20_000,
            "funding.city_subsidy_per_worker": 40_000, "funding.province_share": 0.1,
            "districts[0].communities": sizes["town"], "districts[1].communities": sizes["village"]}
    free = {"training.cost_per_trainee": 0, "recruitment.cost_per_hire": 0}
    sc = model.load(write_scenario(tmp_path, DISTRICTS), {**fund, **free, "years": 3})
    r = model.run(sc, reps=3, seed=11, workers=1)
    funds = {"town": sizes["town"] * 10_000, "village": sizes["village"] * 20_000}
    for y in r.years:
        y = int(y)
        for d, rate in funds.items():
            np.testing.assert_allclose(r.at(f"total_cost.{d}", y) - r.at(f"payroll.{d}", y), rate, rtol=1e-9)
            wy, posts = r.at(f"worker_years.{d}", y), 10 * sizes[d]
            assert ((wy <= posts) & (wy > 0.85 * posts)).all(), (d, wy)
            per = r.at(f"payroll.{d}", y) / wy
            assert ((per >= 60_000) & (per <= 62_400)).all(), (d, per)
            city = np.minimum(40_000 * wy, r.at(f"total_cost.{d}", y))
            np.testing.assert_allclose(r.at(f"funding_city.{d}", y), city, rtol=1e-12)
            np.testing.assert_allclose(r.at(f"funding_province.{d}", y),
                                       0.1 * (r.at(f"total_cost.{d}", y) - city), rtol=1e-12)
        for m in ("total_cost", "worker_years", "funding_city", "funding_province", "funding_district"):
            np.testing.assert_allclose(r.at(f"{m}.town", y) + r.at(f"{m}.village", y), r.at(m, y), rtol=1e-12)
            np.testing.assert_allclose(r.at(f"{m}.urban", y), r.at(f"{m}.town", y), rtol=0)
    prices = {"training.cost_per_trainee": 1_000, "recruitment.cost_per_hire": 500}
    priced = model.run(sc.with_overrides(prices), reps=3, seed=11, workers=1)
    assert priced.metric("cost_training").to_numpy().min() > 0 and priced.metric("hires").to_numpy().sum() > 0
    parts = sum(priced.metric(f"total_cost.{d}").to_numpy() for d in ("town", "village"))
    np.testing.assert_allclose(parts, priced.metric("total_cost").to_numpy(), rtol=1e-12)
    hired = model.run(sc.with_overrides({"recruitment.cost_per_hire": 500}), reps=3, seed=11, workers=1)
    each = {d: (hired.metric(f"total_cost.{d}") - hired.metric(f"payroll.{d}")).to_numpy() / 500 - f / 500
            for d, f in funds.items()}
    for d, k in each.items():
        np.testing.assert_allclose(k, np.round(k), atol=1e-6)
    # about 530 and 320 hires in the second year, 170 and 85 in the third (quits, and dismissals without a
    # certificate, which take more of the village's, 10% certified): the town's more by five standard
    # deviations of their difference at least (Poisson-like counts, sd about 15)
    assert (each["town"][:, 1:] > each["village"][:, 1:]).all()
    np.testing.assert_allclose(each["town"] + each["village"], hired.metric("hires").to_numpy(), atol=1e-6)
