"""What people look at: figures, budget.xlsx and report.html written by ``write_all``.

Runs are tiny (bench with 100 communities, a few replications): these tests check
that every promised file exists and is what it claims to be, that figures show what
the results hold (medians, targets at their year and threshold), that report.html is
self-contained and escaped, and that Chinese falls back to English when no CJK font
is installed.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import re
import subprocess
import sys
import warnings
import xml.dom.minidom
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook
from PIL import Image

import model
from model import metrics as M
from model.report import compare_report, figures, fonts, labels, webpage, write_all
from model.report.fonts import MissingCJKFontWarning

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "scenarios" / "bench.toml"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

RICH = f"""
extends = "{BENCH.as_posix()}"
name = "rich-test"
description = "Bench with districts & targets <script>alert('x')</script>"

[demand]
communities = 100
urban_residents = 600000.0  # assumption: a round test population

[pay]
base_share = 0.7
pension_rate = 0.16

[funding]
city_subsidy_per_worker = 30000
province_share = 0.2

[[districts]]
name = "gulou"
communities = 60

[[districts]]
name = "luhe"
communities = 40
urban = false

[[targets]]
name = "Certified <b>85%</b> by 2029"
metric = "certified_share"
year = 2029
threshold = 0.85
source = "test & check"

[[targets]]
name = "Headcount at most 990"
metric = "headcount"
op = "<="
year = 2027
threshold = 990

[[targets]]
name = "Gulou 80% certified"
metric = "certified_share"
scope = "gulou"
year = 2031
threshold = 0.80

[[targets]]
name = "Luhe 80% certified"
metric = "certified_share"
scope = "luhe"
year = 2031
threshold = 0.80
"""


def rich_scenario(folder: Path):
    path = folder / "rich.toml"
    path.write_text(RICH, encoding="utf-8")
    return model.load(path)


@pytest.fixture(scope="module")
def bench():
    sc = model.load("bench", {"demand.communities": 100})
    return sc, model.run(sc, reps=6, seed=11, workers=1)


@pytest.fixture(scope="module")
def rich(tmp_path_factory):
    sc = rich_scenario(tmp_path_factory.mktemp("scenario"))
    return sc, model.run(sc, reps=8, seed=5, workers=1)


@pytest.fixture(scope="module")
def rich_out(rich, tmp_path_factory):
    """The rich run written once by write_all (with SVG), shared by the tests that read it."""
    sc, res = rich
    folder = tmp_path_factory.mktemp("rich_out")
    write_all(res, sc, folder, svg=True)
    return folder


def assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == PNG_MAGIC, f"{path.name} is not a PNG"
    with Image.open(path) as im:
        im.verify()
    with Image.open(path) as im:
        w, h = im.size
        assert w >= 600 and h >= 300
        # not a blank canvas: a figure has many colours
        assert len(im.convert("RGB").getcolors(maxcolors=1 << 20) or ()) > 20


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend((tag, k, v or "") for k, v in attrs)

    def handle_data(self, data):
        self.text.append(data)


def parse(html_text: str) -> _Collect:
    p = _Collect()
    p.feed(html_text)
    p.close()
    return p


def assert_self_contained(html_text: str) -> _Collect:
    p = parse(html_text)
    assert html_text.startswith("<!DOCTYPE html>") and "</html>" in html_text
    assert "script" not in p.tags and "link" not in p.tags and "iframe" not in p.tags
    for tag, key, value in p.attrs:
        if key == "src":
            assert value.startswith("data:image/png;base64,"), f"<{tag} src> loads {value[:40]}"
            assert base64.b64decode(value.split(",", 1)[1])[:8] == PNG_MAGIC
        if key == "href":
            assert not re.match(r"^[a-z]+:", value), f"external link {value}"
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html_text), "style loads a remote resource"
    return p


# ------------------------------------------------------------------ write_all


def test_write_all_writes_every_file_for_bench(bench, tmp_path):
    sc, res = bench
    write_all(res, sc, tmp_path)
    figs = sorted(p.name for p in (tmp_path / "figures").iterdir())
    # bench has no targets and no residents (workers_per_10k all NaN): both are skipped
    assert figs == sorted(["fan_headcount.png", "fan_certified_share.png", "fan_payroll.png",
                           "payroll_components.png", "funding_sources.png", "flows.png",
                           "age_pyramid.png"])
    for f in figs:
        assert_png(tmp_path / "figures" / f)
    wb = load_workbook(tmp_path / "budget.xlsx")
    assert wb.sheetnames == ["Cover", "By component", "By funding source", "Constant prices", "Staffing",
                             "Money inputs"]
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    p = assert_self_contained(text)
    assert "bench" in "".join(p.text)
    assert sum(1 for t in p.tags if t == "img") == len(figs)
    assert "The scenario sets no targets." in text


def test_write_all_with_targets_districts_and_svg(rich_out):
    tmp_path = rich_out
    pngs = sorted(p.stem for p in (tmp_path / "figures").glob("*.png"))
    assert {"target_board", "fan_workers_per_10k", "fan_certified_share-by-scope"} <= set(pngs)
    for stem in pngs:
        assert_png(tmp_path / "figures" / f"{stem}.png")
        svg = (tmp_path / "figures" / f"{stem}.svg")
        assert xml.dom.minidom.parse(str(svg)).documentElement.tagName == "svg"
    wb = load_workbook(tmp_path / "budget.xlsx")
    assert "By district" in wb.sheetnames
    metrics = {c.value for c in wb["By district"]["B"]}
    assert {"payroll", "payroll.gulou", "payroll.luhe"} <= metrics
    assert not {"payroll.urban", "payroll.rural"} & metrics  # each part one district: not repeated


def test_report_html_is_escaped_and_says_what_was_run(rich, rich_out):
    sc, res = rich
    text = (rich_out / "report.html").read_text(encoding="utf-8")
    p = assert_self_contained(text)
    # text from the scenario is escaped, never markup
    assert "<script>alert" not in text and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in text
    assert "<b>85%</b>" not in text and "Certified &lt;b&gt;85%&lt;/b&gt; by 2029" in text
    assert "test &amp; check" in text
    body = "".join(p.text)
    for must in ("rich-test", str(res.seed), sc.hash, model.__version__,
                 "a round test population", "demand.urban_residents",
                 f"Probability: the share of the {res.reps} replications in which the target is met",
                 "95% Wilson interval"):
        assert must in body, must
    assert f">{res.reps}<" in text



def test_the_report_is_dated_by_its_run_not_by_the_clock(bench, tmp_path, monkeypatch):
    """Written twice from the same results, minutes apart (here a clock moved to a fixed
    instant a day on), the page and the workbook give the day and minute the run ended;
    results without that date give the clock's."""
    sc, res = bench
    ended = res.finished
    assert ended is not None
    later = ended + webpage._dt.timedelta(days=1, minutes=7)

    class Later(webpage._dt.datetime):
        @classmethod
        def now(cls, tz=None):
            return later

    class LaterDay(webpage._dt.date):
        @classmethod
        def today(cls):
            return later.date()
    monkeypatch.setattr(webpage._dt, "datetime", Later)
    monkeypatch.setattr(webpage._dt, "date", LaterDay)
    created = {k: v for k, v, _ in webpage._run_rows(res, sc, "en")}["Created"]
    assert created == ended.strftime("%Y-%m-%d %H:%M")
    from model.report import budget
    budget.write_budget(res, sc, tmp_path / "b.xlsx")
    sheet = load_workbook(tmp_path / "b.xlsx").worksheets[0]
    cover = {r[0]: r[1] for r in sheet.iter_rows(values_only=True)}
    assert cover["Date"] == ended.date().isoformat()
    undated = dataclasses.replace(res, meta={k: v for k, v in res.meta.items() if k != "finished"})
    assert undated.finished is None and undated == res
    assert {k: v for k, v, _ in webpage._run_rows(undated, sc, "en")}["Created"] == \
        later.strftime("%Y-%m-%d %H:%M")


def test_key_table_shows_every_year_of_summary(rich, rich_out):
    _, res = rich
    text = (rich_out / "report.html").read_text(encoding="utf-8")
    s = res.summary().set_index(["metric", "year"])
    start = text.index("Key figures")
    table = text[start:text.index("</table>", start)]
    rows = re.findall(r"<tr><td>(\d{4})</td>(.*?)</tr>", table)
    assert [int(y) for y, _ in rows] == list(res.years)
    y0, cells = rows[0]
    nums = re.findall(r"<td class=num>([^<]*)</td>", cells)
    assert nums[0] == f"{s.loc[('headcount', int(y0)), 'mean']:,.0f}"
    assert nums[1] == f"{s.loc[('certified_share', int(y0)), 'mean']:.1%}"
    assert nums[3] == f"{s.loc[('payroll', int(y0)), 'mean'] / 1e6:,.1f}"
    assert nums[4] == f"{s.loc[('payroll', int(y0)), 'p90'] / 1e6:,.1f}"


# ------------------------------------------------------------------ figures show the results


def test_fan_chart_draws_median_and_target_markers(rich):
    _, res = rich
    fig = figures.fan_chart(res, "certified_share")
    ax = fig.axes[0]
    median = np.nanquantile(res.metric("certified_share").to_numpy(), 0.5, axis=0)
    lines = {ln.get_label(): ln for ln in ax.get_lines()}
    assert np.allclose(lines["Median"].get_ydata(), median)
    assert list(lines["Median"].get_xdata()) == list(res.years)
    marks = [ln for ln in ax.get_lines() if ln.get_label().startswith("Certified <b>85%</b>")]
    assert len(marks) == 1
    assert marks[0].get_xdata()[0] == 2029 and marks[0].get_ydata()[0] == pytest.approx(0.85)
    assert marks[0].get_marker() == "^"
    assert fig._suptitle.get_text() == "Certified share"
    assert ax.get_xlabel() == "Year" and "%" in ax.get_ylabel()
    assert any("rich-test" in t.get_text() for t in fig.texts)


def test_payroll_fan_in_millions_with_down_marker(rich):
    _, res = rich
    ax = figures.fan_chart(res, "payroll").axes[0]
    median = np.nanquantile(res.metric("payroll").to_numpy(), 0.5, axis=0) / 1e6
    assert np.allclose(ax.get_lines()[0].get_ydata(), median)
    assert "million yuan" in ax.get_ylabel()
    head = figures.fan_chart(res, "headcount").axes[0]
    (mark,) = [ln for ln in head.get_lines() if ln.get_label().startswith("Headcount at most")]
    assert mark.get_marker() == "v" and mark.get_ydata()[0] == 990


@pytest.mark.parametrize("low, high, p, expected", [
    (0.92, 1.00, 1.00, "sure_met"), (0.60, 0.95, 0.80, "likely_met"),
    (0.30, 0.70, 0.50, "likely_met"), (0.20, 0.60, 0.40, "unlikely_met"), (0.0, 0.08, 0.0, "sure_missed"),
])
def test_verdict_classes(low, high, p, expected):
    from model.results import verdict
    assert verdict(low, high, p) == expected


def test_target_board_bars_are_the_probabilities(rich):
    _, res = rich
    t = res.targets()
    ax = figures.target_board(res).axes[0]
    widths = [patch.get_width() for patch in ax.patches]
    assert np.allclose(widths, t["probability"].to_numpy())
    from matplotlib.colors import to_hex

    from model.results import verdict
    # the verdict column, and the bar colours, from each target's own interval
    expected = [verdict(r.probability_low, r.probability_high, r.probability) for r in t.itertuples()]
    assert t["verdict"].tolist() == expected
    assert [to_hex(p.get_facecolor()) for p in ax.patches] == [figures.SURE[v] for v in expected]
    assert figures.target_board(model.run(model.load("bench", {"demand.communities": 20}),
                                          reps=2, seed=1, workers=1)) is None


def test_stacked_payroll_leaves_out_zero_components_and_adds_to_payroll(bench):
    _, res = bench
    ax = figures.payroll_components(res).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    # bench pays base and allowance only; the others are zero and stay off the legend
    assert set(labels) == {"Base pay", "Certificate allowance", "Payroll P90"}
    top = sum(res.metric(m).to_numpy().mean(axis=0) for m in ("payroll_base", "payroll_allowance")) / 1e6
    assert np.allclose(top, res.metric("payroll").to_numpy().mean(axis=0) / 1e6)
    poly = ax.collections[-1]
    ys = poly.get_paths()[0].vertices[:, 1]
    assert ys.max() == pytest.approx(top.max(), rel=1e-9)


@pytest.mark.parametrize("text", [
    ("南京市玄武区其他社区工作者报酬不低于上年度城镇非私营单位在岗职工平均工资的80%"
    "（雨花台区）≥ 80%"),
    "到十四五末每万名城镇常住人口配备18名社区工作者",
    "持证率（城市社区合计）(%)",
])
@pytest.mark.parametrize("width", range(10, 50))  # some widths put a break on a bracket, a % or a number
def test_chinese_labels_break_where_chinese_text_may(text, width):
    """No line starts with a closing bracket, comma or %, none ends with an opening bracket,
    numbers stay whole, each line fits the width (a Chinese character is two columns),
    and nothing is lost (textwrap's cut every N characters did all of these wrong)."""
    lines = figures._wrap(text, width).split("\n")
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for line in lines:
        assert line[0] not in "）)，、%" and line[-1] not in "（(", lines
        assert labels.display_width(line) <= width, lines
    for number in re.findall(r"[0-9]+%?", text):
        assert any(number in line for line in lines), (number, lines)


def test_numbered_metrics_and_years_of_service_have_their_own_labels():
    """Every metric a run reports has a label of its own in both languages (not its code
    name), and years of service are 年 where ages are 岁."""
    from model import metrics
    sc = model.load("nanjing-2018")
    for m in metrics.names(sc):
        en, zh = labels.metric(m, "en"), labels.metric(m, "zh")
        assert "_" not in en and "_" not in zh, (m, en, zh)
    assert (labels.unit("mean_tenure", "zh"), labels.unit("mean_age", "zh")) == ("年", "岁")
    # every unit too (the average wage's was shown in English in Chinese outputs)
    assert set(metrics.UNITS.values()) <= set(labels.UNITS)
    assert labels.unit("average_wage", "zh") == "元/人·年"
    assert labels.metric("grade_share_03", "zh") == "第3级占比"
    top = [m for m in metrics.PYRAMID if m.startswith("pyramid_f_")][-1]
    assert labels.metric(top, "en").endswith("or more") and labels.metric(top, "zh").endswith("岁及以上")


def test_the_report_lists_the_fields_left_at_their_defaults(bench, tmp_path):
    sc, res = bench
    write_all(res, sc, tmp_path)
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    d = sc.defaulted()
    assert f"{len(d)} fields are left at the model&#x27;s defaults" in text and "<details>" in text
    assert all(f"<td>{k}</td>" in text for k in d)


def test_the_report_says_the_defaults_of_a_mechanism_switched_off_are_not_listed(tmp_path):
    """With training off, the defaults table has none of training's fields, in its own
    section or others (the training date, the trained's exam bonus and assessment shift),
    and one line under it names the mechanisms whose defaults are not listed, in either
    language; with every mechanism on, no line."""
    f = tmp_path / "min.toml"
    f.write_text("start_year = 2025\nyears = 3\n[demand]\ncommunities = 40\n", encoding="utf-8")
    sc = model.load(f, {"training.enabled": False, "grades.enabled": False})
    for lang, words in (("en", ("Not listed: the defaults of the mechanisms switched off (enabled = false), "
                               "but for those still read (deaths with quits off): training, grades.")),
                        ("zh", ("未列出已关闭机制（enabled = false）的默认值（仍起作用者除外，如关闭辞职时的死亡率）："
                                "training, grades Not listed: "))):
        text = html.unescape(webpage.assumptions_table(sc, lang))
        listed = text.split("</details>")[0]
        assert "<td>calendar.exam</td>" in listed and "train" not in listed and "grades." not in listed
        assert words in text, text[-300:]
    assert "Not listed" not in webpage.assumptions_table(model.load(f), "en")


def test_flows_and_pyramid_match_means(bench):
    _, res = bench
    ax = figures.flows(res).axes[0]
    hires = [p.get_height() for p in ax.containers[0].patches]
    assert np.allclose(hires, res.metric("hires").to_numpy().mean(axis=0))
    fig = figures.age_pyramid(res)
    left = fig.axes[0]
    men = [m for m in figures.M.PYRAMID if m.startswith("pyramid_m_")]
    mean_men = np.array([res.at(m, res.years[0]).mean() for m in men])
    drawn = -np.array([p.get_width() for p in left.containers[0].patches])
    assert drawn.sum() == pytest.approx(mean_men.sum())
    assert [a.get_title() for a in fig.axes[:2]] == [f"{res.years[0]} (31 December)",
                                                     f"{res.years[-1]} (31 December)"]


def test_pyramid_ranges_hold_a_band_filled_in_one_replication(bench):
    """A band that holds 5 people in one replication of 30 has its mean (1/6) above its 5-95%
    range (0 to 0): the range is drawn from the bar's end to 0, on the side of each sex
    (men's bars go left), never with a negative length (that was a ValueError, and the run
    wrote nothing)."""
    from dataclasses import replace
    _, res = bench
    men = [m for m in figures.M.PYRAMID if m.startswith("pyramid_m_")]
    women = [m for m in figures.M.PYRAMID if m.startswith("pyramid_f_")]
    v = np.repeat(res.values, 5, axis=0)  # 30 replications
    for m in (men[-1], women[-1]):
        v[:, :, res.metrics.index(m)] = 0.0
        v[0, :, res.metrics.index(m)] = 5.0
    rare = replace(res, values=v)
    fig = figures.age_pyramid(rare)
    for ax, sign in ((fig.axes[0], -1), (fig.axes[0], 1)):
        bars = ax.containers[0 if sign < 0 else 2]
        err = ax.containers[1 if sign < 0 else 3]
        mean = abs(bars.patches[-1].get_width())
        assert mean == pytest.approx(1 / 6)
        (x0, _), (x1, _) = err.lines[2][0].get_segments()[-1]
        lo, hi = sorted((x0, x1))
        # the range spans 0 (p05 = p95 = 0) to the mean, on the bar's side of the axis
        assert (lo, hi) == pytest.approx((0.0, mean) if sign > 0 else (-mean, 0.0))


# ------------------------------------------------------------------ Chinese


def test_zh_without_cjk_font_falls_back_to_english_with_one_warning(bench, tmp_path, monkeypatch):
    sc, res = bench
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_all(res, sc, tmp_path, lang="zh")
    ours = [w for w in caught if issubclass(w.category, MissingCJKFontWarning)]
    assert len(ours) == 1
    assert "apt-get install fonts-noto-cjk" in str(ours[0].message)
    assert not [w for w in caught if "missing from font" in str(w.message).lower()]
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    alts = re.findall(r'alt="([^"]*)"', text)
    assert "Headcount on 31 December" in alts and "年末在岗人数" not in alts      # figures in English
    assert "预测报告" in text                                    # the page stays Chinese
    # and says so, with the figures' money unit (million yuan) against the tables' (万元)
    assert "以下图表以英文标注，金额单位为百万元" in text
    wb = load_workbook(tmp_path / "budget.xlsx")
    assert wb.sheetnames[1] == "按支出构成 By component"
    assert wb.worksheets[1]["A5"].value == "基本工资 Base pay"


def test_zh_with_cjk_font_draws_chinese_without_missing_glyphs(bench, tmp_path):
    fonts.cjk_font.cache_clear()
    if fonts.cjk_font() is None:
        pytest.skip("no CJK font installed (apt-get install fonts-noto-cjk)")
    sc, res = bench
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_all(res, sc, tmp_path, lang="zh")
    assert not [w for w in caught if "missing from font" in str(w.message).lower()]
    assert not [w for w in caught if issubclass(w.category, MissingCJKFontWarning)]
    text = (tmp_path / "report.html").read_text(encoding="utf-8")
    alts = set(re.findall(r'alt="([^"]*)"', text))
    assert alts >= {"年末在岗人数", "持证率", "人员经费构成（均值）"}
    assert "以下图表以英文标注" not in text


def test_unknown_language_is_refused(bench, tmp_path):
    sc, res = bench
    with pytest.raises(ValueError, match="lang"):
        write_all(res, sc, tmp_path, lang="fr")


# ------------------------------------------------------------------ comparison


def paired_table(results_list):
    """alternative minus baseline, by replication (common random numbers), 95% t interval."""
    from scipy import stats
    base = results_list[0]
    rows = []
    for r in results_list:
        for m in ("certified_share", "payroll"):
            d = r.metric(m).to_numpy() - base.metric(m).to_numpy()
            half = stats.t.ppf(0.975, r.reps - 1) * d.std(axis=0, ddof=1) / np.sqrt(r.reps)
            for j, y in enumerate(r.years):
                rows.append({"scenario": r.scenario, "year": int(y), "metric": m,
                             "mean": r.metric(m).to_numpy()[:, j].mean(), "diff": d[:, j].mean(),
                             "diff_low": d[:, j].mean() - half[j], "diff_high": d[:, j].mean() + half[j]})
    return pd.DataFrame(rows)


def test_compare_report_side_by_side(rich, tmp_path):
    sc, res = rich
    alt_sc = sc.with_overrides({"name": "rich-pass40", "certification.pass_prob": 0.40})
    alt = model.run(alt_sc, reps=res.reps, seed=res.seed, workers=1)
    table = paired_table([res, alt])
    out = compare_report([res, alt], table, tmp_path / "cmp")
    assert out == tmp_path / "cmp" / "report.html"
    text = out.read_text(encoding="utf-8")
    p = assert_self_contained(text)
    body = "".join(p.text)
    assert "rich-test (baseline)" in body and "rich-pass40" in body
    figs = sorted(f.name for f in (tmp_path / "cmp" / "figures").glob("*.png"))
    assert {"compare_targets.png", "compare_diff_certified_share.png", "compare_diff_payroll.png",
            "compare_fan_headcount.png"} <= set(figs)
    for f in figs:
        assert_png(tmp_path / "cmp" / "figures" / f)
    # a share's difference is in percentage points, as computed
    row = table[(table.scenario == "rich-pass40") & (table.metric == "certified_share")].iloc[0]
    assert f"{row['diff'] * 100:+.1f} pp" in body


def test_compare_report_refuses_a_table_without_its_columns(rich, tmp_path):
    _, res = rich
    with pytest.raises(ValueError, match="diff_low"):
        compare_report([res], pd.DataFrame({"scenario": [], "year": [], "metric": [], "mean": [],
                                            "diff": [], "diff_high": []}), tmp_path)


# ------------------------------------------------------------------ through the command line


def test_cli_run_writes_report_workbook_and_figures(tmp_path):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "model", "run", "bench", "--reps", "3", "--seed", "2",
                           "--set", "demand.communities=40", "--out", str(out), "--quiet",
                           "--workers", "1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    for f in ("summary.csv", "targets.csv", "manifest.json", "budget.xlsx", "report.html",
              "figures/fan_headcount.png", "figures/age_pyramid.png"):
        assert (out / f).is_file(), f
    assert not list(tmp_path.glob(".out.tmp-*"))


def test_district_scopes_are_labelled_with_the_districts_names():
    """In a run's report and workbook a district scope reads as the district's name
    (label_zh in Chinese), not its id; outside the report the ids come back."""
    from types import SimpleNamespace

    from model.report import labels as L
    sc = SimpleNamespace(districts=[SimpleNamespace(name="jiangbei", label_zh="江北新区"),
                                    SimpleNamespace(name="east_end", label_zh="")])
    assert L.metric("payroll.jiangbei", "zh").endswith("（jiangbei）")
    with L.district_labels(sc):
        assert L.metric("payroll.jiangbei", "zh") == "人员经费（江北新区）"
        assert L.metric("payroll.jiangbei", "en") == "Payroll, Jiangbei"
        assert L.metric("payroll.east_end", "zh").endswith("（east_end）")
        assert L.metric("payroll.urban", "zh") == "人员经费（城市社区合计）"  # unchanged
        assert L.metric("certified_share.urban", "zh") == "持证率（城市社区）"  # a share: not a 合计
    assert L.metric("payroll.jiangbei", "zh").endswith("（jiangbei）")


def test_chinese_outputs_name_targets_by_their_label_zh():
    """A target's label_zh names it in Chinese outputs (the report's table and the target
    board); English outputs keep its name."""
    sc = model.load("changzhou-2022")
    spec = sc.targets[0]
    assert spec.label_zh and labels.target_name(spec, "zh") == spec.label_zh
    assert labels.target_name(spec, "en") == spec.name
    res = model.run(sc, reps=3, seed=1)
    assert spec.label_zh in webpage.targets_table(res, "zh") and spec.name in webpage.targets_table(res, "en")


def test_the_target_board_gives_thresholds_as_written_and_money_with_its_unit(tmp_path):
    """A payroll threshold and mean in million yuan (万元 in Chinese) with the unit, as the key
    table gives money, not raw yuan without one; a threshold of 7.75 as 7.75, not 7.8 (from an
    audit of the targets)."""
    from conftest import write_scenario
    sc = model.load(write_scenario(tmp_path, """extends = "@SCENARIOS@/bench.toml"
years = 1
[demand]
communities = 20
[[targets]]
name = "pay"
metric = "payroll"
year = 2025
op = "<="
threshold = 8e8
[[targets]]
name = "per"
metric = "workers_per_community"
year = 2025
threshold = 7.75
"""))
    res = model.run(sc, reps=2, seed=1, workers=1)
    en, zh = webpage.targets_table(res, "en"), webpage.targets_table(res, "zh")
    assert "≤ 800 million yuan" in en and "≤ 80,000 万元" in zh and "≥ 7.75" in en
    mean = res.at("payroll", 2025).mean()
    assert f"{mean / 1e6:,.1f} million yuan" in en and f"{mean / 1e4:,.1f} 万元" in zh


def test_targets_after_a_horizon_cut_short_are_named_in_the_report_and_the_manifest(tmp_path):
    """Yichang cut to 2 years leaves its 4 later targets out of targets.csv and the board; the
    report's horizon row and the manifest name them (only the console had; from an audit)."""
    import json

    from model.cli import write_run
    sc = model.load("yichang-2021", {"years": 2})
    res = model.run(sc, reps=2, seed=1, workers=1)
    out = write_run(sc, res, tmp_path / "out", lang="zh")
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "其后的4项目标未评估" in page and labels.target_name(sc.targets_after_horizon[0], "zh") in page
    later = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["targets_not_evaluated"]
    assert [t["target"] for t in later] == [t.name for t in sc.targets_after_horizon] and len(later) == 4
    assert labels.horizon_cut(model.load("yichang-2021")) == ""


def test_chinese_outputs_describe_the_scenario_in_chinese(tmp_path):
    """A scenario's description_zh is the description of Chinese reports and workbooks;
    English outputs keep the English one. An alternative that describes itself in English
    only does not inherit its base's Chinese description (it would describe the base)."""
    sc = model.load("yichang-2021")
    assert sc.description_zh.startswith("宜昌市") and labels.description(sc, "en") == sc.description
    res = model.run(sc, reps=2, seed=1)
    write_all(res, sc, tmp_path / "zh", lang="zh")
    write_all(res, sc, tmp_path / "en", lang="en")
    zh = (tmp_path / "zh" / "report.html").read_text(encoding="utf-8")
    en = (tmp_path / "en" / "report.html").read_text(encoding="utf-8")
    d_en, d_zh = html.escape(sc.description), html.escape(sc.description_zh)
    assert d_zh in zh and d_en not in zh
    assert d_en in en and d_zh not in en
    cover = [c.value for row in load_workbook(tmp_path / "zh" / "budget.xlsx").worksheets[0].iter_rows()
             for c in row]
    assert sc.description_zh in cover
    alt = model.load("alternatives/yichang-2021-no-elimination")  # its own, not its base's
    assert alt.description_zh.startswith("以宜昌2021为基准情景")
    assert alt.description_zh != sc.description_zh
    english = sc.with_overrides({"description": "Yichang, described in English only."})
    assert english.description_zh == "" and labels.description(english, "zh") == english.description


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="figures are drawn in two processes on Linux only")
def test_figures_drawn_in_two_processes_are_those_drawn_in_one(tmp_path):
    """In a single-threaded process every other figure is drawn in a forked child: the
    same files, byte for byte, and the same list as one process draws. A child that dies
    costs only time (the parent draws its share); a bug in drawing raises where it is,
    in the parent."""
    script = f"""
import json, threading
from pathlib import Path
import model
from model.report import figures as F
res = model.run(model.load("bench", ["demand.communities=20", "years=3"]), reps=3, seed=1, workers=1)
from model import kernels
kernels.release_threads()
assert threading.active_count() == 1 and F._can_fork()
two = F.write_figures(res, {str(tmp_path / 'two')!r})
F._can_fork = lambda: False
one = F.write_figures(res, {str(tmp_path / 'one')!r})
same = [Path(a["png"]).read_bytes() == Path(b["png"]).read_bytes() for a, b in zip(two, one)]
F._can_fork = lambda: True
draw = F.draw
import os
second = F.figure_list(res)[1][1]  # drawn by the child
parent = os.getpid()
F.draw = lambda results, what, lang="en": (os._exit(9) if what == second and os.getpid() != parent
                                           else draw(results, what, lang))
died = F.write_figures(res, {str(tmp_path / 'died')!r})
same_after_death = [Path(a["png"]).read_bytes() == Path(b["png"]).read_bytes() for a, b in zip(died, one)]
F.draw = lambda results, what, lang="en": (1 / 0) if what == second else draw(results, what, lang)
try:
    F.write_figures(res, {str(tmp_path / 'bad')!r})
    failed = ""
except ZeroDivisionError as e:
    failed = "raised here: " + str(e)
print(json.dumps([[a["stem"] for a in two], [b["stem"] for b in one], [a["title"] for a in two],
                  [b["title"] for b in one], same, [a["stem"] for a in died], same_after_death, failed]))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    two, one, titles_two, titles_one, same, died, same_after_death, failed = __import__("json").loads(
        out.stdout.splitlines()[-1])
    assert two == one and titles_two == titles_one and len(two) >= 4
    assert all(same)
    assert died == one and all(same_after_death)
    assert failed == "raised here: division by zero"


@pytest.mark.skipif(not sys.platform.startswith("linux"),
                    reason="figures are drawn in two processes on Linux only")
def test_two_process_drawing_survives_an_ignored_sigchld_and_the_progress_bar(tmp_path):
    """With SIGCHLD ignored (inherited from a supervisor) the system reaps the child, and
    the parent's wait finds none: still no error. The progress bar leaves no thread
    behind (tqdm's monitor would), so a run that showed one can still draw in two."""
    script = f"""
import signal, threading
signal.signal(signal.SIGCHLD, signal.SIG_IGN)
import model
from model import kernels, runner
from model.report import figures as F
bar = runner._progress(10, quiet=False)
if bar is not None:
    bar.close()
res = model.run(model.load("bench", ["demand.communities=20", "years=2"]), reps=2, seed=1, workers=1)
kernels.release_threads()
assert threading.active_count() == 1, threading.enumerate()
out = F.write_figures(res, {str(tmp_path / 'f')!r})
print(len(out))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert int(out.stdout.split()[-1]) >= 4


def test_small_multiples_show_the_years_under_each_columns_lowest_panel():
    """Five panels in four columns: the lowest panel of each column has the year labels and
    'Year' (shared x axes hide them above the last row); the figure has no label in its
    footer's strip."""
    from model.report.figures import fan_grid
    sc = model.load("nanjing-2018", {"years": 8})
    res = model.run(sc, reps=2, seed=1, workers=1, quiet=True)
    ms = [m for m in res.metrics if m.startswith("remuneration_ratio_staff.")][:5]
    fig = fan_grid(res, ms, ncols=4)
    axes = [a for a in fig.axes if a.get_visible()][:5]
    assert [a.xaxis.get_tick_params().get("labelbottom") for a in axes] == [False, True, True, True, True]
    assert [a.get_xlabel() for a in axes] == ["", "Year", "Year", "Year", "Year"]
    assert fig.get_supxlabel() == ""


def test_targets_the_model_meets_by_its_own_floors_are_said_to_be(tmp_path):
    """Nanjing's pay targets are the floors its scenario sets (the model pays at least
    them): the report says so, so that 13 'very likely met' do not read as forecasts."""
    from model.report.webpage import _floored_targets
    sc = model.load("nanjing-2018")
    res = model.run(sc, reps=2, seed=1)
    pay = [t for t in sc.targets if t.metric_name.startswith(("pay_ratio_", "remuneration_ratio_"))]
    assert len(pay) == 13 and _floored_targets(res, sc) == pay  # every pay target, none other
    page = webpage.write_report(res, sc, tmp_path, []).read_text(encoding="utf-8")
    assert "13 of the targets are on pay relative to the average wage" in page
    # the same targets without the floors: forecasts, said nothing of
    off = sc.with_overrides({"pay.floor_share": [0.0, 0.0, 0.0],
                             **{f"districts[{i}].floor_share": 0.0 for i in range(len(sc.districts))}})
    assert _floored_targets(res, off) == []


def test_targets_met_by_the_elimination_rule_are_said_to_be(tmp_path):
    """Yichang eliminates 20% of its covered workers in 2021, its target's share: the
    report says that target checks the rule; a lower share set for 2021 makes it a
    forecast again, said nothing of; a target above the share is one too."""
    from model.semantics import eliminated_by_rule
    sc = model.load("yichang-2021")
    res = model.run(sc, reps=2, seed=1, workers=1)
    named = eliminated_by_rule(sc, res.target_specs)
    assert [(t.metric, t.year, t.threshold) for t in named] == [("elimination_rate", 2021, 0.2)]
    page = webpage.write_report(res, sc, tmp_path, []).read_text(encoding="utf-8")
    assert ("Targets on the elimination rate in a year whose share the scenario eliminates (bottom-ratio "
            "elimination renews 20% in 2021)" in page)
    (tmp_path / "zh").mkdir()
    zh = webpage.write_report(res, sc, tmp_path / "zh", [], lang="zh").read_text(encoding="utf-8")
    assert "当年淘汰比例目标（2021年更新淘汰比例达到20%（末位比例淘汰））" in zh
    assert "eliminates (bottom-ratio elimination renews 20% in 2021)" in zh  # the English half in English
    lower = sc.with_overrides({"elimination.share": {2021: 0.1, 2022: 0.05}})
    assert eliminated_by_rule(lower, res.target_specs) == []
    assert eliminated_by_rule(sc.with_overrides({"elimination.enabled": False}), res.target_specs) == []
    covers_nobody = sc.with_overrides({"elimination.posts": {2021: [0, 0, 0], 2022: [1, 1, 0]}})  # in 2021
    assert eliminated_by_rule(covers_nobody, res.target_specs) == []
    higher = sc.with_overrides({"targets[1].threshold": 0.25})
    assert eliminated_by_rule(higher, higher.targets) == []


def test_the_report_says_when_dismissals_lift_a_certified_share_target(tmp_path):
    """A certified-share target in a year whose 31 December dismisses uncertified workers
    (bench: tenure of 3 on 1 January and no certificate) is named in a note; with the
    dismissals off, or for a target on another metric, it is not."""
    from model.report.webpage import _lifted_by_dismissal
    path = tmp_path / "lift.toml"
    path.write_text(f"extends = {str(BENCH)!r}\nyears = 1\n[demand]\ncommunities = 20\n"
                    "[[targets]]\nname = 'cert'\nmetric = 'certified_share'\nyear = 2025\nop = '>='\n"
                    "threshold = 0.5\n[[targets]]\nname = 'heads'\nmetric = 'headcount'\nyear = 2025\n"
                    "op = '>='\nthreshold = 1\n", encoding="utf-8")
    res = model.run(model.load(path), reps=2, seed=1, workers=1)
    assert (res.at("exits_dismissed_cert", 2025) > 0).all()
    assert [t.name for t in _lifted_by_dismissal(res)] == ["cert"]
    off = model.run(model.load(path, {"dismissal.certificate_deadline": 0}), reps=2, seed=1, workers=1)
    assert _lifted_by_dismissal(off) == []
    write_all(res, model.load(path), tmp_path)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    said = "Certified-share targets in a year whose assessment dismisses workers without a certificate (cert)"
    assert said in page


def test_a_fall_in_payroll_is_explained_by_worker_years_and_the_exits_before_it(tmp_path):
    """Recruitment on 1 July leaves the posts of the first year's exits empty for half of the
    second year: payroll falls, and the report says by how much, how worker-years and the pay
    per worker-year changed, and what the year before's exits and hires were (its numbers are
    the summary's means). A year whose payroll grows gets no such sentence."""
    sc = model.load("bench", {"demand.communities": 100, "years": 3, "calendar.recruitment": [0.5],
                              "quits.death_rate": 0.01})  # a third cause of exits, named with the rest
    res = model.run(sc, reps=6, seed=11, workers=1)
    s = res.summary()
    mean = s.set_index(["metric", "year"])["mean"]

    def change(m, y):
        return f"{mean[(m, y)] / mean[(m, y - 1)] - 1:+.1%}"
    falls = [y for y in (2026, 2027)
             if mean[("payroll", y)] < mean[("payroll", y - 1)] * (1 - webpage.PAYROLL_FALL)]
    assert falls == [2026]  # the first year's exits are refilled in July 2026: 2027 grows again
    top = sorted(M.EXIT_METRICS, key=lambda m: -mean[(m, 2025)])[:2]
    rest = sum(mean[(m, 2025)] for m in M.EXIT_METRICS if m not in top)
    assert rest > 0  # deaths besides the two largest causes: the bracket counts them too
    causes = ", ".join([f"{labels.metric(m)} {mean[(m, 2025)]:,.0f}" for m in top]
                       + [f"other causes {rest:,.0f}"])
    want = (f"Payroll falls in 2026 ({change('payroll', 2026)} on 2025): worker-years change "
            f"{change('worker_years', 2026)} and the payroll per worker-year "
            f"{change('payroll_per_worker_year', 2026)}; "
            f"in 2025, {mean[('exits_total', 2025)]:,.0f} workers left ({causes}) and "
            f"{mean[('hires', 2025)]:,.0f} were hired (means)")
    # 2027 grows as the posts are refilled: with the worker-years' change 2 points or more away
    # from 2026's, a sentence says so too (a new city's audit of 2026-12-07: growth of +3.4%
    # then +9.2%, unexplained)
    wy = [mean[("worker_years", y)] / mean[("worker_years", y - 1)] - 1 for y in (2026, 2027)]
    assert wy[1] - wy[0] > webpage.STAFFING_SWING
    said = webpage.payroll_notes(res, s, "en")
    assert said[0] == want and len(said) == 2
    assert said[1].startswith(f"Payroll in 2027 ({change('payroll', 2027)} on 2026) moves with the staffing: "
                              f"worker-years change {change('worker_years', 2027)}")
    write_all(res, sc, tmp_path, svg=False)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert html.escape(want) in page and html.escape(said[1]) in page


def test_a_change_is_said_in_each_languages_words():
    """The payroll-fall sentence's changes: signed in English, 下降/上升 (or 减少/增加) in
    Chinese, 持平 where the change rounds to 0.0%, – where it is undefined (a year before
    of 0: it printed +nan%)."""
    from model.report.webpage import _change_words
    assert _change_words(-0.0643, "下降", "上升") == ("-6.4%", "下降6.4%")
    assert _change_words(0.02, "减少", "增加") == ("+2.0%", "增加2.0%")
    assert _change_words(0.0004, "下降", "上升") == ("+0.0%", "持平")
    assert _change_words(float("nan"), "下降", "上升") == ("–", "–")


def test_the_key_table_shows_degrees_where_workers_earn_them():
    """The college share and the degrees of each year join the key table where degrees are
    earned in service, and only there; the college share alone where a target reads it."""
    key_table = webpage.key_table
    sc = model.load("bench").with_overrides({"years": 2, "population.education": [0.5, 0.5, 0.0, 0.0]})
    plain = key_table(model.run(sc, reps=2, seed=3, workers=1, quiet=True), "en")
    earned = key_table(model.run(sc.with_overrides({"degrees.rate": [0.3, 0.0, 0.0]}), reps=2, seed=3,
                                 workers=1, quiet=True), "zh")
    assert "Degrees earned" not in plain and "College-educated" not in plain
    assert "在职学历提升人数" in earned and "大专以上学历占比" in earned
    targeted = key_table(model.run(model.load("changzhou-2022", {"years": 4}), reps=2, seed=3, workers=1,
                                   quiet=True), "en")  # a target on the college share
    assert "College-educated" in targeted and "Degrees earned" not in targeted
