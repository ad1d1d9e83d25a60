/*
 * Test support: the shared data directory of real graphs and its reference
 * answers, oracle.tsv (one header line naming the columns, then one line per
 * file: file, vertices, edges, components, largest_component, triangles;
 * tab-separated). The numbers come from python-igraph (oracle.py next to the
 * data), so they are independent of gyre. Any test binary may use this.
 *
 * Columns are found by their header names, so a reordered or extended
 * oracle.tsv still loads; a missing column or a malformed line is an error.
 */
#ifndef GY_TESTS_SUPPORT_ORACLE_TSV_H
#define GY_TESTS_SUPPORT_ORACLE_TSV_H

#include <stddef.h>
#include <stdint.h>

struct oracle_row {
    char file[256];            /* name inside the graphs directory */
    int64_t vertices;          /* distinct ids on edge lines, self-loop lines included */
    int64_t edges;             /* distinct undirected non-loop edges */
    int64_t components;        /* connected components */
    int64_t largest_component; /* vertices in the biggest component */
    int64_t triangles;         /* 3-cliques */
};

struct oracle_tsv {
    struct oracle_row *rows;
    size_t n;
};

/* The shared directory: $GY_SHARED_DIR, else "../shared" (tests run from the
 * repository root). */
const char *oracle_shared_dir(void);

/* Writes "<shared>/data/graphs" (or "<shared>/data/graphs/<file>" when file is
 * not NULL) into buf. Returns buf. */
char *oracle_graph_path(const char *file, char *buf, size_t len);

/* Loads path into *t (free with oracle_tsv_free). Returns 0, or -errno with a
 * message in err ("path:LINE: ..." for a malformed line). */
int oracle_tsv_load(const char *path, struct oracle_tsv *t, char *err, size_t errlen);

/* The row for a file name, or NULL. */
const struct oracle_row *oracle_tsv_find(const struct oracle_tsv *t, const char *file);

void oracle_tsv_free(struct oracle_tsv *t);

#endif
