/* Unit tests for thread_state: the classifier on syscall files captured from real threads
 * (tests/fixtures/syscall) with their stat letters, fd kinds and GIL ranges, and the reader on
 * threads of this process blocked in a pipe read, a socket recv, a sleep and a contended mutex
 * (standing for the GIL when its address range is given).
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "suites.h"
#include "test.h"
#include "thread_state.h"

/* Parse fixture NAME and its .state letter. Returns 0 or -1 (a failure is counted). */
static int fixture(const char *name, struct proc_syscall *sc, char *letter)
{
    char path[128];
    size_t len;
    int err = -1;
    snprintf(path, sizeof(path), "fixtures/syscall/%s.txt", name);
    char *t = test_read_fixture(path, &len);
    snprintf(path, sizeof(path), "fixtures/syscall/%s.state", name);
    char *st = test_read_fixture(path, NULL);
    if (t && st && proc_syscall_parse(t, len, sc) == 0) {
        *letter = st[0];
        err = 0;
    }
    free(t);
    free(st);
    TEST_EQ_INT(err, 0);
    return err;
}

#define CLASSIFY(sc, stat, fd, gil, len) thread_state_classify(sc, stat, fd, gil, len)

static void test_classify_fixtures(void)
{
    struct proc_syscall sc;
    char st;

    if (fixture("spin_py312", &sc, &st) == 0) {
        TEST_EQ_INT(CLASSIFY(&sc, 0, PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_CPU);
        TEST_CHECK(!thread_state_needs_fd(&sc));
    }
    if (fixture("recv_py312", &sc, &st) == 0) /* recvfrom: sockets only, no fd lookup */
        TEST_EQ_INT(CLASSIFY(&sc, 0, PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_NETWORK);
    if (fixture("pipe_py312", &sc, &st) == 0) { /* read(6): the fd decides */
        TEST_CHECK(thread_state_needs_fd(&sc));
        TEST_EQ_INT(CLASSIFY(&sc, 0, PROC_FD_PIPE, 0, 0), THREAD_STATE_PIPE);
        TEST_EQ_INT(CLASSIFY(&sc, 0, PROC_FD_SOCKET, 0, 0), THREAD_STATE_NETWORK);
        TEST_EQ_INT(CLASSIFY(&sc, 0, PROC_FD_FILE, 0, 0), THREAD_STATE_DISK);
        /* An fd of no known kind: the stat letter decides, and must be asked for. */
        TEST_EQ_INT(CLASSIFY(&sc, 0, PROC_FD_OTHER, 0, 0), THREAD_STATE_UNKNOWN);
        TEST_EQ_INT(CLASSIFY(&sc, st, PROC_FD_OTHER, 0, 0), THREAD_STATE_OTHER);
        TEST_EQ_INT(CLASSIFY(&sc, 'D', PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_DISK);
        TEST_EQ_INT(CLASSIFY(&sc, 'R', PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_CPU);
    }
    if (fixture("lock_py312", &sc, &st) == 0) { /* futex on 0x558088a24530 */
        uint64_t a = sc.args[0];
        TEST_EQ_INT(CLASSIFY(&sc, st, PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_LOCK);
        TEST_EQ_INT(CLASSIFY(&sc, st, PROC_FD_UNKNOWN, a, 208), THREAD_STATE_GIL);
        TEST_EQ_INT(CLASSIFY(&sc, st, PROC_FD_UNKNOWN, a - 207, 208), THREAD_STATE_GIL);
        TEST_EQ_INT(CLASSIFY(&sc, st, PROC_FD_UNKNOWN, a - 208, 208), THREAD_STATE_LOCK);
        TEST_EQ_INT(CLASSIFY(&sc, st, PROC_FD_UNKNOWN, a + 1, 208), THREAD_STATE_LOCK);
    }
    if (fixture("sleep_py312", &sc, &st) == 0) /* clock_nanosleep */
        TEST_EQ_INT(CLASSIFY(&sc, 0, PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_SLEEP);
    if (fixture("sleep_py38", &sc, &st) == 0) { /* pselect6 without fds: a sleep */
        TEST_EQ_INT(CLASSIFY(&sc, 0, PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_SLEEP);
        sc.args[0] = 5; /* with fds: a poll */
        TEST_EQ_INT(CLASSIFY(&sc, 0, PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_POLL);
    }
    if (fixture("stopped", &sc, &st) == 0) { /* "-1 SP PC", state T */
        TEST_EQ_INT(CLASSIFY(&sc, 0, PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_UNKNOWN);
        TEST_EQ_INT(CLASSIFY(&sc, st, PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_OTHER);
        TEST_EQ_INT(CLASSIFY(&sc, 'D', PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_DISK);
    }
    /* Without a syscall reading: the letter alone. */
    TEST_EQ_INT(CLASSIFY(NULL, 'R', PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_CPU);
    TEST_EQ_INT(CLASSIFY(NULL, 'D', PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_DISK);
    TEST_EQ_INT(CLASSIFY(NULL, 'S', PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_UNKNOWN);
    TEST_EQ_INT(CLASSIFY(NULL, 0, PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_UNKNOWN);
}

static void test_classify_calls(void)
{
    struct proc_syscall sc;
    memset(&sc, 0, sizeof(sc));
    sc.nr = SYS_ppoll;
    TEST_EQ_INT(CLASSIFY(&sc, 0, PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_SLEEP); /* no fds */
    sc.args[1] = 1;
    TEST_EQ_INT(CLASSIFY(&sc, 0, PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_POLL);
    sc.nr = SYS_epoll_pwait;
    TEST_EQ_INT(CLASSIFY(&sc, 0, PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_POLL);
    sc.nr = SYS_fdatasync;
    TEST_EQ_INT(CLASSIFY(&sc, 'S', PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_DISK);
    sc.nr = SYS_wait4;
    TEST_EQ_INT(CLASSIFY(&sc, 0, PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_UNKNOWN);
    TEST_EQ_INT(CLASSIFY(&sc, 'S', PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_OTHER);
    TEST_EQ_INT(CLASSIFY(&sc, 'D', PROC_FD_UNKNOWN, 0, 0), THREAD_STATE_DISK);
    TEST_EQ_STR(thread_state_name(THREAD_STATE_NETWORK), "network");
    TEST_EQ_STR(thread_state_name(THREAD_STATE_GIL), "gil");
    TEST_EQ_STR(thread_state_name(THREAD_STATE_N), "unknown");
}

/* Helper threads of the live test: each publishes its TID, then blocks in its call. */
struct helper {
    int kind; /* 0 pipe read, 1 socket recv, 2 sleep, 3 mutex, 4 pause */
    int fd;
    pthread_mutex_t *mu;
    volatile int tid;
};

static void wake(int sig)
{
    (void)sig;
}

static void *helper_main(void *arg)
{
    struct helper *h = arg;
    char c;
    h->tid = (int)syscall(SYS_gettid);
    if (h->kind == 0 && read(h->fd, &c, 1) < 0)
        return NULL;
    if (h->kind == 1 && recv(h->fd, &c, 1, 0) < 0)
        return NULL;
    if (h->kind == 2)
        nanosleep(&(struct timespec){30, 0}, NULL);
    if (h->kind == 3) {
        pthread_mutex_lock(h->mu);
        pthread_mutex_unlock(h->mu);
    }
    if (h->kind == 4)
        pause();
    return NULL;
}

/* Read thread h's state until it is want (the helper may not be blocked yet), up to 2 s. */
static enum thread_state settle(struct thread_state_reader *r, struct thread_state_slot *t,
                                const struct helper *h, enum thread_state want, uint64_t gil)
{
    enum thread_state s = THREAD_STATE_UNKNOWN;
    for (int i = 0; i < 400 && s != want; i++) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        s = thread_state_read(r, t, h->tid, gil, gil ? sizeof(pthread_mutex_t) : 0,
                              (long long)now.tv_sec * 1000000000LL + now.tv_nsec);
        if (s != want)
            nanosleep(&(struct timespec){0, 5000000}, NULL);
    }
    return s;
}

static void test_live(void)
{
    int p[2], sv[2];
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    struct helper h[5] = {
        {0, -1, NULL, 0}, {1, -1, NULL, 0}, {2, -1, NULL, 0}, {3, -1, &mu, 0}, {4, -1, NULL, 0}};
    static const enum thread_state want[5] = {THREAD_STATE_PIPE, THREAD_STATE_NETWORK,
                                              THREAD_STATE_SLEEP, THREAD_STATE_LOCK,
                                              THREAD_STATE_OTHER};
    struct thread_state_slot slot[5];
    pthread_t th[5];
    struct thread_state_reader *r = thread_state_reader_new(getpid());

    struct sigaction sa, old;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = wake; /* no SA_RESTART: interrupts the sleeper's nanosleep and pause */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, &old);
    TEST_CHECK(pipe(p) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
    h[0].fd = p[0];
    h[1].fd = sv[0];
    pthread_mutex_lock(&mu);
    for (int i = 0; i < 5; i++) {
        thread_state_slot_init(&slot[i]);
        TEST_EQ_INT(pthread_create(&th[i], NULL, helper_main, &h[i]), 0);
        while (!h[i].tid)
            nanosleep(&(struct timespec){0, 1000000}, NULL);
        TEST_EQ_INT(settle(r, &slot[i], &h[i], want[i], 0), want[i]);
    }
    /* The same blocked call again: answered from the last reading, no new fd lookup. */
    uint64_t fd_stats = thread_state_reader_stats(r)->fd_stats;
    uint64_t same = thread_state_reader_stats(r)->same_call;
    TEST_EQ_INT(settle(r, &slot[0], &h[0], THREAD_STATE_PIPE, 0), THREAD_STATE_PIPE);
    TEST_EQ_INT(thread_state_reader_stats(r)->fd_stats, fd_stats);
    TEST_EQ_INT(thread_state_reader_stats(r)->same_call, same + 1);
    /* pause(): a call the table does not know, in state S: stat is read once, then the
     * identical reading is enough. */
    uint64_t stat_reads = thread_state_reader_stats(r)->stat_reads;
    TEST_EQ_INT(settle(r, &slot[4], &h[4], THREAD_STATE_OTHER, 0), THREAD_STATE_OTHER);
    TEST_EQ_INT(thread_state_reader_stats(r)->stat_reads, stat_reads);
    TEST_EQ_INT(thread_state_reader_stats(r)->same_call, same + 2);
    /* The mutex the fourth helper waits for, given as the GIL. */
    TEST_EQ_INT(settle(r, &slot[3], &h[3], THREAD_STATE_GIL, (uint64_t)(uintptr_t)&mu),
                THREAD_STATE_GIL);
    TEST_EQ_INT(thread_state_read(r, &slot[0], 0, 0, 0, 1), THREAD_STATE_UNKNOWN);
    uint64_t ns = 0;
    TEST_EQ_INT(thread_state_run_ns(r, &slot[1], h[1].tid, &ns), 0);
    TEST_CHECK(ns > 0 && slot[1].run_ns == ns);
    /* Release the helpers (a signal ends the sleep and the pause). */
    TEST_EQ_INT(write(p[1], "x", 1), 1);
    TEST_EQ_INT(write(sv[1], "x", 1), 1);
    pthread_mutex_unlock(&mu);
    pthread_kill(th[2], SIGUSR1);
    pthread_kill(th[4], SIGUSR1);
    for (int i = 0; i < 5; i++) {
        pthread_join(th[i], NULL);
        thread_state_slot_close(&slot[i]);
    }
    TEST_CHECK(thread_state_reader_stats(r)->errors == 0);
    thread_state_reader_free(r);
    sigaction(SIGUSR1, &old, NULL);
    close(p[0]);
    close(p[1]);
    close(sv[0]);
    close(sv[1]);
}

void test_thread_state(void)
{
    test_classify_fixtures();
    test_classify_calls();
    test_live();
}
