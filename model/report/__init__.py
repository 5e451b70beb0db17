"""What people look at: figures, the budget workbook and the HTML report of a run.

``python -m model run`` calls :func:`write_all` inside the run's atomic output
folder; the experiments call :func:`compare_report`. The pieces are usable alone:

- :mod:`model.report.figures`: plotting functions that take a :class:`model.Results`
  (``fan_chart``, ``target_board``, ``payroll_components``, ``funding_sources``,
  ``flows``, ``age_pyramid``);
- :mod:`model.report.budget`: ``budget.xlsx`` (``write_budget``, ``read_budget``);
- :mod:`model.report.webpage`: ``report.html``;
- :mod:`model.report.fonts`: finding a font for Chinese labels;
- :mod:`model.report.labels`: English and Chinese labels.

Chinese (``lang="zh"``): the workbook and the report use Chinese-first labels. Figures
need a CJK font; when none is installed they fall back to English labels with one
:class:`~model.report.fonts.MissingCJKFontWarning` saying how to install one
(``apt-get install fonts-noto-cjk``).
"""

from __future__ import annotations

from pathlib import Path

# The pieces load when first used (PEP 562), so that ``from model.report import labels``
# (the command's console words) does not import matplotlib and openpyxl.
_FROM = {
    "read_budget": "budget", "write_budget": "budget",
    "age_pyramid": "figures", "fan_chart": "figures", "flows": "figures", "funding_sources": "figures",
    "payroll_components": "figures", "target_board": "figures", "write_figures": "figures",
    "MissingCJKFontWarning": "fonts",
}
_MODULES = ("budget", "experiments", "figures", "fonts", "labels", "webpage")

__all__ = [
    "MissingCJKFontWarning",
    "age_pyramid",
    "budget",
    "compare_report",
    "fan_chart",
    "figures",
    "flows",
    "fonts",
    "funding_sources",
    "labels",
    "payroll_components",
    "read_budget",
    "target_board",
    "webpage",
    "write_all",
    "write_budget",
    "write_figures",
]


def __getattr__(name: str):
    """A piece of the report, loaded on first use (its name from the fixed tables above)."""
    import importlib
    if name in _MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _FROM:
        return getattr(importlib.import_module(f"{__name__}.{_FROM[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__) | set(_MODULES))


def write_all(results, scenario, folder, lang: str = "en", svg: bool = False) -> None:
    """Write every figure, ``budget.xlsx`` and ``report.html`` of a run into ``folder``.

    Parameters
    ----------
    results : model.Results
    scenario : model.Scenario
        The scenario that was run (description, districts, marked assumptions).
    folder : str or Path
        The run's output folder (``python -m model run`` passes its atomic temporary
        folder). Written: ``figures/*.png`` (and ``*.svg`` with ``svg=True``),
        ``budget.xlsx``, ``report.html``.
    lang : {"en", "zh"}
        Labels. ``zh`` without a CJK font: figures in English, one warning.
    svg : bool
        Also write each figure as SVG.
    """
    from . import budget, fonts, labels, webpage
    from .figures import write_figures
    labels.check_lang(lang)
    folder = Path(folder)
    fig_lang, _ = fonts.figure_language(lang)   # warns once if Chinese cannot be drawn
    with labels.district_labels(scenario):
        items = write_figures(results, folder / "figures", lang=fig_lang, svg=svg)
        summary = results.summary()
        budget.write_budget(results, scenario, folder / "budget.xlsx", lang=lang, summary=summary)
        files = tuple(f for f in ("budget.xlsx", "summary.csv", "targets.csv", "manifest.json")
                      if (folder / f).exists())
        webpage.write_report(results, scenario, folder, items, lang=lang, files=files, summary=summary)


def compare_report(results_list, table, folder, lang: str = "en", targets=None, scenarios=None) -> Path:
    """Write ``report.html`` comparing alternatives side by side (and its figures).

    Parameters
    ----------
    results_list : list of model.Results
        One per alternative, run with the same seed (common random numbers). The first
        is the baseline the differences refer to.
    table : pandas.DataFrame
        Tidy paired differences, columns ``scenario, year, metric, mean, diff, diff_low,
        diff_high``: ``mean`` is the alternative's mean, ``diff`` the mean of the paired
        differences alternative minus baseline and ``diff_low``/``diff_high`` its 95%
        interval, in the metric's units. Rows of the baseline may be present (diff 0 or
        NaN) or absent. Every metric in the table gets a table and a difference figure.
    folder : str or Path
        Output folder (existing or created): writes ``report.html`` and
        ``figures/compare_*.png``.
    lang : {"en", "zh"}
    targets : pandas.DataFrame, optional
        :attr:`model.experiments.compare.Comparison.targets`: each alternative's paired
        difference in each target's probability, shown beside the probabilities.
    scenarios : list of model.scenario.Scenario, optional
        The scenarios run (in the order of ``results_list``): the page says what each is
        (its description).

    Returns
    -------
    pathlib.Path
        The report written.
    """
    from . import fonts, labels, webpage
    labels.check_lang(lang)
    fig_lang, _ = fonts.figure_language(lang)
    return webpage.write_compare(results_list, table, folder, lang=lang, fig_lang=fig_lang, targets=targets,
                                 scenarios=scenarios)
