"""``report.html``: one self-contained page per run, and one per comparison.

The page opens from disk with no network: figures are embedded as base64 PNG, the
style sheet is inline, there is no script and no external link. Every piece of text
that comes from a scenario or a result is HTML-escaped.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np

from .. import metrics as M
from ..results import percent, percent_interval
from . import figures as F
from . import labels as L

ALT_COLOURS = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#c53030", "#319795", "#d69e2e", "#4a5568")
"""One colour per alternative, the baseline first, in every comparison figure."""

CSS = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
       -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #1a202c;
       background: #f7f8fa; line-height: 1.45; }
main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 48px; background: #fff; }
h1 { font-size: 1.7em; margin: 0.2em 0 0.1em; }
h2 { font-size: 1.25em; border-bottom: 2px solid #2b6cb0; padding-bottom: 4px; margin-top: 2em; }
p.lead { color: #4a5568; margin-top: 0; }
table { border-collapse: collapse; margin: 0.6em 0 1em; font-size: 0.92em; }
th, td { border: 1px solid #d9dee5; padding: 4px 9px; text-align: left; vertical-align: top; }
th { background: #edf2f7; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.kv th { width: 13em; }
td.hash { font-family: monospace; font-size: 0.85em; word-break: break-all; }
div.wide { overflow-x: auto; }
figure { margin: 1.2em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #e2e8f0; }
figcaption { color: #4a5568; font-size: 0.9em; }
.sure_met { background: #c6f6d5; } .likely_met { background: #e6f4e0; }
.unlikely_met { background: #feebc8; } .sure_missed { background: #fed7d7; }
footer { color: #718096; font-size: 0.85em; margin-top: 3em; }
"""


def esc(x) -> str:
    return html.escape("" if x is None else str(x), quote=True)


def img_tag(png: Path, alt: str) -> str:
    data = base64.b64encode(Path(png).read_bytes()).decode("ascii")
    return f'<img src="data:image/png;base64,{data}" alt="{esc(alt)}">'


def _figures_in_english() -> bool:
    """Whether Chinese figures fell back to English (no CJK font here); its one warning was
    given when they were drawn."""
    from . import fonts
    return fonts.cjk_font() is None


def _figure(item: dict) -> str:
    # the title is drawn in the image; alt text carries it for screen readers
    return f"<figure>{img_tag(item['png'], item['title'])}</figure>"


def _page(title: str, body: list[str], lang: str) -> str:
    code = "zh-CN" if lang == "zh" else "en"
    return (f'<!DOCTYPE html>\n<html lang="{code}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
            + "\n".join(body) + "\n</main>\n</body>\n</html>\n")


def _kv(rows) -> str:
    cells = "".join(f'<tr><th>{esc(k)}</th><td class="{cls}">{esc(v)}</td></tr>' for k, v, cls in rows)
    return f'<table class="kv">{cells}</table>'


def _table(head: list[str], rows: list, num_from: int = 1, text_cols: tuple = ()) -> str:
    """A table of already formatted strings (escaped here).

    Columns from ``num_from`` on are right-aligned numbers, except ``text_cols``. A row
    given as ``(cells, css_class)`` gets that class.
    """
    def num(j):
        return j >= num_from and j not in text_cols
    th = "".join(f'<th{" class=num" if num(j) else ""}>{esc(h)}</th>' for j, h in enumerate(head))
    body = []
    for row in rows:
        cls = ""
        if isinstance(row, tuple):
            row, cls = row
        tds = "".join(f'<td{" class=num" if num(j) else ""}>{esc(v)}</td>' for j, v in enumerate(row))
        body.append(f'<tr class="{esc(cls)}">{tds}</tr>' if cls else f"<tr>{tds}</tr>")
    return (f'<div class="wide"><table><thead><tr>{th}</tr></thead><tbody>{"".join(body)}</tbody>'
            f"</table></div>")


def _money(v: float, lang: str) -> str:
    if not np.isfinite(v):
        return "–"
    div, _ = F.money_scale(lang)
    return f"{v / div:,.1f}"


def _money_unit(lang: str) -> str:
    return F.money_scale(lang, per_year=False)[1]


def _fmt(metric: str, v: float) -> str:
    if not np.isfinite(v):
        return "–"
    if F.is_share(metric):
        return f"{v:.1%}"
    whole = M.unit(metric) in COUNTS and abs(v) >= 10  # a mean count of people or posts: to the person
    if not whole and (metric.startswith("workers_per_10k") or abs(v) < 100):
        return f"{v:,.1f}"
    return f"{v:,.0f}"


def _threshold(metric: str, v: float, lang: str) -> str:
    """A target's threshold as written (15.75 is not 15.8), in the unit the tables show its
    metric in: a share in %, money in million yuan (万元 in Chinese) with the unit."""
    if F.is_share(metric):
        return f"{v * 100:,.12g}%"
    if F.is_money(metric):
        return f"{v / F.money_scale(lang)[0]:,.12g} {_money_unit(lang)}"
    return f"{v:,.12g}"


def _target_mean(metric: str, v: float, lang: str) -> str:
    """A target metric's mean as the key table shows it, money with its unit."""
    if F.is_money(metric) and np.isfinite(v):
        return f"{_money(v, lang)} {_money_unit(lang)}"
    return _fmt(metric, v)


COUNTS = ("workers", "workers/year", "posts", "communities", "communities/year")
"""Units of counts, whose means tables show as whole numbers from 10 up (:func:`_fmt`)."""


def _run_rows(results, scenario, lang: str) -> list:
    from .. import __version__
    years = results.years
    return [
        (L.word2("scenario", lang), results.scenario, ""),
        (L.word2("description", lang), L.description(scenario, lang), ""),
        *([(L.word2("settings", lang), set_over, "")] if (set_over := L.settings(scenario, lang)) else []),
        (L.word2("horizon", lang), f"{years[0]}–{years[-1]}" + L.horizon_cut(scenario, lang), ""),
        (L.word2("starting_workforce", lang), L.starting_workforce(scenario, lang), ""),
        (L.word2("seed", lang), results.seed, ""),
        (L.word2("replications", lang), results.reps, ""),
        (L.word2("version", lang), __version__, ""),
        (L.word2("hash", lang), results.meta.get("scenario_hash") or getattr(scenario, "hash", ""), "hash"),
        (L.word2("created", lang), _created(results), ""),
    ]


def _created(*results) -> str:
    """When the forecast was made: the end of the (last) run (so a report written again from
    the same results, or by a helper in another process, reads the same), else now."""
    ends = [r.finished for r in results]
    when = max(ends) if ends and None not in ends else _dt.datetime.now()
    return when.strftime("%Y-%m-%d %H:%M")


def _floored_targets(results, scenario) -> list:
    """The targets on pay relative to the average wage in a scenario that floors that pay
    (:func:`model.semantics.pay_floors_set`), all of them: the note says that those at or
    below their floor are met by the model's own rule, rather than let them read as
    forecasts (which floor binds which target is not worked out here)."""
    from ..semantics import pay_floors_set
    if not pay_floors_set(scenario):
        return []
    return [t for t in results.target_specs
            if t.metric_name.partition(".")[0].startswith(("pay_ratio_", "remuneration_ratio_"))]


def _lifted_by_dismissal(results) -> list:
    """The city-wide targets on a certified share in a year whose assessment dismisses
    workers for want of a certificate (``exits_dismissed_cert`` above 0 in some
    replication): the share on 31 December is counted after those dismissals, which lift
    it, so the report says so (the dismissals are counted for the city, so a district's
    target is not named)."""
    if "exits_dismissed_cert" not in results.metrics:
        return []
    return [t for t in results.target_specs if t.metric.startswith("certified_share") and not t.scope
            and np.nanmax(results.at("exits_dismissed_cert", t.year), initial=0) > 0]


PAYROLL_FALL = 0.001
"""A fall in the mean payroll on the year before larger than this (a fraction) gets a note
(:func:`payroll_notes`): nominal payroll usually grows, and a finance bureau asks why not."""

STAFFING_SWING = 0.02
"""A year whose worker-years change by more than this (a fraction, either way) against the
year before's change gets a note too (:func:`payroll_notes`): a swing in the staffing moves
the payroll's growth away from the pay rise, as after an elimination whose posts stay empty
until the next recruitment round (a new city's audit of 2026-12-07: +3.4% then +9.2%,
explained nowhere); steady growth of the posts does not."""


def payroll_notes(results, summary, lang: str) -> list[str]:
    """One sentence for each year whose mean payroll falls on the year before by more than
    :data:`PAYROLL_FALL`, or whose worker-years' change differs from the year before's by more
    than :data:`STAFFING_SWING`: the change split into worker-years and payroll per worker-year
    (payroll is their product in each replication), with the year before's exits (the two
    largest causes and the rest together) and hires, as a year-end dismissal or elimination
    drives it."""
    if not {"payroll", "worker_years", "exits_total", "hires"} <= set(results.metrics):
        return []
    idx = summary.set_index(["metric", "year"])["mean"]
    years = [int(y) for y in results.years]
    causes = [m for m in M.EXIT_METRICS if m in results.metrics]
    out, trend = [], None  # trend: the worker-years' change of the year before
    for before, year in zip(years, years[1:]):
        def change(m):
            return idx[(m, year)] / idx[(m, before)] - 1 if idx[(m, before)] else float("nan")
        falls = change("payroll") < -PAYROLL_FALL
        swing = trend is not None and abs(change("worker_years") - trend) > STAFFING_SWING
        trend = change("worker_years")
        if not (falls or swing):
            continue
        per = (change("payroll_per_worker_year") if "payroll_per_worker_year" in results.metrics
               else float("nan"))
        ranked = sorted(causes, key=lambda m: -idx[(m, before)])
        top = [m for m in ranked[:2] if idx[(m, before)] > 0]
        rest = sum(idx[(m, before)] for m in ranked[2:])  # so the bracket adds up to those who left
        en = [f"{L.metric(m, 'en')} {idx[(m, before)]:,.0f}" for m in top]
        zh = [f"{L.metric(m, 'zh')}{idx[(m, before)]:,.0f}人" for m in top]
        if rest >= 0.5:  # shown as a whole number of workers: not "other causes 0"
            en.append(f"other causes {rest:,.0f}")
            zh.append(f"其他原因{rest:,.0f}人")
        words = (", ".join(en) or "–", "、".join(zh) or "–")  # –: no exits
        out.append(L.word2("payroll_falls" if falls else "payroll_moves", lang, by_lang={
            "causes": words, "change": _change_words(change("payroll"), "下降", "上升"),
            "wy": _change_words(change("worker_years"), "减少", "增加"),
            "ppw": _change_words(per, "下降", "上升")},
            year=year, before=before, exits=f"{idx[('exits_total', before)]:,.0f}",
            hires=f"{idx[('hires', before)]:,.0f}"))
    return out


def _change_words(x: float, down: str, up: str) -> tuple[str, str]:
    """A relative change in English (+5.7%) and Chinese words (上升5.7%, 减少11.5%, 持平);
    – where it is undefined."""
    if not np.isfinite(x):
        return "–", "–"
    return f"{x:+.1%}", "持平" if round(abs(x), 3) == 0 else f"{down if x < 0 else up}{abs(x):.1%}"


def targets_table(results, lang: str) -> str:
    t = results.targets()
    if not len(t):
        return f"<p>{esc(L.word2('no_targets', lang))}</p>"
    rows = []
    for _, r in t.iterrows():
        cat = r["verdict"]
        first, sure = r["first_year_met_p50"], r["first_year_met_p90"]
        rows.append(([L.target_named(r["target"], results.target_specs, lang),
                      L.metric(r["metric"], lang),
                      f"{F.OP_SIGN.get(r['op'], r['op'])} {_threshold(r['metric'], r['threshold'], lang)}",
                      str(int(r["year"])), percent(r["probability"]),
                      f"{percent(r['probability_low'])}–{percent(r['probability_high'])}", L.word(cat, lang),
                      _target_mean(r["metric"], r["mean"], lang),
                      *(str(int(y)) if np.isfinite(y) else "–" for y in (first, sure)),
                      r["source"]], cat))
    head = [L.word(k, lang) for k in ("target", "metric", "threshold", "year", "probability", "interval",
                                      "verdict", "mean", "first_year", "first_year_p90", "source")]
    return _table(head, rows, num_from=3, text_cols=(6, 10))


def key_table(results, lang: str, years: int | None = None, summary=None) -> str:
    """Headcount, certified share, workers per 10k, payroll mean and P90, hires, exits; the
    college share where a target reads it or workers earn degrees in service, and then the
    degrees of the year; every year of the run, or the first ``years`` (``summary``:
    ``results.summary()``, if already computed)."""
    s = results.summary() if summary is None else summary
    ys = [int(y) for y in results.years[:years]]
    degrees = bool((s.loc[s.metric == "degrees_earned", "mean"] > 0).any())
    college = degrees or any(t.metric == "college_share" for t in results.target_specs)
    cols = [("headcount", "mean"), ("certified_share", "mean")]
    cols += [("college_share", "mean")] if college else []
    cols += [("degrees_earned", "mean")] if degrees else []
    cols += [("workers_per_10k", "mean"), ("payroll", "mean"), ("payroll", "p90"), ("hires", "mean"),
             ("exits_total", "mean")]
    cols = [(m, c) for m, c in cols if F.has_values(results, m)]
    idx = s.set_index(["metric", "year"])
    head = [L.word("year", lang)]
    for m, c in cols:
        unit = f"{_money_unit(lang)}" if F.is_money(m) else ""  # a share's values carry their %
        stat = " P90" if c == "p90" else ""
        head.append(f"{L.metric(m, lang)}{stat}" + (f" ({unit})" if unit else ""))
    rows = []
    for y in ys:
        row = [str(y)]
        for m, c in cols:
            v = float(idx.loc[(m, y), c])
            row.append(_money(v, lang) if F.is_money(m) else _fmt(m, v))
        rows.append(row)
    return _table(head, rows)


def assumptions_table(scenario, lang: str) -> str:
    rows = [[a.get("file", ""), a.get("field", ""), a.get("text", "")]
            for a in getattr(scenario, "assumptions", ()) or ()]
    marked = (_table([L.word("file", lang), L.word("field", lang), L.word("text", lang)], rows, num_from=99)
              if rows else f"<p>{esc(L.word2('no_assumptions', lang))}</p>")
    defaults = getattr(scenario, "defaulted", dict)()
    if not defaults:
        return marked
    table = _table([L.word("field", lang), L.word("default", lang)],
                   [[k, json.dumps(v, ensure_ascii=False)] for k, v in defaults.items()], num_from=99)
    return (marked + f"<details><summary>{esc(L.word2('defaults', lang, n=len(defaults)))}</summary>"
            f"{table}</details>" + _defaults_off(scenario, lang))


def _defaults_off(scenario, lang: str) -> str:
    """The line under the defaults saying those of the mechanisms switched off are not listed
    (:meth:`model.Scenario.defaulted`), naming them; '' where none is off."""
    off = getattr(scenario, "switched_off", tuple)()
    if not off:
        return ""
    return f"<p>{esc(L.word2('defaults_off', lang, sections=', '.join(off)))}.</p>"


def write_report(results, scenario, folder, figure_items: list[dict], lang: str = "en",
                 files: tuple[str, ...] = (), summary=None) -> Path:
    """Write ``report.html`` for one run into ``folder``.

    Parameters
    ----------
    results : model.Results
    scenario : model.Scenario
    folder : Path
    figure_items : list of dict
        As returned by :func:`model.report.figures.write_figures` (stem, title, png).
    lang : {"en", "zh"}
    files : tuple of str
        Files of the run folder to link to (relative links, opened from disk).
    summary : pandas.DataFrame, optional
        ``results.summary()``, if already computed.
    """
    with L.district_labels(scenario):  # district names, whoever calls this
        return _write_report(results, scenario, folder, figure_items, lang, files, summary)


def _write_report(results, scenario, folder, figure_items: list[dict], lang: str = "en",
                  files: tuple[str, ...] = (), summary=None) -> Path:
    folder = Path(folder)
    board = [f for f in figure_items if f["stem"] == "target_board"]
    others = [f for f in figure_items if f["stem"] != "target_board"]
    title = f"{L.word('report', lang)}{'：' if lang == 'zh' else ': '}{results.scenario}"
    body = [f"<h1>{esc(title)}</h1>",
            f'<p class="lead">{esc(L.description(scenario, lang))}</p>',
            f"<h2>{esc(L.word2('what_was_run', lang))}</h2>", _kv(_run_rows(results, scenario, lang))]
    if files:
        links = " · ".join(f'<a href="{esc(f)}">{esc(f)}</a>' for f in files)
        body.append(f"<p>{links}</p>")
    body += [f"<h2>{esc(L.word2('targets', lang))}</h2>"]
    body += [_figure(f) for f in board]
    body.append(targets_table(results, lang))
    if results.target_specs:
        body.append(f"<p>{esc(L.word2('target_note', lang, reps=results.reps))}</p>")
    floored = _floored_targets(results, scenario)
    if floored:
        body.append(f"<p>{esc(L.word2('floored_targets', lang, n=len(floored)))}</p>")
    from ..semantics import eliminated_by_rule
    for key, named in (("eliminated_targets", eliminated_by_rule(scenario, results.target_specs)),
                       ("lifted_targets", _lifted_by_dismissal(results))):
        if named:  # a note naming the targets, in each language's words
            names = tuple(L.word("list_sep", k).join(L.target_name(t, k) for t in named)
                          for k in ("en", "zh"))
            body.append(f"<p>{esc(L.word2(key, lang, by_lang={'names': names}))}</p>")
    summary = results.summary() if summary is None else summary
    body += [f"<h2>{esc(L.word2('key_table', lang))}</h2>", key_table(results, lang, summary=summary),
             f"<p>{esc(L.word2('p90_means', lang))}.</p>",
             *(f"<p>{esc(fall)}.</p>" for fall in payroll_notes(results, summary, lang)),
             f"<h2>{esc(L.word2('figures', lang))}</h2>"]
    if lang == "zh" and _figures_in_english():  # their money in million yuan, the tables' in 万元
        body.append(f"<p>{esc(L.word('figures_in_english', 'zh'))}</p>")
    body += [_figure(f) for f in others]
    body += [f"<h2>{esc(L.word2('assumptions', lang))}</h2>", assumptions_table(scenario, lang)]
    body.append(f"<footer>{esc(L.word('scenario', lang))} {esc(results.scenario)} · "
                f"{esc(L.word('reps_seed', lang, reps=results.reps, seed=results.seed))}</footer>")
    path = folder / "report.html"
    path.write_text(_page(title, body, lang), encoding="utf-8")
    return path


# ----------------------------------------------------------------- comparison

def _compare_fan(results_list, metric: str, lang: str):
    """Median and 90% band of one metric for each alternative, overlaid."""
    lang = F.figure_lang(lang)
    with F._style(lang):
        fig, ax = F._new_figure()
        div, _ = F.scale_of(metric, lang)
        for i, res in enumerate(results_list):
            if not F.has_values(res, metric):
                continue
            c = ALT_COLOURS[i % len(ALT_COLOURS)]
            q05, q50, q95 = F._quantiles(res, metric, (0.05, 0.5, 0.95)) / div
            years = np.asarray(res.years)
            # a faint fill with its edges dashed in the alternative's colour: overlapping
            # bands stay apart (solid fills of several colours blend into one)
            ax.fill_between(years, q05, q95, color=c, alpha=0.07, linewidth=0)
            for q in (q05, q95):
                ax.plot(years, q, color=c, linewidth=0.9, linestyle="--")
            ax.plot(years, q50, color=c, linewidth=2, marker="o", markersize=3,
                    label=res.scenario + (f" ({L.word('baseline', lang)})" if i == 0 else ""))
        F._years_axis(ax, np.asarray(results_list[0].years), lang)
        F.value_axis(ax, metric, lang)
        handles, labels = ax.get_legend_handles_labels()
        from matplotlib.lines import Line2D
        handles.append(Line2D([], [], color="#777777", linewidth=0.9, linestyle="--"))
        labels.append(L.word("band90", lang))
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        _compare_footer(fig, results_list, f"{L.metric(metric, lang)}: {L.word('median', lang)}, "
                        f"{L.word('band90', lang)}", lang)
    return fig


def _compare_footer(fig, results_list, title, lang):
    fig.suptitle(title, fontsize=13, fontweight="bold")
    names = ", ".join(r.scenario for r in results_list)
    r0 = results_list[0]
    foot = (f"{L.word('alternatives', lang)}: {names}  ·  "
            f"{L.word('reps_seed', lang, reps=r0.reps, seed=r0.seed)}")
    F.footer(fig, foot)


def _compare_diff(table, metric: str, baseline: str, results_list, lang: str):
    """Difference from the baseline with its 95% interval, by year, for each alternative."""
    d = table[(table["metric"] == metric) & (table["scenario"] != baseline)]
    lang = F.figure_lang(lang)
    with F._style(lang):
        fig, ax = F._new_figure()
        div = F.difference_axis(ax, metric, lang)
        names = list(dict.fromkeys(d["scenario"]))
        for i, name in enumerate(names):
            g = d[d["scenario"] == name].sort_values("year")
            c = ALT_COLOURS[(i + 1) % len(ALT_COLOURS)]
            ax.fill_between(g["year"], g["diff_low"] / div, g["diff_high"] / div, color=c, alpha=0.2, linewidth=0)
            ax.plot(g["year"], g["diff"] / div, color=c, linewidth=2, marker="o", markersize=3,
                    label=f"{name} − {baseline}")
        ax.axhline(0, color="black", linewidth=0.8)
        years = np.asarray(sorted(set(table["year"].astype(int))))
        F._years_axis(ax, years, lang)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        _compare_footer(fig, results_list, f"{L.metric(metric, lang)}: {L.word('diff', lang)} (95%)", lang)
    return fig


def _compare_targets(results_list, tabs, lang: str):
    """Grouped bars: each target's probability under each alternative, with intervals
    (``tabs``: each alternative's ``targets()`` indexed by target)."""
    names = list(dict.fromkeys(n for t in tabs for n in t.index))
    if not names:
        return None
    lang = F.figure_lang(lang)
    with F._style(lang):
        fig, ax = F._new_figure(size=(8.0, 1.6 + 0.35 * len(names) * len(results_list) + 0.3 * len(names)))
        k = len(results_list)
        h = 0.8 / k
        base = np.arange(len(names))[::-1].astype(float)
        for i, (res, t) in enumerate(zip(results_list, tabs)):
            t = t.reindex(names)
            p, lo, hi = (t[c].to_numpy(dtype=float) for c in ("probability", "probability_low", "probability_high"))
            y = base + 0.4 - h * (i + 0.5)
            ax.barh(y, np.nan_to_num(p), height=h * 0.9, color=ALT_COLOURS[i % len(ALT_COLOURS)],
                    label=res.scenario)
            ok = np.isfinite(p)
            ax.plot(p[ok], y[ok], linestyle="none", marker="o", markersize=5,
                    color=ALT_COLOURS[i % len(ALT_COLOURS)], markeredgecolor="black",
                    markeredgewidth=0.6, clip_on=False, zorder=4)
            ax.errorbar(p[ok], y[ok], xerr=[p[ok] - lo[ok], hi[ok] - p[ok]], fmt="none", ecolor="black",
                        capsize=2, elinewidth=0.8)
        ax.set_yticks(base, [L.target_named(n, results_list[0].target_specs, lang) for n in names])
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(F.PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(f"{L.word('probability', lang)} (%, {L.word('interval', lang)})")
        ax.axvline(0.9, color="#999999", linestyle=":")
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        _compare_footer(fig, results_list, L.word("target_probabilities", lang), lang)
    return fig


def write_compare(results_list, table, folder, lang: str = "en", fig_lang: str | None = None,
                  targets=None, scenarios=None) -> Path:
    """See :func:`model.report.compare_report`; ``fig_lang`` is the language of figures
    (English where no CJK font exists), ``lang`` that of the page."""
    import pandas as pd

    from .. import __version__
    L.check_lang(lang)
    if not results_list:
        raise ValueError("compare_report needs at least one Results")
    need = {"scenario", "year", "metric", "mean", "diff", "diff_low", "diff_high"}
    table = pd.DataFrame(table)
    missing = need - set(table.columns)
    if missing:
        raise ValueError(f"compare_report table lacks columns: {', '.join(sorted(missing))}")
    folder = Path(folder)
    figdir = folder / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    baseline = results_list[0].scenario
    items = []

    def save(fig, stem):
        if fig is None:
            return
        png = figdir / f"{stem}.png"
        fig.savefig(png, dpi=F.DPI)
        items.append({"stem": stem, "title": fig._suptitle.get_text(), "png": png})

    fl = fig_lang or lang
    tabs = [r.targets().set_index("target") for r in results_list]
    save(_compare_targets(results_list, tabs, fl), "compare_targets")
    metrics = list(dict.fromkeys(table["metric"]))
    for m in metrics:
        save(_compare_diff(table, m, baseline, results_list, fl), f"compare_diff_{m.replace('.', '-')}")
    for m in F.FAN_METRICS:
        if all(F.has_values(r, m) for r in results_list):
            save(_compare_fan(results_list, m, fl), f"compare_fan_{m}")

    title = f"{L.word('compare_report', lang)}: " + " / ".join(r.scenario for r in results_list)
    body = [f"<h1>{esc(title)}</h1>", f"<h2>{esc(L.word2('alternatives', lang))}</h2>"]
    keys = ["scenario", *(["description"] if scenarios is not None else []), "seed", "replications", "hash"]
    said = [L.description(sc, lang) for sc in scenarios] if scenarios is not None else []
    rows = [[r.scenario + (f" ({L.word('baseline', lang)})" if i == 0 else ""), *said[i:i + 1], str(r.seed),
             str(r.reps), r.meta.get("scenario_hash", "")] for i, r in enumerate(results_list)]
    body.append(_table([L.word2(k, lang) for k in keys], rows,
                       text_cols=tuple(j for j, k in enumerate(keys) if k in ("description", "hash"))))
    body.append(f"<p>{esc(L.word2('version', lang))}: {esc(__version__)} · "
                f"{esc(L.word2('created', lang))}: {esc(_created(*results_list))}</p>")

    # targets side by side
    body.append(f"<h2>{esc(L.word2('targets', lang))}</h2>")
    body += [_figure(f) for f in items if f["stem"] == "compare_targets"]
    tnames = list(dict.fromkeys(n for t in tabs for n in t.index))
    if tnames:
        paired = {} if targets is None else {
            (r.scenario, r.target): (r.probability_difference, r.probability_difference_low,
                                     r.probability_difference_high)
            for r in targets.itertuples() if np.isfinite(r.probability_difference)}
        trows = []
        for n in tnames:
            row = [L.target_named(n, results_list[0].target_specs, lang)]
            for i, (res, t) in enumerate(zip(results_list, tabs)):
                if n not in t.index:
                    row.append("–")
                    continue
                r = t.loc[n]
                cell = percent_interval(r["probability"], r["probability_low"], r["probability_high"])
                if i > 0 and (res.scenario, n) in paired:  # model.experiments.compare's paired difference
                    d, lo, hi = paired[(res.scenario, n)]
                    cell += f"  ({d * 100:+.1f} {L.word('pp_short', lang)} [{lo * 100:+.1f}, {hi * 100:+.1f}])"
                row.append(cell)
            trows.append(row)
        body.append(_table([L.word2("target", lang)] + [r.scenario for r in results_list], trows))
        body.append(f"<p>{esc(L.word2('target_difference_note', lang))}</p>")
    else:
        body.append(f"<p>{esc(L.word2('no_targets', lang))}</p>")

    # differences, one table per metric: years as rows, alternatives as columns
    body.append(f"<h2>{esc(L.word2('difference', lang))}</h2>")
    body.append(f"<p>{esc(L.word2('difference_note', lang))}</p>")
    scen = [r.scenario for r in results_list]
    scen += [s for s in dict.fromkeys(table["scenario"]) if s not in scen]
    for m in metrics:
        d = table[table["metric"] == m]
        unit = _money_unit(lang) if F.is_money(m) else ("%" if F.is_share(m) else L.unit(m, lang))
        cells = {}   # (year, scenario) -> its first row
        for r in d[["year", "scenario", "mean", "diff", "diff_low", "diff_high"]].itertuples(index=False):
            cells.setdefault((int(r.year), r.scenario), r)
        if "mean_baseline" in d.columns:  # the baseline's own mean, carried on its alternatives' rows
            for r in d[["year", "mean_baseline"]].itertuples(index=False):
                cells.setdefault((int(r.year), baseline), SimpleNamespace(mean=r.mean_baseline, diff=np.nan))
        rows = [[str(y)] + [_compare_cell(m, cells[(y, s)], s == baseline, lang) if (y, s) in cells else "–"
                            for s in scen]
                for y in sorted({y for y, _ in cells})]
        body.append(f"<h3>{esc(L.metric(m, lang))} ({esc(unit)})</h3>")
        body.append(_table([L.word2("year", lang)] + scen, rows))
        body += [_figure(x) for x in items if x["stem"] == f"compare_diff_{m.replace('.', '-')}"]

    body.append(f"<h2>{esc(L.word2('figures', lang))}</h2>")
    body += [_figure(x) for x in items if x["stem"].startswith("compare_fan_")]
    path = folder / "report.html"
    path.write_text(_page(title, body, lang), encoding="utf-8")
    return path


def _compare_cell(metric: str, row, baseline: bool, lang: str) -> str:
    """An alternative's mean and, unless it is the baseline (or has no difference), its
    difference from the baseline with the 95% interval; shares' differences in points."""
    def f(v):
        v = float(v)
        return _money(v, lang) if F.is_money(metric) else _fmt(metric, v)
    cell = f(row.mean)
    if baseline or not np.isfinite(float(row.diff)):
        return cell
    if F.is_share(metric):
        return (cell + f"  ({float(row.diff) * 100:+.1f} {L.word('pp_short', lang)} "
                f"[{float(row.diff_low) * 100:+.1f}, {float(row.diff_high) * 100:+.1f}])")
    return cell + f"  ({_signed(f(row.diff))} [{_signed(f(row.diff_low))}, {_signed(f(row.diff_high))}])"


def _signed(s: str) -> str:
    return s if s.startswith(("-", "–")) else "+" + s
