"""A city's own roster (花名册) of the workers in post on 1 January of the start year.

``population.roster = "roster.csv"`` (or an ``.xlsx`` workbook; a path relative to the
scenario file that names it) starts the run from the city's actual workers instead of
workers drawn from the mixes of ``[population]``. One row per worker, under a header row
that names the columns in English or Chinese (case, spaces and a byte-order mark
ignored); title rows above the header (``XX区社区工作者花名册``) and blank rows are skipped,
and messages give the row's line in the file (a CSV in UTF-8 or GB18030, or the first
sheet of a workbook):

================  ==========================  ========  ===============================================
column            Chinese headers accepted    required  values
================  ==========================  ========  ===============================================
birth_date        出生日期, 出生年月          yes       a date: 1985-03-14, 1985/3/14, 1985.3.14, 19850314,
                                                        1985年3月14日, an Excel date; or a month (1985-03,
                                                        1985年3月), taken as its first day
sex               性别                        yes       male / female, m / f, 男 / 女
hire_date         入职日期, 入职时间, 聘用日期  yes       a date (as above) on or before 1 January of the start year
education         学历                        no        below_college, college, bachelor, master (or 0-3);
                                                        高中, 中专, 高中及以下 / 大专 / 本科 / 硕士, 研究生, 博士
certificate       证书等级, 社工证            no        none, assistant, intermediate, senior (or 0-3);
                                                        无 / 助理社会工作师 / 社会工作师 / 高级社会工作师
certificate_year  取证年份                    no        the year the certificate was obtained (blank where none)
cadre             干部身份                    no        for women: yes / no (是 / 否, 1 / 0), original retirement
                                                        age 55 (managerial post) rather than 50
district          所属区, 区                  no        a district of the scenario: its ``name`` or ``label_zh``
================  ==========================  ========  ===============================================

An optional column that is blank throughout counts as left out. Other columns (names, ID
numbers, telephone numbers) are not read. ``post``, ``grade`` and
``community`` (岗位, 等级, 社区) are not read either, and a warning says so: posts go to the
longest-serving in each community and grades follow from tenure, education and
certificate, as for a drawn workforce (:meth:`model.engine.Replication._initial_workforce`).

What the roster sets, worker by worker:

- **birth**: the birth instant is ``year + (month - 1 + (day - 1) / days_in_month) / 12``,
  so that the birth month, which sets the statutory retirement month under the 2025
  reform (:mod:`model.policies.retirement_age`), is exact;
- **sex**, and for women **cadre** (else drawn with ``population.cadre_share``);
- **tenure** on 1 January: the start year less the hire date's year (``hire_year``);
- **education** and **certificate** level (each column, where absent, drawn from the
  start year's ``population.education`` / ``population.certificate``, and a district's
  ``certified_share`` redraws levels only where the roster has no certificate column);
- **certificate_year** (``level_since``; blank or absent: the year before the start, or the
  start year for a worker with tenure 0, as for a drawn worker);
- **district**: a worker is placed in a community of their district; without the column,
  in any community. Within a district (or the city), the roster's workers are dealt to
  communities in proportion to the posts the staffing rule gives on 1 January, in an order
  drawn from the stream ``roster`` (largest remainder; :func:`deal`).

``population.headcount`` must be 0 (the roster's rows are the headcount), and the fields
``population.age``, ``tenure``, ``female_share`` and ``min_hire_age`` are not read; nor is
anyone re-aged or given another tenure. What is drawn for the roster's workers as for a
drawn workforce: ability, the order of ties in tenure, last year's grade where a rule
reads it, and the columns the roster leaves out.

Checked on loading (one message naming the file, the row's line, the column and what was
expected; the scenario is refused, exit status 2): a missing required column, a blank or
unreadable value, a hire date after 1 January of the start year or before the birth date,
a worker hired before 16 (the Labour Law, art. 15, forbids employing anyone under 16:
劳动法 第十五条), a worker already past the statutory retirement instant on 1 January of
the start year (they would not be in post), a certificate year after the start year or
given for a worker without a certificate, and an unknown district.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import hashlib
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import ScenarioError
from .schema import EDUCATION, LEVELS

MIN_WORKING_AGE = 16
"""The youngest a worker may have been hired (劳动法 第十五条:
禁止用人单位招用未满十六周岁的未成年人)."""

COLUMNS = {
    "birth_date": ("出生日期", "出生年月", "出生时间"),
    "sex": ("性别",),
    "hire_date": ("入职日期", "入职时间", "聘用日期", "聘用时间"),
    "education": ("学历", "文化程度"),
    "certificate": ("证书等级", "社工证", "职业资格", "社会工作者职业水平"),
    "certificate_year": ("取证年份", "取证时间"),
    "cadre": ("干部身份",),
    "district": ("所属区", "区", "所属区县", "区县"),
}
REQUIRED = ("birth_date", "sex", "hire_date")
NOT_READ = {"post": ("岗位", "职务"), "grade": ("等级", "岗位等级"),
            "community": ("社区", "所属社区")}

_SEX = {"male": False, "m": False, "男": False, "female": True, "f": True, "女": True}
_YES_NO = {"yes": True, "y": True, "true": True, "1": True, "是": True,
           "no": False, "n": False, "false": False, "0": False, "否": False}
_EDUCATION = {**{n: i for i, n in enumerate(EDUCATION)}, **{str(i): i for i in range(4)},
              "高中": 0, "中专": 0, "高中及以下": 0, "初中": 0, "中专及以下": 0,
              "职高": 0, "技校": 0,
              "大专": 1, "专科": 1, "大学专科": 1, "本科": 2, "大学本科": 2, "学士": 2,
              "硕士": 3, "研究生": 3, "博士": 3, "硕士研究生": 3, "博士研究生": 3}
_LEVELS = {**{n: i for i, n in enumerate(LEVELS)}, **{str(i): i for i in range(4)},
           "无": 0, "助理社会工作师": 1, "助理社工师": 1, "社会工作师": 2, "社工师": 2,
           "中级社会工作师": 2, "高级社会工作师": 3, "高级社工师": 3}

_DATE = re.compile(r"(\d{4})\s*(?:[-/.年]\s*(\d{1,2})\s*(?:[-/.月]\s*(\d{1,2})\s*日?)?\s*月?)?")


@dataclass(frozen=True)
class Roster:
    """The roster's workers as columns (one element per row of the file, in file order).

    ``education``, ``level``, ``cadre`` and ``district`` are None where the file has no
    such column; ``level_since`` holds -1 where the file leaves it blank (or has no column).
    """

    path: str
    sha256: str
    birth: np.ndarray        # float64 birth instant (years)
    female: np.ndarray       # bool
    hire_year: np.ndarray    # int32
    education: np.ndarray | None
    level: np.ndarray | None
    level_since: np.ndarray  # int32, -1: not given
    cadre: np.ndarray | None
    district: np.ndarray | None  # int64 index into the scenario's districts

    def __len__(self) -> int:
        return len(self.birth)

    def describe(self) -> dict:
        """What the manifest records: the file, its SHA-256 and its rows."""
        return {"path": self.path, "sha256": self.sha256, "workers": len(self)}


def _key(header) -> str:
    return str(header).strip().lstrip("\ufeff").strip().lower().replace(" ", "_")


def _cell(x) -> str:
    """A cell as text: Excel dates as ISO dates, whole numbers without '.0'."""
    if x is None or (isinstance(x, float) and np.isnan(x)):
        return ""
    if isinstance(x, _dt.datetime):
        return x.date().isoformat()
    if isinstance(x, _dt.date):
        return x.isoformat()
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    if hasattr(x, "isoformat") and hasattr(x, "year"):  # pandas Timestamp
        return x.date().isoformat() if hasattr(x, "date") else x.isoformat()
    return str(x).strip()


HEADER_SEARCH = 10
"""The header is the first of the first this many non-blank rows that names the required
columns (a roster often opens with a title row such as ``XX区社区工作者花名册``)."""


def _read_table(path: Path) -> list[tuple[int, list[str]]]:
    """The non-blank rows of a CSV file (UTF-8, or GB18030 as Chinese spreadsheets save it)
    or of the first sheet of an .xlsx workbook, each with its line (row) number in the
    file, every cell as text."""
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            import openpyxl
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                ws = wb.worksheets[0]
                numbered = [(i, [_cell(x) for x in row])
                            for i, row in enumerate(ws.iter_rows(values_only=True), start=1)]
            finally:
                wb.close()
        else:
            raw = path.read_bytes()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                try:
                    text = raw.decode("gb18030")
                except UnicodeDecodeError:
                    raise ScenarioError("is neither UTF-8 nor GB18030 text; save the roster as CSV (UTF-8) "
                                        "or .xlsx", file=str(path)) from None
            import csv
            import io
            reader = csv.reader(io.StringIO(text, newline=""))
            numbered = []
            for row in reader:  # line_num: the line the row ends on (a quoted cell may span lines)
                numbered.append((reader.line_num, [c.strip() for c in row]))
    except ScenarioError:
        raise
    except FileNotFoundError:
        raise ScenarioError("no such file", file=str(path), field="population.roster") from None
    except Exception as e:  # an unreadable file: csv and openpyxl raise many kinds
        why = f"{type(e).__name__}: {str(e)[:120]}"
        raise ScenarioError(f"cannot be read as a roster ({why}); expected a CSV file or an .xlsx workbook "
                            "with a header row", file=str(path)) from None
    numbered = [(i, r) for i, r in numbered if any(r)]
    if not numbered:
        raise ScenarioError("is empty; expected a header row and one row per worker", file=str(path))
    return numbered


def parse_date(text: str) -> _dt.date | None:
    """A date from the forms the module docstring lists (a month alone: its first day), or None."""
    t = text.strip()
    if re.fullmatch(r"\d{8}", t):
        t = f"{t[:4]}-{t[4:6]}-{t[6:]}"
    elif re.fullmatch(r"\d{6}", t):
        t = f"{t[:4]}-{t[4:]}"
    m = _DATE.fullmatch(t.replace(" 00:00:00", ""))
    if not m or m.group(2) is None:
        return None
    try:
        return _dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        return None


def birth_instant(d: _dt.date) -> float:
    """The birth instant in years, with the birth month exact: ``year + (month - 1 +
    (day - 1) / days_in_month) / 12``."""
    days = calendar.monthrange(d.year, d.month)[1]
    return d.year + (d.month - 1 + (d.day - 1) / days) / 12


def read(path: str | Path, start_year: int, districts, retirement=None) -> Roster:
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
        ``[retirement]``: with it, a worker past the statutory retirement instant on
        1 January of the start year is refused.
    """
    path = Path(path)
    numbered = _read_table(path)
    file = str(path)
    names = {}
    for col, zh in COLUMNS.items():
        for alias in (col, *zh):
            names[_key(alias)] = col
    first = next((k for k, (_, r) in enumerate(numbered[:HEADER_SEARCH])
                  if all(any(names.get(_key(c)) == col for c in r) for col in REQUIRED)), 0)
    head_line, header = numbered[first]
    lines = [i for i, _ in numbered[first + 1:]]
    rows = [r for _, r in numbered[first + 1:]]
    not_read = {_key(a): col for col, zh in NOT_READ.items() for a in (col, *zh)}
    where: dict[str, int] = {}
    ignored = []
    for j, h in enumerate(header):
        k = _key(h)
        if k in names:
            col = names[k]
            if col in where:
                raise ScenarioError(f"two columns give {col} ({header[where[col]]!r} and {h!r}); keep one",
                                    file=file, line=head_line, field=col)
            where[col] = j
        elif k in not_read:
            ignored.append(f"{h!r} ({not_read[k]})")
    for col in REQUIRED:
        if col not in where:
            raise ScenarioError(f"no {col} column; the header row (the first of the first {HEADER_SEARCH} "
                                f"rows to name {', '.join(REQUIRED)}) must name it ({col} or "
                                f"{' / '.join(COLUMNS[col])}); the first row has "
                                f"{', '.join(map(repr, header[:12]))}", file=file, line=head_line, field=col)
    if not rows:
        raise ScenarioError("has a header row but no workers", file=file, line=head_line)
    if ignored:
        warnings.warn(f"{file}: the roster's columns {', '.join(ignored)} are not read: posts go to the "
                      "longest-serving in each community, and grades follow from tenure, education and "
                      "certificate (see model/roster.py)", UserWarning, stacklevel=2)

    def values(col):
        j = where[col]
        return [(r[j] if j < len(r) else "") for r in rows]
    for col in [c for c in where if c not in REQUIRED]:
        if not any(values(col)):  # a column left blank throughout (as in a template) is left out
            del where[col]

    def fail(i, col, msg):  # i: the row's index among the workers
        raise ScenarioError(msg, file=file, line=lines[i], field=col)

    def dates(col):
        out = []
        for i, v in enumerate(values(col)):
            d = parse_date(v)
            if d is None:
                fail(i, col, f"expected a date such as 1985-03-14 (or 1985-03), got {v!r}" if v
                     else "blank; every worker needs one")
            out.append(d)
        return out

    born, hired = dates("birth_date"), dates("hire_date")
    n = len(rows)
    female = np.empty(n, bool)
    for i, v in enumerate(values("sex")):
        s = _SEX.get(v.strip().lower())
        if s is None:
            fail(i, "sex", f"expected male or female (m / f, 男 / 女), got {v!r}")
        female[i] = s
    start = _dt.date(start_year, 1, 1)
    for i, (b, h) in enumerate(zip(born, hired)):
        if h > start:
            fail(i, "hire_date", f"{h} is after 1 January {start_year}: the roster is the workforce in post "
                 "on the start year's first day (a later hire is the model's to make)")
        if h < b:
            fail(i, "hire_date", f"{h} is before the birth date {b}")
        age_at_hire = h.year - b.year - ((h.month, h.day) < (b.month, b.day))
        if age_at_hire < MIN_WORKING_AGE:
            fail(i, "hire_date", f"{h} hires a worker born {b} at {age_at_hire}, below the legal working age "
                 f"of {MIN_WORKING_AGE} (劳动法 第十五条); check the two dates")
    birth = np.array([birth_instant(b) for b in born])
    hire_year = np.array([h.year for h in hired], dtype=np.int32)

    def categories(col, table, what):
        if col not in where:
            return None
        out = np.empty(n, np.int8)
        for i, v in enumerate(values(col)):
            c = table.get(v.strip().lower())
            if c is None:
                fail(i, col, f"expected {what}, got {v!r}" if v else f"blank; give {what}, or leave out the "
                     f"whole column to draw it from the population's mix")
            out[i] = c
        return out
    education = categories("education", _EDUCATION, "one of " + ", ".join(EDUCATION)
                           + " (0-3; 高中及以下, 大专, 本科, 硕士)")
    level = categories("certificate", _LEVELS, "one of " + ", ".join(LEVELS)
                       + " (0-3; 无, 助理社会工作师, 社会工作师, 高级社会工作师)")
    cadre = None
    if "cadre" in where:
        cadre = np.zeros(n, bool)
        for i, v in enumerate(values("cadre")):
            c = _YES_NO.get(v.strip().lower())
            if c is None and (female[i] or v):
                fail(i, "cadre", f"expected yes or no (是 / 否, 1 / 0), got {v!r}" if v
                     else "blank for a woman; yes (managerial post, original retirement age 55) or no (50)")
            cadre[i] = bool(c)
    level_since = np.full(n, -1, np.int32)
    if "certificate_year" in where:
        for i, v in enumerate(values("certificate_year")):
            if not v:
                continue
            if not re.fullmatch(r"\d{4}", v):
                fail(i, "certificate_year", f"expected a year such as 2019, got {v!r}")
            yr = int(v)
            if level is None:
                fail(i, "certificate_year", "given without a certificate column; add the certificate level")
            if level[i] == 0:
                fail(i, "certificate_year", f"{yr} given for a worker without a certificate")
            if yr > start_year or yr < born[i].year + MIN_WORKING_AGE:
                first = born[i].year + MIN_WORKING_AGE
                fail(i, "certificate_year", f"expected a year from {first} (the worker at {MIN_WORKING_AGE}) "
                     f"to {start_year}, got {yr}")
            level_since[i] = yr
    district = None
    if "district" in where:
        if districts is None:
            raise ScenarioError("the roster has a district column but the scenario has no [[districts]]; add "
                                "them, or leave out the column", file=file, line=head_line, field="district")
        lookup = {}
        for i, d in enumerate(districts):
            lookup[d.name.lower()] = i
            if d.label_zh:
                lookup[d.label_zh.strip()] = i
        district = np.empty(n, np.int64)
        for i, v in enumerate(values("district")):
            d = lookup.get(v.strip().lower(), lookup.get(v.strip()))
            if d is None:
                known = ", ".join(x.name + (f" ({x.label_zh})" if x.label_zh else "") for x in districts)
                fail(i, "district", f"{v!r} is not a district of the scenario; expected one of {known}"
                     if v else f"blank; expected one of {known}")
            district[i] = d
    if retirement is not None and retirement.enabled:
        from .policies.retirement_age import retirement_time
        c = cadre if cadre is not None else np.ones(n, bool)  # past it even as a cadre: surely past it
        t = retirement_time(birth, female, c, retirement.rule, retirement.age_men, retirement.age_women)
        past = np.flatnonzero(t <= start_year)
        if len(past):
            i = int(past[0])
            more = f" ({len(past)} workers in all)" if len(past) > 1 else ""
            fail(i, "birth_date", f"a worker born {born[i]} reached the statutory retirement age before "
                 f"1 January {start_year} (retirement.rule = {retirement.rule!r}){more}; the roster is the "
                 "workforce in post on that day: remove those who have retired")
    return Roster(path=str(path.resolve()), sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
                  birth=birth, female=female, hire_year=hire_year, education=education, level=level,
                  level_since=level_since, cadre=cadre, district=district)


def deal(per_c: np.ndarray, community_district: np.ndarray, district: np.ndarray | None,
         order: np.ndarray) -> np.ndarray:
    """Which roster worker takes each starting row.

    Rows are laid out community by community (``per_c[c]`` rows for community ``c``).
    ``order`` is a random permutation of the roster; the workers of each district, in
    that order, take the rows of its communities (without ``district``, everyone takes
    any row). Returns the roster index for each row."""
    if district is None:
        return order
    rows_district = np.repeat(community_district, per_c)
    out = np.empty(len(order), np.int64)
    d_of = district[order]
    for d in np.unique(rows_district):
        out[rows_district == d] = order[d_of == d]
    return out
