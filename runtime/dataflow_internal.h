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

struct gy__inport {
    struct gy_bqueue queue;      /* batches waiting for the operator */
    struct gy_pact pact;
    uint32_t loc;
    uint32_t src_slot;
    uint32_t src_port;
    bool connected;
};

/* One consumer of an output: the route records take to one input. */
struct gy__pusher {
    struct gy_pact pact;
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
    bool dirty;                  /* has open output batches */
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
    uint32_t *active;            /* slots to run */
    uint32_t nactive, cap_active;
    uint32_t *running_list;      /* the list being run; swapped with active each step */
    uint32_t cap_running;
    uint32_t *dirty;             /* slots with open output batches */
    uint32_t ndirty, cap_dirty;
    struct gy__owned *owned;     /* freed with the dataflow */
    uint32_t nowned, cap_owned;
    struct gy_batch *popped;     /* batch lent to the running slot */
    uint32_t running;            /* slot being scheduled, or UINT32_MAX */
};

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
void gy__flush_slot(gy_dataflow_t *df, uint32_t slot);
void gy__flush_dirty(gy_dataflow_t *df);
GY_NODISCARD int gy__publish(gy_dataflow_t *df);
void gy__channels_release(gy_dataflow_t *df);

/* schedule.c */
GY_NODISCARD int gy__propagate(gy_dataflow_t *df);

#endif
