/*
 * Internals shared by the edge-file readers (graph/edgefile*.c only): the
 * open-file struct, the byte scanners every text-like parser uses, and the
 * helpers that turn a problem into a "path:LINE: ..." message.
 *
 * Scanning model: the data is one read-only byte array (mmapped or
 * decompressed) without a sentinel, so every scanner takes an end pointer.
 * A line ends at '\n' or at the end of the data. Separators are runs of
 * space, tab, comma and CR (so CRLF needs no special case).
 */
#ifndef GY_GRAPH_EDGEFILE_INTERNAL_H
#define GY_GRAPH_EDGEFILE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/edgefile.h"
#include "progress/compiler.h"

/* Binary header: magic, u32 version, u32 flags, u64 edge count. */
#define GY__BIN_MAGIC    "GYREDGE1"
#define GY__BIN_VERSION  1u
#define GY__BIN_HEADER   24u
#define GY__BIN_FLAGS    (GY_EDGES_HAS_TIME | GY_EDGES_HAS_SIGN)

enum gy__mtx_field { GY__MTX_PATTERN, GY__MTX_REAL, GY__MTX_INTEGER };

struct gy_edges {
    char *path;                  /* copy of the caller's path, for messages */
    struct gy_edges_opts opts;   /* format resolved, never GY_EDGES_AUTO */
    const unsigned char *data;   /* the (decompressed) file, size bytes; NULL if size == 0 */
    size_t size;
    size_t begin;                /* first byte of edge data (after any header) */
    void *map;                   /* mmap of the file, or NULL */
    size_t map_len;
    unsigned char *heap;         /* gy_malloc'd contents (gzip, pipes), or NULL */
    bool gz;                     /* the file was gzip-compressed */
    struct {
        uint64_t rows, cols, nnz;
        uint64_t size_line;      /* line number of "rows cols nnz" */
        enum gy__mtx_field field;
    } mtx;
    struct {
        uint32_t flags;          /* GY_EDGES_HAS_* */
        size_t width;            /* bytes per record: 16, 24 or 32 */
        uint64_t count;          /* records; size == GY__BIN_HEADER + count * width */
    } bin;
};

/* Why a line is bad: the parser fills it, a noinline helper words it. */
struct gy__problem {
    int why;                     /* parser-specific code */
    unsigned column;             /* 1-based column, when it matters */
    unsigned found;              /* fields found, for "expected N, found M" */
    const unsigned char *tok;    /* the offending field, len bytes */
    size_t len;
};

static inline bool gy__is_sep(unsigned char c)
{
    return c == ' ' || c == '\t' || c == ',' || c == '\r';
}

/* A field ends at a separator, a newline or the end of the data. */
static inline bool gy__is_term(unsigned char c)
{
    return gy__is_sep(c) || c == '\n';
}

static inline const unsigned char *gy__skip_seps(const unsigned char *p, const unsigned char *end)
{
    while (p < end && gy__is_sep(*p))
        p++;
    return p;
}

static inline const unsigned char *gy__token_end(const unsigned char *p, const unsigned char *end)
{
    while (p < end && !gy__is_term(*p))
        p++;
    return p;
}

static inline bool gy__at_eol(const unsigned char *p, const unsigned char *end)
{
    return p == end || *p == '\n';
}

/* True if the line whose first non-separator byte is at p holds no edge. */
static inline bool gy__skippable(const unsigned char *p, const unsigned char *end)
{
    return p == end || *p == '\n' || *p == '#' || *p == '%';
}

/* Result of scanning a numeric field. */
enum gy__num { GY__NUM_OK, GY__NUM_BAD, GY__NUM_NEG, GY__NUM_RANGE };

/* Classifies a field that gy__scan_u64 rejected; returns its end. */
const unsigned char *gy__num_classify(const unsigned char *s, const unsigned char *end,
                                      enum gy__num *st);

/*
 * Scans the field at p as an unsigned 64-bit decimal (digits only) into *v.
 * Returns the field's end; *st says whether it was OK, not a number, a
 * negative number or above UINT64_MAX. The digit loop is the hot path of
 * every text parser: one compare per digit guards overflow.
 */
static inline const unsigned char *gy__scan_u64(const unsigned char *p, const unsigned char *end,
                                                uint64_t *v, enum gy__num *st)
{
    const uint64_t lim = UINT64_MAX / 10; /* 1844674407370955161 */
    const unsigned char *s = p;
    uint64_t x = 0;

    while (p < end && (unsigned)(*p - '0') < 10u) {
        unsigned d = (unsigned)(*p - '0');
        if (GY_UNLIKELY(x >= lim) && (x > lim || d > UINT64_MAX % 10))
            break;
        x = x * 10 + d;
        p++;
    }
    *v = x;
    if (GY_LIKELY(p > s && (p == end || gy__is_term(*p)))) {
        *st = GY__NUM_OK;
        return p;
    }
    return gy__num_classify(s, end, st);
}

/* gy_edge.line for an absolute line number: 0 past UINT32_MAX. */
static inline uint32_t gy__line32(uint64_t line)
{
    return line <= UINT32_MAX ? (uint32_t)line : 0;
}

/* Index of the line (1-based) that holds byte offset `off` of f's data. */
uint64_t gy__line_at(const struct gy_edges *f, size_t off);

/* Scans a signed 64-bit decimal ([+-]digits). Returns the field's end. */
const unsigned char *gy__scan_i64(const unsigned char *p, const unsigned char *end, int64_t *v,
                                  enum gy__num *st);

/* True if [p, e) is a number: [+-](digits[.digits]|.digits)[(e|E)[+-]digits]. */
bool gy__is_number(const unsigned char *p, const unsigned char *e);

/* True if [p, e) is an integer: [+-]digits. */
bool gy__is_integer(const unsigned char *p, const unsigned char *e);

/* Writes [tok, tok+len) into buf as printable text: at most ~40 bytes, other
 * bytes as \xHH, a cut marked with "...". Returns buf. */
const char *gy__quote(const unsigned char *tok, size_t len, char *buf, size_t buflen);

/* Formats "path:LINE: msg" (line > 0) or "path: msg" (line == 0) into err. */
void gy__errf(char *err, size_t errlen, const char *path, uint64_t line, const char *fmt, ...)
    GY_PRINTF(5, 6);

/* Number of separator-delimited fields in the line that starts at p. */
unsigned gy__count_fields(const unsigned char *p, const unsigned char *end);

/* Absolute line number of the line that starts `rel` newlines after the
 * cursor's begin; computes c->first_line on first use. */
uint64_t gy__cursor_line(struct gy_edges_cursor *c, uint64_t rel);

/* Records a skipped bad line in c->bad. */
void gy__bad_add(struct gy_edges_bad *bad, uint64_t line);

/* Counts the edge lines of [begin, end) of a text-like file (text, mtx),
 * begin at a line start, and adds the newlines in it to *newlines. */
uint64_t gy__count_text(const struct gy_edges *f, size_t begin, size_t end, uint64_t *newlines);

/* The SIMD scanners behind those two (edgefile_lines.c): edge lines that
 * start in [p, e) (p starts a line; the rule is gy__skippable after
 * separators), with the newlines in it added to *newlines; and newlines only. */
uint64_t gy__scan_lines(const unsigned char *p, const unsigned char *e, uint64_t *newlines);
uint64_t gy__count_newlines(const unsigned char *p, const unsigned char *e);

/* A line-oriented syntax: how to parse one edge line whose first field is
 * at p (returning the line's end, at '\n' or end, or NULL with *pb set), and
 * how to word a problem as "path:LINE: ...". */
struct gy__syntax {
    const unsigned char *(*line)(const struct gy_edges *f, const unsigned char *p,
                                 const unsigned char *end, struct gy_edge *e,
                                 struct gy__problem *pb);
    void (*message)(const struct gy_edges *f, uint64_t line, const struct gy__problem *pb,
                    char *err, size_t errlen);
};

extern const struct gy__syntax gy__text_syntax;
extern const struct gy__syntax gy__mtx_syntax;

/* gy_edges_next for a line-oriented syntax (text, mtx): the general loop,
 * one indirect call per line. Fills gy_edge.line; c->first_line must be
 * known. */
GY_NODISCARD int gy__lines_next(struct gy_edges_cursor *c, const struct gy__syntax *syn,
                                struct gy_edge *out, uint64_t *lines, size_t cap, size_t *n,
                                char *err, size_t errlen);

/* gy_edges_next for text: a fast loop for plain "u v" lines, the general
 * loop for every other line (edgefile_text.c). */
GY_NODISCARD int gy__text_next(struct gy_edges_cursor *c, struct gy_edge *out, uint64_t *lines,
                               size_t cap, size_t *n, char *err, size_t errlen);

/* Per-format parts of open, and gy_edges_next for the binary format. */
GY_NODISCARD int gy__mtx_open(struct gy_edges *f, char *err, size_t errlen);
GY_NODISCARD int gy__bin_open(struct gy_edges *f, char *err, size_t errlen);
GY_NODISCARD int gy__bin_next(struct gy_edges_cursor *c, struct gy_edge *out, uint64_t *lines,
                              size_t cap, size_t *n, char *err, size_t errlen);

/* Decompresses the gzip stream src[0..n) (one or more members) into a
 * gy_malloc'd buffer. -EINVAL with "path: ..." for corrupt or truncated data. */
GY_NODISCARD int gy__gunzip(const char *path, const unsigned char *src, size_t n,
                            unsigned char **out, size_t *outlen, char *err, size_t errlen);

#endif
