/*
 * Worker threads and the step loop.
 *
 * Progress protocol (DESIGN.md), as implemented here and in dataflow.c:
 *  1. A worker's pointstamp changes of one step are published as one batch,
 *     positive updates first, to every other worker's mailbox, and applied
 *     to its own tracker.
 *  2. Before a data batch is enqueued to another worker, the +1 that counts
 *     it has been enqueued to every other worker's mailbox.
 *  3. A worker drains its whole mailbox before it runs operators.
 * With one mailbox per receiver (linearized enqueues), (2) and (3) mean any
 * worker that sees the -1 for consuming a batch has already seen the +1 for
 * sending it, and (1) means no -1 of a step overtakes a +1 of the same
 * step. So no worker's counts ever go negative, which the tracker checks.
 */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "progress/alloc.h"
#include "runtime/internal.h"

/* Idle policy: spin this long on the mailbox (cheap loads), then yield a
 * few times, then sleep. 50 us covers a peer's whole step on the barrier
 * benchmark, so two busy workers never go to sleep on each other. */
#define GY_SPIN_US_DEFAULT 50
#define GY_YIELDS 16
/* A parked worker re-checks at least this often, as a safety net. */
#define GY_PARK_MS 100

double gy_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void gy_runtime_config_init(struct gy_runtime_config *cfg)
{
    cfg->workers = 0;
    cfg->no_pin = false;
    cfg->spin_us = UINT32_MAX;
    cfg->channel_bytes = 0;
    cfg->stats = false;
}

uint32_t gy_worker_index(const gy_worker_t *w)
{
    return w->index;
}

uint32_t gy_worker_peers(const gy_worker_t *w)
{
    return w->peers;
}

bool gy_worker_failed(const gy_worker_t *w)
{
    return atomic_load_explicit(&w->rt->xfailed, memory_order_acquire);
}

int gy_worker_fail(gy_worker_t *w, const char *fmt, ...)
{
    struct gy__runtime *rt = w->rt;
    va_list ap;

    pthread_mutex_lock(&rt->err_lock);
    if (!atomic_load_explicit(&rt->xfailed, memory_order_relaxed)) {
        va_start(ap, fmt);
        vsnprintf(rt->err, sizeof(rt->err), fmt, ap);
        va_end(ap);
        /* seq_cst: pairs with the parked worker's check of stop in
         * gy__mailbox_park (Dekker with xparked). */
        atomic_store_explicit(&rt->xfailed, true, memory_order_seq_cst);
    }
    pthread_mutex_unlock(&rt->err_lock);
    for (uint32_t i = 0; i < rt->peers; i++)
        gy__mailbox_wake(&rt->workers[i].mbox);
    return -ECANCELED;
}

void gy_worker_wake_peers(gy_worker_t *w)
{
    for (uint32_t i = 0; i < w->peers; i++)
        if (i != w->index)
            gy__mailbox_signal(&w->rt->workers[i].mbox);
}

void gy__worker_send(gy_worker_t *w, uint32_t dest, struct gy_batch *b)
{
    b->from = w->index;
    gy__mailbox_push(&w->rt->workers[dest].mbox, b);
}

int gy__worker_register(gy_worker_t *w, gy_dataflow_t *df, uint32_t *id)
{
    void *p = w->dataflows;
    size_t cap = w->cap_dataflows;

    if (gy_grow(&p, &cap, (size_t)w->ndataflows + 1, sizeof(*w->dataflows)) != 0)
        return -ENOMEM;
    w->dataflows = p;
    w->cap_dataflows = (uint32_t)cap;
    *id = w->ndataflows;
    w->dataflows[w->ndataflows++] = df;
    return 0;
}

void gy__worker_unregister(gy_worker_t *w, uint32_t id)
{
    w->dataflows[id] = NULL;
}

/* Routes one received message: to a built dataflow, back to its pool if the
 * dataflow is gone, or into the early list until the dataflow is built. */
static void route(gy_worker_t *w, struct gy_batch *b)
{
    gy_dataflow_t *df = b->dataflow < w->ndataflows ? w->dataflows[b->dataflow] : NULL;

    if (df && gy__dataflow_is_built(df))
        gy__dataflow_deliver(df, b);
    else if (b->dataflow < w->ndataflows && !df)
        gy__batch_release(&w->pool, b);
    else
        gy_bqueue_push(&w->early, b);
}

void gy__worker_replay_early(gy_worker_t *w, uint32_t id)
{
    struct gy_bqueue keep = {0};
    struct gy_batch *b;

    while ((b = gy_bqueue_pop(&w->early)) != NULL) {
        if (b->dataflow == id)
            gy__dataflow_deliver(w->dataflows[id], b);
        else
            gy_bqueue_push(&keep, b);
    }
    w->early = keep;
}

static int step_dataflows(gy_worker_t *w)
{
    int did = 0;

    for (uint32_t i = 0; i < w->ndataflows; i++) {
        gy_dataflow_t *df = w->dataflows[i];
        int rc;
        if (!df || !gy__dataflow_is_built(df))
            continue;
        rc = gy__dataflow_step(df);
        if (rc < 0)
            return -ECANCELED;
        did |= rc;
    }
    return did;
}

/* Bounded runs: tells each sender how many of its data batches left our
 * mailbox (a sender over its bound waits for that, flow.c), waking it if
 * it waits. One atomic add per sender per step. */
static void report_drained(gy_worker_t *w)
{
    for (uint32_t s = 0; s < w->peers; s++) {
        struct gy__pool *p = &w->rt->workers[s].pool;
        if (w->drained[s] == 0)
            continue;
        atomic_fetch_add_explicit(&p->xdrained, w->drained[s], memory_order_seq_cst);
        w->drained[s] = 0;
        /* Dekker with the sender's park, as for returned batches (batch.c). */
        if (atomic_load_explicit(&p->xwant, memory_order_seq_cst))
            gy__mailbox_wake(p->mbox);
    }
}

static void route_all(gy_worker_t *w, struct gy_bqueue *in)
{
    struct gy_batch *b;

    if (!w->drained) {
        while ((b = gy_bqueue_pop(in)) != NULL)
            route(w, b);
        return;
    }
    while ((b = gy_bqueue_pop(in)) != NULL) {
        if (b->kind == GY_BATCH_DATA)
            w->drained[b->from]++;
        route(w, b);
    }
    report_drained(w);
}

int gy_worker_step(gy_worker_t *w)
{
    struct gy_bqueue in = {0};
    int did = 0, rc;

    if (gy_worker_failed(w))
        return -ECANCELED;
    if (GY_UNLIKELY(w->rt->stats))
        w->st.steps++;
    /* Before any operator looks at what it waits for: see gy__mailbox_key. */
    w->wake_key = gy__mailbox_key(&w->mbox);
    if (w->drained) {
        w->flow_want = false;
        w->flow_seen_drained = atomic_load_explicit(&w->pool.xdrained, memory_order_seq_cst);
    }
    if (gy__mailbox_drain(&w->mbox, &in) > 0)
        did = 1;
    route_all(w, &in);
    w->stepping = true;
    rc = step_dataflows(w);
    w->stepping = false;
    if (rc < 0)
        return -ECANCELED;
    did |= rc;
    return gy_worker_failed(w) ? -ECANCELED : did;
}

/* What an idle worker waits for: a message, or a signal since its last
 * step began (an operator polling for another worker's event,
 * gy_dataflow_poll). Over its bound, also a batch coming back or a peer
 * draining its batches, which no message announces (flow.c). */
struct idle {
    gy_worker_t *w;
    bool want;
    uint64_t drained;            /* xdrained when the wait began */
};

static bool quiet(void *arg)
{
    struct idle *id = arg;
    struct gy__mailbox *mb = &id->w->mbox;
    struct gy__pool *p = &id->w->pool;

    return gy__mailbox_empty(mb) && !gy__mailbox_signaled(mb, id->w->wake_key) &&
           (!id->want || (cds_wfcq_empty(&p->ret_head, &p->ret_tail) &&
                          atomic_load_explicit(&p->xdrained, memory_order_seq_cst) == id->drained));
}

static void idle_wait(gy_worker_t *w)
{
    struct gy__runtime *rt = w->rt;
    double until = gy_now() + rt->spin_us * 1e-6;
    struct idle id = {.w = w, .want = w->flow_want, .drained = w->flow_seen_drained};

    /* seq_cst store, then (in quiet) seq_cst loads: Dekker with releasers
     * and drainers, who change what quiet reads and then read xwant. */
    if (id.want)
        atomic_store_explicit(&w->pool.xwant, true, memory_order_seq_cst);
    while (rt->spin_us && quiet(&id) && !gy_worker_failed(w)) {
        for (int i = 0; i < 64; i++)
            __builtin_ia32_pause();
        if (gy_now() > until)
            break;
    }
    for (int i = 0; i < GY_YIELDS && quiet(&id); i++)
        sched_yield();
    if (quiet(&id))
        gy__mailbox_park(&w->mbox, w->wake_key, &rt->xfailed, quiet, &id, GY_PARK_MS);
    if (id.want)
        atomic_store_explicit(&w->pool.xwant, false, memory_order_relaxed);
}

void gy__worker_idle_wait(gy_worker_t *w)
{
    uint64_t t0;

    if (GY_LIKELY(!w->rt->stats)) {
        idle_wait(w);
        return;
    }
    t0 = gy__stats_clock();
    idle_wait(w);
    w->st.wait_ns += gy__stats_clock() - t0;
}

int gy_worker_step_or_park(gy_worker_t *w)
{
    int rc = gy_worker_step(w);

    if (rc == 0)
        gy__worker_idle_wait(w);
    return rc;
}

static bool all_complete(const gy_worker_t *w)
{
    for (uint32_t i = 0; i < w->ndataflows; i++)
        if (w->dataflows[i] && !gy_dataflow_complete(w->dataflows[i]))
            return false;
    return true;
}

int gy_worker_run(gy_worker_t *w)
{
    while (!all_complete(w)) {
        if (gy_worker_step_or_park(w) < 0)
            return -ECANCELED;
    }
    return gy_worker_failed(w) ? -ECANCELED : 0;
}

static void *worker_main(void *p)
{
    gy_worker_t *w = p;
    struct gy__runtime *rt = w->rt;

    uint64_t t0 = 0;

    if (rt->pin)
        gy__pin_thread(w->index, w->peers);
    if (rt->stats)
        t0 = gy__stats_clock();
    w->rc = rt->fn(w, rt->arg);
    if (rt->stats)
        w->st.wall_ns = gy__stats_clock() - t0;
    if (w->rc != 0 && !gy_worker_failed(w))
        gy_worker_fail(w, "worker %u failed: %s", w->index, strerror(w->rc < 0 ? -w->rc : w->rc));
    /* Its capabilities would never be released: the peers would wait forever. */
    if (w->rc == 0 && !gy_worker_failed(w) && !all_complete(w))
        gy_worker_fail(w, "worker %u returned while a dataflow was still running "
                          "(call gy_worker_run before returning)", w->index);
    for (uint32_t i = 0; i < w->ndataflows; i++)
        if (w->dataflows[i])
            gy_dataflow_free(w->dataflows[i]);
    return NULL;
}

/* After every thread has stopped: return every batch still in a mailbox or
 * early list to its pool, then free the pools. */
static void teardown(struct gy__runtime *rt)
{
    for (uint32_t i = 0; i < rt->peers; i++) {
        gy_worker_t *w = &rt->workers[i];
        struct gy_batch *b;
        gy__mailbox_drain(&w->mbox, &w->early);
        while ((b = gy_bqueue_pop(&w->early)) != NULL)
            gy__batch_release(&w->pool, b);
        gy_free(w->dataflows);
        gy_free(w->drained);
    }
    gy__stats_release(rt);
    for (uint32_t i = 0; i < rt->peers; i++) {
        uint64_t lost = gy__pool_destroy(&rt->workers[i].pool);
        (void)lost;
        assert(lost == 0);
    }
}

static int workers_init(struct gy__runtime *rt)
{
    const uint64_t fp = sizeof(struct gy_batch);
    int rc = 0;

    for (uint32_t i = 0; i < rt->peers; i++) {
        gy_worker_t *w = &rt->workers[i];
        memset(w, 0, sizeof(*w));
        gy__mailbox_init(&w->mbox);
        gy__pool_init(&w->pool, i, &w->mbox);
        w->rt = rt;
        w->index = i;
        w->peers = rt->peers;
        w->flow_limit = rt->channel_bytes ? (rt->channel_bytes + fp - 1) / fp : UINT64_MAX;
        if (rt->channel_bytes && !(w->drained = gy_calloc(rt->peers, sizeof(*w->drained))))
            rc = -ENOMEM;
    }
    return rc;
}

static int start_threads(struct gy__runtime *rt, uint32_t *started, char *err, size_t errlen)
{
    for (*started = 0; *started < rt->peers; (*started)++) {
        int rc = pthread_create(&rt->workers[*started].thread, NULL, worker_main,
                                &rt->workers[*started]);
        if (rc != 0) {
            snprintf(err, errlen, "cannot start worker thread %u: %s", *started, strerror(rc));
            atomic_store(&rt->xfailed, true);
            return -rc;
        }
    }
    return 0;
}

static void runtime_setup(struct gy__runtime *rt, const struct gy_runtime_config *cfg,
                          gy_worker_fn fn, void *arg)
{
    uint32_t cores = gy__pin_cores();

    memset(rt, 0, sizeof(*rt));
    rt->peers = cfg->workers ? cfg->workers : cores;
    rt->fn = fn;
    rt->arg = arg;
    rt->pin = !cfg->no_pin;
    rt->channel_bytes = cfg->channel_bytes;
    rt->stats = cfg->stats;
    rt->spin_us = cfg->spin_us != UINT32_MAX ? cfg->spin_us : GY_SPIN_US_DEFAULT;
    /* Oversubscribed: spinning only steals the core from a peer that has work. */
    if (rt->peers > cores && cfg->spin_us == UINT32_MAX)
        rt->spin_us = 0;
    atomic_init(&rt->xfailed, false);
    pthread_mutex_init(&rt->err_lock, NULL);
}

/* gy_runtime_run, and with stats non-NULL, gy_runtime_run_stats. */
static int run(const struct gy_runtime_config *cfg, gy_worker_fn fn, void *arg, gy_stats_t **stats,
               char *err, size_t errlen)
{
    struct gy__runtime rt;
    uint32_t started = 0;
    int rc;

    runtime_setup(&rt, cfg, fn, arg);
    rt.collect = stats != NULL;
    if (err && errlen)
        err[0] = '\0';
    /* aligned_alloc, not gy_calloc: workers hold cache-line aligned members. */
    rt.workers = aligned_alloc(_Alignof(struct gy_worker), rt.peers * sizeof(*rt.workers));
    if (!rt.workers) {
        snprintf(err, errlen, "out of memory starting %u workers", rt.peers);
        return -ENOMEM;
    }
    rc = workers_init(&rt);
    if (rc != 0)
        snprintf(err, errlen, "out of memory starting %u workers", rt.peers);
    else
        rc = start_threads(&rt, &started, err, errlen);
    for (uint32_t i = 0; i < started; i++)
        pthread_join(rt.workers[i].thread, NULL);
    if (rc == 0 && atomic_load(&rt.xfailed)) {
        snprintf(err, errlen, "%s", rt.err);
        rc = -ECANCELED;
    }
    if (rc == 0 && stats && (rc = gy__stats_gather(&rt, stats)) != 0)
        snprintf(err, errlen, "out of memory gathering the run's statistics");
    teardown(&rt);
    pthread_mutex_destroy(&rt.err_lock);
    free(rt.workers);
    return rc;
}

int gy_runtime_run(const struct gy_runtime_config *cfg, gy_worker_fn fn, void *arg, char *err,
                   size_t errlen)
{
    return run(cfg, fn, arg, NULL, err, errlen);
}

int gy_runtime_run_stats(const struct gy_runtime_config *cfg, gy_worker_fn fn, void *arg,
                         gy_stats_t **stats, char *err, size_t errlen)
{
    *stats = NULL;
    return run(cfg, fn, arg, stats, err, errlen);
}
