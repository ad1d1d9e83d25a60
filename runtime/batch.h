/*
 * Batches: the unit every channel and mailbox moves. A batch carries either
 * records of one timestamp (data) or a chunk of progress updates, in a fixed
 * inline buffer, so the steady state allocates nothing: a worker takes
 * batches from its own pool, and whoever consumes a batch gives it back to
 * the pool it came from (a local push on the owner, a wait-free enqueue from
 * any other worker, mimalloc-style).
 *
 * Synchronization:
 *   pool.free        owner only
 *   pool.ret_*       enqueued by any worker, spliced by the owner
 *   pool.data_*      owner only: a batch released by another worker is
 *                    subtracted when the owner reclaims it
 *   pool.xwant       written by the owner, read by releasers and drainers
 *                    (seq_cst, Dekker with the mailbox's xparked: flow.c)
 *   pool.xdrained    added to by receivers of the owner's batches, read by
 *                    the owner (seq_cst)
 *   pool.sent_remote owner only
 *   batch contents   written by the sender before it publishes the batch
 *                    (mailbox enqueue = release), read by the receiver after
 *                    it dequeues it (acquire)
 */
#ifndef GY_RUNTIME_BATCH_H
#define GY_RUNTIME_BATCH_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define _LGPL_SOURCE
#include <urcu/wfcqueue.h>

#include "progress/compiler.h"
#include "progress/time.h"

/* 16 KiB of payload: 2048 records of 8 bytes, 512 edges, 341 progress
 * updates. Large enough to amortize the per-batch costs (one enqueue, two
 * progress updates), small enough to stay in L1/L2 on both ends. */
#define GY_BATCH_BYTES 16384

enum gy_batch_kind { GY_BATCH_DATA = 1, GY_BATCH_PROGRESS = 2 };

/* One progress update: delta at pointstamp (loc, time). */
struct gy_pupdate {
    struct gy_time time;
    int64_t delta;
    uint32_t loc;
    uint32_t pad_;
};

struct gy__pool;
struct gy__mailbox;

struct gy_batch {
    struct cds_wfcq_node node;   /* mailbox / return-queue link */
    struct gy_batch *next;       /* owner-local FIFO link (port queues, outboxes) */
    struct gy__pool *home;       /* the pool it returns to */
    uint32_t kind;               /* enum gy_batch_kind */
    uint32_t dataflow;           /* dataflow id (same on every worker) */
    uint32_t loc;                /* DATA: target input location */
    uint32_t from;               /* sending worker */
    uint32_t count;              /* records or updates in data[] */
    uint32_t rec_size;           /* DATA: bytes per record */
    union {
        struct gy_time time;     /* DATA: every record's time */
        uint64_t sent_ns;        /* PROGRESS, with stats on: when it was published
                                  * (CLOCK_MONOTONIC ns, runtime/stats.c) */
    };
    _Alignas(16) unsigned char data[GY_BATCH_BYTES];
};

/* A FIFO of batches owned by one thread. */
struct gy_bqueue {
    struct gy_batch *head;
    struct gy_batch *tail;
    uint32_t len;
};

static inline void gy_bqueue_push(struct gy_bqueue *q, struct gy_batch *b)
{
    b->next = NULL;
    if (q->tail)
        q->tail->next = b;
    else
        q->head = b;
    q->tail = b;
    q->len++;
}

static inline struct gy_batch *gy_bqueue_pop(struct gy_bqueue *q)
{
    struct gy_batch *b = q->head;
    if (b) {
        q->head = b->next;
        if (!q->head)
            q->tail = NULL;
        q->len--;
    }
    return b;
}

struct gy__pool {
    struct gy_batch *free;               /* owner only: stack through ->next */
    uint64_t allocated;                  /* owner only: batches ever made */
    uint64_t data_live;                  /* data batches taken and not yet back (owner's view) */
    uint64_t data_peak;                  /* max of data_live */
    uint64_t sent_remote;                /* data batches sealed for other workers (outbox,
                                          * then their mailboxes) */
    uint32_t owner;
    struct gy__mailbox *mbox;            /* the owner's, woken by returns when xwant */
    _Alignas(GY_CACHELINE) struct __cds_wfcq_head ret_head;  /* owner splices */
    _Alignas(GY_CACHELINE) struct cds_wfcq_tail ret_tail;    /* others enqueue */
    _Atomic bool xwant;                  /* owner waits for returns or drains: wake it */
    _Atomic uint64_t xdrained;           /* of sent_remote, dequeued by their receivers
                                          * (counted on bounded runs only) */
};

/* Pair with gy__pool_destroy (after every thread that used it has stopped).
 * mbox is the owner's mailbox, woken by a return while the owner wants one. */
void gy__pool_init(struct gy__pool *p, uint32_t owner, struct gy__mailbox *mbox);
/* Frees the pool's batches. Returns how many batches were never returned. */
uint64_t gy__pool_destroy(struct gy__pool *p);

/* A batch from the owner's pool (owner thread only). NULL on ENOMEM. */
GY_NODISCARD struct gy_batch *gy__pool_get(struct gy__pool *p);

/* The same for a data batch: kind is set to GY_BATCH_DATA and the batch is
 * counted in data_live (and data_peak) until it comes back. */
GY_NODISCARD struct gy_batch *gy__pool_get_data(struct gy__pool *p);

/* Moves every batch other workers returned onto the free stack, so that
 * data_live is exact as of now. Owner only. */
void gy__pool_reclaim(struct gy__pool *p);

/* Gives b back to its home pool. mine is the calling worker's pool. Any worker. */
void gy__batch_release(struct gy__pool *mine, struct gy_batch *b);

#endif
