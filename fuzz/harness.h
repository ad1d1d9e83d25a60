/*
 * Shared body of the edge-file fuzz targets (fuzz/fuzz_*.c): feeds one input
 * to the graph/edgefile.h API under several option sets and checks the API's
 * own promises against each other. A broken promise aborts, which libFuzzer
 * reports as a crash and saves the input for.
 */
#ifndef GY_FUZZ_HARNESS_H
#define GY_FUZZ_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "graph/edgefile.h"

/* Checks data[0 .. size) read as an edge file of the given format (AUTO to detect). */
void gy_fuzz_file(const uint8_t *data, size_t size, gy_edges_format_t format);

#endif
