/*
 * Test support: loading oracle.tsv, the reference answers for the shared
 * real graphs (see oracle_tsv.h). Plain stdio and strtoll: this is test
 * code reading a 1 KB file, clarity over speed.
 */
#include "tests/support/oracle_tsv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "progress/alloc.h"

#define MAX_COLS 32

/* Where each wanted field sits among the header's columns. */
struct layout {
    int file, vertices, edges, components, largest, triangles;
};

const char *oracle_shared_dir(void)
{
    const char *d = getenv("GY_SHARED_DIR");
    return d && *d ? d : "../shared";
}

char *oracle_graph_path(const char *file, char *buf, size_t len)
{
    if (file)
        snprintf(buf, len, "%s/data/graphs/%s", oracle_shared_dir(), file);
    else
        snprintf(buf, len, "%s/data/graphs", oracle_shared_dir());
    return buf;
}

/* Splits line (modified in place) at tabs; strips the newline. */
static int split_tabs(char *line, char *cols[MAX_COLS])
{
    int n = 0;

    line[strcspn(line, "\r\n")] = '\0';
    for (char *s = line; n < MAX_COLS; n++) {
        cols[n] = s;
        s = strchr(s, '\t');
        if (!s)
            return n + 1;
        *s++ = '\0';
    }
    return -1;
}

static int col_index(char *cols[], int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(cols[i], name) == 0)
            return i;
    return -1;
}

static int parse_header(char *line, struct layout *l)
{
    char *cols[MAX_COLS];
    int n = split_tabs(line, cols);

    if (n < 0)
        return -1;
    l->file = col_index(cols, n, "file");
    l->vertices = col_index(cols, n, "vertices");
    l->edges = col_index(cols, n, "edges");
    l->components = col_index(cols, n, "components");
    l->largest = col_index(cols, n, "largest_component");
    l->triangles = col_index(cols, n, "triangles");
    if (l->file < 0 || l->vertices < 0 || l->edges < 0 || l->components < 0 || l->largest < 0 ||
        l->triangles < 0)
        return -1;
    return n;
}

static int number(const char *s, int64_t *v)
{
    char *end;

    errno = 0;
    *v = strtoll(s, &end, 10);
    return (*s && !*end && errno == 0 && *v >= 0) ? 0 : -1;
}

static int parse_row(char *line, const struct layout *l, int ncols, struct oracle_row *r)
{
    char *cols[MAX_COLS];

    if (split_tabs(line, cols) != ncols || strlen(cols[l->file]) >= sizeof r->file)
        return -1;
    strcpy(r->file, cols[l->file]);
    if (number(cols[l->vertices], &r->vertices) || number(cols[l->edges], &r->edges) ||
        number(cols[l->components], &r->components) ||
        number(cols[l->largest], &r->largest_component) ||
        number(cols[l->triangles], &r->triangles))
        return -1;
    return 0;
}

static int load_rows(FILE *fp, const char *path, struct oracle_tsv *t, char *err, size_t errlen)
{
    char line[1024];
    struct layout l;
    size_t cap = 0;
    int ncols, lineno = 1;

    if (!fgets(line, sizeof line, fp) || (ncols = parse_header(line, &l)) < 0) {
        snprintf(err, errlen, "%s:1: no header with file, vertices, edges, components, "
                 "largest_component, triangles", path);
        return -EINVAL;
    }
    while (fgets(line, sizeof line, fp)) {
        lineno++;
        if (line[0] == '\n' || line[0] == '\0')
            continue;
        if (gy_grow((void **)&t->rows, &cap, t->n + 1, sizeof *t->rows) != 0)
            return -ENOMEM;
        if (parse_row(line, &l, ncols, &t->rows[t->n]) != 0) {
            snprintf(err, errlen, "%s:%d: malformed row", path, lineno);
            return -EINVAL;
        }
        t->n++;
    }
    return 0;
}

int oracle_tsv_load(const char *path, struct oracle_tsv *t, char *err, size_t errlen)
{
    FILE *fp = fopen(path, "r");
    int rc;

    t->rows = NULL;
    t->n = 0;
    if (!fp) {
        rc = -errno;
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return rc;
    }
    rc = load_rows(fp, path, t, err, errlen);
    fclose(fp);
    if (rc != 0)
        oracle_tsv_free(t);
    return rc;
}

const struct oracle_row *oracle_tsv_find(const struct oracle_tsv *t, const char *file)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->rows[i].file, file) == 0)
            return &t->rows[i];
    return NULL;
}

void oracle_tsv_free(struct oracle_tsv *t)
{
    gy_free(t->rows);
    t->rows = NULL;
    t->n = 0;
}
