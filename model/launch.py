"""The program's entry: ``python -m model`` and the ``community-model`` command.

Signals are taken over before the libraries load, so a Ctrl-C at any instant ends with
one line (and exit status 130), never a traceback; and the program ends with
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

# the words of cli._interrupted_message, for an interruption before cli can be imported
_NOTHING_WRITTEN = "interrupted (Ctrl-C): no output was written; any earlier output folder is unchanged"


def main() -> None:
    """Run the command line and end the process with its exit status."""
    ctrl_c: list[int] = []

    def interrupt(signum, frame):
        ctrl_c.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, interrupt)
    try:
        from .cli import main as command
    except BaseException:
        # Ctrl-C while the libraries load; a compiled module interrupted in its import may
        # raise an ImportError of its own instead of the KeyboardInterrupt
        if not ctrl_c:
            raise
        print(_NOTHING_WRITTEN, file=sys.stderr, flush=True)
        os._exit(130)  # nothing to clean up; an interpreter shutdown could still end by SIGINT
    try:
        code = command()
    except KeyboardInterrupt:  # in the instant before the command handles signals itself
        print(_NOTHING_WRITTEN, file=sys.stderr)
        code = 130
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
