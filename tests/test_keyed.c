/*
 * Tests for the keyed operators (operators/keyed.h): distinct, join,
 * reduce, min_by_key, arrangements and join_arranged.
 *
 * Every dataflow runs on 1, 2, 3 and 8 workers over seeded random inputs:
 * random epoch numbers with gaps and empty epochs, records sent by one
 * worker each in random chunks, and probe waits after some epochs only, so
 * several epochs (and their iterations) are in flight at once. Sinks
 * (plain gy_op_new operators) collect every output record with its full
 * time; after the run the rows are compared with an oracle computed
 * sequentially from the generated input:
 *  - distinct per time and across times (GY_KEEP_ALL and GY_KEEP_ITERS,
 *    which agree outside loops), and inside a loop as a BFS frontier
 *    (ITERS: BFS levels per epoch; ALL: a BFS whose visited set spans
 *    epochs in order);
 *  - join per time and across times outside loops, and all three keep
 *    modes inside a loop where records circulate for a few iterations:
 *    every pair is checked against a nested-loop oracle with the product
 *    order's join time;
 *  - reduce (a non-associative per-key function: weighted sum of sorted
 *    values and the median) and min_by_key per time and across times;
 *  - distinct (ITERS, ALL) and min_by_key (ALL) inside a loop on records
 *    that circulate whatever these operators emit, so that a time applied
 *    before an earlier one of its group would show;
 *  - connected components by min-label propagation: min_by_key(ITERS)
 *    inside a loop, joined against an arrangement of the edges made
 *    outside it (visible at (e, i) iff the edge's epoch <= e), the edges
 *    held back a few steps so that labels overtake them. The rows
 *    are checked against a synchronous simulation, the final labels
 *    against igraph's components, and every arranged record handed to the
 *    join callback is checked to lie in the arrangement's own storage
 *    (no copy);
 *  - a failing reduce callback ends the run with the operator's name;
 *  - the record set, key index and contiguous key map against brute force.
 *
 * GY_TEST_SCALE=n multiplies the input sizes.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <igraph.h>

#include "operators/builtins.h"
#include "operators/input.h"
#include "operators/keyed.h"
#include "operators/keyed_internal.h"
#include "operators/loop.h"
#include "operators/op.h"
#include "runtime/runtime.h"
#include "tests/support/flow.h"
#include "tests/support/rng.h"
#include "tests/support/rows.h"
#include "tests/support/times.h"

#define SEEDS 2           /* random inputs per test and worker count */

/* ---- this file's plans and checks (tests/support/flow.h) ---- */

struct check {
    const char *label;
    ts_build_fn build;
    ts_oracle_fn oracle;
    uint32_t ninputs;
    size_t sizes[TS_PLAN_MAX_IN];
    uint32_t max_per_epoch[TS_PLAN_MAX_IN];    /* records, times GY_TEST_SCALE */
    ts_gen_fn gen;
    uint32_t nout;
};

/* Up to 12 epochs, one input epoch in six empty. */
static struct ts_plan_spec spec(uint32_t ninputs, const size_t *sizes,
                                const uint32_t *max_per_epoch, ts_gen_fn gen)
{
    struct ts_plan_spec s = {.ninputs = ninputs, .gen = gen, .max_epochs = 12, .empty_one_in = 6};

    for (uint32_t i = 0; i < ninputs; i++) {
        s.sizes[i] = sizes[i];
        s.max_per_epoch[i] = max_per_epoch[i] * ts_scale();
    }
    return s;
}

/* For every worker count and seed: generate, run, compare nout sinks. */
static void check_all(const struct check *ck)
{
    struct ts_check c = {.label = ck->label, .build = ck->build, .oracle = ck->oracle,
                         .nout = ck->nout, .seeds = SEEDS, .seed_base = 7000,
                         .plan = spec(ck->ninputs, ck->sizes, ck->max_per_epoch, ck->gen)};

    ts_flow_check(&c);
}

static void push_iter(struct ts_rows *r, uint64_t epoch, uint32_t i, const void *rec, size_t size)
{
    struct gy_time t = ts_time1(epoch, i);

    ts_rows_push(r, &t, 0, rec, size);
}

/* ---- records, keys, generators ---- */

struct kv {
    uint64_t key;
    uint64_t val;
};

/* Few keys and few values: records repeat within and across epochs. */
static void gen_kv_dup(uint64_t *r, uint32_t input, void *rec)
{
    struct kv x = {ts_rng_below(r, 30), ts_rng_below(r, 4)};

    (void)input;
    memcpy(rec, &x, sizeof(x));
}

static void gen_kv(uint64_t *r, uint32_t input, void *rec)
{
    struct kv x = {ts_rng_below(r, 40), ts_rng_below(r, 1000) + 1000 * input};

    memcpy(rec, &x, sizeof(x));
}

/* A record of input i with the epoch index k it was sent in. */
struct at {
    uint32_t k;
    uint32_t j;
};

/* ---- distinct per time ---- */

static void build_distinct_time(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                                gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_distinct(in[0], "distinct", ts_key_first, NULL, GY_KEEP_TIME);

    (void)df;
    ts_sink(s, &c->out[0]);
    *probe_on = s;
}

static int kv_cmp(const void *a, const void *b)
{
    return memcmp(a, b, sizeof(struct kv));
}

static void oracle_distinct_time(const struct ts_plan *p, struct ts_rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++) {
        uint32_t n = p->start[0][k + 1] - p->start[0][k];
        struct kv *v = malloc((n + 1) * sizeof(*v));
        assert_non_null(v);
        memcpy(v, ts_plan_rec(p, 0, p->start[0][k]), n * sizeof(*v));
        qsort(v, n, sizeof(*v), kv_cmp);
        for (uint32_t i = 0; i < n; i++)
            if (i == 0 || kv_cmp(&v[i], &v[i - 1]) != 0)
                ts_rows_push_epoch(&want[0], p->epoch[k], &v[i], sizeof(v[i]));
        free(v);
    }
}

static void test_keyed_distinct_per_time(void **state)
{
    struct check ck = {"distinct per time", build_distinct_time, oracle_distinct_time, 1,
                       {sizeof(struct kv)}, {400}, gen_kv_dup, 1};

    (void)state;
    check_all(&ck);
}

/* ---- distinct across times (outside loops ALL and ITERS agree) ---- */

static void build_distinct_all(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                               gy_stream_t **probe_on)
{
    gy_stream_t *all = gy_op_distinct(in[0], "first_all", ts_key_first, NULL, GY_KEEP_ALL);
    gy_stream_t *iters = gy_op_distinct(in[0], "first_iters", ts_key_first, NULL, GY_KEEP_ITERS);

    (void)df;
    ts_sink(all, &c->out[0]);
    ts_sink(iters, &c->out[1]);
    *probe_on = all;
}

struct kvat {
    struct kv x;
    uint32_t k;
};

static int kvat_cmp(const void *a, const void *b)
{
    const struct kvat *x = a, *y = b;
    int c = kv_cmp(&x->x, &y->x);

    return c ? c : (x->k > y->k) - (x->k < y->k);
}

/* Each record at the first epoch it occurs in. */
static void oracle_distinct_all(const struct ts_plan *p, struct ts_rows *want)
{
    uint32_t n = p->start[0][p->nepochs];
    struct kvat *v = malloc((n + 1) * sizeof(*v));

    assert_non_null(v);
    for (uint32_t k = 0; k < p->nepochs; k++)
        for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++) {
            memcpy(&v[j].x, ts_plan_rec(p, 0, j), sizeof(v[j].x));
            v[j].k = k;
        }
    qsort(v, n, sizeof(*v), kvat_cmp);
    for (uint32_t i = 0; i < n; i++)
        if (i == 0 || kv_cmp(&v[i].x, &v[i - 1].x) != 0) {
            ts_rows_push_epoch(&want[0], p->epoch[v[i].k], &v[i].x, sizeof(v[i].x));
            ts_rows_push_epoch(&want[1], p->epoch[v[i].k], &v[i].x, sizeof(v[i].x));
        }
    free(v);
}

static void test_keyed_distinct_across_times(void **state)
{
    struct check ck = {"distinct across times", build_distinct_all, oracle_distinct_all, 1,
                       {sizeof(struct kv)}, {300}, gen_kv_dup, 2};

    (void)state;
    check_all(&ck);
}

/* ---- distinct inside a loop: BFS ---- */

#define NV 400

static uint32_t nbr(uint64_t v, uint32_t i)
{
    switch (i) {
    case 0: return (uint32_t)((v * 7 + 3) % NV);
    case 1: return (uint32_t)((v * 11 + 1) % NV);
    default: return (uint32_t)(v / 3);
    }
}

static int neighbours(const void *rec, gy_emit_t *e, void *arg)
{
    uint64_t v = ts_u64_at(rec, 0);

    (void)arg;
    for (uint32_t i = 0; i < 3; i++) {
        uint64_t u = nbr(v, i);
        int rc = gy_emit(e, &u);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static void gen_root(uint64_t *r, uint32_t input, void *rec)
{
    uint64_t v = ts_rng_below(r, NV);

    (void)input;
    memcpy(rec, &v, sizeof(v));
}

/* A BFS loop whose frontier is distinct(keep); returns what leaves. */
static gy_stream_t *bfs_loop(gy_dataflow_t *df, gy_stream_t *roots, enum gy_keep keep,
                             const char *name, struct ts_rows *out)
{
    gy_loop_t *l = gy_loop_new(df, 0, name);
    gy_stream_t *two[2], *reach, *next;
    gy_feedback_t *fb;

    if (!l || !(fb = gy_loop_feedback(l, sizeof(uint64_t), 1, &two[1])))
        return NULL;
    two[0] = gy_loop_enter(l, roots);
    reach = gy_op_distinct(gy_op_concat(two, 2, "var"), "reached", ts_key_first, NULL, keep);
    ts_sink(reach, out);
    next = gy_op_flat_map(reach, "nbrs", sizeof(uint64_t), neighbours, NULL);
    if (next)
        gy_feedback_connect(fb, next);
    return gy_loop_leave(l, reach);
}

static void build_bfs(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                      gy_stream_t **probe_on)
{
    gy_stream_t *two[2];

    two[0] = bfs_loop(df, in[0], GY_KEEP_ITERS, "bfs_iters", &c->out[0]);
    two[1] = bfs_loop(df, in[0], GY_KEEP_ALL, "bfs_all", &c->out[1]);
    if (two[0] && two[1])
        *probe_on = gy_op_concat(two, 2, "both");
}

/* BFS from the roots of epoch k, over vertices not in seen (which it
 * extends), emitting each vertex at (epoch, level). */
static void bfs_epoch(const struct ts_plan *p, uint32_t k, bool *seen, struct ts_rows *want)
{
    uint32_t *cur = malloc(NV * sizeof(*cur)), *nxt = malloc(NV * sizeof(*nxt)), nc = 0, nn;

    assert_non_null(cur);
    assert_non_null(nxt);
    for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++) {
        uint64_t v = ts_u64_at(ts_plan_rec(p, 0, j), 0);
        if (!seen[v]) {
            seen[v] = true;
            cur[nc++] = (uint32_t)v;
        }
    }
    for (uint32_t level = 0; nc > 0; level++) {
        nn = 0;
        for (uint32_t i = 0; i < nc; i++) {
            uint64_t v = cur[i];
            push_iter(want, p->epoch[k], level, &v, sizeof(v));
            for (uint32_t d = 0; d < 3; d++)
                if (!seen[nbr(v, d)]) {
                    seen[nbr(v, d)] = true;
                    nxt[nn++] = nbr(v, d);
                }
        }
        memcpy(cur, nxt, nn * sizeof(*cur));
        nc = nn;
    }
    free(cur);
    free(nxt);
}

static void oracle_bfs(const struct ts_plan *p, struct ts_rows *want)
{
    bool seen_all[NV] = {false};

    for (uint32_t k = 0; k < p->nepochs; k++) {
        bool seen[NV] = {false};
        bfs_epoch(p, k, seen, &want[0]);      /* ITERS: a fresh BFS per epoch */
        bfs_epoch(p, k, seen_all, &want[1]);  /* ALL: visited spans epochs, in order */
    }
}

static void test_keyed_distinct_in_loop(void **state)
{
    struct check ck = {"distinct in a loop (BFS)", build_bfs, oracle_bfs, 1,
                       {sizeof(uint64_t)}, {4}, gen_root, 2};

    (void)state;
    check_all(&ck);
}

/* ---- join outside loops: per time and across times ---- */

struct joined {
    uint64_t key, a, b;
};

static void join_kv(const void *a, const void *b, void *out, void *arg)
{
    struct joined o = {ts_u64_at(a, 0), ts_u64_at(a, 8), ts_u64_at(b, 8)};

    (void)arg;
    memcpy(out, &o, sizeof(o));
}

static gy_stream_t *join_keep(gy_stream_t *a, gy_stream_t *b, enum gy_keep keep,
                              const char *name, gy_join_fn fn)
{
    struct gy_join_spec spec = {
        .name = name, .key_a = ts_key_first, .key_b = ts_key_first,
        .out_size = sizeof(struct joined), .join = fn, .keep = keep,
    };

    return gy_op_join(a, b, &spec);
}

static void build_join(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                       gy_stream_t **probe_on)
{
    gy_stream_t *t = join_keep(in[0], in[1], GY_KEEP_TIME, "join_time", join_kv);

    (void)df;
    ts_sink(t, &c->out[0]);
    ts_sink(join_keep(in[0], in[1], GY_KEEP_ALL, "join_all", join_kv), &c->out[1]);
    ts_sink(join_keep(in[0], in[1], GY_KEEP_ITERS, "join_iters", join_kv), &c->out[2]);
    *probe_on = t;
}

/* Every pair: per epoch (TIME) and at the later epoch (ALL, and ITERS,
 * which is ALL outside loops). */
static void oracle_join(const struct ts_plan *p, struct ts_rows *want)
{
    for (uint32_t ka = 0; ka < p->nepochs; ka++)
        for (uint32_t i = p->start[0][ka]; i < p->start[0][ka + 1]; i++)
            for (uint32_t kb = 0; kb < p->nepochs; kb++)
                for (uint32_t j = p->start[1][kb]; j < p->start[1][kb + 1]; j++) {
                    const void *a = ts_plan_rec(p, 0, i), *b = ts_plan_rec(p, 1, j);
                    struct joined o;
                    uint32_t k = ka > kb ? ka : kb;
                    if (ts_u64_at(a, 0) != ts_u64_at(b, 0))
                        continue;
                    join_kv(a, b, &o, NULL);
                    if (ka == kb)
                        ts_rows_push_epoch(&want[0], p->epoch[ka], &o, sizeof(o));
                    ts_rows_push_epoch(&want[1], p->epoch[k], &o, sizeof(o));
                    ts_rows_push_epoch(&want[2], p->epoch[k], &o, sizeof(o));
                }
}

static void test_keyed_join(void **state)
{
    struct check ck = {"join", build_join, oracle_join, 2,
                       {sizeof(struct kv), sizeof(struct kv)}, {60, 60}, gen_kv, 3};

    (void)state;
    check_all(&ck);
}

/* ---- join inside a loop: all three keep modes ---- */

/* A record that goes round the loop ttl more times, ttl decreasing. */
struct lrec {
    uint64_t key, val, ttl;
};

static void gen_lrec(uint64_t *r, uint32_t input, void *rec)
{
    struct lrec x = {ts_rng_below(r, 12), ts_rng_below(r, 1000) + 1000 * input, ts_rng_below(r, 4)};

    memcpy(rec, &x, sizeof(x));
}

static bool alive(const void *rec, void *arg)
{
    (void)arg;
    return ts_u64_at(rec, 16) > 0;
}

static void age(const void *in, void *out, void *arg)
{
    struct lrec x;

    (void)arg;
    memcpy(&x, in, sizeof(x));
    x.ttl--;
    memcpy(out, &x, sizeof(x));
}

/* Distinguishes a record's instances (iterations) by its ttl. */
static uint64_t instance(const void *rec)
{
    return ts_u64_at(rec, 8) * 8 + ts_u64_at(rec, 16);
}

static void join_lrec(const void *a, const void *b, void *out, void *arg)
{
    struct joined o = {ts_u64_at(a, 0), instance(a), instance(b)};

    (void)arg;
    memcpy(out, &o, sizeof(o));
}

/* The loop variable of one input: what entered, then aged copies. */
static gy_stream_t *circulate(gy_loop_t *l, gy_stream_t *in, const char *name)
{
    gy_stream_t *two[2], *var;
    gy_feedback_t *fb = gy_loop_feedback(l, sizeof(struct lrec), 1, &two[1]);

    if (!fb)
        return NULL;
    two[0] = gy_loop_enter(l, in);
    var = gy_op_concat(two, 2, name);
    if (var)
        gy_feedback_connect(fb, gy_op_map(gy_op_filter(var, "alive", alive, NULL), "age",
                                          sizeof(struct lrec), age, NULL));
    return var;
}

static void build_join_loop(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                            gy_stream_t **probe_on)
{
    gy_loop_t *l = gy_loop_new(df, 0, "ttl");
    gy_stream_t *a, *b;
    static const enum gy_keep keeps[3] = {GY_KEEP_TIME, GY_KEEP_ITERS, GY_KEEP_ALL};

    if (!l)
        return;
    a = circulate(l, in[0], "a");
    b = circulate(l, in[1], "b");
    for (uint32_t m = 0; m < 3; m++)
        ts_sink(join_keep(a, b, keeps[m], "join_loop", join_lrec), &c->out[m]);
    *probe_on = gy_loop_leave(l, a);
}

struct inst {
    uint64_t e;
    uint32_t i;
    const void *rec;            /* the entering record */
};

/* Every instance of input `input`: a record with ttl d is at (e, 0..d). */
static size_t instances(const struct ts_plan *p, uint32_t input, struct inst *out,
                        struct lrec *recs)
{
    size_t n = 0;

    for (uint32_t k = 0; k < p->nepochs; k++)
        for (uint32_t j = p->start[input][k]; j < p->start[input][k + 1]; j++) {
            struct lrec x;
            memcpy(&x, ts_plan_rec(p, input, j), sizeof(x));
            for (uint32_t i = 0; i <= x.ttl; i++) {
                recs[n] = (struct lrec){x.key, x.val, x.ttl - i};
                out[n] = (struct inst){p->epoch[k], i, &recs[n]};
                n++;
            }
        }
    return n;
}

static void oracle_join_loop(const struct ts_plan *p, struct ts_rows *want)
{
    size_t cap0 = (size_t)p->start[0][p->nepochs] * 4 + 1;
    size_t cap1 = (size_t)p->start[1][p->nepochs] * 4 + 1;
    struct inst *a = malloc(cap0 * sizeof(*a)), *b = malloc(cap1 * sizeof(*b));
    struct lrec *ra = malloc(cap0 * sizeof(*ra)), *rb = malloc(cap1 * sizeof(*rb));
    size_t na, nb;

    assert_true(a && b && ra && rb);
    na = instances(p, 0, a, ra);
    nb = instances(p, 1, b, rb);
    for (size_t x = 0; x < na; x++)
        for (size_t y = 0; y < nb; y++) {
            struct joined o;
            uint64_t e = a[x].e > b[y].e ? a[x].e : b[y].e;
            uint32_t i = a[x].i > b[y].i ? a[x].i : b[y].i;
            if (ts_u64_at(a[x].rec, 0) != ts_u64_at(b[y].rec, 0))
                continue;
            join_lrec(a[x].rec, b[y].rec, &o, NULL);
            if (a[x].e == b[y].e && a[x].i == b[y].i)
                push_iter(&want[0], e, i, &o, sizeof(o));
            if (a[x].e == b[y].e)
                push_iter(&want[1], e, i, &o, sizeof(o));
            push_iter(&want[2], e, i, &o, sizeof(o));
        }
    free(a);
    free(b);
    free(ra);
    free(rb);
}

static void test_keyed_join_in_loop(void **state)
{
    struct check ck = {"join in a loop", build_join_loop, oracle_join_loop, 2,
                       {sizeof(struct lrec), sizeof(struct lrec)}, {20, 20}, gen_lrec, 3};

    (void)state;
    check_all(&ck);
}

/* ---- reduce ---- */

struct red {
    uint64_t key, n, median, weighted;
};

/* The key's values sorted: count, lower median and sum of (rank + 1) *
 * value, which changes if any value is missing, extra or misplaced. */
static struct red reduce_values(uint64_t key, uint64_t *vals, uint32_t n)
{
    struct red r = {key, n, 0, 0};

    qsort(vals, n, sizeof(*vals), ts_cmp_u64);
    r.median = vals[(n - 1) / 2];
    for (uint32_t i = 0; i < n; i++)
        r.weighted += (i + 1) * vals[i];
    return r;
}

static int reduce_kv(uint64_t key, void *recs, uint32_t n, gy_emit_t *emit, void *arg)
{
    uint64_t *vals = malloc(n * sizeof(*vals));
    struct red r;

    (void)arg;
    if (!vals)
        return -ENOMEM;
    for (uint32_t i = 0; i < n; i++) {
        if (ts_u64_at(recs, (size_t)i * sizeof(struct kv)) != key) {
            free(vals);
            return -EINVAL; /* a record of another key: fails the run */
        }
        vals[i] = ts_u64_at(recs, (size_t)i * sizeof(struct kv) + 8);
    }
    r = reduce_values(key, vals, n);
    free(vals);
    return gy_emit(emit, &r);
}

static void build_reduce(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                         gy_stream_t **probe_on)
{
    struct gy_reduce_spec spec = {
        .name = "reduce", .key = ts_key_first, .out_size = sizeof(struct red), .reduce = reduce_kv,
    };
    gy_stream_t *s = gy_op_reduce(in[0], &spec);

    (void)df;
    ts_sink(s, &c->out[0]);
    *probe_on = s;
}

static void oracle_reduce(const struct ts_plan *p, struct ts_rows *want)
{
    uint64_t *vals = malloc((p->start[0][p->nepochs] + 1) * sizeof(*vals));

    assert_non_null(vals);
    for (uint32_t k = 0; k < p->nepochs; k++)
        for (uint64_t key = 0; key < 40; key++) {
            uint32_t n = 0;
            struct red r;
            for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++)
                if (ts_u64_at(ts_plan_rec(p, 0, j), 0) == key)
                    vals[n++] = ts_u64_at(ts_plan_rec(p, 0, j), 8);
            if (n == 0)
                continue;
            r = reduce_values(key, vals, n);
            ts_rows_push_epoch(&want[0], p->epoch[k], &r, sizeof(r));
        }
    free(vals);
}

static void test_keyed_reduce(void **state)
{
    struct check ck = {"reduce", build_reduce, oracle_reduce, 1, {sizeof(struct kv)}, {2000},
                       gen_kv, 1};

    (void)state;
    check_all(&ck);
}

/* ---- min by key: per time and across times ---- */

struct mrec {
    uint64_t key, val, tag;
};

/* Few values: ties, broken by the record's bytes (the tag). */
static void gen_mrec(uint64_t *r, uint32_t input, void *rec)
{
    struct mrec x = {ts_rng_below(r, 30), ts_rng_below(r, 6), ts_rng_below(r, 1000)};

    (void)input;
    memcpy(rec, &x, sizeof(x));
}

static bool mrec_less(const void *a, const void *b)
{
    uint64_t va = ts_u64_at(a, 8), vb = ts_u64_at(b, 8);

    return va != vb ? va < vb : memcmp(a, b, sizeof(struct mrec)) < 0;
}

static void build_min(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                      gy_stream_t **probe_on)
{
    gy_stream_t *t = gy_op_min_by_key(in[0], "min_time", ts_key_first, NULL, 8, GY_KEEP_TIME);

    (void)df;
    ts_sink(t, &c->out[0]);
    ts_sink(gy_op_min_by_key(in[0], "min_all", ts_key_first, NULL, 8, GY_KEEP_ALL), &c->out[1]);
    ts_sink(gy_op_min_by_key(in[0], "min_iters", ts_key_first, NULL, 8, GY_KEEP_ITERS), &c->out[2]);
    *probe_on = t;
}

static void oracle_min(const struct ts_plan *p, struct ts_rows *want)
{
    struct mrec best[30];
    bool have[30] = {false};

    for (uint32_t k = 0; k < p->nepochs; k++)
        for (uint64_t key = 0; key < 30; key++) {
            const void *m = NULL;
            for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++)
                if (ts_u64_at(ts_plan_rec(p, 0, j), 0) == key &&
                    (!m || mrec_less(ts_plan_rec(p, 0, j), m)))
                    m = ts_plan_rec(p, 0, j);
            if (!m)
                continue;
            ts_rows_push_epoch(&want[0], p->epoch[k], m, sizeof(struct mrec));
            if (have[key] && !mrec_less(m, &best[key]))
                continue;
            have[key] = true;
            memcpy(&best[key], m, sizeof(best[key]));
            ts_rows_push_epoch(&want[1], p->epoch[k], m, sizeof(struct mrec));
            ts_rows_push_epoch(&want[2], p->epoch[k], m, sizeof(struct mrec));
        }
}

static void test_keyed_min_by_key(void **state)
{
    struct check ck = {"min_by_key", build_min, oracle_min, 1, {sizeof(struct mrec)}, {300},
                       gen_mrec, 3};

    (void)state;
    check_all(&ck);
}

/* ---- keep modes in a loop, off the feedback path ---- */

/* Projects a circulating record to few distinct values, so that records
 * repeat across iterations and epochs. The operators under test read the
 * loop variable but feed nothing back: their inputs of later iterations
 * arrive whatever they do, so applying a time too early would show. */
static void project(const void *in, void *out, void *arg)
{
    struct lrec x;
    struct mrec m;

    (void)arg;
    memcpy(&x, in, sizeof(x));
    m = (struct mrec){x.key % 10, (x.val + x.ttl) % 7, x.val % 3};
    memcpy(out, &m, sizeof(m));
}

static void build_keep_loop(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                            gy_stream_t **probe_on)
{
    gy_loop_t *l = gy_loop_new(df, 0, "keep");
    gy_stream_t *a, *m;

    if (!l)
        return;
    a = circulate(l, in[0], "a");
    m = gy_op_map(a, "project", sizeof(struct mrec), project, NULL);
    ts_sink(gy_op_distinct(m, "first_iters", ts_key_first, NULL, GY_KEEP_ITERS), &c->out[0]);
    ts_sink(gy_op_distinct(m, "first_all", ts_key_first, NULL, GY_KEEP_ALL), &c->out[1]);
    ts_sink(gy_op_min_by_key(m, "min_all", ts_key_first, NULL, 8, GY_KEEP_ALL), &c->out[2]);
    *probe_on = gy_loop_leave(l, a);
}

struct pinst {
    struct gy_time t;
    struct mrec m;
};

static int pinst_cmp(const void *a, const void *b)
{
    const struct pinst *x = a, *y = b;
    int c = gy_time_cmp(&x->t, &y->t);

    return c ? c : memcmp(&x->m, &y->m, sizeof(x->m));
}

/* The projected instances of input 0, sorted by time then record. */
static size_t keep_instances(const struct ts_plan *p, struct pinst **out)
{
    size_t cap = (size_t)p->start[0][p->nepochs] * 4 + 1, n;
    struct inst *a = malloc(cap * sizeof(*a));
    struct lrec *ra = malloc(cap * sizeof(*ra));
    struct pinst *v = malloc(cap * sizeof(*v));

    assert_true(a && ra && v);
    n = instances(p, 0, a, ra);
    for (size_t i = 0; i < n; i++) {
        v[i].t = ts_time1(a[i].e, a[i].i);
        project(a[i].rec, &v[i].m, NULL);
    }
    qsort(v, n, sizeof(*v), pinst_cmp);
    free(a);
    free(ra);
    *out = v;
    return n;
}

/* distinct ITERS: per epoch, each record at its least iteration; ALL: at
 * its lexicographically least time. Quadratic, and obviously so. */
static void oracle_keep_first(const struct pinst *v, size_t n, struct ts_rows *iters,
                              struct ts_rows *all)
{
    for (size_t i = 0; i < n; i++) {
        bool in_epoch = false, before = false;
        for (size_t j = 0; j < i; j++)
            if (memcmp(&v[j].m, &v[i].m, sizeof(v[i].m)) == 0) {
                before = true;
                in_epoch = in_epoch || v[j].t.epoch == v[i].t.epoch;
            }
        if (!in_epoch)
            ts_rows_push(iters, &v[i].t, 0, &v[i].m, sizeof(v[i].m));
        if (!before)
            ts_rows_push(all, &v[i].t, 0, &v[i].m, sizeof(v[i].m));
    }
}

/* min_by_key ALL: one time at a time in lexicographic order, a key's
 * least record of the time when it beats every earlier one. */
static void oracle_keep_min(const struct pinst *v, size_t n, struct ts_rows *want)
{
    struct mrec best[10];
    bool have[10] = {false};

    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && gy_time_eq(&v[j].t, &v[i].t); j++)
            ;
        for (uint64_t key = 0; key < 10; key++) {
            const struct mrec *m = NULL;
            for (size_t x = i; x < j; x++)
                if (v[x].m.key == key && (!m || mrec_less(&v[x].m, m)))
                    m = &v[x].m;
            if (!m || (have[key] && !mrec_less(m, &best[key])))
                continue;
            have[key] = true;
            best[key] = *m;
            ts_rows_push(want, &v[i].t, 0, m, sizeof(*m));
        }
    }
}

static void oracle_keep_loop(const struct ts_plan *p, struct ts_rows *want)
{
    struct pinst *v;
    size_t n = keep_instances(p, &v);

    oracle_keep_first(v, n, &want[0], &want[1]);
    oracle_keep_min(v, n, &want[2]);
    free(v);
}

static void test_keyed_keep_modes_in_loop(void **state)
{
    struct check ck = {"keep modes in a loop", build_keep_loop, oracle_keep_loop, 1,
                       {sizeof(struct lrec)}, {40}, gen_lrec, 3};

    (void)state;
    check_all(&ck);
}

/* ---- delay: holds batches for a few steps (a plain operator) ---- */

/* Holding batches back lets records downstream of other paths overtake
 * them, so operators that must wait for progress (join_arranged for its
 * arrangement) are caught if they do not. */
#define DELAY_STEPS 3
#define DELAY_MAX 64

struct held {
    struct gy_cap cap;
    unsigned char *data;
    uint32_t n;
};

struct delay {
    size_t size;
    struct held v[DELAY_MAX];
    uint32_t nv;
    uint32_t ticks;
};

static void delay_release(gy_op_t *op, struct delay *d)
{
    for (uint32_t i = 0; i < d->nv; i++) {
        if (gy_op_give(op, 0, &d->v[i].cap, d->v[i].data, d->v[i].n) != 0)
            return;
        gy_cap_drop(op, &d->v[i].cap);
        free(d->v[i].data);
    }
    d->nv = 0;
}

static void delay_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t n)
{
    struct delay *d = state;
    struct held *h;

    (void)port;
    if (d->nv == DELAY_MAX)
        delay_release(op, d);
    h = &d->v[d->nv++];
    h->data = malloc((size_t)n * d->size);
    assert_non_null(h->data);
    memcpy(h->data, recs, (size_t)n * d->size);
    h->n = n;
    if (gy_cap_retain(op, cap, &cap->time, &h->cap) != 0)
        return;
    gy_op_activate(op);
}

static void delay_frontier(gy_op_t *op, void *state)
{
    struct delay *d = state;

    if (d->nv == 0)
        return;
    if (++d->ticks % DELAY_STEPS != 0) {
        gy_op_activate(op);
        return;
    }
    delay_release(op, d);
}

static void delay_free(void *state)
{
    struct delay *d = state;

    for (uint32_t i = 0; i < d->nv; i++)
        free(d->v[i].data);
    free(d);
}

static gy_stream_t *delay(gy_stream_t *s)
{
    struct delay *d;
    size_t size;
    struct gy_op_spec spec = {.name = "delay", .ninputs = 1, .noutputs = 1, .rec_sizes = &size,
                              .cb = {.on_input = delay_input, .on_frontier = delay_frontier,
                                     .destroy = delay_free}};
    gy_op_t *op;

    if (!s)
        return NULL;
    size = gy_stream_rec_size(s);
    d = calloc(1, sizeof(*d));
    assert_non_null(d);
    d->size = size;
    spec.scope = gy_stream_scope(s);
    spec.state = d;
    op = gy_op_new(gy_stream_dataflow(s), &spec);
    if (!op)
        return NULL;
    gy_op_connect(op, 0, s, gy_pact_pipeline());
    return gy_op_output(op, 0);
}

/* ---- connected components: min_by_key(ITERS) x arrangement in a loop ---- */

#define CC_NV 120

struct edge {
    uint64_t u, v;
};

struct lab {
    uint64_t v, l;
};

/* The arrangement of this worker, for the join callback's no-copy check. */
static _Thread_local gy_arrangement_t *tl_arr;
static atomic_ulong arranged_checked, arranged_copied;

static void gen_cc(uint64_t *r, uint32_t input, void *rec)
{
    if (input == 0) {
        struct edge e = {ts_rng_below(r, CC_NV), ts_rng_below(r, CC_NV)};
        memcpy(rec, &e, sizeof(e));
    } else {
        uint64_t v = ts_rng_below(r, CC_NV);
        memcpy(rec, &v, sizeof(v));
    }
}

static int both_ways(const void *rec, gy_emit_t *e, void *arg)
{
    struct edge x, y;
    int rc;

    (void)arg;
    memcpy(&x, rec, sizeof(x));
    y = (struct edge){x.v, x.u};
    rc = gy_emit(e, &x);
    return rc ? rc : gy_emit(e, &y);
}

static void seed_label(const void *in, void *out, void *arg)
{
    struct lab l = {ts_u64_at(in, 0), ts_u64_at(in, 0)};

    (void)arg;
    memcpy(out, &l, sizeof(l));
}

/* b must point into this worker's arrangement, at a record of the slice of
 * its key: the join reads the arrangement in place. */
static void check_in_place(const void *b)
{
    struct gy_arrange_slice sl;
    const unsigned char *p = b, *base;

    atomic_fetch_add(&arranged_checked, 1);
    if (!tl_arr || !gy_arrange_lookup(tl_arr, ts_u64_at(b, 0), &sl)) {
        atomic_fetch_add(&arranged_copied, 1);
        return;
    }
    base = sl.recs;
    if (p < base || p >= base + (size_t)sl.n * sl.rec_size || (size_t)(p - base) % sl.rec_size)
        atomic_fetch_add(&arranged_copied, 1);
}

/* A label l at vertex v, along the edge (v, u): l proposed to u. */
static void propagate(const void *a, const void *b, void *out, void *arg)
{
    struct lab o = {ts_u64_at(b, 8), ts_u64_at(a, 8)};

    (void)arg;
    check_in_place(b);
    memcpy(out, &o, sizeof(o));
}

static void build_cc(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                     gy_stream_t **probe_on)
{
    gy_arrangement_t *arr = gy_arrange(gy_op_flat_map(delay(in[0]), "both", sizeof(struct edge),
                                                      both_ways, NULL),
                                       "edges", ts_key_first, NULL);
    gy_loop_t *l = gy_loop_new(df, 0, "cc");
    struct gy_join_arranged_spec js = {
        .name = "propagate", .key = ts_key_first, .out_size = sizeof(struct lab),
        .join = propagate,
    };
    gy_stream_t *two[2], *best;
    gy_feedback_t *fb;

    tl_arr = arr;
    if (!arr || !l || !(fb = gy_loop_feedback(l, sizeof(struct lab), 1, &two[1])))
        return;
    two[0] = gy_loop_enter(l, gy_op_map(in[1], "seed", sizeof(struct lab), seed_label, NULL));
    best = gy_op_min_by_key(gy_op_concat(two, 2, "labels"), "best", ts_key_first, NULL, 8,
                            GY_KEEP_ITERS);
    ts_sink(best, &c->out[0]);
    gy_feedback_connect(fb, gy_op_join_arranged(best, gy_arrange_enter(arr, l), &js));
    *probe_on = gy_loop_leave(l, best);
}

/* Edges of epochs 0..k, both ways, as adjacency lists. */
struct adj {
    uint32_t *off;              /* [CC_NV + 1] */
    uint32_t *to;
};

static void adj_make(const struct ts_plan *p, uint32_t k, struct adj *g)
{
    uint32_t m = p->start[0][k + 1], fill[CC_NV] = {0};

    g->off = calloc(CC_NV + 1, sizeof(*g->off));
    g->to = malloc((2 * m + 1) * sizeof(*g->to));
    assert_true(g->off && g->to);
    for (uint32_t j = 0; j < m; j++) {
        g->off[ts_u64_at(ts_plan_rec(p, 0, j), 0) + 1]++;
        g->off[ts_u64_at(ts_plan_rec(p, 0, j), 8) + 1]++;
    }
    for (uint32_t v = 0; v < CC_NV; v++)
        g->off[v + 1] += g->off[v];
    for (uint32_t j = 0; j < m; j++) {
        uint64_t u = ts_u64_at(ts_plan_rec(p, 0, j), 0), v = ts_u64_at(ts_plan_rec(p, 0, j), 8);
        g->to[g->off[u] + fill[u]++] = (uint32_t)v;
        g->to[g->off[v] + fill[v]++] = (uint32_t)u;
    }
}

/* Final labels must be the least seed of each vertex's igraph component. */
static void cc_check_igraph(const struct ts_plan *p, uint32_t k, const uint64_t *best,
                            const bool *has)
{
    igraph_vector_int_t ev, memb;
    igraph_t g;
    uint64_t least[CC_NV];
    uint32_t m = p->start[0][k + 1];

    igraph_vector_int_init(&ev, 2 * (igraph_integer_t)m);
    for (uint32_t j = 0; j < m; j++) {
        VECTOR(ev)[2 * j] = (igraph_integer_t)ts_u64_at(ts_plan_rec(p, 0, j), 0);
        VECTOR(ev)[2 * j + 1] = (igraph_integer_t)ts_u64_at(ts_plan_rec(p, 0, j), 8);
    }
    igraph_create(&g, &ev, CC_NV, IGRAPH_UNDIRECTED);
    igraph_vector_int_init(&memb, 0);
    igraph_connected_components(&g, &memb, NULL, NULL, IGRAPH_WEAK);
    for (uint32_t v = 0; v < CC_NV; v++)
        least[v] = UINT64_MAX;
    for (uint32_t j = p->start[1][k]; j < p->start[1][k + 1]; j++) {
        uint64_t s = ts_u64_at(ts_plan_rec(p, 1, j), 0);
        igraph_integer_t c = VECTOR(memb)[s];
        least[c] = s < least[c] ? s : least[c];
    }
    for (uint32_t v = 0; v < CC_NV; v++) {
        uint64_t want = least[VECTOR(memb)[v]];
        assert_int_equal(has[v], want != UINT64_MAX);
        if (has[v])
            assert_int_equal(best[v], want);
    }
    igraph_vector_int_destroy(&memb);
    igraph_destroy(&g);
    igraph_vector_int_destroy(&ev);
}

/* Synchronous min-label propagation per epoch over the edges so far. */
static void oracle_cc(const struct ts_plan *p, struct ts_rows *want)
{
    struct lab *cur = malloc(2 * (p->start[0][p->nepochs] + CC_NV) * 2 * sizeof(*cur) + 64);
    struct lab *nxt = malloc(2 * (p->start[0][p->nepochs] + CC_NV) * 2 * sizeof(*nxt) + 64);

    assert_true(cur && nxt);
    for (uint32_t k = 0; k < p->nepochs; k++) {
        uint64_t best[CC_NV], prop[CC_NV];
        bool has[CC_NV] = {false}, got[CC_NV];
        struct adj g;
        size_t nc = 0;
        adj_make(p, k, &g);
        for (uint32_t j = p->start[1][k]; j < p->start[1][k + 1]; j++)
            cur[nc++] = (struct lab){ts_u64_at(ts_plan_rec(p, 1, j), 0),
                                     ts_u64_at(ts_plan_rec(p, 1, j), 0)};
        for (uint32_t it = 0; nc > 0; it++) {
            size_t nn = 0;
            memset(got, 0, sizeof(got));
            for (size_t i = 0; i < nc; i++)
                if (!got[cur[i].v] || cur[i].l < prop[cur[i].v]) {
                    got[cur[i].v] = true;
                    prop[cur[i].v] = cur[i].l;
                }
            for (uint64_t v = 0; v < CC_NV; v++) {
                struct lab o = {v, prop[v]};
                if (!got[v] || (has[v] && best[v] <= prop[v]))
                    continue;
                has[v] = true;
                best[v] = prop[v];
                push_iter(&want[0], p->epoch[k], it, &o, sizeof(o));
                for (uint32_t x = g.off[v]; x < g.off[v + 1]; x++)
                    nxt[nn++] = (struct lab){g.to[x], prop[v]};
            }
            memcpy(cur, nxt, nn * sizeof(*cur));
            nc = nn;
        }
        cc_check_igraph(p, k, best, has);
        free(g.off);
        free(g.to);
    }
    free(cur);
    free(nxt);
}

static void test_keyed_arranged_cc_in_loop(void **state)
{
    struct check ck = {"cc: min_by_key x arrangement in a loop", build_cc, oracle_cc, 2,
                       {sizeof(struct edge), sizeof(uint64_t)}, {25, 6}, gen_cc, 1};

    (void)state;
    atomic_store(&arranged_checked, 0);
    atomic_store(&arranged_copied, 0);
    check_all(&ck);
    assert_true(atomic_load(&arranged_checked) > 0);
    assert_int_equal(atomic_load(&arranged_copied), 0);
}

/* ---- a failing callback ends the run, naming the operator ---- */

static int reduce_fails(uint64_t key, void *recs, uint32_t n, gy_emit_t *emit, void *arg)
{
    (void)recs;
    (void)n;
    (void)emit;
    (void)arg;
    return key == 7 ? -EDOM : 0;
}

static void build_fail(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                       gy_stream_t **probe_on)
{
    struct gy_reduce_spec spec = {
        .name = "bad_reduce", .key = ts_key_first, .out_size = 8, .reduce = reduce_fails,
    };

    (void)df;
    ts_sink(gy_op_reduce(in[0], &spec), &c->out[0]);
    *probe_on = NULL;
}

static void test_keyed_callback_failure(void **state)
{
    size_t sizes[] = {sizeof(struct kv)};
    uint32_t max[] = {500};
    struct ts_flow c;
    char err[512];

    (void)state;
    ts_flow_init(&c, build_fail);
    for (uint32_t wi = 0; wi < TS_FLOW_NWORKERS; wi++) {
        struct ts_plan_spec s = spec(1, sizes, max, gen_kv);
        struct ts_plan p;
        ts_plan_make(&p, 31 + wi, &s);
        c.plan = &p;
        assert_int_equal(ts_flow_run(&c, ts_flow_workers[wi], err, sizeof(err)), -ECANCELED);
        assert_non_null(strstr(err, "operator 'bad_reduce'"));
        assert_non_null(strstr(err, strerror(EDOM)));
        ts_plan_free(&p);
    }
    ts_flow_destroy(&c);
}

/* ---- the stores against brute force ---- */

/* 12-byte records differing in 4 bytes: add and has against a bitmap. */
static void test_keyed_record_set(void **state)
{
    uint64_t r = 99;
    struct gy__rset set;
    static bool in_set[4096];

    (void)state;
    gy__rset_init(&set, 12);
    for (uint32_t i = 0; i < 20000; i++) {
        unsigned char rec[12] = {0};
        uint32_t x = ts_rng_below(&r, 4096);
        memcpy(rec, &x, sizeof(x));
        assert_int_equal(gy__rset_add(&set, rec, gy__hash_bytes(rec, 12)), in_set[x] ? 0 : 1);
        in_set[x] = true;
    }
    for (uint32_t x = 0; x < 4096; x++) {
        unsigned char rec[12] = {0};
        memcpy(rec, &x, sizeof(x));
        assert_int_equal(gy__rset_has(&set, rec, gy__hash_bytes(rec, 12)), in_set[x]);
    }
    gy__rset_destroy(&set);
}

/* The last value put under a key wins; absent keys are GY__NONE. */
static void test_keyed_key_index(void **state)
{
    uint64_t r = 98;
    struct gy__kidx idx;
    static uint64_t last[512];

    (void)state;
    gy__kidx_init(&idx);
    for (uint32_t i = 0; i < 20000; i++) {
        uint32_t key = ts_rng_below(&r, 512) * 7919;
        uint32_t *slot = gy__kidx_put(&idx, key);
        assert_non_null(slot);
        *slot = i;
        last[key / 7919] = i + 1;
    }
    for (uint32_t k = 0; k < 512 * 7919; k += 7919)
        assert_int_equal(gy__kidx_find(&idx, k), last[k / 7919] ? last[k / 7919] - 1 : GY__NONE);
    assert_int_equal(gy__kidx_find(&idx, 1), GY__NONE);
    gy__kidx_destroy(&idx);
}

/* Per key, every record in arrival order with its time id, contiguous. */
static void test_keyed_key_map(void **state)
{
    uint64_t r = 97;
    struct gy__kmap map;
    static uint32_t count[64];

    (void)state;
    gy__kmap_init(&map, 10); /* not a multiple of 4: time ids are realigned */
    for (uint32_t i = 0; i < 20000; i++) {
        unsigned char rec[10] = {0};
        uint32_t key = ts_rng_below(&r, 64);
        memcpy(rec + 4, &i, sizeof(i));
        assert_int_equal(gy__kmap_add(&map, key, rec, i % 3), 0);
        count[key]++;
    }
    for (uint32_t key = 0; key < 64; key++) {
        const struct gy__kblock *b = gy__kmap_find(&map, key);
        uint32_t prev = 0;
        assert_non_null(b);
        assert_int_equal(b->n, count[key]);
        for (uint32_t j = 0; j < b->n; j++) {
            uint32_t i;
            memcpy(&i, b->data + (size_t)j * 10 + 4, sizeof(i));
            assert_true(j == 0 || i > prev);
            assert_int_equal(gy__kblock_tids(&map, b)[j], i % 3);
            prev = i;
        }
    }
    assert_null(gy__kmap_find(&map, 64));
    gy__kmap_destroy(&map);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keyed_record_set),
        cmocka_unit_test(test_keyed_key_index),
        cmocka_unit_test(test_keyed_key_map),
        cmocka_unit_test(test_keyed_distinct_per_time),
        cmocka_unit_test(test_keyed_distinct_across_times),
        cmocka_unit_test(test_keyed_distinct_in_loop),
        cmocka_unit_test(test_keyed_join),
        cmocka_unit_test(test_keyed_join_in_loop),
        cmocka_unit_test(test_keyed_reduce),
        cmocka_unit_test(test_keyed_min_by_key),
        cmocka_unit_test(test_keyed_keep_modes_in_loop),
        cmocka_unit_test(test_keyed_arranged_cc_in_loop),
        cmocka_unit_test(test_keyed_callback_failure),
    };

    return cmocka_run_group_tests_name("keyed", tests, NULL, NULL);
}
