/*
 * 64-bit integer mixers, the one copy every hash table and router uses.
 * Both are bijections with full avalanche: every input bit reaches every
 * output bit, so small dense ids and packed pairs spread over a table.
 * Two different mixers on purpose: exchange routes by gy_splitmix64_mix,
 * and the per-worker tables index by gy_fmix64, so the keys one worker
 * receives (all alike in the router's bits) still spread in its tables.
 */
#ifndef GY_PROGRESS_HASH_H
#define GY_PROGRESS_HASH_H

#include <stdint.h>

/* murmur3's fmix64. */
static inline uint64_t gy_fmix64(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

/* splitmix64's finalizer (without the generator's increment). */
static inline uint64_t gy_splitmix64_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    x ^= x >> 31;
    return x;
}

#endif
