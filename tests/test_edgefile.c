/*
 * Tests for graph/edgefile: the hand-made nasty corpus in tests/data/nasty
 * (each file with the exact edges and line numbers, or the exact
 * "file:line: ..." message, written down by hand from the bytes), skip_bad
 * counts, split invariance (any cut into ranges parses to the same edges,
 * line numbers and first error as the whole file), gzip (good, truncated,
 * corrupt, concatenated), the binary layout byte by byte as docs/formats.md
 * gives it, writer round trips and allocation-failure unwinding.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <cmocka.h>

#include "graph/edgefile.h"
#include "progress/alloc.h"
#include "tests/support/files.h"
#include "tests/support/rng.h"

#define NASTY "tests/data/nasty"
#define MAX_WANT 8

/* ------------------------------------------------------------------ */
/* The corpus: expected outcomes, written from the files' bytes.        */

struct want {
    uint64_t u, v;
    int64_t time;
    int32_t sign;
    uint64_t line;
};

struct good_case {
    const char *file;
    struct gy_edges_opts opts;
    size_t n;
    struct want e[MAX_WANT];
};

#define O(t, s) {.time_column = (t), .sign_column = (s)}
#define E(u, v, l) {(u), (v), 0, 1, (l)}

static const struct good_case goods[] = {
    {"empty.txt", O(0, 0), 0, {{0}}},
    {"only_comments.txt", O(0, 0), 0, {{0}}},
    {"blank_lines.txt", O(0, 0), 2, {E(1, 2, 3), E(3, 4, 7)}},
    {"crlf.txt", O(0, 0), 2, {E(0, 1, 2), E(2, 3, 4)}},
    {"bom.csv", O(0, 0), 2, {E(1, 2, 1), E(3, 4, 2)}},
    {"no_final_newline.txt", O(0, 0), 2, {E(1, 2, 1), E(3, 4, 2)}},
    {"tabs.txt", O(0, 0), 2, {E(1, 2, 1), E(5, 6, 2)}},
    {"commas.csv", O(0, 0), 4, {E(1, 2, 1), E(3, 4, 2), E(5, 6, 3), E(7, 8, 4)}},
    {"huge_ids.txt", O(0, 0), 3,
     {E(UINT64_MAX, 0, 1), E(0, UINT64_MAX, 2), E(UINT64_MAX - 1, UINT64_MAX, 3)}},
    {"signs.txt", O(0, 0), 5,
     {{1, 2, 0, 1, 1}, {1, 2, 0, -1, 2}, {3, 4, 0, 1, 3}, {3, 4, 0, -1, 4}, {5, 6, 0, 1, 5}}},
    {"sign_column.txt", O(3, 4), 3, {{1, 2, 100, 1, 1}, {1, 2, 200, -1, 2}, {2, 3, 300, 1, 3}}},
    {"sign_column.txt", O(0, 4), 3, {{1, 2, 0, 1, 1}, {1, 2, 0, -1, 2}, {2, 3, 0, 1, 3}}},
    {"comments_mid.txt", O(0, 0), 3, {E(1, 2, 1), E(3, 4, 3), E(5, 6, 6)}},
    {"three_columns.txt", O(3, 0), 4,
     {{1, 2, 1082040961, 1, 1}, {2, 3, -5, 1, 2}, {3, 4, INT64_MAX, 1, 3},
      {4, 5, INT64_MIN, 1, 4}}},
    {"three_columns.txt", O(0, 0), 4, {E(1, 2, 1), E(2, 3, 2), E(3, 4, 3), E(4, 5, 4)}},
    {"general.mtx", O(0, 0), 3, {E(1, 2, 5), E(4, 5, 6), E(3, 1, 7)}},
    {"symmetric.mtx", O(3, 0), 4,
     {{2, 1, 10, 1, 3}, {3, 1, 20, 1, 4}, {3, 2, -30, 1, 5}, {3, 3, 40, 1, 6}}},
    {"symmetric.mtx", O(0, 0), 4, {E(2, 1, 3), E(3, 1, 4), E(3, 2, 5), E(3, 3, 6)}},
    {"pattern.mtx", O(0, 0), 3, {E(2, 1, 5), E(5, 3, 6), E(4, 4, 8)}},
};

struct bad_case {
    const char *file;
    struct gy_edges_opts opts;
    const char *msg; /* what follows the path in the message */
};

#define BANNER_NEED "gyre reads 'matrix coordinate pattern|real|integer general|symmetric'"

static const struct bad_case bads[] = {
    {"id_above_max.txt", O(0, 0), ":2: vertex id 18446744073709551616 out of range"},
    {"garbage.bin", O(0, 0), ":1: bad vertex id '\\x7fELF\\x02\\x01\\x01\\x00\\x00\\x00'"},
    {"missing_v.txt", O(0, 0), ":2: expected 2 vertex ids, found 1"},
    {"letters.txt", O(0, 0), ":2: bad vertex id 'four'"},
    {"negative.txt", O(0, 0), ":3: vertex id -3 is negative"},
    {"nonnumeric_column.txt", O(0, 0), ":2: column 3 is not a number: 'x'"},
    {"bad_time.txt", O(3, 0), ":2: bad time '1.5' in column 3"},
    {"time_overflow.txt", O(3, 0), ":2: time 9223372036854775808 in column 3 out of range"},
    {"missing_time.txt", O(3, 0), ":2: expected a time in column 3, found 2 columns"},
    {"skip_bad.txt", O(0, 0), ":2: bad vertex id 'x'"},
    {"signs.txt", O(0, 3), ":1: a leading + or - and a sign column (3) on one line"},
    {"sign_column.txt", O(0, 3), ":1: bad sign '100' in column 3: expected +1 or -1"},
    {"sign_column.txt", O(0, 5), ":1: expected a sign in column 5, found 4 columns"},
    {"bad_header.mtx", O(0, 0), ":1: unsupported Matrix Market banner at 'array': " BANNER_NEED},
    {"complex.mtx", O(0, 0), ":1: unsupported Matrix Market banner at 'complex': " BANNER_NEED},
    {"no_banner.mtx", O(0, 0), ":1: missing %%MatrixMarket banner"},
    {"bad_size.mtx", O(0, 0), ":3: bad size line: expected 'rows cols nnz'"},
    {"too_few.mtx", O(0, 0), ":4: file ends after 2 of the 3 entries declared on line 2"},
    {"too_many.mtx", O(0, 0), ":5: more entries than the 2 declared on line 2"},
    {"size_line_last.mtx", O(0, 0), ":3: file ends after 0 of the 1 entries declared on line 3"},
    {"banner_only.mtx", O(0, 0), ":2: missing size line 'rows cols nnz'"},
    {"index_out_of_range.mtx", O(0, 0), ":4: column index 5 out of range 1..4"},
    {"zero_index.mtx", O(0, 0), ":3: row index 0 out of range 1..3"},
    {"missing_value.mtx", O(0, 0), ":4: expected 3 fields (row col value), found 2"},
    {"general.mtx", O(3, 0), ":5: value '0.5' is not an integer time"},
    {"pattern.mtx", O(3, 0), ":1: time column 3: this Matrix Market file has no value column"},
    {"garbage.bin", {.format = GY_EDGES_BIN},
     ": not a gyre binary edge file (no \"GYREDGE1\" magic)"},
};

/* ------------------------------------------------------------------ */
/* Helpers.                                                             */

static char *nasty(const char *file, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%s", NASTY, file);
    return buf;
}

/* Reads a whole file into a malloc'd buffer. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *fp = fopen(path, "rb");
    unsigned char *buf;
    long n;

    assert_non_null(fp);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    n = ftell(fp);
    assert_true(n >= 0);
    rewind(fp);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
    fclose(fp);
    *len = (size_t)n;
    return buf;
}

static void gzip_file(const char *path, const void *data, size_t len)
{
    gzFile gz = gzopen(path, "wb9");

    assert_non_null(gz);
    if (len > 0)
        assert_int_equal(gzwrite(gz, data, (unsigned)len), (int)len);
    assert_int_equal(gzclose(gz), Z_OK);
}

static gy_edges_t *must_open(const char *path, const struct gy_edges_opts *o)
{
    char err[GY_EDGES_ERRLEN] = "";
    gy_edges_t *f = NULL;
    int rc = gy_edges_open(path, o, &f, err, sizeof err);

    if (rc != 0)
        fail_msg("%s: open failed (%d): %s", path, rc, err);
    return f;
}

/* Parses the whole file; fails the test on an error. */
static size_t must_read(const gy_edges_t *f, struct gy_edge **e, uint64_t **lines)
{
    char err[GY_EDGES_ERRLEN] = "";
    size_t n = 0;
    int rc = gy_edges_read_all(f, e, lines, &n, NULL, err, sizeof err);

    if (rc != 0)
        fail_msg("read failed (%d): %s", rc, err);
    return n;
}

static void check_want(const struct gy_edge *e, const uint64_t *lines, const struct want *w,
                       size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(e[i].u, w[i].u);
        assert_int_equal(e[i].v, w[i].v);
        assert_int_equal(e[i].time, w[i].time);
        assert_int_equal(e[i].sign, w[i].sign);
        assert_int_equal(e[i].line, w[i].line);
        assert_int_equal(lines[i], w[i].line);
    }
}

/* The result of parsing a file range by range, concatenated. */
struct split_result {
    struct gy_edge *e;
    uint64_t *lines;
    size_t n;
    int rc;
    char err[GY_EDGES_ERRLEN];
    struct gy_edges_bad bad;
};

/* Checks the ranges' shape: contiguous, covering, starting at line starts. */
static void check_ranges(const gy_edges_t *f, const struct gy_edges_range *r, size_t parts,
                         const unsigned char *bytes)
{
    struct gy_edges_range all = gy_edges_all(f);

    assert_int_equal(r[0].begin, all.begin);
    assert_int_equal(r[parts - 1].end, all.end);
    for (size_t k = 0; k < parts; k++) {
        assert_true(r[k].begin <= r[k].end);
        if (k > 0)
            assert_int_equal(r[k].begin, r[k - 1].end);
        if (bytes && r[k].begin > all.begin && r[k].begin < all.end)
            assert_int_equal(bytes[r[k].begin - 1], '\n');
    }
}

/* Parses ranges in order with a small output buffer (cap) until the first
 * error, as workers would, and checks gy_edges_count against each cursor.
 * With an even number of parts the cursors start from the line numbers
 * that gy_edges_first_line and gy_edges_count_lines give, as the source
 * passes them; with an odd one they count the lines before them themselves. */
static void read_split(const gy_edges_t *f, size_t parts, size_t cap, struct split_result *s)
{
    struct gy_edges_range r[64];
    size_t got, room = 0;
    uint64_t line = gy_edges_first_line(f);

    memset(s, 0, sizeof *s);
    assert_true(parts <= 64);
    assert_int_equal(gy_edges_split(f, parts, r), 0);
    for (size_t k = 0; k < parts && s->rc == 0; k++) {
        struct gy_edges_cursor c;
        uint64_t counted, edge_lines, newlines;

        assert_int_equal(gy_edges_count_lines(f, r[k], &edge_lines, &newlines), 0);
        gy_edges_cursor_init(&c, f, r[k], parts % 2 ? 0 : line);
        line += newlines;
        do {
            assert_int_equal(gy_grow((void **)&s->e, &room, s->n + cap, sizeof *s->e), 0);
            s->lines = realloc(s->lines, room * sizeof *s->lines);
            assert_non_null(s->lines);
            s->rc = gy_edges_next(&c, s->e + s->n, s->lines + s->n, cap, &got, s->err,
                                  sizeof s->err);
            s->n += got;
        } while (s->rc == 0 && got > 0);
        assert_int_equal(gy_edges_count(f, r[k], &counted), 0);
        assert_int_equal(counted, edge_lines);
        if (s->rc == 0) {
            assert_int_equal(counted, c.edge_lines);
            assert_int_equal(newlines, c.lines_done);
        }
        gy_edges_bad_merge(&s->bad, &c.bad);
    }
}

static void free_split(struct split_result *s)
{
    gy_free(s->e);
    free(s->lines);
}

/* ------------------------------------------------------------------ */
/* The corpus.                                                          */

static void test_edgefile_good_corpus(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof goods / sizeof goods[0]; i++) {
        const struct good_case *g = &goods[i];
        char path[256];
        struct gy_edge *e;
        uint64_t *lines, counted;
        gy_edges_t *f = must_open(nasty(g->file, path, sizeof path), &g->opts);
        size_t n = must_read(f, &e, &lines);

        assert_int_equal(n, g->n);
        check_want(e, lines, g->e, n);
        assert_int_equal(gy_edges_count(f, gy_edges_all(f), &counted), 0);
        assert_int_equal(counted, g->n);
        gy_free(e);
        gy_free(lines);
        gy_edges_close(f);
    }
}

/* The corpus files are byte-exact: a CRLF or final-newline fix-up by an
 * editor or by git would silently turn these cases into easy ones. */
static void test_edgefile_corpus_bytes(void **state)
{
    size_t len;
    unsigned char *b;

    (void)state;
    b = slurp(NASTY "/crlf.txt", &len);
    assert_non_null(memmem(b, len, "\r\n", 2));
    free(b);
    b = slurp(NASTY "/no_final_newline.txt", &len);
    assert_true(len > 0 && b[len - 1] != '\n');
    free(b);
    b = slurp(NASTY "/pattern.mtx", &len);
    assert_true(len > 0 && b[len - 1] != '\n');
    free(b);
    b = slurp(NASTY "/empty.txt", &len);
    assert_int_equal(len, 0);
    free(b);
}

/* Opens and parses a bad case; returns the error and its message. */
static int bad_outcome(const char *path, const struct gy_edges_opts *o, char *err, size_t errlen)
{
    gy_edges_t *f = NULL;
    struct gy_edge *e;
    size_t n;
    int rc = gy_edges_open(path, o, &f, err, errlen);

    if (rc != 0) {
        assert_null(f);
        return rc;
    }
    rc = gy_edges_read_all(f, &e, NULL, &n, NULL, err, errlen);
    if (rc == 0)
        gy_free(e);
    else
        assert_null(e);
    gy_edges_close(f);
    return rc;
}

static void test_edgefile_bad_corpus(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        char path[256], want[600], err[GY_EDGES_ERRLEN] = "";
        int rc;

        nasty(bads[i].file, path, sizeof path);
        rc = bad_outcome(path, &bads[i].opts, err, sizeof err);
        snprintf(want, sizeof want, "%s%s", path, bads[i].msg);
        assert_int_equal(rc, -EINVAL);
        assert_string_equal(err, want);
    }
}

static void test_edgefile_skip_bad(void **state)
{
    static const struct want w[] = {E(1, 2, 1), E(6, 7, 6), E(10, 11, 10), E(13, 14, 12)};
    static const uint64_t first[] = {2, 4, 5, 7, 8};
    struct gy_edges_opts o = {.skip_bad = true};
    char path[256], msg[256], want[600];
    struct gy_edges_bad bad;
    struct gy_edge *e;
    uint64_t *lines, counted;
    size_t n;
    gy_edges_t *f;

    (void)state;
    f = must_open(nasty("skip_bad.txt", path, sizeof path), &o);
    assert_int_equal(gy_edges_read_all(f, &e, &lines, &n, &bad, msg, sizeof msg), 0);
    assert_int_equal(n, 4);
    check_want(e, lines, w, n);
    assert_int_equal(bad.count, 6);
    assert_memory_equal(bad.first, first, sizeof first);
    /* Bad lines keep their edge index: the count includes them. */
    assert_int_equal(gy_edges_count(f, gy_edges_all(f), &counted), 0);
    assert_int_equal(counted, 10);
    gy_edges_bad_format(&bad, path, msg, sizeof msg);
    snprintf(want, sizeof want, "%s: skipped 6 bad lines (first at lines 2, 4, 5, 7, 8)", path);
    assert_string_equal(msg, want);
    /* Every cut gives the same skips, merged in range order. */
    for (size_t parts = 1; parts <= 12; parts++) {
        struct split_result s;
        read_split(f, parts, 2, &s);
        assert_int_equal(s.rc, 0);
        assert_int_equal(s.n, 4);
        check_want(s.e, s.lines, w, s.n);
        assert_int_equal(s.bad.count, 6);
        assert_memory_equal(s.bad.first, first, sizeof first);
        free_split(&s);
    }
    gy_free(e);
    gy_free(lines);
    gy_edges_close(f);
}

static void test_edgefile_bad_format_short(void **state)
{
    struct gy_edges_bad one = {.count = 1, .first = {9}}, none = {0};
    char msg[128];

    (void)state;
    gy_edges_bad_format(&one, "g.txt", msg, sizeof msg);
    assert_string_equal(msg, "g.txt: skipped 1 bad line (line 9)");
    gy_edges_bad_format(&none, "g.txt", msg, sizeof msg);
    assert_string_equal(msg, "g.txt: no bad lines");
}

/* ------------------------------------------------------------------ */
/* Split invariance.                                                    */

static void split_matches_whole(const char *path, const struct gy_edges_opts *o)
{
    size_t len, n;
    unsigned char *bytes = slurp(path, &len);
    gy_edges_t *f = must_open(path, o);
    struct gy_edge *e;
    uint64_t *lines;
    struct gy_edges_range r[64];
    /* Range offsets index the decompressed text: check bytes only in plain text. */
    bool plain = gy_edges_format(f) != GY_EDGES_BIN && !(len >= 2 && bytes[0] == 0x1f);

    n = must_read(f, &e, &lines);
    for (size_t parts = 1; parts <= 40; parts++) {
        struct split_result s;
        assert_int_equal(gy_edges_split(f, parts, r), 0);
        check_ranges(f, r, parts, plain ? bytes : NULL);
        read_split(f, parts, parts % 3 + 1, &s);
        assert_int_equal(s.rc, 0);
        assert_int_equal(s.n, n);
        if (n > 0) {
            assert_memory_equal(s.e, e, n * sizeof *e);
            assert_memory_equal(s.lines, lines, n * sizeof *lines);
        }
        free_split(&s);
    }
    gy_free(e);
    gy_free(lines);
    gy_edges_close(f);
    free(bytes);
}

static void test_edgefile_split_good(void **state)
{
    char path[256];

    (void)state;
    for (size_t i = 0; i < sizeof goods / sizeof goods[0]; i++)
        split_matches_whole(nasty(goods[i].file, path, sizeof path), &goods[i].opts);
}

/* A bad line reports the same absolute line in whatever range it falls. */
static void test_edgefile_split_bad(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        char path[256], want[600], err[GY_EDGES_ERRLEN];
        gy_edges_t *f = NULL;

        nasty(bads[i].file, path, sizeof path);
        if (gy_edges_open(path, &bads[i].opts, &f, err, sizeof err) != 0)
            continue; /* a header error: no ranges to cut */
        snprintf(want, sizeof want, "%s%s", path, bads[i].msg);
        for (size_t parts = 1; parts <= 16; parts++) {
            struct split_result s;
            read_split(f, parts, 1, &s);
            assert_int_equal(s.rc, -EINVAL);
            assert_string_equal(s.err, want);
            free_split(&s);
        }
        gy_edges_close(f);
    }
}

/* After an error a cursor keeps returning it and parses nothing more. */
static void test_edgefile_cursor_sticky_error(void **state)
{
    char path[256], err[GY_EDGES_ERRLEN], again[GY_EDGES_ERRLEN] = "untouched";
    struct gy_edges_cursor c;
    struct gy_edge e[8];
    size_t n;
    gy_edges_t *f;

    (void)state;
    f = must_open(nasty("missing_v.txt", path, sizeof path), NULL);
    gy_edges_cursor_init(&c, f, gy_edges_all(f), 0);
    assert_int_equal(gy_edges_next(&c, e, NULL, 8, &n, err, sizeof err), -EINVAL);
    assert_int_equal(n, 1); /* the good line before the bad one */
    assert_int_equal(e[0].u, 1);
    assert_int_equal(gy_edges_next(&c, e, NULL, 8, &n, again, sizeof again), -EINVAL);
    assert_int_equal(n, 0);
    assert_string_equal(again, "untouched");
    gy_edges_close(f);
}

/* ------------------------------------------------------------------ */
/* Opening: missing files, options, format detection.                   */

static void test_edgefile_open_errors(void **state)
{
    char err[GY_EDGES_ERRLEN], want[600];
    struct gy_edges_opts o = {0};
    gy_edges_t *f = (gy_edges_t *)&o; /* must be reset to NULL on failure */

    (void)state;
    assert_int_equal(gy_edges_open(NASTY "/no_such_file.txt", NULL, &f, err, sizeof err), -ENOENT);
    assert_null(f);
    assert_string_equal(err, NASTY "/no_such_file.txt: No such file or directory");
    assert_int_equal(gy_edges_open(NASTY, NULL, &f, err, sizeof err), -EISDIR);
    assert_string_equal(err, NASTY ": Is a directory");
    o.time_column = 2;
    assert_int_equal(gy_edges_open(NASTY "/crlf.txt", &o, &f, err, sizeof err), -EINVAL);
    assert_string_equal(err, NASTY "/crlf.txt: the time column must be 0 (none) or 3 and above");
    o.time_column = 4;
    o.sign_column = 4;
    assert_int_equal(gy_edges_open(NASTY "/crlf.txt", &o, &f, err, sizeof err), -EINVAL);
    assert_string_equal(err, NASTY "/crlf.txt: the time and sign columns must differ");
    o.time_column = 0;
    assert_int_equal(gy_edges_open(NASTY "/general.mtx", &o, &f, err, sizeof err), -EINVAL);
    snprintf(want, sizeof want, "%s: a sign column needs a text edge list", NASTY "/general.mtx");
    assert_string_equal(err, want);
}

static void test_edgefile_detection(void **state)
{
    char path[256];
    size_t len, n;
    unsigned char *mtx = slurp(NASTY "/general.mtx", &len);
    struct gy_edges_opts text = {.format = GY_EDGES_TEXT};
    struct gy_edge *e;
    uint64_t *lines;
    gy_edges_t *f;

    (void)state;
    /* Content wins over a misleading name. */
    ts_write_file(ts_tmp_path("matrix.txt", path, sizeof path), mtx, len);
    f = must_open(path, NULL);
    assert_int_equal(gy_edges_format(f), GY_EDGES_MTX);
    assert_int_equal(gy_edges_fields(f), 0);
    gy_edges_close(f);
    /* A forced text read sees '%' lines as comments and the size line
     * "4 5 3" as an edge whose third column is a number to ignore. */
    f = must_open(NASTY "/general.mtx", &text);
    assert_int_equal(gy_edges_format(f), GY_EDGES_TEXT);
    n = must_read(f, &e, &lines);
    assert_int_equal(n, 4);
    assert_int_equal(e[0].u, 4);
    assert_int_equal(e[0].v, 5);
    assert_int_equal(lines[0], 4);
    assert_int_equal(e[3].u, 3);
    assert_int_equal(lines[3], 7);
    gy_free(e);
    gy_free(lines);
    gy_edges_close(f);
    f = must_open(NASTY "/crlf.txt", NULL);
    assert_int_equal(gy_edges_format(f), GY_EDGES_TEXT);
    assert_string_equal(gy_edges_path(f), NASTY "/crlf.txt");
    assert_int_equal(gy_edges_fields(f), GY_EDGES_HAS_SIGN);
    gy_edges_close(f);
    free(mtx);
}

/* ------------------------------------------------------------------ */
/* gzip.                                                                */

/* Parses a plain file and its gzip copy (named `gzname` in the temp dir)
 * and checks that they agree edge for edge and line for line. */
static void gz_matches_plain(const char *file, const char *gzname, const struct gy_edges_opts *o)
{
    char plain[256], gz[256];
    size_t len, n1, n2;
    unsigned char *bytes = slurp(nasty(file, plain, sizeof plain), &len);
    struct gy_edge *e1, *e2;
    uint64_t *l1, *l2;
    gy_edges_t *f1, *f2;

    gzip_file(ts_tmp_path(gzname, gz, sizeof gz), bytes, len);
    f1 = must_open(plain, o);
    f2 = must_open(gz, o);
    assert_int_equal(gy_edges_format(f1), gy_edges_format(f2));
    n1 = must_read(f1, &e1, &l1);
    n2 = must_read(f2, &e2, &l2);
    assert_int_equal(n1, n2);
    if (n1 > 0) {
        assert_memory_equal(e1, e2, n1 * sizeof *e1);
        assert_memory_equal(l1, l2, n1 * sizeof *l1);
    }
    gy_free(e1);
    gy_free(e2);
    gy_free(l1);
    gy_free(l2);
    gy_edges_close(f1);
    gy_edges_close(f2);
    split_matches_whole(gz, o);
    free(bytes);
}

static void test_edgefile_gzip(void **state)
{
    struct gy_edges_opts t3 = {.time_column = 3};

    (void)state;
    gz_matches_plain("crlf.txt", "crlf.txt.gz", NULL);
    gz_matches_plain("signs.txt", "signs.txt.gz", NULL);
    gz_matches_plain("three_columns.txt", "three.txt.gz", &t3);
    gz_matches_plain("empty.txt", "empty.txt.gz", NULL);
    gz_matches_plain("general.mtx", "general.mtx.gz", NULL);
    /* Detected by the magic bytes alone, whatever the name says. */
    gz_matches_plain("comments_mid.txt", "compressed.txt", NULL);
    gz_matches_plain("symmetric.mtx", "symmetric-mtx-no-extension", &t3);
}

static void test_edgefile_gzip_truncated(void **state)
{
    char path[256], cut[256], err[GY_EDGES_ERRLEN], want[600];
    size_t len, zlen;
    unsigned char *bytes = slurp(NASTY "/comments_mid.txt", &len), *z;

    (void)state;
    gzip_file(ts_tmp_path("whole.txt.gz", path, sizeof path), bytes, len);
    z = slurp(path, &zlen);
    ts_tmp_path("cut.txt.gz", cut, sizeof cut);
    for (size_t k = 0; k < zlen; k++) {
        ts_write_file(cut, z, k);
        assert_int_equal(bad_outcome(cut, NULL, err, sizeof err), -EINVAL);
        snprintf(want, sizeof want, "%s: %s", cut,
                 k < 2 ? "not in gzip format" : "truncated gzip stream (unexpected end of file)");
        assert_string_equal(err, want);
    }
    /* A flipped CRC-32 in the trailer (the last 8 bytes are CRC, ISIZE). */
    z[zlen - 8] ^= 0x5a;
    ts_write_file(cut, z, zlen);
    assert_int_equal(bad_outcome(cut, NULL, err, sizeof err), -EINVAL);
    snprintf(want, sizeof want, "%s: corrupt gzip stream (incorrect data check)", cut);
    assert_string_equal(err, want);
    free(z);
    free(bytes);
}

static void test_edgefile_gzip_members(void **state)
{
    char a[256], b[256], both[256], err[GY_EDGES_ERRLEN], want[600];
    size_t la, lb, za, zb, n;
    unsigned char *ta = slurp(NASTY "/tabs.txt", &la), *tb = slurp(NASTY "/commas.csv", &lb);
    unsigned char *ga, *gb, *cat;
    struct gy_edge *e;
    uint64_t *lines;
    gy_edges_t *f;

    (void)state;
    gzip_file(ts_tmp_path("a.gz", a, sizeof a), ta, la);
    gzip_file(ts_tmp_path("b.gz", b, sizeof b), tb, lb);
    ga = slurp(a, &za);
    gb = slurp(b, &zb);
    cat = malloc(za + zb + 3);
    assert_non_null(cat);
    memcpy(cat, ga, za);
    memcpy(cat + za, gb, zb);
    /* `cat a.gz b.gz` decompresses to tabs.txt followed by commas.csv. */
    ts_write_file(ts_tmp_path("both.txt.gz", both, sizeof both), cat, za + zb);
    f = must_open(both, NULL);
    n = must_read(f, &e, &lines);
    assert_int_equal(n, 6);
    assert_int_equal(e[1].u, 5);
    assert_int_equal(e[2].u, 1);
    assert_int_equal(lines[2], 3);
    assert_int_equal(e[5].v, 8);
    assert_int_equal(lines[5], 6);
    gy_free(e);
    gy_free(lines);
    gy_edges_close(f);
    memcpy(cat + za, "xyz", 3);
    ts_write_file(both, cat, za + 3);
    assert_int_equal(bad_outcome(both, NULL, err, sizeof err), -EINVAL);
    snprintf(want, sizeof want, "%s: 3 bytes of trailing garbage after the gzip data", both);
    assert_string_equal(err, want);
    free(cat);
    free(ga);
    free(gb);
    free(ta);
    free(tb);
}

/* ------------------------------------------------------------------ */
/* Binary format and writers.                                           */

static void put64(unsigned char *p, uint64_t x)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(x >> (8 * i));
}

/* The layout of docs/formats.md, built by hand byte by byte. */
static void test_edgefile_binary_layout(void **state)
{
    static const struct gy_edge in[2] = {
        {.u = 1, .v = 0x0102030405060708ULL, .time = -2, .sign = 1},
        {.u = UINT64_MAX, .v = 7, .time = INT64_MAX, .sign = -1},
    };
    unsigned char want[24 + 2 * 32] = "GYREDGE1";
    char path[256], err[GY_EDGES_ERRLEN];
    gy_edges_writer_t *w;
    unsigned char *got;
    size_t len;

    (void)state;
    want[8] = 1;  /* version 1, u32 LE */
    want[12] = 3; /* flags: has_time | has_sign */
    want[16] = 2; /* edge count, u64 LE */
    put64(want + 24, 1);
    put64(want + 32, 0x0102030405060708ULL);
    put64(want + 40, (uint64_t)-2);
    put64(want + 48, 1);
    put64(want + 56, UINT64_MAX);
    put64(want + 64, 7);
    put64(want + 72, (uint64_t)INT64_MAX);
    put64(want + 80, (uint64_t)-1);
    assert_int_equal(gy_edges_writer_open(ts_tmp_path("layout.gyb", path, sizeof path),
                                          GY_EDGES_AUTO, GY_EDGES_HAS_TIME | GY_EDGES_HAS_SIGN,
                                          &w, err, sizeof err), 0);
    assert_int_equal(gy_edges_writer_put(w, in, 2, err, sizeof err), 0);
    assert_int_equal(gy_edges_writer_close(w, err, sizeof err), 0);
    got = slurp(path, &len);
    assert_int_equal(len, sizeof want);
    assert_memory_equal(got, want, sizeof want);
    free(got);
}

/* Writes a binary file from raw bytes and returns the open/parse outcome. */
static int bin_outcome(const char *name, const unsigned char *b, size_t len,
                       const struct gy_edges_opts *o, char *err, size_t errlen, char *path)
{
    ts_write_file(ts_tmp_path(name, path, 256), b, len);
    return bad_outcome(path, o, err, errlen);
}

/* Three 24-byte records with signs (has_sign); record 2's sign is 3. */
static void binary_sample(unsigned char b[24 + 3 * 24])
{
    b[8] = 1;
    b[12] = 2;
    b[16] = 3;
    for (int i = 0; i < 3; i++) {
        put64(b + 24 + 24 * i, (uint64_t)i);
        put64(b + 32 + 24 * i, (uint64_t)i + 10);
        put64(b + 40 + 24 * i, i == 1 ? 3 : 1);
    }
}

static void test_edgefile_binary_bad_sign(void **state)
{
    unsigned char b[24 + 3 * 24] = "GYREDGE1";
    char path[256], err[GY_EDGES_ERRLEN], want[600];
    struct gy_edges_opts skip = {.skip_bad = true};
    struct gy_edges_bad bad;
    struct gy_edge *e;
    uint64_t *lines;
    size_t n;
    gy_edges_t *f;

    (void)state;
    binary_sample(b);
    assert_int_equal(bin_outcome("sign.gyb", b, sizeof b, NULL, err, sizeof err, path), -EINVAL);
    snprintf(want, sizeof want, "%s: record 2: sign 3 is not +1 or -1", path);
    assert_string_equal(err, want);
    f = must_open(path, &skip);
    assert_int_equal(gy_edges_read_all(f, &e, &lines, &n, &bad, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(e[1].u, 2);
    assert_int_equal(lines[1], 3);
    assert_int_equal(bad.count, 1);
    assert_int_equal(bad.first[0], 2);
    gy_free(e);
    gy_free(lines);
    gy_edges_close(f);
}

static void test_edgefile_binary_header_errors(void **state)
{
    unsigned char b[24 + 3 * 24] = "GYREDGE1";
    char path[256], err[GY_EDGES_ERRLEN], want[600];

    (void)state;
    binary_sample(b);
    assert_int_equal(bin_outcome("short.gyb", b, sizeof b - 1, NULL, err, sizeof err, path),
                     -EINVAL);
    snprintf(want, sizeof want, "%s: 71 bytes of records, but the header says 3 edges of 24 "
             "bytes (truncated?)", path);
    assert_string_equal(err, want);
    assert_int_equal(bin_outcome("head.gyb", b, 20, NULL, err, sizeof err, path), -EINVAL);
    snprintf(want, sizeof want, "%s: truncated binary header (20 of 24 bytes)", path);
    assert_string_equal(err, want);
    b[8] = 2;
    assert_int_equal(bin_outcome("v2.gyb", b, sizeof b, NULL, err, sizeof err, path), -EINVAL);
    snprintf(want, sizeof want, "%s: unsupported binary version 2 (gyre reads version 1)", path);
    assert_string_equal(err, want);
    b[8] = 1;
    b[12] = 6;
    assert_int_equal(bin_outcome("flags.gyb", b, sizeof b, NULL, err, sizeof err, path), -EINVAL);
    snprintf(want, sizeof want, "%s: unknown binary flags 0x6", path);
    assert_string_equal(err, want);
    b[0] = 'X';
    assert_int_equal(bin_outcome("magic.gyb", b, sizeof b, NULL, err, sizeof err, path), -EINVAL);
    snprintf(want, sizeof want, "%s: not a gyre binary edge file (no \"GYREDGE1\" magic)", path);
    assert_string_equal(err, want);
}

static int cmp_edge(const void *a, const void *b)
{
    const struct gy_edge *x = a, *y = b;

    if (x->u != y->u)
        return x->u < y->u ? -1 : 1;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return (x->sign > y->sign) - (x->sign < y->sign);
}

static void write_edges(const char *path, gy_edges_format_t fmt, unsigned fields,
                        const struct gy_edge *e, size_t n)
{
    char err[GY_EDGES_ERRLEN] = "";
    gy_edges_writer_t *w;

    if (gy_edges_writer_open(path, fmt, fields, &w, err, sizeof err) != 0)
        fail_msg("writer_open: %s", err);
    if (gy_edges_writer_put(w, e, n, err, sizeof err) != 0)
        fail_msg("writer_put: %s", err);
    if (gy_edges_writer_close(w, err, sizeof err) != 0)
        fail_msg("writer_close: %s", err);
}

/* Reads src, writes it as `name`, reads that back: same edge multiset. */
static void round_trip(const char *src, const struct gy_edges_opts *so, const char *name,
                       const struct gy_edges_opts *ro)
{
    char path[256];
    struct gy_edge *a, *b;
    size_t na, nb;
    gy_edges_t *f = must_open(src, so), *g;

    na = must_read(f, &a, NULL);
    write_edges(ts_tmp_path(name, path, sizeof path), GY_EDGES_AUTO, gy_edges_fields(f), a, na);
    g = must_open(path, ro);
    nb = must_read(g, &b, NULL);
    assert_int_equal(na, nb);
    assert_true(na > 0);
    /* Line numbers are where an edge sat in its own file; the two differ. */
    for (size_t i = 0; i < na; i++)
        a[i].line = b[i].line = 0;
    qsort(a, na, sizeof *a, cmp_edge);
    qsort(b, nb, sizeof *b, cmp_edge);
    assert_memory_equal(a, b, na * sizeof *a);
    gy_free(a);
    gy_free(b);
    gy_edges_close(f);
    gy_edges_close(g);
}

static void test_edgefile_round_trip(void **state)
{
    struct gy_edges_opts ts = {.time_column = 3, .sign_column = 4}, t3 = {.time_column = 3};
    char path[256];

    (void)state;
    nasty("sign_column.txt", path, sizeof path);
    round_trip(path, &ts, "sc.gyb", NULL);
    round_trip(path, &ts, "sc.gyb.gz", NULL);
    round_trip(path, &ts, "sc.txt", &t3);
    round_trip(path, &ts, "sc.txt.gz", &t3);
    round_trip(nasty("huge_ids.txt", path, sizeof path), NULL, "huge.gyb", NULL);
    round_trip(path, NULL, "huge.txt", NULL);
    round_trip(nasty("signs.txt", path, sizeof path), NULL, "signs.gyb", NULL);
    round_trip(nasty("three_columns.txt", path, sizeof path), &t3, "three.gyb", NULL);
    round_trip(path, &t3, "three.txt.gz", &t3);
    round_trip(nasty("symmetric.mtx", path, sizeof path), &t3, "sym.txt", &t3);
}

static uint64_t rng = 0x5eed5eed5eedULL;

/* A random value biased to the edges of its range (0, max, small). */
static uint64_t rnd_val(void)
{
    switch (ts_rng_next(&rng) % 4) {
    case 0:
        return ts_rng_next(&rng) % 10;
    case 1:
        return UINT64_MAX - ts_rng_next(&rng) % 3;
    case 2:
        return (UINT64_MAX >> 1) + 1 - ts_rng_next(&rng) % 3; /* around 2^63 */
    default:
        return ts_rng_next(&rng) >> (ts_rng_next(&rng) % 64);
    }
}

/* Plain records (no time, no sign: the copy loop of the reader) come back
 * exactly, time 0, sign +1, line = record number, in every chunking. */
static void test_edgefile_plain_binary_exact(void **state)
{
    const size_t n = 10007; /* several reader chunks, and a ragged last one */
    struct gy_edge *in = calloc(n, sizeof *in), *out;
    uint64_t *lines;
    char path[256];
    gy_edges_t *f;

    (void)state;
    assert_non_null(in);
    for (size_t i = 0; i < n; i++)
        in[i] = (struct gy_edge){.u = rnd_val(), .v = rnd_val(), .sign = 1,
                                 .line = (uint32_t)(i + 1)};
    write_edges(ts_tmp_path("plain.gyb", path, sizeof path), GY_EDGES_AUTO, 0, in, n);
    f = must_open(path, NULL);
    assert_int_equal(gy_edges_fields(f), 0);
    assert_int_equal(must_read(f, &out, &lines), n);
    assert_memory_equal(out, in, n * sizeof *in);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(lines[i], i + 1);
    gy_free(out);
    gy_free(lines);
    gy_edges_close(f);
    split_matches_whole(path, NULL);
    free(in);
}

/* Random edges through every writer and back, in order and exactly. */
static void test_edgefile_random_round_trip(void **state)
{
    static const char *names[] = {"r.gyb", "r.gyb.gz", "r.txt", "r.txt.gz"};
    const unsigned all = GY_EDGES_HAS_TIME | GY_EDGES_HAS_SIGN;
    struct gy_edges_opts t3 = {.time_column = 3};
    const size_t n = 5000;
    struct gy_edge *in = calloc(n, sizeof *in), *out;
    uint64_t *lines;
    char path[256];

    (void)state;
    assert_non_null(in);
    for (size_t i = 0; i < n; i++) {
        in[i].u = rnd_val();
        in[i].v = rnd_val();
        in[i].time = (int64_t)rnd_val();
        in[i].sign = ts_rng_next(&rng) & 1 ? 1 : -1;
        in[i].line = (uint32_t)(i + 1); /* one line (record) per edge */
    }
    for (size_t k = 0; k < 4; k++) {
        gy_edges_t *f;
        write_edges(ts_tmp_path(names[k], path, sizeof path), GY_EDGES_AUTO, all, in, n);
        f = must_open(path, k < 2 ? NULL : &t3);
        assert_int_equal(gy_edges_fields(f), all);
        assert_int_equal(must_read(f, &out, &lines), n);
        assert_memory_equal(out, in, n * sizeof *in);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(lines[i], i + 1); /* a record number, or a line */
        gy_free(out);
        gy_free(lines);
        gy_edges_close(f);
        split_matches_whole(path, k < 2 ? NULL : &t3);
    }
    free(in);
}

/* A growing text buffer for generated files. */
struct text {
    char *s;
    size_t n, cap;
};

static void emit(struct text *t, const char *fmt, ...)
{
    va_list ap;
    int k;

    if (t->cap - t->n < 128) {
        t->cap = t->cap ? t->cap * 2 : 4096;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
    va_start(ap, fmt);
    k = vsnprintf(t->s + t->n, t->cap - t->n, fmt, ap);
    va_end(ap);
    assert_true(k >= 0 && (size_t)k < t->cap - t->n);
    t->n += (size_t)k;
}

/* A random separator run: spaces, tabs, commas and CRs. */
static void emit_sep(struct text *t)
{
    static const char seps[] = " \t,\r";
    size_t k = 1 + ts_rng_next(&rng) % 3;

    for (size_t i = 0; i < k; i++) /* a CR is never the only separator */
        emit(t, "%c", seps[ts_rng_next(&rng) % (i == 0 ? 3 : 4)]);
}

/* One random edge line; *w gets what it must parse to. */
static void emit_edge(struct text *t, struct want *w)
{
    w->u = rnd_val();
    w->v = ts_rng_next(&rng) % 8 == 0 ? w->u : rnd_val();
    w->time = (int64_t)rnd_val();
    w->sign = ts_rng_next(&rng) % 3 == 0 ? -1 : 1;
    if (ts_rng_next(&rng) % 2)
        emit_sep(t);
    if (w->sign < 0 || ts_rng_next(&rng) % 4 == 0) {
        emit(t, "%c", w->sign < 0 ? '-' : '+');
        emit_sep(t);
    }
    emit(t, "%llu", (unsigned long long)w->u);
    emit_sep(t);
    emit(t, "%llu", (unsigned long long)w->v);
    emit_sep(t);
    emit(t, "%lld", (long long)w->time);
    if (ts_rng_next(&rng) % 3 == 0) {
        emit_sep(t);
        emit(t, ts_rng_next(&rng) % 2 ? "%.3e" : "%.2f",
             (double)(ts_rng_next(&rng) % 100000) / 7.0 - 5000.0);
    }
    if (ts_rng_next(&rng) % 3 == 0)
        emit_sep(t);
}

/* A generated file of comments, blank lines and edges: the generator knows
 * every edge and its line, an oracle independent of the parser. */
static size_t gen_text(struct text *t, struct want *w, size_t lines)
{
    const char *eol = ts_rng_next(&rng) % 2 ? "\r\n" : "\n";
    size_t n = 0;

    for (size_t line = 1; line <= lines; line++) {
        switch (ts_rng_next(&rng) % 6) {
        case 0:
            emit(t, "%s comment %zu, with 1 2 3", ts_rng_next(&rng) % 2 ? "#" : "%", line);
            break;
        case 1:
            if (ts_rng_next(&rng) % 2)
                emit_sep(t);
            break;
        default:
            emit_edge(t, &w[n]);
            w[n++].line = line;
        }
        if (line < lines || ts_rng_next(&rng) % 2)
            emit(t, "%s", eol);
    }
    return n;
}

static void test_edgefile_random_text(void **state)
{
    struct gy_edges_opts t3 = {.time_column = 3};
    struct want *w = calloc(400, sizeof *w);
    char path[256];

    (void)state;
    assert_non_null(w);
    for (int round = 0; round < 40; round++) {
        struct text t = {0};
        struct gy_edge *e;
        uint64_t *lines;
        gy_edges_t *f;
        size_t n = gen_text(&t, w, 1 + ts_rng_next(&rng) % 400);

        ts_write_file(ts_tmp_path("random.txt", path, sizeof path), t.s, t.n);
        f = must_open(path, &t3);
        assert_int_equal(must_read(f, &e, &lines), n);
        check_want(e, lines, w, n);
        gy_free(e);
        gy_free(lines);
        gy_edges_close(f);
        split_matches_whole(path, &t3);
        free(t.s);
    }
    free(w);
}

/* An id of 1 to 20 digits, sometimes with leading zeros: the fast path
 * reads up to 15 digits and must hand longer ones to the general path. */
static uint64_t emit_id(struct text *t)
{
    static const uint64_t p10[20] = {1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL,
                                     1000000ULL, 10000000ULL, 100000000ULL, 1000000000ULL,
                                     10000000000ULL, 100000000000ULL, 1000000000000ULL,
                                     10000000000000ULL, 100000000000000ULL,
                                     1000000000000000ULL, 10000000000000000ULL,
                                     100000000000000000ULL, 1000000000000000000ULL,
                                     10000000000000000000ULL};
    unsigned digits = 1 + (unsigned)ts_rng_below(&rng, 20);
    unsigned zeros = ts_rng_below(&rng, 8) == 0 ? 1 + ts_rng_below(&rng, 3) : 0;
    uint64_t x = ts_rng_next(&rng);

    if (digits < 20)
        x = digits == 1 ? x % 10 : p10[digits - 1] + x % (p10[digits] - p10[digits - 1]);
    else
        x = p10[19] + x % (UINT64_MAX - p10[19]);
    emit(t, "%.*s%llu", (int)zeros, "000", (unsigned long long)x);
    return x;
}

/* A line that must be skipped as bad, of one of several kinds. */
static void emit_bad(struct text *t)
{
    switch (ts_rng_next(&rng) % 5) {
    case 0:
        emit(t, "18446744073709551616 %llu", (unsigned long long)(ts_rng_next(&rng) % 1000));
        break;
    case 1:
        emit(t, "%llu x", (unsigned long long)(ts_rng_next(&rng) % 1000));
        break;
    case 2:
        emit(t, "%llu", (unsigned long long)(ts_rng_next(&rng) % 100000000));
        break;
    case 3:
        emit(t, "1 2 z");
        break;
    default:
        emit(t, "12345678 9-1");
    }
}

/* A time column: mostly what the fast path takes (no sign, up to 15
 * digits), sometimes a sign or a longer number. */
static int64_t emit_time(struct text *t)
{
    int64_t x = (int64_t)(ts_rng_next(&rng) >> (1 + ts_rng_next(&rng) % 63)); /* 0 .. INT64_MAX */

    switch (ts_rng_next(&rng) % 8) {
    case 0:
        x = -x;
        emit(t, "%lld", (long long)x);
        break;
    case 1:
        emit(t, "+%lld", (long long)x);
        break;
    default:
        x %= 1000000000000000LL;
        emit(t, "%s%lld", ts_rng_next(&rng) % 8 ? "" : "00", (long long)x);
    }
    return x;
}

/* One line of a plain edge list: mostly what the fast path takes (single
 * separators, LF or CRLF), with everything it must hand over mixed in.
 * Returns 1 for an edge (filled into *w), 0 for a non-edge, -1 for a bad line. */
static int emit_plain_line(struct text *t, struct want *w, bool bad_ok, bool timed)
{
    unsigned kind = (unsigned)ts_rng_below(&rng, 20);

    if (kind == 0) {
        emit(t, ts_rng_next(&rng) % 2 ? "# a comment 1 2" : "");
        return 0;
    }
    if (kind == 1 && bad_ok) {
        emit_bad(t);
        return -1;
    }
    w->time = 0;
    w->sign = kind == 2 ? -1 : 1;
    if (kind == 3)
        emit_sep(t); /* leading separators */
    if (kind == 2)
        emit(t, "- ");
    w->u = emit_id(t);
    if (kind == 4)
        emit_sep(t);
    else
        emit(t, "%c", " \t,"[ts_rng_next(&rng) % 3]);
    w->v = emit_id(t);
    if (timed) {
        emit(t, "%c", " \t,"[ts_rng_next(&rng) % 3]);
        w->time = emit_time(t);
    }
    if (kind == 5)
        emit(t, " %llu.5", (unsigned long long)(ts_rng_next(&rng) % 100)); /* an ignored column */
    if (kind == 6)
        emit_sep(t);
    return 1;
}

/* Plain edge lists of every shape against the generator's own record of
 * each line, whole and split, with and without a time column, strict and
 * with skip_bad. */
static void test_edgefile_random_plain(void **state)
{
    struct gy_edges_opts skip = {.skip_bad = true}, skip3 = {.skip_bad = true, .time_column = 3};
    struct want *w = calloc(3000, sizeof *w);
    uint64_t badl[GY_EDGES_BAD_KEEP];
    char path[256];

    (void)state;
    assert_non_null(w);
    for (int round = 0; round < 60; round++) {
        struct text t = {0};
        struct gy_edges_bad bad;
        struct gy_edge *e;
        uint64_t *lines, nbad = 0;
        gy_edges_t *f;
        size_t n = 0, total = 1 + ts_rng_next(&rng) % 3000;
        bool with_bad = round % 2, crlf = round % 3 == 0, timed = round % 4 >= 2;
        char msg[GY_EDGES_ERRLEN];

        for (size_t line = 1; line <= total; line++) {
            int k = emit_plain_line(&t, &w[n], with_bad, timed);
            if (k > 0)
                w[n++].line = line;
            if (k < 0 && nbad < GY_EDGES_BAD_KEEP)
                badl[nbad] = line;
            nbad += k < 0;
            if (line < total || ts_rng_next(&rng) % 2)
                emit(&t, crlf ? "\r\n" : "\n");
        }
        ts_write_file(ts_tmp_path("plain.txt", path, sizeof path), t.s, t.n);
        f = must_open(path, timed ? &skip3 : &skip);
        assert_int_equal(gy_edges_read_all(f, &e, &lines, &n, &bad, msg, sizeof msg), 0);
        check_want(e, lines, w, n);
        assert_int_equal(bad.count, nbad);
        assert_memory_equal(bad.first, badl, (nbad < 5 ? nbad : 5) * sizeof *badl);
        gy_free(e);
        gy_free(lines);
        gy_edges_close(f);
        split_matches_whole(path, timed ? &skip3 : &skip);
        free(t.s);
    }
    free(w);
}

/* The documented rule for an edge line, byte by byte: the first byte that
 * is not a space, tab, comma or CR is not '\n', '#', '%' or the end. */
static bool naive_edge_line(const unsigned char *p, const unsigned char *e)
{
    while (p < e && (*p == ' ' || *p == '\t' || *p == ',' || *p == '\r'))
        p++;
    return p < e && *p != '\n' && *p != '#' && *p != '%';
}

/* gy_edges_count and gy_edges_count_lines on random bytes of the characters
 * that matter (and a few that do not), for every range that starts at a line
 * start, against a naive count; and line numbers against newlines counted
 * by hand. */
static void test_edgefile_count_random(void **state)
{
    static const char alphabet[] = "0123456789 \t,\r\n\n\n#%+-x\x80\xff";
    unsigned char buf[700];
    char path[256];

    (void)state;
    for (int round = 0; round < 200; round++) {
        size_t len = ts_rng_next(&rng) % sizeof buf, starts[700], ns = 0;
        gy_edges_t *f;

        for (size_t i = 0; i < len; i++) {
            buf[i] = (unsigned char)alphabet[ts_rng_next(&rng) % (sizeof alphabet - 1)];
            if (round % 2 && ts_rng_next(&rng) % 4)
                buf[i] = (unsigned char)('0' + ts_rng_next(&rng) % 10); /* mostly ordinary lines */
        }
        if (len >= 3 && buf[0] == 0xef)
            buf[0] = '1'; /* no byte order mark: offsets are the file's */
        ts_write_file(ts_tmp_path("count.txt", path, sizeof path), buf, len);
        f = must_open(path, &(struct gy_edges_opts){.format = GY_EDGES_TEXT});
        assert_int_equal(gy_edges_first_line(f), 1);
        for (size_t i = 0; i <= len; i++)
            if (i == 0 || buf[i - 1] == '\n')
                starts[ns++] = i;
        for (size_t a = 0; a < ns; a += 1 + ts_rng_next(&rng) % 3) {
            size_t b = a + ts_rng_next(&rng) % (ns - a);
            struct gy_edges_range r = {starts[a], starts[b]};
            uint64_t want = 0, wnl = 0, got, gnl;
            if (ts_rng_next(&rng) % 4 == 0)
                r.end = len;
            for (size_t k = a; k < ns && starts[k] < r.end; k++)
                want += naive_edge_line(buf + starts[k], buf + r.end);
            for (size_t i = r.begin; i < r.end; i++)
                wnl += buf[i] == '\n';
            assert_int_equal(gy_edges_count_lines(f, r, &got, &gnl), 0);
            assert_int_equal(got, want);
            assert_int_equal(gnl, wnl);
        }
        gy_edges_close(f);
    }
}

/* Skip records of ranges merge to the same result in any order: the count,
 * and the smallest line numbers ascending (sources merge them per block,
 * and blocks are dealt round-robin to workers). */
static void test_edgefile_bad_merge_any_order(void **state)
{
    static const size_t orders[3][8] = {{0, 1, 2, 3, 4, 5, 6, 7}, {7, 6, 5, 4, 3, 2, 1, 0},
                                        {3, 7, 0, 5, 1, 6, 2, 4}};
    struct gy_edges_opts skip = {.skip_bad = true};
    struct gy_edges_bad part[8], merged;
    struct gy_edges_range r[8];
    struct text t = {0};
    char path[256];
    gy_edges_t *f;
    (void)state;

    for (int line = 1; line <= 400; line++)
        emit(&t, line % 7 == 3 || line == 390 ? "%d x\n" : "%d 1\n", line);
    ts_write_file(ts_tmp_path("bad_merge.txt", path, sizeof path), t.s, t.n);
    f = must_open(path, &skip);
    assert_int_equal(gy_edges_split(f, 8, r), 0);
    for (size_t k = 0; k < 8; k++) {
        struct gy_edges_cursor c;
        struct gy_edge e[64];
        size_t n;
        gy_edges_cursor_init(&c, f, r[k], 0);
        while (gy_edges_next(&c, e, NULL, 64, &n, NULL, 0) == 0 && n > 0)
            ;
        part[k] = c.bad;
    }
    for (size_t o = 0; o < 3; o++) {
        const uint64_t want[GY_EDGES_BAD_KEEP] = {3, 10, 17, 24, 31};
        memset(&merged, 0, sizeof merged);
        for (size_t k = 0; k < 8; k++)
            gy_edges_bad_merge(&merged, &part[orders[o][k]]);
        assert_int_equal(merged.count, 57 + 1); /* lines 3, 10, ..., 395 and 390 */
        assert_memory_equal(merged.first, want, sizeof want);
    }
    gy_edges_close(f);
    free(t.s);
}

static void test_edgefile_writer_rejects_loss(void **state)
{
    struct gy_edge del = {.u = 1, .v = 2, .sign = -1}, timed = {.u = 1, .v = 2, .time = 5, .sign = 1};
    struct gy_edge zero = {.u = 1, .v = 2};
    char path[256], err[GY_EDGES_ERRLEN], want[600];
    gy_edges_writer_t *w;
    struct stat st;

    (void)state;
    ts_tmp_path("loss.gyb", path, sizeof path);
    assert_int_equal(gy_edges_writer_open(path, GY_EDGES_AUTO, 0, &w, err, sizeof err), 0);
    assert_int_equal(gy_edges_writer_put(w, &del, 1, err, sizeof err), -EINVAL);
    snprintf(want, sizeof want, "%s: edge 1 (1 2) has sign -1 but the output stores no signs",
             path);
    assert_string_equal(err, want);
    assert_int_equal(gy_edges_writer_put(w, &timed, 1, err, sizeof err), -EINVAL);
    snprintf(want, sizeof want, "%s: edge 1 (1 2) has a time but the output stores no times",
             path);
    assert_string_equal(err, want);
    assert_int_equal(gy_edges_writer_put(w, &zero, 1, err, sizeof err), -EINVAL);
    gy_edges_writer_abort(w);
    assert_int_equal(stat(path, &st), -1); /* abort removed the half-written file */
    assert_int_equal(gy_edges_writer_open(ts_tmp_path("no/such/dir.txt", path, sizeof path),
                                          GY_EDGES_TEXT, 0, &w, err, sizeof err), -ENOENT);
    snprintf(want, sizeof want, "%s: No such file or directory", path);
    assert_string_equal(err, want);
}

/* Every allocation in open (gzip included) and read_all may fail: the call
 * must return -ENOMEM and free what it took (ASan checks the leaks). */
static void test_edgefile_alloc_failures(void **state)
{
    char path[256], err[GY_EDGES_ERRLEN];
    size_t len, n = 0;
    unsigned char *bytes = slurp(NASTY "/three_columns.txt", &len);
    struct gy_edges_opts t3 = {.time_column = 3};
    struct gy_edge *e = NULL;
    uint64_t *lines = NULL;
    int rc = -ENOMEM;

    (void)state;
    gzip_file(ts_tmp_path("oom.txt.gz", path, sizeof path), bytes, len);
    for (long k = 1; rc == -ENOMEM; k++) {
        gy_edges_t *f = NULL;
        gy_alloc_fail_after(k);
        rc = gy_edges_open(path, &t3, &f, err, sizeof err);
        if (rc == 0) {
            rc = gy_edges_read_all(f, &e, &lines, &n, NULL, err, sizeof err);
            gy_edges_close(f);
        }
        gy_alloc_fail_after(0);
        assert_true(rc == 0 || rc == -ENOMEM);
        assert_true(k < 100);
    }
    assert_int_equal(n, 4);
    assert_int_equal(e[3].time, INT64_MIN);
    gy_free(e);
    gy_free(lines);
    free(bytes);
}

/* ------------------------------------------------------------------ */

static int setup(void **state)
{
    (void)state;
    return ts_tmpdir_make("edgefile-test-");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edgefile_good_corpus),
        cmocka_unit_test(test_edgefile_corpus_bytes),
        cmocka_unit_test(test_edgefile_bad_corpus),
        cmocka_unit_test(test_edgefile_skip_bad),
        cmocka_unit_test(test_edgefile_bad_format_short),
        cmocka_unit_test(test_edgefile_split_good),
        cmocka_unit_test(test_edgefile_split_bad),
        cmocka_unit_test(test_edgefile_cursor_sticky_error),
        cmocka_unit_test(test_edgefile_open_errors),
        cmocka_unit_test(test_edgefile_detection),
        cmocka_unit_test(test_edgefile_gzip),
        cmocka_unit_test(test_edgefile_gzip_truncated),
        cmocka_unit_test(test_edgefile_gzip_members),
        cmocka_unit_test(test_edgefile_binary_layout),
        cmocka_unit_test(test_edgefile_plain_binary_exact),
        cmocka_unit_test(test_edgefile_binary_bad_sign),
        cmocka_unit_test(test_edgefile_binary_header_errors),
        cmocka_unit_test(test_edgefile_round_trip),
        cmocka_unit_test(test_edgefile_random_round_trip),
        cmocka_unit_test(test_edgefile_random_text),
        cmocka_unit_test(test_edgefile_random_plain),
        cmocka_unit_test(test_edgefile_count_random),
        cmocka_unit_test(test_edgefile_bad_merge_any_order),
        cmocka_unit_test(test_edgefile_writer_rejects_loss),
        cmocka_unit_test(test_edgefile_alloc_failures),
    };
    return cmocka_run_group_tests_name("edgefile", tests, setup, ts_tmpdir_teardown);
}
