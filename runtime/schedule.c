/*
 * The per-step loop of one dataflow: route received messages, propagate
 * progress, run the active operator slots, publish. Also the behaviour of
 * the loop boundary slots (enter, leave, feedback), which only rewrite
 * timestamps, and freeing a dataflow.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "progress/alloc.h"
#include "runtime/dataflow_internal.h"
#include "runtime/internal.h"

void gy__dataflow_deliver(gy_dataflow_t *df, struct gy_batch *b)
{
    if (b->kind == GY_BATCH_PROGRESS) {
        if (GY_UNLIKELY(df->stats) && (df->pend_ns == 0 || b->sent_ns < df->pend_ns))
            df->pend_ns = b->sent_ns;
        if (gy__apply_updates(df, (const struct gy_pupdate *)(const void *)b->data, b->count) != 0)
            df->failed = true;
        gy__batch_release(&df->w->pool, b);
        return;
    }
    gy__enqueue_remote(df, b);
}

static void release_popped(gy_dataflow_t *df)
{
    if (df->popped) {
        gy__batch_release(&df->w->pool, df->popped);
        df->popped = NULL;
    }
}

bool gy_dataflow_pop(gy_dataflow_t *df, uint32_t slot, uint32_t port, struct gy_batch_view *out)
{
    struct gy__inport *in = &df->slots[slot].in[port];
    struct gy_batch *b;

    release_popped(df);
    if (GY_UNLIKELY(gy__flow_bounded(df->w)))
        b = gy__flow_take(df, slot, port);
    else
        b = gy__inport_pop(in);
    if (!b)
        return false;
    if (GY_UNLIKELY(df->stats)) {
        df->slots[slot].st.records_in += b->count;
        df->slots[slot].st.batches_in++;
    }
    df->popped = b;
    if (gy__record(df, &df->other, in->loc, &b->time, -1) != 0)
        df->failed = true; /* the step stops after this slot */
    out->time = &b->time;
    out->records = b->data;
    out->count = b->count;
    out->rec_size = b->rec_size;
    return true;
}

int gy_dataflow_progress(gy_dataflow_t *df, uint32_t slot, const struct gy_time *t, int64_t delta)
{
    const struct gy__slot *s = &df->slots[slot];

    for (uint32_t o = 0; o < s->nout; o++)
        if (gy__record(df, &df->other, s->out[o].loc, t, delta) != 0)
            return -ECANCELED;
    return 0;
}

int gy__propagate(gy_dataflow_t *df)
{
    const uint32_t *locs;
    uint32_t n;
    int rc;

    if (!df->tracker_dirty)
        return 0;
    df->tracker_dirty = false;
    rc = gy_tracker_propagate(df->tracker);
    if (rc == -EPROTO)
        return gy_worker_fail(df->w, "dataflow '%s': progress protocol violation: %s", df->name,
                              gy_tracker_error(df->tracker));
    if (rc != 0)
        return gy_worker_fail(df->w, "dataflow '%s': out of memory in progress", df->name);
    n = gy_tracker_changed(df->tracker, &locs);
    for (uint32_t i = 0; i < n; i++) {
        gy_dataflow_activate(df, df->loc_slot[locs[i]]);
    }
    if (GY_UNLIKELY(df->stats)) {
        if (n > 0 && df->pend_ns != 0)
            gy__stats_advance(df->w, df->pend_ns);
        df->pend_ns = 0;
    }
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Moves the poll marks of the taken slots to taken_poll, so that the next
 * round's list starts with none. Only when some slot polled. */
static void take_polls(gy_dataflow_t *df, const uint32_t *list, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        struct gy__slot *s = &df->slots[list[i]];
        s->taken_poll = s->poll;
        s->poll = false;
    }
    df->npoll = 0;
}

uint32_t gy__take_active(gy_dataflow_t *df, uint32_t **list, uint32_t *real)
{
    uint32_t n = df->nactive;
    uint32_t cap = df->cap_active;

    *list = df->active;
    *real = n - df->npoll;
    if (n == 0)
        return 0;
    if (GY_UNLIKELY(df->npoll > 0))
        take_polls(df, *list, n);
    /* Swap buffers: slots activated while these run go to the other list. */
    df->active = df->running_list;
    df->cap_active = df->cap_running;
    df->nactive = 0;
    df->running_list = *list;
    df->cap_running = cap;
    if (n > 1)
        qsort(*list, n, sizeof(**list), cmp_u32);
    return n;
}

static inline void run_slot_once(gy_dataflow_t *df, uint32_t slot)
{
    struct gy__slot *s = &df->slots[slot];

    s->active = false;
    s->taken_poll = false;
    df->running = slot;
    if (s->vt.schedule)
        s->vt.schedule(s->ctx);
    release_popped(df);
    df->running = UINT32_MAX;
    gy__flush_slot(df, slot);
}

/* With stats on: the run, its output's sealing and sending included, timed
 * from *mark to a clock read after it, which becomes *mark. *mark is the
 * read that ended the previous run of the same sequence (0: none, read
 * now), so n runs in a row take n + 1 reads. */
static GY_NOINLINE void run_slot_timed(gy_dataflow_t *df, uint32_t slot, uint64_t *mark)
{
    uint64_t t0 = *mark != 0 ? *mark : gy__stats_clock();

    run_slot_once(df, slot);
    *mark = gy__stats_clock();
    df->slots[slot].st.busy_ns += *mark - t0;
    df->slots[slot].st.runs++;
}

void gy__run_slot(gy_dataflow_t *df, uint32_t slot)
{
    uint64_t mark = 0;

    if (GY_UNLIKELY(df->stats))
        run_slot_timed(df, slot, &mark);
    else
        run_slot_once(df, slot);
}

/* Runs every active slot once, in creation order (roughly upstream first,
 * so one step carries records far). Slots activated meanwhile run in the
 * next step. A bounded worker schedules in runtime/flow.c instead. With
 * stats on, one clock read ends a run and starts the next. Returns 1 if
 * that was work: not when every slot only polled and polls again
 * (gy_dataflow_poll), which lets the worker wait. */
static int run_active(gy_dataflow_t *df)
{
    uint64_t mark = 0;           /* stats: the clock read ending the last run */
    uint32_t *list, n, real;

    if (GY_UNLIKELY(gy__flow_bounded(df->w)))
        return gy__flow_run(df);
    n = gy__take_active(df, &list, &real);
    if (n == 0)
        return 0;
    for (uint32_t i = 0; i < n && !df->failed && !gy_worker_failed(df->w); i++) {
        if (GY_UNLIKELY(df->stats))
            run_slot_timed(df, list[i], &mark);
        else
            run_slot_once(df, list[i]);
    }
    return gy__round_did(df, real);
}

int gy__dataflow_step(gy_dataflow_t *df)
{
    int did;

    gy__flush_dirty(df);
    if (gy__propagate(df) != 0)
        return -ECANCELED;
    did = run_active(df);
    did |= gy__publish(df);
    if (gy__propagate(df) != 0 || df->failed)
        return -ECANCELED;
    return gy_worker_failed(df->w) ? -ECANCELED : did;
}

/* ---- loop boundary slots ---- */

struct gy__boundary {
    gy_dataflow_t *df;
    uint32_t slot;
};

static bool boundary_time(const struct gy__slot *s, const struct gy_time *in, struct gy_time *out)
{
    *out = *in;
    switch (s->kind) {
    case GY_SLOT_ENTER:
        out->iter[out->depth++] = 0;
        return true;
    case GY_SLOT_LEAVE:
        out->iter[--out->depth] = 0;
        return true;
    case GY_SLOT_FEEDBACK:
        if (out->iter[out->depth - 1] > UINT32_MAX - s->feedback_step)
            return false; /* past the last iteration: nowhere to go */
        out->iter[out->depth - 1] += s->feedback_step;
        return true;
    case GY_SLOT_PLAIN:
    default:
        return true;
    }
}

static void boundary_schedule(void *ctx)
{
    struct gy__boundary *bd = ctx;
    gy_dataflow_t *df = bd->df;
    struct gy_batch_view v;
    struct gy_time t;

    while (gy_dataflow_pop(df, bd->slot, 0, &v)) {
        if (!boundary_time(&df->slots[bd->slot], v.time, &t))
            continue;
        if (gy_dataflow_give(df, bd->slot, 0, &t, v.records, v.count) != 0)
            return;
    }
}

static const struct gy_slot_vtable boundary_vt = {boundary_schedule, gy_free};

int gy_dataflow_add_boundary(gy_dataflow_t *df, enum gy_slot_kind kind, const char *name,
                              uint32_t loop_scope, size_t rec_size, uint32_t step)
{
    struct gy__boundary *bd = gy_malloc(sizeof(*bd));
    struct gy_slot_spec spec = {
        .name = name, .kind = kind, .scope = loop_scope, .ninputs = 1, .noutputs = 1,
        .rec_sizes = &rec_size, .feedback_step = step, .vt = &boundary_vt, .ctx = bd,
    };
    int id;

    if (!bd)
        return -ENOMEM;
    bd->df = df;
    id = gy_dataflow_add_slot(df, &spec);
    if (id < 0)
        return id; /* the slot freed bd, or will with the dataflow */
    bd->slot = (uint32_t)id;
    return id;
}

/* ---- freeing ---- */

int gy_dataflow_own(gy_dataflow_t *df, void *p, void (*free_fn)(void *))
{
    void *v = df->owned;
    size_t cap = df->cap_owned;

    if (gy_grow(&v, &cap, (size_t)df->nowned + 1, sizeof(*df->owned)) != 0) {
        free_fn(p);
        gy_worker_fail(df->w, "dataflow '%s': out of memory", df->name);
        return -ENOMEM;
    }
    df->owned = v;
    df->cap_owned = (uint32_t)cap;
    df->owned[df->nowned].p = p;
    df->owned[df->nowned].free_fn = free_fn;
    df->nowned++;
    return 0;
}

static void slot_free(struct gy__slot *s)
{
    if (s->vt.destroy)
        s->vt.destroy(s->ctx);
    for (uint32_t o = 0; s->out && o < s->nout; o++) {
        for (uint32_t i = 0; i < s->out[o].npushers; i++)
            gy_free(s->out[o].pushers[i].open);
        gy_free(s->out[o].pushers);
    }
    for (uint32_t i = 0; s->summaries && i < s->nin * s->nout; i++)
        gy_summaries_destroy(&s->summaries[i]);
    gy_free(s->summaries);
    gy_free(s->in);
    gy_free(s->out);
    free(s->name);
}

void gy_dataflow_free(gy_dataflow_t *df)
{
    if (!df)
        return;
    release_popped(df);
    if (df->w->rt->collect)
        gy__stats_keep_dataflow(df);
    gy__channels_release(df);
    for (uint32_t s = 0; s < df->nslots; s++)
        slot_free(&df->slots[s]);
    for (uint32_t i = 0; i < df->nowned; i++)
        df->owned[i].free_fn(df->owned[i].p);
    gy_free(df->owned);
    gy__worker_unregister(df->w, df->id);
    gy_tracker_free(df->tracker);
    gy_topology_free(df->topo);
    gy_free(df->slots);
    gy_free(df->scope_parent);
    gy_free(df->initial);
    gy_free(df->loc_slot);
    gy_free(df->loc_port);
    gy_free(df->produced.items);
    gy_free(df->other.items);
    gy_free(df->local.items);
    gy_free(df->outbox);
    gy_free(df->active);
    gy_free(df->running_list);
    gy_free(df->dirty);
    free(df->name);
    gy_free(df);
}
