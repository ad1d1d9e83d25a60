/*
 * Union-find (algorithms/uf.h): the out-of-line parts, growing and
 * resetting the node array. find and union are inline in the header.
 */
#include "algorithms/uf.h"

#include <errno.h>

#include "progress/alloc.h"

void gy_uf_init(struct gy_uf *uf)
{
    uf->node = NULL;
    uf->n = 0;
    uf->cap = 0;
}

void gy_uf_destroy(struct gy_uf *uf)
{
    gy_free(uf->node);
    gy_uf_init(uf);
}

int gy_uf_grow(struct gy_uf *uf, uint32_t n)
{
    void *p = uf->node;

    if (n <= uf->n)
        return 0;
    if (n > GY_UF_MAX)
        return -EOVERFLOW;
    if (n > uf->cap) {
        if (gy_grow(&p, &uf->cap, n, sizeof(*uf->node)) != 0)
            return -ENOMEM;
        uf->node = p;
    }
    for (uint32_t x = uf->n; x < n; x++)
        uf->node[x] = (struct gy_uf_node){.parent = x, .size = 1};
    uf->n = n;
    return 0;
}

void gy_uf_reset(struct gy_uf *uf)
{
    for (uint32_t x = 0; x < uf->n; x++)
        uf->node[x] = (struct gy_uf_node){.parent = x, .size = 1};
}
