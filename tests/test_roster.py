"""A city's own roster as the starting workforce (model/roster.py)."""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import pickle
import subprocess
import sys
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import model
from model import roster as R
from model.errors import ScenarioError
from model.policies.retirement_age import retirement_time

from conftest import starting_workforce

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["姓名", "出生日期", "性别", "入职日期", "学历", "证书等级", "取证年份", "所属区"]
HEADER_FIELDS = ["name", "birth_date", "sex", "hire_date", "education", "certificate", "certificate_year",
                 "district"]
EDU = {"高中": 0, "大专": 1, "本科": 2, "硕士": 3}
CERT = {"无": 0, "助理社会工作师": 1, "社会工作师": 2, "高级社会工作师": 3}


def people(n: int, start: int, seed: int = 3, districts=("xuanwu", "jiangning")):
    """``n`` plausible workers in post on 1 January ``start`` (nobody past 50 as a woman
    in a worker post, so that the cadre inference is exercised only where asked)."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        by = int(rng.integers(start - 49, start - 22))
        b = dt.date(by, int(rng.integers(1, 13)), int(rng.integers(1, 29)))
        hy = int(rng.integers(by + 20, start))
        cert = list(CERT)[int(rng.integers(0, 4))]
        cy = "" if cert == "无" else str(int(rng.integers(hy, start)))
        district = districts[int(rng.integers(0, len(districts)))]
        out.append([f"w{i}", b.isoformat(), ["男", "女"][int(rng.integers(0, 2))], f"{hy}/7/1",
                    list(EDU)[int(rng.integers(0, 4))], cert, cy, district])
    return out


def write(path: Path, rows, header=HEADER, encoding="utf-8-sig"):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


SCENARIO = """
name = "roster-test"
start_year = 2025
years = 3
[demand]
rule = "fixed"
communities = 40
posts_per_community = 12
[population]
roster = "{roster}"
heads_per_community = 1
committee_per_community = 2
[[districts]]
name = "xuanwu"
label_zh = "玄武区"
communities = 25
urban = true
certified_share = 0.9   # the roster's certificates win over it; without them, it redraws
[[districts]]
name = "jiangning"
label_zh = "江宁区"
communities = 15
urban = true
"""


def scenario(tmp_path, rows, extra="", header=HEADER, name="roster.csv", **kw) -> Path:
    write(tmp_path / name, rows, header, **kw)
    p = tmp_path / "city.toml"
    p.write_text(SCENARIO.format(roster=name) + extra, encoding="utf-8")
    return p


def test_the_starting_workers_are_the_rosters(tmp_path):
    rows = people(480, 2025)
    sc = model.load(scenario(tmp_path, rows))
    pop = starting_workforce(sc)
    assert pop.n == len(rows)
    c_district = np.repeat([0, 1], [25, 15])  # each worker in a community of their own district
    got = Counter(zip(np.round(pop.birth, 9), pop.female, pop.hire_year, pop.education, pop.level,
                      pop.level_since * (pop.level > 0), c_district[pop.community]))
    want = Counter()
    for r in rows:
        b = dt.date.fromisoformat(r[1])
        lvl = CERT[r[5]]
        want[(round(R.date_instant(b), 9), r[2] == "女", int(r[3][:4]), EDU[r[4]], lvl,
              int(r[6]) * (lvl > 0) if r[6] else 0, 0 if r[7] == "xuanwu" else 1)] += 1
    assert got == want
    # per district, communities get the district's workers in proportion to posts (equal here)
    per = np.bincount(pop.community, minlength=40)
    for d in (0, 1):
        assert per[c_district == d].max() - per[c_district == d].min() <= 1


def test_birth_month_is_exact_for_the_retirement_reform():
    # the reform sets the retirement month by birth month: every day of every month maps back to it
    for y in (1964, 1965, 1972, 1980, 2000):
        for m in range(1, 13):
            for d in (1, 15, 28, 29, 30, 31):
                try:
                    day = dt.date(y, m, d)
                except ValueError:
                    continue
                b = R.date_instant(day)
                assert int(np.floor(b)) == y and int(np.floor((b - y) * 12 + 1e-6)) + 1 == m
    # FIGURES.md section 5: a man born in May 1965 retires at 60 years 2 months, in July 2025
    t = retirement_time(np.array([R.date_instant(dt.date(1965, 5, 20))]), np.array([False]),
                        np.array([False]), "china2025")
    assert int(np.floor(t[0])) == 2025 and int(np.floor((t[0] - 2025) * 12 + 1e-6)) + 1 == 7


@pytest.mark.parametrize("text, want", [
    ("1985-03-14", dt.date(1985, 3, 14)), ("1985/3/4", dt.date(1985, 3, 4)),
    ("1985.03.14", dt.date(1985, 3, 14)), ("19850314", dt.date(1985, 3, 14)),
    ("1985年3月14日", dt.date(1985, 3, 14)), ("1985-03", dt.date(1985, 3, 1)),
    ("1985年3月", dt.date(1985, 3, 1)), ("198503", dt.date(1985, 3, 1)),
    ("1985-03-14 00:00:00", dt.date(1985, 3, 14)),
    ("1985-02-30", None), ("1985", None), ("85-3-14", None), ("", None), ("yesterday", None)])
def test_dates(text, want):
    assert R.parse_date(text) == want


def test_same_seed_same_workforce_and_a_run_from_an_xlsx_roster(tmp_path):
    import pandas as pd
    rows = people(200, 2025)
    p = scenario(tmp_path, rows)
    a = model.run(model.load(p), reps=3, seed=5).metric("payroll")
    b = model.run(model.load(p), reps=3, seed=5, workers=2).metric("payroll")
    np.testing.assert_array_equal(a, b)  # across processes: the copy carries the roster
    # the same roster as a workbook, with real Excel dates, gives the same run
    df = pd.DataFrame(rows, columns=HEADER)
    df["出生日期"] = pd.to_datetime(df["出生日期"])
    df.to_excel(tmp_path / "roster.xlsx", index=False)
    x = tmp_path / "x.toml"
    x.write_text(SCENARIO.format(roster="roster.xlsx"), encoding="utf-8")
    c = model.run(model.load(x), reps=3, seed=5).metric("payroll")
    np.testing.assert_array_equal(a, c)


def test_gb18030_csv_and_english_headers(tmp_path):
    rows = people(50, 2025)
    a = starting_workforce(model.load(scenario(tmp_path, rows, encoding="gb18030")))
    eng = ["name", "birth_date", "Sex", " hire_date ", "education", "certificate", "certificate_year",
           "district"]
    b = starting_workforce(model.load(scenario(tmp_path, rows, header=eng, name="en.csv")))
    np.testing.assert_array_equal(a.birth, b.birth)
    np.testing.assert_array_equal(a.level, b.level)


def test_columns_left_out_are_drawn_from_the_mix(tmp_path):
    rows = [r[:4] for r in people(3000, 2025)]
    p = scenario(tmp_path, rows, header=HEADER[:4])
    text = p.read_text(encoding="utf-8").replace("committee_per_community = 2",
                                                   "committee_per_community = 2\n"
                                                   "education = [0.1, 0.5, 0.4, 0.0]\n"
                                                   "certificate = [0.7, 0.3, 0.0, 0.0]")
    p.write_text(text, encoding="utf-8")
    pop = starting_workforce(model.load(p))
    xuanwu = pop.community < 25  # its own starting certified share, 0.9; jiangning the city's 0.3
    for got, n, share in ((np.mean(pop.education == 1), pop.n, 0.5),
                          (np.mean(pop.level[xuanwu] == 1), xuanwu.sum(), 0.9),
                          (np.mean(pop.level[~xuanwu] == 1), (~xuanwu).sum(), 0.3)):
        assert abs(got - share) < 4.5 * np.sqrt(share * (1 - share) / n)  # binomial, 4.5 sd


def test_a_woman_past_the_worker_post_age_is_a_cadre(tmp_path):
    # born 1972: a woman in a worker post retired at 50 in 2022; as a cadre (55 + months) she is in
    # post in 2025
    rows = [["a", "1972-06-10", "女", "2000-01-01", "本科", "无", "", "xuanwu"]] * 30 + people(60, 2025)
    pop = starting_workforce(model.load(scenario(tmp_path, rows), overrides={"population.cadre_share": 0.0}))
    old = np.floor(pop.birth) == 1972
    assert old.sum() == 30 and pop.cadre[old].all()
    assert (pop.retire_at > 2025).all()


@pytest.mark.parametrize("edit, column, line, words", [
    (lambda r: r.__setitem__(3, "2025/1/2"), "hire_date", 3, "after 1 January 2025"),
    (lambda r: r.__setitem__(1, "1985-13-01"), "birth_date", 3, "expected a date"),
    (lambda r: r.__setitem__(1, ""), "birth_date", 3, "blank"),
    (lambda r: r.__setitem__(2, "x"), "sex", 3, "male or female"),
    (lambda r: r.__setitem__(4, "不详"), "education", 3, "below_college"),
    (lambda r: r.__setitem__(5, "gold"), "certificate", 3, "assistant"),
    (lambda r: r.__setitem__(7, "pukou"), "district", 3, "not a district"),
    (lambda r: (r.__setitem__(1, "2000-01-01"), r.__setitem__(3, "2014-01-01")), "hire_date", 3,
     "below the legal"),
    (lambda r: (r.__setitem__(5, "无"), r.__setitem__(6, "2019")), "certificate_year", 3,
     "without a certificate"),
    (lambda r: (r.__setitem__(5, "社会工作师"), r.__setitem__(6, "2026")), "certificate_year", 3, "to 2025"),
    (lambda r: (r.__setitem__(1, "1960-01-01"), r.__setitem__(2, "男")), "birth_date", 3, "retirement age"),
])
def test_bad_rows_are_refused_naming_the_line_and_column(tmp_path, edit, column, line, words):
    rows = people(5, 2025)
    edit(rows[1])
    with pytest.raises(ScenarioError) as e:
        model.load(scenario(tmp_path, rows))
    msg = str(e.value)
    assert f"roster.csv:{line}" in msg and f"'{column}'" in msg and words in msg, msg


def test_bad_files_are_refused(tmp_path):
    rows = people(5, 2025)
    with pytest.raises(ScenarioError, match="no hire_date column"):
        model.load(scenario(tmp_path, [r[:3] for r in rows], header=HEADER[:3]))
    with pytest.raises(ScenarioError, match="no workers"):
        model.load(scenario(tmp_path, []))
    with pytest.raises(ScenarioError, match="two columns give sex"):
        model.load(scenario(tmp_path, [r + ["男"] for r in rows], header=HEADER + ["sex"]))
    p = scenario(tmp_path, rows)
    (tmp_path / "roster.csv").unlink()
    with pytest.raises(ScenarioError, match="population.roster.*is not a file"):
        model.load(p)
    write(tmp_path / "roster.csv", rows)
    with pytest.raises(ScenarioError, match="population.headcount"):
        model.load(p, overrides={"population.headcount": 100})
    with pytest.raises(ScenarioError, match="population.filled_share.*set with population.roster"):
        model.load(p, overrides={"population.filled_share": 0.5})
    one = tmp_path / "one.toml"  # a district column without [[districts]]
    one.write_text(SCENARIO.format(roster="roster.csv").split("[[districts]]")[0], encoding="utf-8")
    with pytest.raises(ScenarioError, match="roster.csv:1, field 'district'.*no \\[\\[districts\\]\\]"):
        model.load(one)
    (tmp_path / "roster.csv").write_bytes(b"\xff\xfe\x00bad\x81\x30")
    with pytest.raises(ScenarioError, match="neither UTF-8 nor GB18030"):
        model.load(p)


def test_title_rows_and_blank_rows_keep_the_files_line_numbers(tmp_path):
    rows = people(6, 2025)
    rows[3][2] = "?"
    p = tmp_path / "titled.csv"
    with open(p, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["玄武区社区工作者花名册"])
        w.writerow([])
        w.writerow(HEADER)
        for r in rows[:2]:
            w.writerow(r)
        w.writerow([])
        for r in rows[2:]:
            w.writerow(r)
    toml = tmp_path / "t.toml"
    toml.write_text(SCENARIO.format(roster="titled.csv"), encoding="utf-8")
    # lines: title, blank, header, 2 workers, blank, then the third worker
    with pytest.raises(ScenarioError, match="titled.csv:8, field 'sex'"):
        model.load(toml)
    rows[3][2] = "女"
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["花名册"])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
    ws.cell(5, 3, "?")  # the third worker
    wb.save(tmp_path / "titled.xlsx")
    toml.write_text(SCENARIO.format(roster="titled.xlsx"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="titled.xlsx:5, field 'sex'"):
        model.load(toml)


def test_the_template_in_docs_is_a_roster(tmp_path):
    import shutil
    shutil.copy(ROOT / "docs" / "roster-template.csv", tmp_path / "t.csv")
    for place in ("changzhou-2022", "nanjing-2018", "hohhot-2023", "jilin-2020", "yichang-2021"):
        (tmp_path / "p.toml").write_text(f'extends = "{ROOT / "scenarios" / place}.toml"\n[population]\n'
                                         'roster = "t.csv"\nheadcount = 0\n', encoding="utf-8")
        assert len(model.load(tmp_path / "p.toml").roster) == 3, place  # valid for every place's start
    p = tmp_path / "t.toml"  # a city without districts: the template's district column is all blank
    p.write_text(SCENARIO.format(roster="t.csv").split("[[districts]]")[0], encoding="utf-8")
    r = model.load(p).roster
    assert len(r) == 3 and r.female.tolist() == [True, False, True] and r.level.tolist() == [2, 1, 0]
    assert r.district is None and r.level_since.tolist() == [2016, 2015, -1]
    assert r.post.tolist() == [2, 1, 0] and r.grade.tolist() == [9, 6, 2]
    text = (tmp_path / "t.csv").read_text(encoding="utf-8-sig").replace("否,,书记", "否,xuanwu,书记", 1)
    (tmp_path / "t.csv").write_text(text, encoding="utf-8")
    (tmp_path / "d.toml").write_text(SCENARIO.format(roster="t.csv"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="t.csv:3, field 'district': blank"):  # blank in part: refused
        model.load(tmp_path / "d.toml")


def test_a_quoted_cell_over_two_lines_keeps_the_line_where_its_row_starts(tmp_path):
    rows = people(3, 2025)
    rows[1][0] = "张三\n（原名张叁）"
    rows[2][2] = "?"
    with pytest.raises(ScenarioError, match="roster.csv:5, field 'sex'"):  # header 1, rows at 2, 3-4 and 5
        loads(tmp_path, rows)
    rows[2][2] = "男"
    rows[1][2] = "?"
    with pytest.raises(ScenarioError, match="roster.csv:3, field 'sex'"):
        loads(tmp_path, rows)


def test_unread_columns_are_named_in_a_warning(tmp_path):
    rows = [r + ["幸福社区"] for r in people(5, 2025)]
    with pytest.warns(UserWarning, match="社区.*not read"):
        model.load(scenario(tmp_path, rows, header=HEADER + ["社区"]))


def test_the_hash_follows_the_rosters_content_not_its_place(tmp_path):
    rows = people(40, 2025)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    a = model.load(scenario(tmp_path / "a", rows))
    b = model.load(scenario(tmp_path / "b", rows))
    assert a.hash == b.hash
    rows[0][1] = "1990-01-02"
    c = model.load(scenario(tmp_path / "b", rows))
    assert c.hash != a.hash
    assert c.resolved()["roster"]["workers"] == 40
    assert c.resolved()["population"]["roster"] == str((tmp_path / "b" / "roster.csv").resolve())
    # a copy rebuilt elsewhere keeps the roster even when the file is gone
    blob = pickle.dumps(c)
    (tmp_path / "b" / "roster.csv").unlink()
    d = pickle.loads(blob)
    assert d.hash == c.hash and len(d.roster) == 40
    # without a roster, the hash is as before the field existed (no roster key in it)
    assert "roster" not in model.load("bench").resolved()


def test_command_line_run_and_rerun(tmp_path):
    p = scenario(tmp_path, people(120, 2025))
    out = tmp_path / "out"
    run = [sys.executable, "-m", "model"]
    r = subprocess.run(run + ["validate", str(p)], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0 and "a roster of 120 workers" in r.stdout, r.stdout + r.stderr
    line = r.stdout.splitlines()[1]
    assert line.startswith("  roster roster.csv: 120 workers; women ") and "by district xuanwu " in line, line
    r = subprocess.run(run + ["run", str(p), "--reps", "2", "--no-report", "--quiet", "--out", str(out)],
                       cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    again = ["rerun", str(out / "manifest.json"), "--out", str(tmp_path / "again"), "--quiet"]
    r = subprocess.run(run + again, cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0 and "identical" in r.stdout and "NO" not in r.stdout, r.stdout + r.stderr
    rows = people(120, 2025)  # one cell changed: rerun refuses
    rows[0][4] = "硕士" if rows[0][4] != "硕士" else "大专"
    write(tmp_path / "roster.csv", rows)
    again[3] = str(tmp_path / "again2")
    r = subprocess.run(run + again, cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and "has changed since the run" in r.stderr, r.stderr
    assert not (tmp_path / "again2").exists()
    bad = tmp_path / "bad.csv"
    write(bad, [["a", "1990-01-01", "?", "2015-01-01", "本科", "无", "", "xuanwu"]])
    other = ["run", str(p), "--set", f"population.roster={bad}", "--out", str(tmp_path / "o2")]
    r = subprocess.run(run + other, cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 2 and "bad.csv:2" in r.stderr and "'sex'" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    assert not (tmp_path / "o2").exists()


# -- from the review of the feature: boundaries, spellings, and what a derived scenario checks


def test_workbook_cells_as_text():
    assert [R._cell(x) for x in (2019.0, 1985.1, 2, None, dt.datetime(1985, 3, 14, 0, 0), " 男 ")] == [
        "2019", "1985.1", "2", "", "1985-03-14", "男"]


def test_date_instants_by_hand():
    assert R.date_instant(dt.date(1985, 3, 16)) == 1985 + (2 + 15 / 31) / 12
    assert R.date_instant(dt.date(1984, 2, 29)) == 1984 + (1 + 28 / 29) / 12
    assert R.date_instant(dt.date(1990, 1, 1)) == 1990.0


def one(birth, sex="男", hired="2010-01-01", cert="无", year="", district="xuanwu", edu="本科"):
    return ["x", birth, sex, hired, edu, cert, year, district]


def loads(tmp_path, rows, header=HEADER, text=None, **overrides):
    write(tmp_path / "roster.csv", rows, header)
    p = tmp_path / "city.toml"
    p.write_text(text or SCENARIO.format(roster="roster.csv"), encoding="utf-8")
    return model.load(p, overrides=overrides or None)


def test_boundaries_of_age_at_hire_and_retirement(tmp_path):
    ok = people(3, 2025)
    # hired the day before the 16th birthday: refused; on the birthday: taken
    with pytest.raises(ScenarioError, match="roster.csv:5: fields 'birth_date' and 'hire_date':.*at 15"):
        loads(tmp_path, ok + [one("2000-06-15", hired="2016-06-14")])
    assert len(loads(tmp_path, ok + [one("2000-06-15", hired="2016-06-15")]).roster) == 4
    # retiring exactly on 1 January of the start year is not being in post that day
    fixed = {"retirement.rule": "fixed", "retirement.age_men": 60.0}
    with pytest.raises(ScenarioError, match="roster.csv:5, field 'birth_date'.*retirement age by 1 January"):
        loads(tmp_path, ok + [one("1965-01-01")], **fixed)
    assert len(loads(tmp_path, ok + [one("1965-01-02")], **fixed).roster) == 4


def test_the_cadre_column(tmp_path):
    # women born 1973: at 50 (worker posts) they retired in 2023; as cadres (55 and 4 months) in 2028
    header = HEADER + ["干部身份"]
    rows = [r + [""] for r in people(20, 2025) if r[2] == "男"]
    rows += [one("1973-05-01", "女") + ["是"], one("1985-05-01", "女") + ["否"], one("1985-05-01", "女") + ["工人"],
             one("1985-05-01", "女") + ["干部"]]
    sc = loads(tmp_path, rows, header, **{"population.cadre_share": 0.5})
    pop = starting_workforce(sc)
    women = np.flatnonzero(pop.female)
    got = sorted(zip(np.floor(pop.birth[women]).astype(int), pop.cadre[women]))
    assert got == [(1973, True), (1985, False), (1985, False), (1985, True)]
    assert "population.cadre_share" not in loads(tmp_path, rows, header).defaulted()  # the column replaces it
    assert "population.cadre_share" in loads(tmp_path, [r[:-1] for r in rows]).defaulted()
    with pytest.raises(ScenarioError, match="roster.csv:\\d+, field 'birth_date'.*retirement age.*a woman "
                                            "in a worker post by column '干部身份'; were she a cadre"):
        loads(tmp_path, rows[:-4] + [one("1973-05-01", "女") + ["否"]], header)  # past 50 in a worker post
    with pytest.raises(ScenarioError, match="retirement age") as e:  # past 55 and 4 months: a cadre too
        loads(tmp_path, rows[:-4] + [one("1965-05-01", "女") + ["否"]], header)
    assert "were she a cadre" not in str(e.value)
    with pytest.raises(ScenarioError, match="field 'cadre': blank for a woman"):
        loads(tmp_path, rows[:-4] + [one("1985-05-01", "女") + [""], one("1985-05-01", "女") + ["是"]], header)


def test_a_woman_retiring_on_the_first_day_as_a_worker_holds_a_cadre_post(tmp_path):
    # start 2024: a woman born 1974-01-01 in a worker post retires at 50 exactly on 1 January 2024
    text = SCENARIO.format(roster="roster.csv").replace("start_year = 2025", "start_year = 2024")
    rows = people(40, 2024) + [one("1974-01-01", "女")]
    pop = starting_workforce(loads(tmp_path, rows, text=text, **{"population.cadre_share": 0.0}))
    her = np.flatnonzero(np.isclose(pop.birth, 1974.0) & pop.female)
    assert len(her) == 1 and pop.cadre[her[0]] and pop.retire_at[her[0]] > 2024


def test_blank_certificate_year_and_its_bounds(tmp_path):
    rows = people(10, 2025) + [one("1980-03-01", cert="社会工作师", hired="2015-01-01")]
    pop = starting_workforce(loads(tmp_path, rows))
    i = np.flatnonzero(np.isclose(pop.birth, 1980 + 2 / 12))[0]
    assert pop.level[i] == 2 and pop.level_since[i] == 2024  # the year before the start
    with pytest.raises(ScenarioError, match="field 'certificate_year': expected a year from 1996"):
        loads(tmp_path, rows[:-1] + [one("1980-03-01", cert="社会工作师", year="1995")])
    # a date in the year, or the year with 年, gives the year (an Excel date: test_a_month_that_...)
    for year in ("2019-06-01", "2019年", "2019.1", "2019.10"):  # 2019.1: January or October, 2019 either way
        assert loads(tmp_path, rows[:-1] + [one("1980-03-01", cert="社会工作师", year=year)]
                     ).roster.level_since[-1] == 2019
    with pytest.raises(ScenarioError, match="field 'certificate_year': expected a year such as 2019"):
        loads(tmp_path, rows[:-1] + [one("1980-03-01", cert="社会工作师", year="2019.13")])  # no 13th month


def test_workers_are_dealt_at_random_and_by_posts(tmp_path):
    from model.sampling import largest_remainder
    # a roster sorted by birth: dealt in file order, communities would get runs of ages
    rows = sorted(people(1200, 2025), key=lambda r: r[1])
    text = SCENARIO.format(roster="roster.csv").replace(
        'rule = "fixed"', 'rule = "households"\nhouseholds_per_post = 250\nurban_residents = 1_300_000\n'
        'persons_per_household = 2.6\nhouseholds_spread = 0.8').replace("posts_per_community = 12\n", "")
    rep = starting_workforce(loads(tmp_path, rows, text=text), replication=True)
    pop, posts = rep.pop, rep.comm.posts
    assert posts.std() > 1  # unequal posts
    per = np.bincount(pop.community, minlength=40)
    for d, comms in ((0, np.arange(25)), (1, np.arange(25, 40))):
        n_d = sum(1 for r in rows if (r[7] == "xuanwu") == (d == 0))
        np.testing.assert_array_equal(per[comms], largest_remainder(n_d, posts[comms]))
    x = pop.community < 25
    r = np.corrcoef(pop.community[x], pop.birth[x])[0, 1]
    assert abs(r) < 4.5 / np.sqrt(x.sum())  # no correlation: 4.5 sd of a null correlation


@pytest.mark.parametrize("value, district", [("江宁区", 1), ("江宁", 1), ("玄武区", 0), ("Xuanwu", 0)])
def test_district_names(tmp_path, value, district):
    r = loads(tmp_path, people(3, 2025) + [one("1980-01-01", district=value)]).roster
    assert r.district[-1] == district


@pytest.mark.parametrize("col, value, want", [
    (2, "男性", False), (2, "女性", True), (2, "1", False), (2, "2", True),
    (4, "全日制本科", 2), (4, "大学", 2), (4, "本科及以上", 2), (4, "研究生及以上", 3), (4, "高中以下", 0),
    (4, "在职研究生", 3), (4, "初中及以下", 0), (4, "中专/高中", 0), (4, "本科（学士）", 2), (4, "大学专科", 1),
    (4, "高职", 1), (4, "大专以下", 0), (4, "高中及以下", 0), (4, "大专及以上", 1), (4, "本科以下", None),
    (4, "大专及以下", None), (4, "研究生以下", None),
    (5, "初级", 1), (5, "中级", 2), (5, "高级", 3), (5, "中级社工师", 2), (5, "助理", 1), (5, "无证", 0),
    (5, "未取得", 0), (5, "", 0), (5, "高级社会工作师", 3), (5, "助理社会工作师", 1), (5, "未取得中级", 0),
    (5, "无（报考中级）", 0), (5, "高级（未聘）", 3), (5, "中级(未注册)", 2), (5, "未聘", 0),
    (1, "1980-03-14 0:00", 1980 + (2 + 13 / 31) / 12), (1, "1980-03-14T00:00:00", 1980 + (2 + 13 / 31) / 12),
    (1, "1980年3月14号", 1980 + (2 + 13 / 31) / 12), (1, "1980.10", 1980 + 9 / 12),
    (1, "1980.03", 1980 + 2 / 12),
])
def test_spellings(tmp_path, col, value, want):
    row = one("1980-01-01")
    row[col] = value
    if want is None:  # ambiguous: refused, naming the column
        with pytest.raises(ScenarioError, match=f"roster.csv:5, field '{HEADER_FIELDS[col]}'"):
            loads(tmp_path, people(3, 2025) + [row])
        return
    r = loads(tmp_path, people(3, 2025) + [row]).roster
    got = {1: r.birth, 2: r.female, 4: r.education, 5: r.level}[col][-1]
    assert got == want


def test_headers_with_spaces_and_notes(tmp_path):
    header = ["姓名", "出生 日期", "性别（男/女）", "入职年月", "最高学历", "证书等级", "取证年份", "所属区"]
    assert len(loads(tmp_path, people(4, 2025), header).roster) == 4


def test_a_month_that_a_spreadsheet_may_have_shortened_is_refused(tmp_path):
    with pytest.raises(ScenarioError, match="roster.csv:5, field 'birth_date': '1980.1' may be January"):
        loads(tmp_path, people(3, 2025) + [one("1980.1")])
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.append(HEADER)
    for r in people(3, 2025):
        wb.active.append(r)
    wb.active.append(["x", 1980.1, "男", "2010-01-01", 2, 1, 2019, "xuanwu"])  # number cells
    wb.save(tmp_path / "n.xlsx")
    p = tmp_path / "n.toml"
    p.write_text(SCENARIO.format(roster="n.xlsx"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="n.xlsx:5, field 'birth_date': '1980.1' may be"):
        model.load(p)
    wb.active.cell(5, 2, 1980.03)  # March, and the number cells of education, certificate and year
    wb.active.cell(5, 7, 2019.0)  # a whole number kept as a float
    wb.save(tmp_path / "n.xlsx")
    r = model.load(p).roster
    assert r.birth[-1] == 1980 + 2 / 12 and r.education[-1] == 2 and r.level[-1] == 1
    assert r.level_since[-1] == 2019
    wb.active.cell(5, 7, dt.datetime(2018, 6, 1))  # an Excel date in the certificate year column
    wb.save(tmp_path / "n.xlsx")
    assert model.load(p).roster.level_since[-1] == 2018


def test_id_numbers_give_birth_and_sex(tmp_path):
    def with_check(first17):
        total = sum(int(c) * w for c, w in zip(first17, R._ID_WEIGHTS))
        return first17 + "10X98765432"[total % 11]
    man, woman = with_check("11010519800314001"), with_check("32011519851102002")  # 17th digit odd / even
    assert R.from_id(man) == (dt.date(1980, 3, 14), False)
    assert R.from_id(woman) == (dt.date(1985, 11, 2), True)
    assert R.from_id("110105800314001") == (dt.date(1980, 3, 14), False)  # 15 digits: the last odd
    assert "check digit" in R.from_id(man[:-1] + ("0" if man[-1] != "0" else "1"))
    header = ["姓名", "身份证号", "入职日期", "所属区"]
    rows = [["a", man, "2010-01-01", "xuanwu"], ["b", woman, "2012-05-01", "jiangning"]]
    r = loads(tmp_path, rows, header).roster
    assert r.birth.tolist() == [R.date_instant(dt.date(1980, 3, 14)), R.date_instant(dt.date(1985, 11, 2))]
    assert r.female.tolist() == [False, True]
    rows[1][1] = woman[:-1] + ("0" if woman[-1] != "0" else "1")
    with pytest.raises(ScenarioError, match="roster.csv:3, field 'id_number': its check digit"):
        loads(tmp_path, rows, header)


def test_other_file_kinds_and_sheets(tmp_path):
    (tmp_path / "r.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    p = tmp_path / "x.toml"
    p.write_text(SCENARIO.format(roster="r.xls"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="a .xls file cannot be read; save it as .xlsx"):
        model.load(p)
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.title = "填表说明"
    wb.active.append(["出生日期请按年-月-日填写"])
    ws = wb.create_sheet("花名册")
    ws.append(HEADER)
    for r in people(5, 2025):
        ws.append(r)
    wb.save(tmp_path / "two.xlsx")
    p.write_text(SCENARIO.format(roster="two.xlsx"), encoding="utf-8")
    assert len(model.load(p).roster) == 5


def test_a_derived_scenario_checks_the_roster_again(tmp_path):
    rows = people(5, 2025) + [one("1980-01-01", hired="2024-07-01")]
    sc = loads(tmp_path, rows)
    with pytest.raises(ScenarioError, match="field 'hire_date': 20..-07-01 is after 1 January 2020"):
        sc.with_overrides({"start_year": 2020, "years": 3})
    with pytest.raises(ScenarioError, match="retirement age"):
        loads(tmp_path, people(5, 2025) + [one("1966-01-01")]).with_overrides(
            {"retirement.rule": "fixed", "retirement.age_men": 55.0})
    with pytest.raises(ScenarioError, match="population.headcount"):
        sc.with_overrides({"population.headcount": 10})
    same = sc.with_overrides({"certification.pass_prob": 0.3})
    assert same.roster is sc.roster  # nothing the checks read changed: not read again
    assert not {"population.age", "population.tenure", "population.female_share"} & set(sc.defaulted())


def test_retirements_from_a_roster_follow_the_reform_to_the_day(tmp_path):
    """A closed roster with nothing but retirement under the 2025 reform: each year's
    retirements are the workers whose statutory day (the birth date + the reform's age,
    worked out here from FIGURES.md section 5's rule; a woman in a worker post born 31
    December 1977, + 51 years 6 months: 30 June 2029) falls in it, and their pay-years the time they served:
    deterministic, no Monte Carlo error."""
    rows, expected = [], []
    for i, (born, sex, cadre) in enumerate([
            ("1965-01-20", "男", ""), ("1965-05-01", "男", ""), ("1966-09-30", "男", ""),
            ("1965-02-28", "男", ""),
            ("1970-03-15", "女", "是"), ("1971-02-01", "女", "是"), ("1975-01-10", "女", "否"),
            ("1976-06-06", "女", "否"), ("1977-12-31", "女", "否"), ("1990-01-01", "男", "")]):
        b = dt.date.fromisoformat(born)
        months = b.year * 12 + b.month - 1
        if sex == "男":
            base, age, step, cap = 1965, 60, 4, 36
        elif cadre == "是":
            base, age, step, cap = 1970, 55, 4, 36
        else:
            base, age, step, cap = 1975, 50, 2, 60
        k = months - base * 12 + 1
        delay = min(max(-(-k // step), 0), cap)
        y, m = divmod(months + 12 * age + delay, 12)  # the day the age is reached (a shorter month's last)
        expected.append(R.date_instant(dt.date(y, m + 1, min(b.day, calendar.monthrange(y, m + 1)[1]))))
        rows.append([f"w{i}", born, sex, "2015-01-01", "本科", "无", "", cadre])
    header = HEADER[:7] + ["干部身份"]
    write(tmp_path / "roster.csv", rows, header)
    p = tmp_path / "closed.toml"
    p.write_text("""extends = "{bench}"
name = "roster-closed"
start_year = 2025
years = 6
[demand]
communities = 1
posts_per_community = 10
[population]
roster = "roster.csv"
[recruitment]
enabled = false
[quits]
enabled = false
[dismissal]
consecutive_unqualified = 0
certificate_deadline = 0
[retirement]
rule = "china2025"
""".format(bench=ROOT / "scenarios" / "bench.toml"), encoding="utf-8")
    sc = model.load(p)
    res = model.run(sc, reps=2, seed=1)
    retired, years = res.metric("exits_retired").to_numpy(), res.metric("worker_years").to_numpy()
    t = np.array(expected)
    for i, y in enumerate(range(2025, 2031)):
        due = (t >= y) & (t < y + 1)
        assert (retired[:, i] == due.sum()).all(), y
        served = np.clip(t, y, y + 1) - y
        assert np.allclose(years[:, i], served.sum(), rtol=0, atol=1e-9), y


def test_the_rosters_posts_are_held(tmp_path):
    """Heads (here: the masters) go one to each community's head post, committee members
    (the bachelors) to its two committee posts; xuanwu's two heads beyond its 25
    communities hold committee posts. Staff are the rest."""
    rng = np.random.default_rng(7)
    rows = []
    for district, heads, members, staff in (("xuanwu", 27, 50, 220), ("jiangning", 15, 30, 130)):
        for post, edu, n in (("书记", "硕士", heads), ("副主任", "本科", members), ("社工", "大专", staff)):
            for _ in range(n):
                by = int(rng.integers(1975, 2000))
                born = f"{by}-{int(rng.integers(1, 13)):02d}-10"
                rows.append(["x", born, "男", f"{by + 22}-09-01", edu, "无", "", district, post])
    sc = loads(tmp_path, rows, HEADER + ["岗位"])
    pop = starting_workforce(sc)
    head, member = pop.education == 3, pop.education == 2
    assert (pop.post[pop.post == 2].size, pop.post[pop.post == 1].size) == (40, 80)
    assert (pop.post[head] == 2).sum() == 40 and (pop.post[head] == 1).sum() == 2  # two beyond the head posts
    assert (pop.post[member] == 1).sum() == 78 and (pop.post[member] == 0).sum() == 2  # their posts taken
    assert np.array_equal(np.sort(pop.community[head & (pop.post == 2)]), np.arange(40))  # one in each
    assert (pop.post[pop.education == 1] == 0).all()
    # spellings of posts
    for value, want in (("党组织书记", 2), ("居委会主任", 2), ("副书记", 1), ("两委委员", 1), ("专职社工", 0),
                        ("网格员", 0), ("head", 2), ("1", 1), ("主任助理", 0), ("书记兼主任", 2),
                        ("居民委员会主任", 2), ("党总支委员会书记", 2), ("副书记兼主任", 2),
                        ("党委副书记、居委会主任", 2), ("妇女主任", 1), ("治保主任", 1), ("居委会委员", 1),
                        ("社工（两委委员）", 1), ("党群服务中心主任", 0), ("副站长", 0), ("社区工作者", 0),
                        ("党建指导员", 0), ("书记助理", 0)):
        assert R._post(value) == want, value
    assert R._post("志愿者") is None and R._post("第一书记") is None


def test_leaders_beyond_the_scenarios_leader_posts_are_noted(tmp_path):
    """A roster's heads and committee members beyond the scenario's leader posts hold the
    next posts down, and validate and run say how many (audit of 2026-12-07: a city that
    left heads_per_community and committee_per_community at 0 saw its leaders run as staff
    without a word). Xuanwu: 27 heads for 25 head posts, 27 + 50 leaders for 75 leader
    posts; jiangning fits. With no leader posts at all, every leader is staff."""
    from model.semantics import advisories
    rows = []
    for district, heads, members, staff in (("xuanwu", 27, 50, 20), ("jiangning", 15, 30, 10)):
        for post, n in (("书记", heads), ("副主任", members), ("社工", staff)):
            rows += [["x", "1985-03-10", "男", "2010-09-01", "本科", "无", "", district, post]] * n
    sc = loads(tmp_path, rows, HEADER + ["岗位"])
    (said,) = [n for n in advisories(sc) if "roster's" in n and "heads" in n]
    assert said.startswith("2 of the roster's 42 heads hold lower posts; 2 of its 122 heads and committee "
                           "members hold staff posts"), said
    pop = starting_workforce(sc)
    assert (pop.post == 2).sum() == 40 and (pop.post == 1).sum() == 80  # as the note says: 122 - 120 staff
    bare = sc.with_overrides({"population.heads_per_community": 0, "population.committee_per_community": 0})
    (said,) = [n for n in advisories(bare) if "roster's" in n and "heads" in n]
    assert said.startswith("42 of the roster's 42 heads hold lower posts; 122 of its 122 heads"), said
    fits = sc.with_overrides({"population.heads_per_community": 2, "population.committee_per_community": 2})
    assert not [n for n in advisories(fits) if "roster's" in n and "heads" in n]
    # communities that split before the workers are placed: their number is not known
    # here, so only leaders with no such posts at all are counted (a review found the note
    # counting 5 of 45 heads short where the splits made room for all)
    split = sc.with_overrides({"demand.split_above": 1.0, "demand.urban_residents": 1e6})
    assert not [n for n in advisories(split) if "roster's" in n and "heads" in n]
    bare_split = bare.with_overrides({"demand.split_above": 1.0, "demand.urban_residents": 1e6})
    assert [n for n in advisories(bare_split) if n.startswith("42 of the roster's 42 heads")]
    with pytest.warns(UserWarning, match="42 of the roster's 42 heads hold lower posts"):  # from Python too
        model.run(bare, reps=1, seed=1, workers=1)


@pytest.mark.parametrize("h, m", [(1, 2), (2, 1), (2, 0), (0, 2), (1, 0)])
def test_dealing_leaders_one_community_at_a_time(h, m):
    """``deal`` directly: the roster's leaders fill each class of leader rows one
    community at a time, and every worker gets one row."""
    rng = np.random.default_rng(h * 10 + m)
    per_c = rng.integers(0, 6, 30)
    n = int(per_c.sum())
    post = rng.choice([0, 0, 0, 1, 2], n).astype(np.int8)
    row_community = np.repeat(np.arange(30), per_c)
    who = R.deal(row_community, np.zeros(30, np.int64), None, rng.permutation(n), post, (h, m))
    assert np.array_equal(np.sort(who), np.arange(n))
    cls = R.row_classes(row_community, (h, m))
    within = np.arange(n) - np.repeat(np.cumsum(per_c) - per_c, per_c)  # a row's place in its community
    for k in (2, 1):
        rows = np.flatnonzero(cls == k)
        # heads for head rows; for committee rows, every leader the head rows left over
        leaders = (post == 2).sum() if k == 2 else (post >= 1).sum() - (cls == 2).sum()
        taken = post[who[rows]] >= k
        assert taken.sum() == min(len(rows), max(leaders, 0))
        # one row of every community before a second of any
        assert within[rows[taken]].max(initial=0) <= within[rows[~taken]].min(initial=99)


def test_party_posts_go_by_tenure_among_those_in_staff_posts(tmp_path):
    rows = []
    rng = np.random.default_rng(3)
    for i in range(300):  # 60 heads for 40 communities, 200 committee members for 80 posts, 40 staff
        post = "书记" if i < 60 else "委员" if i < 260 else "社工"
        by = int(rng.integers(1975, 2000))
        rows.append(["x", f"{by}-05-10", "男", f"{by + 22}-09-01", "本科", "无", "",
                     "xuanwu" if i % 8 < 5 else "jiangning", post])
    sc = loads(tmp_path, rows, HEADER + ["职务"], **{"demand.min_party_posts": 2})
    pop = starting_workforce(sc)
    assert (pop.post == 2).sum() == 40 and (pop.post == 1).sum() == 80
    staff = pop.post == 0
    # party posts go by tenure among those in staff posts, whatever the roster called them
    assert pop.party[staff].sum() == 80 and not pop.party[~staff].any()
    tenure = 2025 - pop.hire_year
    for c in range(40):
        mine = staff & (pop.community == c)
        assert tenure[mine & pop.party].min() >= tenure[mine & ~pop.party].max(initial=-1)


def test_id_numbers_stand_in_for_blank_cells_and_numbers_are_refused(tmp_path):
    def with_check(first17):
        total = sum(int(c) * w for c, w in zip(first17, R._ID_WEIGHTS))
        return first17 + "10X98765432"[total % 11]
    woman = with_check("32011519851102002")
    header = HEADER + ["身份证号"]
    rows = [r + [""] for r in people(3, 2025)] + [["w", "", "", "2012-05-01", "本科", "无", "", "xuanwu", woman]]
    r = loads(tmp_path, rows, header).roster
    assert r.birth[-1] == R.date_instant(dt.date(1985, 11, 2)) and r.female[-1]
    rows[-1][-1] = ""
    with pytest.raises(ScenarioError, match="roster.csv:5, field 'birth_date': blank; every worker"):
        loads(tmp_path, rows, header)
    assert "stored as a number" in R.from_id("3.2011519851102e+17")


def test_a_missing_column_is_blamed_on_the_likeliest_header_row(tmp_path):
    rows = people(3, 2025)
    p = tmp_path / "nosex.csv"
    with open(p, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["玄武区社区工作者花名册"])
        w.writerow([h for h in HEADER if h != "性别"])
        w.writerows([r[:2] + r[3:] for r in rows])
    t = tmp_path / "t.toml"
    t.write_text(SCENARIO.format(roster="nosex.csv"), encoding="utf-8")
    with pytest.raises(ScenarioError, match="nosex.csv:2, field 'sex': no sex column.*'出生日期'"):
        model.load(t)


def test_the_mixes_a_roster_replaces_are_not_checked(tmp_path):
    # population.age below min_hire_age is refused for drawn workers, not where a roster replaces the mix
    with pytest.raises(ScenarioError, match="min_hire_age"):
        model.load("bench", overrides={"population.age": [[16, 55, 1.0]], "population.min_hire_age": 18})
    assert loads(tmp_path, people(3, 2025), **{"population.age": [[16, 55, 1.0]]}).roster is not None
    # nor ages all past the retirement age (refused for drawn workers)
    with pytest.raises(ScenarioError, match="so all would retire at once"):
        model.load("bench", overrides={"population.age": [[70, 75, 1.0]]})
    assert loads(tmp_path, people(3, 2025), **{"population.age": [[70, 75, 1.0]]}).roster is not None


@pytest.mark.parametrize("text, grade", [
    ("5", 5), ("5级", 5), ("第5级", 5), (" 第 5 级 ", 5), ("五级", 5), ("十级", 10), ("十二级", 12),
    ("十八", 18), ("5档", 5), ("grade 7", 7), ("5级（2024年调整）", 5), ("18", 18), ("５级", 5), ("5.0", 5),
    ("0", None), ("19", None), ("二十级", None), ("一十二", 12), ("5.5", None), ("三岗五级", None), ("", None)])
def test_grade_cells(text, grade):
    assert R._grade(text) == grade


LADDER = "[grades]\nstep_years = 3\nmax_grade = [12, 15, 18]\nmin_grade = [1, 4, 7]\n"


def test_the_rosters_grades_are_held_within_the_posts_range(tmp_path):
    """A grade column sets each starting worker's grade, held within the range of the post
    the model gives them (without a post column: by tenure): at most the post's
    ``max_grade``, at least its ``min_grade`` (as an election does); the time in grade is
    the whole years from the first 1 January in post less whole steps, as for a drawn
    worker."""
    rows = people(480, 2025)
    grades = [1 + dt.date.fromisoformat(r[1]).toordinal() % 12 for r in rows]  # a function of the birth date
    graded = [r + [f"{g}级"] for r, g in zip(rows, grades)]
    sc = model.load(scenario(tmp_path, graded, LADDER, header=HEADER + ["岗位等级"]))
    assert sc.roster.grade.tolist() == grades and "grades 1-12" in sc.roster.summary(2025)
    pop = starting_workforce(sc)
    born = {round(R.date_instant(dt.date.fromisoformat(r[1])), 9): g for r, g in zip(rows, grades)}
    given = np.array([born[round(b, 9)] for b in pop.birth])
    lo, hi = np.array([1, 4, 7])[pop.post], np.array([12, 15, 18])[pop.post]
    assert pop.grade.tolist() == np.clip(given, lo, hi).tolist()
    assert (pop.grade > given).any() and len(set(pop.grade.tolist())) == 12
    whole = 2025 - np.ceil(pop.hire_time).astype(int)  # whole years from the first 1 January in post
    assert (whole < 2025 - pop.hire_year).any()  # some hired within their year
    assert pop.grade_since.tolist() == (2025 - whole % 3).tolist()
    with pytest.warns(UserWarning, match="480 workers' grades are above the highest of a staff post"):
        sc = model.load(scenario(tmp_path, [r + ["十六级"] for r in rows], LADDER, header=HEADER + ["岗位等级"]))
    pop = starting_workforce(sc)
    assert Counter(zip(pop.post.tolist(), pop.grade.tolist())) == {(2, 16): 40, (1, 15): 80, (0, 12): 360}


def test_a_blank_grade_column_derives_the_grades_as_without_one(tmp_path):
    rows = people(480, 2025)
    derived = starting_workforce(model.load(scenario(tmp_path, rows, LADDER)))
    blank = starting_workforce(model.load(scenario(tmp_path, [r + [""] for r in rows], LADDER,
                                                   header=HEADER + ["岗位等级"])))
    blank_column = scenario(tmp_path, [r + [""] for r in rows], header=HEADER + ["岗位等级"])
    assert model.load(blank_column).roster.grade is None
    for name in ("grade", "grade_since", "post", "birth", "community"):
        assert getattr(blank, name).tolist() == getattr(derived, name).tolist(), name


def test_a_roster_head_keeps_a_grade_below_the_head_posts_lowest(tmp_path):
    """With a post column, a head in the roster keeps a grade below the head posts' lowest
    (the roster says so); a committee member the model makes a head (too few heads in the
    roster) is raised to it, as by an election."""
    rows = people(480, 2025)
    posts = ["书记"] * 20 + ["副主任"] * 100 + ["社工"] * 360  # 40 communities: 20 head posts left to fill
    sc = model.load(scenario(tmp_path, [r + [p, "5级"] for r, p in zip(rows, posts)], LADDER,
                             header=HEADER + ["职务", "岗位等级"]))
    pop = starting_workforce(sc)
    held = Counter(zip(pop.post.tolist(), pop.grade.tolist()))
    assert held == {(2, 5): 20, (2, 7): 20, (1, 5): 80, (0, 5): 360}


def test_a_grade_above_the_ladder_or_unreadable_is_refused_with_its_row(tmp_path):
    rows = [r + ["5级"] for r in people(6, 2025)]
    header = HEADER + ["岗位等级"]
    rows[3][-1] = "11级"
    with pytest.raises(ScenarioError, match=r"roster.csv:5, field 'grade': '11级' is above the highest grade "
                                            r"of any post in the scenario's ladder \(10; grades.max_grade = "
                                            r"\[8, 9, 10\]\)"):
        model.load(scenario(tmp_path, rows, "[grades]\nmax_grade = [8, 9, 10]\n", header=header))
    sc = model.load(scenario(tmp_path, rows, header=header))  # the default ladder: up to 18
    assert len(sc.roster) == 6 and sc.with_overrides({"years": 2}).roster is sc.roster  # no check changed
    assert len(sc.with_overrides({"grades.max_grade": [12, 15, 16]}).roster) == 6  # read and checked again
    (tmp_path / "plain").mkdir()
    ungraded = model.load(scenario(tmp_path / "plain", people(6, 2025)))
    assert ungraded.with_overrides({"grades.max_grade": [8, 9, 10]}).roster is ungraded.roster  # no grades
    with pytest.raises(ScenarioError, match="roster.csv:5, field 'grade': '11级' is above"):  # checked again
        sc.with_overrides({"grades.max_grade": [8, 9, 10]})
    with_posts = [r + ["社工"] for r in rows]
    with pytest.raises(ScenarioError, match=r"roster.csv:5, field 'grade': '11级' is above the highest grade "
                                            r"of a staff post in the scenario's ladder \(10;"):
        model.load(scenario(tmp_path, with_posts, "[grades]\nmax_grade = [10, 15, 18]\n",
                            header=header + ["职务"]))
    for bad, words in (("三岗五级", "expected a pay grade from 1 to 18 .* in column '岗位等级'"),
                       ("", "blank in column '岗位等级'; give the grade")):
        rows[3][-1] = bad
        with pytest.raises(ScenarioError, match=f"roster.csv:5, field 'grade': {words}"):
            model.load(scenario(tmp_path, rows, header=header))


def with_check(first17: str) -> str:
    """An 18-digit ID number with its check digit (GB 11643)."""
    total = sum(int(c) * w for c, w in zip(first17, R._ID_WEIGHTS))
    return first17 + "10X98765432"[total % 11]


def test_a_workbook_with_a_sheet_per_district_is_read_whole(tmp_path):
    """Every sheet with a header is read (here one per district, columns in another order
    on the second); messages name the sheet; a sheet with other columns is refused."""
    import openpyxl
    rows = people(12, 2025)
    wb = openpyxl.Workbook()
    wb.active.title = "填表说明"
    wb.active.append(["出生日期请按年-月-日填写"])
    east = wb.create_sheet("玄武区")
    east.append(["玄武区社区工作者花名册"])
    east.append(HEADER)
    for r in rows[:7]:
        east.append(r)
    west = wb.create_sheet("江宁区")
    order = [3, 0, 2, 1, 7, 6, 5, 4]
    west.append([HEADER[j] for j in order])
    for r in rows[7:]:
        west.append([r[j] for j in order])
    wb.save(tmp_path / "two.xlsx")
    p = tmp_path / "x.toml"
    p.write_text(SCENARIO.format(roster="two.xlsx"), encoding="utf-8")
    r = model.load(p).roster
    assert len(r) == 12 and r.sheets == (("玄武区", 7), ("江宁区", 5))
    assert r.summary(2025).startswith("12 workers (sheets 玄武区 7, 江宁区 5)")
    assert r.hire_year.tolist() == [int(x[3][:4]) for x in rows]
    west.cell(3, 3, "?")  # the second worker of 江宁区: its sex (the third column there)
    wb.save(tmp_path / "two.xlsx")
    with pytest.raises(ScenarioError, match=r"two.xlsx \(sheet 江宁区\):3, field 'sex'"):
        model.load(p)
    west.delete_cols(6)  # no certificate_year there
    wb.save(tmp_path / "two.xlsx")
    with pytest.raises(ScenarioError, match=r"two.xlsx \(sheet 江宁区\):1: the sheet's columns differ from "
                                            r"sheet 玄武区's: no certificate_year"):
        model.load(p)


def test_roster_mistakes_a_workbook_hides_are_refused(tmp_path):
    """An ID number kept as a number (Excel keeps 15 digits), a date typed as a number into a
    date cell (2015.10 kept as day 2015.1 after 1900: 1905-07-07), the same ID number
    twice, and an ID number that gives another birth date or sex than the row's columns."""
    import openpyxl
    rows = people(4, 2025)
    ids = [with_check("3201151985110200" + str(k)) for k in range(4)]  # women (17th digit even)
    ids = [with_check(x[:6] + r[1].replace("-", "") + x[14:17]) for x, r in zip(ids, rows)]
    for r, x in zip(rows, ids):
        r[2] = "女" if int(x[16]) % 2 == 0 else "男"
    header = HEADER + ["身份证号"]

    def book(cells):
        wb = openpyxl.Workbook()
        wb.active.append(header)
        for r, x in zip(rows, cells):
            wb.active.append(r + [x])
        wb.save(tmp_path / "r.xlsx")
        p = tmp_path / "x.toml"
        p.write_text(SCENARIO.format(roster="r.xlsx"), encoding="utf-8")
        return p
    assert len(model.load(book(ids)).roster) == 4
    as_number = ids[:2] + [int(ids[2][:15]) * 1000] + ids[3:]  # as Excel keeps 3201151985110200X: 15 digits
    with pytest.raises(ScenarioError, match="r.xlsx:4, field 'id_number': stored as a number.*format the "
                                            "column as text"):
        model.load(book(as_number))
    with pytest.raises(ScenarioError, match="r.xlsx:5, field 'id_number': .* is also the ID number on "
                                            "line 2"):
        model.load(book(ids[:3] + ids[:1]))
    rows[1][2] = "男" if rows[1][2] == "女" else "女"
    with pytest.raises(ScenarioError, match="r.xlsx:3, field 'sex': (fe)?male disagrees with the ID number"):
        model.load(book(ids))
    rows[1][2] = "男" if rows[1][2] == "女" else "女"
    born = rows[1][1]
    rows[1][1] = str(int(born[:4]) - 10) + born[4:]
    with pytest.raises(ScenarioError, match="r.xlsx:3, field 'birth_date': .* disagrees with the ID number"):
        model.load(book(ids))
    rows[1][1] = born
    rows[2][3] = dt.datetime(1905, 7, 7)  # 2015.10 typed into a date cell
    with pytest.raises(ScenarioError, match="r.xlsx:4, field 'hire_date': 1905-07-07 is before 1920"):
        model.load(book(ids))
    masked = [x[:4] + "*" * 10 + x[14:] for x in ids]  # masked ID numbers beside full columns: not read
    rows[2][3] = "2015-10-01"
    assert len(model.load(book(masked)).roster) == 4


@pytest.mark.parametrize("cell, want", [("高新区", 2), ("高新", 2), ("江宁", 1), ("江宁区", 1), ("xuanwu", 0)])
def test_district_names_with_and_without_their_suffix(tmp_path, cell, want):
    text = SCENARIO.format(roster="roster.csv") + ('[[districts]]\nname = "gaoxin"\nlabel_zh = "高新区"\n'
                                                    'communities = 5\nurban = true\n')
    text = text.replace("communities = 40", "communities = 45")
    rows = people(3, 2025)
    rows[0][7] = cell
    assert loads(tmp_path, rows, text=text).roster.district[0] == want


def test_an_education_still_being_studied_is_refused(tmp_path):
    rows = people(3, 2025)
    rows[1][4] = "研究生在读"
    with pytest.raises(ScenarioError, match="roster.csv:3, field 'education': expected one of"):
        loads(tmp_path, rows)


def test_a_roster_given_by_set_is_found_from_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    over = {"population.roster": "r.csv", "population.headcount": 0}
    with pytest.raises(ScenarioError, match="is not a file; expected a CSV or .xlsx roster, as a path "
                                            "relative to the current folder"):
        model.load(ROOT / "scenarios" / "hohhot-2023.toml", over)
    write(tmp_path / "r.csv", [r[:7] for r in people(4, 2023)], HEADER[:7])
    assert len(model.load(ROOT / "scenarios" / "hohhot-2023.toml", over).roster) == 4


def test_the_mixes_a_roster_replaces_are_not_listed_as_assumptions(tmp_path):
    """Hohhot marks its starting age and certificate mixes as assumptions; with a roster of
    ages and certificates those are not run, so the report does not list them."""
    base = model.load("hohhot-2023")
    marked = {a["field"] for a in base.assumptions}
    assert {"population.age", "population.certificate"} <= marked
    write(tmp_path / "r.csv", [r[:7] for r in people(4, 2023)], HEADER[:7])
    text = (f'extends = "{ROOT / "scenarios" / "hohhot-2023.toml"}"\n'
            '[population]\nroster = "r.csv"\nheadcount = 0\n')
    (tmp_path / "h.toml").write_text(text, encoding="utf-8")
    with_roster = {a["field"] for a in model.load(tmp_path / "h.toml").assumptions}
    assert not {"population.age", "population.tenure", "population.certificate", "population.education"} \
        & with_roster
    assert marked - with_roster <= {"population.age", "population.tenure", "population.certificate",
                                    "population.education", "population.female_share", "population.headcount",
                                    "population.min_hire_age", "population.cadre_share"}


def test_a_birth_month_beside_an_id_number_takes_the_id_numbers_day(tmp_path):
    """出生年月 (a month) beside 身份证号: checked to the month, the day from the ID number."""
    rows = people(3, 2025)
    ids = [with_check(f"320102{r[1].replace('-', '')}{100 + k}") for k, r in enumerate(rows)]
    for r, x in zip(rows, ids):
        r[2] = "女" if int(x[16]) % 2 == 0 else "男"
    header = ["姓名", "出生年月", "性别", "入职日期", "学历", "证书等级", "取证年份", "所属区", "身份证号"]
    months = [r[:1] + [r[1][:4] + "." + r[1][5:7]] + r[2:] + [x] for r, x in zip(rows, ids)]
    r = loads(tmp_path, months, header).roster
    assert r.birth.tolist() == [R.date_instant(dt.date.fromisoformat(x[1])) for x in rows]
    months[1][1] = str(int(months[1][1][:4]) - 1) + months[1][1][4:]  # another year: refused
    with pytest.raises(ScenarioError, match="roster.csv:3, field 'birth_date': .* disagrees with the "
                                            "ID number"):
        loads(tmp_path, months, header)


def test_sheets_that_would_lose_or_double_workers_are_refused(tmp_path):
    """A sheet of workers under a header the reader does not know (参加工作 for the hire date)
    is refused, not passed over; so is a sheet whose workers are all on other sheets (汇总)."""
    import openpyxl
    rows = people(6, 2025)
    p = tmp_path / "x.toml"
    p.write_text(SCENARIO.format(roster="b.xlsx"), encoding="utf-8")

    def book(sheets):
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for name, head, body in sheets:
            ws = wb.create_sheet(name)
            ws.append(head)
            for r in body:
                ws.append(r)
        wb.save(tmp_path / "b.xlsx")
    odd = HEADER[:3] + ["参加工作"] + HEADER[4:]
    book([("玄武区", HEADER, rows[:3]), ("江宁区", odd, rows[3:])])
    with pytest.raises(ScenarioError, match=r"b.xlsx \(sheet 江宁区\):1, field 'hire_date': no hire_date "
                                            r"column"):
        model.load(p)
    for order in ((0, 1, 2), (1, 2, 0)):  # the summary first or last: the message names it (it named 玄武区)
        sheets = [("汇总", HEADER, rows), ("玄武区", HEADER, rows[:3]), ("江宁区", HEADER, rows[3:])]
        book([sheets[k] for k in order])
        with pytest.raises(ScenarioError, match=r"sheet 汇总\):1: every worker of sheet 汇总 is on another"):
            model.load(p)
    # a notes sheet copying the header above an example row is passed over (its example was a worker)
    book([("填表说明", HEADER, [one("1980-01-01")]), ("玄武区", HEADER, rows[:3]), ("江宁区", HEADER, rows[3:])])
    assert model.load(p).roster.sheets == (("玄武区", 3), ("江宁区", 3))
    # a sheet so named but holding more than an example is workers, not lost (a review)
    book([("玄武区", HEADER, rows[:3]), ("江宁区（说明见备注）", HEADER, rows[3:]), ("Example", HEADER, [])])
    assert model.load(p).roster.sheets == (("玄武区", 3), ("江宁区（说明见备注）", 3))
    book([("示例", HEADER, rows[:2])])  # nothing but an example: says why no worker is read
    with pytest.raises(ScenarioError, match=r"every sheet with rows is named as notes or an example \(示例\)"):
        model.load(p)
    book([("玄武区", HEADER + ["等级"], [r + ["5级"] for r in rows[:3]]),
          ("江宁区", HEADER + ["岗位等级"], [r + ["99级"] for r in rows[3:]])])
    with pytest.raises(ScenarioError, match=r"sheet 江宁区\):2, field 'grade': .* in column '岗位等级'"):
        model.load(p)  # the sheet's own header, not the first sheet's


def test_a_short_district_name_two_districts_share_is_refused(tmp_path):
    text = SCENARIO.format(roster="roster.csv").replace('label_zh = "江宁区"', 'label_zh = "江宁新区"')
    text += '[[districts]]\nname = "jn"\nlabel_zh = "江宁区"\ncommunities = 5\nurban = true\n'
    text = text.replace("communities = 40", "communities = 45")
    rows = people(3, 2025)
    rows[0][7] = "江宁区"
    assert loads(tmp_path, rows, text=text).roster.district[0] == 2  # the whole name: found
    rows[0][7] = "江宁"
    with pytest.raises(ScenarioError, match="roster.csv:2, field 'district': '江宁' may be 江宁新区 or 江宁区"):
        loads(tmp_path, rows, text=text)


def test_an_old_and_a_new_id_number_of_one_person_are_one_worker(tmp_path):
    new = with_check("11010519800314001")
    assert R._person(new) == R._person("110105800314001")
    header = ["姓名", "身份证号", "入职日期", "所属区"]
    rows = [["a", new, "2010-01-01", "xuanwu"], ["b", "110105800314001", "2012-05-01", "jiangning"]]
    with pytest.raises(ScenarioError, match="roster.csv:3, field 'id_number': .* is also the ID number on "
                                            "line 2"):
        loads(tmp_path, rows, header)


def test_a_rosters_hire_dates_within_their_year_count_as_hires_in_the_run_do(tmp_path):
    """Hired on 1 January, 1 July and 15 September 2023, uncertified, with a certificate
    deadline of 3 years (dismissal.py: at the first assessment 3 years after the hire),
    training every 2 years on 1 January (training.py: the first date after the hire) and a
    grade step every 3 whole years from the first 1 January in post (grades.py): the
    January hire is dismissed, trained and stepped up in 2025, the others in 2026 (nothing
    else moves anyone)."""
    write(tmp_path / "three.csv", [["1990-05-10", "男", "2023-01-01", "大专", "无"],
                                   ["1990-05-10", "男", "2023-07-01", "大专", "无"],
                                   ["1991-03-03", "女", "2023-09-15", "大专", "无"]],
          header=["出生日期", "性别", "入职日期", "学历", "证书等级"])
    (tmp_path / "three.toml").write_text(f"""
extends = "{(ROOT / 'scenarios' / 'bench.toml').as_posix()}"
name = "three"
years = 3
[demand]
communities = 1
posts_per_community = 3
[population]
roster = "three.csv"
headcount = 0
[recruitment]
enabled = false
[certification]
enabled = false
[assessment]
enabled = false
[quits]
enabled = false
[retirement]
enabled = false
[dismissal]
certificate_deadline = 3
""", encoding="utf-8")
    sc = model.load(tmp_path / "three.toml")
    res = model.run(sc, reps=1, seed=1, workers=1)
    assert res.metric("exits_dismissed_cert").iloc[0].tolist() == [1, 2, 0]
    assert res.metric("trained").iloc[0].tolist() == [1, 2, 0]
    graded = model.load(tmp_path / "three.toml", {"dismissal.enabled": False, "grades.enabled": True,
                                                 "grades.step_years": 3, "grades.step_prob": 1.0,
                                                 "grades.min_rating": 3})
    assert model.run(graded, reps=1, seed=1, workers=1).metric("grade_steps").iloc[0].tolist() == [1, 2, 0]


@pytest.mark.parametrize("step_years", [2.0, 2.5])
def test_starting_grades_are_those_a_run_from_the_hire_gives(step_years):
    """A staff cohort hired on 1 January 2020 and simulated from then has on 1 January 2025
    the grades and grade clocks of the same cohort started in 2025 with 5 years of service,
    for a fractional step_years too (a step every 3 whole years for 2.5)."""
    quiet = {"recruitment.enabled": False, "certification.enabled": False, "assessment.enabled": False,
             "dismissal.enabled": False, "quits.enabled": False, "retirement.enabled": False,
             "training.enabled": False, "demand.communities": 20, "population.certificate": [1, 0, 0, 0],
             "grades.enabled": True, "grades.step_years": step_years, "grades.step_prob": 1.0,
             "grades.min_rating": 3, "grades.max_grade": [18, 18, 18]}
    early = model.load("bench", {**quiet, "start_year": 2020, "years": 9,
                                 "population.tenure": [[0, 0, 1.0]]})
    late = model.load("bench", {**quiet, "start_year": 2025, "years": 4, "population.tenure": [[5, 5, 1.0]]})
    grade = [model.run(s, reps=1, seed=1, workers=1).metric("mean_grade").iloc[0] for s in (early, late)]
    assert grade[0].loc[2025:].tolist() == grade[1].tolist()
    # entry grade 1, a step at the end of every 2nd (2021, 2023...) or 3rd (2022, 2025...) year
    assert grade[1].tolist() == ([4, 4, 5, 5] if step_years == 2.0 else [3, 3, 3, 4])


def sheet_book(path: Path, sheets, header=HEADER[:-1]):
    """A workbook of ``sheets`` ((name, rows) each, under ``header``; rows of ``people``
    lose their district) after a sheet of notes (填表说明) without a header."""
    import openpyxl
    wb = openpyxl.Workbook()
    wb.active.title = "填表说明"
    wb.active.append(["每个区一个工作表"])
    for name, body in sheets:
        ws = wb.create_sheet(name)
        ws.append(header)
        for r in body:
            ws.append(r[:len(header)])
    wb.save(path)
    return path


def test_a_workbook_without_a_district_column_takes_the_district_from_its_sheets(tmp_path):
    """Sheets of workers named after the scenario's districts (spaces around the name, a 区
    left out) put their workers in those districts, and the summary says where the
    district came from; sheets named after no district leave the workers city-wide, as
    before; some sheets named after districts and others not are refused."""
    rows = people(12, 2025)
    p = tmp_path / "x.toml"
    p.write_text(SCENARIO.format(roster="d.xlsx"), encoding="utf-8")
    sheet_book(tmp_path / "d.xlsx", [(" 玄武 ", rows[:7]), ("江宁区", rows[7:])])
    sc = model.load(p)
    r = sc.roster
    assert r.district.tolist() == [0] * 7 + [1] * 5 and r.district_by_sheet
    assert "by district (from the sheet names) xuanwu 7, jiangning 5" in r.summary(2025, sc.districts)
    assert r.describe()["district"] == "the sheet names"  # the same file read another way: another hash
    pop = starting_workforce(sc)
    c_district = np.repeat([0, 1], [25, 15])
    for d, body in ((0, rows[:7]), (1, rows[7:])):
        want = sorted(round(R.date_instant(dt.date.fromisoformat(x[1])), 9) for x in body)
        assert sorted(np.round(pop.birth[c_district[pop.community] == d], 9).tolist()) == want
    sheet_book(tmp_path / "d.xlsx", [("江宁区", rows)])  # one sheet, named after a district: all of it
    assert model.load(p).roster.district.tolist() == [1] * 12
    sheet_book(tmp_path / "d.xlsx", [("Sheet1", rows[:7]), ("Sheet2", rows[7:])])  # no district named
    r = model.load(p).roster
    assert r.district is None and not r.district_by_sheet and "district" not in r.describe()
    sheet_book(tmp_path / "d.xlsx", [("玄武区", rows[:4]), ("江宁区", rows[4:8]), ("浦口区", rows[8:]),
                                     ("空表", [])])  # a sheet without workers is not asked to match
    with pytest.raises(ScenarioError, match=r"d.xlsx, field 'district': sheet 浦口区 is not named after a "
                                            r"district of the scenario, but 玄武区, 江宁区 are: .*one of "
                                            r"玄武区 \(xuanwu\), 江宁区 \(jiangning\)"):
        model.load(p)
    sheet_book(tmp_path / "d.xlsx", [("玄武区", rows[:7]), ("浦口区", rows[7:])], header=HEADER)
    assert model.load(p).roster.district.tolist() == [0 if x[7] == "xuanwu" else 1 for x in rows]  # column


@pytest.mark.parametrize("text, want", [
    ("玄武区", 0), ("玄武", 0), (" 玄武区\u3000", 0), ("XUANWU", 0), ("溧水", 1), ("溧水县", 1), ("江北区", 2), ("江北", 3),
    ("江北县", 3), ("玄", None), ("高淳区", 4), ("高淳", -1), ("鼓楼", None), ("", None)])
def test_how_a_roster_names_a_district(text, want):
    """A district column's cell or a sheet's name names a district by its name or label, or
    by either without its 区 / 县 / 市; the whole name first (江北区 beside 江北); the short
    name of two districts (高淳 for 高淳区 and 高淳县) is -1, neither."""
    from types import SimpleNamespace as D
    districts = [D(name="xuanwu", label_zh="玄武区"), D(name="lishui", label_zh="溧水县"),
                 D(name="jiangbei", label_zh="江北区"), D(name="jb", label_zh="江北"),
                 D(name="gaochun", label_zh="高淳区"), D(name="gc", label_zh="高淳县")]
    assert R.district_finder(districts)(text) == want


def test_a_date_cell_that_lost_its_date_format_is_named_an_excel_day_number(tmp_path):
    """35467 in a date cell without its date format is 1997-02-06 (days after 1899-12-30):
    refused, saying which date it would be; a number that is no date of a worker keeps the
    plain message."""
    import openpyxl
    p = tmp_path / "x.toml"
    p.write_text(SCENARIO.format(roster="n.xlsx"), encoding="utf-8")

    def book(row, col, value, cert="社会工作师"):
        rows = people(3, 2025)
        rows[row][5] = cert  # a certificate, for a certificate year
        rows[row][col] = value
        wb = openpyxl.Workbook()
        wb.active.append(HEADER)
        for r in rows:
            wb.active.append(r)
        wb.save(tmp_path / "n.xlsx")
        return p
    with pytest.raises(ScenarioError, match=r"n.xlsx:3, field 'birth_date': expected a date, got '35467': "
                                            r"35467 is 1997-02-06 as an Excel day number .*format the column "
                                            r"as dates"):
        model.load(book(1, 1, 35467))
    with pytest.raises(ScenarioError, match=r"n.xlsx:4, field 'hire_date': .*45000.5 is 2023-03-15 as an "
                                            "Excel day number"):
        model.load(book(2, 3, 45000.5))  # a date and time of day
    with pytest.raises(ScenarioError, match=r"field 'certificate_year': .*43617 is 2019-06-01 as an Excel"):
        model.load(book(1, 6, 43617))
    for far in (123, 99999):  # 1900-05-02, 2173-10-14: no date of a worker in post
        with pytest.raises(ScenarioError, match=f"expected a date such as 1985-03-14 .*got '{far}'$"):
            model.load(book(1, 1, far))
    rows = people(3, 2025)
    rows[1][3] = "35467"  # a CSV file saved from such a column
    with pytest.raises(ScenarioError, match="roster.csv:3, field 'hire_date': .*35467 is 1997-02-06 as an"):
        loads(tmp_path, rows)


BOTH = "fields 'birth_date' and 'hire_date'"


@pytest.mark.parametrize("birth, hired, fields, words", [
    ("2026-03-01", "2010-01-01", "field 'birth_date'", "the birth date 2026-03-01 is after 1 January 2025"),
    ("2012-05-01", "2024-01-01", "field 'birth_date'", "the birth date 2012-05-01 makes the worker 12 on"),
    ("1990-01-01", "2026-01-01", "field 'hire_date'", "2026-01-01 is after 1 January 2025"),
    ("1990-01-01", "1985-01-01", BOTH, "the hire date 1985-01-01 is before the birth date 1990-01-01"),
    ("2000-01-01", "2014-01-01", BOTH, "2014-01-01 hires a worker born 2000-01-01 at 14, below the legal"),
])
def test_impossible_dates_are_blamed_on_the_field_at_fault(tmp_path, birth, hired, fields, words):
    """A birth date after the start, or too late for anyone to be working on its first day,
    is the birth date's fault whatever the hire date; a hire date after the start is the
    hire date's; a hire before birth or before 16 may be either's: both are named."""
    rows = people(3, 2025) + [one(birth, hired=hired)]
    with pytest.raises(ScenarioError, match=f"roster.csv:5[:,] {fields}: {words}"):
        loads(tmp_path, rows)


def test_a_birth_date_from_the_id_number_after_the_start_blames_the_id_number(tmp_path):
    """A birth date read from the ID number (its cell blank) is the ID number's fault."""
    header = HEADER + ["身份证号"]
    late = one("", hired="2010-01-01") + [with_check("32011520260301001")]  # born 1 March 2026
    with pytest.raises(ScenarioError, match="roster.csv:5, field 'id_number': the birth date 2026-03-01 is "
                                            "after"):
        loads(tmp_path, [r + [""] for r in people(3, 2025)] + [late], header)


def test_a_share_filled_that_a_base_file_sets_is_left_unread_beside_a_roster(tmp_path):
    """A file cannot unset what it inherits: a roster added under a base that sets
    population.filled_share loads (the share is not read); beside the roster in its own
    file, or by --set, the share is refused (two starting workforces)."""
    base = SCENARIO.replace('roster = "{roster}"\n', "filled_share = 0.9\n")
    (tmp_path / "base.toml").write_text(base, encoding="utf-8")
    write(tmp_path / "roster.csv", people(5, 2025))
    child = tmp_path / "child.toml"
    child.write_text('extends = "base.toml"\n[population]\nroster = "roster.csv"\n', encoding="utf-8")
    sc = model.load(child)
    assert len(sc.roster) == 5 and "population.filled_share" in model.semantics.unread_by_rules(sc)
    both = tmp_path / "both.toml"
    both.write_text('extends = "base.toml"\n[population]\nroster = "roster.csv"\nfilled_share = 0.8\n',
                    encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"both\.toml:\d+, field 'population\.filled_share'"):
        model.load(both)
    with pytest.raises(ScenarioError, match="population.filled_share.*set with population.roster"):
        model.load(child, overrides={"population.filled_share": 0.5})
    after = tmp_path / "after.toml"  # a share set after the roster, by a file extending it: two workforces
    after.write_text('extends = "child.toml"\n[population]\nfilled_share = 0.8\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"after\.toml:\d+, field 'population\.filled_share'"):
        model.load(after)
