/*
 * Antichains of timestamps: sets of mutually incomparable times under the
 * product order, kept minimal. A frontier is an antichain: "every time that
 * can still arrive is >= some element". The empty antichain means nothing
 * can arrive any more (the stream is complete).
 *
 * Small arrays: frontiers hold one element in the common case (one epoch in
 * flight), a handful when epochs or iterations overlap.
 *
 * Not thread-safe; owned by one thread.
 */
#ifndef GY_PROGRESS_ANTICHAIN_H
#define GY_PROGRESS_ANTICHAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "progress/compiler.h"
#include "progress/time.h"

struct gy_antichain {
    struct gy_time *items;
    uint32_t len;
    uint32_t cap;
};

/* Pair with gy_antichain_destroy. */
void gy_antichain_init(struct gy_antichain *a);
void gy_antichain_destroy(struct gy_antichain *a);
void gy_antichain_clear(struct gy_antichain *a);
GY_NODISCARD int gy_antichain_copy(struct gy_antichain *dst, const struct gy_antichain *src);

/*
 * Inserts t unless some element is <= t; removes the elements > t.
 * Returns 1 if inserted, 0 if t was dominated, -ENOMEM.
 */
GY_NODISCARD int gy_antichain_insert(struct gy_antichain *a, const struct gy_time *t);

/* Removes an element equal to t. Returns true if one was there. */
bool gy_antichain_remove(struct gy_antichain *a, const struct gy_time *t);

/* Some element is <= t: "t could still be reached". */
bool gy_antichain_le(const struct gy_antichain *a, const struct gy_time *t);
/* Some element is < t. */
bool gy_antichain_lt(const struct gy_antichain *a, const struct gy_time *t);

static inline bool gy_antichain_is_empty(const struct gy_antichain *a)
{
    return a->len == 0;
}

/* Same set of elements, in any order. */
bool gy_antichain_eq(const struct gy_antichain *a, const struct gy_antichain *b);

/* Sorts the elements by gy_time_cmp, for printing and comparing. */
void gy_antichain_sort(struct gy_antichain *a);

/* Formats as "{(0, 1), (1, 0)}". Returns snprintf's length. */
int gy_antichain_format(const struct gy_antichain *a, char *buf, size_t size);

#endif
