/* Chrome trace-event writer: walks the time line once, keeping per track the frames open since
 * the samples before; a frame's event is written when a later sample of the track leaves it.
 * Format: docs/formats.md §8 (complete and metadata events of the JSON object form).
 * SPDX-License-Identifier: MIT */
#include "out_chrome.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "agg_timeline.h"
#include "out_json.h"
#include "util_file.h"
#include "util_idmap.h"
#include "util_sbuf.h"
#include "util_vec.h"
#include "util_xalloc.h"

#define PID         1          /* one process per trace */
#define SYNTH_TID   1000000000 /* tracks without a kernel TID: this + the track's index */
#define KEY_TID     (1ULL << 32)
#define KEY_FRAME   (2ULL << 32)
#define KEY_SLOT    (3ULL << 32)
#define DEFAULT_US  10000 /* a sample's time when no rate is known */
#define THREAD_WORD "thread "

struct track {
    uint32_t tid;        /* shown in events */
    uint32_t name_frame; /* a "thread NAME (TID)" frame seen on it, or AGG_NONE */
    uint64_t next_tick;  /* index + 1 of the instant of its last sample; 0: none yet */
    uint64_t end_us;     /* end of its last sample */
    uint32_t depth;      /* frames open */
    uint32_t cap;
    uint32_t *open;  /* their frame ids, outermost first */
    uint64_t *start; /* and when they opened, us */
};

struct chrome {
    struct file_w w; /* the trace; w.err: the first write error */
    const struct agg *a;
    struct idmap keys; /* track key -> index in tracks */
    struct track *tracks;
    uint32_t ntracks, tracks_cap;
    uint32_t *frames; /* scratch: a sample's frames without thread frames */
    uint32_t frames_cap;
    int first; /* no event written yet */
};

static void add_event_head(struct chrome *c)
{
    sbuf_adds(&c->w.b, c->first ? "\n{" : ",\n{");
    c->first = 0;
}

/* The complete event of frame id on track t, [start, end) us. */
static void put_event(struct chrome *c, const struct track *t, uint32_t id, uint64_t start,
                      uint64_t end)
{
    const struct agg_frame *fr = agg_frame_get(c->a, id);
    if (!fr || c->w.err)
        return;
    add_event_head(c);
    sbuf_adds(&c->w.b, "\"name\":");
    out_json_str(&c->w.b, agg_str(c->a, fr->name));
    sbuf_printf(&c->w.b,
                ",\"cat\":\"%s\",\"ph\":\"X\",\"ts\":%" PRIu64 ",\"dur\":%" PRIu64
                ",\"pid\":%d,\"tid\":%" PRIu32,
                fr->kind == AGG_FRAME_STATE  ? "state"
                : fr->kind == AGG_FRAME_TASK ? "task"
                                             : "python",
                start, end - start, PID, t->tid);
    if (fr->kind == AGG_FRAME_PY && fr->file != AGG_NONE) {
        sbuf_adds(&c->w.b, ",\"args\":{\"file\":");
        out_json_str(&c->w.b, agg_str(c->a, fr->file));
        sbuf_printf(&c->w.b, ",\"line\":%" PRId32 "}", fr->line);
    }
    sbuf_addc(&c->w.b, '}');
    file_w_spill(&c->w);
}

/* Close the frames of t above depth keep at time end (innermost first). */
static void close_frames(struct chrome *c, struct track *t, uint32_t keep, uint64_t end)
{
    while (t->depth > keep) {
        t->depth--;
        put_event(c, t, t->open[t->depth], t->start[t->depth], end);
    }
}

/* The innermost "Task NAME" frame of a stack, or AGG_NONE. */
static uint32_t last_task(const struct agg *a, const uint32_t *frames, uint32_t n)
{
    while (n-- > 0) {
        const struct agg_frame *fr = agg_frame_get(a, frames[n]);
        if (fr && fr->kind == AGG_FRAME_TASK)
            return frames[n];
    }
    return AGG_NONE;
}

/* The track of sample s, the k-th of its instant; made on first sight. A sample without a
 * thread (a suspended asyncio task, record --async) goes to the track of its task. */
static struct track *track_of(struct chrome *c, const struct agg_timeline_sample *s, uint32_t k,
                              const uint32_t *frames, uint32_t n)
{
    uint32_t root = n ? frames[0] : AGG_NONE;
    const struct agg_frame *fr = n ? agg_frame_get(c->a, root) : NULL;
    int is_thread = fr && fr->kind == AGG_FRAME_THREAD;
    uint32_t task = s->tid ? AGG_NONE : last_task(c->a, frames, n);
    uint64_t key = s->tid             ? KEY_TID | s->tid
                   : task != AGG_NONE ? KEY_FRAME | task
                   : is_thread        ? KEY_FRAME | root
                                      : KEY_SLOT | k;
    int added = 0;
    uint32_t i = idmap_get(&c->keys, key, &added);

    if (added) {
        if (c->ntracks == c->tracks_cap)
            c->tracks = vec_grow32(c->tracks, &c->tracks_cap, (size_t)c->ntracks + 1,
                                   sizeof(*c->tracks), 16);
        struct track *t = &c->tracks[c->ntracks++];
        memset(t, 0, sizeof(*t));
        t->tid = s->tid ? s->tid : SYNTH_TID + i;
        t->name_frame = AGG_NONE;
    }
    if (task != AGG_NONE)
        c->tracks[i].name_frame = task;
    else if (is_thread)
        c->tracks[i].name_frame = root;
    return &c->tracks[i];
}

/* Whether frames x and y are of one function (the line may differ). */
static int same_function(const struct agg *a, uint32_t x, uint32_t y)
{
    const struct agg_frame *fx = agg_frame_get(a, x), *fy = agg_frame_get(a, y);
    return x == y ||
           (fx && fy && fx->name == fy->name && fx->file == fy->file && fx->kind == fy->kind);
}

/* Sample s of instant j, [t0, t1) us: continue, close and open frames of its track. */
static void put_sample(struct chrome *c, const struct agg_timeline_sample *s, uint32_t k,
                       uint64_t j, uint64_t t0, uint64_t t1)
{
    uint32_t n = 0, m = 0, keep = 0;
    uint64_t w;
    const uint32_t *frames = agg_stack(c->a, s->stack, &n, &w);
    struct track *t;

    if (!frames)
        return;
    t = track_of(c, s, k, frames, n);
    if (t->next_tick == j + 1)
        return; /* a second sample of the track in one instant */
    if (n > c->frames_cap) {
        c->frames_cap = n;
        c->frames = xreallocarray(c->frames, n, sizeof(uint32_t));
    }
    for (uint32_t i = 0; i < n; i++) {
        const struct agg_frame *fr = agg_frame_get(c->a, frames[i]);
        if (fr && fr->kind != AGG_FRAME_THREAD)
            c->frames[m++] = frames[i];
    }
    if (t->next_tick == j) /* it was in the instant before: continue */
        while (keep < t->depth && keep < m && same_function(c->a, t->open[keep], c->frames[keep]))
            keep++;
    close_frames(c, t, keep, t->next_tick == j ? t0 : t->end_us);
    if (m > t->cap) {
        t->cap = m;
        t->open = xreallocarray(t->open, m, sizeof(uint32_t));
        t->start = xreallocarray(t->start, m, sizeof(uint64_t));
    }
    for (uint32_t i = keep; i < m; i++) {
        t->open[i] = c->frames[i];
        t->start[i] = t0;
    }
    t->depth = m;
    t->next_tick = j + 1;
    t->end_us = t1;
}

static void put_names(struct chrome *c, const struct agg_meta *m)
{
    struct sbuf label;
    sbuf_init(&label);
    add_event_head(c);
    sbuf_printf(&c->w.b,
                "\"name\":\"process_name\",\"ph\":\"M\",\"pid\":%d,\"args\":{\"name\":", PID);
    out_json_str(&c->w.b, m->command ? m->command : m->title ? m->title : "python");
    sbuf_adds(&c->w.b, "}}");
    for (uint32_t i = 0; i < c->ntracks; i++) {
        const struct track *t = &c->tracks[i];
        sbuf_reset(&label);
        if (t->name_frame != AGG_NONE)
            agg_frame_label(c->a, t->name_frame, &label);
        const char *name = sbuf_str(&label);
        if (strncmp(name, THREAD_WORD, strlen(THREAD_WORD)) == 0)
            name += strlen(THREAD_WORD);
        add_event_head(c);
        sbuf_printf(&c->w.b,
                    "\"name\":\"thread_name\",\"ph\":\"M\",\"pid\":%d,\"tid\":%" PRIu32
                    ",\"args\":{\"name\":\"",
                    PID, t->tid);
        if (*name)
            sbuf_add_json(&c->w.b, name);
        else if (t->tid < SYNTH_TID)
            sbuf_printf(&c->w.b, "thread %" PRIu32, t->tid);
        else
            sbuf_adds(&c->w.b, "thread ?");
        sbuf_adds(&c->w.b, "\"}}");
    }
    sbuf_destroy(&label);
}

static void put_other(struct chrome *c, const struct agg_meta *m, uint64_t period)
{
    sbuf_adds(&c->w.b, "\n],\"displayTimeUnit\":\"ms\",\"otherData\":{\"producer\":\"spyglass\"");
    if (m->title) {
        sbuf_adds(&c->w.b, ",\"title\":");
        out_json_str(&c->w.b, m->title);
    }
    if (m->python_version) {
        sbuf_adds(&c->w.b, ",\"python\":");
        out_json_str(&c->w.b, m->python_version);
    }
    if (m->mode) {
        sbuf_adds(&c->w.b, ",\"mode\":");
        out_json_str(&c->w.b, m->mode);
    }
    sbuf_printf(&c->w.b, ",\"samples\":%" PRIu64 ",\"sample_us\":%" PRIu64 "}}\n", m->samples,
                period);
}

/* One sample's time when it is the last: a period of the effective (else requested) rate. */
static uint64_t period_us(const struct agg_meta *m)
{
    double rate = m->rate_effective > 0 ? m->rate_effective : m->rate_requested;
    double us = rate > 0 ? 1e6 / rate : INFINITY;
    if (!(us < 1e15)) /* no rate, or one so low that the period would not fit (a hostile file's) */
        return DEFAULT_US;
    return us >= 1 ? (uint64_t)llround(us) : 1;
}

int out_chrome_write(FILE *f, const struct agg *a, const struct agg_meta *m)
{
    const struct agg_timeline *tl = m ? m->timeline : NULL;
    struct chrome c = {.a = a, .first = 1};
    uint64_t nticks, period;

    if (!tl)
        return -ENODATA;
    nticks = agg_timeline_nticks(tl);
    period = period_us(m);
    file_w_init(&c.w, f);
    idmap_init(&c.keys);
    sbuf_adds(&c.w.b, "{\"traceEvents\":[");
    for (uint64_t j = 0; j < nticks && !c.w.err; j++) {
        uint64_t t, t_next = 0;
        uint32_t n, unused;
        const struct agg_timeline_sample *s = agg_timeline_get(tl, j, &t, &n);
        if (j + 1 < nticks)
            agg_timeline_get(tl, j + 1, &t_next, &unused);
        uint64_t t0 = t / 1000, t1 = j + 1 < nticks ? t_next / 1000 : t0 + period;
        for (uint32_t k = 0; k < n; k++)
            put_sample(&c, &s[k], k, j, t0, t1);
    }
    for (uint32_t i = 0; i < c.ntracks; i++) {
        close_frames(&c, &c.tracks[i], 0, c.tracks[i].end_us);
        free(c.tracks[i].open);
        free(c.tracks[i].start);
    }
    if (!c.w.err) {
        put_names(&c, m);
        put_other(&c, m, period);
    }
    free(c.tracks);
    free(c.frames);
    idmap_destroy(&c.keys);
    return file_w_finish(&c.w);
}
