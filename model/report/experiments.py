"""Figures of the policy experiments: paired differences, sweeps, solve traces, tornado
and Sobol charts, calibration fits.

Each function takes the experiment's result object, draws one figure with matplotlib's
object-oriented API (no pyplot state, no GUI backend), writes it to ``path`` as PNG
(and SVG with ``svg=True``) when a path is given, and returns the
:class:`matplotlib.figure.Figure` (a notebook shows it with ``display(fig)``).
Labels are English (``lang="en"``) or Chinese (``lang="zh"``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import UserError
from . import figures
from . import labels as L

_ZH = {
    "Paired difference vs {base}": "与{base}的配对差异",
    "(band: paired 95% interval; dotted: unpaired)":
        "（色带：配对 95% 区间；点线：非配对区间）",
    "probability": "概率",
    "Probability target met": "目标达成概率",
    "required probability": "要求的达成概率",
    "solution": "求解结果",
    "Monte Carlo range of the answer": "求解结果的蒙特卡罗范围",
    "not determined at {reps} replications": "{reps} 次模拟下未能确定",
    "evaluation": "试算点",
    "Output": "输出",
    "low": "低值",
    "high": "高值",
    "base": "基准",
    "first-order (S1)": "一阶指数 (S1)",
    "total (ST)": "总效应指数 (ST)",
    "Sobol index": "Sobol 指数",
    "observed": "观测值",
    "simulated (95% interval)": "模拟值 (95% 区间)",
    "objective": "目标函数",
    "mean": "均值",
    "95% interval": "95% 区间",
    "95% CI of the mean": "均值的 95% 置信区间",
    "mean over replications": "各次模拟的均值",
    "paired 95% interval": "配对 95% 区间",
    "Sweep of {lever}": "{lever} 的参数扫描",
    "Solve {lever}: {target}": "求解 {lever}：{target}",
    "Tornado: {output}": "龙卷风图：{output}",
    "Calibration fit": "校准拟合",
    "Profile of the objective": "目标函数剖面",
}


def _t(text: str, lang: str, **kw) -> str:
    s = _ZH.get(text, text) if lang == "zh" else text
    return s.format(**kw) if kw else s


def _output_axis(output, lang: str) -> tuple[float, str, object]:
    """How an output is drawn on an axis (:func:`model.report.figures.axis_style`): a
    probability in percent, a metric as the run's figures draw it."""
    if output.is_probability:
        from matplotlib.ticker import FuncFormatter
        return 1.0, _t("probability", lang), FuncFormatter(figures._percent_tick)
    return figures.axis_style(output.metric, lang)


def _figure(lang: str, size=(8, 5), nrows=1, ncols=1):
    """A new figure and its axes; for Chinese labels, drawn with a CJK font
    (:func:`model.report.fonts.figure_language` falls back to English without one)."""
    import matplotlib as mpl
    from matplotlib.figure import Figure
    rc = {}
    if lang == "zh":
        from .fonts import figure_language
        lang, family = figure_language(lang)
        if family:
            rc = {"font.sans-serif": [family, "DejaVu Sans"], "font.family": "sans-serif",
                  "axes.unicode_minus": False}
    with mpl.rc_context(rc):
        fig = Figure(figsize=size, layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False)
    fig._lang_rc = rc
    return fig, axes, lang


def _save(fig, path, svg: bool = False):
    if path is None:
        return fig
    import matplotlib as mpl
    path = Path(path)
    with mpl.rc_context(getattr(fig, "_lang_rc", {})):
        fig.savefig(path, dpi=120)
        if svg:
            fig.savefig(path.with_suffix(".svg"))
    return fig


def _years_axis(ax, years) -> None:
    """Whole years on the x axis (every year when there are few)."""
    from matplotlib.ticker import MaxNLocator
    ys = sorted({int(y) for y in years})
    if len(ys) <= 12:
        ax.set_xticks(ys, [str(y) for y in ys])
        if len(ys) == 1:
            ax.set_xlim(ys[0] - 1, ys[0] + 1)
    else:
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def paired_differences(comparison, metrics, path=None, lang: str = "en", svg: bool = False):
    """One panel per metric: each alternative's paired difference from the baseline by year,
    with its paired 95% interval (band) and the unpaired interval (dotted); a name that is not
    a metric compared is refused, as :meth:`Comparison.difference` refuses it."""
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    for m in metrics:
        comparison.difference(m)  # did you mean ...? (it was dropped without a word)
    n = max(len(metrics), 1)
    ncols = min(n, 3)
    nrows = -(-n // ncols)
    fig, axes, lang = _figure(lang, (4.2 * ncols, 3.2 * nrows + 0.5), nrows, ncols)
    base = comparison.labels[0]
    for ax, m in zip(axes.ravel(), metrics):
        d = comparison.difference(m)
        div = figures.difference_axis(ax, m, lang)
        for i, (lab, g) in enumerate(d.groupby("scenario", sort=False)):
            color = f"C{i}"
            ax.plot(g.year, g.difference / div, color=color, marker="o", ms=3, label=lab)
            ax.fill_between(g.year, g.difference_low / div, g.difference_high / div, color=color, alpha=0.25)
            ax.plot(g.year, g.unpaired_low / div, color=color, ls=":", lw=0.8)
            ax.plot(g.year, g.unpaired_high / div, color=color, ls=":", lw=0.8)
        ax.axhline(0, color="0.4", lw=0.8)
        ax.set_title(L.metric(m, lang), fontsize=10)
        ax.set_xlabel(L.word("year", lang))
        _years_axis(ax, d.year)
    for ax in axes.ravel()[len(metrics):]:
        ax.set_visible(False)
    if metrics:
        axes.ravel()[0].legend(fontsize=8)
    title = _t("Paired difference vs {base}", lang, base=base)
    title += " " + _t("(band: paired 95% interval; dotted: unpaired)", lang)
    fig.suptitle(title)
    return _save(fig, path, svg)


def sweep_figure(sweep, output, path=None, lang: str = "en", svg: bool = False):
    """A line (one lever) or a heat map (two levers) of ``output`` over the sweep's grid
    (``output`` as :meth:`model.experiments.sweep.Sweep.output` takes it: a metric's name,
    ``metric@YEAR``, a target's name or expression, a Target or an Output)."""
    from ..experiments.common import named_output
    output = named_output(sweep.scenario, output)
    tab = sweep.output(output)
    levers = sweep.lever_names
    fig, axes, lang = _figure(lang, (7, 4.5))
    ax = axes[0, 0]
    div, ylabel, ticks = _output_axis(output, lang)
    if len(levers) == 1:
        x = tab[levers[0]].to_numpy()
        numeric = np.issubdtype(np.asarray(x).dtype, np.number)
        xs = x if numeric else np.arange(len(x))
        ax.plot(xs, tab["value"] / div, marker="o", label=_t("mean", lang) if not output.is_probability
                else _t("probability", lang))
        ax.fill_between(xs, tab["low"] / div, tab["high"] / div, alpha=0.25,
                        label=_t("95% interval" if output.is_probability else "95% CI of the mean", lang))
        if not numeric:
            ax.set_xticks(xs, [str(v) for v in x])
        ax.set_xlabel(levers[0])
        ax.set_ylabel(ylabel)
        figures.set_ticks(ax, "y", ticks)
        ax.legend(fontsize=8)
    else:
        a, b = levers
        pv = tab.pivot(index=b, columns=a, values="value") / div
        im = ax.imshow(pv.to_numpy(dtype=float), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(pv.shape[1]), [f"{v:g}" if isinstance(v, float) else str(v) for v in pv.columns])
        ax.set_yticks(range(pv.shape[0]), [f"{v:g}" if isinstance(v, float) else str(v) for v in pv.index])
        ax.set_xlabel(a)
        ax.set_ylabel(b)
        vals = pv.to_numpy(dtype=float)
        for i in range(vals.shape[0]):
            for j in range(vals.shape[1]):
                v = vals[i, j]
                txt = ticks(v) if ticks is not None else (f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}")
                r, g, b_, _ = im.cmap(im.norm(v))  # dark text on the bright end of the map
                ax.text(j, i, txt, ha="center", va="center", fontsize=8,
                        color="k" if 0.299 * r + 0.587 * g + 0.114 * b_ > 0.5 else "w")
        bar = fig.colorbar(im, ax=ax, label=ylabel)
        figures.set_ticks(bar.ax, "y", ticks)
    what = "" if output.is_probability else f" ({_t('mean over replications', lang)})"
    ax.set_title(_t("Sweep of {lever}", lang, lever=" x ".join(levers)) + f": {output.label_in(lang)}{what}",
                 fontsize=10)
    return _save(fig, path, svg)


def solve_trace(solution, path=None, lang: str = "en", svg: bool = False):
    """Probability of the target at each value tried, with Wilson intervals, the required
    probability and the solution."""
    tr = solution.trace.sort_values("value")
    fig, axes, lang = _figure(lang, (7, 4.5))
    ax = axes[0, 0]
    err = np.vstack([tr.probability - tr.probability_low, tr.probability_high - tr.probability])
    ax.errorbar(tr.value, tr.probability, yerr=err, fmt="o", ms=4, capsize=2, label=_t("evaluation", lang))
    ax.axhline(solution.prob, color="C3", ls="--", lw=1, label=_t("required probability", lang))
    if solution.value_high > solution.value_low:  # where the answer may lie, given the Monte Carlo error
        ax.axvspan(solution.value_low, solution.value_high, color="C2", alpha=0.12, lw=0,
                   label=_t("Monte Carlo range of the answer", lang))
    word = (_t("solution", lang) if solution.determined
            else _t("not determined at {reps} replications", lang, reps=solution.reps))
    ax.axvline(solution.value, color="C2", lw=1.5, ls="-" if solution.determined else ":",
               label=f"{word}: {solution.rounded_safe(solution.value)}")  # as the command prints it
    for _, r in solution.trace.iterrows():
        ax.annotate(str(int(r.step)), (r.value, r.probability), textcoords="offset points", xytext=(3, 3),
                    fontsize=7, color="0.4")
    ax.set_xlabel(solution.lever)
    ax.set_ylabel(_t("Probability target met", lang))
    ax.set_ylim(-0.03, 1.03)
    ax.legend(fontsize=8)
    target = solution.output.label_in(lang) if solution.output is not None else solution.target_label
    ax.set_title(_t("Solve {lever}: {target}", lang, lever=solution.lever, target=target), fontsize=10)
    return _save(fig, path, svg)


def tornado(sens, path=None, lang: str = "en", svg: bool = False):
    """Tornado chart: the output at each factor's low and high value, widest swing on top."""
    t = sens.oat.sort_values("swing", ascending=True)
    fig, axes, lang = _figure(lang, (8, 1.0 + 0.45 * max(len(t), 2)))
    ax = axes[0, 0]
    div, xlabel, ticks = _output_axis(sens.output, lang)
    base = sens.base_value / div
    y = np.arange(len(t))
    ax.barh(y, t.output_low / div - base, left=base, color="C0", label=_t("low", lang))
    ax.barh(y, t.output_high / div - base, left=base, color="C1", label=_t("high", lang))
    ax.axvline(base, color="k", lw=1, label=_t("base", lang))
    ax.set_yticks(y, [f"{p} [{lo:.3g}, {hi:.3g}]" for p, lo, hi in zip(t.parameter, t.low, t.high)])
    ax.set_xlabel(xlabel)
    figures.set_ticks(ax, "x", ticks)
    ax.legend(fontsize=8, loc="lower right")
    ax.set_title(_t("Tornado: {output}", lang, output=sens.output.label_in(lang)), fontsize=10)
    return _save(fig, path, svg)


def sobol_figure(sens, path=None, lang: str = "en", svg: bool = False):
    """First-order and total Sobol indices with their 95% bootstrap intervals."""
    s = sens.sobol
    if s is None:
        raise UserError("this sensitivity analysis has no Sobol indices (it was run with sobol=0); run it "
                        "with sobol=N base samples to draw them", field="sobol")
    fig, axes, lang = _figure(lang, (7, 1.2 + 0.5 * max(len(s), 2)))
    ax = axes[0, 0]
    y = np.arange(len(s))
    ax.barh(y - 0.2, s.S1, height=0.4, xerr=s.S1_conf, color="C0", label=_t("first-order (S1)", lang))
    ax.barh(y + 0.2, s.ST, height=0.4, xerr=s.ST_conf, color="C1", label=_t("total (ST)", lang))
    ax.set_yticks(y, list(s.parameter))
    ax.set_xlabel(_t("Sobol index", lang))
    ax.axvline(0, color="0.4", lw=0.8)
    ax.legend(fontsize=8)
    ax.set_title(f"Sobol: {sens.output.label_in(lang)}", fontsize=10)
    return _save(fig, path, svg)


def calibration_fit(cal, path=None, lang: str = "en", svg: bool = False):
    """Observed values against the fitted model's simulated means (with 95% intervals), one
    panel per metric; and, when computed, the objective's profile along each parameter."""
    fit = cal.fit
    metrics = list(dict.fromkeys(fit.metric))
    prof = cal.profile if cal.profile is not None and len(cal.profile) else None
    nprof = 0 if prof is None else prof.parameter.nunique()
    n = len(metrics) + nprof
    ncols = min(n, 3)
    nrows = -(-n // ncols)
    fig, axes, lang = _figure(lang, (4.2 * ncols, 3.3 * nrows + 0.4), nrows, ncols)
    flat = axes.ravel()
    for ax, m in zip(flat, metrics):
        g = fit[fit.metric == m].sort_values("year")
        ax.errorbar(g.year, g.simulated, yerr=np.vstack([g.simulated - g.simulated_low,
                                                         g.simulated_high - g.simulated]),
                    fmt="s", ms=4, capsize=2, color="C0", label=_t("simulated (95% interval)", lang))
        ax.plot(g.year, g.observed, "o", color="C3", label=_t("observed", lang))
        ax.set_title(L.metric(m, lang), fontsize=10)
        ax.set_xlabel(L.word("year", lang))
        _years_axis(ax, g.year)
    if metrics:
        flat[0].legend(fontsize=8)
    if prof is not None:
        for ax, (p, g) in zip(flat[len(metrics):], prof.groupby("parameter", sort=False)):
            ax.plot(g.value, g.objective, marker="o", ms=3)
            ax.axvline(cal.values[p], color="C2", lw=1)
            ax.set_xlabel(p)
            ax.set_ylabel(_t("objective", lang))
            ax.set_title(_t("Profile of the objective", lang), fontsize=10)
    for ax in flat[n:]:
        ax.set_visible(False)
    fig.suptitle(_t("Calibration fit", lang))
    return _save(fig, path, svg)
