/*
 * The key table of aggregations: uint64 key -> fixed-size value, open
 * addressing with linear probing in separate key, value and occupancy
 * arrays (a probe touches only keys and flags). It only grows, never
 * deletes; it empties all at once through the insertion-order list, in
 * O(len), so a table recycled from one timestamp to the next costs nothing
 * for its unused capacity.
 */
#include <errno.h>
#include <string.h>

#include "operators/builtins_internal.h"
#include "progress/alloc.h"
#include "progress/hash.h"

#define KTAB_MIN 64u

void gy__ktab_init(struct gy__ktab *t, size_t val_size)
{
    memset(t, 0, sizeof(*t));
    t->val_size = val_size;
    t->vstride = (val_size + 7u) & ~(size_t)7u;
}

void gy__ktab_destroy(struct gy__ktab *t)
{
    gy_free(t->keys);
    gy_free(t->vals);
    gy_free(t->used);
    gy_free(t->order);
    gy__ktab_init(t, t->val_size);
}

void gy__ktab_clear(struct gy__ktab *t)
{
    for (uint32_t i = 0; i < t->len; i++)
        t->used[t->order[i]] = 0;
    t->len = 0;
}

static uint32_t slot_of(const struct gy__ktab *t, uint64_t key)
{
    uint32_t mask = t->cap - 1;
    uint32_t i = (uint32_t)gy_fmix64(key) & mask;

    while (t->used[i] && t->keys[i] != key)
        i = (i + 1) & mask;
    return i;
}

/* Rebuilds at twice the capacity, keeping the insertion order. */
static int ktab_grow(struct gy__ktab *t)
{
    struct gy__ktab n = *t;

    n.cap = t->cap ? t->cap * 2 : KTAB_MIN;
    n.len = 0;
    n.keys = gy_malloc((size_t)n.cap * sizeof(*n.keys));
    n.vals = gy_malloc((size_t)n.cap * n.vstride);
    n.used = gy_calloc(n.cap, 1);
    n.order = gy_malloc((size_t)(n.cap / 2) * sizeof(*n.order));
    if (!n.keys || !n.vals || !n.used || !n.order) {
        gy_free(n.keys);
        gy_free(n.vals);
        gy_free(n.used);
        gy_free(n.order);
        return -ENOMEM;
    }
    for (uint32_t i = 0; i < t->len; i++) {
        uint32_t from = t->order[i], to = slot_of(&n, t->keys[from]);
        n.keys[to] = t->keys[from];
        n.used[to] = 1;
        memcpy(n.vals + (size_t)to * n.vstride, t->vals + (size_t)from * t->vstride, t->val_size);
        n.order[n.len++] = to;
    }
    gy__ktab_destroy(t);
    *t = n;
    return 0;
}

void *gy__ktab_upsert(struct gy__ktab *t, uint64_t key, bool *fresh)
{
    uint32_t i;

    if (GY_UNLIKELY((t->len + 1) * 2 > t->cap) && ktab_grow(t) != 0)
        return NULL;
    i = slot_of(t, key);
    *fresh = !t->used[i];
    if (*fresh) {
        t->used[i] = 1;
        t->keys[i] = key;
        t->order[t->len++] = i;
    }
    return t->vals + (size_t)i * t->vstride;
}

int gy__ktab_emit(const struct gy__ktab *t, gy_emit_t *emit)
{
    for (uint32_t i = 0; i < t->len; i++) {
        uint32_t s = t->order[i];
        unsigned char *rec = gy__emit_slot(emit);
        if (!rec)
            return emit->rc;
        memcpy(rec, &t->keys[s], sizeof(uint64_t));
        memcpy(rec + sizeof(uint64_t), t->vals + (size_t)s * t->vstride, t->val_size);
    }
    return 0;
}
