/*
 * Tests for progress/changes: random streams of updates against a
 * brute-force table of counts, with compactions at random points, checking
 * that the compacted array is sorted, distinct and nonzero; add_all; the
 * chunked merge of many new times into a long compacted prefix.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "progress/alloc.h"
#include "progress/changes.h"
#include "tests/support/rng.h"
#include "tests/support/times.h"

static uint64_t rng = 0xc4a4e5ULL;

/* The brute-force universe: times (e, i) with e, i < SIDE, depth 1. */
#define SIDE 12

/* The compacted array equals the table: sorted, distinct, nonzero, same counts. */
static void check_against(struct gy_changes *c, int64_t table[SIDE][SIDE])
{
    uint32_t nonzero = 0;

    gy_changes_compact(c);
    assert_int_equal(c->clean, c->len);
    for (uint32_t i = 0; i < c->len; i++) {
        const struct gy_change *x = &c->items[i];
        assert_true(x->delta != 0);
        assert_int_equal(x->delta, table[x->time.epoch][x->time.iter[0]]);
        if (i > 0)
            assert_true(gy_time_cmp(&c->items[i - 1].time, &x->time) < 0);
    }
    for (uint32_t e = 0; e < SIDE; e++) {
        for (uint32_t i = 0; i < SIDE; i++) {
            struct gy_time t = ts_time1(e, i);
            nonzero += table[e][i] != 0;
            assert_int_equal(gy_changes_count(c, &t), table[e][i]);
        }
    }
    assert_int_equal(c->len, nonzero);
    assert_int_equal(gy_changes_is_empty(c), nonzero == 0);
}

static void test_changes_random(void **state)
{
    (void)state;
    for (int round = 0; round < 200; round++) {
        int64_t table[SIDE][SIDE];
        struct gy_changes c;
        uint32_t range = 1 + ts_rng_below(&rng, SIDE);
        memset(table, 0, sizeof(table));
        gy_changes_init(&c);
        for (int k = 0; k < 400; k++) {
            uint32_t e = ts_rng_below(&rng, range), i = ts_rng_below(&rng, range);
            int64_t d = (int64_t)ts_rng_below(&rng, 5) - 2;
            struct gy_time t = ts_time1(e, i);
            assert_int_equal(gy_changes_add(&c, &t, d), 0);
            table[e][i] += d;
            if (ts_rng_below(&rng, 16) == 0)
                check_against(&c, table);
        }
        check_against(&c, table);
        gy_changes_destroy(&c);
    }
}

static void test_changes_cancel_and_clear(void **state)
{
    (void)state;
    struct gy_changes c;
    struct gy_time a = ts_time1(1, 2), b = ts_time1(0, 5);

    gy_changes_init(&c);
    assert_true(gy_changes_is_empty(&c));
    assert_int_equal(gy_changes_add(&c, &a, 0), 0);
    assert_int_equal(c.len, 0);
    assert_int_equal(gy_changes_add(&c, &a, 3), 0);
    assert_int_equal(gy_changes_add(&c, &b, 1), 0);
    assert_false(gy_changes_is_empty(&c));
    assert_int_equal(c.len, 2);
    assert_true(gy_time_eq(&c.items[0].time, &b)); /* (0, 5) sorts before (1, 2) */
    assert_int_equal(gy_changes_add(&c, &a, -3), 0);
    assert_int_equal(gy_changes_count(&c, &a), 0);
    assert_int_equal(c.len, 1);
    assert_int_equal(gy_changes_add(&c, &b, -1), 0);
    assert_true(gy_changes_is_empty(&c));
    assert_int_equal(gy_changes_add(&c, &b, 7), 0);
    gy_changes_clear(&c);
    assert_true(gy_changes_is_empty(&c));
    gy_changes_destroy(&c);
}

static void test_changes_add_all(void **state)
{
    (void)state;
    int64_t table[SIDE][SIDE];
    struct gy_changes a, b;

    memset(table, 0, sizeof(table));
    gy_changes_init(&a);
    gy_changes_init(&b);
    for (int k = 0; k < 300; k++) {
        uint32_t e = ts_rng_below(&rng, SIDE), i = ts_rng_below(&rng, SIDE);
        struct gy_time t = ts_time1(e, i);
        int64_t d = (int64_t)ts_rng_below(&rng, 7) - 3;
        assert_int_equal(gy_changes_add(k % 2 ? &a : &b, &t, d), 0);
        table[e][i] += d;
        if (k % 50 == 0)
            gy_changes_compact(&b); /* src with both a clean prefix and a dirty suffix */
    }
    assert_int_equal(gy_changes_add_all(&a, &b), 0);
    check_against(&a, table);
    gy_changes_destroy(&a);
    gy_changes_destroy(&b);
}

static void test_changes_many_new(void **state)
{
    (void)state;
    struct gy_changes c;
    const uint32_t n = 1000;

    gy_changes_init(&c);
    /* Even epochs first, compacted; then 500 odd epochs in reverse, merged in chunks. */
    for (uint32_t e = 0; e < n; e += 2) {
        struct gy_time t = gy_time_epoch(e);
        assert_int_equal(gy_changes_add(&c, &t, 1), 0);
    }
    gy_changes_compact(&c);
    for (uint32_t e = n - 1; e < n; e -= 2) {
        struct gy_time t = gy_time_epoch(e);
        assert_int_equal(gy_changes_add(&c, &t, 2), 0);
    }
    gy_changes_compact(&c);
    assert_int_equal(c.len, n);
    for (uint32_t e = 0; e < n; e++) {
        assert_int_equal(c.items[e].time.epoch, e);
        assert_int_equal(c.items[e].delta, e % 2 ? 2 : 1);
    }
    gy_changes_destroy(&c);
}

static void test_changes_enomem(void **state)
{
    (void)state;
    struct gy_changes c, d;
    struct gy_time t = ts_time1(1, 1);

    gy_changes_init(&c);
    gy_changes_init(&d);
    assert_int_equal(gy_changes_add(&d, &t, 1), 0);
    gy_alloc_fail_after(1);
    assert_int_equal(gy_changes_add(&c, &t, 1), -ENOMEM);
    assert_int_equal(gy_changes_add_all(&c, &d), -ENOMEM);
    gy_alloc_fail_after(0);
    assert_true(gy_changes_is_empty(&c));
    gy_changes_destroy(&c);
    gy_changes_destroy(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_changes_random),
        cmocka_unit_test(test_changes_cancel_and_clear),
        cmocka_unit_test(test_changes_add_all),
        cmocka_unit_test(test_changes_many_new),
        cmocka_unit_test(test_changes_enomem),
    };
    return cmocka_run_group_tests_name("changes", tests, NULL, NULL);
}
