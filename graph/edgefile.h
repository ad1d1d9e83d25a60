/*
 * Edge files: open a text edge list, a Matrix Market coordinate file or a
 * gyre binary edge file (each possibly gzip-compressed), cut its data into
 * byte ranges at line (record) boundaries, count and parse each range on its
 * own, and write edges back out. docs/formats.md describes every format, the
 * binary layout byte by byte and every error message.
 *
 * How the runtime reads a file with W workers:
 *
 *     gy_edges_open(path, &opts, &f, err, sizeof err);      one thread
 *     gy_edges_split(f, W, ranges);                         one thread
 *     gy_edges_count(f, ranges[w], &n[w]);                  worker w
 *     prefix sums of n[] give each range's first edge index
 *     gy_edges_cursor_init(&c, f, ranges[w], 0);            worker w
 *     while (gy_edges_next(&c, buf, NULL, cap, &k, ...) == 0 && k > 0) ...
 *     gy_edges_close(f);                                    after every worker is done
 *
 * Edge indices: gy_edges_count counts edge lines (every line that is neither
 * blank nor a comment, a bad one included), so the index of an edge is the
 * rank of its line among the edge lines of the file. That rank does not
 * depend on how the file was split; with skip_bad a skipped line keeps its
 * rank and leaves a gap.
 *
 * Line numbers are 1-based and absolute (counted from the start of the
 * decompressed file, headers and comments included) whatever range a cursor
 * parses. For the binary format the "line" of an edge is its 1-based record
 * number. Every parsed edge carries its line in gy_edge.line (0 past
 * UINT32_MAX, where only the lines[] output of gy_edges_next has it).
 *
 * Thread safety: an open gy_edges_t is immutable, so any number of threads may
 * split, count and run their own cursors on it at the same time. A cursor
 * belongs to one thread. gy_edges_open/gy_edges_close pair on one thread, and
 * close must come after every other use. A writer belongs to one thread.
 *
 * Errors: functions return 0 or -errno. Bad input is -EINVAL, and the message
 * in err (when err is not NULL; errlen bytes, always NUL-terminated, no
 * trailing newline) reads "path:LINE: what is wrong", or "path: what is
 * wrong" for a problem with the whole file. Nothing here prints or exits.
 */
#ifndef GY_GRAPH_EDGEFILE_H
#define GY_GRAPH_EDGEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph/edge.h"
#include "progress/compiler.h"

/* An open edge file: its (decompressed) bytes and what its header said. */
typedef struct gy_edges gy_edges_t;

/* A writer of text or binary edge files (gy_edges_writer_open). */
typedef struct gy_edges_writer gy_edges_writer_t;

typedef enum gy_edges_format {
    GY_EDGES_AUTO = 0, /* detect: content magic first, then the extension */
    GY_EDGES_TEXT,     /* "u v" lines (docs/formats.md, "Text edge lists") */
    GY_EDGES_MTX,      /* Matrix Market coordinate */
    GY_EDGES_BIN,      /* gyre binary edge file, magic "GYREDGE1" */
} gy_edges_format_t;

/* Optional per-edge fields a file carries: what a writer must store. */
#define GY_EDGES_HAS_TIME 1u /* gy_edge.time may be nonzero */
#define GY_EDGES_HAS_SIGN 2u /* gy_edge.sign may be -1 */

/* How many bad line numbers a skip_bad reader keeps for its report. */
#define GY_EDGES_BAD_KEEP 5

/* A good size for err buffers: a long path plus the longest message. */
#define GY_EDGES_ERRLEN 512

/* Reading options. All-zero (or a NULL pointer) means: detect the format,
 * no time column, no sign column, stop at the first bad line. */
struct gy_edges_opts {
    gy_edges_format_t format; /* GY_EDGES_AUTO, or force a format */
    unsigned time_column;     /* 1-based column that becomes gy_edge.time; 0 = none, else >= 3 */
    unsigned sign_column;     /* 1-based column of +1/-1 (text only); 0 = none, else >= 3 */
    bool skip_bad;            /* skip (and count) bad lines instead of failing */
};

/* A half-open byte range [begin, end) of the file's decompressed data.
 * Ranges from gy_edges_split start at a line (record) boundary. */
struct gy_edges_range {
    size_t begin;
    size_t end;
};

/* Bad lines a skip_bad cursor stepped over. */
struct gy_edges_bad {
    uint64_t count;                    /* lines skipped */
    uint64_t first[GY_EDGES_BAD_KEEP]; /* the first min(count, KEEP) line numbers, ascending */
};

/*
 * A parse position inside one range. Callers embed it (one per worker) and
 * treat the fields as read-only, except `bad`, which they may read at any
 * time. Pair gy_edges_cursor_init with nothing: a cursor owns no memory.
 */
struct gy_edges_cursor {
    const gy_edges_t *file;
    size_t pos;              /* next byte to parse; begin <= pos <= end */
    size_t begin, end;       /* the range */
    uint64_t first_line;     /* absolute line number at begin; 0 = not computed yet */
    uint64_t lines_done;     /* newlines (binary: records) consumed since begin */
    uint64_t edge_lines;     /* edge lines consumed since begin, bad ones included */
    int failed;              /* 0, or the error gy_edges_next returned and keeps returning */
    struct gy_edges_bad bad; /* skip_bad only */
};

/*
 * Opens path and reads its header. Plain files are memory-mapped (other
 * files, such as pipes, are read into memory); a gzip-compressed file
 * (detected by its magic bytes 1f 8b) is decompressed into memory once.
 * For Matrix Market it checks the banner, the size line and the number of
 * entries against it (a quick scan of the whole file); for the binary format
 * the magic, version, flags and the size against the edge count.
 *
 * opts may be NULL (defaults). Returns 0 and *out (pair with
 * gy_edges_close); or -errno from the system ("path: No such file or
 * directory"), -ENOMEM, or -EINVAL for a bad header, a corrupt or truncated
 * gzip stream or bad options, with the message in err. An empty file is a
 * valid empty graph. Any thread; *out is then shared read-only.
 */
GY_NODISCARD int gy_edges_open(const char *path, const struct gy_edges_opts *opts,
                               gy_edges_t **out, char *err, size_t errlen);

/* Releases everything gy_edges_open took. NULL is a no-op. Call it only after
 * every thread is done with f and its cursors. */
void gy_edges_close(gy_edges_t *f);

/* The format that was detected (or forced); never GY_EDGES_AUTO. */
gy_edges_format_t gy_edges_format(const gy_edges_t *f);

/* The path as given to gy_edges_open (used as the prefix of messages). */
const char *gy_edges_path(const gy_edges_t *f);

/* Which optional fields the parsed edges can carry (GY_EDGES_HAS_*): what a
 * converter passes to gy_edges_writer_open to lose nothing. A text edge
 * list always reports GY_EDGES_HAS_SIGN, since any line may start with
 * "- "; a converter that wants 16-byte records can drop it after checking
 * that no edge it read has sign -1. */
unsigned gy_edges_fields(const gy_edges_t *f);

/* The whole edge data: everything after the Matrix Market or binary header. */
struct gy_edges_range gy_edges_all(const gy_edges_t *f);

/*
 * Cuts the edge data into `parts` ranges, stored in ranges[0..parts-1] in
 * file order: contiguous, covering gy_edges_all(f), each starting at a line
 * (binary: record) boundary, so every line belongs to exactly one range.
 * Ranges are about equal in bytes; some may be empty. Returns 0, or -EINVAL
 * when parts is 0. Any thread.
 */
GY_NODISCARD int gy_edges_split(const gy_edges_t *f, size_t parts, struct gy_edges_range *ranges);

/*
 * Counts the edge lines in range r (see "Edge indices" above): an insert, a
 * delete and a self-loop line count one each, comments and blank lines
 * none. It does not parse the lines, so it cannot fail on bad input; it is a
 * fast scan. Returns 0, or -EINVAL when r is not inside the file. Any thread.
 */
GY_NODISCARD int gy_edges_count(const gy_edges_t *f, struct gy_edges_range r, uint64_t *edge_lines);

/*
 * gy_edges_count, plus *lines: the newlines in r (binary: the records), so
 * that the range after r starts *lines lines later. With
 * gy_edges_first_line this gives every range's first line number in one
 * pass, to pass to gy_edges_cursor_init. Same returns; any thread.
 */
GY_NODISCARD int gy_edges_count_lines(const gy_edges_t *f, struct gy_edges_range r,
                                      uint64_t *edge_lines, uint64_t *lines);

/* The absolute line number (binary: record number) at gy_edges_all(f).begin:
 * 1 plus the lines of a Matrix Market header. Any thread. */
uint64_t gy_edges_first_line(const gy_edges_t *f);

/*
 * Prepares c to parse range r of f (r must start at a line boundary, as the
 * ranges of gy_edges_split and gy_edges_all do). first_line is the absolute
 * line number at r.begin if the caller knows it (gy_edges_first_line plus
 * the gy_edges_count_lines of the ranges before), else 0: the cursor then
 * counts the newlines before r.begin once, in its first gy_edges_next (a
 * fast scan, but one over everything before the range).
 */
void gy_edges_cursor_init(struct gy_edges_cursor *c, const gy_edges_t *f,
                          struct gy_edges_range r, uint64_t first_line);

/*
 * Parses up to cap (>= 1) edges from the cursor's range into out[], in file
 * order, and, when lines is not NULL, each edge's absolute line number into
 * lines[].
 * Sets *n to the number stored; *n == 0 with a 0 return means the range is
 * done. A bad line returns -EINVAL with "path:LINE: what is wrong" in err
 * (binary: "path: record N: ..."), *n then counting the good edges before
 * it, and every later call returns the same code with *n == 0 without
 * touching err; unless the file was opened with skip_bad: then the line is
 * skipped and counted in c->bad. Never allocates. The cursor's thread only.
 */
GY_NODISCARD int gy_edges_next(struct gy_edges_cursor *c, struct gy_edge *out, uint64_t *lines,
                               size_t cap, size_t *n, char *err, size_t errlen);

/*
 * Convenience for small files and tests: parses all of f into arrays that
 * the caller frees with gy_free (*lines only if lines is not NULL). bad may
 * be NULL. Returns 0, -ENOMEM, or the first error of gy_edges_next; on an
 * error the arrays are freed already (*edges == NULL, *n == 0).
 */
GY_NODISCARD int gy_edges_read_all(const gy_edges_t *f, struct gy_edge **edges, uint64_t **lines,
                                   size_t *n, struct gy_edges_bad *bad, char *err, size_t errlen);

/* Adds the skips of another range (src, any part of the file) to dst,
 * keeping the smallest line numbers of both, ascending: ranges may be
 * merged in any order. */
void gy_edges_bad_merge(struct gy_edges_bad *dst, const struct gy_edges_bad *src);

/*
 * Writes a one-line report of skipped lines into buf, e.g.
 * "g.txt: skipped 7 bad lines (first at lines 3, 9, 12, 40, 41)".
 * Returns what snprintf returns.
 */
int gy_edges_bad_format(const struct gy_edges_bad *bad, const char *path, char *buf, size_t len);

/*
 * Creates (truncates) path for writing edges. format is GY_EDGES_TEXT,
 * GY_EDGES_BIN, or GY_EDGES_AUTO (binary if the name ends in .gyb or .gyb.gz,
 * else text). A name ending in .gz is gzip-compressed. fields (GY_EDGES_HAS_*)
 * says which optional fields to store. Returns 0 and *out, -EINVAL for a bad
 * format or fields, or -errno with "path: reason" in err. One thread.
 */
GY_NODISCARD int gy_edges_writer_open(const char *path, gy_edges_format_t format, unsigned fields,
                                      gy_edges_writer_t **out, char *err, size_t errlen);

/*
 * Appends n edges. An edge whose time or sign the writer cannot store
 * (time != 0 without GY_EDGES_HAS_TIME, sign -1 without GY_EDGES_HAS_SIGN,
 * or a sign other than +1/-1) is -EINVAL: nothing is silently lost.
 * Returns 0, -EINVAL or -errno (with the message in err).
 */
GY_NODISCARD int gy_edges_writer_put(gy_edges_writer_t *w, const struct gy_edge *e, size_t n,
                                     char *err, size_t errlen);

/*
 * Finishes the file (for binary, fills in the header's edge count), closes
 * it and frees w on every outcome. Returns 0 or -errno with the message in
 * err. Pair with gy_edges_writer_open, or use gy_edges_writer_abort.
 */
GY_NODISCARD int gy_edges_writer_close(gy_edges_writer_t *w, char *err, size_t errlen);

/* Room gy_edges_text_line may need: "- ", two 20-digit ids, a signed
 * 20-digit time, separators and the newline fit with margin. */
#define GY_EDGES_TEXT_LINE_MAX 80

/*
 * Formats e as one text edge-list line into buf (at least
 * GY_EDGES_TEXT_LINE_MAX bytes; no NUL is written): "u v\n", preceded by
 * "+ "/"- " when fields has GY_EDGES_HAS_SIGN and followed by " time" when
 * it has GY_EDGES_HAS_TIME. Returns the line's length. Any thread.
 */
size_t gy_edges_text_line(const struct gy_edge *e, unsigned fields, char *buf);

/* Closes w, removes the half-written file and frees w. NULL is a no-op. */
void gy_edges_writer_abort(gy_edges_writer_t *w);

#endif
