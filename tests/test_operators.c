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

static const uint32_t WORKERS[] = {1, 2, 3, 8};
#define NWORKERS (sizeof(WORKERS) / sizeof(WORKERS[0]))
#define SEEDS 3           /* random inputs per test and worker count */

#define MAX_IN 2          /* inputs per dataflow */
#define MAX_EPOCHS 16
#define MAX_REC 48        /* largest record any test collects */
#define MAX_OUT 3         /* sinks per dataflow */
#define CHUNK_MAX 37      /* records per gy_input_send, at most */

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

static uint32_t scale(void)
{
    const char *s = getenv("GY_TEST_SCALE");
    long v = s ? strtol(s, NULL, 10) : 1;

    return v < 1 ? 1 : (uint32_t)v;
}

/* ---- rows: records with their time, as sinks and oracles collect them ---- */

struct row {
    struct gy_time t;
    uint32_t worker;           /* who received it (sinks), 0 in oracles */
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

static void rows_reset(struct rows *r)
{
    r->n = 0;
}

/* Appends without locking (oracles, or under r->lock). */
static void rows_push(struct rows *r, const struct gy_time *t, uint32_t worker, const void *rec,
                      size_t size)
{
    struct row *w;

    assert_true(size <= MAX_REC);
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 256;
        r->v = realloc(r->v, r->cap * sizeof(*r->v));
        assert_non_null(r->v);
    }
    w = &r->v[r->n++];
    memset(w, 0, sizeof(*w));
    w->t = *t;
    w->worker = worker;
    w->size = (uint32_t)size;
    memcpy(w->rec, rec, size);
}

static void push_epoch(struct rows *r, uint64_t epoch, const void *rec, size_t size)
{
    struct gy_time t = gy_time_epoch(epoch);

    rows_push(r, &t, 0, rec, size);
}

/* By time, then record bytes; the worker does not count. */
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

static void row_print(const char *what, const struct row *r)
{
    char t[96];

    gy_time_format(&r->t, t, sizeof(t));
    print_message("  %s: time %s worker %u, %u bytes:", what, t, r->worker, r->size);
    for (uint32_t i = 0; i < r->size; i++)
        print_message("%s%02x", i % 8 ? "" : " ", r->rec[i]);
    print_message("\n");
}

/* Same multiset of (time, record): sorts both, then compares. */
static void assert_rows_equal(struct rows *got, struct rows *want, const char *label,
                              uint32_t workers)
{
    size_t n = got->n < want->n ? got->n : want->n;

    qsort(got->v, got->n, sizeof(*got->v), row_cmp);
    qsort(want->v, want->n, sizeof(*want->v), row_cmp);
    for (size_t i = 0; i < n; i++)
        if (row_cmp(&got->v[i], &want->v[i]) != 0) {
            row_print("got ", &got->v[i]);
            row_print("want", &want->v[i]);
            fail_msg("%s, %u workers: row %zu of %zu differs", label, workers, i, want->n);
        }
    if (got->n != want->n)
        fail_msg("%s, %u workers: %zu rows, want %zu", label, workers, got->n, want->n);
}

/* ---- sink: a plain operator that records what reaches it ---- */

struct sink {
    struct rows *out;
    size_t rec_size;
};

static void sink_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                       const void *recs, uint32_t n)
{
    struct sink *k = state;
    uint32_t me = gy_worker_index(gy_op_worker(op));

    (void)port;
    pthread_mutex_lock(&k->out->lock);
    for (uint32_t i = 0; i < n; i++)
        rows_push(k->out, &cap->time, me, (const unsigned char *)recs + i * k->rec_size,
                  k->rec_size);
    pthread_mutex_unlock(&k->out->lock);
}

static void sink_free(void *state)
{
    free(state);
}

static void sink(gy_stream_t *s, struct rows *out)
{
    struct sink *k;
    struct gy_op_spec spec = {.name = "sink", .ninputs = 1,
                              .cb = {.on_input = sink_input, .destroy = sink_free}};
    gy_op_t *op;

    if (!s)
        return; /* the run has failed; gy_dataflow_build reports it */
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

/* ---- plans: the generated input of one run ---- */

typedef void (*gen_fn)(struct rng *r, uint32_t input, void *rec);

struct plan {
    uint64_t seed;
    uint32_t nepochs;
    uint32_t ninputs;
    uint64_t epoch[MAX_EPOCHS];        /* increasing, with gaps */
    bool wait[MAX_EPOCHS];             /* probe-wait after this epoch */
    size_t rec_size[MAX_IN];
    unsigned char *recs[MAX_IN];       /* input i's records, epoch by epoch */
    uint32_t start[MAX_IN][MAX_EPOCHS + 1];
};

static void plan_make(struct plan *p, uint64_t seed, uint32_t ninputs, const size_t *sizes,
                      uint32_t max_per_epoch, gen_fn gen)
{
    struct rng r = {seed};
    uint64_t e = rng_below(&r, 3);

    memset(p, 0, sizeof(*p));
    p->seed = seed;
    p->ninputs = ninputs;
    p->nepochs = 4 + rng_below(&r, MAX_EPOCHS - 3);
    for (uint32_t k = 0; k < p->nepochs; k++) {
        p->epoch[k] = e;
        p->wait[k] = rng_below(&r, 3) == 0;
        e += 1 + rng_below(&r, 3);
    }
    for (uint32_t i = 0; i < ninputs; i++) {
        uint32_t total = 0;
        p->rec_size[i] = sizes[i];
        p->recs[i] = malloc((size_t)p->nepochs * (max_per_epoch + 1) * sizes[i]);
        assert_non_null(p->recs[i]);
        for (uint32_t k = 0; k < p->nepochs; k++) {
            uint32_t n = rng_below(&r, 5) == 0 ? 0 : rng_below(&r, max_per_epoch + 1);
            p->start[i][k] = total;
            for (uint32_t j = 0; j < n; j++)
                gen(&r, i, p->recs[i] + (size_t)(total + j) * sizes[i]);
            total += n;
        }
        p->start[i][p->nepochs] = total;
    }
}

static void plan_free(struct plan *p)
{
    for (uint32_t i = 0; i < p->ninputs; i++)
        free(p->recs[i]);
}

static const void *plan_rec(const struct plan *p, uint32_t input, uint32_t j)
{
    return p->recs[input] + (size_t)j * p->rec_size[input];
}

/* ---- running a dataflow on W workers ---- */

struct tctx;
typedef void (*build_fn)(struct tctx *c, gy_dataflow_t *df, gy_stream_t **in,
                         gy_stream_t **probe_on);

struct tctx {
    const struct plan *plan;
    build_fn build;
    struct rows out[MAX_OUT];
    struct rows seen;          /* what inspect callbacks saw */
};

static void tctx_init(struct tctx *c, build_fn build)
{
    memset(c, 0, sizeof(*c));
    c->build = build;
    for (uint32_t i = 0; i < MAX_OUT; i++)
        rows_init(&c->out[i]);
    rows_init(&c->seen);
}

static void tctx_free(struct tctx *c)
{
    for (uint32_t i = 0; i < MAX_OUT; i++)
        rows_free(&c->out[i]);
    rows_free(&c->seen);
}

/* Sends this worker's share of input i's epoch k (records j with j % W == me)
 * in random chunks. */
static int send_share(gy_input_t *in, const struct plan *p, uint32_t i, uint32_t k,
                      uint32_t me, uint32_t peers, struct rng *r)
{
    unsigned char buf[CHUNK_MAX * MAX_REC];
    uint32_t n = 0, chunk = 1 + rng_below(r, CHUNK_MAX);

    for (uint32_t j = p->start[i][k]; j < p->start[i][k + 1]; j++) {
        if (j % peers != me)
            continue;
        memcpy(buf + (size_t)n * p->rec_size[i], plan_rec(p, i, j), p->rec_size[i]);
        if (++n == chunk) {
            if (gy_input_send(in, buf, n) != 0)
                return -ECANCELED;
            n = 0;
            chunk = 1 + rng_below(r, CHUNK_MAX);
        }
    }
    return n ? gy_input_send(in, buf, n) : 0;
}

static int feed(gy_worker_t *w, const struct plan *p, gy_input_t **in, gy_probe_t *probe)
{
    uint32_t me = gy_worker_index(w), peers = gy_worker_peers(w);
    struct rng r = {p->seed ^ (0x5851f42d4c957f2dULL * (me + 1))};

    for (uint32_t k = 0; k < p->nepochs; k++) {
        for (uint32_t i = 0; i < p->ninputs; i++)
            if (gy_input_advance_to(in[i], p->epoch[k]) != 0 ||
                send_share(in[i], p, i, k, me, peers, &r) != 0)
                return -ECANCELED;
        if (!probe || !p->wait[k])
            continue;
        /* The input's capability holds the epoch open until it moves on. */
        for (uint32_t i = 0; i < p->ninputs; i++)
            if (gy_input_advance_to(in[i], p->epoch[k] + 1) != 0)
                return -ECANCELED;
        if (gy_probe_wait_epoch(probe, w, p->epoch[k]) != 0)
            return -ECANCELED;
    }
    for (uint32_t i = 0; i < p->ninputs; i++)
        gy_input_close(in[i]);
    return 0;
}

static int worker_main(gy_worker_t *w, void *arg)
{
    struct tctx *c = arg;
    gy_dataflow_t *df = gy_dataflow_new(w, "test");
    gy_input_t *in[MAX_IN];
    gy_stream_t *s[MAX_IN], *probe_on = NULL;
    gy_probe_t *probe = NULL;

    if (!df)
        return -ENOMEM;
    for (uint32_t i = 0; i < c->plan->ninputs; i++) {
        in[i] = gy_input_new(df, i ? "in1" : "in0", c->plan->rec_size[i], &s[i]);
        if (!in[i])
            return -ECANCELED;
    }
    c->build(c, df, s, &probe_on);
    if (probe_on)
        probe = gy_probe_new(probe_on);
    if (gy_dataflow_build(df) != 0 || feed(w, c->plan, in, probe) != 0)
        return -ECANCELED;
    return gy_worker_run(w);
}

/* Runs c on W workers; returns gy_runtime_run's result with the message. */
static int run_on(struct tctx *c, uint32_t workers, char *err, size_t errlen)
{
    struct gy_runtime_config cfg;

    gy_runtime_config_init(&cfg);
    cfg.workers = workers;
    cfg.no_pin = true;
    for (uint32_t i = 0; i < MAX_OUT; i++)
        rows_reset(&c->out[i]);
    rows_reset(&c->seen);
    return gy_runtime_run(&cfg, worker_main, c, err, errlen);
}

static void run_ok(struct tctx *c, uint32_t workers)
{
    char err[512];
    int rc = run_on(c, workers, err, sizeof(err));

    if (rc != 0)
        fail_msg("run on %u workers failed (%d): %s", workers, rc, err);
}

/* The oracle of one test: fills want[] from the plan. */
typedef void (*oracle_fn)(const struct plan *p, struct rows *want);

/* For every worker count and seed: generate, run, compare nout sinks. */
static void check_all(const char *label, build_fn build, oracle_fn oracle, uint32_t ninputs,
                      const size_t *sizes, uint32_t max_per_epoch, gen_fn gen, uint32_t nout)
{
    struct tctx c;
    struct rows want[MAX_OUT];

    tctx_init(&c, build);
    for (uint32_t s = 0; s < SEEDS; s++)
        for (uint32_t wi = 0; wi < NWORKERS; wi++) {
            struct plan p;
            plan_make(&p, 1000 * (s + 1) + wi, ninputs, sizes, max_per_epoch * scale(), gen);
            c.plan = &p;
            run_ok(&c, WORKERS[wi]);
            for (uint32_t o = 0; o < MAX_OUT; o++)
                rows_init(&want[o]);
            oracle(&p, want);
            for (uint32_t o = 0; o < nout; o++) {
                char what[96];
                snprintf(what, sizeof(what), "%s, output %u, seed %u", label, o, s);
                assert_true(want[o].n > 0); /* the case tests something */
                assert_rows_equal(&c.out[o], &want[o], what, WORKERS[wi]);
            }
            for (uint32_t o = 0; o < MAX_OUT; o++)
                rows_free(&want[o]);
            plan_free(&p);
        }
    tctx_free(&c);
}

/* ---- generators ---- */

static void gen_u64(struct rng *r, uint32_t input, void *rec)
{
    uint64_t x = rng_below(r, 1000000);

    (void)input;
    memcpy(rec, &x, sizeof(x));
}

struct kv {
    uint64_t key;
    uint64_t val;
};

/* Few keys, so that keys repeat within and across epochs. */
static void gen_kv(struct rng *r, uint32_t input, void *rec)
{
    struct kv x = {rng_below(r, 40), rng_below(r, 1000) + 1000 * input};

    memcpy(rec, &x, sizeof(x));
}

static uint64_t u64_at0(const void *rec)
{
    uint64_t x;

    memcpy(&x, rec, sizeof(x));
    return x;
}

static uint64_t key_first(const void *rec, void *arg)
{
    (void)arg;
    return u64_at0(rec);
}

static uint64_t key_zero(const void *rec, void *arg)
{
    (void)rec;
    (void)arg;
    return 0;
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
    struct sq s = sq_of(u64_at0(in));

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

static void build_chain(struct tctx *c, gy_dataflow_t *df, gy_stream_t **in,
                        gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_map(in[0], "sq", sizeof(struct sq), map_sq, NULL);

    (void)df;
    s = gy_op_filter(s, "keep", filter_sq, NULL);
    s = gy_op_flat_map(s, "fan", sizeof(struct trip), fan, NULL);
    sink(s, &c->out[0]);
    *probe_on = s;
}

static void oracle_chain(const struct plan *p, struct rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++)
        for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++) {
            struct sq s = sq_of(u64_at0(plan_rec(p, 0, j)));
            if (!sq_keep(&s))
                continue;
            for (uint32_t i = 0; i < fan_count(s.x); i++) {
                struct trip t = {s.x, s.y, i};
                push_epoch(&want[0], p->epoch[k], &t, sizeof(t));
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

static void build_exchange(struct tctx *c, gy_dataflow_t *df, gy_stream_t **in,
                           gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_exchange(in[0], "by_key", key_first, NULL);

    (void)df;
    sink(s, &c->out[0]);
    *probe_on = s;
}

static void oracle_identity(const struct plan *p, struct rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++)
        for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++)
            push_epoch(&want[0], p->epoch[k], plan_rec(p, 0, j), p->rec_size[0]);
}

static void test_operators_exchange(void **state)
{
    size_t sizes[] = {sizeof(struct kv)};
    struct tctx c;

    (void)state;
    check_all("exchange", build_exchange, oracle_identity, 1, sizes, 3000, gen_kv, 1);
    tctx_init(&c, build_exchange);
    for (uint32_t wi = 0; wi < NWORKERS; wi++) {
        struct plan p;
        plan_make(&p, 77 + wi, 1, sizes, 500, gen_kv);
        c.plan = &p;
        run_ok(&c, WORKERS[wi]);
        assert_true(c.out[0].n > 0);
        for (size_t i = 0; i < c.out[0].n; i++)
            assert_int_equal(c.out[0].v[i].worker,
                             gy_key_worker(u64_at0(c.out[0].v[i].rec), WORKERS[wi]));
        plan_free(&p);
    }
    tctx_free(&c);
}

/* ---- count by key ---- */

/* Key ranges from one key to mostly distinct keys. */
static void gen_key(struct rng *r, uint32_t input, void *rec)
{
    static const uint32_t ranges[] = {1, 7, 300, 100000};
    uint64_t x = rng_below(r, ranges[rng_below(r, 4)]);

    (void)input;
    memcpy(rec, &x, sizeof(x));
}

static uint64_t key_scrambled(const void *rec, void *arg)
{
    (void)arg;
    return u64_at0(rec) * 0x2545f4914f6cdd1dULL + 17;
}

/* An exchange by another key first, so count's own exchange moves records
 * that did not start on the worker that sent them. */
static void build_count(struct tctx *c, gy_dataflow_t *df, gy_stream_t **in,
                        gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_exchange(in[0], "scramble", key_scrambled, NULL);

    s = gy_op_count(s, "count", key_first, NULL);

    (void)df;
    sink(s, &c->out[0]);
    *probe_on = s;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* Sorts each epoch's keys and counts the runs. */
static void oracle_count(const struct plan *p, struct rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++) {
        uint32_t n = p->start[0][k + 1] - p->start[0][k];
        uint64_t *keys = malloc((n + 1) * sizeof(*keys));
        assert_non_null(keys);
        memcpy(keys, plan_rec(p, 0, p->start[0][k]), n * sizeof(*keys));
        qsort(keys, n, sizeof(*keys), u64_cmp);
        for (uint32_t i = 0; i < n;) {
            uint32_t j = i;
            while (j < n && keys[j] == keys[i])
                j++;
            struct gy_key_count kc = {keys[i], j - i};
            push_epoch(&want[0], p->epoch[k], &kc, sizeof(kc));
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

static void build_aggregate(struct tctx *c, gy_dataflow_t *df, gy_stream_t **in,
                            gy_stream_t **probe_on)
{
    struct gy_aggregate_spec spec = {
        .name = "agg", .key = key_first, .val_size = AGG_VAL,
        .value = agg_value, .combine = agg_combine,
    };
    gy_stream_t *s = gy_op_aggregate(in[0], &spec);

    (void)df;
    sink(s, &c->out[0]);
    *probe_on = s;
}

/* The aggregate of one key in epoch k, by a scan of the epoch. */
static struct agg_val agg_of(const struct plan *p, uint32_t k, uint64_t key)
{
    struct agg_val v = {0, 0, 0};

    for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++) {
        struct kv x;
        memcpy(&x, plan_rec(p, 0, j), sizeof(x));
        if (x.key != key)
            continue;
        v.sum += x.val;
        v.max = x.val > v.max ? x.val : v.max;
        v.n++;
    }
    return v;
}

/* Brute force per epoch over the 40 possible keys. */
static void oracle_aggregate(const struct plan *p, struct rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++)
        for (uint64_t key = 0; key < 40; key++) {
            struct agg_val v = agg_of(p, k, key);
            unsigned char rec[8 + AGG_VAL];
            if (v.n == 0)
                continue;
            memcpy(rec, &key, 8);
            memcpy(rec + 8, &v, AGG_VAL);
            push_epoch(&want[0], p->epoch[k], rec, sizeof(rec));
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

static void build_join(struct tctx *c, gy_dataflow_t *df, gy_stream_t **in,
                       gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_binary_notify(in[0], in[1], "join", gy_pact_exchange(key_first, NULL),
                                         gy_pact_exchange(key_first, NULL),
                                         sizeof(struct joined), join_finish, NULL);

    (void)df;
    sink(s, &c->out[0]);
    *probe_on = s;
}

/* The pairs of left record i with the right records of epoch k. */
static void join_one(const struct plan *p, uint32_t k, uint32_t i, struct rows *want)
{
    struct kv a, b;

    memcpy(&a, plan_rec(p, 0, i), sizeof(a));
    for (uint32_t j = p->start[1][k]; j < p->start[1][k + 1]; j++) {
        memcpy(&b, plan_rec(p, 1, j), sizeof(b));
        if (a.key == b.key) {
            struct joined o = {a.key, a.val, b.val};
            push_epoch(want, p->epoch[k], &o, sizeof(o));
        }
    }
}

/* Nested loops per epoch. */
static void oracle_join(const struct plan *p, struct rows *want)
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
        uint64_t x = u64_at0((const uint64_t *)recs + i);
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

static void build_state(struct tctx *c, gy_dataflow_t *df, gy_stream_t **in,
                        gy_stream_t **probe_on)
{
    struct gy_state_spec spec = {
        .name = "summary", .out_size = sizeof(struct summary),
        .state_size = sizeof(struct summary), .pacts = {gy_pact_exchange(key_zero, NULL)},
        .on_records = sum_records, .finish = sum_emit,
    };
    gy_stream_t *s = gy_op_unary_state(in[0], &spec);

    (void)df;
    sink(s, &c->out[0]);
    *probe_on = s;
}

static void oracle_state(const struct plan *p, struct rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++) {
        struct summary s = {0, 0, 0};
        for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++) {
            uint64_t x = u64_at0(plan_rec(p, 0, j));
            s.sum += x;
            s.xor ^= x;
            s.n++;
        }
        if (s.n > 0)
            push_epoch(&want[0], p->epoch[k], &s, sizeof(s));
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

static void build_concat(struct tctx *c, gy_dataflow_t *df, gy_stream_t **in,
                         gy_stream_t **probe_on)
{
    gy_stream_t *three[3] = {in[0], gy_op_map(in[0], "plus", sizeof(struct kv), plus_million,
                                              NULL), in[1]};
    gy_stream_t *s = gy_op_concat(three, 3, "cat");

    (void)df;
    sink(s, &c->out[0]);
    *probe_on = s;
}

static void oracle_concat(const struct plan *p, struct rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++) {
        for (uint32_t j = p->start[0][k]; j < p->start[0][k + 1]; j++) {
            struct kv x;
            memcpy(&x, plan_rec(p, 0, j), sizeof(x));
            push_epoch(&want[0], p->epoch[k], &x, sizeof(x));
            x.val += 1000000;
            push_epoch(&want[0], p->epoch[k], &x, sizeof(x));
        }
        for (uint32_t j = p->start[1][k]; j < p->start[1][k + 1]; j++)
            push_epoch(&want[0], p->epoch[k], plan_rec(p, 1, j), sizeof(struct kv));
    }
}

static void test_operators_concat(void **state)
{
    size_t sizes[] = {sizeof(struct kv), sizeof(struct kv)};

    (void)state;
    check_all("concat", build_concat, oracle_concat, 2, sizes, 2000, gen_kv, 1);
}

/* ---- broadcast: every worker sees every record once ---- */

static void build_broadcast(struct tctx *c, gy_dataflow_t *df, gy_stream_t **in,
                            gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_broadcast(in[0], "bcast");

    (void)df;
    sink(s, &c->out[0]);
    *probe_on = s;
}

/* The rows of src that worker w received. */
static void rows_of_worker(const struct rows *src, uint32_t w, struct rows *dst)
{
    for (size_t i = 0; i < src->n; i++)
        if (src->v[i].worker == w)
            rows_push(dst, &src->v[i].t, w, src->v[i].rec, src->v[i].size);
}

static void test_operators_broadcast(void **state)
{
    size_t sizes[] = {sizeof(struct kv)};
    struct tctx c;

    (void)state;
    tctx_init(&c, build_broadcast);
    for (uint32_t wi = 0; wi < NWORKERS; wi++) {
        uint32_t W = WORKERS[wi];
        struct plan p;
        plan_make(&p, 500 + wi, 1, sizes, 300 * scale(), gen_kv);
        c.plan = &p;
        run_ok(&c, W);
        for (uint32_t w = 0; w < W; w++) {
            struct rows got, want;
            rows_init(&got);
            rows_init(&want);
            rows_of_worker(&c.out[0], w, &got);
            oracle_identity(&p, &want);
            assert_rows_equal(&got, &want, "broadcast, one worker's share", W);
            rows_free(&got);
            rows_free(&want);
        }
        plan_free(&p);
    }
    tctx_free(&c);
}

/* ---- inspect: the callback sees each record once; records pass unchanged ---- */

static void seen(const struct gy_time *t, const void *rec, void *arg)
{
    struct rows *r = arg;

    pthread_mutex_lock(&r->lock);
    rows_push(r, t, 0, rec, sizeof(struct kv));
    pthread_mutex_unlock(&r->lock);
}

static void build_inspect(struct tctx *c, gy_dataflow_t *df, gy_stream_t **in,
                          gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_inspect(in[0], "look", seen, &c->seen);

    (void)df;
    sink(s, &c->out[0]);
    *probe_on = s;
}

static void test_operators_inspect(void **state)
{
    size_t sizes[] = {sizeof(struct kv)};
    struct tctx c;

    (void)state;
    check_all("inspect pass-through", build_inspect, oracle_identity, 1, sizes, 300, gen_kv, 1);
    tctx_init(&c, build_inspect);
    for (uint32_t wi = 0; wi < NWORKERS; wi++) {
        struct plan p;
        struct rows want;
        plan_make(&p, 900 + wi, 1, sizes, 300 * scale(), gen_kv);
        c.plan = &p;
        run_ok(&c, WORKERS[wi]);
        rows_init(&want);
        oracle_identity(&p, &want);
        assert_rows_equal(&c.seen, &want, "inspect callback", WORKERS[wi]);
        rows_free(&want);
        plan_free(&p);
    }
    tctx_free(&c);
}

/* ---- a loop: halve values until 1, with per-(epoch, iteration) state ---- */

static uint64_t bucket_key(const void *rec, void *arg)
{
    (void)arg;
    return u64_at0(rec) >> 4;
}

static bool gt1(const void *rec, void *arg)
{
    (void)arg;
    return u64_at0(rec) > 1;
}

static bool eq1(const void *rec, void *arg)
{
    (void)arg;
    return u64_at0(rec) == 1;
}

static void halve(const void *in, void *out, void *arg)
{
    uint64_t x = u64_at0(in) / 2;

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
        s.sum += u64_at0((const uint64_t *)recs + i);
    return gy_emit(emit, &s);
}

static void gen_small(struct rng *r, uint32_t input, void *rec)
{
    uint64_t x = 1 + rng_below(r, 5000);

    (void)input;
    memcpy(rec, &x, sizeof(x));
}

static void build_loop(struct tctx *c, gy_dataflow_t *df, gy_stream_t **in,
                       gy_stream_t **probe_on)
{
    gy_loop_t *l = gy_loop_new(df, 0, "halve");
    gy_stream_t *two[2], *cur, *next, *left;
    gy_feedback_t *fb;

    if (!l || !(fb = gy_loop_feedback(l, sizeof(uint64_t), 1, &two[1])))
        return;
    two[0] = gy_loop_enter(l, in[0]);
    cur = gy_op_concat(two, 2, "cur");
    sink(gy_op_count(cur, "buckets", bucket_key, NULL), &c->out[0]);
    sink(gy_op_unary_notify(cur, "sum", gy_pact_exchange(key_zero, NULL), sizeof(struct sum_n),
                            sum_finish, NULL),
         &c->out[1]);
    next = gy_op_map(gy_op_filter(cur, "gt1", gt1, NULL), "half", sizeof(uint64_t), halve, NULL);
    if (next)
        gy_feedback_connect(fb, next);
    left = gy_loop_leave(l, gy_op_filter(cur, "eq1", eq1, NULL));
    sink(left, &c->out[2]);
    *probe_on = left;
}

/* Per epoch, iterates the multiset itself and counts buckets brute force. */
static void oracle_loop_epoch(uint64_t epoch, uint64_t *m, uint32_t n, struct rows *want)
{
    for (uint32_t it = 0; n > 0; it++) {
        struct gy_time t = gy_time_zero(1);
        struct sum_n s = {0, n};
        uint32_t kept = 0;
        t.epoch = epoch;
        t.iter[0] = it;
        qsort(m, n, sizeof(*m), u64_cmp);
        for (uint32_t i = 0; i < n;) {
            struct gy_key_count kc = {m[i] >> 4, 0};
            for (; i < n && (m[i] >> 4) == kc.key; i++)
                kc.count++;
            rows_push(&want[0], &t, 0, &kc, sizeof(kc));
        }
        for (uint32_t i = 0; i < n; i++) {
            s.sum += m[i];
            if (m[i] == 1)
                push_epoch(&want[2], epoch, &m[i], sizeof(m[i]));
            if (m[i] > 1)
                m[kept++] = m[i] / 2;
        }
        rows_push(&want[1], &t, 0, &s, sizeof(s));
        n = kept;
    }
}

static void oracle_loop(const struct plan *p, struct rows *want)
{
    for (uint32_t k = 0; k < p->nepochs; k++) {
        uint32_t n = p->start[0][k + 1] - p->start[0][k];
        uint64_t *m = malloc((n + 1) * sizeof(*m));
        assert_non_null(m);
        memcpy(m, plan_rec(p, 0, p->start[0][k]), n * sizeof(*m));
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

static void build_boom(struct tctx *c, gy_dataflow_t *df, gy_stream_t **in,
                       gy_stream_t **probe_on)
{
    size_t size = sizeof(uint64_t);
    struct gy_op_spec spec = {.name = "x", .ninputs = 1, .noutputs = 1, .rec_sizes = &size,
                              .cb = {.on_input = boom_input}};
    gy_op_t *op = gy_op_new(df, &spec);

    if (!op)
        return;
    gy_op_connect(op, 0, in[0], gy_pact_broadcast());
    sink(gy_op_output(op, 0), &c->out[0]);
    *probe_on = gy_op_output(op, 0);
}

static int explode(const void *rec, gy_emit_t *e, void *arg)
{
    (void)arg;
    if (u64_at0(rec) % 7 == 3)
        return -EIO;
    return gy_emit(e, rec);
}

static void build_explode(struct tctx *c, gy_dataflow_t *df, gy_stream_t **in,
                          gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_flat_map(in[0], "explode", sizeof(uint64_t), explode, NULL);

    (void)df;
    sink(s, &c->out[0]);
    *probe_on = s;
}

/* Fails finishing the second epoch that has records: the other times'
 * buffered records are discarded at teardown (ASan checks they are freed). */
static int picky_finish(const struct gy_time *t, void *recs, uint32_t n, gy_emit_t *emit,
                        void *arg)
{
    const struct plan *p = arg;
    uint32_t k = 0;

    (void)recs;
    (void)n;
    (void)emit;
    while (p->start[0][k + 1] == p->start[0][k] && k + 1 < p->nepochs)
        k++;
    return t->epoch > p->epoch[k] ? -EDOM : 0;
}

static void build_picky(struct tctx *c, gy_dataflow_t *df, gy_stream_t **in,
                        gy_stream_t **probe_on)
{
    gy_stream_t *s = gy_op_unary_notify(in[0], "picky", gy_pact_exchange(key_first, NULL),
                                        sizeof(uint64_t), picky_finish, (void *)c->plan);

    (void)df;
    (void)probe_on; /* no waits: many epochs stay buffered when it fails */
    sink(s, &c->out[0]);
}

static void build_mismatch(struct tctx *c, gy_dataflow_t *df, gy_stream_t **in,
                           gy_stream_t **probe_on)
{
    gy_stream_t *two[2] = {in[0], gy_op_map(in[0], "wide", 16, map_sq, NULL)};

    (void)df;
    (void)probe_on;
    sink(gy_op_concat(two, 2, "cat"), &c->out[0]);
}

/* Runs build on every worker count; the run must fail with a message that
 * starts with prefix, in well under the time a hang would take. */
static void expect_failure(build_fn build, const char *prefix, gen_fn gen)
{
    size_t sizes[] = {sizeof(uint64_t)};
    struct tctx c;

    tctx_init(&c, build);
    for (uint32_t wi = 0; wi < NWORKERS; wi++) {
        struct plan p;
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
        rc = run_on(&c, WORKERS[wi], err, sizeof(err));
        assert_int_equal(rc, -ECANCELED);
        if (strncmp(err, prefix, strlen(prefix)) != 0)
            fail_msg("%u workers: message '%s', want it to start with '%s'", WORKERS[wi], err,
                     prefix);
        assert_true(gy_now() - t0 < 5.0);
        plan_free(&p);
    }
    tctx_free(&c);
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

static struct gy_time random_time(struct rng *r)
{
    struct gy_time t = gy_time_zero(rng_below(r, 3));

    t.epoch = rng_below(r, 6);
    for (uint32_t j = 0; j < t.depth; j++)
        t.iter[j] = rng_below(r, 5);
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
                            struct rng *r)
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
        m->v[m->n++] = rng_next(r);
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
    struct rng r = {42};

    (void)state;
    gy__tstore_init(&ts, sizeof(uint64_t) * 3);
    for (uint32_t step = 0; step < 20000; step++) {
        struct gy_time t = random_time(&r);
        uint32_t op = rng_below(&r, 3);
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
static void ktab_round(struct gy__ktab *t, struct rng *r, uint32_t range, uint64_t *sum,
                       bool *present)
{
    uint32_t distinct = 0;

    memset(sum, 0, NKEYS * sizeof(*sum));
    memset(present, 0, NKEYS * sizeof(*present));
    for (uint32_t i = 0; i < 20000; i++) {
        uint32_t key = rng_below(r, range);
        uint64_t x = rng_below(r, 100), acc;
        bool fresh;
        unsigned char *v = gy__ktab_upsert(t, key * KEY_SPREAD, &fresh);
        assert_non_null(v);
        assert_true(((uintptr_t)v & 7) == 0);
        assert_int_equal(fresh, !present[key]);
        acc = (fresh ? 0 : u64_at0(v)) + x;
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
        assert_true(u64_at0(t->vals + (size_t)slot * t->vstride) == sum[key]);
        present[key] = false; /* each key once */
    }
}

static void test_operators_ktab_oracle(void **state)
{
    struct gy__ktab t;
    uint64_t *sum = calloc(NKEYS, sizeof(*sum));
    bool *present = calloc(NKEYS, sizeof(*present));
    struct rng r = {7};

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
