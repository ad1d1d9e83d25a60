/*
 * Shared body of the edge-file fuzz targets (fuzz/harness.h).
 *
 * The input is written to a memfd and opened through /proc/self/fd/N, since
 * graph/edgefile.h opens paths only. Each input runs under four option sets
 * (defaults, skip_bad, a time column, time + sign columns + skip_bad), and for
 * each one that opens, the checks compare the API against itself:
 *  - every error message is one NUL-terminated line that starts with the path;
 *  - gy_edges_split ranges are contiguous and cover gy_edges_all;
 *  - parsing 1, 2, 3 or 8 ranges with small and large buffers gives the same
 *    edges, line numbers, skipped lines and first error as gy_edges_read_all;
 *  - the ranges' edge-line counts add up to the whole file's, and equal the
 *    parsed edges plus the skipped lines; their newline counts equal what
 *    the cursors crossed, and cursors started from the line numbers they
 *    imply number every edge as cursors that count for themselves;
 *  - line numbers strictly increase, each edge's gy_edge.line is its line
 *    number, signs are +1/-1;
 *  - writing the edges as .gyb and reading them back loses nothing, and
 *    each edge read back carries its record number as its line.
 * Any broken check prints what broke and aborts: libFuzzer saves the input.
 */
#include "fuzz/harness.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "progress/alloc.h"

#define CHECK(cond, ...)                                                                   \
    do {                                                                                   \
        if (!(cond))                                                                       \
            check_failed(#cond, __LINE__, __VA_ARGS__);                                    \
    } while (0)

__attribute__((noreturn, format(printf, 3, 4))) static void check_failed(const char *cond,
                                                                         int line,
                                                                         const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "fuzz/harness.c:%d: check failed: %s: ", line, cond);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* Everything one way of parsing a file produced. */
struct parsed {
    struct gy_edge *e;
    uint64_t *lines;
    size_t n, cap;
    int rc;                     /* 0, or the first error in file order */
    char err[GY_EDGES_ERRLEN];  /* its message */
    struct gy_edges_bad bad;
    uint64_t counted;           /* sum of gy_edges_count over the ranges */
};

static void parsed_free(struct parsed *p)
{
    free(p->e);
    free(p->lines);
    memset(p, 0, sizeof(*p));
}

static void parsed_append(struct parsed *p, const struct gy_edge *e, const uint64_t *lines,
                          size_t n)
{
    if (n == 0)
        return;
    if (p->n + n > p->cap) {
        p->cap = (p->n + n) * 2;
        p->e = realloc(p->e, p->cap * sizeof(*p->e));
        p->lines = realloc(p->lines, p->cap * sizeof(*p->lines));
        CHECK(p->e && p->lines, "out of memory in the harness");
    }
    memcpy(p->e + p->n, e, n * sizeof(*e));
    memcpy(p->lines + p->n, lines, n * sizeof(*lines));
    p->n += n;
}

/* The file under test: a memfd rewritten for every input. */
static const char *put_input(const uint8_t *data, size_t size)
{
    static char path[64];
    static int fd = -1;
    size_t done = 0;

    if (fd < 0) {
        fd = memfd_create("gyre-fuzz", MFD_CLOEXEC);
        CHECK(fd >= 0, "memfd_create: %s", strerror(errno));
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
    }
    CHECK(ftruncate(fd, 0) == 0, "ftruncate: %s", strerror(errno));
    while (done < size) {
        ssize_t k = pwrite(fd, data + done, size - done, (off_t)done);
        CHECK(k > 0, "pwrite: %s", strerror(errno));
        done += (size_t)k;
    }
    return path;
}

static void check_message(const char *err, const char *path)
{
    size_t len = strnlen(err, GY_EDGES_ERRLEN);

    CHECK(len < GY_EDGES_ERRLEN, "message not NUL-terminated");
    CHECK(len > 0, "empty message");
    CHECK(strchr(err, '\n') == NULL, "message '%s' spans lines", err);
    CHECK(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':',
          "message '%s' does not start with '%s:'", err, path);
}

/* Parses range r into p with buffers of `cap` edges, the cursor starting
 * from *line when cap is odd (else counting the lines before r itself);
 * advances *line past r. False once an error stopped it. */
static bool parse_range(const gy_edges_t *f, struct gy_edges_range r, size_t cap,
                        uint64_t *line, struct parsed *p)
{
    struct gy_edge buf[64];
    uint64_t lines[64], count, edge_lines, newlines;
    struct gy_edges_cursor c;
    size_t n;
    int rc;

    CHECK(gy_edges_count(f, r, &count) == 0, "count of [%zu, %zu) failed", r.begin, r.end);
    CHECK(gy_edges_count_lines(f, r, &edge_lines, &newlines) == 0 && edge_lines == count,
          "count_lines of [%zu, %zu): %llu edge lines, count says %llu", r.begin, r.end,
          (unsigned long long)edge_lines, (unsigned long long)count);
    p->counted += count;
    gy_edges_cursor_init(&c, f, r, cap % 2 ? *line : 0);
    *line += newlines;
    while ((rc = gy_edges_next(&c, buf, lines, cap, &n, p->err, sizeof(p->err))) == 0 && n > 0)
        parsed_append(p, buf, lines, n);
    gy_edges_bad_merge(&p->bad, &c.bad);
    if (rc == 0) {
        CHECK(c.lines_done == newlines, "[%zu, %zu): cursor crossed %llu lines, count says %llu",
              r.begin, r.end, (unsigned long long)c.lines_done, (unsigned long long)newlines);
        return true;
    }
    p->rc = rc;
    check_message(p->err, gy_edges_path(f));
    CHECK(gy_edges_next(&c, buf, lines, cap, &n, NULL, 0) == rc, "error not sticky");
    return false;
}

static void parse_split(const gy_edges_t *f, size_t parts, size_t cap, struct parsed *p)
{
    struct gy_edges_range ranges[8], all = gy_edges_all(f);
    uint64_t line = gy_edges_first_line(f);

    memset(p, 0, sizeof(*p));
    CHECK(gy_edges_split(f, parts, ranges) == 0, "split into %zu failed", parts);
    CHECK(ranges[0].begin == all.begin && ranges[parts - 1].end == all.end,
          "ranges do not cover [%zu, %zu)", all.begin, all.end);
    for (size_t k = 0; k < parts; k++) {
        CHECK(ranges[k].begin <= ranges[k].end, "range %zu is reversed", k);
        CHECK(k == 0 || ranges[k].begin == ranges[k - 1].end, "gap before range %zu", k);
    }
    for (size_t k = 0; k < parts; k++)
        if (!parse_range(f, ranges[k], cap, &line, p))
            break;
}

static void check_edges(const struct parsed *p, const struct gy_edges_opts *o,
                        gy_edges_format_t fmt)
{
    for (size_t i = 0; i < p->n; i++) {
        CHECK(p->e[i].sign == 1 || p->e[i].sign == -1, "edge %zu sign %d", i, p->e[i].sign);
        CHECK(p->e[i].line == (p->lines[i] <= UINT32_MAX ? p->lines[i] : 0),
              "edge %zu carries line %u, its line is %llu", i, p->e[i].line,
              (unsigned long long)p->lines[i]);
        CHECK(i == 0 || p->lines[i] > p->lines[i - 1], "line numbers not increasing at %zu", i);
        CHECK(p->lines[i] > 0, "line 0 at edge %zu", i);
        CHECK(fmt == GY_EDGES_BIN || o->time_column != 0 || p->e[i].time == 0,
              "edge %zu has time %lld without a time column", i, (long long)p->e[i].time);
    }
}

static void check_same(const struct parsed *a, const struct parsed *b, size_t parts)
{
    size_t keep;

    CHECK(a->rc == b->rc, "%zu parts: rc %d, whole file: rc %d", parts, b->rc, a->rc);
    if (a->rc != 0) {
        CHECK(strcmp(a->err, b->err) == 0, "%zu parts: '%s', whole file: '%s'", parts, b->err,
              a->err);
        return;
    }
    CHECK(a->n == b->n, "%zu parts: %zu edges, whole file: %zu", parts, b->n, a->n);
    CHECK(a->n == 0 || memcmp(a->e, b->e, a->n * sizeof(*a->e)) == 0, "%zu parts: edges differ",
          parts);
    CHECK(a->n == 0 || memcmp(a->lines, b->lines, a->n * sizeof(*a->lines)) == 0,
          "%zu parts: line numbers differ", parts);
    CHECK(a->bad.count == b->bad.count, "%zu parts: %llu bad, whole file: %llu", parts,
          (unsigned long long)b->bad.count, (unsigned long long)a->bad.count);
    keep = a->bad.count < GY_EDGES_BAD_KEEP ? (size_t)a->bad.count : GY_EDGES_BAD_KEEP;
    CHECK(memcmp(a->bad.first, b->bad.first, keep * sizeof(uint64_t)) == 0,
          "%zu parts: first bad lines differ", parts);
}

/* The whole file through gy_edges_read_all, the oracle for the split parses. */
static void parse_whole(const gy_edges_t *f, struct parsed *p)
{
    struct gy_edge *e = NULL;
    uint64_t *lines = NULL, count;
    size_t n = 0;

    memset(p, 0, sizeof(*p));
    p->rc = gy_edges_read_all(f, &e, &lines, &n, &p->bad, p->err, sizeof(p->err));
    CHECK(p->rc != -ENOMEM, "read_all ran out of memory");
    if (p->rc == 0)
        parsed_append(p, e, lines, n);
    else
        check_message(p->err, gy_edges_path(f));
    gy_free(e);
    gy_free(lines);
    CHECK(gy_edges_count(f, gy_edges_all(f), &count) == 0, "count of the whole file failed");
    p->counted = count;
    CHECK(p->rc != 0 || p->n + p->bad.count == count,
          "%zu edges + %llu skipped lines != %llu edge lines", p->n,
          (unsigned long long)p->bad.count, (unsigned long long)count);
}

/* Writes the edges as .gyb, reads them back, and compares. */
static void check_roundtrip(const gy_edges_t *f, const struct parsed *p)
{
    char path[64], err[GY_EDGES_ERRLEN];
    gy_edges_writer_t *w;
    gy_edges_t *g;
    struct parsed back;

    snprintf(path, sizeof(path), "/dev/shm/gyre-fuzz-%d.gyb", (int)getpid());
    CHECK(gy_edges_writer_open(path, GY_EDGES_BIN, gy_edges_fields(f), &w, err, sizeof(err)) ==
              0, "writer_open: %s", err);
    CHECK(gy_edges_writer_put(w, p->e, p->n, err, sizeof(err)) == 0, "writer_put: %s", err);
    CHECK(gy_edges_writer_close(w, err, sizeof(err)) == 0, "writer_close: %s", err);
    CHECK(gy_edges_open(path, NULL, &g, err, sizeof(err)) == 0, "reopen: %s", err);
    parse_whole(g, &back);
    CHECK(back.rc == 0, "reading back: %s", back.err);
    CHECK(back.n == p->n, "wrote %zu edges, read back %zu", p->n, back.n);
    for (size_t i = 0; i < p->n; i++)
        CHECK(back.e[i].u == p->e[i].u && back.e[i].v == p->e[i].v &&
                  back.e[i].time == p->e[i].time && back.e[i].sign == p->e[i].sign &&
                  back.e[i].line == i + 1,
              "edge %zu changed in the round trip", i);
    parsed_free(&back);
    gy_edges_close(g);
    unlink(path);
}

static void check_opened(const gy_edges_t *f, const struct gy_edges_opts *o)
{
    static const size_t parts[] = {1, 2, 3, 8}, caps[] = {64, 1, 3, 64};
    struct parsed whole, split;

    parse_whole(f, &whole);
    check_edges(&whole, o, gy_edges_format(f));
    for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++) {
        parse_split(f, parts[k], caps[k], &split);
        check_same(&whole, &split, parts[k]);
        CHECK(split.rc != 0 || split.counted == whole.counted,
              "%zu parts count %llu edge lines, the whole file %llu", parts[k],
              (unsigned long long)split.counted, (unsigned long long)whole.counted);
        parsed_free(&split);
    }
    if (whole.rc == 0)
        check_roundtrip(f, &whole);
    parsed_free(&whole);
}

void gy_fuzz_file(const uint8_t *data, size_t size, gy_edges_format_t format)
{
    static const struct gy_edges_opts sets[] = {
        {.format = GY_EDGES_AUTO},
        {.skip_bad = true},
        {.time_column = 3},
        {.time_column = 3, .sign_column = 4, .skip_bad = true},
    };
    const char *path = put_input(data, size);
    char err[GY_EDGES_ERRLEN];

    for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++) {
        struct gy_edges_opts o = sets[k];
        gy_edges_t *f = NULL;
        o.format = format;
        if (gy_edges_open(path, &o, &f, err, sizeof(err)) != 0) {
            CHECK(f == NULL, "failed open returned a file");
            check_message(err, path);
            continue;
        }
        CHECK(format == GY_EDGES_AUTO || gy_edges_format(f) == format, "format not kept");
        check_opened(f, &o);
        gy_edges_close(f);
    }
}
