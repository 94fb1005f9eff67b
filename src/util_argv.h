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
 * the argv; caller frees with util_argv_free(). */
int util_argv_split(const char *s, char ***out, int *bad);

/* Free an argv from util_argv_split(). Accepts NULL. */
void util_argv_free(char **argv);

#endif
