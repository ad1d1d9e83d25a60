/*
 * Routing built-ins: exchange, broadcast and concat. They forward batches
 * unchanged; the routing itself is the pact on their input (the runtime
 * partitions or copies records as it fills the batches), so an exchange
 * costs one key call and one copy per record, nothing more.
 */
#include <errno.h>
#include <stdio.h>

#include "operators/builtins_internal.h"

/* Forwards a batch. Any port: concat has many. */
static void forward_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                          const void *recs, uint32_t n)
{
    (void)state;
    (void)port;
    if (gy_op_give(op, 0, cap, recs, n) != 0)
        return; /* a failed send has failed the run */
}

static const struct gy_op_callbacks forward_cb = {.on_input = forward_input};

gy_stream_t *gy_op_exchange(gy_stream_t *s, const char *name, gy_key_fn key, void *arg)
{
    if (!s)
        return NULL;
    return gy__unary_new(s, name ? name : "exchange", gy_stream_rec_size(s),
                         gy_pact_exchange(key, arg), &forward_cb, NULL);
}

gy_stream_t *gy_op_broadcast(gy_stream_t *s, const char *name)
{
    if (!s)
        return NULL;
    return gy__unary_new(s, name ? name : "broadcast", gy_stream_rec_size(s),
                         gy_pact_broadcast(), &forward_cb, NULL);
}

/* Every stream present, of streams[0]'s record size and scope. Fails the
 * run (naming the operator) otherwise. */
static int concat_check(gy_stream_t *const *streams, uint32_t n, const char *name)
{
    for (uint32_t i = 0; i < n; i++) {
        if (!streams[i])
            return -EINVAL; /* whoever made it NULL has failed the run */
        if (gy_stream_rec_size(streams[i]) != gy_stream_rec_size(streams[0]))
            return gy_worker_fail(gy__stream_worker(streams[0]),
                                  "operator '%s': input %u has records of %zu bytes, input 0 of %zu",
                                  name, i, gy_stream_rec_size(streams[i]),
                                  gy_stream_rec_size(streams[0]));
        if (gy_stream_scope(streams[i]) != gy_stream_scope(streams[0]))
            return gy_worker_fail(gy__stream_worker(streams[0]),
                                  "operator '%s': input %u is in loop scope %u, input 0 in %u",
                                  name, i, gy_stream_scope(streams[i]),
                                  gy_stream_scope(streams[0]));
    }
    return 0;
}

gy_stream_t *gy_op_concat(gy_stream_t *const *streams, uint32_t n, const char *name)
{
    size_t rec_size;
    struct gy_op_spec spec = {.name = name ? name : "concat", .ninputs = n, .noutputs = 1,
                              .cb = forward_cb};
    gy_op_t *op;

    if (n == 0 || !streams || concat_check(streams, n, spec.name) != 0)
        return NULL;
    rec_size = gy_stream_rec_size(streams[0]);
    spec.rec_sizes = &rec_size;
    spec.scope = gy_stream_scope(streams[0]);
    op = gy_op_new(gy_stream_dataflow(streams[0]), &spec);
    if (!op)
        return NULL;
    for (uint32_t i = 0; i < n; i++)
        gy_op_connect(op, i, streams[i], gy_pact_pipeline());
    return gy_op_output(op, 0);
}
