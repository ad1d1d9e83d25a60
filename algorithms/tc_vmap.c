/*
 * Triangle counting: the vertices a worker owns, as dense local indices in
 * order of first appearance (struct tc_vmap), an open-addressing table
 * with linear probing at load <= 1/2; and on top of it a map from vertex
 * ids to degrees (struct tc_dmap), for degrees of vertices owned elsewhere.
 *
 * It must not hash with tc_hash, the function bulk epochs bucket their
 * records by (tc_ingest.c): new vertices would then arrive in the order of
 * their slots, and while the table grows they would all crowd into its
 * first slots, one long probe run. murmur3's finalizer is unrelated to it.
 */
#include "algorithms/tc_internal.h"

#include <errno.h>
#include <string.h>

#include "progress/alloc.h"
#include "progress/hash.h"

#define TC_VMAP_FIRST 64u

static inline size_t slot_of(uint64_t v, size_t cap)
{
    return (size_t)(gy_fmix64(v) & (cap - 1));
}

bool gy__tc_vmap_find(const struct tc_vmap *m, uint64_t v, uint32_t *idx)
{
    if (m->cap == 0)
        return false;
    for (size_t i = slot_of(v, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->slots[i].idx == TC_NONE)
            return false;
        if (m->slots[i].key == v) {
            *idx = m->slots[i].idx;
            return true;
        }
    }
}

static int grow_table(struct tc_vmap *m)
{
    size_t cap = m->cap ? 2 * m->cap : TC_VMAP_FIRST;
    struct tc_vslot *s = gy_malloc(cap * sizeof(*s));

    if (!s)
        return -ENOMEM;
    for (size_t i = 0; i < cap; i++)
        s[i].idx = TC_NONE;
    for (size_t k = 0; k < m->n; k++) {
        size_t i = slot_of(m->origs[k], cap);
        while (s[i].idx != TC_NONE)
            i = (i + 1) & (cap - 1);
        s[i].key = m->origs[k];
        s[i].idx = (uint32_t)k;
    }
    gy_free(m->slots);
    m->slots = s;
    m->cap = cap;
    return 0;
}

int gy__tc_vmap_map(struct tc_vmap *m, uint64_t v, uint32_t *idx)
{
    void *p = m->origs;
    size_t i;

    if (gy__tc_vmap_find(m, v, idx))
        return 0;
    if (m->n >= TC_MAX_LOCAL)
        return -EOVERFLOW;
    if (2 * (m->n + 1) > m->cap && grow_table(m) != 0)
        return -ENOMEM;
    if (m->n == m->ocap && gy_grow(&p, &m->ocap, m->n + 1, sizeof(*m->origs)) != 0)
        return -ENOMEM;
    m->origs = p;
    for (i = slot_of(v, m->cap); m->slots[i].idx != TC_NONE; i = (i + 1) & (m->cap - 1))
        ;
    m->slots[i].key = v;
    m->slots[i].idx = (uint32_t)m->n;
    m->origs[m->n] = v;
    *idx = (uint32_t)m->n++;
    return 1;
}

void gy__tc_vmap_free(struct tc_vmap *m)
{
    gy_free(m->slots);
    gy_free(m->origs);
    memset(m, 0, sizeof(*m));
}

int gy__tc_dmap_set(struct tc *tc, struct tc_dmap *d, uint64_t v, uint32_t val)
{
    void *p = d->val;
    uint32_t i;
    int rc = gy__tc_vmap_map(&d->ids, v, &i);

    if (rc < 0)
        return rc == -ENOMEM ? gy__tc_oom(tc) : gy_op_fail(tc->op, "too many vertices");
    if (i >= d->cap && gy_grow(&p, &d->cap, (size_t)i + 1, sizeof(*d->val)) != 0)
        return gy__tc_oom(tc);
    d->val = p;
    d->val[i] = val;
    return 0;
}

bool gy__tc_dmap_get(const struct tc_dmap *d, uint64_t v, uint32_t *val)
{
    uint32_t i;

    if (!gy__tc_vmap_find(&d->ids, v, &i))
        return false;
    *val = d->val[i];
    return true;
}

void gy__tc_dmap_free(struct tc_dmap *d)
{
    gy__tc_vmap_free(&d->ids);
    gy_free(d->val);
    memset(d, 0, sizeof(*d));
}
