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
 * struct gy_worker fields belong to the worker's own thread, except mbox and
 * pool.ret_* (see mailbox.h and batch.h).
 */
#ifndef GY_RUNTIME_INTERNAL_H
#define GY_RUNTIME_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/batch.h"
#include "runtime/dataflow.h"
#include "runtime/mailbox.h"
#include "runtime/runtime.h"

struct gy__runtime {
    uint32_t peers;
    struct gy_worker *workers;         /* [peers] */
    gy_worker_fn fn;
    void *arg;
    uint32_t spin_us;
    bool pin;
    _Atomic bool xfailed;
    pthread_mutex_t err_lock;
    char err[1024];
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
};

/* Sends b to worker dest's mailbox (any worker). */
void gy__worker_send(gy_worker_t *w, uint32_t dest, struct gy_batch *b);

/* Dataflow registry (worker thread). */
GY_NODISCARD int gy__worker_register(gy_worker_t *w, gy_dataflow_t *df, uint32_t *id);
void gy__worker_unregister(gy_worker_t *w, uint32_t id);
/* Hands the messages stashed for dataflow id to it (after its build). */
void gy__worker_replay_early(gy_worker_t *w, uint32_t id);

/* Dataflow hooks the worker's step loop calls (runtime/dataflow.c). */
void gy__dataflow_deliver(gy_dataflow_t *df, struct gy_batch *b);
bool gy__dataflow_is_built(const gy_dataflow_t *df);
GY_NODISCARD int gy__dataflow_step(gy_dataflow_t *df);   /* 1 did work, 0 idle, <0 failed */

/* Pinning (runtime/pin.c). */
uint32_t gy__pin_cores(void);
void gy__pin_thread(uint32_t worker, uint32_t peers);

#endif
