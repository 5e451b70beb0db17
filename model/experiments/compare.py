"""Compare alternatives on common random numbers: paired differences against the first.

Every scenario runs with the same seed, so replication ``r`` of each draws from the same
random streams, mechanism by mechanism and year by year (:mod:`model.streams`); a rule
changed in one scenario does not reshuffle the draws of the others. The difference of a
metric between scenario ``B`` and the baseline ``A`` (the first scenario) in a year is
estimated from the per-replication differences ``d_r = B_r - A_r``:

    mean  d = (1/R) sum_r d_r,      95% interval  d -+ t_{R-1, 0.975} s_d / sqrt(R)

The paired interval is narrower than the unpaired (Welch) interval of two independent
runs by about ``sqrt(1 - rho)``, where ``rho`` is the correlation of ``A_r`` and ``B_r``;
both are reported so the gain is visible. A scenario compared with itself gives a
difference of exactly zero. A difference in a target's probability (0/1 outcomes per
replication) has Newcombe's paired score interval instead
(:func:`model.results.paired_proportions`).

Command line::

    python -m model compare A.toml B.toml [C.toml ...] [--variant KEY=VALUE ...]

writes ``summary.csv`` (every scenario), ``differences.csv``, ``targets.csv``,
``metrics.csv`` (each metric's unit and definition), ``manifest.json``,
``differences.png``, ``report.html``, each scenario's ``budget-NAME.xlsx`` and
``budget-differences.xlsx`` (the money items of each alternative against the baseline,
:func:`model.report.budget.write_differences`) into
``outputs/compare-<A>/`` (or ``--out``).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import COMMAND_LINE, UnknownName, UserError, number_in, whole_number
from ..metrics import units_table
from ..results import paired_proportions, percent_interval, targets_table
from ..runner import reps_and_seed
from . import common

KEY_METRICS = ("headcount", "certified_share", "hires", "exits_total", "payroll")


def default_metrics(scenarios) -> list[str]:
    """The metrics compared where none is asked for: :data:`KEY_METRICS`, then those the
    baseline's targets read in its horizon (city-wide: a target on a district's or a part's
    value adds the metric over the city), where every scenario reports them."""
    from ..metrics import names
    reported = [set(names(sc)) for sc in scenarios]
    out = list(KEY_METRICS)
    for t in scenarios[0].targets:
        if (t.metric not in out and t not in scenarios[0].targets_after_horizon
                and all(t.metric in r for r in reported)):
            out.append(t.metric)
    return out


@dataclass
class Comparison:
    """Scenarios run on common random numbers, with paired differences against the first.

    Attributes
    ----------
    labels : list of str
        One label per scenario (its name; repeated names get ``#2``, ``#3``...).
    results : list of model.Results
    summary : pandas.DataFrame
        Every scenario's summary (``scenario, year, metric, mean, sd, p05 ... p95``).
    differences : pandas.DataFrame
        One row per alternative, year and metric: ``scenario, baseline, year, metric,
        mean_baseline, mean, difference, difference_sd, difference_low,
        difference_high, difference_p05, difference_p95, unpaired_low, unpaired_high,
        reps``. ``mean_baseline`` and ``mean`` are each scenario's own mean (as in
        ``summary``); the difference is over the ``reps`` replications where both values
        are defined. ``difference_low`` and ``difference_high`` bound the *mean*
        difference (they narrow as replications are added); ``difference_p05`` and
        ``difference_p95`` are the 5% and 95% quantiles of the replications' own
        differences in the year: the range in which one replication's difference (one
        possible future's change) falls 9 times in 10.
    targets : pandas.DataFrame
        Every target's probability per scenario (with its Wilson interval), and for
        alternatives the paired difference in probability against the baseline; then the
        other columns of :meth:`model.Results.targets` (``p05, p95, first_year_met_p10,
        first_year_met_p50, first_year_met_p90, share_never_met, verdict, source``).
    reps, seed : int
    level : float
        The intervals' confidence level (0.95: 95% intervals).
    ran_on : dict
        Where the runs ran, as the manifest records it: ``backend``, ``workers`` and
        ``scheduler`` (:func:`model.runner.where_ran`).
    """

    labels: list
    results: list
    summary: pd.DataFrame
    differences: pd.DataFrame
    targets: pd.DataFrame
    reps: int
    seed: int
    scenarios: list = field(default_factory=list, repr=False)
    level: float = 0.95
    ran_on: dict = field(default_factory=dict, repr=False)

    def total(self, label: str, metric: str, years) -> dict:
        """The paired comparison of ``metric``'s total over ``years`` (each replication's
        own sum) between the alternative ``label`` and the baseline: ``mean_baseline``,
        ``mean`` and the columns of :attr:`differences`, as one year's are made."""
        def totals(res):
            return np.sum([res.at(metric, y) for y in years], axis=0)[:, None]
        if isinstance(years, (int, np.integer)) or isinstance(years, str) or not hasattr(years, "__iter__"):
            raise UserError(f"expected the years to total as a list or range, such as range(2025, 2030), got "
                            f"{years!r}", field="years")
        if label not in self.labels:
            raise UnknownName(f"no scenario {label!r} in the comparison; its scenarios are "
                              f"{', '.join(map(repr, self.labels))}", field="label")
        a, b = totals(self.results[0]), totals(self.results[self.labels.index(label)])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a metric with no value in any replication
            means = {"mean_baseline": float(np.nanmean(a)), "mean": float(np.nanmean(b))}
        return means | {k: v[0].item() for k, v in _paired_columns(a, b, self.level).items()}  # as numbers

    def difference(self, metric: str, year: int | None = None) -> pd.DataFrame:
        """Rows of :attr:`differences` for one metric (and year), numbered from 0."""
        d = self.differences
        d = d[d.metric == self._metrics([metric])[0]]
        return (d if year is None else d[d.year == self._year(year)]).reset_index(drop=True)

    def table(self, metrics=KEY_METRICS, year: int | None = None) -> pd.DataFrame:
        """A readable table: per metric (one name or several, in the order given; in ``year``,
        default the last common year), each scenario's mean and each alternative's difference
        with its interval."""
        d = self.differences
        metrics = self._metrics([metrics] if isinstance(metrics, str) else list(dict.fromkeys(metrics)))
        year = int(d.year.max()) if year is None else self._year(year)
        d = d[(d.year == year) & d.metric.isin(metrics)]
        d = d.iloc[np.argsort(d.metric.map({m: i for i, m in enumerate(metrics)}).to_numpy(), kind="stable")]
        return d[["metric", "year", "scenario", "mean_baseline", "mean", "difference", "difference_low",
                  "difference_high", "unpaired_low", "unpaired_high"]].reset_index(drop=True)

    def _metrics(self, names: list) -> list:
        """``names`` if each is a metric compared, else the error :meth:`model.Results.metric` gives."""
        known = set(self.differences.metric)
        for m in names:
            if m not in known:
                self.results[0]._m(m)  # did you mean ...? (every scenario has the baseline's metrics)
                raise UnknownName(f"no metric {m!r} in the scenarios compared", field="--name")
        return names

    def _year(self, year) -> int:
        """``year`` if the scenarios compared share it, else a one-line error naming them."""
        y = whole_number(year, "--year", -(10**9))
        years = sorted(set(self.differences.year))
        if y not in years:
            raise UnknownName(f"year {y} is outside the years compared, {years[0]}-{years[-1]}",
                              field="--year")
        return y

    def report_table(self, metrics=KEY_METRICS) -> pd.DataFrame:
        """The differences of ``metrics`` (and of the targets' metrics) in the layout of
        :func:`model.report.compare_report`: ``scenario, year, metric, mean, diff,
        diff_low, diff_high, mean_baseline, unpaired_low, unpaired_high``."""
        want = list(metrics) + [m for m in self.targets.metric.unique() if m not in metrics]
        d = self.differences[self.differences.metric.isin(want)]
        return d.rename(columns={"difference": "diff", "difference_low": "diff_low",
                                 "difference_high": "diff_high"})[
            ["scenario", "year", "metric", "mean", "diff", "diff_low", "diff_high", "mean_baseline",
             "unpaired_low", "unpaired_high"]].reset_index(drop=True)

    def to_csv(self, folder) -> None:
        """Write summary.csv, differences.csv, targets.csv and metrics.csv into ``folder``
        (made if missing)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        common.write_table(self.summary, folder / "summary.csv")
        common.write_table(self.differences, folder / "differences.csv")
        common.write_table(self.targets, folder / "targets.csv")
        common.write_table(units_table(self.summary.metric), folder / "metrics.csv")

    def __repr__(self):
        return f"<Comparison {' vs '.join(self.labels)}: {self.reps} replications, seed {self.seed}>"


def _labels(scenarios) -> list[str]:
    out, seen = [], {}
    for s in scenarios:
        seen[s.name] = seen.get(s.name, 0) + 1
        out.append(s.name if seen[s.name] == 1 else f"{s.name}#{seen[s.name]}")
    return out


def _given_labels(labels, n: int) -> list[str]:
    """``labels`` checked: ``n`` texts, each non-blank and its own."""
    if isinstance(labels, str) or not hasattr(labels, "__iter__"):
        raise UserError(f"expected a list of {n} names, one per scenario, got {labels!r}", field="labels")
    labels = list(labels)
    if len(labels) != n or not all(isinstance(x, str) and x.strip() for x in labels):
        raise UserError(f"expected {n} names (texts, not blank), one per scenario, got {labels!r}",
                        field="labels")
    twice = sorted({x for x in labels if labels.count(x) > 1})
    if twice:
        raise UserError(f"each scenario needs its own name; {twice[0]!r} is given twice", field="labels")
    return labels


def shared_years(scenarios) -> list[int]:
    """The years every scenario covers, in order (what compare compares)."""
    return sorted(set.intersection(*(set(s.year_list.tolist()) for s in scenarios)))


def compare(scenarios, reps: int | None = None, seed: int | None = None, *, overrides=None,
            workers: int | None = None, backend: str | None = None, scheduler: str | None = None,
            quiet: bool = True, level: float = 0.95, labels=None) -> Comparison:
    """Run scenarios on common random numbers and compare each with the first.

    Parameters
    ----------
    scenarios : list of Scenario, path or name
        The baseline first, then the alternatives (at least two in all).
    reps, seed : int, optional
        Default: the baseline's ``[run]`` section. Every scenario uses the same seed.
    overrides : dict or list of "key=value", optional
        Applied to every scenario (``--set``).
    workers, backend, scheduler, quiet
        As for :func:`model.run`.
    level : float
        Confidence level of the intervals.
    labels : list of str, optional
        A name for each scenario in the tables (as many as there are scenarios, each its
        own): for alternatives made with ``with_overrides``, which keep their baseline's
        name. Default: the scenarios' names, a repeated one as ``name#2``, ``name#3``...

    Returns
    -------
    Comparison

    Examples
    --------
    >>> from model.experiments.compare import compare
    >>> import model
    >>> base = model.load("bench", {"demand.communities": 50, "years": 2})
    >>> alt = base.with_overrides({"certification.pass_prob": 0.3})
    >>> c = compare([base, alt], reps=4, seed=1, labels=["base", "pass 30%"])
    >>> c.difference("certified_share", 2026)[["difference", "difference_low", "difference_high"]]  # doctest: +SKIP
    """
    level = number_in(level, "--level", 0, 1, what="a confidence level (e.g. 0.95)")
    if isinstance(scenarios, (str, Path)) or not hasattr(scenarios, "__iter__"):
        raise UserError(f"expected a list of scenarios, the baseline first, got {scenarios!r}",
                        field="scenarios")
    scs = [common.as_scenario(s, overrides) for s in scenarios]
    common.note_scenarios(scs)
    if len(scs) < 2:
        raise UserError("compare needs at least two scenarios (the baseline first)", field="scenarios")
    years = np.array(shared_years(scs))
    if not len(years):
        spans = ", ".join(f"{sc.name} {sc.start_year}-{sc.start_year + sc.years - 1}" for sc in scs)
        raise UserError(f"the scenarios' horizons do not overlap ({spans}); compare scenarios covering the "
                        "same years", **({"file": "python -m model compare"} if COMMAND_LINE.get()
                                         else {"field": "scenarios"}))
    labels = _labels(scs) if labels is None else _given_labels(labels, len(scs))  # before the runs
    reps, seed = reps_and_seed(scs[0], reps, seed)
    ran_on: dict = {}
    results = common.run_many(scs, reps, seed, workers, backend, scheduler, quiet, desc="scenarios",
                              about=ran_on)
    for r, lab in zip(results, labels):
        r.scenario = lab
    base = results[0]
    metrics = [m for m in base.metrics if all(m in r.metrics for r in results[1:])]
    summary = pd.concat([r.summary() for r in results], ignore_index=True)

    def block(res):
        yi = [int(np.flatnonzero(res.years == y)[0]) for y in years]
        mi = [res.metrics.index(m) for m in metrics]
        return res.values[:, yi][:, :, mi]

    def own_means(res):  # each scenario's means as its summary gives them, to the last digit
        at = pd.MultiIndex.from_product([years, metrics], names=["year", "metric"])
        return res.summary().set_index(["year", "metric"])["mean"].reindex(at).to_numpy()

    a = block(base)
    mean_a = own_means(base)  # the baseline's own, beside every alternative
    rows = []
    ny, nm = len(years), len(metrics)
    for res, lab in zip(results[1:], labels[1:]):
        b = block(res)
        same_years = np.array_equal(res.years, base.years)  # beyond the years both cover it may act
        same_targets = tuple(res.target_specs) == tuple(base.target_specs)
        if same_years and same_targets and np.array_equal(a, b, equal_nan=True):
            common.warn_no_effect(f"{lab} gives the baseline's values", "its change")
        rows.append(pd.DataFrame({
            "scenario": lab, "baseline": labels[0],
            "year": np.repeat(years, nm), "metric": np.tile(np.array(metrics, dtype=object), ny),
            "mean_baseline": mean_a, "mean": own_means(res), **_paired_columns(a, b, level),
        }))
    differences = pd.concat(rows, ignore_index=True)
    targets = _targets(results, labels, scs, level)
    return Comparison(labels, results, summary, differences, targets, reps, seed, scs, level, ran_on)


def _paired_columns(a: np.ndarray, b: np.ndarray, level: float) -> dict:
    """The columns of :attr:`Comparison.differences` from ``difference`` on, flat, of the
    paired differences ``b - a`` over replications (axis 0)."""
    st = common.paired_difference(a, b, level)
    spread = _spread(b - a)
    return {"difference": st["difference"].ravel(), "difference_sd": st["sd"].ravel(),
            "difference_low": st["low"].ravel(), "difference_high": st["high"].ravel(),
            "difference_p05": spread[0].ravel(), "difference_p95": spread[1].ravel(),
            "unpaired_low": st["unpaired_low"].ravel(), "unpaired_high": st["unpaired_high"].ravel(),
            "reps": st["n"].ravel()}


def _spread(d: np.ndarray) -> np.ndarray:
    """The 5% and 95% quantiles over replications (axis 0) of the paired differences
    ``d``, where defined (as the tables' quantiles: linear interpolation); NaN where no
    replication has one."""
    out = np.full((2,) + d.shape[1:], np.nan)
    some = np.isfinite(d).any(axis=0)
    out[:, some] = np.nanquantile(d[:, some], [0.05, 0.95], axis=0)
    return out


def _targets(results, labels, scs, level) -> pd.DataFrame:
    """Each scenario's own targets, plus the baseline's targets evaluated in every scenario,
    each in every scenario whose horizon holds its year (and that reports its metric): a
    target after an alternative's shorter horizon keeps its rows in the others, the
    baseline's own included, with no paired difference where either side lacks it."""
    def holds(r, t) -> bool:
        return t.metric_name in r.metrics and t.year in r.years
    specs = []
    for sc in scs:
        for t in sc.targets:
            if any(holds(r, t) for r in results) and t not in specs:
                specs.append(t)
    rows = []
    base_hits = {}
    nan = float("nan")
    for res, lab in zip(results, labels):
        mine = [i for i, t in enumerate(specs) if holds(res, t)]
        tab = replace(res, target_specs=tuple(specs[i] for i in mine)).targets(level)
        for k, i in enumerate(mine):
            hits = res.target_hits(specs[i]).astype(float)
            row = tab.iloc[k].to_dict()
            if lab == labels[0]:
                base_hits[i] = hits
                row.update(probability_difference=0.0, probability_difference_low=0.0,
                           probability_difference_high=0.0)
            elif i in base_hits:
                d, low, high = paired_proportions(base_hits[i], hits, level)
                row.update(probability_difference=d, probability_difference_low=low,
                           probability_difference_high=high)
            else:  # the baseline's horizon does not hold it
                row.update(probability_difference=nan, probability_difference_low=nan,
                           probability_difference_high=nan)
            rows.append(row)
    cols = ["scenario", "target", "metric", "year", "op", "threshold", "probability", "probability_low",
            "probability_high", "mean", "probability_difference", "probability_difference_low",
            "probability_difference_high", "p05", "p95", "first_year_met_p10", "first_year_met_p50",
            "first_year_met_p90", "share_never_met", "verdict", "source"]
    return targets_table(rows, cols)


# --------------------------------------------------------------------------- command line

def add_arguments(p) -> None:
    from ..cli import add_run_options, whole_int
    p.add_argument("scenarios", nargs="+", metavar="SCENARIO", help="baseline first, then alternatives")
    add_run_options(p, "output folder (default: outputs/compare-<baseline>)")
    p.add_argument("--variant", action="append", default=[], metavar="KEY=VALUE",
                   help="add an alternative: the baseline with this field changed (repeatable)")
    p.add_argument("--metric", action="append", default=[], metavar="NAME",
                   help="metric for the figure and the printed table (repeatable; default: "
                   + ", ".join(KEY_METRICS) + ", and those the baseline's targets read)")
    p.add_argument("--year", type=whole_int, default=None,
                   help="year of the printed table (default: the last; the files hold every year)")


def _compact(value) -> str:
    """A variant's value as its name carries it: a list's elements joined by '_', a
    schedule's points as year-value (``[0.12, 0.05]`` -> ``0.12_0.05``, ``{2025 = 0.1, 2027 =
    0.2}`` -> ``2025-0.1_2027-0.2``), a number or a word as written."""
    from ..scenario import toml_inline
    text = toml_inline(value) if isinstance(value, (list, tuple, dict)) else str(value)
    return re.sub(r"[\[\]{}\s\"]", "", text).replace(",", "_").replace("=", "-")


def main(args) -> int:
    from ..outputs import atomic_folder, check_destination, write_json
    from ..scenario import parse_override, toml_inline
    if len(args.scenarios) + len(args.variant) < 2:  # before loading: an option, not compare()'s argument
        raise UserError("compare needs at least two scenarios: give two scenario files (the baseline first), "
                        "or one and --variant KEY=VALUE", file="python -m model compare")
    scs = [common.as_scenario(s, args.overrides) for s in args.scenarios]
    for v in args.variant:
        key, value = parse_override(v, "--variant")
        short = key.strip()  # the whole key, so that two sections' fields of one name stay apart
        short = short.removesuffix("*") + "-x" if short.endswith("*") else short + "-"  # a multiplier: -x0.95
        label = re.sub(r"[^A-Za-z0-9_.\-]", "_", f"{scs[0].name}.{short}{_compact(value)}")[:100]
        said = f"{key} = {toml_inline(value)}"  # what the variant is, in its report (not the base's words)
        scs.append(scs[0].with_overrides({key: value, "name": label,
                                          "description": f"{scs[0].name} with {said}",
                                          "description_zh": f"{scs[0].name}，其中 {said}"},
                                         label=f"--variant {v}"))
    from ..metrics import names
    metrics = args.metric or default_metrics(scs)
    known = set(names(scs[0]))
    for m in metrics:
        if m not in known:
            raise UserError(f"unknown metric {m!r}; see `python -m model metrics`", field="--metric")
        for sc in scs[1:]:
            if m not in set(names(sc)):  # a district's metric where the alternative has no such district
                raise UserError(f"metric {m!r} is reported for {scs[0].name} but not for {sc.name}, so the two "
                                f"cannot be compared on it; see `python -m model metrics {sc.path or sc.name}`",
                                field="--metric")
    years = shared_years(scs)
    if args.year is not None and args.year not in years:
        span = f"{years[0]}-{years[-1]}" if years else "none: the horizons do not overlap"
        raise UserError(f"{args.year} is not a year every scenario covers ({span})", field="--year")
    out = Path(args.out or common.default_out("compare", scs[0].name))
    check_destination(out.resolve(), not args.no_overwrite)
    c = compare(scs, args.reps, args.seed, workers=args.workers, backend=args.backend,
                scheduler=args.scheduler, quiet=args.quiet)
    notes = []
    with atomic_folder(out, overwrite=not args.no_overwrite) as tmp:
        c.to_csv(tmp)
        write_json(tmp / "manifest.json", common.manifest("compare", scs, c.reps, c.seed,
                                                          {"labels": c.labels}, ran_on=c.ran_on))
        if not args.no_report:
            from ..report import experiments as fig
            fig.paired_differences(c, metrics, tmp / "differences.png", lang=args.lang, svg=args.svg)
            notes.append(_report(c, tmp, args.lang, metrics))
            from ..report.budget import write_budget, write_differences
            for sc, res, label in zip(c.scenarios, c.results, c.labels):  # each one's budget, side by side
                write_budget(res, sc, tmp / f"budget-{label.replace('#', '-')}.xlsx", lang=args.lang)
            write_differences(c, tmp / "budget-differences.xlsx", lang=args.lang)
    _print(c, metrics, out, args.year)
    for n in notes:
        if n:
            print(n)
    return 0


def _report(c: Comparison, folder: Path, lang: str, metrics) -> str | None:
    """The side-by-side HTML report (:func:`model.report.compare_report`) of ``metrics``."""
    try:
        from ..report import compare_report
    except (ImportError, AttributeError):
        return "note: report.html not written (model.report.compare_report is not available)"
    compare_report(c.results, c.report_table(metrics), folder, lang, targets=c.targets,
                   scenarios=c.scenarios)
    return None


def _largest(differences: pd.DataFrame, metric: str, scenario: str, year: int):
    """The row of ``differences`` where ``scenario``'s difference in ``metric`` is largest
    in size, if clearly larger than in ``year`` (beyond rounding: a difference the same
    in every year has none); else None."""
    d = differences[(differences.metric == metric) & (differences.scenario == scenario)]
    size = d.difference.abs()
    if not size.notna().any():
        return None
    top = d.loc[size.idxmax()]
    here = size[d.year == year]
    asked = float(here.iloc[0]) if len(here) else float("nan")
    scale = max(abs(float(top["mean"])), abs(float(top["mean_baseline"])), 1.0)
    if np.isfinite(asked) and abs(float(top["difference"])) <= asked + 1e-9 * scale:
        return None
    return top


def _print(c: Comparison, metrics, out: Path, year: int | None = None) -> None:
    from ..metrics import unit
    year = int(c.differences.year.max()) if year is None else int(year)
    print(f"Compared {', '.join(c.labels)} ({c.reps} replications each, seed {c.seed}, "
          "common random numbers); baseline: " + c.labels[0])
    print(f"\nIn {year}: mean, and paired difference vs {c.labels[0]} [95% interval of the mean "
          "difference; one replication's own difference varies more: differences.csv's difference_p05 "
          "and difference_p95]; where the difference is largest in another year, that too")
    t = c.table(metrics, year)
    for m in metrics:
        rows = t[t.metric == m]
        if not len(rows):
            continue
        u = unit(m)
        line = f"  {m:24s} {c.labels[0]}: {common.fmt(rows['mean_baseline'].iloc[0], u)}"
        print(line)
        for _, r in rows.iterrows():
            print(f"  {'':24s} {r['scenario']}: {common.fmt(r['mean'], u)}  diff "
                  + common.fmt_estimate(r["difference"], r["difference_low"], r["difference_high"], u,
                                        difference=True))
            top = _largest(c.differences, m, r["scenario"], year)
            if top is not None:
                print(f"  {'':24s} {'':{len(r['scenario'])}}  largest in {int(top['year'])}: "
                      + common.fmt_estimate(top["difference"], top["difference_low"], top["difference_high"],
                                            u, difference=True))
    if len(c.targets):
        print(f"\nTargets: probability met [95% interval], and the paired difference vs {c.labels[0]} "
              "[95% interval]")

        def said(r) -> str:
            own = f"{r['scenario']} " + percent_interval(r["probability"], r["probability_low"],
                                                         r["probability_high"], "-")
            own += f", mean {common.fmt(r['mean'], unit(r['metric']))}"
            if r["scenario"] == c.labels[0] or not np.isfinite(r["probability_difference"]):
                return own
            diff = common.fmt_estimate(r["probability_difference"], r["probability_difference_low"],
                                       r["probability_difference_high"], "probability", difference=True)
            return f"{own} ({diff})"
        # a target name each scenario may define its own way: one line per condition, shown
        for (name, metric, op, threshold, year), g in c.targets.groupby(
                ["target", "metric", "op", "threshold", "year"], sort=False):
            print(f"  {name} ({metric} {op} {threshold:g} in {year}): "
                  + "; ".join(said(r) for _, r in g.iterrows()))
    print(f"\nWrote {out}/")
