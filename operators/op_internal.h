/*
 * For operators/ files only: the stream handle's layout, so that loop
 * boundaries (which are runtime slots, not gy_op operators) can hand out
 * streams too.
 */
#ifndef GY_OPERATORS_OP_INTERNAL_H
#define GY_OPERATORS_OP_INTERNAL_H

#include <stdint.h>

#include "operators/op.h"

struct gy_stream {
    gy_dataflow_t *df;
    uint32_t slot;
    uint32_t port;
};

#endif
