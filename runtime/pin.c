/*
 * Topology and pinning through hwloc, in one place. Worker i goes to core
 * i when there are at least as many cores as workers; with more workers than
 * cores nothing is pinned (two pinned workers sharing a core would starve
 * each other's spin phases). A pinning failure is a warning, never an error:
 * containers often forbid it.
 */
#include <hwloc.h>
#include <pthread.h>
#include <stdio.h>

#include "runtime/internal.h"

static hwloc_topology_t g_topo;
static uint32_t g_cores;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void topo_load(void)
{
    int n;

    g_cores = 1;
    if (hwloc_topology_init(&g_topo) != 0)
        return;
    if (hwloc_topology_load(g_topo) != 0) {
        hwloc_topology_destroy(g_topo);
        g_topo = NULL;
        return;
    }
    n = hwloc_get_nbobjs_by_type(g_topo, HWLOC_OBJ_CORE);
    if (n <= 0)
        n = hwloc_get_nbobjs_by_type(g_topo, HWLOC_OBJ_PU);
    g_cores = n > 0 ? (uint32_t)n : 1;
}

uint32_t gy__pin_cores(void)
{
    pthread_once(&g_once, topo_load);
    return g_cores;
}

uint32_t gy_runtime_cores(void)
{
    return gy__pin_cores();
}

/* Binds this thread's future allocations to the core's NUMA node, where the
 * machine has more than one; first-touch already does it otherwise. */
static void bind_memory(hwloc_obj_t core)
{
    if (hwloc_get_nbobjs_by_type(g_topo, HWLOC_OBJ_NUMANODE) <= 1 || !core->nodeset)
        return;
    if (hwloc_set_membind(g_topo, core->nodeset, HWLOC_MEMBIND_BIND,
                          HWLOC_MEMBIND_THREAD | HWLOC_MEMBIND_BYNODESET) != 0)
        fprintf(stderr, "gyre: warning: cannot bind worker memory to its NUMA node\n");
}

void gy__pin_thread(uint32_t worker, uint32_t peers)
{
    hwloc_obj_t core;

    if (gy__pin_cores() < peers || !g_topo)
        return;
    core = hwloc_get_obj_by_type(g_topo, HWLOC_OBJ_CORE, worker);
    if (!core)
        core = hwloc_get_obj_by_type(g_topo, HWLOC_OBJ_PU, worker);
    if (!core || !core->cpuset)
        return;
    if (hwloc_set_cpubind(g_topo, core->cpuset, HWLOC_CPUBIND_THREAD) != 0)
        fprintf(stderr, "gyre: warning: cannot pin worker %u to core %u\n", worker, worker);
    bind_memory(core);
}
