/* Reading an earlier JSON export back for --baseline: the part that bench_base and timeit_base
 * share. The file is untrusted input: its size is capped, jansson parses it with duplicate keys
 * refused, and its "schema" tag must be the one expected. Every refusal comes with a one-line
 * reason for the user.
 * SPDX-License-Identifier: MIT */
#ifndef BASE_JSON_H
#define BASE_JSON_H

#include <jansson.h>
#include <stddef.h>

#define BASE_JSON_MAX_BYTES (256u << 20) /* a larger file is refused */

/* Parse text[0..len-1] as an export whose "schema" is schema ("spyglass-bench/1"); what names
 * its kind in messages ("bench": "not a spyglass bench export"). Returns 0 and *root (caller
 * releases it with json_decref()), or -EINVAL with a one-line reason in why[0..size-1]: not
 * JSON (jansson's message and line, control characters blanked) or another schema. */
int base_json_parse(const char *text, size_t len, const char *schema, const char *what,
                    json_t **root, char *why, size_t size);

/* Read the file at path and parse it as base_json_parse() does. Returns 0 and *root, the
 * negative errno of a failed open or read, or -EINVAL with why (also for a file of
 * BASE_JSON_MAX_BYTES or more). */
int base_json_load(const char *path, const char *schema, const char *what, json_t **root, char *why,
                   size_t size);

/* The times a baseline may hold, in seconds: 0, or from BASE_JSON_MIN_S (far below a clock
 * tick) to BASE_JSON_MAX_S (116 days), so that every ratio of two is finite. */
#define BASE_JSON_MIN_S 1e-12
#define BASE_JSON_MAX_S 1e7

/* Whether v is such a time (finite, 0 or within the bounds above). */
int base_json_seconds(double v);

/* Copy the reason msg into why[0..size-1] (cut to fit). Returns -EINVAL. */
int base_json_fail(char *why, size_t size, const char *msg);

#endif
