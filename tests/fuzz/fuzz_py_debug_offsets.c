/* libFuzzer harness for py_offsets_from_debug(): hostile _Py_DebugOffsets must never be read
 * out of bounds; a success holds what the readers need, and the decoded str layout is then
 * used on a fuzzed str header as py_str_read() does.
 * Input: a mode byte, then the bytes at _PyRuntime (up to PY_DEBUG_OFFSETS_MAX; those from
 * STR_AT on double as a str header). Modes 0-2 and 4 force a valid header (3.13, 3.14, 3.14t,
 * 3.15) over the first 24 bytes so most inputs get past it; modes 3 and 5-7 keep them.
 * A decode that succeeds with offsets outside the structs they index aborts (FUZZ_STRICT=0 in
 * the environment skips such inputs instead, to look past one).
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "py_offsets.h"
#include "py_str.h"

#define STR_AT 888 /* sizeof(_Py_DebugOffsets) in 3.15, the largest layout known */

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int strict;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *v = getenv("FUZZ_STRICT");

    (void)argc;
    (void)argv;
    strict = !(v && v[0] == '0');
    return 0;
}

/* Does [off, off + width) lie inside a struct of size bytes? */
static int inside(uint64_t off, uint64_t width, uint64_t size)
{
    return off + width <= size;
}

/* Every field the readers index their buffers with lies inside the bytes they read. */
static int covered(const struct py_offsets *o)
{
    return inside(o->ts_next, 8, o->ts_size) && inside(o->ts_interp, 8, o->ts_size) &&
           inside(o->ts_frame, 8, o->ts_size) && inside(o->ts_thread_id, 8, o->ts_size) &&
           inside(o->ts_native_thread_id, 8, o->ts_size) &&
           inside(o->ts_datastack_chunk, 8, o->ts_size) && inside(o->ts_status, 4, o->ts_size) &&
           inside(o->ts_holds_gil, 4, o->ts_size) && inside(o->ts_base_frame, 8, o->ts_size) &&
           inside(o->fr_back, 8, o->fr_size) && inside(o->fr_code, 8, o->fr_size) &&
           inside(o->fr_instr, 8, o->fr_size) && inside(o->fr_owner, 1, o->fr_size) &&
           inside(o->ob_type, 8, o->co_size) && inside(o->ob_size, 8, o->co_size) &&
           inside(o->co_filename, 8, o->co_size) && inside(o->co_name, 8, o->co_size) &&
           inside(o->co_qualname, 8, o->co_size) && inside(o->co_linetable, 8, o->co_size) &&
           inside(o->co_firstlineno, 4, o->co_size) &&
           inside(o->co_firsttraceable, 4, o->co_size) && o->co_code_adaptive <= o->co_size &&
           inside(o->u_length, 8, o->u_compact_size) && inside(o->u_state, 4, o->u_compact_size) &&
           o->u_ascii_size < o->u_compact_size;
}

/* What a successful decode promises on its own. */
static void check_decoded(const struct py_offsets *o)
{
    if ((o->version >> 24) != 3 || o->minor < 13 || o->minor > 15 ||
        ((o->version >> 16) & 0xff) != o->minor || (o->free_threaded & ~1) != 0)
        abort();
    if (o->frames != PY_FRAMES_INTERP || o->gil != PY_GIL_STRUCT ||
        o->linetable != PY_LINETABLE_311)
        abort();
    if (o->ts_size > PY_TSTATE_MAX || o->fr_size > PY_FRAME_MAX || o->co_size > PY_CODE_MAX)
        abort();
    if (o->fr_owner_max < 3 || o->fr_owner_max > 4 || (o->ts_base_frame && o->minor < 15))
        abort();
    if (o->ts_next >= o->ts_size || o->ts_frame >= o->ts_size || o->fr_back >= o->fr_size ||
        o->fr_owner >= o->fr_size || o->co_name >= o->co_size || o->co_filename >= o->co_size)
        abort();
}

/* Use the decoded layout on the str object in obj (avail bytes), as py_str_read() does. */
static void use_str_layout(const struct py_offsets *o, const uint8_t *obj, size_t avail)
{
    uint32_t off, length;
    unsigned kind;
    char out[64];

    if (o->u_compact_size > 128 || avail < o->u_compact_size)
        return;
    uint8_t *h = malloc(avail); /* exact size: ASan sees reads past the object */
    if (!h)
        return;
    memcpy(h, obj, avail);
    if (py_str_layout(o, h, o->u_compact_size, &off, &kind, &length) == 0) {
        if ((kind != 1 && kind != 2 && kind != 4) || length > PY_STR_MAX_CHARS)
            abort();
        if (off != o->u_ascii_size && off != o->u_compact_size)
            abort();
        size_t n = avail - off; /* off < u_compact_size <= avail */
        uint32_t k = length < n / kind ? length : (uint32_t)(n / kind);
        if (py_str_to_utf8(h + off, kind, k, out, sizeof(out)) >= sizeof(out))
            abort();
    }
    free(h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint64_t versions[5] = {0x030d00f0, 0x030e0af0, 0x030e0af0, 0, 0x030f02f0};
    struct py_offsets o;
    unsigned mode;

    if (size < 1)
        return 0;
    mode = data[0] & 7;
    data++;
    size--;
    if (size > PY_DEBUG_OFFSETS_MAX)
        size = PY_DEBUG_OFFSETS_MAX;
    /* An exact-size copy, so that ASan sees any read past len. */
    uint8_t *b = malloc(size ? size : 1);
    if (!b)
        return 0;
    memcpy(b, data, size);
    if ((mode < 3 || mode == 4) && size >= 24) {
        uint64_t ft = mode == 2;
        memcpy(b, "xdebugpy", 8);
        memcpy(b + 8, &versions[mode], 8);
        memcpy(b + 16, &ft, 8);
    }
    memset(&o, 0xa5, sizeof(o));
    int err = py_offsets_from_debug(b, size, &o);
    if (err != 0 && err != -EINVAL && err != -ENOTSUP)
        abort();
    if (err != 0 && o.minor != 0xa5a5a5a5u) /* written only on success */
        abort();
    if (err == 0) {
        check_decoded(&o);
        if (!covered(&o)) {
            if (strict)
                abort();
        } else if (size > STR_AT) {
            use_str_layout(&o, data + STR_AT, size - STR_AT);
        }
    }
    free(b);
    return 0;
}
