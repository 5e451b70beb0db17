"""The budget workbook a finance bureau files: ``budget.xlsx``.

Sheets (labels Chinese first with ``lang="zh"``, English with ``"en"``):

- cover: scenario, description, starting workforce (roster or mixes), seed, replications,
  model version, date, units and what the statistics mean (P90: in 90% of the
  replications the year's cost is at or below it; the replications vary only what the
  scenario draws at random), and how precise the last year's P90 of
  total cost is with this many replications (its 95% interval from order statistics);
- by component: payroll parts and their total (payroll), training, recruitment and work
  funds, and total cost;
- by funding source: city subsidy, province, district, and total cost;
- constant prices: payroll and total cost deflated to the scenario's price base year;
- by district (only where the scenario names districts): the payroll, total cost and
  funding by source of each district and of the urban / rural parts (not of a part that is
  one district, whose rows would repeat the district's: the note says so);
- staffing: what the payroll pays for (headcount, worker-years, posts, vacancies, hires,
  exits), the payroll per worker-year and the average yearly pay rate of each post class;
- money inputs: the pay, economy and funding fields and the training and hiring costs the
  run read, each with its value, where it was set and the comment there (its source or
  assumption) (:func:`inputs`).

Each item has three rows, mean, P50 and P90 (payroll and total cost a fourth: the growth
of the mean on the year before, in percent); years are columns, and a money sheet's last
column is the item's total over the years (the mean of the replications' totals, and their
P50 and P90: a multi-year budget is not the sum of yearly P90s); the by-source sheet says
how the sources are worked out. Values are the numbers of ``summary.csv``, stored as
numbers with a thousands separator: money in yuan per year, or with ``lang="zh"`` in 万元
per year to two decimals (as a Chinese budget is filed; the unit column says which, and
:func:`read_budget` gives yuan either way). A metric column holds the metric name, so a
machine can read it back.
"""

from __future__ import annotations

import datetime as _dt
import math
from pathlib import Path

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from .. import metrics as M
from . import labels as L

STATS = (("mean", "mean"), ("p50", "p50"), ("p90", "p90"))
"""(summary column, label key) of the rows written for each item."""
FRACTIONAL = ("worker_years",)
"""Staffing items shown to a tenth (the payroll's divisor: 21.8 worker-years, not 22)."""
FRACTION_FORMAT = "#,##0.0"
GROWTH = ("payroll", "total_cost", "payroll_real", "total_cost_real")
"""Items with a fourth row, the growth of their mean on the year before (a budget's
增长率), in percent: the first year has none (the run has no year before it)."""
GROWTH_FORMAT = "0.0%"
NUMBER_FORMAT = "#,##0"
MONEY = {"en": (1.0, "yuan_year", NUMBER_FORMAT), "zh": (1e4, "wan_yuan_year", "#,##0.00")}
"""Money on the money sheets by language: (divisor, unit's phrase, number format): yuan in
English; 万元 to two decimals in Chinese, as a Chinese budget is filed."""
AMOUNT = {"en": ("yuan", "元"), "zh": ("× 10,000 yuan", "万元")}
"""The unit of an amount of money in a sentence, in English and Chinese, as :data:`MONEY`
scales it in each language's workbook."""
FIRST_DATA_ROW = 5
HEADER_ROW = 4
HEAD_FILL = PatternFill("solid", fgColor="DDE7F3")
P90_FILL = PatternFill("solid", fgColor="FFF4D6")


def _total_header(years, lang: str) -> str:
    """The head of a money sheet's last column, the total over the years, with its own unit
    (yuan or 万元, not a year's)."""
    unit = MONEY[lang][1].removesuffix("_year")
    return L.word2("total_years", lang, y0=years[0], y1=years[-1],
                   by_lang={"unit": (L.word(unit, "en"), L.word(unit, "zh"))})


def sheets(results, scenario) -> list[tuple[str, str, tuple[str, ...]]]:
    """(sheet key, unit key, metrics) of each data sheet this run gets."""
    out = [
        ("by_component", "nominal", M.PAYROLL_PARTS + ("payroll",) + M.COST_PARTS[len(M.PAYROLL_PARTS):]
         + ("total_cost",)),
        ("by_source", "nominal", M.FUNDING_PARTS + ("total_cost",)),
        ("constant_prices", "constant", ("payroll_real", "total_cost_real")),
    ]
    paid = [m for m in DISTRICT_ITEMS if m in results.metrics and not _nothing(results, m)]
    lone = lone_parts(scenario)
    scoped = tuple(f"{m}.{s}" for s in M.scopes(scenario) if s not in lone for m in paid
                   if f"{m}.{s}" in results.metrics)
    if scoped:
        out.append(("by_district", "nominal", ("payroll", "total_cost") + scoped))
    out.append(("staffing", "people", STAFFING))
    return [(k, u, tuple(m for m in ms if m in results.metrics and not _never(results, m)))
            for k, u, ms in out]


def lone_parts(scenario) -> dict[str, str]:
    """The urban / rural parts made of one district, each with that district's name: the
    by-district sheet leaves out their rows, which would repeat the district's."""
    return {part: names[0] for part, names in M.parts(scenario).items() if len(names) == 1}


def _lone_parts_note(scenario, lang: str) -> str:
    """The by-district sheet's note on the parts it leaves out (:func:`lone_parts`)."""
    kinds = {"urban": ("urban", "城市"), "rural": ("rural", "农村")}
    return "".join(L.word2("lone_part", lang, by_lang={"district": L.scope_pair(name), "kind": kinds[part],
                                                       "total": L.scope_pair(part)}) + ".  "
                   for part, name in lone_parts(scenario).items())


def _nothing(results, metric: str) -> bool:
    """A source of funding the city never draws on (0 in every year and replication, as the
    city subsidy where the scenario gives none): the by-source sheet says so, and the
    by-district sheet leaves out its rows for each district."""
    return metric in M.FUNDING_PARTS and not np.any(results.metric(metric).to_numpy())


def _never(results, metric: str) -> bool:
    """A metric with no value in any year or replication (the pay of a post class that has
    no posts, as committee posts where population.committee_per_community is 0), or the
    cost of degrees where nobody earns one: no rows (where degrees are earned, a cost of 0
    is noted as other zero items are)."""
    if metric == "cost_degrees":
        earned = results.metric("degrees_earned").to_numpy() if "degrees_earned" in results.metrics else 0
        return not (np.asarray(earned) > 0).any()
    return metric.startswith("avg_pay_") and bool(np.isnan(results.metric(metric).to_numpy()).all())


DISTRICT_ITEMS = ("payroll", "total_cost") + M.FUNDING_PARTS
"""What the by-district sheet gives of each district (and of the urban / rural parts of more
than one district: :func:`lone_parts`): its payroll, its total cost and who pays it, by the
city's funding rule on the district's own total and worker-years."""

STAFFING = ("headcount", "worker_years", "posts", "vacancies", "hires", "exits_total",
            "payroll_per_worker_year", "avg_pay_staff", "avg_pay_committee", "avg_pay_head")
"""What the payroll pays for (the last sheet): workers at the year's end and worker-years
in it (the payroll's divisor), posts, vacancies, hires and exits, what a worker-year
costs (to set beside the average wage), and the yearly pay rate of a worker in each post
class on 31 December, as the ladder, floors and allowances make it (the pay entered is a
post's lowest grade)."""


def _zero_rows_note(metrics, table, years, lang: str) -> str:
    """A money sheet's note on its items at 0 in every year (mean and P90), so that a 0 is
    read with its cause in mind: a cost the scenario has not got or does not set, or none
    arising (no hires, no recruitment cost)."""
    zero = [m for m in metrics if all(table[(m, y)].mean == 0 and table[(m, y)].p90 == 0 for y in years)]
    if not zero:
        return ""
    items = tuple(L.word("list_sep", k).join(L.metric(m, k) for m in zero) for k in ("en", "zh"))
    return L.word2("zero_rows", lang, by_lang={"items": items}) + ".  "


def p90_interval(values) -> tuple[float, float | None, float | None]:
    """The P90 of ``values`` (linearly interpolated, as the tables) and its 95% interval
    from the order statistics (distribution-free: the number of values below the true 90th
    percentile is binomial(n, 0.9)): ``(p90, low, high)``, an end None where n is too small
    for it to lie among the values (below the least, above the greatest)."""
    from scipy.special import bdtr  # the binomial CDF (scipy.stats takes most of a second to import)
    x = np.sort(np.asarray(values, dtype=float))
    n = len(x)
    cdf = bdtr(np.arange(n + 1), n, 0.9)
    lo = int(np.searchsorted(cdf, 0.025))  # the binomial's 2.5% and 97.5% quantiles
    hi = int(np.searchsorted(cdf, 0.975)) + 1
    return (float(np.percentile(x, 90)), float(x[lo - 1]) if lo >= 1 else None,
            float(x[hi - 1]) if hi <= n else None)


def _amount(x: float, k: str, book: str = "en") -> str:
    """An amount of money in a sentence in language ``k``, in the unit of ``book``'s
    workbook (:data:`MONEY`: yuan, or 万元 to two decimals)."""
    div = MONEY[book][0]
    unit = AMOUNT[book][k == "zh"]
    number = f"{x / div:,.{0 if div == 1 else 2}f}"
    return f"{number} {unit}" if k == "en" else f"{number}{unit}"


def _p90_precision(results, lang: str) -> str:
    """The cover's line on the Monte Carlo error of the last year's P90 of total cost."""
    y = int(results.years[-1])
    p90, lo, hi = p90_interval(results.at("total_cost", y))

    def money(x, beyond: str = "") -> tuple[str, str]:
        return tuple(_amount(x, k, lang) if x is not None else L.word(beyond, k) for k in ("en", "zh"))
    return L.word2("p90_error", lang, year=y,
                   by_lang={"item": (L.metric("total_cost", "en").lower(), L.metric("total_cost", "zh")),
                            "p90": money(p90), "lo": money(lo, "below_all_runs"),
                            "hi": money(hi, "above_all_runs")})


def _price_base_year(scenario) -> int:
    try:
        y = int(scenario.economy.price_base_year)
    except AttributeError:
        y = 0
    return y or int(scenario.start_year)


def _sheet_title(key: str, lang: str) -> str:
    return _sheet_title_of(L.word2(key, lang))


def _num(v):
    """A float for a cell, or None (an empty cell) for NaN."""
    v = float(v)
    return None if math.isnan(v) or math.isinf(v) else v


def _text_height(text, width: float) -> float:
    """Points for a wrapped cell of ``width`` characters to show all of ``text``:
    openpyxl sets no row heights, and wrapped text would otherwise spill over the next
    rows (a Chinese character is two characters wide)."""
    return 15.0 * max(1, math.ceil(L.display_width(text) / (0.95 * width)))


def _for_printing(ws, header_row: int | None = None) -> None:
    """Landscape A4, one page wide; with ``header_row``, that row and the item columns
    (A-D) are repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    if header_row is not None:
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.print_title_cols = "A:D"


def write_budget(results, scenario, path, lang: str = "en", summary=None) -> Path:
    """Write ``budget.xlsx`` for one run.

    Parameters
    ----------
    results : model.Results
    scenario : model.Scenario
        The scenario run (for its description, districts and price base year).
    path : str or Path
        The file to write.
    lang : {"en", "zh"}
        ``zh``: Chinese-first labels (``"基本工资 Base pay"``); ``en``: English.
    summary : pandas.DataFrame, optional
        ``results.summary()``, if already computed.

    Returns
    -------
    pathlib.Path
    """
    with L.district_labels(scenario):  # district names, whoever calls this
        return _write_budget(results, scenario, path, lang, summary)


def _write_budget(results, scenario, path, lang: str = "en", summary=None) -> Path:
    from .. import __version__
    L.check_lang(lang)
    path = Path(path)
    s = results.summary() if summary is None else summary
    table = {(r.metric, int(r.year)): r for r in s.itertuples(index=False)}
    years = [int(y) for y in results.years]
    wb = Workbook()
    cover = wb.active
    cover.title = _sheet_title("cover", lang)
    data_sheets = sheets(results, scenario)
    base_year = _price_base_year(scenario)

    div, money_unit, money_format = MONEY[lang]

    def unit_text(kind: str) -> str:
        if kind == "people":
            return L.word2("people_units", lang)
        if kind == "constant":
            return (f"{L.word2(money_unit, lang)}, {L.word2('constant_of', lang, year=base_year)} "
                    f"({L.word2('deflator', lang)})")
        return f"{L.word2(money_unit, lang)}, {L.word2('nominal', lang)}"

    # ---- cover
    bold = Font(bold=True)
    cover["A1"] = f"{L.word2('budget_title', lang)}: {results.scenario}"
    cover["A1"].font = Font(bold=True, size=14)
    rows = [
        ("scenario", results.scenario),
        ("description", L.description(scenario, lang)),
        *([("settings", set_over)] if (set_over := L.settings(scenario, lang)) else []),
        ("seed", int(results.seed)),
        ("replications", int(results.reps)),
        ("version", __version__),
        ("hash", results.meta.get("scenario_hash") or getattr(scenario, "hash", "")),
        ("horizon", f"{years[0]}–{years[-1]} ({L.word2('calendar_years', lang, year=years[0])})"),
        ("starting_workforce", L.starting_workforce(scenario, lang)),
        ("date", (results.finished or _dt.datetime.now()).date().isoformat()),  # as report.html's
        ("units", (f"{unit_text('nominal')}; {L.word2('constant_prices', lang)}: "
                   f"{unit_text('constant')}. {L.word2('rounding', lang)}")),
        ("mean", L.word2("mean_means", lang)),
        ("p50", L.word2("p50_means", lang)),
        ("p90", L.word2("p90_means", lang)),
        *([("p90_precision", _p90_precision(results, lang))]
          if "total_cost" in results.metrics else []),
        ("sheets", "; ".join([_sheet_title(k, lang) for k, _, _ in data_sheets]
                             + [_sheet_title("inputs", lang)])),
    ]
    for i, (key, value) in enumerate(rows, start=3):
        label = cover.cell(i, 1, L.word2(key, lang))
        label.font = bold
        label.alignment = Alignment(vertical="top")
        c = cover.cell(i, 2, value)
        c.alignment = Alignment(wrap_text=True, vertical="top", horizontal="left")
        cover.row_dimensions[i].height = _text_height(value, 100)
    cover.column_dimensions["A"].width = 26
    cover.column_dimensions["B"].width = 100
    _for_printing(cover)

    # ---- data sheets
    for key, kind, metrics in data_sheets:
        note = (f"{L.word2('units', lang)}: {unit_text(kind)}.  "
                + (f"{L.word2('p90_means', lang)}; {L.word2('p90_no_sum', lang)}.  " if kind != "people"
                   else "")
                + (f"{L.word2('total_column', lang)}.  " if kind != "people" else "")
                + (f"{_funding_rules(scenario, lang)}.  " if key == "by_source" else "")
                + (f"{L.word2('district_rows', lang)}.  {_lone_parts_note(scenario, lang)}"
                   if key == "by_district" else "")
                + (_zero_rows_note(metrics, table, years, lang) if kind != "people" else "")
                + L.word2("rep_seed" if results.reps == 1 else "reps_seed", lang, reps=results.reps,
                          seed=results.seed))
        total = kind != "people"  # a money sheet's last column: the total over the years
        widths = ([34 if lang == "zh" else 28, 22, 14, 22 if kind == "constant" else 14] + [15] * len(years)
                  + [17] * total)
        head = [L.word2("item", lang), L.word2("metric", lang), L.word2("statistic", lang),
                L.word2("unit", lang)] + years
        head += [_total_header(years, lang)] * total
        ws = _new_sheet(wb, _sheet_title(key, lang), f"{L.word2(key, lang)} — {results.scenario}", note,
                        widths, head)
        unit_cell = L.word2(money_unit, lang) + (
            f", {L.word2('constant_of', lang, year=base_year)}" if kind == "constant" else "")
        units = [unit_cell] if kind != "people" else [L.unit2(m, lang) for m in metrics]
        ws.column_dimensions["D"].width = max(widths[3], max(L.display_width(u) for u in units) + 2)
        scale, fmt = (1.0, NUMBER_FORMAT) if kind == "people" else (div, money_format)
        r = FIRST_DATA_ROW
        for m in metrics:
            if kind == "people":
                fmt = FRACTION_FORMAT if m in FRACTIONAL else NUMBER_FORMAT
            sums = results.metric(m).to_numpy().sum(axis=1) if total else None  # each replication's
            for col, stat_key in STATS:
                ws.cell(r, 1, L.metric2(m, lang)).font = bold if col == "mean" else Font()
                ws.cell(r, 2, m)
                ws.cell(r, 3, L.word2(stat_key, lang))
                ws.cell(r, 4, unit_cell if kind != "people" else L.unit2(m, lang))
                for j, y in enumerate(years, start=5):
                    c = ws.cell(r, j, _num(getattr(table[(m, y)], col) / scale))
                    c.number_format = fmt
                    if col == "p90":
                        c.fill = P90_FILL
                if total:
                    v = sums.mean() if col == "mean" else np.percentile(sums, 50 if col == "p50" else 90)
                    c = ws.cell(r, 5 + len(years), _num(v / scale))
                    c.number_format = fmt
                    c.font = bold
                    if col == "p90":
                        c.fill = P90_FILL
                r += 1
            if m in GROWTH:
                ws.cell(r, 1, L.metric2(m, lang))
                ws.cell(r, 2, m)
                ws.cell(r, 3, L.word2("growth", lang)).alignment = Alignment(wrap_text=True)
                ws.cell(r, 4, "%")
                means = [table[(m, y)].mean for y in years]
                for j, (before, now) in enumerate(zip(means, means[1:]), start=6):
                    c = ws.cell(r, j, _num(now / before - 1) if before else None)
                    c.number_format = GROWTH_FORMAT
                r += 1
        ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 5)
        _for_printing(ws, HEADER_ROW)
    _inputs_sheet(wb, scenario, results.scenario, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


INPUT_SECTIONS = ("pay", "economy", "funding")
INPUT_FIELDS = ("training.cost_per_trainee", "recruitment.cost_per_hire", "degrees.cost_per_degree")
INPUT_DISTRICT_FIELDS = ("floor_share", "head_floor_share", "head_floor_benchmark", "head_floor_basis")
"""The inputs the money sheets rest on (the last sheet): every field of these sections, these
fields of a mechanism switched on (of one switched off, its ``enabled``), and these fields
of each district that sets them (its own pay floors)."""


def inputs(scenario) -> list[dict]:
    """The money inputs of the run (:data:`INPUT_SECTIONS`, :data:`INPUT_FIELDS`) that its
    files or options set, or that it reads at a default which does not switch them off
    (:meth:`model.Scenario.defaulted`), each as ``{"field", "value", "unit", "doc", "set_in",
    "note"}``: the value run (TOML, as ``--set`` takes it), where it was set (``file:line``,
    an option such as ``--set``, or None for the model's default) and the comment written
    there (the same line's, else the comment lines just above it; '' where none)."""
    from .. import schema
    from ..scenario import toml_inline
    from ..semantics import unread_by_rules
    unread = unread_by_rules(scenario)
    resolved = scenario.resolved()
    paths = [f"{s}.{n}" for s in INPUT_SECTIONS for n in schema.SECTIONS[s] if n != "enabled"]
    paths += [f if getattr(scenario, f.split(".")[0]).enabled else f.split(".")[0] + ".enabled"
              for f in INPUT_FIELDS]
    defaulted = scenario.defaulted()
    out = []

    def row(path: str, value, f, given: bool, doc: str) -> dict:
        where, line = scenario.where(path) if given else (None, None)
        return {"field": path, "value": toml_inline(_whole(L.shown(value))), "unit": f.unit, "doc": doc,
                "note": scenario.comment(path) if given else "",
                "set_in": None if where is None else (f"{Path(where).name}:{line}" if line else where)}
    for path in paths:
        sec, name = path.split(".")
        given = name in scenario.given(sec)
        if path in unread or not (given or path in defaulted or name == "enabled"):
            continue
        f = schema.SECTIONS[sec][name]
        out.append(row(path, resolved[sec][name], f, given, f.doc))
    for i, d in enumerate(scenario.raw.get("districts") or []):
        for name in INPUT_DISTRICT_FIELDS:
            if name in d:
                f = schema.DISTRICT[name]
                out.append(row(f"districts[{i}].{name}", getattr(scenario.districts[i], name), f, True,
                               f"{d.get('name', i)}: {f.doc}"))
    return out


def _whole(value):
    """A value as the inputs sheet shows it: a whole float as a whole number (40000, not the
    resolved 40000.0), in lists and tables too."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    if isinstance(value, (list, tuple)):
        return [_whole(v) for v in value]
    if isinstance(value, dict):
        return {k: _whole(v) for k, v in value.items()}
    return value


INPUT_WIDTHS = (30, 34, 16, 24, 90, 50)
"""Column widths of the inputs sheet: field, value, unit, set in, comment, what it is."""


def _inputs_sheet(wb, scenario, name: str, lang: str) -> None:
    """The last sheet: :func:`inputs`, one row a field."""
    head = [L.word2(k, lang) for k in ("field", "value", "unit", "set_in", "source_note", "field_doc")]
    ws = _new_sheet(wb, _sheet_title("inputs", lang), f"{L.word2('inputs', lang)} — {name}",
                    L.word2("inputs_note", lang), INPUT_WIDTHS, head, note_columns=6)
    for i, row in enumerate(inputs(scenario), start=FIRST_DATA_ROW):
        set_in = row["set_in"] or L.word2("model_default", lang)
        unit = L.field_unit2(row["unit"], lang)
        cells = (row["field"], row["value"], unit, set_in, row["note"], row["doc"])
        for j, v in enumerate(cells, start=1):
            c = ws.cell(i, j, v)
            c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.row_dimensions[i].height = max(_text_height(v or "", w) for v, w in zip(cells, INPUT_WIDTHS))
    ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 2)
    _for_printing(ws, HEADER_ROW)


DIFFERENCE_ITEMS = (("payroll",) + M.COST_PARTS + ("total_cost",) + M.FUNDING_PARTS
                    + ("payroll_real", "total_cost_real"))
"""The items of :func:`write_differences`, those both scenarios report and not 0 throughout."""

DIFFERENCE_STATS = (("mean_baseline", "baseline_mean"), ("mean", "alternative_mean"),
                    ("difference", "difference_mean"), ("difference_low", "difference_low"),
                    ("difference_high", "difference_high"), ("difference_p05", "difference_p05"),
                    ("difference_p95", "difference_p95"))
"""(column of :attr:`model.experiments.compare.Comparison.differences`, label key) of its rows."""


def write_differences(comparison, path, lang: str = "en") -> Path:
    """Write ``budget-differences.xlsx`` of a comparison (:mod:`model.experiments.compare`):
    one sheet per alternative, its money items (:data:`DIFFERENCE_ITEMS`) by year against the
    baseline (:data:`DIFFERENCE_STATS`: both means, the mean paired difference with its 95%
    interval, and the 5% and 95% quantiles of one replication's difference), and a last
    column with the same of the total over the years; money as in :func:`write_budget`."""
    L.check_lang(lang)
    c = comparison
    path = Path(path)
    div, money_unit, money_format = MONEY[lang]
    pct = f"{100 * c.level:g}"
    stat_label = {key: L.word2(key, lang, pct=pct) for _, key in DIFFERENCE_STATS}
    wb = Workbook()
    wb.remove(wb.active)
    scs = c.scenarios if len(c.scenarios) == len(c.results) else [None] * len(c.results)
    for label, sc in zip(c.labels[1:], scs[1:]):
        d = c.differences[c.differences.scenario == label]
        years = sorted(int(y) for y in d.year.unique())
        cell = {(r.metric, int(r.year)): r for r in d.itertuples(index=False)}
        same_prices = sc is None or _price_base_year(sc) == _price_base_year(scs[0])
        items = [m for m in DIFFERENCE_ITEMS if all((m, y) in cell for y in years)
                 and any(getattr(cell[(m, y)], k) != 0 for y in years for k in ("mean", "mean_baseline"))
                 and (same_prices or not m.endswith("_real"))]  # prices of two base years: no difference
        title = _sheet_title_of(label)
        n = 2
        while title.lower() in {t.lower() for t in wb.sheetnames}:  # alike to 31 characters: numbered
            title = _sheet_title_of(label)[:27] + f" ({n})"
            n += 1
        note = L.word2("diff_note", lang, reps=c.reps, seed=c.seed, pct=pct,
                       by_lang={"unit": tuple(L.word(money_unit, k) for k in ("en", "zh"))})
        head = [L.word2("item", lang), L.word2("metric", lang), L.word2("statistic", lang),
                L.word2("unit", lang)] + years + [_total_header(years, lang)]

        def unit_of(m: str) -> str:
            return L.word2(money_unit, lang) + (
                f", {L.word2('constant_of', lang, year=_price_base_year(scs[0]))}"
                if m.endswith("_real") else "")
        fit = [max([L.display_width(x) for x in texts] + [10]) + 2 for texts in (
            [L.metric2(m, lang) for m in items], items, stat_label.values(), [unit_of(m) for m in items])]
        ws = _new_sheet(wb, title, L.word2("diff_title", lang, alt=label, base=c.labels[0]), note,
                        fit + [15] * len(years) + [17], head)
        r = FIRST_DATA_ROW
        for m in items:
            unit = unit_of(m)
            total = c.total(label, m, years)  # of each replication's total over the years
            for col, key in DIFFERENCE_STATS:
                ws.cell(r, 1, L.metric2(m, lang)).font = Font(bold=col == "difference")
                ws.cell(r, 2, m)
                ws.cell(r, 3, stat_label[key])
                ws.cell(r, 4, unit)
                for j, y in enumerate(years, start=5):
                    v = ws.cell(r, j, _num(getattr(cell[(m, y)], col) / div))
                    v.number_format = money_format
                v = ws.cell(r, 5 + len(years), _num(float(total[col]) / div))
                v.number_format = money_format
                v.font = Font(bold=True)
                r += 1
        ws.freeze_panes = ws.cell(FIRST_DATA_ROW, 5)
        _for_printing(ws, HEADER_ROW)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _new_sheet(wb, title: str, heading: str, note: str, widths, head, note_columns: int = 12):
    """A sheet of ``wb`` named ``title``: ``heading`` in bold on row 1, ``note`` wrapped over
    the first ``note_columns`` columns of row 2 (printable and readable), the column
    ``widths`` and the column ``head`` on :data:`HEADER_ROW`."""
    ws = wb.create_sheet(title)
    ws["A1"] = heading
    ws["A1"].font = Font(bold=True, size=13)
    ws["A2"] = note
    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws["A2"].alignment = Alignment(wrap_text=True, vertical="top")
    last = min(len(widths), note_columns)
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=last)
    ws.row_dimensions[2].height = _text_height(note, sum(widths[:last]))
    for j, h in enumerate(head, start=1):
        c = ws.cell(HEADER_ROW, j, h)
        c.font = Font(bold=True)
        c.fill = HEAD_FILL
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    return ws


def _sheet_title_of(text: str) -> str:
    """A sheet title from any text (Excel forbids some characters and takes 31)."""
    for ch in '[]:*?/\\':
        text = text.replace(ch, " ")
    return text[:31]


def _funding_rules(scenario, lang: str) -> str:
    """The by-source sheet's note: how the funding sources are worked out, with the
    scenario's subsidy and share (a schedule by its years, an uncertain value by its law)."""
    from ..params import Constant, Schedule, Uncertain
    f = scenario.funding

    def setting(v, share: bool) -> tuple[str, str]:
        def number(x, k: str) -> str:
            if isinstance(x, Uncertain):
                return L.word("drawn", k, dist=x.dist, mean=number(x.mean(), k))
            return f"{100 * float(x):.4g}%" if share else _amount(float(x), k)  # per worker-year: in yuan

        def said(k: str) -> str:
            if not isinstance(v, Schedule):
                return number(v.value if isinstance(v, Constant) else v, k)
            points = L.word("list_sep", k).join(L.word("from_year", k, year=y, value=number(x, k))
                                                for y, x in v.points)
            return points + (L.word("linear_between", k) if v.interp == "linear" else "")
        return said("en"), said("zh")
    return L.word2("funding_rules", lang, by_lang={"subsidy": setting(f.city_subsidy_per_worker, False),
                                                   "share": setting(f.province_share, True)})


def read_budget(path) -> dict[tuple[str, str, str], dict[int, float]]:
    """Read back a workbook written by :func:`write_budget`.

    Returns
    -------
    dict
        ``{(sheet title, metric, statistic column): {year: value}}`` with statistic
        column one of ``mean``, ``p50``, ``p90``, or ``growth`` (of the mean on the year
        before, a fraction: :data:`GROWTH`; None in the first year); money in yuan,
        whatever the workbook's unit (a Chinese workbook's 万元 multiplied back). The years
        only: the total over the years is left out.
    """
    from openpyxl import load_workbook
    wb = load_workbook(path, data_only=True)
    stat_of = {}
    for col, key in STATS + (("growth", "growth"),):
        for lang in L.LANGS:
            stat_of[L.word2(key, lang)] = col
    out = {}
    inputs = {_sheet_title("inputs", lang) for lang in L.LANGS}
    for ws in wb.worksheets[1:]:
        if ws.title in inputs:
            continue
        years = [c.value for c in ws[HEADER_ROW]][4:]
        for row in ws.iter_rows(min_row=FIRST_DATA_ROW, values_only=True):
            if row[1] is None:
                continue
            scale = MONEY["zh"][0] if str(row[3]).startswith(L.WORDS["wan_yuan_year"][1]) else 1.0
            out[(ws.title, row[1], stat_of[row[2]])] = {int(y): (v if v is None else v * scale)
                                                        for y, v in zip(years, row[4:])
                                                        if isinstance(y, int)}
    return out
