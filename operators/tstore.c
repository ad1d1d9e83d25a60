/*
 * The per-time store: one state blob per timestamp, found by the full time
 * (epoch and loop counters) through an open-addressing index with linear
 * probing and backward-shift deletion, so no tombstones pile up as times
 * come and go. Entries live in one slab and are recycled through a free
 * list: a steady stream of epochs allocates nothing once the slab and index
 * are as large as the number of times in flight.
 */
#include <errno.h>
#include <string.h>

#include "operators/builtins_internal.h"
#include "progress/alloc.h"

#define NO_ENTRY UINT32_MAX
#define INDEX_MIN 16u

struct thead {
    struct gy_time time;
    uint32_t next_free;     /* free-list link while not live */
    uint32_t live;          /* 1 while the entry holds a time */
};

/* The state starts 16-byte aligned after the header: malloc aligns the slab
 * to 16 on the 64-bit targets we build for, and stride is a multiple of 16. */
#define HEAD_BYTES ((sizeof(struct thead) + 15u) & ~(size_t)15u)

static inline struct thead *entry(const struct gy__tstore *ts, uint32_t i)
{
    return (struct thead *)(void *)(ts->slab + (size_t)i * ts->stride);
}

static inline void *entry_state(struct thead *h)
{
    return (unsigned char *)h + HEAD_BYTES;
}

void gy__tstore_init(struct gy__tstore *ts, size_t state_size)
{
    memset(ts, 0, sizeof(*ts));
    ts->stride = (HEAD_BYTES + state_size + 15u) & ~(size_t)15u;
    ts->free_head = NO_ENTRY;
}

void gy__tstore_destroy(struct gy__tstore *ts)
{
    gy_free(ts->slab);
    gy_free(ts->index);
    memset(ts, 0, sizeof(*ts));
}

/* The index position holding time t, or of the empty slot where it would go. */
static uint32_t probe(const struct gy__tstore *ts, const struct gy_time *t)
{
    uint32_t i = (uint32_t)gy_time_hash(t) & ts->mask;

    while (ts->index[i] != 0 && !gy_time_eq(&entry(ts, ts->index[i] - 1)->time, t))
        i = (i + 1) & ts->mask;
    return i;
}

static int index_grow(struct gy__tstore *ts)
{
    uint32_t size = ts->mask ? (ts->mask + 1) * 2 : INDEX_MIN;
    uint32_t *old = ts->index, old_size = ts->mask ? ts->mask + 1 : 0;
    uint32_t *idx = gy_calloc(size, sizeof(*idx));

    if (!idx)
        return -ENOMEM;
    ts->index = idx;
    ts->mask = size - 1;
    for (uint32_t i = 0; i < old_size; i++)
        if (old[i] != 0)
            ts->index[probe(ts, &entry(ts, old[i] - 1)->time)] = old[i];
    gy_free(old);
    return 0;
}

static uint32_t entry_alloc(struct gy__tstore *ts)
{
    void *slab = ts->slab;
    size_t cap = ts->cap;
    uint32_t i = ts->free_head;

    if (i != NO_ENTRY) {
        ts->free_head = entry(ts, i)->next_free;
        return i;
    }
    if (ts->used == ts->cap) {
        if (gy_grow(&slab, &cap, (size_t)ts->used + 1, ts->stride) != 0)
            return NO_ENTRY;
        ts->slab = slab;
        ts->cap = (uint32_t)cap;
    }
    return ts->used++;
}

void *gy__tstore_find(struct gy__tstore *ts, const struct gy_time *t)
{
    uint32_t i;

    if (ts->live == 0)
        return NULL;
    i = probe(ts, t);
    return ts->index[i] ? entry_state(entry(ts, ts->index[i] - 1)) : NULL;
}

void *gy__tstore_get(struct gy__tstore *ts, const struct gy_time *t, bool *created)
{
    struct thead *h;
    uint32_t i, e;

    *created = false;
    if ((ts->live + 1) * 2 > ts->mask + 1 && index_grow(ts) != 0)
        return NULL;
    i = probe(ts, t);
    if (ts->index[i] != 0)
        return entry_state(entry(ts, ts->index[i] - 1));
    e = entry_alloc(ts);
    if (e == NO_ENTRY)
        return NULL;
    h = entry(ts, e);
    memset(h, 0, ts->stride);
    h->time = *t;
    h->live = 1;
    ts->index[i] = e + 1;
    ts->live++;
    *created = true;
    return entry_state(h);
}

/* Backward-shift deletion: pulls later members of the probe run into the
 * hole while that keeps them reachable from their home slot. */
static void index_delete(struct gy__tstore *ts, uint32_t hole)
{
    uint32_t j = hole;

    ts->index[hole] = 0;
    for (;;) {
        uint32_t home;
        j = (j + 1) & ts->mask;
        if (ts->index[j] == 0)
            return;
        home = (uint32_t)gy_time_hash(&entry(ts, ts->index[j] - 1)->time) & ts->mask;
        /* Stay if home lies cyclically in (hole, j]. */
        if (((j - home) & ts->mask) < ((j - hole) & ts->mask))
            continue;
        ts->index[hole] = ts->index[j];
        ts->index[j] = 0;
        hole = j;
    }
}

void gy__tstore_remove(struct gy__tstore *ts, const struct gy_time *t)
{
    uint32_t i, e;

    if (ts->live == 0)
        return;
    i = probe(ts, t);
    if (ts->index[i] == 0)
        return;
    e = ts->index[i] - 1;
    index_delete(ts, i);
    entry(ts, e)->live = 0;
    entry(ts, e)->next_free = ts->free_head;
    ts->free_head = e;
    ts->live--;
}

void gy__tstore_foreach(struct gy__tstore *ts, void (*fn)(void *tstate, void *arg), void *arg)
{
    for (uint32_t i = 0; i < ts->used; i++)
        if (entry(ts, i)->live)
            fn(entry_state(entry(ts, i)), arg);
}

void *gy__tstore_get_notified(struct gy__tstore *ts, gy_op_t *op, const struct gy_cap *cap)
{
    bool created;
    void *st = gy__tstore_get(ts, &cap->time, &created);

    if (!st) {
        gy_op_fail(op, "out of memory for the state of a timestamp");
        return NULL;
    }
    if (created && gy_op_notify_at(op, cap) != 0)
        return NULL;
    return st;
}
