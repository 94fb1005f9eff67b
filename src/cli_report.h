/* spyglass report: convert a saved collapsed profile to any profile format.
 * SPDX-License-Identifier: MIT */
#ifndef CLI_REPORT_H
#define CLI_REPORT_H

/* argv[0] is "report". Returns the exit code. */
int cli_report(int argc, char **argv);

#endif
