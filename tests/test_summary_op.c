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
#include "tests/support/flow.h"
#include "tests/support/rng.h"
#include "tests/support/rows.h"

#define SEEDS 2           /* random inputs per test and worker count */

/* ---- this file's plans and checks (tests/support/flow.h) ---- */

/* One input, up to 12 epochs, one in five empty. */
static struct ts_plan_spec spec(size_t size, uint32_t max, ts_gen_fn gen)
{
    struct ts_plan_spec s = {.ninputs = 1, .sizes = {size}, .max_per_epoch = {max}, .gen = gen,
                             .max_epochs = 12, .empty_one_in = 5};

    return s;
}

/* This file's own plan generator (ts_plan_make draws all epochs first):
 * each epoch's record count, wait, gap and records in one go. */
static void plan_make(struct ts_plan *p, uint64_t seed, const struct ts_plan_spec *s)
{
    uint64_t r = seed;
    uint64_t e = ts_rng_below(&r, 3);
    uint32_t total = 0, max = s->max_per_epoch[0];
    size_t size = s->sizes[0];

    memset(p, 0, sizeof(*p));
    p->seed = seed;
    p->ninputs = 1;
    p->rec_size[0] = size;
    p->nepochs = 4 + ts_rng_below(&r, s->max_epochs - 3);
    p->recs[0] = malloc((size_t)p->nepochs * (max + 1) * size);
    assert_non_null(p->recs[0]);
    for (uint32_t k = 0; k < p->nepochs; k++) {
        uint32_t n = ts_rng_below(&r, s->empty_one_in) == 0 ? 0 : ts_rng_below(&r, max + 1);
        p->epoch[k] = e;
        p->wait[k] = ts_rng_below(&r, 3) == 0;
        e += 1 + ts_rng_below(&r, 3);
        p->start[0][k] = total;
        for (uint32_t j = 0; j < n; j++)
            s->gen(&r, 0, p->recs[0] + (size_t)(total + j) * size);
        total += n;
    }
    p->start[0][p->nepochs] = total;
}

/* For every worker count and seed: generate, run, compare nout sinks. */
static void check_all(const char *label, ts_build_fn build, ts_oracle_fn oracle, size_t size,
                      uint32_t max, ts_gen_fn gen, uint32_t nout)
{
    struct ts_check ck = {.label = label, .build = build, .oracle = oracle, .nout = nout,
                          .seeds = SEEDS, .seed_base = 4000, .plan = spec(size, max, gen),
                          .make = plan_make};

    ts_flow_check(&ck);
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

static void gen_small_edge(uint64_t *r, uint32_t input, void *rec)
{
    struct edge32 e = {ts_rng_below(r, SMALL_N), ts_rng_below(r, SMALL_N)};

    (void)input;
    memcpy(rec, &e, sizeof(e));
}

static void build_uf(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                     gy_stream_t **probe_on)
{
    struct gy_summary_spec spec = {
        .name = "uf", .size = SMALL_N * sizeof(uint32_t), .init = uf_init, .fold = uf_fold,
        .merge = uf_merge, .arg = &small,
    };
    gy_stream_t *plain, *carried;
    size_t size = SMALL_N * sizeof(uint32_t);

    (void)df;
    plain = gy_op_map(gy_op_summary(in[0], &spec), "flat", size, flatten_map, &small);
    spec.name = "uf_running";
    spec.carry = true;
    carried = gy_op_map(gy_op_summary(in[0], &spec), "flat_running", size, flatten_map, &small);
    ts_sink(plain, &c->out[0]);
    ts_sink(carried, &c->out[1]);
    *probe_on = carried;
}

/* Per epoch with edges: labels of that epoch's edges, and of all so far. */
static void oracle_uf(const struct ts_plan *p, struct ts_rows *want)
{
    uint32_t run[SMALL_N], one[SMALL_N];

    uf_init(run, &small);
    for (uint32_t k = 0; k < p->nepochs; k++) {
        struct gy_time t = gy_time_epoch(p->epoch[k]);
        if (p->start[0][k] == p->start[0][k + 1])
            continue; /* no records anywhere: no summary */
        uf_init(one, &small);
        for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++) {
            assert_int_equal(uf_fold(one, ts_plan_rec(p, 0, j), &small), 0);
            assert_int_equal(uf_fold(run, ts_plan_rec(p, 0, j), &small), 0);
        }
        uf_flatten(one, SMALL_N);
        uf_flatten(run, SMALL_N);
        ts_rows_push(&want[0], &t, 0, one, sizeof(one));
        ts_rows_push(&want[1], &t, 0, run, sizeof(run));
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

static void gen_big_edge(uint64_t *r, uint32_t input, void *rec)
{
    struct edge32 e = {ts_rng_below(r, BIG_N), ts_rng_below(r, BIG_N)};

    (void)input;
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

static void build_big(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                      gy_stream_t **probe_on)
{
    struct gy_summary_spec spec = {
        .name = "uf_big", .size = BIG_N * sizeof(uint32_t), .init = uf_init, .fold = uf_fold,
        .merge = uf_merge, .emit = uf_emit, .out_size = sizeof(struct comp), .arg = &big,
    };
    gy_stream_t *carried;

    (void)df;
    ts_sink(gy_op_summary(in[0], &spec), &c->out[0]);
    spec.name = "uf_big_running";
    spec.carry = true;
    carried = gy_op_summary(in[0], &spec);
    ts_sink(carried, &c->out[1]);
    *probe_on = carried;
}

static void push_components(struct ts_rows *want, uint64_t epoch, uint32_t *p)
{
    struct comp *c = malloc(BIG_N * sizeof(*c));
    struct gy_time t = gy_time_epoch(epoch);
    size_t k;

    assert_non_null(c);
    uf_flatten(p, BIG_N);
    k = components(p, BIG_N, c);
    for (size_t i = 0; i < k; i++)
        ts_rows_push(want, &t, 0, &c[i], sizeof(c[i]));
    free(c);
}

static void oracle_big(const struct ts_plan *p, struct ts_rows *want)
{
    static uint32_t run[BIG_N], one[BIG_N];

    uf_init(run, &big);
    for (uint32_t k = 0; k < p->nepochs; k++) {
        if (p->start[0][k] == p->start[0][k + 1])
            continue;
        uf_init(one, &big);
        for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++) {
            assert_int_equal(uf_fold(one, ts_plan_rec(p, 0, j), &big), 0);
            assert_int_equal(uf_fold(run, ts_plan_rec(p, 0, j), &big), 0);
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

static void gen_lrec(uint64_t *r, uint32_t input, void *rec)
{
    struct lrec x = {ts_rng_below(r, 100), ts_rng_below(r, 1000000), ts_rng_below(r, 5)};

    (void)input;
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

static void build_loop(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                       gy_stream_t **probe_on)
{
    gy_loop_t *l = gy_loop_new(df, 0, "ttl");
    struct gy_summary_spec spec = {
        .name = "stats", .size = sizeof(struct stats), .fold = stats_fold, .merge = stats_merge,
    };
    gy_stream_t *two[2], *var;
    gy_feedback_t *fb;

    if (!l || !(fb = gy_loop_feedback(l, sizeof(struct lrec), 1, &two[1])))
        return;
    two[0] = gy_loop_enter(l, in[0]);
    var = gy_op_concat(two, 2, "var");
    if (!var)
        return;
    gy_feedback_connect(fb, gy_op_map(gy_op_filter(var, "alive", alive, NULL), "age",
                                      sizeof(struct lrec), age, NULL));
    ts_sink(gy_op_summary(var, &spec), &c->out[0]);
    spec.name = "stats_running";
    spec.carry = true;
    ts_sink(gy_op_summary(var, &spec), &c->out[1]);
    *probe_on = gy_loop_leave(l, var);
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
static void oracle_loop(const struct ts_plan *p, struct ts_rows *want)
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
            for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++) {
                struct lrec x;
                memcpy(&x, ts_plan_rec(p, 0, j), sizeof(x));
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
        ts_rows_push(&want[0], &v[i].t, 0, &v[i].s, sizeof(v[i].s));
        assert_int_equal(stats_merge(&run, &v[i].s, NULL), 0);
        ts_rows_push(&want[1], &v[i].t, 0, &run, sizeof(run));
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

static void build_fail(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                       gy_stream_t **probe_on)
{
    struct gy_summary_spec spec = {
        .name = "bad", .size = 4 * sizeof(uint32_t), .init = uf_init, .fold = uf_fold,
        .merge = uf_merge, .arg = &tiny,
    };

    (void)df;
    (void)probe_on; /* no probe: the run fails */
    ts_sink(gy_op_summary(in[0], &spec), &c->out[0]);
}

static void test_summary_op_fold_failure(void **state)
{
    struct ts_plan_spec s = spec(sizeof(struct edge32), 50, gen_small_edge);
    struct ts_flow c;
    char err[512];

    (void)state;
    ts_flow_init(&c, build_fail);
    for (uint32_t wi = 0; wi < TS_FLOW_NWORKERS; wi++) {
        struct ts_plan p;
        plan_make(&p, 11 + wi, &s);
        assert_true(p.start[0][p.nepochs] > 0);
        c.plan = &p;
        assert_int_equal(ts_flow_run(&c, ts_flow_workers[wi], err, sizeof(err)), -ECANCELED);
        assert_non_null(strstr(err, "operator 'bad.fold'"));
        assert_non_null(strstr(err, strerror(ERANGE)));
        ts_plan_free(&p);
    }
    ts_flow_destroy(&c);
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
