/*
 * Allocation wrappers with failure injection for tests.
 *
 * Injection: gy_alloc_fail_after(n) arms a process-wide countdown of n - 1
 * successful allocations; once it runs out, every allocation fails until the
 * next call turns injection off (n = 0) or re-arms it. The countdown and the
 * success counter are relaxed atomics: tests arm injection from one thread,
 * and no ordering with other memory is needed, only an exact count.
 */
#include "progress/alloc.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

static atomic_bool fail_armed;
static atomic_long fail_left;  /* allocations that still succeed while armed */
static atomic_long succeeded;  /* successful allocations since the last gy_alloc_fail_after */

/* True if this allocation must fail (injection armed and the countdown spent). */
static bool injected_failure(void)
{
    if (GY_LIKELY(!atomic_load_explicit(&fail_armed, memory_order_relaxed)))
        return false;
    return atomic_fetch_sub_explicit(&fail_left, 1, memory_order_relaxed) <= 0;
}

static void *counted(void *p)
{
    if (p)
        atomic_fetch_add_explicit(&succeeded, 1, memory_order_relaxed);
    return p;
}

void *gy_malloc(size_t size)
{
    if (injected_failure())
        return NULL;
    return counted(malloc(size ? size : 1));
}

void *gy_calloc(size_t n, size_t size)
{
    if (injected_failure())
        return NULL;
    if (n == 0 || size == 0)
        n = size = 1;
    return counted(calloc(n, size));
}

void *gy_realloc(void *p, size_t size)
{
    if (injected_failure())
        return NULL;
    return counted(realloc(p, size ? size : 1));
}

void gy_free(void *p)
{
    free(p);
}

void *gy_map(size_t size)
{
    void *p;

    if (injected_failure() || size == 0)
        return NULL;
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return counted(p == MAP_FAILED ? NULL : p);
}

void gy_unmap(void *p, size_t size)
{
    if (p)
        (void)munmap(p, size);
}

int gy_grow(void **items, size_t *cap, size_t need, size_t elem_size)
{
    size_t ncap;
    void *p;

    if (need <= *cap)
        return 0;
    ncap = *cap ? *cap : 4;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return -ENOMEM;
        ncap *= 2;
    }
    if (elem_size && ncap > SIZE_MAX / elem_size)
        return -ENOMEM;
    p = gy_realloc(*items, ncap * elem_size);
    if (!p)
        return -ENOMEM;
    *items = p;
    *cap = ncap;
    return 0;
}

long gy_alloc_fail_after(long n)
{
    long before = atomic_exchange_explicit(&succeeded, 0, memory_order_relaxed);

    atomic_store_explicit(&fail_left, n > 0 ? n - 1 : 0, memory_order_relaxed);
    atomic_store_explicit(&fail_armed, n > 0, memory_order_relaxed);
    return before;
}
