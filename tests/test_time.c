/*
 * Tests for progress/time: the lexicographic order against the product
 * order, join and meet against coordinate-wise brute force, hashing of equal
 * times with different padding, and formatting.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "progress/time.h"
#include "tests/support/rng.h"
#include "tests/support/times.h"

static uint64_t rng = 0x1234abcdULL;

static void test_time_constructors(void **state)
{
    (void)state;
    struct gy_time e = gy_time_epoch(7), z = gy_time_zero(3);

    assert_int_equal(e.epoch, 7);
    assert_int_equal(e.depth, 0);
    assert_int_equal(z.epoch, 0);
    assert_int_equal(z.depth, 3);
    for (uint32_t j = 0; j < GY_MAX_DEPTH; j++)
        assert_int_equal(z.iter[j], 0);
    z.iter[1] = 9;
    assert_int_equal(gy_time_coord(&z, 0), 0);
    assert_int_equal(gy_time_coord(&z, 2), 9);
}

static void test_time_partial_order(void **state)
{
    (void)state;
    struct gy_time a = ts_time(2, 1, 0, 5, 0), b = ts_time(2, 1, 1, 5, 0);
    struct gy_time c = ts_time(2, 0, 2, 6, 0);

    assert_true(gy_time_le(&a, &b));
    assert_true(gy_time_lt(&a, &b));
    assert_false(gy_time_le(&b, &a));
    assert_true(gy_time_le(&a, &a));
    assert_false(gy_time_lt(&a, &a));
    /* b and c are incomparable: epoch says c < b, iter[0] says b < c. */
    assert_false(gy_time_le(&b, &c));
    assert_false(gy_time_le(&c, &b));
}

/* Brute force: the lexicographic comparison of coordinate lists, shorter prefix first. */
static int lex_oracle(const struct gy_time *a, const struct gy_time *b)
{
    uint64_t ca[GY_MAX_DEPTH + 1], cb[GY_MAX_DEPTH + 1];
    uint32_t na = a->depth + 1, nb = b->depth + 1;

    for (uint32_t j = 0; j < na; j++)
        ca[j] = gy_time_coord(a, j);
    for (uint32_t j = 0; j < nb; j++)
        cb[j] = gy_time_coord(b, j);
    for (uint32_t j = 0; j < na && j < nb; j++)
        if (ca[j] != cb[j])
            return ca[j] < cb[j] ? -1 : 1;
    return na == nb ? 0 : (na < nb ? -1 : 1);
}

static int sign(int x)
{
    return (x > 0) - (x < 0);
}

static void test_time_cmp_total_order(void **state)
{
    (void)state;
    struct gy_time a2 = ts_time(2, 3, 1, 0, 0), a1 = ts_time(1, 3, 1, 0, 0);

    /* Shorter prefix first. */
    assert_true(gy_time_cmp(&a1, &a2) < 0);
    assert_true(gy_time_cmp(&a2, &a1) > 0);
    for (int k = 0; k < 20000; k++) {
        uint32_t da = ts_rng_below(&rng, GY_MAX_DEPTH + 1);
        uint32_t db = ts_rng_below(&rng, 2) ? da : ts_rng_below(&rng, GY_MAX_DEPTH + 1);
        struct gy_time a = ts_rand_time(&rng, da, 3), b = ts_rand_time(&rng, db, 3);
        int c = gy_time_cmp(&a, &b);
        assert_int_equal(sign(c), lex_oracle(&a, &b));
        assert_int_equal(sign(gy_time_cmp(&b, &a)), -sign(c));
        assert_int_equal(c == 0, gy_time_eq(&a, &b));
        /* The total order extends the partial order. */
        if (da == db && gy_time_le(&a, &b))
            assert_true(c <= 0);
    }
}

static void test_time_join_meet(void **state)
{
    (void)state;
    for (int k = 0; k < 20000; k++) {
        uint32_t d = ts_rng_below(&rng, GY_MAX_DEPTH + 1);
        struct gy_time a = ts_rand_time(&rng, d, 4), b = ts_rand_time(&rng, d, 4);
        struct gy_time j = gy_time_join(&a, &b), m = gy_time_meet(&a, &b);
        assert_int_equal(j.depth, d);
        assert_int_equal(m.depth, d);
        for (uint32_t c = 0; c <= d; c++) {
            uint64_t x = gy_time_coord(&a, c), y = gy_time_coord(&b, c);
            assert_int_equal(gy_time_coord(&j, c), x > y ? x : y);
            assert_int_equal(gy_time_coord(&m, c), x < y ? x : y);
        }
        for (uint32_t c = d; c < GY_MAX_DEPTH; c++) {
            assert_int_equal(j.iter[c], 0);
            assert_int_equal(m.iter[c], 0);
        }
        /* Lattice laws: a <= b iff join is b iff meet is a. */
        assert_int_equal(gy_time_le(&a, &b), gy_time_eq(&j, &b));
        assert_int_equal(gy_time_le(&a, &b), gy_time_eq(&m, &a));
        assert_true(gy_time_le(&a, &j) && gy_time_le(&b, &j));
        assert_true(gy_time_le(&m, &a) && gy_time_le(&m, &b));
    }
}

static void test_time_hash(void **state)
{
    (void)state;
    struct gy_time a, b;
    uint64_t seen[64];
    int distinct = 0;

    /* Equal fields, different padding bytes: equal hashes. */
    memset(&a, 0xAB, sizeof(a));
    memset(&b, 0x11, sizeof(b));
    a.epoch = b.epoch = 5;
    a.depth = b.depth = 2;
    a.iter[0] = b.iter[0] = 1;
    a.iter[1] = b.iter[1] = 2;
    a.iter[2] = a.iter[3] = b.iter[2] = b.iter[3] = 0;
    assert_true(gy_time_eq(&a, &b));
    assert_int_equal(gy_time_hash(&a), gy_time_hash(&b));
    /* 64 distinct small times get 64 distinct hashes (no collision expected at all). */
    for (uint32_t e = 0; e < 4; e++) {
        for (uint32_t i = 0; i < 4; i++) {
            for (uint32_t d = 1; d <= 4; d++) {
                struct gy_time t = gy_time_zero(d);
                uint64_t h;
                t.epoch = e;
                t.iter[0] = i;
                h = gy_time_hash(&t);
                for (int k = 0; k < distinct; k++)
                    assert_true(seen[k] != h);
                seen[distinct++] = h;
            }
        }
    }
    assert_int_equal(distinct, 64);
}

static void test_time_format(void **state)
{
    (void)state;
    char buf[128];
    struct gy_time t = ts_time(3, 12, 0, 7, 4294967295u);
    struct gy_time e = gy_time_epoch(18446744073709551615ULL);
    char small[6];

    assert_int_equal(gy_time_format(&t, buf, sizeof(buf)), (int)strlen("(12, 0, 7, 4294967295)"));
    assert_string_equal(buf, "(12, 0, 7, 4294967295)");
    gy_time_format(&e, buf, sizeof(buf));
    assert_string_equal(buf, "(18446744073709551615)");
    /* Truncation keeps the terminator and reports the full length. */
    assert_int_equal(gy_time_format(&t, small, sizeof(small)), 22);
    assert_string_equal(small, "(12, ");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time_constructors),
        cmocka_unit_test(test_time_partial_order),
        cmocka_unit_test(test_time_cmp_total_order),
        cmocka_unit_test(test_time_join_meet),
        cmocka_unit_test(test_time_hash),
        cmocka_unit_test(test_time_format),
    };
    return cmocka_run_group_tests_name("time", tests, NULL, NULL);
}
