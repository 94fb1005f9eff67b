/* libFuzzer harness for agg_raw_parse (a raw profile given to `spyglass report` or `diff`): no
 * crash, no leak, no hang; a rejection has a one-line reason; an accepted file has a time line
 * that agrees with its profile, is written back whole by out_raw_write and reads again into the
 * same collapsed text, total and time line, and every writer (chrome included) takes it.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_raw.h"
#include "agg_timeline.h"
#include "out_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* a written in fmt; returns the bytes (caller frees) or aborts on a writer error. */
static char *render(const struct agg *a, enum out_format fmt, const struct agg_meta *m, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f || out_format_write(f, fmt, a, m) != 0)
        abort();
    fclose(f);
    return buf;
}

static uint64_t timeline_weight(const struct agg_timeline *tl)
{
    uint64_t sum = 0, t;
    uint32_t n;
    for (uint64_t i = 0; i < agg_timeline_nticks(tl); i++) {
        const struct agg_timeline_sample *s = agg_timeline_get(tl, i, &t, &n);
        for (uint32_t k = 0; k < n; k++)
            sum += s[k].weight;
    }
    return sum;
}

/* Written back whole and read again: the same collapsed text, total and time line. */
static void check_again(const struct agg *a, const struct agg_timeline *tl,
                        const struct agg_meta *m)
{
    struct agg *b = agg_new();
    struct agg_timeline *tl2 = agg_timeline_new();
    struct agg_raw_info info;
    size_t len = 0, l1 = 0, l2 = 0;
    char why[200];
    char *raw = render(a, OUT_FORMAT_RAW, m, &len);

    if (agg_raw_parse(b, tl2, raw, len, &info, why, sizeof(why)) != 0 || !info.complete)
        abort();
    char *c1 = render(a, OUT_FORMAT_COLLAPSED, m, &l1),
         *c2 = render(b, OUT_FORMAT_COLLAPSED, m, &l2);
    if (l1 != l2 || memcmp(c1, c2, l1) != 0 || agg_total(a) != agg_total(b) ||
        agg_timeline_nsamples(tl) != agg_timeline_nsamples(tl2) ||
        agg_timeline_nticks(tl2) > agg_timeline_nticks(tl))
        abort();
    free(c1);
    free(c2);
    free(raw);
    agg_raw_info_destroy(&info);
    agg_timeline_free(tl2);
    agg_free(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct agg *a = agg_new();
    struct agg_timeline *tl = agg_timeline_new();
    struct agg_raw_info info;
    char why[200] = "";
    size_t len = 0;
    int err = agg_raw_parse(a, tl, data, size, &info, why, sizeof(why));

    if (err) {
        if ((err != -EINVAL && err != -ENODATA) || !why[0] || strchr(why, '\n'))
            abort();
        goto out;
    }
    if (agg_timeline_nsamples(tl) != info.samples || timeline_weight(tl) > agg_total(a) ||
        info.kept > size || (info.complete && info.kept != size))
        abort();
    info.meta.timeline = tl;
    check_again(a, tl, &info.meta);
    for (int fmt = OUT_FORMAT_SVG; fmt <= OUT_FORMAT_CHROME; fmt++)
        free(render(a, (enum out_format)fmt, &info.meta, &len));
out:
    agg_raw_info_destroy(&info);
    agg_timeline_free(tl);
    agg_free(a);
    return 0;
}
