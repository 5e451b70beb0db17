"""Pay checked to the yuan on small hand-made workforces (issue 4, item 5)."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import ns
from model.population import Workforce
from model.policies import pay

Y = 2025


# every case runs on the compiled kernels and on the numpy code
pytestmark = pytest.mark.usefixtures("both_paths")


def pay_params(**kw):
    base = dict(monthly=[5000.0, 5000.0, 9000.0], grade_coefficient=[1.0] * 18, floor_share=[0.0, 0.0, 0.0],
                base_share=0.7, performance_multiplier=[1.2, 1.0, 0.8, 0.0], leaver_performance_multiplier=1.0,
                allowance=[0.0, 200.0, 300.0, 400.0], pension_rate=0.16, medical_rate=0.0, unemployment_rate=0.0,
                injury_rate=0.0, housing_fund_rate=0.0, contribution_floor=0.0, contribution_cap=0.0,
                annuity_rate=0.0, annuity_posts=[0, 0, 1], annuity_excellent=False, minimum_monthly=0.0,
                table_staff=[0.0] * 18, table_committee=[0.0] * 18, table_head=[0.0] * 18)
    base.update(kw)
    return ns(**base)


def acc0():
    return dict.fromkeys(pay.ACCRUED + ("payroll_performance",), 0.0)


def test_two_workers_to_the_yuan():
    """A: hired 1 March (day 59), passes the assistant exam on 1 July (y + 0.5), rated
    excellent on 31 December. B: employed from before, quits at day 181 (y + 181/365).
    Monthly 5,000: 70% base, 30% performance (x1.2 excellent, x1.0 for a leaver);
    allowance 200 from the exam; employer pension 16% of gross + allowance."""
    pop = Workforce.from_columns(hire_time=[Y + 59 / 365, Y - 3.0], exit_time=[np.inf, Y + 181 / 365],
                                 exit_cause=[0, 1], grade=[1, 1], post=[0, 0], level=[0, 0])
    py = pay.PayYear(pay_params(), 1.0, 0.0, np.array([-1.0]))
    acc = acc0()
    dist = np.zeros(1, dtype=np.int32)
    pay.accrue(pop, py, Y, Y + 0.5, acc, dist)
    pop.level[0] = 1                                   # exam passed at y + 0.5
    pay.accrue(pop, py, Y + 0.5, Y + 1.0, acc, dist)
    pop.rating[0] = 0                                  # excellent
    pay.settle_performance(pop, py, np.array([True, False]), None, acc)
    pay.settle_performance(pop, py, np.array([False, True]), np.array([False, True]), acc)
    fa, fb = 1 - 59 / 365, 181 / 365
    assert acc["payroll_base"] == pytest.approx(0.7 * 60000 * (fa + fb), abs=0.01)
    assert acc["payroll_performance"] == pytest.approx(0.3 * 60000 * (1.2 * fa + 1.0 * fb), abs=0.01)
    assert acc["payroll_allowance"] == pytest.approx(200 * 6, abs=0.01)
    assert acc["payroll_insurance"] == pytest.approx(0.16 * (60000 * (fa + fb) + 1200), abs=0.01)
    assert acc["worker_years"] == pytest.approx(fa + fb)


def test_unqualified_gets_no_performance_pay():
    pop = Workforce.from_columns(hire_time=[Y - 1.0], grade=[1], rating=[3])
    py = pay.PayYear(pay_params(), 1.0, 0.0, np.array([-1.0]))
    acc = acc0()
    pay.accrue(pop, py, Y, Y + 1.0, acc, np.zeros(1, np.int32))
    pay.settle_performance(pop, py, np.array([True]), None, acc)
    assert acc["payroll_performance"] == 0.0 and acc["payroll_base"] == pytest.approx(42000.0)


def test_a_floor_that_binds_and_one_that_does_not():
    """Last year's average wage 72,000 (6,000 a month). Staff: table 5,000 against an 80% floor
    of 4,800 does not bind; against a 90% floor of 5,400 it binds. Heads: table 9,000 stays above
    the 100% floor of 6,000."""
    pop = Workforce.from_columns(hire_time=[Y - 1.0, Y - 1.0], grade=[1, 1], post=[0, 2])
    for share, staff in ((0.8, 5000.0), (0.9, 5400.0)):
        py = pay.PayYear(pay_params(floor_share=[share, share, 1.0]), 1.0, 72000.0, np.array([-1.0]))
        np.testing.assert_allclose(py.gross(pop, np.zeros(1, np.int32)), [staff, 9000.0])


def test_district_floor_overrides_the_city_floor_for_staff_only():
    pop = Workforce.from_columns(hire_time=[Y - 1.0] * 3, grade=[1, 1, 1], post=[0, 0, 2], community=[0, 1, 1])
    py = pay.PayYear(pay_params(monthly=[3000.0, 3000.0, 3000.0], floor_share=[0.7, 0.7, 1.0]), 1.0, 72000.0,
                     np.array([0.8, -1.0]))
    # community 0 in district 0 (80%), community 1 in district 1 (city rule, 70%)
    np.testing.assert_allclose(py.gross(pop, np.array([0, 1])), [4800.0, 4200.0, 6000.0])


def test_grade_table_growth_and_contribution_limits():
    """Grade 3 at coefficient 1.2, pay table grown 10%; contribution base clipped to
    [60%, 300%] of the average wage (here 6,000 a month: [3,600, 18,000])."""
    coef = [1.0, 1.1, 1.2] + [1.3] * 15
    pop = Workforce.from_columns(hire_time=[Y - 1.0, Y - 1.0], grade=[3, 1], post=[0, 2])
    p = pay_params(monthly=[2000.0, 2000.0, 30000.0], grade_coefficient=coef, base_share=1.0,
                   contribution_floor=0.6, contribution_cap=3.0, housing_fund_rate=0.1, pension_rate=0.0)
    py = pay.PayYear(p, 1.1, 72000.0, np.array([-1.0]))
    np.testing.assert_allclose(py.gross(pop, np.zeros(1, np.int32)), [2000 * 1.2 * 1.1, 33000.0])
    acc = acc0()
    pay.accrue(pop, py, Y, Y + 1.0, acc, np.zeros(1, np.int32))
    assert acc["payroll_housing_fund"] == pytest.approx(0.1 * 12 * (3600 + 18000))


def test_annuity_for_heads_and_excellent_workers():
    pop = Workforce.from_columns(hire_time=[Y - 1.0] * 3, grade=[1, 1, 1], post=[2, 0, 0], rating=[1, 0, 1])
    p = pay_params(base_share=1.0, pension_rate=0.0, annuity_rate=0.05, annuity_excellent=True,
                   monthly=[5000.0, 5000.0, 5000.0])
    acc = acc0()
    pay.accrue(pop, pay.PayYear(p, 1.0, 0.0, np.array([-1.0])), Y, Y + 1.0, acc, np.zeros(1, np.int32))
    assert acc["payroll_annuity"] == pytest.approx(0.05 * 60000 * 2)


def test_own_grade_table_and_city_base_wage():
    """Heads paid from their own 18-grade table; a city base wage of 4,500 lifts staff paid
    4,000 by the table, and leaves heads (6,300 at grade 3) alone."""
    head_table = [6000.0 + 150 * g for g in range(18)]
    pop = Workforce.from_columns(hire_time=[Y - 1.0] * 2, grade=[1, 3], post=[0, 2])
    p = pay_params(monthly=[4000.0, 4000.0, 4000.0], table_staff=[0.0] * 18, table_committee=[0.0] * 18,
                   table_head=head_table, minimum_monthly=4500.0)
    py = pay.PayYear(p, 1.0, 0.0, np.array([-1.0]))
    np.testing.assert_allclose(py.gross(pop, np.zeros(1, np.int32)), [4500.0, 6300.0])


def test_a_contribution_cap_drawn_below_the_floor_is_the_floor():
    """An uncertain cap (or floor) can draw a cap below the floor, which the checks refuse
    for fixed values; the base is then the floor, not the least amount a cap drawn at or
    below 0 is clipped to (found in a review of 2026-12-07: contributions all but vanished).
    Average wage 72,000 (6,000 a month): floor 60% = 3,600, a cap of 1e-9 is 3,600 too; the
    housing fund, on the insurances' base, the same."""
    from model.params import LEAST_AMOUNT
    py = pay.PayYear(pay_params(contribution_floor=0.6, contribution_cap=LEAST_AMOUNT, housing_fund_rate=0.1,
                                housing_fund_floor_monthly=-1.0, housing_fund_cap=-1.0),
                     1.0, 72000.0, np.array([-1.0]))
    assert py.cb_lo == py.cb_hi == 3600.0
    assert (py.hf_lo, py.hf_hi) == (3600.0, 3600.0) and not py.hf_own
    fixed = pay.PayYear(pay_params(contribution_floor=0.6, contribution_cap=3.0), 1.0, 72000.0,
                        np.array([-1.0]))
    assert (fixed.cb_lo, fixed.cb_hi) == (3600.0, 18000.0)


def test_a_housing_fund_on_the_insurances_cap_takes_it_as_corrected():
    """A fund with its own floor (0: the worker's own wage) and the insurances' cap takes
    that cap as the insurances do when a draw puts it below their floor (the floor), not
    the drawn least amount, which left the fund at 0 in those replications (a fuzz check of
    2026-12-07, nanjing-2018 with an uncertain contribution cap)."""
    from model.params import LEAST_AMOUNT
    py = pay.PayYear(pay_params(contribution_floor=0.6, contribution_cap=LEAST_AMOUNT, housing_fund_rate=0.1,
                                housing_fund_floor_monthly=0.0, housing_fund_cap=-1.0),
                     1.0, 72000.0, np.array([-1.0]))
    assert (py.hf_lo, py.hf_hi) == (0.0, 3600.0) and py.hf_own
