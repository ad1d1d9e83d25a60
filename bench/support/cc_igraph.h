/*
 * igraph's connected components over edges held in memory: the third
 * baseline of bench/bench_cc.c (see uf_baseline.h).
 */
#ifndef GY_BENCH_SUPPORT_CC_IGRAPH_H
#define GY_BENCH_SUPPORT_CC_IGRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "bench/support/uf_baseline.h"
#include "graph/edge.h"

/* Builds an igraph graph over ids 0 .. id_bound - 1 (ids not named are
 * discounted) and runs igraph_connected_components. r->edges is not
 * computed. *build_s and *cc_s get the seconds of each step. Returns 0 or
 * -ENOMEM / -EINVAL (an id >= id_bound). */
int cc_igraph_components(const struct gy_edge *e, size_t n, uint64_t id_bound,
                         struct uf_baseline_result *r, double *build_s, double *cc_s);

#endif
