"""Scenario files: loading, ``extends``, overrides and validation.

A scenario is a TOML file (:mod:`model.schema` lists every field). Loading it

1. reads the file (UTF-8) and its ``extends`` parents, relative to the file naming them;
2. merges them, the child's fields over the parent's (a child's ``[[targets]]`` or
   ``[[districts]]`` replace the parent's);
3. applies ``--set section.key=value`` overrides;
4. validates every field against the schema and runs the semantic checks;

and returns a frozen :class:`Scenario`. Any mistake raises one :class:`ScenarioError`
naming the file, the field path and what was expected. Nothing in a file is evaluated
as code.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np

from . import schema
from .errors import ScenarioError
from .params import Constant, Schedule, Uncertain, dist_problem

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
DEFAULT_SCENARIO = "bench.toml"
_LINE = re.compile(r"at line (\d+)")


# --------------------------------------------------------------------------- reading

def _read_toml(path: Path) -> tuple[dict, str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise ScenarioError("is a folder, expected a .toml file", file=str(path)) from None
    except OSError as e:
        raise ScenarioError(f"cannot be read ({e.strerror})", file=str(path)) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ScenarioError(f"is not UTF-8 text (byte {e.start})", file=str(path), line=line) from None
    if not text.strip():
        raise ScenarioError("file is empty; a scenario needs at least start_year and years",
                            file=str(path))
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as e:
        m = _LINE.search(str(e))
        raise ScenarioError(f"is not valid TOML: {e}", file=str(path),
                            line=int(m.group(1)) if m else None) from None


def _merge(base: dict, child: dict) -> dict:
    out = copy.deepcopy(base)
    for k, v in child.items():
        if k in schema.SECTIONS and isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = {**out[k], **copy.deepcopy(v)}
        else:
            out[k] = copy.deepcopy(v)
    return out


def _load_chain(path: Path, seen: tuple = ()) -> tuple[dict, list[tuple[Path, str]]]:
    """Raw merged dict and the (path, text) of every file in the chain, parents first."""
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(p.name for p in seen + (path,))
        raise ScenarioError(f"'extends' forms a cycle: {chain}", file=str(seen[-1]), field="extends")
    raw, text = _read_toml(path)
    parent = raw.pop("extends", None)
    if parent is None:
        return raw, [(path, text)]
    if not isinstance(parent, str) or not parent:
        raise ScenarioError("expected the path of a base scenario (a string)", file=str(path), field="extends")
    ppath = (path.parent / parent)
    if not ppath.exists():
        raise ScenarioError(f"base scenario '{parent}' not found (looked for {ppath})",
                            file=str(path), field="extends")
    base, files = _load_chain(ppath, seen + (path,))
    if "name" not in raw:
        base.pop("name", None)
    return _merge(base, raw), files + [(path, text)]


# --------------------------------------------------------------------------- validation

def _is_num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


class _Checker:
    def __init__(self, file: str, start: int | None, years: int | None):
        self.file = file
        self.start = start
        self.end = None if start is None or years is None else start + years - 1

    def fail(self, path, msg):
        raise ScenarioError(msg, file=self.file, field=path)

    def number(self, f: schema.Field, x, path, what="a number"):
        if not _is_num(x):
            self.fail(path, f"expected {what}, got {type(x).__name__} {x!r}")
        if isinstance(x, float) and not math.isfinite(x):
            self.fail(path, f"expected a finite number, got {x}")
        if f.lo is not None and x < f.lo or f.hi is not None and x > f.hi:
            self.fail(path, f"{x} is outside the allowed range [{f.lo}, {f.hi}]"
                      + (f" ({f.unit})" if f.unit else ""))
        return float(x)

    def vector(self, f, x, path):
        if not isinstance(x, list):
            self.fail(path, f"expected a list of {f.size or 'some'} numbers, got {type(x).__name__}")
        if f.size is not None and len(x) != f.size:
            self.fail(path, f"expected a list of {f.size} numbers, got {len(x)}")
        if not x:
            self.fail(path, "expected a non-empty list of numbers")
        v = tuple(self.number(f, e, f"{path}[{i}]") for i, e in enumerate(x))
        if f.sums_to_one and abs(sum(v) - 1) > 1e-6:
            self.fail(path, f"shares must add up to 1, they add up to {sum(v):g}")
        return v

    def schedule(self, f, x, path, elem):
        interp = x.get("interp", "step")
        if interp not in ("step", "linear"):
            self.fail(f"{path}.interp", f"expected 'step' or 'linear', got {interp!r}")
        pts = []
        for k, v in x.items():
            if k == "interp":
                continue
            if not re.fullmatch(r"\d{4}", k):
                self.fail(f"{path}.{k}", "expected a year (4 digits) as key of a schedule, "
                          "or a table with 'dist' for an uncertain value")
            y = int(k)
            if self.start is not None and not self.start <= y <= self.end:
                self.fail(f"{path}.{k}", f"year {y} is outside the horizon {self.start}-{self.end}")
            if pts and y <= pts[-1][0]:
                self.fail(f"{path}.{k}", "schedule years must increase")
            pts.append((y, elem(v, f"{path}.{k}")))
        if not pts:
            self.fail(path, "a schedule needs at least one year")
        return Schedule(tuple(pts), interp)

    def value(self, f: schema.Field, x, path):
        k = f.kind
        if k == "param":
            if isinstance(x, dict) and "dist" in x:
                args = {a: v for a, v in x.items() if a != "dist"}
                for a, v in args.items():
                    if not _is_num(v) or not math.isfinite(v):
                        self.fail(f"{path}.{a}", f"expected a finite number, got {v!r}")
                prob = dist_problem(x["dist"], args) if isinstance(x["dist"], str) else "dist must be a name"
                if prob:
                    self.fail(path, prob)
                u = Uncertain(x["dist"], tuple(args.items()), f.lo, f.hi)
                if f.lo is not None and u.frozen().mean() < f.lo or f.hi is not None and u.frozen().mean() > f.hi:
                    self.fail(path, f"the distribution's mean is outside [{f.lo}, {f.hi}]")
                return u
            if isinstance(x, dict):
                return self.schedule(f, x, path, lambda v, p: self.number(f, v, p))
            return Constant(self.number(f, x, path))
        if k == "vec":
            if isinstance(x, dict):
                return self.schedule(f, x, path, lambda v, p: self.vector(f, v, p))
            return Constant(self.vector(f, x, path))
        if k == "int":
            if not isinstance(x, int) or isinstance(x, bool):
                self.fail(path, f"expected a whole number, got {type(x).__name__} {x!r}")
            self.number(f, x, path)
            return int(x)
        if k in ("float", "date"):
            if k == "date":
                f = schema.Field("float", lo=0.0, hi=1.0, unit="fraction of year")
            return self.number(f, x, path)
        if k == "bool":
            if not isinstance(x, bool):
                self.fail(path, f"expected true or false, got {x!r}")
            return x
        if k == "str":
            if not isinstance(x, str):
                self.fail(path, f"expected a string, got {type(x).__name__} {x!r}")
            if f.choices and x not in f.choices:
                self.fail(path, f"expected one of {', '.join(map(repr, f.choices))}, got {x!r}")
            return x
        if k == "years":
            if not isinstance(x, list) or not all(isinstance(e, int) and not isinstance(e, bool) for e in x):
                self.fail(path, "expected a list of years (whole numbers)")
            if any(not 0 <= e <= 2200 for e in x):
                self.fail(path, "years must be between 0 and 2200")
            if list(x) != sorted(set(x)):
                self.fail(path, "years must increase and not repeat")
            return tuple(x)
        if k == "dates":
            if not isinstance(x, list) or not x:
                self.fail(path, "expected a non-empty list of instants in the year (0..1)")
            d = tuple(self.number(schema.Field("float", lo=0.0, hi=1.0), e, f"{path}[{i}]") for i, e in enumerate(x))
            if list(d) != sorted(set(d)):
                self.fail(path, "instants must increase and not repeat")
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
                if not _is_num(w) or not math.isfinite(w) or w <= 0:
                    self.fail(p, "weight must be a positive number")
                out.append((lo, hi, float(w)))
            return tuple(out)
        raise AssertionError(k)

    def table(self, spec: dict, raw: dict, path: str) -> dict:
        if not isinstance(raw, dict):
            self.fail(path, f"expected a table [{path}], got {type(raw).__name__}")
        unknown = sorted(set(raw) - set(spec))
        if unknown:
            near = ", ".join(sorted(spec))
            self.fail(f"{path}.{unknown[0]}" if path else unknown[0],
                      f"unknown key; allowed here: {near}")
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

    @property
    def metric_name(self) -> str:
        """The metric with its scope: ``certified_share.urban``."""
        return f"{self.metric}.{self.scope}" if self.scope else self.metric


@dataclass(frozen=True)
class District:
    name: str
    communities: int
    urban: bool
    households_scale: float
    floor_share: float


class Scenario:
    """A validated, frozen scenario.

    Attributes
    ----------
    name, description : str
    start_year, years : int
        First year and horizon; ``year_list`` is every simulated year.
    path : pathlib.Path or None
    targets : tuple of Target
    districts : tuple of District (one implicit urban district if none given)
    assumptions : tuple of dict
        Fields whose comment says ``# assumption: ...`` (file, field, text).
    The sections are attributes: ``scenario.pay.monthly`` is a
    :class:`~model.params.Constant`, :class:`~model.params.Schedule` or
    :class:`~model.params.Uncertain`.
    """

    def __init__(self, raw: dict, files: list[tuple[Path, str]], label: str):
        self._raw = raw
        self._files = files
        self._label = label
        self.path = files[-1][0] if files else None
        start, years = raw.get("start_year"), raw.get("years")
        ck = _Checker(label, start if isinstance(start, int) else None,
                      years if isinstance(years, int) else None)
        top = ck.table(schema.TOP, {k: v for k, v in raw.items() if k in schema.TOP}, "")
        unknown = sorted(set(raw) - set(schema.TOP) - set(schema.SECTIONS) - set(schema.ARRAYS))
        if unknown:
            ck.fail(unknown[0], "unknown key; allowed at the top level: "
                    + ", ".join(list(schema.TOP) + list(schema.SECTIONS) + list(schema.ARRAYS)))
        # start_year and years are validated before any schedule depends on them
        ck.start, ck.end = top["start_year"], top["start_year"] + top["years"] - 1
        self.name = top["name"] or (self.path.stem if self.path else "scenario")
        if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.\-]*", self.name):
            ck.fail("name", "use letters, digits, '-', '_' and '.' only (it names the output folder)")
        self.description = top["description"]
        self.start_year = top["start_year"]
        self.years = top["years"]
        self._sections = {}
        for sec, spec in schema.SECTIONS.items():
            self._sections[sec] = Section(ck.table(spec, raw.get(sec, {}), sec))
        arrays = {}
        for arr, spec in schema.ARRAYS.items():
            items = raw.get(arr, [])
            if not isinstance(items, list):
                ck.fail(arr, f"expected an array of tables [[{arr}]]")
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
        self.assumptions = tuple(a for p, t in files for a in _assumptions(p, t))
        from .semantics import check
        check(self, ck)

    # sections as attributes
    def __getattr__(self, k):
        secs = self.__dict__.get("_sections", {})
        if k in secs:
            return secs[k]
        raise AttributeError(k)

    @property
    def end_year(self) -> int:
        return self.start_year + self.years - 1

    @property
    def year_list(self) -> np.ndarray:
        return np.arange(self.start_year, self.start_year + self.years)

    @property
    def raw(self) -> dict:
        """The merged scenario as plain TOML-like data (a copy)."""
        return copy.deepcopy(self._raw)

    def sections(self) -> dict[str, Section]:
        return dict(self._sections)

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
        return out

    @property
    def hash(self) -> str:
        """SHA-256 of the resolved parameters (what was run, whatever the file layout)."""
        blob = json.dumps(self.resolved(), sort_keys=True, default=str).encode()
        return hashlib.sha256(blob).hexdigest()

    @property
    def file_hash(self) -> str:
        """SHA-256 of the scenario file and its parents, as text."""
        h = hashlib.sha256()
        for p, t in self._files:
            h.update(t.encode())
        return h.hexdigest()

    def uncertain(self) -> dict[str, Uncertain]:
        """Parameters drawn once per replication, by field path."""
        return {f"{s}.{k}": v for s, sec in self._sections.items() for k, v in sec.items()
                if isinstance(v, Uncertain)}

    def get(self, path: str):
        """The value of a field by dotted path (``pay.growth``)."""
        s, _, k = path.partition(".")
        if s in self._sections and k in schema.SECTIONS[s]:
            return getattr(self._sections[s], k)
        if path in schema.TOP:
            return getattr(self, path)
        raise ScenarioError("no such field", field=path)

    def with_overrides(self, overrides: dict, label: str = "--set") -> "Scenario":
        """A new scenario with fields replaced (``{"quits.rate": [0.1]}``), validated."""
        raw = self.raw
        for key, value in overrides.items():
            _set(raw, key, value, label)
        return Scenario(raw, self._files, label)

    def __repr__(self):
        return f"<Scenario {self.name} {self.start_year}-{self.end_year}>"

    def __reduce__(self):
        # rebuilt (and re-validated) from its data in worker processes
        return (Scenario, (self._raw, self._files, self._label))


def _set(raw: dict, key: str, value, label: str):
    parts = key.split(".")
    if len(parts) == 1 and key in schema.TOP and key != "extends":
        raw[key] = value
        return
    if len(parts) != 2 or parts[0] not in schema.SECTIONS or parts[1] not in schema.SECTIONS[parts[0]]:
        raise ScenarioError("no such field; use section.key as listed by `python -m model schema`",
                            file=label, field=key)
    raw.setdefault(parts[0], {})[parts[1]] = value


def parse_override(text: str) -> tuple[str, object]:
    """``'quits.rate=[0.1]'`` -> ``("quits.rate", [0.1])``; values are TOML, or bare strings."""
    if "=" not in text:
        raise ScenarioError("expected key=value", file="--set", field=text)
    key, _, val = text.partition("=")
    key, val = key.strip(), val.strip()
    try:
        value = tomllib.loads(f"v = {val}")["v"]
    except tomllib.TOMLDecodeError:
        value = val
    return key, value


_ASSUME = re.compile(r"#\s*assumption:\s*(.*)$", re.IGNORECASE)
_KEY = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=")
_HEAD = re.compile(r"^\s*\[\[?\s*([A-Za-z_][A-Za-z0-9_.]*)\s*\]\]?")


def _assumptions(path: Path, text: str):
    section, pending = "", None
    for line in text.splitlines():
        h = _HEAD.match(line)
        if h:
            section = h.group(1)
        m = _ASSUME.search(line)
        k = _KEY.match(line)
        if k:
            field = f"{section}.{k.group(1)}" if section else k.group(1)
            if m:
                yield {"file": path.name, "field": field, "text": m.group(1).strip()}
            elif pending:
                yield {"file": path.name, "field": field, "text": pending}
            pending = None
        elif m:
            pending = m.group(1).strip() if line.lstrip().startswith("#") else None


def load(path: str | Path | None = None, overrides: dict | list | None = None) -> Scenario:
    """Load, merge and validate a scenario file.

    Parameters
    ----------
    path : str or Path, optional
        The TOML file; a bare name is also looked up in ``scenarios/``. Default: the
        default scenario.
    overrides : dict or list of "key=value", optional
        Fields to replace, as ``--set`` does.
    """
    if path is None:
        path = SCENARIO_DIR / DEFAULT_SCENARIO
    p = Path(path)
    if not p.exists() and not p.is_absolute() and (SCENARIO_DIR / p).exists():
        p = SCENARIO_DIR / p
    if not p.exists() and (SCENARIO_DIR / (str(path) + ".toml")).exists():
        p = SCENARIO_DIR / (str(path) + ".toml")
    raw, files = _load_chain(p)
    label = str(p)
    if overrides:
        if isinstance(overrides, (list, tuple)):
            overrides = dict(parse_override(o) for o in overrides)
        for k, v in overrides.items():
            _set(raw, k, v, "--set")
        label = f"{p} (with --set)"
    return Scenario(raw, files, label)
