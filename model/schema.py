"""The scenario schema: every section, every field, its type, range, unit and meaning.

This is the one place that says what a scenario file may contain. :mod:`model.scenario`
validates files against it; ``python -m model schema`` prints it.

Field kinds
-----------
``param``   number: constant, schedule by year or uncertain (see :mod:`model.params`)
``vec``     list of ``size`` numbers: constant or schedule by year; entries may be uncertain
``table``   list of ``size`` lists of ``size2`` numbers (constant)
``int``     whole number, fixed for the run
``float``   number, fixed for the run
``bool``    true / false
``str``     one of ``choices`` (or free text when no choices)
``years``   list of calendar years
``dates``   list of instants in the year, as fractions: 0 = 1 January 00:00,
            0.5 = mid-year, 1 = end of 31 December
``date``    one such instant
``bands``   list of ``[low, high, weight]``: whole numbers uniform on low..high inside
            a band, bands chosen by weight
"""

from __future__ import annotations

from dataclasses import dataclass

REQUIRED = object()

NUMERIC_KINDS = ("param", "vec", "int", "float", "date")
"""Kinds of field that hold numbers (an experiment varies them, a multiplier scales them)."""

POSTS = ("staff", "committee", "head")
"""Post classes, by index: 0 staff (社区专职工作者), 1 committee member (两委成员),
2 head (正职: secretary / director)."""
EDUCATION = ("below_college", "college", "bachelor", "master")
"""Education levels, by index: 0 below college (高中/中专), 1 college (大专),
2 bachelor (本科), 3 master or above (研究生)."""
LEVELS = ("none", "assistant", "intermediate", "senior")
"""Social-worker certificate levels, by index: 0 none, 1 assistant (助理社会工作师),
2 intermediate (社会工作师), 3 senior (高级社会工作师)."""
GRADES = ("excellent", "qualified", "basic", "unqualified")
"""Annual assessment grades (优秀, 称职/合格, 基本称职, 不称职/不合格), by index 0..3."""
N_GRADES = 18
"""Pay grades 1..18 of the "three posts, eighteen grades" ladder (三岗十八级)."""

MAX_ROUNDS = 16
"""Recruitment rounds a year at most: a hire's id holds its round in 4 bits
(:func:`model.policies.recruitment.slot_ids`), so rounds never share ids."""


@dataclass(frozen=True)
class Field:
    kind: str
    default: object = REQUIRED
    doc: str = ""
    unit: str = ""
    lo: float | None = None
    hi: float | None = None
    size: int | None = None
    size2: int | None = None
    choices: tuple = ()
    sums_to_one: bool = False
    # a number the model rounds half up to a whole one (posts, hires, trainees, the lowest
    # education level hired): only whole values differ, so experiments search and sweep whole
    # values, rounded half up as the model rounds them
    integer: bool = False
    unset: float | None = None  # a value outside [lo, hi] that means "not set here" (-1: the city's)
    zero: str | None = None  # what 0 means where it switches the field off rather than being an amount


def F(kind, default=REQUIRED, doc="", unit="", **kw) -> Field:
    if kw.get("zero"):  # the doc says what 0 means: written once, as the marker
        drawn = ("; an uncertain value's draw at or below 0 is the least amount instead" if kind == "param"
                 else "")
        doc = f"{doc.rstrip('.')} (0: {kw['zero']}{drawn})."
    return Field(kind, default, doc, unit, **kw)


SHARE = dict(lo=0.0, hi=1.0)
RATE = dict(lo=0.0, hi=1.0)
YUAN = "yuan"

TOP = {
    "name": F("str", None, "Scenario name; used for the output folder. Default: the file name."),
    "description": F("str", "", "One paragraph: the place, the document, what is modelled."),
    "description_zh": F("str", "", "The description in Chinese, for Chinese reports and workbooks (empty: the "
                        "English one). A file that extends another and sets description alone does not "
                        "inherit its base's."),
    "extends": F("str", None, "Path of a base scenario, relative to this file."),
    "start_year": F("int", REQUIRED, "First simulated calendar year.", "year", lo=1990, hi=2100),
    "years": F("int", REQUIRED, "Number of simulated years (horizon).", "years", lo=1, hi=100),
}

SECTIONS: dict[str, dict[str, Field]] = {
    "run": {
        "reps": F("int", 100, "Replications (Monte Carlo runs).", "runs", lo=1, hi=10_000_000),
        "seed": F("int", 20250101, "Root seed of the random-number tree.", "", lo=0, hi=2**63 - 1),
    },
    "calendar": {
        "recruitment": F("dates", [0.0], "Recruitment rounds in the year (at most 16; none at the "
                         "assessment's instant, whose hires would be rated the day they start).",
                         "fraction of year"),
        "training": F("date", 0.0, "Training date (who is trained this year is fixed then).", "fraction of year"),
        "exam": F("date", 0.5, "Certificate exam date.", "fraction of year"),
        "assessment": F("date", 1.0, "Annual assessment, exit rules, elimination.", "fraction of year"),
        "promotion": F("date", 1.0, "Degrees earned in service, then promotion out, then elections, then "
                       "grade steps.", "fraction of year"),
    },
    "demand": {
        "rule": F("str", "fixed", "Staffing rule: fixed posts per community; households: one post per N "
                  "resident households; size_band: base posts up to a size, +1 per step above; "
                  "per_10k: a city total per 10,000 urban residents spread over communities.",
                  choices=("fixed", "households", "size_band", "per_10k")),
        "communities": F("int", REQUIRED, "Communities at the start.", "communities", lo=1, hi=10_000_000),
        "posts_per_community": F("param", 10.0, "Posts per community (rule 'fixed').", "posts", lo=0,
                                 hi=1000, integer=True),
        "urban_residents": F("float", 0.0, "Urban resident population in the start year (residents_growth "
                             "applies from the second year): the residents of every community modelled, "
                             "whose households are shared among them (a rural district's villages too).",
                             "persons", lo=0, hi=2e9, zero="unknown"),
        "residents_growth": F("param", 0.0, "Yearly growth of urban residents: year y's rate takes them "
                              "from y - 1 to y (the start year's are urban_residents).", "1/year",
                              lo=-0.5, hi=0.5),
        "persons_per_household": F("param", 2.6, "Persons per household.", "persons", lo=1, hi=10),
        "households_spread": F("float", 0.0, "Spread of households across communities: each drawn "
                               "uniform within mean*(1 +- spread), then all scaled so that they add up to "
                               "urban_residents / persons_per_household.", "", lo=0, hi=0.99),
        "households_per_post": F("param", 250.0, "Rule 'households': households per post (a community's posts are its "
                                 "households / this, rounded half up).", "households", lo=1, hi=1e6),
        "band_limit": F("param", 3000.0, "Rule 'size_band': households covered by the base posts.", "households", lo=0, hi=1e6),
        "band_base": F("param", 12.0, "Rule 'size_band': posts up to band_limit.", "posts", lo=0, hi=1000,
                       integer=True),
        "band_step": F("param", 400.0, "Rule 'size_band': households per extra post above band_limit (a whole "
                       "band_step more for each extra post: rounded down).", "households", lo=1, hi=1e6),
        "per_10k": F("param", 18.0, "Rule 'per_10k': posts per 10,000 urban residents.", "posts per 10k", lo=0, hi=1000),
        "min_posts": F("param", 0.0, "Minimum posts per community.", "posts", lo=0, hi=1000, integer=True),
        "min_party_posts": F("param", 0.0, "Party-building staff posts per community, besides its heads and "
                             "committee members (filled first; districts may set their own).", "posts",
                             lo=0, hi=100, integer=True),
        "split_above": F("float", 0.0, "A community above this many households splits in two (on 1 January; "
                         "in the start year before the starting workforce is placed).", "households", lo=0,
                         hi=1e7, zero="never"),
        "merge_below": F("float", 0.0, "A community below this many households merges into another (less "
                         "than half of split_above, so that the halves of a split do not merge).",
                         "households", lo=0, hi=1e7),
    },
    "population": {
        "roster": F("str", None, "A CSV or .xlsx file of the workers in post on 1 January of the start "
                    "year (relative to this file), instead of workers drawn from the mixes below: see "
                    "model/roster.py for its columns."),
        "headcount": F("int", 0, "Workers on 1 January of the start year, spread over communities in "
                       "proportion to the posts that replication's staffing rule gives (largest remainder).",
                       "workers", lo=0, hi=20_000_000,
                       zero="every post filled, or the filled_share of the posts"),
        "filled_share": F("param", 1.0, "Share of the posts held on 1 January of the start year, where "
                          "population.headcount is 0 (the workers are the share of the posts that "
                          "replication's staffing rule gives, rounded half up, spread over communities in "
                          "proportion to posts); for a place known by its vacancy rate rather than its "
                          "headcount.", "", **SHARE),
        "age": F("bands", [[22, 55, 1.0]], "Age on 1 January of the start year in whole years (周岁): "
                 "a worker aged a has the next birthday on one of the 365 days after it (so is about "
                 "a + 0.5 on average that day).", "years"),
        "tenure": F("bands", [[0, 9, 1.0]], "Years of service on 1 January of the start year: a worker of "
                    "tenure t was hired on 1 January t years before (at most age - min_hire_age).",
                    "years"),
        "min_hire_age": F("int", 18, "Youngest age at which a starting worker was hired: a tenure drawn "
                          "above age - min_hire_age is drawn again from the tenure bands truncated there "
                          "(0: age and tenure drawn independently).", "years", lo=0, hi=60),
        "female_share": F("float", 0.5, "Share of women.", "", **SHARE),
        "cadre_share": F("float", 1.0, "Share of women whose original retirement age is 55 (managerial "
                         "posts) rather than 50 (worker posts).", "", **SHARE),
        "education": F("vec", [0.0, 1.0, 0.0, 0.0], "Shares by education (below college, college, "
                       "bachelor, master+).", "", size=4, sums_to_one=True, **SHARE),
        "certificate": F("vec", [1.0, 0.0, 0.0, 0.0], "Shares by certificate level (none, assistant, "
                         "intermediate, senior).", "", size=4, sums_to_one=True, **SHARE),
        "heads_per_community": F("int", 0, "Head posts (正职) per community (held at the start by "
                                 "its longest-serving workers, then committee and party-building posts "
                                 "by tenure).", "posts", lo=0, hi=10),
        "committee_per_community": F("int", 0, "Committee-member posts (两委) per community.", "posts", lo=0, hi=50),
    },
    "recruitment": {
        "enabled": F("bool", True, "Recruit to fill vacancies."),
        "anticipate_exits": F("bool", False, "Also hire for the exits expected before year end: retirements due "
                              "by then, and the quits and deaths expected of the other workers in the rest "
                              "of the year, given that they have not left so far (not the round's own hires' "
                              "exits); these hires come after the posts vacant now, and those a short pool "
                              "or cap leaves unmade are not unfilled posts."),
        "pool_size": F("param", 0.0, "Applicants per year, rounded half up (below one half: none).",
                       "persons", lo=0, hi=1e9, zero="unlimited", integer=True),
        "age": F("bands", [[22, 35, 1.0]], "Applicants' age on the hiring day in whole years (周岁): an "
                 "applicant aged a is at least a and under a + 1 that day (the next birthday on one of the "
                 "365 days after it).", "years"),
        "female_share": F("float", 0.5, "Share of women among applicants.", "", **SHARE),
        "cadre_share": F("float", 1.0, "Share of women hired into posts retiring at the cadre age.", "", **SHARE),
        "education": F("vec", [0.0, 1.0, 0.0, 0.0], "Applicants' shares by education.", "", size=4, sums_to_one=True, **SHARE),
        "certificate": F("vec", [1.0, 0.0, 0.0, 0.0], "Applicants' shares by certificate level.", "", size=4, sums_to_one=True, **SHARE),
        "max_age": F("param", 100.0, "Oldest age eligible to be hired (applicants' ages come from "
                     "recruitment.age: a limit above its oldest band changes nothing; widen both to "
                     "hire older).",
                     "years", lo=16, hi=100),
        "min_education": F("param", 0.0, "Lowest education level eligible (0..3).", "level", lo=0, hi=3,
                           integer=True),
        "certificate_required_from": F("int", 0, "From this year only certified applicants are hired.", "year", lo=0, hi=2200, zero="never"),
        "max_age_certified": F("param", 0.0, "Oldest age eligible for an applicant holding a certificate (of "
                               "max_age_certified_level or above), in either stream; at or below the stream's own age limit (e.g. 0) it changes nothing.", "years", lo=0, hi=100),
        "max_age_certified_level": F("int", 1, "Lowest certificate level that max_age_certified applies to "
                                     "(1 assistant, 2 intermediate, 3 senior).", "level", lo=1, hi=3),
        "exempt_share": F("param", 0.0, "Share of applicants in the exempt stream (e.g. social-work or sociology "
                          "graduates, veterans), with their own age and certificate mix and rules (exempt_*); "
                          "0: one stream.", "", **SHARE),
        "exempt_age": F("bands", None, "Exempt applicants' age (default: as age).", "years"),
        "exempt_certificate": F("vec", None, "Exempt applicants' shares by certificate level (default: as certificate).",
                                "", size=4, sums_to_one=True, **SHARE),
        "exempt_max_age": F("param", 0.0, "Oldest age eligible in the exempt stream; at or below max_age (e.g. 0) "
                            "it is max_age.", "years", lo=0, hi=100),
        "exempt_certificate_required": F("bool", False, "The certificate rule (certificate_required_from) applies to "
                                         "the exempt stream too (false: exempt applicants are hired without one)."),
        "cap": F("param", 0.0, "Most hires in a year, rounded half up (below one half: none).", "hires/year",
                 lo=0, hi=1e9, zero="no cap",
                 integer=True),
        "freeze_years": F("years", [], "Years of a hiring freeze: no round hires (campaigns included); the "
                          "posts it leaves empty count among the year's unfilled posts."),
        "extra_hires": F("param", 0.0, "Hires on top of vacancies (campaigns), a year's number rounded "
                            "half up, spread over communities by a draw in proportion to posts "
                            "(multinomial, from the recruitment stream); filled after the vacant posts, "
                            "so a short pool or cap leaves them unfilled first.",
                            "hires/year", lo=0, hi=1e7, integer=True),
        "cost_per_hire": F("param", 0.0, "Recruitment cost per hire.", YUAN, lo=0, hi=1e7),
    },
    "certification": {
        "enabled": F("bool", True, "Hold the yearly exam."),
        "sit_prob": F("param", 1.0, "Probability an eligible uncertified worker sits the assistant exam.", "", **SHARE),
        "min_education": F("param", 0.0, "Lowest education level that may sit (0..3).", "level", lo=0, hi=3,
                           integer=True),
        "min_tenure": F("param", 0.0, "Years of service needed to sit.", "years", lo=0, hi=50),
        "min_tenure_by_education": F("vec", [0.0, 0.0, 0.0, 0.0], "Years of service needed to sit the assistant "
                                     "exam by education level (below college, college, bachelor, postgraduate), "
                                     "as the national exam's conditions set them; the larger of this and "
                                     "min_tenure applies.", "years", size=4, lo=0, hi=50),
        "pass_prob": F("param", 0.25, "Pass probability, assistant level, before bonuses (0: no exam, nobody sits).", "", **SHARE),
        "trained_bonus": F("param", 0.0, "Added to the pass probability if trained this year by the exam "
                           "(calendar.training on or before calendar.exam: on the same date, training "
                           "first).", "", lo=-1, hi=1),
        "education_bonus": F("vec", [0.0, 0.0, 0.0, 0.0], "Added to the pass probability by education level.", "", size=4, lo=-1, hi=1),
        "attempt_bonus": F("param", 0.0, "Added per earlier failed attempt (negative: harder).", "", lo=-1, hi=1),
        "max_attempts_counted": F("int", 5, "Earlier attempts counted at most.", "attempts", lo=0, hi=50),
        "next_level_years": F("param", 0.0, "Years at a level before sitting the next.", "years", lo=0, hi=50, zero="no progression"),
        "next_sit_prob": F("param", 0.0, "Probability an eligible certified worker sits the next level.", "", **SHARE),
        "pass_prob_intermediate": F("param", 0.15, "Pass probability, intermediate level, before bonuses (0: not examined, nobody sits).", "", **SHARE),
        "pass_prob_senior": F("param", 0.0, "Pass probability, senior level, before bonuses (0: not examined, nobody sits).", "", **SHARE),
    },
    "training": {
        "enabled": F("bool", True, "Train workers on schedule."),
        "interval": F("vec", [2.0, 2.0, 1.0], "Years between trainings by post (staff, committee, head): "
                      "trained in a year when the whole years since the first training date in post are a "
                      "multiple of it (with training on 1 January: when tenure then is); a fraction "
                      "counts as the whole years above it (2.5: every 3 years).", "years", size=3,
                      lo=1, hi=50),
        "capacity": F("param", 0.0, "Most trainees in a year, rounded half up (below one half: none).",
                      "persons/year", lo=0, hi=1e9, zero="no limit", integer=True),
        "cost_per_trainee": F("param", 0.0, "Cost per trainee.", YUAN, lo=0, hi=1e7),
    },
    "degrees": {
        "enabled": F("bool", True, "Workers earn higher degrees in service (学历提升), recognised at "
                     "calendar.promotion (before promotion out, elections and grade steps)."),
        "rate": F("vec", [0.0, 0.0, 0.0], "Yearly probability that an active worker earns the next "
                  "education level, by the level held (below college to college, college to bachelor, "
                  "bachelor to postgraduate); at most one level a year, the whole year's chance for a hire "
                  "of the year. The new level counts from the next exam (its years of service, "
                  "min_education, education_bonus) and can bring the certificate deadline forward "
                  "(never before the degree).", "1/year", size=3, **SHARE),
        "max_age": F("param", 100.0, "Oldest age (whole years on the promotion date) at which a worker "
                     "still earns one.", "years", lo=16, hi=100),
        "cost_per_degree": F("param", 0.0, "Cost to the budget of each degree earned (the support a city "
                             "pays, such as adult-education fees), counted in the year it is earned "
                             "(cost_degrees, part of total_cost).", YUAN, lo=0, hi=1e7),
        "regrade": F("bool", True, "A degree moves the worker up grades.entry_grade[new] - entry_grade[old] "
                     "grades, with the worker's certificate_bonus (each rounded as a hire's; none if not "
                     "above 0), within the post's max_grade, "
                     "as Hohhot re-grades for changes of education (seed 002); the step clock keeps "
                     "running."),
    },
    "assessment": {
        "enabled": F("bool", True, "Grade workers every year."),
        "shares": F("vec", [0.0, 1.0, 0.0, 0.0], "Grade shares for an untrained, uncertified worker "
                    "(excellent, qualified, basic, unqualified).", "", size=4, sums_to_one=True, **SHARE),
        "trained_shift": F("param", 0.0, "Shift of the latent performance score if trained this year.", "sd", lo=-5, hi=5),
        "certified_shift": F("param", 0.0, "Shift of the latent performance score if certified.", "sd", lo=-5, hi=5),
        "persistence": F("float", 0.0, "Correlation of a worker's score between years (a fixed ability).", "", lo=0, hi=0.99),
        "excellent_cap": F("param", 1.0, "Most of those rated who may be rated excellent (a quota, 优秀等次比例): "
                           "floor(cap x rated); the lowest scores the shares would rate excellent beyond it "
                           "are rated qualified; 1: no quota.", "", **SHARE),
    },
    "dismissal": {
        "enabled": F("bool", True, "Apply the exit rules on assessment results and certificates."),
        "consecutive_unqualified": F("int", 0, "Dismiss after this many consecutive unqualified years, "
                                     "counted from the run's first assessment (grades before the start do "
                                     "not count).", "years", lo=0, hi=50, zero="off"),
        "cumulative_unqualified": F("int", 0, "Dismiss after this many unqualified years in all, counted "
                                    "from the run's first assessment.", "years", lo=0, hi=50, zero="off"),
        "certificate_deadline": F("int", 0, "Dismiss an uncertified worker this many years after they could "
                                  "first sit the exam (the years of service certification.min_tenure and "
                                  "min_tenure_by_education ask; not those below certification.min_education),"
                                  " or after certificate_deadline_from if later, at the assessment; the "
                                  "years count whether or not the exam is held or passable in them.",
                                  "years",
                                  lo=0, hi=50, zero="off"),
        "certificate_deadline_from": F("int", 0, "Service counts for the deadline from this year (0: from hire).", "year", lo=0, hi=2200),
    },
    "elimination": {
        "enabled": F("bool", True, "Apply bottom-ratio elimination (末位淘汰) in the years its share is above 0."),
        "share": F("param", 0.0, "Share of active workers with the lowest scores eliminated: ceil(share x N) "
                   "of the N in the covered posts after the same assessment's dismissals, lowest grade "
                   "and then lowest score of this year's assessment first (ties: the earlier row), ranked "
                   "over the whole city (a district's own rate follows its workers' scores).", "", **SHARE),
        "posts": F("vec", [1.0, 1.0, 1.0], "Which post classes it applies to (1 yes, 0 no).", "", size=3, **SHARE),
    },
    "service_terms": {
        "enabled": F("bool", True, "End service agreements at term ends."),
        "term_end_years": F("years", [], "Years at whose end the service agreements end (e.g. every 5 years)."),
        "nonrenewal_prob": F("param", 0.0, "Probability an agreement is not renewed.", "", **SHARE),
        "nonrenewal_unqualified_prob": F("param", 1.0, "Probability if rated basic or unqualified that year.", "", **SHARE),
    },
    "grades": {
        "enabled": F("bool", True, "Step workers up the 18-grade ladder."),
        "entry_grade": F("vec", [1.0, 1.0, 2.0, 3.0], "Grade on hire by education level.", "grade", size=4, lo=1, hi=18),
        "certificate_bonus": F("vec", [0.0, 1.0, 2.0, 3.0], "Grades added by certificate level: on "
                               "hire, the bonus of the level held; on passing, the new level's bonus less "
                               "the old one's.", "grades", size=4, lo=0, hi=17),
        "step_years": F("param", 1.0, "Years since the last ladder step (or hire) before a step, "
                        "counted in whole years to the end of the year (a step_years of 2.5 steps every "
                        "3 years); a certificate or an election's minimum grade raises the grade without "
                        "restarting them (workers at the start stand one step above their entry grade per "
                        "step_years, so rounded up (at least 1), of whole years of service from their "
                        "first 1 January in post, as if each step had come on time: step_prob and min_rating "
                        "are not applied to the years before the start).", "years", lo=0, hi=50),
        "step_prob": F("param", 1.0, "Probability an eligible worker steps up.", "", **SHARE),
        "min_rating": F("int", 1, "Worst grade of assessment that still allows a step (0 excellent .. 3 unqualified).", "", lo=0, hi=3),
        "max_grade": F("vec", [12.0, 15.0, 18.0], "Highest grade by post.", "grade", size=3, lo=1, hi=18),
        "min_grade": F("vec", [1.0, 4.0, 7.0], "Lowest grade by post (applied on moving up).", "grade", size=3, lo=1, hi=18),
    },
    "elections": {
        "enabled": F("bool", True, "Fill committee and head posts from within the community."),
        "years": F("years", [], "Election years (e.g. 2021, 2026): years in which vacant head and "
                   "committee posts are filled from within. The model fills vacancies only (it does not "
                   "replace sitting members), so with fill_between these years add nothing."),
        "fill_between": F("bool", True, "Also fill vacant posts every year, not only in election years."),
    },
    "promotion_out": {
        "enabled": F("bool", True, "Targeted recruitment into civil-service / institution posts."),
        "per_year": F("param", 0.0, "Workers taken out per year.", "workers/year", lo=0, hi=1e7),
        "street_hiring_plan": F("param", 0.0, "Street-office hiring plan per year.", "posts/year", lo=0, hi=1e7),
        "reserved_share": F("param", 0.0, "Share of the street-office plan reserved for community workers.", "", **SHARE),
        "posts": F("vec", [1.0, 1.0, 1.0], "Which post classes are eligible (1 yes, 0 no).", "", size=3, **SHARE),
    },
    "quits": {
        "enabled": F("bool", True, "Voluntary quits."),
        "tenure_bands": F("years", [0], "Lower edges of the tenure bands (years on 1 January, counted in "
                          "calendar years from the hire year: a July 2023 hire has 3 on 1 January 2026)."),
        "rate": F("vec", [0.08], "Annual quit probability by tenure band.", "1/year", **SHARE),
        "pay_elasticity": F("param", 0.0, "Quit probability scales as (pay ratio / reference)^(-elasticity).", "", lo=0, hi=20),
        "reference_pay_ratio": F("param", 1.0, "Pay ratio (own pay / local average wage) at which rates apply.", "", lo=0.01, hi=10),
        "death_rate": F("param", 0.0, "Annual probability of death or disability exit (whether or not "
                        "quits are enabled).", "1/year", **SHARE),
    },
    "retirement": {
        "enabled": F("bool", True, "Retire at the statutory age."),
        "rule": F("str", "china2025", "china2025: the statutory ages, with the reform phased in from 1 "
                  "January 2025 by month of birth (FIGURES.md section 5; the original 60, 55 and 50 for "
                  "the cohorts it does not reach); or fixed ages (age_men, age_women).",
                  choices=("fixed", "china2025")),
        "age_men": F("float", 60.0, "Rule 'fixed': retirement age of men.", "years", lo=40, hi=80),
        "age_women": F("float", 55.0, "Rule 'fixed': retirement age of women.", "years", lo=40, hi=80),
    },
    "pay": {
        "monthly": F("vec", [5000.0, 5000.0, 5000.0], "Monthly pay at grade 1 by post (staff, committee, "
                     "head), in the start year's terms: pay.growth (or, with index_to_wage, the average "
                     "wage's growth) applies on top, to a schedule's later values too. Pay benchmarked "
                     "on last year's average wage: a pay table that follows it (monthly at the share, "
                     "index_to_wage) "
                     "sets what is paid; floor_share only raises pay found below the share (both together "
                     "do not add up).", "yuan/month", size=3, lo=0, hi=1e7),
        "grade_coefficient": F("vec", [1.0] * 18, "Pay multiplier by grade 1..18.", "", size=18, lo=0, hi=100),
        "table_staff": F("vec", [0.0] * 18, "Monthly pay of staff by grade 1..18; replaces monthly x "
                         "grade_coefficient when any entry is above 0.", "yuan/month", size=18, lo=0, hi=1e7),
        "table_committee": F("vec", [0.0] * 18, "Monthly pay of committee members by grade (as table_staff).",
                             "yuan/month", size=18, lo=0, hi=1e7),
        "table_head": F("vec", [0.0] * 18, "Monthly pay of heads by grade (as table_staff).", "yuan/month",
                        size=18, lo=0, hi=1e7),
        "minimum_monthly": F("param", 0.0, "A gross monthly pay every worker gets at least, before the "
                             "allowance; in yuan of each year (it does not grow with pay.growth: give a "
                             "schedule to raise it).", "yuan/month", lo=0, hi=1e7),
        "growth": F("param", 0.0, "Yearly growth of the pay table: year y's rate takes it from y - 1 to "
                    "y, so a schedule's start-year value is not used (pay.monthly is the start year's pay).",
                    "1/year", lo=-0.5, hi=1),
        "index_to_wage": F("bool", False, "Grow the pay table with the local average wage (economy."
                           "average_wage_growth, drawn for the same replication) instead of pay.growth, a "
                           "year behind as a benchmark on last year's wage is: the start year's wage growth "
                           "first raises pay the year after."),
        "floor_share": F("vec", [0.0, 0.0, 0.0], "Floor as a share of last year's average wage by post "
                         "(staff, committee, head), on the basis floor_basis; districts may override the staff "
                         "and committee floor.", "", size=3, lo=0, hi=10),
        "floor_basis": F("str", "gross", "What the floor_share floors (city and district) bound: 'gross' pay "
                         "(base + performance at 100%), or 'total' remuneration: gross + the employer's five "
                         "insurances and housing fund on it (pension, medical, unemployment, injury and housing "
                         "fund rates times gross clipped to contribution_floor..contribution_cap, the fund's "
                         "to its own floor and cap where set); the allowance "
                         "and the annuity are not counted. A total floor becomes the smallest gross pay that "
                         "meets it (Nanjing 2018: 报酬(含基本工资、绩效工资和\"五险一金\")).",
                         choices=("gross", "total")),
        "base_share": F("param", 1.0, "Share of pay that is base; the rest is performance pay.", "", **SHARE),
        "performance_multiplier": F("vec", [1.0, 1.0, 1.0, 0.0],
                                    "Performance pay multiplier by assessment grade (excellent, qualified, "
                                    "basic, unqualified); a worker not yet rated (with assessment off, "
                                    "every worker) is paid at 1.", "", size=4, lo=0, hi=10),
        "leaver_performance_multiplier": F("param", 1.0, "Performance multiplier of the performance pay "
                                           "a leaver earned that no assessment settled: the year's, or "
                                           "what they earned after the year's assessment where it is "
                                           "before 31 December (paid in the year's payroll).", "",
                                           lo=0, hi=10),
        "allowance": F("vec", [0.0, 200.0, 200.0, 200.0], "Certificate allowance by level (none, assistant, "
                       "intermediate, senior), in yuan of each year (it does not grow with pay.growth: "
                       "give a schedule to raise it).", "yuan/month", size=4, lo=0, hi=1e6),
        "pension_rate": F("param", 0.0, "Employer pension insurance rate.", "", **RATE),
        "medical_rate": F("param", 0.0, "Employer medical (and maternity) insurance rate.", "", **RATE),
        "unemployment_rate": F("param", 0.0, "Employer unemployment insurance rate.", "", **RATE),
        "injury_rate": F("param", 0.0, "Employer work-injury insurance rate.", "", **RATE),
        "housing_fund_rate": F("param", 0.0, "Employer housing provident fund rate.", "", **RATE),
        "contribution_floor": F("param", 0.0, "Contribution base floor, share of the average wage (of the "
                                "insurances, and of the housing fund unless housing_fund_floor_monthly "
                                "is set).", "", lo=0, hi=10),
        "contribution_cap": F("param", 0.0, "Contribution base cap, share of the average wage, of the "
                              "insurances and (unless housing_fund_cap is set) of the housing fund (an "
                              "uncertain cap drawn below the floor is the floor)", "",
                              lo=0, hi=10, zero="none"),
        "housing_fund_floor_monthly": F("param", -1.0, "The housing fund's own contribution base floor, yuan "
                                        "a month (national rule: not below the local minimum wage, "
                                        "不得低于职工工作所在地最低工资标准); -1: the insurances' floor "
                                        "(contribution_floor).", "yuan/month", lo=0, hi=1e6, unset=-1),
        "housing_fund_cap": F("param", -1.0, "The housing fund's own contribution base cap, share of the "
                              "average wage (national rule: at most 3 times the city's average monthly "
                              "wage, 不得超过...上一年度职工月平均工资的3倍); -1: the "
                              "insurances' cap (contribution_cap)", "", lo=0, hi=10, unset=-1, zero="none"),
        "annuity_rate": F("param", 0.0, "Employer enterprise annuity (企业年金) rate.", "", **RATE),
        "annuity_posts": F("vec", [0.0, 0.0, 1.0], "Post classes covered by the annuity (1 yes, 0 no).", "", size=3, **SHARE),
        "annuity_excellent": F("bool", False, "Also cover workers whose latest assessment rated them "
                               "excellent (last year's until this year's assessment, then this year's)."),
    },
    "economy": {
        "average_wage": F("float", 0.0, "Local average annual wage in the year before the start.", "yuan/year", lo=0, hi=1e8, zero="unknown"),
        "average_wage_growth": F("param", 0.0, "Yearly growth of the average wage: year y's rate takes the "
                                 "wage from y - 1 to y (pay in year y reads year y - 1's wage: the start "
                                 "year's reads economy.average_wage, the next year's that grown by the start "
                                 "year's rate).", "1/year", lo=-0.5, hi=1),
        "rural_disposable_income": F("float", 0.0, "Rural residents' per-capita disposable income (农村居民人均可支配收入) "
                                     "in the year before the start; a benchmark of district head floors.",
                                     "yuan/year per person", lo=0, hi=1e8, zero="unknown"),
        "rural_disposable_income_growth": F("param", 0.0, "Yearly growth of the rural disposable income.", "1/year",
                                            lo=-0.5, hi=1),
        "inflation": F("param", 0.0, "Yearly price inflation, for constant-price figures: year y's rate "
                       "takes prices from y - 1 to y.", "1/year", lo=-0.5, hi=1),
        "price_base_year": F("int", 0, "Base year of constant prices (0: the start year); for years "
                             "outside the horizon, the first (before the start) or last (after the end) "
                             "year's inflation is taken (a horizon cut short by --set years reads the "
                             "scenario's own rates up to the end its files give).", "year", lo=0, hi=2200),
    },
    "funding": {
        "city_subsidy_per_worker": F("param", 0.0, "City subsidy per worker-year.", "yuan/worker-year", lo=0, hi=1e8),
        "province_share": F("param", 0.0, "Province's share of total cost after the city subsidy.", "", **SHARE),
        "work_fund_urban": F("param", 0.0, "Work fund per urban community per year.",
                                "yuan/year per community", lo=0, hi=1e9),
        "work_fund_rural": F("param", 0.0, "Work fund per rural community per year.",
                                "yuan/year per community", lo=0, hi=1e9),
    },
    "metrics": {
        "certified_k": F("int", 3, "k for communities_certified_k_share (share with at least k certified).", "workers", lo=1, hi=100),
        "certified_k_level": F("int", 1, "Lowest certificate level counted by communities_certified_k_share "
                               "(1 assistant, 2 intermediate, 3 senior).", "level", lo=1, hi=3),
    },
}

DISTRICT = {
    "name": F("str", REQUIRED, "District name (snake_case: lower-case ASCII letters, digits and '_'; "
              "not 'urban' or 'rural', which name the scopes of urban and rural districts together; used "
              "in metric names)."),
    "communities": F("int", REQUIRED, "Communities in the district at the start.", "communities", lo=1, hi=10_000_000),
    "urban": F("bool", True, "Urban (true) or rural (false)."),
    "households_scale": F("float", 1.0, "A relative weight of the households per community: a "
                          "community's households are proportional to its district's scale, scaled so "
                          "that they add up to the city's (residents / persons_per_household); scales "
                          "1, 2, 1 give the middle district's communities 1.5 times the city mean.", "",
                          lo=0.01, hi=100),
    "floor_share": F("float", -1.0, "Pay floor for staff and committee posts, share of the average wage "
                     "on the basis pay.floor_basis (-1: the city's pay.floor_share).", "", lo=0, hi=10, unset=-1),
    "head_floor_share": F("float", -1.0, "Pay floor for heads in the district, as a multiple of last year's "
                          "head_floor_benchmark; replaces the city's head floor there (-1: the city's pay.floor_share; "
                          "0: no floor).", "", lo=0, hi=100, unset=-1),
    "head_floor_benchmark": F("str", "average_wage", "What head_floor_share multiplies: economy.average_wage or "
                              "economy.rural_disposable_income (yuan per year, last year's).",
                              choices=("average_wage", "rural_disposable_income")),
    "head_floor_basis": F("str", "gross", "What the head floor bounds: 'gross' pay, 'base' pay only (gross x "
                          "pay.base_share), or 'total' remuneration as pay.floor_basis 'total'.",
                          choices=("gross", "base", "total")),
    "certified_share": F("float", -1.0, "Share of the district's starting workers holding a certificate "
                         "(-1: the city's population.certificate mix); levels follow the city mix among its "
                         "certified (all assistants where the mix has none certified).", "", lo=0, hi=1,
                         unset=-1),
    "pass_prob_scale": F("float", 1.0, "Exam pass probabilities of the district's workers are multiplied "
                         "by this (the base probability and its bonuses together).", "", lo=0, hi=10),
    "label_zh": F("str", "", "The district's name in Chinese for reports and the workbook, e.g. 玄武区 "
                  "(empty: its name)."),
    "min_party_posts": F("int", -1, "Party-building staff posts per community in the district (-1: the "
                         "city's demand.min_party_posts).", "posts", lo=0, hi=100, unset=-1),
}

TARGET = {
    "name": F("str", REQUIRED, "Short label."),
    "metric": F("str", REQUIRED, "Metric name (see `python -m model metrics`)."),
    "year": F("int", REQUIRED, "Year the target refers to (end of year).", "year", lo=1990, hi=2200),
    "op": F("str", ">=", "Comparison (a value within a relative 1e-9 of the threshold counts as equal "
              "to it, so a binding pay floor meets >=, <= and ==).", choices=(">=", ">", "<=", "<", "==")),
    "threshold": F("float", REQUIRED, "Threshold.", "metric units", lo=-1e15, hi=1e15),
    "scope": F("str", "", "Part of the city: '' (all), 'urban', 'rural' or a district (its name, or its "
                "label_zh with or without 区 / 县 / 市: 玄武区 or 玄武)."),
    "source": F("str", "", "Seed document and line, or other source."),
    "label_zh": F("str", "", "The target's name in Chinese for reports and figures (empty: its name)."),
}

ARRAYS = {"districts": DISTRICT, "targets": TARGET}

MAX_REPS = int(SECTIONS["run"]["reps"].hi)
"""Most replications of one run (``[run] reps``, ``--reps``, ``model.run(reps=)``)."""
MAX_SEED = int(SECTIONS["run"]["seed"].hi)
"""Largest root seed (``[run] seed``, ``--seed``, ``model.run(seed=)``)."""


def did_you_mean(text: str, choices=None, cutoff: float = 0.75) -> str:
    """`` (did you mean 'pay.monthly'?)`` for a misspelt name, or "" when none of ``choices``
    is close. ``choices`` default: every field path (``section.key``) and top-level key."""
    import difflib
    if choices is None:
        choices = [f"{s}.{k}" for s, spec in SECTIONS.items() for k in spec]
        choices += [k for k in TOP if k != "extends"]
    near = difflib.get_close_matches(str(text), [c for c in choices if c != str(text)], n=1, cutoff=cutoff)
    return f" (did you mean '{near[0]}'?)" if near else ""  # never the very name given
