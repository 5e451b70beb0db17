"""Scenario files: loading, ``extends``, overrides and validation.

A scenario is a TOML file (:mod:`model.schema` lists every field). Loading it

1. reads the file (UTF-8) and its ``extends`` parents, relative to the file naming them;
2. merges them, the child's fields over the parent's (a child's ``[[targets]]`` or
   ``[[districts]]`` replace the parent's);
3. applies ``--set section.key=value`` overrides;
4. validates every field against the schema and runs the semantic checks;

and returns a frozen :class:`Scenario`. Any mistake raises one :class:`ScenarioError`
naming the file, the line, the field path and what was expected, e.g.::

    scenarios/jilin.toml:41, field 'recruitment.max_age': 12.0 is outside the allowed range [16, 100] (years)

Nothing in a file is evaluated as code: values are TOML data, checked against
:mod:`model.schema`.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import numbers
import os
import re
import stat
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType

import numpy as np

from . import schema
from .errors import ScenarioError, cut, finite_number
from .params import LEAST_AMOUNT, Constant, Schedule, Uncertain, dist_problem, parse_key, scaled_toml
from .sampling import half_up

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
DEFAULT_SCENARIO = "changzhou-2022.toml"
_LINE = re.compile(r"at line (\d+)")


# --------------------------------------------------------------------------- locating fields
#
# tomllib gives line numbers only for syntax errors. To point every message at the line
# a field is written on, a small scanner notes the line of every table header and key of
# a (valid) TOML text. It only reads positions; values are left to tomllib.

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_PATH_SEG = re.compile(r"([^\[\]]*)((?:\[\d+\])*)")
_TRIPLE = ('"' * 3, "'" * 3)


def _split_key(s: str, i: int = 0):
    """Parts of the TOML key starting at ``s[i]`` and the index after it, or None."""
    parts, n = [], len(s)
    while True:
        while i < n and s[i] in " \t":
            i += 1
        if i >= n:
            return None
        if s[i] == '"':
            j, buf = i + 1, []
            while j < n and s[j] != '"':
                buf.append(s[j + 1] if s[j] == "\\" and j + 1 < n else s[j])
                j += 2 if s[j] == "\\" else 1
            if j >= n:
                return None
            parts.append("".join(buf))
            i = j + 1
        elif s[i] == "'":
            j = s.find("'", i + 1)
            if j < 0:
                return None
            parts.append(s[i + 1:j])
            i = j + 1
        else:
            m = _BARE.match(s, i)
            if not m:
                return None
            parts.append(m.group())
            i = m.end()
        while i < n and s[i] in " \t":
            i += 1
        if i < n and s[i] == ".":
            i += 1
            continue
        return parts, i


def _scan_rest(line: str, i: int, depth: int, mstring: str | None) -> tuple[int, str | None]:
    """Bracket depth and open multi-line string after reading ``line[i:]``."""
    n = len(line)
    while i < n:
        if mstring is not None:
            j = line.find(mstring, i)
            if j < 0:
                return depth, mstring
            i, mstring = j + 3, None
            continue
        c = line[i]
        if c == "#":
            break
        if line.startswith(_TRIPLE, i):
            mstring, i = line[i:i + 3], i + 3
            continue
        if c == '"':
            i += 1
            while i < n and line[i] != '"':
                i += 2 if line[i] == "\\" else 1
        elif c == "'":
            j = line.find("'", i + 1)
            i = n if j < 0 else j
        elif c in "[{":
            depth += 1
        elif c in "]}":
            depth = max(depth - 1, 0)
        i += 1
    return depth, mstring


def toml_lines(text: str) -> list[str]:
    """Lines as TOML (and tomllib's line numbers) count them: only LF ends a line.

    (``str.splitlines`` also breaks at U+0085, U+2028 and other characters a TOML string
    may hold.)
    """
    return [line.removesuffix("\r") for line in text.split("\n")]


def split_comment(line: str) -> tuple[str, str]:
    """(code, comment) of a TOML line: the first ``#`` outside a string starts the comment.

    >>> split_comment('name = "a # b"   # c')
    ('name = "a # b"   ', 'c')
    """
    quote = None
    escaped = False
    for i, ch in enumerate(line):
        if quote:
            if escaped:
                escaped = False
            elif ch == "\\" and quote == '"':
                escaped = True
            elif ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            return line[:i], line[i + 1:].strip()
    return line, ""


def field_lines(text: str) -> dict[tuple, list[int]]:
    """Line numbers (1-based) of every table header and key of a TOML text, by path.

    Paths are tuples: ``("demand", "communities")``, ``("targets", 0, "year")``. A key
    written twice has two lines. Keys inside inline tables and multi-line arrays are
    not listed (their enclosing key is).

    Examples
    --------
    >>> field_lines('years = 3\\n[demand]\\ncommunities = 5\\n[[targets]]\\nyear = 2030\\n')[("targets", 0, "year")]
    [5]
    """
    out: dict[tuple, list[int]] = {}
    table: tuple = ()
    counts: dict[tuple, int] = {}
    depth, mstring = 0, None
    for no, line in enumerate(toml_lines(text), 1):
        i = 0
        if depth == 0 and mstring is None:
            s = line.lstrip()
            off = len(line) - len(s)
            if s.startswith("[["):
                r = _split_key(line, off + 2)
                if r and line[r[1]:].lstrip().startswith("]]"):
                    base = tuple(r[0])
                    counts[base] = counts.get(base, -1) + 1
                    out.setdefault(base, []).append(no)
                    table = base + (counts[base],)
                    out.setdefault(table, []).append(no)
                continue
            if s.startswith("["):
                r = _split_key(line, off + 1)
                if r and line[r[1]:].lstrip().startswith("]"):
                    table = tuple(r[0])
                    out.setdefault(table, []).append(no)
                continue
            r = _split_key(line, off) if s and not s.startswith("#") else None
            if r and line[r[1]:].lstrip().startswith("="):
                out.setdefault(table + tuple(r[0]), []).append(no)
                i = line.index("=", r[1]) + 1
        depth, mstring = _scan_rest(line, i, depth, mstring)
    return out


def _safe_lines(text: str) -> dict:
    try:
        return field_lines(text)
    except Exception:  # locating is a courtesy; it must never hide the real error
        return {}


def _field_on_line(text: str, line: int) -> str | None:
    """The dotted path of the longest key written on ``line`` (1-based) of a TOML text, or
    None; only the text up to that line is scanned (the rest may not be TOML)."""
    upto = "\n".join(toml_lines(text)[:line])
    keys = [k for k, ls in _safe_lines(upto).items() if line in ls]
    return _dotted(max(keys, key=len)) if keys else None


def path_parts(path: str) -> tuple:
    """``"targets[0].year"`` -> ``("targets", 0, "year")``."""
    parts: list = []
    for seg in path.split("."):
        m = _PATH_SEG.fullmatch(seg)
        if not m:
            parts.append(seg)
            continue
        if m.group(1):
            parts.append(m.group(1))
        parts += [int(x) for x in re.findall(r"\d+", m.group(2))]
    return tuple(parts)


def _dotted(parts: tuple) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


class _Locator:
    """Where a field is written: the file whose value the merge kept (:func:`_merge`: a
    section's key, or a top-level key such as a ``[[districts]]`` list, comes whole from
    the nearest file that writes it), and there the line of the longest written prefix."""

    def __init__(self, files: list[tuple[Path, str]]):
        self.files = files
        self.maps = None  # scanned on the first error only: valid scenarios cost nothing

    def find(self, path: str, written: bool = False) -> tuple[str | None, int | None]:
        """(file, line) of ``path``; ``written``: only where a file writes the field's own key
        (not its section header alone), else (None, None) (a field left at its default)."""
        if self.maps is None:
            self.maps = [(str(p), _safe_lines(t)) for p, t in reversed(self.files)]
        parts = path_parts(path)
        unit = parts[:2] if parts and parts[0] in schema.SECTIONS else parts[:1]
        owner = [(f, lines) for f, lines in self.maps if any(k[:len(unit)] == unit for k in lines)][:1]
        for k in range(len(parts), len(unit) - 1 if written else 0, -1):
            for f, lines in owner or self.maps:
                if parts[:k] in lines:
                    return f, lines[parts[:k]][-1]
        return None, None


# --------------------------------------------------------------------------- reading

LONGEST_INTEGER = 100_000
"""Digits of the longest whole number a scenario file may hold (Python's own limit is
4,300); reading one takes quadratic time, 0.05 s at this length."""


def _toml_with_long_integers(text: str) -> dict:
    """``tomllib.loads`` with Python's limit on integer digits raised to
    :data:`LONGEST_INTEGER`, so that a huge whole number is read and then refused by its
    field's range check, with the field and its line named."""
    limit = sys.get_int_max_str_digits()  # process-wide: scenarios are read in one thread
    sys.set_int_max_str_digits(LONGEST_INTEGER)
    try:
        return tomllib.loads(text)
    finally:
        sys.set_int_max_str_digits(limit)


@lru_cache(maxsize=64)
def file_data(text: str) -> dict:
    """A scenario file's own data, parsed once per text (every variant an experiment builds
    shares its files): read-only, shared between callers."""
    return _toml_with_long_integers(text)


def field_line(path, text: str, field: str) -> int | None:
    """The line of one file where it writes ``field`` (or its longest written prefix)."""
    return _Locator([(Path(path), text)]).find(field)[1]


MAX_FILE_BYTES = 10_000_000
"""A scenario file larger than this is refused unread (one is a few kB of text; a device
such as /dev/zero would be read until memory runs out)."""


def _refuse_quoted_dots(data, path: Path, text: str, at: str = "") -> None:
    """A key written with a dot inside quotes (``"pay.growth" = 0.03``) is one key, not the
    field ``pay.growth``: refused here, naming this file and the key's line, before its
    path (joined with dots) would be taken for another file's ``[pay] growth``. A year with
    a decimal point (``"2021.5"``, a schedule's) is left to the schedule's own message."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for k, v in items:
        if isinstance(k, str) and "." in k and not k.replace(".", "").isdigit():
            head, _, tail = k.partition(".")
            plain = all(p.isidentifier() for p in k.split("."))  # pay.growth, not ".x" or a control character
            hint = (f"write {k} = ... without the quotes, or {tail} = ... under [{at}{head}]" if plain
                    else "no field has a dot in its name (a dotted field is written unquoted: "
                    "pay.growth = ...)")
            raise ScenarioError(f"the quoted key {k!r} is one key with a dot in its name, not a dotted "
                                f"field: {hint}", file=str(path), line=_quoted_key_line(text, k),
                                field=f"{at}{k}")
        _refuse_quoted_dots(v, path, text, f"{at}{k}." if isinstance(k, str) else f"{at[:-1]}[{k}].")


def _quoted_key_line(text: str, key: str) -> int | None:
    """The first line holding a quoted key whose value is ``key`` (escapes decoded as TOML
    decodes them: "\\u001f" is one character); a key is followed by ``=``, ``.`` or ``]``, so
    a comment quoting it is passed over."""
    for i, line in enumerate(text.split("\n"), 1):  # TOML's lines (splitlines also cuts at \x1c...)
        if line.lstrip().startswith("#"):
            continue
        for m in re.finditer(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'', line):
            if not line[m.end():].lstrip().startswith(("=", ".", "]")):
                continue
            try:
                if tomllib.loads(f"k = {m.group(0)}")["k"] == key:
                    return i
            except tomllib.TOMLDecodeError:
                continue
    return None


def _read_toml(path: Path) -> tuple[dict, str]:
    try:
        st = path.stat()  # one look: a missing file is said below, a folder by read_bytes
        if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):  # a pipe would wait forever
            raise ScenarioError("is not a regular file (a pipe or a device); expected a .toml file",
                                file=str(path))
        if st.st_size > MAX_FILE_BYTES and stat.S_ISREG(st.st_mode):
            raise ScenarioError(f"is {st.st_size:,} bytes; a scenario file is text of a few kB "
                                f"(at most {MAX_FILE_BYTES:,} bytes): is it the right file?", file=str(path))
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise ScenarioError("is a folder, expected a .toml file", file=str(path)) from None
    except (OSError, ValueError) as e:
        raise ScenarioError(f"cannot be read ({getattr(e, 'strerror', None) or e})", file=str(path)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ScenarioError(f"is not UTF-8 text (byte {e.start} is 0x{data[e.start]:02x}); save the "
                            "file as UTF-8", file=str(path), line=line,
                            field=_field_on_line(data.decode("utf-8", "replace"), line)) from None
    text = text.removeprefix("\ufeff")  # a byte-order mark, as some Windows editors write
    empty = ScenarioError("the file is empty; a scenario needs at least start_year, years and "
                          "[demand] communities", file=str(path), field="start_year")
    if not text.strip():
        raise empty
    try:
        raw = _toml_with_long_integers(text)
        if not raw:  # only comments
            raise empty
        _refuse_quoted_dots(raw, path, text)
        return raw, text
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = _LINE.search(msg)
        line = int(m.group(1)) if m else None
        field = None
        if line is None:
            # "Cannot overwrite a value (at end of document)": find the key written twice
            lines = _safe_lines(text)
            dup = [(ls[-1], k) for k, ls in lines.items()
                   if len(ls) > 1 and not isinstance(k[-1], int) and k + (0,) not in lines]
            if dup:
                line, key = max(dup)
                field = _dotted(key)
            elif "end of document" in msg:
                line = len(toml_lines(text.rstrip())) or 1
        else:
            field = _field_on_line(text, line)
        msg = re.sub(r"\s*\(at line \d+, column (\d+)\)", r" (column \1)", msg)
        msg = re.sub(r"\s*\(at end of document\)", "", msg)
        raise ScenarioError(f"is not valid TOML: {msg}", file=str(path), field=field, line=line) from None
    except (ValueError, RecursionError) as e:  # an integer too long to read, deep nesting
        long = re.search(r"\d{%d,}" % (LONGEST_INTEGER + 1), text) if isinstance(e, ValueError) else None
        if long:
            line = text[:long.start()].count("\n") + 1
            raise ScenarioError(f"a whole number of more than {LONGEST_INTEGER:,} digits", file=str(path),
                                line=line, field=_field_on_line(text, line)) from None
        what = "values nested too deeply" if isinstance(e, RecursionError) else str(e).split(";")[0]
        raise ScenarioError(f"cannot be read as a scenario: {what}", file=str(path)) from None


def _merge(base: dict, child: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in child.items():
        if k in schema.SECTIONS and isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = {**out[k], **copy.deepcopy(v)}
        else:
            out[k] = copy.deepcopy(v)
    return out


def _extends_line(text: str) -> int | None:
    return (_safe_lines(text).get(("extends",)) or [None])[-1]


MAX_EXTENDS = 100
"""Most files in one ``extends`` chain (each is read by a call of :func:`_load_chain`)."""


def _load_chain(path: Path, seen: tuple = ()) -> tuple[dict, list[tuple[Path, str]]]:
    """Raw merged dict and the (path, text) of every file in the chain, parents first.

    ``seen`` holds the (path, text) of the files that extend this one, child last.
    """
    try:
        path = path.resolve()
    except (OSError, RuntimeError) as e:
        raise ScenarioError(f"cannot be opened ({e})", file=str(path)) from None
    if any(p == path for p, _ in seen):
        chain = " -> ".join(p.name for p, _ in seen) + f" -> {path.name}"
        last, text = seen[-1]
        raise ScenarioError(f"'extends' forms a cycle ({chain}); remove one of these extends",
                            file=str(last), field="extends", line=_extends_line(text))
    raw, text = _read_toml(path)
    parent = raw.pop("extends", None)
    if parent is None:
        return raw, [(path, text)]

    def fail(msg):  # the line is looked up on failure only: valid files are not scanned
        raise ScenarioError(msg, file=str(path), field="extends", line=_extends_line(text))
    if not isinstance(parent, str) or not parent.strip():
        fail(f"expected the path of a base scenario (a string), got {type(parent).__name__} {parent!r}")
    if "\x00" in parent:
        fail("the path of the base scenario contains a NUL character")
    if len(seen) + 1 >= MAX_EXTENDS:
        fail(f"a chain of more than {MAX_EXTENDS} files, each extending the next; a scenario extends a few "
             "files at most: merge some of them")
    ppath = path.parent / parent  # relative to the file naming it (an absolute path stays absolute)
    try:
        found, folder = ppath.is_file(), ppath.is_dir()
    except (OSError, ValueError) as e:
        fail(f"base scenario {parent!r} cannot be opened ({getattr(e, 'strerror', None) or e})")
    if not found:
        fail(f"base scenario {parent!r} {'is a folder' if folder else 'not found'} (looked for {ppath}; "
             f"the path is relative to the folder of {path.name})")
    base, files = _load_chain(ppath, seen + ((path, text),))
    if "name" not in raw:
        base.pop("name", None)
    if "description" in raw and "description_zh" not in raw:  # the base's would describe the base
        base.pop("description_zh", None)
    return _merge(base, raw), files + [(path, text)]


# --------------------------------------------------------------------------- validation

def _is_num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _describe(x) -> str:
    return f"{type(x).__name__} {cut(repr(x))}"


def _unknown_key(key: str, allowed, where: str = "here") -> str:
    """The message for an unknown key: the likeliest meant key, then every allowed one."""
    meant = schema.did_you_mean(key, allowed, cutoff=0.6)
    return f"unknown key{meant}; allowed {where}: {', '.join(allowed)}"


class _Checker:
    """Validates values against schema fields; every failure names file, line and field."""

    def __init__(self, file: str, start: int | None, years: int | None, files=(), overridden=None,
                 raw: dict | None = None, written_end: int | None = None):
        self.file = file
        self.written_end = written_end  # the last year of the files' own horizon, before overrides
        self.raw = raw  # the data checked: the other schedules that do not fit are named with the first
        self.start = start
        self.end = None if start is None or years is None else start + years - 1
        self.locator = _Locator(list(files))
        self.overridden = dict(overridden or {})

    @property
    def cut_short(self) -> bool:
        """An override ends the horizon before the files' own end (``--set years=3``): a
        schedule's points, event years and targets between the two ends are kept (not
        refused; a linear schedule's later points still shape its values within the
        horizon), the targets not evaluated (:attr:`Scenario.targets_after_horizon`)."""
        return self.written_end is not None and self.end is not None and self.end < self.written_end

    def within_written(self, year: int) -> bool:
        """``year`` falls after the end of a horizon cut short, within the files' own."""
        return self.cut_short and self.end < year <= self.written_end

    def override(self, path: str) -> str | None:
        """The override option (``--set``, ``--param ...``) that set a field, if one did."""
        for key, label in self.overridden.items():
            if path == key or path.startswith((key + ".", key + "[")):
                return label
        return None

    def where(self, path: str) -> tuple[str, int | None]:
        """File (or override option) and line that a field's value comes from."""
        label = self.override(path)
        if label is not None:
            return label, None
        f, line = self.locator.find(path) if path else (None, None)
        return f or self.file, line

    def fail(self, path, msg):
        """Stop at ``path``; a tuple of fields that contradict each other blames the
        first one an override set (that is the change which made them disagree), else the
        first one written in the file latest in the ``extends`` chain (the file that made
        them disagree), else the first."""
        if isinstance(path, tuple):
            fields = path
            overridden = [x for x in path if self.override(x) is not None]
            if overridden:
                path = overridden[0]
            elif len(self.locator.files) > 1:
                order = {str(p): i for i, (p, _) in enumerate(self.locator.files)}
                rank = [order.get(self.locator.find(x)[0], -1) for x in path]
                path = path[rank.index(max(rank))]
            else:
                path = path[0]
            msg += self._set_elsewhere(fields, path)
        f, line = self.where(path)
        raise ScenarioError(msg, file=f, field=path or None, line=line)

    def _set_elsewhere(self, fields: tuple, blamed: str) -> str:
        """Where the other ``fields`` of a contradiction are set, where that is another file of
        the ``extends`` chain than the one blamed (an inherited value the message names):
        `` (demand.communities is set in example-city.toml:20)``; else ''."""
        if len(self.locator.files) < 2:
            return ""
        here = self.where(blamed)[0]
        said = []
        for x in fields:
            if x in ("years", "start_year"):  # the horizon: the message gives it
                continue
            f, line = (self.locator.find(x, written=True) if x != blamed and self.override(x) is None
                       else (None, None))
            if f is not None and f != here:
                field = re.sub(r"\.\d{4}$", "", x)  # a schedule's point: its field
                said.append(f"{field} is set in {Path(f).name}" + (f":{line}" if line else ""))
        return f" ({'; '.join(said)})" if said else ""

    def number(self, f: schema.Field, x, path, what="a number"):
        if not _is_num(x):
            self.fail(path, f"expected {what}, got {_describe(x)}")
        if isinstance(x, float) and not math.isfinite(x):
            self.fail(path, f"expected a finite number, got {x}")
        if abs(x) > 1e300:
            self.fail(path, "the number is far too large")
        if f.unset is not None and x == f.unset:
            return float(x)
        if f.lo is not None and x < f.lo or f.hi is not None and x > f.hi:
            self.fail(path, f"{x!r} is outside the allowed range [{f.lo:g}, {f.hi:g}]"
                      + (f" ({f.unit})" if f.unit else "") + (f", or {f.unset:g} (not set here)"
                                                             if f.unset is not None else ""))
        return float(x)

    def vector(self, f, x, path):
        if not isinstance(x, list):
            self.fail(path, f"expected a list of {f.size or 'some'} numbers, got {_describe(x)}")
        if f.size is not None and len(x) != f.size:
            self.fail(path, f"expected a list of {f.size} numbers, got {len(x)}")
        if not x:
            self.fail(path, "expected a non-empty list of numbers")
        v = tuple(self.entry(f, e, f"{path}[{i}]") for i, e in enumerate(x))
        for i, e in enumerate(v):
            if isinstance(e, Uncertain) and f.sums_to_one:
                # a draw would break the sum; shares are uncertain only as a whole list
                self.fail(f"{path}[{i}]", "shares that must add up to 1 cannot be uncertain one by one; "
                          "give numbers (or vary the shares with --set or an alternative scenario)")
        if f.sums_to_one and abs(sum(v) - 1) > 1e-6:
            self.fail(path, f"shares must add up to 1, they add up to {sum(v):g}")
        return v

    def schedule(self, f, x, path, elem):
        interp = x.get("interp", "step")
        if interp not in ("step", "linear"):
            self.fail(f"{path}.interp", f"expected 'step' or 'linear', got {interp!r}")
        pts = []
        for k, v in x.items():
            if isinstance(k, numbers.Integral) and not isinstance(k, bool):
                k = str(int(k))  # a year as a number: a schedule in data built in Python
            if k == "interp":
                continue
            if not isinstance(k, str) or not re.fullmatch(r"[0-9]{4}", k):
                self.fail(f"{path}.{k}", "expected a year (4 digits) as key of a schedule, "
                          "or a table with 'dist' for an uncertain value")
            y = int(k)
            if self.start is not None and (y < self.start or y > self.end and not self.within_written(y)):
                # a horizon moved by an override (--set start_year=2026) is what made the point fall out
                self.fail((f"{path}.{k}", "years", "start_year"),
                          f"year {y} of {path} is outside the horizon {self.start}-{self.end}"
                          + self._too(path))
            if pts and y <= pts[-1][0]:
                self.fail(f"{path}.{k}", f"schedule years must increase ({y} comes after {pts[-1][0]})")
            pts.append((y, elem(v, f"{path}.{k}")))
        if not pts:
            self.fail(path, "a schedule needs at least one year")
        if interp == "linear" and f.unset is not None and any(v == f.unset for _, v in pts):
            self.fail(f"{path}.interp", f"a linear schedule cannot pass through {f.unset:g} (not set here): "
                      "the years between would take amounts no one set; give a step schedule")
        if self.start is not None and pts[0][0] != self.start:
            # before its first year a schedule would hold the first value: a rise "from 2027"
            # would be in force from the start; the value at the start must be said
            self.fail((path, "start_year"), f"the schedule of {path} starts in {pts[0][0]}, after the start year "
                      f"{self.start}; give the value in force from the start too: {{{self.start} = ..., "
                      f"{pts[0][0]} = ...}}" + self._too(path))
        return Schedule(tuple(pts), interp)

    def _too(self, path: str) -> str:
        """The other schedules that do not fit the horizon either, to restate at once (worked
        out only when one does not)."""
        end = self.written_end if self.cut_short else self.end
        unfit = _schedules_not_fitting(self.raw, self.start, end) if self.raw is not None else []
        others = [p for p in unfit if p != path]
        return (f" (so do {', '.join(others)}: each schedule needs its years within {self.start}-{self.end}, "
                f"from {self.start} on)") if others else ""

    def entry(self, f: schema.Field, x, path):
        """One number of a parameter (a schedule point, a vector entry): a number, or a
        table with ``dist`` for a value drawn once per replication."""
        if isinstance(x, dict):
            if "dist" in x:
                return self.uncertain(f, x, path)
            self.fail(path, f"expected a number or an uncertain value {{dist = ...}}, got {_describe(x)}")
        return self.number(f, x, path)

    def uncertain(self, f: schema.Field, x: dict, path):
        if f.unset is not None:  # a draw cannot say "not set"
            self.fail(path, f"cannot be uncertain ({f.unset:g} means not set here, which a draw cannot "
                      "say); give a number, or a schedule by year")
        args = {a: v for a, v in x.items() if a != "dist"}
        for a, v in args.items():
            if not finite_number(v):
                self.fail(f"{path}.{a}", f"expected a finite number, got {_describe(v)}")
        if not isinstance(x["dist"], str):
            self.fail(f"{path}.dist", f"expected the name of a distribution, got {_describe(x['dist'])}")
        prob = dist_problem(x["dist"], args)
        if prob:
            self.fail(path, prob)
        # draws are clipped to the field's range; where 0 switches the field off (no cap, no
        # limit) a draw at or below 0 is the least amount instead, not the switch
        lo = LEAST_AMOUNT if f.zero and f.lo == 0 else f.lo
        u = Uncertain(x["dist"], tuple(args.items()), lo, f.hi)
        prob = u.shape_problem()
        if prob:
            self.fail(path, prob)
        mean = u.mean()
        if f.lo is not None and mean < f.lo or f.hi is not None and mean > f.hi:
            self.fail(path, f"the distribution's mean {mean:g} is outside [{f.lo:g}, {f.hi:g}]")
        if f.zero and mean <= 0:  # read at its mean (the notes, the sizing), 0 would switch it off
            self.fail(path, f"the distribution's mean {mean:g} is 0 or below, and 0 here means "
                      f"{f.zero}; give a distribution with a mean above 0")
        return u

    def value(self, f: schema.Field, x, path):
        k = f.kind
        if isinstance(x, dict) and k in ("int", "float", "date", "dates"):  # (the forms of fields that vary)
            how = "uncertain" if "dist" in x else "a schedule by year"
            what = {"int": "a whole number", "dates": "a list of instants in the year (0..1)"}.get(
                k, "a number")
            self.fail(path, f"cannot be {how}: it is fixed for the whole run (a start-year stock or a "
                      f"setting, read once); give {what}")
        if k == "param":
            if isinstance(x, dict) and "dist" in x:
                return self.uncertain(f, x, path)
            if isinstance(x, dict):
                return self.schedule(f, x, path, lambda v, p: self.entry(f, v, p))
            return Constant(self.number(f, x, path))
        if k == "vec":
            if isinstance(x, dict):
                if "dist" in x:
                    self.fail(path, "a list of values cannot be uncertain; give a list or a schedule of lists "
                              "(each entry may be uncertain: [{dist = ...}, 0.05])")
                return self.schedule(f, x, path, lambda v, p: self.vector(f, v, p))
            return Constant(self.vector(f, x, path))
        if k == "int":
            if not isinstance(x, int) or isinstance(x, bool):
                self.fail(path, f"expected a whole number, got {_describe(x)}")
            self.number(f, x, path)
            return int(x)
        if k in ("float", "date"):
            if k == "date":
                f = schema.Field("float", lo=0.0, hi=1.0, unit="fraction of year")
            return self.number(f, x, path)
        if k == "bool":
            if not isinstance(x, bool):
                self.fail(path, f"expected true or false, got {_describe(x)}")
            return x
        if k == "str":
            if not isinstance(x, str):
                self.fail(path, f"expected a string, got {_describe(x)}")
            if f.choices and x not in f.choices:
                self.fail(path, f"expected one of {', '.join(map(repr, f.choices))}, got {x!r}")
            return x
        if k == "years":
            if not isinstance(x, list) or not all(isinstance(e, int) and not isinstance(e, bool) for e in x):
                self.fail(path, "expected a list of whole numbers, e.g. [2021, 2026]")
            if any(not 0 <= e <= 2200 for e in x):
                self.fail(path, "values must be between 0 and 2200")
            if list(x) != sorted(set(x)):
                self.fail(path, "values must increase and not repeat")
            return tuple(x)
        if k == "dates":
            if not isinstance(x, list) or not x:
                self.fail(path, "expected a non-empty list of instants in the year (0..1)")
            d = tuple(self.number(schema.Field("float", lo=0.0, hi=1.0), e, f"{path}[{i}]") for i, e in enumerate(x))
            if list(d) != sorted(set(d)):
                self.fail(path, "instants must increase and not repeat")
            if len(d) > schema.MAX_ROUNDS:
                self.fail(path, f"{len(d)} instants: at most {schema.MAX_ROUNDS} a year (each round's hires "
                          "are numbered apart)")
            return d
        if k == "bands":
            if not isinstance(x, list) or not x:
                self.fail(path, "expected a list of [low, high, weight] bands")
            out = []
            for i, b in enumerate(x):
                p = f"{path}[{i}]"
                if not (isinstance(b, list) and len(b) == 3):
                    self.fail(p, "expected [low, high, weight]")
                lo, hi, w = b
                if not all(isinstance(e, int) and not isinstance(e, bool) for e in (lo, hi)):
                    self.fail(p, "low and high must be whole numbers")
                if not 0 <= lo <= hi <= 120:
                    self.fail(p, "expected 0 <= low <= high <= 120")
                if not finite_number(w) or not 0 < w <= 1e9:
                    self.fail(p, "weight must be a positive number")
                out.append((lo, hi, float(w)))
            return tuple(out)
        raise AssertionError(k)

    def table(self, spec: dict, raw: dict, path: str) -> dict:
        if not isinstance(raw, dict):
            self.fail(path, f"expected a table [{path}], got {_describe(raw)}")
        unknown = sorted(set(raw) - set(spec))
        if unknown:
            self.fail(f"{path}.{unknown[0]}" if path else unknown[0], _unknown_key(unknown[0], sorted(spec)))
        out = {}
        for name, f in spec.items():
            p = f"{path}.{name}" if path else name
            if name in raw:
                out[name] = self.value(f, raw[name], p)
            elif f.default is schema.REQUIRED:
                self.fail(p, "is required")
            elif f.default is None:
                out[name] = None
            else:
                out[name] = self.value(f, f.default, p)
        return out


class Section:
    """Read-only attribute access to one validated section."""

    __slots__ = ("_d",)

    def __init__(self, d: dict):
        object.__setattr__(self, "_d", MappingProxyType(dict(d)))

    def __getattr__(self, k):
        try:
            return self._d[k]
        except KeyError:
            raise AttributeError(k) from None

    def __setattr__(self, k, v):
        raise AttributeError("scenario sections are read-only")

    def items(self):
        return self._d.items()

    def __repr__(self):
        return f"Section({dict(self._d)!r})"


@dataclass(frozen=True)
class Target:
    name: str
    metric: str
    year: int
    op: str
    threshold: float
    scope: str
    source: str
    label_zh: str = ""

    @property
    def metric_name(self) -> str:
        """The metric with its scope: ``certified_share.urban``."""
        return f"{self.metric}.{self.scope}" if self.scope else self.metric


def scope_named(scope: str, districts) -> str:
    """A scope as a district's ``name`` where it names the district by its Chinese label,
    or any way a roster may (:func:`model.roster.district_finder`: 玄武 or 玄武区 for 玄武区,
    XUANWU); any other scope as it is (unknown ones are refused by the checks)."""
    from .roster import district_finder
    if scope in ("", "urban", "rural") or any(d.name == scope for d in districts):
        return scope
    i = district_finder(districts)(scope)
    return scope if i is None or i < 0 else districts[i].name


def _scope_by_name(t: Target, districts) -> Target:
    """A target with its scope as :func:`scope_named` gives it."""
    from dataclasses import replace
    scope = scope_named(t.scope, districts)
    return t if scope == t.scope else replace(t, scope=scope)


@dataclass(frozen=True)
class District:
    name: str
    communities: int
    urban: bool
    households_scale: float
    floor_share: float
    certified_share: float = -1.0
    pass_prob_scale: float = 1.0
    head_floor_share: float = -1.0
    head_floor_benchmark: str = "average_wage"
    head_floor_basis: str = "gross"
    min_party_posts: int = -1
    label_zh: str = ""



class Scenario:
    """A validated, frozen scenario.

    Parameters
    ----------
    raw : dict
        The merged scenario data (as TOML gives it).
    files : list of (Path, str)
        The files it was read from and their text, parents first (empty when the data
        come from elsewhere, e.g. a manifest).
    label : str
        What to name in messages when a field cannot be traced to a file line.
    overridden : dict, optional
        ``{field path: label}`` of fields set from outside the files (``--set``), so a
        message about them names the option rather than the file.
    horizon : (int, int), optional
        ``(start_year, years)`` as the files (or the data) have them, before overrides
        (default: ``raw``'s own). A horizon an override cuts short of it keeps the
        schedule points, event years and targets between the two ends: the points shape
        the values, the targets are not evaluated (:attr:`targets_after_horizon`).

    Attributes
    ----------
    name, description, description_zh : str
    start_year, years : int
        First year and horizon; ``year_list`` is every simulated year.
    path : pathlib.Path or None
    targets : tuple of Target
    targets_after_horizon : tuple of Target
        Targets of the files after the end of a horizon an override cut short (not
        evaluated; :func:`model.semantics.advisories` names them).
    districts : tuple of District (one implicit urban district if none given)
    assumptions : tuple of dict
        Fields whose comment says ``# assumption: ...`` (file, field, text), where that
        file sets the value the scenario runs with (not overridden).
    The sections are attributes: ``scenario.pay.monthly`` is a
    :class:`~model.params.Constant`, :class:`~model.params.Schedule` or
    :class:`~model.params.Uncertain`.
    """

    def __init__(self, raw: dict, files: list[tuple[Path, str]], label: str, overridden: dict | None = None,
                 roster=None, horizon: tuple | None = None):
        self._raw = raw
        self._files = files
        self._label = label
        self._overridden = dict(overridden or {})
        self._horizon = tuple(horizon) if horizon is not None else (
            (raw.get("start_year"), raw.get("years")) if isinstance(raw, dict) else (None, None))
        self.path = files[-1][0] if files else None
        if not isinstance(raw, dict):
            raise ScenarioError(f"expected a table of scenario fields, got {_describe(raw)}", file=label)
        ck = _checker_for(raw, files, label, self._overridden, self._horizon)
        # an unknown key first: a misspelt required one (start_yaer) is named as written
        unknown = sorted(set(raw) - set(schema.TOP) - set(schema.SECTIONS) - set(schema.ARRAYS))
        if unknown:
            ck.fail(unknown[0], _unknown_key(unknown[0], list(schema.TOP) + list(schema.SECTIONS)
                                             + list(schema.ARRAYS), "at the top level"))
        for sec, spec in schema.SECTIONS.items():  # then a misspelt field of any section, before any value
            given = raw.get(sec)
            unknown = sorted(set(given) - set(spec)) if isinstance(given, dict) else []
            if unknown:
                ck.fail(f"{sec}.{unknown[0]}", _unknown_key(unknown[0], sorted(spec)))
        top = ck.table(schema.TOP, {k: v for k, v in raw.items() if k in schema.TOP}, "")
        if top["extends"] is not None:
            # files have their extends resolved on loading; data from elsewhere may not name files
            ck.fail("extends", "only a scenario file may extend another; this data is already merged")
        # start_year and years are validated before any schedule depends on them
        ck.start, ck.end = top["start_year"], top["start_year"] + top["years"] - 1
        self.name = top["name"] or (self.path.stem if self.path else "scenario")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}", self.name):
            how = ("set name = \"...\" with letters, digits, '-', '_' and '.' only (it names the output "
                   "folder)")
            if top["name"]:
                ck.fail("name", f"{self.name!r} cannot name an output folder; {how}")
            raise ScenarioError(f"the file name {self.name!r} is used as the scenario name but cannot name "
                                f"an output folder; {how}, or rename the file", file=str(self.path),
                                field="name")
        self.description = top["description"]
        self.description_zh = top["description_zh"]
        self.start_year = top["start_year"]
        self.years = top["years"]
        self._sections = {}
        for sec, spec in schema.SECTIONS.items():
            self._sections[sec] = Section(ck.table(spec, raw.get(sec, {}), sec))
        arrays = {}
        for arr, spec in schema.ARRAYS.items():
            items = raw.get(arr, [])
            if not isinstance(items, list):
                ck.fail(arr, f"expected an array of tables [[{arr}]], got {_describe(items)}")
            arrays[arr] = [ck.table(spec, it, f"{arr}[{i}]") for i, it in enumerate(items)]
        self.targets = tuple(Target(**t) for t in arrays["targets"])
        ds = arrays["districts"]
        if not ds:
            ds = [dict(name="city", communities=self.demand.communities, urban=True,
                       households_scale=1.0, floor_share=-1.0)]
            self.implicit_district = True
        else:
            self.implicit_district = False
        self.districts = tuple(District(**d) for d in ds)
        if not self.implicit_district:  # a target's scope may name a district as a roster does (玄武区)
            self.targets = tuple(_scope_by_name(t, self.districts) for t in self.targets)
        from .semantics import check
        check(self, ck)
        # a horizon cut short by an override leaves the targets after it unevaluated (a note
        # says so); the file's own horizon must hold its targets (semantics.check)
        after = [ck.within_written(t.year) for t in self.targets]
        self.targets_after_horizon = tuple(t for t, a in zip(self.targets, after) if a)
        self.targets = tuple(t for t, a in zip(self.targets, after) if not a)
        self.roster = self._roster(ck, roster)
        self._frozen = True

    def __setattr__(self, k, v):
        """Frozen once built: a field changed after loading would not be checked, and worker
        processes (which rebuild the scenario from its data) would not see it. Private
        attributes (caches) may still be set."""
        if not k.startswith("_") and getattr(self, "_frozen", False):
            raise AttributeError(f"a scenario is read-only once loaded ({k!r}); make a changed copy with "
                                 "scenario.with_overrides({...}) or model.load(..., overrides={...}), "
                                 "keys as --set takes them ('years', 'pay.monthly', 'targets[0].year')")
        object.__setattr__(self, k, v)

    def __delattr__(self, k):
        if not k.startswith("_") and getattr(self, "_frozen", False):
            raise AttributeError(f"a scenario is read-only once loaded ({k!r})")
        object.__delattr__(self, k)

    def _roster(self, ck, given):
        """The starting workers of ``population.roster`` (:mod:`model.roster`), or None.

        A relative path is taken from the folder of the file that names it (from the
        working folder for an override or data without files), and the merged data keep
        the absolute path, so that worker processes and ``rerun`` read the same file.
        ``given`` (a :class:`~model.roster.Roster` read before, of that path, and checked
        against the same start year, retirement rule, districts and, where it has grades,
        grade ladder) is taken without reading the file again: a copy of the scenario sent
        to another process or machine carries its roster, and a variant that changes none
        of those reuses it."""
        name = self.population.roster
        if name is None:
            return None
        from . import roster
        file, line = ck.where("population.roster")
        if "\x00" in name:
            ck.fail("population.roster", "the roster's path contains a NUL character")
        path = Path(name).expanduser()
        named_in = Path(file) if file and Path(file).suffix == ".toml" else None
        if not path.is_absolute():
            path = (named_in.parent if named_in else Path.cwd()) / path
        path = path.resolve()
        if self.population.headcount > 0:
            ck.fail(("population.headcount", "population.roster"), "population.headcount set with "
                    "population.roster: the roster's workers are the starting headcount; set "
                    "population.headcount = 0 beside population.roster (or leave it out where it is set)")
        # a share set beside the roster or after it (a later file, --set) is refused; one a base file sets
        # before the roster is left unread, since a file cannot unset what it inherits (headcount it can: = 0)
        order = {str(p): i for i, (p, _) in enumerate(self._files)}
        late = len(self._files)  # an override comes after every file
        share_at = order.get(ck.where("population.filled_share")[0], late)
        roster_at = order.get(ck.where("population.roster")[0], late)
        if "filled_share" in self.given("population") and share_at >= roster_at:
            ck.fail(("population.filled_share", "population.roster"), "population.filled_share set with "
                    "population.roster: the roster's workers are the starting workforce; leave "
                    "population.filled_share out beside population.roster")
        districts = None if self.implicit_district else self.districts
        tops = self._ladder_tops()
        from .outputs import reads
        reads(path, "the scenario's roster")  # an output folder holding it is not replaced
        if given is not None and given.path == str(path) and given.context == roster.context(
                self.start_year, districts, self.retirement, tops, given.grade is not None):
            return given
        if not path.is_file():
            base = "the scenario file naming it" if named_in else "the current folder (as a --set path is)"
            ck.fail("population.roster", f"{str(path)!r} is not a file; expected a CSV or .xlsx roster, "
                    f"as a path relative to {base}")
        out = roster.read(path, self.start_year, districts, self.retirement, tops)
        from .population import check_size
        check_size(len(out), "people", "workers in the roster", None, "population.roster", "split the run")
        self._raw.setdefault("population", {})["roster"] = str(path)
        return out

    def _ladder_tops(self) -> tuple[int, int, int] | None:
        """The highest grade of each post in the start year (``grades.max_grade``), or None
        where one of them is uncertain (drawn in each replication)."""
        top = self.grades.max_grade
        if top.is_random:
            return None
        return tuple(int(x) for x in top.resolve(np.array([self.start_year]))[0])

    @cached_property
    def assumptions(self) -> tuple:
        """The marked assumptions (file, field, text) standing where their file sets the value
        run: not where a file that extends it, or an override, sets the field again (a table
        array, as a whole), nor where the run does not read the field (the starting mixes a
        roster replaces, another rule's fields: :func:`model.semantics.unread_by_rules`).
        Worked out when asked for (the report, ``validate``): locating fields scans every
        file's lines, which the many scenarios an experiment builds skip."""
        from .semantics import unread_by_rules
        ck = self._locating
        unread = unread_by_rules(self)
        return tuple(a for p, t in self._files for a in _assumptions(p, t)
                     if ck.where(a["field"])[0] == str(p) and a["field"] not in unread)

    # sections as attributes
    def __getattr__(self, k):
        secs = self.__dict__.get("_sections", {})
        if k in secs:
            return secs[k]
        raise AttributeError(k)

    @property
    def end_year(self) -> int:
        """The last simulated year (``start_year + years - 1``)."""
        return self.start_year + self.years - 1

    @property
    def year_list(self) -> np.ndarray:
        """Every simulated year, in order."""
        return np.arange(self.start_year, self.start_year + self.years)

    @property
    def raw(self) -> dict:
        """The merged scenario as plain TOML-like data (a copy)."""
        return copy.deepcopy(self._raw)

    def sections(self) -> dict[str, Section]:
        return dict(self._sections)

    def overridden(self) -> dict[str, dict]:
        """The fields set over the scenario's files, each with the option that set it and
        the value it now holds: ``{"certification.pass_prob": {"by": "--variant", "value":
        0.3}}`` (for an experiment's manifest: what each scenario compared is)."""
        def value(key: str):
            entry = array_entry(key)
            if entry:
                arr, i, name = entry
                return self._raw[arr][i].get(name)
            sec, _, name = key.partition(".")
            return self._raw.get(sec, {}).get(name) if name else self._raw.get(sec)
        return {k: {"by": by, "value": copy.deepcopy(value(k))} for k, by in self._overridden.items()}

    def set_by_variant(self) -> dict[str, dict]:
        """Where the scenario's file ``extends`` another and keeps its description (does not
        write one of its own), the fields that file sets over the one it extends, each with the
        file's name and the value it now holds, as :meth:`overridden` gives them (fields an
        override set again are left to it): a report of the variant must not describe the
        policy it extends alone. Empty otherwise."""
        if len(self._files) < 2:
            return {}
        path, text = self._files[-1]
        own = tomllib.loads(text)
        if any(k in own for k in ("description", "description_zh")):
            return {}
        keys = []
        for k, v in own.items():
            if k in ("name", "extends"):
                continue
            keys += [f"{k}.{f}" for f in v] if isinstance(v, dict) else [k]
        raw = self._raw
        def value(key):
            sec, _, name = key.partition(".")
            return raw.get(sec, {}).get(name) if name else raw.get(sec)
        return {k: {"by": Path(path).name, "value": copy.deepcopy(value(k))} for k in keys
                if self.override_of(k) is None}

    def override_of(self, path: str) -> str | None:
        """The option that set the field ``path`` over the files (``--set``...), if one did."""
        return next((by for key, by in self._overridden.items()
                     if path == key or path.startswith((key + ".", key + "["))), None)

    def resolved(self) -> dict:
        """Every field with defaults filled in, as JSON-ready data (for the manifest)."""
        def conv(v):
            if hasattr(v, "to_toml"):
                return v.to_toml()
            if isinstance(v, tuple):
                return [conv(e) for e in v]
            return v
        out = {"name": self.name, "start_year": self.start_year, "years": self.years}
        for s, sec in self._sections.items():
            out[s] = {k: conv(v) for k, v in sec.items()}
        out["districts"] = [d.__dict__ for d in self.districts]
        out["targets"] = [t.__dict__ for t in self.targets]
        if self.roster is not None:  # the file read, and what it held: the hash changes with it
            out["population"]["roster"] = self.roster.path
            out["roster"] = self.roster.describe()
        return out

    @property
    def hash(self) -> str:
        """SHA-256 of the resolved parameters (what was run, whatever the file layout: a
        roster counts by its content, not its path)."""
        resolved = self.resolved()
        resolved["population"].pop("roster", None)  # where the roster is; resolved["roster"] says what
        blob = json.dumps(resolved, sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()

    @property
    def file_hash(self) -> str:
        """SHA-256 of the scenario file and its parents, as text (for one file without a
        byte-order mark: the same as ``sha256sum FILE``)."""
        h = hashlib.sha256()
        for p, t in self._files:
            h.update(t.encode())
        return h.hexdigest()

    def files(self) -> list[dict]:
        """Each file read (parents first): path and SHA-256 of its text."""
        return [{"path": str(p), "sha256": hashlib.sha256(t.encode()).hexdigest()} for p, t in self._files]

    def where(self, path: str) -> tuple[str, int | None]:
        """The file (or override option, ``--set``) and line that set the field ``path``; the
        scenario's own file for a field left at its default."""
        return self._locating.where(path)

    def comment(self, path: str) -> str:
        """The comment written where a file sets the field ``path`` (its source, or its
        ``# assumption:``): on the field's line, else the comment lines just above it; ''
        for a field no file sets (an option's, a default)."""
        file, line = self.where(path)
        text = next((t for p, t in self._files if str(p) == str(file)), None)
        if text is None or not line:
            return ""
        lines = toml_lines(text)
        own = split_comment(lines[line - 1])[1]
        if own:
            return own
        above = []
        for i in range(line - 2, -1, -1):
            code, note = split_comment(lines[i])
            if code.strip() or not lines[i].strip():
                break
            above.insert(0, note)
        return " ".join(above)

    @cached_property
    def _locating(self) -> _Checker:
        """One checker of the scenario's fields for :meth:`where` (its locator scans the files
        once, on the first call, for every later one)."""
        return _checker_for(self._raw, self._files, self._label, self._overridden, self._horizon)

    def given(self, section: str) -> MappingProxyType:
        """The fields of ``section`` that the scenario, the files it extends or an override
        set (read-only; not their defaults)."""
        s = self._raw.get(section)
        return MappingProxyType(s if isinstance(s, dict) else {})

    def defaulted(self) -> dict[str, object]:
        """The fields the run reads that neither the scenario, the files it extends nor an
        override sets, by path, with the model's default each takes: what a reader should
        check fits the place. Left out: mechanisms switched off (:meth:`switched_off`; but
        a field of theirs read either way: deaths, ``quits.death_rate``, whether or not
        quits are on), and their fields in other sections (where training is off, its date
        and what being trained adds to the exam and the assessment), fields the chosen rules
        or the districts do not read (another staffing rule's, the fixed retirement ages
        under the statutory rule, a setting of an option that is off, the rural
        communities' work fund where no district is rural, as in a scenario without
        districts: its one implicit district is urban), and defaults that switch a thing off
        or leave it out (a field whose 0 means off, an empty list, a table of zeros, a value
        that means "not set here": -1, another field's value); not a date of 0, which is 1
        January. When a field is read is :data:`_READ_ONLY_WITH`'s condition where it has
        one, else, in a mechanism that can be switched off, while it is on."""
        from .semantics import unread_by_rules
        unread = unread_by_rules(self) | {path for path, read in _READ_ONLY_WITH.items() if not read(self)}
        switched_off = self.switched_off()
        out = {}
        for sec, spec in schema.SECTIONS.items():
            given = self.given(sec)
            for name, f in spec.items():
                path, d = f"{sec}.{name}", f.default
                if sec in switched_off and path not in _READ_ONLY_WITH:  # (an entry says when, off or on)
                    continue
                if name == "enabled" or name in given or path in unread or d in (None, schema.REQUIRED):
                    continue
                zeros = isinstance(d, list) and f.kind != "dates" and not any(d)  # dates: 0 is 1 January
                off = (f.zero is not None and d == 0) or zeros or (f.unset is not None and d == f.unset)
                if not off:
                    out[path] = d
        return out

    def switched_off(self) -> tuple[str, ...]:
        """The mechanisms the scenario switches off (``enabled = false``), by section name."""
        return tuple(sec for sec, spec in schema.SECTIONS.items()
                     if "enabled" in spec and not getattr(self, sec).enabled)

    def uncertain(self) -> dict[str, Uncertain]:
        """Values drawn once per replication, by key (:func:`model.params.entry_key`).

        A whole field by its path (``pay.growth``); an entry inside a field by its path
        and position: ``quits.rate[0]`` (vector entry), ``pay.growth@2030`` (schedule
        point), ``pay.monthly@2030[1]`` (both). Each key names the entry's random stream.
        """
        return {key: u for path, v in self.random_fields().items() for key, u in v.entries(path).items()}

    def random_fields(self) -> dict[str, Constant | Schedule | Uncertain]:
        """Fields holding a value drawn once per replication (whole or in part), by field
        path; ``v.sample(years, path, streams)`` gives one replication's values by year."""
        return {f"{s}.{k}": v for s, sec in self._sections.items() for k, v in sec.items()
                if isinstance(v, (Constant, Schedule, Uncertain)) and v.is_random}

    def get(self, path: str):
        """The value of a field by dotted path (``pay.growth``), or of a district's or a
        target's (``districts[2].floor_share``, ``targets[0].year``)."""
        if not isinstance(path, str):
            raise ScenarioError(f"expected a field's path as text, such as 'pay.growth', got {path!r}",
                                field="path")
        entry = array_entry(path)
        if entry and entry[0] == "districts":
            _, i, key = entry
            n = len(self.districts)
            if self.implicit_district or i >= n:
                have = ("no [[districts]]" if self.implicit_district
                        else f"{n} districts (districts[0] to districts[{n - 1}])")
                raise ScenarioError(f"{self.name} has {have}", field=path)
            if key not in schema.ARRAYS["districts"]:
                raise ScenarioError("no such field of a district", field=path)
            return getattr(self.districts[i], key)
        if entry and entry[0] == "targets":
            _, i, key = entry
            n = len(self.targets)
            if i >= n:
                which = f" (targets[0] to targets[{n - 1}])" if n else ""
                raise ScenarioError(f"{self.name} has {n} targets{which}", field=path)
            if key not in schema.ARRAYS["targets"]:
                raise ScenarioError("no such field of a target", field=path)
            return getattr(self.targets[i], key)
        s, _, k = path.partition(".")
        if s in self._sections and k in schema.SECTIONS[s]:
            return getattr(self._sections[s], k)
        if path in schema.TOP:
            return getattr(self, path)
        raise ScenarioError("no such field", field=path)

    def with_overrides(self, overrides: dict, label: str = "--set") -> Scenario:
        """A new scenario with fields replaced (``{"quits.rate": [0.1]}``, or a list of
        ``"field=value"`` texts as :func:`load` takes), validated. A key
        may also name one element: ``quits.rate[0]``, ``pay.growth@2030``,
        ``pay.monthly@2030[2]`` (as the experiments' ``--param``), or multiply the field:
        ``quits.rate*`` (the field as set so far)."""
        raw, overridden = self.raw, dict(self._overridden)
        _apply_overrides(raw, self._files, self._label, as_overrides(overrides, label), overridden, label)
        return Scenario(raw, self._files, self._label, overridden, self.roster, self._horizon)

    def __repr__(self):
        return f"<Scenario {self.name} {self.start_year}-{self.end_year}>"

    def __reduce__(self):
        # rebuilt (and re-validated) from its data in worker processes
        return (Scenario, (self._raw, self._files, self._label, self._overridden, self.roster, self._horizon))

    @property
    def horizon_written(self) -> tuple:
        """``(start_year, years)`` as the files have them, before overrides."""
        return self._horizon


def _element(key) -> tuple[str, int | None, int | None] | None:
    """``(field, year, index)`` if an override names one element (``section.key[i]``,
    ``section.key@YEAR``, ``section.key@YEAR[i]``, the keys of :func:`params.parse_key`),
    else None."""
    parsed = parse_key(key.strip()) if isinstance(key, str) else None
    return parsed if parsed and (parsed[1] is not None or parsed[2] is not None) else None


def _apply_overrides(raw: dict, files, file_label: str, overrides: dict, overridden: dict, label: str) -> None:
    """Put ``overrides`` into ``raw`` in the order given (a later key wins), noting each in
    ``overridden``; a key naming one element (``key[i]``, ``key@YEAR``) or a multiplier
    (``key*``) takes the field as set so far. The scenario is validated once, after all."""
    for key, value in overrides.items():
        if isinstance(key, str) and key.strip().endswith("*"):
            key, value = _scaled_value(raw, files, file_label, key, value, label, overridden)
        elif element := _element(key):
            key, value = element[0], _element_value(raw, files, file_label, key, value, label, overridden)
        _set(raw, key, value, label, file_label, files)
        overridden[key] = label
    if "description" in overrides and "description_zh" not in overrides:
        raw.pop("description_zh", None)  # as for a file that extends another: the old one described the base


def _element_value(raw: dict, files, file_label: str, key: str, value, label: str, overridden=None):
    """The whole-field TOML value that puts ``value`` into one element of ``key``: one
    existing point of a schedule, or one element of a vector (in every point of its
    schedule), as the experiments' levers do (``--param``); uncertain entries elsewhere
    are kept. Only that field of ``raw`` is read (and checked)."""
    field, year, index = _element(key)
    whole = year is not None and index is None and isinstance(value, list)  # a vector's point: key@YEAR=[...]
    if not whole and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise ScenarioError(f"expected a number for one element, got {_describe(value)}", file=label, field=key)
    spec, current = _field_so_far(raw, files, file_label, field, label, key, overridden,
                                  "use section.key (or key[i], key@YEAR, key@YEAR[i])")
    if not hasattr(current, "replace") or not hasattr(current, "to_toml"):
        raise ScenarioError("this field takes no element or year (no [i] or @YEAR); set it whole",
                            file=label, field=key)
    if whole and (not spec.size or len(value) != spec.size
                  or any(isinstance(v, bool) or not isinstance(v, (int, float)) for v in value)):
        raise ScenarioError(f"expected {f'a list of {spec.size} numbers' if spec.size else 'a number'} for "
                            f"the point {year}, got {_describe(value)}", file=label, field=key)
    try:
        if whole:  # each element of that point
            for i, v in enumerate(value):
                current = current.replace(float(v), year, i)
            return current.to_toml()
        return current.replace(float(value), year, index).to_toml()
    except (ValueError, IndexError) as e:
        raise ScenarioError(str(e), file=label, field=key) from None


def _set(raw: dict, key: str, value, label: str, file: str | None = None, files=()):
    """Put an override into the raw data; ``label`` names the option, ``file`` (and the
    ``files`` read) the scenario."""
    if not isinstance(key, str):
        raise ScenarioError(f"expected a field name, got {_describe(key)}", file=label)
    parts = key.split(".")
    if len(parts) == 1 and key in schema.TOP and key != "extends":
        raw[key] = value
        return
    entry = array_entry(key)
    if entry:  # one field of one entry of a table array: districts[0].floor_share
        arr, i, name = entry
        items = raw.get(arr)
        n = len(items) if isinstance(items, list) else 0
        if i >= n:
            raise ScenarioError(f"the scenario has {n} [[{arr}]] entries (0..{n - 1}); give one of those"
                                if n else f"the scenario has no [[{arr}]]; add them in a scenario file",
                                file=label, field=key)
        if name not in schema.ARRAYS[arr]:
            raise ScenarioError(f"[[{arr}]] has no field {name!r}; its fields: "
                                f"{', '.join(schema.ARRAYS[arr])}", file=label, field=key)
        if isinstance(items[i], dict):  # else the file's own mistake is reported when it is checked
            items[i] = {**items[i], name: value}
        return
    if len(parts) != 2 or parts[0] not in schema.SECTIONS or parts[1] not in schema.SECTIONS[parts[0]]:
        raise ScenarioError(f"no such field{schema.did_you_mean(key)}; use section.key (or one element: "
                            "key[i], key@YEAR, key@YEAR[i]; or districts[i].field) as listed by `python -m "
                            "model schema`",
                            file=label, field=key)
    section = raw.setdefault(parts[0], {})
    if not isinstance(section, dict):
        where, line = _Locator(list(files)).find(parts[0])
        raise ScenarioError(f"expected a table [{parts[0]}], got {_describe(section)}; fix the file "
                            "before overriding its fields", file=where or file or label, field=parts[0],
                            line=line)
    section[parts[1]] = value


def parse_override(text: str, option: str = "--set") -> tuple[str, object]:
    """``'quits.rate=[0.1]'`` -> ``("quits.rate", [0.1])``; values are TOML, or bare strings.
    ``option``: the command-line option the text came from, for messages."""
    if "=" not in text:
        raise ScenarioError(f"expected key=value, e.g. {option} recruitment.max_age=35", file=option,
                            field=text)
    key, _, val = text.partition("=")
    key, val = key.strip(), val.strip()
    if not key:
        raise ScenarioError(f"expected key=value, e.g. {option} recruitment.max_age=35", file=option,
                            field=text)
    try:
        parsed = _toml_with_long_integers(f"v = {val}")
        value = parsed["v"] if len(parsed) == 1 else val
    except (ValueError, RecursionError) as e:  # TOMLDecodeError is a ValueError
        if val.startswith(("[", "{")):  # meant as a list or table: say what is wrong with it
            shown = cut(val)
            quoted = f"{key}='\"{val if shown == val else '...'}\"'"
            raise ScenarioError(f"{shown!r} is not a valid TOML list or table ({_toml_reason(e)}); e.g. "
                                "[0.1, 0.05] or {2025 = 0.1, 2027 = 0.2} (a text that starts so goes in "
                                f"quotes: {quoted})", file=option, field=key) from None
        value = val
    return key, value


def toml_inline(value) -> str:
    """A TOML value (a number, a switch, a text, a list, a table) written as ``--set``
    reads it back (:func:`parse_override`): ``[0.1, 0.05]``, ``{2021 = 0.2, 2023 = 0.0}``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        return repr(value) if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_inline(v) for v in value) + "]"
    if isinstance(value, Mapping):
        def key(k):
            k = str(k)
            return k if re.fullmatch(r"[A-Za-z0-9_-]+", k) else json.dumps(k, ensure_ascii=False)
        return "{" + ", ".join(f"{key(k)} = {toml_inline(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"not a TOML value: {value!r}")


def _toml_reason(e: Exception) -> str:
    """The parser's complaint without its position in the one-line document it was given."""
    return re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", str(e)) or type(e).__name__


# a comment that begins with "assumption:" (not the words quoted inside another comment,
# as in a header line 'or is marked "# assumption:"')
# '# assumption: why', with a full-width colon, or bare (not 'assumption-free')
_ASSUME = re.compile(r"(?:^|\s)#\s*assumption(?=\s|[:：]|$)\s*[:：]?\s*(.*)$", re.IGNORECASE)
NO_REASON = "(no reason given)"
_PART_ASSUMED = re.compile(r"(?<!not )(?<!was )(?<!no )(?:\bassumptions?\s*[:：]|\(assumptions?\)"
                           r"|\b(?:is|are|an|the)\s+assumptions?\b(?!-)|\bassumed\b(?!\s+by\b))",
                           re.IGNORECASE)
"""A source's comment that says part of the value is assumed ('seed 003: ...; assumption: 5
years', 'the split is an assumption', '(assumption)', 'one person assumed'; not 'this is not
an assumption', 'was an assumption until ...', 'as assumed by the document'): the field is
listed among the assumptions too, with the whole comment, so that the report shows what was
assumed beside what was sourced."""
_KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=")
_HEAD = re.compile(r"^\s*\[\[?\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\]\]?")


def _schedules_not_fitting(raw: dict, start: int, end: int | None) -> list[str]:
    """The fields of ``raw`` holding a schedule with a year outside ``start``-``end`` (no
    later limit if ``end`` is None) or without ``start`` (a base file's schedules, when a
    file that extends it moves the horizon), in schema order."""
    out = []
    for sec, spec in schema.SECTIONS.items():
        given = raw.get(sec)
        for name in spec if isinstance(given, dict) else ():
            x = given.get(name)
            if not isinstance(x, dict) or "dist" in x:
                continue
            years = [int(k) for k in x if re.fullmatch(r"[0-9]{4}", str(k))]
            if years and (min(years) != start or end is not None and max(years) > end):
                out.append(f"{sec}.{name}")
    return out


def _mark(line: str):
    """The ``# assumption`` mark of a line, in a comment (not inside a quoted text), or None."""
    for m in _ASSUME.finditer(line):
        before = line[:m.start() + 1]
        if before.count('"') % 2 == 0 and before.count("'") % 2 == 0:
            return m
    return None


def _assumptions(path: Path, text: str):
    section, pending, entries = "", None, {}
    block: list[str] = []  # the comment lines just above (a key's source where its line has none)
    for line in toml_lines(text):
        if not line.strip() or not line.lstrip().startswith("#"):
            above, block = block, []
        else:
            block.append(split_comment(line)[1])
        h = _HEAD.match(line)
        if h:
            section = h.group(1)
            if line.lstrip().startswith("[["):  # a table array's entry: its fields by index, as --set has them
                entries[section] = entries.get(section, -1) + 1
                section = f"{section}[{entries[section]}]"
        m = _mark(line)
        k = _KEY.match(line)
        if k:
            field = f"{section}.{k.group(1)}" if section else k.group(1)
            comment = split_comment(line)[1] or " ".join(above)  # its own, else the lines above
            if m:
                yield {"file": path.name, "field": field, "text": m.group(1).strip() or NO_REASON}
            elif pending:
                yield {"file": path.name, "field": field, "text": pending}
            elif _PART_ASSUMED.search(comment):  # sourced, but partly assumed
                yield {"file": path.name, "field": field, "text": comment}
            pending = None
        elif m:
            pending = (m.group(1).strip() or NO_REASON) if line.lstrip().startswith("#") else None


def _above_zero(path: str):
    """Whether the field ``path`` of a scenario is read, its mechanism on (not
    :meth:`Scenario.switched_off`), and above 0 in some year."""
    on = _switched_on(path.partition(".")[0])
    return lambda sc: on(sc) and bool(np.any(np.asarray(sc.get(path).resolve(sc.year_list)) > 0))


def _switched_on(*sections: str):
    """Whether any of the mechanisms ``sections`` is on (not :meth:`Scenario.switched_off`;
    a section without a switch is always on)."""
    return lambda sc: not set(sections) <= set(sc.switched_off())


def _all(*conditions):
    """Whether every one of ``conditions`` holds."""
    return lambda sc: all(c(sc) for c in conditions)


def _any(*conditions):
    """Whether one of ``conditions`` holds."""
    return lambda sc: any(c(sc) for c in conditions)


def _pay_by_grade(sc) -> bool:
    """Whether a worker's grade moves their pay in some year (as
    :attr:`model.policies.pay.PayYear.by_grade` finds it), uncertain values at their means:
    then grades matter to the payroll even without the ladder's steps (hires' and starting
    workers' entry grades, elections' minimum grades)."""
    from .policies.pay_table import by_grade, monthly_table
    years = sc.year_list

    def by_year(name, size):
        return np.asarray(sc.get(f"pay.{name}").resolve(years), dtype=float).reshape(len(years), size)
    return by_grade(monthly_table(by_year("monthly", 3), by_year("grade_coefficient", 18),
                                  [by_year(f"table_{k}", 18) for k in ("staff", "committee", "head")]))


def _either_way(sc) -> bool:
    """Read whether or not the mechanism of its section is on."""
    return True


def _districts(urban: bool):
    """Whether some district is urban (``urban=True``) or rural (the implicit district of a
    scenario without ``[[districts]]`` is urban); each has communities from the start."""
    return lambda sc: any(d.urban == urban for d in sc.districts)


def _pay_floors(sc) -> bool:
    from .semantics import pay_floors_set  # the city's floor or a district's, both on pay.floor_basis
    return pay_floors_set(sc)


_READ_ONLY_WITH = {
    "recruitment.exempt_age": _above_zero("recruitment.exempt_share"),
    "recruitment.exempt_max_age": _above_zero("recruitment.exempt_share"),
    "recruitment.exempt_certificate_required": _above_zero("recruitment.exempt_share"),
    "recruitment.max_age_certified_level": _above_zero("recruitment.max_age_certified"),
    "pay.floor_basis": _pay_floors,
    "pay.annuity_posts": _above_zero("pay.annuity_rate"),
    "pay.annuity_excellent": _above_zero("pay.annuity_rate"),
    "quits.reference_pay_ratio": _above_zero("quits.pay_elasticity"),  # pay moves no quit rate without it
    # the rural income only as a benchmark of district head floors, which need it given
    "economy.rural_disposable_income_growth": lambda sc: sc.economy.rural_disposable_income > 0,
    # a mechanism's fields in other sections: its date in the year (a stage with nothing to do
    # still ends an interval of pay accrual there: sums differ in their last digits only), its
    # effects on others
    "calendar.recruitment": _switched_on("recruitment"),
    "calendar.training": _switched_on("training"),
    # nobody is trained (and each with its own mechanism: nobody sits the exam, nobody is assessed)
    "certification.trained_bonus": _all(_switched_on("certification"), _switched_on("training")),
    "assessment.trained_shift": _all(_switched_on("assessment"), _switched_on("training")),
    "calendar.exam": _switched_on("certification"),
    "calendar.assessment": _switched_on("assessment", "dismissal", "elimination", "service_terms"),
    "calendar.promotion": lambda sc: (_switched_on("promotion_out", "elections", "grades")(sc)
                                      or _above_zero("degrees.rate")(sc)),
    "degrees.max_age": _above_zero("degrees.rate"),  # nobody earns a degree
    "degrees.cost_per_degree": _above_zero("degrees.rate"),
    # grades set pay without the ladder's steps too, where pay varies by grade
    **{f"grades.{name}": _any(_switched_on("grades"), _pay_by_grade)
       for name in ("entry_grade", "certificate_bonus", "min_grade", "max_grade")},
    "degrees.regrade": _all(_above_zero("degrees.rate"), _switched_on("grades")),
    "quits.death_rate": _either_way,  # deaths whether or not quits are on (engine._schedule_exits)
    "funding.work_fund_urban": _districts(urban=True),  # a community's fund by its district's `urban`
    "funding.work_fund_rural": _districts(urban=False),
}
"""Fields read only where a condition holds (for :meth:`Scenario.defaulted`). An entry is the
whole condition: for a field of a mechanism that can be switched off, it holds only where
that mechanism is on (:func:`_above_zero` and :func:`_switched_on` of its section say so), or
the field is read either way; a field of such a mechanism without an entry is read while it
is on."""


def _find(path) -> Path:
    """The file a scenario argument names: a path, or a bare name in ``scenarios/``."""
    p = Path(path)
    try:
        # a bare name that is a folder here (run from outputs/, which holds a folder per
        # scenario) is looked up in scenarios/ first; a path is taken as it is
        named = str(path)
        if p.is_file() or (p.exists() and ("/" in named or os.sep in named or named in (".", ".."))):
            return p
        if not p.is_absolute() and (SCENARIO_DIR / p).exists():
            return SCENARIO_DIR / p
        if (SCENARIO_DIR / (str(path) + ".toml")).exists():
            return SCENARIO_DIR / (str(path) + ".toml")
        if not p.is_absolute() and p.parts[:1] == ("scenarios",) and (SCENARIO_DIR.parent / p).is_file():
            return SCENARIO_DIR.parent / p  # scenarios/... from another folder (notebooks/)
    except (OSError, ValueError):
        pass
    return p


def load(path: str | Path | None = None, overrides: dict | list | None = None) -> Scenario:
    """Load, merge and validate a scenario file.

    Parameters
    ----------
    path : str or Path, optional
        The TOML file; a bare name is also looked up in ``scenarios/``. Default: the
        default scenario.
    overrides : dict or list of "key=value", optional
        Fields to replace, as ``--set`` does.

    Raises
    ------
    ScenarioError
        Naming the file, line and field of the first mistake found.
    """
    if path is None:
        path = SCENARIO_DIR / DEFAULT_SCENARIO
    if isinstance(path, Scenario):
        raise ScenarioError(f"scenario {path.name!r} is loaded already: use it as it is, or "
                            "scenario.with_overrides({...}) for other settings", file="model.load")
    if not isinstance(path, (str, os.PathLike)):
        raise ScenarioError(f"expected a scenario file's path or name, got {_describe(path)}", file="model.load")
    if isinstance(path, str) and not path.strip():  # Path("") is the working folder: say what was given
        from .errors import COMMAND_LINE
        got = "an empty string" if not path else f"a blank string {path!r}"
        raise ScenarioError(f"expected a scenario name or a .toml file, got {got}",
                            file="python -m model" if COMMAND_LINE.get() else "model.load")
    p = _find(path)
    if not SCENARIO_DIR.is_dir() and not p.exists() and (p.parent == SCENARIO_DIR or not p.is_absolute()):
        default = p.parent == SCENARIO_DIR
        raise ScenarioError(
            f"file not found; {'the default scenario is' if default else 'nor is it'} in the model's "
            "scenarios/ folder, which this installation has not got (an install without -e ships no "
            "scenarios): give a scenario file's path, or install from the repository with pip install -e .",
            file=f"scenarios/{p.name}" if default else str(path))
    if not p.exists() and not p.is_absolute() and SCENARIO_DIR.is_dir():
        stem = p.name if p.suffix == ".toml" else p.name + ".toml"
        names = sorted(str(f.relative_to(SCENARIO_DIR).with_suffix("")) for f in SCENARIO_DIR.rglob("*.toml"))
        found = [n for n in names if Path(n).name + ".toml" == stem]
        if found:
            raise ScenarioError(f"file not found; the model's scenarios/ has {' and '.join(found)}: give "
                                f"{'that name' if len(found) == 1 else 'one of those names'}", file=str(path))
        import difflib
        near = difflib.get_close_matches(str(path).removesuffix(".toml"), names, n=1)
        if near:
            raise ScenarioError(f"file not found; did you mean {near[0]!r} (in the model's scenarios/)?",
                                file=str(path))
    raw, files = _load_chain(p)
    from .outputs import reads
    for i, (f, _) in enumerate(files):  # an output folder holding one of them is not replaced
        reads(f, "the scenario file" if i == len(files) - 1 else "a file the scenario extends")
    overridden = {}
    written = (raw.get("start_year"), raw.get("years"))  # the files' horizon, before overrides
    if overrides:
        _apply_overrides(raw, files, str(files[-1][0]), as_overrides(overrides), overridden, "--set")
    return Scenario(raw, files, str(p), overridden, horizon=written)


_ARRAY_ENTRY = re.compile(r"(districts|targets)\[(\d{1,6})\]\.([A-Za-z_]+)")


def array_entry(key: str) -> tuple[str, int, str] | None:
    """``("districts", 2, "floor_share")`` for ``districts[2].floor_share`` (one field of one
    entry of a table array, as --set, the levers and :meth:`Scenario.get` name it); else None."""
    m = _ARRAY_ENTRY.fullmatch(key)
    return (m.group(1), int(m.group(2)), m.group(3)) if m else None


def _scaled_value(raw: dict, files, file_label: str, key: str, factor, label: str, overridden) -> tuple:
    """``(field, TOML value)`` that multiplies the field of ``key`` (``quits.rate*``) as set
    so far by ``factor``, as the experiments' levers ``KEY*`` do (so a value solve found can
    be set back)."""
    path = key.strip().removesuffix("*")
    entry = array_entry(path)
    if entry and entry[0] == "districts":  # one district's field, as the levers districts[i].key* take it
        spec, current = _district_field_so_far(raw, entry[1], entry[2], key, label)
    else:
        spec, current = _field_so_far(raw, files, file_label, path, label, key, overridden,
                                      "a multiplier scales a whole field: section.key*")
    if spec.kind not in schema.NUMERIC_KINDS:
        raise ScenarioError(f"{path} is not a number; it cannot be multiplied", file=label, field=key)
    if not finite_number(factor) or not factor >= 0:
        raise ScenarioError(f"a multiplier is a finite number of at least 0, got {_describe(factor)}",
                            file=label, field=key)
    if current is None:
        raise ScenarioError(f"{path} is not set (it has no default), so there is nothing to scale; "
                            "set it first", file=label, field=key)
    points = ([v for _, v in current.points] if isinstance(current, Schedule)
              else [getattr(current, "value", current)])
    if spec.unset is not None and any(v == spec.unset for v in points):
        raise ScenarioError(f"{path} is {spec.unset:g} (not set here) in the scenario, so there is nothing "
                            "to scale; give its value instead", file=label, field=key)
    if spec.kind == "int" and not finite_number(current * factor):  # rounded here: it must be a number
        raise ScenarioError(f"{path} times {factor:g} is far too large", file=label, field=key)
    to_zero = factor == 0 or (spec.kind == "int" and half_up(current * factor) == 0)
    if spec.zero and to_zero and any(not isinstance(v, (int, float)) or v != 0 for v in points):
        raise ScenarioError(f"{path} times {factor:g} is 0, and 0 here means {spec.zero}, not the least "
                            f"amount; set {path} = 0 if that is meant", file=label, field=key)
    return path, scaled_toml(current, factor, spec.kind)


def _district_field_so_far(raw: dict, i: int, name: str, key: str, label: str) -> tuple:
    """``(schema field, value)`` of district ``i``'s field ``name`` as ``raw`` holds it so far
    (its default if unset), for a multiplier (the value is checked with the scenario)."""
    spec = schema.ARRAYS["districts"].get(name)
    if spec is None:
        near = schema.did_you_mean(name, list(schema.ARRAYS["districts"]))
        raise ScenarioError(f"a district has no field {name!r}{near}", file=label, field=key)
    items = raw.get("districts")
    if not isinstance(items, list) or i >= len(items) or not isinstance(items[i], dict):
        have = f"{len(items)} districts" if isinstance(items, list) else "no [[districts]]"
        raise ScenarioError(f"the scenario has {have}, so districts[{i}] cannot be scaled", file=label,
                            field=key)
    value = items[i].get(name, spec.default)
    if spec.kind in schema.NUMERIC_KINDS and not _is_num(value):  # (the file's mistake, not yet checked)
        raise ScenarioError(f"districts[{i}].{name} is not a number ({_describe(value)}); it cannot be "
                            "multiplied", file=label, field=key)
    return spec, value


def _checker_for(raw: dict, files, label: str, overridden=None, horizon=None) -> _Checker:
    """A checker of ``raw``'s fields, its horizon read from ``raw`` where it is whole numbers
    (checked themselves when the scenario is built); ``horizon``, the files' own ``(start_year,
    years)`` before overrides (default: ``raw``'s)."""
    start, years = raw.get("start_year"), raw.get("years")
    w_start, w_years = horizon if horizon is not None else (start, years)
    whole = all(isinstance(x, int) and not isinstance(x, bool) for x in (w_start, w_years))
    return _Checker(label, start if isinstance(start, int) else None,
                    years if isinstance(years, int) else None, files, overridden, raw,
                    w_start + w_years - 1 if whole else None)


def _field_so_far(raw: dict, files, file_label: str, path: str, label: str, key: str, overridden,
                  how: str) -> tuple:
    """``(schema field, value)`` of ``path`` as ``raw`` holds it so far (its default if
    unset; None if it has none), checked alone (an earlier override is blamed for a fault)."""
    sec, _, name = path.partition(".")
    spec = schema.SECTIONS.get(sec, {}).get(name)
    if spec is None:
        raise ScenarioError(f"no such field{schema.did_you_mean(path)}; {how}, as listed by `python -m model "
                            "schema`", file=label, field=key)
    section = raw.get(sec)
    written = section.get(name, spec.default) if isinstance(section, dict) else spec.default
    if written is None or written is schema.REQUIRED:
        return spec, None
    return spec, _checker_for(raw, files, file_label, overridden).value(spec, written, path)


def as_overrides(overrides, label: str = "--set") -> dict:
    """Overrides as ``{field: value}``: from a dict, or a list of ``"field=value"`` texts
    (as ``--set`` takes them); numpy numbers become Python's (``np.int64(50)`` is 50)."""
    if isinstance(overrides, Mapping):
        return {k: _plain(v) for k, v in overrides.items()}
    if isinstance(overrides, (list, tuple)):
        for o in overrides:
            if not isinstance(o, str):
                raise ScenarioError("expected 'field=value' texts in a list of overrides, got "
                                    f"{_describe(o)}", file=label)
        out = {}
        for o in overrides:  # in the order given, a later setting of a key moving it last (it wins)
            key, value = parse_override(o, label)
            out.pop(key, None)
            out[key] = value
        return out
    raise ScenarioError("expected overrides as a dict {field: value} or a list of 'field=value' texts, "
                        f"got {_describe(overrides)}", file=label)


def _plain(value):
    """A value with numpy numbers (and arrays) as Python's, inside lists and dicts too."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):  # a schedule's years as TOML has them: text ({2025: 0.2} -> {"2025": 0.2})
        return {(str(int(k)) if isinstance(k, numbers.Integral) and not isinstance(k, bool) else k): _plain(v)
                for k, v in value.items()}
    return value
