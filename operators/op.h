/*
 * The public operator API. An operator is a set of C callbacks with a state
 * pointer, any number of inputs and outputs, and declared internal summaries.
 * Every built-in operator is written with this API alone.
 *
 * Sending: capabilities are the only way to send. A capability for time t
 * lets the operator open a session on any of its outputs at t. During
 * on_input the batch's capability is lent to the callback; during on_notify
 * the notification's. To send later, retain one (gy_cap_retain), downgrade
 * it as time advances, and drop it when done: a held capability keeps every
 * downstream frontier at or before its time, so a forgotten one stalls the
 * dataflow and a dropped one lets it finish.
 *
 * Notifications: gy_op_notify_at(op, cap) asks for on_notify at cap's time
 * once no input can still receive data at or before that time (every input
 * frontier has passed it). Delivered in time order, once per time.
 *
 * Threads: an operator belongs to one worker; every function here runs on
 * that worker's thread, inside the operator's callbacks unless noted.
 * Failures: gy_op_fail stops the whole run with "operator 'name': message".
 */
#ifndef GY_OPERATORS_OP_H
#define GY_OPERATORS_OP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "progress/antichain.h"
#include "progress/compiler.h"
#include "progress/summary.h"
#include "progress/time.h"
#include "runtime/dataflow.h"
#include "runtime/runtime.h"

typedef struct gy_op gy_op_t;
typedef struct gy_stream gy_stream_t;

/* A capability: the right to send at time and later. Value type held in an
 * operator's state; valid while held is true. */
struct gy_cap {
    struct gy_time time;
    bool held;
};

struct gy_op_callbacks {
    /* A batch of n records arrived on input port at cap->time. */
    void (*on_input)(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                     const void *recs, uint32_t n);
    /* A requested notification: no input can still receive data at <= cap->time. */
    void (*on_notify)(gy_op_t *op, void *state, const struct gy_cap *cap);
    /* Called after inputs and notifications whenever the operator ran and an
     * input frontier changed (or it was activated): for operators that watch
     * frontiers themselves. May be NULL. */
    void (*on_frontier)(gy_op_t *op, void *state);
    /* Frees state when the dataflow is freed. May be NULL. */
    void (*destroy)(void *state);
};

struct gy_op_spec {
    const char *name;
    uint32_t ninputs;
    uint32_t noutputs;
    const size_t *rec_sizes;          /* [noutputs] bytes per record of each output */
    uint32_t scope;                   /* the loop scope it lives in (0 = root) */
    /* [ninputs * noutputs] internal summaries, input i -> output o at
     * [i * noutputs + o]; NULL = identity everywhere. An empty antichain
     * declares "no path". */
    const struct gy_summaries *summaries;
    struct gy_op_callbacks cb;
    void *state;                      /* owned by the operator from now on */
};

/*
 * Creates an operator; connect its inputs with gy_op_connect (before
 * gy_dataflow_build). Returns NULL after failing the run (ENOMEM, bad spec);
 * the state is destroyed in that case too.
 */
gy_op_t *gy_op_new(gy_dataflow_t *df, const struct gy_op_spec *spec);

/* Feeds stream s into input port with pact. Checked at build. */
void gy_op_connect(gy_op_t *op, uint32_t port, gy_stream_t *s, struct gy_pact pact);

/* The stream of output port. */
gy_stream_t *gy_op_output(gy_op_t *op, uint32_t port);

gy_dataflow_t *gy_op_dataflow(const gy_op_t *op);
gy_worker_t *gy_op_worker(const gy_op_t *op);
const char *gy_op_name(const gy_op_t *op);
uint32_t gy_op_scope(const gy_op_t *op);

/* Input port's frontier: the minimal times that can still arrive there. */
const struct gy_antichain *gy_op_frontier(const gy_op_t *op, uint32_t port);

/* True iff no input can still receive data at or before t. */
bool gy_op_frontier_passed(const gy_op_t *op, const struct gy_time *t);

/* Fails the run with "operator 'name': ..." and stops calling this operator. */
int gy_op_fail(gy_op_t *op, const char *fmt, ...) GY_PRINTF(2, 3);

/* Runs the operator in this or the next step even without input. */
void gy_op_activate(gy_op_t *op);

/*
 * Runs the operator again after its worker had nothing else to do: for an
 * operator that waits for an event and has just found it has not happened
 * (a probe to catch up, another worker's published state). Unlike
 * gy_op_activate this is not work: a step that only ran polls lets the
 * worker spin, yield and sleep instead of running the operator in a busy
 * loop. The worker wakes, and the operator runs, on any message, progress
 * included (so waiting for a frontier or a probe needs nothing more), or
 * when the worker that publishes the event calls gy_worker_wake_peers
 * after publishing it (runtime/runtime.h). Call it from a run that did
 * nothing else; after doing work, call gy_op_activate.
 */
void gy_op_poll(gy_op_t *op);

/* --- capabilities --- */

/* A new capability at t, allowed only while holding (or lent) one at or
 * before t. Returns 0, or fails the run and returns -EPERM. */
GY_NODISCARD int gy_cap_retain(gy_op_t *op, const struct gy_cap *from, const struct gy_time *t,
                               struct gy_cap *out);
/* Moves cap to a later time t (cap->time <= t, else -EPERM and failure). */
GY_NODISCARD int gy_cap_downgrade(gy_op_t *op, struct gy_cap *cap, const struct gy_time *t);
/* Releases cap (no-op if not held). */
void gy_cap_drop(gy_op_t *op, struct gy_cap *cap);

/*
 * Before gy_dataflow_build: gives the operator on every worker a capability
 * at t from the start (sources and inputs need one to send anything). The
 * runtime counts all workers' copies, so the dataflow cannot look finished
 * before every worker has released its own; hence t must be the same on
 * every worker (downgrade it afterwards where a worker starts later).
 * Returns 0 or -EINVAL.
 */
GY_NODISCARD int gy_op_initial_cap(gy_op_t *op, const struct gy_time *t, struct gy_cap *out);

/* Asks for on_notify at cap->time (the operator keeps its own cap). */
GY_NODISCARD int gy_op_notify_at(gy_op_t *op, const struct gy_cap *cap);

/* --- sending --- */

/* Sends n records on output port at cap->time. */
GY_NODISCARD int gy_op_give(gy_op_t *op, uint32_t port, const struct gy_cap *cap,
                            const void *recs, uint32_t n);

/* --- streams --- */

size_t gy_stream_rec_size(const gy_stream_t *s);
uint32_t gy_stream_scope(const gy_stream_t *s);
gy_dataflow_t *gy_stream_dataflow(const gy_stream_t *s);

#endif
