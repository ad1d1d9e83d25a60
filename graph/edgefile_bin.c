/*
 * Reading gyre's binary edge format (.gyb): a 24-byte header, then
 * fixed-width little-endian records (docs/formats.md, "Binary edge files").
 *
 *   offset 0   8 bytes  magic "GYREDGE1"
 *   offset 8   u32      version (1)
 *   offset 12  u32      flags: bit 0 has_time, bit 1 has_sign, others 0
 *   offset 16  u64      edge count
 *   offset 24  records: u64 u, u64 v, [i64 time], [i64 sign]
 *
 * The "line" of a record, in messages and in lines[], is its 1-based index.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "graph/edgefile_internal.h"

static uint32_t get_le32(const unsigned char *p)
{
    uint32_t x;
    memcpy(&x, p, sizeof x);
    return le32toh(x);
}

static uint64_t get_le64(const unsigned char *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof x);
    return le64toh(x);
}

static int bin_header(struct gy_edges *f, char *err, size_t errlen)
{
    if (f->size < 8 || memcmp(f->data, GY__BIN_MAGIC, 8) != 0) {
        gy__errf(err, errlen, f->path, 0, "not a gyre binary edge file (no \"GYREDGE1\" magic)");
        return -EINVAL;
    }
    if (f->size < GY__BIN_HEADER) {
        gy__errf(err, errlen, f->path, 0, "truncated binary header (%zu of %u bytes)", f->size,
                 GY__BIN_HEADER);
        return -EINVAL;
    }
    if (get_le32(f->data + 8) != GY__BIN_VERSION) {
        gy__errf(err, errlen, f->path, 0, "unsupported binary version %u (gyre reads version %u)",
                 get_le32(f->data + 8), GY__BIN_VERSION);
        return -EINVAL;
    }
    f->bin.flags = get_le32(f->data + 12);
    if (f->bin.flags & ~GY__BIN_FLAGS) {
        gy__errf(err, errlen, f->path, 0, "unknown binary flags 0x%x", f->bin.flags);
        return -EINVAL;
    }
    f->bin.count = get_le64(f->data + 16);
    f->bin.width = 16 + 8 * (size_t)__builtin_popcount(f->bin.flags);
    return 0;
}

int gy__bin_open(struct gy_edges *f, char *err, size_t errlen)
{
    size_t body;
    int rc;

    if (f->opts.time_column != 0) {
        gy__errf(err, errlen, f->path, 0, "a binary edge file has no columns (time column %u)",
                 f->opts.time_column);
        return -EINVAL;
    }
    rc = bin_header(f, err, errlen);
    if (rc != 0)
        return rc;
    body = f->size - GY__BIN_HEADER;
    if (f->bin.count > body / f->bin.width || body != f->bin.count * f->bin.width) {
        gy__errf(err, errlen, f->path, 0,
                 "%zu bytes of records, but the header says %llu edges of %zu bytes (truncated?)",
                 body, (unsigned long long)f->bin.count, f->bin.width);
        return -EINVAL;
    }
    f->begin = GY__BIN_HEADER;
    return 0;
}

/* Decodes one record; returns false if its sign is neither +1 nor -1. */
static bool decode(const struct gy_edges *f, const unsigned char *p, struct gy_edge *e,
                   int64_t *sign)
{
    size_t o = 16;

    e->u = get_le64(p);
    e->v = get_le64(p + 8);
    e->time = 0;
    if (f->bin.flags & GY_EDGES_HAS_TIME) {
        e->time = (int64_t)get_le64(p + o);
        o += 8;
    }
    *sign = f->bin.flags & GY_EDGES_HAS_SIGN ? (int64_t)get_le64(p + o) : 1;
    e->sign = *sign < 0 ? -1 : 1;
    return *sign == 1 || *sign == -1;
}

#if defined(__SSE2__) && __BYTE_ORDER == __LITTLE_ENDIAN
/* The copy loop with two 16-byte stores per edge: the pair as read, then
 * (time 0, sign +1, line) from a register whose line lane counts up. Half
 * the stores of the scalar loop, which store throughput bounds. Lines must
 * stay below 2^32 over the run (the caller checks). */
static void plain_copy(const unsigned char *p, struct gy_edge *out, size_t k, uint64_t rec)
{
    __m128i tail = _mm_set_epi32((int)(uint32_t)rec, 1, 0, 0);
    const __m128i step = _mm_set_epi32(1, 0, 0, 0);

    for (size_t i = 0; i < k; i++, p += 16) {
        _mm_storeu_si128((__m128i *)&out[i], _mm_loadu_si128((const __m128i *)p));
        _mm_storeu_si128((__m128i *)&out[i].time, tail);
        tail = _mm_add_epi32(tail, step);
    }
}
#define HAVE_PLAIN_COPY 1
#endif

/* Plain 16-byte records (no time, no sign) cannot be bad: a straight copy
 * loop, the common case that must run at the speed of reading the bytes. */
static size_t plain_run(struct gy_edges_cursor *c, struct gy_edge *out, uint64_t *lines,
                        size_t cap)
{
    const unsigned char *p = c->file->data + c->pos;
    size_t avail = (c->end - c->pos) / 16, k = avail < cap ? avail : cap;
    uint64_t rec = (c->pos - GY__BIN_HEADER) / 16 + 1;
    size_t i = 0;

#ifdef HAVE_PLAIN_COPY
    if (rec + k <= UINT32_MAX) {
        plain_copy(p, out, k, rec);
        i = k;
    }
#endif
    for (p += i * 16; i < k; i++, p += 16) {
        out[i].u = get_le64(p);
        out[i].v = get_le64(p + 8);
        out[i].time = 0;
        out[i].sign = 1;
        out[i].line = gy__line32(rec + i);
    }
    for (i = 0; lines && i < k; i++)
        lines[i] = rec + i;
    c->pos += k * 16;
    c->lines_done += k;
    c->edge_lines += k;
    return k;
}

int gy__bin_next(struct gy_edges_cursor *c, struct gy_edge *out, uint64_t *lines, size_t cap,
                 size_t *n, char *err, size_t errlen)
{
    const struct gy_edges *f = c->file;
    const size_t w = f->bin.width;
    uint64_t rec = (c->pos - GY__BIN_HEADER) / w + 1;
    size_t k = 0;
    int64_t sign;

    if (f->bin.flags == 0) {
        *n = plain_run(c, out, lines, cap);
        return 0;
    }
    for (; k < cap && c->end - c->pos >= w; rec++) {
        bool ok = decode(f, f->data + c->pos, &out[k], &sign);
        c->pos += w;
        c->lines_done++;
        c->edge_lines++;
        if (GY_LIKELY(ok)) {
            out[k].line = gy__line32(rec);
            if (lines)
                lines[k] = rec;
            k++;
        } else if (f->opts.skip_bad) {
            gy__bad_add(&c->bad, rec);
        } else {
            gy__errf(err, errlen, f->path, 0, "record %llu: sign %lld is not +1 or -1",
                     (unsigned long long)rec, (long long)sign);
            *n = k;
            return -EINVAL;
        }
    }
    *n = k;
    return 0;
}
