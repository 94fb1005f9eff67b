/* spyglass monitor: resource use of a process tree over time (CPU, run-queue wait, memory,
 * disk, network, threads, open files, context switches), a live line on a terminal, a summary,
 * and the series as CSV, JSON or SVG.
 * SPDX-License-Identifier: MIT */
#ifndef CLI_MONITOR_H
#define CLI_MONITOR_H

/* Run `spyglass monitor` with argv (argv[0] = "monitor"); returns the exit code: a launched
 * command's own, 130 after Ctrl-C of an attached process, 1 or 2 on errors. */
int cli_monitor(int argc, char **argv);

#endif
