/*
 * Tests of incremental connected components (algorithms/cc.h), run through
 * the algorithm driver on 1, 2, 3 and 8 workers:
 *  - every real graph of the shared data directory, whole and in epochs,
 *    against oracle.tsv (python-igraph) for the final epoch and against a
 *    sequential replay for every epoch (a plain union-find written here
 *    while the stream only inserts; igraph_connected_components on the
 *    edges present after each epoch once it deletes);
 *  - seeded random streams with duplicates, self-loops, huge ids and
 *    deletes (many of forest edges, so components split), every epoch
 *    against igraph, also streams that insert only for a long prefix (the
 *    sorted runs) before deleting (the switch to the edge table);
 *  - the labels file against igraph's membership mapped to the smallest id;
 *  - bad deletes (the error text, and skip_bad_deletes' count), a labels
 *    write error, epochs with gaps, an empty input;
 *  - the pieces (union-find, edge table, vertex map, the radix sort and
 *    the sorted runs) against brute force.
 * GY_TEST_SCALE=n multiplies the random streams' lengths.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <igraph.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "algorithms/cc.h"
#include "algorithms/cc_internal.h"
#include "algorithms/driver.h"
#include "algorithms/uf.h"
#include "graph/edgefile.h"
#include "progress/alloc.h"
#include "tests/support/files.h"
#include "tests/support/oracle_tsv.h"
#include "tests/support/rng.h"
#include "tests/support/rows.h"

/* ---- running gy_cc through the driver ---- */

struct results {
    struct gy_graph_result *r;
    size_t n, cap;
};

static void results_push(struct results *res, const struct gy_graph_result *r)
{
    if (res->n == res->cap) {
        res->cap = res->cap ? 2 * res->cap : 64;
        res->r = realloc(res->r, res->cap * sizeof(*res->r));
        assert_non_null(res->r);
    }
    res->r[res->n++] = *r;
}

static int collect(const struct gy_graph_result *r, double seconds, void *arg)
{
    (void)seconds;
    results_push(arg, r);
    return 0;
}

struct run_opts {
    uint32_t workers;
    uint64_t batch;            /* edge lines per epoch, 0 = one epoch */
    bool skip_bad_deletes;
    const char *labels_path;
    unsigned time_column;      /* epochs by time windows of width 1 when set */
};

/* Runs cc over spec; returns gy_algo_run's code, results in *res, message in err. */
static int run_cc(const char *spec, const struct run_opts *o, struct results *res, char *err,
                  size_t errlen)
{
    struct gy_algo_run_cfg cfg;

    memset(res, 0, sizeof(*res));
    gy_algo_run_cfg_init(&cfg);
    cfg.input.spec = spec;
    cfg.input.epochs.batch = o->batch;
    if (o->time_column) {
        cfg.input.file.time_column = o->time_column;
        cfg.input.epochs.mode = GY_EPOCHS_TIME;
        cfg.input.epochs.width = 1;
    }
    cfg.workers = o->workers;
    cfg.no_pin = true;
    cfg.algo = gy_cc;
    cfg.opts.skip_bad_deletes = o->skip_bad_deletes;
    cfg.opts.labels_path = o->labels_path;
    cfg.report = collect;
    cfg.arg = res;
    err[0] = '\0';
    return gy_algo_run(&cfg, NULL, err, errlen);
}

/* ---- the oracle: a sequential replay of the stream ---- */

struct pair {
    uint32_t a, b; /* dense ids into ids[], a < b */
};

struct sim {
    uint64_t *ids;       /* every id of the stream, sorted, distinct */
    size_t nids;
    struct pair *pairs;  /* every non-loop pair of the stream, sorted, distinct */
    size_t npairs;
    uint32_t *count;     /* [npairs] copies present */
    bool *named;         /* [nids] */
    uint64_t nnamed, distinct, bad;
    bool dynamic;        /* a delete removed an edge: the union-find below is void */
    uint32_t *parent, *size; /* a plain union-find over ids, while !dynamic */
    uint64_t unions, largest;
    uint64_t bad_line, bad_u, bad_v; /* the first bad delete (skip off) */
};

static int cmp_pair(const void *x, const void *y)
{
    const struct pair *p = x, *q = y;
    if (p->a != q->a)
        return (p->a > q->a) - (p->a < q->a);
    return (p->b > q->b) - (p->b < q->b);
}

static uint32_t id_of(const struct sim *s, uint64_t v)
{
    const uint64_t *p = bsearch(&v, s->ids, s->nids, sizeof(*p), ts_cmp_u64);
    assert_non_null(p);
    return (uint32_t)(p - s->ids);
}

static size_t pair_of(const struct sim *s, uint64_t u, uint64_t v)
{
    uint32_t a = id_of(s, u), b = id_of(s, v);
    struct pair key = {a < b ? a : b, a < b ? b : a};
    const struct pair *p = bsearch(&key, s->pairs, s->npairs, sizeof(*p), cmp_pair);
    assert_non_null(p);
    return (size_t)(p - s->pairs);
}

static void sim_init(struct sim *s, const struct gy_edge *e, size_t n)
{
    size_t k = 0;

    memset(s, 0, sizeof(*s));
    s->ids = malloc((2 * n + 1) * sizeof(*s->ids));
    s->pairs = malloc((n + 1) * sizeof(*s->pairs));
    assert_true(s->ids && s->pairs);
    for (size_t i = 0; i < n; i++) {
        s->ids[2 * i] = e[i].u;
        s->ids[2 * i + 1] = e[i].v;
    }
    qsort(s->ids, 2 * n, sizeof(*s->ids), ts_cmp_u64);
    for (size_t i = 0; i < 2 * n; i++)
        if (k == 0 || s->ids[k - 1] != s->ids[i])
            s->ids[k++] = s->ids[i];
    s->nids = k;
    for (size_t i = 0; i < n; i++)
        if (e[i].u != e[i].v) {
            uint32_t a = id_of(s, e[i].u), b = id_of(s, e[i].v);
            s->pairs[s->npairs++] = (struct pair){a < b ? a : b, a < b ? b : a};
        }
    qsort(s->pairs, s->npairs, sizeof(*s->pairs), cmp_pair);
    k = 0;
    for (size_t i = 0; i < s->npairs; i++)
        if (k == 0 || cmp_pair(&s->pairs[k - 1], &s->pairs[i]) != 0)
            s->pairs[k++] = s->pairs[i];
    s->npairs = k;
    s->count = calloc(s->npairs + 1, sizeof(*s->count));
    s->named = calloc(s->nids + 1, sizeof(*s->named));
    s->parent = malloc((s->nids + 1) * sizeof(*s->parent));
    s->size = malloc((s->nids + 1) * sizeof(*s->size));
    assert_true(s->count && s->named && s->parent && s->size);
    for (size_t i = 0; i < s->nids; i++) {
        s->parent[i] = (uint32_t)i;
        s->size[i] = 1;
    }
}

static void sim_free(struct sim *s)
{
    free(s->ids);
    free(s->pairs);
    free(s->count);
    free(s->named);
    free(s->parent);
    free(s->size);
}

static uint32_t sim_root(struct sim *s, uint32_t x)
{
    while (s->parent[x] != x)
        x = s->parent[x];
    return x;
}

static void sim_name(struct sim *s, uint64_t v)
{
    uint32_t d = id_of(s, v);

    if (!s->named[d]) {
        s->named[d] = true;
        s->nnamed++;
        if (s->largest == 0)
            s->largest = 1;
    }
}

static void sim_unite(struct sim *s, uint64_t u, uint64_t v)
{
    uint32_t a = sim_root(s, id_of(s, u)), b = sim_root(s, id_of(s, v));

    if (a == b)
        return;
    if (s->size[a] > s->size[b]) { /* by size: paths stay logarithmic */
        uint32_t t = a;
        a = b;
        b = t;
    }
    s->parent[a] = b;
    s->size[b] += s->size[a];
    s->unions++;
    if (s->size[b] > s->largest)
        s->largest = s->size[b];
}

/* Applies one line. Returns false at a bad delete with skip off. */
static bool sim_apply(struct sim *s, const struct gy_edge *e, uint64_t line, bool skip)
{
    size_t p;

    if (e->u == e->v) {
        sim_name(s, e->u);
        return true;
    }
    p = pair_of(s, e->u, e->v);
    if (e->sign > 0) {
        sim_name(s, e->u);
        sim_name(s, e->v);
        if (s->count[p]++ == 0) {
            s->distinct++;
            sim_unite(s, e->u, e->v);
        }
        return true;
    }
    if (s->count[p] == 0) {
        s->bad++;
        if (!skip && s->bad_line == 0) {
            s->bad_line = line;
            s->bad_u = e->u;
            s->bad_v = e->v;
        }
        return skip;
    }
    if (--s->count[p] == 0) {
        s->distinct--;
        s->dynamic = true;
    }
    return true;
}

/* igraph's components over every id of the stream with the edges present;
 * membership (may be NULL) gets each id's component. */
static void sim_igraph(const struct sim *s, uint64_t *comps, uint64_t *largest,
                       igraph_vector_int_t *membership)
{
    igraph_vector_int_t ev, memb, csize;
    igraph_integer_t no;
    igraph_t g;

    assert_int_equal(igraph_vector_int_init(&ev, 0), IGRAPH_SUCCESS);
    for (size_t i = 0; i < s->npairs; i++)
        if (s->count[i] > 0) {
            assert_int_equal(igraph_vector_int_push_back(&ev, s->pairs[i].a), IGRAPH_SUCCESS);
            assert_int_equal(igraph_vector_int_push_back(&ev, s->pairs[i].b), IGRAPH_SUCCESS);
        }
    assert_int_equal(igraph_create(&g, &ev, (igraph_integer_t)s->nids, IGRAPH_UNDIRECTED),
                     IGRAPH_SUCCESS);
    assert_int_equal(igraph_vector_int_init(&memb, 0), IGRAPH_SUCCESS);
    assert_int_equal(igraph_vector_int_init(&csize, 0), IGRAPH_SUCCESS);
    assert_int_equal(igraph_connected_components(&g, &memb, &csize, &no, IGRAPH_WEAK),
                     IGRAPH_SUCCESS);
    /* Ids not named yet have no edge: each is a component of one to discount. */
    *comps = (uint64_t)no - (s->nids - s->nnamed);
    *largest = s->nnamed ? (uint64_t)igraph_vector_int_max(&csize) : 0;
    if (membership)
        assert_int_equal(igraph_vector_int_update(membership, &memb), IGRAPH_SUCCESS);
    igraph_vector_int_destroy(&csize);
    igraph_vector_int_destroy(&memb);
    igraph_destroy(&g);
    igraph_vector_int_destroy(&ev);
}

static struct gy_graph_result sim_result(const struct sim *s, uint64_t epoch)
{
    struct gy_graph_result r = {.epoch = epoch, .vertices = s->nnamed, .edges = s->distinct,
                                .bad_deletes = s->bad};

    if (s->dynamic) {
        sim_igraph(s, &r.components, &r.largest, NULL);
    } else {
        r.components = s->nnamed - s->unions;
        r.largest = s->largest;
    }
    return r;
}

/* Replays e[0..n) (lines[] their line numbers) in epochs of batch lines;
 * expected results into *want. Stops at a bad delete with skip off. */
static void sim_run(struct sim *s, const struct gy_edge *e, const uint64_t *lines, size_t n,
                    uint64_t batch, bool skip, struct results *want)
{
    memset(want, 0, sizeof(*want));
    for (size_t i = 0; i < n; i++) {
        uint64_t ep = batch ? i / batch : 0;
        if (!sim_apply(s, &e[i], lines[i], skip))
            return;
        if (i + 1 == n || (batch && (i + 1) % batch == 0)) {
            struct gy_graph_result r = sim_result(s, ep);
            results_push(want, &r);
        }
    }
}

/* ---- inputs ---- */

struct input {
    struct gy_edge *e;
    uint64_t *lines;
    size_t n;
};

static void input_read(const char *path, struct input *in)
{
    char err[GY_EDGES_ERRLEN];
    gy_edges_t *f;

    if (gy_edges_open(path, NULL, &f, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    if (gy_edges_read_all(f, &in->e, &in->lines, &in->n, NULL, err, sizeof(err)) != 0)
        fail_msg("%s", err);
    gy_edges_close(f);
}

static void input_free(struct input *in)
{
    gy_free(in->e);
    gy_free(in->lines);
}

static void expect_results(const char *what, const struct results *got,
                           const struct results *want)
{
    if (got->n != want->n)
        fail_msg("%s: %zu results, expected %zu", what, got->n, want->n);
    for (size_t i = 0; i < got->n; i++) {
        const struct gy_graph_result *g = &got->r[i], *w = &want->r[i];
        if (g->epoch != w->epoch || g->vertices != w->vertices || g->edges != w->edges ||
            g->components != w->components || g->largest != w->largest ||
            g->bad_deletes != w->bad_deletes || g->triangles != 0)
            fail_msg("%s: epoch %lu: got V=%lu E=%lu C=%lu L=%lu bad=%lu, expected epoch %lu "
                     "V=%lu E=%lu C=%lu L=%lu bad=%lu", what, (unsigned long)g->epoch,
                     (unsigned long)g->vertices, (unsigned long)g->edges,
                     (unsigned long)g->components, (unsigned long)g->largest,
                     (unsigned long)g->bad_deletes, (unsigned long)w->epoch,
                     (unsigned long)w->vertices, (unsigned long)w->edges,
                     (unsigned long)w->components, (unsigned long)w->largest,
                     (unsigned long)w->bad_deletes);
    }
}

/* Writes edges as a signed text edge list into a new temp file (path:
 * TS_PATH_MAX bytes). */
static void write_stream(const struct gy_edge *e, size_t n, char *path)
{
    char err[GY_EDGES_ERRLEN];
    gy_edges_writer_t *w;

    ts_temp_file("gy_test_cc_", path, TS_PATH_MAX);
    if (gy_edges_writer_open(path, GY_EDGES_TEXT, GY_EDGES_HAS_SIGN, &w, err, sizeof(err)) != 0 ||
        gy_edges_writer_put(w, e, n, err, sizeof(err)) != 0 ||
        gy_edges_writer_close(w, err, sizeof(err)) != 0)
        fail_msg("%s", err);
}

/* ---- the pieces against brute force ---- */

static void test_cc_union_find(void **state)
{
    enum { N = 300 };
    struct gy_uf uf;
    uint32_t label[N];
    uint64_t rng = 7;
    (void)state;

    gy_uf_init(&uf);
    assert_int_equal(gy_uf_grow(&uf, N), 0);
    for (uint32_t i = 0; i < N; i++)
        label[i] = i;
    for (int step = 0; step < 400; step++) {
        uint32_t a = ts_rng_below(&rng, N), b = ts_rng_below(&rng, N);
        uint32_t la = label[a], lb = label[b], r = gy_uf_union(&uf, a, b), members = 0;
        assert_int_equal(r == GY_UF_NONE, la == lb);
        for (uint32_t i = 0; i < N; i++) {
            if (label[i] == lb)
                label[i] = la;
            members += label[i] == la;
        }
        if (r != GY_UF_NONE)
            assert_int_equal(gy_uf_root_size(&uf, r), members);
        for (uint32_t i = 0; i < N; i++)
            assert_int_equal(gy_uf_find(&uf, i) == gy_uf_find(&uf, a), label[i] == la);
    }
    gy_uf_reset(&uf);
    for (uint32_t i = 0; i < N; i++)
        assert_int_equal(gy_uf_find(&uf, i), i);
    assert_int_equal(gy_uf_grow(&uf, GY_UF_MAX + 1u), -EOVERFLOW);
    gy_uf_destroy(&uf);
}

/* Small and large tables: zeroed, writable to the end, aligned (16 bytes;
 * large ones start on a 2 MiB boundary), and an injected failure of either
 * kind gives NULL and nothing to free. Under ASan a small table's writes
 * past its end or a lost allocation fail the run. */
static void test_cc_table_alloc(void **state)
{
    const size_t sizes[] = {1, 1000, ((size_t)4 << 20) / 8 - 1, (size_t)4 << 20,
                            ((size_t)9 << 20) + 3};
    (void)state;

    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        size_t n = sizes[i];
        void *raw;
        uint64_t *t = gy__cc_table_alloc(n, sizeof(*t), &raw);
        assert_non_null(t);
        assert_non_null(raw);
        assert_int_equal((uintptr_t)t % 16, 0);
        if (n * sizeof(*t) >= (size_t)4 << 20)
            assert_int_equal((uintptr_t)t % ((size_t)2 << 20), 0);
        for (size_t k = 0; k < n; k += 511)
            assert_int_equal(t[k], 0);
        assert_int_equal(t[n - 1], 0);
        t[0] = t[n - 1] = ~(uint64_t)0;
        gy__cc_table_free(raw);
        gy_alloc_fail_after(1);
        t = gy__cc_table_alloc(n, sizeof(*t), &raw);
        gy_alloc_fail_after(0);
        assert_null(t);
        assert_null(raw);
        gy__cc_table_free(raw);
    }
    assert_null(gy__cc_table_alloc(SIZE_MAX / 4, 8, &(void *){NULL}));
}

/* Inserts and deletes over a small key space (long probe runs, wrap-around,
 * many edges with several copies) against a count per key. */
static void test_cc_edge_table(void **state)
{
    enum { KEYS = 5000 };
    static uint32_t want[KEYS];
    struct gy__cc_etab t;
    uint64_t rng = 11;
    size_t live = 0;
    (void)state;

    memset(want, 0, sizeof(want));
    gy__cc_etab_init(&t);
    for (int step = 0; step < 200000; step++) {
        uint32_t k = ts_rng_below(&rng, KEYS);
        uint64_t key = gy__cc_pair_key(65536u + k * 7919u % 65536u, k), *s;
        bool fresh;
        if (ts_rng_next(&rng) % 3 != 0) {
            assert_int_equal(gy__cc_etab_reserve(&t, 1), 0);
            s = gy__cc_etab_upsert(&t, key, &fresh);
            assert_int_equal(fresh, want[k] == 0);
            if (fresh)
                *s |= (k % 2 ? GY__CC_TREE : 0); /* flags must survive moves */
            else
                assert_int_equal(gy__cc_etab_add_copy(&t, s), 0);
            live += fresh;
            want[k]++;
        } else if ((s = gy__cc_etab_find(&t, key)) != NULL) {
            assert_true(want[k] > 0);
            assert_int_equal((*s & GY__CC_TREE) != 0, k % 2);
            want[k]--;
            assert_int_equal(gy__cc_etab_drop_copy(&t, s), want[k]);
            if (want[k] == 0) {
                gy__cc_etab_remove(&t, s);
                live--;
            }
        } else {
            assert_int_equal(want[k], 0);
        }
        assert_int_equal(t.len, live);
    }
    for (uint32_t k = 0; k < KEYS; k++) {
        uint64_t *s = gy__cc_etab_find(&t, gy__cc_pair_key(65536u + k * 7919u % 65536u, k));
        assert_int_equal(s ? gy__cc_etab_copies(&t, s) : 0, want[k]);
    }
    gy__cc_etab_destroy(&t);
}

static void test_cc_vertex_map(void **state)
{
    static const uint64_t fixed[] = {0, 1, UINT64_MAX, GY__CC_DIRECT_MAX - 1, GY__CC_DIRECT_MAX,
                                     5000000, 1ULL << 40};
    enum { N = 8000 };
    static uint64_t ids[N];
    struct gy__cc_vmap m;
    uint64_t rng = 3;
    uint32_t d;
    (void)state;

    gy__cc_vmap_init(&m);
    for (size_t i = 0; i < N; i++)
        ids[i] = i < 7 ? fixed[i] : (i % 2 ? ts_rng_next(&rng) : ts_rng_next(&rng) % 100000);
    for (size_t i = 0; i < N; i++) {
        bool known = false;
        int rc;
        for (size_t j = 0; j < i && !known; j++)
            known = ids[j] == ids[i];
        assert_int_equal(gy__cc_vmap_find(&m, ids[i], &d), known);
        rc = gy__cc_vmap_map(&m, ids[i], &d);
        assert_int_equal(rc, known ? 0 : 1);
        assert_int_equal(m.orig[d], ids[i]);
        if (!known)
            assert_int_equal(d, m.n - 1);
    }
    for (uint32_t k = 0; k < m.n; k++) {
        assert_true(gy__cc_vmap_find(&m, m.orig[k], &d));
        assert_int_equal(d, k);
    }
    gy__cc_vmap_destroy(&m);
}

/* The radix sort against qsort: sizes around the insertion-sort cutoff,
 * ids of 1 to 30 bits (one to three digits per id, empty digits skipped). */
static void test_cc_runs_sort(void **state)
{
    static const unsigned bits[] = {1, 5, 11, 12, 20, 30};
    static const size_t sizes[] = {0, 1, 47, 48, 1000, 6000};
    enum { MAXN = 6000 };
    static uint64_t a[MAXN], tmp[MAXN], want[MAXN];
    struct gy__cc_runs r;
    uint64_t rng = 5;
    (void)state;

    gy__cc_runs_init(&r);
    for (size_t b = 0; b < sizeof(bits) / sizeof(bits[0]); b++)
        for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
            uint32_t lim = (uint32_t)1 << bits[b];
            uint64_t *got;
            for (size_t i = 0; i < sizes[k]; i++) {
                uint32_t da = (uint32_t)(ts_rng_next(&rng) % lim);
                /* db: sometimes one value only, so a digit pass is skipped */
                uint32_t db = k % 2 ? (uint32_t)(ts_rng_next(&rng) % lim) : lim - 1;
                a[i] = want[i] = gy__cc_run_word(da, db);
            }
            qsort(want, sizes[k], sizeof(*want), ts_cmp_u64);
            got = gy__cc_runs_sort(&r, a, tmp, sizes[k], bits[b]);
            assert_non_null(got);
            for (size_t i = 0; i < sizes[k]; i++)
                if (got[i] != want[i])
                    fail_msg("bits %u n %zu: [%zu] = %#lx, expected %#lx", bits[b], sizes[k], i,
                             (unsigned long)got[i], (unsigned long)want[i]);
        }
    gy__cc_runs_destroy(&r);
}

#define RUN_KEY (~(uint64_t)GY__CC_RUN_CMAX)

/* True if run holds the pair of word x (binary search, count bits ignored). */
static bool run_has(const struct gy__cc_run *run, uint64_t x)
{
    size_t lo = 0, hi = run->len;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((run->w[mid] & RUN_KEY) < (x & RUN_KEY))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < run->len && (run->w[lo] & RUN_KEY) == (x & RUN_KEY);
}

/* Each run strictly ascending by pair with counts 1..15, each holding more
 * than twice the epochs of the next newer one or more than four times its
 * words, and no pair in two runs. */
static void check_runs_shape(const struct gy__cc_runs *r)
{
    for (uint32_t k = 0; k < r->n; k++) {
        const struct gy__cc_run *run = &r->run[k];
        assert_true(run->len > 0 && run->len <= run->cap && run->adds > 0);
        if (k + 1 < r->n)
            assert_true(run->adds > 2 * r->run[k + 1].adds || run->len > 4 * r->run[k + 1].len);
        /* The fences of a long run: the pair of every 64th word. */
        assert_int_equal(run->nfence, run->len < ((size_t)1 << 15) ? 0 : (run->len + 63) / 64);
        for (size_t f = 0; f < run->nfence; f++)
            assert_int_equal(run->fence[f], run->w[64 * f] & RUN_KEY);
        for (size_t i = 0; i < run->len; i++) {
            assert_true((run->w[i] & GY__CC_RUN_CMAX) >= 1);
            if (i > 0)
                assert_true((run->w[i - 1] & RUN_KEY) < (run->w[i] & RUN_KEY));
            for (uint32_t o = k + 1; o < r->n; o++)
                assert_false(run_has(&r->run[o], run->w[i]));
        }
    }
}

/* The pair counts of test_cc_runs: so far, and of the epoch at hand. */
enum { RIDS = 90 };
static uint32_t runs_want[RIDS][RIDS], runs_ep[RIDS][RIDS];

/* n random pairs into a, counted in runs_ep; {3,7} twice in every epoch
 * (so it goes far past the 15 copies a run word holds). */
static void runs_epoch(uint64_t *rng, uint64_t *a, size_t n)
{
    memset(runs_ep, 0, sizeof(runs_ep));
    for (size_t i = 0; i < n; i++) {
        uint32_t da = i < 2 ? 3 : ts_rng_below(rng, RIDS);
        uint32_t db = i < 2 ? 7 : ts_rng_below(rng, RIDS);
        db = da == db ? (db + 1) % RIDS : db;
        a[i] = gy__cc_run_word(da, db);
        runs_ep[da][db]++;
    }
}

/* w[0 .. m): one word per pair of the epoch, ascending, when counted (its
 * copies, at most 15), else (new) the pairs no earlier epoch had. */
static void check_epoch_words(const uint64_t *w, size_t m, bool counted)
{
    size_t k = 0;

    for (uint32_t da = 0; da < RIDS; da++)
        for (uint32_t db = 0; db < RIDS; db++) {
            uint64_t c = runs_ep[da][db] < 15 ? runs_ep[da][db] : 15;
            if (runs_ep[da][db] == 0 || (!counted && runs_want[da][db] > 0))
                continue;
            assert_true(k < m);
            assert_int_equal(counted ? w[k] : w[k] & RUN_KEY,
                             gy__cc_run_word(da, db) | (counted ? c : 0));
            k++;
        }
    assert_int_equal(k, m);
}

/* Moves r into an edge table: distinct slots, each with runs_want copies
 * and no flags. */
static void check_to_etab(struct gy__cc_runs *r, size_t distinct)
{
    struct gy__cc_etab t;
    uint64_t *s;

    gy__cc_etab_init(&t);
    assert_int_equal(gy__cc_runs_to_etab(r, &t), 0);
    assert_int_equal(r->n, 0);
    assert_int_equal(t.len, distinct);
    for (uint32_t da = 0; da < RIDS; da++)
        for (uint32_t db = 0; db < RIDS; db++) {
            s = da != db ? gy__cc_etab_find(&t, gy__cc_pair_key(da, db)) : NULL;
            assert_int_equal(s ? gy__cc_etab_copies(&t, s) : 0, runs_want[da][db]);
            assert_int_equal(s ? *s & (GY__CC_TREE | GY__CC_TREE_NEW) : 0, 0);
        }
    gy__cc_etab_destroy(&t);
}

/*
 * Epochs of random pairs over a small id space (so pairs repeat within and
 * across epochs) through sort, count, fresh and add, against a count per
 * pair: each epoch's counted words, its new pairs and every pair's copies
 * after it; then the runs move into an edge table with the same counts.
 */
static void test_cc_runs(void **state)
{
    enum { EPOCHS = 60, MAXN = 700 };
    static uint64_t a[MAXN], tmp[MAXN];
    struct gy__cc_runs r;
    uint64_t rng = 17;
    size_t distinct = 0;
    (void)state;

    memset(runs_want, 0, sizeof(runs_want));
    gy__cc_runs_init(&r);
    for (int e = 0; e < EPOCHS; e++) {
        /* From 1 to MAXN lines, so runs of every length meet. */
        size_t n = e % 7 == 0 ? 1 : (size_t)ts_rng_below(&rng, MAXN) + 1, m;
        uint64_t *w;
        runs_epoch(&rng, a, n);
        w = gy__cc_runs_sort(&r, a, tmp, n, 7);
        assert_non_null(w);
        assert_int_equal(gy__cc_runs_count(&r, w, n, &m), 0);
        check_epoch_words(w, m, true);
        assert_int_equal(gy__cc_runs_fresh(&r, w, &m), 0);
        check_epoch_words(w, m, false);
        assert_int_equal(gy__cc_runs_add(&r, w, m), 0);
        distinct += m;
        for (uint32_t da = 0; da < RIDS; da++)
            for (uint32_t db = 0; db < RIDS; db++) {
                runs_want[da][db] += runs_ep[da][db];
                if (da != db)
                    assert_int_equal(gy__cc_runs_copies(&r, gy__cc_pair_key(da, db)),
                                     runs_want[da][db]);
            }
        check_runs_shape(&r);
    }
    assert_true(runs_want[3][7] > 100);
    check_to_etab(&r, distinct);
    gy__cc_runs_destroy(&r);
}

/* n new pairs, ascending, after those of *next (a pair counter), as
 * counted words of one copy each. */
static void fresh_words(uint64_t *w, size_t n, uint32_t *next)
{
    for (size_t i = 0; i < n; i++, (*next)++)
        w[i] = gy__cc_run_word(*next >> 10, (*next & 1023) + (1u << 20)) | 1;
}

/*
 * The merge policy. Two workers' shares of the same epochs differ a little
 * in size; their runs must still merge at the same epochs (so no worker
 * rewrites its biggest run while the others wait for it). And a huge first
 * epoch is not rewritten for every few small ones after it.
 */
static void test_cc_runs_policy(void **state)
{
    enum { EPOCHS = 300, SHARE = 1000, HUGE = 50000 };
    static uint64_t w[HUGE];
    struct gy__cc_runs r[2];
    uint32_t next[2] = {0, 0};
    uint64_t rng = 5;
    (void)state;

    gy__cc_runs_init(&r[0]);
    gy__cc_runs_init(&r[1]);
    for (int e = 0; e < EPOCHS; e++)
        for (int k = 0; k < 2; k++) {
            size_t n = SHARE - SHARE / 20 + (size_t)ts_rng_below(&rng, SHARE / 10);
            fresh_words(w, n, &next[k]);
            assert_int_equal(gy__cc_runs_add(&r[k], w, n), 0);
            check_runs_shape(&r[k]);
            if (k == 1) {
                assert_int_equal(r[0].n, r[1].n);
                for (uint32_t i = 0; i < r[0].n; i++)
                    assert_int_equal(r[0].run[i].adds, r[1].run[i].adds);
            }
        }
    gy__cc_runs_destroy(&r[0]);
    gy__cc_runs_init(&r[0]);
    next[0] = 0;
    fresh_words(w, HUGE, &next[0]);
    assert_int_equal(gy__cc_runs_add(&r[0], w, HUGE), 0);
    for (int e = 0; e < EPOCHS; e++) {
        fresh_words(w, 10, &next[0]);
        assert_int_equal(gy__cc_runs_add(&r[0], w, 10), 0);
        check_runs_shape(&r[0]);
    }
    assert_int_equal(r[0].run[0].adds, 1);
    assert_int_equal(r[0].run[0].len, HUGE);
    gy__cc_runs_destroy(&r[0]);
    gy__cc_runs_destroy(&r[1]);
}

/* A full stack of runs (no stream gets there: each run would need more
 * than twice the epochs of the next; made up here by setting every run's
 * epochs high) takes the next epoch into its newest run instead of a new
 * one, and every pair is still found once, with its count. */
static void test_cc_runs_full_stack(void **state)
{
    enum { EXTRA = 4 };
    static uint64_t w[GY__CC_RUNS_MAX + EXTRA];
    struct gy__cc_runs r;
    uint32_t next = 0;
    size_t m = GY__CC_RUNS_MAX + EXTRA;
    (void)state;

    gy__cc_runs_init(&r);
    for (uint32_t k = 0; k < GY__CC_RUNS_MAX; k++) {
        fresh_words(w, 1, &next);
        assert_int_equal(gy__cc_runs_add(&r, w, 1), 0);
        r.run[r.n - 1].adds = (uint64_t)1 << 40;
    }
    assert_int_equal(r.n, GY__CC_RUNS_MAX);
    fresh_words(w, EXTRA, &next);
    assert_int_equal(gy__cc_runs_add(&r, w, EXTRA), 0);
    assert_true(r.n <= GY__CC_RUNS_MAX);
    next = 0;
    fresh_words(w, m, &next);
    assert_int_equal(gy__cc_runs_fresh(&r, w, &m), 0);
    assert_int_equal(m, 0);
    for (uint32_t i = 0; i < GY__CC_RUNS_MAX + EXTRA; i++)
        assert_int_equal(gy__cc_runs_copies(&r, gy__cc_pair_key(gy__cc_run_a(w[i]),
                                                                gy__cc_run_b(w[i]))), 2);
    gy__cc_runs_destroy(&r);
}

/* n pairs into pairs[] over ids < ids: every other one (after the first
 * epoch) drawn from the nold pairs seen before. */
static void sparse_epoch(uint64_t *rng, uint64_t *pairs, size_t n, uint32_t ids,
                         const uint64_t *olds, size_t nold)
{
    for (size_t i = 0; i < n; i++) {
        uint32_t da = (uint32_t)(ts_rng_next(rng) % ids), db = (uint32_t)(ts_rng_next(rng) % ids);
        db = da == db ? (db + 1) % ids : db;
        pairs[i] = nold > 0 && i % 2 ? olds[ts_rng_next(rng) % nold] : gy__cc_run_word(da, db);
    }
}

/* An epoch size after the first: small ones (runs/epoch of 200 and more:
 * lookups through the fences and their 64-word blocks) alternating with
 * middling ones (a gap of about 36 to 90 words: the widest window). */
static size_t sparse_size(uint64_t *rng, int e, size_t big, size_t small)
{
    if (e % 2)
        return (size_t)ts_rng_below(rng, small) + 1;
    return big / 90 + (size_t)ts_rng_below(rng, big / 36 - big / 90);
}

/*
 * A big first epoch (a run long enough for fences), then smaller epochs
 * whose lookups are sparse (through the fences) or middling (wide windows):
 * half of their pairs old, half random. Each epoch's new pairs and the
 * copies of every pair it touched against a count per pair.
 */
static void test_cc_runs_sparse(void **state)
{
    enum { IDS = 1024, BIG = 60000, SMALLN = 300, EPOCHS = 40 };
    static uint16_t want[IDS][IDS];
    static uint64_t a[BIG], tmp[BIG], pairs[BIG], olds[BIG + EPOCHS * BIG / 36];
    struct gy__cc_runs r;
    uint64_t rng = 23, *w;
    size_t nold = 0, middling = 0;
    (void)state;

    memset(want, 0, sizeof(want));
    gy__cc_runs_init(&r);
    for (int e = 0; e < EPOCHS; e++) {
        size_t n = e == 0 ? BIG : sparse_size(&rng, e, BIG, SMALLN), m, fresh = 0;
        middling += e > 0 && r.run[0].len / n >= 32 && r.run[0].len / n < 96;
        sparse_epoch(&rng, pairs, n, IDS, olds, nold);
        memcpy(a, pairs, n * sizeof(*a));
        qsort(a, n, sizeof(*a), ts_cmp_u64);
        for (size_t i = 0; i < n; i++) /* the new pairs, ascending, appended to olds */
            if ((i == 0 || a[i] != a[i - 1]) && want[gy__cc_run_a(a[i])][gy__cc_run_b(a[i])] == 0)
                olds[nold + fresh++] = a[i];
        memcpy(a, pairs, n * sizeof(*a));
        w = gy__cc_runs_sort(&r, a, tmp, n, 10);
        assert_non_null(w);
        assert_int_equal(gy__cc_runs_count(&r, w, n, &m), 0);
        assert_int_equal(gy__cc_runs_fresh(&r, w, &m), 0);
        assert_int_equal(m, fresh);
        for (size_t i = 0; i < m; i++)
            assert_int_equal(w[i] & RUN_KEY, olds[nold + i]);
        assert_int_equal(gy__cc_runs_add(&r, w, m), 0);
        nold += fresh;
        for (size_t i = 0; i < n; i++)
            want[gy__cc_run_a(pairs[i])][gy__cc_run_b(pairs[i])]++;
        for (size_t i = 0; i < n; i++) {
            uint32_t da = gy__cc_run_a(pairs[i]), db = gy__cc_run_b(pairs[i]);
            assert_int_equal(gy__cc_runs_copies(&r, gy__cc_pair_key(da, db)), want[da][db]);
        }
        check_runs_shape(&r);
    }
    assert_true(r.run[0].nfence > 0);
    assert_true(middling >= EPOCHS / 4);
    gy__cc_runs_destroy(&r);
}

/* ---- real graphs ---- */

struct graph_case {
    uint32_t workers[4];
    size_t nworkers;
};

/* Runs one graph at one batching on the given worker counts, checking every
 * epoch against the replay and the last against oracle.tsv. */
static void check_graph(const struct oracle_row *row, const char *path, const struct input *in,
                        uint64_t batch, const uint32_t *ws, size_t nws)
{
    struct sim s;
    struct results want, got;
    struct run_opts o = {.batch = batch};
    char err[512], what[700];
    const struct gy_graph_result *last;

    sim_init(&s, in->e, in->n);
    sim_run(&s, in->e, in->lines, in->n, batch, false, &want);
    last = &want.r[want.n - 1];
    /* The replay itself must agree with igraph's published numbers. */
    if ((int64_t)last->vertices != row->vertices || (int64_t)last->edges != row->edges ||
        (int64_t)last->components != row->components ||
        (int64_t)last->largest != row->largest_component)
        fail_msg("%s: replay disagrees with oracle.tsv", path);
    for (size_t k = 0; k < nws; k++) {
        o.workers = ws[k];
        snprintf(what, sizeof(what), "%s W=%u batch=%lu", row->file, ws[k],
                 (unsigned long)batch);
        if (run_cc(path, &o, &got, err, sizeof(err)) != 0)
            fail_msg("%s: %s", what, err);
        expect_results(what, &got, &want);
        free(got.r);
    }
    free(want.r);
    sim_free(&s);
}

static void test_cc_real_graphs(void **state)
{
    static const uint32_t all[] = {1, 2, 3, 8}, mid[] = {2, 3}, one[] = {1}, eight[] = {8};
    struct oracle_tsv o;
    char dir[512], tsv[700], err[700], path[1024];
    (void)state;

    snprintf(tsv, sizeof(tsv), "%s/oracle.tsv", oracle_graph_path(NULL, dir, sizeof(dir)));
    if (oracle_tsv_load(tsv, &o, err, sizeof(err)) != 0) {
        print_message("skipping: %s\n", err);
        skip();
    }
    assert_true(o.n > 0);
    for (size_t i = 0; i < o.n; i++) {
        struct input in;
        oracle_graph_path(o.rows[i].file, path, sizeof(path));
        input_read(path, &in);
        check_graph(&o.rows[i], path, &in, 0, all, 4);
        check_graph(&o.rows[i], path, &in, (in.n + 9) / 10, mid, 2);
        /* 1000 lines per epoch: every graph on one worker; the smaller
         * ones on 8 too (hundreds of epochs on 8 workers over 2 cores). */
        check_graph(&o.rows[i], path, &in, 1000, one, 1);
        if (in.n <= 30000)
            check_graph(&o.rows[i], path, &in, 1000, eight, 1);
        input_free(&in);
    }
    oracle_tsv_free(&o);
}

/* ---- random dynamic streams ---- */

/* A stream over nv ids (small, huge and extreme ones) with duplicates,
 * self-loops and, after the first calm lines (inserts only), deletes of
 * present edges (pdel percent of the lines) and of absent ones (pbad
 * percent). out holds n lines. */
static void random_stream(uint64_t seed, uint32_t nv, size_t calm, unsigned pdel, unsigned pbad,
                          struct gy_edge *out, size_t n)
{
    uint64_t *ids = malloc(nv * sizeof(*ids));
    struct gy_edge *live = malloc(n * sizeof(*live)); /* present copies */
    size_t nlive = 0;
    uint64_t rng = seed;

    assert_true(ids && live);
    for (uint32_t i = 0; i < nv; i++)
        ids[i] = i % 3 == 0 ? i : i % 3 == 1 ? (1ULL << 40) + i * 977ULL : UINT64_MAX - i;
    for (size_t i = 0; i < n; i++) {
        unsigned r = i < calm ? 100 : (unsigned)ts_rng_below(&rng, 100);
        struct gy_edge e = {.u = ids[ts_rng_next(&rng) % nv], .v = ids[ts_rng_next(&rng) % nv],
                            .sign = 1};
        if (r < pdel && nlive > 0) {
            size_t k = ts_rng_next(&rng) % nlive;
            e = live[k];
            live[k] = live[--nlive];
            e.sign = -1;
            if (ts_rng_next(&rng) % 2) { /* either orientation deletes {u,v} */
                uint64_t t = e.u;
                e.u = e.v;
                e.v = t;
            }
        } else if (r >= pdel && r < pdel + pbad) {
            e.sign = -1; /* absent or not: the replay decides */
            for (size_t k = 0; k < nlive; k++)
                if ((live[k].u == e.u && live[k].v == e.v) ||
                    (live[k].u == e.v && live[k].v == e.u)) {
                    live[k] = live[--nlive];
                    break;
                }
        } else if (e.u != e.v) {
            live[nlive++] = e;
        }
        out[i] = e;
    }
    free(ids);
    free(live);
}

static void check_stream(const struct gy_edge *e, size_t n, const uint64_t *batches, size_t nb,
                         bool skip, const char *label)
{
    static const uint32_t ws[] = {1, 2, 3, 8};
    char path[TS_PATH_MAX], err[512], what[256];
    struct input in;

    write_stream(e, n, path);
    input_read(path, &in);
    assert_int_equal(in.n, n);
    for (size_t b = 0; b < nb; b++) {
        struct sim s;
        struct results want, got;
        sim_init(&s, in.e, in.n);
        sim_run(&s, in.e, in.lines, in.n, batches[b], skip, &want);
        for (size_t k = 0; k < 4; k++) {
            struct run_opts o = {.workers = ws[k], .batch = batches[b], .skip_bad_deletes = skip};
            snprintf(what, sizeof(what), "%s W=%u batch=%lu", label, ws[k],
                     (unsigned long)batches[b]);
            if (run_cc(path, &o, &got, err, sizeof(err)) != 0)
                fail_msg("%s: %s", what, err);
            expect_results(what, &got, &want);
            free(got.r);
        }
        free(want.r);
        sim_free(&s);
    }
    input_free(&in);
    unlink(path);
}

static void test_cc_random_dynamic(void **state)
{
    static const struct {
        uint32_t nv;
        unsigned pdel, pbad;
    } kinds[] = {{12, 30, 0}, {40, 35, 0}, {150, 25, 0}, {400, 45, 0}, {60, 30, 5}};
    static const uint64_t batches[] = {1, 17, 250, 0};
    size_t n = 1500 * ts_scale();
    struct gy_edge *e = malloc(n * sizeof(*e));
    char label[64];
    (void)state;

    assert_non_null(e);
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        random_stream(1000 + k, kinds[k].nv, 0, kinds[k].pdel, kinds[k].pbad, e, n);
        snprintf(label, sizeof(label), "random nv=%u del=%u%% bad=%u%%", kinds[k].nv,
                 kinds[k].pdel, kinds[k].pbad);
        /* Epochs of one line only for the short stream: thousands of epochs. */
        check_stream(e, n, k == 0 ? batches : batches + 1, k == 0 ? 4 : 3, kinds[k].pbad > 0,
                     label);
    }
    free(e);
}

/*
 * Inserts only for the first half (each worker keeps sorted runs, several
 * of them at the smaller batches), then deletes: at its first delete each
 * worker moves its runs into the edge table, forest links flagged, and the
 * deletes cut them from there. Over 5 ids the pairs get dozens of copies,
 * far past the 15 a run word counts, and 90% deletes bring them down one
 * by one, so a single lost copy would show. Every epoch against igraph on
 * W = 1, 2, 3 and 8.
 */
static void test_cc_insert_then_delete(void **state)
{
    static const struct {
        uint32_t nv;
        unsigned pdel, pbad;
    } kinds[] = {{5, 90, 0}, {12, 35, 0}, {150, 35, 0}, {2000, 35, 3}};
    static const uint64_t batches[] = {7, 60, 400, 0};
    size_t n = 1500 * ts_scale();
    struct gy_edge *e = malloc(n * sizeof(*e));
    char label[64];
    (void)state;

    assert_non_null(e);
    for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
        random_stream(2000 + k, kinds[k].nv, n / 2, kinds[k].pdel, kinds[k].pbad, e, n);
        snprintf(label, sizeof(label), "inserts, then deletes, nv=%u del=%u%%", kinds[k].nv,
                 kinds[k].pdel);
        check_stream(e, n, batches, 4, kinds[k].pbad > 0, label);
    }
    free(e);
}

/* ---- labels ---- */

/* Checks the labels file against igraph's membership of the replay's last
 * state, each component labelled by its smallest id. */
static void check_labels(const char *labels, const struct sim *s)
{
    igraph_vector_int_t memb;
    uint64_t comps, largest, *least = malloc((s->nids + 1) * sizeof(*least));
    unsigned long long v, l;
    size_t line = 0;
    FILE *f = fopen(labels, "r");

    assert_true(f && least);
    assert_int_equal(igraph_vector_int_init(&memb, 0), IGRAPH_SUCCESS);
    sim_igraph(s, &comps, &largest, &memb);
    for (size_t i = 0; i < s->nids; i++)
        least[i] = UINT64_MAX;
    for (size_t i = 0; i < s->nids; i++) /* ids ascend: the first seen is the least */
        if (s->named[i] && least[VECTOR(memb)[i]] == UINT64_MAX)
            least[VECTOR(memb)[i]] = s->ids[i];
    for (size_t i = 0; i < s->nids; i++) {
        if (!s->named[i])
            continue;
        if (fscanf(f, "%llu %llu\n", &v, &l) != 2)
            fail_msg("%s: line %zu missing", labels, line + 1);
        line++;
        if (v != s->ids[i] || l != least[VECTOR(memb)[i]])
            fail_msg("%s:%zu: %llu %llu, expected %llu %llu", labels, line, v, l,
                     (unsigned long long)s->ids[i],
                     (unsigned long long)least[VECTOR(memb)[i]]);
    }
    assert_int_equal(fscanf(f, "%llu", &v), EOF);
    fclose(f);
    igraph_vector_int_destroy(&memb);
    free(least);
}

static void labels_case(const char *path, uint32_t workers, uint64_t batch)
{
    char labels[TS_PATH_MAX], err[512];
    struct input in;
    struct sim s;
    struct results want, got;
    struct run_opts o = {.workers = workers, .batch = batch, .labels_path = labels};

    ts_temp_file("gy_test_cc_labels_", labels, sizeof(labels));
    input_read(path, &in);
    sim_init(&s, in.e, in.n);
    sim_run(&s, in.e, in.lines, in.n, batch, false, &want);
    if (run_cc(path, &o, &got, err, sizeof(err)) != 0)
        fail_msg("%s: %s", path, err);
    expect_results(path, &got, &want);
    check_labels(labels, &s);
    free(got.r);
    free(want.r);
    sim_free(&s);
    input_free(&in);
    unlink(labels);
}

static void test_cc_labels(void **state)
{
    char path[1024], spath[TS_PATH_MAX];
    size_t n = 3000;
    struct gy_edge *e = malloc(n * sizeof(*e));
    (void)state;

    assert_non_null(e);
    random_stream(77, 300, 0, 40, 0, e, n);
    write_stream(e, n, spath);
    labels_case(spath, 1, 100);
    labels_case(spath, 3, 100);
    labels_case(spath, 8, 0);
    unlink(spath);
    free(e);
    oracle_graph_path("ca-GrQc.txt", path, sizeof(path));
    if (access(path, R_OK) == 0) {
        labels_case(path, 2, 5000);
        labels_case(path, 3, 0);
    }
}

/* A write error fails the run naming the path. */
static void test_cc_labels_write_error(void **state)
{
    static const char *bad[] = {"/dev/full", "/nonexistent-gy-dir/labels.txt"};
    char path[TS_PATH_MAX], err[512];
    struct results got;
    (void)state;

    ts_write_text(ts_temp_file("gy_test_cc_", path, sizeof(path)), "1 2\n3 4\n2 3\n");
    for (size_t i = 0; i < 2; i++)
        for (uint32_t w = 1; w <= 3; w += 2) {
            struct run_opts o = {.workers = w, .labels_path = bad[i]};
            assert_int_equal(run_cc(path, &o, &got, err, sizeof(err)), -ECANCELED);
            if (strstr(err, bad[i]) == NULL)
                fail_msg("W=%u: '%s' does not name %s", w, err, bad[i]);
            free(got.r);
        }
    unlink(path);
}

/* ---- bad deletes ---- */

static void expect_failure(const char *text, uint32_t w, uint64_t batch, const char *what)
{
    char path[TS_PATH_MAX], err[512], want[TS_PATH_MAX + 256];
    struct results got;
    struct run_opts o = {.workers = w, .batch = batch};

    ts_write_text(ts_temp_file("gy_test_cc_", path, sizeof(path)), text);
    snprintf(want, sizeof(want), "%s:%s", path, what);
    assert_int_equal(run_cc(path, &o, &got, err, sizeof(err)), -ECANCELED);
    if (strcmp(err, want) != 0)
        fail_msg("W=%u batch=%lu: '%s', expected '%s'", w, (unsigned long)batch, err, want);
    free(got.r);
    unlink(path);
}

static void test_cc_bad_deletes(void **state)
{
    (void)state;
    for (uint32_t w = 1; w <= 8; w = w == 3 ? 8 : w + 1) {
        expect_failure("1 2\n- 3 4\n", w, 0, "2: delete of edge {3,4} that is not present");
        /* Two copies: the third delete is one too many; lines keep their order. */
        expect_failure("1 2\n2 1\n- 2 1\n- 1 2\n5 6\n- 2 1\n", w, 0,
                       "6: delete of edge {2,1} that is not present");
        /* Within one epoch the delete comes before the insert. */
        expect_failure("7 8\n- 9 10\n9 10\n", w, 0,
                       "2: delete of edge {9,10} that is not present");
        /* Several in one epoch (on different workers): the earliest line. */
        expect_failure("1 2\n3 4\n5 6\n- 30 40\n- 10 20\n- 50 60\n- 1 2\n", w, 0,
                       "4: delete of edge {30,40} that is not present");
        /* In a later epoch. */
        expect_failure("1 2\n3 4\n- 1 2\n- 1 2\n", w, 2,
                       "4: delete of edge {1,2} that is not present");
    }
}

static void test_cc_skip_bad_deletes(void **state)
{
    static const char *text = "1 2\n- 3 4\n2 3\n- 1 2\n- 1 2\n- 5 5\n- 9 8\n1 2\n";
    char path[TS_PATH_MAX], err[512];
    struct results got;
    (void)state;

    ts_write_text(ts_temp_file("gy_test_cc_", path, sizeof(path)), text);
    for (uint32_t w = 1; w <= 3; w++) {
        struct run_opts o = {.workers = w, .batch = 4, .skip_bad_deletes = true};
        if (run_cc(path, &o, &got, err, sizeof(err)) != 0)
            fail_msg("W=%u: %s", w, err);
        assert_int_equal(got.n, 2);
        /* Epoch 0: {1,2}, {2,3}; {3,4} skipped (names nothing), {1,2} deleted. */
        assert_int_equal(got.r[0].bad_deletes, 1);
        assert_int_equal(got.r[0].vertices, 3);
        assert_int_equal(got.r[0].edges, 1);
        assert_int_equal(got.r[0].components, 2);
        assert_int_equal(got.r[0].largest, 2);
        /* Epoch 1: {1,2} absent again, the self-loop names 5, {9,8} absent, {1,2} back. */
        assert_int_equal(got.r[1].bad_deletes, 3);
        assert_int_equal(got.r[1].vertices, 4);
        assert_int_equal(got.r[1].edges, 2);
        assert_int_equal(got.r[1].components, 2);
        assert_int_equal(got.r[1].largest, 3);
        free(got.r);
    }
    unlink(path);
}

/* ---- epochs ---- */

/* Epochs by time with gaps: one result per epoch that holds a line. */
static void test_cc_epoch_gaps(void **state)
{
    static const char *text = "1 2 0\n3 4 0\n2 3 5\n7 7 5\n5 6 9\n4 5 9\n";
    static const uint64_t epochs[] = {0, 5, 9}, comps[] = {2, 2, 2}, largest[] = {2, 4, 6};
    char path[TS_PATH_MAX], err[512];
    struct results got;
    (void)state;

    ts_write_text(ts_temp_file("gy_test_cc_", path, sizeof(path)), text);
    for (uint32_t w = 1; w <= 8; w *= 2) {
        struct run_opts o = {.workers = w, .time_column = 3};
        if (run_cc(path, &o, &got, err, sizeof(err)) != 0)
            fail_msg("W=%u: %s", w, err);
        assert_int_equal(got.n, 3);
        for (size_t i = 0; i < 3; i++) {
            assert_int_equal(got.r[i].epoch, epochs[i]);
            assert_int_equal(got.r[i].components, comps[i]);
            assert_int_equal(got.r[i].largest, largest[i]);
        }
        assert_int_equal(got.r[2].vertices, 7);
        free(got.r);
    }
    unlink(path);
}

static void test_cc_empty_input(void **state)
{
    char path[TS_PATH_MAX], labels[TS_PATH_MAX + 16], err[512];
    struct results got;
    struct run_opts o = {.workers = 2, .labels_path = labels};
    FILE *f;
    (void)state;

    ts_write_text(ts_temp_file("gy_test_cc_", path, sizeof(path)), "# nothing\n");
    snprintf(labels, sizeof(labels), "%s.labels", path);
    assert_int_equal(run_cc(path, &o, &got, err, sizeof(err)), 0);
    assert_int_equal(got.n, 0);
    f = fopen(labels, "r");
    assert_non_null(f);
    assert_int_equal(fgetc(f), EOF);
    fclose(f);
    free(got.r);
    unlink(labels);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cc_union_find),
        cmocka_unit_test(test_cc_table_alloc),
        cmocka_unit_test(test_cc_edge_table),
        cmocka_unit_test(test_cc_vertex_map),
        cmocka_unit_test(test_cc_runs_sort),
        cmocka_unit_test(test_cc_runs),
        cmocka_unit_test(test_cc_runs_policy),
        cmocka_unit_test(test_cc_runs_full_stack),
        cmocka_unit_test(test_cc_runs_sparse),
        cmocka_unit_test(test_cc_real_graphs),
        cmocka_unit_test(test_cc_random_dynamic),
        cmocka_unit_test(test_cc_insert_then_delete),
        cmocka_unit_test(test_cc_labels),
        cmocka_unit_test(test_cc_labels_write_error),
        cmocka_unit_test(test_cc_bad_deletes),
        cmocka_unit_test(test_cc_skip_bad_deletes),
        cmocka_unit_test(test_cc_epoch_gaps),
        cmocka_unit_test(test_cc_empty_input),
    };

    return cmocka_run_group_tests_name("cc", tests, NULL, NULL);
}
