"""Helpers for the robustness tests: calling the command line in-process, writing TOML,
and the one rule every bad input must follow.

The rule (DESIGN.md section 6): a bad input ends with exit status 2 and one line on
stderr, ``error: FILE[:LINE][, field 'PATH']: what was expected``, never a traceback,
and nothing written.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import tomllib
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "scenarios" / "bench.toml"


def call(args) -> tuple[int, str, str]:
    """``python -m model ARGS`` in this process: (exit status, stdout, stderr).

    Any exception other than SystemExit propagates, so a crash fails the test with
    its traceback.
    """
    from model import cli
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            code = cli.main([str(a) for a in args])
        except SystemExit as e:  # argparse
            code = e.code
    return code, out.getvalue(), err.getvalue()


# --------------------------------------------------------------------------- TOML writing

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(k: str) -> str:
    return k if _BARE.fullmatch(k) else toml_str(k)


def toml_str(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)
    if isinstance(v, str):
        return toml_str(v)
    if isinstance(v, (dt.datetime, dt.date, dt.time)):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(e) for e in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{toml_key(k)} = {toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


def dumps(d: dict) -> str:
    """TOML text for ``d``: scalars first, then [tables] and [[arrays of tables]]."""
    lines, tables = [], []
    for k, v in d.items():
        if isinstance(v, dict):
            tables.append((False, k, [v]))
        elif isinstance(v, list) and v and all(isinstance(e, dict) for e in v):
            tables.append((True, k, v))
        else:
            lines.append(f"{toml_key(k)} = {toml_value(v)}")
    for array, k, items in tables:
        for item in items:
            lines.append("")
            lines.append(f"[[{toml_key(k)}]]" if array else f"[{toml_key(k)}]")
            lines += [f"{toml_key(kk)} = {toml_value(vv)}" for kk, vv in item.items()]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- the rule

MESSAGE = re.compile(r"error: (?:(?P<where>.+?)(?::(?P<line>\d+))?, )?(?:field|option) "
                     r"(?:'(?P<field>[^'\\]*)'|(?P<fieldr>(?P<q>[\"'])(?:[^\\]|\\.)*?(?P=q))): "
                     r"(?P<msg>\S.*)|error: (?P<where2>.+?)(?::(?P<line2>\d+))?: (?P<msg2>\S.*)")


class Message:
    """The parts of ``error: FILE[:LINE][, field 'PATH']: message`` (None where absent)."""

    def __init__(self, m: re.Match):
        field = m.group("field")
        if m.group("fieldr"):
            import ast
            field = ast.literal_eval(m.group("fieldr"))  # a repr()-quoted field (a string literal only)
        self.parts = {"where": m.group("where") or m.group("where2"), "line": m.group("line") or m.group("line2"),
                      "field": field, "msg": m.group("msg") or m.group("msg2")}

    def group(self, name: str):
        return self.parts[name]


def parses(data: bytes) -> bool:
    try:
        tomllib.loads(data.decode("utf-8").removeprefix("\ufeff"))
        return True
    except (ValueError, RecursionError):
        return False


def written(text: str, field: str) -> bool:
    """Is the field's top-level key or section plainly written in the text (as a bare key)?

    An independent, deliberately simple oracle: a top-level key before the first table
    header, or a ``[section]`` / ``[[array]]`` header anywhere.
    """
    parts = re.split(r"[.\[]", field)
    first = parts[0]
    if not _BARE.fullmatch(first):
        return False
    preamble = re.split(r"(?m)^\s*\[", text, maxsplit=1)[0]
    if re.search(rf"(?m)^\s*{re.escape(first)}\s*[=.]", preamble):
        return True
    return len(parts) > 1 and bool(re.search(rf"(?m)^\s*\[\[?\s*{re.escape(first)}\s*[\].]", text))


def check_error(code: int, stdout: str, stderr: str, files: dict[Path, bytes]) -> Message:
    """Assert the bad-input rule for one call; return the parsed message.

    ``files`` maps each file of the case to its bytes (to tell whether TOML could give
    a line, and whether the field is written in the named file).
    """
    assert "Traceback" not in stderr + stdout, stderr
    assert code == 2, f"exit {code}, stderr: {stderr!r}"
    lines = stderr.strip("\n").split("\n")
    assert len(lines) == 1, f"expected one line, got: {stderr!r}"
    match = MESSAGE.fullmatch(lines[0])
    assert match, f"not 'error: FILE[:LINE], field ...: message': {lines[0]!r}"
    m = Message(match)
    where = m.group("where") or ""
    named = [p for p in files if where in (str(p), p.name) or where.endswith("/" + p.name)]
    option = (where.startswith("--") or (not where and (m.group("field") or "").startswith("--"))
              or where.startswith("python -m model"))  # argparse: "python -m model run: argument --set: ..."
    assert named or option, f"message names neither a case file nor an option: {lines[0]!r}"
    if named and named[0].suffix == ".toml":  # (a manifest is JSON: its fields have no lines)
        data = files[named[0]]
        blank = not data.removeprefix(b"\xef\xbb\xbf").strip()  # "the file is empty"
        if parses(data) and not blank:
            assert m.group("field"), f"no field path in {lines[0]!r}"
            if written(data.decode("utf-8", "replace"), m.group("field")):
                assert m.group("line"), f"the field is written in the file but no line is given: {lines[0]!r}"
        elif not blank:
            assert m.group("line") or "cannot be read" in m.group("msg"), f"no line in {lines[0]!r}"
    return m
