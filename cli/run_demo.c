/*
 * `gyre demo`: the Collatz iteration as a dataflow on every core.
 *
 * Epoch e holds the numbers e*N + 1 .. (e+1)*N, dealt round-robin to the
 * workers' inputs. In a loop, each number x moves to x/2 (even) or 3x+1
 * (odd) once per iteration, exchanged among the workers by its current
 * value, until it reaches 1; then it leaves the loop with its step count.
 * After the loop, a stats operator (exchanged by starting number) sums up
 * per epoch and, when notified that the epoch is complete, sends its
 * partial to one reporting worker, which records the epoch's totals.
 *
 *   input -> enter -> collatz <-> feedback(+1) ; collatz -> leave -> stats -> report
 *
 * Epochs run one after the other, so each one's wall time is its own. The
 * table shows, per epoch: numbers, loop iterations until the last one
 * converged (the epoch's longest Collatz path), total steps, a checksum of
 * (number, steps), the elapsed time, and whether it matches a sequential
 * recomputation.
 */
#include "cli/run_demo.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "operators/input.h"
#include "operators/loop.h"
#include "operators/op.h"
#include "progress/alloc.h"
#include "runtime/runtime.h"

#define DEFAULT_EPOCHS 8
#define DEFAULT_NUMBERS 200000
/* Bounds keep every starting number below 10^9, whose Collatz paths stay far
 * below 2^64 (the highest peak under 10^9 is about 2^56). */
#define MAX_EPOCHS 100
#define MAX_NUMBERS 10000000
#define SEND_CHUNK 1024          /* records per gy_input_send */

struct crec {
    uint64_t x0;                 /* the starting number */
    uint64_t x;                  /* where it is now */
    uint64_t steps;              /* iterations made */
};

/* One epoch's result, as a stats operator's partial and as the total. */
struct epoch_sum {
    uint64_t epoch;
    uint64_t count;
    uint64_t max_steps;
    uint64_t total_steps;
    uint64_t checksum;
};

struct demo {
    uint32_t workers;
    uint64_t epochs;
    uint64_t numbers;
    bool eager;                  /* -a: forward records at once */
    struct epoch_sum *result;    /* [epochs], written by the reporting worker */
    double *elapsed;             /* [epochs] seconds, written by worker 0 */
    double total_s;
};

static const char demo_help[] =
    "usage: gyre demo [-w N] [-e EPOCHS] [-n NUMBERS] [-a]\n"
    "\n"
    "Runs the Collatz iteration (x -> x/2 if even, 3x+1 if odd, until 1) as a\n"
    "dataflow with a loop on N workers (default: one per core). Epoch e holds\n"
    "the numbers e*NUMBERS+1 .. (e+1)*NUMBERS (defaults: 8 epochs of 200000).\n"
    "Prints per epoch: numbers, loop iterations to converge, total steps, a\n"
    "checksum, the elapsed time, and a check against a sequential run.\n"
    "  -a   forward each record at once instead of once per iteration\n";

static uint64_t checksum_term(uint64_t x0, uint64_t steps)
{
    uint64_t z = x0 * 0x9e3779b97f4a7c15ULL ^ (steps + 0x632be59bd9b4e019ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void sum_add(struct epoch_sum *s, uint64_t x0, uint64_t steps)
{
    s->count++;
    s->total_steps += steps;
    s->max_steps = steps > s->max_steps ? steps : s->max_steps;
    s->checksum += checksum_term(x0, steps);
}

static void sum_merge(struct epoch_sum *into, const struct epoch_sum *s)
{
    into->count += s->count;
    into->total_steps += s->total_steps;
    into->max_steps = s->max_steps > into->max_steps ? s->max_steps : into->max_steps;
    into->checksum += s->checksum;
}

/* ---- operators ---- */

static uint64_t key_x(const void *rec, void *arg)
{
    (void)arg;
    return ((const struct crec *)rec)->x;
}

static uint64_t key_x0(const void *rec, void *arg)
{
    (void)arg;
    return ((const struct crec *)rec)->x0;
}

static uint64_t key_one(const void *rec, void *arg)
{
    (void)rec;
    (void)arg;
    return 1;
}

/* One Collatz step for n records; port 0 goes round again, port 1 leaves. */
static void collatz_step(gy_op_t *op, const struct gy_cap *cap, const struct crec *in, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct crec r = in[i];
        if (r.x != 1) {
            r.x = r.x % 2 == 0 ? r.x / 2 : 3 * r.x + 1;
            r.steps++;
        }
        if (gy_op_give(op, r.x == 1 ? 1 : 0, cap, &r, 1) != 0)
            return;
    }
}

/* Records waiting for their iteration to complete, by time. Few times are
 * open at once: the current iteration, and the next one on a worker that
 * was notified earlier than this one. */
struct bucket {
    struct gy_time time;
    struct crec *recs;
    size_t n, cap;
};

struct collatz {
    bool eager;
    struct bucket *b;
    size_t nb, cap_b;
};

static void collatz_free(void *p)
{
    struct collatz *c = p;

    for (size_t i = 0; i < c->cap_b; i++)
        gy_free(c->b[i].recs);
    gy_free(c->b);
    gy_free(c);
}

/* The bucket for t, a new (possibly recycled) one if none is open. */
static struct bucket *bucket_for(struct collatz *c, const struct gy_time *t)
{
    void *p = c->b;
    size_t old = c->cap_b;

    for (size_t i = 0; i < c->nb; i++)
        if (gy_time_eq(&c->b[i].time, t))
            return &c->b[i];
    if (c->nb == c->cap_b) {
        if (gy_grow(&p, &c->cap_b, c->nb + 1, sizeof(*c->b)) != 0)
            return NULL;
        c->b = p;
        memset(c->b + old, 0, (c->cap_b - old) * sizeof(*c->b));
    }
    c->b[c->nb].time = *t;
    c->b[c->nb].n = 0;
    return &c->b[c->nb++];
}

static void collatz_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                          const void *recs, uint32_t n)
{
    struct collatz *c = state;
    struct bucket *b;
    void *p;

    (void)port;
    if (c->eager) {
        collatz_step(op, cap, recs, n);
        return;
    }
    if (!(b = bucket_for(c, &cap->time)))
        goto oom;
    p = b->recs;
    if (gy_grow(&p, &b->cap, b->n + n, sizeof(*b->recs)) != 0)
        goto oom;
    b->recs = p;
    memcpy(b->recs + b->n, recs, n * sizeof(*b->recs));
    b->n += n;
    if (gy_op_notify_at(op, cap) != 0)
        return;
    return;
oom:
    gy_op_fail(op, "out of memory");
}

/* The iteration is complete here: step its records, recycle the bucket. */
static void collatz_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct collatz *c = state;
    struct bucket *b = bucket_for(c, &cap->time), tmp;

    if (!b) {
        gy_op_fail(op, "out of memory");
        return;
    }
    collatz_step(op, cap, b->recs, b->n);
    tmp = *b;
    *b = c->b[--c->nb];
    c->b[c->nb] = tmp;
}

/* Per-epoch partial sums of one worker; sent on when the epoch is complete. */
struct stats {
    struct demo *d;
    struct epoch_sum *part;      /* [epochs] */
};

static void stats_free(void *p)
{
    struct stats *s = p;

    gy_free(s->part);
    gy_free(s);
}

static void stats_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t n)
{
    struct stats *s = state;
    const struct crec *in = recs;
    struct epoch_sum *sum = &s->part[cap->time.epoch];

    (void)port;
    for (uint32_t i = 0; i < n; i++)
        sum_add(sum, in[i].x0, in[i].steps);
    if (gy_op_notify_at(op, cap) != 0)
        return;
}

static void stats_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct stats *s = state;
    struct epoch_sum part = s->part[cap->time.epoch];

    part.epoch = cap->time.epoch;
    if (gy_op_give(op, 0, cap, &part, 1) != 0)
        return;
}

/* The reporting worker merges the partials; the last word is at notify. */
static void report_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                         const void *recs, uint32_t n)
{
    struct stats *s = state;
    const struct epoch_sum *in = recs;

    (void)port;
    for (uint32_t i = 0; i < n; i++)
        sum_merge(&s->part[in[i].epoch], &in[i]);
    if (gy_op_notify_at(op, cap) != 0)
        return;
}

static void report_notify(gy_op_t *op, void *state, const struct gy_cap *cap)
{
    struct stats *s = state;

    (void)op;
    s->d->result[cap->time.epoch] = s->part[cap->time.epoch];
    s->d->result[cap->time.epoch].epoch = cap->time.epoch;
}

/* ---- the dataflow ---- */

static gy_op_t *stats_op(gy_dataflow_t *df, struct demo *d, const char *name,
                         struct gy_op_callbacks cb)
{
    const size_t rs = sizeof(struct epoch_sum);
    struct stats *s = gy_calloc(1, sizeof(*s));
    struct gy_op_spec spec = {.name = name, .ninputs = 1, .noutputs = 1, .rec_sizes = &rs,
                              .cb = cb, .state = s};

    if (!s || !(s->part = gy_calloc(d->epochs, sizeof(*s->part)))) {
        gy_free(s);
        gy_worker_fail(gy_dataflow_worker(df), "demo: out of memory");
        return NULL;
    }
    s->d = d;
    spec.cb.destroy = stats_free;
    return gy_op_new(df, &spec);
}

/* The loop: returns the stream of converged records, in the root scope. */
static gy_stream_t *collatz_loop(gy_dataflow_t *df, const struct demo *d, gy_stream_t *numbers)
{
    const size_t rs = sizeof(struct crec);
    const size_t sizes[2] = {rs, rs};
    struct collatz *c = gy_calloc(1, sizeof(*c));
    struct gy_op_spec spec = {.name = "collatz", .ninputs = 2, .noutputs = 2, .rec_sizes = sizes,
                              .cb = {collatz_input, collatz_notify, NULL, collatz_free},
                              .state = c};
    gy_loop_t *l;

    if (!c) {
        gy_worker_fail(gy_dataflow_worker(df), "demo: out of memory");
        return NULL;
    }
    c->eager = d->eager;
    l = gy_loop_new(df, 0, "collatz");
    gy_stream_t *back, *inner;
    gy_feedback_t *fb;
    gy_op_t *op;

    if (!l || !(fb = gy_loop_feedback(l, rs, 1, &back)) || !(inner = gy_loop_enter(l, numbers))) {
        collatz_free(c);
        return NULL;
    }
    spec.scope = gy_loop_scope(l);
    if (!(op = gy_op_new(df, &spec)))
        return NULL;
    gy_op_connect(op, 0, inner, gy_pact_exchange(key_x, NULL));
    gy_op_connect(op, 1, back, gy_pact_exchange(key_x, NULL));
    gy_feedback_connect(fb, gy_op_output(op, 0));
    return gy_loop_leave(l, gy_op_output(op, 1));
}

static gy_probe_t *demo_build(gy_worker_t *w, struct demo *d, gy_input_t **in)
{
    gy_dataflow_t *df = gy_dataflow_new(w, "collatz");
    struct gy_op_callbacks scb = {.on_input = stats_input, .on_notify = stats_notify};
    struct gy_op_callbacks rcb = {.on_input = report_input, .on_notify = report_notify};
    gy_stream_t *s, *done;
    gy_op_t *stats, *report;
    gy_probe_t *p;

    if (!df || !(*in = gy_input_new(df, "numbers", sizeof(struct crec), &s)))
        return NULL;
    if (!(done = collatz_loop(df, d, s)) || !(stats = stats_op(df, d, "stats", scb)) ||
        !(report = stats_op(df, d, "report", rcb)))
        return NULL;
    gy_op_connect(stats, 0, done, gy_pact_exchange(key_x0, NULL));
    gy_op_connect(report, 0, gy_op_output(stats, 0), gy_pact_exchange(key_one, NULL));
    p = gy_probe_new(gy_op_output(report, 0));
    if (!p || gy_dataflow_build(df) != 0)
        return NULL;
    return p;
}

/* ---- the workers ---- */

static int send_epoch(gy_input_t *in, const struct demo *d, uint32_t me, uint64_t e)
{
    struct crec buf[SEND_CHUNK];
    uint32_t n = 0;

    for (uint64_t k = me; k < d->numbers; k += d->workers) {
        uint64_t x = e * d->numbers + k + 1;
        buf[n++] = (struct crec){x, x, 0};
        if (n == SEND_CHUNK) {
            if (gy_input_send(in, buf, n) != 0)
                return -ECANCELED;
            n = 0;
        }
    }
    return n ? gy_input_send(in, buf, n) : 0;
}

static int demo_worker(gy_worker_t *w, void *arg)
{
    struct demo *d = arg;
    uint32_t me = gy_worker_index(w);
    gy_input_t *in = NULL;
    gy_probe_t *p = demo_build(w, d, &in);
    double t0 = gy_now(), te;

    if (!p)
        return -ECANCELED;
    for (uint64_t e = 0; e < d->epochs; e++) {
        te = gy_now();
        if (send_epoch(in, d, me, e) != 0 || gy_input_advance_to(in, e + 1) != 0 ||
            gy_probe_wait_epoch(p, w, e) != 0)
            return -ECANCELED;
        if (me == 0)
            d->elapsed[e] = gy_now() - te;
    }
    gy_input_close(in);
    if (gy_worker_run(w) != 0)
        return -ECANCELED;
    if (me == 0)
        d->total_s = gy_now() - t0;
    return 0;
}

/* ---- the command ---- */

/* The sequential check of one epoch. */
static struct epoch_sum sequential(uint64_t e, uint64_t numbers)
{
    struct epoch_sum s = {.epoch = e};

    for (uint64_t k = 0; k < numbers; k++) {
        uint64_t x0 = e * numbers + k + 1, x = x0, steps = 0;
        for (; x != 1; steps++)
            x = x % 2 == 0 ? x / 2 : 3 * x + 1;
        sum_add(&s, x0, steps);
    }
    return s;
}

static bool sum_eq(const struct epoch_sum *a, const struct epoch_sum *b)
{
    return a->count == b->count && a->max_steps == b->max_steps &&
           a->total_steps == b->total_steps && a->checksum == b->checksum;
}

/* Prints the table; returns the number of epochs that disagree. */
static uint64_t print_table(const struct demo *d)
{
    uint64_t bad = 0, total = 0, steps = 0;

    printf("%6s %10s %11s %12s %18s %10s  %s\n", "epoch", "records", "iterations",
           "steps", "checksum", "ms", "check");
    for (uint64_t e = 0; e < d->epochs; e++) {
        const struct epoch_sum *r = &d->result[e];
        struct epoch_sum want = sequential(e, d->numbers);
        bool ok = sum_eq(r, &want);
        bad += !ok;
        total += r->count;
        steps += r->total_steps;
        printf("%6llu %10llu %11llu %12llu   %016llx %10.1f  %s\n", (unsigned long long)e,
               (unsigned long long)r->count, (unsigned long long)r->max_steps,
               (unsigned long long)r->total_steps, (unsigned long long)r->checksum,
               d->elapsed[e] * 1e3, ok ? "ok" : "MISMATCH");
    }
    printf("total: %llu records, %llu steps, on %u workers in %.1f ms (%.1f M steps/s)\n",
           (unsigned long long)total, (unsigned long long)steps, d->workers, d->total_s * 1e3,
           d->total_s > 0 ? (double)steps / d->total_s / 1e6 : 0.0);
    return bad;
}

/* Parses a positive integer option value; false (with a message) if bad. */
static bool parse_count(const char *opt, const char *val, uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (!val) {
        fprintf(stderr, "gyre demo: %s needs a value\n", opt);
        return false;
    }
    errno = 0;
    v = strtoull(val, &end, 10);
    if (errno || *end || end == val || v == 0 || v > max || val[0] == '-') {
        fprintf(stderr, "gyre demo: %s: '%s' is not a number in 1..%llu\n", opt, val,
                (unsigned long long)max);
        return false;
    }
    *out = v;
    return true;
}

/* Returns -1 to go on, or the exit status (help or a usage error). */
static int parse_args(int argc, char **argv, struct demo *d)
{
    uint64_t w = gy_runtime_cores();

    d->epochs = DEFAULT_EPOCHS;
    d->numbers = DEFAULT_NUMBERS;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool ok;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(demo_help, stdout);
            return GY_EXIT_OK;
        }
        if (strcmp(a, "-a") == 0) {
            d->eager = true;
            continue;
        }
        if (strcmp(a, "-w") == 0)
            ok = parse_count(a, v, 1024, &w);
        else if (strcmp(a, "-e") == 0)
            ok = parse_count(a, v, MAX_EPOCHS, &d->epochs);
        else if (strcmp(a, "-n") == 0)
            ok = parse_count(a, v, MAX_NUMBERS, &d->numbers);
        else
            ok = false;
        if (!ok && strcmp(a, "-w") != 0 && strcmp(a, "-e") != 0 && strcmp(a, "-n") != 0)
            fprintf(stderr, "gyre demo: unknown argument '%s'\n%s", a, demo_help);
        if (!ok)
            return GY_EXIT_USAGE;
        i++;
    }
    d->workers = (uint32_t)w;
    return -1;
}

int gy_cli_demo(int argc, char **argv)
{
    struct demo d = {0};
    struct gy_runtime_config cfg;
    char err[1024];
    int rc = parse_args(argc, argv, &d);

    if (rc >= 0)
        return rc;
    d.result = gy_calloc(d.epochs, sizeof(*d.result));
    d.elapsed = gy_calloc(d.epochs, sizeof(*d.elapsed));
    if (!d.result || !d.elapsed) {
        fprintf(stderr, "gyre demo: out of memory\n");
        rc = GY_EXIT_RUNTIME;
        goto out;
    }
    gy_runtime_config_init(&cfg);
    cfg.workers = d.workers;
    printf("gyre demo: Collatz iteration to 1 in a dataflow loop, %u workers, "
           "%llu epochs of %llu numbers, records forwarded %s\n", d.workers,
           (unsigned long long)d.epochs, (unsigned long long)d.numbers,
           d.eager ? "at once (-a)" : "once per iteration");
    if (gy_runtime_run(&cfg, demo_worker, &d, err, sizeof(err)) != 0) {
        fprintf(stderr, "gyre demo: %s\n", err);
        rc = GY_EXIT_RUNTIME;
        goto out;
    }
    rc = print_table(&d) == 0 ? GY_EXIT_OK : GY_EXIT_RUNTIME;
out:
    gy_free(d.result);
    gy_free(d.elapsed);
    return rc;
}
