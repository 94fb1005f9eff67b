/* Per-version CPython struct offsets (x86_64 Linux) and the _Py_DebugOffsets reader.
 * Values: offsetof() against each version's headers (docs/cpython.md §4); 3.13+: the target's
 * own table (docs/cpython.md §3).
 * SPDX-License-Identifier: MIT */
#include "py_offsets.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* Object headers, str, type and dict objects and the GIL struct: the same in every GIL build of
 * 3.8-3.15 on x86_64 (docs/cpython.md §4; 3.13+ replace what their _Py_DebugOffsets publish).
 * The thread-state links next and interp are at 8 and 16 in 3.8-3.12. */
#define COMMON_FIELDS                                                                              \
    .ob_type = 8, .ob_size = 16, .bytes_sval = 32, .u_length = 16, .u_state = 32,                  \
    .u_kind_shift = 2, .u_compact_bit = 5, .u_ascii_bit = 6, .ts_holds_gil_bit = -1, .ts_next = 8, \
    .ts_interp = 16, .gil_size = GIL_SIZE, .gil_last_holder = 8, .gil_locked = 16,                 \
    .code_tag_mask = ~(uint64_t)0, .local_tag_mask = ~(uint64_t)0, .tp_basicsize = 32,             \
    .tp_flags = 168, .tp_dictoffset = 288, .dict_keys = 32, .dict_values = 40

/* sizeof(struct _gil_runtime_state), GIL builds 3.8-3.15: in 3.14 and 3.15 the interpreter's
 * _code_object_generation follows it, 208 bytes after it (published offsets). */
#define GIL_SIZE 208

/* 3.8-3.10 PyFrameObject: PyObject *f_gen is just before int f_lasti; after f_lasti, f_lineno
 * and f_iblock comes the state byte (char f_executing in 3.8 and 3.9, signed char f_state in
 * 3.10), and a frame is read up to the 8 bytes that hold it. */
#define FO_LASTI_38     104 /* 3.8, 3.9 */
#define FO_LASTI_310    96
#define FO_GEN(lasti)   (-8 + (lasti))
#define FO_STATE(lasti) ((lasti) + 12)
#define FO_READ(lasti)  (FO_STATE(lasti) + 8)

/* Bytes read of a thread state and a code object: up to the end of the last field read. */
#define TS_READ_38  184 /* 3.8-3.10: thread_id is the last */
#define TS_READ_311 312 /* datastack_top is the last */
#define TS_READ_312 248
#define CO_READ_38  128 /* co_lnotab / co_linetable is the last */
#define CO_READ_311 192 /* 3.11, 3.12: the header and the first 8 bytes of inline bytecode */
#define CO_READ_312 200
#define FR_READ_311 72 /* 3.11, 3.12: up to the owner byte and its padding */

/* The readers size their buffers by PY_*_MAX (py_offsets.h): every built-in table fits. */
static_assert(FO_READ(FO_LASTI_38) <= PY_FRAME_MAX && FO_READ(FO_LASTI_310) <= PY_FRAME_MAX,
              "a 3.8-3.10 frame fits the frame buffers");
static_assert(FR_READ_311 <= PY_FRAME_MAX, "a 3.11/3.12 frame fits the frame buffers");
static_assert(TS_READ_38 <= PY_TSTATE_MAX && TS_READ_311 <= PY_TSTATE_MAX &&
                  TS_READ_312 <= PY_TSTATE_MAX,
              "thread states fit the thread-state buffer");
static_assert(CO_READ_38 <= PY_CODE_MAX && CO_READ_311 <= PY_CODE_MAX && CO_READ_312 <= PY_CODE_MAX,
              "code objects fit the code buffer");

/* 3.8 and 3.9 differ in the runtime (3.8's ceval and gilstate are larger), in the interpreter's
 * id (3.9 added runtime before it) and in PyHeapTypeObject. */
static const struct py_offsets table_38 = {
    COMMON_FIELDS,
    .minor = 8,
    .frames = PY_FRAMES_OBJECT,
    .gil = PY_GIL_TSTATE_CURRENT,
    .linetable = PY_LINETABLE_LNOTAB,
    .rt_finalizing = 16,
    .rt_interp_head = 32,
    .rt_main_thread = 72,
    .rt_tstate_current = 1368,
    .rt_gil = 1152,
    .is_next = 0,
    .is_threads_head = 8,
    .is_id = 16, /* after tstate_head */
    .ts_frame = 24,
    .ts_recursion_depth = 32,
    .ts_thread_id = 176,
    .ts_size = TS_READ_38,
    .fr_back = 24,
    .fr_code = 32,
    .fr_instr = FO_LASTI_38,
    .fr_gen = FO_GEN(FO_LASTI_38),
    .fr_state = FO_STATE(FO_LASTI_38),
    .fr_size = FO_READ(FO_LASTI_38),
    .co_firstlineno = 40,
    .co_filename = 104,
    .co_name = 112,
    .co_linetable = 120,
    .co_size = CO_READ_38,
    .u_ascii_size = 48,
    .u_compact_size = 72,
    .dict_layout = PY_DICT_38,
    .fr_localsplus = 360,
    .ht_cached_keys = 872,
};

static const struct py_offsets table_39 = {
    COMMON_FIELDS,
    .minor = 9,
    .frames = PY_FRAMES_OBJECT,
    .gil = PY_GIL_TSTATE_CURRENT,
    .linetable = PY_LINETABLE_LNOTAB,
    .rt_finalizing = 16,
    .rt_interp_head = 32,
    .rt_main_thread = 72,
    .rt_tstate_current = 568,
    .rt_gil = 352,
    .is_next = 0,
    .is_threads_head = 8,
    .is_id = 24, /* after tstate_head and runtime */
    .ts_frame = 24,
    .ts_recursion_depth = 32,
    .ts_thread_id = 176,
    .ts_size = TS_READ_38,
    .fr_back = 24,
    .fr_code = 32,
    .fr_instr = FO_LASTI_38,
    .fr_gen = FO_GEN(FO_LASTI_38),
    .fr_state = FO_STATE(FO_LASTI_38),
    .fr_size = FO_READ(FO_LASTI_38),
    .co_firstlineno = 40,
    .co_filename = 104,
    .co_name = 112,
    .co_linetable = 120,
    .co_size = CO_READ_38,
    .u_ascii_size = 48,
    .u_compact_size = 72,
    .dict_layout = PY_DICT_38,
    .fr_localsplus = 360,
    .ht_cached_keys = 864,
};

/* 3.10: PEP 626 line tables, f_lasti in code units, a shorter frame (f_state). */
static const struct py_offsets table_310 = {
    COMMON_FIELDS,
    .minor = 10,
    .frames = PY_FRAMES_OBJECT,
    .gil = PY_GIL_TSTATE_CURRENT,
    .linetable = PY_LINETABLE_310,
    .rt_finalizing = 16,
    .rt_interp_head = 32,
    .rt_main_thread = 72,
    .rt_tstate_current = 568,
    .rt_gil = 352,
    .is_next = 0,
    .is_threads_head = 8,
    .is_id = 24,
    .ts_frame = 24,
    .ts_recursion_depth = 32,
    .ts_thread_id = 176,
    .ts_size = TS_READ_38,
    .fr_back = 24,
    .fr_code = 32,
    .fr_instr = FO_LASTI_310,
    .fr_gen = FO_GEN(FO_LASTI_310),
    .fr_state = FO_STATE(FO_LASTI_310),
    .fr_size = FO_READ(FO_LASTI_310),
    .co_firstlineno = 40,
    .co_filename = 104,
    .co_name = 112,
    .co_linetable = 120,
    .co_size = CO_READ_38,
    .u_ascii_size = 48,
    .u_compact_size = 72,
    .dict_layout = PY_DICT_38,
    .fr_localsplus = 352,
    .ht_cached_keys = 872,
};

static const struct py_offsets table_311 = {
    COMMON_FIELDS,
    .minor = 11,
    .frames = PY_FRAMES_INTERP,
    .gil = PY_GIL_TSTATE_CURRENT,
    .linetable = PY_LINETABLE_311,
    .rt_finalizing = 24,
    .rt_interp_head = 40,
    .rt_main_thread = 80,
    .rt_tstate_current = 576,
    .rt_gil = 360,
    .is_next = 0,
    .is_threads_head = 16,
    .is_id = 48, /* after threads {next_unique_id, head, count, stacksize} and runtime */
    .ts_cframe = 56,
    .cf_current_frame = 8,
    .ts_thread_id = 152,
    .ts_native_thread_id = 160,
    .ts_datastack_chunk = 296,
    .ts_datastack_top = 304,
    .ts_size = TS_READ_311,
    .fr_code = 32,
    .fr_back = 48,
    .fr_instr = 56,
    .fr_owner = 69,
    .fr_owner_max = 2, /* THREAD, GENERATOR, FRAME_OBJECT */
    .fr_size = FR_READ_311,
    .co_firstlineno = 72,
    .co_filename = 112,
    .co_name = 120,
    .co_qualname = 128,
    .co_linetable = 136,
    .co_firsttraceable = 168,
    .co_code_adaptive = 184,
    .co_size = CO_READ_311,
    .u_ascii_size = 48,
    .u_compact_size = 72,
    .dict_layout = PY_DICT_311,
    .fr_localsplus = 72,
    .ht_cached_keys = 872,
    .pre_dict = 24,
    .pre_values = 32,
};

/* 3.12: the GIL moved into the interpreter, str lost wstr (smaller headers). */
static const struct py_offsets table_312 = {
    COMMON_FIELDS,
    .minor = 12,
    .frames = PY_FRAMES_INTERP,
    .gil = PY_GIL_STRUCT,
    .linetable = PY_LINETABLE_311,
    .rt_finalizing = 24,
    .rt_interp_head = 40,
    .rt_main_thread = 64,
    .is_next = 0,
    .is_threads_head = 72,
    .is_id = 8,
    .is_gil_ptr = 384,
    .ts_status = 24,
    .ts_cframe = 56,
    .cf_current_frame = 0,
    .ts_thread_id = 136,
    .ts_native_thread_id = 144,
    .ts_datastack_chunk = 232,
    .ts_datastack_top = 240,
    .ts_size = TS_READ_312,
    .fr_code = 0,
    .fr_back = 8,
    .fr_instr = 56,
    .fr_owner = 70,
    .fr_owner_max = 3, /* + CSTACK */
    .fr_size = FR_READ_311,
    .co_firstlineno = 68,
    .co_filename = 112,
    .co_name = 120,
    .co_qualname = 128,
    .co_linetable = 136,
    .co_firsttraceable = 176,
    .co_code_adaptive = 192,
    .co_size = CO_READ_312,
    .u_ascii_size = 40,
    .u_compact_size = 56,
    .dict_layout = PY_DICT_312,
    .fr_localsplus = 72,
    .ht_cached_keys = 880,
    .pre_dict = 24,
};

/* Where the 3.13+ reader starts: the common fields, then what _Py_DebugOffsets publishes. */
static const struct py_offsets debug_base = {
    COMMON_FIELDS,
    .frames = PY_FRAMES_INTERP,
    .gil = PY_GIL_STRUCT,
    .linetable = PY_LINETABLE_311,
};

int py_offsets_for_version(unsigned version, struct py_offsets *out)
{
    static const struct py_offsets *const tables[] = {
        [8] = &table_38, [9] = &table_39, [10] = &table_310, [11] = &table_311, [12] = &table_312,
    };
    unsigned major = version >> 24, minor = (version >> 16) & 0xff;

    if (major != 3 || minor < 8 || minor > 12)
        return -ENOTSUP;
    *out = *tables[minor];
    out->version = version;
    return 0;
}

static uint64_t u64_at(const unsigned char *b, size_t off)
{
    uint64_t v;
    memcpy(&v, b + off, sizeof(v));
    return v;
}

/* An offset field of _Py_DebugOffsets; values that do not fit in 24 bits are corrupt and
 * become UINT32_MAX, which no plausibility check accepts. */
static uint32_t off_at(const unsigned char *b, size_t pos)
{
    uint64_t v = u64_at(b, pos);
    return v < (1u << 24) ? (uint32_t)v : UINT32_MAX;
}

/* Positions of the fields inside _Py_DebugOffsets for one minor version (byte offsets into the
 * struct; each group of fields is a run of uint64s). 0 = not published in that version. */
struct dbg_layout {
    size_t size;
    size_t rt_finalizing, rt_interp_head;
    size_t is_size, is_next, is_threads_head, is_gil_ptr, is_gil_state, is_gil_locked,
        is_gil_holder, is_code_generation;
    size_t ts_size, ts_next, ts_interp, ts_frame, ts_base_frame, ts_thread_id, ts_native, ts_chunk,
        ts_status, ts_holds_gil;
    size_t fr_size, fr_back, fr_code, fr_instr, fr_localsplus, fr_owner;
    size_t co_size, co_filename, co_name, co_qualname, co_linetable, co_firstlineno, co_adaptive,
        co_tlbc;
    size_t ob_type;
    size_t tp_size, tp_flags, tp_basicsize, tp_dictoffset;
    size_t ht_size, ht_cached_keys;
    size_t dict_size, dict_keys, dict_values;
    size_t bytes_size, bytes_ob_size, bytes_sval;
    size_t u_size, u_state, u_length, u_ascii_size, u_compact_size;
};

/* sizeof(_Py_DebugOffsets) per minor version; the reader's buffer holds the largest. */
#define DBG_SIZE_313 584
#define DBG_SIZE_314 760
#define DBG_SIZE_315 888
static_assert(DBG_SIZE_313 <= PY_DEBUG_OFFSETS_MAX && DBG_SIZE_314 <= PY_DEBUG_OFFSETS_MAX &&
                  DBG_SIZE_315 <= PY_DEBUG_OFFSETS_MAX,
              "_Py_DebugOffsets fits PY_DEBUG_OFFSETS_MAX");

/* Python 3.13: 584 bytes (groups and their starts: docs/cpython.md §3.1). */
static const struct dbg_layout layout_313 = {
    .size = DBG_SIZE_313,
    .rt_finalizing = 32,
    .rt_interp_head = 40,
    .is_size = 48,
    .is_next = 64,
    .is_threads_head = 72,
    .is_gil_ptr = 112,
    .is_gil_state = 120,
    .is_gil_locked = 136,
    .is_gil_holder = 144,
    .ts_size = 152,
    .ts_next = 168,
    .ts_interp = 176,
    .ts_frame = 184,
    .ts_thread_id = 192,
    .ts_native = 200,
    .ts_chunk = 208,
    .ts_status = 216,
    .fr_size = 224,
    .fr_back = 232,
    .fr_code = 240,
    .fr_instr = 248,
    .fr_localsplus = 256,
    .fr_owner = 264,
    .co_size = 272,
    .co_filename = 280,
    .co_name = 288,
    .co_qualname = 296,
    .co_linetable = 304,
    .co_firstlineno = 312,
    .co_adaptive = 344,
    .ob_type = 360,
    .tp_size = 368,
    .tp_flags = 392,
    .dict_size = 448,
    .dict_keys = 456,
    .dict_values = 464,
    .bytes_size = 512,
    .bytes_ob_size = 520,
    .bytes_sval = 528,
    .u_size = 536,
    .u_state = 544,
    .u_length = 552,
    .u_ascii_size = 560,
};

/* Python 3.14: 760 bytes (docs/cpython.md §3.1). */
static const struct dbg_layout layout_314 = {
    .size = DBG_SIZE_314,
    .rt_finalizing = 32,
    .rt_interp_head = 40,
    .is_size = 48,
    .is_next = 64,
    .is_threads_head = 72,
    .is_gil_ptr = 120,
    .is_gil_state = 128,
    .is_gil_locked = 144,
    .is_gil_holder = 152,
    .is_code_generation = 160,
    .ts_size = 176,
    .ts_next = 192,
    .ts_interp = 200,
    .ts_frame = 208,
    .ts_thread_id = 216,
    .ts_native = 224,
    .ts_chunk = 232,
    .ts_status = 240,
    .fr_size = 248,
    .fr_back = 256,
    .fr_code = 264,
    .fr_instr = 272,
    .fr_localsplus = 280,
    .fr_owner = 288,
    .co_size = 312,
    .co_filename = 320,
    .co_name = 328,
    .co_qualname = 336,
    .co_linetable = 344,
    .co_firstlineno = 352,
    .co_adaptive = 384,
    .co_tlbc = 392,
    .ob_type = 408,
    .tp_size = 416,
    .tp_flags = 440,
    .dict_size = 528,
    .dict_keys = 536,
    .dict_values = 544,
    .bytes_size = 592,
    .bytes_ob_size = 600,
    .bytes_sval = 608,
    .u_size = 616,
    .u_state = 624,
    .u_length = 632,
    .u_ascii_size = 640,
};

/* Python 3.15: 888 bytes (docs/cpython.md §3.1, §12). Re-checked on Debian's
 * 3.15.2 (tests/fixtures/debug_offsets_3.15.2.bin): the new fields are thread_state's base_frame,
 * last_profiled_frame(_seq), holds_gil, gil_requested, current_exception, exc_state; an
 * err_stackitem group; type_object's tp_basicsize and tp_dictoffset; a heap_type_object group;
 * unicode_object's compactunicodeobject_size; gc's frame and generation stats. */
static const struct dbg_layout layout_315 = {
    .size = DBG_SIZE_315,
    .rt_finalizing = 32,
    .rt_interp_head = 40,
    .is_size = 48,
    .is_next = 64,
    .is_threads_head = 72,
    .is_gil_ptr = 120,
    .is_gil_state = 128,
    .is_gil_locked = 144,
    .is_gil_holder = 152,
    .is_code_generation = 160,
    .ts_size = 176,
    .ts_next = 192,
    .ts_interp = 200,
    .ts_frame = 208,
    .ts_base_frame = 216,
    .ts_thread_id = 240,
    .ts_native = 248,
    .ts_chunk = 256,
    .ts_status = 264,
    .ts_holds_gil = 272,
    .fr_size = 312,
    .fr_back = 320,
    .fr_code = 328,
    .fr_instr = 336,
    .fr_localsplus = 344,
    .fr_owner = 352,
    .co_size = 376,
    .co_filename = 384,
    .co_name = 392,
    .co_qualname = 400,
    .co_linetable = 408,
    .co_firstlineno = 416,
    .co_adaptive = 448,
    .co_tlbc = 456,
    .ob_type = 472,
    .tp_size = 480,
    .tp_flags = 504,
    .tp_basicsize = 512,
    .tp_dictoffset = 520,
    .ht_size = 528,
    .ht_cached_keys = 536,
    .dict_size = 624,
    .dict_keys = 632,
    .dict_values = 640,
    .bytes_size = 688,
    .bytes_ob_size = 696,
    .bytes_sval = 704,
    .u_size = 712,
    .u_state = 720,
    .u_length = 728,
    .u_ascii_size = 736,
    .u_compact_size = 744,
};

/* A field of width bytes at off lies inside a struct of size bytes. */
static int fits(uint64_t off, uint64_t width, uint64_t size)
{
    return off <= size && width <= size - off;
}

/* Every field the readers use must lie inside its struct (whose size the target publishes,
 * and which must fit the readers' buffers): a corrupt or hostile target is refused here rather
 * than read out of bounds later. */
static int plausible(const struct py_offsets *o, uint64_t rt_size, uint64_t is_size,
                     uint64_t ts_size, uint64_t fr_size, uint64_t co_size)
{
    if (rt_size < 64 || is_size < 1024 || is_size > (1u << 24) || ts_size < 64 ||
        ts_size > PY_TSTATE_MAX || fr_size < 48 || fr_size > PY_FRAME_MAX || co_size < 64 ||
        co_size > PY_CODE_MAX)
        return 0;
    int ok = fits(o->rt_finalizing, 8, rt_size) && fits(o->rt_interp_head, 8, rt_size);
    ok = ok && fits(o->is_next, 8, is_size) && fits(o->is_threads_head, 8, is_size) &&
         fits(o->is_id, 8, is_size) && fits(o->is_gil_ptr, 8, is_size) &&
         fits(o->is_code_generation, 8, is_size) && fits(o->gil_locked, 4, 256) &&
         fits(o->gil_last_holder, 8, 256);
    ok = ok && fits(o->ts_next, 8, ts_size) && fits(o->ts_interp, 8, ts_size) &&
         fits(o->ts_frame, 8, ts_size) && fits(o->ts_thread_id, 8, ts_size) &&
         fits(o->ts_native_thread_id, 8, ts_size) && fits(o->ts_datastack_chunk, 8, ts_size) &&
         fits(o->ts_datastack_top, 8, ts_size) && fits(o->ts_status, 4, ts_size) &&
         fits(o->ts_holds_gil, 4, ts_size) && fits(o->ts_base_frame, 8, ts_size);
    ok = ok && fits(o->fr_back, 8, fr_size) && fits(o->fr_code, 8, fr_size) &&
         fits(o->fr_instr, 8, fr_size) && fits(o->fr_owner, 1, fr_size);
    ok = ok && fits(o->co_filename, 8, co_size) && fits(o->co_name, 8, co_size) &&
         fits(o->co_qualname, 8, co_size) && fits(o->co_linetable, 8, co_size) &&
         fits(o->co_firstlineno, 4, co_size) && o->co_code_adaptive >= 24 &&
         fits(o->co_code_adaptive, 0, co_size) && fits(o->co_firsttraceable, 4, co_size);
    /* Object headers: ob_type and ob_size are read from code and bytes objects. */
    ok = ok && fits(o->ob_type, 8, 64) && fits(o->ob_size, 8, 64) && fits(o->bytes_sval, 0, 64);
    /* str headers are read whole into a 128-byte buffer (py_str_read). */
    return ok && o->u_ascii_size <= 96 && fits(o->u_length, 8, o->u_ascii_size) &&
           fits(o->u_state, 4, o->u_ascii_size) && o->u_compact_size > o->u_ascii_size &&
           o->u_compact_size <= 112;
}

static void apply_layout(const unsigned char *b, const struct dbg_layout *l, struct py_offsets *o)
{
    o->rt_finalizing = off_at(b, l->rt_finalizing);
    o->rt_interp_head = off_at(b, l->rt_interp_head);
    o->is_next = off_at(b, l->is_next);
    o->is_threads_head = off_at(b, l->is_threads_head);
    o->is_id = off_at(b, l->is_size + 8); /* interpreter_state: size, id, next, ... */
    o->is_gil_ptr = off_at(b, l->is_gil_ptr);
    uint32_t gil = off_at(b, l->is_gil_state);
    uint32_t locked = off_at(b, l->is_gil_locked), holder = off_at(b, l->is_gil_holder);
    o->gil_locked = locked >= gil ? locked - gil : UINT32_MAX;
    o->gil_last_holder = holder >= gil ? holder - gil : UINT32_MAX;
    o->is_code_generation = l->is_code_generation ? off_at(b, l->is_code_generation) : 0;
    o->ts_next = off_at(b, l->ts_next);
    o->ts_interp = off_at(b, l->ts_interp);
    o->ts_frame = off_at(b, l->ts_frame);
    o->ts_thread_id = off_at(b, l->ts_thread_id);
    o->ts_native_thread_id = off_at(b, l->ts_native);
    o->ts_datastack_chunk = off_at(b, l->ts_chunk);
    /* Not published: datastack_top follows datastack_chunk (3.11-3.15, docs/frame-wholeness.md). */
    o->ts_datastack_top =
        o->ts_datastack_chunk != UINT32_MAX ? o->ts_datastack_chunk + 8 : UINT32_MAX;
    o->ts_status = off_at(b, l->ts_status);
    o->ts_holds_gil = l->ts_holds_gil ? off_at(b, l->ts_holds_gil) : 0;
    o->ts_base_frame = l->ts_base_frame ? off_at(b, l->ts_base_frame) : 0;
    o->fr_back = off_at(b, l->fr_back);
    o->fr_code = off_at(b, l->fr_code);
    o->fr_instr = off_at(b, l->fr_instr);
    o->fr_owner = off_at(b, l->fr_owner);
    o->co_filename = off_at(b, l->co_filename);
    o->co_name = off_at(b, l->co_name);
    o->co_qualname = off_at(b, l->co_qualname);
    o->co_linetable = off_at(b, l->co_linetable);
    o->co_firstlineno = off_at(b, l->co_firstlineno);
    o->co_code_adaptive = off_at(b, l->co_adaptive);
    uint32_t tlbc = l->co_tlbc ? off_at(b, l->co_tlbc) : 0;
    /* _co_firsttraceable is not published: it sits 16 bytes before the inline bytecode, or
     * before co_tlbc in free-threaded 3.14 (docs/cpython.md §3.3, §6.6; re-checked live on
     * 3.15.2: the int at 192 is the index of RESUME, 2 in a generator). */
    uint32_t before = tlbc ? tlbc : o->co_code_adaptive;
    o->co_firsttraceable = before >= 16 && before != UINT32_MAX ? before - 16 : UINT32_MAX;
    o->ob_type = off_at(b, l->ob_type);
    o->ob_size = off_at(b, l->bytes_ob_size);
    o->bytes_sval = off_at(b, l->bytes_sval);
    o->u_state = off_at(b, l->u_state);
    o->u_length = off_at(b, l->u_length);
    o->u_ascii_size = off_at(b, l->u_ascii_size);
    if (l->u_compact_size)
        o->u_compact_size = off_at(b, l->u_compact_size);
    else /* 3.13, 3.14: two more words after PyASCIIObject (utf8_length, utf8) */
        o->u_compact_size = o->u_ascii_size <= 96 ? o->u_ascii_size + 16 : UINT32_MAX;
}

/* Instance attributes (thread names), 3.13+ GIL builds: the frame's locals, tp_flags and the
 * dict fields are published, and from 3.15 on tp_basicsize, tp_dictoffset and ht_cached_keys
 * too; before, these are hard-coded from the 3.13.0 and 3.14 headers (PyTypeObject and
 * PyHeapTypeObject are unchanged up to ht_cached_keys). MANAGED_DICT_OFFSET is -24 and
 * PyDictValues has an 8-byte header in all three (re-checked live on 3.15.2: a Thread's inline
 * values, their header and its _name slot). An implausible value only turns thread names off.
 * Free-threaded builds (other object headers, untested) have none. */
static void debug_dict(const unsigned char *b, const struct dbg_layout *l, uint64_t fr_size,
                       struct py_offsets *o)
{
    uint32_t locals = off_at(b, l->fr_localsplus), flags = off_at(b, l->tp_flags);
    uint32_t keys = off_at(b, l->dict_keys), values = off_at(b, l->dict_values);
    uint64_t tp_size = u64_at(b, l->tp_size), dict_size = u64_at(b, l->dict_size);
    uint32_t basicsize = l->tp_basicsize ? off_at(b, l->tp_basicsize) : o->tp_basicsize;
    uint32_t dictoffset = l->tp_dictoffset ? off_at(b, l->tp_dictoffset) : o->tp_dictoffset;
    uint32_t cached = l->ht_cached_keys ? off_at(b, l->ht_cached_keys) : 880;
    uint64_t ht_size = l->ht_size ? u64_at(b, l->ht_size) : cached + 8;

    if (o->free_threaded || !fits(locals, 8, fr_size) || tp_size < 300 || tp_size > 1024 ||
        !fits(flags, 8, tp_size) || !fits(basicsize, 8, tp_size) || !fits(dictoffset, 8, tp_size) ||
        ht_size > 1024 || ht_size < tp_size || cached < tp_size || !fits(cached, 8, ht_size) ||
        dict_size > 256 || !fits(keys, 8, dict_size) || !fits(values, 8, dict_size))
        return;
    o->dict_layout = PY_DICT_313;
    o->fr_localsplus = locals;
    o->local_tag_mask = o->code_tag_mask;
    o->tp_flags = flags;
    o->tp_basicsize = basicsize;
    o->tp_dictoffset = dictoffset;
    o->dict_keys = keys;
    o->dict_values = values;
    o->dict_values_off = 8;
    o->ht_cached_keys = cached;
    o->pre_dict = 24;
}

int py_offsets_from_debug(const void *buf, size_t len, struct py_offsets *out)
{
    const unsigned char *b = buf;
    const struct dbg_layout *l;
    struct py_offsets o;

    if (len < 24 || memcmp(b, "xdebugpy", 8) != 0)
        return -EINVAL;
    uint64_t version = u64_at(b, 8), ft = u64_at(b, 16);
    unsigned minor = (unsigned)(version >> 16) & 0xff;
    if ((version >> 24) != 3 || ft > 1)
        return -EINVAL;
    if (minor == 13)
        l = &layout_313;
    else if (minor == 14)
        l = &layout_314;
    else if (minor == 15)
        l = &layout_315;
    else
        return -ENOTSUP;
    if (len < l->size)
        return -EINVAL;
    o = debug_base;
    o.version = (unsigned)version;
    o.minor = minor;
    o.free_threaded = (int)ft;
    apply_layout(b, l, &o);
    /* Frame owners: THREAD, GENERATOR, FRAME_OBJECT, then 3.13 CSTACK; 3.14 INTERPRETER,
     * CSTACK; 3.15 INTERPRETER (CSTACK is gone: the base frame and C entry frames are owned by
     * the interpreter). Re-checked live on 3.15.2: every thread's chain ends at
     * tstate->base_frame, which is tstate + 888 (the end of PyThreadState), owner 3, previous
     * NULL; no owner above 3 was seen. */
    o.fr_owner_max = minor == 14 ? 4 : 3;
    if (minor == 13) {
        o.ts_holds_gil_bit = 5; /* _status.holds_gil */
    } else {
        if (minor == 14 && o.ts_status < UINT32_MAX - 4)
            o.ts_holds_gil = o.ts_status + 4; /* int holds_gil after the _status word */
        o.code_tag_mask = ~(uint64_t)3;       /* f_executable is a _PyStackRef */
        if (ft) { /* 3.14t (and 3.15t, not seen: none could be had here): interned is a byte */
            o.u_kind_shift = 8;
            o.u_compact_bit = 11;
            o.u_ascii_bit = 12;
        }
    }
    uint64_t is_size = u64_at(b, l->is_size), ts_size = u64_at(b, l->ts_size);
    uint64_t fr_size = u64_at(b, l->fr_size), co_size = u64_at(b, l->co_size);
    if (!plausible(&o, u64_at(b, 24), is_size, ts_size, fr_size, co_size))
        return -EINVAL;
    debug_dict(b, l, fr_size, &o);
    /* Read whole structs, sized as the target reports them. */
    o.ts_size = (uint32_t)ts_size;
    o.fr_size = (uint32_t)fr_size;
    o.co_size = (uint32_t)co_size;
    *out = o;
    return 0;
}

void py_offsets_version_str(const struct py_offsets *o, char *buf, size_t len)
{
    unsigned v = o->version, level = (v >> 4) & 0xf, serial = v & 0xf;
    const char *tag = level == 0xa ? "a" : level == 0xb ? "b" : level == 0xc ? "rc" : "";
    if (level == 0xf || !tag[0])
        snprintf(buf, len, "%u.%u.%u%s", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff,
                 o->free_threaded ? "t" : "");
    else
        snprintf(buf, len, "%u.%u.%u%s%u%s", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff, tag,
                 serial, o->free_threaded ? "t" : "");
}
