"""The compiled kernels and the numpy code compute the same rules.

Both paths draw the same random numbers, so a whole run must agree: counts exactly,
money up to floating-point summation order (relative 1e-9)."""

from __future__ import annotations

import numpy as np
import pytest

import model
from model import kernels
from conftest import SCENARIOS

pytestmark = pytest.mark.skipif(not kernels.ENABLED, reason="numba not installed")


@pytest.mark.parametrize("name,overrides", [
    ("bench.toml", {"demand.communities": 80}),
    ("example-city.toml", {"demand.communities": 60, "demand.urban_residents": 450_000,
                           "population.headcount": 700}),
    ("nanjing-2018.toml", {}),  # districts: the per-district metrics
])
def test_kernels_agree_with_numpy(monkeypatch, name, overrides):
    sc = model.load(SCENARIOS / name, overrides)
    reps = 1 if sc.districts and not sc.implicit_district else 2
    fast = model.run(sc, reps=reps, seed=4)
    monkeypatch.setattr(kernels, "ENABLED", False)
    slow = model.run(sc, reps=reps, seed=4)
    np.testing.assert_allclose(fast.values, slow.values, rtol=1e-9, atol=1e-6, equal_nan=True)
    i = fast.metrics.index("headcount")
    np.testing.assert_array_equal(fast.values[:, :, i], slow.values[:, :, i])
