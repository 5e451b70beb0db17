"""Pay: monthly pay by post and grade, floors, performance pay, allowances, employer
contributions, accrued pro rata to time (each month a twelfth of the year, each day its
share of its month).

Monthly gross pay of a worker in post ``k`` and grade ``g`` in year ``y``:

    table = monthly[k] * grade_coefficient[g] * prod_{start < s <= y} (1 + growth_s)
            (or table_<post>[g] * the same growth, where a post has its own table)
    floor = max(G(floor_share[k or district] * W_{y-1} / 12), minimum_monthly)
    gross = max(table, floor)

where ``W_{y-1}`` is last year's local average wage (Nanjing 2018: heads at least 100%,
others 80% in the six central districts and 70% elsewhere, seed
001_f809a46add856e54.txt). A district's ``floor_share`` replaces the city's for staff and
committee members; within a post the highest of table, floor and ``minimum_monthly`` (a
gross amount in yuan of each year: it does not grow) applies. (Changzhou's base wage of
4,500 yuan/month in 2022, seed 000_4ab8506bd769e853.txt, is the base part of its table,
not a floor: see scenarios/changzhou-2022.toml.) ``base_share`` of gross is base pay, paid as earned; the rest
is performance pay, paid at the assessment with a multiplier by grade (Jilin 70% base +
30% performance, seed 003_29d33855077651d4.txt; Benxi: no performance pay when
unqualified, FIGURES.md section 3.2). Leavers not assessed get
``leaver_performance_multiplier``. Floors apply to gross pay at the standard (100%)
performance pay.

Floor basis (``pay.floor_basis``). ``G`` is the identity for ``"gross"``. For
``"total"`` the floor is on remuneration including the employer's "five insurances and
one fund" (Nanjing: 报酬(含基本工资、绩效工资和"五险一金"), seed 001): gross plus
``c * clip(gross, lo, hi)`` with ``c`` = pension + medical (with maternity) +
unemployment + injury + housing-fund rates and ``[lo, hi] = [contribution_floor,
contribution_cap] * W_{y-1} / 12``, exactly as contributions are charged below. ``G(F)``
is the smallest gross ``g >= 0`` with ``g + c * clip(g, lo, hi) >= F`` (see
:func:`gross_for_total`; piecewise linear, solved exactly; with a housing fund on a base of
its own, the fund's rate on its own clip is a second term: :func:`gross_for_total_of`). The
certificate allowance is
not counted towards the floor, nor are the contributions it attracts: the document lists
basic pay, performance pay and the five insurances and fund only, and a floor that fell
with a worker's allowance would take the certificate reward away from those on the floor.
So a certified worker on the floor costs more than ``F``; an uncertified one exactly
``F``. The enterprise annuity (企业年金, seed 000) is not one of the five insurances and one
fund and is not counted either.

District head floors (``[[districts]] head_floor_share``, off at -1). A head (post 2) in
the district has the floor ``max(H(head_floor_share * B_{y-1} / 12), minimum_monthly)``,
which replaces the city's head floor there; ``B_{y-1}`` is last year's value of the
benchmark named by ``head_floor_benchmark`` (``average_wage`` or
``rural_disposable_income``, yuan per year) and ``H`` converts by ``head_floor_basis``:
``gross`` identity, ``base`` divides by ``base_share`` (the floor is on base pay only),
``total`` is ``G`` above. Nanjing: 农村社区党组织书记、村委会主任...基本报酬...不低于上年当地
农村居民人均可支配收入2倍 (seed 001), i.e. share 2 of the rural disposable income, on base
pay.

Certificate allowance: ``allowance[level]`` yuan a month (Jilin: at least 200, tiered;
Xianning 100/200/300, FIGURES.md section 3.2).

Employer contributions are rates times the contribution base, ``gross + allowance``
(gross with performance pay at the standard 100%, whatever the grade pays at the
assessment: the base is the pay grade's, declared for the year) clipped to
``[contribution_floor, contribution_cap] * W_{y-1} / 12`` (FIGURES.md
section 4: pension 16%, floor 60%, cap 300%): social insurance (pension, medical,
unemployment, injury), housing fund (on its own base where the scenario gives one:
clipped to ``[housing_fund_floor_monthly, housing_fund_cap * W_{y-1} / 12]``, the national
rule's local minimum wage and 3 times the average monthly wage; either bound at -1 is the
insurances'; with ``total`` floors ``G`` then solves the sum of both terms,
:func:`gross_for_total_of`), and the enterprise annuity for covered posts
(and, with ``annuity_excellent``, workers rated excellent at the latest assessment: last
year's until this year's assessment, then this year's; Changzhou).

Accrual is exact: rates only change at calendar events, so between two events ``t0 <
t1`` each worker earns ``12 * rate * |[t0, t1) ∩ [hire, exit)|``.
"""

from __future__ import annotations

import numpy as np

from .. import kernels
from .contribution_base import fund_bounds, insurance_cap
from .pay_table import by_grade, monthly_table

ACCRUED = ("payroll_base", "payroll_allowance", "payroll_insurance", "payroll_housing_fund",
           "payroll_annuity", "worker_years")


def accumulators(districts: int = 0) -> dict:
    """A year's zeroed sums of pay (:data:`ACCRUED`, ``payroll_performance``) and, with
    districts, each district's payroll (``_payroll_district``) and worker-years
    (``_worker_years_district``): two halves of one buffer (``_district``), which the pay
    kernel adds into in one pass."""
    acc = dict.fromkeys(ACCRUED + ("payroll_performance",), 0.0)
    if districts:
        both = acc["_district"] = np.zeros(2 * districts)
        acc["_payroll_district"], acc["_worker_years_district"] = both[:districts], both[districts:]
    return acc


def gross_for_total(total, rate: float, lo: float, hi: float) -> np.ndarray:
    """The smallest monthly gross ``g >= 0`` whose total cost reaches ``total``.

    Total cost is ``g + rate * clip(g, lo, hi)``: gross plus contributions at ``rate`` on a
    base clipped to ``[lo, hi]`` (``hi`` may be ``inf``). It rises with ``g``, with slope
    1 below ``lo``, ``1 + rate`` between and 1 above ``hi``, so

        g = total - rate * lo      if total < (1 + rate) * lo   (the contribution floor binds)
        g = total / (1 + rate)     if total <= (1 + rate) * hi
        g = total - rate * hi      otherwise                    (the cap binds)

    and ``g = 0`` when even no pay reaches ``total`` (``total <= rate * lo``).

    Examples
    --------
    >>> round(float(gross_for_total(6000.0, 0.335, 3600.0, 18000.0)), 2)   # 6000 / 1.335
    4494.38
    >>> float(gross_for_total(4200.0, 0.335, 3600.0, 18000.0))   # 4200 - 0.335 * 3600
    2994.0
    """
    total = np.asarray(total, dtype=float)
    low = total - rate * lo
    mid = total / (1.0 + rate)
    high = total - rate * hi if np.isfinite(hi) else np.full_like(total, np.inf)
    g = np.where(total < (1.0 + rate) * lo, low, np.where(mid <= hi, mid, high))
    return np.maximum(g, 0.0)


def total_of_gross_of(gross, terms) -> np.ndarray:
    """Monthly total cost ``gross + sum(rate * clip(gross, lo, hi))`` over the ``(rate, lo,
    hi)`` contribution ``terms`` (the insurances' base and the housing fund's own)."""
    gross = np.asarray(gross, dtype=float)
    total = gross.copy()
    for rate, lo, hi in terms:
        total += rate * np.minimum(np.maximum(gross, lo), hi)
    return total


def gross_for_total_of(total, terms) -> np.ndarray:
    """The smallest monthly gross ``g >= 0`` whose total cost :func:`total_of_gross_of`
    reaches ``total``, for contributions on bases with their own floors and caps.

    The cost is piecewise linear and rises with ``g`` (slope at least 1), bending where
    ``g`` crosses a floor or a cap; between two such points ``b_k < b_{k+1}`` it is
    ``T(b_k) + s_k (g - b_k)`` with ``s_k = 1 + (the rates whose base is between its
    floor and cap there)``, so ``g = b_k + (total - T(b_k)) / s_k`` on the piece where
    ``T(b_k) <= total``. One term (the fund on the insurances' base): :func:`gross_for_total`,
    whose closed form gives the same figures as before the fund could have a base of its own.

    Examples
    --------
    >>> terms = ((0.255, 3600.0, 18000.0), (0.08, 2000.0, 18000.0))  # the fund's floor lower
    >>> round(float(gross_for_total_of(3500.0, terms)), 2)   # (3500 - 0.255 * 3600) / 1.08
    2390.74
    >>> float(total_of_gross_of(gross_for_total_of(3500.0, terms), terms))
    3500.0
    """
    if len(terms) == 1:
        return gross_for_total(total, *terms[0])
    total = np.asarray(total, dtype=float)
    points = sorted({0.0, *(float(x) for _, lo, hi in terms for x in (lo, hi) if np.isfinite(x) and x > 0)})
    b = np.array(points)
    at = total_of_gross_of(b, terms)  # T at each bend, rising
    mid = np.append((b[:-1] + b[1:]) / 2, b[-1] + 1.0)  # a point inside each piece (the last: beyond)
    slope = 1.0 + sum(rate * ((mid > lo) & (mid < hi)) for rate, lo, hi in terms)
    k = np.clip(np.searchsorted(at, total, side="right") - 1, 0, len(b) - 1)
    g = b[k] + (total - at[k]) / slope[k]
    return np.where(total <= at[0], 0.0, g)


def total_of_gross(gross, rate: float, lo: float, hi: float) -> np.ndarray:
    """Monthly total cost ``gross + rate * clip(gross, lo, hi)`` (the inverse of
    :func:`gross_for_total` where pay reaches the floor)."""
    return total_of_gross_of(gross, ((rate, lo, hi),))


class PayYear:
    """This year's pay parameters turned into lookup arrays.

    Parameters
    ----------
    p : namespace
        The year's ``[pay]`` parameters.
    growth_index : float
        Growth of the pay table since the start year.
    wage_last : float
        Last year's average wage ``W_{y-1}``, yuan a year.
    district_floor : array
        Each district's ``floor_share`` (-1: the city's).
    districts : sequence, optional
        The scenario's districts, read for their head floors (``head_floor_share``,
        ``head_floor_benchmark``, ``head_floor_basis``); empty: none.
    benchmarks : dict, optional
        Last year's amount of each benchmark a head floor may name, yuan a year
        (``average_wage`` defaults to ``wage_last``).
    """

    def __init__(self, p, growth_index: float, wage_last: float, district_floor: np.ndarray,
                 districts=(), benchmarks: dict | None = None):
        self.p = p
        own = (p.table_staff, p.table_committee, p.table_head)
        table = monthly_table(p.monthly, p.grade_coefficient, own)
        self.table = table * growth_index  # (post, grade-1)
        self.by_grade = by_grade(table)  # does a worker's grade move their pay?
        self._flat = np.concatenate([[0.0], self.table.ravel()])  # index post * 18 + grade
        self.wage_last = wage_last
        self.allowance = np.asarray(p.allowance, dtype=float)
        self.insurance_rate = p.pension_rate + p.medical_rate + p.unemployment_rate + p.injury_rate
        self.cb_lo = p.contribution_floor * wage_last / 12
        # a cap below the floor (only a draw of an uncertain cap or floor can be: the checks
        # refuse it otherwise) is the floor: the base is the floor, not next to nothing
        self.cb_hi = max(float(insurance_cap(p.contribution_cap, wage_last)), self.cb_lo)
        self.floor_rate = self.insurance_rate + p.housing_fund_rate  # the five insurances and one fund
        # the housing fund's base: the insurances' unless it has its own floor or cap (-1: not set)
        lo, hi = fund_bounds(getattr(p, "housing_fund_floor_monthly", -1.0),
                             getattr(p, "housing_fund_cap", -1.0), self.cb_lo, self.cb_hi, wage_last)
        self.hf_lo, self.hf_hi = float(lo), max(float(hi), float(lo))  # (a cap below its floor: as above)
        self.hf_own = (self.hf_lo, self.hf_hi) != (self.cb_lo, self.cb_hi)
        self.floor_basis = getattr(p, "floor_basis", "gross")
        self.floor_post = np.maximum(self.gross_floor(np.asarray(p.floor_share) * wage_last / 12),
                                     p.minimum_monthly)
        district_floor = np.asarray(district_floor, dtype=float)
        self.district_floor = np.where(
            district_floor >= 0,
            np.maximum(self.gross_floor(np.maximum(district_floor, 0.0) * wage_last / 12), p.minimum_monthly),
            -1.0)
        bench = {"average_wage": wage_last, **(benchmarks or {})}
        self.head_floor = np.array([self._head_floor(d, bench) for d in districts], dtype=float)
        self.has_head_floor = bool((self.head_floor >= 0).any())
        self.has_floor = bool((self.floor_post > 0).any() or (self.district_floor > 0).any()
                              or (self.head_floor > 0).any())
        self.perf_mult = np.asarray(p.performance_multiplier, dtype=float)
        self._floors = None  # (districts of communities, floors by community and post), see `floors`

    def gross_floor(self, threshold, basis: str | None = None) -> np.ndarray:
        """Monthly gross pay that meets a floor of ``threshold`` yuan a month stated on
        ``basis`` (default ``pay.floor_basis``): ``gross`` as is, ``base`` divided by
        ``base_share``, ``total`` by :func:`gross_for_total`."""
        basis = basis or self.floor_basis
        threshold = np.asarray(threshold, dtype=float)
        if basis == "gross":
            return threshold
        if basis == "total":
            return gross_for_total_of(threshold, self.contribution_terms())
        if basis == "base":
            if self.p.base_share <= 0:
                if (threshold <= 0).all():  # no floor asks nothing of base pay, even when there is none
                    return np.zeros_like(threshold)
                raise ValueError("a floor on base pay needs pay.base_share > 0")
            return threshold / self.p.base_share
        raise ValueError(f"unknown floor basis {basis!r}")

    def _head_floor(self, d, bench: dict) -> float:
        """A district's head floor as monthly gross (-1: the city's head floor applies)."""
        share = d.head_floor_share
        if share < 0:
            return -1.0
        amount = bench.get(d.head_floor_benchmark, 0.0)
        if share > 0 and not amount > 0:
            raise ValueError(f"district {d.name!r}: head floor benchmark {d.head_floor_benchmark!r} "
                             "has no value")
        g = float(self.gross_floor(share * amount / 12, d.head_floor_basis))
        return max(g, float(self.p.minimum_monthly))

    def gross(self, pop, district_of_community) -> np.ndarray:
        """Monthly gross pay (base + performance at 100%) of every row."""
        return self.gross_of(pop.post, pop.grade, pop.community, district_of_community)

    def floors(self, district_of_community) -> np.ndarray:
        """Monthly gross floor by community and post, flat (``community * 3 + post``;
        empty without floors): the post's floor, a district's own floor for staff and
        committee members, its own head floor for heads. Worked out once a year for the
        communities' districts (the kernels and :meth:`gross_of` read it)."""
        d = np.asarray(district_of_community)
        if not self.has_floor:
            return np.zeros(0)
        if self._floors is not None and self._floors[0] is d:
            return self._floors[1]
        fl = np.tile(self.floor_post.astype(float), (len(d), 1))
        if self.district_floor.size and (self.district_floor >= 0).any():
            df = self.district_floor[d][:, None]
            fl[:, :2] = np.where(df >= 0, df, fl[:, :2])
        if self.has_head_floor:
            hf = self.head_floor[d]
            fl[:, 2] = np.where(hf >= 0, hf, fl[:, 2])
        self._floors = (d, fl.ravel())
        return self._floors[1]

    def pay_of(self, post, grade, level, community, district_of_community, allowance: bool = True) -> np.ndarray:
        """Monthly pay rate of the given rows: gross (base + performance at 100%), plus
        the certificate allowance unless ``allowance`` is False."""
        allow = self.allowance if allowance else np.zeros_like(self.allowance)
        if kernels.ENABLED:
            out = np.empty(len(post))
            kernels.monthly_pay(post, grade, level, community, self._flat, self.floors(district_of_community),
                                allow, out)
            return out
        return self.gross_of(post, grade, community, district_of_community) + allow[level]

    def remuneration_of(self, post, grade, level, community, district_of_community) -> np.ndarray:
        """Monthly remuneration as the floors on a total basis count it: gross pay plus the
        employer's insurance and housing fund on it (contribution base clipped to the
        floor and cap), the certificate allowance left out."""
        g = self.pay_of(post, grade, level, community, district_of_community, allowance=False)
        return total_of_gross_of(g, self.contribution_terms())

    def contribution_terms(self) -> tuple:
        """The employer's contributions as ``(rate, lo, hi)`` terms, each charged on the base
        clipped to ``[lo, hi]``: the insurances', and the housing fund's (one term when it
        shares the insurances' base)."""
        if not self.hf_own:
            return ((self.floor_rate, self.cb_lo, self.cb_hi),)
        return ((self.insurance_rate, self.cb_lo, self.cb_hi), (float(self.p.housing_fund_rate), self.hf_lo,
                                                                 self.hf_hi))

    def gross_of(self, post, grade, community, district_of_community) -> np.ndarray:
        g = self._flat[post * np.int16(18) + grade]
        if not self.has_floor:
            return g
        return np.maximum(g, self.floors(district_of_community)[3 * np.asarray(community, np.int64) + post])


def accrue(pop, py: PayYear, t0: float, t1: float, acc: dict,
           district_of_community, districts: int = 0) -> None:
    """Add pay earned in ``[t0, t1)`` to ``acc`` and to each row's performance accrual."""
    if t1 <= t0 or pop.n == 0:
        return
    if kernels.ENABLED:
        p = py.p
        floors = py.floors(district_of_community)
        out_dist = acc["_district"] if districts else np.zeros(0)  # pay, then worker-years, by district
        sums = kernels.over_parts_into(pop.n, out_dist, lambda r, into: kernels.accrue(
            pop.exit_time[r], pop.hire_time[r], pop.post[r], pop.grade[r], pop.level[r], pop.community[r],
            pop.rating[r], pop.perf_accrued[r], py._flat, floors, py.allowance, float(p.base_share),
            float(py.cb_lo), float(py.cb_hi), float(py.hf_lo), float(py.hf_hi), bool(py.hf_own),
            float(py.insurance_rate),
            float(p.housing_fund_rate),
            float(p.annuity_rate), np.asarray(p.annuity_posts, dtype=float), bool(p.annuity_excellent),
            float(t0), float(t1), np.asarray(district_of_community), into))
        b, a, ins, hf, ann, wy = kernels.add_parts(sums)
        acc["payroll_base"] += b
        acc["payroll_allowance"] += a
        acc["payroll_insurance"] += ins
        acc["payroll_housing_fund"] += hf
        acc["payroll_annuity"] += ann
        acc["worker_years"] += wy
        return
    post, community, level = pop.post, pop.community, pop.level
    frac = np.minimum(pop.exit_time, t1) - np.maximum(pop.hire_time, t0)
    np.maximum(frac, 0.0, out=frac)
    w = 12.0 * frac
    gross = py.gross_of(post, pop.grade, community, district_of_community)
    allow = py.allowance[level]
    p = py.p
    acc["payroll_base"] += float(gross @ w) * p.base_share
    if p.base_share < 1.0:
        pop.perf_accrued[:] += gross * w * (1.0 - p.base_share)
    acc["payroll_allowance"] += float(allow @ w)
    cb = gross + allow
    hcb = np.minimum(np.maximum(cb, py.hf_lo), py.hf_hi) if py.hf_own else None  # the fund's own base
    if py.cb_lo > 0 or np.isfinite(py.cb_hi):
        cb = np.minimum(np.maximum(cb, py.cb_lo), py.cb_hi)
    cbw = float(cb @ w)
    acc["payroll_insurance"] += py.insurance_rate * cbw
    acc["payroll_housing_fund"] += p.housing_fund_rate * (cbw if hcb is None else float(hcb @ w))
    if p.annuity_rate > 0:
        covered = np.asarray(p.annuity_posts)[post] > 0.5
        if p.annuity_excellent:
            covered |= pop.rating == 0
        acc["payroll_annuity"] += p.annuity_rate * float((cb * covered) @ w)
    acc["worker_years"] += float(frac.sum())
    if districts:
        d = district_of_community[community]
        contributions = ((py.insurance_rate + p.housing_fund_rate) * cb if hcb is None
                         else py.insurance_rate * cb + p.housing_fund_rate * hcb)
        cost = gross * p.base_share + allow + contributions
        if p.annuity_rate > 0:
            cost = cost + p.annuity_rate * cb * covered
        acc["_payroll_district"] += np.bincount(d, weights=cost * w, minlength=districts)
        acc["_worker_years_district"] += np.bincount(d, weights=frac, minlength=districts)


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
        paid = kernels.over_parts_into(pop.n, out, lambda r, into: kernels.settle(
            pop.perf_accrued[r], pop.rating[r], select[r], leaver[r], py.perf_mult,
            float(py.p.leaver_performance_multiplier), dist, pop.community[r], into))
        acc["payroll_performance"] += kernels.add_parts(paid)
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
