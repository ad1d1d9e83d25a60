/*
 * Stateless built-ins: map, filter, flat_map and inspect. Each handles a
 * whole input batch per callback; map and flat_map write their output into
 * a staging buffer allocated with the operator, filter forwards runs of
 * kept records straight from the input batch, inspect forwards the batch.
 */
#include <errno.h>
#include <string.h>

#include "operators/builtins_internal.h"
#include "progress/alloc.h"

struct stateless {
    union {
        gy_map_fn map;
        gy_filter_fn filter;
        gy_flat_map_fn flat_map;
        gy_inspect_fn inspect;
    } fn;
    void *arg;
    size_t in_size;             /* input record bytes */
    size_t out_size;            /* output record bytes */
    unsigned char *stage;       /* map, flat_map: max output records */
    uint32_t max;
};

static void stateless_free(void *state)
{
    struct stateless *st = state;

    gy_free(st->stage);
    gy_free(st);
}

/* Allocates the state (with a staging buffer when staged) and builds the
 * operator around it. */
static gy_stream_t *stateless_new(gy_stream_t *s, const char *name, size_t out_size, bool staged,
                                  const struct gy_op_callbacks *cb, struct stateless proto)
{
    struct stateless *st;

    if (!s)
        return NULL;
    st = gy_malloc(sizeof(*st));
    if (st) {
        *st = proto;
        st->in_size = gy_stream_rec_size(s);
        st->out_size = out_size;
        st->stage = staged ? gy__stage_new(out_size, &st->max) : NULL;
    }
    if (!st || (staged && !st->stage)) {
        if (st)
            stateless_free(st);
        gy_worker_fail(gy__stream_worker(s), "operator '%s': out of memory", name);
        return NULL;
    }
    return gy__unary_new(s, name, out_size, gy_pact_pipeline(), cb, st);
}

/* ---- map ---- */

static void map_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                      const void *recs, uint32_t n)
{
    struct stateless *st = state;
    const unsigned char *in = recs;
    struct gy_emit e;

    (void)port;
    gy__emit_init(&e, op, cap, st->stage, st->out_size, st->max);
    for (uint32_t i = 0; i < n; i++, in += st->in_size) {
        void *out = gy__emit_slot(&e);
        if (!out)
            return;
        st->fn.map(in, out, st->arg);
    }
    if (gy__emit_flush(&e) != 0)
        return; /* a failed send has failed the run */
}

gy_stream_t *gy_op_map(gy_stream_t *s, const char *name, size_t out_size, gy_map_fn fn,
                       void *arg)
{
    struct gy_op_callbacks cb = {.on_input = map_input, .destroy = stateless_free};
    struct stateless proto = {.fn.map = fn, .arg = arg};

    return stateless_new(s, name ? name : "map", out_size, true, &cb, proto);
}

/* ---- filter ---- */

static void filter_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                         const void *recs, uint32_t n)
{
    struct stateless *st = state;
    const unsigned char *base = recs;
    uint32_t run = 0; /* first record of the current run of kept records */

    (void)port;
    for (uint32_t i = 0; i < n; i++) {
        if (st->fn.filter(base + (size_t)i * st->in_size, st->arg))
            continue;
        if (i > run && gy_op_give(op, 0, cap, base + (size_t)run * st->in_size, i - run) != 0)
            return;
        run = i + 1;
    }
    if (n > run && gy_op_give(op, 0, cap, base + (size_t)run * st->in_size, n - run) != 0)
        return; /* a failed send has failed the run */
}

gy_stream_t *gy_op_filter(gy_stream_t *s, const char *name, gy_filter_fn pred, void *arg)
{
    struct gy_op_callbacks cb = {.on_input = filter_input, .destroy = stateless_free};
    struct stateless proto = {.fn.filter = pred, .arg = arg};

    if (!s)
        return NULL;
    return stateless_new(s, name ? name : "filter", gy_stream_rec_size(s), false, &cb, proto);
}

/* ---- flat_map ---- */

static void flat_map_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                           const void *recs, uint32_t n)
{
    struct stateless *st = state;
    const unsigned char *in = recs;
    struct gy_emit e;
    int rc = 0;

    (void)port;
    gy__emit_init(&e, op, cap, st->stage, st->out_size, st->max);
    for (uint32_t i = 0; i < n && rc == 0; i++, in += st->in_size)
        rc = st->fn.flat_map(in, &e, st->arg);
    if (rc == 0)
        rc = gy__emit_flush(&e);
    if (rc != 0)
        gy__op_callback_failed(op, "flat_map callback", rc);
}

gy_stream_t *gy_op_flat_map(gy_stream_t *s, const char *name, size_t out_size,
                            gy_flat_map_fn fn, void *arg)
{
    struct gy_op_callbacks cb = {.on_input = flat_map_input, .destroy = stateless_free};
    struct stateless proto = {.fn.flat_map = fn, .arg = arg};

    return stateless_new(s, name ? name : "flat_map", out_size, true, &cb, proto);
}

/* ---- inspect ---- */

static void inspect_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                          const void *recs, uint32_t n)
{
    struct stateless *st = state;
    const unsigned char *in = recs;

    (void)port;
    for (uint32_t i = 0; i < n; i++, in += st->in_size)
        st->fn.inspect(&cap->time, in, st->arg);
    if (gy_op_give(op, 0, cap, recs, n) != 0)
        return; /* a failed send has failed the run */
}

gy_stream_t *gy_op_inspect(gy_stream_t *s, const char *name, gy_inspect_fn fn, void *arg)
{
    struct gy_op_callbacks cb = {.on_input = inspect_input, .destroy = stateless_free};
    struct stateless proto = {.fn.inspect = fn, .arg = arg};

    if (!s)
        return NULL;
    return stateless_new(s, name ? name : "inspect", gy_stream_rec_size(s), false, &cb, proto);
}
