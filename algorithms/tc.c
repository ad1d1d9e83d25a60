/*
 * Triangle counting: the operator that runs the stages (tc.h has the
 * picture, tc_internal.h the stage protocol). This file builds the loop,
 * keeps the capabilities of the times that have work, decides when a stage
 * may run, routes messages (a message for this worker is applied at once,
 * the others are staged and sent through the feedback), keeps every
 * worker's copy of the heavy vertices' degrees and, on worker 0, adds up
 * the epoch's counts and emits the result.
 */
#include "algorithms/tc.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

#include "algorithms/tc_internal.h"
#include "operators/loop.h"
#include "progress/alloc.h"

/* ---- small helpers shared by the stage files ---- */

int gy__tc_oom(struct tc *tc)
{
    gy_op_fail(tc->op, "out of memory");
    return -ENOMEM;
}

void *gy__tc_push(struct tc *tc, struct tc_vec *v, size_t size)
{
    void *p = v->p;
    char *slot;

    if (v->n == v->cap && gy_grow(&p, &v->cap, v->n + 1, size) != 0) {
        gy__tc_oom(tc);
        return NULL;
    }
    v->p = p;
    slot = (char *)v->p + v->n++ * size;
    memset(slot, 0, size);
    return slot;
}

void gy__tc_vec_reset(struct tc_vec *v, size_t size)
{
    /* Keep up to 1 MiB for the next epoch; give bulk loads' memory back. */
    if (v->cap * size > (1u << 20)) {
        gy_free(v->p);
        v->p = NULL;
        v->cap = 0;
    }
    v->n = 0;
}

uint32_t gy__tc_owner(const struct tc *tc, uint64_t v)
{
    return tc->peers == 1 ? 0 : gy_key_worker(v, tc->peers);
}

uint32_t gy__tc_heavy_degree(const struct tc *tc, uint64_t v)
{
    uint32_t d;

    return gy__tc_dmap_get(&tc->heavy, v, &d) ? d : 0;
}

int gy__tc_name(struct tc *tc, uint64_t v, uint32_t *vl)
{
    int rc = gy__tc_vmap_map(&tc->ids, v, vl);
    void *p = tc->adj;

    if (rc < 0)
        return rc == -ENOMEM ? gy__tc_oom(tc)
                             : gy_op_fail(tc->op, "more than %u vertices on one worker",
                                          TC_MAX_LOCAL);
    if (rc == 0)
        return 0;
    if (*vl >= tc->adj_cap && gy_grow(&p, &tc->adj_cap, (size_t)*vl + 1, sizeof(*tc->adj)) != 0)
        return gy__tc_oom(tc);
    tc->adj = p;
    memset(&tc->adj[*vl], 0, sizeof(tc->adj[*vl]));
    return 0;
}

/* ---- sending ---- */

static int flush(struct tc *tc)
{
    int rc;

    if (tc->nout == 0)
        return 0;
    rc = gy_op_give(tc->op, 0, tc->out_cap, tc->out, tc->nout);
    tc->nout = 0;
    return rc;
}

int gy__tc_send(struct tc *tc, struct tc_msg *m)
{
    m->from = (uint16_t)tc->me;
    if (gy__tc_owner(tc, m->key) == tc->me)
        return gy__tc_handle(tc, m);
    tc->out[tc->nout++] = *m;
    return tc->nout == TC_OUT_BATCH ? flush(tc) : 0;
}

int gy__tc_send_to(struct tc *tc, uint32_t w, struct tc_msg *m)
{
    m->key = tc->wkey[w];
    return gy__tc_send(tc, m);
}

/* ---- arrivals ---- */

static void on_part(struct tc *tc, const struct tc_msg *m)
{
    struct tc_totals *t = &tc->tot;

    switch (m->kind) {
    case TC_K_PART_TRI:
        t->new_t += m->a;
        t->removed += m->b;
        break;
    case TC_K_PART_MISC:
        t->vnew += m->a;
        t->bad += m->b;
        break;
    default:
        t->present += m->a;
        t->full = true;
        break;
    }
}

int gy__tc_handle(struct tc *tc, const struct tc_msg *m)
{
    switch (m->kind) {
    case TC_K_STAT:
        tc->cur.g_ins += m->a;
        tc->cur.g_del += m->b;
        tc->cur.g_full += m->c;
        return 0;
    case TC_K_DEG_FULL:
        return gy__tc_on_full_degree(tc, m);
    case TC_K_LIST:
        return gy__tc_on_list(tc, m);
    case TC_K_QUERY:
        return gy__tc_on_query(tc, m);
    case TC_K_HEAVY:
        return gy__tc_dmap_set(tc, &tc->heavy, m->a, m->c);
    case TC_K_BAD:
        gy__tc_bad_keep(&tc->cur.gbad, m->a, m->b, m->c);
        return 0;
    case TC_K_PART_TRI:
    case TC_K_PART_MISC:
    case TC_K_PART_ALL:
        on_part(tc, m);
        return 0;
    default:
        return gy_op_fail(tc->op, "unknown message kind %u", m->kind);
    }
}

/* ---- times with work: retained capabilities ---- */

static struct tc_pend *pend_find(struct tc *tc, const struct gy_time *t)
{
    for (size_t i = 0; i < tc->npend; i++)
        if (gy_time_eq(&tc->pend[i].cap.time, t))
            return &tc->pend[i];
    return NULL;
}

/* Makes sure a capability at t is held (retained from `from`). */
static int pend_add(struct tc *tc, const struct gy_cap *from, const struct gy_time *t)
{
    void *p = tc->pend;
    int rc;

    if (pend_find(tc, t))
        return 0;
    if (gy_grow(&p, &tc->cap_pend, tc->npend + 1, sizeof(*tc->pend)) != 0)
        return gy__tc_oom(tc);
    tc->pend = p;
    rc = gy_cap_retain(tc->op, from, t, &tc->pend[tc->npend].cap);
    if (rc != 0)
        return rc;
    tc->npend++;
    gy_op_activate(tc->op);
    return 0;
}

static size_t pend_min(const struct tc *tc)
{
    size_t k = 0;

    for (size_t i = 1; i < tc->npend; i++)
        if (gy_time_cmp(&tc->pend[i].cap.time, &tc->pend[k].cap.time) < 0)
            k = i;
    return k;
}

/* A stage may run once nothing at or before its time can arrive. Stage 0
 * also waits until nothing of an earlier epoch can arrive up to the last
 * epoch's report stage: then every worker has finished counting it (its
 * capabilities there would reach our input at the report stage) and its
 * last messages, heavy degrees included, are applied; only worker 0's
 * report may still be pending, and that touches no neighbour set. rstage
 * is that of the last epoch this worker decided: one it has not decided
 * yet still holds a capability or a message at stage 1 <= rstage, so the
 * test fails until it has. */
static bool ready(const struct tc *tc, const struct gy_time *t)
{
    struct gy_time prev = *t;

    if (!gy_op_frontier_passed(tc->op, t))
        return false;
    if (t->iter[0] != TC_INGEST || t->epoch == 0)
        return true;
    prev.epoch--;
    prev.iter[0] = tc->rstage;
    return gy_op_frontier_passed(tc->op, &prev);
}

/* ---- stage 0 input: edge records by epoch ---- */

static struct tc_ebuf *ebuf_get(struct tc *tc, uint64_t epoch, bool create)
{
    struct tc_ebuf *free_b = NULL;
    void *p = tc->eb;

    for (size_t i = 0; i < tc->neb; i++) {
        if (tc->eb[i].used && tc->eb[i].epoch == epoch)
            return &tc->eb[i];
        if (!tc->eb[i].used && !free_b)
            free_b = &tc->eb[i];
    }
    if (!create)
        return NULL;
    if (!free_b) {
        if (gy_grow(&p, &tc->cap_eb, tc->neb + 1, sizeof(*tc->eb)) != 0) {
            gy__tc_oom(tc);
            return NULL;
        }
        tc->eb = p;
        free_b = &tc->eb[tc->neb++];
        memset(free_b, 0, sizeof(*free_b));
    }
    free_b->used = true;
    free_b->epoch = epoch;
    free_b->n = 0;
    free_b->has_del = false;
    return free_b;
}

/* Appends the records of a batch; hi: this worker owns their larger
 * endpoint (self-loops come once, through the smaller). */
static int buffer_edges(struct tc *tc, uint64_t epoch, const struct gy_edge *e, uint32_t n,
                        bool hi)
{
    struct tc_ebuf *b = ebuf_get(tc, epoch, true);
    void *p;

    if (!b)
        return -ENOMEM;
    p = b->r;
    if (b->n + n > b->cap && gy_grow(&p, &b->cap, b->n + n, sizeof(*b->r)) != 0)
        return gy__tc_oom(tc);
    b->r = p;
    for (uint32_t i = 0; i < n; i++) {
        struct tc_rec *r;
        uint64_t lo = e[i].u < e[i].v ? e[i].u : e[i].v, big = e[i].u < e[i].v ? e[i].v : e[i].u;
        if (hi && lo == big)
            continue;
        r = &b->r[b->n++];
        r->x = hi ? big : lo;
        r->y = hi ? lo : big;
        r->line = e[i].line;
        r->del = e[i].sign < 0;
        r->swapped = e[i].u != r->x;
        r->hi = hi;
        r->pad = 0;
        b->has_del |= r->del;
    }
    return 0;
}

/* Ports: 0 edges at the owner of their smaller endpoint, 1 at the owner of
 * the larger, 2 the feedback. */
static void tc_on_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t n)
{
    struct tc *tc = state;
    const struct tc_msg *m = recs;

    (void)op;
    if (pend_add(tc, cap, &cap->time) != 0)
        return;
    if (port < 2) {
        (void)buffer_edges(tc, cap->time.epoch, recs, n, port == 1);
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        if (gy__tc_handle(tc, &m[i]) != 0)
            return;
}

/* ---- the stages ---- */

static int stage_ingest(struct tc *tc, uint64_t epoch)
{
    struct tc_ebuf *b = ebuf_get(tc, epoch, false);
    int rc;

    if (!b)
        return 0;
    rc = gy__tc_ingest(tc, b);
    b->used = false;
    if (b->cap * sizeof(*b->r) > (1u << 20)) {
        gy_free(b->r);
        b->r = NULL;
        b->cap = 0;
    }
    return rc;
}

/* Worker 0: the epoch's result. */
static int stage_report(struct tc *tc, const struct gy_cap *cap)
{
    struct tc_totals *t = &tc->tot;
    struct gy_graph_result r = {.epoch = cap->time.epoch};

    if (t->derive) /* counted without marks: the new ones are those beyond the old total */
        t->new_t = t->present - t->triangles;
    t->triangles += t->new_t;
    t->triangles -= t->removed;
    /* A full recount finds every triangle of the new graph; it must agree
     * with the running total. */
    assert(!t->full || t->present == t->triangles);
    t->vertices += t->vnew;
    t->bad_deletes += t->bad;
    r.vertices = t->vertices;
    r.edges = tc->edges;
    r.triangles = t->triangles;
    r.new_triangles = t->new_t;
    r.removed_triangles = t->removed;
    r.bad_deletes = t->bad_deletes;
    t->new_t = t->removed = t->present = t->vnew = t->bad = 0;
    t->full = t->derive = false;
    return gy_op_give(tc->op, 1, cap, &r, 1);
}

static int dispatch(struct tc *tc, const struct gy_cap *cap, uint32_t stage)
{
    int rc;

    if (stage == TC_INGEST)
        return stage_ingest(tc, cap->time.epoch);
    if (stage == TC_DECIDE)
        return gy__tc_decide(tc);
    if (stage == tc->rstage) /* elsewhere only heavy degrees arrive, applied already */
        return tc->me == 0 ? stage_report(tc, cap) : 0;
    if (stage == TC_ORIENT)
        return gy__tc_full_orient(tc);
    rc = gy__tc_full_count(tc);
    return rc ? rc : gy__tc_finish(tc);
}

static int run_stage(struct tc *tc, const struct gy_cap *cap)
{
    uint32_t stage = cap->time.iter[0];
    struct gy_time next = cap->time;
    int rc;

    tc->out_cap = cap;
    rc = dispatch(tc, cap, stage);
    if (rc == 0)
        rc = flush(tc);
    next.iter[0]++;
    /* The next stage runs everywhere, except the report: on worker 0 only. */
    if (rc == 0 && stage < tc->rstage && (stage + 1 < tc->rstage || tc->me == 0))
        rc = pend_add(tc, cap, &next);
    tc->out_cap = NULL;
    return rc;
}

static void tc_on_frontier(gy_op_t *op, void *state)
{
    struct tc *tc = state;

    while (tc->npend > 0) {
        size_t k = pend_min(tc);
        struct gy_cap cap = tc->pend[k].cap;

        if (!ready(tc, &cap.time))
            return;
        tc->pend[k] = tc->pend[--tc->npend];
        if (run_stage(tc, &cap) != 0)
            return;
        gy_cap_drop(op, &cap);
    }
}

/* ---- construction ---- */

static void tc_destroy(void *state)
{
    struct tc *tc = state;

    if (!tc)
        return;
    for (size_t i = 0; tc->adj && i < tc->ids.n; i++)
        gy__tc_adj_free(&tc->adj[i]);
    gy_free(tc->adj);
    gy__tc_vmap_free(&tc->ids);
    for (size_t i = 0; i < tc->neb; i++)
        gy_free(tc->eb[i].r);
    gy_free(tc->eb);
    gy_free(tc->pend);
    gy_free(tc->out);
    gy_free(tc->cur.log.p);
    gy_free(tc->cur.queries.p);
    for (uint32_t w = 0; tc->cur.recv && w < tc->peers; w++)
        gy_free(tc->cur.recv[w].p);
    gy_free(tc->cur.recv);
    gy__tc_full_free(tc);
    gy__tc_dmap_free(&tc->heavy);
    gy_free(tc->wkey);
    gy_free(tc->input_name);
    gy_free(tc);
}

/* wkey[w]: some key that gy_key_worker sends to worker w, so that a
 * message can be addressed to a worker rather than to a vertex. */
static int find_worker_keys(struct tc *tc)
{
    uint32_t found = 0;

    for (uint64_t k = 0; found < tc->peers && k < 64ULL * tc->peers + (1u << 16); k++) {
        uint32_t w = gy__tc_owner(tc, k);
        if (tc->wkey[w] == UINT64_MAX) {
            tc->wkey[w] = k;
            found++;
        }
    }
    return found == tc->peers ? 0 : -EINVAL;
}

static struct tc *tc_new(gy_worker_t *w, const struct gy_algo_opts *opts,
                         enum gy_tc_strategy strategy)
{
    const char *in = opts && opts->input_name ? opts->input_name : "input";
    struct tc *tc = gy_calloc(1, sizeof(*tc));

    if (!tc)
        return NULL;
    tc->me = gy_worker_index(w);
    tc->peers = gy_worker_peers(w);
    tc->strategy = strategy;
    tc->skip_bad = opts && opts->skip_bad_deletes;
    tc->rstage = TC_DREPORT;
    tc->wkey = gy_malloc(tc->peers * sizeof(*tc->wkey));
    tc->out = gy_malloc(TC_OUT_BATCH * sizeof(*tc->out));
    tc->input_name = gy_malloc(strlen(in) + 1);
    tc->cur.recv = gy_calloc(tc->peers, sizeof(*tc->cur.recv));
    if (!tc->wkey || !tc->out || !tc->input_name || !tc->cur.recv) {
        tc_destroy(tc);
        return NULL;
    }
    memcpy(tc->input_name, in, strlen(in) + 1);
    memset(tc->wkey, 0xff, tc->peers * sizeof(*tc->wkey));
    return tc;
}

static uint64_t lo_key(const void *rec, void *arg)
{
    const struct gy_edge *e = rec;

    (void)arg;
    return e->u < e->v ? e->u : e->v;
}

static uint64_t hi_key(const void *rec, void *arg)
{
    const struct gy_edge *e = rec;

    (void)arg;
    return e->u < e->v ? e->v : e->u;
}

static uint64_t msg_key(const void *rec, void *arg)
{
    (void)arg;
    return ((const struct tc_msg *)rec)->key;
}

/* The tc operator inside loop l, fed by the entered edges (twice: at both
 * endpoints' owners) and the feedback. */
static gy_stream_t *tc_build(gy_loop_t *l, gy_stream_t *edges, const char *name, struct tc *tc)
{
    gy_dataflow_t *df = gy_stream_dataflow(edges);
    static const size_t sizes[2] = {sizeof(struct tc_msg), sizeof(struct gy_graph_result)};
    struct gy_op_spec spec = {.name = name, .ninputs = 3, .noutputs = 2, .rec_sizes = sizes,
                              .scope = gy_loop_scope(l),
                              .cb = {.on_input = tc_on_input, .on_frontier = tc_on_frontier,
                                     .destroy = tc_destroy},
                              .state = tc};
    gy_stream_t *back = NULL;
    gy_feedback_t *fb = gy_loop_feedback(l, sizeof(struct tc_msg), 1, &back);
    gy_stream_t *in = fb ? gy_loop_enter(l, edges) : NULL;
    gy_op_t *op;

    if (!in) {
        tc_destroy(tc);
        return NULL;
    }
    op = gy_op_new(df, &spec);
    if (!op)
        return NULL;
    tc->op = op;
    gy_op_connect(op, 0, in, gy_pact_exchange(lo_key, NULL));
    gy_op_connect(op, 1, in, gy_pact_exchange(hi_key, NULL));
    gy_op_connect(op, 2, back, gy_pact_exchange(msg_key, NULL));
    gy_feedback_connect(fb, gy_op_output(op, 0));
    return gy_loop_leave(l, gy_op_output(op, 1));
}

gy_stream_t *gy_tc_with(gy_stream_t *edges, const struct gy_algo_opts *opts,
                        enum gy_tc_strategy strategy)
{
    const char *name = opts && opts->name ? opts->name : "tc";
    gy_dataflow_t *df;
    gy_worker_t *w;
    struct tc *tc;
    gy_loop_t *l;

    if (!edges)
        return NULL;
    df = gy_stream_dataflow(edges);
    w = gy_dataflow_worker(df);
    if (gy_stream_rec_size(edges) != sizeof(struct gy_edge) || gy_stream_scope(edges) != 0) {
        gy_worker_fail(w, "operator '%s': needs a root-scope stream of edge records", name);
        return NULL;
    }
    if (gy_worker_peers(w) > UINT16_MAX) {
        gy_worker_fail(w, "operator '%s': at most %u workers", name, UINT16_MAX);
        return NULL;
    }
    tc = tc_new(w, opts, strategy);
    if (!tc) {
        gy_worker_fail(w, "operator '%s': out of memory", name);
        return NULL;
    }
    if (find_worker_keys(tc) != 0) {
        tc_destroy(tc);
        gy_worker_fail(w, "operator '%s': no routing key found for every worker", name);
        return NULL;
    }
    l = gy_loop_new(df, 0, name);
    if (!l) {
        tc_destroy(tc);
        return NULL;
    }
    return tc_build(l, edges, name, tc);
}

gy_stream_t *gy_tc(gy_stream_t *edges, const struct gy_algo_opts *opts)
{
    return gy_tc_with(edges, opts, GY_TC_AUTO);
}
