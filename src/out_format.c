/* Profile output formats: names, extensions, dispatch to the writers.
 * SPDX-License-Identifier: MIT */
#include "out_format.h"

#include <errno.h>
#include <string.h>

#include "out_chrome.h"
#include "out_flame.h"
#include "out_html.h"
#include "out_pprof.h"
#include "out_pstats.h"
#include "out_raw.h"

static const struct {
    const char *name;
    enum out_format fmt;
} names[] = {
    {"collapsed", OUT_FORMAT_COLLAPSED},
    {"txt", OUT_FORMAT_COLLAPSED},
    {"svg", OUT_FORMAT_SVG},
    {"html", OUT_FORMAT_HTML},
    {"speedscope", OUT_FORMAT_SPEEDSCOPE},
    {"json", OUT_FORMAT_SPEEDSCOPE},
    {"pprof", OUT_FORMAT_PPROF},
    {"pstats", OUT_FORMAT_PSTATS},
    {"raw", OUT_FORMAT_RAW},
    {"chrome", OUT_FORMAT_CHROME},
};

static const struct {
    const char *ext;
    enum out_format fmt;
} exts[] = {
    {".trace.json", OUT_FORMAT_CHROME}, {".spyraw", OUT_FORMAT_RAW},  {".svg", OUT_FORMAT_SVG},
    {".json", OUT_FORMAT_SPEEDSCOPE},   {".pb.gz", OUT_FORMAT_PPROF}, {".pprof", OUT_FORMAT_PPROF},
    {".pstats", OUT_FORMAT_PSTATS},     {".prof", OUT_FORMAT_PSTATS}, {".html", OUT_FORMAT_HTML},
    {".htm", OUT_FORMAT_HTML},
};

int out_format_parse(const char *name, enum out_format *out)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].fmt;
            return 0;
        }
    }
    return -EINVAL;
}

enum out_format out_format_from_path(const char *path)
{
    size_t len = path ? strlen(path) : 0;
    for (size_t i = 0; i < sizeof(exts) / sizeof(exts[0]); i++) {
        size_t n = strlen(exts[i].ext);
        if (len > n && strcmp(path + len - n, exts[i].ext) == 0)
            return exts[i].fmt;
    }
    return OUT_FORMAT_COLLAPSED;
}

int out_format_binary(enum out_format fmt)
{
    return fmt == OUT_FORMAT_PPROF || fmt == OUT_FORMAT_PSTATS || fmt == OUT_FORMAT_RAW;
}

int out_format_write(FILE *f, enum out_format fmt, const struct agg *a, const struct agg_meta *m)
{
    switch (fmt) {
    case OUT_FORMAT_SVG:
        return out_svg_write(f, a, m);
    case OUT_FORMAT_SPEEDSCOPE:
        return out_speedscope_write(f, a, m);
    case OUT_FORMAT_PPROF:
        return out_pprof_write(f, a, m);
    case OUT_FORMAT_PSTATS:
        return out_pstats_write(f, a, m);
    case OUT_FORMAT_RAW:
        return out_raw_write(f, a, m);
    case OUT_FORMAT_CHROME:
        return out_chrome_write(f, a, m);
    case OUT_FORMAT_HTML:
        return out_html_write(f, a, m, NULL);
    case OUT_FORMAT_COLLAPSED:
    default:
        return out_collapsed_write(f, a);
    }
}
