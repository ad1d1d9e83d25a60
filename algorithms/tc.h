/*
 * Exact incremental triangle counting over an edge stream, per epoch, on
 * every worker (algorithms/algo.h gives the graph semantics and the result
 * record).
 *
 * Each epoch's result holds the triangles present once the epoch is in
 * (triangles), the triangles the epoch created (new_triangles: present now,
 * absent before) and destroyed (removed_triangles: present before, absent
 * now), the vertices named so far, the distinct edges present and the
 * deletes of absent edges skipped so far. The counts are exact and the same
 * for every worker count and every batching of the input.
 *
 * How it works (docs/algorithms.md, "Triangle counting", has the details):
 * vertices belong to workers (gy_key_worker of the id); a vertex's owner
 * keeps its neighbour set, with each edge's multiplicity, as a hashed set.
 * Inside a loop scope an epoch runs as a few stages, one iteration each;
 * the next epoch starts once this one is counted everywhere:
 *   0 ingest: each edge record reaches the owners of both endpoints, which
 *     find the same 0 <-> 1 changes and mark them; each worker votes for
 *     a strategy and, for the delta one, ships lists already;
 *   1 decide: every worker has every vote and picks the same strategy.
 *     Delta (few changes): of each changed edge, the endpoint of smaller
 *     degree (as of the last epoch) has shipped its list to the other's
 *     owner, which probes its own set; a triangle with several changed
 *     edges is counted at the highest of them in the canonical edge order.
 *     Full (bulk epochs): degrees go to the neighbours' owners;
 *   2, 3 (full only): each vertex's neighbours of higher degree, sorted, go
 *     to the owners of those neighbours, which intersect them with their
 *     own (the forward algorithm): each triangle of the old and new graphs
 *     together is found once and classified by its edges' marks;
 *   last: worker 0 adds up the workers' counts and emits the result.
 *
 * Threads: construction only, on each worker's thread (SPMD), before
 * gy_dataflow_build.
 */
#ifndef GY_ALGORITHMS_TC_H
#define GY_ALGORITHMS_TC_H

#include "algorithms/algo.h"
#include "operators/op.h"

/* Which counting strategy an epoch uses. */
enum gy_tc_strategy {
    GY_TC_AUTO = 0, /* full when a worker's changes reach a quarter of its share of the graph */
    GY_TC_DELTA,    /* always per changed edge */
    GY_TC_FULL,     /* always the forward algorithm over the whole graph */
};

/*
 * Triangle counting as a gy_algo_fn: edges is a root-scope stream of struct
 * gy_edge; returns the stream of struct gy_graph_result (worker 0 emits one
 * per epoch that holds an edge record), or NULL after failing the run.
 * opts may be NULL (defaults). A delete of an absent edge fails the run with
 * "INPUT:LINE: delete of edge {u,v} that is not present", or with
 * opts->skip_bad_deletes is skipped and counted.
 */
gy_stream_t *gy_tc(gy_stream_t *edges, const struct gy_algo_opts *opts);

/* gy_tc with a fixed strategy, for tests and benchmarks. */
gy_stream_t *gy_tc_with(gy_stream_t *edges, const struct gy_algo_opts *opts,
                        enum gy_tc_strategy strategy);

#endif
