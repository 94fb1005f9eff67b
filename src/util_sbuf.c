/* Growable string buffer and the escapers every writer shares.
 * SPDX-License-Identifier: MIT */
#include "util_sbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util_xalloc.h"

void sbuf_init(struct sbuf *s)
{
    s->buf = NULL;
    s->len = 0;
    s->cap = 0;
}

void sbuf_destroy(struct sbuf *s)
{
    free(s->buf);
    sbuf_init(s);
}

void sbuf_reserve(struct sbuf *s, size_t n)
{
    if (s->len + n + 1 <= s->cap)
        return;
    size_t cap = s->cap ? s->cap : 64;
    while (cap < s->len + n + 1)
        cap *= 2;
    s->buf = xrealloc(s->buf, cap);
    s->cap = cap;
}

void sbuf_add(struct sbuf *s, const void *p, size_t n)
{
    sbuf_reserve(s, n);
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    s->buf[s->len] = '\0';
}

void sbuf_adds(struct sbuf *s, const char *str)
{
    sbuf_add(s, str, strlen(str));
}

void sbuf_addc(struct sbuf *s, char c)
{
    sbuf_add(s, &c, 1);
}

void sbuf_vprintf(struct sbuf *s, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n <= 0)
        return;
    sbuf_reserve(s, (size_t)n);
    vsnprintf(s->buf + s->len, (size_t)n + 1, fmt, ap);
    s->len += (size_t)n;
}

void sbuf_printf(struct sbuf *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sbuf_vprintf(s, fmt, ap);
    va_end(ap);
}

void sbuf_reset(struct sbuf *s)
{
    s->len = 0;
    if (s->buf)
        s->buf[0] = '\0';
}

const char *sbuf_str(const struct sbuf *s)
{
    return s->buf ? s->buf : "";
}

void sbuf_add_xml(struct sbuf *s, const char *str)
{
    for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
        switch (*p) {
        case '&':
            sbuf_adds(s, "&amp;");
            break;
        case '<':
            sbuf_adds(s, "&lt;");
            break;
        case '>':
            sbuf_adds(s, "&gt;");
            break;
        case '"':
            sbuf_adds(s, "&quot;");
            break;
        case '\'':
            sbuf_adds(s, "&#39;");
            break;
        default:
            if (*p >= 0x20 && *p != 0x7f)
                sbuf_addc(s, (char)*p);
            break;
        }
    }
}

void sbuf_add_json(struct sbuf *s, const char *str)
{
    for (const unsigned char *p = (const unsigned char *)str; *p; p++) {
        if (*p == '"' || *p == '\\') {
            sbuf_addc(s, '\\');
            sbuf_addc(s, (char)*p);
        } else if (*p < 0x20 || *p == '<' || *p == '>' || *p == '&' || *p == 0x7f) {
            sbuf_printf(s, "\\u%04x", *p);
        } else {
            sbuf_addc(s, (char)*p);
        }
    }
}
