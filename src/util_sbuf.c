/* Growable string buffer and the escapers every writer shares.
 * SPDX-License-Identifier: MIT */
#include "util_sbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util_vec.h"
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
    if (n >= SIZE_MAX - s->len)
        xalloc_fail(SIZE_MAX);
    if (s->len + n + 1 <= s->cap)
        return;
    s->buf = vec_grow(s->buf, &s->cap, s->len + n + 1, 1, 64);
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

size_t utf8_seq_len(const unsigned char *p)
{
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    uint32_t c;
    size_t n;

    if (p[0] < 0x80)
        return 1;
    if ((p[0] & 0xe0) == 0xc0) {
        n = 2;
        c = p[0] & 0x1f;
    } else if ((p[0] & 0xf0) == 0xe0) {
        n = 3;
        c = p[0] & 0x0f;
    } else if ((p[0] & 0xf8) == 0xf0) {
        n = 4;
        c = p[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
            return 0;
        c = c << 6 | (p[i] & 0x3f);
    }
    if (c < min[n] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
        return 0;
    return n;
}

static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/* XML 1.0 forbids U+FFFE and U+FFFF even when well encoded. */
static int xml_forbidden(const unsigned char *p, size_t n)
{
    return n == 3 && p[0] == 0xef && p[1] == 0xbf && (p[2] == 0xbe || p[2] == 0xbf);
}

static const char *xml_entity(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    }
    return NULL;
}

/* str as XML characters; with entities set, markup characters as entities too. */
static void add_xml(struct sbuf *s, const char *str, int entities)
{
    const unsigned char *p = (const unsigned char *)str;
    while (*p) {
        size_t n = utf8_seq_len(p);
        if (!n || xml_forbidden(p, n)) {
            sbuf_adds(s, replacement);
            p += n ? n : 1;
            continue;
        }
        if (n == 1 && entities && xml_entity(*p))
            sbuf_adds(s, xml_entity(*p));
        else if (n == 1 && (*p < 0x20 || *p == 0x7f))
            sbuf_addc(s, ' ');
        else
            sbuf_add(s, p, n);
        p += n;
    }
}

void sbuf_add_xml(struct sbuf *s, const char *str)
{
    add_xml(s, str, 1);
}

void sbuf_add_xml_chars(struct sbuf *s, const char *str)
{
    add_xml(s, str, 0);
}

static int json_plain(unsigned char c)
{
    return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&';
}

void sbuf_add_json_n(struct sbuf *s, const char *str, size_t len)
{
    const unsigned char *p = (const unsigned char *)str, *end = p + len;

    while (p < end) {
        const unsigned char *q = p;
        while (q < end && json_plain(*q))
            q++;
        if (q > p) { /* a run of plain ASCII at once: source texts are long */
            sbuf_add(s, p, (size_t)(q - p));
            p = q;
            continue;
        }
        if (*p == '"' || *p == '\\') {
            sbuf_addc(s, '\\');
            sbuf_addc(s, (char)*p++);
        } else if (*p == '\n') {
            sbuf_adds(s, "\\n");
            p++;
        } else if (*p < 0x80) {
            sbuf_printf(s, "\\u%04x", *p++);
        } else {
            size_t n = utf8_seq_len(p);
            if (!n || n > (size_t)(end - p)) {
                sbuf_adds(s, "\\ufffd");
                p++;
            } else if (n == 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
                sbuf_adds(s, p[2] == 0xa8 ? "\\u2028" : "\\u2029"); /* line breaks in JS */
                p += n;
            } else {
                sbuf_add(s, p, n);
                p += n;
            }
        }
    }
}

void sbuf_add_json(struct sbuf *s, const char *str)
{
    sbuf_add_json_n(s, str, strlen(str));
}

void sbuf_add_csv(struct sbuf *s, const char *str)
{
    if (!strpbrk(str, ",\"\r\n")) {
        sbuf_adds(s, str);
        return;
    }
    sbuf_addc(s, '"');
    for (; *str; str++) {
        if (*str == '"')
            sbuf_addc(s, '"');
        sbuf_addc(s, *str);
    }
    sbuf_addc(s, '"');
}

void sbuf_add_md(struct sbuf *s, const char *str)
{
    for (; *str; str++) {
        if (*str == '|' || *str == '\\' || *str == '`' || *str == '*' || *str == '_' || *str == '<')
            sbuf_addc(s, '\\');
        if ((unsigned char)*str < 0x20 || *str == 0x7f)
            sbuf_addc(s, ' ');
        else
            sbuf_addc(s, *str);
    }
}

void sbuf_add_utf8(struct sbuf *s, const char *str)
{
    const unsigned char *p = (const unsigned char *)str;
    while (*p) {
        size_t n = utf8_seq_len(p);
        if (!n) {
            sbuf_adds(s, replacement);
            p++;
        } else {
            sbuf_add(s, p, n);
            p += n;
        }
    }
}

/* The code point of the valid n-byte UTF-8 sequence at p (n from utf8_seq_len). */
static uint32_t utf8_code(const unsigned char *p, size_t n)
{
    static const unsigned char lead[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    uint32_t c = p[0] & lead[n];
    for (size_t i = 1; i < n; i++)
        c = c << 6 | (p[i] & 0x3f);
    return c;
}

/* C1 controls and the bidirectional formatting characters: a terminal acts on them. */
static int term_control(uint32_t c)
{
    return (c >= 0x80 && c <= 0x9f) || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
           (c >= 0x2066 && c <= 0x2069);
}

static void add_term(struct sbuf *s, const char *str, int quoted)
{
    const unsigned char *p = (const unsigned char *)str;
    while (*p) {
        size_t n = utf8_seq_len(p);
        if (!n || (n == 1 && (*p < 0x20 || *p == 0x7f))) {
            sbuf_printf(s, "\\x%02x", *p++);
            continue;
        }
        if (n > 1 && term_control(utf8_code(p, n)))
            sbuf_printf(s, "\\u%04x", (unsigned)utf8_code(p, n));
        else if (quoted && (*p == '"' || *p == '\\'))
            sbuf_printf(s, "\\%c", *p);
        else
            sbuf_add(s, p, n);
        p += n;
    }
}

void sbuf_add_term(struct sbuf *s, const char *str)
{
    add_term(s, str, 0);
}

void sbuf_add_term_quoted(struct sbuf *s, const char *str)
{
    add_term(s, str, 1);
}

void sbuf_vprintf_term(struct sbuf *s, const char *fmt, va_list ap)
{
    struct sbuf raw;
    int nl;

    sbuf_init(&raw);
    sbuf_vprintf(&raw, fmt, ap);
    nl = raw.len && raw.buf[raw.len - 1] == '\n';
    if (nl)
        raw.buf[--raw.len] = '\0';
    add_term(s, sbuf_str(&raw), 0);
    if (nl)
        sbuf_addc(s, '\n');
    sbuf_destroy(&raw);
}

void sbuf_printf_term(struct sbuf *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sbuf_vprintf_term(s, fmt, ap);
    va_end(ap);
}
