/* Unit tests for the escapers of util_sbuf, one per output format: XML text and attributes,
 * JSON strings (also inside an HTML <script>), terminal text; hostile bytes in each.
 * SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <string.h>

#include "suites.h"
#include "test.h"
#include "util_sbuf.h"

#define FFFD "\xef\xbf\xbd"

typedef void (*esc_fn)(struct sbuf *s, const char *str);

/* str escaped by fn, in b (reset first). */
static const char *esc(struct sbuf *b, esc_fn fn, const char *str)
{
    sbuf_reset(b);
    fn(b, str);
    return sbuf_str(b);
}

static const char *json_n(struct sbuf *b, const char *p, size_t len)
{
    sbuf_reset(b);
    sbuf_add_json_n(b, p, len);
    return sbuf_str(b);
}

static const char *term_printf(struct sbuf *b, const char *fmt, ...)
{
    va_list ap;
    sbuf_reset(b);
    va_start(ap, fmt);
    sbuf_vprintf_term(b, fmt, ap);
    va_end(ap);
    return sbuf_str(b);
}

static void test_xml(void)
{
    struct sbuf b;

    sbuf_init(&b);
    TEST_EQ_STR(esc(&b, sbuf_add_xml, ""), "");
    TEST_EQ_STR(esc(&b, sbuf_add_xml, "<script>alert(1)</script>"),
                "&lt;script&gt;alert(1)&lt;/script&gt;");
    /* out of an attribute value, whichever quote delimits it */
    TEST_EQ_STR(esc(&b, sbuf_add_xml, "\"><svg onload='x()'>"),
                "&quot;&gt;&lt;svg onload=&#39;x()&#39;&gt;");
    TEST_EQ_STR(esc(&b, sbuf_add_xml, "a&amp;b ]]> <!-- <![CDATA["),
                "a&amp;amp;b ]]&gt; &lt;!-- &lt;![CDATA[");
    /* control bytes (not XML characters, or line breaks) are spaces; DEL too */
    TEST_EQ_STR(esc(&b, sbuf_add_xml, "e\x1b[2Jb\x07\r\n\t\x7f."), "e [2Jb     .");
    /* invalid UTF-8, U+FFFE and U+FFFF become U+FFFD; valid text stays */
    TEST_EQ_STR(
        esc(&b, sbuf_add_xml, "na\xc3\xafve \xff\xc3 \xef\xbf\xbe\xef\xbf\xbf \xe2\x80\xa8"),
        "na\xc3\xafve " FFFD FFFD " " FFFD FFFD " \xe2\x80\xa8");
    TEST_EQ_STR(esc(&b, sbuf_add_xml, "\xed\xa0\x80 \xc0\xbc"), FFFD FFFD FFFD " " FFFD FFFD);
    /* the characters alone: markup kept, the rest cleaned the same way */
    TEST_EQ_STR(esc(&b, sbuf_add_xml_chars, "<a href=\"x\">\x1b\xff"), "<a href=\"x\"> " FFFD);
    sbuf_destroy(&b);
}

static void test_json(void)
{
    struct sbuf b;

    sbuf_init(&b);
    TEST_EQ_STR(esc(&b, sbuf_add_json, "plain text 123"), "plain text 123");
    TEST_EQ_STR(esc(&b, sbuf_add_json, "q\"b\\s/"), "q\\\"b\\\\s/");
    /* nothing can end the <script> element or open a comment in it */
    TEST_EQ_STR(esc(&b, sbuf_add_json, "</script><!--&"), "\\u003c/script\\u003e\\u003c!--\\u0026");
    TEST_EQ_STR(esc(&b, sbuf_add_json, "l1\nl2\r\t\x1b\x07\x7f"),
                "l1\\nl2\\u000d\\u0009\\u001b\\u0007\\u007f");
    /* U+2028 and U+2029 end a line in older JavaScript */
    TEST_EQ_STR(esc(&b, sbuf_add_json, "a\xe2\x80\xa8z\xe2\x80\xa9"), "a\\u2028z\\u2029");
    TEST_EQ_STR(esc(&b, sbuf_add_json, "\xe2\x80\xaa ok"), "\xe2\x80\xaa ok");
    TEST_EQ_STR(esc(&b, sbuf_add_json, "x\xff\xe2\x80"), "x\\ufffd\\ufffd\\ufffd");
    TEST_EQ_STR(esc(&b, sbuf_add_json, "\xf0\x9f\x94\xa5 \xc3\xa9"), "\xf0\x9f\x94\xa5 \xc3\xa9");
    /* with a length: NUL bytes inside, and a sequence cut by the end is not read past it */
    TEST_EQ_STR(json_n(&b, "a\0b", 3), "a\\u0000b");
    TEST_EQ_STR(json_n(&b, "\xc3\xa9", 1), "\\ufffd");
    TEST_EQ_STR(json_n(&b, "abc", 0), "");
    sbuf_destroy(&b);
}

static void test_term(void)
{
    struct sbuf b;

    sbuf_init(&b);
    TEST_EQ_STR(esc(&b, sbuf_add_term, "main (app.py)"), "main (app.py)");
    /* a clear-screen, a window title (OSC ... BEL), a faked line */
    TEST_EQ_STR(esc(&b, sbuf_add_term, "f\x1b[2J\x1b]0;pwned\x07\nspyglass: ok\r"),
                "f\\x1b[2J\\x1b]0;pwned\\x07\\x0aspyglass: ok\\x0d");
    TEST_EQ_STR(esc(&b, sbuf_add_term, "del\x7f tab\t"), "del\\x7f tab\\x09");
    /* C1 controls (CSI is U+009B) and bidirectional overrides, as code points */
    TEST_EQ_STR(esc(&b, sbuf_add_term,
                    "\xc2\x9b"
                    "2J \xc2\x85 \xe2\x80\xae"
                    "cod.py"),
                "\\u009b2J \\u0085 \\u202ecod.py");
    TEST_EQ_STR(esc(&b, sbuf_add_term, "\xe2\x81\xa6x\xe2\x81\xa9 \xe2\x80\x8f"),
                "\\u2066x\\u2069 \\u200f");
    /* a lone 0x9b byte is CSI on an 8-bit terminal: invalid UTF-8 bytes as \xNN */
    TEST_EQ_STR(esc(&b, sbuf_add_term,
                    "a\x9b"
                    "2J\xff\xc3"),
                "a\\x9b2J\\xff\\xc3");
    /* other text, UTF-8 included, as it is; quotes and backslashes too unless quoted */
    TEST_EQ_STR(esc(&b, sbuf_add_term, "na\xc3\xafve_\xe5\x87\xbd \"q\" C:\\x"),
                "na\xc3\xafve_\xe5\x87\xbd \"q\" C:\\x");
    TEST_EQ_STR(esc(&b, sbuf_add_term_quoted, "say \"hi\"\\\x1b"), "say \\\"hi\\\"\\\\\\x1b");
    /* a formatted line: its arguments escaped, its own final line break kept */
    TEST_EQ_STR(term_printf(&b, "spyglass: %s holds %d\n", "e\x1b[31m\nvil", 3),
                "spyglass: e\\x1b[31m\\x0avil holds 3\n");
    TEST_EQ_STR(term_printf(&b, "%s", "no newline\x07"), "no newline\\x07");
    TEST_EQ_STR(term_printf(&b, "%s", ""), "");
    sbuf_destroy(&b);
}

void test_util_sbuf(void)
{
    test_xml();
    test_json();
    test_term();
}
