/*
 * Synthetic edge generators: R-MAT / Kronecker with the Graph500 parameters,
 * and Erdős–Rényi G(n, m).
 *
 * Every generator is counter-based: edge i is a pure function of (spec, i).
 * Its random bits come from a splitmix64 stream keyed by a hash of (seed, i),
 * so any worker can generate any index range [first, first + count) without
 * generating what lies before it, and the edge multiset is the same for every
 * worker count and every way of cutting [0, m) into ranges.
 *
 * Streams keep duplicates (and, for R-MAT, self-loops), as Graph500 does: the
 * graph built from a stream merges repeated edges, and a self-loop only names
 * a vertex (graph/edge.h). Every generated edge has sign +1 and time 0.
 *
 * Thread safety: a spec is read-only after parsing; any thread may call any
 * function on a shared spec at the same time.
 */
#ifndef GY_GRAPH_GEN_H
#define GY_GRAPH_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/edge.h"
#include "progress/compiler.h"

/* Graph500 defaults: 16 edges per vertex, seed 1, R-MAT a, b, c (d = 1 - a - b - c). */
#define GY_GEN_DEFAULT_EDGEFACTOR 16u
#define GY_GEN_DEFAULT_SEED       1u
#define GY_GEN_RMAT_A 0.57
#define GY_GEN_RMAT_B 0.19
#define GY_GEN_RMAT_C 0.19

/* Largest R-MAT scale: ids must fit 63 bits so that 2^scale never overflows. */
#define GY_GEN_MAX_SCALE 62u

/* Round keys of the R-MAT id scramble: three rounds of (add, odd multiply). */
#define GY_GEN_SCRAMBLE_KEYS 6

enum gy_gen_kind {
    GY_GEN_RMAT,
    GY_GEN_ER,
};

/*
 * A generator's parameters. Fill it with gy_gen_rmat(), gy_gen_er() or
 * gy_gen_parse_spec(); after that a caller may clear `scramble` (tests do, to
 * see R-MAT's quadrant structure) but should change nothing else.
 */
struct gy_gen_spec {
    enum gy_gen_kind kind;
    uint64_t n;          /* vertices; ids lie in [0, n) */
    uint64_t m;          /* edges in the stream */
    uint64_t seed;
    uint32_t scale;      /* R-MAT: n = 2^scale; ER: 0 */
    uint32_t edgefactor; /* R-MAT: m = edgefactor * n; ER: 0 */
    bool scramble;       /* R-MAT: permute ids by a seeded bijection of [0, n) */
    /* R-MAT quadrant thresholds on a uniform 32-bit draw r: quadrant a if
     * r < ta, b if r < tb, c if r < tc, else d. ta <= tb <= tc. */
    uint32_t ta, tb, tc;
    uint64_t skey[GY_GEN_SCRAMBLE_KEYS]; /* R-MAT: the scramble's round keys, from seed */
};

/*
 * R-MAT with the Graph500 parameters: 2^scale vertices, edgefactor * 2^scale
 * edges, ids scrambled. Returns 0, or -EINVAL when scale is 0 or above
 * GY_GEN_MAX_SCALE, edgefactor is 0, or the edge count overflows 64 bits.
 */
GY_NODISCARD int gy_gen_rmat(struct gy_gen_spec *spec, uint32_t scale, uint32_t edgefactor,
                             uint64_t seed);

/*
 * Erdős–Rényi G(n, m) sampled with replacement: each of the m edges is an
 * ordered pair (u, v), u != v, uniform over the n(n - 1) such pairs and
 * independent of the others. No self-loops; duplicates (also as (v, u)) are
 * kept in the stream and merged by the graph. Returns 0, or -EINVAL when
 * n < 2 and m > 0 (no pair exists).
 */
GY_NODISCARD int gy_gen_er(struct gy_gen_spec *spec, uint64_t n, uint64_t m, uint64_t seed);

/*
 * Parses "rmat:SCALE[:EDGEFACTOR[:SEED]]" or "er:N:M[:SEED]" (decimal
 * numbers). On error returns -EINVAL and writes one line without a trailing
 * newline into err (errlen bytes, may be 0) saying what is wrong; *spec is
 * then unspecified.
 */
GY_NODISCARD int gy_gen_parse_spec(const char *text, struct gy_gen_spec *spec, char *err,
                                   size_t errlen);

/* Number of edges in the stream: m. */
uint64_t gy_gen_count(const struct gy_gen_spec *spec);

/* Edge i of the stream, i < gy_gen_count(spec). */
void gy_gen_edge(const struct gy_gen_spec *spec, uint64_t i, struct gy_edge *out);

/*
 * Writes edges first .. first + count - 1 into out[0 .. count - 1].
 * Returns 0, or -ERANGE (writing nothing) when the range runs past the
 * stream's end.
 */
GY_NODISCARD int gy_gen_range(const struct gy_gen_spec *spec, uint64_t first, size_t count,
                              struct gy_edge *out);

/*
 * Part k of `parts` near-equal contiguous parts of [0, total): sets *first and
 * *count. The first total % parts parts get one index more. parts >= 1, k < parts.
 */
void gy_gen_partition(uint64_t total, uint64_t parts, uint64_t k, uint64_t *first,
                      uint64_t *count);

#endif
