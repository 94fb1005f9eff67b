/* One timeit worker: `PY -c DRIVER` spawned (util_proc) into a process group of its own, loop
 * counts sent over a socket (fd 3), values read from a pipe (fd 4), stderr kept for the error
 * message; waits use ppoll on the pipes and a pidfd with the stop signals unblocked only inside
 * ppoll, so a stop is seen at once and nothing polls.
 * SPDX-License-Identifier: MIT */
#include "timeit_run.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util_clock.h"
#include "util_proc.h"
#include "util_xalloc.h"

#define LINE_MAX_LEN  256        /* bytes of one driver line */
#define ERR_KEEP      4096       /* bytes of stderr kept (the tail) */
#define FD_FLOOR      10         /* our pipe ends live at or above this fd, clear of 0..4 */
#define NO_PIDFD_TICK 10000000LL /* ns between exit checks without a pidfd (Linux < 5.3) */

/* The driver: Python 3.8+, and valid Python 2 up to the version check so that an old
 * interpreter gets a clear message. Setup and teardown are the body of a generator around the
 * timed loop: setup names are its locals (as in the stdlib's timeit), and they are set once per
 * process. The statement runs in `for _ in repeat(None, n)` between two perf_counter() reads;
 * the thread's CPU clock is read just outside them, so that a value the process spent partly
 * off the CPU (preempted) can be told. */
const char timeit_run_driver[] =
    "import os, sys, time\n"
    "if sys.version_info < (3, 8):\n"
    "    sys.exit('Python %s: spyglass timeit needs 3.8 or newer' % sys.version.split()[0])\n"
    "from itertools import repeat\n"
    "clock = time.perf_counter\n"
    "def out(s, tail=b''):\n"
    "    os.write(4, s.encode() + tail + b'\\n')\n"
    "def cost():\n"
    "    t = clock()\n"
    "    for _ in repeat(None, 1000):\n"
    "        clock()\n"
    "    return (clock() - t) / 1000\n"
    "parts = [s if s.strip() else 'pass' for s in sys.argv[1:4]]\n"
    "for s, name in zip(parts, ('<setup>', '<stmt>', '<teardown>')):\n"
    "    compile(s, name, 'exec')\n"
    "def put(s, n):\n"
    "    return ' ' * n + s.replace('\\n', '\\n' + ' ' * n) + '\\n'\n"
    "src = ('def timeit(_clock, _repeat, _cpu):\\n' + put(parts[0], 4) +\n"
    "       '    _n = yield\\n'\n"
    "       '    while _n:\\n'\n"
    "       '        _it = _repeat(None, _n)\\n'\n"
    "       '        _c = _cpu()\\n'\n"
    "       '        _t = _clock()\\n'\n"
    "       '        for _ in _it:\\n' + put(parts[1], 12) +\n"
    "       '        _t = _clock() - _t\\n'\n"
    "       '        _n = yield _t, _cpu() - _c\\n' + put(parts[2], 4))\n"
    "ns = {'__name__': '__main__'}\n"
    "exec(compile(src, '<timeit>', 'exec'), ns)\n"
    "res = time.get_clock_info('perf_counter').resolution\n"
    "exe = os.fsencode(sys.executable)\n"
    "out('hello %d.%d.%d %r %r ' % (sys.version_info[:3] + (res, min(cost() for _ in "
    "range(5)))), b'' if b'\\n' in exe else exe)\n"
    "run = ns['timeit'](clock, repeat, time.thread_time)\n"
    "next(run)\n"
    "for line in os.fdopen(3):\n"
    "    n = int(line)\n"
    "    if not n:\n"
    "        break\n"
    "    out('%r %r' % run.send(n))\n"
    "try:\n"
    "    run.send(0)\n"
    "except StopIteration:\n"
    "    out('end')\n";

struct timeit_worker {
    struct util_proc c;       /* the driver; c.pid is -1 once reaped */
    int cmd_fd;               /* our end of the command socket (fd 3 in the driver) */
    int res_fd;               /* read end of the driver's output pipe (its fd 4), non-blocking */
    int err_fd;               /* read end of its stderr, non-blocking; -1 after EOF */
    int pidfd;                /* c's pidfd, -1 without pidfd_open */
    struct util_proc_exit ex; /* how it ended, once reaped */
    double cpu;               /* seconds, user + system, once reaped; -1 before */
    int64_t deadline;         /* CLOCK_MONOTONIC ns; UTIL_PROC_FOREVER: none */
    struct timeit_run_opts opts;
    char line[LINE_MAX_LEN];
    size_t linelen;
    char err[2 * ERR_KEEP];
    size_t errlen;
    char msg[512];
};

/* ---- parsers ---- */

/* A finite number >= 0 filling s[0..len) exactly (Python's repr of a float). */
static int parse_seconds(const char *s, size_t len, double *out)
{
    char buf[64], *end;
    double v;

    if (len == 0 || len >= sizeof(buf))
        return -EINVAL;
    for (size_t i = 0; i < len; i++)
        if (!strchr("0123456789.eE+-", s[i]))
            return -EINVAL;
    memcpy(buf, s, len);
    buf[len] = '\0';
    errno = 0;
    v = strtod(buf, &end);
    if (end != buf + len || !isfinite(v) || v < 0)
        return -EINVAL;
    *out = v;
    return 0;
}

/* The next space-separated word of s[*pos..len): its start and length. Returns 0 or -EINVAL
 * when there is none. */
static int word(const char *s, size_t len, size_t *pos, const char **w, size_t *wlen)
{
    size_t i = *pos;

    if (i < len && s[i] == ' ')
        i++;
    if (i >= len || s[i] == ' ')
        return -EINVAL;
    *w = s + i;
    while (i < len && s[i] != ' ')
        i++;
    *wlen = (size_t)(s + i - *w);
    *pos = i;
    return 0;
}

static int parse_version(const char *s, size_t len, char *out, size_t size)
{
    int dots = 0;

    if (len == 0 || len >= size || s[0] == '.' || s[len - 1] == '.')
        return -EINVAL;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.' && s[i - 1] != '.')
            dots++;
        else if (s[i] < '0' || s[i] > '9')
            return -EINVAL;
    }
    if (dots < 1)
        return -EINVAL;
    memcpy(out, s, len);
    out[len] = '\0';
    return 0;
}

static int parse_hello(const char *s, size_t len, struct timeit_hello *h)
{
    const char *w;
    size_t wl, pos = 5; /* after "hello" */

    if (word(s, len, &pos, &w, &wl) < 0 || parse_version(w, wl, h->version, sizeof(h->version)))
        return -EINVAL;
    if (word(s, len, &pos, &w, &wl) < 0 || parse_seconds(w, wl, &h->clock_res) < 0)
        return -EINVAL;
    if (word(s, len, &pos, &w, &wl) < 0 || parse_seconds(w, wl, &h->clock_cost) < 0)
        return -EINVAL;
    h->executable[0] = '\0';
    if (pos == len)
        return 0;
    /* The rest, after one space, is the executable's path (any bytes but NUL). */
    if (s[pos] != ' ' || len - pos - 1 >= sizeof(h->executable) ||
        memchr(s + pos + 1, '\0', len - pos - 1))
        return -EINVAL;
    memcpy(h->executable, s + pos + 1, len - pos - 1);
    h->executable[len - pos - 1] = '\0';
    return 0;
}

int timeit_run_parse(const char *line, size_t len, struct timeit_msg *out)
{
    struct timeit_msg m;

    memset(&m, 0, sizeof(m));
    if (len == 3 && memcmp(line, "end", 3) == 0) {
        m.kind = TIMEIT_MSG_END;
    } else if (len > 6 && memcmp(line, "hello ", 6) == 0) {
        m.kind = TIMEIT_MSG_HELLO;
        if (parse_hello(line, len, &m.hello) < 0)
            return -EINVAL;
    } else {
        const char *sp = memchr(line, ' ', len);
        size_t n = sp ? (size_t)(sp - line) : len;

        m.kind = TIMEIT_MSG_VALUE;
        m.cpu = -1;
        if (parse_seconds(line, n, &m.value) < 0 ||
            (sp && parse_seconds(sp + 1, len - n - 1, &m.cpu) < 0))
            return -EINVAL;
    }
    *out = m;
    return 0;
}

size_t timeit_run_last_line(const char *text, size_t len, char *buf, size_t size)
{
    size_t end = len, start, n;

    assert(size > 0);
    for (;;) {
        while (end > 0 && (unsigned char)text[end - 1] <= ' ')
            end--;
        start = end;
        while (start > 0 && text[start - 1] != '\n' && text[start - 1] != '\r')
            start--;
        while (start < end && (text[start] == ' ' || text[start] == '\t'))
            start++;
        if (start < end || end == 0)
            break;
    }
    n = end - start < size - 1 ? end - start : size - 1;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)text[start + i];

        buf[i] = c < ' ' || c == 0x7f ? ' ' : (char)c;
    }
    buf[n] = '\0';
    return n;
}

/* ---- waiting ---- */

/* Keep the tail of the driver's stderr. */
static void drain_err(struct timeit_worker *w)
{
    while (w->err_fd >= 0) {
        ssize_t n;

        if (w->errlen == sizeof(w->err)) {
            memmove(w->err, w->err + ERR_KEEP, ERR_KEEP);
            w->errlen = ERR_KEEP;
        }
        n = read(w->err_fd, w->err + w->errlen, sizeof(w->err) - w->errlen);
        if (n > 0) {
            w->errlen += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 || errno != EAGAIN) {
            close(w->err_fd);
            w->err_fd = -1;
        }
        return;
    }
}

/* Wait until the output pipe is readable (want_res) or the driver exits, keeping stderr
 * drained. Returns 0 (readable), 1 (exited), -ETIMEDOUT, -EINTR (stop) or a negative errno. */
static int wait_event(struct timeit_worker *w, int want_res)
{
    sigset_t block, old;

    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGHUP);
    for (;;) {
        struct pollfd p[3] = {{.fd = want_res ? w->res_fd : -1, .events = POLLIN},
                              {.fd = w->err_fd, .events = POLLIN},
                              {.fd = w->pidfd, .events = POLLIN}};
        struct timespec ts, *tsp = NULL;
        int64_t now, left = INT64_MAX;
        int n, e;

        if (w->c.exited || (w->pidfd < 0 && util_proc_exited(&w->c)))
            return 1;
        sigprocmask(SIG_BLOCK, &block, &old);
        if (w->opts.stop && *w->opts.stop) {
            sigprocmask(SIG_SETMASK, &old, NULL);
            return -EINTR;
        }
        now = util_clock_mono_ns();
        if (w->deadline != UTIL_PROC_FOREVER) {
            if (now >= w->deadline) {
                sigprocmask(SIG_SETMASK, &old, NULL);
                return -ETIMEDOUT;
            }
            left = w->deadline - now;
        }
        if (w->pidfd < 0 && left > NO_PIDFD_TICK)
            left = NO_PIDFD_TICK;
        if (left != INT64_MAX) {
            ts = util_clock_ts(left);
            tsp = &ts;
        }
        n = ppoll(p, 3, tsp, &old);
        e = errno;
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (n < 0 && e != EINTR)
            return -e;
        if (n <= 0)
            continue;
        if (p[1].revents)
            drain_err(w);
        if (p[0].revents)
            return 0;
        if (p[2].revents)
            w->c.exited = 1;
    }
}

/* Reap the exited (or killed) driver, and read what is left of its stderr. */
static void reap(struct timeit_worker *w)
{
    if (w->c.pid < 0)
        return;
    if (util_proc_wait(&w->c, UTIL_PROC_FOREVER, NULL, &w->ex) == 0)
        w->cpu = w->ex.user + w->ex.sys;
    w->c.pid = -1; /* also when the wait failed (ex: exit code 0) */
    w->c.exited = 1;
    w->pidfd = -1;
    drain_err(w);
}

static void kill_reap(struct timeit_worker *w)
{
    util_proc_signal(&w->c, SIGKILL);
    reap(w);
}

/* A wait failed (timeout, stop, system error): kill the driver, say why. */
static int failed(struct timeit_worker *w, int err)
{
    kill_reap(w);
    if (err == -ETIMEDOUT)
        snprintf(w->msg, sizeof(w->msg), "timed out after %g s", w->opts.timeout);
    else if (err != -EINTR)
        snprintf(w->msg, sizeof(w->msg), "%s", strerror(-err));
    return err;
}

/* The driver ended without the expected line: wait for it, say why. Returns -ECHILD, or the
 * error of the wait (the driver was then killed). */
static int died(struct timeit_worker *w)
{
    char last[400];

    while (!w->c.exited) {
        int rc = wait_event(w, 0);

        if (rc < 0)
            return failed(w, rc);
    }
    reap(w);
    if (timeit_run_last_line(w->err, w->errlen, last, sizeof(last)) > 0)
        snprintf(w->msg, sizeof(w->msg), "%s", last);
    else
        snprintf(w->msg, sizeof(w->msg), "%s before finishing",
                 util_proc_describe(&w->ex, last, sizeof(last)));
    return -ECHILD;
}

/* Read and parse the driver's next line. */
static int next_msg(struct timeit_worker *w, struct timeit_msg *m)
{
    for (;;) {
        char *nl = memchr(w->line, '\n', w->linelen);
        ssize_t n;

        if (nl) {
            size_t len = (size_t)(nl - w->line);
            int rc = timeit_run_parse(w->line, len, m);

            if (rc < 0) {
                snprintf(w->msg, sizeof(w->msg), "unexpected output from the driver: '%.*s'",
                         (int)(len < 80 ? len : 80), w->line);
                kill_reap(w);
                return -EPROTO;
            }
            w->linelen -= len + 1;
            memmove(w->line, nl + 1, w->linelen);
            return 0;
        }
        if (w->linelen == sizeof(w->line)) {
            snprintf(w->msg, sizeof(w->msg), "unexpected output from the driver (a long line)");
            kill_reap(w);
            return -EPROTO;
        }
        if (w->c.pid < 0)
            return died(w);
        n = read(w->res_fd, w->line + w->linelen, sizeof(w->line) - w->linelen);
        if (n > 0) {
            w->linelen += (size_t)n;
            continue;
        }
        if (n == 0 || (errno == EAGAIN && w->c.exited))
            return died(w);
        if (errno != EAGAIN && errno != EINTR)
            return failed(w, -errno);
        if (errno == EAGAIN) {
            int rc = wait_event(w, 1);

            if (rc < 0)
                return failed(w, rc);
        }
    }
}

/* ---- the worker ---- */

int timeit_worker_hello(struct timeit_worker *w, struct timeit_hello *out)
{
    struct timeit_msg m;
    int rc = next_msg(w, &m);

    if (rc < 0)
        return rc;
    if (m.kind != TIMEIT_MSG_HELLO) {
        snprintf(w->msg, sizeof(w->msg), "the driver did not start as expected");
        kill_reap(w);
        return -EPROTO;
    }
    *out = m.hello;
    return 0;
}

static int send_line(struct timeit_worker *w, const char *s)
{
    size_t len = strlen(s), off = 0;

    while (off < len) {
        ssize_t n = send(w->cmd_fd, s + off, len - off, MSG_NOSIGNAL);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EPIPE)
            return died(w);
        if (n < 0)
            return failed(w, -errno);
        off += (size_t)n;
    }
    return 0;
}

/* Ask the driver to time loops loops of the statement. Returns 0 or a negative errno
 * (-ECHILD when the worker is gone). */
static int send_loops(struct timeit_worker *w, uint64_t loops)
{
    char buf[32];

    assert(loops > 0);
    if (w->c.pid < 0)
        return -ECHILD;
    snprintf(buf, sizeof(buf), "%llu\n", (unsigned long long)loops);
    return send_line(w, buf);
}

int timeit_worker_time(struct timeit_worker *w, uint64_t loops, double *seconds, double *cpu)
{
    struct timeit_msg m;
    int rc;

    if ((rc = send_loops(w, loops)) < 0 || (rc = next_msg(w, &m)) < 0)
        return rc;
    if (m.kind != TIMEIT_MSG_VALUE) {
        snprintf(w->msg, sizeof(w->msg), "the driver ended early");
        kill_reap(w);
        return -EPROTO;
    }
    *seconds = m.value;
    if (cpu)
        *cpu = m.cpu;
    return 0;
}

int timeit_worker_run_last(struct timeit_worker *w, uint64_t loops)
{
    int rc;

    if ((rc = send_loops(w, loops)) < 0)
        return rc;
    shutdown(w->cmd_fd, SHUT_WR);
    return 0;
}

int timeit_worker_finish(struct timeit_worker *w, double *cpu)
{
    struct timeit_msg m;
    int rc;

    if (cpu)
        *cpu = -1;
    if (w->c.pid < 0)
        return -ECHILD;
    shutdown(w->cmd_fd, SHUT_WR); /* EOF: the driver runs the teardown */
    do {
        if ((rc = next_msg(w, &m)) < 0)
            return rc;
    } while (m.kind == TIMEIT_MSG_VALUE);
    if (m.kind != TIMEIT_MSG_END) {
        snprintf(w->msg, sizeof(w->msg), "unexpected output from the driver after the last value");
        kill_reap(w);
        return -EPROTO;
    }
    while (!w->c.exited)
        if ((rc = wait_event(w, 0)) < 0)
            return failed(w, rc);
    reap(w);
    if (cpu)
        *cpu = w->cpu;
    if (w->ex.code != 0) {
        char last[400];

        if (timeit_run_last_line(w->err, w->errlen, last, sizeof(last)) > 0)
            snprintf(w->msg, sizeof(w->msg), "%s", last);
        else
            snprintf(w->msg, sizeof(w->msg), "%s after the teardown",
                     util_proc_describe(&w->ex, last, sizeof(last)));
        return -ECHILD;
    }
    return 0;
}

pid_t timeit_worker_pid(const struct timeit_worker *w)
{
    return w->c.pid;
}

const char *timeit_worker_message(struct timeit_worker *w)
{
    return w->msg;
}

/* ---- starting ---- */

/* fd moved to a close-on-exec descriptor at or above FD_FLOOR. Returns it or -errno. */
static int high_fd(int fd)
{
    int hi;

    if (fd < 0 || fd >= FD_FLOOR)
        return fd;
    hi = fcntl(fd, F_DUPFD_CLOEXEC, FD_FLOOR);
    close(fd);
    return hi < 0 ? -errno : hi;
}

static int nonblock(int fd)
{
    int fl = fcntl(fd, F_GETFL);

    return fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ? -errno : 0;
}

/* The channels: fds[0] our command end, fds[1] its command end, fds[2]/[3] output pipe read and
 * write ends, fds[4]/[5] stderr pipe, fds[6] /dev/null. Every one close-on-exec, >= FD_FLOOR. */
static int open_channels(int fds[7])
{
    int sv[2], p[2], e[2];

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        return -errno;
    fds[0] = sv[0];
    fds[1] = sv[1];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -errno;
    fds[2] = p[0];
    fds[3] = p[1];
    if (pipe2(e, O_CLOEXEC) < 0)
        return -errno;
    fds[4] = e[0];
    fds[5] = e[1];
    if ((fds[6] = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
        return -errno;
    for (int i = 0; i < 7; i++)
        if ((fds[i] = high_fd(fds[i])) < 0)
            return fds[i];
    if (nonblock(fds[2]) < 0 || nonblock(fds[4]) < 0)
        return -errno;
    return 0;
}

/* python on the driver with the channels on fds 0..4 (stdin and stdout /dev/null, stderr, the
 * command socket, the value pipe). A file that is not a program counts as one that may not be
 * run (-EACCES), as timeit_worker_start() says. */
static int spawn(const char *python, char *const argv[], const int fds[7], struct util_proc *c)
{
    const int onto[5] = {fds[6], fds[6], fds[5], fds[1], fds[3]};
    int rc = util_proc_start(UTIL_PROC_GROUP | UTIL_PROC_CLEAN, onto, 5, python, argv, c);

    return rc == -ENOEXEC ? -EACCES : rc;
}

int timeit_worker_start(const char *python, const char *setup, const char *stmt,
                        const char *teardown, const struct timeit_run_opts *opts,
                        struct timeit_worker **out)
{
    int fds[7] = {-1, -1, -1, -1, -1, -1, -1}, rc;
    char *argv[] = {(char *)python,   "-c", (char *)timeit_run_driver, (char *)setup, (char *)stmt,
                    (char *)teardown, NULL};
    struct timeit_worker *w = NULL;
    int64_t t0 = util_clock_mono_ns();
    struct util_proc c;

    if (!(opts->timeout >= 0))
        return -EINVAL;
    if ((rc = open_channels(fds)) < 0)
        goto out;
    if ((rc = spawn(python, argv, fds, &c)) < 0)
        goto out;
    w = xcalloc(1, sizeof(*w));
    w->c = c;
    w->opts = *opts;
    w->cpu = -1;
    w->deadline = opts->timeout > 0 ? t0 + (int64_t)(opts->timeout * 1e9) : UTIL_PROC_FOREVER;
    w->pidfd = util_proc_pidfd(&w->c);
    w->cmd_fd = fds[0];
    w->res_fd = fds[2];
    w->err_fd = fds[4];
    fds[0] = fds[2] = fds[4] = -1;
    *out = w;
out:
    for (int i = 0; i < 7; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return rc;
}

void timeit_worker_free(struct timeit_worker *w)
{
    if (!w)
        return;
    if (w->c.pid > 0)
        kill_reap(w);
    util_proc_destroy(&w->c);
    close(w->cmd_fd);
    close(w->res_fd);
    if (w->err_fd >= 0)
        close(w->err_fd);
    free(w);
}
