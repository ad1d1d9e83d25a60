/*
 * Tests of the runtime as a whole (runtime/, operators/op.h, input.h,
 * loop.h): exact per-epoch totals after an exchange on 1, 2, 3 and 8
 * workers against a single-threaded oracle; notifications that must not be
 * lost (a sink without outputs at the end of the run; a notification asked
 * for at a time the frontier had already passed, as timely's barrier does);
 * failures (an operator failing on one worker while the others are parked
 * or busy, a worker function returning an error, a failure inside a loop)
 * stopping every thread promptly with exactly the failing operator's
 * message; dataflows that
 * cannot be built (unconnected input, a stream crossing a loop boundary
 * without enter or leave, record-size mismatch, a feedback of step 0, a
 * cycle that does not advance time, loops nested too deep); and capability
 * misuse.
 *
 * Worker threads never call cmocka's asserts (they longjmp on the calling
 * thread's stack): they record what they saw in per-worker slots of the test
 * context, and the main thread asserts after gy_runtime_run has joined them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "operators/input.h"
#include "operators/loop.h"
#include "operators/op.h"
#include "progress/alloc.h"
#include "runtime/runtime.h"
#include "tests/support/rng.h"
#include "tests/support/rows.h"
#include "tests/support/run.h"

#define MAXW 65             /* most workers any case uses */
#define TOT_EPOCHS 6        /* epochs of the totals case */
#define TOT_MIN_RECS 200    /* records per worker and epoch: 200 + [0, 2000) */
#define TOT_VAR_RECS 2000
#define PROMPT_S 1.0        /* a failure must stop every worker within this */
#define RUN_LIMIT_S 5.0     /* a failing run must return within this */

static const size_t rs8 = 8;

/* ------------------------------------------------------------------------
 * (a) Exact totals: random (key, value) records exchanged by key; a "sum"
 * operator adds them up per epoch and, when notified, sends its partial
 * (epoch, sum, count) to one collecting worker.
 * ------------------------------------------------------------------------ */

struct kv {
    uint64_t key;
    uint64_t val;
};

struct partial {
    uint64_t epoch;
    uint64_t sum;
    uint64_t count;
};

struct totals {
    uint32_t workers;
    uint64_t seed;
    /* The oracle, computed before the run: what each worker must receive. */
    uint64_t want_sum[MAXW][TOT_EPOCHS];
    uint64_t want_count[MAXW][TOT_EPOCHS];
    /* Written by worker w only. */
    uint64_t sum[MAXW][TOT_EPOCHS];
    uint64_t count[MAXW][TOT_EPOCHS];
    uint32_t notified[MAXW][TOT_EPOCHS];
    uint64_t count_at_notify[MAXW][TOT_EPOCHS];
    uint64_t misrouted[MAXW];        /* records on a worker that does not own their key */
    uint64_t late[MAXW];             /* records at an epoch already notified */
    uint64_t probe_early[MAXW];      /* probe passed an epoch before its sum was final */
    uint64_t coll_sum[MAXW][TOT_EPOCHS];
    uint64_t coll_count[MAXW][TOT_EPOCHS];
    uint32_t coll_parts[MAXW][TOT_EPOCHS];
    uint32_t coll_notified[MAXW][TOT_EPOCHS];
};

/* The records worker w sends at epoch e: a pure function of (seed, w, e). */
static uint32_t gen_epoch(uint64_t seed, uint32_t w, uint64_t e, struct kv *out)
{
    uint64_t s = seed ^ ((uint64_t)w << 32) ^ (e * 0x51ed27ULL);
    uint32_t n = TOT_MIN_RECS + ts_rng_below(&s, TOT_VAR_RECS);

    for (uint32_t i = 0; i < n; i++) {
        out[i].key = ts_rng_next(&s);
        out[i].val = ts_rng_next(&s) % 1000003;
    }
    return n;
}

static void totals_oracle(struct totals *t)
{
    static struct kv recs[TOT_MIN_RECS + TOT_VAR_RECS];

    for (uint32_t w = 0; w < t->workers; w++)
        for (uint64_t e = 0; e < TOT_EPOCHS; e++) {
            uint32_t n = gen_epoch(t->seed, w, e, recs);
            for (uint32_t i = 0; i < n; i++) {
                uint32_t owner = gy_key_worker(recs[i].key, t->workers);
                t->want_sum[owner][e] += recs[i].val;
                t->want_count[owner][e]++;
            }
        }
}

struct sum_op {
    struct totals *t;
    uint32_t me;
};

static void sum_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                      const void *recs, uint32_t n)
{
    struct sum_op *s = state;
    const struct kv *r = recs;
    uint64_t e = cap->time.epoch;

    (void)port;
    if (s->t->notified[s->me][e])
        s->t->late[s->me] += n;
    for (uint32_t i = 0; i < n; i++) {
        if (gy_key_worker(r[i].key, s->t->workers) != s->me)
            s->t->misrouted[s->me]++;
        s->t->sum[s->me][e] += r[i].val;
        s->t->count[s->me][e]++;
    }
    if (gy_op_notify_at(op, cap) != 0)
        return;
}

static void sum_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct sum_op *s = state;
    uint64_t e = cap->time.epoch;
    struct partial p = {e, s->t->sum[s->me][e], s->t->count[s->me][e]};

    s->t->notified[s->me][e]++;
    s->t->count_at_notify[s->me][e] = s->t->count[s->me][e];
    if (gy_op_give(op, 0, cap, &p, 1) != 0)
        return;
}

static void coll_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                       const void *recs, uint32_t n)
{
    struct sum_op *s = state;
    const struct partial *p = recs;

    (void)port;
    for (uint32_t i = 0; i < n; i++) {
        s->t->coll_sum[s->me][p[i].epoch] += p[i].sum;
        s->t->coll_count[s->me][p[i].epoch] += p[i].count;
        s->t->coll_parts[s->me][p[i].epoch]++;
    }
    if (gy_op_notify_at(op, cap) != 0)
        return;
}

static void coll_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct sum_op *s = state;

    (void)op;
    s->t->coll_notified[s->me][cap->time.epoch]++;
}

static struct sum_op *sum_state(gy_worker_t *w, struct totals *t)
{
    struct sum_op *s = gy_malloc(sizeof(*s));

    if (s) {
        s->t = t;
        s->me = gy_worker_index(w);
    }
    return s;
}

/* input -> sum (exchange by key) -> collect (everything to one worker). */
static gy_probe_t *totals_build(gy_worker_t *w, struct totals *t, gy_input_t **in)
{
    gy_dataflow_t *df = gy_dataflow_new(w, "totals");
    const size_t psize = sizeof(struct partial);
    struct gy_op_spec sum = {.name = "sum", .ninputs = 1, .noutputs = 1, .rec_sizes = &psize,
                             .cb = {sum_input, sum_notify, NULL, gy_free}};
    /* The collector's output carries nothing; it is there so that its
     * notification capabilities are counted (see test_runtime_sink_notify). */
    struct gy_op_spec coll = {.name = "collect", .ninputs = 1, .noutputs = 1, .rec_sizes = &psize,
                              .cb = {coll_input, coll_notify, NULL, gy_free}};
    gy_stream_t *s;
    gy_op_t *sop, *cop;
    gy_probe_t *p;

    if (!df || !(*in = gy_input_new(df, "in", sizeof(struct kv), &s)))
        return NULL;
    sum.state = sum_state(w, t);
    coll.state = sum_state(w, t);
    if (!sum.state || !coll.state || !(sop = gy_op_new(df, &sum)) || !(cop = gy_op_new(df, &coll)))
        return NULL;
    gy_op_connect(sop, 0, s, gy_pact_exchange(ts_key_first, NULL));
    gy_op_connect(cop, 0, gy_op_output(sop, 0), gy_pact_exchange(ts_key_zero, NULL));
    p = gy_probe_new(gy_op_output(sop, 0));
    if (!p || gy_dataflow_build(df) != 0)
        return NULL;
    return p;
}

/* Sends one epoch in random chunks, stepping the worker in between. */
static int totals_send(gy_worker_t *w, gy_input_t *in, struct kv *recs, uint32_t n, uint64_t *rs)
{
    uint32_t off = 0;

    while (off < n) {
        uint32_t k = 1 + ts_rng_below(rs, 300);
        if (k > n - off)
            k = n - off;
        if (gy_input_send(in, recs + off, k) != 0)
            return -ECANCELED;
        off += k;
        if (ts_rng_next(rs) % 4 == 0 && gy_worker_step(w) < 0)
            return -ECANCELED;
    }
    return 0;
}

/* After the probe passed epoch e, the sum for e must be final on this worker. */
static void totals_check_probe(struct totals *t, uint32_t me, uint64_t e)
{
    if (t->count[me][e] != t->want_count[me][e] ||
        (t->want_count[me][e] > 0 && t->notified[me][e] != 1))
        t->probe_early[me]++;
}

static int totals_worker(gy_worker_t *w, void *arg)
{
    static _Thread_local struct kv recs[TOT_MIN_RECS + TOT_VAR_RECS];
    struct totals *t = arg;
    uint32_t me = gy_worker_index(w);
    uint64_t rs = t->seed * 31 + me;
    gy_input_t *in = NULL;
    gy_probe_t *p = totals_build(w, t, &in);

    if (!p)
        return -ECANCELED;
    for (uint64_t e = 0; e < TOT_EPOCHS; e++) {
        uint32_t n = gen_epoch(t->seed, me, e, recs);
        if (totals_send(w, in, recs, n, &rs) != 0 || gy_input_advance_to(in, e + 1) != 0)
            return -ECANCELED;
        if (e % 2 == 1) { /* let two epochs be in flight, then catch up */
            if (gy_probe_wait_epoch(p, w, e - 1) != 0)
                return -ECANCELED;
            totals_check_probe(t, me, e - 1);
        }
    }
    gy_input_close(in);
    return gy_worker_run(w);
}

static void totals_assert(const struct totals *t)
{
    for (uint32_t w = 0; w < t->workers; w++) {
        assert_int_equal(t->misrouted[w], 0);
        assert_int_equal(t->late[w], 0);
        assert_int_equal(t->probe_early[w], 0);
        for (uint32_t e = 0; e < TOT_EPOCHS; e++) {
            assert_int_equal(t->sum[w][e], t->want_sum[w][e]);
            assert_int_equal(t->count[w][e], t->want_count[w][e]);
            assert_int_equal(t->count_at_notify[w][e], t->want_count[w][e]);
            assert_int_equal(t->notified[w][e], t->want_count[w][e] > 0 ? 1 : 0);
        }
    }
}

/* Every epoch's partials reach the collector, which sees the grand total. */
static void totals_assert_collected(const struct totals *t)
{
    for (uint32_t e = 0; e < TOT_EPOCHS; e++) {
        uint64_t want_sum = 0, want_count = 0, sum = 0, count = 0, notified = 0, parts = 0;
        uint32_t senders = 0;
        for (uint32_t w = 0; w < t->workers; w++) {
            want_sum += t->want_sum[w][e];
            want_count += t->want_count[w][e];
            senders += t->want_count[w][e] > 0;
            sum += t->coll_sum[w][e];
            count += t->coll_count[w][e];
            parts += t->coll_parts[w][e];
            notified += t->coll_notified[w][e];
        }
        assert_int_equal(sum, want_sum);
        assert_int_equal(count, want_count);
        assert_int_equal(parts, senders);
        assert_int_equal(notified, 1);
    }
}

static void totals_case(uint32_t workers, uint64_t seed)
{
    static struct totals t;
    struct gy_runtime_config cfg = ts_runtime_config(workers);
    char err[512];
    int rc;

    memset(&t, 0, sizeof(t));
    t.workers = workers;
    t.seed = seed;
    totals_oracle(&t);
    rc = gy_runtime_run(&cfg, totals_worker, &t, err, sizeof(err));
    if (rc != 0)
        print_error("W=%u: %s\n", workers, err);
    assert_int_equal(rc, 0);
    totals_assert(&t);
    totals_assert_collected(&t);
}

static void test_runtime_totals_w1(void **state)
{
    (void)state;
    totals_case(1, 11);
}

static void test_runtime_totals_w2(void **state)
{
    (void)state;
    totals_case(2, 22);
    totals_case(2, 23);
}

static void test_runtime_totals_w3(void **state)
{
    (void)state;
    totals_case(3, 33);
}

static void test_runtime_totals_w8(void **state)
{
    (void)state;
    totals_case(8, 88);
}

/* More peers than the exchange keeps write cursors for in locals
 * (runtime/channel.c): its other routing loop. */
static void test_runtime_totals_w65(void **state)
{
    (void)state;
    totals_case(65, 65);
}

/* A sink (an operator without outputs) that asks for a notification at every
 * epoch it receives records in must get every one of them before
 * gy_worker_run returns: results written at notification time are the
 * usual way to emit per-epoch output, and losing the last epoch's would
 * present a partial result as complete. */
#define SINK_EPOCHS 4
#define SINK_RECS 64

struct sinkrun {
    uint32_t workers;
    uint32_t want[MAXW][SINK_EPOCHS];      /* 1 iff worker w receives records at e */
    uint32_t notified[MAXW][SINK_EPOCHS];  /* written by worker w only */
};

static uint64_t sink_key(uint32_t w, uint64_t e, uint32_t i)
{
    return ((uint64_t)w << 40) ^ (e << 20) ^ i;
}

static void sink_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                       const void *recs, uint32_t n)
{
    (void)state;
    (void)port;
    (void)recs;
    (void)n;
    if (gy_op_notify_at(op, cap) != 0)
        return;
}

static void sink_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct sinkrun *r = state;

    r->notified[gy_worker_index(gy_op_worker(op))][cap->time.epoch]++;
}

static int sink_worker(gy_worker_t *w, void *arg)
{
    struct sinkrun *r = arg;
    uint32_t me = gy_worker_index(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "sink");
    struct gy_op_spec spec = {.name = "sink", .ninputs = 1, .noutputs = 0,
                              .cb = {.on_input = sink_input, .on_notify = sink_notify}, .state = r};
    gy_stream_t *s;
    gy_input_t *in;
    gy_op_t *op;

    if (!df || !(in = gy_input_new(df, "in", 8, &s)) || !(op = gy_op_new(df, &spec)))
        return -ECANCELED;
    gy_op_connect(op, 0, s, gy_pact_exchange(ts_key_first, NULL));
    if (gy_dataflow_build(df) != 0)
        return -ECANCELED;
    for (uint64_t e = 0; e < SINK_EPOCHS; e++) {
        for (uint32_t i = 0; i < SINK_RECS; i++) {
            uint64_t k = sink_key(me, e, i);
            if (gy_input_send(in, &k, 1) != 0)
                return -ECANCELED;
        }
        if (gy_input_advance_to(in, e + 1) != 0)
            return -ECANCELED;
    }
    gy_input_close(in);
    return gy_worker_run(w);
}

static void sink_oracle(struct sinkrun *r)
{
    for (uint32_t w = 0; w < r->workers; w++)
        for (uint64_t e = 0; e < SINK_EPOCHS; e++)
            for (uint32_t i = 0; i < SINK_RECS; i++)
                r->want[gy_key_worker(sink_key(w, e, i), r->workers)][e] = 1;
}

static void test_runtime_sink_notify(void **state)
{
    static struct sinkrun r;
    uint32_t ws[] = {1, 2, 3};

    (void)state;
    for (size_t c = 0; c < sizeof(ws) / sizeof(ws[0]); c++) {
        struct gy_runtime_config cfg = ts_runtime_config(ws[c]);
        char err[512];
        memset(&r, 0, sizeof(r));
        r.workers = ws[c];
        sink_oracle(&r);
        assert_int_equal(gy_runtime_run(&cfg, sink_worker, &r, err, sizeof(err)), 0);
        for (uint32_t w = 0; w < r.workers; w++)
            for (uint32_t e = 0; e < SINK_EPOCHS; e++)
                assert_int_equal(r.notified[w][e], r.want[w][e]);
    }
}

/* timely's barrier: an operator in a loop, its output fed back (+1) to its
 * input, holds an initial capability at (0, 0). Its first activation asks
 * for a notification there and drops the capability; each notification at
 * (0, i) asks for (0, i + 1). The frontier passed (0, 0) before the request
 * was made, so nothing changes afterwards that would run the operator
 * again: the request itself must see to it. The driver gives up after
 * NP_LIMIT_S instead of hanging. */
#define NP_ROUNDS 5
#define NP_LIMIT_S 3.0

struct np_op {
    struct gy_cap init;
    uint32_t rounds;            /* notifications delivered */
};

static void np_frontier(gy_op_t *op, void *state)
{
    struct np_op *s = state;

    if (!s->init.held)
        return;
    if (gy_op_notify_at(op, &s->init) != 0)
        return;
    gy_cap_drop(op, &s->init);
}

static void np_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct np_op *s = state;
    struct gy_time next = cap->time;
    struct gy_cap c;

    s->rounds++;
    if (++next.iter[0] >= NP_ROUNDS)
        return;
    if (gy_cap_retain(op, cap, &next, &c) != 0 || gy_op_notify_at(op, &c) != 0)
        return;
    gy_cap_drop(op, &c);
}

static int np_worker(gy_worker_t *w, void *arg)
{
    uint32_t *rounds = arg;
    gy_dataflow_t *df = gy_dataflow_new(w, "barrier");
    struct np_op *s = gy_calloc(1, sizeof(*s));
    struct gy_op_spec spec = {.name = "barrier", .ninputs = 1, .noutputs = 1, .rec_sizes = &rs8,
                              .cb = {.on_notify = np_notify, .on_frontier = np_frontier,
                                     .destroy = gy_free}, .state = s};
    struct gy_time t0 = gy_time_zero(1);
    double start = gy_now();
    gy_stream_t *back;
    gy_feedback_t *fb;
    gy_loop_t *l;
    gy_op_t *op;

    if (!s || !df || !(l = gy_loop_new(df, 0, "rounds")) || !(fb = gy_loop_feedback(l, 8, 1, &back)))
        return -ECANCELED;
    spec.scope = gy_loop_scope(l);
    if (!(op = gy_op_new(df, &spec)) || gy_op_initial_cap(op, &t0, &s->init) != 0)
        return -ECANCELED;
    gy_op_connect(op, 0, back, gy_pact_pipeline());
    gy_feedback_connect(fb, gy_op_output(op, 0));
    if (gy_dataflow_build(df) != 0)
        return -ECANCELED;
    while (s->rounds < NP_ROUNDS && gy_now() - start < NP_LIMIT_S)
        if (gy_worker_step_or_park(w) < 0)
            return -ECANCELED;
    rounds[gy_worker_index(w)] = s->rounds;
    if (s->rounds < NP_ROUNDS)
        return gy_worker_fail(w, "worker %u: %u of %d notifications delivered",
                              gy_worker_index(w), s->rounds, NP_ROUNDS);
    return gy_worker_run(w);
}

static void test_runtime_notify_passed(void **state)
{
    const uint32_t ws[] = {1, 2};

    (void)state;
    for (size_t c = 0; c < sizeof(ws) / sizeof(ws[0]); c++) {
        struct gy_runtime_config cfg = ts_runtime_config(ws[c]);
        uint32_t rounds[2] = {0, 0};
        char err[512];
        int rc = gy_runtime_run(&cfg, np_worker, rounds, err, sizeof(err));
        if (rc != 0)
            print_error("W=%u: %s\n", ws[c], err);
        assert_int_equal(rc, 0);
        for (uint32_t w = 0; w < ws[c]; w++)
            assert_int_equal(rounds[w], NP_ROUNDS);
    }
}

/* ------------------------------------------------------------------------
 * (b) Failures at run time.
 * ------------------------------------------------------------------------ */

#define FAIL_AFTER_S 0.2    /* the failing operator waits this long first */
#define FAILER 1            /* the worker whose operator fails */
#define BUSY 2              /* the worker that loops on gy_worker_step */

struct failrun {
    uint32_t workers;
    double fail_at;                  /* written by the failing worker */
    double exit_at[MAXW];            /* when each worker function returned */
    int rc[MAXW];                    /* what gy_worker_run / the step loop returned */
    uint64_t busy_steps;             /* steps the busy worker made */
};

struct fail_op {
    struct failrun *f;
    uint32_t me;
    double first;                    /* when it first ran (worker FAILER) */
    struct gy_cap cap;               /* spinner: held for ever */
};

/* On worker FAILER, waits FAIL_AFTER_S (staying active), then fails. */
static void boom_frontier(gy_op_t *op, void *state)
{
    struct fail_op *s = state;

    if (s->me != FAILER)
        return;
    if (s->first == 0)
        s->first = gy_now();
    if (gy_now() - s->first < FAIL_AFTER_S) {
        gy_op_activate(op);
        return;
    }
    s->f->fail_at = gy_now();
    gy_op_fail(op, "worker %u gives up", s->me);
}

/* Holds a capability for ever; keeps worker BUSY's scheduler busy. */
static void spin_frontier(gy_op_t *op, void *state)
{
    struct fail_op *s = state;

    if (s->me == BUSY)
        gy_op_activate(op);
}

static struct fail_op *fail_state(gy_worker_t *w, struct failrun *f)
{
    struct fail_op *s = gy_calloc(1, sizeof(*s));

    if (s) {
        s->f = f;
        s->me = gy_worker_index(w);
    }
    return s;
}

static int failrun_build(gy_worker_t *w, struct failrun *f, gy_input_t **in)
{
    gy_dataflow_t *df = gy_dataflow_new(w, "failing");
    const size_t rs = sizeof(uint64_t);
    struct gy_op_spec boom = {.name = "boom", .ninputs = 1, .cb = {.on_frontier = boom_frontier,
                                                                    .destroy = gy_free}};
    struct gy_op_spec spin = {.name = "spinner", .noutputs = 1, .rec_sizes = &rs,
                              .cb = {.on_frontier = spin_frontier, .destroy = gy_free}};
    struct fail_op *ss;
    gy_stream_t *s;
    gy_op_t *bop, *sop;
    struct gy_time zero = gy_time_epoch(0);

    if (!df || !(*in = gy_input_new(df, "in", rs, &s)))
        return -ECANCELED;
    boom.state = fail_state(w, f);
    spin.state = ss = fail_state(w, f);
    if (!boom.state || !spin.state || !(bop = gy_op_new(df, &boom)) || !(sop = gy_op_new(df, &spin)))
        return -ECANCELED;
    gy_op_connect(bop, 0, s, gy_pact_exchange(ts_key_first, NULL));
    if (gy_op_initial_cap(sop, &zero, &ss->cap) != 0)
        return -ECANCELED;
    return gy_dataflow_build(df);
}

/* Worker FAILER fails after a while; worker BUSY spins on gy_worker_step;
 * every other worker parks in gy_worker_run (the spinner's capability keeps
 * the dataflow from completing, so only the failure can end the run). */
static int failrun_worker(gy_worker_t *w, void *arg)
{
    struct failrun *f = arg;
    uint32_t me = gy_worker_index(w);
    gy_input_t *in = NULL;
    uint64_t x = me;
    int rc = failrun_build(w, f, &in);

    if (rc == 0 && (rc = gy_input_send(in, &x, 1)) == 0) {
        gy_input_close(in);
        if (me == BUSY) {
            while ((rc = gy_worker_step(w)) >= 0)
                f->busy_steps++;
        } else {
            rc = gy_worker_run(w);
        }
    }
    f->rc[me] = rc;
    f->exit_at[me] = gy_now();
    return rc;
}

static void failrun_case(uint32_t workers)
{
    static struct failrun f;
    struct gy_runtime_config cfg = ts_runtime_config(workers);
    char err[512], want[64];
    double t0 = gy_now(), took;
    int rc;

    memset(&f, 0, sizeof(f));
    f.workers = workers;
    rc = gy_runtime_run(&cfg, failrun_worker, &f, err, sizeof(err));
    took = gy_now() - t0;
    assert_int_equal(rc, -ECANCELED);
    snprintf(want, sizeof(want), "operator 'boom': worker %d gives up", FAILER);
    assert_string_equal(err, want);
    assert_true(took < RUN_LIMIT_S);
    assert_true(f.fail_at > 0);
    assert_true(f.busy_steps > 0);
    for (uint32_t w = 0; w < workers; w++) {
        assert_int_equal(f.rc[w], -ECANCELED);
        assert_true(f.exit_at[w] - f.fail_at < PROMPT_S);
    }
}

static void test_runtime_fail_one_worker(void **state)
{
    (void)state;
    failrun_case(3);
    failrun_case(8);
}

/* The worker function itself fails: with a message, or by returning an
 * errno without one (the runtime then words the message). The other worker
 * waits in gy_worker_run for an input that will never close. */
struct fnfail {
    bool with_message;
    int rc[2];
};

static int fnfail_worker(gy_worker_t *w, void *arg)
{
    struct fnfail *f = arg;
    uint32_t me = gy_worker_index(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "fnfail");
    gy_stream_t *s;
    gy_input_t *in;

    if (!df || !(in = gy_input_new(df, "in", sizeof(uint64_t), &s)) || !gy_probe_new(s) ||
        gy_dataflow_build(df) != 0)
        return -ECANCELED;
    if (me == 1 && f->with_message)
        return f->rc[me] = gy_worker_fail(w, "worker %u: custom failure %d", me, 42);
    if (me == 1)
        return f->rc[me] = -EIO;
    return f->rc[me] = gy_worker_run(w);
}

static void test_runtime_worker_fn_error(void **state)
{
    struct fnfail f = {.with_message = false};
    struct gy_runtime_config cfg = ts_runtime_config(2);
    char err[512], want[128];
    int rc;

    (void)state;
    rc = gy_runtime_run(&cfg, fnfail_worker, &f, err, sizeof(err));
    assert_int_equal(rc, -ECANCELED);
    snprintf(want, sizeof(want), "worker 1 failed: %s", strerror(EIO));
    assert_string_equal(err, want);
    assert_int_equal(f.rc[0], -ECANCELED);

    memset(&f, 0, sizeof(f));
    f.with_message = true;
    rc = gy_runtime_run(&cfg, fnfail_worker, &f, err, sizeof(err));
    assert_int_equal(rc, -ECANCELED);
    assert_string_equal(err, "worker 1: custom failure 42");
    assert_int_equal(f.rc[0], -ECANCELED);
    assert_int_equal(f.rc[1], -ECANCELED);
}

/* A loop body that fails when a record reaches iteration LOOP_FAIL_ITER. */
#define LOOP_FAIL_ITER 5

static void loopfail_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                           const void *recs, uint32_t n)
{
    (void)state;
    (void)port;
    if (cap->time.iter[0] == LOOP_FAIL_ITER) {
        gy_op_fail(op, "refused iteration %u", cap->time.iter[0]);
        return;
    }
    if (gy_op_give(op, 0, cap, recs, n) != 0)
        return;
}

static int loopfail_worker(gy_worker_t *w, void *arg)
{
    gy_dataflow_t *df = gy_dataflow_new(w, "loopfail");
    const size_t rs = sizeof(uint64_t);
    struct gy_op_spec body = {.name = "body", .ninputs = 2, .noutputs = 1, .rec_sizes = &rs,
                              .cb = {.on_input = loopfail_input}};
    gy_stream_t *s, *back, *inner;
    gy_input_t *in;
    gy_loop_t *l;
    gy_feedback_t *fb;
    gy_op_t *op;
    uint64_t x = gy_worker_index(w);

    (void)arg;
    if (!df || !(in = gy_input_new(df, "in", rs, &s)) || !(l = gy_loop_new(df, 0, "loop")))
        return -ECANCELED;
    if (!(fb = gy_loop_feedback(l, rs, 1, &back)) || !(inner = gy_loop_enter(l, s)))
        return -ECANCELED;
    body.scope = gy_loop_scope(l);
    if (!(op = gy_op_new(df, &body)))
        return -ECANCELED;
    gy_op_connect(op, 0, inner, gy_pact_exchange(ts_key_first, NULL));
    gy_op_connect(op, 1, back, gy_pact_exchange(ts_key_first, NULL));
    gy_feedback_connect(fb, gy_op_output(op, 0));
    if (!gy_probe_new(gy_loop_leave(l, gy_op_output(op, 0))) || gy_dataflow_build(df) != 0)
        return -ECANCELED;
    if (gy_input_send(in, &x, 1) != 0)
        return -ECANCELED;
    gy_input_close(in);
    return gy_worker_run(w);
}

static void test_runtime_fail_in_loop(void **state)
{
    struct gy_runtime_config cfg;
    char err[512], want[128];
    uint32_t ws[] = {1, 2, 3};

    (void)state;
    snprintf(want, sizeof(want), "operator 'body': refused iteration %d", LOOP_FAIL_ITER);
    for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
        double t0 = gy_now();
        cfg = ts_runtime_config(ws[i]);
        assert_int_equal(gy_runtime_run(&cfg, loopfail_worker, NULL, err, sizeof(err)),
                         -ECANCELED);
        assert_string_equal(err, want);
        assert_true(gy_now() - t0 < RUN_LIMIT_S);
    }
}

/* ------------------------------------------------------------------------
 * (c) Dataflows that cannot be built.
 * ------------------------------------------------------------------------ */

enum bad_kind { BAD_UNCONNECTED, BAD_SCOPE, BAD_RECSIZE, BAD_STEP0, BAD_CYCLE, BAD_DEPTH };

struct badrun {
    enum bad_kind kind;
    int build_rc[2];
    bool reached_build[2];
};

static gy_op_t *plain(gy_dataflow_t *df, const char *name, uint32_t scope, uint32_t nin,
                      uint32_t nout)
{
    struct gy_op_spec spec = {.name = name, .ninputs = nin, .noutputs = nout, .scope = scope,
                              .rec_sizes = nout ? &rs8 : NULL};
    return gy_op_new(df, &spec);
}

/* An operator in the root scope reads a stream that lives inside a loop. */
static int bad_scope(gy_dataflow_t *df, gy_stream_t *s)
{
    gy_loop_t *l = gy_loop_new(df, 0, "loop");
    gy_stream_t *inner;
    gy_op_t *body, *outside;

    if (!l || !(inner = gy_loop_enter(l, s)))
        return -1;
    if (!(body = plain(df, "body", gy_loop_scope(l), 1, 1)) ||
        !(outside = plain(df, "outside", 0, 1, 0)))
        return -1;
    gy_op_connect(body, 0, inner, gy_pact_pipeline());
    gy_op_connect(outside, 0, gy_op_output(body, 0), gy_pact_pipeline());
    return 0;
}

/* A feedback of 8-byte records fed a stream of 16-byte records. */
static int bad_recsize(gy_dataflow_t *df, gy_stream_t *s)
{
    const size_t rs16 = 16;
    gy_loop_t *l = gy_loop_new(df, 0, "loop");
    struct gy_op_spec wide = {.name = "wide", .ninputs = 2, .noutputs = 1, .rec_sizes = &rs16};
    gy_stream_t *inner, *back;
    gy_feedback_t *fb;
    gy_op_t *op;

    if (!l || !(inner = gy_loop_enter(l, s)) || !(fb = gy_loop_feedback(l, 8, 1, &back)))
        return -1;
    wide.scope = gy_loop_scope(l);
    if (!(op = gy_op_new(df, &wide)))
        return -1;
    gy_op_connect(op, 0, inner, gy_pact_pipeline());
    gy_op_connect(op, 1, back, gy_pact_pipeline());
    gy_feedback_connect(fb, gy_op_output(op, 0));
    return 0;
}

static int bad_step0(gy_dataflow_t *df, gy_stream_t *s)
{
    gy_loop_t *l = gy_loop_new(df, 0, "loop");
    gy_stream_t *back;

    (void)s;
    if (!l)
        return -1;
    /* The feedback is refused at once: NULL, and build reports why. */
    return gy_loop_feedback(l, 8, 0, &back) == NULL ? 0 : -2;
}

/* a -> b -> a with identity summaries: a cycle that does not advance time. */
static int bad_cycle(gy_dataflow_t *df, gy_stream_t *s)
{
    gy_op_t *a = plain(df, "a", 0, 2, 1), *b = plain(df, "b", 0, 1, 1);

    if (!a || !b)
        return -1;
    gy_op_connect(a, 0, s, gy_pact_pipeline());
    gy_op_connect(a, 1, gy_op_output(b, 0), gy_pact_pipeline());
    gy_op_connect(b, 0, gy_op_output(a, 0), gy_pact_pipeline());
    return 0;
}

/* GY_MAX_DEPTH + 1 nested loops: the last gy_loop_new is refused. */
static int bad_depth(gy_dataflow_t *df, gy_stream_t *s)
{
    uint32_t scope = 0;

    (void)s;
    for (int d = 0; d < GY_MAX_DEPTH; d++) {
        gy_loop_t *l = gy_loop_new(df, scope, "nested");
        if (!l)
            return -1;
        scope = gy_loop_scope(l);
    }
    return gy_loop_new(df, scope, "too-deep") == NULL ? 0 : -2;
}

static int bad_shape(gy_dataflow_t *df, enum bad_kind kind, gy_stream_t *s)
{
    switch (kind) {
    case BAD_UNCONNECTED:
        return plain(df, "lonely", 0, 2, 0) ? 0 : -1; /* input 0 and 1 unconnected */
    case BAD_SCOPE:
        return bad_scope(df, s);
    case BAD_RECSIZE:
        return bad_recsize(df, s);
    case BAD_STEP0:
        return bad_step0(df, s);
    case BAD_CYCLE:
        return bad_cycle(df, s);
    case BAD_DEPTH:
    default:
        return bad_depth(df, s);
    }
}

static int bad_worker(gy_worker_t *w, void *arg)
{
    struct badrun *b = arg;
    uint32_t me = gy_worker_index(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "bad");
    gy_stream_t *s;
    int rc;

    if (!df || !gy_input_new(df, "in", 8, &s))
        return -ECANCELED;
    rc = bad_shape(df, b->kind, s);
    if (rc == -2)
        return gy_worker_fail(w, "test: the bad construction was accepted");
    b->reached_build[me] = true;
    b->build_rc[me] = gy_dataflow_build(df);
    return b->build_rc[me] != 0 ? b->build_rc[me] : gy_worker_run(w);
}

static void bad_case(enum bad_kind kind, const char *want1, const char *want2)
{
    struct badrun b = {.kind = kind};
    struct gy_runtime_config cfg = ts_runtime_config(2);
    char err[1024];

    assert_int_equal(gy_runtime_run(&cfg, bad_worker, &b, err, sizeof(err)), -ECANCELED);
    if (!strstr(err, want1) || !strstr(err, want2))
        print_error("message: %s\nwanted: '%s' and '%s'\n", err, want1, want2);
    assert_non_null(strstr(err, want1));
    assert_non_null(strstr(err, want2));
    for (int w = 0; w < 2; w++)
        if (b.reached_build[w])
            assert_int_equal(b.build_rc[w], -EINVAL);
}

static void test_runtime_build_unconnected(void **state)
{
    (void)state;
    bad_case(BAD_UNCONNECTED, "dataflow 'bad'", "operator 'lonely' input 0 is not connected");
}

static void test_runtime_build_scope(void **state)
{
    (void)state;
    bad_case(BAD_SCOPE, "operator 'outside' input 0: the stream of 'body'",
             "crosses a loop boundary only through enter or leave");
}

static void test_runtime_build_recsize(void **state)
{
    (void)state;
    bad_case(BAD_RECSIZE, "loop operator 'loop.feedback",
             "input records of 16 bytes, output of 8");
}

static void test_runtime_build_step0(void **state)
{
    (void)state;
    bad_case(BAD_STEP0, "dataflow 'bad'", "does not advance the loop counter (step 0)");
}

static void test_runtime_build_cycle(void **state)
{
    (void)state;
    bad_case(BAD_CYCLE, "dataflow 'bad'", "cycle does not advance time");
}

static void test_runtime_build_depth(void **state)
{
    char want[64];

    (void)state;
    snprintf(want, sizeof(want), "nest at most %d deep", GY_MAX_DEPTH);
    bad_case(BAD_DEPTH, "loop 'too-deep'", want);
}

/* ------------------------------------------------------------------------
 * (d) Capability misuse fails the run with a message naming the operator.
 * ------------------------------------------------------------------------ */

enum misuse { MIS_DOWNGRADE_BACK, MIS_RETAIN_EARLIER, MIS_SEND_DROPPED };

struct misrun {
    enum misuse kind;
    int api_rc[MAXW];                /* what the misused call returned (0 = not reached) */
};

struct mis_op {
    struct misrun *m;
    uint32_t me;
    struct gy_cap held;
};

/* At epoch 2: takes a capability at 3, then misuses it as the case says. */
static void mis_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                      const void *recs, uint32_t n)
{
    struct mis_op *s = state;
    struct gy_time t3 = gy_time_epoch(3), t1 = gy_time_epoch(1);
    struct gy_cap other;

    (void)port;
    if (cap->time.epoch != 2 || s->m->api_rc[s->me] != 0)
        return;
    if (gy_cap_retain(op, cap, &t3, &s->held) != 0)
        return;
    if (s->m->kind == MIS_DOWNGRADE_BACK) {
        s->m->api_rc[s->me] = gy_cap_downgrade(op, &s->held, &t1);
    } else if (s->m->kind == MIS_RETAIN_EARLIER) {
        s->m->api_rc[s->me] = gy_cap_retain(op, &s->held, &t1, &other);
    } else {
        gy_cap_drop(op, &s->held);
        s->m->api_rc[s->me] = gy_op_give(op, 0, &s->held, recs, n);
    }
}

static int mis_worker(gy_worker_t *w, void *arg)
{
    struct misrun *m = arg;
    gy_dataflow_t *df = gy_dataflow_new(w, "misuse");
    struct gy_op_spec spec = {.name = "misuser", .ninputs = 1, .noutputs = 1, .rec_sizes = &rs8,
                              .cb = {.on_input = mis_input, .destroy = gy_free}};
    struct mis_op *s = gy_calloc(1, sizeof(*s));
    uint64_t x = gy_worker_index(w);
    gy_stream_t *st;
    gy_input_t *in;
    gy_op_t *op;

    if (!s)
        return -ENOMEM;
    s->m = m;
    s->me = gy_worker_index(w);
    spec.state = s;
    if (!df || !(in = gy_input_new(df, "in", 8, &st)) || !(op = gy_op_new(df, &spec)))
        return -ECANCELED;
    gy_op_connect(op, 0, st, gy_pact_pipeline());
    if (!gy_probe_new(gy_op_output(op, 0)) || gy_dataflow_build(df) != 0)
        return -ECANCELED;
    for (uint64_t e = 0; e < 4; e++)
        if (gy_input_send(in, &x, 1) != 0 || gy_input_advance_to(in, e + 1) != 0)
            return -ECANCELED;
    gy_input_close(in);
    return gy_worker_run(w);
}

static void mis_case(enum misuse kind, const char *want)
{
    struct misrun m = {.kind = kind};
    struct gy_runtime_config cfg = ts_runtime_config(2);
    char err[512];

    assert_int_equal(gy_runtime_run(&cfg, mis_worker, &m, err, sizeof(err)), -ECANCELED);
    if (strncmp(err, want, strlen(want)) != 0)
        print_error("message: %s\nwanted prefix: %s\n", err, want);
    assert_int_equal(strncmp(err, want, strlen(want)), 0);
    assert_non_null(strstr(err, "without holding a capability at or before it"));
    /* Each worker that got that far saw the call refused. */
    for (int w = 0; w < 2; w++)
        assert_true(m.api_rc[w] == 0 || m.api_rc[w] == -EPERM);
    assert_true(m.api_rc[0] == -EPERM || m.api_rc[1] == -EPERM);
}

static void test_runtime_cap_downgrade_back(void **state)
{
    (void)state;
    mis_case(MIS_DOWNGRADE_BACK, "operator 'misuser': capability downgraded at (1)");
}

static void test_runtime_cap_retain_earlier(void **state)
{
    (void)state;
    mis_case(MIS_RETAIN_EARLIER, "operator 'misuser': capability requested at (1)");
}

static void test_runtime_cap_send_dropped(void **state)
{
    (void)state;
    mis_case(MIS_SEND_DROPPED, "operator 'misuser': records sent at (3)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runtime_totals_w1),
        cmocka_unit_test(test_runtime_totals_w2),
        cmocka_unit_test(test_runtime_totals_w3),
        cmocka_unit_test(test_runtime_totals_w8),
        cmocka_unit_test(test_runtime_totals_w65),
        cmocka_unit_test(test_runtime_sink_notify),
        cmocka_unit_test(test_runtime_notify_passed),
        cmocka_unit_test(test_runtime_fail_one_worker),
        cmocka_unit_test(test_runtime_worker_fn_error),
        cmocka_unit_test(test_runtime_fail_in_loop),
        cmocka_unit_test(test_runtime_build_unconnected),
        cmocka_unit_test(test_runtime_build_scope),
        cmocka_unit_test(test_runtime_build_recsize),
        cmocka_unit_test(test_runtime_build_step0),
        cmocka_unit_test(test_runtime_build_cycle),
        cmocka_unit_test(test_runtime_build_depth),
        cmocka_unit_test(test_runtime_cap_downgrade_back),
        cmocka_unit_test(test_runtime_cap_retain_earlier),
        cmocka_unit_test(test_runtime_cap_send_dropped),
    };

    return cmocka_run_group_tests_name("runtime", tests, NULL, NULL);
}
