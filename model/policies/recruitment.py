"""Recruitment: fill vacant posts from an applicant pool, subject to eligibility and a cap.

At each recruitment date (``calendar.recruitment``) the vacancies of community ``c`` are
``v_c = posts_c - active_c``, plus, with ``anticipate_exits``, the exits expected before
year end: each active worker who reaches the statutory retirement age by then, a
vacancy in their own community, and of each other worker the chance of a quit or a
death in the rest of the year given none so far: ``1 - (1 - a_q)(1 - a_d)`` with
``a = r (1 - d) / (1 - r (d - e))`` at a date ``d`` in the year for a worker who
entered the year at ``e``, ``r`` their quit (or death) probability this year (this
total rounded half up and shared among communities in proportion to their active
workers by largest remainder, so that small communities do not round their share
away; the round's own hires' exits are not anticipated), plus, at the
year's first round, the year's ``extra_hires`` (campaigns such as Hohhot's 4,000
graduates over 2020-2023, seed 002_5cfcc670a2031676.txt) spread over communities by a
multinomial draw in proportion to posts (so a community may get more or fewer than its
share, as a campaign's hires fall where applicants are; not a largest-remainder split).
The posts vacant at the round are filled first (party-building posts first), then the
hires for exits to come (party-building posts first), then the campaign's hires: a
campaign adds hires on top of the posts, so where the year's pool or cap falls short it
is the campaign that goes unfilled, not posts (and hires for exits to come go unmade
before a post vacant now goes unfilled).
What a round leaves of the campaign is counted again at the year's next round (it adds
to that round's ``unfilled_posts``; it cannot be filled then, since a round leaves
hires unfilled only when the year's pool or cap is spent, or in a freeze year).

A hire enters as staff (post class 0, a party-building post where the vacancy filled is
one), at the entry grade of :func:`entry_grade`: a vacant head or committee post counts
as a vacancy of its community and is filled by a staff hire, and the leader post itself
is filled from within at the next elections (:mod:`model.policies.elections`).

Applicants have their own age bands, sex, education and certificate mix (ages in whole
years at the round's date). Eligible are those with ``age <= max_age``, ``education >= min_education`` and, from
``certificate_required_from`` on, a certificate (Yichang 2021, seed
004_7ff16b39686a218b.txt; Jilin: college degree, age <= 40, seed
003_29d33855077651d4.txt). With a finite pool of ``N`` applicants the eligible number
is ``Binomial(N, p_eligible)``; hires are ``min(vacancies, eligible, cap)``, the
vacancies filled chosen at random when fewer. The pool and the cap are a year's (schema:
applicants per year, most hires in a year): with several rounds in a year the eligible
number is drawn once, at the first round, and each round hires at most what the earlier
rounds left of it and of the cap (:class:`YearSoFar`). Hires are drawn from the
applicant mix conditional on eligibility. Unfilled posts at the year's last round are
reported (``unfilled_posts``: posts vacant at that round and campaign hires that it did
not fill; hires for exits still to come that it could not make are not among them).

Exemptions: two streams
-----------------------
The documents exempt some applicants from a rule. Jilin relaxes the age limit for
current workers, certificate holders, sociology graduates and veterans (seed 003:
現有社區工作者(含公益性崗位人員)、考取社工師人員、社會學專業高校畢業生、復員退伍軍人可適當放寬年齡限制);
Yichang, requiring a certificate, also brings in social-work graduates (seed 004:
引进一批持有中高级社工证或社会工作领域类专业的大学生). So an applicant belongs to the
main stream (share ``1 - e``) or to the exempt stream (share ``e = exempt_share``),
whose age bands (``exempt_age``) and certificate mix (``exempt_certificate``) are its
own (education is common). Stream ``s`` has the age limit ``a_s`` (``max_age``; the
exempt stream ``max(max_age, exempt_max_age)``), the certificate minimum ``r_s`` (1
from ``certificate_required_from`` on, 0 before; 0 always in the exempt stream unless
``exempt_certificate_required``), and a holder of a certificate of level ``l =
max_age_certified_level`` or above, in either stream, may be as old as
``c_s = max(a_s, max_age_certified)``. An applicant of stream ``s`` with age ``A``,
education ``E`` and certificate level ``L`` is eligible when

    E >= m  and  L >= r_s  and  A <= (c_s if L >= l else a_s).

Given the stream, age, education and certificate are independent, so

    p_eligible = P(E >= m) * sum_s w_s * [ F_s(a_s) P_s(L >= r_s)                   if c_s <= a_s
                                         [ F_s(a_s) P_s(r_s <= L < l)
                                         [   + F_s(c_s) P_s(L >= l)                  otherwise

with ``w = (1 - e, e)`` and ``F_s(x)`` the share of stream ``s`` aged at most ``x``
(``l >= 1 >= r_s``).
Each term is a *branch*: a product set (an age limit times a range of certificate
levels) of one stream, and the branches are disjoint. A hire is drawn exactly from the
applicant law conditional on eligibility: a branch with probability proportional to
its term, then age (truncated at the branch's limit), education (at least ``m``) and
certificate (in the branch's range) independently within the branch's stream, which
is the conditional law inside a product set. The branch takes one more keyed uniform
per hire (sub-stream 9); without exemptions (``exempt_share = 0`` and
``max_age_certified <= max_age``) it is not drawn and every draw is as it was before
the streams existed.

A hire admitted without a certificate under an exemption is an ordinary uncertified
worker afterwards: the certificate deadline of :mod:`model.policies.dismissal`
(``dismissal.certificate_deadline``), when a scenario sets one, applies to them as to
everyone (the population does not record the stream).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import ndtri

from .. import kernels
from ..population import check_size, row_chunks
from ..sampling import (
    band_share,
    bands_from_uniforms,
    half_up,
    largest_remainder,
    share_at_least,
    shares_from_uniforms,
    smallest_first,
)
from ..streams import uniforms, uniforms_many

STREAM_DEFAULTS = {"max_age_certified": 0.0, "max_age_certified_level": 1, "exempt_share": 0.0, "exempt_age": None,
                   "exempt_certificate": None, "exempt_max_age": 0.0, "exempt_certificate_required": False,
                   "freeze_years": ()}
"""The newer fields at their schema defaults (one stream, no exemption, no freeze), for
parameter namespaces built by hand without them."""


def _field(p, name):
    return getattr(p, name, STREAM_DEFAULTS[name])


def _certificate_min(p, year: int) -> int:
    return 1 if (p.certificate_required_from and year >= p.certificate_required_from) else 0


def has_exemptions(p) -> bool:
    """Whether this year's rules have a second stream or a certificate holders' age limit."""
    return _field(p, "exempt_share") > 0 or _field(p, "max_age_certified") > p.max_age


@dataclass(frozen=True)
class Branch:
    """One part of the eligible set: stream ``stream`` (0 main, 1 exempt), ages up to
    ``age_limit``, certificate levels ``level_lo..level_hi``; ``mass`` is the probability
    that an applicant falls in it (education included)."""

    stream: int
    mass: float
    age: tuple
    age_limit: float
    certificate: np.ndarray
    level_lo: int
    level_hi: int


def branches(p, year: int) -> list[Branch]:
    """The disjoint branches of the eligible set in ``year`` (see the module docstring)."""
    edu = share_at_least(p.education, half_up(p.min_education))
    required = _certificate_min(p, year)
    certified_limit = _field(p, "max_age_certified")
    lvl = int(_field(p, "max_age_certified_level"))
    e = _field(p, "exempt_share")
    streams = [(0, 1.0 - e, p.age, p.certificate, p.max_age, required)]
    if e > 0:
        ages = _field(p, "exempt_age") or p.age
        cert = _field(p, "exempt_certificate")
        streams.append((1, e, ages, p.certificate if cert is None else cert,
                        max(p.max_age, _field(p, "exempt_max_age")),
                        required if _field(p, "exempt_certificate_required") else 0))
    out = []
    for s, w, ages, cert, limit, r in streams:
        cert = np.asarray(cert, dtype=float)
        if certified_limit > limit:
            if r < lvl:
                out.append(Branch(s, w * band_share(ages, limit) * edu * float(cert[r:lvl].sum()),
                                  ages, limit, cert, r, lvl - 1))
            out.append(Branch(s, w * band_share(ages, certified_limit) * edu * share_at_least(cert, lvl),
                              ages, certified_limit, cert, lvl, len(cert) - 1))
        else:
            # the one-stream rule, factor for factor (1.0 * x is x: bit for bit as before)
            out.append(Branch(s, w * band_share(ages, limit) * edu * share_at_least(cert, r),
                              ages, limit, cert, r, len(cert) - 1))
    return out


def eligible_share(p, year: int) -> float:
    """Probability that one applicant, drawn from the mix of streams, meets the age,
    education and certificate rules of their stream."""
    return _total_mass(branches(p, year))


def _total_mass(br: list[Branch]) -> float:
    # one stream: the single branch's mass, 1.0 * F(a) * P(E >= m) * P(L >= r), bit for
    # bit the one-stream formula; shares add up to 1 only to rounding, hence the clip
    return min(max(sum(b.mass for b in br), 0.0), 1.0)


def levels_from_uniforms(shares, u: np.ndarray, lo: int, hi: int) -> np.ndarray:
    """Certificate levels by inverse CDF of ``shares`` restricted to ``lo..hi``."""
    if lo == hi:
        return np.full(len(u), lo, dtype=np.int64)
    p = np.asarray(shares, dtype=float).copy()
    p[hi + 1:] = 0
    return shares_from_uniforms(p, u, at_least=lo)


def branch_from_uniforms(br: list[Branch], u: np.ndarray) -> np.ndarray:
    """Index of each hire's branch, by inverse CDF of the branch masses."""
    m = np.array([b.mass for b in br], dtype=float)
    cdf = np.cumsum(m / m.sum())
    cdf[np.flatnonzero(m > 0)[-1]:] = 1.0  # never land in an empty branch after rounding
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(br) - 1)


@dataclass
class YearSoFar:
    """What a year's earlier recruitment rounds took of its yearly limits (:meth:`start`
    makes a year's)."""
    hires: int = 0
    eligible_left: int | None = None  # of the year's eligible applicants; None: not drawn yet
    campaign_left: int = 0  # campaign hires not yet filled: the year's extra_hires at the start

    @classmethod
    def start(cls, p) -> YearSoFar:
        """A year before its first round, under the recruitment parameters ``p``."""
        return cls(campaign_left=half_up(p.extra_hires))


def vacancies(pop, comm, t: float, p, expected_exits: float, rng, campaign: int | None = None,
              due: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hires wanted, vacant party-building posts, campaign hires and hires for exits to
    come per community at instant ``t`` (the first count includes the other three; its
    first slots less those for exits to come and the campaign are the posts vacant now).
    The party-building posts are two rows: those vacant now (among the posts vacant now)
    and those of party workers due to retire (among the hires for exits to come), so that a
    short round fills a post vacant now before a post that empties later, and the hire
    for a retiring party worker's post takes it as a party post. ``campaign`` hires come on
    top of the vacancies (None: the year's
    ``extra_hires``) and, with ``anticipate_exits``, the ``expected_exits`` of the rest
    of the year (rounded, shared among communities by their active workers) and the exits
    ``due`` in each community before year end (retirements: where they fall is known;
    shape (2, communities): all of them, and those of party-building workers, whose posts
    are refilled as party posts)."""
    n = len(comm)
    due_party = 0
    if kernels.ENABLED:
        # whole-number counts: any split adds up alike, so one slice a thread
        active_c, party_c = kernels.add_parts(kernels.over_rows(
            pop.n, lambda r: kernels.active_by_community(pop.exit_time[r], pop.hire_time[r], float(t),
                                                         pop.community[r], pop.party[r], n)))
    else:
        act = pop.active(t)
        active_c = np.bincount(pop.community[act], minlength=n)
        party_c = np.bincount(pop.community[act & pop.party], minlength=n)
    need = comm.posts - active_c  # below 0 where a community has more workers than posts
    now = np.maximum(need, 0)  # the posts vacant now
    if p.anticipate_exits:
        # the exits to come are netted against a surplus: hires made for exits expected at
        # an earlier round, or last year, that did not happen yet are not made again
        expected = half_up(expected_exits)
        if expected > 0:
            need = need + largest_remainder(expected, active_c)
        if due is not None:
            need = need + due[0]
            due_party = due[1]
    vac = np.maximum(need, 0)  # at least `now`: the exits to come only add
    vac[~comm.alive] = 0
    now = np.minimum(now, vac)
    ahead = vac - now
    # party-building vacancies are among the vacant posts, not the campaign's hires: those
    # vacant now among the posts vacant now, those of party workers due to retire after them
    party_now = np.minimum(np.maximum(comm.party_posts - party_c, 0), now)
    party_all = np.minimum(np.maximum(comm.party_posts - (party_c - due_party), 0), vac)
    party = np.stack([party_now, np.clip(party_all - party_now, 0, ahead)])
    extra = half_up(p.extra_hires) if campaign is None else int(campaign)
    camp = np.zeros(n, dtype=np.int64)
    if extra > 0:
        w = comm.posts / max(comm.posts.sum(), 1)
        camp = rng.multinomial(extra, w)
        camp[~comm.alive] = 0
        vac = vac + camp
    return vac, party, camp, ahead


HIRE_FLAG = np.uint64(1) << np.uint64(57)


def slot_ids(vac: np.ndarray, year_index: int, round_index: int) -> np.ndarray:
    """Stable ids of the vacant posts of one recruitment round: year, round, community,
    slot within the community (party-building slots first). A hire takes the id of the
    post it fills, so the same post gets the same applicant draws in two alternatives."""
    comm, within = _slots(vac)
    return (_round_flag(year_index, round_index) | (comm.astype(np.uint64) << np.uint64(SLOT_BITS))
            | within.astype(np.uint64))


def _slots(vac: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Community of each vacant post and its position within the community."""
    comm = np.repeat(np.arange(len(vac)), vac)
    return comm, np.arange(len(comm)) - np.repeat(np.cumsum(vac) - vac, vac)


def _round_flag(year_index: int, round_index: int) -> np.uint64:
    """The bits of a slot id that name the year and the round."""
    # 7 bits of year (horizons of at most 100 years) and 4 of round (schema.MAX_ROUNDS)
    return HIRE_FLAG | (np.uint64(year_index % 128) << np.uint64(50)) | (np.uint64(round_index % 16) << np.uint64(46))


SLOT_BITS = 20
"""A slot id's low bits: the slot's place within its community (:func:`slot_ids`)."""


def campaign_slots(ids: np.ndarray, communities: np.ndarray, vac, campaign) -> np.ndarray:
    """Which of the slots ``ids`` (in ``communities``) are campaign hires: the last
    ``campaign[c]`` of community ``c``'s ``vac[c]`` slots."""
    return _within(ids) >= (np.asarray(vac) - np.asarray(campaign))[communities]


def ahead_slots(ids: np.ndarray, communities: np.ndarray, vac, campaign, ahead) -> np.ndarray:
    """Which of the slots ``ids`` (in ``communities``) are hires for exits to come (with
    ``anticipate_exits``): the ``ahead[c]`` slots of community ``c`` just before its
    campaign hires."""
    within, end = _within(ids), (np.asarray(vac) - np.asarray(campaign))[communities]
    return (within >= end - np.asarray(ahead)[communities]) & (within < end)


def _within(ids: np.ndarray) -> np.ndarray:
    """A slot's place within its community (:func:`slot_ids`)."""
    return (ids & np.uint64((1 << SLOT_BITS) - 1)).astype(np.int64)


def choose_slots(vac, party, k: int, rng, year_index: int = 0, round_index: int = 0, campaign=None,
                 ahead=None):
    """The ``k`` posts filled: (community, is party post, slot id). The posts vacant now,
    party-building posts first; then the hires for exits to come (``ahead`` per
    community, :func:`ahead_slots`), party-building posts first; then the ``campaign``
    hires per community (the last slots of each, :func:`campaign_slots`); within each,
    the slots with the smallest keyed draws. ``party``: the party-building posts vacant
    now per community, or two rows, those and the party posts among the hires for exits
    to come (:func:`vacancies`)."""
    vac = np.asarray(vac, dtype=np.int64)
    camp = np.zeros(len(vac), np.int64) if campaign is None else np.asarray(campaign, dtype=np.int64)
    later_ = np.zeros(len(vac), np.int64) if ahead is None else np.asarray(ahead, dtype=np.int64)
    party = np.asarray(party, dtype=np.int64).reshape(-1, len(vac))
    party_now = party[0]
    party_ahead = party[1] if len(party) > 1 else np.zeros(len(vac), np.int64)
    now = vac - camp - later_  # a community's first slots: the posts vacant now
    if kernels.ENABLED:
        comm, is_party, ids = kernels.vacant_slots(vac, party_now, now, party_ahead,
                                                   _round_flag(year_index, round_index))
    else:
        ids = slot_ids(vac, year_index, round_index)
        comm, within = _slots(vac)
        start = np.repeat(now, vac)
        is_party = (within < np.repeat(party_now, vac)) | ((within >= start)
                                                          & (within < start + np.repeat(party_ahead, vac)))
    if k < len(ids):
        # in order: party posts vacant now (0), other posts vacant now (2), party posts and
        # other posts for exits to come (4, 6), campaign hires (8, never party posts)
        later = 2.0 * ~is_party
        if np.any(camp):
            later += 6.0 * campaign_slots(ids, comm, vac, camp)
        if ahead is not None and np.any(ahead):
            later += 4.0 * ahead_slots(ids, comm, vac, camp, ahead)
        keep = smallest_first(uniforms(rng, ids) + later, k)
        ids, comm, is_party = ids[keep], comm[keep], is_party[keep]
    return comm, is_party, ids


def apply(pop, comm, p, grades, rng, t: float, year: int, expected_exits: float = 0.0,
          year_index: int = 0, round_index: int = 0, so_far: YearSoFar | None = None,
          due: np.ndarray | None = None):
    """Hire at instant ``t``. Returns (slice of new rows, counts). ``so_far``: what the
    year's earlier rounds took of its pool and cap (updated here); None: a year's only
    round. ``expected_exits`` and ``due``: see :func:`vacancies`."""
    so_far = YearSoFar.start(p) if so_far is None else so_far
    campaign = so_far.campaign_left
    vac, party, camp, ahead = vacancies(pop, comm, t, p, expected_exits, rng, campaign, due)
    wanted = int(vac.sum())
    if len(vac) and vac.max() >= 1 << SLOT_BITS:  # a slot id keeps its place in the community in SLOT_BITS
        from ..errors import UserError
        raise UserError(f"a community would have {int(vac.max()):,} posts to fill at one recruitment round "
                        f"in {year}, more than this model handles ({(1 << SLOT_BITS) - 1:,}); check "
                        "recruitment.extra_hires and the staffing rule",
                        field=("recruitment.extra_hires" if 2 * campaign > wanted
                               else "demand.residents_growth"))
    check_size(pop.n + wanted, "people", "workers and vacancies", year,
               "recruitment.extra_hires" if 2 * campaign > wanted else "demand.residents_growth",
               "check recruitment.extra_hires and the staffing rule (residents, residents_growth, per_10k, "
               "split_above)")
    k = wanted
    two = has_exemptions(p)
    br = branches(p, year)
    share = _total_mass(br)
    if p.pool_size > 0:
        if so_far.eligible_left is None:
            so_far.eligible_left = int(rng.binomial(half_up(p.pool_size), share))
        k = min(k, so_far.eligible_left)
    if p.cap > 0:
        k = min(k, max(half_up(p.cap) - so_far.hires, 0))
    if share <= 0 or year in _field(p, "freeze_years"):
        k = 0  # no applicant (of either stream) is eligible this year, however large the pool; or a freeze
    so_far.hires += k
    if so_far.eligible_left is not None:
        so_far.eligible_left -= k
    communities, is_party, ids = choose_slots(vac, party, k, rng, year_index, round_index, camp, ahead)
    # hires for exits to come that the round did not make leave no post vacant (yet)
    ahead_unmade = (int(ahead.sum()) - int(np.count_nonzero(ahead_slots(ids, communities, vac, camp, ahead)))
                    if ahead.any() else 0)
    if campaign:  # what the round left of the campaign (its slots come last)
        so_far.campaign_left = campaign - int(np.count_nonzero(campaign_slots(ids, communities, vac, camp)))
    rows = pop.add(k)

    def hire(h: slice) -> int:  # the hires h (a chunk of them): their attributes; returns those exempt
        # keyed uniforms per hire: 0-1 age, 2 education, 3 certificate, 4 sex, 5 cadre,
        # 6 birthday, 7 ability, and with exemptions 8 the branch (stream and rule)
        u = uniforms_many(rng, ids[h], 1, 9 if two else 8)
        m = h.stop - h.start
        education = shares_from_uniforms(p.education, u[2], at_least=half_up(p.min_education))
        # without exemptions the one branch is the one-stream rule and takes no draw
        which = branch_from_uniforms(br, u[8]) if two and m else np.zeros(m, dtype=np.int64)
        age = np.zeros(m, dtype=np.int64)
        level = np.zeros(m, dtype=np.int64)
        exempt = np.zeros(m, dtype=bool)
        for i, b in enumerate(br):  # at most four branches; the work is on whole arrays
            sel = which == i
            if not sel.any():
                continue
            age[sel] = bands_from_uniforms(b.age, u[0][sel], u[1][sel], upper=b.age_limit)
            level[sel] = levels_from_uniforms(b.certificate, u[3][sel], b.level_lo, b.level_hi)
            exempt[sel] = b.stream == 1
        r = slice(rows.start + h.start, rows.start + h.stop)
        pop.uid[r] = ids[h]
        # the age drawn is the age at the hire instant t in whole years (周岁): the next birthday
        # on one of the 365 days after t (one on the hiring day itself would make the hire a
        # year older), so the age limit holds on the day of hiring, in a later round as on 1 January
        pop.birth[r] = t - age - 1 + (np.floor(u[6] * 365) + 1) / 365
        pop.female[r] = u[4] < p.female_share
        pop.cadre[r] = u[5] < p.cadre_share
        pop.hire_year[r] = year
        pop.hire_time[r] = t
        pop.education[r] = education
        pop.level[r] = level
        pop.level_since[r] = year
        pop.community[r] = communities[h]
        pop.party[r] = is_party[h]
        pop.post[r] = 0
        pop.grade[r] = entry_grade(grades, education, level, 0)
        pop.grade_since[r] = int(np.ceil(t))  # whole years in grade count from the first 1 January in post
        pop.ability[r] = ndtri(u[7])
        return int(exempt.sum())
    # keyed draws depend on the hire alone, so hires may go in chunks (and threads);
    # a plain Generator draws in order: all at once
    keyed = getattr(rng, "key", None) is not None
    exempt = sum(kernels.in_threads(hire, row_chunks(slice(0, k)) if keyed else [slice(0, k)]))
    counts = {"hires": k, "cost_recruitment": k * p.cost_per_hire,
              "unfilled_posts": wanted - k - ahead_unmade, "hires_exempt": exempt}
    return rows, counts


def ladder_grade(grades, education, level) -> np.ndarray:
    """The grade that education and certificate level give (``entry_grade`` plus
    ``certificate_bonus``, rounded half up as the model rounds: 2.5 is 3), before any post's
    range."""
    return half_up(np.asarray(grades.entry_grade)[education] + np.asarray(grades.certificate_bonus)[level])


def entry_grade(grades, education, level, post) -> np.ndarray:
    """Grade on entry: by education plus the certificate bonus, within the post's range."""
    lo = np.asarray(grades.min_grade)[post]
    hi = np.asarray(grades.max_grade)[post]
    return np.clip(ladder_grade(grades, education, level), lo, hi).astype(np.int8)
