/* `spyglass record` across an exec of the target: the sampler's sampler_exec hook, which
 * waits for the new program (py_exec), says what it is, and keeps the interpreter sampled and
 * the versions seen. Prints its own messages.
 * SPDX-License-Identifier: MIT */
#ifndef CLI_RECORD_EXEC_H
#define CLI_RECORD_EXEC_H

#include <signal.h>

#include "py_exec.h"
#include "sampler.h"
#include "util_sbuf.h"

/* Execs followed with a line each; later ones are followed quietly (a program that re-execs
 * itself in a loop), and counted in the summary. */
#define REC_EXEC_LINES 10

struct rec_exec {
    struct py_proc *p;    /* the interpreter sampled now (owned) */
    struct sbuf versions; /* "3.11.7", or "3.11.7 then 3.12.1" after an exec */
    struct sampler_exec hook;
    volatile sig_atomic_t *stop;  /* the record's stop flag */
    enum py_exec_outcome outcome; /* the last exec's (PY_EXEC_PYTHON when none) */
    unsigned long followed;       /* execs followed */
};

/* Start with p (takes ownership); stop is polled while a new program is awaited. Set
 * opts->exec to &r->hook to follow execs. */
void rec_exec_init(struct rec_exec *r, struct py_proc *p, volatile sig_atomic_t *stop);
/* Free the interpreter and the versions. */
void rec_exec_destroy(struct rec_exec *r);

#endif
