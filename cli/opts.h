/*
 * Option parsing shared by `gyre` subcommands: a command describes its
 * options once, in a table, and the same table drives both the parser and
 * the help text, so --help lists exactly the options the parser accepts.
 *
 * Accepted forms: "--name VALUE", "--name=VALUE", "-n VALUE", "-nVALUE",
 * flags "--name" and "-n", and "--", after which everything is an argument.
 * A lone "-" is an argument (stdin, by convention). Nothing is permuted and
 * no global state is kept (unlike getopt), so a command may parse again.
 *
 * Errors are printed as one line on stderr,
 *     "gyre CMD: what is wrong (see gyre CMD --help)",
 * and the caller returns GY_EXIT_USAGE. Main thread only.
 */
#ifndef GY_CLI_OPTS_H
#define GY_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "progress/compiler.h"

/* One option. A table is an array of these; ids need not be dense. */
struct gy_cli_opt {
    int id;            /* what gy_cli_parser_next returns for it; >= 0 */
    char shrt;         /* short letter ('w' for -w), or 0 for none */
    const char *lng;   /* long name without the dashes ("workers") */
    const char *arg;   /* the value's name in the help ("N"), NULL for a flag */
    const char *help;  /* what it does; '\n' starts an indented continuation line */
};

/* gy_cli_parser_next results other than an option id. */
#define GY_CLI_ARG   (-1) /* a positional argument, in *val */
#define GY_CLI_END   (-2) /* argv is exhausted */
#define GY_CLI_ERROR (-3) /* a usage error, already printed */

/* Walks one command's argv. Embed it; fields are private to opts.c. */
struct gy_cli_parser {
    const char *cmd;              /* the command's name, for messages */
    int argc;
    char **argv;
    int next;                     /* index of the next element of argv */
    bool args_only;               /* "--" was seen */
    const struct gy_cli_opt *opts;
    size_t nopts;
};

/* Starts at argv[1] (argv[0] is the command's name). Pair with nothing. */
void gy_cli_parser_init(struct gy_cli_parser *p, const char *cmd, int argc, char **argv,
                        const struct gy_cli_opt *opts, size_t nopts);

/*
 * The next element of argv: an option's id with *val its value (NULL for a
 * flag), GY_CLI_ARG with *val the argument, GY_CLI_END, or GY_CLI_ERROR
 * after printing an unknown option, a missing value or a value given to a
 * flag.
 */
int gy_cli_parser_next(struct gy_cli_parser *p, const char **val);

/* Writes the table as help lines, "  -w, --workers N   text", to out. */
void gy_cli_opts_help(FILE *out, const struct gy_cli_opt *opts, size_t nopts);

/* Prints "gyre CMD: <message> (see gyre CMD --help)" on stderr and returns
 * GY_EXIT_USAGE. */
int gy_cli_usage_error(const char *cmd, const char *fmt, ...) GY_PRINTF(2, 3);

/* A decimal unsigned number made of digits only (no sign, no spaces), in
 * range. Returns false otherwise, leaving *out alone. */
GY_NODISCARD bool gy_cli_parse_u64(const char *s, uint64_t *out);

#endif
