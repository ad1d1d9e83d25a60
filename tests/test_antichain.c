/*
 * Tests for progress/antichain: insertion keeps exactly the minimal elements
 * (checked against a brute-force minimum over everything inserted), removal,
 * the le/lt queries against a scan of the inserted times, equality, sorting
 * and formatting.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "progress/alloc.h"
#include "progress/antichain.h"
#include "tests/support/rng.h"
#include "tests/support/times.h"

static uint64_t rng = 0xa17c4a1ULL;

static bool has(const struct gy_antichain *a, const struct gy_time *t)
{
    for (uint32_t i = 0; i < a->len; i++)
        if (gy_time_eq(&a->items[i], t))
            return true;
    return false;
}

static void test_antichain_insert_basic(void **state)
{
    (void)state;
    struct gy_antichain a;
    struct gy_time x = ts_time1(1, 1), y = ts_time1(0, 2), z = ts_time1(2, 0);
    struct gy_time low = ts_time1(0, 0);
    char buf[64];

    gy_antichain_init(&a);
    assert_true(gy_antichain_is_empty(&a));
    assert_int_equal(gy_antichain_insert(&a, &x), 1);
    assert_int_equal(gy_antichain_insert(&a, &x), 0);
    assert_int_equal(gy_antichain_insert(&a, &y), 1);
    assert_int_equal(gy_antichain_insert(&a, &z), 1);
    assert_int_equal(a.len, 3);
    gy_antichain_sort(&a);
    gy_antichain_format(&a, buf, sizeof(buf));
    assert_string_equal(buf, "{(0, 2), (1, 1), (2, 0)}");
    assert_true(gy_antichain_le(&a, &x));
    assert_false(gy_antichain_lt(&a, &x));
    {
        struct gy_time above = ts_time1(1, 2), none = ts_time1(0, 1);
        assert_true(gy_antichain_lt(&a, &above));
        assert_false(gy_antichain_le(&a, &none));
    }
    /* (0, 0) is below all three and replaces them. */
    assert_int_equal(gy_antichain_insert(&a, &low), 1);
    assert_int_equal(a.len, 1);
    assert_true(has(&a, &low));
    assert_true(gy_antichain_remove(&a, &low));
    assert_false(gy_antichain_remove(&a, &low));
    assert_true(gy_antichain_is_empty(&a));
    gy_antichain_format(&a, buf, sizeof(buf));
    assert_string_equal(buf, "{}");
    gy_antichain_destroy(&a);
}

static void test_antichain_minimality(void **state)
{
    (void)state;
    for (int round = 0; round < 2000; round++) {
        struct gy_antichain a;
        struct gy_time all[48];
        uint32_t d = ts_rng_below(&rng, GY_MAX_DEPTH + 1);
        int n = 1 + (int)ts_rng_below(&rng, 48), want = 0;
        gy_antichain_init(&a);
        for (int i = 0; i < n; i++) {
            all[i] = ts_rand_time(&rng, d, 4);
            assert_true(gy_antichain_insert(&a, &all[i]) >= 0);
        }
        for (int i = 0; i < n; i++) {
            bool minimal = true, dup = false, le = false, lt = false;
            for (int j = 0; j < n; j++) {
                minimal &= !gy_time_lt(&all[j], &all[i]);
                dup |= j < i && gy_time_eq(&all[j], &all[i]);
                le |= gy_time_le(&all[j], &all[i]);
                lt |= gy_time_lt(&all[j], &all[i]);
            }
            assert_int_equal(has(&a, &all[i]), minimal);
            want += minimal && !dup;
            /* Queries answer as a scan of everything inserted would. */
            assert_int_equal(gy_antichain_le(&a, &all[i]), le);
            assert_int_equal(gy_antichain_lt(&a, &all[i]), lt);
        }
        assert_int_equal(a.len, want);
        for (uint32_t i = 0; i < a.len; i++)
            for (uint32_t j = 0; j < a.len; j++)
                assert_true(i == j || !gy_time_le(&a.items[i], &a.items[j]));
        gy_antichain_destroy(&a);
    }
}

static void test_antichain_eq_copy_sort(void **state)
{
    (void)state;
    struct gy_antichain a, b;
    struct gy_time x = ts_time1(3, 0), y = ts_time1(1, 4), z = ts_time1(2, 2);

    gy_antichain_init(&a);
    gy_antichain_init(&b);
    assert_true(gy_antichain_eq(&a, &b));
    assert_int_equal(gy_antichain_insert(&a, &x), 1);
    assert_int_equal(gy_antichain_insert(&a, &y), 1);
    assert_int_equal(gy_antichain_insert(&a, &z), 1);
    assert_int_equal(gy_antichain_insert(&b, &z), 1);
    assert_int_equal(gy_antichain_insert(&b, &x), 1);
    assert_false(gy_antichain_eq(&a, &b));
    assert_int_equal(gy_antichain_insert(&b, &y), 1);
    assert_true(gy_antichain_eq(&a, &b));
    gy_antichain_sort(&a);
    assert_true(gy_time_eq(&a.items[0], &y));
    assert_true(gy_time_eq(&a.items[1], &z));
    assert_true(gy_time_eq(&a.items[2], &x));
    gy_antichain_clear(&b);
    assert_true(gy_antichain_is_empty(&b));
    assert_int_equal(gy_antichain_copy(&b, &a), 0);
    assert_true(gy_antichain_eq(&a, &b));
    gy_antichain_destroy(&a);
    gy_antichain_destroy(&b);
}

static void test_antichain_enomem(void **state)
{
    (void)state;
    struct gy_antichain a, b;
    struct gy_time x = ts_time1(3, 0), y = ts_time1(1, 4);

    gy_antichain_init(&a);
    gy_antichain_init(&b);
    assert_int_equal(gy_antichain_insert(&b, &x), 1);
    gy_alloc_fail_after(1);
    assert_int_equal(gy_antichain_insert(&a, &y), -ENOMEM);
    assert_int_equal(gy_antichain_copy(&a, &b), -ENOMEM);
    assert_int_equal(gy_alloc_fail_after(0), 0);
    assert_true(gy_antichain_is_empty(&a));
    /* The counter of successful allocations: one growth of a, none for the second copy. */
    assert_int_equal(gy_antichain_copy(&a, &b), 0);
    assert_int_equal(gy_antichain_copy(&a, &b), 0);
    assert_int_equal(gy_alloc_fail_after(0), 1);
    assert_true(gy_antichain_eq(&a, &b));
    gy_antichain_destroy(&a);
    gy_antichain_destroy(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_antichain_insert_basic),
        cmocka_unit_test(test_antichain_minimality),
        cmocka_unit_test(test_antichain_eq_copy_sort),
        cmocka_unit_test(test_antichain_enomem),
    };
    return cmocka_run_group_tests_name("antichain", tests, NULL, NULL);
}
