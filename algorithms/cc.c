/*
 * Connected components (algorithms/cc.h): checks the input stream, then
 * chains the two operators of cc_internal.h, cc.local and cc. Also the
 * options both operators copy.
 */
#include "algorithms/cc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "algorithms/cc_internal.h"
#include "progress/alloc.h"

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = gy_malloc(n);

    if (d)
        memcpy(d, s, n);
    return d;
}

int gy__cc_conf_init(struct gy__cc_conf *conf, const struct gy_algo_opts *opts)
{
    memset(conf, 0, sizeof(*conf));
    conf->skip_bad_deletes = opts && opts->skip_bad_deletes;
    conf->input_name = dup_str(opts && opts->input_name ? opts->input_name : "input");
    if (opts && opts->labels_path)
        conf->labels_path = dup_str(opts->labels_path);
    if (!conf->input_name || (opts && opts->labels_path && !conf->labels_path)) {
        gy__cc_conf_destroy(conf);
        return -ENOMEM;
    }
    return 0;
}

void gy__cc_conf_destroy(struct gy__cc_conf *conf)
{
    gy_free(conf->input_name);
    gy_free(conf->labels_path);
    memset(conf, 0, sizeof(*conf));
}

gy_stream_t *gy_cc(gy_stream_t *edges, const struct gy_algo_opts *opts)
{
    const char *name = opts && opts->name ? opts->name : "cc";
    char local[256];

    if (!edges)
        return NULL;
    if (gy_stream_rec_size(edges) != sizeof(struct gy_edge) || gy_stream_scope(edges) != 0) {
        gy_worker_fail(gy_dataflow_worker(gy_stream_dataflow(edges)),
                       "operator '%s': input is not a root-scope stream of struct gy_edge",
                       name);
        return NULL;
    }
    snprintf(local, sizeof(local), "%s.local", name);
    return gy__cc_global(gy__cc_local(edges, local, opts), name, opts);
}
