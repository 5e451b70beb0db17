"""Shared test helpers."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"


def ns(**kw) -> SimpleNamespace:
    return SimpleNamespace(**kw)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture(params=["compiled", "numpy"])
def both_paths(request, monkeypatch):
    """Run a test on the compiled kernels and on the numpy code (use it with
    ``pytestmark = pytest.mark.usefixtures("both_paths")``)."""
    from model import kernels
    if request.param == "numpy":
        monkeypatch.setattr(kernels, "ENABLED", False)
    elif not kernels.ENABLED:
        pytest.skip("numba not installed")
    return request.param


@pytest.fixture
def bench():
    import model
    return model.load(SCENARIOS / "bench.toml")


def write_scenario(tmp_path: Path, text: str, name: str = "case.toml") -> Path:
    """A scenario file in tmp_path; ``extends`` may name the repo's scenarios by absolute path."""
    p = tmp_path / name
    p.write_text(text.replace("@SCENARIOS@", str(SCENARIOS)), encoding="utf-8")
    return p


class _Started(Exception):
    pass


def starting_workforce(sc, seed: int = 1, replication: bool = False):
    """The starting workforce of replication 0 of ``sc``: the run is stopped right after
    the engine makes it (a plain patch, so hypothesis tests can call it too). With
    ``replication``, the :class:`model.engine.Replication` itself (its ``pop`` and its
    communities, ``comm``)."""
    from unittest import mock

    from model import engine
    orig = engine.Replication._initial_workforce

    def stop_after(self):
        orig(self)
        raise _Started(self)
    with mock.patch.object(engine.Replication, "_initial_workforce", stop_after):
        with pytest.raises(_Started) as e:
            engine.Replication(sc, seed, 0).run()
    rep = e.value.args[0]
    return rep if replication else rep.pop


class _Counter:
    """Stands in for the experiments' counter of points run (tqdm's), counting how often it
    is closed."""

    def __init__(self, desc):
        self.closed = 0

    def update(self, n):
        pass

    def close(self):
        self.closed += 1


@pytest.fixture
def counters_made(monkeypatch):
    """The counters the experiments make from here on (model.experiments.common._counter),
    each a stand-in that counts how often it is closed."""
    from model.experiments import common
    made = []
    monkeypatch.setattr(common, "_counter", lambda desc: made.append(_Counter(desc)) or made[-1])
    return made
