/* The exec hook of spyglass record: one line per exec, the versions of the images sampled.
 * SPDX-License-Identifier: MIT */
#include "cli_record_exec.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli_msg.h"

/* Tell what the new program was when it is not sampled; returns the error for the sampler. */
static int not_followed(int pid, const struct py_exec_info *in)
{
    const char *exe = in->exe[0] ? in->exe : "a new program";
    switch (in->outcome) {
    case PY_EXEC_STOPPED:
        return -ECANCELED;
    case PY_EXEC_TIMEOUT:
        return -ETIMEDOUT;
    case PY_EXEC_EXITED:
        if (in->exe[0] && !in->was_python)
            cli_msg(stderr, "spyglass: PID %d exec'd %s: not Python; stopped\n", pid, exe);
        else if (in->exe[0])
            cli_msg(stderr,
                    "spyglass: PID %d exec'd %s, which exited before its Python interpreter "
                    "could be read\n",
                    pid, exe);
        return -ESRCH;
    case PY_EXEC_NOT_PYTHON:
        cli_msg(stderr, "spyglass: PID %d exec'd %s: not Python; stopped\n", pid, exe);
        break;
    case PY_EXEC_UNSUPPORTED:
        cli_msg(stderr, "spyglass: PID %d exec'd %s: %s; stopped\n", pid, exe, in->detail);
        break;
    case PY_EXEC_NO_ACCESS:
        cli_msg(stderr,
                "spyglass: PID %d exec'd %s: not permitted to read it (a set-user-ID or "
                "capability program?); stopped\n",
                pid, exe);
        break;
    case PY_EXEC_NOT_READY:
        cli_msg(stderr,
                "spyglass: PID %d exec'd %s: its Python interpreter was not initialised "
                "after %g s; stopped\n",
                pid, exe, PY_EXEC_WAIT_S);
        break;
    case PY_EXEC_PYTHON:
        break;
    }
    return -ENOEXEC;
}

static int follow(void *ctx, struct py_proc **p, double limit_s)
{
    struct rec_exec *r = ctx;
    struct py_exec_info info;
    struct py_proc *np = NULL;
    int pid = (*p)->pid;

    int err = py_exec_follow(pid, limit_s, r->stop, &np, &info);
    r->outcome = info.outcome;
    if (err)
        return not_followed(pid, &info);
    if (++r->followed <= REC_EXEC_LINES)
        cli_msg(stderr, "spyglass: PID %d exec'd %s (Python %s): sampling the new image\n", pid,
                info.exe[0] ? info.exe : np->path, np->version);
    if (r->followed == REC_EXEC_LINES)
        fprintf(stderr,
                "spyglass: PID %d: further execs into Python are followed without a "
                "line each\n",
                pid);
    if (strcmp(np->version, r->p->version) != 0)
        sbuf_printf(&r->versions, " then %s", np->version);
    py_proc_free(r->p);
    r->p = np;
    *p = np;
    return 0;
}

void rec_exec_init(struct rec_exec *r, struct py_proc *p, volatile sig_atomic_t *stop)
{
    memset(r, 0, sizeof(*r));
    r->p = p;
    r->stop = stop;
    r->outcome = PY_EXEC_PYTHON;
    sbuf_init(&r->versions);
    sbuf_adds(&r->versions, p->version);
    r->hook.ctx = r;
    r->hook.follow = follow;
}

void rec_exec_destroy(struct rec_exec *r)
{
    py_proc_free(r->p);
    r->p = NULL;
    sbuf_destroy(&r->versions);
}
