/*
 * The union-find baselines (uf_baseline.h): the textbook loop, written for
 * speed on its own terms (direct arrays indexed by id, 4-byte parents, a
 * single pass), so a COST ratio against it is against a competent
 * single-threaded program, not a straw man.
 */
#include "bench/support/uf_baseline.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>

#include "progress/alloc.h"
#include "progress/compiler.h"
#include "progress/hash.h"

/* The forest over ids 0 .. id_bound - 1. Without dense ids, an id no line
 * has named yet is a root of size 0, so naming costs nothing in the loop: a
 * union counts a size-0 root as the one vertex it now names, and the
 * vertices are counted once at the end (a non-root, or a root of size > 0).
 * With dense ids every id is a vertex from the start, of size 1. */
struct uf {
    uint32_t *parent;               /* [id_bound]; parent[x] == x at a root */
    uint32_t *size;                 /* [id_bound]: at a root, the named vertices below it */
    uint64_t id_bound, unions, largest;
    bool dense;                     /* every id below id_bound is a vertex */
};

static uint32_t find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

/* Joins the sets of a and b, which this line names. Always inlined: it is
 * the whole loop, and with two callers gcc would otherwise call it, which
 * costs the loop about 5%. */
static inline __attribute__((always_inline)) void unite(struct uf *u, uint32_t a, uint32_t b)
{
    uint32_t ra = find(u->parent, a), rb = find(u->parent, b), sa, sb;

    if (ra == rb) {
        if (GY_UNLIKELY(a == b) && u->size[ra] == 0) /* a self-loop names its vertex */
            u->size[ra] = 1;
        return;
    }
    sa = u->size[ra] + (u->size[ra] == 0);
    sb = u->size[rb] + (u->size[rb] == 0);
    if (sa < sb) {
        uint32_t t = ra;
        ra = rb;
        rb = t;
    }
    u->parent[rb] = ra;
    u->size[ra] = sa + sb;
    u->unions++;
    if (sa + sb > u->largest)
        u->largest = sa + sb;
}

static int uf_init(struct uf *u, uint64_t id_bound, bool dense)
{
    *u = (struct uf){.id_bound = id_bound, .dense = dense};
    if (id_bound > UINT32_MAX)
        return -EINVAL;
    u->parent = gy_malloc((size_t)id_bound * sizeof(*u->parent) + 1);
    u->size = gy_malloc((size_t)id_bound * sizeof(*u->size) + 1);
    if (!u->parent || !u->size)
        return -ENOMEM;
    for (uint32_t i = 0; i < id_bound; i++) {
        u->parent[i] = i;
        u->size[i] = dense;
    }
    return 0;
}

static uint64_t vertices(const struct uf *u)
{
    uint64_t v = 0;

    if (u->dense)
        return u->id_bound;
    for (uint32_t x = 0; x < u->id_bound; x++)
        v += u->parent[x] != x || u->size[x] != 0;
    return v;
}

/* Fills *r from u if rc is 0, frees u, returns rc. */
static int finish(struct uf *u, int rc, struct uf_baseline_result *r)
{
    uint64_t v = rc == 0 ? vertices(u) : 0;

    if (rc == 0)
        *r = (struct uf_baseline_result){.vertices = v, .components = v - u->unions,
                                         .largest = u->unions ? u->largest : v > 0};
    gy_free(u->parent);
    gy_free(u->size);
    return rc;
}

int uf_baseline_components(const struct gy_edge *e, size_t n, uint64_t id_bound,
                           struct uf_baseline_result *r)
{
    struct uf u;
    int rc = uf_init(&u, id_bound, false);

    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (GY_UNLIKELY(e[i].u >= id_bound || e[i].v >= id_bound || e[i].sign != 1))
            rc = -EINVAL;
        else
            unite(&u, (uint32_t)e[i].u, (uint32_t)e[i].v);
    }
    return finish(&u, rc, r);
}

int uf_baseline_components_dense(const uint64_t *uv, size_t n, uint32_t nv,
                                 struct uf_baseline_result *r)
{
    struct uf u;
    int rc = uf_init(&u, nv, true);

    for (size_t i = 0; rc == 0 && i < n; i++) {
        assert(uv[2 * i] < nv && uv[2 * i + 1] < nv);
        unite(&u, (uint32_t)uv[2 * i], (uint32_t)uv[2 * i + 1]);
    }
    return finish(&u, rc, r);
}

/* Distinct canonical pairs: a set of (min << 32 | max) + 1, 0 = empty. */
static int count_distinct(const struct gy_edge *e, size_t n, uint64_t *distinct)
{
    size_t cap = 1024, mask;
    uint64_t *set;

    while (cap < 2 * n)
        cap *= 2;
    mask = cap - 1;
    if (!(set = gy_calloc(cap, sizeof(*set))))
        return -ENOMEM;
    *distinct = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t a = e[i].u < e[i].v ? e[i].u : e[i].v, b = e[i].u ^ e[i].v ^ a;
        uint64_t k = (a << 32 | b) + 1;
        size_t j = (size_t)gy_fmix64(k) & mask;
        if (a == b)
            continue;
        while (set[j] != 0 && set[j] != k)
            j = (j + 1) & mask;
        *distinct += set[j] == 0;
        set[j] = k;
    }
    gy_free(set);
    return 0;
}

int uf_baseline_full(const struct gy_edge *e, size_t n, uint64_t id_bound,
                     struct uf_baseline_result *r)
{
    int rc = uf_baseline_components(e, n, id_bound, r);

    return rc != 0 ? rc : count_distinct(e, n, &r->edges);
}
