/*
 * The `gyre convert` and `gyre gen` commands (cli/cmd_convert.c).
 *
 * Both take the command's own argv: argv[0] is the command name ("convert"
 * or "gen"), the arguments follow. They print errors as one line on stderr
 * and return the process exit status: 0 on success, 1 on a runtime error
 * (unreadable input, bad data, a failed write), 2 on a usage error.
 * Main thread only; they use no global state, so they may be called again.
 */
#ifndef GY_CLI_CMD_CONVERT_H
#define GY_CLI_CMD_CONVERT_H

/* gyre convert IN OUT [--format F] [--time-column K] [--sign-column K] [--skip-bad] */
int gy_cli_convert(int argc, char **argv);

/* gyre gen rmat SCALE [--edgefactor K] [--seed S] [--no-scramble] [-o FILE]
 * gyre gen er N M [--seed S] [-o FILE]
 * gyre gen SPEC [-o FILE]     (SPEC as for graph/gen.h: rmat:20, er:1000:5000:7) */
int gy_cli_gen(int argc, char **argv);

#endif
