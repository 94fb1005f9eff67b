/* Split a command string into words the way a POSIX shell would for a simple command:
 * whitespace separates words; 'single quotes' are literal; "double quotes" keep \" \\ \$ \`
 * escapes; a backslash outside quotes escapes the next character. No expansion is done.
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_ARGV_H
#define UTIL_ARGV_H

/* Split s into a NULL-terminated argv. Returns the number of words (>= 0), or -EINVAL for an
 * unterminated quote or trailing backslash, or -ENOTSUP when s holds unquoted shell syntax
 * that needs a shell (| & ; < > ( ) $ ` * ? [ ~ # at a word start, newline). On error *bad
 * (if not NULL) receives the byte offset of the offending character. On success *out receives
 * the argv; caller frees with util_argv_free().
 *
 * Details. Blanks are space and tab only; other bytes (\r, \v, UTF-8) are word characters. An
 * empty or all-blank s gives 0 words (argv = {NULL}); '' or "" gives an empty word. Inside
 * double quotes a backslash before any other character is kept, and an unescaped $ or ` is
 * refused (-ENOTSUP) because a shell would expand it. Backslash-newline is removed, inside
 * double quotes too. Also refused (-ENOTSUP): a first word starting with an unquoted NAME= (a
 * variable assignment; *bad is the '=') and an unquoted reserved word as the first word (!, if,
 * then, else, elif, fi, case, esac, for, in, while, until, do, done; *bad is its start). '{', '}'
 * and '=' elsewhere are plain. The first problem from the left is reported: the opening quote
 * for an unterminated one, the backslash for a trailing one. -E2BIG for more than INT_MAX words. */
int util_argv_split(const char *s, char ***out, int *bad);

/* Free an argv from util_argv_split(). Accepts NULL. */
void util_argv_free(char **argv);

#endif
