/*
 * Edge sources: the shared preparation of a file or generator, and the
 * per-worker operator that reads one range and sends edges at their epochs.
 */
#include "graph/source.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "graph/gen.h"
#include "progress/alloc.h"

/* Edges read per activation: enough to amortize the per-chunk work, small
 * enough that a worker comes back to its mailbox often. */
#define SOURCE_CHUNK 4096

struct gy_edge_input {
    char name[256];
    bool generated;
    struct gy_gen_spec gen;
    gy_edges_t *file;
    struct gy_epochs_cfg epochs;
    bool skip_bad;
    uint32_t workers;
    struct gy_edges_range *ranges;       /* [workers] file ranges */
    uint64_t *gen_first;                 /* [workers] generator index ranges */
    uint64_t *gen_count;
    struct gy_epochs_summary *prefix;    /* [workers] all lines before the range */
    uint64_t lines;                      /* edge lines in total */
};

const char *gy_edge_input_name(const gy_edge_input_t *in)
{
    return in->name;
}

uint64_t gy_edge_input_lines(const gy_edge_input_t *in)
{
    return in->lines;
}

void gy_edge_input_close(gy_edge_input_t *in)
{
    if (!in)
        return;
    gy_edges_close(in->file);
    gy_free(in->ranges);
    gy_free(in->gen_first);
    gy_free(in->gen_count);
    gy_free(in->prefix);
    gy_free(in);
}

static bool is_generator(const char *spec)
{
    return strncmp(spec, "rmat:", 5) == 0 || strncmp(spec, "er:", 3) == 0;
}

static int open_generator(gy_edge_input_t *in, const char *spec, char *err, size_t errlen)
{
    int rc = gy_gen_parse_spec(spec, &in->gen, err, errlen);

    if (rc != 0)
        return rc;
    if (in->epochs.mode == GY_EPOCHS_TIME) {
        snprintf(err, errlen, "%s: event-time windows need a time column; generated edges have none",
                 spec);
        return -EINVAL;
    }
    in->generated = true;
    in->gen_first = gy_calloc(in->workers, sizeof(uint64_t));
    in->gen_count = gy_calloc(in->workers, sizeof(uint64_t));
    if (!in->gen_first || !in->gen_count)
        return -ENOMEM;
    for (uint32_t w = 0; w < in->workers; w++) {
        gy_gen_partition(gy_gen_count(&in->gen), in->workers, w, &in->gen_first[w],
                         &in->gen_count[w]);
        in->prefix[w].lines = in->gen_first[w];
    }
    in->lines = gy_gen_count(&in->gen);
    return 0;
}

/* Event-time windows need each range's first and largest time: one parse
 * of the range (bad lines fail here already, before any worker starts). */
static int summarize_times(gy_edge_input_t *in, struct gy_edges_range r,
                           struct gy_epochs_summary *s, char *err, size_t errlen)
{
    struct gy_edges_cursor c;
    struct gy_edge buf[512];
    size_t n;
    int rc;

    gy_edges_cursor_init(&c, in->file, r, 0);
    while ((rc = gy_edges_next(&c, buf, NULL, 512, &n, err, errlen)) == 0 && n > 0)
        for (size_t i = 0; i < n; i++)
            gy_epochs_summary_add(s, buf[i].time);
    return rc;
}

static int open_file(gy_edge_input_t *in, const struct gy_edge_input_cfg *cfg, char *err,
                     size_t errlen)
{
    struct gy_epochs_summary acc, mine;
    int rc = gy_edges_open(cfg->spec, &cfg->file, &in->file, err, errlen);

    if (rc != 0)
        return rc;
    in->ranges = gy_calloc(in->workers, sizeof(*in->ranges));
    if (!in->ranges)
        return -ENOMEM;
    if ((rc = gy_edges_split(in->file, in->workers, in->ranges)) != 0)
        return rc;
    gy_epochs_summary_init(&acc);
    for (uint32_t w = 0; w < in->workers; w++) {
        in->prefix[w] = acc;
        gy_epochs_summary_init(&mine);
        if (in->epochs.mode == GY_EPOCHS_TIME)
            rc = summarize_times(in, in->ranges[w], &mine, err, errlen);
        else
            rc = gy_edges_count(in->file, in->ranges[w], &mine.lines);
        if (rc != 0)
            return rc;
        gy_epochs_summary_cat(&acc, &mine);
    }
    in->lines = acc.lines;
    return 0;
}

int gy_edge_input_open(const struct gy_edge_input_cfg *cfg, uint32_t workers,
                       gy_edge_input_t **out, char *err, size_t errlen)
{
    gy_edge_input_t *in = gy_calloc(1, sizeof(*in));
    struct gy_epochs_cursor probe;
    int rc;

    if (!in)
        return -ENOMEM;
    snprintf(in->name, sizeof(in->name), "%s", cfg->spec);
    in->epochs = cfg->epochs;
    in->skip_bad = cfg->file.skip_bad;
    in->workers = workers ? workers : 1;
    in->prefix = gy_calloc(in->workers, sizeof(*in->prefix));
    rc = in->prefix ? gy_epochs_cursor_init(&probe, &cfg->epochs, in->prefix) : -ENOMEM;
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
    struct gy_edges_cursor file;
    uint64_t gen_next, gen_end;
    struct gy_epochs_cursor epochs;
    struct gy_edge_source_stats *stats;
    struct gy_edge_source_stats own;   /* when the caller passed none */
    const struct gy_edge_throttle *throttle; /* the caller's, or own_throttle */
    struct gy_edge_throttle own_throttle;
    bool done;
    struct gy_edge buf[SOURCE_CHUNK];
    uint64_t lines[SOURCE_CHUNK];
    uint64_t epoch[SOURCE_CHUNK];
    uint64_t skipped[SOURCE_CHUNK];    /* skip_bad: bad lines just before edge i */
};

/* Sends buf[from, to), all of one epoch, with a capability for it. */
static int send_run(struct source *s, size_t from, size_t to)
{
    struct gy_time t = gy_time_epoch(s->epoch[from]);
    struct gy_cap c;
    int rc;

    if (gy_time_eq(&t, &s->cap.time))
        return gy_op_give(s->op, 0, &s->cap, &s->buf[from], (uint32_t)(to - from));
    if ((rc = gy_cap_retain(s->op, &s->cap, &t, &c)) != 0)
        return rc;
    rc = gy_op_give(s->op, 0, &c, &s->buf[from], (uint32_t)(to - from));
    gy_cap_drop(s->op, &c);
    return rc;
}

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
        s->stats->edges += to - from;
        if (send_run(s, from, to) != 0)
            return -ECANCELED;
        from = to;
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
        rc = gy_edges_next(&s->file, &s->buf[k], &s->lines[k], 1, &got, err, errlen);
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
        rc = gy_edges_next(&s->file, s->buf, s->lines, SOURCE_CHUNK, n, err, sizeof(err));
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

/* Too far ahead of what the probe reports complete: wait. */
static bool throttled(const struct source *s)
{
    struct gy_time t;

    const struct gy_edge_throttle *th = s->throttle;

    if (!th->probe || th->max_open == 0 || s->cap.time.epoch < th->max_open)
        return false;
    t = gy_time_epoch(s->cap.time.epoch - th->max_open);
    return gy_probe_less_equal(th->probe, &t);
}

static void finish(struct source *s)
{
    if (!s->in->generated)
        gy_edges_bad_merge(&s->stats->bad, &s->file.bad);
    gy_cap_drop(s->op, &s->cap);
    s->done = true;
}

static void source_run(gy_op_t *op, void *state)
{
    struct source *s = state;
    struct gy_time next;
    size_t n = 0;

    if (s->done)
        return;
    if (throttled(s)) {
        gy_op_activate(op); /* poll: the probe moves as other operators run */
        return;
    }
    if (read_chunk(s, &n) != 0 || (n > 0 && (assign_epochs(s, n) != 0 || send_chunk(s, n) != 0)))
        return;
    if (n == 0) {
        finish(s);
        return;
    }
    next = gy_time_epoch(gy_epochs_frontier(&s->epochs));
    if (gy_time_lt(&s->cap.time, &next) && gy_cap_downgrade(op, &s->cap, &next) != 0)
        return;
    gy_op_activate(op);
}

static int source_init(struct source *s, const gy_edge_input_t *in, uint32_t w)
{
    if (in->generated) {
        s->gen_next = in->gen_first[w];
        s->gen_end = in->gen_first[w] + in->gen_count[w];
    } else {
        gy_edges_cursor_init(&s->file, in->file, in->ranges[w], 0);
    }
    return gy_epochs_cursor_init(&s->epochs, &in->epochs, &in->prefix[w]);
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

    if (!s || gy_worker_peers(wk) != in->workers || source_init(s, in, gy_worker_index(wk)) != 0) {
        gy_free(s);
        gy_worker_fail(wk, "%s: edge input prepared for %u workers, run has %u", in->name,
                       in->workers, gy_worker_peers(wk));
        return NULL;
    }
    s->in = in;
    s->stats = stats ? stats : &s->own;
    s->own_throttle = own;
    s->throttle = throttle ? throttle : &s->own_throttle;
    s->op = gy_op_new(df, &spec);
    if (!s->op)
        return NULL;
    /* Initial capabilities are counted on every worker, so every worker
     * declares the same one, epoch 0; the first run downgrades it to where
     * this worker's range starts. */
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
