/*
 * cc.local (cc_internal.h): one worker's share of the edges, chosen by
 * canonical pair, so every copy of an edge, and every delete of it, meets
 * on one worker and its multiplicity is exact there.
 *
 * Per epoch, once the input frontier has passed it:
 *  - if the epoch deletes anything here, its updates are sorted by (pair,
 *    line), so each edge sees its inserts and deletes in input order (only
 *    the order per edge matters: other edges' updates commute);
 *  - an insert that makes an edge present unites its ends in the local
 *    union-find; if they were apart the edge becomes a forest link (TREE),
 *    otherwise it closed a cycle here and nothing further happens to it:
 *    that is the filter that keeps the global work far below the edge count;
 *  - a delete that removes the last copy of a forest link marks the forest
 *    stale; the epoch then ends with a rebuild: the union-find restarts
 *    from the surviving links (still a forest) and every other present edge
 *    is tried as a replacement link. That costs O(vertices + edges) of this
 *    worker, but only in epochs that delete a forest link; deletes of
 *    non-forest edges (most of them in a dense graph) cost O(1);
 *  - it sends worker 0 the forest's change (links gone, then links new),
 *    the vertices first seen here that no link names, and its counters.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/cc_internal.h"
#include "progress/alloc.h"

/* How many updates ahead the apply loop prefetches (direct cells), and
 * half as many for edge slots: enough to cover a DRAM miss per update. */
#define AHEAD 32u

/* One epoch's outcome, reset per epoch. */
struct epoch_acc {
    int64_t distinct;          /* change of distinct edges present */
    uint64_t skipped;          /* bad deletes skipped */
    bool inserts_only;         /* the epoch deletes nothing here */
    bool rebuild;              /* a forest link was deleted: the forest is stale */
    bool bad;                  /* first_bad holds a bad delete (skip off) */
    struct gy__cc_msg first_bad;
};

struct local {
    gy_op_t *op;
    struct gy_cap cap;            /* at the smallest epoch that can still arrive */
    struct gy__cc_conf conf;
    struct gy__cc_pending pend;   /* struct gy__cc_upd per open epoch */
    struct gy__cc_vmap vmap;
    struct gy_uf uf;
    struct gy__cc_etab et;
    struct epoch_acc acc;
    uint64_t *tree_new;           /* keys flagged TREE_NEW this epoch (may repeat) */
    size_t ntree_new, cap_tree_new;
    uint32_t *new_verts;          /* dense ids first seen this epoch */
    size_t nnew, cap_new;
    struct gy__cc_msg *out;       /* this epoch's messages */
    size_t nout, cap_out;
};

static int push_u64(uint64_t **v, size_t *n, size_t *cap, uint64_t x)
{
    void *p = *v;

    if (*n == *cap && gy_grow(&p, cap, *n + 1, sizeof(**v)) != 0)
        return -ENOMEM;
    *v = p;
    (*v)[(*n)++] = x;
    return 0;
}

static int push_u32(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
    void *p = *v;

    if (*n == *cap && gy_grow(&p, cap, *n + 1, sizeof(**v)) != 0)
        return -ENOMEM;
    *v = p;
    (*v)[(*n)++] = x;
    return 0;
}

static int send_msg(struct local *L, const struct gy__cc_msg *m)
{
    void *p = L->out;

    if (L->nout == L->cap_out && gy_grow(&p, &L->cap_out, L->nout + 1, sizeof(*L->out)) != 0)
        return -ENOMEM;
    L->out = p;
    L->out[L->nout++] = *m;
    return 0;
}

static int send(struct local *L, enum gy__cc_msg_kind kind, uint64_t a, uint64_t b, int64_t n)
{
    struct gy__cc_msg m = {.a = a, .b = b, .n = n, .kind = kind};

    return send_msg(L, &m);
}

/* The dense id of orig, mapping it (and adding a singleton) if new. */
static int name(struct local *L, uint64_t orig, uint32_t *d)
{
    int rc = gy__cc_vmap_map(&L->vmap, orig, d);

    if (GY_LIKELY(rc == 0))
        return 0;
    if (rc < 0)
        return rc;
    if (gy_uf_grow(&L->uf, L->vmap.n) != 0)
        return -ENOMEM;
    return push_u32(&L->new_verts, &L->nnew, &L->cap_new, *d);
}

/* {a, b} (original ids, a < b) in slot s becomes a forest link. In an
 * epoch without deletes it can never be withdrawn again before the epoch
 * ends, so it is sent at once; otherwise collect() sends what survives. */
static int make_link(struct local *L, uint64_t *s, uint64_t a, uint64_t b)
{
    if (L->acc.inserts_only) {
        *s |= GY__CC_TREE;
        return send(L, GY__CC_MSG_LINK_ADD, a, b, 0);
    }
    *s |= GY__CC_TREE | GY__CC_TREE_NEW;
    return push_u64(&L->tree_new, &L->ntree_new, &L->cap_tree_new, *s & GY__CC_KEY_MASK);
}

static int apply_insert(struct local *L, const struct gy__cc_upd *u)
{
    uint32_t da, db;
    uint64_t *s;
    bool fresh;
    int rc = name(L, u->a, &da);

    if (rc != 0 || u->a == u->b) /* a self-loop only names its vertex */
        return rc;
    if ((rc = name(L, u->b, &db)) != 0)
        return rc;
    s = gy__cc_etab_upsert(&L->et, gy__cc_pair_key(da, db), &fresh);
    if (!fresh)
        return gy__cc_etab_add_copy(&L->et, s);
    L->acc.distinct++;
    if (!L->acc.rebuild && gy_uf_union(&L->uf, da, db) != GY_UF_NONE)
        return make_link(L, s, u->a, u->b);
    return 0;
}

static void bad_delete(struct local *L, const struct gy__cc_upd *u)
{
    bool swap = u->flags & GY__CC_UPD_SWAP;

    if (L->conf.skip_bad_deletes) {
        L->acc.skipped++;
        return;
    }
    if (L->acc.bad && L->acc.first_bad.line <= u->line)
        return;
    L->acc.bad = true;
    L->acc.first_bad = (struct gy__cc_msg){.a = swap ? u->b : u->a, .b = swap ? u->a : u->b,
                                           .kind = GY__CC_MSG_BAD, .line = u->line};
}

static int apply_delete(struct local *L, const struct gy__cc_upd *u)
{
    uint32_t da, db;
    uint64_t *s = NULL;
    int rc = 0;

    if (u->a == u->b) /* a self-loop names its vertex; there is no edge to delete */
        return name(L, u->a, &da);
    if (gy__cc_vmap_find(&L->vmap, u->a, &da) && gy__cc_vmap_find(&L->vmap, u->b, &db))
        s = gy__cc_etab_find(&L->et, gy__cc_pair_key(da, db));
    if (!s) {
        bad_delete(L, u);
        return 0;
    }
    if (gy__cc_etab_drop_copy(&L->et, s) > 0)
        return 0;
    L->acc.distinct--;
    if (*s & GY__CC_TREE) {
        /* A link sent in an earlier epoch must be withdrawn; one made this
         * epoch was never sent, and its tree_new entry now finds no slot. */
        if (!(*s & GY__CC_TREE_NEW))
            rc = send(L, GY__CC_MSG_LINK_DEL, u->a, u->b, 0);
        L->acc.rebuild = true;
    }
    gy__cc_etab_remove(&L->et, s);
    return rc;
}

static int cmp_upd(const void *x, const void *y)
{
    const struct gy__cc_upd *p = x, *q = y;

    if (p->a != q->a)
        return p->a < q->a ? -1 : 1;
    if (p->b != q->b)
        return p->b < q->b ? -1 : 1;
    if (p->line != q->line)
        return p->line < q->line ? -1 : 1;
    /* Same line (unknown lines are 0): inserts first. */
    return (int)(p->flags & GY__CC_UPD_DEL) - (int)(q->flags & GY__CC_UPD_DEL);
}

/* Prefetches what the update `ahead` places on will touch: its ids' direct
 * cells first, then (ahead / 2 on) its edge slot and union-find nodes, so
 * the cache misses of many updates overlap. Ids off the direct table are
 * left to the slow path. Always inlined: as a function of its own GCC
 * finds it free of side effects and deletes the calls. */
static inline __attribute__((always_inline)) void prefetch(const struct local *L,
                                                           const struct gy__cc_upd *u, bool cells)
{
    const struct gy__cc_vmap *m = &L->vmap;
    uint32_t da, db;

    if (u->a >= m->dcap || u->b >= m->dcap)
        return;
    if (cells) {
        __builtin_prefetch(&m->direct[u->a]);
        __builtin_prefetch(&m->direct[u->b]);
        return;
    }
    da = m->direct[u->a];
    db = m->direct[u->b];
    if (da == 0 || db == 0 || u->a == u->b)
        return;
    __builtin_prefetch(gy__cc_etab_home(&L->et, gy__cc_pair_key(da - 1, db - 1)));
    __builtin_prefetch(&L->uf.node[da - 1]);
    __builtin_prefetch(&L->uf.node[db - 1]);
}

/* Applies the epoch's updates in order (sorted first if any deletes). */
static int apply(struct local *L, struct gy__cc_upd *u, size_t n)
{
    size_t inserts = 0;
    int rc = 0;

    for (size_t i = 0; i < n; i++)
        inserts += !(u[i].flags & GY__CC_UPD_DEL);
    L->acc.inserts_only = inserts == n;
    if (inserts < n)
        qsort(u, n, sizeof(*u), cmp_upd);
    /* Room for every insert to be a new edge: no rehash inside the loop. */
    if (gy__cc_etab_reserve(&L->et, inserts) != 0)
        return -ENOMEM;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i + AHEAD < n)
            prefetch(L, &u[i + AHEAD], true);
        if (i + AHEAD / 2 < n)
            prefetch(L, &u[i + AHEAD / 2], false);
        rc = (u[i].flags & GY__CC_UPD_DEL) ? apply_delete(L, &u[i]) : apply_insert(L, &u[i]);
    }
    return rc;
}

/* The forest lost a link: start over from the surviving links, then let
 * every other present edge replace what was lost. */
static int rebuild(struct local *L)
{
    struct gy__cc_etab *t = &L->et;
    int rc = 0;

    gy_uf_reset(&L->uf);
    for (size_t i = 0; i < t->cap; i++)
        if (t->slot[i] & GY__CC_TREE) {
            uint32_t r = gy_uf_union(&L->uf, gy__cc_key_a(t->slot[i]), gy__cc_key_b(t->slot[i]));
            assert(r != GY_UF_NONE); /* the surviving links are a forest */
            (void)r;
        }
    for (size_t i = 0; i < t->cap && rc == 0; i++) {
        uint32_t da = gy__cc_key_a(t->slot[i]), db = gy__cc_key_b(t->slot[i]);
        if (t->slot[i] == 0 || (t->slot[i] & GY__CC_TREE))
            continue;
        if (gy_uf_union(&L->uf, da, db) != GY_UF_NONE)
            rc = make_link(L, &t->slot[i], L->vmap.orig[da], L->vmap.orig[db]);
    }
    return rc;
}

/* The epoch's new links, then its unlinked new vertices, then its counters. */
static int collect(struct local *L)
{
    const uint64_t *orig = L->vmap.orig;
    int rc = 0;

    for (size_t i = 0; i < L->ntree_new && rc == 0; i++) {
        uint64_t *s = gy__cc_etab_find(&L->et, L->tree_new[i]);
        if (!s || !(*s & GY__CC_TREE_NEW))
            continue; /* deleted again, or sent already (a repeated key) */
        *s &= ~GY__CC_TREE_NEW;
        rc = send(L, GY__CC_MSG_LINK_ADD, orig[gy__cc_key_a(*s)], orig[gy__cc_key_b(*s)], 0);
    }
    for (size_t i = 0; i < L->nnew && rc == 0; i++) {
        uint32_t v = L->new_verts[i];
        if (gy_uf_root_size(&L->uf, gy_uf_find(&L->uf, v)) == 1)
            rc = send(L, GY__CC_MSG_VERTEX, orig[v], 0, 0);
    }
    if (rc == 0)
        rc = send(L, GY__CC_MSG_STATS, L->acc.skipped, 0, L->acc.distinct);
    if (rc == 0 && L->acc.bad)
        rc = send_msg(L, &L->acc.first_bad);
    return rc;
}

static int fail(struct local *L, int rc)
{
    if (rc == -EOVERFLOW)
        return gy_op_fail(L->op, "more than %u vertices", GY__CC_MAX_IDS);
    return gy_op_fail(L->op, "out of memory");
}

/* Finishes one complete epoch and sends its messages at that epoch. */
static int finish_epoch(struct local *L, struct gy__cc_ebuf *b)
{
    int rc;

    memset(&L->acc, 0, sizeof(L->acc));
    L->ntree_new = L->nnew = L->nout = 0;
    if (gy__cc_cap_follow(L->op, &L->cap, b->epoch) != 0)
        return -ECANCELED;
    rc = apply(L, b->recs, b->len);
    if (rc == 0 && L->acc.rebuild)
        rc = rebuild(L);
    if (rc == 0)
        rc = collect(L);
    if (rc != 0)
        return fail(L, rc);
    return gy_op_give(L->op, 0, &L->cap, L->out, (uint32_t)L->nout);
}

static void local_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t n)
{
    struct local *L = state;
    const struct gy_edge *e = recs;
    struct gy__cc_upd *u = gy__cc_pending_reserve(&L->pend, cap->time.epoch, n);

    (void)port;
    if (!u) {
        gy_op_fail(op, "out of memory buffering epoch %llu",
                   (unsigned long long)cap->time.epoch);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        bool swap = e[i].u > e[i].v;
        u[i] = (struct gy__cc_upd){
            .a = swap ? e[i].v : e[i].u, .b = swap ? e[i].u : e[i].v, .line = e[i].line,
            .flags = (e[i].sign < 0 ? GY__CC_UPD_DEL : 0) | (swap ? GY__CC_UPD_SWAP : 0)};
    }
}

static void local_frontier(gy_op_t *op, void *state)
{
    struct local *L = state;
    uint64_t f = gy__cc_frontier_epoch(op);
    struct gy__cc_ebuf *b;

    while ((b = gy__cc_pending_first(&L->pend, f)) != NULL) {
        if (finish_epoch(L, b) != 0)
            return;
        gy__cc_pending_pop(&L->pend);
    }
    if (gy__cc_cap_follow(op, &L->cap, f) != 0)
        return;
}

static void local_free(void *state)
{
    struct local *L = state;

    gy__cc_conf_destroy(&L->conf);
    gy__cc_pending_destroy(&L->pend);
    gy__cc_vmap_destroy(&L->vmap);
    gy_uf_destroy(&L->uf);
    gy__cc_etab_destroy(&L->et);
    gy_free(L->tree_new);
    gy_free(L->new_verts);
    gy_free(L->out);
    gy_free(L);
}

/* The exchange key of an edge: its canonical pair, mixed. */
static uint64_t pair_key(const void *rec, void *arg)
{
    const struct gy_edge *e = rec;
    uint64_t a = e->u < e->v ? e->u : e->v, b = e->u < e->v ? e->v : e->u;

    (void)arg;
    return gy__cc_mix(a) ^ b;
}

gy_stream_t *gy__cc_local(gy_stream_t *edges, const char *name, const struct gy_algo_opts *opts)
{
    gy_dataflow_t *df = gy_stream_dataflow(edges);
    struct local *L = gy_calloc(1, sizeof(*L));
    struct gy_op_spec spec = {
        .name = name, .ninputs = 1, .noutputs = 1,
        .rec_sizes = (const size_t[]){sizeof(struct gy__cc_msg)},
        .cb = {.on_input = local_input, .on_frontier = local_frontier, .destroy = local_free},
        .state = L,
    };
    struct gy_time t0 = gy_time_epoch(0);

    if (!L || gy__cc_conf_init(&L->conf, opts) != 0) {
        gy_free(L);
        gy_worker_fail(gy_dataflow_worker(df), "operator '%s': out of memory", name);
        return NULL;
    }
    gy__cc_pending_init(&L->pend, sizeof(struct gy__cc_upd));
    gy__cc_vmap_init(&L->vmap);
    gy_uf_init(&L->uf);
    gy__cc_etab_init(&L->et);
    L->op = gy_op_new(df, &spec);
    if (!L->op || gy_op_initial_cap(L->op, &t0, &L->cap) != 0)
        return NULL;
    gy_op_connect(L->op, 0, edges, gy_pact_exchange(pair_key, NULL));
    return gy_op_output(L->op, 0);
}
