/*
 * Timestamps: (epoch, i1, ..., ik), an epoch followed by one iteration counter
 * per enclosing loop, k = the loop depth of the location (0..GY_MAX_DEPTH).
 *
 * Two orders:
 *  - the product partial order (gy_time_le): a <= b iff every coordinate of a
 *    is <= the same coordinate of b. Progress tracking uses this one. Only
 *    times of equal depth are compared; they live at the same location.
 *  - a total lexicographic order (gy_time_cmp), for sorting and hashing into
 *    canonical orders. It extends the partial order: a <= b implies cmp <= 0.
 *    Shorter times sort before longer ones with the same prefix.
 *
 * Representation invariant: iter[j] == 0 for j >= depth, so that equal times
 * have equal bytes apart from padding; gy_time_eq compares fields.
 */
#ifndef GY_PROGRESS_TIME_H
#define GY_PROGRESS_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Deepest loop nesting. Timestamps stay inline, fixed-size (32 bytes). */
#define GY_MAX_DEPTH 4

struct gy_time {
    uint64_t epoch;
    uint32_t iter[GY_MAX_DEPTH]; /* iter[0] = outermost loop's counter */
    uint32_t depth;              /* valid entries of iter[], 0..GY_MAX_DEPTH */
};

/* The time (epoch) at depth 0. */
static inline struct gy_time gy_time_epoch(uint64_t epoch)
{
    struct gy_time t = {.epoch = epoch};
    return t;
}

/* The least time at the given depth: (0, 0, ..., 0). */
static inline struct gy_time gy_time_zero(uint32_t depth)
{
    struct gy_time t = {.depth = depth};
    return t;
}

/* Coordinate j: 0 is the epoch, j >= 1 is iter[j - 1]. */
static inline uint64_t gy_time_coord(const struct gy_time *t, uint32_t j)
{
    return j == 0 ? t->epoch : t->iter[j - 1];
}

static inline bool gy_time_eq(const struct gy_time *a, const struct gy_time *b)
{
    if (a->epoch != b->epoch || a->depth != b->depth)
        return false;
    for (uint32_t j = 0; j < a->depth; j++)
        if (a->iter[j] != b->iter[j])
            return false;
    return true;
}

/* Product partial order; a and b must have equal depth. */
static inline bool gy_time_le(const struct gy_time *a, const struct gy_time *b)
{
    if (a->epoch > b->epoch)
        return false;
    for (uint32_t j = 0; j < a->depth; j++)
        if (a->iter[j] > b->iter[j])
            return false;
    return true;
}

static inline bool gy_time_lt(const struct gy_time *a, const struct gy_time *b)
{
    return gy_time_le(a, b) && !gy_time_eq(a, b);
}

/* Lexicographic total order: <0, 0, >0. Any depths. */
int gy_time_cmp(const struct gy_time *a, const struct gy_time *b);

/* Least upper bound and greatest lower bound in the product order (equal depth). */
struct gy_time gy_time_join(const struct gy_time *a, const struct gy_time *b);
struct gy_time gy_time_meet(const struct gy_time *a, const struct gy_time *b);

/* 64-bit hash of the fields (not the padding). */
uint64_t gy_time_hash(const struct gy_time *t);

/*
 * Formats t as "(e, i1, ..., ik)" into buf (always NUL-terminated).
 * Returns the length snprintf would have written.
 */
int gy_time_format(const struct gy_time *t, char *buf, size_t size);

#endif
