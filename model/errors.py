"""Errors a user can cause, and how they are reported.

Every mistake in a scenario file, an override or a command-line option becomes one
:class:`UserError`: a single message naming the file, the field path and what was
expected. The command line prints it and exits with status 2; nothing is written.
"""

from __future__ import annotations

import contextvars
import math
import numbers
from pathlib import Path

COMMAND_LINE = contextvars.ContextVar("model_command_line", default=False)
"""True while ``python -m model`` runs a command: an option is named as typed there
(``option '--range'``); from Python, as the function's argument (``argument 'lo, hi'``)."""

ARGUMENTS = {"--set": "overrides", "--lever": "lever", "--range": "lo, hi", "--param": "params",
             "--variant": "variants", "--sobol-reps": "sobol_reps", "--max-evaluations": "max_evaluations",
             "--observed": "observations"}
"""Python arguments whose names differ from the options (others drop the dashes: ``--tol``
is ``tol``)."""


class UserError(Exception):
    """A mistake in the user's input (scenario file, override, option).

    Parameters
    ----------
    message : str
        What was expected, in words a user can act on.
    file : str, optional
        The file the mistake is in.
    field : str, optional
        Dotted path of the field, e.g. ``recruitment.max_age``, or a command-line option
        (``--out``).
    line : int, optional
        Line number, where the TOML parser gives one.
    """

    def __init__(self, message: str, *, file: str | None = None,
                 field: str | None = None, line: int | None = None):
        self.message = message
        self.file = file
        self.field = field
        self.line = line
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            file = str(self.file)
            option, _, rest = file.partition(" ")
            if option in ARGUMENTS and not COMMAND_LINE.get():  # an option's value, from Python
                file = " ".join([ARGUMENTS[option], rest]).strip()
            where.append(_shown(file) + (f":{self.line}" if self.line else ""))
        if self.field:
            field = str(self.field)
            kind = "option" if field.startswith("--") else "field"
            if kind == "option" and not COMMAND_LINE.get():
                kind, field = "argument", ARGUMENTS.get(field, field.lstrip("-").replace("-", "_"))
            # a key from the user's file may hold quotes or control characters: quote it safely
            shown = f"'{field}'" if "'" not in field and field.isprintable() else repr(field)
            where.append(f"{kind} {shown}")
        prefix = ", ".join(where)
        text = f"{prefix}: {self.message}" if prefix else self.message
        return " ".join(text.split("\n"))  # always one line


def _shown(file: str) -> str:
    """A file as the user would type it: relative to the working folder when inside it."""
    p = Path(file)
    if p.is_absolute():
        try:
            return str(p.relative_to(Path.cwd()))
        except (ValueError, OSError):
            pass
    return file


def cut(text: str, width: int = 60) -> str:
    """``text`` cut to ``width`` characters (ending in ``...``), as a message quotes a value."""
    return text if len(text) <= width else text[:width - 3] + "..."


def whole_number(value, name: str, lo: int, hi: int | None = None, file: str | None = None) -> int:
    """``value`` as an int in ``[lo, hi]`` (``hi`` None: no upper bound), or a
    :class:`UserError` naming ``name`` (and ``file``): a whole number (a float with no
    fraction is taken), not a bool or a string. The one check of replications, seeds and
    worker counts, whether they come from Python, the command line or a manifest."""
    ok = isinstance(value, numbers.Integral) or (isinstance(value, float) and value.is_integer())
    if isinstance(value, bool) or not ok:
        raise UserError(f"expected a whole number, got {value!r}", field=name, file=file)
    if value < lo or (hi is not None and value > hi):
        span = f"from {lo:,} to {hi:,}" if hi is not None else f"of at least {lo:,}"
        raise UserError(f"expected a whole number {span}, got {value:,}", field=name, file=file)
    return int(value)


def finite_number(x) -> bool:
    """Whether ``x`` is a real number (not a bool) that a float holds finitely: not nan or
    infinite, and not a whole number too large for a float (``10**400``, which TOML and the
    command line accept as an integer)."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        return False
    try:
        return math.isfinite(x)
    except OverflowError:
        return False


def number_in(value, name: str, lo: float = -math.inf, hi: float = math.inf, *, closed=(False, False),
              what: str = "a number") -> float:
    """``value`` as a float in the interval from ``lo`` to ``hi`` (each end open unless
    ``closed`` says otherwise), or a :class:`UserError` naming ``name``: a finite real
    number, not a bool or a string. The one check of the experiments' numeric options
    (tolerances, probabilities, levels, quantiles, range ends), from Python or the
    command line."""
    ok = finite_number(value)
    if ok:
        above = value >= lo if closed[0] else value > lo
        below = value <= hi if closed[1] else value < hi
        ok = above and below
    if not ok:
        if math.isinf(lo) and math.isinf(hi):
            span = ""
        elif math.isinf(hi):
            span = f" {'at least' if closed[0] else 'above'} {lo:g}"
        else:
            span = f" in {'[' if closed[0] else '('}{lo:g}, {hi:g}{']' if closed[1] else ')'}"
        hint = ""
        if ok is False and finite_number(value) and (lo, hi) == (0, 1) and 1 < value <= 100:
            hint = f" (for {value:g}%, write {value / 100:g})"
        raise UserError(f"expected {what}{span}, got {cut(repr(value))}{hint}", field=name)
    return float(value)


class RunFailed(Exception):
    """A run that could not finish for a reason outside the user's input: a worker process
    killed (the system out of memory), a cluster lost mid-run. The command line prints the
    one line and exits with status 1; nothing is written."""


class UnknownName(UserError, KeyError):
    """A metric or year a result does not have: a :class:`UserError` (one line naming the
    argument) that is also the ``KeyError`` a lookup raises."""


class ScenarioError(UserError):
    """A scenario file (or an override of it) is invalid."""
