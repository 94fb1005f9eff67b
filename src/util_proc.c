/* Children: spawn, wait, signal, exit status and rusage, one way for every command.
 * SPDX-License-Identifier: MIT */
#include "util_proc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util_clock.h"

#define STOP_TICK     20000000LL /* ns: how soon a stop flag set by another thread is seen */
#define NO_PIDFD_TICK 1000000LL  /* ns between looks at a child without a pidfd */
#define PIDFD_NONE    -2         /* util_proc.pidfd: pidfd_open failed, not tried again */

extern char **environ;

int util_proc_spawn_init(struct util_proc_spawn *s, unsigned flags, const int *fds, int nfds)
{
    short sflags = POSIX_SPAWN_SETSIGDEF;
    sigset_t none, def;
    int rc;

    sigemptyset(&none);
    if (flags & UTIL_PROC_CLEAN) {
        sigfillset(&def);
        sflags |= POSIX_SPAWN_SETSIGMASK;
    } else {
        sigemptyset(&def);
        sigaddset(&def, SIGINT);
        sigaddset(&def, SIGTERM);
        sigaddset(&def, SIGPIPE);
    }
    if (flags & UTIL_PROC_GROUP)
        sflags |= POSIX_SPAWN_SETPGROUP;
    s->group = (flags & UTIL_PROC_GROUP) != 0;
    if ((rc = posix_spawnattr_init(&s->attr)) != 0)
        return -rc;
    s->attr_ok = 1;
    if ((rc = posix_spawn_file_actions_init(&s->fa)) != 0)
        return -rc;
    s->fa_ok = 1;
    rc = posix_spawnattr_setflags(&s->attr, sflags);
    if (!rc && s->group)
        rc = posix_spawnattr_setpgroup(&s->attr, 0);
    if (!rc && (flags & UTIL_PROC_CLEAN))
        rc = posix_spawnattr_setsigmask(&s->attr, &none);
    if (!rc)
        rc = posix_spawnattr_setsigdefault(&s->attr, &def);
    for (int i = 0; i < nfds && !rc; i++)
        if (fds[i] >= 0)
            rc = posix_spawn_file_actions_adddup2(&s->fa, fds[i], i);
    return -rc;
}

int util_proc_spawn(const struct util_proc_spawn *s, const char *file, char *const argv[],
                    struct util_proc *c)
{
    pid_t pid;
    int rc = posix_spawnp(&pid, file, &s->fa, &s->attr, argv, environ);

    switch (rc) {
    case 0:
        break;
    case ENOENT:
    case ENOTDIR:
        return -ENOENT;
    case EACCES:
    case EPERM:
    case EISDIR:
        return -EACCES;
    case ENOEXEC:
    case ELIBBAD:
        return -ENOEXEC;
    default:
        return -rc;
    }
    c->pid = pid;
    c->pidfd = -1;
    c->group = s->group;
    c->exited = 0;
    return 0;
}

void util_proc_spawn_destroy(struct util_proc_spawn *s)
{
    if (s->attr_ok)
        posix_spawnattr_destroy(&s->attr);
    if (s->fa_ok)
        posix_spawn_file_actions_destroy(&s->fa);
    s->attr_ok = s->fa_ok = 0;
}

int util_proc_start(unsigned flags, const int *fds, int nfds, const char *file, char *const argv[],
                    struct util_proc *c)
{
    struct util_proc_spawn s = {0};
    int rc = util_proc_spawn_init(&s, flags, fds, nfds);

    if (rc == 0)
        rc = util_proc_spawn(&s, file, argv, c);
    util_proc_spawn_destroy(&s);
    return rc;
}

int util_proc_pidfd(struct util_proc *c)
{
    if (c->pidfd == -1 && c->pid > 0) {
        /* pidfd_open sets close-on-exec itself. */
        c->pidfd = (int)syscall(SYS_pidfd_open, c->pid, 0);
        if (c->pidfd < 0)
            c->pidfd = PIDFD_NONE;
    }
    return c->pidfd >= 0 ? c->pidfd : -1;
}

int util_proc_exited(struct util_proc *c)
{
    siginfo_t si;

    if (c->pid <= 0 || c->exited)
        return 1;
    memset(&si, 0, sizeof(si));
    if (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == c->pid)
        c->exited = 1;
    return c->exited;
}

int util_proc_signal(const struct util_proc *c, int sig)
{
    if (c->pid <= 0)
        return -ESRCH;
    return kill(c->group ? -c->pid : c->pid, sig) == 0 ? 0 : -errno;
}

void util_proc_destroy(struct util_proc *c)
{
    if (c->pidfd >= 0)
        close(c->pidfd);
    c->pidfd = -1;
}

void util_proc_exit_of(int status, const struct rusage *ru, struct util_proc_exit *ex)
{
    memset(ex, 0, sizeof(*ex));
    ex->status = status;
    if (WIFSIGNALED(status)) {
        ex->signal = WTERMSIG(status);
        ex->code = 128 + ex->signal;
    } else if (WIFEXITED(status)) {
        ex->code = WEXITSTATUS(status);
    }
    if (!ru)
        return;
    ex->user = (double)ru->ru_utime.tv_sec + (double)ru->ru_utime.tv_usec / 1e6;
    ex->sys = (double)ru->ru_stime.tv_sec + (double)ru->ru_stime.tv_usec / 1e6;
    ex->maxrss = (uint64_t)ru->ru_maxrss * 1024; /* KiB */
    ex->minflt = (uint64_t)ru->ru_minflt;
    ex->majflt = (uint64_t)ru->ru_majflt;
    ex->nvcsw = (uint64_t)ru->ru_nvcsw;
    ex->nivcsw = (uint64_t)ru->ru_nivcsw;
}

const char *util_proc_describe(const struct util_proc_exit *ex, char *buf, size_t size)
{
    if (ex->signal)
        snprintf(buf, size, "killed by signal %d (%s)", ex->signal, strsignal(ex->signal));
    else
        snprintf(buf, size, "exited with code %d", ex->code);
    return buf;
}

/* Blocking wait4, restarted after a signal unless *stop is set then. */
static int reap(struct util_proc *c, const volatile sig_atomic_t *stop, struct util_proc_exit *ex)
{
    struct rusage ru;
    int status = 0;

    while (wait4(c->pid, &status, 0, &ru) < 0) {
        if (errno != EINTR)
            return -errno;
        if (stop && *stop)
            return -EINTR;
    }
    c->pid = -1;
    c->exited = 1;
    util_proc_destroy(c);
    if (ex)
        util_proc_exit_of(status, &ru, ex);
    return 0;
}

/* Wait up to ns for c to exit. Returns 1 when it has, 0 otherwise (also after a signal). */
static int exited_within(struct util_proc *c, int64_t ns)
{
    int pfd = util_proc_pidfd(c);
    struct timespec ts;

    if (pfd >= 0) {
        struct pollfd p = {.fd = pfd, .events = POLLIN};

        ts = util_clock_ts(ns);
        return ppoll(&p, 1, &ts, NULL) > 0;
    }
    if (util_proc_exited(c))
        return 1;
    ts = util_clock_ts(ns < NO_PIDFD_TICK ? ns : NO_PIDFD_TICK);
    nanosleep(&ts, NULL);
    return 0;
}

int util_proc_wait(struct util_proc *c, int64_t deadline, const volatile sig_atomic_t *stop,
                   struct util_proc_exit *ex)
{
    if (c->pid <= 0)
        return -ECHILD;
    if (stop && *stop)
        return -EINTR;
    if (deadline == UTIL_PROC_FOREVER)
        return reap(c, stop, ex);
    for (;;) {
        int64_t now = util_clock_mono_ns(), ns;

        if (stop && *stop)
            return -EINTR;
        if (now >= deadline)
            return -ETIMEDOUT;
        ns = deadline - now;
        if (stop && ns > STOP_TICK)
            ns = STOP_TICK;
        if (exited_within(c, ns))
            return reap(c, NULL, ex);
    }
}

int util_proc_end(struct util_proc *c, int sig, struct util_proc_exit *ex)
{
    util_proc_signal(c, sig);
    return util_proc_wait(c, UTIL_PROC_FOREVER, NULL, ex);
}
