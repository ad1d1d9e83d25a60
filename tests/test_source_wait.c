/*
 * Waiting without spinning (docs/runtime.md, "Waiting for an event"): an
 * operator that waits for an event polls (gy_op_poll), which lets its
 * worker go idle, and the wake-ups it relies on are never lost.
 *
 *  - signal_before_park: the eventcount alone (runtime/mailbox.h). A signal
 *    that lands after the key was read and before the park makes the park
 *    return at once; without one the park sleeps its timeout, and a wake of
 *    a mailbox whose owner is not parked leaves the key alone.
 *  - signal_pingpong: one thread checks a flag and parks, another
 *    publishes the flag and signals, rounds after rounds with random
 *    delays so that the signal falls anywhere in the check-then-park
 *    window: no round waits for the park's (long) timeout, which a lost
 *    wake-up would.
 *  - poll_wakes: on 2 workers, an operator on worker 1 polls for a counter
 *    that worker 0 bumps from a long operator run and publishes with
 *    gy_worker_wake_peers, with no message between them: worker 1 waits
 *    (its wait time, the few runs of its operator), and sees each bump
 *    soon, not after the park's 100 ms safety net.
 *  - throttled_idle: an edge source throttled to one open epoch behind a
 *    gate that worker 0 holds for a while per epoch: worker 1's source
 *    waits for the probe without a busy loop (its worker waits most of
 *    the time, the source runs about once per chunk), and every epoch
 *    holds the edges that counting says.
 *  - w8_file: a file read by count on 8 workers (more than the machine's
 *    cores), throttled to one open epoch, where sources wait both for the
 *    line counts of earlier blocks and for the probe, unbounded and under
 *    a flow-control bound it goes over: the run completes, every line
 *    arrives once with its own vertices at the epoch a sequential count
 *    gives, and the sources run about once per chunk.
 *
 * The busy-polling source these replace fails the idle checks by orders of
 * magnitude: a worker that never waits steps every microsecond or so.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "graph/source.h"
#include "operators/input.h"
#include "runtime/mailbox.h"
#include "runtime/stats.h"
#include "tests/support/rng.h"

#define MAXW 8
#define MAX_EPOCHS 4096

/* ---- helpers ---- */

static uint64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Sleeps the calling thread: a long operator run, as far as its worker's
 * peers can tell. */
static void sleep_us(uint64_t us)
{
    struct timespec ts = {.tv_sec = (time_t)(us / 1000000), .tv_nsec = (long)(us % 1000000) * 1000};

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* Runs fn on W unpinned workers with stats on, and the flow-control bound
 * channel_bytes (0: none); fails the test on error. */
static gy_stats_t *run_stats(uint32_t workers, uint64_t channel_bytes, gy_worker_fn fn, void *arg)
{
    struct gy_runtime_config cfg;
    gy_stats_t *st = NULL;
    char err[512];

    gy_runtime_config_init(&cfg);
    cfg.workers = workers;
    cfg.no_pin = true;
    cfg.stats = true;
    cfg.channel_bytes = channel_bytes;
    if (gy_runtime_run_stats(&cfg, fn, arg, &st, err, sizeof(err)) != 0)
        fail_msg("W=%u: %s", workers, err);
    assert_non_null(st);
    return st;
}

/* Runs of operator name on worker w. */
static uint64_t op_runs(const gy_stats_t *st, const char *name, uint32_t w)
{
    for (size_t i = 0; i < gy_stats_nops(st); i++) {
        const struct gy_stats_op *op = gy_stats_op(st, i);
        if (op->worker == w && strcmp(op->name, name) == 0)
            return op->runs;
    }
    fail_msg("no operator '%s' on worker %u", name, w);
    return 0;
}

/* ---- the eventcount ---- */

/* The owner's predicate: only the mailbox, which stays empty here. */
static bool mailbox_quiet(void *arg)
{
    return gy__mailbox_empty(arg);
}

static void test_source_wait_signal_before_park(void **state)
{
    static struct gy__mailbox mb; /* static: its members are cache-line aligned */
    _Atomic bool stop = false;
    uint32_t key;
    uint64_t t0, slept;
    (void)state;

    gy__mailbox_init(&mb);
    /* No signal: the park sleeps (about) its timeout. */
    key = gy__mailbox_key(&mb);
    t0 = now_ns();
    gy__mailbox_park(&mb, key, &stop, mailbox_quiet, &mb, 30);
    slept = now_ns() - t0;
    assert_true(slept >= 20 * 1000000ull);
    /* A wake while the owner is not parked is for parked owners only. */
    gy__mailbox_wake(&mb);
    assert_false(gy__mailbox_signaled(&mb, key));
    /* A signal after the key was read, before the park: no sleep, even
     * though the park comes later and its timeout is long. */
    gy__mailbox_signal(&mb);
    assert_true(gy__mailbox_signaled(&mb, key));
    t0 = now_ns();
    gy__mailbox_park(&mb, key, &stop, mailbox_quiet, &mb, 10000);
    slept = now_ns() - t0;
    assert_true(slept < 1000 * 1000000ull);
}

#define PP_ROUNDS 400
#define PP_PARK_MS 3000

struct pingpong {
    struct gy__mailbox mb;
    _Atomic uint64_t xpub;       /* rounds published by the main thread */
    _Atomic uint64_t xack;       /* rounds the waiter saw */
    _Atomic bool stop;
    uint32_t slow;               /* waiter's rounds that slept past a second */
};

/* The waiter, as a worker waits: read the key, check, park with the key. */
static void *pp_waiter(void *arg)
{
    struct pingpong *p = arg;

    for (uint64_t r = 1; r <= PP_ROUNDS; r++) {
        for (;;) {
            uint32_t key = gy__mailbox_key(&p->mb);
            uint64_t t0;
            if (atomic_load_explicit(&p->xpub, memory_order_acquire) >= r)
                break;
            t0 = now_ns();
            gy__mailbox_park(&p->mb, key, &p->stop, mailbox_quiet, &p->mb, PP_PARK_MS);
            if (now_ns() - t0 > 1000 * 1000000ull)
                p->slow++;
        }
        atomic_store_explicit(&p->xack, r, memory_order_release);
    }
    return NULL;
}

static void test_source_wait_signal_pingpong(void **state)
{
    static struct pingpong p;
    uint64_t rng = 0x5eed;
    pthread_t t;
    (void)state;

    memset(&p, 0, sizeof(p));
    gy__mailbox_init(&p.mb);
    atomic_init(&p.xpub, 0);
    atomic_init(&p.xack, 0);
    atomic_init(&p.stop, false);
    assert_int_equal(pthread_create(&t, NULL, pp_waiter, &p), 0);
    for (uint64_t r = 1; r <= PP_ROUNDS; r++) {
        /* 0 to 60 us: before, during and after the waiter's check. */
        uint32_t d = ts_rng_below(&rng, 61);
        if (d > 0)
            sleep_us(d);
        atomic_store_explicit(&p.xpub, r, memory_order_release);
        gy__mailbox_signal(&p.mb);
        while (atomic_load_explicit(&p.xack, memory_order_acquire) < r)
            sched_yield();
    }
    assert_int_equal(pthread_join(t, NULL), 0);
    assert_int_equal(p.slow, 0);
}

/* ---- an operator polling for another worker's event ---- */

#define PW_ROUNDS 20
#define PW_SLEEP_US 10000

struct pw_run;

struct pw_op {
    struct pw_run *r;
    struct gy_cap cap;
    uint64_t seen;                     /* worker 1: rounds seen so far */
};

struct pw_run {
    _Atomic uint64_t xgo;              /* rounds worker 0 has published */
    uint64_t pub_ns[PW_ROUNDS + 1];    /* worker 0, before the release store of xgo */
    uint64_t seen_ns[PW_ROUNDS + 1];   /* worker 1, when it saw round r */
    struct pw_op ops[2];
};

/* Worker 0: each run is long (it sleeps), then publishes one more round. */
static void pw_publish(gy_op_t *op, struct pw_op *p)
{
    struct pw_run *r = p->r;
    uint64_t k = atomic_load_explicit(&r->xgo, memory_order_relaxed) + 1;

    sleep_us(PW_SLEEP_US);
    r->pub_ns[k] = now_ns();
    atomic_store_explicit(&r->xgo, k, memory_order_release);
    gy_worker_wake_peers(gy_op_worker(op));
    if (k == PW_ROUNDS)
        gy_cap_drop(op, &p->cap);
    else
        gy_op_activate(op);
}

/* Worker 1: notes the rounds it sees, polls until the last. */
static void pw_wait(gy_op_t *op, struct pw_op *p)
{
    struct pw_run *r = p->r;
    uint64_t k = atomic_load_explicit(&r->xgo, memory_order_acquire);

    for (; p->seen < k; p->seen++)
        r->seen_ns[p->seen + 1] = now_ns();
    if (k == PW_ROUNDS)
        gy_cap_drop(op, &p->cap);
    else
        gy_op_poll(op);
}

static void pw_run(gy_op_t *op, void *state)
{
    struct pw_op *p = state;

    if (!p->cap.held)
        return;
    if (gy_worker_index(gy_op_worker(op)) == 0)
        pw_publish(op, p);
    else
        pw_wait(op, p);
}

static int pw_worker(gy_worker_t *w, void *arg)
{
    struct pw_run *r = arg;
    uint32_t me = gy_worker_index(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "poll");
    size_t rs = 8;
    struct gy_op_spec spec = {.name = "poller", .noutputs = 1, .rec_sizes = &rs,
                              .cb = {.on_frontier = pw_run}, .state = &r->ops[me]};
    struct gy_time t0 = gy_time_epoch(0);
    gy_op_t *op = df ? gy_op_new(df, &spec) : NULL;

    if (!op)
        return -ECANCELED;
    r->ops[me].r = r;
    if (gy_op_initial_cap(op, &t0, &r->ops[me].cap) != 0 || gy_dataflow_build(df) != 0)
        return -ECANCELED;
    return gy_worker_run(w);
}

static void test_source_wait_poll_wakes(void **state)
{
    static struct pw_run r;
    uint64_t lat[PW_ROUNDS];
    const struct gy_stats_worker *w1;
    gy_stats_t *st;
    (void)state;

    memset(&r, 0, sizeof(r));
    atomic_init(&r.xgo, 0);
    st = run_stats(2, 0, pw_worker, &r);
    w1 = gy_stats_worker(st, 1);
    for (uint32_t k = 1; k <= PW_ROUNDS; k++) {
        assert_true(r.seen_ns[k] >= r.pub_ns[k]);
        lat[k - 1] = r.seen_ns[k] - r.pub_ns[k];
    }
    qsort(lat, PW_ROUNDS, sizeof(lat[0]), cmp_u64);
    /* Lost wake-ups would leave worker 1 asleep until its 100 ms safety net,
     * some 90 ms after each round: the median says whether that is the rule
     * (one slow round is the machine's, not the protocol's). */
    if (lat[PW_ROUNDS / 2] >= 20 * 1000000ull)
        fail_msg("worker 1 saw rounds %.1f ms after they were published (median)",
                 (double)lat[PW_ROUNDS / 2] * 1e-6);
    /* Worker 0 sleeps PW_ROUNDS * 10 ms in its operator; worker 1, with
     * nothing but polls to do, waits most of that time and runs its poller
     * about once per round, not in a loop. */
    if (w1->wait_s < 0.5 * PW_ROUNDS * PW_SLEEP_US * 1e-6)
        fail_msg("worker 1 waited only %.3f s of %.3f s", w1->wait_s,
                 PW_ROUNDS * PW_SLEEP_US * 1e-6);
    if (op_runs(st, "poller", 1) > 4 * PW_ROUNDS + 16)
        fail_msg("the poller ran %llu times for %u rounds",
                 (unsigned long long)op_runs(st, "poller", 1), PW_ROUNDS);
    gy_stats_free(st);
}

/* ---- edge sources waiting for the probe and for block counts ---- */

/* A gate: counts each epoch's edges, asks to be notified when the epoch is
 * complete, and on worker 0 then holds the epoch for gate_us (a slow
 * operator): the probe after it, which throttles the sources, moves only
 * after that. */
struct gate_run {
    const gy_edge_input_t *in;
    uint64_t max_open;
    uint64_t gate_us;                    /* worker 0's hold per epoch */
    struct gy_edge_throttle th[MAXW];
    struct gy_edge_source_stats stats[MAXW];
    struct gy_worker_mem mem[MAXW];      /* each worker's, after its run */
    uint64_t per_epoch[MAXW][MAX_EPOCHS];        /* edges each worker's gate got, by epoch */
    uint64_t *lines[MAXW];               /* keep: (line << 32 | epoch) of each edge */
    uint64_t *uv[MAXW];                  /* keep: u and v of each edge, by the same index */
    size_t nlines[MAXW], cap_lines[MAXW];
    bool keep;
};

struct gate {
    struct gate_run *r;
    uint32_t me;
};

/* Worker thread: failures go through the run, not cmocka (whose asserts
 * jump on the main thread's stack). */
static int gate_keep(gy_op_t *op, struct gate *g, const struct gy_edge *e, uint32_t n,
                     uint64_t epoch)
{
    struct gate_run *r = g->r;
    size_t need = r->nlines[g->me] + n;

    if (need > r->cap_lines[g->me]) {
        uint64_t *l = realloc(r->lines[g->me], need * 2 * sizeof(uint64_t));
        uint64_t *uv = l ? realloc(r->uv[g->me], need * 4 * sizeof(uint64_t)) : NULL;
        if (l)
            r->lines[g->me] = l;
        if (!uv)
            return gy_op_fail(op, "out of memory keeping edges");
        r->uv[g->me] = uv;
        r->cap_lines[g->me] = need * 2;
    }
    for (uint32_t i = 0; i < n; i++) {
        size_t k = r->nlines[g->me]++;
        r->lines[g->me][k] = (uint64_t)e[i].line << 32 | epoch;
        r->uv[g->me][2 * k] = e[i].u;
        r->uv[g->me][2 * k + 1] = e[i].v;
    }
    return 0;
}

static void gate_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                       const void *recs, uint32_t n)
{
    struct gate *g = state;
    uint64_t e = cap->time.epoch;
    (void)port;

    if (e >= MAX_EPOCHS) {
        gy_op_fail(op, "epoch %llu past the test's table", (unsigned long long)e);
        return;
    }
    g->r->per_epoch[g->me][e] += n;
    if (g->r->keep && gate_keep(op, g, recs, n, e) != 0)
        return;
    if (gy_op_notify_at(op, cap) != 0)
        return;
}

static void gate_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct gate *g = state;
    (void)op;
    (void)cap;

    if (g->me == 0 && g->r->gate_us > 0)
        sleep_us(g->r->gate_us);
}

static uint64_t key_u(const void *rec, void *arg)
{
    (void)arg;
    return ((const struct gy_edge *)rec)->u;
}

/* source -> exchange by u -> gate -> probe, which throttles the source. */
static int gate_worker(gy_worker_t *w, void *arg)
{
    struct gate_run *r = arg;
    uint32_t me = gy_worker_index(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "gated");
    struct gate *g = calloc(1, sizeof(*g));
    size_t rs = 8;
    struct gy_op_spec spec = {.name = "gate", .ninputs = 1, .noutputs = 1, .rec_sizes = &rs,
                              .cb = {.on_input = gate_input, .on_notify = gate_notify,
                                     .destroy = free},
                              .state = g};
    gy_stream_t *src = df ? gy_edge_source_throttled(df, r->in, &r->stats[me], &r->th[me]) : NULL;
    gy_op_t *op;

    if (!src || !g) {
        free(g);
        return -ECANCELED;
    }
    g->r = r;
    g->me = me;
    if (!(op = gy_op_new(df, &spec)))
        return -ECANCELED;
    gy_op_connect(op, 0, src, gy_pact_exchange(key_u, NULL));
    r->th[me].max_open = r->max_open;
    if (!(r->th[me].probe = gy_probe_new(gy_op_output(op, 0))))
        return -ECANCELED;
    if (gy_dataflow_build(df) != 0 || gy_worker_run(w) != 0)
        return -ECANCELED;
    gy_worker_mem_stats(w, &r->mem[me]);
    return 0;
}

static void gate_free(struct gate_run *r)
{
    for (uint32_t w = 0; w < MAXW; w++) {
        free(r->lines[w]);
        free(r->uv[w]);
    }
}

/* Every epoch e of m edges by count of batch holds min(batch, m - e*batch). */
static void check_epoch_sizes(const struct gate_run *r, uint32_t workers, uint64_t m,
                              uint64_t batch)
{
    uint64_t epochs = (m + batch - 1) / batch;

    for (uint64_t e = 0; e < MAX_EPOCHS; e++) {
        uint64_t got = 0, want = e < epochs ? (m - e * batch < batch ? m - e * batch : batch) : 0;
        for (uint32_t w = 0; w < workers; w++)
            got += r->per_epoch[w][e];
        if (got != want)
            fail_msg("epoch %llu: %llu edges, want %llu", (unsigned long long)e,
                     (unsigned long long)got, (unsigned long long)want);
    }
}

/* Source runs a worker needs to read its share: one per chunk of 4096
 * edges (graph/source.c, SOURCE_CHUNK) and one more per block. */
static uint64_t reading_runs(uint64_t edges, uint64_t blocks)
{
    return edges / 4096 + 1 + blocks;
}

/* The sources of workers [from, to) ran at most their reading runs plus
 * `slack` each: the runs after a wake-up (a message, a published count),
 * a few per epoch. A busy-polling source runs every microsecond or so. */
static void check_source_runs(const gy_stats_t *st, const struct gate_run *r, uint32_t from,
                              uint32_t to, uint64_t blocks, uint64_t slack)
{
    uint64_t runs = 0, bound = 0;

    for (uint32_t w = from; w < to; w++) {
        runs += op_runs(st, "edge-source", w);
        bound += reading_runs(r->stats[w].edges, blocks) + slack;
    }
    if (runs > bound)
        fail_msg("the sources of workers %u..%u ran %llu times (bound %llu): they poll in a loop",
                 from, to - 1, (unsigned long long)runs, (unsigned long long)bound);
}

#define TI_M 200000u
#define TI_BATCH 25000u
#define TI_GATE_US 15000u

static void test_source_wait_throttled_idle(void **state)
{
    static struct gate_run r;
    struct gy_edge_input_cfg cfg = {.spec = "er:20000:200000:7",
                                    .epochs = {.mode = GY_EPOCHS_COUNT, .batch = TI_BATCH}};
    gy_edge_input_t *in = NULL;
    const struct gy_stats_worker *w1;
    uint64_t epochs = TI_M / TI_BATCH;
    gy_stats_t *st;
    char err[256];
    (void)state;

    memset(&r, 0, sizeof(r));
    assert_int_equal(gy_edge_input_open(&cfg, 2, &in, err, sizeof(err)), 0);
    r.in = in;
    r.max_open = 1;
    r.gate_us = TI_GATE_US;
    st = run_stats(2, 0, gate_worker, &r);
    check_epoch_sizes(&r, 2, TI_M, TI_BATCH);
    assert_int_equal(r.stats[0].edges + r.stats[1].edges, TI_M);
    /* Worker 1 reads about half the edges (in fewer blocks than epochs);
     * for the rest of the run it waits for worker 0's gate (epochs * 15 ms
     * in all), at least half of which it must spend waiting, not stepping.
     * Its source may run a few times per epoch besides its reading runs:
     * once per progress message that wakes it. */
    w1 = gy_stats_worker(st, 1);
    if (w1->wait_s < 0.5 * (double)epochs * TI_GATE_US * 1e-6)
        fail_msg("worker 1 waited only %.3f s while worker 0 held %llu epochs for %.3f s",
                 w1->wait_s, (unsigned long long)epochs, (double)epochs * TI_GATE_US * 1e-6);
    check_source_runs(st, &r, 1, 2, epochs, 16 * epochs + 16);
    gy_stats_free(st);
    gy_edge_input_close(in);
}

/* The test file's line i (0-based): distinct vertices spread over the keys. */
static void w8_edge(uint64_t i, uint64_t *u, uint64_t *v)
{
    *u = ts_mix(i, 1) % 1000003;
    *v = ts_mix(i, 2) % 1000033;
}

static void w8_write(const char *path, uint64_t lines)
{
    FILE *f = fopen(path, "w");
    uint64_t u, v;

    assert_non_null(f);
    for (uint64_t i = 0; i < lines; i++) {
        w8_edge(i, &u, &v);
        fprintf(f, "%llu %llu\n", (unsigned long long)u, (unsigned long long)v);
    }
    assert_int_equal(fclose(f), 0);
}

/* Every line once, at epoch (line - 1) / batch, with the vertices written. */
static void w8_check(struct gate_run *r, uint64_t lines, uint64_t batch)
{
    uint64_t *all = malloc(lines * 3 * sizeof(uint64_t)), n = 0, u, v;

    assert_non_null(all);
    for (uint32_t w = 0; w < MAXW; w++)
        for (size_t k = 0; k < r->nlines[w]; k++) {
            assert_true(n < lines);
            all[3 * n] = r->lines[w][k];
            all[3 * n + 1] = r->uv[w][2 * k];
            all[3 * n + 2] = r->uv[w][2 * k + 1];
            n++;
        }
    assert_int_equal(n, lines);
    qsort(all, n, 3 * sizeof(uint64_t), cmp_u64); /* by (line << 32 | epoch) */
    for (uint64_t i = 0; i < lines; i++) {
        w8_edge(i, &u, &v);
        if (all[3 * i] >> 32 != i + 1 || (all[3 * i] & 0xffffffffu) != i / batch ||
            all[3 * i + 1] != u || all[3 * i + 2] != v)
            fail_msg("line %llu: got line %llu epoch %llu (%llu %llu), want epoch %llu",
                     (unsigned long long)(i + 1), (unsigned long long)(all[3 * i] >> 32),
                     (unsigned long long)(all[3 * i] & 0xffffffffu),
                     (unsigned long long)all[3 * i + 1], (unsigned long long)all[3 * i + 2],
                     (unsigned long long)(i / batch));
    }
    free(all);
}

#define W8_LINES 300000u
#define W8_BATCH 9973u

/* One run of the file on 8 workers, with the flow-control bound
 * channel_bytes (0: none), checked. */
static void w8_run(const char *path, uint64_t lines, uint64_t channel_bytes)
{
    static struct gate_run r;
    struct gy_edge_input_cfg cfg = {.spec = path,
                                    .epochs = {.mode = GY_EPOCHS_COUNT, .batch = W8_BATCH}};
    uint64_t epochs = (lines + W8_BATCH - 1) / W8_BATCH;
    gy_edge_input_t *in = NULL;
    gy_stats_t *st;
    char err[256];

    memset(&r, 0, sizeof(r));
    assert_int_equal(gy_edge_input_open(&cfg, MAXW, &in, err, sizeof(err)), 0);
    r.in = in;
    r.max_open = 1;
    r.keep = true;
    st = run_stats(MAXW, channel_bytes, gate_worker, &r);
    if (channel_bytes > 0) {
        uint64_t over = 0;
        for (uint32_t w = 0; w < MAXW; w++)
            over += r.mem[w].throttled_runs;
        assert_true(over > 0); /* the run did go over its bound */
    }
    if (epochs < MAX_EPOCHS)
        check_epoch_sizes(&r, MAXW, lines, W8_BATCH);
    w8_check(&r, lines, W8_BATCH);
    assert_int_equal(gy_edge_input_lines(in), lines);
    /* Each worker hears from 7 peers: a few wake-ups per peer and epoch. */
    check_source_runs(st, &r, 0, MAXW, epochs, 32 * epochs + 64);
    gate_free(&r);
    gy_stats_free(st);
    gy_edge_input_close(in);
}

static void test_source_wait_w8_file(void **state)
{
    char path[] = "/tmp/gyre_source_wait_XXXXXX";
    uint64_t lines = (uint64_t)W8_LINES * ts_scale();
    int fd = mkstemp(path);
    (void)state;

    assert_true(fd >= 0);
    close(fd);
    w8_write(path, lines);
    w8_run(path, lines, 0);
    /* Bounded (docs/flow-control.md): over the bound, polls wait like
     * sources do; 16 batches per worker keeps it over the bound often. */
    w8_run(path, lines, 16 * gy_runtime_batch_bytes());
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_source_wait_signal_before_park),
        cmocka_unit_test(test_source_wait_signal_pingpong),
        cmocka_unit_test(test_source_wait_poll_wakes),
        cmocka_unit_test(test_source_wait_throttled_idle),
        cmocka_unit_test(test_source_wait_w8_file),
    };
    return cmocka_run_group_tests_name("source_wait", tests, NULL, NULL);
}
