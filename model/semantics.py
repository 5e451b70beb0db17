"""Checks a schema cannot make: contradictions between fields, caught before running.

:func:`check` runs after every field has passed its own type and range check. Each
message names the field to change, says what is inconsistent and how to fix it. A
scenario that passes runs without silently doing nothing (a rule no one can meet, a
target that cannot be measured).
"""

from __future__ import annotations

import math

import numpy as np

from . import metrics, population
from .params import Constant, Schedule, Uncertain, parse_key
from .policies import demand
from .policies.contribution_base import fund_bounds, insurance_cap
from .policies.retirement_age import retirement_time, statutory_age_months
from .sampling import half_up

FIRST_CALENDAR_YEAR = 1949
"""Fields that name a calendar year (not a count of years) must be 0 (never) or at least this."""

BOUNDED_SHARE_UNITS = ("share", "share of communities")
"""Units of metrics that are fractions in [0, 1] (pay ratios are shares too, but may exceed 1,
and so may the exit rate, share/year: the year's hires who leave count among its exits)."""


def _bounds(x) -> list[np.ndarray]:
    """One point's extreme values: the point itself, or (with uncertain entries) every
    entry at its lowest and every entry at its highest possible value."""
    if isinstance(x, Uncertain):
        return [np.asarray(x.interval(0.0), dtype=float)]
    if isinstance(x, tuple) and any(isinstance(e, Uncertain) for e in x):
        return [np.asarray([e.interval(0.0)[side] if isinstance(e, Uncertain) else e for e in x], dtype=float)
                for side in (0, 1)]
    return [np.asarray(x, dtype=float)]


def _values(v):
    """Every number a parameter can take (schedule points, a distribution's bounds)."""
    if isinstance(v, Constant):
        return _bounds(v.value)
    if isinstance(v, Schedule):
        return [b for _, x in v.points for b in _bounds(x)]
    return _bounds(v)


def _max(v):
    return max(float(np.max(x)) for x in _values(v))


def _min(v):
    return min(float(np.min(x)) for x in _values(v))


def _by_year(v, years) -> np.ndarray:
    """A parameter's value in each simulated year (an uncertain value: its mean)."""
    if isinstance(v, (Constant, Schedule, Uncertain)):
        return v.resolve(years)
    return np.broadcast_to(np.asarray(v, dtype=float), (len(years),))


def _first_year(years, bad) -> int:
    return int(years[np.flatnonzero(bad)[0]])


def _oldest_retirement_age(r) -> float:
    """The highest statutory retirement age over the categories of workers."""
    if r.rule == "fixed":
        return max(r.age_men, r.age_women)
    # china2025: the ages once the transition is over (men 60 -> 63), for men, cadre and
    # worker women born long after it
    months = statutory_age_months(9999, 1, [False, True, True], [False, True, False])
    return float(months.max()) / 12


def check(sc, ck) -> None:
    """Raise a :class:`~model.errors.ScenarioError` (through ``ck.fail``) at the first contradiction."""
    fail = ck.fail
    years = sc.year_list
    _districts(sc, fail)
    _starting_ages(sc, fail)
    _rule_unset(sc, fail)
    _rule_inherited(sc, fail)
    _staffing(sc, fail, years)
    _recruitment(sc, fail, years)
    _assessment_rules(sc, fail)
    _elimination(sc, fail)
    _calendar_years(sc, fail, ck.within_written)
    _quits(sc, fail)
    _pay(sc, fail, years)
    _targets(sc, fail, ck.within_written)


def _districts(sc, fail) -> None:
    d = sc.demand
    if sc.implicit_district:
        return
    names = [x.name for x in sc.districts]
    for i, n in enumerate(names):
        if n in names[:i]:
            fail(f"districts[{i}].name", f"district '{n}' is named twice; give each district its own name")
        if n in ("urban", "rural") or not n.replace("_", "").isalnum() or not n.isascii() or not n.islower():
            fail(f"districts[{i}].name", f"{n!r}: use lower-case ASCII letters, digits and '_' (and not "
                 "'urban' or 'rural'), e.g. name = \"gulou\"; it becomes part of metric names")
    total = sum(x.communities for x in sc.districts)
    if total != d.communities:
        fail(("districts", "demand.communities"), f"the districts' communities add up to {total} but "
             f"demand.communities is {d.communities}; make them agree")


def _starting_ages(sc, fail) -> None:
    """The starting mixes' ages: not all past the retirement age, none younger than the
    youngest age at which one was hired (a roster replaces the mixes; its workers are
    checked as it is read, :mod:`model.roster`)."""
    ps = sc.population
    if ps.roster is not None:
        return
    youngest = min(b[0] for b in ps.age)
    r = sc.retirement
    oldest = _oldest_retirement_age(r) if r.enabled else float("inf")
    if youngest >= oldest:
        fail(("population.age", "retirement.rule", "retirement.age_men", "retirement.age_women"),
             f"every worker at the start is at least {youngest}, at or above the retirement age "
             f"({oldest:g}), so all would retire at once; give ages below it")
    if ps.min_hire_age > youngest:
        fail(("population.age", "population.min_hire_age"),
             f"starting workers may be {youngest}, younger than population.min_hire_age "
             f"({ps.min_hire_age}), the youngest age at which they were hired; start the age bands at "
             f"{ps.min_hire_age} or more, or lower min_hire_age")
    hit = _retires_by(sc, ps.min_hire_age, ps.female_share, ps.cadre_share)
    if hit:
        who, age, rule, most = hit
        fail(("population.min_hire_age", "population.female_share", "retirement.age_women"),
             f"starting workers were hired at {ps.min_hire_age} or older, but {who} retire at {age:.4g} "
             f"({rule}): one aged {ps.min_hire_age} on 1 January (whole years) may be up to a day short of "
             f"{ps.min_hire_age + 1} that day, which a retirement dated by calendar months may reach; lower "
             f"min_hire_age to at most {most}")

RULE_FIELDS = {
    "demand": {"fixed": ("posts_per_community",), "households": ("households_per_post",),
               "size_band": ("band_base", "band_limit", "band_step"), "per_10k": ("per_10k",)},
    "retirement": {"fixed": ("age_men", "age_women"), "china2025": ()},
}
"""The fields of a section that each of its rules (``section.rule``) reads, besides those
every rule reads."""


def threshold_problem(metric: str, threshold: float, observed: bool = False) -> str | None:
    """Why a target's threshold (or, ``observed``, an observed value) cannot be meant as
    written (a threshold below 0, which no metric is; a share's above 1, as 60 for 60%), or
    None. (calibrate refuses an observed value below 0 in its own words.)"""
    if threshold < 0 and not observed:  # every metric counts, shares, rates or sums money (model.metrics)
        return (f"threshold {threshold:g} for {metric}, which is never negative (a count, share, rate or sum "
                "of money): expected 0 or more")
    if metrics.unit(metric) not in BOUNDED_SHARE_UNITS or 0 <= threshold <= 1:
        return None
    if 1 < threshold <= 100:
        return (f"{metric} is a share between 0 and 1, so {threshold:g} cannot be "
                f"{'its value' if observed else 'met as meant'}; write {threshold / 100:g} for {threshold:g}%")
    return f"{metric} is a share between 0 and 1; give {'a value' if observed else 'a threshold'} in 0..1"


def unread_by_rules(sc) -> set[str]:
    """The paths of the rule fields that the scenario's rules do not read (and the starting
    mixes a roster replaces: :mod:`model.roster`; the share of posts filled that a starting
    headcount replaces)."""
    out = {f"{sec}.{f}" for sec, rules in RULE_FIELDS.items() for rule, fields in rules.items()
           if rule != getattr(sc, sec).rule for f in fields}
    if sc.population.headcount > 0:
        out.add("population.filled_share")
    roster = getattr(sc, "roster", None)
    if roster is not None:
        out |= {"population.headcount", "population.filled_share", "population.age", "population.tenure",
                "population.min_hire_age", "population.female_share"}
        given = (("education", roster.education), ("certificate", roster.level),
                 ("cadre_share", roster.cadre))
        out |= {f"population.{f}" for f, col in given if col is not None}
    return out


def _rule_unset(sc, fail) -> None:
    """A rule's own field set while the rule is not (a staffing rule's, the fixed
    retirement ages): the default rule would ignore it, which is never what the file meant."""
    for sec, rules in RULE_FIELDS.items():
        given = sc.given(sec)
        if "rule" in given:
            continue
        default = getattr(sc, sec).rule
        for rule, fields in rules.items():
            set_here = [f for f in fields if f in given]
            if rule != default and set_here:
                reads = ", ".join(f"{sec}.{f}" for f in rules[default]) or "the statutory ages"
                field = f"{sec}.{set_here[0]}"
                by_option = field in getattr(sc, "_overridden", {})  # --set: blamed on the option, not a file
                fail(field if by_option else f"{sec}.rule", f"{field} is set but {sec}.rule is not, and the "
                     f"default rule '{default}' ({reads}) ignores it; set {sec}.rule = \"{rule}\"")


def _unknown_scope(sc, scope: str, scopes) -> str:
    """Why a target's scope names no part of the city: the short name of two districts
    (江北 of 江北区 and 江北新区), or none; with the scopes there are, by name and label."""
    if not scopes:
        return f"unknown scope '{scope}'; scopes here: none (define [[districts]] first)"
    from .roster import short_names
    labels = {d.name: d.label_zh for d in sc.districts if d.label_zh}
    both = [lab for lab in labels.values() if scope.strip() in short_names(lab)]
    named = ", ".join(f"{s} ({labels[s]})" if s in labels else s for s in sorted(scopes))
    if len(both) > 1:
        return f"'{scope}' may be {' or '.join(both)}; write the district's whole name (scopes here: {named})"
    return f"unknown scope '{scope}'; scopes here: {named}"


def _rule_inherited(sc, fail) -> None:
    """A file that extends another and sets a rule's own field but not the rule, where the
    rule run is another (inherited, or set by a later file or --set): the field would be
    ignored (a new city extending example-city, whose rule is 'households', with only
    per_10k = 18). Refused naming that file and its line; the rule's own fields set by
    --set alone, likewise."""
    from pathlib import Path

    from .errors import ScenarioError
    from .scenario import field_line, file_data
    files = getattr(sc, "_files", ())
    set_by = getattr(sc, "_overridden", {})
    for sec, rules in RULE_FIELDS.items():
        run = getattr(sc, sec).rule
        owner = {f: rule for rule, fields in rules.items() for f in fields}  # each rule field's rule
        inherited, whence = None, None
        for i, (path, text) in enumerate(files):
            data = file_data(text).get(sec)
            own = data if isinstance(data, dict) else {}
            if "rule" in own:
                inherited, whence = own["rule"], Path(path).name
                continue
            if i == 0 or inherited is None:  # the first file, or the schema's default rule (_rule_unset)
                continue
            # a field the rule it inherits reads was right when written: a later switch of the rule
            # (a file, --set) leaves it unread, as it would a base file's own
            read = rules.get(run, ()) + rules.get(inherited, ())
            odd = [(f, owner[f]) for f in own if f in owner and f not in read]
            if odd:
                name, rule = odd[0]
                field = f"{sec}.{name}"
                how = (f"the rule it inherits from {whence}, '{run}', ignores it; set {sec}.rule = "
                       f"\"{rule}\" beside it (or leave the field out)" if run == inherited else
                       f"the rule run is '{run}' (set after it), which ignores it; leave the field out")
                raise ScenarioError(f"{Path(path).name} sets {field} but not {sec}.rule, and {how}",
                                    file=str(path), field=field, line=field_line(path, text, field))
        for key in set_by:
            parsed = parse_key(key.removesuffix("*"))  # pay.x@2026, x[1], x*: the field x
            path = parsed[0] if parsed else key
            name = path.removeprefix(f"{sec}.")
            if path.startswith(f"{sec}.") and name in owner and name not in rules.get(run, ()):
                fail(key, f"{key} is set, but the rule run, {sec}.rule = '{run}', ignores it; set "
                     f"{sec}.rule = \"{owner[name]}\" too, or leave the field out")


def _staffing(sc, fail, years) -> None:
    d, ps = sc.demand, sc.population
    if isinstance(ps.filled_share, Schedule):
        fail("population.filled_share", "a share of the posts held on the first day, so one value (or a "
             "drawn one), not a schedule by year")
    if ps.headcount > 0 and _min(ps.filled_share) < 1:
        fail(("population.filled_share", "population.headcount"),
             f"both set: the starting workforce is either population.headcount ({ps.headcount}) workers or "
             "a share of the posts (population.filled_share); set headcount = 0 to use the share, or leave "
             "filled_share out")
    leaders = ps.heads_per_community + ps.committee_per_community
    if d.rule == "fixed":
        posts = half_up(_by_year(d.posts_per_community, years))
        floor = half_up(_by_year(d.min_posts, years))
        over = floor > posts
        if over.any():  # posts given outright: a floor above them contradicts them
            y = _first_year(years, over)
            fail(("demand.min_posts", "demand.posts_per_community"),
                 f"demand.min_posts ({floor[over][0]:g}) is above the {posts[over][0]:g} posts per community "
                 f"that rule 'fixed' gives in {y}; raise demand.posts_per_community, or leave min_posts out")
        city = half_up(_by_year(d.min_party_posts, years))
        # the largest number in force each year over the districts
        party = demand.party_posts(demand.district_party_posts(sc)[:, None], city[None, :]).max(axis=0)
        over = leaders > posts
        if over.any():
            y = _first_year(years, over)
            fail(("population.committee_per_community", "population.heads_per_community",
                  "demand.posts_per_community", "demand.min_posts"),
                 f"heads ({ps.heads_per_community}) + committee members ({ps.committee_per_community}) per "
                 f"community exceed the {posts[over][0]:g} posts per community in {y}; lower them or raise "
                 "demand.posts_per_community")
        over = leaders + party > posts
        if over.any():
            y = _first_year(years, over)
            fail(("demand.min_party_posts", "demand.posts_per_community", "demand.min_posts"),
                 f"{party[over][0]:g} party-building staff posts + {leaders} head and committee posts exceed "
                 f"the {posts[over][0]:g} posts per community in {y}; lower min_party_posts or raise "
                 "demand.posts_per_community")
    if d.rule in ("households", "size_band", "per_10k") and d.urban_residents <= 0:
        fail(("demand.rule", "demand.urban_residents"),
             f"rule '{d.rule}' needs the urban resident population; set demand.urban_residents (persons)")
    if d.merge_below and d.split_above and d.merge_below * 2 >= d.split_above:
        fail(("demand.merge_below", "demand.split_above"),
             f"demand.merge_below ({d.merge_below:g}) must be less than half of demand.split_above "
             f"({d.split_above:g}), or the halves of a split community would merge again")
    if (d.split_above > 0 or d.merge_below > 0) and d.urban_residents <= 0:
        fail(("demand.split_above" if d.split_above > 0 else "demand.merge_below", "demand.urban_residents"),
             "communities split and merge by their households, which come from the urban resident "
             "population; set demand.urban_residents (persons)")


def _elimination(sc, fail) -> None:
    e = sc.elimination
    if e.enabled and _max(e.share) > 0 and _max(e.posts) <= 0.5:
        fail("elimination.posts", "covers no post class (all 0), so nobody could be eliminated; set 1 for "
             "the classes it applies to (staff, committee, heads), or elimination.enabled = false")
    o = sc.promotion_out
    if o.enabled and _promoted_out(o) and _max(o.posts) <= 0.5:
        fail("promotion_out.posts", "covers no post class (all 0), so nobody could be promoted out; set 1 "
             "for the classes eligible (staff, committee, heads), or promotion_out.enabled = false")


def _promoted_out(o) -> bool:
    """Whether promotion out takes anyone in some year (per_year, or a reserved share of a plan)."""
    return _max(o.per_year) > 0 or (_max(o.reserved_share) > 0 and _max(o.street_hiring_plan) > 0)


def _assessment_rules(sc, fail) -> None:
    """Rules that read the year's assessment need one, and the workers it rates must have
    served before it."""
    cal = sc.calendar
    if sc.elimination.enabled and _max(sc.elimination.share) > 0 and not sc.assessment.enabled:
        fail(("elimination.enabled", "assessment.enabled"), "bottom-ratio elimination removes the lowest "
             "assessment scores, and the assessment is off; switch the assessment on, or elimination off")
    if sc.recruitment.enabled and sc.assessment.enabled and cal.assessment in cal.recruitment:
        fail(("calendar.recruitment", "calendar.assessment"),
             f"a recruitment round at {cal.assessment:g}, the assessment's instant, would have its hires "
             "rated (and dismissed by the exit rules) the day they start; date the round before the "
             "assessment, or at 0 (1 January) for hires who start the next year")
    elif sc.recruitment.enabled and 1.0 in cal.recruitment:
        fail("calendar.recruitment", "a recruitment round at 1 (the end of 31 December) would hire workers "
             "who serve no day of the year but count among its hires and headcount, and enter the next "
             "year with a year of service; date it 0 (1 January) for hires who start the next year, or "
             "earlier in December")


def _recruitment(sc, fail, years) -> None:
    rec = sc.recruitment
    if not rec.enabled:
        return
    exempt = _max(rec.exempt_share) > 0
    youngest = min(b[0] for b in rec.age)
    if exempt:
        youngest = min(youngest, min(b[0] for b in (rec.exempt_age or rec.age)))
    # the most permissive age limit: the main one, the exempt stream's, certificate holders'
    # (where some applicant holds a certificate at its level)
    max_age = _by_year(rec.max_age, years)
    level = rec.max_age_certified_level
    held = [rec.certificate]
    if exempt and rec.exempt_certificate is not None:
        held.append(rec.exempt_certificate)
    if any(v[level:].sum() > 0 for mix in held for v in _values(mix)):
        max_age = np.maximum(max_age, _by_year(rec.max_age_certified, years))
    if exempt:
        max_age = np.maximum(max_age, _by_year(rec.exempt_max_age, years))
    low = max_age < youngest
    if low.any():
        y = _first_year(years, low)
        fail(("recruitment.max_age", "recruitment.age", "recruitment.max_age_certified",
              "recruitment.exempt_max_age", "recruitment.exempt_age"),
             f"the hiring age limit ({max_age[low][0]:g} in {y}) is below the youngest applicant "
             f"({youngest}), so no one could be hired; raise max_age or lower recruitment.age")
    _applicants_below_retirement(sc, fail, exempt)
    campaigns = float(np.sum(_by_year(rec.extra_hires, years)))
    if campaigns > population.MAX_PEOPLE:
        fail("recruitment.extra_hires", f"the campaigns add up to {campaigns:,.0f} hires over "
             f"{years[0]}-{years[-1]}, more than this model holds in one replication "
             f"({population.MAX_PEOPLE:,}); give the number of hires a year on top of vacancies")
    if _max(rec.min_education) > 0:
        for v in _values(rec.education):
            if v[half_up(_max(rec.min_education)):].sum() <= 0:
                fail(("recruitment.min_education", "recruitment.education"), "no applicant has the "
                     "required education; change recruitment.education or min_education")
    req = rec.certificate_required_from
    mixes = list(_values(rec.certificate))
    if exempt and rec.exempt_certificate_required:
        mixes += list(_values(rec.exempt_certificate)) if rec.exempt_certificate is not None else []
    uncertified_allowed = exempt and not rec.exempt_certificate_required
    if req and req <= sc.end_year and not uncertified_allowed and all(v[1:].sum() <= 0 for v in mixes):
        fail(("recruitment.certificate", "recruitment.certificate_required_from"),
             f"certificates are required from {req} but no applicant holds one; "
             "give recruitment.certificate a share above 0 at some level")


def _oldest_applicants(rec, exempt: bool) -> list[tuple[float, str]]:
    """The oldest age at which each stream of applicants may be hired, and the field that
    sets it: the stream's oldest age band, capped by its age limit (an uncertain or
    scheduled limit at its highest), or by the certificate holders' limit where the stream
    has holders at that level (as :func:`model.policies.recruitment.branches` reads them)."""
    streams = [("recruitment.age", rec.age, "recruitment.max_age", _max(rec.max_age), rec.certificate)]
    if exempt:
        limit = max(_max(rec.max_age), _max(rec.exempt_max_age))
        cert = rec.exempt_certificate if rec.exempt_certificate is not None else rec.certificate
        bands_field = "recruitment.exempt_age" if rec.exempt_age else "recruitment.age"
        limit_field = ("recruitment.exempt_max_age" if _max(rec.exempt_max_age) > _max(rec.max_age)
                       else "recruitment.max_age")
        streams.append((bands_field, rec.exempt_age or rec.age, limit_field, limit, cert))
    certified, level = _max(rec.max_age_certified), round(_max(rec.max_age_certified_level))
    out = []
    for band_field, bands, limit_field, limit, cert in streams:
        if certified > limit and any(v[level:].sum() > 0 for v in _values(cert)):
            limit, limit_field = certified, "recruitment.max_age_certified"
        top = max(b[1] for b in bands)
        out.append((top, band_field) if top <= limit else (limit, limit_field))
    return out


def _applicants_below_retirement(sc, fail, exempt: bool) -> None:
    """No applicant may be hired at or past the statutory retirement age of their group
    (:func:`_retires_by`, by the applicants' shares of women and of cadre posts): such a
    hire would retire the instant they are hired."""
    rec = sc.recruitment
    for oldest, field in _oldest_applicants(rec, exempt):
        hit = _retires_by(sc, oldest, rec.female_share, rec.cadre_share)
        if hit:
            who, age, rule, most = hit
            fail(field, f"applicants may be {oldest:g} when hired (in whole years: up to a day short of "
                 f"{oldest + 1:g}, which a retirement dated by calendar months may reach), but {who} retire "
                 f"at {age:.4g} ({rule}); a hire at or past the retirement age would retire the instant "
                 f"they are hired: make {field} at most {most}")


REACH = 1.0
"""How far past a whole age a drawn worker is taken to reach on the day it is counted (1
January for a starting worker, the hiring day for a hire). The next birthday falls on one of
the 365 days after it, so 364/365 by the year's arithmetic; but retirement is dated by
calendar months (:func:`model.policies.retirement_age.retirement_time`), which a leap
February makes a day shorter than a twelfth of a year: with 364/365 a hire at the oldest
age allowed could reach the retirement date on the hiring day (a review found 42 of 20,000
hired on 29 February 2028). A whole year keeps a margin."""


def _retires_by(sc, oldest: float, female_share: float, cadre_share: float) -> tuple | None:
    """The first group with its own statutory retirement age (men; women; under the 2025
    reform women in cadre and in worker posts, as the shares have them) in which a person
    of whole age ``oldest`` in the first year may be at or past that age: ``(who, age,
    the rule's field, the oldest whole age that may not)``; None if in none (or retirement
    is off). An age ``A`` is ``A`` whole years (周岁) and a part of a year, the next birthday
    on one of the 365 days after that instant; the age ``S`` is taken to be reachable when
    ``A + REACH >= S`` (:data:`REACH`). Under the reform ``S`` grows with the year of birth,
    so the check is for the oldest, born earliest."""
    r = sc.retirement
    if not r.enabled:
        return None
    groups = []  # (who, female, cadre)
    if female_share < 1:
        groups.append(("men", False, False))
    if female_share > 0:
        if r.rule == "fixed":
            groups.append(("women", True, True))
        else:
            if cadre_share > 0:
                groups.append(("women in cadre posts", True, True))
            if cadre_share < 1:
                groups.append(("women in worker posts", True, False))
    born = sc.start_year - int(np.ceil(oldest)) - 1
    for who, female, cadre in groups:
        retire = retirement_time([float(born)], [female], [cadre], r.rule, r.age_men, r.age_women)
        age = float(retire[0]) - born
        if oldest + REACH > age - 1e-9:
            rule = (f"retirement.age_{'women' if female else 'men'}" if r.rule == "fixed"
                    else f"retirement.rule = 'china2025', for those born in {born}")
            return who, age, rule, math.ceil(age - REACH - 1e-9) - 1
    return None


def _calendar_years(sc, fail, cut_off=lambda year: False) -> None:
    """Fields naming calendar years: plausible years, and lists that reach the horizon (or
    ``cut_off``: the years after the end of a horizon an override cut short, within the
    files' own)."""
    start, end = sc.start_year, sc.end_year
    singles = (("recruitment.certificate_required_from", sc.recruitment.certificate_required_from),
               ("dismissal.certificate_deadline_from", sc.dismissal.certificate_deadline_from),
               ("economy.price_base_year", sc.economy.price_base_year))
    for path, y in singles:
        if y and y < FIRST_CALENDAR_YEAR:
            fail(path, f"{y} is not a calendar year; give the year (e.g. {start}), or 0 for none")
    lists = (("elections.years", sc.elections.years, sc.elections.enabled, "set elections.enabled = false"),
             ("recruitment.freeze_years", sc.recruitment.freeze_years, sc.recruitment.enabled,
              "give none (recruitment.freeze_years = [])"),
             ("service_terms.term_end_years", sc.service_terms.term_end_years, sc.service_terms.enabled,
              "set service_terms.enabled = false"))
    for path, ys, enabled, remedy in lists:
        for y in ys:
            if y < FIRST_CALENDAR_YEAR:
                fail(path, f"{y} is not a calendar year; list years such as {start}, {start + 5}")
        if enabled and ys and not any(start <= y <= end or cut_off(y) for y in ys):
            fail((path, "years", "start_year"),
                 f"none of {', '.join(map(str, ys))} falls within {start}-{end}, so this never happens; "
                 f"list the years within the horizon, or {remedy}")
    ps = sc.population
    if (sc.elections.enabled and sc.elections.years
            and ps.heads_per_community + ps.committee_per_community == 0):
        fail("elections.years", "elections fill head and committee posts, but there are none "
             "(population.heads_per_community and committee_per_community are 0); set them, or remove "
             "the election years")


def _quits(sc, fail) -> None:
    q = sc.quits
    if list(q.tenure_bands) != sorted(set(q.tenure_bands)) or (q.tenure_bands and q.tenure_bands[0] != 0):
        fail("quits.tenure_bands", "must start at 0 and increase, e.g. [0, 3, 10]")
    if not q.tenure_bands:
        fail("quits.tenure_bands", "give at least one band, e.g. [0]")
    for v in _values(q.rate):
        if len(v) != len(q.tenure_bands):
            fail(("quits.rate", "quits.tenure_bands"), f"quits.rate gives {len(v)} rates for the "
                 f"{len(q.tenure_bands)} bands of quits.tenure_bands; give one rate per band")


def pay_floors_set(sc) -> bool:
    """Whether the scenario floors pay relative to the average wage (``pay.floor_share``,
    or a district's ``floor_share``)."""
    return _max(sc.pay.floor_share) > 0 or any(x.floor_share > 0 for x in sc.districts)


def eliminated_by_rule(sc, targets) -> list:
    """Of ``targets``, those on the city's elimination rate at or below the share the
    scenario eliminates that year (:func:`eliminated_share`): met by the rule itself, so the
    report and the console say the target checks the rule, not a forecast."""
    def by_rule(t) -> bool:
        share = eliminated_share(sc, t.year)
        return share > 0 and (t.threshold <= share if t.op == ">=" else t.op == ">" and t.threshold < share)
    return [t for t in targets if t.metric == "elimination_rate" and not t.scope and by_rule(t)]


def eliminated_share(sc, year: int) -> float:
    """The share of the covered workers bottom-ratio elimination takes in ``year`` by rule
    (``elimination.share``; at least that share, rounded up): 0 without elimination, without
    a post class it covers that year (``elimination.posts``), outside the horizon, or where
    the share is drawn (uncertain: no share is sure)."""
    e, years = sc.elimination, sc.year_list
    if not e.enabled or getattr(e.share, "is_random", False) or year not in years:
        return 0.0
    i = int(np.flatnonzero(years == year)[0])
    if not (_by_year(e.posts, years)[i] > 0.5).any():
        return 0.0  # no post class is eliminated from that year: no worker is covered
    return float(_by_year(e.share, years)[i])


def _pay(sc, fail, years) -> None:
    # pay floors, contribution limits and pay-sensitive quits need a benchmark wage
    if pay_floors_set(sc) and sc.economy.average_wage <= 0:
        fail("economy.average_wage", "pay floors are set (pay.floor_share or a district floor_share) but "
             "the average wage they are benchmarked to is missing; set economy.average_wage (yuan/year)")
    written = sc.raw.get("districts") or []  # what each district's own table writes
    for i, x in enumerate(sc.districts):
        if x.head_floor_share > 0 and getattr(sc.economy, x.head_floor_benchmark) <= 0:
            fail(f"districts[{i}].head_floor_share", f"a head floor on {x.head_floor_benchmark} is set but "
                 f"economy.{x.head_floor_benchmark} is missing; set it (yuan/year)")
        if x.head_floor_share > 0 and x.head_floor_basis == "base" and _min(sc.pay.base_share) <= 0:
            fail(f"districts[{i}].head_floor_basis", "a floor on base pay needs pay.base_share > 0")
        own = written[i] if i < len(written) else {}
        unread = (f"is set but districts[{i}].head_floor_share is not: it is read only for the "
                  "district's own head floor; set head_floor_share (a multiple of the benchmark) or "
                  "remove it")
        if "head_floor_benchmark" in own and x.head_floor_share < 0:  # -1: the city's head floor
            fail(f"districts[{i}].head_floor_benchmark", f"head_floor_benchmark {unread}")
        if "head_floor_basis" in own and x.head_floor_share < 0:
            fail(f"districts[{i}].head_floor_basis", f"head_floor_basis {unread}")
    limits = (_max(sc.pay.contribution_floor) > 0 or _max(sc.pay.contribution_cap) > 0
              or _max(sc.pay.housing_fund_cap) > 0)
    if (limits or _max(sc.quits.pay_elasticity) > 0) and sc.economy.average_wage <= 0:
        fail("economy.average_wage", "contribution limits and pay-sensitive quits need the average wage; "
             "set economy.average_wage (yuan/year)")
    cap, floor = _by_year(sc.pay.contribution_cap, years), _by_year(sc.pay.contribution_floor, years)
    bad = (cap > 0) & (cap < floor)
    if bad.any():
        y = _first_year(years, bad)
        fail(("pay.contribution_cap", "pay.contribution_floor"), f"the contribution cap ({cap[bad][0]:g}) "
             f"is below the floor ({floor[bad][0]:g}) in {y}; raise the cap, or set it to 0 for none")
    _housing_fund_base(sc, fail, years, cap, floor)
    _grades(sc, fail, years)


def _housing_fund_base(sc, fail, years, cap, floor) -> None:
    """The housing fund's base: its own floor (yuan a month) or the insurances' (``floor``, a
    share of last year's average wage), under its own cap or the insurances' (``cap``; -1:
    not set, a cap of 0: none)."""
    fund_floor = _by_year(sc.pay.housing_fund_floor_monthly, years)
    fund_cap = _by_year(sc.pay.housing_fund_cap, years)
    own_floor, own_cap = fund_floor >= 0, fund_cap >= 0
    if not (own_floor.any() or own_cap.any()):  # the insurances' base, checked by _pay
        return
    growth = _by_year(sc.economy.average_wage_growth, years)
    wage = sc.economy.average_wage * np.concatenate([[1.0], np.cumprod(1 + growth[:-1])])
    # as the model charges it
    lo, hi = fund_bounds(fund_floor, fund_cap, floor * wage / 12, insurance_cap(cap, wage), wage)
    bad = lo > hi * (1 + 1e-12)
    if bad.any():
        y, i = _first_year(years, bad), int(np.flatnonzero(bad)[0])
        fields = (("pay.housing_fund_cap" if own_cap[i] else "pay.contribution_cap"),
                  ("pay.housing_fund_floor_monthly" if own_floor[i] else "pay.contribution_floor"))
        fail(fields, f"the housing fund's contribution base has a cap ({fields[0]}: {hi[i]:,.0f} yuan a "
             f"month) below its floor ({fields[1]}: {lo[i]:,.0f} yuan a month) in {y}; raise the cap "
             "(0: none), or lower the floor")


def _grades(sc, fail, years) -> None:
    """Each post's lowest grade at most its highest."""
    g = sc.grades
    if g.min_grade.is_random or g.max_grade.is_random:
        # uncertain entries at their means: their extremes are the field's whole range
        # (draws are clipped to it), so comparing extremes would reject every such scenario
        pairs = zip(_by_year(g.min_grade, years), _by_year(g.max_grade, years))
    else:
        pairs = zip(_values(g.min_grade), _values(g.max_grade))
    for a, b in pairs:
        if (a > b).any():
            fail(("grades.min_grade", "grades.max_grade"), "a post's lowest grade is above its highest "
                 "grade; lower min_grade or raise grades.max_grade")


def _targets(sc, fail, cut_off=lambda year: False) -> None:
    """Each target: a name of its own, a known metric and scope, a year within the horizon
    (or ``cut_off``: after the end of a horizon an override cut short, within the files' own:
    not evaluated then), a threshold the metric can take."""
    known = set(metrics.names(sc))
    scopes = set(metrics.scopes(sc))
    seen = {}
    for i, t in enumerate(sc.targets):
        if not t.name.strip():
            fail(f"targets[{i}].name", "a target's name is empty; give it a short label (it names the target "
                 "in targets.csv and the report), e.g. name = \"certified-2026\"")
        if t.name in seen:
            fail(f"targets[{i}].name", f"target '{t.name}' is named twice (also targets[{seen[t.name]}]); "
                 "give each target its own name")
        seen[t.name] = i
        if t.scope and t.scope not in scopes:
            fail(f"targets[{i}].scope", _unknown_scope(sc, t.scope, scopes))
        if t.metric_name not in known:
            if t.scope and t.metric in known:
                fail(f"targets[{i}].metric", f"{t.metric} is not measured by district or by urban/rural; "
                     f"those measured so: {', '.join(metrics.SCOPED)} (or drop the scope)")
            fail(f"targets[{i}].metric", f"unknown metric '{t.metric_name}'; see `python -m model metrics`")
        if not sc.start_year <= t.year <= sc.end_year and not cut_off(t.year):
            fail((f"targets[{i}].year", "years", "start_year"),
                 f"year {t.year} of target '{t.name}' is outside the horizon {sc.start_year}-{sc.end_year}; "
                 "extend `years` or move the target")
        problem = threshold_problem(t.metric, t.threshold)
        if problem:
            fail(f"targets[{i}].threshold", problem)
        base = t.metric.split(".")[0]
        if base == "workers_per_10k" and sc.demand.urban_residents <= 0:
            fail(f"targets[{i}].metric", "workers_per_10k needs the urban resident population; set "
                 "demand.urban_residents")
        if (base.startswith("pay_ratio_") or base == "average_wage") and sc.economy.average_wage <= 0:
            fail(f"targets[{i}].metric", f"{base} is measured against the average wage; set "
                 "economy.average_wage")


def share_past_retirement(sc) -> float:
    """The share of a drawn starting workforce (the mixes of ``population``: ages, women,
    cadre) at or past its statutory retirement instant on 1 January of the start year, whom
    the engine gives younger ages (:meth:`model.engine.Replication._below_retirement_age`);
    0 with a roster or retirement off. Exact: over whole ages, the sexes and categories, and
    every birthday as the engine draws it (a whole day of the year, ``(floor(u * 365) + 1) / 365``)."""
    ps, r, y = sc.population, sc.retirement, sc.start_year
    if ps.roster is not None or not r.enabled:
        return 0.0
    bands = [(int(lo), int(hi), float(w)) for lo, hi, w in ps.age]
    total = sum(w for *_, w in bands)
    ages = np.concatenate([np.arange(lo, hi + 1) for lo, hi, _ in bands])
    weight = np.concatenate([np.full(hi - lo + 1, w / total / (hi - lo + 1)) for lo, hi, w in bands])
    day = (np.arange(365) + 1) / 365  # every birthday the engine draws, equally likely
    birth = (y - ages[:, None] - 1 + day[None, :]).ravel()
    each = np.repeat(weight / 365, 365)
    f, c = ps.female_share, ps.cadre_share
    share = 0.0
    for female, cadre, w in ((False, False, 1 - f), (True, True, f * c), (True, False, f * (1 - c))):
        if w > 0:
            t = retirement_time(birth, np.full(birth.shape, female), np.full(birth.shape, cadre), r.rule,
                                r.age_men, r.age_women)
            share += w * float(each[t <= y].sum())
    return share


PAY_MONTHS_OF_WAGE = (0.1, 3.0)
"""Monthly pay of a staff post outside these multiples of a month of the average wage is
noted (:func:`advisories`): above, likely a yearly amount; below, one in thousands or 万元."""


def advisories(sc) -> list[str]:
    """What a valid scenario does that its author may not have meant, one sentence each
    (``validate`` and ``run`` print them; nothing is refused): posts that each community's
    floor raises above the staffing rule's, a starting workforce above the posts, a staff
    post's monthly pay far from a month of the average wage, a city-wide workers_per_10k
    target in a city with rural districts. Start-year values, uncertain ones at their means."""
    notes = []
    ps, year = sc.population, sc.start_year
    rule, posts = demand.starting_posts(sc)
    if sc.demand.rule != "fixed" and posts > rule:  # (fixed: floors above its posts are refused)
        # per community, rounded: the households' spread moves the sum a little (per_10k shares a total)
        uneven = sc.demand.rule in ("households", "size_band") and sc.demand.households_spread > 0
        what = (f"the staffing rule '{sc.demand.rule}' gives {'about ' if uneven else ''}{rule:,} posts in "
                f"{year}" + (" (every community of its district's average size)" if uneven else ""))
        floor = ("each community's floor (demand.min_posts, or its heads, committee members and "
                 "party-building posts)")
        notes.append(f"{what}, and {floor} raises them to {posts:,} (+{posts / rule - 1:.1%})" if rule
                     else f"{what}; {floor} gives {posts:,}")
    roster = getattr(sc, "roster", None)
    start = len(roster) if roster is not None else ps.headcount
    if start > posts > 0:
        who = (f"the roster's {start:,} workers are" if roster is not None
               else f"population.headcount, {start:,} workers, is")
        notes.append(f"{who} more than the {posts:,} or so posts of {year}: {start - posts:,} start above "
                     "posts, and hiring waits until exits bring the workforce below its posts")
    past = share_past_retirement(sc)
    if past >= 0.01:
        notes.append(f"about {past:.0%} of the starting age mix (population.age, for men and women "
                     f"together) is at or past the statutory retirement age on 1 January {year} (women may "
                     "retire at 50 or 55): those workers are given younger ages from the same bands, so the "
                     "workforce starts younger than the mix")
    wage = sc.economy.average_wage
    staff = float(np.asarray(demand.at_start(sc.pay.monthly, year), dtype=float)[0])
    lo, hi = PAY_MONTHS_OF_WAGE
    if wage > 0 and staff > 0 and not lo <= staff / (wage / 12) <= hi:
        why = "a yearly amount given as monthly?" if staff > wage / 12 else "an amount in thousands or 万元?"
        notes.append(f"pay.monthly of a staff post, {staff:,.0f} yuan a month, is {staff / (wage / 12):.2g} "
                     f"months of the average wage (economy.average_wage {wage:,.0f} a year): {why}")
    if len({d.urban for d in sc.districts}) == 2:  # urban and rural districts: the city's mixes the two
        for t in sc.targets:
            if t.metric == "workers_per_10k" and not t.scope:
                notes.append(f"target '{t.name}' reads workers_per_10k over the whole city: its rural "
                             "districts' workers count against demand.urban_residents too (scope = \"urban\" "
                             "reads the urban districts' workers over their share of the residents)")
    notes += roster_leaders_note(sc) + degrees_regrade_note(sc) + unassessed_note(sc)
    later = horizon_note(sc)
    if later:
        notes.append(later)
    return notes


def unassessed_note(sc) -> list[str]:
    """Rules that read the assessment where it is off: dismissal for unqualified years
    (nobody is rated, so nobody is dismissed for it) and promotion out (which takes the
    best-rated: with nobody rated, the earliest rows of the workforce). From an audit of
    2026-12-08."""
    if sc.assessment.enabled:
        return []
    notes = []
    d = sc.dismissal
    rules = [f"dismissal.{f}" for f in ("consecutive_unqualified", "cumulative_unqualified")
             if getattr(d, f) > 0]
    if d.enabled and rules:
        notes.append(f"{' and '.join(rules)} dismiss for unqualified assessments, and the assessment is off: "
                     "nobody is rated, so nobody is dismissed for them")
    if sc.promotion_out.enabled and _promoted_out(sc.promotion_out):
        notes.append("promotion out takes the best-rated workers, and the assessment is off: nobody is "
                     "rated, so it takes the earliest rows of the workforce (mostly of the first "
                     "communities), not the best; switch the assessment on for a ranking by performance")
    return notes


LEVEL_WORDS = ("below college", "college", "bachelor's", "postgraduate")


def degrees_regrade_note(sc) -> list[str]:
    """Where workers earn degrees in service with ``degrees.regrade`` and the grade ladder on,
    but the entry grades (start year, rounded as a hire's, without a certificate) give a
    degree's two levels the same grade: one sentence naming those steps (re-grading does
    nothing for them; the model's default entry grades give below college and college both
    grade 1). Found in an audit of 2026-12-07."""
    if not (sc.degrees.enabled and sc.degrees.regrade and sc.grades.enabled):
        return []
    rates = np.asarray(sc.get("degrees.rate").resolve(sc.year_list), dtype=float).reshape(-1, 3)
    entry = np.asarray(sc.get("grades.entry_grade").resolve(sc.year_list), dtype=float).reshape(-1, 4)
    entry = half_up(entry)
    none = (rates > 0) & (entry[:, 1:] <= entry[:, :3])  # (year, step): a degree earned that moves no grade
    flat = [e for e in range(3) if none[:, e].any()]
    if not flat:
        return []
    steps = ", ".join(f"{LEVEL_WORDS[e]} to {LEVEL_WORDS[e + 1]}" for e in flat)
    when = "" if all(none[:, e][rates[:, e] > 0].all() for e in flat) else " in some years"
    return [(f"degrees earned in service from {steps} move no grade{when}: grades.entry_grade gives the "
             "higher level the same or a lower entry grade (at the means of uncertain values), so "
             "degrees.regrade does nothing for them (raise the higher level's entry grade to re-grade)")]


def roster_leaders_note(sc) -> list[str]:
    """A roster's heads and committee members beyond the scenario's leader posts
    (``population.heads_per_community`` and ``committee_per_community`` a community, 0
    unless set) hold the next posts down, and their grades at most those posts' top: one
    sentence saying how many, by the roster's districts where it has them (else the city's),
    or nothing. Found in an audit of 2026-12-07: a city that left the two fields out saw
    every 书记 and 委员 of its roster run as staff, and its payroll fall, without a word."""
    roster = getattr(sc, "roster", None)
    if roster is None or roster.post is None:
        return []
    ps = sc.population
    comms = np.array([d.communities for d in sc.districts], dtype=np.int64)
    if roster.district is None:  # the city's
        group, comms = np.zeros(len(roster), np.int64), comms.sum(keepdims=True)
    else:
        group = np.asarray(roster.district, dtype=np.int64)
    n = len(comms)
    heads = np.bincount(group[roster.post == 2], minlength=n)
    committee = np.bincount(group[roster.post == 1], minlength=n)
    if sc.demand.split_above > 0 or sc.demand.merge_below > 0:
        # communities split or merge before the workers are placed: their number is not
        # known here, only whether there are leader posts at all
        comms = np.where(comms > 0, np.iinfo(np.int32).max, 0)
    head_posts, committee_posts = ps.heads_per_community * comms, ps.committee_per_community * comms
    down = int(np.maximum(heads - head_posts, 0).sum())  # heads held to committee or staff posts
    to_staff = int(np.maximum(heads + committee - head_posts - committee_posts, 0).sum())
    if not down and not to_staff:
        return []
    what = f"{down:,} of the roster's {int(heads.sum()):,} heads hold lower posts" if down else ""
    if to_staff:
        what += ("; " if what else "") + (f"{to_staff:,} of its {int(heads.sum() + committee.sum()):,} heads "
                                          "and committee members hold staff posts")
    return [(f"{what} at the start: the scenario has {ps.heads_per_community} head and "
             f"{ps.committee_per_community} committee posts a community (population.heads_per_community, "
             "committee_per_community), so their grades are held to those posts' ladder; set the two "
             "fields if the city's communities have such posts")]


def horizon_note(sc) -> str:
    """The targets a horizon cut short by an override leaves out, in a sentence ('' if none):
    printed with the notes by ``run`` and ``validate``, warned by :func:`model.run` and the
    experiments."""
    later = getattr(sc, "targets_after_horizon", ())
    if not later:
        return ""
    by = sc.overridden().get("years", {}).get("by", "an override")
    listed = ", ".join(f"'{t.name}' ({t.year})" for t in later[:3]) + (
        f" and {len(later) - 3} more" if len(later) > 3 else "")
    return (f"the horizon is cut short to {sc.start_year}-{sc.end_year} ({by} years={sc.years}): "
            f"{'the target' if len(later) == 1 else 'the targets'} {listed} "
            f"{'falls' if len(later) == 1 else 'fall'} after it and {'is' if len(later) == 1 else 'are'} "
            "not evaluated")
