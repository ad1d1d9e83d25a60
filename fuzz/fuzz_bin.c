/*
 * libFuzzer target: the input read as a gyre binary edge file (.gyb),
 * with the format forced so that every input reaches this parser. The checks
 * live in fuzz/harness.c.
 */
#include "fuzz/harness.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    gy_fuzz_file(data, size, GY_EDGES_BIN);
    return 0;
}
