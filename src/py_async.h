/* asyncio tasks of a CPython 3.14+ process, read from outside: the asyncio debug offsets
 * (section .AsyncioDebug), each thread's and the interpreter's list of pending tasks, each
 * task's name, its suspended coroutine chain (the awaits it is stopped in) and the task that
 * awaits it. The sampler stitches these under "Task NAME" frames (record --async). Design and
 * limits: docs/async.md; layouts: docs/cpython.md §10 (coroutine frames) and §11 (asyncio
 * offsets).
 * SPDX-License-Identifier: MIT */
#ifndef PY_ASYNC_H
#define PY_ASYNC_H

#include <stddef.h>
#include <stdint.h>

#include "py_proc.h"
#include "unwind.h"

#define PY_ASYNC_MAX_TASKS  1024  /* tasks read per sample; the rest are counted, not read */
#define PY_ASYNC_MAX_DEPTH  128   /* coroutine frames followed per task */
#define PY_ASYNC_MAX_FRAMES 16384 /* coroutine frames per sample, all tasks together */
#define PY_ASYNC_NAME_MAX   128   /* bytes of a task name kept (UTF-8, cut at a character) */
#define PY_ASYNC_DEBUG_SIZE 104   /* bytes of the .AsyncioDebug section: 13 uint64 */

/* Where things are, from the .AsyncioDebug section (Py_AsyncioModuleDebugOffsets: TaskObj,
 * PyInterpreterState, _PyThreadStateImpl) and from the fields of the target's _Py_DebugOffsets
 * that the unwinder does not use. All byte offsets. */
struct py_async_offsets {
    unsigned minor;             /* 14, 15 */
    uint32_t task_size;         /* sizeof(TaskObj): bytes read of a task */
    uint32_t task_name;         /* PyObject *task_name: a str, or an int N shown "Task-N" */
    uint32_t task_awaited_by;   /* PyObject *: the task awaiting this one, or a set of them */
    uint32_t task_is_task;      /* char: 1 for a Task (0: a plain Future) */
    uint32_t task_is_set;       /* char: task_awaited_by is a set */
    uint32_t task_coro;         /* PyObject *task_coro */
    uint32_t task_node;         /* struct llist_node {next, prev} linking pending tasks */
    uint32_t interp_tasks_head; /* llist head of tasks whose thread exited */
    uint32_t ts_tasks_head;     /* llist head of the thread's pending tasks */
    /* from _Py_DebugOffsets */
    uint32_t fr_stackpointer;               /* _PyInterpreterFrame.stackpointer */
    uint32_t tp_flags;                      /* PyTypeObject.tp_flags */
    uint32_t set_used, set_mask, set_table; /* PySetObject */
    uint32_t long_tag, long_digit;          /* PyLongObject: lv_tag, ob_digit */
    uint32_t gi_iframe;                     /* PyGenObject: the embedded frame */
    uint32_t gi_state;                      /* PyGenObject.gi_frame_state (int8) */
    /* per version, not published */
    int8_t st_created, st_suspended, st_yield_from, st_executing; /* gi_frame_state values */
    uint8_t awaitee_slot; /* a frame suspended in an await holds the awaited object at
                           * stackpointer[-awaitee_slot] */
};

/* Decode the offsets from the target's _Py_DebugOffsets (dbg, dbg_len bytes read at _PyRuntime)
 * and its .AsyncioDebug section (sec, sec_len bytes), for the interpreter of offsets o. Checks
 * that both describe the same interpreter (the interpreter size) and that every field lies
 * inside its struct. Returns 0, -ENOTSUP (a version before 3.14, or one whose layout is not
 * known; free-threaded builds) or -EINVAL (implausible values). Pure. */
int py_async_parse(const struct py_offsets *o, const void *dbg, size_t dbg_len, const void *sec,
                   size_t sec_len, struct py_async_offsets *out);

/* Whether --async can work on the interpreter of p: 0, or -ENOTSUP with a reason of one plain
 * sentence (no "spyglass:" prefix) in why. Pure. */
int py_async_supported(const struct py_proc *p, char *why, size_t len);

/* One pending task of a sample. */
struct py_async_task {
    uint64_t addr;       /* remote TaskObj * */
    uint64_t coro_frame; /* remote address of its coroutine's frame: a stack frame with this
                          * address is the task's outermost frame while it runs */
    int32_t parent;      /* index in py_async_sample.tasks of a task awaiting it (of several:
                          * the one at the lowest address), -1 none */
    uint64_t tstate;     /* remote PyThreadState * whose list holds it (the thread that created
                          * it), 0: the interpreter's list (that thread exited) */
    uint32_t first;      /* its suspended coroutine frames in py_async_sample.frames, from the */
    uint32_t nframes;    /* task's coroutine (outermost) to the innermost await; 0 running */
    uint64_t coro;       /* remote address of its coroutine */
    uint8_t running;     /* its coroutine was executing (its frames on a thread's stack) */
    uint8_t torn;        /* its chain did not hold together while read (nframes 0): it may be
                          * read again (py_async_reread) */
    char name[PY_ASYNC_NAME_MAX]; /* "Task-3", "fetch", or "?" when unreadable */
};

/* A slot of the sample's frame index (internal). */
struct py_async_slot {
    uint64_t key;
    uint32_t idx, stamp;
};

struct py_async_sample {
    struct py_async_task tasks[PY_ASYNC_MAX_TASKS];
    uint32_t ntasks;
    struct unwind_frame frames[PY_ASYNC_MAX_FRAMES];
    uint32_t nframes;
    uint32_t over;       /* pending tasks beyond PY_ASYNC_MAX_TASKS (or frames beyond the pool) */
    uint32_t torn;       /* lists cut because they changed while read (a back link did not
                          * hold, or a task came round again): later tasks are left out */
    uint32_t hash_stamp; /* internal: the index of tasks by coroutine frame, open addressing */
    struct py_async_slot by_frame[PY_ASYNC_MAX_TASKS * 2];
};

struct py_async;

/* A reader of p's tasks, resolving code through u (both borrowed; they must outlive it). Does
 * not read the target yet. Caller frees with py_async_free(). */
struct py_async *py_async_new(struct py_proc *p, struct unwinder *u);
void py_async_free(struct py_async *a);

/* Read the pending tasks of the threads whose thread states are tstates[0..n) (those of the
 * last sample: the lists are best read just before the stacks, see docs/async.md) and of the
 * interpreter into out. Returns 0 (out->ntasks may be 0), -ENOENT while the asyncio debug
 * offsets are not mapped (asyncio not imported yet: the maps are looked at again at most once a
 * second, without allocating until they appear), -EINVAL when the section found is implausible
 * (then always), -ESRCH when the process is gone. Allocates only when the section is first
 * found. */
int py_async_sample(struct py_async *a, const uint64_t *tstates, uint32_t n,
                    struct py_async_sample *out);

/* Read again the coroutine chain of task i of out, one that was running or torn when the lists
 * were read: when a thread's stack taken just before did not show it running, it was suspended
 * then and most likely is now. Appends its frames to out. Returns 0 (the task now has its
 * suspended chain), -EAGAIN (running again, or still changing), -ENOENT (done), -ESRCH. */
int py_async_reread(struct py_async *a, struct py_async_sample *out, uint32_t i);

/* The index of the task whose coroutine frame is at remote address frame, or -1. */
int py_async_task_of_frame(const struct py_async_sample *out, uint64_t frame);

/* Use the .AsyncioDebug section at remote address addr (found by the caller, e.g. a test's
 * image) instead of looking for it in the maps. Reads it and the target's _Py_DebugOffsets.
 * Returns 0, or -EINVAL when they do not describe this interpreter (nothing changes then). */
int py_async_use_section(struct py_async *a, uint64_t addr);

/* Whether the asyncio debug offsets were found (1), not yet (0), or found implausible (-1). */
int py_async_found(const struct py_async *a);

#endif
