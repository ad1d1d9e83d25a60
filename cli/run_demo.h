/*
 * The `gyre demo` command (cli/run_demo.c): a small real dataflow on all
 * cores, iterating every epoch's numbers to a fixpoint in a loop.
 *
 * Takes the command's own argv (argv[0] is "demo"), prints the per-epoch
 * table on stdout and errors as one line on stderr, and returns the process
 * exit status: 0 on success, 1 if the run failed or its result disagrees
 * with a sequential check, 2 on a usage error. Main thread only; keeps no
 * global state, so it may be called again.
 */
#ifndef GY_CLI_RUN_DEMO_H
#define GY_CLI_RUN_DEMO_H

/* gyre demo [-w N] [-e EPOCHS] [-n NUMBERS] [-a] */
int gy_cli_demo(int argc, char **argv);

#endif
