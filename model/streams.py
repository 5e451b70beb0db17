"""The tree of random streams.

``SeedSequence(seed)`` is the root of a run. Replication ``r`` owns the child with spawn
key ``(r,)`` (the same child ``SeedSequence(seed).spawn(n)[r]`` gives, so it does not
depend on how replications are spread over processes or machines). Inside a
replication each mechanism draws, in each simulated year, from its own stream with key
``(r, mechanism, year_index)``: a change to one mechanism's parameters, or to the
number of draws it makes in one year, leaves every other mechanism's draws, and its
own draws in other years, untouched. That is what makes paired comparisons of
alternatives (common random numbers) precise.

Uncertain parameters draw from ``(r, 0, crc32(field path))``: adding a parameter never
shifts another's value.

Mechanism names are an append-only list: new mechanisms go at the end.
"""

from __future__ import annotations

import zlib

import numpy as np

MECHANISMS = (
    "parameters", "initial", "demand", "recruitment", "quits", "deaths", "training",
    "certification", "assessment", "elimination", "service_terms", "grades",
    "elections", "promotion_out",
)
_INDEX = {m: i for i, m in enumerate(MECHANISMS)}


class Streams:
    """Random generators of one replication."""

    def __init__(self, seed: int, rep: int):
        self.seed = int(seed)
        self.rep = int(rep)

    def _ss(self, *key) -> np.random.SeedSequence:
        return np.random.SeedSequence(self.seed, spawn_key=(self.rep,) + key)

    def get(self, mechanism: str, year_index: int = 0) -> np.random.Generator:
        """The generator of ``mechanism`` in simulated year ``year_index``."""
        return np.random.Generator(np.random.PCG64(self._ss(_INDEX[mechanism], year_index)))

    def parameter(self, path: str) -> np.random.Generator:
        """The generator of one uncertain parameter (by its field path)."""
        return np.random.Generator(np.random.PCG64(self._ss(0, zlib.crc32(path.encode()))))
