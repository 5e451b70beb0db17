"""The report of a big run, written by a process forked before the run starts.

A national run simulates in this process for about 4 s, and its kernels keep the two
cores busy only part of that time; afterwards the report (:func:`model.report.write_all`)
first imports matplotlib, openpyxl and the report's modules (0.3 s) and then draws. So
``model run``, for a workforce big enough to be simulated in its own process
(:func:`model.cli.cmd_run`), forks a helper at the start, while the process is still
single-threaded: the helper imports the report's libraries during the simulation, waits
for the results, writes the report into the run's temporary folder and says so. The
files are the ones :func:`model.report.write_all` writes in this process; the warnings it
gives (a missing Chinese font) are given again here.

If the helper cannot be started (not Linux, other threads running) the report is written
here as before; if it fails or is stopped, this process writes the report itself, so a
bug raises where it is. The helper ends when this process closes its end of the pipe or
ends in any way, and it takes SIGINT and SIGTERM's default actions (it writes nothing
outside the run's temporary folder, which the run removes).
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import os
import signal
import sys
import threading
import warnings

STOPS = (signal.SIGINT, signal.SIGTERM)


def can_fork() -> bool:
    """Whether this process may fork: on Linux, and only from a single thread (forking a
    process with other threads can deadlock the child; Python 3.12 warns of it)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


class ReportAhead:
    """A forked helper that writes a run's report (:func:`start` makes one)."""

    def __init__(self, pid: int, conn, scenario):
        self.pid, self.conn, self.scenario = pid, conn, scenario

    def write(self, results, scenario, folder, lang: str = "en", svg: bool = False) -> bool:
        """Have the helper write :func:`model.report.write_all`'s files into ``folder``.

        Returns whether it did; the helper is closed either way. ``scenario`` must be the
        one the helper was started with (it has its own copy, taken at the fork)."""
        if self.conn is None:
            return False
        if scenario is not self.scenario:
            self.close()
            return False
        try:
            # a copy without the tables memoised so far: the helper makes its own
            self.conn.send((dataclasses.replace(results), os.fspath(folder), lang, svg))
            status, caught = self.conn.recv()
        except (EOFError, OSError):  # the helper failed or was stopped
            status, caught = "failed", []
        finally:
            self.close()
        if status != "ok":
            return False
        for category, text, filename, lineno in caught:  # the class found again here (imported if need be)
            warnings.warn_explicit(text, category, filename, lineno)  # where the helper's code gave it
        return True

    def close(self) -> None:
        """End the helper (at once if it is still at work) and reap it."""
        if self.conn is None:
            return
        self.conn.close()
        self.conn = None
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):  # SIGCHLD ignored: the system reaped it
            os.waitpid(self.pid, 0)


def start(scenario) -> ReportAhead | None:
    """Fork the helper for a run of ``scenario``; None where it cannot be forked."""
    if not can_fork():
        return None
    from multiprocessing.connection import Pipe
    here, there = Pipe()
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
    gc.freeze()  # objects pending collection: their finalizers run once, here
    try:
        pid = os.fork()
    except OSError:
        gc.unfreeze()
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        here.close()
        there.close()
        return None
    if pid == 0:  # the helper: never returns into the caller's code
        code = 1
        try:
            for s in STOPS:
                signal.signal(s, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            here.close()
            _serve(there, scenario)
            code = 0
        finally:
            os._exit(code)
    gc.unfreeze()
    signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a signal held meanwhile acts now
    there.close()
    return ReportAhead(pid, here, scenario)


def _serve(conn, scenario) -> None:
    """The helper's life: import the report, wait for the results, write, answer."""
    from . import report
    from .report import budget, figures, webpage  # noqa: F401 - the libraries, loaded while the run goes on
    try:
        results, folder, lang, svg = conn.recv()
    except (EOFError, OSError):  # the run failed or was stopped
        return
    status = "failed"
    with warnings.catch_warnings(record=True) as caught:
        try:
            report.write_all(results, scenario, folder, lang=lang, svg=svg)
            status = "ok"
        except Exception:  # noqa: BLE001 - the caller writes the report itself, and a bug raises there
            pass
    conn.send((status, [(w.category, str(w.message), w.filename, w.lineno) for w in caught]))
