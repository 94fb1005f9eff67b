/* Fixed-rate sampling on sampler_sched's schedule (absolute deadlines, random gaps, late ticks
 * skipped), mode filters, and conversion of unwound stacks into interned profile frames. The
 * steady state does not allocate.
 * SPDX-License-Identifier: MIT */
#include "sampler.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "proc_res.h"
#include "proc_stat.h"
#include "py_async.h"
#include "sampler_sched.h"
#include "unwind.h"
#include "util_clock.h"
#include "util_xalloc.h"

static_assert(SAMPLER_MAX_TICK_STACKS >= UNWIND_MAX_THREADS + PY_ASYNC_MAX_TASKS,
              "a stack per thread read and per task");

#define LINE_CACHE        4
#define TID_CACHE         256
#define SPIN_NS           30000 /* waits shorter than this spin: a sleep would overshoot more */
#define CPU_POLL_NS       50000000LL
#define NAME_NS           1000000000LL /* re-read a thread's Python name this often */
#define THREAD_NAME_MAX   256          /* bytes of a thread name kept */
#define UNSET             UINT64_MAX   /* a counter not read yet */
#define SAMPLER_MAX_CHAIN 16           /* thread states of one kernel thread (interpreters) */
#define EXEC_CHECK_NS     10000000LL   /* see image_gone() */
#define TICK_EXEC         3            /* tick(): the target's program image is gone */
#define ASYNC_CHAIN       64           /* --async: awaiting tasks put below a task, at most */
#define ASYNC_CHAIN_MAX   1024         /* and their frames, at most */
/* A stack: a thread frame, "<truncated>", the frames of a thread in up to two interpreters
 * (subinterpreters), each with a Task frame before it when it is a task's coroutine (--async),
 * the tasks awaiting the outermost task, a state leaf. */
#define STACK_MAX (4 * UNWIND_MAX_DEPTH + ASYNC_CHAIN_MAX + 4)

/* Per code object: interned strings and the frames of its last few lines. */
struct code_ids {
    uint32_t name, file;
    int32_t line[LINE_CACHE];
    uint32_t frame[LINE_CACHE];
    uint32_t next; /* round-robin replacement */
};

struct tid_slot {
    int tid;
    int stat_fd;                 /* /proc/PID/task/TID/stat, -1 when not opened */
    uint32_t frame;              /* "thread NAME (TID)" frame, AGG_NONE until made */
    uint64_t thread_id;          /* pthread_t of the thread the frame was made for */
    uint64_t root;               /* its root Python frame when its name was last looked up */
    int64_t interp;              /* the interpreter it ran in then (its label names a sub one) */
    int64_t named_at;            /* then (CLOCK_MONOTONIC ns) */
    struct thread_state_slot ts; /* its /proc files for the state, and last reading */
    int io_fd;                   /* /proc/PID/task/TID/io (SAMPLER_IO_BYTES), -1 none */
    uint64_t io_last;            /* storage bytes at its last sample added; UNSET */
    uint64_t run_last;           /* CPU ns at the last sampling instant (SAMPLER_RSS); UNSET */
};

/* What was measured of each thread of the current sample, by its index in unwind_sample. */
struct thread_meas {
    uint8_t state;   /* enum thread_state */
    uint64_t io;     /* storage bytes now; UNSET unknown */
    uint64_t ran_ns; /* CPU time since the previous sampling instant */
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
    uint32_t stack[STACK_MAX];
    uint32_t truncated_frame;             /* "<truncated>" */
    struct py_async *as;                  /* opts->async_tasks on a 3.14+ image, else NULL */
    struct py_async_sample *asample;      /* the tasks of the current sample */
    int async_ok;                         /* asample holds this instant's tasks */
    int async_found;                      /* py_async_found() of the images so far (1 wins) */
    uint8_t shown[PY_ASYNC_MAX_TASKS];    /* task i ran on a stack added this instant */
    uint32_t await_frame;                 /* "<await>": a suspended task's state (states) */
    uint64_t tstates[UNWIND_MAX_THREADS]; /* thread states of the last sample (--async) */
    uint32_t ntstates;
    uint32_t state_frame[THREAD_STATE_N]; /* "<cpu>", "<gil>" ... (opts->states) */
    int64_t now;                          /* CLOCK_MONOTONIC ns of the current tick */
    int with_states;                      /* opts->states, in wall mode */
    enum sampler_metric metric;           /* opts->metric in wall mode, else SAMPLER_SAMPLES */
    struct thread_state_reader *states;
    struct thread_meas meas[UNWIND_MAX_THREADS];
    int statm_fd;                         /* /proc/PID/statm (SAMPLER_RSS), -1 none */
    uint64_t rss_last;                    /* bytes at the previous tick; UNSET */
    uint64_t growth;                      /* RSS growth since the previous tick, bytes */
    int64_t image_at;                     /* last check of the program image (ns) */
    unsigned long reads0;                 /* p->t->nreads when the image was attached */
    uint64_t reads;                       /* remote reads of the earlier images */
    struct thread_state_stats states_sum; /* work of the earlier images' state readers */
};

static double target_cpu_seconds(int pid)
{
    struct proc_stat st;
    if (proc_stat_read(pid, 0, &st) != 0)
        return -1;
    return util_clock_s(util_clock_ticks_ns(st.utime + st.stime));
}

/* Forget every thread (closing their stat files): when the table fills up, most of its
 * threads have exited. Their frames stay interned in the profile. */
static void tid_reset(struct sampler *sm)
{
    for (int i = 0; i < TID_CACHE; i++) {
        struct tid_slot *t = &sm->tids[i];
        if (!t->tid)
            continue;
        if (t->stat_fd >= 0)
            close(t->stat_fd);
        if (t->io_fd >= 0)
            close(t->io_fd);
        thread_state_slot_close(&t->ts);
    }
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
            t->interp = 0;
            t->named_at = 0;
            thread_state_slot_init(&t->ts);
            t->io_fd = -1;
            t->io_last = UNSET;
            t->run_last = UNSET;
            sm->ntids++;
            return t;
        }
    }
}

/* Storage bytes thread t has caused so far (read_bytes + write_bytes), UNSET when unreadable.
 * An io file that cannot be opened is not tried again (io_fd -2). */
static uint64_t io_bytes(struct sampler *sm, struct tid_slot *t)
{
    struct proc_io io;
    if (t->io_fd == -1 && (t->io_fd = proc_res_open(sm->p->pid, t->tid, "io")) < 0)
        t->io_fd = -2;
    if (t->io_fd < 0 || proc_io_read_fd(t->io_fd, &io) != 0)
        return UNSET;
    return io.read_bytes + io.write_bytes;
}

/* What the options ask of thread th (index i of the sample), read just before its frames:
 * its state, its storage bytes, its CPU time since the previous sampling instant. */
static void measure(struct sampler *sm, const struct unwind_thread *th, uint32_t i)
{
    struct thread_meas *m = &sm->meas[i];
    struct tid_slot *t = tid_slot(sm, th->tid);
    uint64_t run;

    m->state = THREAD_STATE_UNKNOWN;
    m->io = UNSET;
    m->ran_ns = 0;
    if (!t)
        return;
    if (sm->with_states)
        m->state = (uint8_t)thread_state_read(sm->states, &t->ts, th->tid, th->gil,
                                              sm->p->off.gil_size, sm->now);
    if (sm->metric == SAMPLER_IO_BYTES)
        m->io = io_bytes(sm, t);
    if (sm->metric == SAMPLER_RSS && thread_state_run_ns(sm->states, &t->ts, th->tid, &run) == 0) {
        m->ran_ns = t->run_last != UNSET && run > t->run_last ? run - t->run_last : 0;
        t->run_last = run;
    }
}

/* Mode filter, called by the unwinder for each thread before its frames are read; in wall mode
 * it also measures the thread (state, counters) when the options ask for it. */
static int want_thread(void *ctx, const struct unwind_thread *th)
{
    struct sampler *sm = ctx;
    if (sm->opts->mode == SAMPLER_GIL)
        return th->holds_gil;
    if (sm->opts->mode != SAMPLER_CPU) {
        uint32_t i = (uint32_t)(th - sm->s->threads);
        if (sm->states && i < UNWIND_MAX_THREADS)
            measure(sm, th, i);
        return 1;
    }
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
                      const struct unwind_thread *th, int64_t interp)
{
    if (t->frame == AGG_NONE || t->thread_id != th->thread_id || t->interp != interp)
        return 1;
    if (th->is_main)
        return 0;
    return (th->root_frame && th->root_frame != t->root) || sm->now - t->named_at >= NAME_NS;
}

/* The "thread NAME (TID)" frame of th, the outermost thread state of its kernel thread. NAME is
 * the thread's Python name (threading's Thread.name), else MainThread for the main thread, else
 * the kernel's name of the thread; "thread NAME [interpreter N] (TID)" while the thread runs in
 * subinterpreter N (interp, the innermost thread state's). It is made once per thread and kept
 * in its TID's slot; a thread whose kernel TID is unknown (0) has no slot, and no Python name
 * is read for it (that would cost reads at every sample). */
static uint32_t thread_frame(struct sampler *sm, const struct unwind_thread *th, int64_t interp)
{
    struct tid_slot *t = tid_slot(sm, th->tid);
    char name[THREAD_NAME_MAX] = "", label[THREAD_NAME_MAX + 64], in[40] = "";
    struct agg_frame f = {0, AGG_NONE, 0, AGG_FRAME_THREAD};
    int found = 0;

    if (t && !name_stale(sm, t, th, interp))
        return t->frame;
    if (t && (t->thread_id != th->thread_id || t->interp != interp)) {
        t->thread_id = th->thread_id;
        t->interp = interp;
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
    if (interp > 0)
        snprintf(in, sizeof(in), " [interpreter %lld]", (long long)interp);
    snprintf(label, sizeof(label), "thread %s%s (%d)", name, in, th->tid); /* TID 0: unknown */
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

/* Whether thread i of the sample goes into the profile. */
static int addable(const struct unwind_sample *s, uint32_t i)
{
    return !unwind_invalid(s->threads[i].status) && s->threads[i].nframes && !s->threads[i].nested;
}

/* SAMPLER_RSS: the CPU time of the threads that share this instant's growth. */
static uint64_t ran_total(const struct sampler *sm)
{
    uint64_t total = 0;
    if (sm->metric != SAMPLER_RSS)
        return 0;
    for (uint32_t i = 0; i < sm->s->nthreads && i < UNWIND_MAX_THREADS; i++)
        if (addable(sm->s, i))
            total += sm->meas[i].ran_ns;
    return total;
}

/* The weight of thread i's stack. SAMPLER_IO_BYTES: the bytes since the thread's previous
 * stack added (the first one sets the baseline). SAMPLER_RSS: its share of the growth, cut at
 * cumulative boundaries (*cum: CPU time of the threads before it) so that shares sum to it. */
static uint64_t weight_of(struct sampler *sm, uint32_t i, uint64_t total, uint64_t *cum)
{
    const struct thread_meas *m = &sm->meas[i];
    if (sm->metric == SAMPLER_IO_BYTES) {
        struct tid_slot *t = tid_slot(sm, sm->s->threads[i].tid);
        uint64_t w = 0;
        if (!t || m->io == UNSET)
            return 0;
        if (t->io_last != UNSET && m->io > t->io_last)
            w = m->io - t->io_last;
        t->io_last = m->io;
        return w;
    }
    if (sm->metric == SAMPLER_RSS) {
        if (!total || !m->ran_ns)
            return 0;
        uint64_t a = (uint64_t)((double)sm->growth * ((double)*cum / (double)total));
        *cum += m->ran_ns;
        return (uint64_t)((double)sm->growth * ((double)*cum / (double)total)) - a;
    }
    return 1;
}

/* The thread states whose frames make thread i's stack, outermost first (a kernel thread that
 * called into subinterpreters has one per interpreter: unwind_thread.under); returns how many,
 * or 0 when one of them could not be read whole. */
static uint32_t chain_of(const struct unwind_sample *s, uint32_t i, uint32_t *chain)
{
    uint32_t n = 0;
    for (int32_t k = (int32_t)i; k >= 0 && n < SAMPLER_MAX_CHAIN; k = s->threads[k].under) {
        if (unwind_invalid(s->threads[k].status))
            return 0;
        chain[n++] = (uint32_t)k;
    }
    for (uint32_t a = 0, b = n - 1; a < b; a++, b--) {
        uint32_t t = chain[a];
        chain[a] = chain[b];
        chain[b] = t;
    }
    return n;
}

/* --async: the "Task NAME" frame of task i of the current sample. */
static uint32_t task_frame(struct sampler *sm, int i)
{
    char label[PY_ASYNC_NAME_MAX + 8];
    int len = snprintf(label, sizeof(label), "Task %s", sm->asample->tasks[i].name);
    struct agg_frame f = {agg_intern(sm->a, label, (size_t)len), AGG_NONE, 0, AGG_FRAME_TASK};
    return agg_frame_id(sm->a, &f);
}

/* --async: task i's Task frame and its suspended coroutine frames, at stack[n] (as far as
 * *room frames allow). Returns the new n. */
static uint32_t push_task(struct sampler *sm, int i, uint32_t n, uint32_t *room)
{
    const struct py_async_task *t = &sm->asample->tasks[i];
    if (*room < 1 + t->nframes) {
        *room = 0;
        return n;
    }
    *room -= 1 + t->nframes;
    sm->stack[n++] = task_frame(sm, i);
    for (uint32_t k = 0; k < t->nframes; k++) {
        const struct unwind_frame *f = &sm->asample->frames[t->first + k];
        sm->stack[n++] = frame_id(sm, f->code, f->line);
    }
    return n;
}

/* --async: the tasks awaiting task i (its parent, the parent's parent...) into chain, innermost
 * first; returns their number. A loop in the links (a torn read) ends the chain. */
static int awaiting(const struct sampler *sm, int i, int *chain)
{
    int m = 0;
    for (int p = sm->asample->tasks[i].parent; p >= 0 && p != i && m < ASYNC_CHAIN;
         p = sm->asample->tasks[p].parent) {
        int seen = 0;
        for (int k = 0; k < m && !seen; k++)
            seen = chain[k] == p;
        if (seen)
            break;
        chain[m++] = p;
    }
    return m;
}

/* --async: whether the tasks awaiting task i can be shown whole. One whose chain changed while
 * the lists were read is read again now; one running shows as its Task frame alone (its frames
 * are on its thread's stack). */
static int awaiting_whole(struct sampler *sm, int i)
{
    int chain[ASYNC_CHAIN], m = awaiting(sm, i, chain);
    for (int k = 0; k < m; k++)
        if (sm->asample->tasks[chain[k]].torn &&
            py_async_reread(sm->as, sm->asample, (uint32_t)chain[k]) != 0)
            return 0;
    return 1;
}

/* --async: the tasks awaiting task i, outermost first, each as push_task puts it, at stack[n].
 * Returns the new n. */
static uint32_t push_awaiting(struct sampler *sm, int i, uint32_t n)
{
    int chain[ASYNC_CHAIN], m = awaiting(sm, i, chain);
    uint32_t room = ASYNC_CHAIN_MAX;
    while (m-- > 0 && room)
        n = push_task(sm, chain[m], n, &room);
    return n;
}

/* The frames of the thread states chain[0..nchain) at stack[n], outermost first and each root
 * first, as long as they fit below room. --async: a frame that is the coroutine frame of a task
 * gets the task's Task frame before it, and the outermost such task the tasks that await it
 * before that (when they cannot be read whole, the stack has no Task frame, and counts as a
 * task sample left out). Returns the new n. */
static uint32_t push_thread(struct sampler *sm, const uint32_t *chain, uint32_t nchain, uint32_t n,
                            uint32_t room, struct sampler_stats *st)
{
    const struct unwind_sample *s = sm->s;
    int in_task = 0, tasks = sm->async_ok;
    /* The outermost task must have its awaiting tasks whole, else no Task frame is shown. */
    for (uint32_t c = 0; tasks && c < nchain && !in_task; c++) {
        const struct unwind_thread *part = &s->threads[chain[c]];
        for (uint32_t k = part->nframes; k-- > 0;) {
            int ti = py_async_task_of_frame(sm->asample, s->frames[part->first + k].addr);
            if (ti < 0)
                continue;
            if (!awaiting_whole(sm, ti)) {
                st->async.torn++;
                tasks = 0;
            }
            in_task = 1;
            break;
        }
    }
    in_task = 0;
    for (uint32_t c = 0; c < nchain; c++) {
        const struct unwind_thread *part = &s->threads[chain[c]];
        for (uint32_t k = part->nframes; k-- > 0 && n + 2 <= room;) {
            const struct unwind_frame *f = &s->frames[part->first + k];
            int ti = tasks ? py_async_task_of_frame(sm->asample, f->addr) : -1;
            if (ti >= 0) {
                if (!in_task && room - n > ASYNC_CHAIN_MAX + 2)
                    n = push_awaiting(sm, ti, n);
                in_task = 1;
                sm->stack[n++] = task_frame(sm, ti);
                sm->shown[ti] = 1;
            }
            sm->stack[n++] = frame_id(sm, f->code, f->line);
        }
    }
    st->async.running += in_task;
    return n;
}

/* Emit a finished stack of n frames with weight w for kernel thread tid (0 unknown). */
static void emit(struct sampler *sm, uint32_t n, uint64_t w, int tid)
{
    uint32_t id = agg_add(sm->a, sm->stack, n, w);
    if (sm->opts->listener)
        sm->opts->listener->stack(sm->opts->listener->ctx, id, w, tid > 0 ? (uint32_t)tid : 0);
}

/* The thread of sample s whose thread state is tstate, or NULL. */
static const struct unwind_thread *thread_of(const struct unwind_sample *s, uint64_t tstate)
{
    for (uint32_t i = 0; tstate && i < s->nthreads; i++)
        if (s->threads[i].tstate == tstate)
            return &s->threads[i];
    return NULL;
}

/* --async, wall mode, weights in samples: a stack for each suspended task of the current
 * sample that no thread stack showed running: its thread's frame (threads), the tasks awaiting
 * it, its Task frame, its coroutine frames down to the innermost await, "<await>" (states).
 * Listeners get TID 0: a task is not a thread. */
static void add_tasks(struct sampler *sm, struct sampler_stats *st)
{
    const struct py_async_sample *as = sm->asample;
    for (uint32_t i = 0; i < as->ntasks; i++) {
        const struct py_async_task *t = &as->tasks[i];
        uint32_t n = 0, room = PY_ASYNC_MAX_DEPTH + 1;
        if (sm->shown[i])
            continue;
        /* Running (or changing) when the lists were read, yet on no stack read just before:
         * it was suspended then, and most likely is again now. */
        if (((t->running || t->torn) && py_async_reread(sm->as, sm->asample, i) != 0) ||
            !awaiting_whole(sm, (int)i)) {
            st->async.torn++;
            continue;
        }
        if (!t->nframes)
            continue;
        const struct unwind_thread *th = sm->opts->threads ? thread_of(sm->s, t->tstate) : NULL;
        if (th)
            sm->stack[n++] = thread_frame(sm, th, th->interp_id);
        n = push_awaiting(sm, (int)i, n);
        n = push_task(sm, (int)i, n, &room);
        if (sm->with_states)
            sm->stack[n++] = sm->await_frame;
        emit(sm, n, 1, 0);
        st->async.waiting++;
    }
}

/* --async: read the tasks of the threads of the last sample (sm->tstates). */
static void read_tasks(struct sampler *sm, struct sampler_stats *st)
{
    sm->async_ok = 0;
    if (py_async_sample(sm->as, sm->tstates, sm->ntstates, sm->asample) != 0)
        return;
    sm->async_ok = 1;
    memset(sm->shown, 0, sm->asample->ntasks);
    if (sm->asample->ntasks > st->async.most)
        st->async.most = sm->asample->ntasks;
    st->async.torn += sm->asample->torn;
    st->async.over += sm->asample->over > 0;
}

/* Add the threads of one unwound sample to the profile. */
static void add_sample(struct sampler *sm, struct sampler_stats *st)
{
    const struct unwind_sample *s = sm->s;
    const uint32_t room = sizeof(sm->stack) / sizeof(sm->stack[0]) - 1; /* the state leaf */
    uint64_t total = ran_total(sm), cum = 0;
    uint32_t chain[SAMPLER_MAX_CHAIN];
    if (sm->metric == SAMPLER_RSS && !total)
        st->unattributed += sm->growth;
    for (uint32_t i = 0; i < s->nthreads; i++) {
        const struct unwind_thread *th = &s->threads[i];
        uint32_t n = 0, nchain;
        uint64_t w;
        if (th->nested)
            continue; /* written under the stack of the interpreter it called into */
        if (unwind_invalid(th->status) || !(nchain = chain_of(s, i, chain))) {
            st->invalid++;
            st->cut += th->status == UNWIND_CUT;
            continue;
        }
        if (!th->nframes)
            continue; /* no Python code on this thread (or not started yet) */
        w = weight_of(sm, i, total, &cum);
        if (!w)
            continue;
        const struct unwind_thread *outer = &s->threads[chain[0]];
        int truncated = outer->status == UNWIND_TRUNCATED;
        if (sm->opts->threads)
            sm->stack[n++] = thread_frame(sm, outer, th->interp_id);
        if (truncated) /* the outermost frames are missing: say so */
            sm->stack[n++] = sm->truncated_frame;
        n = push_thread(sm, chain, nchain, n, room, st);
        if (sm->with_states)
            sm->stack[n++] = sm->state_frame[sm->meas[i].state];
        st->truncated += truncated;
        emit(sm, n, w, th->tid);
        st->stacks++;
    }
    if (sm->async_ok && sm->opts->mode == SAMPLER_WALL && sm->metric == SAMPLER_SAMPLES)
        add_tasks(sm, st);
    st->retries += s->retries;
}

/* Wait until the absolute deadline (CLOCK_MONOTONIC ns): sleep, then spin the last stretch. */
static void wait_until(int64_t deadline)
{
    int64_t now = util_clock_mono_ns();
    if (deadline - now > SPIN_NS) {
        util_clock_sleep_until(deadline);
        return;
    }
    while (util_clock_mono_ns() < deadline)
        ;
}

static void add_state_stats(struct thread_state_stats *sum, const struct thread_state_stats *s)
{
    sum->reads += s->reads;
    sum->same_call += s->same_call;
    sum->fd_stats += s->fd_stats;
    sum->stat_reads += s->stat_reads;
    sum->errors += s->errors;
}

/* The state frames, interned in the order of enum thread_state (writers list states by frame
 * id), the state reader and the statm file, as the options ask (wall mode only). */
static void init_measures(struct sampler *sm)
{
    const struct sampler_opts *o = sm->opts;
    char label[32];
    sm->statm_fd = -1;
    sm->rss_last = UNSET;
    sm->with_states = o->mode == SAMPLER_WALL && o->states;
    sm->metric = o->mode == SAMPLER_WALL ? o->metric : SAMPLER_SAMPLES;
    if (!sm->with_states && sm->metric == SAMPLER_SAMPLES)
        return;
    sm->states = thread_state_reader_new(sm->p->pid);
    for (int k = 0; sm->with_states && k < THREAD_STATE_N; k++) {
        int len = snprintf(label, sizeof(label), "<%s>", thread_state_name(k));
        struct agg_frame f = {agg_intern(sm->a, label, (size_t)len), AGG_NONE, 0, AGG_FRAME_STATE};
        sm->state_frame[k] = agg_frame_id(sm->a, &f);
    }
    if (sm->with_states && o->async_tasks) { /* after the thread states: the last column */
        struct agg_frame f = {agg_intern(sm->a, "<await>", 7), AGG_NONE, 0, AGG_FRAME_STATE};
        sm->await_frame = agg_frame_id(sm->a, &f);
    }
    if (sm->metric == SAMPLER_RSS && (sm->statm_fd = proc_res_open(sm->p->pid, 0, "statm")) < 0)
        sm->statm_fd = -1;
}

/* Start on the image sm->p was found in: the unwinder, and what the options measure. */
static void image_open(struct sampler *sm)
{
    init_measures(sm);
    sm->u = unwinder_new(sm->p, (sm->opts->mode == SAMPLER_GIL ? UNWIND_GIL : 0) |
                                    (sm->with_states ? UNWIND_GIL_ADDR : 0));
    sm->nids = 0;
    sm->reads0 = sm->p->t->nreads;
    sm->image_at = sm->now;
    if (sm->opts->async_tasks && py_async_supported(sm->p, NULL, 0) == 0)
        sm->as = py_async_new(sm->p, sm->u);
}

/* Let go of everything tied to the current image: the unwinder (its code cache holds the
 * image's addresses), sm->ids (indexed like that cache), the thread table (an exec leaves one
 * thread), the state reader (it caches what the fds are) and statm. Interned frames stay. */
static void image_close(struct sampler *sm)
{
    tid_reset(sm);
    if (sm->states)
        add_state_stats(&sm->states_sum, thread_state_reader_stats(sm->states));
    thread_state_reader_free(sm->states);
    sm->states = NULL;
    if (sm->statm_fd >= 0)
        close(sm->statm_fd);
    sm->statm_fd = -1;
    if (sm->as) {
        int found = py_async_found(sm->as);
        if (found && sm->async_found != 1)
            sm->async_found = found;
        py_async_free(sm->as);
        sm->as = NULL;
    }
    sm->async_ok = 0;
    sm->ntstates = 0;
    unwinder_free(sm->u);
    sm->u = NULL;
    sm->nids = 0;
    sm->reads += sm->p->t->nreads - sm->reads0;
}

/* Whether the target has replaced its program (execve) since its image was attached; then
 * every address the unwinder holds is the old image's. Reads of them mostly fail in the new
 * image (a position-independent object at another random address): a failed tick (failed) is
 * checked at once, and so is the first tick EXEC_CHECK_NS after the last check. But where the
 * new image can have memory at the old addresses (the runtime in a non-PIE executable, as
 * Debian's /usr/bin/python3.X, or randomisation off: py_proc.fixed_layout) the reads may
 * succeed on the new image's data, so every tick is checked before its stacks are kept.
 * Cost: one pread(2) of /proc/PID/mem (proc_image.h): about 1 us, per tick only for a fixed
 * layout, else 100 a second. Latency: the next tick for a fixed layout; else the next tick
 * whose reads fail, at most EXEC_CHECK_NS. Misses: nothing that replaces the image; an exec
 * is told apart from an exit by py_exec (a process that exits right after its exec reads as
 * an exit), and when /proc/PID/mem cannot be opened exec goes unnoticed (reads then fail, or
 * for a fixed layout may read the new image). */
static int image_gone(struct sampler *sm, int failed)
{
    if (!sm->p->fixed_layout && !failed && sm->now - sm->image_at < EXEC_CHECK_NS)
        return 0;
    sm->image_at = sm->now;
    return py_proc_image_gone(sm->p) == 1;
}

/* One sampling instant. Returns 0, 1 when the target has exited, 2 when it was not
 * sampleable right now (initialising or finalising), or TICK_EXEC (nothing added) when its
 * image is gone. */
static int tick(struct sampler *sm, struct sampler_stats *st)
{
    struct proc_statm m;
    sm->growth = 0;
    if (sm->statm_fd >= 0 && proc_statm_read_fd(sm->statm_fd, &m) == 0) {
        if (sm->rss_last != UNSET && m.resident > sm->rss_last)
            sm->growth = m.resident - sm->rss_last;
        sm->rss_last = m.resident;
    }
    /* --async: the task lists are read before the stacks (of the threads seen last time; at
     * the first tick, after them). A task running when the lists are read but on no stack read
     * just after has stopped meanwhile: it is read again (add_tasks) and found suspended. In
     * the other order, a task suspended on the stacks but started by the time the lists are
     * read would still be running when read again, and be lost. */
    int tasks_first = sm->as && sm->ntstates;
    if (tasks_first)
        read_tasks(sm, st);
    int err = unwinder_sample(sm->u, sm->s, want_thread, sm);
    if (err == -ESRCH)
        return 1;
    /* Reads of a gone image fail; the unwinder reports some failures as no thread at all. */
    if (image_gone(sm, err != 0 || (sm->opts->mode == SAMPLER_WALL && !sm->s->nthreads)))
        return TICK_EXEC;
    if (err) {
        st->unattributed += sm->growth;
        return 2;
    }
    if (sm->as) {
        sm->ntstates = sm->s->nthreads;
        for (uint32_t i = 0; i < sm->ntstates; i++)
            sm->tstates[i] = sm->s->threads[i].tstate;
        if (!tasks_first)
            read_tasks(sm, st);
    }
    st->ticks++;
    add_sample(sm, st);
    return 0;
}

/* Whether pid is still alive (not a zombie): an image gone with the process is an exit. */
static int process_alive(int pid)
{
    struct proc_stat st;
    return proc_stat_read(pid, 0, &st) == 0 && st.state != 'Z' && st.state != 'X';
}

/* The target's image is gone: let go of it, have opts->exec attach to the new one (within the
 * run's time left: end, 0 none) and start over on it. Returns -1 to go on sampling, else how
 * the run ends (enum sampler_end). */
static int follow_exec(struct sampler *sm, struct sampler_stats *st, int64_t end)
{
    const struct sampler_exec *ex = sm->opts->exec;
    double limit = end ? util_clock_s(end - util_clock_mono_ns()) : 0;

    image_close(sm);
    if (!ex)
        return process_alive(sm->p->pid) ? SAMPLER_END_EXEC : SAMPLER_END_EXITED;
    if (end && limit <= 0)
        return SAMPLER_END_DURATION;
    int err = ex->follow(ex->ctx, &sm->p, limit);
    if (err)
        return err == -ESRCH       ? SAMPLER_END_EXITED
               : err == -ECANCELED ? SAMPLER_END_STOPPED
               : err == -ETIMEDOUT ? SAMPLER_END_DURATION
                                   : SAMPLER_END_EXEC;
    st->execs++;
    sm->now = util_clock_mono_ns();
    image_open(sm);
    return -1;
}

/* The clocks and marks of one run (CLOCK_MONOTONIC ns unless said), on sampler_run's stack. */
struct run {
    int64_t period;              /* between ticks; 0: as fast as possible */
    int64_t start, end;          /* end: start + --duration; 0 none */
    int64_t first, last;         /* the first and the last tick sampled; 0 none */
    int64_t paused, paused_kept; /* waits for a new image after the first tick; up to the last */
    int64_t ended;               /* the end of a run that waited for a program it did not
                                  * sample; 0: the run ends when the loop does */
    int64_t cpu_poll;            /* the last read of the target's CPU time */
    int64_t self0;               /* our process CPU clock at the start */
    double cpu0, cpu_last;       /* the target's CPU time at the start and at the last poll (s) */
    int pid;                     /* the target (sm->p itself may be freed at an exec) */
    struct sampler_sched sched;  /* when period */
};

/* Set sm up for a run on p: the <truncated> frame, the --async scratch, the image's readers and
 * the sample buffer, allocated here once (the loop never allocates). */
static void run_open(struct sampler *sm, struct py_proc *p, const struct sampler_opts *opts,
                     struct agg *a)
{
    memset(sm, 0, sizeof(*sm));
    sm->p = p;
    sm->opts = opts;
    sm->a = a;
    struct agg_frame tf = {agg_intern(a, "<truncated>", 11), AGG_NONE, 0, AGG_FRAME_STATE};
    sm->truncated_frame = agg_frame_id(a, &tf);
    sm->now = util_clock_mono_ns();
    if (opts->async_tasks) {
        sm->asample = xmalloc(sizeof(*sm->asample));
        sm->asample->hash_stamp = 0;
        memset(sm->asample->by_frame, 0, sizeof(sm->asample->by_frame));
    }
    image_open(sm);
    sm->s = xmalloc(sizeof(*sm->s));
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
}

/* The run's clocks start now. */
static void run_start(struct run *r, const struct sampler_opts *opts)
{
    r->self0 = util_clock_process_cpu_ns();
    r->start = util_clock_mono_ns();
    r->cpu_poll = r->start;
    r->end = opts->duration > 0 ? r->start + (int64_t)(opts->duration * 1e9) : 0;
    if (r->period)
        sampler_sched_init(&r->sched, r->period, r->start, (uint64_t)r->start);
}

/* The tick at now found the target's image gone: follow the exec. Returns -1 to go on
 * sampling, else how the run ends (enum sampler_end). */
static int run_exec(struct sampler *sm, struct run *r, struct sampler_stats *st, int64_t now)
{
    int e = follow_exec(sm, st, r->end);
    if (e >= 0) {
        r->ended = now; /* the wait for a program not sampled is not sampling time */
        return e;
    }
    int64_t again = util_clock_mono_ns();
    if (r->period) /* start again now: the wait for the new image is not missed ticks */
        sampler_sched_restart(&r->sched, again);
    r->paused += r->first ? again - now : 0;
    return -1;
}

/* Sample until stopped, out of time, or the target exits or goes where it is not followed.
 * Returns how the run ended. */
static enum sampler_end run_loop(struct sampler *sm, struct run *r, volatile sig_atomic_t *stop,
                                 struct sampler_stats *st)
{
    const struct sampler_opts *opts = sm->opts;

    for (;;) {
        if (stop && *stop)
            return SAMPLER_END_STOPPED;
        int64_t now = util_clock_mono_ns();
        if (r->end && now >= r->end)
            return SAMPLER_END_DURATION;
        if (r->period) {
            int64_t at = sampler_sched_when(&r->sched, now);
            if (at > now) { /* wait, then look again: a stop, the end, a skip may be due */
                wait_until(r->end && at > r->end ? r->end : at);
                continue;
            }
            sampler_sched_taken(&r->sched, now);
        }
        sm->now = now;
        int t = tick(sm, st);
        if (t == TICK_EXEC) {
            int e = run_exec(sm, r, st, now);
            if (e >= 0)
                return (enum sampler_end)e;
            continue;
        }
        if (t == 1)
            return SAMPLER_END_EXITED;
        if (t == 0) {
            r->first = r->first ? r->first : now;
            r->last = now;
            r->paused_kept = r->paused; /* waits for a new image between first and last */
            if (opts->listener)
                opts->listener->tick(opts->listener->ctx, (uint64_t)(now - r->start));
        }
        if (now - r->cpu_poll > CPU_POLL_NS) {
            double c = target_cpu_seconds(r->pid);
            r->cpu_last = c >= 0 ? c : r->cpu_last;
            r->cpu_poll = now;
        }
    }
}

/* The run's figures: missed ticks, elapsed time, the rate achieved, our and the target's CPU. */
static void run_figures(const struct run *r, struct sampler_stats *st)
{
    if (r->period) {
        st->missed = sampler_sched_missed(&r->sched);
        st->stalls = r->sched.skips;
    }
    st->elapsed = (double)((r->ended ? r->ended : util_clock_mono_ns()) - r->start) / 1e9;
    int64_t last = r->last - r->paused_kept;
    st->rate = st->ticks > 1 && last > r->first
                   ? (double)(st->ticks - 1) * 1e9 / (double)(last - r->first)
                   : 0;
    st->self_cpu = (double)(util_clock_process_cpu_ns() - r->self0) / 1e9;
    double c = st->end == SAMPLER_END_EXITED ? -1 : target_cpu_seconds(r->pid);
    st->target_cpu = r->cpu0 >= 0 ? (c >= 0 ? c : r->cpu_last) - r->cpu0 : -1;
}

/* Let go of what run_open set up, and keep its counts in st. */
static void run_close(struct sampler *sm, struct sampler_stats *st)
{
    if (sm->u)
        image_close(sm);
    st->reads = sm->reads;
    st->states = sm->states_sum;
    st->async.found = sm->async_found;
    free(sm->ids);
    free(sm->s);
    free(sm->asample);
}

int sampler_run(struct py_proc *p, const struct sampler_opts *opts, struct agg *a,
                volatile sig_atomic_t *stop, struct sampler_stats *st)
{
    struct sampler sm;
    struct run r = {.period = opts->rate > 0 ? (int64_t)(1e9 / opts->rate) : 0, .pid = p->pid};

    r.cpu0 = r.cpu_last = target_cpu_seconds(r.pid);
    memset(st, 0, sizeof(*st));
    run_open(&sm, p, opts, a);
    run_start(&r, opts);
    st->end = run_loop(&sm, &r, stop, st);
    run_figures(&r, st);
    run_close(&sm, st);
    return 0;
}
