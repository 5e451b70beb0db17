"""Tests for :mod:`model.cluster`: replications as Dask tasks.

The Dask backend must give exactly the local backend's values for the same seed (every
replication is fully determined by ``(scenario, seed, rep)``), keep a bounded number of
chunks in flight, and, without ``distributed``, stop with one clear message. The checks
are exact equalities, so no Monte Carlo tolerance is involved.

One ``distributed.LocalCluster`` (2 single-threaded worker processes) is shared by the
module; the benchmark scenario is shrunk to 50 communities so each replication takes
milliseconds.
"""

from __future__ import annotations

import builtins
import functools
import warnings

import numpy as np
import pandas as pd
import pytest

import model
from model import cli
from model.cluster import MISSING, run_chunks
from model.runner import _chunks

distributed = pytest.importorskip("distributed")

SMALL = ["demand.communities=50"]
SEED = 20240607
REPS = 7


@pytest.fixture(scope="module")
def cluster():
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        c = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                     dashboard_address=None)
    with c:
        yield c


@pytest.fixture(scope="module")
def small():
    return model.load("bench", SMALL)


@pytest.fixture(scope="module")
def local(small):
    return model.run(small, reps=REPS, seed=SEED, workers=1)


def test_dask_cluster_gives_the_local_backends_values(cluster, small, local):
    res = model.run(small, reps=REPS, seed=SEED, backend="dask", scheduler=cluster.scheduler_address)
    assert res.meta["backend"] == "dask"
    assert res.values.shape == local.values.shape
    np.testing.assert_array_equal(res.values, local.values)
    assert res.summary().equals(local.summary())


def test_scheduler_address_from_the_environment(cluster, small, local, monkeypatch):
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", cluster.scheduler_address)
    res = model.run(small, reps=REPS, seed=SEED)
    assert res.meta["backend"] == "dask"
    np.testing.assert_array_equal(res.values, local.values)


def test_every_replication_comes_back_once_with_bounded_chunks_in_flight(cluster, small, local):
    """Chunks of 1 or 2 replications, at most 2 in flight: after each chunk is handed back,
    the scheduler has at most 2 replication tasks not yet finished (submitting all 12 at
    once would leave up to 11 waiting), and the chunks cover 0..REPS-1 exactly once."""
    chunks = [range(a, min(a + 2, REPS)) for a in range(0, REPS, 2)] + \
             [range(r, r + 1) for r in range(REPS, REPS + 8)]
    observer = distributed.Client(cluster, set_as_default=False)

    def unfinished(dask_scheduler):
        return sum(1 for k, ts in dask_scheduler.tasks.items()
                   if str(k).startswith("model-replications") and ts.state not in ("memory", "released",
                                                                                   "forgotten", "erred"))

    got, busy = {}, []
    try:
        for start, arr in run_chunks(small, SEED, chunks, cluster.scheduler_address, in_flight=2):
            busy.append(observer.run_on_scheduler(unfinished))
            for i, row in enumerate(arr):
                assert start + i not in got
                got[start + i] = row
    finally:
        observer.close()
    assert sorted(got) == list(range(REPS + 8))
    assert max(busy) <= 2
    np.testing.assert_array_equal(np.stack([got[r] for r in range(REPS)]), local.values)


def test_cli_with_scheduler_writes_the_same_summary(cluster, tmp_path, capsys):
    base = ["run", "bench", "--reps", "5", "--seed", "11", "--quiet", "--no-report",
            *[x for kv in SMALL for x in ("--set", kv)]]
    assert cli.main([*base, "--workers", "1", "--out", str(tmp_path / "local")]) == 0
    assert cli.main([*base, "--scheduler", cluster.scheduler_address, "--out", str(tmp_path / "dask")]) == 0
    a = (tmp_path / "local" / "summary.csv").read_bytes()
    b = (tmp_path / "dask" / "summary.csv").read_bytes()
    assert a == b and len(a) > 1000


def test_local_dask_cluster_started_for_the_run(small, local):
    # no address: run_chunks starts its own LocalCluster and closes it
    res = model.run(small, reps=REPS, seed=SEED, backend="dask")
    np.testing.assert_array_equal(res.values, local.values)


def test_chunks_of_the_runner_cover_every_replication():
    for reps in (1, 7, 33, 1000):
        ch = _chunks(reps, 8)
        assert [r for c in ch for r in c] == list(range(reps))


@pytest.fixture
def no_dask(monkeypatch):
    real = builtins.__import__

    def fake(name, *args, **kw):
        if name == "distributed" or name.startswith(("distributed.", "dask")):
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kw)

    monkeypatch.setattr(builtins, "__import__", fake)


def test_without_distributed_a_clear_message(no_dask, small):
    with pytest.raises(model.UserError) as e:
        model.run(small, reps=2, seed=1, backend="dask")
    assert str(e.value).endswith(MISSING)
    assert "pip install -e '.[distributed]'" in str(e.value)  # quoted: zsh expands [...]


def test_without_distributed_the_cli_exits_2_and_writes_nothing(no_dask, tmp_path, capsys):
    out = tmp_path / "out"
    code = cli.main(["run", "bench", "--reps", "2", "--backend", "dask", "--quiet", "--no-report",
                     "--set", SMALL[0], "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert ("option '--backend': the dask backend needs the 'distributed' extra: "
            "pip install -e '.[distributed]'") in err
    assert "Traceback" not in err
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("address, words", [("nonsense::", "expected a Dask scheduler address"),
                                            ("tcp://host-without-port", "missing port")])
def test_malformed_scheduler_address(small, address, words):
    with pytest.raises(model.UserError, match=words) as e:
        model.run(small, reps=2, seed=1, scheduler=address)
    assert e.value.field == "--scheduler"


def test_unreachable_scheduler(small):
    with pytest.raises(model.UserError, match="cannot connect to the Dask scheduler") as e:
        list(run_chunks(small, 1, [range(1)], "tcp://127.0.0.1:1", timeout=0.5))
    assert e.value.field == "--scheduler"


def test_an_unreachable_scheduler_from_the_environment_names_the_variable(small, monkeypatch):
    """Not option --scheduler, which was never given; the message says how to fix it. The
    cluster's own errors say so where the address is known to come from the variable, and
    a run tells it so."""
    from model import cluster as K
    for address, words in (("tcp://127.0.0.1:1", "cannot connect to the Dask scheduler"),
                           ("nonsense::", "expected a Dask scheduler address")):
        with pytest.raises(model.UserError, match=words) as e:
            list(run_chunks(small, 1, [range(1)], address, timeout=0.5, from_environment=True))
        assert e.value.field is None and e.value.file == "environment variable DASK_SCHEDULER_ADDRESS"
        assert "unset the variable" in e.value.message
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:1")
    monkeypatch.setattr(K, "run_chunks", functools.partial(K.run_chunks, timeout=0.5))
    with pytest.raises(model.UserError, match="cannot connect") as e:
        model.run(small, reps=2, seed=1)
    assert e.value.file == "environment variable DASK_SCHEDULER_ADDRESS"


def test_an_endpoint_that_is_not_a_scheduler_is_refused_within_the_timeout(small):
    """A port that accepts connections and says nothing (Dask's own timeout covers the
    connection, not the handshake): one UserError naming --scheduler, not a hang."""
    import socket
    import threading
    import time

    from model.errors import UserError
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(5)
    held = []
    threading.Thread(target=lambda: [held.append(srv.accept()) for _ in range(5)], daemon=True).start()
    t = time.monotonic()
    with pytest.raises(UserError, match="did not answer as a Dask scheduler") as e:
        list(run_chunks(small, SEED, [range(0, 1)], f"tcp://127.0.0.1:{srv.getsockname()[1]}", timeout=1))
    assert e.value.field == "--scheduler" and time.monotonic() - t < 30
    srv.close()


def test_a_scheduler_that_answers_after_the_timeout_is_closed(monkeypatch):
    """A handshake that finishes after the run gave up on it: the refusal as before, and
    the client it made is closed (it used to stay open, unowned, in a notebook's process)."""
    import threading
    import types

    from model import cluster as K
    from model.errors import UserError
    go, closed = threading.Event(), threading.Event()

    class LateClient:
        def __init__(self, *a, **k):
            go.wait(10)

        def close(self):
            closed.set()
    monkeypatch.setattr(K, "HANDSHAKE_GRACE", 0.0)
    with pytest.raises(UserError, match="did not answer as a Dask scheduler"):
        K._connect(types.SimpleNamespace(Client=LateClient), "tcp://127.0.0.1:8786", 0.2)
    go.set()
    assert closed.wait(10)


def test_a_scheduler_without_workers_is_refused(small):
    from model.errors import UserError
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        empty = distributed.LocalCluster(n_workers=0, dashboard_address=None)
    with empty, pytest.raises(UserError, match="has no workers"):
        list(run_chunks(small, SEED, [range(0, 1)], empty.scheduler_address, timeout=1))


def test_a_cluster_lost_mid_run_is_a_run_failure_not_a_traceback(small):
    """The cluster closed after the first chunk came back: RunFailed (the command line's
    one line and exit status 1), not Dask's FutureCancelledError."""
    from model.errors import RunFailed
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        lost = distributed.LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None)
    chunks = run_chunks(small, SEED, [range(i, i + 1) for i in range(40)], lost.scheduler_address, timeout=5,
                        in_flight=2)
    next(chunks)
    lost.close()
    with pytest.raises(RunFailed, match="failed during the run"):
        list(chunks)


def test_local_backend_asked_for_wins_over_the_environment_in_experiments(small, monkeypatch, tmp_path,
                                                                          capsys):
    """With DASK_SCHEDULER_ADDRESS set, `--backend local` runs here in every command: the
    experiments passed no backend on and went to the variable's scheduler (audit of
    2026-12-07), and rerun had no such option. The address here is unreachable, so a run
    sent there would fail."""
    from model.experiments.common import run_many
    monkeypatch.setenv("DASK_SCHEDULER_ADDRESS", "tcp://127.0.0.1:1")
    other = small.with_overrides({"quits.rate": [0.2]})
    res = run_many([small, other], reps=2, seed=1, workers=1, backend="local")
    assert [r.meta["backend"] for r in res] == ["local", "local"]
    out = tmp_path / "cmp"
    code = cli.main(["compare", "bench", "bench", "--set", SMALL[0], "--reps", "2", "--workers", "1",
                     "--backend", "local", "--quiet", "--no-report", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    run_out = tmp_path / "run"
    assert cli.main(["run", "bench", "--set", SMALL[0], "--reps", "2", "--backend", "local", "--quiet",
                     "--no-report", "--out", str(run_out)]) == 0
    code = cli.main(["rerun", str(run_out / "manifest.json"), "--backend", "local", "--quiet",
                     "--out", str(tmp_path / "again")])
    assert code == 0, capsys.readouterr().err


POISON = """
def poison():  # on a worker: 'model' cannot be imported there any more
    import sys

    class NoModel:
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name == "model" or name.startswith("model."):
                raise ModuleNotFoundError("No module named 'model'")
            return None
    sys.meta_path.insert(0, NoModel)
    for name in [m for m in sys.modules if m == "model" or m.startswith("model.")]:
        del sys.modules[name]
"""


def test_workers_that_cannot_load_the_model_are_one_line(small):
    """Workers that cannot import the model (here made so on the workers themselves) stop
    the run with a RunFailed saying what to install where, not Dask's 60-line traceback
    (audit of 2026-12-07)."""
    from model import __version__
    from model.errors import RunFailed
    ns: dict = {}
    exec(POISON, ns)  # a function of no module: it travels to the workers by value
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        bare = distributed.LocalCluster(n_workers=1, threads_per_worker=1, dashboard_address=None)
    with bare, distributed.Client(bare, set_as_default=False) as client:
        client.run(ns["poison"])
        with pytest.raises(RunFailed) as e:
            list(run_chunks(small, SEED, [range(0, 1)], bare.scheduler_address, timeout=5))
    assert "cannot load the model" in str(e.value) and f"version {__version__}" in str(e.value)


def test_a_local_clusters_workers_ignore_ctrl_c_after_a_restart_too():
    """The local cluster's workers ignore SIGINT, and a worker the nanny restarts during the
    run does too (a worker plugin: started with the run's own handler, it would print its
    traceback on a Ctrl-C; found in a review of 2026-12-07)."""
    from model import cluster as K
    client, local_cluster = K._connect(distributed, None, 10.0, workers=1)
    try:
        assert all(client.run(K._ignores_interrupts).values())
        client.restart()
        assert all(client.run(K._ignores_interrupts).values())
    finally:
        client.close()
        local_cluster.close()


def test_a_local_clusters_workers_start_ignoring_ctrl_c():
    """A local cluster's workers are started with SIGINT ignored, so that a Ctrl-C at the
    terminal reaches the command alone (one line), not every worker (a traceback each:
    audit of 2026-12-07); a process started with SIGINT ignored keeps ignoring it. This
    process's own handler is back afterwards."""
    import signal
    import subprocess
    import sys

    from model.cluster import _interrupts_kept_from_children
    code = ("import signal; h = signal.getsignal(signal.SIGINT); "
            "print('ignored' if h == signal.SIG_IGN else getattr(h, '__name__', h))")
    ask = [sys.executable, "-c", code]
    before = signal.getsignal(signal.SIGINT)
    with _interrupts_kept_from_children():
        inside = subprocess.run(ask, capture_output=True, text=True, check=True).stdout.strip()
    outside = subprocess.run(ask, capture_output=True, text=True, check=True).stdout.strip()
    assert (inside, outside) == ("ignored", "default_int_handler")
    assert signal.getsignal(signal.SIGINT) is before


def test_workers_of_another_model_version_are_refused(cluster, small, monkeypatch):
    """A worker that has another version of the model would give other numbers without a
    word (audit of 2026-12-07): the run stops, naming both versions."""
    from model import cluster as K
    from model.errors import RunFailed
    monkeypatch.setattr("model.__version__", "0.0.1")  # this process's; the workers keep theirs
    with pytest.raises(RunFailed, match=r"has model version \S+, this is 0\.0\.1"):
        list(K.run_chunks(small, SEED, [range(0, 1)], cluster.scheduler_address, timeout=5))


@pytest.fixture
def local_clusters_started(monkeypatch):
    """The worker counts of the local Dask clusters started from here on (no scheduler
    named by the environment)."""
    made = distributed.LocalCluster
    seen = []

    def spy(*a, **k):
        seen.append(k.get("n_workers"))
        return made(*a, **k)
    monkeypatch.setattr(distributed, "LocalCluster", spy)
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    return seen


def test_a_local_dask_cluster_has_the_workers_asked_for(small, local, local_clusters_started):
    """`--workers K` sizes the local Dask cluster started for the run (it was one worker per
    core whatever K); the values are the local backend's."""
    seen = local_clusters_started
    res = model.run(small, reps=REPS, seed=SEED, backend="dask", workers=1)
    assert seen == [1]
    np.testing.assert_array_equal(res.values, local.values)


def test_an_experiments_runs_share_one_local_dask_cluster(small, local_clusters_started):
    """Several runs of an experiment on the Dask backend without a scheduler share one local
    cluster (one each cost about 3 s: a 4-point sweep took 14.7 s against 3.7 s on two local
    processes, audit of 2026-12-07); the values are the local backend's."""
    from model.experiments.common import run_many
    seen = local_clusters_started
    variants = [small] + [small.with_overrides({"quits.rate": [q]}) for q in (0.2, 0.3)]
    on_dask = run_many(variants, reps=3, seed=SEED, workers=1, backend="dask")
    assert seen == [1]
    here = run_many(variants, reps=3, seed=SEED, workers=1, backend="local")
    for a, b in zip(on_dask, here):
        assert a.meta["backend"] == "dask" and b.meta["backend"] == "local"
        np.testing.assert_array_equal(a.values, b.values)


def test_solve_on_dask_shares_one_local_cluster_and_gives_the_local_backends_tables(tmp_path,
                                                                                    local_clusters_started):
    """solve on the Dask backend without a scheduler started a local cluster for every value
    tried and for the baseline (about 3 s each, as the experiments' runs did before
    shared_local_cluster): one now, for the whole command; its tables are byte for byte
    those of one local process."""
    base = ["solve", "bench", *[x for kv in SMALL for x in ("--set", kv)], "--set", "years=1",
            "--lever", "certification.pass_prob", "--range", "0,1", "--tol", "0.1",
            "--target", "certified_share>=0.8@2025", "--prob", "0.5", "--reps", "3", "--seed", str(SEED),
            "--quiet", "--no-report"]
    assert cli.main([*base, "--workers", "1", "--out", str(tmp_path / "local")]) == 0
    assert local_clusters_started == []
    assert cli.main([*base, "--backend", "dask", "--workers", "1", "--out", str(tmp_path / "dask")]) == 0
    assert local_clusters_started == [1]
    for table in ("solution.csv", "trace.csv", "effects.csv"):
        here = (tmp_path / "local" / table).read_bytes()
        assert (tmp_path / "dask" / table).read_bytes() == here and len(here) > 100, table


def test_calibrate_on_dask_shares_one_local_cluster_and_gives_the_local_backends_fit(small,
                                                                                   local_clusters_started):
    """As solve: one local cluster for every point calibrate runs (the start, the search,
    the identification check's and the profile's points), from Python; the same fit as
    one local process."""
    from model.experiments.calibrate import calibrate
    sc = small.with_overrides({"years": 1})
    obs = [{"metric": "exits_quit", "year": 2025, "value": 40.0}]
    args = dict(reps=3, seed=SEED, max_evaluations=4, profile=2, workers=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # (stopped before converging: 4 points)
        on_dask = calibrate(sc, {"quits.rate": (0.02, 0.3)}, obs, backend="dask", **args)
        assert local_clusters_started == [1]
        here = calibrate(sc, {"quits.rate": (0.02, 0.3)}, obs, backend="local", **args)
    assert local_clusters_started == [1] and on_dask.evaluations == here.evaluations > 4
    assert on_dask.values == here.values and on_dask.objective == here.objective
    for table in ("parameters", "fit", "profile"):
        pd.testing.assert_frame_equal(getattr(on_dask, table), getattr(here, table))
    np.testing.assert_array_equal(on_dask.results.values, here.results.values)


def test_sensitivity_on_dask_shares_one_local_cluster_for_both_sets_of_points(small,
                                                                          local_clusters_started):
    """The one-at-a-time and the Sobol points of one sensitivity call run on one local
    cluster (each set started its own: about 3 s more); the same indices as one local
    process."""
    from model.experiments.sensitivity import sensitivity
    sc = small.with_overrides({"years": 1})
    params = {"quits.rate": (0.05, 0.15), "certification.pass_prob": (0.1, 0.4)}
    args = dict(output="headcount", params=params, reps=2, seed=SEED, sobol=8, sobol_reps=1, workers=1)
    on_dask = sensitivity(sc, backend="dask", **args)
    assert local_clusters_started == [1]
    here = sensitivity(sc, backend="local", **args)
    pd.testing.assert_frame_equal(on_dask.oat, here.oat)
    pd.testing.assert_frame_equal(on_dask.sobol, here.sobol)


def test_the_run_manifest_says_where_the_run_ran(cluster, tmp_path, monkeypatch):
    """On Dask the manifest said workers 0 and not where: now the backend, the workers (a
    local cluster's as it was started, a scheduler's as the run began) and the scheduler's
    address (null without one); the local backend's as before, with a null scheduler."""
    import json
    monkeypatch.delenv("DASK_SCHEDULER_ADDRESS", raising=False)
    base = ["run", "bench", "--reps", "3", "--seed", "11", "--quiet", "--no-report",
            *[x for kv in SMALL for x in ("--set", kv)]]
    where = {}
    for name, how in [("local", ["--workers", "1"]), ("own", ["--backend", "dask", "--workers", "1"]),
                      ("there", ["--scheduler", cluster.scheduler_address])]:
        assert cli.main([*base, *how, "--out", str(tmp_path / name)]) == 0
        m = json.loads((tmp_path / name / "manifest.json").read_text(encoding="utf-8"))
        where[name] = (m["backend"], m["workers"], m["scheduler"])
    assert where == {"local": ("local", 1, None), "own": ("dask", 1, None),
                     "there": ("dask", 2, cluster.scheduler_address)}


def test_an_experiments_manifest_and_runs_say_where_they_ran_as_run_does(cluster, small, tmp_path,
                                                                         local_clusters_started):
    """On a local cluster an experiment starts for its runs (shared_local_cluster), each
    run's meta gave the cluster's temporary tcp://127.0.0.1 address as its scheduler, where
    `run` on a local cluster of its own says null; the experiments' manifests said nothing
    of where they ran. Now the runs (the values solve tries and its baseline too) and the
    manifests say null on the experiment's own cluster, with its workers, and a scheduler
    given, with the workers it had, as `run`'s manifest does."""
    import json

    from model.experiments.solve import solve
    s = solve(small.with_overrides({"years": 1}), "certification.pass_prob", 0, 1,
              "certified_share>=0.8@2025", 0.5, reps=3, seed=SEED, tol=0.25, backend="dask", workers=1)
    assert local_clusters_started == [1]
    own = {"backend": "dask", "workers": 1, "scheduler": None}
    for res in (s.results, s.baseline):
        assert {k: res.meta[k] for k in own} == own
    assert s.ran_on == own
    base = ["--reps", "2", "--seed", str(SEED), "--quiet", "--no-report", "--set", "years=1",
            *[x for kv in SMALL for x in ("--set", kv)]]
    for name, how, where in [
            ("own", ["--backend", "dask", "--workers", "1"], own),
            ("there", ["--scheduler", cluster.scheduler_address],
             {"backend": "dask", "workers": 2, "scheduler": cluster.scheduler_address})]:
        assert cli.main(["compare", "bench", "--variant", "quits.death_rate=0.01", *base, *how,
                         "--out", str(tmp_path / name)]) == 0
        m = json.loads((tmp_path / name / "manifest.json").read_text(encoding="utf-8"))
        assert {k: m[k] for k in where} == where, name
    assert local_clusters_started == [1, 1]


def test_one_rule_tells_what_a_dask_error_means():
    """A worker older than the version check (its _run_chunk takes other arguments) is a
    worker of another version, not a traceback; an import error is workers that cannot load
    the model; a lost connection is the cluster's failure; the model's own error is left as
    it is (None)."""
    from model import cluster as K
    from model.errors import RunFailed
    old = K._failure(TypeError("_run_chunk() takes 4 positional arguments but 5 were given"), "tcp://h:1")
    assert isinstance(old, RunFailed) and "an older model version" in str(old) and "'tcp://h:1'" in str(old)
    assert "model version 0.0.1" in str(K._failure(K.OtherVersion("0.0.1"), None))
    assert "cannot load the model" in str(K._failure(ModuleNotFoundError("No module named 'model'"), None))
    assert "failed during the run" in str(K._failure(OSError("connection lost"), None))
    assert K._failure(ValueError("a model error"), None) is None
    assert K._failure(TypeError("unsupported operand"), None) is None


def test_a_run_on_an_experiments_cluster_names_no_scheduler_of_its_own(small):
    """The runs of an experiment on its own local cluster take it without a scheduler
    (cluster._SHARED): a failure there is the cluster's, named without the temporary
    address, which the messages once gave as a scheduler to start workers on."""
    from model import cluster as K
    from model.errors import RunFailed
    with K.shared_local_cluster("dask", None, 1):
        K._SHARED.get().scale(0)
        with pytest.raises(RunFailed, match="the Dask cluster failed") as e:
            list(K.run_chunks(small, SEED, [range(0, 1)], None, timeout=1))
    assert "tcp://" not in str(e.value) and "--scheduler" not in str(e.value)
    assert K._SHARED.get() is None  # left with the block
