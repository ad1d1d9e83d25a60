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

/* Sends n records at the current epoch. -EPIPE (and failure) once closed. */
GY_NODISCARD int gy_input_send(gy_input_t *in, const void *recs, uint32_t n);

/* Moves to a later epoch (epochs before it are then complete at this worker). */
GY_NODISCARD int gy_input_advance_to(gy_input_t *in, uint64_t epoch);

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
