/*
 * The runtime: W worker threads, one per core, each pinned with hwloc, each
 * running the same user function (SPMD, as in timely): the function builds
 * the same dataflows on every worker and drives them with gy_worker_step
 * until they complete. Workers exchange data batches and progress updates
 * through wait-free mailboxes.
 *
 * Errors: any worker (an operator, a reader, the user function) can fail the
 * run with one message. Every worker then stops at its next step, parked
 * workers are woken, and gy_runtime_run returns -ECANCELED with that message.
 */
#ifndef GY_RUNTIME_RUNTIME_H
#define GY_RUNTIME_RUNTIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "progress/compiler.h"

typedef struct gy_worker gy_worker_t;

/* Worker's main function. Runs on every worker thread. Return 0, or a
 * negative errno after calling gy_worker_fail (a nonzero return without a
 * message fails the run with a generic one). */
typedef int (*gy_worker_fn)(gy_worker_t *w, void *arg);

struct gy_runtime_config {
    uint32_t workers;     /* 0: one per core (hwloc) */
    bool no_pin;          /* do not pin workers to cores */
    uint32_t spin_us;     /* idle spin before yielding and parking; UINT32_MAX: default */
    /* Flow control (docs/flow-control.md): per worker, the bytes of record
     * batches it made that may be in flight (not yet consumed) before its
     * sources wait and its operators take one batch at a time, most
     * downstream and most advanced first. Counted in whole batches of
     * gy_runtime_batch_bytes() each. 0: unbounded (the default). */
    uint64_t channel_bytes;
    /* Per-operator and progress-traffic statistics (runtime/stats.h): off
     * by default; on, operator runs read the clock between them and each
     * batch bumps a few counters. gy_runtime_run_stats hands them back. */
    bool stats;
};

/* Defaults: one worker per core, pinned, default idle policy, no bound, no stats. */
void gy_runtime_config_init(struct gy_runtime_config *cfg);

/*
 * Starts cfg->workers threads running fn(w, arg), waits for all, frees all.
 * Main thread only; not reentrant. Returns 0, -ECANCELED when the run failed
 * (err holds the message, "file:line: ..." or "operator 'x': ..."), or
 * another negative errno if the threads could not start (err says why).
 */
GY_NODISCARD int gy_runtime_run(const struct gy_runtime_config *cfg, gy_worker_fn fn, void *arg,
                                char *err, size_t errlen);

/* Cores the machine has (hwloc), at least 1. Any thread. */
uint32_t gy_runtime_cores(void);

/* This worker's index in [0, peers) and the number of workers. Worker thread. */
uint32_t gy_worker_index(const gy_worker_t *w);
uint32_t gy_worker_peers(const gy_worker_t *w);

/*
 * One round of work: receive batches and progress, run the operators that
 * have work, send batches and progress. Never blocks. Worker thread only.
 * Returns 1 if it did anything, 0 if idle, -ECANCELED once the run failed.
 */
GY_NODISCARD int gy_worker_step(gy_worker_t *w);

/* Like gy_worker_step, but when idle, waits (spin, yield, then sleep until
 * a message arrives). Returns as gy_worker_step. */
GY_NODISCARD int gy_worker_step_or_park(gy_worker_t *w);

/*
 * Steps until every dataflow of this worker is complete (no capability held
 * and no message in flight anywhere), parking when idle. Returns 0 or
 * -ECANCELED.
 */
GY_NODISCARD int gy_worker_run(gy_worker_t *w);

/* Fails the whole run with a message (printf format). The first failure wins;
 * later ones are ignored. Any worker thread. Returns -ECANCELED for
 * convenience: `return gy_worker_fail(w, "...")`. */
int gy_worker_fail(gy_worker_t *w, const char *fmt, ...) GY_PRINTF(2, 3);

/* True once any worker failed. Any thread. */
bool gy_worker_failed(const gy_worker_t *w);

/*
 * Tells every other worker that something it may wait for has happened:
 * an operator polling with gy_dataflow_poll (gy_op_poll) for state this
 * worker publishes runs again soon, rather than after its worker's next
 * message. Publish the state first, with a release store or stronger; a
 * worker whose step began before that store is then either woken or does
 * not go to sleep, so no wake-up is lost (runtime/mailbox.c). Costs one
 * atomic add per peer, and a system call per peer that sleeps. Any worker
 * thread, inside or outside a step.
 */
void gy_worker_wake_peers(gy_worker_t *w);

/* ---- flow control (docs/flow-control.md) ---- */

/* Memory one batch takes (header and 16 KiB payload): the unit in which
 * channel_bytes and struct gy_worker_mem count. Any thread. */
size_t gy_runtime_batch_bytes(void);

/* A worker's batch memory. Counts are in bytes, multiples of
 * gy_runtime_batch_bytes(). data_* are this worker's own view: a batch
 * another worker consumed counts until this worker takes it back, so they
 * never undercount. */
struct gy_worker_mem {
    uint64_t bound;          /* cfg.channel_bytes (0: unbounded) */
    uint64_t data_bytes;     /* record batches this worker made, not yet consumed */
    uint64_t data_peak;      /* the most data_bytes has been in this run */
    uint64_t pool_bytes;     /* every batch this worker allocated (data and progress);
                              * pools never shrink, so this is its batch memory peak */
    uint64_t throttled_runs; /* operator runs for a single batch under pressure */
    uint64_t waits;          /* steps its sources spent waiting for room */
    uint64_t holds;          /* steps it held its operators until peers drained its batches */
};

/* Fills *out for this worker. Worker thread. */
void gy_worker_mem_stats(gy_worker_t *w, struct gy_worker_mem *out);

/* True when cfg.channel_bytes is set for this run. Any worker thread. */
bool gy_worker_bounded(const gy_worker_t *w);

/* True inside gy_worker_step, that is, inside an operator callback, where
 * the worker must not be stepped again. Worker thread. */
bool gy_worker_in_step(const gy_worker_t *w);

/*
 * Steps the worker (parking when idle) until the record batches it made and
 * that are still in flight are below its bound, so a source may send. Returns
 * 0 at once when unbounded or inside a step (a callback cannot wait).
 * Worker thread. Returns 0 or -ECANCELED once the run failed.
 */
GY_NODISCARD int gy_worker_wait_room(gy_worker_t *w);

/* Monotonic seconds, for user code that times things. */
double gy_now(void);

#endif
