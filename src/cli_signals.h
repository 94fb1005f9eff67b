/* The stop signals of every command: SIGINT and SIGTERM (and SIGHUP where a command takes it)
 * count in one flag that run loops and waits look at; the last one, when a process sent it with
 * kill(2), waits to be passed on to a launched child in spyglass's process group (a terminal's
 * Ctrl-C reaches that child by itself). SIGPIPE is ignored (a write to a closed pipe fails with
 * EPIPE instead).
 * SPDX-License-Identifier: MIT */
#ifndef CLI_SIGNALS_H
#define CLI_SIGNALS_H

#include <signal.h>

#include "util_proc.h"

/* Install the handlers, of SIGHUP too when hup is 1; without SA_RESTART, so that a blocking
 * wait for a child is interrupted. Returns the stop flag, cleared: the number of stop signals
 * since (a caller may clear it again). */
volatile sig_atomic_t *cli_signals_install(int hup);

/* The flag that is non-zero while a stop signal sent by a process waits to be passed on (for
 * util_proc_wait's stop: a wait ends to let cli_signals_forward() send it). */
const volatile sig_atomic_t *cli_signals_pending(void);

/* Pass the waiting stop signal, if any, on to c (util_proc_signal) and clear it. Returns the
 * signal sent, or 0. */
int cli_signals_forward(struct util_proc *c);

#endif
