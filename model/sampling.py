"""Drawing worker attributes from the mixes a scenario gives (age bands, shares)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np


def band_weights(bands, upper: float = np.inf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bands truncated at ``upper``: (lows, highs, probabilities), the probabilities all 0
    if nothing is left.
    The arrays are shared (read-only): scenario bands are tuples, so each mix is worked
    out once."""
    try:
        return _band_weights(bands, float(upper))
    except TypeError:  # unhashable bands (lists): not cached
        return _band_weights.__wrapped__(bands, float(upper))


@lru_cache(maxsize=256)
def _band_weights(bands, upper: float):
    lo = np.array([b[0] for b in bands], dtype=np.int64)
    hi = np.minimum(np.array([b[1] for b in bands], dtype=np.int64), np.floor(upper)).astype(np.int64)
    w = np.array([b[2] for b in bands], dtype=float)
    width = np.array([b[1] - b[0] + 1 for b in bands], dtype=float)
    kept = np.clip(hi - lo + 1, 0, None)
    w = w * kept / width
    total = w.sum()
    out = lo, hi, (w / total if total > 0 else w)
    for a in out:
        a.flags.writeable = False
    return out


def band_share(bands, upper: float) -> float:
    """Probability that a draw from ``bands`` is at most ``upper``."""
    try:
        return _band_share(bands, float(upper))
    except TypeError:
        return _band_share.__wrapped__(bands, float(upper))


@lru_cache(maxsize=256)
def _band_share(bands, upper: float) -> float:
    lo, hi, _ = band_weights(bands)
    w = np.array([b[2] for b in bands], dtype=float)
    width = (hi - lo + 1).astype(float)
    kept = np.clip(np.minimum(hi, np.floor(upper)) - lo + 1, 0, None)
    return float((w / w.sum() * kept / width).sum())


def bands_from_uniforms(bands, u_band: np.ndarray, u_within: np.ndarray, upper: float = np.inf) -> np.ndarray:
    """Whole numbers by inverse CDF: a band by weight from ``u_band``, then uniform on its
    low..high (<= upper) from ``u_within``. The same uniforms give the same person under
    a changed limit wherever possible (a monotone coupling). Raises ValueError if the
    bands hold nothing up to ``upper``."""
    lo, hi, p = band_weights(bands, upper)
    if not p.sum() > 0:
        raise ValueError(f"no band of {bands} holds a whole number up to {upper}")
    cdf = np.cumsum(p)
    cdf[-1] = 1.0
    b = np.minimum(np.searchsorted(cdf, u_band, side="right"), len(p) - 1)
    return lo[b] + np.floor(u_within * (hi[b] - lo[b] + 1)).astype(np.int64)


def truncated_draws(bands, u_band: np.ndarray, u_within: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """One whole number per pair of uniforms, from ``bands`` truncated at its own bound
    ``upper[i]`` (:func:`bands_from_uniforms`, by group of equal bounds); where the bands
    hold nothing up to the bound, the bound itself."""
    upper = np.asarray(upper, dtype=np.int64)
    out = upper.copy()
    order = np.argsort(upper, kind="stable")
    bounds, starts = np.unique(upper[order], return_index=True)
    for a, group in zip(bounds.tolist(), np.split(order, starts[1:])):
        if band_share(bands, a) > 0:
            out[group] = bands_from_uniforms(bands, u_band[group], u_within[group], upper=a)
    return out


def shares_from_uniforms(shares, u: np.ndarray, at_least: int = 0) -> np.ndarray:
    """Category indices by inverse CDF of ``shares`` restricted to indices >= ``at_least``."""
    p = np.asarray(shares, dtype=float).copy()
    p[:at_least] = 0
    total = p.sum()
    if total <= 0:
        return np.full(len(u), min(at_least, len(p) - 1), dtype=np.int64)
    cdf = np.cumsum(p / total)
    cdf[-1] = 1.0
    return np.minimum(np.searchsorted(cdf, u, side="right"), len(p) - 1).astype(np.int64)


def draw_bands(bands, k: int, rng: np.random.Generator, upper: float = np.inf) -> np.ndarray:
    """``k`` whole numbers: a band by weight, then uniform on its low..high (<= upper)."""
    return bands_from_uniforms(bands, rng.random(k), rng.random(k), upper)


def draw_shares(shares, k: int, rng: np.random.Generator, at_least: int = 0) -> np.ndarray:
    """``k`` category indices drawn with ``shares``, restricted to indices >= ``at_least``."""
    return shares_from_uniforms(shares, rng.random(k), at_least)


def share_at_least(shares, at_least: int) -> float:
    return float(np.asarray(shares, dtype=float)[at_least:].sum())


def rank_within(groups: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Rank (0 = first) of each element within its group, ordered by ``keys`` ascending."""
    order = np.lexsort((keys, groups))
    g = groups[order]
    start = np.flatnonzero(np.concatenate([[True], g[1:] != g[:-1]]))
    first = np.repeat(start, np.diff(np.append(start, len(g))))
    rank = np.empty(len(groups), dtype=np.int64)
    rank[order] = np.arange(len(groups)) - first
    return rank


def smallest_first(keys: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` smallest ``keys`` (ties: the earlier position), in order of
    position: those below the ``k``-th smallest key (:func:`kth_smallest`), then the first
    of those equal to it; no sort of the positions."""
    n = len(keys)
    if k >= n:
        return np.arange(n)
    if k <= 0:
        return np.zeros(0, dtype=np.int64)
    thr = kth_smallest(keys, k - 1)
    chosen = keys < thr
    tied = np.flatnonzero(keys == thr)[: k - int(np.count_nonzero(chosen))]
    chosen[tied] = True
    return np.flatnonzero(chosen)


def kth_smallest(keys: np.ndarray, k: int):
    """The ``k``-th smallest of ``keys`` (0: the smallest). A partition (linear time), or a
    sort where a sample of the keys repeats much: numpy's partition slows down on many
    equal keys (100 ms for 650,000 communities of two sizes, against 4 ms for the sort)
    while its sort speeds up. The value is the same either way."""
    sample = keys[:: max(len(keys) // 1024, 1)]
    if len(sample) >= 64 and 4 * len(np.unique(sample)) < len(sample):
        return np.sort(keys)[k]
    return np.partition(keys, k)[k]


HALF_SLACK = 1e-12
"""Relative slack of :func:`half_up`: some thousand times a double's rounding error, far
below any difference a count's inputs mean (relative to at most 10^9: beyond, 10^-3 of a
whole, so that a whole number such as 10^13 stays itself)."""


def half_up(x):
    """Whole numbers rounded half up (四舍五入: 10.5 -> 11), as staffing arithmetic rounds:
    the model's rounding of every count it is given as a number (posts, hires a year,
    caps, pools, capacities, which may be drawn as uncertain values). Python's and numpy's
    ``round`` round half to even (10.5 -> 10, 11.5 -> 12). A half reached through
    floating-point arithmetic is still a half: a value within a relative :data:`HALF_SLACK`
    below it rounds up (1890 residents / 2.16 a household / 250 a post = 3.4999999999999996
    posts, 3.5 in exact arithmetic: 4). An int64 array for an array, an int for a number."""
    x = np.asarray(x, dtype=float)
    r = np.floor(x + 0.5 + HALF_SLACK * np.clip(np.abs(x), 1.0, 1e9))
    return int(r) if r.ndim == 0 else r.astype(np.int64)


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Whole numbers adding up to ``total`` in proportion to ``weights`` (largest remainder;
    ties: the earlier element); equal shares where the weights are all 0 (a starting
    headcount where the staffing rule gives no posts)."""
    weights = np.asarray(weights, dtype=float)
    total_w = weights.sum()
    w = weights / total_w if total_w > 0 else np.full(len(weights), 1.0 / max(len(weights), 1))
    exact = total * w
    base = np.floor(exact).astype(np.int64)
    rest = int(total - base.sum())
    if rest > 0:
        # the `rest` largest remainders (smallest_first: no sort of the positions)
        base[smallest_first(base - exact, rest)] += 1
    return base
