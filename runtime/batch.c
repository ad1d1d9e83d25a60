/*
 * Batch pools: per-worker free lists with a wait-free return queue for
 * batches released by other workers.
 */
#include "runtime/batch.h"

#include <stdlib.h>

#include "progress/alloc.h"
#include "runtime/tsan.h"

void gy__pool_init(struct gy__pool *p, uint32_t owner)
{
    p->free = NULL;
    p->allocated = 0;
    p->owner = owner;
    __cds_wfcq_init(&p->ret_head, &p->ret_tail);
}

/* Moves every batch other workers returned onto the local free stack. */
static void pool_reclaim(struct gy__pool *p)
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
        b->next = p->free;
        p->free = b;
    }
}

struct gy_batch *gy__pool_get(struct gy__pool *p)
{
    struct gy_batch *b = p->free;

    if (GY_UNLIKELY(!b)) {
        pool_reclaim(p);
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
    return b;
}

void gy__batch_release(struct gy__pool *mine, struct gy_batch *b)
{
    struct gy__pool *home = b->home;

    if (home == mine) {
        b->next = home->free;
        home->free = b;
        return;
    }
    cds_wfcq_node_init(&b->node);
    GY_TSAN_RELEASE(b);
    cds_wfcq_enqueue(&home->ret_head, &home->ret_tail, &b->node);
}

uint64_t gy__pool_destroy(struct gy__pool *p)
{
    uint64_t freed = 0;

    pool_reclaim(p);
    while (p->free) {
        struct gy_batch *b = p->free;
        p->free = b->next;
        gy_free(b);
        freed++;
    }
    return p->allocated - freed;
}
