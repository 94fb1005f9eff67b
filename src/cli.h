/* Command-line entry: subcommand dispatch, usage, exit codes. The cli_* files are the only
 * place that prints to the terminal or exits.
 * SPDX-License-Identifier: MIT */
#ifndef CLI_H
#define CLI_H

#define SPYGLASS_VERSION "0.1.0"

enum exit_code {
    EXIT_OK = 0,
    EXIT_ERROR = 1,         /* could not do the job: cannot attach, not Python, cannot write */
    EXIT_USAGE = 2,         /* bad command line */
    EXIT_PARTIAL = 3,       /* the target exited before the requested duration; output written */
    EXIT_REGRESSION = 4,    /* bench: a significant slowdown against the baseline */
    EXIT_INTERRUPTED = 130, /* stopped by Ctrl-C; what was measured was written */
};

/* Run spyglass with argv; returns the process exit code. */
int cli_main(int argc, char **argv);

#endif
