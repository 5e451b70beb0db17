"""Figures of a run: fan charts, the target board, payroll, flows and the age pyramid.

Every function takes a :class:`model.Results` (the model never plots itself) and
either draws into a given matplotlib ``ax`` or makes its own figure. Figures are
:class:`matplotlib.figure.Figure` objects on the Agg canvas: no pyplot, no global
backend switch, so they are safe in scripts, worker processes and notebooks.

Each figure has a title, its units, years on the time axis, and a footer naming the
scenario, the replications and the seed. Bands are across replications: the median,
the 50% band (P25-P75) and the 90% band (P05-P95) of each year's values, so they
carry both process noise and parameter uncertainty.

Examples
--------
>>> import model
>>> from model.report import figures
>>> res = model.run(model.load("bench"), reps=10, seed=1)   # doctest: +SKIP
>>> fig = figures.fan_chart(res, "headcount")                # doctest: +SKIP
>>> fig.savefig("headcount.png")                             # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import re
import textwrap
import warnings
from pathlib import Path

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator, PercentFormatter

from .. import metrics as M
from ..results import _quantiles as _quantiles_nan
from ..results import percent, percent_interval
from . import fonts
from . import labels as L

FAN_METRICS = ("headcount", "certified_share", "workers_per_10k", "payroll")
FLOW_EXITS = M.EXIT_METRICS
DPI = 130
SIZE = (8.0, 4.6)

BLUE = "#2b6cb0"
SURE = {  # category -> colour, from "very likely met" to "very likely missed"
    "sure_met": "#1a7f37", "likely_met": "#8cc084", "unlikely_met": "#f0a35e", "sure_missed": "#c0392b",
}
PART_COLOURS = ("#2b6cb0", "#63a4e0", "#f6ad55", "#68d391", "#b794f4", "#fc8181",
                "#4fd1c5", "#d69e2e", "#a0aec0")
OP_SIGN = {">=": "≥", "<=": "≤", "==": "=", ">": ">", "<": "<"}
# one hue per cause: eliminated (plum) and quits (red) often share a bar
CAUSE_COLOURS = dict(zip(FLOW_EXITS, ("#e53e3e", "#dd6b20", "#718096", "#805ad5", "#d69e2e",
                                       "#702459", "#319795", "#38a169")))


# ----------------------------------------------------------------- helpers

def figure_lang(lang: str) -> str:
    """The language figures are drawn in: ``lang``, or English when Chinese is asked for
    and no CJK font exists (with one :class:`~model.report.fonts.MissingCJKFontWarning`)."""
    L.check_lang(lang)
    return fonts.figure_language(lang)[0]


@contextlib.contextmanager
def _style(lang: str):
    """Set the style, and the CJK font for Chinese, while a figure's artists are made.

    The concrete family names are stored on each text when it is created, so a
    figure drawn later (in a notebook) keeps the CJK font.
    """
    rc = {"axes.spines.top": False, "axes.spines.right": False, "axes.titlesize": 11,
          "axes.labelsize": 10, "xtick.labelsize": 9, "ytick.labelsize": 9, "legend.fontsize": 8.5}
    font = fonts.cjk_font() if lang == "zh" else None
    if font:
        rc.update({"font.family": [font, "DejaVu Sans"], "axes.unicode_minus": False})
    with mpl.rc_context(rc):
        yield


def _new_figure(size=SIZE, ncols: int = 1, sharey=False):
    fig = Figure(figsize=size, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(1, ncols, sharey=sharey)
    return fig, axes


def _finish(fig, results, title: str, lang: str) -> None:
    """Title on top (wrapped: a scoped metric's name can be long), scenario footer at the bottom."""
    fig.suptitle(_wrap(title, 64), fontsize=13, fontweight="bold")
    footer(fig, f"{L.word('scenario', lang)}: {results.scenario}  ·  "
                f"{L.reps_seed(results.reps, results.seed, lang)}")


def footer(fig, text: str) -> None:
    """Small lines at the bottom left (wrapped to the figure's width: 8-point text, about
    15 columns an inch), in a strip the layout keeps free (0.3 inch for one line)."""
    text = _wrap(text, max(int(fig.get_figwidth() * 15), 20))
    b = (0.3 + 0.14 * text.count("\n")) / fig.get_figheight()
    fig.get_layout_engine().set(rect=(0, b, 1, 1 - b))
    fig.text(0.01, 0.06 * b, text, fontsize=8, color="#555555", ha="left", va="bottom")


def _axes(ax, size=SIZE):
    """(figure, axes, own) where own says the figure is ours to title and footer."""
    if ax is not None:
        return ax.figure, ax, False
    fig, ax = _new_figure(size)
    return fig, ax, True


def _years_axis(ax, years, lang: str) -> None:
    ax.set_xlabel(L.word("year", lang))
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=min(len(years), 11)))
    ax.set_xlim(years[0] - 0.3, years[-1] + 0.3)
    ax.grid(axis="y", color="#e5e5e5", linewidth=0.8)
    ax.set_axisbelow(True)


def is_share(metric: str) -> bool:
    """Metrics shown in percent."""
    return M.unit(metric).startswith("share")


def is_money(metric: str) -> bool:
    """A sum of money a year (payroll, a cost, a funding source), drawn in millions or 万元;
    not an amount per worker (average pay, payroll per worker-year), which stays in yuan."""
    return M.unit(metric).startswith("yuan/year")


def money_scale(lang: str, per_year: bool = True) -> tuple[float, str]:
    """Divisor and unit for money on figures: million yuan, or 万元 (10,000 yuan) in Chinese;
    the unit says "per year" unless ``per_year=False``."""
    div, u = (1e4, "万元") if lang == "zh" else (1e6, "million yuan")
    if per_year:
        u += "/年" if lang == "zh" else " per year"
    return div, u


def scale_of(metric: str, lang: str) -> tuple[float, str]:
    """Divisor and axis unit of a metric on figures."""
    if is_money(metric):
        div, u = money_scale(lang)
        if "constant" in M.unit(metric):
            u += "，不变价" if lang == "zh" else ", constant prices"
        return div, u
    return 1.0, L.unit(metric, lang)


def axis_style(metric: str, lang: str) -> tuple[float, str, FuncFormatter | None]:
    """How a metric's values are drawn on an axis: the divisor of its values (money in
    millions, or 万元), the axis label with its unit, and the tick formatter (percent for
    shares; None for other numbers, which :func:`set_ticks` gives thousands separators)."""
    if is_share(metric):
        return 1.0, f"{L.metric(metric, lang)} (%)", FuncFormatter(_percent_tick)
    div, unit = scale_of(metric, lang)
    label = L.metric(metric, lang)
    said = unit.lower() in label.lower()  # "Communities", not "Communities (communities)"
    return div, label if said or not unit else f"{label} ({unit})", None


def set_ticks(ax, axis: str, ticks: FuncFormatter | None) -> None:
    """Put ``ticks`` (of :func:`axis_style`) on ``ax``'s ``axis`` ("x" or "y"); None:
    thousands separators."""
    if ticks is None:
        _thousands(ax, axis)
    else:
        (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(ticks)


def difference_axis(ax, metric: str, lang: str) -> float:
    """The y axis of a metric's differences between alternatives: shares in percentage
    points (80% against 75% is +5.0), other metrics in their unit (money in millions, or
    万元). Returns the divisor to plot the differences with (:func:`scale_of`)."""
    div, unit = scale_of(metric, lang)
    if is_share(metric):
        def points(v, _):  # percentage points, signed; nought as 0, not +0.0; a tick finer than 0.1 as it is
            if abs(v) < 1e-12:
                return "0"
            return f"{v * 100:+.1f}" if abs(v * 100) >= 0.05 else f"{v * 100:+.2g}"
        ax.yaxis.set_major_formatter(FuncFormatter(points))
        ax.set_ylabel(f"{L.word('diff', lang)} ({L.word('pp', lang)})")
    else:
        ax.set_ylabel(f"{L.word('diff', lang)} ({unit})")
        _thousands(ax)
    return div


def value_axis(ax, metric: str, lang: str) -> None:
    """The y axis of a metric's values: its label with the unit, percent for shares,
    thousands separators otherwise (:func:`axis_style`)."""
    _, label, ticks = axis_style(metric, lang)
    ax.set_ylabel(_wrap(label, 40))
    set_ticks(ax, "y", ticks)


def _percent_tick(v: float, _pos=None) -> str:
    """A share as a percent tick with the decimals it needs: 100%, 102.5%, 0.25%."""
    text = f"{v * 100:.2f}".rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text) + "%"


def _thousands(ax, axis="y", absolute=False) -> None:
    f = (lambda v, _: f"{abs(v):,.0f}") if absolute else (lambda v, _: f"{v:,.{_decimals(ax, axis)}f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(FuncFormatter(f))


def _decimals(ax, axis) -> int:
    lo, hi = ax.get_ylim() if axis == "y" else ax.get_xlim()
    span = abs(hi - lo)
    return 0 if span >= 10 else (1 if span >= 1 else 2)


def _values(results, metric: str) -> np.ndarray:
    """One metric as a (replications, years) array."""
    return results.values[:, :, results._m(metric)]


def _quantiles(results, metric: str, qs=(0.05, 0.25, 0.5, 0.75, 0.95)) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _quantiles_nan(_values(results, metric), qs)


def _mean(results, metric: str) -> np.ndarray:
    v = _values(results, metric)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(v, axis=0)


def has_values(results, metric: str) -> bool:
    """The metric exists in the run and is not NaN in every year and replication."""
    return metric in results.metrics and bool(np.isfinite(_values(results, metric)).any())


def format_value(metric: str, v: float, lang: str = "en") -> str:
    """A metric value for a label: percent for shares, money in the figure's money unit."""
    if not np.isfinite(v):
        return "–"
    if is_share(metric):
        return f"{v:.0%}" if abs(v * 100 - round(v * 100)) < 1e-9 else f"{v:.1%}"
    if is_money(metric):
        div, u = money_scale(lang, per_year=False)
        return f"{v / div:,.1f} {u}"
    return f"{v:,.0f}" if abs(v) >= 100 or float(v).is_integer() else f"{v:,.2f}"


def _target_rows(results):
    t = results.targets()
    return [(spec, row) for spec, (_, row) in zip(results.target_specs, t.iterrows())]


# ----------------------------------------------------------------- figures

def fan_chart(results, metric: str, ax=None, lang: str = "en", targets: bool = True, legend: bool = True):
    """Median, 50% and 90% bands of one metric by year, with its targets as markers.

    Parameters
    ----------
    results : model.Results
    metric : str
        Metric name, e.g. ``"headcount"`` or ``"certified_share.urban"``.
    ax : matplotlib Axes, optional
        Draw into it; otherwise a new figure with title and scenario footer.
    lang : {"en", "zh"}
    targets : bool
        Draw each target on this metric at (year, threshold): a triangle up for
        ``>=``/``>``, down for ``<=``/``<``, coloured by how sure it is met.
    legend : bool
        Draw the legend (small multiples leave it to the figure).

    Returns
    -------
    matplotlib.figure.Figure
    """
    if metric not in results.metrics:
        raise KeyError(f"no metric {metric!r} in this run")
    lang = figure_lang(lang)
    with _style(lang):
        fig, ax, own = _axes(ax)
        years = np.asarray(results.years)
        div, _ = scale_of(metric, lang)
        q05, q25, q50, q75, q95 = _quantiles(results, metric) / div
        spread = np.nanmax(q95 - q05, initial=0.0) > 0  # bands are named only where they show
        ax.fill_between(years, q05, q95, color=BLUE, alpha=0.15, linewidth=0,
                        label=L.word("band90", lang) if spread else None)
        ax.fill_between(years, q25, q75, color=BLUE, alpha=0.35, linewidth=0,
                        label=L.word("band50", lang) if spread else None)
        ax.plot(years, q50, color=BLUE, linewidth=2, marker="o", markersize=3, label=L.word("median", lang))
        drawn = 0
        if targets:
            for spec, row in _target_rows(results):
                if spec.metric_name != metric:
                    continue
                cat = row["verdict"]
                mk = "^" if spec.op in (">=", ">") else ("v" if spec.op in ("<=", "<") else "D")
                ax.plot([spec.year], [spec.threshold / div], linestyle="none", marker=mk, markersize=10,
                        color=SURE[cat], markeredgecolor="black", markeredgewidth=0.8, zorder=5,
                        label=f"{_wrap(L.target_name(spec, lang), 40)}\n{L.word('target', lang)} {OP_SIGN.get(spec.op, spec.op)} "
                              f"{format_value(metric, spec.threshold, lang)} ({spec.year}), "
                              f"P = {percent(row['probability'])}")
                drawn += 1
        _years_axis(ax, years, lang)
        value_axis(ax, metric, lang)
        if legend and drawn:   # target labels are long: beside the plot, never over the bands
            leg = ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, labelspacing=0.9)
            for text in leg.get_texts():
                text.set_linespacing(1.4)  # a wrapped target label's lines apart (CJK glyphs are tall)
        elif legend:
            ax.legend(loc="best", frameon=False)
        if own:
            _finish(fig, results, L.metric(metric, lang), lang)
    return fig


def fan_grid(results, metrics, lang: str = "en", ncols: int = 4):
    """Small multiples: one fan chart per metric (e.g. one target metric by district).

    Each panel is titled with the metric's scope and the probability of its targets;
    the y axes are shared so districts compare at a glance.
    """
    metrics = list(metrics)
    n = len(metrics)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    lang = figure_lang(lang)
    with _style(lang):
        fig = Figure(figsize=(2.6 * ncols + 0.6, 2.2 * nrows + 1.3), dpi=DPI, layout="constrained")
        FigureCanvasAgg(fig)
        axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)).ravel()
        probs = {spec.metric_name: row["probability"] for spec, row in _target_rows(results)}
        for ax, m in zip(axes, metrics):
            fan_chart(results, m, ax=ax, lang=lang, legend=False)
            base = m.partition(".")[0]
            name = L.metric(m, lang)[len(L.metric(base, lang)):].strip(" ,（）") or L.metric(m, lang)
            ax.set_title(name + (f"  P = {percent(probs[m])}" if m in probs else ""), fontsize=9.5)
            ax.set_ylabel("")
            ax.set_xlabel("")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
            ax.tick_params(labelsize=8)
        for ax in axes[n:]:
            ax.set_visible(False)
        base = metrics[0].partition(".")[0]
        unit = scale_of(base, lang)[1]
        fig.supylabel(f"{L.metric(base, lang)} ({'%' if is_share(base) else unit})", fontsize=10)
        # the lowest panel of each column (the last ncols, filled row by row) says "Year" (a
        # figure-wide label would sit in the footer's strip)
        for ax in axes[n - ncols:n]:
            ax.set_xlabel(L.word("year", lang), fontsize=9)
            ax.tick_params(labelbottom=True)  # shared x axes show the years under the last row only
        # the bands and the median, from whichever panels show them (a panel without spread
        # names no band; a panel's target markers are its title's P)
        keys = [L.word(k, lang) for k in ("band90", "band50", "median")]
        found = {}
        for ax in axes[:n]:
            for h, lab in zip(*ax.get_legend_handles_labels()):
                if lab in keys:
                    found.setdefault(lab, h)
        shown = [k for k in keys if k in found]
        fig.legend([found[k] for k in shown], shown, loc="outside right upper", frameon=False)
        _finish(fig, results, L.metric(base, lang), lang)
    return fig


def target_board(results, ax=None, lang: str = "en"):
    """Each target's probability of being met, with its 95% Wilson interval.

    Bars are coloured by how sure: very likely met (interval above 90%), likely
    (probability at least 50%), unlikely, very likely missed (interval below 10%).
    Returns None when the scenario sets no targets.
    """
    rows = _target_rows(results)
    if not rows:
        return None
    lang = figure_lang(lang)
    with _style(lang):
        n = len(rows)
        ticks = [f"{_wrap(L.target_name(spec, lang))}\n" + _wrap(f"{L.metric(spec.metric_name, lang)} {OP_SIGN.get(spec.op, spec.op)} "
                                                   f"{format_value(spec.metric_name, spec.threshold, lang)} "
                                                   f"({spec.year})") for spec, _ in rows]
        lines = max(t.count("\n") + 1 for t in ticks)
        fig, ax, own = _axes(ax, size=(9.0, 1.7 + n * (0.3 + 0.17 * lines)))
        ypos = np.arange(n)[::-1]
        seen = {}
        for y, (spec, row) in zip(ypos, rows):
            p, lo, hi = row["probability"], row["probability_low"], row["probability_high"]
            cat = row["verdict"]
            bar = ax.barh(y, p, color=SURE[cat], height=0.6, edgecolor="none")
            seen.setdefault(cat, bar)
            ax.plot([p], [y], marker="o", markersize=7, color=SURE[cat], markeredgecolor="black",
                    markeredgewidth=0.7, zorder=4, clip_on=False)
            ax.errorbar(p, y, xerr=[[p - lo], [hi - p]], color="black", capsize=3, linewidth=1)
            ax.text(1.04, y, percent_interval(p, lo, hi), va="center", fontsize=8.5,
                    transform=ax.get_yaxis_transform())
        ax.set_yticks(ypos, ticks, fontsize=8.5)
        ax.set_xlim(0, 1)
        ax.set_ylim(-0.7, n - 0.3)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        for x in (0.5, 0.9):
            ax.axvline(x, color="#999999", linestyle=":", linewidth=1)
        ax.set_xlabel(f"{L.word('probability', lang)} (%, {L.word('interval', lang)})")
        ax.grid(axis="x", color="#eeeeee")
        ax.set_axisbelow(True)
        order = [c for c in SURE if c in seen]
        ax.legend([seen[c] for c in order], [L.word(c, lang) for c in order], loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False, fontsize=8)
        if own:
            _finish(fig, results, L.word("target_probabilities", lang), lang)
    return fig


def _stacked(results, parts, total_p90: str | None, ax, lang, title_key):
    # a part's colour is the same in every run, whichever parts are left out
    colour_of = {m: PART_COLOURS[i % len(PART_COLOURS)] for i, m in enumerate(parts)}
    parts = [m for m in parts if has_values(results, m) and np.nanmax(np.abs(_mean(results, m))) > 0]
    lang = figure_lang(lang)
    with _style(lang):
        fig, ax, own = _axes(ax)
        years = np.asarray(results.years)
        div, unit = money_scale(lang)
        if parts:
            ys = [np.nan_to_num(_mean(results, m)) / div for m in parts]
            colours = [colour_of[m] for m in parts]
            ax.stackplot(years, ys, labels=[L.metric(m, lang) for m in parts], colors=colours, alpha=0.9)
        if total_p90 and has_values(results, total_p90):
            p90 = _quantiles(results, total_p90, (0.9,))[0] / div
            ax.plot(years, p90, color="black", linestyle="--", linewidth=1.3,
                    label=f"{L.metric(total_p90, lang)} P90")
        if not parts:
            ax.text(0.5, 0.5, L.word("none", lang), transform=ax.transAxes, ha="center")
        ax.set_ylim(bottom=0)
        ax.set_ylabel(unit)
        _years_axis(ax, years, lang)
        _thousands(ax)
        handles, labs = ax.get_legend_handles_labels()
        # beside the plot: stacked areas fill the axes, a legend inside would hide them
        ax.legend(handles[::-1], labs[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        if own:
            _finish(fig, results, L.word(title_key, lang), lang)
    return fig


def payroll_components(results, ax=None, lang: str = "en"):
    """Mean payroll by component as stacked areas, with total payroll's P90 dashed.

    Components: base, performance, certificate allowance, employer social insurance,
    housing fund and annuity (those that are zero throughout are left out).
    """
    return _stacked(results, M.PAYROLL_PARTS, "payroll", ax, lang, "payroll_components")


def funding_sources(results, ax=None, lang: str = "en"):
    """Mean total cost by funding source (city, province, district) as stacked areas,
    with total cost's P90 dashed."""
    return _stacked(results, M.FUNDING_PARTS, "total_cost", ax, lang, "funding_sources")


def flows(results, ax=None, lang: str = "en"):
    """Mean hires (above zero) and exits by cause (stacked below zero) in each year."""
    lang = figure_lang(lang)
    with _style(lang):
        fig, ax, own = _axes(ax)
        years = np.asarray(results.years)
        top = np.zeros(len(years))
        if has_values(results, "hires"):
            top = np.nan_to_num(_mean(results, "hires"))
            ax.bar(years, top, width=0.7, color=BLUE, label=L.metric("hires", lang))
        bottom = np.zeros(len(years))
        for m in FLOW_EXITS:
            if not has_values(results, m):
                continue
            v = np.nan_to_num(_mean(results, m))
            if not (v > 0).any():
                continue
            ax.bar(years, -v, bottom=bottom, width=0.7, color=CAUSE_COLOURS.get(m, "#999999"),
                   label=L.metric(m, lang))
            bottom -= v
        ax.axhline(0, color="black", linewidth=0.8)
        pad = 0.05 * max(top.max() - bottom.min(), 1.0)
        ax.set_ylim(bottom.min() - pad, top.max() + pad)
        ax.set_ylabel(f"{L.unit('hires', lang)} ({L.word('hires_up_exits_down', lang)})")
        _years_axis(ax, years, lang)
        ax.set_xticks(years)
        _thousands(ax, absolute=True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        if own:
            _finish(fig, results, L.word("flows", lang), lang)
    return fig


_NO_LINE_START = set("）)】」』，。、；：？！%…·")
_NO_LINE_END = set("（(【「『")


def _wrap(text: str, width: int = 46) -> str:
    """Lines of at most ``width`` columns (a Chinese character takes two). Chinese text
    breaks between characters, but never inside a number or a Latin word, never before a
    closing bracket, comma or %, and never after an opening bracket."""
    if L.display_width(text) == len(text):  # no wide characters
        return "\n".join(textwrap.wrap(text, width)) or text
    units: list[str] = []
    for t in re.findall(r"[A-Za-z0-9.,%+\-–/=<>≥≤_]+|\s+|.", text):
        if units and (t[0] in _NO_LINE_START or units[-1][-1] in _NO_LINE_END):
            units[-1] += t
        else:
            units.append(t)
    lines, line = [], ""
    for t in units:
        if line.strip() and L.display_width(line + t.rstrip()) > width:
            lines.append(line.rstrip())
            line = t.lstrip()
        else:
            line += t
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines) or text


def _band_label(name: str) -> str:
    """The age band of a pyramid metric as a tick: <25, 25–29, ..., 65+."""
    _, lo, hi = M.pyramid_band(name)
    return f"<{hi + 1}" if not lo else f"{lo}+" if hi is None else f"{lo}–{hi}"


def age_pyramid(results, years=None, lang: str = "en"):
    """Mean workers by age band and sex at the end of the first and last year.

    Men to the left, women to the right; black ticks show each band's 90% interval.

    Parameters
    ----------
    years : sequence of int, optional
        Years to show side by side (default: first and last simulated year).
    """
    men = [m for m in M.PYRAMID if m.startswith("pyramid_m_")]
    women = [m for m in M.PYRAMID if m.startswith("pyramid_f_")]
    if not all(m in results.metrics for m in men + women):
        raise KeyError("this run has no pyramid_* metrics")
    ys = list(years) if years is not None else [int(results.years[0]), int(results.years[-1])]
    lang = figure_lang(lang)
    with _style(lang):
        fig, axes = _new_figure(size=(8.0, 4.8), ncols=len(ys), sharey=True)
        axes = np.atleast_1d(axes)
        bands = np.arange(len(men))
        # keep bands that hold someone in some shown year (and the bands between them)
        ymask = np.isin(results.years, ys)
        idx = [[results._m(m) for m in side] for side in (men, women)]
        counts = np.nanmean(results.values[:, ymask][:, :, idx], axis=0)   # (years, sex, band)
        used = np.flatnonzero(counts.max(axis=(0, 1)) > 0) if counts.size else np.array([0])
        lo_b, hi_b = (used.min(), used.max()) if used.size else (0, len(men) - 1)
        keep = bands[lo_b:hi_b + 1]
        xmax = 0.0
        for ax, year in zip(axes, ys):
            i = results._y(year)
            for side, sign, colour, key in ((men, -1, "#4a90d9", "men"), (women, 1, "#e8798f", "women")):
                vals = results.values[:, i, [results._m(side[b]) for b in keep]]
                mean = np.nanmean(vals, axis=0)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    lo, hi = np.nanquantile(vals, [0.05, 0.95], axis=0)
                ax.barh(np.arange(len(keep)), sign * mean, color=colour, height=0.8, label=L.word(key, lang))
                # the 5-95% range around the bar's end (men's bars go left: their range is
                # mirrored); a band filled in few replications can have its mean outside it
                below, above = np.maximum(mean - lo, 0), np.maximum(hi - mean, 0)
                ax.errorbar(sign * mean, np.arange(len(keep)), xerr=[below, above] if sign > 0 else [above, below],
                            fmt="none", ecolor="#333333", elinewidth=0.7, capsize=1.5)
                xmax = max(xmax, float(np.nanmax(hi)) if hi.size else 0.0)
            ax.axvline(0, color="black", linewidth=0.8)
            ax.set_title(f"{year}" + ("年末" if lang == "zh" else " (31 December)"))
            ax.set_xlabel(L.unit("headcount", lang))
            ax.grid(axis="x", color="#eeeeee")
            ax.set_axisbelow(True)
        for ax in axes:
            ax.set_xlim(-xmax * 1.1 or -1, xmax * 1.1 or 1)
            _thousands(ax, axis="x", absolute=True)
        axes[0].set_yticks(np.arange(len(keep)), [_band_label(men[b]) for b in keep])
        axes[0].set_ylabel(f"{L.word('age', lang)} ({L.unit('mean_age', lang)})")
        # in the first panel, where its bars leave room (usually a top corner: the oldest bands
        # are the shortest bars); a legend below the panels met the footer
        axes[0].legend(loc="best", frameon=False)
        _finish(fig, results, L.word("pyramid", lang), lang)
    return fig


# ----------------------------------------------------------------- writing

def figure_list(results) -> list[tuple[str, object]]:
    """(file stem, what) of every figure :func:`write_figures` draws for this run.

    ``what`` is a figure name, a metric (a fan chart) or a tuple of metrics (small
    multiples). Every target's metric gets a fan chart, so each target is seen against
    its forecast; targets on one metric in several parts of the city share a grid.
    """
    out = []
    if results.target_specs:
        out.append(("target_board", "target_board"))
    fan = [m for m in FAN_METRICS if has_values(results, m)]
    extra = [t.metric_name for t in results.target_specs
             if t.metric_name not in fan and has_values(results, t.metric_name)]
    groups: dict[str, list[str]] = {}
    for m in dict.fromkeys(extra):
        groups.setdefault(m.partition(".")[0] if "." in m else m, []).append(m)
    out += [(f"fan_{m}", m) for m in fan]
    for base, ms in groups.items():
        if len(ms) == 1:
            out.append((f"fan_{ms[0].replace('.', '-')}", ms[0]))
        else:
            out.append((f"fan_{base}-by-scope", tuple(ms)))
    if any(has_values(results, m) for m in M.PAYROLL_PARTS):
        out.append(("payroll_components", "payroll_components"))
    if any(has_values(results, m) for m in M.FUNDING_PARTS):
        out.append(("funding_sources", "funding_sources"))
    if has_values(results, "hires"):
        out.append(("flows", "flows"))
    if all(m in results.metrics for m in M.PYRAMID):
        out.append(("age_pyramid", "age_pyramid"))
    return out


def draw(results, what, lang: str = "en"):
    """Draw one figure of :func:`figure_list`."""
    if isinstance(what, tuple):
        return fan_grid(results, what, lang=lang)
    named = {"target_board": target_board, "payroll_components": payroll_components,
             "funding_sources": funding_sources, "flows": flows, "age_pyramid": age_pyramid}
    if what in named:
        return named[what](results, lang=lang)
    return fan_chart(results, what, lang=lang)


def write_figures(results, folder, lang: str = "en", svg: bool = False) -> list[dict]:
    """Draw every figure of a run into ``folder`` as PNG (and SVG with ``svg=True``).

    On Linux, from a single-threaded process, every other figure is drawn in a forked
    second process at the same time (:func:`_in_two_processes`); the files are the same.

    Returns
    -------
    list of dict
        One per figure: ``stem``, ``title`` and ``png`` (the path written).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    items = figure_list(results)

    def write(part):
        written = []
        for stem, what in part:
            fig = draw(results, what, lang)
            if fig is None:
                continue
            png = folder / f"{stem}.png"
            fig.savefig(png, dpi=DPI)
            if svg:
                fig.savefig(folder / f"{stem}.svg")
            title = fig._suptitle.get_text() if fig._suptitle is not None else stem
            written.append({"stem": stem, "title": title, "png": str(png)})
        return written
    if len(items) >= 4 and _can_fork():
        mine, theirs = _in_two_processes(write, items[0::2], items[1::2])
    else:
        mine, theirs = write(items), []
    order = {stem: i for i, (stem, _) in enumerate(items)}
    done = sorted(mine + theirs, key=lambda d: order[d["stem"]])
    return [dict(d, png=Path(d["png"])) for d in done]


def _can_fork() -> bool:
    """A second process by fork (:func:`model.forking.can_fork`)."""
    from ..forking import can_fork
    return can_fork()


def _in_two_processes(work, mine, theirs) -> tuple[list, list]:
    """``work(mine)`` here and ``work(theirs)`` in a forked child at the same time; returns
    both results (the child's sent back as JSON through a pipe).

    The child is forked by :func:`model.forking.fork` (signals held across the fork, the
    child ends with ``os._exit``). If the parent stops early, it kills the child; if the
    child fails or is stopped, the parent does the child's share itself (so a bug raises
    where it is)."""
    import json
    import os

    from .. import forking
    read_end, write_end = os.pipe()

    def child():
        os.close(read_end)
        data = work(theirs)
        with os.fdopen(write_end, "w", encoding="utf-8") as f:
            json.dump(data, f)
    pids: list[int] = []
    text, finished = "", False
    try:
        try:
            forking.fork(child, pids.append, disable_gc=True)
        except OSError:  # no second process to be had (memory, process limits): all here
            return work(mine), work(theirs)
        finally:
            os.close(write_end)
        with os.fdopen(read_end, "r", encoding="utf-8") as f:
            read_end = None
            here = work(mine)
            text = f.read()
            finished = True
    finally:
        if read_end is not None:
            os.close(read_end)
        if pids:
            (forking.wait if finished else forking.end)(pids[0])
    try:
        return here, json.loads(text)
    except ValueError:  # the child failed or was stopped: its share here
        return here, work(theirs)
