"""Compiled kernels for the per-worker loops that run several times a year.

Each kernel does in one pass over the workforce what the numpy code beside it (in the
policy modules) does in a dozen whole-array operations; both compute the same rule, and
``tests/test_kernels.py`` checks they agree. Kernels are compiled by numba on first use
and cached on disk (``cache=True``), so a second run does not pay the compilation.
Without numba (or with ``MODEL_NO_NUMBA=1``) the numpy code runs instead. The two agree
in every count, and in sums of money, ages and years worked to rounding (about 1e-11
relative: they add in another order), so a run and its ``rerun`` compare byte for byte
only on the same path; the manifest's versions record which (``numba``: its version, or
"off").
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import numpy as np

try:
    if os.environ.get("MODEL_NO_NUMBA"):
        raise ImportError
    from numba import njit
    ENABLED = True
except ImportError:  # pragma: no cover - exercised with MODEL_NO_NUMBA=1
    ENABLED = False

    def njit(*a, **k):
        def deco(f):
            return f
        return deco


THREADS = 1  # threads for kernels over a big workforce; see `threads`
ROWS_PER_THREAD = 1 << 18  # below this many rows a second thread costs more than it saves
_pool: tuple[int, int, ThreadPoolExecutor] | None = None  # (process id, threads, pool): a forked child makes its own


@contextmanager
def threads(n: int):
    """Let :func:`over_rows` use ``n`` threads inside the block (the runner does so when the
    replications run in this one process; worker processes keep one thread each)."""
    global THREADS
    old, THREADS = THREADS, max(int(n), 1)
    try:
        yield
    finally:
        THREADS = old


def over_rows(n: int, work) -> list:
    """``work(rows)`` over the ``n`` rows: in one call, or, for a big workforce with
    :data:`THREADS` > 1, over consecutive row slices in that many threads (the kernels
    release the GIL). Results in row order. Only for work whose results do not depend on
    how the rows are split: per-row updates, whole-number counts, lists of rows."""
    per = max(ROWS_PER_THREAD, -(-n // (2 * THREADS)))
    if THREADS <= 1 or n <= per:
        return [work(slice(0, n))]
    return list(_threads().map(work, [slice(a, min(a + per, n)) for a in range(0, n, per)]))


PART_ROWS = 1 << 19  # rows per part for work that sums floats (see `over_parts`)


def over_parts(n: int, work) -> list:
    """``work(rows, whole)`` over consecutive parts of :data:`PART_ROWS` rows (one part
    when ``n`` is no more), in :data:`THREADS` threads. For work that sums floats: the
    parts are fixed by the rows alone, so the rounding, and the results, do not depend
    on the threads. ``whole`` is True when one part covers every row (the work may then
    add into its outputs directly, as an undivided pass would)."""
    parts = [slice(a, min(a + PART_ROWS, n)) for a in range(0, n, PART_ROWS)] or [slice(0, 0)]
    if len(parts) == 1:
        return [work(parts[0], True)]
    if THREADS <= 1:
        return [work(r, False) for r in parts]
    return list(_threads().map(lambda r: work(r, False), parts))


def over_parts_into(n: int, out: np.ndarray, work) -> list:
    """:func:`over_parts` for work ``work(rows, into)`` that also adds into the array
    ``out``: each part adds into its own zeroed array (one undivided part, into ``out``
    itself), and those are added into ``out`` in row order. Returns the work's results."""
    def part(rows, whole):
        into = out if whole else np.zeros_like(out)
        return work(rows, into), into
    parts = over_parts(n, part)
    if len(parts) > 1:
        out += add_parts([into for _, into in parts])
    return [res for res, _ in parts]


def over_parts_counting(n: int, counters, work) -> tuple[list, tuple]:
    """:func:`over_parts` for work ``work(rows, counts)`` that also adds whole-number
    counts into ``counts``, a tuple of integer arrays made zeroed by ``counters()``
    (per-community counts, say). The parts are fixed by the rows, as in
    :func:`over_parts`, so the work's own results (float sums) do not depend on the
    threads; the counts are exact in any order, so each thread adds its run of
    consecutive parts into one set of counts, and the sets are added at the end (one
    set per thread, not one per part: per-community arrays are big). Returns the
    work's results in part order and the counts."""
    parts = [slice(a, min(a + PART_ROWS, n)) for a in range(0, n, PART_ROWS)] or [slice(0, 0)]
    groups = THREADS if THREADS > 1 and len(parts) > 1 else 1
    per = -(-len(parts) // groups)

    def run(group):
        counts = counters()
        return [work(r, counts) for r in group], counts
    done = in_threads(run, [parts[a:a + per] for a in range(0, len(parts), per)])
    counts = done[0][1]
    for _, more in done[1:]:
        for total, c in zip(counts, more):
            np.add(total, c, out=total)
    return [r for res, _ in done for r in res], counts


def add_parts(results: list):
    """The part results of :func:`over_parts` added up in row order, element by element
    (each a number, an array or a tuple of them)."""
    first = results[0]
    if len(results) == 1:
        return first
    if isinstance(first, tuple):
        return tuple(add_parts([r[i] for r in results]) for i in range(len(first)))
    if isinstance(first, np.ndarray):
        total = first.copy()
        for r in results[1:]:
            np.add(total, r, out=total)  # in place: per-community arrays are big
        return total
    total = first
    for r in results[1:]:
        total = total + r
    return total


def over_columns(n: int, work, columns) -> None:
    """``work(column)`` for each of ``columns`` of a workforce of ``n`` rows: in
    :data:`THREADS` threads when the workforce is big (each column is its own work)."""
    if n <= ROWS_PER_THREAD:
        for c in columns:
            work(c)
    else:
        in_threads(work, columns)


def in_threads(work, items) -> list:
    """``work(item)`` for each item, in :data:`THREADS` threads if there are several (for
    independent pieces of work on disjoint rows, mostly in numpy or the kernels, which
    release the GIL); results in order."""
    if THREADS <= 1 or len(items) <= 1:
        return [work(i) for i in items]
    return list(_threads().map(work, items))


def _threads() -> ThreadPoolExecutor:
    global _pool
    if _pool is None or _pool[:2] != (os.getpid(), THREADS):
        _pool = (os.getpid(), THREADS, ThreadPoolExecutor(max_workers=THREADS))
    return _pool[2]


def release_threads() -> None:
    """End this process's kernel threads (a later kernel starts them again): after a run,
    so that the process is single-threaded again (the report may then draw in a second
    process, :func:`model.report.figures.write_figures`)."""
    global _pool
    if _pool is not None and _pool[0] == os.getpid():
        _pool[2].shutdown(wait=True)
    _pool = None


@njit(cache=True, nogil=True)
def accrue(exit_time, hire_time, post, grade, level, community, rating, perf_accrued,
           flat, floor_cp, allowance, base_share, cb_lo, cb_hi, hf_lo, hf_hi, hf_own,
           ins_rate, hf_rate, ann_rate, ann_posts, ann_excellent, t0, t1, dist_c, out_dist):
    """Pay earned in [t0, t1); see :mod:`model.policies.pay`. Gross pay as in
    :func:`monthly_pay`. Returns (base, allowance, insurance, housing fund, annuity,
    worker-years). With districts, ``out_dist`` (2 x districts, flat) gets each district's
    pay (base, allowance, contributions) in its first half and worker-years in its second.
    With ``hf_own`` the housing fund's base is clipped to ``[hf_lo, hf_hi]``; else it is
    the insurances' (the same sums as before the fund could have a base of its own)."""
    base = 0.0
    allow = 0.0
    cbw = 0.0
    hfw = 0.0
    annw = 0.0
    wy = 0.0
    perf_share = 1.0 - base_share
    nd = out_dist.size // 2
    has_floor = floor_cp.size > 0
    # selects rather than branches where the outcome varies from row to row
    for i in range(exit_time.size):
        f = min(exit_time[i], t1) - max(hire_time[i], t0)
        if f <= 0.0:
            continue
        w = 12.0 * f
        p = post[i]
        g = flat[p * 18 + grade[i]]
        if has_floor:
            g = max(g, floor_cp[3 * community[i] + p])
        a = allowance[level[i]]
        base += g * w
        if perf_share > 0.0:
            perf_accrued[i] += g * w * perf_share
        allow += a * w
        cb = min(max(g + a, cb_lo), cb_hi)
        cbw += cb * w
        hcb = min(max(g + a, hf_lo), hf_hi) if hf_own else cb
        hfw += hcb * w
        covered = False
        if ann_rate > 0.0:
            covered = (ann_posts[p] > 0.5) | (ann_excellent & (rating[i] == 0))
            annw += cb * w if covered else 0.0
        wy += f
        if nd > 0:
            if hf_own:
                cost = g * base_share + a + ins_rate * cb + hf_rate * hcb
            else:
                cost = g * base_share + a + (ins_rate + hf_rate) * cb
            if covered:
                cost += ann_rate * cb
            d = dist_c[community[i]]
            out_dist[d] += cost * w
            out_dist[nd + d] += f
    return base * base_share, allow, ins_rate * cbw, hf_rate * hfw, ann_rate * annw, wy


@njit(cache=True, nogil=True, inline="always")
def _event_before(u, q, year, t0, t):
    """The instant ``year + u / q`` of an event of the year drawn with probability ``q``
    (it happens when ``u < q``), if it falls in ``[t0, t)``; else +inf."""
    if u < q:
        te = year + u / q
        if te >= t0 and te < t:
            return te
    return np.inf


@njit(cache=True, nogil=True)
def competing_exits(t0, year, hire_year, retire_on, retire_at, edges, rates, quits_on, quit_key,
                    death_rate, death_key, uid, pay_on, elasticity, reference, monthly, wage_last,
                    out_time, out_cause, out_q):
    """This year's exit instant and cause of each row entering at ``t0`` (see
    :mod:`model.policies.quits`): retirement on the statutory birthday, a quit at
    ``year + u/q`` if ``u < q``, a death likewise; the earliest wins (retirement on ties).

    The uniforms are the keyed ones of the quit and death streams (``quit_key`` /
    ``death_key``, sub-stream 0: :func:`keyed_uniform`); ``death_rate`` 0: no deaths.
    With ``pay_on`` the quit probability is scaled by the worker's pay ratio, ``monthly``
    (:func:`monthly_pay`) x 12 / ``wage_last``. ``out_q`` receives each row's quit
    probability (0 when quits are off)."""
    end = year + 1.0
    nb = edges.size
    for i in range(out_time.size):
        t = np.inf
        c = 0
        if retire_on:
            tr = retire_at[i] if retire_at[i] > t0 else t0
            if tr < end:
                t = tr
                c = 2
        out_q[i] = 0.0
        if quits_on:
            tenure = year - hire_year[i]
            b = 0
            while b + 1 < nb and tenure >= edges[b + 1]:
                b += 1
            q = rates[b]
            if pay_on:
                r = 12.0 * monthly[i] / wage_last
                if r < 1e-9:
                    r = 1e-9
                if elasticity == 1.0:
                    q = q * (1.0 / (r / reference))  # as numpy's power(x, -1): a reciprocal
                else:
                    q = q * (r / reference) ** (-elasticity)
            if q > 1.0:
                q = 1.0
            out_q[i] = q
            tq = _event_before(_keyed(quit_key, uid[i], 0), q, year, t0, t)
            if tq < t:
                t = tq
                c = 1
        if death_rate > 0.0:  # deaths whether or not quits are on
            td = _event_before(_keyed(death_key, uid[i], 0), death_rate, year, t0, t)
            if td < t:
                t = td
                c = 3
        out_time[i] = t
        out_cause[i] = c


@njit(cache=True, nogil=True)
def year_end_counts(exit_time, year_end, year, community, level, party, education, birth, hire_year,
                    grade, post, female, exit_cause, flat, floor_cp, allowance, floor_rate, cb_lo, cb_hi,
                    rate2, lo2, hi2, k_level, district_of_c, nd, ncauses, trained, first_new, per_c, cert_c,
                    party_c):
    """One pass over the workforce for every metric of 31 December.

    For the rows still employed: adds per-community workers, those certified at
    ``k_level`` or above and party posts held into ``per_c``, ``cert_c``, ``party_c``;
    returns counts by level (4), by grade (19), by post (3), pay by post (3),
    remuneration by post (3), pyramid counts (20: men 10 bands, women 10 bands), sums
    (n, college, birth, hire_year, grade), and, for ``nd`` > 0 districts
    (``district_of_c``), workers, certified and college-educated by district and workers,
    pay and remuneration by district x post. For the rows that left this year: their number by
    exit cause (``ncauses``). For every row, with districts: those trained this year
    (``trained``) and those added since the year opened (from row ``first_new``: its
    hires), by district.

    Pay is each row's rate on 31 December as yuan a year: :func:`monthly_pay` (``flat``,
    ``floor_cp``, ``allowance``) x 12; remuneration, the gross pay without the allowance
    plus the employer's rate ``floor_rate`` on the contribution base clipped to ``[cb_lo,
    cb_hi]`` (:func:`model.policies.pay.total_of_gross`) and ``rate2`` on it clipped to
    ``[lo2, hi2]`` (a housing fund with a base of its own; else ``rate2`` is 0), x 12 (as
    :func:`model.metrics.annual_pay` and :func:`model.metrics.annual_remuneration`)."""
    lv = np.zeros(4, np.int64)
    gr = np.zeros(19, np.int64)
    npost = np.zeros(3, np.int64)
    pay_post = np.zeros(3)
    rem_post = np.zeros(3)
    pyr = np.zeros(20, np.int64)
    causes = np.zeros(ncauses, np.int64)
    n_d = np.zeros(nd, np.int64)
    cert_d = np.zeros(nd)
    n_dp = np.zeros((nd, 3), np.int64)
    pay_dp = np.zeros((nd, 3))
    rem_dp = np.zeros((nd, 3))
    trained_d = np.zeros(nd, np.int64)
    new_d = np.zeros(nd, np.int64)
    college_d = np.zeros(nd, np.int64)
    n = 0
    college = 0
    bsum = 0.0
    hsum = 0
    gsum = 0
    has_floor = floor_cp.size > 0
    d = 0
    for i in range(exit_time.size):
        if nd > 0:  # every row of the year, leavers too
            d = district_of_c[community[i]]
            trained_d[d] += trained[i]
            new_d[d] += i >= first_new
        if not exit_time[i] > year_end:
            causes[exit_cause[i]] += 1
            continue
        # branch-free adds: levels, party posts, education and sex vary from row to row
        n += 1
        c = community[i]
        per_c[c] += 1
        cert_c[c] += level[i] >= k_level
        party_c[c] += party[i]
        lv[level[i]] += 1
        gr[grade[i]] += 1
        p = post[i]
        gross = flat[p * 18 + grade[i]]
        if has_floor:
            gross = max(gross, floor_cp[3 * c + p])
        annual = (gross + allowance[level[i]]) * 12.0
        own = rate2 * min(max(gross, lo2), hi2)  # 0 where the housing fund shares the insurances' base
        remuneration = (gross + floor_rate * min(max(gross, cb_lo), cb_hi) + own) * 12.0
        npost[p] += 1
        pay_post[p] += annual
        rem_post[p] += remuneration
        college += education[i] >= 1
        bsum += birth[i]
        hsum += hire_year[i]
        gsum += grade[i]
        age = year - int(np.floor(birth[i]))  # population.age_on_31_december
        band = min(max((age - 20) // 5, 0), 9)
        pyr[band + 10 * female[i]] += 1
        if nd > 0:
            n_d[d] += 1
            cert_d[d] += level[i] > 0
            college_d[d] += education[i] >= 1
            n_dp[d, p] += 1
            pay_dp[d, p] += annual
            rem_dp[d, p] += remuneration
    return (lv, gr, npost, pay_post, rem_post, pyr, n, college, bsum, hsum, gsum, causes,
            n_d, cert_d, n_dp, pay_dp, rem_dp, trained_d, new_d, college_d)


@njit(cache=True, nogil=True)
def community_totals(alive, posts, party_posts, households, district, per_c, party_c, cert_c, k_cert, nd):
    """One pass over the communities for the metrics of 31 December (see
    :func:`model.metrics.year_end`), from the workers by community (``per_c``), the party
    posts held (``party_c``) and the certified (``cert_c``): posts in all, communities
    alive, those with their party posts held, vacant posts, communities with at least
    ``k_cert`` certified; and for ``nd`` > 0 districts, households, communities, vacant
    posts, posts (of every community, as the total) and communities with ``k_cert``
    certified by district."""
    posts_total = 0
    n_alive = 0
    party_ok = 0
    vac = 0
    cert_ok = 0
    hh = np.zeros(nd)
    comm_d = np.zeros(nd, np.int64)
    vac_d = np.zeros(nd)
    posts_d = np.zeros(nd, np.int64)
    cert_ok_d = np.zeros(nd, np.int64)
    for c in range(alive.size):
        posts_total += posts[c]
        if nd > 0:
            posts_d[district[c]] += posts[c]
        v = max(posts[c] - per_c[c], 0)
        if not alive[c]:
            continue
        n_alive += 1
        party_ok += (party_c[c] >= party_posts[c]) | (party_posts[c] == 0)
        vac += v
        cert_ok += cert_c[c] >= k_cert
        if nd > 0:
            d = district[c]
            hh[d] += households[c]
            comm_d[d] += 1
            vac_d[d] += v
            cert_ok_d[d] += cert_c[c] >= k_cert
    return posts_total, n_alive, party_ok, vac, cert_ok, hh, comm_d, vac_d, posts_d, cert_ok_d


@njit(cache=True, nogil=True)
def rank_top(groups, keys, m, ngroups):
    """Rank within group of the ``m`` smallest ``keys`` of each group (0 = smallest; ties:
    earlier element first); every other element gets ``m``. One pass keeping each group's
    ``m`` best so far in order (a short insertion list), so it suits small ``m`` (posts
    per community) and many groups. Ranks are int32 and row numbers are kept as int32
    (a workforce of 2^31 rows would need about 190 GB): a national workforce's ranking
    then holds 35 MB less of fresh memory."""
    n = groups.size
    rank = np.full(n, m, np.int32)
    if m <= 0:
        return rank
    best = np.empty((ngroups, m), np.int32)
    bkey = np.empty((ngroups, m))
    cnt = np.zeros(ngroups, np.int64)
    for i in range(n):
        g = groups[i]
        ki = keys[i]
        j = cnt[g]
        if j < m:
            cnt[g] = j + 1
        elif ki < bkey[g, m - 1]:
            j = m - 1
        else:
            continue
        while j > 0 and bkey[g, j - 1] > ki:
            best[g, j] = best[g, j - 1]
            bkey[g, j] = bkey[g, j - 1]
            j -= 1
        best[g, j] = i
        bkey[g, j] = ki
    for g in range(ngroups):
        for j in range(cnt[g]):
            rank[best[g, j]] = j
    return rank


@njit(cache=True, nogil=True)
def grade_scores(z, trained, level, ability, trained_shift, certified_shift, rho_a, c_u, c_b, c_e,
                 rows, rating, score, unq_consec, unq_total):
    """Assessment (see :mod:`model.policies.assessment`): ``z`` holds the yearly normal
    draws (already scaled by sqrt(1 - rho)); returns counts by grade."""
    counts = np.zeros(4, np.int64)
    for j in range(rows.size):
        i = rows[j]
        s = z[j] + rho_a * ability[i]
        if trained[i]:
            s += trained_shift
        if level[i] > 0:
            s += certified_shift
        if s < c_u:
            g = 3
        elif s < c_b:
            g = 2
        elif s >= c_e:
            g = 0
        else:
            g = 1
        rating[i] = g
        score[i] = s
        if g == 3:
            if unq_consec[i] < 100:
                unq_consec[i] += 1
            if unq_total[i] < 100:
                unq_total[i] += 1
        else:
            unq_consec[i] = 0
        counts[g] += 1
    return counts


@njit(cache=True, nogil=True)
def settle(perf_accrued, rating, select, leaver, mult, leaver_mult, dist_c, community, out_dist):
    """Pay out performance pay of the selected rows: ``mult[rating]`` (1 if never rated),
    or ``leaver_mult`` for leavers. Returns the amount paid."""
    paid = 0.0
    nd = out_dist.size
    for i in range(perf_accrued.size):
        if not select[i]:
            continue
        a = perf_accrued[i]
        if a == 0.0:
            continue
        if leaver[i]:
            f = leaver_mult
        elif rating[i] >= 0:
            f = mult[rating[i]]
        else:
            f = 1.0
        paid += a * f
        if nd > 0:
            out_dist[dist_c[community[i]]] += a * f
        perf_accrued[i] = 0.0
    return paid


@njit(cache=True, nogil=True, inline="always")
def _keyed(key, uid, sub):
    """One keyed uniform: the SplitMix64 output for counter ``key + gamma * (uid * 64 + sub)``."""
    z = np.uint64(key) + np.uint64(0x9E3779B97F4A7C15) * (np.uint64(uid) * np.uint64(64) + np.uint64(sub))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    z = z ^ (z >> np.uint64(31))
    return (float(z >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def keyed_uniform(key, ids, sub, out):
    """Uniforms in (0, 1) that depend only on (``key``, id, ``sub``): the SplitMix64
    output for counter ``key + gamma * (id * 64 + sub)``. See :mod:`model.streams`."""
    for i in range(ids.size):
        out[i] = _keyed(key, ids[i], sub)


@njit(cache=True, nogil=True)
def stream_key(base, a, b):
    """``SeedSequence(entropy).generate_state(1, np.uint64)[0]`` for the entropy words
    ``base`` (the run's seed, padded to 4 words, and the replication's spawn key)
    followed by the words ``a`` and ``b`` (each below 2^32): numpy's own algorithm (the
    hash of O'Neill's seed_seq_fe), in 32-bit arithmetic, some ten times quicker than
    making the SeedSequence (see :class:`model.streams.Streams`)."""
    m32 = np.uint64(0xFFFFFFFF)
    s16 = np.uint64(16)
    n = base.size + 2
    entropy = np.empty(n, np.uint64)
    for i in range(base.size):
        entropy[i] = base[i]
    entropy[n - 2] = a
    entropy[n - 1] = b
    pool = np.zeros(4, np.uint64)
    h = np.uint64(0x43B0D7E5)  # INIT_A, MULT_A: hashmix
    mult_a = np.uint64(0x931E8875)
    mix_l = np.uint64(0xCA01F9DD)  # MIX_MULT_L, MIX_MULT_R: mix
    mix_r = np.uint64(0x4973F715)
    for i in range(4):
        v = (entropy[i] if i < n else np.uint64(0)) ^ h
        h = (h * mult_a) & m32
        v = (v * h) & m32
        pool[i] = v ^ (v >> s16)
    for i_src in range(n):  # the pool mixed with itself, then with the rest of the entropy
        for i_dst in range(4):
            if i_src == i_dst:
                continue
            v = (pool[i_src] if i_src < 4 else entropy[i_src]) ^ h
            h = (h * mult_a) & m32
            v = (v * h) & m32
            v ^= v >> s16
            r = (mix_l * pool[i_dst] - mix_r * v) & m32
            pool[i_dst] = r ^ (r >> s16)
    hb = np.uint64(0x8B51F9DD)  # INIT_B, MULT_B: generate_state
    mult_b = np.uint64(0x58F38DED)
    out = np.uint64(0)
    for i in range(2):  # two 32-bit words, little-endian
        v = pool[i] ^ hb
        hb = (hb * mult_b) & m32
        v = (v * hb) & m32
        out |= (v ^ (v >> s16)) << np.uint64(32 * i)
    return out


@njit(cache=True, nogil=True)
def keyed_uniforms(key, ids, sub0, out):
    """``out[j, i]`` = :func:`keyed_uniform` of ``ids[i]`` with sub-stream ``sub0 + j``."""
    for j in range(out.shape[0]):
        keyed_uniform(key, ids, np.uint64(sub0 + j), out[j])


@njit(cache=True, nogil=True)
def elect(exit_time, hire_time, t, community, post, grade, score, party, heads, committee, alive,
          min_grade_head, min_grade_committee, c_lo, c_hi):
    """Elections (see :mod:`model.policies.elections`) in the communities ``c_lo`` to
    ``c_hi - 1``: in each, vacant head posts go to the best-scoring committee members,
    then staff; then vacant committee posts to the best-scoring remaining staff (ties:
    earlier row first). A worker moving up takes at least the new post's minimum grade
    and leaves any party-building staff post (``party``) for hiring to fill.
    Returns the number moved. Communities are independent, so disjoint ranges may run at
    once (in threads).

    Two passes over the rows: one counts the posts held, one keeps each community's
    best candidates; the moves are then settled community by community."""
    n = community.size
    m = c_hi - c_lo  # communities here; `cc` is a community's place among them
    # posts held, by community x post; branch-free (posts vary from row to row)
    held = np.zeros(3 * m, np.int64)
    for i in range(n):
        cc = community[i] - c_lo
        if cc < 0 or cc >= m:
            continue
        held[3 * cc + post[i]] += (exit_time[i] > t) & (hire_time[i] <= t)
    held_h = held[2::3]
    held_c = held[1::3]
    need_h = np.zeros(m, np.int64)
    # two candidate lists per community, in one array: list cc holds committee members
    # for head, list m + cc the staff (as many as both posts could need: committee
    # members moving up leave seats); each is kept best first (ties: earlier row)
    off = np.zeros(2 * m + 1, np.int64)
    size = np.zeros(2 * m, np.int64)
    for cc in range(m):
        if alive.size > 0 and not alive[c_lo + cc]:
            continue
        if heads > held_h[cc]:
            need_h[cc] = heads - held_h[cc]
        size[cc] = need_h[cc]
        if committee > 0:
            size[m + cc] = need_h[cc] + max(committee - held_c[cc], 0) + need_h[cc]
        else:
            size[m + cc] = need_h[cc]
    for k in range(2 * m):
        off[k + 1] = off[k] + size[k]
    if off[2 * m] == 0:
        return 0
    lst = np.empty(off[2 * m], np.int64)
    key = np.empty(off[2 * m])
    cnt = np.zeros(2 * m, np.int64)
    for i in range(n):
        cc = community[i] - c_lo
        if cc < 0 or cc >= m:
            continue
        p = post[i]
        L = cc + (p != 1) * m
        # one test for "an active committee member or staff whose list has room"
        r = size[L] * ((p != 2) & (exit_time[i] > t) & (hire_time[i] <= t))
        if r == 0:
            continue
        o = off[L]
        si = score[i]
        j = cnt[L]
        if j < r:
            cnt[L] = j + 1
        elif si > key[o + r - 1]:
            j = r - 1
        else:
            continue
        while j > 0 and key[o + j - 1] < si:
            lst[o + j] = lst[o + j - 1]
            key[o + j] = key[o + j - 1]
            j -= 1
        lst[o + j] = i
        key[o + j] = si
    moved = 0
    for cc in range(m):
        up_h = cnt[cc]  # committee members to head: at most need_h[cc] by the list's length
        s0 = off[m + cc]
        n_s = cnt[m + cc]
        staff_h = min(need_h[cc] - up_h, n_s)  # staff to head
        staff_c = 0  # staff to committee
        if committee > 0 and (alive.size == 0 or alive[c_lo + cc]):
            staff_c = max(min(committee - (held_c[cc] - up_h), n_s - staff_h), 0)
        for j in range(up_h + staff_h + staff_c):
            i = lst[off[cc] + j] if j < up_h else lst[s0 + j - up_h]
            target, floor = (2, min_grade_head) if j < up_h + staff_h else (1, min_grade_committee)
            post[i] = target
            party[i] = False
            if grade[i] < floor:
                grade[i] = floor
        moved += up_h + staff_h + staff_c
    return moved


@njit(cache=True, nogil=True)
def exam(exit_time, hire_time, t, year, level, education, hire_year, level_since, attempts, trained,
         community, uid, post, grade, key, min_education, years_to_sit, sit_prob, pass_prob,
         next_level_years, next_sit_prob, pass_intermediate, pass_senior, trained_bonus,
         education_bonus, attempt_bonus, max_attempts, scale_c, grades_enabled, steps,
         max_grade):
    """The exam (see :mod:`model.policies.certification`) in one pass: who sits, who
    passes (one keyed uniform per eligible worker: sub-stream 0 for a first certificate,
    1 for the next level), attempts, new levels and the grade bonus. ``years_to_sit``: the
    years of service needed to sit, by education level; ``steps[e, l]``: the grades a
    worker of education ``e`` moves up on passing from level ``l``. Returns (sitters,
    passes)."""
    sitters = 0
    passes = 0
    for i in range(level.size):
        if not (exit_time[i] > t and hire_time[i] <= t):
            continue
        lv = level[i]
        if lv == 0:
            if education[i] < min_education or year - hire_year[i] < years_to_sit[education[i]]:
                continue
            sub = 0
            sit = sit_prob
            base = pass_prob
        elif next_level_years > 0 and lv <= 2 and year - level_since[i] >= next_level_years:
            sub = 1
            sit = next_sit_prob
            base = pass_intermediate if lv == 1 else pass_senior
        else:
            continue
        if base <= 0.0:  # a level not examined (this year): nobody sits it
            continue
        u = _keyed(key, uid[i], sub)
        prob = base + (trained_bonus if trained[i] else 0.0) + education_bonus[education[i]]
        prob += attempt_bonus * min(attempts[i], max_attempts)
        if scale_c.size > 0:
            prob *= scale_c[community[i]]
        prob = min(max(prob, 0.0), 1.0)
        if u < sit:
            sitters += 1
        if u < sit * prob:
            passes += 1
            level[i] = lv + 1
            level_since[i] = year
            attempts[i] = 0
            if grades_enabled:
                hi = max_grade[post[i]]
                g = grade[i] + steps[education[i], lv]
                top = hi if hi > grade[i] else grade[i]
                grade[i] = min(max(g, 1), top)
        elif u < sit:
            attempts[i] = min(attempts[i] + 1, 127)
    return sitters, passes


@njit(cache=True, nogil=True)
def training_due(exit_time, hire_time, t, year, date, post, interval, due):
    """Training (see :mod:`model.policies.training`): ``due[i]`` is whether worker ``i``
    is employed at ``t`` and due this year (whole years since the year of their first
    training date in post, ``ceil(hire_time - date)``, a multiple of their post's
    ``interval``)."""
    for i in range(post.size):
        first = np.int64(np.ceil(hire_time[i] - date))
        due[i] = (exit_time[i] > t) & (hire_time[i] <= t) & ((year - first) % interval[post[i]] == 0)


@njit(cache=True, nogil=True)
def grade_steps(exit_time, hire_time, t, year, post, grade, grade_since, rating, uid, key,
                step_years, min_rating, step_prob, max_grade):
    """Grade steps (see :mod:`model.policies.grades`): one keyed uniform per active
    worker; returns the number of steps."""
    steps = 0
    for i in range(post.size):
        if not (exit_time[i] > t and hire_time[i] <= t):
            continue
        u = _keyed(key, uid[i], 0)
        if (year + 1 - grade_since[i] >= step_years and rating[i] <= min_rating
                and grade[i] < max_grade[post[i]] and u < step_prob):
            grade[i] += 1
            grade_since[i] = year + 1
            steps += 1
    return steps


@njit(cache=True, nogil=True, inline="always")
def _promotion_key(rating, score):
    """Promotion-out order, smallest first: grade of assessment x 1000 - score; never
    assessed: 1500 (after the qualified)."""
    return 1.5e3 if rating < 0 else np.float64(rating) * 1e3 - np.float64(score)


@njit(cache=True, nogil=True)
def promotion_pick(exit_time, hire_time, t, post, rating, score, eligible_post, k):
    """The ``k`` active workers in the eligible posts with the smallest promotion keys
    (grade of assessment x 1000 - score; never assessed: 1500; ties: earlier row), in
    one pass (see :mod:`model.policies.promotion_out`). Returns their rows and keys, in
    no particular order.

    The best so far are kept in a heap whose root is the worst of them, by (key, row):
    a worker enters only by beating the root (a tie on the key loses, being a later
    row), so the pass costs ``n + m log k`` for the ``m`` entries."""
    k = max(k, 0)
    best = np.empty(k, np.int64)
    key = np.empty(k)
    cnt = 0
    if k == 0:
        return best, key
    for i in range(post.size):
        if not (exit_time[i] > t and hire_time[i] <= t and eligible_post[post[i]]):
            continue
        ki = _promotion_key(rating[i], score[i])
        if cnt < k:  # fill, sifting the new entry up towards the root
            j = cnt
            cnt += 1
            while j > 0:
                up = (j - 1) // 2
                if key[up] > ki or (key[up] == ki and best[up] > i):
                    break
                best[j] = best[up]
                key[j] = key[up]
                j = up
            best[j] = i
            key[j] = ki
            continue
        if not ki < key[0]:
            continue
        j = 0  # replace the root, sifting down
        while True:
            c = 2 * j + 1
            if c >= k:
                break
            if c + 1 < k and (key[c + 1] > key[c] or (key[c + 1] == key[c] and best[c + 1] > best[c])):
                c += 1
            if key[c] < ki or (key[c] == ki and best[c] < i):
                break
            best[j] = best[c]
            key[j] = key[c]
            j = c
        best[j] = i
        key[j] = ki
    return best[:cnt], key[:cnt]


@njit(cache=True, nogil=True)
def active_by_community(exit_time, hire_time, t, community, party, nc):
    """Workers employed at ``t`` per community, and those of them holding a
    party-building post (see :func:`model.policies.recruitment.vacancies`)."""
    active_c = np.zeros(nc, np.int64)
    party_c = np.zeros(nc, np.int64)
    for i in range(exit_time.size):
        # branch-free adds (whether a row is active varies from row to row near a round)
        a = (exit_time[i] > t) & (hire_time[i] <= t)
        c = community[i]
        active_c[c] += a
        party_c[c] += a & party[i]
    return active_c, party_c


@njit(cache=True, nogil=True)
def monthly_pay(post, grade, level, community, flat, floor_cp, allowance, out):
    """Monthly gross pay of each row (see :meth:`model.policies.pay.PayYear.gross_of`): the
    table entry raised to the floor of its community and post (``floor_cp``, flat by
    community x 3 + post; empty for no floors), plus ``allowance[level]`` (zeros: gross
    pay only)."""
    if floor_cp.size > 0:
        for i in range(post.size):
            p = post[i]
            out[i] = max(flat[p * 18 + grade[i]], floor_cp[3 * community[i] + p]) + allowance[level[i]]
    else:
        for i in range(post.size):
            out[i] = flat[post[i] * 18 + grade[i]] + allowance[level[i]]


@njit(cache=True, nogil=True)
def compact_rows(keep, block, n):
    """Move the items of each row of a 2-D ``block`` (columns of one item width, one per
    block row, the first ``n`` items in use) where ``keep`` (0/1 bytes) is 1 to the row's
    front, in order, in place (see :meth:`model.population.Workforce.keep`); returns their
    number. Branch-free: each item is copied to the next free place, which advances only
    past kept items. One call for many columns (or for one, as a one-row slice)."""
    j = 0
    for r in range(block.shape[0]):
        col = block[r]
        j = 0
        for i in range(n):
            col[j] = col[i]
            j += keep[i]
    return j


@njit(cache=True, nogil=True)
def split_staff(active, post, community, new_of):
    """Move half the active workers (rounded down; staff only, post 0) of each splitting
    community ``c`` (``new_of[c] >= 0``) to its new half ``new_of[c]``, evenly spaced
    among its active staff in row order (see :func:`model.policies.demand.split_and_merge`)."""
    workers = np.zeros(new_of.size, np.int64)
    staff = np.zeros(new_of.size, np.int64)
    for i in range(community.size):
        c = community[i]
        if new_of[c] >= 0 and active[i]:
            workers[c] += 1
            staff[c] += post[i] == 0
    seen = np.zeros(new_of.size, np.int64)
    for i in range(community.size):
        c = community[i]
        if new_of[c] < 0 or post[i] != 0 or not active[i]:
            continue
        k = min(workers[c] // 2, staff[c])
        j = seen[c]
        if (j + 1) * k // staff[c] > j * k // staff[c]:
            community[i] = new_of[c]
        seen[c] += 1


@njit(cache=True, nogil=True)
def vacant_slots(vac, party_now, now, party_ahead, flag):
    """Every vacant post of a recruitment round: (community, is party post, stable slot id
    ``flag | community << 20 | slot``); in each community the first ``party_now`` slots and
    the ``party_ahead`` after its first ``now`` (the posts vacant now) are party-building
    posts; see :func:`model.policies.recruitment.choose_slots`."""
    n = 0
    for c in range(vac.size):
        n += vac[c]
    comm = np.empty(n, np.int64)
    is_party = np.empty(n, np.bool_)
    ids = np.empty(n, np.uint64)
    j = 0
    for c in range(vac.size):
        for s in range(vac[c]):
            comm[j] = c
            is_party[j] = s < party_now[c] or (s >= now[c] and s < now[c] + party_ahead[c])
            ids[j] = flag | (np.uint64(c) << np.uint64(20)) | np.uint64(s)
            j += 1
    return comm, is_party, ids


@njit(cache=True, nogil=True, inline="always")
def _days_in_month(month_index, days):
    """Days in the month ``month_index`` (months since January of year 0, Gregorian)."""
    year = month_index // 12
    month = month_index - 12 * year
    leap = (year % 4 == 0) and (year % 100 != 0 or year % 400 == 0)
    return days[month] + (1 if month == 1 and leap else 0)


@njit(cache=True, nogil=True)
def retirement_instants(birth, female, cadre, statutory, fixed_men, fixed_women, base_month, orig_months,
                        step, max_delay, days, month_eps, day_eps, out):
    """``out[i]``: the instant worker ``i`` reaches the retirement age, in one pass; the
    same floating-point operations, in the same order, as
    :func:`model.policies.retirement_age.retirement_time` (its statutory age, then
    :func:`~model.policies.retirement_age.months_later`), so the two agree to the last
    bit. ``statutory``: the 2025 reform's ages from the category tables (by category 0
    men, 1 women in cadre posts, 2 women in worker posts); otherwise ``fixed_men`` and
    ``fixed_women`` months."""
    for i in range(birth.size):
        t = birth[i]
        month = np.floor(t * 12.0 + month_eps)  # the birth month, months since year 0
        mi = np.int64(month)
        if statutory:
            cat = (1 if cadre[i] else 2) if female[i] else 0
            k = mi - base_month[cat] + 1
            age = orig_months[cat] + min(max(-((-k) // step[cat]), 0), max_delay[cat])
        else:
            age = fixed_women if female[i] else fixed_men
        d = max(t * 12.0 - month, 0.0) * _days_in_month(mi, days)  # days into the month
        day = np.floor(d + day_eps)
        later = mi + age
        n = _days_in_month(later, days)
        year = later // 12
        m = later - 12 * year
        part = d - day  # of the day: 0 for a date (within rounding)
        out[i] = year + (m + (min(day, n - 1) + (part if part > day_eps else 0.0)) / n) / 12


# -- the on-disk cache ----------------------------------------------------------------

def _dispatchers() -> dict:
    """Every compiled kernel of this module, by name (not those inlined into the others,
    which are never compiled on their own)."""
    if not ENABLED:
        return {}
    from numba.core.dispatcher import Dispatcher
    return {name: f for name, f in globals().items()
            if isinstance(f, Dispatcher) and f.targetoptions.get("inline") != "always"}


def uncached() -> list[str]:
    """Kernels with no compiled code on disk for this source and numba version (numba's own
    check of the index beside its cache: the first run after an install, or after an update
    of this file). Empty if numba is off, or if this numba keeps its cache otherwise (the
    index is read through numba internals; a numba without them is never warmed up)."""
    try:
        return [name for name, f in _dispatchers().items() if not f._cache._cache_file._load_index()]
    except Exception:  # pragma: no cover - another numba's internals
        return []


def warm_up_scenario():
    """The scenario whose one replication calls every kernel with the argument types of
    every scenario (``scenarios/example-city.toml``, every mechanism on; ``tests/test_kernels.py``
    checks it), or None in an installation without the repository's ``scenarios/``."""
    from . import scenario as S
    path = S.SCENARIO_DIR / "example-city.toml"
    return path if path.is_file() else None


def warm_up() -> None:
    """Compile, and cache on disk, every kernel not yet cached, so that no later run pays
    the compilation: one replication of :func:`warm_up_scenario` (nothing without it).
    About a second per kernel not yet cached; the others load from the cache."""
    path = warm_up_scenario()
    if path is not None:
        from . import scenario as S
        from .engine import run_replication
        run_replication(S.load(path), 0, 0)
