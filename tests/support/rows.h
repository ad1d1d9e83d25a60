/*
 * Test support: qsort comparators; record accessors and key functions; and
 * rows: the (time, record) pairs that sinks collect from a dataflow and that
 * oracles compute, compared as multisets. Any test binary may use this.
 *
 * Rows are filled from worker threads through ts_sink (under the rows'
 * lock) and read by the main thread after gy_runtime_run has returned,
 * which joins the workers: no lock is needed then.
 */
#ifndef GY_TESTS_SUPPORT_ROWS_H
#define GY_TESTS_SUPPORT_ROWS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "operators/op.h"
#include "progress/time.h"

/* ---- comparators ---- */

/* Two uint64_t, ascending. */
int ts_cmp_u64(const void *a, const void *b);

/* A pair of uint64_t, ordered by a, then b. */
struct ts_pair {
    uint64_t a, b;
};

int ts_cmp_pair(const void *a, const void *b);

/* Sorts v[0 .. n) (elements of size bytes) with cmp, then moves one copy of
 * each distinct element to the front, in order. Returns how many there are. */
size_t ts_sort_distinct(void *v, size_t n, size_t size, int (*cmp)(const void *, const void *));

/* ---- records ---- */

/* The uint64_t at byte offset off of rec (which need not be aligned). */
uint64_t ts_u64_at(const void *rec, size_t off);

/* Key functions (gy_key_fn) for exchange and the keyed operators: a
 * record's first uint64_t, and the same key for every record. */
uint64_t ts_key_first(const void *rec, void *arg);
uint64_t ts_key_zero(const void *rec, void *arg);

/* ---- rows ---- */

#define TS_ROW_MAX_REC 256     /* the largest record any test collects, bytes */

struct ts_row {
    struct gy_time t;
    uint32_t worker;           /* who received it (sinks); 0 in oracles */
    uint32_t size;             /* bytes of rec in use */
    unsigned char rec[TS_ROW_MAX_REC];
};

struct ts_rows {
    pthread_mutex_t lock;      /* taken by ts_sink's workers, see above */
    struct ts_row *v;
    size_t n, cap;
};

/* Pair with ts_rows_destroy. */
void ts_rows_init(struct ts_rows *r);
void ts_rows_destroy(struct ts_rows *r);

/* Forgets every row, keeping the memory. */
void ts_rows_reset(struct ts_rows *r);

/* Appends (t, rec[0..size)) without locking: from oracles, or under r->lock.
 * Fails the case when size > TS_ROW_MAX_REC. */
void ts_rows_push(struct ts_rows *r, const struct gy_time *t, uint32_t worker, const void *rec,
                  size_t size);

/* ts_rows_push at the depth-0 time of epoch, worker 0. */
void ts_rows_push_epoch(struct ts_rows *r, uint64_t epoch, const void *rec, size_t size);

/* By time, then record bytes; the worker does not count. */
int ts_row_cmp(const void *a, const void *b);

/* got and want hold the same multiset of (time, record), or the case fails
 * naming label and workers and printing the first rows that differ. Sorts
 * both. */
void ts_assert_rows_equal(struct ts_rows *got, struct ts_rows *want, const char *label,
                          uint32_t workers);

/* ---- sink ---- */

/* Adds to s's dataflow a plain gy_op_new operator (independent of the
 * built-ins) that pushes every record reaching it into out, with its time
 * and the receiving worker. Does nothing when s is NULL: the build has
 * failed already and gy_dataflow_build reports it. Call from the worker
 * that builds the dataflow; out must outlive the run. */
void ts_sink(gy_stream_t *s, struct ts_rows *out);

#endif
