"""Compiled kernels for the per-worker loops that run several times a year.

Each kernel does in one pass over the workforce what the numpy code beside it (in the
policy modules) does in a dozen whole-array operations; both compute the same rule, and
``tests/test_kernels.py`` checks they agree. Kernels are compiled by numba on first use
and cached on disk (``cache=True``), so a second run does not pay the compilation.
Without numba (or with ``MODEL_NO_NUMBA=1``) the numpy code runs instead.
"""

from __future__ import annotations

import os

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


@njit(cache=True, nogil=True)
def accrue(exit_time, hire_time, post, grade, level, community, rating, perf_accrued,
           flat, floor_post, dfloor_c, has_floor, allowance, base_share, cb_lo, cb_hi,
           ins_rate, hf_rate, ann_rate, ann_posts, ann_excellent, t0, t1, dist_c, out_dist):
    """Pay earned in [t0, t1); see :mod:`model.policies.pay`. Returns
    (base, allowance, insurance, housing fund, annuity, worker-years)."""
    base = 0.0
    allow = 0.0
    cbw = 0.0
    annw = 0.0
    wy = 0.0
    perf_share = 1.0 - base_share
    nd = out_dist.size
    for i in range(exit_time.size):
        e = exit_time[i] if exit_time[i] < t1 else t1
        s = hire_time[i] if hire_time[i] > t0 else t0
        f = e - s
        if f <= 0.0:
            continue
        w = 12.0 * f
        p = post[i]
        g = flat[p * 18 + grade[i]]
        if has_floor:
            fl = floor_post[p]
            if dfloor_c.size > 0 and p < 2:
                d = dfloor_c[community[i]]
                if d >= 0.0:
                    fl = d
            if g < fl:
                g = fl
        a = allowance[level[i]]
        base += g * w
        if perf_share > 0.0:
            perf_accrued[i] += g * w * perf_share
        allow += a * w
        cb = g + a
        if cb < cb_lo:
            cb = cb_lo
        if cb > cb_hi:
            cb = cb_hi
        cbw += cb * w
        covered = False
        if ann_rate > 0.0:
            covered = ann_posts[p] > 0.5 or (ann_excellent and rating[i] == 0)
            if covered:
                annw += cb * w
        wy += f
        if nd > 0:
            cost = g * base_share + a + (ins_rate + hf_rate) * cb
            if covered:
                cost += ann_rate * cb
            out_dist[dist_c[community[i]]] += cost * w
    return base * base_share, allow, ins_rate * cbw, hf_rate * cbw, ann_rate * annw, wy


@njit(cache=True, nogil=True)
def competing_exits(t0, year, tenure, retire_at, edges, rates, pay_ratio, elasticity, reference,
                    u_quit, death_rate, u_death, out_time, out_cause):
    """This year's exit instant and cause of each row entering at ``t0`` (see
    :mod:`model.policies.quits`): retirement on the statutory birthday, a quit at
    ``year + u/q`` if ``u < q``, a death likewise; the earliest wins (retirement on ties).
    ``u_quit`` / ``u_death`` empty: that risk is off. ``retire_at`` empty: no retirement.
    ``pay_ratio`` empty: no pay effect."""
    end = year + 1.0
    nb = edges.size
    for i in range(out_time.size):
        t = np.inf
        c = 0
        if retire_at.size > 0:
            tr = retire_at[i] if retire_at[i] > t0 else t0
            if tr < end:
                t = tr
                c = 2
        if u_quit.size > 0:
            b = 0
            while b + 1 < nb and tenure[i] >= edges[b + 1]:
                b += 1
            q = rates[b]
            if pay_ratio.size > 0:
                r = pay_ratio[i] if pay_ratio[i] > 1e-9 else 1e-9
                q = q * (r / reference) ** (-elasticity)
            if q > 1.0:
                q = 1.0
            u = u_quit[i]
            if u < q:
                tq = year + u / q
                if tq >= t0 and tq < t:
                    t = tq
                    c = 1
        if u_death.size > 0:
            u = u_death[i]
            if u < death_rate:
                td = year + u / death_rate
                if td >= t0 and td < t:
                    t = td
                    c = 3
        out_time[i] = t
        out_cause[i] = c


@njit(cache=True, nogil=True)
def year_end_counts(exit_time, year_end, year, community, level, party, education, birth, hire_year,
                    grade, post, female, gross_annual, nc, k_level):
    """One pass over the workforce for the stock metrics of 31 December.

    Returns per-community (workers, certified at ``k_level`` or above, party posts held), counts by level (4),
    by grade (19), by post (3), pay by post (3), pyramid counts (20: men 10 bands, women
    10 bands), and sums (n, college, birth, hire_year, grade)."""
    per_c = np.zeros(nc, np.int64)
    cert_c = np.zeros(nc, np.int64)
    party_c = np.zeros(nc, np.int64)
    lv = np.zeros(4, np.int64)
    gr = np.zeros(19, np.int64)
    npost = np.zeros(3, np.int64)
    pay_post = np.zeros(3)
    pyr = np.zeros(20, np.int64)
    n = 0
    college = 0
    bsum = 0.0
    hsum = 0
    gsum = 0
    for i in range(exit_time.size):
        if not exit_time[i] > year_end:
            continue
        n += 1
        c = community[i]
        per_c[c] += 1
        if level[i] >= k_level:
            cert_c[c] += 1
        if party[i]:
            party_c[c] += 1
        lv[level[i]] += 1
        gr[grade[i]] += 1
        p = post[i]
        npost[p] += 1
        pay_post[p] += gross_annual[i]
        if education[i] >= 1:
            college += 1
        bsum += birth[i]
        hsum += hire_year[i]
        gsum += grade[i]
        age = year - int(np.floor(birth[i]))
        band = (age - 20) // 5
        if band < 0:
            band = 0
        if band > 9:
            band = 9
        pyr[band + (10 if female[i] else 0)] += 1
    return per_c, cert_c, party_c, lv, gr, npost, pay_post, pyr, n, college, bsum, hsum, gsum


@njit(cache=True, nogil=True)
def rank_top(groups, keys, m, ngroups):
    """Rank within group of the ``m`` smallest ``keys`` of each group (0 = smallest; ties:
    earlier element first); every other element gets ``m``. ``m`` passes over the data,
    so it suits small ``m`` (posts per community) and many groups."""
    n = groups.size
    rank = np.full(n, m, np.int64)
    best_key = np.empty(ngroups)
    best_idx = np.empty(ngroups, np.int64)
    for r in range(m):
        best_idx[:] = -1
        for i in range(n):
            if rank[i] < m:
                continue
            g = groups[i]
            if best_idx[g] < 0 or keys[i] < best_key[g]:
                best_key[g] = keys[i]
                best_idx[g] = i
        found = False
        for g in range(ngroups):
            if best_idx[g] >= 0:
                rank[best_idx[g]] = r
                found = True
        if not found:
            break
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


@njit(cache=True, nogil=True)
def keyed_uniform(key, ids, sub, out):
    """Uniforms in (0, 1) that depend only on (``key``, id, ``sub``): the SplitMix64
    output for counter ``key + gamma * (id * 64 + sub)``. See :mod:`model.streams`."""
    for i in range(ids.size):
        z = np.uint64(key) + np.uint64(0x9E3779B97F4A7C15) * (np.uint64(ids[i]) * np.uint64(64) + np.uint64(sub))
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        z = z ^ (z >> np.uint64(31))
        out[i] = (float(z >> np.uint64(11)) + 0.5) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def keyed_uniforms(key, ids, sub0, out):
    """``out[j, i]`` = :func:`keyed_uniform` of ``ids[i]`` with sub-stream ``sub0 + j``."""
    for j in range(out.shape[0]):
        keyed_uniform(key, ids, np.uint64(sub0 + j), out[j])
