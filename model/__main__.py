import sys

try:
    from .cli import main
except KeyboardInterrupt:  # Ctrl-C while the libraries load
    print("interrupted: no output was written", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
