/* After the program image of a sampled process is gone (proc_image.h): wait for what replaced
 * it (an exec), attach to it when it is a CPython, else say what it is.
 * SPDX-License-Identifier: MIT */
#ifndef PY_EXEC_H
#define PY_EXEC_H

#include <limits.h>
#include <signal.h>

#include "py_proc.h"

/* A new program that is not Python and has not replaced itself for this long is taken to be
 * the final one (a wrapper such as /usr/bin/env, a shell or pyenv's shim execs Python sooner). */
#define PY_EXEC_SETTLE_S 1.0
/* How long a new Python image may take to initialise its interpreter (as a launch may). */
#define PY_EXEC_WAIT_S 10.0

enum py_exec_outcome {
    PY_EXEC_PYTHON = 0,      /* attached to the interpreter of the new image */
    PY_EXEC_NOT_PYTHON = 1,  /* the new program is not Python */
    PY_EXEC_UNSUPPORTED = 2, /* a CPython spyglass cannot read (detail says which) */
    PY_EXEC_NO_ACCESS = 3,   /* not allowed to read the new image (a set-user-ID program) */
    PY_EXEC_NOT_READY = 4,   /* a Python whose interpreter did not initialise in PY_EXEC_WAIT_S */
    PY_EXEC_EXITED = 5,      /* the process exited */
    PY_EXEC_STOPPED = 6,     /* *stop became non-zero */
    PY_EXEC_TIMEOUT = 7,     /* limit_s passed first */
};

struct py_exec_info {
    enum py_exec_outcome outcome;
    char exe[PATH_MAX]; /* the last program seen (/proc/PID/exe), "" when none could be read */
    int was_python;     /* that program was a CPython (found, not necessarily initialised) */
    char detail[256];   /* py_proc_open's explanation (UNSUPPORTED, NO_ACCESS, NOT_READY) */
};

/* Process pid no longer runs the image that was sampled. Poll it (every 0.5 ms at first,
 * backing off to 20 ms) until it runs an initialised CPython, then return 0 with *out (caller
 * frees with py_proc_free) and info->outcome PY_EXEC_PYTHON. Otherwise return -ENOEXEC with
 * info->outcome saying why: the program it runs is not Python and has not been replaced for
 * PY_EXEC_SETTLE_S, a Python it cannot read, no permission, an interpreter not initialised in
 * PY_EXEC_WAIT_S, the process exited, *stop (may be NULL) became non-zero, or limit_s seconds
 * (<= 0: no limit) passed. Every new image restarts the settle and initialisation times. */
int py_exec_follow(int pid, double limit_s, volatile sig_atomic_t *stop, struct py_proc **out,
                   struct py_exec_info *info);

/* A short name of an outcome ("not Python", "exited" ...), for messages. */
const char *py_exec_outcome_name(enum py_exec_outcome o);

#endif
