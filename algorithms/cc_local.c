/*
 * cc.local (cc_internal.h): one worker's share of the edges, chosen by
 * canonical pair, so every copy of an edge, and every delete of it, meets
 * on one worker and its multiplicity is exact there.
 *
 * Per epoch, once the input frontier has passed it:
 *  - while no delete has ever reached this worker (an insert-only stream,
 *    or its insert-only prefix), the edges live in sorted runs instead of
 *    the edge table (cc_runs.c): the epoch's pairs are radix-sorted and
 *    counted, looked up in the runs in one ordered pass each, and only the
 *    new ones reach the union-find, in pair order; the first epoch with a
 *    delete moves the runs into the edge table (forest links flagged) and
 *    the table serves from then on, as below;
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
    /* The edges: sorted runs until the first delete here, then (counted)
     * the edge table for good. */
    bool counted;
    struct gy__cc_runs runs;      /* while !counted */
    uint64_t *keys[2];            /* while !counted: an epoch's pair words, and scratch */
    size_t cap_keys;
    uint64_t *links;              /* while !counted: the forest links (edge-table keys) */
    size_t nlinks, cap_links;
    struct gy__cc_etab et;        /* once counted */
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

/* name() for an id the direct table does not know yet. */
static GY_NOINLINE int name_slow(struct local *L, uint64_t orig, uint32_t *d)
{
    int rc = gy__cc_vmap_map_slow(&L->vmap, orig, d);

    if (rc <= 0)
        return rc;
    if (gy_uf_grow(&L->uf, L->vmap.n) != 0)
        return -ENOMEM;
    return push_u32(&L->new_verts, &L->nnew, &L->cap_new, *d);
}

/* The dense id of orig, mapping it (and adding a singleton) if new. */
static inline int name(struct local *L, uint64_t orig, uint32_t *d)
{
    const struct gy__cc_vmap *m = &L->vmap;

    if (GY_LIKELY(orig < m->dcap && m->direct[orig] != 0)) {
        *d = m->direct[orig] - 1;
        return 0;
    }
    return name_slow(L, orig, d);
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

/* ---- insert-only: the sorted runs ---- */

/* Bits of the largest dense id below n (at least 1). */
static unsigned id_bits(uint32_t n)
{
    return n <= 2 ? 1 : 32u - (unsigned)__builtin_clz(n - 1);
}

/* Room for n pair words in both key buffers (their contents are scratch).
 * A worker's share of equal epochs varies by a fraction of a percent, so
 * the buffers get a quarter more than asked: replaced at the exact size,
 * they were replaced every other epoch, each time faulting in fresh pages. */
static int keys_room(struct local *L, size_t n)
{
    size_t cap = n + n / 4;

    if (n <= L->cap_keys)
        return 0;
    gy_free(L->keys[0]);
    gy_free(L->keys[1]);
    L->keys[0] = gy_malloc(cap * sizeof(uint64_t));
    L->keys[1] = gy_malloc(cap * sizeof(uint64_t));
    L->cap_keys = L->keys[0] && L->keys[1] ? cap : 0;
    return L->cap_keys ? 0 : -ENOMEM;
}

/* Names the epoch's vertices and writes its pairs' words to keys[0]; *m
 * gets how many (self-loops have none). */
static int pair_words(struct local *L, const struct gy__cc_upd *u, size_t n, size_t *m)
{
    uint64_t *w = L->keys[0];
    size_t k = 0;
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++) {
        uint32_t da, db;
        if (i + AHEAD < n)
            prefetch(L, &u[i + AHEAD], true);
        rc = name(L, u[i].a, &da);
        if (rc == 0 && u[i].a != u[i].b && (rc = name(L, u[i].b, &db)) == 0)
            w[k++] = gy__cc_run_word(da, db);
    }
    *m = k;
    return rc;
}

/* Sends links[from ..] as LINK_ADD. A link's second end is a random dense
 * id, so the original ids are prefetched a few links ahead: sent from
 * inside the union loop, the loads from orig[] stalled it on cache misses
 * (a sixth of the operator's time at W=1, a quarter at W=2). */
static int send_links_from(struct local *L, size_t from)
{
    const uint64_t *orig = L->vmap.orig, *k = L->links;
    const size_t n = L->nlinks;
    int rc = 0;

    for (size_t i = from; i < n && rc == 0; i++) {
        if (i + AHEAD / 2 < n) {
            __builtin_prefetch(&orig[gy__cc_key_a(k[i + AHEAD / 2])]);
            __builtin_prefetch(&orig[gy__cc_key_b(k[i + AHEAD / 2])]);
        }
        rc = send(L, GY__CC_MSG_LINK_ADD, orig[gy__cc_key_a(k[i])], orig[gy__cc_key_b(k[i])], 0);
    }
    return rc;
}

/* The epoch's new edges f[0 .. n), sorted by pair: each that joins two
 * trees becomes a forest link, sent (nothing can withdraw it). */
static int unite_new(struct local *L, const uint64_t *f, size_t n)
{
    const size_t from = L->nlinks;
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++) {
        uint32_t da = gy__cc_run_a(f[i]), db = gy__cc_run_b(f[i]);
        /* da repeats (f is sorted): only db's node is a likely miss. */
        if (i + AHEAD < n)
            __builtin_prefetch(&L->uf.node[gy__cc_run_b(f[i + AHEAD])]);
        if (gy_uf_union(&L->uf, da, db) != GY_UF_NONE)
            rc = push_u64(&L->links, &L->nlinks, &L->cap_links, gy__cc_pair_key(da, db));
    }
    return rc == 0 ? send_links_from(L, from) : rc;
}

/* An insert-only epoch while no delete was ever seen here: sort its pairs,
 * count copies, find the new ones against the runs, unite those, then
 * merge the epoch into the runs. */
static int apply_sorted(struct local *L, const struct gy__cc_upd *u, size_t n)
{
    uint64_t *w;
    size_t m;
    int rc;

    if (keys_room(L, n) != 0)
        return -ENOMEM;
    if ((rc = pair_words(L, u, n, &m)) != 0)
        return rc;
    w = gy__cc_runs_sort(&L->runs, L->keys[0], L->keys[1], m, id_bits(L->vmap.n));
    if (!w || gy__cc_runs_count(&L->runs, w, m, &m) != 0 ||
        gy__cc_runs_fresh(&L->runs, w, &m) != 0)
        return -ENOMEM;
    L->acc.distinct += (int64_t)m;
    if ((rc = unite_new(L, w, m)) != 0)
        return rc;
    return gy__cc_runs_add(&L->runs, w, m);
}

/* The first delete here: the runs become the edge table, with the links
 * flagged TREE, and the table serves from now on. */
static int to_counted(struct local *L)
{
    if (gy__cc_runs_to_etab(&L->runs, &L->et) != 0)
        return -ENOMEM;
    for (size_t i = 0; i < L->nlinks; i++) {
        uint64_t *s = gy__cc_etab_find(&L->et, L->links[i]);
        assert(s != NULL); /* a link is an edge present */
        if (s)
            *s |= GY__CC_TREE;
    }
    gy_free(L->links);
    gy_free(L->keys[0]);
    gy_free(L->keys[1]);
    L->links = L->keys[0] = L->keys[1] = NULL;
    L->nlinks = L->cap_links = L->cap_keys = 0;
    L->counted = true;
    return 0;
}

/* Applies the epoch's updates (dels of them deletes) in order, sorted
 * first if any deletes. */
static int apply(struct local *L, struct gy__cc_upd *u, size_t n, size_t dels)
{
    size_t inserts = n - dels;
    int rc = 0;

    L->acc.inserts_only = dels == 0;
    if (!L->counted && dels == 0)
        return apply_sorted(L, u, n);
    if (!L->counted && to_counted(L) != 0)
        return -ENOMEM;
    if (dels > 0)
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
    rc = apply(L, b->recs, b->len, b->marks);
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
    struct gy__cc_ebuf *b;
    struct gy__cc_upd *u = gy__cc_pending_reserve(&L->pend, cap->time.epoch, n, &b);

    (void)port;
    if (!u) {
        gy_op_fail(op, "out of memory buffering epoch %llu",
                   (unsigned long long)cap->time.epoch);
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        bool swap = e[i].u > e[i].v, del = e[i].sign < 0;
        u[i] = (struct gy__cc_upd){
            .a = swap ? e[i].v : e[i].u, .b = swap ? e[i].u : e[i].v, .line = e[i].line,
            .flags = (del ? GY__CC_UPD_DEL : 0) | (swap ? GY__CC_UPD_SWAP : 0)};
        b->marks += del;
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
    gy__cc_runs_destroy(&L->runs);
    gy_free(L->keys[0]);
    gy_free(L->keys[1]);
    gy_free(L->links);
    gy_free(L->tree_new);
    gy_free(L->new_verts);
    gy_free(L->out);
    gy_free(L);
}

/* The exchange key of an edge: its canonical pair, folded into one word
 * (one-to-one while ids fit in 32 bits). Not mixed: the exchange mixes
 * every key before it picks a worker, and a mixer here doubled the
 * multiplies per record. */
static uint64_t pair_key(const void *rec, void *arg)
{
    const struct gy_edge *e = rec;
    uint64_t a = e->u < e->v ? e->u : e->v, b = e->u < e->v ? e->v : e->u;

    (void)arg;
    return a ^ (b << 32 | b >> 32);
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
    gy__cc_runs_init(&L->runs);
    L->op = gy_op_new(df, &spec);
    if (!L->op || gy_op_initial_cap(L->op, &t0, &L->cap) != 0)
        return NULL;
    gy_op_connect(L->op, 0, edges, gy_pact_exchange(pair_key, NULL));
    return gy_op_output(L->op, 0);
}
