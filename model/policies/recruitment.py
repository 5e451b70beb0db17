"""Recruitment: fill vacant posts from an applicant pool, subject to eligibility and a cap.

At each recruitment date (``calendar.recruitment``) the vacancies of community ``c`` are
``v_c = posts_c - active_c`` (plus, with ``anticipate_exits``, the exits expected before
year end, ``round(active_c * q)``), plus the year's ``extra_hires`` (campaigns such as
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

from ..sampling import band_share, draw_bands, draw_shares, share_at_least


def eligible_share(p, year: int) -> float:
    """Probability that one applicant meets the age, education and certificate rules."""
    cert_min = 1 if (p.certificate_required_from and year >= p.certificate_required_from) else 0
    return (band_share(p.age, p.max_age) * share_at_least(p.education, int(round(p.min_education)))
            * share_at_least(p.certificate, cert_min))


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


def choose_slots(vac, party, k: int, rng) -> tuple[np.ndarray, np.ndarray]:
    """Communities of the ``k`` posts filled (party posts first) and whether each is a party post."""
    comm_ids = np.arange(len(vac))
    party_slots = np.repeat(comm_ids, party)
    other_slots = np.repeat(comm_ids, vac - party)
    if k >= len(party_slots) + len(other_slots):
        return (np.concatenate([party_slots, other_slots]),
                np.arange(len(party_slots) + len(other_slots)) < len(party_slots))
    if k <= len(party_slots):
        chosen = rng.choice(len(party_slots), size=k, replace=False)
        return party_slots[np.sort(chosen)], np.ones(k, bool)
    m = k - len(party_slots)
    chosen = np.sort(rng.choice(len(other_slots), size=m, replace=False))
    return np.concatenate([party_slots, other_slots[chosen]]), np.arange(len(party_slots) + m) < len(party_slots)


def apply(pop, comm, p, grades, rng, t: float, year: int, expected_exit_rate: float = 0.0):
    """Hire at instant ``t``. Returns (slice of new rows, counts)."""
    vac, party = vacancies(pop, comm, t, p, expected_exit_rate, rng)
    wanted = int(vac.sum())
    k = wanted
    if p.pool_size > 0:
        k = min(k, int(rng.binomial(int(round(p.pool_size)), eligible_share(p, year))))
    if p.cap > 0:
        k = min(k, int(round(p.cap)))
    communities, is_party = choose_slots(vac, party, k, rng)
    cert_min = 1 if (p.certificate_required_from and year >= p.certificate_required_from) else 0
    age = draw_bands(p.age, k, rng, upper=p.max_age)
    education = draw_shares(p.education, k, rng, at_least=int(round(p.min_education)))
    level = draw_shares(p.certificate, k, rng, at_least=cert_min)
    female = rng.random(k) < p.female_share
    cadre = rng.random(k) < p.cadre_share
    birthday = np.floor(rng.random(k) * 365) / 365
    ability = rng.standard_normal(k)
    rows = pop.add(k)
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
