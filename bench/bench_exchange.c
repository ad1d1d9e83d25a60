/*
 * Micro-benchmark of the data plane (runtime/channel.c, batch.c,
 * mailbox.c): 8-byte records moved all-to-all among W workers by an
 * exchange on the record's value, for W = 1 and W = 2 in one run.
 *
 * Every worker sends EPOCHS epochs of RECS_PER_EPOCH records through one
 * input into a counting operator (exchange pact, key = the record), keeping
 * at most IN_FLIGHT epochs unfinished at its probe so memory stays bounded.
 * The figure is records moved per second per worker: all records sent by
 * all workers, divided by the wall time of the run and by W. At W = 1 the
 * exchange is a local hand-off; at W = 2 half the records cross to the
 * other worker.
 *
 * Target (timely dataflow on a 2-core machine): >= 200 M records/s per
 * worker at W = 2. Each W runs REPEAT times; the best and the median are
 * printed (the best is the machine's capacity, the median shows how much
 * other load disturbed it), with the best's ratio to the target. Asserts
 * only that every record arrived (a wrong count would make the figure a lie).
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/support/count_sink.h"
#include "bench/support/measure.h"
#include "operators/input.h"
#include "operators/op.h"
#include "progress/alloc.h"
#include "runtime/runtime.h"

#define CHUNK (1u << 14)              /* records per gy_input_send */
#define RECS_PER_EPOCH (1u << 20)     /* records each worker sends per epoch */
#define EPOCHS 48                     /* 50 M records per worker */
#define IN_FLIGHT 2                   /* unfinished epochs a worker allows */
#define TARGET_PER_WORKER 200e6       /* records/s per worker at W = 2 */
#define REPEAT 3                      /* runs per W: best and median are printed */

struct bench {
    _Atomic uint64_t xreceived;       /* records counted, all workers */
    double start[2], end[2];          /* per worker: first send, run complete */
};

static uint64_t key_value(const void *rec, void *arg)
{
    uint64_t k;

    (void)arg;
    memcpy(&k, rec, sizeof(k));
    return k;
}

/* input -> exchange by value -> count_sink (into *received) -> probe. */
static gy_probe_t *build(gy_worker_t *w, uint64_t *received, gy_input_t **in)
{
    gy_dataflow_t *df = gy_dataflow_new(w, "exchange");
    gy_stream_t *s;
    gy_op_t *op;
    gy_probe_t *p;

    if (!df || !(*in = gy_input_new(df, "in", sizeof(uint64_t), &s)) ||
        !(op = count_sink(s, gy_pact_exchange(key_value, NULL), received)))
        return NULL;
    p = gy_probe_new(gy_op_output(op, 0));
    if (!p || gy_dataflow_build(df) != 0)
        return NULL;
    return p;
}

static int send_epoch(gy_input_t *in, const uint64_t *recs)
{
    for (uint32_t off = 0; off < RECS_PER_EPOCH; off += CHUNK)
        if (gy_input_send(in, recs + off % (4 * CHUNK), CHUNK) != 0)
            return -ECANCELED;
    return 0;
}

static int worker(gy_worker_t *w, void *arg)
{
    struct bench *b = arg;
    uint32_t me = gy_worker_index(w);
    uint64_t *recs = gy_malloc(4 * CHUNK * sizeof(uint64_t));
    uint64_t s = 0x1234 + me, received = 0; /* received outlives the run */
    gy_input_t *in = NULL;
    gy_probe_t *p = build(w, &received, &in);
    int rc = -ECANCELED;

    if (!recs || !p)
        goto out;
    for (uint32_t i = 0; i < 4 * CHUNK; i++) /* distinct-ish keys: an LCG */
        recs[i] = s = s * 6364136223846793005ULL + 1442695040888963407ULL;
    b->start[me] = gy_now();
    for (uint64_t e = 0; e < EPOCHS; e++) {
        if (send_epoch(in, recs) != 0 || gy_input_advance_to(in, e + 1) != 0)
            goto out;
        if (e >= IN_FLIGHT && gy_probe_wait_epoch(p, w, e - IN_FLIGHT) != 0)
            goto out;
    }
    gy_input_close(in);
    rc = gy_worker_run(w);
    b->end[me] = gy_now();
    atomic_fetch_add_explicit(&b->xreceived, received, memory_order_relaxed);
out:
    gy_free(recs);
    return rc;
}

/* Runs W workers; returns records per second per worker, or < 0. */
static double run(uint32_t workers)
{
    static struct bench b;
    struct gy_runtime_config cfg;
    const uint64_t total = (uint64_t)workers * EPOCHS * RECS_PER_EPOCH;
    double t0 = 1e300, t1 = 0;
    char err[512];

    memset(&b, 0, sizeof(b));
    atomic_init(&b.xreceived, 0);
    gy_runtime_config_init(&cfg);
    cfg.workers = workers;
    if (gy_runtime_run(&cfg, worker, &b, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_exchange: W=%u: %s\n", workers, err);
        return -1;
    }
    if (atomic_load(&b.xreceived) != total) {
        fprintf(stderr, "bench_exchange: W=%u: %llu records arrived, %llu sent\n", workers,
                (unsigned long long)atomic_load(&b.xreceived), (unsigned long long)total);
        return -1;
    }
    for (uint32_t i = 0; i < workers; i++) {
        t0 = b.start[i] < t0 ? b.start[i] : t0;
        t1 = b.end[i] > t1 ? b.end[i] : t1;
    }
    return (double)total / (t1 - t0) / workers;
}

int main(void)
{
    const uint32_t ws[] = {1, 2};

    printf("bench_exchange: %u-byte records, %u epochs x %u records per worker, "
           "%u cores, best and median of %d runs\n", (unsigned)sizeof(uint64_t), EPOCHS,
           RECS_PER_EPOCH, gy_runtime_cores(), REPEAT);
    for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
        double rate[REPEAT];
        for (int r = 0; r < REPEAT; r++)
            if ((rate[r] = run(ws[i])) < 0)
                return 1;
        bench_sort_doubles(rate, REPEAT);
        printf("  W=%u  best %8.1f  median %8.1f M records/s per worker  "
               "(best %.2fx the %.0f M/s target for W=2)\n", ws[i], rate[REPEAT - 1] / 1e6,
               rate[REPEAT / 2] / 1e6, rate[REPEAT - 1] / TARGET_PER_WORKER,
               TARGET_PER_WORKER / 1e6);
    }
    return 0;
}
