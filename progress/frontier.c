/*
 * Mutable antichains: counted times and the antichain of minimal times with
 * a positive count.
 *
 * Invariant after every gy_frontier_apply: frontier = min { t : counts[t] > 0 }.
 * An apply folds the compacted pending updates into counts, then restores
 * the invariant in the cheapest way that is sound:
 *   - a frontier element's count dropped to <= 0: rescan every count (elements
 *     it dominated may now be minimal); this is the only O(counts) case;
 *   - otherwise only positive updates can change the frontier, each by
 *     entering it (and evicting the elements above it), which the antichain
 *     insert does; negative updates off the frontier change nothing, because
 *     a positive time off the frontier is above some frontier element.
 * The change report is the exact difference old -> new: -1 for each element
 * that left, +1 for each that entered.
 */
#include "progress/frontier.h"

#include <assert.h>
#include <errno.h>

#include "progress/alloc.h"

void gy_frontier_init(struct gy_frontier *f)
{
    gy_changes_init(&f->counts);
    gy_changes_init(&f->pending);
    gy_antichain_init(&f->frontier);
}

void gy_frontier_destroy(struct gy_frontier *f)
{
    gy_changes_destroy(&f->counts);
    gy_changes_destroy(&f->pending);
    gy_antichain_destroy(&f->frontier);
}

int gy_frontier_update(struct gy_frontier *f, const struct gy_time *t, int64_t delta)
{
    return gy_changes_add(&f->pending, t, delta);
}

static bool in_frontier(const struct gy_frontier *f, const struct gy_time *t)
{
    const struct gy_antichain *a = &f->frontier;

    for (uint32_t i = 0; i < a->len; i++)
        if (gy_time_eq(&a->items[i], t))
            return true;
    return false;
}

/*
 * Rebuilds the frontier from every positive count. counts is sorted by a
 * total order that extends the partial order, so a time can only be
 * dominated by one seen before it: appending the undominated ones suffices.
 */
static int rescan(struct gy_frontier *f)
{
    gy_antichain_clear(&f->frontier);
    for (uint32_t i = 0; i < f->counts.len; i++) {
        const struct gy_change *c = &f->counts.items[i];
        if (c->delta > 0 && gy_antichain_insert(&f->frontier, &c->time) < 0)
            return -ENOMEM;
    }
    return 0;
}

/* Inserts the times of positive updates whose count is now positive. */
static int insert_positive(struct gy_frontier *f)
{
    for (uint32_t i = 0; i < f->pending.len; i++) {
        const struct gy_change *p = &f->pending.items[i];
        if (p->delta > 0 && gy_changes_count(&f->counts, &p->time) > 0 &&
            gy_antichain_insert(&f->frontier, &p->time) < 0)
            return -ENOMEM;
    }
    return 0;
}

/*
 * Appends +1 for each new element, cancelling against the -1s recorded for
 * the old frontier at changed->items[base..), then drops the cancelled ones.
 */
static int report_diff(const struct gy_frontier *f, struct gy_changes *changed, uint32_t base)
{
    uint32_t nold = changed->len - base, w = base;

    for (uint32_t i = 0; i < f->frontier.len; i++) {
        const struct gy_time *t = &f->frontier.items[i];
        uint32_t j = base;
        while (j < base + nold && !gy_time_eq(&changed->items[j].time, t))
            j++;
        if (j < base + nold)
            changed->items[j].delta = 0;
        else if (gy_changes_add(changed, t, +1))
            return -ENOMEM;
    }
    for (uint32_t i = base; i < changed->len; i++)
        if (changed->items[i].delta != 0)
            changed->items[w++] = changed->items[i];
    changed->len = w;
    return 0;
}

/* Records -1 for every current frontier element, at changed->items[*base..). */
static int record_old(const struct gy_frontier *f, struct gy_changes *changed, uint32_t *base)
{
    *base = changed->len;
    for (uint32_t i = 0; i < f->frontier.len; i++)
        if (gy_changes_add(changed, &f->frontier.items[i], -1))
            return -ENOMEM;
    return 0;
}

/* True iff some pending time left the frontier; *negative gets a negative count. */
static bool scan_pending(struct gy_frontier *f, bool *neg, struct gy_time *negative)
{
    bool lost = false;

    for (uint32_t i = 0; i < f->pending.len; i++) {
        const struct gy_change *p = &f->pending.items[i];
        int64_t n = gy_changes_count(&f->counts, &p->time);
        if (n <= 0 && p->delta < 0 && in_frontier(f, &p->time))
            lost = true;
        if (n < 0 && !*neg) {
            *neg = true;
            if (negative)
                *negative = p->time;
        }
    }
    return lost;
}

#if GY_DEBUG >= 2
/* Costly check of the invariant, without allocating: O(counts * frontier). */
static void check_invariant(struct gy_frontier *f)
{
    for (uint32_t i = 0; i < f->frontier.len; i++)
        assert(gy_changes_count(&f->counts, &f->frontier.items[i]) > 0);
    for (uint32_t i = 0; i < f->counts.len; i++) {
        const struct gy_change *c = &f->counts.items[i];
        if (c->delta <= 0)
            continue;
        /* Covered by the frontier, and not below any of its elements. */
        assert(gy_antichain_le(&f->frontier, &c->time));
        for (uint32_t j = 0; j < f->frontier.len; j++)
            assert(!gy_time_lt(&c->time, &f->frontier.items[j]));
    }
}
#else
static inline void check_invariant(struct gy_frontier *f)
{
    (void)f;
}
#endif

int gy_frontier_apply(struct gy_frontier *f, struct gy_changes *changed, struct gy_time *negative)
{
    bool neg = false, lost;
    uint32_t base = 0;
    int rc;

    if (gy_changes_is_empty(&f->pending))
        return 0;
    if (gy_changes_add_all(&f->counts, &f->pending))
        return -ENOMEM;
    gy_changes_compact(&f->counts);
    lost = scan_pending(f, &neg, negative);
    rc = changed ? record_old(f, changed, &base) : 0;
    if (rc == 0)
        rc = lost ? rescan(f) : insert_positive(f);
    if (rc == 0 && changed)
        rc = report_diff(f, changed, base);
    gy_changes_clear(&f->pending);
    if (rc)
        return rc;
    check_invariant(f);
    return neg ? -ERANGE : 0;
}

int64_t gy_frontier_total(const struct gy_frontier *f)
{
    int64_t total = 0;

    for (uint32_t i = 0; i < f->counts.len; i++)
        total += f->counts.items[i].delta;
    return total;
}
