/* Following an exec: track the images the process goes through (proc_image), try py_proc_open
 * on each, and decide when to stop waiting.
 * SPDX-License-Identifier: MIT */
#include "py_exec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc_image.h"
#include "proc_stat.h"
#include "util_clock.h"

#define POLL_MIN_US 500
#define POLL_MAX_US 20000

/* Whether pid is a live process (not a zombie). */
static int alive(int pid)
{
    struct proc_stat st;
    return proc_stat_read(pid, 0, &st) == 0 && st.state != 'Z' && st.state != 'X';
}

static void read_exe(int pid, char *buf, size_t len)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/exe", pid);
    ssize_t n = readlink(path, buf, len - 1);
    buf[n > 0 ? n : 0] = '\0';
}

/* The outcome of one failed py_proc_open (err) on an image seen for `age` seconds, or -1 to
 * keep waiting. */
static int verdict(int err, double age, struct py_exec_info *info)
{
    if (err == -ENOTSUP)
        return PY_EXEC_UNSUPPORTED;
    if (err == -EPERM || err == -EACCES)
        return PY_EXEC_NO_ACCESS;
    if (err == -EAGAIN) { /* a CPython not initialised yet (or the image is changing) */
        info->was_python = 1;
        return age >= PY_EXEC_WAIT_S ? PY_EXEC_NOT_READY : -1;
    }
    if (info->was_python) /* it was Python a moment ago: the loader is still mapping */
        return age >= PY_EXEC_WAIT_S ? PY_EXEC_NOT_READY : -1;
    return age >= PY_EXEC_SETTLE_S ? PY_EXEC_NOT_PYTHON : -1;
}

int py_exec_follow(int pid, double limit_s, volatile sig_atomic_t *stop, struct py_proc **out,
                   struct py_exec_info *info)
{
    struct proc_image img = {-1, 0};
    int64_t t0 = util_clock_mono_ns(), since = t0;
    long wait_us = POLL_MIN_US;
    int outcome = -1;

    memset(info, 0, sizeof(*info));
    while (outcome < 0) {
        if (stop && *stop) {
            outcome = PY_EXEC_STOPPED;
            break;
        }
        if (!alive(pid)) {
            outcome = PY_EXEC_EXITED;
            break;
        }
        if (img.fd < 0 || proc_image_gone(&img) == 1) { /* a (new) image: start again */
            proc_image_close(&img);
            int err = proc_image_open(pid, &img);
            if (err == -EPERM || err == -EACCES) { /* exec of a set-user-ID program */
                read_exe(pid, info->exe, sizeof(info->exe));
                snprintf(info->detail, sizeof(info->detail), "not permitted to read it");
                outcome = PY_EXEC_NO_ACCESS;
                break;
            }
            if (!err) {
                since = util_clock_mono_ns();
                info->was_python = 0;
                read_exe(pid, info->exe, sizeof(info->exe));
            }
        }
        if (img.fd >= 0) {
            int err = py_proc_open(pid, out, info->detail, sizeof(info->detail));
            if (!err) {
                outcome = PY_EXEC_PYTHON;
                break;
            }
            outcome = verdict(err, util_clock_s(util_clock_mono_ns() - since), info);
        } else if (util_clock_s(util_clock_mono_ns() - since) >=
                   PY_EXEC_WAIT_S) { /* no image to read all this time */
            outcome = PY_EXEC_NOT_READY;
        }
        if (outcome < 0 && limit_s > 0 && util_clock_s(util_clock_mono_ns() - t0) >= limit_s)
            outcome = PY_EXEC_TIMEOUT;
        if (outcome < 0) {
            usleep((useconds_t)wait_us);
            wait_us = wait_us * 2 > POLL_MAX_US ? POLL_MAX_US : wait_us * 2;
        }
    }
    proc_image_close(&img);
    info->outcome = (enum py_exec_outcome)outcome;
    return outcome == PY_EXEC_PYTHON ? 0 : -ENOEXEC;
}

const char *py_exec_outcome_name(enum py_exec_outcome o)
{
    static const char *const names[] = {
        "Python", "not Python", "unsupported Python", "not readable", "Python not initialised",
        "exited", "stopped",    "timed out"};
    return (unsigned)o < sizeof(names) / sizeof(names[0]) ? names[o] : "?";
}
