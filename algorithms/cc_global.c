/*
 * cc (cc_internal.h): the results operator. Every cc.local sends it their
 * forest changes at worker 0, which keeps the union of all local forests
 * (the links, a set: each edge belongs to one worker), a union-find and a
 * spanning forest over the links, and the counts:
 *
 *   vertices   = ids named so far (the global vertex map's size)
 *   edges      = the sum of the workers' changes of distinct edges
 *   components = vertices - successful unions
 *   largest    = the largest set, from the sizes kept at the roots
 *
 * The union of spanning forests of the parts of an edge set spans what the
 * whole set spans, so the links connect exactly what the edges connect.
 * Per epoch it applies the withdrawn links first (a worker may withdraw a
 * link and send it again in one epoch), then the new ones. A new link
 * costs a union and an append to a log; the first withdrawal ever moves
 * the log into a hash table, which later ones look up (O(1)). A withdrawn
 * forest link makes it rebuild from the links, O(vertices + links), where
 * links <= workers * vertices. Other workers run the same operator and
 * receive nothing.
 */
#include <errno.h>
#include <string.h>

#include "algorithms/cc_internal.h"
#include "progress/alloc.h"

/* Prefetch distance of the link loop (as cc.local's). */
#define AHEAD 32u

struct global {
    gy_op_t *op;
    struct gy_cap cap;            /* at the smallest epoch that can still arrive */
    struct gy__cc_conf conf;
    struct gy__cc_pending pend;   /* struct gy__cc_msg per open epoch */
    struct gy__cc_vmap vmap;
    struct gy_uf uf;
    /* The union of the workers' forests: appended to a log while no link
     * was ever withdrawn (an insert-only stream never pays for hashing),
     * then in a hash table, which withdrawals and rebuilds need. */
    uint64_t *log;                /* [nlog] edge-table words while !indexed */
    size_t nlog, cap_log;
    bool indexed;
    struct gy__cc_etab links;     /* while indexed */
    struct gy_graph_result res;   /* the counts so far (epoch: the last emitted) */
    bool rebuild;                 /* this epoch withdrew a forest link */
    bool finished;                /* the input ended (labels written) */
    uint64_t key0;                /* an exchange key that worker 0 owns */
};

static int vertex(struct global *G, uint64_t orig, uint32_t *d)
{
    int rc = gy__cc_vmap_map(&G->vmap, orig, d);

    if (rc <= 0)
        return rc;
    if (gy_uf_grow(&G->uf, G->vmap.n) != 0)
        return -ENOMEM;
    G->res.components++;
    if (G->res.largest == 0)
        G->res.largest = 1;
    return 0;
}

static int link_key(struct global *G, const struct gy__cc_msg *m, uint64_t *key)
{
    uint32_t da, db;
    int rc = vertex(G, m->a, &da);

    if (rc == 0)
        rc = vertex(G, m->b, &db);
    if (rc == 0)
        *key = gy__cc_pair_key(da, db);
    return rc;
}

/* Where a new link goes: the table once indexed, else the end of the log;
 * *fresh is false for a key the table had already. NULL on ENOMEM. */
static uint64_t *link_slot(struct global *G, uint64_t key, bool *fresh)
{
    void *p = G->log;

    if (G->indexed)
        return gy__cc_etab_upsert(&G->links, key, fresh);
    if (G->nlog == G->cap_log && gy_grow(&p, &G->cap_log, G->nlog + 1, sizeof(*G->log)) != 0)
        return NULL;
    G->log = p;
    G->log[G->nlog] = key;
    *fresh = true;
    return &G->log[G->nlog++];
}

static int link_add(struct global *G, const struct gy__cc_msg *m)
{
    uint64_t key, *s;
    uint32_t r;
    bool fresh;
    int rc = link_key(G, m, &key);

    if (rc != 0)
        return rc;
    if (!(s = link_slot(G, key, &fresh)))
        return -ENOMEM;
    if (!fresh)
        return -EPROTO; /* a link twice: a bug in cc.local */
    if (G->rebuild || (r = gy_uf_union(&G->uf, gy__cc_key_a(key), gy__cc_key_b(key))) == GY_UF_NONE)
        return 0;
    *s |= GY__CC_TREE;
    G->res.components--;
    if (gy_uf_root_size(&G->uf, r) > G->res.largest)
        G->res.largest = gy_uf_root_size(&G->uf, r);
    return 0;
}

/* The first withdrawal: move the log into the hash table, for good. */
static int index_links(struct global *G)
{
    bool fresh;

    if (gy__cc_etab_reserve(&G->links, G->nlog) != 0)
        return -ENOMEM;
    for (size_t i = 0; i < G->nlog; i++) {
        uint64_t *s = gy__cc_etab_upsert(&G->links, G->log[i] & GY__CC_KEY_MASK, &fresh);
        if (!fresh)
            return -EPROTO; /* a link twice: a bug in cc.local */
        *s = G->log[i];
    }
    gy_free(G->log);
    G->log = NULL;
    G->nlog = G->cap_log = 0;
    G->indexed = true;
    return 0;
}

static int link_del(struct global *G, const struct gy__cc_msg *m)
{
    uint32_t da, db;
    uint64_t *s = NULL;

    if (!G->indexed && index_links(G) != 0)
        return -ENOMEM;
    if (gy__cc_vmap_find(&G->vmap, m->a, &da) && gy__cc_vmap_find(&G->vmap, m->b, &db))
        s = gy__cc_etab_find(&G->links, gy__cc_pair_key(da, db));
    if (!s)
        return -EPROTO; /* withdrawing a link never sent: a bug in cc.local */
    if (*s & GY__CC_TREE)
        G->rebuild = true;
    gy__cc_etab_remove(&G->links, s);
    return 0;
}

/* Starts the union-find over from the surviving forest links, then lets the
 * other links replace what was withdrawn; recounts components and largest. */
static void rebuild(struct global *G)
{
    struct gy__cc_etab *t = &G->links;
    uint64_t comps = G->uf.n, largest = G->uf.n > 0;

    gy_uf_reset(&G->uf);
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < t->cap; i++) {
            uint64_t *s = &t->slot[i];
            uint32_t r;
            if (*s == 0 || (pass == 0) != ((*s & GY__CC_TREE) != 0))
                continue;
            r = gy_uf_union(&G->uf, gy__cc_key_a(*s), gy__cc_key_b(*s));
            *s = r != GY_UF_NONE ? *s | GY__CC_TREE : *s & ~GY__CC_TREE;
            comps -= r != GY_UF_NONE;
            if (r != GY_UF_NONE && gy_uf_root_size(&G->uf, r) > largest)
                largest = gy_uf_root_size(&G->uf, r);
        }
    G->res.components = comps;
    G->res.largest = largest;
    G->rebuild = false;
}

/* Counters, vertices and the earliest bad delete (if any) of one epoch. */
static int scan_counts(struct global *G, const struct gy__cc_msg *m, size_t n,
                       const struct gy__cc_msg **bad)
{
    int rc = 0;
    uint32_t d;

    *bad = NULL;
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (m[i].kind == GY__CC_MSG_STATS) {
            G->res.edges += (uint64_t)m[i].n;
            G->res.bad_deletes += m[i].a;
        } else if (m[i].kind == GY__CC_MSG_VERTEX) {
            rc = vertex(G, m[i].a, &d);
        } else if (m[i].kind == GY__CC_MSG_BAD && (!*bad || m[i].line < (*bad)->line)) {
            *bad = &m[i];
        }
    }
    return rc;
}

/* Prefetches what the message `ahead` places on will touch (see cc.local's
 * prefetch: the same two stages, and always inlined for the same reason). */
static inline __attribute__((always_inline)) void prefetch(const struct global *G,
                                                           const struct gy__cc_msg *m, bool cells)
{
    const struct gy__cc_vmap *v = &G->vmap;
    uint32_t da, db;

    if (m->kind != GY__CC_MSG_LINK_ADD || m->a >= v->dcap || m->b >= v->dcap)
        return;
    if (cells) {
        __builtin_prefetch(&v->direct[m->a]);
        __builtin_prefetch(&v->direct[m->b]);
        return;
    }
    da = v->direct[m->a];
    db = v->direct[m->b];
    if (da == 0 || db == 0)
        return;
    if (G->indexed)
        __builtin_prefetch(gy__cc_etab_home(&G->links, gy__cc_pair_key(da - 1, db - 1)));
    __builtin_prefetch(&G->uf.node[da - 1]);
    __builtin_prefetch(&G->uf.node[db - 1]);
}

/* Withdrawn links, then new ones. */
static int apply_links(struct global *G, const struct gy__cc_msg *m, size_t n)
{
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++)
        if (m[i].kind == GY__CC_MSG_LINK_DEL)
            rc = link_del(G, &m[i]);
    if (rc == 0 && G->indexed)
        rc = gy__cc_etab_reserve(&G->links, n);
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (i + AHEAD < n)
            prefetch(G, &m[i + AHEAD], true);
        if (i + AHEAD / 2 < n)
            prefetch(G, &m[i + AHEAD / 2], false);
        if (m[i].kind == GY__CC_MSG_LINK_ADD)
            rc = link_add(G, &m[i]);
    }
    if (rc == 0 && G->rebuild)
        rebuild(G);
    return rc;
}

static int fail(struct global *G, int rc)
{
    if (rc == -EPROTO)
        return gy_op_fail(G->op, "internal error: forest links out of step");
    if (rc == -EOVERFLOW)
        return gy_op_fail(G->op, "more than %u vertices", GY__CC_MAX_IDS);
    return gy_op_fail(G->op, "out of memory");
}

static int finish_epoch(struct global *G, struct gy__cc_ebuf *b)
{
    const struct gy__cc_msg *bad;
    int rc;

    if (gy__cc_cap_follow(G->op, &G->cap, b->epoch) != 0)
        return -ECANCELED;
    rc = scan_counts(G, b->recs, b->len, &bad);
    if (rc == 0 && bad)
        return gy_worker_fail(gy_op_worker(G->op),
                              "%s:%u: delete of edge {%llu,%llu} that is not present",
                              G->conf.input_name, bad->line, (unsigned long long)bad->a,
                              (unsigned long long)bad->b);
    if (rc == 0)
        rc = apply_links(G, b->recs, b->len);
    if (rc != 0)
        return fail(G, rc);
    G->res.epoch = b->epoch;
    G->res.vertices = G->vmap.n;
    return gy_op_give(G->op, 0, &G->cap, &G->res, 1);
}

/* The input ended: write the labels if asked (worker 0 holds them all). */
static int finish_run(struct global *G)
{
    int rc;

    G->finished = true;
    if (!G->conf.labels_path || gy_worker_index(gy_op_worker(G->op)) != 0)
        return 0;
    rc = gy__cc_write_labels(G->conf.labels_path, &G->vmap, &G->uf);
    if (rc != 0)
        return gy_worker_fail(gy_op_worker(G->op), "%s: %s", G->conf.labels_path,
                              strerror(-rc));
    return 0;
}

static void global_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                         const void *recs, uint32_t n)
{
    struct global *G = state;
    struct gy__cc_ebuf *b;
    void *to = gy__cc_pending_reserve(&G->pend, cap->time.epoch, n, &b);

    (void)port;
    if (!to) {
        gy_op_fail(op, "out of memory buffering epoch %llu",
                   (unsigned long long)cap->time.epoch);
        return;
    }
    memcpy(to, recs, (size_t)n * sizeof(struct gy__cc_msg));
}

static void global_frontier(gy_op_t *op, void *state)
{
    struct global *G = state;
    uint64_t f = gy__cc_frontier_epoch(op);
    struct gy__cc_ebuf *b;

    while ((b = gy__cc_pending_first(&G->pend, f)) != NULL) {
        if (finish_epoch(G, b) != 0)
            return;
        gy__cc_pending_pop(&G->pend);
    }
    /* The capability is dropped only after the labels are written, so the
     * run cannot complete (and hide a write error) before. */
    if (f == UINT64_MAX && !G->finished && finish_run(G) != 0)
        return;
    if (gy__cc_cap_follow(op, &G->cap, f) != 0)
        return;
}

static void global_free(void *state)
{
    struct global *G = state;

    gy__cc_conf_destroy(&G->conf);
    gy__cc_pending_destroy(&G->pend);
    gy__cc_vmap_destroy(&G->vmap);
    gy_uf_destroy(&G->uf);
    gy__cc_etab_destroy(&G->links);
    gy_free(G->log);
    gy_free(G);
}

/* Every message goes to worker 0: the key that worker owns. */
static uint64_t to_worker0(const void *rec, void *arg)
{
    (void)rec;
    return *(const uint64_t *)arg;
}

gy_stream_t *gy__cc_global(gy_stream_t *msgs, const char *name, const struct gy_algo_opts *opts)
{
    gy_dataflow_t *df = msgs ? gy_stream_dataflow(msgs) : NULL;
    struct global *G = df ? gy_calloc(1, sizeof(*G)) : NULL;
    struct gy_op_spec spec = {
        .name = name, .ninputs = 1, .noutputs = 1,
        .rec_sizes = (const size_t[]){sizeof(struct gy_graph_result)},
        .cb = {.on_input = global_input, .on_frontier = global_frontier, .destroy = global_free},
        .state = G,
    };
    struct gy_time t0 = gy_time_epoch(0);
    uint32_t peers;

    if (!df)
        return NULL; /* cc.local failed the run already */
    if (!G || gy__cc_conf_init(&G->conf, opts) != 0) {
        gy_free(G);
        gy_worker_fail(gy_dataflow_worker(df), "operator '%s': out of memory", name);
        return NULL;
    }
    peers = gy_worker_peers(gy_dataflow_worker(df));
    gy__cc_pending_init(&G->pend, sizeof(struct gy__cc_msg));
    gy__cc_vmap_init(&G->vmap);
    gy_uf_init(&G->uf);
    gy__cc_etab_init(&G->links);
    while (gy_key_worker(G->key0, peers) != 0)
        G->key0++; /* a hash: some small key lands on worker 0 (key 0 does today) */
    G->op = gy_op_new(df, &spec);
    if (!G->op || gy_op_initial_cap(G->op, &t0, &G->cap) != 0)
        return NULL;
    gy_op_connect(G->op, 0, msgs, gy_pact_exchange(to_worker0, &G->key0));
    return gy_op_output(G->op, 0);
}
