"""Each mechanism on a hand-made population with a hand-computed answer."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ns, write_scenario
from scipy import stats

import model
from model import kernels
from model.policies import (
    assessment,
    certification,
    demand,
    dismissal,
    elections,
    elimination,
    grades,
    promotion_out,
    quits,
    recruitment,
    training,
)
from model.population import DISMISSED_ASSESSMENT, DISMISSED_CERT, ELIMINATED, PROMOTED_OUT, Workforce
from model.streams import Streams

Y = 2025


def pop_of(k, **cols):
    base = dict(hire_year=np.full(k, Y - 1), hire_time=np.full(k, Y - 1.0), grade=np.ones(k),
                community=np.zeros(k))
    base.update(cols)
    return Workforce.from_columns(**base)


# ---------------------------------------------------------------- dismissal
DISMISS = ns(consecutive_unqualified=2, cumulative_unqualified=3, certificate_deadline=0,
             certificate_deadline_from=0)


def deadline(years: int = 3, counted_from: int = 0):
    """The certificate deadline alone: dismissed ``years`` after the first chance to sit,
    service counted from ``counted_from`` (0: from hire)."""
    return ns(consecutive_unqualified=0, cumulative_unqualified=0, certificate_deadline=years,
              certificate_deadline_from=counted_from)


def exam_rule(min_tenure=0.0, by_education=(0, 0, 0, 0), min_education=0.0):
    """The exam's conditions the deadline reads (certification's fields)."""
    return ns(min_tenure=min_tenure, min_tenure_by_education=list(by_education), min_education=min_education)


def test_two_consecutive_unqualified_years_dismiss_one_does_not():
    pop = pop_of(3, unq_consec=[2, 1, 0], unq_total=[2, 1, 0], level=[1, 1, 1])
    dismissal.apply(pop, DISMISS, Y + 1.0)
    assert pop.exit_cause.tolist() == [DISMISSED_ASSESSMENT, 0, 0]
    assert pop.exit_time[0] == Y + 1.0 and np.isinf(pop.exit_time[1:]).all()


def test_three_cumulative_unqualified_years_dismiss():
    pop = pop_of(2, unq_consec=[1, 1], unq_total=[3, 2], level=[1, 1])
    dismissal.apply(pop, DISMISS, Y + 1.0)
    assert pop.exit_cause.tolist() == [DISMISSED_ASSESSMENT, 0]


def test_certificate_deadline_counts_service_from_rule_start():
    # hired 1 January 2020, 2022 and 2023; rule: 3 years, counting from 2023 -> at the
    # assessment closing 2024 each has 2 years counted, at the one closing 2025 three
    assert Y == 2025
    p = deadline(counted_from=2023)
    pop = pop_of(3, hire_year=[2020, 2022, 2023], hire_time=[2020.0, 2022.0, 2023.0], level=[0, 0, 0])
    dismissal.apply(pop, p, Y + 0.0)  # 31 December 2024
    assert (pop.exit_cause == 0).all()
    dismissal.apply(pop, p, Y + 1.0)  # 31 December 2025
    assert (pop.exit_cause == DISMISSED_CERT).all()


def test_certificate_deadline_is_service_at_the_assessment():
    """No certificate within 3 years (seed 000): a 1 January hire has had three years (and
    three exams) at the third 31 December; a July hire not until the fourth; a hire on
    a date that is not exact in binary (y + 0.3) still counts 3 years on the day."""
    p = deadline()
    pop = pop_of(3, hire_year=[2022, 2022, 2022], hire_time=[2022.0, 2022.5, 2022.3], level=[0, 0, 0])
    dismissal.apply(pop, p, 2025.0)
    assert pop.exit_cause.tolist() == [DISMISSED_CERT, 0, 0]
    dismissal.apply(pop, p, 2025.3)  # an assessment on the hire's own date, 3 years on
    assert pop.exit_cause.tolist() == [DISMISSED_CERT, 0, DISMISSED_CERT]
    dismissal.apply(pop, p, 2026.0)
    assert pop.exit_cause.tolist() == [DISMISSED_CERT, DISMISSED_CERT, DISMISSED_CERT]


def test_certificate_deadline_runs_from_when_the_exam_can_be_sat():
    """符合报考条件三年内 (seed 000): the three years start when the worker may first sit the
    exam: with 2 years of service needed (certification.min_tenure), a worker hired in
    July 2022 may sit from 2024 and is dismissed at the end of 2026, not 2025; one below
    the exam's education minimum can never sit and is not dismissed for it."""
    p = deadline()
    exam = exam_rule(min_tenure=2.0, min_education=1.0)
    pop = pop_of(2, hire_year=[2022, 2022], hire_time=[2022.5, 2022.5], level=[0, 0], education=[1, 0])
    dismissal.apply(pop, p, 2026.0, exam)
    assert pop.exit_cause.tolist() == [0, 0]
    dismissal.apply(pop, p, 2027.0, exam)
    assert pop.exit_cause.tolist() == [DISMISSED_CERT, 0]
    # without the exam's conditions (certification off) the time runs from hire
    other = pop_of(1, hire_year=[2022], hire_time=[2022.5], level=[0], education=[0])
    dismissal.apply(other, p, 2026.0)
    assert other.exit_cause.tolist() == [DISMISSED_CERT]


def test_certificate_deadline_runs_from_the_years_of_service_each_education_needs():
    """The exam's conditions by education (4 years of service with a college diploma, 2
    with a bachelor's degree): hired in 2022, the graduate may sit from 2024 and is
    dismissed at the end of 2026 without a certificate; the college worker may sit from
    2026 and is dismissed at the end of 2028. min_tenure, where larger, still applies."""
    p = deadline()
    exam = exam_rule(by_education=(4, 4, 2, 2))
    pop = pop_of(2, hire_year=[2022, 2022], hire_time=[2022.0, 2022.0], level=[0, 0], education=[2, 1])
    for t, causes in ((2026.0, [0, 0]), (2027.0, [DISMISSED_CERT, 0]), (2028.0, [DISMISSED_CERT, 0]),
                      (2029.0, [DISMISSED_CERT, DISMISSED_CERT])):
        dismissal.apply(pop, p, t, exam)
        assert pop.exit_cause.tolist() == causes, t
    later = pop_of(1, hire_year=[2022], hire_time=[2022.0], level=[0], education=[2])
    dismissal.apply(later, p, 2027.0, exam_rule(min_tenure=3.0, by_education=(4, 4, 2, 2)))
    assert later.exit_cause.tolist() == [0]


def test_the_first_exam_year_counts_whole_years_and_follows_a_schedule():
    """The first year a worker may sit: service counts in whole years (2.5 years needed: a
    first sitting 3 years on, as the exam's year - hire_year >= 2.5 allows); a schedule
    that lowers the years needed from 2024 lets a 2022 hire sit from 2024, not from the
    hire year (the deadline's clock was built from the current year's need alone, and
    dismissed such workers after a single exam); one that never allows it in the horizon
    gives inf."""
    hired, edu = np.array([2022, 2022, 2015]), np.array([1, 2, 1])
    np.testing.assert_array_equal(certification.first_exam_year(hired, edu, [2.5, 2.5, 2.0, 2.0]),
                                  [2025, 2024, 2018])
    lowered = np.array([[5.0] * 4] * 2 + [[0.0] * 4] * 4)  # 2022-2023: 5 years; from 2024: none
    np.testing.assert_array_equal(certification.first_exam_year(hired, edu, lowered, 2022),
                                  [2024, 2024, 2020])
    raised = np.array([[1.0] * 4] + [[9.0] * 4] * 5)  # 2022: 1 year; from 2023: 9
    np.testing.assert_array_equal(certification.first_exam_year(hired, edu, raised, 2022),
                                  [np.inf, np.inf, 2016])
    # through the deadline: hired in 2022, sitting from 2024 under the lowered schedule,
    # dismissed at the end of 2026 after three exams, not at the end of 2024
    p = deadline()
    exam = exam_rule()
    pop = pop_of(1, hire_year=[2022], hire_time=[2022.0], level=[0], education=[1])
    dismissal.apply(pop, p, 2025.0, exam, lowered, 2022)
    assert pop.exit_cause.tolist() == [0]
    dismissal.apply(pop, p, 2027.0, exam, lowered, 2022)
    assert pop.exit_cause.tolist() == [DISMISSED_CERT]


def test_certificate_deadline_spares_the_certified_and_the_recent():
    p = deadline()
    pop = pop_of(3, hire_year=[2020, 2020, 2024], hire_time=[2020.0, 2020.0, 2024.0], level=[1, 0, 0])
    dismissal.apply(pop, p, Y + 1.0)
    assert pop.exit_cause.tolist() == [0, DISMISSED_CERT, 0]


def test_dismissal_ignores_workers_already_gone():
    pop = pop_of(1, unq_consec=[5], unq_total=[5], exit_time=[Y + 0.3], exit_cause=[1])
    dismissal.apply(pop, DISMISS, Y + 1.0)
    assert pop.exit_cause[0] == 1 and pop.exit_time[0] == Y + 0.3


# ---------------------------------------------------------------- elimination
def test_bottom_ratio_eliminates_exactly_the_lowest_scores():
    score = np.array([0.5, -2.0, 1.0, -1.0, 0.0, 2.0, -0.5, 0.1, 0.2, 0.3])
    pop = pop_of(10, score=score, rating=np.ones(10))
    elimination.apply(pop, ns(share=0.2, posts=[1, 1, 1]), Y + 1.0)
    assert set(np.flatnonzero(pop.exit_cause == ELIMINATED)) == {1, 3}


def test_elimination_ranks_by_grade_before_score():
    pop = pop_of(3, score=[-3.0, 1.0, 2.0], rating=[1, 3, 1])
    elimination.apply(pop, ns(share=1 / 3, posts=[1, 1, 1]), Y + 1.0)
    assert pop.exit_cause.tolist() == [0, ELIMINATED, 0]


def test_elimination_only_in_covered_posts():
    pop = pop_of(4, score=[-5.0, -4.0, 1.0, 2.0], post=[2, 0, 0, 0], rating=np.ones(4))
    counts = elimination.apply(pop, ns(share=1 / 3, posts=[1, 1, 0]), Y + 1.0)
    assert counts["elimination_base"] == 3
    assert pop.exit_cause.tolist() == [0, ELIMINATED, 0, 0]


def test_any_share_above_zero_eliminates_at_least_one():
    """K = ceil(share x N) is at least the share: a share of 1e-13 of 628 workers is one
    worker (the rounding tolerance had made it 0), and 0.2 of 10 is 2, not 3."""
    for share, n, k in ((1e-13, 628, 1), (0.2, 10, 2), (0.21, 10, 3)):
        pop = pop_of(n, score=np.linspace(-1, 1, n), rating=np.ones(n))
        elimination.apply(pop, ns(share=share, posts=[1, 1, 1]), Y + 1.0)
        assert int((pop.exit_cause == ELIMINATED).sum()) == k, share


def test_elimination_ties_go_to_the_earlier_rows():
    """1,000 workers, 500 of them (the odd rows) tied at the lowest score: a share of 1/4
    eliminates the first 250 of the tied, in row order, as the excellent quota, promotion out
    and elections break ties (an arbitrary subset of the tied went; found by an audit)."""
    score = np.where(np.arange(1000) % 2 == 1, -1.0, 1.0)
    pop = pop_of(1000, score=score, rating=np.ones(1000))
    elimination.apply(pop, ns(share=0.25, posts=[1, 1, 1]), Y + 1.0)
    assert np.flatnonzero(pop.exit_cause == ELIMINATED).tolist() == list(range(1, 500, 2))


def test_the_assessment_may_be_off_where_elimination_never_runs():
    """elimination.enabled is on by default with a share of 0: the assessment can be switched
    off then (it was refused, naming elimination.enabled, a field the user never set); a
    share above 0 in some year still needs it."""
    model.load("bench", {"elimination.enabled": True, "elimination.share": 0.0, "assessment.enabled": False})
    with pytest.raises(model.ScenarioError, match="elimination.enabled"):
        model.load("bench", {"elimination.enabled": True, "elimination.share": {"2025": 0.0, "2027": 0.1},
                             "assessment.enabled": False})


def test_rules_reading_the_assessment_are_noted_where_it_is_off():
    """validate and run note dismissal for unqualified years and promotion out with the
    assessment off (nobody is rated: no one is dismissed for it, and promotion out takes the
    earliest rows), and say nothing of them where the assessment is on."""
    from model.semantics import advisories
    off = {"assessment.enabled": False, "dismissal.consecutive_unqualified": 2, "promotion_out.enabled": True,
           "promotion_out.per_year": 3}
    notes = " ".join(advisories(model.load("bench", off)))
    assert "dismissal.consecutive_unqualified dismiss" in notes and "earliest rows" in notes
    notes = " ".join(advisories(model.load("bench", {**off, "assessment.enabled": True})))
    assert "dismissal.consecutive_unqualified" not in notes and "earliest rows" not in notes


# ---------------------------------------------------------------- assessment
def test_assessment_cuts_give_the_stated_shares(rng):
    """Grade counts among n untrained, uncertified workers are multinomial(n, shares):
    chi-square test, false alarm 1e-4."""
    n = 20000
    shares = [0.2, 0.6, 0.15, 0.05]
    pop = pop_of(n)
    assessment.apply(pop, ns(shares=shares, trained_shift=0.0, certified_shift=0.0, persistence=0.0,
                             excellent_cap=1.0), rng, Y + 1.0)
    counts = np.bincount(pop.rating, minlength=4)
    assert stats.chisquare(counts, np.array(shares) * n).pvalue > 1e-4


def test_unqualified_streaks_count_and_reset(rng):
    """Worker 0 is trained with a shift of -40 sd (surely unqualified), worker 1 certified
    with +40 sd (surely excellent)."""
    pop = pop_of(2, unq_consec=[1, 1], unq_total=[1, 1], trained=[True, False], level=[0, 1])
    p = ns(shares=[0.1, 0.8, 0.05, 0.05], trained_shift=-40.0, certified_shift=40.0, persistence=0.0,
           excellent_cap=1.0)
    assessment.apply(pop, p, rng, Y + 1.0)
    assert pop.rating.tolist() == [3, 0]
    assert pop.unq_consec.tolist() == [2, 0]
    assert pop.unq_total.tolist() == [2, 1]


def test_excellent_quota_keeps_the_highest_scores(both_paths):
    """Half the scores rate excellent (shares 0.5) but the quota is 0.29 of the 100 rated:
    exactly 29 keep it (0.29 x 100 in floating point is 28.999999999999996, which a plain
    floor makes 28), those with the 29 highest scores; the others the scores rated
    excellent are rated qualified, and nobody else's grade moves. Without the quota the
    number excellent is Binomial(100, 0.5): above 29 with probability 1 - 2e-5."""
    n, keep = 100, 29
    p = ns(shares=[0.5, 0.3, 0.15, 0.05], trained_shift=0.0, certified_shift=0.0, persistence=0.0,
           excellent_cap=1.0)
    free, held = pop_of(n), pop_of(n)
    c0 = assessment.apply(free, p, np.random.default_rng(7), Y + 1.0)
    c1 = assessment.apply(held, ns(**{**vars(p), "excellent_cap": 0.29}), np.random.default_rng(7), Y + 1.0)
    assert c1["rated_excellent"] == keep == (held.rating == 0).sum()
    assert c0["rated_excellent"] > keep
    assert c1["rated_qualified"] == c0["rated_qualified"] + c0["rated_excellent"] - keep
    np.testing.assert_array_equal(held.score, free.score)
    top = np.argsort(-free.score, kind="stable")[:keep]
    assert set(np.flatnonzero(held.rating == 0)) == set(top)
    moved = held.rating != free.rating
    assert (free.rating[moved] == 0).all() and (held.rating[moved] == 1).all()


# ---------------------------------------------------------------- training
def test_training_due_by_tenure_and_post_interval(rng):
    # tenure on 1 Jan 2025: 0, 1, 2, 3 for staff; 1 and 3 for heads (interval 1)
    pop = pop_of(6, hire_year=[2025, 2024, 2023, 2022, 2024, 2022], post=[0, 0, 0, 0, 2, 2],
                 hire_time=[2025.0, 2024, 2023, 2022, 2024, 2022])
    c = training.apply(pop, ns(interval=[2, 2, 1], capacity=0, cost_per_trainee=1000.0), rng, Y + 0.0, Y)
    assert pop.trained.tolist() == [True, False, True, False, True, True]
    assert c == {"trained": 4, "cost_training": 4000.0}


def test_a_fractional_training_interval_counts_the_whole_years_above_it(both_paths):
    """Staff every 2.5 years are trained every 3 (as a step_years or min_tenure of 2.5 means
    3 whole years; numpy's round took 2.5 to 2, 3.5 to 4: audit of 2026-12-07). Hired on
    1 January 2025, trained on 1 January: due in 2025, 2028, 2031, not 2027."""
    rng = Streams(1, 0).get("training", 0)
    due = []
    for y in range(Y, Y + 7):
        pop = pop_of(1, hire_year=[Y], hire_time=[float(Y)])
        training.apply(pop, ns(interval=[2.5, 2, 1], capacity=0, cost_per_trainee=0.0), rng, y + 0.0, y)
        due.append(bool(pop.trained[0]))
    assert [Y + i for i, d in enumerate(due) if d] == [Y, Y + 3, Y + 6]


def test_a_training_capacity_below_one_half_trains_nobody(rng):
    """Capacity 0 means no limit; 0.3 trainees a year rounds to none, not to no limit."""
    pop = pop_of(10, hire_year=np.full(10, Y), hire_time=np.full(10, float(Y)))
    c = training.apply(pop, ns(interval=[1, 1, 1], capacity=0.3, cost_per_trainee=0.0), rng, Y + 0.0, Y)
    assert c["trained"] == 0 and not pop.trained.any()


def test_training_capacity_limits_trainees(rng):
    pop = pop_of(100, hire_year=np.full(100, Y), hire_time=np.full(100, float(Y)))
    c = training.apply(pop, ns(interval=[1, 1, 1], capacity=30, cost_per_trainee=0.0), rng, Y + 0.0, Y)
    assert c["trained"] == 30 and pop.trained.sum() == 30


def test_a_mid_year_hire_is_first_trained_at_the_next_training_date(both_paths):
    """Staff trained every 2 years on 1 January: a 1 July 2024 hire is first due on
    1 January 2025 (then 2027), as a 1 January 2025 hire; a 1 January 2024 hire was due
    in 2024 and is due again in 2026. With training on 1 July, a hire of that instant is
    due at once, one of 1 April too."""
    rng = Streams(1, 0).get("training", 0)
    p = ns(interval=[2, 2, 1], capacity=0, cost_per_trainee=0.0)
    hired = [2024.5, 2025.0, 2024.0]
    pop = pop_of(3, hire_year=[2024, 2025, 2024], hire_time=hired)
    training.apply(pop, p, rng, Y + 0.0, Y)
    assert pop.trained.tolist() == [True, True, False]
    pop = pop_of(3, hire_year=[2024, 2025, 2024], hire_time=hired)
    training.apply(pop, p, rng, Y + 2.0, Y + 2)
    assert pop.trained.tolist() == [True, True, False]
    pop = pop_of(2, hire_year=[Y, Y], hire_time=[Y + 0.5, Y + 0.25])
    training.apply(pop, p, rng, Y + 0.5, Y)
    assert pop.trained.tolist() == [True, True]


def test_training_capacity_takes_heads_first(both_paths):
    """40 staff, 20 committee members and 10 heads due, room for 25: the 10 heads, then
    15 of the committee members, no staff (seed 003: 书记、主任每年培训一遍)."""
    rng = Streams(1, 0).get("training", 0)
    post = np.repeat([0, 1, 2], [40, 20, 10])
    pop = pop_of(70, post=post, hire_year=np.full(70, Y), hire_time=np.full(70, float(Y)))
    c = training.apply(pop, ns(interval=[1, 1, 1], capacity=25, cost_per_trainee=0.0), rng, Y + 0.0, Y)
    assert c["trained"] == 25
    assert [int(pop.trained[post == k].sum()) for k in (2, 1, 0)] == [10, 15, 0]


# ---------------------------------------------------------------- certification
CERT = ns(sit_prob=1.0, min_education=0, min_tenure=0, min_tenure_by_education=[0, 0, 0, 0], pass_prob=0.0,
          trained_bonus=0.0,
          education_bonus=[0, 0, 0, 0], attempt_bonus=0.0, max_attempts_counted=5, next_level_years=0,
          next_sit_prob=0.0, pass_prob_intermediate=0.0, pass_prob_senior=0.0)
GRADES = ns(enabled=True, certificate_bonus=[0, 1, 2, 3], max_grade=[12, 15, 18], min_grade=[1, 4, 7],
            entry_grade=[1, 1, 2, 3])


def test_exam_pass_probability_adds_bonuses(rng):
    """Untrained p=0.25, trained 0.35, bachelor +0.1: passes binomial; |z| < 4.5 (false alarm 7e-6)."""
    n = 30000
    p = ns(**{**CERT.__dict__, "pass_prob": 0.25, "trained_bonus": 0.10, "education_bonus": [0, 0, 0.1, 0]})
    pop = pop_of(n, trained=np.arange(n) % 3 == 0, education=np.where(np.arange(n) % 2 == 0, 2, 1))
    certification.apply(pop, p, GRADES, rng, Y + 0.5, Y)
    prob = 0.25 + 0.10 * pop.trained + 0.1 * (pop.education == 2)
    got = (pop.level == 1)
    for k in np.unique(prob):
        sel = prob == k
        z = (got[sel].sum() - sel.sum() * k) / np.sqrt(sel.sum() * k * (1 - k))
        assert abs(z) < 4.5, (k, z)


def test_passing_with_fractional_bonuses_steps_as_hires_enter(both_paths, rng):
    """Entry grades 1, 1.5, 2.5, 3 and certificate bonuses 0, 0.5, 1, 1.5: a hire below
    college enters at 1 uncertified and 1.5 -> 2 with an assistant certificate, a college
    graduate at 1.5 -> 2 either way, a bachelor at 2.5 -> 3 and 3.0; so passing the
    assistant level moves the three up 1, 0 and 0 grades, as hires with the level would
    stand (the bonuses' difference rounded, 0.5 -> 0, moved none)."""
    g = ns(**{**GRADES.__dict__, "entry_grade": [1, 1.5, 2.5, 3], "certificate_bonus": [0, 0.5, 1, 1.5]})
    p = ns(**{**CERT.__dict__, "pass_prob": 1.0})
    pop = pop_of(3, education=[0, 1, 2], grade=[5, 5, 5])
    certification.apply(pop, p, g, rng, Y + 0.5, Y)
    assert pop.level.tolist() == [1, 1, 1] and pop.grade.tolist() == [6, 5, 5]
    # whole grades: the bonuses' difference
    np.testing.assert_array_equal(certification.pass_steps(GRADES), np.ones((4, 3)))


def test_failed_attempts_are_counted_and_lower_the_next_chance(rng):
    """One failed attempt each already: 0.1 - 0.1 = 0, so all three fail again."""
    p = ns(**{**CERT.__dict__, "pass_prob": 0.1, "attempt_bonus": -0.1})
    pop = pop_of(3, attempts=[1, 1, 1])
    certification.apply(pop, p, GRADES, rng, Y + 0.5, Y)
    assert pop.attempts.tolist() == [2, 2, 2] and (pop.level == 0).all()


def test_the_years_of_service_to_sit_depend_on_education(both_paths):
    """With the exam's conditions by education (4 years for below college and college, 2
    for bachelor and postgraduate), in 2025: the graduates hired in 2023 sit, those hired
    in 2024 do not; the college workers hired in 2021 sit, those hired in 2022 do not.
    min_tenure 3, where larger, holds back the graduate hired in 2023."""
    rng = Streams(1, 0).get("certification", 0)
    p = ns(**{**CERT.__dict__, "pass_prob": 1.0, "min_tenure_by_education": [4, 4, 2, 2]})
    pop = pop_of(6, education=[2, 2, 3, 1, 1, 0], hire_year=[2023, 2024, 2023, 2021, 2022, 2021])
    c = certification.apply(pop, p, GRADES, rng, Y + 0.5, Y)
    assert pop.level.tolist() == [1, 0, 1, 1, 0, 1] and c["exam_sitters"] == 4
    pop = pop_of(2, education=[2, 2], hire_year=[2023, 2022])
    certification.apply(pop, ns(**{**p.__dict__, "min_tenure": 3}), GRADES, rng, Y + 0.5, Y)
    assert pop.level.tolist() == [0, 1]


def test_a_level_with_pass_probability_zero_is_not_examined(both_paths):
    """The scenarios set pass_prob_senior = 0 (senior level by exam and review, not
    modelled): intermediate holders, trained and with an education bonus, neither sit
    nor pass it; assistants sit and pass the intermediate level as usual. Keyed draws,
    so the compiled kernel runs where numba is on."""
    rng = Streams(1, 0).get("certification", 0)
    p = ns(**{**CERT.__dict__, "pass_prob": 1.0, "next_level_years": 1, "next_sit_prob": 1.0,
              "pass_prob_intermediate": 1.0, "pass_prob_senior": 0.0, "trained_bonus": 0.3,
              "education_bonus": [0, 0, 0.2, 0.2]})
    pop = pop_of(4, level=[2, 2, 1, 1], level_since=[2020] * 4, trained=[True] * 4, education=[2] * 4)
    c = certification.apply(pop, p, GRADES, rng, Y + 0.5, Y)
    assert pop.level.tolist() == [2, 2, 2, 2]
    assert pop.attempts.tolist() == [0, 0, 0, 0]
    assert c == {"exam_sitters": 2, "exam_passes": 2}


def test_passing_sets_level_and_grade_and_progression(rng):
    p = ns(**{**CERT.__dict__, "pass_prob": 1.0, "next_level_years": 2, "next_sit_prob": 1.0,
              "pass_prob_intermediate": 1.0})
    # worker 0 uncertified; worker 1 assistant since 2023 (2 years: sits intermediate);
    # worker 2 assistant since 2024 (1 year: not yet)
    pop = pop_of(3, level=[0, 1, 1], level_since=[0, 2023, 2024], grade=[3, 3, 3])
    c = certification.apply(pop, p, GRADES, rng, Y + 0.5, Y)
    assert pop.level.tolist() == [1, 2, 1]
    assert pop.grade.tolist() == [4, 4, 3]
    assert pop.level_since.tolist() == [Y, Y, 2024]
    assert c == {"exam_sitters": 2, "exam_passes": 2}


def test_ineligible_do_not_sit(rng):
    p = ns(**{**CERT.__dict__, "pass_prob": 1.0, "min_education": 1, "min_tenure": 2})
    pop = pop_of(3, education=[0, 1, 1], hire_year=[2020, 2020, 2024])
    certification.apply(pop, p, GRADES, rng, Y + 0.5, Y)
    assert pop.level.tolist() == [0, 1, 0]


def test_a_fractional_lowest_education_to_sit_rounds_half_up_as_hiring_does(rng):
    """certification.min_education between levels (drawn, or interpolated) is rounded half up,
    as recruitment.min_education is: 1.4 lets college graduates (level 1) sit, 1.5 does not;
    years_to_sit and the certificate deadline's subjects follow the same level."""
    for m, sits in ((1.4, [0, 1, 1]), (1.5, [0, 0, 1])):
        p = ns(**{**CERT.__dict__, "pass_prob": 1.0, "min_education": m})
        pop = pop_of(3, education=[0, 1, 2], hire_year=[2020, 2020, 2020])
        certification.apply(pop, p, GRADES, rng, Y + 0.5, Y)
        assert pop.level.tolist() == sits, m
        may = [False] + [bool(x) for x in sits[1:]]
        assert np.isfinite(certification.years_to_sit(p)).tolist() == may + [True]
        pop = pop_of(3, education=[0, 1, 2], hire_year=[2020] * 3, hire_time=[2020.0] * 3, level=[0] * 3)
        dismissal.apply(pop, deadline(1), Y + 1.0, exam_rule(min_education=m))
        assert (pop.exit_cause == DISMISSED_CERT).tolist() == may, m


# ---------------------------------------------------------------- quits
def test_quit_probability_by_tenure_band_and_pay():
    p = ns(tenure_bands=[0, 3, 10], rate=[0.2, 0.1, 0.05], pay_elasticity=1.0, reference_pay_ratio=1.0)
    q = quits.quit_probability(p, np.array([0, 2, 3, 9, 10, 30]), np.array([1, 1, 1, 1, 1, 0.5]))
    np.testing.assert_allclose(q, [0.2, 0.2, 0.1, 0.1, 0.05, 0.1])


def test_quit_times_are_uniform_and_respect_entry(rng):
    """Quit share ~ Binomial(n, q); times uniform in the year (KS p > 1e-4); entrants at t0 only
    quit after t0 with probability q (1 - (t0 - y))."""
    n, q = 200000, 0.3
    t = quits.times_from_uniforms(np.full(n, q), rng.random(n), Y, Y)
    quit = np.isfinite(t)
    z = (quit.sum() - n * q) / np.sqrt(n * q * (1 - q))
    assert abs(z) < 4.5
    assert stats.kstest(t[quit] - Y, "uniform").pvalue > 1e-4
    t2 = quits.times_from_uniforms(np.full(n, q), rng.random(n), Y, Y + 0.5)
    got = np.isfinite(t2)
    assert (t2[got] >= Y + 0.5).all()
    z2 = (got.sum() - n * q / 2) / np.sqrt(n * q / 2 * (1 - q / 2))
    assert abs(z2) < 4.5


# ---------------------------------------------------------------- recruitment
REC = ns(anticipate_exits=False, pool_size=0.0, age=((22, 35, 1.0),), female_share=0.5, cadre_share=1.0,
         education=[0, 1, 0, 0], certificate=[0.8, 0.2, 0, 0], max_age=100.0, min_education=0.0,
         certificate_required_from=0, cap=0.0, freeze_years=(), extra_hires=0.0, cost_per_hire=100.0)


def comm_of(posts, party=None):
    c = demand.Communities(np.full(len(posts), 1000.0), np.zeros(len(posts)), [True])
    c.posts = np.asarray(posts)
    c.party_posts = np.zeros(len(posts), int) if party is None else np.asarray(party)
    return c


def test_recruitment_fills_every_vacancy(rng):
    pop = pop_of(3, community=[0, 0, 1])
    comm = comm_of([5, 2])
    rows, c = recruitment.apply(pop, comm, REC, GRADES, rng, Y + 0.0, Y)
    assert c["hires"] == 4 and c["unfilled_posts"] == 0 and c["cost_recruitment"] == 400.0
    assert np.bincount(pop.community, minlength=2).tolist() == [5, 2]
    new = pop.age(Y)[rows]
    assert new.min() >= 22 and new.max() <= 35
    assert (pop.hire_year[rows] == Y).all() and (pop.tenure(Y)[rows] == 0).all()


def test_recruitment_cap_and_eligibility(rng):
    pop = Workforce(16)
    comm = comm_of([50, 50])
    p = ns(**{**REC.__dict__, "cap": 30.0, "max_age": 30.0, "certificate_required_from": 2024})
    rows, c = recruitment.apply(pop, comm, p, GRADES, rng, Y + 0.0, Y)
    assert c["hires"] == 30 and c["unfilled_posts"] == 70
    assert pop.age(Y).max() <= 30 and (pop.level >= 1).all()


def test_recruitment_pool_limits_hires_binomially(rng):
    """Eligible applicants ~ Binomial(N, p_elig): p_elig = P(age<=30 in 22..35) = 9/14.
    The mean of 300 draws within 4 standard errors (false alarm 6e-5)."""
    p = ns(**{**REC.__dict__, "pool_size": 140.0, "max_age": 30.0})
    assert recruitment.eligible_share(p, Y) == pytest.approx(9 / 14)
    hires = []
    for s in range(300):
        pop = Workforce(16)
        _, c = recruitment.apply(pop, comm_of([1000]), p, GRADES, np.random.default_rng(s), Y + 0.0, Y)
        hires.append(c["hires"])
    m, v = 140 * 9 / 14, 140 * 9 / 14 * 5 / 14
    assert abs(np.mean(hires) - m) < 4 * np.sqrt(v / 300)


def test_party_posts_filled_first(rng):
    pop = Workforce(16)
    comm = comm_of([3, 3], party=[2, 0])
    p = ns(**{**REC.__dict__, "cap": 2.0})
    recruitment.apply(pop, comm, p, GRADES, rng, Y + 0.0, Y)
    assert pop.community.tolist() == [0, 0] and pop.party.all()


# ---------------------------------------------------------------- demand
DEM = ns(rule="households", posts_per_community=10, households_per_post=250.0, band_limit=3000.0,
         band_base=12.0, band_step=400.0, per_10k=18.0, min_posts=0.0, min_party_posts=0.0)


def test_households_rule_one_post_per_250():
    c = demand.Communities([3250.0, 2500.0, 1000.0], [0, 0, 0], [True])
    demand.set_posts(c, DEM, 0.0, 0)
    assert c.posts.tolist() == [13, 10, 4]


def test_size_band_rule_jilin():
    c = demand.Communities([2000.0, 3000.0, 3399.0, 3400.0, 4300.0], [0] * 5, [True])
    demand.set_posts(c, ns(**{**DEM.__dict__, "rule": "size_band"}), 0.0, 0)
    assert c.posts.tolist() == [12, 12, 12, 13, 15]


def test_per_10k_rule_spreads_the_city_total():
    c = demand.Communities([1000.0, 2000.0, 3000.0], [0, 0, 0], [True])
    demand.set_posts(c, ns(**{**DEM.__dict__, "rule": "per_10k", "min_party_posts": 2.0}), 10000.0 / 18 * 100, 0)
    assert c.posts.sum() == 100 and c.posts.tolist() == [17, 33, 50]
    assert c.party_posts.tolist() == [2, 2, 2]


def test_split_and_merge_follow_household_bounds():
    c = demand.Communities([5000.0, 800.0, 2000.0, 1500.0], [0, 0, 0, 0], [True])
    workers = np.array([0, 1, 1, 2])
    f = demand.split_and_merge(c, 4000.0, 1000.0, workers)
    assert f.pop("touched").tolist() == [0, 3, 4]  # the split's halves and the one that took another in
    assert f == {"communities_split": 1, "communities_merged": 1}
    assert c.count == 4 and len(c) == 5
    assert not c.alive[1] and c.households[1] == 0
    assert c.households.sum() == pytest.approx(9300.0)
    assert workers.tolist() == [0, 3, 3, 2]  # merged into the smallest other (1500)



EXACT_BOUNDS = [
    ({"demand.urban_residents": 27600, "demand.persons_per_household": 2.3, "demand.split_above": 4000},
     3, 30),
    ({"demand.urban_residents": 6600, "demand.persons_per_household": 2.2, "demand.merge_below": 1000},
     3, 30),
    ({"demand.rule": "size_band", "demand.communities": 1, "demand.urban_residents": 7480,
      "demand.persons_per_household": 2.2, "demand.band_limit": 3000, "demand.band_step": 400,
      "demand.band_base": 10}, 1, 11)]


@pytest.mark.parametrize("over,communities,posts", EXACT_BOUNDS)
def test_a_community_exactly_at_a_bound_is_read_as_exact_arithmetic_reads_it(over, communities, posts):
    """3 communities of exactly 4,000 households (27,600 residents of 2.3 a household) do not
    split above 4,000, nor do 3 of exactly 1,000 merge below 1,000, and 3,400 households (7,480
    residents of 2.2) are one band step of 400 above a limit of 3,000 (11 posts, not 10),
    whichever side of the bound floating point puts them (4000.0000000000005, 999.9999999999999,
    3399.9999999999995: all three had split, two had merged, 10 posts; found by an audit)."""
    from model.engine import Replication
    r = Replication(model.load("bench", {"years": 1, "demand.communities": 3, **over}), 1, 0)
    out = r.run()
    assert out[0, r.index["communities"]] == communities and out[0, r.index["posts"]] == posts
    assert out[0, r.index["communities_split"]] == out[0, r.index["communities_merged"]] == 0


def test_a_merged_community_keeps_one_set_of_leaders():
    """Community 1 (800 households) merges into community 2 (the smallest other, 1,500).
    Both had a head and a committee member; with one head and one committee post a
    community, the lower-scoring head (row 2) steps down to the committee, and then the
    two lowest-scoring of the three committee members (rows 4 and 2) to staff. Row 6, an
    inactive head, is left alone, and so is community 0."""
    c = demand.Communities([2000.0, 800.0, 1500.0], [0, 0, 0], [True])
    workers = np.array([0, 1, 1, 2, 2, 1, 1, 0])
    post = np.array([2, 1, 2, 2, 1, 0, 2, 1])
    score = np.array([0.0, 3.0, 1.0, 2.0, 0.5, 9.0, 9.0, 0.0])
    active = np.array([True, True, True, True, True, True, False, True])
    f = demand.split_and_merge(c, 0.0, 1000.0, workers, post, active, score, (1, 1))
    assert f.pop("touched").tolist() == [2]
    assert f == {"communities_split": 0, "communities_merged": 1}
    assert workers.tolist() == [0, 2, 2, 2, 2, 2, 2, 0]
    assert post.tolist() == [2, 1, 0, 2, 0, 0, 2, 1]

# ---------------------------------------------------------------- grades, elections, promotion out
def test_grade_steps_need_time_rating_and_room(rng):
    p = ns(step_years=2.0, step_prob=1.0, min_rating=1, max_grade=[12, 15, 18])
    pop = pop_of(4, grade=[3, 3, 3, 12], grade_since=[2024, 2025, 2024, 2020], rating=[1, 1, 2, 0])
    c = grades.apply(pop, p, rng, Y + 1.0, Y)
    assert pop.grade.tolist() == [4, 3, 3, 12] and c == {"grade_steps": 1}
    assert pop.grade_since[0] == Y + 1


def test_election_fills_head_from_best_committee_member_of_the_same_community():
    pop = pop_of(5, community=[0, 0, 0, 1, 1], post=[1, 1, 0, 2, 0], score=[0.1, 0.9, 2.0, 0.0, 0.0],
                 grade=[5, 5, 5, 9, 2])
    c = elections.apply(pop, ns(fill_between=False, years=(Y,)), 1, 1, 2, np.array([1, 4, 7]), Y + 1.0, Y)
    # community 0: committee member 1 (score 0.9) becomes head; member 0 still holds the one
    # committee post, so staff 2 stays staff despite the best score.
    # community 1 has its head but no committee member: staff 4 becomes one.
    assert pop.post.tolist() == [1, 2, 0, 2, 1]
    assert pop.grade.tolist() == [5, 7, 5, 9, 4]
    assert c["posts_filled_internally"] == 2


def test_a_party_building_worker_elected_leaves_the_party_post():
    """Party-building posts are staff posts (Jilin, seed 003: 不含社區黨組織書記、副書記):
    the best-scoring staff member, on a party post, elected to the committee leaves it,
    and the community's party post is vacant for hiring to fill."""
    pop = pop_of(3, community=[0, 0, 0], post=[2, 0, 0], score=[0.0, 2.0, 1.0], party=[False, True, False])
    elections.apply(pop, ns(fill_between=False, years=(Y,)), 1, 1, 1, np.array([1, 4, 7]), Y + 1.0, Y)
    assert pop.post.tolist() == [2, 1, 0] and pop.party.tolist() == [False, False, False]


@pytest.mark.parametrize("rule", ["households", "size_band", "per_10k"])
def test_party_posts_come_on_top_of_heads_and_committee(rule):
    """A community's posts are at least heads + committee members + its party-building
    staff posts (district's own, else the city's): 1 + 3 + 2 = 6 in a small community of
    the city's district, 1 + 3 + 0 = 4 in one of a district without party posts."""
    p = ns(rule=rule, households_per_post=250.0, band_base=1.0, band_limit=3000.0, band_step=400.0,
           per_10k=0.1, posts_per_community=1.0, min_posts=0.0, min_party_posts=2.0)
    c = demand.Communities(np.array([300.0, 300.0, 300.0]), np.array([0, 1, 0]), [True, True])
    demand.set_posts(c, p, 10_000.0, 4, np.array([-1.0, 0.0]))
    assert c.posts.tolist() == [6, 4, 6] and c.party_posts.tolist() == [2, 0, 2]


def test_staffing_rules_round_half_up():
    """Posts are rounded half up (四舍五入), not half to even: 2,625, 2,875 and 3,125
    households at 250 a post give 11, 12 and 13 posts (10.5, 11.5, 12.5); a city total of
    12.5 per 10,000 of 10,000 residents (12.5) gives 13; a size band's base of 10.5 gives 11."""
    p = ns(rule="households", households_per_post=250.0, band_base=10.5, band_limit=3000.0, band_step=400.0,
           per_10k=12.5, posts_per_community=1.0, min_posts=0.0, min_party_posts=0.0)
    c = demand.Communities(np.array([2625.0, 2875.0, 3125.0]), np.array([0, 0, 0]), [True])
    demand.set_posts(c, p, 10_000.0, 0)
    assert c.posts.tolist() == [11, 12, 13]
    p.rule = "per_10k"
    demand.set_posts(c, p, 10_000.0, 0)
    assert c.posts.sum() == 13
    p.rule = "size_band"
    demand.set_posts(c, p, 10_000.0, 0)
    assert c.posts.tolist() == [11, 11, 11]
    p.rule, p.posts_per_community = "fixed", 12.5
    demand.set_posts(c, p, 10_000.0, 0)
    assert c.posts.tolist() == [13, 13, 13]


def test_a_half_reached_through_floating_point_rounds_up(tmp_path):
    """1,890 residents at 2.16 a household are 875 households, 3.5 posts at 250 a post: 4
    posts, though the division gives 3.4999999999999996 (it gave 3); a value truly below
    the half still rounds down."""
    from model.sampling import half_up
    assert 1890 / 2.16 / 250 < 3.5 and 16852.5 / 2.14 / 250 < 31.5
    assert half_up(1890 / 2.16 / 250) == 4 and half_up(16852.5 / 2.14 / 250) == 32
    assert half_up(np.array([3.4999999, 2.5, -2.5, 0.0])).tolist() == [3, 3, -2, 0]
    # the slack stays far below a whole at large numbers (it was 10 at 10^13: 10^13 + 10)
    assert half_up(np.array([1e13, 123456789012.0, 2.0**52])).tolist() == [10**13, 123456789012, 2**52]
    f = write_scenario(tmp_path, 'extends = "@SCENARIOS@/bench.toml"\nname = "half"\nyears = 1\n'
                                 'districts = [{name = "a", communities = 1}]\n\n[demand]\n'
                                 'rule = "households"\n'
                                 "communities = 1\nhouseholds_per_post = 250\nurban_residents = 1890\n"
                                 "persons_per_household = 2.16\nresidents_growth = 0.0\n")
    assert demand.starting_posts(model.load(f)) == (4, 4)


def test_no_election_outside_election_years():
    pop = pop_of(2, post=[1, 0], score=[1.0, 0.0])
    c = elections.apply(pop, ns(fill_between=False, years=(2026,)), 1, 1, 1, np.array([1, 4, 7]), Y + 1.0, Y)
    assert c == {} and pop.post.tolist() == [1, 0]


def test_promotion_out_takes_the_best_rated(rng):
    pop = pop_of(4, rating=[1, 0, 0, 3], score=[5.0, 0.1, 0.2, 9.0])
    promotion_out.apply(pop, ns(per_year=2.0, reserved_share=0.0, street_hiring_plan=0.0, posts=[1, 1, 1]),
                        rng, Y + 1.0)
    assert pop.exit_cause.tolist() == [0, PROMOTED_OUT, PROMOTED_OUT, 0]


@pytest.mark.parametrize("compiled", [True, False] if kernels.ENABLED else [False])
def test_a_split_community_takes_half_its_workers_from_its_staff(monkeypatch, compiled):
    """The same moves by the compiled kernel and by the numpy fallback."""
    monkeypatch.setattr(kernels, "ENABLED", compiled)
    c = demand.Communities([5000.0, 2000.0, 4500.0], [0, 0, 0], [True])
    workers = np.array([0, 0, 2, 0, 0, 0, 1, 2, 2])
    post = np.array([2, 0, 0, 0, 0, 0, 0, 0, 1])
    active = np.array([True, True, True, True, False, True, True, True, True])
    demand.split_and_merge(c, 4000.0, 0.0, workers, post, active)
    # community 0 splits into 0 and 3: 4 active workers, so 2 move, from its active staff
    # rows 1, 3, 5 evenly spaced (rows 3 and 5); the head (row 0) and the inactive row 4
    # stay. Community 2 splits into 2 and 4: 3 active, so 1 moves: of staff rows 2 and 7,
    # row 7; committee member 8 stays
    assert workers.tolist() == [0, 0, 2, 3, 0, 3, 1, 4, 2]


def test_split_halves_start_equally_staffed_where_the_staff_allow():
    """Random communities, posts and leavers: each splitting community hands its new half
    floor(n / 2) of its n active workers, or all its active staff if fewer; nobody else
    moves; the compiled kernel and the numpy code move the same rows."""
    rng = np.random.default_rng(3)
    n_c, n = 60, 900
    community = rng.integers(0, n_c, n)
    post = rng.choice([0, 0, 0, 1, 2], n)
    active = rng.random(n) < 0.9
    households = rng.choice([2000.0, 5000.0], n_c)
    moved = {}
    for compiled in ([True, False] if kernels.ENABLED else [False]):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(kernels, "ENABLED", compiled)
            w = community.copy()
            demand.split_and_merge(demand.Communities(households.copy(), [0] * n_c, [True]), 4000.0, 0.0, w,
                                   post, active)
            moved[compiled] = w
    w = moved[False]
    if kernels.ENABLED:
        np.testing.assert_array_equal(moved[True], w)
    big = np.flatnonzero(households > 4000)
    new_of = dict(zip(big, range(n_c, n_c + len(big))))
    assert ((w != community) == np.isin(w, list(new_of.values()))).all()
    assert not (w != community)[~active | (post != 0)].any()  # only active staff move
    for c, new in new_of.items():
        mine = active & (community == c)
        assert (w[mine] == new).sum() == min(mine.sum() // 2, (mine & (post == 0)).sum())


def test_party_posts_left_by_a_split_are_taken_by_the_longest_serving_staff():
    """Community 0 (two party posts) splits into 0 and 2: its party worker stays or moves
    as the split says, and each half with fewer holders than party posts gives the posts
    to its longest-serving active staff without one (ties: the earlier row); community 1,
    not split, is left as it is; a leader never takes a party post."""
    c = demand.Communities([5000.0, 2000.0], [0, 0], [True])
    workers = np.array([0, 0, 0, 0, 0, 0, 1, 1])
    post = np.array([2, 0, 0, 0, 0, 0, 0, 0])
    active = np.array([True, True, True, True, True, False, True, True])
    party = np.array([False, True, False, False, False, False, False, False])
    hire = np.array([2000.0, 2001.0, 2010.0, 2003.0, 2003.0, 1990.0, 2000.0, 2001.0])
    f = demand.split_and_merge(c, 4000.0, 0.0, workers, post, active)
    assert f["communities_split"] == 1 and f["touched"].tolist() == [0, 2]
    # 5 active in community 0: 2 of its 4 active staff (rows 1-4) move, evenly spaced: rows 2, 4
    assert workers.tolist() == [0, 0, 2, 0, 2, 0, 1, 1]
    c.party_posts = np.array([2, 2, 2])
    took = demand.hold_party_posts(c, f["touched"], workers, post, party, hire, active)
    # community 0: row 1 holds one, row 3 (2003) takes the other (row 5 is inactive, row 0 a
    # head); community 2: rows 4 (2003) and 2 (2010); community 1 untouched
    assert took == 3 and np.flatnonzero(party).tolist() == [1, 2, 3, 4]


def test_party_posts_a_schedule_raises_are_held_by_staff_in_full_communities():
    """Party-building posts rising from 0 to 3 a community in 2027 (a schedule of
    min_party_posts), 20 full communities of 10 and no exits: each community's three
    longest-serving staff take them, so every community has its party posts held from 2027
    (no vacancy lets a hire take them: the share held had gone from 1 to 0 and stayed there;
    found by an audit of the staffing)."""
    import model
    from model.engine import Replication
    sc = model.load("bench", {"years": 4, "demand.communities": 20, "quits.enabled": False,
                              "retirement.enabled": False, "dismissal.enabled": False,
                              "demand.min_party_posts": {"2025": 0, "2027": 3}})
    r = Replication(sc, 1, 0)
    out = r.run()
    share = out[:, r.index["communities_party_share"]]
    assert share.tolist() == [1.0, 1.0, 1.0, 1.0], share
    assert out[:, r.index["hires"]].sum() == 0 and int(r.pop.party.sum()) == 60


def test_a_split_leaves_no_party_post_unheld_while_staff_are_in_place(tmp_path):
    """Households grow 3% a year past the split bound in 2026 (100 -> 200 communities),
    each community one party post, no exits: every post stays filled, and so does every
    party post (without the rule, half the new halves had none until a vacancy)."""
    from pathlib import Path

    import model
    bench = (Path(__file__).resolve().parents[1] / "scenarios" / "bench.toml").as_posix()
    (tmp_path / "split.toml").write_text(f"""
extends = "{bench}"
name = "split-party"
years = 5
[demand]
rule = "households"
communities = 100
urban_residents = 1000000
residents_growth = 0.03
persons_per_household = 2.5
households_per_post = 250
split_above = 4100
min_party_posts = 1
""" + "".join(f"[{s}]\nenabled = false\n" for s in ("certification", "training", "assessment", "dismissal",
                                                      "retirement", "quits")), encoding="utf-8")
    res = model.run(model.load(tmp_path / "split.toml"), reps=1, seed=1, workers=1)
    assert res.metric("communities").iloc[0].tolist() == [100, 200, 200, 200, 200]
    assert res.metric("vacancies").iloc[0].tolist() == [0] * 5
    assert res.metric("communities_party_share").iloc[0].tolist() == [1.0] * 5


def test_elimination_takes_at_least_the_share():
    """20% of 12 workers is 2.4: three go (ceil), so the rate reached is >= 20%."""
    pop = pop_of(12, score=np.arange(12.0), rating=np.ones(12))
    elimination.apply(pop, ns(share=0.2, posts=[1, 1, 1]), Y + 1.0)
    assert (pop.exit_cause == ELIMINATED).sum() == 3


def test_smallest_first_is_a_stable_selection():
    """The k smallest keys with ties to the earlier position, as a stable sort gives."""
    from model.sampling import smallest_first
    rng = np.random.default_rng(8)
    # few values (the sort path), then as many as keys (the partition path), then half of them
    # one value (the partition path on many ties)
    for keys in (rng.integers(0, 6, 500).astype(float), rng.random(3000),
                 np.concatenate([rng.random(2000), np.full(2000, 0.5)])):
        for k in (0, 1, 37, 250, 499, 500, 600, len(keys) - 1):
            expect = np.sort(np.argsort(keys, kind="stable")[:k])
            np.testing.assert_array_equal(smallest_first(keys, k), expect)


def test_rows_added_after_leavers_are_dropped_start_clean():
    """Rows reused after a year's leavers are dropped start zeroed, active and unrated,
    like fresh ones (add skips zeroing only rows never written)."""
    from model.population import COLUMNS, Workforce
    w = Workforce(8)
    w.add(6)
    for name, dt in COLUMNS.items():
        getattr(w, name)[:] = 1 if np.dtype(dt).kind != "b" else True
    w.keep(np.array([True, False, True, False, False, False]))
    rows = w.add(10)  # 4 reused rows, then fresh ones past the old end, then a grow
    for name in COLUMNS:
        col = getattr(w, name)[rows]
        if name == "exit_time":
            assert np.isinf(col).all()
        elif name == "rating":
            assert (col == -1).all()
        else:
            assert (col == 0).all(), name
    assert (getattr(w, "uid")[:2] == 1).all()


def test_truncated_draws_stay_within_each_bound_and_refuse_an_empty_truncation():
    """Each draw lies in the bands truncated at its own bound, or is the bound where the
    bands hold nothing up to it; bands_from_uniforms itself refuses such a bound (it used
    to return numbers above it)."""
    from model.sampling import bands_from_uniforms, truncated_draws
    bands = ((30, 40, 1.0), (50, 59, 1.0))
    u = np.linspace(0.01, 0.99, 99)
    upper = np.tile([20, 35, 49, 55, 70], 20)[:99]
    out = truncated_draws(bands, u, u[::-1], upper)
    assert (out[upper == 20] == 20).all()
    kept = upper != 20
    assert (out[kept] <= upper[kept]).all() and (out[kept] >= 30).all()
    assert not ((out > 40) & (out < 50)).any()
    with pytest.raises(ValueError, match="holds a whole number up to 20"):
        bands_from_uniforms(bands, u, u, upper=20)
