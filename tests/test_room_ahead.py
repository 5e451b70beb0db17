"""Memory made ready ahead for a big workforce (issue 8, item 2): the workforce's column
blocks made and first written in a background thread while ``model run`` imports the
rest of the model. Whether the blocks are made ahead or not, a run gives the same
values; they are taken once, by the first workforce they fit; ``model run`` makes them
only for a big workforce simulated in its own process, sized by an estimate of the
starting workforce that the engine's own count bears out."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import SCENARIOS, starting_workforce
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


def starting_rows(sc) -> int:
    """The engine's own count of the starting workforce."""
    return starting_workforce(sc).n


def test_room_made_ahead_gives_the_same_values_and_is_taken_once():
    sc = model.load(SCENARIOS / "changzhou-2022.toml")
    plain = run_replication(sc, 3, 0)
    rows = starting_workers_estimate(sc)
    make_room_ahead(rows)
    blocks = population._ahead
    assert blocks is not None and blocks[0] == capacity_for(int(rows * 1.25))
    ahead = run_replication(sc, 3, 0)
    assert population._ahead is None  # taken by that run's workforce
    np.testing.assert_array_equal(plain, ahead)
    # the blocks taken hold the rows asked for and a quarter more, one block per item width
    make_room_ahead(rows)
    taken = population._blocks_made_ahead(capacity_for(rows))
    assert population._ahead is None and taken is not None
    assert {w: b.shape for w, b in taken.items()} == {
        w: (len(names), capacity_for(int(rows * 1.25))) for w, names in population.BLOCKS.items()}


def test_room_that_does_not_fit_is_let_go():
    """Blocks too small for the first workforce that grows are let go, not kept for a
    later one; and a run that stops before its workforce lets them go too."""
    make_room_ahead(100)
    w = Workforce()
    w.reserve(capacity_for(10_000))
    assert population._ahead is None and w._cap == capacity_for(10_000)
    make_room_ahead(100)
    population.drop_room_ahead()
    assert population._ahead is None


def test_a_failed_model_run_keeps_no_room(tmp_path, monkeypatch):
    """``model run`` that stops after making room (here a run that fails) lets the room
    go; one that stops on a user mistake found first (an output folder it may not
    replace) makes none."""
    monkeypatch.setattr(population, "ROWS_AHEAD", 100)
    made = []
    real = population.make_room_ahead
    monkeypatch.setattr(population, "make_room_ahead", lambda rows: (made.append(rows), real(rows)))

    def fails(*args, **kwargs):
        assert population._ahead is not None  # made, and not yet taken
        raise model.UserError("the run failed")
    monkeypatch.setattr(runner, "run", fails)
    code, _, stderr = call(["run", BENCH, "--reps", "1", "--quiet", "--no-report", "--out",
                            str(tmp_path / "a"), "--set", "demand.communities=50"])
    assert code == 2 and "the run failed" in stderr and made
    assert population._ahead is None
    made.clear()
    out = tmp_path / "out"
    out.mkdir()
    (out / "mine.txt").write_text("not the model's")
    code, _, stderr = call(["run", BENCH, "--reps", "1", "--quiet", "--no-report", "--out", str(out),
                            "--set", "demand.communities=50"])
    assert code == 2 and "exists and is not an output" in stderr and not made
    assert population._ahead is None


DEFAULTS = sorted(p.name for p in SCENARIOS.glob("*.toml") if p.name != "national-2025.toml")
STRESSED = [("nanjing-2018.toml", {"demand.households_spread": 0.9, "demand.min_posts": 8}),
            ("hohhot-2023.toml", {"population.headcount": 0, "demand.households_spread": 0.9, "demand.min_posts": 12}),
            ("jilin-2020.toml", {"population.headcount": 0, "demand.households_spread": 0.9}),
            ("changzhou-2022.toml", {"population.headcount": 0, "demand.households_spread": 0.9, "demand.min_posts": 15})]


@pytest.mark.parametrize("name", DEFAULTS)
def test_starting_workers_estimate_is_the_engines_count_without_spread(name):
    """With no starting headcount (so the staffing rule decides: fixed, households, size
    bands, per 10,000 residents) and communities of equal size within a district, the
    estimate is the engine's own count, exactly (Jilin's uncertain band base and step
    fixed at values in their ranges: the estimate takes means, a replication draws);
    with the scenario's own spread of sizes, the room made for it still holds the
    engine's count."""
    fixed = {"demand.band_base": 12, "demand.band_step": 400} if name == "jilin-2020.toml" else {}
    even = model.load(SCENARIOS / name, {"population.headcount": 0, "demand.households_spread": 0.0, **fixed})
    assert starting_workers_estimate(even) == starting_rows(even)
    sc = model.load(SCENARIOS / name, {"population.headcount": 0})
    assert starting_rows(sc) <= 1.25 * starting_workers_estimate(sc)


@pytest.mark.parametrize("name, overrides", STRESSED)
def test_room_holds_the_workforce_when_floors_and_spread_move_it(name, overrides):
    """Uneven communities (households +-90%) with a floor of posts per community raise
    the posts above the estimate (which takes communities of average size), here by up
    to 14%: the room made ahead, a quarter more than the estimate, still holds them, and
    the first workforce takes it."""
    sc = model.load(SCENARIOS / name, overrides)
    rows, estimate = starting_rows(sc), starting_workers_estimate(sc)
    assert rows <= 1.25 * estimate
    make_room_ahead(estimate)
    w = Workforce()
    w.reserve(capacity_for(rows))
    assert population._ahead is None and w._cap == capacity_for(int(estimate * 1.25))


def test_runs_here_follows_the_runner(monkeypatch):
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
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
    replications to other processes (test_room_made_ahead_gives_the_same_values_and_is_taken_once
    checks the values)."""
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
        assert started == [500]  # 50 communities x 10 posts
