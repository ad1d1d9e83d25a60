/*
 * The dataflow's insides, shared by runtime/dataflow.c (construction),
 * runtime/build.c (validation and tracker), runtime/channel.c (sending and
 * progress publication) and runtime/schedule.c (the per-step loop). All of
 * it belongs to the owning worker's thread.
 */
#ifndef GY_RUNTIME_DATAFLOW_INTERNAL_H
#define GY_RUNTIME_DATAFLOW_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "progress/topology.h"
#include "progress/tracker.h"
#include "runtime/batch.h"
#include "runtime/dataflow.h"

/* Pointstamp updates of this step not yet applied or published. */
struct gy__pvec {
    struct gy_pupdate *items;
    uint32_t len;
    uint32_t cap;
};

/* Ways of the per-port table of the last batch queued at a time, where
 * small arriving batches are merged (channel.c): enough that the times a
 * loop keeps in flight at one input rarely collide. */
#define GY__MERGE_WAYS 32

struct gy__inport {
    struct gy_bqueue queue;      /* batches waiting for the operator */
    /* last[h]: the batch queued last at its time t, h = gy__merge_way(t),
     * or NULL; cleared when that batch leaves the queue. */
    struct gy_batch *last[GY__MERGE_WAYS];
    struct gy_pact pact;
    uint32_t loc;
    uint32_t src_slot;
    uint32_t src_port;
    bool connected;
};

/* One consumer of an output: the route records take to one input. */
struct gy__pusher {
    struct gy_pact pact;
    uint32_t src_slot;           /* the producing slot (its stats count the batches) */
    uint32_t slot;               /* consuming slot and its input port */
    uint32_t port;
    uint32_t loc;                /* that input's location */
    struct gy_batch **open;      /* [peers] batch being filled per destination worker */
};

struct gy__outport {
    size_t rec_size;
    uint32_t batch_cap;          /* records per batch = GY_BATCH_BYTES / rec_size */
    uint32_t loc;
    struct gy__pusher *pushers;
    uint32_t npushers;
};

/* A slot's counts, with stats on only (runtime/stats.h says what each means). */
struct gy__slot_stats {
    uint64_t records_in;
    uint64_t records_out;
    uint64_t batches_in;
    uint64_t batches_out;
    uint64_t runs;
    uint64_t busy_ns;
};

struct gy__slot {
    char *name;
    enum gy_slot_kind kind;
    uint32_t scope;
    uint32_t nin;
    uint32_t nout;
    uint32_t feedback_step;
    struct gy__inport *in;
    struct gy__outport *out;
    struct gy_summaries *summaries;  /* [nin * nout] or NULL (identity) */
    struct gy_slot_vtable vt;
    void *ctx;
    bool active;                 /* in the active list */
    bool poll;                   /* in it through gy_dataflow_poll only */
    bool taken_poll;             /* taken from it as a poll, not run yet, and
                                  * not activated for work since */
    bool dirty;                  /* has open output batches */
    uint32_t rank;               /* longest path from a source, feedback outputs cut (flow.c) */
    struct gy__slot_stats st;    /* df->stats only */
};

struct gy__owned {
    void *p;
    void (*free_fn)(void *);
};

struct gy__initial {
    uint32_t slot;
    struct gy_time time;
};

struct gy_dataflow {
    gy_worker_t *w;
    bool stats;                  /* the run counts (cfg.stats), copied here where it is hot */
    /* stats: the publication time of the oldest progress update applied
     * since the last propagation (0: none), for frontier-advance latency. */
    uint64_t pend_ns;
    uint32_t id;
    uint32_t peers;
    uint32_t me;
    char *name;
    struct gy__slot *slots;
    uint32_t nslots, cap_slots;
    uint32_t *scope_parent;      /* [nscopes]; scope 0 is the root */
    uint32_t nscopes, cap_scopes;
    struct gy__initial *initial;
    uint32_t ninitial, cap_initial;
    gy_topology_t *topo;
    gy_tracker_t *tracker;
    uint32_t *loc_slot;          /* [num_locs] */
    uint32_t *loc_port;          /* [num_locs] */
    bool built;
    bool bad;                    /* construction error recorded in why */
    bool failed;
    bool tracker_dirty;          /* updates given to the tracker, not yet propagated */
    char why[512];
    /* Progress of this step: +1s of batches bound for other workers
     * (published before those batches), everything else (published at the
     * end of the step), and what was published early and still has to be
     * applied to our own tracker. */
    struct gy__pvec produced, other, local;
    struct gy_bqueue *outbox;    /* [peers] sealed batches waiting for their +1 to go out */
    bool outbox_dirty;
    bool outbox_defer;           /* flow.c: flush the outbox at the end of its runs */
    uint32_t *active;            /* slots to run */
    uint32_t nactive, cap_active;
    uint32_t npoll;              /* slots in active with poll set; <= nactive */
    uint32_t *running_list;      /* the list being run; swapped with active each step */
    uint32_t cap_running;
    uint32_t *dirty;             /* slots with open output batches */
    uint32_t ndirty, cap_dirty;
    struct gy__owned *owned;     /* freed with the dataflow */
    uint32_t nowned, cap_owned;
    struct gy_batch *popped;     /* batch lent to the running slot */
    uint32_t running;            /* slot being scheduled, or UINT32_MAX */
    /* Over the flow-control bound the running slot may pop only batches
     * at quota_time from quota_port, quota_left records in all (flow.c). */
    uint32_t quota_slot;         /* UINT32_MAX: none */
    uint32_t quota_port;
    struct gy_time quota_time;
    uint32_t quota_left;         /* records it may still take; 0: done */
    bool quota_taken;            /* took one already (the first is always allowed) */
    struct gy_batch *quota_prev; /* the scan resumes after it (NULL: at the head) */
};

static inline uint32_t gy__merge_way(const struct gy_time *t)
{
    /* Consecutive iterations, and a few epochs, land in distinct ways. */
    uint64_t h = t->epoch * 7;

    for (uint32_t d = 0; d < t->depth; d++)
        h = h * 11 + t->iter[d];
    return (uint32_t)(h & (GY__MERGE_WAYS - 1));
}

/* b leaves in's queue: it can no longer take merged records. */
static inline void gy__inport_forget(struct gy__inport *in, const struct gy_batch *b)
{
    struct gy_batch **slot = &in->last[gy__merge_way(&b->time)];

    if (*slot == b)
        *slot = NULL;
}

/* The oldest batch of in's queue, or NULL. */
static inline struct gy_batch *gy__inport_pop(struct gy__inport *in)
{
    struct gy_batch *b = gy_bqueue_pop(&in->queue);

    if (b)
        gy__inport_forget(in, b);
    return b;
}

GY_NODISCARD int gy__pvec_push(struct gy__pvec *v, uint32_t loc, const struct gy_time *t,
                               int64_t delta);
/* gy__pvec_push that fails the run on ENOMEM: 0 or -ECANCELED. */
GY_NODISCARD int gy__record(gy_dataflow_t *df, struct gy__pvec *v, uint32_t loc,
                            const struct gy_time *t, int64_t delta);
/* Gives n updates to this worker's tracker: 0, or -ECANCELED after failing the run. */
GY_NODISCARD int gy__apply_updates(gy_dataflow_t *df, const struct gy_pupdate *u, uint32_t n);

uint32_t gy__slot_input_scope(const gy_dataflow_t *df, const struct gy__slot *s);
uint32_t gy__slot_output_scope(const gy_dataflow_t *df, const struct gy__slot *s);

/* Fails the run with "dataflow 'name': ..."; returns -EINVAL (dataflow.c). */
int gy__df_report(gy_dataflow_t *df, const char *fmt, ...) GY_PRINTF(2, 3);

/* channel.c */
/* Queues a data batch from another worker at its input (it may be merged
 * into the last batch there, which counts it consumed). */
void gy__enqueue_remote(gy_dataflow_t *df, struct gy_batch *b);
void gy__flush_slot(gy_dataflow_t *df, uint32_t slot);
void gy__flush_dirty(gy_dataflow_t *df);
/* Publishes the +1s of the batches in the outbox, then sends them. */
int gy__flush_outbox(gy_dataflow_t *df);
GY_NODISCARD int gy__publish(gy_dataflow_t *df);
void gy__channels_release(gy_dataflow_t *df);

/* schedule.c */
GY_NODISCARD int gy__propagate(gy_dataflow_t *df);
/* Runs one slot once (it must not be in the active list) and seals its output. */
void gy__run_slot(gy_dataflow_t *df, uint32_t slot);
/* Takes this round's active slots (*list, returned count), sorted into
 * creation order (roughly upstream first, so one step carries records far);
 * slots activated while they run go to the next round's list. *real gets
 * how many of them were activated for work, not only polled (their
 * taken_poll is set). */
uint32_t gy__take_active(gy_dataflow_t *df, uint32_t **list, uint32_t *real);
/* Whether a round that took `real` slots for work did work: it did, or it
 * left work for the next round (a poll whose run found its event). */
static inline bool gy__round_did(const gy_dataflow_t *df, uint32_t real)
{
    return real > 0 || df->nactive > df->npoll;
}

/* flow.c: flow control (docs/flow-control.md) */
/* Ranks every slot; at build. */
GY_NODISCARD int gy__flow_rank(gy_dataflow_t *df);
/* gy_dataflow_pop's choice when the worker is bounded: the quota batch for
 * the quota slot, nothing while over the bound, else the oldest. */
struct gy_batch *gy__flow_take(gy_dataflow_t *df, uint32_t slot, uint32_t port);
/* run_active for a bounded worker. Returns 1 if any slot ran. */
int gy__flow_run(gy_dataflow_t *df);

#endif
