/*
 * Epoch assignment: which epoch (the first coordinate of a timestamp) each
 * edge line of an input file belongs to. Pure logic: no I/O, no threads.
 *
 * By count (GY_EPOCHS_COUNT): the edge line with global index k (0-based,
 * counting edge lines only, in file order) goes to epoch k / batch; batch 0
 * puts the whole file in epoch 0.
 *
 * By event time (GY_EPOCHS_TIME): tumbling windows of width T on the time
 * column. t0 is the time of the file's first edge line, and
 *     epoch(time) = floor((time - t0) / T)   for time >= t0,
 *     epoch(time) = 0                        for time <  t0,
 * so epoch 0 is (-inf, t0 + T) and epoch e >= 1 is [t0 + eT, t0 + (e+1)T).
 * Lines may come out of order by up to the bound B: with `latest` the
 * largest time of all earlier lines (in file order), a line is late when
 *     time < latest - B   (that is, latest - time > B).
 * A late line is an error ("FILE:LINE: time X is more than B before the
 * latest time Y"), or, with drop_late, skipped and counted. A line within the
 * bound is accepted into its own window's epoch, however old.
 *
 * Closing epochs: the watermark is W = latest - B. Every line still to come
 * is either late or has time >= W, so epoch e is closed (no accepted line can
 * land in it any more) once W >= t0 + (e+1)T. gy_epochs_frontier() returns
 * epoch(W), the smallest epoch still open; an accepted line always lands in
 * an epoch >= the frontier before and after it, i.e. never in a closed one.
 * The runtime's input may downgrade its capability to the frontier.
 *
 * Parallel parsing: a file is cut into byte ranges that workers parse at the
 * same time. The assignment of a line depends only on t0, on `latest` and on
 * its global index, which are all functions of the lines before it. So:
 *  1. each worker summarizes its range (gy_epochs_summary_add per line);
 *  2. the summaries of all earlier ranges are concatenated in file order
 *     (gy_epochs_summary_cat) into the range's prefix;
 *  3. the worker starts a cursor at its prefix and assigns its lines.
 * The result equals one sequential pass over the whole file, for any split.
 * By count only summary.lines matters; with skip_bad, a caller that wants
 * indices to equal the reader's edge-line ranks (graph/edgefile.h, where a
 * skipped line keeps its rank) counts skipped lines into the summary with
 * gy_epochs_summary_skip() and steps the cursor over them with
 * gy_epochs_cursor_skip().
 * The summary's max is the max over all lines, dropped ones included: a
 * dropped line is below `latest`, so it never changes it anyway.
 *
 * Thread safety: none needed; each worker owns its summaries and cursors.
 */
#ifndef GY_GRAPH_EPOCHS_H
#define GY_GRAPH_EPOCHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/edge.h"
#include "progress/compiler.h"

/* gy_epochs_next() return value, and the epoch gy_epochs_assign() gives a dropped line. */
#define GY_EPOCHS_DROPPED       1
#define GY_EPOCHS_DROPPED_EPOCH UINT64_MAX

enum gy_epochs_mode {
    GY_EPOCHS_COUNT,
    GY_EPOCHS_TIME,
};

struct gy_epochs_cfg {
    enum gy_epochs_mode mode;
    uint64_t batch;  /* COUNT: edge lines per epoch; 0 = the whole file is epoch 0 */
    uint64_t width;  /* TIME: window width T, >= 1, in time-column units */
    uint64_t bound;  /* TIME: allowed lateness B >= 0, in time-column units */
    bool drop_late;  /* TIME: drop and count late lines instead of failing */
};

/* What a range of edge lines tells the ranges after it. Plain value; copy freely. */
struct gy_epochs_summary {
    uint64_t lines; /* edge lines in the range, skipped ones included */
    uint64_t timed; /* of those, lines that carried an edge and its time */
    int64_t first;  /* time of the range's first timed line; meaningful iff timed > 0 */
    int64_t max;    /* largest time in the range; meaningful iff timed > 0 */
};

/* Assignment state over a run of consecutive lines. Fields are read-only to callers. */
struct gy_epochs_cursor {
    struct gy_epochs_cfg cfg;
    uint64_t index;    /* global index of the next edge line */
    int64_t t0;        /* the file's first time; meaningful iff seen */
    int64_t latest;    /* largest time of all lines so far; meaningful iff seen */
    bool seen;         /* some line (here or in the prefix) has been seen */
    uint64_t dropped;  /* late lines dropped by this cursor */
    int64_t late_time; /* the last late line's time (for the error message) */
};

/* The summary of no lines: the identity of gy_epochs_summary_cat(). */
void gy_epochs_summary_init(struct gy_epochs_summary *s);

/* Appends one edge line with the given time (0 when there is no time column). */
void gy_epochs_summary_add(struct gy_epochs_summary *s, int64_t time);

/* Appends n edge lines without an edge (skipped bad lines): indices only. */
void gy_epochs_summary_skip(struct gy_epochs_summary *s, uint64_t n);

/* acc := acc followed by next (file order matters: first comes from the earlier one). */
void gy_epochs_summary_cat(struct gy_epochs_summary *acc, const struct gy_epochs_summary *next);

/*
 * Starts a cursor for the range whose earlier lines are summarized by prefix
 * (an empty summary for the file's first range). Returns 0, or -EINVAL if cfg
 * is invalid (unknown mode, or TIME with width 0).
 */
GY_NODISCARD int gy_epochs_cursor_init(struct gy_epochs_cursor *cur,
                                       const struct gy_epochs_cfg *cfg,
                                       const struct gy_epochs_summary *prefix);

/*
 * Assigns the next edge line, of the given time. Returns 0 with *epoch set,
 * GY_EPOCHS_DROPPED if it was late and dropped (counted in cur->dropped), or
 * -ERANGE if it was late and drop_late is off (cur->late_time and
 * cur->latest then describe it; the cursor has not advanced).
 */
GY_NODISCARD int gy_epochs_next(struct gy_epochs_cursor *cur, int64_t time, uint64_t *epoch);

/* Steps over n edge lines that carry no edge (skipped bad lines): they take
 * indices (COUNT) but no time, so TIME state is unchanged. */
void gy_epochs_cursor_skip(struct gy_epochs_cursor *cur, uint64_t n);

/*
 * gy_epochs_next() over n edges, writing epochs[0 .. n-1] (dropped lines get
 * GY_EPOCHS_DROPPED_EPOCH, which no real epoch reaches unless width is 1 and
 * the times span all of int64). Returns 0, or -ERANGE at the first late line
 * when drop_late is off: *stop is then its index in e[], and epochs before it
 * are set.
 */
GY_NODISCARD int gy_epochs_assign(struct gy_epochs_cursor *cur, const struct gy_edge *e, size_t n,
                                  uint64_t *epochs, size_t *stop);

/*
 * COUNT mode only: gy_epochs_next() for the next n (>= 1) edge lines at
 * once, as runs. Returns the epoch of the next line and sets *len (1..n) to
 * how many of the n lines share it, advancing the cursor past those; call
 * again for the rest. Same epochs as gy_epochs_next() line by line.
 */
uint64_t gy_epochs_count_run(struct gy_epochs_cursor *cur, uint64_t n, uint64_t *len);

/*
 * The smallest epoch a line after this point can still land in: the
 * watermark's epoch (TIME), or next index / batch (COUNT). Nondecreasing.
 */
uint64_t gy_epochs_frontier(const struct gy_epochs_cursor *cur);

/*
 * Writes the late-line error for the -ERANGE just returned:
 * "FILE:LINE: time X is more than B before the latest time Y". Returns what
 * snprintf returns.
 */
int gy_epochs_late_message(const struct gy_epochs_cursor *cur, const char *file,
                           uint64_t line, char *buf, size_t len);

#endif
