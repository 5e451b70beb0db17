"""Yearly indicators computed from the workforce: names, units and how each is taken.

Stocks are taken on 31 December after the year's exits (``headcount``,
``certified_share``, ...); flows count the whole year (``hires``, ``exits_*``,
``payroll``). Names are stable snake_case; metrics of a part of the city carry its
scope after a dot: ``certified_share.urban``, ``headcount.gulou``.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING

import numpy as np

from .population import CAUSES, age_on_31_december
from .schema import POSTS

if TYPE_CHECKING:
    import pandas as pd

EXIT_METRICS = tuple(f"exits_{c}" for c in CAUSES[1:])
PYRAMID_BANDS = ((0, 24), (25, 29), (30, 34), (35, 39), (40, 44), (45, 49), (50, 54), (55, 59), (60, 64), (65, 200))
_PYRAMID_BAND = {f"pyramid_{s}_{lo:02d}_{min(hi, 99):02d}": (s, lo, hi if hi < 200 else None)
                 for s in ("m", "f") for lo, hi in PYRAMID_BANDS}
PYRAMID = tuple(_PYRAMID_BAND)
GRADE_SHARES = tuple(f"grade_share_{g:02d}" for g in range(1, 19))


def pyramid_band(name: str) -> tuple[str, int, int | None] | None:
    """The sex (``"m"``, ``"f"``), lowest age and highest age (None for the open top band)
    of a pyramid metric: ``pyramid_band("pyramid_f_25_29") == ("f", 25, 29)``; None for
    another name."""
    return _PYRAMID_BAND.get(name)


RATED_WORDS = {"excellent": "excellent (优秀)", "qualified": "qualified (称职)",
               "basic": "basically qualified (基本称职)", "unqualified": "unqualified (不称职)"}
"""The assessment grades reported as shares of the year's assessments (``rated_<grade>_share``)."""

UNITS = {
    "headcount": "workers", "posts": "posts", "communities": "communities", "vacancies": "posts",
    "vacancy_rate": "share", "surplus_workers": "workers", "unfilled_posts": "posts",
    "urban_residents": "persons",
    "workers_per_10k": "workers per 10,000 urban residents", "workers_per_community": "workers",
    "communities_party_share": "share of communities",
    "communities_split": "communities/year", "communities_merged": "communities/year",
    "hires": "workers/year", "hires_exempt": "workers/year", **{m: "workers/year" for m in EXIT_METRICS}, "exits_total": "workers/year",
    "exit_rate": "share/year", "elimination_rate": "share",
    "certified_share": "share", "certified_share_assistant": "share",
    "certified_share_intermediate": "share", "certified_share_senior": "share",
    "certified_per_community": "workers", "communities_certified_k_share": "share of communities",
    "exam_sitters": "workers/year", "exam_passes": "workers/year", "trained": "workers/year",
    **{f"rated_{g}_share": "share" for g in RATED_WORDS},
    "college_share": "share", "mean_age": "years", "mean_tenure": "years of service",
    **{f"share_{k}": "share" for k in POSTS[::-1]}, "mean_grade": "grade",
    "grade_steps": "workers/year", "posts_filled_internally": "workers/year",
    "degrees_earned": "workers/year",
    "payroll": "yuan/year", "payroll_base": "yuan/year", "payroll_performance": "yuan/year",
    "payroll_allowance": "yuan/year", "payroll_insurance": "yuan/year",
    "payroll_housing_fund": "yuan/year", "payroll_annuity": "yuan/year",
    "cost_training": "yuan/year", "cost_recruitment": "yuan/year", "cost_degrees": "yuan/year",
    "cost_work_funds": "yuan/year",
    "total_cost": "yuan/year", "funding_city": "yuan/year", "funding_province": "yuan/year",
    "funding_district": "yuan/year", "payroll_real": "yuan/year, constant prices",
    "total_cost_real": "yuan/year, constant prices",
    **{f"{name}_{k}": unit for name, unit in (("avg_pay", "yuan per worker per year"),
                                              ("pay_ratio", "share of last year's average wage"),
                                              ("remuneration_ratio", "share of last year's average wage"))
       for k in POSTS[::-1]},
    "average_wage": "yuan per worker per year (last year's local average wage: the pay benchmark)",
    "worker_years": "worker-years",
    "payroll_per_worker_year": "yuan per worker-year",
    **{m: "workers" for m in PYRAMID}, **{m: "share" for m in GRADE_SHARES},
}
_CAUSE_WORDS = {"quit": "quit", "retired": "retired at the statutory age", "death": "died",
                "dismissed_assessment": "were dismissed for unqualified assessments",
                "dismissed_cert": "were dismissed for lacking a certificate by the deadline",
                "eliminated": "were eliminated (bottom-ratio elimination)",
                "nonrenewal": "were not renewed at the end of a service term",
                "promoted_out": "were recruited out into civil-service or institution posts"}
DEFINITIONS = {
    "headcount": "workers in post on 31 December, after the year's exits",
    "posts": "posts of all communities under the staffing rule this year",
    "communities": "communities on 31 December",
    "vacancies": "posts without a worker on 31 December, summed over communities (none below zero)",
    "vacancy_rate": "vacancies / posts",
    "surplus_workers": "workers above their community's posts on 31 December, summed over communities "
                       "(headcount - posts + vacancies; after a split, or posts cut)",
    "unfilled_posts": ("posts vacant at the year's last recruitment round that it left unfilled, and the "
                       "campaign hires (recruitment.extra_hires) it did not make; hires for exits still to "
                       "come (recruitment.anticipate_exits) that it could not make are not counted"),
    "urban_residents": "urban resident population this year",
    "workers_per_10k": ("headcount per 10,000 urban residents (demand.urban_residents: the residents of "
                        "every community modelled, so with a rural district its villagers too)"),
    "workers_per_community": "headcount / communities",
    "communities_party_share": "share of communities whose party-building posts are all held (or that have none)",
    "communities_split": "communities split in two this year", "communities_merged": "communities merged this year",
    "hires": "workers hired this year, all recruitment rounds",
    "hires_exempt": ("of the hires, those through the exempt stream (recruitment.exempt_share: applicants "
                     "under the exempt_* rules, whether or not a relaxed rule was needed to hire them)"),
    **{f"exits_{c}": f"workers who {w} this year" for c, w in _CAUSE_WORDS.items()},
    "exits_total": "workers who left this year, every cause",
    "exit_rate": ("exits_total / headcount on 31 December of last year (the workers who enter the "
                  "year, before any 1 January recruitment round; above 1 where many of the year's hires "
                  "leave too)"),
    "elimination_rate": "eliminated / workers the elimination covered, in post after that day's dismissals "
                        "(service agreements end after the elimination; 0 in a year without elimination; "
                        "NaN in one whose elimination covered nobody)",
    "certified_share": "share of headcount holding a social-worker certificate, any level",
    "certified_share_assistant": "share of headcount whose highest certificate is assistant (助理社会工作师)",
    "certified_share_intermediate": "share of headcount whose highest certificate is intermediate (社会工作师)",
    "certified_share_senior": "share of headcount whose highest certificate is senior (高级社会工作师)",
    "certified_per_community": "certified workers / communities",
    "communities_certified_k_share": "share of communities with at least metrics.certified_k workers certified "
                                     "at metrics.certified_k_level or above",
    "exam_sitters": "workers who sat the exam this year (any level)", "exam_passes": "of them, those who passed",
    "trained": "workers trained this year",
    **{f"rated_{g}_share": f"share of this year's assessments graded {w}" for g, w in RATED_WORDS.items()},
    "college_share": "share of headcount with a college degree (大专) or above",
    "mean_age": "mean exact age (fractional years since birth) of headcount at the end of 31 December",
    "mean_tenure": "mean years of service at year end, counted by calendar year (the hire year counts as one)",
    "share_head": "share of headcount in head posts (正职)", "share_committee": "share in committee posts (两委)",
    "share_staff": "share in staff posts",
    "mean_grade": "mean pay grade of headcount (1-18); NaN where grades mean nothing (no grade ladder, "
                  "grades.enabled false, and pay the same in every grade)",
    "grade_steps": "pay-ladder steps taken this year",
    "degrees_earned": ("workers who earned a higher education level in service this year (degrees.rate; "
                       "each one level)"),
    "posts_filled_internally": "workers moved up into committee or head posts by elections this year",
    "payroll": "pay accrued this year, pro rata to each worker's days in post: the six payroll_ parts",
    "payroll_base": "base pay", "payroll_performance": "performance pay, settled by assessment grade",
    "payroll_allowance": "certificate allowances", "payroll_insurance": "employer social insurance",
    "payroll_housing_fund": "employer housing fund", "payroll_annuity": "enterprise annuity (企业年金)",
    "cost_training": "trainees x cost per trainee", "cost_recruitment": "hires x cost per hire",
    "cost_degrees": "degrees earned in service x cost per degree (degrees.cost_per_degree)",
    "cost_work_funds": "community work funds (urban and rural rates x communities)",
    "total_cost": "payroll + cost_training + cost_recruitment + cost_degrees + cost_work_funds",
    "funding_city": ("the city's subsidy per worker-year, at most the cost it subsidises: each district's "
                     "total_cost, summed over the districts (one district's unused subsidy does not pay "
                     "another's cost)"),
    "funding_province": "the province's share of what the city does not pay",
    "funding_district": "the rest of total_cost",
    "payroll_real": "payroll at constant prices of economy.price_base_year",
    "total_cost_real": "total_cost at constant prices of economy.price_base_year",
    **{name.format(k): text.format(k) for k in POSTS for name, text in (
        ("avg_pay_{}", ("mean yearly pay rate on 31 December of workers in {} posts (after that day's "
                        "assessment, grade steps and elections: the grades and posts held into the next "
                        "year, at this year's pay table and floors): gross (performance pay in full) + "
                        "allowance; a rate, not the pay received")),
        ("pay_ratio_{}", "avg_pay_{} / last year's average wage"),
        ("remuneration_ratio_{}", ("mean yearly remuneration rate on 31 December of {0} posts (as "
                                   "avg_pay_{0}): gross "
                                   "(performance pay in full) + employer insurance and housing fund on it "
                                   "(the allowance left out of both), / last year's average wage")))},
    "average_wage": "last year's local average wage, the pay benchmark",
    "worker_years": "years of employment this year, pro rata to days in post",
    "payroll_per_worker_year": ("payroll / worker_years: what a year of one worker in post costs, the "
                                "employer's contributions included (NaN in a year without any)"),
    **{m: f"{'men' if x == 'm' else 'women'} aged {lo}" + (f"-{hi}" if hi is not None else " or more")
       + " on 31 December" for m, (x, lo, hi) in _PYRAMID_BAND.items()},
    **{m: f"share of headcount at pay grade {int(m[-2:])}; NaN where grades mean nothing (as mean_grade)"
       for m in GRADE_SHARES},
}
"""One line on how each metric is taken (``python -m model metrics``, ``metrics.csv``)."""
BASE_NAMES = tuple(UNITS)
SCOPED = ("headcount", "certified_share", "workers_per_10k", "payroll", "avg_pay_staff", "pay_ratio_staff",
          "pay_ratio_head", "remuneration_ratio_staff", "remuneration_ratio_head", "vacancies",
          "communities", "worker_years", "total_cost", "funding_city", "funding_province",
          "funding_district", "posts", "vacancy_rate", "workers_per_community",
          "communities_certified_k_share", "college_share", "avg_pay_committee", "avg_pay_head",
          "pay_ratio_committee", "remuneration_ratio_committee", "elimination_rate")
"""Metrics also reported per district and for urban / rural parts, where districts exist."""
SUMMED_SCOPED = ("headcount", "payroll", "vacancies", "communities", "worker_years", "total_cost",
                 "funding_city", "funding_province", "funding_district", "posts")
"""The SCOPED metrics that are sums: a part's is the sum of its districts' (the others are
shares, ratios and averages over the part)."""

PAYROLL_PARTS = ("payroll_base", "payroll_performance", "payroll_allowance", "payroll_insurance",
                 "payroll_housing_fund", "payroll_annuity")
COST_PARTS = PAYROLL_PARTS + ("cost_training", "cost_recruitment", "cost_degrees", "cost_work_funds")
FUNDING_PARTS = ("funding_city", "funding_province", "funding_district")


def funding_split(total, worker_years, fund) -> tuple:
    """Who pays ``total_cost`` (a number, or one per district): the city its subsidy per
    worker-year, at most the cost; the province its share of the rest; the district what
    is left. Returns (city, province, district), each like ``total``. The engine applies it
    to each district and sums (:meth:`model.engine.Replication._district_costs`), so the
    subsidy's cap is each district's cost."""
    city = np.minimum(fund.city_subsidy_per_worker * np.asarray(worker_years, float), total)
    province = fund.province_share * (total - city)
    return city, province, total - city - province


def scopes(scenario) -> tuple[str, ...]:
    """Scope names of a scenario: its districts, then 'urban' and 'rural' where it has
    districts of that kind (none without districts of its own)."""
    if scenario.implicit_district:
        return ()
    return tuple(d.name for d in scenario.districts) + tuple(parts(scenario))


def parts(scenario) -> dict[str, tuple[str, ...]]:
    """The urban and rural parts of a scenario with districts of its own, each with the
    names of its districts (a part without districts left out; none without districts)."""
    if scenario.implicit_district:
        return {}
    out = {part: tuple(d.name for d in scenario.districts if d.urban == u)
           for part, u in (("urban", True), ("rural", False))}
    return {part: names for part, names in out.items() if names}


def names(scenario) -> tuple[str, ...]:
    """Every metric a run of ``scenario`` reports, in a fixed order."""
    return BASE_NAMES + tuple(f"{m}.{s}" for s in scopes(scenario) for m in SCOPED)


def unit(metric: str) -> str:
    return UNITS.get(metric.split(".")[0], "")


SCOPED_DEFINITIONS = {
    "workers_per_10k": ("headcount per 10,000 of the residents (demand.urban_residents, the city's, "
                        "whatever the part) shared to its communities in proportion to their households: "
                        "in a rural district or part, villagers, not urban residents"),
    "total_cost": ("the payroll of the part's workers, the training of those trained, the recruitment "
                   "of those hired and the degrees earned there this year, and its communities' work funds"),
    "funding_city": ("the city's subsidy per worker-year of the district's workers, at most the district's "
                     "total_cost (urban, rural: the sum of their districts'); the districts' add up to the "
                     "city's funding_city"),
    "funding_province": "the province's share of what the city does not pay of the district's total_cost "
                        "(urban, rural: the sum of their districts')",
    "funding_district": "the rest of the district's total_cost (urban, rural: the sum of their districts')",
}
"""How a scoped metric is taken where its part differs from its base metric's definition
(the residents of a part are not counted apart)."""


def definition(metric: str) -> str:
    """How ``metric`` is taken; a scoped one (``payroll.gulou``) is its base metric over
    that part of the city (its communities' workers; residents shared by households)."""
    base, _, scope = metric.partition(".")
    text = (SCOPED_DEFINITIONS if scope else DEFINITIONS).get(base) or DEFINITIONS.get(base, "")
    return f"{text}; for {scope} only" if scope and text else text


def units_table(metrics) -> pd.DataFrame:
    """``metric, unit, definition`` of each of ``metrics`` (in their order, once each): a
    run's and an experiment's metrics.csv."""
    import pandas as pd
    names = list(dict.fromkeys(metrics))
    return pd.DataFrame({"metric": names, "unit": [unit(m) for m in names],
                         "definition": [definition(m) for m in names]})


def _share(num, den):
    return float(num) / den if den else float("nan")


def elimination_rate(eliminated, covered, held: bool) -> float:
    """Eliminated over covered: 0 in a year without elimination, NaN in one whose
    elimination covered nobody (``held``: the year has a share above 0)."""
    return float(eliminated) / covered if covered else (float("nan") if held else 0.0)


def annual_pay(pop, pay_year, district_of_community) -> np.ndarray:
    """Each row's pay rate on 31 December, as yuan a year (gross + allowance)."""
    pay = pay_year.pay_of(pop.post, pop.grade, pop.level, pop.community, district_of_community)
    pay *= 12  # in place: the array is new, and a national one is 34 MB
    return pay


def annual_remuneration(pop, pay_year, district_of_community) -> np.ndarray:
    """Each row's remuneration on 31 December as the pay floors on a total basis count it
    (gross + employer insurance and housing fund, no allowance), yuan a year."""
    pay = pay_year.remuneration_of(pop.post, pop.grade, pop.level, pop.community, district_of_community)
    pay *= 12  # in place, as in annual_pay
    return pay


_KERNEL_COUNTS = ("lv", "g", "npost", "pay_post", "rem_post", "pyr", "n", "college", "bsum", "hsum", "gsum",
                  "causes", "n_d", "cert_d", "n_dp", "pay_dp", "rem_dp", "trained_d", "new_d", "college_d")
"""What :func:`model.kernels.year_end_counts` returns, in order."""


def year_end(pop, comm, y: int, year_end: float, k_level: int, k_cert: int, pay_year, district_of_community,
             nd: int, first_new: int | None = None) -> SimpleNamespace:
    """The counts and sums behind the metrics of 31 December, in one pass over the rows
    (:func:`model.kernels.year_end_counts`): for the rows active after the year's exits,
    by community, level, grade, post, pyramid band and (``nd`` > 0) district, with their
    :func:`annual_pay` and :func:`annual_remuneration` under ``pay_year``; for the rows
    that left, their number by exit cause; for every row, with districts, those trained this
    year and those from row ``first_new`` on (the year's hires; default none), by district;
    then one pass over the communities
    (:func:`model.kernels.community_totals`: posts, vacancies, party posts held,
    communities with ``k_cert`` certified, by district). Read by :func:`snapshot` and
    :func:`scoped`."""
    first_new = pop.n if first_new is None else first_new
    counts = _worker_counts(pop, comm, y, year_end, k_level, pay_year, district_of_community, nd, first_new)
    from . import kernels
    if kernels.ENABLED:
        (counts.posts, counts.ncomm, counts.party_ok, counts.vac, counts.cert_ok, counts.hh, counts.comm_d,
         counts.vac_d, counts.posts_d, counts.cert_ok_d) = kernels.community_totals(
            comm.alive, comm.posts, comm.party_posts, comm.households, comm.district,
            counts.per_c, counts.party_c, counts.cert_c, float(k_cert), int(nd))
        return counts
    alive = comm.alive
    need = comm.party_posts
    vacant = np.maximum(comm.posts - counts.per_c, 0)
    counts.posts = int(comm.posts.sum())
    counts.ncomm = comm.count
    counts.party_ok = int(((counts.party_c >= need) | (need == 0))[alive].sum())
    counts.vac = int(vacant[alive].sum())
    counts.cert_ok = int((counts.cert_c[alive] >= k_cert).sum())
    if nd:
        counts.hh = np.bincount(comm.district[alive], weights=comm.households[alive], minlength=nd)
        counts.comm_d = np.bincount(comm.district[alive], minlength=nd)
        counts.vac_d = np.bincount(comm.district, weights=vacant * alive, minlength=nd)
        counts.posts_d = np.bincount(comm.district, weights=comm.posts, minlength=nd)
        counts.cert_ok_d = np.bincount(comm.district, weights=(counts.cert_c >= k_cert) & alive, minlength=nd)
    return counts


def _remuneration_terms(py) -> tuple:
    """The contributions of :func:`model.kernels.year_end_counts`: ``(rate, lo, hi)`` of the
    insurances (with the housing fund where it shares their base) and of a housing fund
    with a base of its own (rate 0 where there is none)."""
    terms = py.contribution_terms()
    rate2, lo2, hi2 = terms[1] if len(terms) > 1 else (0.0, 0.0, np.inf)
    return tuple(float(x) for x in (*terms[0], rate2, lo2, hi2))


def _worker_counts(pop, comm, y: int, year_end: float, k_level: int, pay_year, district_of_community,
                   nd: int, first_new: int) -> SimpleNamespace:
    """The workers' part of :func:`year_end`."""
    from . import kernels  # here, not above: loading a scenario need not import numba
    nc = len(comm)
    if kernels.ENABLED:
        d_of_c = np.asarray(district_of_community, dtype=np.int64) if nd else np.zeros(0, np.int64)
        py = pay_year
        floors = py.floors(district_of_community)
        parts, (per_c, cert_c, party_c) = kernels.over_parts_counting(
            pop.n, lambda: tuple(np.zeros(nc, np.int64) for _ in range(3)),
            lambda r, into: kernels.year_end_counts(
                pop.exit_time[r], float(year_end), int(y), pop.community[r], pop.level[r], pop.party[r],
                pop.education[r], pop.birth[r], pop.hire_year[r], pop.grade[r], pop.post[r], pop.female[r],
                pop.exit_cause[r], py._flat, floors, py.allowance, *_remuneration_terms(py), int(k_level),
                d_of_c, int(nd), len(CAUSES), pop.trained[r],
                int(first_new - r.start), *into))
        return SimpleNamespace(per_c=per_c, cert_c=cert_c, party_c=party_c,
                               **dict(zip(_KERNEL_COUNTS, kernels.add_parts(parts), strict=True)))
    annual = annual_pay(pop, pay_year, district_of_community)
    remuneration = annual_remuneration(pop, pay_year, district_of_community)
    active = pop.exit_time > year_end
    idx = np.flatnonzero(active)
    c = pop.community[idx]
    level = pop.level[idx]
    post = pop.post[idx]
    birth = pop.birth[idx]
    age = age_on_31_december(birth, y).astype(np.int64)
    band = np.clip((age - 20) // 5, 0, len(PYRAMID_BANDS) - 1)
    out = SimpleNamespace(
        per_c=np.bincount(c, minlength=nc),
        cert_c=np.bincount(c, weights=level >= k_level, minlength=nc),
        party_c=np.bincount(c, weights=pop.party[idx], minlength=nc),
        lv=np.bincount(level, minlength=4), g=np.bincount(pop.grade[idx], minlength=19),
        npost=np.bincount(post, minlength=3),
        pay_post=np.bincount(post, weights=annual[idx], minlength=3),
        rem_post=np.bincount(post, weights=remuneration[idx], minlength=3),
        pyr=np.bincount(band + len(PYRAMID_BANDS) * pop.female[idx], minlength=2 * len(PYRAMID_BANDS)),
        n=len(idx), college=np.count_nonzero(pop.education[idx]), bsum=birth.sum(),
        hsum=pop.hire_year[idx].sum(dtype=np.int64), gsum=pop.grade[idx].sum(dtype=np.int64),
        causes=np.bincount(pop.exit_cause[~active], minlength=len(CAUSES)))
    if nd:
        d = district_of_community[c]
        dp = d * 3 + post
        out.n_d = np.bincount(d, minlength=nd)
        out.cert_d = np.bincount(d, weights=level > 0, minlength=nd)
        out.college_d = np.bincount(d, weights=pop.education[idx] >= 1, minlength=nd)
        out.n_dp = np.bincount(dp, minlength=3 * nd).reshape(nd, 3)
        out.pay_dp = np.bincount(dp, weights=annual[idx], minlength=3 * nd).reshape(nd, 3)
        out.rem_dp = np.bincount(dp, weights=remuneration[idx], minlength=3 * nd).reshape(nd, 3)
        every = np.asarray(district_of_community)[pop.community]  # every row's, leavers too
        out.trained_d = np.bincount(every[pop.trained], minlength=nd)
        out.new_d = np.bincount(every[first_new:], minlength=nd)
    return out


def snapshot(counts: SimpleNamespace, y: int, year_end: float, residents: float, wage_last: float,
             graded: bool = True) -> dict:
    """Stock metrics on 31 December (rows active after the year's exits) from the
    :func:`year_end` ``counts``; where grades mean nothing (``graded`` False: no grade
    ladder, grades.enabled false, and pay the same in every grade) the grade metrics are NaN."""
    lv, g, n = counts.lv, counts.g, counts.n
    npost, pay_post, rem_post, pyr = counts.npost, counts.pay_post, counts.rem_post, counts.pyr
    ncomm, posts, vac = int(counts.ncomm), int(counts.posts), int(counts.vac)
    ncert = n - int(lv[0])
    nan = float("nan")
    out = {
        "headcount": n, "posts": posts, "communities": ncomm, "vacancies": vac,
        "vacancy_rate": _share(vac, posts), "surplus_workers": n - posts + vac, "urban_residents": residents,
        "workers_per_10k": _share(n * 1e4, residents) if residents > 0 else nan,
        "workers_per_community": _share(n, ncomm),
        "communities_party_share": counts.party_ok / ncomm if ncomm else nan,
        "certified_share": _share(ncert, n),
        "certified_share_assistant": _share(lv[1], n),
        "certified_share_intermediate": _share(lv[2], n),
        "certified_share_senior": _share(lv[3], n),
        "certified_per_community": _share(ncert, ncomm),
        "communities_certified_k_share": counts.cert_ok / ncomm if ncomm else nan,
        "college_share": _share(counts.college, n),
        "mean_age": year_end - float(counts.bsum) / n if n else nan,
        "mean_tenure": ((y + 1) * n - float(counts.hsum)) / n if n else nan,
        "mean_grade": float(counts.gsum) / n if n and graded else nan,
        "average_wage": wage_last,
    }
    for k, name in enumerate(("staff", "committee", "head")):
        out[f"share_{name}"] = _share(npost[k], n)
        m = pay_post[k] / npost[k] if npost[k] else nan
        out[f"avg_pay_{name}"] = m
        out[f"pay_ratio_{name}"] = m / wage_last if wage_last > 0 else nan
        r = rem_post[k] / npost[k] if npost[k] else nan
        out[f"remuneration_ratio_{name}"] = r / wage_last if wage_last > 0 else nan
    for i, name in enumerate(GRADE_SHARES):
        out[name] = _share(g[i + 1], n) if graded else nan
    for i, name in enumerate(PYRAMID):
        out[name] = float(pyr[i])
    return out


def scoped(scenario, counts: SimpleNamespace, residents: float, wage_last: float,
           payroll_by_district: np.ndarray, by_district: dict | None, eliminated: tuple) -> dict:
    """The SCOPED metrics per district and for the urban / rural parts, from the
    :func:`year_end` ``counts``; ``by_district``: sums of the year kept by district
    (``worker_years``, ``total_cost`` and its funding parts), one array each;
    ``eliminated``: the year's eliminated and covered by district and whether elimination
    held (:func:`elimination_rate`, as the city's)."""
    out = {}
    if scenario.implicit_district:
        return out
    nd = len(scenario.districts)
    n_d, cert_d, n_dp, pay_dp, rem_dp = counts.n_d, counts.cert_d, counts.n_dp, counts.pay_dp, counts.rem_dp
    hh, comm_d, vac_d, posts_d = counts.hh, counts.comm_d, counts.vac_d, counts.posts_d
    res_d = residents * hh / hh.sum() if hh.sum() > 0 else np.zeros(nd)
    urban_d = np.array([x.urban for x in scenario.districts])
    # a district's own totals are its entries; the urban and rural parts add up theirs
    groups: list = [(x.name, i) for i, x in enumerate(scenario.districts)]
    for name, u in (("urban", True), ("rural", False)):
        if (urban_d == u).any():
            groups.append((name, np.flatnonzero(urban_d == u)))
    nan = float("nan")
    for name, ds in groups:
        def total(a, ds=ds):
            return a[ds] if isinstance(ds, int) else a[ds].sum()
        n = int(total(n_d))
        r = float(total(res_d))
        ncomm, posts, vac = float(total(comm_d)), float(total(posts_d)), float(total(vac_d))
        out.update({
            f"headcount.{name}": n,
            f"certified_share.{name}": _share(total(cert_d), n),
            f"workers_per_10k.{name}": _share(n * 1e4, r) if r > 0 else nan,
            f"payroll.{name}": float(total(payroll_by_district)),
            f"vacancies.{name}": vac,
            f"communities.{name}": ncomm,
            f"posts.{name}": posts,
            f"vacancy_rate.{name}": _share(vac, posts),
            f"workers_per_community.{name}": _share(n, ncomm),
            f"communities_certified_k_share.{name}": _share(total(counts.cert_ok_d), ncomm),
            f"college_share.{name}": _share(total(counts.college_d), n),
        })
        for k, post in enumerate(("staff", "committee", "head")):  # as snapshot() for the city
            n_post = total(n_dp[:, k])
            m = total(pay_dp[:, k]) / n_post if n_post else nan
            out[f"avg_pay_{post}.{name}"] = m
            out[f"pay_ratio_{post}.{name}"] = m / wage_last if wage_last > 0 else nan
            r_post = total(rem_dp[:, k]) / n_post / wage_last if n_post and wage_last > 0 else nan
            out[f"remuneration_ratio_{post}.{name}"] = r_post
        out.update({f"{m}.{name}": float(total(a)) for m, a in (by_district or {}).items()})
        gone, base, held = eliminated
        out[f"elimination_rate.{name}"] = elimination_rate(total(gone), total(base), held)
    return out
