/* Attach errors explained: missing process, kernel thread, zombie, not Python, the reason a
 * process may not be read, an unreadable interpreter, version.
 * SPDX-License-Identifier: MIT */
#include "cli_attach.h"

#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_msg.h"
#include "proc_access.h"
#include "util_clock.h"
#include "util_file.h"

/* A name from /proc (the kernel escapes some bytes, not all) made safe for one line. */
static void safe_name(const char *in, char *out, size_t size)
{
    size_t n = 0;

    for (; *in && n + 1 < size; in++)
        out[n++] = (unsigned char)*in < 0x20 || *in == 0x7f ? '?' : *in;
    out[n] = '\0';
}

static const char *user_name(unsigned uid, char *buf, size_t size)
{
    struct passwd *pw = getpwuid((uid_t)uid);

    if (pw && pw->pw_name)
        snprintf(buf, size, "user %s (uid %u)", pw->pw_name, uid);
    else
        snprintf(buf, size, "uid %u", uid);
    return buf;
}

/* The active security modules named for the LSM message. */
static void lsm_reason(unsigned lsm, char *buf, size_t size)
{
    if (lsm == PROC_ACCESS_LANDLOCK) {
        snprintf(buf, size,
                 "Landlock, the only one active: spyglass runs in a Landlock sandbox, "
                 "which may read only the processes inside it");
        return;
    }
    snprintf(buf, size, "active: %s%s%s%s", lsm & PROC_ACCESS_LANDLOCK ? "Landlock " : "",
             lsm & PROC_ACCESS_SELINUX ? "SELinux " : "",
             lsm & PROC_ACCESS_APPARMOR ? "AppArmor " : "",
             lsm & PROC_ACCESS_OTHERLSM ? "Smack or TOMOYO " : "");
    if (buf[0] && buf[strlen(buf) - 1] == ' ')
        buf[strlen(buf) - 1] = '\0';
}

/* The one line for a process the kernel refused to let us read. */
static void refused(int pid, enum proc_access_why why, const struct proc_access_facts *f)
{
    char who[96], me[96], lsm[160];
    const char *cap = "run spyglass as root or with CAP_SYS_PTRACE (sudo setcap cap_sys_ptrace+ep "
                      "spyglass)";

    switch (why) {
    case PROC_ACCESS_YAMA3:
        fprintf(stderr,
                "spyglass: not permitted to read process %d: kernel.yama.ptrace_scope is 3, "
                "which forbids every process to read another's memory until the next boot\n",
                pid);
        return;
    case PROC_ACCESS_OTHER_USER:
        fprintf(stderr,
                "spyglass: not permitted to read process %d: it runs as %s and spyglass as %s: "
                "run spyglass as that user, or as root or with CAP_SYS_PTRACE\n",
                pid, user_name(f->target.uid[1], who, sizeof(who)),
                user_name(f->self.uid[0], me, sizeof(me)));
        return;
    case PROC_ACCESS_NOT_DUMPABLE:
        fprintf(stderr,
                "spyglass: not permitted to read process %d: it is not dumpable (a setuid or "
                "setgid program, or one that called prctl(PR_SET_DUMPABLE, 0)): %s\n",
                pid, cap);
        return;
    case PROC_ACCESS_YAMA2:
        fprintf(stderr,
                "spyglass: not permitted to read process %d: kernel.yama.ptrace_scope is 2, "
                "which lets only CAP_SYS_PTRACE read another process: %s\n",
                pid, cap);
        return;
    case PROC_ACCESS_YAMA1:
        fprintf(stderr,
                "spyglass: not permitted to read process %d: kernel.yama.ptrace_scope is 1, "
                "which lets spyglass read only the processes it started: launch the program "
                "with spyglass ('-- CMD'), give spyglass CAP_SYS_PTRACE, or set the sysctl to 0\n",
                pid);
        return;
    case PROC_ACCESS_PRIVILEGED:
        fprintf(stderr,
                "spyglass: not permitted to read process %d: it holds capabilities that "
                "spyglass lacks (permitted %#llx, spyglass's %#llx): %s\n",
                pid, (unsigned long long)f->target.cap_prm, (unsigned long long)f->self.cap_prm,
                cap);
        return;
    case PROC_ACCESS_USERNS:
        fprintf(stderr,
                "spyglass: not permitted to read process %d, even with CAP_SYS_PTRACE: it is in "
                "another user namespace, where spyglass's capabilities do not count (run "
                "spyglass inside that namespace)\n",
                pid);
        return;
    case PROC_ACCESS_LSM:
        lsm_reason(f->lsm, lsm, sizeof(lsm));
        fprintf(stderr,
                "spyglass: not permitted to read process %d%s: a Linux security module forbids "
                "it (%s)\n",
                pid,
                f->self.cap_eff >> PROC_ACCESS_CAP_SYS_PTRACE & 1 ? ", even with CAP_SYS_PTRACE"
                                                                  : "",
                lsm);
        return;
    default:
        fprintf(stderr, "spyglass: not permitted to read process %d: %s\n", pid, cap);
        return;
    }
}

int cli_attach_refuse(int pid)
{
    struct proc_access_facts f;
    char name[64];

    if (proc_access_read(pid, &f) < 0)
        return 0;
    safe_name(f.target.name, name, sizeof(name));
    switch (proc_access_explain(&f)) {
    case PROC_ACCESS_KTHREAD:
        fprintf(stderr,
                "spyglass: process %d (%s) is a kernel thread: it runs no program, so there is "
                "nothing of it for spyglass to read\n",
                pid, name);
        return EXIT_ERROR;
    case PROC_ACCESS_ZOMBIE:
        fprintf(stderr,
                "spyglass: process %d (%s) has exited: it is a zombie until its parent "
                "(process %d) collects its exit status\n",
                pid, name, f.target.ppid);
        return EXIT_ERROR;
    default:
        return 0;
    }
}

void cli_attach_error(int pid, int err, const char *detail)
{
    struct proc_access_facts f;
    enum proc_access_why why = PROC_ACCESS_UNKNOWN;

    if (err != -ENOTSUP && err != -EACCES && cli_attach_refuse(pid) != 0)
        return; /* a kernel thread or a zombie: said so */
    if (err == -EPERM && proc_access_read(pid, &f) == 0)
        why = proc_access_explain(&f);
    switch (err) {
    case -ESRCH:
        fprintf(stderr, "spyglass: no process with PID %d\n", pid);
        break;
    case -EPERM:
        if (why == PROC_ACCESS_GONE)
            fprintf(stderr, "spyglass: no process with PID %d\n", pid);
        else
            refused(pid, why, &f);
        break;
    case -EACCES:
        cli_msg(stderr, "spyglass: process %d: %s\n", pid, detail);
        break;
    case -ENOEXEC:
        cli_msg(stderr, "spyglass: process %d is not a Python process: %s\n", pid, detail);
        break;
    case -ENOTSUP:
    case -EAGAIN:
        cli_msg(stderr, "spyglass: process %d: %s\n", pid, detail);
        break;
    default:
        fprintf(stderr, "spyglass: cannot attach to process %d: %s\n", pid, strerror(-err));
        break;
    }
}

int cli_launch(char **cmd, struct util_proc *c)
{
    int err = util_proc_start(0, NULL, 0, cmd[0], cmd, c);

    if (err) {
        cli_msg(stderr, "spyglass: cannot run '%s': %s\n", cmd[0], strerror(-err));
        return 127;
    }
    return 0;
}

int cli_attach(int pid, double wait_s, volatile int *keep_going, struct py_proc **out)
{
    char detail[256] = "";
    int64_t until = util_clock_mono_ns() + (int64_t)(wait_s * 1e9);
    int err;

    if (cli_attach_refuse(pid) != 0)
        return EXIT_ERROR;
    for (;;) {
        err = py_proc_open(pid, out, detail, sizeof(detail));
        if (!err)
            return EXIT_OK;
        int transient = err == -EAGAIN || err == -ENOEXEC;
        if (!transient || util_clock_mono_ns() >= until || (keep_going && !*keep_going))
            break;
        usleep(2000);
    }
    cli_attach_error(pid, err, detail);
    return EXIT_ERROR;
}

void cli_write_error(const char *path, int err)
{
    cli_msg(stderr, "spyglass: cannot write %s: %s\n", path, file_strerror(err));
}

void cli_bad_option(const char *cmd, int c, char **argv)
{
    const char *opt = argv[optind - 1];
    char shortopt[3] = {'-', (char)optopt, '\0'};
    if (optopt && strncmp(opt, "--", 2) != 0)
        opt = shortopt;
    cli_msg(stderr, "spyglass: %s: %s '%s' (try 'spyglass %s --help')\n", cmd,
            c == ':' ? "missing value for option" : "unknown option", opt, cmd);
}

int cli_parse_pid(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v <= 0 || v > 0x3fffffff) {
        cli_msg(stderr, "spyglass: invalid PID '%s'\n", s);
        return -1;
    }
    return (int)v;
}
