"""The engine: a simpy calendar driving vectorised policies over the workforce.

One replication is one :class:`Replication`. A simpy ``Environment`` keeps the calendar
in years; each stage of the year is a simpy process that waits for its date (from
``[calendar]``) and then acts on all workers at once with numpy:

====  ===========  =======================================================
rank  stage        what happens
====  ===========  =======================================================
0     open         demand (posts), new quits / deaths / retirements drawn
10    recruitment  vacancies filled (one process per recruitment date)
20    training     who is trained this year
30    exam         certification
40    assessment   grades, dismissals, elimination, service terms
50    promotion    degrees earned in service, promotion out, elections, grade steps
90    close        pay settled, metrics taken, leavers dropped
====  ===========  =======================================================

Stages at the same instant run in rank order, and all of year ``y`` runs before year
``y + 1`` (the simpy event priority is ``100 * year_index + rank``), never in heap
insertion order. Quits, deaths and retirements happen in continuous time: their
instants are drawn when a worker enters the year, and a worker counts as employed at
``t`` while ``hire_time <= t < exit_time``. Pay accrues between the events that change
what workers earn, so it is exactly pro rata to time: by the payroll's calendar, each
month a twelfth of the year and each day its share of its month (:func:`model.roster.date_instant`).
"""

from __future__ import annotations

import math
import weakref
from functools import cached_property, partial
from types import SimpleNamespace

import numpy as np
import simpy

from . import kernels
from . import metrics as M
from .errors import UserError
from .params import Constant, Schedule, Uncertain
from .policies import (assessment, certification, degrees, demand, dismissal, elections, elimination,
                       grades, pay, promotion_out, quits, recruitment, service_terms, training)
from .policies.retirement_age import lowest_age, retirement_time_into
from .population import (CAUSES, DEATH, QUIT, RETIRED, Workforce, age_on_1_january, capacity_for, check_size,
                         post_of_rank, row_chunks)
from .sampling import (bands_from_uniforms, half_up, largest_remainder, rank_within, shares_from_uniforms,
                       truncated_draws)
from .schema import SECTIONS
from .streams import Streams, uniforms

FLOW_METRICS = ("hires", "hires_exempt", "unfilled_posts", "exam_sitters", "exam_passes", "trained",
                "grade_steps", "degrees_earned", "posts_filled_internally", "cost_training",
                "cost_recruitment", "cost_degrees", "communities_split", "communities_merged")
"""The year's flows counted as the stages act (``Replication.flows``) and reported as they are."""

RANKS = {"open": 0, "recruitment": 10, "training": 20, "exam": 30, "assessment": 40,
         "promotion": 50, "close": 90}


_FIXED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def year_parameters(scenario, streams: Streams | None) -> list[SimpleNamespace]:
    """Every parameter resolved for each simulated year of one replication.

    Uncertain values, whole fields or entries of a schedule or vector, are drawn once
    (each from its own stream, :meth:`model.scenario.Scenario.uncertain`);
    ``streams=None`` takes their means. Returns one namespace per year:
    ``P[i].pay.growth`` is a float, ``P[i].pay.monthly`` an array. A scenario without
    uncertain values resolves once per process (the namespaces are read-only by
    convention).
    """
    if scenario not in _FIXED:
        random_fields = scenario.random_fields()
        _FIXED[scenario] = (_resolve(scenario, skip=random_fields), random_fields)
    fixed, random_fields = _FIXED[scenario]
    if not random_fields:
        return fixed
    # copy only the sections holding uncertain values, then draw them
    years = scenario.year_list
    out = [SimpleNamespace(**vars(P)) for P in fixed]
    for path, v in random_fields.items():
        sec, name = path.split(".")
        x = v.sample(years, path, streams)
        for i, P in enumerate(out):
            if getattr(P, sec) is getattr(fixed[i], sec):
                setattr(P, sec, SimpleNamespace(**vars(getattr(P, sec))))
            setattr(getattr(P, sec), name, float(x[i]) if x.ndim == 1 else x[i])
    return out


def _resolve(scenario, skip=()):
    """Every field by year but those in ``skip`` (paths ``section.field``: the uncertain
    ones, which each replication draws), uncertain values at their means."""
    years = scenario.year_list
    per_year = [dict() for _ in years]
    for sec, spec in SECTIONS.items():
        section = getattr(scenario, sec)
        cols = {}
        for name in spec:
            v = getattr(section, name)
            if f"{sec}.{name}" in skip:
                for d in per_year:
                    d.setdefault(sec, {})
                continue
            if isinstance(v, (Constant, Schedule, Uncertain)):
                cols[name] = v.resolve(years)
            else:
                cols[name] = None
                for d in per_year:
                    d.setdefault(sec, {})[name] = v
        for i, d in enumerate(per_year):
            s = d.setdefault(sec, {})
            for name, arr in cols.items():
                if arr is not None:
                    s[name] = float(arr[i]) if arr.ndim == 1 else arr[i]
    return [SimpleNamespace(**{k: SimpleNamespace(**v) for k, v in d.items()}) for d in per_year]


def _at(env: simpy.Environment, when: float, priority: int) -> simpy.Event:
    """An event at instant ``when`` with a stated priority (ties settled by it)."""
    ev = simpy.Event(env)
    ev._ok = True
    ev._value = None
    env.schedule(ev, priority, max(when - env.now, 0.0))
    return ev


class Replication:
    """One simulated history of the city's workforce.

    Parameters
    ----------
    scenario : model.scenario.Scenario
    seed : int
        Root seed of the run.
    rep : int
        Replication index (its random streams are ``SeedSequence(seed, spawn_key=(rep, ...))``).
    """

    def __init__(self, scenario, seed: int, rep: int):
        self.sc = scenario
        self.streams = Streams(seed, rep)
        self.P = year_parameters(scenario, self.streams)
        self.names = M.names(scenario)
        self.index = {n: i for i, n in enumerate(self.names)}
        self.out = np.full((scenario.years, len(self.names)), np.nan)
        self.pop = Workforce(capacity=1024)
        self.nd = 0 if scenario.implicit_district else len(scenario.districts)
        self._rngs: dict = {}
        self.district_floor = np.array([d.floor_share for d in scenario.districts], dtype=float)
        self.district_pass = np.array([d.pass_prob_scale for d in scenario.districts], dtype=float)
        self.district_party = demand.district_party_posts(scenario)

    # -- random streams -------------------------------------------------------------
    def rng(self, mechanism: str) -> np.random.Generator:
        key = (mechanism, self.yi)
        g = self._rngs.get(key)
        if g is None:
            g = self._rngs[key] = self.streams.get(mechanism, self.yi)
        return g

    # -- the calendar ----------------------------------------------------------------
    def run(self) -> np.ndarray:
        """Simulate every year; returns metric values, shape (years, metrics)."""
        sc = self.sc
        env = simpy.Environment(initial_time=sc.start_year)
        self.yi, self.y, self.t_paid = 0, sc.start_year, float(sc.start_year)
        env.process(self._frame(env))
        cal = sc.calendar
        for i, d in enumerate(cal.recruitment):
            env.process(self._stage(env, d, "recruitment", partial(self._recruit, round_index=i)))
        env.process(self._stage(env, cal.training, "training", self._train))
        env.process(self._stage(env, cal.exam, "exam", self._exam))
        env.process(self._stage(env, cal.assessment, "assessment", self._assess))
        env.process(self._stage(env, cal.promotion, "promotion", self._promote))
        env.run()
        return self.out

    def _frame(self, env):
        for yi in range(self.sc.years):
            y = self.sc.start_year + yi
            yield _at(env, y, 100 * yi + RANKS["open"])
            self._open(yi, y)
            yield _at(env, y + 1, 100 * yi + RANKS["close"])
            self._close()

    def _stage(self, env, date: float, stage: str, action):
        # pay accrues up to a stage that changes what workers earn; recruitment only adds
        # rows (paid from their hire instant) and training changes no pay, so accrual
        # runs on over them in one interval
        changes_pay = stage not in ("recruitment", "training")
        for yi in range(self.sc.years):
            y = self.sc.start_year + yi
            yield _at(env, y + date, 100 * yi + RANKS[stage])
            t = env.now
            if changes_pay:
                self._accrue(t)
            action(t)

    # -- stages -----------------------------------------------------------------------
    def _open(self, yi: int, y: int) -> None:
        sc, pop = self.sc, self.pop
        self.yi, self.y = yi, y
        self.p = p = self.P[yi]
        counted = ("rated", "elimination_base") + tuple(f"rated_{g}" for g in M.RATED_WORDS)
        self.flows = dict.fromkeys(FLOW_METRICS + counted, 0.0)  # (the others are reported as shares, rates)
        self.acc = pay.accumulators(self.nd)
        self.recruited = recruitment.YearSoFar.start(p.recruitment)  # the year's rounds share its limits
        d = p.demand
        if yi == 0:
            self.wage_last = sc.economy.average_wage
            self.rural_income_last = sc.economy.rural_disposable_income
            self.wage_index = 1.0
            self.price_index = self._start_price_index()
            self.residents = sc.demand.urban_residents
            self.pph = d.persons_per_household
            self.comm = demand.initial(sc.districts, self.residents, self.pph,
                                       sc.demand.households_spread, self.rng("demand"))
        else:
            self.wage_last *= 1 + self.P[yi - 1].economy.average_wage_growth
            self.rural_income_last *= 1 + self.P[yi - 1].economy.rural_disposable_income_growth
            self.wage_index *= 1 + (self.P[yi - 1].economy.average_wage_growth if sc.pay.index_to_wage
                                    else p.pay.growth)
            self.price_index *= 1 + p.economy.inflation
            old_h = self.residents / self.pph if self.residents > 0 else 1.0
            self.residents *= 1 + d.residents_growth
            self.pph = d.persons_per_household
            new_h = self.residents / self.pph if self.residents > 0 else 1.0
            demand.grow(self.comm, new_h / old_h)
        ps = sc.population
        touched = None
        party_before = self.comm.party_posts.copy()  # a rise (a schedule) is held by staff, as below
        if sc.demand.split_above > 0 or sc.demand.merge_below > 0:
            c = self.comm
            above, below = sc.demand.split_above, sc.demand.merge_below
            splits = above > 0 and bool((c.alive & demand.exceeds(c.households, above)).any())
            merges = below > 0 and bool((c.alive & demand.short_of(c.households, below)).any())
            f = demand.split_and_merge(c, sc.demand.split_above, sc.demand.merge_below, pop.community,
                                       pop.post, pop.exit_time > y if splits or merges else None, pop.score,
                                       (ps.heads_per_community, ps.committee_per_community))
            touched = f.pop("touched")
            self.flows.update(f)
        leaders = ps.heads_per_community + ps.committee_per_community
        demand.set_posts(self.comm, d, self.residents, leaders, self.district_party)
        rose = np.flatnonzero(self.comm.party_posts[:len(party_before)] > party_before)
        if len(rose):
            touched = rose if touched is None else np.union1d(touched, rose)
        if yi > 0 and touched is not None:  # (the starting workforce is placed after year 0's splits)
            demand.hold_party_posts(self.comm, touched, pop.community, pop.post, pop.party, pop.hire_time,
                                    pop.exit_time > y)
        self.payyear = pay.PayYear(p.pay, self.wage_index, self.wage_last, self.district_floor,
                                   districts=sc.districts,
                                   benchmarks={"rural_disposable_income": self.rural_income_last})
        if yi == 0:
            self._initial_workforce()
        pop.trained[:] = False
        rows = slice(0, pop.n)  # leavers were dropped at the last close: everyone is active
        self.headcount_open = pop.n
        self._schedule_exits(rows, float(y))

    def _start_price_index(self) -> float:
        """Prices of the start year relative to the base year's (``economy.price_base_year``),
        from each year's own inflation (year ``y``'s rate takes prices from ``y - 1`` to
        ``y``); for years outside the horizon, the first year's rate (before the start) or
        the last year's (after the end). A horizon cut short (``--set years=N``) reads the
        scenario's own rates for the years after it, up to the end of the horizon its files
        give (an uncertain rate as this replication draws it), so that its years' constant
        prices are those of the whole horizon."""
        sc, P = self.sc, self.P
        start, end = sc.start_year, sc.end_year
        base = sc.economy.price_base_year or start
        if base <= start:
            return (1 + P[0].economy.inflation) ** (start - base)
        rates = [P[y - start].economy.inflation for y in range(start + 1, min(base, end) + 1)]
        written_start, written_years = sc.horizon_written
        cut = written_start == start and isinstance(written_years, int) and written_years > sc.years
        if base > end and cut:
            later = np.arange(end + 1, min(base, start + written_years - 1) + 1)
            rates += [float(x) for x in sc.economy.inflation.sample(later, "economy.inflation", self.streams)]
        index = 1.0
        for r in rates:
            index /= 1 + r
        last = rates[-1] if rates else P[-1].economy.inflation
        return index / (1 + last) ** max(base - (start + len(rates)), 0)

    def _initial_workforce(self) -> None:
        """The workers in post on 1 January of the first year.

        The draws come from the ``initial`` stream, each attribute over all rows in turn
        (age, tenure, sex, cadre, education, certificate, birthday, ability, tie-break, and
        last year's grade, :func:`assessment.last_years_scores`, where a rule reads it before
        the first assessment: :meth:`_reads_last_years_grades`). New ages for those past the
        statutory retirement age (:meth:`_below_retirement_age`), then new tenures for those
        it would have hired too young (:meth:`_hired_as_adults`), are drawn from their own
        stream once the birthdays are known, before anything is derived from tenure. The
        ``initial`` draws are made into two float columns of the new rows that are written
        only afterwards (``retire_at`` by :meth:`_entered`, ``exit_time`` reset to +inf
        here), and everything derived from them is worked out in row chunks
        (:func:`row_chunks`), so a national workforce needs no whole-array temporaries of
        float64 (memory written for the first time is slow on a fresh virtual machine: see
        benchmarks/README.md).

        Posts: in each community the longest-serving workers hold the head posts, then the
        committee posts, then its party-building staff posts (ties in tenure at random);
        the others are staff. A roster's posts (:mod:`model.roster`) come first: its heads
        dealt to a community's head rows hold the head posts, then its leaders in committee
        rows the committee posts, before anyone else. A certificate held at the start dates
        from the year before the start (``level_since``; the start year for a worker with
        tenure 0)."""
        sc, pop, comm = self.sc, self.pop, self.comm
        ps = sc.population
        rng = self.rng("initial")
        y = sc.start_year
        roster = sc.roster
        share = self.P[0].population.filled_share
        if roster is not None:
            per_c = self._roster_places(roster)
        elif ps.headcount > 0:
            per_c = largest_remainder(ps.headcount, comm.posts)
        elif share < 1:
            per_c = largest_remainder(int(half_up(share * comm.posts.sum())), comm.posts)
        else:
            per_c = comm.posts
        k = int(per_c.sum())
        check_size(k, "people", "workers at the start", y,
                   "population.headcount" if ps.headcount > 0
                   else "population.filled_share" if share < 1
                   else "demand.posts_per_community" if sc.demand.rule == "fixed" else "demand.urban_residents",
                   "check the starting headcount, or the staffing rule and residents that set the posts")
        pop.reserve(capacity_for(k))
        rows = pop.add(k)
        chunks = row_chunks(slice(0, k))
        col = SimpleNamespace(**{name: getattr(pop, name)[rows] for name in (
            "uid", "birth", "female", "cadre", "hire_year", "hire_time", "education", "level",
            "level_since", "community", "ability", "score", "post", "party", "grade", "grade_since",
            "rating")})
        col.community[:] = np.repeat(np.arange(len(comm), dtype=col.community.dtype), per_c)
        c = col.community
        u, v = pop.retire_at[rows], pop.exit_time[rows]  # the draws' buffers (see above)
        age, tenure = np.empty(k, np.int16), np.empty(k, np.int16)
        each = kernels.in_threads  # chunks of rows are independent: they may go in threads
        for out, bands in ((age, ps.age), (tenure, ps.tenure)):
            rng.random(out=u)
            rng.random(out=v)

            def years(s, out=out, bands=bands):
                out[s] = bands_from_uniforms(bands, u[s], v[s])
            each(years, chunks)
        rng.random(out=u)
        np.less(u, ps.female_share, out=col.female)
        rng.random(out=u)
        np.less(u, ps.cadre_share, out=col.cadre)
        mixes = self.P[0].population  # the start year's education and certificate shares
        level = np.empty(k, np.int8)  # the city mix (a district with its own share redraws its levels)
        for out, shares in ((col.education, mixes.education), (level, mixes.certificate)):
            rng.random(out=u)

            def category(s, out=out, shares=shares):
                out[s] = shares_from_uniforms(shares, u[s])
            each(category, chunks)
        rng.random(out=u)  # birthdays

        def births(s):
            col.uid[s] = np.arange(s.start, s.stop, dtype=np.uint64)
            # whole years on 1 January (周岁): the next birthday on one of the 365 days after it
            col.birth[s] = y - age[s].astype(np.int64) - 1 + (np.floor(u[s] * 365) + 1) / 365
        each(births, chunks)
        given_grade = given_post = None  # a roster's grades (else from post, tenure, education, certificate)
        if roster is None:
            self._below_retirement_age(rows, age)
            self._hired_as_adults(rows, age, tenure)
        else:
            who = self._from_roster(roster, col, tenure, level)
            if roster.grade is not None:
                given_grade = roster.grade[who]
                given_post = None if roster.post is None else roster.post[who]

        def dates(s):
            t = tenure[s].astype(np.int64)
            col.hire_year[s] = y - t
            col.hire_time[s] = y - t
            col.level_since[s] = y - np.minimum(t, 1)
        each(dates, chunks)
        if roster is not None:
            col.hire_time[:] = roster.hire_time[who]  # the hire date itself, within its year
            given = roster.level_since[who]
            col.level_since[:] = np.where(given >= 0, given, col.level_since)
        rng.standard_normal(out=u)
        col.ability[:] = u
        col.score[:] = u
        rng.random(out=u)  # ties among the longest-serving
        key = np.negative(np.add(u, tenure, out=u), out=u)  # -(tenure + tie), in place
        if roster is not None and roster.post is not None:
            # the roster's leaders dealt to leader rows rank first for those posts (heads, then committee
            # members); whoever sits in a staff row competes by tenure, for party-building posts too
            from .roster import row_classes
            weight = float(tenure.max(initial=0)) + 2.0
            leaders = (ps.heads_per_community, ps.committee_per_community)
            key -= weight * np.minimum(roster.post[who], row_classes(c, leaders))
        col.level[:] = level
        # districts with their own starting certified share (levels as in the city mix)
        own = np.array([d.certified_share for d in sc.districts])
        if (own >= 0).any() and (roster is None or roster.level is None):
            rng.random(out=v)
            u_l = rng.random(k)
            for s in chunks:
                share = own[comm.district[c[s]]]
                lv = np.where(v[s] < share, shares_from_uniforms(mixes.certificate, u_l[s], at_least=1), 0)
                col.level[s] = np.where(share >= 0, lv, level[s])
            del u_l
        # leaders: the longest-serving in each community (ties at random)
        lead_m = int(ps.heads_per_community + ps.committee_per_community + comm.party_posts.max(initial=0))
        if kernels.ENABLED:
            rank = kernels.rank_top(c, key, lead_m, len(comm))
        else:
            rank = np.minimum(rank_within(c, key), lead_m)
        heads, comm_members = ps.heads_per_community, ps.committee_per_community
        g = self.P[0].grades
        step = max(math.ceil(g.step_years), 1)  # a step is due after whole years in grade (policies.grades)
        max_grade, min_grade = np.asarray(g.max_grade), np.asarray(g.min_grade)

        def posts_and_grades(s):
            r = rank[s]
            post = post_of_rank(r, heads, comm_members)
            col.post[s] = post
            col.party[s] = (post == 0) & (r - heads - comm_members < comm.party_posts[c[s]])
            # the level held (a district's own share redrew it)
            base = recruitment.entry_grade(g, col.education[s], col.level[s], post).astype(np.int64)
            # whole years of service from the first 1 January in post (a roster's hire date may
            # fall within its year): one step per `step` of them; time in grade is the service
            # since the last of those steps
            t = y - np.ceil(col.hire_time[s]).astype(np.int64)
            steps = t // step if sc.grades.enabled else np.zeros(len(t), np.int64)
            if given_grade is None:
                grade = base + steps
            else:  # the roster's; at least the post's lowest in a post above the roster's (as elections do)
                up = post > given_post[s] if given_post is not None else True
                grade = np.where(up, np.maximum(given_grade[s], min_grade[post]), given_grade[s])
            col.grade[s] = np.clip(grade, 1, max_grade[post]).astype(np.int8)
            col.grade_since[s] = y - (t - steps * step)
        each(posts_and_grades, chunks)
        self._entered(rows)  # the retirement buffer back to its meaning: the statutory instant
        if self._reads_last_years_grades():  # drawn last: a rule that reads them changes no other draw
            rng.random(out=v)
            a = self.P[0].assessment

            def last_year(s):  # the scores into the draws' buffer, which they replace
                v[s] = assessment.last_years_scores(a, v[s], col.ability[s], col.level[s] > 0)
                col.rating[s] = assessment.grades_from_scores(v[s], assessment.cuts(a.shares))
                col.score[s] = v[s]  # what ranks them until this year's assessment, as the rating
            each(last_year, chunks)
            assessment.cap_excellent(col.rating, v, slice(0, k), a.excellent_cap)  # the year's quota
        pop.exit_time[rows] = np.inf  # the exit buffer back to its meaning: active

    def _roster_places(self, roster) -> np.ndarray:
        """Starting workers per community for a roster (:mod:`model.roster`): in each
        district (or the city) its roster workers, in proportion to the communities' posts
        (largest remainder)."""
        comm = self.comm
        if roster.district is None:
            return largest_remainder(len(roster), comm.posts)
        per_c = np.zeros(len(comm), np.int64)
        counts = np.bincount(roster.district, minlength=len(self.sc.districts))
        for d, n in enumerate(counts):
            mine = np.flatnonzero(comm.district == d)
            per_c[mine] = largest_remainder(int(n), comm.posts[mine])
        return per_c

    def _from_roster(self, roster, col, tenure: np.ndarray, level: np.ndarray) -> np.ndarray:
        """The roster's workers into the starting rows (the rows' drawn attributes
        replaced by the roster's): which worker takes which row is drawn from the stream
        ``roster`` within each district (:func:`model.roster.deal`; with the roster's
        posts, its heads go one to a community's head post first, then its committee
        members). A woman the roster does not say is a cadre, but who would be past the
        retirement age of worker posts, holds a cadre post (she is in post). Returns the
        roster index of each row."""
        from .roster import deal
        sc, y = self.sc, self.sc.start_year
        order = self.rng("roster").permutation(len(roster))
        ps = sc.population
        who = deal(col.community, self.comm.district, roster.district, order, roster.post,
                   (ps.heads_per_community, ps.committee_per_community))
        col.birth[:] = roster.birth[who]
        col.female[:] = roster.female[who]
        tenure[:] = y - roster.hire_year[who]
        if roster.education is not None:
            col.education[:] = roster.education[who]
        if roster.level is not None:
            level[:] = roster.level[who]
        if roster.cadre is not None:
            col.cadre[:] = roster.cadre[who]
        elif roster.past_worker_age is not None:
            col.cadre[roster.past_worker_age[who]] = True
        return who

    def _hired_as_adults(self, rows: slice, age: np.ndarray, tenure: np.ndarray) -> None:
        """Nobody in post at the start was hired younger than ``population.min_hire_age``.

        Age and tenure come from separate mixes (``population.age``, ``population.tenure``):
        drawn independently, a 22-year-old could have served 20 years. A starting worker
        whose tenure is above their age less ``min_hire_age`` gets a tenure drawn again
        from the tenure bands truncated there (or that most, where the bands hold nothing
        below it), two uniforms each from the stream ``initial_tenure`` keyed by worker, so
        a change of ``min_hire_age`` redraws only the workers it concerns. The ``initial``
        stream's draws are unchanged; what derives from tenure (hire dates, posts, grades)
        follows it. Scenario validation keeps the age bands at or above ``min_hire_age``, and
        ``min_hire_age`` below every statutory retirement age, so that age - min_hire_age is
        never negative."""
        m = self.sc.population.min_hire_age
        if m <= 0:
            return
        most = np.subtract(age, m, dtype=np.int16)
        late = np.flatnonzero(tenure > most)
        if not len(late):
            return
        rng, ids = self.rng("initial_tenure"), self.pop.uid[rows][late]
        u, v = uniforms(rng, ids, 0), uniforms(rng, ids, 1)
        tenure[late] = truncated_draws(self.sc.population.tenure, u, v, np.maximum(most[late], 0))

    def _below_retirement_age(self, rows: slice, age: np.ndarray) -> None:
        """Nobody is in post past the statutory retirement age on the first day.

        A city's age mix (``population.age``) is for men and women together, and women
        may retire at 50 or 55: a starting worker whose retirement instant is at or
        before the start is given another age (``age`` and ``birth``), drawn from the same
        bands truncated at the oldest whole age at which they would still be in post (with
        the same birthday, sex and category); if the bands hold no such age, that oldest
        age. Their tenure is drawn afterwards (:meth:`_hired_as_adults` reads the new age).
        The draws, two uniforms for each such worker, come from the stream
        ``initial_tenure`` keyed by worker, so a population without any draws nothing and
        the ``initial`` stream is the same either way."""
        sc, pop, y = self.sc, self.pop, self.sc.start_year
        r = sc.retirement
        if not r.enabled:
            return
        lowest = lowest_age(r.rule, r.age_men, r.age_women)

        def statutory(birth, female, cadre):  # nationally some two million workers
            out = np.empty(len(birth))
            self._statutory_into(out, birth, female, cadre)
            return out
        older = rows.start + np.flatnonzero(age >= np.floor(lowest) - 1)  # who may be past it
        birth, female, cadre = pop.birth[older], pop.female[older], pop.cadre[older]
        retire = statutory(birth, female, cadre)
        past = retire <= y
        if not past.any():
            return
        late, retire = older[past], retire[past]
        birth, female, cadre = birth[past], female[past], cadre[past]
        now = age_on_1_january(birth, y).astype(np.int64)  # the age drawn
        day = birth - (y - 1 - now)  # the birthday's place in the year of birth (1: 1 January, a year on)

        def in_post(a, i):  # is age a (of the workers i) still in post on the first day?
            return statutory(y - a - 1 + day[i], female[i], cadre[i]) > y
        # a first guess from each worker's own statutory age (a younger birth cohort's is
        # never lower, so in post is monotone in age), then whole years down while not in
        # post and up while one year older still is: one or two passes over them
        months = (retire - birth) * 12
        oldest = np.minimum(np.ceil(months / 12 - 1 + day - 1e-6).astype(np.int64) - 1, now - 1)
        i = np.arange(len(late))
        while len(i):
            i = i[~in_post(oldest[i], i)]
            oldest[i] -= 1
        i = np.flatnonzero(oldest + 1 < now)
        while len(i):
            i = i[in_post(oldest[i] + 1, i)]
            oldest[i] += 1
            i = i[oldest[i] + 1 < now[i]]
        rng, ids = self.rng("initial_tenure"), pop.uid[late]
        new = truncated_draws(sc.population.age, uniforms(rng, ids, 2), uniforms(rng, ids, 3), oldest)
        age[late - rows.start] = new
        pop.birth[late] = y - new - 1 + day

    @cached_property
    def _sit_needs(self) -> np.ndarray:
        """The years of service to sit the exam in each simulated year, by education (the
        certificate deadline runs from the first year a worker may sit)."""
        return np.array([certification.years_to_sit(P.certification) for P in self.P])

    def _reads_last_years_grades(self) -> bool:
        """Whether a rule reads a starting worker's grade before the first assessment gives
        one: the annuity of workers rated excellent last year (pay accrues from 1 January),
        or grade steps and promotion out dated before the assessment. Only then are the
        starting workers' last-year grades drawn (4.3 million normal quantiles nationally).
        Their histories of unqualified years (``unq_consec``, ``unq_total``) start at zero
        either way, so that the exit rules do not depend on which rules read the grade."""
        sc = self.sc
        early = sc.pay.annuity_excellent or sc.calendar.promotion < sc.calendar.assessment
        return sc.assessment.enabled and early

    def _entered(self, rows: slice) -> None:
        """Fix the statutory retirement instant of new rows."""
        pop = self.pop
        if self.sc.retirement.enabled:  # (a national workforce enters at once)
            self._statutory_into(pop.retire_at[rows], pop.birth[rows], pop.female[rows], pop.cadre[rows])
        else:
            pop.retire_at[rows] = np.inf

    def _statutory_into(self, out, birth, female, cadre) -> None:
        """The statutory retirement instants of workers born at ``birth`` into ``out`` (arrays of
        one length, or views of the workforce's columns): the compiled kernel, in row chunks that
        may go in threads."""
        r = self.sc.retirement

        def part(s):
            retirement_time_into(out[s], birth[s], female[s], cadre[s], r.rule, r.age_men, r.age_women)
        kernels.in_threads(part, row_chunks(slice(0, len(out))))

    def _pay_ratio(self, rows) -> np.ndarray | None:
        if self.wage_last <= 0:
            return None
        pop, py = self.pop, self.payyear
        m = py.pay_of(pop.post[rows], pop.grade[rows], pop.level[rows], pop.community[rows], self.comm.district)
        return 12 * m / self.wage_last  # as metrics.annual_pay

    def _schedule_exits(self, rows: slice, t0: float) -> None:
        """Draw this year's quit, death and retirement instants for the rows ``rows`` (a
        slice: everyone at the year's start, or one round's hires) entering at ``t0``.

        The earliest of the statutory retirement birthday, a quit and a death is the exit
        (retirement wins a tie); see :mod:`model.policies.quits`."""
        k = rows.stop - rows.start
        if k <= 0:
            return
        pop, p, y, sc = self.pop, self.p, self.y, self.sc
        q = p.quits
        quits_on = sc.quits.enabled
        pay_on = quits_on and q.pay_elasticity > 0 and self.wage_last > 0
        if kernels.ENABLED:  # writes the rows' exit instants, causes and quit probabilities
            key_q = np.uint64(self.rng("quits").key)
            key_d = np.uint64(self.rng("deaths").key if q.death_rate > 0 else 0)

            def exits(part):  # a part of `rows`, in the workforce's numbering
                r = slice(rows.start + part.start, rows.start + part.stop)
                monthly = (self.payyear.pay_of(pop.post[r], pop.grade[r], pop.level[r], pop.community[r],
                                               self.comm.district) if pay_on else np.zeros(0))
                kernels.competing_exits(
                    float(t0), float(y), pop.hire_year[r], bool(sc.retirement.enabled), pop.retire_at[r],
                    np.asarray(q.tenure_bands, dtype=np.int64), np.asarray(q.rate, dtype=float), bool(quits_on),
                    key_q, float(q.death_rate), key_d, pop.uid[r],
                    bool(pay_on), float(q.pay_elasticity), float(q.reference_pay_ratio), monthly,
                    float(self.wage_last), pop.exit_time[r], pop.exit_cause[r], pop.quit_prob[r])
            kernels.over_rows(k, exits)
            return
        none = np.zeros(0)
        uid = pop.uid[rows]
        u_quit = uniforms(self.rng("quits"), uid) if quits_on else none
        u_death = uniforms(self.rng("deaths"), uid) if q.death_rate > 0 else none
        ratio = self._pay_ratio(rows) if pay_on else None
        retire = pop.retire_at[rows] if sc.retirement.enabled else none
        tenure = y - pop.hire_year[rows]
        end = y + 1.0
        t = np.full(k, np.inf)
        cause = np.zeros(k, dtype=np.int8)
        if len(retire):
            tr = np.maximum(retire, t0)
            due = tr < end
            t[due], cause[due] = tr[due], RETIRED
        pop.quit_prob[rows] = 0.0
        if len(u_quit):
            qp = quits.quit_probability(q, tenure, ratio)
            pop.quit_prob[rows] = qp
            tq = quits.times_from_uniforms(qp, u_quit, y, t0)
            first = tq < t
            t[first], cause[first] = tq[first], QUIT
        if len(u_death):
            td = quits.times_from_uniforms(np.full(k, q.death_rate), u_death, y, t0)
            first = td < t
            t[first], cause[first] = td[first], DEATH
        pop.exit_time[rows] = t
        pop.exit_cause[rows] = cause

    def _accrue(self, t: float) -> None:
        if t > self.t_paid:
            pay.accrue(self.pop, self.payyear, self.t_paid, t, self.acc, self.comm.district, self.nd)
            self.t_paid = t

    def _add(self, counts: dict) -> None:
        for k, v in counts.items():
            self.flows[k] = self.flows.get(k, 0.0) + v

    def _recruit(self, t: float, round_index: int = 0) -> None:
        p = self.p
        if not p.recruitment.enabled:
            return
        expected, due = 0.0, None
        if p.recruitment.anticipate_exits:
            # the exits expected in the rest of the year: those who reach their statutory
            # retirement instant before year end, in their communities (each leaves by
            # then, retiring or quitting first), and of the others the chance that a quit
            # or a death comes before year end, given that none came since they entered
            # the year (quits.times_from_uniforms: an exit with annual probability q falls
            # at a uniform instant of the year, and counts only after the entry, so a
            # worker who entered at e and is still here at t quits in [t, y + 1) with
            # probability q (y + 1 - t) / (1 - q (t - e)); quit probabilities by tenure
            # band and pay, fixed when the worker entered the year)
            pop = self.pop
            act = pop.active(t)
            if p.retirement.enabled:
                retiring = act & (pop.retire_at < self.y + 1.0)
                n = len(self.comm)
                due = np.stack([np.bincount(pop.community[retiring], minlength=n),
                                np.bincount(pop.community[retiring & pop.party], minlength=n)])
                act &= ~retiring
            left = self.y + 1.0 - t
            stayed = t - np.maximum(pop.hire_time[act], float(self.y))  # in [0, t - y]: below 1
            q, d = pop.quit_prob[act], p.quits.death_rate
            no_exit = (1.0 - q * left / (1.0 - q * stayed)) * (1.0 - d * left / (1.0 - d * stayed))
            expected = float(np.sum(1.0 - no_exit, dtype=np.float64))
        rows, counts = recruitment.apply(self.pop, self.comm, p.recruitment, p.grades,
                                         self.rng("recruitment"), t, self.y, expected, self.yi, round_index,
                                         self.recruited, due)
        self._entered(rows)
        self._schedule_exits(rows, t)
        self.flows["unfilled_posts"] = 0.0  # unfilled posts are those left at the last round
        self._add(counts)

    def _train(self, t: float) -> None:
        if self.sc.training.enabled:
            self._add(training.apply(self.pop, self.p.training, self.rng("training"), t, self.y))

    def _exam(self, t: float) -> None:
        if self.sc.certification.enabled:
            scale = self.district_pass[self.comm.district] if (self.district_pass != 1.0).any() else None
            self._add(certification.apply(self.pop, self.p.certification, self.p.grades,
                                          self.rng("certification"), t, self.y, scale))

    def _assess(self, t: float) -> None:
        sc, p, pop = self.sc, self.p, self.pop
        if sc.assessment.enabled:
            self._add(assessment.apply(pop, p.assessment, self.rng("assessment"), t))
            pay.settle_performance(pop, self.payyear, pop.active(t), None, self.acc, self.comm.district, self.nd)
        if sc.dismissal.enabled:
            exam, needs = (p.certification, self._sit_needs) if sc.certification.enabled else (None, None)
            dismissal.apply(pop, p.dismissal, t, exam, needs, sc.start_year)
        if sc.elimination.enabled:
            self._add(elimination.apply(pop, p.elimination, t, self.comm.district, self.nd))
        if sc.service_terms.enabled:
            service_terms.apply(pop, p.service_terms, self.rng("service_terms"), t, self.y)

    def _promote(self, t: float) -> None:
        sc, p, pop = self.sc, self.p, self.pop
        if sc.degrees.enabled:
            exam = p.certification if sc.certification.enabled else None
            # the next exam: this year's if dated after the promotion (on the same date, the exam first)
            next_exam = self.y if sc.calendar.exam > sc.calendar.promotion else self.y + 1
            self._add(degrees.apply(pop, p.degrees, p.grades, self.rng("degrees"), t, self.y, exam,
                                    self._sit_needs if exam is not None else None, sc.start_year, next_exam,
                                    self.comm.district, self.nd))
        if sc.promotion_out.enabled:
            promotion_out.apply(pop, p.promotion_out, self.rng("promotion_out"), t)
        if sc.elections.enabled:
            self._add(elections.apply(pop, p.elections, sc.population.heads_per_community,
                                      sc.population.committee_per_community, len(self.comm),
                                      np.asarray(p.grades.min_grade), t, self.y, self.comm.alive))
        if sc.grades.enabled:
            self._add(grades.apply(pop, p.grades, self.rng("grades"), t, self.y))

    def _district_costs(self, counts) -> dict:
        """Each district's worker-years, total cost and who pays it, as the city's
        (:func:`metrics.funding_split`, per district): its payroll, the training of its
        workers trained this year and the recruitment of this year's hires (the year-end
        ``counts`` of :func:`metrics.year_end`), and its communities' work funds."""
        comm, p, nd, acc = self.comm, self.p, self.nd, self.acc
        trained, hired = counts.trained_d, counts.new_d
        fund, alive = p.funding, comm.alive
        funds = np.bincount(comm.district[alive], minlength=nd,
                            weights=np.where(comm.urban[alive], fund.work_fund_urban, fund.work_fund_rural))
        degrees_d = self.flows.get("degrees_d", 0)  # (none where nobody earns a degree)
        total = (acc["_payroll_district"] + trained * p.training.cost_per_trainee
                 + hired * p.recruitment.cost_per_hire + degrees_d * p.degrees.cost_per_degree + funds)
        city, province, rest = M.funding_split(total, acc["_worker_years_district"], fund)
        return {"worker_years": acc["_worker_years_district"], "total_cost": total,
                "funding_city": city, "funding_province": province, "funding_district": rest}

    def _close(self) -> None:
        sc, pop, p, y = self.sc, self.pop, self.p, self.y
        end = y + 1.0
        self._accrue(end)
        leaver = pop.exit_time <= end
        pay.settle_performance(pop, self.payyear, np.ones(pop.n, dtype=bool), leaver, self.acc,
                               self.comm.district, self.nd)
        f, acc = self.flows, self.acc
        counts = M.year_end(pop, self.comm, y, end, sc.metrics.certified_k_level, sc.metrics.certified_k,
                            self.payyear, self.comm.district, self.nd, first_new=self.headcount_open)
        graded = sc.grades.enabled or self.payyear.by_grade  # grades count: a ladder, or pay by grade
        out = M.snapshot(counts, y, end, self.residents, self.wage_last, graded)
        paid = acc.get("_payroll_district", np.zeros(0))
        by_district = self._district_costs(counts) if self.nd else None
        held = sc.elimination.enabled and p.elimination.share > 0
        none = np.zeros(self.nd, np.int64)
        eliminated = (f.get("eliminated_d", none), f.get("elimination_base_d", none), held)
        out.update(M.scoped(sc, counts, self.residents, self.wage_last, paid, by_district, eliminated))
        causes = counts.causes
        for i, c in enumerate(CAUSES[1:], start=1):
            out[f"exits_{c}"] = int(causes[i])
        out["exits_total"] = int(causes[1:].sum())
        out["exit_rate"] = out["exits_total"] / self.headcount_open if self.headcount_open else float("nan")
        base = f["elimination_base"]
        out["elimination_rate"] = M.elimination_rate(out["exits_eliminated"], base, held)
        for g in M.RATED_WORDS:
            out[f"rated_{g}_share"] = f[f"rated_{g}"] / f["rated"] if f["rated"] else float("nan")
        for k in FLOW_METRICS:
            out[k] = f[k]
        for k in M.PAYROLL_PARTS + ("worker_years",):
            out[k] = acc[k]
        out["payroll"] = sum(acc[k] for k in M.PAYROLL_PARTS)
        wy = acc["worker_years"]
        out["payroll_per_worker_year"] = out["payroll"] / wy if wy > 0 else float("nan")
        fund = p.funding
        urban = self.comm.urban[self.comm.alive]
        out["cost_work_funds"] = float(urban.sum() * fund.work_fund_urban + (~urban).sum() * fund.work_fund_rural)
        total = (out["payroll"] + out["cost_training"] + out["cost_recruitment"] + out["cost_degrees"]
                 + out["cost_work_funds"])
        out["total_cost"] = total
        if by_district is None:
            city, prov, rest = (float(x) for x in M.funding_split(total, acc["worker_years"], fund))
        else:  # the subsidy capped at each district's cost, as the districts are funded; each
            # source the districts' sum (the rest too: a district whose subsidy covers its cost pays
            # exactly 0, where the city's total less the other two sums could fall below 0 by rounding)
            city, prov, rest = (float(by_district[f"funding_{k}"].sum())
                                for k in ("city", "province", "district"))
        out["funding_city"], out["funding_province"], out["funding_district"] = city, prov, rest
        out["payroll_real"] = out["payroll"] / self.price_index
        out["total_cost_real"] = total / self.price_index
        row = self.out[self.yi]
        for k, v in out.items():
            row[self.index[k]] = v
        pop.keep(~leaver)


def run_replication(scenario, seed: int, rep: int) -> np.ndarray:
    """Metric values of replication ``rep``, shape (years, metrics)."""
    try:
        return Replication(scenario, seed, rep).run()
    except UserError as caught:  # found while running (a runaway workforce): name where its field was set
        # simpy hands on a process's exception as a copy made from its message alone; the
        # original, with its field, is the copy's cause
        e = caught.__cause__ if isinstance(caught.__cause__, UserError) else caught
        if e.file is None and e.field and hasattr(scenario, "where"):
            e.file, e.line = scenario.where(e.field)
        if e.file is None and getattr(scenario, "path", None) is not None:
            e.file = str(scenario.path)
        raise e from None
