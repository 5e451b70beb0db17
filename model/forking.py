"""A child process by fork that never returns into the caller's code.

Two pieces of the report work in forked children: the figures drawn in two processes
(:func:`model.report.figures.write_figures`) and the helper that writes a big run's report
(:mod:`model.report_ahead`). Both fork the same way (:func:`fork`):

- SIGINT and SIGTERM are held across the fork: the child takes their default actions
  before it lets them through, and in the parent a signal held meanwhile acts only once
  the caller has the child's pid (``started``), so the caller's clean-up can end it;
- the garbage collector's pending objects are frozen across the fork, so their
  finalizers run once, in the parent;
- the child ends with ``os._exit`` whatever happens (no exit handlers, no flushing of the
  parent's buffers), with status 0 if its work returned and 1 if it raised;
- with ``new_group``, the child leads a process group of its own, so :func:`end` ends it
  with every process it forked in turn.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import sys
import threading
from collections.abc import Callable

STOPS = (signal.SIGINT, signal.SIGTERM)


def can_fork() -> bool:
    """Whether this process may fork: on Linux, with no Python thread besides the main one
    (forking a process with other Python threads can deadlock the child; Python 3.12 warns
    of it). OpenBLAS's own threads, which numpy starts, are safe across a fork."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and threading.active_count() == 1


def fork(work: Callable[[], None], started: Callable[[int], None], *, new_group: bool = False,
         disable_gc: bool = False) -> int:
    """Fork a child that runs ``work()`` and ends; ``started(pid)`` is called in the parent
    before any signal held across the fork acts. Returns the pid. ``disable_gc``: no
    cyclic collection in the child (a short-lived one). Raises OSError if the fork fails."""
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS)
    gc.freeze()
    try:
        pid = os.fork()
    except BaseException:
        gc.unfreeze()
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        raise
    if pid == 0:
        code = 1
        try:
            if disable_gc:
                gc.disable()
            if new_group:
                os.setpgid(0, 0)
            for s in STOPS:
                signal.signal(s, signal.SIG_DFL)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            work()
            code = 0
        finally:
            os._exit(code)
    gc.unfreeze()
    if new_group:  # here too, so that the group exists before `end` may look for it
        with contextlib.suppress(OSError):
            os.setpgid(pid, pid)
    try:
        started(pid)
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a signal held meanwhile acts now
    return pid


def end(pid: int, group: bool = False) -> None:
    """Kill a forked child (with ``group``, its whole process group) and reap it; with
    ``group``, return once no member of the group runs any more (at most 5 s), so none
    writes after this returns."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        (os.killpg if group else os.kill)(pid, signal.SIGKILL)
    wait(pid)
    if group:
        import time
        deadline = time.monotonic() + 5.0
        while _group_runs(pid) and time.monotonic() < deadline:
            time.sleep(0.005)


def _group_runs(pgid: int) -> bool:
    """Whether a process of group ``pgid`` is still running (not a zombie), from /proc."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return False
    for entry in entries:
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    fields = f.read().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] not in (b"Z", b"X"):
                return True
    return False


def wait(pid: int) -> None:
    """Reap a forked child once it ends."""
    with contextlib.suppress(ChildProcessError):  # SIGCHLD ignored: the system reaped it
        os.waitpid(pid, 0)
