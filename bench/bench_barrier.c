/*
 * Micro-benchmark of the control plane (progress tracking across workers):
 * timely's "barrier" example. A loop holds one operator whose output feeds
 * back (+1) into its own input; it starts with a capability at (0, 0). No
 * record ever moves: every round is one trip of progress updates, so the
 * figure is rounds per second that progress tracking alone can drive, at
 * W = 1 and W = 2 (the workers move in lockstep). Two forms:
 *
 *  cap     whenever the input frontier has passed the round the operator
 *          holds (every worker's capability is past it), it downgrades its
 *          capability to the next round; it drops it after the last;
 *  notify  timely's own code: the operator asks for a notification at
 *          (0, 0); each notification at (0, i) asks for (0, i + 1).
 *
 * Targets (timely dataflow on a 2-core machine): >= 1.5 M rounds/s at W = 1,
 * >= 100 K rounds/s at W = 2. A short calibration run sizes the timed run to
 * about RUN_S seconds. Prints figures and the ratio to the targets; checks
 * only that every worker saw every round.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/loop.h"
#include "operators/op.h"
#include "progress/alloc.h"
#include "runtime/runtime.h"

#define CALIBRATE_ROUNDS 20000
#define RUN_S 2.0                    /* aimed length of the timed run */
#define MAX_ROUNDS 20000000u
#define MAXW 2

struct bench {
    bool notify;                     /* run the notify form */
    uint32_t rounds;
    uint32_t seen[MAXW];             /* rounds passed, per worker */
    double start[MAXW], end[MAXW];
};

struct barrier {
    struct bench *b;
    uint32_t me;
    bool notify;                     /* the notify form */
    struct gy_cap cap;               /* at (0, round); dropped after the last round */
};

/* notify form: each round asks for the next. */
static void barrier_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct barrier *s = state;
    struct gy_time next = cap->time;
    struct gy_cap c;

    s->b->seen[s->me]++;
    if (++next.iter[0] >= s->b->rounds)
        return;
    if (gy_cap_retain(op, cap, &next, &c) != 0 || gy_op_notify_at(op, &c) != 0)
        return;
    gy_cap_drop(op, &c);
}

/* Runs whenever the input frontier moves: while it has passed our round
 * (every worker has left it), step to the next one. One downgrade per
 * activation, so each round costs one trip of progress updates. */
static void barrier_frontier(gy_op_t *op, void *state)
{
    struct barrier *s = state;
    struct gy_time next;

    if (s->notify && s->cap.held) { /* first activation: into a notification */
        if (gy_op_notify_at(op, &s->cap) != 0)
            return;
        gy_cap_drop(op, &s->cap);
        return;
    }
    if (!s->cap.held || !gy_op_frontier_passed(op, &s->cap.time))
        return;
    s->b->seen[s->me]++;
    next = s->cap.time;
    next.iter[0]++;
    if (next.iter[0] >= s->b->rounds) {
        gy_cap_drop(op, &s->cap);
        return;
    }
    if (gy_cap_downgrade(op, &s->cap, &next) != 0)
        return;
}

static int build(gy_worker_t *w, struct bench *b)
{
    gy_dataflow_t *df = gy_dataflow_new(w, "barrier");
    const size_t rs = sizeof(uint64_t);
    struct barrier *s = gy_calloc(1, sizeof(*s));
    struct gy_op_spec spec = {.name = "barrier", .ninputs = 1, .noutputs = 1, .rec_sizes = &rs,
                              .cb = {.on_notify = barrier_notify,
                                     .on_frontier = barrier_frontier, .destroy = gy_free},
                              .state = s};
    struct gy_time t0 = gy_time_zero(1);
    gy_stream_t *back;
    gy_feedback_t *fb;
    gy_loop_t *l;
    gy_op_t *op;

    if (!s || !df || !(l = gy_loop_new(df, 0, "rounds")) || !(fb = gy_loop_feedback(l, rs, 1, &back)))
        return -ECANCELED;
    s->b = b;
    s->me = gy_worker_index(w);
    s->notify = b->notify;
    spec.scope = gy_loop_scope(l);
    if (!(op = gy_op_new(df, &spec)) || gy_op_initial_cap(op, &t0, &s->cap) != 0)
        return -ECANCELED;
    gy_op_connect(op, 0, back, gy_pact_pipeline());
    gy_feedback_connect(fb, gy_op_output(op, 0));
    return gy_dataflow_build(df);
}

static int worker(gy_worker_t *w, void *arg)
{
    struct bench *b = arg;
    uint32_t me = gy_worker_index(w);
    int rc;

    if (build(w, b) != 0)
        return -ECANCELED;
    b->start[me] = gy_now();
    rc = gy_worker_run(w);
    b->end[me] = gy_now();
    return rc;
}

/* Runs rounds rounds on W workers; returns the seconds taken, or < 0. */
static double run(bool notify, uint32_t workers, uint32_t rounds)
{
    static struct bench b;
    struct gy_runtime_config cfg;
    double t0 = 1e300, t1 = 0;
    char err[512];

    memset(&b, 0, sizeof(b));
    b.notify = notify;
    b.rounds = rounds;
    gy_runtime_config_init(&cfg);
    cfg.workers = workers;
    if (gy_runtime_run(&cfg, worker, &b, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_barrier: W=%u: %s\n", workers, err);
        return -1;
    }
    for (uint32_t i = 0; i < workers; i++) {
        if (b.seen[i] != rounds) {
            fprintf(stderr, "bench_barrier: W=%u: worker %u saw %u of %u rounds\n", workers, i,
                    b.seen[i], rounds);
            return -1;
        }
        t0 = b.start[i] < t0 ? b.start[i] : t0;
        t1 = b.end[i] > t1 ? b.end[i] : t1;
    }
    return t1 - t0;
}

/* Calibrates, then times one form at W workers and prints the figure. */
static int measure(bool notify, uint32_t workers, double target)
{
    double s = run(notify, workers, CALIBRATE_ROUNDS), want;
    uint32_t rounds;

    if (s < 0)
        return -1;
    want = RUN_S * CALIBRATE_ROUNDS / (s > 0 ? s : 1e-9);
    rounds = want > MAX_ROUNDS ? MAX_ROUNDS
             : want < CALIBRATE_ROUNDS ? CALIBRATE_ROUNDS : (uint32_t)want;
    if ((s = run(notify, workers, rounds)) < 0)
        return -1;
    printf("  %-6s W=%u  %9.0f rounds/s  (%u rounds in %.2f s; %.2fx the %.0f K/s target)\n",
           notify ? "notify" : "cap", workers, rounds / s, rounds, s, rounds / s / target,
           target / 1e3);
    return 0;
}

int main(void)
{
    const uint32_t ws[] = {1, 2};
    const double target[] = {1.5e6, 100e3};

    printf("bench_barrier: rounds of pure progress tracking, %u cores\n", gy_runtime_cores());
    for (int notify = 0; notify < 2; notify++)
        for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++)
            if (measure(notify, ws[i], target[i]) != 0)
                return 1;
    return 0;
}
