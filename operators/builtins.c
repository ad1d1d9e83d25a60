/*
 * Plumbing shared by the built-in operators: emitters, the output sessions
 * handed to user callbacks, and the constructor of one-input operators.
 * Emitted records are staged in the operator's own buffer and sent with one
 * gy_op_give per buffer-full, so a callback that emits one record at a time
 * still moves records in batches.
 */
#include <errno.h>
#include <string.h>

#include "operators/builtins_internal.h"
#include "progress/alloc.h"

unsigned char *gy__stage_new(size_t rec_size, uint32_t *max)
{
    size_t n = rec_size >= GY__STAGE_BYTES ? 1 : GY__STAGE_BYTES / rec_size;

    *max = (uint32_t)n;
    return gy_malloc(n * rec_size);
}

void gy__emit_init(struct gy_emit *e, gy_op_t *op, const struct gy_cap *cap, unsigned char *buf,
                   size_t rec_size, uint32_t max)
{
    e->op = op;
    e->cap = cap;
    e->buf = buf;
    e->rec_size = rec_size;
    e->n = 0;
    e->max = max;
    e->rc = 0;
}

int gy__emit_flush(struct gy_emit *e)
{
    if (e->rc == 0 && e->n > 0)
        e->rc = gy_op_give(e->op, 0, e->cap, e->buf, e->n);
    e->n = 0;
    return e->rc;
}

int gy_emit(gy_emit_t *e, const void *rec)
{
    void *slot = gy__emit_slot(e);

    if (GY_UNLIKELY(!slot))
        return e->rc;
    memcpy(slot, rec, e->rec_size);
    return 0;
}

int gy_emit_n(gy_emit_t *e, const void *recs, uint32_t n)
{
    /* Large runs skip the staging copy: stage order is kept by flushing first. */
    if (n >= e->max) {
        if (gy__emit_flush(e) != 0)
            return e->rc;
        e->rc = gy_op_give(e->op, 0, e->cap, recs, n);
        return e->rc;
    }
    if (e->n + n > e->max && gy__emit_flush(e) != 0)
        return e->rc;
    memcpy(e->buf + (size_t)e->n * e->rec_size, recs, (size_t)n * e->rec_size);
    e->n += n;
    return e->rc;
}

const struct gy_time *gy_emit_time(const gy_emit_t *e)
{
    return &e->cap->time;
}

int gy__op_callback_failed(gy_op_t *op, const char *what, int rc)
{
    if (!gy_worker_failed(gy_op_worker(op)))
        gy_op_fail(op, "%s failed: %s", what, strerror(rc < 0 ? -rc : rc));
    return rc;
}

gy_stream_t *gy__unary_new(gy_stream_t *s, const char *name, size_t out_size,
                           struct gy_pact pact, const struct gy_op_callbacks *cb, void *state)
{
    struct gy_op_spec spec = {
        .name = name, .ninputs = 1, .noutputs = 1, .rec_sizes = &out_size,
        .cb = *cb, .state = state,
    };
    gy_op_t *op;

    if (!s) {
        if (cb->destroy && state)
            cb->destroy(state);
        return NULL;
    }
    spec.scope = gy_stream_scope(s);
    op = gy_op_new(gy_stream_dataflow(s), &spec);
    if (!op)
        return NULL;
    gy_op_connect(op, 0, s, pact);
    return gy_op_output(op, 0);
}
