/* spyglass record: sample a process's Python stacks and write a profile.
 * SPDX-License-Identifier: MIT */
#ifndef CLI_RECORD_H
#define CLI_RECORD_H

/* argv[0] is "record". Returns the exit code (a launched command's own exit code). */
int cli_record(int argc, char **argv);

#endif
