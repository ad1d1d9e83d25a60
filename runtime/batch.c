/*
 * Batch pools: per-worker free lists with a wait-free return queue for
 * batches released by other workers, and the count of data batches live
 * that flow control (runtime/flow.c) bounds.
 */
#include "runtime/batch.h"

#include <stdlib.h>

#include "progress/alloc.h"
#include "runtime/mailbox.h"
#include "runtime/tsan.h"

void gy__pool_init(struct gy__pool *p, uint32_t owner, struct gy__mailbox *mbox)
{
    p->free = NULL;
    p->allocated = 0;
    p->data_live = 0;
    p->data_peak = 0;
    p->sent_remote = 0;
    p->owner = owner;
    p->mbox = mbox;
    __cds_wfcq_init(&p->ret_head, &p->ret_tail);
    atomic_init(&p->xwant, false);
    atomic_init(&p->xdrained, 0);
}

/* A batch back home: onto the free stack, uncounted if it carried data. */
static inline void pool_put(struct gy__pool *p, struct gy_batch *b)
{
    if (b->kind == GY_BATCH_DATA)
        p->data_live--;
    b->next = p->free;
    p->free = b;
}

void gy__pool_reclaim(struct gy__pool *p)
{
    struct __cds_wfcq_head h;
    struct cds_wfcq_tail t;
    struct cds_wfcq_node *n;

    __cds_wfcq_init(&h, &t);
    if (__cds_wfcq_splice_blocking(&h, &t, &p->ret_head, &p->ret_tail) == CDS_WFCQ_RET_SRC_EMPTY)
        return;
    while ((n = __cds_wfcq_dequeue_blocking(&h, &t)) != NULL) {
        struct gy_batch *b = caa_container_of(n, struct gy_batch, node);
        GY_TSAN_ACQUIRE(b);
        pool_put(p, b);
    }
}

struct gy_batch *gy__pool_get(struct gy__pool *p)
{
    struct gy_batch *b = p->free;

    if (GY_UNLIKELY(!b)) {
        gy__pool_reclaim(p);
        b = p->free;
    }
    if (b) {
        p->free = b->next;
    } else {
        b = gy_malloc(sizeof(*b));
        if (!b)
            return NULL;
        b->home = p;
        p->allocated++;
    }
    cds_wfcq_node_init(&b->node);
    b->next = NULL;
    b->count = 0;
    b->kind = GY_BATCH_PROGRESS;
    return b;
}

struct gy_batch *gy__pool_get_data(struct gy__pool *p)
{
    struct gy_batch *b = gy__pool_get(p);

    if (!b)
        return NULL;
    b->kind = GY_BATCH_DATA;
    if (++p->data_live > p->data_peak)
        p->data_peak = p->data_live;
    return b;
}

void gy__batch_release(struct gy__pool *mine, struct gy_batch *b)
{
    struct gy__pool *home = b->home;

    if (home == mine) {
        pool_put(home, b);
        return;
    }
    cds_wfcq_node_init(&b->node);
    GY_TSAN_RELEASE(b);
    cds_wfcq_enqueue(&home->ret_head, &home->ret_tail, &b->node);
    /* Dekker with the owner's park (runtime/flow.c): the enqueue above is a
     * full barrier; the owner stores xwant, then xparked, fences, and only
     * then looks at the return queue. One of us sees the other. */
    if (GY_UNLIKELY(atomic_load_explicit(&home->xwant, memory_order_seq_cst)))
        gy__mailbox_wake(home->mbox);
}

uint64_t gy__pool_destroy(struct gy__pool *p)
{
    uint64_t freed = 0;

    gy__pool_reclaim(p);
    while (p->free) {
        struct gy_batch *b = p->free;
        p->free = b->next;
        gy_free(b);
        freed++;
    }
    return p->allocated - freed;
}
