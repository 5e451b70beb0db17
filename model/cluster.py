"""Replications as Dask tasks, on a cluster or on a local Dask cluster started for the run.

Each task runs one contiguous chunk of replications with
:func:`model.engine.run_replication` and returns their metric values stacked, shape
``(len(chunk), years, metrics)``. A replication is fully determined by ``(scenario,
seed, rep)`` (:mod:`model.streams`), so the values are identical to the local backend's
whatever the number of workers or machines, and whatever order chunks finish in.

Memory stays bounded: the scenario is sent to the workers once, at most ``in_flight``
chunks are submitted at a time (a new one only when one has come back), and each
result is handed to the caller and released before the next is waited for. The
caller's own memory therefore holds replications x years x metrics and never more
than ``in_flight`` chunk results in transit.

Workers of a remote cluster must be able to ``import model`` (the same version as the
client: install the package in the workers' environment).

Dask is an optional extra: ``pip install -e '.[distributed]'``.
"""

from __future__ import annotations

import contextlib
import contextvars
import itertools
import logging
import os
import signal
import threading
import uuid
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import CancelledError

import numpy as np

from .errors import RunFailed, UserError, cut

MISSING = "the dask backend needs the 'distributed' extra: pip install -e '.[distributed]'"
ENVIRONMENT = "DASK_SCHEDULER_ADDRESS"  # the environment variable that may name the scheduler
_SHARED = contextvars.ContextVar("model_shared_local_cluster", default=None)
"""The local cluster :func:`shared_local_cluster` has started for the runs inside it (None
outside): a run without a scheduler runs there (:func:`run_chunks`), as on a cluster of its
own (no scheduler named in its messages or its ``about``)."""


def _address_error(message: str, from_environment: bool) -> UserError:
    """A :class:`UserError` about the scheduler address, naming where it came from: option
    ``--scheduler``, or the environment variable :data:`ENVIRONMENT` (with how to fix it)."""
    if from_environment:
        return UserError(f"{message}; fix or unset the variable, or give --scheduler (--backend local: "
                         "run here)", file=f"environment variable {ENVIRONMENT}")
    return UserError(message, field="--scheduler")


def _distributed():
    """The ``distributed`` module, or a :class:`UserError` saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise UserError(MISSING, field="--backend") from None
    return distributed


@contextlib.contextmanager
def _interrupts_kept_from_children():
    """Start a local cluster's worker processes ignoring SIGINT, so that a Ctrl-C at the
    terminal (sent to the whole process group) reaches this process alone: it stops the run
    with one message and closes the cluster, which ends the workers; without this each
    worker raised its own KeyboardInterrupt and printed its traceback (audit of 2026-12-07).
    A process started with SIGINT ignored keeps ignoring it (Python installs its own
    handler only over the default). The cost: a Ctrl-C in the second or so while the
    cluster starts is not seen (press it again); a signal mask would have kept it, but the
    workers are started from threads of Dask's own, which do not block it."""
    if threading.current_thread() is not threading.main_thread():
        yield  # (signal handlers are the main thread's to change)
        return
    old = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, old)


class OtherVersion(RuntimeError):
    """A Dask worker has another version of the model than the client's."""


def _run_chunk(scenario, seed: int, start: int, stop: int,
               version: str | None = None) -> tuple[int, np.ndarray]:
    """Run replications ``start .. stop - 1`` (on a Dask worker), if the worker's model is
    the client's ``version`` (every task checks: a worker may join or restart at any time)."""
    from . import __version__
    if version is not None and version != __version__:
        raise OtherVersion(__version__)
    from .engine import run_replication
    return start, np.stack([run_replication(scenario, seed, r) for r in range(start, stop)])


def _cannot_load(e: BaseException) -> bool:
    """Whether a Dask error says the workers could not import the model or unpickle its
    objects (Dask hands some on as a plain Exception naming the import error)."""
    return isinstance(e, ImportError) or any(w in str(e) for w in ("ModuleNotFoundError", "ImportError",
                                                                    "No module named"))


def _cluster_failed(e: BaseException, scheduler: str | None) -> RunFailed:
    """The cluster failed (lost, or its workers killed, as for lack of memory), not the model."""
    where = f" at {scheduler!r}" if scheduler else ""
    return RunFailed(f"the Dask cluster{where} failed during the run ({type(e).__name__}: {e})")


def _workers_error(e: BaseException, scheduler: str | None) -> RunFailed:
    """The run stopped because the Dask workers cannot import the model (or unpickle its
    scenario): one line saying what to install where."""
    from . import __version__
    where = f" of {scheduler!r}" if scheduler else ""
    return RunFailed(f"the Dask workers{where} cannot load the model ({type(e).__name__}: {cut(str(e))}): "
                     f"install this package, version {__version__}, in the workers' environment "
                     "(pip install -e '.[distributed]' from the same checkout)")


def _failure(e: BaseException, scheduler: str | None) -> RunFailed | None:
    """What a Dask error says went wrong, as one line (:class:`~model.errors.RunFailed`), or
    None for an error of the model's own: a worker of another version (one older than the
    check, whose ``_run_chunk`` takes other arguments, raises a TypeError naming it), workers
    that cannot load the model, or the cluster's failure. One rule for the scatter of the
    scenario and the tasks' results."""
    from distributed import KilledWorker

    from . import __version__
    where = f" of {scheduler!r}" if scheduler else ""
    if isinstance(e, OtherVersion) or (isinstance(e, TypeError) and "_run_chunk" in str(e)):
        which = f"model version {e}" if isinstance(e, OtherVersion) else "an older model version"
        return RunFailed(f"a Dask worker{where} has {which}, this is {__version__}: its replications "
                         f"would not be this version's; install version {__version__} in the workers' "
                         "environment")
    if _cannot_load(e):
        return _workers_error(e, scheduler)
    if isinstance(e, (CancelledError, OSError, TimeoutError, KilledWorker)):  # lost, or killed (memory)
        return _cluster_failed(e, scheduler)
    return None


def _check_address(address: str, from_environment: bool = False) -> None:
    """Reject a malformed scheduler address before a client is built on it."""
    from distributed.comm import get_address_host_port, parse_address
    try:
        scheme, _ = parse_address(address)
        if scheme in ("tcp", "tls", "ws", "wss"):
            get_address_host_port(address)
    except ValueError as e:
        raise _address_error(f"expected a Dask scheduler address such as tcp://host:8786 ({e})",
                             from_environment) from None


HANDSHAKE_GRACE = 5.0  # seconds beyond the connection timeout that a scheduler's handshake may take


def _connect(distributed, scheduler: str | None, timeout: float, from_environment: bool = False,
             workers: int | None = None):
    """A client on ``scheduler``, or on a local cluster; returns ``(client, cluster or None)``.

    The client is made in a thread waited for ``timeout`` seconds and a few more: Dask's
    own timeout covers opening the connection, not the handshake, and a port that accepts
    connections but is not a Dask scheduler (an HTTP server, a silent one) would hold it
    for ever. A scheduler without workers is refused as well: the tasks would wait for ever.
    ``from_environment``: the address came from :data:`ENVIRONMENT` (for the messages)."""
    if scheduler:
        _check_address(scheduler, from_environment)
        made: list = []
        lock = threading.Lock()

        def make():  # in a daemon thread: one stuck in a handshake never holds the program's exit
            try:
                client = distributed.Client(scheduler, timeout=timeout, set_as_default=False)
            except BaseException as e:
                client = e
            with lock:
                if made:  # given up on: a client that answers late is closed, not left open
                    if not isinstance(client, BaseException):
                        client.close()
                    return
                made.append(client)
        maker = threading.Thread(target=make, name="dask-connect", daemon=True)
        maker.start()
        maker.join(timeout + HANDSHAKE_GRACE)
        with lock:
            if not made:
                made.append(None)
        if made[0] is None:
            raise _address_error(f"{scheduler!r} accepted the connection but did not answer as a Dask "
                                 f"scheduler within {timeout + HANDSHAKE_GRACE:g} s", from_environment)
        client = made[0]
        if isinstance(client, BaseException):  # refused, unknown host, an endpoint speaking something else
            raise _address_error(f"cannot connect to the Dask scheduler at {scheduler!r}: "
                                 f"{type(client).__name__}: {client}", from_environment) from None
        try:
            client.wait_for_workers(1, timeout=timeout)
        except Exception:
            client.close()
            raise _address_error(f"the Dask scheduler at {scheduler!r} has no workers (none joined within "
                                 f"{timeout:g} s); start some with `dask worker {scheduler}`",
                                 from_environment) from None
        return client, None
    with warnings.catch_warnings(), _interrupts_kept_from_children():
        # no dashboard; its HTTP server falls back from a busy default port with a warning
        warnings.filterwarnings("ignore", message="Port .* is already in use")
        cluster = distributed.LocalCluster(n_workers=workers or os.cpu_count() or 1, threads_per_worker=1,
                                           processes=True, dashboard_address=None,
                                           silence_logs=logging.ERROR)
    try:
        client = distributed.Client(cluster, set_as_default=False)
        # a worker the nanny restarts later is started with this process's handler: it
        # ignores Ctrl-C once it runs (a restart's first instants are not covered)
        plugin = type("IgnoreInterrupts", (distributed.WorkerPlugin,), {"setup": _ignore_interrupts})
        client.register_plugin(plugin(), name="model-ignore-interrupts")
    except BaseException:
        cluster.close()
        raise
    return client, cluster


@contextlib.contextmanager
def shared_local_cluster(backend: str | None, scheduler: str | None, workers: int | None = None):
    """For several runs on the Dask backend without a scheduler (an experiment's scenarios
    or grid points, the values solve and calibrate try): one local cluster for them all,
    which every run inside the block without a scheduler takes (:data:`_SHARED`; starting
    one per run cost about 3 s each: a 4-point sweep took 14.7 s against 3.7 s on two
    local processes); each records no scheduler, as on a local cluster started for one
    run. With a scheduler given or named by :data:`ENVIRONMENT`, or on the local backend,
    nothing is started. Yields nothing: the runs are given what they would have been."""
    from .runner import _backend
    kind, address, _ = _backend(backend, scheduler)
    if kind != "dask" or address or _SHARED.get() is not None:  # (one already shared: that one)
        yield
        return
    client, cluster = _connect(_distributed(), None, 10.0, workers=workers)
    token = _SHARED.set(cluster)
    try:
        client.close()  # each run connects a client of its own
        yield
    finally:
        _SHARED.reset(token)
        cluster.close()


def _ignore_interrupts(plugin, worker) -> None:
    """The ``setup`` of a Dask worker plugin (a ``distributed.WorkerPlugin`` made where
    ``distributed`` is imported, :func:`_connect`): the local cluster's workers ignore
    SIGINT (see :func:`_interrupts_kept_from_children`), those restarted during the run too."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _ignores_interrupts() -> bool:
    """Whether this process ignores SIGINT (run on the workers by the tests)."""
    return signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def run_chunks(scenario, seed: int, chunks: Sequence[range], scheduler: str | None = None,
               in_flight: int | None = None, timeout: float = 10.0,
               from_environment: bool = False, workers: int | None = None,
               about: dict | None = None) -> Iterator[tuple[int, np.ndarray]]:
    """Run chunks of replications as Dask tasks, yielding each chunk's values as it finishes.

    Parameters
    ----------
    scenario : model.scenario.Scenario
        The validated scenario (sent to the workers once).
    seed : int
        Root seed of the run.
    chunks : sequence of range
        Replication indices, one contiguous ``range`` per task.
    scheduler : str, optional
        Address of a running scheduler, e.g. ``tcp://host:8786``. Without one, a local
        cluster (one single-threaded worker process per core) is started for the run and
        closed at the end.
    in_flight : int, optional
        Most chunks submitted and not yet handed back at any time (default: twice the
        cluster's worker threads, at least 2). Bounds memory on both sides.
    timeout : float
        Seconds to wait when connecting to ``scheduler``.
    from_environment : bool
        ``scheduler`` came from the environment variable :data:`ENVIRONMENT`: its errors
        name the variable, not option ``--scheduler``.
    workers : int, optional
        Worker processes of the local cluster started without ``scheduler`` (default:
        one per core); a cluster of one's own keeps its own.
    about : dict, optional
        Filled, once connected, with what the run runs on: ``workers``, the number of
        worker processes of the local cluster started for it (here, or for the experiment
        it is part of: :func:`shared_local_cluster`), or of ``scheduler``'s workers as the
        run begins (workers may join or leave a cluster during it); ``scheduler``, the
        address given, or None on such a local cluster of its own.

    Yields
    ------
    start : int
        First replication index of the chunk.
    values : ndarray, shape (len(chunk), years, metrics)
        Metric values of replications ``start .. start + len(chunk) - 1``, in order.

    Raises
    ------
    model.errors.UserError
        ``distributed`` is not installed, or the scheduler cannot be reached.

    Examples
    --------
    >>> import model
    >>> from model.cluster import run_chunks
    >>> sc = model.load("bench", ["demand.communities=50"])                # doctest: +SKIP
    >>> for start, arr in run_chunks(sc, 1, [range(0, 2), range(2, 4)]):  # doctest: +SKIP
    ...     print(start, arr.shape)
    """
    from . import __version__
    distributed = _distributed()
    chunks = [c for c in chunks if len(c)]
    shared = None if scheduler else _SHARED.get()  # an experiment's local cluster
    if shared is not None:
        client, cluster = distributed.Client(shared, set_as_default=False), None
        try:
            client.wait_for_workers(1, timeout=timeout)
        except Exception as e:  # its workers all lost: the cluster's failure, named as the run's own
            client.close()
            raise _cluster_failed(e, None) from None
    else:
        client, cluster = _connect(distributed, scheduler, timeout, from_environment, workers)
    pending: set = set()
    try:
        threads = client.nthreads()  # {worker: threads} as the run begins
        own = cluster or shared  # a local cluster started for the run or its experiment
        if about is not None:
            about["workers"] = len(own.workers) if own is not None else len(threads)
            about["scheduler"] = None if own is not None else scheduler
        if not chunks:
            return
        if in_flight is None:
            in_flight = 2 * max(sum(threads.values()), 1)
        in_flight = max(int(in_flight), 1)
        # the scenario travels once; every task refers to the worker-side copy
        try:
            sc = client.scatter(scenario, broadcast=True, hash=False)
        except Exception as e:
            failed = _failure(e, scheduler)
            if failed is None:
                raise
            raise failed from None
        tag = uuid.uuid4().hex[:12]
        todo = iter(chunks)
        returned = 0

        def submit(ch: range):
            f = client.submit(_run_chunk, sc, seed, ch.start, ch.stop, __version__, pure=False,
                              key=f"model-replications-{tag}-{ch.start}-{ch.stop}")
            pending.add(f)
            return f

        first = [submit(ch) for ch in itertools.islice(todo, in_flight)]
        done = distributed.as_completed(first, loop=client.loop)
        del first  # hold each future only until its result is handed on
        for fut in done:
            pending.discard(fut)
            try:
                start, arr = fut.result()
            except Exception as e:
                failed = _failure(e, scheduler)
                if failed is None:
                    raise
                raise failed from None
            del fut  # dropping the last reference releases the result on the cluster
            nxt = next(todo, None)
            if nxt is not None:
                done.add(submit(nxt))
            returned += len(arr)
            yield start, arr
        if returned != sum(len(c) for c in chunks):
            raise RuntimeError(f"the Dask backend returned {returned} replications, "
                               f"expected {sum(len(c) for c in chunks)}")
    finally:
        if pending:
            client.cancel(list(pending))
        client.close()
        if cluster is not None:
            cluster.close()
