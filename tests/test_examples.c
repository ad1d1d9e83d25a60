/*
 * End-to-end tests of the example programs (examples/wordcount.c and
 * examples/topk.c). Each runs as its own process (tests/support/proc.h)
 * on 1, 2, 3 and 8 workers over seeded random inputs written to temporary
 * files, and its output must equal, byte for byte, what an oracle
 * computed here prints: tokenizing and counting per line for wordcount,
 * summing and ranking per epoch for topk. Bad input must fail with a
 * nonzero exit and nothing on stdout.
 *
 * The binaries are looked up in $GYRE_BUILD/examples (the runner sets it to
 * the build directory of the mode under test), else build/examples.
 */
#include <ctype.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "tests/support/files.h"
#include "tests/support/proc.h"
#include "tests/support/rng.h"

static const char *const WORKERS[] = {"1", "2", "3", "8"};
#define NWORKERS (sizeof(WORKERS) / sizeof(WORKERS[0]))

/* ---- running an example ---- */

struct outcome {
    char *out;       /* everything it wrote to stdout, NUL-terminated */
    size_t len;
    int status;      /* exit code, or 128 + signal */
};

/* Runs examples/<name> with args (NULL-terminated) and stdin from in_path;
 * what it writes to stderr goes on to ours. */
static void run_example(const char *name, const char *const *args, const char *in_path,
                        struct outcome *o)
{
    char path[512];
    struct ts_proc p;

    ts_example_path(name, path, sizeof(path));
    ts_proc_run(path, args, in_path, &p);
    fputs(p.err, stderr);
    free(p.err);
    o->out = p.out;
    o->len = p.out_len;
    o->status = p.status;
}

/* Compares output with the oracle; on a mismatch shows the first
 * differing line of each. */
static void assert_output(const struct outcome *o, const char *want, const char *what)
{
    size_t i = 0, line = 1;

    if (o->status != 0)
        fail_msg("%s: exit status %d", what, o->status);
    while (o->out[i] && o->out[i] == want[i])
        line += o->out[i++] == '\n';
    if (o->out[i] == want[i])
        return;
    while (i > 0 && want[i - 1] != '\n')
        i--;
    fail_msg("%s: output differs at line %zu:\n  got  '%.*s'\n  want '%.*s'", what, line,
             (int)strcspn(o->out + i, "\n"), o->out + i, (int)strcspn(want + i, "\n"), want + i);
}

/* A new temporary file holding content; the caller unlinks and frees the path. */
static char *temp_file(const char *content)
{
    char *path = malloc(PATH_MAX);

    assert_non_null(path);
    ts_write_text(ts_temp_file("gyre_test_examples_", path, PATH_MAX), content);
    return path;
}

/* ---- wordcount ---- */

#define WORD_MAX 31   /* the example cuts words to 31 bytes */

struct wc {
    char w[WORD_MAX + 1];
    uint64_t n;
};

static int wc_cmp(const void *a, const void *b)
{
    return strcmp(((const struct wc *)a)->w, ((const struct wc *)b)->w);
}

/* One line's "epoch word count" lines: tokenize, sort, count runs. */
static void oracle_line(const char *line, size_t len, uint64_t epoch, FILE *out)
{
    struct wc *words = calloc(len + 1, sizeof(*words));
    size_t n = 0;

    assert_non_null(words);
    for (size_t i = 0; i < len;) {
        size_t k = 0;
        if (!isalnum((unsigned char)line[i])) {
            i++;
            continue;
        }
        for (; i < len && isalnum((unsigned char)line[i]); i++)
            if (k < WORD_MAX)
                words[n].w[k++] = (char)tolower((unsigned char)line[i]);
        n++;
    }
    qsort(words, n, sizeof(*words), wc_cmp);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i; j < n && strcmp(words[j].w, words[i].w) == 0; j++)
            ;
        fprintf(out, "%llu %s %zu\n", (unsigned long long)epoch, words[i].w, j - i);
    }
    free(words);
}

static char *oracle_wordcount(const char *text)
{
    struct ts_text t;
    uint64_t epoch = 0;

    ts_text_open(&t);
    for (const char *p = text; *p; epoch++) {
        size_t len = strcspn(p, "\n");
        oracle_line(p, len, epoch, t.f);
        p += len;
        p += *p == '\n';
    }
    return ts_text_close(&t);
}

/* Words from a small vocabulary (so they repeat), in mixed case, with
 * digits, punctuation, words longer than the cut, and empty lines. */
static char *random_text(uint64_t seed)
{
    static const char *const vocab[] = {
        "The", "the", "THE", "fox", "Fox42", "dog", "a", "b", "x9", "timely", "dataflow",
        "Naiad", "epoch", "iteration", "supercalifragilisticexpialidocious-ly",
        "abcdefghijklmnopqrstuvwxyz0123456789abcdefghij", "abcdefghijklmnopqrstuvwxyz01234",
        "abcdefghijklmnopqrstuvwxyz012345", "don't", "e-mail", "3.14", "über",
    };
    static const char *const seps[] = {" ", "  ", ", ", ". ", "\t", "; ", " -- ", "!"};
    uint64_t s = seed;
    uint32_t lines = 20 + ts_rng_below(&s, 60);
    struct ts_text t;

    ts_text_open(&t);
    for (uint32_t l = 0; l < lines; l++) {
        uint32_t words = ts_rng_below(&s, 6) == 0 ? 0 : ts_rng_below(&s, 40);
        for (uint32_t i = 0; i < words; i++)
            fprintf(t.f, "%s%s", vocab[ts_rng_below(&s, sizeof(vocab) / sizeof(vocab[0]))],
                    seps[ts_rng_below(&s, sizeof(seps) / sizeof(seps[0]))]);
        if (l + 1 < lines || ts_rng_below(&s, 2)) /* sometimes no final newline */
            fputc('\n', t.f);
    }
    return ts_text_close(&t);
}

static void test_examples_wordcount_random(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        char *text = random_text(seed), *want = oracle_wordcount(text), *path = temp_file(text);
        assert_true(strlen(want) > 0);
        for (size_t i = 0; i < NWORKERS; i++) {
            const char *args[] = {"-w", WORKERS[i], path, NULL};
            char what[96];
            struct outcome o;
            snprintf(what, sizeof(what), "wordcount seed %llu, %s workers",
                     (unsigned long long)seed, WORKERS[i]);
            run_example("wordcount", args, NULL, &o);
            assert_output(&o, want, what);
            free(o.out);
        }
        unlink(path);
        free(path);
        free(want);
        free(text);
    }
}

/* The built-in text: the same output on every worker count, well formed:
 * "epoch word count" lines sorted by epoch, then word, counts >= 1. */
static void test_examples_wordcount_builtin(void **state)
{
    struct outcome first = {0};

    (void)state;
    for (size_t i = 0; i < NWORKERS; i++) {
        const char *args[] = {"-w", WORKERS[i], NULL};
        struct outcome o;
        run_example("wordcount", args, NULL, &o);
        assert_int_equal(o.status, 0);
        if (i > 0) {
            assert_string_equal(o.out, first.out);
            free(o.out);
            continue;
        }
        first = o;
    }
    assert_true(first.len > 0);
    {
        unsigned long long pe = 0, e, n;
        char pw[64] = "", w[64];
        int used;
        for (const char *p = first.out; *p; p += used) {
            assert_int_equal(sscanf(p, "%llu %63s %llu\n%n", &e, w, &n, &used), 3);
            assert_true(n >= 1);
            assert_true(e > pe || (e == pe && strcmp(w, pw) > 0));
            pe = e;
            strcpy(pw, w);
        }
    }
    free(first.out);
}

static void test_examples_wordcount_errors(void **state)
{
    const char *args[] = {"-w", "2", "/nonexistent/gyre/file", NULL};
    const char *extra[] = {"-w", "2", "a", "b", NULL};
    struct outcome o;

    (void)state;
    run_example("wordcount", args, NULL, &o);
    assert_int_not_equal(o.status, 0);
    assert_int_equal(o.len, 0);
    free(o.out);
    run_example("wordcount", extra, NULL, &o);
    assert_int_not_equal(o.status, 0);
    free(o.out);
}

/* ---- topk ---- */

struct kt {
    uint64_t key, total;
};

static int kt_rank(const void *a, const void *b)
{
    const struct kt *x = a, *y = b;

    if (x->total != y->total)
        return x->total > y->total ? -1 : 1;
    return (x->key > y->key) - (x->key < y->key);
}

#define TOPK_KEYS 50

/* Random "epoch key value" lines with epochs in order (with gaps and
 * repeated keys; small values make ties), and the oracle's output. */
static void random_topk(uint64_t seed, uint32_t k, char **input, char **want)
{
    struct ts_text in, out;
    uint64_t s = seed, epoch = ts_rng_below(&s, 3);
    uint32_t epochs = 3 + ts_rng_below(&s, 12);

    ts_text_open(&in);
    ts_text_open(&out);
    for (uint32_t e = 0; e < epochs; e++, epoch += 1 + ts_rng_below(&s, 4)) {
        struct kt sum[TOPK_KEYS];
        uint32_t n = ts_rng_below(&s, 5) == 0 ? 0 : ts_rng_below(&s, 400), m = 0;
        uint32_t vmax = ts_rng_below(&s, 2) ? 4 : 1000000;
        memset(sum, 0, sizeof(sum));
        for (uint32_t j = 0; j < n; j++) {
            uint32_t key = ts_rng_below(&s, TOPK_KEYS), v = ts_rng_below(&s, vmax);
            fprintf(in.f, "%llu %u %u\n", (unsigned long long)epoch, key, v);
            sum[key].key = key + 1; /* + 1: seen */
            sum[key].total += v;
        }
        for (uint32_t key = 0; key < TOPK_KEYS; key++)
            if (sum[key].key)
                sum[m++] = (struct kt){key, sum[key].total};
        qsort(sum, m, sizeof(*sum), kt_rank);
        for (uint32_t i = 0; i < m && i < k; i++)
            fprintf(out.f, "%llu %llu %llu\n", (unsigned long long)epoch,
                    (unsigned long long)sum[i].key, (unsigned long long)sum[i].total);
    }
    *input = ts_text_close(&in);
    *want = ts_text_close(&out);
}

static void test_examples_topk_random(void **state)
{
    static const char *const ks[] = {"1", "3", "7"};

    (void)state;
    for (uint64_t seed = 1; seed <= 3; seed++) {
        uint32_t k = (uint32_t)atoi(ks[seed - 1]);
        char *input, *want, *path;
        random_topk(seed * 7919, k, &input, &want);
        path = temp_file(input);
        assert_true(strlen(want) > 0);
        for (size_t i = 0; i < NWORKERS; i++) {
            const char *args[] = {"-w", WORKERS[i], "-k", ks[seed - 1], NULL};
            char what[96];
            struct outcome o;
            snprintf(what, sizeof(what), "topk seed %llu, k %u, %s workers",
                     (unsigned long long)seed, k, WORKERS[i]);
            run_example("topk", args, path, &o);
            assert_output(&o, want, what);
            free(o.out);
        }
        unlink(path);
        free(path);
        free(input);
        free(want);
    }
}

/* Malformed lines and epochs out of order fail; empty input prints nothing. */
static void test_examples_topk_errors(void **state)
{
    static const char *const bad[] = {"1 2\n", "0 1 2\nx y z\n", "3 1 1\n1 1 1\n"};
    const char *args[] = {"-w", "3", NULL};
    struct outcome o;
    char *path;

    (void)state;
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        path = temp_file(bad[i]);
        run_example("topk", args, path, &o);
        if (o.status == 0)
            fail_msg("topk accepted '%s'", bad[i]);
        assert_int_equal(o.len, 0);
        free(o.out);
        unlink(path);
        free(path);
    }
    path = temp_file("");
    run_example("topk", args, path, &o);
    assert_int_equal(o.status, 0);
    assert_int_equal(o.len, 0);
    free(o.out);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples_wordcount_random),
        cmocka_unit_test(test_examples_wordcount_builtin),
        cmocka_unit_test(test_examples_wordcount_errors),
        cmocka_unit_test(test_examples_topk_random),
        cmocka_unit_test(test_examples_topk_errors),
    };
    return cmocka_run_group_tests_name("examples", tests, NULL, NULL);
}
