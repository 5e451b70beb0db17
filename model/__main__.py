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

sys.exit(main())
