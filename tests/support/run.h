/*
 * Test support: running a worker function on W workers the way the tests
 * do. Any test binary may use this.
 *
 * Tests run unpinned: they start more workers than the machine has cores,
 * next to other test binaries, where pinning only stacks threads on the
 * same cores.
 */
#ifndef GY_TESTS_SUPPORT_RUN_H
#define GY_TESTS_SUPPORT_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "runtime/runtime.h"

/* The defaults with `workers` unpinned workers; a case sets more fields on
 * the copy it gets. */
struct gy_runtime_config ts_runtime_config(uint32_t workers);

/* gy_runtime_run(ts_runtime_config(workers), fn, arg). Sets err to "" first,
 * so that err is a string whatever the outcome. Call from the main thread. */
int ts_runtime_run(uint32_t workers, gy_worker_fn fn, void *arg, char *err, size_t errlen);

#endif
