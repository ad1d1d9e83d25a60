/*
 * Single-threaded triangle counting baseline over edges held in memory, the
 * yardstick of bench/bench_tc.c's COST figures and of `gyre bench tc`
 * (cli/bench_baseline.c, which maps its file's ids to dense ones first):
 *
 *  - tc_baseline_count: the sorted-adjacency intersection (forward)
 *    algorithm written plainly for one thread: dense ids, distinct
 *    undirected edges by radix sort, each edge oriented from the endpoint
 *    lower in (degree, id), out-lists as one CSR sorted by target, and for
 *    every oriented edge (a, b) a branch-free merge of out(a) and out(b).
 *    tc_baseline_count_dense: the same over ids already dense.
 *  - tc_igraph_count (igraph_baselines.h): the same count through igraph.
 *
 * Both follow the graph semantics of algorithms/algo.h (undirected, simple:
 * duplicates merged, self-loops dropped) over inserts only. igraph-free, so
 * build/gyre links it. Any thread; nothing is shared.
 */
#ifndef GY_BENCH_SUPPORT_TC_BASELINE_H
#define GY_BENCH_SUPPORT_TC_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#include "graph/edge.h"

/* Seconds of each step of a baseline. */
struct tc_baseline_times {
    double build;  /* distinct edges, orientation, CSR (igraph: graph, simplify) */
    double count;  /* the intersections (igraph: adjacent_triangles) */
};

/* Triangles of the graph of e[0 .. n), ids below id_bound (2^scale for
 * R-MAT, the number of vertices for dense ids). Returns 0 with *triangles
 * and *t, or -ENOMEM / -EINVAL (an id out of range, a delete, or id_bound
 * above 2^32 - 1). */
int tc_baseline_count(const struct gy_edge *e, size_t n, uint64_t id_bound, uint64_t *triangles,
                      struct tc_baseline_times *t);

/* tc_baseline_count over dense ids, for a caller that maps its ids in
 * place (`gyre bench`): n inserts held as id pairs, edge i = {uv[2i],
 * uv[2i + 1]} (16 bytes an edge, half a gy_edge), every id below nv. The
 * ids are not checked (assert() only): the caller made them. Returns 0 or
 * -ENOMEM. */
int tc_baseline_count_dense(const uint64_t *uv, size_t n, uint32_t nv, uint64_t *triangles,
                            struct tc_baseline_times *t);

#endif
