/* Measuring helpers of the benchmarks (measure.h). */
#include "bench/support/measure.h"

#include <stdlib.h>
#include <time.h>

double bench_cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

void bench_sort_doubles(double *x, size_t n)
{
    qsort(x, n, sizeof(*x), cmp_double);
}

const char *bench_verdict(bool met)
{
    return met ? "met" : "MISSED";
}
