/* The counting sink of the throughput benchmarks (count_sink.h). */
#include "bench/support/count_sink.h"

static void count_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t n)
{
    (void)op;
    (void)port;
    (void)cap;
    (void)recs;
    *(uint64_t *)state += n;
}

gy_op_t *count_sink(gy_stream_t *s, struct gy_pact pact, uint64_t *count)
{
    const size_t rs = gy_stream_rec_size(s);
    struct gy_op_spec spec = {.name = "count", .ninputs = 1, .noutputs = 1, .rec_sizes = &rs,
                              .scope = gy_stream_scope(s), .cb = {.on_input = count_input},
                              .state = count};
    gy_op_t *op = gy_op_new(gy_stream_dataflow(s), &spec);

    if (op)
        gy_op_connect(op, 0, s, pact);
    return op;
}
