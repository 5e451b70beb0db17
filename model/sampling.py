"""Drawing worker attributes from the mixes a scenario gives (age bands, shares)."""

from __future__ import annotations

import numpy as np


def band_weights(bands, upper: float = np.inf) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Bands truncated at ``upper``: (lows, highs, probabilities). Empty if none is left."""
    lo = np.array([b[0] for b in bands], dtype=np.int64)
    hi = np.minimum(np.array([b[1] for b in bands], dtype=np.int64), np.floor(upper)).astype(np.int64)
    w = np.array([b[2] for b in bands], dtype=float)
    width = np.array([b[1] - b[0] + 1 for b in bands], dtype=float)
    kept = np.clip(hi - lo + 1, 0, None)
    w = w * kept / width
    total = w.sum()
    return lo, hi, (w / total if total > 0 else w)


def band_share(bands, upper: float) -> float:
    """Probability that a draw from ``bands`` is at most ``upper``."""
    lo, hi, _ = band_weights(bands)
    w = np.array([b[2] for b in bands], dtype=float)
    width = (hi - lo + 1).astype(float)
    kept = np.clip(np.minimum(hi, np.floor(upper)) - lo + 1, 0, None)
    return float((w / w.sum() * kept / width).sum())


def draw_bands(bands, k: int, rng: np.random.Generator, upper: float = np.inf) -> np.ndarray:
    """``k`` whole numbers: a band by weight, then uniform on its low..high (<= upper)."""
    lo, hi, p = band_weights(bands, upper)
    b = rng.choice(len(p), size=k, p=p) if len(p) > 1 else np.zeros(k, dtype=np.int64)
    return lo[b] + np.floor(rng.random(k) * (hi[b] - lo[b] + 1)).astype(np.int64)


def draw_shares(shares, k: int, rng: np.random.Generator, at_least: int = 0) -> np.ndarray:
    """``k`` category indices drawn with ``shares``, restricted to indices >= ``at_least``."""
    p = np.asarray(shares, dtype=float).copy()
    p[:at_least] = 0
    total = p.sum()
    if total <= 0:
        return np.full(k, min(at_least, len(p) - 1), dtype=np.int64)
    cdf = np.cumsum(p / total)
    cdf[-1] = 1.0
    return np.searchsorted(cdf, rng.random(k), side="right").astype(np.int64)


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
