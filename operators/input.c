/*
 * Inputs (a source operator driven by the worker's code) and probes (a sink
 * whose input frontier the worker's code reads).
 */
#include "operators/input.h"

#include <errno.h>

#include "progress/alloc.h"

struct gy_input {
    gy_op_t *op;
    struct gy_cap cap;   /* at the current epoch; dropped by close */
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
    return in;
}

int gy_input_send(gy_input_t *in, const void *recs, uint32_t n)
{
    if (!in->cap.held) {
        gy_op_fail(in->op, "records sent after the input was closed");
        return -EPIPE;
    }
    return gy_op_give(in->op, 0, &in->cap, recs, n);
}

int gy_input_advance_to(gy_input_t *in, uint64_t epoch)
{
    struct gy_time t = gy_time_epoch(epoch);

    if (!in->cap.held) {
        gy_op_fail(in->op, "advanced after the input was closed");
        return -EPIPE;
    }
    if (epoch < in->cap.time.epoch)
        return gy_op_fail(in->op, "advanced backwards, from epoch %llu to %llu",
                          (unsigned long long)in->cap.time.epoch, (unsigned long long)epoch);
    return gy_cap_downgrade(in->op, &in->cap, &t);
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
