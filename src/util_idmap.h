/* A map from 64-bit keys to dense 32-bit ids (0, 1, 2... in order of first insertion), with
 * open addressing: the dedup tables of writers (functions, call paths, caller edges).
 * SPDX-License-Identifier: MIT */
#ifndef UTIL_IDMAP_H
#define UTIL_IDMAP_H

#include <stdint.h>

struct idmap {
    uint64_t *keys; /* cap slots */
    uint32_t *ids;  /* id + 1 per slot; 0: empty */
    uint32_t cap;   /* a power of two */
    uint32_t n;     /* ids given */
};

/* Embedded object: idmap_init makes an empty map, idmap_destroy frees it. */
void idmap_init(struct idmap *m);
void idmap_destroy(struct idmap *m);
/* The id of key; a key not seen before gets the next id (m->n before the call) and *added is
 * set to 1 (else 0; added may be NULL). */
uint32_t idmap_get(struct idmap *m, uint64_t key, int *added);

#endif
