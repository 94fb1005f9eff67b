/* Baselines for `spyglass timeit --baseline FILE.json`: the per-loop values of every benchmark
 * of an earlier JSON export (schema spyglass-timeit/1), grouped by worker, looked up by
 * statement and interpreter name.
 * SPDX-License-Identifier: MIT */
#ifndef TIMEIT_BASE_H
#define TIMEIT_BASE_H

#include <stddef.h>

#include "stats_nested.h"

struct timeit_base;

/* Parse an export held in text[0..len-1]. Returns 0, or -EINVAL when it is not JSON or not a
 * well-formed spyglass timeit export; then why[0..size-1] receives a one-line reason. On
 * success *out is the baseline; caller frees with timeit_base_free(). */
int timeit_base_parse(const char *text, size_t len, struct timeit_base **out, char *why,
                      size_t size);

/* Read and parse the file at path. Returns 0, a negative errno when it cannot be read, or
 * -EINVAL as timeit_base_parse() (also for a file of 256 MiB or more). */
int timeit_base_load(const char *path, struct timeit_base **out, char *why, size_t size);

/* The values of statement stmt on the interpreter named python (the export's "name", e.g.
 * "3.11.7") into *out: one cluster per worker that has values, per-loop seconds, in the
 * export's order. Returns 0, or -ENOENT when the baseline has no such benchmark or it has no
 * value (*out untouched). The arrays are valid until timeit_base_free(). When the export
 * holds the pair twice, the first with values counts. */
int timeit_base_find(const struct timeit_base *b, const char *stmt, const char *python,
                     struct stats_clusters *out);

/* Accepts NULL. */
void timeit_base_free(struct timeit_base *b);

#endif
