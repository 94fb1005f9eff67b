/* Collapsed-stack reader: "frame;frame;frame count" lines into an agg (docs/formats.md §1: the
 * count is the last blank-separated field).
 * SPDX-License-Identifier: MIT */
#include "agg_collapsed.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util_vec.h"
#include "util_xalloc.h"

static int is_digits(const char *s, size_t n)
{
    if (n == 0)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
    }
    return 1;
}

/* A line number as agg_frame_label prints it: 1 to INT32_MAX, no leading zero. */
static int line_number(const char *s, size_t n, int32_t *out)
{
    int64_t v = 0;
    if (!is_digits(s, n) || s[0] == '0' || n > 10)
        return 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    if (v > INT32_MAX)
        return 0;
    *out = (int32_t)v;
    return 1;
}

/* "thread NAME (TID)" */
static int is_thread(const char *s, size_t len)
{
    size_t d = len - 1; /* s[len - 1] is ')' */
    while (d > 0 && s[d - 1] >= '0' && s[d - 1] <= '9')
        d--;
    return len > 7 && memcmp(s, "thread ", 7) == 0 && d < len - 1 && d >= 9 && s[d - 1] == '(' &&
           s[d - 2] == ' ';
}

/* "Task NAME" (record --async), but not "Task (FILE:LINE)", a Python function named Task. */
static int is_task(const char *s, size_t len)
{
    return len > 5 && memcmp(s, "Task ", 5) == 0 && !(s[5] == '(' && s[len - 1] == ')');
}

uint32_t agg_collapsed_frame(struct agg *a, const char *s, size_t len)
{
    struct agg_frame f = {0, AGG_NONE, 0, AGG_FRAME_PY};
    const char *open = len >= 3 ? memmem(s, len, " (", 2) : NULL;

    /* A '\r' inside a label is a space, as the collapsed writer writes it: a profile read and
     * written back then reads the same (two labels apart only by it are one frame). */
    if (memchr(s, '\r', len)) {
        char *copy = xmalloc(len);
        for (size_t i = 0; i < len; i++)
            copy[i] = s[i] == '\r' ? ' ' : s[i];
        uint32_t id = agg_collapsed_frame(a, copy, len);
        free(copy);
        return id;
    }

    if (is_task(s, len)) {
        f.name = agg_intern(a, s, len);
        f.kind = AGG_FRAME_TASK;
        return agg_frame_id(a, &f);
    }

    if (open && s[len - 1] == ')' && !is_thread(s, len)) {
        const char *in = open + 2, *end = s + len - 1;
        const char *colon = in < end ? memrchr(in, ':', (size_t)(end - in)) : NULL;
        if (colon && line_number(colon + 1, (size_t)(end - colon - 1), &f.line))
            end = colon;
        f.name = agg_intern(a, s, (size_t)(open - s));
        f.file = agg_intern(a, in, (size_t)(end - in));
        return agg_frame_id(a, &f);
    }
    f.name = agg_intern(a, s, len);
    if (open && s[len - 1] == ')')
        f.kind = AGG_FRAME_THREAD;
    else if (!open && len >= 2 && s[0] == '<' && s[len - 1] == '>')
        f.kind = AGG_FRAME_STATE;
    return agg_frame_id(a, &f);
}

struct reader {
    struct agg *a;
    uint32_t *ids; /* frame ids of the line being read */
    uint32_t cap;
    uint64_t total;
    size_t lineno;
    char *why;
    size_t whylen;
};

static int fail(struct reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct reader *r, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(r->why, r->whylen, "line %zu: ", r->lineno);
    if (n >= 0 && (size_t)n < r->whylen) {
        va_start(ap, fmt);
        vsnprintf(r->why + n, r->whylen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -EINVAL;
}

static int parse_count(struct reader *r, const char *s, size_t n, uint64_t *out)
{
    uint64_t v = 0;
    if (!is_digits(s, n))
        return fail(r, "the sample count at the end is not a whole number");
    for (size_t i = 0; i < n; i++) {
        if (v > ((uint64_t)INT64_MAX - (uint64_t)(s[i] - '0')) / 10)
            return fail(r, "the sample count is larger than %lld", (long long)INT64_MAX);
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Split the stack s[0..n) at ';' into r->ids. Returns the number of frames or -EINVAL. */
static int64_t split_frames(struct reader *r, const char *s, size_t n)
{
    uint32_t depth = 0;
    const char *end = s + n;

    for (const char *p = s;;) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        const char *q = semi ? semi : end;
        if (q == p)
            return fail(r, "an empty frame name (';' at an end of the stack, or ';;')");
        if (depth == AGG_COLLAPSED_MAX_DEPTH)
            return fail(r, "a stack deeper than %d frames", AGG_COLLAPSED_MAX_DEPTH);
        if (depth == r->cap)
            r->ids = vec_grow32(r->ids, &r->cap, (size_t)depth + 1, sizeof(*r->ids), 256);
        r->ids[depth++] = agg_collapsed_frame(r->a, p, (size_t)(q - p));
        if (!semi)
            return depth;
        p = semi + 1;
    }
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* One line s[0..n), without its '\n'. */
static int parse_line(struct reader *r, const char *s, size_t n)
{
    uint64_t count = 0;
    size_t sep;

    while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r'))
        n--;
    if (n == 0)
        return 0;
    if (memchr(s, '\0', n))
        return fail(r, "a NUL byte");
    for (sep = n; sep > 0 && !is_blank(s[sep - 1]); sep--)
        ;
    if (sep == 0)
        return fail(r, "no sample count (a line is 'frame;frame;... COUNT')");
    int err = parse_count(r, s + sep, n - sep, &count);
    if (err)
        return err;
    if (sep == 1)
        return fail(r, "no frames before the sample count");
    int64_t depth = split_frames(r, s, sep - 1);
    if (depth < 0)
        return (int)depth;
    if (count > (uint64_t)INT64_MAX - r->total)
        return fail(r, "the sample counts add up to more than %lld", (long long)INT64_MAX);
    r->total += count;
    if (count)
        agg_add(r->a, r->ids, (uint32_t)depth, count);
    return 0;
}

int agg_collapsed_parse(struct agg *a, const char *text, size_t len, char *why, size_t whylen)
{
    struct reader r = {.a = a, .why = why, .whylen = whylen};
    const char *p = text, *end = text + len;
    int err = 0;

    if (why && whylen)
        why[0] = '\0';
    while (p < end && !err) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *q = nl ? nl : end;
        r.lineno++;
        err = parse_line(&r, p, (size_t)(q - p));
        p = nl ? nl + 1 : end;
    }
    free(r.ids);
    return err;
}
