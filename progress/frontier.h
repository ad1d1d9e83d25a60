/*
 * Mutable antichains: a multiset of times with signed counts, and the
 * antichain of minimal times whose count is positive (the frontier).
 *
 * Updates are buffered; gy_frontier_apply folds them into the counts and
 * rebuilds the frontier only when an update could change it (a positive
 * update at a time not already covered, or any update at a frontier
 * element). It reports the frontier's change as +1 for each element that
 * entered and -1 for each that left.
 *
 * Not thread-safe; owned by one thread.
 */
#ifndef GY_PROGRESS_FRONTIER_H
#define GY_PROGRESS_FRONTIER_H

#include <stdbool.h>
#include <stdint.h>

#include "progress/antichain.h"
#include "progress/changes.h"
#include "progress/compiler.h"
#include "progress/time.h"

struct gy_frontier {
    struct gy_changes counts;      /* compacted: time -> count (counts may go negative only on error) */
    struct gy_changes pending;     /* updates not yet applied */
    struct gy_antichain frontier;  /* minimal times with count > 0 */
};

/* Pair with gy_frontier_destroy. */
void gy_frontier_init(struct gy_frontier *f);
void gy_frontier_destroy(struct gy_frontier *f);

/* Buffers an update. 0 or -ENOMEM. */
GY_NODISCARD int gy_frontier_update(struct gy_frontier *f, const struct gy_time *t, int64_t delta);

/*
 * Applies the buffered updates. Appends the frontier's changes to changed
 * (may be NULL). Returns 0, -ENOMEM, or -ERANGE if some count became
 * negative (then *negative, if not NULL, is one such time); the counts are
 * applied in every case, so the caller can report and stop.
 */
GY_NODISCARD int gy_frontier_apply(struct gy_frontier *f, struct gy_changes *changed,
                                   struct gy_time *negative);

/* The frontier as of the last gy_frontier_apply. */
static inline const struct gy_antichain *gy_frontier_get(const struct gy_frontier *f)
{
    return &f->frontier;
}

/* Total of all counts (after apply). Zero with an empty frontier means idle. */
int64_t gy_frontier_total(const struct gy_frontier *f);

#endif
