"""Pay floors stated on total cost and district head floors on another benchmark, checked
to the yuan on hand-made cases and in whole runs (issue 5).

Common setting of the hand cases: last year's average wage W = 72,000 yuan (6,000 a
month); contribution base clipped to [60%, 300%] of it, [3,600, 18,000] a month; employer
rates 16% + 8.8% + 0.5% + 0.2% (insurance) + 8% (housing fund) = c = 33.5%, so a total
floor F becomes the gross floor

    F - 0.335 x 3,600 = F - 1,206   if F < 1.335 x 3,600 = 4,806   (contribution floor binds)
    F / 1.335                       if F <= 1.335 x 18,000 = 24,030
    F - 0.335 x 18,000 = F - 6,030  above                          (cap binds)
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import ns, write_scenario

import model
from model import engine, metrics
from model.policies import pay
from model.population import Workforce

Y = 2025
W = 72000.0
C = 0.16 + 0.088 + 0.005 + 0.002 + 0.08


# every case runs on the compiled kernels and on the numpy code
pytestmark = pytest.mark.usefixtures("both_paths")


PAY = {"monthly": [2000.0, 2000.0, 2000.0], "grade_coefficient": [1.0] * 18, "floor_share": [0.0, 0.0, 0.0],
       "floor_basis": "total", "base_share": 1.0, "performance_multiplier": [1.2, 1.0, 0.8, 0.0],
       "leaver_performance_multiplier": 1.0, "allowance": [0.0, 200.0, 300.0, 400.0], "pension_rate": 0.16,
       "medical_rate": 0.088, "unemployment_rate": 0.005, "injury_rate": 0.002, "housing_fund_rate": 0.08,
       "contribution_floor": 0.6, "contribution_cap": 3.0, "annuity_rate": 0.05, "annuity_posts": [0, 0, 1],
       "annuity_excellent": False, "minimum_monthly": 0.0, "table_staff": [0.0] * 18,
       "table_committee": [0.0] * 18, "table_head": [0.0] * 18}


def pay_params(**kw):
    """The [pay] namespace of the hand cases (W = 72,000, c = 33.5%, annuity 5% for heads)."""
    return ns(**{**PAY, **kw})


def acc0():
    return pay.accumulators()


def one_year(pop, py, dist, districts=0):
    """Accrue a whole year; returns the accumulators."""
    acc = pay.accumulators(districts)
    pay.accrue(pop, py, Y, Y + 1.0, acc, dist, districts)
    return acc


def district(name, share=-1.0, benchmark="average_wage", basis="gross"):
    return ns(name=name, head_floor_share=share, head_floor_benchmark=benchmark, head_floor_basis=basis)


# ------------------------------------------------------------------ the solver

@pytest.mark.parametrize("total,gross,binds", [
    (6000.0, 6000.0 / 1.335, "neither"),       # 4,494.38 in [3,600, 18,000]
    (4200.0, 2994.0, "floor"),                 # 4,200 - 1,206
    (4800.0, 3594.0, "floor"),                 # just under 4,806: gross 3,594 < 3,600
    (4806.0, 3600.0, "both sides"),            # the kink: 4,806 / 1.335 = 4,806 - 1,206
    (30000.0, 23970.0, "cap"),                 # 30,000 - 6,030
    (1206.0, 0.0, "no pay needed"),            # the floor's contributions alone reach it
])
def test_solved_gross_reproduces_the_stated_total(total, gross, binds):
    g = pay.gross_for_total(total, C, 3600.0, 18000.0)
    assert float(g) == pytest.approx(gross, abs=1e-9), binds
    if gross > 0:
        assert float(pay.total_of_gross(g, C, 3600.0, 18000.0)) == pytest.approx(total, abs=1e-9)
        # and it is the smallest: a yuan less falls short
        assert float(pay.total_of_gross(g - 1.0, C, 3600.0, 18000.0)) < total


def test_solver_without_limits_and_without_rates():
    """No contribution floor or cap: F / (1 + c); no rates: F itself."""
    assert float(pay.gross_for_total(6000.0, C, 0.0, np.inf)) == pytest.approx(6000.0 / 1.335)
    assert float(pay.gross_for_total(6000.0, 0.0, 3600.0, 18000.0)) == 6000.0


# ------------------------------------------------------------------ total-basis floors in a year of pay

def test_total_floor_binds_and_the_year_costs_exactly_the_floor():
    """Staff at 70% (4,200 a month: the contribution floor binds, gross 2,994), heads at 100%
    (6,000: no clipping, gross 4,494.38) and a committee member at 5 x W (30,000: the cap
    binds, gross 23,970). Uncertified and paid 2,000 by the table, so every floor binds and
    a year of base + insurance + housing fund is 12 x the floor to the yuan; the heads'
    annuity (5%) comes on top and is not counted by the floor."""
    pop = Workforce.from_columns(hire_time=[Y - 1.0] * 3, grade=[1, 1, 1], post=[0, 2, 1], level=[0, 0, 0])
    dist = np.zeros(1, np.int32)
    py = pay.PayYear(pay_params(floor_share=[0.7, 5.0, 1.0]), 1.0, W, np.array([-1.0]))
    np.testing.assert_allclose(py.gross(pop, dist), [2994.0, 6000.0 / 1.335, 23970.0], rtol=1e-12)
    for i, floor in enumerate((4200.0, 6000.0, 30000.0)):
        one = Workforce.from_columns(hire_time=[Y - 1.0], grade=[1], post=[pop.post[i]], level=[0])
        acc = one_year(one, py, dist)
        cost = acc["payroll_base"] + acc["payroll_insurance"] + acc["payroll_housing_fund"]
        assert cost == pytest.approx(12 * floor, abs=1e-6)
    head = Workforce.from_columns(hire_time=[Y - 1.0], grade=[1], post=[2], level=[0])
    assert one_year(head, py, dist)["payroll_annuity"] == pytest.approx(0.05 * 12 * 6000.0 / 1.335)


def test_total_floor_that_does_not_bind():
    """Table 9,000 for heads is above the 100% floor's gross 4,494.38 and stays; on the
    gross basis the same share would floor at 6,000, still below."""
    pop = Workforce.from_columns(hire_time=[Y - 1.0], grade=[1], post=[2])
    for basis in ("total", "gross"):
        p = pay_params(monthly=[2000.0, 2000.0, 9000.0], floor_share=[0.0, 0.0, 1.0], floor_basis=basis)
        py = pay.PayYear(p, 1.0, W, np.array([-1.0]))
        np.testing.assert_allclose(py.gross(pop, np.zeros(1, np.int32)), [9000.0])


def test_gross_basis_is_todays_rule():
    """floor_basis "gross" (and a namespace without it, as older callers pass) floors gross
    pay at share x W / 12 itself."""
    pop = Workforce.from_columns(hire_time=[Y - 1.0] * 2, grade=[1, 1], post=[0, 2])
    p = pay_params(floor_share=[0.7, 0.7, 1.0], floor_basis="gross")
    np.testing.assert_allclose(pay.PayYear(p, 1.0, W, np.array([-1.0])).gross(pop, np.zeros(1, np.int32)),
                               [4200.0, 6000.0])
    del p.floor_basis
    np.testing.assert_allclose(pay.PayYear(p, 1.0, W, np.array([-1.0])).gross(pop, np.zeros(1, np.int32)),
                               [4200.0, 6000.0])


def test_allowance_is_not_counted_and_city_base_wage_still_applies():
    """A certified worker on the floor gets the same gross as an uncertified one (the
    allowance, and its contributions, come on top); a city base wage of 4,500 is above the
    total floor's gross of 2,994 and applies (the highest floor applies)."""
    pop = Workforce.from_columns(hire_time=[Y - 1.0] * 2, grade=[1, 1], post=[0, 0], level=[0, 2])
    dist = np.zeros(1, np.int32)
    py = pay.PayYear(pay_params(floor_share=[0.7, 0.7, 1.0]), 1.0, W, np.array([-1.0]))
    np.testing.assert_allclose(py.gross(pop, dist), [2994.0, 2994.0])
    acc = one_year(Workforce.from_columns(hire_time=[Y - 1.0], grade=[1], post=[0], level=[2]), py, dist)
    cost = acc["payroll_base"] + acc["payroll_allowance"] + acc["payroll_insurance"] + acc["payroll_housing_fund"]
    assert cost == pytest.approx(12 * (2994.0 + 300.0 + C * 3600.0))   # 3,294 is still below the 3,600 base floor
    py = pay.PayYear(pay_params(floor_share=[0.7, 0.7, 1.0], minimum_monthly=4500.0), 1.0, W, np.array([-1.0]))
    np.testing.assert_allclose(py.gross(pop, dist), [4500.0, 4500.0])


def test_district_floor_on_total_basis():
    """District 0 at 80% (4,800: gross 3,594, the contribution floor binds by 6 yuan);
    district 1 follows the city's 70% (gross 2,994); heads everywhere 100% (4,494.38)."""
    pop = Workforce.from_columns(hire_time=[Y - 1.0] * 3, grade=[1, 1, 1], post=[0, 1, 2], community=[0, 1, 0])
    py = pay.PayYear(pay_params(floor_share=[0.7, 0.7, 1.0]), 1.0, W, np.array([0.8, -1.0]))
    np.testing.assert_allclose(py.gross(pop, np.array([0, 1])), [3594.0, 2994.0, 6000.0 / 1.335])


# ------------------------------------------------------------------ district head floors

def test_district_head_floor_overrides_the_city_head_floor():
    """Villages (district 1): heads' base pay at least 2 x last year's rural disposable income
    per head. At 24,000 a year: base 4,000 a month, gross 4,000 / 0.7 = 5,714.29, above the
    city head floor (4,494.38). At 12,000: gross 2,857.14, BELOW the city floor, and still
    the one that applies there (the district's rule replaces the city's). Heads in the city
    district and village staff are untouched."""
    pop = Workforce.from_columns(hire_time=[Y - 1.0] * 3, grade=[1, 1, 1], post=[2, 2, 0], community=[0, 1, 1])
    dist = np.array([0, 1])
    ds = [district("city"), district("villages", 2.0, "rural_disposable_income", "base")]
    p = pay_params(floor_share=[0.7, 0.7, 1.0], base_share=0.7)
    for income, village_head in ((24000.0, 4000.0 / 0.7), (12000.0, 2000.0 / 0.7)):
        py = pay.PayYear(p, 1.0, W, np.array([-1.0, -1.0]), districts=ds,
                         benchmarks={"rural_disposable_income": income})
        np.testing.assert_allclose(py.gross(pop, dist), [6000.0 / 1.335, village_head, 2994.0], rtol=1e-12)


@pytest.mark.parametrize("basis,gross", [
    ("gross", 4000.0),
    ("base", 4000.0 / 0.7),
    ("total", 4000.0 - 0.335 * 3600.0),   # 4,000 < 4,806: the contribution floor binds
])
def test_district_head_floor_bases(basis, gross):
    pop = Workforce.from_columns(hire_time=[Y - 1.0], grade=[1], post=[2])
    py = pay.PayYear(pay_params(base_share=0.7), 1.0, W, np.array([-1.0]),
                     districts=[district("villages", 2.0, "rural_disposable_income", basis)],
                     benchmarks={"rural_disposable_income": 24000.0})
    np.testing.assert_allclose(py.gross(pop, np.zeros(1, np.int32)), [gross], rtol=1e-12)


def test_district_head_floor_on_the_average_wage_and_missing_benchmark():
    pop = Workforce.from_columns(hire_time=[Y - 1.0], grade=[1], post=[2])
    py = pay.PayYear(pay_params(), 1.0, W, np.array([-1.0]), districts=[district("d", 0.5)])
    np.testing.assert_allclose(py.gross(pop, np.zeros(1, np.int32)), [3000.0])   # 0.5 x 6,000 on gross
    with pytest.raises(ValueError, match="rural_disposable_income"):
        pay.PayYear(pay_params(), 1.0, W, np.array([-1.0]),
                    districts=[district("d", 2.0, "rural_disposable_income")])


def test_district_head_floor_accrues_on_both_paths():
    """A year of a village head on the 5,714.29 floor (70% base, 30% performance accrued),
    a city head on the 4,494.38 floor and a village staff member on 2,994: base, the
    performance accrued, contributions, annuity (heads) and the payroll by district, to
    the yuan. On the compiled path the village head is accrued by the numpy code."""
    pop = Workforce.from_columns(hire_time=[Y - 1.0] * 3, grade=[1, 1, 1], post=[2, 2, 0], community=[0, 1, 1],
                                 level=[0, 0, 0])
    dist = np.array([0, 1])
    ds = [district("city"), district("villages", 2.0, "rural_disposable_income", "base")]
    py = pay.PayYear(pay_params(floor_share=[0.7, 0.7, 1.0], base_share=0.7), 1.0, W, np.array([-1.0, -1.0]),
                     districts=ds, benchmarks={"rural_disposable_income": 24000.0})
    acc = one_year(pop, py, dist, districts=2)
    g = np.array([6000.0 / 1.335, 4000.0 / 0.7, 2994.0])
    cb = np.clip(g, 3600.0, 18000.0)
    assert acc["payroll_base"] == pytest.approx(0.7 * 12 * g.sum())
    np.testing.assert_allclose(pop.perf_accrued, 0.3 * 12 * g)
    assert acc["payroll_insurance"] == pytest.approx(12 * (C - 0.08) * cb.sum())
    assert acc["payroll_housing_fund"] == pytest.approx(12 * 0.08 * cb.sum())
    assert acc["payroll_annuity"] == pytest.approx(12 * 0.05 * cb[:2].sum())
    assert acc["worker_years"] == pytest.approx(3.0)
    cost = 12 * (0.7 * g + C * cb + 0.05 * cb * np.array([1, 1, 0]))
    np.testing.assert_allclose(acc["_payroll_district"], [cost[0], cost[1] + cost[2]])


# ------------------------------------------------------------------ validation

def test_bad_floor_basis_is_one_clear_error(tmp_path):
    f = write_scenario(tmp_path, 'extends = "@SCENARIOS@/bench.toml"\nname = "bad"\n\n[pay]\nfloor_basis = "net"\n')
    with pytest.raises(model.ScenarioError) as e:
        model.load(f)
    msg = str(e.value)
    assert "case.toml:5" in msg and "pay.floor_basis" in msg and "'gross', 'total'" in msg
    assert "\n" not in msg


# ------------------------------------------------------------------ whole runs

RUN = '''extends = "@SCENARIOS@/bench.toml"
name = "floors"
start_year = 2025
years = 3

[demand]
communities = 40
posts_per_community = 5

[population]
heads_per_community = 1
committee_per_community = 1
certificate = [1.0, 0.0, 0.0, 0.0]

[recruitment]
certificate = [1.0, 0.0, 0.0, 0.0]

[certification]
enabled = false

[dismissal]
certificate_deadline = 0

[elections]
enabled = true
fill_between = true

[pay]
monthly = [2000, 2000, 2000]
base_share = 0.7
allowance = [0, 0, 0, 0]
floor_share = [0.7, 0.7, 1.0]
floor_basis = "total"
pension_rate = 0.16
medical_rate = 0.088
unemployment_rate = 0.005
injury_rate = 0.002
housing_fund_rate = 0.08
contribution_floor = 0.6
contribution_cap = 3.0

[economy]
average_wage = 72000
average_wage_growth = 0.0
{economy}
[[districts]]
name = "core"
communities = 20
floor_share = 0.9

[[districts]]
name = "villages"
communities = 20
urban = false
{villages}'''


def _run(tmp_path, economy="", villages=""):
    sc = model.load(write_scenario(tmp_path, RUN.format(economy=economy, villages=villages)))
    out = engine.run_replication(sc, 7, 0)
    names = metrics.names(sc)
    return lambda m: out[:, names.index(m)]


def test_run_total_basis_floors(tmp_path):
    """Everyone is paid 2,000 by the table, so every floor binds: staff in "core" at 90%
    (5,400 > 4,806: gross 5,400 / 1.335), in "villages" at the city's 70% (gross 4,200 -
    1,206 = 2,994, i.e. 0.499 W); heads at 100% (1 / 1.335 of W). Every year."""
    at = _run(tmp_path)
    np.testing.assert_allclose(at("pay_ratio_staff.core"), 0.9 / 1.335, rtol=1e-12)
    np.testing.assert_allclose(at("pay_ratio_staff.villages"), 0.7 - C * 0.6, rtol=1e-12)
    np.testing.assert_allclose(at("pay_ratio_head.core"), 1 / 1.335, rtol=1e-12)
    np.testing.assert_allclose(at("pay_ratio_head.villages"), 1 / 1.335, rtol=1e-12)
    # on the floors' own basis (gross + employer insurance and fund) they sit exactly at
    # the document's shares
    np.testing.assert_allclose(at("remuneration_ratio_staff.core"), 0.9, rtol=1e-12)
    np.testing.assert_allclose(at("remuneration_ratio_staff.villages"), 0.7, rtol=1e-12)
    np.testing.assert_allclose(at("remuneration_ratio_head"), 1.0, rtol=1e-12)
    np.testing.assert_allclose(at("remuneration_ratio_head.urban"), 1.0, rtol=1e-12)


def test_run_district_head_floor(tmp_path, monkeypatch):
    """Village heads' base pay floored at 2 x a rural income of 12,000 (base 2,000 a month,
    gross 2,857.14 = 0.4762 W, below the city head floor that core heads keep); the
    districts are handed to PayYear directly here (the next test sets them in the
    scenario)."""
    ds = [district("core"), district("villages", 2.0, "rural_disposable_income", "base")]
    real = pay.PayYear

    def with_heads(p, growth_index, wage_last, district_floor, **kw):
        kw.update(districts=ds, benchmarks={"rural_disposable_income": 12000.0})
        return real(p, growth_index, wage_last, district_floor, **kw)

    monkeypatch.setattr(pay, "PayYear", with_heads)
    at = _run(tmp_path)
    np.testing.assert_allclose(at("pay_ratio_head.villages"), 12 * 2000.0 / 0.7 / W, rtol=1e-12)
    np.testing.assert_allclose(at("pay_ratio_head.core"), 1 / 1.335, rtol=1e-12)
    np.testing.assert_allclose(at("pay_ratio_staff.villages"), 0.7 - C * 0.6, rtol=1e-12)


def test_run_district_head_floor_from_the_scenario(tmp_path):
    """As above, set in the scenario: the rural income grows 10% a year, so the village heads'
    floor is 2 x 12,000 x 1.1^(y - start) / 12 / 0.7 a month."""
    at = _run(tmp_path, economy="rural_disposable_income = 12000\nrural_disposable_income_growth = 0.1\n",
              villages='head_floor_share = 2.0\nhead_floor_benchmark = "rural_disposable_income"\n'
                       'head_floor_basis = "base"\n')
    expected = 12 * 2000.0 * 1.1 ** np.arange(3) / 0.7 / W
    np.testing.assert_allclose(at("pay_ratio_head.villages"), expected, rtol=1e-12)
    np.testing.assert_allclose(at("pay_ratio_head.core"), 1 / 1.335, rtol=1e-12)


def test_a_floor_that_binds_meets_its_target():
    """A value on its threshold up to rounding counts as on it: it meets >=, <= and ==
    targets and not > or <, whichever side rounding left it; a real difference (one part
    in a million) counts."""
    from model.results import met
    v = np.array([0.8 * (1 - 1e-15), 0.8, 0.8 * (1 + 1e-15), 0.8 * (1 - 1e-6), 0.8 * (1 + 1e-6), np.nan])
    assert met(v, ">=", 0.8).tolist() == [True, True, True, False, True, False]
    assert met(v, "<=", 0.8).tolist() == [True, True, True, True, False, False]
    assert met(v, "==", 0.8).tolist() == [True, True, True, False, False, False]
    assert met(v, ">", 0.8).tolist() == [False, False, False, False, True, False]
    assert met(v, "<", 0.8).tolist() == [False, False, False, True, False, False]
    assert met(np.array([0.0, 1e-300]), "==", 0.0).tolist() == [True, False]  # no slack about 0


def test_a_district_head_floor_of_zero_on_base_pay_runs_when_base_pay_is_zero(tmp_path):
    """A district's head floor of 0 sets no floor of its own (the minimum pay alone),
    whatever its basis: with every yuan paid as performance pay (base_share 0) a floor on
    base pay cannot be met, but a floor of 0 asks nothing. It passed validation and then
    stopped the run with a traceback."""
    f = write_scenario(tmp_path, 'extends = "@SCENARIOS@/bench.toml"\nname = "zero-head-floor"\nyears = 2\n\n'
                                 "[demand]\ncommunities = 20\n\n[pay]\nbase_share = 0.0\nminimum_monthly = 2500\n\n"
                                 '[[districts]]\nname = "d0"\ncommunities = 20\nhead_floor_share = 0.0\n'
                                 'head_floor_basis = "base"\n')
    res = model.run(model.load(f), reps=2, seed=1)
    assert np.isfinite(res.at("payroll", 2026)).all()
    p = pay_params(base_share=0.0, floor_basis="base", minimum_monthly=2500.0, floor_share=[0.0, 0.0, 0.0])
    year = pay.PayYear(p, 1.0, W, np.array([0.0]),
                       [ns(name="d0", head_floor_share=0.0, head_floor_benchmark="average_wage",
                           head_floor_basis="base")])
    assert year.head_floor.tolist() == [2500.0] and year.district_floor.tolist() == [2500.0]
    assert year.floor_post.tolist() == [2500.0] * 3


# ------------------------------------------------------------------ a housing fund with a base of its own

FUND = {"housing_fund_floor_monthly": 2490.0, "housing_fund_cap": 2.0}  # [2,490, 12,000]
INSURANCE = C - 0.08


def test_solver_with_the_funds_own_base_reaches_the_total_at_the_least_gross():
    """On a grid of totals through every bend (the fund's floor 2,490 and cap 12,000, the
    insurances' 3,600 and 18,000), the solved gross costs the total exactly and any less
    gross costs less; with one base it is the one-base solver's answer."""
    terms = ((INSURANCE, 3600.0, 18000.0), (0.08, 2490.0, 12000.0))
    totals = np.linspace(0.0, 40000.0, 40001)
    g = pay.gross_for_total_of(totals, terms)
    reach = totals > pay.total_of_gross_of(0.0, terms)
    np.testing.assert_allclose(pay.total_of_gross_of(g[reach], terms), totals[reach], rtol=1e-12)
    assert (pay.total_of_gross_of(g[reach] - 1e-6, terms) < totals[reach]).all()
    assert (g[~reach] == 0).all() and (np.diff(g) >= 0).all()
    # (4,200 - 0.255 x 3,600) / 1.08: the insurances' floor binds, the fund's does not
    assert float(pay.gross_for_total_of(4200.0, terms)) == pytest.approx((4200 - INSURANCE * 3600) / 1.08)
    one = ((C, 3600.0, 18000.0),)
    np.testing.assert_allclose(pay.gross_for_total_of(totals, one),
                               pay.gross_for_total(totals, C, 3600.0, 18000.0), rtol=1e-12, atol=1e-9)


def test_the_fund_on_its_own_base_and_the_insurances_on_theirs():
    """Staff paid 2,640 (below the insurances' floor of 3,600, above the fund's 2,490) and a
    head paid 33,000 (above both caps): the insurances are charged on 3,600 and 18,000, the
    fund on 2,640 and 12,000; a fund whose own floor and cap equal the insurances' is taken
    to share their base (the one-base code, whose figures are those from before the fund
    had a base of its own)."""
    pop = Workforce.from_columns(hire_time=[Y - 1.0, Y - 1.0], grade=[1, 1], post=[0, 2], level=[0, 0])
    dist = np.zeros(1, np.int32)
    p = pay_params(monthly=[2640.0, 2640.0, 33000.0], floor_basis="gross", annuity_rate=0.0, **FUND)
    acc = one_year(pop, pay.PayYear(p, 1.0, W, np.array([-1.0])), dist, districts=1)
    assert acc["payroll_insurance"] == pytest.approx(INSURANCE * 12 * (3600 + 18000), rel=1e-12)
    assert acc["payroll_housing_fund"] == pytest.approx(0.08 * 12 * (2640 + 12000), rel=1e-12)
    parts = sum(acc[k] for k in ("payroll_base", "payroll_allowance", "payroll_insurance",
                                 "payroll_housing_fund"))
    assert acc["_payroll_district"][0] == pytest.approx(parts, rel=1e-12)  # the district's cost, the same
    same = pay_params(monthly=[2640.0, 2640.0, 33000.0], floor_basis="gross", annuity_rate=0.0,
                      housing_fund_floor_monthly=3600.0, housing_fund_cap=3.0)  # the insurances' bounds
    shared = pay_params(monthly=[2640.0, 2640.0, 33000.0], floor_basis="gross", annuity_rate=0.0)
    assert not pay.PayYear(same, 1.0, W, np.array([-1.0])).hf_own
    # the code for a base of its own, run on the insurances' bounds, charges what the one-base
    # code does (it could differ only by rounding: two products summed for one)
    forced = pay.PayYear(shared, 1.0, W, np.array([-1.0]))
    forced.hf_own = True
    plain = pay.PayYear(shared, 1.0, W, np.array([-1.0]))
    own, one = (one_year(pop, py, dist, districts=1) for py in (forced, plain))
    for k in ("payroll_insurance", "payroll_housing_fund", "payroll_base"):
        assert own[k] == pytest.approx(one[k], rel=1e-12), k
    np.testing.assert_allclose(own["_payroll_district"], one["_payroll_district"], rtol=1e-12)
    terms = forced.contribution_terms()
    assert len(terms) == 2 and float(pay.gross_for_total_of(5000.0, terms)) == pytest.approx(
        float(pay.gross_for_total(5000.0, C, 3600.0, 18000.0)), rel=1e-12)


def test_run_total_basis_floors_with_the_funds_own_base(tmp_path):
    """test_run_total_basis_floors with the fund's base [2,490, 12,000]: the villages' staff
    floor of 4,200 is met by gross (4,200 - 0.255 x 3,600) / 1.08 = 3,038.89 (the fund on the
    gross itself, above its floor), not 2,994; the core's 90% (gross 4,044.94, inside every
    bound) is as before; remuneration on the floors' basis sits exactly at the shares."""
    text = RUN.replace("contribution_cap = 3.0\n",
                       "contribution_cap = 3.0\nhousing_fund_floor_monthly = 2490\nhousing_fund_cap = 2.0\n")
    sc = model.load(write_scenario(tmp_path, text.format(economy="", villages="")))
    out = engine.run_replication(sc, 7, 0)
    names = metrics.names(sc)

    def at(m):
        return out[:, names.index(m)]
    np.testing.assert_allclose(at("pay_ratio_staff.villages"), (4200 - INSURANCE * 3600) / 1.08 / 6000,
                               rtol=1e-12)
    np.testing.assert_allclose(at("pay_ratio_staff.core"), 0.9 / 1.335, rtol=1e-12)
    np.testing.assert_allclose(at("remuneration_ratio_staff.villages"), 0.7, rtol=1e-12)
    np.testing.assert_allclose(at("remuneration_ratio_staff.core"), 0.9, rtol=1e-12)
