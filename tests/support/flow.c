/*
 * Test support: plans, feeding them to a dataflow on W workers, and the
 * check loop of the operator tests (see flow.h).
 */
#include "tests/support/flow.h"

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "operators/input.h"
#include "runtime/runtime.h"
#include "tests/support/rng.h"
#include "tests/support/run.h"

const uint32_t ts_flow_workers[TS_FLOW_NWORKERS] = {1, 2, 3, 8};

/* ---- plans ---- */

/* The epoch numbers (from 0..2, steps of 1..3) and which ones wait. */
static void plan_epochs(struct ts_plan *p, uint64_t *r, uint32_t max_epochs)
{
    uint64_t e = ts_rng_below(r, 3);

    assert_true(max_epochs >= 4 && max_epochs <= TS_PLAN_MAX_EPOCHS);
    p->nepochs = 4 + ts_rng_below(r, max_epochs - 3);
    for (uint32_t k = 0; k < p->nepochs; k++) {
        p->epoch[k] = e;
        p->wait[k] = ts_rng_below(r, 3) == 0;
        e += 1 + ts_rng_below(r, 3);
    }
}

static void plan_input(struct ts_plan *p, uint32_t i, uint64_t *r, const struct ts_plan_spec *s)
{
    uint32_t total = 0, max = s->max_per_epoch[i];
    size_t size = s->sizes[i];

    assert_true(size <= TS_ROW_MAX_REC);
    p->rec_size[i] = size;
    p->recs[i] = malloc((size_t)p->nepochs * (max + 1) * size);
    assert_non_null(p->recs[i]);
    for (uint32_t k = 0; k < p->nepochs; k++) {
        uint32_t n = ts_rng_below(r, s->empty_one_in) == 0 ? 0 : ts_rng_below(r, max + 1);
        p->start[i][k] = total;
        for (uint32_t j = 0; j < n; j++)
            s->gen(r, i, p->recs[i] + (size_t)(total + j) * size);
        total += n;
    }
    p->start[i][p->nepochs] = total;
}

void ts_plan_make(struct ts_plan *p, uint64_t seed, const struct ts_plan_spec *s)
{
    uint64_t r = seed;

    assert_true(s->ninputs >= 1 && s->ninputs <= TS_PLAN_MAX_IN);
    memset(p, 0, sizeof(*p));
    p->seed = seed;
    p->ninputs = s->ninputs;
    plan_epochs(p, &r, s->max_epochs);
    for (uint32_t i = 0; i < s->ninputs; i++)
        plan_input(p, i, &r, s);
}

void ts_plan_free(struct ts_plan *p)
{
    for (uint32_t i = 0; i < p->ninputs; i++)
        free(p->recs[i]);
}

const void *ts_plan_rec(const struct ts_plan *p, uint32_t input, uint32_t j)
{
    return p->recs[input] + (size_t)j * p->rec_size[input];
}

/* ---- running a plan ---- */

/* Sends this worker's share of input i's epoch k (records j with
 * j % peers == me) in random chunks. */
static int send_share(gy_input_t *in, const struct ts_plan *p, uint32_t i, uint32_t k,
                      uint32_t me, uint32_t peers, uint64_t *r)
{
    unsigned char buf[TS_FLOW_CHUNK_MAX * TS_ROW_MAX_REC];
    uint32_t n = 0, chunk = 1 + ts_rng_below(r, TS_FLOW_CHUNK_MAX);

    for (uint32_t j = p->start[i][k]; j < p->start[i][k + 1]; j++) {
        if (j % peers != me)
            continue;
        memcpy(buf + (size_t)n * p->rec_size[i], ts_plan_rec(p, i, j), p->rec_size[i]);
        if (++n == chunk) {
            if (gy_input_send(in, buf, n) != 0)
                return -ECANCELED;
            n = 0;
            chunk = 1 + ts_rng_below(r, TS_FLOW_CHUNK_MAX);
        }
    }
    return n ? gy_input_send(in, buf, n) : 0;
}

static int feed(gy_worker_t *w, const struct ts_plan *p, gy_input_t **in, gy_probe_t *probe)
{
    uint32_t me = gy_worker_index(w), peers = gy_worker_peers(w);
    uint64_t r = p->seed ^ (0x5851f42d4c957f2dULL * (me + 1)); /* a stream per worker */

    for (uint32_t k = 0; k < p->nepochs; k++) {
        for (uint32_t i = 0; i < p->ninputs; i++)
            if (gy_input_advance_to(in[i], p->epoch[k]) != 0 ||
                send_share(in[i], p, i, k, me, peers, &r) != 0)
                return -ECANCELED;
        if (!probe || !p->wait[k])
            continue;
        /* The input's capability holds the epoch open until it moves on. */
        for (uint32_t i = 0; i < p->ninputs; i++)
            if (gy_input_advance_to(in[i], p->epoch[k] + 1) != 0)
                return -ECANCELED;
        if (gy_probe_wait_epoch(probe, w, p->epoch[k]) != 0)
            return -ECANCELED;
    }
    for (uint32_t i = 0; i < p->ninputs; i++)
        gy_input_close(in[i]);
    return 0;
}

static int worker_main(gy_worker_t *w, void *arg)
{
    struct ts_flow *c = arg;
    gy_dataflow_t *df = gy_dataflow_new(w, "test");
    gy_input_t *in[TS_PLAN_MAX_IN];
    gy_stream_t *s[TS_PLAN_MAX_IN], *probe_on = NULL;
    gy_probe_t *probe = NULL;

    if (!df)
        return -ENOMEM;
    for (uint32_t i = 0; i < c->plan->ninputs; i++) {
        in[i] = gy_input_new(df, i ? "in1" : "in0", c->plan->rec_size[i], &s[i]);
        if (!in[i])
            return -ECANCELED;
    }
    c->build(c, df, s, &probe_on);
    if (probe_on)
        probe = gy_probe_new(probe_on);
    if (gy_dataflow_build(df) != 0 || feed(w, c->plan, in, probe) != 0)
        return -ECANCELED;
    return gy_worker_run(w);
}

void ts_flow_init(struct ts_flow *c, ts_build_fn build)
{
    memset(c, 0, sizeof(*c));
    c->build = build;
    for (uint32_t i = 0; i < TS_FLOW_MAX_OUT; i++)
        ts_rows_init(&c->out[i]);
    ts_rows_init(&c->seen);
}

void ts_flow_destroy(struct ts_flow *c)
{
    for (uint32_t i = 0; i < TS_FLOW_MAX_OUT; i++)
        ts_rows_destroy(&c->out[i]);
    ts_rows_destroy(&c->seen);
}

int ts_flow_run(struct ts_flow *c, uint32_t workers, char *err, size_t errlen)
{
    for (uint32_t i = 0; i < c->plan->ninputs; i++)
        assert_true(c->plan->rec_size[i] <= TS_ROW_MAX_REC); /* send_share's buffer */
    for (uint32_t i = 0; i < TS_FLOW_MAX_OUT; i++)
        ts_rows_reset(&c->out[i]);
    ts_rows_reset(&c->seen);
    return ts_runtime_run(workers, worker_main, c, err, errlen);
}

void ts_flow_run_ok(struct ts_flow *c, uint32_t workers)
{
    char err[512];
    int rc = ts_flow_run(c, workers, err, sizeof(err));

    if (rc != 0)
        fail_msg("run on %u workers failed (%d): %s", workers, rc, err);
}

/* ---- the check loop ---- */

static void check_one(const struct ts_check *ck, struct ts_flow *c, uint32_t s, uint32_t wi)
{
    const uint32_t workers = ts_flow_workers[wi];
    struct ts_rows want[TS_FLOW_MAX_OUT];
    struct ts_plan p;
    char err[512];
    int rc;

    (ck->make ? ck->make : ts_plan_make)(&p, ck->seed_base * (s + 1) + wi, &ck->plan);
    c->plan = &p;
    rc = ts_flow_run(c, workers, err, sizeof(err));
    if (rc != 0)
        fail_msg("%s: run on %u workers failed (%d): %s", ck->label, workers, rc, err);
    for (uint32_t o = 0; o < TS_FLOW_MAX_OUT; o++)
        ts_rows_init(&want[o]);
    ck->oracle(&p, want);
    for (uint32_t o = 0; o < ck->nout; o++) {
        char what[128];
        snprintf(what, sizeof(what), "%s, output %u, seed %u", ck->label, o, s);
        assert_true(want[o].n > 0); /* the case tests something */
        ts_assert_rows_equal(&c->out[o], &want[o], what, workers);
    }
    for (uint32_t o = 0; o < TS_FLOW_MAX_OUT; o++)
        ts_rows_destroy(&want[o]);
    ts_plan_free(&p);
}

void ts_flow_check(const struct ts_check *ck)
{
    struct ts_flow c;

    ts_flow_init(&c, ck->build);
    for (uint32_t s = 0; s < ck->seeds; s++)
        for (uint32_t wi = 0; wi < TS_FLOW_NWORKERS; wi++)
            check_one(ck, &c, s, wi);
    ts_flow_destroy(&c);
}
