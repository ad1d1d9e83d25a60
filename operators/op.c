/*
 * The generic operator: wraps a runtime slot with callbacks, capabilities,
 * notifications and sessions. Every built-in operator is one of these.
 */
#include "operators/op.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "operators/op_internal.h"
#include "progress/alloc.h"

struct gy_op {
    gy_dataflow_t *df;
    uint32_t slot;
    uint32_t nin;
    uint32_t nout;
    struct gy_op_callbacks cb;
    void *state;
    struct gy_stream *streams;        /* [nout] */
    struct gy_cap *notify;            /* pending notifications, sorted by time (lexicographic) */
    uint32_t nnotify, cap_notify;
    bool failed;
};

static void op_schedule(void *ctx);
static void op_destroy(void *ctx);
static const struct gy_slot_vtable op_vt = {op_schedule, op_destroy};

static void op_free(gy_op_t *op)
{
    if (op->cb.destroy && op->state)
        op->cb.destroy(op->state);
    gy_free(op->streams);
    gy_free(op->notify);
    gy_free(op);
}

static void op_destroy(void *ctx)
{
    op_free(ctx);
}

gy_op_t *gy_op_new(gy_dataflow_t *df, const struct gy_op_spec *spec)
{
    gy_op_t *op = gy_calloc(1, sizeof(*op));
    struct gy_slot_spec ss = {
        .name = spec->name, .kind = GY_SLOT_PLAIN, .scope = spec->scope,
        .ninputs = spec->ninputs, .noutputs = spec->noutputs, .rec_sizes = spec->rec_sizes,
        .summaries = spec->summaries, .vt = &op_vt, .ctx = op,
    };
    int id;

    if (!op || (spec->noutputs && !(op->streams = gy_calloc(spec->noutputs, sizeof(*op->streams))))) {
        gy_worker_fail(gy_dataflow_worker(df), "operator '%s': out of memory", spec->name);
        if (spec->cb.destroy && spec->state)
            spec->cb.destroy(spec->state);
        gy_free(op);
        return NULL;
    }
    op->df = df;
    op->nin = spec->ninputs;
    op->nout = spec->noutputs;
    op->cb = spec->cb;
    op->state = spec->state;
    id = gy_dataflow_add_slot(df, &ss);
    if (id < 0)
        return NULL; /* add_slot took op and has freed it or will with the dataflow */
    op->slot = (uint32_t)id;
    for (uint32_t o = 0; o < op->nout; o++)
        op->streams[o] = (struct gy_stream){df, op->slot, o};
    return op;
}

void gy_op_connect(gy_op_t *op, uint32_t port, gy_stream_t *s, struct gy_pact pact)
{
    gy_dataflow_connect(op->df, s->slot, s->port, op->slot, port, pact);
}

gy_stream_t *gy_op_output(gy_op_t *op, uint32_t port)
{
    return &op->streams[port];
}

gy_dataflow_t *gy_op_dataflow(const gy_op_t *op)
{
    return op->df;
}

gy_worker_t *gy_op_worker(const gy_op_t *op)
{
    return gy_dataflow_worker(op->df);
}

const char *gy_op_name(const gy_op_t *op)
{
    return gy_dataflow_slot_name(op->df, op->slot);
}

uint32_t gy_op_scope(const gy_op_t *op)
{
    return gy_dataflow_slot_scope(op->df, op->slot);
}

const struct gy_antichain *gy_op_frontier(const gy_op_t *op, uint32_t port)
{
    return gy_dataflow_frontier(op->df, op->slot, port);
}

bool gy_op_frontier_passed(const gy_op_t *op, const struct gy_time *t)
{
    for (uint32_t p = 0; p < op->nin; p++)
        if (gy_antichain_le(gy_op_frontier(op, p), t))
            return false;
    return true;
}

int gy_op_fail(gy_op_t *op, const char *fmt, ...)
{
    va_list ap;
    int rc;

    op->failed = true;
    va_start(ap, fmt);
    rc = gy_dataflow_vfail_slot(op->df, op->slot, fmt, ap);
    va_end(ap);
    return rc;
}

void gy_op_activate(gy_op_t *op)
{
    gy_dataflow_activate(op->df, op->slot);
}

void gy_op_poll(gy_op_t *op)
{
    gy_dataflow_poll(op->df, op->slot);
}

/* ---- capabilities ---- */

static int cap_fail(gy_op_t *op, const char *what, const struct gy_time *t)
{
    char buf[96];

    gy_time_format(t, buf, sizeof(buf));
    gy_op_fail(op, "%s at %s without holding a capability at or before it", what, buf);
    return -EPERM;
}

int gy_op_initial_cap(gy_op_t *op, const struct gy_time *t, struct gy_cap *out)
{
    gy_dataflow_initial_capability(op->df, op->slot, t);
    out->time = *t;
    out->held = true;
    return 0;
}

int gy_cap_retain(gy_op_t *op, const struct gy_cap *from, const struct gy_time *t,
                  struct gy_cap *out)
{
    if (!from || !from->held || from->time.depth != t->depth || !gy_time_le(&from->time, t))
        return cap_fail(op, "capability requested", t);
    if (gy_dataflow_progress(op->df, op->slot, t, 1) != 0)
        return -ECANCELED;
    out->time = *t;
    out->held = true;
    return 0;
}

int gy_cap_downgrade(gy_op_t *op, struct gy_cap *cap, const struct gy_time *t)
{
    if (!cap->held || cap->time.depth != t->depth || !gy_time_le(&cap->time, t))
        return cap_fail(op, "capability downgraded", t);
    if (gy_time_eq(&cap->time, t))
        return 0;
    if (gy_dataflow_progress(op->df, op->slot, t, 1) != 0 ||
        gy_dataflow_progress(op->df, op->slot, &cap->time, -1) != 0)
        return -ECANCELED;
    cap->time = *t;
    return 0;
}

void gy_cap_drop(gy_op_t *op, struct gy_cap *cap)
{
    if (!cap->held)
        return;
    cap->held = false;
    if (gy_dataflow_progress(op->df, op->slot, &cap->time, -1) != 0)
        op->failed = true;
}

/* ---- notifications ---- */

int gy_op_notify_at(gy_op_t *op, const struct gy_cap *cap)
{
    uint32_t i = op->nnotify;
    void *p = op->notify;
    size_t c = op->cap_notify;
    int rc;

    while (i > 0 && gy_time_cmp(&op->notify[i - 1].time, &cap->time) > 0)
        i--;
    if (i > 0 && gy_time_eq(&op->notify[i - 1].time, &cap->time))
        return 0; /* already asked: one notification per time */
    if (gy_grow(&p, &c, (size_t)op->nnotify + 1, sizeof(*op->notify)) != 0)
        return gy_op_fail(op, "out of memory for a notification");
    op->notify = p;
    op->cap_notify = (uint32_t)c;
    memmove(&op->notify[i + 1], &op->notify[i], (op->nnotify - i) * sizeof(*op->notify));
    rc = gy_cap_retain(op, cap, &cap->time, &op->notify[i]);
    if (rc != 0)
        return rc;
    op->nnotify++;
    /* The frontier may have passed this time already, and then nothing else
     * would run the operator again to deliver it. */
    gy_op_activate(op);
    return 0;
}

/* Delivers, in time order, every requested notification whose time no
 * input can still reach. A notification may ask for more (a later time);
 * those are considered in the same pass. */
static void deliver_notifications(gy_op_t *op)
{
    uint32_t i = 0;

    while (i < op->nnotify && !op->failed) {
        struct gy_cap cap;
        if (!gy_op_frontier_passed(op, &op->notify[i].time)) {
            i++;
            continue;
        }
        cap = op->notify[i];
        memmove(&op->notify[i], &op->notify[i + 1], (op->nnotify - i - 1) * sizeof(*op->notify));
        op->nnotify--;
        if (op->cb.on_notify)
            op->cb.on_notify(op, op->state, &cap);
        gy_cap_drop(op, &cap);
        i = 0;
    }
}

/* ---- sending ---- */

int gy_op_give(gy_op_t *op, uint32_t port, const struct gy_cap *cap, const void *recs, uint32_t n)
{
    if (GY_UNLIKELY(!cap->held))
        return cap_fail(op, "records sent", &cap->time);
    return gy_dataflow_give(op->df, op->slot, port, &cap->time, recs, n);
}

/* ---- scheduling ---- */

static void drain_inputs(gy_op_t *op)
{
    struct gy_batch_view v;

    for (uint32_t p = 0; p < op->nin && !op->failed; p++)
        while (!op->failed && gy_dataflow_pop(op->df, op->slot, p, &v)) {
            struct gy_cap cap = {.time = *v.time, .held = true};
            if (op->cb.on_input)
                op->cb.on_input(op, op->state, p, &cap, v.records, v.count);
        }
}

static void op_schedule(void *ctx)
{
    gy_op_t *op = ctx;

    if (op->failed)
        return;
    drain_inputs(op);
    if (op->nnotify > 0)
        deliver_notifications(op);
    if (op->cb.on_frontier && !op->failed)
        op->cb.on_frontier(op, op->state);
}

/* ---- streams ---- */

size_t gy_stream_rec_size(const gy_stream_t *s)
{
    return gy_dataflow_output_rec_size(s->df, s->slot, s->port);
}

uint32_t gy_stream_scope(const gy_stream_t *s)
{
    return gy_dataflow_output_scope(s->df, s->slot, s->port);
}

gy_dataflow_t *gy_stream_dataflow(const gy_stream_t *s)
{
    return s->df;
}
