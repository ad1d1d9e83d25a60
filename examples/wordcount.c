/*
 * wordcount: word counts per epoch, line j of the text (a file, or built-in lines) being epoch j.
 * Words are runs of ASCII letters and digits, lowercased, cut to 31 bytes. The worker that owns
 * a word counts it; one worker prints "epoch word count" lines sorted by epoch, then word.
 *     Usage: wordcount [-w workers] [file]
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "operators/builtins.h"
#include "operators/input.h"

#define WORD 32
struct word { char s[WORD]; uint64_t n; };   /* a word and how often it was seen */

static const char builtin[] = "It was the best of times, it was the worst of times,\n"
    "it was the age of wisdom, it was the age of foolishness,\n\nit was the epoch of belief\n";

/* FNV-1a of the word; of arg instead when given (then all words go to one worker). */
static uint64_t word_key(const void *rec, void *arg)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const char *p = arg ? arg : rec; *p; p++)
        h = (h ^ (unsigned char)*p) * 0x100000001b3ULL;
    return h;
}

static int by_word(const void *a, const void *b) { return strcmp(a, b); }

/* Epoch complete: sort its words, add up equal words' counts, emit (arg NULL) or print them. */
static int count(const struct gy_time *t, void *recs, uint32_t n, gy_emit_t *e, void *arg)
{
    struct word *w = recs;
    qsort(w, n, sizeof(*w), by_word);
    for (uint32_t i = 0, j = 0; i < n; i = j) {
        struct word c = w[i];
        for (c.n = 0; j < n && strcmp(w[j].s, c.s) == 0; j++)
            c.n += w[j].n;
        if (arg)
            printf("%llu %s %llu\n", (unsigned long long)t->epoch, c.s, (unsigned long long)c.n);
        else if (gy_emit(e, &c) != 0)
            return -ECANCELED;
    }
    return 0;
}

/* Worker w reads lines w, w + W, ... of the text and sends their words at epoch = line. */
static int worker(gy_worker_t *w, void *text)
{
    gy_dataflow_t *df = gy_dataflow_new(w, "wordcount");
    gy_stream_t *s = NULL;
    gy_input_t *in = df ? gy_input_new(df, "words", sizeof(struct word), &s) : NULL;
    uint64_t line = 0;
    s = gy_op_unary_notify(s, "count", gy_pact_exchange(word_key, NULL), sizeof(struct word),
                           count, NULL);
    if (!gy_op_unary_notify(s, "print", gy_pact_exchange(word_key, (void *)""), 1, count, text) ||
        gy_dataflow_build(df) != 0)
        return -ECANCELED;
    for (const char *p = text; *p; line += *p++ == '\n') {
        struct word wd = {.n = 1};
        size_t n = 0;
        for (; isalnum((unsigned char)*p); p++)
            if (n < WORD - 1)
                wd.s[n++] = (char)tolower((unsigned char)*p);
        if (n > 0 && line % gy_worker_peers(w) == gy_worker_index(w) &&
            (gy_input_advance_to(in, line) != 0 || gy_input_send(in, &wd, 1) != 0))
            return -ECANCELED;
        if (*p == '\0')
            break;
    }
    gy_input_close(in);
    return gy_worker_run(w);
}

int main(int argc, char **argv)
{
    struct gy_runtime_config cfg;
    char err[512], *text = NULL;
    size_t cap = 0;
    int file = argc > 2 && strcmp(argv[1], "-w") == 0 ? 3 : 1;
    FILE *f = file < argc ? fopen(argv[file], "r") : fmemopen((void *)builtin, strlen(builtin), "r");
    gy_runtime_config_init(&cfg);
    cfg.workers = file == 3 ? (uint32_t)strtoul(argv[2], NULL, 10) : 0;
    if (!f || argc > file + 1)
        return fprintf(stderr, "usage: wordcount [-w workers] [file]: %s\n",
                       f ? "one file at most" : strerror(errno)), 2;
    if (getdelim(&text, &cap, '\0', f) < 0 && text) /* the whole text: it holds no NUL */
        text[0] = '\0';
    fclose(f);
    if (!text || gy_runtime_run(&cfg, worker, text, err, sizeof(err)) != 0)
        return fprintf(stderr, "wordcount: %s\n", text ? err : "out of memory"), 1;
    free(text);
    return 0;
}
