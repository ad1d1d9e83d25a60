/*
 * The `gyre` command: a table of subcommands, each a name, an entry point
 * and one line of help. Adding a subcommand is one row in `commands`; the
 * usage text is generated from the table, so it cannot fall out of date.
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/cmd_algo.h"
#include "cli/cmd_bench.h"
#include "cli/cmd_convert.h"
#include "cli/run_demo.h"

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
};

static const struct command commands[] = {
    {"cc", gy_cli_cc, "connected components of an edge stream, per epoch"},
    {"tc", gy_cli_tc, "triangles of an edge stream, per epoch"},
    {"demo", gy_cli_demo, "iterate numbers to a fixpoint in a loop, per epoch, on all cores"},
    {"progress-demo", gy_cli_progress_demo,
     "walk a small dataflow with a loop through progress tracking"},
    {"convert", gy_cli_convert, "convert an edge file to .gyb or a text edge list"},
    {"gen", gy_cli_gen, "generate a synthetic edge stream (rmat, er)"},
    {"bench", gy_cli_bench, "measure scaling: time, speedup, COST and memory per worker count"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
    fputs("usage: gyre <command> [arguments]\n"
          "       gyre --help | --version\n"
          "\n"
          "commands:\n",
          out);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(out, "  %-15s %s\n", commands[i].name, commands[i].help);
    fputs("\n"
          "An input is an edge file (text, Matrix Market or .gyb, maybe gzipped) or\n"
          "a generator spec, rmat:SCALE[:EDGEFACTOR[:SEED]] or er:N:M[:SEED].\n"
          "\n"
          "examples:\n"
          "  gyre cc rmat:20 -w 2 --batch 1000000   components of an R-MAT graph in 17 epochs\n"
          "  gyre tc edges.txt --json               triangles, one JSON object per epoch\n"
          "  gyre gen rmat 18 -o rmat18.gyb         write a generated graph to a file\n"
          "\n"
          "'gyre <command> --help' describes a command's options.\n",
          out);
}

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int main(int argc, char **argv)
{
    const struct command *cmd;

    if (argc < 2) {
        usage(stderr);
        return GY_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return GY_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("gyre %s\n", GY_VERSION);
        return GY_EXIT_OK;
    }
    cmd = find_command(argv[1]);
    if (cmd == NULL) {
        fprintf(stderr, "gyre: unknown command '%s'\n", argv[1]);
        usage(stderr);
        return GY_EXIT_USAGE;
    }
    return cmd->run(argc - 1, argv + 1);
}
