"""A city's own roster (花名册) of the workers in post on 1 January of the start year.

``population.roster = "roster.csv"`` (or an ``.xlsx`` workbook; a path relative to the
scenario file that names it) starts the run from the city's actual workers instead of
workers drawn from the mixes of ``[population]``. One row per worker, under a header row
that names the columns in English or Chinese (case, spaces, a byte-order mark and a
bracketed note such as ``出生日期（年月日）`` ignored). Title rows above the header
(``XX区社区工作者花名册``) and blank rows are skipped, and messages give the line (row) in
the file where the worker's row starts. A CSV file may be UTF-8 or GB18030 (as Chinese
spreadsheets save it); in a workbook, every sheet whose first 10 non-blank rows hold a
header is read, one after another, with the same columns (a roster kept one sheet per
district; messages then name the sheet too; without a district column, sheets named after
the scenario's districts give their workers' district, see **district** below), and the
other sheets are passed over, as are sheets named as notes or examples (填表说明, 说明, 示例,
样例, 范例; readme, instructions, example) with at most two rows under a copy of the header
(an example row); a sheet that names some of the columns without a whole header, or whose
workers are all on other sheets (汇总: the message names the sheet with the most workers),
is refused. A birth date given as a month (出生年月) beside an ID number takes the ID
number's day. Columns:

================  ====================================  ========  ==========================================
column            Chinese headers accepted (some)       required  values
================  ====================================  ========  ==========================================
birth_date        出生日期, 出生年月, 出生年月日        yes [1]   a date: 1985-03-14, 1985/3/14, 1985.3.14,
                                                                  19850314, 1985年3月14日 (or 号), an Excel
                                                                  date, with or without a time of day; or a
                                                                  month (1985-03, 1985.03, 1985年3月), taken
                                                                  as its first day. 1985.1 is refused as
                                                                  ambiguous: a spreadsheet keeps 1985.10
                                                                  (October) as the number 1985.1
sex               性别                                  yes [1]   male / female, m / f, 男 / 女, 男性 / 女性,
                                                                  1 / 2 (GB/T 2261.1)
hire_date         入职日期, 入职时间, 入职年月, 聘用日期,  yes       a date (as above) on or before 1 January of
                  进入社区工作时间                                the start year
id_number         身份证号, 身份证号码, 公民身份号码    [1]       an 18-digit resident ID (or a 15-digit old
                                                                  one): birth date and sex where their
                                                                  columns are absent (the 18-digit check
                                                                  digit must agree)
education         学历, 文化程度, 最高学历              no        below_college, college, bachelor, master
                                                                  (or 0-3); in Chinese by the first of these
                                                                  words found, in this order: 博士 / 硕士 /
                                                                  研究生 -> master; 大专 / 专科 / 高职 ->
                                                                  college (so 大学专科 is college); 本科 /
                                                                  学士 / 大学 -> bachelor; 中专 / 高中 / 初中 / 小学 /
                                                                  职高 / 技校 -> below_college (全日制, 在职
                                                                  and bracketed notes are ignored: 本科（学士）;
                                                                  大专及以上 is college, 高中及以下, 高中以下
                                                                  and 大专以下 below_college, 本科以下 refused
                                                                  as ambiguous)
certificate       证书等级, 社工证, 职业资格            no        none, assistant, intermediate, senior (or
                                                                  0-3); 高级… -> senior; 助理… / 初级 ->
                                                                  assistant; 中级 / 社会工作师 / 社工师 ->
                                                                  intermediate; blank, 无, 无证, 未取得 (未取得
                                                                  中级 too) -> none; bracketed notes ignored
                                                                  (高级（未聘） is senior)
certificate_year  取证年份, 取证时间, 取证年月          no        the year the certificate was obtained
                                                                  (2019, 2019年), or a date in it (blank:
                                                                  not known)
cadre             干部身份                              no        for women: yes / no (是 / 否, 1 / 0, 干部 /
                                                                  工人): original retirement age 55
                                                                  (managerial post) rather than 50
district          所属区, 区, 所属区县, 区县            no        a district of the scenario: its ``name`` or
                                                                  ``label_zh``, with or without 区 / 县 / 市 /
                                                                  新区 (江宁 for 江宁区); without the column,
                                                                  from a workbook's sheet names (below)
post              职务, 岗位, 岗位类别 (职务 first)     no        staff, committee, head (or 0-2); 书记, 主任,
                                                                  正职, 书记兼主任, 居民委员会主任 -> head;
                                                                  副书记, 副主任, 委员, 两委, 妇女主任, 治保
                                                                  主任 -> committee; 社区工作者, 社工, 专职,
                                                                  网格员, 党建, 站长, 主任助理 -> staff;
                                                                  第一书记 refused (a cadre sent from outside)
grade             岗位等级, 等级, 薪酬等级              no        the pay grade, 1-18 (5, 5级, 第5级, 五级,
                                                                  十二级, 5档); held within the range of the
                                                                  post held (``grades.max_grade``, and
                                                                  ``min_grade`` for a post the model gives
                                                                  above the roster's)
================  ====================================  ========  ==========================================

[1] Birth date and sex come from their own columns, or, where a column is absent or a
worker's cell in it blank, from ``id_number``. Every header accepted is in :data:`COLUMNS`.
Where a roster has two post columns, 职务 (a title) is read, else the first.

An optional column that is blank throughout counts as left out. Other columns (names,
telephone numbers) are not read. ``community`` (社区) is not read either, and a warning
says so: the model's communities are its staffing rule's. ``.xls`` and ``.ods`` files are
refused: save them as ``.xlsx``.

What the roster sets, worker by worker:

- **birth**: the birth instant is ``year + (month - 1 + (day - 1) / days_in_month) / 12``,
  so that the birth month, which sets the statutory retirement month under the 2025
  reform (:mod:`model.policies.retirement_age`), is exact;
- **sex**, and for women **cadre** (else drawn with ``population.cadre_share``; a woman
  who would be past the retirement age of worker posts on the first day then holds a
  cadre post, since she is in post);
- **hire instant** (``hire_time``, as the birth's), from which the certificate deadline,
  the training cycle and the grade clock count as for a worker the model hires on that
  date: one hired in July 2023 is first trained at the 2024 training date and has whole
  years in grade from 1 January 2024; **tenure** on 1 January (quit bands, exam
  eligibility) is the start year less the hire date's year (``hire_year``), as it is for
  a worker hired in the run;
- **education** and **certificate** level (each column, where absent, drawn from the
  start year's ``population.education`` / ``population.certificate``, and a district's
  ``certified_share`` redraws levels only where the roster has no certificate column);
- **certificate_year** (``level_since``; blank or absent: the year before the start, or the
  start year for a worker with tenure 0, as for a drawn worker);
- **grade**: the pay grade held on 1 January, within the range of the post the worker
  holds: at most its ``grades.max_grade`` (a district with more heads than head posts puts
  the rest in committee posts), and, where the model gives a higher post than the roster's
  (or the roster has no post column), at least its ``grades.min_grade``, as an election
  does. The time in grade is not known: as for a drawn worker, it is the whole years of
  service from the first 1 January in post less the whole steps in them (a step every
  ``grades.step_years``, rounded up to whole years). Without the column, the grade follows
  from post, those years of service, education and certificate as for a drawn workforce
  (:meth:`model.engine.Replication._initial_workforce`);
- **post**: with the column, the roster's heads are dealt one to each community's head
  posts (``population.heads_per_community``; each community one before any a second),
  then its committee members to the committee posts, before the staff, and hold those
  posts. A district with more heads than head posts has the rest hold committee posts
  (while there are any, then staff posts); one with fewer heads has committee members
  (then staff) fill the head posts left, each community's by tenure. Party-building
  posts go to staff by tenure, as without a roster. Without the column, in each
  community the longest-serving hold the head posts, then the committee posts;
- **district**: a worker is placed in a community of their district. Without the column,
  in a workbook whose sheets of workers are each named after a district of the scenario
  (as in the column: 玄武 or 玄武区 for 玄武区), the district of the worker's sheet
  (``validate`` says so: "by district (from the sheet names)"); else in any community.
  Within a district (or the city), the roster's workers are dealt to communities in
  proportion to the posts the staffing rule gives on 1 January (largest remainder:
  :meth:`model.engine.Replication._roster_places`), in an order drawn from the stream
  ``roster`` (:func:`deal`). The roster's headcount is the city's; the posts are the
  staffing rule's, and vary between replications where community sizes do
  (``demand.households_spread``). So a district whose roster holds fewer workers than
  that replication's posts starts with vacancies (filled at the first recruitment), and
  one with more starts above its posts: a drawn workforce with
  ``population.headcount = 0`` fills every post exactly instead. (Nanjing, from rosters
  of its own drawn workforces: about 1.3% of posts empty and as many workers above posts
  at the start, and about 96 more hires in the first year; from the third year the
  forecasts agree.)

``population.headcount`` must be 0 (the roster's rows are the headcount), and the fields
``population.age``, ``tenure``, ``female_share`` and ``min_hire_age`` are not read; nor is
anyone re-aged or given another tenure. What is drawn for the roster's workers as for a
drawn workforce: ability, the order of ties in tenure, last year's assessment grade where a
rule reads it, and the columns the roster leaves out.

Checked on loading (one message naming the file, the row's line, the column and what was
expected; the scenario is refused, exit status 2): a missing required column, a blank or
unreadable value (a number such as 35467 in a date column is said to be an Excel day
number, 1997-02-06 here, of a date cell that lost its date format, and refused), a birth
date after 1 January of the start year or that makes the worker under 16 then (the birth
date's fault: the message names its column, or ``id_number`` where the birth date came
from it), a hire date after that day, a hire date before the birth date or a worker hired
before 16 (the Labour Law, art. 15, forbids employing anyone under 16: 劳动法 第十五条; either
date may be wrong, and the message names both), a worker already at or past the statutory
retirement instant on 1 January of the start year (they would not be in post), a
certificate year after the start year, before the worker was 16, or given for a worker
without a certificate, a birth or hire date before 1920 (a workbook's day number, as a
date typed as the number 2015.10 becomes), an ID number kept as a number (Excel keeps 15
digits of it), one given twice or one that gives another birth date or sex than the row's
own columns, an unknown district, a workbook without a district column whose sheets of
workers are some named after districts and some not (the message names the others and the
districts' names), and a grade above the highest of the worker's post in the roster
(without a post column, of every post: a warning says how many are above a staff post's
highest). The checks depend on the start year, the retirement rule, the districts and
(for a roster with grades) the highest grade of each post, so a scenario derived with
other values of them checks the roster again.
"""

from __future__ import annotations

import calendar
import collections
import datetime as _dt
import hashlib
import re
import unicodedata
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ScenarioError
from .population import age_on_1_january, post_of_rank
from .schema import EDUCATION, LEVELS, N_GRADES, POSTS

MIN_WORKING_AGE = 16
"""The youngest a worker may have been hired (劳动法 第十五条:
禁止用人单位招用未满十六周岁的未成年人)."""

OLDEST_YEAR = 1920
"""A birth or hire date before this year is refused as a mistake (a workbook's day
number, see :func:`read`): nobody born before it is in post in this century."""

HEADER_SEARCH = 10
"""The header is the first of the first this many non-blank rows that names the required
columns (a roster often opens with a title row such as ``XX区社区工作者花名册``)."""

COLUMNS = {
    "birth_date": ("出生日期", "出生年月", "出生年月日", "出生时间"),
    "sex": ("性别",),
    "hire_date": ("入职日期", "入职时间", "入职年月", "聘用日期", "聘用时间", "进入社区工作时间",
                  "参加社区工作时间"),
    "id_number": ("身份证号", "身份证号码", "公民身份号码", "身份证"),
    "education": ("学历", "文化程度", "最高学历"),
    "certificate": ("证书等级", "社工证", "职业资格", "社会工作者职业水平"),
    "certificate_year": ("取证年份", "取证时间", "取证年月"),
    "cadre": ("干部身份",),
    "district": ("所属区", "区", "所属区县", "区县"),
    "post": ("岗位", "职务", "岗位类别"),
    "grade": ("岗位等级", "等级", "薪酬等级"),
}
NOT_READ = {"community": ("社区", "所属社区")}

_SEX = {"male": False, "m": False, "男": False, "男性": False, "1": False,
        "female": True, "f": True, "女": True, "女性": True, "2": True}
_YES_NO = {"yes": True, "y": True, "true": True, "1": True, "是": True, "干部": True,
           "no": False, "n": False, "false": False, "0": False, "否": False, "工人": False}


def _by_name(names) -> dict[str, int]:
    """A category by its English name or its index (``"college"`` or ``"1"``)."""
    return {**{n: i for i, n in enumerate(names)}, **{str(i): i for i in range(len(names))}}


_BY_NAME_EDUCATION, _BY_NAME_LEVEL, _BY_NAME_POST = _by_name(EDUCATION), _by_name(LEVELS), _by_name(POSTS)
# Chinese words, highest level first (so 大学专科 is college and 硕士研究生 master)
_EDUCATION_WORDS = ((3, ("博士", "硕士", "研究生")), (1, ("大专", "专科", "高职")), (2, ("本科", "学士", "大学")),
                    (0, ("中专", "高中", "初中", "小学", "职高", "技校", "中技")))
_NONE = ("无", "未", "没有", "否")  # 无证, 未取得(中级): no certificate (where it leads, or names no level)
_LEVEL_WORDS = ((3, ("高级",)), (1, ("助理", "初级")), (2, ("中级", "社会工作师", "社工师")))

_DATE = re.compile(r"(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*[日号]?)?\s*月?)?")
_TIME = re.compile(r"(?:[T\s]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$")
_NOTE = re.compile(r"[（(][^（()）]*[)）]")


@dataclass(frozen=True)
class Roster:
    """The roster's workers as columns (one element per worker, in file order).

    ``education``, ``level`` (the certificate level), ``cadre``, ``district``, ``post`` and
    ``grade`` are None where the file has no such column; ``level_since`` holds -1 where
    the file leaves it blank (or has no column). ``past_worker_age``, without a cadre
    column (and with retirement on), marks the women who would be past the retirement age
    of worker posts on the first day: in post, they hold cadre posts (None otherwise).
    ``context`` is what the checks depended on (:func:`context`: start year, retirement
    rule, districts, and for a roster with grades the highest grade of each post).
    """

    path: str
    sha256: str
    birth: np.ndarray        # float64 birth instant (years)
    female: np.ndarray       # bool
    hire_time: np.ndarray    # float64 hire instant (years), as birth
    education: np.ndarray | None
    level: np.ndarray | None
    level_since: np.ndarray  # int32, -1: not given
    cadre: np.ndarray | None
    district: np.ndarray | None  # int64 index into the scenario's districts
    post: np.ndarray | None  # int8: 0 staff, 1 committee, 2 head
    context: tuple
    past_worker_age: np.ndarray | None = None  # bool
    grade: np.ndarray | None = None  # int8: 1..18
    sheets: tuple = ()  # a workbook's sheets of workers, (name, workers) each, where there are several
    district_by_sheet: bool = False  # ``district`` read from the names of a workbook's sheets, not a column

    def __len__(self) -> int:
        return len(self.birth)

    @property
    def hire_year(self) -> np.ndarray:
        """The year of each hire date (int32): the start year less it is the tenure."""
        return np.floor(self.hire_time).astype(np.int32)

    def describe(self) -> dict:
        """What the manifest records of the roster's content (its path is
        ``population.roster``): its SHA-256 and its workers, and where the districts came
        from the sheets' names, that."""
        out = {"sha256": self.sha256, "workers": len(self)}
        if self.district_by_sheet:  # the same file read another way: another run, another hash
            out["district"] = "the sheet names"
        return out

    def summary(self, start_year: int, districts=None) -> str:
        """One line on what the roster holds, as the model reads it (``validate`` prints it)."""
        age = age_on_1_january(self.birth, start_year)
        tenure = start_year - self.hire_year
        sheets = f" (sheets {', '.join(f'{name} {k:,}' for name, k in self.sheets)})" if self.sheets else ""
        parts = [f"{len(self):,} worker{'s' if len(self) != 1 else ''}{sheets}",
                 f"women {self.female.mean():.0%}",
                 f"age {int(age.min())}-{int(age.max())} (median {np.median(age):g})",
                 f"tenure {int(tenure.min())}-{int(tenure.max())} (median {np.median(tenure):g})"]
        parts.append(f"college or above {(self.education >= 1).mean():.0%}" if self.education is not None
                     else "education from the mix")
        parts.append(f"certified {(self.level >= 1).mean():.0%}" if self.level is not None
                     else "certificates from the mix")
        if self.post is not None:
            parts.append(f"heads {(self.post == 2).sum():,}, committee {(self.post == 1).sum():,}")
        g = self.grade
        parts.append(f"grades {int(g.min())}-{int(g.max())} (median {np.median(g):g})" if g is not None
                     else "grades from post, tenure, education and certificate")
        if self.district is not None and districts is not None:
            n = np.bincount(self.district, minlength=len(districts))
            whence = " (from the sheet names)" if self.district_by_sheet else ""
            parts.append(f"by district{whence} " + ", ".join(f"{d.name} {k:,}" for d, k in zip(districts, n)))
        return "; ".join(parts)


def context(start_year: int, districts, retirement, max_grade=None, graded: bool = True) -> tuple:
    """What the roster's checks depend on: a roster read under another context is read
    again. The grade ladder (``max_grade``, the highest grade of each post) matters only
    to a roster with grades (``graded``)."""
    ds = None if districts is None else tuple((d.name, d.label_zh) for d in districts)
    r = None if retirement is None or not retirement.enabled else (
        retirement.rule, float(retirement.age_men), float(retirement.age_women))
    return (int(start_year), ds, r, tuple(max_grade) if graded and max_grade is not None else None)


def _key(header) -> str:
    """A header as compared: lower case, without a bracketed note, spaces, '_' or '-'."""
    k = _NOTE.sub("", str(header).strip().lstrip("\ufeff").strip().lower())
    return re.sub(r"[\s_\-]+", "", k)


def _cell(x) -> str:
    """A workbook cell as text: dates as ISO dates, whole numbers without '.0', and
    numbers of 16 digits or more (an ID number kept as a number, which Excel holds to 15
    significant digits) in E notation, as Excel shows them, so that they are refused as
    such (:func:`from_id`)."""
    if x is None:
        return ""
    if isinstance(x, _dt.datetime):
        return x.date().isoformat()
    if isinstance(x, _dt.date):
        return x.isoformat()
    if isinstance(x, bool):
        return "1" if x else "0"
    if isinstance(x, (int, float)) and abs(x) >= 1e15:  # an ID number kept as a number (its last digits lost)
        return f"{float(x):.14E}"
    if isinstance(x, float):
        return str(int(x)) if x.is_integer() else repr(x)
    return str(x).strip()


NOTES_SHEET = re.compile(r"说明|示例|样例|范例|^\s*(readme|instructions?|examples?)\s*$", re.IGNORECASE)
"""A sheet's name that says it holds notes or an example, not workers (填表说明 with a
header and an example row 张三（示例）): passed over where it has at most
:data:`EXAMPLE_ROWS` rows under its header (more are workers, read as any sheet's)."""
EXAMPLE_ROWS = 2


def _sheets(data: bytes):
    """Each sheet of a workbook (its bytes): its name, and its non-blank rows with their
    row numbers."""
    import io

    import openpyxl
    with warnings.catch_warnings():  # openpyxl warns of cells it cannot read; the check below names them
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for ws in wb.worksheets:
                cells = enumerate(ws.iter_rows(values_only=True), 1)
                rows = [(i, [_cell(x) for x in row]) for i, row in cells]
                yield ws.title, [(i, r) for i, r in rows if any(r)]
        finally:
            wb.close()


def _csv_rows(data: bytes, path: Path) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a CSV file (its bytes), each with the line it starts on."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise ScenarioError("is neither UTF-8 nor GB18030 text; save the roster as CSV (UTF-8) or .xlsx",
                                file=str(path)) from None
    import csv
    import io
    reader = csv.reader(io.StringIO(text, newline=""))
    out, end = [], 0
    for row in reader:  # a quoted cell may span lines: the row starts after the last one ended
        start, end = end + 1, reader.line_num
        row = [c.strip() for c in row]
        if any(row):
            out.append((start, row))
    return out


def _tables(path: Path, data: bytes, names: dict,
            required) -> list[tuple[str | None, int, list[str], list[int], list[list[str]]]]:
    """The tables of workers in the file ``path`` whose bytes are ``data``: of a CSV file,
    one; of a workbook, one per sheet with a header (a roster kept one sheet per
    district), or, where no sheet has one, the first sheet's. Each is (the sheet's name,
    None for a CSV file; the header's line; its cells; the workers' lines; their rows)."""
    suffix = path.suffix.lower()
    if suffix in (".xls", ".ods", ".numbers", ".et"):
        raise ScenarioError(f"a {suffix} file cannot be read; save it as .xlsx (or CSV)", file=str(path),
                            field="population.roster")

    def named(row):  # how many of the required columns a row names
        return sum(any(names.get(_key(c)) in cols for c in row) for cols in required)

    def header_at(rows):
        found = [k for k, (_, r) in enumerate(rows[:HEADER_SEARCH]) if named(r) == len(required)]
        return found[0] if found else None

    def likeliest(rows):  # no header: the row naming most of them is the one to blame (the first if none)
        return max(range(min(len(rows), HEADER_SEARCH)), key=lambda k: (named(rows[k][1]), -k), default=0)
    try:
        if suffix in (".xlsx", ".xlsm"):
            every = [(name, rows, header_at(rows)) for name, rows in _sheets(data)]
            def example(s):  # named as notes or an example, with no more than an example under a header
                name, rows, h = s
                return NOTES_SHEET.search(name) and (h is None or len(rows) - h - 1 <= EXAMPLE_ROWS)
            notes = [s for s in every if example(s)]
            sheets = [s for s in every if not example(s)] or [(None, [], None)]
            if notes and not any(s[1] for s in sheets):  # nothing but notes: say why nothing was read
                raise ScenarioError(f"every sheet with rows is named as notes or an example ("
                                    f"{', '.join(s[0] for s in notes)}) and holds at most {EXAMPLE_ROWS} "
                                    "rows under its header, so none is read as workers; rename the sheet "
                                    "of workers", file=str(path))
            found = [s for s in sheets if s[2] is not None]
            if found:  # a sheet passed over that names some of the columns: workers under a header not read
                for name, rows, h in sheets:
                    k = likeliest(rows)
                    if rows and h is None and named(rows[k][1]) >= 2:
                        _columns(rows[k][1], rows[k][0], f"{path} (sheet {name})", names, {}, required, [])
            found = found or [(sheets[0][0], sheets[0][1], likeliest(sheets[0][1]))]
        else:
            rows = _csv_rows(data, path)
            first = header_at(rows)
            found = [(None, rows, likeliest(rows) if first is None else first)]
    except ScenarioError:
        raise
    except Exception as e:  # an unreadable file: csv and openpyxl raise many kinds
        why = f"{type(e).__name__}: {str(e)[:120]}"
        raise ScenarioError(f"cannot be read as a roster ({why}); expected a CSV file or an .xlsx workbook "
                            "with a header row", file=str(path)) from None
    if not found[0][1]:
        raise ScenarioError("is empty; expected a header row and one row per worker", file=str(path))
    out = []
    for name, rows, first in found:
        line, header = rows[first]
        out.append((name, line, header, [i for i, _ in rows[first + 1:]], [r for _, r in rows[first + 1:]]))
    return out


def _columns(header: list[str], head_line: int, place: str, names: dict, not_read: dict, required,
             ignored: list[str]) -> dict[str, int]:
    """The columns a header names: each column read, by its place in the header (refused:
    two headers for one column, a required column missing); the headers of columns not
    read are added to ``ignored``."""
    where: dict[str, int] = {}
    for j, h in enumerate(header):
        k = _key(h)
        if k in names:
            col = names[k]
            if col in where:
                if col == "post":  # a job class (岗位) beside a title (职务): the title says more
                    if _key(h) == _key("职务"):
                        where[col] = j
                    continue
                raise ScenarioError(f"two columns give {col} ({header[where[col]]!r} and {h!r}); keep one",
                                    file=place, line=head_line, field=col)
            where[col] = j
        elif k in not_read and f"{h!r} ({not_read[k]})" not in ignored:
            ignored.append(f"{h!r} ({not_read[k]})")
    for cols in required:
        if not any(c in where for c in cols):
            col = cols[0]
            alt = " or an id_number column (身份证号)" if len(cols) > 1 else ""
            raise ScenarioError(f"no {col} column{alt}; the header row (the first of the first "
                                f"{HEADER_SEARCH} non-blank rows to name the birth date and sex, or the ID "
                                f"number, and the hire date) must name it ({col} or "
                                f"{' / '.join(COLUMNS[col])}); the row taken for it has "
                                f"{', '.join(map(repr, header[:12]))}", file=place, line=head_line, field=col)
    return where


def _date_parts(text: str) -> tuple[_dt.date | None, bool]:
    """The date of a cell (a month alone: its first day), or None, and whether the cell
    gives the day."""
    t = _TIME.sub("", text.strip())
    if re.fullmatch(r"\d{8}", t):
        t = f"{t[:4]}-{t[4:6]}-{t[6:]}"
    elif re.fullmatch(r"\d{6}", t):
        t = f"{t[:4]}-{t[4:]}"
    m = _DATE.fullmatch(t)
    if not m or m.group(2) is None or _ambiguous(t):
        return None, False
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1)), m.group(3) is not None
    except ValueError:
        return None, False


def parse_date(text: str) -> _dt.date | None:
    """A date from the forms the module docstring lists (a month alone: its first day), or None."""
    return _date_parts(text)[0]


def _ambiguous(text: str) -> bool:
    """``1985.1``: January, or October kept by a spreadsheet as the number 1985.1?"""
    return re.fullmatch(r"\d{4}\.1", text.strip()) is not None


def _age(born: _dt.date, on: _dt.date) -> int:
    """Whole years of age on a day (a birthday counts from its day)."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


EXCEL_DAY_ZERO = _dt.date(1899, 12, 30)
"""Day 0 of Excel's day numbers from 1 March 1900 on (Excel counts a 29 February 1900)."""


def _excel_day(text: str, last_year: int) -> _dt.date | None:
    """The date a number such as ``35467`` is as an Excel day number (a date cell that lost
    its date format is read as the number), where that is a date from :data:`OLDEST_YEAR`
    to ``last_year``; else None. A time of day (``35467.5``) is dropped."""
    t = text.strip()
    if not re.fullmatch(r"\d{4,5}(?:\.\d+)?", t):
        return None
    d = EXCEL_DAY_ZERO + _dt.timedelta(days=int(float(t)))
    return d if OLDEST_YEAR <= d.year <= last_year else None


def _excel_day_words(text: str, day: _dt.date) -> str:
    """Why a cell that is an Excel day number (:func:`_excel_day`) is refused."""
    return (f"expected a date, got {text!r}: {text.strip()} is {day} as an Excel day number (a date cell "
            f"that lost its date format?): format the column as dates, or write the date as text ({day})")


def date_instant(d: _dt.date) -> float:
    """A date's instant in years (a birth, a hire), with its month exact: ``year + (month - 1 +
    (day - 1) / days_in_month) / 12``."""
    days = calendar.monthrange(d.year, d.month)[1]
    return d.year + (d.month - 1 + (d.day - 1) / days) / 12


NUMBER_KEPT = "stored as a number"
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def from_id(text: str) -> tuple[_dt.date, bool] | str:
    """Birth date and sex (True: female) of a resident ID number (GB 11643: digits 7-14
    the birth date, the 17th odd for men, the 18th a check digit; a 15-digit old number
    has the birth date 19YYMMDD in digits 7-12 and the sex in the last), or why not."""
    t = text.strip().upper()
    if re.fullmatch(r"[\d.]+E\+?\d+|\d+\.\d*", t):
        return f"{NUMBER_KEPT}, which keeps only its first 15 digits; format the column as text"
    if re.fullmatch(r"\d{17}[\dX]", t):
        total = sum(int(c) * w for c, w in zip(t[:17], _ID_WEIGHTS))
        if "10X98765432"[total % 11] != t[17]:
            return "its check digit does not agree (a digit mistyped?)"
        born, sex = t[6:14], int(t[16])
    elif re.fullmatch(r"\d{15}", t):
        born, sex = "19" + t[6:12], int(t[14])
    else:
        return "expected an 18-digit resident ID number (or a 15-digit old one)"
    d = parse_date(born)
    return (d, sex % 2 == 0) if d is not None else f"its birth date {born} is not a date"


def _person(id_number: str) -> str:
    """The part of an ID number that names the person (region, birth date, sequence): an old
    15-digit number and its 18-digit successor give the same (GB 11643)."""
    t = id_number.strip().upper()
    return t[:6] + "19" + t[6:15] if len(t) == 15 else t[:17]


def _ids_agree(cells, read_before: dict, born, female, lines, places, fail, months=()) -> None:
    """Each worker once, and the ID numbers agreeing with the birth date and sex columns:
    a row's ID number that reads (:func:`from_id`; a blank, masked or unreadable one is not
    checked where the birth date and sex have their own cells, but one kept as a number is
    refused) is refused where another row has it or where it gives another birth date or
    sex. A birth cell that gives only the month (``months[i]``) is checked to the month, and
    takes the ID number's day (``born`` is updated)."""
    seen: dict[str, int] = {}
    for i, v in enumerate(cells):
        got = read_before[i] if i in read_before else from_id(v) if v else None
        if isinstance(got, str) and got.startswith(NUMBER_KEPT):  # wrong wherever it is used
            fail(i, "id_number", f"{got}, got {v!r}")
        if not isinstance(got, tuple):
            continue
        key = _person(v)
        if key in seen:
            j = seen[key]
            other = f"line {lines[j]}" + (f" of {places[j]}" if places[j] != places[i] else "")
            fail(i, "id_number", f"{v!r} is also the ID number on {other}: each worker once (a sheet of "
                 "every worker beside the sheets by district?)")
        seen[key] = i
        day, woman = got
        if i < len(months) and months[i] and (day.year, day.month) == (born[i].year, born[i].month):
            born[i] = day
        elif day != born[i]:
            fail(i, "birth_date", f"{born[i]} disagrees with the ID number {v!r}, which gives {day}")
        if woman != female[i]:
            fail(i, "sex", f"{'female' if female[i] else 'male'} disagrees with the ID number {v!r}, which "
                 f"gives {'female' if woman else 'male'}")


def _education(v: str) -> int | None:
    k = v.strip().lower()
    if k in _BY_NAME_EDUCATION:
        return _BY_NAME_EDUCATION[k]
    k = _NOTE.sub("", k)
    if "在读" in k:  # 研究生在读: still studying; the highest completed is not named
        return None
    named = next((i for i, words in _EDUCATION_WORDS if any(w in k for w in words)), None)
    if named is None or "以下" not in k:
        return named  # 大专及以上: the level named, the least it may be
    if "及以下" in k:  # 高中及以下: below college; 大专及以下 may be either: refused
        return 0 if named == 0 else None
    return 0 if named <= 1 else None  # 大专以下, 高中以下: below college; 本科以下 may be college or below


def _level(v: str) -> int | None:
    k = v.strip().lower()
    if not k:
        return 0
    if k in _BY_NAME_LEVEL:
        return _BY_NAME_LEVEL[k]
    k = _NOTE.sub("", k).strip()  # 高级（未聘）: a senior certificate, not yet appointed
    if not k or k.startswith(_NONE):  # 无, 未取得中级
        return 0
    named = next((i for i, words in _LEVEL_WORDS if any(w in k for w in words)), None)
    return 0 if named is None and any(w in k for w in _NONE) else named


_NUMERALS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}


def _grade(v: str) -> int | None:
    """A pay grade of the ladder, 1 to 18 (:data:`model.schema.N_GRADES`): ``5``, ``5.0``,
    ``5级``, ``第5级``, ``五级``, ``十二级``, ``5档`` (full-width digits too; a bracketed note
    ignored), or None."""
    k = _NOTE.sub("", unicodedata.normalize("NFKC", v).strip()).strip().lower()  # NFKC: ５级 is 5级
    m = re.fullmatch(r"(?:grade)?\s*第?\s*([0-9]+|[一二三四五六七八九十]{1,3})(?:\.0+)?\s*[级档]?", k)
    if not m:
        return None
    t = m.group(1)
    if t.isdigit():
        g = int(t)
    elif re.fullmatch(r"[一二三四五六七八九]", t):
        g = _NUMERALS[t]
    elif m2 := re.fullmatch(r"([一二三四五六七八九]?)十([一二三四五六七八九]?)", t):  # 十, 十二, 二十
        g = _NUMERALS.get(m2.group(1), 1) * 10 + _NUMERALS.get(m2.group(2), 0)
    else:
        return None
    return g if 1 <= g <= N_GRADES else None


_HEAD = re.compile(r"(?<!副)(?:书记|主任)(?!助理)")


def _post(v: str) -> int | None:
    """0 staff, 1 committee member (两委: 副书记, 副主任, 委员, 妇女主任...), 2 head (正职:
    书记, 主任, 书记兼主任, 居民委员会主任), or None (not a post of the model, or
    ambiguous: 第一书记 is a cadre sent from outside)."""
    k = v.strip().lower()
    if k in _BY_NAME_POST:
        return _BY_NAME_POST[k]
    if "第一书记" in k:
        return None
    k = k.replace("委员会", "")  # 居民委员会主任: the committee's head
    if any(w in k for w in ("妇女主任", "治保主任", "调解主任", "监委会主任", "监督主任", "妇联主席")):
        return 1  # a committee member with a portfolio
    if any(w in k for w in ("中心主任", "站长", "助理")):
        return 0  # 党群服务中心主任, (副)站长, 主任助理: staff posts
    if "正职" in k or _HEAD.search(k):
        return 2  # 书记兼主任, 副书记兼主任 (a head as director)
    if any(w in k for w in ("副", "委员", "两委")):
        return 1
    if any(w in k for w in ("社工", "专职", "工作人员", "工作者", "网格", "干事", "专干", "党务", "党建", "其他",
                            "一般", "干部")):
        return 0
    return None


def place_in_community(row_community: np.ndarray) -> np.ndarray:
    """Each starting row's place in its community (0, 1, ...): the rows are laid out
    community by community (``row_community`` is sorted)."""
    return np.arange(len(row_community)) - np.searchsorted(row_community, row_community)


def row_classes(row_community: np.ndarray, leaders) -> np.ndarray:
    """The post class of each starting row: a community's first ``leaders[0]`` rows are
    head rows, its next ``leaders[1]`` committee rows, the rest staff rows (as a post by
    rank: :func:`model.population.post_of_rank`)."""
    return post_of_rank(place_in_community(row_community), *leaders)


def short_names(name: str) -> list[str]:
    """A Chinese place name without its 区 / 县 / 市 / 新区, each way it may be cut (高新区:
    高新 and 高)."""
    n = name.strip()
    return [n[: -len(s)] for s in ("区", "新区", "县", "市") if n.endswith(s) and len(n) > len(s)]


def district_finder(districts):
    """How a roster names a district (a cell of its district column, or a sheet's name): a
    function of the text giving the district's index, -1 where the text may be two districts
    (江北 of both 江北新区 and 江北区), or None. The text is the district's ``name`` (in any
    case) or ``label_zh``, or either without its 区 / 县 / 市 / 新区 (江宁 for 江宁区); spaces
    around it are ignored."""
    lookup, shorts = {}, {}
    for i, d in enumerate(districts):
        lookup[d.name.lower()] = i
        if d.label_zh:
            lookup[d.label_zh.strip()] = i
            for short in short_names(d.label_zh):
                shorts.setdefault(short, set()).add(i)
    for short, idx in shorts.items():  # 江北 of both 江北新区 and 江北区 names neither
        if short not in lookup:
            lookup[short] = idx.pop() if len(idx) == 1 else -1

    def find(text: str) -> int | None:
        k = text.strip()
        return next((lookup[x] for x in (k.lower(), k, *short_names(k)) if x in lookup), None)
    return find


def _are(names: list[str]) -> str:
    """``玄武区 is`` or ``玄武区, 江宁区 are``."""
    return f"{', '.join(names)} {'is' if len(names) == 1 else 'are'}"


def _sheet_districts(file: str, tables, districts) -> np.ndarray | None:
    """Each worker's district from the name of their sheet, for a workbook without a district
    column whose sheets of workers are all named after districts of the scenario
    (named as in the district column: :func:`district_finder`); None where none is (or the
    file is a CSV file). Refused: some sheets named after districts and others not."""
    held = [(name, len(body)) for name, _, _, _, body in tables if name is not None and body]
    find = district_finder(districts)
    found = [None if d == -1 else d for d in (find(name) for name, _ in held)]
    if not held or all(d is None for d in found):
        return None
    if None in found:
        odd = [name for (name, _), d in zip(held, found) if d is None]
        named = [name for (name, _), d in zip(held, found) if d is not None]
        known = ", ".join((f"{x.label_zh} ({x.name})" if x.label_zh else x.name) for x in districts)
        raise ScenarioError(f"sheet{'s' * (len(odd) > 1)} {_are(odd)} not named after a district of the "
                            f"scenario, but {_are(named)}: without a district column, every sheet of workers "
                            f"must be named after its district, one of {known} (a 区 / 县 / 市 / 新区 at the "
                            "end may be left out); rename the sheets, or add a district column (所属区)",
                            file=file, field="district")
    return np.repeat(np.array(found, np.int64), [k for _, k in held])


def read(path: str | Path, start_year: int, districts, retirement=None, max_grade=None) -> Roster:
    """Read and check a roster (see the module docstring).

    Parameters
    ----------
    path : str or Path
        The CSV or .xlsx file.
    start_year : int
        The scenario's first year: the roster is the workforce on its 1 January.
    districts : sequence of District, or None
        The scenario's districts (``name``, ``label_zh``); None for a scenario without
        ``[[districts]]``, where a ``district`` column is refused.
    retirement : Section, optional
        ``[retirement]``: with it, a worker at or past the statutory retirement instant
        on 1 January of the start year is refused.
    max_grade : sequence of 3 int, optional
        The highest grade of each post (staff, committee, head) in the start year
        (``grades.max_grade``): a grade above that of the worker's post in the roster (or,
        without a post column, above every post's) is refused.
    """
    path = Path(path)
    file = str(path)
    try:
        data = path.read_bytes()  # read once: the hash is of what was parsed
    except OSError as e:
        raise ScenarioError(f"cannot be read ({e.strerror or e})", file=file,
                            field="population.roster") from None
    names = {_key(alias): col for col, zh in COLUMNS.items() for alias in (col, *zh)}
    required = (("birth_date", "id_number"), ("sex", "id_number"), ("hire_date",))
    tables = _tables(path, data, names, required)
    not_read = {_key(a): col for col, zh in NOT_READ.items() for a in (col, *zh)}
    ignored: list[str] = []
    where: dict[str, int] = {}
    rows: list[list[str]] = []
    lines: list[int] = []
    places: list[str] = []  # where each worker's row is: the file, or the file and its sheet
    heads: list[dict] = []  # each worker's sheet's own header of each column read
    seen_rows: list[set] = []  # each sheet's rows, as read
    sheets = [name for name, *_ in tables] if len(tables) > 1 else []
    for sheet, head_line, head, sheet_lines, sheet_rows in tables:
        place = f"{file} (sheet {sheet})" if sheets else file
        own = _columns(head, head_line, place, names, not_read, required, ignored)
        if not where:
            where = {col: j for j, col in enumerate(own)}
        elif set(own) != set(where):
            missing, extra = sorted(set(where) - set(own)), sorted(set(own) - set(where))
            raise ScenarioError(f"the sheet's columns differ from sheet {sheets[0]}'s: "
                                + "; ".join(x for x in (f"no {', '.join(missing)}" if missing else "",
                                                         f"also {', '.join(extra)}" if extra else "") if x)
                                + " (every sheet of workers must have the same columns)",
                                file=place, line=head_line)
        mine = [[r[own[col]] if own[col] < len(r) else "" for col in where] for r in sheet_rows]
        rows += mine
        lines += sheet_lines
        places += [place] * len(sheet_rows)
        heads += [{col: head[j] for col, j in own.items()}] * len(sheet_rows)
        seen_rows.append({tuple(r) for r in mine})
    on = collections.Counter(r for s in seen_rows for r in s)  # how many sheets hold each worker
    copies = [k for k, s in enumerate(seen_rows) if sheets and s and all(on[r] > 1 for r in s)]
    if copies:  # a summary sheet (汇总) of the sheets by district: the one with the most workers
        sheet, head_line, *_ = tables[max(copies, key=lambda k: len(seen_rows[k]))]
        raise ScenarioError(f"every worker of sheet {sheet} is on another sheet too (a sheet of all the "
                            "workers beside the sheets by district?); keep each worker on one sheet",
                            file=f"{file} (sheet {sheet})", line=head_line)
    if not rows:
        raise ScenarioError("has a header row but no workers", file=file, line=tables[0][1])
    if ignored:
        warnings.warn(f"{file}: the roster's columns {', '.join(ignored)} are not read: the communities are "
                      "the staffing rule's (see model/roster.py)", UserWarning, stacklevel=2)

    def values(col):
        j = where[col]
        return [(r[j] if j < len(r) else "") for r in rows]
    needed = {"birth_date", "sex", "hire_date"}
    if not needed <= set(where):
        needed.add("id_number")
    for col in [c for c in where if c not in needed]:
        if not any(values(col)):  # a column left blank throughout (as in a template) is left out
            del where[col]

    def fail(i, col, msg):  # i: the worker's index
        raise ScenarioError(msg, file=places[i], line=lines[i], field=col)

    months: list[bool] = []  # each birth cell: a month without its day (出生年月)

    def dates(col, blank_ok=False):  # blank cells: None where something may stand in, else refused
        out = []
        for i, v in enumerate(values(col)):
            d, has_day = _date_parts(v)
            if col == "birth_date":
                months.append(d is not None and not has_day)
            if d is None and not v and blank_ok:
                out.append(None)
                continue
            if d is None:
                if _ambiguous(v):
                    fail(i, col, f"{v!r} may be January or October (a spreadsheet keeps 1985.10 as the "
                         "number 1985.1); write the month with two digits as text (1985.01, 1985.10) or a "
                         "whole date")
                if (day := _excel_day(v, start_year)) is not None:
                    fail(i, col, _excel_day_words(v, day))
                fail(i, col, f"expected a date such as 1985-03-14 (or 1985-03), got {v!r}" if v
                     else "blank; every worker needs one")
            if d.year < OLDEST_YEAR:
                fail(i, col, f"{d} is before {OLDEST_YEAR}, not a date of a worker in post: a workbook reads "
                     "a number typed into a date cell as days after 1900 (2015.10, kept as 2015.1, is "
                     "1905-07-07); write the date as text, such as 2015-10-01")
            out.append(d)
        return out

    n = len(rows)
    id_cells = values("id_number") if "id_number" in where else [""] * n

    from_ids: dict[int, tuple] = {}  # each row's ID number read once, for its birth date and its sex

    def by_id(i, col):  # birth date and sex from the row's ID number, where its own cell is blank
        if i not in from_ids:
            v = id_cells[i]
            if not v:
                fail(i, col if col in where else "id_number",
                     "blank; every worker needs one (or an ID number, 身份证号)")
            got = from_id(v)
            if isinstance(got, str):
                fail(i, "id_number", f"{got}, got {v!r}")
            from_ids[i] = got
        return from_ids[i]
    birth_dates = dates("birth_date", blank_ok="id_number" in where) if "birth_date" in where else [None] * n
    born = [d if d is not None else by_id(i, "birth_date")[0] for i, d in enumerate(birth_dates)]
    hired = dates("hire_date")
    female = np.empty(n, bool)
    for i, v in enumerate(values("sex") if "sex" in where else [""] * n):
        if not v:
            female[i] = by_id(i, "sex")[1]
            continue
        f = _SEX.get(v.strip().lower())
        if f is None:
            fail(i, "sex", f"expected male or female (m / f, 男 / 女, 1 / 2), got {v!r}")
        female[i] = f
    birth_col = "birth_date" if "birth_date" in where else "id_number"
    _ids_agree(id_cells, from_ids, born, female, lines, places, fail, months)
    start = _dt.date(start_year, 1, 1)
    for i, (b, h) in enumerate(zip(born, hired)):
        birth_field = "birth_date" if birth_dates[i] is not None else "id_number"  # the cell it came from
        both = f"fields {birth_field!r} and 'hire_date': "  # either date may be the wrong one
        if b > start:  # whatever the hire date, the birth date is wrong
            fail(i, birth_field, f"the birth date {b} is after 1 January {start_year}, the day the roster's "
                 "workers are in post")
        if _age(b, start) < MIN_WORKING_AGE:  # no hire date on or before the first day could be lawful
            fail(i, birth_field, f"the birth date {b} makes the worker {_age(b, start)} on 1 January "
                 f"{start_year}, below the legal working age of {MIN_WORKING_AGE} (劳动法 第十五条)")
        if h > start:
            fail(i, "hire_date", f"{h} is after 1 January {start_year}: the roster is the workforce in post "
                 "on the start year's first day (a later hire is the model's to make)")
        if h < b:
            fail(i, None, f"{both}the hire date {h} is before the birth date {b}; check the two dates")
        if _age(b, h) < MIN_WORKING_AGE:
            fail(i, None, f"{both}{h} hires a worker born {b} at {_age(b, h)}, below the legal working "
                 f"age of {MIN_WORKING_AGE} (劳动法 第十五条); check the two dates")
    birth = np.array([date_instant(b) for b in born])
    hire_time = np.array([date_instant(h) for h in hired])

    def categories(col, parse, what, without="to draw it from the population's mix"):
        if col not in where:
            return None
        out = np.empty(n, np.int8)
        for i, v in enumerate(values(col)):
            c = parse(v)
            if c is None:
                fail(i, col, f"expected {what}, got {v!r}" if v else f"blank; give {what}, or leave out the "
                     f"whole column {without}")
            out[i] = c
        return out
    education = categories("education", _education, "one of " + ", ".join(EDUCATION)
                           + " (0-3; 高中及以下, 大专, 本科, 硕士)")
    level = categories("certificate", _level, "one of " + ", ".join(LEVELS)
                       + " (0-3; 无, 助理社会工作师, 社会工作师, 高级社会工作师)")
    post = categories("post", _post, "one of " + ", ".join(POSTS) + " (0-2; 社区工作者, 社工 / 副书记, 委员, "
                      "妇女主任 / 书记, 主任, 书记兼主任; not 第一书记, a cadre sent from outside)",
                      without="to give each community's leader posts to its longest-serving workers")
    grade = None
    if "grade" in where:
        grade = np.empty(n, np.int8)
        for i, v in enumerate(values("grade")):
            named = f"column {heads[i]['grade']!r}"
            g = _grade(v)
            if g is None:
                fail(i, "grade", f"expected a pay grade from 1 to {N_GRADES} (5, 5级, 五级, 第十二级) in "
                     f"{named}, got {v!r}" if v else f"blank in {named}; give the grade, or leave out the "
                     "whole column to derive grades from post, tenure, education and certificate")
            grade[i] = g
            if max_grade is not None:
                top, of = (max_grade[post[i]], f"a {POSTS[post[i]]} post") if post is not None else (
                    max(max_grade), "any post")
                if g > top:
                    fail(i, "grade", f"{v!r} is above the highest grade of {of} in the scenario's ladder "
                         f"({top}; grades.max_grade = {list(max_grade)}); raise grades.max_grade, or check "
                         f"{named}")
        if max_grade is not None and post is None and (cut := int((grade > max_grade[0]).sum())):
            warnings.warn(f"{file}: {cut:,} workers' grades are above the highest of a staff post "
                          f"({max_grade[0]}, grades.max_grade); without a post column the longest-serving "
                          "hold the leader posts, and a worker in a staff post is paid at most that grade: "
                          "add a post column (岗位) to place them", UserWarning, stacklevel=2)
    cadre = None
    if "cadre" in where:
        cadre = np.zeros(n, bool)
        for i, v in enumerate(values("cadre")):
            c = _YES_NO.get(v.strip().lower())
            if c is None and (female[i] or v):
                fail(i, "cadre", f"expected yes or no (是 / 否, 1 / 0, 干部 / 工人), got {v!r}" if v
                     else "blank for a woman; yes (managerial post, original retirement age 55) or no (50)")
            cadre[i] = bool(c)
    level_since = np.full(n, -1, np.int32)
    if "certificate_year" in where:
        for i, v in enumerate(values("certificate_year")):
            v = v.rstrip("年").strip()  # 2019年
            if not v:
                continue
            if _ambiguous(v):  # 2019.1: January or October (2019.10 kept as a number): 2019 either way
                v = v[:4]
            d = parse_date(v)
            if not re.fullmatch(r"\d{4}", v) and d is None:
                if (day := _excel_day(v, start_year)) is not None:
                    fail(i, "certificate_year", _excel_day_words(v, day))
                fail(i, "certificate_year", f"expected a year such as 2019 (or a date in it), got {v!r}")
            yr = int(v) if d is None else d.year
            if level is None:
                fail(i, "certificate_year", "given without a certificate column; add the certificate level")
            if level[i] == 0:
                fail(i, "certificate_year", f"{yr} given for a worker without a certificate")
            first = born[i].year + MIN_WORKING_AGE
            if yr > start_year or yr < first:
                fail(i, "certificate_year", f"expected a year from {first} (the worker at {MIN_WORKING_AGE}) "
                     f"to {start_year}, got {yr}")
            level_since[i] = yr
    district = None
    if "district" in where:
        if districts is None:
            raise ScenarioError("the roster has a district column but the scenario has no [[districts]]; add "
                                "them, or leave out the column", file=places[0], line=tables[0][1],
                                field="district")
        find = district_finder(districts)
        district = np.empty(n, np.int64)
        for i, v in enumerate(values("district")):
            k = v.strip()
            d = find(k)
            if d == -1:
                same = " or ".join(x.label_zh for x in districts
                                   if x.label_zh and k in short_names(x.label_zh))
                fail(i, "district", f"{v!r} may be {same}; write the district's whole name")
            if d is None:
                known = ", ".join(x.name + (f" ({x.label_zh})" if x.label_zh else "") for x in districts)
                fail(i, "district", f"{v!r} is not a district of the scenario; expected one of {known}"
                     if v else f"blank; expected one of {known}")
            district[i] = d
    elif districts:
        district = _sheet_districts(file, tables, districts)
    past_worker_age = None
    if retirement is not None and retirement.enabled:
        from .policies.retirement_age import retirement_time

        def past_by(as_cadre):
            r = retirement
            return retirement_time(birth, female, as_cadre, r.rule, r.age_men, r.age_women) <= start_year
        if cadre is None:  # women past the worker posts' age are in post as cadres
            past_worker_age = female & past_by(np.zeros(n, bool))
        past = np.flatnonzero(past_by(cadre if cadre is not None else np.ones(n, bool)))  # even as a cadre
        if len(past):
            i = int(past[0])
            more = f" ({len(past)} workers in all)" if len(past) > 1 else ""
            in_post_as_cadre = (cadre is not None and female[i] and not cadre[i]
                                and not past_by(np.ones(n, bool))[i])  # the cadre flag may be the mistake
            column = heads[i].get("cadre", "cadre")
            as_cadre = (f" (a woman in a worker post by column {column!r}; were she a cadre there (是, yes), "
                        "she would still be in post)") if in_post_as_cadre else ""
            fail(i, birth_col, f"a worker born {born[i]} reached the statutory retirement age by 1 January "
                 f"{start_year} (retirement.rule = {retirement.rule!r}){as_cadre}{more}; the roster is the "
                 "workforce in post on that day: remove those who have retired")
    return Roster(path=str(path.resolve()), sha256=hashlib.sha256(data).hexdigest(),
                  birth=birth, female=female, hire_time=hire_time, education=education,
                  level=level, level_since=level_since, cadre=cadre, district=district,
                  context=context(start_year, districts, retirement, max_grade, grade is not None), post=post,
                  past_worker_age=past_worker_age, grade=grade,
                  sheets=tuple((name, len(t[3])) for name, *t in tables) if sheets else (),
                  district_by_sheet=district is not None and "district" not in where)


def deal(row_community: np.ndarray, community_district: np.ndarray, district: np.ndarray | None,
         order: np.ndarray, post: np.ndarray | None, leaders: tuple[int, int]) -> np.ndarray:
    """Which roster worker takes each starting row.

    The rows are laid out community by community (``row_community``, sorted), as many in
    each district's communities as the roster has workers there. ``order`` is a random
    permutation of the roster; the workers of each district, in that order, take the rows
    of its communities (without ``district``, everyone takes any row). With the roster's
    posts (``post``), the workers go heads first, then committee members, then staff (each
    group in ``order``), and the rows go by class (:func:`row_classes`: head rows, then
    committee rows, then staff rows), each class one row of every community before a
    second of any. So the roster's heads go one to each community's head post, and so on,
    as far as there are rows for them. Returns the roster index for each row."""
    n = len(order)
    slots = np.arange(n)
    if post is not None:
        slots = np.lexsort((slots, place_in_community(row_community), -row_classes(row_community, leaders)))
        order = order[np.argsort(-post[order], kind="stable")]  # heads first, each class in `order`
    if district is not None:  # each district's rows, in that order, to its workers, in theirs
        slots = slots[np.argsort(community_district[row_community[slots]], kind="stable")]
        order = order[np.argsort(district[order], kind="stable")]
    out = np.empty(n, np.int64)
    out[slots] = order
    return out
