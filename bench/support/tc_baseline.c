/*
 * Triangle counting baselines for bench/bench_tc.c (tc_baseline.h): the
 * sorted-adjacency intersection algorithm on one thread, and igraph.
 *
 * The plain baseline keeps every array flat: an edge is one 64-bit key
 * (src << 32 | dst) over dense ids, so distinct edges, orientation and the
 * CSR of out-lists all come from two LSD radix sorts; the intersections
 * then walk two sorted runs of that one array.
 */
#include "bench/support/tc_baseline.h"

#include <errno.h>
#include <igraph.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "progress/alloc.h"
#include "runtime/runtime.h"

/* Sorts key[0 .. n) with tmp as scratch: four passes of 16 bits. */
static void radix_sort(uint64_t *key, uint64_t *tmp, size_t n)
{
    static size_t count[1u << 16];

    for (unsigned shift = 0; shift < 64; shift += 16) {
        size_t sum = 0;
        memset(count, 0, sizeof(count));
        for (size_t i = 0; i < n; i++)
            count[(key[i] >> shift) & 0xffff]++;
        for (size_t d = 0; d < (1u << 16); d++) {
            size_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(key[i] >> shift) & 0xffff]++] = key[i];
        memcpy(key, tmp, n * sizeof(*key));
    }
}

/* Distinct undirected non-loop edges as (min << 32 | max); ids are dense
 * already (below id_bound <= 2^32). Returns the count. */
static size_t distinct_edges(const struct gy_edge *e, size_t n, uint64_t *key, uint64_t *tmp)
{
    size_t m = 0, k = 0;

    for (size_t i = 0; i < n; i++) {
        uint64_t a = e[i].u < e[i].v ? e[i].u : e[i].v, b = e[i].u < e[i].v ? e[i].v : e[i].u;
        if (a != b)
            key[m++] = a << 32 | b;
    }
    radix_sort(key, tmp, m);
    for (size_t i = 0; i < m; i++)
        if (i == 0 || key[i] != key[i - 1])
            key[k++] = key[i];
    return k;
}

/* Orients each edge from the endpoint lower in (degree, id); sorting then
 * makes key[] a CSR of out-lists with sorted targets. */
static void orient(uint64_t *key, uint64_t *tmp, size_t m, uint32_t *deg, size_t *off,
                   uint32_t nv)
{
    memset(deg, 0, (size_t)nv * sizeof(*deg));
    for (size_t i = 0; i < m; i++) {
        deg[key[i] >> 32]++;
        deg[key[i] & 0xffffffffu]++;
    }
    for (size_t i = 0; i < m; i++) {
        uint64_t a = key[i] >> 32, b = key[i] & 0xffffffffu;
        if (deg[b] < deg[a]) /* a < b already: equal degrees keep a first */
            key[i] = b << 32 | a;
    }
    radix_sort(key, tmp, m);
    memset(off, 0, ((size_t)nv + 1) * sizeof(*off));
    for (size_t i = 0; i < m; i++)
        off[(key[i] >> 32) + 1]++;
    for (uint32_t v = 0; v < nv; v++)
        off[v + 1] += off[v];
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

static bool ids_below(const struct gy_edge *e, size_t n, uint64_t id_bound)
{
    for (size_t i = 0; i < n; i++)
        if (e[i].u >= id_bound || e[i].v >= id_bound)
            return false;
    return true;
}

int tc_baseline_count(const struct gy_edge *e, size_t n, uint64_t id_bound, uint64_t *triangles,
                      struct tc_baseline_times *t)
{
    uint64_t *key, *tmp, c = 0;
    uint32_t *deg;
    size_t *off, m;
    double t0 = gy_now(), t1;
    bool ok;

    if (id_bound > UINT32_MAX || !ids_below(e, n, id_bound))
        return -EINVAL;
    key = malloc((n + 1) * sizeof(*key));
    tmp = malloc((n + 1) * sizeof(*tmp));
    deg = malloc((size_t)(id_bound + 1) * sizeof(*deg));
    off = malloc((size_t)(id_bound + 2) * sizeof(*off));
    ok = key && tmp && deg && off;
    if (ok) {
        m = distinct_edges(e, n, key, tmp);
        orient(key, tmp, m, deg, off, (uint32_t)id_bound);
        t1 = gy_now();
        for (size_t i = 0; i < m; i++)
            c += intersect(key, off, (uint32_t)(key[i] >> 32), (uint32_t)key[i]);
        t->build = t1 - t0;
        t->count = gy_now() - t1;
        *triangles = c;
    }
    free(off);
    free(deg);
    free(tmp);
    free(key);
    return ok ? 0 : -ENOMEM;
}

/* ---- igraph ---- */

static int igraph_build(const struct gy_edge *e, size_t n, uint64_t id_bound, igraph_t *g)
{
    igraph_vector_int_t ev;

    if (igraph_vector_int_init(&ev, (igraph_integer_t)(2 * n)) != IGRAPH_SUCCESS)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (e[i].u >= id_bound || e[i].v >= id_bound) {
            igraph_vector_int_destroy(&ev);
            return -EINVAL;
        }
        VECTOR(ev)[2 * i] = (igraph_integer_t)e[i].u;
        VECTOR(ev)[2 * i + 1] = (igraph_integer_t)e[i].v;
    }
    if (igraph_create(g, &ev, (igraph_integer_t)id_bound, IGRAPH_UNDIRECTED) != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&ev);
        return -ENOMEM;
    }
    igraph_vector_int_destroy(&ev);
    if (igraph_simplify(g, true, true, NULL) != IGRAPH_SUCCESS) {
        igraph_destroy(g);
        return -ENOMEM;
    }
    return 0;
}

int tc_igraph_count(const struct gy_edge *e, size_t n, uint64_t id_bound, uint64_t *triangles,
                    struct tc_baseline_times *t)
{
    igraph_vector_t per;
    igraph_t g;
    double t0 = gy_now(), t1, sum = 0;
    int rc = igraph_build(e, n, id_bound, &g);

    if (rc != 0)
        return rc;
    t1 = gy_now();
    if (igraph_vector_init(&per, 0) != IGRAPH_SUCCESS ||
        igraph_adjacent_triangles(&g, &per, igraph_vss_all()) != IGRAPH_SUCCESS) {
        igraph_destroy(&g);
        return -ENOMEM;
    }
    for (igraph_integer_t i = 0; i < igraph_vector_size(&per); i++)
        sum += VECTOR(per)[i];
    t->build = t1 - t0;
    t->count = gy_now() - t1;
    *triangles = (uint64_t)(sum / 3 + 0.5);
    igraph_vector_destroy(&per);
    igraph_destroy(&g);
    return 0;
}
