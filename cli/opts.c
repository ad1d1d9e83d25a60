/*
 * Table-driven option parsing and help for `gyre` subcommands (cli/opts.h).
 */
#include "cli/opts.h"

#include <stdarg.h>
#include <string.h>

#include "cli/cli.h"

/* Width of the option column in help: the longest entry today is
 * "      --time-column N" (21 characters) plus a gap. */
#define HELP_COLUMN 24

void gy_cli_parser_init(struct gy_cli_parser *p, const char *cmd, int argc, char **argv,
                        const struct gy_cli_opt *opts, size_t nopts)
{
    memset(p, 0, sizeof(*p));
    p->cmd = cmd;
    p->argc = argc;
    p->argv = argv;
    p->next = 1;
    p->opts = opts;
    p->nopts = nopts;
}

static void vusage(const char *cmd, const char *fmt, va_list ap)
{
    fprintf(stderr, "gyre %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see gyre %s --help)\n", cmd);
}

int gy_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vusage(cmd, fmt, ap);
    va_end(ap);
    return GY_EXIT_USAGE;
}

/* The parser's own usage errors: printed like gy_cli_usage_error's. */
GY_PRINTF(2, 3) static int parse_error(const struct gy_cli_parser *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vusage(p->cmd, fmt, ap);
    va_end(ap);
    return GY_CLI_ERROR;
}

bool gy_cli_parse_u64(const char *s, uint64_t *out)
{
    uint64_t x = 0;

    if (*s == '\0')
        return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || x > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
            return false;
        x = x * 10 + (uint64_t)(*s - '0');
    }
    *out = x;
    return true;
}

/* The option that `word` (past its dashes, up to `len` characters) names. */
static const struct gy_cli_opt *find_long(const struct gy_cli_parser *p, const char *word,
                                          size_t len)
{
    for (size_t k = 0; k < p->nopts; k++)
        if (strlen(p->opts[k].lng) == len && strncmp(p->opts[k].lng, word, len) == 0)
            return &p->opts[k];
    return NULL;
}

static const struct gy_cli_opt *find_short(const struct gy_cli_parser *p, char c)
{
    for (size_t k = 0; k < p->nopts; k++)
        if (p->opts[k].shrt != 0 && p->opts[k].shrt == c)
            return &p->opts[k];
    return NULL;
}

/*
 * Finishes option o whose text was `word`: inline is the value attached to
 * it ("--x=V", "-xV") or NULL, in which case a value-taking option takes
 * the next element of argv.
 */
static int take(struct gy_cli_parser *p, const struct gy_cli_opt *o, const char *word,
                const char *inline_val, const char **val)
{
    if (o->arg == NULL) {
        if (inline_val != NULL)
            return parse_error(p, "%s takes no value", word);
        *val = NULL;
        return o->id;
    }
    if (inline_val == NULL) {
        if (p->next >= p->argc)
            return parse_error(p, "%s needs a value (%s)", word, o->arg);
        inline_val = p->argv[p->next++];
    }
    *val = inline_val;
    return o->id;
}

static int next_long(struct gy_cli_parser *p, const char *word, const char **val)
{
    const char *eq = strchr(word + 2, '=');
    size_t len = eq ? (size_t)(eq - word - 2) : strlen(word + 2);
    const struct gy_cli_opt *o = find_long(p, word + 2, len);
    char name[64];

    snprintf(name, sizeof(name), "%.*s", (int)(len + 2), word);
    if (o == NULL)
        return parse_error(p, "unknown option '%s'", name);
    return take(p, o, name, eq ? eq + 1 : NULL, val);
}

static int next_short(struct gy_cli_parser *p, const char *word, const char **val)
{
    const struct gy_cli_opt *o = find_short(p, word[1]);
    char name[3] = {'-', word[1], '\0'};

    if (o == NULL || (o->arg == NULL && word[2] != '\0'))
        return parse_error(p, "unknown option '%s'", word);
    return take(p, o, name, word[2] != '\0' ? word + 2 : NULL, val);
}

int gy_cli_parser_next(struct gy_cli_parser *p, const char **val)
{
    const char *word;

    if (p->next >= p->argc)
        return GY_CLI_END;
    word = p->argv[p->next++];
    if (!p->args_only && strcmp(word, "--") == 0) {
        p->args_only = true;
        return gy_cli_parser_next(p, val);
    }
    if (p->args_only || word[0] != '-' || word[1] == '\0') {
        *val = word;
        return GY_CLI_ARG;
    }
    return word[1] == '-' ? next_long(p, word, val) : next_short(p, word, val);
}

/* Prints help text, indenting each continuation line to the text column. */
static void help_text(FILE *out, const char *text)
{
    const char *nl;

    while ((nl = strchr(text, '\n')) != NULL) {
        fprintf(out, "%.*s\n%*s", (int)(nl - text), text, HELP_COLUMN, "");
        text = nl + 1;
    }
    fprintf(out, "%s\n", text);
}

void gy_cli_opts_help(FILE *out, const struct gy_cli_opt *opts, size_t nopts)
{
    for (size_t k = 0; k < nopts; k++) {
        const struct gy_cli_opt *o = &opts[k];
        char head[64];
        int n;

        if (o->shrt != 0)
            n = snprintf(head, sizeof(head), "  -%c, --%s%s%s", o->shrt, o->lng,
                         o->arg ? " " : "", o->arg ? o->arg : "");
        else
            n = snprintf(head, sizeof(head), "      --%s%s%s", o->lng, o->arg ? " " : "",
                         o->arg ? o->arg : "");
        if (n >= HELP_COLUMN - 1)
            fprintf(out, "%s\n%*s", head, HELP_COLUMN, "");
        else
            fprintf(out, "%-*s", HELP_COLUMN, head);
        help_text(out, o->help);
    }
}
