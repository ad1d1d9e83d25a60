/*
 * Inputs and probes: how the worker's own code talks to a dataflow.
 *
 * An input holds a capability at its current epoch on every worker. The
 * worker's code sends records at that epoch, advances it (which tells every
 * downstream operator that earlier epochs are complete once the records are
 * through) and finally closes it. A probe watches a stream's frontier so the
 * same code can wait for an epoch to be finished.
 *
 * Thread: the owning worker's thread, outside operator callbacks.
 */
#ifndef GY_OPERATORS_INPUT_H
#define GY_OPERATORS_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/op.h"

typedef struct gy_input gy_input_t;
typedef struct gy_probe gy_probe_t;

/* A new input of rec_size-byte records at epoch 0; *out is its stream.
 * NULL after failing the run. Freed with the dataflow. */
gy_input_t *gy_input_new(gy_dataflow_t *df, const char *name, size_t rec_size, gy_stream_t **out);

/* Sends n records at the current epoch. -EPIPE (and failure) once closed.
 * On a bounded worker (cfg.channel_bytes) it sends a batch-full at a time
 * and, before each, steps the worker until its batches in flight are below
 * the bound (gy_worker_wait_room), so it may run operators and park; it
 * returns -ECANCELED if the run fails meanwhile. Called inside an operator
 * callback it never waits. */
GY_NODISCARD int gy_input_send(gy_input_t *in, const void *recs, uint32_t n);

/* Moves to a later epoch (epochs before it are then complete at this worker).
 * With gy_input_set_max_open, it then steps the worker until at most
 * max_open epochs are open (see there). Returns 0, -EPIPE once closed, or
 * -ECANCELED once the run failed. */
GY_NODISCARD int gy_input_advance_to(gy_input_t *in, uint64_t epoch);

/*
 * Bounds the epochs open at once: an epoch is open from when the input
 * reaches it until probe p reports it complete (no record at or before it
 * can arrive there), so the current epoch counts. From now on
 * gy_input_advance_to(in, e) returns only once every epoch <= e - max_open
 * is complete at p, so records of epoch e are never sent while more than
 * max_open epochs, e included, are open. p should watch a stream
 * downstream of this input. max_open 0 (or p NULL) removes the bound. Like
 * gy_probe_wait_epoch it steps the worker, and it never waits inside an
 * operator callback.
 */
void gy_input_set_max_open(gy_input_t *in, gy_probe_t *p, uint64_t max_open);

/* Ends the stream at this worker. Idempotent. */
void gy_input_close(gy_input_t *in);

uint64_t gy_input_epoch(const gy_input_t *in);
bool gy_input_closed(const gy_input_t *in);

/* A probe on s (a sink that discards what it receives). NULL after failing the run. */
gy_probe_t *gy_probe_new(gy_stream_t *s);

/* True iff records at a time < t (resp. <= t) could still arrive at s. */
bool gy_probe_less_than(const gy_probe_t *p, const struct gy_time *t);
bool gy_probe_less_equal(const gy_probe_t *p, const struct gy_time *t);
/* True iff nothing can arrive any more. */
bool gy_probe_done(const gy_probe_t *p);

/* Steps the worker until no record at epoch <= e can arrive at the probe
 * (or the run fails: -ECANCELED). Parks when idle. */
GY_NODISCARD int gy_probe_wait_epoch(gy_probe_t *p, gy_worker_t *w, uint64_t e);

#endif
