/*
 * Decompressing a gzip file into memory with zlib's inflate, so that the
 * result can be split and parsed in parallel like a mapped file. Several
 * concatenated gzip members (what `cat a.gz b.gz` makes) read as one stream,
 * as gzip -d does; anything else after the last member, a truncated stream
 * or a corrupt one (bad block, CRC or length) is an error naming the file.
 */
#include <errno.h>
#include <limits.h>
#include <zlib.h>

#include "graph/edgefile_internal.h"
#include "progress/alloc.h"

/* A first guess for the output size: the last member's ISIZE field (the
 * uncompressed size mod 2^32), if it is plausible for deflate, whose best
 * ratio is about 1032:1; else 4x the input. Only a hint: the buffer grows. */
static size_t size_hint(const unsigned char *src, size_t n)
{
    uint64_t isize = 0;

    if (n >= 18) {
        for (int i = 3; i >= 0; i--)
            isize = isize << 8 | src[n - 4 + (size_t)i];
    }
    if (isize > 0 && isize / 1032 <= n)
        return (size_t)isize + 1;
    return n <= SIZE_MAX / 4 ? n * 4 + 64 : n;
}

static int gz_fail(const char *path, const z_stream *z, int zrc, char *err, size_t errlen)
{
    if (zrc == Z_MEM_ERROR)
        return -ENOMEM;
    if (zrc == Z_BUF_ERROR)
        gy__errf(err, errlen, path, 0, "truncated gzip stream (unexpected end of file)");
    else
        gy__errf(err, errlen, path, 0, "corrupt gzip stream (%s)", z->msg ? z->msg : "bad data");
    return -EINVAL;
}

/* Feeds the next chunk of src (inflate counts input in 32-bit uInt). */
static void feed(z_stream *z, const unsigned char *src, size_t n, size_t *used)
{
    size_t chunk = n - *used < UINT_MAX ? n - *used : UINT_MAX;

    z->next_in = (unsigned char *)(uintptr_t)(src + *used); /* zlib's API is not const */
    z->avail_in = (uInt)chunk;
    *used += chunk;
}

/* After the end of a member: start the next one, or stop. Returns 1 to go
 * on, 0 when done, or a negative error. */
static int member_end(const char *path, z_stream *z, size_t n, size_t used, char *err,
                      size_t errlen)
{
    const unsigned char *next = z->next_in;
    size_t left = z->avail_in + (n - used); /* next_in runs on into the unfed rest */

    if (left == 0)
        return 0;
    if (left < 2 || next[0] != 0x1f || next[1] != 0x8b) {
        gy__errf(err, errlen, path, 0, "%zu bytes of trailing garbage after the gzip data", left);
        return -EINVAL;
    }
    return inflateReset(z) == Z_OK ? 1 : -ENOMEM;
}

static int inflate_all(const char *path, z_stream *z, const unsigned char *src, size_t n,
                       unsigned char **buf, size_t *len, char *err, size_t errlen)
{
    size_t cap = 0, used = 0;
    int zrc, more = 1;

    while (more > 0) {
        if (*len == cap && gy_grow((void **)buf, &cap, cap ? cap + 1 : size_hint(src, n), 1) != 0)
            return -ENOMEM;
        if (z->avail_in == 0 && used < n)
            feed(z, src, n, &used);
        z->next_out = *buf + *len;
        z->avail_out = (uInt)(cap - *len < UINT_MAX ? cap - *len : UINT_MAX);
        zrc = inflate(z, Z_NO_FLUSH);
        *len = (size_t)(z->next_out - *buf);
        if (zrc == Z_STREAM_END)
            more = member_end(path, z, n, used, err, errlen);
        else if (zrc == Z_BUF_ERROR && z->avail_out > 0 && z->avail_in == 0 && used == n)
            return gz_fail(path, z, zrc, err, errlen);
        else if (zrc != Z_OK && zrc != Z_BUF_ERROR)
            return gz_fail(path, z, zrc, err, errlen);
    }
    return more;
}

int gy__gunzip(const char *path, const unsigned char *src, size_t n, unsigned char **out,
               size_t *outlen, char *err, size_t errlen)
{
    z_stream z = {0};
    unsigned char *buf = NULL;
    size_t len = 0;
    int rc;

    /* 16 + MAX_WBITS: expect a gzip header and trailer, with the largest window. */
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
        return -ENOMEM;
    rc = inflate_all(path, &z, src, n, &buf, &len, err, errlen);
    inflateEnd(&z);
    if (rc != 0) {
        gy_free(buf);
        return rc;
    }
    *out = buf;
    *outlen = len;
    return 0;
}
