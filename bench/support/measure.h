/*
 * Small measuring helpers shared by the benchmark binaries and `gyre
 * bench`: the process's CPU time, sorting repeated figures, and the word
 * a target check prints.
 */
#ifndef GY_BENCH_SUPPORT_MEASURE_H
#define GY_BENCH_SUPPORT_MEASURE_H

#include <stdbool.h>
#include <stddef.h>

/* CPU seconds of the whole process, all threads, user and system: the
 * work done, which other load on the machine does not inflate the way it
 * inflates wall time. */
double bench_cpu_seconds(void);

/* Sorts x[0 .. n) ascending. */
void bench_sort_doubles(double *x, size_t n);

/* "met" or "MISSED", for a printed target check. */
const char *bench_verdict(bool met);

#endif
