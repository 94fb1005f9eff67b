/* Command-line entry: subcommand dispatch, usage, exit codes. The cli_* files are the only
 * place that prints to the terminal or exits.
 * SPDX-License-Identifier: MIT */
#ifndef CLI_H
#define CLI_H

enum exit_code {
    EXIT_OK = 0,
    EXIT_ERROR = 1,   /* could not do the job: cannot attach, not Python, cannot write */
    EXIT_USAGE = 2,   /* bad command line */
    EXIT_PARTIAL = 3, /* the target exited before the requested duration; output written */
};

/* Run spyglass with argv; returns the process exit code. */
int cli_main(int argc, char **argv);

#endif
