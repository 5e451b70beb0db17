"""Solve for the least (or greatest) lever value that meets a target with a given probability.

The question "what is the smallest exam pass rate / training share / hiring cap for which
P(certified_share >= 0.6 in 2024) >= 0.9?" is a root search on the estimated probability

    P(v) = (1/R) sum_r 1[target met in replication r with the lever at v].

Every value tried runs the same ``R`` replications with the same seed (common random
numbers), so ``P(v)`` is a step function of ``v`` that is monotone whenever each
replication's outcome is (e.g. a higher pass probability can only add passes: the
exam's uniforms are fixed). The search is a bisection:

* ``direction="least"`` (``P`` increasing in the lever): the answer is the least ``v`` in
  ``[lo, hi]`` with ``P(v) >= prob``; none exists when ``P(hi) < prob``.
* ``direction="greatest"`` (``P`` decreasing, e.g. an elimination share): the greatest
  ``v`` with ``P(v) >= prob``; none exists when ``P(lo) < prob``.

The bracket halves until it is narrower than ``tol`` (whole numbers: until it is 1; so
for the counts the model rounds half up, such as a hiring cap or training capacity). The
answer is the end of the bracket that meets the target, with its achieved probability
and 95% Wilson interval; values tried and replications used are reported. Because ``P``
is estimated from ``R`` replications, the answer carries Monte Carlo error, which the
bracket does not show (it only says where the bisection stopped): the answer's *Monte
Carlo range* is reported too, between the nearest values tried whose 95% Wilson
interval lies wholly on the failing side of ``prob`` and wholly on the meeting side (a
range end where no value tried is that clear). A larger ``R`` narrows it.

The search assumes ``P`` monotone in the lever; a target met only in a middle range
(``==``, or a lever that helps and then harms) needs a sweep instead.

Command line::

    python -m model solve SCENARIO --lever certification.pass_prob --range 0,0.9 \\
        --target "certified_share>=0.6@2024" --prob 0.9 [--greatest]
"""

from __future__ import annotations

import math
import shlex
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import UserError, number_in, whole_number
from . import common


@dataclass
class Solution:
    """The solved lever value.

    Attributes
    ----------
    lever : str
    value : float or int
        Least (or greatest) value found for which the target's probability is at least
        ``prob`` (an int for a whole-number lever, as calibrate gives it).
    probability, probability_low, probability_high : float
        Estimated probability at ``value`` and its 95% Wilson interval.
    prob : float
        Required probability.
    direction : {"least", "greatest"}
    bracket : (float, float)
        Final bracket: one end meets the requirement, the other does not (equal ends when
        the range's own end already meets it).
    value_low, value_high : float
        The answer's Monte Carlo range (see the module docstring).
    tol : float
        The bracket width asked for (for a whole-number lever at least 1, its default).
    evaluations : int
        Lever values run.
    runs : int
        Replications run in all (``evaluations * reps``).
    reps, seed : int
    trace : pandas.DataFrame
        One row per value tried: ``step, value, probability, probability_low,
        probability_high, hits, reps, meets, mean`` (the target metric's mean).
    target_label : str
    results : model.Results
        The run at ``value``.
    baseline : model.Results
        The scenario as it stands, on the same seed (common random numbers): what
        :meth:`effects` compares the answer with.
    ran_on : dict
        Where the runs ran (the values tried and the baseline), as the manifest records it:
        ``backend``, ``workers`` and ``scheduler`` (:func:`model.runner.where_ran`).
    """

    lever: str
    value: float
    probability: float
    probability_low: float
    probability_high: float
    prob: float
    direction: str
    bracket: tuple
    evaluations: int
    runs: int
    reps: int
    seed: int
    trace: pd.DataFrame
    target_label: str
    results: object = field(default=None, repr=False)
    value_low: float = math.nan
    value_high: float = math.nan
    tol: float = math.nan
    output: object = field(default=None, repr=False)
    baseline: object = field(default=None, repr=False)
    ran_on: dict = field(default_factory=dict, repr=False)

    EFFECT_METRICS = ("headcount", "unfilled_posts", "payroll")
    """Metrics :meth:`effects` gives in the target's year besides the scenario's targets."""

    def effects(self) -> pd.DataFrame:
        """What the answer changes, on the same random numbers: the probability of the
        target solved for (where it is not one of the scenario's own), of each of the
        scenario's targets, and the mean headcount, posts left unfilled (an answer may buy its
        share by hiring fewer) and payroll in the target's year, as the
        scenario stands (``baseline``) and at the answer (``answer``), with the paired
        difference, its standard error (replication by replication: the common random
        numbers make it precise; NaN from one replication) and its 95% interval (a paired
        t-interval; for a target, met or not in each replication, Newcombe's interval for
        paired proportions, :func:`model.results.paired_proportions`, which has width where
        the t-interval has none: every replication changing outcome the same way). Columns:
        ``kind`` (target, metric), ``name``, ``metric``, ``year``, ``baseline``,
        ``answer``, ``difference``, ``difference_se``, ``difference_low``,
        ``difference_high``."""
        cols = ["kind", "name", "metric", "year", "baseline", "answer", "difference", "difference_se",
                "difference_low", "difference_high"]
        if self.baseline is None or self.results is None:
            return pd.DataFrame(columns=cols)
        base, ans, rows = self.baseline, self.results, []

        def row(kind, name, metric, year, a, b):
            a, b = np.asarray(a, float), np.asarray(b, float)
            st = common.paired_effect(b, a, kind == "target")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                rows.append({"kind": kind, "name": name, "metric": metric, "year": year,
                             "baseline": float(np.nanmean(b)), "answer": float(np.nanmean(a)),
                             "difference": st["difference"], "difference_se": st["se"],
                             "difference_low": st["low"], "difference_high": st["high"]})
        solved = self.output.target if self.output is not None else None
        if solved is not None and not _states_one_of(solved, ans.target_specs):
            row("target", solved.name, solved.metric_name, solved.year, ans.target_hits(solved),
                base.target_hits(solved))
        for t in ans.target_specs:
            row("target", t.name, t.metric_name, t.year, ans.target_hits(t), base.target_hits(t))
        year = self.output.year if self.output is not None else int(ans.years[-1])
        for m in self.EFFECT_METRICS:
            row("metric", m, m, year, ans.at(m, year), base.at(m, year))
        return pd.DataFrame(rows, columns=cols)

    def to_csv(self, folder) -> None:
        """Write solution.csv (:meth:`table`), trace.csv, effects.csv and metrics.csv (the
        units of the metrics in them) into ``folder`` (made if missing), as ``python -m model
        solve`` does."""
        from ..metrics import units_table
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        common.write_table(self.table(), folder / "solution.csv")
        common.write_table(self.trace, folder / "trace.csv")
        effects = self.effects()
        common.write_table(effects, folder / "effects.csv")
        solved = [self.output.metric] if self.output is not None else []
        common.write_table(units_table(solved + list(effects.metric)), folder / "metrics.csv")

    def __repr__(self):
        return (f"<Solution {self.direction} {self.lever} = {self.value:g} (Monte Carlo range "
                f"{self.value_low:g}-{self.value_high:g}) for {self.target_label} with probability >= "
                f"{self.prob:g}: {self.evaluations} values, {self.reps} replications each>")

    @property
    def digits(self) -> int:
        """Decimal places the answer is shown with: to the tolerance (none for a whole-number
        lever; at most 300, where 10^-digits is still a normal float)."""
        return min(max(0, -math.floor(math.log10(self.tol))), 300) if self.tol > 0 else 0

    def rounded(self, x: float, up: bool) -> str:
        """``x`` to :attr:`digits` places, rounded up or down."""
        step = 10.0 ** -self.digits
        k = math.ceil(x / step - 1e-9) if up else math.floor(x / step + 1e-9)
        return f"{k * step:.{self.digits}f}"

    def rounded_safe(self, x: float) -> str:
        """``x`` rounded towards the side that meets the requirement (up for the least value,
        down for the greatest): the answer as printed and drawn."""
        return self.rounded(x, self.direction != "greatest")

    @property
    def determined(self) -> bool:
        """False when the answer's Monte Carlo range is the whole range searched (both of
        whose ends were tried): at these replications the value is where the bisection
        stopped, not a finding."""
        tried = self.trace.value
        return bool(self.value_low > tried.min() or self.value_high < tried.max())

    def table(self) -> pd.DataFrame:
        """One row: lever, value, probability and interval, requirement, runs."""
        return pd.DataFrame([{
            "lever": self.lever, "direction": self.direction, "value": self.value, "target": self.target_label,
            "required_probability": self.prob, "probability": self.probability,
            "probability_low": self.probability_low, "probability_high": self.probability_high,
            "bracket_low": self.bracket[0], "bracket_high": self.bracket[1],
            "value_low": self.value_low, "value_high": self.value_high, "determined": self.determined,
            "evaluations": self.evaluations, "runs": self.runs, "reps": self.reps, "seed": self.seed,
        }])


TOL_FINEST = 1e-12
"""The finest tolerance solve takes, as a share of the range's largest magnitude: finer,
the search's points are no longer told apart in floating point."""


def solve(scenario, lever, lo: float, hi: float, target, prob: float = 0.9, reps: int | None = None,
          seed: int | None = None, *, direction: str = "least", tol: float | None = None,
          max_evaluations: int = 40, overrides=None, workers: int | None = None,
          backend: str | None = None, scheduler: str | None = None, quiet: bool = True) -> Solution:
    """Least (or greatest) value of ``lever`` in ``[lo, hi]`` with P(target met) >= ``prob``.

    Parameters
    ----------
    scenario : Scenario, path or name
    lever : str or Lever
        ``section.key``, ``section.key[i]`` or ``section.key*`` (a number).
    lo, hi : float
        Range searched.
    target : str or Target
        A target of the scenario by name, an expression ``"certified_share>=0.6@2024"``,
        or a :class:`~model.scenario.Target`.
    prob : float
        Required probability, in (0, 1].
    reps, seed : int, optional
        Replications per value tried and the common seed (default: the scenario's).
    direction : {"least", "greatest"}
        ``least`` assumes the probability rises with the lever; ``greatest`` that it falls.
    tol : float, optional
        Width of the final bracket (default ``(hi - lo) / 1000``; for whole numbers 1, and
        at least 1).
    max_evaluations : int
        Most lever values to run.
    overrides, workers, backend, scheduler
        As for :func:`model.run`.
    quiet : bool
        No counter of the values tried (with ``False``: one on stderr, where it is a terminal).

    Returns
    -------
    Solution

    Raises
    ------
    model.UserError
        When no value in ``[lo, hi]`` reaches ``prob``.
    """
    sc = common.as_scenario(scenario, overrides)
    common.note_scenarios([sc])
    lv = lever if isinstance(lever, common.Lever) else common.Lever.parse(str(lever), "--lever")
    lo, hi = number_in(lo, "--range"), number_in(hi, "--range")
    lv.check_range(lo, hi, "--range")
    lv.check_whole_range(lo, hi, "--range")
    lv.check_no_switch_at_zero(lo, "--range", sc)  # (its own words, before the ends are tried)
    lv.check_ends(sc, lo, hi, "--range")
    if direction not in ("least", "greatest"):
        raise UserError(f"direction must be 'least' or 'greatest', got {direction!r}", field="--direction")
    prob = number_in(prob, "--prob", 0, 1, closed=(False, True), what="a required probability")
    max_evaluations = whole_number(max_evaluations, "--max-evaluations", 2)
    t = common.find_target(sc, target) if isinstance(target, str) else target
    common.check_target(sc, t)
    output = common.Output(t.metric_name, t.year, t)
    if tol is not None:
        tol = number_in(tol, "--tol", 0, what="a tolerance")
    if lv.integer:  # whole values: a bracket of 1 at the finest (a coarser one if asked)
        if tol is not None and tol >= hi - lo > 1:
            raise UserError(f"the tolerance {tol:g} is not narrower than the range [{lo:g}, {hi:g}], so "
                            f"nothing would be solved; give a tolerance below {hi - lo:g} (default: 1)",
                            field="--tol")
        tol = 1.0 if tol is None else max(1.0, float(tol))
    elif tol is None:
        tol = (hi - lo) / 1000
        if not tol > 0:  # a thousandth of the range underflows
            raise UserError(f"the range [{lo:g}, {hi:g}] is too narrow to search; give a wider one",
                            field="--range")
    elif tol >= hi - lo:
        raise UserError(f"the tolerance {tol:g} is not narrower than the range [{lo:g}, {hi:g}], so nothing "
                        f"would be solved; give a tolerance below {hi - lo:g} (default: range / 1000)",
                        field="--tol")
    elif tol < (finest := TOL_FINEST * max(abs(lo), abs(hi))):
        raise UserError(f"the tolerance {tol:g} is finer than a search over [{lo:g}, {hi:g}] can resolve "
                        f"(floating point); give one of at least {finest:g} (default: range / 1000)",
                        field="--tol")
    common.warn_lever_replaces(sc, lv, "solving for")
    # one local Dask cluster for every value tried and the baseline; the counter closed on every exit
    with common.Evaluator(sc, [lv], reps, seed, workers, backend, scheduler, quiet) as ev:
        return _search(ev, sc, lv, lo, hi, output, prob, direction, tol, max_evaluations)


def _search(ev, sc, lv, lo: float, hi: float, output, prob: float, direction: str, tol: float,
            max_evaluations: int) -> Solution:
    """:func:`solve`'s bisection, its arguments checked, with the values run by ``ev`` (open);
    its warnings name the caller of :func:`solve`."""
    t = output.target
    trace = []

    def P(v):
        res = ev((v,))
        hits = output.per_rep(res)
        p = float(hits.mean())
        if not any(r["value"] == v for r in trace):
            low, high = output.interval(res)
            m = res.at(t.metric_name, t.year)
            if not trace and not np.isfinite(m).any():
                raise UserError(f"{t.metric_name} in {t.year} has no value in any replication of {sc.name} (a "
                                "ratio whose denominator is 0, e.g. residents or the average wage not given), "
                                "so no value of the lever can meet the target; choose another target",
                                field="--target")
            trace.append({"step": len(trace) + 1, "value": v, "probability": p, "probability_low": low,
                          "probability_high": high, "hits": int(hits.sum()), "reps": res.reps,
                          "meets": p >= prob, "mean": float(np.nanmean(m)) if np.isfinite(m).any() else np.nan})
        return p

    cond = f"{t.metric_name} {t.op} {t.threshold:g} in {t.year}"
    good_end, bad_end = (hi, lo) if direction == "least" else (lo, hi)
    if P(good_end) < prob:
        at_good = trace[-1]
        P(bad_end)  # the other end too: how far the lever moves the metric over the whole range
        at_bad = next(r for r in trace if r["value"] == bad_end)
        other = "--greatest" if direction == "least" else "least (drop --greatest)"
        at_limit = good_end == lv.limits()[1 if direction == "least" else 0]  # the lever allows no further
        mean, mean_other = at_good["mean"], at_bad["mean"]
        moved, missing = abs(mean - mean_other), abs(t.threshold - mean)
        if at_bad["probability"] >= prob:  # the other end meets it: the direction is the problem
            rises = "rises" if direction == "least" else "falls"
            raise UserError(
                f"P({cond}) falls as {lv.name} {rises}: it is {at_bad['probability']:.3g} at {bad_end:g} and "
                f"{at_good['probability']:.3g} at {good_end:g} ({ev.reps} replications), so the "
                f"{direction} value that meets it with probability {prob:g} is not at this end: try {other}",
                field="--range")
        if at_limit:
            further = "higher" if direction == "least" else "lower"
            wider = (f"{lv.name} can go no {further} than {good_end:g}, so this lever alone cannot meet it: "
                     "lower --prob, or change another lever too")
        elif np.isfinite(moved) and moved < missing:  # (a training capacity above everyone due, say)
            wider = (f"over the whole range {lv.name} moves the mean by {moved:.3g}, less than the "
                     f"{missing:.3g} still missing, so a wider range may not be enough either: try another "
                     "lever, lower --prob")
        else:
            wider = "widen the range, lower --prob"
        there = (f"; the mean of {t.metric_name} there is {mean:.4g}"
                 + (f" ({mean_other:.4g} at {bad_end:g})" if np.isfinite(mean_other) else "")
                 if np.isfinite(mean) else "")
        raise UserError(
            f"no value of {lv.name} in [{lo:g}, {hi:g}] reaches P({cond}) >= {prob:g}: at "
            f"{good_end:g} it is {at_good['probability']:.3g} (95% interval {at_good['probability_low']:.3g}-"
            f"{at_good['probability_high']:.3g}, {ev.reps} replications; {at_bad['probability']:.3g} at "
            f"{bad_end:g}){there}; {wider}, "
            f"or if the probability falls as {lv.name} rises try {other} (solve assumes the probability "
            "moves one way with the lever; for a target met only in a middle range, use sweep)", field="--range")
    if P(bad_end) >= prob:
        good = bad = bad_end
        end = "low" if direction == "least" else "high"
        limit = lv.limits()[0 if direction == "least" else 1]
        if bad_end == limit:  # the lever allows nothing beyond: the answer is the end
            warnings.warn(f"the range's {end} end {bad_end:g} already meets the requirement, and "
                          f"{lv.name} can be no {'lower' if direction == 'least' else 'higher'}: the "
                          f"{direction} value is {bad_end:g} itself", stacklevel=3)
        else:
            warnings.warn(f"the range's {end} end {bad_end:g} already meets the requirement: the {direction} "
                          f"value may lie outside [{lo:g}, {hi:g}]", stacklevel=3)
    else:
        good, bad = good_end, bad_end
        while abs(good - bad) > tol and ev.evaluations < max_evaluations:
            mid = (good + bad) / 2
            if lv.integer:
                mid = math.floor(mid)
                if mid in (good, bad):
                    break
            if P(mid) >= prob:
                good = mid
            else:
                bad = mid
        if abs(good - bad) > tol:
            warnings.warn(f"stopped after {ev.evaluations} values (max_evaluations): the bracket "
                          f"[{min(good, bad):g}, {max(good, bad):g}] is wider than the tolerance {tol:g}",
                          stacklevel=3)
    res = ev((good,))
    low, high = output.interval(res)
    tr = pd.DataFrame(trace)
    s = tr.sort_values("value")
    steps = np.diff(s.probability.to_numpy())
    if (direction == "least" and (steps < 0).any()) or (direction == "greatest" and (steps > 0).any()):
        warnings.warn(f"the estimated probability is not monotone in {lv.name} over the values tried; "
                      "the bisection's answer may not be the least/greatest value (use more replications)",
                      stacklevel=3)
    v_low, v_high = monte_carlo_range(tr, prob, direction, lo, hi)
    # the scenario as it stands on the same seed, for what the answer changes besides the target
    (baseline,) = common.run_many([sc], ev.reps, ev.seed, ev.workers, ev.backend, ev.scheduler,
                                  about=ev.ran_on)
    value = int(good) if lv.integer else float(good)
    return Solution(lv.name, value, float(output.value(res)), low, high, prob, direction,
                    (float(min(good, bad)), float(max(good, bad))), ev.evaluations, ev.replications,
                    ev.reps, ev.seed, tr, output.label, res, v_low, v_high, float(tol), output, baseline,
                    ev.ran_on)


def _states_one_of(target, targets) -> bool:
    """Whether ``target`` (one named, or an expression such as ``certified_share>=0.7@2025``)
    states the condition of one of ``targets``: the same metric, year, comparison and
    threshold, whatever its name."""
    def condition(t):
        return t.metric_name, t.year, t.op, t.threshold
    return any(condition(t) == condition(target) for t in targets)


def _open_ends(s: Solution, lo: float, hi: float) -> list[str]:
    """Why an end of the Monte Carlo range is an end of the range searched: no value tried
    was clear of the requirement on that side, which with few replications (or ``prob`` 1)
    no value can be."""
    from ..results import wilson
    n = s.reps
    best_low, worst_high = wilson(n, n)[0], wilson(0, n)[1]
    meeting_end, short_end = (hi, lo) if s.direction == "least" else (lo, hi)
    notes = []
    sure = (s.trace.probability_low >= s.prob).any()
    short = (s.trace.probability_high < s.prob).any()
    if not sure:
        why = ("a probability of 1 is never sure from a finite number of replications" if s.prob >= 1
               else f"with {n} replications even all {n} meeting it give a 95% lower bound of {best_low:.3f}"
               if best_low < s.prob else "no value tried was that clear")
        notes.append(f"the end {meeting_end:g} is the range's: no value tried is surely at or above "
                     f"{s.prob:g} ({why}); more replications narrow it")
    if not short:
        why = (f"with {n} replications even none of {n} meeting it give a 95% upper bound of "
               f"{worst_high:.3f}" if worst_high >= s.prob else "no value tried was that clear")
        notes.append(f"the end {short_end:g} is the range's: no value tried is surely below {s.prob:g} "
                     f"({why})")
    return notes


def _print_effects(s: Solution) -> None:
    """What the answer changes besides the target (:meth:`Solution.effects`), as lines."""
    from ..metrics import unit
    e = s.effects()
    if e.empty:
        return
    print(f"  at the answer, against the scenario as it stands ({s.reps} replications, the same random "
          "numbers):")
    for _, r in e.iterrows():
        se = r["difference_se"]
        if r["kind"] == "target":  # met or not: the interval (a t-interval's se may be 0)
            what = f"P({r['name']})"
            a, b, d = f"{r['baseline']:.3f}", f"{r['answer']:.3f}", f"{r['difference']:+.3f}"
            lo, hi = r["difference_low"], r["difference_high"]
            spread = (f"95% interval {lo:+.3f} to {hi:+.3f}" if np.isfinite(lo) and np.isfinite(hi)
                      else "no interval")
        else:
            u = unit(r["metric"])
            what = f"{r['name']} in {r['year']}"
            a, b = common.fmt(r["baseline"], u), common.fmt(r["answer"], u)
            d = common.fmt(r["difference"], u, difference=True)
            d = d if d.startswith(("+", "-")) else f"+{d}"
            spread = f"se {common.fmt(se, u, like=r['difference'])}"
        print(f"    {what}: {a} -> {b} ({d}, {spread})")


def monte_carlo_range(trace: pd.DataFrame, prob: float, direction: str, lo: float, hi: float) -> tuple:
    """The answer's Monte Carlo range from the values tried: between the nearest whose
    95% interval lies wholly below ``prob`` on the failing side and wholly at or above it
    on the meeting side (``lo`` / ``hi`` where no value tried is that clear)."""
    short = trace.value[trace.probability_high < prob]
    sure = trace.value[trace.probability_low >= prob]
    below, above = (short, sure) if direction == "least" else (sure, short)
    return (float(below.max()) if len(below) else lo, float(above.min()) if len(above) else hi)


# --------------------------------------------------------------------------- command line

def add_arguments(p) -> None:
    from ..cli import add_run_options
    p.add_argument("scenario", help="scenario file or name")
    add_run_options(p, "output folder (default: outputs/solve-<scenario>)")
    p.add_argument("--lever", required=True, metavar="KEY",
                   help="field to solve for: section.key, section.key[i], section.key@YEAR, section.key* "
                   "or districts[i].key")
    p.add_argument("--range", required=True, metavar="LO,HI", help="range searched, e.g. 0,0.9")
    p.add_argument("--target", required=True,
                   help="a target's name in the scenario, or an expression such as "
                   "'certified_share>=0.6@2024' (without @YEAR: the horizon's last year)")
    p.add_argument("--prob", type=float, default=0.9, help="required probability (default 0.9)")
    p.add_argument("--greatest", action="store_true",
                   help="greatest value instead of least (the probability falls as the lever rises)")
    p.add_argument("--tol", type=float, help="width of the final bracket (default: range / 1000; for a "
                   "whole-number lever 1, and at least 1)")


def main(args) -> int:
    from ..outputs import atomic_folder, check_destination, write_json
    sc = common.as_scenario(args.scenario, args.overrides)
    lv = common.Lever.parse(args.lever, "--lever")
    lo, hi = common.parse_range(args.range, lv, "--range")
    out = Path(args.out or common.default_out("solve", sc.name))
    check_destination(out.resolve(), not args.no_overwrite)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = solve(sc, lv, lo, hi, args.target, args.prob, args.reps, args.seed,
                  direction="greatest" if args.greatest else "least", tol=args.tol,
                  workers=args.workers, backend=args.backend, scheduler=args.scheduler, quiet=args.quiet)
    said = [str(w.message) for w in caught if issubclass(w.category, UserWarning)]  # printed and kept
    with atomic_folder(out, overwrite=not args.no_overwrite) as tmp:
        s.to_csv(tmp)
        write_json(tmp / "manifest.json", common.manifest(
            "solve", [sc], s.reps, s.seed, {"lever": s.lever, "range": [lo, hi], "target": s.target_label,
                                            "prob": s.prob, "direction": s.direction,
                                            "warnings": said}, ran_on=s.ran_on))
        if not args.no_report:
            from ..report import experiments as fig
            fig.solve_trace(s, tmp / "solve.png", lang=args.lang, svg=args.svg)
    word = "greatest" if s.direction == "greatest" else "least"
    rounded, safe = s.rounded, s.rounded_safe
    sure = s.value_high if word == "least" else s.value_low  # the end of the range surely meeting it
    print(f"{word.capitalize()} {s.lever} in [{lo:g}, {hi:g}] with {s.target_label} >= {s.prob:g}: "
          f"{safe(s.value)}")
    bracket = f"[{rounded(s.bracket[0], False)}, {rounded(s.bracket[1], True)}]"  # outwards: it holds the answer
    print(f"  achieved probability {s.probability:.3f} (95% interval {s.probability_low:.3f}-"
          f"{s.probability_high:.3f}); bracket {bracket}")
    own_end = lo if word == "least" else hi  # the end that would meet the requirement first
    tried = s.trace[s.trace.value == own_end]
    at_end = s.value == own_end and len(tried) and float(tried.probability.iloc[0]) >= s.prob
    if at_end:  # nothing tried beyond the end: the range is open on that side
        side = "below" if word == "least" else "above"
        print(f"  Monte Carlo range of the answer: {safe(own_end)} or {side} (the range's own end already "
              "meets the requirement)")
    else:
        print(f"  Monte Carlo range of the answer: {rounded(s.value_low, False)} to "
              f"{rounded(s.value_high, True)} (outwards; the nearest values "
              "tried whose 95% interval is wholly short of / wholly meeting the requirement; more "
              "replications narrow it)")
    if (s.trace.probability_low >= s.prob).any() and sure != s.value:  # a value tried surely meets it
        print(f"  the answer is an estimate from {s.reps} replications: its true probability may fall short "
              f"of {s.prob:g} about as often as not; {safe(sure)} surely meets it at these replications "
              "(take it where falling short is costly)")
    for note in () if at_end else _open_ends(s, lo, hi):  # (at the end: the range printed has no other end)
        print(f"    {note}")
    if at_end and own_end != lv.limits()[0 if word == "least" else 1]:  # (at the lever's limit: warned)
        print(f"  AT THE END OF THE RANGE: {own_end:g} already meets the requirement, so the {word} value "
              f"may lie beyond it; widen the range (--range) {'below' if word == 'least' else 'above'} "
              f"{own_end:g}")
    elif not at_end and not s.determined:
        print(f"  NOT DETERMINED at {s.reps} replications: the Monte Carlo range is the whole range searched "
              "(no value tried inside it is surely short of, or surely meeting, the requirement), so "
              f"{safe(s.value)} is where the bisection stopped, not a finding; use more replications "
              "(--reps)")
    print(f"  {s.evaluations} values tried, {s.runs} replications ({s.reps} each, seed {s.seed}, "
          "common random numbers)")
    settings = common.lever_settings(lv, safe(s.value), sc, args.overrides)
    sets = " ".join(f"--set {shlex.quote(o)}" for o in settings)  # as a shell takes them
    rounding = "" if lv.integer else f" (the answer rounded {'up' if word == 'least' else 'down'})"
    solved = s.output.target if s.output is not None else None
    if solved is None or not _states_one_of(solved, sc.targets):
        print("  (the target given here is not one of the scenario's, so the run below does not show its "
              "probability in targets.csv: add it to the scenario's [[targets]] to see it there)")
    print(f"  to run the scenario with it: python -m model run {shlex.quote(str(args.scenario))} "
          f"--reps {s.reps} --seed {s.seed} {sets}{rounding}")
    _print_effects(s)
    for w in said:
        print(f"warning: {w}")
    print(f"\nWrote {out}/")
    return 0
