/*
 * Edge streams: a file or a generator as a dataflow source of gy_edge
 * records, cut into epochs.
 *
 * The input is prepared once, on the main thread (gy_edge_input_open): the
 * file is opened and cut into blocks at line boundaries, dealt round-robin
 * to the workers, so that at any moment they read neighbouring parts of the
 * input, in the same or neighbouring epochs. Every worker parses only its
 * own blocks, in parallel, and still assigns every line the epoch a single
 * sequential pass would, because it first learns each block's place in the
 * file: for epochs by count, the edge lines and newlines of the blocks
 * before it, which their workers count and publish a little ahead of
 * parsing (a fast scan); for event-time windows, the first and largest time
 * before it, found by parsing every block once at open. Results never
 * depend on the blocks or on the worker count. A generator
 * ("rmat:SCALE[:EDGEFACTOR[:SEED]]", "er:N:M[:SEED]") is cut into blocks of
 * edge indices the same way. docs/formats.md gives the block sizes.
 *
 * Every edge sent carries its input line in gy_edge.line (graph/edge.h).
 *
 * Each worker's source operator reads its blocks in chunks, one chunk per
 * activation, sending each edge at its epoch and holding a capability at the
 * smallest epoch it may still send. While it cannot go on (an earlier
 * block's count is not published yet, or it is throttled) it polls
 * (gy_op_poll), so its worker goes idle until a message or a published
 * count wakes it. A bad line fails the run with
 * "file:line: what is wrong"; with skip_bad it is skipped and counted.
 *
 * Threads: open/close on the main thread (before/after gy_runtime_run);
 * gy_edge_source on each worker, during construction.
 */
#ifndef GY_GRAPH_SOURCE_H
#define GY_GRAPH_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/edge.h"
#include "graph/edgefile.h"
#include "graph/epochs.h"
#include "operators/input.h"
#include "operators/op.h"

typedef struct gy_edge_input gy_edge_input_t;

struct gy_edge_input_cfg {
    const char *spec;              /* a path, or a generator spec */
    struct gy_edges_opts file;     /* format, time and sign columns, skip_bad */
    struct gy_epochs_cfg epochs;   /* by count (batch) or by event time (window) */
};

/* Per-worker counters of what a source read; summed over workers by the caller. */
struct gy_edge_source_stats {
    uint64_t edges;                /* records sent */
    uint64_t dropped_late;         /* lines dropped as too late (drop_late) */
    struct gy_edges_bad bad;       /* lines skipped (skip_bad) */
};

/* Prepares spec for `workers` workers. Returns 0, or -errno with the message
 * ("path: ...", "path:LINE: ...", "bad generator spec ...") in err. */
GY_NODISCARD int gy_edge_input_open(const struct gy_edge_input_cfg *cfg, uint32_t workers,
                                    gy_edge_input_t **out, char *err, size_t errlen);
void gy_edge_input_close(gy_edge_input_t *in);

/* The name used in messages: the path or the generator spec. */
const char *gy_edge_input_name(const gy_edge_input_t *in);

/* Edge lines in the whole input (bad ones included). After a run that
 * completed, from the workers' counts; otherwise it counts what it lacks
 * (one scan of the file). Any thread. */
uint64_t gy_edge_input_lines(const gy_edge_input_t *in);

/*
 * This worker's source: a stream of struct gy_edge at their epochs. stats
 * (may be NULL) is filled as the source reads and is final once the
 * dataflow completes. max_open (>= 1, or 0 for no limit) bounds how many
 * epochs this worker reads ahead of what probe (may be NULL) reports done,
 * which bounds the memory in flight. NULL after failing the run.
 */
gy_stream_t *gy_edge_source(gy_dataflow_t *df, const gy_edge_input_t *in,
                            struct gy_edge_source_stats *stats, const gy_probe_t *probe,
                            uint64_t max_open);

/*
 * The same, throttled by a probe that usually watches a stream downstream of
 * the source (an algorithm's output), so it cannot exist yet when the source
 * is built: the caller owns *throttle (it must outlive the dataflow), builds
 * the rest of the dataflow, then sets throttle->probe before
 * gy_dataflow_build. The source reads the struct at every run.
 */
struct gy_edge_throttle {
    const gy_probe_t *probe;       /* NULL: no throttling */
    uint64_t max_open;             /* epochs read ahead of what probe reports done */
};

gy_stream_t *gy_edge_source_throttled(gy_dataflow_t *df, const gy_edge_input_t *in,
                                      struct gy_edge_source_stats *stats,
                                      const struct gy_edge_throttle *throttle);

#endif
