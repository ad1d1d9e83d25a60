/*
 * libFuzzer target for the gzip path: the input as a file whose format is
 * detected (a gzip stream when it starts with 1f 8b, so corrupt and truncated
 * streams reach the decompressor), and then the input gzip-compressed here,
 * so that any content also reaches the parsers through decompression. The
 * checks live in fuzz/harness.c.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fuzz/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as one gzip member (windowBits 15 + 16 selects the gzip wrapper). */
static uint8_t *gzip(const uint8_t *data, size_t size, size_t *outlen)
{
    z_stream z;
    uint8_t *out;
    size_t cap;

    memset(&z, 0, sizeof(z));
    if (deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort();
    cap = deflateBound(&z, (uLong)size);
    out = malloc(cap);
    if (out == NULL)
        abort();
    z.next_in = (Bytef *)(uintptr_t)data;
    z.avail_in = (uInt)size;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        abort();
    *outlen = cap - z.avail_out;
    deflateEnd(&z);
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t n;
    uint8_t *gz;

    gy_fuzz_file(data, size, GY_EDGES_AUTO);
    gz = gzip(data, size, &n);
    gy_fuzz_file(gz, n, GY_EDGES_AUTO);
    free(gz);
    return 0;
}
