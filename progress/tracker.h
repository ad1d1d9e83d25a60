/*
 * The reachability tracker: given pointstamp count changes, maintains for
 * every input port its frontier, the antichain of minimal timestamps that
 * could still arrive there.
 *
 * Pointstamps live at outputs (capabilities held by operators) and at inputs
 * (messages in flight to that input, not yet consumed). A pointstamp (l, t)
 * could result in time t' at input p iff p == l and t <= t', or some minimal
 * path summary s from l to p has s(t) <= t'. The frontier of p is the
 * antichain of minimal such t' over all live pointstamps.
 *
 * Incremental: per location, a counted multiset of pointstamps and its
 * frontier; only a change of that frontier is propagated, and only to the
 * input ports reachable from the location (the build-time path summaries of
 * gy_topology_reach), where it updates a counted multiset of implied times.
 * The cost of an update is its effect, not the graph's size.
 *
 * Thread safety: one tracker per worker, used by that worker only. The
 * topology is shared read-only.
 */
#ifndef GY_PROGRESS_TRACKER_H
#define GY_PROGRESS_TRACKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "progress/antichain.h"
#include "progress/compiler.h"
#include "progress/time.h"
#include "progress/topology.h"

typedef struct gy_tracker gy_tracker_t;

/* topo must be built and outlive the tracker. NULL on ENOMEM. Pair with gy_tracker_free. */
GY_NODISCARD gy_tracker_t *gy_tracker_new(const gy_topology_t *topo);
void gy_tracker_free(gy_tracker_t *tr);

/*
 * Buffers a change of delta at pointstamp (loc, t); t->depth must equal the
 * location's depth. Nothing is visible until gy_tracker_propagate.
 * Returns 0 or -ENOMEM.
 */
GY_NODISCARD int gy_tracker_update(gy_tracker_t *tr, uint32_t loc, const struct gy_time *t,
                                   int64_t delta);

/*
 * Applies the buffered changes and recomputes the affected frontiers.
 * Returns 0, -ENOMEM, or -EPROTO when a pointstamp count became negative
 * (a protocol violation: more consumed or released than was produced); then
 * gy_tracker_error() describes the first one, and the tracker's counts
 * include the bad update so further propagation stays consistent.
 * After -ENOMEM the frontiers may be stale: the tracker can only be freed.
 */
GY_NODISCARD int gy_tracker_propagate(gy_tracker_t *tr);

/* The frontier of an input port, as of the last propagate. */
const struct gy_antichain *gy_tracker_frontier(const gy_tracker_t *tr, uint32_t input_loc);

/*
 * Input ports whose frontier changed in the last propagate (each once).
 * Returns the count; *locs points into the tracker, valid until the next propagate.
 */
uint32_t gy_tracker_changed(const gy_tracker_t *tr, const uint32_t **locs);

/* The frontier of the pointstamps at one location itself (no implications). */
const struct gy_antichain *gy_tracker_pointstamps(const gy_tracker_t *tr, uint32_t loc);

/*
 * True iff no pointstamp has a nonzero count, as of the last propagate (like
 * every query here, buffered updates do not count): the dataflow is complete.
 */
bool gy_tracker_is_empty(const gy_tracker_t *tr);

/* Description of the last -EPROTO, "" otherwise. */
const char *gy_tracker_error(const gy_tracker_t *tr);

#endif
