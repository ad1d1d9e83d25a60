/*
 * Dataflows at the runtime level: operator slots with ports, channels
 * between them, per-worker progress tracking, and scheduling. This is the
 * layer under the public operator API (operators/op.h); users write
 * operators with that API, not with this one.
 *
 * SPMD: every worker builds the same dataflow (same operators, same order,
 * same connections), so operator ids, port locations and dataflow ids agree
 * across workers without any coordination.
 *
 * Progress accounting done here, so operators cannot get it wrong:
 *  - a batch sealed on a channel counts +1 at (target input, batch time);
 *  - a batch popped from an input port counts -1 there;
 *  - capabilities are counted by the operator layer through
 *    gy_dataflow_progress, at output locations.
 * A worker's updates of one step travel as one batch, positive updates
 * first, and before the data batches of that step are published.
 *
 * All functions: the owning worker's thread only.
 */
#ifndef GY_RUNTIME_DATAFLOW_H
#define GY_RUNTIME_DATAFLOW_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "progress/antichain.h"
#include "progress/compiler.h"
#include "progress/summary.h"
#include "progress/time.h"
#include "runtime/runtime.h"

typedef struct gy_dataflow gy_dataflow_t;

/* How records travel from an output to the input that consumes them. */
enum gy_pact_kind {
    GY_PACT_PIPELINE,   /* stay on the producing worker */
    GY_PACT_EXCHANGE,   /* to worker route(key(record)); equal keys meet on one worker */
    GY_PACT_BROADCAST,  /* a copy to every worker */
};

/* A record's exchange key. Must be a pure function of the record. */
typedef uint64_t (*gy_key_fn)(const void *rec, void *arg);

struct gy_pact {
    enum gy_pact_kind kind;
    gy_key_fn key;     /* GY_PACT_EXCHANGE only */
    void *key_arg;
};

static inline struct gy_pact gy_pact_pipeline(void)
{
    struct gy_pact p = {.kind = GY_PACT_PIPELINE};
    return p;
}

static inline struct gy_pact gy_pact_exchange(gy_key_fn key, void *arg)
{
    struct gy_pact p = {.kind = GY_PACT_EXCHANGE, .key = key, .key_arg = arg};
    return p;
}

static inline struct gy_pact gy_pact_broadcast(void)
{
    struct gy_pact p = {.kind = GY_PACT_BROADCAST};
    return p;
}

/* The worker that owns key among peers workers: a fixed hash, the same on
 * every worker and in every run. */
uint32_t gy_key_worker(uint64_t key, uint32_t peers);

/* What the runtime calls on an operator slot. */
struct gy_slot_vtable {
    /* Run: inputs have batches, a frontier changed, or it was activated. */
    void (*schedule)(void *ctx);
    /* Free ctx; called once when the dataflow is freed. May be NULL. */
    void (*destroy)(void *ctx);
};

/* A batch as delivered to an operator: count records of rec_size bytes at time. */
struct gy_batch_view {
    const struct gy_time *time;
    const void *records;
    uint32_t count;
    uint32_t rec_size;
};

/* A new dataflow on this worker. NULL on ENOMEM. Every worker must create
 * its dataflows in the same order. */
GY_NODISCARD gy_dataflow_t *gy_dataflow_new(gy_worker_t *w, const char *name);
gy_worker_t *gy_dataflow_worker(const gy_dataflow_t *df);

/* A loop scope inside parent (0 = the root). Returns the scope id, or fails
 * the dataflow (-EINVAL) when nested deeper than GY_MAX_DEPTH. */
GY_NODISCARD int gy_dataflow_add_scope(gy_dataflow_t *df, uint32_t parent);
uint32_t gy_dataflow_scope_depth(const gy_dataflow_t *df, uint32_t scope);
uint32_t gy_dataflow_scope_parent(const gy_dataflow_t *df, uint32_t scope);

enum gy_slot_kind { GY_SLOT_PLAIN, GY_SLOT_ENTER, GY_SLOT_LEAVE, GY_SLOT_FEEDBACK };

struct gy_slot_spec {
    const char *name;
    enum gy_slot_kind kind;
    uint32_t scope;              /* PLAIN: all ports; ENTER/LEAVE/FEEDBACK: the loop scope */
    uint32_t ninputs;
    uint32_t noutputs;
    const size_t *rec_sizes;     /* [noutputs] record size of each output */
    uint32_t feedback_step;      /* FEEDBACK: +n on the loop counter (n >= 1) */
    /* PLAIN: [ninputs * noutputs] summaries input i -> output o at [i * noutputs + o];
     * NULL = identity for every pair. Copied. */
    const struct gy_summaries *summaries;
    const struct gy_slot_vtable *vt;
    void *ctx;
};

/*
 * Adds an operator slot; returns its id (dense from 0) or a negative errno
 * (the dataflow then fails at build, saying why). The slot owns ctx from
 * here on, also on failure: vt->destroy(ctx) runs now or with the dataflow.
 */
GY_NODISCARD int gy_dataflow_add_slot(gy_dataflow_t *df, const struct gy_slot_spec *spec);

/*
 * Adds a loop boundary slot (GY_SLOT_ENTER, GY_SLOT_LEAVE or GY_SLOT_FEEDBACK)
 * for loop_scope, carrying records of rec_size bytes: enter appends a loop
 * counter 0, leave drops it, feedback adds step (>= 1) to it. The runtime
 * forwards the records itself. Returns the slot id or a negative errno.
 */
GY_NODISCARD int gy_dataflow_add_boundary(gy_dataflow_t *df, enum gy_slot_kind kind,
                                           const char *name, uint32_t loop_scope,
                                           size_t rec_size, uint32_t step);

/*
 * Connects output src_port of slot src to input dst_port of slot dst with a
 * pact. An input takes exactly one stream. Mismatches (record size, scope,
 * double connection) are remembered and reported by gy_dataflow_build.
 */
void gy_dataflow_connect(gy_dataflow_t *df, uint32_t src, uint32_t src_port, uint32_t dst,
                         uint32_t dst_port, struct gy_pact pact);

/*
 * A capability every worker's slot holds from the start, at time t on every
 * output (e.g. an input's epoch 0). Counted once per worker on every worker,
 * so no worker can see the dataflow finished before the others have spoken.
 * Before build only.
 */
void gy_dataflow_initial_capability(gy_dataflow_t *df, uint32_t slot, const struct gy_time *t);

/*
 * Freezes the graph: validates it (every input connected, scopes and record
 * sizes match, every cycle advances time), computes path summaries and
 * creates the tracker. On error fails the run with a message naming the
 * dataflow and returns -EINVAL.
 */
GY_NODISCARD int gy_dataflow_build(gy_dataflow_t *df);

/* True once no capability is held and no message is in flight (as far as
 * this worker knows; all workers reach it). */
bool gy_dataflow_complete(const gy_dataflow_t *df);

/* Frees the dataflow (calls every slot's destroy). Batches still queued are
 * released. */
void gy_dataflow_free(gy_dataflow_t *df);

/* Frees p with free_fn when the dataflow is freed (for objects that belong
 * to the dataflow but to no slot, such as loop handles). On ENOMEM frees p
 * at once, fails the run and returns -ENOMEM. */
GY_NODISCARD int gy_dataflow_own(gy_dataflow_t *df, void *p, void (*free_fn)(void *));

/* Fails the run with "operator 'name': message". */
int gy_dataflow_fail_slot(gy_dataflow_t *df, uint32_t slot, const char *fmt, ...) GY_PRINTF(3, 4);
/* The same with a va_list, for callers that take their own format. */
int gy_dataflow_vfail_slot(gy_dataflow_t *df, uint32_t slot, const char *fmt, va_list ap)
    GY_PRINTF(3, 0);

/* --- for the operator layer, during schedule() --- */

/* Takes the oldest batch of an input port (counts -1 there). Returns false
 * when the port has none. The view is valid until the next pop on this
 * dataflow or the end of schedule(). Batches of one time that queued one
 * after another may come merged into one. On a worker over its flow-control
 * bound (docs/flow-control.md) a slot with outputs gets only the batches
 * granted to this run, the most advanced time first, and false after them:
 * the slot runs again later for the rest. */
bool gy_dataflow_pop(gy_dataflow_t *df, uint32_t slot, uint32_t port, struct gy_batch_view *out);

/* True when the input port has batches waiting. */
bool gy_dataflow_has_input(const gy_dataflow_t *df, uint32_t slot, uint32_t port);

/* The input port's frontier (as of the last progress propagation). */
const struct gy_antichain *gy_dataflow_frontier(const gy_dataflow_t *df, uint32_t slot,
                                                uint32_t port);

/* Records a pointstamp change at every output of slot (capabilities). */
GY_NODISCARD int gy_dataflow_progress(gy_dataflow_t *df, uint32_t slot, const struct gy_time *t,
                                      int64_t delta);

/* Appends n records at time t to an output; they are sent when a batch
 * fills or at the end of the slot's run. */
GY_NODISCARD int gy_dataflow_give(gy_dataflow_t *df, uint32_t slot, uint32_t port,
                                  const struct gy_time *t, const void *recs, uint32_t n);

/* Schedules slot in this or the next step, even without input. */
void gy_dataflow_activate(gy_dataflow_t *df, uint32_t slot);

/*
 * Schedules slot like gy_dataflow_activate, but as a poll: for a slot that
 * waits for an event and has just found that it has not happened. The
 * activation does not count as work: a step whose runs were all polls, that
 * received nothing and published nothing, is idle, so the worker waits
 * (spin, yield, park) before it runs the slot again. The wait ends on any
 * message (progress included, so a slot polling a frontier or a probe
 * needs nothing more) or on gy_worker_wake_peers from the worker that
 * publishes the event. A later gy_dataflow_activate of the slot before it
 * runs makes it ordinary work again. Call it from a run that changed
 * nothing else; a run that did work should use gy_dataflow_activate.
 */
void gy_dataflow_poll(gy_dataflow_t *df, uint32_t slot);

uint32_t gy_dataflow_slot_ninputs(const gy_dataflow_t *df, uint32_t slot);
uint32_t gy_dataflow_slot_noutputs(const gy_dataflow_t *df, uint32_t slot);
uint32_t gy_dataflow_slot_scope(const gy_dataflow_t *df, uint32_t slot);
size_t gy_dataflow_output_rec_size(const gy_dataflow_t *df, uint32_t slot, uint32_t port);
/* Records of that output that fill one batch. */
uint32_t gy_dataflow_output_batch_records(const gy_dataflow_t *df, uint32_t slot, uint32_t port);
uint32_t gy_dataflow_output_scope(const gy_dataflow_t *df, uint32_t slot, uint32_t port);
const char *gy_dataflow_slot_name(const gy_dataflow_t *df, uint32_t slot);

#endif
