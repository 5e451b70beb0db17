"""The program's entry: ``python -m model`` and the ``community-model`` command.

Signals are taken over (:func:`model.outputs.interrupts_as_exceptions`, which needs only
the standard library) before the libraries load, so a Ctrl-C or SIGTERM at any instant
ends with one line and 128 + the signal, never a traceback (but for a Ctrl-C in the second
or so while a local Dask cluster starts, which is not seen: see
:func:`model.cluster._interrupts_kept_from_children`); and the program ends with
``os._exit`` once its files are closed.
"""

import os
import sys

# The model does no linear algebra worth a thread: OpenBLAS's threads (numpy and scipy
# each start their own, before any use) only take CPU time from the kernels' threads
# (0.3 s of a national run). Unless the user says otherwise, one thread each; set
# before numpy is first imported, and inherited by worker processes.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import signal  # noqa: E402

from . import outputs  # noqa: E402


def main() -> None:
    """Run the command line and end the process with its exit status."""
    try:
        with outputs.interrupts_as_exceptions():
            from .cli import main as command
    except BaseException:
        # a signal while the libraries load; a compiled module interrupted in its import may
        # raise an ImportError of its own instead of the KeyboardInterrupt
        signum = outputs.signal_received()
        if signum is None:
            raise
        print(outputs.interrupted_message(signum), file=sys.stderr, flush=True)
        os._exit(128 + signum)  # nothing to clean up; an interpreter shutdown could still end by a signal
    try:
        code = command()
    except KeyboardInterrupt:  # in the instant before the command handles signals itself
        print(outputs.interrupted_message(signal.SIGINT), file=sys.stderr)
        code = 128 + signal.SIGINT
    # The command is done and its files are closed: end the process here rather than tear
    # the interpreter down object by object (0.15 s after a national run, of a 5 s budget).
    # What an ordinary exit would still do that matters is done first: the exit handlers
    # (worker processes joined, a Dask cluster closed) and the standard streams flushed.
    import atexit
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a reader that went away, a stream already closed
            pass
    os._exit(0 if code is None else int(code))
