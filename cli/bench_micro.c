/*
 * The micro-benchmark kernels of `gyre bench` (cli/bench_kernels.h),
 * written with the public API alone, as a user would:
 *
 *   exchange  each worker sends its share of R 8-byte records (pseudo-random
 *             values) through an exchange keyed by value into a counter;
 *   barrier   a loop whose one operator feeds back into itself and steps its
 *             capability one round each time every worker has left the last
 *             one: R rounds of progress tracking, no record moved;
 *   loop      N records enter a loop; each iteration, once complete, an
 *             operator scrambles every record and sends it round again
 *             through an exchange keyed by the new value, ITERS times, then
 *             out to a counter;
 *   ingest    an edge source (file or generator) on every worker, exchanged
 *             by source vertex into a counter.
 *
 * Every kernel checks its exact totals (records counted, rounds seen), so a
 * figure is never reported for work that was not done. The kernel time runs
 * from the first worker starting to send (its dataflow built) to the last
 * worker finishing; load is the rest of gy_runtime_run (threads, pinning,
 * construction), plus, for ingest, opening the input.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench/support/count_sink.h"
#include "cli/bench_kernels.h"
#include "graph/gen.h"
#include "graph/source.h"
#include "operators/builtins.h"
#include "operators/input.h"
#include "operators/loop.h"
#include "operators/op.h"
#include "progress/alloc.h"
#include "progress/compiler.h"
#include "runtime/runtime.h"
#include "runtime/stats.h"

#define CHUNK (1u << 14)          /* records per gy_input_send */
#define POOL (4 * CHUNK)          /* distinct records a sender cycles through */
#define EPOCH_RECS (1u << 20)     /* exchange: records a worker sends per epoch */
#define IN_FLIGHT 2               /* exchange: unfinished epochs a worker allows */
#define INGEST_MAX_OPEN 4         /* ingest: epochs read ahead of the counter */

/* A worker's counters; workers add to their own only, once per batch, so
 * the padding (gy_calloc aligns to 16 bytes, not to a cache line) is
 * enough to keep neighbours' updates from contending much. */
struct slot {
    uint64_t count;                /* records (or rounds) this worker saw */
    uint64_t visits;               /* loop: record-iterations this worker ran */
    double start, end;             /* gy_now() after build, after the run */
    char pad[GY_CACHELINE - 32];
};

_Static_assert(sizeof(struct slot) == GY_CACHELINE, "a slot fills a cache line");

/* What every worker of one kernel run shares. Written before the run or
 * only in the worker's own slot; read after gy_runtime_run returns. */
struct micro {
    uint64_t total;                /* exchange, loop: records; barrier: rounds */
    uint64_t iters;                /* loop: iterations */
    const gy_edge_input_t *in;     /* ingest */
    struct gy_edge_source_stats *src;     /* ingest: [workers] */
    struct gy_edge_throttle *throttle;    /* ingest: [workers] */
    struct slot *slot;             /* [workers] */
    uint32_t workers;
};

/* ---- shared pieces ---- */

static uint64_t rec_key(const void *rec, void *arg)
{
    uint64_t k;

    (void)arg;
    memcpy(&k, rec, sizeof(k));
    return k;
}

static uint64_t edge_source_key(const void *rec, void *arg)
{
    (void)arg;
    return ((const struct gy_edge *)rec)->u;
}

/* One step of a 64-bit LCG (Knuth's MMIX constants): cheap, and it sends
 * every record to a new, pseudo-random worker each time. */
static inline uint64_t lcg(uint64_t x)
{
    return x * 6364136223846793005ULL + 1442695040888963407ULL;
}

/* Runs fn on p->workers workers; fills out->kernel_s and load_s from the slots. */
static int run_micro(const struct gy_cli_bench_params *p, gy_worker_fn fn, struct micro *m,
                     struct gy_cli_bench_sample *out, char *err, size_t errlen)
{
    struct gy_runtime_config cfg;
    double t0 = gy_now(), first = 1e300, last = 0;
    int rc;

    gy_runtime_config_init(&cfg);
    cfg.workers = p->workers;
    cfg.no_pin = p->no_pin;
    cfg.stats = p->stats;
    if (p->stats) {
        gy_stats_t *st = NULL;
        rc = gy_runtime_run_stats(&cfg, fn, m, &st, err, errlen);
        gy_stats_free(st);
    } else {
        rc = gy_runtime_run(&cfg, fn, m, err, errlen);
    }
    if (rc != 0)
        return rc;
    for (uint32_t w = 0; w < m->workers; w++) {
        first = m->slot[w].start < first ? m->slot[w].start : first;
        last = m->slot[w].end > last ? m->slot[w].end : last;
    }
    out->kernel_s = last - first;
    out->load_s = (gy_now() - t0) - out->kernel_s;
    return 0;
}

static int micro_init(struct micro *m, uint32_t workers, char *err, size_t errlen)
{
    memset(m, 0, sizeof(*m));
    m->workers = workers;
    m->slot = gy_calloc(workers, sizeof(*m->slot));
    if (m->slot)
        return 0;
    snprintf(err, errlen, "out of memory");
    return -ENOMEM;
}

/* Sums a field of every slot. */
static uint64_t sum_counts(const struct micro *m, bool visits)
{
    uint64_t s = 0;

    for (uint32_t w = 0; w < m->workers; w++)
        s += visits ? m->slot[w].visits : m->slot[w].count;
    return s;
}

/* An error when a total is not what was sent: the figure would be a lie. */
static int check_total(const char *what, uint64_t got, uint64_t want, char *err, size_t errlen)
{
    if (got == want)
        return 0;
    snprintf(err, errlen, "%s: counted %llu, expected %llu", what, (unsigned long long)got,
             (unsigned long long)want);
    return -EPROTO;
}

/* ---- exchange ---- */

static int exchange_send(gy_input_t *in, gy_probe_t *probe, gy_worker_t *w, const uint64_t *pool,
                         uint64_t share)
{
    uint64_t sent = 0, epoch = 0;

    while (sent < share) {
        uint32_t n = share - sent < CHUNK ? (uint32_t)(share - sent) : CHUNK;
        if (gy_input_send(in, pool + sent % POOL, n) != 0)
            return -ECANCELED;
        sent += n;
        if (sent % EPOCH_RECS != 0 && sent < share)
            continue;
        if (gy_input_advance_to(in, ++epoch) != 0)
            return -ECANCELED;
        if (epoch > IN_FLIGHT && gy_probe_wait_epoch(probe, w, epoch - 1 - IN_FLIGHT) != 0)
            return -ECANCELED;
    }
    return 0;
}

static int exchange_worker(gy_worker_t *w, void *arg)
{
    struct micro *m = arg;
    uint32_t me = gy_worker_index(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "exchange");
    uint64_t *pool = gy_malloc(POOL * sizeof(uint64_t));
    uint64_t first, share, x = 0x9e3779b97f4a7c15ULL * (me + 1);
    gy_stream_t *s = NULL;
    gy_input_t *in = df ? gy_input_new(df, "records", 8, &s) : NULL;
    gy_op_t *op = in ? count_sink(s, gy_pact_exchange(rec_key, NULL), &m->slot[me].count) : NULL;
    gy_probe_t *probe = op ? gy_probe_new(gy_op_output(op, 0)) : NULL;
    int rc = -ECANCELED;

    if (!pool || !probe || gy_dataflow_build(df) != 0)
        goto out;
    for (uint32_t i = 0; i < POOL; i++)
        pool[i] = x = lcg(x);
    gy_gen_partition(m->total, m->workers, me, &first, &share);
    m->slot[me].start = gy_now();
    if (exchange_send(in, probe, w, pool, share) != 0)
        goto out;
    gy_input_close(in);
    rc = gy_worker_run(w);
    m->slot[me].end = gy_now();
out:
    gy_free(pool);
    return rc;
}

int gy_cli_bench_exchange(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                          char *err, size_t errlen)
{
    struct micro m;
    int rc = micro_init(&m, p->workers, err, errlen);

    if (rc != 0)
        return rc;
    if (!gy_cli_bench_parse_count(p->input, &m.total))
        rc = gy_cli_bench_check_count(p->input, err, errlen);
    if (rc == 0)
        rc = run_micro(p, exchange_worker, &m, out, err, errlen);
    if (rc == 0)
        rc = check_total("exchange", sum_counts(&m, false), m.total, err, errlen);
    out->items = out->result = m.total;
    gy_free(m.slot);
    return rc;
}

/* ---- barrier ---- */

struct barrier {
    struct slot *slot;
    uint64_t rounds;
    struct gy_cap cap;             /* at (0, round); dropped after the last round */
};

/* Runs whenever the input frontier moves: once it has passed our round
 * (every worker has left it), step to the next. One downgrade per
 * activation, so each round is one trip of progress updates. */
static void barrier_frontier(gy_op_t *op, void *state)
{
    struct barrier *b = state;
    struct gy_time next;

    if (!b->cap.held || !gy_op_frontier_passed(op, &b->cap.time))
        return;
    b->slot->count++;
    next = b->cap.time;
    next.iter[0]++;
    if (next.iter[0] >= b->rounds) {
        gy_cap_drop(op, &b->cap);
        return;
    }
    if (gy_cap_downgrade(op, &b->cap, &next) != 0)
        return;
}

static int barrier_build(gy_worker_t *w, struct micro *m)
{
    gy_dataflow_t *df = gy_dataflow_new(w, "barrier");
    const size_t rs = 8;
    struct barrier *b = gy_calloc(1, sizeof(*b));
    struct gy_op_spec spec = {.name = "barrier", .ninputs = 1, .noutputs = 1, .rec_sizes = &rs,
                              .cb = {.on_frontier = barrier_frontier, .destroy = gy_free},
                              .state = b};
    struct gy_time t0 = gy_time_zero(1);
    gy_stream_t *back;
    gy_feedback_t *fb;
    gy_loop_t *l;
    gy_op_t *op;

    if (!b || !df) {
        gy_free(b);
        return gy_worker_fail(w, "out of memory");
    }
    b->slot = &m->slot[gy_worker_index(w)];
    b->rounds = m->total;
    if (!(l = gy_loop_new(df, 0, "rounds")) || !(fb = gy_loop_feedback(l, rs, 1, &back)))
        return -ECANCELED;
    spec.scope = gy_loop_scope(l);
    if (!(op = gy_op_new(df, &spec)) || gy_op_initial_cap(op, &t0, &b->cap) != 0)
        return -ECANCELED;
    gy_op_connect(op, 0, back, gy_pact_pipeline());
    gy_feedback_connect(fb, gy_op_output(op, 0));
    return gy_dataflow_build(df);
}

static int barrier_worker(gy_worker_t *w, void *arg)
{
    struct micro *m = arg;
    struct slot *s = &m->slot[gy_worker_index(w)];
    int rc;

    if (barrier_build(w, m) != 0)
        return -ECANCELED;
    s->start = gy_now();
    rc = gy_worker_run(w);
    s->end = gy_now();
    return rc;
}

int gy_cli_bench_barrier(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                         char *err, size_t errlen)
{
    struct micro m;
    int rc = micro_init(&m, p->workers, err, errlen);

    if (rc != 0)
        return rc;
    if (!gy_cli_bench_parse_count(p->input, &m.total) || m.total >= UINT32_MAX) {
        snprintf(err, errlen, "barrier: '%s' is not a round count below 2^32", p->input);
        rc = -EINVAL;
    }
    if (rc == 0)
        rc = run_micro(p, barrier_worker, &m, out, err, errlen);
    if (rc == 0) /* every worker passes every round */
        rc = check_total("barrier", sum_counts(&m, false), m.total * p->workers, err, errlen);
    out->items = out->result = m.total;
    gy_free(m.slot);
    return rc;
}

/* ---- loop ---- */

/* Runs once iteration t is complete on every worker: scrambles this
 * worker's records of t and sends them all on, so they go out in full
 * batches (an operator that passes each arriving batch straight on splits
 * the records over ever more, ever smaller batches at W > 1). */
static int step_finish(const struct gy_time *t, void *recs, uint32_t n, gy_emit_t *emit,
                       void *arg)
{
    struct slot *slot = arg;
    uint64_t *r = recs;

    (void)t;
    for (uint32_t i = 0; i < n; i++)
        r[i] = lcg(r[i]);
    slot->visits += n;
    return gy_emit_n(emit, r, n);
}

/* Sends a batch round again (port 0, to the feedback) or, after the last
 * iteration, out of the loop (port 1). */
static void route_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t n)
{
    const uint64_t *iters = state;

    (void)port;
    if (gy_op_give(op, cap->time.iter[0] + 1 < *iters ? 0 : 1, cap, recs, n) != 0)
        return;
}

/* in (root scope) -> enter -> concat with the feedback -> step (exchange,
 * per iteration) -> route -> feedback, or -> leave -> count. */
static int loop_build(gy_dataflow_t *df, gy_stream_t *in, struct micro *m, struct slot *slot)
{
    const size_t rs[2] = {8, 8};
    struct gy_op_spec spec = {.name = "route", .ninputs = 1, .noutputs = 2, .rec_sizes = rs,
                              .cb = {.on_input = route_input}, .state = &m->iters};
    gy_loop_t *l = gy_loop_new(df, 0, "loop");
    gy_stream_t *var[2] = {NULL, NULL}, *stepped;
    gy_feedback_t *fb = l ? gy_loop_feedback(l, 8, 1, &var[1]) : NULL;
    gy_op_t *route;

    if (!fb || !(var[0] = gy_loop_enter(l, in)))
        return -ECANCELED;
    stepped = gy_op_unary_notify(gy_op_concat(var, 2, "var"), "step",
                                 gy_pact_exchange(rec_key, NULL), 8, step_finish, slot);
    spec.scope = gy_loop_scope(l);
    if (!stepped || !(route = gy_op_new(df, &spec)))
        return -ECANCELED;
    gy_op_connect(route, 0, stepped, gy_pact_pipeline());
    gy_feedback_connect(fb, gy_op_output(route, 0));
    if (!count_sink(gy_loop_leave(l, gy_op_output(route, 1)), gy_pact_pipeline(), &slot->count))
        return -ECANCELED;
    return gy_dataflow_build(df);
}

/* Sends records first .. first + share - 1 (their index is their value). */
static int loop_send(gy_input_t *in, uint64_t first, uint64_t share)
{
    uint64_t buf[1024];

    for (uint64_t done = 0; done < share;) {
        uint32_t n = share - done < 1024 ? (uint32_t)(share - done) : 1024;
        for (uint32_t i = 0; i < n; i++)
            buf[i] = first + done + i;
        if (gy_input_send(in, buf, n) != 0)
            return -ECANCELED;
        done += n;
    }
    return 0;
}

static int loop_worker(gy_worker_t *w, void *arg)
{
    struct micro *m = arg;
    uint32_t me = gy_worker_index(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "loop");
    gy_stream_t *s = NULL;
    gy_input_t *in = df ? gy_input_new(df, "records", 8, &s) : NULL;
    uint64_t first, share;
    int rc;

    if (!in || loop_build(df, s, m, &m->slot[me]) != 0)
        return -ECANCELED;
    gy_gen_partition(m->total, m->workers, me, &first, &share);
    m->slot[me].start = gy_now();
    if (loop_send(in, first, share) != 0)
        return -ECANCELED;
    gy_input_close(in);
    rc = gy_worker_run(w);
    m->slot[me].end = gy_now();
    return rc;
}

/* "N:ITERS" into its two counts; false if malformed. */
static bool parse_loop(const char *input, uint64_t *n, uint64_t *iters)
{
    const char *colon = strchr(input, ':');
    char head[32];

    if (!colon || (size_t)(colon - input) >= sizeof(head))
        return false;
    memcpy(head, input, (size_t)(colon - input));
    head[colon - input] = '\0';
    return gy_cli_bench_parse_count(head, n) && gy_cli_bench_parse_count(colon + 1, iters) &&
           *iters < UINT32_MAX && *n <= UINT64_MAX / *iters;
}

int gy_cli_bench_check_loop(const char *input, char *err, size_t errlen)
{
    uint64_t n, iters;

    if (parse_loop(input, &n, &iters))
        return 0;
    snprintf(err, errlen, "loop: '%s' is not N:ITERS (two counts, e.g. 1M:50)", input);
    return -EINVAL;
}

int gy_cli_bench_loop(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                      char *err, size_t errlen)
{
    struct micro m;
    int rc = micro_init(&m, p->workers, err, errlen);

    if (rc != 0)
        return rc;
    if (!parse_loop(p->input, &m.total, &m.iters))
        rc = gy_cli_bench_check_loop(p->input, err, errlen);
    if (rc == 0)
        rc = run_micro(p, loop_worker, &m, out, err, errlen);
    if (rc == 0)
        rc = check_total("loop: records out", sum_counts(&m, false), m.total, err, errlen);
    if (rc == 0)
        rc = check_total("loop: record-iterations", sum_counts(&m, true), m.total * m.iters,
                         err, errlen);
    out->items = m.total * m.iters;
    out->result = m.total;
    gy_free(m.slot);
    return rc;
}

/* ---- ingest ---- */

static int ingest_worker(gy_worker_t *w, void *arg)
{
    struct micro *m = arg;
    uint32_t me = gy_worker_index(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "ingest");
    gy_stream_t *s = df ? gy_edge_source_throttled(df, m->in, &m->src[me], &m->throttle[me])
                        : NULL;
    gy_op_t *op =
        s ? count_sink(s, gy_pact_exchange(edge_source_key, NULL), &m->slot[me].count) : NULL;
    gy_probe_t *probe = op ? gy_probe_new(gy_op_output(op, 0)) : NULL;
    int rc;

    if (!probe)
        return df ? -ECANCELED : gy_worker_fail(w, "out of memory");
    m->throttle[me] = (struct gy_edge_throttle){.probe = probe, .max_open = INGEST_MAX_OPEN};
    if (gy_dataflow_build(df) != 0)
        return -ECANCELED;
    m->slot[me].start = gy_now();
    rc = gy_worker_run(w);
    m->slot[me].end = gy_now();
    return rc;
}

static uint64_t sum_source_edges(const struct micro *m)
{
    uint64_t s = 0;

    for (uint32_t w = 0; w < m->workers; w++)
        s += m->src[w].edges;
    return s;
}

int gy_cli_bench_ingest(const struct gy_cli_bench_params *p, struct gy_cli_bench_sample *out,
                        char *err, size_t errlen)
{
    struct gy_edge_input_cfg cfg = {.spec = p->input, .file = p->file, .epochs = p->epochs};
    double t0 = gy_now();
    gy_edge_input_t *in = NULL;
    struct micro m;
    int rc = micro_init(&m, p->workers, err, errlen);

    if (rc != 0)
        return rc;
    m.src = gy_calloc(p->workers, sizeof(*m.src));
    m.throttle = gy_calloc(p->workers, sizeof(*m.throttle));
    if (!m.src || !m.throttle) {
        snprintf(err, errlen, "out of memory");
        rc = -ENOMEM;
    }
    if (rc == 0)
        rc = gy_edge_input_open(&cfg, p->workers, &in, err, errlen);
    m.in = in;
    if (rc == 0)
        rc = run_micro(p, ingest_worker, &m, out, err, errlen);
    if (rc == 0)
        rc = check_total("ingest", sum_counts(&m, false), sum_source_edges(&m), err, errlen);
    out->items = out->result = rc == 0 ? sum_source_edges(&m) : 0;
    out->load_s = gy_now() - t0 - out->kernel_s;
    gy_edge_input_close(in);
    gy_free(m.throttle);
    gy_free(m.src);
    gy_free(m.slot);
    return rc;
}
