/*
 * Test support: the tests' runtime configuration (see run.h).
 */
#include "tests/support/run.h"

struct gy_runtime_config ts_runtime_config(uint32_t workers)
{
    struct gy_runtime_config cfg;

    gy_runtime_config_init(&cfg);
    cfg.workers = workers;
    cfg.no_pin = true;
    return cfg;
}

int ts_runtime_run(uint32_t workers, gy_worker_fn fn, void *arg, char *err, size_t errlen)
{
    struct gy_runtime_config cfg = ts_runtime_config(workers);

    err[0] = '\0';
    return gy_runtime_run(&cfg, fn, arg, err, errlen);
}
