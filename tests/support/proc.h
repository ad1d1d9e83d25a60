/*
 * Test support: running a built binary (gyre, an example) as its own
 * process, the way a user runs it, and capturing what it writes. Any test
 * binary may use this; call it from the main thread.
 */
#ifndef GY_TESTS_SUPPORT_PROC_H
#define GY_TESTS_SUPPORT_PROC_H

#include <stddef.h>

#define TS_PROC_SECONDS 60     /* a run that takes longer has hung */
#define TS_PROC_MAX_ARGS 62    /* arguments after argv[0], at most */

/* What one run wrote, and how it ended. */
struct ts_proc {
    char *out;                 /* stdout, NUL-terminated */
    size_t out_len;            /* bytes in out, not counting the NUL */
    char *err;                 /* stderr, NUL-terminated */
    size_t err_len;
    int status;                /* exit status, or 128 + the signal that ended it */
};

/* The gyre binary: $GY_GYRE, else "<directory of this test>/../gyre" (tests
 * live in build[/mode]/tests/, gyre in build[/mode]/gyre). Writes it into
 * buf; whether it exists is the caller's check. */
void ts_gyre_path(char *buf, size_t len);

/* An example binary: "$GYRE_BUILD/examples/<name>", GYRE_BUILD defaulting
 * to "build". */
void ts_example_path(const char *name, char *buf, size_t len);

/* Runs path with args (NULL-terminated, without argv[0]) and stdin from
 * in_path (NULL: /dev/null), and reads its stdout and stderr to EOF into o.
 * Fails the case if path is not executable, and kills the child and fails
 * the case past TS_PROC_SECONDS. Free o with ts_proc_free. */
void ts_proc_run(const char *path, const char *const *args, const char *in_path,
                 struct ts_proc *o);

void ts_proc_free(struct ts_proc *o);

#endif
