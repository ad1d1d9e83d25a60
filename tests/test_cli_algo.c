/*
 * End-to-end tests of `gyre cc` and `gyre tc` (cli/cmd_algo.c): the built
 * gyre runs as its own process (posix_spawn, stdout and stderr through
 * pipes), and what it prints is checked against independent paths:
 *  - its --json lines, read by a small strict checker written here, must
 *    carry every field and equal, epoch by epoch, what gy_algo_run reports
 *    when this test calls the driver itself on the same input;
 *  - on small seeded graphs, every epoch must also equal what igraph says
 *    about the graph of the lines up to that epoch (vertices, distinct
 *    edges, components, the largest one, triangles, and the triangles
 *    gained and lost since the epoch before);
 *  - the table has one row per epoch, with the JSON's values;
 *  - -w 0, -w auto and the default all run one worker per core;
 *  - --help names every option, and every option it names is accepted;
 *  - bad input (a missing file, a malformed line, a bad generator spec, an
 *    unknown option, a delete of an absent edge) gives one line on stderr
 *    and the right exit status;
 *  - --labels writes what igraph's components say, each vertex labelled
 *    with the smallest id of its component.
 *
 * The binary is $GY_GYRE, else "<directory of this test>/../gyre"; it runs
 * through tests/support/proc.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <igraph.h>

#include "algorithms/cc.h"
#include "algorithms/driver.h"
#include "algorithms/tc.h"
#include "runtime/runtime.h"
#include "tests/support/files.h"
#include "tests/support/proc.h"
#include "tests/support/rng.h"
#include "tests/support/rows.h"

#define MAX_EPOCHS 256
#define MAX_FIELDS 16

/* ---- running gyre ---------------------------------------------------------- */

struct outcome {
    char *out;      /* stdout, NUL-terminated */
    char *err;      /* stderr, NUL-terminated */
    int status;     /* exit status, or 128 + signal */
};

/*
 * Every captured output is registered here until outcome_free, so that a
 * case that fails half-way (cmocka longjmps out of it) still frees what it
 * captured: free_outputs, each case's teardown, frees whatever is left.
 */
#define MAX_OWNED 64
static char *owned[MAX_OWNED];

static char *own(char *p)
{
    for (size_t k = 0; k < MAX_OWNED; k++) {
        if (owned[k] == NULL) {
            owned[k] = p;
            return p;
        }
    }
    fail_msg("more than %d captured outputs alive", MAX_OWNED);
    return p;
}

static void release(char *p)
{
    for (size_t k = 0; k < MAX_OWNED && p != NULL; k++)
        if (owned[k] == p)
            owned[k] = NULL;
    free(p);
}

static int free_outputs(void **state)
{
    (void)state;
    for (size_t k = 0; k < MAX_OWNED; k++) {
        free(owned[k]);
        owned[k] = NULL;
    }
    return 0;
}

static void outcome_free(struct outcome *o)
{
    release(o->out);
    release(o->err);
    memset(o, 0, sizeof(*o));
}

/* Runs gyre with the NULL-terminated args; stdin is /dev/null. */
static void run_gyre_v(const char *const *args, struct outcome *o)
{
    char path[4200];
    struct ts_proc p;

    ts_gyre_path(path, sizeof(path));
    ts_proc_run(path, args, NULL, &p);
    o->out = own(p.out);
    o->err = own(p.err);
    o->status = p.status;
}

#define run_gyre(o, ...) run_gyre_v((const char *const[]){__VA_ARGS__, NULL}, (o))

static size_t count_lines(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += *s == '\n';
    return n;
}

/* ---- temporary files --------------------------------------------------------- */

static int setup(void **state)
{
    (void)state;
    return ts_tmpdir_make("gyre_test_cli_");
}

/* ---- a tiny strict JSON checker, for flat objects of numbers ------------------ */

struct jfield {
    char key[32];
    bool integer;   /* no fraction or exponent, no sign */
    uint64_t u;     /* the value, when integer */
    double d;       /* the value */
};

struct jobj {
    struct jfield f[MAX_FIELDS];
    int n;
};

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
        s++;
    return s;
}

static const char *skip_digits(const char *s)
{
    while (*s >= '0' && *s <= '9')
        s++;
    return s;
}

/* A JSON string without escapes (our keys need none); NULL if bad. */
static const char *json_key(const char *s, char *key, size_t len)
{
    size_t n = 0;

    if (*s++ != '"')
        return NULL;
    for (; *s != '"'; s++) {
        if (*s == '\0' || *s == '\\' || (unsigned char)*s < 0x20 || n + 1 >= len)
            return NULL;
        key[n++] = *s;
    }
    key[n] = '\0';
    return s + 1;
}

/* A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?; NULL if bad. */
static const char *json_number(const char *s, struct jfield *f)
{
    const char *p = s, *q;

    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        p = skip_digits(p);
    else
        return NULL;
    f->integer = *s != '-' && *p != '.' && *p != 'e' && *p != 'E';
    if (*p == '.' && (q = skip_digits(p + 1)) == p + 1)
        return NULL;
    if (*p == '.')
        p = skip_digits(p + 1);
    if (*p == 'e' || *p == 'E') {
        p += p[1] == '+' || p[1] == '-' ? 2 : 1;
        if ((q = skip_digits(p)) == p)
            return NULL;
        p = q;
    }
    f->d = strtod(s, NULL);
    f->u = f->integer ? strtoull(s, NULL, 10) : 0;
    return p;
}

/* Parses one line holding exactly one flat object; false if it is not one. */
static bool json_parse(const char *s, struct jobj *o)
{
    o->n = 0;
    s = skip_ws(s);
    if (*s++ != '{')
        return false;
    s = skip_ws(s);
    if (*s == '}')
        return *skip_ws(s + 1) == '\0';
    for (;;) {
        struct jfield *f = &o->f[o->n];
        if (o->n == MAX_FIELDS || !(s = json_key(skip_ws(s), f->key, sizeof(f->key))))
            return false;
        for (int k = 0; k < o->n; k++)
            if (strcmp(o->f[k].key, f->key) == 0)
                return false;
        s = skip_ws(s);
        if (*s++ != ':' || !(s = json_number(skip_ws(s), f)))
            return false;
        o->n++;
        s = skip_ws(s);
        if (*s == '}')
            return *skip_ws(s + 1) == '\0';
        if (*s++ != ',')
            return false;
    }
}

static const struct jfield *json_get(const struct jobj *o, const char *key)
{
    for (int k = 0; k < o->n; k++)
        if (strcmp(o->f[k].key, key) == 0)
            return &o->f[k];
    return NULL;
}

/* The field `key`; fails the test if it is absent. */
static const struct jfield *json_must(const struct jobj *o, const char *key)
{
    static const struct jfield none; /* cmocka's fail_msg is not declared noreturn */
    const struct jfield *f = json_get(o, key);

    if (f == NULL)
        fail_msg("JSON field \"%s\" is missing", key);
    return f ? f : &none;
}

/* The value of an unsigned integer field; fails the test if absent or not one. */
static uint64_t json_u64(const struct jobj *o, const char *key, size_t line)
{
    const struct jfield *f = json_get(o, key);

    if (f == NULL || !f->integer)
        fail_msg("JSON line %zu: field \"%s\" %s", line, key,
                 f ? "is not an unsigned integer" : "is missing");
    return f->u;
}

static void test_cli_algo_json_checker(void **state)
{
    struct jobj o;

    (void)state;
    assert_true(json_parse("{\"a\":1,\"b\":0.25, \"c\" : 3e2}", &o));
    assert_int_equal(o.n, 3);
    assert_int_equal(json_must(&o, "a")->u, 1);
    assert_true(json_must(&o, "b")->d == 0.25 && !json_must(&o, "b")->integer);
    assert_true(json_must(&o, "c")->d == 300.0);
    assert_true(json_parse("{}", &o));
    assert_false(json_parse("{\"a\":1,}", &o));
    assert_false(json_parse("{\"a\":01}", &o));
    assert_false(json_parse("{\"a\":1.}", &o));
    assert_false(json_parse("{\"a\":1} x", &o));
    assert_false(json_parse("{\"a\":1,\"a\":2}", &o));
    assert_false(json_parse("{a:1}", &o));
    assert_false(json_parse("{\"a\":1", &o));
}

/* ---- results: from gyre's JSON, from the driver, from igraph ------------------ */

struct results {
    struct gy_graph_result r[MAX_EPOCHS];
    double seconds[MAX_EPOCHS];
    size_t n;
};

static const char *const CC_KEYS[] = {"epoch", "vertices", "edges", "components", "largest",
                                      "seconds", NULL};
static const char *const TC_KEYS[] = {"epoch", "vertices", "edges", "triangles",
                                      "new_triangles", "seconds", NULL};

/* Parses every stdout line as JSON into res, checking the keys are there. */
static void parse_json_lines(const char *out, bool tc, struct results *res)
{
    const char *const *keys = tc ? TC_KEYS : CC_KEYS;
    char line[1024];
    struct jobj o;

    memset(res, 0, sizeof(*res));
    for (const char *p = out; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != '\0')) {
        struct gy_graph_result *r = &res->r[res->n];
        size_t len = strcspn(p, "\n"), no = res->n + 1;
        assert_true(len < sizeof(line) && res->n < MAX_EPOCHS);
        memcpy(line, p, len);
        line[len] = '\0';
        if (!json_parse(line, &o))
            fail_msg("stdout line %zu is not a flat JSON object: '%s'", no, line);
        for (int k = 0; keys[k]; k++)
            if (!json_get(&o, keys[k]))
                fail_msg("JSON line %zu lacks \"%s\": '%s'", no, keys[k], line);
        r->epoch = json_u64(&o, "epoch", no);
        r->vertices = json_u64(&o, "vertices", no);
        r->edges = json_u64(&o, "edges", no);
        r->components = tc ? 0 : json_u64(&o, "components", no);
        r->largest = tc ? 0 : json_u64(&o, "largest", no);
        r->triangles = tc ? json_u64(&o, "triangles", no) : 0;
        r->new_triangles = tc ? json_u64(&o, "new_triangles", no) : 0;
        r->removed_triangles = tc ? json_u64(&o, "removed_triangles", no) : 0;
        res->seconds[res->n++] = json_must(&o, "seconds")->d;
    }
}

static int collect(const struct gy_graph_result *r, double seconds, void *arg)
{
    struct results *res = arg;

    if (res->n == MAX_EPOCHS)
        return -1;
    res->seconds[res->n] = seconds;
    res->r[res->n++] = *r;
    return 0;
}

/* The driver called directly: the path gyre takes, minus the command line. */
static void run_driver(const char *spec, bool tc, uint32_t workers, uint64_t batch,
                       struct results *res)
{
    struct gy_algo_run_cfg cfg;
    char err[512];
    int rc;

    memset(res, 0, sizeof(*res));
    gy_algo_run_cfg_init(&cfg);
    cfg.input.spec = spec;
    cfg.input.epochs.batch = batch;
    cfg.workers = workers;
    cfg.no_pin = true;
    cfg.algo = tc ? gy_tc : gy_cc;
    cfg.report = collect;
    cfg.arg = res;
    rc = gy_algo_run(&cfg, NULL, err, sizeof(err));
    if (rc != 0)
        fail_msg("gy_algo_run(%s): %s", spec, err);
}

/* The fields the command prints, compared epoch by epoch. */
static void assert_same_results(const struct results *got, const struct results *want,
                                bool tc, const char *what)
{
    if (got->n != want->n)
        fail_msg("%s: %zu epochs, expected %zu", what, got->n, want->n);
    for (size_t k = 0; k < got->n; k++) {
        const struct gy_graph_result *g = &got->r[k], *w = &want->r[k];
        bool same = g->epoch == w->epoch && g->vertices == w->vertices && g->edges == w->edges &&
                    (tc ? g->triangles == w->triangles && g->new_triangles == w->new_triangles &&
                              g->removed_triangles == w->removed_triangles
                        : g->components == w->components && g->largest == w->largest);
        if (!same)
            fail_msg("%s: epoch %llu: got v=%llu e=%llu c=%llu l=%llu t=%llu n=%llu r=%llu; "
                     "expected epoch %llu v=%llu e=%llu c=%llu l=%llu t=%llu n=%llu r=%llu",
                     what, (unsigned long long)g->epoch, (unsigned long long)g->vertices,
                     (unsigned long long)g->edges, (unsigned long long)g->components,
                     (unsigned long long)g->largest, (unsigned long long)g->triangles,
                     (unsigned long long)g->new_triangles,
                     (unsigned long long)g->removed_triangles, (unsigned long long)w->epoch,
                     (unsigned long long)w->vertices, (unsigned long long)w->edges,
                     (unsigned long long)w->components, (unsigned long long)w->largest,
                     (unsigned long long)w->triangles, (unsigned long long)w->new_triangles,
                     (unsigned long long)w->removed_triangles);
    }
}

/* seconds: present, finite, >= 0 and nondecreasing from epoch to epoch. */
static void assert_seconds(const struct results *res)
{
    for (size_t k = 0; k < res->n; k++) {
        assert_true(res->seconds[k] >= 0.0 && res->seconds[k] < 3600.0);
        if (k > 0)
            assert_true(res->seconds[k] >= res->seconds[k - 1]);
    }
}

/* ---- seeded random inputs and the igraph oracle -------------------------------- */

/* One line of an input: an insert or delete of {u, v} (u == v: a self-loop). */
struct line {
    uint64_t u, v;
    int sign;
};

/* Vertex i's id in the files: sparse and unordered, so that ids are not indices. */
static uint64_t vid(uint64_t i)
{
    return 1000003 * ((i * 37) % 101) + 7;
}

/*
 * m lines over n <= 101 vertices: mostly inserts (some repeated, some
 * self-loops); with deletes, about one line in six deletes an edge that is
 * present at that point, so the stream is valid.
 */
static size_t random_lines(uint64_t seed, uint64_t n, size_t m, bool deletes, struct line *out)
{
    static int64_t count[101][101];
    uint64_t present[101 * 101];

    memset(count, 0, sizeof(count));
    for (size_t k = 0; k < m; k++) {
        uint64_t a = ts_rng_next(&seed) % n, b = ts_rng_next(&seed) % n, np = 0;
        bool del = deletes && ts_rng_next(&seed) % 6 == 0;
        for (uint64_t i = 0; del && i < n * n; i++)
            if (count[i / n][i % n] > 0)
                present[np++] = i;
        if (del && np > 0) {
            uint64_t pick = present[ts_rng_next(&seed) % np];
            a = pick / n;
            b = pick % n;
        }
        del = del && np > 0;
        out[k] = (struct line){.u = vid(a), .v = vid(b), .sign = del ? -1 : 1};
        if (a != b) {
            count[a][b] += out[k].sign;
            count[b][a] += out[k].sign;
        }
    }
    return m;
}

static const char *write_lines(const char *name, const struct line *l, size_t m, char *buf,
                               size_t len)
{
    struct ts_text t;
    char *text;

    ts_text_open(&t);
    fprintf(t.f, "# %zu lines\n", m);
    for (size_t k = 0; k < m; k++)
        fprintf(t.f, "%s%llu %llu\n", l[k].sign < 0 ? "- " : "", (unsigned long long)l[k].u,
                (unsigned long long)l[k].v);
    text = ts_text_close(&t);
    ts_write_text(ts_tmp_path(name, buf, len), text);
    free(text);
    return buf;
}

/* Index of id in the sorted ids[0..n-1]. */
static igraph_integer_t id_index(const uint64_t *ids, size_t n, uint64_t id)
{
    size_t lo = 0, hi = n;

    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (ids[mid] <= id)
            lo = mid;
        else
            hi = mid;
    }
    assert_true(n > 0 && ids[lo] == id);
    return (igraph_integer_t)lo;
}

/* The simple graph of lines[0..m-1]: sorted vertex ids, and its igraph graph. */
struct snapshot {
    uint64_t ids[202];
    size_t nv;
    igraph_t g;
};

/* Sets s->ids to the sorted distinct ids that lines[0..m-1] name. */
static void snapshot_ids(const struct line *l, size_t m, struct snapshot *s)
{
    uint64_t *all = malloc(2 * m * sizeof(uint64_t) + 1);
    size_t nv = 0;

    assert_non_null(all);
    for (size_t k = 0; k < m; k++) {
        all[2 * k] = l[k].u;
        all[2 * k + 1] = l[k].v;
    }
    qsort(all, 2 * m, sizeof(uint64_t), ts_cmp_u64);
    for (size_t i = 0; i < 2 * m; i++)
        if (nv == 0 || all[i] != s->ids[nv - 1]) {
            assert_true(nv < sizeof(s->ids) / sizeof(s->ids[0]));
            s->ids[nv++] = all[i];
        }
    s->nv = nv;
    free(all);
}

/* Builds s from lines[0..m-1]: an edge is present while inserted more often than deleted. */
static void build_snapshot(const struct line *l, size_t m, struct snapshot *s)
{
    static int64_t count[202][202];
    igraph_vector_int_t ev;

    snapshot_ids(l, m, s);
    memset(count, 0, sizeof(count));
    for (size_t k = 0; k < m; k++) {
        igraph_integer_t a = id_index(s->ids, s->nv, l[k].u), b = id_index(s->ids, s->nv, l[k].v);
        count[a < b ? a : b][a < b ? b : a] += a != b ? l[k].sign : 0;
    }
    assert_int_equal(igraph_vector_int_init(&ev, 0), 0);
    for (size_t a = 0; a < s->nv; a++)
        for (size_t b = a + 1; b < s->nv; b++)
            if (count[a][b] > 0) {
                assert_int_equal(igraph_vector_int_push_back(&ev, (igraph_integer_t)a), 0);
                assert_int_equal(igraph_vector_int_push_back(&ev, (igraph_integer_t)b), 0);
            }
    assert_int_equal(igraph_create(&s->g, &ev, (igraph_integer_t)s->nv, IGRAPH_UNDIRECTED), 0);
    igraph_vector_int_destroy(&ev);
}

/* A triangle as its three original ids, ascending. */
struct tri {
    uint64_t id[3];
};

static int cmp_tri(const void *a, const void *b)
{
    const struct tri *x = a, *y = b;

    for (int k = 0; k < 3; k++)
        if (x->id[k] != y->id[k])
            return x->id[k] < y->id[k] ? -1 : 1;
    return 0;
}

/* The triangles of s, sorted; *n of them in a malloc'ed array. */
static struct tri *triangle_set(const struct snapshot *s, size_t *n)
{
    igraph_vector_int_t t;
    struct tri *set;

    assert_int_equal(igraph_vector_int_init(&t, 0), 0);
    assert_int_equal(igraph_list_triangles(&s->g, &t), 0);
    *n = (size_t)igraph_vector_int_size(&t) / 3;
    set = malloc(*n * sizeof(*set) + 1);
    assert_non_null(set);
    for (size_t k = 0; k < *n; k++) {
        for (int j = 0; j < 3; j++)
            set[k].id[j] = s->ids[VECTOR(t)[3 * k + (size_t)j]];
        qsort(set[k].id, 3, sizeof(uint64_t), ts_cmp_u64);
    }
    qsort(set, *n, sizeof(*set), cmp_tri);
    igraph_vector_int_destroy(&t);
    return set;
}

/* |x \ y| for sorted sets. */
static uint64_t set_minus(const struct tri *x, size_t nx, const struct tri *y, size_t ny)
{
    uint64_t only = 0;
    size_t j = 0;

    for (size_t i = 0; i < nx; i++) {
        while (j < ny && cmp_tri(&y[j], &x[i]) < 0)
            j++;
        only += j == ny || cmp_tri(&y[j], &x[i]) != 0;
    }
    return only;
}

/* What igraph says about the graph of the first m lines; its triangles go to *tris. */
static void igraph_result(const struct line *l, size_t m, struct gy_graph_result *r,
                          struct tri **tris, size_t *ntris)
{
    struct snapshot s;
    igraph_vector_int_t csize;
    igraph_integer_t no;

    build_snapshot(l, m, &s);
    assert_int_equal(igraph_vector_int_init(&csize, 0), 0);
    assert_int_equal(igraph_connected_components(&s.g, NULL, &csize, &no, IGRAPH_WEAK), 0);
    r->vertices = s.nv;
    r->edges = (uint64_t)igraph_ecount(&s.g);
    r->components = (uint64_t)no;
    r->largest = no > 0 ? (uint64_t)igraph_vector_int_max(&csize) : 0;
    *tris = triangle_set(&s, ntris);
    r->triangles = *ntris;
    igraph_vector_int_destroy(&csize);
    igraph_destroy(&s.g);
}

/*
 * Per epoch of `batch` lines: igraph's figures for the prefix up to it. New
 * and removed triangles are those present now and not before, and present
 * before and not now (algorithms/tc.h).
 */
static void igraph_results(const struct line *l, size_t m, size_t batch, bool tc,
                           struct results *res)
{
    struct tri *prev = NULL, *cur;
    size_t nprev = 0, ncur;

    memset(res, 0, sizeof(*res));
    for (size_t end = batch; end - batch < m; end += batch) {
        struct gy_graph_result *r = &res->r[res->n];
        igraph_result(l, end < m ? end : m, r, &cur, &ncur);
        r->epoch = res->n++;
        if (tc) {
            r->new_triangles = set_minus(cur, ncur, prev, nprev);
            r->removed_triangles = set_minus(prev, nprev, cur, ncur);
            r->components = r->largest = 0;
        } else {
            r->triangles = 0;
        }
        free(prev);
        prev = cur;
        nprev = ncur;
    }
    free(prev);
}

/* ---- JSON against the driver and igraph ------------------------------------------ */

static void check_json_vs_driver(const char *spec, bool tc, const char *w, uint64_t batch)
{
    struct results got, want;
    struct outcome o;
    char bs[32], what[256];

    snprintf(bs, sizeof(bs), "%llu", (unsigned long long)batch);
    snprintf(what, sizeof(what), "gyre %s %s -w %s --batch %s --json", tc ? "tc" : "cc", spec,
             w, bs);
    run_gyre(&o, tc ? "tc" : "cc", spec, "-w", w, "--batch", bs, "--json", "--no-pin");
    if (o.status != 0)
        fail_msg("%s: exit %d: %s", what, o.status, o.err);
    parse_json_lines(o.out, tc, &got);
    assert_seconds(&got);
    run_driver(spec, tc, 2, batch, &want);
    assert_true(want.n > 1);
    assert_same_results(&got, &want, tc, what);
    /* The summary goes to stderr with --json: one line, with the epoch count. */
    assert_int_equal(count_lines(o.err), 1);
    snprintf(what, sizeof(what), "in %zu epochs", want.n);
    assert_non_null(strstr(o.err, what));
    outcome_free(&o);
}

static void test_cli_algo_json_matches_driver(void **state)
{
    static const char *const workers[] = {"1", "2", "3"};

    (void)state;
    for (int t = 0; t < 2; t++) {
        for (size_t k = 0; k < 3; k++) {
            check_json_vs_driver("rmat:10:8:5", t == 1, workers[k], 1500);
            check_json_vs_driver("er:3000:6000:9", t == 1, workers[k], 1000);
        }
    }
}

/* A file of inserts only, or with deletes, against igraph. */
static void check_json_vs_igraph(bool tc, bool deletes, uint64_t seed)
{
    struct line l[240];
    struct results got, want;
    struct outcome o;
    char path[256];
    size_t m = random_lines(seed, 40, 240, deletes, l);

    write_lines(deletes ? "del.txt" : "ins.txt", l, m, path, sizeof(path));
    run_gyre(&o, tc ? "tc" : "cc", path, "--batch", "30", "-w", "2", "--json", "--no-pin");
    if (o.status != 0)
        fail_msg("gyre %s %s: exit %d: %s", tc ? "tc" : "cc", path, o.status, o.err);
    parse_json_lines(o.out, tc, &got);
    igraph_results(l, m, 30, tc, &want);
    assert_same_results(&got, &want, tc, deletes ? "with deletes vs igraph" : "vs igraph");
    outcome_free(&o);
}

static void test_cli_algo_json_matches_igraph(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        check_json_vs_igraph(false, false, seed);
        check_json_vs_igraph(false, true, seed);
        check_json_vs_igraph(true, false, seed);
        check_json_vs_igraph(true, true, seed);
    }
}

/* ---- the table --------------------------------------------------------------------- */

/* Reads the table's rows (lines that start with blanks and a digit) into
 * res; the header and the summary are checked for shape. */
static void parse_table(const char *out, bool tc, struct results *res)
{
    const char *p = out;
    size_t rows = 0;

    memset(res, 0, sizeof(*res));
    assert_non_null(strstr(out, "epoch"));
    assert_non_null(strstr(out, tc ? "triangles" : "components"));
    for (; *p; p += strcspn(p, "\n") + (p[strcspn(p, "\n")] != '\0')) {
        struct gy_graph_result *r = &res->r[rows];
        unsigned long long v[6] = {0};
        double s = -1;
        int n;
        if (p[strspn(p, " ")] < '0' || p[strspn(p, " ")] > '9')
            continue;
        assert_true(rows < MAX_EPOCHS);
        if (tc)
            n = sscanf(p, "%llu %llu %llu %llu %llu %llu %lf", &v[0], &v[1], &v[2], &v[3], &v[4],
                       &v[5], &s);
        else
            n = sscanf(p, "%llu %llu %llu %llu %llu %lf", &v[0], &v[1], &v[2], &v[3], &v[4], &s);
        assert_int_equal(n, tc ? 7 : 6);
        *r = (struct gy_graph_result){.epoch = v[0], .vertices = v[1], .edges = v[2]};
        if (tc) {
            r->triangles = v[3];
            r->new_triangles = v[4];
            r->removed_triangles = v[5];
        } else {
            r->components = v[3];
            r->largest = v[4];
        }
        res->seconds[rows++] = s;
    }
    res->n = rows;
}

static void check_table(bool tc)
{
    struct results table, json;
    struct outcome o, j;
    char want[64];

    run_gyre(&o, tc ? "tc" : "cc", "rmat:9:8:3", "--batch", "700", "-w", "2", "--no-pin");
    run_gyre(&j, tc ? "tc" : "cc", "rmat:9:8:3", "--batch", "700", "-w", "2", "--no-pin",
             "--json");
    assert_int_equal(o.status, 0);
    assert_int_equal(j.status, 0);
    parse_table(o.out, tc, &table);
    parse_json_lines(j.out, tc, &json);
    /* 2^9 * 8 = 4096 lines in epochs of 700: 6 epochs, one row each. */
    assert_int_equal(table.n, 6);
    assert_same_results(&table, &json, tc, "table vs JSON");
    /* Header, 6 rows, summary: nothing else on stdout, nothing on stderr. */
    assert_int_equal(count_lines(o.out), 8);
    snprintf(want, sizeof(want), "%s: 4096 edges read in 6 epochs", tc ? "tc" : "cc");
    assert_non_null(strstr(o.out, want));
    assert_string_equal(o.err, "");
    outcome_free(&o);
    outcome_free(&j);
}

static void test_cli_algo_table(void **state)
{
    (void)state;
    check_table(false);
    check_table(true);
}

/* -w 0, -w auto and no -w at all mean one worker per core; the summary says how many. */
static void test_cli_algo_workers(void **state)
{
    static const char *const forms[][2] = {{"-w", "0"}, {"-w", "auto"}, {"--workers", "3"},
                                           {"--no-pin", "--no-pin"}};
    char want[64];

    (void)state;
    for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
        struct outcome o;
        uint32_t w = k == 2 ? 3 : gy_runtime_cores();
        run_gyre(&o, "cc", "rmat:6", forms[k][0], forms[k][1]);
        assert_int_equal(o.status, 0);
        snprintf(want, sizeof(want), "on %u worker%s,", w, w == 1 ? "" : "s");
        if (strstr(o.out, want) == NULL)
            fail_msg("gyre cc rmat:6 %s %s: no '%s' in '%s'", forms[k][0], forms[k][1], want,
                     o.out);
        outcome_free(&o);
    }
}

/* ---- help ----------------------------------------------------------------------------- */

static const char *const OPTIONS[] = {
    " -w", "--workers", "--batch", "--window", "--lateness", "--drop-late", "--format",
    "--time-column", "--sign-column", "--skip-bad", "--no-pin", "--max-open", "--json",
    "--help", NULL,
};

/* Every "--name" help mentions is an option the parser knows. */
static void check_help_options_accepted(const char *cmd, const char *help)
{
    for (const char *p = strstr(help, "--"); p; p = strstr(p + 2, "--")) {
        char opt[64];
        struct outcome o;
        size_t n = 2 + strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");
        if (n == 2 || n >= sizeof(opt) || (p > help && p[-1] != ' ' && p[-1] != '['))
            continue;
        snprintf(opt, sizeof(opt), "%.*s", (int)n, p);
        run_gyre(&o, cmd, opt);
        if (strstr(o.err, "unknown option") != NULL)
            fail_msg("gyre %s --help mentions %s, which gyre %s rejects: %s", cmd, opt, cmd,
                     o.err);
        outcome_free(&o);
    }
}

static void check_help(const char *cmd, bool labels)
{
    struct outcome o;

    run_gyre(&o, cmd, "--help");
    assert_int_equal(o.status, 0);
    for (int k = 0; OPTIONS[k]; k++)
        if (strstr(o.out, OPTIONS[k]) == NULL)
            fail_msg("gyre %s --help does not mention %s", cmd, OPTIONS[k]);
    assert_true((strstr(o.out, "--labels") != NULL) == labels);
    assert_non_null(strstr(o.out, "example"));
    assert_non_null(strstr(o.out, "rmat:"));
    assert_non_null(strstr(o.out, "er:"));
    check_help_options_accepted(cmd, o.out);
    outcome_free(&o);
}

static void test_cli_algo_help(void **state)
{
    struct outcome o;

    (void)state;
    check_help("cc", true);
    check_help("tc", false);
    run_gyre(&o, "--help");
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "\n  cc "));
    assert_non_null(strstr(o.out, "\n  tc "));
    assert_non_null(strstr(o.out, "example"));
    outcome_free(&o);
}

/* ---- bad input -------------------------------------------------------------------------- */

/* Exit status `status`, exactly one line on stderr containing `needle`. */
static void expect_error(struct outcome *o, int status, const char *needle, const char *what)
{
    if (o->status != status || count_lines(o->err) != 1 || strstr(o->err, needle) == NULL)
        fail_msg("%s: exit %d, stderr '%s'; expected exit %d and one line with '%s'", what,
                 o->status, o->err, status, needle);
    outcome_free(o);
}

static void test_cli_algo_bad_input(void **state)
{
    char bad[256], del[256], missing[256], want[300];
    struct outcome o;

    (void)state;
    ts_write_text(ts_tmp_path("bad.txt", bad, sizeof(bad)), "1 2\n2 3\n3 x\n4 5\n");
    ts_write_text(ts_tmp_path("baddel.txt", del, sizeof(del)), "1 2\n2 3\n- 3 4\n");
    ts_tmp_path("missing.txt", missing, sizeof(missing));

    run_gyre(&o, "cc", missing);
    expect_error(&o, 1, missing, "missing file");
    snprintf(want, sizeof(want), "%s:3:", bad);
    run_gyre(&o, "cc", bad, "-w", "2");
    assert_string_equal(o.out, "");
    expect_error(&o, 1, want, "malformed line");
    run_gyre(&o, "tc", bad, "--json");
    expect_error(&o, 1, want, "malformed line, tc");
    snprintf(want, sizeof(want), "%s:3", del);
    run_gyre(&o, "cc", del);
    expect_error(&o, 1, want, "delete of an absent edge");
    run_gyre(&o, "tc", del);
    expect_error(&o, 1, want, "delete of an absent edge, tc");

    run_gyre(&o, "cc", "rmat:x");
    expect_error(&o, 2, "rmat:x", "bad generator spec");
    run_gyre(&o, "tc", "er:10");
    expect_error(&o, 2, "er:10", "bad generator spec");
    run_gyre(&o, "cc", "rmat:99");
    expect_error(&o, 2, "rmat:99", "generator scale out of range");
    run_gyre(&o, "cc", "rmat:8", "--frobnicate");
    expect_error(&o, 2, "--frobnicate", "unknown option");
    run_gyre(&o, "tc", "rmat:8", "--labels", "x");
    expect_error(&o, 2, "--labels", "--labels on tc");
    run_gyre(&o, "cc", "rmat:8", "--batch", "ten");
    expect_error(&o, 2, "ten", "bad number");
    run_gyre(&o, "cc");
    expect_error(&o, 2, "input", "no input");
    run_gyre(&o, "cc", "rmat:8", "--batch", "5", "--window", "5");
    expect_error(&o, 2, "--window", "batch and window");
}

static void test_cli_algo_skip_bad(void **state)
{
    char bad[256], del[256];
    struct results res;
    struct outcome o;

    (void)state;
    ts_write_text(ts_tmp_path("skip.txt", bad, sizeof(bad)), "1 2\n2 3\n3 x\n4 5\n\n6\n5 6\n");
    run_gyre(&o, "cc", bad, "--skip-bad", "--json");
    assert_int_equal(o.status, 0);
    parse_json_lines(o.out, false, &res);
    assert_int_equal(res.n, 1);
    /* 1-2-3 and 4-5-6 remain: 6 vertices, 4 edges, 2 components of 3. */
    assert_int_equal(res.r[0].vertices, 6);
    assert_int_equal(res.r[0].edges, 4);
    assert_int_equal(res.r[0].components, 2);
    assert_int_equal(res.r[0].largest, 3);
    assert_non_null(strstr(o.err, "skipped 2 bad lines"));
    assert_non_null(strstr(o.err, "3, 6"));
    outcome_free(&o);

    ts_write_text(ts_tmp_path("skipdel.txt", del, sizeof(del)), "1 2\n- 3 4\n2 3\n");
    run_gyre(&o, "cc", del, "--skip-bad");
    assert_int_equal(o.status, 0);
    assert_non_null(strstr(o.out, "skipped 1 delete of absent edges"));
    outcome_free(&o);
}

/* ---- labels ------------------------------------------------------------------------------- */

/* Reads "vertex label" lines; checks them against igraph's components of
 * the same lines, each labelled with the smallest id in it. */
static void check_labels(const char *path, const struct line *l, size_t m)
{
    struct snapshot s;
    igraph_vector_int_t memb;
    uint64_t minid[202];
    unsigned long long v, lab;
    size_t k = 0;
    FILE *f = fopen(path, "r");

    assert_non_null(f);
    build_snapshot(l, m, &s);
    assert_int_equal(igraph_vector_int_init(&memb, 0), 0);
    assert_int_equal(igraph_connected_components(&s.g, &memb, NULL, NULL, IGRAPH_WEAK), 0);
    for (size_t i = 0; i < s.nv; i++)
        minid[i] = UINT64_MAX;
    for (size_t i = 0; i < s.nv; i++) {
        igraph_integer_t c = VECTOR(memb)[i];
        minid[c] = s.ids[i] < minid[c] ? s.ids[i] : minid[c];
    }
    for (; fscanf(f, "%llu %llu", &v, &lab) == 2; k++) {
        assert_true(k < s.nv);
        assert_int_equal(v, s.ids[k]); /* every vertex once, ascending */
        assert_int_equal(lab, minid[VECTOR(memb)[k]]);
    }
    assert_true(feof(f));
    assert_int_equal(k, s.nv);
    fclose(f);
    igraph_vector_int_destroy(&memb);
    igraph_destroy(&s.g);
}

static void test_cli_algo_labels(void **state)
{
    struct line l[120];
    char in[256], out[256];
    struct outcome o;

    (void)state;
    for (uint64_t seed = 11; seed <= 13; seed++) {
        /* 90 vertices and ~100 lines: several components and isolated vertices. */
        size_t m = random_lines(seed, 90, 100, seed == 13, l);
        write_lines("labels_in.txt", l, m, in, sizeof(in));
        ts_tmp_path("labels.txt", out, sizeof(out));
        run_gyre(&o, "cc", in, "--labels", out, "-w", "3", "--batch", "17", "--no-pin");
        if (o.status != 0)
            fail_msg("gyre cc --labels: exit %d: %s", o.status, o.err);
        check_labels(out, l, m);
        outcome_free(&o);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_cli_algo_json_checker, free_outputs),
        cmocka_unit_test_teardown(test_cli_algo_json_matches_driver, free_outputs),
        cmocka_unit_test_teardown(test_cli_algo_json_matches_igraph, free_outputs),
        cmocka_unit_test_teardown(test_cli_algo_table, free_outputs),
        cmocka_unit_test_teardown(test_cli_algo_workers, free_outputs),
        cmocka_unit_test_teardown(test_cli_algo_help, free_outputs),
        cmocka_unit_test_teardown(test_cli_algo_bad_input, free_outputs),
        cmocka_unit_test_teardown(test_cli_algo_skip_bad, free_outputs),
        cmocka_unit_test_teardown(test_cli_algo_labels, free_outputs),
    };

    return cmocka_run_group_tests_name("cli_algo", tests, setup, ts_tmpdir_teardown);
}
