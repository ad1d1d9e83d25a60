/*
 * Tests of the algorithm driver (algorithms/driver.h) with a stand-in
 * algorithm that reports, per epoch, how many edge records it saw and a
 * checksum of them. The oracle is a sequential pass over the same input
 * (generator edges by index, epoch = index / batch): every epoch must be
 * reported once, in order, with the oracle's figures, on 1, 2, 3 and 8
 * workers, also when the source may read only one epoch ahead. Error paths:
 * a missing file, a report callback that fails, an algorithm that breaks
 * the "results only on worker 0" contract.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "algorithms/driver.h"
#include "graph/gen.h"
#include "operators/builtins.h"
#include "progress/alloc.h"

#define MAX_EPOCHS 64

/* The stand-in's record count and checksum; `edges` and `vertices` carry them. */
struct partial {
    uint64_t count;
    uint64_t sum;
};

static uint64_t edge_hash(const struct gy_edge *e)
{
    return e->u * 0x9e3779b97f4a7c15ULL + e->v * 0xbf58476d1ce4e5b9ULL + (uint64_t)e->sign;
}

static int fold_edges(void *tstate, uint32_t port, const struct gy_time *t, const void *recs,
                      uint32_t n, void *arg)
{
    struct partial *p = tstate;
    const struct gy_edge *e = recs;

    (void)port, (void)t, (void)arg;
    for (uint32_t i = 0; i < n; i++) {
        p->count++;
        p->sum += edge_hash(&e[i]);
    }
    return 0;
}

static int emit_partial(void *tstate, gy_emit_t *emit, void *arg)
{
    (void)arg;
    return gy_emit(emit, tstate);
}

static int fold_partials(void *tstate, uint32_t port, const struct gy_time *t, const void *recs,
                         uint32_t n, void *arg)
{
    struct partial *p = tstate;
    const struct partial *in = recs;

    (void)port, (void)t, (void)arg;
    for (uint32_t i = 0; i < n; i++) {
        p->count += in[i].count;
        p->sum += in[i].sum;
    }
    return 0;
}

static int emit_result(void *tstate, gy_emit_t *emit, void *arg)
{
    const struct partial *p = tstate;
    struct gy_graph_result r = {.epoch = gy_emit_time(emit)->epoch, .edges = p->count,
                                .vertices = p->sum};

    (void)arg;
    return gy_emit(emit, &r);
}

static uint64_t to_worker0(const void *rec, void *arg)
{
    (void)rec, (void)arg;
    return 0;
}

/* Count locally per epoch, then combine the partials on one worker. */
static gy_stream_t *count_algo(gy_stream_t *edges, const struct gy_algo_opts *opts,
                               struct gy_pact combine)
{
    struct gy_state_spec local = {.name = "local", .out_size = sizeof(struct partial),
                                  .state_size = sizeof(struct partial),
                                  .pacts = {gy_pact_pipeline()}, .on_records = fold_edges,
                                  .finish = emit_partial};
    struct gy_state_spec total = {.name = opts->name, .out_size = sizeof(struct gy_graph_result),
                                  .state_size = sizeof(struct partial),
                                  .pacts = {combine},
                                  .on_records = fold_partials, .finish = emit_result};

    return gy_op_unary_state(gy_op_unary_state(edges, &local), &total);
}

static gy_stream_t *count_on_worker0(gy_stream_t *edges, const struct gy_algo_opts *opts)
{
    return count_algo(edges, opts, gy_pact_exchange(to_worker0, NULL));
}

/* Breaks the contract on purpose: results stay on the worker that counted. */
static gy_stream_t *count_everywhere(gy_stream_t *edges, const struct gy_algo_opts *opts)
{
    return count_algo(edges, opts, gy_pact_pipeline());
}

struct seen {
    uint64_t n;
    struct gy_graph_result r[MAX_EPOCHS];
    double seconds[MAX_EPOCHS];
    int fail_at;                 /* report returns -1 at this epoch; -1 = never */
};

static int record(const struct gy_graph_result *r, double seconds, void *arg)
{
    struct seen *s = arg;

    if (s->n < MAX_EPOCHS) {
        s->r[s->n] = *r;
        s->seconds[s->n] = seconds;
    }
    s->n++;
    return s->fail_at >= 0 && r->epoch == (uint64_t)s->fail_at ? -1 : 0;
}

/* The sequential oracle: per epoch, the count and checksum of its edges. */
static uint64_t oracle(const char *spec_text, uint64_t batch, struct partial *want)
{
    struct gy_gen_spec spec;
    struct gy_edge e;
    char err[256];
    uint64_t m, epochs = 0;

    assert_int_equal(gy_gen_parse_spec(spec_text, &spec, err, sizeof(err)), 0);
    m = gy_gen_count(&spec);
    memset(want, 0, MAX_EPOCHS * sizeof(*want));
    for (uint64_t i = 0; i < m; i++) {
        uint64_t ep = batch ? i / batch : 0;
        assert_true(ep < MAX_EPOCHS);
        gy_gen_edge(&spec, i, &e);
        want[ep].count++;
        want[ep].sum += edge_hash(&e);
        epochs = ep + 1;
    }
    return epochs;
}

static void config(struct gy_algo_run_cfg *cfg, const char *spec, uint64_t batch, uint32_t w,
                   struct seen *s)
{
    gy_algo_run_cfg_init(cfg);
    cfg->input.spec = spec;
    cfg->input.epochs.batch = batch;
    cfg->workers = w;
    cfg->no_pin = true;
    cfg->algo = count_on_worker0;
    cfg->report = record;
    cfg->arg = s;
    memset(s, 0, sizeof(*s));
    s->fail_at = -1;
}

static void check_run(const char *spec, uint64_t batch, uint32_t w, uint64_t max_open)
{
    static struct partial want[MAX_EPOCHS];
    static struct seen s;
    struct gy_algo_run_cfg cfg;
    struct gy_algo_run_stats st;
    char err[512];
    uint64_t epochs = oracle(spec, batch, want);

    config(&cfg, spec, batch, w, &s);
    cfg.max_open = max_open;
    if (gy_algo_run(&cfg, &st, err, sizeof(err)) != 0)
        fail_msg("%s W=%u: %s", spec, w, err);
    assert_int_equal(s.n, epochs);
    assert_int_equal(st.epochs, epochs);
    for (uint64_t e = 0; e < epochs; e++) {
        assert_int_equal(s.r[e].epoch, e);
        assert_int_equal(s.r[e].edges, want[e].count);
        assert_int_equal(s.r[e].vertices, want[e].sum);
        assert_true(e == 0 || s.seconds[e] >= s.seconds[e - 1]);
    }
    assert_int_equal(st.last.epoch, epochs - 1);
    assert_int_equal(st.edges, st.lines);
    assert_true(st.run_seconds >= s.seconds[epochs - 1]);
}

static void test_driver_epochs_in_order(void **state)
{
    static const uint32_t ws[] = {1, 2, 3, 8};
    (void)state;

    for (size_t i = 0; i < sizeof(ws) / sizeof(ws[0]); i++) {
        check_run("er:1000:20000:7", 0, ws[i], 0);
        check_run("er:1000:20000:7", 1000, ws[i], 0);
        check_run("rmat:10:8:3", 333, ws[i], 1);
    }
}

static void test_driver_missing_file(void **state)
{
    struct gy_algo_run_cfg cfg;
    static struct seen s;
    char err[512];
    (void)state;

    config(&cfg, "/nonexistent/graph.txt", 0, 2, &s);
    assert_int_not_equal(gy_algo_run(&cfg, NULL, err, sizeof(err)), 0);
    assert_non_null(strstr(err, "/nonexistent/graph.txt"));
    assert_int_equal(s.n, 0);
}

static void test_driver_report_failure_stops(void **state)
{
    struct gy_algo_run_cfg cfg;
    static struct seen s;
    char err[512];
    (void)state;

    config(&cfg, "er:500:5000:1", 500, 3, &s);
    s.fail_at = 2;
    assert_int_equal(gy_algo_run(&cfg, NULL, err, sizeof(err)), -ECANCELED);
    assert_non_null(strstr(err, "report failed at epoch 2"));
    assert_int_equal(s.n, 3);
}

static void test_driver_stray_result_fails(void **state)
{
    struct gy_algo_run_cfg cfg;
    static struct seen s;
    char err[512];
    (void)state;

    config(&cfg, "er:500:5000:1", 0, 2, &s);
    cfg.algo = count_everywhere;
    assert_int_equal(gy_algo_run(&cfg, NULL, err, sizeof(err)), -ECANCELED);
    assert_non_null(strstr(err, "not 0"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_driver_epochs_in_order),
        cmocka_unit_test(test_driver_missing_file),
        cmocka_unit_test(test_driver_report_failure_stops),
        cmocka_unit_test(test_driver_stray_result_fails),
    };

    return cmocka_run_group_tests_name("driver", tests, NULL, NULL);
}
