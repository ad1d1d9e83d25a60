/*
 * Edge sources: the shared preparation of a file or generator, and the
 * per-worker operator that reads its blocks and sends edges at their epochs.
 *
 * Blocks. The input is cut into blocks (byte ranges at line boundaries, or
 * ranges of generator indices), dealt round-robin: worker w reads blocks w,
 * w + W, w + 2W, ... So at any moment the workers read neighbouring parts of
 * the input, which are in the same or neighbouring epochs; with contiguous
 * halves, the second worker's edges would all belong to late epochs, and a
 * source throttled to a few open epochs (gy_edge_throttle) would wait for
 * the first worker to be nearly done. With epochs by count, blocks are about
 * half an epoch of input (estimated from the line length at the start of the
 * file), at least MIN_BLOCK bytes; the whole input as one epoch needs no
 * interleaving and takes one block per worker, and one worker one block.
 *
 * A block's place. To send, a worker must know where its block starts: the
 * edge lines before it (epochs by count) and its first line number, or for
 * event-time windows the first and largest time before it. For generators
 * that is arithmetic, and for windows one parse of every block at open. For
 * a file read by count the workers find it out themselves, in parallel:
 * each counts the edge lines and newlines of its own next blocks (a SIMD
 * scan, several times faster than parsing) and publishes them in counts[],
 * a few blocks ahead of where it parses, and starts a block once every
 * block before it is published; until then it polls, and publish() wakes
 * the other workers (source_run). The file's last block is never counted
 * ahead (nobody waits for it), so one worker with one block reads its file
 * exactly once, and mapped pages are first touched by the workers.
 */
#include "graph/source.h"

#include <assert.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "graph/gen.h"
#include "progress/alloc.h"

/* Edges read per activation: enough to amortize the per-chunk work, small
 * enough that a worker comes back to its mailbox often. */
#define SOURCE_CHUNK 4096

/* Block sizes. Files read by count: about half an epoch's bytes, within
 * [MIN_BLOCK, MAX_BLOCK] (a block of 256 KiB is some 20000 lines: its
 * start costs a few microseconds of a millisecond's parse); event-time
 * windows, whose epochs have no size known ahead: TIME_BLOCK. Generators:
 * half an epoch of edges, at least MIN_GEN_BLOCK. At most MAX_BLOCKS
 * blocks, however large the input. */
#define MIN_BLOCK (256u << 10)
#define MAX_BLOCK (16u << 20)
#define TIME_BLOCK (256u << 10)
#define MIN_GEN_BLOCK 65536u
#define MAX_BLOCKS (1u << 20)

/* Own blocks a worker counts ahead of the one it parses (deferred counts). */
#define COUNT_AHEAD 2

/*
 * What one block holds, published by the worker that reads it.
 *
 *   field      written by                    read by
 *   lines      the block's worker, once,     other workers, after an acquire
 *   newlines     before the release store      load of xready == true
 *   xready     that worker (release)         other workers, gy_edge_input_lines
 *
 * Written once per input: a later run on the same input finds it ready.
 */
struct block_count {
    uint64_t lines;                      /* edge lines in the block */
    uint64_t newlines;                   /* newlines in it (binary: records) */
    _Atomic bool xready;                 /* release: lines and newlines are set */
};

struct gy_edge_input {
    char name[256];
    bool generated;
    struct gy_gen_spec gen;
    gy_edges_t *file;
    struct gy_epochs_cfg epochs;
    bool skip_bad;
    uint32_t workers;
    uint64_t blocks;                     /* >= workers; block b belongs to worker b % workers */
    struct gy_edges_range *ranges;       /* [blocks] file blocks */
    uint64_t gen_block;                  /* generator: edges per block (the last may be short) */
    struct gy_epochs_summary *prefix;    /* [blocks] windows: all lines before block b */
    uint64_t *first_line;                /* [blocks] windows: the line at block b's start */
    bool deferred;                       /* a file by count: the workers count (counts[]) */
    struct block_count *counts;          /* [blocks] when deferred */
    uint64_t data_line;                  /* the line at the start of the edge data */
    uint64_t lines;                      /* edge lines in total, unless deferred */
};

const char *gy_edge_input_name(const gy_edge_input_t *in)
{
    return in->name;
}

uint64_t gy_edge_input_lines(const gy_edge_input_t *in)
{
    uint64_t total = 0, lines, nl;

    if (!in->deferred)
        return in->lines;
    /* After a complete run every block is published; before one (or after a
     * failed one) the missing blocks are counted here. */
    for (uint64_t b = 0; b < in->blocks; b++) {
        if (atomic_load_explicit(&in->counts[b].xready, memory_order_acquire))
            lines = in->counts[b].lines;
        else if (gy_edges_count_lines(in->file, in->ranges[b], &lines, &nl) != 0)
            lines = 0; /* cannot happen: the blocks come from gy_edges_split */
        total += lines;
    }
    return total;
}

void gy_edge_input_close(gy_edge_input_t *in)
{
    if (!in)
        return;
    gy_edges_close(in->file);
    gy_free(in->ranges);
    gy_free(in->prefix);
    gy_free(in->first_line);
    gy_free(in->counts);
    gy_free(in);
}

static bool is_generator(const char *spec)
{
    return strncmp(spec, "rmat:", 5) == 0 || strncmp(spec, "er:", 3) == 0;
}

static uint64_t clamp_u64(uint64_t x, uint64_t lo, uint64_t hi)
{
    return x < lo ? lo : x > hi ? hi : x;
}

/* How many blocks of about `size` units (bytes or edges) cover total. One
 * worker reads in file order anyway: one block, which it never counts. */
static uint64_t block_count(uint64_t total, uint64_t size, uint32_t workers)
{
    uint64_t n = total / size + (total % size != 0);

    if (workers == 1)
        return 1;
    n = n < MAX_BLOCKS ? n : MAX_BLOCKS;
    return n > workers ? n : workers;
}

static int open_generator(gy_edge_input_t *in, const char *spec, char *err, size_t errlen)
{
    uint64_t m;
    int rc = gy_gen_parse_spec(spec, &in->gen, err, errlen);

    if (rc != 0)
        return rc;
    if (in->epochs.mode == GY_EPOCHS_TIME) {
        snprintf(err, errlen, "%s: event-time windows need a time column; generated edges have none",
                 spec);
        return -EINVAL;
    }
    in->generated = true;
    m = in->lines = gy_gen_count(&in->gen);
    if (in->epochs.batch == 0) {
        in->gen_block = m / in->workers + (m % in->workers != 0); /* one block each */
    } else {
        in->gen_block = in->epochs.batch / 2 > MIN_GEN_BLOCK ? in->epochs.batch / 2
                                                              : MIN_GEN_BLOCK;
        in->gen_block = clamp_u64(in->gen_block, m / MAX_BLOCKS + 1, UINT64_MAX);
    }
    in->gen_block = in->gen_block ? in->gen_block : 1;
    in->blocks = block_count(m, in->gen_block, in->workers);
    return 0;
}

/* Bytes per block for a file: see the top of this file. The line length
 * is estimated from the first MIN_BLOCK bytes of edge data. */
static uint64_t file_block_bytes(const gy_edge_input_t *in)
{
    struct gy_edges_range all = gy_edges_all(in->file), head = all;
    uint64_t size = all.end - all.begin, lines, nl, per_line;

    if (in->epochs.mode == GY_EPOCHS_TIME)
        return TIME_BLOCK;
    if (in->epochs.batch == 0)
        return size / in->workers + 1; /* one block each */
    head.end = head.begin + (size < MIN_BLOCK ? size : MIN_BLOCK);
    if (gy_edges_count_lines(in->file, head, &lines, &nl) != 0 || nl == 0)
        return MAX_BLOCK;
    per_line = (head.end - head.begin) / nl + 1;
    if (in->epochs.batch > MAX_BLOCK / per_line)
        return MAX_BLOCK;
    return clamp_u64(in->epochs.batch * per_line / 2, MIN_BLOCK, MAX_BLOCK);
}

/* Event-time windows need each block's first and largest time: one parse
 * of the block (bad lines fail here already, before any worker starts).
 * *lines gets the newlines it crossed, as gy_edges_count_lines would. */
static int summarize_times(gy_edge_input_t *in, uint64_t b, struct gy_epochs_summary *s,
                           uint64_t *lines, char *err, size_t errlen)
{
    struct gy_edges_cursor c;
    struct gy_edge buf[512];
    size_t n;
    int rc;

    gy_edges_cursor_init(&c, in->file, in->ranges[b], in->first_line[b]);
    while ((rc = gy_edges_next(&c, buf, NULL, 512, &n, err, errlen)) == 0 && n > 0)
        for (size_t i = 0; i < n; i++)
            gy_epochs_summary_add(s, buf[i].time);
    *lines = c.lines_done;
    return rc;
}

/* Event-time windows: one pass over the blocks in file order gives each
 * block's prefix summary (edge lines and times before it) and first line. */
static int summarize_blocks(gy_edge_input_t *in, char *err, size_t errlen)
{
    struct gy_epochs_summary acc, mine;
    uint64_t line = in->data_line, nl;
    int rc;

    in->prefix = gy_calloc(in->blocks, sizeof(*in->prefix));
    in->first_line = gy_calloc(in->blocks, sizeof(*in->first_line));
    if (!in->prefix || !in->first_line)
        return -ENOMEM;
    gy_epochs_summary_init(&acc);
    for (uint64_t b = 0; b < in->blocks; b++) {
        in->prefix[b] = acc;
        in->first_line[b] = line;
        gy_epochs_summary_init(&mine);
        if ((rc = summarize_times(in, b, &mine, &nl, err, errlen)) != 0)
            return rc;
        gy_epochs_summary_cat(&acc, &mine);
        line += nl;
    }
    in->lines = acc.lines;
    return 0;
}

static int open_file(gy_edge_input_t *in, const struct gy_edge_input_cfg *cfg, char *err,
                     size_t errlen)
{
    struct gy_edges_range all;
    int rc = gy_edges_open(cfg->spec, &cfg->file, &in->file, err, errlen);

    if (rc != 0)
        return rc;
    all = gy_edges_all(in->file);
    in->blocks = block_count(all.end - all.begin, file_block_bytes(in), in->workers);
    in->ranges = gy_calloc(in->blocks, sizeof(*in->ranges));
    if (!in->ranges)
        return -ENOMEM;
    if ((rc = gy_edges_split(in->file, in->blocks, in->ranges)) != 0)
        return rc;
    in->data_line = gy_edges_first_line(in->file);
    if (in->epochs.mode == GY_EPOCHS_TIME)
        return summarize_blocks(in, err, errlen);
    in->deferred = true;
    in->counts = gy_calloc(in->blocks, sizeof(*in->counts));
    if (!in->counts)
        return -ENOMEM;
    for (uint64_t b = 0; b < in->blocks; b++)
        atomic_init(&in->counts[b].xready, false);
    return 0;
}

int gy_edge_input_open(const struct gy_edge_input_cfg *cfg, uint32_t workers,
                       gy_edge_input_t **out, char *err, size_t errlen)
{
    gy_edge_input_t *in = gy_calloc(1, sizeof(*in));
    struct gy_epochs_summary none;
    struct gy_epochs_cursor probe;
    int rc;

    if (!in)
        return -ENOMEM;
    snprintf(in->name, sizeof(in->name), "%s", cfg->spec);
    in->epochs = cfg->epochs;
    in->skip_bad = cfg->file.skip_bad;
    in->workers = workers ? workers : 1;
    gy_epochs_summary_init(&none);
    rc = gy_epochs_cursor_init(&probe, &cfg->epochs, &none);
    if (rc == -EINVAL)
        snprintf(err, errlen, "%s: bad epoch settings (a window needs a width >= 1)", cfg->spec);
    if (rc == 0)
        rc = is_generator(cfg->spec) ? open_generator(in, cfg->spec, err, errlen)
                                     : open_file(in, cfg, err, errlen);
    if (rc == -ENOMEM)
        snprintf(err, errlen, "%s: out of memory", cfg->spec);
    if (rc != 0) {
        gy_edge_input_close(in);
        return rc;
    }
    *out = in;
    return 0;
}

/* ---- the per-worker source operator ---- */

struct source {
    const gy_edge_input_t *in;
    gy_op_t *op;
    struct gy_cap cap;                 /* at the smallest epoch still to be sent */
    struct gy_edges_cursor file;       /* in the current block */
    uint64_t gen_next, gen_end;        /* generator: the current block's indices */
    struct gy_epochs_cursor epochs;
    struct gy_edge_source_stats *stats;
    struct gy_edge_source_stats own;   /* when the caller passed none */
    const struct gy_edge_throttle *throttle; /* the caller's, or own_throttle */
    struct gy_edge_throttle own_throttle;
    uint64_t next;                     /* the own block being read, or to read next */
    bool in_block;                     /* cursors are set up in block `next` */
    uint64_t count_next;               /* deferred: the own block to count next */
    uint64_t known;                    /* deferred: blocks [0, known) are in acc_* */
    uint64_t acc_lines, acc_newlines;  /* deferred: their edge lines and newlines */
    bool done;
    bool want_lines;                   /* fill lines[] (time windows: late-line messages) */
    struct gy_edge buf[SOURCE_CHUNK];
    uint64_t lines[SOURCE_CHUNK];      /* absolute line of buf[i], if want_lines */
    uint64_t epoch[SOURCE_CHUNK];      /* time windows or skip_bad: epoch of buf[i] */
    uint64_t skipped[SOURCE_CHUNK];    /* skip_bad: bad lines just before edge i */
};

/* Sends buf[from, to), all of epoch e, with a capability for it. */
static int send_run(struct source *s, uint64_t e, size_t from, size_t to)
{
    struct gy_time t = gy_time_epoch(e);
    struct gy_cap c;
    int rc;

    s->stats->edges += to - from;
    if (gy_time_eq(&t, &s->cap.time))
        return gy_op_give(s->op, 0, &s->cap, &s->buf[from], (uint32_t)(to - from));
    if ((rc = gy_cap_retain(s->op, &s->cap, &t, &c)) != 0)
        return rc;
    rc = gy_op_give(s->op, 0, &c, &s->buf[from], (uint32_t)(to - from));
    gy_cap_drop(s->op, &c);
    return rc;
}

/* Sends buf[0, n) by the epochs in s->epoch[], run by run, dropped ones not. */
static int send_chunk(struct source *s, size_t n)
{
    size_t from = 0;

    while (from < n) {
        size_t to = from + 1;
        if (s->epoch[from] == GY_EPOCHS_DROPPED_EPOCH) {
            from++;
            continue;
        }
        while (to < n && s->epoch[to] == s->epoch[from])
            to++;
        if (send_run(s, s->epoch[from], from, to) != 0)
            return -ECANCELED;
        from = to;
    }
    return 0;
}

/* Epochs by count with no skipped lines: the runs follow from the index
 * alone, with no per-edge work (the common case, and the fast one). */
static int send_counted(struct source *s, size_t n)
{
    size_t from = 0;

    while (from < n) {
        uint64_t len, e = gy_epochs_count_run(&s->epochs, n - from, &len);
        if (send_run(s, e, from, from + (size_t)len) != 0)
            return -ECANCELED;
        from += (size_t)len;
    }
    return 0;
}

/* skip_bad: one edge per call, so we know how many bad lines precede each
 * edge; a skipped line keeps its rank, and epochs by count stay exactly
 * those of a sequential pass whatever the split. */
static int read_skipping(struct source *s, size_t *n, char *err, size_t errlen)
{
    size_t k = 0, got;
    int rc = 0;

    while (k < SOURCE_CHUNK) {
        uint64_t before = s->file.edge_lines;
        rc = gy_edges_next(&s->file, &s->buf[k], s->want_lines ? &s->lines[k] : NULL, 1, &got,
                           err, errlen);
        if (rc != 0 || got == 0)
            break;
        s->skipped[k] = s->file.edge_lines - before - 1;
        k++;
    }
    *n = k;
    return rc;
}

/* Fills buf with the next chunk of this worker's share. */
static int read_chunk(struct source *s, size_t *n)
{
    char err[GY_EDGES_ERRLEN];
    int rc;

    if (s->in->generated) {
        size_t k = s->gen_end - s->gen_next < SOURCE_CHUNK ? (size_t)(s->gen_end - s->gen_next)
                                                           : SOURCE_CHUNK;
        rc = gy_gen_range(&s->in->gen, s->gen_next, k, s->buf);
        s->gen_next += k;
        *n = k;
        return rc;
    }
    if (s->in->skip_bad)
        rc = read_skipping(s, n, err, sizeof(err));
    else
        rc = gy_edges_next(&s->file, s->buf, s->want_lines ? s->lines : NULL, SOURCE_CHUNK, n,
                           err, sizeof(err));
    if (rc != 0)
        gy_worker_fail(gy_op_worker(s->op), "%s", err);
    return rc;
}

/* Assigns epochs one edge at a time, stepping over the bad lines before each. */
static int assign_skipping(struct source *s, size_t n, size_t *stop)
{
    for (size_t i = 0; i < n; i++) {
        int rc;
        gy_epochs_cursor_skip(&s->epochs, s->skipped[i]);
        rc = gy_epochs_next(&s->epochs, s->buf[i].time, &s->epoch[i]);
        if (rc == GY_EPOCHS_DROPPED)
            s->epoch[i] = GY_EPOCHS_DROPPED_EPOCH;
        else if (rc != 0) {
            *stop = i;
            return rc;
        }
    }
    return 0;
}

/* Assigns s->epoch[0, n) (time windows, or skipped lines to step over). */
static int assign_epochs(struct source *s, size_t n)
{
    char msg[GY_EDGES_ERRLEN];
    size_t stop;
    uint64_t before = s->epochs.dropped;

    int rc = s->in->skip_bad ? assign_skipping(s, n, &stop)
                             : gy_epochs_assign(&s->epochs, s->buf, n, s->epoch, &stop);

    if (rc == 0) {
        s->stats->dropped_late += s->epochs.dropped - before;
        return 0;
    }
    gy_epochs_late_message(&s->epochs, s->in->name, s->lines[stop], msg, sizeof(msg));
    return gy_worker_fail(gy_op_worker(s->op), "%s", msg);
}

/* Sends a chunk just read at its epochs. */
static int send_edges(struct source *s, size_t n)
{
    if (s->epochs.cfg.mode == GY_EPOCHS_COUNT && !s->in->skip_bad)
        return send_counted(s, n);
    if (assign_epochs(s, n) != 0)
        return -ECANCELED;
    return send_chunk(s, n);
}

/* Too far ahead of what the probe reports complete: wait. */
static bool throttled(const struct source *s)
{
    const struct gy_edge_throttle *th = s->throttle;
    struct gy_time t;

    if (!th->probe || th->max_open == 0 || s->cap.time.epoch < th->max_open)
        return false;
    t = gy_time_epoch(s->cap.time.epoch - th->max_open);
    return gy_probe_less_equal(th->probe, &t);
}

/* Publishes block b's count (see struct block_count), then wakes the
 * other workers: one of them may wait for it (source_run polls). The
 * release store comes before the wake, which is what gy_worker_wake_peers
 * needs to lose no wake-up. Nobody waits for the last block's count. */
static void publish(const struct source *s, uint64_t b, uint64_t lines, uint64_t newlines)
{
    const gy_edge_input_t *in = s->in;
    struct block_count *c = &in->counts[b];

    if (atomic_load_explicit(&c->xready, memory_order_acquire))
        return; /* counted ahead, or by an earlier run on this input */
    c->lines = lines;
    c->newlines = newlines;
    atomic_store_explicit(&c->xready, true, memory_order_release);
    if (b + 1 < in->blocks)
        gy_worker_wake_peers(gy_op_worker(s->op));
}

/* Deferred: counts and publishes one more own block, if one within
 * COUNT_AHEAD of the block being read is not counted yet. The file's last
 * block is skipped: no block after it waits for its count. Returns true
 * if it counted one (work: the run is not a mere poll). */
static bool count_ahead(struct source *s)
{
    const gy_edge_input_t *in = s->in;
    uint64_t b = s->count_next, lines, nl;

    if (!in->deferred || b >= in->blocks || b > s->next + COUNT_AHEAD * in->workers)
        return false;
    s->count_next += in->workers;
    if (b + 1 == in->blocks || atomic_load_explicit(&in->counts[b].xready, memory_order_acquire))
        return false;
    if (gy_edges_count_lines(in->file, in->ranges[b], &lines, &nl) != 0)
        return false;
    publish(s, b, lines, nl);
    return true;
}

/* Deferred: adds the published counts of the blocks before `next` to the
 * running sums; true once all of them are in. */
static bool prefix_known(struct source *s)
{
    const struct block_count *c = s->in->counts;

    for (; s->known < s->next; s->known++) {
        if (!atomic_load_explicit(&c[s->known].xready, memory_order_acquire))
            return false;
        s->acc_lines += c[s->known].lines;
        s->acc_newlines += c[s->known].newlines;
    }
    return true;
}

/* Sets up the cursors at the start of block `next`; false while its place
 * in the input is not known yet (deferred counts still to come). */
static bool enter_block(struct source *s)
{
    const gy_edge_input_t *in = s->in;
    struct gy_epochs_summary pre;
    uint64_t b = s->next, line;
    int rc;

    gy_epochs_summary_init(&pre);
    if (in->generated) {
        /* Blocks past the stream's end (fewer edges than workers) are empty. */
        s->gen_next = b * in->gen_block < in->lines ? b * in->gen_block : in->lines;
        s->gen_end = in->lines - s->gen_next > in->gen_block ? s->gen_next + in->gen_block
                                                              : in->lines;
        pre.lines = s->gen_next;
    } else if (in->deferred) {
        if (!prefix_known(s))
            return false;
        pre.lines = s->acc_lines;
        line = in->data_line + s->acc_newlines;
        gy_edges_cursor_init(&s->file, in->file, in->ranges[b], line);
    } else {
        pre = in->prefix[b];
        gy_edges_cursor_init(&s->file, in->file, in->ranges[b], in->first_line[b]);
    }
    rc = gy_epochs_cursor_init(&s->epochs, &in->epochs, &pre);
    assert(rc == 0); /* the settings were checked at open */
    (void)rc;
    s->in_block = true;
    return true;
}

/* Block `next` is read: publish its exact count, move to the next own one. */
static void leave_block(struct source *s)
{
    const gy_edge_input_t *in = s->in;

    if (in->deferred)
        publish(s, s->next, s->file.edge_lines, s->file.lines_done);
    if (!in->generated)
        gy_edges_bad_merge(&s->stats->bad, &s->file.bad);
    s->next += in->workers;
    s->in_block = false;
}

static void finish(struct source *s)
{
    gy_cap_drop(s->op, &s->cap);
    s->done = true;
}

/* Moves the capability to the smallest epoch this worker may still send. */
static int advance_cap(struct source *s)
{
    struct gy_time next = gy_time_epoch(gy_epochs_frontier(&s->epochs));

    if (gy_time_lt(&s->cap.time, &next))
        return gy_cap_downgrade(s->op, &s->cap, &next);
    return 0;
}

/*
 * One chunk of the own blocks per run. While the block's place is unknown
 * (an earlier block's count is not published yet) or the probe is too far
 * behind, the run does nothing and polls (gy_op_poll): a poll is not work,
 * so the worker goes idle (spin, yield, sleep) instead of running this in
 * a busy loop that, with more workers than cores, takes the core from the
 * workers that would publish the count or move the probe. It wakes for
 * both: the probe moves only on progress, which comes as a message, and
 * publish() wakes the peers after a count. Counting a block ahead is work.
 */
static void source_run(gy_op_t *op, void *state)
{
    struct source *s = state;
    size_t n = 0;
    bool counted;

    if (s->done)
        return;
    counted = count_ahead(s);
    if (!s->in_block && s->next >= s->in->blocks) {
        finish(s);
        return;
    }
    if ((!s->in_block && !enter_block(s)) || throttled(s)) {
        if (counted)
            gy_op_activate(op);
        else
            gy_op_poll(op);
        return;
    }
    if (read_chunk(s, &n) != 0 || (n > 0 && send_edges(s, n) != 0))
        return;
    if (n == 0)
        leave_block(s);
    else if (advance_cap(s) != 0)
        return;
    gy_op_activate(op);
}

static void source_init(struct source *s, const gy_edge_input_t *in, uint32_t w)
{
    s->in = in;
    s->next = s->count_next = w;
    /* Only a late line's message needs a line number beyond gy_edge.line's
     * 32 bits; otherwise the reader need not store them. */
    s->want_lines = in->epochs.mode == GY_EPOCHS_TIME;
}

/* throttle is the caller's (read at every run) or NULL for a copy of own. */
static gy_stream_t *source_new(gy_dataflow_t *df, const gy_edge_input_t *in,
                               struct gy_edge_source_stats *stats,
                               const struct gy_edge_throttle *throttle,
                               struct gy_edge_throttle own)
{
    gy_worker_t *wk = gy_dataflow_worker(df);
    struct source *s = gy_calloc(1, sizeof(*s));
    size_t rec = sizeof(struct gy_edge);
    struct gy_op_spec spec = {
        .name = "edge-source", .ninputs = 0, .noutputs = 1, .rec_sizes = &rec,
        .cb = {.on_frontier = source_run, .destroy = gy_free}, .state = s,
    };
    struct gy_time first;

    if (!s || gy_worker_peers(wk) != in->workers) {
        gy_free(s);
        gy_worker_fail(wk, "%s: edge input prepared for %u workers, run has %u", in->name,
                       in->workers, gy_worker_peers(wk));
        return NULL;
    }
    source_init(s, in, gy_worker_index(wk));
    s->stats = stats ? stats : &s->own;
    s->own_throttle = own;
    s->throttle = throttle ? throttle : &s->own_throttle;
    s->op = gy_op_new(df, &spec);
    if (!s->op)
        return NULL;
    /* Initial capabilities are counted on every worker, so every worker
     * declares the same one, epoch 0; the runs downgrade it to where this
     * worker's blocks are. */
    first = gy_time_epoch(0);
    if (gy_op_initial_cap(s->op, &first, &s->cap) != 0)
        return NULL;
    return gy_op_output(s->op, 0);
}

gy_stream_t *gy_edge_source(gy_dataflow_t *df, const gy_edge_input_t *in,
                            struct gy_edge_source_stats *stats, const gy_probe_t *probe,
                            uint64_t max_open)
{
    struct gy_edge_throttle own = {.probe = probe, .max_open = max_open};

    return source_new(df, in, stats, NULL, own);
}

gy_stream_t *gy_edge_source_throttled(gy_dataflow_t *df, const gy_edge_input_t *in,
                                      struct gy_edge_source_stats *stats,
                                      const struct gy_edge_throttle *throttle)
{
    struct gy_edge_throttle none = {0};

    return source_new(df, in, stats, throttle, none);
}
