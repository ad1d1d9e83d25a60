/*
 * End-to-end tests of edge sources: real graphs read in parallel by 1, 2, 3
 * and 8 workers through the dataflow, distinct vertices and edges counted
 * after exchange, compared with oracle.tsv; epochs by count checked against
 * the file's own line count; generators split across workers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph/source.h"
#include "progress/alloc.h"
#include "tests/support/oracle_tsv.h"

#define MAXW 8
#define MAX_EPOCHS 4096

struct pair {
    uint64_t a, b;
};

struct vec {
    uint64_t *v;
    size_t n, cap;
};

struct run {
    const gy_edge_input_t *in;
    struct vec verts[MAXW];      /* vertex ids received by worker w */
    struct vec edges[MAXW];      /* canonical edges (a, b) as 2 words */
    uint64_t per_epoch[MAXW][MAX_EPOCHS];
    struct gy_edge_source_stats stats[MAXW];
};

static void vec_push(struct vec *v, uint64_t x)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 1024;
        v->v = realloc(v->v, v->cap * sizeof(*v->v));
        assert_non_null(v->v);
    }
    v->v[v->n++] = x;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return (x->b > y->b) - (x->b < y->b);
}

static size_t distinct(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
    size_t k = 0;
    qsort(v, n, size, cmp);
    for (size_t i = 0; i < n; i++)
        if (k == 0 || cmp((char *)v + (k - 1) * size, (char *)v + i * size) != 0)
            memmove((char *)v + k++ * size, (char *)v + i * size, size);
    return k;
}

static uint64_t key_word(const void *rec, void *arg)
{
    (void)arg;
    return *(const uint64_t *)rec;
}

static uint64_t key_pair(const void *rec, void *arg)
{
    const struct pair *p = rec;
    (void)arg;
    return p->a * 0x9e3779b97f4a7c15ULL ^ p->b;
}

/* Splits each edge into its vertices (output 0) and its canonical form (output 1). */
static void split_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t n)
{
    const struct gy_edge *e = recs;
    struct run *r = state;
    (void)port;
    r->per_epoch[gy_worker_index(gy_op_worker(op))][cap->time.epoch] += n;
    for (uint32_t i = 0; i < n; i++) {
        struct pair p = {e[i].u < e[i].v ? e[i].u : e[i].v, e[i].u < e[i].v ? e[i].v : e[i].u};
        if (gy_op_give(op, 0, cap, &e[i].u, 1) != 0 || gy_op_give(op, 0, cap, &e[i].v, 1) != 0)
            return;
        if (p.a != p.b && gy_op_give(op, 1, cap, &p, 1) != 0)
            return;
    }
}

static void collect_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                          const void *recs, uint32_t n)
{
    struct vec *v = state;
    const uint64_t *w = recs;
    (void)op;
    (void)cap;
    for (uint32_t i = 0; i < n * (port == 0 ? 1 : 2); i++)
        vec_push(v, w[i]);
}

static gy_op_t *collector(gy_dataflow_t *df, const char *name, struct vec *v)
{
    struct gy_op_spec spec = {.name = name, .ninputs = 1, .noutputs = 0,
                              .cb = {.on_input = collect_input}, .state = v};
    return gy_op_new(df, &spec);
}

static void edges_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                        const void *recs, uint32_t n)
{
    collect_input(op, state, 1, cap, recs, n);
    (void)port;
}

static int worker(gy_worker_t *w, void *arg)
{
    struct run *r = arg;
    uint32_t me = gy_worker_index(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "stats");
    size_t sizes[2] = {8, 16};
    struct gy_op_spec split = {.name = "split", .ninputs = 1, .noutputs = 2, .rec_sizes = sizes,
                               .cb = {.on_input = split_input}, .state = r};
    struct gy_op_spec ecoll = {.name = "edges", .ninputs = 1, .noutputs = 0,
                               .cb = {.on_input = edges_input}, .state = &r->edges[me]};
    gy_stream_t *src = gy_edge_source(df, r->in, &r->stats[me], NULL, 0);
    gy_op_t *sp = src ? gy_op_new(df, &split) : NULL;
    gy_op_t *vc = sp ? collector(df, "vertices", &r->verts[me]) : NULL;
    gy_op_t *ec = vc ? gy_op_new(df, &ecoll) : NULL;

    if (!ec)
        return -ECANCELED;
    gy_op_connect(sp, 0, src, gy_pact_pipeline());
    gy_op_connect(vc, 0, gy_op_output(sp, 0), gy_pact_exchange(key_word, NULL));
    gy_op_connect(ec, 0, gy_op_output(sp, 1), gy_pact_exchange(key_pair, NULL));
    if (gy_dataflow_build(df) != 0)
        return -ECANCELED;
    return gy_worker_run(w);
}

/* Runs spec on W workers; returns distinct vertices and edges. */
static void run_counts(const char *spec, uint64_t batch, uint32_t W, struct run *r,
                       uint64_t *v, uint64_t *e)
{
    struct gy_edge_input_cfg cfg = {.spec = spec, .epochs = {.mode = GY_EPOCHS_COUNT, .batch = batch}};
    struct gy_runtime_config rc;
    gy_edge_input_t *in;
    char err[512];

    memset(r, 0, sizeof(*r));
    assert_int_equal(gy_edge_input_open(&cfg, W, &in, err, sizeof(err)), 0);
    r->in = in;
    gy_runtime_config_init(&rc);
    rc.workers = W;
    rc.no_pin = true;
    if (gy_runtime_run(&rc, worker, r, err, sizeof(err)) != 0)
        fail_msg("%s: %s", spec, err);
    *v = *e = 0;
    for (uint32_t w = 0; w < W; w++) {
        *v += distinct(r->verts[w].v, r->verts[w].n, 8, cmp_u64);
        *e += distinct(r->edges[w].v, r->edges[w].n / 2, 16, cmp_pair);
        free(r->verts[w].v);
        free(r->edges[w].v);
    }
    gy_edge_input_close(in);
}

static void test_edgesource_real_graphs(void **state)
{
    static struct run r;
    static const uint32_t ws[] = {1, 2, 3, 8};
    struct oracle_tsv o;
    char dir[512], tsv[700], err[700], path[1024];
    (void)state;

    snprintf(tsv, sizeof(tsv), "%s/oracle.tsv", oracle_graph_path(NULL, dir, sizeof(dir)));
    if (oracle_tsv_load(tsv, &o, err, sizeof(err)) != 0) {
        print_message("skipping: %s\n", err);
        skip();
    }
    for (size_t i = 0; i < o.n; i++)
        for (size_t k = 0; k < sizeof(ws) / sizeof(ws[0]); k++) {
            uint64_t v, e;
            oracle_graph_path(o.rows[i].file, path, sizeof(path));
            run_counts(path, 0, ws[k], &r, &v, &e);
            if ((int64_t)v != o.rows[i].vertices || (int64_t)e != o.rows[i].edges)
                fail_msg("%s W=%u: %lu vertices %lu edges, oracle %ld %ld", path, ws[k],
                         (unsigned long)v, (unsigned long)e, (long)o.rows[i].vertices,
                         (long)o.rows[i].edges);
        }
    oracle_tsv_free(&o);
}

/* Every epoch of --batch N holds N edge lines, the last one the rest. */
static void test_edgesource_batches(void **state)
{
    static struct run r;
    static const uint32_t ws[] = {1, 3, 8};
    const uint64_t batch = 1000;
    char path[1024];
    (void)state;

    oracle_graph_path("ca-GrQc.txt", path, sizeof(path));
    if (access(path, R_OK) != 0)
        skip();
    for (size_t k = 0; k < sizeof(ws) / sizeof(ws[0]); k++) {
        uint64_t v, e, lines, total = 0;
        run_counts(path, batch, ws[k], &r, &v, &e);
        lines = 28980; /* ca-GrQc's data lines (MANIFEST.md) */
        for (uint64_t ep = 0; ep * batch < lines; ep++) {
            uint64_t got = 0, want = lines - ep * batch < batch ? lines - ep * batch : batch;
            for (uint32_t w = 0; w < ws[k]; w++)
                got += r.per_epoch[w][ep];
            assert_int_equal(got, want);
            total += got;
        }
        assert_int_equal(total, lines);
    }
}

static void test_edgesource_generator_split(void **state)
{
    static struct run r;
    uint64_t v1, e1, v, e;
    (void)state;

    run_counts("rmat:12:8:7", 5000, 1, &r, &v1, &e1);
    for (uint32_t w = 2; w <= 8; w *= 2) {
        run_counts("rmat:12:8:7", 5000, w, &r, &v, &e);
        assert_int_equal(v, v1);
        assert_int_equal(e, e1);
    }
    assert_true(e1 > 4096 && e1 <= 8 * 4096);
}

/* With skip_bad, a skipped line keeps its rank: the per-epoch counts of a
 * file with bad lines are the same for every worker count. */
static void test_edgesource_skip_bad_epochs(void **state)
{
    char path[] = "/tmp/edgesource-skip-XXXXXX";
    struct gy_edge_input_cfg cfg = {.spec = path, .file = {.skip_bad = true},
                                    .epochs = {.mode = GY_EPOCHS_COUNT, .batch = 7}};
    static struct run r;
    uint64_t want[MAX_EPOCHS] = {0};
    struct gy_runtime_config rc;
    gy_edge_input_t *in;
    char err[512];
    int fd = mkstemp(path), line = 0;
    FILE *f = fdopen(fd, "w");
    (void)state;

    for (int i = 0; i < 3000; i++, line++) {
        if (i % 97 == 5 || i % 131 == 0) {
            fprintf(f, "%d oops\n", i);
            continue;
        }
        fprintf(f, "%d %d\n", i, i + 2);
        want[line / 7]++;
    }
    fclose(f);
    for (uint32_t W = 1; W <= 8; W += W < 3 ? 2 : 5) {
        memset(&r, 0, sizeof(r));
        assert_int_equal(gy_edge_input_open(&cfg, W, &in, err, sizeof(err)), 0);
        r.in = in;
        gy_runtime_config_init(&rc);
        rc.workers = W;
        rc.no_pin = true;
        assert_int_equal(gy_runtime_run(&rc, worker, &r, err, sizeof(err)), 0);
        for (uint32_t e = 0; e < 3000 / 7 + 1; e++) {
            uint64_t got = 0;
            for (uint32_t w = 0; w < W; w++)
                got += r.per_epoch[w][e];
            assert_int_equal(got, want[e]);
        }
        for (uint32_t w = 0; w < W; w++) {
            free(r.verts[w].v);
            free(r.edges[w].v);
        }
        gy_edge_input_close(in);
    }
    unlink(path);
}

static void test_edgesource_bad_line(void **state)
{
    char path[] = "/tmp/edgesource-bad-XXXXXX";
    struct gy_edge_input_cfg cfg = {.spec = path};
    struct gy_runtime_config rc;
    static struct run r;
    gy_edge_input_t *in;
    char err[512];
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    (void)state;

    for (int i = 0; i < 5000; i++)
        fprintf(f, "%d %d\n", i, i + 1);
    fprintf(f, "17 x\n1 2\n");
    fclose(f);
    for (uint32_t W = 1; W <= 3; W++) {
        memset(&r, 0, sizeof(r));
        assert_int_equal(gy_edge_input_open(&cfg, W, &in, err, sizeof(err)), 0);
        r.in = in;
        gy_runtime_config_init(&rc);
        rc.workers = W;
        rc.no_pin = true;
        assert_int_equal(gy_runtime_run(&rc, worker, &r, err, sizeof(err)), -ECANCELED);
        assert_non_null(strstr(err, ":5001: "));
        assert_int_equal(strncmp(err, path, strlen(path)), 0);
        for (uint32_t w = 0; w < W; w++) {
            free(r.verts[w].v);
            free(r.edges[w].v);
        }
        gy_edge_input_close(in);
    }
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edgesource_real_graphs),
        cmocka_unit_test(test_edgesource_batches),
        cmocka_unit_test(test_edgesource_generator_split),
        cmocka_unit_test(test_edgesource_skip_bad_epochs),
        cmocka_unit_test(test_edgesource_bad_line),
    };
    return cmocka_run_group_tests_name("edgesource", tests, NULL, NULL);
}
