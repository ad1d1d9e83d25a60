/*
 * Tests for graph/gen.h: partition invariance of the counter-based streams,
 * seed sensitivity, R-MAT quadrant frequencies against the Graph500
 * parameters and its degree skew, the id scramble being a bijection, G(n, m)
 * uniformity and its distinct-edge count against the occupancy formula, and
 * the spec parser.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "graph/gen.h"
#include "tests/support/rows.h"

static struct gy_edge *gen_all(const struct gy_gen_spec *spec)
{
    uint64_t m = gy_gen_count(spec);
    struct gy_edge *e = malloc((m ? m : 1) * sizeof(*e));

    assert_non_null(e);
    assert_int_equal(gy_gen_range(spec, 0, m, e), 0);
    return e;
}

/* Generates spec's stream as `parts` ranges (in reverse order) and compares with whole. */
static void check_parts(const struct gy_gen_spec *spec, const struct gy_edge *whole,
                        uint64_t parts)
{
    uint64_t m = gy_gen_count(spec), covered = 0;
    struct gy_edge *e = malloc((m ? m : 1) * sizeof(*e));

    assert_non_null(e);
    memset(e, 0xa5, m * sizeof(*e));
    for (uint64_t k = parts; k-- > 0;) {
        uint64_t first, count;
        gy_gen_partition(m, parts, k, &first, &count);
        assert_int_equal(gy_gen_range(spec, first, count, e + first), 0);
        covered += count;
    }
    assert_int_equal(covered, m);
    assert_memory_equal(e, whole, m * sizeof(*e));
    free(e);
}

static void check_invariance(const struct gy_gen_spec *spec)
{
    static const uint64_t parts[] = {1, 2, 3, 7, 64, 1000};
    struct gy_edge *whole = gen_all(spec);
    struct gy_edge one;
    uint64_t m = gy_gen_count(spec);

    for (size_t p = 0; p < sizeof(parts) / sizeof(parts[0]); p++)
        check_parts(spec, whole, parts[p]);
    /* Single edges from anywhere, in random order, match too. */
    srand(7);
    for (int k = 0; k < 1000; k++) {
        uint64_t i = (uint64_t)rand() % m;
        gy_gen_edge(spec, i, &one);
        assert_memory_equal(&one, &whole[i], sizeof(one));
        assert_int_equal(one.sign, 1);
        assert_int_equal(one.time, 0);
    }
    assert_int_equal(gy_gen_range(spec, m, 0, &one), 0);
    assert_int_equal(gy_gen_range(spec, m - 1, 2, &one), -ERANGE);
    assert_int_equal(gy_gen_range(spec, UINT64_MAX, 1, &one), -ERANGE);
    free(whole);
}

static void test_gen_partition_invariance(void **state)
{
    struct gy_gen_spec spec;

    (void)state;
    assert_int_equal(gy_gen_rmat(&spec, 10, 16, 5), 0);
    check_invariance(&spec);
    assert_int_equal(gy_gen_er(&spec, 1000, 20000, 5), 0);
    check_invariance(&spec);
}

static void test_gen_partition_bounds(void **state)
{
    uint64_t first, count, next = 0;

    (void)state;
    for (uint64_t parts = 1; parts <= 9; parts++) {
        next = 0;
        for (uint64_t k = 0; k < parts; k++) {
            gy_gen_partition(100, parts, k, &first, &count);
            assert_int_equal(first, next);
            assert_true(count == 100 / parts || count == 100 / parts + 1);
            next = first + count;
        }
        assert_int_equal(next, 100);
    }
    gy_gen_partition(3, 5, 4, &first, &count);
    assert_int_equal(first, 3);
    assert_int_equal(count, 0);
}

/* Fraction of positions where two streams of equal length hold the same edge. */
static double same_fraction(const struct gy_gen_spec *a, const struct gy_gen_spec *b)
{
    struct gy_edge *ea = gen_all(a), *eb = gen_all(b);
    uint64_t m = gy_gen_count(a), same = 0;

    for (uint64_t i = 0; i < m; i++)
        same += ea[i].u == eb[i].u && ea[i].v == eb[i].v;
    free(ea);
    free(eb);
    return (double)same / (double)m;
}

static void test_gen_seeds_differ(void **state)
{
    struct gy_gen_spec a, b;

    (void)state;
    assert_int_equal(gy_gen_rmat(&a, 12, 16, 1), 0);
    assert_int_equal(gy_gen_rmat(&b, 12, 16, 1), 0);
    assert_true(same_fraction(&a, &b) == 1.0);
    assert_int_equal(gy_gen_rmat(&b, 12, 16, 2), 0);
    /* Two independent R-MAT edges coincide with probability sum p_cell^2 = 0.3996^12 ~ 2e-5. */
    assert_true(same_fraction(&a, &b) < 0.001);
    assert_int_equal(gy_gen_er(&a, 5000, 50000, 1), 0);
    assert_int_equal(gy_gen_er(&b, 5000, 50000, 2), 0);
    assert_true(same_fraction(&a, &b) < 0.001);
}

/*
 * Quadrant counts of one R-MAT level: quadrant index 2 * ubit + vbit, so
 * 0 = a (top left), 1 = b (top right), 2 = c (bottom left), 3 = d.
 */
static void count_level(const struct gy_edge *e, uint64_t m, uint32_t bit, uint64_t q[4])
{
    for (uint64_t i = 0; i < m; i++)
        q[((e[i].u >> bit) & 1) * 2 + ((e[i].v >> bit) & 1)]++;
}

static void test_gen_rmat_quadrants(void **state)
{
    const double want[4] = {0.57, 0.19, 0.19, 0.05}; /* Graph500 a, b, c, d */
    struct gy_gen_spec spec;
    struct gy_edge *e;
    uint64_t top[4] = {0}, all[4] = {0}, m;

    (void)state;
    assert_int_equal(gy_gen_rmat(&spec, 16, 16, 11), 0);
    spec.scramble = false;
    m = gy_gen_count(&spec);
    assert_true(m >= 1000000);
    e = gen_all(&spec);
    count_level(e, m, 15, top);
    for (uint32_t bit = 0; bit < 16; bit++)
        count_level(e, m, bit, all);
    for (int q = 0; q < 4; q++) {
        double ft = (double)top[q] / (double)m, fa = (double)all[q] / (double)(16 * m);
        /* Binomial sd at 1e6 samples is at most 5e-4: 6 sd for the top level,
         * tighter for the 16x larger pool of all levels. */
        assert_true(fabs(ft - want[q]) < 0.003);
        assert_true(fabs(fa - want[q]) < 0.001);
    }
    for (uint64_t i = 0; i < m; i++)
        assert_true(e[i].u < spec.n && e[i].v < spec.n);
    free(e);
}

static uint64_t *degrees(const struct gy_gen_spec *spec)
{
    struct gy_edge *e = gen_all(spec);
    uint64_t *deg = calloc(spec->n, sizeof(*deg));

    assert_non_null(deg);
    for (uint64_t i = 0; i < spec->m; i++) {
        assert_true(e[i].u < spec->n && e[i].v < spec->n);
        deg[e[i].u]++;
        deg[e[i].v]++;
    }
    free(e);
    return deg;
}

static uint64_t max_of(const uint64_t *x, uint64_t n)
{
    uint64_t mx = 0;

    for (uint64_t i = 0; i < n; i++)
        mx = x[i] > mx ? x[i] : mx;
    return mx;
}

static void test_gen_rmat_degree_skew(void **state)
{
    struct gy_gen_spec rmat, er;
    uint64_t *drm, *der;
    double mean;

    (void)state;
    assert_int_equal(gy_gen_rmat(&rmat, 14, 16, 3), 0);
    assert_int_equal(gy_gen_er(&er, rmat.n, rmat.m, 3), 0);
    mean = 2.0 * (double)rmat.m / (double)rmat.n;
    drm = degrees(&rmat);
    der = degrees(&er);
    /* R-MAT's hub has ~ 2m * (a + b)^scale = 2m * 0.76^14 ~ 11000 endpoints: far above the mean. */
    assert_true((double)max_of(drm, rmat.n) > 20.0 * mean);
    /* The same n and m uniformly: Poisson(32), whose max over 16384 draws stays below 3x. */
    assert_true((double)max_of(der, er.n) < 3.0 * mean);
    free(drm);
    free(der);
}

/* A bijective relabelling keeps the degree multiset; a non-bijective one would merge degrees. */
static void test_gen_rmat_scramble_bijective(void **state)
{
    struct gy_gen_spec plain, scrambled;
    uint64_t *dp, *ds, moved = 0;
    struct gy_edge a, b;

    (void)state;
    assert_int_equal(gy_gen_rmat(&scrambled, 12, 8, 9), 0);
    plain = scrambled;
    plain.scramble = false;
    dp = degrees(&plain);
    ds = degrees(&scrambled);
    for (uint64_t i = 0; i < 1000; i++) {
        gy_gen_edge(&plain, i, &a);
        gy_gen_edge(&scrambled, i, &b);
        moved += a.u != b.u;
    }
    assert_true(moved > 900);
    qsort(dp, plain.n, sizeof(*dp), ts_cmp_u64);
    qsort(ds, plain.n, sizeof(*ds), ts_cmp_u64);
    assert_memory_equal(dp, ds, plain.n * sizeof(*dp));
    free(dp);
    free(ds);
}

/* Endpoint counts of G(n, m) against the uniform distribution: a chi-square test. */
static void test_gen_er_uniform(void **state)
{
    struct gy_gen_spec spec;
    uint64_t *deg;
    double expect, chi2 = 0, dof;

    (void)state;
    assert_int_equal(gy_gen_er(&spec, 1000, 200000, 17), 0);
    deg = degrees(&spec); /* also checks every id < n */
    expect = 2.0 * (double)spec.m / (double)spec.n;
    for (uint64_t x = 0; x < spec.n; x++)
        chi2 += ((double)deg[x] - expect) * ((double)deg[x] - expect) / expect;
    /* chi2 with n - 1 dof has mean n - 1 and sd sqrt(2 (n - 1)) ~ 44.7: allow 6 sd each way. */
    dof = (double)(spec.n - 1);
    assert_true(chi2 < dof + 6 * sqrt(2 * dof));
    assert_true(chi2 > dof - 6 * sqrt(2 * dof));
    free(deg);
}

static void test_gen_er_distinct_edges(void **state)
{
    struct gy_gen_spec spec;
    struct gy_edge *e;
    uint64_t *keys, distinct = 0;
    double pairs, expect, sd, lambda;

    (void)state;
    assert_int_equal(gy_gen_er(&spec, 1000, 500000, 23), 0);
    e = gen_all(&spec);
    keys = malloc(spec.m * sizeof(*keys));
    assert_non_null(keys);
    for (uint64_t i = 0; i < spec.m; i++) {
        uint64_t lo = e[i].u < e[i].v ? e[i].u : e[i].v, hi = e[i].u ^ e[i].v ^ lo;
        assert_true(e[i].u != e[i].v); /* no self-loops */
        keys[i] = lo * spec.n + hi;
    }
    qsort(keys, spec.m, sizeof(*keys), ts_cmp_u64);
    for (uint64_t i = 0; i < spec.m; i++)
        distinct += i == 0 || keys[i] != keys[i - 1];
    /* m draws with replacement from N unordered pairs hit N (1 - (1 - 1/N)^m) distinct
     * ones; occupancy variance ~ N e^-l (1 - (1 + l) e^-l), l = m / N. */
    pairs = (double)spec.n * (double)(spec.n - 1) / 2;
    expect = -pairs * expm1((double)spec.m * log1p(-1.0 / pairs));
    lambda = (double)spec.m / pairs;
    sd = sqrt(pairs * exp(-lambda) * (1 - (1 + lambda) * exp(-lambda)));
    assert_true(fabs((double)distinct - expect) < 6 * sd);
    free(keys);
    free(e);
}

static void test_gen_parse_valid(void **state)
{
    struct gy_gen_spec s;
    char err[128];

    (void)state;
    assert_int_equal(gy_gen_parse_spec("rmat:20", &s, err, sizeof(err)), 0);
    assert_int_equal(s.kind, GY_GEN_RMAT);
    assert_int_equal(s.scale, 20);
    assert_int_equal(s.n, 1u << 20);
    assert_int_equal(s.m, 16u << 20);
    assert_int_equal(s.seed, 1);
    assert_true(s.scramble);
    assert_int_equal(gy_gen_parse_spec("rmat:5:8:42", &s, err, sizeof(err)), 0);
    assert_int_equal(s.n, 32);
    assert_int_equal(s.m, 256);
    assert_int_equal(s.seed, 42);
    assert_int_equal(gy_gen_parse_spec("rmat:62:3", &s, NULL, 0), 0);
    assert_int_equal(s.m, UINT64_C(3) << 62);
    assert_int_equal(gy_gen_parse_spec("er:100:200", &s, err, sizeof(err)), 0);
    assert_int_equal(s.kind, GY_GEN_ER);
    assert_int_equal(s.n, 100);
    assert_int_equal(s.m, 200);
    assert_int_equal(s.seed, 1);
    assert_int_equal(gy_gen_parse_spec("er:100:0:18446744073709551615", &s, err, sizeof(err)),
                     0);
    assert_int_equal(s.seed, UINT64_MAX);
    assert_int_equal(gy_gen_count(&s), 0);
    assert_int_equal(gy_gen_parse_spec("er:0:0", &s, err, sizeof(err)), 0);
}

static void expect_bad(const char *text, const char *needle)
{
    struct gy_gen_spec s;
    char err[160] = "";

    assert_int_equal(gy_gen_parse_spec(text, &s, err, sizeof(err)), -EINVAL);
    assert_true(strlen(err) > 0 && strchr(err, '\n') == NULL);
    if (strstr(err, needle) == NULL)
        fail_msg("spec '%s': error '%s' lacks '%s'", text, err, needle);
    assert_int_equal(gy_gen_parse_spec(text, &s, NULL, 0), -EINVAL);
}

static void test_gen_parse_errors(void **state)
{
    (void)state;
    expect_bad("", "unknown generator");
    expect_bad("rmat", "unknown generator");
    expect_bad("kron:10", "unknown generator");
    expect_bad("rmat:", "SCALE");
    expect_bad("rmat:x", "SCALE");
    expect_bad("rmat:-3", "SCALE");
    expect_bad("rmat:0", "out of range");
    expect_bad("rmat:63", "out of range");
    expect_bad("rmat:10:", "EDGEFACTOR");
    expect_bad("rmat:10:0", "EDGEFACTOR");
    expect_bad("rmat:10:4294967296", "EDGEFACTOR");
    expect_bad("rmat:10:16:1:2", "too many");
    expect_bad("rmat:10:16:1:", "too many");
    expect_bad("rmat:10:16:99999999999999999999", "64-bit");
    expect_bad("rmat:62:4", "2^64");
    expect_bad("rmat:10 ", "SCALE");
    expect_bad("er:100", "needs N and M");
    expect_bad("er:", "N");
    expect_bad("er:100:x", "M");
    expect_bad("er:1:5", "cannot have");
    expect_bad("er:1:2:3:4", "too many");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gen_partition_invariance),
        cmocka_unit_test(test_gen_partition_bounds),
        cmocka_unit_test(test_gen_seeds_differ),
        cmocka_unit_test(test_gen_rmat_quadrants),
        cmocka_unit_test(test_gen_rmat_degree_skew),
        cmocka_unit_test(test_gen_rmat_scramble_bijective),
        cmocka_unit_test(test_gen_er_uniform),
        cmocka_unit_test(test_gen_er_distinct_edges),
        cmocka_unit_test(test_gen_parse_valid),
        cmocka_unit_test(test_gen_parse_errors),
    };

    return cmocka_run_group_tests_name("gen", tests, NULL, NULL);
}
