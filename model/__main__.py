import os
import sys

# The model does no linear algebra worth a thread: OpenBLAS's threads (numpy and scipy
# each start their own, before any use) only take CPU time from the kernels' threads
# (0.3 s of a national run). Unless the user says otherwise, one thread each; set
# before numpy is first imported, and inherited by worker processes.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the libraries load
    print("interrupted: no output was written", file=sys.stderr)
    sys.exit(130)

code = main()

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
