/*
 * Inputs (a source operator driven by the worker's code) and probes (a sink
 * whose input frontier the worker's code reads).
 */
#include "operators/input.h"

#include <errno.h>

#include "operators/op_internal.h"
#include "progress/alloc.h"

struct gy_input {
    gy_op_t *op;
    struct gy_cap cap;   /* at the current epoch; dropped by close */
    gy_probe_t *probe;   /* max_open: epochs are complete when this probe says so */
    uint64_t max_open;   /* 0: no bound on open epochs */
    uint32_t chunk;      /* records per batch: a bounded worker sends this many at a time */
};

gy_input_t *gy_input_new(gy_dataflow_t *df, const char *name, size_t rec_size, gy_stream_t **out)
{
    gy_input_t *in = gy_calloc(1, sizeof(*in));
    struct gy_op_spec spec = {
        .name = name ? name : "input", .ninputs = 0, .noutputs = 1, .rec_sizes = &rec_size,
        .scope = 0, .cb = {.destroy = gy_free}, .state = in,
    };
    struct gy_time zero = gy_time_epoch(0);

    if (!in) {
        gy_worker_fail(gy_dataflow_worker(df), "input '%s': out of memory", spec.name);
        return NULL;
    }
    in->op = gy_op_new(df, &spec);
    if (!in->op)
        return NULL;
    if (gy_op_initial_cap(in->op, &zero, &in->cap) != 0)
        return NULL;
    *out = gy_op_output(in->op, 0);
    in->chunk = gy_dataflow_output_batch_records(df, (*out)->slot, (*out)->port);
    return in;
}

/* A bounded worker: wait for room, then at most a batch-full, repeatedly,
 * so that one call adds at most one batch per destination between checks. */
static int send_bounded(gy_input_t *in, gy_worker_t *w, const unsigned char *recs, uint32_t n)
{
    const size_t size = gy_stream_rec_size(gy_op_output(in->op, 0));

    while (n > 0) {
        uint32_t k = n < in->chunk ? n : in->chunk;
        if (gy_worker_wait_room(w) != 0)
            return -ECANCELED;
        if (gy_op_give(in->op, 0, &in->cap, recs, k) != 0)
            return -ECANCELED;
        recs += (size_t)k * size;
        n -= k;
    }
    return 0;
}

int gy_input_send(gy_input_t *in, const void *recs, uint32_t n)
{
    gy_worker_t *w = gy_op_worker(in->op);

    if (!in->cap.held) {
        gy_op_fail(in->op, "records sent after the input was closed");
        return -EPIPE;
    }
    if (GY_LIKELY(!gy_worker_bounded(w)))
        return gy_op_give(in->op, 0, &in->cap, recs, n);
    return send_bounded(in, w, recs, n);
}

void gy_input_set_max_open(gy_input_t *in, gy_probe_t *p, uint64_t max_open)
{
    in->probe = p;
    in->max_open = p ? max_open : 0;
}

int gy_input_advance_to(gy_input_t *in, uint64_t epoch)
{
    struct gy_time t = gy_time_epoch(epoch);
    gy_worker_t *w = gy_op_worker(in->op);
    int rc;

    if (!in->cap.held) {
        gy_op_fail(in->op, "advanced after the input was closed");
        return -EPIPE;
    }
    if (epoch < in->cap.time.epoch)
        return gy_op_fail(in->op, "advanced backwards, from epoch %llu to %llu",
                          (unsigned long long)in->cap.time.epoch, (unsigned long long)epoch);
    if ((rc = gy_cap_downgrade(in->op, &in->cap, &t)) != 0)
        return rc;
    /* Only now can the epochs before this one complete: wait for the oldest
     * that must close so that epoch - max_open + 1 .. epoch are all that
     * may still be open. */
    if (in->max_open == 0 || epoch < in->max_open || gy_worker_in_step(w))
        return 0;
    return gy_probe_wait_epoch(in->probe, w, epoch - in->max_open);
}

void gy_input_close(gy_input_t *in)
{
    gy_cap_drop(in->op, &in->cap);
}

uint64_t gy_input_epoch(const gy_input_t *in)
{
    return in->cap.time.epoch;
}

bool gy_input_closed(const gy_input_t *in)
{
    return !in->cap.held;
}

/* ---- probes ---- */

struct gy_probe {
    gy_op_t *op;
};

gy_probe_t *gy_probe_new(gy_stream_t *s)
{
    gy_probe_t *p = gy_calloc(1, sizeof(*p));
    struct gy_op_spec spec = {
        .name = "probe", .ninputs = 1, .noutputs = 0, .scope = gy_stream_scope(s),
        .cb = {.destroy = gy_free}, .state = p,
    };

    if (!p) {
        gy_worker_fail(gy_dataflow_worker(gy_stream_dataflow(s)), "probe: out of memory");
        return NULL;
    }
    p->op = gy_op_new(gy_stream_dataflow(s), &spec);
    if (!p->op)
        return NULL;
    gy_op_connect(p->op, 0, s, gy_pact_pipeline());
    return p;
}

bool gy_probe_less_than(const gy_probe_t *p, const struct gy_time *t)
{
    return gy_antichain_lt(gy_op_frontier(p->op, 0), t);
}

bool gy_probe_less_equal(const gy_probe_t *p, const struct gy_time *t)
{
    return gy_antichain_le(gy_op_frontier(p->op, 0), t);
}

bool gy_probe_done(const gy_probe_t *p)
{
    return gy_antichain_is_empty(gy_op_frontier(p->op, 0));
}

int gy_probe_wait_epoch(gy_probe_t *p, gy_worker_t *w, uint64_t e)
{
    const struct gy_antichain *f = gy_op_frontier(p->op, 0);

    for (;;) {
        bool pending = false;
        for (uint32_t i = 0; i < f->len; i++)
            pending |= f->items[i].epoch <= e;
        if (!pending)
            return 0;
        if (gy_worker_step_or_park(w) < 0)
            return -ECANCELED;
        f = gy_op_frontier(p->op, 0);
    }
}
