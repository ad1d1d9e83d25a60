/*
 * Change batches: an append-only array of (time, delta) whose prefix
 * items[0..clean) is compacted (sorted by gy_time_cmp, distinct, nonzero).
 *
 * Compaction sorts only the dirty suffix, folds the suffix into the prefix by
 * binary search, and merges the genuinely new times into the prefix with a
 * bounded stack buffer. Its cost is O(n + m log m) for a prefix of n and a
 * suffix of m, and it never allocates, so it cannot fail.
 */
#include "progress/changes.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "progress/alloc.h"

/* New times merged per pass; 64 * 40 bytes stays a small stack frame. */
#define MERGE_CHUNK 64

void gy_changes_init(struct gy_changes *c)
{
    c->items = NULL;
    c->len = 0;
    c->cap = 0;
    c->clean = 0;
}

void gy_changes_destroy(struct gy_changes *c)
{
    gy_free(c->items);
    gy_changes_init(c);
}

void gy_changes_clear(struct gy_changes *c)
{
    c->len = 0;
    c->clean = 0;
}

/* Room for need items. 0 or -ENOMEM (then c is unchanged). */
static int reserve(struct gy_changes *c, size_t need)
{
    size_t cap = c->cap;
    void *items = c->items;

    if (need <= cap)
        return 0;
    if (need > UINT32_MAX || gy_grow(&items, &cap, need, sizeof(*c->items)))
        return -ENOMEM;
    c->items = items;
    c->cap = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
    return 0;
}

int gy_changes_add(struct gy_changes *c, const struct gy_time *t, int64_t delta)
{
    if (delta == 0)
        return 0;
    if (reserve(c, (size_t)c->len + 1))
        return -ENOMEM;
    c->items[c->len].time = *t;
    c->items[c->len].delta = delta;
    c->len++;
    return 0;
}

int gy_changes_add_all(struct gy_changes *c, const struct gy_changes *src)
{
    if (src->len == 0)
        return 0;
    if (reserve(c, (size_t)c->len + src->len))
        return -ENOMEM;
    memcpy(c->items + c->len, src->items, src->len * sizeof(*src->items));
    c->len += src->len;
    return 0;
}

static int cmp_change(const void *x, const void *y)
{
    const struct gy_change *a = x, *b = y;
    return gy_time_cmp(&a->time, &b->time);
}

/* Index of t in the sorted items[0..n), or -1. */
static long find(const struct gy_change *items, uint32_t n, const struct gy_time *t)
{
    uint32_t lo = 0, hi = n;

    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = gy_time_cmp(&items[mid].time, t);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/*
 * Sorts the suffix items[clean..len) and merges its equal times; folds the
 * times already in the prefix into it. Leaves the new, nonzero times at
 * items[clean..) and returns how many; *zeroed says a prefix count hit 0.
 */
static uint32_t fold_suffix(struct gy_changes *c, bool *zeroed)
{
    struct gy_change *tail = c->items + c->clean;
    uint32_t m = c->len - c->clean, w = 0;

    qsort(tail, m, sizeof(*tail), cmp_change);
    for (uint32_t i = 0; i < m; i++) {
        long at;
        int64_t d = tail[i].delta;
        while (i + 1 < m && gy_time_eq(&tail[i + 1].time, &tail[i].time))
            d += tail[++i].delta;
        at = find(c->items, c->clean, &tail[i].time);
        if (at >= 0) {
            c->items[at].delta += d;
            *zeroed |= c->items[at].delta == 0;
        } else if (d != 0) {
            tail[w] = tail[i];
            tail[w++].delta = d;
        }
    }
    return w;
}

/* Merges the m sorted new times at items[h..h+m) into the sorted items[0..h). */
static void merge_new(struct gy_change *items, uint32_t h, uint32_t m)
{
    struct gy_change buf[MERGE_CHUNK];

    while (m > 0) {
        uint32_t k = m < MERGE_CHUNK ? m : MERGE_CHUNK, i = h, j = k, w = h + k;
        /* Taking the smallest chunk first leaves the rest of the suffix untouched. */
        memcpy(buf, items + h, k * sizeof(*items));
        while (j > 0) {
            if (i > 0 && gy_time_cmp(&items[i - 1].time, &buf[j - 1].time) > 0)
                items[--w] = items[--i];
            else
                items[--w] = buf[--j];
        }
        h += k;
        m -= k;
    }
}

static void drop_zeros(struct gy_changes *c)
{
    uint32_t w = 0;

    for (uint32_t i = 0; i < c->len; i++)
        if (c->items[i].delta != 0)
            c->items[w++] = c->items[i];
    c->len = w;
}

void gy_changes_compact(struct gy_changes *c)
{
    bool zeroed = false;
    uint32_t m;

    if (c->clean == c->len)
        return;
    m = fold_suffix(c, &zeroed);
    merge_new(c->items, c->clean, m);
    c->len = c->clean + m;
    if (zeroed)
        drop_zeros(c);
    c->clean = c->len;
}

bool gy_changes_is_empty(struct gy_changes *c)
{
    gy_changes_compact(c);
    return c->len == 0;
}

int64_t gy_changes_count(struct gy_changes *c, const struct gy_time *t)
{
    long at;

    gy_changes_compact(c);
    at = find(c->items, c->len, t);
    return at < 0 ? 0 : c->items[at].delta;
}
