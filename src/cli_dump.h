/* spyglass dump: print every thread's current Python stack once.
 * SPDX-License-Identifier: MIT */
#ifndef CLI_DUMP_H
#define CLI_DUMP_H

/* argv[0] is "dump". Returns the exit code. */
int cli_dump(int argc, char **argv);

#endif
