/* Split a `spyglass bench` command string into argv as the POSIX shell grammar does for the
 * words of a simple command (XCU 2.2 Quoting, 2.3 Token Recognition), refusing what needs a shell.
 * SPDX-License-Identifier: MIT */
#include "util_argv.h"

#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util_xalloc.h"

/* The state of one split. Words are stored one after another in buf, each NUL-terminated. */
struct split {
    const char *s;
    char *buf;
    size_t len;      /* bytes used in buf */
    size_t nwords;   /* finished words */
    int in_word;     /* a word is open (it may still be empty, as after '') */
    int quoted;      /* the open word has a quoted or escaped part */
    int name;        /* the open word so far is an unquoted shell name: NAME= is an assignment */
    size_t word_at;  /* offset in s of the open word's first byte */
    size_t word_buf; /* offset in buf of the open word */
};

/* Reserved words (XCU 2.4) that a shell would take as syntax in the command position; '{' and
 * '}' are left out on purpose: after placeholder substitution braces are plain characters. */
static const char *const reserved[] = {"!",  "case", "do", "done", "elif", "else",  "esac",
                                       "fi", "for",  "if", "in",   "then", "until", "while"};

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_name_char(char c, int first)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (!first && c >= '0' && c <= '9');
}

/* Whether an unquoted c needs a shell: operators, expansions, globs, a command separator, and
 * at a word start a comment or tilde expansion. */
static int needs_shell(char c, int word_start)
{
    if (c != '\0' && strchr("|&;<>()$`*?[\n", c))
        return 1;
    return word_start && (c == '#' || c == '~');
}

static void begin_word(struct split *sp, size_t at)
{
    if (sp->in_word)
        return;
    sp->in_word = 1;
    sp->quoted = 0;
    sp->name = 1;
    sp->word_at = at;
    sp->word_buf = sp->len;
}

/* Append c, taken from offset at of s, to the open word (opening one if needed). Returns 0, or
 * -ENOTSUP when an unquoted '=' ends a shell name in the first word (an assignment). */
static int add(struct split *sp, char c, size_t at, int quoted)
{
    begin_word(sp, at);
    if (quoted) {
        sp->quoted = 1;
        sp->name = 0;
    } else if (sp->name && sp->nwords == 0) {
        if (c == '=' && sp->len > sp->word_buf)
            return -ENOTSUP;
        sp->name = is_name_char(c, sp->len == sp->word_buf);
    }
    sp->buf[sp->len++] = c;
    return 0;
}

/* Close the open word, if any. Returns 0, or -ENOTSUP for an unquoted reserved word in the
 * command position. */
static int end_word(struct split *sp)
{
    if (!sp->in_word)
        return 0;
    sp->buf[sp->len] = '\0';
    if (sp->nwords == 0 && !sp->quoted) {
        for (size_t i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
            if (strcmp(sp->buf + sp->word_buf, reserved[i]) == 0)
                return -ENOTSUP;
        }
    }
    sp->len++;
    sp->nwords++;
    sp->in_word = 0;
    return 0;
}

/* 'single quotes' at *i: everything up to the next quote is literal. */
static int single_quoted(struct split *sp, size_t *i)
{
    const char *end = strchr(sp->s + *i + 1, '\'');

    if (!end)
        return -EINVAL;
    begin_word(sp, *i);
    sp->quoted = 1;
    sp->name = 0;
    for (const char *p = sp->s + *i + 1; p < end; p++)
        sp->buf[sp->len++] = *p;
    *i = (size_t)(end - sp->s) + 1;
    return 0;
}

/* "double quotes" at *i: a backslash escapes only $ ` " \ and newline (a line continuation, which
 * is removed); any other backslash is kept. An unescaped $ or ` would expand: refused at *bad. */
static int double_quoted(struct split *sp, size_t *i, size_t *bad)
{
    const char *s = sp->s;
    size_t j = *i + 1;

    begin_word(sp, *i);
    sp->quoted = 1;
    sp->name = 0;
    for (;;) {
        char c = s[j];

        if (c == '\0') {
            *bad = *i;
            return -EINVAL;
        }
        if (c == '"')
            break;
        if (c == '$' || c == '`') {
            *bad = j;
            return -ENOTSUP;
        }
        if (c == '\\' && s[j + 1] == '\n') {
            j += 2;
            continue;
        }
        if (c == '\\' && s[j + 1] != '\0' && strchr("$`\"\\", s[j + 1]))
            c = s[++j];
        sp->buf[sp->len++] = c;
        j++;
    }
    *i = j + 1;
    return 0;
}

/* One step at s[*i] outside quotes. Returns 0 or a negative errno with *bad set. */
static int step(struct split *sp, size_t *i, size_t *bad)
{
    const char *s = sp->s;
    char c = s[*i];
    int err = 0;

    *bad = *i;
    if (c == '\\' && s[*i + 1] == '\n') {
        *i += 2; /* line continuation: removed, the word (if any) goes on */
    } else if (is_blank(c)) {
        err = end_word(sp);
        *bad = sp->word_at;
        (*i)++;
    } else if (c == '\'') {
        err = single_quoted(sp, i);
    } else if (c == '"') {
        err = double_quoted(sp, i, bad);
    } else if (c == '\\') {
        if (s[*i + 1] == '\0')
            return -EINVAL;
        err = add(sp, s[*i + 1], *i, 1);
        *i += 2;
    } else if (needs_shell(c, !sp->in_word)) {
        err = -ENOTSUP;
    } else {
        err = add(sp, c, *i, 0);
        (*i)++;
    }
    return err;
}

/* Copy the words into one block: the pointer array, then the characters. */
static char **pack(const struct split *sp)
{
    size_t head = (sp->nwords + 1) * sizeof(char *);
    char **argv = xmalloc(head + sp->len);
    char *p = (char *)argv + head;

    memcpy(p, sp->buf, sp->len);
    for (size_t k = 0; k < sp->nwords; k++) {
        argv[k] = p;
        p += strlen(p) + 1;
    }
    argv[sp->nwords] = NULL;
    return argv;
}

int util_argv_split(const char *s, char ***out, int *bad)
{
    /* Every output byte comes from its own input byte, and every word but the last is ended by
     * a blank that produces nothing: the words and their NULs fit in strlen(s) + 1 bytes. */
    size_t n = strlen(s), i = 0, at = 0;
    struct split sp = {.s = s, .buf = xmalloc(n + 1)};
    int err = 0;

    assert(out);
    while (s[i] != '\0' && err == 0)
        err = step(&sp, &i, &at);
    if (err == 0) {
        at = sp.word_at;
        err = end_word(&sp);
    }
    if (err == 0 && sp.nwords > INT_MAX)
        err = -E2BIG;
    if (err == 0)
        *out = pack(&sp);
    else if (bad)
        *bad = at > INT_MAX ? INT_MAX : (int)at;
    assert(sp.len <= n + 1);
    free(sp.buf);
    return err == 0 ? (int)sp.nwords : err;
}

void util_argv_free(char **argv)
{
    free(argv);
}
