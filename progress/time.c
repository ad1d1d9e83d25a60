/*
 * Timestamps: the lexicographic total order, lattice operations, hashing and
 * formatting. The product partial order is inline in time.h.
 */
#include "progress/time.h"

#include <stdio.h>

#include "progress/hash.h"

int gy_time_cmp(const struct gy_time *a, const struct gy_time *b)
{
    uint32_t n = a->depth < b->depth ? a->depth : b->depth;

    if (a->epoch != b->epoch)
        return a->epoch < b->epoch ? -1 : 1;
    for (uint32_t j = 0; j < n; j++)
        if (a->iter[j] != b->iter[j])
            return a->iter[j] < b->iter[j] ? -1 : 1;
    if (a->depth != b->depth)
        return a->depth < b->depth ? -1 : 1;
    return 0;
}

struct gy_time gy_time_join(const struct gy_time *a, const struct gy_time *b)
{
    struct gy_time t = gy_time_zero(a->depth);

    t.epoch = a->epoch > b->epoch ? a->epoch : b->epoch;
    for (uint32_t j = 0; j < a->depth; j++)
        t.iter[j] = a->iter[j] > b->iter[j] ? a->iter[j] : b->iter[j];
    return t;
}

struct gy_time gy_time_meet(const struct gy_time *a, const struct gy_time *b)
{
    struct gy_time t = gy_time_zero(a->depth);

    t.epoch = a->epoch < b->epoch ? a->epoch : b->epoch;
    for (uint32_t j = 0; j < a->depth; j++)
        t.iter[j] = a->iter[j] < b->iter[j] ? a->iter[j] : b->iter[j];
    return t;
}

uint64_t gy_time_hash(const struct gy_time *t)
{
    uint64_t h = gy_splitmix64_mix(t->epoch ^ ((uint64_t)t->depth << 56));

    for (uint32_t j = 0; j < t->depth; j++)
        h = gy_splitmix64_mix(h ^ (t->iter[j] + 0x9e3779b97f4a7c15ULL * (j + 1)));
    return h;
}

int gy_time_format(const struct gy_time *t, char *buf, size_t size)
{
    /* 20 digits of epoch + GY_MAX_DEPTH * ", " and 10 digits + "()" fit in 96. */
    char tmp[96];
    int n = snprintf(tmp, sizeof(tmp), "(%llu", (unsigned long long)t->epoch);

    for (uint32_t j = 0; j < t->depth && j < GY_MAX_DEPTH; j++)
        n += snprintf(tmp + n, sizeof(tmp) - (size_t)n, ", %u", t->iter[j]);
    snprintf(tmp + n, sizeof(tmp) - (size_t)n, ")");
    return snprintf(buf, size, "%s", tmp);
}
