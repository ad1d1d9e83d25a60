/*
 * The triangle counting baseline (tc_baseline.h): sorted-adjacency
 * intersection on one thread.
 *
 * Every array stays flat: an edge is one 64-bit key (src << 32 | dst) over
 * dense ids, so distinct edges, orientation and the CSR of out-lists all
 * come from two LSD radix sorts; the intersections then walk two sorted
 * runs of that one array.
 */
#include "bench/support/tc_baseline.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "progress/alloc.h"
#include "runtime/runtime.h"

#define RADIX (1u << 16)            /* digits of one radix pass: 16 bits each */

/* The working arrays of one count. */
struct tc_work {
    uint64_t *key, *tmp;            /* [n + 1]: edge keys, and scratch for the sorts */
    size_t *count;                  /* [RADIX]: a radix pass's histogram */
    uint32_t *deg;                  /* [id_bound + 1] */
    size_t *off;                    /* [id_bound + 2]: the CSR's offsets */
};

/* Sorts key[0 .. n) with tmp as scratch: four passes of 16 bits. */
static void radix_sort(uint64_t *key, uint64_t *tmp, size_t *count, size_t n)
{
    for (unsigned shift = 0; shift < 64; shift += 16) {
        size_t sum = 0;
        memset(count, 0, RADIX * sizeof(*count));
        for (size_t i = 0; i < n; i++)
            count[(key[i] >> shift) & 0xffff]++;
        for (size_t d = 0; d < RADIX; d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(key[i] >> shift) & 0xffff]++] = key[i];
        memcpy(key, tmp, n * sizeof(*key));
    }
}

/* Sorts the m keys and drops repeats; returns how many are left. */
static size_t distinct(struct tc_work *w, size_t m)
{
    size_t k = 0;

    radix_sort(w->key, w->tmp, w->count, m);
    for (size_t i = 0; i < m; i++)
        if (i == 0 || w->key[i] != w->key[i - 1])
            w->key[k++] = w->key[i];
    return k;
}

/* Orients each of the m edges from the endpoint lower in (degree, id);
 * sorting then makes key[] a CSR of out-lists with sorted targets. */
static void orient(struct tc_work *w, size_t m, uint32_t nv)
{
    uint64_t *key = w->key;

    memset(w->deg, 0, (size_t)nv * sizeof(*w->deg));
    for (size_t i = 0; i < m; i++) {
        w->deg[key[i] >> 32]++;
        w->deg[key[i] & 0xffffffffu]++;
    }
    for (size_t i = 0; i < m; i++) {
        uint64_t a = key[i] >> 32, b = key[i] & 0xffffffffu;
        if (w->deg[b] < w->deg[a]) /* a < b already: equal degrees keep a first */
            key[i] = b << 32 | a;
    }
    radix_sort(key, w->tmp, w->count, m);
    memset(w->off, 0, ((size_t)nv + 1) * sizeof(*w->off));
    for (size_t i = 0; i < m; i++)
        w->off[(key[i] >> 32) + 1]++;
    for (uint32_t v = 0; v < nv; v++)
        w->off[v + 1] += w->off[v];
}

/* |out(a) ∩ out(b)| of two sorted runs, without branches on the data. */
static uint64_t intersect(const uint64_t *key, const size_t *off, uint32_t a, uint32_t b)
{
    size_t i = off[a], j = off[b], ie = off[a + 1], je = off[b + 1];
    uint64_t c = 0;

    while (i < ie && j < je) {
        uint32_t x = (uint32_t)key[i], y = (uint32_t)key[j];
        c += x == y;
        i += x <= y;
        j += y <= x;
    }
    return c;
}

/* Returns 0, -EINVAL (id_bound above 2^32 - 1) or -ENOMEM; work_free(w) in
 * every case. */
static int work_alloc(struct tc_work *w, size_t n, uint64_t id_bound)
{
    *w = (struct tc_work){0};
    if (id_bound > UINT32_MAX)
        return -EINVAL;
    w->key = gy_malloc((n + 1) * sizeof(*w->key));
    w->tmp = gy_malloc((n + 1) * sizeof(*w->tmp));
    w->count = gy_malloc(RADIX * sizeof(*w->count));
    w->deg = gy_malloc((size_t)(id_bound + 1) * sizeof(*w->deg));
    w->off = gy_malloc((size_t)(id_bound + 2) * sizeof(*w->off));
    return w->key && w->tmp && w->count && w->deg && w->off ? 0 : -ENOMEM;
}

static void work_free(struct tc_work *w)
{
    gy_free(w->off);
    gy_free(w->deg);
    gy_free(w->count);
    gy_free(w->tmp);
    gy_free(w->key);
}

/* The count proper, once key[0 .. m) holds the edges as (min << 32 | max),
 * self-loops left out: the build (started at t0) then the intersections.
 * Frees w; returns 0, or rc when it is not 0. */
static int count_keys(struct tc_work *w, size_t m, uint32_t nv, double t0, int rc,
                      uint64_t *triangles, struct tc_baseline_times *t)
{
    uint64_t c = 0;
    double t1;

    if (rc == 0) {
        m = distinct(w, m);
        orient(w, m, nv);
        t1 = gy_now();
        for (size_t i = 0; i < m; i++)
            c += intersect(w->key, w->off, (uint32_t)(w->key[i] >> 32), (uint32_t)w->key[i]);
        t->build = t1 - t0;
        t->count = gy_now() - t1;
        *triangles = c;
    }
    work_free(w);
    return rc;
}

int tc_baseline_count(const struct gy_edge *e, size_t n, uint64_t id_bound, uint64_t *triangles,
                      struct tc_baseline_times *t)
{
    struct tc_work w;
    size_t m = 0;
    double t0 = gy_now();
    int rc = work_alloc(&w, n, id_bound);

    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint64_t x = e[i].u, y = e[i].v, a = x < y ? x : y, b = x < y ? y : x;
        if (b >= id_bound || e[i].sign != 1)
            rc = -EINVAL;
        else if (a != b)
            w.key[m++] = a << 32 | b;
    }
    return count_keys(&w, m, (uint32_t)id_bound, t0, rc, triangles, t);
}

int tc_baseline_count_dense(const uint64_t *uv, size_t n, uint32_t nv, uint64_t *triangles,
                            struct tc_baseline_times *t)
{
    struct tc_work w;
    size_t m = 0;
    double t0 = gy_now();
    int rc = work_alloc(&w, n, nv);

    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint64_t x = uv[2 * i], y = uv[2 * i + 1], a = x < y ? x : y, b = x < y ? y : x;
        assert(b < nv);
        if (a != b)
            w.key[m++] = a << 32 | b;
    }
    return count_keys(&w, m, nv, t0, rc, triangles, t);
}
