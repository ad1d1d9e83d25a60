/*
 * Triangle counting: neighbour lists that travel between workers.
 *
 * A list goes as one TC_K_LIST record per entry, each carrying its source
 * vertex and the list's length. The receiver appends them to one array per
 * sending worker. A vertex's list is sent only by the vertex's owner, at
 * most once per destination and epoch, and its records leave one after the
 * other; since a channel is FIFO per (sender, receiver) pair, each list
 * lies whole and contiguous in its sender's array. gy__tc_each_list checks
 * exactly that (run length = announced length) and fails the run otherwise
 * rather than count from a torn list.
 */
#include "algorithms/tc_internal.h"

#include <errno.h>
#include <inttypes.h>

int gy__tc_on_list(struct tc *tc, const struct tc_msg *m)
{
    struct tc_lent *l;

    if (m->from >= tc->peers)
        return gy_op_fail(tc->op, "internal error: list from worker %u", m->from);
    l = gy__tc_push(tc, &tc->cur.recv[m->from], sizeof(*l));
    if (!l)
        return -ENOMEM;
    l->src = m->a;
    l->id = m->b;
    l->len = m->c;
    l->mark = m->mark;
    return 0;
}

int gy__tc_ship_set(struct tc *tc, uint32_t xl, uint32_t dest)
{
    const struct tc_adj *a = &tc->adj[xl];
    const uint32_t *meta = tc_adj_meta(a);
    uint64_t x = tc_vmap_orig(&tc->ids, xl);
    int rc = 0;

    for (uint32_t i = 0; i < tc_adj_span(a) && rc == 0; i++) {
        struct tc_msg m = {.a = x, .b = a->ids[i], .c = a->len, .kind = TC_K_LIST};
        if (a->ids[i] == x)
            continue;
        m.mark = (uint8_t)tc_meta_mark(meta[i]);
        rc = gy__tc_send_to(tc, dest, &m);
    }
    return rc;
}

static int torn(struct tc *tc, uint64_t src)
{
    return gy_op_fail(tc->op, "internal error: the list of vertex %" PRIu64 " arrived torn", src);
}

/* The lists worker w sent, one run each. */
static int each_run(struct tc *tc, uint32_t w,
                    int (*fn)(struct tc *tc, const struct tc_lent *l, size_t n, void *arg),
                    void *arg)
{
    const struct tc_lent *l = tc->cur.recv[w].p;
    size_t n = tc->cur.recv[w].n, i = 0;
    int rc = 0;

    while (i < n && rc == 0) {
        size_t len = l[i].len;
        if (len == 0 || len > n - i || l[i + len - 1].src != l[i].src ||
            (i + len < n && l[i + len].src == l[i].src))
            return torn(tc, l[i].src);
        rc = fn(tc, &l[i], len, arg);
        i += len;
    }
    return rc;
}

int gy__tc_each_list(struct tc *tc,
                     int (*fn)(struct tc *tc, const struct tc_lent *l, size_t n, void *arg),
                     void *arg)
{
    int rc = 0;

    for (uint32_t w = 0; w < tc->peers && rc == 0; w++)
        rc = each_run(tc, w, fn, arg);
    return rc;
}

void gy__tc_lists_reset(struct tc *tc)
{
    for (uint32_t w = 0; w < tc->peers; w++)
        gy__tc_vec_reset(&tc->cur.recv[w], sizeof(struct tc_lent));
}
