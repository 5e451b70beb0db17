"""Sweep one or two levers over a grid, on common random numbers across grid points.

Every grid point is the scenario with the levers set (see :mod:`model.experiments.common`
for ``section.key``, ``section.key[i]`` and ``section.key*``) and runs with the same seed,
so replication ``r`` at every point draws from the same random streams: the curve of an
output against the grid is smooth where the model is, and differences between points
are paired.

Command line::

    python -m model sweep SCENARIO --param recruitment.max_age 35,40,45 \\
        [--param certification.pass_prob 0.2,0.3] [--metric certified_share --year 2030 | --target NAME]

writes ``grid.csv``, ``summary.csv`` (every metric at every grid point and year),
``targets.csv``, ``output.csv`` (the chosen output per grid point), ``metrics.csv``
(each metric's unit and definition), ``manifest.json``
and ``sweep.png`` (a line for one lever, a heat map for two) into
``outputs/sweep-<scenario>/``.
"""

from __future__ import annotations

import itertools
import math
import numbers
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import UserError, finite_number
from ..metrics import units_table
from ..runner import reps_and_seed
from . import common


@dataclass
class Sweep:
    """Results over a grid of lever values.

    Attributes
    ----------
    levers : list of Lever
    grid : pandas.DataFrame
        ``point`` and one column per lever (named as the lever, e.g. ``recruitment.max_age``).
    results : list of model.Results
        One per grid point, in grid order.
    summary : pandas.DataFrame
        ``point``, the lever columns, then :meth:`model.Results.summary` columns.
    targets : pandas.DataFrame
        ``point``, the lever columns, then :meth:`model.Results.targets` columns.
    reps, seed : int
    values : list of list
        Each lever's values, as given (from text: as read), in the order of :attr:`levers`.
    ran_on : dict
        Where the runs ran, as the manifest records it: ``backend``, ``workers`` and
        ``scheduler`` (:func:`model.runner.where_ran`).
    """

    levers: list
    grid: pd.DataFrame
    results: list
    summary: pd.DataFrame
    targets: pd.DataFrame
    reps: int
    seed: int
    scenario: object = field(default=None, repr=False)
    values: list = field(default_factory=list, repr=False)
    ran_on: dict = field(default_factory=dict, repr=False)

    @property
    def lever_names(self) -> list[str]:
        """The levers swept, as named (the columns of :attr:`grid` and of :meth:`output`)."""
        return [lv.name for lv in self.levers]

    def output(self, output) -> pd.DataFrame:
        """The output at every grid point: its number and lever columns, ``value`` (mean over
        replications, or probability), ``low``/``high`` (95% confidence interval of that mean,
        or Wilson interval of the probability: not the spread of single outcomes), ``reps``
        (the replications the value is over: for a mean, those where the metric is defined).

        ``output`` is a metric's name (taken in the last year) or ``metric@YEAR``
        (``certified_share@2025``), a target's name or expression (``certified_share>=0.7@2025``:
        its probability), a :class:`~model.scenario.Target` or a
        :class:`~model.experiments.common.Output`. Columns: ``point`` (the grid point's
        number), the levers, ``output`` (its label), ``value``, ``low``, ``high``, ``reps``.
        """
        output = self._output(output)
        rows = []
        for g, res in zip(self.grid.to_dict("records"), self.results):
            lo, hi = output.interval(res)
            n = res.reps if output.is_probability else int(np.isfinite(output.per_rep(res)).sum())
            rows.append({**g, "output": output.label, "value": output.value(res),
                         "low": lo, "high": hi, "reps": n})
        return pd.DataFrame(rows)

    def per_replication(self, output) -> pd.DataFrame:
        """The output per grid point and replication (``point``, levers, ``rep``, ``value``);
        ``output`` as for :meth:`output`."""
        output = self._output(output)
        rows = []
        for g, res in zip(self.grid.to_dict("records"), self.results):
            v = output.per_rep(res)
            rows.append(pd.DataFrame({**{k: [x] * len(v) for k, x in g.items()},
                                      "rep": np.arange(len(v)), "value": v}))
        return pd.concat(rows, ignore_index=True)

    def _output(self, output):
        """The :class:`~model.experiments.common.Output` ``output`` names (:func:`common.named_output`)."""
        return common.named_output(self.scenario, output)

    def to_csv(self, folder, output=None) -> None:
        """Write grid.csv, summary.csv, targets.csv and metrics.csv into ``folder`` (made if
        missing), and with ``output`` (as :meth:`output` takes it) output.csv, as ``python -m
        model sweep`` does."""
        table = self.output(output) if output is not None else None  # a bad output: nothing written
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        common.write_table(self.grid, folder / "grid.csv")
        common.write_table(self.summary, folder / "summary.csv")
        common.write_table(self.targets, folder / "targets.csv")
        if table is not None:
            common.write_table(table, folder / "output.csv")
        common.write_table(units_table(self.summary.metric), folder / "metrics.csv")

    def __repr__(self):
        return f"<Sweep {' x '.join(self.lever_names)}: {len(self.grid)} points, {self.reps} replications each>"


def _same(v, lv):
    """A value as run: numbers as floats (a whole-number lever's rounded), so 1 and 1.0 are
    one point; a value that is not one (a list) as its text, for the lever to refuse."""
    if not finite_number(v):  # a text, a switch, a list, inf, 10**400: for the lever to refuse
        return v if isinstance(v, (str, bool)) else repr(v)
    return lv.as_run(v)


def sweep(scenario, params, reps: int | None = None, seed: int | None = None, *, overrides=None,
          workers: int | None = None, backend: str | None = None, scheduler: str | None = None,
          quiet: bool = True) -> Sweep:
    """Run the scenario at every point of a grid of one or two levers.

    Parameters
    ----------
    scenario : Scenario, path or name
    params : dict or list of (lever, values)
        One or two levers, e.g. ``{"recruitment.max_age": [35, 40, 45]}``; a lever is a
        field path (``section.key``, ``section.key[i]`` or ``section.key*``) or a
        :class:`~model.experiments.common.Lever`. Values may also be a string
        ``"35,40,45"`` or ``"0.1:0.5:5"``.
    reps, seed : int, optional
        Default: the scenario's ``[run]`` section; every grid point uses the same seed.
    overrides : dict or list of "key=value", optional
    workers, backend, scheduler, quiet
        As for :func:`model.run`.

    Returns
    -------
    Sweep

    Examples
    --------
    >>> from model.experiments.sweep import sweep
    >>> s = sweep("bench", {"certification.pass_prob": [0.2, 0.3]}, reps=4,
    ...           overrides={"demand.communities": 50, "years": 2})   # doctest: +SKIP
    >>> s.output("certified_share")                                   # doctest: +SKIP
    """
    sc = common.as_scenario(scenario, overrides)
    common.note_scenarios([sc])
    items = common.lever_items(params, "values", "{'quits.rate*': [0.8, 1.2]}", "quits.rate* 0.8,1.2")
    if not 1 <= len(items) <= 2:
        raise UserError(f"sweep takes one or two levers, got {len(items)}", field="--param")
    levers, values = [], []
    for key, vals in items:
        lv = key if isinstance(key, common.Lever) else common.Lever.parse(str(key))
        vals = _grid_values(lv, vals)
        if len({_same(v, lv) for v in vals}) != len(vals):
            shown = ", ".join(map(str, (_same(v, lv) for v in vals)))
            raise UserError(f"{lv.name}: a value is given twice ({shown}); give each once", field="--param")
        levers.append(lv)
        values.append(vals)
    common.check_distinct(levers)
    reps, seed = reps_and_seed(sc, reps, seed)
    common.check_runs(math.prod(len(v) for v in values), reps, "--param", "grid points")
    points = list(itertools.product(*values))
    grid = pd.DataFrame([dict(zip([lv.name for lv in levers], p)) for p in points])
    grid.insert(0, "point", np.arange(len(points)))
    scenarios = [common.apply_levers(sc, levers, p) for p in points]  # a bad value: its error alone
    for lv in levers:
        common.warn_lever_replaces(sc, lv, "sweeping")
    ran_on: dict = {}
    results = common.run_many(scenarios, reps, seed, workers, backend, scheduler, quiet, desc="grid points",
                              about=ran_on)
    first = results[0].values
    if len(results) > 1 and all(np.array_equal(r.values, first, equal_nan=True) for r in results[1:]):
        common.warn_no_effect("every grid point gives the same values",
                              ", ".join(lv.name for lv, vs in zip(levers, values) if len(vs) > 1))
    summ, targ = [], []
    for cols, res in zip(grid.to_dict("records"), results):
        s = res.summary()
        t = res.targets()
        for k, v in reversed(list(cols.items())):
            s.insert(0, k, v)
            t.insert(0, k, v)
        summ.append(s)
        targ.append(t)
    return Sweep(levers, grid, results, pd.concat(summ, ignore_index=True),
                 pd.concat(targ, ignore_index=True), reps, seed, sc, values, ran_on)


def _grid_values(lv, vals) -> list:
    """One lever's values for the grid: from text, as :func:`common.parse_values` reads and
    checks them (a whole-number lever's message quoting the text); else a number or a list,
    checked here."""
    if isinstance(vals, str):
        return common.parse_values(vals, lv)
    if isinstance(vals, (numbers.Number, bool)):
        vals = [vals]  # one value
    try:
        vals = list(vals)
    except TypeError:
        raise UserError(f"{lv.name}: expected a list of values, got {vals!r}", field="--param") from None
    if not vals:
        raise UserError(f"{lv.name}: no values given", field="--param")
    common.check_whole_values(lv, vals, "--param")
    return vals


# --------------------------------------------------------------------------- command line

def add_output_options(p) -> None:
    """``--metric``, ``--year`` and ``--target``: what the experiment looks at."""
    from ..cli import whole_int
    p.add_argument("--metric", help="metric to show (mean in --year); see `python -m model metrics`. Without "
                   "--metric or --target: the probability of the scenario's first target (headcount if it "
                   "has none)")
    p.add_argument("--year", type=whole_int, help="year of --metric (default: the last year)")
    p.add_argument("--target", help="a target's name in the scenario, or an expression such as "
                   "'certified_share>=0.6@2024' (probability it is met; without @YEAR: the horizon's last "
                   "year)")


def add_arguments(p) -> None:
    from ..cli import add_run_options
    p.add_argument("scenario", help="scenario file or name")
    add_run_options(p, "output folder (default: outputs/sweep-<scenario>)")
    p.add_argument("--param", action="append", nargs="+", required=True, metavar="KEY VALUES",
                   help="lever and its grid, e.g. --param recruitment.max_age 35,40,45 (or KEY=VALUES; "
                   "lo:hi:n for n even steps); once or twice. A number for a vector field sets every element "
                   "(pay.monthly 5000: every post alike); KEY[i] sets one, KEY* multiplies the field")
    add_output_options(p)


def main(args) -> int:
    from ..outputs import atomic_folder, check_destination, write_json
    sc = common.as_scenario(args.scenario, args.overrides)
    params = [(common.Lever.parse(key), vals)  # the values' text, which sweep reads and checks once
              for tokens in args.param for key, vals in common.split_params(tokens)]
    output = common.Output.parse(sc, args.metric, args.year, args.target)
    out = Path(args.out or common.default_out("sweep", sc.name))
    check_destination(out.resolve(), not args.no_overwrite)
    s = sweep(sc, params, args.reps, args.seed, workers=args.workers, backend=args.backend,
              scheduler=args.scheduler, quiet=args.quiet)
    tab = s.output(output)  # (a bad output is refused before the folder is made)
    with atomic_folder(out, overwrite=not args.no_overwrite) as tmp:
        s.to_csv(tmp)
        common.write_table(tab, tmp / "output.csv")
        write_json(tmp / "manifest.json", common.manifest(
            "sweep", [sc], s.reps, s.seed,
            {"levers": {lv.name: list(map(_jsonable, v)) for lv, v in zip(s.levers, s.values)},
             "output": output.label}, ran_on=s.ran_on))
        if not args.no_report:
            from ..report import experiments as fig
            fig.sweep_figure(s, output, tmp / "sweep.png", lang=args.lang, svg=args.svg)
    print(f"Sweep of {' x '.join(s.lever_names)} on {sc.name} ({len(s.grid)} grid points, {s.reps} "
          f"replications each, seed {s.seed}, common random numbers)")
    print(f"{output.label}: probability [95% interval]" if output.is_probability else
          f"{output.label}: mean over replications [95% confidence interval of the mean; the spread of "
          "single outcomes is wider: run one grid point for its P05-P95]")
    for r in tab.to_dict("records"):
        where = ", ".join(f"{k} = {r[k]:.10g}" if isinstance(r[k], float) else f"{k} = {r[k]}"
                          for k in s.lever_names)  # 0.15, not 0.15000000000000002
        print(f"  {where}: {common.fmt_estimate(r['value'], r['low'], r['high'], output.unit)}")
    print(f"\nWrote {out}/")
    return 0


def _jsonable(v):
    return v.item() if isinstance(v, np.generic) else v
