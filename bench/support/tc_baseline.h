/*
 * Single-threaded triangle counting baselines over edges held in memory,
 * for bench/bench_tc.c's COST figures:
 *
 *  - tc_baseline_count: the sorted-adjacency intersection (forward)
 *    algorithm written plainly for one thread: dense ids, distinct
 *    undirected edges by radix sort, each edge oriented from the endpoint
 *    lower in (degree, id), out-lists as one CSR sorted by target, and for
 *    every oriented edge (a, b) a branch-free merge of out(a) and out(b).
 *  - tc_igraph_count: igraph_adjacent_triangles over the simplified graph,
 *    the per-vertex counts summed and divided by three.
 *
 * Both follow the graph semantics of algorithms/algo.h (undirected, simple:
 * duplicates merged, self-loops dropped) over inserts only.
 */
#ifndef GY_BENCH_SUPPORT_TC_BASELINE_H
#define GY_BENCH_SUPPORT_TC_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#include "graph/edge.h"

/* Seconds of each step of a baseline. */
struct tc_baseline_times {
    double build;  /* ids, distinct edges, orientation, CSR (igraph: graph, simplify) */
    double count;  /* the intersections (igraph: adjacent_triangles) */
};

/* Triangles of the graph of e[0 .. n), ids below id_bound (2^scale for
 * R-MAT). Returns 0 with *triangles, or -ENOMEM / -EINVAL (an id out of
 * range or more than 2^32 - 1 vertices). */
int tc_baseline_count(const struct gy_edge *e, size_t n, uint64_t id_bound, uint64_t *triangles,
                      struct tc_baseline_times *t);

/* The same through igraph. Returns 0, -ENOMEM or -EINVAL. */
int tc_igraph_count(const struct gy_edge *e, size_t n, uint64_t id_bound, uint64_t *triangles,
                    struct tc_baseline_times *t);

#endif
