"""The command line: ``python -m model COMMAND ...``.

Commands: ``run`` (default scenario when none is named), ``validate``, ``rerun``,
``compare``, ``sweep``, ``solve``, ``sensitivity``, ``calibrate``, ``metrics``,
``schema``. A user's mistake (bad scenario, bad option) prints one message naming the
file and field and exits with status 2, writing nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import gc
import importlib
import json
import os
import platform
import re
import signal
import sys
import warnings
from pathlib import Path

from .errors import COMMAND_LINE, RunFailed, UserError, whole_number
from .outputs import (interrupted_message, interrupts_as_exceptions, raise_if_interrupted, reset,
                      signal_received)
from .schema import MAX_REPS, MAX_SEED

EXPERIMENTS = ("compare", "sweep", "solve", "sensitivity", "calibrate")
OUTPUTS = Path(__file__).resolve().parent.parent / "outputs"


_ARGV: list[str] = []  # the command's arguments, for the parser's messages


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line and exits 2."""

    def error(self, message):
        message = " ".join(str(message).split())
        minus = any(re.fullmatch(r"-[0-9.].*", t) for t in _ARGV)  # argparse takes such a value for an option
        if minus and re.search(r"expected one argument|unrecognized arguments", message):
            message += ("; a value that starts with a minus goes after '=' (--range=-1,2, --set key=-1, "
                        "--param key=-0.1,0.1)")
        self.exit(2, f"error: {self.prog}: {message} (see `{self.prog} --help`)\n")


_WHOLE = re.compile(r"\s*[+-]?[0-9]+\s*")


def whole_int(text: str) -> int:
    """An argparse type: a whole number in ASCII digits with an optional sign (``int()`` also
    takes other scripts' digits, ``١٢٣``, and underscores, ``1_0``)."""
    if not _WHOLE.fullmatch(text):
        try:
            int(text)
            hint = " (in digits 0-9, without underscores)"  # Python's int() would have taken it
        except ValueError:
            hint = ""
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}{hint}")
    return int(text)


def _option_int(lo: int, hi: int | None = None):
    """An argparse type: a whole number in ``[lo, hi]`` (:func:`errors.whole_number`)."""
    def whole(text: str) -> int:
        v = whole_int(text)
        try:
            return whole_number(v, "", lo, hi)
        except UserError as e:
            raise argparse.ArgumentTypeError(e.message) from None
    return whole


positive_int = _option_int(1)
reps_int = _option_int(1, MAX_REPS)
seed_int = _option_int(0, MAX_SEED)


def folder(text: str) -> Path:
    """An output folder option: a path, not an empty string (``--out "$UNSET"`` would
    otherwise mean the current folder, which a run replaces as a whole)."""
    if not text.strip():
        raise argparse.ArgumentTypeError("an empty path; give the output folder, e.g. --out outputs/mine")
    return Path(text)


def add_run_options(p: argparse.ArgumentParser, out_help: str = "output folder") -> None:
    """Options shared by every command that runs replications."""
    p.add_argument("--reps", type=reps_int, help="replications (default: the scenario's [run] reps)")
    p.add_argument("--seed", type=seed_int, help="root seed (default: the scenario's [run] seed)")
    p.add_argument("--out", type=folder, help=out_help)
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a scenario field, e.g. --set recruitment.max_age=35, or one element: "
                   "--set 'quits.rate[0]=0.1' (of a vector), --set 'demand.persons_per_household@2030=2.2' "
                   "(a point the field's schedule has), or multiply it: --set 'quits.rate*=1.2' "
                   "(repeatable, in order: a later one wins, and a multiplier scales the field as set "
                   "so far)")
    p.add_argument("--workers", type=positive_int, help="local processes (default: all cores for >= 16 reps; "
                   "with --backend dask and no scheduler, the local Dask cluster's, default one per core)")
    p.add_argument("--backend", choices=("local", "dask"), help="where replications run")
    p.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786 "
                   "(or DASK_SCHEDULER_ADDRESS)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--lang", choices=("en", "zh"), default="en",
                   help="labels of figures, report and workbook (and of run's console summary)")
    p.add_argument("--svg", action="store_true", help="also write figures as SVG")
    p.add_argument("--no-overwrite", action="store_true", help="fail if the output folder exists")
    p.add_argument("--no-report", action="store_true", help="write tables only (no figures, workbook, report)")


COMMANDS = ("run", "validate", "rerun", "metrics", "schema")
"""The commands besides the experiments."""


def build_parser(experiments: bool = True) -> argparse.ArgumentParser:
    """The command-line parser; without ``experiments``, only :data:`COMMANDS` (the
    experiments' modules import the whole model, which a plain run imports later, after
    it has started making room for its workforce: see :func:`_room_ahead`)."""
    ap = _Parser(prog="python -m model", description="Community-worker workforce model. Without a command "
                 "(or with a scenario file, or options, first) it runs: `python -m model` runs the default "
                 "scenario, `python -m model city.toml --reps 50` that file.")
    ap.add_argument("--version", action="version", version=_version())
    sub = ap.add_subparsers(dest="command", parser_class=_Parser)
    r = sub.add_parser("run", help="run a scenario and write its forecast")
    r.add_argument("scenario", nargs="?", help="scenario file (default: the default scenario)")
    add_run_options(r, "output folder (default: outputs/<scenario>)")
    v = sub.add_parser("validate", help="check a scenario file")
    v.add_argument("scenario")
    v.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a scenario field before checking it, as run takes it (repeatable)")
    rr = sub.add_parser("rerun", help="re-run what a manifest.json records: its tables (summary.csv, "
                        "targets.csv, metrics.csv), checked byte for byte against the originals")
    rr.add_argument("manifest", type=Path)
    rr.add_argument("--out", type=folder, help="output folder (default: outputs/<scenario>-rerun)")
    rr.add_argument("--workers", type=positive_int, help="local processes (the results do not depend on it)")
    rr.add_argument("--backend", choices=("local", "dask"), help="where replications run (the results do "
                    "not depend on it)")
    rr.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786 "
                    "(or DASK_SCHEDULER_ADDRESS)")
    rr.add_argument("--quiet", action="store_true", help="no progress bar")
    rr.add_argument("--no-overwrite", action="store_true", help="fail if the output folder exists")
    m = sub.add_parser("metrics", help="list metric names and units")
    m.add_argument("scenario", nargs="?")
    sub.add_parser("schema", help="print every scenario field with its type, range and unit")
    for name in EXPERIMENTS if experiments else ():
        mod = _experiment(name)
        if mod is None:
            continue
        p = sub.add_parser(name, help=(mod.__doc__ or name).strip().splitlines()[0])
        mod.add_arguments(p)
    return ap


def _experiment(name):
    try:
        return importlib.import_module(f".experiments.{name}", __package__)
    except ModuleNotFoundError as e:
        if e.name and e.name.endswith(f"experiments.{name}"):
            return None
        raise


def _version() -> str:
    from . import __version__
    return __version__


def versions() -> dict:
    import numpy
    import pandas
    import scipy
    import simpy

    from . import __version__, kernels
    numba = "off"  # the numpy code instead of the compiled kernels: sums differ in the last digits
    if kernels.ENABLED:
        from importlib.metadata import version
        numba = version("numba")
    return {"model": __version__, "python": platform.python_version(), "numpy": numpy.__version__,
            "scipy": scipy.__version__, "simpy": simpy.__version__, "pandas": pandas.__version__,
            "numba": numba}


def manifest(scenario, results, argv=None) -> dict:
    """What was run, for the record and for ``rerun``.

    ``scenario_raw`` (the merged scenario with its overrides) with ``seed`` and ``reps`` is
    what ``rerun`` runs again (``scenario_horizon_written``: the files' own ``[start_year,
    years]``, for a horizon an override cut short); ``resolved_parameters`` is every field with its default
    filled in; ``scenario_file_hash`` is the SHA-256 of the scenario file (and its
    parents), ``scenario_files`` the hash of each. Where it ran (:func:`model.runner.where_ran`,
    as the experiments' manifests have it): ``backend`` (``local`` or ``dask``), ``workers``
    (local processes; on Dask, the worker processes of the local cluster started for the
    run, or those the scheduler had as the run began) and ``scheduler`` (the Dask
    scheduler's address, given or from ``DASK_SCHEDULER_ADDRESS``; null on the local backend
    or a local cluster of the run's own).
    """
    from .runner import where_ran
    return {
        "scenario": scenario.name,
        "scenario_file": str(scenario.path) if scenario.path else None,
        "scenario_hash": scenario.hash,
        "scenario_file_hash": scenario.file_hash,
        "scenario_files": scenario.files(),
        "scenario_raw": scenario.raw,
        "scenario_horizon_written": list(scenario.horizon_written),
        # the targets a horizon cut short leaves out (targets.csv has no row for them)
        "targets_not_evaluated": [{"target": t.name, "metric": t.metric, "year": t.year}
                                  for t in getattr(scenario, "targets_after_horizon", ())],
        "resolved_parameters": scenario.resolved(),
        "seed": results.seed,
        "reps": results.reps,
        **where_ran([results]),
        "wall_time_s": round(results.meta.get("wall_time_s", 0.0), 3),
        "package_version": _version(),
        "versions": versions(),
        "command": list(sys.argv if argv is None else argv),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
    }


def write_run(scenario, results, out: Path, *, lang="en", svg=False, report=True,
              overwrite=True, argv=None, extra: dict | None = None, ahead=None) -> Path:
    """Write a run's folder atomically: tables, manifest, and (unless report=False) the
    figures, budget workbook and HTML report. ``extra`` adds or replaces manifest entries.
    ``ahead``: a :class:`model.report_ahead.ReportAhead` that writes the report (this
    process writes it if the helper does not)."""
    from .outputs import atomic_folder, write_json
    with atomic_folder(out, overwrite=overwrite) as tmp:
        results.to_csv(tmp)
        results.units().to_csv(tmp / "metrics.csv", index=False)
        write_json(tmp / "manifest.json", {**manifest(scenario, results, argv), **(extra or {})})
        if report and not (ahead is not None and ahead.write(results, scenario, tmp, lang=lang, svg=svg)):
            from . import report as rep
            rep.write_all(results, scenario, tmp, lang=lang, svg=svg)
    return Path(out)


def _print_forecast(results, out: Path, lang: str = "en", scenario=None) -> None:
    """The run's means of the headline metrics by year, its targets' probabilities and the
    files written, on the console; in Chinese with ``lang="zh"`` (payroll in 万元, a
    ``scenario``'s districts by their Chinese names)."""
    from .report import labels as L
    by_rule = set()
    if scenario is not None:  # targets the elimination rule meets by itself, as the report notes
        from .semantics import eliminated_by_rule
        by_rule = {t.name for t in eliminated_by_rule(scenario, results.target_specs)}
    with L.district_labels(scenario):  # (None: no districts)
        _print_forecast_lines(results, out, lang, by_rule)


def _threshold_text(metric: str, v: float, lang: str) -> str:
    """A target's threshold in the console's units: a share (a pay ratio too) as a
    percentage, as the report gives it; a sum of money in million yuan (万元 in Chinese, as
    the payroll column); other numbers as written."""
    from .metrics import unit
    u = unit(metric)
    if u.startswith("share"):
        return f"{v * 100:.4g}%"
    if u.startswith("yuan/year"):
        return f"{v / 1e4:,.6g}万元" if lang == "zh" else f"{v / 1e6:,.6g} million yuan"
    return f"{v:g}"


def _print_forecast_lines(results, out: Path, lang: str, by_rule=frozenset()) -> None:
    import warnings

    import numpy as np
    import pandas as pd

    from .report import labels as L
    from .results import percent_interval
    zh = lang == "zh"
    show = ["headcount", "certified_share", "workers_per_10k", "payroll"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a metric that is NaN in every replication
        means = {m: np.nanmean(results.values[:, :, results.metrics.index(m)], axis=0)
                 for m in show if m in results.metrics}
    show = [m for m in show if m in means and np.isfinite(means[m]).any()]
    fmt = {"headcount": "{:,.0f}".format, "certified_share": "{:.1%}".format, "workers_per_10k": "{:.1f}".format,
           "payroll": (lambda v: f"{v / 1e4:,.0f}") if zh else (lambda v: f"{v / 1e6:,.1f}")}
    metric = (lambda m: L.metric(m, "zh")) if zh else (lambda m: m)  # metric names as the tables have them
    names = {m: metric(m) for m in show}
    if "payroll" in names:
        names["payroll"] = L.word("console_payroll", lang, metric=names["payroll"])
    tab = pd.DataFrame({names[m]: means[m] for m in show},
                       index=pd.Index(results.years, name=L.word("console_year", lang)))
    tab.columns.name = L.word("console_metric", lang)
    reps = L.reps_seed(results.reps, results.seed, lang)
    with pd.option_context("display.width", 120, "display.unicode.east_asian_width", zh):
        print(L.word("forecast_for", lang, name=results.scenario, reps=reps))
        print(tab.to_string(formatters={names[m]: fmt[m] for m in show}))
    t = results.targets()
    if len(t):
        print("\n" + L.word("targets_met", lang))
        for _, row in t.iterrows():
            name = L.target_named(row["target"], results.target_specs, lang)
            threshold = _threshold_text(row["metric"], row["threshold"], lang)
            print("  " + L.word("target_line", lang, name=name, metric=metric(row["metric"]), op=row["op"],
                                threshold=threshold, year=row["year"],
                                p=percent_interval(row["probability"], row["probability_low"],
                                                   row["probability_high"], "-"))
                  + (L.word("by_rule_mark", lang) if row["target"] in by_rule else ""))
    files = ["summary.csv", "targets.csv", "metrics.csv", "manifest.json"]
    if (out / "report.html").exists():
        files += ["budget.xlsx", "report.html", "figures/"]
    print("\n" + L.word("wrote", lang, out=out, files=L.word("list_sep", lang).join(files)))


def _room_ahead(sc, a):
    """For a big workforce simulated in this process: fork the helper that writes the
    report (unless ``--no-report``; :mod:`model.report_ahead`), then start making the
    workforce's memory ready in the background while the rest of the model is imported
    (:func:`model.population.make_room_ahead`). Returns the helper, or None."""
    from .policies.demand import starting_workers_estimate
    from .population import MAX_PEOPLE, ROWS_AHEAD, make_room_ahead
    from .runner import runs_here
    if not runs_here(a.reps or sc.run.reps, a.workers, a.backend, a.scheduler):
        return None
    rows = starting_workers_estimate(sc)
    if not ROWS_AHEAD <= rows <= MAX_PEOPLE:  # small; or too big, which the run refuses (check_size)
        return None
    ahead = None
    if not a.no_report:
        from . import report_ahead
        ahead = report_ahead.start(sc)  # first: the fork needs a process without other threads
    make_room_ahead(rows)
    return ahead


def cmd_run(a) -> int:
    from . import report_ahead
    from . import scenario as S
    from .outputs import check_destination
    from .population import drop_room_ahead
    from .semantics import advisories
    sc = S.load(a.scenario, a.overrides)
    out = a.out or OUTPUTS / sc.name
    check_destination(Path(out).resolve(), not a.no_overwrite)
    try:
        try:
            ahead = _room_ahead(sc, a)  # first: the room is made in threads while the notes are worked out
            for line in advisories(sc):  # what the scenario does that its author may not have meant
                print(f"note: {line}", flush=True)
            from .runner import run
            if not a.quiet:
                from .report import labels as L
                reps = L.reps_seed(a.reps or sc.run.reps, sc.run.seed if a.seed is None else a.seed, a.lang)
                print(L.word("running", a.lang, name=sc.name, reps=reps, out=out), flush=True)
            res = run(sc, reps=a.reps, seed=a.seed, workers=a.workers, backend=a.backend,
                      scheduler=a.scheduler, quiet=a.quiet)
        finally:
            drop_room_ahead()  # taken by the run's workforce, or not wanted any more
            from . import kernels
            kernels.release_threads()  # single-threaded again: the report may draw in two processes
        write_run(sc, res, out, lang=a.lang, svg=a.svg, report=not a.no_report, overwrite=not a.no_overwrite,
                  ahead=ahead)
    finally:
        report_ahead.close_all()  # the helper, whatever happened (it may have been started but not returned)
    _print_forecast(res, Path(out), a.lang, sc)
    _compile_the_rest(a.quiet)
    return 0


def _compile_the_rest(quiet: bool) -> None:
    """The first run after an install (or an update of the kernels) also compiles, once,
    the kernels its scenario did not use (:func:`model.kernels.warm_up`), so that no later
    run of another scenario pays the compilation. Its outputs are written by then; a
    failure here is only a warning (later runs compile what they use)."""
    from . import kernels
    try:
        if not kernels.uncached() or kernels.warm_up_scenario() is None:
            return
        if not quiet:
            print("Compiling the model's other kernels, once after an install or update ...", flush=True)
        kernels.warm_up()
    except Exception as e:  # a bug, or another numba; the run itself is complete
        warnings.warn(f"compiling the other kernels failed ({e}); later runs compile them on first use")


def cmd_validate(a) -> int:
    from . import scenario as S
    from .semantics import advisories
    sc = S.load(a.scenario, a.overrides)
    start = (f"a roster of {len(sc.roster):,} worker{'s' if len(sc.roster) != 1 else ''}, "
             if sc.roster is not None else "")
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"
    print(f"{a.scenario}: valid ({sc.name}, {sc.start_year}-{sc.end_year}, {start}"
          f"{count(len(sc.targets), 'target')}, {count(len(sc.uncertain()), 'uncertain parameter')}, "
          f"{count(len(sc.assumptions), 'marked assumption')}, "
          f"{count(len(sc.defaulted()), 'field')} at the model's defaults: the run's report lists them)")
    if sc.roster is not None:
        print(f"  roster {Path(sc.roster.path).name}: {sc.roster.summary(sc.start_year, sc.districts)}")
    for line in advisories(sc):
        print(f"  note: {line}")
    files = _files_read(sc)
    notes = _inherited(sc, files) + _replaced_arrays(files) + _dated_elsewhere(sc, files) + _unsourced(sc)
    for line in notes:
        print(f"  {line}")
    return 0


def _unsourced(sc, shown: int = 6) -> list[str]:
    """The numbers the scenario's files set with no comment where they are set (neither a
    source nor ``# assumption:``, which the house rule asks of every number; its sections'
    fields, not [run] nor the table arrays): one line naming the first ``shown`` of them
    with their file and line, or nothing."""
    from . import schema
    missing = []
    for sec, fields in schema.SECTIONS.items():
        if sec == "run":  # replications and seed: how it is run, not the place
            continue
        for key in sc.given(sec):
            f = fields.get(key)
            path = f"{sec}.{key}"
            if f is None or f.kind in ("str", "bool"):
                continue
            file, line = sc.where(path)
            if line and not sc.comment(path).strip():
                mine = getattr(sc, "path", None) is not None and Path(file) == Path(sc.path)
                missing.append((not mine, f"{path} ({Path(file).name}:{line})"))
    if not missing:
        return []
    missing = [text for _, text in sorted(missing, key=lambda m: m[0])]  # the scenario's own file first
    more = f" and {len(missing) - shown} more" if len(missing) > shown else ""
    return [(f"{len(missing)} number{'s' * (len(missing) != 1)} without a comment (a source, or "
             f"'# assumption: why'): {', '.join(missing[:shown])}{more}")]


def _inherited(sc, files) -> list[str]:
    """How many fields the scenario takes from each file it extends (their values, and their
    sources, are that file's place's unless restated): one line per base file. ``files``:
    :func:`_files_read`."""
    from . import schema
    if len(files) < 2:
        return []
    last, paths = files[-1][0], {p for p, _ in files}
    count: dict[str, int] = {}
    for sec in schema.SECTIONS:
        for key in sc.given(sec):
            file, _ = sc.where(f"{sec}.{key}")
            if file in paths and file != last:
                count[file] = count.get(file, 0) + 1
    arrays: dict[str, list[str]] = {}  # [[targets]], [[districts]]: whole, from the last file with them
    for name in schema.ARRAYS:
        owner = [p for p, data in files if name in data][-1:]
        if owner and owner[0] != last and getattr(sc, name):
            arrays.setdefault(owner[0], []).append(f"its {len(getattr(sc, name))} [[{name}]]")
            count.setdefault(owner[0], 0)
    return [f"takes {k} field{'s' * (k != 1)}" + "".join(f" and {a}" for a in arrays.get(f, []))
            + f" from {Path(f).name} as that file sets them (the values and sources of its place)"
            for f, k in count.items()]


STOCKS_AT_START = ("demand.urban_residents", "demand.communities", "population.headcount")
"""Fields besides the amounts of money that hold a value of the start year."""


def _files_read(sc) -> list[tuple[str, dict]]:
    """Each file of the scenario's ``extends`` chain, base first: its path and its own data."""
    from .scenario import file_data
    return [(str(p), file_data(t)) for p, t in getattr(sc, "_files", ())]


def _dated_elsewhere(sc, files) -> list[str]:
    """The amounts of money (and stocks at the start) that a file of another start year sets:
    a file that extends a place and moves its start year keeps the place's wage, pay and
    costs of that year unless it restates them. ``files``: :func:`_files_read`."""
    from . import schema
    start, starts, raws = None, {}, dict(files)
    for p, raw in files:
        start = raw.get("start_year", start)  # a file's own, or its base's
        starts[p] = start
    dated = [(sec, k) for sec, spec in schema.SECTIONS.items() for k, f in spec.items()
             if "yuan" in (f.unit or "") or f"{sec}.{k}" in STOCKS_AT_START]
    old: dict[str, list[str]] = {}
    for sec, k in dated:
        file, _ = sc.where(f"{sec}.{k}")
        own = raws.get(file, {}).get(sec)
        written = isinstance(own, dict) and k in own  # by that file itself (not only its section's header)
        if written and starts[file] is not None and starts[file] != sc.start_year:
            old.setdefault(file, []).append(f"{sec}.{k}")
    return [f"written for {starts[f]} in {Path(f).name} but run from {sc.start_year}: {', '.join(paths)} "
            "(restate those that have changed since)" for f, paths in old.items()]


def _replaced_arrays(files) -> list[str]:
    """What a file's table arrays (``[[targets]]``, ``[[districts]]``) replaced: an array
    in a file that extends another replaces the base's whole array (not entry by entry).
    ``files``: :func:`_files_read`."""
    out = []
    for arr in ("targets", "districts"):
        having = [(Path(p).name, len(raw[arr])) for p, raw in files if isinstance(raw.get(arr), list)]
        if len(having) >= 2:
            (base, lost), (own, n) = having[-2], having[-1]
            out.append(f"[[{arr}]]: the {n} of {own} replace the {lost} of {base} (an array in a file that "
                       "extends another replaces it whole: restate the entries to keep)")
    return out


def read_manifest(path: Path) -> dict:
    """A manifest written by ``model run``, checked enough to re-run it (exit 2 if not)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError("file not found", file=str(path)) from None
    except IsADirectoryError:
        raise UserError("is a folder; give the manifest.json inside it", file=str(path)) from None
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise UserError(f"cannot be read as a manifest ({e})", file=str(path)) from None
    try:
        m = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise UserError(f"is not JSON ({str(e)[:80]})", file=str(path)) from None
    if not isinstance(m, dict) or "scenario_raw" not in m:
        raise UserError("is not a manifest written by `model run` (no scenario_raw)", file=str(path))
    if not isinstance(m["scenario_raw"], dict):
        raise UserError("expected the scenario's fields (a table)", file=str(path), field="scenario_raw")
    for key, lo, hi in (("seed", 0, MAX_SEED), ("reps", 1, MAX_REPS)):
        m[key] = whole_number(m.get(key), key, lo, hi, file=str(path))
    return m


def cmd_rerun(a) -> int:
    from . import scenario as S
    from .outputs import check_destination
    from .runner import run
    m = read_manifest(a.manifest)
    raw, seed, reps = m["scenario_raw"], m["seed"], m["reps"]
    if not raw.get("name") and isinstance(m.get("scenario"), str):  # named after a file the raw lacks
        raw = {"name": m["scenario"], **raw}
    written = m.get("scenario_horizon_written")  # (a manifest from before 0.9.0 has none: the raw's own)
    horizon = tuple(written) if isinstance(written, list) and len(written) == 2 else None  # (the checker
    sc = S.Scenario(raw, [], str(a.manifest), horizon=horizon)  # takes whole years only)
    out = a.out or OUTPUTS / f"{sc.name}-rerun"
    original = Path(a.manifest).parent
    report = [f for f in ("report.html", "budget.xlsx", "figures") if (original / f).exists()]
    if Path(out).resolve() == original.resolve() and report:
        raise UserError(f"{out} holds the run being re-run, with its {', '.join(report)}: the re-run writes the "
                        "tables and a manifest, not the report, and replaces the folder as a whole, so those would "
                        "be lost; choose another --out", field="--out")
    check_destination(Path(out).resolve(), not a.no_overwrite)
    resolved = m.get("resolved_parameters")
    recorded = resolved.get("roster") if isinstance(resolved, dict) else None
    if sc.roster is not None and isinstance(recorded, dict) and recorded.get("sha256") != sc.roster.sha256:
        then = str(recorded.get("sha256"))[:12]
        raise UserError(f"the roster {sc.roster.path} has changed since the run (SHA-256 {then}... then, "
                        f"{sc.roster.sha256[:12]}... now); restore it to re-run, or run the scenario afresh",
                        file=str(a.manifest),
                        field="population.roster")
    if m.get("scenario_hash") not in (None, sc.hash):
        print("note: the resolved parameters differ from those recorded (defaults of this version of the "
              "model differ); the results may differ", file=sys.stderr)
    now = versions()
    then = m.get("versions") if isinstance(m.get("versions"), dict) else {}
    changed = [f"{k} {then[k]} -> {now[k]}" for k in ("model", "numpy", "scipy", "simpy", "pandas", "python",
                                                         "numba") if k in then and then[k] != now[k]]
    if changed:
        print("note: versions differ from the recorded run: " + ", ".join(changed), file=sys.stderr)
    tables = ("summary.csv", "targets.csv", "metrics.csv")
    before = {t: (original / t).read_bytes() for t in tables if (original / t).is_file()}  # (--out may be that folder)
    res = run(sc, reps=reps, seed=seed, workers=a.workers, backend=a.backend, scheduler=a.scheduler,
              quiet=a.quiet)
    # the re-run's scenario comes from the manifest; keep the record of the original files
    kept = {k: m[k] for k in ("scenario_file", "scenario_file_hash", "scenario_files") if k in m}
    write_run(sc, res, out, report=False, overwrite=not a.no_overwrite,
              extra={**kept, "rerun_of": str(Path(a.manifest).resolve())})
    same = {t: b == (Path(out) / t).read_bytes() for t, b in before.items()}
    print(f"Re-ran {sc.name} (seed {seed}, {reps} replications) into {out}/")
    if not same:
        print(f"nothing to compare: {original} has none of {', '.join(tables)} beside the manifest; the re-run "
              "was written but not checked against the original (exit status 1)")
        return 1
    for t, ok in same.items():
        print(f"{t} identical to {original / t}: {'yes' if ok else 'NO'}")
    return 0 if all(same.values()) else 1


def cmd_metrics(a) -> int:
    from . import metrics as M
    from . import scenario as S
    names = M.names(S.load(a.scenario)) if a.scenario else M.BASE_NAMES
    for n in names:
        print(f"{n:40s} {M.unit(n):36s} {M.definition(n)}")
    if not a.scenario:
        print(f"\nBy district, and for the urban and rural parts (METRIC.SCOPE, e.g. headcount.urban; a "
              f"target's scope): {', '.join(M.SCOPED)}. `python -m model metrics SCENARIO` lists a "
              "scenario's own.")
    return 0


def cmd_schema(a) -> int:
    from . import schema
    def show(title, spec):
        print(f"[{title}]")
        for k, f in spec.items():
            rng = f" [{f.lo:g}, {f.hi:g}]" if f.lo is not None else ""
            rng += f" or {f.unset:g}" if f.unset is not None else ""
            ch = f" one of {', '.join(f.choices)}" if f.choices else ""
            default = "" if f.default is schema.REQUIRED else f" = {f.default!r}"
            print(f"  {k:28s} {f.kind}{rng}{ch}{default}" + (f"  ({f.unit})" if f.unit else ""))
            print(f"      {f.doc}")
    show("top level", schema.TOP)
    for s, spec in schema.SECTIONS.items():
        show(s, spec)
    for s, spec in schema.ARRAYS.items():
        show(f"[{s}]", spec)
    return 0


def _interrupted(e: KeyboardInterrupt | int) -> int:
    """Say which signal (or the signal of ``e``) stopped the command (one line); its exit
    status, 128 + signal."""
    from .outputs import Interrupted
    signum = e if isinstance(e, int) else e.signum if isinstance(e, Interrupted) else signal.SIGINT
    print(interrupted_message(signum), file=sys.stderr)
    return 128 + signum


def _interruption_in(e: BaseException) -> KeyboardInterrupt | None:
    """The KeyboardInterrupt (a signal, see :mod:`model.outputs`) among the causes of ``e``."""
    seen = set()
    while e is not None and id(e) not in seen:
        if isinstance(e, KeyboardInterrupt):
            return e
        seen.add(id(e))
        e = e.__cause__ or (None if e.__suppress_context__ else e.__context__)
    return None


@contextlib.contextmanager
def _warnings_as_lines():
    """The model's warnings (a UserWarning raised in the package) as one line each,
    ``warning: ...``, not Python's file, line and source; others (a library's) as Python
    shows them."""
    import warnings
    package = str(Path(__file__).resolve().parent)
    with warnings.catch_warnings():
        python_way = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if issubclass(category, UserWarning) and str(Path(filename).resolve()).startswith(package):
                print(f"warning: {' '.join(str(message).split())}", file=file or sys.stderr)
            else:
                python_way(message, category, filename, lineno, file, line)
        warnings.showwarning = show
        yield


def main(argv: list[str] | None = None) -> int:
    """Run one command; returns the exit status (0 ok, 1 a check failed, 2 a user mistake,
    130 / 143 interrupted by SIGINT / SIGTERM)."""
    program = argv is None  # run as `python -m model` (not called from Python)
    if program:
        # the command's own process makes many long-lived objects as it imports and little
        # cyclic garbage: the cyclic collector runs less often (0.1 s of a national run)
        gc.set_threshold(100_000, 50, 100)
    argv = list(sys.argv[1:] if argv is None else argv)
    option = bool(argv) and argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version")
    if not argv or option or argv[0].endswith(".toml"):  # `python -m model city.toml` runs it
        argv = ["run", *argv]
    reset()
    _ARGV[:] = argv
    named_as_typed = COMMAND_LINE.set(True)  # messages name options as typed (errors.COMMAND_LINE)
    try:
        with interrupts_as_exceptions(), _warnings_as_lines():
            ap = build_parser(experiments=argv[0] not in COMMANDS)
            a = ap.parse_args(argv)
            handlers = {"run": cmd_run, "validate": cmd_validate, "rerun": cmd_rerun,
                        "metrics": cmd_metrics, "schema": cmd_schema}
            handler = handlers.get(a.command) or _experiment(a.command).main
            code = handler(a)
            raise_if_interrupted()
            return code
    except UserError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except RunFailed as e:
        cause = signal_received()  # a signal stops the workers too: the signal is the cause
        if cause is not None:
            return _interrupted(cause)
        print(f"error: {' '.join(str(e).split())}", file=sys.stderr)
        return 1
    except KeyboardInterrupt as e:
        return _interrupted(e)
    except BrokenPipeError:
        if not program:
            raise
        # the output was piped into a reader that stopped early (`... | head`): not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as e:
        # a signal's exception wrapped by the code it interrupted (an import running a
        # class body's __set_name__ wraps it in a RuntimeError), or replaced by one of its
        # own (a compiled module's interrupted import raises ImportError): still an interruption
        cause = _interruption_in(e) or signal_received()
        if cause is None:
            raise
        return _interrupted(cause)
    finally:
        COMMAND_LINE.reset(named_as_typed)
        if program:
            # the command is over (its output complete, or nothing written): a signal during
            # interpreter shutdown just ends the process, without a traceback
            signal.signal(signal.SIGINT, signal.SIG_DFL)
