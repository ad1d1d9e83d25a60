/*
 * The igraph baselines of the bench binaries (igraph_baselines.h). Each
 * times the graph's construction and the algorithm apart: igraph needs its
 * own graph representation, which a streaming system never builds.
 */
#include "bench/support/igraph_baselines.h"

#include <errno.h>
#include <igraph.h>
#include <stdlib.h>

#include "runtime/runtime.h"

/* e's ids into ev as (u0, v0, u1, v1, ...). With named, also marks each id
 * named and counts into *vertices the ids not named before. */
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
        if (!named)
            continue;
        *vertices += !named[e[i].u];
        named[e[i].u] = 1;
        *vertices += !named[e[i].v];
        named[e[i].v] = 1;
    }
    return 0;
}

/* The undirected graph over ids 0 .. id_bound - 1 with the edges of ev,
 * which it destroys. Returns 0 or -ENOMEM. */
static int create(igraph_t *g, igraph_vector_int_t *ev, uint64_t id_bound)
{
    int rc = 0;

    if (igraph_create(g, ev, (igraph_integer_t)id_bound, IGRAPH_UNDIRECTED) != IGRAPH_SUCCESS)
        rc = -ENOMEM;
    igraph_vector_int_destroy(ev);
    return rc;
}

/* ---- connected components ---- */

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
    if (rc != 0 || (rc = create(&g, &ev, id_bound)) != 0)
        return rc;
    *build_s = gy_now() - t0;
    t0 = gy_now();
    rc = components(&g, id_bound, r);
    *cc_s = gy_now() - t0;
    igraph_destroy(&g);
    return rc;
}

/* ---- triangles ---- */

/* The simple graph of e: duplicates merged, self-loops dropped. */
static int simple_graph(const struct gy_edge *e, size_t n, uint64_t id_bound, igraph_t *g)
{
    igraph_vector_int_t ev;
    int rc = edge_vector(e, n, id_bound, &ev, NULL, NULL);

    if (rc != 0 || (rc = create(g, &ev, id_bound)) != 0)
        return rc;
    if (igraph_simplify(g, true, true, NULL) != IGRAPH_SUCCESS) {
        igraph_destroy(g);
        return -ENOMEM;
    }
    return 0;
}

int tc_igraph_count(const struct gy_edge *e, size_t n, uint64_t id_bound, uint64_t *triangles,
                    struct tc_baseline_times *t)
{
    igraph_vector_t per;
    igraph_t g;
    double t0 = gy_now(), t1, sum = 0;
    int rc = simple_graph(e, n, id_bound, &g);

    if (rc != 0)
        return rc;
    t1 = gy_now();
    if (igraph_vector_init(&per, 0) != IGRAPH_SUCCESS) {
        igraph_destroy(&g);
        return -ENOMEM;
    }
    if (igraph_adjacent_triangles(&g, &per, igraph_vss_all()) != IGRAPH_SUCCESS)
        rc = -ENOMEM;
    for (igraph_integer_t i = 0; rc == 0 && i < igraph_vector_size(&per); i++)
        sum += VECTOR(per)[i];
    t->build = t1 - t0;
    t->count = gy_now() - t1;
    *triangles = (uint64_t)(sum / 3 + 0.5);
    igraph_vector_destroy(&per);
    igraph_destroy(&g);
    return rc;
}
