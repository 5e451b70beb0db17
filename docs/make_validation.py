"""Generate docs/validation.md: the engine against theory, the place scenarios against their documents.

Usage::

    python docs/make_validation.py                  # theory checks + back-tests
    python docs/make_validation.py --no-backtests   # theory checks only
    python docs/make_validation.py --reps 200 --workers 2

What it does, in order:

1. runs ``tests/test_theory*.py`` under pytest, with a small plugin that collects every
   test's outcome and the record each test leaves with ``record_property("validation",
   ...)`` (what it checks, the formula, each check's expected and simulated value, its
   z or p-value and threshold, and the data of its plot);
2. draws one figure per theory check into ``docs/figures/``;
3. runs each of the five place scenarios and tabulates each figure its policy document
   states (``FIGURES`` in scenarios/make_readme.py, with sources and how each is
   measured: one list for this page, scenarios/README.md and tests/test_places.py)
   against the simulated value and its interval; figures a scenario was set from or
   calibrated to are shown but not counted as back-tests;
4. writes ``docs/validation.md`` and ``docs/figures/validation-results.json`` (the raw
   records, for review as diffs).

The page is never edited by hand: rerun this script after any change to the engine,
the tests or the scenarios. It exits 1 if a theory check failed (the page is still
written, showing the failure).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
FIGDIR = DOCS / "figures"
PAGE = DOCS / "validation.md"
sys.path.insert(0, str(ROOT))


# --------------------------------------------------------------------------- figures the documents state

# scenarios/make_readme.py: its FIGURES is the one list of the figures the documents state,
# how each is measured and whether the scenario was set from it (the scenarios' README and
# tests/test_places.py read the same list)
sys.path.insert(0, str(ROOT / "scenarios"))
import make_readme as MR  # noqa: E402

NO_BACKTEST = {
    "changzhou-2022": "every figure seed 000 states about the workforce before the new rules set a parameter "
                      "(workers per community, college and certificate shares, base wage, city subsidy) or was "
                      "calibrated (13 posts per community).",
    "nanjing-2018": "seed 001 states rules (pay floors, work funds) and targets; the one figure of the "
                    "workforce found, 1.6万 workers in 2024, set the staffing ratio (it was a back-test until "
                    "2026-12-06, and the assumed ratio missed it). A search of stored public pages "
                    "(2026-12-07) found no other: the city's 1.84万 certified social workers (2022) count "
                    "every field, not community workers.",
    "jilin-2020": "seed 003 states rules (staffing bands, party posts, pay structure, exit rules) and a target "
                  "(3 certified per community within about 3 years) but no figure of the workforce that the "
                  "scenario was not set from; a search of stored public pages (2026-12-07) found none for "
                  "Changchun since 2020.",
    "yichang-2021": "seed 004 states rules and targets (30% certified by December 2021, 45% in 2022, 60% within 3 "
                    "years, 100% within 5) but no figure of the workforce that the scenario was not set from; "
                    "a search of stored public pages (2026-12-07) found none since 2021 (no outcome of the "
                    "targets).",
}
"""Why a place has no back-test (each place without one must be listed)."""


def literals(value: float) -> tuple[str, ...]:
    """How a figure could be typed as a value in a scenario file."""
    if not np.isfinite(value):
        return ()
    if float(value).is_integer():
        v = int(value)
        return (str(v), f"{v:_}") if abs(v) >= 1000 else (str(v),)
    return (f"{value:g}",)


def literal_inputs(sc, lits) -> list[str]:
    """Lines of the scenario's files where a figure appears as a value (a hint of calibration)."""
    found = []
    for path, text in getattr(sc, "_files", []):
        for i, line in enumerate(text.splitlines(), 1):
            code = line.split("#", 1)[0]
            if "=" not in code:
                continue
            value = code.split("=", 1)[1]
            for lit in lits:
                if re.search(rf"(?<![\d.]){re.escape(lit)}(?![\d])", value):
                    found.append(f"{Path(path).name}:{i}")
    return found


def agrees(fig, value: float, v: np.ndarray) -> bool:
    """The model agrees with the document: for a figure to reproduce (``==``), the value
    lies in the simulated 5-95% range widened by the figure's rounding (a parameter read
    gives one value: within the rounding); for a floor (``>=``), every replication
    respects it."""
    if fig.op == ">=":
        return bool(v.min() >= value - max(fig.rounding, 1e-9 * abs(value)))
    lo, hi = np.quantile(v, [0.05, 0.95])
    return bool(lo - fig.rounding - 1e-9 * abs(value) <= value <= hi + fig.rounding + 1e-9 * abs(value))


def run_backtests(reps: int, workers: int, seed: int) -> list[dict]:
    import model
    rows = []
    for pl in MR.PLACES:
        path = ROOT / "scenarios" / f"{pl.scenario}.toml"
        sc = model.load(path)
        figs = MR.figures_of(pl.scenario)
        res = model.run(sc, reps=reps, seed=seed, workers=workers, quiet=True)
        stock = (model.run(sc.with_overrides(MR.STOCK), reps=reps, seed=seed, workers=workers, quiet=True)
                 if any(f.stock for f in figs) else None)
        for fig in figs:
            value = MR.document_value(fig, sc)
            v = MR.figure_values(fig, sc, res, stock)
            v = v[np.isfinite(v)]
            p05, p95 = np.quantile(v, [0.05, 0.95])
            rows.append({
                "place": pl.scenario, "what": fig.label, "unit": fig.unit, "kind": fig.kind, "how": fig.how,
                "source": fig.source, "op": fig.op, "value": value, "changed_after_miss": fig.changed_after_miss,
                "rule_expectation": fig.expected is not None,
                "year": fig.year or sc.start_year, "stock": fig.stock, "parameter": fig.param is not None,
                "scenario": str(path.relative_to(ROOT)), "reps": res.reps, "seed": seed,
                "mean": float(v.mean()), "mc_se": float(v.std(ddof=1) / np.sqrt(len(v))) if len(v) > 1 else 0.0,
                "p05": float(p05), "p95": float(p95), "agrees": agrees(fig, value, v),
                "hints": literal_inputs(sc, literals(value)) if fig.kind == "back-test" else [],
            })
    return rows


# --------------------------------------------------------------------------- theory checks via pytest

class Collector:
    """pytest plugin: each test's outcome and its ``validation`` record."""

    def __init__(self):
        self.items: dict[str, dict] = {}

    def pytest_runtest_logreport(self, report):
        it = self.items.setdefault(report.nodeid, {"nodeid": report.nodeid, "outcome": "passed",
                                                     "duration": 0.0, "record": None})
        it["duration"] += report.duration
        for name, value in report.user_properties:
            if name == "validation":
                it["record"] = value
        if report.when == "call" and hasattr(report, "wasxfail"):
            it["outcome"] = "xfailed" if report.skipped else "xpassed"
            it["reason"] = report.wasxfail
        elif report.failed:
            it["outcome"] = "failed" if report.when == "call" else f"error in {report.when}"
            it["message"] = str(report.longrepr).strip().splitlines()[-1][:500]
        elif report.skipped and report.when in ("setup", "call"):
            it["outcome"] = "skipped"


def run_theory_tests() -> list[dict]:
    import pytest
    files = sorted(str(p) for p in (ROOT / "tests").glob("test_theory*.py"))
    col = Collector()
    pytest.main(["-q", "-p", "no:cacheprovider", "--rootdir", str(ROOT), *files], plugins=[col])
    return list(col.items.values())


# --------------------------------------------------------------------------- plots

def anchor(title: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def draw(plot: dict, title: str, path: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    fig, ax = plt.subplots(figsize=(6.4, 3.8))
    x = np.asarray(plot["x"], dtype=float)
    ss = plot["series"]
    colors = {}
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    if plot.get("type") == "bar":
        w = 0.8 / len(ss)
        for i, s in enumerate(ss):
            ax.bar(x + (i - (len(ss) - 1) / 2) * w, np.asarray(s["y"], dtype=float), width=w, label=s["label"],
                   alpha=0.85 if s["kind"] == "simulated" else 0.6,
                   hatch=None if s["kind"] == "simulated" else "//")
    else:
        # "group: simulated" / "group: theory" pairs share a colour; otherwise blue dots, orange lines
        for s in ss:
            group = s["label"].split(":")[0] if ":" in s["label"] else None
            c = (colors.setdefault(group, palette[len(colors) % len(palette)]) if group
                 else ("C1" if s["kind"] == "theory" else "C0"))
            y = np.asarray(s["y"], dtype=float)
            if s["kind"] == "theory":
                ax.plot(x, y, "-", color=c, lw=1.5, label=s["label"])
            else:
                err = None if s.get("err") is None else np.nan_to_num(np.asarray(s["err"], dtype=float))
                ax.errorbar(x, y, yerr=err, fmt="o", color=c, ms=4, capsize=2, label=s["label"])
    ax.set_xlabel(plot.get("xlabel", ""))
    if np.all(x == np.round(x)):  # years and counts: whole-number ticks (no 2025.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(plot.get("ylabel", ""))
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, ncol=2 if len(ss) > 4 else 1)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def draw_backtests(rows: list[dict], path: Path) -> bool:
    """Each simulated figure (not the parameters read) against the document's, relative to it."""
    done = [r for r in rows if not r["parameter"]]
    if not done:
        return False
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from model.report.fonts import cjk_font
    font = cjk_font()
    if font:
        plt.rcParams["font.family"] = [font, "DejaVu Sans"]

    def label(r):  # Chinese words (五险一金) only where a font draws them
        text = r["what"] if font else re.sub(r"\s*[\u2e80-\u9fff]+", "", r["what"])
        return f"{r['place']}: {text[:52]} ({r['kind']})"
    fig, ax = plt.subplots(figsize=(9.5, 0.42 * len(done) + 1.3))
    colour = {"back-test": "C2", "calibrated": "C7", "input": "C0"}
    for i, r in enumerate(done):
        scale = max(abs(r["value"]), 1e-12)
        c = colour[r["kind"]]
        ax.plot([r["p05"] / scale, r["p95"] / scale], [i, i], "-", color=c, lw=3)
        ax.plot([r["mean"] / scale], [i], "o", color=c)
        ax.plot([1.0], [i + 0.25], "|", color="C3", ms=8, mew=2)
    ax.axvline(1.0, color="C3", lw=0.8, alpha=0.5)
    ax.set_yticks(range(len(done)), [label(r) for r in done], fontsize=7)
    ax.set_xlabel("simulated mean and 5-95% range / the document's figure (red line = 1)", fontsize=8)
    ax.grid(alpha=0.3, axis="x")
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return True


# --------------------------------------------------------------------------- the page

def fmt(v, digits: int = 5) -> str:
    if v is None:
        return "–"
    if isinstance(v, (list, tuple)):
        return " – ".join("∞" if not np.isfinite(x) else fmt(x, digits) for x in v)
    v = float(v)
    if not np.isfinite(v):
        return "∞" if v > 0 else "–"
    if v != 0 and (abs(v) >= 1e6 or abs(v) < 1e-3):
        return f"{v:.{digits - 1}e}"
    return f"{v:,.{digits}g}" if abs(v) >= 1e4 else f"{v:.{digits}g}"


def check_table(checks: list[dict]) -> list[str]:
    out = ["| check | expected | simulated | statistic | passes if | result |",
           "|---|---|---|---|---|---|"]
    for c in checks:
        ok = "pass" if c["ok"] else "**FAIL**"
        if c["kind"] == "z":
            stat, rule = f"z = {c['z']:+.2f} (se {fmt(c['se'], 3)})", f"\\|z\\| < {c['k']:.2f}"
            exp, obs = fmt(c["expected"]), fmt(c["observed"])
        elif c["kind"] == "p":
            extra = f", {int(c['df'])} df" if "df" in c else ""
            stat = f"{c['test']} p = {c['p']:.3g}" + (f" (χ² = {c['statistic']:.1f}{extra})"
                                                     if c["test"] == "chi-square" else "")
            rule = f"p > {c['level']:.2g}"
            exp = fmt(c.get("expected")) if "expected" in c else "law above"
            obs = (f"{fmt(c['observed'])} ({c['successes']:,} / {c['trials']:,})"
                   if "successes" in c else "–")
        else:
            stat, rule = f"max error {c['max_error']:.2g}", f"≤ {c['tol']:.0e}"
            exp, obs = "identity", "–"
        out.append(f"| {c['name']} | {exp} | {obs} | {stat} | {rule} | {ok} |")
    return out


def write_page(items: list[dict], rows: list[dict] | None, bt_fig: bool, reps: int, seed: int) -> None:
    import model
    lines = [
        "# Validation",
        "",
        "<!-- Generated by `python docs/make_validation.py`; do not edit by hand. -->",
        "",
        ("This page is generated by `docs/make_validation.py` from the results of the theory tests "
        "(`tests/test_theory*.py`) and from runs of the place scenarios. Rerun the script after any "
        "change to the engine, the tests or the scenarios; never edit the page by hand."),
        "",
        (f"Model version {getattr(model, '__version__', '?')}. Raw records: "
        "[figures/validation-results.json](figures/validation-results.json)."),
        "",
        "## 1. The engine against theory",
        "",
        ("Each check runs a small scenario (`tests/theory/*.toml`, each extending `scenarios/bench.toml` "
        "with mechanisms switched off) at a fixed seed and compares the engine with an answer derived "
        "by hand from the rules it implements. Tolerances come from the Monte Carlo error: a z-check "
        "divides the gap by a standard error derived from the model's own law; exact binomial and "
        "chi-square tests come from `scipy.stats`. Each test is a family of *m* checks with a "
        "family-wise false-alarm rate of 1e-4 (Bonferroni: each check at p > 1e-4 / *m*, i.e. "
        "\\|z\\| < *k_m*). Identities (exact bookkeeping) must hold to rounding error."),
        "",
        "| test | what it tests | checks | result |",
        "|---|---|---|---|",
    ]
    body = []
    for it in items:
        rec = it["record"] or {}
        name = it["nodeid"].split("::", 1)[-1]
        title = rec.get("title", name)
        n = len(rec.get("checks", []))
        res = {"passed": "pass", "failed": "**FAIL**", "xfailed": "known engine bug (xfail)",
               "xpassed": "**XPASS** (bug fixed? remove the xfail)"}.get(it["outcome"], it["outcome"])
        lines.append(f"| [{title}](#{anchor(title)}) | {rec.get('what', '').split('. ')[0]} | {n} | {res} |")
        body += ["", f"### {title}", "", (f"Test: `tests/{Path(it['nodeid'].split('::')[0]).name}::{name}` "
                 f"— **{res}**."), ""]
        if rec:
            body += [rec["what"], "", f"Theory: {rec['theory']}", "", f"Set-up: {rec['setup']}", ""]
            body += check_table(rec["checks"])
            if rec.get("plot"):
                png = FIGDIR / f"theory-{slug(name)}.png"
                draw(rec["plot"], title, png)
                body += ["", f"![{title}](figures/{png.name})"]
        if it.get("reason"):
            body += ["", f"Known engine bug: {it['reason']}"]
        if it.get("message"):
            body += ["", f"Failure: `{it['message']}`"]
    lines += body
    lines += ["", "## 2. The place scenarios against their documents (back-tests)", ""]
    if rows is None:
        lines += ["Not run this time (`--no-backtests`)."]
    else:
        lines += [
            ("Each place scenario is run and compared with every figure its policy document (or FIGURES.md) "
             f"states about the place: {reps} replications, seed "
             f"{seed}. The figures, how each is measured and how the scenario "
             "uses it are one list, `FIGURES` in `scenarios/make_readme.py`, which scenarios/README.md and "
             "tests/test_places.py read too. *Kind*: **back-test** (nothing was set from the figure: the "
             "only evidence), *calibrated* (a parameter was tuned to reproduce it) or *input* (a parameter "
             "is the figure, or the figure is a rule the scenario encodes). *Agrees*: the figure lies in the "
             "simulated 5-95% range widened by the figure's own rounding (a parameter read: within the "
             "rounding; a floor: respected in every replication). Simulated: mean ± its Monte Carlo "
             "standard error. For back-tests, *typed in* lists lines of the scenario files where the figure "
             "appears as a value (none should)."),
            "",
            "| place | figure | document | year | simulated mean (± se) | 5-95% | agrees? | kind | how measured | typed in | source |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in rows:
            doc = (f"{fmt(r['value'])} (the rule's expectation)" if r["rule_expectation"]
                   else f"{'>= ' if r['op'] == '>=' else ''}{fmt(r['value'])}")
            sim = (f"{fmt(r['mean'])} (parameter)" if r["parameter"]
                   else f"{fmt(r['mean'])} ± {fmt(r['mc_se'], 2)}")
            rng_ = "–" if r["parameter"] else f"{fmt(r['p05'])} – {fmt(r['p95'])}"
            kind = f"**{r['kind']}**" if r["kind"] == "back-test" else r["kind"]
            hint = (", ".join(r["hints"]) or "none") if r["kind"] == "back-test" else "–"
            lines.append(
                f"| {r['place']} | {r['what']} ({r['unit']}) | {doc} | {r['year']} | {sim} | {rng_} | "
                f"{'yes' if r['agrees'] else '**no**'} | {kind} | {r['how']} | {hint} | {r['source']} |")
        counted = [r for r in rows if r["kind"] == "back-test"]
        clean = [r for r in counted if not r["changed_after_miss"]]
        after_miss = [r for r in rows if r["changed_after_miss"]]
        changed = len(counted) - len(clean)
        lines += ["", (f"Back-tests: {len(counted)}. Of those never changed after a miss, the model agrees "
                       f"with {sum(r['agrees'] for r in clean)} of {len(clean)}"
                       + (f"; the other {changed} had their measure changed after a first miss, so whether "
                          "they agree now is not evidence" if changed else "")
                       + ". Figures of other kinds check that the scenario reproduces what it was set from; "
                       "they are not evidence either.")
                  + (f" {len(after_miss)} of the figures were first missed and then changed in how they are "
                     "measured or used (" + "; ".join(f"{r['place']}: {r['what']}" for r in after_miss)
                     + "; see *how measured*)." if after_miss else "")]
        places = [pl.scenario for pl in MR.PLACES]
        quiet = [p for p in places if not any(r["place"] == p and r["kind"] == "back-test" for r in rows)]
        if quiet:
            lines += ["", "Places without a back-test:", ""]
            lines += [f"- **{p}**: {NO_BACKTEST.get(p, 'no reason recorded in docs/make_validation.py')}"
                      for p in quiet]
        if bt_fig:
            lines += ["", "![back-tests](figures/backtests.png)"]
    lines += ["", "## How to reproduce", "", "```", ("python docs/make_validation.py            "
              "# reruns the tests and the scenarios, rewrites this page"),
              "pytest tests/test_theory*.py              # the theory checks alone", "```", ""]
    PAGE.write_text("\n".join(lines), encoding="utf-8")


def _finite(obj):
    """JSON-ready copy: numpy scalars as Python numbers, NaN and infinities as None."""
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return float(obj) if np.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=100, help="replications per place scenario (default 100)")
    ap.add_argument("--seed", type=int, default=MR.DEFAULT_SEED, help="seed of the place scenarios' runs")
    ap.add_argument("--workers", type=int, default=1, help="local processes for the place scenarios")
    ap.add_argument("--no-backtests", action="store_true", help="skip the place scenarios")
    args = ap.parse_args(argv)
    FIGDIR.mkdir(parents=True, exist_ok=True)
    items = run_theory_tests()
    rows = None if args.no_backtests else run_backtests(args.reps, args.workers, args.seed)
    bt_fig = bool(rows) and draw_backtests(rows, FIGDIR / "backtests.png")
    write_page(items, rows, bt_fig, args.reps, args.seed)
    (FIGDIR / "validation-results.json").write_text(
        json.dumps(_finite({"theory": items, "backtests": rows}), indent=1, ensure_ascii=False,
                   allow_nan=False) + "\n",
        encoding="utf-8")
    bad = [it for it in items if it["outcome"] in ("failed", "xpassed") or it["outcome"].startswith("error")]
    print(f"wrote {PAGE.relative_to(ROOT)}: {len(items)} theory tests, {len(bad)} failing"
          + ("" if rows is None else f"; {len(rows)} figures of the places, "
                                      f"{sum(r['kind'] == 'back-test' for r in rows)} of them back-tests"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
