/*
 * The algorithm driver: edge source -> algorithm -> report, on every worker.
 * Worker 0's results pass through an inspect operator that hands them to the
 * caller's report callback; a probe on that stream throttles the source.
 */
#include "algorithms/driver.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "operators/builtins.h"
#include "operators/input.h"
#include "progress/alloc.h"
#include "runtime/runtime.h"

#define DEFAULT_MAX_OPEN 4

struct run;

/* What a worker's report operator needs: the run and its own worker. */
struct wctx {
    struct run *r;
    gy_worker_t *w;
};

struct run {
    const struct gy_algo_run_cfg *cfg;
    struct gy_algo_opts opts;
    const gy_edge_input_t *in;
    struct gy_edge_source_stats *stats;   /* [workers] */
    struct gy_edge_throttle *throttle;    /* [workers] */
    struct wctx *ctx;                     /* [workers] */
    double t0;
    double t_last;                        /* when the last result arrived */
    uint64_t epochs;
    bool have_last;
    struct gy_graph_result last;
};

void gy_algo_run_cfg_init(struct gy_algo_run_cfg *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->workers = 1;
    cfg->input.epochs.mode = GY_EPOCHS_COUNT;
    cfg->opts = gy_algo_opts_default();
}

/* The contract says only worker 0 emits results; anything else is a bug
 * in the algorithm, reported rather than dropped. */
static void stray_result(const struct gy_time *t, const void *rec, void *arg)
{
    struct wctx *c = arg;

    (void)rec;
    if (!gy_worker_failed(c->w))
        gy_worker_fail(c->w, "%s: a result at epoch %llu on worker %u, not 0",
                       c->r->opts.name ? c->r->opts.name : "algorithm",
                       (unsigned long long)t->epoch, gy_worker_index(c->w));
}

static void on_result(const struct gy_time *t, const void *rec, void *arg)
{
    struct wctx *c = arg;
    struct run *r = c->r;
    const struct gy_graph_result *res = rec;
    double now = gy_now() - r->t0;
    gy_worker_t *w0 = c->w;

    if (gy_worker_failed(w0))
        return;
    if (res->epoch != t->epoch || (r->have_last && res->epoch <= r->last.epoch)) {
        gy_worker_fail(w0, "%s: result for epoch %llu out of order",
                       r->opts.name ? r->opts.name : "algorithm", (unsigned long long)res->epoch);
        return;
    }
    r->last = *res;
    r->have_last = true;
    r->epochs++;
    r->t_last = now;
    if (r->cfg->report && r->cfg->report(res, now, r->cfg->arg) != 0)
        gy_worker_fail(w0, "report failed at epoch %llu", (unsigned long long)res->epoch);
}

static int worker(gy_worker_t *w, void *arg)
{
    struct run *r = arg;
    uint32_t me = gy_worker_index(w);
    gy_dataflow_t *df = gy_dataflow_new(w, r->opts.name ? r->opts.name : "algorithm");
    gy_stream_t *s = NULL;
    gy_probe_t *probe = NULL;

    if (!df)
        return gy_worker_fail(w, "out of memory");
    r->ctx[me] = (struct wctx){.r = r, .w = w};
    s = gy_edge_source_throttled(df, r->in, &r->stats[me], &r->throttle[me]);
    s = s ? r->cfg->algo(s, &r->opts) : NULL;
    /* Only worker 0 gets results; the other inspects see nothing. */
    s = s ? gy_op_inspect(s, "report", me == 0 ? on_result : stray_result,
                                &r->ctx[me]) : NULL;
    probe = s ? gy_probe_new(s) : NULL;
    if (!probe)
        return -ECANCELED;
    r->throttle[me].probe = probe;
    if (gy_dataflow_build(df) != 0)
        return -ECANCELED;
    return gy_worker_run(w);
}

static void sum_stats(const struct run *r, uint32_t workers, struct gy_algo_run_stats *st)
{
    st->lines = gy_edge_input_lines(r->in);
    st->epochs = r->epochs;
    st->last = r->last;
    st->run_seconds = r->t_last;
    for (uint32_t w = 0; w < workers; w++) {
        st->edges += r->stats[w].edges;
        st->dropped_late += r->stats[w].dropped_late;
        gy_edges_bad_merge(&st->bad, &r->stats[w].bad);
    }
}

/* Runs the workers; with cfg->stats, *ops gets the run's statistics. */
static int run_workers(const struct gy_algo_run_cfg *cfg, struct run *r, gy_stats_t **ops,
                       char *err, size_t errlen)
{
    struct gy_runtime_config rc;

    gy_runtime_config_init(&rc);
    rc.workers = cfg->workers;
    rc.no_pin = cfg->no_pin;
    rc.stats = cfg->stats;
    for (uint32_t w = 0; w < cfg->workers; w++)
        r->throttle[w].max_open = cfg->max_open ? cfg->max_open : DEFAULT_MAX_OPEN;
    r->t0 = gy_now();
    if (cfg->stats)
        return gy_runtime_run_stats(&rc, worker, r, ops, err, errlen);
    return gy_runtime_run(&rc, worker, r, err, errlen);
}

int gy_algo_run(const struct gy_algo_run_cfg *cfg, struct gy_algo_run_stats *stats, char *err,
                size_t errlen)
{
    struct gy_algo_run_stats own = {0};
    struct run r = {.cfg = cfg, .opts = cfg->opts};
    gy_edge_input_t *in = NULL;
    double t_open = gy_now();
    int rc;

    if (cfg->workers == 0 || !cfg->algo) {
        snprintf(err, errlen, "algorithm run: %s", cfg->algo ? "no workers" : "no algorithm");
        return -EINVAL;
    }
    rc = gy_edge_input_open(&cfg->input, cfg->workers, &in, err, errlen);
    if (rc != 0)
        return rc;
    r.in = in;
    if (!r.opts.input_name)
        r.opts.input_name = gy_edge_input_name(in);
    r.stats = gy_calloc(cfg->workers, sizeof(*r.stats));
    r.throttle = gy_calloc(cfg->workers, sizeof(*r.throttle));
    r.ctx = gy_calloc(cfg->workers, sizeof(*r.ctx));
    own.open_seconds = gy_now() - t_open;
    if (!r.stats || !r.throttle || !r.ctx) {
        snprintf(err, errlen, "out of memory");
        rc = -ENOMEM;
    } else {
        rc = run_workers(cfg, &r, &own.ops, err, errlen);
        sum_stats(&r, cfg->workers, &own);
    }
    gy_free(r.ctx);
    gy_free(r.throttle);
    gy_free(r.stats);
    gy_edge_input_close(in);
    if (stats)
        *stats = own;
    else
        gy_stats_free(own.ops);
    return rc;
}
