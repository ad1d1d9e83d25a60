/*
 * Test support: scratch files and in-memory text. Any test binary may use
 * this; call it from the main thread.
 *
 * Scratch space is under $TMPDIR, else /tmp. A binary that writes many
 * files makes one scratch directory in its group setup (ts_tmpdir_make),
 * and ts_tmpdir_teardown, as its group teardown, removes it with whatever
 * the cases left there; a case that needs one file asks for a fresh one
 * (ts_temp_file) and unlinks it.
 */
#ifndef GY_TESTS_SUPPORT_FILES_H
#define GY_TESTS_SUPPORT_FILES_H

#include <stddef.h>
#include <stdio.h>

/* Room for any path below made under a $TMPDIR of a sane length. */
#define TS_PATH_MAX 256

/* Makes the scratch directory "<tmp>/<prefix>XXXXXX". Returns 0, or -1
 * (with errno) for a cmocka group setup to return. */
int ts_tmpdir_make(const char *prefix);

/* A cmocka group teardown: removes the scratch directory and everything in
 * it. Returns 0 or -1. */
int ts_tmpdir_teardown(void **state);

/* Writes "<scratch directory>/<name>" into buf; returns buf. */
char *ts_tmp_path(const char *name, char *buf, size_t len);

/* Creates a new empty file "<tmp>/<prefix>XXXXXX" and writes its path into
 * buf; returns buf. The caller unlinks it. */
char *ts_temp_file(const char *prefix, char *buf, size_t len);

/* Writes data[0 .. len) to path, creating or truncating it. */
void ts_write_file(const char *path, const void *data, size_t len);

/* Writes the string text to path, creating or truncating it. */
void ts_write_text(const char *path, const char *text);

/* A string built with stdio: print to f between ts_text_open and
 * ts_text_close. */
struct ts_text {
    char *s;
    size_t len;
    FILE *f;
};

void ts_text_open(struct ts_text *t);

/* Closes t->f; returns the string, which the caller frees. */
char *ts_text_close(struct ts_text *t);

#endif
