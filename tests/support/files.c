/*
 * Test support: scratch files and in-memory text (see files.h).
 */
#include "tests/support/files.h"

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char tmpdir[512];

/* $TMPDIR, else /tmp. */
static const char *tmp_base(void)
{
    const char *base = getenv("TMPDIR");

    return base && *base ? base : "/tmp";
}

int ts_tmpdir_make(const char *prefix)
{
    int n = snprintf(tmpdir, sizeof(tmpdir), "%s/%sXXXXXX", tmp_base(), prefix);

    if (n < 0 || (size_t)n >= sizeof(tmpdir))
        return -1;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

int ts_tmpdir_teardown(void **state)
{
    (void)state;
    /* Depth first, so that each directory is empty when its turn comes;
     * FTW_PHYS removes links, never what they point to. */
    return nftw(tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *ts_tmp_path(const char *name, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%s", tmpdir, name);

    assert_true(n > 0 && (size_t)n < len);
    return buf;
}

char *ts_temp_file(const char *prefix, char *buf, size_t len)
{
    int n = snprintf(buf, len, "%s/%sXXXXXX", tmp_base(), prefix);
    int fd;

    assert_true(n > 0 && (size_t)n < len);
    fd = mkstemp(buf);
    assert_true(fd >= 0);
    close(fd);
    return buf;
}

void ts_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

void ts_write_text(const char *path, const char *text)
{
    ts_write_file(path, text, strlen(text));
}

void ts_text_open(struct ts_text *t)
{
    t->s = NULL;
    t->f = open_memstream(&t->s, &t->len);
    assert_non_null(t->f);
}

char *ts_text_close(struct ts_text *t)
{
    assert_int_equal(fclose(t->f), 0);
    return t->s;
}
