/*
 * Tests for the summary operator (operators/summary.h). (tests/test_summary.c
 * is taken by progress/summary, the path summaries.)
 *
 * Every dataflow runs on 1, 2, 3 and 8 workers over seeded random inputs
 * with random epochs (gaps, empty epochs) and probe waits after some
 * epochs only, so several epochs are in flight at once. Sinks collect
 * every output record with its time; the rows are compared with oracles
 * computed sequentially from the generated input:
 *  - streaming union-find: each worker folds its edges into a forest, the
 *    forests are merged and the canonical labels (least vertex of each
 *    component) emitted per epoch, without carry (the epoch's edges only)
 *    and with carry (all edges so far), against a sequential union-find;
 *  - the same with a 12000-byte forest (three chunks per blob, reassembled
 *    per sender) and an emit callback that lists components and sizes;
 *  - inside a loop, per (epoch, iteration) count/sum/xor summaries of
 *    records that circulate a few iterations, without carry and with carry
 *    (running totals in lexicographic time order);
 *  - a failing fold ends the run with the operator's name.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "operators/builtins.h"
#include "operators/input.h"
#include "operators/loop.h"
#include "operators/op.h"
#include "operators/summary.h"
#include "runtime/runtime.h"

static const uint32_t WORKERS[] = {1, 2, 3, 8};
#define NWORKERS (sizeof(WORKERS) / sizeof(WORKERS[0]))
#define SEEDS 2

#define MAX_EPOCHS 12
#define MAX_REC 256
#define MAX_OUT 2
#define CHUNK_MAX 37

/* ---- random numbers (splitmix64) ---- */

struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(rng_next(r) % n);
}

/* ---- rows ---- */

struct row {
    struct gy_time t;
    uint32_t size;
    unsigned char rec[MAX_REC];
};

struct rows {
    pthread_mutex_t lock;
    struct row *v;
    size_t n, cap;
};

static void rows_init(struct rows *r)
{
    memset(r, 0, sizeof(*r));
    pthread_mutex_init(&r->lock, NULL);
}

static void rows_free(struct rows *r)
{
    free(r->v);
    pthread_mutex_destroy(&r->lock);
}

static void rows_push(struct rows *r, const struct gy_time *t, const void *rec, size_t size)
{
    struct row *w;

    assert_true(size <= MAX_REC);
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->v = realloc(r->v, r->cap * sizeof(*r->v));
        assert_non_null(r->v);
    }
    w = &r->v[r->n++];
    memset(w, 0, sizeof(*w));
    w->t = *t;
    w->size = (uint32_t)size;
    memcpy(w->rec, rec, size);
}

static int row_cmp(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    int c = gy_time_cmp(&x->t, &y->t);

    if (c != 0)
        return c;
    if (x->size != y->size)
        return x->size < y->size ? -1 : 1;
    return memcmp(x->rec, y->rec, x->size);
}

static void assert_rows_equal(struct rows *got, struct rows *want, const char *label,
                              uint32_t workers)
{
    size_t n = got->n < want->n ? got->n : want->n;

    qsort(got->v, got->n, sizeof(*got->v), row_cmp);
    qsort(want->v, want->n, sizeof(*want->v), row_cmp);
    for (size_t i = 0; i < n; i++)
        if (row_cmp(&got->v[i], &want->v[i]) != 0) {
            char tg[96], tw[96];
            gy_time_format(&got->v[i].t, tg, sizeof(tg));
            gy_time_format(&want->v[i].t, tw, sizeof(tw));
            fail_msg("%s, %u workers: row %zu of %zu differs (got time %s, want %s)", label,
                     workers, i, want->n, tg, tw);
        }
    if (got->n != want->n)
        fail_msg("%s, %u workers: %zu rows, want %zu", label, workers, got->n, want->n);
}

/* ---- sink ---- */

struct sink {
    struct rows *out;
    size_t rec_size;
};

static void sink_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                       const void *recs, uint32_t n)
{
    struct sink *k = state;

    (void)op;
    (void)port;
    pthread_mutex_lock(&k->out->lock);
    for (uint32_t i = 0; i < n; i++)
        rows_push(k->out, &cap->time, (const unsigned char *)recs + i * k->rec_size, k->rec_size);
    pthread_mutex_unlock(&k->out->lock);
}

static void sink(gy_stream_t *s, struct rows *out)
{
    struct sink *k;
    struct gy_op_spec spec = {.name = "sink", .ninputs = 1,
                              .cb = {.on_input = sink_input, .destroy = free}};
    gy_op_t *op;

    if (!s)
        return;
    k = malloc(sizeof(*k));
    assert_non_null(k);
    k->out = out;
    k->rec_size = gy_stream_rec_size(s);
    spec.scope = gy_stream_scope(s);
    spec.state = k;
    op = gy_op_new(gy_stream_dataflow(s), &spec);
    if (op)
        gy_op_connect(op, 0, s, gy_pact_pipeline());
}

/* ---- plans: one input of fixed-size records per epoch ---- */

typedef void (*gen_fn)(struct rng *r, void *rec);

struct plan {
    uint64_t seed;
    uint32_t nepochs;
    uint64_t epoch[MAX_EPOCHS];
    bool wait[MAX_EPOCHS];
    size_t rec_size;
    unsigned char *recs;
    uint32_t start[MAX_EPOCHS + 1];
};

static void plan_make(struct plan *p, uint64_t seed, size_t size, uint32_t max, gen_fn gen)
{
    struct rng r = {seed};
    uint64_t e = rng_below(&r, 3);
    uint32_t total = 0;

    memset(p, 0, sizeof(*p));
    p->seed = seed;
    p->rec_size = size;
    p->nepochs = 4 + rng_below(&r, MAX_EPOCHS - 3);
    p->recs = malloc((size_t)p->nepochs * (max + 1) * size);
    assert_non_null(p->recs);
    for (uint32_t k = 0; k < p->nepochs; k++) {
        uint32_t n = rng_below(&r, 5) == 0 ? 0 : rng_below(&r, max + 1);
        p->epoch[k] = e;
        p->wait[k] = rng_below(&r, 3) == 0;
        e += 1 + rng_below(&r, 3);
        p->start[k] = total;
        for (uint32_t j = 0; j < n; j++)
            gen(&r, p->recs + (size_t)(total + j) * size);
        total += n;
    }
    p->start[p->nepochs] = total;
}

static const void *plan_rec(const struct plan *p, uint32_t j)
{
    return p->recs + (size_t)j * p->rec_size;
}

/* ---- running ---- */

struct tctx;
typedef gy_stream_t *(*build_fn)(struct tctx *c, gy_dataflow_t *df, gy_stream_t *in);

struct tctx {
    const struct plan *plan;
    build_fn build;
    struct rows out[MAX_OUT];
};

static int send_share(gy_input_t *in, const struct plan *p, uint32_t k, uint32_t me,
                      uint32_t peers, struct rng *r)
{
    unsigned char buf[CHUNK_MAX * 24];
    uint32_t n = 0, chunk = 1 + rng_below(r, CHUNK_MAX);

    assert_true(p->rec_size <= 24);
    for (uint32_t j = p->start[k]; j < p->start[k + 1]; j++) {
        if (j % peers != me)
            continue;
        memcpy(buf + (size_t)n * p->rec_size, plan_rec(p, j), p->rec_size);
        if (++n == chunk) {
            if (gy_input_send(in, buf, n) != 0)
                return -ECANCELED;
            n = 0;
            chunk = 1 + rng_below(r, CHUNK_MAX);
        }
    }
    return n ? gy_input_send(in, buf, n) : 0;
}

static int feed(gy_worker_t *w, const struct plan *p, gy_input_t *in, gy_probe_t *probe)
{
    uint32_t me = gy_worker_index(w), peers = gy_worker_peers(w);
    struct rng r = {p->seed ^ (0x5851f42d4c957f2dULL * (me + 1))};

    for (uint32_t k = 0; k < p->nepochs; k++) {
        if (gy_input_advance_to(in, p->epoch[k]) != 0 || send_share(in, p, k, me, peers, &r) != 0)
            return -ECANCELED;
        if (!probe || !p->wait[k])
            continue;
        if (gy_input_advance_to(in, p->epoch[k] + 1) != 0 ||
            gy_probe_wait_epoch(probe, w, p->epoch[k]) != 0)
            return -ECANCELED;
    }
    gy_input_close(in);
    return 0;
}

static int worker_main(gy_worker_t *w, void *arg)
{
    struct tctx *c = arg;
    gy_dataflow_t *df = gy_dataflow_new(w, "test");
    gy_input_t *in;
    gy_stream_t *s, *probe_on;
    gy_probe_t *probe = NULL;

    if (!df)
        return -ENOMEM;
    in = gy_input_new(df, "in", c->plan->rec_size, &s);
    if (!in)
        return -ECANCELED;
    probe_on = c->build(c, df, s);
    if (probe_on)
        probe = gy_probe_new(probe_on);
    if (gy_dataflow_build(df) != 0 || feed(w, c->plan, in, probe) != 0)
        return -ECANCELED;
    return gy_worker_run(w);
}

static int run_on(struct tctx *c, uint32_t workers, char *err, size_t errlen)
{
    struct gy_runtime_config cfg;

    gy_runtime_config_init(&cfg);
    cfg.workers = workers;
    cfg.no_pin = true;
    for (uint32_t i = 0; i < MAX_OUT; i++)
        c->out[i].n = 0;
    return gy_runtime_run(&cfg, worker_main, c, err, errlen);
}

typedef void (*oracle_fn)(const struct plan *p, struct rows *want);

static void check_all(const char *label, build_fn build, oracle_fn oracle, size_t size,
                      uint32_t max, gen_fn gen, uint32_t nout)
{
    struct tctx c;
    char err[512];

    memset(&c, 0, sizeof(c));
    c.build = build;
    for (uint32_t o = 0; o < MAX_OUT; o++)
        rows_init(&c.out[o]);
    for (uint32_t s = 0; s < SEEDS; s++)
        for (uint32_t wi = 0; wi < NWORKERS; wi++) {
            struct plan p;
            struct rows want[MAX_OUT];
            int rc;
            plan_make(&p, 4000 * (s + 1) + wi, size, max, gen);
            c.plan = &p;
            rc = run_on(&c, WORKERS[wi], err, sizeof(err));
            if (rc != 0)
                fail_msg("%s: run on %u workers failed (%d): %s", label, WORKERS[wi], rc, err);
            for (uint32_t o = 0; o < MAX_OUT; o++)
                rows_init(&want[o]);
            oracle(&p, want);
            for (uint32_t o = 0; o < nout; o++) {
                char what[128];
                snprintf(what, sizeof(what), "%s, output %u, seed %u", label, o, s);
                assert_true(want[o].n > 0);
                assert_rows_equal(&c.out[o], &want[o], what, WORKERS[wi]);
            }
            for (uint32_t o = 0; o < MAX_OUT; o++)
                rows_free(&want[o]);
            free(p.recs);
        }
    for (uint32_t o = 0; o < MAX_OUT; o++)
        rows_free(&c.out[o]);
}

/* ---- union-find, the user's summary ---- */

struct edge32 {
    uint32_t u, v;
};

/* The number of vertices: the blob is n parent pointers. */
struct uf_arg {
    uint32_t n;
};

static uint32_t uf_find(uint32_t *p, uint32_t x)
{
    while (p[x] != x) {
        p[x] = p[p[x]];
        x = p[x];
    }
    return x;
}

/* Union by least root, so a component's root is its least vertex. */
static void uf_union(uint32_t *p, uint32_t a, uint32_t b)
{
    a = uf_find(p, a);
    b = uf_find(p, b);
    if (a < b)
        p[b] = a;
    else if (b < a)
        p[a] = b;
}

static void uf_init(void *blob, void *arg)
{
    const struct uf_arg *u = arg;
    uint32_t *p = blob;

    for (uint32_t i = 0; i < u->n; i++)
        p[i] = i;
}

static int uf_fold(void *blob, const void *rec, void *arg)
{
    const struct uf_arg *u = arg;
    struct edge32 e;

    memcpy(&e, rec, sizeof(e));
    if (e.u >= u->n || e.v >= u->n)
        return -ERANGE;
    uf_union(blob, e.u, e.v);
    return 0;
}

/* Every parent link of from is an edge of from's forest. */
static int uf_merge(void *into, const void *from, void *arg)
{
    const struct uf_arg *u = arg;
    const uint32_t *f = from;

    for (uint32_t i = 0; i < u->n; i++)
        uf_union(into, i, f[i]);
    return 0;
}

/* Canonical labels: each vertex points at its component's least vertex. */
static void uf_flatten(uint32_t *p, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++)
        p[i] = uf_find(p, i);
}

/* The 48-vertex case has no emit callback: the merged forest itself is
 * the output record, and this map after the summary flattens it to
 * canonical labels, which do not depend on the order of merges. */
static void flatten_map(const void *in, void *out, void *arg)
{
    const struct uf_arg *u = arg;

    memcpy(out, in, (size_t)u->n * sizeof(uint32_t));
    uf_flatten(out, u->n);
}

/* ---- union-find on 48 vertices: the blob itself is the output ---- */

#define SMALL_N 48

static struct uf_arg small = {SMALL_N};

static void gen_small_edge(struct rng *r, void *rec)
{
    struct edge32 e = {rng_below(r, SMALL_N), rng_below(r, SMALL_N)};

    memcpy(rec, &e, sizeof(e));
}

static gy_stream_t *build_uf(struct tctx *c, gy_dataflow_t *df, gy_stream_t *in)
{
    struct gy_summary_spec spec = {
        .name = "uf", .size = SMALL_N * sizeof(uint32_t), .init = uf_init, .fold = uf_fold,
        .merge = uf_merge, .arg = &small,
    };
    gy_stream_t *plain, *carried;
    size_t size = SMALL_N * sizeof(uint32_t);

    (void)df;
    plain = gy_op_map(gy_op_summary(in, &spec), "flat", size, flatten_map, &small);
    spec.name = "uf_running";
    spec.carry = true;
    carried = gy_op_map(gy_op_summary(in, &spec), "flat_running", size, flatten_map, &small);
    sink(plain, &c->out[0]);
    sink(carried, &c->out[1]);
    return carried;
}

/* Per epoch with edges: labels of that epoch's edges, and of all so far. */
static void oracle_uf(const struct plan *p, struct rows *want)
{
    uint32_t run[SMALL_N], one[SMALL_N];

    uf_init(run, &small);
    for (uint32_t k = 0; k < p->nepochs; k++) {
        struct gy_time t = gy_time_epoch(p->epoch[k]);
        if (p->start[k] == p->start[k + 1])
            continue; /* no records anywhere: no summary */
        uf_init(one, &small);
        for (uint32_t j = p->start[k]; j < p->start[k + 1]; j++) {
            assert_int_equal(uf_fold(one, plan_rec(p, j), &small), 0);
            assert_int_equal(uf_fold(run, plan_rec(p, j), &small), 0);
        }
        uf_flatten(one, SMALL_N);
        uf_flatten(run, SMALL_N);
        rows_push(&want[0], &t, one, sizeof(one));
        rows_push(&want[1], &t, run, sizeof(run));
    }
}

static void test_summary_op_union_find(void **state)
{
    (void)state;
    check_all("union-find", build_uf, oracle_uf, sizeof(struct edge32), 20, gen_small_edge, 2);
}

/* ---- union-find on 3000 vertices: blobs in chunks, an emit callback ---- */

#define BIG_N 3000

static struct uf_arg big = {BIG_N};

struct comp {
    uint64_t root, size;
};

static void gen_big_edge(struct rng *r, void *rec)
{
    struct edge32 e = {rng_below(r, BIG_N), rng_below(r, BIG_N)};

    memcpy(rec, &e, sizeof(e));
}

/* Appends (root, size) of every component with 2 or more vertices of a
 * flattened forest to out; returns how many. */
static size_t components(const uint32_t *p, uint32_t n, struct comp *out)
{
    uint32_t *size = calloc(n, sizeof(*size));
    size_t k = 0;

    assert_non_null(size);
    for (uint32_t i = 0; i < n; i++)
        size[p[i]]++;
    for (uint32_t i = 0; i < n; i++)
        if (size[i] >= 2)
            out[k++] = (struct comp){i, size[i]};
    free(size);
    return k;
}

static int uf_emit(void *blob, gy_emit_t *emit, void *arg)
{
    const struct uf_arg *u = arg;
    struct comp *c = malloc(u->n * sizeof(*c));
    size_t k;
    int rc;

    if (!c)
        return -ENOMEM;
    uf_flatten(blob, u->n);
    k = components(blob, u->n, c);
    rc = gy_emit_n(emit, c, (uint32_t)k);
    free(c);
    return rc;
}

static gy_stream_t *build_big(struct tctx *c, gy_dataflow_t *df, gy_stream_t *in)
{
    struct gy_summary_spec spec = {
        .name = "uf_big", .size = BIG_N * sizeof(uint32_t), .init = uf_init, .fold = uf_fold,
        .merge = uf_merge, .emit = uf_emit, .out_size = sizeof(struct comp), .arg = &big,
    };
    gy_stream_t *carried;

    (void)df;
    sink(gy_op_summary(in, &spec), &c->out[0]);
    spec.name = "uf_big_running";
    spec.carry = true;
    carried = gy_op_summary(in, &spec);
    sink(carried, &c->out[1]);
    return carried;
}

static void push_components(struct rows *want, uint64_t epoch, uint32_t *p)
{
    struct comp *c = malloc(BIG_N * sizeof(*c));
    struct gy_time t = gy_time_epoch(epoch);
    size_t k;

    assert_non_null(c);
    uf_flatten(p, BIG_N);
    k = components(p, BIG_N, c);
    for (size_t i = 0; i < k; i++)
        rows_push(want, &t, &c[i], sizeof(c[i]));
    free(c);
}

static void oracle_big(const struct plan *p, struct rows *want)
{
    static uint32_t run[BIG_N], one[BIG_N];

    uf_init(run, &big);
    for (uint32_t k = 0; k < p->nepochs; k++) {
        if (p->start[k] == p->start[k + 1])
            continue;
        uf_init(one, &big);
        for (uint32_t j = p->start[k]; j < p->start[k + 1]; j++) {
            assert_int_equal(uf_fold(one, plan_rec(p, j), &big), 0);
            assert_int_equal(uf_fold(run, plan_rec(p, j), &big), 0);
        }
        push_components(&want[0], p->epoch[k], one);
        push_components(&want[1], p->epoch[k], run);
    }
}

static void test_summary_op_chunked(void **state)
{
    (void)state;
    check_all("union-find in chunks", build_big, oracle_big, sizeof(struct edge32), 600,
              gen_big_edge, 2);
}

/* ---- inside a loop: per (epoch, iteration), with and without carry ---- */

/* A record that goes round the loop ttl more times. */
struct lrec {
    uint64_t key, val, ttl;
};

struct stats {
    uint64_t count, sum, xor;
};

static void gen_lrec(struct rng *r, void *rec)
{
    struct lrec x = {rng_below(r, 100), rng_below(r, 1000000), rng_below(r, 5)};

    memcpy(rec, &x, sizeof(x));
}

static uint64_t instance(const struct lrec *x)
{
    return x->val * 8 + x->ttl;
}

static int stats_fold(void *blob, const void *rec, void *arg)
{
    struct stats *s = blob;
    struct lrec x;

    (void)arg;
    memcpy(&x, rec, sizeof(x));
    s->count++;
    s->sum += instance(&x);
    s->xor ^= instance(&x) * 0x9e3779b97f4a7c15ULL;
    return 0;
}

static int stats_merge(void *into, const void *from, void *arg)
{
    struct stats *a = into;
    const struct stats *b = from;

    (void)arg;
    a->count += b->count;
    a->sum += b->sum;
    a->xor ^= b->xor;
    return 0;
}

static bool alive(const void *rec, void *arg)
{
    struct lrec x;

    (void)arg;
    memcpy(&x, rec, sizeof(x));
    return x.ttl > 0;
}

static void age(const void *in, void *out, void *arg)
{
    struct lrec x;

    (void)arg;
    memcpy(&x, in, sizeof(x));
    x.ttl--;
    memcpy(out, &x, sizeof(x));
}

static gy_stream_t *build_loop(struct tctx *c, gy_dataflow_t *df, gy_stream_t *in)
{
    gy_loop_t *l = gy_loop_new(df, 0, "ttl");
    struct gy_summary_spec spec = {
        .name = "stats", .size = sizeof(struct stats), .fold = stats_fold, .merge = stats_merge,
    };
    gy_stream_t *two[2], *var;
    gy_feedback_t *fb;

    if (!l || !(fb = gy_loop_feedback(l, sizeof(struct lrec), 1, &two[1])))
        return NULL;
    two[0] = gy_loop_enter(l, in);
    var = gy_op_concat(two, 2, "var");
    if (!var)
        return NULL;
    gy_feedback_connect(fb, gy_op_map(gy_op_filter(var, "alive", alive, NULL), "age",
                                      sizeof(struct lrec), age, NULL));
    sink(gy_op_summary(var, &spec), &c->out[0]);
    spec.name = "stats_running";
    spec.carry = true;
    sink(gy_op_summary(var, &spec), &c->out[1]);
    return gy_loop_leave(l, var);
}

struct tstat {
    struct gy_time t;
    struct stats s;
};

static int tstat_cmp(const void *a, const void *b)
{
    return gy_time_cmp(&((const struct tstat *)a)->t, &((const struct tstat *)b)->t);
}

/* Per (epoch, iteration) stats of the instances there; then running totals
 * in lexicographic time order. */
static void oracle_loop(const struct plan *p, struct rows *want)
{
    struct tstat *v = calloc((size_t)p->nepochs * 5 + 1, sizeof(*v));
    struct stats run = {0, 0, 0};
    size_t n = 0;

    assert_non_null(v);
    for (uint32_t k = 0; k < p->nepochs; k++)
        for (uint32_t i = 0; i < 5; i++) {
            struct tstat ts = {gy_time_zero(1), {0, 0, 0}};
            ts.t.epoch = p->epoch[k];
            ts.t.iter[0] = i;
            for (uint32_t j = p->start[k]; j < p->start[k + 1]; j++) {
                struct lrec x;
                memcpy(&x, plan_rec(p, j), sizeof(x));
                if (x.ttl < i)
                    continue;
                x.ttl -= i;
                assert_int_equal(stats_fold(&ts.s, &x, NULL), 0);
            }
            if (ts.s.count > 0)
                v[n++] = ts;
        }
    qsort(v, n, sizeof(*v), tstat_cmp);
    for (size_t i = 0; i < n; i++) {
        rows_push(&want[0], &v[i].t, &v[i].s, sizeof(v[i].s));
        assert_int_equal(stats_merge(&run, &v[i].s, NULL), 0);
        rows_push(&want[1], &v[i].t, &run, sizeof(run));
    }
    free(v);
}

static void test_summary_op_in_loop(void **state)
{
    (void)state;
    check_all("summary in a loop", build_loop, oracle_loop, sizeof(struct lrec), 200, gen_lrec,
              2);
}

/* ---- a failing fold ends the run ---- */

static struct uf_arg tiny = {4}; /* edges of 48 vertices: most fold calls fail */

static gy_stream_t *build_fail(struct tctx *c, gy_dataflow_t *df, gy_stream_t *in)
{
    struct gy_summary_spec spec = {
        .name = "bad", .size = 4 * sizeof(uint32_t), .init = uf_init, .fold = uf_fold,
        .merge = uf_merge, .arg = &tiny,
    };

    (void)df;
    sink(gy_op_summary(in, &spec), &c->out[0]);
    return NULL;
}

static void test_summary_op_fold_failure(void **state)
{
    struct tctx c;
    char err[512];

    (void)state;
    memset(&c, 0, sizeof(c));
    c.build = build_fail;
    rows_init(&c.out[0]);
    rows_init(&c.out[1]);
    for (uint32_t wi = 0; wi < NWORKERS; wi++) {
        struct plan p;
        plan_make(&p, 11 + wi, sizeof(struct edge32), 50, gen_small_edge);
        assert_true(p.start[p.nepochs] > 0);
        c.plan = &p;
        assert_int_equal(run_on(&c, WORKERS[wi], err, sizeof(err)), -ECANCELED);
        assert_non_null(strstr(err, "operator 'bad.fold'"));
        assert_non_null(strstr(err, strerror(ERANGE)));
        free(p.recs);
    }
    rows_free(&c.out[0]);
    rows_free(&c.out[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_op_union_find),
        cmocka_unit_test(test_summary_op_chunked),
        cmocka_unit_test(test_summary_op_in_loop),
        cmocka_unit_test(test_summary_op_fold_failure),
    };

    return cmocka_run_group_tests_name("summary_op", tests, NULL, NULL);
}
