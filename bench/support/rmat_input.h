/*
 * The input of the algorithm benchmarks: an R-MAT graph (seed 1) held in
 * memory, followed by `extra` new edges from a second R-MAT stream (seed 2)
 * for the small-epoch latency runs, and the graph written to a temporary
 * .gyb file so the timed runs read it the way a user's run would.
 */
#ifndef GY_BENCH_SUPPORT_RMAT_INPUT_H
#define GY_BENCH_SUPPORT_RMAT_INPUT_H

#include <stddef.h>
#include <stdint.h>

#include "graph/edge.h"

struct rmat_input {
    struct gy_edge *e;     /* graph, then the new edges */
    size_t graph, n;       /* edges of the graph; all edges */
    uint64_t id_bound;     /* 2^scale */
    char path[64];         /* the .gyb file, "" until written */
};

/* Fills in (zeroed by the caller). Returns 0 or a negative errno. */
int rmat_input_generate(struct rmat_input *in, unsigned scale, uint32_t edgefactor, size_t extra);

/*
 * Writes /tmp/gy_<tag>_XXXXXX.gyb: the graph alone when epoch_edges
 * is 0; else every edge, the new ones with time 1, 2, ... per epoch_edges
 * (so --window 1 cuts them into epochs). Errors go to stderr as "<tag>: ...".
 */
int rmat_input_write(struct rmat_input *in, const char *tag, size_t epoch_edges);

/* Removes the file and frees the edges. */
void rmat_input_free(struct rmat_input *in);

#endif
