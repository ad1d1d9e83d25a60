/*
 * Path summaries: construction, application, composition, dominance, and the
 * antichain of minimal summaries kept between two ports.
 *
 * A summary maps (e, i1..id) to (e + epoch_add, i1 + add[0] .. ik + add[k-1],
 * append[0] .. append[m-1]); see summary.h. Invariant kept by every
 * constructor and by compose: add[j] == 0 for j >= keep and append[j] == 0 for
 * j >= nappend, so that equal summaries are equal field by field.
 */
#include "progress/summary.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "progress/alloc.h"

struct gy_summary gy_summary_identity(uint32_t depth)
{
    struct gy_summary s = {.keep = (uint8_t)depth};
    return s;
}

struct gy_summary gy_summary_enter(uint32_t outer_depth)
{
    struct gy_summary s = {.keep = (uint8_t)outer_depth, .nappend = 1};
    return s;
}

struct gy_summary gy_summary_leave(uint32_t inner_depth)
{
    struct gy_summary s = {.keep = (uint8_t)(inner_depth - 1)};
    return s;
}

struct gy_summary gy_summary_feedback(uint32_t depth, uint32_t n)
{
    struct gy_summary s = {.keep = (uint8_t)depth};
    s.add[depth - 1] = n;
    return s;
}

struct gy_summary gy_summary_epoch_delay(uint32_t depth, uint64_t n)
{
    struct gy_summary s = {.keep = (uint8_t)depth, .epoch_add = n};
    return s;
}

bool gy_summary_apply(const struct gy_summary *s, const struct gy_time *t, struct gy_time *out)
{
    struct gy_time r = gy_time_zero(gy_summary_out_depth(s));

    assert(t->depth >= s->keep && gy_summary_out_depth(s) <= GY_MAX_DEPTH);
    if (__builtin_add_overflow(t->epoch, s->epoch_add, &r.epoch))
        return false;
    for (uint32_t j = 0; j < s->keep; j++)
        if (__builtin_add_overflow(t->iter[j], s->add[j], &r.iter[j]))
            return false;
    for (uint32_t j = 0; j < s->nappend; j++)
        r.iter[s->keep + j] = s->append[j];
    *out = r;
    return true;
}

bool gy_summary_compose(const struct gy_summary *first, const struct gy_summary *then,
                        struct gy_summary *out)
{
    struct gy_summary r = {.keep = first->keep < then->keep ? first->keep : then->keep};
    uint32_t extra = then->keep - r.keep; /* first's appended coords that then keeps */

    assert(then->keep <= gy_summary_out_depth(first));
    if (__builtin_add_overflow(first->epoch_add, then->epoch_add, &r.epoch_add))
        return false;
    for (uint32_t j = 0; j < r.keep; j++)
        if (__builtin_add_overflow(first->add[j], then->add[j], &r.add[j]))
            return false;
    for (uint32_t j = 0; j < extra; j++)
        if (__builtin_add_overflow(first->append[j], then->add[r.keep + j], &r.append[j]))
            return false;
    for (uint32_t j = 0; j < then->nappend; j++)
        r.append[extra + j] = then->append[j];
    r.nappend = (uint8_t)(extra + then->nappend);
    *out = r;
    return true;
}

/*
 * Loop coordinate j (0-based, after the epoch) of a's and b's results:
 * each is either kept (source coordinate plus add) or a constant.
 */
static bool coord_le(const struct gy_summary *a, const struct gy_summary *b, uint32_t j)
{
    bool a_kept = j < a->keep, b_kept = j < b->keep;

    if (a_kept && b_kept)
        return a->add[j] <= b->add[j];
    if (a_kept)
        return false; /* a grows with the source, b does not */
    if (b_kept)
        return a->append[j - a->keep] <= b->add[j]; /* b's least value is at source 0 */
    return a->append[j - a->keep] <= b->append[j - b->keep];
}

bool gy_summary_le(const struct gy_summary *a, const struct gy_summary *b)
{
    uint32_t d = gy_summary_out_depth(a);

    assert(d == gy_summary_out_depth(b));
    if (a->epoch_add > b->epoch_add)
        return false;
    for (uint32_t j = 0; j < d; j++)
        if (!coord_le(a, b, j))
            return false;
    return true;
}

bool gy_summary_eq(const struct gy_summary *a, const struct gy_summary *b)
{
    if (a->keep != b->keep || a->nappend != b->nappend || a->epoch_add != b->epoch_add)
        return false;
    for (uint32_t j = 0; j < a->keep; j++)
        if (a->add[j] != b->add[j])
            return false;
    for (uint32_t j = 0; j < a->nappend; j++)
        if (a->append[j] != b->append[j])
            return false;
    return true;
}

bool gy_summary_advances(const struct gy_summary *s)
{
    if (s->epoch_add > 0)
        return true;
    for (uint32_t j = 0; j < s->keep; j++)
        if (s->add[j] > 0)
            return true;
    return false;
}

int gy_summary_format(const struct gy_summary *s, char *buf, size_t size)
{
    /* "keep 4 +(" + 20 digits + 4 * (",4294967295") + ") append(" + 4 * 11 + ")" < 160. */
    char tmp[160];
    int n = snprintf(tmp, sizeof(tmp), "keep %u +(%llu", s->keep,
                     (unsigned long long)s->epoch_add);

    for (uint32_t j = 0; j < s->keep && j < GY_MAX_DEPTH; j++)
        n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, ",%u", s->add[j]);
    n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, ")");
    for (uint32_t j = 0; j < s->nappend && j < GY_MAX_DEPTH; j++)
        n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, "%s%u", j ? "," : " append(",
                      s->append[j]);
    if (s->nappend)
        snprintf(tmp + n, sizeof(tmp) - (size_t)n, ")");
    return snprintf(buf, size, "%s", tmp);
}

void gy_summaries_init(struct gy_summaries *a)
{
    a->items = NULL;
    a->len = 0;
    a->cap = 0;
}

void gy_summaries_destroy(struct gy_summaries *a)
{
    gy_free(a->items);
    gy_summaries_init(a);
}

int gy_summaries_copy(struct gy_summaries *dst, const struct gy_summaries *src)
{
    struct gy_summary *items = NULL;

    if (src->len) {
        items = gy_malloc(src->len * sizeof(*items));
        if (!items)
            return -ENOMEM;
        memcpy(items, src->items, src->len * sizeof(*items));
    }
    gy_free(dst->items);
    dst->items = items;
    dst->len = src->len;
    dst->cap = src->len;
    return 0;
}

int gy_summaries_insert(struct gy_summaries *a, const struct gy_summary *s)
{
    uint32_t w = 0;
    size_t cap = a->cap;
    void *items = a->items;

    for (uint32_t i = 0; i < a->len; i++)
        if (gy_summary_le(&a->items[i], s))
            return 0;
    if (gy_grow(&items, &cap, (size_t)a->len + 1, sizeof(*a->items)))
        return -ENOMEM;
    a->items = items;
    a->cap = (uint32_t)cap;
    for (uint32_t i = 0; i < a->len; i++)
        if (!gy_summary_le(s, &a->items[i]))
            a->items[w++] = a->items[i];
    a->items[w++] = *s;
    a->len = w;
    return 1;
}
