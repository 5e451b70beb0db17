"""The workforce as a struct of arrays: one row per worker in the current year.

Every attribute is a numpy column; mechanisms act on all rows at once. Rows are
appended on hire and dropped at the end of the year in which their holder left, after
the year's flows and pay are counted (so memory is bounded by the workforce, not by
everyone ever employed).

Times are in years: ``2025.5`` is mid-2025. Age on 1 January of year ``y``, in whole years
(周岁, a birthday counting from its day), is ``floor(y - birth)``, and on 31 December
``y - floor(birth)``; the birthday in year ``y`` falls at ``y + frac(birth)``, and the
birth month (which sets the statutory retirement month) is ``floor(12 * frac(birth)) + 1``
(a roster's birth dates keep it exact: :func:`model.roster.date_instant`).
Tenure (years of service) on 1 January of ``y`` is ``y - hire_year``.
"""

from __future__ import annotations

import os
import threading

import numpy as np

# Exit causes; index 0 means still active.
CAUSES = ("active", "quit", "retired", "death", "dismissed_assessment", "dismissed_cert",
          "eliminated", "nonrenewal", "promoted_out")
QUIT, RETIRED, DEATH, DISMISSED_ASSESSMENT, DISMISSED_CERT, ELIMINATED, NONRENEWAL, PROMOTED_OUT = range(1, 9)

COLUMNS = {
    "birth": np.float64,        # birth instant (years)
    "female": np.bool_,
    "cadre": np.bool_,          # women only: original retirement age 55 (True) or 50
    "retire_at": np.float64,    # statutory retirement instant
    "hire_year": np.int32,
    "hire_time": np.float64,    # entry instant (pay is pro rata from here)
    "exit_time": np.float64,    # +inf while active
    "exit_cause": np.int8,
    "quit_prob": np.float64,    # this year's quit probability (model.policies.quits); float64, so that the
                                # exits expected (recruitment.anticipate_exits) add up to a half exactly
    "education": np.int8,       # schema.EDUCATION index
    "level": np.int8,           # certificate level, schema.LEVELS index
    "level_since": np.int32,    # year the level was obtained
    "sit_from": np.int32,       # first year they could sit the exam, for the certificate deadline, where
                                # a degree in service moved it (model.policies.degrees); 0: from hire
                                # year and education (the exam itself reads education)
    "attempts": np.int8,        # failed attempts at the next level
    "community": np.int32,
    "post": np.int8,            # schema.POSTS index
    "grade": np.int8,           # 1..18
    "grade_since": np.int32,    # year from which time in grade counts
    "trained": np.bool_,        # trained this year
    "rating": np.int8,          # last assessment grade (schema.GRADES index), -1 none
                                # (starting workers: see Replication._reads_last_years_grades)
    "score": np.float32,        # last latent performance score
    "ability": np.float32,      # persistent part of the score
    "unq_consec": np.int8,      # consecutive unqualified years
    "unq_total": np.int8,       # unqualified years in all
    "party": np.bool_,          # holds a party-building post
    "perf_accrued": np.float64,  # performance pay earned this year, before the grade multiplier
    "uid": np.uint64,           # stable worker id: keys the worker's random draws (model.streams)
}

CHUNK = 1 << 16  # rows per chunk where a whole-array step over a big workforce would make big temporaries


def age_on_1_january(birth: np.ndarray, year: int) -> np.ndarray:
    """Whole years of age (周岁) on 1 January of ``year`` of those born at the instants
    ``birth``: a birthday counts from its day, so one born on 1 January is a year older that
    day."""
    return np.floor(year - np.asarray(birth)).astype(np.int32)


def age_on_31_december(birth: np.ndarray, year: int) -> np.ndarray:
    """Whole years of age (周岁) on 31 December of ``year`` (a 1 January birthday still to
    come; :func:`model.kernels.year_end_counts` counts the same)."""
    return year - np.floor(np.asarray(birth)).astype(np.int32)


def age_on_date(birth: np.ndarray, year: int, date: float) -> np.ndarray:
    """Whole years of age (周岁) on the day of the instant ``year + date`` (``date`` a fraction
    of the year, 1.0 the end of 31 December: :func:`age_on_31_december`, a 1 January
    birthday still to come)."""
    if date >= 1.0:
        return age_on_31_december(birth, year)
    return np.floor(year + date - np.asarray(birth)).astype(np.int32)


def post_of_rank(rank: np.ndarray, heads: int, committee: int) -> np.ndarray:
    """The post (2 head, 1 committee member, 0 staff: schema.POSTS) of the worker ranked
    ``rank`` (0 first) in a community of ``heads`` head and ``committee`` committee posts."""
    return np.where(rank < heads, 2, np.where(rank < heads + committee, 1, 0)).astype(np.int8)


def row_chunks(rows: slice, size: int | None = None) -> list[slice]:
    """Consecutive slices of at most ``size`` (default :data:`CHUNK`) rows covering
    ``rows``, in order."""
    size = size or CHUNK
    return [slice(a, min(a + size, rows.stop)) for a in range(rows.start, rows.stop, size)]


def _blocks_by_width() -> dict[int, tuple[str, ...]]:
    """The columns grouped by the width of their items (8, 4 and 1 bytes)."""
    widths: dict[int, list[str]] = {}
    for name, dt in COLUMNS.items():
        widths.setdefault(np.dtype(dt).itemsize, []).append(name)
    return {w: tuple(names) for w, names in widths.items()}


BLOCKS = _blocks_by_width()
_UNSIGNED = {8: np.uint64, 4: np.uint32, 2: np.uint16, 1: np.uint8}


MAX_PEOPLE = 20_000_000
"""Most people one replication may hold at once (its workers, this year's leavers and the
vacancies being filled): five times China's 4.3 million community workers (FIGURES.md
section 2). A scenario that asks for more (a runaway staffing rule, a huge campaign) is a
mistake; it would otherwise run until memory is out (about 100 bytes a person)."""

MAX_COMMUNITIES = 10_000_000
"""Most communities a replication may have (China has about 650,000)."""


def check_size(n: int, of: str, what: str, year: int | None, field: str, hint: str) -> None:
    """Raise a :class:`~model.errors.UserError` naming ``field`` if ``n`` exceeds the limit
    ``of`` ``"people"`` (:data:`MAX_PEOPLE`) or ``"communities"`` (:data:`MAX_COMMUNITIES`)."""
    limit = {"people": MAX_PEOPLE, "communities": MAX_COMMUNITIES}[of]
    if n > limit:
        from .errors import UserError
        when = f" in {year}" if year is not None else ""
        raise UserError(f"the scenario asks for {n:,} {what}{when}, more than this model handles in one "
                        f"replication ({limit:,}); {hint}", field=field)


def capacity_for(rows: int) -> int:
    """Rows to reserve for a starting workforce of ``rows``: room for a year's hires
    before the leavers are dropped at the year's end."""
    return int(rows * 1.3) + 1024


ROWS_AHEAD = 1 << 18
"""Workforces from this many rows up are worth making room for ahead (:func:`make_room_ahead`)."""

_ahead: tuple | None = None  # (capacity, threads, blocks) of `make_room_ahead`
_ahead_lock = threading.Lock()


def make_room_ahead(rows: int) -> None:
    """Start making the column blocks of a workforce of about ``rows`` starting rows in
    background threads; the first workforce to grow from empty takes them if they hold
    the rows it reserves (see :meth:`Workforce.reserve`), or else lets them go.

    The blocks hold :func:`capacity_for` a quarter more rows than ``rows`` (an estimate:
    room that is not written costs only address space); their first rows (the starting
    rows and about a year's hires on top) are written with zeros once. The first write
    to fresh memory costs the operating system a page fault and a page of zeros, and on
    a virtual machine often the host's own first touch as well; for a national workforce
    (4.3 million rows, about 430 MB with the first year's hires) about 1 s on a fresh
    machine, against 0.03 s for memory touched before. Started while the rest of the
    model is still being imported (``model run`` does so for a big scenario simulated in
    its own process), that cost is paid on the other core: numpy releases the GIL while
    it writes, so the imports go on meanwhile (with one thread per core, up to 4, each
    writing its share of the rows: measured on this 2-core machine from fresh memory,
    0.3-0.5 s sooner done than with one)."""
    global _ahead
    rows = max(int(rows), 0)
    cap = capacity_for(int(rows * 1.25))
    touch = min(cap, int(rows * 1.15))  # the starting rows and about a year's hires
    blocks = {w: np.empty((len(names), cap), dtype=_UNSIGNED[w]) for w, names in BLOCKS.items()}
    ways = min(os.cpu_count() or 1, 4)  # on a fresh virtual machine two threads fault pages in faster than one
    parts = [(b, slice(touch * j // ways, touch * (j + 1) // ways)) for b in blocks.values() for j in range(ways)]

    def make(mine):
        for b, s in mine:
            b[:, s] = 0
    threads = [threading.Thread(target=make, args=(parts[j::ways],), name="workforce-room-ahead", daemon=True)
               for j in range(ways)]
    for th in threads:
        th.start()
    with _ahead_lock:
        _ahead = (cap, threads, blocks)


def _blocks_made_ahead(cap: int) -> dict | None:
    """The blocks of :func:`make_room_ahead`, once (waiting for their threads): to the
    first workforce that grows from empty, if they hold ``cap`` rows; else None, and
    they are let go."""
    global _ahead
    with _ahead_lock:
        ahead, _ahead = _ahead, None
    if ahead is None or ahead[0] < cap:
        return None
    for th in ahead[1]:
        th.join()
    return ahead[2]


def drop_room_ahead() -> None:
    """Let go of room made ahead that no workforce took (a run that stopped early)."""
    global _ahead
    with _ahead_lock:
        _ahead = None


class Workforce:
    """Columns of equal length ``n`` (with spare capacity behind them).

    The columns are stored by the width of their items in a few 2-D blocks, one column
    per block row, each column a contiguous view of its row; so adding, growing and
    (for a small workforce) dropping rows take one numpy call per block, not one per
    column."""

    def __init__(self, capacity: int = 1024):
        self.n = 0
        self._cap = max(int(capacity), 16)
        # empty, not zeros: rows are zeroed as they are added, so spare capacity is never
        # touched (zeros would clear it all when the allocator keeps large blocks, see
        # model.runner)
        self._set_blocks({w: np.empty((len(names), self._cap), dtype=_UNSIGNED[w]) for w, names in BLOCKS.items()})

    def _set_blocks(self, blocks: dict) -> None:
        self._blocks = blocks
        d = self.__dict__
        for w, names in BLOCKS.items():
            for i, name in enumerate(names):
                d["_" + name] = blocks[w][i].view(COLUMNS[name])
        self._views()

    def _views(self) -> None:
        # column attributes are views of the first n rows of each buffer; refreshed
        # whenever n or a buffer changes, so reading a column costs a dict lookup
        d = self.__dict__
        for name in COLUMNS:
            d[name] = d["_" + name][: self.n]

    @classmethod
    def from_columns(cls, **cols) -> "Workforce":
        """A workforce with the given columns (others zero; active; unrated). For tests."""
        k = len(next(iter(cols.values())))
        w = cls(k)
        w.add(k)
        for name, v in cols.items():
            getattr(w, name)[:] = v
        return w

    def __len__(self):
        return self.n

    def reserve(self, capacity: int) -> None:
        """Make room for ``capacity`` rows without growing again."""
        if capacity > self._cap:
            self._grow(capacity)

    def _grow(self, cap: int) -> None:
        ahead = _blocks_made_ahead(cap) if self.n == 0 else None
        if ahead is not None:
            cap = next(iter(ahead.values())).shape[1]
        blocks = {}
        for w, old in self._blocks.items():
            blocks[w] = ahead[w] if ahead is not None else np.empty((old.shape[0], cap), dtype=old.dtype)
            blocks[w][:, : self.n] = old[:, : self.n]
        self._cap = cap
        self._set_blocks(blocks)

    def add(self, k: int) -> slice:
        """Append ``k`` rows (zeroed, active) and return their slice."""
        need = self.n + k
        if need > self._cap:
            self._grow(max(need, int(self._cap * 1.5)))
        s = slice(self.n, need)
        for b in self._blocks.values():
            b[:, s] = 0
        self.__dict__["_exit_time"][s] = np.inf
        self.__dict__["_rating"][s] = -1
        self.n = need
        self._views()
        return s

    def keep(self, mask: np.ndarray) -> None:
        """Drop the rows where ``mask`` is False, keeping order."""
        # a copy: the mask may be a view of a column, which the in-place path rewrites
        mask = np.array(mask, dtype=bool)
        if mask.shape != (self.n,):
            raise ValueError(f"keep: a mask of {self.n} rows is needed, got shape {mask.shape}")
        k = int(np.count_nonzero(mask))
        if k == self.n:
            return
        from . import kernels  # here, not above: loading a scenario need not import numba
        if kernels.ENABLED:  # in place, no index array
            keep = mask.view(np.uint8)
            if kernels.THREADS > 1 and self.n > kernels.ROWS_PER_THREAD:  # a column per thread at a time
                # each column as a one-row slice of its block: the same compiled function (and
                # types) as below, so a first big run compiles nothing a small one has not
                columns = [b[i:i + 1] for b in self._blocks.values() for i in range(b.shape[0])]
                kernels.over_columns(self.n, lambda col: kernels.compact_rows(keep, col, self.n), columns)
            else:  # a call per block of columns
                for b in self._blocks.values():
                    kernels.compact_rows(keep, b, self.n)
        else:
            idx = np.flatnonzero(mask)
            for b in self._blocks.values():
                b[:, :k] = np.take(b, idx, axis=1)
        self.n = k
        self._views()

    def active(self, t: float, rows: slice = slice(None)) -> np.ndarray:
        """Mask of rows (all, or the slice ``rows``) employed at instant ``t`` (entered by
        then, not yet left)."""
        return (self.exit_time[rows] > t) & (self.hire_time[rows] <= t)

    def age(self, year: int) -> np.ndarray:
        """Age on 1 January of ``year``."""
        return age_on_1_january(self.birth, year)

    def tenure(self, year: int) -> np.ndarray:
        """Years of service on 1 January of ``year``."""
        return year - self.hire_year

    def leave(self, rows, t: float, cause: int) -> None:
        """Rows leave at instant ``t`` for ``cause`` (only those still active then)."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        still = self.exit_time[rows] > t
        rows = rows[still]
        self.exit_time[rows] = t
        self.exit_cause[rows] = cause
