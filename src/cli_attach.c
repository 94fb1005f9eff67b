/* Attach errors explained: missing process, not Python, permission, version.
 * SPDX-License-Identifier: MIT */
#include "cli_attach.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "util_file.h"

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int ptrace_scope(void)
{
    FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "r");
    int v = -1;
    if (f) {
        if (fscanf(f, "%d", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

static void permission_error(int pid)
{
    int scope = ptrace_scope();
    char yama[96] = "";
    if (scope == 1)
        snprintf(yama, sizeof(yama), "; or allow it with sysctl kernel.yama.ptrace_scope=0");
    else if (scope >= 2)
        snprintf(yama, sizeof(yama), " (kernel.yama.ptrace_scope=%d requires CAP_SYS_PTRACE)",
                 scope);
    fprintf(stderr,
            "spyglass: not permitted to read process %d: run spyglass as the same user as the "
            "target, or as root or with CAP_SYS_PTRACE (sudo setcap cap_sys_ptrace+ep "
            "spyglass)%s\n",
            pid, yama);
}

void cli_attach_error(int pid, int err, const char *detail)
{
    switch (err) {
    case -ESRCH:
        fprintf(stderr, "spyglass: no process with PID %d\n", pid);
        break;
    case -EPERM:
    case -EACCES:
        permission_error(pid);
        break;
    case -ENOEXEC:
        fprintf(stderr, "spyglass: process %d is not a Python process: %s\n", pid, detail);
        break;
    case -ENOTSUP:
    case -EAGAIN:
        fprintf(stderr, "spyglass: process %d: %s\n", pid, detail);
        break;
    default:
        fprintf(stderr, "spyglass: cannot attach to process %d: %s\n", pid, strerror(-err));
        break;
    }
}

int cli_attach(int pid, double wait_s, volatile int *keep_going, struct py_proc **out)
{
    char detail[256] = "";
    double until = mono() + wait_s;
    int err;

    for (;;) {
        err = py_proc_open(pid, out, detail, sizeof(detail));
        if (!err)
            return EXIT_OK;
        int transient = err == -EAGAIN || err == -ENOEXEC;
        if (!transient || mono() >= until || (keep_going && !*keep_going))
            break;
        usleep(2000);
    }
    cli_attach_error(pid, err, detail);
    return EXIT_ERROR;
}

void cli_write_error(const char *path, int err)
{
    fprintf(stderr, "spyglass: cannot write %s: %s\n", path, file_strerror(err));
}

void cli_bad_option(const char *cmd, int c, char **argv)
{
    const char *opt = argv[optind - 1];
    char shortopt[3] = {'-', (char)optopt, '\0'};
    if (optopt && strncmp(opt, "--", 2) != 0)
        opt = shortopt;
    fprintf(stderr, "spyglass: %s: %s '%s' (try 'spyglass %s --help')\n", cmd,
            c == ':' ? "missing value for option" : "unknown option", opt, cmd);
}

int cli_parse_pid(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v <= 0 || v > 0x3fffffff) {
        fprintf(stderr, "spyglass: invalid PID '%s'\n", s);
        return -1;
    }
    return (int)v;
}
