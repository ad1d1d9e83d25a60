/*
 * The dataflow graph as progress tracking sees it: operators with numbered
 * input and output ports, edges from outputs to inputs, loop scopes, and
 * each operator's internal summaries (input i -> output o).
 *
 * Scopes nest: scope 0 is the root (depth 0, timestamps (epoch)); a child
 * scope is one loop deeper. Every port lives in a scope and has its depth.
 * Loop boundaries are operators whose ports sit in different scopes:
 *   enter    (input in the parent, output in the loop; summary: append 0)
 *   leave    (input in the loop, output in the parent; summary: drop)
 *   feedback (both in the loop; summary: +n on the loop's coordinate)
 *
 * Lifecycle: add scopes, operators, summaries and edges, then call
 * gy_topology_build once. Build checks that every edge joins two ports of the
 * same scope, that every internal summary maps its input's depth to its
 * output's depth, and that every cycle strictly advances time; then it
 * computes, for every output port, the antichain of minimal path summaries
 * to every input port it can reach. After build the topology is immutable and
 * may be read from many threads (each worker's tracker reads it).
 *
 * Locations: each port has a dense index ("loc") in [0, num_locs), the same
 * on every worker that builds the same dataflow: an operator's inputs come
 * first, then its outputs.
 */
#ifndef GY_PROGRESS_TOPOLOGY_H
#define GY_PROGRESS_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "progress/compiler.h"
#include "progress/summary.h"

typedef struct gy_topology gy_topology_t;

/* One reachable input port and the minimal summaries of the paths to it. */
struct gy_reach {
    uint32_t input_loc;
    struct gy_summaries summaries;
};

/* NULL on ENOMEM. Pair with gy_topology_free. The root scope 0 exists. */
GY_NODISCARD gy_topology_t *gy_topology_new(void);
void gy_topology_free(gy_topology_t *topo);

/* A new loop scope inside parent. Returns its id (>= 1), -EINVAL if parent is
 * unknown or the depth would exceed GY_MAX_DEPTH, -ENOMEM. */
GY_NODISCARD int gy_topology_add_scope(gy_topology_t *topo, uint32_t parent);
uint32_t gy_topology_scope_depth(const gy_topology_t *topo, uint32_t scope);
/* Parent of scope (scope >= 1). */
uint32_t gy_topology_scope_parent(const gy_topology_t *topo, uint32_t scope);

/*
 * An operator with all ports in scope and identity summaries from every input
 * to every output. name is copied. Returns the operator id (dense, from 0),
 * or -EINVAL / -ENOMEM.
 */
GY_NODISCARD int gy_topology_add_op(gy_topology_t *topo, const char *name, uint32_t scope,
                                    uint32_t ninputs, uint32_t noutputs);

/* Moves one port to another scope (before build; for loop boundary operators). */
GY_NODISCARD int gy_topology_set_input_scope(gy_topology_t *topo, uint32_t op, uint32_t port,
                                             uint32_t scope);
GY_NODISCARD int gy_topology_set_output_scope(gy_topology_t *topo, uint32_t op, uint32_t port,
                                              uint32_t scope);

/* Replaces the summaries input -> output (copied; empty = no path). */
GY_NODISCARD int gy_topology_set_summary(gy_topology_t *topo, uint32_t op, uint32_t input,
                                         uint32_t output, const struct gy_summaries *s);

/* Loop boundary operators, each with one input and one output. Return op ids. */
GY_NODISCARD int gy_topology_add_enter(gy_topology_t *topo, const char *name, uint32_t loop_scope);
GY_NODISCARD int gy_topology_add_leave(gy_topology_t *topo, const char *name, uint32_t loop_scope);
GY_NODISCARD int gy_topology_add_feedback(gy_topology_t *topo, const char *name,
                                          uint32_t loop_scope, uint32_t n);

/* An edge from output port src_port of src to input port dst_port of dst. */
GY_NODISCARD int gy_topology_add_edge(gy_topology_t *topo, uint32_t src, uint32_t src_port,
                                      uint32_t dst, uint32_t dst_port);

/*
 * Validates and computes path summaries. On failure returns -EINVAL (or
 * -ENOMEM) and writes a one-line reason into err, e.g.
 *   "cycle does not advance time: a -> b -> a (summary keep 1 +(0,0))"
 * The topology stays unbuilt and may be freed.
 */
GY_NODISCARD int gy_topology_build(gy_topology_t *topo, char *err, size_t errlen);

uint32_t gy_topology_num_ops(const gy_topology_t *topo);
uint32_t gy_topology_num_locs(const gy_topology_t *topo);
const char *gy_topology_op_name(const gy_topology_t *topo, uint32_t op);
uint32_t gy_topology_op_ninputs(const gy_topology_t *topo, uint32_t op);
uint32_t gy_topology_op_noutputs(const gy_topology_t *topo, uint32_t op);
uint32_t gy_topology_input_loc(const gy_topology_t *topo, uint32_t op, uint32_t port);
uint32_t gy_topology_output_loc(const gy_topology_t *topo, uint32_t op, uint32_t port);
bool gy_topology_loc_is_output(const gy_topology_t *topo, uint32_t loc);
uint32_t gy_topology_loc_op(const gy_topology_t *topo, uint32_t loc);
uint32_t gy_topology_loc_port(const gy_topology_t *topo, uint32_t loc);
uint32_t gy_topology_loc_depth(const gy_topology_t *topo, uint32_t loc);

/* Internal summaries input -> output of op. */
const struct gy_summaries *gy_topology_summary(const gy_topology_t *topo, uint32_t op,
                                               uint32_t input, uint32_t output);

/*
 * After build: the input ports reachable from an output port, with minimal
 * path summaries (sorted by input_loc). *n receives the count.
 */
const struct gy_reach *gy_topology_reach(const gy_topology_t *topo, uint32_t output_loc,
                                         uint32_t *n);

/*
 * After build: the input ports that a pointstamp at input port input_loc can
 * reach through its own operator (an internal summary, then a path from one
 * of the operator's outputs), with minimal summaries, sorted by input_loc.
 * input_loc itself appears only if a cycle leads back to it. *n receives the
 * count. The tracker uses this for pointstamps at inputs.
 */
const struct gy_reach *gy_topology_input_reach(const gy_topology_t *topo, uint32_t input_loc,
                                               uint32_t *n);

/* After build: minimal summaries output_loc -> input_loc (NULL if no path). */
const struct gy_summaries *gy_topology_path(const gy_topology_t *topo, uint32_t output_loc,
                                            uint32_t input_loc);

/* "op 'name' input 2" / "op 'name' output 0", for messages. */
int gy_topology_format_loc(const gy_topology_t *topo, uint32_t loc, char *buf, size_t size);

#endif
