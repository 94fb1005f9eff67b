/* Fixed-rate sampling with absolute deadlines (no drift), mode filters, and conversion of
 * unwound stacks into interned profile frames. The steady state does not allocate.
 * SPDX-License-Identifier: MIT */
#include "sampler.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "proc_stat.h"
#include "unwind.h"
#include "util_xalloc.h"

#define LINE_CACHE      4
#define TID_CACHE       256
#define SPIN_NS         30000 /* waits shorter than this spin: a sleep would overshoot more */
#define MAX_LAG_NS      1000000000LL
#define CPU_POLL_NS     50000000LL
#define NAME_NS         1000000000LL /* re-read a thread's Python name this often */
#define THREAD_NAME_MAX 256          /* bytes of a thread name kept */

/* Per code object: interned strings and the frames of its last few lines. */
struct code_ids {
    uint32_t name, file;
    int32_t line[LINE_CACHE];
    uint32_t frame[LINE_CACHE];
    uint32_t next; /* round-robin replacement */
};

struct tid_slot {
    int tid;
    int stat_fd;        /* /proc/PID/task/TID/stat, -1 when not opened */
    uint32_t frame;     /* "thread NAME (TID)" frame, AGG_NONE until made */
    uint64_t thread_id; /* pthread_t of the thread the frame was made for */
    uint64_t root;      /* its root Python frame when its name was last looked up */
    long long named_at; /* then (CLOCK_MONOTONIC ns) */
};

struct sampler {
    struct py_proc *p;
    const struct sampler_opts *opts;
    struct agg *a;
    struct unwinder *u;
    struct unwind_sample *s;
    struct code_ids *ids;
    uint32_t nids;
    struct tid_slot tids[TID_CACHE];
    uint32_t ntids;
    uint32_t stack[UNWIND_MAX_DEPTH + 2];
    uint32_t truncated_frame; /* "<truncated>" */
    long long now;            /* CLOCK_MONOTONIC ns of the current tick */
};

static long long now_ns(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double target_cpu_seconds(int pid)
{
    struct proc_stat st;
    if (proc_stat_read(pid, 0, &st) != 0)
        return -1;
    return (double)(st.utime + st.stime) / (double)sysconf(_SC_CLK_TCK);
}

/* Forget every thread (closing their stat files): when the table fills up, most of its
 * threads have exited. Their frames stay interned in the profile. */
static void tid_reset(struct sampler *sm)
{
    for (int i = 0; i < TID_CACHE; i++)
        if (sm->tids[i].tid && sm->tids[i].stat_fd >= 0)
            close(sm->tids[i].stat_fd);
    memset(sm->tids, 0, sizeof(sm->tids));
    sm->ntids = 0;
}

/* The slot of kernel thread tid (> 0), made on first sight. */
static struct tid_slot *tid_slot(struct sampler *sm, int tid)
{
    uint32_t h = (uint32_t)tid * 2654435761u % TID_CACHE;
    if (tid <= 0)
        return NULL;
    for (uint32_t k = 0; k < TID_CACHE; k++) {
        struct tid_slot *t = &sm->tids[(h + k) % TID_CACHE];
        if (t->tid == tid)
            return t;
        if (t->tid == 0)
            break;
    }
    if (sm->ntids >= TID_CACHE / 2)
        tid_reset(sm);
    for (uint32_t k = 0;; k++) {
        struct tid_slot *t = &sm->tids[(h + k) % TID_CACHE];
        if (t->tid == 0) {
            t->tid = tid;
            t->stat_fd = -1;
            t->frame = AGG_NONE;
            t->thread_id = 0;
            t->root = 0;
            t->named_at = 0;
            sm->ntids++;
            return t;
        }
    }
}

/* Mode filter, called by the unwinder for each thread before its frames are read. */
static int want_thread(void *ctx, const struct unwind_thread *th)
{
    struct sampler *sm = ctx;
    if (sm->opts->mode == SAMPLER_GIL)
        return th->holds_gil;
    if (sm->opts->mode != SAMPLER_CPU)
        return 1;
    struct tid_slot *t = tid_slot(sm, th->tid);
    struct proc_stat st;
    if (!t) /* no kernel thread known: a thread still starting (3.11+), or unmapped (<= 3.10,
             * the CLI warns) */
        return !sm->p->off.ts_native_thread_id;
    if (t->stat_fd < 0)
        t->stat_fd = proc_stat_open(sm->p->pid, th->tid);
    if (t->stat_fd < 0 || proc_stat_read_fd(t->stat_fd, &st) != 0)
        return 0;
    return st.state == 'R';
}

/* Whether the name of thread th (slot t) must be looked up: a thread first seen, another thread
 * under the same TID (another pthread_t, or another root frame), or a name last read NAME_NS
 * ago (a thread may rename itself). A stack without a root frame (truncated) changes nothing. */
static int name_stale(const struct sampler *sm, const struct tid_slot *t,
                      const struct unwind_thread *th)
{
    if (t->frame == AGG_NONE || t->thread_id != th->thread_id)
        return 1;
    if (th->is_main)
        return 0;
    return (th->root_frame && th->root_frame != t->root) || sm->now - t->named_at >= NAME_NS;
}

/* The "thread NAME (TID)" frame of th. NAME is the thread's Python name (threading's
 * Thread.name), else MainThread for the main thread, else the kernel's name of the thread. It is
 * made once per thread and kept in its TID's slot; a thread whose kernel TID is unknown (0)
 * has no slot, and no Python name is read for it (that would cost reads at every sample). */
static uint32_t thread_frame(struct sampler *sm, const struct unwind_thread *th)
{
    struct tid_slot *t = tid_slot(sm, th->tid);
    char name[THREAD_NAME_MAX] = "", label[THREAD_NAME_MAX + 32];
    struct agg_frame f = {0, AGG_NONE, 0, AGG_FRAME_THREAD};
    int found = 0;

    if (t && !name_stale(sm, t, th))
        return t->frame;
    if (t && t->thread_id != th->thread_id) {
        t->thread_id = th->thread_id;
        t->frame = AGG_NONE;
    }
    if (t && !th->is_main) {
        found = unwinder_thread_name(sm->u, sm->s, th, name, sizeof(name)) == 0 && name[0];
        t->root = th->root_frame ? th->root_frame : t->root;
        t->named_at = sm->now;
        if (!found && t->frame != AGG_NONE)
            return t->frame; /* keep the name it had */
    }
    if (!found && th->is_main)
        snprintf(name, sizeof(name), "MainThread");
    else if (!found && (!th->tid || proc_comm_read(sm->p->pid, th->tid, name, sizeof(name)) != 0))
        snprintf(name, sizeof(name), "?");
    snprintf(label, sizeof(label), "thread %s (%d)", name, th->tid); /* TID 0: unknown */
    f.name = agg_intern(sm->a, label, strlen(label));
    uint32_t id = agg_frame_id(sm->a, &f);
    if (t)
        t->frame = id;
    return id;
}

/* The profile frame of (code, line), through a small per-code cache. */
static uint32_t frame_id(struct sampler *sm, uint32_t code, int line)
{
    if (code >= sm->nids) {
        uint32_t n = unwinder_ncodes(sm->u);
        sm->ids = xreallocarray(sm->ids, n, sizeof(*sm->ids));
        for (uint32_t i = sm->nids; i < n; i++) {
            const struct unwind_code *c = unwinder_code(sm->u, i);
            struct code_ids *ci = &sm->ids[i];
            memset(ci, 0, sizeof(*ci));
            ci->name = agg_intern(sm->a, c->name, strlen(c->name));
            ci->file = agg_intern(sm->a, c->file, strlen(c->file));
            for (int k = 0; k < LINE_CACHE; k++)
                ci->line[k] = INT32_MIN;
        }
        sm->nids = n;
    }
    struct code_ids *ci = &sm->ids[code];
    for (int k = 0; k < LINE_CACHE; k++)
        if (ci->line[k] == line)
            return ci->frame[k];
    struct agg_frame f = {ci->name, ci->file, line < 0 ? 0 : line, AGG_FRAME_PY};
    uint32_t k = ci->next++ % LINE_CACHE;
    ci->line[k] = line;
    ci->frame[k] = agg_frame_id(sm->a, &f);
    return ci->frame[k];
}

/* Add the threads of one unwound sample to the profile. */
static void add_sample(struct sampler *sm, struct sampler_stats *st)
{
    const struct unwind_sample *s = sm->s;
    for (uint32_t i = 0; i < s->nthreads; i++) {
        const struct unwind_thread *th = &s->threads[i];
        uint32_t n = 0;
        if (th->status == UNWIND_TORN) {
            st->invalid++;
            continue;
        }
        if (!th->nframes)
            continue; /* no Python code on this thread (or not started yet) */
        if (sm->opts->threads)
            sm->stack[n++] = thread_frame(sm, th);
        if (th->status == UNWIND_TRUNCATED) /* the outermost frames are missing: say so */
            sm->stack[n++] = sm->truncated_frame;
        for (uint32_t k = th->nframes; k-- > 0;) {
            const struct unwind_frame *f = &s->frames[th->first + k];
            sm->stack[n++] = frame_id(sm, f->code, f->line);
        }
        st->truncated += th->status == UNWIND_TRUNCATED;
        agg_add(sm->a, sm->stack, n, 1);
        st->stacks++;
    }
    st->retries += s->retries;
}

/* Wait until the absolute deadline (CLOCK_MONOTONIC ns): sleep, then spin the last stretch. */
static void wait_until(long long deadline)
{
    long long now = now_ns(CLOCK_MONOTONIC);
    if (deadline - now > SPIN_NS) {
        struct timespec ts = {(time_t)(deadline / 1000000000LL), (long)(deadline % 1000000000LL)};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        return;
    }
    while (now_ns(CLOCK_MONOTONIC) < deadline)
        ;
}

/* xorshift64: cheap jitter for the sampling grid. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static void sampler_destroy(struct sampler *sm)
{
    tid_reset(sm);
    free(sm->ids);
    free(sm->s);
    unwinder_free(sm->u);
}

/* One sampling instant. Returns 0, 1 when the target has exited, or 2 when it was not
 * sampleable right now (initialising or finalising). */
static int tick(struct sampler *sm, struct sampler_stats *st)
{
    int err = unwinder_sample(sm->u, sm->s, want_thread, sm);
    if (err == -ESRCH)
        return 1;
    if (err)
        return 2;
    st->ticks++;
    add_sample(sm, st);
    return 0;
}

int sampler_run(struct py_proc *p, const struct sampler_opts *opts, struct agg *a,
                volatile sig_atomic_t *stop, struct sampler_stats *st)
{
    struct sampler sm;
    long long period = opts->rate > 0 ? (long long)(1e9 / opts->rate) : 0;
    double cpu0 = target_cpu_seconds(p->pid), cpu_last = cpu0;

    memset(st, 0, sizeof(*st));
    memset(&sm, 0, sizeof(sm));
    sm.p = p;
    sm.opts = opts;
    sm.a = a;
    struct agg_frame tf = {agg_intern(a, "<truncated>", 11), AGG_NONE, 0, AGG_FRAME_STATE};
    sm.truncated_frame = agg_frame_id(a, &tf);
    sm.u = unwinder_new(p, opts->mode == SAMPLER_GIL ? UNWIND_GIL : 0);
    sm.s = xmalloc(sizeof(*sm.s));
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

    long long self0 = now_ns(CLOCK_PROCESS_CPUTIME_ID);
    long long start = now_ns(CLOCK_MONOTONIC), grid = start, next, cpu_poll = start;
    long long first = 0, last = 0;
    uint64_t rnd = (uint64_t)start | 1;
    long long end = opts->duration > 0 ? start + (long long)(opts->duration * 1e9) : 0;
    unsigned long reads0 = p->t->nreads;
    st->end = SAMPLER_END_DURATION;
    for (;;) {
        if (stop && *stop) {
            st->end = SAMPLER_END_STOPPED;
            break;
        }
        long long now = now_ns(CLOCK_MONOTONIC);
        if (end && now >= end)
            break;
        sm.now = now;
        int t = tick(&sm, st);
        if (t == 1) {
            st->end = SAMPLER_END_EXITED;
            break;
        }
        if (t == 0) {
            first = first ? first : now;
            last = now;
        }
        if (now - cpu_poll > CPU_POLL_NS) {
            double c = target_cpu_seconds(p->pid);
            cpu_last = c >= 0 ? c : cpu_last;
            cpu_poll = now;
        }
        if (!period)
            continue;
        /* Sample at a random point of each period (same mean rate), so that a program doing
         * periodic work cannot alias with the sampling grid. */
        grid += period;
        next = grid + (long long)(next_random(&rnd) % (uint64_t)period) - period / 2;
        now = now_ns(CLOCK_MONOTONIC);
        if (now - grid > MAX_LAG_NS)
            grid = next = now; /* we were stopped or starved: do not burst to catch up */
        if (end && next > end)
            next = end;
        wait_until(next);
    }
    st->elapsed = (double)(now_ns(CLOCK_MONOTONIC) - start) / 1e9;
    st->rate =
        st->ticks > 1 && last > first ? (double)(st->ticks - 1) * 1e9 / (double)(last - first) : 0;
    st->self_cpu = (double)(now_ns(CLOCK_PROCESS_CPUTIME_ID) - self0) / 1e9;
    double c = st->end == SAMPLER_END_EXITED ? -1 : target_cpu_seconds(p->pid);
    st->target_cpu = cpu0 >= 0 ? (c >= 0 ? c : cpu_last) - cpu0 : -1;
    st->reads = p->t->nreads - reads0;
    sampler_destroy(&sm);
    return 0;
}
