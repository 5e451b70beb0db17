"""budget.xlsx: opened with openpyxl, every number equals summary.csv.

The run folder is written the way ``python -m model run`` writes it
(``model.cli.write_run``), so the workbook and summary.csv come from one run.
Values are compared to the CSV's 10 significant digits (``rel=1e-9``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from openpyxl import load_workbook

import model
from model import metrics as M
from model.cli import write_run
from model.report import budget
from model.report import labels as L

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "scenarios" / "bench.toml"

DISTRICTS = f"""
extends = "{BENCH.as_posix()}"
name = "budget-test"
description = "Bench with insurance, housing fund, subsidy and two districts"

[demand]
communities = 80

[pay]
base_share = 0.7
pension_rate = 0.16
housing_fund_rate = 0.08
growth = 0.03

[economy]
inflation = 0.02
price_base_year = 2026

[funding]
city_subsidy_per_worker = 40000
province_share = 0.1

[[districts]]
name = "xuanwu"
communities = 50

[[districts]]
name = "gaochun"
communities = 30
urban = false
"""

STAT_COLUMNS = ("mean", "p50", "p90")


@pytest.fixture(scope="module", params=["en", "zh"])
def run_folder(request, tmp_path_factory):
    tmp = tmp_path_factory.mktemp(f"budget_{request.param}")
    path = tmp / "budget.toml"
    path.write_text(DISTRICTS, encoding="utf-8")
    sc = model.load(path)
    res = model.run(sc, reps=5, seed=7, workers=1)
    out = write_run(sc, res, tmp / "out", lang=request.param)
    return request.param, sc, res, out


GROWTH = {L.word2("growth", lang) for lang in L.LANGS}
"""The statistic label of a growth row (:func:`growth_rows`)."""


def data_rows(ws):
    """(metric, statistic label, unit, {year: cell}) for every data row of a sheet (not
    its total over the years: :func:`total_cells`; nor its growth rows: :func:`growth_rows`)."""
    years = [c.value for c in ws[budget.HEADER_ROW]][4:]
    for row in ws.iter_rows(min_row=budget.FIRST_DATA_ROW):
        if row[1].value is None or row[2].value in GROWTH:
            continue
        cells = {y: c for y, c in zip(years, row[4:]) if isinstance(y, int)}
        yield row[1].value, row[2].value, row[3].value, cells


def total_cells(ws) -> dict:
    """{(metric, statistic label): cell} of a sheet's last column where it is the total over
    the years (money sheets), else {}."""
    head = ws.cell(budget.HEADER_ROW, ws.max_column).value
    if isinstance(head, int):
        return {}
    return {(row[1].value, row[2].value): row[-1] for row in ws.iter_rows(min_row=budget.FIRST_DATA_ROW)
            if row[1].value is not None and row[2].value not in GROWTH}


def growth_rows(ws) -> dict:
    """{metric: (unit, {year: cell})} of a sheet's growth rows."""
    years = [c.value for c in ws[budget.HEADER_ROW]][4:]
    return {row[1].value: (row[3].value, {y: c for y, c in zip(years, row[4:])})
            for row in ws.iter_rows(min_row=budget.FIRST_DATA_ROW) if row[2].value in GROWTH}


def test_growth_rows_give_the_mean_on_the_year_before(run_folder):
    """Payroll and total cost, nominal and at constant prices, have a row of the growth of
    their mean on the year before (a fraction shown in percent), empty in the first year and
    in the total column; no other item has one; read_budget reads it back as 'growth'."""
    lang, _, res, out = run_folder
    wb = load_workbook(out / "budget.xlsx")
    found = {}
    for ws in wb.worksheets[1:-1]:
        for metric, (unit, cells) in growth_rows(ws).items():
            found[metric] = ws.title
            assert unit == "%"
            mean = [float(np.mean(res.at(metric, y))) for y in res.years]
            assert cells[int(res.years[0])].value is None
            for y, before, now in zip(res.years[1:], mean, mean[1:]):
                c = cells[int(y)]
                assert c.value == pytest.approx(now / before - 1, rel=1e-9), (metric, y)
                assert c.number_format == "0.0%"
            assert list(cells.values())[-1].value is None  # the total column: no growth
    assert set(found) == {"payroll", "total_cost", "payroll_real", "total_cost_real"}
    got = budget.read_budget(out / "budget.xlsx")
    y1 = int(res.years[1])
    assert got[(found["payroll"], "payroll", "growth")][y1] == pytest.approx(
        float(np.mean(res.at("payroll", y1)) / np.mean(res.at("payroll", res.years[0])) - 1), rel=1e-9)


def test_every_number_equals_summary_csv(run_folder):
    lang, _, res, out = run_folder
    s = pd.read_csv(out / "summary.csv").set_index(["metric", "year"])
    wb = load_workbook(out / "budget.xlsx")
    seen = set()
    checked = 0
    for ws in wb.worksheets[1:-1]:
        for metric, stat, unit, cells in data_rows(ws):
            col = {"Mean": "mean", "均值 Mean": "mean", "P50": "p50", "P90": "p90"}[stat]
            assert list(cells) == [int(y) for y in res.years]
            # money in yuan, or in 万元 to two decimals in Chinese (as a Chinese budget is filed)
            wan = lang == "zh" and M.unit(metric).startswith("yuan/year")
            assert unit.startswith("万元/年") == wan, unit
            for year, cell in cells.items():
                expected = s.loc[(metric, year), col] / (1e4 if wan else 1)
                assert cell.data_type == "n", f"{ws.title} {metric} {year} stored as text"
                assert cell.number_format == ("#,##0.00" if wan else "#,##0.0" if metric == "worker_years"
                                              else "#,##0")
                assert cell.value == pytest.approx(expected, rel=1e-9, abs=1e-6)
                checked += 1
            seen.add((ws.title, metric, col))
    # every item has its three rows on every sheet
    for title, metric, _ in list(seen):
        assert {(title, metric, c) for c in STAT_COLUMNS} <= seen
    assert checked == len(seen) * len(res.years)


def test_the_total_over_the_years_is_that_of_the_replications_totals(run_folder):
    """Each money sheet's last column: the mean of the replications' sums over the years
    (the sum of the yearly means), and the P50 and P90 of those sums; the staffing sheet
    has none."""
    lang, _, res, out = run_folder
    wb = load_workbook(out / "budget.xlsx")
    money = [ws for ws in wb.worksheets[1:-1] if total_cells(ws)]
    assert len(money) == len(wb.worksheets) - 3 and not total_cells(wb.worksheets[-2])
    stat = {"Mean": "mean", "均值 Mean": "mean", "P50": 50, "P90": 90}
    for ws in money:
        # with its own unit: a total over the years, not a year's (万元/年 on the row read as yearly)
        unit = "10,000 yuan" if lang == "zh" else "yuan"
        assert str(ws.cell(budget.HEADER_ROW, ws.max_column).value).endswith(
            f"Total {res.years[0]}–{res.years[-1]} ({unit})")
        if lang == "zh":
            assert f"{res.years[0]}–{res.years[-1]}年合计（万元）" in ws.cell(budget.HEADER_ROW, ws.max_column).value
        for (metric, label), cell in total_cells(ws).items():
            sums = res.values[:, :, list(res.metrics).index(metric)].sum(axis=1)
            sums = sums / (1e4 if lang == "zh" else 1)
            q = stat[label]
            want = sums.mean() if q == "mean" else np.percentile(sums, q)
            assert cell.value == pytest.approx(want, rel=1e-9, abs=1e-6), (ws.title, metric, label)


def test_the_p90s_interval_covers_the_90th_percentile_as_the_binomial_law_says():
    """The cover's 95% interval of a P90 from order statistics: for 1..100 the 84th and
    96th values; over 4,000 samples of 50 uniform values it holds 0.9 as often as the
    binomial law of the count below 0.9 says (within 4 Monte Carlo standard errors)."""
    from scipy.stats import binom
    assert budget.p90_interval(np.arange(1.0, 101.0))[1:] == (84.0, 96.0)
    assert budget.p90_interval(np.arange(1.0, 9.0))[1:] == (5.0, None)  # 8 values: no upper end among them
    assert budget.p90_interval([3.0])[1:] == (None, None)  # one value bounds neither end
    rng = np.random.default_rng(11)
    n, trials = 50, 4000
    held = 0
    for _ in range(trials):
        _, lo, hi = budget.p90_interval(rng.random(n))
        held += (lo if lo is not None else -np.inf) <= 0.9 <= (hi if hi is not None else np.inf)
    lo_k = max(int(binom.ppf(0.025, n, 0.9)), 1)
    hi_k = int(binom.ppf(0.975, n, 0.9)) + 1
    exact = binom.cdf(hi_k - 1, n, 0.9) - binom.cdf(lo_k - 1, n, 0.9)
    assert exact >= 0.95
    assert abs(held / trials - exact) <= 4 * np.sqrt(exact * (1 - exact) / trials)


def test_sheets_and_items(run_folder):
    lang, _, res, out = run_folder
    got = budget.read_budget(out / "budget.xlsx")
    by_sheet = {}
    for title, metric, _ in got:
        by_sheet.setdefault(title, set()).add(metric)
    names = load_workbook(out / "budget.xlsx").sheetnames
    assert len(names) == 7
    comp, src, const, dist, staff, inputs = names[1:]
    assert inputs == L.word2("inputs", lang) and inputs not in by_sheet
    # (no degree support row: nobody earns a degree)
    assert by_sheet[comp] == set(M.COST_PARTS) - {"cost_degrees"} | {"payroll", "total_cost"}
    # the payroll parts add up to the payroll row, and the cost parts to the total, in the means
    y0 = int(res.years[0])
    pay = sum(got[(comp, m, "mean")][y0] for m in M.PAYROLL_PARTS)
    assert pay == pytest.approx(got[(comp, "payroll", "mean")][y0], rel=1e-9)
    cost = sum(got[(comp, m, "mean")][y0] for m in M.COST_PARTS if m != "cost_degrees")
    assert cost == pytest.approx(got[(comp, "total_cost", "mean")][y0], rel=1e-9)
    assert by_sheet[src] == set(M.FUNDING_PARTS) | {"total_cost"}
    assert by_sheet[const] == {"payroll_real", "total_cost_real"}
    scopes = ("xuanwu", "gaochun")  # each part is one district: its rows would repeat the district's
    each = {f"{m}.{s}" for s in scopes for m in budget.DISTRICT_ITEMS}
    assert by_sheet[dist] == {"payroll", "total_cost"} | each
    # the district lines add up to the city's payroll, total cost and funding by source (the subsidy's cap
    # does not bind here), in every replication so in the mean too
    y = int(res.years[-1])
    for m in budget.DISTRICT_ITEMS:
        total = got[(dist, m, "mean")][y] if m in ("payroll", "total_cost") else got[(src, m, "mean")][y]
        parts = got[(dist, f"{m}.xuanwu", "mean")][y] + got[(dist, f"{m}.gaochun", "mean")][y]
        assert parts == pytest.approx(total, rel=1e-9), m
    # what the payroll pays for: the workers, worker-years, posts and flows, as summary.csv has them
    # (bench has no head or committee posts: no pay of one, and no rows for it)
    assert by_sheet[staff] == set(budget.STAFFING) - {"avg_pay_head", "avg_pay_committee"}
    for m in by_sheet[staff]:
        assert got[(staff, m, "mean")][y] == pytest.approx(float(np.nanmean(res.at(m, y))), rel=1e-12)
    units = {r[1]: r[3] for r in load_workbook(out / "budget.xlsx")[staff].iter_rows(
        min_row=budget.FIRST_DATA_ROW, values_only=True)}
    assert units["worker_years"].endswith("worker-years") and units["headcount"].endswith("workers")
    assert units["avg_pay_staff"].endswith("yuan per worker per year")  # a staff post's pay, ladder and all


def test_labels_follow_the_language(run_folder):
    lang, _, _, out = run_folder
    wb = load_workbook(out / "budget.xlsx")
    comp = wb.worksheets[1]
    first = comp.cell(budget.FIRST_DATA_ROW, 1).value
    header = [c.value for c in comp[budget.HEADER_ROW]][:4]
    if lang == "zh":
        assert wb.sheetnames[1] == "按支出构成 By component"
        assert first == "基本工资 Base pay"
        assert header[0] == "项目 Item"
        assert "元/年" in comp["A2"].value
    else:
        assert wb.sheetnames[1] == "By component"
        assert first == "Base pay"
        assert header == ["Item", "Metric", "Statistic", "Unit"]
        assert "yuan per year" in comp["A2"].value
    const_unit = wb.worksheets[3]["A2"].value
    assert "2026" in const_unit       # constant prices of the scenario's base year


def test_cover_sheet_says_what_was_run(run_folder):
    lang, sc, res, out = run_folder
    cover = load_workbook(out / "budget.xlsx").worksheets[0]
    rows = {row[0]: row[1] for row in cover.iter_rows(min_row=3, values_only=True) if row[0]}
    key = (lambda en, zh: f"{zh} {en}" if zh != en else en) if lang == "zh" else (lambda en, zh: en)
    assert rows[key("Scenario", "情景")] == "budget-test"
    assert rows[key("Description", "说明")] == sc.description
    assert rows[key("Seed", "随机种子")] == res.seed
    assert rows[key("Replications", "模拟次数")] == res.reps
    assert rows[key("Model version", "模型版本")] == model.__version__
    assert "covers only the uncertainty the scenario draws at random" in rows[key("P90", "P90")]
    _, lo, hi = budget.p90_interval(res.at("total_cost", int(res.years[-1])))
    assert lo is not None and hi is None  # 5 replications bound it below only (the 3rd smallest)
    precision = rows[key("P90 precision", "P90精度")]
    assert f"The P90 of total cost in {res.years[-1]} is " in precision
    assert "to above every replication's (too few replications to bound it)" in precision
    assert "applies the scenario's rules from 1 January" in rows[key("Horizon", "预测期")]
    assert "yuan per year" in rows[key("Units", "单位")]


def test_a_variant_keeping_its_parents_description_lists_what_it_changes(tmp_path):
    """A file that extends Changzhou and sets pay growth and quit rates, with no description
    of its own, is described on the cover by Changzhou's description: the cover lists the
    two fields the file sets, with its name (a --set over it too), so the description is
    not read as the policy run; an alternative with its own description lists nothing it
    sets (from a finance-bureau audit: nothing said pay growth was changed)."""
    f = tmp_path / "cz-fast.toml"
    parent = (Path(model.__file__).parents[1] / "scenarios" / "changzhou-2022.toml").as_posix()
    f.write_text(f'extends = "{parent}"\nname = "cz-fast"\n[pay]\ngrowth = 0.06\n'
                 '[quits]\nrate = [0.1, 0.06, 0.03]\n', encoding="utf-8")
    sc = model.load(f, ["years=2", "funding.province_share=0.2"])
    res = model.run(sc, reps=2, seed=1, workers=1)
    cover = load_workbook(budget.write_budget(res, sc, tmp_path / "b.xlsx")).worksheets[0]
    rows = {row[0]: row[1] for row in cover.iter_rows(min_row=3, values_only=True) if row[0]}
    assert rows["Description"] == model.load("changzhou-2022").description
    assert rows["Set over the policy described"] == (
        "pay.growth = 0.06 (cz-fast.toml), quits.rate = [0.1, 0.06, 0.03] (cz-fast.toml), years = 2 (--set), "
        "funding.province_share = 0.2 (--set)")
    own = model.load("alternatives/changzhou-2022-no-cert-deadline")
    assert L.settings(own) == ""


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_unit_cell_fits_its_column(tmp_path, lang):
    """The unit column is as wide as its longest unit: the constant-prices sheet's 'yuan per
    year, constant prices of 2026' had its year cut from view (from a finance-bureau audit)."""
    sc = model.load("bench", {"demand.communities": 20, "years": 2, "economy.inflation": 0.02,
                              "economy.price_base_year": 2026})
    res = model.run(sc, reps=2, seed=1, workers=1)
    wb = load_workbook(budget.write_budget(res, sc, tmp_path / "b.xlsx", lang=lang))
    for ws in wb.worksheets[1:5]:
        units = [c.value for c in ws["D"][budget.FIRST_DATA_ROW - 1:] if c.value]
        assert units and ws.column_dimensions["D"].width >= max(L.display_width(u) for u in units), ws.title


def test_bench_has_no_district_sheet(tmp_path):
    sc = model.load("bench", {"demand.communities": 20})
    res = model.run(sc, reps=2, seed=1, workers=1)
    path = budget.write_budget(res, sc, tmp_path / "b.xlsx")
    assert load_workbook(path).sheetnames == ["Cover", "By component", "By funding source", "Constant prices",
                                              "Staffing", "Money inputs"]


def test_a_workbook_written_alone_names_districts_by_their_labels(tmp_path):
    """write_budget called on its own (not through write_all) still labels a district
    with its label_zh in Chinese: Nanjing's xuanwu as 玄武区."""
    sc = model.load("nanjing-2018")
    res = model.run(sc, reps=2, seed=1)
    path = budget.write_budget(res, sc, tmp_path / "b.xlsx", lang="zh")
    ws = load_workbook(path)["分区 By district"]
    items = [row[0] for row in ws.iter_rows(min_row=budget.FIRST_DATA_ROW, values_only=True)]
    assert any("玄武区" in str(i) for i in items), items[:6]


def test_items_at_zero_are_said_to_be_so(tmp_path):
    """A row of zeros (a cost the scenario has not got, or does not set: here the
    benchmark pays base pay and allowances only) is named in its sheet's note, in either language."""
    sc = model.load("bench", {"demand.communities": 20, "years": 2})
    res = model.run(sc, reps=2, seed=1)
    for lang, words in (("en", "0 in every year and replication: Performance pay, "),
                        ("zh", "各年各次模拟均为0：绩效工资、")):
        budget.write_budget(res, sc, tmp_path / f"{lang}.xlsx", lang=lang)
        note = load_workbook(tmp_path / f"{lang}.xlsx").worksheets[1]["A2"].value
        assert words in note and "Community work funds" in note, note
        assert "Base pay" not in note
    one = model.load("bench", {"demand.communities": 20, "years": 1})  # no hires in its one year
    budget.write_budget(model.run(one, reps=2, seed=1), one, tmp_path / "one.xlsx")
    staffing = load_workbook(tmp_path / "one.xlsx").worksheets[-2]
    rows = staffing.iter_rows(min_row=budget.FIRST_DATA_ROW, values_only=True)
    hires = [r for r in rows if r[1] == "hires"]
    assert hires and all(r[4] == 0 for r in hires)
    assert "0 in every year" not in staffing["A2"].value  # a count of 0 is a forecast, not a setting


def test_the_district_sheet_leaves_out_a_source_the_city_never_draws_on(tmp_path):
    """Without a city subsidy (0 in every year and replication) the by-district sheet has
    no subsidy row for any district; the province's share stays."""
    path = tmp_path / "budget.toml"
    path.write_text(DISTRICTS, encoding="utf-8")
    sc = model.load(path, {"funding.city_subsidy_per_worker": 0, "years": 2, "demand.communities": 8,
                           "districts[0].communities": 5, "districts[1].communities": 3})
    res = model.run(sc, reps=2, seed=3, workers=1)
    (items,) = [ms for key, _, ms in budget.sheets(res, sc) if key == "by_district"]
    assert not any(m.startswith("funding_city") for m in items)
    assert {"funding_province.xuanwu", "funding_district.gaochun", "total_cost.gaochun"} <= set(items)


def test_the_district_sheet_does_not_repeat_a_lone_rural_district_as_the_rural_total(tmp_path):
    """Two urban districts and one rural: the sheet gives each district and the urban total
    (their sum), but not the rural total, which would repeat gaochun's figures; its note says
    gaochun's rows are the rural total, in either language. summary.csv keeps the rural
    scope (the sheet's rows are a choice of what to show, not of what is forecast)."""
    path = tmp_path / "budget.toml"
    path.write_text(DISTRICTS.replace('[[districts]]\nname = "gaochun"',
                                      '[[districts]]\nname = "gulou"\ncommunities = 10\n\n'
                                      '[[districts]]\nname = "gaochun"\nlabel_zh = "高淳区"'), encoding="utf-8")
    sc = model.load(path, {"years": 2, "demand.communities": 9, "districts[0].communities": 4,
                           "districts[1].communities": 2, "districts[2].communities": 3})
    res = model.run(sc, reps=2, seed=3, workers=1)
    assert "total_cost.rural" in res.metrics
    for lang, note in (("en", ("Gaochun holds all the rural communities, so its rows are also the rural "
                              "total (Rural communities), which is not repeated.")),
                       ("zh", "高淳区即全部农村社区：该区各行即农村社区合计，不再重复列出 Gaochun holds all ")):
        out = budget.write_budget(res, sc, tmp_path / f"{lang}.xlsx", lang=lang)
        ws = load_workbook(out)[L.word2("by_district", lang)]
        metrics = {m for m, *_ in data_rows(ws)}
        scopes = {m.partition(".")[2] for m in metrics if "." in m}
        assert scopes == {"xuanwu", "gulou", "gaochun", "urban"}, scopes
        assert note in ws["A2"].value, ws["A2"].value
        items = [row[0] for row in ws.iter_rows(min_row=budget.FIRST_DATA_ROW, values_only=True)]
        assert not any(L.word2("rural", lang) in str(i) for i in items)
        got = budget.read_budget(out)
        title = ws.title
        y = int(res.years[-1])
        for m in budget.DISTRICT_ITEMS:  # the urban total is its districts' sum, the city the parts'
            if f"{m}.urban" not in metrics:
                continue
            urban = got[(title, f"{m}.xuanwu", "mean")][y] + got[(title, f"{m}.gulou", "mean")][y]
            assert got[(title, f"{m}.urban", "mean")][y] == pytest.approx(urban, rel=1e-9)
        city = got[(title, "total_cost.urban", "mean")][y] + got[(title, "total_cost.gaochun", "mean")][y]
        assert got[(title, "total_cost", "mean")][y] == pytest.approx(city, rel=1e-9)
    assert budget.lone_parts(sc) == {"rural": "gaochun"}


def test_inputs_sheet_gives_each_money_input_with_where_it_was_set_and_its_comment(tmp_path):
    """The last sheet lists the money inputs the run reads: a field of the file with its
    value, file:line and the comment of its line (a '#' inside a quoted text is not one) or
    of the comment lines just above; a field set with --set as such; a default the run reads
    (leaver_performance_multiplier) as the model's default; an 'off' default (the pay
    tables of zeros) not at all; a mechanism switched off by its enabled = false (not its
    cost); a district's own pay floor; and read_budget skips the sheet."""
    text = f'''extends = "{BENCH.as_posix()}"
name = "inputs-test"
[demand]
communities = 20
[training]
enabled = false
[pay]
# the pension rate of the province
# (two comment lines above)
pension_rate = 0.16
medical_rate = 0.088          # "quoted # not a comment" then this
housing_fund_rate = 0.07
[economy]
average_wage = 90_000
[funding]
city_subsidy_per_worker = 40_000   # assumption: a round figure
[[districts]]
name = "a"
communities = 10
floor_share = 0.8             # the district's own floor
[[districts]]
name = "b"
communities = 10
'''
    path = tmp_path / "inputs.toml"
    path.write_text(text, encoding="utf-8")
    sc = model.load(path, overrides=["pay.housing_fund_rate=0.05"])
    res = model.run(sc, reps=2, seed=1, workers=1)
    out = write_run(sc, res, tmp_path / "out", lang="en")
    wb = load_workbook(out / "budget.xlsx")
    ws = wb.worksheets[-1]
    assert ws.title == L.word2("inputs", "en")
    rows = {r[0]: r[1:] for r in ws.iter_rows(min_row=budget.FIRST_DATA_ROW, values_only=True)}
    assert rows["pay.pension_rate"][:4] == ("0.16", None, "inputs.toml:10",
                                            "the pension rate of the province (two comment lines above)")
    assert rows["pay.medical_rate"][2:4] == ("inputs.toml:11", '"quoted # not a comment" then this')
    assert rows["funding.city_subsidy_per_worker"][0] == "40000"  # a whole number as one
    assert rows["funding.city_subsidy_per_worker"][3] == "assumption: a round figure"
    assert rows["pay.housing_fund_rate"][0] == "0.05" and rows["pay.housing_fund_rate"][2] == "--set"
    assert rows["pay.leaver_performance_multiplier"][2] == L.word2("model_default", "en")
    # read only with a floor share above 0: here the district's, on the city's basis by default
    assert rows["pay.floor_basis"][0] == '"gross"'
    assert rows["pay.floor_basis"][2] == L.word2("model_default", "en")
    assert "pay.floor_basis" not in {r["field"] for r in budget.inputs(model.load("bench"))}
    assert "pay.table_staff" not in rows and "training.cost_per_trainee" not in rows
    assert rows["training.enabled"][0] == "false"  # a cost switched off says so
    assert rows["districts[0].floor_share"][:4] == ("0.8", None, "inputs.toml:20", "the district's own floor")
    assert rows["districts[0].floor_share"][4].startswith("a: ")
    assert not any(k.startswith("districts[1]") for k in rows)  # b sets none of its own
    assert "recruitment.cost_per_hire" in rows
    sheets = {k[0] for k in budget.read_budget(out / "budget.xlsx")}
    assert ws.title not in sheets and sheets


def test_the_money_inputs_units_are_in_chinese_in_a_chinese_workbook():
    """A Chinese workbook's sheet of money inputs gave its units in English only (yuan/month,
    1/year: a finance-bureau reader's audit); every unit a shipped scenario's money inputs
    have has its Chinese."""
    units = {r["unit"] for name in ("changzhou-2022", "nanjing-2018", "yichang-2021", "jilin-2020",
                                    "hohhot-2023", "example-city") for r in budget.inputs(model.load(name))}
    assert units - {""} and units - {""} <= set(L.FIELD_UNITS)
    assert L.field_unit2("yuan/month", "zh") == "元/月 yuan/month"
    assert L.field_unit2("yuan/month") == "yuan/month"
    assert L.field_unit2("", "zh") == ""
