/*
 * End-to-end tests of the `gyre` command: the built binary is run with
 * posix_spawn, as a user would run it, and what it writes is read back
 * without gyre's own reader.
 *
 *  - text -> `gyre convert` -> .gyb -> `gyre convert` -> text keeps the edge
 *    multiset, times and signs included, for real graphs from the shared
 *    data directory and for a hand-made signed, timed file: the .gyb is
 *    decoded byte by byte from docs/formats.md, and both text ends are read
 *    by a small parser written here (zlib for .gz);
 *  - bad input (a missing file, a malformed line, a truncated .gz) exits
 *    with status 1, prints exactly one "file[:line]: ..." line on stderr and
 *    leaves no output file behind; a bad command line exits with status 2.
 *
 * The binary is $GY_GYRE, else ../gyre next to this test's directory: tests
 * live in build[/mode]/tests/ and gyre in build[/mode]/gyre.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tests/support/files.h"
#include "tests/support/oracle_tsv.h"
#include "tests/support/proc.h"

static char gyre[PATH_MAX];

/* One edge as a file states it. */
struct rec {
    uint64_t u, v;
    int64_t t;
    int sign;
};

struct recs {
    struct rec *r;
    size_t n, cap;
};

/* What a run of gyre left: its exit status and its stderr. */
struct outcome {
    int status;       /* exit status, or 128 + signal */
    char err[4096];   /* stderr, NUL-terminated (cut at 4095 bytes) */
};

/* ---- running the binary ---- */

static int setup(void **state)
{
    (void)state;
    ts_gyre_path(gyre, sizeof(gyre));
    if (access(gyre, X_OK) != 0) {
        print_error("no gyre binary at %s (build it, or set GY_GYRE)\n", gyre);
        return -1;
    }
    return ts_tmpdir_make("gyre-cli-");
}

/* Runs gyre with args (NULL-terminated, without argv[0]); keeps its exit
 * status and stderr. */
static void run_gyre(const char *const *args, struct outcome *o)
{
    struct ts_proc p;

    ts_proc_run(gyre, args, NULL, &p);
    o->status = p.status;
    snprintf(o->err, sizeof(o->err), "%s", p.err);
    ts_proc_free(&p);
}

/* A run that must succeed silently. */
static void gyre_ok(const char *const *args)
{
    struct outcome o;

    run_gyre(args, &o);
    if (o.status != 0 || o.err[0] != '\0')
        fail_msg("gyre %s %s %s: status %d, stderr '%s'", args[0], args[1], args[2], o.status,
                 o.err);
}

/* ---- reading what gyre read and wrote, without gyre ---- */

static void push(struct recs *s, struct rec r)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 1024;
        s->r = realloc(s->r, s->cap * sizeof(*s->r));
        assert_non_null(s->r);
    }
    s->r[s->n++] = r;
}

static char *skip_seps(char *p)
{
    return p + strspn(p, " \t,\r");
}

/* "[+|-] u v [t]" lines; '#', '%' and blank lines skipped; plain or gzip. */
static void read_text(const char *path, bool timed, struct recs *s)
{
    gzFile gz = gzopen(path, "rb");
    char buf[512];

    assert_non_null(gz);
    memset(s, 0, sizeof(*s));
    while (gzgets(gz, buf, sizeof(buf)) != NULL) {
        char *p = skip_seps(buf);
        struct rec r = {.sign = 1};
        assert_true(strchr(buf, '\n') != NULL || gzeof(gz));
        if (*p == '\0' || *p == '\n' || *p == '#' || *p == '%')
            continue;
        if ((*p == '+' || *p == '-') && strchr(" \t,\r", p[1]) != NULL) {
            r.sign = *p == '-' ? -1 : 1;
            p = skip_seps(p + 1);
        }
        errno = 0;
        r.u = strtoull(p, &p, 10);
        r.v = strtoull(skip_seps(p), &p, 10);
        if (timed)
            r.t = strtoll(skip_seps(p), &p, 10);
        assert_int_equal(errno, 0);
        push(s, r);
    }
    gzclose(gz);
}

static uint64_t le64(const unsigned char *p)
{
    uint64_t x = 0;

    for (int i = 7; i >= 0; i--)
        x = x << 8 | p[i];
    return x;
}

/* A .gyb (or .gyb.gz), decoded from the layout in docs/formats.md. */
static void read_gyb(const char *path, unsigned *flags, struct recs *s)
{
    gzFile gz = gzopen(path, "rb");
    unsigned char h[24], rec[32];
    uint64_t count;
    size_t width;

    assert_non_null(gz);
    memset(s, 0, sizeof(*s));
    assert_int_equal(gzread(gz, h, 24), 24);
    assert_memory_equal(h, "GYREDGE1\1\0\0\0", 12);
    *flags = h[12];
    assert_true(*flags <= 3 && h[13] == 0 && h[14] == 0 && h[15] == 0);
    count = le64(h + 16);
    width = 16 + 8 * (*flags & 1) + 8 * (*flags >> 1);
    for (uint64_t i = 0; i < count; i++) {
        struct rec r = {.sign = 1};
        assert_int_equal(gzread(gz, rec, (unsigned)width), (int)width);
        r.u = le64(rec);
        r.v = le64(rec + 8);
        if (*flags & 1)
            r.t = (int64_t)le64(rec + 16);
        if (*flags & 2) {
            int64_t sign = (int64_t)le64(rec + width - 8);
            assert_true(sign == 1 || sign == -1);
            r.sign = (int)sign;
        }
        push(s, r);
    }
    assert_int_equal(gzread(gz, rec, 1), 0); /* nothing after the records */
    gzclose(gz);
}

static int cmp_rec(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;

    if (x->u != y->u)
        return x->u < y->u ? -1 : 1;
    if (x->v != y->v)
        return x->v < y->v ? -1 : 1;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->sign > y->sign) - (x->sign < y->sign);
}

/* The same multiset: sorted copies compared record by record. */
static void same_multiset(struct recs *a, struct recs *b, const char *what)
{
    if (a->n != b->n)
        fail_msg("%s: %zu edges, want %zu", what, b->n, a->n);
    qsort(a->r, a->n, sizeof(*a->r), cmp_rec);
    qsort(b->r, b->n, sizeof(*b->r), cmp_rec);
    for (size_t i = 0; i < a->n; i++)
        if (cmp_rec(&a->r[i], &b->r[i]) != 0)
            fail_msg("%s: edge %zu is %llu %llu t=%lld sign %d, want %llu %llu t=%lld sign %d",
                     what, i, (unsigned long long)b->r[i].u, (unsigned long long)b->r[i].v,
                     (long long)b->r[i].t, b->r[i].sign, (unsigned long long)a->r[i].u,
                     (unsigned long long)a->r[i].v, (long long)a->r[i].t, a->r[i].sign);
}

/*
 * in -> mid (binary) -> out (text), with --time-column 3 when timed. The
 * binary must hold exactly the input's edges with the fields they need
 * (a time only when timed, a sign only when some edge deletes), and the
 * text at the end the same edges again.
 */
static void round_trip(const char *in, bool timed, const char *mid, const char *out)
{
    const char *to_bin[] = {"convert", in, mid, timed ? "--time-column" : NULL, "3", NULL};
    const char *to_text[] = {"convert", mid, out, NULL};
    struct recs want, bin, text;
    unsigned flags, need_sign = 0;

    read_text(in, timed, &want);
    assert_true(want.n > 0);
    for (size_t i = 0; i < want.n; i++)
        need_sign |= want.r[i].sign < 0 ? 2u : 0u;
    gyre_ok(to_bin);
    read_gyb(mid, &flags, &bin);
    assert_int_equal(flags, (timed ? 1u : 0u) | need_sign);
    same_multiset(&want, &bin, mid);
    gyre_ok(to_text);
    read_text(out, timed, &text);
    same_multiset(&want, &text, out);
    free(want.r);
    free(bin.r);
    free(text.r);
}

/* ---- tests ---- */

static void test_cli_round_trip_real(void **state)
{
    static const struct {
        const char *file;
        bool timed;
    } graphs[] = {{"CollegeMsg.txt.gz", true}, {"ca-GrQc.txt", false}, {"minnesota.txt", false}};
    char in[1024], mid[128], out[128];
    (void)state;

    for (size_t i = 0; i < sizeof(graphs) / sizeof(graphs[0]); i++) {
        oracle_graph_path(graphs[i].file, in, sizeof(in));
        if (access(in, R_OK) != 0) {
            print_message("skipping %s: not readable\n", in);
            continue;
        }
        round_trip(in, graphs[i].timed, ts_tmp_path("real.gyb", mid, sizeof(mid)),
                   ts_tmp_path("real.txt", out, sizeof(out)));
    }
}

static void test_cli_round_trip_signed(void **state)
{
    const char *in = "tests/data/signed_timed.txt";
    char mid[128], out[128];
    struct recs r;
    (void)state;

    /* The file holds what the round trip must keep: deletes, extreme ids
     * and times, tabs, commas, CRLF, no final newline. */
    read_text(in, true, &r);
    assert_int_equal(r.n, 13);
    free(r.r);
    round_trip(in, true, ts_tmp_path("signed.gyb", mid, sizeof(mid)),
               ts_tmp_path("signed.txt", out, sizeof(out)));
    round_trip(in, true, ts_tmp_path("signed.gyb.gz", mid, sizeof(mid)),
               ts_tmp_path("signed.txt.gz", out, sizeof(out)));
}

/* A failed run: status 1, stderr exactly `want` and a newline, no OUT. */
static void expect_failure(const char *in, const char *want)
{
    char out[128], line[1024];
    const char *args[] = {"convert", in, ts_tmp_path("failed.gyb", out, sizeof(out)), NULL};
    struct outcome o;
    struct stat st;

    run_gyre(args, &o);
    snprintf(line, sizeof(line), "%s\n", want);
    if (o.status != 1 || strcmp(o.err, line) != 0)
        fail_msg("gyre convert %s: status %d, stderr '%s'; want 1, '%s'", in, o.status, o.err,
                 want);
    assert_int_not_equal(stat(out, &st), 0); /* nothing half-written left behind */
}

/* Some thousand good lines, one bad one at line `bad` (1-based), more good ones. */
static size_t bad_text(char *buf, size_t cap, int bad)
{
    size_t n = 0;

    for (int line = 1; line <= 3000; line++)
        n += (size_t)snprintf(buf + n, cap - n, line == bad ? "%d x\n" : "%d %d\n", line,
                              line * 7 % 1000);
    return n;
}

static void test_cli_bad_input(void **state)
{
    static char text[64 * 1024];
    char path[128], want[512];
    size_t n;
    gzFile gz;
    (void)state;

    ts_tmp_path("missing.txt", path, sizeof(path));
    snprintf(want, sizeof(want), "%s: No such file or directory", path);
    expect_failure(path, want);

    n = bad_text(text, sizeof(text), 2501);
    ts_write_file(ts_tmp_path("malformed.txt", path, sizeof(path)), text, n);
    snprintf(want, sizeof(want), "%s:2501: bad vertex id 'x'", path);
    expect_failure(path, want);

    /* The same bytes compressed: the line counts the decompressed text. */
    gz = gzopen(ts_tmp_path("malformed.txt.gz", path, sizeof(path)), "wb");
    assert_non_null(gz);
    assert_int_equal(gzwrite(gz, text, (unsigned)n), (int)n);
    assert_int_equal(gzclose(gz), Z_OK);
    snprintf(want, sizeof(want), "%s:2501: bad vertex id 'x'", path);
    expect_failure(path, want);

    /* A good stream cut in half. */
    n = bad_text(text, sizeof(text), 0);
    gz = gzopen(ts_tmp_path("whole.txt.gz", path, sizeof(path)), "wb");
    assert_non_null(gz);
    assert_int_equal(gzwrite(gz, text, (unsigned)n), (int)n);
    assert_int_equal(gzclose(gz), Z_OK);
    assert_int_equal(truncate(path, 2000), 0);
    snprintf(want, sizeof(want), "%s: truncated gzip stream (unexpected end of file)", path);
    expect_failure(path, want);
}

static void test_cli_usage_error(void **state)
{
    const char *none[] = {"convert", NULL}, *unknown[] = {"convert", "a", "b", "--nope", NULL};
    struct outcome o;
    (void)state;

    run_gyre(none, &o);
    assert_int_equal(o.status, 2);
    assert_int_equal(strncmp(o.err, "gyre convert: ", 14), 0);
    assert_ptr_equal(strchr(o.err, '\n'), o.err + strlen(o.err) - 1); /* one line */
    run_gyre(unknown, &o);
    assert_int_equal(o.status, 2);
    assert_non_null(strstr(o.err, "unknown option '--nope'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cli_round_trip_real),
        cmocka_unit_test(test_cli_round_trip_signed),
        cmocka_unit_test(test_cli_bad_input),
        cmocka_unit_test(test_cli_usage_error),
    };
    return cmocka_run_group_tests_name("cli", tests, setup, ts_tmpdir_teardown);
}
