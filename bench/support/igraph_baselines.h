/*
 * igraph's connected components and triangle count over edges held in
 * memory: the third-party baselines of bench/bench_cc.c and bench/bench_tc.c,
 * beside the plain ones of uf_baseline.h and tc_baseline.h. Linked only into
 * the bench binaries (igraph stays out of build/gyre). Any thread; nothing
 * is shared.
 */
#ifndef GY_BENCH_SUPPORT_IGRAPH_BASELINES_H
#define GY_BENCH_SUPPORT_IGRAPH_BASELINES_H

#include <stddef.h>
#include <stdint.h>

#include "bench/support/tc_baseline.h"
#include "bench/support/uf_baseline.h"
#include "graph/edge.h"

/* Builds an igraph graph over ids 0 .. id_bound - 1 (ids not named are
 * discounted) and runs igraph_connected_components. r->edges is not
 * computed. *build_s and *cc_s get the seconds of each step. Returns 0 or
 * -ENOMEM / -EINVAL (an id >= id_bound). */
int cc_igraph_components(const struct gy_edge *e, size_t n, uint64_t id_bound,
                         struct uf_baseline_result *r, double *build_s, double *cc_s);

/* Triangles through igraph: igraph_adjacent_triangles over the simplified
 * graph of e[0 .. n) (ids below id_bound), the per-vertex counts summed and
 * divided by three. Returns 0, -ENOMEM or -EINVAL (an id >= id_bound). */
int tc_igraph_count(const struct gy_edge *e, size_t n, uint64_t id_bound, uint64_t *triangles,
                    struct tc_baseline_times *t);

#endif
