/*
 * Single-threaded connected-components baselines over edges held in memory:
 * the yardsticks of bench/bench_cc.c's COST ratios and of `gyre bench cc`
 * (cli/bench_baseline.c, which maps its file's ids to dense ones first):
 *
 *  - uf_baseline_components: a plain union-find (union by size, path
 *    halving) over ids < id_bound, direct arrays, no id map: components
 *    and largest, and the vertices named; the least a program can do.
 *    uf_baseline_components_dense: the same over ids already dense.
 *  - uf_baseline_full: the same plus the distinct undirected edges (an
 *    open-addressing set of canonical pairs), i.e. every count gyre's cc
 *    reports, so the comparison is like for like.
 *  - cc_igraph_components (igraph_baselines.h): igraph_connected_components.
 *
 * Inserts only (every sign must be +1). igraph-free, so build/gyre links it.
 * Any thread; nothing is shared.
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

/* Over e[0 .. n). Returns 0, -EINVAL (an id >= id_bound, id_bound >
 * 2^32 - 1 or a delete) or -ENOMEM; *r is filled only on 0. */
int uf_baseline_components(const struct gy_edge *e, size_t n, uint64_t id_bound,
                           struct uf_baseline_result *r);
int uf_baseline_full(const struct gy_edge *e, size_t n, uint64_t id_bound,
                     struct uf_baseline_result *r);

/* uf_baseline_components over dense ids, for a caller that maps its ids
 * in place (`gyre bench`): n inserts held as id pairs, edge i = {uv[2i],
 * uv[2i + 1]} (16 bytes an edge, half a gy_edge, which halves the memory
 * the id mapping and this pass stream through), every id below nv, and
 * every id below nv a vertex. The ids are not checked (assert() only):
 * the caller made them. Returns 0 or -ENOMEM. */
int uf_baseline_components_dense(const uint64_t *uv, size_t n, uint32_t nv,
                                 struct uf_baseline_result *r);

#endif
