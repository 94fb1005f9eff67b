/* Read every thread's Python stack from a CPython process (py_proc), without stopping it.
 * Code objects are resolved once into a cache of names, files and line tables; torn reads
 * (the target changed the stack while it was read) are detected, retried, and reported.
 * The steady state (no new code object, no new thread) does not allocate.
 * SPDX-License-Identifier: MIT */
#ifndef UNWIND_H
#define UNWIND_H

#include <stddef.h>
#include <stdint.h>

#include "py_proc.h"

#define UNWIND_MAX_DEPTH   4096
#define UNWIND_MAX_THREADS 1024
/* Walks of a thread repeated after a read that changed under the walk, and after a chain that
 * did not reach its bottom. A generator pipeline switches frames every 100 ns or so, faster
 * than any copy of a chain, so a retry loses the race about half the time or more; each retry
 * costs one vectored read (docs/frame-wholeness.md). */
#define UNWIND_RETRIES     8
#define UNWIND_CUT_RETRIES 24

/* A resolved code object. Immutable once created; indexes stay valid for the unwinder's life
 * (a code object freed and replaced at the same address gets a new index). */
struct unwind_code {
    uint64_t addr;
    char *name; /* qualname (3.11+) or name, UTF-8 */
    char *file; /* co_filename, UTF-8 */
    int firstlineno;
};

struct unwind_frame {
    uint32_t code; /* index of a struct unwind_code */
    int32_t line;  /* -1 when the instruction has no line */
    uint64_t addr; /* remote address of the frame (PyFrameObject, or _PyInterpreterFrame: for a
                    * coroutine, the one embedded in it), 0 unknown; py_async matches tasks by it */
};

enum unwind_status {
    UNWIND_OK = 0,
    UNWIND_TORN = 1,      /* the stack changed while being read, even after retries */
    UNWIND_TRUNCATED = 2, /* deeper than UNWIND_MAX_DEPTH: the outermost frames are missing */
    UNWIND_CUT = 3,       /* the chain did not reach the thread's outermost frame (a generator
                           * yielded, or a frame was popped, while it was read), even after
                           * retries: left out, never shown cut */
};

/* Whether a thread of a sample was dropped (torn or cut): its frames are not in the sample. */
static inline int unwind_invalid(enum unwind_status st)
{
    return st == UNWIND_TORN || st == UNWIND_CUT;
}

struct unwind_thread {
    uint64_t tstate;    /* remote PyThreadState* */
    uint64_t thread_id; /* pthread_t */
    int tid;            /* kernel thread id, 0 when unknown */
    int holds_gil;      /* 1 when this thread holds the GIL (only with UNWIND_GIL) */
    int is_main;        /* 1 for the main thread */
    enum unwind_status status;
    uint32_t first;      /* index of the leaf frame in unwind_sample.frames */
    uint32_t nframes;    /* frames from leaf (first) to root */
    uint64_t root_frame; /* remote address of the root (outermost) Python frame; 0 when the
                          * stack is empty, torn or truncated */
    uint64_t gil;        /* remote address of the GIL (struct _gil_runtime_state, gil_size
                          * bytes) of the thread's interpreter; 0 unknown or not asked for
                          * (UNWIND_GIL_ADDR) */
    int64_t interp_id;   /* the interpreter's id (0: the main one); -1 unknown */
    uint32_t interp_pos; /* the interpreter's place in the runtime's list (0: the newest) */
    /* Subinterpreters (3.12+): a kernel thread that called into another interpreter has a
     * thread state in each, every one with frames. The frames of the caller's thread state go
     * under those of the callee's: `under` is the index (in unwind_sample.threads) of the thread
     * state whose frames go under this one's, -1 none; `nested` is 1 for a thread state whose
     * frames are written under another's, not alone. */
    int32_t under;
    int nested;
};

struct unwind_sample {
    struct unwind_thread threads[UNWIND_MAX_THREADS];
    uint32_t nthreads;
    struct unwind_frame frames[UNWIND_MAX_DEPTH * 4];
    uint32_t nframes;
    uint32_t retries; /* walks repeated because a read looked torn */
};

/* Decide, after a thread state was read (tid, holds_gil, is_main, gil are known), whether to walk
 * its frames. Returns 1 to walk, 0 to leave the thread out of the sample. */
typedef int (*unwind_filter_fn)(void *ctx, const struct unwind_thread *th);

struct unwinder;

enum unwind_flags {
    UNWIND_GIL = 1, /* find the GIL holder (unwind_thread.holds_gil); costs a read per sample */
    UNWIND_GIL_ADDR = 2, /* fill unwind_thread.gil (3.12+: 8 more bytes in a read per sample) */
};

/* A new unwinder for p (borrowed; must outlive the unwinder), flags UNWIND_*. Caller frees
 * with unwinder_free(). */
struct unwinder *unwinder_new(struct py_proc *p, unsigned flags);
void unwinder_free(struct unwinder *u);

/* Take one sample of all threads into s (filter may be NULL: every thread). Returns 0,
 * -ESRCH when the process is gone, -EAGAIN when the interpreter is finalising or not
 * initialised, or another negative errno when the thread list itself could not be read. */
int unwinder_sample(struct unwinder *u, struct unwind_sample *s, unwind_filter_fn filter,
                    void *ctx);

/* The code object of index i (from unwind_frame.code). */
const struct unwind_code *unwinder_code(const struct unwinder *u, uint32_t i);
uint32_t unwinder_ncodes(const struct unwinder *u);

/* 3.11+: the frame of code object code (remote address) stopped at instruction pointer ip, as
 * the walk would resolve it (code cache, line), for frames read by others (py_async: suspended
 * coroutines). out->addr is set to 0. Returns 0, or -EAGAIN when code is not a readable code
 * object or ip lies outside its bytecode (a torn read), -ENOTSUP before 3.11. */
int unwinder_resolve(struct unwinder *u, uint64_t code, uint64_t ip, struct unwind_frame *out);

/* The Python name of thread th of sample s (the last one taken): the name attribute of the
 * threading.Thread whose _bootstrap frame is the root of th's stack, read from that frame's
 * first local (self). Writes it as UTF-8 to buf (len bytes, NUL-terminated, cut at a character
 * boundary) and returns 0; -ENOENT when the root frame is not threading's (the main thread, a
 * thread started otherwise, a truncated stack); -EINVAL, -EFAULT when the objects on the way do
 * not look right or cannot be read (the thread ended meanwhile); -ESRCH; -ENOTSUP when thread
 * names cannot be read for this Python (free-threaded builds). A few remote reads (more the first
 * time), no allocation: meant to be called when a thread is first seen, not at every sample. */
int unwinder_thread_name(struct unwinder *u, const struct unwind_sample *s,
                         const struct unwind_thread *th, char *buf, size_t len);

#endif
