/*
 * igraph baseline of bench_cc (cc_igraph.h). Times the graph's
 * construction and the components call apart: igraph needs its own graph
 * representation, which a streaming system never builds.
 */
#include "bench/support/cc_igraph.h"

#include <errno.h>
#include <igraph.h>
#include <stdlib.h>

#include "runtime/runtime.h"

static int edge_vector(const struct gy_edge *e, size_t n, uint64_t id_bound,
                       igraph_vector_int_t *ev, uint8_t *named, uint64_t *vertices)
{
    if (igraph_vector_int_init(ev, (igraph_integer_t)(2 * n)) != IGRAPH_SUCCESS)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        if (e[i].u >= id_bound || e[i].v >= id_bound) {
            igraph_vector_int_destroy(ev);
            return -EINVAL;
        }
        VECTOR(*ev)[2 * i] = (igraph_integer_t)e[i].u;
        VECTOR(*ev)[2 * i + 1] = (igraph_integer_t)e[i].v;
        *vertices += !named[e[i].u];
        named[e[i].u] = 1;
        *vertices += !named[e[i].v];
        named[e[i].v] = 1;
    }
    return 0;
}

static int components(const igraph_t *g, uint64_t id_bound, struct uf_baseline_result *r)
{
    igraph_vector_int_t csize;
    igraph_integer_t no;

    if (igraph_vector_int_init(&csize, 0) != IGRAPH_SUCCESS)
        return -ENOMEM;
    if (igraph_connected_components(g, NULL, &csize, &no, IGRAPH_WEAK) != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&csize);
        return -ENOMEM;
    }
    /* Ids never named are isolated: one component each, to discount. */
    r->components = (uint64_t)no - (id_bound - r->vertices);
    r->largest = r->vertices ? (uint64_t)igraph_vector_int_max(&csize) : 0;
    igraph_vector_int_destroy(&csize);
    return 0;
}

int cc_igraph_components(const struct gy_edge *e, size_t n, uint64_t id_bound,
                         struct uf_baseline_result *r, double *build_s, double *cc_s)
{
    uint8_t *named = calloc(id_bound + 1, 1);
    igraph_vector_int_t ev;
    igraph_t g;
    double t0 = gy_now();
    int rc;

    *r = (struct uf_baseline_result){0};
    if (!named)
        return -ENOMEM;
    rc = edge_vector(e, n, id_bound, &ev, named, &r->vertices);
    free(named);
    if (rc != 0)
        return rc;
    if (igraph_create(&g, &ev, (igraph_integer_t)id_bound, IGRAPH_UNDIRECTED) != IGRAPH_SUCCESS)
        rc = -ENOMEM;
    igraph_vector_int_destroy(&ev);
    if (rc != 0)
        return rc;
    *build_s = gy_now() - t0;
    t0 = gy_now();
    rc = components(&g, id_bound, r);
    *cc_s = gy_now() - t0;
    igraph_destroy(&g);
    return rc;
}
