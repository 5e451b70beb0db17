"""Running replications: serially, on local processes, or on a Dask cluster.

Replications are independent tasks; each is fully determined by ``(scenario, seed,
rep)`` (see :mod:`model.streams`), so results are identical whatever the number of
processes or machines. Replications are sent in contiguous chunks and put back in
replication order.
"""

from __future__ import annotations

import contextlib
import contextvars
import multiprocessing
import os
import sys
import time
import warnings
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .cluster import ENVIRONMENT as SCHEDULER_VARIABLE
from .errors import COMMAND_LINE, RunFailed, UserError, whole_number
from .outputs import quiet_worker, signals_deferred
from .schema import MAX_REPS, MAX_SEED

if TYPE_CHECKING:
    from .results import Results

# the engine (simpy, the policies), the kernels (numba) and the results (pandas) are
# imported when first needed, so that `model run` can start making room for a big
# workforce first (see `runs_here` and model.population.make_room_ahead)


def _chunk(scenario, seed: int, reps: range) -> tuple[int, np.ndarray]:
    from .engine import run_replication
    return reps.start, np.stack([run_replication(scenario, seed, r) for r in reps])


@contextlib.contextmanager
def process_pool(workers: int):
    """A pool of ``workers`` local processes (each quiet on SIGINT and SIGTERM, see
    :func:`model.outputs.quiet_worker`) that does not outlive an exception; it yields
    ``submit(fn, calls)``, which submits ``fn(*args)`` for each ``args`` of ``calls`` and
    returns the futures.

    ``ProcessPoolExecutor``'s own exit waits for its workers to finish; but a signal can
    interrupt it while it starts them, before the thread that would tell them to stop
    exists, and they then wait for work forever while the exiting process waits for them
    (a run killed with SIGTERM hung so). So the submissions (which start the workers) hold
    signals back (:func:`model.outputs.signals_deferred`), and on any exception the
    workers are killed and reaped, those the pool lists and any child started since it
    was made, and the exception goes on (a worker that died, as the system's out-of-memory
    killer stops one, as :class:`~model.errors.RunFailed`)."""
    before = set(multiprocessing.active_children())
    ex = ProcessPoolExecutor(max_workers=workers, initializer=quiet_worker)

    def submit(fn, calls):
        with signals_deferred():  # a worker is never half started
            return [ex.submit(fn, *args) for args in calls]
    try:
        yield submit
    except BrokenProcessPool:
        _kill(ex, before)
        raise RunFailed("a worker process died before its replications were done (the system may have "
                        "stopped it for lack of memory: try fewer --workers)") from None
    except BaseException:
        _kill(ex, before)
        raise
    ex.shutdown(wait=True)


def _kill(ex, before: set) -> None:
    """Kill and reap the workers of the pool ``ex`` and any child started since ``before``."""
    procs = set((getattr(ex, "_processes", None) or {}).values())
    procs |= set(multiprocessing.active_children()) - before
    for proc in procs:
        # SIGKILL: a worker forked an instant ago drops a SIGTERM that arrives before
        # Python's after-fork hook (it clears pending signals); the workers write nothing
        proc.kill()
    ex.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        proc.join()


def _chunks(reps: int, workers: int) -> list[range]:
    size = max(1, min(64, -(-reps // (4 * max(workers, 1)))))
    return [range(a, min(a + size, reps)) for a in range(0, reps, size)]


def _large_allocations_stay_mapped() -> None:
    """Ask glibc to keep freed blocks of up to 64 MB for reuse instead of unmapping them.

    At national scale each temporary column (4.3 million float64 = 34 MB) is above
    glibc's default 32 MB mmap threshold, so it is mapped and page-faulted anew every
    time; keeping such blocks cuts the national run by about a quarter (benchmarks/
    README.md). Only the allocator's thresholds change; no-op off glibc."""
    import ctypes
    import ctypes.util
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-3, 64 * 1024 * 1024)     # M_MMAP_THRESHOLD
        libc.mallopt(-1, 2 * 1024 ** 3 - 1)    # M_TRIM_THRESHOLD
        libc.mallopt(-2, 256 * 1024 * 1024)    # M_TOP_PAD
    except (OSError, AttributeError):
        pass


def reps_and_seed(scenario, reps: int | None, seed: int | None) -> tuple[int, int]:
    """Replications and seed of a run: the given ones, else the scenario's [run] section
    (the command line checks its own options; these messages name the arguments)."""
    reps = scenario.run.reps if reps is None else whole_number(reps, "--reps", 1, MAX_REPS)
    seed = scenario.run.seed if seed is None else whole_number(seed, "--seed", 0, MAX_SEED)
    return reps, seed


def _cores() -> int:
    """Cores this process may run on (its affinity, where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


BYTES_PER_WORKER = 200
"""Peak memory of one replication per starting worker, with some room: a national run (4.3
million workers) peaks at about 850 MB, some 650 MB above a process with the model
imported (benchmarks/README.md), about 150 bytes a worker."""

PROCESS_BYTES = 250 * 2**20
"""Memory of a worker process with the model imported, before it simulates."""


def available_memory(root: str = "/") -> int | None:
    """Bytes free for new processes: ``MemAvailable`` in ``/proc/meminfo``, or less if a
    control group (a container's or a batch job's limit, cgroup v1 or v2, the process's
    own and those above it) leaves less; None where neither is known. ``root``: where
    ``/proc`` and ``/sys`` are (for tests)."""
    base = Path(root)
    free = []
    with contextlib.suppress(OSError, ValueError, IndexError):
        with open(base / "proc/meminfo", encoding="ascii") as f:
            free += [int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:")]
    free += _cgroup_free(base)
    return min(free) if free else None


# (hierarchy, mount under /sys/fs/cgroup, limit file, usage file, reclaimable key of memory.stat)
_CGROUPS = (("v2", "", "memory.max", "memory.current", "inactive_file"),
            ("v1", "memory", "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file"))


def _cgroup_free(base: Path) -> list[int]:
    """What each memory control group of this process (and each above it) leaves free:
    its limit less its usage, the usage without the page cache the kernel can drop."""
    own = {}
    with contextlib.suppress(OSError):
        for line in (base / "proc/self/cgroup").read_text(encoding="ascii").splitlines():
            _, controllers, path = line.split(":", 2)
            if controllers == "":
                own["v2"] = path
            elif "memory" in controllers.split(","):
                own["v1"] = path
    out = []
    for version, mount, limit_file, usage_file, cache_key in _CGROUPS:
        top = base / "sys/fs/cgroup" / mount
        path = Path(own.get(version, "/").lstrip("/"))
        for d in {top / p for p in (path, *path.parents)}:  # a mount may show its own group as the top
            with contextlib.suppress(OSError, ValueError):
                limit = (d / limit_file).read_text(encoding="ascii").strip()
                if limit == "max" or int(limit) >= 2**60:  # no limit
                    continue
                usage = int((d / usage_file).read_text(encoding="ascii"))
                cache = 0
                with contextlib.suppress(OSError, ValueError):
                    for line in (d / "memory.stat").read_text(encoding="ascii").splitlines():
                        key, _, value = line.partition(" ")
                        if key == cache_key:
                            cache = int(value)
                out.append(max(int(limit) - max(usage - cache, 0), 0))
    return out


def _check_results_fit(scenario, reps: int, metrics: int, free: int | None) -> None:
    """Fail (naming --reps) before a run whose results (8 bytes a metric, year and
    replication) would not fit in ``free`` bytes (:func:`available_memory`), with room for
    the copies the tables make of them (the summary's quantiles hold another)."""
    need = 8 * reps * scenario.years * metrics
    if free is not None and need > 0.4 * free:
        raise UserError(f"{reps:,} replications of {scenario.name} need {need / 2**30:,.1f} GB for their "
                        f"results alone ({scenario.years} years x {metrics} metrics x 8 bytes each) and "
                        f"{free / 2**30:,.1f} GB is free; run fewer", field="--reps")


_warned_memory: set = set()  # (scenario names, processes asked, processes run) already warned of


def processes_that_fit(scenarios: list, processes: int, free: int | None) -> int:
    """At most ``processes``, as many local processes as ``free`` bytes hold
    (:func:`available_memory`), each simulating one replication at a time of the largest
    of ``scenarios`` (never fewer than 1). Fewer processes change nothing in the results,
    only the time; a warning says so, once (an experiment runs many times)."""
    if processes <= 1 or free is None:
        return processes
    from .population import MAX_PEOPLE
    if free >= processes * (PROCESS_BYTES + BYTES_PER_WORKER * MAX_PEOPLE):
        return processes  # room for the largest replication the model allows: no need to size them
    from .policies.demand import starting_workers_estimate
    workers, name = max((starting_workers_estimate(sc), sc.name) for sc in scenarios)
    need = PROCESS_BYTES + BYTES_PER_WORKER * workers
    fit = max(1, int(free // need))
    if fit >= processes:
        return processes
    if (name, processes, fit) not in _warned_memory:
        _warned_memory.add((name, processes, fit))
        import warnings
        warnings.warn(f"{processes} processes would need about {processes * need / 2**30:.1f} GB for {name} "
                      f"({need / 2**30:.2f} GB each) and {free / 2**30:.1f} GB is free: running {fit} (the "
                      "results are the same, only slower)", UserWarning, stacklevel=3)
    return fit


def _backend(backend: str | None, scheduler: str | None) -> tuple[str, str | None, bool]:
    """The backend and Dask scheduler address of a run, and whether the address came from
    the environment: a scheduler given, or named by ``DASK_SCHEDULER_ADDRESS``, means
    Dask unless the local backend is asked for."""
    if backend not in (None, "local", "dask"):
        raise UserError(f"expected 'local' or 'dask', got {backend!r}", field="--backend")
    from_environment = False
    if not scheduler and backend in (None, "dask"):
        scheduler = os.environ.get(SCHEDULER_VARIABLE) or None
        from_environment = scheduler is not None
    if scheduler and backend is None:
        backend = "dask"
    return backend or "local", scheduler, from_environment


def backend_of(backend: str | None, scheduler: str | None) -> str:
    """Where a run with these arguments goes, "local" or "dask" (the environment's
    ``DASK_SCHEDULER_ADDRESS`` included, unless the local backend is asked for)."""
    return _backend(backend, scheduler)[0]


WHERE = ("backend", "workers", "scheduler")
"""The entries of :attr:`model.Results.meta` that say where a run ran, as manifests record them."""


def where_ran(runs) -> dict:
    """Where runs ran, as ``model run``'s manifest and the experiments' record it: the
    :data:`WHERE` entries of each run's :attr:`~model.Results.meta` (or of a dict of them,
    as :func:`model.experiments.common.run_many` gathers), which :func:`run` fills:
    ``backend`` (``local`` or ``dask``), ``workers`` (local processes; on Dask, the worker
    processes of the local cluster started for the run, or for the experiment it is part
    of, or those the scheduler had as the run began) and ``scheduler`` (the address given or
    from ``DASK_SCHEDULER_ADDRESS``; None on the local backend or a local cluster of its
    own). Of several runs (an experiment's, which share their backend and scheduler), the
    most workers any had; None for each where there is no run."""
    metas = [m for m in (getattr(r, "meta", r) for r in runs) if m]
    out = {k: metas[0].get(k) if metas else None for k in WHERE}
    workers = [m["workers"] for m in metas if m.get("workers") is not None]
    out["workers"] = max(workers) if workers else None
    return out


def _one_process(reps: int, workers: int) -> bool:
    return workers == 1 or len(_chunks(reps, workers)) == 1


def runs_here(reps: int, workers: int | None = None, backend: str | None = None,
              scheduler: str | None = None) -> bool:
    """Whether :func:`run` with these arguments simulates in this process (the local
    backend with one process, or one chunk of replications)."""
    if backend_of(backend, scheduler) != "local":
        return False
    return _one_process(reps, default_workers(reps) if workers is None else max(int(workers), 1))


def default_workers(reps: int) -> int:
    """Local processes used when none are asked for: all cores for large runs."""
    return 1 if reps < 16 else (os.cpu_count() or 1)


def _progress(total: int, quiet: bool):
    if quiet:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is a dependency; be quiet rather than fail without it
        return None
    class Bar(tqdm):  # without tqdm's monitor thread, which outlives the bar (the report draws in
        monitor_interval = 0  # two processes only from a single thread: model.report.figures)

    # shown only on a terminal (disable=None) and only for runs longer than a second
    return Bar(total=total, unit="rep", desc="replications", delay=1.0, disable=None,
               file=sys.stderr, leave=False)


NOTED = contextvars.ContextVar("model_scenario_noted", default=False)
"""Set while an experiment runs scenarios whose notes it has given once
(:func:`model.experiments.common.note_scenarios`): its runs give none of their own."""


def scenario_notes(scenario) -> list[str]:
    """What a run of ``scenario`` warns of from Python (the command line prints them with its
    notes): targets a cut horizon leaves out, a roster's leaders held to lower posts."""
    from .semantics import horizon_note, roster_leaders_note
    return [n for n in (horizon_note(scenario), *roster_leaders_note(scenario)) if n]


def run(scenario, reps: int | None = None, seed: int | None = None, workers: int | None = None,
        backend: str | None = None, scheduler: str | None = None, quiet: bool = True, *,
        overrides=None) -> Results:
    """Run ``reps`` replications of ``scenario`` and collect the results.

    Parameters
    ----------
    scenario : Scenario or str or Path
        A loaded scenario or the path of a scenario file.
    reps, seed : int, optional
        Default: the scenario's ``[run]`` section.
    workers : int, optional
        Local processes (default: 1 for fewer than 16 replications, else every core); on
        the Dask backend without a scheduler, the worker processes of the local cluster
        started for the run (default: one per core).
    backend : {"local", "dask"}, optional
        ``"dask"`` runs replications as Dask tasks: on ``scheduler`` (an address such as
        ``tcp://host:8786``, or the ``DASK_SCHEDULER_ADDRESS`` environment variable), or
        on a local Dask cluster started for the run.
    quiet : bool
        No progress bar.
    overrides : dict or list of "key=value", optional
        Settings over the scenario's (as :func:`model.load` and the experiments take them).

    Returns
    -------
    Results

    Examples
    --------
    >>> import model
    >>> res = model.run("bench", reps=4, seed=1)          # doctest: +SKIP
    >>> res.summary().query("metric == 'headcount'")      # doctest: +SKIP
    """
    from . import metrics as M
    from .experiments.common import as_scenario  # here: the experiments import this module
    from .results import Results
    scenario = as_scenario(scenario, overrides)  # None refused: a run names what it runs
    if not (COMMAND_LINE.get() or NOTED.get()):  # (the command prints these with its notes)
        for note in scenario_notes(scenario):
            warnings.warn(note, UserWarning, stacklevel=2)
    reps, seed = reps_and_seed(scenario, reps, seed)
    backend, scheduler, from_environment = _backend(backend, scheduler)
    t0 = time.perf_counter()
    _large_allocations_stay_mapped()
    names = M.names(scenario)
    free = available_memory()
    _check_results_fit(scenario, reps, len(names), free)
    values = np.full((reps, scenario.years, len(names)), np.nan)
    done = np.zeros(reps, dtype=bool)
    bar = _progress(reps, quiet)

    def store(start: int, arr: np.ndarray) -> None:
        values[start:start + len(arr)] = arr
        done[start:start + len(arr)] = True
        if bar is not None:
            bar.update(len(arr))
    if backend == "dask":
        from .cluster import run_chunks
        local = None if scheduler or workers is None else whole_number(workers, "--workers", 1)
        ran_on: dict = {}
        for start, arr in run_chunks(scenario, seed, _chunks(reps, 8), scheduler,
                                     from_environment=from_environment, workers=local, about=ran_on):
            store(start, arr)
        workers, scheduler = ran_on["workers"], ran_on["scheduler"]  # as the run began; None: its own cluster
    else:
        scheduler = None
        workers = default_workers(reps) if workers is None else whole_number(workers, "--workers", 1)
        workers = processes_that_fit([scenario], min(workers, len(_chunks(reps, workers))), free)
        chunks = _chunks(reps, workers)
        if _one_process(reps, workers):
            # one process: the kernels over a big workforce may use every core, unless this
            # is itself a worker of a pool (an experiment's processes keep one thread each)
            from . import kernels
            with kernels.threads(_cores() if multiprocessing.parent_process() is None else 1):
                for ch in chunks:
                    store(*_chunk(scenario, seed, ch))
        else:
            with process_pool(workers) as submit:
                futs = submit(_chunk, [(scenario, seed, ch) for ch in chunks])
                for f in as_completed(futs):
                    store(*f.result())
    if bar is not None:
        bar.close()
    if not done.all():
        raise RuntimeError(f"replications {np.flatnonzero(~done)[:5].tolist()}... did not come back")
    wall = time.perf_counter() - t0
    return Results(scenario=scenario.name, years=scenario.year_list, metrics=names, values=values,
                   target_specs=scenario.targets, seed=seed,
                   meta={"reps": reps, "seed": seed, "wall_time_s": wall, "workers": workers,
                         "backend": backend, "scheduler": scheduler,
                         "scenario_hash": scenario.hash, "set": scenario.overridden(),
                         "finished": datetime.now().astimezone().isoformat(timespec="seconds")})
