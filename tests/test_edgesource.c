/*
 * End-to-end tests of edge sources: real graphs read in parallel by 1, 2, 3
 * and 8 workers through the dataflow, distinct vertices and edges counted
 * after exchange, compared with oracle.tsv; epochs by count checked against
 * the file's own line count; generators split across workers.
 *
 * Epochs edge by edge: every record that reaches a collector after an
 * exchange is kept with the epoch it arrived at and the line it carries,
 * and the whole set must equal a sequential brute-force assignment that
 * this file computes from its own reading of the input (zlib and strtoll,
 * not gyre's reader): event-time windows floor((t - t0) / T) with the
 * lateness bound, drops and the late-line error, on CollegeMsg, on a copy
 * of it with jittered times and on tests/data/windows.txt; and batches by
 * count on the same inputs.
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
#include <zlib.h>

#include "graph/source.h"
#include "progress/alloc.h"
#include "tests/support/files.h"
#include "tests/support/oracle_tsv.h"
#include "tests/support/rows.h"
#include "tests/support/run.h"

#define MAXW 8
#define MAX_EPOCHS 4096

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

static uint64_t key_word(const void *rec, void *arg)
{
    (void)arg;
    return *(const uint64_t *)rec;
}

static uint64_t key_pair(const void *rec, void *arg)
{
    const struct ts_pair *p = rec;
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
        struct ts_pair p = {e[i].u < e[i].v ? e[i].u : e[i].v, e[i].u < e[i].v ? e[i].v : e[i].u};
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
    gy_edge_input_t *in;
    char err[512];

    memset(r, 0, sizeof(*r));
    assert_int_equal(gy_edge_input_open(&cfg, W, &in, err, sizeof(err)), 0);
    r->in = in;
    if (ts_runtime_run(W, worker, r, err, sizeof(err)) != 0)
        fail_msg("%s: %s", spec, err);
    *v = *e = 0;
    for (uint32_t w = 0; w < W; w++) {
        *v += ts_sort_distinct(r->verts[w].v, r->verts[w].n, 8, ts_cmp_u64);
        *e += ts_sort_distinct(r->edges[w].v, r->edges[w].n / 2, 16, ts_cmp_pair);
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
    char path[TS_PATH_MAX];
    struct gy_edge_input_cfg cfg = {.spec = path, .file = {.skip_bad = true},
                                    .epochs = {.mode = GY_EPOCHS_COUNT, .batch = 7}};
    static struct run r;
    uint64_t want[MAX_EPOCHS] = {0};
    gy_edge_input_t *in;
    char err[512];
    int line = 0;
    FILE *f = fopen(ts_temp_file("edgesource-skip-", path, sizeof(path)), "w");
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
        assert_int_equal(ts_runtime_run(W, worker, &r, err, sizeof(err)), 0);
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
    char path[TS_PATH_MAX];
    struct gy_edge_input_cfg cfg = {.spec = path};
    static struct run r;
    gy_edge_input_t *in;
    char err[512];
    FILE *f = fopen(ts_temp_file("edgesource-bad-", path, sizeof(path)), "w");
    (void)state;

    for (int i = 0; i < 5000; i++)
        fprintf(f, "%d %d\n", i, i + 1);
    fprintf(f, "17 x\n1 2\n");
    fclose(f);
    for (uint32_t W = 1; W <= 3; W++) {
        memset(&r, 0, sizeof(r));
        assert_int_equal(gy_edge_input_open(&cfg, W, &in, err, sizeof(err)), 0);
        r.in = in;
        assert_int_equal(ts_runtime_run(W, worker, &r, err, sizeof(err)), -ECANCELED);
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

/* ---- epochs edge by edge, against a brute-force oracle ---- */

/* One edge as the collector saw it, or as the oracle expects it. */
struct seen {
    uint64_t line, epoch, u, v;
    int64_t time;
};

struct seenvec {
    struct seen *v;
    size_t n, cap;
};

struct epoch_run {
    const gy_edge_input_t *in;
    uint64_t max_open;                   /* > 0: the sources wait on a probe after the collectors */
    struct gy_edge_throttle th[MAXW];
    struct seenvec got[MAXW];
    struct gy_edge_source_stats stats[MAXW];
};

static void seen_push(struct seenvec *v, struct seen x)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 1024;
        v->v = realloc(v->v, v->cap * sizeof(*v->v));
        assert_non_null(v->v);
    }
    v->v[v->n++] = x;
}

static int cmp_seen(const void *a, const void *b)
{
    const struct seen *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

static void seen_input(gy_op_t *op, void *state, uint32_t port, const struct gy_cap *cap,
                       const void *recs, uint32_t n)
{
    const struct gy_edge *e = recs;
    struct seenvec *v = state;
    (void)op;
    (void)port;
    for (uint32_t i = 0; i < n; i++)
        seen_push(v, (struct seen){e[i].line, cap->time.epoch, e[i].u, e[i].v, e[i].time});
}

/* source -> exchange by u -> a collector per worker (-> a probe that
 * throttles the source, when max_open is set). */
static int epoch_worker(gy_worker_t *w, void *arg)
{
    struct epoch_run *r = arg;
    uint32_t me = gy_worker_index(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "epochs");
    size_t rs = 8;
    struct gy_op_spec spec = {.name = "collect", .ninputs = 1, .noutputs = 1, .rec_sizes = &rs,
                              .cb = {.on_input = seen_input}, .state = &r->got[me]};
    gy_stream_t *src = gy_edge_source_throttled(df, r->in, &r->stats[me], &r->th[me]);
    gy_op_t *c = src ? gy_op_new(df, &spec) : NULL;

    if (!c)
        return -ECANCELED;
    gy_op_connect(c, 0, src, gy_pact_exchange(key_word, NULL));
    if (r->max_open > 0) {
        r->th[me].probe = gy_probe_new(gy_op_output(c, 0));
        r->th[me].max_open = r->max_open;
        if (!r->th[me].probe)
            return -ECANCELED;
    }
    if (gy_dataflow_build(df) != 0)
        return -ECANCELED;
    return gy_worker_run(w);
}

/* An edge line of the input as this test reads it. */
struct oline {
    uint64_t line, u, v;
    int64_t t;
};

struct oracle_in {
    struct oline *l;
    size_t n;
};

/* Reads "u v [t ...]" lines (any of space, tab, comma between fields; '#',
 * '%' and blank lines skipped) with zlib, which reads plain files too. */
static void oracle_read(const char *path, struct oracle_in *o)
{
    gzFile gz = gzopen(path, "rb");
    char buf[1024];
    size_t cap = 0;
    uint64_t line = 0;

    assert_non_null(gz);
    memset(o, 0, sizeof(*o));
    while (gzgets(gz, buf, sizeof(buf)) != NULL) {
        char *p = buf + strspn(buf, " \t,\r"), *q;
        struct oline x = {.line = ++line};
        assert_true(strchr(buf, '\n') != NULL || gzeof(gz)); /* whole lines only */
        if (*p == '\0' || *p == '\n' || *p == '#' || *p == '%')
            continue;
        x.u = strtoull(p, &q, 10);
        x.v = strtoull(q + strspn(q, " \t,"), &q, 10);
        x.t = strtoll(q + strspn(q, " \t,"), &q, 10);
        if (o->n == cap) {
            cap = cap ? 2 * cap : 4096;
            o->l = realloc(o->l, cap * sizeof(*o->l));
            assert_non_null(o->l);
        }
        o->l[o->n++] = x;
    }
    gzclose(gz);
}

/* What a sequential pass must produce: the kept edges with their epochs,
 * the number dropped, and for a late line without drop_late the message
 * of every line that is late (any worker may be the one to report first;
 * a line's lateness does not depend on which lines were dropped). */
struct expect {
    struct seen *keep;
    size_t nkeep, dropped, nlate;
    uint64_t *late_line;
    int64_t *late_t, *late_max;
};

static void expect_free(struct expect *x)
{
    free(x->keep);
    free(x->late_line);
    free(x->late_t);
    free(x->late_max);
}

/* Brute force, straight from the definition in graph/epochs.h. */
static void expect_epochs(const struct oracle_in *o, const struct gy_epochs_cfg *cfg,
                          struct expect *x)
{
    int64_t t0 = o->n ? o->l[0].t : 0, latest = t0;

    memset(x, 0, sizeof(*x));
    x->keep = calloc(o->n + 1, sizeof(*x->keep));
    x->late_line = calloc(o->n + 1, sizeof(uint64_t));
    x->late_t = calloc(o->n + 1, sizeof(int64_t));
    x->late_max = calloc(o->n + 1, sizeof(int64_t));
    assert_true(x->keep && x->late_line && x->late_t && x->late_max);
    for (size_t i = 0; i < o->n; i++) {
        const struct oline *l = &o->l[i];
        struct seen s = {l->line, 0, l->u, l->v, cfg->mode == GY_EPOCHS_TIME ? l->t : 0};
        if (cfg->mode == GY_EPOCHS_COUNT) {
            s.epoch = cfg->batch ? i / cfg->batch : 0;
        } else if (i > 0 && l->t < latest && (uint64_t)(latest - l->t) > cfg->bound) {
            x->late_line[x->nlate] = l->line;
            x->late_t[x->nlate] = l->t;
            x->late_max[x->nlate++] = latest;
            x->dropped++;
            continue;
        } else {
            s.epoch = l->t <= t0 ? 0 : (uint64_t)(l->t - t0) / cfg->width;
        }
        if (l->t > latest)
            latest = l->t;
        x->keep[x->nkeep++] = s;
    }
}

/* The run failed: its one message must be the late-line message of some late line. */
static void check_late_error(const char *path, const struct gy_epochs_cfg *cfg,
                             const struct expect *x, const char *err, uint32_t W)
{
    char want[600];

    assert_true(x->nlate > 0);
    for (size_t k = 0; k < (W == 1 ? 1 : x->nlate); k++) {
        snprintf(want, sizeof(want), "%s:%lu: time %ld is more than %lu before the latest time %ld",
                 path, (unsigned long)x->late_line[k], (long)x->late_t[k],
                 (unsigned long)cfg->bound, (long)x->late_max[k]);
        if (strcmp(err, want) == 0)
            return;
    }
    fail_msg("W=%u: '%s' names no late line (first: line %lu)", W, err,
             (unsigned long)x->late_line[0]);
}

static void check_kept(const struct epoch_run *r, uint32_t W, const struct expect *x,
                       const char *what)
{
    struct seenvec all = {0};
    uint64_t edges = 0, dropped = 0;

    for (uint32_t w = 0; w < W; w++) {
        for (size_t i = 0; i < r->got[w].n; i++)
            seen_push(&all, r->got[w].v[i]);
        edges += r->stats[w].edges;
        dropped += r->stats[w].dropped_late;
    }
    if (all.n != x->nkeep || edges != x->nkeep || dropped != x->dropped)
        fail_msg("%s W=%u: %zu edges arrived, %lu sent, %lu dropped; want %zu kept, %zu dropped",
                 what, W, all.n, (unsigned long)edges, (unsigned long)dropped, x->nkeep,
                 x->dropped);
    if (all.n)
        qsort(all.v, all.n, sizeof(*all.v), cmp_seen);
    for (size_t i = 0; i < all.n; i++) {
        const struct seen *g = &all.v[i], *e = &x->keep[i];
        if (memcmp(g, e, sizeof(*g)) != 0)
            fail_msg("%s W=%u: line %lu: %lu-%lu t=%ld at epoch %lu; want line %lu %lu-%lu t=%ld "
                     "at epoch %lu", what, W, (unsigned long)g->line, (unsigned long)g->u,
                     (unsigned long)g->v, (long)g->time, (unsigned long)g->epoch,
                     (unsigned long)e->line, (unsigned long)e->u, (unsigned long)e->v,
                     (long)e->time, (unsigned long)e->epoch);
    }
    free(all.v);
}

/* Runs path with cfg on 1, 2, 3 and 8 workers against the brute force. */
static void check_epochs(const char *path, const struct oracle_in *o,
                         const struct gy_epochs_cfg *ecfg, uint64_t max_open, const char *what)
{
    static const uint32_t ws[] = {1, 2, 3, 8};
    static struct epoch_run r;
    struct gy_edge_input_cfg cfg = {.spec = path, .epochs = *ecfg};
    struct expect x;

    if (ecfg->mode == GY_EPOCHS_TIME)
        cfg.file.time_column = 3;
    expect_epochs(o, ecfg, &x);
    for (size_t k = 0; k < sizeof(ws) / sizeof(ws[0]); k++) {
        gy_edge_input_t *in;
        char err[600];
        int res;
        memset(&r, 0, sizeof(r));
        r.max_open = max_open;
        if (gy_edge_input_open(&cfg, ws[k], &in, err, sizeof(err)) != 0)
            fail_msg("%s: %s", what, err);
        assert_int_equal(gy_edge_input_lines(in), o->n); /* counted before any run */
        r.in = in;
        res = ts_runtime_run(ws[k], epoch_worker, &r, err, sizeof(err));
        if (x.nlate > 0 && !ecfg->drop_late) {
            assert_int_equal(res, -ECANCELED);
            check_late_error(path, ecfg, &x, err, ws[k]);
        } else if (res != 0) {
            fail_msg("%s W=%u: %s", what, ws[k], err);
        } else {
            check_kept(&r, ws[k], &x, what);
            assert_int_equal(gy_edge_input_lines(in), o->n); /* as the workers counted */
        }
        for (uint32_t w = 0; w < ws[k]; w++)
            free(r.got[w].v);
        gy_edge_input_close(in);
    }
    expect_free(&x);
}

static struct gy_epochs_cfg windows(uint64_t width, uint64_t bound, bool drop)
{
    return (struct gy_epochs_cfg){.mode = GY_EPOCHS_TIME, .width = width, .bound = bound,
                                  .drop_late = drop};
}

/* CollegeMsg's times never decrease: hours, days and weeks, no line late. */
static void test_edgesource_windows_collegemsg(void **state)
{
    static const uint64_t widths[] = {3600, 86400, 7 * 86400};
    struct oracle_in o;
    char path[1024];
    (void)state;

    oracle_graph_path("CollegeMsg.txt.gz", path, sizeof(path));
    if (access(path, R_OK) != 0)
        skip();
    oracle_read(path, &o);
    assert_int_equal(o.n, 59835); /* MANIFEST.md */
    for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
        struct gy_epochs_cfg c = windows(widths[i], 0, false);
        check_epochs(path, &o, &c, 0, "CollegeMsg");
    }
    free(o.l);
}

/* CollegeMsg with every time moved by up to an hour either way (a seeded
 * jitter): a bound of two hours admits every line, half an hour with
 * drop_late drops some, ten minutes without it fails on a late line. */
static void test_edgesource_windows_late(void **state)
{
    char src[1024], path[TS_PATH_MAX];
    struct gy_epochs_cfg all = windows(3600, 7200, false), some = windows(86400, 1800, true),
                         fail = windows(3600, 600, false);
    struct oracle_in o;
    struct expect x;
    uint64_t rng = 12345;
    FILE *f;
    (void)state;

    oracle_graph_path("CollegeMsg.txt.gz", src, sizeof(src));
    if (access(src, R_OK) != 0)
        skip();
    oracle_read(src, &o);
    f = fopen(ts_temp_file("edgesource-jitter-", path, sizeof(path)), "w");
    assert_non_null(f);
    fprintf(f, "# CollegeMsg, times jittered by +-3600 s\n");
    for (size_t i = 0; i < o.n; i++) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        o.l[i].t += (int64_t)(rng >> 33) % 7201 - 3600;
        o.l[i].line = i + 2;
        fprintf(f, "%lu %lu %ld\n", (unsigned long)o.l[i].u, (unsigned long)o.l[i].v,
                (long)o.l[i].t);
    }
    fclose(f);
    expect_epochs(&o, &all, &x);
    assert_int_equal(x.dropped, 0);
    expect_free(&x);
    check_epochs(path, &o, &all, 0, "jittered, bound 7200");
    expect_epochs(&o, &some, &x);
    assert_true(x.dropped > 100);
    expect_free(&x);
    check_epochs(path, &o, &some, 0, "jittered, bound 1800, drop");
    check_epochs(path, &o, &fail, 0, "jittered, bound 600");
    free(o.l);
    unlink(path);
}

/* The hand-made file: out-of-order times, a time far before t0, comments
 * and blank lines between edges, tabs and commas; every width and bound. */
static void test_edgesource_windows_hand(void **state)
{
    static const uint64_t widths[] = {1, 2, 5, 10, 1000}, bounds[] = {0, 3, 25, 1000};
    const char *path = "tests/data/windows.txt";
    struct oracle_in o;
    (void)state;

    oracle_read(path, &o);
    assert_int_equal(o.n, 55); /* 60 lines: 3 comments, 2 blank */
    for (size_t i = 0; i < sizeof(widths) / sizeof(widths[0]); i++)
        for (size_t j = 0; j < sizeof(bounds) / sizeof(bounds[0]); j++)
            for (int drop = 0; drop < 2; drop++) {
                struct gy_epochs_cfg c = windows(widths[i], bounds[j], drop);
                check_epochs(path, &o, &c, 0, path);
            }
    free(o.l);
}

/* By count, edge by edge: the rank of a line among edge lines / batch. */
static void test_edgesource_batches_by_edge(void **state)
{
    static const uint64_t batches[] = {0, 1, 7, 1000};
    char college[1024];
    const char *paths[] = {"tests/data/windows.txt", college};
    (void)state;

    oracle_graph_path("CollegeMsg.txt.gz", college, sizeof(college));
    for (size_t p = 0; p < 2; p++) {
        struct oracle_in o;
        if (access(paths[p], R_OK) != 0)
            continue;
        oracle_read(paths[p], &o);
        for (size_t b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
            struct gy_epochs_cfg c = {.mode = GY_EPOCHS_COUNT, .batch = batches[b]};
            if (p == 1 && batches[b] == 1)
                continue; /* 59835 epochs of one edge: slow, and nothing new */
            check_epochs(paths[p], &o, &c, 0, paths[p]);
        }
        free(o.l);
    }
}

/* Sources throttled to a few open epochs behind the collectors: with the
 * input dealt in blocks the workers still make progress together, and
 * every edge lands where the brute force says, by count and by window. */
static void test_edgesource_throttled(void **state)
{
    struct gy_epochs_cfg by_count = {.mode = GY_EPOCHS_COUNT, .batch = 997};
    struct gy_epochs_cfg hours = windows(3600, 0, false);
    struct oracle_in o;
    char path[1024];
    (void)state;

    oracle_graph_path("CollegeMsg.txt.gz", path, sizeof(path));
    if (access(path, R_OK) != 0)
        skip();
    oracle_read(path, &o);
    check_epochs(path, &o, &by_count, 1, "CollegeMsg by count, 1 open epoch");
    check_epochs(path, &o, &by_count, 3, "CollegeMsg by count, 3 open epochs");
    check_epochs(path, &o, &hours, 2, "CollegeMsg by hour, 2 open epochs");
    free(o.l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edgesource_real_graphs),
        cmocka_unit_test(test_edgesource_batches),
        cmocka_unit_test(test_edgesource_generator_split),
        cmocka_unit_test(test_edgesource_skip_bad_epochs),
        cmocka_unit_test(test_edgesource_bad_line),
        cmocka_unit_test(test_edgesource_windows_collegemsg),
        cmocka_unit_test(test_edgesource_windows_late),
        cmocka_unit_test(test_edgesource_windows_hand),
        cmocka_unit_test(test_edgesource_batches_by_edge),
        cmocka_unit_test(test_edgesource_throttled),
    };
    return cmocka_run_group_tests_name("edgesource", tests, NULL, NULL);
}
