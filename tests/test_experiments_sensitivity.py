"""Tests for ``sensitivity`` (model.experiments.sensitivity): one-at-a-time swings against
the benchmark's closed form, and Sobol indices where the answer is known exactly.

The closed form of the certified share after one year of the benchmark is derived in
tests/test_experiments_solve.py: ``x(p) = (4.3 + 6 p) / (5.98 + 4.2 p)``.

Two uncertain parameters are declared: the exam pass probability (beta) and pay growth
(normal). Pay growth first acts in the second year and quits do not depend on pay here
(``pay_elasticity = 0``), so in year one it cannot move the certified share: with common
random numbers its effects are exactly zero.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

import model
from model.cli import main as cli
from model.errors import UserError
from model.experiments.sensitivity import factors_from, sensitivity

UNCERTAIN = {"certification.pass_prob": {"dist": "beta", "mean": 0.3, "sd": 0.05},
             "pay.growth": {"dist": "normal", "mean": 0.03, "sd": 0.01}}


def share(p):
    return (4.3 + 6 * p) / (5.98 + 4.2 * p)


def scenario(communities=100):
    return model.load("bench", {"demand.communities": communities, "years": 1, **UNCERTAIN})


def test_factors_default_to_the_uncertain_parameters_quantiles():
    sc = scenario()
    f = {x.lever.name: x for x in factors_from(sc)}
    assert set(f) == set(UNCERTAIN)
    lo, hi = sc.uncertain()["certification.pass_prob"].interval(0.05)
    assert (f["certification.pass_prob"].low, f["certification.pass_prob"].high) == (lo, hi)
    u = sc.uncertain()["pay.growth"].frozen()
    assert f["pay.growth"].low == pytest.approx(u.ppf(0.05))
    with pytest.raises(UserError, match="declares no uncertain parameters"):
        factors_from(model.load("bench"))


def test_one_at_a_time_swing_matches_the_closed_form():
    """The paired difference of the certified share between pass probability ``hi`` and
    ``lo`` is expected to be ``x(hi) - x(lo)`` (ratio-of-means bias O(1/1000) cancels to
    well below the error). Tolerance: 4 paired standard errors (the paired 95% interval
    half-width / t_{0.975, R-1} gives one); false-alarm rate ~ 1e-4. Pay growth's swing
    is exactly zero."""
    s = sensitivity(scenario(), "certified_share", reps=30, seed=5)
    oat = s.oat.set_index("parameter")
    r = oat.loc["certification.pass_prob"]
    expected = share(r.high) - share(r.low)
    from scipy import stats
    se = (r.difference_high - r.difference) / stats.t.ppf(0.975, 29)
    assert abs(r.difference - expected) <= 4 * se, (r.difference, expected, se)
    g = oat.loc["pay.growth"]
    assert g.swing == 0 and g.difference_low == 0 and g.difference_high == 0
    assert list(s.oat.parameter) == ["certification.pass_prob", "pay.growth"]   # widest first


def test_sobol_indices_of_an_inert_factor_are_exactly_zero():
    """Under CRN the output is a function of the pass probability alone. Then SALib's
    estimators give exactly 0 for pay growth (f(A_B) = f(A) term by term), and for the
    pass probability the total index estimates 1: assert within its 95% bootstrap
    half-width times 2 (~4 sd; false alarm ~ 1e-4)."""
    s = sensitivity(scenario(50), "certified_share", reps=2, seed=5, sobol=32, sobol_reps=1)
    sob = s.sobol.set_index("parameter")
    assert sob.loc["pay.growth", "S1"] == 0 and sob.loc["pay.growth", "ST"] == 0
    st = sob.loc["certification.pass_prob"]
    assert abs(st.ST - 1) <= 2 * st.ST_conf, st
    assert len(s.samples) == 32 * (2 + 2)
    assert s.samples["certification.pass_prob"].between(0, 1).all()
    assert any(n.startswith("32 base samples give rough Sobol indices") for n in s.notes)  # below 64


def test_an_index_outside_zero_one_is_said_to_be_sampling_error():
    """With 8 base samples the quit rate's indices come out above 1 (S1 1.48, ST 1.52 at
    this seed: a share of the variance cannot be): the note names both, and not the pass
    probability's exact zeros (inert for quits)."""
    sc = model.load("bench", {"demand.communities": 20, "years": 1})
    s = sensitivity(sc, "exits_quit@2025", {"quits.rate": (0.02, 0.2), "certification.pass_prob": (0.1, 0.4)},
                    reps=2, seed=20250101, sobol=8, sobol_reps=1, workers=1)
    sob = s.sobol.set_index("parameter")
    assert sob.loc["quits.rate", "S1"] > 1.05 and sob.loc["quits.rate", "ST"] > 1.05
    assert (sob.loc["certification.pass_prob", ["S1", "ST"]] == 0).all()
    (said,) = [n for n in s.notes if "an index is a share of the variance" in n]
    assert said.startswith(f"S1 {sob.loc['quits.rate', 'S1']:.3g} of quits.rate, ST "
                           f"{sob.loc['quits.rate', 'ST']:.3g} of quits.rate: ")
    assert "pass_prob" not in said
    s1 = sob.S1.sum()
    assert f"the first-order indices add up to {s1:.2f}" in " ".join(s.notes) and s1 > 1.05
    assert not any("only the scenario's" in n for n in s.notes)  # the inputs were given


def test_the_default_inputs_are_said_to_leave_the_fixed_ones_out():
    """Without --param the scenario's uncertain inputs are varied, and the note says its
    fixed ones are not (an audit found the average wage's growth, fixed in Nanjing, swinging
    the payroll more than any input the default varied)."""
    s = sensitivity(scenario(20), "exits_quit@2025", reps=2, seed=1, sobol=0, workers=1)
    (said,) = [n for n in s.notes if n.startswith("only the scenario's")]
    assert f"only the scenario's uncertain inputs ({len(UNCERTAIN)}) are varied" in said and "--param" in said


def test_sobol_rejects_a_sample_size_not_a_power_of_two(monkeypatch):
    from model.experiments import common
    ran = []
    monkeypatch.setattr(common, "run_many", lambda *a, **k: ran.append(a) or [])
    with pytest.raises(UserError, match="power of 2"):
        sensitivity(scenario(20), "certified_share", reps=1, seed=1, sobol=10)
    assert ran == []  # before the one-at-a-time runs


def test_cli_sensitivity_with_ranges_writes_tornado(tmp_path, capsys):
    out = tmp_path / "s"
    assert cli(["sensitivity", "bench", "--param", "certification.pass_prob=0.2,0.4", "--param",
                "quits.rate=0.05,0.1", "--metric", "certified_share", "--reps", "3", "--sobol", "8",
                "--sobol-reps", "1", "--out", str(out), "--set", "demand.communities=30", "--set", "years=1",
                "--quiet"]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"one_at_a_time.csv", "tornado.png", "sobol.csv", "sobol_samples.csv", "metrics.csv",
            "manifest.json"} <= names
    assert (out / "metrics.csv").read_text().splitlines()[1].startswith("certified_share,share,")
    assert json.loads((out / "manifest.json").read_text())["output_unit"] == "share"
    assert "One at a time" in capsys.readouterr().out
    bad = tmp_path / "bad"
    assert cli(["sensitivity", "bench", "--out", str(bad), "--set", "years=1"]) == 2
    assert "no uncertain parameters" in capsys.readouterr().err
    assert not bad.exists()


def test_a_targets_probability_has_an_interval_for_paired_proportions(tmp_path):
    """For a target's probability the one-at-a-time difference carries Newcombe's paired
    interval (as compare does): within [-1, 1], containing the difference, and of nonzero
    width even with 3 replications. A t-interval on 0/1 outcomes printed [-110%, 177%]
    for 3 replications, or a zero-width [0%, 0%] when no replication changed outcome."""
    from conftest import write_scenario
    f = write_scenario(tmp_path, 'extends = "@SCENARIOS@/bench.toml"\nname = "t"\nyears = 1\n\n'
                                 "[demand]\ncommunities = 50\n\n[certification]\n"
                                 'pass_prob = {dist = "uniform", low = 0.2, high = 0.5}\n\n'
                                 '[[targets]]\nname = "certified"\nmetric = "certified_share"\nyear = 2025\n'
                                 'op = ">="\nthreshold = 0.66\nsource = "test"\n')
    s = sensitivity(model.load(f), "certified", reps=3, seed=3)
    assert s.output.is_probability
    r = s.oat.iloc[0]
    assert -1 <= r.difference_low <= r.difference <= r.difference_high <= 1
    assert r.difference_high > r.difference_low


def test_sobol_takes_a_whole_number_factor_as_its_whole_numbers():
    """A whole-number factor (the certificate deadline, 1-4 years) gets whole values at
    the Sobol points, each equally likely; it was refused ('is a whole number; got
    2.57785') after the one-at-a-time runs."""
    import numpy as np

    from model.experiments.common import Lever
    from model.experiments.sensitivity import Factor, _sobol_values
    f = Factor(Lever.parse("dismissal.certificate_deadline"), 1, 4, None)
    u = (np.arange(4000) + 0.5) / 4000
    v = _sobol_values(f, u)
    assert set(np.unique(v)) == {1.0, 2.0, 3.0, 4.0} and (np.bincount(v.astype(int))[1:] == 1000).all()
    s = sensitivity(scenario(30), "certified_share", {"dismissal.certificate_deadline": (1, 4),
                                                      "certification.pass_prob": (0.2, 0.4)},
                    reps=2, seed=3, sobol=4, sobol_reps=1)
    assert s.sobol is not None and set(s.samples["dismissal.certificate_deadline"]) <= {1.0, 2.0, 3.0, 4.0}


def test_a_total_index_below_its_first_order_one_is_said_to_be_sampling_error(monkeypatch):
    """SALib's estimates can put a factor's total index below its first-order one (an audit
    saw it at 50 replications), which a share of variance that includes the first-order
    effect cannot be: beyond their two intervals, the note names the factor, and only it
    (the other's ST 0.18 below its S1 0.2 lies within them: sampling error not shown).
    SALib's answer is stood in for here, since no small run gives it at a fixed seed."""
    from SALib.analyze import sobol as sobol_analyze
    fake = {"S1": np.array([0.7, 0.2]), "S1_conf": np.array([0.05, 0.05]),
            "ST": np.array([0.5, 0.18]), "ST_conf": np.array([0.05, 0.05])}
    monkeypatch.setattr(sobol_analyze, "analyze", lambda *a, **k: fake)
    s = sensitivity(scenario(20), "certified_share", reps=1, seed=1, sobol=8, sobol_reps=1, workers=1)
    (said,) = [n for n in s.notes if "a total index below its first-order one" in n]
    first = s.sobol.parameter[s.sobol.ST == 0.5].iloc[0]  # the factor given S1 0.7, ST 0.5
    assert said.split(": ")[0] == first and not any("add up to" in n for n in s.notes)  # S1 sum 0.9


def test_the_replications_own_noise_is_said_where_it_is_a_share_of_the_variance():
    """Year-2 quits of 200 posts: one replication's count varies about its mean (binomially:
    variance 200 q (1 - q), 15 at the scenario's q = 0.08); with one replication a Sobol
    point, that noise is in the output's variance over the points, which SALib's intervals
    take for the factors' effect. The note gives its share: the one-at-a-time runs' mean
    variance across replications (recomputed here from runs of the same points, seed and
    replications) over the variance of the Sobol points' outputs. The community count moves
    posts (10 a community) with no noise: no such note."""
    import re

    import numpy as np
    sc = model.load("bench", {"demand.communities": 20, "years": 2})
    ranges = {"quits.rate": (0.05, 0.15), "certification.pass_prob": (0.1, 0.5)}
    s = sensitivity(sc, "exits_quit@2026", ranges, reps=20, seed=3, sobol=32, sobol_reps=1, workers=1)
    (said,) = [n for n in s.notes if "the replications' own noise" in n]
    points = [sc] + [sc.with_overrides({k: [v] if k == "quits.rate" else v})
                     for k, r in ranges.items() for v in r]
    noise = np.mean([model.run(x, reps=20, seed=3, workers=1).at("exits_quit", 2026).var(ddof=1)
                     for x in points])
    assert noise > 5  # binomial: 9.5 to 26.5 over the points
    share = noise / np.var(s.samples.output.to_numpy())
    assert re.search(r"up to about (\d+)% of the variance", said).group(1) == f"{share * 100:.0f}", said
    s = sensitivity(sc, "posts@2025", {"demand.communities": (10, 30)}, reps=4, seed=3, sobol=16,
                    sobol_reps=1, workers=1)
    assert not any("the replications' own noise" in n for n in s.notes), s.notes


def test_with_several_replications_a_point_the_noise_is_their_spread_at_the_points():
    """The scenario's own uncertain inputs (the quit rate and the death rate) as factors, 4
    replications a Sobol point: the note's share is the replications' variance at each point
    (every factor fixed there), averaged over the points, over 4, over the variance of the
    points' outputs, recomputed here by running the points. It had been the one-at-a-time
    runs' variance, which draw the other uncertain input per replication: some 25 times the
    noise (29% where it was 1.2%, found by an audit), casting doubt on real effects."""
    import re

    import numpy as np

    from model.experiments import common
    sc = model.load("bench", {"demand.communities": 20, "years": 2,
                              "quits.rate": [{"dist": "uniform", "low": 0.02, "high": 0.3}],
                              "quits.death_rate": {"dist": "uniform", "low": 0.0, "high": 0.2}})
    s = sensitivity(sc, "headcount@2026", reps=10, seed=3, sobol=16, sobol_reps=4, workers=1)
    levers = [f.lever for f in s.factors]
    x = s.samples[[lv.name for lv in levers]].to_numpy()
    within = np.mean([model.run(common.apply_levers(sc, levers, row), reps=4, seed=3, workers=1)
                      .at("headcount", 2026).var(ddof=1) for row in x])
    share = within / 4 / np.var(s.samples.output.to_numpy())
    said = [n for n in s.notes if "the replications' own noise" in n]
    if share > 0.01:
        (said,) = said
        assert re.search(r"noise is about (\d+)% of the variance", said).group(1) == f"{share * 100:.0f}", said
    else:
        assert not said, (share, said)
    assert share < 0.05  # the noise of 200 workers' count against quit rates of 2-30% and deaths of 0-20%


def test_an_output_undefined_everywhere_is_said_so():
    """bench has no grade ladder: mean_grade is NaN in every run, and the message says every
    Sobol point, not some."""
    sc = model.load("bench", {"demand.communities": 20, "years": 1})
    with pytest.raises(UserError, match="undefined \\(NaN\\) at every Sobol point"):
        sensitivity(sc, "mean_grade@2025", {"quits.rate": (0.05, 0.15), "certification.pass_prob": (0.1, 0.4)},
                    reps=2, seed=1, sobol=8, sobol_reps=1, workers=1)


def test_an_output_undefined_at_one_end_is_said_so():
    """No posts at the low end (0 a community): the certified share has no workers to be a
    share of, NaN; the note says its swing is unknown, and names that end only."""
    sc = model.load("bench", {"demand.communities": 20, "years": 1})
    s = sensitivity(sc, "certified_share@2025", {"demand.posts_per_community": (0, 3)}, reps=2, seed=1,
                    sobol=0, workers=1)
    (said,) = [n for n in s.notes if "is undefined (NaN) in every replication" in n]
    assert "demand.posts_per_community's low (0): its swing is unknown" in said and "high" not in said
