/*
 * Synthetic edge generators (graph/gen.h): a counter-based random stream per
 * edge, R-MAT descent with an optional id scramble, Erdős–Rényi pairs, and
 * the "rmat:..." / "er:..." spec parser.
 */
#include "graph/gen.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* 2^64 / golden ratio: splitmix64's increment, odd, so i * GOLDEN is a bijection. */
#define GOLDEN 0x9e3779b97f4a7c15ull

/* Separates the id-scramble keys from the edge streams of the same seed. */
#define SCRAMBLE_SALT 0x5ca7b1e5d1ce0f5eull

/* splitmix64's finalizer (Stafford variant 13): a bijective 64-bit mixer. */
static inline uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The random stream of one edge: splitmix64 started at a hash of (seed, i). */
struct stream {
    uint64_t s;
};

static inline struct stream stream_at(uint64_t seed, uint64_t i)
{
    struct stream st = {.s = mix64(mix64(seed) ^ (i * GOLDEN))};
    return st;
}

static inline uint64_t stream_next(struct stream *st)
{
    st->s += GOLDEN;
    return mix64(st->s);
}

/* Uniform in [0, n), n >= 1, without modulo bias (Lemire's multiply-shift with rejection). */
static uint64_t stream_below(struct stream *st, uint64_t n)
{
    unsigned __int128 prod = (unsigned __int128)stream_next(st) * n;
    uint64_t low = (uint64_t)prod;

    if (GY_UNLIKELY(low < n)) {
        uint64_t reject = -n % n; /* 2^64 mod n: the biased low products */
        while (low < reject) {
            prod = (unsigned __int128)stream_next(st) * n;
            low = (uint64_t)prod;
        }
    }
    return (uint64_t)(prod >> 64);
}

/* p * 2^32 as a threshold on a uniform 32-bit draw; p in [0, 1]. */
static uint32_t prob_threshold(double p)
{
    if (p >= 1.0)
        return UINT32_MAX;
    return p <= 0.0 ? 0 : (uint32_t)(p * 0x1p32);
}

/*
 * A seeded bijection of [0, 2^scale): rounds of add, odd multiply and
 * xorshift, each invertible modulo 2^scale. Graph500 permutes ids the same
 * way so that vertex 0 is not the famous hub. key holds GY_GEN_SCRAMBLE_KEYS.
 */
static uint64_t scramble_id(uint64_t x, uint32_t scale, const uint64_t *key)
{
    uint64_t mask = (UINT64_C(1) << scale) - 1;
    uint32_t half = (scale + 1) / 2;

    for (int k = 0; k < GY_GEN_SCRAMBLE_KEYS; k += 2) {
        x = (x + key[k]) & mask;
        x = (x * key[k + 1]) & mask; /* key[k + 1] is odd */
        x ^= x >> half;
    }
    return x;
}

static void scramble_keys(uint64_t seed, uint64_t *key)
{
    uint64_t z = seed ^ SCRAMBLE_SALT;

    for (int k = 0; k < GY_GEN_SCRAMBLE_KEYS; k++) {
        z = mix64(z + GOLDEN);
        key[k] = k % 2 ? z | 1 : z;
    }
}

/*
 * The quadrant of one level from a 32-bit draw r: the number of thresholds r
 * reaches, 0 = a, 1 = b, 2 = c, 3 = d, which is also 2 * row bit + column bit.
 * Sums of comparisons keep it branch-free: the draws are random, so any
 * branch here would be mispredicted all the time.
 */
static inline uint64_t quadrant(const struct gy_gen_spec *spec, uint32_t r)
{
    return (uint64_t)(r >= spec->ta) + (r >= spec->tb) + (r >= spec->tc);
}

static void rmat_edge(const struct gy_gen_spec *spec, uint64_t i, struct gy_edge *out)
{
    struct stream st = stream_at(spec->seed, i);
    uint64_t u = 0, v = 0, r = 0;

    /* Each 64-bit draw serves two levels, 32 bits each: 2^-32 resolution is far
     * below any sampling error, and it halves the generator's cost. */
    for (uint32_t level = 0; level < spec->scale; level++) {
        uint64_t q;
        if (level % 2 == 0)
            r = stream_next(&st);
        q = quadrant(spec, (uint32_t)r);
        r >>= 32;
        u = (u << 1) | (q >> 1);
        v = (v << 1) | (q & 1);
    }
    if (spec->scramble) {
        u = scramble_id(u, spec->scale, spec->skey);
        v = scramble_id(v, spec->scale, spec->skey);
    }
    out->u = u;
    out->v = v;
}

static void er_edge(const struct gy_gen_spec *spec, uint64_t i, struct gy_edge *out)
{
    struct stream st = stream_at(spec->seed, i);
    uint64_t u = stream_below(&st, spec->n);
    uint64_t v = stream_below(&st, spec->n - 1);

    /* Skip u: v is uniform over the n - 1 other vertices. */
    out->u = u;
    out->v = v >= u ? v + 1 : v;
}

int gy_gen_rmat(struct gy_gen_spec *spec, uint32_t scale, uint32_t edgefactor, uint64_t seed)
{
    uint64_t n;

    if (scale == 0 || scale > GY_GEN_MAX_SCALE || edgefactor == 0)
        return -EINVAL;
    n = UINT64_C(1) << scale;
    if (n > UINT64_MAX / edgefactor)
        return -EINVAL;
    memset(spec, 0, sizeof(*spec));
    spec->kind = GY_GEN_RMAT;
    spec->n = n;
    spec->m = n * edgefactor;
    spec->seed = seed;
    spec->scale = scale;
    spec->edgefactor = edgefactor;
    spec->scramble = true;
    scramble_keys(seed, spec->skey);
    spec->ta = prob_threshold(GY_GEN_RMAT_A);
    spec->tb = prob_threshold(GY_GEN_RMAT_A + GY_GEN_RMAT_B);
    spec->tc = prob_threshold(GY_GEN_RMAT_A + GY_GEN_RMAT_B + GY_GEN_RMAT_C);
    return 0;
}

int gy_gen_er(struct gy_gen_spec *spec, uint64_t n, uint64_t m, uint64_t seed)
{
    if (n < 2 && m > 0)
        return -EINVAL;
    memset(spec, 0, sizeof(*spec));
    spec->kind = GY_GEN_ER;
    spec->n = n;
    spec->m = m;
    spec->seed = seed;
    return 0;
}

uint64_t gy_gen_count(const struct gy_gen_spec *spec)
{
    return spec->m;
}

void gy_gen_edge(const struct gy_gen_spec *spec, uint64_t i, struct gy_edge *out)
{
    if (spec->kind == GY_GEN_RMAT)
        rmat_edge(spec, i, out);
    else
        er_edge(spec, i, out);
    out->time = 0;
    out->sign = 1;
    out->line = 0;
}

int gy_gen_range(const struct gy_gen_spec *spec, uint64_t first, size_t count,
                 struct gy_edge *out)
{
    if (first > spec->m || count > spec->m - first)
        return -ERANGE;
    for (size_t k = 0; k < count; k++)
        gy_gen_edge(spec, first + k, &out[k]);
    return 0;
}

void gy_gen_partition(uint64_t total, uint64_t parts, uint64_t k, uint64_t *first,
                      uint64_t *count)
{
    uint64_t base = total / parts, extra = total % parts;

    *first = k * base + (k < extra ? k : extra);
    *count = base + (k < extra);
}

/* ---- spec parsing ---------------------------------------------------- */

GY_PRINTF(3, 4) static int parse_fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if (errlen > 0) {
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

/*
 * Reads a decimal u64 field ending at ':' or the string's end and advances
 * *text past the ':'. Returns 0, -EINVAL (empty or not digits) or -ERANGE.
 */
static int take_u64(const char **text, uint64_t *out)
{
    const char *p = *text;
    uint64_t x = 0;

    if (*p < '0' || *p > '9')
        return -EINVAL;
    for (; *p >= '0' && *p <= '9'; p++) {
        uint64_t d = (uint64_t)(*p - '0');
        if (x > (UINT64_MAX - d) / 10)
            return -ERANGE;
        x = x * 10 + d;
    }
    if (*p != ':' && *p != '\0')
        return -EINVAL;
    *text = *p == ':' ? p + 1 : p;
    *out = x;
    return 0;
}

/* Reads up to `max` fields into vals; returns how many, or a negative errno from take_u64. */
static int take_fields(const char *text, uint64_t *vals, int max, int *bad)
{
    int k = 0;

    while (*text != '\0' || k == 0) {
        int rc;
        if (k == max)
            return -E2BIG;
        rc = take_u64(&text, &vals[k]);
        if (rc < 0) {
            *bad = k;
            return rc;
        }
        k++;
        if (text[-1] == ':' && *text == '\0') { /* a trailing ':' leaves an empty field */
            *bad = k;
            return k == max ? -E2BIG : -EINVAL;
        }
    }
    return k;
}

static int parse_rmat(const char *args, struct gy_gen_spec *spec, char *err, size_t errlen)
{
    static const char *const names[] = {"SCALE", "EDGEFACTOR", "SEED"};
    uint64_t v[3] = {0, GY_GEN_DEFAULT_EDGEFACTOR, GY_GEN_DEFAULT_SEED};
    int bad = 0, k = take_fields(args, v, 3, &bad);

    if (k == -E2BIG)
        return parse_fail(err, errlen, "rmat spec has too many fields (expected rmat:SCALE"
                                       "[:EDGEFACTOR[:SEED]])");
    if (k < 0)
        return parse_fail(err, errlen, "rmat %s is not a %s decimal number", names[bad],
                          k == -ERANGE ? "64-bit" : "non-negative");
    if (v[0] < 1 || v[0] > GY_GEN_MAX_SCALE)
        return parse_fail(err, errlen, "rmat SCALE %llu is out of range 1..%u",
                          (unsigned long long)v[0], GY_GEN_MAX_SCALE);
    if (v[1] < 1 || v[1] > UINT32_MAX)
        return parse_fail(err, errlen, "rmat EDGEFACTOR %llu is out of range 1..%u",
                          (unsigned long long)v[1], UINT32_MAX);
    if (gy_gen_rmat(spec, (uint32_t)v[0], (uint32_t)v[1], v[2]) < 0)
        return parse_fail(err, errlen, "rmat:%llu:%llu has more than 2^64 edges",
                          (unsigned long long)v[0], (unsigned long long)v[1]);
    return 0;
}

static int parse_er(const char *args, struct gy_gen_spec *spec, char *err, size_t errlen)
{
    static const char *const names[] = {"N", "M", "SEED"};
    uint64_t v[3] = {0, 0, GY_GEN_DEFAULT_SEED};
    int bad = 0, k = take_fields(args, v, 3, &bad);

    if (k == -E2BIG)
        return parse_fail(err, errlen, "er spec has too many fields (expected er:N:M[:SEED])");
    if (k < 0)
        return parse_fail(err, errlen, "er %s is not a %s decimal number", names[bad],
                          k == -ERANGE ? "64-bit" : "non-negative");
    if (k < 2)
        return parse_fail(err, errlen, "er spec needs N and M (expected er:N:M[:SEED])");
    if (gy_gen_er(spec, v[0], v[1], v[2]) < 0)
        return parse_fail(err, errlen, "er with N = %llu vertices cannot have %llu edges "
                                       "(self-loops are not generated)",
                          (unsigned long long)v[0], (unsigned long long)v[1]);
    return 0;
}

int gy_gen_parse_spec(const char *text, struct gy_gen_spec *spec, char *err, size_t errlen)
{
    if (strncmp(text, "rmat:", 5) == 0)
        return parse_rmat(text + 5, spec, err, errlen);
    if (strncmp(text, "er:", 3) == 0)
        return parse_er(text + 3, spec, err, errlen);
    return parse_fail(err, errlen, "unknown generator spec '%s' (expected "
                                   "rmat:SCALE[:EDGEFACTOR[:SEED]] or er:N:M[:SEED])", text);
}
