/*
 * Tests for graph/epochs.h: epochs by count, a hand-worked event-time stream
 * (epochs, drops, frontiers and the error text), invariance under every way of
 * splitting a stream into parallel ranges against a direct sequential oracle,
 * and extreme times that would overflow naive arithmetic.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "graph/epochs.h"

#define D GY_EPOCHS_DROPPED_EPOCH

static struct gy_edge *edges_of(const int64_t *times, size_t n)
{
    struct gy_edge *e = calloc(n ? n : 1, sizeof(*e));

    assert_non_null(e);
    for (size_t i = 0; i < n; i++) {
        e[i].u = i;
        e[i].v = i + 1;
        e[i].time = times[i];
        e[i].sign = 1;
    }
    return e;
}

static void start(struct gy_epochs_cursor *cur, const struct gy_epochs_cfg *cfg)
{
    struct gy_epochs_summary empty;

    gy_epochs_summary_init(&empty);
    assert_int_equal(gy_epochs_cursor_init(cur, cfg, &empty), 0);
}

static void test_epochs_by_count(void **state)
{
    const uint64_t want[10] = {0, 0, 0, 0, 1, 1, 1, 1, 2, 2};
    struct gy_epochs_cfg cfg = {.mode = GY_EPOCHS_COUNT, .batch = 4};
    struct gy_epochs_summary pre;
    struct gy_epochs_cursor cur;
    uint64_t ep;

    (void)state;
    start(&cur, &cfg);
    for (int i = 0; i < 10; i++) {
        assert_int_equal(gy_epochs_frontier(&cur), want[i]);
        assert_int_equal(gy_epochs_next(&cur, 1000 - i, &ep), 0); /* times are ignored */
        assert_int_equal(ep, want[i]);
    }
    assert_int_equal(gy_epochs_frontier(&cur), 2);
    /* A range that starts after 6 lines continues the global index. */
    gy_epochs_summary_init(&pre);
    for (int i = 0; i < 6; i++)
        gy_epochs_summary_add(&pre, 0);
    assert_int_equal(gy_epochs_cursor_init(&cur, &cfg, &pre), 0);
    for (int i = 6; i < 10; i++) {
        assert_int_equal(gy_epochs_next(&cur, 0, &ep), 0);
        assert_int_equal(ep, want[i]);
    }
    /* Skipped lines take indices: after 2 edges and 5 skips the next edge is index 7. */
    start(&cur, &cfg);
    assert_int_equal(gy_epochs_next(&cur, 0, &ep), 0);
    assert_int_equal(gy_epochs_next(&cur, 0, &ep), 0);
    gy_epochs_cursor_skip(&cur, 5);
    assert_int_equal(gy_epochs_frontier(&cur), want[7]);
    assert_int_equal(gy_epochs_next(&cur, 0, &ep), 0);
    assert_int_equal(ep, want[7]);
    /* batch 0: the whole file is epoch 0. */
    cfg.batch = 0;
    start(&cur, &cfg);
    for (int i = 0; i < 1000; i++) {
        assert_int_equal(gy_epochs_next(&cur, i, &ep), 0);
        assert_int_equal(ep, 0);
    }
    assert_int_equal(gy_epochs_frontier(&cur), 0);
}

/*
 * T = 10, B = 5, t0 = 100: epoch 0 = (-inf, 110), 1 = [110, 120), 2 = [120, 130) ...
 *  line time latest-before verdict                 epoch frontier after (epoch of latest - 5)
 *   1   100      -         first line, t0            0     epoch(95)  = 0
 *   2   103     100        in order                  0     epoch(98)  = 0
 *   3    98     103        5 behind: ok, < t0        0     epoch(98)  = 0
 *   4   111     103        in order                  1     epoch(106) = 0
 *   5   108     111        3 behind: ok              0     epoch(106) = 0
 *   6   125     111        in order                  2     epoch(120) = 2
 *   7   120     125        5 behind: ok              2     2
 *   8   119     125        6 behind: late            -     2
 *   9   130     125        in order                  3     epoch(125) = 2
 *  10   150     130        in order                  5     epoch(145) = 4
 *  11   146     150        4 behind: ok              4     4
 *  12   140     150        10 behind: late           -     4
 */
static const int64_t hand_times[12] = {100, 103, 98, 111, 108, 125, 120, 119, 130, 150, 146, 140};
static const uint64_t hand_epochs[12] = {0, 0, 0, 1, 0, 2, 2, D, 3, 5, 4, D};
static const uint64_t hand_frontier[12] = {0, 0, 0, 0, 0, 2, 2, 2, 2, 4, 4, 4};

/* Asks for runs of 1..17 lines from a cursor that starts after `first`
 * lines and follows a line-by-line cursor alongside. */
static void check_runs(const struct gy_epochs_cfg *cfg, uint64_t first, uint64_t total)
{
    struct gy_epochs_summary pre;
    struct gy_epochs_cursor runs, lines;
    uint64_t done = 0, len, ep, epoch, ask;

    gy_epochs_summary_init(&pre);
    gy_epochs_summary_skip(&pre, first);
    assert_int_equal(gy_epochs_cursor_init(&runs, cfg, &pre), 0);
    assert_int_equal(gy_epochs_cursor_init(&lines, cfg, &pre), 0);
    for (; done < total; done += len) {
        ask = 1 + (done * 31 + first) % 17;
        ask = ask < total - done ? ask : total - done;
        epoch = gy_epochs_count_run(&runs, ask, &len);
        assert_true(len >= 1 && len <= ask);
        for (uint64_t i = 0; i < len; i++) {
            assert_int_equal(gy_epochs_next(&lines, 0, &ep), 0);
            assert_int_equal(ep, epoch);
        }
        /* A run stops short only where the next line's epoch differs. */
        if (cfg->batch == 0)
            assert_int_equal(len, ask);
        else if (len < ask)
            assert_int_not_equal((first + done + len) / cfg->batch, epoch);
        assert_int_equal(gy_epochs_frontier(&runs), gy_epochs_frontier(&lines));
    }
}

/* Runs by count against gy_epochs_next line by line, for batches around
 * the run lengths asked for and many starting indices. */
static void test_epochs_count_runs(void **state)
{
    static const uint64_t batches[] = {0, 1, 2, 3, 7, 64, 1000};
    (void)state;

    for (size_t b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
        struct gy_epochs_cfg cfg = {.mode = GY_EPOCHS_COUNT, .batch = batches[b]};
        for (uint64_t first = 0; first < 20; first++)
            check_runs(&cfg, first * 13, 150 + first * 7);
    }
}

static void test_epochs_by_time_dropping(void **state)
{
    struct gy_epochs_cfg cfg = {.mode = GY_EPOCHS_TIME, .width = 10, .bound = 5,
                                .drop_late = true};
    struct gy_epochs_cursor cur;
    uint64_t ep;

    (void)state;
    start(&cur, &cfg);
    for (int i = 0; i < 12; i++) {
        uint64_t before = gy_epochs_frontier(&cur);
        int rc = gy_epochs_next(&cur, hand_times[i], &ep);
        if (hand_epochs[i] == D) {
            assert_int_equal(rc, GY_EPOCHS_DROPPED);
        } else {
            assert_int_equal(rc, 0);
            assert_int_equal(ep, hand_epochs[i]);
            /* An accepted line never lands in a closed epoch. */
            assert_true(ep >= before && ep >= gy_epochs_frontier(&cur));
        }
        assert_int_equal(gy_epochs_frontier(&cur), hand_frontier[i]);
    }
    assert_int_equal(cur.dropped, 2);
}

static void test_epochs_by_time_late_error(void **state)
{
    struct gy_epochs_cfg cfg = {.mode = GY_EPOCHS_TIME, .width = 10, .bound = 5};
    struct gy_epochs_cursor cur;
    struct gy_edge *e = edges_of(hand_times, 12);
    uint64_t ep[12];
    size_t stop = 99;
    char msg[128];

    (void)state;
    memset(ep, 0xee, sizeof(ep));
    start(&cur, &cfg);
    assert_int_equal(gy_epochs_assign(&cur, e, 12, ep, &stop), -ERANGE);
    assert_int_equal(stop, 7);
    assert_memory_equal(ep, hand_epochs, 7 * sizeof(ep[0]));
    gy_epochs_late_message(&cur, "f.txt", 8, msg, sizeof(msg));
    assert_string_equal(msg, "f.txt:8: time 119 is more than 5 before the latest time 125");
    assert_int_equal(cur.dropped, 0);
    /* The same stream with drop_late assigns everything, drops marked. */
    cfg.drop_late = true;
    start(&cur, &cfg);
    assert_int_equal(gy_epochs_assign(&cur, e, 12, ep, &stop), 0);
    assert_memory_equal(ep, hand_epochs, sizeof(ep));
    free(e);
}

/* ---- split invariance against a sequential oracle ------------------------- */

/* In the split tests, a line with this time stands for a skipped bad line. */
#define SKIPPED_LINE INT64_MIN
#define S (UINT64_MAX - 1) /* its "epoch" in a verdict */

struct verdict {
    uint64_t *epochs; /* D for dropped, S for skipped */
    uint64_t dropped;
    size_t stop;      /* first late line when not dropping, else n */
};

/* The definition in graph/epochs.h, written directly for small times. */
static void oracle(const int64_t *t, size_t n, const struct gy_epochs_cfg *cfg,
                   struct verdict *out)
{
    int64_t t0 = 0, latest = 0;
    bool seen = false;

    out->dropped = 0;
    out->stop = n;
    for (size_t i = 0; i < n; i++) {
        if (t[i] == SKIPPED_LINE) {
            out->epochs[i] = S;
        } else if (cfg->mode == GY_EPOCHS_COUNT) {
            out->epochs[i] = cfg->batch ? i / cfg->batch : 0; /* skipped lines keep indices */
        } else if (seen && latest - t[i] > (int64_t)cfg->bound) {
            if (!cfg->drop_late) {
                out->stop = i;
                return;
            }
            out->epochs[i] = D;
            out->dropped++;
        } else {
            t0 = seen ? t0 : t[i];
            latest = seen && latest > t[i] ? latest : t[i];
            seen = true;
            out->epochs[i] = t[i] < t0 ? 0 : (uint64_t)(t[i] - t0) / cfg->width;
        }
    }
}

/* Assigns lines [from, to) with cur; returns false at a late-line error (*stop set). */
static bool run_range(struct gy_epochs_cursor *cur, const struct gy_edge *e, size_t from,
                      size_t to, uint64_t *epochs, size_t *stop)
{
    for (size_t i = from; i < to; i++) {
        int rc;
        if (e[i].time == SKIPPED_LINE) {
            gy_epochs_cursor_skip(cur, 1);
            epochs[i] = S;
            continue;
        }
        rc = gy_epochs_next(cur, e[i].time, &epochs[i]);
        if (rc < 0) {
            *stop = i;
            return false;
        }
        epochs[i] = rc == GY_EPOCHS_DROPPED ? D : epochs[i];
    }
    return true;
}

/* Processes the stream as ranges [cut[r], cut[r + 1]) the way parallel workers would. */
static void by_ranges(const struct gy_edge *e, const size_t *cut, int ranges,
                      const struct gy_epochs_cfg *cfg, struct verdict *out)
{
    struct gy_epochs_summary sum[16], prefix;
    struct gy_epochs_cursor cur;
    size_t stop;

    for (int r = 0; r < ranges; r++) { /* phase 1: independent summaries */
        gy_epochs_summary_init(&sum[r]);
        for (size_t i = cut[r]; i < cut[r + 1]; i++) {
            if (e[i].time == SKIPPED_LINE)
                gy_epochs_summary_skip(&sum[r], 1);
            else
                gy_epochs_summary_add(&sum[r], e[i].time);
        }
    }
    out->dropped = 0;
    out->stop = cut[ranges];
    gy_epochs_summary_init(&prefix);
    for (int r = 0; r < ranges; r++) { /* phase 2: each range from its prefix only */
        assert_int_equal(gy_epochs_cursor_init(&cur, cfg, &prefix), 0);
        if (!run_range(&cur, e, cut[r], cut[r + 1], out->epochs, &stop) &&
            out->stop == cut[ranges])
            out->stop = stop; /* the earliest range's error is the file's */
        out->dropped += cur.dropped;
        gy_epochs_summary_cat(&prefix, &sum[r]);
    }
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;

    return (x > y) - (x < y);
}

static void random_cuts(size_t n, int ranges, size_t *cut)
{
    cut[0] = 0;
    cut[ranges] = n;
    for (int r = 1; r < ranges; r++)
        cut[r] = (size_t)rand() % (n + 1); /* empty ranges allowed */
    qsort(cut + 1, (size_t)(ranges - 1), sizeof(*cut), cmp_size);
}

/* Compares 60 random splits with the oracle; returns the oracle's drops plus 1 if it stopped. */
static uint64_t check_splits(const int64_t *t, size_t n, const struct gy_epochs_cfg *cfg)
{
    uint64_t events;
    struct gy_edge *e = edges_of(t, n);
    struct verdict want = {.epochs = calloc(n, sizeof(uint64_t))};
    struct verdict got = {.epochs = calloc(n, sizeof(uint64_t))};
    size_t cut[17];

    assert_non_null(want.epochs);
    assert_non_null(got.epochs);
    oracle(t, n, cfg, &want);
    for (int trial = 0; trial < 60; trial++) {
        int ranges = 1 + trial % 16;
        random_cuts(n, ranges, cut);
        by_ranges(e, cut, ranges, cfg, &got);
        assert_int_equal(got.stop, want.stop);
        assert_int_equal(got.dropped, want.dropped);
        assert_memory_equal(got.epochs, want.epochs, want.stop * sizeof(uint64_t));
    }
    events = want.dropped + (want.stop < n);
    free(want.epochs);
    free(got.epochs);
    free(e);
    return events;
}

/*
 * Mostly rising times with jitter, occasional jumps back far enough to be
 * late, and 3% skipped lines; a run of them opens the stream when
 * skip_head > 0, so that t0 comes from a later line.
 */
static void make_times(int64_t *t, size_t n, int64_t start_at, size_t skip_head)
{
    int64_t now = start_at;

    for (size_t i = 0; i < n; i++) {
        int r = rand() % 100;
        now += rand() % 4;
        t[i] = r < 5 ? now - rand() % 40 : now - rand() % 6;
        if (i < skip_head || r >= 97)
            t[i] = SKIPPED_LINE;
    }
}

static void test_epochs_split_invariance(void **state)
{
    static const uint64_t widths[] = {1, 3, 10, 1000};
    static const uint64_t bounds[] = {0, 2, 5, 25};
    struct gy_epochs_cfg cfg;
    uint64_t drops = 0, stops = 0;
    int64_t t[600];

    (void)state;
    srand(12345);
    for (int round = 0; round < 8; round++) {
        make_times(t, 600, round * 1000 - 4000, (size_t)round % 3);
        for (size_t k = 0; k < 16; k++) {
            cfg = (struct gy_epochs_cfg){.mode = GY_EPOCHS_TIME, .width = widths[k / 4],
                                         .bound = bounds[k % 4]};
            stops += check_splits(t, 600, &cfg);
            cfg.drop_late = true;
            drops += check_splits(t, 600, &cfg);
        }
        cfg = (struct gy_epochs_cfg){.mode = GY_EPOCHS_COUNT, .batch = (uint64_t)round * 7};
        assert_int_equal(check_splits(t, 600, &cfg), 0);
    }
    /* The streams did exercise both late-line paths. */
    assert_true(stops > 50);
    assert_true(drops > 500);
}

static void test_epochs_extremes(void **state)
{
    struct gy_epochs_cfg cfg = {.mode = GY_EPOCHS_TIME, .width = 2, .bound = 0};
    struct gy_epochs_cursor cur;
    uint64_t ep;
    char msg[160];

    (void)state;
    start(&cur, &cfg);
    assert_int_equal(gy_epochs_next(&cur, INT64_MIN, &ep), 0);
    assert_int_equal(ep, 0);
    assert_int_equal(gy_epochs_next(&cur, INT64_MAX, &ep), 0);
    assert_int_equal(ep, UINT64_MAX / 2); /* (2^64 - 1) / 2: the span does not overflow */
    assert_int_equal(gy_epochs_frontier(&cur), UINT64_MAX / 2);
    assert_int_equal(gy_epochs_next(&cur, INT64_MIN, &ep), -ERANGE);
    gy_epochs_late_message(&cur, "x", 3, msg, sizeof(msg));
    assert_string_equal(msg, "x:3: time -9223372036854775808 is more than 0 before the "
                             "latest time 9223372036854775807");
    /* With the largest bound nothing is late, and the watermark stays before t0. */
    cfg.bound = UINT64_MAX;
    start(&cur, &cfg);
    assert_int_equal(gy_epochs_next(&cur, INT64_MIN, &ep), 0);
    assert_int_equal(gy_epochs_next(&cur, INT64_MAX, &ep), 0);
    assert_int_equal(gy_epochs_next(&cur, INT64_MIN, &ep), 0);
    assert_int_equal(ep, 0);
    assert_int_equal(gy_epochs_frontier(&cur), 0);
}

static void test_epochs_invalid_cfg(void **state)
{
    struct gy_epochs_cfg cfg = {.mode = GY_EPOCHS_TIME, .width = 0};
    struct gy_epochs_summary empty;
    struct gy_epochs_cursor cur;

    (void)state;
    gy_epochs_summary_init(&empty);
    assert_int_equal(gy_epochs_cursor_init(&cur, &cfg, &empty), -EINVAL);
    cfg.mode = (enum gy_epochs_mode)7;
    cfg.width = 1;
    assert_int_equal(gy_epochs_cursor_init(&cur, &cfg, &empty), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epochs_by_count),
        cmocka_unit_test(test_epochs_count_runs),
        cmocka_unit_test(test_epochs_by_time_dropping),
        cmocka_unit_test(test_epochs_by_time_late_error),
        cmocka_unit_test(test_epochs_split_invariance),
        cmocka_unit_test(test_epochs_extremes),
        cmocka_unit_test(test_epochs_invalid_cfg),
    };

    return cmocka_run_group_tests_name("epochs", tests, NULL, NULL);
}
