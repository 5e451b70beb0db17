"""``python -m model``: see :mod:`model.launch`."""

from .launch import main

main()
