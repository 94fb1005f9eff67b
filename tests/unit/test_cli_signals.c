/* Unit tests for cli_signals: the stop flag counted by real signals (SIGHUP only when asked),
 * no SA_RESTART, SIGPIPE ignored; a stop signal sent with kill(2) waits to be passed on to a real
 * child (which dies of it), one raised in-process as a terminal would is not.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "cli_signals.h"
#include "suites.h"
#include "test.h"
#include "util_proc.h"

static void restore(void)
{
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
}

static void test_flag(void)
{
    volatile sig_atomic_t *stop = cli_signals_install(1);
    struct sigaction sa;

    TEST_EQ_INT(*stop, 0);
    raise(SIGINT);
    TEST_EQ_INT(*stop, 1);
    raise(SIGTERM);
    TEST_EQ_INT(*stop, 2); /* counted */
    restore();
    stop = cli_signals_install(0);
    TEST_EQ_INT(*stop, 0); /* cleared */
    raise(SIGTERM);
    TEST_EQ_INT(*stop, 1);
    sigaction(SIGHUP, NULL, &sa);
    TEST_CHECK(sa.sa_handler == SIG_DFL); /* not asked for: untouched */
    stop = cli_signals_install(1);
    raise(SIGHUP);
    TEST_EQ_INT(*stop, 1);
    TEST_EQ_INT(raise(SIGPIPE), 0); /* ignored */
    sigaction(SIGINT, NULL, &sa);
    TEST_CHECK(!(sa.sa_flags & SA_RESTART));
    restore();
}

static void test_forward(void)
{
    char *argv[] = {"sleep", "600", NULL};
    struct util_proc_spawn s = {0};
    struct util_proc_exit ex;
    struct util_proc c;

    cli_signals_install(0);
    TEST_EQ_INT(*cli_signals_pending(), 0);
    raise(SIGINT); /* from inside, as a terminal's: the child got its own */
    TEST_EQ_INT(*cli_signals_pending(), 0);
    kill(getpid(), SIGTERM); /* from a process: waits to be passed on */
    TEST_EQ_INT(*cli_signals_pending(), SIGTERM);
    TEST_EQ_INT(util_proc_spawn_init(&s, UTIL_PROC_GROUP, NULL, 0), 0);
    TEST_EQ_INT(util_proc_spawn(&s, "sleep", argv, &c), 0);
    util_proc_spawn_destroy(&s);
    /* a wait given the pending flag ends at once, to let it be passed on */
    TEST_EQ_INT(util_proc_wait(&c, UTIL_PROC_FOREVER, cli_signals_pending(), &ex), -EINTR);
    TEST_EQ_INT(cli_signals_forward(&c), SIGTERM);
    TEST_EQ_INT(*cli_signals_pending(), 0);
    TEST_EQ_INT(cli_signals_forward(&c), 0); /* once */
    TEST_EQ_INT(util_proc_wait(&c, UTIL_PROC_FOREVER, cli_signals_pending(), &ex), 0);
    TEST_EQ_INT(ex.signal, SIGTERM);
    util_proc_destroy(&c);
    restore();
}

void test_cli_signals(void)
{
    test_flag();
    test_forward();
}
