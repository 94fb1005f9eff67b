/* Samples in time order: one array of samples, one of ticks (time and end index), grown by
 * doubling between sampling instants (agg_timeline_reserve).
 * SPDX-License-Identifier: MIT */
#include "agg_timeline.h"

#include <stdlib.h>

#include "util_vec.h"
#include "util_xalloc.h"

struct tick {
    uint64_t t_ns; /* since the start of sampling */
    uint64_t end;  /* index after its last sample */
};

struct agg_timeline {
    struct agg_timeline_sample *samples;
    uint64_t nsamples, cap; /* samples of closed ticks and of the open one */
    struct tick *ticks;
    uint64_t nticks, tick_cap;
};

struct agg_timeline *agg_timeline_new(void)
{
    return xcalloc(1, sizeof(struct agg_timeline));
}

void agg_timeline_free(struct agg_timeline *t)
{
    if (!t)
        return;
    free(t->samples);
    free(t->ticks);
    free(t);
}

void agg_timeline_reserve(struct agg_timeline *t, uint32_t n)
{
    size_t cap = t->cap, tick_cap = t->tick_cap;

    t->samples = vec_grow(t->samples, &cap, t->nsamples + n, sizeof(*t->samples), 1024);
    t->ticks = vec_grow(t->ticks, &tick_cap, t->nticks + 1, sizeof(*t->ticks), 1024);
    t->cap = cap;
    t->tick_cap = tick_cap;
}

void agg_timeline_add(struct agg_timeline *t, uint32_t stack, uint64_t weight, uint32_t tid)
{
    if (t->nsamples == t->cap)
        agg_timeline_reserve(t, 1);
    struct agg_timeline_sample *s = &t->samples[t->nsamples++];
    s->stack = stack;
    s->tid = tid;
    s->weight = weight;
}

void agg_timeline_tick(struct agg_timeline *t, uint64_t t_ns)
{
    if (t->nticks == t->tick_cap)
        agg_timeline_reserve(t, 0);
    if (t->nticks && t_ns < t->ticks[t->nticks - 1].t_ns)
        t_ns = t->ticks[t->nticks - 1].t_ns;
    t->ticks[t->nticks].t_ns = t_ns;
    t->ticks[t->nticks].end = t->nsamples;
    t->nticks++;
}

uint64_t agg_timeline_nticks(const struct agg_timeline *t)
{
    return t->nticks;
}

const struct agg_timeline_sample *agg_timeline_get(const struct agg_timeline *t, uint64_t i,
                                                   uint64_t *t_ns, uint32_t *n)
{
    uint64_t first = i ? t->ticks[i - 1].end : 0;
    *t_ns = t->ticks[i].t_ns;
    *n = (uint32_t)(t->ticks[i].end - first);
    return t->samples ? t->samples + first : NULL;
}

uint64_t agg_timeline_nsamples(const struct agg_timeline *t)
{
    return t->nticks ? t->ticks[t->nticks - 1].end : 0;
}
