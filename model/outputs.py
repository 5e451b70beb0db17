"""Writing an output folder atomically.

Files are written into a temporary folder beside the target (``.NAME.tmp-PID-XXXX``),
which is renamed into place only when every file is written. A run that fails or is
interrupted (Ctrl-C, SIGTERM) removes its temporary folder and leaves the previous
complete output, or nothing. An existing output folder is replaced as a whole (or kept,
with ``overwrite=False``): the old folder is first renamed aside, the new one renamed
into place, then the old one removed; SIGINT and SIGTERM are held back during those
renames, so an interrupt lands before (old output kept) or after (new output complete).

Only folders this model wrote (they hold the marker file ``.model-output``, or the
model's own ``manifest.json``) or empty folders are ever replaced, so a mistyped ``--out`` cannot
delete someone's documents; nor is one holding a file the command reads (its scenario file,
a file it extends, its roster, calibrate's observations: :func:`reads`). Temporary folders
left by a process that was killed outright (SIGKILL, power loss) are removed, and an
output folder it had renamed aside is put back, the next time that output folder is
written.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import secrets
import shutil
import signal
import sys
from pathlib import Path

from .errors import UserError

MARKER = ".model-output"
"""File written into every output folder: says the folder may be replaced by the next run."""

_committed: list[Path] = []
"""Output folders completed by this process (for the message on Ctrl-C)."""


class Interrupted(KeyboardInterrupt):
    """SIGTERM (or another terminating signal) turned into an exception, so clean-up runs."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


_read: dict[Path, str] = {}
"""The files this command has read (scenario files, a roster, observations), each with what
it is: :func:`check_destination` refuses an output folder holding one, which replacing the
folder would delete."""


def reads(path: str | Path, what: str = "a file this command reads") -> None:
    """Record that the command reads ``path`` (``what`` says what it is, for the message of
    :func:`check_destination`)."""
    try:
        _read.setdefault(Path(path).resolve(), what)
    except (OSError, ValueError, RuntimeError):  # a path that cannot be resolved cannot be inside --out
        pass


def committed() -> list[Path]:
    """Output folders completed so far by this process."""
    return list(_committed)


def reset() -> None:
    """Forget completed folders, the files read and held signals (the command line calls it
    at the start of each command)."""
    _committed.clear()
    _read.clear()
    _swallowed.clear()
    _received.clear()


def is_output_folder(folder: Path) -> bool:
    """True if ``folder`` was written by this model (and so may be replaced as a whole): it
    holds the model's marker file, or a manifest.json that is the model's (a web app's
    manifest.json is not)."""
    if (folder / MARKER).exists():
        return True
    try:
        m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(m, dict) and "package_version" in m and isinstance(m.get("versions"), dict) \
        and "model" in m["versions"]


def check_destination(out: str | Path, overwrite: bool = True) -> None:
    """Fail early (exit 2) if ``out`` cannot become an output folder; writes nothing."""
    out = Path(out)
    try:
        exists, is_dir = out.exists(), out.is_dir()
        if exists and not is_dir:
            raise UserError(f"output path {out} exists and is a file, not a folder; choose another --out",
                            field="--out")
        if exists and not overwrite:
            raise UserError(f"output folder {out} exists and --no-overwrite was given; it was kept. "
                            "Choose another --out or remove the folder", field="--out")
        if exists and is_dir:
            _check_inputs_outside(out)
        if exists and any(out.iterdir()) and not is_output_folder(out):
            raise UserError(f"{out} exists and is not an output folder of this model (it has neither "
                            f"the model's {MARKER} nor its manifest.json); a run replaces its output "
                            "folder as a whole, so choose a new or empty folder", field="--out")
        if exists and os.path.ismount(out):
            raise UserError(f"{out} is a mount point, which a run cannot replace as a whole (it writes a "
                            "new folder and renames it into place); write into a folder inside it",
                            field="--out")
        probe = out.parent
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        if not probe.is_dir():
            raise UserError(f"cannot create {out}: {probe} is a file", field="--out")
    except OSError as e:
        raise UserError(f"cannot use {out} as output folder ({e.strerror or e})", field="--out") from None
    except ValueError as e:  # e.g. a NUL character in the path
        raise UserError(f"cannot use {out!r} as output folder ({e})", field="--out") from None
    # a real probe: permissions, read-only file systems, /proc ... (root passes os.access)
    try:
        d = probe / f".{out.name or 'out'}.probe-{os.getpid()}-{secrets.token_hex(4)}"
        os.mkdir(d)
        os.rmdir(d)
    except OSError as e:
        raise UserError(f"cannot write into {probe} ({e.strerror or e})", field="--out") from None


def _check_inputs_outside(out: Path) -> None:
    """Fail if a file the command reads (:func:`reads`) lies inside the folder ``out``, which
    the run replaces as a whole."""
    where = out.resolve()
    for path, what in _read.items():
        if path == where or where in path.parents:
            raise UserError(f"{out} holds {path.relative_to(where)}, {what}, which this command (or this "
                            "Python session) has read: a run "
                            "replaces its output folder as a whole, so the file would be deleted; choose "
                            "another --out, or move the file out of that folder", field="--out")


_swallowed: list[int] = []
"""Signals whose exception was swallowed (raised inside a weakref callback or __del__)."""


_received: list[int] = []
"""Signals turned into :class:`Interrupted` during this command, first first."""


def _handler(signum, frame):
    _received.append(signum)
    raise Interrupted(signum)


def interrupted_message(signum: int) -> str:
    """The one line of a command a signal stopped: which signal, and what was written."""
    how = "Ctrl-C" if signum == signal.SIGINT else f"signal {signal.Signals(signum).name}"
    done = committed()
    if done:
        return (f"interrupted ({how}) after the output was complete: {', '.join(map(str, done))}; "
                "nothing else was written")
    return f"interrupted ({how}): no output was written; any earlier output folder is unchanged"


def signal_received() -> int | None:
    """The first signal turned into an exception during this command, or None.

    Code a signal interrupts may replace its exception by one of its own, with no trace of
    the signal: a compiled module whose import is interrupted raises ImportError ("could
    not import module pandas") and drops the KeyboardInterrupt. The command line asks this
    to recognise such an exception as the interruption it is."""
    return _received[0] if _received else None


def quiet_worker() -> None:
    """Initializer of the worker processes of a run: SIGINT or SIGTERM ends a worker at
    once, quietly. The command's own process handles the signal (one message, its exit
    status, its output folder kept whole); a worker forked while that process's handler
    was installed would otherwise raise it while waiting for work, and multiprocessing
    would print the worker's traceback under the message."""
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, _exit_quietly)


def _exit_quietly(signum, frame):
    os._exit(128 + signum)


def _unraisable(hook):
    def quiet(u):
        # A signal handler's exception raised inside a callback that cannot propagate it
        # (a weakref callback during an import, a __del__): keep it for the next
        # checkpoint instead of printing "Exception ignored ..." and carrying on.
        if isinstance(u.exc_value, KeyboardInterrupt):
            _swallowed.append(getattr(u.exc_value, "signum", signal.SIGINT))
            return
        hook(u)
    return quiet


def raise_if_interrupted() -> None:
    """Checkpoint: raise :class:`Interrupted` if a signal arrived whose exception was swallowed."""
    if _swallowed:
        raise Interrupted(_swallowed.pop(0))


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def _handled_by(handler):
    """SIGINT and SIGTERM handled by ``handler`` in the block; yields their previous
    handlers, or None (and changes nothing) outside the main thread, where handlers
    cannot be set."""
    try:
        old = {s: signal.signal(s, handler) for s in _SIGNALS}
    except ValueError:  # not the main thread
        yield None
        return
    try:
        yield old
    finally:
        for s in _SIGNALS:
            signal.signal(s, old[s])


@contextlib.contextmanager
def interrupts_as_exceptions():
    """SIGINT and SIGTERM raise :class:`Interrupted` (a KeyboardInterrupt), so clean-up runs.

    Where Python cannot propagate the exception (it is raised inside a callback), it is
    kept, and :func:`raise_if_interrupted` (called before an output folder is committed)
    raises it again.
    """
    with _handled_by(_handler) as old:
        if old is None:
            yield
            return
        hook = sys.unraisablehook
        sys.unraisablehook = _unraisable(hook)
        try:
            yield
        finally:
            sys.unraisablehook = hook


@contextlib.contextmanager
def signals_deferred():
    """Hold SIGINT and SIGTERM back: one that arrives in the block is acted on when it ends.

    Python runs signal handlers in the main thread whichever thread the signal is
    delivered to, so replacing the handlers (rather than masking the signals, which is
    per thread) holds them back even while helper threads (a process pool's, a progress
    bar's) are alive. (Outside the main thread signals are handled there, not here.)
    """
    pending: list[int] = []
    old = None

    def hold(signum, frame):
        pending.append(signum)
    try:
        with _handled_by(hold) as old:
            yield
    finally:
        if pending:  # (only when the handlers were replaced)
            s, handler = pending[0], old[pending[0]]
            if callable(handler):
                handler(s, None)  # KeyboardInterrupt or Interrupted
            elif handler == signal.SIG_DFL:
                signal.raise_signal(s)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _clean_stale(out: Path) -> None:
    """Remove temporary folders of dead processes; put back an output they had renamed aside."""
    pat = re.compile(re.escape(f".{out.name}.") + r"(tmp|old|probe)-(\d+)-[0-9a-f]+")
    try:
        entries = list(out.parent.iterdir())
    except OSError:
        return
    for p in entries:
        m = pat.fullmatch(p.name)
        if not m or _alive(int(m.group(2))):
            continue
        if m.group(1) == "old" and not out.exists():
            with contextlib.suppress(OSError):
                os.rename(p, out)
            continue  # never delete what may be the only copy of an earlier output
        shutil.rmtree(p, ignore_errors=True)


def _mkdir_temp(out: Path) -> Path:
    for _ in range(100):
        tmp = out.parent / f".{out.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            os.mkdir(tmp)  # default mode: the output folder gets the user's usual permissions
            return tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(out))


def _commit(tmp: Path, out: Path) -> None:
    old = None
    if out.exists():
        old = out.parent / f".{out.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
        os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        if old is not None:
            os.rename(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


@contextlib.contextmanager
def atomic_folder(out: str | Path, overwrite: bool = True):
    """Yield a temporary folder; on success it becomes ``out`` in one rename.

    Parameters
    ----------
    out : str or Path
        The output folder. If it exists it must be empty or written by this model.
    overwrite : bool
        Replace an existing ``out`` (as a whole); if False, an existing ``out`` is an error.

    Raises
    ------
    model.errors.UserError
        If ``out`` cannot be written (before anything is written).

    Examples
    --------
    >>> with atomic_folder("outputs/x") as tmp:     # doctest: +SKIP
    ...     (tmp / "summary.csv").write_text("...")
    """
    out = Path(out).resolve()
    _clean_stale(out)
    check_destination(out, overwrite)
    created = []
    p = out.parent
    while not p.exists():
        created.append(p)
        p = p.parent
    done = False
    try:
        with interrupts_as_exceptions():
            for d in reversed(created):
                d.mkdir(exist_ok=True)
            tmp = _mkdir_temp(out)
            try:
                with _no_room_is_said(out):
                    yield tmp
                    (tmp / MARKER).write_text("Written by the community-worker model (python -m model). The "
                                              "next run with this output folder replaces it as a whole.\n",
                                              encoding="utf-8")
                with signals_deferred():
                    raise_if_interrupted()
                    if out.exists() and not overwrite:
                        raise UserError(f"output folder {out} appeared during the run and --no-overwrite "
                                        "was given; it was kept", field="--out")
                    with _no_room_is_said(out):
                        _commit(tmp, out)
                    done = True
                    _committed.append(out)
            finally:
                if not done:
                    with signals_deferred():
                        shutil.rmtree(tmp, ignore_errors=True)
    finally:
        if not done:
            with signals_deferred():
                for d in created:  # the folders made for this output, innermost first, if still empty
                    with contextlib.suppress(OSError):
                        d.rmdir()


@contextlib.contextmanager
def _no_room_is_said(out: Path):
    """A disk (or quota) with no room for the output folder ``out`` as one line naming
    it (a :class:`UserError` of ``--out``), not a traceback; nothing is left written."""
    try:
        yield
    except OSError as e:
        why = {errno.ENOSPC: "no space left on the device", errno.EDQUOT: "the disk quota is used up",
               errno.EFBIG: "a file would be larger than the file system allows"}.get(e.errno)
        if why is None:
            raise
        raise UserError(f"cannot write {out}: {why}; nothing was written (free some space, or choose "
                        "another --out)", field="--out") from None


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
