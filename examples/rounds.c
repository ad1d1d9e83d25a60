/* rounds: timely's "stop after 100 rounds" loop, written with gy_iterate. In epoch e the values
 * e * n + k (k < n) enter a loop whose body applies one round, x -> (31 x + 7) mod 1000003, checks
 * that each record's round count equals the round in its timestamp, and exchanges the values among
 * the workers. max_iters = R stops every epoch after R rounds. Everything the body returns leaves
 * the loop, so the output holds each value after each of the R rounds; a printer (one worker, once
 * the epoch is complete) prints per epoch the number of records and their sum, then the values
 * after round R, sorted.            Usage: rounds [-w workers] [-r rounds] [-n values] [-e epochs]
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/builtins.h"
#include "operators/input.h"
#include "operators/iterate.h"

struct val { uint64_t x; uint32_t round, pad; };   /* a value and the rounds applied to it */
static uint32_t rounds = 100, nvals = 10, epochs = 3;

static uint64_t val_key(const void *r, void *a) { return (void)a, ((const struct val *)r)->x; }
static uint64_t zero_key(const void *r, void *a) { return (void)r, (void)a, 0; }

/* One round. The timestamp says which round this is: records entered at round 0. */
static int step(const void *rec, gy_emit_t *emit, void *arg)
{
    struct val v = *(const struct val *)rec;
    if (v.round != gy_iterate_round(gy_emit_time(emit)))
        return -EPROTO;
    v.x = (v.x * 31 + 7) % 1000003;
    v.round++;
    return (void)arg, gy_emit(emit, &v);
}

/* The loop body: var holds round r's values at iteration r; return round r + 1's. */
static gy_stream_t *body(gy_loop_t *loop, gy_stream_t *var, void *arg)
{
    gy_stream_t *next = gy_op_flat_map(var, "step", sizeof(struct val), step, arg);
    return (void)loop, gy_op_exchange(next, "spread", val_key, NULL);
}

static int by_round_then_x(const void *a, const void *b)
{
    const struct val *p = a, *q = b;
    if (p->round != q->round)
        return p->round < q->round ? -1 : 1;
    return (p->x > q->x) - (p->x < q->x);
}

/* Epoch t is complete: all of its records are here, on one worker. */
static int print_epoch(const struct gy_time *t, void *recs, uint32_t n, gy_emit_t *emit, void *arg)
{
    struct val *v = recs;
    uint64_t sum = 0;
    uint32_t i = 0;
    qsort(v, n, sizeof(*v), by_round_then_x);
    for (uint32_t k = 0; k < n; k++)
        sum += v[k].x;
    printf("epoch %" PRIu64 ": %u records, sum %" PRIu64 "; after round %u:", t->epoch, n, sum,
           rounds);
    while (i < n && v[i].round != rounds)
        i++;
    for (; i < n; i++)
        printf(" %" PRIu64, v[i].x);
    printf("\n");
    return (void)emit, (void)arg, 0;
}

static int worker(gy_worker_t *w, void *arg)
{
    uint32_t me = gy_worker_index(w), peers = gy_worker_peers(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "rounds");
    gy_stream_t *s = NULL, *out;
    gy_input_t *in = df ? gy_input_new(df, "values", sizeof(struct val), &s) : NULL;

    out = gy_iterate(s, body, NULL, rounds, "rounds");
    out = gy_op_unary_notify(out, "print", gy_pact_exchange(zero_key, NULL), 1, print_epoch, NULL);
    if (!df || gy_dataflow_build(df) != 0 || !in || !out) /* build names construction errors */
        return -ECANCELED;
    for (uint32_t e = 0; e < epochs; e++) {
        for (uint32_t k = me; k < nvals; k += peers) {
            struct val v = {.x = (uint64_t)e * nvals + k};
            if (gy_input_send(in, &v, 1) != 0)
                return -ECANCELED;
        }
        if (gy_input_advance_to(in, e + 1) != 0)
            return -ECANCELED;
    }
    gy_input_close(in);
    return (void)arg, gy_worker_run(w);
}

int main(int argc, char **argv)
{
    struct gy_runtime_config cfg;
    char err[512], *end;
    int i = 1;

    gy_runtime_config_init(&cfg);
    for (; i + 1 < argc && strlen(argv[i]) == 2 && strchr("wrne", argv[i][1]); i += 2) {
        unsigned long v = strtoul(argv[i + 1], &end, 10);
        uint32_t *opt[] = {&cfg.workers, &rounds, &nvals, &epochs};
        if (argv[i][0] != '-' || *end || v > 1000000)
            break;
        *opt[strchr("wrne", argv[i][1]) - "wrne"] = (uint32_t)v;
    }
    if (i != argc || rounds == 0)
        return fprintf(stderr, "usage: rounds [-w workers] [-r rounds >= 1] [-n values] "
                               "[-e epochs]\n"), 2;
    if (gy_runtime_run(&cfg, worker, NULL, err, sizeof(err)) != 0)
        return fprintf(stderr, "rounds: %s\n", err), 1;
    return 0;
}
