/*
 * Run statistics (runtime/stats.h, docs/stats.md), each case on 1, 2, 3
 * and 8 workers unless it says otherwise:
 *  - pipeline: an input sends known numbers, a map, a filter, an exchange
 *    and an inspect count them. Every operator's records in and out equal
 *    what a brute-force pass over the same numbers says (the map's in =
 *    out = what the worker sent; the filter's out = the numbers its
 *    predicate keeps; the exchange's in on worker w = the kept numbers
 *    whose key belongs to w); summed over workers, the records out of the
 *    exchange's producer equal the records into the exchange, and the
 *    inspect's records in equal what its own callback counted. Batches are
 *    > 0 wherever records are; every busy time is within the worker's wall
 *    time, and busy + wait within it too; the wall time is within what the
 *    test measured around the run; progress traffic and data sent to peers
 *    are > 0 on W >= 2 and 0 on W = 1; the totals are the sums of the
 *    per-worker records;
 *  - off: the same run without cfg.stats hands back a snapshot listing the
 *    same operators with every count, time and traffic figure 0 (no clock
 *    read, no counter touched) while the dataflow's own counts are right;
 *  - loop: seeds go round a gy_iterate loop, one less each time, until 0;
 *    the body's operators count each record each time round, as the
 *    closed-form sums say;
 *  - DS2: the estimate for each operator equals the formula recomputed
 *    here from the per-worker records, and grows with the target;
 *  - driver: gy_algo_run(cc) with stats on: the source's records out are
 *    the edges the driver counted, and every operator's records in equal
 *    its producer's records out, summed over workers;
 *  - cli: `gyre cc ... --stats --target-rate R` (posix_spawn; the binary is
 *    $GY_GYRE, else "<directory of this test>/../gyre") prints the table's
 *    header, a source row whose records out are the edges of the summary
 *    line, and the recommendation line; --json adds one {"stats": ...}
 *    line; a bad rate is a usage error.
 *
 * Worker threads never call cmocka's asserts: they record what they saw in
 * per-worker slots; the main thread asserts after the run.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/cc.h"
#include "algorithms/driver.h"
#include "operators/builtins.h"
#include "operators/input.h"
#include "operators/iterate.h"
#include "runtime/batch.h"
#include "runtime/runtime.h"
#include "runtime/stats.h"
#include "tests/support/proc.h"
#include "tests/support/run.h"

#define MAXW 8
#define PER 40000           /* numbers each worker sends */
#define EPOCHS 4

static const uint32_t worker_counts[] = {1, 2, 3, 8};
#define NWC (sizeof(worker_counts) / sizeof(worker_counts[0]))

/* The numbers worker w sends: w * PER .. w * PER + PER - 1. */
static uint64_t number(uint32_t w, uint32_t i)
{
    return (uint64_t)w * PER + i;
}

/* The map's output: the number and 3x + 1. The filter keeps a record
 * unless 3x + 1 is a multiple of 5 (one in five). */
struct pair {
    uint64_t x, y;
};

static void triple(const void *in, void *out, void *arg)
{
    uint64_t x;
    struct pair p;

    (void)arg;
    memcpy(&x, in, sizeof(x));
    p.x = x;
    p.y = 3 * x + 1;
    memcpy(out, &p, sizeof(p));
}

static bool kept(uint64_t x)
{
    return (3 * x + 1) % 5 != 0;
}

static bool keep(const void *rec, void *arg)
{
    struct pair p;

    (void)arg;
    memcpy(&p, rec, sizeof(p));
    return p.y % 5 != 0;
}

static uint64_t pair_key(const void *rec, void *arg)
{
    struct pair p;

    (void)arg;
    memcpy(&p, rec, sizeof(p));
    return p.x;
}

struct pipe_run {
    uint64_t seen[MAXW];       /* records the inspect's callback saw, per worker */
};

struct seen_ctx {
    struct pipe_run *r;
    uint32_t me;
};

static void saw(const struct gy_time *t, const void *rec, void *arg)
{
    struct seen_ctx *c = arg;

    (void)t;
    (void)rec;
    c->r->seen[c->me]++;
}

static int pipe_worker(gy_worker_t *w, void *arg)
{
    struct pipe_run *r = arg;
    uint32_t me = gy_worker_index(w);
    struct seen_ctx *ctx = malloc(sizeof(*ctx));
    gy_dataflow_t *df = gy_dataflow_new(w, "pipeline");
    gy_stream_t *s = NULL;
    gy_input_t *in = df ? gy_input_new(df, "numbers", sizeof(uint64_t), &s) : NULL;
    gy_probe_t *probe;
    int rc = -ECANCELED;

    if (!ctx || !in)
        goto out;
    *ctx = (struct seen_ctx){.r = r, .me = me};
    s = gy_op_map(s, "triple", sizeof(struct pair), triple, NULL);
    s = gy_op_filter(s, "keep", keep, NULL);
    s = gy_op_exchange(s, "by-key", pair_key, NULL);
    s = gy_op_inspect(s, "sink", saw, ctx);
    probe = s ? gy_probe_new(s) : NULL;
    if (!probe || gy_dataflow_build(df) != 0)
        goto out;
    for (uint32_t e = 0; e < EPOCHS; e++) {
        for (uint32_t i = e * (PER / EPOCHS); i < (e + 1) * (PER / EPOCHS); i++) {
            uint64_t x = number(me, i);
            if (gy_input_send(in, &x, 1) != 0)
                goto out;
        }
        if (gy_input_advance_to(in, e + 1) != 0)
            goto out;
    }
    gy_input_close(in);
    rc = gy_worker_run(w);
out:
    free(ctx);
    return rc;
}

/* Runs fn on W workers with stats on or off; the snapshot, and the wall
 * time the test measured around the run in *elapsed. */
static gy_stats_t *run_stats(uint32_t workers, bool on, gy_worker_fn fn, void *arg,
                             double *elapsed)
{
    struct gy_runtime_config cfg = ts_runtime_config(workers);
    gy_stats_t *st = NULL;
    char err[512];
    double t0;
    int rc;

    cfg.stats = on;
    t0 = gy_now();
    rc = gy_runtime_run_stats(&cfg, fn, arg, &st, err, sizeof(err));
    if (elapsed)
        *elapsed = gy_now() - t0;
    if (rc != 0)
        fail_msg("W=%u: %s", workers, err);
    assert_non_null(st);
    return st;
}

/* The per-worker record of operator name on worker w. */
static const struct gy_stats_op *op_of(const gy_stats_t *st, const char *name, uint32_t w)
{
    for (size_t i = 0; i < gy_stats_nops(st); i++) {
        const struct gy_stats_op *op = gy_stats_op(st, i);
        if (op->worker == w && strcmp(op->name, name) == 0)
            return op;
    }
    fail_msg("no operator '%s' on worker %u", name, w);
    return NULL;
}

static const struct gy_stats_total *total_of(const gy_stats_t *st, const char *name)
{
    for (size_t i = 0; i < gy_stats_ntotals(st); i++)
        if (strcmp(gy_stats_total(st, i)->name, name) == 0)
            return gy_stats_total(st, i);
    fail_msg("no operator '%s' in the totals", name);
    return NULL;
}

/* The oracle: how many of worker w's numbers the filter keeps, and how many
 * kept numbers of all W workers have their key on worker w. */
static uint64_t kept_from(uint32_t w)
{
    uint64_t n = 0;

    for (uint32_t i = 0; i < PER; i++)
        n += kept(number(w, i));
    return n;
}

static uint64_t kept_to(uint32_t w, uint32_t workers)
{
    uint64_t n = 0;

    for (uint32_t s = 0; s < workers; s++)
        for (uint32_t i = 0; i < PER; i++)
            n += kept(number(s, i)) && gy_key_worker(number(s, i), workers) == w;
    return n;
}

/* The counts each operator must show on worker w. */
static void check_pipeline_counts(const gy_stats_t *st, const struct pipe_run *r, uint32_t w,
                                  uint32_t workers)
{
    const struct gy_stats_op *in = op_of(st, "numbers", w), *map = op_of(st, "triple", w);
    const struct gy_stats_op *flt = op_of(st, "keep", w), *ex = op_of(st, "by-key", w);
    const struct gy_stats_op *sink = op_of(st, "sink", w);

    assert_int_equal(in->records_in, 0);
    assert_int_equal(in->records_out, PER);
    assert_int_equal(map->records_in, PER);
    assert_int_equal(map->records_out, PER);
    assert_int_equal(flt->records_in, PER);
    assert_int_equal(flt->records_out, kept_from(w));
    assert_int_equal(ex->records_in, kept_to(w, workers));
    assert_int_equal(ex->records_out, ex->records_in);
    assert_int_equal(sink->records_in, r->seen[w]);
    assert_int_equal(sink->records_in, ex->records_out);
    assert_int_equal(flt->input0_from, map->slot);
    assert_int_equal(ex->input0_from, flt->slot);
}

/* Batches wherever records are (every output here has a consumer), and
 * no more batches in than records; busy within the worker's wall time.
 * Batches out may outnumber records out: each consumer of an output gets
 * its own batches, while a record given counts once. */
static void check_op_shape(const gy_stats_t *st, const struct gy_stats_op *op)
{
    const struct gy_stats_worker *w = gy_stats_worker(st, op->worker);

    assert_true(op->batches_in <= op->records_in);
    assert_true((op->batches_out > 0) == (op->records_out > 0));
    if (op->records_in > 0)
        assert_true(op->batches_in > 0 && op->runs > 0);
    if (op->records_out > 0)
        assert_true(op->batches_out > 0);
    assert_true(op->busy_s >= 0);
    assert_true(op->busy_s <= w->wall_s);
    assert_true(fabs(op->idle_s - (w->wall_s - op->busy_s)) < 1e-9);
}

/* A worker's own figures: times nested in its wall time (measured within
 * the test's), traffic to peers only when there are peers. */
static void check_worker(const struct gy_stats_worker *w, uint32_t workers, double elapsed)
{
    assert_true(w->wall_s > 0 && w->wall_s <= elapsed);
    assert_true(w->busy_s > 0);
    assert_true(w->busy_s + w->wait_s <= w->wall_s + 1e-9);
    assert_true(w->steps > 0);
    assert_true(w->frontier_advances > 0);
    assert_true(w->advance_mean_s >= 0 && w->advance_mean_s <= w->advance_max_s);
    /* Not within wall_s: a peer may publish an update before this worker's
     * thread starts its clock; but every publish falls within the run. */
    assert_true(w->advance_max_s <= elapsed);
    assert_int_equal(w->progress_bytes, w->progress_updates * sizeof(struct gy_pupdate));
    if (workers == 1) {
        assert_int_equal(w->progress_batches, 0);
        assert_int_equal(w->data_batches, 0);
        return;
    }
    assert_true(w->progress_batches > 0);
    assert_true(w->progress_updates >= w->progress_batches);
    assert_true(w->data_batches > 0 && w->data_bytes >= w->data_batches * sizeof(struct pair));
}

/* Each total is the sum of its per-worker records, which come sorted. */
static void check_totals(const gy_stats_t *st, uint32_t workers)
{
    size_t k = 0;

    assert_int_equal(gy_stats_nops(st), gy_stats_ntotals(st) * workers);
    for (size_t i = 0; i < gy_stats_ntotals(st); i++) {
        const struct gy_stats_total *t = gy_stats_total(st, i);
        uint64_t in = 0, out = 0, bin = 0, bout = 0;
        double busy = 0, wall = 0;
        assert_int_equal(t->instances, workers);
        for (uint32_t w = 0; w < workers; w++, k++) {
            const struct gy_stats_op *op = gy_stats_op(st, k);
            assert_int_equal(op->slot, t->slot);
            assert_int_equal(op->worker, w);
            in += op->records_in, out += op->records_out;
            bin += op->batches_in, bout += op->batches_out;
            busy += op->busy_s, wall += gy_stats_worker(st, w)->wall_s;
        }
        assert_int_equal(t->records_in, in);
        assert_int_equal(t->records_out, out);
        assert_int_equal(t->batches_in, bin);
        assert_int_equal(t->batches_out, bout);
        assert_true(fabs(t->busy_s - busy) < 1e-9 && fabs(t->wall_s - wall) < 1e-9);
        assert_true(t->busy_frac >= 0 && t->busy_frac <= 1);
    }
}

static void test_stats_pipeline(void **state)
{
    (void)state;
    for (size_t k = 0; k < NWC; k++) {
        uint32_t workers = worker_counts[k];
        struct pipe_run r;
        double elapsed;
        gy_stats_t *st;
        memset(&r, 0, sizeof(r));
        st = run_stats(workers, true, pipe_worker, &r, &elapsed);
        assert_true(gy_stats_enabled(st));
        assert_int_equal(gy_stats_workers(st), workers);
        for (uint32_t w = 0; w < workers; w++) {
            check_pipeline_counts(st, &r, w, workers);
            check_worker(gy_stats_worker(st, w), workers, elapsed);
        }
        for (size_t i = 0; i < gy_stats_nops(st); i++)
            check_op_shape(st, gy_stats_op(st, i));
        /* The exchange's producer sends exactly what the exchange takes in. */
        assert_int_equal(total_of(st, "keep")->records_out, total_of(st, "by-key")->records_in);
        assert_int_equal(total_of(st, "by-key")->records_in, total_of(st, "sink")->records_in);
        check_totals(st, workers);
        gy_stats_free(st);
    }
}

static void test_stats_off(void **state)
{
    (void)state;
    for (size_t k = 0; k < NWC; k++) {
        uint32_t workers = worker_counts[k];
        struct pipe_run r;
        uint64_t seen = 0, want = 0;
        gy_stats_t *st;
        memset(&r, 0, sizeof(r));
        st = run_stats(workers, false, pipe_worker, &r, NULL);
        assert_false(gy_stats_enabled(st));
        for (uint32_t w = 0; w < workers; w++) {
            const struct gy_stats_worker *ws = gy_stats_worker(st, w);
            seen += r.seen[w];
            want += kept_from(w);
            assert_true(ws->wall_s == 0 && ws->busy_s == 0 && ws->wait_s == 0);
            assert_true(ws->steps == 0 && ws->progress_batches == 0 && ws->progress_updates == 0);
            assert_true(ws->data_batches == 0 && ws->frontier_advances == 0);
            assert_true(ws->advance_max_s == 0);
            (void)op_of(st, "by-key", w); /* listed all the same */
        }
        assert_int_equal(seen, want); /* the dataflow itself ran */
        for (size_t i = 0; i < gy_stats_nops(st); i++) {
            const struct gy_stats_op *op = gy_stats_op(st, i);
            assert_true(op->records_in == 0 && op->records_out == 0 && op->runs == 0);
            assert_true(op->batches_in == 0 && op->batches_out == 0);
            assert_true(op->busy_s == 0 && op->idle_s == 0);
        }
        gy_stats_free(st);
    }
}

/* ---- a loop ---- */

#define SEEDS 300           /* seeds 0 .. SEEDS - 1, spread over the workers */

static bool positive(const void *rec, void *arg)
{
    uint64_t x;

    (void)arg;
    memcpy(&x, rec, sizeof(x));
    return x > 0;
}

static void minus_one(const void *in, void *out, void *arg)
{
    uint64_t x;

    (void)arg;
    memcpy(&x, in, sizeof(x));
    x--;
    memcpy(out, &x, sizeof(x));
}

static uint64_t u64_key(const void *rec, void *arg)
{
    uint64_t x;

    (void)arg;
    memcpy(&x, rec, sizeof(x));
    return x * 0x9e3779b97f4a7c15ULL;
}

/* x -> x - 1 while x > 0, exchanged every time round. */
static gy_stream_t *countdown(gy_loop_t *loop, gy_stream_t *var, void *arg)
{
    (void)loop;
    (void)arg;
    var = gy_op_filter(var, "positive", positive, NULL);
    var = gy_op_map(var, "minus-one", sizeof(uint64_t), minus_one, NULL);
    return gy_op_exchange(var, "shuffle", u64_key, NULL);
}

static int loop_worker(gy_worker_t *w, void *arg)
{
    uint32_t me = gy_worker_index(w), n = gy_worker_peers(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "loop");
    gy_stream_t *s = NULL;
    gy_input_t *in = df ? gy_input_new(df, "seeds", sizeof(uint64_t), &s) : NULL;
    gy_probe_t *probe;

    (void)arg;
    if (!in)
        return -ECANCELED;
    s = gy_iterate(s, countdown, NULL, 0, "down");
    probe = s ? gy_probe_new(s) : NULL;
    if (!probe || gy_dataflow_build(df) != 0)
        return -ECANCELED;
    for (uint64_t x = me; x < SEEDS; x += n)
        if (gy_input_send(in, &x, 1) != 0)
            return -ECANCELED;
    gy_input_close(in);
    return gy_worker_run(w);
}

static void test_stats_loop(void **state)
{
    /* Seed v visits the body v + 1 times (v, v - 1, ..., 0) and passes the
     * filter v times. */
    const uint64_t visits = (uint64_t)SEEDS * (SEEDS + 1) / 2, passes = visits - SEEDS;

    (void)state;
    for (size_t k = 0; k < NWC; k++) {
        gy_stats_t *st = run_stats(worker_counts[k], true, loop_worker, NULL, NULL);
        assert_int_equal(total_of(st, "seeds")->records_out, SEEDS);
        assert_int_equal(total_of(st, "positive")->records_in, visits);
        assert_int_equal(total_of(st, "positive")->records_out, passes);
        assert_int_equal(total_of(st, "minus-one")->records_in, passes);
        assert_int_equal(total_of(st, "shuffle")->records_in, passes);
        assert_int_equal(total_of(st, "shuffle")->records_out, passes);
        check_totals(st, worker_counts[k]);
        for (size_t i = 0; i < gy_stats_nops(st); i++)
            check_op_shape(st, gy_stats_op(st, i));
        gy_stats_free(st);
    }
}

/* ---- DS2 ---- */

/* ceil(x), unless x is within rounding of an integer, where either side is
 * right. */
static bool ceil_ok(double x, uint32_t got)
{
    double c = ceil(x), r = round(x);

    if (got == (uint32_t)(c < 1 ? 1 : c))
        return true;
    return fabs(x - r) < 1e-9 * (r > 1 ? r : 1) && got == (uint32_t)(r < 1 ? 1 : r);
}

/* The estimate of total i, recomputed from the per-worker records. */
static void check_ds2_one(const gy_stats_t *st, size_t i, double target, uint64_t src)
{
    const struct gy_stats_total *t = gy_stats_total(st, i);
    struct gy_stats_ds2 d;
    double busy = 0;
    uint64_t in = 0;

    for (size_t k = 0; k < gy_stats_nops(st); k++) {
        const struct gy_stats_op *op = gy_stats_op(st, k);
        if (op->slot == t->slot) {
            busy += op->busy_s;
            in += t->ninputs ? op->records_in : op->records_out;
        }
    }
    gy_stats_ds2(st, i, target, &d);
    assert_true(d.source_records == (double)src);
    if (busy == 0) {
        assert_int_equal(d.instances, 0);
        return;
    }
    if (!ceil_ok(target * busy / (double)src, d.instances))
        fail_msg("'%s': %u instances for %g * %g / %llu", t->name, d.instances, target, busy,
                 (unsigned long long)src);
    if (in == 0)
        return;
    assert_true(fabs(d.need_in - target * (double)in / (double)src) <= 1e-9 * d.need_in);
    assert_true(fabs(d.capacity - (double)in / busy) <= 1e-9 * d.capacity);
}

static void test_stats_ds2(void **state)
{
    (void)state;
    for (size_t k = 0; k < NWC; k++) {
        uint32_t workers = worker_counts[k];
        struct pipe_run r;
        struct gy_stats_ds2 lo, hi;
        gy_stats_t *st;
        uint64_t src;
        memset(&r, 0, sizeof(r));
        st = run_stats(workers, true, pipe_worker, &r, NULL);
        src = total_of(st, "numbers")->records_out;
        assert_int_equal(src, (uint64_t)PER * workers);
        for (size_t i = 0; i < gy_stats_ntotals(st); i++) {
            check_ds2_one(st, i, 1e6, src);
            check_ds2_one(st, i, 3.7e9, src);
            gy_stats_ds2(st, i, 1e6, &lo);
            gy_stats_ds2(st, i, 1e9, &hi);
            assert_true(hi.instances >= lo.instances);
            gy_stats_ds2(st, i, 0, &lo); /* no target, no estimate */
            assert_int_equal(lo.instances, 0);
        }
        gy_stats_free(st);
    }
}

/* ---- through the algorithm driver ---- */

static void test_stats_driver(void **state)
{
    (void)state;
    for (size_t k = 0; k < NWC; k++) {
        struct gy_algo_run_cfg cfg;
        struct gy_algo_run_stats rs;
        char err[512];
        gy_algo_run_cfg_init(&cfg);
        cfg.input.spec = "rmat:11:8:5";
        cfg.workers = worker_counts[k];
        cfg.no_pin = true;
        cfg.algo = gy_cc;
        cfg.stats = true;
        if (gy_algo_run(&cfg, &rs, err, sizeof(err)) != 0)
            fail_msg("W=%u: %s", cfg.workers, err);
        assert_non_null(rs.ops);
        assert_int_equal(total_of(rs.ops, "edge-source")->records_out, rs.edges);
        for (size_t i = 0; i < gy_stats_ntotals(rs.ops); i++) {
            const struct gy_stats_total *t = gy_stats_total(rs.ops, i), *from;
            if (t->input0_from == GY_STATS_NONE)
                continue;
            from = gy_stats_total(rs.ops, t->input0_from);
            assert_int_equal(from->slot, t->input0_from);
            assert_int_equal(t->records_in, from->records_out);
        }
        gy_stats_free(rs.ops);
        cfg.stats = false;
        assert_int_equal(gy_algo_run(&cfg, &rs, err, sizeof(err)), 0);
        assert_null(rs.ops);
    }
}

/* ---- gyre cc --stats ---- */

struct outcome {
    char out[1 << 16];     /* stdout, cut at 64 KiB */
    char err[1 << 14];     /* stderr, cut at 16 KiB */
    int status;            /* exit status, or 128 + signal */
};

/* Runs gyre with the NULL-terminated args; stdin is /dev/null. */
static void run_gyre(const char *const *args, struct outcome *o)
{
    char path[4200];
    struct ts_proc p;

    ts_gyre_path(path, sizeof(path));
    ts_proc_run(path, args, NULL, &p);
    snprintf(o->out, sizeof(o->out), "%s", p.out);
    snprintf(o->err, sizeof(o->err), "%s", p.err);
    o->status = p.status;
    ts_proc_free(&p);
}

/* The line of text that starts with prefix (after leading blanks), or NULL. */
static const char *line_starting(const char *text, const char *prefix)
{
    for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        const char *p = l + strspn(l, " ");
        if (strncmp(p, prefix, strlen(prefix)) == 0)
            return p;
    }
    return NULL;
}

static void test_stats_cli(void **state)
{
    static struct outcome o;
    unsigned long long edges = 0, in = 0, out = 0, n = 0;
    const char *l;

    (void)state;
    run_gyre((const char *const[]){"cc", "rmat:12", "-w", "2", "--no-pin", "--stats",
                                   "--target-rate", "5M", NULL}, &o);
    if (o.status != 0)
        fail_msg("exit %d: %s", o.status, o.err);
    l = line_starting(o.out, "cc: ");
    assert_non_null(l);
    assert_int_equal(sscanf(l, "cc: %llu edges read", &edges), 1);
    l = line_starting(o.out, "operator ");
    assert_non_null(l);
    assert_non_null(strstr(l, "records in"));
    assert_non_null(strstr(l, "records out"));
    assert_non_null(strstr(l, "busy s"));
    assert_non_null(strstr(l, "in/busy-s"));
    assert_non_null(line_starting(o.out, "stats: per operator, summed over 2 workers"));
    l = line_starting(o.out, "edge-source ");
    assert_non_null(l);
    assert_int_equal(sscanf(l, "edge-source %llu %llu", &in, &out), 2);
    assert_int_equal(in, 0);
    assert_int_equal(out, edges);
    assert_non_null(line_starting(o.out, "DS2 estimate for 5e+06 edges/s"));
    l = line_starting(o.out, "recommended parallelism: ");
    assert_non_null(l);
    assert_int_equal(sscanf(l, "recommended parallelism: %llu worker", &n), 1);
    assert_true(n >= 1);
    assert_non_null(strstr(l, "estimate from one run"));

    run_gyre((const char *const[]){"cc", "rmat:10", "-w", "2", "--no-pin", "--json",
                                   "--target-rate", "1e6", NULL}, &o);
    assert_int_equal(o.status, 0);
    l = line_starting(o.out, "{\"stats\":{\"workers\":2,\"operators\":[");
    assert_non_null(l);
    assert_non_null(strstr(l, "\"recommended_parallelism\":"));
    assert_non_null(strstr(l, "\"progress_batches\":"));
    assert_true(strchr(l, '\n') && strchr(l, '\n')[1] == '\0'); /* the last line */

    run_gyre((const char *const[]){"cc", "rmat:10", "--target-rate", "fast", NULL}, &o);
    assert_int_equal(o.status, 2);
    assert_non_null(strstr(o.err, "--target-rate"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stats_pipeline),
        cmocka_unit_test(test_stats_off),
        cmocka_unit_test(test_stats_loop),
        cmocka_unit_test(test_stats_ds2),
        cmocka_unit_test(test_stats_driver),
        cmocka_unit_test(test_stats_cli),
    };

    return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
