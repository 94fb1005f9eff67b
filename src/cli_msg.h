/* Messages to the terminal, with whatever they quote from input (paths, names, units, reasons
 * read from a profile or a target) escaped for it.
 * SPDX-License-Identifier: MIT */
#ifndef CLI_MSG_H
#define CLI_MSG_H

#include <stddef.h>
#include <stdio.h>

/* fprintf(f, fmt, ...) with the formatted text escaped by sbuf_add_term, so that a message
 * quoting a hostile name cannot send a control character to the terminal. A final '\n' is
 * written as it is; any other line break is escaped, so one call writes at most one line.
 * Returns 0, or -EIO when f has an error. */
int cli_msg(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write text (a profile written in a text format, about to reach a terminal) to f line by line,
 * each escaped by sbuf_add_term with its '\n' kept. Returns 0, or -EIO when f has an error. */
int cli_msg_text(FILE *f, const char *text, size_t len);

/* Call write(f, ctx) on a memory stream, then write what it wrote to out as cli_msg_text()
 * does: for a writer whose output (names from a profile) is about to reach a terminal.
 * Returns 0, write's negative errno, or -errno of the stream. */
int cli_msg_through(FILE *out, int (*write)(FILE *f, void *ctx), void *ctx);

/* s escaped by sbuf_add_term, in a new string (for a message whose own text holds control
 * sequences, such as a progress line). Caller frees. */
char *cli_msg_escape(const char *s);

#endif
