/*
 * Test support: the tests' seeded random numbers and the GY_TEST_SCALE
 * input multiplier. Any test binary may use this.
 *
 * The generator is splitmix64 (Steele, Lea, Flood 2014): the state is one
 * uint64_t that the caller owns and seeds, so a test's inputs are a pure
 * function of its seeds. It is written out here rather than taken from
 * progress/hash.h on purpose: the tests' inputs must not move when the
 * library's mixers change.
 */
#ifndef GY_TESTS_SUPPORT_RNG_H
#define GY_TESTS_SUPPORT_RNG_H

#include <stdint.h>

/* Advances *state and returns the next splitmix64 value. */
uint64_t ts_rng_next(uint64_t *state);

/* ts_rng_next(state) % n, for n >= 1 (slightly biased; fine for tests). */
uint32_t ts_rng_below(uint64_t *state, uint32_t n);

/* A keyed hash: the splitmix64 value after key ^ (salt * odd constant), so
 * that one key hashes differently under each salt. Stateless. */
uint64_t ts_mix(uint64_t key, uint64_t salt);

/* $GY_TEST_SCALE as a multiplier of input sizes: 1 when unset, not a
 * number or below 1. */
uint32_t ts_scale(void);

#endif
