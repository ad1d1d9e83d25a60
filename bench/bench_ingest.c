/*
 * Ingest benchmark (graph/source.h): how fast an edge file becomes a stream
 * of records inside the dataflow, end to end, for a text edge list, the same
 * text gzip-compressed, and the binary .gyb, at W = 1 and W = 2.
 *
 * Input: an R-MAT graph (graph/gen.h, Graph500 parameters, edge factor 16,
 * seed 1) of scale GY_BENCH_SCALE (default 19: 8.4 M edges, about 110 MB of
 * text), written once to temporary files in $TMPDIR (default /tmp) and then
 * read from the page cache.
 *
 * End to end means everything after the file is on disk: gy_edge_input_open
 * on the main thread (map or inflate the file, split it, count the lines
 * before each range) plus the dataflow run on W workers, each running its
 * edge source -> an exchange by u -> an operator that counts what arrives,
 * in epochs of BATCH edges with at most MAX_OPEN epochs unfinished at a
 * probe behind the counter (so memory stays bounded). MB/s is input bytes
 * (for gz, the inflated text) over that wall time; per core divides by W.
 * Every run checks that every edge arrived.
 *
 * Beside it, on one thread, two floors that read the same bytes without
 * parsing: "mapped", mapping the file and summing its 8-byte words (no
 * copy, no allocation: the strictest floor), and "read", read(2) of the
 * whole file into freshly allocated memory, what "reading a file into
 * memory" costs a program that does it (the 1.9 GB/s); and the
 * reader alone,
 * gy_edges_next over the whole file with no dataflow. Each figure is the
 * best and the median of REPEAT runs. The ratios printed at the end are
 * measured in this run: text MB/s per core against the 1000 MB/s target,
 * binary end to end against the floor, and W=2 over W=1.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench/support/count_sink.h"
#include "bench/support/measure.h"
#include "graph/edgefile.h"
#include "graph/gen.h"
#include "graph/source.h"
#include "operators/input.h"
#include "operators/op.h"
#include "progress/alloc.h"
#include "runtime/runtime.h"

#define DEFAULT_SCALE 19          /* 8.4 M edges, ~110 MB of text: ~10 s in all */
#define BATCH (1u << 20)          /* edges per epoch */
#define MAX_OPEN 4                /* epochs read ahead of the probe: the driver's default */
#define REPEAT 3                  /* runs per figure: best and median */
#define TARGET_MBS 1000.0         /* text, MB/s per core, end to end */
#define GEN_CHUNK 65536           /* edges per generate/write call */

enum { TEXT, GZ, BIN, NFMT };

static const char *const fmt_name[NFMT] = {"text", "gz", "bin"};

struct file {
    char path[512];
    double bytes;                 /* what the reader parses: for gz the inflated text */
    double stored;                /* bytes on disk */
};

struct run {
    const gy_edge_input_t *in;
    struct gy_edge_throttle th[2];
    _Atomic uint64_t xreceived;   /* records counted, all workers */
};

/* Sorts rate[0..REPEAT) ascending: best is the last, median the middle. */
static void sort_rates(double *rate)
{
    bench_sort_doubles(rate, REPEAT);
}

/* ---- the input files ---- */

static int write_file(const struct gy_gen_spec *spec, const char *path, struct gy_edge *buf)
{
    char err[GY_EDGES_ERRLEN];
    gy_edges_writer_t *w;
    uint64_t m = gy_gen_count(spec);

    if (gy_edges_writer_open(path, GY_EDGES_AUTO, 0, &w, err, sizeof(err)) != 0)
        goto fail;
    for (uint64_t first = 0; first < m; first += GEN_CHUNK) {
        size_t n = m - first < GEN_CHUNK ? (size_t)(m - first) : GEN_CHUNK;
        if (gy_gen_range(spec, first, n, buf) != 0 ||
            gy_edges_writer_put(w, buf, n, err, sizeof(err)) != 0) {
            gy_edges_writer_abort(w);
            goto fail;
        }
    }
    if (gy_edges_writer_close(w, err, sizeof(err)) == 0)
        return 0;
fail:
    fprintf(stderr, "bench_ingest: %s\n", err);
    return -1;
}

static double file_size(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 ? (double)st.st_size : 0;
}

static int make_files(const struct gy_gen_spec *spec, struct file *f)
{
    static const char *const ext[NFMT] = {"txt", "txt.gz", "gyb"};
    const char *dir = getenv("TMPDIR") && *getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    struct gy_edge *buf = gy_malloc(GEN_CHUNK * sizeof(*buf));
    int rc = 0;

    if (!buf)
        return -1;
    for (int k = 0; k < NFMT && rc == 0; k++) {
        snprintf(f[k].path, sizeof(f[k].path), "%s/bench_ingest-%d.%s", dir, (int)getpid(),
                 ext[k]);
        rc = write_file(spec, f[k].path, buf);
        f[k].stored = file_size(f[k].path);
    }
    gy_free(buf);
    f[TEXT].bytes = f[TEXT].stored;
    f[GZ].bytes = f[TEXT].stored;
    f[BIN].bytes = f[BIN].stored;
    return rc;
}

/* ---- the floor and the reader alone ---- */

/* Maps path and reads every byte (a sum of 8-byte words); MB/s, or < 0. */
static double floor_rate(const char *path)
{
    int fd = open(path, O_RDONLY);
    size_t len = (size_t)file_size(path);
    volatile uint64_t keep;
    const unsigned char *p;
    uint64_t sum = 0, x;
    double t0 = gy_now();

    if (fd < 0)
        return -1;
    p = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (p == MAP_FAILED)
        return -1;
    for (size_t i = 0; i + 8 <= len; i += 8) {
        memcpy(&x, p + i, 8);
        sum += x;
    }
    keep = sum;
    (void)keep;
    munmap((void *)p, len);
    return (double)len / (gy_now() - t0) / 1e6;
}

/* read(2)s the whole file into a fresh buffer; MB/s, or < 0. */
static double read_floor_rate(const char *path)
{
    int fd = open(path, O_RDONLY);
    size_t len = (size_t)file_size(path), got = 0;
    volatile unsigned char keep;
    unsigned char *buf;
    double t0 = gy_now();

    if (fd < 0)
        return -1;
    /* gy_map, not malloc: a small file's buffer would be memory malloc has
     * reused, already backed, and the floor would not be "fresh memory". */
    if (!(buf = gy_map(len + 1))) {
        close(fd);
        return -1;
    }
    while (got < len) {
        ssize_t r = read(fd, buf + got, len - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    keep = got ? buf[got - 1] : 0;
    (void)keep;
    gy_unmap(buf, len + 1);
    return got == len ? (double)len / (gy_now() - t0) / 1e6 : -1;
}

/* Opens and parses the whole file on this thread; MB/s of parsed bytes, or < 0. */
static double reader_rate(const struct file *f, uint64_t m)
{
    static struct gy_edge buf[4096];
    char err[GY_EDGES_ERRLEN];
    struct gy_edges_cursor c;
    uint64_t total = 0;
    gy_edges_t *e;
    size_t n;
    double t0 = gy_now();

    if (gy_edges_open(f->path, NULL, &e, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_ingest: %s\n", err);
        return -1;
    }
    gy_edges_cursor_init(&c, e, gy_edges_all(e), 0);
    while (gy_edges_next(&c, buf, NULL, 4096, &n, err, sizeof(err)) == 0 && n > 0)
        total += n;
    gy_edges_close(e);
    if (total != m) {
        fprintf(stderr, "bench_ingest: %s: read %llu edges, want %llu\n", f->path,
                (unsigned long long)total, (unsigned long long)m);
        return -1;
    }
    return f->bytes / (gy_now() - t0) / 1e6;
}

/* ---- end to end ---- */

static uint64_t key_u(const void *rec, void *arg)
{
    (void)arg;
    return ((const struct gy_edge *)rec)->u;
}

/* source -> exchange by u -> count -> probe, which throttles the source. */
static int worker(gy_worker_t *w, void *arg)
{
    struct run *r = arg;
    uint32_t me = gy_worker_index(w);
    gy_dataflow_t *df = gy_dataflow_new(w, "ingest");
    uint64_t received = 0; /* outlives the run */
    gy_stream_t *src = df ? gy_edge_source_throttled(df, r->in, NULL, &r->th[me]) : NULL;
    gy_op_t *op = src ? count_sink(src, gy_pact_exchange(key_u, NULL), &received) : NULL;
    int rc;

    if (!op)
        return -ECANCELED;
    r->th[me].probe = gy_probe_new(gy_op_output(op, 0));
    r->th[me].max_open = MAX_OPEN;
    if (!r->th[me].probe || gy_dataflow_build(df) != 0)
        return -ECANCELED;
    rc = gy_worker_run(w);
    atomic_fetch_add_explicit(&r->xreceived, received, memory_order_relaxed);
    return rc;
}

/* What one end-to-end run measured. */
struct e2e {
    double wall;                  /* MB/s of wall time */
    double cpu;                   /* MB per CPU second, all threads */
    double open_share;            /* the open's part of the wall time */
};

/* One end-to-end run; 0, or -1 after printing why. */
static int e2e_run(const struct file *f, uint32_t workers, uint64_t m, struct e2e *out)
{
    static struct run r;
    struct gy_edge_input_cfg cfg = {.spec = f->path,
                                    .epochs = {.mode = GY_EPOCHS_COUNT, .batch = BATCH}};
    struct gy_runtime_config rc;
    gy_edge_input_t *in;
    char err[GY_EDGES_ERRLEN];
    double c0 = bench_cpu_seconds(), t0 = gy_now(), t1;
    int res;

    memset(&r, 0, sizeof(r));
    atomic_init(&r.xreceived, 0);
    if (gy_edge_input_open(&cfg, workers, &in, err, sizeof(err)) != 0) {
        fprintf(stderr, "bench_ingest: %s\n", err);
        return -1;
    }
    t1 = gy_now();
    r.in = in;
    gy_runtime_config_init(&rc);
    rc.workers = workers;
    res = gy_runtime_run(&rc, worker, &r, err, sizeof(err));
    gy_edge_input_close(in);
    if (res != 0 || atomic_load(&r.xreceived) != m) {
        fprintf(stderr, "bench_ingest: %s W=%u: %s (%llu of %llu edges arrived)\n", f->path,
                workers, res != 0 ? err : "lost edges",
                (unsigned long long)atomic_load(&r.xreceived), (unsigned long long)m);
        return -1;
    }
    out->open_share = (t1 - t0) / (gy_now() - t0);
    out->wall = f->bytes / (gy_now() - t0) / 1e6;
    out->cpu = f->bytes / (bench_cpu_seconds() - c0) / 1e6;
    return 0;
}

/* ---- report ---- */

struct figures {
    double floor[NFMT], rfloor[NFMT];  /* mapped and read floors, best of REPEAT, MB/s */
    double reader[NFMT];               /* best of REPEAT, MB/s */
    double e2e[NFMT][2];               /* best, MB/s of wall time, W = 1 and 2 */
    double cpu[NFMT][2];               /* best, MB per CPU second, W = 1 and 2 */
};

static int measure_side(const struct file *f, uint64_t m, struct figures *fig)
{
    for (int k = 0; k < NFMT; k++) {
        double fl[REPEAT], rf[REPEAT], rd[REPEAT];
        for (int i = 0; i < REPEAT; i++) {
            fl[i] = k == GZ ? 0 : floor_rate(f[k].path);
            rf[i] = k == GZ ? 0 : read_floor_rate(f[k].path);
            rd[i] = reader_rate(&f[k], m);
            if (fl[i] < 0 || rf[i] < 0 || rd[i] < 0)
                return -1;
        }
        sort_rates(fl);
        sort_rates(rf);
        sort_rates(rd);
        fig->floor[k] = fl[REPEAT - 1];
        fig->rfloor[k] = rf[REPEAT - 1];
        fig->reader[k] = rd[REPEAT - 1];
    }
    printf("  floor mapped, 1 thread (map, sum every word):       text %6.0f            "
           "bin %6.0f MB/s\n", fig->floor[TEXT], fig->floor[BIN]);
    printf("  floor read, 1 thread (read(2) into fresh memory):   text %6.0f            "
           "bin %6.0f MB/s\n", fig->rfloor[TEXT], fig->rfloor[BIN]);
    printf("  reader alone, 1 thread (open + gy_edges_next):      text %6.0f   gz %6.0f   "
           "bin %6.0f MB/s\n", fig->reader[TEXT], fig->reader[GZ], fig->reader[BIN]);
    return 0;
}

static int measure_e2e(const struct file *f, uint64_t m, struct figures *fig)
{
    for (int k = 0; k < NFMT; k++)
        for (uint32_t w = 1; w <= 2; w++) {
            double wall[REPEAT], cpu[REPEAT], share[REPEAT], best;
            struct e2e e;
            for (int i = 0; i < REPEAT; i++) {
                if (e2e_run(&f[k], w, m, &e) != 0)
                    return -1;
                wall[i] = e.wall;
                cpu[i] = e.cpu;
                share[i] = e.open_share;
            }
            sort_rates(wall);
            sort_rates(cpu);
            sort_rates(share);
            best = wall[REPEAT - 1];
            fig->e2e[k][w - 1] = best;
            fig->cpu[k][w - 1] = cpu[REPEAT - 1];
            printf("  %-4s W=%u  best %7.1f  median %7.1f MB/s  %6.1f M edges/s  per core "
                   "%6.1f MB/s wall, %6.1f MB/CPU-s  (open %2.0f%%)\n", fmt_name[k], w, best,
                   wall[REPEAT / 2], best / f[k].bytes * (double)m, best / w, cpu[REPEAT - 1],
                   100 * share[REPEAT / 2]);
        }
    return 0;
}

static void print_ratios(const struct figures *fig)
{
    printf("  ratios: text per core vs the %.0f MB/s target: W=1 %.2fx, W=2 %.2fx "
           "(per CPU second: W=1 %.2fx, W=2 %.2fx)\n", TARGET_MBS, fig->e2e[TEXT][0] / TARGET_MBS,
           fig->e2e[TEXT][1] / 2 / TARGET_MBS, fig->cpu[TEXT][0] / TARGET_MBS,
           fig->cpu[TEXT][1] / TARGET_MBS);
    printf("          bin vs the mapped floor: end to end W=1 %.2fx, W=2 %.2fx (per core "
           "%.2fx); reader alone %.2fx\n", fig->e2e[BIN][0] / fig->floor[BIN],
           fig->e2e[BIN][1] / fig->floor[BIN], fig->e2e[BIN][1] / 2 / fig->floor[BIN],
           fig->reader[BIN] / fig->floor[BIN]);
    printf("          bin vs the read floor:   end to end W=1 %.2fx, W=2 %.2fx (per core "
           "%.2fx); reader alone %.2fx\n", fig->e2e[BIN][0] / fig->rfloor[BIN],
           fig->e2e[BIN][1] / fig->rfloor[BIN], fig->e2e[BIN][1] / 2 / fig->rfloor[BIN],
           fig->reader[BIN] / fig->rfloor[BIN]);
    printf("          W=2 / W=1: text %.2fx, gz %.2fx, bin %.2fx\n",
           fig->e2e[TEXT][1] / fig->e2e[TEXT][0], fig->e2e[GZ][1] / fig->e2e[GZ][0],
           fig->e2e[BIN][1] / fig->e2e[BIN][0]);
}

int main(void)
{
    const char *env = getenv("GY_BENCH_SCALE");
    unsigned scale = env && *env ? (unsigned)atoi(env) : DEFAULT_SCALE;
    struct gy_gen_spec spec;
    struct figures fig;
    struct file f[NFMT];
    double t0 = gy_now();
    int rc = 1;

    if (scale < 10 || gy_gen_rmat(&spec, scale, GY_GEN_DEFAULT_EDGEFACTOR, 1) != 0) {
        fprintf(stderr, "bench_ingest: GY_BENCH_SCALE must be an R-MAT scale from 10 to 62\n");
        return 1;
    }
    memset(f, 0, sizeof(f));
    if (make_files(&spec, f) != 0)
        goto out;
    printf("bench_ingest: R-MAT scale %u, %llu edges: text %.1f MB, gz %.1f MB (inflates to the "
           "text), bin %.1f MB; %u cores; written in %.1f s\n", scale,
           (unsigned long long)gy_gen_count(&spec), f[TEXT].stored / 1e6, f[GZ].stored / 1e6,
           f[BIN].stored / 1e6, gy_runtime_cores(), gy_now() - t0);
    printf("  end to end: open + source -> exchange by u -> count, epochs of %u edges, %u in "
           "flight; best and median of %d runs\n", BATCH, MAX_OPEN, REPEAT);
    if (measure_side(f, gy_gen_count(&spec), &fig) != 0 ||
        measure_e2e(f, gy_gen_count(&spec), &fig) != 0)
        goto out;
    print_ratios(&fig);
    rc = 0;
out:
    for (int k = 0; k < NFMT; k++)
        if (f[k].path[0])
            unlink(f[k].path);
    return rc;
}
