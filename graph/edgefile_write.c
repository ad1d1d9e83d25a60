/*
 * Writing edge files, for `gyre convert` and for tests: text edge lists
 * ("[+|-] u v [time]" per line) and gyre binary files, either one plain or
 * gzip-compressed.
 *
 * The binary header holds the edge count, known only at close. A plain file
 * is patched in place. A gzip stream cannot be rewound, so a compressed
 * binary file stages its records in an anonymous temporary file (tmpfile())
 * and compresses header and records at close: memory stays bounded and the
 * output is written once, start to end.
 */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zlib.h>

#include "graph/edgefile_internal.h"
#include "progress/alloc.h"

struct gy_edges_writer {
    char *path;
    gy_edges_format_t format; /* GY_EDGES_TEXT or GY_EDGES_BIN */
    unsigned fields;          /* GY_EDGES_HAS_* */
    FILE *fp;                 /* plain output; for gzip binary, the staged records */
    gzFile gz;                /* gzip output, or NULL */
    uint64_t count;           /* edges written */
    bool created;             /* path was opened for writing: abort removes it */
};

/* Room for one text line: sign token, two u64, one i64, separators. */

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static int werr(const gy_edges_writer_t *w, int e, char *err, size_t errlen)
{
    gy__errf(err, errlen, w->path, 0, "%s", strerror(e));
    return -e;
}

static int sink_write(gy_edges_writer_t *w, const void *buf, size_t len, char *err, size_t errlen)
{
    int zerr;

    if (len == 0)
        return 0;
    if (w->fp) {
        if (fwrite(buf, 1, len, w->fp) == len)
            return 0;
        return werr(w, errno ? errno : EIO, err, errlen);
    }
    if (gzwrite(w->gz, buf, (unsigned)len) == (int)len)
        return 0;
    gy__errf(err, errlen, w->path, 0, "%s", gzerror(w->gz, &zerr));
    return zerr == Z_ERRNO ? -errno : -EIO;
}

static void put_le64(unsigned char *p, uint64_t x)
{
    x = htole64(x);
    memcpy(p, &x, sizeof x);
}

static void bin_header(const gy_edges_writer_t *w, unsigned char h[GY__BIN_HEADER])
{
    uint32_t version = htole32(GY__BIN_VERSION), flags = htole32(w->fields);

    memcpy(h, GY__BIN_MAGIC, 8);
    memcpy(h + 8, &version, 4);
    memcpy(h + 12, &flags, 4);
    put_le64(h + 16, w->count);
}

static int open_sinks(gy_edges_writer_t *w, char *err, size_t errlen)
{
    unsigned char h[GY__BIN_HEADER];
    bool gz = has_suffix(w->path, ".gz");

    if (gz) {
        w->gz = gzopen(w->path, "wb");
        if (!w->gz)
            return werr(w, errno ? errno : ENOMEM, err, errlen);
        w->created = true;
        if (w->format == GY_EDGES_BIN && !(w->fp = tmpfile()))
            return werr(w, errno, err, errlen);
        return 0;
    }
    w->fp = fopen(w->path, "wb");
    if (!w->fp)
        return werr(w, errno, err, errlen);
    w->created = true;
    if (w->format != GY_EDGES_BIN)
        return 0;
    bin_header(w, h); /* count 0 for now; gy_edges_writer_close fills it in */
    return sink_write(w, h, sizeof h, err, errlen);
}

int gy_edges_writer_open(const char *path, gy_edges_format_t format, unsigned fields,
                         gy_edges_writer_t **out, char *err, size_t errlen)
{
    gy_edges_writer_t *w;
    int rc;

    *out = NULL;
    if (format == GY_EDGES_AUTO)
        format = has_suffix(path, ".gyb") || has_suffix(path, ".gyb.gz") ? GY_EDGES_BIN
                                                                          : GY_EDGES_TEXT;
    if ((format != GY_EDGES_TEXT && format != GY_EDGES_BIN) || (fields & ~GY__BIN_FLAGS)) {
        gy__errf(err, errlen, path, 0, "can only write text or binary edges with known fields");
        return -EINVAL;
    }
    w = gy_calloc(1, sizeof *w);
    if (!w)
        return -ENOMEM;
    w->path = gy_malloc(strlen(path) + 1);
    if (!w->path) {
        gy_free(w);
        return -ENOMEM;
    }
    strcpy(w->path, path);
    w->format = format;
    w->fields = fields;
    rc = open_sinks(w, err, errlen);
    if (rc != 0) {
        gy_edges_writer_abort(w);
        return rc;
    }
    *out = w;
    return 0;
}

/* Checks that e can be stored without loss. */
static int check_edge(const gy_edges_writer_t *w, const struct gy_edge *e, uint64_t index,
                      char *err, size_t errlen)
{
    const char *what = NULL;

    if (e->sign != 1 && e->sign != -1)
        what = "a sign other than +1 or -1";
    else if (e->sign == -1 && !(w->fields & GY_EDGES_HAS_SIGN))
        what = "sign -1 but the output stores no signs";
    else if (e->time != 0 && !(w->fields & GY_EDGES_HAS_TIME))
        what = "a time but the output stores no times";
    if (!what)
        return 0;
    gy__errf(err, errlen, w->path, 0, "edge %llu (%llu %llu) has %s", (unsigned long long)index,
             (unsigned long long)e->u, (unsigned long long)e->v, what);
    return -EINVAL;
}

/* Writes x in decimal at p; returns the end. */
static char *put_u64(char *p, uint64_t x)
{
    char tmp[20];
    int k = 0;

    do {
        tmp[k++] = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    while (k > 0)
        *p++ = tmp[--k];
    return p;
}

size_t gy_edges_text_line(const struct gy_edge *e, unsigned fields, char *p0)
{
    char *p = p0;

    if (fields & GY_EDGES_HAS_SIGN) {
        *p++ = e->sign < 0 ? '-' : '+';
        *p++ = ' ';
    }
    p = put_u64(p, e->u);
    *p++ = ' ';
    p = put_u64(p, e->v);
    if (fields & GY_EDGES_HAS_TIME) {
        *p++ = ' ';
        if (e->time < 0)
            *p++ = '-';
        /* 0 - (uint64_t)t is |t| even for INT64_MIN. */
        p = put_u64(p, e->time < 0 ? 0 - (uint64_t)e->time : (uint64_t)e->time);
    }
    *p++ = '\n';
    return (size_t)(p - p0);
}

static size_t bin_record(const gy_edges_writer_t *w, const struct gy_edge *e, unsigned char *p0)
{
    unsigned char *p = p0;

    put_le64(p, e->u);
    put_le64(p + 8, e->v);
    p += 16;
    if (w->fields & GY_EDGES_HAS_TIME) {
        put_le64(p, (uint64_t)e->time);
        p += 8;
    }
    if (w->fields & GY_EDGES_HAS_SIGN) {
        put_le64(p, (uint64_t)(int64_t)e->sign);
        p += 8;
    }
    return (size_t)(p - p0);
}

int gy_edges_writer_put(gy_edges_writer_t *w, const struct gy_edge *e, size_t n, char *err,
                        size_t errlen)
{
    unsigned char buf[16384];
    size_t len = 0;
    int rc = 0;

    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = check_edge(w, &e[i], w->count + 1, err, errlen);
        if (rc != 0)
            break;
        if (w->format == GY_EDGES_BIN)
            len += bin_record(w, &e[i], buf + len);
        else
            len += gy_edges_text_line(&e[i], w->fields, (char *)buf + len);
        w->count++;
        if (len > sizeof buf - GY_EDGES_TEXT_LINE_MAX) {
            rc = sink_write(w, buf, len, err, errlen);
            len = 0;
        }
    }
    if (rc == 0)
        rc = sink_write(w, buf, len, err, errlen);
    return rc;
}

/* Compressed binary: header, then the staged records, into the gzip stream. */
static int finish_gz_bin(gy_edges_writer_t *w, char *err, size_t errlen)
{
    unsigned char buf[65536];
    FILE *staged = w->fp;
    size_t k;
    int rc;

    bin_header(w, buf);
    w->fp = NULL; /* sink_write now goes to the gzip stream */
    rc = sink_write(w, buf, GY__BIN_HEADER, err, errlen);
    if (rc == 0 && fflush(staged) != 0)
        rc = werr(w, errno, err, errlen);
    rewind(staged);
    while (rc == 0 && (k = fread(buf, 1, sizeof buf, staged)) > 0)
        rc = sink_write(w, buf, k, err, errlen);
    if (rc == 0 && ferror(staged))
        rc = werr(w, EIO, err, errlen);
    fclose(staged);
    return rc;
}

/* Plain binary: patch the edge count into the header. */
static int finish_plain_bin(gy_edges_writer_t *w, char *err, size_t errlen)
{
    unsigned char h[GY__BIN_HEADER];

    bin_header(w, h);
    if (fseek(w->fp, 16, SEEK_SET) != 0)
        return werr(w, errno, err, errlen);
    return sink_write(w, h + 16, 8, err, errlen);
}

int gy_edges_writer_close(gy_edges_writer_t *w, char *err, size_t errlen)
{
    int rc = 0, zrc;

    if (w->format == GY_EDGES_BIN)
        rc = w->gz ? finish_gz_bin(w, err, errlen) : finish_plain_bin(w, err, errlen);
    if (w->fp && fclose(w->fp) != 0 && rc == 0)
        rc = werr(w, errno, err, errlen);
    w->fp = NULL;
    if (w->gz) {
        zrc = gzclose(w->gz);
        w->gz = NULL;
        if (zrc != Z_OK && rc == 0) {
            gy__errf(err, errlen, w->path, 0, "gzip write failed (zlib error %d)", zrc);
            rc = -EIO;
        }
    }
    gy_free(w->path);
    gy_free(w);
    return rc;
}

void gy_edges_writer_abort(gy_edges_writer_t *w)
{
    if (!w)
        return;
    if (w->fp)
        fclose(w->fp);
    if (w->gz)
        gzclose(w->gz);
    if (w->created)
        unlink(w->path);
    gy_free(w->path);
    gy_free(w);
}
