/* Unit tests for util_argv: every case of fixtures/argv_cases.txt against the words dash made of
 * it (fixtures/argv_expected.bin, written by gen_argv.sh), then refusals, offsets and lines the
 * case file cannot hold (newlines).
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "test.h"
#include "util_argv.h"

/* Split s and compare with the n words of want. */
static void check_words(const char *s, int n, const char *const *want)
{
    char **argv = (char **)&argv; /* a sentinel that a failed split must not overwrite */
    int bad = -7, got = util_argv_split(s, &argv, &bad);

    TEST_EQ_INT(got, n);
    if (got != n) {
        fprintf(stderr, "  input: \"%s\"\n", s);
        if (got >= 0)
            util_argv_free(argv);
        return;
    }
    TEST_EQ_INT(bad, -7);
    for (int i = 0; i < n; i++)
        TEST_EQ_STR(argv[i], want[i]);
    TEST_CHECK(argv[n] == NULL);
    util_argv_free(argv);
}

#define CHECK_WORDS(s, ...)                                                         \
    do {                                                                            \
        const char *const w_[] = {__VA_ARGS__};                                     \
        check_words(s, (int)(sizeof(w_) / sizeof(w_[0])), (const char *const *)w_); \
    } while (0)

/* Expect err at offset at, with *out and nothing else touched. */
static void check_error(const char *s, int err, int at)
{
    char **argv = (char **)&argv;
    int bad = -7, got = util_argv_split(s, &argv, &bad);

    TEST_EQ_INT(got, err);
    TEST_EQ_INT(bad, at);
    TEST_CHECK(argv == (char **)&argv);
    if (got != err || bad != at)
        fprintf(stderr, "  input: \"%s\"\n", s);
    if (got >= 0)
        util_argv_free(argv);
}

/* One case of the fixture: the words in exp[0..n), each NUL-terminated, must equal the split of
 * line, and together be no longer than the line. */
static const char *check_case(const char *line, const char *exp, const char *end)
{
    const char *p = exp;
    char **argv = NULL;
    int bad = -1, n = atoi(p), got;
    size_t sum = 0;

    p += strlen(p) + 1;
    got = util_argv_split(line, &argv, &bad);
    TEST_EQ_INT(got, n);
    if (got != n)
        fprintf(stderr, "  case \"%s\" (offset %d)\n", line, bad);
    for (int i = 0; i < n && p < end; i++) {
        if (got == n) {
            TEST_EQ_STR(argv[i], p);
            sum += strlen(argv[i]);
        }
        p += strlen(p) + 1;
    }
    TEST_CHECK(sum <= strlen(line));
    if (got >= 0)
        util_argv_free(argv);
    return p;
}

/* The property test: dash's words for every case. The fixture must hold the current cases, in
 * order (rerun gen_argv.sh after editing argv_cases.txt). */
static void test_against_dash(void)
{
    size_t clen, elen;
    char *cases = test_read_fixture("fixtures/argv_cases.txt", &clen);
    char *exp = test_read_fixture("fixtures/argv_expected.bin", &elen);
    const char *e, *end;
    int ncases = 0;

    if (!cases || !exp)
        goto out;
    e = exp;
    end = exp + elen;
    for (char *line = strtok(cases, "\n"); line; line = strtok(NULL, "\n")) {
        if (line[0] == '#')
            continue;
        TEST_CHECK(e < end);
        if (e >= end)
            break;
        TEST_EQ_STR(e, line); /* a stale fixture otherwise */
        if (strcmp(e, line) != 0)
            break;
        e = check_case(line, e + strlen(e) + 1, end);
        ncases++;
    }
    TEST_CHECK(e == end);
    TEST_CHECK(ncases >= 100);
out:
    free(cases);
    free(exp);
}

/* Words with bytes the line-based case file cannot hold; dash made the same of each. */
static void test_special_bytes(void)
{
    char **argv = NULL;

    TEST_EQ_INT(util_argv_split("", &argv, NULL), 0);
    TEST_CHECK(argv && argv[0] == NULL);
    util_argv_free(argv);
    check_words(" \t  \t", 0, NULL);
    check_words("\\\n", 0, NULL);         /* a lone line continuation */
    CHECK_WORDS("a\\\nb", "ab");          /* continuation joins */
    CHECK_WORDS("a \\\n b", "a", "b");    /* and starts no word */
    CHECK_WORDS("\"a\\\nb\"", "ab");      /* removed inside double quotes too */
    CHECK_WORDS("'a\\\nb'", "a\\\nb");    /* kept inside single quotes */
    CHECK_WORDS("'a\nb' c", "a\nb", "c"); /* quoted newlines are plain */
    CHECK_WORDS("\"a\nb\"", "a\nb");
    check_error("i\\\nf x", -ENOTSUP, 0); /* a continuation does not quote: still "if" */
    CHECK_WORDS("a\rb", "a\rb");          /* only space and tab are blanks */
    CHECK_WORDS("a\vb\fc d", "a\vb\fc", "d");
    CHECK_WORDS("x\\\n~", "x~"); /* not at a word start after a continuation */
}

/* Unquoted syntax that needs a shell: -ENOTSUP at the offending byte. */
static void test_needs_shell(void)
{
    static const char *const ops[] = {"|", "&", ";", "<", ">", "(", ")", "$", "`", "*", "?", "["};
    char buf[32];

    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        snprintf(buf, sizeof(buf), "ab c%sd", ops[i]); /* inside a word */
        check_error(buf, -ENOTSUP, 4);
        snprintf(buf, sizeof(buf), "%s", ops[i]); /* alone */
        check_error(buf, -ENOTSUP, 0);
        snprintf(buf, sizeof(buf), "x '%s' \\%s \"%s\"", ops[i], ops[i], ops[i]);
        if (ops[i][0] != '$' && ops[i][0] != '`') {
            CHECK_WORDS(buf, "x", ops[i], ops[i], ops[i]);
        }
    }
    check_error("prog a | wc", -ENOTSUP, 7);
    check_error("prog > out", -ENOTSUP, 5);
    check_error("a&&b", -ENOTSUP, 1);
    check_error("echo $HOME", -ENOTSUP, 5);
    check_error("a$", -ENOTSUP, 1); /* a shell keeps a lone $, but refusing is simpler and safe */
    check_error("ls *.py", -ENOTSUP, 3);
    check_error("a\nb", -ENOTSUP, 1);
    check_error("a\n", -ENOTSUP, 1);
    check_error("#x", -ENOTSUP, 0);
    check_error("prog #comment", -ENOTSUP, 5);
    check_error("~/bin/x", -ENOTSUP, 0);
    check_error("x ~user", -ENOTSUP, 2);
    check_error("x \\\n#y", -ENOTSUP, 4); /* at a word start after a continuation */
    /* In double quotes, $ and ` still expand. */
    check_error("x \"$HOME\"", -ENOTSUP, 3);
    check_error("\"a`id`\"", -ENOTSUP, 2);
    check_error("\"\\\\$x\"", -ENOTSUP, 3); /* "\\$x": the backslash is escaped, not the $ */
}

/* Shell grammar beyond single characters: assignments and reserved words in the command
 * position; the same words elsewhere or quoted are plain. */
static void test_command_position(void)
{
    check_error("A=1 prog", -ENOTSUP, 1);
    check_error("_x9=", -ENOTSUP, 3);
    check_error("PYTHONHASHSEED=0 python3 x.py", -ENOTSUP, 14);
    check_error("a=\"b c\" prog", -ENOTSUP, 1);
    CHECK_WORDS("prog A=1", "prog", "A=1");
    CHECK_WORDS("9a=1", "9a=1");
    CHECK_WORDS("a-b=1", "a-b=1");
    CHECK_WORDS("'A'=1 x", "A=1", "x");
    CHECK_WORDS("A\\=1", "A=1");
    CHECK_WORDS("A\"\"=1", "A=1");
    check_error("! prog", -ENOTSUP, 0);
    check_error("  if x", -ENOTSUP, 2);
    check_error("while", -ENOTSUP, 0);
    check_error("done", -ENOTSUP, 0);
    CHECK_WORDS("x ! if done", "x", "!", "if", "done");
    CHECK_WORDS("\\! x", "!", "x");
    CHECK_WORDS("'if'", "if");
    CHECK_WORDS("if''", "if");
    CHECK_WORDS("!x", "!x");
    CHECK_WORDS("ifx", "ifx");
    CHECK_WORDS("{ x }", "{", "x", "}"); /* braces are plain after placeholder substitution */
    CHECK_WORDS("} {VAR}", "}", "{VAR}");
}

/* Malformed quoting: -EINVAL at the opening quote or the trailing backslash. */
static void test_malformed(void)
{
    char **argv = NULL;

    check_error("'abc", -EINVAL, 0);
    check_error("x \"abc", -EINVAL, 2);
    check_error("x 'a\"b", -EINVAL, 2);
    check_error("abc\\", -EINVAL, 3);
    check_error("\"abc\\", -EINVAL, 0);
    check_error("\"abc\\\"", -EINVAL, 0); /* the closing quote is escaped */
    check_error("'", -EINVAL, 0);
    check_error("\\", -EINVAL, 0);
    check_error("ok 'x' \"", -EINVAL, 7);
    /* The first problem from the left wins. */
    check_error("| 'abc", -ENOTSUP, 0);
    check_error("'abc |", -EINVAL, 0);
    check_error("\"$x", -ENOTSUP, 1);
    check_error("if |", -ENOTSUP, 0);
    check_error("A=$x", -ENOTSUP, 1);
    /* bad may be NULL. */
    TEST_EQ_INT(util_argv_split("'x", &argv, NULL), -EINVAL);
    TEST_EQ_INT(util_argv_split("x;", &argv, NULL), -ENOTSUP);
    TEST_CHECK(argv == NULL);
    util_argv_free(NULL);
}

/* Joining words each in single quotes (' as '\'') and splitting again gives them back. */
static void test_requote(void)
{
    static const char *const words[] = {"",  "a b", "it's", "'", "\\", "$HOME", "\"", "*",
                                        "!", "A=1", "~",    "#", "\n", "x\ty",  "if", "\\\n"};
    size_t n = sizeof(words) / sizeof(words[0]);
    char line[256], **argv = NULL;
    size_t len = 0;

    for (size_t i = 0; i < n; i++) {
        line[len++] = '\'';
        for (const char *p = words[i]; *p; p++) {
            if (*p == '\'') {
                memcpy(line + len, "'\\''", 4);
                len += 4;
            } else {
                line[len++] = *p;
            }
        }
        memcpy(line + len, "' ", 2);
        len += 2;
    }
    line[len] = '\0';
    TEST_EQ_INT(util_argv_split(line, &argv, NULL), (int)n);
    for (size_t i = 0; argv && i < n; i++)
        TEST_EQ_STR(argv[i], words[i]);
    util_argv_free(argv);
}

void test_util_argv(void)
{
    test_against_dash();
    test_special_bytes();
    test_needs_shell();
    test_command_position();
    test_malformed();
    test_requote();
}
