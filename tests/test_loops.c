/*
 * Tests of iteration (operators/loop.h over the runtime):
 *  - nested loops: a loop inside a loop inside epochs; the inner body is
 *    notified once at every (e, i, j) it receives records at, after all of
 *    them, and the total over workers is the product W * E * I * J;
 *  - a fixed-round loop (timely's "stop after 100 rounds" shape, the
 *    round read from the timestamp): the same result on 1, 2, 3 and 8
 *    workers, equal to a sequential oracle;
 *  - several epochs in flight: epoch 0 needs many iterations and is held
 *    half-way, epoch 1 needs few; a probe inside the loop shows epoch 1's
 *    iterations complete while epoch 0 is still iterating, and the body's
 *    notifications for epoch 1 come before epoch 0's later ones;
 *  - a feedback of step 3: records only at rounds 0, 3, 6, ..., and
 *    notifications exactly there;
 *  - NULL handles pass through the loop calls without failing the run.
 *
 * Worker threads record what they see in per-worker slots; the main thread
 * asserts after gy_runtime_run has joined them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <stdatomic.h>
#include <string.h>

#include "operators/input.h"
#include "operators/loop.h"
#include "operators/op.h"
#include "progress/alloc.h"
#include "runtime/runtime.h"
#include "tests/support/rng.h"
#include "tests/support/run.h"

#define MAXW 8

static int run_workers(uint32_t workers, gy_worker_fn fn, void *arg)
{
    char err[512];
    int rc = ts_runtime_run(workers, fn, arg, err, sizeof(err));

    if (rc != 0)
        print_error("W=%u: %s\n", workers, err);
    return rc;
}

/* A generic op state: the worker's index and the test's context. */
struct ctx_op {
    void *ctx;
    uint32_t me;
};

static gy_op_t *new_op(gy_dataflow_t *df, const char *name, uint32_t scope, uint32_t nin,
                       uint32_t nout, size_t rec_size, struct gy_op_callbacks cb, void *ctx)
{
    const size_t sizes[2] = {rec_size, rec_size};
    struct ctx_op *s = gy_malloc(sizeof(*s));
    struct gy_op_spec spec = {.name = name, .ninputs = nin, .noutputs = nout,
                              .rec_sizes = sizes, .scope = scope, .cb = cb, .state = s};

    if (!s) {
        gy_worker_fail(gy_dataflow_worker(df), "out of memory");
        return NULL;
    }
    s->ctx = ctx;
    s->me = gy_worker_index(gy_dataflow_worker(df));
    spec.cb.destroy = gy_free;
    return gy_op_new(df, &spec);
}

/* ------------------------------------------------------------------------
 * Nested loops: epochs x outer iterations x inner iterations.
 * ------------------------------------------------------------------------ */

#define N_E 3
#define N_I 4
#define N_J 5
#define N_RECS 96               /* records per worker and epoch */

struct nrec {
    uint64_t key;
    uint64_t epoch;
    uint32_t i;
    uint32_t j;
};

struct nested {
    uint32_t workers;
    uint64_t want[MAXW][N_E][N_I][N_J];     /* records the inner body gets per time */
    uint64_t got[MAXW][N_E][N_I][N_J];      /* written by worker w only */
    uint32_t inner_notified[MAXW][N_E][N_I][N_J];
    uint32_t outer_notified[MAXW][N_E][N_I];
    uint64_t incomplete[MAXW];              /* notified before all records arrived */
    uint64_t bad_time[MAXW];                /* record fields disagree with its time */
    uint64_t out_count[MAXW][N_E];          /* records that left both loops */
};

static uint64_t nested_key(uint32_t w, uint64_t e, uint32_t k)
{
    return ((uint64_t)w << 48) | (e << 32) | k;
}

static uint64_t key_inner(const void *rec, void *arg)
{
    const struct nrec *r = rec;

    (void)arg;
    return ts_mix(r->key, (uint64_t)r->i * N_J + r->j);
}

static uint64_t key_plain(const void *rec, void *arg)
{
    (void)arg;
    return ts_mix(((const struct nrec *)rec)->key, 777);
}

/* Every record visits every (i, j) of its epoch once. */
static void nested_oracle_rec(struct nested *n, uint64_t key, uint64_t e)
{
    struct nrec r = {.key = key, .epoch = e};

    for (r.i = 0; r.i < N_I; r.i++)
        for (r.j = 0; r.j < N_J; r.j++)
            n->want[gy_key_worker(key_inner(&r, NULL), n->workers)][e][r.i][r.j]++;
}

static void nested_oracle(struct nested *n)
{
    for (uint32_t w = 0; w < n->workers; w++)
        for (uint64_t e = 0; e < N_E; e++)
            for (uint32_t k = 0; k < N_RECS; k++)
                nested_oracle_rec(n, nested_key(w, e, k), e);
}

/* Outer head: stamps the outer iteration, asks for a notification. */
static void outer_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t cnt)
{
    struct ctx_op *s = state;
    struct nested *n = s->ctx;
    const struct nrec *in = recs;

    (void)port;
    for (uint32_t k = 0; k < cnt; k++) {
        struct nrec r = in[k];
        if (r.epoch != cap->time.epoch || (port == 1 && r.i != cap->time.iter[0]))
            n->bad_time[s->me]++;
        r.i = cap->time.iter[0];
        r.j = 0;
        if (gy_op_give(op, 0, cap, &r, 1) != 0)
            return;
    }
    if (gy_op_notify_at(op, cap) != 0)
        return;
}

static void outer_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct ctx_op *s = state;
    struct nested *n = s->ctx;

    (void)op;
    n->outer_notified[s->me][cap->time.epoch][cap->time.iter[0]]++;
}

/* Inner body: N_J rounds of the inner loop, then out. */
static void inner_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t cnt)
{
    struct ctx_op *s = state;
    struct nested *n = s->ctx;
    const struct nrec *in = recs;
    const uint32_t i = cap->time.iter[0], j = cap->time.iter[1];

    (void)port;
    if (cap->time.epoch >= N_E || i >= N_I || j >= N_J) {
        n->bad_time[s->me]++;
        return;
    }
    n->got[s->me][cap->time.epoch][i][j] += cnt;
    for (uint32_t k = 0; k < cnt; k++) {
        struct nrec r = in[k];
        if (r.epoch != cap->time.epoch || r.i != i || r.j != j)
            n->bad_time[s->me]++;
        r.j++;
        if (gy_op_give(op, r.j < N_J ? 0 : 1, cap, &r, 1) != 0)
            return;
    }
    if (gy_op_notify_at(op, cap) != 0)
        return;
}

static void inner_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct ctx_op *s = state;
    struct nested *n = s->ctx;
    const uint64_t e = cap->time.epoch;
    const uint32_t i = cap->time.iter[0], j = cap->time.iter[1];

    (void)op;
    n->inner_notified[s->me][e][i][j]++;
    if (n->got[s->me][e][i][j] != n->want[s->me][e][i][j])
        n->incomplete[s->me]++;
}

/* Outer tail: back round the outer loop until N_I rounds are done. */
static void tail_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                       const void *recs, uint32_t cnt)
{
    const struct nrec *in = recs;

    (void)state;
    (void)port;
    for (uint32_t k = 0; k < cnt; k++) {
        struct nrec r = in[k];
        r.i++;
        if (gy_op_give(op, r.i < N_I ? 0 : 1, cap, &r, 1) != 0)
            return;
    }
}

static void nested_sink_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                              const void *recs, uint32_t cnt)
{
    struct ctx_op *s = state;
    struct nested *n = s->ctx;

    (void)op;
    (void)port;
    (void)recs;
    n->out_count[s->me][cap->time.epoch] += cnt;
}

/* enter2 -> inner (+ feedback) -> leave2, inside the outer loop's scope. */
static gy_stream_t *nested_inner(gy_dataflow_t *df, struct nested *n, uint32_t outer_scope,
                                 gy_stream_t *s)
{
    const size_t rs = sizeof(struct nrec);
    struct gy_op_callbacks cb = {inner_input, inner_notify, NULL, NULL};
    gy_loop_t *l = gy_loop_new(df, outer_scope, "inner");
    gy_stream_t *back, *in;
    gy_feedback_t *fb;
    gy_op_t *body;

    if (!l || !(fb = gy_loop_feedback(l, rs, 1, &back)) || !(in = gy_loop_enter(l, s)))
        return NULL;
    if (!(body = new_op(df, "inner-body", gy_loop_scope(l), 2, 2, rs, cb, n)))
        return NULL;
    gy_op_connect(body, 0, in, gy_pact_exchange(key_inner, NULL));
    gy_op_connect(body, 1, back, gy_pact_exchange(key_inner, NULL));
    gy_feedback_connect(fb, gy_op_output(body, 0));
    return gy_loop_leave(l, gy_op_output(body, 1));
}

/* enter1 -> head -> [inner loop] -> tail (+ feedback) -> leave1. */
static gy_stream_t *nested_outer(gy_dataflow_t *df, struct nested *n, gy_stream_t *s)
{
    const size_t rs = sizeof(struct nrec);
    struct gy_op_callbacks hcb = {outer_input, outer_notify, NULL, NULL};
    struct gy_op_callbacks tcb = {tail_input, NULL, NULL, NULL};
    gy_loop_t *l = gy_loop_new(df, 0, "outer");
    gy_stream_t *back, *in, *inner;
    gy_feedback_t *fb;
    gy_op_t *head, *tail;

    if (!l || !(fb = gy_loop_feedback(l, rs, 1, &back)) || !(in = gy_loop_enter(l, s)))
        return NULL;
    if (!(head = new_op(df, "outer-head", gy_loop_scope(l), 2, 1, rs, hcb, n)))
        return NULL;
    gy_op_connect(head, 0, in, gy_pact_exchange(key_plain, NULL));
    gy_op_connect(head, 1, back, gy_pact_pipeline());
    if (!(inner = nested_inner(df, n, gy_loop_scope(l), gy_op_output(head, 0))))
        return NULL;
    if (!(tail = new_op(df, "outer-tail", gy_loop_scope(l), 1, 2, rs, tcb, n)))
        return NULL;
    gy_op_connect(tail, 0, inner, gy_pact_pipeline());
    gy_feedback_connect(fb, gy_op_output(tail, 0));
    return gy_loop_leave(l, gy_op_output(tail, 1));
}

static int nested_worker(gy_worker_t *w, void *arg)
{
    struct nested *n = arg;
    uint32_t me = gy_worker_index(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "nested");
    struct gy_op_callbacks scb = {.on_input = nested_sink_input};
    gy_stream_t *s, *out;
    gy_input_t *in;
    gy_op_t *sink;

    if (!df || !(in = gy_input_new(df, "in", sizeof(struct nrec), &s)))
        return -ECANCELED;
    if (!(out = nested_outer(df, n, s)) ||
        !(sink = new_op(df, "sink", 0, 1, 0, sizeof(struct nrec), scb, n)))
        return -ECANCELED;
    gy_op_connect(sink, 0, out, gy_pact_exchange(key_plain, NULL));
    if (gy_dataflow_build(df) != 0)
        return -ECANCELED;
    for (uint64_t e = 0; e < N_E; e++) {
        for (uint32_t k = 0; k < N_RECS; k++) {
            struct nrec r = {.key = nested_key(me, e, k), .epoch = e};
            if (gy_input_send(in, &r, 1) != 0)
                return -ECANCELED;
        }
        if (gy_input_advance_to(in, e + 1) != 0)
            return -ECANCELED;
    }
    gy_input_close(in);
    return gy_worker_run(w);
}

/* Checks worker w's counts for epoch e; returns its (inner, outer) notifications. */
static void nested_assert_epoch(const struct nested *n, uint32_t w, uint32_t e, uint64_t *inner,
                                uint64_t *outer)
{
    for (uint32_t i = 0; i < N_I; i++) {
        assert_true(n->outer_notified[w][e][i] <= 1);
        *outer += n->outer_notified[w][e][i];
        for (uint32_t j = 0; j < N_J; j++) {
            assert_int_equal(n->got[w][e][i][j], n->want[w][e][i][j]);
            assert_int_equal(n->inner_notified[w][e][i][j], n->want[w][e][i][j] > 0);
            *inner += n->inner_notified[w][e][i][j];
        }
    }
}

static void nested_case(uint32_t workers)
{
    static struct nested n;
    uint64_t inner_total = 0, outer_total = 0;

    memset(&n, 0, sizeof(n));
    n.workers = workers;
    nested_oracle(&n);
    assert_int_equal(run_workers(workers, nested_worker, &n), 0);
    for (uint32_t w = 0; w < workers; w++) {
        assert_int_equal(n.incomplete[w], 0);
        assert_int_equal(n.bad_time[w], 0);
        for (uint32_t e = 0; e < N_E; e++)
            nested_assert_epoch(&n, w, e, &inner_total, &outer_total);
    }
    /* With N_RECS records per worker, every worker receives records at every
     * (e, i, j), so the notification counts are the full products. */
    assert_int_equal(inner_total, (uint64_t)workers * N_E * N_I * N_J);
    assert_int_equal(outer_total, (uint64_t)workers * N_E * N_I);
    for (uint32_t e = 0; e < N_E; e++) {
        uint64_t out = 0;
        for (uint32_t w = 0; w < workers; w++)
            out += n.out_count[w][e];
        assert_int_equal(out, (uint64_t)workers * N_RECS);
    }
}

static void test_loops_nested(void **state)
{
    (void)state;
    nested_case(1);
    nested_case(2);
    nested_case(3);
    nested_case(8);
}

/* ------------------------------------------------------------------------
 * A fixed number of rounds, read from the timestamp.
 * ------------------------------------------------------------------------ */

#define ROUNDS 100
#define FR_EPOCHS 3
#define FR_VALUES 600           /* values per epoch, split among the workers */

struct frec {
    uint64_t x;
    uint32_t round;
    uint32_t pad;
};

struct fixed {
    uint32_t workers;
    uint64_t sum[MAXW][FR_EPOCHS];      /* of ts_mix(final x), written by worker w */
    uint64_t count[MAXW][FR_EPOCHS];
    uint64_t bad_round[MAXW];
};

static uint64_t fr_value(uint64_t e, uint32_t k)
{
    uint64_t s = e * 1000003 + k;
    return ts_rng_next(&s);
}

/* One round's function: an LCG step then a rotation, so values wander. */
static uint64_t fr_step(uint64_t x)
{
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return (x << 13) | (x >> 51);
}

static uint64_t key_x(const void *rec, void *arg)
{
    (void)arg;
    return ((const struct frec *)rec)->x;
}

static void round_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t n)
{
    struct ctx_op *s = state;
    struct fixed *f = s->ctx;
    const struct frec *in = recs;
    const uint32_t round = cap->time.iter[0];

    (void)port;
    for (uint32_t k = 0; k < n; k++) {
        struct frec r = in[k];
        if (r.round != round)
            f->bad_round[s->me]++;
        r.x = fr_step(r.x);
        r.round++;
        /* timely's example: keep going while the round is below the limit. */
        if (gy_op_give(op, round + 1 < ROUNDS ? 0 : 1, cap, &r, 1) != 0)
            return;
    }
}

static void fr_sink_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                          const void *recs, uint32_t n)
{
    struct ctx_op *s = state;
    struct fixed *f = s->ctx;
    const struct frec *in = recs;

    (void)op;
    (void)port;
    for (uint32_t k = 0; k < n; k++) {
        if (in[k].round != ROUNDS)
            f->bad_round[s->me]++;
        f->sum[s->me][cap->time.epoch] += ts_mix(in[k].x, 1);
        f->count[s->me][cap->time.epoch]++;
    }
}

static int fixed_build(gy_worker_t *w, struct fixed *f, gy_input_t **in)
{
    const size_t rs = sizeof(struct frec);
    gy_dataflow_t *df = gy_dataflow_new(w, "rounds");
    struct gy_op_callbacks rcb = {.on_input = round_input}, scb = {.on_input = fr_sink_input};
    gy_stream_t *s, *back, *inner;
    gy_loop_t *l;
    gy_feedback_t *fb;
    gy_op_t *body, *sink;

    if (!df || !(*in = gy_input_new(df, "in", rs, &s)) || !(l = gy_loop_new(df, 0, "rounds")))
        return -ECANCELED;
    if (!(fb = gy_loop_feedback(l, rs, 1, &back)) || !(inner = gy_loop_enter(l, s)))
        return -ECANCELED;
    if (!(body = new_op(df, "round", gy_loop_scope(l), 2, 2, rs, rcb, f)) ||
        !(sink = new_op(df, "sink", 0, 1, 0, rs, scb, f)))
        return -ECANCELED;
    gy_op_connect(body, 0, inner, gy_pact_exchange(key_x, NULL));
    gy_op_connect(body, 1, back, gy_pact_exchange(key_x, NULL));
    gy_feedback_connect(fb, gy_op_output(body, 0));
    gy_op_connect(sink, 0, gy_loop_leave(l, gy_op_output(body, 1)), gy_pact_exchange(key_x, NULL));
    return gy_dataflow_build(df);
}

static int fixed_worker(gy_worker_t *w, void *arg)
{
    struct fixed *f = arg;
    uint32_t me = gy_worker_index(w), peers = gy_worker_peers(w);
    gy_input_t *in = NULL;

    if (fixed_build(w, f, &in) != 0)
        return -ECANCELED;
    for (uint64_t e = 0; e < FR_EPOCHS; e++) {
        for (uint32_t k = me; k < FR_VALUES; k += peers) {
            struct frec r = {.x = fr_value(e, k)};
            if (gy_input_send(in, &r, 1) != 0)
                return -ECANCELED;
        }
        if (gy_input_advance_to(in, e + 1) != 0)
            return -ECANCELED;
    }
    gy_input_close(in);
    return gy_worker_run(w);
}

/* Per-epoch (sum, count) over all workers, into out[e][0..1]. */
static void fixed_run(uint32_t workers, uint64_t out[FR_EPOCHS][2])
{
    static struct fixed f;

    memset(&f, 0, sizeof(f));
    f.workers = workers;
    assert_int_equal(run_workers(workers, fixed_worker, &f), 0);
    for (uint32_t e = 0; e < FR_EPOCHS; e++) {
        out[e][0] = out[e][1] = 0;
        for (uint32_t w = 0; w < workers; w++) {
            out[e][0] += f.sum[w][e];
            out[e][1] += f.count[w][e];
        }
    }
    for (uint32_t w = 0; w < workers; w++)
        assert_int_equal(f.bad_round[w], 0);
}

static void test_loops_fixed_rounds(void **state)
{
    const uint32_t ws[] = {1, 2, 3, 8};
    uint64_t want[FR_EPOCHS][2] = {{0}}, got[FR_EPOCHS][2];

    (void)state;
    for (uint64_t e = 0; e < FR_EPOCHS; e++)
        for (uint32_t k = 0; k < FR_VALUES; k++) {
            uint64_t x = fr_value(e, k);
            for (int r = 0; r < ROUNDS; r++)
                x = fr_step(x);
            want[e][0] += ts_mix(x, 1);
            want[e][1]++;
        }
    for (size_t c = 0; c < sizeof(ws) / sizeof(ws[0]); c++) {
        fixed_run(ws[c], got);
        for (uint32_t e = 0; e < FR_EPOCHS; e++) {
            assert_int_equal(got[e][0], want[e][0]);
            assert_int_equal(got[e][1], want[e][1]);
        }
    }
}

/* ------------------------------------------------------------------------
 * Several epochs in flight: epoch 1 overtakes a slow epoch 0.
 * ------------------------------------------------------------------------ */

#define SLOW_ITERS 60           /* epoch 0's records leave at this iteration */
#define FAST_ITERS 2            /* epoch 1's records leave at this iteration */
#define HOLD_AT 20              /* epoch 0 waits here until every worker saw epoch 1 done */
#define HOLD_LIMIT_S 5.0        /* ... or this long, which fails the test */
#define FL_RECS 40              /* records per worker and epoch */
#define MAX_NOTES (2 * (SLOW_ITERS + 1))

struct flight {
    uint32_t workers;
    _Atomic uint32_t xsaw;                  /* drivers that saw epoch 1 done */
    /* Written by worker w only. */
    bool in_flight_seen[MAXW];              /* epoch 0 pending when epoch 1 was done */
    bool held_timeout[MAXW];
    struct gy_time notes[MAXW][MAX_NOTES];  /* the body's notifications, in order */
    uint32_t nnotes[MAXW];
    uint64_t out_count[MAXW][2];
};

struct frec2 {
    uint64_t key;
    uint64_t leave_at;          /* the iteration at which it leaves the loop */
};

struct body_state {
    struct flight *fl;
    uint32_t me;
    struct gy_cap held;         /* at (0, HOLD_AT) while holding */
    struct frec2 *stash;
    size_t nstash, cap_stash;
    double since;
};

static void body_free(void *p)
{
    struct body_state *b = p;

    gy_free(b->stash);
    gy_free(b);
}

static void body_forward(gy_op_t *op, const struct gy_cap *cap, const struct frec2 *recs,
                         size_t n)
{
    for (size_t k = 0; k < n; k++) {
        uint32_t port = cap->time.iter[0] < recs[k].leave_at ? 0 : 1;
        if (gy_op_give(op, port, cap, &recs[k], 1) != 0)
            return;
    }
}

static int body_hold(gy_op_t *op, struct body_state *b, const struct gy_cap *cap,
                     const struct frec2 *recs, uint32_t n)
{
    void *p = b->stash;

    if (!b->held.held) {
        if (gy_cap_retain(op, cap, &cap->time, &b->held) != 0)
            return -ECANCELED;
        b->since = gy_now();
    }
    if (gy_grow(&p, &b->cap_stash, b->nstash + n, sizeof(*b->stash)) != 0)
        return gy_op_fail(op, "out of memory");
    b->stash = p;
    memcpy(b->stash + b->nstash, recs, n * sizeof(*recs));
    b->nstash += n;
    gy_op_activate(op);
    return 0;
}

static void body_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                       const void *recs, uint32_t n)
{
    struct body_state *b = state;

    (void)port;
    if (gy_op_notify_at(op, cap) != 0)
        return;
    if (cap->time.epoch == 0 && cap->time.iter[0] == HOLD_AT) {
        if (body_hold(op, b, cap, recs, n) != 0)
            return;
        return;
    }
    body_forward(op, cap, recs, n);
}

static void body_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct body_state *b = state;

    (void)op;
    if (b->fl->nnotes[b->me] < MAX_NOTES)
        b->fl->notes[b->me][b->fl->nnotes[b->me]++] = cap->time;
}

/* Releases epoch 0 once every driver saw epoch 1 complete (or on timeout). */
static void body_frontier(gy_op_t *op, void *state)
{
    struct body_state *b = state;
    bool all = atomic_load_explicit(&b->fl->xsaw, memory_order_acquire) == b->fl->workers;

    if (!b->held.held)
        return;
    if (!all && gy_now() - b->since < HOLD_LIMIT_S) {
        gy_op_activate(op);
        return;
    }
    b->fl->held_timeout[b->me] = !all;
    body_forward(op, &b->held, b->stash, b->nstash);
    b->nstash = 0;
    gy_cap_drop(op, &b->held);
}

static void flight_sink_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                              const void *recs, uint32_t n)
{
    struct ctx_op *s = state;
    struct flight *fl = s->ctx;

    (void)op;
    (void)port;
    (void)recs;
    if (cap->time.epoch < 2)
        fl->out_count[s->me][cap->time.epoch] += n;
}

static uint64_t key_frec2(const void *rec, void *arg)
{
    (void)arg;
    return ts_mix(((const struct frec2 *)rec)->key, 99);
}

static gy_op_t *new_body(gy_dataflow_t *df, struct flight *fl, uint32_t scope)
{
    const size_t sizes[2] = {sizeof(struct frec2), sizeof(struct frec2)};
    struct body_state *b = gy_calloc(1, sizeof(*b));
    struct gy_op_spec spec = {.name = "body", .ninputs = 2, .noutputs = 2, .rec_sizes = sizes,
                              .scope = scope, .state = b,
                              .cb = {body_input, body_notify, body_frontier, body_free}};

    if (!b) {
        gy_worker_fail(gy_dataflow_worker(df), "out of memory");
        return NULL;
    }
    b->fl = fl;
    b->me = gy_worker_index(gy_dataflow_worker(df));
    return gy_op_new(df, &spec);
}

/* Returns a probe on the body's feedback-bound output, inside the loop. */
static gy_probe_t *flight_build(gy_worker_t *w, struct flight *fl, gy_input_t **in)
{
    const size_t rs = sizeof(struct frec2);
    gy_dataflow_t *df = gy_dataflow_new(w, "flight");
    struct gy_op_callbacks scb = {.on_input = flight_sink_input};
    gy_stream_t *s, *back, *inner;
    gy_loop_t *l;
    gy_feedback_t *fb;
    gy_op_t *body, *sink;
    gy_probe_t *p;

    if (!df || !(*in = gy_input_new(df, "in", rs, &s)) || !(l = gy_loop_new(df, 0, "loop")))
        return NULL;
    if (!(fb = gy_loop_feedback(l, rs, 1, &back)) || !(inner = gy_loop_enter(l, s)))
        return NULL;
    if (!(body = new_body(df, fl, gy_loop_scope(l))) ||
        !(sink = new_op(df, "sink", 0, 1, 0, rs, scb, fl)))
        return NULL;
    gy_op_connect(body, 0, inner, gy_pact_exchange(key_frec2, NULL));
    gy_op_connect(body, 1, back, gy_pact_exchange(key_frec2, NULL));
    gy_feedback_connect(fb, gy_op_output(body, 0));
    gy_op_connect(sink, 0, gy_loop_leave(l, gy_op_output(body, 1)), gy_pact_pipeline());
    p = gy_probe_new(gy_op_output(body, 0));
    if (!p || gy_dataflow_build(df) != 0)
        return NULL;
    return p;
}

static int flight_send(gy_input_t *in, uint32_t me, uint64_t e, uint64_t leave_at)
{
    for (uint32_t k = 0; k < FL_RECS; k++) {
        struct frec2 r = {.key = ((uint64_t)me << 32) | (e << 16) | k, .leave_at = leave_at};
        if (gy_input_send(in, &r, 1) != 0)
            return -ECANCELED;
    }
    return gy_input_advance_to(in, e + 1);
}

static int flight_worker(gy_worker_t *w, void *arg)
{
    struct flight *fl = arg;
    uint32_t me = gy_worker_index(w);
    struct gy_time fast_done = gy_time_zero(1), slow_done = gy_time_zero(1);
    gy_input_t *in = NULL;
    gy_probe_t *p = flight_build(w, fl, &in);

    fast_done.epoch = 1;
    fast_done.iter[0] = FAST_ITERS;
    slow_done.iter[0] = SLOW_ITERS - 1;
    if (!p || flight_send(in, me, 0, SLOW_ITERS) != 0 || flight_send(in, me, 1, FAST_ITERS) != 0)
        return -ECANCELED;
    gy_input_close(in);
    while (gy_probe_less_equal(p, &fast_done))
        if (gy_worker_step_or_park(w) < 0)
            return -ECANCELED;
    fl->in_flight_seen[me] = gy_probe_less_equal(p, &slow_done);
    atomic_fetch_add_explicit(&fl->xsaw, 1, memory_order_release);
    return gy_worker_run(w);
}

/* Every notification of epoch 1 precedes every one of epoch 0 past HOLD_AT. */
static void assert_note_order(const struct flight *fl, uint32_t w)
{
    uint32_t last_fast = 0, first_late_slow = UINT32_MAX, fast = 0;

    for (uint32_t k = 0; k < fl->nnotes[w]; k++) {
        const struct gy_time *t = &fl->notes[w][k];
        if (t->epoch == 1) {
            last_fast = k;
            fast++;
        } else if (t->iter[0] > HOLD_AT && first_late_slow == UINT32_MAX) {
            first_late_slow = k;
        }
    }
    assert_int_equal(fast, FAST_ITERS + 1);
    assert_true(first_late_slow != UINT32_MAX);
    assert_true(last_fast < first_late_slow);
}

static void flight_case(uint32_t workers)
{
    static struct flight fl;

    memset(&fl, 0, sizeof(fl));
    fl.workers = workers;
    atomic_init(&fl.xsaw, 0);
    assert_int_equal(run_workers(workers, flight_worker, &fl), 0);
    for (uint32_t e = 0; e < 2; e++) {
        uint64_t out = 0;
        for (uint32_t w = 0; w < workers; w++)
            out += fl.out_count[w][e];
        assert_int_equal(out, (uint64_t)workers * FL_RECS);
    }
    for (uint32_t w = 0; w < workers; w++) {
        assert_true(fl.in_flight_seen[w]);
        assert_false(fl.held_timeout[w]);
        assert_int_equal(fl.nnotes[w], SLOW_ITERS + 1 + FAST_ITERS + 1);
        assert_note_order(&fl, w);
    }
}

static void test_loops_epochs_in_flight(void **state)
{
    (void)state;
    flight_case(1);
    flight_case(2);
    flight_case(3);
}

/* ------------------------------------------------------------------------
 * A feedback of step 3: records come back at i + 3, notifications at the
 * times records arrive at, and nowhere else.
 * ------------------------------------------------------------------------ */

#define ST_STEP 3
#define ST_LAST 12              /* records leave once their round reaches this */
#define ST_RECS 50              /* records per worker */

struct stepped {
    uint64_t got[MAXW][ST_LAST + 1];        /* records per round, written by worker w */
    uint32_t notified[MAXW][ST_LAST + 1];
    uint64_t bad[MAXW];
    uint64_t out[MAXW];
};

static uint64_t key_u64(const void *rec, void *arg)
{
    (void)arg;
    return ts_mix(*(const uint64_t *)rec, 5);
}

static void step_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                       const void *recs, uint32_t n)
{
    struct ctx_op *s = state;
    struct stepped *st = s->ctx;
    const uint32_t i = cap->time.iter[0];

    (void)port;
    if (i > ST_LAST || i % ST_STEP != 0) {
        st->bad[s->me]++;
        return;
    }
    st->got[s->me][i] += n;
    if (gy_op_give(op, i < ST_LAST ? 0 : 1, cap, recs, n) != 0 || gy_op_notify_at(op, cap) != 0)
        return;
}

static void step_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct ctx_op *s = state;
    struct stepped *st = s->ctx;

    (void)op;
    if (cap->time.iter[0] <= ST_LAST)
        st->notified[s->me][cap->time.iter[0]]++;
}

static void step_sink_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                            const void *recs, uint32_t n)
{
    struct ctx_op *s = state;

    (void)op, (void)port, (void)cap, (void)recs;
    ((struct stepped *)s->ctx)->out[s->me] += n;
}

static int stepped_worker(gy_worker_t *w, void *arg)
{
    struct stepped *st = arg;
    const size_t rs = sizeof(uint64_t);
    struct gy_op_callbacks bcb = {step_input, step_notify, NULL, NULL};
    struct gy_op_callbacks scb = {.on_input = step_sink_input};
    gy_dataflow_t *df = gy_dataflow_new(w, "stepped");
    gy_stream_t *s, *back, *inner;
    gy_loop_t *l;
    gy_feedback_t *fb;
    gy_op_t *body, *sink;
    gy_input_t *in;

    if (!df || !(in = gy_input_new(df, "in", rs, &s)) || !(l = gy_loop_new(df, 0, "stepped")))
        return -ECANCELED;
    if (!(fb = gy_loop_feedback(l, rs, ST_STEP, &back)) || !(inner = gy_loop_enter(l, s)))
        return -ECANCELED;
    if (!(body = new_op(df, "body", gy_loop_scope(l), 2, 2, rs, bcb, st)) ||
        !(sink = new_op(df, "sink", 0, 1, 0, rs, scb, st)))
        return -ECANCELED;
    gy_op_connect(body, 0, inner, gy_pact_exchange(key_u64, NULL));
    gy_op_connect(body, 1, back, gy_pact_exchange(key_u64, NULL));
    gy_feedback_connect(fb, gy_op_output(body, 0));
    gy_op_connect(sink, 0, gy_loop_leave(l, gy_op_output(body, 1)), gy_pact_pipeline());
    if (gy_dataflow_build(df) != 0)
        return -ECANCELED;
    for (uint64_t k = 0; k < ST_RECS; k++) {
        uint64_t x = ts_mix(gy_worker_index(w), k);
        if (gy_input_send(in, &x, 1) != 0)
            return -ECANCELED;
    }
    gy_input_close(in);
    return gy_worker_run(w);
}

static void test_loops_feedback_step(void **state)
{
    const uint32_t ws[] = {1, 2, 3, 8};
    static struct stepped st;

    (void)state;
    for (size_t c = 0; c < sizeof(ws) / sizeof(ws[0]); c++) {
        uint64_t out = 0;
        memset(&st, 0, sizeof(st));
        assert_int_equal(run_workers(ws[c], stepped_worker, &st), 0);
        for (uint32_t i = 0; i <= ST_LAST; i++) {
            uint64_t got = 0;
            for (uint32_t w = 0; w < ws[c]; w++) {
                got += st.got[w][i];
                /* Notified once where records arrived, never elsewhere. */
                assert_int_equal(st.notified[w][i], st.got[w][i] > 0);
            }
            assert_int_equal(got, i % ST_STEP == 0 ? (uint64_t)ws[c] * ST_RECS : 0);
        }
        for (uint32_t w = 0; w < ws[c]; w++) {
            assert_int_equal(st.bad[w], 0);
            out += st.out[w];
        }
        assert_int_equal(out, (uint64_t)ws[c] * ST_RECS);
    }
}

/* ------------------------------------------------------------------------
 * NULL passes through the loop calls, as through the built-ins.
 * ------------------------------------------------------------------------ */

struct nulls {
    int checked;
};

static int nulls_worker(gy_worker_t *w, void *arg)
{
    struct nulls *nl = arg;
    gy_dataflow_t *df = gy_dataflow_new(w, "nulls");
    gy_stream_t *s, *back = (gy_stream_t *)1;
    gy_input_t *in;
    gy_loop_t *l;

    if (!df || !(in = gy_input_new(df, "in", sizeof(uint64_t), &s)) ||
        !(l = gy_loop_new(df, 0, "l")))
        return -ECANCELED;
    if (gy_loop_enter(NULL, s) || gy_loop_enter(l, NULL) || gy_loop_leave(NULL, s) ||
        gy_loop_leave(l, NULL) || gy_loop_feedback(NULL, 8, 1, &back) || back)
        return gy_worker_fail(w, "a loop call did not pass NULL through");
    gy_feedback_connect(NULL, s);
    if (gy_worker_failed(w))
        return -ECANCELED;
    nl->checked++;
    if (gy_dataflow_build(df) != 0)  /* nothing was added: the dataflow still builds */
        return -ECANCELED;
    gy_input_close(in);
    return gy_worker_run(w);
}

static void test_loops_null_passes_through(void **state)
{
    struct nulls nl = {0};

    (void)state;
    assert_int_equal(run_workers(1, nulls_worker, &nl), 0);
    assert_int_equal(nl.checked, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loops_nested),
        cmocka_unit_test(test_loops_fixed_rounds),
        cmocka_unit_test(test_loops_epochs_in_flight),
        cmocka_unit_test(test_loops_feedback_step),
        cmocka_unit_test(test_loops_null_passes_through),
    };

    return cmocka_run_group_tests_name("loops", tests, NULL, NULL);
}
