/*
 * Single-threaded baselines for connected components over edges held in
 * memory, the yardsticks of bench/bench_cc.c (its COST ratios):
 *
 *  - uf_baseline_components: a plain union-find (union by size, path
 *    halving) over ids < id_bound, direct arrays, no id map: components
 *    and largest, and the vertices named; the least a program can do.
 *  - uf_baseline_full: the same plus the distinct undirected edges (an
 *    open-addressing set of canonical pairs), i.e. every count gyre's cc
 *    reports, so the comparison is like for like.
 *  - cc_igraph_components (cc_igraph.h): igraph_connected_components.
 *
 * Inserts only (every sign must be +1). Any thread; nothing is shared.
 */
#ifndef GY_BENCH_SUPPORT_UF_BASELINE_H
#define GY_BENCH_SUPPORT_UF_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#include "graph/edge.h"

struct uf_baseline_result {
    uint64_t vertices;   /* ids named by a line */
    uint64_t edges;      /* distinct undirected non-loop edges; 0 when not computed */
    uint64_t components; /* among the named vertices */
    uint64_t largest;    /* vertices in the largest component */
};

/* Returns 0, -EINVAL (an id >= id_bound, id_bound > 2^32 or a delete) or -ENOMEM. */
int uf_baseline_components(const struct gy_edge *e, size_t n, uint64_t id_bound,
                           struct uf_baseline_result *r);
int uf_baseline_full(const struct gy_edge *e, size_t n, uint64_t id_bound,
                     struct uf_baseline_result *r);

#endif
