"""The result of a run: metric values by replication, year and metric, with tidy tables.

``Results.values`` has shape (replications, years, metrics). Methods give tidy pandas
tables (one row per scenario, year and metric), target attainment and intervals.
"""

from __future__ import annotations

import difflib
import math
import operator
import warnings
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.special import ndtri

from . import metrics as M
from .errors import UnknownName, UserError, cut, number_in, whole_number

QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
CSV_FLOAT = "%.15g"
"""Numbers in the CSV tables: 15 significant digits, so a national payroll (3e11 yuan) is
written to the 0.0001 yuan and agrees with the workbook's, and parts add up to totals."""
OPS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt, "==": operator.eq}


def qname(q: float) -> str:
    """The column of quantile ``q``: ``p05`` for 0.05, ``p02.5`` for 0.025, ``p99.9`` for
    0.999 (the percentage, its whole part in two digits at least, exact)."""
    text = f"{q * 100:.10f}".rstrip("0").rstrip(".")  # 2.5, not 2.5000000000000004; never 1e-05
    whole, _, frac = text.partition(".")
    return f"p{int(whole):02d}" + (f".{frac}" if frac else "")


def check_quantiles(quantiles) -> tuple[float, ...]:
    """``quantiles`` as a tuple of floats in [0, 1] whose columns (:func:`qname`) differ,
    or a :class:`~model.errors.UserError` naming the argument."""
    try:
        qs = None if isinstance(quantiles, (str, bytes)) else tuple(quantiles)  # not '0.5' as '0', '.', '5'
    except TypeError:
        qs = None
    if qs is None:
        raise UserError(f"expected a list of quantiles in [0, 1], got {quantiles!r}", field="--quantiles")
    qs = tuple(number_in(q, "--quantiles", 0.0, 1.0, closed=(True, True), what="a quantile") for q in qs)
    names = [qname(q) for q in qs]
    if len(set(names)) != len(names):
        twice = next(n for n in names if names.count(n) > 1)
        raise UserError(f"quantiles {qs} give the column {twice} twice; "
                        "give each quantile once", field="--quantiles")
    return qs


def wilson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``k / n``."""
    if n == 0:
        return float("nan"), float("nan")
    # the formula of scipy.stats.binomtest(k, n).proportion_ci(level, method="wilson"),
    # Newcombe (1998), without importing scipy.stats (most of a second at start-up)
    k, n = int(k), int(n)
    p = k / n
    z = ndtri(0.5 + 0.5 * level)
    denom = 2 * (n + z**2)
    center = (2 * n * p + z**2) / denom
    delta = z / denom * math.sqrt(4 * n * p * (1 - p) + z**2)
    return float(0.0 if k == 0 else center - delta), float(1.0 if k == n else center + delta)


def paired_proportions(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Difference ``P(b) - P(a)`` of two paired proportions (0/1 outcomes of the same
    replications), with Newcombe's square-and-add interval for paired data (Newcombe
    1998, Statistics in Medicine 17, 2635-2650; as recommended in Fagerland, Lydersen
    and Laake, Statistical Analysis of Contingency Tables, 2017, chapter 8): each
    margin's Wilson interval, joined through the correlation of the pairs ``psi``, with
    its correction (``A = n11 n22 - n12 n21``: ``(A - n/2) / sqrt(margins)`` above
    ``n/2``, 0 from 0 to ``n/2``, ``A / sqrt(margins)`` below 0). A t-interval on 0/1
    differences has zero width whenever no replication changes outcome; this one does
    not. Returns (difference, low, high), within [-1, 1]; NaN without replications."""
    ok = np.isfinite(a) & np.isfinite(b)
    x, y = np.asarray(a)[ok] > 0.5, np.asarray(b)[ok] > 0.5
    n = len(x)
    if n == 0:
        return math.nan, math.nan, math.nan
    both, only_a, only_b = int(np.sum(x & y)), int(np.sum(x & ~y)), int(np.sum(~x & y))
    neither = n - both - only_a - only_b
    pa, pb = (both + only_a) / n, (both + only_b) / n
    la, ua = wilson(both + only_a, n, level)
    lb, ub = wilson(both + only_b, n, level)
    margins = (both + only_a) * (only_b + neither) * (both + only_b) * (only_a + neither)
    A = both * neither - only_a * only_b
    psi = 0.0 if margins == 0 or 0 <= A <= n / 2 else (A - n / 2 if A > 0 else A) / math.sqrt(margins)
    d = pb - pa
    low = d - math.sqrt(max((pb - lb) ** 2 - 2 * psi * (pb - lb) * (ua - pa) + (ua - pa) ** 2, 0.0))
    high = d + math.sqrt(max((ub - pb) ** 2 - 2 * psi * (ub - pb) * (pa - la) + (pa - la) ** 2, 0.0))
    return d, max(low, -1.0), min(high, 1.0)


ROUNDING = 1e-9
"""Relative slack of every comparison with a target's threshold: a value within it of the
threshold counts as on it (a pay floor that binds, computed through divisions), so it meets
``>=``, ``<=`` and ``==`` and not ``>`` or ``<``, despite floating-point rounding."""


VERDICTS = ("sure_met", "likely_met", "unlikely_met", "sure_missed")
"""How sure we are a target is met (:func:`verdict`)."""


def verdict(low: float, high: float, p: float) -> str:
    """``sure_met`` when the 95% interval's lower bound is at least 90%, ``sure_missed``
    when its upper bound is at most 10%, else ``likely_met`` (probability >= 50%) or
    ``unlikely_met``."""
    if low >= 0.9:
        return "sure_met"
    if high <= 0.1:
        return "sure_missed"
    return "likely_met" if p >= 0.5 else "unlikely_met"


VERDICT_CUTS = (0.0, 0.1, 0.5, 0.9, 1.0)
"""The probabilities where a verdict changes (:func:`verdict`), and the ends."""


def percent(p: float) -> str:
    """A probability in whole percent, or to 0.1% (0.01%) where whole percent (0.1%) would
    round it onto a value where a verdict changes that it is not (:data:`VERDICT_CUTS`): 0.895
    is 89.5%, not the 90% that would read as meeting the 90% of ``sure_met``; 0.004 is 0.4%,
    not 0% (a Wilson bound at 1,000 replications). Beyond that, ``<0.01%`` or ``>99.99%``."""
    if not np.isfinite(p):
        return "–"
    for digits in (0, 1, 2):
        shown = round(p * 100, digits)
        if not any(shown == 100 * c and abs(p - c) > 1e-12 for c in VERDICT_CUTS):
            return f"{p:.{digits}%}"
    return "<0.01%" if p < 0.5 else ">99.99%" if p > 0.5 else f"{p:.2%}"


def percent_interval(p: float, low: float, high: float, dash: str = "–") -> str:
    """A probability and its interval, as tables and figures print them: ``91% [84%–95%]``."""
    return f"{percent(p)} [{percent(low)}{dash}{percent(high)}]"


def met(values: np.ndarray, op: str, threshold: float) -> np.ndarray:
    """Boolean array: where ``values op threshold`` holds (NaN never meets a target); a
    value within a relative :data:`ROUNDING` of the threshold counts as equal to it."""
    slack = ROUNDING * abs(threshold)
    if op == "==":
        return np.abs(values - threshold) <= slack
    shift = {">=": -slack, "<=": slack, ">": slack, "<": -slack}[op]
    return OPS[op](values, threshold + shift)  # False at NaN, as every comparison with NaN


def _quantiles(v: np.ndarray, quantiles) -> np.ndarray:
    """Quantiles over axis 0, ignoring NaN; the fast path for the columns without NaN
    (np.nanquantile is slow whenever any column has one)."""
    flat = v.reshape(v.shape[0], -1)
    out = np.empty((len(quantiles), flat.shape[1]))
    bad = np.isnan(flat).any(axis=0)
    if (~bad).any():
        out[:, ~bad] = np.quantile(flat[:, ~bad], quantiles, axis=0)
    if bad.any():
        out[:, bad] = np.nanquantile(flat[:, bad], quantiles, axis=0)
    return out.reshape((len(quantiles),) + v.shape[1:])


def first_year_by_half(first: np.ndarray) -> float:
    """The median first year met, over every replication: the first year by which at
    least half of them have met the target (a replication that never does counts as
    meeting it after the horizon), NaN if fewer than half ever do. Not the median of the
    replications that meet it: 2 of 5 meeting in 2026 and 3 never give NaN, not 2026."""
    return first_year_by_share(first, 0.5)


def first_year_by_share(first: np.ndarray, share: float) -> float:
    """The first year by which at least ``share`` of the replications have met the target
    (those that never do count as meeting it after the horizon), NaN if fewer ever do:
    :func:`first_year_by_half` at 0.5; at 0.9, the year by which it is met with 90%
    probability."""
    first = np.asarray(first, dtype=float)
    if not len(first):
        return float("nan")
    m = float(np.quantile(np.where(np.isnan(first), np.inf, first), share, method="inverted_cdf"))
    return m if np.isfinite(m) else float("nan")


def targets_table(rows: list[dict], cols: list[str]) -> pd.DataFrame:
    """A table of targets (:meth:`Results.targets`, compare's): with no rows, the columns
    still typed (text, the year a whole number, the rest numbers; all object otherwise)."""
    out = pd.DataFrame(rows, columns=cols)
    if not rows:
        text = ("scenario", "target", "metric", "op", "verdict", "source")
        out = out.astype({c: (str if c in text else "int64" if c == "year" else float) for c in cols})
    return out


@dataclass(eq=False)
class Results:
    """Values of every metric in every year of every replication of one scenario.

    Attributes
    ----------
    scenario : str
        Scenario name.
    years : numpy.ndarray
    metrics : tuple of str
    values : numpy.ndarray, shape (reps, years, metrics)
    target_specs : tuple of model.scenario.Target
    seed : int
    meta : dict
        Anything else worth recording (scenario hash, wall time, ``finished``: when the run
        ended, local time in ISO 8601, which the report gives as its date; ``set``: the fields
        set over the scenario's files, with the option that set each and its value, as
        :meth:`model.scenario.Scenario.overridden` gives them; where it ran: ``backend``,
        ``workers``, the processes that ran it (on Dask, the cluster's workers as the run
        began), and ``scheduler``, the Dask scheduler's address, or None on the local
        backend and on a local Dask cluster of the run's own, started for it or for the
        experiment it is part of: :func:`model.runner.where_ran`)...

    Two results are equal (``==``) when they hold the same values (NaN equal to NaN) of the
    same scenario, metrics, years, targets and seed, whatever the wall time, the time they
    finished, the number of processes or the backend that made them.
    """

    scenario: str
    years: np.ndarray
    metrics: tuple
    values: np.ndarray
    target_specs: tuple = ()
    seed: int = 0
    meta: dict = field(default_factory=dict)
    _memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    CIRCUMSTANCES = ("wall_time_s", "workers", "backend", "scheduler", "finished", "set")
    """``meta`` entries about how a run was made, not what it found (ignored by ``==``; the
    scenario run, however it was reached, is ``scenario_hash``)."""

    def __post_init__(self):
        # as documented, whatever sequences were given (a list of years compared with 2025 was False)
        years = np.asarray(self.years)
        if isinstance(self.metrics, str) or years.ndim != 1 or not np.issubdtype(years.dtype, np.number) \
                or not np.array_equal(years, np.floor(years)):
            raise UserError("Results: expected years as whole numbers in a sequence and metrics as a "
                            f"sequence of names, got years {cut(repr(self.years))}, metrics "
                            f"{cut(repr(self.metrics))}", field="years")
        self.years = years.astype(np.int64)
        self.metrics = tuple(self.metrics)

    def __eq__(self, other) -> bool:
        if not isinstance(other, Results):
            return NotImplemented
        mine, theirs = ({k: v for k, v in r.meta.items() if k not in self.CIRCUMSTANCES} for r in (self, other))
        def same(x, y) -> bool:
            arrays = isinstance(x, np.ndarray) or isinstance(y, np.ndarray)
            return bool(np.array_equal(x, y)) if arrays else x == y
        same_meta = mine.keys() == theirs.keys() and all(same(mine[k], theirs[k]) for k in mine)
        return (self.scenario == other.scenario and tuple(self.metrics) == tuple(other.metrics)
                and self.seed == other.seed and tuple(self.target_specs) == tuple(other.target_specs)
                and same_meta
                and np.array_equal(self.years, other.years)
                and self.values.shape == other.values.shape
                and np.array_equal(self.values, other.values, equal_nan=True))

    __hash__ = None  # mutable, like the arrays it holds

    def _once(self, key: tuple, make) -> pd.DataFrame:
        """``make()``, computed once per values and key (a run, its CSV files and its
        report all ask for the same tables); each caller gets its own copy. Values
        replaced, or changed in place, are noticed (by a checksum of their bytes)."""
        v = np.ascontiguousarray(self.values)  # (a copy only if not C-ordered, which a run's never is)
        seen = (v.shape, v.dtype.str, zlib.crc32(v.reshape(-1).view(np.uint8)))
        if self._memo.get("values") != seen:  # new, replaced or changed values
            self._memo.clear()
            self._memo["values"] = seen
        key = (self.scenario,) + key  # a renamed result (compare labels its scenarios)
        if key not in self._memo:
            self._memo[key] = make()
        return self._memo[key].copy()

    @property
    def finished(self) -> datetime | None:
        """When the run that made these results ended (``meta["finished"]``, local time),
        or None for results made otherwise: the date its report and workbook give, so that
        both read the same whenever, and in whichever process, they are written."""
        stamp = self.meta.get("finished")
        return datetime.fromisoformat(stamp) if isinstance(stamp, str) else None

    @property
    def reps(self) -> int:
        """The number of replications."""
        return self.values.shape[0]

    def _m(self, metric: str) -> int:
        try:
            return self.metrics.index(metric)
        except ValueError:
            near = difflib.get_close_matches(str(metric), self.metrics, n=1)
            more = ", ..." if len(self.metrics) > 20 else ""
            known = f"did you mean {near[0]!r}?" if near else "known: " + ", ".join(self.metrics[:20]) + more
            raise UnknownName(f"no metric {metric!r}; {known} (see `python -m model metrics`)",
                              field="--name") from None

    def _y(self, year: int) -> int:
        y = whole_number(year, "--year", -(10**9))
        idx = np.flatnonzero(self.years == y)
        if not len(idx):
            raise UnknownName(f"year {y} is outside {self.years[0]}-{self.years[-1]}", field="--year")
        return int(idx[0])

    def metric(self, name: str) -> pd.DataFrame:
        """One metric as a replications x years table (index ``rep``, columns ``year``)."""
        return pd.DataFrame(self.values[:, :, self._m(name)], columns=pd.Index(self.years, name="year"),
                            index=pd.RangeIndex(self.reps, name="rep"))

    def at(self, name: str, year: int) -> np.ndarray:
        """Values of one metric in one year, one per replication (a copy: changing it
        leaves the results alone)."""
        return self.values[:, self._y(year), self._m(name)].copy()

    def summary(self, quantiles=QUANTILES) -> pd.DataFrame:
        """Tidy table: scenario, year, metric, mean, sd and quantiles across replications
        (numpy's default ``linear`` method, Hyndman and Fan's type 7). ``quantiles`` in
        [0, 1] name their columns by percentage (:func:`qname`: ``p05``, ``p02.5``)."""
        quantiles = check_quantiles(quantiles)
        return self._once(("summary", quantiles), lambda: self._summary(quantiles))

    def _summary(self, quantiles) -> pd.DataFrame:
        v = self.values
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(v, axis=0)
            sd = np.nanstd(v, axis=0, ddof=1)  # NaN from one replication: no spread is known
            # no spread is sd 0, not the rounding of the mean's subtraction (6e-8 on 6e6)
            sd[(np.nanmax(v, axis=0) == np.nanmin(v, axis=0)) & (np.isfinite(v).sum(axis=0) > 1)] = 0.0
            qs = _quantiles(v, quantiles)
        ny, nm = len(self.years), len(self.metrics)
        df = pd.DataFrame({
            "scenario": self.scenario,
            "year": np.repeat(self.years, nm),
            "metric": np.tile(np.array(self.metrics, dtype=object), ny),
            "mean": mean.ravel(), "sd": sd.ravel(),
        })
        for i, q in enumerate(quantiles):
            df[qname(q)] = qs[i].ravel()
        return df

    def per_replication(self) -> pd.DataFrame:
        """Tidy table: scenario, rep, year, metric, value.

        Whether a replication meets a target is :meth:`target_hits` (or
        :func:`met`), not a plain comparison of ``value``: a threshold is met within a
        rounding allowance (1e-9 of it), so a value such as 0.7999999999999967 meets
        ``>= 0.8``, as in :meth:`targets`."""
        r, y, m = self.values.shape
        return pd.DataFrame({
            "scenario": self.scenario,
            "rep": np.repeat(np.arange(r), y * m),
            "year": np.tile(np.repeat(self.years, m), r),
            "metric": np.tile(np.array(self.metrics, dtype=object), r * y),
            "value": self.values.ravel(),
        })

    def _target(self, target):
        """A target of the run by its name (or the Target itself)."""
        if not isinstance(target, str):
            if not all(hasattr(target, a) for a in ("metric_name", "year", "op", "threshold")):
                raise UserError(f"expected a target's name or a target (the scenario's targets), got "
                                f"{target!r}", field="target")
            return target
        for t in self.target_specs:
            if t.name == target:
                return t
        names = [t.name for t in self.target_specs]
        close = difflib.get_close_matches(target, names, n=1)
        raise UnknownName(f"no target {target!r} in {self.scenario}"
                          + (f"; did you mean {close[0]!r}?" if close else
                             f"; its targets: {', '.join(map(repr, names)) or 'none'}"), field="target")

    def target_hits(self, target) -> np.ndarray:
        """Boolean per replication: was the target (a Target, or a target's name) met in its year?"""
        target = self._target(target)
        return met(self.at(target.metric_name, target.year), target.op, target.threshold)

    def first_year_met(self, target) -> np.ndarray:
        """Per replication, the first year the target's condition holds (NaN if never), in
        any year of the run: before the target's own year too, and whether or not it
        still holds in the target's year (``target``: a Target, or a target's name)."""
        target = self._target(target)
        v = self.values[:, :, self._m(target.metric_name)]
        ok = met(v, target.op, target.threshold)
        first = np.where(ok.any(axis=1), self.years[np.argmax(ok, axis=1)], np.nan)
        return first.astype(float)

    def targets(self, level: float = 0.95) -> pd.DataFrame:
        """Each target: probability met (with a Wilson interval at ``level``), the metric's
        mean and its 5% and 95% quantiles in the target's year, the first year by which half
        the replications have met it (:func:`first_year_by_half`; and by which a tenth and nine
        tenths have, :func:`first_year_by_share`), the share that never do, the
        :func:`verdict` (on the 95% interval, whatever ``level``) and the target's source.
        Columns: ``scenario, target, metric, year, op, threshold, probability, mean,
        probability_low, probability_high, p05, p95, first_year_met_p10, first_year_met_p50,
        first_year_met_p90, share_never_met, verdict, source``. A replication where the
        metric has no value (NaN: a ratio whose denominator is 0) does not meet the target,
        so it counts in ``probability`` as a miss, while ``mean``, ``p05`` and ``p95`` are of
        the replications with a value."""
        level = number_in(level, "--level", 0.0, 1.0, what="a confidence level (e.g. 0.95)")
        return self._once(("targets", tuple(self.target_specs), level), lambda: self._targets(level))

    def _targets(self, level: float) -> pd.DataFrame:
        rows = []
        for t in self.target_specs:
            hits = self.target_hits(t)
            k, n = int(hits.sum()), self.reps
            lo, hi = wilson(k, n, level)
            v = self.at(t.metric_name, t.year)
            first = self.first_year_met(t)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                rows.append({
                    "scenario": self.scenario, "target": t.name, "metric": t.metric_name,
                    "year": t.year, "op": t.op, "threshold": t.threshold,
                    "probability": k / n, "mean": float(np.nanmean(v)),
                    "probability_low": lo, "probability_high": hi,
                    "p05": float(np.nanquantile(v, 0.05)), "p95": float(np.nanquantile(v, 0.95)),
                    "first_year_met_p10": first_year_by_share(first, 0.1),
                    "first_year_met_p50": first_year_by_half(first),
                    "first_year_met_p90": first_year_by_share(first, 0.9),
                    "share_never_met": float(np.isnan(first).mean()),
                    "verdict": verdict(*((lo, hi) if level == 0.95 else wilson(k, n)), k / n),
                    "source": t.source,
                })
        cols = ["scenario", "target", "metric", "year", "op", "threshold", "probability", "mean",
                "probability_low", "probability_high", "p05", "p95", "first_year_met_p10",
                "first_year_met_p50", "first_year_met_p90", "share_never_met", "verdict", "source"]
        return targets_table(rows, cols)

    def units(self) -> pd.DataFrame:
        """Each metric's unit and one-line definition (``metric, unit, definition``: the
        run's metrics.csv), to merge with :meth:`summary` or :meth:`per_replication`."""
        return M.units_table(self.metrics)

    def to_csv(self, folder: str | Path) -> None:
        """Write summary.csv and targets.csv into ``folder`` (made if missing). For every
        file of ``python -m model run`` (metrics.csv, the manifest, the workbook and the
        report), :func:`model.cli.write_run`."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.summary().to_csv(folder / "summary.csv", index=False, float_format=CSV_FLOAT)
        self.targets().to_csv(folder / "targets.csv", index=False, float_format=CSV_FLOAT)

    def __repr__(self):
        return (f"<Results {self.scenario}: {self.reps} replications, {self.years[0]}-{self.years[-1]}, "
                f"{len(self.metrics)} metrics>")
