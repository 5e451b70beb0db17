"""The tree of random streams.

``SeedSequence(seed)`` is the root of a run. Replication ``r`` owns the child with spawn
key ``(r,)`` (the same child ``SeedSequence(seed).spawn(n)[r]`` gives, so it does not
depend on how replications are spread over processes or machines). Inside a
replication each mechanism draws, in each simulated year, from its own stream with key
``(r, mechanism, year_index)``: a change to one mechanism's parameters, or to the
number of draws it makes in one year, leaves every other mechanism's draws, and its
own draws in other years, untouched. That is what makes paired comparisons of
alternatives (common random numbers) precise.

Uncertain parameters draw from ``(r, 0, crc32(entry key))``, the key being the field path
(``pay.growth``), or for an uncertain entry inside a vector or schedule its position
(``quits.rate[0]``, ``pay.growth@2030``, ``pay.monthly@2030[1]``): adding a parameter
never shifts another's value.

Draws about a worker (will they quit this year, pass the exam, how are they rated) are
keyed by the worker: the uniform for worker ``id`` in mechanism ``m`` and year ``y`` is
a hash of (the stream's 64-bit key, ``id``), the SplitMix64 output for that counter. So
the same worker gets the same draw in two alternatives even when the alternatives
employ different people, and a paired comparison stays precise year after year.
Worker ids are stable: initial workers are numbered in order, and a hire's id encodes
the year, recruitment round, community and slot it fills. Draws that are not about one
worker (a binomial pool size, a rounding) come from the stream's ``Generator``.

Mechanism names are an append-only list: new mechanisms go at the end.
"""

from __future__ import annotations

import zlib

import numpy as np

MECHANISMS = (
    "parameters", "initial", "demand", "recruitment", "quits", "deaths", "training",
    "certification", "assessment", "elimination", "service_terms", "grades",
    "elections", "promotion_out", "initial_tenure", "roster", "degrees",
)
_INDEX = {m: i for i, m in enumerate(MECHANISMS)}


_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def keyed_uniform_np(key: int, ids: np.ndarray, sub: int = 0) -> np.ndarray:
    """numpy version of :func:`model.kernels.keyed_uniform` (same numbers)."""
    with np.errstate(over="ignore"):
        z = np.uint64(key) + _GAMMA * (np.asarray(ids, dtype=np.uint64) * np.uint64(64) + np.uint64(sub))
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        z = z ^ (z >> np.uint64(31))
    return ((z >> np.uint64(11)).astype(np.float64) + 0.5) * (1.0 / 9007199254740992.0)


class KeyedStream:
    """One mechanism's randomness in one year: uniforms keyed by worker id
    (:meth:`for_ids`), and an ordinary ``Generator`` for everything else (attribute
    access is forwarded to it, so a ``KeyedStream`` is used like a ``Generator``)."""

    def __init__(self, ss, key: int | None = None):
        """``ss``: the stream's SeedSequence, or a function that makes it (called only if
        the ``Generator`` is used); ``key``: its first 64-bit word, if known."""
        self._ss = ss
        self.key = int(ss.generate_state(1, np.uint64)[0]) if key is None else int(key)
        self._gen = None

    @property
    def generator(self) -> np.random.Generator:
        if self._gen is None:
            ss = self._ss if isinstance(self._ss, np.random.SeedSequence) else self._ss()
            self._gen = np.random.Generator(np.random.PCG64(ss))
        return self._gen

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.generator, name)

    def for_ids(self, ids: np.ndarray, sub: int = 0) -> np.ndarray:
        """One uniform in (0, 1) per id; ``sub`` (0..63) tells apart several draws per worker."""
        from . import kernels
        ids = np.ascontiguousarray(ids, dtype=np.uint64)
        if kernels.ENABLED:
            out = np.empty(ids.size)
            kernels.keyed_uniform(np.uint64(self.key), ids, np.uint64(sub), out)
            return out
        return keyed_uniform_np(self.key, ids, sub)


def uniforms_many(rng, ids: np.ndarray, sub0: int, n: int) -> np.ndarray:
    """``n`` uniforms per worker, shape (n, len(ids)): sub-streams ``sub0 .. sub0 + n - 1``
    (for a plain ``Generator``, its next ``n * len(ids)`` draws)."""
    if getattr(rng, "for_ids", None) is None:
        return rng.random((n, len(ids)))
    from . import kernels
    ids = np.ascontiguousarray(ids, dtype=np.uint64)
    if kernels.ENABLED:
        out = np.empty((n, ids.size))
        kernels.keyed_uniforms(np.uint64(rng.key), ids, sub0, out)
        return out
    return np.stack([keyed_uniform_np(rng.key, ids, sub0 + j) for j in range(n)])


def uniforms(rng, ids: np.ndarray, sub: int = 0) -> np.ndarray:
    """Uniforms for the workers ``ids``: keyed by worker with a :class:`KeyedStream`,
    or simply the next ``len(ids)`` draws of a plain ``Generator``."""
    f = getattr(rng, "for_ids", None)
    return f(ids, sub) if f is not None else rng.random(len(ids))


def _words(x: int) -> list[int]:
    """A whole number >= 0 as SeedSequence reads it: 32-bit words, least significant first."""
    out = [x & 0xFFFFFFFF]
    while x > 0xFFFFFFFF:
        x >>= 32
        out.append(x & 0xFFFFFFFF)
    return out


def _padded(words: list[int], size: int) -> list[int]:
    return words + [0] * (size - len(words))


class Streams:
    """Random generators of one replication."""

    def __init__(self, seed: int, rep: int):
        self.seed = int(seed)
        self.rep = int(rep)
        # the entropy words of (seed, spawn key (rep,)) as SeedSequence assembles them:
        # the seed's 32-bit words padded to the pool size (4), then the rep's
        self._words = np.array(_padded(_words(self.seed), 4) + _words(self.rep), dtype=np.uint64)

    def _ss(self, *key) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.seed, spawn_key=(self.rep,) + key)

    def get(self, mechanism: str, year_index: int = 0) -> KeyedStream:
        """The stream of ``mechanism`` in simulated year ``year_index``."""
        from . import kernels
        m = _INDEX[mechanism]
        if kernels.ENABLED and 0 <= year_index < 1 << 32:  # the key without making the SeedSequence
            return KeyedStream(lambda: self._ss(m, year_index),
                               kernels.stream_key(self._words, np.uint64(m), np.uint64(year_index)))
        return KeyedStream(self._ss(m, year_index))

    def parameter(self, path: str) -> np.random.Generator:
        """The generator of one uncertain parameter (by its field path)."""
        return np.random.Generator(np.random.PCG64(self._ss(0, zlib.crc32(path.encode()))))
