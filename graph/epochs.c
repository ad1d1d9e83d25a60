/*
 * Epoch assignment (graph/epochs.h): range summaries, the cursor that assigns
 * count and event-time epochs, and the late-line message.
 *
 * Time arithmetic is done on u64 differences: for a >= b, (u64)a - (u64)b is
 * the exact value of a - b even when it does not fit an int64 (say a =
 * INT64_MAX, b = INT64_MIN), so no input time can overflow.
 */
#include "graph/epochs.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

/* a - b for a >= b, exact. */
static inline uint64_t time_diff(int64_t a, int64_t b)
{
    return (uint64_t)a - (uint64_t)b;
}

/* The tumbling window of time: 0 at or before t0, else floor((time - t0) / width). */
static inline uint64_t window_of(const struct gy_epochs_cursor *cur, int64_t time)
{
    return time <= cur->t0 ? 0 : time_diff(time, cur->t0) / cur->cfg.width;
}

static inline bool is_late(const struct gy_epochs_cursor *cur, int64_t time)
{
    return time < cur->latest && time_diff(cur->latest, time) > cur->cfg.bound;
}

void gy_epochs_summary_init(struct gy_epochs_summary *s)
{
    s->lines = 0;
    s->timed = 0;
    s->first = 0;
    s->max = 0;
}

void gy_epochs_summary_add(struct gy_epochs_summary *s, int64_t time)
{
    if (s->timed == 0) {
        s->first = time;
        s->max = time;
    } else if (time > s->max) {
        s->max = time;
    }
    s->timed++;
    s->lines++;
}

void gy_epochs_summary_skip(struct gy_epochs_summary *s, uint64_t n)
{
    s->lines += n;
}

void gy_epochs_summary_cat(struct gy_epochs_summary *acc, const struct gy_epochs_summary *next)
{
    acc->lines += next->lines;
    if (next->timed == 0)
        return;
    if (acc->timed == 0) {
        acc->first = next->first;
        acc->max = next->max;
    } else if (next->max > acc->max) {
        acc->max = next->max;
    }
    acc->timed += next->timed;
}

int gy_epochs_cursor_init(struct gy_epochs_cursor *cur, const struct gy_epochs_cfg *cfg,
                          const struct gy_epochs_summary *prefix)
{
    if (cfg->mode != GY_EPOCHS_COUNT && cfg->mode != GY_EPOCHS_TIME)
        return -EINVAL;
    if (cfg->mode == GY_EPOCHS_TIME && cfg->width == 0)
        return -EINVAL;
    cur->cfg = *cfg;
    cur->index = prefix->lines;
    cur->seen = prefix->timed > 0;
    cur->t0 = prefix->first;
    cur->latest = prefix->max;
    cur->dropped = 0;
    cur->late_time = 0;
    return 0;
}

static int next_by_time(struct gy_epochs_cursor *cur, int64_t time, uint64_t *epoch)
{
    if (!cur->seen) {
        cur->seen = true;
        cur->t0 = time;
        cur->latest = time;
    } else if (is_late(cur, time)) {
        cur->late_time = time;
        if (!cur->cfg.drop_late)
            return -ERANGE;
        cur->dropped++;
        cur->index++;
        return GY_EPOCHS_DROPPED;
    } else if (time > cur->latest) {
        cur->latest = time;
    }
    *epoch = window_of(cur, time);
    cur->index++;
    return 0;
}

int gy_epochs_next(struct gy_epochs_cursor *cur, int64_t time, uint64_t *epoch)
{
    if (cur->cfg.mode == GY_EPOCHS_TIME)
        return next_by_time(cur, time, epoch);
    *epoch = cur->cfg.batch == 0 ? 0 : cur->index / cur->cfg.batch;
    cur->index++;
    return 0;
}

void gy_epochs_cursor_skip(struct gy_epochs_cursor *cur, uint64_t n)
{
    cur->index += n;
}

int gy_epochs_assign(struct gy_epochs_cursor *cur, const struct gy_edge *e, size_t n,
                     uint64_t *epochs, size_t *stop)
{
    for (size_t i = 0; i < n; i++) {
        int rc = gy_epochs_next(cur, e[i].time, &epochs[i]);
        if (rc == GY_EPOCHS_DROPPED) {
            epochs[i] = GY_EPOCHS_DROPPED_EPOCH;
        } else if (rc < 0) {
            *stop = i;
            return rc;
        }
    }
    return 0;
}

uint64_t gy_epochs_count_run(struct gy_epochs_cursor *cur, uint64_t n, uint64_t *len)
{
    uint64_t b = cur->cfg.batch, epoch = b == 0 ? 0 : cur->index / b;
    uint64_t room = b == 0 ? n : b - cur->index % b; /* lines left in this epoch */

    assert(cur->cfg.mode == GY_EPOCHS_COUNT && n >= 1);
    *len = n < room ? n : room;
    cur->index += *len;
    return epoch;
}

uint64_t gy_epochs_frontier(const struct gy_epochs_cursor *cur)
{
    uint64_t span;

    if (cur->cfg.mode == GY_EPOCHS_COUNT)
        return cur->cfg.batch == 0 ? 0 : cur->index / cur->cfg.batch;
    if (!cur->seen)
        return 0;
    /* epoch(W) with W = latest - B, computed without forming W (it may underflow). */
    span = time_diff(cur->latest, cur->t0);
    return span <= cur->cfg.bound ? 0 : (span - cur->cfg.bound) / cur->cfg.width;
}

int gy_epochs_late_message(const struct gy_epochs_cursor *cur, const char *file,
                           uint64_t line, char *buf, size_t len)
{
    return snprintf(buf, len, "%s:%" PRIu64 ": time %" PRId64 " is more than %" PRIu64
                    " before the latest time %" PRId64,
                    file, line, cur->late_time, cur->cfg.bound, cur->latest);
}
