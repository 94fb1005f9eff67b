/* The sampling loop: at a fixed rate, take a stack sample of the target (unwind), keep the
 * threads the mode asks for, and add their stacks to a profile (agg), weighted by samples, disk
 * bytes or RSS growth, optionally ending in the thread's state. Measures its own cost.
 * SPDX-License-Identifier: MIT */
#ifndef SAMPLER_H
#define SAMPLER_H

#include <signal.h>
#include <stdint.h>

#include "agg_stacks.h"
#include "py_proc.h"
#include "thread_state.h"

enum sampler_mode {
    SAMPLER_WALL = 0, /* every thread at every sample */
    SAMPLER_CPU = 1,  /* only threads running on a CPU (state R) */
    SAMPLER_GIL = 2,  /* only the thread holding the GIL */
};

enum sampler_end {
    SAMPLER_END_DURATION = 0, /* the requested duration elapsed */
    SAMPLER_END_STOPPED = 1,  /* *stop became non-zero (signal) */
    SAMPLER_END_EXITED = 2,   /* the target exited */
    SAMPLER_END_EXEC = 3,     /* the target replaced its program (exec) with one not sampled */
};

/* What a thread sample weighs in the profile. */
enum sampler_metric {
    SAMPLER_SAMPLES = 0,  /* 1 per thread sample */
    SAMPLER_IO_BYTES = 1, /* bytes the thread caused to be read from or written to storage since
                           * its previous sample (read_bytes + write_bytes of its
                           * /proc/PID/task/TID/io; writes count when pages are dirtied) */
    SAMPLER_RSS = 2,      /* growth of the process's RSS (/proc/PID/statm) since the previous
                           * sampling instant, when positive, shared by the sampled threads in
                           * proportion to their CPU time (schedstat) since then */
};

/* The most stacks one sampling instant adds: one per thread the unwinder reads, and with
 * opts.async_tasks one per pending asyncio task (PY_ASYNC_MAX_TASKS). */
#define SAMPLER_MAX_TICK_STACKS 2048

/* Someone told of each sample as it is taken (record's raw writer, its time line). Both calls
 * come from the sampling loop, so they must not allocate in the steady state. */
struct sampler_listener {
    void *ctx;
    /* A thread's stack was added to the profile: its stack id in the agg (new stacks, frames
     * and strings are in the agg already), the weight added, the kernel thread (0 unknown). */
    void (*stack)(void *ctx, uint32_t stack, uint64_t weight, uint32_t tid);
    /* A sampling instant ended, at t_ns nanoseconds since sampling started, after its stack()
     * calls (none when no thread had Python frames). The next instant adds at most
     * SAMPLER_MAX_TICK_STACKS stacks: the place to make room for them, and to write out. */
    void (*tick)(void *ctx, uint64_t t_ns);
};

/* Who is asked for the new interpreter when the target replaces its program (execve). */
struct sampler_exec {
    void *ctx;
    /* The image *p was found in is gone (the process exec'd, or is exiting), and the sampler
     * holds nothing of it any more. Attach to what replaced it within limit_s seconds (the
     * time left of the run; <= 0: no limit) and return 0 with *p set to the new interpreter
     * (the callee owns both the old and the new one, and may free the old now) to sample it
     * into the same profile. Or return -ESRCH (the process exited: SAMPLER_END_EXITED),
     * -ECANCELED (a stop: SAMPLER_END_STOPPED), -ETIMEDOUT (the run's time is up:
     * SAMPLER_END_DURATION), or another negative errno (SAMPLER_END_EXEC). */
    int (*follow)(void *ctx, struct py_proc **p, double limit_s);
};

struct sampler_opts {
    double rate;     /* samples per second; <= 0: as fast as possible */
    double duration; /* seconds; <= 0: until the target exits or *stop */
    enum sampler_mode mode;
    int threads;     /* put a "thread NAME (TID)" frame at the root of each stack */
    int states;      /* wall mode: put the thread's state ("<cpu>", "<gil>", "<network>" ...;
                      * thread_state.h) as a leaf frame of each stack */
    int async_tasks; /* --async (3.14+, py_async): a thread's stack running an asyncio task goes
                      * under a "Task NAME" frame, below the tasks awaiting it; in wall mode each
                      * suspended task adds a stack of its own (weight 1 per sample, SAMPLER_SAMPLES
                      * only), ending in its innermost await (and "<await>" with states) */
    enum sampler_metric metric;              /* other than SAMPLER_SAMPLES: wall mode only */
    const struct sampler_listener *listener; /* or NULL */
    const struct sampler_exec *exec;         /* NULL: an exec ends the run (SAMPLER_END_EXEC) */
};

/* What --async saw. */
struct sampler_async_stats {
    int found;        /* 1: the asyncio debug offsets were found; 0: never (asyncio not imported,
                       * or not asked); -1: found but implausible (nothing read) */
    uint64_t running; /* thread stacks put under the task running on them */
    uint64_t waiting; /* stacks of suspended tasks */
    uint32_t most;    /* most pending tasks read at one sampling instant */
    uint64_t torn;    /* tasks left out of an instant: they changed while read (or started or
                       * stopped running between the stack and the task reads) */
    uint64_t over;    /* instants with more pending tasks than PY_ASYNC_MAX_TASKS */
};

struct sampler_stats {
    uint64_t ticks;     /* sampling instants at which the target was read */
    uint64_t stacks;    /* thread stacks added to the profile */
    uint64_t invalid;   /* thread samples dropped: torn (stack changed while read) or cut */
    uint64_t cut;       /* of those, chains that did not reach the thread's outermost frame */
    uint64_t retries;   /* thread walks repeated after a torn read */
    uint64_t truncated; /* stacks deeper than the unwinder's limit */
    uint64_t reads;     /* remote read calls */
    uint64_t missed;    /* ticks skipped because they were due a period or more ago: the
                         * sampler was stopped or did not get a CPU (sampler_sched.h) */
    uint64_t stalls;    /* times ticks were skipped (a stall may skip many) */
    double elapsed;     /* seconds of sampling */
    double rate;        /* effective rate, Hz: sampling instants taken (ticks) over the time
                         * from the first to the last, while the target was sampleable */
    double self_cpu;    /* seconds of CPU used by the sampler */
    double target_cpu;  /* seconds of CPU used by the target meanwhile; < 0 unknown */
    enum sampler_end end;
    uint64_t unattributed; /* SAMPLER_RSS: bytes of growth when no sampled thread had run */
    struct thread_state_stats states; /* work of the state reader (opts.states) */
    uint64_t execs;                   /* new program images sampled after an exec */
    struct sampler_async_stats async; /* opts.async_tasks */
};

/* Sample p until the duration elapses, *stop becomes non-zero, or the target exits, adding
 * stacks to a. When the target replaces its program (exec), opts->exec is asked for the new
 * interpreter and sampling goes on with it (the wait is not sampling time for the rate).
 * Returns 0: st is filled whatever ended the run (st->end says what did). */
int sampler_run(struct py_proc *p, const struct sampler_opts *opts, struct agg *a,
                volatile sig_atomic_t *stop, struct sampler_stats *st);

#endif
