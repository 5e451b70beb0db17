"""Writing an output folder atomically.

Files are written into a temporary folder beside the target, which is renamed into
place only when every file is written. A run that fails or is interrupted (Ctrl-C,
SIGTERM) removes its temporary folder and leaves the previous complete output, or
nothing. An existing output folder is replaced as a whole (or kept, with
``overwrite=False``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import tempfile
from pathlib import Path

from .errors import UserError


def check_destination(out: Path, overwrite: bool = True) -> None:
    """Fail early (exit 2) if ``out`` cannot become an output folder."""
    if out.exists() and not out.is_dir():
        raise UserError(f"output path {out} exists and is a file, not a folder", field="--out")
    if out.exists() and not overwrite:
        raise UserError(f"output folder {out} exists and --no-overwrite was given", field="--out")
    parent = out.parent
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not probe.is_dir():
        raise UserError(f"cannot create {out}: {probe} is a file", field="--out")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UserError(f"cannot write into {probe} (permission denied)", field="--out")


@contextlib.contextmanager
def _sigterm_as_interrupt():
    """Turn SIGTERM into KeyboardInterrupt so the same clean-up runs for both."""
    def handler(signum, frame):
        raise KeyboardInterrupt
    try:
        old = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


@contextlib.contextmanager
def atomic_folder(out: str | Path, overwrite: bool = True):
    """Yield a temporary folder; on success it becomes ``out`` in one rename.

    Examples
    --------
    >>> with atomic_folder("outputs/x") as tmp:     # doctest: +SKIP
    ...     (tmp / "summary.csv").write_text("...")
    """
    out = Path(out).resolve()
    check_destination(out, overwrite)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        with _sigterm_as_interrupt():
            yield tmp
            old = None
            if out.exists():
                old = out.parent / f".{out.name}.old-{os.getpid()}"
                os.rename(out, old)
            os.rename(tmp, out)
            if old is not None:
                shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n", encoding="utf-8")
