"""The report of a big run, written by a process forked before the run starts.

A national run simulates in this process for about 4 s, and its kernels keep the two
cores busy only part of that time; afterwards the report (:func:`model.report.write_all`)
first imports matplotlib, openpyxl and the report's modules (0.3 s) and then draws. So
``model run``, for a workforce big enough to be simulated in its own process
(:func:`model.cli.cmd_run`), forks a helper at the start, while the process is still
single-threaded (:func:`model.forking.fork`): the helper imports the report's libraries
during the simulation, says it is ready, waits for the results, writes the report into
the run's temporary folder and says so. The files are the ones
:func:`model.report.write_all` writes in this process; the warnings it gives (a missing
Chinese font) are given again here, from the place that gave them.

If the helper cannot be started (not Linux, other threads running) the report is written
here as before; if it fails, is stopped, or does not answer in time (:data:`PATIENCE`),
this process writes the report itself, so a bug raises where it is. The helper leads a
process group of its own (with the process it forks to draw), which :meth:`ReportAhead.close`
ends whole; every helper not yet closed is ended by :func:`close_all`, which the command
calls on every way out. The helper also ends when this process ends (its end of the pipe
closes), and it writes nothing outside the run's temporary folder, which the run removes.
"""

from __future__ import annotations

import dataclasses
import os
import pickle
import sys
import threading
import warnings

from . import forking

PATIENCE = (120.0, 600.0)
"""Seconds to wait for the helper to be ready (its imports: matplotlib may first build its
font cache), and then for its report."""

_open: set = set()  # helpers started and not yet closed


class ReportAhead:
    """A forked helper that writes a run's report (:func:`start` makes one)."""

    def __init__(self, conn, scenario):
        self.pid, self.conn, self.scenario = None, conn, scenario
        self._closing = threading.Lock()  # close() may come from a second thread while write() waits
        _open.add(self)

    def write(self, results, scenario, folder, lang: str = "en", svg: bool = False) -> bool:
        """Have the helper write :func:`model.report.write_all`'s files into ``folder``.

        Returns whether it did; the helper is closed either way. ``scenario`` must be the
        one the helper was started with (it has its own copy, taken at the fork)."""
        status, caught = "failed", []
        before = set(os.listdir(folder)) if os.path.isdir(folder) else None
        try:
            if self.conn is not None and scenario is self.scenario and self.conn.poll(PATIENCE[0]):
                if self.conn.recv() == "ready":
                    # a copy without the tables memoised so far: the helper makes its own
                    self.conn.send((dataclasses.replace(results), os.fspath(folder), lang, svg))
                    if self.conn.poll(PATIENCE[1]):
                        status, caught = self.conn.recv()
        except Exception:  # noqa: BLE001 - the helper failed or was stopped (a closed pipe, a bad answer)
            status = "failed"
        finally:
            self.close()
        if status != "ok":
            # what the helper may have written goes, so that the folder holds only what this
            # process writes instead (the helper and all it forked have ended: close())
            import shutil
            if before is None:  # the helper made the folder
                shutil.rmtree(folder, ignore_errors=True)
            elif os.path.isdir(folder):
                for name in set(os.listdir(folder)) - before:
                    path = os.path.join(folder, name)
                    if os.path.isdir(path) and not os.path.islink(path):
                        shutil.rmtree(path)
                    else:
                        os.remove(path)
            return False
        for message, category, filename, lineno, module in caught:
            # as a warning of that module's (its registry, its name for the filters); an
            # explicit module of None would match no filter
            where = {} if module not in sys.modules else {
                "module": module, "registry": vars(sys.modules[module]).setdefault("__warningregistry__", {})}
            try:
                warnings.warn_explicit(message, category, filename, lineno, **where)
            except TypeError:  # a warning class that takes more than its text
                warnings.warn_explicit(str(message), UserWarning, filename, lineno, **where)
        return True

    def close(self) -> None:
        """End the helper and what it forked (at once if still at work), and reap it."""
        with self._closing:
            if self.pid is not None:
                forking.end(self.pid, group=True)
                self.pid = None
            if self.conn is not None:
                self.conn.close()
                self.conn = None
            _open.discard(self)


def close_all() -> None:
    """End every helper not yet closed (the command's way out, whatever it is)."""
    for ahead in list(_open):
        ahead.close()


def start(scenario) -> ReportAhead | None:
    """Fork the helper for a run of ``scenario``; None where it cannot be forked."""
    if not forking.can_fork():
        return None
    from multiprocessing.connection import Pipe
    here, there = Pipe()
    ahead = ReportAhead(here, scenario)

    def helper():
        here.close()
        # nothing on the terminal: the helper's warnings go back to the caller, and a process
        # of a background group that writes to a terminal may be stopped (stty tostop)
        quiet = os.open(os.devnull, os.O_WRONLY)
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        _serve(there, scenario)

    def started(pid):
        ahead.pid = pid
    try:
        forking.fork(helper, started, new_group=True)
    except OSError:
        ahead.close()
        return None
    finally:
        there.close()
    return ahead


def _serve(conn, scenario) -> None:
    """The helper's life: import the report, say so, wait for the results, write, answer."""
    from . import report
    from .report import budget, figures, webpage  # noqa: F401 - the libraries, loaded while the run goes on
    try:
        conn.send("ready")
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
    conn.send((status, [_portable(w) for w in caught]))


def _portable(w) -> tuple:
    """A caught warning as the caller gives it again: the warning itself (or its text, if
    it cannot be sent), its class, the place that gave it and that place's module."""
    module = next((name for name, m in list(sys.modules.items())
                   if getattr(m, "__file__", None) == w.filename), None)
    message, category = w.message, w.category
    # the class goes by name: it must be found there under it; the warning is rebuilt there
    # from its class and arguments, as unpickling does
    found = getattr(sys.modules.get(category.__module__), category.__qualname__, None) is category
    try:
        pickle.dumps(message)
        type(message)(*message.args)
        rebuilt = True
    except Exception:  # noqa: BLE001 - a warning that does not travel: its text
        rebuilt = False
    if not (found and rebuilt):
        message, category = str(message), (category if found else UserWarning)
    return message, category, w.filename, w.lineno, module
