/*
 * Micro-benchmark of iteration: how many loop iterations per second gyre
 * runs when N records go round a gy_iterate loop, for N = 1, 1000 and
 * 1000000, at W = 1 and W = 2 workers, and the ratio W2 / W1 per N.
 *
 * The loop is gy_iterate (no max_iters) whose body adds 1 to each record
 * and exchanges the records by value, so about half of them change workers
 * at every iteration when W = 2. Two forms of the body:
 *
 *  eager   gy_op_flat_map then gy_op_exchange: records go round as soon as
 *          they arrive, and iterations overlap;
 *  notify  gy_op_unary_notify, exchanged by value: each worker buffers an
 *          iteration's records and steps them once the iteration is complete
 *          on every worker (timely's unary_notify style), which sends full
 *          batches again however the exchange cut them.
 *
 * Per iteration that is the data path (the body and the loop variable's
 * concat copy every record; the exchange calls its key once per record and
 * cuts batches per destination) plus progress tracking across the workers.
 * What gy_iterate returns stays unconnected, so leaving costs nothing. With
 * N = 1 the figure is the control plane; with N = 10^6 the data plane.
 *
 * Each run lasts RUN_S seconds: once a worker's clock passes the deadline
 * its body stops returning records, so the loop drains and ends. The figure
 * is records stepped / N / seconds, so the iteration in progress at the
 * deadline counts by the fraction done. The clock is read once per 1024
 * records (eager) or per iteration (notify). Twelve runs: well under a
 * minute on two cores.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "operators/builtins.h"
#include "operators/input.h"
#include "operators/iterate.h"
#include "runtime/runtime.h"

#define RUN_S 1.0                    /* length of each run */
#define CLOCK_EVERY 1024             /* eager: records between clock reads */
#define MAXW 2

struct bench {
    bool notify;                     /* the notify form of the body */
    uint32_t n;                      /* records in the loop */
    double deadline;                 /* set before the run: gy_now() + RUN_S + startup */
    _Atomic uint64_t seen;           /* records stepped, all workers */
    double start[MAXW], end[MAXW];
};

/* One per worker; written by that worker only. */
struct body_arg {
    struct bench *b;
    uint64_t seen;                   /* records stepped */
    bool stop;                       /* past the deadline: return nothing more */
};

static uint64_t by_value(const void *rec, void *arg)
{
    (void)arg;
    return *(const uint64_t *)rec;
}

/* eager form: one record. */
static int step(const void *rec, gy_emit_t *emit, void *arg)
{
    struct body_arg *a = arg;
    uint64_t x = *(const uint64_t *)rec + 1;

    if (++a->seen % CLOCK_EVERY == 0)
        a->stop = gy_now() > a->b->deadline;
    return a->stop ? 0 : gy_emit(emit, &x);
}

/* notify form: an iteration's records on this worker, all of them at once. */
static int step_all(const struct gy_time *t, void *recs, uint32_t n, gy_emit_t *emit, void *arg)
{
    struct body_arg *a = arg;
    uint64_t *x = recs;

    (void)t;
    a->seen += n;
    if (gy_now() > a->b->deadline)
        return 0;
    for (uint32_t i = 0; i < n; i++)
        x[i]++;
    return gy_emit_n(emit, x, n);
}

static gy_stream_t *body(gy_loop_t *loop, gy_stream_t *var, void *arg)
{
    struct body_arg *a = arg;
    gy_stream_t *s;

    (void)loop;
    if (a->b->notify)
        return gy_op_unary_notify(var, "step", gy_pact_exchange(by_value, NULL),
                                  sizeof(uint64_t), step_all, arg);
    s = gy_op_flat_map(var, "step", sizeof(uint64_t), step, arg);
    return gy_op_exchange(s, "spread", by_value, NULL);
}

static int worker(gy_worker_t *w, void *arg)
{
    struct bench *b = arg;
    uint32_t me = gy_worker_index(w), peers = gy_worker_peers(w);
    struct body_arg ba = {.b = b};
    gy_dataflow_t *df = gy_dataflow_new(w, "loop");
    gy_stream_t *s = NULL;
    gy_input_t *in = df ? gy_input_new(df, "in", sizeof(uint64_t), &s) : NULL;
    int rc;

    /* ba lives until gy_worker_run returns, after the body last runs. */
    if (!df || !gy_iterate(s, body, &ba, 0, "loop") || gy_dataflow_build(df) != 0 || !in)
        return -ECANCELED;
    b->start[me] = gy_now();
    for (uint64_t x = me; x < b->n; x += peers)
        if (gy_input_send(in, &x, 1) != 0)
            return -ECANCELED;
    gy_input_close(in);
    rc = gy_worker_run(w);
    b->end[me] = gy_now();
    atomic_fetch_add_explicit(&b->seen, ba.seen, memory_order_relaxed);
    return rc;
}

/* One run; prints and returns iterations per second, or < 0. */
static double measure(bool notify, uint32_t n, uint32_t workers)
{
    static struct bench b;
    struct gy_runtime_config cfg;
    double t0 = 1e300, t1 = 0, iters;
    char err[512];

    memset(&b, 0, sizeof(b));
    b.notify = notify;
    b.n = n;
    b.deadline = gy_now() + RUN_S + 0.05; /* + thread start-up and construction */
    atomic_init(&b.seen, 0);
    gy_runtime_config_init(&cfg);
    cfg.workers = workers;
    if (gy_runtime_run(&cfg, worker, &b, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_loop: N=%u W=%u: %s\n", n, workers, err);
        return -1;
    }
    for (uint32_t i = 0; i < workers; i++) {
        t0 = b.start[i] < t0 ? b.start[i] : t0;
        t1 = b.end[i] > t1 ? b.end[i] : t1;
    }
    iters = (double)atomic_load(&b.seen) / n;
    if (iters < 1 || t1 <= t0) {
        fprintf(stderr, "bench_loop: N=%u W=%u: %.2f iterations done\n", n, workers, iters);
        return -1;
    }
    printf("  %-6s N=%-7u W=%u %10.0f iterations/s %7.1f M records/s (%.1f iterations, %.2f s)\n",
           notify ? "notify" : "eager", n, workers, iters / (t1 - t0),
           iters * n / (t1 - t0) / 1e6, iters, t1 - t0);
    return iters / (t1 - t0);
}

int main(void)
{
    const uint32_t ns[] = {1, 1000, 1000000};

    printf("bench_loop: gy_iterate with N records per iteration, %u cores\n", gy_runtime_cores());
    for (int notify = 0; notify < 2; notify++)
        for (size_t i = 0; i < sizeof(ns) / sizeof(ns[0]); i++) {
            double w1 = measure(notify, ns[i], 1), w2 = w1 < 0 ? -1 : measure(notify, ns[i], 2);
            if (w1 < 0 || w2 < 0)
                return 1;
            printf("  %-6s N=%-7u W2/W1 = %.2f\n", notify ? "notify" : "eager", ns[i], w2 / w1);
        }
    return 0;
}
