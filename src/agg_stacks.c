/* Interning of strings, frames and stacks with open-addressing hash tables.
 * Steady state (no new string, frame or stack) does no allocation.
 * SPDX-License-Identifier: MIT */
#include "agg_stacks.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "util_sbuf.h"
#include "util_vec.h"
#include "util_xalloc.h"

struct table {
    uint32_t *slot; /* id + 1, 0 = empty */
    uint32_t cap;   /* power of two */
    uint32_t used;
};

struct agg {
    /* strings: offsets into a byte pool */
    char *pool;
    size_t pool_len, pool_cap;
    uint32_t *str_off;
    uint32_t *str_len;
    uint32_t nstr, str_cap;
    struct table str_tab;
    /* frames */
    struct agg_frame *frames;
    uint32_t nframes, frames_cap;
    struct table frame_tab;
    /* stacks: frame ids in a flat pool */
    uint32_t *spool;
    size_t spool_len, spool_cap;
    uint64_t *stack_off; /* start in spool */
    uint32_t *stack_n;
    uint64_t *stack_w;
    uint64_t *stack_hash;
    uint32_t nstacks, stacks_cap;
    struct table stack_tab;
    uint64_t total;
    /* source texts attached to file string ids */
    struct agg_source *srcs;
    uint32_t nsrcs, srcs_cap;
};

struct agg_source {
    uint32_t file;
    char *text;
    size_t len;
};

static uint64_t hash_bytes(const void *p, size_t n, uint64_t h)
{
    const unsigned char *b = p;
    /* FNV-1a, then a final mix */
    h ^= 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x100000001b3ULL;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* Hash of a stack of frame ids, a word at a time (stacks are hashed at every sample). */
static uint64_t hash_ids(const uint32_t *ids, uint32_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL ^ n;
    for (uint32_t i = 0; i < n; i++) {
        h = (h ^ ids[i]) * 0xff51afd7ed558ccdULL;
        h ^= h >> 29;
    }
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static void table_init(struct table *t, uint32_t cap)
{
    t->slot = xcalloc(cap, sizeof(uint32_t));
    t->cap = cap;
    t->used = 0;
}

struct agg *agg_new(void)
{
    struct agg *a = xcalloc(1, sizeof(*a));
    table_init(&a->str_tab, 1024);
    table_init(&a->frame_tab, 1024);
    table_init(&a->stack_tab, 4096);
    return a;
}

void agg_free(struct agg *a)
{
    if (!a)
        return;
    free(a->pool);
    free(a->str_off);
    free(a->str_len);
    free(a->str_tab.slot);
    free(a->frames);
    free(a->frame_tab.slot);
    free(a->spool);
    free(a->stack_off);
    free(a->stack_n);
    free(a->stack_w);
    free(a->stack_hash);
    free(a->stack_tab.slot);
    for (uint32_t i = 0; i < a->nsrcs; i++)
        free(a->srcs[i].text);
    free(a->srcs);
    free(a);
}

/* Rehash t into a table twice as large; hash_of(id) gives each id's hash. */
static void table_grow(struct table *t, uint64_t (*hash_of)(const struct agg *, uint32_t),
                       const struct agg *a)
{
    struct table n;
    table_init(&n, (uint32_t)vec_cap(t->cap, (size_t)t->cap + 1, 1, (size_t)1 << 31));
    for (uint32_t i = 0; i < t->cap; i++) {
        if (!t->slot[i])
            continue;
        uint32_t j = (uint32_t)hash_of(a, t->slot[i] - 1) & (n.cap - 1);
        while (n.slot[j])
            j = (j + 1) & (n.cap - 1);
        n.slot[j] = t->slot[i];
    }
    n.used = t->used;
    free(t->slot);
    *t = n;
}

static uint64_t str_hash(const struct agg *a, uint32_t id)
{
    return hash_bytes(a->pool + a->str_off[id], a->str_len[id], 0);
}

uint32_t agg_intern(struct agg *a, const char *s, size_t len)
{
    uint64_t h = hash_bytes(s, len, 0);
    uint32_t j = (uint32_t)h & (a->str_tab.cap - 1);
    for (; a->str_tab.slot[j]; j = (j + 1) & (a->str_tab.cap - 1)) {
        uint32_t id = a->str_tab.slot[j] - 1;
        if (a->str_len[id] == len && memcmp(a->pool + a->str_off[id], s, len) == 0)
            return id;
    }
    if (a->nstr == a->str_cap) {
        a->str_cap = (uint32_t)vec_cap(a->str_cap, (size_t)a->nstr + 1, 256, UINT32_MAX);
        a->str_off = xreallocarray(a->str_off, a->str_cap, sizeof(uint32_t));
        a->str_len = xreallocarray(a->str_len, a->str_cap, sizeof(uint32_t));
    }
    if (len >= UINT32_MAX - a->pool_len)
        xalloc_fail(SIZE_MAX); /* string offsets are 32-bit */
    a->pool = vec_grow(a->pool, &a->pool_cap, a->pool_len + len + 1, 1, 4096);
    uint32_t id = a->nstr++;
    a->str_off[id] = (uint32_t)a->pool_len;
    a->str_len[id] = (uint32_t)len;
    memcpy(a->pool + a->pool_len, s, len);
    a->pool[a->pool_len + len] = '\0';
    a->pool_len += len + 1;
    a->str_tab.slot[j] = id + 1;
    if (++a->str_tab.used * 2 > a->str_tab.cap)
        table_grow(&a->str_tab, str_hash, a);
    return id;
}

const char *agg_str(const struct agg *a, uint32_t id)
{
    if (id >= a->nstr)
        return "";
    return a->pool + a->str_off[id];
}

uint32_t agg_nstrs(const struct agg *a)
{
    return a->nstr;
}

static uint64_t frame_hash(const struct agg *a, uint32_t id)
{
    return hash_bytes(&a->frames[id], sizeof(struct agg_frame), 0);
}

uint32_t agg_frame_id(struct agg *a, const struct agg_frame *f)
{
    struct agg_frame key;
    memset(&key, 0, sizeof(key));
    key.name = f->name;
    key.file = f->file;
    key.line = f->line;
    key.kind = f->kind;
    uint64_t h = hash_bytes(&key, sizeof(key), 0);
    uint32_t j = (uint32_t)h & (a->frame_tab.cap - 1);
    for (; a->frame_tab.slot[j]; j = (j + 1) & (a->frame_tab.cap - 1)) {
        uint32_t id = a->frame_tab.slot[j] - 1;
        if (memcmp(&a->frames[id], &key, sizeof(key)) == 0)
            return id;
    }
    if (a->nframes == a->frames_cap)
        a->frames = vec_grow32(a->frames, &a->frames_cap, (size_t)a->nframes + 1,
                               sizeof(struct agg_frame), 256);
    uint32_t id = a->nframes++;
    a->frames[id] = key;
    a->frame_tab.slot[j] = id + 1;
    if (++a->frame_tab.used * 2 > a->frame_tab.cap)
        table_grow(&a->frame_tab, frame_hash, a);
    return id;
}

const struct agg_frame *agg_frame_get(const struct agg *a, uint32_t id)
{
    return id < a->nframes ? &a->frames[id] : NULL;
}

uint32_t agg_nframes(const struct agg *a)
{
    return a->nframes;
}

static uint64_t stack_hash(const struct agg *a, uint32_t id)
{
    return a->stack_hash[id];
}

uint32_t agg_add(struct agg *a, const uint32_t *frames, uint32_t n, uint64_t weight)
{
    uint64_t h = hash_ids(frames, n);
    uint32_t j = (uint32_t)h & (a->stack_tab.cap - 1);
    a->total += weight;
    for (; a->stack_tab.slot[j]; j = (j + 1) & (a->stack_tab.cap - 1)) {
        uint32_t id = a->stack_tab.slot[j] - 1;
        if (a->stack_hash[id] == h && a->stack_n[id] == n &&
            (n == 0 ||
             memcmp(a->spool + a->stack_off[id], frames, (size_t)n * sizeof(uint32_t)) == 0)) {
            a->stack_w[id] += weight;
            return id;
        }
    }
    if (a->nstacks == a->stacks_cap) {
        a->stacks_cap = (uint32_t)vec_cap(a->stacks_cap, (size_t)a->nstacks + 1, 1024, UINT32_MAX);
        a->stack_off = xreallocarray(a->stack_off, a->stacks_cap, sizeof(uint64_t));
        a->stack_n = xreallocarray(a->stack_n, a->stacks_cap, sizeof(uint32_t));
        a->stack_w = xreallocarray(a->stack_w, a->stacks_cap, sizeof(uint64_t));
        a->stack_hash = xreallocarray(a->stack_hash, a->stacks_cap, sizeof(uint64_t));
    }
    a->spool = vec_grow(a->spool, &a->spool_cap, a->spool_len + n, sizeof(uint32_t), 16384);
    uint32_t id = a->nstacks++;
    a->stack_off[id] = a->spool_len;
    a->stack_n[id] = n;
    a->stack_w[id] = weight;
    a->stack_hash[id] = h;
    if (n)
        memcpy(a->spool + a->spool_len, frames, (size_t)n * sizeof(uint32_t));
    a->spool_len += n;
    a->stack_tab.slot[j] = id + 1;
    if (++a->stack_tab.used * 2 > a->stack_tab.cap)
        table_grow(&a->stack_tab, stack_hash, a);
    return id;
}

void agg_add_weight(struct agg *a, uint32_t stack, uint64_t weight)
{
    assert(stack < a->nstacks);
    a->stack_w[stack] += weight;
    a->total += weight;
}

uint32_t agg_nstacks(const struct agg *a)
{
    return a->nstacks;
}

const uint32_t *agg_stack(const struct agg *a, uint32_t i, uint32_t *n, uint64_t *weight)
{
    if (i >= a->nstacks) {
        *n = 0;
        *weight = 0;
        return NULL;
    }
    *n = a->stack_n[i];
    *weight = a->stack_w[i];
    return a->spool ? a->spool + a->stack_off[i] : NULL; /* only empty stacks so far */
}

uint64_t agg_total(const struct agg *a)
{
    return a->total;
}

void agg_frame_label(const struct agg *a, uint32_t id, struct sbuf *out)
{
    const struct agg_frame *f = agg_frame_get(a, id);
    if (!f)
        return;
    sbuf_adds(out, agg_str(a, f->name));
    if (f->kind == AGG_FRAME_PY && f->file != AGG_NONE) {
        sbuf_adds(out, " (");
        sbuf_adds(out, agg_str(a, f->file));
        if (f->line > 0)
            sbuf_printf(out, ":%d", f->line);
        sbuf_addc(out, ')');
    }
}

static struct agg_source *source_find(const struct agg *a, uint32_t file)
{
    for (uint32_t i = 0; i < a->nsrcs; i++)
        if (a->srcs[i].file == file)
            return &a->srcs[i];
    return NULL;
}

void agg_set_source(struct agg *a, uint32_t file, const char *text, size_t len)
{
    struct agg_source *s = source_find(a, file);
    if (!s) {
        if (a->nsrcs == a->srcs_cap)
            a->srcs = vec_grow32(a->srcs, &a->srcs_cap, (size_t)a->nsrcs + 1, sizeof(*a->srcs), 16);
        s = &a->srcs[a->nsrcs++];
        s->file = file;
    } else {
        free(s->text);
    }
    s->text = xmalloc(len + 1);
    memcpy(s->text, text, len);
    s->text[len] = '\0';
    s->len = len;
}

const char *agg_source(const struct agg *a, uint32_t file, size_t *len)
{
    const struct agg_source *s = source_find(a, file);
    if (!s)
        return NULL;
    if (len)
        *len = s->len;
    return s->text;
}

uint32_t agg_nsources(const struct agg *a)
{
    return a->nsrcs;
}

uint32_t agg_source_file(const struct agg *a, uint32_t i)
{
    return a->srcs[i].file;
}

void agg_clear_sources(struct agg *a)
{
    for (uint32_t i = 0; i < a->nsrcs; i++)
        free(a->srcs[i].text);
    a->nsrcs = 0;
}
