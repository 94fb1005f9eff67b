/* Baselines for `spyglass bench --baseline FILE.json`: the raw wall times of every command of
 * an earlier JSON export (schema spyglass-bench/1), looked up by command name.
 * SPDX-License-Identifier: MIT */
#ifndef BENCH_BASE_H
#define BENCH_BASE_H

#include <stddef.h>

struct bench_base;

/* Parse an export held in text[0..len-1]. Returns 0, or -EINVAL when it is not JSON or not a
 * spyglass bench export; then why[0..size-1] receives a one-line reason. On success *out is
 * the baseline; caller frees with bench_base_free(). */
int bench_base_parse(const char *text, size_t len, struct bench_base **out, char *why, size_t size);

/* Read and parse the file at path. Returns 0, a negative errno when it cannot be read, or
 * -EINVAL as bench_base_parse(). */
int bench_base_load(const char *path, struct bench_base **out, char *why, size_t size);

/* The wall times (seconds) of the command called name, or NULL when the baseline has no such
 * command or it has no runs. *n receives the count. Valid until bench_base_free(). */
const double *bench_base_times(const struct bench_base *b, const char *name, size_t *n);

/* Accepts NULL. */
void bench_base_free(struct bench_base *b);

#endif
