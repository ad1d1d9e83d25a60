/*
 * Id mapping: a file's 64-bit vertex ids to dense 32-bit ids 0, 1, 2, ...
 * in order of first appearance, and back.
 *
 * Any u64 is a valid original id, 0 and UINT64_MAX included. Dense ids are
 * handed out consecutively, so an algorithm can index arrays by them. At most
 * GY_IDMAP_MAX_IDS ids fit; the map refuses more with -EOVERFLOW.
 *
 * Thread safety: single owner. A map belongs to one worker thread, which alone
 * calls every function on it; nothing inside is atomic.
 */
#ifndef GY_GRAPH_IDMAP_H
#define GY_GRAPH_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "progress/compiler.h"

/* UINT32_MAX marks an empty slot inside the table, so one dense id fewer fits. */
#define GY_IDMAP_MAX_IDS ((size_t)UINT32_MAX)

typedef struct gy_idmap gy_idmap_t;

/*
 * A new, empty map sized for `expect` ids (0 is fine: it grows): mapping up
 * to `expect` distinct ids allocates nothing more. Returns NULL on ENOMEM.
 * Pair with gy_idmap_free().
 */
GY_NODISCARD gy_idmap_t *gy_idmap_new(size_t expect);

/* Frees the map and everything it holds. NULL is a no-op. */
void gy_idmap_free(gy_idmap_t *map);

/*
 * The dense id of `orig`, given the next free one if orig is new.
 * Returns 1 if orig was inserted, 0 if it was already there (*dense set in
 * both cases), -ENOMEM if growing failed or -EOVERFLOW if the map is full
 * (then the map is unchanged and *dense untouched).
 */
GY_NODISCARD int gy_idmap_map(gy_idmap_t *map, uint64_t orig, uint32_t *dense);

/* Looks orig up without inserting: true and *dense set if present. */
bool gy_idmap_find(const gy_idmap_t *map, uint64_t orig, uint32_t *dense);

/* The original id of dense id d; d < gy_idmap_count(map). */
uint64_t gy_idmap_orig(const gy_idmap_t *map, uint32_t d);

/* Number of ids mapped so far; the dense ids are 0 .. count - 1. */
size_t gy_idmap_count(const gy_idmap_t *map);

/*
 * The dense -> original array, gy_idmap_count() entries. Valid until the
 * next gy_idmap_map() or gy_idmap_free().
 */
const uint64_t *gy_idmap_origs(const gy_idmap_t *map);

#endif
