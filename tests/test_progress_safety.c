/*
 * Randomized scheduling stress of progress tracking across workers: the
 * safety property (a notification at t comes only after every record at a
 * time <= t has been received) and liveness (every requested notification
 * is delivered before the run ends), on 2, 3 and 8 workers (more workers
 * than the machine has cores, so threads are preempted at arbitrary points).
 *
 * The dataflow, every hop an exchange on a different key:
 *
 *   input -> relay -> enter -> circ --feedback(+1)--> circ ... -> leave -> after
 *
 * relay forwards each batch at once or holds it until its epoch's
 * notification; circ sends each record round the loop until it has made
 * its own random number of hops, either at once or later under a retained
 * capability; after is a sink with a (dummy) output. Every operator asks
 * for a notification at each time it receives records, and checks:
 *   - no record arrives at a time <= a time it was already notified at;
 *   - at a notification, it has received exactly the oracle's number of
 *     records for that time (the oracle replays the routing single-threaded);
 *   - records carry the time they should (epoch, and hops == iteration).
 * A violation fails the run with a message saying which. The operator
 * callbacks, the worker's stepping between sends and its waits are
 * sprinkled with seeded yields and short sleeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "operators/input.h"
#include "operators/loop.h"
#include "operators/op.h"
#include "progress/alloc.h"
#include "runtime/runtime.h"
#include "tests/support/rng.h"
#include "tests/support/run.h"

#define MAXW 8
#define EPOCHS 16
#define ITERS 9             /* a record makes 0..ITERS-1 hops round the loop */
#define MIN_RECS 40         /* records per worker and epoch: MIN_RECS + [0, VAR_RECS) */
#define VAR_RECS 160
#define MAX_CHUNK 40        /* records per gy_input_send */

enum which { OP_RELAY, OP_CIRC, OP_AFTER, NOPS };

static const char *const op_names[NOPS] = {"relay", "circ", "after"};
static const uint64_t op_salt[NOPS] = {0x5151, 0, 0xaf7e};

struct srec {
    uint64_t key;
    uint64_t epoch;
    uint32_t hops;           /* times round the loop so far */
    uint32_t target;         /* hops to make before leaving */
};

/* What one operator on one worker saw; written by that worker only. */
struct stats {
    uint64_t recv[EPOCHS][ITERS];
    uint32_t notified[EPOCHS][ITERS];
    uint64_t violations;
};

struct run {
    uint32_t workers;
    uint64_t seed;
    uint64_t want[NOPS][MAXW][EPOCHS][ITERS];   /* the oracle */
    struct stats got[NOPS][MAXW];
};

/* A seeded scheduling disturbance: mostly nothing, sometimes a yield,
 * rarely a sleep of a few microseconds (which the kernel rounds up to tens). */
static void jitter(uint64_t *rs)
{
    uint64_t r = ts_rng_next(rs) % 64;

    if (r < 4) {
        sched_yield();
    } else if (r == 4) {
        struct timespec ts = {0, (long)(1000 + ts_rng_next(rs) % 30000)};
        nanosleep(&ts, NULL);
    }
}

/* ---- the records and the oracle ---- */

static uint32_t gen_epoch(uint64_t seed, uint32_t w, uint64_t e, struct srec *out)
{
    uint64_t s = seed ^ ((uint64_t)w << 48) ^ (e * 0x9e37ULL);
    uint32_t n = MIN_RECS + ts_rng_below(&s, VAR_RECS);

    for (uint32_t i = 0; i < n; i++) {
        out[i].key = ts_rng_next(&s);
        out[i].epoch = e;
        out[i].hops = 0;
        out[i].target = ts_rng_below(&s, ITERS);
    }
    return n;
}

static uint64_t key_relay(const void *rec, void *arg)
{
    (void)arg;
    return ts_mix(((const struct srec *)rec)->key, op_salt[OP_RELAY]);
}

static uint64_t key_circ(const void *rec, void *arg)
{
    const struct srec *r = rec;

    (void)arg;
    return ts_mix(r->key, 1000 + r->hops);
}

static uint64_t key_after(const void *rec, void *arg)
{
    (void)arg;
    return ts_mix(((const struct srec *)rec)->key, op_salt[OP_AFTER]);
}

/* Where one record is received, at which time, by every operator. */
static void oracle_rec(struct run *r, struct srec x)
{
    const uint32_t W = r->workers;
    const uint64_t e = x.epoch;

    r->want[OP_RELAY][gy_key_worker(key_relay(&x, NULL), W)][e][0]++;
    for (x.hops = 0; x.hops <= x.target; x.hops++)
        r->want[OP_CIRC][gy_key_worker(key_circ(&x, NULL), W)][e][x.hops]++;
    r->want[OP_AFTER][gy_key_worker(key_after(&x, NULL), W)][e][0]++;
}

static void oracle(struct run *r)
{
    static struct srec recs[MIN_RECS + VAR_RECS];

    for (uint32_t w = 0; w < r->workers; w++)
        for (uint64_t e = 0; e < EPOCHS; e++) {
            uint32_t n = gen_epoch(r->seed, w, e, recs);
            for (uint32_t i = 0; i < n; i++)
                oracle_rec(r, recs[i]);
        }
}

/* ---- the checking operator state ---- */

struct stash_ent {
    struct gy_cap cap;       /* retained at the record's time */
    struct srec rec;
    uint32_t port;
};

struct chk {
    struct run *r;
    enum which which;
    uint32_t me;
    struct stats *st;
    uint64_t (*want)[ITERS];
    uint64_t rng;
    struct gy_time *seen;    /* times notified so far */
    size_t nseen, cap_seen;
    struct srec *held[EPOCHS];   /* relay: records held until the epoch's notification */
    size_t nheld[EPOCHS], cap_held[EPOCHS];
    struct stash_ent *stash;     /* circ: records to send in a later activation */
    size_t nstash, cap_stash;
};

static void chk_free(void *p)
{
    struct chk *c = p;

    gy_free(c->seen);
    for (int e = 0; e < EPOCHS; e++)
        gy_free(c->held[e]);
    gy_free(c->stash);
    gy_free(c);
}

static struct chk *chk_new(gy_worker_t *w, struct run *r, enum which which)
{
    struct chk *c = gy_calloc(1, sizeof(*c));

    if (!c)
        return NULL;
    c->r = r;
    c->which = which;
    c->me = gy_worker_index(w);
    c->st = &r->got[which][c->me];
    c->want = r->want[which][c->me];
    c->rng = r->seed * 977 + c->me * 31 + which;
    return c;
}

static uint32_t iter_of(const struct gy_time *t)
{
    return t->depth ? t->iter[0] : 0;
}

static void violation(gy_op_t *op, struct chk *c, const char *what, const struct gy_time *t)
{
    char buf[64];

    gy_time_format(t, buf, sizeof(buf));
    if (c->st->violations++ == 0)
        gy_op_fail(op, "worker %u: %s at %s", c->me, what, buf);
}

/* Records a received batch at t and checks it against the notifications so far. */
static void chk_receive(gy_op_t *op, struct chk *c, const struct gy_cap *cap,
                        const struct srec *recs, uint32_t n)
{
    const struct gy_time *t = &cap->time;
    uint32_t it = iter_of(t);

    for (size_t k = 0; k < c->nseen; k++)
        if (gy_time_le(t, &c->seen[k])) {
            violation(op, c, "record received after a notification at or after its time", t);
            return;
        }
    if (t->epoch >= EPOCHS || it >= ITERS) {
        violation(op, c, "record at a time out of range", t);
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        if (recs[i].epoch != t->epoch || (c->which == OP_CIRC && recs[i].hops != it)) {
            violation(op, c, "record carried at the wrong time", t);
            return;
        }
    c->st->recv[t->epoch][it] += n;
    if (gy_op_notify_at(op, cap) != 0)
        return;
}

/* Checks a notification at t: complete counts, and once only. */
static void chk_notified(gy_op_t *op, struct chk *c, const struct gy_time *t)
{
    uint32_t it = iter_of(t);
    void *p = c->seen;

    jitter(&c->rng);
    if (c->st->notified[t->epoch][it]++ != 0) {
        violation(op, c, "second notification", t);
        return;
    }
    if (c->st->recv[t->epoch][it] != c->want[t->epoch][it]) {
        violation(op, c, "notification before every record had arrived", t);
        return;
    }
    if (gy_grow(&p, &c->cap_seen, c->nseen + 1, sizeof(*c->seen)) != 0) {
        gy_op_fail(op, "out of memory");
        return;
    }
    c->seen = p;
    c->seen[c->nseen++] = *t;
}

/* ---- relay: forward now, or hold until the epoch is notified ---- */

static int hold(struct chk *c, uint64_t e, const struct srec *recs, uint32_t n)
{
    void *p = c->held[e];

    if (gy_grow(&p, &c->cap_held[e], c->nheld[e] + n, sizeof(struct srec)) != 0)
        return -ENOMEM;
    c->held[e] = p;
    memcpy(c->held[e] + c->nheld[e], recs, n * sizeof(struct srec));
    c->nheld[e] += n;
    return 0;
}

static void relay_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t n)
{
    struct chk *c = state;

    (void)port;
    jitter(&c->rng);
    chk_receive(op, c, cap, recs, n);
    if (c->st->violations)
        return;
    if (ts_rng_next(&c->rng) % 2 == 0) {
        if (gy_op_give(op, 0, cap, recs, n) != 0)
            return;
    } else if (hold(c, cap->time.epoch, recs, n) != 0) {
        gy_op_fail(op, "out of memory");
    }
}

static void relay_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct chk *c = state;
    uint64_t e = cap->time.epoch;

    chk_notified(op, c, &cap->time);
    if (c->nheld[e] > 0 && gy_op_give(op, 0, cap, c->held[e], (uint32_t)c->nheld[e]) != 0)
        return;
    c->nheld[e] = 0;
}

/* ---- circ: round the loop until target hops, now or later ---- */

static int stash(gy_op_t *op, struct chk *c, const struct gy_cap *cap, const struct srec *r,
                 uint32_t port)
{
    void *p = c->stash;
    struct stash_ent *s;

    if (gy_grow(&p, &c->cap_stash, c->nstash + 1, sizeof(*c->stash)) != 0)
        return gy_op_fail(op, "out of memory");
    c->stash = p;
    s = &c->stash[c->nstash];
    if (gy_cap_retain(op, cap, &cap->time, &s->cap) != 0)
        return -ECANCELED;
    s->rec = *r;
    s->port = port;
    c->nstash++;
    gy_op_activate(op);
    return 0;
}

static void circ_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                       const void *recs, uint32_t n)
{
    struct chk *c = state;
    const struct srec *in = recs;
    bool later = ts_rng_next(&c->rng) % 4 == 0;

    (void)port;
    jitter(&c->rng);
    chk_receive(op, c, cap, recs, n);
    for (uint32_t i = 0; i < n && !c->st->violations; i++) {
        struct srec r = in[i];
        uint32_t out = r.hops < r.target ? 0 : 1;
        int rc;
        r.hops += out == 0;
        rc = later ? stash(op, c, cap, &r, out) : gy_op_give(op, out, cap, &r, 1);
        if (rc != 0)
            return;
    }
}

static void circ_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    chk_notified(op, state, &cap->time);
}

/* Sends what was stashed (sometimes waiting one more activation). */
static void circ_frontier(gy_op_t *op, void *state)
{
    struct chk *c = state;

    if (c->nstash == 0)
        return;
    if (ts_rng_next(&c->rng) % 3 == 0) {
        gy_op_activate(op);
        return;
    }
    for (size_t i = 0; i < c->nstash; i++) {
        struct stash_ent *s = &c->stash[i];
        if (gy_op_give(op, s->port, &s->cap, &s->rec, 1) != 0)
            return;
        gy_cap_drop(op, &s->cap);
    }
    c->nstash = 0;
}

/* ---- after: the sink ---- */

static void after_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t n)
{
    struct chk *c = state;

    (void)port;
    jitter(&c->rng);
    chk_receive(op, c, cap, recs, n);
}

static void after_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    chk_notified(op, state, &cap->time);
}

/* ---- the dataflow ---- */

static const size_t rsz = sizeof(struct srec);

static gy_op_t *chk_op(gy_dataflow_t *df, struct run *r, enum which which, uint32_t scope,
                       uint32_t nin, uint32_t nout, struct gy_op_callbacks cb)
{
    struct gy_op_spec spec = {.name = op_names[which], .ninputs = nin, .noutputs = nout,
                              .rec_sizes = (const size_t[]){rsz, rsz}, .scope = scope, .cb = cb};

    spec.cb.destroy = chk_free;
    spec.state = chk_new(gy_dataflow_worker(df), r, which);
    if (!spec.state) {
        gy_worker_fail(gy_dataflow_worker(df), "out of memory");
        return NULL;
    }
    return gy_op_new(df, &spec);
}

/* enter -> circ (fed by enter and the feedback) -> leave; returns leave's stream. */
static gy_stream_t *build_loop(gy_dataflow_t *df, struct run *r, gy_stream_t *s)
{
    struct gy_op_callbacks cb = {circ_input, circ_notify, circ_frontier, NULL};
    gy_loop_t *l = gy_loop_new(df, 0, "loop");
    gy_stream_t *back, *inner;
    gy_feedback_t *fb;
    gy_op_t *circ;

    if (!l || !(fb = gy_loop_feedback(l, rsz, 1, &back)) || !(inner = gy_loop_enter(l, s)))
        return NULL;
    if (!(circ = chk_op(df, r, OP_CIRC, gy_loop_scope(l), 2, 2, cb)))
        return NULL;
    gy_op_connect(circ, 0, inner, gy_pact_exchange(key_circ, NULL));
    gy_op_connect(circ, 1, back, gy_pact_exchange(key_circ, NULL));
    gy_feedback_connect(fb, gy_op_output(circ, 0));
    return gy_loop_leave(l, gy_op_output(circ, 1));
}

static gy_probe_t *build(gy_worker_t *w, struct run *r, gy_input_t **in)
{
    gy_dataflow_t *df = gy_dataflow_new(w, "safety");
    struct gy_op_callbacks rcb = {relay_input, relay_notify, NULL, NULL};
    struct gy_op_callbacks acb = {after_input, after_notify, NULL, NULL};
    gy_stream_t *s, *looped;
    gy_op_t *relay, *after;
    gy_probe_t *p;

    if (!df || !(*in = gy_input_new(df, "in", rsz, &s)))
        return NULL;
    if (!(relay = chk_op(df, r, OP_RELAY, 0, 1, 1, rcb)))
        return NULL;
    gy_op_connect(relay, 0, s, gy_pact_exchange(key_relay, NULL));
    if (!(looped = build_loop(df, r, gy_op_output(relay, 0))))
        return NULL;
    /* after's output carries nothing; it makes its notifications count as
     * capabilities, so the run cannot end before they are delivered. */
    if (!(after = chk_op(df, r, OP_AFTER, 0, 1, 1, acb)))
        return NULL;
    gy_op_connect(after, 0, looped, gy_pact_exchange(key_after, NULL));
    p = gy_probe_new(gy_op_output(after, 0));
    if (!p || gy_dataflow_build(df) != 0)
        return NULL;
    return p;
}

/* ---- the worker's driver ---- */

static int some_steps(gy_worker_t *w, uint64_t *rs)
{
    uint32_t n = ts_rng_below(rs, 4);

    for (uint32_t i = 0; i < n; i++) {
        if (gy_worker_step(w) < 0)
            return -ECANCELED;
        jitter(rs);
    }
    return 0;
}

/* Steps (sometimes parking) until nothing at epoch <= e can reach the probe;
 * e = UINT64_MAX waits until the stream is done. */
static int wait_for(gy_worker_t *w, gy_probe_t *p, uint64_t e, uint64_t *rs)
{
    struct gy_time t = gy_time_epoch(e);

    while (e == UINT64_MAX ? !gy_probe_done(p) : gy_probe_less_equal(p, &t)) {
        int rc = ts_rng_next(rs) % 4 == 0 ? gy_worker_step(w) : gy_worker_step_or_park(w);
        if (rc < 0)
            return rc;
        jitter(rs);
    }
    return 0;
}

static int send_epoch(gy_worker_t *w, gy_input_t *in, const struct srec *recs, uint32_t n,
                      uint64_t *rs)
{
    for (uint32_t off = 0; off < n;) {
        uint32_t k = 1 + ts_rng_below(rs, MAX_CHUNK);
        if (k > n - off)
            k = n - off;
        if (gy_input_send(in, recs + off, k) != 0 || some_steps(w, rs) != 0)
            return -ECANCELED;
        off += k;
    }
    return 0;
}

static int safety_worker(gy_worker_t *w, void *arg)
{
    static _Thread_local struct srec recs[MIN_RECS + VAR_RECS];
    struct run *r = arg;
    uint32_t me = gy_worker_index(w);
    uint64_t rs = r->seed * 7919 + me;
    gy_input_t *in = NULL;
    gy_probe_t *p = build(w, r, &in);

    if (!p)
        return -ECANCELED;
    for (uint64_t e = 0; e < EPOCHS; e++) {
        uint32_t n = gen_epoch(r->seed, me, e, recs);
        if (send_epoch(w, in, recs, n, &rs) != 0 || gy_input_advance_to(in, e + 1) != 0)
            return -ECANCELED;
        if (ts_rng_next(&rs) % 3 == 0 && wait_for(w, p, ts_rng_next(&rs) % (e + 1), &rs) != 0)
            return -ECANCELED;
    }
    gy_input_close(in);
    if (wait_for(w, p, UINT64_MAX, &rs) != 0)
        return -ECANCELED;
    return gy_worker_run(w);
}

static void assert_op_stats(const struct stats *st, uint64_t (*want)[ITERS])
{
    assert_int_equal(st->violations, 0);
    for (int e = 0; e < EPOCHS; e++)
        for (int i = 0; i < ITERS; i++) {
            assert_int_equal(st->recv[e][i], want[e][i]);
            assert_int_equal(st->notified[e][i], want[e][i] > 0 ? 1 : 0);
        }
}

static void assert_stats(struct run *r)
{
    for (int op = 0; op < NOPS; op++)
        for (uint32_t w = 0; w < r->workers; w++)
            assert_op_stats(&r->got[op][w], r->want[op][w]);
}

static void stress(uint32_t workers, uint64_t seed)
{
    static struct run r;
    char err[512];
    int rc;

    memset(&r, 0, sizeof(r));
    r.workers = workers;
    r.seed = seed;
    oracle(&r);
    rc = ts_runtime_run(workers, safety_worker, &r, err, sizeof(err));
    if (rc != 0)
        print_error("W=%u seed=%llu: %s\n", workers, (unsigned long long)seed, err);
    assert_int_equal(rc, 0);
    assert_stats(&r);
}

static void test_progress_safety_w2(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 8; seed++)
        stress(2, seed);
}

static void test_progress_safety_w3(void **state)
{
    (void)state;
    for (uint64_t seed = 11; seed <= 16; seed++)
        stress(3, seed);
}

static void test_progress_safety_w8(void **state)
{
    (void)state;
    for (uint64_t seed = 21; seed <= 24; seed++)
        stress(8, seed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_progress_safety_w2),
        cmocka_unit_test(test_progress_safety_w3),
        cmocka_unit_test(test_progress_safety_w8),
    };

    return cmocka_run_group_tests_name("progress_safety", tests, NULL, NULL);
}
