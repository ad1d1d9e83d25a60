/*
 * Tests for graph/idmap.h against a brute-force oracle (a sorted array of
 * (id, first position) pairs), with extreme ids, and with allocation failures
 * injected at every step of growth.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "graph/idmap.h"
#include "progress/alloc.h"
#include "tests/support/rows.h"

/* xorshift64*: the test's own random source, independent of the code under test. */
static uint64_t rng_next(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 0x2545f4914f6cdd1dull;
}

/*
 * A stream of n ids drawn from a pool of `pool` distinct values that includes
 * 0, 1, UINT64_MAX, UINT64_MAX - 1, a run of small consecutive ids (which a
 * weak hash would cluster) and random 64-bit values.
 */
static uint64_t *make_stream(size_t n, size_t pool, uint64_t seed)
{
    uint64_t *vals = malloc(pool * sizeof(*vals)), *ids = malloc(n * sizeof(*ids));
    uint64_t s = seed;

    assert_non_null(vals);
    assert_non_null(ids);
    for (size_t i = 0; i < pool; i++)
        vals[i] = i < pool / 4 ? (uint64_t)i << 20 : rng_next(&s);
    vals[0] = 0;
    vals[1] = UINT64_MAX;
    vals[2] = UINT64_MAX - 1;
    vals[3] = 1;
    for (size_t i = 0; i < n; i++)
        ids[i] = vals[rng_next(&s) % pool];
    ids[n / 2] = UINT64_MAX; /* make sure the extremes appear */
    ids[n / 3] = 0;
    free(vals);
    return ids;
}

struct pair {
    uint64_t id;
    size_t pos; /* first position in the stream */
};

static int cmp_pair(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;

    if (x->id != y->id)
        return (x->id > y->id) - (x->id < y->id);
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static int cmp_pos(const void *a, const void *b)
{
    const struct pair *x = a, *y = b;

    return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Oracle: the distinct ids in order of first appearance; returns how many. */
static size_t first_order(const uint64_t *ids, size_t n, struct pair *out)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        out[i] = (struct pair){ids[i], i};
    qsort(out, n, sizeof(*out), cmp_pair);
    for (size_t i = 0; i < n; i++)
        if (i == 0 || out[i].id != out[i - 1].id)
            out[k++] = out[i];
    qsort(out, k, sizeof(*out), cmp_pos);
    return k;
}

/* Checks every mapping in the map against the oracle's first `k` distinct ids. */
static void check_against(const gy_idmap_t *map, const struct pair *order, size_t k)
{
    uint32_t d;

    assert_int_equal(gy_idmap_count(map), k);
    for (size_t i = 0; i < k; i++) {
        assert_true(gy_idmap_find(map, order[i].id, &d));
        assert_int_equal(d, i);
        assert_int_equal(gy_idmap_orig(map, (uint32_t)i), order[i].id);
        assert_int_equal(gy_idmap_origs(map)[i], order[i].id);
    }
}

static void test_idmap_vs_sorted(void **state)
{
    const size_t n = 200000, pool = 50000;
    uint64_t *ids = make_stream(n, pool, 42), *uniq, s = 99;
    struct pair *order = malloc(n * sizeof(*order));
    gy_idmap_t *map = gy_idmap_new(0);
    size_t k, inserted = 0;
    uint32_t d;

    (void)state;
    assert_non_null(order);
    assert_non_null(map);
    k = first_order(ids, n, order);
    for (size_t i = 0; i < n; i++) {
        int rc = gy_idmap_map(map, ids[i], &d);
        assert_true(rc == 0 || rc == 1);
        inserted += (size_t)rc;
        assert_int_equal(gy_idmap_orig(map, d), ids[i]);
    }
    assert_int_equal(inserted, k);
    check_against(map, order, k);
    /* Random ids are found exactly when the sorted array of stream ids holds them. */
    uniq = malloc(k * sizeof(*uniq));
    assert_non_null(uniq);
    for (size_t i = 0; i < k; i++)
        uniq[i] = order[i].id;
    qsort(uniq, k, sizeof(*uniq), ts_cmp_u64);
    for (int t = 0; t < 200000; t++) {
        /* Half the probes are stream ids, half random (almost surely absent). */
        uint64_t key = t % 2 ? rng_next(&s) : ids[rng_next(&s) % n];
        bool present = bsearch(&key, uniq, k, sizeof(*uniq), ts_cmp_u64) != NULL;
        assert_int_equal(gy_idmap_find(map, key, &d), present);
    }
    gy_idmap_free(map);
    free(uniq);
    free(order);
    free(ids);
}

static void test_idmap_extremes(void **state)
{
    gy_idmap_t *map = gy_idmap_new(4);
    uint32_t d = 77;

    (void)state;
    assert_non_null(map);
    assert_false(gy_idmap_find(map, 0, &d));
    assert_false(gy_idmap_find(map, UINT64_MAX, &d));
    assert_int_equal(d, 77);
    assert_int_equal(gy_idmap_map(map, UINT64_MAX, &d), 1);
    assert_int_equal(d, 0);
    assert_int_equal(gy_idmap_map(map, 0, &d), 1);
    assert_int_equal(d, 1);
    assert_int_equal(gy_idmap_map(map, UINT64_MAX, &d), 0);
    assert_int_equal(d, 0);
    assert_int_equal(gy_idmap_map(map, 0, &d), 0);
    assert_int_equal(d, 1);
    assert_int_equal(gy_idmap_orig(map, 0), UINT64_MAX);
    assert_int_equal(gy_idmap_orig(map, 1), 0);
    assert_int_equal(gy_idmap_count(map), 2);
    gy_idmap_free(map);
    gy_idmap_free(NULL);
}

/* Mapping up to the size hint allocates nothing: it works with allocation switched off. */
static void test_idmap_hint_preallocates(void **state)
{
    gy_idmap_t *map = gy_idmap_new(10000);
    size_t count;
    uint32_t d;
    int rc;

    (void)state;
    assert_non_null(map);
    gy_alloc_fail_after(1);
    for (uint64_t i = 0; i < 10000; i++) {
        assert_int_equal(gy_idmap_map(map, i * 7919, &d), 1);
        assert_int_equal(d, i);
    }
    /* Past the hint (rounded up to the allocation sizes) growth must allocate, and fails. */
    while ((rc = gy_idmap_map(map, UINT64_MAX - gy_idmap_count(map), &d)) == 1)
        assert_true(gy_idmap_count(map) < 40000);
    assert_int_equal(rc, -ENOMEM);
    gy_alloc_fail_after(0);
    count = gy_idmap_count(map);
    assert_int_equal(gy_idmap_map(map, UINT64_MAX - count, &d), 1);
    assert_int_equal(d, count);
    gy_idmap_free(map);
}

/*
 * Fails allocation number `fail_at` while mapping the stream: the failing
 * insert returns -ENOMEM and leaves the map exactly as it was; after
 * injection is switched off the rest of the stream maps as if nothing happened.
 * Returns false once fail_at lies beyond every allocation the run makes.
 */
static bool run_with_failure(long fail_at, const uint64_t *ids, size_t n,
                             const struct pair *order, size_t k)
{
    gy_idmap_t *map;
    size_t i = 0, before = 0;
    bool failed = false;
    uint32_t d;
    int rc = 0;

    gy_alloc_fail_after(fail_at);
    map = gy_idmap_new(0);
    if (map == NULL) {
        gy_alloc_fail_after(0);
        return true;
    }
    for (; i < n && rc >= 0; i++) {
        before = gy_idmap_count(map);
        rc = gy_idmap_map(map, ids[i], &d);
    }
    gy_alloc_fail_after(0);
    if (rc < 0) {
        failed = true;
        assert_int_equal(rc, -ENOMEM);
        assert_int_equal(gy_idmap_count(map), before);
        assert_false(gy_idmap_find(map, ids[i - 1], &d));
        check_against(map, order, before);
        i--; /* retry the failed id */
    }
    for (; i < n; i++)
        assert_true(gy_idmap_map(map, ids[i], &d) >= 0);
    check_against(map, order, k);
    gy_idmap_free(map);
    return failed;
}

static void test_idmap_growth_failure(void **state)
{
    const size_t n = 20000;
    uint64_t *ids = make_stream(n, 8000, 5);
    struct pair *order = malloc(n * sizeof(*order));
    size_t k;
    long fail_at = 1, failures = 0;

    (void)state;
    assert_non_null(order);
    k = first_order(ids, n, order);
    while (run_with_failure(fail_at, ids, n, order, k)) {
        failures++;
        fail_at++;
    }
    /* new() makes 2 allocations; each doubling of the table or of the reverse
     * array is one more: about log2(k / 16) + log2(k / 4) of them. */
    assert_true(failures >= 20);
    free(order);
    free(ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idmap_vs_sorted),
        cmocka_unit_test(test_idmap_extremes),
        cmocka_unit_test(test_idmap_hint_preallocates),
        cmocka_unit_test(test_idmap_growth_failure),
    };

    return cmocka_run_group_tests_name("idmap", tests, NULL, NULL);
}
