/* Getting a target for the CLI (attaching to it, or launching it), with one-line error messages
 * that say what to do.
 * SPDX-License-Identifier: MIT */
#ifndef CLI_ATTACH_H
#define CLI_ATTACH_H

#include "py_proc.h"
#include "util_proc.h"

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

/* Launch cmd (record's and monitor's command) into *c: in our process group, so that a
 * terminal's Ctrl-C reaches it too, with our stdio and environment (util_proc, no flags).
 * Returns 0, or 127 after the line "spyglass: cannot run 'CMD': REASON". */
int cli_launch(char **cmd, struct util_proc *c);

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
