/*
 * Opening edge files: read or map the bytes, decompress gzip, detect the
 * format, let the format check its header; and the format-independent parts
 * of the API: splitting into ranges, counting, cursors, skip_bad records.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "graph/edgefile_internal.h"
#include "progress/alloc.h"

/* Data of an empty file: a valid pointer, so that data + 0 is defined. */
static const unsigned char empty_data[1];

static int sys_error(const char *path, int e, char *err, size_t errlen)
{
    gy__errf(err, errlen, path, 0, "%s", strerror(e));
    return -e;
}

/* Reads a file that cannot be mapped (a pipe, a tty) into f->heap. */
static int read_stream(struct gy_edges *f, int fd, char *err, size_t errlen)
{
    size_t cap = 0, len = 0;
    ssize_t k;

    for (;;) {
        if (gy_grow((void **)&f->heap, &cap, len + 65536, 1) != 0)
            return -ENOMEM;
        k = read(fd, f->heap + len, cap - len);
        if (k == 0)
            break;
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return sys_error(f->path, errno, err, errlen);
        len += (size_t)k;
    }
    f->data = f->heap;
    f->size = len;
    return 0;
}

static int map_file(struct gy_edges *f, int fd, char *err, size_t errlen)
{
    struct stat st;

    if (fstat(fd, &st) != 0)
        return sys_error(f->path, errno, err, errlen);
    if (S_ISDIR(st.st_mode))
        return sys_error(f->path, EISDIR, err, errlen);
    if (!S_ISREG(st.st_mode))
        return read_stream(f, fd, err, errlen);
    if (st.st_size == 0)
        return 0;
    f->map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (f->map == MAP_FAILED) {
        f->map = NULL;
        return sys_error(f->path, errno, err, errlen);
    }
    f->map_len = (size_t)st.st_size;
    f->data = f->map;
    f->size = f->map_len;
    return 0;
}

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* Decompresses the mapped bytes if they start with the gzip magic. */
static int maybe_gunzip(struct gy_edges *f, char *err, size_t errlen)
{
    unsigned char *out = NULL;
    size_t outlen = 0;
    int rc;

    if (f->size < 2 || f->data[0] != 0x1f || f->data[1] != 0x8b) {
        if (!has_suffix(f->path, ".gz"))
            return 0;
        gy__errf(err, errlen, f->path, 0, "not in gzip format");
        return -EINVAL;
    }
    rc = gy__gunzip(f->path, f->data, f->size, &out, &outlen, err, errlen);
    if (rc != 0)
        return rc;
    if (f->map)
        munmap(f->map, f->map_len);
    gy_free(f->heap);
    f->map = NULL;
    f->heap = out;
    f->data = out;
    f->size = outlen;
    f->gz = true;
    return 0;
}

static gy_edges_format_t detect(const struct gy_edges *f)
{
    static const char mm[] = "%%MatrixMarket";
    size_t n = strlen(f->path);

    if (f->size >= 8 && memcmp(f->data, GY__BIN_MAGIC, 8) == 0)
        return GY_EDGES_BIN;
    if (f->size >= sizeof mm - 1 && strncasecmp((const char *)f->data, mm, sizeof mm - 1) == 0)
        return GY_EDGES_MTX;
    if (f->gz && has_suffix(f->path, ".gz"))
        n -= 3;
    if (n >= 4 && strncasecmp(f->path + n - 4, ".mtx", 4) == 0)
        return GY_EDGES_MTX;
    if (n >= 4 && strncasecmp(f->path + n - 4, ".gyb", 4) == 0)
        return GY_EDGES_BIN;
    return GY_EDGES_TEXT;
}

static int check_opts(const char *path, const struct gy_edges_opts *o, char *err, size_t errlen)
{
    const char *what = NULL;

    if ((unsigned)o->format > GY_EDGES_BIN)
        what = "unknown format";
    else if (o->time_column == 1 || o->time_column == 2)
        what = "the time column must be 0 (none) or 3 and above";
    else if (o->sign_column == 1 || o->sign_column == 2)
        what = "the sign column must be 0 (none) or 3 and above";
    else if (o->sign_column != 0 && o->sign_column == o->time_column)
        what = "the time and sign columns must differ";
    if (!what)
        return 0;
    gy__errf(err, errlen, path, 0, "%s", what);
    return -EINVAL;
}

/* Resolves the format and lets it read its header. */
static int open_format(struct gy_edges *f, char *err, size_t errlen)
{
    if (f->opts.format == GY_EDGES_AUTO)
        f->opts.format = detect(f);
    if (f->opts.sign_column != 0 && f->opts.format != GY_EDGES_TEXT) {
        gy__errf(err, errlen, f->path, 0, "a sign column needs a text edge list");
        return -EINVAL;
    }
    switch (f->opts.format) {
    case GY_EDGES_MTX:
        return gy__mtx_open(f, err, errlen);
    case GY_EDGES_BIN:
        return gy__bin_open(f, err, errlen);
    default:
        /* A UTF-8 byte order mark (spreadsheets write one) is not data. */
        f->begin = f->size >= 3 && memcmp(f->data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
        return 0;
    }
}

/* Maps (or reads) the file and decompresses it if it is gzip. */
static int load(struct gy_edges *f, char *err, size_t errlen)
{
    int fd = open(f->path, O_RDONLY | O_CLOEXEC), rc;

    if (fd < 0)
        return sys_error(f->path, errno, err, errlen);
    rc = map_file(f, fd, err, errlen);
    close(fd);
    return rc == 0 ? maybe_gunzip(f, err, errlen) : rc;
}

int gy_edges_open(const char *path, const struct gy_edges_opts *opts, gy_edges_t **out,
                  char *err, size_t errlen)
{
    static const struct gy_edges_opts defaults;
    struct gy_edges *f;
    int rc;

    *out = NULL;
    opts = opts ? opts : &defaults;
    rc = check_opts(path, opts, err, errlen);
    if (rc != 0)
        return rc;
    f = gy_calloc(1, sizeof *f);
    if (!f)
        return -ENOMEM;
    f->opts = *opts;
    f->data = empty_data;
    f->path = gy_malloc(strlen(path) + 1);
    if (!f->path) {
        rc = -ENOMEM;
        goto fail;
    }
    strcpy(f->path, path);
    rc = load(f, err, errlen);
    if (rc == 0)
        rc = open_format(f, err, errlen);
    if (rc != 0)
        goto fail;
    *out = f;
    return 0;

fail:
    /* gy_edges_close releases whatever the failed step had taken so far. */
    gy_edges_close(f);
    return rc;
}

void gy_edges_close(gy_edges_t *f)
{
    if (!f)
        return;
    if (f->map)
        munmap(f->map, f->map_len);
    gy_free(f->heap);
    gy_free(f->path);
    gy_free(f);
}

gy_edges_format_t gy_edges_format(const gy_edges_t *f)
{
    return f->opts.format;
}

const char *gy_edges_path(const gy_edges_t *f)
{
    return f->path;
}

unsigned gy_edges_fields(const gy_edges_t *f)
{
    unsigned fl = 0;

    if (f->opts.format == GY_EDGES_BIN)
        return f->bin.flags;
    if (f->opts.time_column != 0)
        fl |= GY_EDGES_HAS_TIME;
    /* Any text line may start with "- ": a text edge list can always delete. */
    if (f->opts.format == GY_EDGES_TEXT)
        fl |= GY_EDGES_HAS_SIGN;
    return fl;
}

struct gy_edges_range gy_edges_all(const gy_edges_t *f)
{
    struct gy_edges_range r = {f->begin, f->size};
    return r;
}

/* The first line (record) boundary at or after `at`, within [begin, size]. */
static size_t boundary_at(const struct gy_edges *f, size_t at)
{
    const unsigned char *nl;

    if (f->opts.format == GY_EDGES_BIN)
        return f->begin + (at - f->begin) / f->bin.width * f->bin.width;
    if (at == f->begin || f->data[at - 1] == '\n')
        return at;
    nl = memchr(f->data + at, '\n', f->size - at);
    return nl ? (size_t)(nl - f->data) + 1 : f->size;
}

int gy_edges_split(const gy_edges_t *f, size_t parts, struct gy_edges_range *ranges)
{
    size_t len = f->size - f->begin, prev = f->begin;

    if (parts == 0)
        return -EINVAL;
    for (size_t k = 0; k < parts; k++) {
        size_t next = f->size;
        if (k + 1 < parts) {
            /* begin + len * (k + 1) / parts without overflowing size_t. */
            size_t target = f->begin + len / parts * (k + 1) + len % parts * (k + 1) / parts;
            next = boundary_at(f, target > prev ? target : prev);
        }
        ranges[k].begin = prev;
        ranges[k].end = next;
        prev = next;
    }
    return 0;
}

static bool range_ok(const struct gy_edges *f, struct gy_edges_range r)
{
    return f->begin <= r.begin && r.begin <= r.end && r.end <= f->size;
}

int gy_edges_count_lines(const gy_edges_t *f, struct gy_edges_range r, uint64_t *edge_lines,
                         uint64_t *lines)
{
    *edge_lines = 0;
    *lines = 0;
    if (!range_ok(f, r))
        return -EINVAL;
    if (f->opts.format == GY_EDGES_BIN) {
        *edge_lines = (r.end - r.begin) / f->bin.width;
        *lines = *edge_lines;
    } else {
        *edge_lines = gy__count_text(f, r.begin, r.end, lines);
    }
    return 0;
}

int gy_edges_count(const gy_edges_t *f, struct gy_edges_range r, uint64_t *edge_lines)
{
    uint64_t lines;

    return gy_edges_count_lines(f, r, edge_lines, &lines);
}

uint64_t gy_edges_first_line(const gy_edges_t *f)
{
    return f->opts.format == GY_EDGES_BIN ? 1 : gy__line_at(f, f->begin);
}

void gy_edges_cursor_init(struct gy_edges_cursor *c, const gy_edges_t *f,
                          struct gy_edges_range r, uint64_t first_line)
{
    memset(c, 0, sizeof *c);
    c->file = f;
    if (!range_ok(f, r))
        r.begin = r.end = f->size; /* nothing to parse; gy_edges_count reports -EINVAL */
    c->pos = c->begin = r.begin;
    c->end = r.end;
    c->first_line = first_line;
}

int gy_edges_next(struct gy_edges_cursor *c, struct gy_edge *out, uint64_t *lines, size_t cap,
                  size_t *n, char *err, size_t errlen)
{
    int rc;

    *n = 0;
    if (c->failed)
        return c->failed;
    /* Every text edge carries its line number, which needs the newlines
     * before the range: count them once, unless the caller passed them. */
    if (c->first_line == 0 && c->file->opts.format != GY_EDGES_BIN)
        (void)gy__cursor_line(c, 0);
    switch (c->file->opts.format) {
    case GY_EDGES_MTX:
        rc = gy__lines_next(c, &gy__mtx_syntax, out, lines, cap, n, err, errlen);
        break;
    case GY_EDGES_BIN:
        rc = gy__bin_next(c, out, lines, cap, n, err, errlen);
        break;
    default:
        rc = gy__text_next(c, out, lines, cap, n, err, errlen);
        break;
    }
    c->failed = rc;
    return rc;
}

int gy_edges_read_all(const gy_edges_t *f, struct gy_edge **edges, uint64_t **lines, size_t *n,
                      struct gy_edges_bad *bad, char *err, size_t errlen)
{
    struct gy_edges_cursor c;
    size_t cap = 0, ecap = 0, lcap = 0, k = 0, got = 0;
    int rc;

    *edges = NULL;
    *n = 0;
    if (lines)
        *lines = NULL;
    gy_edges_cursor_init(&c, f, gy_edges_all(f), 0);
    do {
        cap = k + 4096;
        rc = gy_grow((void **)edges, &ecap, cap, sizeof **edges);
        if (rc == 0 && lines)
            rc = gy_grow((void **)lines, &lcap, cap, sizeof **lines);
        if (rc == 0)
            rc = gy_edges_next(&c, *edges + k, lines ? *lines + k : NULL, cap - k, &got, err,
                               errlen);
        k += rc == 0 ? got : 0;
    } while (rc == 0 && got > 0);
    if (bad)
        *bad = c.bad;
    if (rc != 0) {
        gy_free(*edges);
        *edges = NULL;
        if (lines) {
            gy_free(*lines);
            *lines = NULL;
        }
        k = 0;
    }
    *n = k;
    return rc;
}

void gy_edges_bad_merge(struct gy_edges_bad *dst, const struct gy_edges_bad *src)
{
    uint64_t merged[GY_EDGES_BAD_KEEP];
    size_t nd = dst->count < GY_EDGES_BAD_KEEP ? (size_t)dst->count : GY_EDGES_BAD_KEEP;
    size_t ns = src->count < GY_EDGES_BAD_KEEP ? (size_t)src->count : GY_EDGES_BAD_KEEP;
    size_t i = 0, j = 0, k = 0;

    /* Both lists hold the smallest line numbers of their own lines, in
     * order, so the smallest of the union are among them: merge them. */
    for (; k < GY_EDGES_BAD_KEEP && (i < nd || j < ns); k++)
        merged[k] = j == ns || (i < nd && dst->first[i] < src->first[j]) ? dst->first[i++]
                                                                        : src->first[j++];
    memcpy(dst->first, merged, k * sizeof(merged[0]));
    dst->count += src->count;
}

int gy_edges_bad_format(const struct gy_edges_bad *bad, const char *path, char *buf, size_t len)
{
    char list[GY_EDGES_BAD_KEEP * 22];
    size_t o = 0;

    list[0] = '\0';
    for (uint64_t i = 0; i < bad->count && i < GY_EDGES_BAD_KEEP; i++)
        o += (size_t)snprintf(list + o, sizeof list - o, "%s%llu", i ? ", " : "",
                              (unsigned long long)bad->first[i]);
    if (bad->count == 0)
        return snprintf(buf, len, "%s: no bad lines", path);
    return snprintf(buf, len, "%s: skipped %llu bad line%s (%s %s)", path,
                    (unsigned long long)bad->count, bad->count == 1 ? "" : "s",
                    bad->count == 1 ? "line" : bad->count <= GY_EDGES_BAD_KEEP ? "lines" : "first at lines",
                    list);
}
