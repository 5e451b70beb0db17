"""Numeric parameter values: a constant, a schedule by year, or an uncertain value.

Any numeric scenario parameter may be written three ways (DESIGN.md section 4)::

    quit_rate = 0.08                                   # constant
    quit_rate = {2021 = 0.10, 2024 = 0.06}             # schedule by year, steps
    quit_rate = {2021 = 0.10, 2024 = 0.06, interp = "linear"}
    quit_rate = {dist = "beta", mean = 0.08, sd = 0.02}  # drawn once per replication

A schedule in a scenario starts in the start year (validation refuses a later first
year) and holds its last value after its last year; ``interp = "step"`` (default) holds
each value until the next year named,
``"linear"`` interpolates between years. Vector parameters (a share per education level,
a pay table row) take lists, or schedules of lists; a whole list cannot be uncertain.

Uncertain values may also sit inside (issue 5)::

    growth = {2025 = 0.05, 2030 = {dist = "uniform", low = 0.02, high = 0.06}}  # a schedule point
    rate = [{dist = "normal", mean = 0.08, sd = 0.01}, 0.05]                     # a vector entry
    monthly = {2025 = [5000, 6000, 7000], 2030 = [5500, {dist = "normal", mean = 6600, sd = 300}, 7700]}

An uncertain value is drawn once per replication and holds for every year of it (an
uncertain ``pay.growth`` is one growth rate, the same each year, in each replication:
uncertainty about the trend, not noise from year to year); a schedule of uncertain
points gives each point its own draw. Every distribution is given by the mean and sd
of the value itself (for ``lognormal`` too: not of its logarithm; ``beta`` on [0, 1],
``gamma`` on [0, inf)), or by ``low`` / ``mode`` / ``high``.

Each uncertain entry is drawn once per replication from its own random stream, named by
its **key**: the field path for a whole field (``pay.growth``), ``[i]`` for entry ``i``
of a vector (``quits.rate[0]``), ``@YEAR`` for a schedule point (``pay.growth@2030``),
both for a vector entry in a schedule (``pay.monthly@2030[1]``). Keys depend only on
where the entry is written, so adding an uncertain entry elsewhere leaves every other
draw unchanged (:meth:`model.streams.Streams.parameter`). A drawn entry is clipped to
the field's allowed range, as a whole uncertain field is; a schedule interpolates
between drawn points as between numbers.

Each value knows its own central value (uncertain entries at their means) and resolves,
for one replication, to an array with one row per simulated year: :meth:`resolve` at
the means, :meth:`sample` with every uncertain entry drawn.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

import numpy as np

from .sampling import half_up  # as the model rounds every count it is given

DISTRIBUTIONS = ("normal", "lognormal", "beta", "gamma", "uniform", "triangular")
_DIST_ARGS = {
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sd"),
    "beta": ("mean", "sd"),
    "gamma": ("mean", "sd"),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
}


_KEY = re.compile(r"^([a-z_]+\.[a-z_0-9]+)(?:@(\d{4}))?(?:\[(\d+)\])?$")


def entry_key(path: str, year: int | None = None, index: int | None = None) -> str:
    """The key of one entry of a field: ``pay.growth``, ``quits.rate[0]``,
    ``pay.growth@2030``, ``pay.monthly@2030[1]``.

    It names the entry's random stream, and the entry in :meth:`Scenario.uncertain`.

    Examples
    --------
    >>> entry_key("pay.monthly", 2030, 1)
    'pay.monthly@2030[1]'
    """
    return path + (f"@{year}" if year is not None else "") + (f"[{index}]" if index is not None else "")


def parse_key(key: str) -> tuple[str, int | None, int | None] | None:
    """``"pay.monthly@2030[1]"`` -> ``("pay.monthly", 2030, 1)``; None if ``key`` is not one.

    Examples
    --------
    >>> parse_key("quits.rate[0]")
    ('quits.rate', None, 0)
    """
    m = _KEY.match(key)
    if not m:
        return None
    return m.group(1), None if m.group(2) is None else int(m.group(2)), None if m.group(3) is None else int(m.group(3))


def _point_entries(x, key: str):
    """(key, Uncertain) of each uncertain entry of one value: a number, an Uncertain, or a
    tuple of them."""
    if isinstance(x, Uncertain):
        yield key, x
    elif isinstance(x, tuple):
        for i, e in enumerate(x):
            if isinstance(e, Uncertain):
                yield entry_key(key, index=i), e


def _fill(x, key: str, draws: dict | None):
    """One value with each uncertain entry replaced by its draw (``draws`` by key) or,
    without draws, by its mean."""
    if isinstance(x, Uncertain):
        return draws[key] if draws is not None else x.central()
    if isinstance(x, tuple):
        return tuple(_fill(e, entry_key(key, index=i), draws) for i, e in enumerate(x))
    return x


def _draws(entries: dict, streams) -> dict | None:
    """Each entry drawn from its own stream ``streams.parameter(key)``; None without streams."""
    if streams is None:
        return None
    return {k: u.draw(streams.parameter(k)) for k, u in entries.items()}


def _toml(x):
    if isinstance(x, Uncertain):
        return x.to_toml()
    if isinstance(x, tuple):
        return [_toml(e) for e in x]
    return x


def scaled_toml(v, factor: float, kind: str):
    """The TOML value of a field's value ``v`` times ``factor`` (a schema kind ``kind``):
    a whole number rounded, a number, or a parameter's (:class:`Constant`,
    :class:`Schedule`, :class:`Uncertain`: an uncertain value's location and spread scaled)."""
    if kind == "int":
        return half_up(v * factor)
    if kind in ("float", "date"):
        return float(v) * factor
    if isinstance(v, (Constant, Schedule, Uncertain)):
        return v.scaled(factor).to_toml()
    raise TypeError(f"cannot scale {v!r} of kind {kind!r}")


def _scale(x, factor: float):
    if isinstance(x, Uncertain):
        return x.scaled(factor) if factor else 0.0  # every draw times 0: the number 0
    if isinstance(x, tuple):
        return tuple(_scale(e, factor) for e in x)
    return x * factor


def _put(x, new, index: int | None):
    """``x`` with entry ``index`` replaced by ``new`` (all of ``x`` when index is None; a
    number then sets every entry of a vector)."""
    if index is None:
        return tuple(new for _ in x) if isinstance(x, tuple) and not isinstance(new, tuple) else new
    if not isinstance(x, tuple):  # a lever's [index] that does not fit: the user's value error
        raise ValueError("is not a vector; drop the [index]")  # noqa: TRY004
    if not 0 <= index < len(x):
        raise ValueError(f"has {len(x)} element{'s' * (len(x) != 1)} here (0..{len(x) - 1}); got [{index}]")
    return tuple(new if i == index else e for i, e in enumerate(x))


class _ByYear:
    """What :class:`Constant` and :class:`Schedule` share: values by year built by
    ``self._at(years, draws, path)`` from their uncertain entries ``self.entries(path)``."""

    @property
    def is_random(self) -> bool:
        return bool(self.entries(""))

    def resolve(self, years: np.ndarray, rng=None) -> np.ndarray:
        """Values by year, uncertain entries at their means."""
        return self._at(years, None)

    def sample(self, years: np.ndarray, path: str, streams) -> np.ndarray:
        """Values by year in one replication: each uncertain entry drawn from its stream
        (``streams=None``: at its mean)."""
        return self._at(years, _draws(self.entries(path), streams), path)

    def at_means(self, year: int):
        """The value in ``year``, uncertain entries at their means (:meth:`resolve`)."""
        return self.resolve([year])[0]


@dataclass(frozen=True)
class Constant(_ByYear):
    """A value that does not change: a float, or a tuple for vectors (whose entries are
    floats or :class:`Uncertain`)."""

    value: float | tuple

    def entries(self, path: str) -> dict[str, Uncertain]:
        """The uncertain entries, by key (``quits.rate[0]``)."""
        return dict(_point_entries(self.value, path)) if isinstance(self.value, tuple) else {}

    def central(self):
        return _fill(self.value, "", None)

    def __float__(self) -> float:
        """A number's value (``float(sc.certification.pass_prob)``); a vector has none."""
        if isinstance(self.value, tuple):
            raise TypeError("a vector has no single value: .central() gives its entries")
        return float(self.value)

    def _at(self, years, draws, path="") -> np.ndarray:
        v = np.asarray(_fill(self.value, path, draws), dtype=float)
        return np.broadcast_to(v, (len(years),) + v.shape).copy()

    def scaled(self, factor: float) -> Constant:
        """Every entry multiplied by ``factor`` (an uncertain one: its location and spread)."""
        return Constant(_scale(self.value, factor))

    def replace(self, new, year: int | None = None, index: int | None = None) -> Constant:
        """The value with entry ``index`` (all of it when None) replaced by ``new``."""
        if year is not None:
            raise ValueError("is not a schedule; drop the @year")
        return Constant(_put(self.value, new, index))

    def to_toml(self):
        return _toml(self.value)


@dataclass(frozen=True)
class Schedule(_ByYear):
    """Values by year: ``points`` is a tuple of (year, value) in increasing year order; a
    value is a float, an :class:`Uncertain`, or a tuple of floats and :class:`Uncertain`."""

    points: tuple
    interp: str = "step"

    def entries(self, path: str) -> dict[str, Uncertain]:
        """The uncertain entries, by key (``pay.growth@2030``, ``pay.monthly@2030[1]``)."""
        out = {}
        for y, v in self.points:
            out.update(_point_entries(v, entry_key(path, y)))
        return out

    def central(self, year: int | None = None):
        """The first point's value (the value in ``year`` if given), uncertain entries at
        their means."""
        if year is None:
            return _fill(self.points[0][1], "", None)
        x = self.resolve([year])[0]
        return tuple(float(e) for e in x) if np.ndim(x) else float(x)

    def _at(self, years, draws, path="") -> np.ndarray:
        ys = np.array([p[0] for p in self.points], dtype=float)
        vs = np.array([_fill(v, entry_key(path, y), draws) for y, v in self.points], dtype=float)
        years = np.asarray(years, dtype=float)
        if self.interp == "linear":
            if vs.ndim == 1:
                return np.interp(years, ys, vs)
            return np.stack([np.interp(years, ys, vs[:, j]) for j in range(vs.shape[1])], axis=1)
        idx = np.searchsorted(ys, years, side="right") - 1
        return vs[np.clip(idx, 0, len(ys) - 1)].copy()

    def scaled(self, factor: float) -> Schedule:
        return Schedule(tuple((y, _scale(v, factor)) for y, v in self.points), self.interp)

    def replace(self, new, year: int | None = None, index: int | None = None) -> Schedule:
        """The schedule with entry ``index`` (all of it when None) of the point at ``year``
        (of every point when None) replaced by ``new``."""
        if year is not None and year not in {y for y, _ in self.points}:
            raise ValueError(f"has no point at {year} (its years: {', '.join(str(y) for y, _ in self.points)})")
        return Schedule(tuple((y, _put(v, new, index) if year is None or y == year else v)
                              for y, v in self.points), self.interp)

    def to_toml(self):
        out = {str(y): _toml(v) for y, v in self.points}
        if self.interp != "step":
            out["interp"] = self.interp
        return out


def _standard(d: str, args: tuple) -> tuple[tuple, float, float]:
    """A family's standard form as scipy.stats takes it: (shape parameters, loc, scale),
    from the scenario's arguments (``mean`` and ``sd``; ``low``, ``mode``, ``high``)."""
    a = dict(args)
    if d == "normal":
        return (), a["mean"], a["sd"]
    if d == "lognormal":
        m, s = a["mean"], a["sd"]
        return (math.sqrt(math.log1p((s / m) ** 2)),), 0.0, m / math.sqrt(1 + (s / m) ** 2)
    if d == "beta":
        m, s = a["mean"], a["sd"]
        k = m * (1 - m) / s**2 - 1
        return (m * k, (1 - m) * k), 0.0, 1.0
    if d == "gamma":
        m, s = a["mean"], a["sd"]
        return ((m / s) ** 2,), 0.0, s**2 / m
    if d == "uniform":
        return (), a["low"], a["high"] - a["low"]
    if d == "triangular":
        lo, mo, hi = a["low"], a["mode"], a["high"]
        return ((mo - lo) / (hi - lo),), lo, hi - lo
    raise ValueError(d)


_SCIPY_NAME = {"normal": "norm", "lognormal": "lognorm", "beta": "beta", "gamma": "gamma",
               "uniform": "uniform", "triangular": "triang"}

@functools.cache
def _standard_ppf() -> dict:
    """Quantiles of the standard forms, as scipy.stats' own ``_ppf`` methods compute them
    (scipy.special is imported on first use: loading a scenario need not wait for it)."""
    from scipy.special import gammaincinv, ndtri
    try:  # the beta quantile function scipy.stats.beta uses
        from scipy.special._ufuncs import _beta_ppf
    except ImportError:  # pragma: no cover - another scipy layout: scipy.stats' own
        def _beta_ppf(q, a, b):
            from scipy import stats
            return stats.beta(a, b).ppf(q)
    return {
        "normal": ndtri,
        "lognormal": lambda q, s: np.exp(s * ndtri(q)),
        "beta": _beta_ppf,
        "gamma": lambda q, a: gammaincinv(a, q),
        "uniform": lambda q: q,
        "triangular": lambda q, c: np.where(q < c, np.sqrt(c * q), 1 - np.sqrt((1 - c) * (1 - q))),
    }


@functools.lru_cache(maxsize=1024)
def _frozen(d: str, args: tuple):
    """The scipy distribution of an uncertain value (cached: building one is slow)."""
    from scipy import stats  # here, not at the top: importing it takes most of a second
    shapes, loc, scale = _standard(d, args)
    return getattr(stats, _SCIPY_NAME[d])(*shapes, loc=loc, scale=scale)


LEAST_AMOUNT = 1e-9
"""Where 0 switches a field off (``schema.Field.zero``: a hiring cap, a pool, a training
capacity of 0 is none at all), the lowest an uncertain value's draw is clipped to: a draw at
or below 0 is the least amount (a cap of no hires, progression after the least time),
not the switch (found in an audit of 2026-12-07: a normal cap clipped to 0 hired without
limit in those replications)."""


@dataclass(frozen=True)
class Uncertain:
    """A scalar drawn once per replication from a named distribution.

    ``normal``, ``lognormal``, ``beta`` and ``gamma`` take ``mean`` and ``sd``;
    ``uniform`` takes ``low`` and ``high``; ``triangular`` takes ``low``, ``mode``,
    ``high``. Draws are clipped to the field's allowed range ``[lo, hi]`` (``lo`` is
    :data:`LEAST_AMOUNT` where 0 would switch the field off).
    """

    dist: str
    args: tuple  # ((name, value), ...)
    lo: float | None = None
    hi: float | None = None

    @property
    def is_random(self) -> bool:
        return True

    def frozen(self):
        """The scipy distribution (built once per value: building one is slow)."""
        return _frozen(self.dist, self.args)

    def central(self) -> float:
        """The mean, from the arguments (:meth:`mean`): reading a scenario at its means
        (the checks, the notes, the defaults) never builds a scipy distribution, whose import
        takes most of a second."""
        return self.mean()

    def at_means(self, year: int) -> float:
        """:meth:`mean` (in any year), as :meth:`_ByYear.at_means`."""
        return self.mean()

    def mean(self) -> float:
        """The distribution's mean, from its arguments (without building it)."""
        a = dict(self.args)
        if self.dist == "uniform":
            return (a["low"] + a["high"]) / 2
        if self.dist == "triangular":
            return (a["low"] + a["mode"] + a["high"]) / 3
        return a["mean"]  # the other families are given by their mean and sd

    def shape_problem(self) -> str | None:
        """What makes the distribution's shape parameters unusable (overflow, zero), or None.

        The standard form :meth:`frozen` and :meth:`ppf` use, so a scenario with extreme
        arguments is rejected when it is read rather than failing in a run.
        """
        try:
            shapes, _, scale = _standard(self.dist, self.args)
            # a triangle's shape (the mode's place) may be 0 or 1: only its width counts
            params = (scale,) if self.dist in ("uniform", "triangular") else (*shapes, scale)
        except (ArithmeticError, ValueError):
            params = (math.nan,)
        if not all(math.isfinite(x) and x > 0 for x in params) or not math.isfinite(self.mean()):
            return "the distribution's arguments are too extreme (its parameters over- or underflow); use moderate values"
        return None

    def interval(self, q: float = 0.05) -> tuple[float, float]:
        lo, hi = float(self.ppf(q)), float(self.ppf(1 - q))
        return self._clip(lo), self._clip(hi)

    def _clip(self, x: float) -> float:
        if self.lo is not None:
            x = max(x, self.lo)
        if self.hi is not None:
            x = min(x, self.hi)
        return x

    def ppf(self, q):
        """Quantiles at ``q`` (a number or an array in (0, 1)): the same numbers as
        ``self.frozen().ppf(q)``, by scipy.stats' own formulas on scipy.special's
        functions, without importing scipy.stats (most of a second at start-up)."""
        shapes, loc, scale = _standard(self.dist, self.args)
        return _standard_ppf()[self.dist](np.asarray(q, dtype=float), *shapes) * scale + loc

    def draw(self, rng: np.random.Generator) -> float:
        # Inverse-CDF from one uniform: one draw per parameter per replication, so the
        # same replication seed gives the same quantile whatever the distribution.
        return self._clip(float(self.ppf(rng.random())))

    def resolve(self, years: np.ndarray, rng=None) -> np.ndarray:
        x = self.central() if rng is None else self.draw(rng)
        return np.full(len(years), x)

    def entries(self, path: str) -> dict[str, Uncertain]:
        return {path: self}

    def sample(self, years: np.ndarray, path: str, streams) -> np.ndarray:
        """The value by year in one replication, drawn from ``streams.parameter(path)``
        (``streams=None``: the mean)."""
        return self.resolve(years, None if streams is None else streams.parameter(path))

    def scaled(self, factor: float) -> Uncertain | Constant:
        """Location and spread multiplied by ``factor`` (every argument); times 0, the
        constant 0 (a distribution with no spread is not one the schema accepts)."""
        if not factor:
            return Constant(0.0)
        return Uncertain(self.dist, tuple((k, a * factor) for k, a in self.args), self.lo, self.hi)

    def replace(self, new, year: int | None = None, index: int | None = None):
        if year is not None or index is not None:
            raise ValueError("is a single uncertain value; drop the @year and [index]")
        return new if isinstance(new, Uncertain) else Constant(new)

    def to_toml(self):
        return {"dist": self.dist, **dict(self.args)}


Value = Constant | Schedule | Uncertain


def dist_problem(dist: str, args: dict) -> str | None:
    """Return what is wrong with a distribution's arguments, or None."""
    if dist not in DISTRIBUTIONS:
        return f"dist must be one of {', '.join(DISTRIBUTIONS)}, got {dist!r}"
    need = _DIST_ARGS[dist]
    missing = [k for k in need if k not in args]
    extra = [k for k in args if k not in need]
    if missing:
        return f"dist {dist!r} needs {', '.join(need)}; missing {', '.join(missing)}"
    if extra:
        return f"dist {dist!r} takes {', '.join(need)}; unknown key(s) {', '.join(extra)}"
    try:
        return _args_problem(dist, args)
    except ArithmeticError:  # e.g. sd ** 2 overflows
        return f"dist {dist!r}: the parameters are too extreme (over- or underflow); use moderate values"


def _args_problem(dist: str, a: dict) -> str | None:
    need = _DIST_ARGS[dist]
    if "sd" in need and a["sd"] <= 0:
        return "sd must be > 0"
    if dist in ("lognormal", "gamma") and a["mean"] <= 0:
        return f"dist {dist!r} needs mean > 0"
    if dist == "beta":
        if not 0 < a["mean"] < 1:
            return "dist 'beta' needs 0 < mean < 1"
        if a["sd"] ** 2 >= a["mean"] * (1 - a["mean"]):
            return "dist 'beta' needs sd^2 < mean*(1-mean)"
    if dist == "uniform" and not a["low"] < a["high"]:
        return "dist 'uniform' needs low < high"
    if dist == "triangular" and not a["low"] <= a["mode"] <= a["high"] or (
            dist == "triangular" and a["low"] == a["high"]):
        return "dist 'triangular' needs low <= mode <= high and low < high"
    return None
