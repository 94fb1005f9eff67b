/* spyglass bench: statistical benchmarking of commands with per-run resource usage.
 * SPDX-License-Identifier: MIT */
#ifndef CLI_BENCH_H
#define CLI_BENCH_H

/* argv[0] is "bench". Returns the exit code: 0, 1 (a command could not run or failed, or an
 * output could not be written), 2 (usage), 4 (regression against --baseline), 130 (Ctrl-C;
 * the partial results were reported). */
int cli_bench(int argc, char **argv);

#endif
