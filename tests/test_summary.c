/*
 * Tests for progress/summary: the primitive summaries on hand-computed
 * times, composition against applying one summary after the other on random
 * times, associativity, overflow, dominance and "advances" against pointwise
 * evaluation on a grid of times, and the antichain of minimal summaries
 * against a brute-force minimum.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "progress/alloc.h"
#include "progress/summary.h"
#include "progress/time.h"
#include "tests/support/rng.h"
#include "tests/support/times.h"

static uint64_t rng = 0x5eed5eedULL;

/* A random summary for sources of depth src, values in [0, range). */
static struct gy_summary rnd_summary(uint32_t src, uint32_t range)
{
    struct gy_summary s;
    uint32_t m;

    memset(&s, 0, sizeof(s));
    s.keep = (uint8_t)ts_rng_below(&rng, src + 1);
    m = ts_rng_below(&rng, GY_MAX_DEPTH - s.keep + 1);
    s.nappend = (uint8_t)m;
    s.epoch_add = ts_rng_below(&rng, range);
    for (uint32_t j = 0; j < s.keep; j++)
        s.add[j] = ts_rng_below(&rng, range);
    for (uint32_t j = 0; j < m; j++)
        s.append[j] = ts_rng_below(&rng, range);
    return s;
}

/* A random summary from depth src to exactly depth dst. */
static struct gy_summary rnd_summary_to(uint32_t src, uint32_t dst, uint32_t range)
{
    struct gy_summary s;
    uint32_t maxkeep = src < dst ? src : dst;

    memset(&s, 0, sizeof(s));
    s.keep = (uint8_t)ts_rng_below(&rng, maxkeep + 1);
    s.nappend = (uint8_t)(dst - s.keep);
    s.epoch_add = ts_rng_below(&rng, range);
    for (uint32_t j = 0; j < s.keep; j++)
        s.add[j] = ts_rng_below(&rng, range);
    for (uint32_t j = 0; j < s.nappend; j++)
        s.append[j] = ts_rng_below(&rng, range);
    return s;
}

static void assert_apply(const struct gy_summary *s, struct gy_time in, struct gy_time want)
{
    struct gy_time out;

    assert_true(gy_summary_apply(s, &in, &out));
    assert_true(gy_time_eq(&out, &want));
    for (uint32_t j = out.depth; j < GY_MAX_DEPTH; j++)
        assert_int_equal(out.iter[j], 0);
}

static void test_summary_primitives(void **state)
{
    (void)state;
    struct gy_summary id = gy_summary_identity(2), en = gy_summary_enter(1);
    struct gy_summary lv = gy_summary_leave(2), fb = gy_summary_feedback(2, 3);
    struct gy_summary ed = gy_summary_epoch_delay(1, 2);

    assert_apply(&id, ts_time(2, 3, 5, 7, 0), ts_time(2, 3, 5, 7, 0));
    assert_apply(&en, ts_time(1, 3, 5, 0, 0), ts_time(2, 3, 5, 0, 0));
    assert_apply(&lv, ts_time(2, 3, 5, 7, 0), ts_time(1, 3, 5, 0, 0));
    assert_apply(&fb, ts_time(2, 3, 5, 7, 0), ts_time(2, 3, 5, 10, 0));
    assert_apply(&ed, ts_time(1, 3, 5, 0, 0), ts_time(1, 5, 5, 0, 0));
    assert_int_equal(gy_summary_out_depth(&en), 2);
    assert_int_equal(gy_summary_out_depth(&lv), 1);
}

static void test_summary_compose_loops(void **state)
{
    (void)state;
    struct gy_summary en = gy_summary_enter(0), fb = gy_summary_feedback(1, 1);
    struct gy_summary lv = gy_summary_leave(1), a, b, id0 = gy_summary_identity(0);
    struct gy_summary reset = gy_summary_enter(0), en1 = gy_summary_enter(1);
    char buf[64];

    /* enter, feedback, leave: (e) -> (e, 0) -> (e, 1) -> (e), the identity at depth 0. */
    assert_true(gy_summary_compose(&en, &fb, &a));
    assert_true(gy_summary_compose(&a, &lv, &b));
    assert_true(gy_summary_eq(&b, &id0));
    /* leave then enter resets the loop coordinate to 0: keep 0, append (0). */
    assert_true(gy_summary_compose(&lv, &en, &a));
    assert_true(gy_summary_eq(&a, &reset));
    /* feedback, then enter a nested loop. */
    assert_true(gy_summary_compose(&fb, &en1, &a));
    gy_summary_format(&a, buf, sizeof(buf));
    assert_string_equal(buf, "keep 1 +(0,1) append(0)");
    assert_apply(&a, ts_time(1, 4, 6, 0, 0), ts_time(2, 4, 7, 0, 0));
    gy_summary_format(&id0, buf, sizeof(buf));
    assert_string_equal(buf, "keep 0 +(0)");
}

static void test_summary_compose_random(void **state)
{
    (void)state;
    int checked = 0;

    for (int k = 0; k < 20000; k++) {
        uint32_t d0 = ts_rng_below(&rng, GY_MAX_DEPTH + 1);
        struct gy_summary a = rnd_summary(d0, 4);
        struct gy_summary b = rnd_summary(gy_summary_out_depth(&a), 4), ab;
        struct gy_time t = ts_rand_time(&rng, d0, 10), u, v, w;
        assert_true(gy_summary_compose(&a, &b, &ab));
        assert_int_equal(gy_summary_out_depth(&ab), gy_summary_out_depth(&b));
        assert_true(gy_summary_apply(&a, &t, &u));
        assert_true(gy_summary_apply(&b, &u, &v));
        assert_true(gy_summary_apply(&ab, &t, &w));
        assert_true(gy_time_eq(&v, &w));
        checked++;
    }
    assert_int_equal(checked, 20000);
}

static void test_summary_compose_associative(void **state)
{
    (void)state;
    for (int k = 0; k < 20000; k++) {
        uint32_t d0 = ts_rng_below(&rng, GY_MAX_DEPTH + 1);
        struct gy_summary a = rnd_summary(d0, 5);
        struct gy_summary b = rnd_summary(gy_summary_out_depth(&a), 5);
        struct gy_summary c = rnd_summary(gy_summary_out_depth(&b), 5);
        struct gy_summary ab, bc, ab_c, a_bc;
        assert_true(gy_summary_compose(&a, &b, &ab));
        assert_true(gy_summary_compose(&b, &c, &bc));
        assert_true(gy_summary_compose(&ab, &c, &ab_c));
        assert_true(gy_summary_compose(&a, &bc, &a_bc));
        assert_true(gy_summary_eq(&ab_c, &a_bc));
    }
}

static void test_summary_overflow(void **state)
{
    (void)state;
    struct gy_summary ed = gy_summary_epoch_delay(0, 1), fb = gy_summary_feedback(1, 1);
    struct gy_summary big = gy_summary_feedback(1, UINT32_MAX), en = gy_summary_enter(0), r;
    struct gy_time t = gy_time_epoch(UINT64_MAX), u = ts_time(1, 0, UINT32_MAX, 0, 0), out;
    int defined = 0, overflowed = 0;

    assert_false(gy_summary_apply(&ed, &t, &out));
    assert_false(gy_summary_apply(&fb, &u, &out));
    assert_false(gy_summary_compose(&fb, &big, &r));
    en.append[0] = UINT32_MAX;
    assert_false(gy_summary_compose(&en, &fb, &r));
    ed.epoch_add = UINT64_MAX;
    assert_false(gy_summary_compose(&ed, &ed, &r));
    /* Near-limit random summaries: wherever the two steps are defined the
     * composite is too and agrees; where the composite overflows, the two
     * steps overflow even from the least time. */
    for (int k = 0; k < 20000; k++) {
        uint32_t d0 = 1 + ts_rng_below(&rng, GY_MAX_DEPTH);
        struct gy_summary a = rnd_summary(d0, 3), b = rnd_summary(gy_summary_out_depth(&a), 3);
        struct gy_time x = ts_rand_time(&rng, d0, 3), zero = gy_time_zero(d0), y, z, w;
        bool ok;
        if (a.keep)
            a.add[0] = UINT32_MAX - ts_rng_below(&rng, 3);
        if (b.keep)
            b.add[0] = UINT32_MAX - ts_rng_below(&rng, 3);
        ok = gy_summary_compose(&a, &b, &r);
        if (gy_summary_apply(&a, &x, &y) && gy_summary_apply(&b, &y, &z)) {
            assert_true(ok);
            assert_true(gy_summary_apply(&r, &x, &w));
            assert_true(gy_time_eq(&w, &z));
            defined++;
        }
        if (!ok) {
            assert_false(gy_summary_apply(&a, &zero, &y) && gy_summary_apply(&b, &y, &z));
            overflowed++;
        }
    }
    assert_true(defined > 1000);
    assert_true(overflowed > 1000);
}

/* Calls f on every time of the given depth with coordinates in {0, 1000}. */
static bool all_grid(uint32_t depth, bool (*f)(const struct gy_time *, const void *),
                     const void *ctx)
{
    for (uint32_t bits = 0; bits < (1u << (depth + 1)); bits++) {
        struct gy_time t = gy_time_zero(depth);
        t.epoch = bits & 1 ? 1000 : 0;
        for (uint32_t j = 0; j < depth; j++)
            t.iter[j] = bits & (2u << j) ? 1000 : 0;
        if (!f(&t, ctx))
            return false;
    }
    return true;
}

struct pair {
    const struct gy_summary *a, *b;
};

static bool pointwise_le(const struct gy_time *t, const void *ctx)
{
    const struct pair *p = ctx;
    struct gy_time x, y;

    assert_true(gy_summary_apply(p->a, t, &x));
    assert_true(gy_summary_apply(p->b, t, &y));
    return gy_time_le(&x, &y);
}

static bool not_below_source(const struct gy_time *t, const void *ctx)
{
    struct gy_time x;

    assert_true(gy_summary_apply(ctx, t, &x));
    return !gy_time_le(&x, t);
}

static void test_summary_dominance(void **state)
{
    (void)state;
    int le_true = 0, le_false = 0;
    struct gy_summary id1 = gy_summary_identity(1), fb = gy_summary_feedback(1, 1);
    struct gy_summary reset = gy_summary_enter(0);

    assert_true(gy_summary_le(&id1, &fb));
    assert_false(gy_summary_le(&fb, &id1));
    /* From depth 1, "reset to 0" is below the identity, never above. */
    assert_true(gy_summary_le(&reset, &id1));
    assert_false(gy_summary_le(&id1, &reset));
    for (int k = 0; k < 20000; k++) {
        uint32_t src = ts_rng_below(&rng, GY_MAX_DEPTH + 1);
        uint32_t dst = ts_rng_below(&rng, GY_MAX_DEPTH + 1);
        struct gy_summary a = rnd_summary_to(src, dst, 3), b = rnd_summary_to(src, dst, 3);
        struct pair p = {&a, &b};
        bool le = gy_summary_le(&a, &b);
        assert_int_equal(le, all_grid(src, pointwise_le, &p));
        assert_int_equal(gy_summary_eq(&a, &b), le && gy_summary_le(&b, &a));
        le ? le_true++ : le_false++;
    }
    /* Both outcomes are exercised. */
    assert_true(le_true > 1000);
    assert_true(le_false > 1000);
}

static void test_summary_advances(void **state)
{
    (void)state;
    int yes = 0, no = 0;
    struct gy_summary fb0 = gy_summary_feedback(2, 0), fb1 = gy_summary_feedback(2, 1);
    struct gy_summary ed = gy_summary_epoch_delay(0, 1), id = gy_summary_identity(0);

    assert_false(gy_summary_advances(&fb0));
    assert_true(gy_summary_advances(&fb1));
    assert_true(gy_summary_advances(&ed));
    assert_false(gy_summary_advances(&id));
    for (int k = 0; k < 20000; k++) {
        uint32_t d = ts_rng_below(&rng, GY_MAX_DEPTH + 1);
        struct gy_summary s = rnd_summary_to(d, d, 2);
        bool adv = gy_summary_advances(&s);
        assert_int_equal(adv, all_grid(d, not_below_source, &s));
        adv ? yes++ : no++;
    }
    assert_true(yes > 1000);
    assert_true(no > 1000);
}

/* Brute force: is s minimal among items[0..n) (no other, different item below it)? */
static bool minimal_in(const struct gy_summary *s, const struct gy_summary *items, int n)
{
    for (int i = 0; i < n; i++)
        if (!gy_summary_eq(&items[i], s) && gy_summary_le(&items[i], s))
            return false;
    return true;
}

static void test_summary_antichain(void **state)
{
    (void)state;
    for (int round = 0; round < 500; round++) {
        struct gy_summaries a;
        struct gy_summary all[40];
        uint32_t src = ts_rng_below(&rng, GY_MAX_DEPTH + 1);
        uint32_t dst = ts_rng_below(&rng, GY_MAX_DEPTH + 1);
        int n = 1 + (int)ts_rng_below(&rng, 40), want = 0;
        gy_summaries_init(&a);
        for (int i = 0; i < n; i++) {
            all[i] = rnd_summary_to(src, dst, 3);
            assert_true(gy_summaries_insert(&a, &all[i]) >= 0);
        }
        /* Exactly the distinct minimal elements, each once. */
        for (int i = 0; i < n; i++) {
            bool dup = false;
            for (int j = 0; j < i; j++)
                dup |= gy_summary_eq(&all[j], &all[i]);
            if (!dup && minimal_in(&all[i], all, n)) {
                int found = 0;
                want++;
                for (uint32_t j = 0; j < a.len; j++)
                    found += gy_summary_eq(&a.items[j], &all[i]);
                assert_int_equal(found, 1);
            }
        }
        assert_int_equal(a.len, want);
        gy_summaries_destroy(&a);
    }
}

static void test_summary_antichain_ops(void **state)
{
    (void)state;
    struct gy_summaries a, b;
    struct gy_summary id = gy_summary_identity(1), fb = gy_summary_feedback(1, 1);
    struct gy_summary reset = gy_summary_enter(0);

    gy_summaries_init(&a);
    gy_summaries_init(&b);
    assert_int_equal(gy_summaries_insert(&a, &fb), 1);
    assert_int_equal(gy_summaries_insert(&a, &fb), 0);
    assert_int_equal(gy_summaries_insert(&a, &id), 1); /* evicts fb */
    assert_int_equal(a.len, 1);
    assert_int_equal(gy_summaries_insert(&a, &fb), 0);
    assert_int_equal(gy_summaries_insert(&a, &reset), 1); /* evicts id */
    assert_int_equal(a.len, 1);
    assert_true(gy_summary_eq(&a.items[0], &reset));
    assert_int_equal(gy_summaries_copy(&b, &a), 0);
    assert_int_equal(b.len, 1);
    assert_true(gy_summary_eq(&b.items[0], &reset));
    /* A failed allocation leaves the antichain as it was. */
    gy_summaries_destroy(&a);
    gy_alloc_fail_after(1);
    assert_int_equal(gy_summaries_insert(&a, &id), -ENOMEM);
    assert_int_equal(gy_summaries_copy(&a, &b), -ENOMEM);
    gy_alloc_fail_after(0);
    assert_int_equal(a.len, 0);
    gy_summaries_destroy(&a);
    gy_summaries_destroy(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_summary_primitives),
        cmocka_unit_test(test_summary_compose_loops),
        cmocka_unit_test(test_summary_compose_random),
        cmocka_unit_test(test_summary_compose_associative),
        cmocka_unit_test(test_summary_overflow),
        cmocka_unit_test(test_summary_dominance),
        cmocka_unit_test(test_summary_advances),
        cmocka_unit_test(test_summary_antichain),
        cmocka_unit_test(test_summary_antichain_ops),
    };
    return cmocka_run_group_tests_name("summary", tests, NULL, NULL);
}
