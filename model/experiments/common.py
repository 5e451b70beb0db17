"""What the policy experiments share: levers, outputs, batches of runs on common random
numbers, and paired statistics.

A **lever** is one scenario field an experiment changes, written as on the command line:

``section.key``
    the whole field. A number sets a constant (replacing a schedule or a distribution);
    for a vector field (``quits.rate``: one rate per tenure band) a number sets every
    element, so ``quits.rate = 0.1`` means 0.1 in every band.
``section.key[i]``
    element ``i`` (from 0) of a vector field, keeping the others (in every year of a
    schedule).
``section.key@YEAR``, ``section.key@YEAR[i]``
    the point of the schedule at ``YEAR`` (its element ``i``), keeping the other points;
    this is how :meth:`~model.scenario.Scenario.uncertain` names an uncertain schedule
    point.
``section.key*``
    a multiplier of the scenario's own value: every element, every schedule point, or
    the location and spread of a distribution are multiplied by it. ``1`` is the
    scenario as written.

An **output** is what an experiment looks at: a metric's mean in a year (``--metric
payroll --year 2026``) or the probability that a target is met (``--target NAME`` for a
target of the scenario, or an expression such as ``--target "certified_share>=0.6@2024"``).

Every scenario variant of an experiment runs with the same root seed, so replication
``r`` of each variant draws from the same random streams (:mod:`model.streams`): the
variants differ only through the lever, which is what makes their differences precise.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import re
import sys
import tomllib
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import schema
from ..errors import COMMAND_LINE, UserError, cut, finite_number, whole_number
from ..params import Constant, Schedule, Uncertain, entry_key, parse_key
from ..sampling import half_up

LEVER_KINDS = schema.NUMERIC_KINDS + ("bool", "str")
_TARGET = re.compile(r"^\s*([^\s<>=@]+)\s*(>=|<=|==|>|<)\s*([-+]?[0-9][0-9_.eE+-]*)\s*(?:@\s*(\d{4}))?\s*$")


# --------------------------------------------------------------------------- scenarios

def as_scenario(scenario, overrides=None):
    """A loaded :class:`~model.scenario.Scenario` from a scenario, a path or a bare name."""
    from ..scenario import Scenario, load
    if scenario is None:  # load(None) is the default scenario; an experiment names what it runs, as model.run
        raise UserError("expected a loaded scenario, or a scenario file's path or name, got None "
                        "(model.load() loads the default scenario)", field="scenario")
    if isinstance(scenario, Scenario):
        return scenario.with_overrides(overrides) if overrides else scenario
    return load(scenario, overrides or None)


def note_scenarios(scenarios) -> None:
    """One warning for each distinct note the experiment's scenarios carry
    (:func:`model.runner.scenario_notes`: targets cut horizons leave out, a roster's leaders
    held to lower posts); each experiment calls it once, and its runs give none
    (:func:`run_many`), where each run, in every process, had warned them again."""
    from ..runner import scenario_notes
    for text in dict.fromkeys(n for sc in scenarios for n in scenario_notes(sc)):
        warnings.warn(text, UserWarning, stacklevel=3)


# --------------------------------------------------------------------------- levers

@dataclass(frozen=True)
class Lever:
    """One scenario field that an experiment sets (see the module docstring).

    Attributes
    ----------
    path : str
        ``section.key``.
    index : int or None
        Element of a vector field, or None for the whole field.
    scale : bool
        The value multiplies the scenario's own value.
    field : model.schema.Field
    year : int or None
        Point of a schedule, or None for every year.
    option : str
        The option it was given with (``--param``, ``--lever``), named by its messages.
    """

    path: str
    index: int | None
    scale: bool
    field: schema.Field
    year: int | None = None
    option: str = "--param"

    @classmethod
    def parse(cls, text: str, option: str = "--param") -> Lever:
        """Read ``section.key``, ``section.key[i]``, ``section.key@YEAR[i]`` or ``section.key*``,
        or a district's field, ``districts[i].key`` (or ``districts[i].key*``)."""
        key_text = text.strip()
        star = key_text.endswith("*")
        from ..scenario import array_entry
        district = array_entry(key_text.removesuffix("*"))
        if district and district[0] == "districts":
            key = district[2]
            f = schema.ARRAYS["districts"].get(key)
            if f is None:
                raise UserError(f"{shown(text)}: a district has no field {key!r}"
                                f"{schema.did_you_mean(key, list(schema.ARRAYS['districts']))}; its fields: "
                                f"{', '.join(schema.ARRAYS['districts'])}", field=option)
            if f.kind not in LEVER_KINDS or key in ("name", "label_zh"):
                raise UserError(f"districts[i].{key} names the district; an experiment cannot vary it",
                                field=option)
            if star and f.kind not in schema.NUMERIC_KINDS:
                raise UserError(f"districts[i].{key} is not a number; it cannot be multiplied", field=option)
            return cls(f"districts[{district[1]}].{key}", None, star, f, None, option)
        # the syntax of an uncertain entry's key (model.params), plus the multiplier's *
        path, year, idx = parse_key(key_text.removesuffix("*")) or ("", None, None)
        sec, _, key = path.partition(".")
        if sec not in schema.SECTIONS or key not in schema.SECTIONS[sec]:
            top = re.split(r"[\[@*]", key_text, maxsplit=1)[0].strip()
            if top in schema.TOP:
                how = (f"; to change it for the whole experiment, give --set {top}=..." if COMMAND_LINE.get()
                       else f"; to change it for the whole experiment, give overrides={{'{top}': ...}}")
                how = "" if top == "extends" else how
                raise UserError(f"{shown(top)} is a top-level field of the scenario, which an experiment "
                                f"cannot vary (levers are section.key fields, as listed by `python -m model "
                                f"schema`){how}", field=option)
            meant = schema.did_you_mean(path or key_text)
            raise UserError(f"{shown(text)} is not a scenario field{meant}; use "
                            "section.key (optionally key[i], key@YEAR or key*) as listed by `python -m model "
                            "schema`", field=option)
        f = schema.SECTIONS[sec][key]
        if f.kind not in LEVER_KINDS:
            raise UserError(f"{sec}.{key} is a {f.kind!r} field, which an experiment cannot vary; "
                            "vary a number, a vector, a switch or a choice", field=option)
        if idx is not None and f.kind != "vec":
            raise UserError(f"{sec}.{key} is not a vector; drop [{idx}]", field=option)
        if idx is not None and f.size is not None and int(idx) >= f.size:
            raise UserError(f"{sec}.{key} has {f.size} elements (0..{f.size - 1}); got [{idx}]", field=option)
        if star and f.kind not in schema.NUMERIC_KINDS:
            raise UserError(f"{sec}.{key} is not a number; it cannot be multiplied", field=option)
        if star and idx is not None:
            raise UserError(f"{sec}.{key}[{idx}]*: a multiplier scales the whole field; write {sec}.{key}* "
                            f"to scale every element, or {sec}.{key}[{idx}] to set this one", field=option)
        if year is not None and (f.kind not in ("param", "vec") or star):
            raise UserError(f"{sec}.{key}: @{year} names a point of a schedule; drop it"
                            + (" (or the *)" if star else ""), field=option)
        return cls(path, idx, star, f, year, option)

    @property
    def name(self) -> str:
        return entry_key(self.path, self.year, self.index) + ("*" if self.scale else "")

    def __str__(self) -> str:
        return self.name

    @property
    def numeric(self) -> bool:
        return self.field.kind in schema.NUMERIC_KINDS

    @property
    def integer(self) -> bool:
        """Only whole values differ (an ``int`` field, or a number the model rounds to a whole
        one, ``Field.integer``: posts, hires, trainees), set directly."""
        return (self.field.kind == "int" or self.field.integer) and not self.scale

    def as_run(self, value):
        """``value`` (a number, or an array of them) as the model takes it: a whole-number
        lever's rounded half up, as the model rounds a count (2.5 -> 3); any other's as it
        is. Floats: a float for a number, a float array for an array."""
        x = np.asarray(value, dtype=float)
        x = np.asarray(half_up(x), dtype=float) if self.integer else x
        return float(x) if x.ndim == 0 else x

    def fractional(self, values) -> list:
        """Those of ``values`` this lever cannot take for their fraction: finite numbers
        that are not whole, for a whole-number lever (:attr:`integer`; none for another).
        The one rule of :meth:`check_whole_range` and :func:`check_whole_values`; what is
        not a finite number is for the checks of numbers to refuse."""
        return [x for x in values if self.integer and finite_number(x) and x != math.floor(x)]

    def check_whole_range(self, lo: float, hi: float, option: str) -> None:
        """Fail with one message if this whole-number lever is given a range with a
        fractional end (solve, calibrate and sensitivity search or sample whole values)."""
        if self.fractional((lo, hi)):
            raise UserError(f"{self.name} takes whole numbers; give a whole-number range, got {lo:g},{hi:g}",
                            field=option)

    def limits(self) -> tuple[float, float]:
        """The range the schema allows for a value of this lever."""
        if self.scale:
            return 0.0, math.inf
        if self.field.kind == "date":
            return 0.0, 1.0
        lo = -math.inf if self.field.lo is None else float(self.field.lo)
        hi = math.inf if self.field.hi is None else float(self.field.hi)
        return lo, hi

    def check_no_switch_at_zero(self, lo: float, option: str, scenario) -> None:
        """Fail when a search range reaches 0 of a field where 0 switches it off rather
        than being an amount (``Field.zero``: training capacity 0 is unlimited, not none):
        the output does not move one way from 0 to the next values. A multiplier reaches
        it when ``lo`` times the scenario's value is 0, or rounds to 0 for a whole number."""
        what = self.field.zero
        if what is None:
            return
        if self.scale:  # the least value the multiplier gives, over the years (uncertain: the mean)
            v = scenario.get(self.path)
            smallest = np.min(v.resolve(scenario.year_list)) if isinstance(v, (Constant, Schedule, Uncertain)) else v
            least = lo * float(smallest)
            # an int field's multiple is rounded before the model sees it (params.scaled_toml); a
            # count the model rounds itself is tested unrounded (a cap of 0.4 hires none: no switch)
            reaches = least <= 0 or (self.field.kind == "int" and half_up(least) == 0)
        else:
            reaches = lo <= 0
        if reaches:
            raise UserError(f"0 means '{what}' for {self.path}, not the smallest amount, so the search cannot "
                            f"pass through it: start the range where {self.path} is above 0, or compare 0 with "
                            "another value using sweep", field=option)

    def check_numeric(self) -> None:
        """Fail with one message if this lever is not a number (it has no range)."""
        if not self.numeric:
            raise UserError(f"{self.name} is not a number; give a numeric field", field=self.option)

    def check_range(self, lo: float, hi: float, option: str = "--param") -> None:
        """Fail with one message if ``[lo, hi]`` is not a usable range of this lever."""
        self.check_numeric()
        if not (finite_number(lo) and finite_number(hi)):
            raise UserError(f"{self.name}: expected a range of two finite numbers, got {cut(repr(lo))}, "
                            f"{cut(repr(hi))}", field=option)
        if not lo < hi:
            swap = f" (swap them: {hi:g},{lo:g})" if lo > hi else ""
            raise UserError(f"{self.name}: expected low < high, got {lo:g}, {hi:g}{swap}", field=option)
        a, b = self.limits()
        if lo < a or hi > b:
            raise UserError(f"{self.name}: the range [{lo:g}, {hi:g}] leaves the allowed range "
                            f"[{a:g}, {b:g}]", field=option)

    def check_ends(self, scenario, lo: float, hi: float, option: str = "--range") -> None:
        """Fail with one message naming ``option`` if the lever cannot be set to an end of
        ``[lo, hi]`` in ``scenario`` (a multiplier that takes an uncertain value's mean out
        of its distribution's range, a district floor the city's rules forbid...): the end,
        why, and the furthest value from the other end that works, found by bisection."""
        def fails(x) -> UserError | None:
            try:
                self.apply(scenario, x)
            except UserError as e:
                return e
            return None
        for end, other in ((hi, lo), (lo, hi)):
            e = fails(end)
            if e is None:
                continue
            which = "high" if end == hi else "low"
            reach = ""
            if fails(other) is None:  # between them: the last value that works, to 4 digits (whole: exactly)
                good, bad = other, end
                for _ in range(60):
                    if abs(bad - good) <= (1 if self.integer else 1e-4 * max(abs(good), abs(bad), 1e-12)):
                        break
                    mid = (good + bad) / 2
                    if self.integer:  # a fraction is not a value of a whole-number lever
                        mid = math.floor(mid) if end > other else math.ceil(mid)
                    good, bad = (mid, bad) if fails(mid) is None else (good, mid)
                if self.integer:
                    inward = good
                else:  # 4 digits, inwards
                    step = 10.0 ** (math.floor(math.log10(abs(good))) - 3) if good else 1e-4
                    inward = math.floor(good / step) * step if end > other else math.ceil(good / step) * step
                about = "" if self.integer else "about "
                reach = (f"; the range can reach {about}{inward:.4g} from {other:g}" if inward != other else
                         f"; {self.name} can go no {'higher' if end > other else 'lower'} than {other:g} "
                         "here, so a range cannot start from it")
            field = f", {e.field}" if e.field and e.field != self.path else ""
            raise UserError(f"{self.name} = {end:g} (the range's {which} end) is not a valid value{field}: "
                            f"{e.message}{reach}", field=option) from None

    def current(self, scenario) -> float | None:
        """The scenario's own value of the lever (1 for a multiplier), for reporting; None
        where it has none: a text or switch, or a schedule whose years differ in what the
        lever sets (:meth:`flattens`)."""
        if self.scale:
            return 1.0
        v = scenario.get(self.path)
        if self.flattens(v) or isinstance(v, (bool, str)) or v is None:
            return None
        if isinstance(v, (Constant, Schedule, Uncertain)):
            c = v.central(self.year) if self.year is not None and isinstance(v, Schedule) else v.central()
            if isinstance(c, tuple):
                c = c[self.index] if self.index is not None else (c[0] if len(set(c)) == 1 else float(np.mean(c)))
        else:
            c = v
        unset = self.field.unset is not None and float(c) == self.field.unset  # (-1: the city's, not a value)
        return None if unset else float(c)

    def override(self, scenario, value) -> tuple[str, object]:
        """The ``(key, value)`` override that sets the lever to ``value``: a whole field's
        TOML value, or for one element (``key[i]``, ``key@YEAR``) the number itself,
        which :meth:`model.scenario.Scenario.with_overrides` puts in place."""
        if self.element or self.scale:  # (a multiplier: with_overrides scales the field as `--set key*=x`)
            self._check_number(value)
            return self.name, float(value)
        return self.path, self.raw_value(scenario, value)

    def flattens(self, value) -> tuple | None:
        """Whether setting this lever to one number replaces a schedule by year (``value``,
        the field's) whose points differ in what the lever sets: the whole field, or element
        ``key[i]`` of every point. The points as (year, what the lever sets), or None (a
        multiplier keeps a schedule's shape; ``key@YEAR`` sets one point)."""
        if self.scale or self.year is not None or not isinstance(value, Schedule):
            return None
        points = [(y, p[self.index] if self.index is not None and isinstance(p, tuple) else p)
                  for y, p in value.points]
        return tuple(points) if len({repr(p) for _, p in points}) > 1 else None

    def _check_number(self, value) -> None:
        """Fail with one message if ``value`` is not a finite number (this lever's value)."""
        if not finite_number(value):
            number = isinstance(value, numbers.Real) and not isinstance(value, bool)  # inf, nan, 10**400
            said = "expected a finite one, " if number else ""
            raise UserError(f"{self.name} is a number; {said}got {cut(repr(value))}", field=self.option)

    @property
    def element(self) -> bool:
        """One element of the field (``key[i]``, ``key@YEAR``), not the whole of it."""
        return not self.scale and (self.year is not None or self.index is not None)

    def raw_value(self, scenario, value):
        """The TOML value that puts ``value`` into the whole field of ``scenario``."""
        f, v0 = self.field, scenario.get(self.path)
        kind = f.kind
        if kind == "bool":
            if not isinstance(value, bool):
                raise UserError(f"{self.name} is a switch; expected true or false, got {value!r}", field=self.option)
            return value
        if kind == "str":
            return str(value)
        self._check_number(value)
        x = float(value)
        if self.scale:  # the field as the multiplier leaves it (the one rule of `--set key*=x`)
            v = scenario.with_overrides({self.name: x}).get(self.path)
            return v.to_toml() if isinstance(v, (Constant, Schedule, Uncertain)) else v
        if v0 is None and kind == "vec":
            raise UserError(f"{self.path} is not set in {scenario.name} (it has no default), so there is nothing "
                            "to fill; set it in the scenario first", field=self.option)
        if kind == "int":
            if abs(x - round(x)) > 1e-9:
                raise UserError(f"{self.name} is a whole number; got {x:g}", field=self.option)
            return round(x)
        if kind in ("float", "date", "param"):
            return x
        return [x] * len(_vector_points(v0)[0][1])  # a whole vector: every element

    def apply(self, scenario, value):
        """A new scenario with the lever set to ``value`` (validated)."""
        return scenario.with_overrides(dict([self.override(scenario, value)]),
                                       label=f"{self.option} {self.name}={_said(value)}")  # the value


def _said(value) -> str:
    """A lever's value as a message names it: 4, 0.25, not 4.0000000001."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    return f"{value:.6g}" if isinstance(value, (int, float, np.integer, np.floating)) else str(value)


def _vector_points(v) -> list[tuple[int | None, tuple]]:
    if isinstance(v, Schedule):
        return [(y, tuple(e)) for y, e in v.points]
    return [(None, tuple(v.value))]


def check_distinct(levers, option: str = "--param") -> None:
    """Fail with one message if two levers set the same thing: the same field, a field and
    one of its elements, or elements that overlap (``key[0]`` and ``key@2022``: the point
    of 2022 holds element 0 too); the later would silently undo the earlier."""
    def overlap(x, y):  # None (every year, every element) overlaps anything
        return x is None or y is None or x == y
    levers = list(levers)
    for i, a in enumerate(levers):
        for b in levers[:i]:
            if a.path != b.path:
                continue
            if a.name == b.name:
                raise UserError(f"{a.name} is given twice; vary each field (or element) once", field=option)
            if not (a.element and b.element) or (overlap(a.year, b.year) and overlap(a.index, b.index)):
                raise UserError(f"{a.name} and {b.name} both set part of {a.path}; vary each part once",
                                field=option)


def apply_levers(scenario, levers, values):
    """``scenario`` with each lever set to its value, in order (validated once when the
    levers are different fields)."""
    levers, values = list(levers), list(values)
    if len({lv.path for lv in levers}) == len(levers):
        raw = dict(lv.override(scenario, x) for lv, x in zip(levers, values))
        return scenario.with_overrides(raw, label=f"{levers[0].option} " + ", ".join(
            f"{lv.name}={_said(x)}" for lv, x in zip(levers, values)))
    for lv, x in zip(levers, values):
        scenario = lv.apply(scenario, x)
    return scenario


def parse_value(text: str):
    """One grid value: a TOML number, boolean or string (bare text is a string)."""
    text = text.strip()
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):  # not a value: the lever refuses the text
        return text


def shown(text: str) -> str:
    """``text`` as a message quotes it: its repr, cut to 60 characters."""
    r = repr(text)
    return r if len(r) <= 60 else cut(r, 59) + r[0]  # the quote closed


def check_runs(points: int, reps: int, option: str, what: str) -> None:
    """An experiment of ``points`` scenario variants, ``reps`` replications each, runs at
    most :data:`model.schema.MAX_REPS` replications in all (the most one run may have),
    or a :class:`UserError` naming ``option`` before anything runs."""
    if points * reps > schema.MAX_REPS:
        raise UserError(f"{points:,} {what} x {reps:,} replications = {points * reps:,} runs in all, "
                        f"more than this model runs in one command ({schema.MAX_REPS:,}); ask for fewer",
                        field="--reps" if reps >= points else option)


def parse_values(text: str, lever: Lever, option: str = "--param") -> list:
    """``"35,40,45"`` -> ``[35, 40, 45]`` (also ``lo:hi:n`` for ``n`` evenly spaced values)."""
    text = text.strip()
    m = re.fullmatch(r"([^:,]+):([^:,]+):(\d{1,15})", text)
    if m:
        a, b, n = parse_value(m.group(1)), parse_value(m.group(2)), int(m.group(3))
        if not (finite_number(a) and finite_number(b)) or n < 2:
            raise UserError(f"{lever.name}: expected low:high:count (two finite numbers, a count of at "
                            f"least 2), got {shown(text)}", field=option)
        if a == b:
            raise UserError(f"{lever.name}: low and high are both {a:g} in {shown(text)}, so every value "
                            "would be the same; give two different ends", field=option)
        if n > schema.MAX_REPS:
            raise UserError(f"{lever.name}: {n:,} values, more than this model runs in one command "
                            f"({schema.MAX_REPS:,} runs); ask for fewer", field=option)
        lever.check_whole_range(a, b, option)
        vals = list(np.linspace(float(a), float(b), n))
        if lever.integer:
            vals = sorted({half_up(float(v)) for v in vals})  # as the model rounds a count
        return vals
    vals = [parse_value(t) for t in text.split(",") if t.strip()]
    if not vals:
        raise UserError(f"{lever.name}: expected values separated by commas, got {shown(text)}",
                        field=option)
    if lever.numeric and not all(finite_number(x) for x in vals):
        raise UserError(f"{lever.name} is a number; expected finite numbers separated by commas, got "
                        f"{shown(text)}", field=option)
    if len(set(map(repr, vals))) != len(vals):
        raise UserError(f"{lever.name}: a value is repeated in {shown(text)}", field=option)
    check_whole_values(lever, vals, option, f" in {shown(text)}")
    return vals


def check_whole_values(lever, vals, option: str, where: str = "") -> None:
    """Fail with one message if a whole-number lever is given a fractional value: it would
    run rounded (1.4 as 1) while the tables said 1.4 (:meth:`Lever.fractional`)."""
    fractional = lever.fractional(vals)
    if fractional:
        raise UserError(f"{lever.name} takes whole numbers (the model rounds it half up); got "
                        f"{fractional[0]:g}{where}", field=option)


def parse_range(text: str, lever: Lever, option: str = "--param") -> tuple[float, float]:
    """``"0.05,0.2"`` -> ``(0.05, 0.2)``, checked against the field's allowed range."""
    lever.check_numeric()
    vals = parse_values(text, lever, option)
    if len(vals) != 2:
        raise UserError(f"{lever.name}: expected low,high, got {shown(text)}", field=option)
    lo, hi = float(vals[0]), float(vals[1])
    lever.check_range(lo, hi, option)
    return lo, hi


def split_params(tokens: list[str], option: str = "--param") -> list[tuple[str, str]]:
    """One ``--param``'s tokens as (key, values) pairs: ``["a.b=1,2", "c.d=3,4"]`` (several
    KEY=VALUES after one option) or ``["a.b", "1,2"]`` (:func:`split_param`)."""
    if len(tokens) > 1 and all("=" in t for t in tokens):
        return [split_param([t], option) for t in tokens]
    if len(tokens) > 2 and len(tokens) % 2 == 0 and not any("=" in t for t in tokens):  # KEY VALUES KEY ...
        return [split_param(tokens[i:i + 2], option) for i in range(0, len(tokens), 2)]
    return [split_param(tokens, option)]


def split_param(tokens: list[str], option: str = "--param") -> tuple[str, str]:
    """``["a.b", "1,2"]`` or ``["a.b=1,2"]`` -> ``("a.b", "1,2")``."""
    if len(tokens) == 1 and "=" in tokens[0]:
        k, _, v = tokens[0].partition("=")
        return k.strip(), v.strip()
    if len(tokens) == 2 and "=" not in tokens[0]:
        return tokens[0].strip(), tokens[1].strip()
    raise UserError(f"expected KEY VALUES or KEY=VALUES, got {' '.join(tokens)!r} (put the scenario "
                    "before the options)", field=option)


# --------------------------------------------------------------------------- outputs

@dataclass(frozen=True)
class Output:
    """What an experiment looks at: a metric's mean in a year, or a target's probability.

    Attributes
    ----------
    metric : str
        Metric name, with its scope (``certified_share.urban``).
    year : int
    target : model.scenario.Target or None
        When set, the output is the probability that the target is met.
    """

    metric: str
    year: int
    target: object = None

    @property
    def is_probability(self) -> bool:
        """True for a target's probability (met or not in each replication), False for a
        metric's mean."""
        return self.target is not None

    @property
    def label(self) -> str:
        """What the output is, in English (:meth:`label_in`)."""
        return self.label_in("en")

    def label_in(self, lang: str = "en") -> str:
        """What the output is: ``P(certified_share >= 0.3 in 2021)`` or ``headcount 2030``,
        in Chinese ``P(持证率 >= 0.3，2021年)`` or ``在岗人数，2030年``."""
        t = self.target
        if lang != "zh":
            return f"P({t.metric_name} {t.op} {t.threshold:g} in {t.year})" if t is not None \
                else f"{self.metric} {self.year}"
        from ..report.labels import metric
        if t is not None:
            return f"P({metric(t.metric_name, 'zh')} {t.op} {t.threshold:g}，{t.year}年)"
        return f"{metric(self.metric, 'zh')}，{self.year}年"

    @property
    def unit(self) -> str:
        """The output's unit: ``probability``, or the metric's (:func:`model.metrics.unit`)."""
        from ..metrics import unit
        return "probability" if self.is_probability else unit(self.metric)

    def per_rep(self, res) -> np.ndarray:
        """One value per replication: the metric, or 1.0 / 0.0 for a target met / not met."""
        if self.target is not None:
            return res.target_hits(self.target).astype(float)
        return res.at(self.metric, self.year).astype(float)

    def value(self, res) -> float:
        """The mean over replications (for a target: the probability it is met)."""
        v = self.per_rep(res)
        v = v[np.isfinite(v)]
        return float(v.mean()) if len(v) else float("nan")

    def interval(self, res, level: float = 0.95) -> tuple[float, float]:
        """95% interval of :meth:`value`: Wilson for a probability, t for a mean."""
        from ..results import wilson
        v = self.per_rep(res)
        v = v[np.isfinite(v)]
        if self.target is not None:
            return wilson(int(v.sum()), len(v), level)
        return mean_interval(v, level)

    @classmethod
    def parse(cls, scenario, metric: str | None = None, year: int | None = None,
              target: str | None = None, default: str = "target") -> Output:
        """From ``--metric`` / ``--year`` or ``--target``; with neither, ``default`` decides:
        ``"target"`` takes the scenario's first target (or headcount in the last year)."""
        if metric is not None and target is not None:
            raise UserError("give either --metric or --target, not both", field="--target")
        if target is not None and year is not None:
            raise UserError("--year goes with --metric; a target has its own year", field="--year")
        if target is not None:
            t = find_target(scenario, target)
            return cls(t.metric_name, t.year, t)
        if metric is None and year is not None:
            raise UserError("--year goes with --metric (without --metric the output is the scenario's first "
                            "target, or headcount): add --metric, e.g. --metric headcount --year "
                            f"{int(year)}", field="--year")
        if metric is None:
            if default == "target" and scenario.targets:
                t = scenario.targets[0]
                return cls(t.metric_name, t.year, t)
            metric = "headcount"
        check_reported(scenario, metric, None, "--metric")
        year = scenario.end_year if year is None else int(year)
        check_reported(scenario, metric, year, "--year")
        return cls(metric, year, None)


def warn_no_effect(what: str, change: str) -> None:
    """Warn that ``what`` (results equal to another's in every metric, year and
    replication) means ``change`` had no effect: compare and sweep, instead of a silent
    difference of 0 [0, 0]."""
    import warnings
    warnings.warn(f"{what} for every metric, year and replication: {change} has no effect here (a value it "
                  "already had, or a field the run does not read, such as a city-wide setting every "
                  "district overrides)", UserWarning, stacklevel=3)


def warn_lever_replaces(scenario, lever, doing: str) -> None:
    """Warn of what setting ``lever`` (not a multiplier) replaces in ``scenario``, so that
    ``doing`` (``solving for``, ``sweeping``, ``fitting``) loses it: a field's uncertainty
    (it is set to fixed values), a vector's differences between its elements (a number
    sets every element: pay.monthly = 5000 pays every post alike). Solve, sweep and
    calibrate alike."""
    import warnings
    if lever.scale:
        return
    if lever.path in scenario.random_fields():
        warnings.warn(f"{lever.path} is uncertain in {scenario.name} (drawn in each replication); "
                      f"{doing} {lever.name} sets it to fixed values, so the results leave that uncertainty "
                      f"out ({doing} the multiplier {lever.path}* keeps it)", UserWarning, stacklevel=3)
    v = scenario.get(lever.path)
    points = lever.flattens(v)
    if points:
        shown = "; ".join(f"{y} = {_point_text(p)}" for y, p in points[:4])
        shown += "; ..." if len(points) > 4 else ""
        warnings.warn(f"{lever.path} changes by year in {scenario.name} ({shown}); {doing} {lever.name} sets "
                      f"one value for every year, so the results leave that schedule out ({lever.path}@YEAR "
                      f"sets one year's point; the multiplier {lever.path}* keeps the schedule)", UserWarning,
                      stacklevel=3)
    if lever.field.kind == "vec" and lever.index is None and isinstance(v, (Constant, Schedule, Uncertain)):
        differ = [(y, e) for y, e in _vector_points(v) if len({repr(x) for x in e}) > 1]
        if differ:  # the first point whose elements differ (of a schedule, any)
            y, e = differ[0]
            shown = ", ".join(_point_text(x) for x in e)
            when = f" in {y}" if y is not None else ""
            warnings.warn(f"{doing} {lever.name} sets each of its {len(e)} elements to the same value, "
                          f"where {scenario.name} has {shown}{when}; the multiplier {lever.path}* keeps "
                          f"their differences, {lever.path}[i] sets one", UserWarning, stacklevel=3)


def lever_settings(lv, value: str, sc, given: list[str]) -> list[str]:
    """The ``--set`` options that run the scenario at the lever's value ``value`` (as
    printed): the user's own, in their order, then the lever's (a later setting wins), in
    the form ``--set`` takes: one element as itself, a whole vector as a list, a multiplier
    as itself after the user's settings of the field, or, where the user multiplied the field
    too (a second ``key*`` would replace theirs), the whole field as the answer leaves it,
    exactly. The user's settings of the lever's field that the lever's replaces are left out.
    Solve and calibrate print them (with several levers, each lever's in turn over the
    settings so far)."""
    from ..scenario import parse_override, toml_inline

    def field_of(key: str) -> str:
        parsed = parse_key(key.removesuffix("*"))
        return parsed[0] if parsed else key
    own = [(o, parse_override(o)[0].strip()) for o in given]
    mine = [k for _, k in own if field_of(k) == lv.path]  # the user's settings of the lever's field
    replaced = {lv.name} if lv.element or lv.scale else set(mine)
    if lv.scale and lv.name in mine:  # the field as solved, whole: the product of the two, rounded once
        setting = f"{lv.path}={toml_inline(lv.raw_value(sc, float(value)))}"
        replaced = set(mine)
    elif lv.scale:
        setting = f"{lv.name}={value}"
    elif lv.element or lv.field.kind != "vec":
        setting = f"{lv.name}={value}"
    else:  # the lever sets every element of a vector (of every point of its schedule)
        setting = f"{lv.path}=[{', '.join([value] * len(lv.raw_value(sc, float(value))))}]"
    return [o for o, k in own if k not in replaced] + [setting]


def _point_text(p) -> str:
    """A schedule point's value as a warning shows it: 1200, drawn, [5000, 4000]."""
    if isinstance(p, tuple):
        return "[" + ", ".join(_point_text(e) for e in p) + "]"
    return f"{p:g}" if isinstance(p, (int, float)) else "drawn"


def named_output(scenario, output) -> Output:
    """The output a Python caller names: an :class:`Output`; a :class:`~model.scenario.Target`;
    a metric's name (in the last year) or ``metric@YEAR``; a target's name, or a target
    expression such as ``certified_share>=0.6@2024`` (its probability)."""
    from ..metrics import names
    from ..scenario import Target
    if isinstance(output, Output):
        return output
    if isinstance(output, Target):
        check_target(scenario, output)
        return Output(output.metric_name, output.year, output)
    if not isinstance(output, str):
        raise UserError(f"expected an output: a metric's name (headcount, or headcount@2025 for a year), a "
                        f"target's name or expression, or a Target; got {output!r}", field="--output")
    text = output.strip()
    metric, at, year = text.partition("@")
    if metric in set(names(scenario)) and (not at or re.fullmatch(r"\d{4}", year)):
        try:
            return Output.parse(scenario, metric=metric, year=int(year) if at else None)
        except UserError as e:  # a year outside the horizon: the output named it
            raise UserError(e.message, field="--output") from None
    try:
        return Output.parse(scenario, target=text)
    except UserError as e:
        raise UserError(f"{output!r} is neither a metric (headcount, or headcount@2025 for a year; see "
                        f"`python -m model metrics`) nor a target: {e.message}", field="--output") from None


def check_target(scenario, target) -> None:
    """Fail with one message naming --target unless ``target`` is a target (a
    :class:`~model.scenario.Target`) whose metric ``scenario`` reports in a year of its
    horizon (a target of another scenario may name neither)."""
    from ..scenario import Target
    if not isinstance(target, Target):
        raise UserError(f"expected a target: its name, an expression like 'certified_share>=0.6@2024', or a "
                        f"Target; got {target!r}", field="--target")
    check_reported(scenario, target.metric_name, target.year, "--target", f"target {target.name!r}: ")


def check_reported(scenario, metric: str, year: int | None, field: str, about: str = "") -> None:
    """Fail with one message naming ``field`` (and starting with ``about``) unless
    ``scenario`` reports ``metric`` and ``year`` (when given) is in its horizon."""
    from ..metrics import names
    known = names(scenario)
    if metric not in set(known):
        near = schema.did_you_mean(metric, known)
        raise UserError(f"{about}unknown metric {metric!r}{near}: {scenario.name} "
                        "does not report it; see `python -m model metrics`", field=field)
    if year is not None and not scenario.start_year <= year <= scenario.end_year:
        horizon = f"{scenario.start_year}-{scenario.end_year}"
        raise UserError(f"{about}year {year} is outside the horizon {horizon}", field=field)


def find_target(scenario, text: str):
    """A target of ``scenario`` by name, or a new one from ``metric>=value@year`` (without
    ``@year``: the horizon's last year)."""
    from ..scenario import Target
    for t in scenario.targets:
        if t.name == text:
            return t
    for t in scenario.targets_after_horizon:
        if t.name == text:
            raise UserError(f"target {text!r} is in {t.year}, after the horizon cut short to "
                            f"{scenario.start_year}-{scenario.end_year}; run to {t.year} or choose another "
                            "target", field="--target")
    m = _TARGET.match(text)
    if not m:
        known = ", ".join(repr(t.name) for t in scenario.targets) or "none"
        near = schema.did_you_mean(text.strip(), [t.name for t in scenario.targets], cutoff=0.6)
        near = f"; {near.strip()[1:-1]}" if near else ""  # ' (did you mean ...?)' inside the list's brackets
        percent = re.match(r"^\s*[^\s<>=@]+\s*(>=|<=|==|>|<)\s*[-+]?[0-9][0-9_.]*\s*%", text)
        hint = " (a share as a number: 0.6, not 60%)" if percent else ""
        raise UserError(f"{shown(text)} is neither a target of {scenario.name} (targets: {known}{near}) nor "
                        f"an expression like 'certified_share>=0.6@2024'{hint}", field="--target")
    metric, op, thr, year = m.groups()
    base, _, scope = metric.partition(".")
    if scope and not scenario.implicit_district:  # a district by its Chinese label too (headcount.玄武区)
        from ..scenario import scope_named
        metric = f"{base}.{scope_named(scope, scenario.districts)}"
    check_reported(scenario, metric, None, "--target")
    try:
        threshold = float(thr)
    except ValueError:
        raise UserError(f"{thr!r} is not a number", field="--target") from None
    year = scenario.end_year if year is None else int(year)
    check_reported(scenario, metric, year, "--target")
    from ..semantics import threshold_problem
    problem = threshold_problem(metric.partition(".")[0], threshold)
    if problem:
        raise UserError(problem, field="--target")
    base, _, scope = metric.partition(".")
    return Target(name=text.strip(), metric=base, year=year, op=op, threshold=threshold, scope=scope,
                  source="command line")


# --------------------------------------------------------------------------- statistics

def mean_interval(v: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Student-t interval of the mean of ``v`` (NaN with fewer than 2 values)."""
    from scipy import stats
    v = np.asarray(v, dtype=float)
    v = v[np.isfinite(v)]
    n = len(v)
    if n < 2:
        return float("nan"), float("nan")
    m, s = float(v.mean()), float(v.std(ddof=1))
    h = float(stats.t.ppf(0.5 + level / 2, n - 1)) * s / math.sqrt(n)
    return m - h, m + h


def paired_effect(a: np.ndarray, b: np.ndarray, proportion: bool, level: float = 0.95) -> dict:
    """The difference ``b - a`` of one output over replications run on the same random
    numbers (1-D ``a``, ``b``), with its standard error and interval: a paired t-interval
    (:func:`paired_difference`), or for a target met or not (``proportion``) Newcombe's
    interval for paired proportions (:func:`model.results.paired_proportions`: within
    [-1, 1], with width where every replication changes the same way). Floats:
    ``difference``, ``se`` (NaN from one replication), ``low``, ``high``."""
    st = paired_difference(a, b, level)
    n = int(st["n"])
    out = {"difference": float(st["difference"]), "se": float(st["sd"]) / math.sqrt(n) if n > 1 else math.nan,
           "low": float(st["low"]), "high": float(st["high"])}
    if proportion:
        from ..results import paired_proportions
        out["difference"], out["low"], out["high"] = paired_proportions(a, b, level)
    return out


def paired_difference(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> dict:
    """Paired and unpaired statistics of ``b - a`` over replications (axis 0).

    ``a`` and ``b`` have shape (reps, ...); replication ``r`` of both used the same random
    streams. Replications where either value is NaN are left out.

    Returns
    -------
    dict of arrays
        ``n``, ``difference`` (mean of ``b_r - a_r``), ``sd``
        (of the per-replication differences), ``low``/``high`` (paired t-interval,
        ``difference -+ t_{n-1} sd / sqrt(n)``), and ``unpaired_low``/``unpaired_high``
        (Welch interval, as if the two had independent random numbers).
    """
    from scipy import stats
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    n = ok.sum(axis=0)
    nn = np.where(n > 0, n, 1)
    az, bz = np.where(ok, a, 0.0), np.where(ok, b, 0.0)
    ma, mb = az.sum(axis=0) / nn, bz.sum(axis=0) / nn
    d = np.where(ok, b - a, 0.0)
    md = d.sum(axis=0) / nn
    with np.errstate(invalid="ignore", divide="ignore"):
        dof = np.where(n > 1, n - 1, np.nan)
        var_d = (np.where(ok, d - md, 0.0) ** 2).sum(axis=0) / dof
        va = (np.where(ok, a - ma, 0.0) ** 2).sum(axis=0) / dof / nn
        vb = (np.where(ok, b - mb, 0.0) ** 2).sum(axis=0) / dof / nn
        tq = stats.t.ppf(0.5 + level / 2, dof)
        half = np.where(var_d > 0, tq * np.sqrt(var_d / nn), np.where(n > 1, 0.0, np.nan))
        se_u = np.sqrt(va + vb)
        welch_df = (va + vb) ** 2 / (va ** 2 / dof + vb ** 2 / dof)
        half_u = np.where(se_u > 0, stats.t.ppf(0.5 + level / 2, welch_df) * se_u,
                          np.where(n > 1, 0.0, np.nan))
    nan = n == 0
    md = np.where(nan, np.nan, md)
    return {"n": n, "difference": md, "sd": np.sqrt(var_d),
            "low": md - half, "high": md + half, "unpaired_low": md - half_u, "unpaired_high": md + half_u}


# --------------------------------------------------------------------------- running

def _run_noted(scenario, **options):
    """:func:`model.run` of a scenario the experiment has noted (:func:`note_scenarios`):
    the run gives no notes again (here, or in a pool's process)."""
    from ..runner import NOTED, run
    token = NOTED.set(True)
    try:
        return run(scenario, quiet=True, **options)
    finally:
        NOTED.reset(token)


def _run_one(scenario, reps, seed):
    return _run_noted(scenario, reps=reps, seed=seed, workers=1, backend="local")


def run_many(scenarios, reps: int | None = None, seed: int | None = None, workers: int | None = None,
             backend: str | None = None, scheduler: str | None = None, quiet: bool = True,
             desc: str = "runs", about: dict | None = None) -> list:
    """Run every scenario with the same seed (common random numbers); list of Results.

    ``reps`` and ``seed`` default to the first scenario's ``[run]`` section. Scenarios
    are spread over local processes when there are several (each runs its
    replications serially), or run one after another on the Dask backend. ``about``, a
    dict, gathers where they ran, as an experiment's manifest records it
    (:func:`model.runner.where_ran` of these runs and of those it holds already; where the
    scenarios were spread over a pool of local processes, each ran in one of them, and the
    pool's processes are the workers).
    """
    from ..runner import reps_and_seed, where_ran
    scenarios = list(scenarios)
    if not scenarios:
        return []
    reps, seed = reps_and_seed(scenarios[0], reps, seed)
    results, pool = _run_all(scenarios, reps, seed, workers, backend, scheduler, quiet, desc)
    if about is not None:
        ran = where_ran(results)
        if pool:  # each ran in one of the pool's processes, side by side
            ran["workers"] = pool
        about.update(where_ran([about, ran]))
    return results


def _run_all(scenarios, reps, seed, workers, backend, scheduler, quiet, desc) -> tuple[list, int]:
    """:func:`run_many`'s runs, and the size of the process pool they were spread over (0
    where each run had its own processes, or ran here)."""
    from ..runner import backend_of, default_workers
    if workers is not None:  # (a run on a shared cluster is given its address, and checks none)
        workers = whole_number(workers, "--workers", 1)
    if backend_of(backend, scheduler) == "dask":  # (DASK_SCHEDULER_ADDRESS too, unless local is asked for)
        from ..cluster import shared_local_cluster
        with shared_local_cluster(backend, scheduler, workers):
            return [_run_noted(s, reps=reps, seed=seed, workers=workers, backend="dask", scheduler=scheduler)
                    for s in _progress(scenarios, quiet, desc)], 0
    if workers is None:
        workers = default_workers(reps * len(scenarios))
    if len(scenarios) < workers:  # each run spreads its replications (and sizes its processes)
        return [_run_noted(s, reps=reps, seed=seed, workers=workers, backend="local")
                for s in _progress(scenarios, quiet, desc)], 0
    from ..runner import available_memory, process_pool, processes_that_fit
    workers = processes_that_fit(scenarios, workers, available_memory())
    if workers == 1:
        return [_run_one(s, reps, seed) for s in _progress(scenarios, quiet, desc)], 0
    with process_pool(workers) as submit:
        futs = submit(_run_one, [(s, reps, seed) for s in scenarios])
        return [f.result() for f in _progress(futs, quiet, desc)], workers


def _counter(desc: str):
    """A progress counter without a known end (tqdm's, on stderr), or None without tqdm."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(desc=desc, unit="value", delay=1.0, disable=None, file=sys.stderr, leave=False)


def _progress(items, quiet: bool, desc: str):
    if quiet or len(items) < 2:
        return items
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return items
    return tqdm(items, desc=desc, unit="run", delay=1.0, disable=None, file=sys.stderr, leave=False)


class Evaluator:
    """Runs scenario variants on common random numbers, remembering each result.

    Used by :func:`~model.experiments.solve.solve` and
    :func:`~model.experiments.calibrate.calibrate`, which ask for the same variant
    more than once, as a context manager: ``with Evaluator(...) as ev:`` starts what the
    values tried share (:meth:`__enter__`), and leaving the block, however it is left,
    closes it. Made, it starts nothing (its ``reps`` and ``seed`` may be checked first).
    """

    def __init__(self, scenario, levers, reps, seed, workers=None, backend=None, scheduler=None,
                 quiet: bool = True):
        self.scenario = scenario
        self.quiet = quiet
        self.bar = None  # the counter of values tried, while open
        self._open = contextlib.ExitStack()
        self.levers = list(levers)
        from ..runner import reps_and_seed
        self.reps, self.seed = reps_and_seed(scenario, reps, seed)
        # one variant at a time: a process pool per variant only pays for long runs
        if workers is None and backend is None and not scheduler and self.reps < 200:
            workers = 1
        self.workers, self.backend, self.scheduler = workers, backend, scheduler
        self.cache: dict = {}
        self.replications = 0
        self.ran_on: dict = {}  # where the values tried ran (run_many's `about`), for the manifest

    def __enter__(self) -> Evaluator:
        """Start what every value tried shares: on the Dask backend without a scheduler, one
        local cluster (:func:`model.cluster.shared_local_cluster`, as :func:`run_many` shares
        one between an experiment's runs: starting one per value cost about 3 s each), and
        the counter of values tried (unless quiet)."""
        from ..runner import backend_of
        with contextlib.ExitStack() as stack:
            if backend_of(self.backend, self.scheduler) == "dask":
                from ..cluster import shared_local_cluster
                stack.enter_context(shared_local_cluster(self.backend, self.scheduler, self.workers))
            self.bar = None if self.quiet else _counter("values tried")
            stack.callback(self.close)
            self._open = stack.pop_all()
        return self

    def __exit__(self, *exc) -> None:
        """Close the counter and the local cluster (if any), once."""
        self._open.close()

    def key(self, values) -> tuple:
        """The point as run: a whole-number lever's value rounded (2.3 and 2.4 run as 2)."""
        return tuple(lv.as_run(v) if lv.integer else round(float(v), 12)
                     for lv, v in zip(self.levers, values))

    def __call__(self, values):
        k = self.key(values)
        if k not in self.cache:
            sc = apply_levers(self.scenario, self.levers,
                              [lv.as_run(v) for lv, v in zip(self.levers, values)])
            (res,) = run_many([sc], self.reps, self.seed, self.workers, self.backend, self.scheduler,
                              about=self.ran_on)
            self.cache[k] = res
            self.replications += self.reps
            if self.bar is not None:
                self.bar.update(1)
        return self.cache[k]

    def close(self) -> None:
        """End the progress counter (if any)."""
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    @property
    def evaluations(self) -> int:
        return len(self.cache)


# --------------------------------------------------------------------------- writing

def default_out(command: str, scenario_name: str) -> Path:
    from ..cli import OUTPUTS
    return OUTPUTS / f"{command}-{scenario_name}"


def manifest(command: str, scenarios, reps: int, seed: int, extra: dict | None = None, argv=None, *,
             ran_on: dict) -> dict:
    """What an experiment ran, for the record; ``ran_on``: where its runs ran (the
    experiment's ``ran_on``, as :func:`run_many` gathers it), recorded as ``model run``'s
    manifest records a run's (:func:`model.runner.where_ran`: ``backend``, ``workers``,
    ``scheduler``)."""
    import datetime as _dt

    from ..cli import _version, versions
    from ..runner import where_ran
    return {
        "command": command,
        "argv": list(sys.argv if argv is None else argv),
        "scenarios": [{"name": s.name, "file": str(s.path) if s.path else None, "hash": s.hash,
                       "file_hash": s.file_hash, "set": s.overridden()} for s in scenarios],
        "seed": seed, "reps": reps, **where_ran([ran_on]), "package_version": _version(),
        "versions": versions(),
        "created": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        **(extra or {}),
    }


def input_file(path) -> dict:
    """An input file for the record: where it was read and its SHA-256 (the same as
    ``sha256sum FILE``), so a manifest tells whether the file has changed since."""
    import hashlib
    p = Path(path).resolve()
    return {"path": str(p), "sha256": hashlib.sha256(p.read_bytes()).hexdigest()}


def write_table(df, path: Path) -> None:
    from ..results import CSV_FLOAT
    df.to_csv(path, index=False, float_format=CSV_FLOAT)


def fmt(x: float, unit: str = "", like: float | None = None, difference: bool = False) -> str:
    """A number for a terminal line: shares as %, money in millions. With ``like`` (the
    other end of an interval), money is in millions if either is, so that an interval's
    two ends are in one unit. A ``difference`` of shares is in percentage points (pp):
    80% against 75% is +5.0 pp, not 5.0%; a difference has its sign, + too."""
    if x is None or not np.isfinite(x):
        return "n/a"
    if unit in ("share", "probability") or unit.startswith("share"):
        return f"{x * 100:+.1f} pp" if difference else f"{x:.1%}"
    size = max(abs(x), abs(like)) if like is not None and np.isfinite(like) else abs(x)
    sign = "+" if difference else ""
    if unit.startswith("yuan/year") and size >= 1e4:  # sums of money; not an amount per worker
        m = x / 1e6
        return f"{m:{sign},.0f}M" if abs(m) >= 999.5 else f"{m:{sign}.3g}M"  # 1,040M, not 1.04e+03M
    if abs(x) >= 100:
        return f"{x:{sign},.0f}"
    return f"{x:{sign}.3g}"


def fmt_interval(low: float, high: float, unit: str = "", difference: bool = False,
                 size: float | None = None) -> str:
    """``[low, high]`` for a terminal line, both ends in one unit (:func:`fmt`; ``size``:
    the largest magnitude shown beside them, which sets the unit)."""
    size = _largest(low, high) if size is None else size
    return f"[{fmt(low, unit, size, difference)}, {fmt(high, unit, size, difference)}]"


def fmt_estimate(value: float, low: float, high: float, unit: str = "", difference: bool = False) -> str:
    """``value [low, high]`` for a terminal line, all three in one unit (:func:`fmt`;
    money named once: ``898M yuan [884M, 912M]``)."""
    size = _largest(value, low, high)
    shown = fmt(value, unit, size, difference)
    if shown.endswith("M") and unit.startswith("yuan/year"):
        shown += " yuan"
    return f"{shown} {fmt_interval(low, high, unit, difference, size)}"


def _largest(*xs) -> float | None:
    finite = [abs(x) for x in xs if x is not None and np.isfinite(x)]
    return max(finite) if finite else None


def lever_items(params, what: str, example: str, option_example: str) -> list[tuple]:
    """``params`` as ``(lever, value)`` pairs, from a dict or a list of pairs, or one message
    naming --param: each parameter with its ``what`` (values, range), as ``example`` (from
    Python) or ``--param option_example``."""
    def wrong(got):
        return UserError(f"expected each parameter with its {what}, as {example} (or --param "
                         f"{option_example}), got {cut(repr(got))}", field="--param")
    if isinstance(params, dict):
        return list(params.items())
    if isinstance(params, (str, bytes)):
        raise wrong(params)
    try:
        items = list(params)
    except TypeError:
        raise wrong(params) from None
    for item in items:
        if isinstance(item, (str, bytes)) or not isinstance(item, (tuple, list)) or len(item) != 2:
            raise wrong(item)
    return items


def lever_range(key, rng, option: str = "--param") -> tuple[Lever, tuple[float, float]]:
    """A lever (``Lever`` or its text) and its range (``"lo,hi"`` or a pair), checked
    against the field's allowed range."""
    lv = key if isinstance(key, Lever) else Lever.parse(str(key), option)
    if isinstance(rng, str):
        return lv, parse_range(rng, lv, option)
    lv.check_numeric()
    try:
        lo, hi = (float(x) for x in rng)
    except (TypeError, ValueError, OverflowError):  # overflow: a whole number too large for a float
        raise UserError(f"{lv.name}: expected a range (low, high) of two numbers, got {cut(repr(rng))}",
                        field=option) from None
    lv.check_range(lo, hi, option)
    return lv, (lo, hi)


def levers_with_ranges(param_args) -> list:
    """``--param KEY=LO,HI`` options (as argparse collects them) -> [(Lever, (lo, hi)), ...]."""
    return [lever_range(*pair) for tokens in param_args for pair in split_params(tokens)]
