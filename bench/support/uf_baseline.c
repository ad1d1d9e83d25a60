/*
 * The union-find baselines of bench_cc (uf_baseline.h): the textbook loop,
 * written for speed on its own terms (direct arrays indexed by id, 4-byte
 * parents, a prefetch-free single pass), so a COST ratio against it is
 * against a competent single-threaded program, not a straw man.
 */
#include "bench/support/uf_baseline.h"
#include "progress/hash.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct plain_uf {
    uint32_t *parent;
    uint32_t *size;
    uint8_t *named;
    uint64_t vertices, unions, largest;
};

static uint32_t find(uint32_t *parent, uint32_t x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

static void name(struct plain_uf *u, uint32_t x)
{
    if (!u->named[x]) {
        u->named[x] = 1;
        u->vertices++;
    }
}

static void unite(struct plain_uf *u, uint32_t a, uint32_t b)
{
    uint32_t ra = find(u->parent, a), rb = find(u->parent, b);

    if (ra == rb)
        return;
    if (u->size[ra] < u->size[rb]) {
        uint32_t t = ra;
        ra = rb;
        rb = t;
    }
    u->parent[rb] = ra;
    u->size[ra] += u->size[rb];
    u->unions++;
    if (u->size[ra] > u->largest)
        u->largest = u->size[ra];
}

static int plain_init(struct plain_uf *u, uint64_t id_bound)
{
    memset(u, 0, sizeof(*u));
    if (id_bound > UINT32_MAX)
        return -EINVAL;
    u->parent = malloc(id_bound * sizeof(*u->parent) + 1);
    u->size = malloc(id_bound * sizeof(*u->size) + 1);
    u->named = calloc(id_bound + 1, 1);
    if (!u->parent || !u->size || !u->named)
        return -ENOMEM;
    for (uint64_t i = 0; i < id_bound; i++) {
        u->parent[i] = (uint32_t)i;
        u->size[i] = 1;
    }
    return 0;
}

static void plain_free(struct plain_uf *u)
{
    free(u->parent);
    free(u->size);
    free(u->named);
}

static int run(const struct gy_edge *e, size_t n, uint64_t id_bound, struct plain_uf *u)
{
    int rc = plain_init(u, id_bound);

    for (size_t i = 0; i < n && rc == 0; i++) {
        if (e[i].u >= id_bound || e[i].v >= id_bound || e[i].sign != 1)
            return -EINVAL;
        name(u, (uint32_t)e[i].u);
        name(u, (uint32_t)e[i].v);
        unite(u, (uint32_t)e[i].u, (uint32_t)e[i].v);
    }
    if (u->vertices > 0 && u->largest == 0)
        u->largest = 1;
    return rc;
}

int uf_baseline_components(const struct gy_edge *e, size_t n, uint64_t id_bound,
                           struct uf_baseline_result *r)
{
    struct plain_uf u;
    int rc = run(e, n, id_bound, &u);

    *r = (struct uf_baseline_result){.vertices = u.vertices, .components = u.vertices - u.unions,
                                     .largest = u.largest};
    plain_free(&u);
    return rc;
}

/* Distinct canonical pairs: a set of (min << 32 | max) + 1, 0 = empty. */
static int count_distinct(const struct gy_edge *e, size_t n, uint64_t *distinct)
{
    size_t cap = 1024, mask;
    uint64_t *set;

    while (cap < 2 * n)
        cap *= 2;
    mask = cap - 1;
    if (!(set = calloc(cap, sizeof(*set))))
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
    free(set);
    return 0;
}

int uf_baseline_full(const struct gy_edge *e, size_t n, uint64_t id_bound,
                     struct uf_baseline_result *r)
{
    int rc = uf_baseline_components(e, n, id_bound, r);

    return rc != 0 ? rc : count_distinct(e, n, &r->edges);
}
