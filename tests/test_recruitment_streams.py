"""Recruitment with two applicant streams and a certificate holders' age limit.

The rule (model/policies/recruitment.py): an applicant of stream s (main, or exempt
with share ``exempt_share``) with age A, education E and certificate level L is
eligible when E >= min_education, L >= r_s and A <= (c_s if L >= l else a_s). The
tests check ``eligible_share`` against hand computations and against a brute-force sum
over every (stream, age, education, level), the law of the hires against the exact
conditional law, and that a scenario not using the new fields runs as before, bit for
bit.

Statistical tests run at a fixed seed, so they are reproducible; each states its
false-alarm rate under the model being right (the rate a fresh seed would fail).
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS, ns
from scipy import stats

import model
from model.policies import demand, dismissal, recruitment
from model.population import DISMISSED_CERT, Workforce
from model.sampling import bands_from_uniforms, shares_from_uniforms
from model.streams import Streams, uniforms_many

Y = 2025
GRADES = ns(enabled=True, certificate_bonus=[0, 1, 2, 3], max_grade=[12, 15, 18], min_grade=[1, 4, 7],
            entry_grade=[1, 1, 2, 3])

# the fields as they were before the streams existed (no exemption fields at all)
OLD = {"anticipate_exits": False, "pool_size": 0.0, "age": ((20, 29, 0.5), (30, 49, 0.5)), "female_share": 0.5,
       "cadre_share": 1.0, "education": [0.1, 0.6, 0.3, 0.0], "certificate": [0.6, 0.3, 0.1, 0.0],
       "max_age": 34.0, "min_education": 1.0, "certificate_required_from": 0, "cap": 0.0, "extra_hires": 0.0,
       "cost_per_hire": 100.0}
# the new fields at their schema defaults
DEFAULTS = {"max_age_certified": 0.0, "max_age_certified_level": 1, "exempt_share": 0.0, "exempt_age": None,
            "exempt_certificate": None, "exempt_max_age": 0.0, "exempt_certificate_required": False,
            "freeze_years": ()}
# a mixed rule: certificate holders up to 44; a quarter of applicants exempt, aged 30-59,
# up to 39 (44 if certified), half of them certified
MIXED = {"max_age_certified": 44.0, "max_age_certified_level": 1, "exempt_share": 0.25,
         "exempt_age": ((30, 59, 1.0),), "exempt_certificate": [0.5, 0.5, 0.0, 0.0], "exempt_max_age": 39.0,
         "exempt_certificate_required": False}


def params(**kw):
    return ns(**{**OLD, **DEFAULTS, **kw})


def comm_of(posts):
    c = demand.Communities(np.full(len(posts), 1000.0), np.zeros(len(posts)), [True])
    c.posts = np.asarray(posts)
    c.party_posts = np.zeros(len(posts), int)
    return c


def keyed(seed=777):
    return Streams(seed, 0).get("recruitment", 0)


# ------------------------------------------------------------ the exact law, by brute force
def age_pmf(bands) -> dict:
    w = np.array([b[2] for b in bands], dtype=float)
    w = w / w.sum()
    out = {}
    for (lo, hi, _), wb in zip(bands, w):
        for a in range(lo, hi + 1):
            out[a] = out.get(a, 0.0) + wb / (hi - lo + 1)
    return out


def joint_law(p, year):
    """Probability of every (stream, age, education, level) and whether it is eligible,
    written straight from the rule, independently of the module's branches."""
    streams = [(0, 1 - p.exempt_share, p.age, p.certificate)]
    if p.exempt_share > 0:
        streams.append((1, p.exempt_share, p.exempt_age or p.age,
                        p.certificate if p.exempt_certificate is None else p.exempt_certificate))
    required = 1 if (p.certificate_required_from and year >= p.certificate_required_from) else 0
    rows = []
    for s, w, bands, cert in streams:
        limit = p.max_age if s == 0 else max(p.max_age, p.exempt_max_age)
        r = required if (s == 0 or p.exempt_certificate_required) else 0
        for a, pa in age_pmf(bands).items():
            for e, pe in enumerate(p.education):
                for lv, pl in enumerate(cert):
                    top = max(limit, p.max_age_certified) if lv >= p.max_age_certified_level else limit
                    ok = e >= p.min_education and lv >= r and a <= top
                    rows.append((s, a, e, lv, w * pa * pe * pl, ok))
    return rows


def brute_eligible(p, year) -> float:
    return sum(q for *_, q, ok in joint_law(p, year) if ok)


# ------------------------------------------------------------ eligible_share
# Main stream (3/4): ages 20-29 (half) and 30-49 (half): F(34) = 0.5 + 0.5 * 5/20 = 0.625,
# F(44) = 0.875; certificates 0.6 / 0.3 / 0.1. Exempt stream (1/4): ages 30-59: F(39) = 1/3,
# F(44) = 1/2; certificates 0.5 / 0.5. College or above: 0.9.
@pytest.mark.parametrize("kw, year, expected", [
    # no certificate rule: main 0.625*0.6 + 0.875*0.4 = 0.725, exempt 1/3*0.5 + 1/2*0.5 = 5/12
    ({}, Y, 0.9 * (0.75 * 0.725 + 0.25 * 5 / 12)),
    # certificate required, exempt stream exempt: main 0.875*0.4 = 0.35, exempt 5/12
    ({"certificate_required_from": Y}, Y, 0.9 * (0.75 * 0.35 + 0.25 * 5 / 12)),
    # the rule starts next year: as without it
    ({"certificate_required_from": Y + 1}, Y, 0.9 * (0.75 * 0.725 + 0.25 * 5 / 12)),
    # the exempt stream needs a certificate too: exempt 1/2*0.5 = 0.25
    ({"certificate_required_from": Y, "exempt_certificate_required": True}, Y, 0.9 * (0.75 * 0.35 + 0.25 * 0.25)),
    # only intermediate or above may be 44: main 0.625*0.9 + 0.875*0.1 = 0.65, exempt 1/3
    ({"max_age_certified_level": 2}, Y, 0.9 * (0.75 * 0.65 + 0.25 / 3)),
    # no certificate holders' limit: main 0.625, exempt 1/3
    ({"max_age_certified": 0.0}, Y, 0.9 * (0.75 * 0.625 + 0.25 / 3)),
    # only the certificate holders' limit (one stream): 0.725
    ({"exempt_share": 0.0}, Y, 0.9 * 0.725),
])
def test_eligible_share_by_hand(kw, year, expected):
    p = params(**{**MIXED, **kw})
    assert recruitment.eligible_share(p, year) == pytest.approx(expected, rel=1e-12)
    assert recruitment.eligible_share(p, year) == pytest.approx(brute_eligible(p, year), rel=1e-12)


def test_eligible_share_by_brute_force_over_many_rules():
    """Every combination of limits, levels and requirements (and a lumpy age mix)."""
    for cert_limit in (0.0, 30.0, 39.0, 44.0, 60.0):
        for exempt_limit in (0.0, 36.0, 44.0):
            for lvl in (1, 2, 3):
                for req in (0, Y):
                    for exempt_req in (False, True):
                        p = params(**{**MIXED, "max_age_certified": cert_limit, "exempt_max_age": exempt_limit,
                                      "max_age_certified_level": lvl, "certificate_required_from": req,
                                      "exempt_certificate_required": exempt_req,
                                      "exempt_certificate": [0.4, 0.3, 0.2, 0.1],
                                      "exempt_age": ((22, 24, 3.0), (25, 50, 1.0), (51, 51, 2.0))})
                        assert recruitment.eligible_share(p, Y) == pytest.approx(brute_eligible(p, Y), rel=1e-12)


# ------------------------------------------------------------ the hires' law
def hire(p, n, rng=None, year=Y):
    pop = Workforce(16)
    rows, c = recruitment.apply(pop, comm_of([n]), p, GRADES, keyed() if rng is None else rng, year + 0.0, year)
    return pop, rows, c


@pytest.mark.parametrize("kw", [{}, {"certificate_required_from": Y}, {"max_age_certified_level": 2}])
def test_hires_follow_the_conditional_law(kw):
    """(age, level) of 40,000 hires against the exact law of an applicant given that they
    are eligible (chi-square, cells with expected count >= 5, the rest pooled), the share
    hired through the exempt stream against its conditional probability (binomial,
    two-sided) and education (chi-square). Each test at alpha = 0.001: a false alarm
    for 0.1% of seeds per test."""
    p = params(**{**MIXED, **kw})
    n = 40_000
    pop, rows, c = hire(p, n)
    assert c["hires"] == n
    law = [r for r in joint_law(p, Y) if r[5]]
    total = sum(r[4] for r in law)
    cells: dict = {}
    for s, a, e, lv, q, _ in law:
        cells[(a, lv)] = cells.get((a, lv), 0.0) + q / total
    age, level = pop.age(Y)[rows], pop.level[rows]
    keys = list(cells)
    exp = np.array([cells[k] for k in keys]) * n
    obs = np.zeros(len(keys))
    index = {k: i for i, k in enumerate(keys)}
    pairs, counts = np.unique(np.stack([age, level], axis=1), axis=0, return_counts=True)
    for (a, lv), cnt in zip(pairs, counts):
        assert (int(a), int(lv)) in index, f"hire aged {a} with level {lv} is not eligible"
        obs[index[(int(a), int(lv))]] = cnt
    big = exp >= 5
    o = np.append(obs[big], obs[~big].sum())
    x = np.append(exp[big], exp[~big].sum())
    if x[-1] == 0:
        o, x = o[:-1], x[:-1]
    assert stats.chisquare(o, x).pvalue > 0.001
    # the stream
    p_exempt = sum(r[4] for r in law if r[0] == 1) / total
    assert 0 < c["hires_exempt"] < n
    assert stats.binomtest(c["hires_exempt"], n, p_exempt).pvalue > 0.001
    # education: independent of the rest, truncated at min_education
    edu = np.bincount(pop.education[rows], minlength=4)
    pe = np.array(p.education, dtype=float)
    pe[: int(p.min_education)] = 0
    keep = pe > 0
    assert edu[~keep].sum() == 0
    assert stats.chisquare(edu[keep], pe[keep] / pe.sum() * n).pvalue > 0.001


def test_over_the_age_limit_only_certified_hires():
    """Only certificate holders are exempt (one stream): every hire above max_age holds a
    certificate of at least max_age_certified_level, none is above max_age_certified, and
    some are above max_age."""
    for lvl in (1, 2):
        p = params(max_age=30.0, max_age_certified=40.0, max_age_certified_level=lvl,
                   certificate=[0.5, 0.3, 0.2, 0.0], age=((22, 45, 1.0),))
        pop, rows, c = hire(p, 5000)
        age, level = pop.age(Y)[rows], pop.level[rows]
        old = age > 30
        assert old.sum() > 100 and age.max() == 40
        assert (level[old] >= lvl).all()
        assert (level[~old] < lvl).any()  # the young are not all certified
        assert c["hires_exempt"] == 0


def test_exempt_stream_hired_without_certificate():
    """Certificate required; the exempt stream holds none: the uncertified hires are
    exactly the exempt ones. When the rule covers the exempt stream too, nobody of it is
    eligible and every hire is certified."""
    base = {"certificate_required_from": Y, "exempt_share": 0.3, "exempt_certificate": [1.0, 0.0, 0.0, 0.0]}
    pop, rows, c = hire(params(**base), 3000)
    level = pop.level[rows]
    assert c["hires_exempt"] == (level == 0).sum() > 0
    pop, rows, c = hire(params(**base, exempt_certificate_required=True), 3000)
    assert c["hires_exempt"] == 0 and (pop.level[rows] >= 1).all()


def test_exempt_hires_face_the_certificate_deadline():
    """An exempt hire without a certificate is an ordinary uncertified worker: the
    dismissal rule 'no certificate within 3 years' removes them at the end of year 3."""
    p = params(certificate_required_from=Y, exempt_share=0.3, exempt_certificate=[1.0, 0.0, 0.0, 0.0])
    pop, _, c = hire(p, 500)
    rule = ns(consecutive_unqualified=0, cumulative_unqualified=0, certificate_deadline=3,
              certificate_deadline_from=0)
    dismissal.apply(pop, rule, Y + 2.0)  # hired 1 January Y: two years at the end of Y + 1
    assert (pop.exit_cause == 0).all()
    dismissal.apply(pop, rule, Y + 3.0)  # three at the end of Y + 2
    gone = pop.exit_cause == DISMISSED_CERT
    assert gone.sum() == c["hires_exempt"] > 0 and (pop.level[gone] == 0).all()


def test_pool_of_applicants_is_binomial_in_the_mixed_share():
    """Eligible applicants ~ Binomial(N, p_eligible) with the two-stream share: the mean of
    300 draws within 4 standard errors (false alarm 6e-5)."""
    p = params(**MIXED, pool_size=200.0, certificate_required_from=Y)
    q = recruitment.eligible_share(p, Y)
    got = [hire(p, 1000, np.random.default_rng(s))[2]["hires"] for s in range(300)]
    assert abs(np.mean(got) - 200 * q) < 4 * np.sqrt(200 * q * (1 - q) / 300)


def test_the_branch_draw_leaves_the_other_draws_alone():
    """With exemptions the same posts get the same sex, birthday and ability draws (common
    random numbers in a paired comparison)."""
    a_pop, a_rows, _ = hire(params(), 2000)
    b_pop, b_rows, _ = hire(params(**MIXED), 2000)
    for col in ("uid", "female", "ability", "community"):
        assert np.array_equal(getattr(a_pop, col)[a_rows], getattr(b_pop, col)[b_rows])
    assert np.array_equal(a_pop.birth[a_rows] % 1, b_pop.birth[b_rows] % 1)


# ------------------------------------------------------------ nothing changes without the fields
def test_without_the_fields_draws_are_as_before():
    """A parameter namespace without the new fields, one with them at their defaults, and
    one with a certificate holders' limit not above max_age all hire the same people, and
    these are the people of the one-stream rule (eight keyed uniforms: age band and age,
    education, level, ...), keyed and with a plain Generator."""
    for make_rng in (keyed, lambda: np.random.default_rng(5)):
        old = ns(**{**OLD, "certificate_required_from": Y})
        runs = [hire(p, 3000, make_rng()) for p in
                (old, params(certificate_required_from=Y),
                 params(certificate_required_from=Y, max_age_certified=34.0, exempt_age=((50, 60, 1.0),),
                        exempt_certificate=[0.0, 0.0, 0.0, 1.0], exempt_max_age=60.0))]
        pop0, rows0, c0 = runs[0]
        for pop, rows, c in runs[1:]:
            assert c == c0
            for col in ("uid", "birth", "female", "cadre", "education", "level", "grade", "ability", "community"):
                assert np.array_equal(getattr(pop, col)[rows], getattr(pop0, col)[rows0]), col
    # the one-stream rule, written out
    pop, rows, _ = hire(ns(**{**OLD, "certificate_required_from": Y}), 3000)
    u = uniforms_many(keyed(), pop.uid[rows], 1, 8)
    assert np.array_equal(pop.age(Y)[rows], bands_from_uniforms(OLD["age"], u[0], u[1], upper=34.0))
    assert np.array_equal(pop.education[rows], shares_from_uniforms(OLD["education"], u[2], at_least=1))
    assert np.array_equal(pop.level[rows], shares_from_uniforms(OLD["certificate"], u[3], at_least=1))


def test_scenario_without_the_fields_runs_as_with_them_at_defaults():
    """bench.toml (no exemption fields) gives bit-identical results to the same scenario
    with every new field written out at a value that changes nothing."""
    sc = model.load(SCENARIOS / "bench.toml")
    explicit = sc.with_overrides({
        "recruitment.max_age_certified": 0, "recruitment.max_age_certified_level": 1,
        "recruitment.exempt_share": 0.0, "recruitment.exempt_max_age": 0,
        "recruitment.exempt_certificate_required": False,
        "recruitment.exempt_age": [[50, 60, 1.0]], "recruitment.exempt_certificate": [0.0, 0.0, 0.0, 1.0]})
    assert explicit.hash != sc.hash
    a = model.run(sc, reps=2, seed=11, workers=1)
    b = model.run(explicit, reps=2, seed=11, workers=1)
    assert np.array_equal(a.values, b.values, equal_nan=True)
    # and the fields do act when set
    c = model.run(sc.with_overrides({"recruitment.exempt_share": 0.5,
                                     "recruitment.exempt_certificate": [0.0, 0.0, 0.0, 1.0]}),
                  reps=2, seed=11, workers=1)
    assert not np.array_equal(a.values, c.values, equal_nan=True)


def test_place_scenarios_use_the_streams():
    """Yichang admits uncertified social-work graduates from 2022; Jilin relaxes its age
    limit for certificate holders and the exempt groups (seeds 004 and 003)."""
    from model.engine import year_parameters
    yc = model.load(SCENARIOS / "yichang-2021.toml")
    P = year_parameters(yc, None)
    p22 = P[1].recruitment
    assert p22.exempt_share > 0 and not p22.exempt_certificate_required
    no_exempt = ns(**{**vars(p22), "exempt_share": 0.0})
    assert recruitment.eligible_share(p22, 2022) > recruitment.eligible_share(no_exempt, 2022)
    jl = model.load(SCENARIOS / "jilin-2020.toml")
    p20 = year_parameters(jl, None)[0].recruitment
    assert p20.max_age_certified > p20.max_age and p20.exempt_max_age > p20.max_age
    pop, rows, c = hire(ns(**{**vars(p20), "cap": 0.0, "pool_size": 0.0}), 5000, year=2020)
    age = pop.age(2020)[rows]
    assert age.max() <= 45 and (age > 40).any() and c["hires_exempt"] > 0


def test_validation_counts_the_exempt_stream(tmp_path):
    """Rules that only the exempt stream can meet are valid scenarios; without the
    exemption the same rules are one clear error."""
    from conftest import write_scenario
    from model.errors import ScenarioError
    base = '''extends = "@SCENARIOS@/bench.toml"
[recruitment]
age = [[41, 50, 1.0]]
max_age = 40
certificate = [1.0, 0.0, 0.0, 0.0]
certificate_required_from = 2026
'''
    with pytest.raises(ScenarioError, match="recruitment.max_age"):
        model.load(write_scenario(tmp_path, base, "plain.toml"))
    ok = base + '''exempt_share = 0.2
exempt_age = [[22, 30, 1.0]]
exempt_max_age = 35
'''
    sc = model.load(write_scenario(tmp_path, ok, "exempt.toml"))
    assert sc.recruitment.exempt_share.resolve([2025])[0] == pytest.approx(0.2)
