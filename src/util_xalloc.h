/* Allocation that never returns NULL: on out of memory it prints one line and aborts (htop, jq).
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_XALLOC_H
#define UTIL_XALLOC_H

#include <stddef.h>

/* malloc/calloc/realloc/strdup/strndup that abort with one line on failure. */
void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array: returns p resized to nmemb*size, aborting on overflow or failure. */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* The out-of-memory end of the above: one line naming n bytes, then abort. For a size that
 * overflows (n = SIZE_MAX), e.g. util_vec's capacities. */
void xalloc_fail(size_t n) __attribute__((noreturn));

#endif
