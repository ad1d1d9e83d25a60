/*
 * Compiler helpers shared by every layer: attributes, branch hints and the
 * cache-line size. Lowest layer of gyre; includes nothing of ours.
 */
#ifndef GY_PROGRESS_COMPILER_H
#define GY_PROGRESS_COMPILER_H

#define GY_NODISCARD  __attribute__((warn_unused_result))
#define GY_NOINLINE   __attribute__((noinline))
#define GY_UNUSED     __attribute__((unused))
#define GY_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define GY_LIKELY(x)   __builtin_expect(!!(x), 1)
#define GY_UNLIKELY(x) __builtin_expect(!!(x), 0)

/* 64 bytes on every x86-64 and most ARMv8 parts; 128 would only waste memory. */
#define GY_CACHELINE 64

#ifndef GY_DEBUG
#define GY_DEBUG 0
#endif

#endif
