/* The stop signals' handler and the forwarding of a stop signal to a launched child.
 * SPDX-License-Identifier: MIT */
#include "cli_signals.h"

#include <string.h>

static volatile sig_atomic_t stop_flag; /* stop signals received */
static volatile sig_atomic_t pending;   /* the last one, when sent by kill(2) or sigqueue(3) */

static void on_stop(int sig, siginfo_t *info, void *uctx)
{
    (void)uctx;
    stop_flag++;
    pending = info && (info->si_code == SI_USER || info->si_code == SI_QUEUE) ? sig : 0;
}

volatile sig_atomic_t *cli_signals_install(int hup)
{
    struct sigaction sa;

    stop_flag = 0;
    pending = 0;
    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_stop;
    sa.sa_flags = SA_SIGINFO; /* no SA_RESTART: the wait for a child must be interrupted */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    if (hup)
        sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return &stop_flag;
}

const volatile sig_atomic_t *cli_signals_pending(void)
{
    return &pending;
}

int cli_signals_forward(struct util_proc *c)
{
    int sig = pending;

    if (sig) {
        pending = 0;
        util_proc_signal(c, sig);
    }
    return sig;
}
