/* spyglass timeit: micro-benchmarks of Python statements on one or more interpreters.
 * SPDX-License-Identifier: MIT */
#ifndef CLI_TIMEIT_H
#define CLI_TIMEIT_H

/* argv[0] is "timeit". Returns the exit code: 0, 1 (an interpreter could not start, a statement
 * failed or timed out, an output could not be written), 2 (usage), 4 (regression against
 * --baseline), 130 (Ctrl-C; the partial results were reported). */
int cli_timeit(int argc, char **argv);

#endif
