"""Calibrate unknown parameters so simulated metric means match observed figures.

Observations are rows ``metric, year, value, weight`` (a CSV with those columns, or a
TOML file of ``[[observations]]`` tables; ``weight`` defaults to 1, and a ``source``
column/key is allowed). For parameter values ``theta`` (levers as in
:mod:`model.experiments.common`, each with a range ``[lo, hi]``) the model runs ``R``
replications on a fixed seed (common random numbers: the objective is a deterministic
function of ``theta``) and the residual of observation ``i`` is

    r_i(theta) = sqrt(w_i) * (m_i(theta) - v_i) / s_i

where ``m_i`` is the simulated mean of the metric in the year, ``v_i`` the observed value
and ``s_i`` the metric's scale, fixed from the run at the start (the parameters' values in
the scenario, clipped to their ranges): its simulated mean ``|m_i(start)|``
(``scale="relative"``, the default, so metrics in different units are comparable), one
replication's standard deviation there (``scale="sd"``: each residual in units of one
history's spread, so a precise metric weighs more than a noisy one; at least
:data:`SD_FLOOR` of the mean), or 1 (``scale="absolute"``); where the start's scale is 0,
the observed value's size (1 if that is 0 too). Not
the observed value: a scale that moves with the observation's own noise weighs the
observations that happen to fall low more and biases the fit (by 0.3 of its standard
error for a quit rate seen through 3 years' quits, in an audit). The fit minimises
``sum_i r_i^2``: with one parameter by bounded Brent search
(:func:`scipy.optimize.minimize_scalar`), with several by bounded Nelder-Mead
(:func:`scipy.optimize.minimize`) on the parameters rescaled to ``[0, 1]``; both use only
objective values, which suits a function that is piecewise constant at the scale of one
replication's draw. On such a function a search may stop on a flat step near the least
value rather than at it (in an audit, 0.0007 from a brute-force minimum whose standard
error was 0.015): the fit is the minimum to well within its Monte Carlo error, not exactly.

**Identification.** At the fit, each parameter moves by 5% of its range either way; the
change of the simulated means gives the Jacobian ``J`` of the residuals. A parameter that
moves no simulated mean is *not identified* by these observations (its fitted value is
arbitrary). Otherwise, with ``A = (J'J)^-1`` and ``S`` the covariance matrix of one
replication's residuals across the observations (one history's values move together: a
stock in consecutive years, two metrics of the same workers), the Monte Carlo standard
error of the fit is ``sqrt(diag(A J' S J A) / R)`` (``se_mc``: the simulated means are
over ``R`` replications). A city's observed figure is one history of the city, not a mean
over histories, so it carries the spread of one replication: ``sqrt(diag(A J' S J A))``
(``se_history``). With
more observations than parameters the misfit standard error is given too (``se_fit``):
``sqrt(se_mc^2 + se_history^2)`` times ``sqrt(SSR / E)``, ``E = tr(M S) (1 + 1/R)`` the
objective one history's spread alone would leave (``M = I - J A J'``), so it holds any misfit
of the model beyond that spread (with ``S = s^2 I`` it is the textbook ``sqrt(diag(A) SSR /
(n - k))``, which pools the misfit of noisy and precise metrics into one ``s^2``: 0.56 of the
fit's spread for a quit rate seen through quits and payroll, in an audit; with fewer than two
replications it is that). The
standard error quoted (``se``) is the larger of ``sqrt(se_mc^2 + se_history^2)`` and
``se_fit``: with as many observations as parameters the misfit says nothing, and
``se_mc`` alone would treat the observed figures as exact (with fewer than two replications
only ``se_fit`` is known). Quote ``se``: in a coverage study (quit rates seen through one
noisy history, 60 to 200 histories) its 90% and 95% normal intervals covered 91-98%, while
``se_fit`` alone, estimated from a few residuals, covered 70-79% at 90%. A warning
is raised when a parameter is not identified, when parameters are not separately
identified (their effects on the simulated means more than 99% aligned and their standard
errors loose: :data:`SEPARATION`), when a standard error exceeds a quarter of the range, or when the fit
is at an end of its range (within 0.1% of the range, or no worse there than at the fit).

Command line::

    python -m model calibrate SCENARIO --param quits.rate=0.02,0.3 --observed obs.csv [--profile 7]
"""

from __future__ import annotations

import math
import numbers
import shlex
import tomllib
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import UserError, cut, number_in, whole_number
from ..metrics import units_table
from ..semantics import threshold_problem
from . import common

COLUMNS = ("metric", "year", "value", "weight")


@dataclass
class Calibration:
    """The fitted parameters and the fit.

    Attributes
    ----------
    values : dict
        Fitted value by parameter (lever name).
    parameters : pandas.DataFrame
        ``parameter, value, low, high, start, se, se_mc, se_history, se_fit, identified,
        note`` (``se`` is the one to quote; see the module docstring).
    fit : pandas.DataFrame
        Per observation: ``metric, year, observed, weight, simulated, simulated_sd,
        simulated_low, simulated_high, residual, relative_error, scale, contribution, source``
        (``scale``: the residual's divisor ``s_i``, see the module docstring; ``source``: the
        observation's own note of where it comes from, blank if none).
    objective : float
        Weighted sum of squared scaled residuals at the fit.
    evaluations, runs : int
        Parameter points run, replications run in all.
    warnings : list of str
    profile : pandas.DataFrame or None
        ``parameter, value, objective`` along each parameter, the others at the fit.
    results : model.Results
        The run at the fit.
    reps, seed : int
    ran_on : dict
        Where the runs ran, as the manifest records it: ``backend``, ``workers`` and
        ``scheduler`` (:func:`model.runner.where_ran`).
    """

    values: dict
    parameters: pd.DataFrame
    fit: pd.DataFrame
    objective: float
    evaluations: int
    runs: int
    warnings: list
    profile: pd.DataFrame | None
    reps: int
    seed: int
    converged: bool = True
    results: object = field(default=None, repr=False)
    ran_on: dict = field(default_factory=dict, repr=False)

    def to_csv(self, folder) -> None:
        """Write parameters.csv, fit.csv, metrics.csv and (with a profile) profile.csv into
        ``folder`` (made if missing), as ``python -m model calibrate`` does."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        common.write_table(self.parameters, folder / "parameters.csv")
        common.write_table(self.fit, folder / "fit.csv")
        common.write_table(units_table(self.fit.metric), folder / "metrics.csv")
        if self.profile is not None:
            common.write_table(self.profile, folder / "profile.csv")

    def __repr__(self):
        fitted = ", ".join(f"{k} = {v:g}" for k, v in self.values.items())
        return (f"<Calibration {fitted}: objective {self.objective:g}, {self.evaluations} points, "
                f"{self.reps} replications each{'' if self.converged else ', not converged'}>")

    @property
    def identified(self) -> dict:
        """``{parameter: bool}``: whether the observations pin each parameter down (the
        ``identified`` column of :attr:`parameters`)."""
        return dict(zip(self.parameters.parameter, self.parameters.identified))


# --------------------------------------------------------------------------- observations

def read_observations(source, scenario=None) -> pd.DataFrame:
    """Observations as a table ``metric, year, value, weight`` (checked against ``scenario``).

    Parameters
    ----------
    source : str, Path, pandas.DataFrame or list of dict
        A ``.csv`` file (columns metric, year, value and optionally weight, source), a
        ``.toml`` file with ``[[observations]]`` tables, or the rows themselves.
    scenario : Scenario, optional
        When given, metric names and years are checked against it.
    """
    label = "observations"
    if isinstance(source, (str, Path)):
        path = Path(source)
        label = str(path)
        _check_file(path, label)
        from ..outputs import reads
        reads(path, "the observations file")  # an output folder holding it is not replaced
        if path.suffix.lower() == ".toml":
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
                raise UserError(f"is not valid TOML: {e}", file=label) from None
            except OSError as e:
                raise UserError(f"cannot be read ({e.strerror or e})", file=label) from None
            unknown = sorted(set(data) - {"observations"})
            if unknown:
                raise UserError("unknown key; expected [[observations]] tables", file=label, field=unknown[0])
            rows = data.get("observations")
            if not isinstance(rows, list) or not rows:
                raise UserError("expected at least one [[observations]] table", file=label, field="observations")
            where = [f"observations[{i}]" for i in range(len(rows))]
        elif path.suffix.lower() == ".csv":
            _check_row_lengths(path, label)
            try:
                df = pd.read_csv(path, dtype=str, keep_default_na=False)
            except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
                raise UserError(f"is not a readable CSV file ({e})", file=label) from None
            except OSError as e:
                raise UserError(f"cannot be read ({e.strerror or e})", file=label) from None
            rows = df.to_dict("records")
            where = [f"row {i + 2}" for i in range(len(rows))]
        else:
            raise UserError("expected a .csv or .toml file of observations", file=label)
    elif isinstance(source, pd.DataFrame):
        rows = source.astype(object).where(source.notna(), None).to_dict("records")  # an empty cell: None
        where = [f"row {i}" for i in range(len(rows))]
    elif isinstance(source, dict) and set(source) & {"metric", "year", "value"}:
        columns = all(isinstance(v, (list, tuple, np.ndarray, pd.Series)) for v in source.values())
        got = ("columns (a dict of lists): make them a table, pandas.DataFrame(...), or give a list of rows"
               if columns else "one row alone: put it in a list")
        raise UserError("expected observations as a list of rows (one dict each: metric, year, value), a "
                        f"table or a file; got {got}", file=label)
    elif source is None or isinstance(source, (bytes, bytearray, numbers.Number)) or not _iterable(source):
        raise UserError("expected observations as the path of a .csv or .toml file, a pandas DataFrame or a "
                        f"list of dicts (metric, year, value), got {type(source).__name__} "
                        f"{cut(repr(source))}",
                        field="--observed")
    else:
        rows = list(source)
        where = [f"observations[{i}]" for i in range(len(rows))]
    if not rows:
        raise UserError("no observations given", file=label)
    known = None
    if scenario is not None:
        from ..metrics import names
        known = set(names(scenario))
    out = []
    for w, row in zip(where, rows):
        if not isinstance(row, dict):
            raise UserError("expected a table with metric, year, value", file=label, field=w)
        extra = sorted(set(row) - set(COLUMNS) - {"source"})
        if extra:
            raise UserError(f"unknown column/key {extra[0]!r}; expected metric, year, value, weight, source",
                            file=label, field=w)
        for k in ("metric", "year", "value"):
            if k not in row or row[k] in ("", None):
                raise UserError(f"'{k}' is missing", file=label, field=f"{w}.{k}")
        metric = str(row["metric"]).strip()
        if known is not None and metric not in known:
            raise UserError(f"unknown metric {metric!r}; see `python -m model metrics`", file=label,
                            field=f"{w}.metric")
        year = _number(row["year"], label, f"{w}.year")
        if year != int(year):
            raise UserError(f"expected a year, got {row['year']!r}", file=label, field=f"{w}.year")
        year = int(year)
        if scenario is not None and not scenario.start_year <= year <= scenario.end_year:
            raise UserError(f"year {year} is outside the horizon {scenario.start_year}-{scenario.end_year}",
                            file=label, field=f"{w}.year")
        value = _number(row["value"], label, f"{w}.value")
        if (why := threshold_problem(metric, value, observed=True)) is not None:  # 60 for 60%
            raise UserError(why, file=label, field=f"{w}.value")
        if value < 0:  # every metric counts, shares or sums money: none is below 0
            raise UserError(f"{metric} cannot be negative (the model's metrics are counts, shares and "
                            f"sums of money, 0 or more), got {value:g}", file=label, field=f"{w}.value")
        given = row.get("weight")  # blank: None (not given, or a table's empty cell) or "" (a file's)
        weight = 1.0 if given is None or given == "" else _number(given, label, f"{w}.weight")
        if weight < 0:
            raise UserError(f"weight must be 0 or more, got {weight:g}", file=label, field=f"{w}.weight")
        out.append({"metric": metric, "year": year, "value": value, "weight": weight,
                    "source": str(row.get("source", "") or "")})
    df = pd.DataFrame(out)
    dup = df.duplicated(["metric", "year"])
    if dup.any():
        i = int(np.flatnonzero(dup.to_numpy())[0])
        raise UserError(f"{df.metric[i]} in {df.year[i]} is observed twice", file=label, field=where[i])
    if not (df.weight > 0).any():
        raise UserError("every weight is 0; give at least one observation a positive weight", file=label)
    return df


def _check_file(path: Path, label: str) -> None:
    """Fail unless ``path`` is a regular file (a folder, a FIFO that would wait for a writer,
    a device are refused)."""
    try:
        exists, regular, folder = path.exists(), path.is_file(), path.is_dir()
    except (OSError, ValueError) as e:  # a NUL in the path, a name too long
        raise UserError(f"cannot be read ({e})", file=label) from None
    if not exists:
        raise UserError("file not found", file=label)
    if not regular:
        what = "is a folder" if folder else "is not a regular file (a pipe or a device)"
        raise UserError(f"{what}; expected a .csv or .toml file of observations", file=label)


def _check_row_lengths(path: Path, label: str) -> None:
    """Fail if a row of the CSV file has more fields than its header: pandas would take the
    extra leading fields as the row's index and shift the others into the wrong columns."""
    import csv
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            rows = csv.reader(fh)
            header = next(rows, None)
            for row in rows:
                if header is not None and len(row) > len(header):
                    raise UserError(f"has {len(row)} fields where the header has "
                                    f"{len(header)} ({', '.join(header)}); remove the extra values (a "
                                    "comma too many?) or name their columns in the header",
                                    file=label, field=f"row {rows.line_num}")
    except (OSError, UnicodeDecodeError, csv.Error):
        return  # pandas says what is wrong with the file


def _iterable(x) -> bool:
    try:
        iter(x)
    except TypeError:
        return False
    return True


def _number(x, label, where) -> float:
    if isinstance(x, bool):
        raise UserError(f"expected a number, got {x!r}", file=label, field=where)
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise UserError(f"expected a number, got {cut(repr(x))}", file=label, field=where) from None
    except OverflowError:  # a whole number too large for a float (10**400)
        digits = int(abs(x).bit_length() * math.log10(2)) + 1 if isinstance(x, int) else None
        shown = f"a whole number of about {digits} digits" if digits else cut(repr(x))
        raise UserError(f"expected a finite number, got {shown}", file=label, field=where) from None
    if not math.isfinite(v):
        raise UserError(f"expected a finite number, got {cut(repr(x))}", file=label, field=where)
    return v


# --------------------------------------------------------------------------- fitting

class _Problem:
    def __init__(self, ev, obs, bounds, scale):
        self.ev, self.obs, self.bounds = ev, obs, np.asarray(bounds, dtype=float)
        self.v = obs.value.to_numpy(dtype=float)
        self.scale = scale
        self.s = np.ones_like(self.v)  # set from the run at the start: set_scale
        self.warnings = []  # set_scale's
        self.sw = np.sqrt(obs.weight.to_numpy(dtype=float))

    def set_scale(self, res):
        """Fix each residual's scale ``s_i`` from ``res``, the run at the start: its mean
        (``relative``) or one replication's standard deviation (``sd``, floored at
        :data:`SD_FLOOR` of the mean) of the metric in the year. Never from the observed
        value: a scale that moves with the observation's own noise weighs the observations
        that happen to fall low more, and biases the fit (downward for counts, by 0.3 of
        its standard error in an audit). Where that scale is 0 or unknown (a count none of
        the start's replications has), the observed value's size; 1 where that is 0 too."""
        if self.scale == "absolute":
            return
        x = self.finite(res)
        m = np.abs(np.array([a.mean() if len(a) else np.nan for a in x]))
        s = m
        if self.scale == "sd":
            sd = np.array([a.std(ddof=1) if len(a) > 1 else np.nan for a in x])
            s = np.fmax(sd, SD_FLOOR * m)
        v = np.abs(self.v)
        self.s = np.where(np.isfinite(s) & (s > 0), s, np.where(v > 0, v, 1.0))
        if self.scale == "relative":  # a scale far below the observation lets that one residual dominate
            small = np.flatnonzero((self.s < SMALL_START * v) & (self.sw > 0))
            self.warnings = [
                f"{self.obs.metric.iloc[i]} in {int(self.obs.year.iloc[i])}: its scale, the simulated mean "
                f"at the start ({self.s[i]:.4g}), is under a tenth of the observed {self.v[i]:.4g}, so its "
                f"residual weighs {(v[i] / self.s[i]) ** 2:.3g} times what it would at the observed size; "
                "start nearer (the scenario's value) or use scale 'sd' or 'absolute'" for i in small]

    def finite(self, res) -> list:
        """Each observation's simulated values in ``res``, its replications with a value."""
        return [(x := res.at(metric, int(year)))[np.isfinite(x)] for metric, year in zip(self.obs.metric,
                                                                                            self.obs.year)]

    def means(self, theta):
        res = self.ev(theta)
        m = np.empty(len(self.obs))
        var = np.empty(len(self.obs))
        for i, x in enumerate(self.finite(res)):
            m[i] = x.mean() if len(x) else np.nan
            var[i] = x.var(ddof=1) / len(x) if len(x) > 1 else np.nan  # unknown from one replication
        return m, var, res

    def one_history(self, res) -> tuple[np.ndarray, int]:
        """The covariance of one replication's scaled, weighted residuals across the
        observations (n x n), from the ``R`` replications where every observed metric is
        finite, and ``R``: one history's values move together (a stock in consecutive
        years, two metrics of the same workers). NaN with fewer than two replications."""
        x = np.column_stack([res.at(metric, int(year)) for metric, year in zip(self.obs.metric, self.obs.year)])
        x = x[np.isfinite(x).all(axis=1)] * (self.sw / self.s)
        if len(x) < 2:
            return np.full((len(self.obs), len(self.obs)), np.nan), len(x)
        return np.atleast_2d(np.cov(x, rowvar=False, ddof=1)), len(x)

    def residuals(self, theta):
        m, _, _ = self.means(theta)
        return self.sw * (m - self.v) / self.s

    def objective(self, theta):
        r = self.residuals(theta)
        return float(np.sum(r ** 2)) if np.isfinite(r).all() else math.inf

    def to_theta(self, z):
        lo, hi = self.bounds[:, 0], self.bounds[:, 1]
        return lo + np.clip(z, 0, 1) * (hi - lo)


SMALL_START = 0.1
"""With ``scale="relative"``, a warning when the start's simulated mean is below this share
of the observed value (that observation then outweighs the others)."""
SD_FLOOR = 1e-3
"""With ``scale="sd"``, a metric's scale is at least this share of its simulated mean (a
metric that does not vary between replications would otherwise weigh without bound)."""
SCALES = ("relative", "sd", "absolute")

WHOLE_VALUES_TRIED = 25
"""A whole-number parameter over at most this many values is fitted by trying each."""


def calibrate(scenario, params, observations, reps: int | None = None, seed: int | None = None, *,
              scale: str = "relative", tol: float = 1e-4, max_evaluations: int = 200, profile: int = 0,
              overrides=None, workers: int | None = None, backend: str | None = None,
              scheduler: str | None = None, quiet: bool = True) -> Calibration:
    """Fit ``params`` so the simulated means match ``observations``.

    Parameters
    ----------
    scenario : Scenario, path or name
    params : dict {lever: (lo, hi)}
        Parameters to fit and their ranges, e.g. ``{"quits.rate": (0.02, 0.3)}`` (a
        number given to a vector field such as ``quits.rate`` sets every band).
    observations : path, DataFrame or list of dict
        See :func:`read_observations`.
    reps, seed : int, optional
        Replications per parameter point and the common seed.
    scale : {"relative", "sd", "absolute"}
        Residuals relative to the simulated mean at the start, in standard deviations of one
        replication there, or in the metric's units (see the module docstring).
    tol : float
        Tolerance on the parameters, as a share of their ranges.
    max_evaluations : int
        Most parameter points run by the optimiser.
    profile : int
        Points of the objective's profile along each parameter (0: none).
    overrides, workers, backend, scheduler
        As for :func:`model.run`.
    quiet : bool
        No counter of the parameter points run (with ``False``: one on stderr, where it is a
        terminal).

    Returns
    -------
    Calibration
    """
    sc = common.as_scenario(scenario, overrides)
    common.note_scenarios([sc])
    if scale not in SCALES:
        raise UserError(f"scale must be one of {', '.join(map(repr, SCALES))}, got {scale!r}",
                        field="--scale")
    max_evaluations = whole_number(max_evaluations, "--max-evaluations", 1)
    profile = whole_number(profile, "--profile", 0)
    tol = number_in(tol, "--tol", 0, 1, what="a tolerance (a share of each range)")
    items = common.lever_items(params, "range", "{'quits.rate': (0.02, 0.3)}", "quits.rate=0.02,0.3")
    if not items:
        raise UserError("give at least one parameter to fit: --param section.key=lo,hi", field="--param")
    levers, bounds = [], []
    for key, rng in items:
        lv, (lo, hi) = common.lever_range(key, rng)
        lv.check_whole_range(lo, hi, "--param")  # as sweep, solve and sensitivity
        lv.check_no_switch_at_zero(lo, "--param", sc)
        lv.check_ends(sc, lo, hi, "--param")  # (a lever the scenario cannot take, an element it lacks, too)
        common.warn_lever_replaces(sc, lv, "fitting")
        levers.append(lv)
        common.check_distinct(levers)
        bounds.append((lo, hi))
    obs = read_observations(observations, sc)
    ev = common.Evaluator(sc, levers, reps, seed, workers, backend, scheduler, quiet)
    if scale == "sd" and ev.reps < 2:
        raise UserError(f"scale='sd' needs at least 2 replications (one replication's sd is unknown), got "
                        f"{ev.reps}; raise --reps or use scale 'relative'", field="--scale")
    common.check_runs(profile * len(levers), ev.reps, "--profile", "profile points")
    with ev:  # one local Dask cluster for every point run; the counter closed on every exit
        c = _fit(ev, sc, levers, bounds, obs, scale, tol, max_evaluations, profile)
    for w in c.warnings:
        warnings.warn(w, UserWarning, stacklevel=2)
    return c


def _fit(ev, sc, levers, bounds, obs, scale: str, tol: float, max_evaluations: int,
         profile: int) -> Calibration:
    """:func:`calibrate`'s fit, its arguments checked, with the points run by ``ev`` (open);
    the warnings are the Calibration's, for the caller to give."""
    from scipy import optimize
    pb = _Problem(ev, obs, bounds, scale)
    b = pb.bounds
    start = []
    for lv, (lo, hi) in zip(levers, bounds):
        c = lv.current(sc)
        start.append(min(max(c, lo), hi) if c is not None and np.isfinite(c) else (lo + hi) / 2)
    start = np.array(start)
    m0, _, res0 = pb.means(start)  # an observed metric this scenario never defines cannot be fitted
    pb.set_scale(res0)
    for i in np.flatnonzero(~np.isfinite(m0)):
        metric, year = pb.obs.metric.iloc[i], int(pb.obs.year.iloc[i])
        raise UserError(f"{metric} in {year} has no value in any replication of {sc.name} (a ratio whose "
                        "denominator is 0, e.g. residents or the average wage not given); remove that "
                        "observation or give the scenario what the metric needs", field="--observed")
    k = len(levers)
    converged = True
    if k == 1 and levers[0].integer and b[0, 1] - b[0, 0] < min(WHOLE_VALUES_TRIED, max_evaluations):
        # a whole number over a short range: every value (a search would stall on the steps)
        for x in range(math.ceil(b[0, 0]), math.floor(b[0, 1]) + 1):
            pb.objective(np.array([float(x)]))
        theta = start.copy()  # the best value tried is taken below
    elif k == 1:
        r = optimize.minimize_scalar(lambda x: pb.objective([x]), bounds=tuple(b[0]), method="bounded",
                                     options={"xatol": tol * (b[0, 1] - b[0, 0]), "maxiter": max_evaluations})
        theta = np.array([float(r.x)])
        converged = bool(r.success)
        for x in (start[0], b[0, 0], b[0, 1]):  # the search never tries its own ends, nor the start
            pb.objective(np.array([float(x)]))
    else:
        z0 = (start - b[:, 0]) / (b[:, 1] - b[:, 0])
        simplex = [z0]
        for j in range(k):
            z = z0.copy()
            z[j] = z[j] + 0.25 if z[j] + 0.25 <= 1 else z[j] - 0.25
            simplex.append(z)
        r = optimize.minimize(lambda z: pb.objective(pb.to_theta(z)), z0, method="Nelder-Mead",
                              bounds=[(0.0, 1.0)] * k,
                              options={"initial_simplex": np.array(simplex), "xatol": tol, "fatol": 1e-12,
                                       "maxfev": max_evaluations})
        theta = pb.to_theta(r.x)
        converged = bool(r.success)
    # the optimiser may end beside the best point it saw; keep the best
    best = min(ev.cache.items(), key=lambda kv: pb.objective(np.array(kv[0])))
    if pb.objective(np.array(best[0])) < pb.objective(theta):
        theta = np.array(best[0])
    for j, lv in enumerate(levers):
        theta[j] = lv.as_run(theta[j])
    m, var, res = pb.means(theta)
    rvec = pb.sw * (m - pb.v) / pb.s
    ssr = float(np.sum(rvec ** 2))
    warns = list(pb.warnings)
    if not converged:
        warns.append(f"the optimiser stopped before converging (after {ev.evaluations} points); raise "
                     "max_evaluations or narrow the ranges")
    history = pb.one_history(res)
    if history[1] < 2:
        warns.append("se_mc and se_history need at least 2 replications with every observed metric finite; "
                     "se is se_fit alone (none with as many observations as parameters)")
    param_rows = _identification(pb, levers, bounds, theta, rvec, history, ssr, warns, start)
    fit = _fit_table(obs, res, m, var, pb)
    warns += _not_reproduced(fit)
    prof = _profile(pb, levers, bounds, theta, profile) if profile else None
    if prof is not None:
        for lv in levers:
            g = prof[prof.parameter == lv.name]
            if np.ptp(g.objective.to_numpy()) == 0 and not any(lv.name in w for w in warns):
                warns.append(f"{lv.name}: the objective is flat along its whole range; it is not identified")
    values = {lv.name: (int(t) if lv.integer else float(t)) for lv, t in zip(levers, theta)}
    return Calibration(values, param_rows, fit, ssr, ev.evaluations, ev.replications, warns, prof, ev.reps,
                       ev.seed, converged, res, ev.ran_on)


SEPARATION = 0.01
"""Parameters are *not separately identified* where the smallest eigenvalue of ``J'J``
with unit columns is below this (for two, where the changes they make to the simulated
means point more than 99% the same way: the eigenvalues are 1 - c and 1 + c, c the
cosine between the columns) and one of them is not pinned down either (a standard error
above :data:`LOOSE` of its range): the observations fix only a combination of them
(quits and deaths seen through headcount alone: (1 - q)(1 - d)). Monte Carlo noise in the
Jacobian keeps exact confounding off exact singularity (c 0.9995 in an audit), so a test
of singularity alone never fired; alignment alone is no test either: pay growth and pay
level seen through late years' pay point 0.991 the same way, and the observations fix
both to 1% of their ranges."""
LOOSE = 0.1
"""See :data:`SEPARATION`: a standard error above this share of its range."""


def _identification(pb, levers, bounds, theta, rvec, history, ssr, warns, start) -> pd.DataFrame:
    """Identification and standard errors at the fit; ``history`` is the covariance of one
    replication's residuals and the replications it comes from (:meth:`_Problem.one_history`):
    their mean has covariance ``history / R``."""
    history, R = history
    n, k = len(rvec), len(levers)
    J = np.zeros((n, k))
    flat = np.zeros(k, dtype=bool)
    tied = [None] * k  # an end of the range no worse than the fit, where the Jacobian's step reaches it
    for j, (lv, (lo, hi)) in enumerate(zip(levers, bounds)):
        h = 0.05 * (hi - lo)
        a, b = max(lo, theta[j] - h), min(hi, theta[j] + h)
        if lv.integer:
            a, b = math.floor(a), math.ceil(b)
            if a == b:
                b = min(hi, a + 1)
        ta, tb = theta.copy(), theta.copy()
        ta[j], tb[j] = a, b
        ma, _, _ = pb.means(ta)
        mb, _, _ = pb.means(tb)
        for end, t in ((lo, ta), (hi, tb)):
            if t[j] == end and t[j] != theta[j] and pb.objective(t) <= ssr:  # ssr: the objective at the fit
                tied[j] = end
        J[:, j] = pb.sw * (mb - ma) / pb.s / (b - a)
        flat[j] = np.array_equal(ma, mb) or not np.any(np.abs(J[:, j]) * (b - a) > 1e-12 * (1 + np.abs(rvec)))
    se_mc = np.full(k, np.nan)
    se_history = np.full(k, np.nan)
    se_fit = np.full(k, np.nan)
    notes = [""] * k
    ok = ~flat
    if ok.any():
        Jo = J[:, ok]
        JtJ = Jo.T @ Jo
        cond = np.linalg.cond(JtJ)
        A = np.linalg.pinv(JtJ)
        B = A @ Jo.T @ history @ Jo
        one = np.diag(B @ A)  # the fit's variance from one history's residuals
        se_history[ok] = np.sqrt(np.maximum(one, 0))
        se_mc[ok] = np.sqrt(np.maximum(one / max(R, 1), 0))  # from the mean of the R replications
        weighed = int(np.count_nonzero(pb.sw))  # an observation of weight 0 is not fitted: no freedom
        if weighed > int(ok.sum()):
            # the misfit against the misfit one history's spread would leave: E SSR = tr(M S) (1 + 1/R),
            # M = I - J A J' (with S = s^2 I this is s^2 (n - k) (1 + 1/R), and se_fit the textbook
            # sqrt(diag(A) SSR / (n - k))); observations of unequal spread no longer pool into one s^2
            both = 1 + 1 / max(R, 1)  # one history's noise and the R replications' mean's
            expected = (np.trace(history) - np.trace(B)) * both
            spread = np.trace(history) * both  # expected is 0 where the noise lies in J's span:
            if np.isfinite(expected) and expected > 1e-9 * spread:  # rounding is not a value
                se_fit[ok] = np.sqrt(np.maximum(one * both, 0) * ssr / expected)
            else:  # fewer than 2 replications (no spread known), or no misfit left to the noise
                se_fit[ok] = np.sqrt(np.maximum(np.diag(A), 0) * ssr / (weighed - int(ok.sum())))
    se = [quoted_se(a, b, c) for a, b, c in zip(se_mc, se_history, se_fit)]
    if ok.sum() > 1:
        d = np.sqrt(np.diag(JtJ))
        low, vecs = np.linalg.eigh(JtJ / np.outer(d, d))  # J'J of unit columns: near 0 = columns near aligned
        fitted = [j for j in range(k) if ok[j]]
        involved = [j for j, c in zip(fitted, vecs[:, 0]) if abs(c) > 0.1]
        loose = any(np.isfinite(se[j]) and se[j] > LOOSE * (bounds[j][1] - bounds[j][0]) for j in involved)
        if cond > 1e8 or (low[0] < SEPARATION and loose):
            names = ", ".join(levers[j].name for j in involved)
            warns.append(f"{names} are not separately identified by these observations (they move the "
                         "simulated means together: the observations fix a combination of them); fix one "
                         "of them or add observations")
            for j in involved:
                notes[j] = "not separately identified"
    for j, (lv, (lo, hi)) in enumerate(zip(levers, bounds)):
        if flat[j]:
            warns.append(f"{lv.name} is not identified: no observed metric changes when it moves over "
                         f"{max(lo, theta[j] - 0.05 * (hi - lo)):.4g}-{min(hi, theta[j] + 0.05 * (hi - lo)):.4g}; "
                         "its fitted value is arbitrary")
            notes[j] = "not identified (flat objective)"
            continue
        if np.isfinite(se[j]) and se[j] > 0.25 * (hi - lo):
            warns.append(f"{lv.name} is weakly identified: its standard error ({se[j]:.3g}) exceeds a quarter "
                         f"of its range [{lo:g}, {hi:g}]")
            notes[j] = notes[j] or "weakly identified"
        edge = 1e-3 * (hi - lo)
        if theta[j] - lo < edge or hi - theta[j] < edge or tied[j] is not None:
            tie = f" ({tied[j]:g} fits as well)" if tied[j] is not None else ""
            least, most = lv.limits()
            at = lo if theta[j] - lo < edge else hi
            if at in (least, most) and tied[j] is None:  # the field itself goes no further
                further = "lower" if at == least else "higher"
                warns.append(f"{lv.name} = {theta[j]:.4g} is at the end of its range [{lo:g}, {hi:g}], and "
                             f"{lv.name} can go no {further}: the observations ask for more than it can give "
                             "(see the observations the fit does not reproduce, if any)")
            else:
                warns.append(f"{lv.name} = {theta[j]:.4g} is at the edge of its range [{lo:g}, {hi:g}]{tie}; "
                             "the best value may lie outside it")
            notes[j] = notes[j] or "at the edge of its range"
    identified = [not flat[j] and notes[j] in ("", "at the edge of its range", "weakly identified")
                  for j in range(k)]
    return pd.DataFrame({"parameter": [lv.name for lv in levers], "value": theta,
                         "low": [b[0] for b in bounds], "high": [b[1] for b in bounds], "start": start,
                         "se": se, "se_mc": se_mc, "se_history": se_history, "se_fit": se_fit,
                         "identified": identified, "note": notes})


def quoted_se(se_mc: float, se_history: float, se_fit: float) -> float:
    """The standard error to quote: the larger of sqrt(se_mc^2 + se_history^2) and se_fit
    (NaN where none is known)."""
    both = math.hypot(se_mc, se_history) if np.isfinite([se_mc, se_history]).all() else np.nan
    return float(np.nanmax([both, se_fit])) if np.isfinite([both, se_fit]).any() else math.nan


NOT_REPRODUCED = 5.0
"""An observation the fit leaves more than this many standard deviations of one
replication from its simulated mean is named as not reproduced (:func:`_not_reproduced`):
by noise alone, about one in 3.5 million."""


def _not_reproduced(fit: pd.DataFrame) -> list[str]:
    """A warning naming the observations the fitted values leave far from their simulated
    means: more than :data:`NOT_REPRODUCED` standard deviations of one replication's value,
    or any distance where the value does not vary at all. No
    values in the ranges reproduce those; a standard error read at such a fit describes the
    noise, not the misfit. From an audit of 2026-12-08 (an observed headcount of 1,200 in
    1,000 posts with hiring off was fitted at quits.rate 0, se 0, with no word of it)."""
    fit = fit[fit.weight > 0]
    sd = fit.simulated_sd.to_numpy()  # one replication's spread: a history's
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.abs(fit.residual.to_numpy()) / sd
    far = np.isfinite(fit.residual.to_numpy()) & ((z > NOT_REPRODUCED) | ((sd == 0) & (fit.residual != 0)))
    if not far.any():
        return []
    rows = fit[far]
    each = "; ".join(f"{r.metric} {r.year}: observed {r.observed:,.4g}, simulated {r.simulated:,.4g}"
                     + (f" ({abs(r.residual) / r.simulated_sd:,.0f} sd of one replication away)"
                        if r.simulated_sd > 0 else " (which does not vary)")
                     for r in rows.itertuples())
    what = f"{len(rows)} observation{'s' if len(rows) > 1 else ''}"
    return [(f"the fit does not reproduce {what}: {each}; no values of the parameters in their ranges come "
             "close, so check the observations, the scenario or the ranges (the standard errors describe the "
             "noise, not this misfit)")]


def _fit_table(obs, res, m, var, pb) -> pd.DataFrame:
    from scipy import stats
    # replications with a finite value of each observed metric: ``var`` is the variance
    # of their mean (see _Problem.means)
    n = np.array([len(x) for x in pb.finite(res)])
    sd = np.sqrt(var * n)
    with np.errstate(invalid="ignore"):
        tq = np.where(n > 1, stats.t.ppf(0.975, np.maximum(n - 1, 1)), np.nan)
    half = tq * np.sqrt(var)
    resid = m - pb.v
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(pb.v != 0, resid / np.abs(pb.v), np.nan)
    return pd.DataFrame({"metric": obs.metric, "year": obs.year, "observed": pb.v, "weight": obs.weight,
                         "simulated": m, "simulated_sd": sd, "simulated_low": m - half,
                         "simulated_high": m + half, "residual": resid, "relative_error": rel,
                         "scale": pb.s, "contribution": (pb.sw * resid / pb.s) ** 2, "source": obs.source})


def _profile(pb, levers, bounds, theta, n) -> pd.DataFrame:
    rows = []
    for j, (lv, (lo, hi)) in enumerate(zip(levers, bounds)):
        grid = np.linspace(lo, hi, max(int(n), 2))
        if lv.integer:
            grid = np.unique(lv.as_run(grid))
        for x in grid:
            t = theta.copy()
            t[j] = x
            rows.append({"parameter": lv.name, "value": float(x), "objective": pb.objective(t)})
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------- command line

def add_arguments(p) -> None:
    from ..cli import add_run_options, whole_int
    p.add_argument("scenario", help="scenario file or name")
    add_run_options(p, "output folder (default: outputs/calibrate-<scenario>)")
    p.add_argument("--param", action="append", nargs="+", required=True, metavar="KEY=LO,HI",
                   help="a parameter to fit and its range (repeatable), e.g. --param quits.rate=0.02,0.3")
    p.add_argument("--observed", required=True, type=Path, metavar="FILE",
                   help="observations: CSV (metric,year,value[,weight]) or TOML ([[observations]])")
    p.add_argument("--scale", choices=SCALES, default="relative",
                   help="residuals relative to the simulated mean at the start (default), in standard "
                   "deviations of one replication there (sd), or in the metric's units")
    p.add_argument("--profile", type=whole_int, default=7, metavar="N",
                   help="points of the objective's profile along each parameter (default 7; 0: none)")
    p.add_argument("--max-evaluations", type=whole_int, default=200, metavar="N",
                   help="most parameter points the optimiser runs (default 200); the start, the range's "
                   "ends and the identification check's points come on top")


def main(args) -> int:
    from ..outputs import atomic_folder, check_destination, write_json
    sc = common.as_scenario(args.scenario, args.overrides)
    params = common.levers_with_ranges(args.param)
    obs = read_observations(args.observed, sc)  # fail on a bad file before running anything
    if args.profile < 0:
        raise UserError("must be 0 or more", field="--profile")
    out = Path(args.out or common.default_out("calibrate", sc.name))
    check_destination(out.resolve(), not args.no_overwrite)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        c = calibrate(sc, params, obs, args.reps, args.seed, scale=args.scale, profile=args.profile,
                      max_evaluations=args.max_evaluations, workers=args.workers, backend=args.backend,
                      scheduler=args.scheduler, quiet=args.quiet)
    # printed and kept: the fit's own warnings (c.warnings) and those on the inputs (an uncertain field fitted)
    said = list(dict.fromkeys(str(w.message) for w in caught if issubclass(w.category, UserWarning)))
    with atomic_folder(out, overwrite=not args.no_overwrite) as tmp:
        c.to_csv(tmp)
        write_json(tmp / "manifest.json", common.manifest(
            "calibrate", [sc], c.reps, c.seed,
            {"observations": common.input_file(args.observed),
             "parameters": {lv.name: list(r) for lv, r in params},
             "scale": args.scale, "fitted": c.values, "objective": c.objective, "warnings": said},
            ran_on=c.ran_on))
        if not args.no_report:
            from ..report import experiments as fig
            fig.calibration_fit(c, tmp / "calibration.png", lang=args.lang, svg=args.svg)
    n = int((c.fit.weight > 0).sum())
    unfitted = f"; {len(c.fit) - n} more of weight 0, shown, not fitted" if n < len(c.fit) else ""
    print(f"Calibrated {', '.join(c.values)} on {sc.name} to {n} observation{'s' * (n != 1)} "
          f"({c.evaluations} parameter points, {c.runs} replications, {c.reps} each, seed {c.seed}"
          f"{unfitted})")
    for _, r in c.parameters.iterrows():
        se = "0" if r["se"] <= 1e-12 * (r["high"] - r["low"]) else f"{r['se']:.2g}"  # rounding, not spread
        print(f"  {r['parameter']:32s} {r['value']:.6g}  (se {se}; range [{r['low']:g}, {r['high']:g}])"
              + (f"  {r['note']}" if r["note"] else ""))
    sets = list(args.overrides or [])
    for lv, _ in params:  # the fitted values exactly (the run reproduces the fit's simulated means)
        sets = common.lever_settings(lv, repr(c.values[lv.name]), sc, sets)
    print(f"  to run the scenario with it: python -m model run {shlex.quote(str(args.scenario))} "
          f"--reps {c.reps} --seed {c.seed} " + " ".join(f"--set {shlex.quote(o)}" for o in sets))
    print(f"Fit (objective {c.objective:.4g}):")
    from ..metrics import unit
    for _, r in c.fit.iterrows():
        u = unit(r["metric"])
        print(f"  {r['metric']} {r['year']}: observed {common.fmt(r['observed'], u)}, simulated "
              f"{common.fmt_estimate(r['simulated'], r['simulated_low'], r['simulated_high'], u)}")
    for w in said:
        print(f"warning: {w}")
    print(f"\nWrote {out}/")
    return 0
