/* libFuzzer harness for py_async_parse(): a hostile .AsyncioDebug section and _Py_DebugOffsets
 * must never be read out of bounds, and a success must hold what the task walk relies on (every
 * field inside its struct, the structs no larger than its buffers).
 * Input: a mode byte, the 104 bytes of the section, then the bytes at _PyRuntime (up to 1024).
 * Mode bit 0 forces a 3.14 or 3.15 header (bit 1) over the first 24 of those, so that most
 * inputs get past it; bit 2 keeps the interpreter's offsets the fuzzed bytes decode to, else a
 * 3.14/3.15 frame layout is used as the unwinder's.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "py_async.h"
#include "py_offsets.h"

#define DBG_MAX 1024

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(uint64_t off, uint64_t width, uint64_t size)
{
    return off + width <= size;
}

static void check(const struct py_offsets *o, const struct py_async_offsets *f)
{
    if (f->minor != o->minor || f->task_size > 4096 || f->task_size < 64)
        abort();
    if (!inside(f->task_name, 8, f->task_size) || !inside(f->task_awaited_by, 8, f->task_size) ||
        !inside(f->task_is_task, 1, f->task_size) || !inside(f->task_is_set, 1, f->task_size) ||
        !inside(f->task_coro, 8, f->task_size) || !inside(f->task_node, 16, f->task_size))
        abort();
    /* A coroutine is read into 512 bytes: its state and its whole frame must be in them. */
    if (!inside(f->gi_state, 1, 512) || !inside(f->gi_iframe, o->fr_size, 512) ||
        !inside(f->fr_stackpointer, 8, o->fr_size))
        abort();
    if (f->awaitee_slot < 1 || f->awaitee_slot > 2 || f->st_executing == f->st_yield_from)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct py_offsets o;
    struct py_async_offsets f;
    unsigned char sec[PY_ASYNC_DEBUG_SIZE];

    if (size < 1 + sizeof(sec))
        return 0;
    unsigned mode = data[0];
    memcpy(sec, data + 1, sizeof(sec));
    data += 1 + sizeof(sec);
    size -= 1 + sizeof(sec);
    if (size > DBG_MAX)
        size = DBG_MAX;
    uint8_t *b = malloc(size ? size : 1); /* exact size: ASan sees reads past it */
    if (!b)
        return 0;
    memcpy(b, data, size);
    uint64_t version = mode & 2 ? 0x030f02f0 : 0x030e0af0, ft = 0;
    if ((mode & 1) && size >= 24) {
        memcpy(b, "xdebugpy", 8);
        memcpy(b + 8, &version, 8);
        memcpy(b + 16, &ft, 8);
    }
    memset(&o, 0, sizeof(o));
    if (!(mode & 4) || py_offsets_from_debug(b, size, &o) != 0) {
        o.minor = mode & 2 ? 15 : 14; /* the frame layout of both (docs/cpython.md §12) */
        o.frames = PY_FRAMES_INTERP;
        o.fr_size = 88;
        o.fr_back = 8;
        o.fr_code = 0;
        o.fr_instr = 56;
        o.fr_owner = 74;
    }
    memset(&f, 0xa5, sizeof(f));
    int err = py_async_parse(&o, b, size, sec, sizeof(sec), &f);
    if (err != 0 && err != -EINVAL && err != -ENOTSUP)
        abort();
    if (err != 0 && f.minor != 0xa5a5a5a5u) /* written only on success */
        abort();
    if (err == 0)
        check(&o, &f);
    free(b);
    return 0;
}
