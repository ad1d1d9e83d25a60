/*
 * Run statistics (runtime/stats.h): what each worker keeps of the slots of
 * its freed dataflows, the snapshot built from it after the threads joined,
 * the totals per operator and DS2's estimate.
 *
 * The counting itself sits where the events happen, each behind one
 * predictable branch on df->stats or rt->stats: pops and runs in
 * schedule.c, gives, seals and progress broadcasts in channel.c, steps,
 * waits and the worker's wall time in worker.c. Every counter belongs to
 * one worker's thread; the main thread reads them only after pthread_join,
 * which orders the workers' writes before its reads.
 */
#include "runtime/stats.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress/alloc.h"
#include "runtime/dataflow_internal.h"
#include "runtime/internal.h"

struct gy_stats {
    bool enabled;
    uint32_t workers;
    struct gy_stats_worker *worker;      /* [workers] */
    struct gy_stats_op *ops;             /* [nops] by dataflow id, slot, worker */
    size_t nops;
    struct gy_stats_total *totals;       /* [ntotals] by dataflow id, slot */
    size_t ntotals;
};

/* ---- on the workers ---- */

static double seconds(uint64_t ns)
{
    return (double)ns * 1e-9;
}

static void fill_op(const gy_dataflow_t *df, uint32_t slot, struct gy_stats_op *op)
{
    const struct gy__slot *s = &df->slots[slot];

    memset(op, 0, sizeof(*op));
    snprintf(op->dataflow, sizeof(op->dataflow), "%s", df->name);
    snprintf(op->name, sizeof(op->name), "%s", s->name);
    op->dataflow_id = df->id;
    op->slot = slot;
    op->worker = df->me;
    op->ninputs = s->nin;
    op->noutputs = s->nout;
    op->input0_from = s->nin > 0 && s->in[0].connected ? s->in[0].src_slot : GY_STATS_NONE;
    op->records_in = s->st.records_in;
    op->records_out = s->st.records_out;
    op->batches_in = s->st.batches_in;
    op->batches_out = s->st.batches_out;
    op->runs = s->st.runs;
    op->busy_s = seconds(s->st.busy_ns);
}

void gy__stats_keep_dataflow(gy_dataflow_t *df)
{
    struct gy__wstats *st = &df->w->st;
    void *p = st->ops;
    size_t cap = st->cap_ops;

    if (df->nslots == 0)
        return;
    if (gy_grow(&p, &cap, st->nops + df->nslots, sizeof(*st->ops)) != 0) {
        st->oom = true; /* the run goes on; gy_runtime_run_stats says why it has no snapshot */
        return;
    }
    st->ops = p;
    st->cap_ops = cap;
    for (uint32_t s = 0; s < df->nslots; s++)
        fill_op(df, s, &st->ops[st->nops++]);
}

void gy__stats_advance(gy_worker_t *w, uint64_t pub_ns)
{
    uint64_t now = gy__stats_clock();
    uint64_t lat = now > pub_ns ? now - pub_ns : 0;

    w->st.advances++;
    w->st.advance_ns += lat;
    if (lat > w->st.advance_max_ns)
        w->st.advance_max_ns = lat;
}

void gy__stats_release(struct gy__runtime *rt)
{
    for (uint32_t i = 0; i < rt->peers; i++) {
        gy_free(rt->workers[i].st.ops);
        rt->workers[i].st.ops = NULL;
        rt->workers[i].st.nops = 0;
    }
}

/* ---- the snapshot ---- */

static void fill_worker(const gy_worker_t *w, struct gy_stats_worker *out)
{
    const struct gy__wstats *st = &w->st;

    memset(out, 0, sizeof(*out));
    out->worker = w->index;
    out->wall_s = seconds(st->wall_ns);
    out->wait_s = seconds(st->wait_ns);
    out->steps = st->steps;
    out->progress_batches = st->progress_batches;
    out->progress_updates = st->progress_updates;
    out->progress_bytes = st->progress_updates * sizeof(struct gy_pupdate);
    out->data_batches = st->data_batches;
    out->data_bytes = st->data_bytes;
    out->frontier_advances = st->advances;
    out->advance_mean_s = st->advances ? seconds(st->advance_ns) / (double)st->advances : 0;
    out->advance_max_s = seconds(st->advance_max_ns);
}

static int cmp_op(const void *a, const void *b)
{
    const struct gy_stats_op *x = a, *y = b;

    if (x->dataflow_id != y->dataflow_id)
        return x->dataflow_id < y->dataflow_id ? -1 : 1;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    return (x->worker > y->worker) - (x->worker < y->worker);
}

/* Moves every worker's records into s->ops, sorted; sums busy time per worker. */
static int gather_ops(struct gy__runtime *rt, struct gy_stats *s)
{
    size_t n = 0;

    for (uint32_t i = 0; i < rt->peers; i++)
        n += rt->workers[i].st.nops;
    s->ops = gy_calloc(n ? n : 1, sizeof(*s->ops));
    if (!s->ops)
        return -ENOMEM;
    for (uint32_t i = 0; i < rt->peers; i++) {
        const struct gy__wstats *st = &rt->workers[i].st;
        if (st->nops > 0)
            memcpy(&s->ops[s->nops], st->ops, st->nops * sizeof(*s->ops));
        s->nops += st->nops;
    }
    qsort(s->ops, s->nops, sizeof(*s->ops), cmp_op);
    for (size_t k = 0; k < s->nops; k++) {
        struct gy_stats_op *op = &s->ops[k];
        s->worker[op->worker].busy_s += op->busy_s;
        op->idle_s = s->worker[op->worker].wall_s - op->busy_s;
    }
    return 0;
}

static double ratio(uint64_t num, double den)
{
    return num > 0 && den > 0 ? (double)num / den : NAN;
}

/* Starts a total from its first instance's record. */
static void total_init(struct gy_stats_total *t, const struct gy_stats_op *op)
{
    memset(t, 0, sizeof(*t));
    memcpy(t->dataflow, op->dataflow, sizeof(t->dataflow));
    memcpy(t->name, op->name, sizeof(t->name));
    t->dataflow_id = op->dataflow_id;
    t->slot = op->slot;
    t->ninputs = op->ninputs;
    t->noutputs = op->noutputs;
    t->input0_from = op->input0_from;
}

static void total_add(struct gy_stats_total *t, const struct gy_stats_op *op, double wall_s)
{
    t->instances++;
    t->records_in += op->records_in;
    t->records_out += op->records_out;
    t->batches_in += op->batches_in;
    t->batches_out += op->batches_out;
    t->runs += op->runs;
    t->busy_s += op->busy_s;
    t->wall_s += wall_s;
}

static void total_finish(struct gy_stats_total *t)
{
    t->busy_frac = t->wall_s > 0 ? t->busy_s / t->wall_s : NAN;
    t->rate_in = ratio(t->records_in, t->busy_s);
    t->rate_out = ratio(t->records_out, t->busy_s);
    t->selectivity = t->records_in > 0 ? (double)t->records_out / (double)t->records_in : NAN;
}

/* One total per (dataflow, slot): the ops are sorted, so each is a run. */
static int sum_totals(struct gy_stats *s)
{
    struct gy_stats_total *t = NULL;

    s->totals = gy_calloc(s->nops ? s->nops : 1, sizeof(*s->totals));
    if (!s->totals)
        return -ENOMEM;
    for (size_t k = 0; k < s->nops; k++) {
        const struct gy_stats_op *op = &s->ops[k];
        if (!t || t->dataflow_id != op->dataflow_id || t->slot != op->slot) {
            if (t)
                total_finish(t);
            t = &s->totals[s->ntotals++];
            total_init(t, op);
        }
        total_add(t, op, s->worker[op->worker].wall_s);
    }
    if (t)
        total_finish(t);
    return 0;
}

int gy__stats_gather(struct gy__runtime *rt, gy_stats_t **out)
{
    struct gy_stats *s = gy_calloc(1, sizeof(*s));

    *out = NULL;
    if (!s)
        return -ENOMEM;
    s->enabled = rt->stats;
    s->workers = rt->peers;
    s->worker = gy_calloc(rt->peers, sizeof(*s->worker));
    for (uint32_t i = 0; s->worker && i < rt->peers; i++) {
        fill_worker(&rt->workers[i], &s->worker[i]);
        if (rt->workers[i].st.oom)
            goto fail;
    }
    if (!s->worker || gather_ops(rt, s) != 0 || sum_totals(s) != 0)
        goto fail;
    *out = s;
    return 0;
fail:
    gy_stats_free(s);
    return -ENOMEM;
}

/* ---- reading it ---- */

void gy_stats_free(gy_stats_t *s)
{
    if (!s)
        return;
    gy_free(s->worker);
    gy_free(s->ops);
    gy_free(s->totals);
    gy_free(s);
}

bool gy_stats_enabled(const gy_stats_t *s)
{
    return s->enabled;
}

uint32_t gy_stats_workers(const gy_stats_t *s)
{
    return s->workers;
}

const struct gy_stats_worker *gy_stats_worker(const gy_stats_t *s, uint32_t w)
{
    return w < s->workers ? &s->worker[w] : NULL;
}

size_t gy_stats_nops(const gy_stats_t *s)
{
    return s->nops;
}

const struct gy_stats_op *gy_stats_op(const gy_stats_t *s, size_t i)
{
    return i < s->nops ? &s->ops[i] : NULL;
}

size_t gy_stats_ntotals(const gy_stats_t *s)
{
    return s->ntotals;
}

const struct gy_stats_total *gy_stats_total(const gy_stats_t *s, size_t i)
{
    return i < s->ntotals ? &s->totals[i] : NULL;
}

/* Records out of the sources (slots without inputs) of dataflow id. */
static uint64_t source_records(const struct gy_stats *s, uint32_t id)
{
    uint64_t n = 0;

    for (size_t i = 0; i < s->ntotals; i++)
        if (s->totals[i].dataflow_id == id && s->totals[i].ninputs == 0)
            n += s->totals[i].records_out;
    return n;
}

/*
 * DS2's optimal parallelism of an operator is its target input rate over
 * the true processing rate of one instance. Its target input rate is the
 * target source rate scaled by the selectivities on the way, which this run
 * observed directly as records_in / source_records (a loop included: what
 * goes round twice counts twice). The instances then come to
 * target * busy_s / source_records: the busy seconds one source record
 * costs this operator, times the records per second to come.
 */
void gy_stats_ds2(const gy_stats_t *s, size_t i, double target_rate, struct gy_stats_ds2 *out)
{
    const struct gy_stats_total *t = gy_stats_total(s, i);
    uint64_t src = t ? source_records(s, t->dataflow_id) : 0;
    uint64_t work = t ? (t->ninputs > 0 ? t->records_in : t->records_out) : 0;
    double x;

    out->source_records = (double)src;
    out->need_in = NAN;
    out->capacity = NAN;
    out->instances = 0;
    if (!t || src == 0 || !(target_rate > 0) || !(t->busy_s > 0))
        return;
    if (work > 0) {
        out->need_in = target_rate * (double)work / (double)src;
        out->capacity = (double)work / t->busy_s;
    }
    x = ceil(target_rate * t->busy_s / (double)src);
    out->instances = x < 1 ? 1 : x > (double)UINT32_MAX ? UINT32_MAX : (uint32_t)x;
}
