/*
 * Allocation wrappers. Every allocation in gyre goes through these so that a
 * test can make the Nth allocation fail and check the unwinding path.
 *
 * Thread safety: all functions may be called from any thread. The failure
 * injection counter is a process-wide atomic.
 */
#ifndef GY_PROGRESS_ALLOC_H
#define GY_PROGRESS_ALLOC_H

#include <stddef.h>

#include "progress/compiler.h"

/* Like malloc/calloc/realloc/free; return NULL on ENOMEM (or injected failure). */
GY_NODISCARD void *gy_malloc(size_t size);
GY_NODISCARD void *gy_calloc(size_t n, size_t size);
GY_NODISCARD void *gy_realloc(void *p, size_t size);
void gy_free(void *p);

/*
 * Zeroed memory of size bytes straight from the kernel (an anonymous
 * mapping), for big tables and buffers: pages are zero-filled on first
 * touch, never memset. malloc serves a big block from a thread's arena once
 * its adaptive threshold has risen, and calloc then clears all of it up
 * front, faulting in pages that may never be used. NULL on ENOMEM (or
 * injected failure, or size 0). Free with gy_unmap and the same size.
 */
GY_NODISCARD void *gy_map(size_t size);
void gy_unmap(void *p, size_t size);

/*
 * Grows *items (of *cap elements of elem_size bytes) to hold at least need
 * elements, doubling. Returns 0 or -ENOMEM (then *items is unchanged).
 */
GY_NODISCARD int gy_grow(void **items, size_t *cap, size_t need, size_t elem_size);

/*
 * Test hook: make the allocation numbered n (1 = the next one) and every later
 * one fail; n = 0 turns injection off. Returns how many allocations succeeded
 * since the last call.
 */
long gy_alloc_fail_after(long n);

#endif
