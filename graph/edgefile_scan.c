/*
 * Byte-level helpers shared by the text and Matrix Market parsers: numeric
 * field scanners beyond the inline u64 fast path, line counting, and the
 * words of error messages (quoting arbitrary bytes, "path:LINE: " prefixes,
 * the skip_bad record).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "graph/edgefile_internal.h"

const unsigned char *gy__num_classify(const unsigned char *s, const unsigned char *end,
                                      enum gy__num *st)
{
    const unsigned char *e = gy__token_end(s, end);
    const unsigned char *d = s;

    while (d < e && (unsigned)(*d - '0') < 10u)
        d++;
    if (d == e && d > s)
        *st = GY__NUM_RANGE; /* all digits: gy__scan_u64 stopped on overflow */
    else if (s < e && *s == '-' && gy__is_integer(s, e))
        *st = GY__NUM_NEG;
    else
        *st = GY__NUM_BAD;
    return e;
}

const unsigned char *gy__scan_i64(const unsigned char *p, const unsigned char *end, int64_t *v,
                                  enum gy__num *st)
{
    bool neg = p < end && *p == '-';
    const unsigned char *s = p + (p < end && (*p == '-' || *p == '+'));
    const unsigned char *e;
    uint64_t mag;

    if (s == end || gy__is_term(*s)) {
        *st = GY__NUM_BAD; /* a lone sign */
        return gy__token_end(p, end);
    }
    e = gy__scan_u64(s, end, &mag, st);
    if (*st == GY__NUM_NEG)
        *st = GY__NUM_BAD; /* a second sign, as in "+-5" */
    if (*st != GY__NUM_OK)
        return e;
    /* |INT64_MIN| = INT64_MAX + 1 fits in the magnitude of a negative value. */
    if (mag > (uint64_t)INT64_MAX + neg) {
        *st = GY__NUM_RANGE;
        return e;
    }
    *v = neg ? (int64_t)(0 - mag) : (int64_t)mag;
    return e;
}

static const unsigned char *skip_digits(const unsigned char *p, const unsigned char *e)
{
    while (p < e && (unsigned)(*p - '0') < 10u)
        p++;
    return p;
}

bool gy__is_integer(const unsigned char *p, const unsigned char *e)
{
    const unsigned char *d;

    if (p < e && (*p == '+' || *p == '-'))
        p++;
    d = skip_digits(p, e);
    return d > p && d == e;
}

bool gy__is_number(const unsigned char *p, const unsigned char *e)
{
    const unsigned char *m, *f;

    if (p < e && (*p == '+' || *p == '-'))
        p++;
    m = skip_digits(p, e);
    f = m;
    if (f < e && *f == '.')
        f = skip_digits(f + 1, e);
    if (m == p && f <= p + 1)
        return false; /* no mantissa digit on either side of the point */
    if (f < e && (*f == 'e' || *f == 'E')) {
        const unsigned char *x = f + 1;
        if (x < e && (*x == '+' || *x == '-'))
            x++;
        f = skip_digits(x, e);
        if (f == x)
            return false;
    }
    return f == e;
}

const char *gy__quote(const unsigned char *tok, size_t len, char *buf, size_t buflen)
{
    static const char hex[] = "0123456789abcdef";
    const size_t show = 40; /* enough to recognise a field, short enough for one line */
    size_t o = 0;

    for (size_t i = 0; i < len && i < show && o + 8 < buflen; i++) {
        unsigned char ch = tok[i];
        if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
            buf[o++] = (char)ch;
            continue;
        }
        buf[o++] = '\\';
        buf[o++] = 'x';
        buf[o++] = hex[ch >> 4];
        buf[o++] = hex[ch & 15];
    }
    if (len > show && o + 4 <= buflen) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o < buflen ? o : buflen - 1] = '\0';
    return buf;
}

void gy__errf(char *err, size_t errlen, const char *path, uint64_t line, const char *fmt, ...)
{
    va_list ap;
    int k;

    if (!err || errlen == 0)
        return;
    if (line > 0)
        k = snprintf(err, errlen, "%s:%llu: ", path, (unsigned long long)line);
    else
        k = snprintf(err, errlen, "%s: ", path);
    if (k < 0 || (size_t)k >= errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err + k, errlen - (size_t)k, fmt, ap);
    va_end(ap);
}

unsigned gy__count_fields(const unsigned char *p, const unsigned char *end)
{
    unsigned n = 0;

    for (p = gy__skip_seps(p, end); !gy__at_eol(p, end); p = gy__skip_seps(p, end)) {
        p = gy__token_end(p, end);
        n++;
    }
    return n;
}

uint64_t gy__line_at(const struct gy_edges *f, size_t off)
{
    return gy__count_newlines(f->data, f->data + off) + 1;
}

uint64_t gy__cursor_line(struct gy_edges_cursor *c, uint64_t rel)
{
    if (c->first_line == 0)
        c->first_line = gy__line_at(c->file, c->begin);
    return c->first_line + rel;
}

void gy__bad_add(struct gy_edges_bad *bad, uint64_t line)
{
    if (bad->count < GY_EDGES_BAD_KEEP)
        bad->first[bad->count] = line;
    bad->count++;
}

uint64_t gy__count_text(const struct gy_edges *f, size_t begin, size_t end, uint64_t *newlines)
{
    return gy__scan_lines(f->data + begin, f->data + end, newlines);
}

/* Skips (skip_bad) or reports the bad line that starts lines_done newlines in. */
static GY_NOINLINE int bad_line(struct gy_edges_cursor *c, const struct gy__syntax *syn,
                                const struct gy__problem *pb, char *err, size_t errlen)
{
    uint64_t line = gy__cursor_line(c, c->lines_done);

    if (c->file->opts.skip_bad) {
        gy__bad_add(&c->bad, line);
        return 0;
    }
    syn->message(c->file, line, pb, err, errlen);
    return -EINVAL;
}

/* The start of the line after the one that contains q (or end). */
static inline const unsigned char *next_line(struct gy_edges_cursor *c, const unsigned char *q,
                                             const unsigned char *end)
{
    if (GY_LIKELY(q < end && *q == '\n')) {
        c->lines_done++;
        return q + 1;
    }
    q = memchr(q, '\n', (size_t)(end - q));
    if (!q)
        return end;
    c->lines_done++;
    return q + 1;
}

int gy__lines_next(struct gy_edges_cursor *c, const struct gy__syntax *syn, struct gy_edge *out,
                   uint64_t *lines, size_t cap, size_t *n, char *err, size_t errlen)
{
    const struct gy_edges *f = c->file;
    const unsigned char *p = f->data + c->pos, *end = f->data + c->end;
    struct gy__problem pb;
    size_t k = 0;
    int rc = 0;

    while (k < cap && p < end) {
        const unsigned char *q = gy__skip_seps(p, end);
        if (GY_UNLIKELY(gy__skippable(q, end))) {
            p = next_line(c, q, end);
            continue;
        }
        c->edge_lines++;
        q = syn->line(f, q, end, &out[k], &pb);
        if (GY_UNLIKELY(!q)) {
            rc = bad_line(c, syn, &pb, err, errlen);
            if (rc != 0)
                break;
            q = p; /* skip the whole bad line */
        } else {
            uint64_t line = c->first_line + c->lines_done;
            out[k].line = gy__line32(line);
            if (lines)
                lines[k] = line;
            k++;
        }
        p = next_line(c, q, end);
    }
    c->pos = (size_t)(p - f->data);
    *n = k;
    return rc;
}
