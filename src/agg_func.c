/* Frames grouped into functions (name, file, kind) and weighed over the stacks.
 * SPDX-License-Identifier: MIT */
#include "agg_func.h"

#include <stdlib.h>

#include "util_idmap.h"
#include "util_xalloc.h"

/* Give every frame its function: (name, file) first, then the kind within that pair. */
static void group(const struct agg *a, struct agg_funcs *fs)
{
    struct idmap pairs, funcs;

    idmap_init(&pairs);
    idmap_init(&funcs);
    for (uint32_t id = 0; id < fs->nframes; id++) {
        const struct agg_frame *fr = agg_frame_get(a, id);
        uint32_t pair = idmap_get(&pairs, (uint64_t)fr->name << 32 | fr->file, NULL);
        int added;
        uint32_t k = idmap_get(&funcs, (uint64_t)pair << 32 | fr->kind, &added);
        struct agg_func *f = &fs->v[k];
        if (added) {
            *f = (struct agg_func){.name = fr->name, .file = fr->file, .kind = fr->kind};
            f->frame = id;
            fs->n++;
        }
        if (fr->line > 0 && (f->line == 0 || fr->line < f->line))
            f->line = fr->line;
        fs->of_frame[id] = k;
    }
    idmap_destroy(&funcs);
    idmap_destroy(&pairs);
}

/* Add stack i's weight w to the functions of its n frames (n > 0). */
static void weigh(const struct agg *a, struct agg_funcs *fs, uint32_t *seen, uint32_t i,
                  const uint32_t *frames, uint32_t n, uint64_t w)
{
    uint32_t last = frames[n - 1], own = last;

    for (uint32_t j = 0; j < n; j++) {
        uint32_t k = fs->of_frame[frames[j]];
        if (seen[k] != i + 1) {
            seen[k] = i + 1;
            fs->v[k].total += w;
        }
    }
    if (n >= 2 && agg_frame_get(a, last)->kind == AGG_FRAME_STATE)
        own = frames[n - 2];
    fs->v[fs->of_frame[last]].leaf += w;
    fs->v[fs->of_frame[own]].self += w;
}

struct agg_funcs *agg_functions(const struct agg *a)
{
    struct agg_funcs *fs = xcalloc(1, sizeof(*fs));
    uint32_t *seen; /* function -> stack index + 1 that last counted its total */

    fs->nframes = agg_nframes(a);
    fs->v = xcalloc(fs->nframes, sizeof(*fs->v));
    fs->of_frame = xcalloc(fs->nframes, sizeof(*fs->of_frame));
    group(a, fs);
    seen = xcalloc(fs->n, sizeof(*seen));
    for (uint32_t i = 0; i < agg_nstacks(a); i++) {
        uint32_t n;
        uint64_t w;
        const uint32_t *frames = agg_stack(a, i, &n, &w);
        if (n)
            weigh(a, fs, seen, i, frames, n, w);
    }
    free(seen);
    return fs;
}

void agg_funcs_free(struct agg_funcs *f)
{
    if (!f)
        return;
    free(f->v);
    free(f->of_frame);
    free(f);
}
