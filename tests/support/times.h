/*
 * Test support: timestamps the progress and operator tests build over and
 * over, fixed and random. Any test binary may use this.
 */
#ifndef GY_TESTS_SUPPORT_TIMES_H
#define GY_TESTS_SUPPORT_TIMES_H

#include <stdint.h>

#include "progress/time.h"

/* The time of the given depth with epoch e and iterations i1, i2, i3; those
 * beyond depth are ignored. */
struct gy_time ts_time(uint32_t depth, uint64_t e, uint32_t i1, uint32_t i2, uint32_t i3);

/* The depth-1 time (e, i): epoch e, iteration i of one loop. */
struct gy_time ts_time1(uint64_t e, uint32_t i);

/* A time of the given depth whose epoch and iterations are drawn in
 * [0, range) from *rng (ts_rng_next), epoch first. */
struct gy_time ts_rand_time(uint64_t *rng, uint32_t depth, uint32_t range);

#endif
