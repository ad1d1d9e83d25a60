/*
 * Incremental connected components: exact per epoch, on every worker, for
 * insert-only and fully dynamic (insert and delete) edge streams.
 *
 * gy_cc follows algorithms/algo.h: the graph is undirected and simple, an
 * edge is present while inserted more times than deleted, a self-loop only
 * names its vertex (a self-loop delete too), and a vertex stays once named.
 * Per epoch that held an edge record, worker 0 emits one struct
 * gy_graph_result with vertices, edges (distinct, present), components
 * (isolated vertices count), largest (vertices in the largest component)
 * and bad_deletes.
 *
 * How (docs/algorithms.md, "Connected components", has the measurements):
 * edges are exchanged by canonical pair {min, max}, so each worker owns the
 * multiplicities of its share; it keeps a union-find and a spanning forest
 * of its share and forwards only the forest's changes to worker 0, which
 * keeps a union-find over the union of those forests. Until a worker sees
 * its first delete its edges are sorted runs: an epoch of k inserts costs
 * O(k) to sort and count plus an ordered lookup pass through the runs and
 * merges amortized to O(k log(E / k)) for E edges there, all streaming;
 * from its first delete on, a hash table: O(k) expected. A delete of a
 * non-forest edge costs O(1); a delete that
 * removes a forest link makes the owner rebuild its forest from its share
 * (O(its vertices and edges)) and, if that link was also a global forest
 * link, worker 0 rebuild from the links (O(vertices + links)).
 *
 * Errors: a delete of an absent edge fails the run with
 * "INPUT:LINE: delete of edge {u,v} that is not present" (the earliest such
 * line of the epoch; INPUT = opts->input_name), or with skip_bad_deletes is
 * skipped (it names no vertex) and counted. With opts->labels_path, worker 0
 * writes "vertex label" lines after the last epoch; a write error fails the
 * run with "PATH: reason". Out of memory, or more than 2^30 - 1 distinct
 * vertices, fails it naming the operator.
 *
 * Thread: construction only, on every worker (SPMD), before
 * gy_dataflow_build; edges must be a root-scope stream of struct gy_edge.
 */
#ifndef GY_ALGORITHMS_CC_H
#define GY_ALGORITHMS_CC_H

#include "algorithms/algo.h"
#include "operators/op.h"

/*
 * Connected components of the edge stream: a stream of struct
 * gy_graph_result (worker 0 only). opts may be NULL (defaults); it is read
 * during the call only (the strings are copied). Operators are named
 * opts->name (default "cc") and "<name>.local". NULL when edges is NULL or
 * after failing the run.
 */
gy_stream_t *gy_cc(gy_stream_t *edges, const struct gy_algo_opts *opts);

#endif
