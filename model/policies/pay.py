"""Pay: monthly pay by post and grade, floors, performance pay, allowances, employer
contributions, accrued pro rata to the day.

Monthly gross pay of a worker in post ``k`` and grade ``g`` in year ``y``:

    table = monthly[k] * grade_coefficient[g] * prod_{start < s <= y} (1 + growth_s)
            (or table_<post>[g] * the same growth, where a post has its own table)
    floor = max(floor_share[k or district] * W_{y-1} / 12, minimum_monthly)
    gross = max(table, floor)

where ``W_{y-1}`` is last year's local average wage (Nanjing 2018: heads at least 100%,
others 80% in the six central districts and 70% elsewhere, seed
001_f809a46add856e54.txt; Changzhou 2022 base wage 4,500 yuan/month, seed
000_4ab8506bd769e853.txt). ``base_share`` of it is base pay, paid as earned; the rest
is performance pay, paid at the assessment with a multiplier by grade (Jilin 70% base +
30% performance, seed 003_29d33855077651d4.txt; Benxi: no performance pay when
unqualified, FIGURES.md section 3.2). Leavers not assessed get
``leaver_performance_multiplier``.

Certificate allowance: ``allowance[level]`` yuan a month (Jilin: at least 200, tiered;
Xianning 100/200/300, FIGURES.md section 3.2).

Employer contributions are rates times the contribution base, ``gross + allowance``
clipped to ``[contribution_floor, contribution_cap] * W_{y-1} / 12`` (FIGURES.md
section 4: pension 16%, floor 60%, cap 300%): social insurance (pension, medical,
unemployment, injury), housing fund, and the occupational annuity for covered posts
(and, with ``annuity_excellent``, workers rated excellent last year; Changzhou).

Accrual is exact: rates only change at calendar events, so between two events ``t0 <
t1`` each worker earns ``12 * rate * |[t0, t1) ∩ [hire, exit)|``.
"""

from __future__ import annotations

import numpy as np

from .. import kernels

ACCRUED = ("payroll_base", "payroll_allowance", "payroll_insurance", "payroll_housing_fund",
           "payroll_annuity", "worker_years")


class PayYear:
    """This year's pay parameters turned into lookup arrays."""

    def __init__(self, p, growth_index: float, wage_last: float, district_floor: np.ndarray):
        self.p = p
        table = np.asarray(p.monthly)[:, None] * np.asarray(p.grade_coefficient)[None, :]
        for k, own in enumerate((p.table_staff, p.table_committee, p.table_head)):
            own = np.asarray(own, dtype=float)
            if (own > 0).any():
                table[k] = own
        self.table = table * growth_index  # (post, grade-1)
        self._flat = np.concatenate([[0.0], self.table.ravel()])  # index post * 18 + grade
        self.wage_last = wage_last
        self.floor_post = np.maximum(np.asarray(p.floor_share) * wage_last / 12, p.minimum_monthly)
        self.district_floor = np.where(district_floor >= 0,
                                       np.maximum(district_floor * wage_last / 12, p.minimum_monthly), -1.0)
        self.has_floor = bool((self.floor_post > 0).any() or (self.district_floor > 0).any())
        self.allowance = np.asarray(p.allowance, dtype=float)
        self.insurance_rate = p.pension_rate + p.medical_rate + p.unemployment_rate + p.injury_rate
        self.cb_lo = p.contribution_floor * wage_last / 12
        self.cb_hi = p.contribution_cap * wage_last / 12 if p.contribution_cap > 0 else np.inf
        self.perf_mult = np.asarray(p.performance_multiplier, dtype=float)

    def gross(self, pop, district_of_community) -> np.ndarray:
        """Monthly gross pay (base + performance at 100%) of every row."""
        return self.gross_of(pop.post, pop.grade, pop.community, district_of_community)

    def gross_of(self, post, grade, community, district_of_community) -> np.ndarray:
        g = self._flat[post * np.int16(18) + grade]
        if not self.has_floor:
            return g
        floor = self.floor_post[post]
        if self.district_floor.size and (self.district_floor >= 0).any():
            df = self.district_floor[district_of_community[community]]
            floor = np.where((df >= 0) & (post < 2), df, floor)
        return np.maximum(g, floor)


def accrue(pop, py: PayYear, t0: float, t1: float, acc: dict,
           district_of_community, districts: int = 0) -> None:
    """Add pay earned in ``[t0, t1)`` to ``acc`` and to each row's performance accrual."""
    if t1 <= t0 or pop.n == 0:
        return
    if kernels.ENABLED:
        p = py.p
        dfloor_c = (py.district_floor[district_of_community]
                    if py.district_floor.size and (py.district_floor >= 0).any() else np.zeros(0))
        out_dist = acc["_payroll_district"] if districts else np.zeros(0)
        b, a, ins, hf, ann, wy = kernels.accrue(
            pop.exit_time, pop.hire_time, pop.post, pop.grade, pop.level, pop.community, pop.rating,
            pop.perf_accrued, py._flat, py.floor_post, dfloor_c, py.has_floor, py.allowance,
            float(p.base_share), float(py.cb_lo), float(py.cb_hi), float(py.insurance_rate),
            float(p.housing_fund_rate), float(p.annuity_rate), np.asarray(p.annuity_posts, dtype=float),
            bool(p.annuity_excellent), float(t0), float(t1), np.asarray(district_of_community), out_dist)
        acc["payroll_base"] += b
        acc["payroll_allowance"] += a
        acc["payroll_insurance"] += ins
        acc["payroll_housing_fund"] += hf
        acc["payroll_annuity"] += ann
        acc["worker_years"] += wy
        return
    frac = np.minimum(pop.exit_time, t1) - np.maximum(pop.hire_time, t0)
    np.maximum(frac, 0.0, out=frac)
    w = 12.0 * frac
    gross = py.gross(pop, district_of_community)
    allow = py.allowance[pop.level]
    p = py.p
    acc["payroll_base"] += float(gross @ w) * p.base_share
    if p.base_share < 1.0:
        pop.perf_accrued[:] += gross * w * (1.0 - p.base_share)
    acc["payroll_allowance"] += float(allow @ w)
    cb = gross + allow
    if py.cb_lo > 0 or np.isfinite(py.cb_hi):
        cb = np.minimum(np.maximum(cb, py.cb_lo), py.cb_hi)
    cbw = float(cb @ w)
    acc["payroll_insurance"] += py.insurance_rate * cbw
    acc["payroll_housing_fund"] += p.housing_fund_rate * cbw
    if p.annuity_rate > 0:
        covered = np.asarray(p.annuity_posts)[pop.post] > 0.5
        if p.annuity_excellent:
            covered |= pop.rating == 0
        acc["payroll_annuity"] += p.annuity_rate * float((cb * covered) @ w)
    acc["worker_years"] += float(frac.sum())
    if districts:
        d = district_of_community[pop.community]
        cost = gross * p.base_share + allow + (py.insurance_rate + p.housing_fund_rate) * cb
        if p.annuity_rate > 0:
            cost = cost + p.annuity_rate * cb * covered
        acc["_payroll_district"] += np.bincount(d, weights=cost * w, minlength=districts)


def settle_performance(pop, py: PayYear, select: np.ndarray, leaver: np.ndarray | None, acc: dict,
                       district_of_community=None, districts: int = 0) -> None:
    """Pay out the accrued performance pay of the rows in mask ``select``: by their
    assessment grade, or as leavers where ``leaver`` is True."""
    if py.p.base_share >= 1.0:
        return  # nothing accrued
    if leaver is None:
        leaver = np.zeros(pop.n, dtype=bool)
    if kernels.ENABLED:
        out = acc["_payroll_district"] if districts else np.zeros(0)
        dist = np.asarray(district_of_community) if districts else np.zeros(0, dtype=np.int32)
        acc["payroll_performance"] += kernels.settle(
            pop.perf_accrued, pop.rating, select, leaver, py.perf_mult,
            float(py.p.leaver_performance_multiplier), dist, pop.community, out)
        return
    rows = np.flatnonzero(select)
    amt = pop.perf_accrued[rows]
    rating = pop.rating[rows]
    mult = np.where(rating >= 0, py.perf_mult[np.maximum(rating, 0)], 1.0)
    mult = np.where(leaver[rows], py.p.leaver_performance_multiplier, mult)
    paid = amt * mult
    acc["payroll_performance"] += float(paid.sum())
    if districts:
        d = district_of_community[pop.community[rows]]
        acc["_payroll_district"] += np.bincount(d, weights=paid, minlength=districts)
    pop.perf_accrued[rows] = 0.0
