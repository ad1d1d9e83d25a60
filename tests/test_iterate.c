/*
 * Tests of gy_iterate (operators/iterate.h) and of loop construction
 * errors, each dataflow run on 1, 2, 3 and 8 workers:
 *  - bfs: breadth-first levels on seeded random digraphs with disconnected
 *    parts (a body of builtins: flat_map expands, unary_notify keeps the
 *    first level per vertex), one root per epoch, against igraph_distances;
 *  - sssp: weighted shortest paths where the iteration counter is the
 *    distance: a custom operator that sends each candidate at a later
 *    iteration (a capability retained for it) and leaves the settled
 *    vertices through its own gy_loop_leave, against igraph's Dijkstra;
 *  - max_iters: Collatz chains (which stop by themselves) cut at several
 *    bounds, record for record against a sequential oracle, and BFS cut to
 *    k hops against igraph distances <= k;
 *  - epochs: many BFS epochs in flight, drivers waiting on a probe per
 *    epoch: when the probe passes an epoch, everything of it has arrived
 *    (and nothing arrives later);
 *  - nested: gy_iterate inside a gy_iterate body, against a recursive
 *    oracle, checking the (epoch, i, j) timestamps the inner body sees;
 *  - errors: a feedback of step 0, streams used outside their scope (both
 *    ways), entering an inner loop from the root, bad bodies, nesting too
 *    deep: the run fails at once with a message naming the operators;
 *  - examples: build[/mode]/examples/rounds and reach, run as processes,
 *    against a sequential oracle and igraph.
 *
 * Worker threads record what they see in per-worker slots (or atomics,
 * where a driver reads them during the run); the main thread asserts after
 * gy_runtime_run has joined them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <igraph.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/builtins.h"
#include "operators/input.h"
#include "operators/iterate.h"
#include "operators/loop.h"
#include "operators/op.h"
#include "progress/alloc.h"
#include "runtime/runtime.h"
#include "tests/support/files.h"
#include "tests/support/proc.h"
#include "tests/support/rng.h"
#include "tests/support/rows.h"
#include "tests/support/run.h"

#define MAXW 8
#define MAXE 8                  /* epochs (roots) per run */
#define NV 400                  /* vertices of the test graphs */
#define INF UINT32_MAX

static const uint32_t WORKERS[] = {1, 2, 3, 8};
#define NWORKERS (sizeof(WORKERS) / sizeof(WORKERS[0]))

static void run_ok(uint32_t workers, gy_worker_fn fn, void *arg)
{
    char err[512];

    if (ts_runtime_run(workers, fn, arg, err, sizeof(err)) != 0)
        fail_msg("W=%u: the run failed: %s", workers, err);
}

/* ------------------------------------------------------------------------
 * Graphs: a few hundred vertices in parts that do not reach each other
 * (plus a one-way bridge and isolated vertices), with weights 1..5.
 * ------------------------------------------------------------------------ */

#define MAXM 4000
#define WMAX 5

struct graph {
    uint32_t m;
    uint32_t src[MAXM], dst[MAXM], wt[MAXM];
    uint32_t off[NV + 1];       /* CSR of out-edges: adj/adj_wt[off[v] .. off[v + 1]) */
    uint32_t adj[MAXM], adj_wt[MAXM];
};

static void add_edges(struct graph *g, uint64_t *s, uint32_t lo, uint32_t hi, uint32_t m)
{
    for (uint32_t i = 0; i < m && g->m < MAXM; i++, g->m++) {
        g->src[g->m] = lo + (uint32_t)(ts_rng_next(s) % (hi - lo));
        g->dst[g->m] = lo + (uint32_t)(ts_rng_next(s) % (hi - lo));
        g->wt[g->m] = 1 + ts_rng_below(s, WMAX);
    }
}

static void gen_graph(struct graph *g, uint64_t seed)
{
    uint64_t s = seed;
    uint32_t fill[NV] = {0};

    memset(g, 0, sizeof(*g));
    add_edges(g, &s, 0, 250, 2600);         /* a big part */
    add_edges(g, &s, 250, 350, 700);        /* a second part */
    add_edges(g, &s, 350, 390, 150);        /* a small one; 390..399 stay isolated */
    for (uint32_t i = 0; i < 4; i++, g->m++) { /* a one-way bridge from the big part */
        g->src[g->m] = ts_rng_below(&s, 250);
        g->dst[g->m] = 250 + ts_rng_below(&s, 100);
        g->wt[g->m] = 1 + ts_rng_below(&s, WMAX);
    }
    for (uint32_t i = 0; i < g->m; i++)
        g->off[g->src[i] + 1]++;
    for (uint32_t v = 0; v < NV; v++)
        g->off[v + 1] += g->off[v];
    for (uint32_t i = 0; i < g->m; i++) {
        uint32_t at = g->off[g->src[i]] + fill[g->src[i]]++;
        g->adj[at] = g->dst[i];
        g->adj_wt[at] = g->wt[i];
    }
}

/* igraph's distances from root: out[v] = distance, INF if unreachable. */
static void igraph_dist(const struct graph *g, uint32_t root, bool weighted, uint32_t *out)
{
    igraph_vector_int_t edges;
    igraph_vector_t w;
    igraph_matrix_t res;
    igraph_t ig;

    assert_int_equal(igraph_vector_int_init(&edges, 2 * (igraph_integer_t)g->m), IGRAPH_SUCCESS);
    assert_int_equal(igraph_vector_init(&w, g->m), IGRAPH_SUCCESS);
    for (uint32_t i = 0; i < g->m; i++) {
        VECTOR(edges)[2 * i] = g->src[i];
        VECTOR(edges)[2 * i + 1] = g->dst[i];
        VECTOR(w)[i] = g->wt[i];
    }
    assert_int_equal(igraph_create(&ig, &edges, NV, IGRAPH_DIRECTED), IGRAPH_SUCCESS);
    assert_int_equal(igraph_matrix_init(&res, 0, 0), IGRAPH_SUCCESS);
    if (weighted)
        assert_int_equal(igraph_distances_dijkstra(&ig, &res, igraph_vss_1(root), igraph_vss_all(),
                                                   &w, IGRAPH_OUT), IGRAPH_SUCCESS);
    else
        assert_int_equal(igraph_distances(&ig, &res, igraph_vss_1(root), igraph_vss_all(),
                                          IGRAPH_OUT), IGRAPH_SUCCESS);
    for (uint32_t v = 0; v < NV; v++) {
        double d = MATRIX(res, 0, v);
        out[v] = isfinite(d) ? (uint32_t)d : INF;
    }
    igraph_matrix_destroy(&res);
    igraph_destroy(&ig);
    igraph_vector_destroy(&w);
    igraph_vector_int_destroy(&edges);
}

/* ------------------------------------------------------------------------
 * BFS with builtins inside gy_iterate.
 * ------------------------------------------------------------------------ */

struct brec {
    uint32_t v;
    uint32_t d;                 /* level (BFS) or distance (SSSP) */
};

struct bfs;

struct bfs_worker {
    struct bfs *b;
    uint32_t me;
    gy_stream_t *settled;       /* sssp: the stream the body took out itself */
};

struct bfs {
    const struct graph *g;
    uint32_t nroots, max_iters;
    uint32_t roots[MAXE];
    bool wait_each;                         /* drivers wait on a probe per epoch */
    struct bfs_worker per[MAXW];
    /* Written by worker w only. */
    uint32_t level[MAXW][MAXE][NV];         /* visit's state (BFS) or settled flags (SSSP) */
    uint32_t got[MAXW][MAXE][NV];           /* 1 + the level of what left the loop, 0 = none */
    uint64_t dups[MAXW], bad[MAXW];
    uint64_t snap_count[MAXW][MAXE], snap_sum[MAXW][MAXE];
    /* Every worker adds what it collects; drivers read them at probe time. */
    _Atomic uint64_t count[MAXE], sum[MAXE];
};

static uint64_t brec_key(const void *rec, void *arg)
{
    (void)arg;
    return ((const struct brec *)rec)->v;
}

/* The roots themselves at iteration 0, then every out-neighbour at d + 1. */
static int bfs_expand(const void *rec, gy_emit_t *emit, void *arg)
{
    const struct bfs_worker *pw = arg;
    const struct graph *g = pw->b->g;
    const struct brec *r = rec;
    int rc = 0;

    if (gy_iterate_round(gy_emit_time(emit)) == 0)
        rc = gy_emit(emit, r);
    for (uint32_t k = g->off[r->v]; k < g->off[r->v + 1] && rc == 0; k++) {
        struct brec c = {g->adj[k], r->d + 1};
        rc = gy_emit(emit, &c);
    }
    return rc;
}

static int brec_cmp(const void *a, const void *b)
{
    const struct brec *x = a, *y = b;

    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    return (x->d > y->d) - (x->d < y->d);
}

/* (epoch, iteration) t is complete: the least level of each vertex new to the epoch. */
static int bfs_visit(const struct gy_time *t, void *recs, uint32_t n, gy_emit_t *emit, void *arg)
{
    struct bfs_worker *pw = arg;
    struct brec *r = recs;
    uint32_t *lv;

    if (t->depth != 1 || t->epoch >= MAXE) {
        pw->b->bad[pw->me]++;
        return 0;
    }
    lv = pw->b->level[pw->me][t->epoch];
    qsort(r, n, sizeof(*r), brec_cmp);
    for (uint32_t k = 0; k < n; k++) {
        int rc;
        if ((k > 0 && r[k].v == r[k - 1].v) || lv[r[k].v] != INF)
            continue;
        lv[r[k].v] = r[k].d;
        if ((rc = gy_emit(emit, &r[k])) != 0)
            return rc;
    }
    return 0;
}

static gy_stream_t *bfs_body(gy_loop_t *loop, gy_stream_t *var, void *arg)
{
    gy_stream_t *s = gy_op_flat_map(var, "expand", sizeof(struct brec), bfs_expand, arg);

    (void)loop;
    return gy_op_unary_notify(s, "visit", gy_pact_exchange(brec_key, NULL), sizeof(struct brec),
                              bfs_visit, arg);
}

/* What left the loop: once per (epoch, vertex), at the epoch's time. */
static void bfs_collect(const struct gy_time *t, const void *rec, void *arg)
{
    struct bfs_worker *pw = arg;
    struct bfs *b = pw->b;
    const struct brec *r = rec;

    if (t->depth != 0 || t->epoch >= b->nroots || r->v >= NV) {
        b->bad[pw->me]++;
        return;
    }
    if (b->got[pw->me][t->epoch][r->v] != 0)
        b->dups[pw->me]++;
    b->got[pw->me][t->epoch][r->v] = r->d + 1;
    atomic_fetch_add_explicit(&b->count[t->epoch], 1, memory_order_release);
    atomic_fetch_add_explicit(&b->sum[t->epoch], ts_mix(r->d, r->v), memory_order_release);
}

static void bfs_snapshot(struct bfs *b, uint32_t me, uint64_t e)
{
    b->snap_count[me][e] = atomic_load_explicit(&b->count[e], memory_order_acquire);
    b->snap_sum[me][e] = atomic_load_explicit(&b->sum[e], memory_order_acquire);
}

/* Sends root e from one worker, advances; with wait_each, waits for epoch
 * e - 1 while e is in flight, and records what had arrived by then. */
static int bfs_drive(gy_worker_t *w, struct bfs *b, gy_input_t *in, gy_probe_t *p)
{
    uint32_t me = gy_worker_index(w);

    for (uint32_t e = 0; e < b->nroots; e++) {
        struct brec root = {b->roots[e], 0};
        if (e % gy_worker_peers(w) == me && gy_input_send(in, &root, 1) != 0)
            return -ECANCELED;
        if (gy_input_advance_to(in, e + 1) != 0)
            return -ECANCELED;
        if (b->wait_each && e > 0) {
            if (gy_probe_wait_epoch(p, w, e - 1) != 0)
                return -ECANCELED;
            bfs_snapshot(b, me, e - 1);
        }
    }
    gy_input_close(in);
    if (b->wait_each) {
        if (gy_probe_wait_epoch(p, w, b->nroots - 1) != 0)
            return -ECANCELED;
        bfs_snapshot(b, me, b->nroots - 1);
    }
    return gy_worker_run(w);
}

static int bfs_worker_fn(gy_worker_t *w, void *arg)
{
    struct bfs *b = arg;
    struct bfs_worker *pw = &b->per[gy_worker_index(w)];
    gy_dataflow_t *df = gy_dataflow_new(w, "bfs");
    gy_stream_t *s = NULL, *out;
    gy_input_t *in = df ? gy_input_new(df, "roots", sizeof(struct brec), &s) : NULL;
    gy_probe_t *p;

    out = gy_iterate(s, bfs_body, pw, b->max_iters, "bfs");
    out = gy_op_inspect(out, "collect", bfs_collect, pw);
    if (!in || !out || !(p = gy_probe_new(out)) || gy_dataflow_build(df) != 0)
        return -ECANCELED;
    return bfs_drive(w, b, in, p);
}

static struct bfs *bfs_new(const struct graph *g, const uint32_t *roots, uint32_t nroots)
{
    struct bfs *b = calloc(1, sizeof(*b));

    assert_non_null(b);
    assert_true(nroots <= MAXE);
    b->g = g;
    b->nroots = nroots;
    memcpy(b->roots, roots, nroots * sizeof(*roots));
    return b;
}

/* Clears the per-run state and sets every visit level to INF. */
static void bfs_reset(struct bfs *b)
{
    memset(b->level, 0xff, sizeof(b->level));
    memset(b->got, 0, sizeof(b->got));
    memset(b->dups, 0, sizeof(b->dups));
    memset(b->bad, 0, sizeof(b->bad));
    memset(b->snap_count, 0, sizeof(b->snap_count));
    memset(b->snap_sum, 0, sizeof(b->snap_sum));
    for (uint32_t e = 0; e < MAXE; e++) {
        atomic_init(&b->count[e], 0);
        atomic_init(&b->sum[e], 0);
    }
    for (uint32_t w = 0; w < MAXW; w++)
        b->per[w] = (struct bfs_worker){.b = b, .me = w};
}

/* Compares what left the loop, merged over workers, with want[e][v]
 * (INF = must not leave); returns the (count, checksum) per epoch. */
static void bfs_check(const struct bfs *b, uint32_t workers, uint32_t want[][NV],
                      uint64_t count[], uint64_t sum[])
{
    for (uint32_t w = 0; w < workers; w++) {
        assert_int_equal(b->dups[w], 0);
        assert_int_equal(b->bad[w], 0);
    }
    for (uint32_t e = 0; e < b->nroots; e++) {
        count[e] = sum[e] = 0;
        for (uint32_t v = 0; v < NV; v++) {
            uint32_t got = INF, owners = 0;
            for (uint32_t w = 0; w < workers; w++)
                if (b->got[w][e][v] != 0) {
                    got = b->got[w][e][v] - 1;
                    owners++;
                }
            if (got != want[e][v])
                fail_msg("W=%u root %u vertex %u: got %d, want %d", workers, b->roots[e], v,
                         (int)got, (int)want[e][v]);
            assert_true(owners <= 1);
            if (got != INF) {
                count[e]++;
                sum[e] += ts_mix(got, v);
            }
        }
    }
}

/* Distances from each root, cut to max_iters hops when bounded (BFS). */
static void bfs_oracle(const struct graph *g, const uint32_t *roots, uint32_t nroots,
                       uint32_t max_iters, bool weighted, uint32_t want[][NV])
{
    for (uint32_t e = 0; e < nroots; e++) {
        igraph_dist(g, roots[e], weighted, want[e]);
        for (uint32_t v = 0; v < NV && max_iters > 0; v++)
            if (want[e][v] != INF && want[e][v] > max_iters)
                want[e][v] = INF;
    }
}

static const uint32_t ROOTS[] = {0, 17, 260, 355, 395, 123, 249};
#define NROOTS (sizeof(ROOTS) / sizeof(ROOTS[0]))

static void bfs_case(const struct graph *g, uint32_t max_iters, bool wait_each)
{
    static uint32_t want[MAXE][NV];
    struct bfs *b = bfs_new(g, ROOTS, NROOTS);
    uint64_t count[MAXE], sum[MAXE];

    bfs_oracle(g, ROOTS, NROOTS, max_iters, false, want);
    b->max_iters = max_iters;
    b->wait_each = wait_each;
    for (size_t i = 0; i < NWORKERS; i++) {
        bfs_reset(b);
        run_ok(WORKERS[i], bfs_worker_fn, b);
        bfs_check(b, WORKERS[i], want, count, sum);
        for (uint32_t e = 0; e < NROOTS; e++) {
            assert_int_equal(atomic_load(&b->count[e]), count[e]);
            assert_int_equal(atomic_load(&b->sum[e]), sum[e]);
            for (uint32_t w = 0; w < WORKERS[i] && wait_each; w++) {
                /* At the probe, the epoch was complete: nothing came later. */
                assert_int_equal(b->snap_count[w][e], count[e]);
                assert_int_equal(b->snap_sum[w][e], sum[e]);
            }
        }
    }
    free(b);
}

static void test_iterate_bfs(void **state)
{
    static struct graph g;

    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        gen_graph(&g, seed);
        bfs_case(&g, 0, false);
    }
}

/* ------------------------------------------------------------------------
 * SSSP with time = distance: a custom operator retaining capabilities for
 * later iterations, and leaving through its own gy_loop_leave.
 * ------------------------------------------------------------------------ */

struct wpend {
    struct gy_time t;
    struct brec r;
};

struct relax {
    struct bfs_worker *pw;
    struct wpend *p;
    size_t n, cap;
};

static void relax_free(void *state)
{
    struct relax *s = state;

    gy_free(s->p);
    gy_free(s);
}

/* Candidates (v, d) arrive at iteration d: keep them until it is complete. */
static void relax_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t n)
{
    struct relax *s = state;
    const struct brec *r = recs;
    void *p = s->p;

    (void)port;
    if (gy_grow(&p, &s->cap, s->n + n, sizeof(*s->p)) != 0) {
        gy_op_fail(op, "out of memory");
        return;
    }
    s->p = p;
    for (uint32_t k = 0; k < n; k++) {
        if (r[k].d != gy_iterate_round(&cap->time))
            s->pw->b->bad[s->pw->me]++;
        s->p[s->n++] = (struct wpend){cap->time, r[k]};
    }
    if (gy_op_notify_at(op, cap) != 0)
        return; /* the run has failed */
}

/* Offers (u, d + w) for every out-edge of a vertex settled at d: sent at
 * iteration d + w - 1 (a capability retained for it), the feedback brings
 * it to iteration d + w. later[k] holds the capability for d + k. */
static int relax_offer(gy_op_t *op, const struct gy_cap *cap, struct gy_cap later[WMAX],
                       const struct graph *g, uint32_t v)
{
    for (uint32_t k = g->off[v]; k < g->off[v + 1]; k++) {
        uint32_t wt = g->adj_wt[k];
        struct brec c = {g->adj[k], cap->time.iter[0] + wt};
        struct gy_time t = cap->time;
        t.iter[0] += wt - 1;
        if (!later[wt - 1].held && gy_cap_retain(op, cap, &t, &later[wt - 1]) != 0)
            return -ECANCELED;
        if (gy_op_give(op, 0, &later[wt - 1], &c, 1) != 0)
            return -ECANCELED;
    }
    return 0;
}

/* Iteration d is complete: every candidate at distance d has arrived, so
 * the first one for a vertex is its shortest distance. */
static void relax_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct relax *s = state;
    struct bfs *b = s->pw->b;
    uint32_t *settled = b->level[s->pw->me][cap->time.epoch];
    struct gy_cap later[WMAX];
    size_t keep = 0;

    memset(later, 0, sizeof(later));

    for (size_t k = 0; k < s->n; k++) {
        struct brec r = s->p[k].r;
        if (!gy_time_eq(&s->p[k].t, &cap->time)) {
            s->p[keep++] = s->p[k];
            continue;
        }
        if (settled[r.v] != INF)
            continue;
        settled[r.v] = r.d;
        if (gy_op_give(op, 1, cap, &r, 1) != 0 || relax_offer(op, cap, later, b->g, r.v) != 0)
            break;
    }
    s->n = keep;
    for (uint32_t k = 0; k < WMAX; k++)
        gy_cap_drop(op, &later[k]);
}

static gy_stream_t *sssp_body(gy_loop_t *loop, gy_stream_t *var, void *arg)
{
    struct bfs_worker *pw = arg;
    const size_t sizes[2] = {sizeof(struct brec), sizeof(struct brec)};
    struct relax *st = gy_calloc(1, sizeof(*st));
    struct gy_op_spec spec = {
        .name = "relax", .ninputs = 1, .noutputs = 2, .rec_sizes = sizes,
        .scope = gy_loop_scope(loop), .state = st,
        .cb = {.on_input = relax_input, .on_notify = relax_notify, .destroy = relax_free},
    };
    gy_op_t *op;

    if (!st)
        return NULL;
    st->pw = pw;
    if (!(op = gy_op_new(gy_stream_dataflow(var), &spec)))
        return NULL;
    gy_op_connect(op, 0, var, gy_pact_exchange(brec_key, NULL));
    pw->settled = gy_loop_leave(loop, gy_op_output(op, 1));
    return gy_op_output(op, 0);
}

static int sssp_worker_fn(gy_worker_t *w, void *arg)
{
    struct bfs *b = arg;
    struct bfs_worker *pw = &b->per[gy_worker_index(w)];
    gy_dataflow_t *df = gy_dataflow_new(w, "sssp");
    gy_stream_t *s = NULL, *out;
    gy_input_t *in = df ? gy_input_new(df, "roots", sizeof(struct brec), &s) : NULL;

    /* What gy_iterate returns (the candidates) stays unconnected. */
    if (!gy_iterate(s, sssp_body, pw, 0, "sssp"))
        return -ECANCELED;
    out = gy_op_inspect(pw->settled, "collect", bfs_collect, pw);
    if (!in || !out || gy_dataflow_build(df) != 0)
        return -ECANCELED;
    return bfs_drive(w, b, in, NULL);
}

static void test_iterate_sssp(void **state)
{
    static struct graph g;
    static uint32_t want[MAXE][NV];
    uint64_t count[MAXE], sum[MAXE];

    (void)state;
    for (uint64_t seed = 11; seed <= 12; seed++) {
        struct bfs *b = bfs_new(&g, ROOTS, NROOTS);
        gen_graph(&g, seed);
        bfs_oracle(&g, ROOTS, NROOTS, 0, true, want);
        for (size_t i = 0; i < NWORKERS; i++) {
            bfs_reset(b);
            run_ok(WORKERS[i], sssp_worker_fn, b);
            bfs_check(b, WORKERS[i], want, count, sum);
        }
        free(b);
    }
}

/* ------------------------------------------------------------------------
 * max_iters: Collatz chains, and BFS cut to k hops.
 * ------------------------------------------------------------------------ */

#define CZ_N 300                /* starting values per epoch */
#define CZ_EPOCHS 2

struct crec {
    uint64_t x0;
    uint64_t x;
    uint32_t step;              /* Collatz steps applied to x0 */
    uint32_t epoch;             /* set by the collector */
};

struct collatz {
    uint32_t max_iters;
    uint32_t workers;
    /* Written by worker w only. */
    struct crec *out[MAXW];
    size_t nout[MAXW], capout[MAXW];
    uint64_t bad[MAXW];
};

static uint64_t collatz_next(uint64_t x)
{
    return x % 2 == 0 ? x / 2 : 3 * x + 1;
}

/* One step; a chain stops by itself at 1. The step count must equal the round. */
static int collatz_step(const void *rec, gy_emit_t *emit, void *arg)
{
    struct crec r = *(const struct crec *)rec;

    (void)arg;
    if (r.step != gy_iterate_round(gy_emit_time(emit)))
        return -EPROTO; /* fails the run, naming "collatz" */
    if (r.x == 1)
        return 0;
    r.x = collatz_next(r.x);
    r.step++;
    return gy_emit(emit, &r);
}

static uint64_t crec_key(const void *rec, void *arg)
{
    (void)arg;
    return ((const struct crec *)rec)->x;
}

static gy_stream_t *collatz_body(gy_loop_t *loop, gy_stream_t *var, void *arg)
{
    gy_stream_t *s = gy_op_flat_map(var, "collatz", sizeof(struct crec), collatz_step, arg);

    (void)loop;
    return gy_op_exchange(s, "scatter", crec_key, NULL);
}

struct cz_worker {
    struct collatz *c;
    uint32_t me;
};

static struct cz_worker cz_per[MAXW];

static void collatz_collect(const struct gy_time *t, const void *rec, void *arg)
{
    struct cz_worker *pw = arg;
    struct collatz *c = pw->c;
    uint32_t me = pw->me;
    void *p = c->out[me];

    if (t->depth != 0 || gy_grow(&p, &c->capout[me], c->nout[me] + 1, sizeof(struct crec)) != 0) {
        c->bad[me]++;
        return;
    }
    c->out[me] = p;
    c->out[me][c->nout[me]] = *(const struct crec *)rec;
    c->out[me][c->nout[me]++].epoch = (uint32_t)t->epoch;
}

static int collatz_worker_fn(gy_worker_t *w, void *arg)
{
    struct collatz *c = arg;
    uint32_t me = gy_worker_index(w), peers = gy_worker_peers(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "collatz");
    gy_stream_t *s = NULL, *out;
    gy_input_t *in = df ? gy_input_new(df, "starts", sizeof(struct crec), &s) : NULL;

    cz_per[me] = (struct cz_worker){c, me};
    out = gy_iterate(s, collatz_body, c, c->max_iters, "collatz");
    out = gy_op_inspect(out, "collect", collatz_collect, &cz_per[me]);
    if (!in || !out || gy_dataflow_build(df) != 0)
        return -ECANCELED;
    for (uint32_t e = 0; e < CZ_EPOCHS; e++) {
        for (uint32_t k = me; k < CZ_N; k += peers) {
            struct crec r = {.x0 = 1 + e * CZ_N + k, .x = 1 + e * CZ_N + k};
            if (gy_input_send(in, &r, 1) != 0)
                return -ECANCELED;
        }
        if (gy_input_advance_to(in, e + 1) != 0)
            return -ECANCELED;
    }
    gy_input_close(in);
    return gy_worker_run(w);
}

static int crec_cmp(const void *a, const void *b)
{
    const struct crec *x = a, *y = b;

    if (x->epoch != y->epoch)
        return x->epoch < y->epoch ? -1 : 1;
    if (x->x0 != y->x0)
        return x->x0 < y->x0 ? -1 : 1;
    return (x->step > y->step) - (x->step < y->step);
}

/* Body applications at iterations 0 .. max_iters - 1; each returns the next
 * value unless the chain is at 1; everything returned leaves. */
static struct crec *collatz_oracle(uint32_t max_iters, size_t *n)
{
    struct crec *v = NULL;
    size_t cap = 0;

    *n = 0;
    for (uint32_t e = 0; e < CZ_EPOCHS; e++)
        for (uint64_t x0 = 1 + e * CZ_N; x0 <= (e + 1) * CZ_N; x0++) {
            uint64_t x = x0;
            for (uint32_t i = 0; (max_iters == 0 || i < max_iters) && x != 1; i++) {
                void *p = v;
                x = collatz_next(x);
                assert_int_equal(gy_grow(&p, &cap, *n + 1, sizeof(*v)), 0);
                v = p;
                v[(*n)++] = (struct crec){x0, x, i + 1, e};
            }
        }
    qsort(v, *n, sizeof(*v), crec_cmp);
    return v;
}

static void collatz_case(uint32_t max_iters, uint32_t workers)
{
    struct collatz c = {.max_iters = max_iters, .workers = workers};
    struct crec *want, *got = NULL;
    size_t nwant, ngot = 0, cap = 0;

    want = collatz_oracle(max_iters, &nwant);
    run_ok(workers, collatz_worker_fn, &c);
    for (uint32_t w = 0; w < workers; w++) {
        void *p = got;
        assert_int_equal(c.bad[w], 0);
        assert_int_equal(gy_grow(&p, &cap, ngot + c.nout[w] + 1, sizeof(*got)), 0);
        got = p;
        memcpy(got + ngot, c.out[w], c.nout[w] * sizeof(*got));
        ngot += c.nout[w];
        gy_free(c.out[w]);
    }
    qsort(got, ngot, sizeof(*got), crec_cmp);
    if (ngot != nwant)
        fail_msg("max_iters %u, W=%u: %zu records left the loop, want %zu", max_iters, workers,
                 ngot, nwant);
    for (size_t i = 0; i < ngot; i++)
        if (crec_cmp(&got[i], &want[i]) != 0 || got[i].x != want[i].x)
            fail_msg("max_iters %u, W=%u: record %zu is (%llu -> %llu at step %u), want (%llu -> "
                     "%llu at step %u)", max_iters, workers, i, (unsigned long long)got[i].x0,
                     (unsigned long long)got[i].x, got[i].step, (unsigned long long)want[i].x0,
                     (unsigned long long)want[i].x, want[i].step);
    gy_free(got);
    gy_free(want);
}

static void test_iterate_max_iters(void **state)
{
    static struct graph g;
    const uint32_t cuts[] = {0, 1, 2, 17, 200};

    (void)state;
    for (size_t k = 0; k < sizeof(cuts) / sizeof(cuts[0]); k++)
        for (size_t i = 0; i < NWORKERS; i++)
            collatz_case(cuts[k], WORKERS[i]);
    gen_graph(&g, 5);
    for (uint32_t hops = 1; hops <= 3; hops++)
        bfs_case(&g, hops, false);
}

/* ------------------------------------------------------------------------
 * Epochs in flight, waited for one by one at a probe.
 * ------------------------------------------------------------------------ */

static void test_iterate_epochs(void **state)
{
    static struct graph g;

    (void)state;
    gen_graph(&g, 7);
    bfs_case(&g, 0, true);
    bfs_case(&g, 2, true);
}

/* ------------------------------------------------------------------------
 * gy_iterate inside a gy_iterate body.
 * ------------------------------------------------------------------------ */

#define NS_N 30                 /* values per epoch */
#define NS_EPOCHS 2
#define NS_OUTER 3
#define NS_INNER 4

struct nested {
    /* Written by worker w only. */
    uint64_t *out[MAXW];        /* epoch << 60 | value, see ns_pack */
    size_t nout[MAXW], capout[MAXW];
    uint64_t bad[MAXW];
};

struct ns_worker {
    struct nested *n;
    uint32_t me;
};

static struct ns_worker ns_per[MAXW];

static uint64_t ns_step(uint64_t x, uint32_t i, uint32_t j)
{
    return 3 * x + (i + 1) * 10 + j;
}

/* The inner body sees (epoch, i, j) and applies one step that depends on both counters. */
static int ns_inner_step(const void *rec, gy_emit_t *emit, void *arg)
{
    struct ns_worker *pw = arg;
    const struct gy_time *t = gy_emit_time(emit);
    uint64_t x = *(const uint64_t *)rec;

    if (t->depth != 2 || t->iter[0] >= NS_OUTER || t->iter[1] >= NS_INNER) {
        pw->n->bad[pw->me]++;
        return 0;
    }
    x = ns_step(x, t->iter[0], t->iter[1]);
    return gy_emit(emit, &x);
}

static gy_stream_t *ns_inner(gy_loop_t *loop, gy_stream_t *var, void *arg)
{
    gy_stream_t *s = gy_op_flat_map(var, "inner-step", sizeof(uint64_t), ns_inner_step, arg);

    (void)loop;
    return gy_op_exchange(s, "inner-spread", ts_key_first, NULL);
}

static gy_stream_t *ns_outer(gy_loop_t *loop, gy_stream_t *var, void *arg)
{
    (void)loop;
    return gy_iterate(var, ns_inner, arg, NS_INNER, "inner");
}

/* Values stay below 2^59 (3^12 * 60 + ...), so the epoch fits above them. */
static uint64_t ns_pack(uint64_t epoch, uint64_t x)
{
    return epoch << 60 | x;
}

static void ns_collect(const struct gy_time *t, const void *rec, void *arg)
{
    struct ns_worker *pw = arg;
    struct nested *n = pw->n;
    void *p = n->out[pw->me];

    if (t->depth != 0 || gy_grow(&p, &n->capout[pw->me], n->nout[pw->me] + 1, 8) != 0) {
        n->bad[pw->me]++;
        return;
    }
    n->out[pw->me] = p;
    n->out[pw->me][n->nout[pw->me]++] = ns_pack(t->epoch, *(const uint64_t *)rec);
}

static int ns_worker_fn(gy_worker_t *w, void *arg)
{
    struct nested *n = arg;
    uint32_t me = gy_worker_index(w), peers = gy_worker_peers(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "nested");
    gy_stream_t *s = NULL, *out;
    gy_input_t *in = df ? gy_input_new(df, "values", sizeof(uint64_t), &s) : NULL;

    ns_per[me] = (struct ns_worker){n, me};
    out = gy_iterate(s, ns_outer, &ns_per[me], NS_OUTER, "outer");
    out = gy_op_inspect(out, "collect", ns_collect, &ns_per[me]);
    if (!in || !out || gy_dataflow_build(df) != 0)
        return -ECANCELED;
    for (uint64_t e = 0; e < NS_EPOCHS; e++) {
        for (uint64_t k = me; k < NS_N; k += peers) {
            uint64_t x = e * 1000 + k;
            if (gy_input_send(in, &x, 1) != 0)
                return -ECANCELED;
        }
        if (gy_input_advance_to(in, e + 1) != 0)
            return -ECANCELED;
    }
    gy_input_close(in);
    return gy_worker_run(w);
}

/* What outer round i returns for x (the inner loop's 4 values), and so on. */
static void ns_oracle_rec(uint64_t epoch, uint64_t x, uint32_t i, uint64_t *out, size_t *n)
{
    uint64_t y = x;

    for (uint32_t j = 0; j < NS_INNER; j++) {
        y = ns_step(y, i, j);
        out[(*n)++] = ns_pack(epoch, y);
        if (i + 1 < NS_OUTER)
            ns_oracle_rec(epoch, y, i + 1, out, n);
    }
}

static void test_iterate_nested(void **state)
{
    /* Per value: 4 + 16 + 64 records. */
    const size_t per = NS_INNER + NS_INNER * NS_INNER + NS_INNER * NS_INNER * NS_INNER;
    size_t nwant = 0;
    uint64_t *want = calloc(NS_EPOCHS * NS_N * per, sizeof(*want));

    (void)state;
    assert_non_null(want);
    for (uint64_t e = 0; e < NS_EPOCHS; e++)
        for (uint64_t k = 0; k < NS_N; k++)
            ns_oracle_rec(e, e * 1000 + k, 0, want, &nwant);
    assert_int_equal(nwant, NS_EPOCHS * NS_N * per);
    qsort(want, nwant, sizeof(*want), ts_cmp_u64);
    for (size_t i = 0; i < NWORKERS; i++) {
        struct nested n;
        uint64_t *got = calloc(nwant + 1, sizeof(*got));
        size_t ngot = 0;
        memset(&n, 0, sizeof(n));
        assert_non_null(got);
        run_ok(WORKERS[i], ns_worker_fn, &n);
        for (uint32_t w = 0; w < WORKERS[i]; w++) {
            assert_int_equal(n.bad[w], 0);
            assert_true(ngot + n.nout[w] <= nwant);
            memcpy(got + ngot, n.out[w], n.nout[w] * sizeof(*got));
            ngot += n.nout[w];
            gy_free(n.out[w]);
        }
        assert_int_equal(ngot, nwant);
        qsort(got, ngot, sizeof(*got), ts_cmp_u64);
        assert_memory_equal(got, want, nwant * sizeof(*got));
        free(got);
    }
    free(want);
}

/* ------------------------------------------------------------------------
 * Construction errors: the run fails at once, naming the operators.
 * ------------------------------------------------------------------------ */

enum err_kind {
    ERR_STEP0,              /* a feedback of step 0 */
    ERR_INNER_AT_ROOT,      /* a loop's stream read by a root operator */
    ERR_ROOT_IN_LOOP,       /* a root stream read by an operator inside a loop */
    ERR_SKIP_ENTER,         /* entering an inner loop straight from the root */
    ERR_LEAVE_ROOT,         /* leaving a loop with a root stream */
    ERR_BODY_NULL,          /* a body that returns nothing */
    ERR_BODY_OUTER,         /* a body that returns the loop's input stream, from outside */
    ERR_BODY_SIZE,          /* a body that returns records of another size */
    ERR_TOO_DEEP,           /* five nested gy_iterate calls */
};

struct err_case {
    enum err_kind kind;
    const char *expect[3];  /* substrings of the run's message */
    gy_stream_t *outer;     /* per run: the root stream, for bodies that misuse it */
    gy_stream_t *escaped;   /* per run: a loop's stream taken out by the body */
};

static void nop_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                      const void *recs, uint32_t n)
{
    (void)op, (void)state, (void)port, (void)cap, (void)recs, (void)n;
}

static gy_op_t *sink_new(gy_dataflow_t *df, const char *name, uint32_t scope)
{
    struct gy_op_spec spec = {.name = name, .ninputs = 1, .scope = scope,
                              .cb = {.on_input = nop_input}};

    return gy_op_new(df, &spec);
}

static void widen(const void *in, void *out, void *arg)
{
    (void)arg;
    memset(out, 0, 16);
    memcpy(out, in, 8);
}

/* Bodies per error kind. Thread-private state comes through arg. */
static gy_stream_t *err_body(gy_loop_t *loop, gy_stream_t *var, void *arg)
{
    struct err_case *c = arg;
    gy_op_t *op;

    switch (c->kind) {
    case ERR_INNER_AT_ROOT:
        c->escaped = var;
        return var;
    case ERR_ROOT_IN_LOOP:
        if (!(op = sink_new(gy_stream_dataflow(var), "inner-sink", gy_loop_scope(loop))))
            return NULL;
        gy_op_connect(op, 0, c->outer, gy_pact_pipeline());
        return var;
    case ERR_BODY_NULL:
        return NULL;
    case ERR_BODY_OUTER:
        return c->outer;
    case ERR_BODY_SIZE:
        return gy_op_map(var, "widen", 16, widen, NULL);
    case ERR_TOO_DEEP:
        return gy_iterate(var, err_body, arg, 2, "deeper");
    default:
        return var;
    }
}

/* The raw loop API misused. */
static int err_build_raw(gy_dataflow_t *df, struct err_case *c, gy_stream_t *s)
{
    gy_loop_t *outer = gy_loop_new(df, 0, "outer"), *inner;
    gy_stream_t *back = NULL, *in;
    gy_feedback_t *fb;

    if (!outer)
        return -ECANCELED;
    switch (c->kind) {
    case ERR_STEP0:
        if (!(fb = gy_loop_feedback(outer, sizeof(uint64_t), 0, &back)) ||
            !(in = gy_loop_enter(outer, s)))
            return -ECANCELED;
        gy_feedback_connect(fb, gy_op_concat((gy_stream_t *[]){in, back}, 2, "outer.var"));
        return 0;
    case ERR_SKIP_ENTER:
        inner = gy_loop_new(df, gy_loop_scope(outer), "inner");
        return inner && gy_loop_enter(inner, s) ? 0 : -ECANCELED;
    case ERR_LEAVE_ROOT:
        return gy_loop_leave(outer, s) ? 0 : -ECANCELED;
    default:
        return -EINVAL;
    }
}

static int err_worker_fn(gy_worker_t *w, void *arg)
{
    struct err_case *c = &((struct err_case *)arg)[gy_worker_index(w)];
    gy_dataflow_t *df = gy_dataflow_new(w, "errors");
    gy_stream_t *s = NULL;
    gy_input_t *in = df ? gy_input_new(df, "in", sizeof(uint64_t), &s) : NULL;
    gy_op_t *op;
    int rc;

    if (!in)
        return -ECANCELED;
    c->outer = s;
    if (c->kind == ERR_STEP0 || c->kind == ERR_SKIP_ENTER || c->kind == ERR_LEAVE_ROOT) {
        rc = err_build_raw(df, c, s);
    } else {
        rc = gy_iterate(s, err_body, c, 0, "bad") ? 0 : -ECANCELED;
        if (rc == 0 && c->kind == ERR_INNER_AT_ROOT) {
            if (!(op = sink_new(df, "root-sink", 0)))
                return -ECANCELED;
            gy_op_connect(op, 0, c->escaped, gy_pact_pipeline());
        }
    }
    /* As the built-ins' contract says: NULL means the run has failed, or
     * gy_dataflow_build fails it and names the reason. So build anyway. */
    if (gy_dataflow_build(df) != 0 || rc != 0 || gy_worker_failed(w))
        return -ECANCELED;
    /* Not reached when the checks work; then the test fails on rc == 0. */
    gy_input_close(in);
    return gy_worker_run(w);
}

static void err_case_run(enum err_kind kind, const char *e0, const char *e1, const char *e2)
{
    static struct err_case cases[MAXW];
    char err[768];

    for (size_t i = 0; i < NWORKERS; i++) {
        double t0 = gy_now();
        int rc;
        for (uint32_t w = 0; w < MAXW; w++)
            cases[w] = (struct err_case){kind, {e0, e1, e2}, NULL, NULL};
        rc = ts_runtime_run(WORKERS[i], err_worker_fn, cases, err, sizeof(err));
        if (rc != -ECANCELED)
            fail_msg("error case %d, W=%u: run returned %d (%s), want -ECANCELED", (int)kind,
                     WORKERS[i], rc, err);
        for (int k = 0; k < 3; k++)
            if (cases[0].expect[k] && !strstr(err, cases[0].expect[k]))
                fail_msg("error case %d, W=%u: message '%s' lacks '%s'", (int)kind, WORKERS[i],
                         err, cases[0].expect[k]);
        assert_true(gy_now() - t0 < 10.0);
    }
}

static void test_iterate_errors(void **state)
{
    (void)state;
    err_case_run(ERR_STEP0, "feedback 'outer.feedback0'", "does not advance the loop counter",
                 "step 0");
    err_case_run(ERR_INNER_AT_ROOT, "operator 'root-sink'", "'bad.var'", "loop scope 1");
    err_case_run(ERR_ROOT_IN_LOOP, "operator 'inner-sink'", "'in'", "loop scope 0");
    err_case_run(ERR_SKIP_ENTER, "loop 'inner'", "enter", "the stream of 'in' is in scope 0");
    err_case_run(ERR_LEAVE_ROOT, "loop 'outer'", "leave", "the stream of 'in' is in scope 0");
    err_case_run(ERR_BODY_NULL, "operator 'bad.feedback1' input 0 is not connected", NULL, NULL);
    err_case_run(ERR_BODY_OUTER, "iterate 'bad'", "returned a stream of loop scope 0", NULL);
    err_case_run(ERR_BODY_SIZE, "iterate 'bad'", "records of 16 bytes", "8-byte");
    err_case_run(ERR_TOO_DEEP, "loop 'deeper'", "nest at most 4 deep", NULL);
}

/* ------------------------------------------------------------------------
 * The examples, as processes.
 * ------------------------------------------------------------------------ */

/* Runs examples/<name> with args (NULL-terminated): it must exit 0 having
 * printed want. What it writes to stderr goes on to ours. */
static void assert_example(const char *name, const char *const *args, const char *want)
{
    char path[512];
    struct ts_proc o;

    ts_example_path(name, path, sizeof(path));
    ts_proc_run(path, args, NULL, &o);
    fputs(o.err, stderr);
    if (o.status != 0 || strcmp(o.out, want) != 0)
        fail_msg("%s %s %s: exit %d, output:\n%s\nwant:\n%s", name, args[0], args[1], o.status,
                 o.out, want);
    ts_proc_free(&o);
}

/* rounds -r R -n N -e E, computed sequentially. */
static char *rounds_oracle(uint32_t r, uint32_t n, uint32_t epochs)
{
    struct ts_text t;
    uint64_t *fin = calloc(n + 1, sizeof(*fin));

    assert_non_null(fin);
    ts_text_open(&t);
    for (uint32_t e = 0; e < epochs && n > 0; e++) {
        uint64_t sum = 0;
        for (uint32_t k = 0; k < n; k++) {
            uint64_t x = (uint64_t)e * n + k;
            for (uint32_t i = 0; i < r; i++) {
                x = (x * 31 + 7) % 1000003;
                sum += x;
            }
            fin[k] = x;
        }
        qsort(fin, n, sizeof(*fin), ts_cmp_u64);
        fprintf(t.f, "epoch %u: %u records, sum %llu; after round %u:", e, n * r,
                (unsigned long long)sum, r);
        for (uint32_t k = 0; k < n; k++)
            fprintf(t.f, " %llu", (unsigned long long)fin[k]);
        fprintf(t.f, "\n");
    }
    free(fin);
    return ts_text_close(&t);
}

/* reach's graph (the example's formula), its BFS by igraph, printed as the example prints. */
static uint64_t reach_mix(uint64_t x)
{
    x *= 0x9e3779b97f4a7c15ULL;
    return x ^ (x >> 29);
}

/* Vertex u has reach_mix(seed + u) % (2d + 1) out-edges, edge k to
 * reach_mix(reach_mix(seed + u) + k) % n. */
static void reach_graph(igraph_t *g, uint32_t n, uint32_t d, uint32_t seed)
{
    igraph_vector_int_t edges;

    assert_int_equal(igraph_vector_int_init(&edges, 0), IGRAPH_SUCCESS);
    for (uint32_t u = 0; u < n; u++) {
        uint64_t h = reach_mix((uint64_t)seed + u);
        for (uint32_t k = 0; k < h % (2 * d + 1); k++) {
            igraph_integer_t v = (igraph_integer_t)(reach_mix(h + k) % n);
            assert_int_equal(igraph_vector_int_push_back(&edges, u), IGRAPH_SUCCESS);
            assert_int_equal(igraph_vector_int_push_back(&edges, v), IGRAPH_SUCCESS);
        }
    }
    assert_int_equal(igraph_create(g, &edges, n, IGRAPH_DIRECTED), IGRAPH_SUCCESS);
    igraph_vector_int_destroy(&edges);
}

static char *reach_oracle(uint32_t n, uint32_t d, uint32_t roots, uint32_t seed)
{
    igraph_matrix_t res;
    igraph_t g;
    struct ts_text t;
    uint32_t *count = calloc(n + 1, sizeof(*count));

    assert_non_null(count);
    reach_graph(&g, n, d, seed);
    assert_int_equal(igraph_matrix_init(&res, 0, 0), IGRAPH_SUCCESS);
    ts_text_open(&t);
    for (uint32_t e = 0; e < roots; e++) {
        uint32_t root = e * (n / roots), reached = 0, levels = 0;
        assert_int_equal(igraph_distances(&g, &res, igraph_vss_1(root), igraph_vss_all(),
                                          IGRAPH_OUT), IGRAPH_SUCCESS);
        memset(count, 0, (n + 1) * sizeof(*count));
        for (uint32_t v = 0; v < n; v++)
            if (isfinite(MATRIX(res, 0, v))) {
                uint32_t lv = (uint32_t)MATRIX(res, 0, v);
                count[lv]++;
                reached++;
                levels = lv + 1 > levels ? lv + 1 : levels;
            }
        fprintf(t.f, "root %u: %u of %u vertices reachable, per level:", root, reached, n);
        for (uint32_t lv = 0; lv < levels; lv++)
            fprintf(t.f, " %u", count[lv]);
        fprintf(t.f, "\n");
    }
    fprintf(t.f, "all %u roots agree with a sequential BFS\n", roots);
    igraph_matrix_destroy(&res);
    igraph_destroy(&g);
    free(count);
    return ts_text_close(&t);
}

static void test_iterate_examples(void **state)
{
    static const uint32_t rounds_cfg[][3] = {{100, 10, 3}, {1, 7, 2}, {13, 40, 4}};
    static const uint32_t reach_cfg[][4] = {{2000, 3, 3, 1}, {300, 1, 1, 7}, {5000, 2, 5, 42}};
    char a[4][16];

    (void)state;
    for (size_t c = 0; c < 3; c++) {
        char *want = rounds_oracle(rounds_cfg[c][0], rounds_cfg[c][1], rounds_cfg[c][2]);
        for (size_t i = 0; i < NWORKERS; i++) {
            const char *args[] = {"-w", a[0], "-r", a[1], "-n", a[2], "-e", a[3], NULL};
            snprintf(a[0], sizeof(a[0]), "%u", WORKERS[i]);
            for (int k = 0; k < 3; k++)
                snprintf(a[k + 1], sizeof(a[k + 1]), "%u", rounds_cfg[c][k]);
            assert_example("rounds", args, want);
        }
        free(want);
    }
    for (size_t c = 0; c < 3; c++) {
        const uint32_t *rc = reach_cfg[c];
        char *want = reach_oracle(rc[0], rc[1], rc[2], rc[3]);
        char b[5][16];
        for (size_t i = 0; i < NWORKERS; i++) {
            const char *args[] = {"-w", b[0], "-n", b[1], "-d", b[2], "-r", b[3], "-s", b[4], NULL};
            snprintf(b[0], sizeof(b[0]), "%u", WORKERS[i]);
            for (int k = 0; k < 4; k++)
                snprintf(b[k + 1], sizeof(b[k + 1]), "%u", rc[k]);
            assert_example("reach", args, want);
        }
        free(want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iterate_bfs),
        cmocka_unit_test(test_iterate_sssp),
        cmocka_unit_test(test_iterate_max_iters),
        cmocka_unit_test(test_iterate_epochs),
        cmocka_unit_test(test_iterate_nested),
        cmocka_unit_test(test_iterate_errors),
        cmocka_unit_test(test_iterate_examples),
    };

    return cmocka_run_group_tests_name("iterate", tests, NULL, NULL);
}
