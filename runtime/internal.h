/*
 * Runtime internals shared by the files of runtime/ only.
 *
 * Synchronization table for struct gy__runtime:
 *   peers, workers, fn, arg, cfg   written by the main thread before the
 *                                  workers start; read-only afterwards
 *   xfailed                        set once by the first failing worker
 *                                  (seq_cst, pairs with mailbox parking)
 *   err                            written under err_lock by the first
 *                                  failer; read by the main thread after join
 * struct gy_worker fields belong to the worker's own thread, except mbox,
 * pool.ret_* and pool.xwant (see mailbox.h and batch.h); st, the worker's
 * statistics, is read by the main thread only after pthread_join.
 */
#ifndef GY_RUNTIME_INTERNAL_H
#define GY_RUNTIME_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "progress/hash.h"
#include "runtime/batch.h"
#include "runtime/dataflow.h"
#include "runtime/mailbox.h"
#include "runtime/runtime.h"
#include "runtime/stats.h"

/* gy_key_worker, inlined where the exchange routes every record:
 * splitmix64's finalizer, then a multiply-shift range reduction. */
static inline uint32_t gy__key_worker(uint64_t key, uint32_t peers)
{
    return (uint32_t)(((unsigned __int128)gy_splitmix64_mix(key) * peers) >> 64);
}

struct gy__runtime {
    uint32_t peers;
    struct gy_worker *workers;         /* [peers] */
    gy_worker_fn fn;
    void *arg;
    uint32_t spin_us;
    bool pin;
    uint64_t channel_bytes;            /* cfg.channel_bytes: per-worker bound, 0 = none */
    bool stats;                        /* cfg.stats: count (runtime/stats.c) */
    bool collect;                      /* gy_runtime_run_stats: keep each freed
                                        * dataflow's slots for the snapshot */
    _Atomic bool xfailed;
    pthread_mutex_t err_lock;
    char err[1024];
};

/* A worker's own statistics (runtime/stats.c), counted with stats on
 * only. Times in CLOCK_MONOTONIC nanoseconds. */
struct gy__wstats {
    uint64_t wall_ns;                  /* the worker function */
    uint64_t wait_ns;                  /* in gy__worker_idle_wait */
    uint64_t steps;
    uint64_t progress_batches;         /* sent to peers */
    uint64_t progress_updates;
    uint64_t data_batches;             /* record batches sealed for peers */
    uint64_t data_bytes;
    uint64_t advances;                 /* propagations that moved a frontier */
    uint64_t advance_ns;               /* their latencies, summed */
    uint64_t advance_max_ns;
    /* What freed dataflows left: one record per slot, for the snapshot. */
    struct gy_stats_op *ops;
    size_t nops, cap_ops;
    bool oom;                          /* a record was lost: the snapshot fails */
};

struct gy_worker {
    struct gy__mailbox mbox;           /* first: cache-line aligned */
    struct gy__pool pool;
    struct gy__runtime *rt;
    uint32_t index;
    uint32_t peers;
    struct gy_bqueue early;            /* messages for dataflows not built yet */
    gy_dataflow_t **dataflows;         /* by id; NULL once freed */
    uint32_t ndataflows;               /* ids handed out so far */
    uint32_t cap_dataflows;
    pthread_t thread;
    int rc;
    /* Flow control (runtime/flow.c). flow_limit = ceil(channel_bytes /
     * sizeof(struct gy_batch)) data batches, UINT64_MAX when unbounded. */
    uint64_t flow_limit;
    uint64_t flow_runs;                /* operator runs for one batch under pressure */
    uint64_t flow_waits;               /* steps a source waited for room */
    uint64_t flow_holds;               /* steps held for peers to drain our batches */
    /* What an idle worker waits for under flow control: set by the step
     * (or a source's wait) that held work back; idle_wait parks until a
     * return, a message, or xdrained moves past flow_seen_drained, the value
     * the last hold decision read. Never reclaim in between: a return would
     * be taken without waking anyone. */
    bool flow_want;
    uint64_t flow_seen_drained;
    uint32_t *drained;                 /* [peers] bounded runs: batches of each peer
                                        * dequeued in this step, added to its xdrained */
    bool stepping;                     /* inside gy_worker_step (operator callbacks) */
    /* The mailbox's eventcount key, read at the start of the last step,
     * before any operator checked what it waits for (gy_dataflow_poll): an
     * idle wait ends at once if a signal came since (gy_worker_wake_peers). */
    uint32_t wake_key;
    struct gy__wstats st;              /* rt->stats only */
};

/* The clock of the statistics: CLOCK_MONOTONIC in nanoseconds (the vDSO
 * reads it without a system call; the coarse clock ticks every few ms,
 * longer than most operator runs). Read only with stats on. */
static inline uint64_t gy__stats_clock(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* runtime/stats.c: keeps the slots of df (being freed) for the snapshot. */
void gy__stats_keep_dataflow(gy_dataflow_t *df);
/* Builds the snapshot from every worker's records, after the threads joined. */
GY_NODISCARD int gy__stats_gather(struct gy__runtime *rt, gy_stats_t **out);
/* Frees what the workers kept (after gathering, or instead of it). */
void gy__stats_release(struct gy__runtime *rt);
/* One frontier advance seen by w's propagation, published at pub_ns. */
void gy__stats_advance(gy_worker_t *w, uint64_t pub_ns);

/* True when this worker's live data batches reach its bound. Reclaims
 * returned batches first, so the count is exact. Worker thread. */
static inline bool gy__flow_over(gy_worker_t *w)
{
    if (GY_LIKELY(w->pool.data_live < w->flow_limit))
        return false;
    gy__pool_reclaim(&w->pool);
    return w->pool.data_live >= w->flow_limit;
}

static inline bool gy__flow_bounded(const gy_worker_t *w)
{
    return w->flow_limit != UINT64_MAX;
}

/* Sends b to worker dest's mailbox (any worker). */
void gy__worker_send(gy_worker_t *w, uint32_t dest, struct gy_batch *b);

/* Dataflow registry (worker thread). */
GY_NODISCARD int gy__worker_register(gy_worker_t *w, gy_dataflow_t *df, uint32_t *id);
void gy__worker_unregister(gy_worker_t *w, uint32_t id);
/* Hands the messages stashed for dataflow id to it (after its build). */
void gy__worker_replay_early(gy_worker_t *w, uint32_t id);

/* Waits for a message, a signal since the last step began (or, when over
 * its bound, a returned batch or a peer draining our batches): spin,
 * yield, then park (runtime/worker.c). */
void gy__worker_idle_wait(gy_worker_t *w);

/* Dataflow hooks the worker's step loop calls (runtime/dataflow.c). */
void gy__dataflow_deliver(gy_dataflow_t *df, struct gy_batch *b);
bool gy__dataflow_is_built(const gy_dataflow_t *df);
GY_NODISCARD int gy__dataflow_step(gy_dataflow_t *df);   /* 1 did work, 0 idle, <0 failed */

/* Pinning (runtime/pin.c). */
uint32_t gy__pin_cores(void);
void gy__pin_thread(uint32_t worker, uint32_t peers);

#endif
