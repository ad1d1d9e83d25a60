/*
 * Run statistics (docs/stats.md): per-operator instrumentation and the
 * progress protocol's traffic, gathered while a run goes and handed back
 * as one snapshot after it.
 *
 * Off by default (struct gy_runtime_config.stats). On, every worker counts,
 * for each of its operator slots, the records and batches in and out, the
 * runs and the time spent in them (a CLOCK_MONOTONIC read between two runs:
 * n runs in a row take n + 1), and for itself the progress batches and updates it sent, the
 * data it sent to peers, the time it waited with nothing to do and how long
 * its frontiers took to advance. Off, none of that is counted and no clock
 * is read: the snapshot still lists the operators, with zero counts.
 *
 * From the totals follow the figures a rate-based scaling controller (DS2,
 * Kalavri et al., OSDI 2018) works from: an operator's true processing rate
 * (records in per busy second of one instance), its selectivity (records
 * out per record in), and the instances it would need for a target input
 * rate (gy_stats_ds2). They are estimates from one run.
 *
 * Threads: gy_runtime_run_stats from the main thread, like gy_runtime_run.
 * A snapshot is plain data once returned: any thread may read it, one frees it.
 */
#ifndef GY_RUNTIME_STATS_H
#define GY_RUNTIME_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "progress/compiler.h"
#include "runtime/runtime.h"

typedef struct gy_stats gy_stats_t;

/* Names are cut to this many bytes, NUL included. */
#define GY_STATS_NAME 64

/* No slot: an operator without inputs has no input0_from. */
#define GY_STATS_NONE UINT32_MAX

/* One operator slot on one worker. Counts are zero when stats were off. */
struct gy_stats_op {
    char dataflow[GY_STATS_NAME];  /* the dataflow's name */
    char name[GY_STATS_NAME];      /* the operator's (slot's) name */
    uint32_t dataflow_id;          /* the same on every worker (SPMD) */
    uint32_t slot;                 /* the same on every worker */
    uint32_t worker;
    uint32_t ninputs, noutputs;
    uint32_t input0_from;          /* slot whose output feeds input 0, or GY_STATS_NONE */
    uint64_t records_in;           /* records popped from its inputs */
    uint64_t records_out;          /* records given to its outputs, once each whatever the
                                    * consumers (a broadcast's copies are not counted) */
    uint64_t batches_in;           /* batches popped (batches regrouped on arrival count once) */
    uint64_t batches_out;          /* batches sealed on its channels, one per destination */
    uint64_t runs;                 /* times the worker ran it */
    double busy_s;                 /* in its runs: its code, then sealing and sending its output */
    double idle_s;                 /* the worker's wall_s - busy_s */
};

/* One worker. Counts are zero when stats were off. */
struct gy_stats_worker {
    uint32_t worker;
    double wall_s;                 /* the worker function, from its start to its return */
    double busy_s;                 /* in operator runs, every dataflow's slots summed */
    double wait_s;                 /* spinning, yielding or parked with nothing to do */
    uint64_t steps;                /* gy_worker_step rounds */
    uint64_t progress_batches;     /* progress batches sent to peers */
    uint64_t progress_updates;     /* pointstamp updates in them */
    uint64_t progress_bytes;       /* their payload: updates * the size of one update */
    uint64_t data_batches;         /* record batches sent to peers */
    uint64_t data_bytes;           /* their records' bytes */
    /* Frontier advances: propagations of this worker's tracker that moved
     * some input's frontier. Each one's latency runs from the publication
     * of the oldest progress update it applied (by this worker or a peer)
     * to the propagation: an upper bound on how long the update that moved
     * the frontier took to take effect here. */
    uint64_t frontier_advances;
    double advance_mean_s;         /* 0 when there was none */
    double advance_max_s;
};

/* One operator summed over the workers it ran on. */
struct gy_stats_total {
    char dataflow[GY_STATS_NAME];
    char name[GY_STATS_NAME];
    uint32_t dataflow_id, slot;
    uint32_t ninputs, noutputs;
    uint32_t input0_from;
    uint32_t instances;            /* workers that ran it */
    uint64_t records_in, records_out, batches_in, batches_out, runs;
    double busy_s;                 /* summed over instances */
    double wall_s;                 /* its workers' wall_s, summed: the instance-seconds */
    double busy_frac;              /* busy_s / wall_s; NAN when wall_s is 0 */
    double rate_in;                /* true processing rate of one instance: records_in /
                                    * busy_s; NAN without records or busy time */
    double rate_out;               /* true output rate: records_out / busy_s; NAN likewise */
    double selectivity;            /* records_out / records_in; NAN without input */
};

/* DS2's estimate for one operator at a target input rate. */
struct gy_stats_ds2 {
    double source_records;         /* records out of the dataflow's sources (slots without
                                    * inputs) in the run */
    double need_in;                /* records/s it must take at the target: target *
                                    * records_in / source_records (for a source, its share of
                                    * the target, in records out); NAN without records */
    double capacity;               /* what one instance takes per busy second (rate_in; a
                                    * source: rate_out); NAN without records */
    uint32_t instances;            /* ceil(need_in / capacity) = ceil(target * busy_s /
                                    * source_records), at least 1; 0: no estimate (no busy
                                    * time, or the dataflow's sources sent nothing) */
};

/*
 * gy_runtime_run, which also hands back the run's statistics: on 0, *stats
 * is a new snapshot (pair with gy_stats_free); on failure *stats is NULL.
 * The counts are those of cfg->stats; with it off, the snapshot lists the
 * operators with zero counts. The snapshot covers every dataflow the
 * workers built, gathered as each was freed. Main thread only. Returns as
 * gy_runtime_run, or -ENOMEM (err says so) when the snapshot could not be
 * made.
 */
GY_NODISCARD int gy_runtime_run_stats(const struct gy_runtime_config *cfg, gy_worker_fn fn,
                                      void *arg, gy_stats_t **stats, char *err, size_t errlen);

/* Frees a snapshot. NULL is fine. */
void gy_stats_free(gy_stats_t *s);

/* Whether the run counted (cfg.stats). */
bool gy_stats_enabled(const gy_stats_t *s);

/* The workers, 0 .. gy_stats_workers(s) - 1. */
uint32_t gy_stats_workers(const gy_stats_t *s);
const struct gy_stats_worker *gy_stats_worker(const gy_stats_t *s, uint32_t w);

/* Every (operator, worker), ordered by dataflow id, slot, then worker. */
size_t gy_stats_nops(const gy_stats_t *s);
const struct gy_stats_op *gy_stats_op(const gy_stats_t *s, size_t i);

/* Every operator summed over its workers, by dataflow id, then slot. */
size_t gy_stats_ntotals(const gy_stats_t *s);
const struct gy_stats_total *gy_stats_total(const gy_stats_t *s, size_t i);

/*
 * DS2 (Kalavri et al., OSDI 2018) for total i: the instances it would need
 * to keep up with target_rate records per second leaving its dataflow's
 * sources, with the rates and selectivities this run observed. Records
 * that go round a loop count each time round, as the operator must take
 * them each time. An estimate from one run: rates change with the input,
 * the batching and the machine.
 */
void gy_stats_ds2(const gy_stats_t *s, size_t i, double target_rate, struct gy_stats_ds2 *out);

#endif
