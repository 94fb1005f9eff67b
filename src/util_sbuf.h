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

/* Length of the valid UTF-8 sequence at p (docs/formats.md §10: no overlongs, no surrogates, at
 * most U+10FFFF), or 0 if it is invalid. Reads at most up to the first byte that cannot continue
 * the sequence, so a NUL-terminated string is never read past its end. */
size_t utf8_seq_len(const unsigned char *p);

/* Escapers for writers: the one place per output format where a string taken from input (a
 * name, path, unit, title or command from a target or a profile file) is made safe. Each
 * appends str escaped for its target; str may hold any bytes (names read from a target can be
 * invalid UTF-8): each byte of an invalid sequence becomes U+FFFD, or \xNN on a terminal. */
/* XML/SVG/HTML text and attribute values: & < > " ' become entities, control bytes spaces,
 * U+FFFE and U+FFFF (not XML characters) U+FFFD. */
void sbuf_add_xml(struct sbuf *s, const char *str);
/* str as XML characters, before escaping: control bytes spaces, invalid sequences, U+FFFE and
 * U+FFFF become U+FFFD; markup characters are kept (sbuf_add_xml escapes them when written). */
void sbuf_add_xml_chars(struct sbuf *s, const char *str);
/* JSON string contents (no quotes added): \" \\ and \n, other control bytes, DEL, '<', '>'
 * and '&' as \uXXXX, U+2028 and U+2029 as \u2028 and \u2029, so that the JSON is also safe
 * inside an HTML <script> element and as JavaScript source; each byte of an invalid sequence
 * is \ufffd. */
void sbuf_add_json(struct sbuf *s, const char *str);
/* The same for len bytes of p, which may hold NUL bytes (\u0000); p[len] must be readable
 * (e.g. a NUL): a UTF-8 sequence is never read past it. */
void sbuf_add_json_n(struct sbuf *s, const char *p, size_t len);
/* A CSV field (docs/formats.md §10): quoted, with quotes doubled, when it holds a comma, a quote or
 * a line break; as it is otherwise. */
void sbuf_add_csv(struct sbuf *s, const char *str);
/* Markdown table cell text: | \\ ` * _ < are backslash-escaped, line breaks and other control
 * bytes become spaces. */
void sbuf_add_md(struct sbuf *s, const char *str);
/* str as valid UTF-8 (for binary formats whose strings must be UTF-8: protobuf, marshal):
 * nothing is escaped, only each byte of an invalid sequence becomes U+FFFD. */
void sbuf_add_utf8(struct sbuf *s, const char *str);
/* Text for a terminal, so that a hostile name cannot move the cursor, retitle the window, fake
 * a line or reorder what follows: control bytes (C0, DEL) and each byte of an invalid UTF-8
 * sequence as \xNN, C1 controls (U+0080 to U+009F) and the bidirectional controls (U+200E,
 * U+200F, U+202A to U+202E, U+2066 to U+2069) as \uXXXX; other text, UTF-8 included, as it
 * is. */
void sbuf_add_term(struct sbuf *s, const char *str);
/* The same for a string shown between double quotes (spyglass dump): '"' and '\\' are also
 * escaped with a backslash, so the escaped text reads back unambiguously. */
void sbuf_add_term_quoted(struct sbuf *s, const char *str);
/* sbuf_printf with the formatted text escaped by sbuf_add_term, but for a final '\n', which is
 * kept: one line of a terminal report whose arguments may be hostile names. */
void sbuf_printf_term(struct sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_vprintf_term(struct sbuf *s, const char *fmt, va_list ap);

#endif
