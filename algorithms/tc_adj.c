/*
 * Triangle counting: one vertex's neighbour set (struct tc_adj). Small sets
 * are arrays; larger ones open-addressing tables with linear probing,
 * backward-shift deletion (no tombstones) and load at most 1/2, because most
 * probes of the counting stages are misses, and a miss at load 1/2 costs
 * about 2.5 slots where at 3/4 it would cost 8.5. The vertex's own id marks
 * an empty slot, so no separate occupancy array is needed.
 */
#include "algorithms/tc_internal.h"

#include <errno.h>
#include <string.h>

#include "progress/alloc.h"

/* The first hash capacity: TC_SMALL + 1 entries at load <= 1/2. */
#define TC_FIRST_HASH 32u

static inline uint32_t home(uint64_t w, uint32_t cap)
{
    /* Fibonacci hashing: the top bits of w times 2^64 / phi. */
    return (uint32_t)(tc_hash(w) >> (64 - __builtin_ctz(cap)));
}

static uint32_t array_find(const struct tc_adj *a, uint64_t w)
{
    for (uint32_t i = 0; i < a->len; i++)
        if (a->ids[i] == w)
            return i;
    return TC_NONE;
}

uint32_t gy__tc_adj_find(const struct tc_adj *a, uint64_t self, uint64_t w)
{
    const uint64_t *ids = a->ids;
    uint32_t mask = a->cap - 1;

    if (a->cap <= TC_SMALL)
        return array_find(a, w);
    for (uint32_t i = home(w, a->cap);; i = (i + 1) & mask) {
        if (ids[i] == w)
            return i;
        if (ids[i] == self)
            return TC_NONE;
    }
}

/* Places w into a hash table known to have room and not to hold w. */
static uint32_t hash_place(uint64_t *ids, uint32_t *meta, uint32_t cap, uint64_t self, uint64_t w,
                           uint32_t m)
{
    uint32_t i = home(w, cap);

    while (ids[i] != self)
        i = (i + 1) & (cap - 1);
    ids[i] = w;
    meta[i] = m;
    return i;
}

/* Moves a's entries into a new block of cap slots (array or hash form). */
static int resize(struct tc_adj *a, uint64_t self, uint32_t cap)
{
    uint64_t *ids = gy_malloc((size_t)cap * (sizeof(uint64_t) + sizeof(uint32_t)));
    uint32_t *meta, *old_meta = a->ids ? tc_adj_meta(a) : NULL;
    uint32_t span = tc_adj_span(a), n = 0;

    if (!ids)
        return -ENOMEM;
    meta = (uint32_t *)(ids + cap);
    if (cap > TC_SMALL)
        for (uint32_t i = 0; i < cap; i++)
            ids[i] = self;
    for (uint32_t i = 0; i < span; i++) {
        if (a->ids[i] == self)
            continue;
        if (cap > TC_SMALL) {
            hash_place(ids, meta, cap, self, a->ids[i], old_meta[i]);
        } else {
            ids[n] = a->ids[i];
            meta[n++] = old_meta[i];
        }
    }
    gy_free(a->ids);
    a->ids = ids;
    a->cap = cap;
    return 0;
}

int gy__tc_adj_insert(struct tc_adj *a, uint64_t self, uint64_t w, uint32_t meta, uint32_t *slot)
{
    uint32_t cap = a->cap;

    if (cap <= TC_SMALL && a->len == cap)
        cap = cap == 0 ? 1 : cap < TC_SMALL ? 2 * cap : TC_FIRST_HASH;
    else if (cap > TC_SMALL && 2 * ((uint64_t)a->len + 1) > cap)
        cap = 2 * cap;
    if (cap != a->cap && resize(a, self, cap) != 0)
        return -ENOMEM;
    if (a->cap <= TC_SMALL) {
        a->ids[a->len] = w;
        tc_adj_meta(a)[a->len] = meta;
        *slot = a->len++;
        return 0;
    }
    *slot = hash_place(a->ids, tc_adj_meta(a), a->cap, self, w, meta);
    a->len++;
    return 0;
}

void gy__tc_adj_remove(struct tc_adj *a, uint64_t self, uint32_t slot)
{
    uint64_t *ids = a->ids;
    uint32_t *meta = tc_adj_meta(a);
    uint32_t mask = a->cap - 1, i = slot, j = slot;

    a->len--;
    if (a->cap <= TC_SMALL) {
        ids[slot] = ids[a->len];
        meta[slot] = meta[a->len];
        return;
    }
    /* Backward shift: pull later entries of the probe run into the hole
     * unless their home lies cyclically in (hole, their slot]. */
    for (;;) {
        uint32_t k;
        j = (j + 1) & mask;
        if (ids[j] == self)
            break;
        k = home(ids[j], a->cap);
        if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
            continue;
        ids[i] = ids[j];
        meta[i] = meta[j];
        i = j;
    }
    ids[i] = self;
    meta[i] = 0;
}

void gy__tc_adj_free(struct tc_adj *a)
{
    gy_free(a->ids);
    memset(a, 0, sizeof(*a));
}
