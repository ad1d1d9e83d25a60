/*
 * What both connected-components operators share (cc_internal.h): the
 * buffers of records of epochs still open, and following the input
 * frontier with one capability.
 *
 * Few epochs are open at once (the driver's read-ahead bounds them), so the
 * buffers are a small array kept in epoch order; records almost always
 * belong to the newest epoch or the one before, so the search starts at
 * the end.
 */
#include <errno.h>
#include <string.h>

#include "algorithms/cc_internal.h"
#include "progress/alloc.h"

void gy__cc_pending_init(struct gy__cc_pending *p, size_t rec_size)
{
    memset(p, 0, sizeof(*p));
    p->rec_size = rec_size;
}

void gy__cc_pending_destroy(struct gy__cc_pending *p)
{
    for (uint32_t i = 0; i < p->n; i++)
        gy_free(p->ep[i].recs);
    gy_free(p->ep);
    for (uint32_t i = 0; i < p->nspare; i++)
        gy_free(p->spare[i].recs);
    gy__cc_pending_init(p, p->rec_size);
}

/* The buffer of epoch, inserted in order if new; NULL on ENOMEM. */
static struct gy__cc_ebuf *buf_of(struct gy__cc_pending *p, uint64_t epoch)
{
    uint32_t i = p->n;
    void *v = p->ep;
    size_t cap = p->cap;

    while (i > 0 && p->ep[i - 1].epoch > epoch)
        i--;
    if (i > 0 && p->ep[i - 1].epoch == epoch)
        return &p->ep[i - 1];
    if (gy_grow(&v, &cap, (size_t)p->n + 1, sizeof(*p->ep)) != 0)
        return NULL;
    p->ep = v;
    p->cap = (uint32_t)cap;
    memmove(&p->ep[i + 1], &p->ep[i], (p->n - i) * sizeof(*p->ep));
    p->n++;
    p->ep[i] = p->nspare > 0 ? p->spare[--p->nspare] : (struct gy__cc_ebuf){0};
    p->ep[i].epoch = epoch;
    p->ep[i].len = p->ep[i].marks = 0;
    return &p->ep[i];
}

void *gy__cc_pending_reserve(struct gy__cc_pending *p, uint64_t epoch, size_t n,
                             struct gy__cc_ebuf **buf)
{
    struct gy__cc_ebuf *b = buf_of(p, epoch);
    void *recs;

    if (!(*buf = b))
        return NULL;
    recs = b->recs;
    if (b->len + n > b->cap && gy_grow(&recs, &b->cap, b->len + n, p->rec_size) != 0)
        return NULL;
    b->recs = recs;
    b->len += n;
    return (char *)recs + (b->len - n) * p->rec_size;
}

struct gy__cc_ebuf *gy__cc_pending_first(struct gy__cc_pending *p, uint64_t before)
{
    return p->n > 0 && p->ep[0].epoch < before ? &p->ep[0] : NULL;
}

void gy__cc_pending_pop(struct gy__cc_pending *p)
{
    /* Keep the buffer for a later epoch, up to GY__CC_SPARES of them. */
    if (p->nspare < GY__CC_SPARES)
        p->spare[p->nspare++] = p->ep[0];
    else
        gy_free(p->ep[0].recs);
    p->n--;
    memmove(&p->ep[0], &p->ep[1], p->n * sizeof(*p->ep));
}

uint64_t gy__cc_frontier_epoch(const gy_op_t *op)
{
    const struct gy_antichain *f = gy_op_frontier(op, 0);
    uint64_t e = UINT64_MAX;

    for (uint32_t i = 0; i < f->len; i++)
        if (f->items[i].epoch < e)
            e = f->items[i].epoch;
    return e;
}

int gy__cc_cap_follow(gy_op_t *op, struct gy_cap *cap, uint64_t to)
{
    struct gy_time t = gy_time_epoch(to);

    if (!cap->held)
        return 0;
    if (to == UINT64_MAX) {
        gy_cap_drop(op, cap);
        return 0;
    }
    return gy_cap_downgrade(op, cap, &t) != 0 ? -ECANCELED : 0;
}
