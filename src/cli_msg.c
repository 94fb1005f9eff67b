/* Terminal messages with their quoted input escaped (util_sbuf's terminal escaper).
 * SPDX-License-Identifier: MIT */
#include "cli_msg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util_sbuf.h"
#include "util_xalloc.h"

int cli_msg(FILE *f, const char *fmt, ...)
{
    struct sbuf out;
    va_list ap;

    sbuf_init(&out);
    va_start(ap, fmt);
    sbuf_vprintf_term(&out, fmt, ap);
    va_end(ap);
    fputs(sbuf_str(&out), f);
    sbuf_destroy(&out);
    return ferror(f) ? -EIO : 0;
}

int cli_msg_text(FILE *f, const char *text, size_t len)
{
    struct sbuf line, out;
    const char *p = text, *end = text + len;

    sbuf_init(&line);
    sbuf_init(&out);
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        sbuf_reset(&line);
        sbuf_add(&line, p, (size_t)(stop - p)); /* a NUL in it ends the line's text early */
        sbuf_reset(&out);
        sbuf_add_term(&out, sbuf_str(&line));
        if (nl)
            sbuf_addc(&out, '\n');
        fputs(sbuf_str(&out), f);
        p = nl ? nl + 1 : end;
    }
    sbuf_destroy(&line);
    sbuf_destroy(&out);
    return ferror(f) ? -EIO : 0;
}

int cli_msg_through(FILE *out, int (*write)(FILE *f, void *ctx), void *ctx)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    int err;

    if (!f)
        return -errno;
    err = write(f, ctx);
    if (fclose(f) != 0 && !err)
        err = -errno;
    if (!err)
        err = cli_msg_text(out, text, len);
    if (fflush(out) != 0 && !err)
        err = -errno;
    free(text);
    return err;
}

char *cli_msg_escape(const char *s)
{
    struct sbuf b;
    sbuf_init(&b);
    sbuf_add_term(&b, s);
    char *r = xstrdup(sbuf_str(&b));
    sbuf_destroy(&b);
    return r;
}
