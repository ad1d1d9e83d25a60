/*
 * Test support: splitmix64 and the GY_TEST_SCALE multiplier (see rng.h).
 */
#include "tests/support/rng.h"

#include <stdlib.h>

uint64_t ts_rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL); /* 2^64 / golden ratio, odd */

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

uint32_t ts_rng_below(uint64_t *state, uint32_t n)
{
    return (uint32_t)(ts_rng_next(state) % n);
}

uint64_t ts_mix(uint64_t key, uint64_t salt)
{
    uint64_t s = key ^ (salt * 0xd6e8feb86659fd93ULL);

    return ts_rng_next(&s);
}

uint32_t ts_scale(void)
{
    const char *s = getenv("GY_TEST_SCALE");
    long v = s ? strtol(s, NULL, 10) : 1;

    return v < 1 ? 1 : (uint32_t)v;
}
