/*
 * Path summaries: what a path through the dataflow does to a timestamp.
 *
 * Every path between two locations, however it winds through loops, is one
 * function of this shape:
 *
 *     (e, i1, ..., id)  ->  (e + epoch_add, i1 + add[0], ..., ik + add[k-1],
 *                            append[0], ..., append[m-1])
 *
 * with k = keep (loop coordinates kept from the source, the innermost
 * d - k dropped) and m = nappend (coordinates appended afterwards). The
 * primitive steps are:
 *   - identity at depth d:          keep = d
 *   - enter a loop (d -> d+1):       keep = d, nappend = 1, append[0] = 0
 *   - leave a loop (d -> d-1):       keep = d - 1
 *   - feedback +n (n >= 1, depth d): keep = d, add[d-1] = n
 *   - an operator's own summary, e.g. +1 on the epoch: keep = d, epoch_add = 1
 * and the shape is closed under composition.
 *
 * A summary is meaningful for sources of one depth (>= keep); source and
 * target depths are properties of the ports it connects, not of the summary.
 *
 * Partial order (dominance): s1 <= s2 iff s1(t) <= s2(t) for every t. Between
 * two ports only the minimal summaries matter, kept in a gy_summaries
 * antichain; "no path" is the empty antichain.
 */
#ifndef GY_PROGRESS_SUMMARY_H
#define GY_PROGRESS_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "progress/compiler.h"
#include "progress/time.h"

struct gy_summary {
    uint64_t epoch_add;             /* added to the epoch */
    uint32_t add[GY_MAX_DEPTH];     /* add[j] added to kept coordinate iter[j], j < keep */
    uint32_t append[GY_MAX_DEPTH];  /* values of the appended coordinates */
    uint8_t keep;                   /* loop coordinates kept, 0..GY_MAX_DEPTH */
    uint8_t nappend;                /* keep + nappend <= GY_MAX_DEPTH */
};

struct gy_summary gy_summary_identity(uint32_t depth);
struct gy_summary gy_summary_enter(uint32_t outer_depth);
struct gy_summary gy_summary_leave(uint32_t inner_depth);
/* +n on the innermost coordinate of depth (depth >= 1; n >= 1 for a feedback). */
struct gy_summary gy_summary_feedback(uint32_t depth, uint32_t n);
/* +n on the epoch, identity on the loop coordinates (an operator's own summary). */
struct gy_summary gy_summary_epoch_delay(uint32_t depth, uint64_t n);

/* Depth of s's result when applied at depth from (= keep + nappend). */
static inline uint32_t gy_summary_out_depth(const struct gy_summary *s)
{
    return (uint32_t)s->keep + s->nappend;
}

/*
 * Applies s to t (t->depth >= s->keep). Returns false, leaving *out unset, if
 * a coordinate would overflow: the result is beyond every time, so the path
 * leads nowhere.
 */
GY_NODISCARD bool gy_summary_apply(const struct gy_summary *s, const struct gy_time *t,
                                   struct gy_time *out);

/*
 * first followed by then. Returns false on overflow of a coordinate (the
 * composed path leads nowhere). then->keep must be <= out depth of first.
 */
GY_NODISCARD bool gy_summary_compose(const struct gy_summary *first, const struct gy_summary *then,
                                     struct gy_summary *out);

/* Dominance: a(t) <= b(t) for every t. a and b must have equal out depths. */
bool gy_summary_le(const struct gy_summary *a, const struct gy_summary *b);
bool gy_summary_eq(const struct gy_summary *a, const struct gy_summary *b);

/*
 * True iff s, as the summary of a cycle from a location of depth d back to it,
 * strictly advances every timestamp: no t has s(t) <= t. That holds exactly
 * when some kept coordinate (the epoch included) gets a positive add.
 */
bool gy_summary_advances(const struct gy_summary *s);

/* Formats s as e.g. "keep 1 +(0,1) append(0)". Returns snprintf's length. */
int gy_summary_format(const struct gy_summary *s, char *buf, size_t size);

/*
 * An antichain of summaries: the minimal ones under dominance. Small (most
 * hold one element), so a plain array. Pair gy_summaries_init with
 * gy_summaries_destroy.
 */
struct gy_summaries {
    struct gy_summary *items;
    uint32_t len;
    uint32_t cap;
};

void gy_summaries_init(struct gy_summaries *a);
void gy_summaries_destroy(struct gy_summaries *a);
GY_NODISCARD int gy_summaries_copy(struct gy_summaries *dst, const struct gy_summaries *src);

/*
 * Inserts s unless some element dominates it (is <= s); removes the elements
 * that s dominates. Returns 1 if inserted, 0 if dominated, -ENOMEM.
 */
GY_NODISCARD int gy_summaries_insert(struct gy_summaries *a, const struct gy_summary *s);

#endif
