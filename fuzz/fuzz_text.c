/*
 * libFuzzer target: the input read as a text edge list ("u v" lines,
 * comments, optional time and sign columns), with the format forced so that
 * every input reaches this parser. The checks live in fuzz/harness.c.
 */
#include "fuzz/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gy_fuzz_file(data, size, GY_EDGES_TEXT);
    return 0;
}
