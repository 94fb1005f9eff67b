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

#endif
