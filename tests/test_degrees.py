"""In-service degrees (model.policies.degrees): who earns one, the re-grading, and the
certificate deadline's first sitting year, against hand-computed cases and binomial laws
(the engine's counts against the Markov chain over the levels: tests/test_theory_rules.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from scipy import stats

import model
from model.policies import certification, degrees, dismissal
from model.population import DISMISSED_CERT, Workforce

GRADES = SimpleNamespace(enabled=True, entry_grade=[1.0, 1.0, 3.0, 4.0],
                         certificate_bonus=[0.0, 1.0, 2.0, 3.0], max_grade=[12.0, 15.0, 18.0])


def _params(rate, max_age=100.0, regrade=True):
    return SimpleNamespace(rate=rate, max_age=max_age, regrade=regrade, cost_per_degree=0.0)


def _workforce(education, grade=5, post=0, birth=1990.0, hire_year=2020):
    n = len(education)
    return Workforce.from_columns(education=np.asarray(education, np.int8), grade=np.full(n, grade, np.int8),
                                  post=np.full(n, post, np.int8), birth=np.full(n, birth),
                                  hire_year=np.full(n, hire_year, np.int32),
                                  hire_time=np.full(n, float(hire_year)), uid=np.arange(n, dtype=np.uint64))


def test_degrees_by_level_are_binomial_and_level_3_earns_none():
    """Each worker below postgraduate earns the next level with the rate of the level held:
    counts Binomial(n_e, rate[e]); 20,000 workers a level, seed fixed, two-sided binomial
    tests at 1e-4 / 3 each (family false alarm 1e-4)."""
    n = 20_000
    edu = np.repeat([0, 1, 2, 3], n)
    pop = _workforce(edu)
    rate = [0.1, 0.2, 0.05]
    out = degrees.apply(pop, _params(rate), GRADES, np.random.default_rng(11), 2025.99, 2025)
    now = pop.education.astype(int)
    earned = now - edu
    assert set(np.unique(earned)) <= {0, 1}
    for e in range(3):
        k = int(earned[edu == e].sum())
        assert stats.binomtest(k, n, rate[e]).pvalue > 1e-4 / 3, (e, k)
    assert earned[edu == 3].sum() == 0
    assert out["degrees_earned"] == earned.sum()


def test_age_limit_and_inactive_workers():
    """Aged above max_age (whole years on the day), left, or not yet hired: no degree."""
    pop = _workforce([0] * 4, birth=1980.5)  # 45 on 2025.99 (the birthday was at 2025.5)
    pop.birth[1] = 1980.0  # 45 too (floor(2025.99 - 1980) = 45)
    pop.birth[2] = 1979.9  # 46
    pop.exit_time[3] = 2025.5  # left before the date
    out = degrees.apply(pop, _params([1.0, 1.0, 1.0], max_age=45), GRADES, np.random.default_rng(0),
                        2025.99, 2025)
    assert list(pop.education) == [1, 1, 0, 0]
    assert out["degrees_earned"] == 2
    late = _workforce([0], hire_year=2026)
    degrees.apply(late, _params([1.0, 1.0, 1.0]), GRADES, np.random.default_rng(0), 2025.99, 2025)
    assert late.education[0] == 0


@pytest.mark.parametrize("edu, grade, post, expected", [
    (0, 5, 0, 5),    # entry grades 1 -> 1: no step
    (1, 5, 0, 7),    # college -> bachelor: entry 1 -> 3, two grades
    (2, 5, 0, 6),    # bachelor -> postgraduate: 3 -> 4, one grade
    (1, 11, 0, 12),  # two grades, held to the staff maximum of 12
    (1, 13, 0, 13),  # already above the staff maximum: kept, not lowered
    (1, 14, 1, 15),  # a committee member: maximum 15
])
def test_regrade_moves_up_by_the_entry_grades(edu, grade, post, expected):
    pop = _workforce([edu], grade=grade, post=post)
    degrees.apply(pop, _params([1.0, 1.0, 1.0]), GRADES, np.random.default_rng(0), 2025.99, 2025)
    assert pop.education[0] == edu + 1
    assert pop.grade[0] == expected


def test_no_regrade_when_off_or_without_a_ladder():
    for p, g in ((_params([1.0, 1.0, 1.0], regrade=False), GRADES),
                 (_params([1.0, 1.0, 1.0]), SimpleNamespace(**{**vars(GRADES), "enabled": False}))):
        pop = _workforce([1], grade=5)
        degrees.apply(pop, p, g, np.random.default_rng(0), 2025.99, 2025)
        assert (pop.education[0], pop.grade[0]) == (2, 5)


def _dismissed_in(pop, years, exam_of_year, needs, start: int) -> dict[int, int]:
    """The year each worker of ``pop`` is dismissed for lacking a certificate under a deadline of
    3 years (the assessment at the very end of each year's 31 December; ``exam_of_year(y)``:
    that year's certification parameters), by row."""
    deadline = SimpleNamespace(consecutive_unqualified=0, cumulative_unqualified=0, certificate_deadline=3,
                               certificate_deadline_from=0)
    out = {}
    for y in years:
        dismissal.apply(pop, deadline, y + 1.0, exam_of_year(y), needs, start)
        for i in np.flatnonzero((pop.exit_cause == DISMISSED_CERT) & (pop.exit_time == y + 1.0)):
            out[int(i)] = y
    return out


def _exam(by_education, min_education=0):
    return SimpleNamespace(min_tenure=0.0, min_tenure_by_education=by_education, min_education=min_education)


def test_first_exam_year_not_before():
    needs = certification.years_to_sit(_exam([6.0, 4.0, 2.0, 0.0]))
    hire = np.array([2015, 2020, 2024])
    assert list(certification.first_exam_year(hire, np.array([2, 2, 2]), needs)) == [2017, 2022, 2026]
    got = certification.first_exam_year(hire, np.array([2, 2, 2]), needs, not_before=2024)
    assert list(got) == [2024, 2024, 2026]
    # needs that change from one year to the next: the table's way (2026 on: 1 year for a bachelor)
    table = np.array([needs] * 2 + [certification.years_to_sit(_exam([6.0, 4.0, 1.0, 0.0]))] * 8)
    got = certification.first_exam_year(hire, np.array([2, 2, 2]), table, start=2024, not_before=2025)
    # hired 2015 and 2020: enough service long before, so the year after the degree; hired 2024:
    # 1 year's service in 2025, which asks 2; 2 in 2026, which asks 1
    assert list(got) == [2025, 2025, 2026]
    got = certification.first_exam_year(np.array([2024]), np.array([2]), table, start=2024, not_before=2040)
    assert np.isinf(got[0])  # after the horizon


def test_degree_brings_the_first_sitting_year_forward_only_from_the_next_year():
    """Changzhou-style deadline of 3 years. College needs 4 years of service, a bachelor's 2.
    A college worker hired in 2021 (first sitting 2025) who earns a bachelor's at the end of
    2022 (31 December, the promotion date) may sit from 2023 (2 years' service then) -- the
    earliest after the degree; one
    hired in 2015 already could sit from 2019 and keeps it; one below the exam's
    min_education (college) before the degree could not sit at all, and counts from the
    first year after it (2023, 8 years' service), not from 2019 as their service alone
    would say."""
    exam = _exam([4.0, 4.0, 2.0, 0.0], min_education=1)
    needs = certification.years_to_sit(exam)
    pop = _workforce([1, 1, 0], hire_year=2021)
    pop.hire_year[1:] = 2015
    pop.hire_time[1:] = 2015.0
    degrees.apply(pop, _params([1.0, 1.0, 1.0]), GRADES, np.random.default_rng(0), 2023.0, 2022,
                  exam, needs, 2022)
    assert list(pop.sit_from) == [2023, 2019, 2023]
    # from 1 January 2023, 3 years: due at the assessment at the end of 31 December 2025;
    # the worker who could sit from 2019 is due at once
    assert _dismissed_in(pop, range(2023, 2028), lambda y: exam, needs, 2022) == {0: 2025, 1: 2023, 2: 2025}


def test_without_a_degree_the_deadline_is_unchanged():
    """sit_from 0 (no degree): the year from hire and education, as before."""
    exam = _exam([4.0, 4.0, 2.0, 0.0])
    needs = certification.years_to_sit(exam)
    pop = _workforce([1], hire_year=2021)
    # first sitting 2025, 3 years on: 31 December 2027
    assert _dismissed_in(pop, range(2022, 2030), lambda y: exam, needs, 2022) == {0: 2027}


def test_rate_zero_changes_nothing():
    """The mechanism on with rates 0, or off: the same numbers."""
    sc = model.load("bench")
    a = model.run(sc.with_overrides({"degrees.enabled": False}), reps=2, seed=5, workers=1, quiet=True)
    b = model.run(sc, reps=2, seed=5, workers=1, quiet=True)
    assert np.array_equal(a.values, b.values, equal_nan=True)


def test_degrees_leave_other_mechanisms_draws_alone():
    """Common random numbers: with regrade off and nothing reading education (no exam, no
    education rules), a rate above 0 changes education alone: headcount, exits, pay and the
    grades (a ladder on, pay by grade) are those of the run without it."""
    sc = model.load("bench").with_overrides({"certification.enabled": False, "degrees.regrade": False,
                                             "grades.enabled": True,
                                             "pay.grade_coefficient": [1.0 + 0.05 * g for g in range(18)]})
    a = model.run(sc, reps=2, seed=5, workers=1, quiet=True)
    b = model.run(sc.with_overrides({"degrees.rate": [0.3, 0.3, 0.3]}), reps=2, seed=5, workers=1, quiet=True)
    for metric in ("headcount", "exits_total", "payroll", "hires", "mean_grade"):
        i = a.metrics.index(metric)
        assert np.array_equal(a.values[:, :, i], b.values[:, :, i]), metric
    i = a.metrics.index("degrees_earned")
    assert a.values[:, :, i].sum() == 0 and (b.values[:, :, i].sum(axis=1) > 0).all()


def test_age_on_31_december_leaves_a_1_january_birthday_to_come():
    """At the promotion date 1.0 (the end of 31 December) one born on 1 January 1988 is 40
    (周岁), not 41: with max_age 40 they earn the degree; one born a day earlier is 41."""
    pop = _workforce([0, 0])
    pop.birth[0] = 1988.0
    pop.birth[1] = 1988.0 - 1 / 365
    degrees.apply(pop, _params([1.0, 1.0, 1.0], max_age=40), GRADES, np.random.default_rng(0), 2029.0, 2028)
    assert list(pop.education) == [1, 0]


def test_fractional_entry_grades_step_as_hires_enter():
    """Entry grades 1, 1.5, 2.5, 3 enter hires (no certificate) at 1, 2, 3, 3 (rounded half
    up, as recruitment.entry_grade rounds): the three degrees step 1, 1, 0, so a worker who
    earns them all stands where a hire with the last would."""
    g = SimpleNamespace(**{**vars(GRADES), "entry_grade": [1.0, 1.5, 2.5, 3.0]})
    pop = _workforce([0, 1, 2], grade=5)
    degrees.apply(pop, _params([1.0, 1.0, 1.0]), g, np.random.default_rng(0), 2025.99, 2025)
    assert list(pop.grade) == [6, 6, 5]


def test_an_exam_after_the_promotion_date_reads_the_degree_the_same_year():
    """Promotion on 0.3 and the exam on 0.5: a degree earned in 2026 lets the worker sit in
    2026, so the year they could first sit may be 2026 itself: college workers hired in
    2023 and 2024 would sit from 2027 and 2028 (4 years), and with a bachelor's (2 years)
    both may sit in 2026."""
    exam = _exam([4.0, 4.0, 2.0, 0.0])
    needs = certification.years_to_sit(exam)
    pop = _workforce([1, 1], hire_year=2024)
    pop.hire_year[0], pop.hire_time[0] = 2023, 2023.0
    degrees.apply(pop, _params([1.0, 1.0, 1.0]), GRADES, np.random.default_rng(0), 2026.3, 2026, exam, needs,
                  2025, next_exam=2026)
    assert list(pop.sit_from) == [2026, 2026]  # without the degree: 2027 and 2028


def test_a_level_that_asks_more_service_does_not_keep_a_year_not_reached():
    """Years of service to sit by level 6, 2, 4 (a bachelor's asks more than a college
    diploma): a college worker hired in 2020 could sit from 2022, before the degree of
    2023, and keeps 2022; one hired in 2022 would have reached 2024 at college, after the
    degree counts (2024), so a bachelor's 4 years apply: 2026."""
    exam = _exam([6.0, 2.0, 4.0, 4.0])
    needs = certification.years_to_sit(exam)
    pop = _workforce([1, 1], hire_year=2022)
    pop.hire_year[0], pop.hire_time[0] = 2020, 2020.0
    degrees.apply(pop, _params([1.0, 1.0, 1.0]), GRADES, np.random.default_rng(0), 2024.0, 2023, exam, needs, 2020)
    assert list(pop.sit_from) == [2022, 2026]


def test_the_engine_gives_the_year_of_the_next_exam(monkeypatch):
    """The engine tells the mechanism which exam comes next: this year's where the exam is
    dated after the promotion, next year's where it comes before or on the same date."""
    seen = []
    real = degrees.apply

    def spy(*a, **k):
        seen.append((a[5], a[9]))  # (year, next_exam)
        return real(*a, **k)
    monkeypatch.setattr(degrees, "apply", spy)
    sc = model.load("bench").with_overrides({"degrees.rate": [0.1, 0.1, 0.1], "years": 2})
    for promotion, exam, ahead in ((0.3, 0.5, 0), (0.5, 0.5, 1), (1.0, 0.5, 1)):
        seen.clear()
        model.run(sc.with_overrides({"calendar.promotion": promotion, "calendar.exam": exam}), reps=1, seed=1,
                  workers=1, quiet=True)
        assert seen == [(2025, 2025 + ahead), (2026, 2026 + ahead)]


def test_regrade_is_a_default_that_matters_only_with_a_ladder():
    sc = model.load("bench").with_overrides({"degrees.rate": [0.1, 0.0, 0.0]})  # bench: no ladder
    assert "degrees.regrade" not in sc.defaulted() and "degrees.max_age" in sc.defaulted()
    assert "degrees.regrade" in sc.with_overrides({"grades.enabled": True}).defaulted()


def test_regrade_counts_the_certificate_bonus_as_a_hire_would():
    """Entry grades 1, 1.5, 2.5, 3 and certificate bonuses 0, 0.5, 1, 1.5 (grades rounded
    half up): a hire at college with an assistant certificate enters at 1.5 + 0.5 = 2, one
    with a bachelor's at 2.5 + 0.5 = 3; such a worker earning a bachelor's steps 1, as does one
    without a certificate (1.5 -> 2, 2.5 -> 3); one with a senior certificate (bonus 1.5)
    earning college steps 0 (1 + 1.5 = 2.5 -> 3, 1.5 + 1.5 = 3)."""
    g = SimpleNamespace(**{**vars(GRADES), "entry_grade": [1.0, 1.5, 2.5, 3.0],
                           "certificate_bonus": [0.0, 0.5, 1.0, 1.5]})
    pop = _workforce([1, 1, 0], grade=2)
    pop.level[:] = [1, 0, 3]
    degrees.apply(pop, _params([1.0, 1.0, 1.0]), g, np.random.default_rng(0), 2025.99, 2025)
    assert list(pop.grade) == [3, 3, 2]


def test_an_exam_without_its_years_by_year_reads_this_years():
    """As dismissal.apply: an exam given without ``needs`` asks this year's years of service."""
    exam = _exam([4.0, 4.0, 2.0, 0.0])
    pop = _workforce([1], hire_year=2021)
    degrees.apply(pop, _params([1.0, 1.0, 1.0]), GRADES, np.random.default_rng(0), 2023.0, 2022, exam)
    assert pop.sit_from[0] == 2023


def test_the_deadline_counts_from_a_year_the_exam_let_the_worker_sit():
    """min_education changes from year to year: college until 2024, anyone from 2025. A
    worker below college hired in 2018 (4 years' service asked) could first sit in 2025, not
    2022 (barred then): with a deadline of 3 years they are dismissed at the end of 2027,
    not at once in 2025 (years_to_sit is infinite below min_education, year by year)."""
    barred, open_ = _exam([4.0, 4.0, 2.0, 0.0], min_education=1), _exam([4.0, 4.0, 2.0, 0.0])
    needs = np.array([certification.years_to_sit(barred)] * 3 + [certification.years_to_sit(open_)] * 5)
    assert list(certification.first_exam_year(np.array([2018]), np.array([0]), needs, start=2022)) == [2025]
    pop = _workforce([0], hire_year=2018)
    exam_of_year = lambda y: barred if y < 2025 else open_  # noqa: E731
    assert _dismissed_in(pop, range(2022, 2030), exam_of_year, needs, 2022) == {0: 2027}


def test_the_support_is_costed_in_total_cost_by_district_and_in_the_workbook(tmp_path):
    """cost_per_degree x degrees earned is cost_degrees, a part of total_cost (city and
    districts alike, the districts' adding up to the city's) and a row of the budget
    workbook with its input."""
    from openpyxl import load_workbook

    from model.report import budget
    sc = model.load("nanjing-2018").with_overrides({"years": 2, "degrees.rate": [0.3, 0.1, 0.0],
                                                    "degrees.cost_per_degree": 3000})
    res = model.run(sc, reps=2, seed=7, workers=1, quiet=True)
    earned, cost = res.at("degrees_earned", 2018), res.at("cost_degrees", 2018)
    assert (earned > 0).all() and np.array_equal(cost, 3000 * earned)
    parts = sum(res.at(m, 2018) for m in ("payroll", "cost_training", "cost_recruitment", "cost_degrees",
                                          "cost_work_funds"))
    np.testing.assert_allclose(res.at("total_cost", 2018), parts, rtol=1e-12)
    districts = sum(res.at(f"total_cost.{d.name}", 2018) for d in sc.districts)
    np.testing.assert_allclose(districts, res.at("total_cost", 2018), rtol=1e-12)
    out = budget.write_budget(res, sc, tmp_path / "b.xlsx", lang="en")
    cells = {c.value for ws in load_workbook(out) for row in ws.iter_rows() for c in row}
    assert "cost_degrees" in cells and "degrees.cost_per_degree" in cells
    plain = model.load("nanjing-2018").with_overrides({"years": 2})
    assert "degrees.cost_per_degree" not in plain.defaulted()


def test_validate_notes_a_degree_that_moves_no_grade():
    """The model's default entry grades give below college and college both grade 1: with
    degrees from below college and re-grading on, the note says re-grading does nothing for
    that step; with entry grades that differ, or no rate at that level, no note."""
    from model.semantics import degrees_regrade_note
    sc = model.load("bench").with_overrides({"grades.enabled": True, "degrees.rate": [0.1, 0.0, 0.0]})
    (note,) = degrees_regrade_note(sc)
    assert "below college to college move no grade" in note
    assert degrees_regrade_note(sc.with_overrides({"grades.entry_grade": [1.0, 2.0, 3.0, 4.0]})) == []
    assert degrees_regrade_note(sc.with_overrides({"degrees.rate": [0.0, 0.1, 0.0]})) == []
    assert degrees_regrade_note(sc.with_overrides({"degrees.regrade": False})) == []


def test_the_degree_support_row_is_only_where_degrees_are_earned():
    """The budget's by-component sheet has the degree support row where degrees are earned
    (a cost of 0 there is noted, as other zero items are), and none elsewhere."""
    from model.report import budget
    sc = model.load("bench").with_overrides({"years": 2, "population.education": [0.5, 0.5, 0.0, 0.0]})
    plain = model.run(sc, reps=2, seed=3, workers=1, quiet=True)
    earned = model.run(sc.with_overrides({"degrees.rate": [0.3, 0.0, 0.0]}), reps=2, seed=3, workers=1,
                       quiet=True)

    def by_component(res):
        return dict((k, ms) for k, _, ms in budget.sheets(res, sc))["by_component"]
    assert "cost_degrees" not in by_component(plain) and "cost_degrees" in by_component(earned)


def test_the_regrade_note_reads_every_year():
    """Entry grades that give a college diploma a grade only from 2027: the note says the
    degree moves no grade in some years."""
    from model.semantics import degrees_regrade_note
    sc = model.load("bench").with_overrides({"grades.enabled": True, "degrees.rate": [0.1, 0.0, 0.0],
                                             "grades.entry_grade": {2025: [1, 1, 3, 4], 2027: [1, 2, 3, 4]}})
    (note,) = degrees_regrade_note(sc)
    assert "move no grade in some years" in note
