/*
 * TSan cannot see the inline-assembly atomics of liburcu 0.13's wfcqueue.
 * Every hand-off through such a queue is marked instead: the producer
 * releases the node before it enqueues, the consumer acquires it after it
 * dequeues, which is exactly the ordering the queue provides.
 */
#ifndef GY_RUNTIME_TSAN_H
#define GY_RUNTIME_TSAN_H

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#define GY_TSAN_RELEASE(p) __tsan_release((void *)(p))
#define GY_TSAN_ACQUIRE(p) __tsan_acquire((void *)(p))
#else
#define GY_TSAN_RELEASE(p) ((void)(p))
#define GY_TSAN_ACQUIRE(p) ((void)(p))
#endif

#endif
