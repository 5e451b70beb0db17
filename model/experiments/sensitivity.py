"""Sensitivity of an output: one-at-a-time ranges (tornado) and global Sobol indices.

**Factors.** Either ranges given as ``--param key=lo,hi`` (a lever as in
:mod:`model.experiments.common`; uniform on ``[lo, hi]`` for the global method), or, by
default, the parameters the scenario declares uncertain (``{dist = ...}``): each ranges
over its 5% and 95% quantiles (``--quantile``) and keeps its own distribution for the
global method.

**One at a time.** The base run is the scenario as written (uncertain parameters drawn
per replication). For each factor the scenario runs twice more, with the factor fixed at
its low and at its high value, everything else as in the base run; all runs share the
seed, so the per-replication differences ``high_r - low_r`` are paired and their mean has
a paired 95% interval (for a target's probability, Newcombe's interval for paired
proportions, :func:`model.results.paired_proportions`, as ``compare`` gives). The tornado
chart orders factors by swing ``|out(high) - out(low)|``.

**Global (Sobol).** With ``N`` base samples and ``D`` factors, SALib's Sobol sequence
gives ``N (D + 2)`` points in ``[0, 1]^D`` (Saltelli's scheme, first-order and total
indices, no second order); each coordinate becomes a factor value through its
distribution's quantile function (uniform ranges: ``lo + u (hi - lo)``). Each point runs
``sobol_reps`` replications on the common seed and the output is their mean (or the
share meeting the target). SALib's estimators give the first-order index ``S1`` (share
of output variance explained by the factor alone) and total index ``ST`` (including
interactions), with SALib's 95% bootstrap intervals. These resample the quasi-random
points as if they were independent draws, so they overstate the error of the indices
(analytic checks with two factors found half-widths 2 to 9 times what the spread of the
estimates over Sobol samples gives): safe against the sampling
of the points, but blind to the replications' own noise. Every point runs the same
replications (common random numbers), so that noise is largely frozen into the output
rather than left as unexplained variance; but a factor that changes who is in post (and
so which worker draws which random numbers) re-draws part of it, and gets an ST above 0
even with no effect on the mean (ST 0.014, interval excluding 0, for a factor with none
at 2 replications per point, in an audit); the noise also shifts the indices from one
seed to the next (an audit found the spread of ``ST`` over seeds as large as the
interval's half-width). Where the replications' noise (the variance across the
replications at each Sobol point, over ``sobol_reps``; with one replication a point, the
one-at-a-time runs', an upper bound where they leave uncertain inputs drawn) exceeds 1% of
the output's variance over the Sobol points, a note gives its share. Use enough ``sobol_reps`` for the
output's noise to be small against its spread over the factors, and compare two seeds
before relying on a small index (``--seed`` draws both the replications and the Sobol
points).

Command line::

    python -m model sensitivity SCENARIO [--param quits.rate=0.05,0.15 ...] \\
        [--metric payroll --year 2026 | --target NAME] [--sobol 64 --sobol-reps 4]
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import UserError, number_in, whole_number
from ..metrics import units_table
from ..params import Uncertain
from . import common


@dataclass(frozen=True)
class Factor:
    """One factor: a lever, its low and high values, and its distribution (None: uniform)."""

    lever: common.Lever
    low: float
    high: float
    dist: Uncertain | None = None

    def value(self, u: np.ndarray) -> np.ndarray:
        """Factor values at quantiles ``u`` in [0, 1]."""
        u = np.clip(np.asarray(u, dtype=float), 1e-9, 1 - 1e-9)
        if self.dist is None:
            return self.low + u * (self.high - self.low)
        return np.clip(self.dist.ppf(u), self.dist.lo, self.dist.hi)  # as Uncertain.draw clips


@dataclass
class Sensitivity:
    """Sensitivity of one output.

    Attributes
    ----------
    output : Output
    base_value : float
        The output in the base run.
    oat : pandas.DataFrame
        One row per factor, widest swing first: ``parameter, low, high, current`` (the
        scenario's value), ``distribution`` (of an uncertain parameter, or ``range``),
        ``output`` (its label), ``output_base, output_low, output_high, swing, difference,
        difference_low, difference_high`` (difference = high minus low, paired 95%
        interval).
    sobol : pandas.DataFrame or None
        ``parameter, S1, S1_conf, ST, ST_conf`` (conf: half-width of the 95% interval).
    samples : pandas.DataFrame or None
        The Sobol points: one column per factor and ``output``.
    reps, seed : int
    ran_on : dict
        Where the runs ran, as the manifest records it: ``backend``, ``workers`` and
        ``scheduler`` (:func:`model.runner.where_ran`).
    """

    output: object
    base_value: float
    oat: pd.DataFrame
    sobol: pd.DataFrame | None
    samples: pd.DataFrame | None
    reps: int
    seed: int
    factors: list = field(default_factory=list, repr=False)
    notes: list = field(default_factory=list)
    sobol_n: int = 0
    ran_on: dict = field(default_factory=dict, repr=False)

    def to_csv(self, folder) -> None:
        """Write one_at_a_time.csv, metrics.csv and (where Sobol indices were estimated)
        sobol.csv and sobol_samples.csv into ``folder`` (made if missing), as ``python -m
        model sensitivity`` does."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        common.write_table(self.oat, folder / "one_at_a_time.csv")
        common.write_table(units_table([self.output.metric]), folder / "metrics.csv")  # the metric read
        if self.sobol is not None:
            common.write_table(self.sobol, folder / "sobol.csv")
            common.write_table(self.samples, folder / "sobol_samples.csv")

    def __repr__(self):
        widest = f", widest swing {self.oat.parameter.iloc[0]}" if len(self.oat) else ""
        sobol = f", Sobol indices from {self.sobol_n} points" if self.sobol is not None else ""
        n = len(self.oat)
        return (f"<Sensitivity of {self.output.label}: {n} factor{'' if n == 1 else 's'}{widest}{sobol}, "
                f"{self.reps} replications each>")


def factors_from(scenario, params=None, quantile: float = 0.05) -> list[Factor]:
    """Factors from explicit ranges ``{lever: (lo, hi)}``, or the scenario's uncertain parameters."""
    out = []
    quantile = number_in(quantile, "--quantile", 0, 0.5, what="a quantile")
    if params:
        items = common.lever_items(params, "range", "{'quits.rate*': (0.8, 1.2)}", "quits.rate*=0.8,1.2")
        out = [Factor(lv, lo, hi, None) for lv, (lo, hi) in (common.lever_range(k, r) for k, r in items)]
        common.check_distinct([f.lever for f in out])
        for f in out:
            f.lever.check_whole_range(f.low, f.high, "--param")  # as solve and calibrate
            f.lever.check_ends(scenario, f.low, f.high, "--param")
            common.warn_lever_replaces(scenario, f.lever, "varying")
            if f.lever.field.zero and not f.lever.scale and f.low <= 0:
                warnings.warn(f"0 means '{f.lever.field.zero}' for {f.lever.path}: the low end of its range "
                              "switches it off rather than taking the smallest amount", UserWarning, stacklevel=3)
        return out
    for path, u in scenario.uncertain().items():
        lo, hi = u.interval(quantile)
        out.append(Factor(common.Lever.parse(path), lo, hi, u))
    if not out:
        raise UserError(f"{scenario.name} declares no uncertain parameters; give ranges with "
                        "--param section.key=lo,hi", field="--param")
    return out


def sensitivity(scenario, output=None, params=None, reps: int | None = None, seed: int | None = None, *,
                quantile: float = 0.05, sobol: int | None = 0, sobol_reps: int = 2, overrides=None,
                workers: int | None = None, backend: str | None = None, scheduler: str | None = None,
                quiet: bool = True) -> Sensitivity:
    """One-at-a-time and (with ``sobol > 0``) Sobol sensitivity of one output.

    Parameters
    ----------
    scenario : Scenario, path or name
    output : Output, Target or str, optional
        What to look at: an :class:`~model.experiments.common.Output`, a metric name
        (its mean in the last year) or ``metric@YEAR``, a target name or expression.
        Default: the first target, else headcount in the last year.
    params : dict {lever: (lo, hi)}, optional
        Factor ranges; default: the scenario's uncertain parameters at their
        ``quantile`` and ``1 - quantile`` quantiles.
    reps, seed : int, optional
        Replications of each one-at-a-time run, and the common seed.
    sobol : int or None
        Base sample size ``N`` of the Sobol design (a power of 2; 0 skips it; None: 64
        with two factors or more, as the command line does).
    sobol_reps : int
        Replications per Sobol point.
    quantile : float
        The quantiles of an uncertain parameter taken as its low and high values.
    overrides : dict or list of "key=value", optional
        Fields to change in the scenario first.
    workers, backend, scheduler, quiet
        As for :func:`model.run`.

    Returns
    -------
    Sensitivity
    """
    sc = common.as_scenario(scenario, overrides)
    common.note_scenarios([sc])
    output = common.Output.parse(sc) if output is None else common.named_output(sc, output)
    from ..runner import reps_and_seed
    facs = factors_from(sc, params, quantile)
    reps, seed = reps_and_seed(sc, reps, seed)
    if sobol is None:
        sobol = 64 if len(facs) >= 2 else 0
    sobol = _sobol_size(sobol)  # checked before any run
    sobol_reps = whole_number(sobol_reps, "--sobol-reps", 1)
    common.check_runs(1 + 2 * len(facs), reps, "--param", "one-at-a-time points")
    common.check_runs(sobol * (len(facs) + 2), sobol_reps, "--sobol", "Sobol points")
    variants = [sc]
    for f in facs:
        variants += [f.lever.apply(sc, f.low), f.lever.apply(sc, f.high)]
    ran_on: dict = {}  # where the one-at-a-time and the Sobol points ran
    from ..cluster import shared_local_cluster
    # one local Dask cluster (without a scheduler) for the one-at-a-time and the Sobol points
    with shared_local_cluster(backend, scheduler, workers):
        res = common.run_many(variants, reps, seed, workers, backend, scheduler, quiet, desc="one at a time",
                              about=ran_on)
        base = res[0]
        base_value = output.value(base)
        rows = []
        for i, f in enumerate(facs):
            lo_r, hi_r = res[1 + 2 * i], res[2 + 2 * i]
            a, b = output.per_rep(lo_r), output.per_rep(hi_r)
            st = common.paired_effect(a, b, output.is_probability)
            ol, oh = output.value(lo_r), output.value(hi_r)
            rows.append({"parameter": f.lever.name, "low": f.low, "high": f.high,
                         "current": f.lever.current(sc), "distribution": f.dist.dist if f.dist else "range",
                         "output": output.label, "output_base": base_value, "output_low": ol,
                         "output_high": oh,
                         "swing": abs(oh - ol), "difference": float(st["difference"]),
                         "difference_low": float(st["low"]), "difference_high": float(st["high"])})
        oat = pd.DataFrame(rows).sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
        sob, samples, notes = None, None, []
        if sobol:
            # one replication's noise, where the Sobol points run one replication each: the mean
            # per-replication variance of the one-at-a-time runs (fixed points, but for the uncertain
            # inputs each does not fix: then an upper bound); with more, their own spread (_sobol)
            with np.errstate(all="ignore"), warnings.catch_warnings():
                warnings.simplefilter("ignore")
                noise = (np.nanmean([np.nanvar(output.per_rep(r), ddof=1) for r in res]) if reps >= 2
                         else np.nan)
            sob, samples, notes = _sobol(sc, facs, output, sobol, sobol_reps, seed, workers, backend,
                                         scheduler, quiet, noise, ran_on)
    for _, r in oat.iterrows():
        ends = [f"{end} ({r[end]:g})" for end in ("low", "high") if not np.isfinite(r[f"output_{end}"])]
        if ends:  # printed n/a, and sorted last: not because it matters least
            notes.append(f"{output.label} is undefined (NaN) in every replication at {r.parameter}'s "
                         f"{' and '.join(ends)}: its swing is unknown, not small (a ratio whose denominator "
                         "is 0 there)")
    if not params:  # the scenario's own uncertain inputs: a fixed one may matter as much, unseen
        notes.append(f"only the scenario's uncertain inputs ({len(facs)}) are varied; an input it fixes is "
                     "not, however much it matters: give --param KEY=LO,HI (or KEY*=0.8,1.2; params= in "
                     "Python) to vary one")
    return Sensitivity(output, base_value, oat, sob, samples, reps, seed, facs, notes, int(sobol), ran_on)


def _sobol_values(f, u: np.ndarray) -> np.ndarray:
    """A factor's values at the Sobol points ``u`` (uniform on [0, 1)): a whole-number
    lever's range taken as its whole numbers, each equally likely (rounding lo + u (hi - lo)
    would give the ends half the weight of the others)."""
    if f.lever.integer and f.dist is None:
        lo, hi = math.ceil(f.low), math.floor(f.high)
        return np.minimum(lo + np.floor(u * (hi - lo + 1)), hi)
    return f.lever.as_run(f.value(u))


SOBOL_USUAL = 64
"""Fewer Sobol base samples than this get a note that the indices are rough."""


def _sobol_size(n) -> int:
    """The Sobol base sample size: 0 (none) or a power of 2."""
    n = whole_number(n, "--sobol", 0)
    if n and (n < 2 or n & (n - 1)):
        raise UserError(f"the Sobol base sample size must be a power of 2 (e.g. 64), got {n}",
                        field="--sobol")
    return n


def _sobol(sc, facs, output, n, sobol_reps, seed, workers, backend, scheduler, quiet, noise, ran_on):
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample
    d = len(facs)
    names = [f.lever.name for f in facs]
    problem = {"num_vars": d, "names": names, "bounds": [[0.0, 1.0]] * d}
    u = sobol_sample.sample(problem, n, calc_second_order=False, seed=seed)
    x = np.column_stack([_sobol_values(f, u[:, j]) for j, f in enumerate(facs)])
    variants = [common.apply_levers(sc, [f.lever for f in facs], row) for row in x]
    res = common.run_many(variants, sobol_reps, seed, workers, backend, scheduler, quiet, desc="Sobol points",
                          about=ran_on)
    y = np.array([output.value(r) for r in res])
    samples = pd.DataFrame(x, columns=names)
    samples["output"] = y
    notes = []
    if not np.isfinite(y).all():
        where = "every Sobol point" if not np.isfinite(y).any() else "some Sobol points"
        raise UserError(f"{output.label} is undefined (NaN) at {where}; choose another output",
                        field="--metric")
    spread = np.var(y)
    within = np.nan
    if sobol_reps >= 2:  # the replications' spread at each point, where every factor is fixed
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            within = np.nanmean([np.nanvar(output.per_rep(r), ddof=1) for r in res])
    exact = np.isfinite(within)
    share = (within if exact else noise) / sobol_reps / spread if spread > 0 else np.nan
    if share > 0.01:
        notes.append(f"the replications' own noise is {'' if exact else 'up to '}about {share:.0%} of the "
                     f"variance of "
                     f"{output.label} over the Sobol points; SALib's intervals leave it out, and an index "
                     "up to about that size can come from it alone (a factor with no effect on the mean "
                     "gets ST > 0 where it changes which workers draw which random numbers): raise "
                     "--sobol-reps")
    if spread == 0:
        notes.append(f"{output.label} does not vary over the factors' ranges; Sobol indices are undefined")
        nan = np.full(d, np.nan)
        return pd.DataFrame({"parameter": names, "S1": nan, "S1_conf": nan, "ST": nan, "ST_conf": nan}), \
            samples, notes
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib's own warnings (constant values...): the notes say what matters
        si = sobol_analyze.analyze(problem, y, calc_second_order=False, num_resamples=200, conf_level=0.95,
                                   print_to_console=False, seed=seed or 1)
    tab = pd.DataFrame({"parameter": names, "S1": si["S1"], "S1_conf": si["S1_conf"],
                        "ST": si["ST"], "ST_conf": si["ST_conf"]})
    if n < SOBOL_USUAL:
        notes.append(f"{n} base samples give rough Sobol indices (their error falls as 1 / sqrt(N)); "
                     f"{SOBOL_USUAL} or more are usual (--sobol {SOBOL_USUAL})")
    outside = [f"{k} {v:.3g} of {p}" for p, *vals in zip(names, si["S1"], si["ST"])
               for k, v in zip(("S1", "ST"), vals) if not -0.05 <= v <= 1.05]
    if outside:
        notes.append(f"{', '.join(outside)}: an index is a share of the variance, in [0, 1]; one outside "
                     "it is sampling error: use more base samples (--sobol)")
    s1 = float(np.nansum(si["S1"]))
    below = [p for p, a, t, ca, ct in zip(names, si["S1"], si["ST"], si["S1_conf"], si["ST_conf"])
             if t < a - (ca + ct)]
    if s1 > 1.05:
        notes.append(f"the first-order indices add up to {s1:.2f}: shares of one variance add up to 1 at "
                     "most, so this is sampling error: use more base samples (--sobol)")
    if below:
        notes.append(f"{', '.join(below)}: a total index below its first-order one (beyond their intervals) "
                     "is sampling error, since the total includes the first-order effect: use more base "
                     "samples (--sobol)")
    return tab.sort_values("ST", ascending=False, kind="stable").reset_index(drop=True), samples, notes


# --------------------------------------------------------------------------- command line

def add_arguments(p) -> None:
    from ..cli import add_run_options, whole_int
    from .sweep import add_output_options
    p.add_argument("scenario", help="scenario file or name")
    add_run_options(p, "output folder (default: outputs/sensitivity-<scenario>)")
    p.add_argument("--param", action="append", nargs="+", default=[], metavar="KEY=LO,HI",
                   help="a factor and its range (repeatable); default: the scenario's uncertain parameters")
    add_output_options(p)
    p.add_argument("--quantile", type=float, default=0.05,
                   help="uncertain parameters range over this quantile and 1 - it (default 0.05)")
    p.add_argument("--sobol", type=whole_int, default=None, metavar="N",
                   help="Sobol base sample size, a power of 2 (default 64 with 2 or more factors; 0: skip)")
    p.add_argument("--sobol-reps", type=whole_int, default=2, metavar="R",
                   help="replications per Sobol point (default 2)")


def main(args) -> int:
    from ..outputs import atomic_folder, check_destination, write_json
    sc = common.as_scenario(args.scenario, args.overrides)
    params = common.levers_with_ranges(args.param)
    output = common.Output.parse(sc, args.metric, args.year, args.target)
    out = Path(args.out or common.default_out("sensitivity", sc.name))
    check_destination(out.resolve(), not args.no_overwrite)
    s = sensitivity(sc, output, params or None, args.reps, args.seed, quantile=args.quantile,
                    sobol=args.sobol, sobol_reps=args.sobol_reps, workers=args.workers, backend=args.backend,
                    scheduler=args.scheduler, quiet=args.quiet)
    facs, n = s.factors, s.sobol_n
    with atomic_folder(out, overwrite=not args.no_overwrite) as tmp:
        s.to_csv(tmp)
        write_json(tmp / "manifest.json", common.manifest(
            "sensitivity", [sc], s.reps, s.seed,
            {"output": output.label, "output_unit": output.unit,
             "factors": [{"parameter": f.lever.name, "low": f.low, "high": f.high,
                          "distribution": f.dist.to_toml() if f.dist else "uniform"} for f in facs],
             "sobol_n": n, "sobol_reps": args.sobol_reps}, ran_on=s.ran_on))
        if not args.no_report:
            from ..report import experiments as fig
            fig.tornado(s, tmp / "tornado.png", lang=args.lang, svg=args.svg)
            if s.sobol is not None and s.sobol.S1.notna().any():
                fig.sobol_figure(s, tmp / "sobol.png", lang=args.lang, svg=args.svg)
    u = output.unit
    print(f"Sensitivity of {output.label} in {sc.name} (base {common.fmt(s.base_value, u)}; {s.reps} "
          f"replications per run, seed {s.seed}, common random numbers)")
    print("One at a time (widest swing first): output at low / high [paired 95% interval of high - low]")
    for _, r in s.oat.iterrows():
        print(f"  {r['parameter']:32s} [{r['low']:.4g}, {r['high']:.4g}]: {common.fmt(r['output_low'], u)} / "
              f"{common.fmt(r['output_high'], u)}  "
              f"{common.fmt_interval(r['difference_low'], r['difference_high'], u, True)}")
    if s.sobol is not None:
        print(f"Sobol indices ({n} base samples, {n * (len(facs) + 2)} points x {args.sobol_reps} "
              "replications; +- SALib's bootstrap 95% half-widths, which overstate the error of "
              "quasi-random samples):")
        for _, r in s.sobol.iterrows():
            print(f"  {r['parameter']:32s} S1 {r['S1']:.3f} +- {r['S1_conf']:.3f}   ST {r['ST']:.3f} +- "
                  f"{r['ST_conf']:.3f}")
    for note in s.notes:
        print(f"note: {note}")
    print(f"\nWrote {out}/")
    return 0

