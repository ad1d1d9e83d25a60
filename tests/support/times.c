/*
 * Test support: fixed and random timestamps (see times.h).
 */
#include "tests/support/times.h"

#include "tests/support/rng.h"

struct gy_time ts_time(uint32_t depth, uint64_t e, uint32_t i1, uint32_t i2, uint32_t i3)
{
    struct gy_time t = gy_time_zero(depth);
    uint32_t it[3] = {i1, i2, i3};

    t.epoch = e;
    for (uint32_t j = 0; j < depth && j < 3; j++)
        t.iter[j] = it[j];
    return t;
}

struct gy_time ts_time1(uint64_t e, uint32_t i)
{
    struct gy_time t = gy_time_zero(1);

    t.epoch = e;
    t.iter[0] = i;
    return t;
}

struct gy_time ts_rand_time(uint64_t *rng, uint32_t depth, uint32_t range)
{
    struct gy_time t = gy_time_zero(depth);

    t.epoch = ts_rng_below(rng, range);
    for (uint32_t j = 0; j < depth; j++)
        t.iter[j] = ts_rng_below(rng, range);
    return t;
}
