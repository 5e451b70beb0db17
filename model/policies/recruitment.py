"""Recruitment: fill vacant posts from an applicant pool, subject to eligibility and a cap.

At each recruitment date (``calendar.recruitment``) the vacancies of community ``c`` are
``v_c = posts_c - active_c`` (plus, with ``anticipate_exits``, the exits expected before
year end, ``round(active_c * q * (1 - d))`` at a date ``d`` in the year), plus the year's ``extra_hires`` (campaigns such as
Hohhot's 4,000 graduates over 2020-2023, seed 002_5cfcc670a2031676.txt) spread over
communities in proportion to posts. Party-building vacancies are filled first.

Applicants have their own age bands, sex, education and certificate mix. Eligible are
those with ``age <= max_age``, ``education >= min_education`` and, from
``certificate_required_from`` on, a certificate (Yichang 2021, seed
004_7ff16b39686a218b.txt; Jilin: college degree, age <= 40, seed
003_29d33855077651d4.txt). With a finite pool of ``N`` applicants the eligible number
is ``Binomial(N, p_eligible)``; hires are ``min(vacancies, eligible, cap)``, the
vacancies filled chosen at random when fewer. Hires are drawn from the applicant mix
conditional on eligibility. Unfilled posts at the year's last round are reported.
"""

from __future__ import annotations

import numpy as np

from scipy.special import ndtri

from ..sampling import band_share, bands_from_uniforms, share_at_least, shares_from_uniforms
from ..streams import uniforms, uniforms_many


def eligible_share(p, year: int) -> float:
    """Probability that one applicant meets the age, education and certificate rules."""
    cert_min = 1 if (p.certificate_required_from and year >= p.certificate_required_from) else 0
    s = (band_share(p.age, p.max_age) * share_at_least(p.education, int(round(p.min_education)))
         * share_at_least(p.certificate, cert_min))
    return min(max(s, 0.0), 1.0)  # shares add up to 1 only to rounding


def vacancies(pop, comm, t: float, p, expected_exit_rate: float, rng) -> tuple[np.ndarray, np.ndarray]:
    """Vacant posts and vacant party-building posts per community at instant ``t``."""
    act = pop.active(t)
    n = len(comm)
    active_c = np.bincount(pop.community[act], minlength=n)
    party_c = np.bincount(pop.community[act & pop.party], minlength=n)
    vac = np.maximum(comm.posts - active_c, 0)
    if p.anticipate_exits:
        vac = vac + np.round(active_c * expected_exit_rate).astype(np.int64)
    extra = int(round(p.extra_hires))
    if extra > 0:
        w = comm.posts / max(comm.posts.sum(), 1)
        vac = vac + rng.multinomial(extra, w)
    vac[~comm.alive] = 0
    party = np.minimum(np.maximum(comm.party_posts - party_c, 0), vac)
    return vac, party


HIRE_FLAG = np.uint64(1) << np.uint64(57)


def slot_ids(vac: np.ndarray, year_index: int, round_index: int) -> np.ndarray:
    """Stable ids of the vacant posts of one recruitment round: year, round, community,
    slot within the community (party-building slots first). A hire takes the id of the
    post it fills, so the same post gets the same applicant draws in two alternatives."""
    comm_ids = np.repeat(np.arange(len(vac), dtype=np.uint64), vac)
    start = np.cumsum(vac) - vac
    slot = np.arange(int(vac.sum()), dtype=np.uint64) - np.repeat(start, vac).astype(np.uint64)
    return (HIRE_FLAG | (np.uint64(year_index % 128) << np.uint64(50))
            | (np.uint64(round_index % 16) << np.uint64(46)) | (comm_ids << np.uint64(20)) | slot)


def choose_slots(vac, party, k: int, rng, year_index: int = 0, round_index: int = 0):
    """The ``k`` posts filled: (community, is party post, slot id). Party-building posts
    first; among the rest, the posts with the smallest keyed draws."""
    ids = slot_ids(vac, year_index, round_index)
    comm = np.repeat(np.arange(len(vac)), vac)
    start = np.cumsum(vac) - vac
    within = np.arange(len(ids)) - np.repeat(start, vac)
    is_party = within < np.repeat(party, vac)
    if k < len(ids):
        pri = uniforms(rng, ids) + 2.0 * ~is_party  # party posts always first
        keep = np.sort(np.argpartition(pri, k - 1)[:k]) if k > 0 else np.zeros(0, dtype=np.int64)
        ids, comm, is_party = ids[keep], comm[keep], is_party[keep]
    return comm, is_party, ids


def apply(pop, comm, p, grades, rng, t: float, year: int, expected_exit_rate: float = 0.0,
          year_index: int = 0, round_index: int = 0):
    """Hire at instant ``t``. Returns (slice of new rows, counts)."""
    vac, party = vacancies(pop, comm, t, p, expected_exit_rate, rng)
    wanted = int(vac.sum())
    k = wanted
    if p.pool_size > 0:
        k = min(k, int(rng.binomial(int(round(p.pool_size)), eligible_share(p, year))))
    if p.cap > 0:
        k = min(k, int(round(p.cap)))
    communities, is_party, ids = choose_slots(vac, party, k, rng, year_index, round_index)
    cert_min = 1 if (p.certificate_required_from and year >= p.certificate_required_from) else 0
    u = uniforms_many(rng, ids, 1, 8)
    age = bands_from_uniforms(p.age, u[0], u[1], upper=p.max_age)
    education = shares_from_uniforms(p.education, u[2], at_least=int(round(p.min_education)))
    level = shares_from_uniforms(p.certificate, u[3], at_least=cert_min)
    female = u[4] < p.female_share
    cadre = u[5] < p.cadre_share
    birthday = np.floor(u[6] * 365) / 365
    ability = ndtri(u[7])
    rows = pop.add(k)
    pop.uid[rows] = ids
    pop.birth[rows] = year - age - 1 + birthday
    pop.female[rows] = female
    pop.cadre[rows] = cadre
    pop.hire_year[rows] = year
    pop.hire_time[rows] = t
    pop.education[rows] = education
    pop.level[rows] = level
    pop.level_since[rows] = year
    pop.community[rows] = communities
    pop.party[rows] = is_party
    pop.post[rows] = 0
    pop.grade[rows] = entry_grade(grades, education, level, 0)
    pop.grade_since[rows] = year
    pop.ability[rows] = ability
    counts = {"hires": k, "cost_recruitment": k * p.cost_per_hire, "unfilled_posts": wanted - k}
    return rows, counts


def entry_grade(grades, education, level, post) -> np.ndarray:
    """Grade on entry: by education plus the certificate bonus, within the post's range."""
    g = np.asarray(grades.entry_grade)[education] + np.asarray(grades.certificate_bonus)[level]
    lo = np.asarray(grades.min_grade)[post]
    hi = np.asarray(grades.max_grade)[post]
    return np.clip(np.round(g), lo, hi).astype(np.int8)
