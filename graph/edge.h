/*
 * The edge record every reader and generator produces, and what a stream of
 * graph updates carries before an algorithm projects it to what it needs.
 *
 * Vertex ids are the file's own 64-bit unsigned ids; dense ids are an
 * algorithm's business (graph/idmap.h). A self-loop (u == v) names a vertex
 * and adds no edge. sign is +1 for an insert, -1 for a delete.
 */
#ifndef GY_GRAPH_EDGE_H
#define GY_GRAPH_EDGE_H

#include <stdint.h>

struct gy_edge {
    uint64_t u;
    uint64_t v;
    int64_t time;   /* the time column's value (--time-column), else 0 */
    int32_t sign;   /* +1 insert, -1 delete */
    uint32_t line;  /* input line it came from (1-based), 0 if none or past UINT32_MAX */
};

_Static_assert(sizeof(struct gy_edge) == 32, "gy_edge is a fixed 32-byte record");

#endif
