/*
 * The labels file of connected components (cc_internal.h): one line
 * "vertex label" per vertex, ascending by vertex, label = the smallest
 * original id in the vertex's component. Written once, after the last
 * epoch, by worker 0 from the global vertex map and union-find.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "algorithms/cc_internal.h"
#include "progress/alloc.h"

/* Bytes of text collected before each fwrite; a line takes at most 42. */
#define OUTBUF (64u * 1024u)

struct vl {
    uint64_t vertex, label;
};

static int cmp_vl(const void *x, const void *y)
{
    const struct vl *p = x, *q = y;

    return (p->vertex > q->vertex) - (p->vertex < q->vertex);
}

/* Appends v in decimal; returns the new end. */
static char *put_u64(char *p, uint64_t v)
{
    char tmp[20];
    int n = 0;

    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        *p++ = tmp[--n];
    return p;
}

/* (vertex, label) for every vertex, sorted by vertex; NULL on ENOMEM. */
static struct vl *labels_of(const struct gy__cc_vmap *m, struct gy_uf *uf)
{
    uint64_t *least = gy_malloc((m->n ? m->n : 1) * sizeof(*least));
    struct vl *out = gy_malloc((m->n ? m->n : 1) * sizeof(*out));

    if (!least || !out) {
        gy_free(least);
        gy_free(out);
        return NULL;
    }
    for (uint32_t v = 0; v < m->n; v++)
        least[v] = UINT64_MAX;
    for (uint32_t v = 0; v < m->n; v++) {
        uint32_t r = gy_uf_find(uf, v);
        if (m->orig[v] < least[r])
            least[r] = m->orig[v];
    }
    for (uint32_t v = 0; v < m->n; v++)
        out[v] = (struct vl){m->orig[v], least[gy_uf_find(uf, v)]};
    gy_free(least);
    qsort(out, m->n, sizeof(*out), cmp_vl);
    return out;
}

static int write_all(FILE *f, const struct vl *vl, uint32_t n)
{
    char *buf = gy_malloc(OUTBUF);
    size_t len = 0;
    int rc = 0;

    if (!buf)
        return -ENOMEM;
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        char *p = put_u64(buf + len, vl[i].vertex);
        *p++ = ' ';
        p = put_u64(p, vl[i].label);
        *p++ = '\n';
        len = (size_t)(p - buf);
        if ((len > OUTBUF - 64 || i + 1 == n) && fwrite(buf, 1, len, f) != len)
            rc = errno ? -errno : -EIO;
        if (len > OUTBUF - 64)
            len = 0;
    }
    gy_free(buf);
    return rc;
}

int gy__cc_write_labels(const char *path, const struct gy__cc_vmap *m, struct gy_uf *uf)
{
    struct vl *vl = labels_of(m, uf);
    FILE *f;
    int rc;

    if (!vl)
        return -ENOMEM;
    f = fopen(path, "w");
    if (!f) {
        rc = -errno;
        gy_free(vl);
        return rc;
    }
    errno = 0;
    rc = write_all(f, vl, m->n);
    gy_free(vl);
    if (fclose(f) != 0 && rc == 0)
        rc = errno ? -errno : -EIO;
    return rc;
}
