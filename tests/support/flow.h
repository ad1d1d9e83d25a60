/*
 * Test support: the harness that the operator tests (test_operators,
 * test_keyed, test_summary_op) run their dataflows in.
 *
 * A plan is a seeded random input: increasing epoch numbers with gaps, per
 * input and epoch a random number of generated records (some epochs
 * empty), and a probe wait after some epochs only, so that several epochs
 * are in flight at once. ts_flow_run runs a case's dataflow on W workers:
 * each worker builds it (the case's build function, which attaches ts_sink
 * sinks to the streams it checks), then sends its share of every input
 * (records j with j % W == its index) epoch by epoch in random chunks. The
 * case compares the sinks' rows with an oracle computed from the plan;
 * ts_flow_check does that on every worker count and several seeds.
 */
#ifndef GY_TESTS_SUPPORT_FLOW_H
#define GY_TESTS_SUPPORT_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/op.h"
#include "tests/support/rows.h"

#define TS_PLAN_MAX_IN 2           /* inputs per dataflow */
#define TS_PLAN_MAX_EPOCHS 16
#define TS_FLOW_MAX_OUT 3          /* sinks per dataflow */
#define TS_FLOW_CHUNK_MAX 37       /* records per gy_input_send, at most */

/* The worker counts every check runs on: one, two, an odd count, and more
 * workers than the test machines have cores. */
#define TS_FLOW_NWORKERS 4
extern const uint32_t ts_flow_workers[TS_FLOW_NWORKERS];

/* Writes one random record of the given input into rec. */
typedef void (*ts_gen_fn)(uint64_t *rng, uint32_t input, void *rec);

/* What ts_plan_make draws a plan from. */
struct ts_plan_spec {
    uint32_t ninputs;                          /* 1 .. TS_PLAN_MAX_IN */
    size_t sizes[TS_PLAN_MAX_IN];              /* record bytes per input */
    uint32_t max_per_epoch[TS_PLAN_MAX_IN];    /* records per input and epoch, at most */
    ts_gen_fn gen;
    uint32_t max_epochs;                       /* 4 .. max_epochs epochs (<= the max) */
    uint32_t empty_one_in;                     /* an input's epoch is empty w.p. 1/this */
};

/* The generated input of one run. */
struct ts_plan {
    uint64_t seed;
    uint32_t nepochs;
    uint32_t ninputs;
    uint64_t epoch[TS_PLAN_MAX_EPOCHS];        /* increasing, with gaps */
    bool wait[TS_PLAN_MAX_EPOCHS];             /* probe-wait after this epoch */
    size_t rec_size[TS_PLAN_MAX_IN];
    unsigned char *recs[TS_PLAN_MAX_IN];       /* input i's records, epoch by epoch */
    uint32_t start[TS_PLAN_MAX_IN][TS_PLAN_MAX_EPOCHS + 1]; /* epoch k: [start[k], start[k+1]) */
};

/* Draws p from seed and s. Pair with ts_plan_free. */
void ts_plan_make(struct ts_plan *p, uint64_t seed, const struct ts_plan_spec *s);

/* Frees recs[0 .. ninputs - 1]; a test's own generator allocates them with
 * malloc. */
void ts_plan_free(struct ts_plan *p);

/* Record j of input i. */
const void *ts_plan_rec(const struct ts_plan *p, uint32_t input, uint32_t j);

struct ts_flow;

/* Builds the case's dataflow on one worker from the input streams in[]
 * (one per plan input); sets *probe_on to the stream whose probe paces the
 * inputs (the plan's waits), or leaves it NULL for none. */
typedef void (*ts_build_fn)(struct ts_flow *c, gy_dataflow_t *df, gy_stream_t **in,
                            gy_stream_t **probe_on);

/* One case's dataflow and what it collected. Build functions run on every
 * worker and share it: they only read plan and hand out[] and seen to
 * ts_sink or to callbacks that lock the rows. */
struct ts_flow {
    const struct ts_plan *plan;                /* the input of the next run */
    ts_build_fn build;
    struct ts_rows out[TS_FLOW_MAX_OUT];       /* sinks' rows */
    struct ts_rows seen;                       /* rows a case's own callbacks collect */
};

/* Pair with ts_flow_destroy. */
void ts_flow_init(struct ts_flow *c, ts_build_fn build);
void ts_flow_destroy(struct ts_flow *c);

/* Empties out[] and seen, then runs c->build and feeds c->plan on
 * `workers` unpinned workers. Returns gy_runtime_run's result, its message
 * in err. Call from the main thread; read the rows after it returns. */
int ts_flow_run(struct ts_flow *c, uint32_t workers, char *err, size_t errlen);

/* ts_flow_run, failing the case (with the message) unless it returns 0. */
void ts_flow_run_ok(struct ts_flow *c, uint32_t workers);

/* Fills want[0 .. TS_FLOW_MAX_OUT - 1] (initialized, empty) from the plan. */
typedef void (*ts_oracle_fn)(const struct ts_plan *p, struct ts_rows *want);

/* A test's own plan generator, in place of ts_plan_make. */
typedef void (*ts_plan_fn)(struct ts_plan *p, uint64_t seed, const struct ts_plan_spec *s);

struct ts_check {
    const char *label;
    ts_build_fn build;
    ts_oracle_fn oracle;
    uint32_t nout;                 /* sinks compared: out[0 .. nout - 1] */
    uint32_t seeds;                /* plans per worker count */
    uint64_t seed_base;            /* plan s on ts_flow_workers[wi]: seed_base * (s + 1) + wi */
    struct ts_plan_spec plan;
    ts_plan_fn make;               /* NULL: ts_plan_make */
};

/* For every worker count and seed: generates a plan, runs it (the run must
 * succeed), and asserts each compared sink's rows equal the oracle's, which
 * must not be empty (the case tests something). */
void ts_flow_check(const struct ts_check *ck);

#endif
