/*
 * Tests for the built-in operators (operators/builtins.h).
 *
 * Every dataflow runs on 1, 2, 3 and 8 workers over seeded random inputs:
 * random epoch numbers (with gaps and empty epochs), random record counts,
 * each record sent by one worker in randomly sized chunks, and probe waits
 * after some epochs only, so several epochs are in flight at once. Sinks
 * (plain gy_op_new operators, independent of the built-ins) collect every
 * output record with its time and worker into a mutex-protected table; after
 * gy_runtime_run the table is compared with a single-threaded oracle that
 * computes the same results straight from the generated input. Equal to the
 * oracle on every worker count means identical per-epoch results.
 *
 * Also: broadcast and exchange placement, stateful operators inside a loop
 * (times with iteration counters), failures (an operator failing on one
 * worker, a callback error, a construction error) that must stop every
 * worker quickly with one message, and the per-time store and key table
 * against brute force.
 *
 * GY_TEST_SCALE=n multiplies the input sizes (default 1: well under a
 * second per test in release).
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
#include "operators/builtins_internal.h"
#include "operators/input.h"
#include "operators/loop.h"
#include "operators/op.h"
#include "runtime/runtime.h"
#include "tests/support/flow.h"
#include "tests/support/rng.h"
#include "tests/support/rows.h"

#define SEEDS 3           /* random inputs per test and worker count */

/* ---- this file's plans and checks (tests/support/flow.h) ---- */

/* Up to 16 epochs, one input epoch in five empty; max records per input and epoch. */
static struct ts_plan_spec spec(uint32_t ninputs, const size_t *sizes, uint32_t max_per_epoch,
                                ts_gen_fn gen)
{
    struct ts_plan_spec s = {.ninputs = ninputs, .gen = gen, .max_epochs = 16, .empty_one_in = 5};

    for (uint32_t i = 0; i < ninputs; i++) {
        s.sizes[i] = sizes[i];
        s.max_per_epoch[i] = max_per_epoch;
    }
    return s;
}

static void plan_make(struct ts_plan *p, uint64_t seed, uint32_t ninputs, const size_t *sizes,
                      uint32_t max_per_epoch, ts_gen_fn gen)
{
    struct ts_plan_spec s = spec(ninputs, sizes, max_per_epoch, gen);

    ts_plan_make(p, seed, &s);
}

/* For every worker count and seed: generate, run, compare nout sinks. */
static void check_all(const char *label, ts_build_fn build, ts_oracle_fn oracle, uint32_t ninputs,
                      const size_t *sizes, uint32_t max_per_epoch, ts_gen_fn gen, uint32_t nout)
{
    struct ts_check ck = {.label = label, .build = build, .oracle = oracle, .nout = nout,
                          .seeds = SEEDS, .seed_base = 1000,
                          .plan = spec(ninputs, sizes, max_per_epoch * ts_scale(), gen)};

    ts_flow_check(&ck);
}

/* ---- generators ---- */

static void gen_u64(uint64_t *r, uint32_t input, void *rec)
{
    uint64_t x = ts_rng_below(r, 1000000);

    (void)input;
    memcpy(rec, &x, sizeof(x));
}

struct kv {
    uint64_t key;
    uint64_t val;
};

/* Few keys, so that keys repeat within and across epochs. */
static void gen_kv(uint64_t *r, uint32_t input, void *rec)
{
    struct kv x = {ts_rng_below(r, 40), ts_rng_below(r, 1000) + 1000 * input};

    memcpy(rec, &x, sizeof(x));
}

/* ---- map -> filter -> flat_map ---- */

struct sq {
    uint64_t x, y;
};

struct trip {
    uint64_t x, y, i;
};

#define FAN_BIG 700   /* more than one staging buffer of 24-byte records */

static struct sq sq_of(uint64_t x)
{
    struct sq s = {x, x * x ^ (x >> 3)};
    return s;
}

static bool sq_keep(const struct sq *s)
{
    return s->y % 3 != 0;
}

static uint32_t fan_count(uint64_t x)
{
    return x % 211 == 0 ? FAN_BIG : (uint32_t)(x % 5);
}

static void map_sq(const void *in, void *out, void *arg)
{
    struct sq s = sq_of(ts_u64_at(in, 0));

    (void)arg;
    memcpy(out, &s, sizeof(s));
}

static bool filter_sq(const void *rec, void *arg)
{
    struct sq s;

    (void)arg;
    memcpy(&s, rec, sizeof(s));
    return sq_keep(&s);
}

/* Emits one at a time for even x and as one run for odd x. */
static int fan(const void *rec, gy_emit_t *e, void *arg)
{
    static _Thread_local struct trip t[FAN_BIG];
    struct sq s;
    uint32_t n;

    (void)arg;
    memcpy(&s, rec, sizeof(s));
    n = fan_count(s.x);
    for (uint32_t i = 0; i < n; i++)
        t[i] = (struct trip){s.x, s.y, i};
    if (s.x & 1)
        return gy_emit_n(e, t, n);
    for (uint32_t i = 0; i < n; i++) {
        int rc = gy_emit(e, &t[i]);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static void build_chain(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                        gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_map(in[0], "sq", sizeof(struct sq), map_sq, NULL);

    (void)df;
    s = gy_op_filter(s, "keep", filter_sq, NULL);
    s = gy_op_flat_map(s, "fan", sizeof(struct trip), fan, NULL);
    ts_sink(s, &c->out[0]);
    *probe_on = s;
}

static void oracle_chain(const struct ts_plan *p, struct ts_rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++)
        for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++) {
            struct sq s = sq_of(ts_u64_at(ts_plan_rec(p, 0, j), 0));
            if (!sq_keep(&s))
                continue;
            for (uint32_t i = 0; i < fan_count(s.x); i++) {
                struct trip t = {s.x, s.y, i};
                ts_rows_push_epoch(&want[0], p->epoch[k], &t, sizeof(t));
            }
        }
}

static void test_operators_map_filter_flat_map(void **state)
{
    size_t sizes[] = {sizeof(uint64_t)};

    (void)state;
    check_all("map/filter/flat_map", build_chain, oracle_chain, 1, sizes, 3000, gen_u64, 1);
}

/* ---- exchange: every record lands on the worker that owns its key ---- */

static void build_exchange(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                           gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_exchange(in[0], "by_key", ts_key_first, NULL);

    (void)df;
    ts_sink(s, &c->out[0]);
    *probe_on = s;
}

static void oracle_identity(const struct ts_plan *p, struct ts_rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++)
        for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++)
            ts_rows_push_epoch(&want[0], p->epoch[k], ts_plan_rec(p, 0, j), p->rec_size[0]);
}

static void test_operators_exchange(void **state)
{
    size_t sizes[] = {sizeof(struct kv)};
    struct ts_flow c;

    (void)state;
    check_all("exchange", build_exchange, oracle_identity, 1, sizes, 3000, gen_kv, 1);
    ts_flow_init(&c, build_exchange);
    for (uint32_t wi = 0; wi < TS_FLOW_NWORKERS; wi++) {
        struct ts_plan p;
        plan_make(&p, 77 + wi, 1, sizes, 500, gen_kv);
        c.plan = &p;
        ts_flow_run_ok(&c, ts_flow_workers[wi]);
        assert_true(c.out[0].n > 0);
        for (size_t i = 0; i < c.out[0].n; i++)
            assert_int_equal(c.out[0].v[i].worker,
                             gy_key_worker(ts_u64_at(c.out[0].v[i].rec, 0), ts_flow_workers[wi]));
        ts_plan_free(&p);
    }
    ts_flow_destroy(&c);
}

/* ---- count by key ---- */

/* Key ranges from one key to mostly distinct keys. */
static void gen_key(uint64_t *r, uint32_t input, void *rec)
{
    static const uint32_t ranges[] = {1, 7, 300, 100000};
    uint64_t x = ts_rng_below(r, ranges[ts_rng_below(r, 4)]);

    (void)input;
    memcpy(rec, &x, sizeof(x));
}

static uint64_t key_scrambled(const void *rec, void *arg)
{
    (void)arg;
    return ts_u64_at(rec, 0) * 0x2545f4914f6cdd1dULL + 17;
}

/* An exchange by another key first, so count's own exchange moves records
 * that did not start on the worker that sent them. */
static void build_count(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                        gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_exchange(in[0], "scramble", key_scrambled, NULL);

    s = gy_op_count(s, "count", ts_key_first, NULL);

    (void)df;
    ts_sink(s, &c->out[0]);
    *probe_on = s;
}

/* Sorts each epoch's keys and counts the runs. */
static void oracle_count(const struct ts_plan *p, struct ts_rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++) {
        uint32_t n = p->start[0][k + 1] - p->start[0][k];
        uint64_t *keys = malloc((n + 1) * sizeof(*keys));
        assert_non_null(keys);
        memcpy(keys, ts_plan_rec(p, 0, p->start[0][k]), n * sizeof(*keys));
        qsort(keys, n, sizeof(*keys), ts_cmp_u64);
        for (uint32_t i = 0; i < n;) {
            uint32_t j = i;
            while (j < n && keys[j] == keys[i])
                j++;
            struct gy_key_count kc = {keys[i], j - i};
            ts_rows_push_epoch(&want[0], p->epoch[k], &kc, sizeof(kc));
            i = j;
        }
        free(keys);
    }
}

static void test_operators_count(void **state)
{
    size_t sizes[] = {sizeof(uint64_t)};

    (void)state;
    check_all("count", build_count, oracle_count, 1, sizes, 6000, gen_key, 1);
}

/* ---- aggregate with a 20-byte value (sum, max, n) ---- */

#define AGG_VAL 20

struct agg_val {
    uint64_t sum;
    uint64_t max;
    uint32_t n;
};

static void agg_value(const void *rec, void *val, void *arg)
{
    struct kv x;
    struct agg_val v;

    (void)arg;
    memcpy(&x, rec, sizeof(x));
    v = (struct agg_val){x.val, x.val, 1};
    memcpy(val, &v, AGG_VAL);
}

static void agg_combine(void *acc, const void *val, void *arg)
{
    struct agg_val a, b;

    (void)arg;
    memcpy(&a, acc, AGG_VAL);
    memcpy(&b, val, AGG_VAL);
    a.sum += b.sum;
    a.max = b.max > a.max ? b.max : a.max;
    a.n += b.n;
    memcpy(acc, &a, AGG_VAL);
}

static void build_aggregate(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                            gy_stream_t **probe_on)
{
    struct gy_aggregate_spec spec = {
        .name = "agg", .key = ts_key_first, .val_size = AGG_VAL,
        .value = agg_value, .combine = agg_combine,
    };
    gy_stream_t *s = gy_op_aggregate(in[0], &spec);

    (void)df;
    ts_sink(s, &c->out[0]);
    *probe_on = s;
}

/* The aggregate of one key in epoch k, by a scan of the epoch. */
static struct agg_val agg_of(const struct ts_plan *p, uint32_t k, uint64_t key)
{
    struct agg_val v = {0, 0, 0};

    for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++) {
        struct kv x;
        memcpy(&x, ts_plan_rec(p, 0, j), sizeof(x));
        if (x.key != key)
            continue;
        v.sum += x.val;
        v.max = x.val > v.max ? x.val : v.max;
        v.n++;
    }
    return v;
}

/* Brute force per epoch over the 40 possible keys. */
static void oracle_aggregate(const struct ts_plan *p, struct ts_rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++)
        for (uint64_t key = 0; key < 40; key++) {
            struct agg_val v = agg_of(p, k, key);
            unsigned char rec[8 + AGG_VAL];
            if (v.n == 0)
                continue;
            memcpy(rec, &key, 8);
            memcpy(rec + 8, &v, AGG_VAL);
            ts_rows_push_epoch(&want[0], p->epoch[k], rec, sizeof(rec));
        }
}

static void test_operators_aggregate(void **state)
{
    size_t sizes[] = {sizeof(struct kv)};

    (void)state;
    check_all("aggregate", build_aggregate, oracle_aggregate, 1, sizes, 3000, gen_kv, 1);
}

/* ---- binary per-time join ---- */

struct joined {
    uint64_t key, a, b;
};

static int kv_cmp(const void *x, const void *y)
{
    const struct kv *a = x, *b = y;

    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return (a->val > b->val) - (a->val < b->val);
}

/* Sort-merge join of the two sides of one time. */
static int join_finish(const struct gy_time *t, void *a, uint32_t na, void *b, uint32_t nb,
                       gy_emit_t *emit, void *arg)
{
    struct kv *l = a, *r = b;
    uint32_t i = 0, j = 0;

    (void)t;
    (void)arg;
    if (na == 0 || nb == 0)
        return 0; /* then that side's pointer is NULL */
    qsort(l, na, sizeof(*l), kv_cmp);
    qsort(r, nb, sizeof(*r), kv_cmp);
    while (i < na && j < nb) {
        if (l[i].key != r[j].key) {
            if (l[i].key < r[j].key)
                i++;
            else
                j++;
            continue;
        }
        uint32_t j0 = j;
        for (; j < nb && r[j].key == l[i].key; j++) {
            struct joined o = {l[i].key, l[i].val, r[j].val};
            int rc = gy_emit(emit, &o);
            if (rc != 0)
                return rc;
        }
        if (++i < na && l[i].key == r[j0].key)
            j = j0;
    }
    return 0;
}

static void build_join(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                       gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_binary_notify(in[0], in[1], "join", gy_pact_exchange(ts_key_first, NULL),
                                         gy_pact_exchange(ts_key_first, NULL),
                                         sizeof(struct joined), join_finish, NULL);

    (void)df;
    ts_sink(s, &c->out[0]);
    *probe_on = s;
}

/* The pairs of left record i with the right records of epoch k. */
static void join_one(const struct ts_plan *p, uint32_t k, uint32_t i, struct ts_rows *want)
{
    struct kv a, b;

    memcpy(&a, ts_plan_rec(p, 0, i), sizeof(a));
    for (uint32_t j = p->start[1][k]; j < p->start[1][k + 1]; j++) {
        memcpy(&b, ts_plan_rec(p, 1, j), sizeof(b));
        if (a.key == b.key) {
            struct joined o = {a.key, a.val, b.val};
            ts_rows_push_epoch(want, p->epoch[k], &o, sizeof(o));
        }
    }
}

/* Nested loops per epoch. */
static void oracle_join(const struct ts_plan *p, struct ts_rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++)
        for (uint32_t i = p->start[0][k]; i < p->start[0][k + 1]; i++)
            join_one(p, k, i, &want[0]);
}

static void test_operators_binary_join(void **state)
{
    size_t sizes[] = {sizeof(struct kv), sizeof(struct kv)};

    (void)state;
    check_all("binary join", build_join, oracle_join, 2, sizes, 300, gen_kv, 1);
}

/* ---- unary state: per time (sum, xor, n) gathered on one worker ---- */

struct summary {
    uint64_t sum, xor, n;
};

static int sum_records(void *tstate, uint32_t port, const struct gy_time *t, const void *recs,
                       uint32_t n, void *arg)
{
    struct summary *s = tstate;

    (void)port;
    (void)t;
    (void)arg;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t x = ts_u64_at((const uint64_t *)recs + i, 0);
        s->sum += x;
        s->xor ^= x;
        s->n++;
    }
    return 0;
}

static int sum_emit(void *tstate, gy_emit_t *emit, void *arg)
{
    (void)arg;
    return gy_emit(emit, tstate);
}

static void build_state(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                        gy_stream_t **probe_on)
{
    struct gy_state_spec spec = {
        .name = "summary", .out_size = sizeof(struct summary),
        .state_size = sizeof(struct summary), .pacts = {gy_pact_exchange(ts_key_zero, NULL)},
        .on_records = sum_records, .finish = sum_emit,
    };
    gy_stream_t *s = gy_op_unary_state(in[0], &spec);

    (void)df;
    ts_sink(s, &c->out[0]);
    *probe_on = s;
}

static void oracle_state(const struct ts_plan *p, struct ts_rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++) {
        struct summary s = {0, 0, 0};
        for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++) {
            uint64_t x = ts_u64_at(ts_plan_rec(p, 0, j), 0);
            s.sum += x;
            s.xor ^= x;
            s.n++;
        }
        if (s.n > 0)
            ts_rows_push_epoch(&want[0], p->epoch[k], &s, sizeof(s));
    }
}

static void test_operators_unary_state(void **state)
{
    size_t sizes[] = {sizeof(uint64_t)};

    (void)state;
    check_all("unary state", build_state, oracle_state, 1, sizes, 4000, gen_u64, 1);
}

/* ---- concat: two inputs and a mapped copy of one ---- */

static void plus_million(const void *in, void *out, void *arg)
{
    struct kv x;

    (void)arg;
    memcpy(&x, in, sizeof(x));
    x.val += 1000000;
    memcpy(out, &x, sizeof(x));
}

static void build_concat(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                         gy_stream_t **probe_on)
{
    gy_stream_t *three[3] = {in[0], gy_op_map(in[0], "plus", sizeof(struct kv), plus_million,
                                              NULL), in[1]};
    gy_stream_t *s = gy_op_concat(three, 3, "cat");

    (void)df;
    ts_sink(s, &c->out[0]);
    *probe_on = s;
}

static void oracle_concat(const struct ts_plan *p, struct ts_rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++) {
        for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++) {
            struct kv x;
            memcpy(&x, ts_plan_rec(p, 0, j), sizeof(x));
            ts_rows_push_epoch(&want[0], p->epoch[k], &x, sizeof(x));
            x.val += 1000000;
            ts_rows_push_epoch(&want[0], p->epoch[k], &x, sizeof(x));
        }
        for (uint32_t j = p->start[1][k]; j < p->start[1][k + 1]; j++)
            ts_rows_push_epoch(&want[0], p->epoch[k], ts_plan_rec(p, 1, j), sizeof(struct kv));
    }
}

static void test_operators_concat(void **state)
{
    size_t sizes[] = {sizeof(struct kv), sizeof(struct kv)};

    (void)state;
    check_all("concat", build_concat, oracle_concat, 2, sizes, 2000, gen_kv, 1);
}

/* ---- broadcast: every worker sees every record once ---- */

static void build_broadcast(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                            gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_broadcast(in[0], "bcast");

    (void)df;
    ts_sink(s, &c->out[0]);
    *probe_on = s;
}

/* The rows of src that worker w received. */
static void rows_of_worker(const struct ts_rows *src, uint32_t w, struct ts_rows *dst)
{
    for (size_t i = 0; i < src->n; i++)
        if (src->v[i].worker == w)
            ts_rows_push(dst, &src->v[i].t, w, src->v[i].rec, src->v[i].size);
}

static void test_operators_broadcast(void **state)
{
    size_t sizes[] = {sizeof(struct kv)};
    struct ts_flow c;

    (void)state;
    ts_flow_init(&c, build_broadcast);
    for (uint32_t wi = 0; wi < TS_FLOW_NWORKERS; wi++) {
        uint32_t W = ts_flow_workers[wi];
        struct ts_plan p;
        plan_make(&p, 500 + wi, 1, sizes, 300 * ts_scale(), gen_kv);
        c.plan = &p;
        ts_flow_run_ok(&c, W);
        for (uint32_t w = 0; w < W; w++) {
            struct ts_rows got, want;
            ts_rows_init(&got);
            ts_rows_init(&want);
            rows_of_worker(&c.out[0], w, &got);
            oracle_identity(&p, &want);
            ts_assert_rows_equal(&got, &want, "broadcast, one worker's share", W);
            ts_rows_destroy(&got);
            ts_rows_destroy(&want);
        }
        ts_plan_free(&p);
    }
    ts_flow_destroy(&c);
}

/* ---- inspect: the callback sees each record once; records pass unchanged ---- */

static void seen(const struct gy_time *t, const void *rec, void *arg)
{
    struct ts_rows *r = arg;

    pthread_mutex_lock(&r->lock);
    ts_rows_push(r, t, 0, rec, sizeof(struct kv));
    pthread_mutex_unlock(&r->lock);
}

static void build_inspect(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                          gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_inspect(in[0], "look", seen, &c->seen);

    (void)df;
    ts_sink(s, &c->out[0]);
    *probe_on = s;
}

static void test_operators_inspect(void **state)
{
    size_t sizes[] = {sizeof(struct kv)};
    struct ts_flow c;

    (void)state;
    check_all("inspect pass-through", build_inspect, oracle_identity, 1, sizes, 300, gen_kv, 1);
    ts_flow_init(&c, build_inspect);
    for (uint32_t wi = 0; wi < TS_FLOW_NWORKERS; wi++) {
        struct ts_plan p;
        struct ts_rows want;
        plan_make(&p, 900 + wi, 1, sizes, 300 * ts_scale(), gen_kv);
        c.plan = &p;
        ts_flow_run_ok(&c, ts_flow_workers[wi]);
        ts_rows_init(&want);
        oracle_identity(&p, &want);
        ts_assert_rows_equal(&c.seen, &want, "inspect callback", ts_flow_workers[wi]);
        ts_rows_destroy(&want);
        ts_plan_free(&p);
    }
    ts_flow_destroy(&c);
}

/* ---- a loop: halve values until 1, with per-(epoch, iteration) state ---- */

static uint64_t bucket_key(const void *rec, void *arg)
{
    (void)arg;
    return ts_u64_at(rec, 0) >> 4;
}

static bool gt1(const void *rec, void *arg)
{
    (void)arg;
    return ts_u64_at(rec, 0) > 1;
}

static bool eq1(const void *rec, void *arg)
{
    (void)arg;
    return ts_u64_at(rec, 0) == 1;
}

static void halve(const void *in, void *out, void *arg)
{
    uint64_t x = ts_u64_at(in, 0) / 2;

    (void)arg;
    memcpy(out, &x, sizeof(x));
}

struct sum_n {
    uint64_t sum, n;
};

/* One record per time: all of a time's values meet on one worker. */
static int sum_finish(const struct gy_time *t, void *recs, uint32_t n, gy_emit_t *emit, void *arg)
{
    struct sum_n s = {0, n};

    (void)t;
    (void)arg;
    for (uint32_t i = 0; i < n; i++)
        s.sum += ts_u64_at((const uint64_t *)recs + i, 0);
    return gy_emit(emit, &s);
}

static void gen_small(uint64_t *r, uint32_t input, void *rec)
{
    uint64_t x = 1 + ts_rng_below(r, 5000);

    (void)input;
    memcpy(rec, &x, sizeof(x));
}

static void build_loop(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                       gy_stream_t **probe_on)
{
    gy_loop_t *l = gy_loop_new(df, 0, "halve");
    gy_stream_t *two[2], *cur, *next, *left;
    gy_feedback_t *fb;

    if (!l || !(fb = gy_loop_feedback(l, sizeof(uint64_t), 1, &two[1])))
        return;
    two[0] = gy_loop_enter(l, in[0]);
    cur = gy_op_concat(two, 2, "cur");
    ts_sink(gy_op_count(cur, "buckets", bucket_key, NULL), &c->out[0]);
    ts_sink(gy_op_unary_notify(cur, "sum", gy_pact_exchange(ts_key_zero, NULL),
                               sizeof(struct sum_n), sum_finish, NULL),
            &c->out[1]);
    next = gy_op_map(gy_op_filter(cur, "gt1", gt1, NULL), "half", sizeof(uint64_t), halve, NULL);
    if (next)
        gy_feedback_connect(fb, next);
    left = gy_loop_leave(l, gy_op_filter(cur, "eq1", eq1, NULL));
    ts_sink(left, &c->out[2]);
    *probe_on = left;
}

/* Per epoch, iterates the multiset itself and counts buckets brute force. */
static void oracle_loop_epoch(uint64_t epoch, uint64_t *m, uint32_t n, struct ts_rows *want)
{
    for (uint32_t it = 0; n > 0; it++) {
        struct gy_time t = gy_time_zero(1);
        struct sum_n s = {0, n};
        uint32_t kept = 0;
        t.epoch = epoch;
        t.iter[0] = it;
        qsort(m, n, sizeof(*m), ts_cmp_u64);
        for (uint32_t i = 0; i < n;) {
            struct gy_key_count kc = {m[i] >> 4, 0};
            for (; i < n && (m[i] >> 4) == kc.key; i++)
                kc.count++;
            ts_rows_push(&want[0], &t, 0, &kc, sizeof(kc));
        }
        for (uint32_t i = 0; i < n; i++) {
            s.sum += m[i];
            if (m[i] == 1)
                ts_rows_push_epoch(&want[2], epoch, &m[i], sizeof(m[i]));
            if (m[i] > 1)
                m[kept++] = m[i] / 2;
        }
        ts_rows_push(&want[1], &t, 0, &s, sizeof(s));
        n = kept;
    }
}

static void oracle_loop(const struct ts_plan *p, struct ts_rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++) {
        uint32_t n = p->start[0][k + 1] - p->start[0][k];
        uint64_t *m = malloc((n + 1) * sizeof(*m));
        assert_non_null(m);
        memcpy(m, ts_plan_rec(p, 0, p->start[0][k]), n * sizeof(*m));
        oracle_loop_epoch(p->epoch[k], m, n, want);
        free(m);
    }
}

static void test_operators_loop(void **state)
{
    size_t sizes[] = {sizeof(uint64_t)};

    (void)state;
    check_all("loop", build_loop, oracle_loop, 1, sizes, 2000, gen_small, 3);
}

/* ---- failures: one message, every worker stops, quickly ---- */

/* Fails on one worker (worker 1, or 0 alone) when records reach it. */
static void boom_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                       const void *recs, uint32_t n)
{
    uint32_t me = gy_worker_index(gy_op_worker(op));

    (void)state;
    (void)port;
    if (me == (gy_worker_peers(gy_op_worker(op)) > 1 ? 1u : 0u)) {
        gy_op_fail(op, "boom on worker %u", me);
        return;
    }
    if (gy_op_give(op, 0, cap, recs, n) != 0)
        return;
}

static void build_boom(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                       gy_stream_t **probe_on)
{
    size_t size = sizeof(uint64_t);
    struct gy_op_spec spec = {.name = "x", .ninputs = 1, .noutputs = 1, .rec_sizes = &size,
                              .cb = {.on_input = boom_input}};
    gy_op_t *op = gy_op_new(df, &spec);

    if (!op)
        return;
    gy_op_connect(op, 0, in[0], gy_pact_broadcast());
    ts_sink(gy_op_output(op, 0), &c->out[0]);
    *probe_on = gy_op_output(op, 0);
}

static int explode(const void *rec, gy_emit_t *e, void *arg)
{
    (void)arg;
    if (ts_u64_at(rec, 0) % 7 == 3)
        return -EIO;
    return gy_emit(e, rec);
}

static void build_explode(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                          gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_flat_map(in[0], "explode", sizeof(uint64_t), explode, NULL);

    (void)df;
    ts_sink(s, &c->out[0]);
    *probe_on = s;
}

/* Fails finishing the second epoch that has records: the other times'
 * buffered records are discarded at teardown (ASan checks they are freed). */
static int picky_finish(const struct gy_time *t, void *recs, uint32_t n, gy_emit_t *emit,
                        void *arg)
{
    const struct ts_plan *p = arg;
    uint32_t k = 0;

    (void)recs;
    (void)n;
    (void)emit;
    while (p->start[0][k + 1] == p->start[0][k] && k + 1 < p->nepochs)
        k++;
    return t->epoch > p->epoch[k] ? -EDOM : 0;
}

static void build_picky(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                        gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_unary_notify(in[0], "picky", gy_pact_exchange(ts_key_first, NULL),
                                        sizeof(uint64_t), picky_finish, (void *)c->plan);

    (void)df;
    (void)probe_on; /* no waits: many epochs stay buffered when it fails */
    ts_sink(s, &c->out[0]);
}

static void build_mismatch(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                           gy_stream_t **probe_on)
{
    gy_stream_t *two[2] = {in[0], gy_op_map(in[0], "wide", 16, map_sq, NULL)};

    (void)df;
    (void)probe_on;
    ts_sink(gy_op_concat(two, 2, "cat"), &c->out[0]);
}

/* Runs build on every worker count; the run must fail with a message that
 * starts with prefix, in well under the time a hang would take. */
static void expect_failure(ts_build_fn build, const char *prefix, ts_gen_fn gen)
{
    size_t sizes[] = {sizeof(uint64_t)};
    struct ts_flow c;

    ts_flow_init(&c, build);
    for (uint32_t wi = 0; wi < TS_FLOW_NWORKERS; wi++) {
        struct ts_plan p;
        char err[512];
        double t0 = gy_now();
        int rc;
        uint32_t nonempty = 0;
        plan_make(&p, 31 + wi, 1, sizes, 200, gen);
        for (uint32_t k = 0; k < p.nepochs; k++)
            nonempty += p.start[0][k + 1] > p.start[0][k];
        assert_true(nonempty >= 2); /* the failing code is reached */
        for (uint32_t k = 0; k < p.nepochs; k++)
            p.wait[k] = true; /* every worker keeps waiting for the failed operator */
        c.plan = &p;
        rc = ts_flow_run(&c, ts_flow_workers[wi], err, sizeof(err));
        assert_int_equal(rc, -ECANCELED);
        if (strncmp(err, prefix, strlen(prefix)) != 0)
            fail_msg("%u workers: message '%s', want it to start with '%s'", ts_flow_workers[wi],
                     err, prefix);
        assert_true(gy_now() - t0 < 5.0);
        ts_plan_free(&p);
    }
    ts_flow_destroy(&c);
}

static void test_operators_failure(void **state)
{
    (void)state;
    expect_failure(build_boom, "operator 'x': boom on worker", gen_u64);
    expect_failure(build_explode, "operator 'explode': flat_map callback failed: ", gen_u64);
    expect_failure(build_picky, "operator 'picky': finish callback failed: ", gen_u64);
    expect_failure(build_mismatch,
                   "operator 'cat': input 1 has records of 16 bytes, input 0 of 8", gen_u64);
}

/* ---- the per-time store against a brute-force list ---- */

static struct gy_time random_time(uint64_t *r)
{
    struct gy_time t = gy_time_zero(ts_rng_below(r, 3));

    t.epoch = ts_rng_below(r, 6);
    for (uint32_t j = 0; j < t.depth; j++)
        t.iter[j] = ts_rng_below(r, 5);
    return t;
}

/* Brute-force model of the store: the live times and their values. */
struct tmodel {
    struct gy_time t[512];
    uint64_t v[512];
    uint32_t n;
};

static uint32_t tmodel_find(const struct tmodel *m, const struct gy_time *t)
{
    uint32_t k = 0;

    while (k < m->n && !gy_time_eq(&m->t[k], t))
        k++;
    return k;
}

/* get: creates zeroed, 16-byte aligned states, finds existing ones. */
static void tstore_get_step(struct gy__tstore *ts, struct tmodel *m, const struct gy_time *t,
                            uint64_t *r)
{
    uint32_t k = tmodel_find(m, t);
    bool created;
    uint64_t *v = gy__tstore_get(ts, t, &created);

    assert_non_null(v);
    assert_true(((uintptr_t)v & 15) == 0);
    assert_int_equal(created, k == m->n);
    if (created) {
        assert_true(v[0] == 0 && v[1] == 0 && v[2] == 0);
        m->t[m->n] = *t;
        m->v[m->n++] = ts_rng_next(r);
        v[2] = m->v[k];
    }
    assert_true(v[2] == m->v[k]);
}

static void tstore_remove_step(struct gy__tstore *ts, struct tmodel *m, const struct gy_time *t)
{
    uint32_t k = tmodel_find(m, t);

    gy__tstore_remove(ts, t);
    if (k < m->n) {
        m->t[k] = m->t[m->n - 1];
        m->v[k] = m->v[--m->n];
    }
    assert_null(gy__tstore_find(ts, t));
}

/* Random gets, finds and removes over a few hundred times of depths 0..2
 * (so the index grows, and deletion shifts probe runs). */
static void test_operators_tstore_oracle(void **state)
{
    struct gy__tstore ts;
    struct tmodel m = {.n = 0};
    uint64_t r = 42;

    (void)state;
    gy__tstore_init(&ts, sizeof(uint64_t) * 3);
    for (uint32_t step = 0; step < 20000; step++) {
        struct gy_time t = random_time(&r);
        uint32_t op = ts_rng_below(&r, 3);
        uint64_t *v;
        if (op == 0) {
            tstore_get_step(&ts, &m, &t, &r);
        } else if (op == 1) {
            uint32_t k = tmodel_find(&m, &t);
            v = gy__tstore_find(&ts, &t);
            assert_int_equal(v != NULL, k < m.n);
            assert_true(!v || v[2] == m.v[k]);
        } else {
            tstore_remove_step(&ts, &m, &t);
        }
        assert_int_equal(ts.live, m.n);
    }
    gy__tstore_destroy(&ts);
}

/* ---- the key table against brute force ---- */

#define NKEYS 3000
#define KEY_SPREAD 0x100000001ULL   /* keys k * spread: not small dense ids */

/* One round of upserts summing random values into keys below range; then
 * every key is in the insertion-order list once, with its sum. */
static void ktab_round(struct gy__ktab *t, uint64_t *r, uint32_t range, uint64_t *sum,
                       bool *present)
{
    uint32_t distinct = 0;

    memset(sum, 0, NKEYS * sizeof(*sum));
    memset(present, 0, NKEYS * sizeof(*present));
    for (uint32_t i = 0; i < 20000; i++) {
        uint32_t key = ts_rng_below(r, range);
        uint64_t x = ts_rng_below(r, 100), acc;
        bool fresh;
        unsigned char *v = gy__ktab_upsert(t, key * KEY_SPREAD, &fresh);
        assert_non_null(v);
        assert_true(((uintptr_t)v & 7) == 0);
        assert_int_equal(fresh, !present[key]);
        acc = (fresh ? 0 : ts_u64_at(v, 0)) + x;
        memcpy(v, &acc, 8);
        memset(v + 8, 0xab, 4);
        distinct += fresh;
        present[key] = true;
        sum[key] += x;
    }
    assert_int_equal(t->len, distinct);
    for (uint32_t i = 0; i < t->len; i++) {
        uint32_t slot = t->order[i];
        uint64_t key = t->keys[slot] / KEY_SPREAD;
        assert_true(present[key]);
        assert_true(ts_u64_at(t->vals + (size_t)slot * t->vstride, 0) == sum[key]);
        present[key] = false; /* each key once */
    }
}

static void test_operators_ktab_oracle(void **state)
{
    struct gy__ktab t;
    uint64_t *sum = calloc(NKEYS, sizeof(*sum));
    bool *present = calloc(NKEYS, sizeof(*present));
    uint64_t r = 7;

    (void)state;
    assert_true(sum && present);
    gy__ktab_init(&t, 12);
    for (uint32_t round = 0; round < 4; round++) {
        ktab_round(&t, &r, round == 0 ? 10 : NKEYS, sum, present);
        gy__ktab_clear(&t);
        assert_int_equal(t.len, 0);
    }
    gy__ktab_destroy(&t);
    free(sum);
    free(present);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_operators_tstore_oracle),
        cmocka_unit_test(test_operators_ktab_oracle),
        cmocka_unit_test(test_operators_map_filter_flat_map),
        cmocka_unit_test(test_operators_exchange),
        cmocka_unit_test(test_operators_count),
        cmocka_unit_test(test_operators_aggregate),
        cmocka_unit_test(test_operators_binary_join),
        cmocka_unit_test(test_operators_unary_state),
        cmocka_unit_test(test_operators_concat),
        cmocka_unit_test(test_operators_broadcast),
        cmocka_unit_test(test_operators_inspect),
        cmocka_unit_test(test_operators_loop),
        cmocka_unit_test(test_operators_failure),
    };
    return cmocka_run_group_tests_name("operators", tests, NULL, NULL);
}
