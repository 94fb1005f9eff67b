/* Attaching to a target for the CLI, with one-line error messages that say what to do.
 * SPDX-License-Identifier: MIT */
#ifndef CLI_ATTACH_H
#define CLI_ATTACH_H

#include "py_proc.h"

/* Attach to pid, retrying for up to wait_s seconds while the interpreter is not there yet
 * (a launched command still starting). keep_going, when non-NULL, is polled and stops the wait
 * early when it becomes zero. On failure prints one line to stderr and returns an exit code;
 * returns 0 and *out on success. */
int cli_attach(int pid, double wait_s, volatile int *keep_going, struct py_proc **out);

/* Print the one-line explanation of a failed py_proc_open(pid) (err, detail from it): a kernel
 * thread or a zombie is named as such whatever err; -EPERM (not permitted to read the
 * process) gets the true reason (proc_access: another user, Yama, capabilities, a user
 * namespace, a security module); -EACCES prints detail, which names the interpreter file that
 * could not be opened. */
void cli_attach_error(int pid, int err, const char *detail);

/* When pid is a kernel thread or a zombie (there is nothing to read), print one line saying so
 * and return EXIT_ERROR; else return 0. */
int cli_attach_refuse(int pid);

/* Print "spyglass: cannot write PATH: REASON" for a failed write of path (err: an errno or
 * util_file.h's FILE_ERR_PROTECTED_LINK, either sign). */
void cli_write_error(const char *path, int err);

/* After getopt_long (called with opterr = 0 and an optstring starting with ":" or "+:")
 * returned '?' or ':', print one line naming the bad option of subcommand cmd. */
void cli_bad_option(const char *cmd, int c, char **argv);

/* Parse a positive PID from s; returns it, or -1 (after printing an error). */
int cli_parse_pid(const char *s);

#endif
