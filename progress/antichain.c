/*
 * Antichains of timestamps under the product order, as small unsorted
 * arrays. Invariant: no element is <= another (so all are distinct). Every
 * operation is linear in the length, which is 1 in the common case.
 */
#include "progress/antichain.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress/alloc.h"

void gy_antichain_init(struct gy_antichain *a)
{
    a->items = NULL;
    a->len = 0;
    a->cap = 0;
}

void gy_antichain_destroy(struct gy_antichain *a)
{
    gy_free(a->items);
    gy_antichain_init(a);
}

void gy_antichain_clear(struct gy_antichain *a)
{
    a->len = 0;
}

/* Room for need elements. 0 or -ENOMEM (then a is unchanged). */
static int reserve(struct gy_antichain *a, size_t need)
{
    size_t cap = a->cap;
    void *items = a->items;

    if (need <= cap)
        return 0;
    if (need > UINT32_MAX || gy_grow(&items, &cap, need, sizeof(*a->items)))
        return -ENOMEM;
    a->items = items;
    a->cap = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
    return 0;
}

int gy_antichain_copy(struct gy_antichain *dst, const struct gy_antichain *src)
{
    if (reserve(dst, src->len))
        return -ENOMEM;
    if (src->len)
        memcpy(dst->items, src->items, src->len * sizeof(*src->items));
    dst->len = src->len;
    return 0;
}

int gy_antichain_insert(struct gy_antichain *a, const struct gy_time *t)
{
    uint32_t w = 0;

    assert(a->len == 0 || a->items[0].depth == t->depth);
    if (gy_antichain_le(a, t))
        return 0;
    if (reserve(a, (size_t)a->len + 1))
        return -ENOMEM;
    /* Nothing is <= t, so every element that t is <= is strictly above it. */
    for (uint32_t i = 0; i < a->len; i++)
        if (!gy_time_le(t, &a->items[i]))
            a->items[w++] = a->items[i];
    a->items[w++] = *t;
    a->len = w;
    return 1;
}

bool gy_antichain_remove(struct gy_antichain *a, const struct gy_time *t)
{
    for (uint32_t i = 0; i < a->len; i++) {
        if (gy_time_eq(&a->items[i], t)) {
            a->items[i] = a->items[--a->len];
            return true;
        }
    }
    return false;
}

bool gy_antichain_le(const struct gy_antichain *a, const struct gy_time *t)
{
    for (uint32_t i = 0; i < a->len; i++)
        if (gy_time_le(&a->items[i], t))
            return true;
    return false;
}

bool gy_antichain_lt(const struct gy_antichain *a, const struct gy_time *t)
{
    for (uint32_t i = 0; i < a->len; i++)
        if (gy_time_lt(&a->items[i], t))
            return true;
    return false;
}

static bool contains(const struct gy_antichain *a, const struct gy_time *t)
{
    for (uint32_t i = 0; i < a->len; i++)
        if (gy_time_eq(&a->items[i], t))
            return true;
    return false;
}

bool gy_antichain_eq(const struct gy_antichain *a, const struct gy_antichain *b)
{
    /* Elements are distinct, so equal lengths and inclusion give equality. */
    if (a->len != b->len)
        return false;
    for (uint32_t i = 0; i < a->len; i++)
        if (!contains(b, &a->items[i]))
            return false;
    return true;
}

static int cmp_time(const void *x, const void *y)
{
    return gy_time_cmp(x, y);
}

void gy_antichain_sort(struct gy_antichain *a)
{
    if (a->len > 1)
        qsort(a->items, a->len, sizeof(*a->items), cmp_time);
}

int gy_antichain_format(const struct gy_antichain *a, char *buf, size_t size)
{
    char tmp[96];
    size_t total = 0;

    total += (size_t)snprintf(buf, size, "{");
    for (uint32_t i = 0; i < a->len; i++) {
        gy_time_format(&a->items[i], tmp, sizeof(tmp));
        total += (size_t)snprintf(total < size ? buf + total : NULL,
                                  total < size ? size - total : 0, "%s%s", i ? ", " : "", tmp);
    }
    total += (size_t)snprintf(total < size ? buf + total : NULL, total < size ? size - total : 0,
                              "}");
    return (int)total;
}
