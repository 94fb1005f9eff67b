/* Terminal messages with their quoted input escaped (util_sbuf's terminal escaper).
 * SPDX-License-Identifier: MIT */
#include "cli_msg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>

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

char *cli_msg_escape(const char *s)
{
    struct sbuf b;
    sbuf_init(&b);
    sbuf_add_term(&b, s);
    char *r = xstrdup(sbuf_str(&b));
    sbuf_destroy(&b);
    return r;
}
