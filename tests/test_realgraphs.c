/*
 * Tests for graph/edgefile on the real published graphs of the shared data
 * directory ($GY_SHARED_DIR/data/graphs, default ../shared): every file is
 * parsed whole and cut into 2, 3 and 8 ranges (the concatenation must equal
 * the whole parse, line numbers included), and its distinct vertices and
 * distinct undirected non-loop edges must equal oracle.tsv, which igraph
 * computed independently. CollegeMsg's time column is checked against the
 * published facts about it (non-decreasing, spanning 193.7 days).
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "graph/edgefile.h"
#include "progress/alloc.h"
#include "tests/support/oracle_tsv.h"
#include "tests/support/rows.h"

#define MAX_FILES 64

static struct oracle_tsv oracle;
static char *files[MAX_FILES];
static size_t nfiles;
static bool have_data;

/* Names the oracle normalises, as oracle.py's PATTERN: .txt/.mtx/.csv, maybe .gz. */
static bool graph_name(const char *s)
{
    static const char *ext[] = {".txt", ".mtx", ".csv", ".txt.gz", ".mtx.gz", ".csv.gz"};
    size_t n = strlen(s);

    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
        size_t k = strlen(ext[i]);
        if (n > k && strcmp(s + n - k, ext[i]) == 0)
            return true;
    }
    return false;
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static gy_edges_t *must_open(const char *file, const struct gy_edges_opts *o)
{
    char path[512], err[GY_EDGES_ERRLEN] = "";
    gy_edges_t *f = NULL;

    oracle_graph_path(file, path, sizeof path);
    if (gy_edges_open(path, o, &f, err, sizeof err) != 0)
        fail_msg("open failed: %s", err);
    return f;
}

/* Parses range r with a cursor (line numbers computed lazily) and appends
 * to e/lines; checks the cursor's edge-line tally against gy_edges_count. */
static void parse_range(const gy_edges_t *f, struct gy_edges_range r, struct gy_edge **e,
                        uint64_t **lines, size_t *n, size_t *cap)
{
    char err[GY_EDGES_ERRLEN] = "";
    struct gy_edges_cursor c;
    size_t got, lcap = *cap;
    uint64_t counted;
    int rc;

    gy_edges_cursor_init(&c, f, r, 0);
    do {
        assert_int_equal(gy_grow((void **)e, cap, *n + 8192, sizeof **e), 0);
        assert_int_equal(gy_grow((void **)lines, &lcap, *cap, sizeof **lines), 0);
        rc = gy_edges_next(&c, *e + *n, *lines + *n, 8192, &got, err, sizeof err);
        if (rc != 0)
            fail_msg("parse failed: %s", err);
        *n += got;
    } while (got > 0);
    assert_int_equal(gy_edges_count(f, r, &counted), 0);
    assert_int_equal(counted, c.edge_lines);
    assert_int_equal(c.bad.count, 0);
}

static void check_split(const gy_edges_t *f, const struct gy_edge *e, const uint64_t *lines,
                        size_t n, size_t parts)
{
    struct gy_edges_range r[8];
    struct gy_edge *se = NULL;
    uint64_t *sl = NULL;
    size_t sn = 0, cap = 0;

    assert_int_equal(gy_edges_split(f, parts, r), 0);
    for (size_t k = 0; k < parts; k++)
        parse_range(f, r[k], &se, &sl, &sn, &cap);
    assert_int_equal(sn, n);
    assert_memory_equal(se, e, n * sizeof *e);
    assert_memory_equal(sl, lines, n * sizeof *lines);
    gy_free(se);
    gy_free(sl);
}

/* Distinct vertices (self-loop lines name theirs) and distinct undirected
 * non-loop edges, by sorting: the oracle's normalisation, brute force. */
static void count_graph(const struct gy_edge *e, size_t n, size_t *nv, size_t *ne)
{
    uint64_t *ids = malloc((2 * n + 1) * sizeof *ids);
    struct ts_pair *p = malloc((n + 1) * sizeof *p);
    size_t k = 0;

    assert_non_null(ids);
    assert_non_null(p);
    for (size_t i = 0; i < n; i++) {
        ids[2 * i] = e[i].u;
        ids[2 * i + 1] = e[i].v;
        if (e[i].u == e[i].v)
            continue;
        p[k].a = e[i].u < e[i].v ? e[i].u : e[i].v;
        p[k].b = e[i].u < e[i].v ? e[i].v : e[i].u;
        k++;
    }
    *nv = ts_sort_distinct(ids, 2 * n, sizeof *ids, ts_cmp_u64);
    *ne = ts_sort_distinct(p, k, sizeof *p, ts_cmp_pair);
    free(ids);
    free(p);
}

static void check_file(const char *file)
{
    const struct oracle_row *row = oracle_tsv_find(&oracle, file);
    gy_edges_t *f = must_open(file, NULL);
    struct gy_edge *e = NULL;
    uint64_t *lines = NULL;
    size_t n = 0, cap = 0, nv, ne;
    static const size_t parts[] = {2, 3, 8};

    if (!row)
        fail_msg("%s has no row in oracle.tsv", file);
    parse_range(f, gy_edges_all(f), &e, &lines, &n, &cap);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(e[i].sign, 1);
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        check_split(f, e, lines, n, parts[i]);
    count_graph(e, n, &nv, &ne);
    print_message("%-24s %8zu edge lines, %7zu vertices, %7zu edges\n", file, n, nv, ne);
    assert_int_equal(nv, (size_t)row->vertices);
    assert_int_equal(ne, (size_t)row->edges);
    gy_free(e);
    gy_free(lines);
    gy_edges_close(f);
}

static void test_realgraphs_oracle(void **state)
{
    (void)state;
    if (!have_data)
        skip();
    for (size_t i = 0; i < nfiles; i++)
        check_file(files[i]);
}

/* Every oracle row names a file that is there: none silently untested. */
static void test_realgraphs_all_listed(void **state)
{
    (void)state;
    if (!have_data)
        skip();
    assert_true(oracle.n > 0);
    assert_int_equal(nfiles, oracle.n);
    for (size_t i = 0; i < oracle.n; i++) {
        const char *name = oracle.rows[i].file;
        bool found = false;
        for (size_t j = 0; j < nfiles && !found; j++)
            found = strcmp(files[j], name) == 0;
        if (!found)
            fail_msg("oracle.tsv lists %s, which is not in the data directory", name);
    }
}

/* CollegeMsg's third column is a Unix time: SNAP publishes the stream as
 * time-ordered over 193.7 days (MANIFEST.md); line order = file order. */
static void test_realgraphs_college_times(void **state)
{
    struct gy_edges_opts o = {.time_column = 3};
    char path[512], err[GY_EDGES_ERRLEN];
    struct gy_edge *e;
    uint64_t *lines;
    size_t n;
    gy_edges_t *f;
    double days;

    (void)state;
    if (!have_data || !oracle_tsv_find(&oracle, "CollegeMsg.txt.gz"))
        skip();
    oracle_graph_path("CollegeMsg.txt.gz", path, sizeof path);
    f = must_open("CollegeMsg.txt.gz", &o);
    assert_int_equal(gy_edges_fields(f) & GY_EDGES_HAS_TIME, GY_EDGES_HAS_TIME);
    assert_int_equal(gy_edges_read_all(f, &e, &lines, &n, NULL, err, sizeof err), 0);
    assert_true(n > 0);
    for (size_t i = 1; i < n; i++) {
        assert_true(e[i - 1].time <= e[i].time);
        assert_int_equal(lines[i], lines[i - 1] + 1); /* no comments in this file */
    }
    assert_true(e[0].time > 1000000000); /* 2001 or later: a Unix time, not an id */
    days = (double)(e[n - 1].time - e[0].time) / 86400.0;
    print_message("CollegeMsg spans %.2f days\n", days);
    assert_true(days >= 193.65 && days < 193.75);
    gy_free(e);
    gy_free(lines);
    gy_edges_close(f);
}

static int setup(void **state)
{
    char dir[512], tsv[600], err[600];
    struct dirent *d;
    DIR *dp;

    (void)state;
    dp = opendir(oracle_graph_path(NULL, dir, sizeof dir));
    if (!dp) {
        print_message("skipping: no data directory %s (set GY_SHARED_DIR)\n", dir);
        return 0;
    }
    while ((d = readdir(dp)) != NULL && nfiles < MAX_FILES)
        if (graph_name(d->d_name))
            files[nfiles++] = strdup(d->d_name);
    closedir(dp);
    qsort(files, nfiles, sizeof files[0], cmp_name);
    snprintf(tsv, sizeof tsv, "%s/oracle.tsv", dir);
    if (oracle_tsv_load(tsv, &oracle, err, sizeof err) != 0) {
        print_error("%s\n", err);
        return -1;
    }
    have_data = true;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    for (size_t i = 0; i < nfiles; i++)
        free(files[i]);
    oracle_tsv_free(&oracle);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_realgraphs_all_listed),
        cmocka_unit_test(test_realgraphs_oracle),
        cmocka_unit_test(test_realgraphs_college_times),
    };
    return cmocka_run_group_tests_name("realgraphs", tests, setup, teardown);
}
