/*
 * Tests of incremental triangle counting (algorithms/tc.h), run through the
 * algorithm driver on 1, 2, 3 and 8 workers, with every strategy (auto,
 * always per changed edge, always the full forward recount):
 *  - the real graphs of the shared data directory, in one epoch, in ten and
 *    in epochs of 1000 lines, against oracle.tsv (python-igraph) for the
 *    last epoch, and every epoch against a run on one worker with the other
 *    strategy and against the running-total identity;
 *  - seeded random streams with duplicates, self-loops, huge ids, re-inserts
 *    and deletes, every epoch against a sequential replay whose triangles
 *    come from igraph_list_triangles (total, new and removed as set
 *    differences of the triangle lists);
 *  - tiny streams against a brute-force O(n^3) triangle test;
 *  - dense streams (degrees past the heavy threshold), and streams run with
 *    the change log capped so that every epoch scans the sets instead;
 *  - an empty input, and epochs with gaps;
 *  - deletes of absent edges: the error text (the earliest line whatever the
 *    worker count), and skip_bad_deletes' count.
 * GY_TEST_SCALE=n multiplies the random streams' lengths; GY_TEST_FILTER=
 * PATTERN runs only the matching cases (cmocka's test filter).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <igraph.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "algorithms/driver.h"
#include "algorithms/tc.h"
#include "algorithms/tc_internal.h"
#include "graph/edgefile.h"
#include "tests/support/files.h"
#include "tests/support/oracle_tsv.h"
#include "tests/support/rng.h"

/* ---- running gy_tc through the driver ---- */

struct results {
    struct gy_graph_result *r;
    size_t n, cap;
};

static int collect(const struct gy_graph_result *r, double seconds, void *arg)
{
    struct results *res = arg;

    (void)seconds;
    if (res->n == res->cap) {
        res->cap = res->cap ? 2 * res->cap : 64;
        res->r = realloc(res->r, res->cap * sizeof(*res->r));
        if (!res->r)
            return -1;
    }
    res->r[res->n++] = *r;
    return 0;
}

static gy_stream_t *tc_delta(gy_stream_t *edges, const struct gy_algo_opts *opts)
{
    return gy_tc_with(edges, opts, GY_TC_DELTA);
}

static gy_stream_t *tc_full(gy_stream_t *edges, const struct gy_algo_opts *opts)
{
    return gy_tc_with(edges, opts, GY_TC_FULL);
}

static const gy_algo_fn strategies[] = {gy_tc, tc_delta, tc_full};
static const char *const strategy_names[] = {"auto", "delta", "full"};

struct run_opts {
    uint32_t workers;
    uint64_t batch;      /* edge lines per epoch, 0 = one epoch */
    bool skip_bad_deletes;
    int strategy;        /* index into strategies[] */
};

/* Runs tc over spec; returns gy_algo_run's code, results in *res, message in err. */
static int run_tc(const char *spec, const struct run_opts *o, struct results *res, char *err,
                  size_t errlen)
{
    struct gy_algo_run_cfg cfg;

    memset(res, 0, sizeof(*res));
    gy_algo_run_cfg_init(&cfg);
    cfg.input.spec = spec;
    cfg.input.epochs.batch = o->batch;
    cfg.workers = o->workers;
    cfg.no_pin = true;
    cfg.algo = strategies[o->strategy];
    cfg.opts.skip_bad_deletes = o->skip_bad_deletes;
    cfg.report = collect;
    cfg.arg = res;
    err[0] = '\0';
    return gy_algo_run(&cfg, NULL, err, errlen);
}

static void run_ok(const char *spec, const struct run_opts *o, struct results *res)
{
    char err[1024];

    if (run_tc(spec, o, res, err, sizeof(err)) != 0)
        fail_msg("%s W=%u batch=%" PRIu64 " %s: %s", spec, o->workers, o->batch,
                 strategy_names[o->strategy], err);
}

static void results_free(struct results *res)
{
    free(res->r);
    memset(res, 0, sizeof(*res));
}

/* Every epoch's counts as text, for messages. */
static void expect_same(const struct gy_graph_result *got, const struct gy_graph_result *want,
                        const char *what)
{
    if (got->epoch != want->epoch || got->vertices != want->vertices ||
        got->edges != want->edges || got->triangles != want->triangles ||
        got->new_triangles != want->new_triangles ||
        got->removed_triangles != want->removed_triangles ||
        got->bad_deletes != want->bad_deletes)
        fail_msg("%s: epoch %" PRIu64 ": got V=%" PRIu64 " E=%" PRIu64 " T=%" PRIu64
                 " +%" PRIu64 " -%" PRIu64 " bad=%" PRIu64 ", want epoch %" PRIu64
                 " V=%" PRIu64 " E=%" PRIu64 " T=%" PRIu64 " +%" PRIu64 " -%" PRIu64
                 " bad=%" PRIu64, what, got->epoch, got->vertices, got->edges, got->triangles,
                 got->new_triangles, got->removed_triangles, got->bad_deletes, want->epoch,
                 want->vertices, want->edges, want->triangles, want->new_triangles,
                 want->removed_triangles, want->bad_deletes);
}

static void expect_runs_equal(const struct results *a, const struct results *b, const char *what)
{
    if (a->n != b->n)
        fail_msg("%s: %zu epochs, want %zu", what, a->n, b->n);
    for (size_t i = 0; i < a->n; i++)
        expect_same(&a->r[i], &b->r[i], what);
}

/* ---- random streams and their sequential replay ---- */

struct line {
    uint64_t u, v;
    int sign;
};

struct stream {
    struct line *l;
    size_t n, cap;
};

static void stream_push(struct stream *s, uint64_t u, uint64_t v, int sign)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 256;
        s->l = realloc(s->l, s->cap * sizeof(*s->l));
        assert_non_null(s->l);
    }
    s->l[s->n++] = (struct line){u, v, sign};
}

/* The file id of dense vertex i: spread over all 64 bits, 0 and UINT64_MAX
 * included, so that ownership and ordering see arbitrary ids. */
static uint64_t file_id(uint32_t i)
{
    if (i == 0)
        return 0;
    if (i == 1)
        return UINT64_MAX;
    return (uint64_t)i * 0x9e3779b97f4a7c15ULL;
}

struct gen_params {
    uint32_t n;         /* vertices */
    size_t lines;
    unsigned del_pct;   /* deletes of present edges, percent of lines */
    unsigned bad_pct;   /* deletes of absent edges, percent of lines */
    unsigned dup_pct;   /* repeats of present edges */
    unsigned loop_pct;  /* self-loops */
    uint64_t seed;
};

/* The generator's state: multiplicities and the present copies. */
struct gen {
    const struct gen_params *p;
    uint32_t *cnt;        /* [n * n] copies of {a, b} present */
    struct line *present; /* one entry per present copy (dense ids) */
    size_t npresent;
    uint64_t st;
};

/* Deletes a random present copy; the line names the pair in either order. */
static void gen_delete(struct gen *g, struct stream *s)
{
    size_t k = ts_rng_next(&g->st) % g->npresent;
    struct line e = g->present[k];
    uint32_t n = g->p->n;
    bool flip = ts_rng_next(&g->st) & 1;

    g->present[k] = g->present[--g->npresent];
    g->cnt[e.u * n + e.v]--;
    g->cnt[e.v * n + e.u]--;
    stream_push(s, file_id((uint32_t)(flip ? e.v : e.u)), file_id((uint32_t)(flip ? e.u : e.v)),
                -1);
}

static void gen_insert(struct gen *g, struct stream *s, uint32_t a, uint32_t b)
{
    uint32_t n = g->p->n;

    stream_push(s, file_id(a), file_id(b), +1);
    if (a == b)
        return;
    g->cnt[a * n + b]++;
    g->cnt[b * n + a]++;
    g->present[g->npresent++] = (struct line){a, b, 1};
}

/* A random stream: inserts of random pairs, repeats, self-loops and deletes
 * (of present copies, which the generator tracks, and with bad_pct > 0 of
 * absent edges). */
static void gen_stream(const struct gen_params *p, struct stream *s)
{
    struct gen g = {.p = p, .st = p->seed};
    unsigned del = p->del_pct, bad = del + p->bad_pct, dup = bad + p->dup_pct;

    g.cnt = calloc((size_t)p->n * p->n, sizeof(*g.cnt));
    g.present = malloc(p->lines * sizeof(*g.present));
    assert_non_null(g.cnt);
    assert_non_null(g.present);
    memset(s, 0, sizeof(*s));
    for (size_t i = 0; i < p->lines; i++) {
        unsigned r = (unsigned)ts_rng_below(&g.st, 100);
        uint32_t a = (uint32_t)(ts_rng_next(&g.st) % p->n);
        uint32_t b = (uint32_t)(ts_rng_next(&g.st) % p->n);
        struct line e;
        if (r < del && g.npresent > 0) {
            gen_delete(&g, s);
        } else if (r >= del && r < bad && a != b && g.cnt[a * p->n + b] == 0) {
            stream_push(s, file_id(a), file_id(b), -1);
        } else if (r < dup && g.npresent > 0) {
            e = g.present[ts_rng_next(&g.st) % g.npresent];
            gen_insert(&g, s, (uint32_t)e.v, (uint32_t)e.u);
        } else {
            gen_insert(&g, s, a, r < dup + p->loop_pct ? a : b);
        }
    }
    free(g.present);
    free(g.cnt);
}

static void write_stream(const struct stream *s, const char *path)
{
    FILE *f = fopen(path, "w");

    assert_non_null(f);
    for (size_t i = 0; i < s->n; i++)
        fprintf(f, "%s%" PRIu64 " %" PRIu64 "\n", s->l[i].sign < 0 ? "- " : "", s->l[i].u,
                s->l[i].v);
    assert_int_equal(fclose(f), 0);
}

/* The replay: vertices as dense indices in order of first appearance. */
struct replay {
    uint64_t *ids;     /* dense -> file id */
    uint32_t nids, cap;
    uint32_t *cnt;     /* [cap * cap] multiplicities */
    uint64_t edges, bad;
    int64_t *tri;      /* this epoch's triangles: sorted (a, b, c) packed */
    size_t ntri;
};

static uint32_t replay_id(struct replay *r, uint64_t v)
{
    for (uint32_t i = 0; i < r->nids; i++)
        if (r->ids[i] == v)
            return i;
    assert_true(r->nids < r->cap);
    r->ids[r->nids] = v;
    return r->nids++;
}

static void replay_line(struct replay *r, const struct line *l)
{
    uint32_t a = replay_id(r, l->u), b = replay_id(r, l->v);
    uint32_t *c = &r->cnt[(size_t)a * r->cap + b], *c2 = &r->cnt[(size_t)b * r->cap + a];

    if (a == b)
        return;
    if (l->sign > 0) {
        r->edges += *c == 0;
        ++*c, ++*c2;
    } else if (*c == 0) {
        r->bad++;
    } else {
        --*c, --*c2;
        r->edges -= *c == 0;
    }
}

static int cmp_i64(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
    return (a > b) - (a < b);
}

/* The present graph's triangles from igraph, each as a*cap^2 + b*cap + c
 * (a < b < c), sorted. */
static void igraph_triangles(const struct replay *r, int64_t **out, size_t *nout)
{
    igraph_vector_int_t ev, tri;
    igraph_t g;
    size_t n;

    assert_int_equal(igraph_vector_int_init(&ev, 0), IGRAPH_SUCCESS);
    for (uint32_t a = 0; a < r->nids; a++)
        for (uint32_t b = a + 1; b < r->nids; b++)
            if (r->cnt[(size_t)a * r->cap + b] > 0) {
                assert_int_equal(igraph_vector_int_push_back(&ev, a), IGRAPH_SUCCESS);
                assert_int_equal(igraph_vector_int_push_back(&ev, b), IGRAPH_SUCCESS);
            }
    assert_int_equal(igraph_create(&g, &ev, (igraph_integer_t)r->nids, IGRAPH_UNDIRECTED),
                     IGRAPH_SUCCESS);
    assert_int_equal(igraph_vector_int_init(&tri, 0), IGRAPH_SUCCESS);
    assert_int_equal(igraph_list_triangles(&g, &tri), IGRAPH_SUCCESS);
    n = (size_t)igraph_vector_int_size(&tri) / 3;
    *out = malloc((n ? n : 1) * sizeof(**out));
    assert_non_null(*out);
    for (size_t i = 0; i < n; i++) {
        int64_t v[3] = {VECTOR(tri)[3 * i], VECTOR(tri)[3 * i + 1], VECTOR(tri)[3 * i + 2]};
        qsort(v, 3, sizeof(v[0]), cmp_i64);
        (*out)[i] = (v[0] * r->cap + v[1]) * r->cap + v[2];
    }
    qsort(*out, n, sizeof(**out), cmp_i64);
    *nout = n;
    igraph_vector_int_destroy(&tri);
    igraph_destroy(&g);
    igraph_vector_int_destroy(&ev);
}

/* The same by brute force: every triple of vertices, O(n^3). */
static void brute_triangles(const struct replay *r, int64_t **out, size_t *nout)
{
    size_t n = 0, cap = 64;
    uint32_t m = r->cap;

    *out = malloc(cap * sizeof(**out));
    assert_non_null(*out);
    for (uint32_t a = 0; a < r->nids; a++)
        for (uint32_t b = a + 1; b < r->nids; b++)
            for (uint32_t c = b + 1; c < r->nids; c++) {
                if (!r->cnt[a * m + b] || !r->cnt[a * m + c] || !r->cnt[b * m + c])
                    continue;
                if (n == cap) {
                    *out = realloc(*out, (cap *= 2) * sizeof(**out));
                    assert_non_null(*out);
                }
                (*out)[n++] = ((int64_t)a * m + b) * m + c; /* generated in sorted order */
            }
    *nout = n;
}

/* |x \ y| for sorted lists. */
static uint64_t minus(const int64_t *x, size_t nx, const int64_t *y, size_t ny)
{
    uint64_t k = 0;
    size_t j = 0;

    for (size_t i = 0; i < nx; i++) {
        while (j < ny && y[j] < x[i])
            j++;
        k += j == ny || y[j] != x[i];
    }
    return k;
}

typedef void (*triangles_fn)(const struct replay *r, int64_t **out, size_t *nout);

/* The expected result of every epoch (batch lines each) of stream s. */
static struct results expected(const struct stream *s, uint64_t batch, triangles_fn tri)
{
    struct replay r = {.cap = 2 * (uint32_t)(s->n + 1)};
    struct results want = {0};
    size_t i = 0;

    r.cap = r.cap > 512 ? 512 : r.cap;
    r.ids = calloc(r.cap, sizeof(*r.ids));
    r.cnt = calloc((size_t)r.cap * r.cap, sizeof(*r.cnt));
    assert_non_null(r.ids);
    assert_non_null(r.cnt);
    for (uint64_t e = 0; i < s->n; e++) {
        struct gy_graph_result g = {.epoch = e};
        int64_t *t;
        size_t nt;
        for (size_t k = 0; k < (batch ? batch : s->n) && i < s->n; k++)
            replay_line(&r, &s->l[i++]);
        tri(&r, &t, &nt);
        g.vertices = r.nids;
        g.edges = r.edges;
        g.triangles = nt;
        g.new_triangles = minus(t, nt, r.tri, r.ntri);
        g.removed_triangles = minus(r.tri, r.ntri, t, nt);
        g.bad_deletes = r.bad;
        free(r.tri);
        r.tri = t;
        r.ntri = nt;
        collect(&g, 0, &want);
    }
    free(r.tri);
    free(r.ids);
    free(r.cnt);
    return want;
}

/* One run of a generated stream against the replay's results. */
static void check_run(const char *path, const struct gen_params *p, const struct run_opts *o,
                      const struct results *want)
{
    struct results got;
    char what[256];

    run_ok(path, o, &got);
    snprintf(what, sizeof(what), "seed %" PRIu64 " n=%u batch=%" PRIu64 " W=%u %s", p->seed, p->n,
             o->batch, o->workers, strategy_names[o->strategy]);
    expect_runs_equal(&got, want, what);
    results_free(&got);
}

/* Runs stream s against the replay: on 1 and 2 workers with every strategy
 * and the given batch; on 3 and 8 workers (more than the machine's cores,
 * where every epoch costs a few scheduler time slices) in at most about
 * eight epochs, each with one strategy. */
static void check_stream(const struct gen_params *p, uint64_t batch, triangles_fn tri,
                         bool skip_bad)
{
    static const uint32_t ws[] = {1, 2, 3, 8};
    uint64_t wide = batch > p->lines / 8 ? batch : p->lines / 8 + 1;
    struct stream s;
    struct results want[2];
    char path[128];

    gen_stream(p, &s);
    ts_temp_file("gy_test_tc_stream_", path, sizeof(path));
    write_stream(&s, path);
    want[0] = expected(&s, batch, tri);
    want[1] = expected(&s, wide, tri);
    for (size_t k = 0; k < sizeof(ws) / sizeof(ws[0]); k++) {
        struct run_opts o = {.workers = ws[k], .batch = k < 2 ? batch : wide,
                             .skip_bad_deletes = skip_bad};
        for (o.strategy = 0; o.strategy < 3; o.strategy++)
            if (k < 2 || o.strategy == (int)(p->seed + k) % 3)
                check_run(path, p, &o, &want[k >= 2]);
    }
    results_free(&want[0]);
    results_free(&want[1]);
    unlink(path);
    free(s.l);
}

/* ---- tests: random streams ---- */

static void test_tc_random_inserts(void **state)
{
    unsigned scale = ts_scale();
    (void)state;

    for (uint64_t seed = 1; seed <= 3; seed++) {
        struct gen_params p = {.n = 40, .lines = 600 * scale, .dup_pct = 10, .loop_pct = 3,
                               .seed = seed};
        check_stream(&p, 0, igraph_triangles, false);
        check_stream(&p, 37, igraph_triangles, false);
    }
}

static void test_tc_random_deletes(void **state)
{
    unsigned scale = ts_scale();
    (void)state;

    for (uint64_t seed = 11; seed <= 14; seed++) {
        struct gen_params p = {.n = 30, .lines = 800 * scale, .del_pct = 30, .dup_pct = 10,
                               .loop_pct = 3, .seed = seed};
        check_stream(&p, 1 + seed * 7 % 50, igraph_triangles, false);
    }
    /* Many epochs of one line each: every change alone. */
    struct gen_params p = {.n = 12, .lines = 150, .del_pct = 35, .dup_pct = 10, .seed = 99};
    check_stream(&p, 1, igraph_triangles, false);
}

/* Dense streams: degrees beyond TC_HEAVY (32), so the delta strategy
 * orients by the heavy degrees every worker keeps, while edges come and go. */
static void test_tc_random_dense(void **state)
{
    unsigned scale = ts_scale();
    (void)state;

    for (uint64_t seed = 41; seed <= 42; seed++) {
        struct gen_params p = {.n = 60, .lines = 2500 * scale, .del_pct = 30, .dup_pct = 5,
                               .seed = seed};
        check_stream(&p, 97, igraph_triangles, false);
    }
}

static void test_tc_random_skip_bad(void **state)
{
    (void)state;
    for (uint64_t seed = 21; seed <= 22; seed++) {
        struct gen_params p = {.n = 25, .lines = 500, .del_pct = 25, .bad_pct = 8, .dup_pct = 10,
                               .loop_pct = 2, .seed = seed};
        check_stream(&p, 23, igraph_triangles, true);
    }
}

static void test_tc_brute_force(void **state)
{
    (void)state;
    for (uint64_t seed = 31; seed <= 36; seed++) {
        struct gen_params p = {.n = 5 + (uint32_t)seed % 6, .lines = 120, .del_pct = 30,
                               .dup_pct = 15, .loop_pct = 5, .seed = seed};
        check_stream(&p, 1 + seed % 9, brute_triangles, false);
    }
}

/* ---- tests: bad deletes ---- */

struct bad_case {
    const char *text;
    uint64_t batch;
    unsigned line;        /* line named by the error */
    const char *edge;     /* as the error names it */
    uint64_t skipped;     /* with skip_bad_deletes */
    uint64_t triangles;   /* with skip_bad_deletes, last epoch */
};

static void check_bad(const struct bad_case *c)
{
    static const uint32_t ws[] = {1, 2, 3, 8};
    char path[128], err[1024], want[512];
    struct results res;

    ts_temp_file("gy_test_tc_bad_", path, sizeof(path));
    ts_write_text(path, c->text);
    snprintf(want, sizeof(want), "%s:%u: delete of edge %s that is not present", path, c->line,
             c->edge);
    for (size_t k = 0; k < sizeof(ws) / sizeof(ws[0]); k++) {
        struct run_opts o = {.workers = ws[k], .batch = c->batch, .strategy = (int)k % 3};
        int rc = run_tc(path, &o, &res, err, sizeof(err));
        if (rc != -ECANCELED || strcmp(err, want) != 0)
            fail_msg("W=%u: rc %d, error '%s', want '%s'", ws[k], rc, err, want);
        results_free(&res);
        o.skip_bad_deletes = true;
        run_ok(path, &o, &res);
        assert_true(res.n > 0);
        assert_int_equal(res.r[res.n - 1].bad_deletes, c->skipped);
        assert_int_equal(res.r[res.n - 1].triangles, c->triangles);
        results_free(&res);
    }
    unlink(path);
}

static void test_tc_bad_deletes(void **state)
{
    static const struct bad_case cases[] = {
        /* an edge never inserted */
        {"1 2\n2 3\n1 3\n- 3 4\n", 0, 4, "{3,4}", 1, 1},
        /* deleted twice; named in the other order */
        {"1 2\n2 3\n1 3\n- 1 2\n- 2 1\n", 0, 5, "{2,1}", 1, 0},
        /* a delete before the insert in one epoch (input order counts) */
        {"- 5 6\n5 6\n6 7\n5 7\n", 0, 1, "{5,6}", 1, 1},
        /* in a later epoch, after the edge was deleted in an earlier one */
        {"1 2\n2 3\n1 3\n- 1 3\n- 3 1\n1 3\n", 2, 5, "{3,1}", 1, 1},
        /* several: the earliest line is named, on any worker count */
        {"10 20\n20 30\n- 40 50\n- 60 70\n- 80 90\n10 30\n", 0, 3, "{40,50}", 3, 1},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_bad(&cases[i]);
}

/* With the change log capped at a few entries, every epoch past the cap
 * takes the paths that scan the sets instead (shipping lists, clearing
 * marks, announcing heavy degrees). */
static void test_tc_log_overflow(void **state)
{
    size_t saved = gy__tc_log_max;
    (void)state;

    gy__tc_log_max = 5;
    for (uint64_t seed = 51; seed <= 52; seed++) {
        struct gen_params p = {.n = 45, .lines = 1500, .del_pct = 30, .dup_pct = 5,
                               .loop_pct = 2, .seed = seed};
        check_stream(&p, 61, igraph_triangles, false);
    }
    gy__tc_log_max = saved;
}

/* An empty input has no epoch and no result; epochs by time may leave
 * gaps, and only the epochs that hold records get a result. */
static void test_tc_empty_and_gaps(void **state)
{
    static const uint32_t ws[] = {1, 2, 3};
    char path[128];
    struct gy_algo_run_cfg cfg;
    struct results res;
    char err[1024];
    (void)state;

    ts_temp_file("gy_test_tc_empty_", path, sizeof(path));
    ts_write_text(path, "# nothing\n");
    for (size_t k = 0; k < 3; k++) {
        struct run_opts o = {.workers = ws[k]};
        run_ok(path, &o, &res);
        assert_int_equal(res.n, 0);
        results_free(&res);
    }
    /* times 0, 0, 0, 5, 9, 9: epochs 0, 5 and 9 */
    ts_write_text(path, "1 2 0\n2 3 0\n3 1 0\n3 4 5\n- 1 2 9\n1 4 9\n");
    for (size_t k = 0; k < 3; k++) {
        memset(&res, 0, sizeof(res));
        gy_algo_run_cfg_init(&cfg);
        cfg.input.spec = path;
        cfg.input.file.time_column = 3;
        cfg.input.epochs.mode = GY_EPOCHS_TIME;
        cfg.input.epochs.width = 1;
        cfg.workers = ws[k];
        cfg.no_pin = true;
        cfg.algo = strategies[k];
        cfg.report = collect;
        cfg.arg = &res;
        if (gy_algo_run(&cfg, NULL, err, sizeof(err)) != 0)
            fail_msg("W=%u: %s", ws[k], err);
        assert_int_equal(res.n, 3);
        expect_same(&res.r[0], &(struct gy_graph_result){.epoch = 0, .vertices = 3, .edges = 3,
                                                          .triangles = 1, .new_triangles = 1},
                    "gaps, epoch 0");
        expect_same(&res.r[1], &(struct gy_graph_result){.epoch = 5, .vertices = 4, .edges = 4,
                                                          .triangles = 1},
                    "gaps, epoch 5");
        expect_same(&res.r[2], &(struct gy_graph_result){.epoch = 9, .vertices = 4, .edges = 4,
                                                          .triangles = 1, .new_triangles = 1,
                                                          .removed_triangles = 1},
                    "gaps, epoch 9");
        results_free(&res);
    }
    unlink(path);
}

/* ---- tests: real graphs against oracle.tsv ---- */

static bool load_oracle(struct oracle_tsv *o)
{
    char dir[512], tsv[700], err[700];

    snprintf(tsv, sizeof(tsv), "%s/oracle.tsv", oracle_graph_path(NULL, dir, sizeof(dir)));
    if (oracle_tsv_load(tsv, o, err, sizeof(err)) != 0) {
        print_message("skipping: %s\n", err);
        return false;
    }
    return true;
}

static uint64_t edge_lines(const char *path)
{
    gy_edges_t *f;
    uint64_t n;
    char err[GY_EDGES_ERRLEN];

    assert_int_equal(gy_edges_open(path, NULL, &f, err, sizeof(err)), 0);
    assert_int_equal(gy_edges_count(f, gy_edges_all(f), &n), 0);
    gy_edges_close(f);
    return n;
}

/* The run's own consistency: consecutive epochs, running totals, no
 * removals in an insert-only stream, and the oracle at the end. */
static void check_real(const struct oracle_row *row, const struct results *res, uint64_t epochs,
                       const char *what)
{
    uint64_t t = 0;

    if (res->n != epochs)
        fail_msg("%s: %zu epochs, want %" PRIu64, what, res->n, epochs);
    for (size_t i = 0; i < res->n; i++) {
        const struct gy_graph_result *r = &res->r[i];
        if (r->epoch != i || r->removed_triangles != 0 || r->triangles != t + r->new_triangles)
            fail_msg("%s: epoch %zu: epoch %" PRIu64 " T=%" PRIu64 " +%" PRIu64 " -%" PRIu64
                     " after T=%" PRIu64, what, i, r->epoch, r->triangles, r->new_triangles,
                     r->removed_triangles, t);
        t = r->triangles;
    }
    if ((int64_t)res->r[res->n - 1].triangles != row->triangles ||
        (int64_t)res->r[res->n - 1].vertices != row->vertices ||
        (int64_t)res->r[res->n - 1].edges != row->edges)
        fail_msg("%s: T=%" PRIu64 " V=%" PRIu64 " E=%" PRIu64 ", oracle %" PRId64 " %" PRId64
                 " %" PRId64, what, res->r[res->n - 1].triangles, res->r[res->n - 1].vertices,
                 res->r[res->n - 1].edges, row->triangles, row->vertices, row->edges);
}

/* Graphs small enough for every worker count and 1000-line epochs. */
static bool small_graph(const struct oracle_row *row)
{
    return row->edges <= 30000 && row->vertices <= 20000;
}

/* One run of a real graph, checked against the oracle and against the
 * run it must equal (base, or none: it becomes the base). */
static void real_run(const struct oracle_row *row, const char *path, uint64_t lines,
                     const struct run_opts *o, struct results *base)
{
    uint64_t epochs = o->batch ? (lines + o->batch - 1) / o->batch : 1;
    struct results res;
    char what[1200];

    run_ok(path, o, &res);
    snprintf(what, sizeof(what), "%s W=%u batch=%" PRIu64 " %s", row->file, o->workers, o->batch,
             strategy_names[o->strategy]);
    check_real(row, &res, epochs, what);
    if (base->n == 0) {
        *base = res;
        return;
    }
    expect_runs_equal(&res, base, what);
    results_free(&res);
}

/* Every graph whole and in ten epochs on 1 and 2 workers; the small ones
 * also on 3 and 8 workers, and in epochs of 1000 lines on 1 and 2 workers
 * with every strategy. b: 0 whole, 1 ten epochs, 2 epochs of 1000. */
static void real_batch(const struct oracle_row *row, const char *path, uint64_t lines, int b)
{
    static const uint32_t ws[] = {1, 2, 3, 8};
    uint64_t batch = b == 0 ? 0 : b == 1 ? (lines + 9) / 10 : 1000;
    bool small = small_graph(row);
    struct results base = {0};

    for (size_t k = 0; k < sizeof(ws) / sizeof(ws[0]); k++) {
        struct run_opts o = {.workers = ws[k], .batch = batch, .strategy = (int)k % 3};
        if (k >= 2 && (!small || b == 2))
            continue;
        real_run(row, path, lines, &o, &base);
        o.strategy = 2;
        if (b == 2 && k == 1)
            real_run(row, path, lines, &o, &base);
    }
    results_free(&base);
}

static void real_graph(const struct oracle_row *row)
{
    char path[1024];
    uint64_t lines;

    oracle_graph_path(row->file, path, sizeof(path));
    lines = edge_lines(path);
    for (int b = 0; b < 3; b++)
        if (b < 2 || small_graph(row))
            real_batch(row, path, lines, b);
}

static void test_tc_real_graphs(void **state)
{
    struct oracle_tsv o;
    (void)state;

    if (!load_oracle(&o))
        skip();
    for (size_t i = 0; i < o.n; i++)
        real_graph(&o.rows[i]);
    oracle_tsv_free(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tc_brute_force),
        cmocka_unit_test(test_tc_bad_deletes),
        cmocka_unit_test(test_tc_random_inserts),
        cmocka_unit_test(test_tc_random_deletes),
        cmocka_unit_test(test_tc_random_dense),
        cmocka_unit_test(test_tc_random_skip_bad),
        cmocka_unit_test(test_tc_log_overflow),
        cmocka_unit_test(test_tc_empty_and_gaps),
        cmocka_unit_test(test_tc_real_graphs),
    };

    if (getenv("GY_TEST_FILTER"))
        cmocka_set_test_filter(getenv("GY_TEST_FILTER"));
    return cmocka_run_group_tests_name("tc", tests, NULL, NULL);
}
