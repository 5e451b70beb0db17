"""Demand: communities, households and the staffing rule that turns them into posts.

Rules (``demand.rule``), per community ``c`` with ``h_c`` resident households:

* ``fixed``: ``posts_c = posts_per_community``.
* ``households``: ``posts_c = round(h_c / households_per_post)``; Changzhou 2022: one
  post per 250 resident households (seed 000_4ab8506bd769e853.txt).
* ``size_band``: ``posts_c = band_base + floor(max(h_c - band_limit, 0) / band_step)``;
  Jilin 2020: 10-15 posts under 3,000 households, one more per 300-500 further
  households (seed 003_29d33855077651d4.txt).
* ``per_10k``: a city total ``round(per_10k * R / 10^4)`` for ``R`` urban residents,
  spread over communities in proportion to households (largest remainders); Changzhou
  and Hohhot: 18 per 10,000 (seeds 000, 002).

``round`` rounds half up (四舍五入: 2,625 households at 250 a post give 11 posts), and
so do the whole-number parameters (``posts_per_community``, ``band_base``, ``min_posts``,
``min_party_posts``, which may be drawn as uncertain values).

Then ``posts_c = max(posts_c, min_posts, heads + committee + party_c)``, where
``party_c`` is the community's party-building staff posts: ``min_party_posts``, or its
district's own (Jilin: at least 2 in every urban community, not counting the party
secretary and deputy, 不含社區黨組織書記、副書記, seed 003). Party-building posts are
staff posts, filled first. Under ``fixed``, whose posts per community are given outright,
heads + committee + party posts above them are refused as a contradiction
(:mod:`model.semantics`) rather than raised to.

Residents grow by ``residents_growth`` a year; households are residents over
``persons_per_household``; every community's households scale with the total. A
community above ``split_above`` households splits in two equal halves: the new one
takes half the old one's active workers (rounded down; at most its staff), all from its
staff, evenly spaced in row order (its heads and committee members stay, and the new
half's own head and committee posts are filled at the next election or by hiring), so
that the halves, of equal posts, start equally staffed (assumption: the seed says nothing
of who moves); one below ``merge_below`` merges into the smallest other community of its
district, its workers moving with it (Hohhot: 1,000-3,000 households, split above 4,000;
seed 002_5cfcc670a2031676.txt). Small communities merge one at a time, the smallest first
(by their households as the year's merging starts), each into the smallest other
community of its district at that moment (another small one, or one that has already
taken one in that year; none merges across districts); one that merges have lifted to
``merge_below`` no longer merges. A merged community has one set of leaders: where it now has
more heads than ``heads_per_community``, the lowest-scoring step down to the committee,
and then committee members beyond ``committee_per_community`` step down to staff, the
lowest-scoring first (assumption: the seed says nothing of who leads a merged
community; the best-scoring keep their posts, as elections choose; grades are kept).
A community split or merged that year, or whose party-building posts rose (a schedule of
``min_party_posts``), whose party-building posts then lack holders (they moved with the
other half, or are new) has its longest-serving staff take them, as at the start
(:func:`hold_party_posts`; assumption: the community designates them, there being no
vacancy for a hire to fill). A split happens at most once a year: halves still above
``split_above`` split again on the next 1 January.

Households are residents over persons per household over communities, in floating point:
a community exactly at a bound (27,600 residents, 2.3 a household, 3 communities: 4,000
households each) may come out a hair on either side of it. The bounds are read as exact
arithmetic reads them: a community splits above ``split_above`` by more than a relative
:data:`~model.sampling.HALF_SLACK`, merges below ``merge_below`` by more than that, and a
size band's steps count a hair short of a whole step as the step (:func:`exceeds`,
:func:`short_of`; as :func:`~model.sampling.half_up` rounds).
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from ..params import Constant, Schedule, Uncertain
from ..population import check_size
from ..sampling import HALF_SLACK, half_up, largest_remainder, rank_within
from ..schema import SECTIONS


class Communities:
    """Community columns: households, district, posts, party posts, alive."""

    def __init__(self, households, district, urban):
        self.households = np.asarray(households, dtype=float)
        self.district = np.asarray(district, dtype=np.int32)
        self.urban_by_district = np.asarray(urban, dtype=bool)
        self.alive = np.ones(len(self.households), dtype=bool)
        self.posts = np.zeros(len(self.households), dtype=np.int64)
        self.party_posts = np.zeros(len(self.households), dtype=np.int64)

    def __len__(self):
        return len(self.households)

    @property
    def count(self) -> int:
        return int(self.alive.sum())

    @property
    def urban(self) -> np.ndarray:
        return self.urban_by_district[self.district]


def initial(districts, residents, persons_per_household, spread, rng) -> Communities:
    """Communities at the start: households from residents, spread uniformly +- spread."""
    counts = np.array([d.communities for d in districts])
    scale = np.repeat([d.households_scale for d in districts], counts)
    district = np.repeat(np.arange(len(districts)), counts)
    # without residents (rule 'fixed' needs none), 3,000 households a community: read by
    # nothing (splits and merges, which would read them, need residents: model.semantics)
    total_h = residents / persons_per_household if residents > 0 else 3000.0 * counts.sum()
    h = scale * (1 + spread * rng.uniform(-1, 1, len(scale)))
    h *= total_h / h.sum()
    return Communities(h, district, [d.urban for d in districts])


def grow(comm: Communities, factor: float) -> None:
    """Scale every community's households by ``factor`` (total household growth)."""
    comm.households *= factor


def exceeds(households, bound: float):
    """Whether ``households`` are above ``bound`` in exact arithmetic: by more than a
    relative :data:`~model.sampling.HALF_SLACK` (a community at the bound computed a hair
    above it does not split)."""
    return np.asarray(households) > bound * (1 + HALF_SLACK)


def short_of(households, bound: float):
    """Whether ``households`` are below ``bound`` in exact arithmetic (see :func:`exceeds`)."""
    return np.asarray(households) < bound * (1 - HALF_SLACK)


def split_and_merge(comm: Communities, split_above: float, merge_below: float,
                    community_of_worker: np.ndarray, post: np.ndarray | None = None,
                    active: np.ndarray | None = None, score: np.ndarray | None = None,
                    leaders: tuple[int, int] | None = None) -> dict:
    """Split large and merge small communities; workers of a merged community move with
    it; half the active workers of a split community (rounded down), all staff (post 0)
    evenly spaced among its staff in row order, move to the new half (when ``post`` and
    ``active`` are given), leaders stay: the halves, of equal households and so posts,
    start equally staffed. With ``score`` and
    ``leaders`` (heads and committee members per community) too, leaders beyond those
    numbers in a community that took in another step down (:func:`step_down`).

    Returns the year's counts (``communities_split``, ``communities_merged``) and, as
    ``touched``, the communities split (both halves) or that took another in, whose
    party-building posts :func:`hold_party_posts` sees to once their posts are set."""
    n_split = n_merge = 0
    touched = []
    if split_above > 0:
        big = np.flatnonzero(comm.alive & exceeds(comm.households, split_above))
        check_size(len(comm) + len(big), "communities", "communities (after splits)", None, "demand.split_above",
                   "raise split_above: a community splits in two when its households exceed it")
        if len(big):
            old_len = len(comm)
            if post is not None and active is not None:
                new_of = np.full(old_len, -1, dtype=np.int64)
                new_of[big] = np.arange(old_len, old_len + len(big))
                from .. import kernels  # here, not above: sizing a run need not import numba
                if kernels.ENABLED:
                    kernels.split_staff(active, post, community_of_worker, new_of)
                else:
                    splitting = active & (new_of[community_of_worker] >= 0)
                    w = np.flatnonzero(splitting & (post == 0))
                    c = community_of_worker[w]
                    staff = np.bincount(c, minlength=old_len)[c]
                    workers = np.bincount(community_of_worker[splitting], minlength=old_len)[c]
                    k = np.minimum(workers // 2, staff)
                    j = rank_within(c, w)  # place among its community's staff, in row order
                    move = w[(j + 1) * k // staff > j * k // staff]  # k of them, evenly spaced
                    community_of_worker[move] = new_of[community_of_worker[move]]
            half = comm.households[big] / 2
            comm.households[big] = half
            comm.households = np.concatenate([comm.households, half])
            comm.district = np.concatenate([comm.district, comm.district[big]])
            comm.alive = np.concatenate([comm.alive, np.ones(len(big), bool)])
            comm.posts = np.concatenate([comm.posts, np.zeros(len(big), np.int64)])
            comm.party_posts = np.concatenate([comm.party_posts, np.zeros(len(big), np.int64)])
            n_split = len(big)
            touched += [big, np.arange(old_len, old_len + len(big))]
    if merge_below > 0:
        # few communities merge in a year: a loop over communities, not people
        small = np.flatnonzero(comm.alive & short_of(comm.households, merge_below))
        remap = np.arange(len(comm))
        took_in = []
        for c in small[np.argsort(comm.households[small])]:
            if not comm.alive[c] or not short_of(comm.households[c], merge_below):
                continue
            same = np.flatnonzero(comm.alive & (comm.district == comm.district[c]))
            same = same[same != c]
            if not len(same):
                continue
            into = same[np.argmin(comm.households[same])]
            comm.households[into] += comm.households[c]
            comm.households[c] = 0
            comm.alive[c] = False
            remap[remap == c] = into
            took_in.append(into)
            n_merge += 1
        if n_merge:
            community_of_worker[:] = remap[community_of_worker]
            touched.append(np.unique(remap[took_in]))
            if post is not None and active is not None and score is not None and leaders is not None:
                step_down(community_of_worker, post, score, active, touched[-1], *leaders)
    touched = np.unique(np.concatenate(touched)) if touched else np.zeros(0, np.int64)
    return {"communities_split": n_split, "communities_merged": n_merge, "touched": touched}


def hold_party_posts(comm: Communities, communities: np.ndarray, community: np.ndarray, post: np.ndarray,
                     party: np.ndarray, hire_time: np.ndarray, active: np.ndarray) -> int:
    """In ``communities`` (split or merged this year, or whose party-building posts rose: a
    schedule of ``min_party_posts``), party-building posts without a holder (theirs moved to
    the other half, or new) are taken by the community's longest-serving
    active staff who hold none (ties: the earlier row), as at the start; a community
    without such staff leaves them for hiring to fill. Returns how many were taken."""
    if not len(communities):
        return 0
    n = len(comm)
    mine = np.zeros(n, bool)
    mine[communities] = True
    here = active & mine[community]
    need = np.maximum(comm.party_posts - np.bincount(community[here & party], minlength=n), 0)
    cand = np.flatnonzero(here & (post == 0) & ~party & (need[community] > 0))
    c = community[cand]
    take = cand[rank_within(c, hire_time[cand]) < need[c]]
    party[take] = True
    return len(take)


def step_down(community: np.ndarray, post: np.ndarray, score: np.ndarray, active: np.ndarray,
              communities: np.ndarray, heads: int, committee: int) -> int:
    """In ``communities``, active heads beyond ``heads`` per community become committee
    members, then active committee members beyond ``committee`` become staff, the
    lowest-scoring first (ties: the later row). Returns the number of steps down."""
    rows = np.flatnonzero(active & (post > 0) & np.isin(community, communities))
    moved = 0
    for level, quota in ((2, heads), (1, committee)):
        r = rows[post[rows] == level]
        if not len(r):
            continue
        down = r[rank_within(community[r], -score[r].astype(np.float64)) >= quota]
        post[down] = level - 1
        moved += len(down)
    return moved


def set_posts(comm: Communities, p, residents: float, min_leaders: int,
              district_party: np.ndarray | None = None) -> None:
    """Posts per community under the staffing rule ``p.rule`` (see module docstring);
    ``district_party``: each district's own party-building posts per community, -1 for
    the city's ``p.min_party_posts``."""
    h = comm.households
    rule = p.rule
    if rule == "fixed":
        posts = np.full(len(h), half_up(p.posts_per_community), dtype=np.int64)
    elif rule == "households":
        posts = half_up(h / p.households_per_post)
    elif rule == "size_band":
        # a hair short of a whole step (floating point) is the step: see the module docstring
        extra = np.floor(np.maximum(h * (1 + HALF_SLACK) - p.band_limit, 0) / p.band_step).astype(np.int64)
        posts = half_up(p.band_base) + extra
    else:  # per_10k
        posts = np.zeros(len(h), dtype=np.int64)
        total = half_up(p.per_10k * residents / 1e4)
        posts[comm.alive] = largest_remainder(total, h[comm.alive])
    city = half_up(p.min_party_posts)
    party = city if district_party is None else party_posts(district_party, city).astype(np.int64)[comm.district]
    party = np.where(comm.alive, party, 0)
    posts = np.maximum(posts, np.maximum(half_up(p.min_posts), min_leaders + party))
    posts[~comm.alive] = 0
    comm.posts = posts
    comm.party_posts = party


def at_start(x, year: int):
    """A scenario value in the start ``year``: a parameter's, uncertain entries at their
    means; a plain value as it is."""
    return x.at_means(year) if isinstance(x, (Constant, Schedule, Uncertain)) else x


def starting_posts(scenario) -> tuple[int, int]:
    """About how many posts ``scenario`` has on 1 January of the start year: as the staffing
    rule gives them, and after each community's floor (``min_posts``, and its heads,
    committee members and party-building posts: :func:`set_posts`). Communities made by
    :func:`initial` without spread (every one of its district's average size), the start
    year's parameters, uncertain ones at their means; (0, 0) without communities. Worked
    out once per scenario (a read-only object): the notes, the room made ahead and the
    memory check each ask, and nationally it takes some 0.2 s."""
    known = getattr(scenario, "_starting_posts", None)
    if known is None:
        known = _starting_posts(scenario)
        try:
            scenario._starting_posts = known
        except AttributeError:  # an object that takes no attributes: worked out each time
            pass
    return known


def _starting_posts(scenario) -> tuple[int, int]:
    ps, d, year = scenario.population, scenario.demand, scenario.start_year

    def start(x):
        return at_start(x, year)
    if not any(x.communities for x in scenario.districts):
        return 0, 0
    p = SimpleNamespace(**{name: start(getattr(d, name)) for name in SECTIONS["demand"]})
    comm = initial(scenario.districts, p.urban_residents, p.persons_per_household, 0.0, np.random.default_rng(0))
    bare = SimpleNamespace(**{**vars(p), "min_posts": 0.0, "min_party_posts": 0.0})  # the rule alone
    set_posts(comm, bare, p.urban_residents, 0)
    by_rule = int(comm.posts.sum())
    set_posts(comm, p, p.urban_residents, start(ps.heads_per_community) + start(ps.committee_per_community),
              district_party_posts(scenario))
    return by_rule, int(comm.posts.sum())


def starting_workers_estimate(scenario) -> int:
    """About how many workers ``scenario`` starts with: its starting headcount, or else the
    share filled of the posts of :func:`starting_posts`. For sizing memory ahead
    (:func:`model.population.make_room_ahead`, which leaves room for more)."""
    ps, year = scenario.population, scenario.start_year
    if at_start(ps.headcount, year) > 0:
        return int(at_start(ps.headcount, year))
    return int(half_up(starting_posts(scenario)[1] * min(at_start(ps.filled_share, year), 1.0)))


def party_posts(own, city):
    """Party-building posts per community: a district's ``own`` number, or the city's
    where it is -1 (arrays broadcast: districts by years in the checks of a scenario)."""
    own = np.asarray(own, dtype=float)
    return np.where(own >= 0, own, city)


def district_party_posts(scenario) -> np.ndarray:
    """Each district's own party-building posts per community (-1: the city's)."""
    return np.array([d.min_party_posts for d in scenario.districts], dtype=float)
