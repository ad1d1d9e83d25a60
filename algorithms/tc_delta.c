/*
 * Triangle counting, delta strategy: work per changed edge.
 *
 * Stage 0: of each changed edge {x, y}, the endpoint lower in the order of
 * last epoch's heavy degrees (tc_lower over gy__tc_heavy_degree: light
 * vertices count as degree 0, ties by id) ships its neighbour list to the
 * other's owner, once per destination worker however many of its changed
 * edges go there, and asks there for the edge to be counted. Both owners
 * know the same degrees, so exactly one of them ships, with no message to
 * agree; a hub never ships its list for an edge to a light vertex, and the
 * work of an edge is about the smaller degree of its endpoints.
 * Stage 1: for each query {x, y}, every w of y's list is probed in x's
 * hashed set. A new triangle (all three edges present after the epoch, at
 * least one inserted) is counted at its inserted edge that is highest in
 * the canonical edge order, (min, max) compared lexicographically, so it is
 * counted once whatever the worker count and batching; removed triangles
 * the same way with the graph before the epoch and the deleted edges.
 */
#include "algorithms/tc_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "progress/alloc.h"

static int ship_cmp(const void *pa, const void *pb)
{
    const struct tc_ship *a = pa, *b = pb;

    if (a->xl != b->xl)
        return a->xl < b->xl ? -1 : 1;
    return (a->dest > b->dest) - (a->dest < b->dest);
}

static int add_ship(struct tc *tc, struct tc_vec *ships, uint32_t xl, uint64_t y, uint32_t mark)
{
    uint64_t x = tc_vmap_orig(&tc->ids, xl);
    struct tc_ship *s;

    if (!tc_lower(tc->adj[xl].sent, x, gy__tc_heavy_degree(tc, y), y))
        return 0;
    s = gy__tc_push(tc, ships, sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->y = y;
    s->xl = xl;
    s->dest = gy__tc_owner(tc, y);
    s->mark = mark;
    return 0;
}

/* The marked entries of local vertex xl's set that it ships for. */
static int scan_ships(struct tc *tc, struct tc_vec *ships, uint32_t xl)
{
    const struct tc_adj *a = &tc->adj[xl];
    const uint32_t *meta = tc_adj_meta(a);
    uint64_t x = tc_vmap_orig(&tc->ids, xl);
    int rc = 0;

    for (uint32_t i = 0; i < tc_adj_span(a) && rc == 0; i++)
        if (a->ids[i] != x && tc_meta_mark(meta[i]) != TC_SAME)
            rc = add_ship(tc, ships, xl, a->ids[i], tc_meta_mark(meta[i]));
    return rc;
}

/* The changes whose local endpoint ships: from the change log, or from
 * every set's marks when the log was abandoned (a bulk epoch counted per
 * changed edge, GY_TC_DELTA). */
static int collect_ships(struct tc *tc, struct tc_vec *ships)
{
    const struct tc_change *ch = tc->cur.log.p;
    int rc = 0;

    for (size_t i = 0; i < tc->cur.log.n && rc == 0 && !tc->cur.log_over; i++)
        rc = add_ship(tc, ships, ch[i].xl, ch[i].y, ch[i].mark);
    for (uint32_t xl = 0; xl < tc->ids.n && rc == 0 && tc->cur.log_over; xl++)
        rc = scan_ships(tc, ships, xl);
    return rc;
}

static int local_query(struct tc *tc, const struct tc_ship *s)
{
    struct tc_query *q = gy__tc_push(tc, &tc->cur.queries, sizeof(*q));

    if (!q)
        return -ENOMEM;
    q->x = s->y;
    q->y = tc_vmap_orig(&tc->ids, s->xl);
    q->yl = s->xl;
    if (!gy__tc_vmap_find(&tc->ids, s->y, &q->xl))
        return gy_op_fail(tc->op, "internal error: local endpoint not owned here");
    q->mark = s->mark;
    return 0;
}

/* The ships s[0 .. k) share vertex and destination: its list goes once. */
static int ship_group(struct tc *tc, const struct tc_ship *s, size_t k)
{
    int rc = 0;

    if (s->dest == tc->me) {
        for (size_t i = 0; i < k && rc == 0; i++)
            rc = local_query(tc, &s[i]);
        return rc;
    }
    rc = gy__tc_ship_set(tc, s->xl, s->dest);
    for (size_t i = 0; i < k && rc == 0; i++) {
        struct tc_msg m = {.key = s[i].y, .kind = TC_K_QUERY, .mark = (uint8_t)s[i].mark};
        m.a = tc_vmap_orig(&tc->ids, s[i].xl);
        rc = gy__tc_send(tc, &m);
    }
    return rc;
}

int gy__tc_delta_ship(struct tc *tc)
{
    struct tc_vec ships = {0};
    struct tc_ship *s;
    size_t i = 0, j;
    int rc = collect_ships(tc, &ships);

    s = ships.p;
    if (rc == 0 && ships.n > 1)
        qsort(s, ships.n, sizeof(*s), ship_cmp);
    while (rc == 0 && i < ships.n) {
        for (j = i + 1; j < ships.n && s[j].xl == s[i].xl && s[j].dest == s[i].dest; j++)
            ;
        rc = ship_group(tc, &s[i], j - i);
        i = j;
    }
    gy_free(ships.p);
    return rc;
}

/* Stage 1 arrival at x's owner: count changed edge {x, y} with y's list. */
int gy__tc_on_query(struct tc *tc, const struct tc_msg *m)
{
    struct tc_query *q = gy__tc_push(tc, &tc->cur.queries, sizeof(*q));

    if (!q)
        return -ENOMEM;
    q->x = m->key;
    q->y = m->a;
    q->xl = TC_NONE;
    q->yl = TC_NONE;
    q->mark = m->mark;
    return 0;
}

/* {p, q} < {lo, hi} in the canonical edge order. */
static inline bool edge_below(uint64_t p, uint64_t q, uint64_t lo, uint64_t hi)
{
    uint64_t a = p < q ? p : q, b = p < q ? q : p;

    return a < lo || (a == lo && b < hi);
}

/* Counts the triangles that changed edge {x, y} (mark) closes with the
 * entries of y's list l[0 .. n). */
static uint64_t count_edge(const struct tc *tc, const struct tc_query *q, const struct tc_lent *l,
                           size_t n)
{
    const struct tc_adj *ax = &tc->adj[q->xl];
    const uint32_t *mx = tc_adj_meta(ax);
    uint64_t x = q->x, lo = x < q->y ? x : q->y, hi = x < q->y ? q->y : x, found = 0;
    uint32_t absent = q->mark == TC_INS ? TC_DEL : TC_INS; /* not in this edge's graph */

    for (size_t k = 0; k < n; k++) {
        uint64_t w = l[k].id;
        uint32_t s, mxw;
        if (w == x || l[k].mark == absent)
            continue;
        s = gy__tc_adj_find(ax, x, w);
        if (s == TC_NONE || (mxw = tc_meta_mark(mx[s])) == absent)
            continue;
        if (l[k].mark == q->mark && !edge_below(q->y, w, lo, hi))
            continue;
        if (mxw == q->mark && !edge_below(x, w, lo, hi))
            continue;
        found++;
    }
    return found;
}

/* y's set as a list, for a query whose both endpoints are owned here. */
static int local_list(struct tc *tc, uint32_t yl, struct tc_vec *tmp)
{
    const struct tc_adj *a = &tc->adj[yl];
    uint64_t y = tc_vmap_orig(&tc->ids, yl);
    const uint32_t *meta = tc_adj_meta(a);
    void *p = tmp->p;
    struct tc_lent *l;

    if (a->len > tmp->cap && gy_grow(&p, &tmp->cap, a->len, sizeof(*l)) != 0)
        return gy__tc_oom(tc);
    tmp->p = l = p;
    tmp->n = 0;
    for (uint32_t i = 0; i < tc_adj_span(a); i++)
        if (a->ids[i] != y)
            l[tmp->n++] = (struct tc_lent){y, a->ids[i], a->len, tc_meta_mark(meta[i])};
    return 0;
}

/* A received list, found by its source vertex. */
struct tc_found {
    uint64_t src;
    const struct tc_lent *l;
    size_t n;
};

static int collect_list(struct tc *tc, const struct tc_lent *l, size_t n, void *arg)
{
    struct tc_found *f = gy__tc_push(tc, arg, sizeof(*f));

    if (!f)
        return -ENOMEM;
    f->src = l->src;
    f->l = l;
    f->n = n;
    return 0;
}

static int found_cmp(const void *pa, const void *pb)
{
    const struct tc_found *a = pa, *b = pb;

    return (a->src > b->src) - (a->src < b->src);
}

static void add_count(struct tc *tc, uint32_t mark, uint64_t found)
{
    if (mark == TC_INS)
        tc->cur.counts.new_t += found;
    else
        tc->cur.counts.removed += found;
}

static int count_query(struct tc *tc, struct tc_query *q, const struct tc_vec *found,
                       struct tc_vec *tmp)
{
    struct tc_found key = {.src = q->y}, *f;

    if (q->yl != TC_NONE) {
        if (local_list(tc, q->yl, tmp) != 0)
            return -ENOMEM;
        add_count(tc, q->mark, count_edge(tc, q, tmp->p, tmp->n));
        return 0;
    }
    if (!gy__tc_vmap_find(&tc->ids, q->x, &q->xl))
        return gy_op_fail(tc->op, "internal error: query for a vertex not owned here");
    f = found->n ? bsearch(&key, found->p, found->n, sizeof(*f), found_cmp) : NULL;
    if (!f)
        return gy_op_fail(tc->op, "internal error: the list of a queried vertex never came");
    add_count(tc, q->mark, count_edge(tc, q, f->l, f->n));
    return 0;
}

int gy__tc_delta_count(struct tc *tc)
{
    struct tc_vec found = {0}, tmp = {0};
    struct tc_query *q = tc->cur.queries.p;
    int rc = gy__tc_each_list(tc, collect_list, &found);

    if (rc == 0 && found.n > 1)
        qsort(found.p, found.n, sizeof(struct tc_found), found_cmp);
    for (size_t i = 0; i < tc->cur.queries.n && rc == 0; i++)
        rc = count_query(tc, &q[i], &found, &tmp);
    gy_free(found.p);
    gy_free(tmp.p);
    return rc;
}
