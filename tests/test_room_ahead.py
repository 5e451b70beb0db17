"""Memory made ready ahead for a big workforce (issue 8, item 2): the workforce's column
blocks made and first written in a background thread while ``model run`` imports the
rest of the model. Whether the blocks are made ahead or not, a run gives the same
values; they are taken once, by the first workforce they fit; ``model run`` makes them
only for a big workforce simulated in its own process, sized by an estimate of the
starting workforce that the engine's own count bears out."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS
from robust_helpers import BENCH, call

import model
from model import population, runner
from model.engine import run_replication
from model.policies.demand import starting_workers_estimate
from model.population import Workforce, capacity_for, make_room_ahead


@pytest.fixture(autouse=True)
def no_room_left_over():
    population._ahead = None
    yield
    population._ahead = None


class Started(Exception):
    pass


def starting_rows(sc, monkeypatch) -> int:
    """The engine's own count of the starting workforce (stopping the run there)."""
    from model import engine
    orig = engine.Replication._initial_workforce

    def stop_after(self):
        orig(self)
        raise Started(self.pop.n)
    monkeypatch.setattr(engine.Replication, "_initial_workforce", stop_after)
    with pytest.raises(Started) as e:
        engine.Replication(sc, 1, 0).run()
    return e.value.args[0]


def test_room_made_ahead_gives_the_same_values_and_is_taken_once():
    sc = model.load(SCENARIOS / "changzhou-2022.toml")
    plain = run_replication(sc, 3, 0)
    rows = starting_workers_estimate(sc)
    make_room_ahead(rows)
    blocks = population._ahead
    assert blocks is not None and blocks[0] == capacity_for(rows)
    ahead = run_replication(sc, 3, 0)
    assert population._ahead is None  # taken by that run's workforce
    np.testing.assert_array_equal(plain, ahead)
    # a workforce is laid out as one made without room ahead: zeros, active, unrated
    make_room_ahead(rows)
    w = Workforce()
    w.reserve(capacity_for(rows))
    s = w.add(rows)
    assert population._ahead is None and w._cap == capacity_for(rows)
    assert np.isinf(w.exit_time[s]).all() and (w.rating[s] == -1).all() and not w.level[s].any()


def test_room_too_small_is_left_for_a_workforce_it_fits():
    make_room_ahead(100)
    w = Workforce()
    w.reserve(capacity_for(10_000))
    assert population._ahead is not None and w._cap == capacity_for(10_000)
    w2 = Workforce()
    w2.reserve(capacity_for(50))
    assert population._ahead is None and w2._cap == capacity_for(100)


@pytest.mark.parametrize("name", sorted(p.name for p in SCENARIOS.glob("*.toml") if p.name != "national-2025.toml"))
def test_starting_workers_estimate_is_close_to_the_engines_count(name, monkeypatch):
    """Within 1% for every scenario (the estimate takes communities of average size;
    the run rounds each community's posts and raises them to its floors)."""
    sc = model.load(SCENARIOS / name)
    assert starting_workers_estimate(sc) == pytest.approx(starting_rows(sc, monkeypatch), rel=0.01)


def test_runs_here_follows_the_runner():
    assert runner.runs_here(1)
    assert runner.runs_here(200, workers=1)
    assert runner.runs_here(1, workers=4)        # one chunk of replications: one process
    assert not runner.runs_here(200, workers=2)
    assert not runner.runs_here(1, backend="dask")
    assert not runner.runs_here(1, scheduler="tcp://127.0.0.1:8786")
    assert runner.runs_here(1, backend="local", scheduler="tcp://127.0.0.1:8786")


@pytest.mark.parametrize("workers, made", [("1", True), ("2", False)])
def test_model_run_makes_room_ahead_only_for_a_run_in_its_own_process(tmp_path, monkeypatch, workers, made):
    """With the threshold lowered to the benchmark's size, ``model run`` makes room ahead
    when it simulates in its own process (then the run takes it), not when it hands the
    replications to other processes; the values written are the same either way."""
    monkeypatch.setattr(population, "ROWS_AHEAD", 100)
    started = []
    real = population.make_room_ahead
    monkeypatch.setattr(population, "make_room_ahead", lambda rows: (started.append(rows), real(rows)))
    out = tmp_path / "out"
    args = ["run", BENCH, "--reps", "20", "--seed", "5", "--quiet", "--no-report", "--out", str(out),
            "--set", "demand.communities=50", "--workers", workers]
    code, _, stderr = call(args)
    assert (code, stderr) == (0, "")
    assert bool(started) == made
    assert population._ahead is None
    if made:
        assert started == [int(500 * 1.05)]  # 50 communities x 10 posts, with the margin
