/*
 * Line scanning at memory speed: counting newlines (for line numbers) and
 * edge lines (for edge indices, gy_edges_count) without parsing. These run
 * over whole files on one thread before the workers start (the source's
 * prefix counts, a Matrix Market entry check), so they must cost a small
 * fraction of a parse.
 *
 * With SSE2 (every x86-64) 64 bytes are classified at a time into two bit
 * masks: newlines, and "odd" bytes, those that may start a line that is not
 * an edge line (bytes below '-' other than '+', which covers separators,
 * '\n', '#' and '%', and every byte >= 0x80 read as signed). A line starts
 * after each newline (and at the range's begin); it is an edge line at once
 * when its first byte is not odd, which is all lines of an ordinary file:
 * one popcount per block. A line that starts with an odd byte (a comment, a
 * blank line, leading spaces, junk) is classified by the scalar rule of
 * edgefile_internal.h. Bytes after the last whole block go the scalar way too.
 */
#include <string.h>

#include "graph/edgefile_internal.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#define LINES_SIMD 1
#else
#define LINES_SIMD 0
#endif

/* The scalar rule, for one line that starts at q. */
static inline bool edge_line_at(const unsigned char *q, const unsigned char *e)
{
    return !gy__skippable(gy__skip_seps(q, e), e);
}

/* Scalar: edge lines starting in [p, e) (p starts a line), newlines added to *nl. */
static uint64_t scan_scalar(const unsigned char *p, const unsigned char *e, uint64_t *nl)
{
    uint64_t n = 0;

    while (p < e) {
        const unsigned char *q = memchr(p, '\n', (size_t)(e - p));
        n += edge_line_at(p, e);
        if (!q)
            break;
        ++*nl;
        p = q + 1;
    }
    return n;
}

static uint64_t newlines_scalar(const unsigned char *p, const unsigned char *e)
{
    uint64_t n = 0;

    while (p < e && (p = memchr(p, '\n', (size_t)(e - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

#if LINES_SIMD

/* Set bits of x, as the usual SWAR sum, inline: the builtin would be a
 * libgcc call at the baseline x86-64 ISA, which has no POPCNT. */
static inline uint64_t popcount64(uint64_t x)
{
    x -= (x >> 1) & 0x5555555555555555ULL;
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (x * 0x0101010101010101ULL) >> 56;
}

/* Bit i of the result is set iff byte i of the 64 at p equals ch. */
static inline uint64_t eq64(const unsigned char *p, __m128i ch)
{
    uint64_t m = 0;

    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, ch)) << (16 * k);
    }
    return m;
}

/* Newlines (*nl) and odd bytes (*odd) of the 64 bytes at p. */
static inline void classify64(const unsigned char *p, uint64_t *nl, uint64_t *odd)
{
    const __m128i lf = _mm_set1_epi8('\n'), dash = _mm_set1_epi8('-'), plus = _mm_set1_epi8('+');
    uint64_t a = 0, b = 0;

    for (int k = 0; k < 4; k++) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        __m128i o = _mm_andnot_si128(_mm_cmpeq_epi8(v, plus), _mm_cmplt_epi8(v, dash));
        a |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)) << (16 * k);
        b |= (uint64_t)(uint16_t)_mm_movemask_epi8(o) << (16 * k);
    }
    *nl = a;
    *odd = b;
}

/* Edge lines among the line starts in `starts` (bits of the block at p)
 * whose first byte is odd: each is classified by the scalar rule. */
static uint64_t odd_starts(const unsigned char *p, const unsigned char *e, uint64_t starts)
{
    uint64_t n = 0;

    for (; starts; starts &= starts - 1)
        n += edge_line_at(p + __builtin_ctzll(starts), e);
    return n;
}

uint64_t gy__scan_lines(const unsigned char *p, const unsigned char *e, uint64_t *newlines)
{
    uint64_t n = 0, nls = 0, carry = 1; /* p starts a line */

    for (; e - p >= 64; p += 64) {
        uint64_t nl, odd, starts;
        classify64(p, &nl, &odd);
        starts = nl << 1 | carry;
        carry = nl >> 63;
        nls += popcount64(nl);
        n += popcount64(starts & ~odd);
        if (GY_UNLIKELY(starts & odd))
            n += odd_starts(p, e, starts & odd);
    }
    if (p < e) {
        /* The tail: from its first line start on, the scalar way. */
        const unsigned char *q = p;
        if (!carry) {
            q = memchr(p, '\n', (size_t)(e - p));
            nls += q != NULL;
            q = q ? q + 1 : NULL;
        }
        if (q)
            n += scan_scalar(q, e, &nls);
    }
    *newlines += nls;
    return n;
}

uint64_t gy__count_newlines(const unsigned char *p, const unsigned char *e)
{
    const __m128i lf = _mm_set1_epi8('\n');
    uint64_t n = 0;

    for (; e - p >= 64; p += 64)
        n += popcount64(eq64(p, lf));
    return n + newlines_scalar(p, e);
}

#else

uint64_t gy__scan_lines(const unsigned char *p, const unsigned char *e, uint64_t *newlines)
{
    return scan_scalar(p, e, newlines);
}

uint64_t gy__count_newlines(const unsigned char *p, const unsigned char *e)
{
    return newlines_scalar(p, e);
}

#endif
