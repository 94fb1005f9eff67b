/* Subcommand dispatch and top-level usage.
 * SPDX-License-Identifier: MIT */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "cli_bench.h"
#include "cli_diff.h"
#include "cli_dump.h"
#include "cli_monitor.h"
#include "cli_msg.h"
#include "cli_record.h"
#include "cli_report.h"
#include "cli_timeit.h"

static const char usage[] =
    "usage: spyglass <command> [options]\n"
    "\n"
    "commands:\n"
    "  record   sample the Python stacks of a process (or a command) and write a profile\n"
    "  report   convert a saved profile (raw or collapsed) to svg, speedscope, pprof,\n"
    "           pstats, chrome...\n"
    "  diff     compare two saved profiles: a differential flame graph\n"
    "  dump     print every thread's current Python stack once\n"
    "  bench    time commands many times and compare them, with per-run CPU, memory and I/O\n"
    "  timeit   time Python statements in many processes; compare statements or interpreters\n"
    "  monitor  resource use of a process tree over time: CPU, memory, disk, network\n"
    "\n"
    "Run 'spyglass <command> --help' for a command's options.\n";

int cli_main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "record") == 0)
        return cli_record(argc - 1, argv + 1);
    if (strcmp(cmd, "report") == 0)
        return cli_report(argc - 1, argv + 1);
    if (strcmp(cmd, "diff") == 0)
        return cli_diff(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0)
        return cli_bench(argc - 1, argv + 1);
    if (strcmp(cmd, "timeit") == 0)
        return cli_timeit(argc - 1, argv + 1);
    if (strcmp(cmd, "monitor") == 0)
        return cli_monitor(argc - 1, argv + 1);
    if (strcmp(cmd, "dump") == 0)
        return cli_dump(argc - 1, argv + 1);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage, stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        printf("spyglass %s\n", SPYGLASS_VERSION);
        return EXIT_OK;
    }
    cli_msg(stderr, "spyglass: unknown command '%s' (try 'spyglass --help')\n", cmd);
    return EXIT_USAGE;
}
