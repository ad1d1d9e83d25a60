/*
 * What the `gyre` subcommands share: the version, the exit statuses, and the
 * progress demo's entry point. The dispatch table lives in cli/main.c; other
 * subcommands declare their entry points in their own headers (cli/cmd_*.h).
 *
 * Every entry point takes the command's own argv (argv[0] is the command
 * name, the arguments follow), prints errors as one line on stderr, and
 * returns the process exit status. Main thread only.
 */
#ifndef GY_CLI_CLI_H
#define GY_CLI_CLI_H

#define GY_VERSION "0.1.0"

#define GY_EXIT_OK      0
#define GY_EXIT_RUNTIME 1 /* the command ran and failed */
#define GY_EXIT_USAGE   2 /* bad command line */

/* gyre progress-demo: walks a small looping dataflow through progress
 * tracking and prints the pointstamps and frontiers after every step. */
int gy_cli_progress_demo(int argc, char **argv);

#endif
