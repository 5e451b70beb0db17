"""Numeric parameter values: a constant, a schedule by year, or an uncertain value.

Any numeric scenario parameter may be written three ways (DESIGN.md section 4)::

    quit_rate = 0.08                                   # constant
    quit_rate = {2021 = 0.10, 2024 = 0.06}             # schedule by year, steps
    quit_rate = {2021 = 0.10, 2024 = 0.06, interp = "linear"}
    quit_rate = {dist = "beta", mean = 0.08, sd = 0.02}  # drawn once per replication

A schedule holds its first value before its first year and its last value after its
last year; ``interp = "step"`` (default) holds each value until the next year named,
``"linear"`` interpolates between years. Vector parameters (a share per education level,
a pay table row) take lists in the same three forms, except that uncertain values are
scalars only.

Each value knows its own central value and a plausible range (for sensitivity
analysis) and resolves, for one replication, to an array with one row per simulated
year.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

DISTRIBUTIONS = ("normal", "lognormal", "beta", "gamma", "uniform", "triangular")
_DIST_ARGS = {
    "normal": ("mean", "sd"),
    "lognormal": ("mean", "sd"),
    "beta": ("mean", "sd"),
    "gamma": ("mean", "sd"),
    "uniform": ("low", "high"),
    "triangular": ("low", "mode", "high"),
}


@dataclass(frozen=True)
class Constant:
    """A value that does not change: a float, or a tuple of floats for vectors."""

    value: float | tuple

    @property
    def is_random(self) -> bool:
        return False

    def central(self):
        return self.value

    def resolve(self, years: np.ndarray, rng=None) -> np.ndarray:
        v = np.asarray(self.value, dtype=float)
        return np.broadcast_to(v, (len(years),) + v.shape).copy()

    def to_toml(self):
        return list(self.value) if isinstance(self.value, tuple) else self.value


@dataclass(frozen=True)
class Schedule:
    """Values by year: ``points`` is a tuple of (year, value) in increasing year order."""

    points: tuple
    interp: str = "step"

    @property
    def is_random(self) -> bool:
        return False

    def central(self):
        return self.points[0][1]

    def resolve(self, years: np.ndarray, rng=None) -> np.ndarray:
        ys = np.array([p[0] for p in self.points], dtype=float)
        vs = np.array([p[1] for p in self.points], dtype=float)
        years = np.asarray(years, dtype=float)
        if self.interp == "linear":
            if vs.ndim == 1:
                return np.interp(years, ys, vs)
            return np.stack([np.interp(years, ys, vs[:, j]) for j in range(vs.shape[1])], axis=1)
        idx = np.searchsorted(ys, years, side="right") - 1
        return vs[np.clip(idx, 0, len(ys) - 1)].copy()

    def to_toml(self):
        out = {str(y): (list(v) if isinstance(v, tuple) else v) for y, v in self.points}
        if self.interp != "step":
            out["interp"] = self.interp
        return out


@functools.lru_cache(maxsize=1024)
def _frozen(d: str, args: tuple):
    """The scipy distribution of an uncertain value (cached: building one is slow)."""
    a = dict(args)
    if d == "normal":
        return stats.norm(a["mean"], a["sd"])
    if d == "lognormal":
        m, s = a["mean"], a["sd"]
        sigma2 = math.log1p((s / m) ** 2)
        return stats.lognorm(math.sqrt(sigma2), scale=m / math.sqrt(1 + (s / m) ** 2))
    if d == "beta":
        m, s = a["mean"], a["sd"]
        k = m * (1 - m) / s**2 - 1
        return stats.beta(m * k, (1 - m) * k)
    if d == "gamma":
        m, s = a["mean"], a["sd"]
        return stats.gamma((m / s) ** 2, scale=s**2 / m)
    if d == "uniform":
        return stats.uniform(a["low"], a["high"] - a["low"])
    if d == "triangular":
        lo, mo, hi = a["low"], a["mode"], a["high"]
        return stats.triang((mo - lo) / (hi - lo), loc=lo, scale=hi - lo)
    raise ValueError(d)


@dataclass(frozen=True)
class Uncertain:
    """A scalar drawn once per replication from a named distribution.

    ``normal``, ``lognormal``, ``beta`` and ``gamma`` take ``mean`` and ``sd``;
    ``uniform`` takes ``low`` and ``high``; ``triangular`` takes ``low``, ``mode``,
    ``high``. Draws are clipped to the field's allowed range ``[lo, hi]``.
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
        return float(self.frozen().mean())

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

        The same formulas as :meth:`frozen`, in plain floats, so a scenario with
        extreme arguments is rejected when it is read rather than failing in a run.
        """
        a = dict(self.args)
        try:
            if self.dist == "lognormal":
                r2 = (a["sd"] / a["mean"]) * (a["sd"] / a["mean"])
                params = (math.sqrt(math.log1p(r2)), a["mean"] / math.sqrt(1 + r2))
            elif self.dist == "beta":
                m, sd = a["mean"], a["sd"]
                k = m * (1 - m) / (sd * sd) - 1
                params = (m * k, (1 - m) * k)
            elif self.dist == "gamma":
                params = ((a["mean"] / a["sd"]) * (a["mean"] / a["sd"]), a["sd"] * a["sd"] / a["mean"])
            elif self.dist in ("uniform", "triangular"):
                params = (a["high"] - a["low"],)
            else:
                params = (a["sd"],)
        except (ArithmeticError, ValueError):
            params = (math.nan,)
        if not all(math.isfinite(x) and x > 0 for x in params) or not math.isfinite(self.mean()):
            return "the distribution's arguments are too extreme (its parameters over- or underflow); use moderate values"
        return None

    def interval(self, q: float = 0.05) -> tuple[float, float]:
        f = self.frozen()
        lo, hi = float(f.ppf(q)), float(f.ppf(1 - q))
        return self._clip(lo), self._clip(hi)

    def _clip(self, x: float) -> float:
        if self.lo is not None:
            x = max(x, self.lo)
        if self.hi is not None:
            x = min(x, self.hi)
        return x

    def draw(self, rng: np.random.Generator) -> float:
        # Inverse-CDF from one uniform: one draw per parameter per replication, so the
        # same replication seed gives the same quantile whatever the distribution.
        return self._clip(float(self.frozen().ppf(rng.random())))

    def resolve(self, years: np.ndarray, rng=None) -> np.ndarray:
        x = self.central() if rng is None else self.draw(rng)
        return np.full(len(years), x)

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
