/* A growable byte/string buffer, always NUL-terminated.
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_SBUF_H
#define UTIL_SBUF_H

#include <stdarg.h>
#include <stddef.h>

struct sbuf {
    char *buf;  /* NUL-terminated contents, or NULL when empty and never grown */
    size_t len; /* bytes used, without the NUL */
    size_t cap; /* bytes allocated */
};

/* Embedded object: sbuf_init zeroes, sbuf_destroy frees the contents. */
void sbuf_init(struct sbuf *s);
void sbuf_destroy(struct sbuf *s);
/* Make room for n more bytes. */
void sbuf_reserve(struct sbuf *s, size_t n);
void sbuf_add(struct sbuf *s, const void *p, size_t n);
void sbuf_adds(struct sbuf *s, const char *str);
void sbuf_addc(struct sbuf *s, char c);
void sbuf_printf(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vprintf(struct sbuf *s, const char *fmt, va_list ap);
/* Forget the contents, keep the allocation. */
void sbuf_reset(struct sbuf *s);
/* The contents ("" when empty); valid until the next change. */
const char *sbuf_str(const struct sbuf *s);

/* Length of the valid UTF-8 sequence at p (RFC 3629: no overlongs, no surrogates, at most
 * U+10FFFF), or 0 if it is invalid. Reads at most up to the first byte that cannot continue
 * the sequence, so a NUL-terminated string is never read past its end. */
size_t utf8_seq_len(const unsigned char *p);

/* Escapers for writers. Each appends str escaped for its target; str may hold any bytes (names
 * read from a target can be invalid UTF-8): each byte of an invalid sequence becomes U+FFFD. */
/* XML/SVG/HTML text and attribute values: & < > " ' become entities, control bytes spaces. */
void sbuf_add_xml(struct sbuf *s, const char *str);
/* JSON string contents (no quotes added): \" \\ and control bytes as \uXXXX; also escapes
 * '<', '>' and '&' as \u003c etc. so the JSON is safe inside an HTML <script>. */
void sbuf_add_json(struct sbuf *s, const char *str);
/* A CSV field (RFC 4180): quoted, with quotes doubled, when it holds a comma, a quote or a line
 * break; as it is otherwise. */
void sbuf_add_csv(struct sbuf *s, const char *str);
/* Markdown table cell text: | \\ ` * _ < are backslash-escaped, line breaks and other control
 * bytes become spaces. */
void sbuf_add_md(struct sbuf *s, const char *str);
/* str as valid UTF-8 (for binary formats whose strings must be UTF-8: protobuf, marshal):
 * nothing is escaped, only each byte of an invalid sequence becomes U+FFFD. */
void sbuf_add_utf8(struct sbuf *s, const char *str);

#endif
