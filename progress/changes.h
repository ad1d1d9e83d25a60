/*
 * Change batches: a map time -> signed count, kept as an append-only array
 * of updates that is compacted (sorted, merged, zeros dropped) lazily. Adding
 * is O(1) amortized; "is empty" compacts only when something was added since
 * the last compaction, so asking it in a loop is cheap.
 *
 * Not thread-safe; owned by one thread.
 */
#ifndef GY_PROGRESS_CHANGES_H
#define GY_PROGRESS_CHANGES_H

#include <stdbool.h>
#include <stdint.h>

#include "progress/compiler.h"
#include "progress/time.h"

struct gy_change {
    struct gy_time time;
    int64_t delta;
};

struct gy_changes {
    struct gy_change *items;
    uint32_t len;
    uint32_t cap;
    uint32_t clean; /* items[0..clean) are sorted, distinct and nonzero */
};

/* Pair with gy_changes_destroy. */
void gy_changes_init(struct gy_changes *c);
void gy_changes_destroy(struct gy_changes *c);
void gy_changes_clear(struct gy_changes *c);

/* Records delta at t (delta 0 is ignored). 0 or -ENOMEM. */
GY_NODISCARD int gy_changes_add(struct gy_changes *c, const struct gy_time *t, int64_t delta);
/* Adds every change of src (src is left as it was). 0 or -ENOMEM. */
GY_NODISCARD int gy_changes_add_all(struct gy_changes *c, const struct gy_changes *src);

/* Sorts by gy_time_cmp, merges equal times, drops zero counts. */
void gy_changes_compact(struct gy_changes *c);

/* True iff every count is zero. Compacts first when needed. */
bool gy_changes_is_empty(struct gy_changes *c);

/* The count at t after compaction (0 if absent). */
int64_t gy_changes_count(struct gy_changes *c, const struct gy_time *t);

#endif
