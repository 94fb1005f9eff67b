/* Attach to a CPython process: find the interpreter object in its maps, the address of
 * _PyRuntime, the version, and the struct offsets, without running the target's binary.
 * See docs/cpython.md §2 (the ELF object, the version) and §3 (_Py_DebugOffsets).
 * SPDX-License-Identifier: MIT */
#ifndef PY_PROC_H
#define PY_PROC_H

#include <limits.h>
#include <stdint.h>

#include "proc_image.h"
#include "py_elf.h"
#include "py_offsets.h"
#include "target.h"

struct py_proc {
    int pid;
    struct target *t; /* owned */
    struct py_offsets off;
    uint64_t runtime;        /* remote address of _PyRuntime */
    uint64_t code_type;      /* remote address of PyCode_Type, 0 if unknown */
    char version[32];        /* "3.12.1", "3.15.2 (debug)" */
    int py_debug;            /* a Py_DEBUG build (3.13+ only: older ones are refused) */
    char path[PATH_MAX];     /* the ELF object holding the runtime, as mapped */
    int pthread_tid_off;     /* offset of the TID inside glibc's struct pthread, -1 unknown */
    struct proc_image image; /* the program image the runtime was found in (fd -1 when
                              * /proc/PID/mem could not be opened: exec goes unnoticed) */
    int fixed_layout;        /* 1: a later image of the process could have memory at this one's
                              * addresses (the runtime is in a non-PIE executable, or address
                              * randomisation is off), so reads cannot tell an exec */
};

/* Attach to pid. Returns 0 and *out (caller frees with py_proc_free), or:
 * -ESRCH no such process; -EPERM not allowed to read it (the kernel's ptrace access check);
 * -EACCES the interpreter's file may not be opened (detail: "cannot open FILE: permission
 * denied"; spyglass opens it with its own rights, e.g. a directory on the way it may not
 * search);
 * -ENOEXEC no CPython found in
 * its maps; -ENOTSUP a CPython version that is not supported (the version is written to
 * detail); -EAGAIN the interpreter is not initialised yet (or already finalised), or the
 * process replaced its program (exec) while it was being read.
 * detail (may be NULL) receives a short human-readable explanation. */
int py_proc_open(int pid, struct py_proc **out, char *detail, size_t detail_len);
void py_proc_free(struct py_proc *p);

/* The part of py_proc_open that reads only the target's memory, through p->t: with p->t, p->pid,
 * p->runtime, p->code_type, p->py_debug and p->path set, and elf the facts of the ELF object
 * that holds the runtime (link-time addresses; p->runtime - elf->runtime is the load bias),
 * choose the offsets (the target's _Py_DebugOffsets, else a built-in table by version), write
 * p->version and check that the interpreter is initialised. Returns 0, or -ENOTSUP, -ENOEXEC,
 * -EAGAIN or a read error as py_proc_open, with detail. Tests call it on a snapshot target
 * (tests/unit/test_unwind_real.c). */
int py_proc_read_runtime(struct py_proc *p, const struct py_elf *elf, char *detail, size_t dlen);

/* Before 3.11: find the TID's offset in glibc's struct pthread from the main thread, when it is
 * still unknown (a process caught before its runtime named its main thread: the unwinder asks
 * again at its refresh rate). Reads 2 KiB of the target; no effect from 3.11 on. */
void py_proc_calibrate_tid(struct py_proc *p);

/* Whether the program image p was found in is gone: 1 when the process has replaced it (exec)
 * or is exiting, 0 when it still runs it, a negative errno when that cannot be told. One
 * pread(2) of /proc/PID/mem (proc_image.h). */
int py_proc_image_gone(const struct py_proc *p);

/* Read the interpreters list head. Returns 0 and *interp (0 while not initialised), or a
 * negative errno. */
int py_proc_interp_head(struct py_proc *p, uint64_t *interp);

#endif
