/* libFuzzer harness for agg_collapsed_parse (a collapsed profile given to `spyglass report`):
 * no crash, no leak; a rejection has a one-line reason naming the line; an accepted profile
 * written back as collapsed reads again into the same text and the same total, and every other
 * writer (svg, speedscope, pprof, pstats) takes it.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_collapsed.h"
#include "out_format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* a written in fmt; returns the bytes (caller frees) or aborts on a writer error. */
static char *render(const struct agg *a, enum out_format fmt, size_t *len)
{
    static const struct agg_meta meta = {.title = "fuzz", .rate_requested = 100, .overhead = -1};
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    if (!f || out_format_write(f, fmt, a, &meta) != 0)
        abort();
    fclose(f);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct agg *a = agg_new(), *b = NULL;
    char why[160] = "";
    size_t len = 0, len2 = 0;
    int err = agg_collapsed_parse(a, (const char *)data, size, why, sizeof(why));

    if (err != 0) {
        if (err != -EINVAL || strncmp(why, "line ", 5) != 0 || strchr(why, '\n'))
            abort();
        agg_free(a);
        return 0;
    }
    char *text = render(a, OUT_FORMAT_COLLAPSED, &len);
    b = agg_new();
    if (agg_collapsed_parse(b, text, len, why, sizeof(why)) != 0)
        abort();
    char *again = render(b, OUT_FORMAT_COLLAPSED, &len2);
    if (len != len2 || memcmp(text, again, len) != 0 || agg_total(a) != agg_total(b))
        abort();
    free(text);
    free(again);
    for (int fmt = OUT_FORMAT_SVG; fmt <= OUT_FORMAT_PSTATS; fmt++)
        free(render(a, (enum out_format)fmt, &len));
    agg_free(a);
    agg_free(b);
    return 0;
}
