/*
 * What every incremental graph algorithm in algorithms/ shares: the graph
 * semantics it implements, the options it takes and the one result record
 * it emits per epoch. The command line (cli/) and the benchmarks drive any
 * algorithm through this contract alone.
 *
 * Semantics (the README states them for users): the graph is undirected and
 * simple. An edge {u,v} is present while it has been inserted more times
 * than deleted, so a duplicate insert changes nothing yet is remembered; a
 * self-loop adds no edge but names its vertex; a vertex exists from the
 * first line that names it and stays. Epoch e's result covers every edge up
 * to and including epoch e. A delete of an edge that is not present is an
 * error naming the input and line (struct gy_edge.line), or, with
 * skip_bad_deletes, skipped and counted.
 *
 * An algorithm is a function of the shape
 *     gy_stream_t *gy_ALGO(gy_stream_t *edges, const struct gy_algo_opts *o);
 * called on every worker during construction (SPMD) with a root-scope stream
 * of struct gy_edge records at their epochs. It returns a stream of struct
 * gy_graph_result: worker 0 emits exactly one record per epoch that holds at
 * least one edge record, at that epoch; other workers emit nothing. NULL
 * after failing the run.
 */
#ifndef GY_ALGORITHMS_ALGO_H
#define GY_ALGORITHMS_ALGO_H

#include <stdbool.h>
#include <stdint.h>

#include "graph/edge.h"
#include "operators/op.h"

/* One epoch's result. Fields an algorithm does not compute are 0. */
struct gy_graph_result {
    uint64_t epoch;
    uint64_t vertices;          /* vertices named so far */
    uint64_t edges;             /* distinct undirected edges present */
    uint64_t components;        /* cc: connected components (isolated vertices count) */
    uint64_t largest;           /* cc: vertices in the largest component */
    uint64_t triangles;         /* tc: triangles present */
    uint64_t new_triangles;     /* tc: triangles this epoch added */
    uint64_t removed_triangles; /* tc: triangles this epoch removed */
    uint64_t bad_deletes;       /* deletes of absent edges skipped so far */
};

struct gy_algo_opts {
    const char *name;           /* operator name prefix; NULL = the algorithm's */
    const char *input_name;     /* the input's name for messages ("path:LINE: ...") */
    bool skip_bad_deletes;      /* skip and count deletes of absent edges */
    /* cc only: once the stream ends, write "vertex label\n" for every vertex
     * (original ids, ascending by vertex; label = the smallest original id
     * in its component) to this path. NULL = none. */
    const char *labels_path;
};

/* Opts with every field zero/NULL. */
static inline struct gy_algo_opts gy_algo_opts_default(void)
{
    struct gy_algo_opts o = {0};
    return o;
}

typedef gy_stream_t *(*gy_algo_fn)(gy_stream_t *edges, const struct gy_algo_opts *opts);

#endif
