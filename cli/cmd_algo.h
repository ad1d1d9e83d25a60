/*
 * The `gyre cc` and `gyre tc` commands (cli/cmd_algo.c): an incremental
 * graph algorithm (algorithms/algo.h) over an edge file or a generator,
 * streamed in epochs on all cores, with one result per epoch printed as a
 * table row or, with --json, as one JSON object per line.
 *
 * Both take the command's own argv (argv[0] is "cc" or "tc") and return the
 * process exit status: GY_EXIT_OK, GY_EXIT_RUNTIME when the run failed (an
 * unreadable file, a bad input line, a delete of an absent edge, a failed
 * write), GY_EXIT_USAGE for a bad command line (an unknown option, a bad
 * value, a malformed generator spec). Every error is one line on stderr.
 * Main thread only; no global state, so they may be called again.
 */
#ifndef GY_CLI_CMD_ALGO_H
#define GY_CLI_CMD_ALGO_H

/* gyre cc FILE|SPEC [options]: connected components per epoch. */
int gy_cli_cc(int argc, char **argv);

/* gyre tc FILE|SPEC [options]: triangles per epoch. */
int gy_cli_tc(int argc, char **argv);

#endif
