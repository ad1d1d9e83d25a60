/*
 * The counting sink of the throughput benchmarks (bench_exchange,
 * bench_ingest, `gyre bench`'s micro-benchmarks): an operator that only
 * adds up how many records reach it, so that what is measured is the path
 * into it, and so that every record's arrival is checked.
 */
#ifndef GY_BENCH_SUPPORT_COUNT_SINK_H
#define GY_BENCH_SUPPORT_COUNT_SINK_H

#include <stdint.h>

#include "operators/op.h"

/* Connects a sink to s through pact, in s's scope; it adds the records it
 * receives on this worker to *count, which the caller owns (one per worker,
 * read after the run). Its output carries nothing: attach a probe to it to
 * see the stream's progress. NULL after failing the run. */
gy_op_t *count_sink(gy_stream_t *s, struct gy_pact pact, uint64_t *count);

#endif
