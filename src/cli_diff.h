/* spyglass diff: a differential profile of two saved profiles (raw or collapsed).
 * SPDX-License-Identifier: MIT */
#ifndef CLI_DIFF_H
#define CLI_DIFF_H

/* argv[0] is "diff". Returns the exit code. */
int cli_diff(int argc, char **argv);

#endif
