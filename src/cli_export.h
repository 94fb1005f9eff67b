/* Export files of the measuring subcommands (bench, timeit): every path checked before the run,
 * then each export written by the subcommand's writer, with one error line per file that fails.
 * "-" stands for standard output.
 * SPDX-License-Identifier: MIT */
#ifndef CLI_EXPORT_H
#define CLI_EXPORT_H

#include <stdio.h>

/* The exports both subcommands offer, indices into their path arrays, and the report. */
enum cli_export_kind {
    CLI_EXPORT_JSON,     /* --export-json */
    CLI_EXPORT_CSV,      /* --export-csv */
    CLI_EXPORT_MARKDOWN, /* --export-markdown */
    CLI_EXPORTS,
    CLI_EXPORT_REPORT = CLI_EXPORTS /* the terminal report (cli_export_run()) */
};

/* Writes export (or report) `kind` to f (opened and closed by the caller); ctx is the
 * caller's. Returns 0 or the negative errno of a failed write. */
typedef int (*cli_export_fn)(FILE *f, int kind, const void *ctx);

/* Check, before minutes are spent on runs, that each of paths[0..n-1] can be written
 * (file_out_check(): a temporary file beside it made and removed; the target itself, a device
 * or a FIFO left alone; NULL entries and "-" skipped). Returns 0, or -1 after printing one line
 * for the first that cannot be written. */
int cli_export_check(const char *const *paths, int n);

/* Write every export whose path is not NULL: open paths[k] (file_out_open(): replaced only
 * when whole; "-": standard output, flushed but not closed), call fn(f, k, ctx), close, and
 * print one line ("spyglass: cannot write PATH:
 * REASON", "standard output" for "-") for the first error of that file: the writer's, the
 * flush's or the close's (a full disk shows there). A failed export does not stop the others.
 * Returns 0, or -1 when any failed (printed). */
int cli_export_write(const char *const *paths, int n, cli_export_fn fn, const void *ctx);

/* The outputs of a finished run: the report (fn with CLI_EXPORT_REPORT) on standard output,
 * flushed, then the exports of paths[0..CLI_EXPORTS-1] as cli_export_write(). Returns 0, or -1
 * when one failed (an export's failure is printed; the report's is not, standard output being
 * where it failed). */
int cli_export_run(const char *const *paths, cli_export_fn fn, const void *ctx);

#endif
