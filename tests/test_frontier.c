/*
 * Tests for progress/frontier: random batches of updates against a
 * brute-force table of counts. After each apply the frontier must be exactly
 * the minimal times with a positive count, and the reported changes exactly
 * the difference between the old and new frontiers. Negative counts are
 * reported with -ERANGE and one offending time.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "progress/alloc.h"
#include "progress/frontier.h"
#include "tests/support/rng.h"
#include "tests/support/times.h"

static uint64_t rng = 0xf407e7ULL;

#define SIDE 5

/* Brute force: (e, i) is minimal among the positive counts. */
static bool minimal_positive(int64_t table[SIDE][SIDE], uint32_t e, uint32_t i)
{
    if (table[e][i] <= 0)
        return false;
    for (uint32_t a = 0; a <= e; a++)
        for (uint32_t b = 0; b <= i; b++)
            if ((a != e || b != i) && table[a][b] > 0)
                return false;
    return true;
}

static bool in_antichain(const struct gy_antichain *a, uint32_t e, uint32_t i)
{
    struct gy_time t = ts_time1(e, i);

    for (uint32_t k = 0; k < a->len; k++)
        if (gy_time_eq(&a->items[k], &t))
            return true;
    return false;
}

/* The frontier equals the brute force one; changed holds exactly the difference. */
static void check(const struct gy_frontier *f, int64_t table[SIDE][SIDE],
                  const bool before[SIDE][SIDE], struct gy_changes *changed, uint32_t base)
{
    uint32_t n = 0, ndiff = 0;

    for (uint32_t e = 0; e < SIDE; e++) {
        for (uint32_t i = 0; i < SIDE; i++) {
            bool now = minimal_positive(table, e, i);
            struct gy_time t = ts_time1(e, i);
            int64_t reported = 0;
            assert_int_equal(in_antichain(gy_frontier_get(f), e, i), now);
            n += now;
            for (uint32_t k = base; k < changed->len; k++)
                if (gy_time_eq(&changed->items[k].time, &t))
                    reported += changed->items[k].delta;
            assert_int_equal(reported, (int64_t)now - (int64_t)before[e][i]);
            ndiff += now != before[e][i];
        }
    }
    assert_int_equal(gy_frontier_get(f)->len, n);
    /* Each change is reported once, as a single +1 or -1. */
    assert_int_equal(changed->len - base, ndiff);
}

static void snapshot(const struct gy_frontier *f, bool before[SIDE][SIDE])
{
    for (uint32_t e = 0; e < SIDE; e++)
        for (uint32_t i = 0; i < SIDE; i++)
            before[e][i] = in_antichain(gy_frontier_get(f), e, i);
}

static void random_batch(struct gy_frontier *f, int64_t table[SIDE][SIDE], int size)
{
    for (int k = 0; k < size; k++) {
        uint32_t e = ts_rng_below(&rng, SIDE), i = ts_rng_below(&rng, SIDE);
        struct gy_time t = ts_time1(e, i);
        /* Stay nonnegative: remove only what is there, counting this batch. */
        int64_t d = table[e][i] > 0 && ts_rng_below(&rng, 2)
                        ? -1 - (int64_t)(ts_rng_next(&rng) % (uint64_t)table[e][i])
                        : 1 + (int64_t)ts_rng_below(&rng, 2);
        assert_int_equal(gy_frontier_update(f, &t, d), 0);
        table[e][i] += d;
    }
}

static void test_frontier_random(void **state)
{
    (void)state;
    int changes_seen = 0;

    for (int round = 0; round < 300; round++) {
        int64_t table[SIDE][SIDE];
        bool before[SIDE][SIDE];
        struct gy_frontier f;
        struct gy_changes changed;
        struct gy_time marker = ts_time1(99, 99);
        memset(table, 0, sizeof(table));
        gy_frontier_init(&f);
        gy_changes_init(&changed);
        for (int step = 0; step < 30; step++) {
            uint32_t base;
            int64_t total = 0;
            gy_changes_clear(&changed);
            /* Whatever the caller had in changed stays; the report is appended. */
            assert_int_equal(gy_changes_add(&changed, &marker, 5), 0);
            base = changed.len;
            snapshot(&f, before);
            random_batch(&f, table, 1 + (int)ts_rng_below(&rng, 6));
            assert_int_equal(gy_frontier_apply(&f, &changed, NULL), 0);
            assert_true(gy_time_eq(&changed.items[0].time, &marker));
            check(&f, table, before, &changed, base);
            changes_seen += (int)(changed.len - base);
            for (uint32_t e = 0; e < SIDE; e++)
                for (uint32_t i = 0; i < SIDE; i++)
                    total += table[e][i];
            assert_int_equal(gy_frontier_total(&f), total);
        }
        gy_changes_destroy(&changed);
        gy_frontier_destroy(&f);
    }
    assert_true(changes_seen > 1000);
}

static void test_frontier_hand(void **state)
{
    (void)state;
    struct gy_frontier f;
    struct gy_changes ch;
    struct gy_time a = ts_time1(0, 3), b = ts_time1(1, 1), c = ts_time1(2, 2);
    struct gy_time low = ts_time1(0, 0);

    gy_frontier_init(&f);
    gy_changes_init(&ch);
    /* {(0,3), (1,1)}, with (2,2) hidden behind (1,1). */
    assert_int_equal(gy_frontier_update(&f, &a, 1), 0);
    assert_int_equal(gy_frontier_update(&f, &b, 2), 0);
    assert_int_equal(gy_frontier_update(&f, &c, 1), 0);
    assert_int_equal(gy_frontier_apply(&f, &ch, NULL), 0);
    assert_int_equal(gy_frontier_get(&f)->len, 2);
    assert_int_equal(ch.len, 2);
    assert_int_equal(gy_changes_count(&ch, &a), 1);
    assert_int_equal(gy_changes_count(&ch, &b), 1);
    /* Dropping (1,1) to count 0 uncovers (2,2). */
    gy_changes_clear(&ch);
    assert_int_equal(gy_frontier_update(&f, &b, -2), 0);
    assert_int_equal(gy_frontier_apply(&f, &ch, NULL), 0);
    assert_int_equal(gy_changes_count(&ch, &b), -1);
    assert_int_equal(gy_changes_count(&ch, &c), 1);
    assert_int_equal(ch.len, 2);
    /* +1 and -1 at one time in one batch: nothing happens. */
    gy_changes_clear(&ch);
    assert_int_equal(gy_frontier_update(&f, &low, 1), 0);
    assert_int_equal(gy_frontier_update(&f, &low, -1), 0);
    assert_int_equal(gy_frontier_apply(&f, &ch, NULL), 0);
    assert_int_equal(ch.len, 0);
    /* (0,0) replaces both; apply with no report is fine too. */
    assert_int_equal(gy_frontier_update(&f, &low, 1), 0);
    assert_int_equal(gy_frontier_apply(&f, NULL, NULL), 0);
    assert_int_equal(gy_frontier_get(&f)->len, 1);
    assert_true(gy_time_eq(&gy_frontier_get(&f)->items[0], &low));
    assert_int_equal(gy_frontier_total(&f), 3);
    /* Nothing pending: nothing reported. */
    assert_int_equal(gy_frontier_apply(&f, &ch, NULL), 0);
    assert_int_equal(ch.len, 0);
    gy_changes_destroy(&ch);
    gy_frontier_destroy(&f);
}

static void test_frontier_negative(void **state)
{
    (void)state;
    struct gy_frontier f;
    struct gy_changes ch;
    struct gy_time a = ts_time1(1, 0), b = ts_time1(2, 0), neg = ts_time1(0, 0);

    gy_frontier_init(&f);
    gy_changes_init(&ch);
    assert_int_equal(gy_frontier_update(&f, &a, 1), 0);
    assert_int_equal(gy_frontier_apply(&f, &ch, NULL), 0);
    /* More removed at (2,0) than was there; the counts are still applied. */
    gy_changes_clear(&ch);
    assert_int_equal(gy_frontier_update(&f, &b, -1), 0);
    assert_int_equal(gy_frontier_update(&f, &a, -1), 0);
    assert_int_equal(gy_frontier_apply(&f, &ch, &neg), -ERANGE);
    assert_true(gy_time_eq(&neg, &b));
    assert_true(gy_antichain_is_empty(gy_frontier_get(&f)));
    assert_int_equal(gy_changes_count(&ch, &a), -1);
    assert_int_equal(gy_frontier_total(&f), -1);
    /* Repaying the debt brings the count to 0 and the report back to clean. */
    assert_int_equal(gy_frontier_update(&f, &b, 1), 0);
    assert_int_equal(gy_frontier_apply(&f, NULL, NULL), 0);
    assert_int_equal(gy_frontier_total(&f), 0);
    assert_true(gy_antichain_is_empty(gy_frontier_get(&f)));
    /* NULL negative is allowed. */
    assert_int_equal(gy_frontier_update(&f, &a, -1), 0);
    assert_int_equal(gy_frontier_apply(&f, NULL, NULL), -ERANGE);
    gy_changes_destroy(&ch);
    gy_frontier_destroy(&f);
}

static void test_frontier_enomem(void **state)
{
    (void)state;
    struct gy_frontier f;
    struct gy_time a = ts_time1(1, 0);

    gy_frontier_init(&f);
    gy_alloc_fail_after(1);
    assert_int_equal(gy_frontier_update(&f, &a, 1), -ENOMEM);
    gy_alloc_fail_after(0);
    assert_int_equal(gy_frontier_apply(&f, NULL, NULL), 0);
    assert_true(gy_antichain_is_empty(gy_frontier_get(&f)));
    /* Every later allocation point fails cleanly, and the object can be freed. */
    for (long n = 1; n < 8; n++) {
        int rc;
        gy_frontier_destroy(&f);
        gy_frontier_init(&f);
        gy_alloc_fail_after(n);
        rc = gy_frontier_update(&f, &a, 1);
        if (rc == 0)
            rc = gy_frontier_apply(&f, NULL, NULL);
        gy_alloc_fail_after(0);
        assert_true(rc == 0 || rc == -ENOMEM);
    }
    gy_frontier_destroy(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_frontier_random),
        cmocka_unit_test(test_frontier_hand),
        cmocka_unit_test(test_frontier_negative),
        cmocka_unit_test(test_frontier_enomem),
    };
    return cmocka_run_group_tests_name("frontier", tests, NULL, NULL);
}
