/*
 * Test support: spawning a binary and capturing its output (see proc.h).
 * posix_spawn with both output pipes polled together, so that a child that
 * fills one pipe while we wait on the other cannot deadlock the test.
 */
#include "tests/support/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

extern char **environ;

void ts_gyre_path(char *buf, size_t len)
{
    const char *env = getenv("GY_GYRE");
    char self[4096];
    char *slash;
    ssize_t n;

    if (env && *env) {
        snprintf(buf, len, "%s", env);
        return;
    }
    n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    self[n > 0 ? n : 0] = '\0';
    slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(buf, len, "%.4000s/../gyre", slash ? self : ".");
}

void ts_example_path(const char *name, char *buf, size_t len)
{
    const char *dir = getenv("GYRE_BUILD");

    snprintf(buf, len, "%s/examples/%s", dir && *dir ? dir : "build", name);
}

/* A growing buffer fed from one pipe. */
struct pipe_buf {
    int fd;                    /* -1 once at EOF */
    char *buf;
    size_t len, cap;
};

/* Reads what b->fd has; returns false at EOF (or a read error). */
static bool pipe_read(struct pipe_buf *b)
{
    ssize_t n;

    if (b->len + 4096 + 1 > b->cap) {
        b->cap = (b->cap + 4096) * 2;
        b->buf = realloc(b->buf, b->cap);
        assert_non_null(b->buf);
    }
    n = read(b->fd, b->buf + b->len, b->cap - b->len - 1);
    if (n < 0 && errno == EINTR)
        return true;
    if (n <= 0)
        return false;
    b->len += (size_t)n;
    return true;
}

/* Drains both pipes to EOF, killing the child past the deadline. */
static void drain(struct pipe_buf *b, pid_t pid, const char *path)
{
    time_t deadline = time(NULL) + TS_PROC_SECONDS;
    int open_fds = 2;

    while (open_fds > 0) {
        struct pollfd p[2] = {{.fd = b[0].fd, .events = POLLIN},
                              {.fd = b[1].fd, .events = POLLIN}};
        if (time(NULL) > deadline) {
            kill(pid, SIGKILL);
            fail_msg("%s (pid %d) ran longer than %d s", path, (int)pid, TS_PROC_SECONDS);
        }
        if (poll(p, 2, 1000) <= 0)
            continue;
        for (int k = 0; k < 2; k++) {
            if (b[k].fd < 0 || p[k].revents == 0 || pipe_read(&b[k]))
                continue;
            close(b[k].fd);
            b[k].fd = -1;
            open_fds--;
        }
    }
}

/* The buffer as a NUL-terminated string (an empty one if nothing came). */
static char *pipe_take(struct pipe_buf *b, size_t *len)
{
    char *s = b->buf ? b->buf : malloc(1);

    assert_non_null(s);
    s[b->len] = '\0';
    *len = b->len;
    return s;
}

static pid_t spawn(const char *path, char *const argv[], const char *in_path, int out, int err)
{
    posix_spawn_file_actions_t fa;
    pid_t pid;

    assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
    assert_int_equal(posix_spawn_file_actions_addopen(&fa, 0, in_path ? in_path : "/dev/null",
                                                      O_RDONLY, 0), 0);
    assert_int_equal(posix_spawn_file_actions_adddup2(&fa, out, 1), 0);
    assert_int_equal(posix_spawn_file_actions_adddup2(&fa, err, 2), 0);
    assert_int_equal(posix_spawn(&pid, path, &fa, NULL, argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    return pid;
}

void ts_proc_run(const char *path, const char *const *args, const char *in_path,
                 struct ts_proc *o)
{
    char *argv[TS_PROC_MAX_ARGS + 2];
    struct pipe_buf b[2] = {{.fd = -1}, {.fd = -1}};
    int po[2], pe[2], st;
    size_t n = 0;
    pid_t pid;

    if (access(path, X_OK) != 0)
        fail_msg("%s is missing: build it first (make)", path);
    argv[n++] = (char *)path;
    for (; args[n - 1] != NULL; n++) {
        assert_true(n <= TS_PROC_MAX_ARGS);
        argv[n] = (char *)args[n - 1];
    }
    argv[n] = NULL;
    assert_int_equal(pipe2(po, O_CLOEXEC), 0);
    assert_int_equal(pipe2(pe, O_CLOEXEC), 0);
    pid = spawn(path, argv, in_path, po[1], pe[1]);
    close(po[1]);
    close(pe[1]);
    b[0].fd = po[0];
    b[1].fd = pe[0];
    drain(b, pid, path);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    o->out = pipe_take(&b[0], &o->out_len);
    o->err = pipe_take(&b[1], &o->err_len);
    o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void ts_proc_free(struct ts_proc *o)
{
    free(o->out);
    free(o->err);
    memset(o, 0, sizeof(*o));
}
