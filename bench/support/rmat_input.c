/* The algorithm benchmarks' R-MAT input (see rmat_input.h). */
#include "bench/support/rmat_input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "graph/edgefile.h"
#include "graph/gen.h"

int rmat_input_generate(struct rmat_input *in, unsigned scale, uint32_t edgefactor, size_t extra)
{
    struct gy_gen_spec g, more;
    /* The new edges come from a second stream long enough at any scale. */
    uint32_t ef2 = (uint32_t)(((uint64_t)extra >> (scale < 17 ? scale : 17)) + 1);

    if (gy_gen_rmat(&g, scale, edgefactor, 1) != 0 || gy_gen_rmat(&more, scale, ef2, 2) != 0)
        return -EINVAL;
    in->graph = gy_gen_count(&g);
    in->n = in->graph + extra;
    in->id_bound = (uint64_t)1 << scale;
    in->e = malloc(in->n * sizeof(*in->e));
    if (!in->e)
        return -ENOMEM;
    if (gy_gen_range(&g, 0, in->graph, in->e) != 0 ||
        gy_gen_range(&more, 0, in->n - in->graph, in->e + in->graph) != 0)
        return -EINVAL;
    return 0;
}

int rmat_input_write(struct rmat_input *in, const char *tag, size_t epoch_edges)
{
    char err[GY_EDGES_ERRLEN];
    gy_edges_writer_t *w;
    size_t n = epoch_edges ? in->n : in->graph;
    int fd;

    snprintf(in->path, sizeof(in->path), "/tmp/gy_%s_XXXXXX.gyb", tag);
    fd = mkstemps(in->path, 4);
    if (fd < 0)
        return -errno;
    close(fd);
    for (size_t i = in->graph; epoch_edges && i < in->n; i++)
        in->e[i].time = (int64_t)((i - in->graph) / epoch_edges + 1);
    if (gy_edges_writer_open(in->path, GY_EDGES_BIN, epoch_edges ? GY_EDGES_HAS_TIME : 0, &w,
                             err, sizeof(err)) != 0 ||
        gy_edges_writer_put(w, in->e, n, err, sizeof(err)) != 0 ||
        gy_edges_writer_close(w, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s: %s\n", tag, err);
        return -EIO;
    }
    return 0;
}

void rmat_input_free(struct rmat_input *in)
{
    if (in->path[0])
        unlink(in->path);
    free(in->e);
    in->e = NULL;
}
