/* Unit tests for py_offsets. The built-in 3.8-3.12 tables: the lookup picks each minor
 * version's own and refuses others; each has its version's kinds and the shape its structs'
 * declarations give (field order, neighbours, bytes read); and where a struct did not change
 * they equal what real 3.13.0, 3.14.10 and 3.15.2 targets publish in _Py_DebugOffsets
 * (fixtures/debug_offsets_*.bin, written by fixtures/gen_debug_offsets.sh). The reader of those
 * real tables: every field against the group layout of docs/cpython.md §3.1, shapes and kinds,
 * and Debian's 3.15.2 debug build; 3.14 / 3.14t images built from the values of 3.14.10 and of
 * a 3.14t compiled from its headers (make_314), corrupt and hostile inputs, the version string.
 * Every field a walk reads is also checked against real memory by test_unwind_real.
 * SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "py_offsets.h"
#include "suites.h"
#include "test.h"

#define V(minor, micro, level, serial)                                   \
    ((3u << 24) | ((unsigned)(minor) << 16) | ((unsigned)(micro) << 8) | \
     ((unsigned)(level) << 4) | (unsigned)(serial))

static void put_u64(unsigned char *b, size_t off, uint64_t v)
{
    memcpy(b + off, &v, sizeof(v));
}

/* Write n uint64 fields starting at byte off (one group of _Py_DebugOffsets). */
static void put_group(unsigned char *b, size_t off, const uint64_t *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put_u64(b, off + 8 * i, v[i]);
}

/* A struct read with size bytes must hold the field at off of width w. */
#define INSIDE(off, w, size) ((uint64_t)(off) + (w) <= (uint64_t)(size))

/* What the readers rely on: every field they use lies inside the bytes they read. */
static void check_coverage(const struct py_offsets *o)
{
    TEST_CHECK(INSIDE(o->ts_next, 8, o->ts_size) && INSIDE(o->ts_interp, 8, o->ts_size));
    TEST_CHECK(INSIDE(o->ts_thread_id, 8, o->ts_size));
    TEST_CHECK(INSIDE(o->ts_frame, 8, o->ts_size) && INSIDE(o->ts_cframe, 8, o->ts_size));
    TEST_CHECK(INSIDE(o->ts_native_thread_id, 8, o->ts_size));
    TEST_CHECK(INSIDE(o->ts_datastack_chunk, 8, o->ts_size));
    TEST_CHECK(INSIDE(o->ts_status, 4, o->ts_size) && INSIDE(o->ts_holds_gil, 4, o->ts_size));
    TEST_CHECK(INSIDE(o->fr_back, 8, o->fr_size) && INSIDE(o->fr_code, 8, o->fr_size));
    TEST_CHECK(INSIDE(o->fr_instr, 4, o->fr_size) && INSIDE(o->fr_owner, 1, o->fr_size));
    TEST_CHECK(INSIDE(o->co_filename, 8, o->co_size) && INSIDE(o->co_name, 8, o->co_size));
    TEST_CHECK(INSIDE(o->co_qualname, 8, o->co_size) && INSIDE(o->co_linetable, 8, o->co_size));
    TEST_CHECK(INSIDE(o->co_firstlineno, 4, o->co_size) && INSIDE(o->ob_type, 8, o->co_size));
    TEST_CHECK(INSIDE(o->co_firsttraceable, 4, o->co_size) && INSIDE(o->ob_size, 8, o->co_size));
    TEST_CHECK(o->co_code_adaptive <= o->co_size);
    TEST_CHECK(INSIDE(o->u_length, 8, o->u_compact_size));
    TEST_CHECK(INSIDE(o->u_state, 4, o->u_compact_size));
    TEST_CHECK(o->u_ascii_size < o->u_compact_size);
    /* The readers' buffers are sized by these. */
    TEST_CHECK(o->ts_size <= PY_TSTATE_MAX && o->fr_size <= PY_FRAME_MAX);
    TEST_CHECK(o->co_size <= PY_CODE_MAX);
    /* py_dict reads a type object up to ht_cached_keys into a 1 KiB buffer, a dict object up
     * to its keys and values pointers into 256 bytes. */
    if (o->dict_layout != PY_DICT_NONE) {
        TEST_CHECK(o->fr_localsplus >= 48 && o->fr_localsplus <= 512);
        TEST_CHECK(o->tp_flags + 8 <= o->ht_cached_keys &&
                   o->tp_basicsize + 8 <= o->ht_cached_keys);
        TEST_CHECK(o->tp_dictoffset + 8 <= o->ht_cached_keys && o->ht_cached_keys + 8 <= 1024);
        TEST_CHECK(o->dict_keys + 8 <= 256 && o->dict_values + 8 <= 256);
        TEST_CHECK(o->dict_layout < PY_DICT_311 || o->pre_dict == 24);
    }
}

static uint64_t get_u64(const unsigned char *b, size_t off)
{
    uint64_t v;
    memcpy(&v, b + off, sizeof(v));
    return v;
}

/* What the struct declarations make of any table, built-in or decoded from a real
 * _Py_DebugOffsets: fields in the order their struct declares them, neighbours 8 bytes apart,
 * the bytes read ending at the last field read (docs/cpython.md §4-§9). A number mistyped in a
 * table breaks one of these unless it is shifted with all its neighbours. GIL builds. */
static void check_shape(const struct py_offsets *o)
{
    unsigned m = o->minor;

    /* PyObject {ob_refcnt, ob_type}, PyVarObject + ob_size, PyBytesObject + ob_shash, ob_sval */
    TEST_EQ_INT(o->ob_size, o->ob_type + 8);
    TEST_EQ_INT(o->bytes_sval, o->ob_size + 16);
    /* PyASCIIObject {PyObject, length, hash, state, [wstr up to 3.11]}; PyCompactUnicodeObject
     * + utf8_length, utf8, [wstr_length up to 3.11] (§8) */
    TEST_EQ_INT(o->u_length, o->ob_type + 8);
    TEST_EQ_INT(o->u_state, o->u_length + 16);
    TEST_EQ_INT(o->u_ascii_size, o->u_state + (m <= 11 ? 16 : 8));
    TEST_EQ_INT(o->u_compact_size, o->u_ascii_size + (m <= 11 ? 24 : 16));
    /* PyTypeObject: tp_basicsize ... tp_flags ... tp_dictoffset, then PyHeapTypeObject's
     * ht_cached_keys; PyDictObject: ma_keys, ma_values (§9.1) */
    TEST_CHECK(o->tp_basicsize < o->tp_flags && o->tp_flags < o->tp_dictoffset);
    TEST_CHECK(o->dict_layout == PY_DICT_NONE || o->tp_dictoffset < o->ht_cached_keys);
    TEST_EQ_INT(o->dict_values, o->dict_keys + 8);
    /* _PyRuntimeState: finalizing, interpreters.head, main_thread; up to 3.11 ceval ends with
     * the embedded GIL and gilstate {int check_enabled, tstate_current} follows (§5.5) */
    TEST_CHECK(o->rt_finalizing < o->rt_interp_head);
    if (m <= 12)
        TEST_CHECK(o->rt_interp_head < o->rt_main_thread);
    if (o->gil == PY_GIL_TSTATE_CURRENT) {
        TEST_CHECK(o->rt_main_thread < o->rt_gil);
        TEST_EQ_INT(o->rt_tstate_current, o->rt_gil + o->gil_size + 8);
    }
    /* PyInterpreterState: next first up to 3.12, the thread list after it (§5.1, §5.2) */
    if (m <= 12)
        TEST_EQ_INT(o->is_next, 0);
    if (m <= 11)
        TEST_CHECK(o->is_threads_head < o->is_id);
    else if (m == 12)
        TEST_CHECK(o->is_id < o->is_threads_head && o->is_threads_head < o->is_gil_ptr);
    else
        TEST_CHECK(o->is_gil_ptr < o->is_next && o->is_next < o->is_threads_head);
    /* PyThreadState {prev, next, interp, ...} (§5) */
    TEST_EQ_INT(o->ts_next, 8);
    TEST_EQ_INT(o->ts_interp, o->ts_next + 8);
    if (m <= 10) { /* ... frame, recursion_depth, ..., thread_id: read up to it */
        TEST_EQ_INT(o->ts_frame, o->ts_interp + 8);
        TEST_EQ_INT(o->ts_recursion_depth, o->ts_frame + 8);
        TEST_CHECK(o->ts_recursion_depth < o->ts_thread_id);
        TEST_EQ_INT(o->ts_size, o->ts_thread_id + 8);
    } else { /* ... [_status 3.12+], cframe or current_frame, ..., thread_id, native_thread_id,
              * ..., datastack_chunk, datastack_top (§6.4) */
        uint32_t frame = m <= 12 ? o->ts_cframe : o->ts_frame;
        TEST_CHECK(o->ts_interp < frame && frame < o->ts_thread_id);
        TEST_CHECK(m == 11 || (o->ts_interp < o->ts_status && o->ts_status < frame));
        TEST_EQ_INT(o->ts_native_thread_id, o->ts_thread_id + 8);
        TEST_CHECK(o->ts_native_thread_id < o->ts_datastack_chunk);
        TEST_EQ_INT(o->ts_datastack_top, o->ts_datastack_chunk + 8);
        if (m <= 12)
            TEST_EQ_INT(o->ts_size, o->ts_datastack_top + 8);
        else
            TEST_CHECK(o->ts_datastack_top + 8 <= o->ts_size);
    }
    if (m >= 14) /* int holds_gil right after the _status word (§5.5) */
        TEST_EQ_INT(o->ts_holds_gil, o->ts_status + 4);
    if (m >= 15) /* base_frame right after current_frame (§6.5) */
        TEST_EQ_INT(o->ts_base_frame, o->ts_frame + 8);
    if (o->frames == PY_FRAMES_OBJECT) { /* PyFrameObject {PyVarObject, f_back, f_code, ...,
                                          * f_gen, int f_lasti, f_lineno, f_iblock, state} (§6.1) */
        TEST_EQ_INT(o->fr_back, o->ob_size + 8);
        TEST_EQ_INT(o->fr_code, o->fr_back + 8);
        TEST_EQ_INT(o->fr_gen, o->fr_instr - 8);
        TEST_EQ_INT(o->fr_state, o->fr_instr + 12);
        TEST_EQ_INT(o->fr_size, o->fr_state + 8);
        TEST_CHECK(o->fr_code < o->fr_gen && o->fr_state < o->fr_localsplus);
    } else { /* _PyInterpreterFrame: the code before previous, the instruction pointer, the
              * owner byte, then localsplus, the last member (§6.2) */
        TEST_CHECK(o->fr_code < o->fr_back && o->fr_back < o->fr_instr);
        TEST_CHECK(o->fr_instr + 8 < o->fr_owner && o->fr_owner < o->fr_localsplus);
        TEST_CHECK(o->fr_localsplus <= o->fr_size);
    }
    /* PyCodeObject: co_firstlineno ... co_filename, co_name, [co_qualname 3.11+], co_lnotab or
     * co_linetable, ...; 3.11+: _co_firsttraceable 16 bytes before the inline bytecode, which
     * ends the header (§6.6) */
    TEST_CHECK(o->co_firstlineno < o->co_filename);
    TEST_EQ_INT(o->co_name, o->co_filename + 8);
    if (m <= 10) {
        TEST_EQ_INT(o->co_qualname, 0);
        TEST_EQ_INT(o->co_linetable, o->co_name + 8);
        TEST_EQ_INT(o->co_size, o->co_linetable + 8);
    } else {
        TEST_EQ_INT(o->co_qualname, o->co_name + 8);
        TEST_EQ_INT(o->co_linetable, o->co_qualname + 8);
        TEST_CHECK(o->co_linetable < o->co_firsttraceable);
        TEST_EQ_INT(o->co_code_adaptive, o->co_firsttraceable + 16);
        TEST_EQ_INT(o->co_size, o->co_code_adaptive + 8);
    }
    check_coverage(o);
}

/* The kinds each minor version has (docs/cpython.md §4, §5.5, §6.3, §7, §9.3). */
static void check_kinds(const struct py_offsets *o, unsigned minor)
{
    static const unsigned owner_max[] = {[11] = 2, [12] = 3, [13] = 3, [14] = 4, [15] = 3};
    static const enum py_dict_layout dicts[] = {
        [8] = PY_DICT_38,   [9] = PY_DICT_38,   [10] = PY_DICT_38,  [11] = PY_DICT_311,
        [12] = PY_DICT_312, [13] = PY_DICT_313, [14] = PY_DICT_313, [15] = PY_DICT_313,
    };

    TEST_EQ_INT(o->minor, minor);
    TEST_EQ_INT(o->free_threaded, 0);
    TEST_EQ_INT(o->frames, minor <= 10 ? PY_FRAMES_OBJECT : PY_FRAMES_INTERP);
    TEST_EQ_INT(o->gil, minor <= 11 ? PY_GIL_TSTATE_CURRENT : PY_GIL_STRUCT);
    TEST_EQ_INT(o->linetable, minor <= 9    ? PY_LINETABLE_LNOTAB
                              : minor == 10 ? PY_LINETABLE_310
                                            : PY_LINETABLE_311);
    TEST_EQ_INT(o->fr_owner_max, owner_max[minor]);
    TEST_EQ_INT(o->ts_holds_gil_bit, minor == 13 ? 5 : -1);
    TEST_CHECK(o->code_tag_mask == (minor >= 14 ? ~(uint64_t)3 : ~(uint64_t)0));
    TEST_CHECK(o->local_tag_mask == o->code_tag_mask);
    TEST_EQ_INT(o->dict_layout, dicts[minor]);
    TEST_EQ_INT(o->pre_dict, minor >= 11 ? 24 : 0);
    TEST_EQ_INT(o->pre_values, minor == 11 ? 32 : 0);
    TEST_EQ_INT(o->dict_values_off, minor >= 13 ? 8 : 0);
    if (minor < 15)
        TEST_EQ_INT(o->ts_base_frame, 0);
}

/* Every minor version 3.8-3.12 gets its own table, whatever its micro version and release
 * level; the tables have their versions' shapes and kinds. */
static void test_tables(void)
{
    static const unsigned micro[][2] = {{0, 0xa}, {1, 0xb}, {0, 0xc}, {18, 0xf}};
    struct py_offsets o, first;

    for (unsigned minor = 8; minor <= 12; minor++) {
        for (size_t i = 0; i < sizeof(micro) / sizeof(micro[0]); i++) {
            unsigned v = V(minor, micro[i][0], micro[i][1], 1);
            memset(&o, 0, sizeof(o));
            TEST_EQ_INT(py_offsets_for_version(v, &o), 0);
            TEST_EQ_INT(o.version, v);
            if (i == 0) {
                first = o;
                check_kinds(&o, minor);
                check_shape(&o);
            } else { /* the same table: only the version differs */
                o.version = first.version;
                TEST_CHECK(memcmp(&o, &first, sizeof(o)) == 0);
            }
        }
    }
}

static void test_tables_unsupported(void)
{
    static const unsigned bad[] = {
        V(7, 16, 0xf, 0), V(13, 0, 0xf, 0), V(14, 0, 0xa, 1), V(15, 0, 0xf, 0),
        V(16, 0, 0xa, 1), 0x020712f0,       0x04080000,       0,
    };
    struct py_offsets o;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&o, 0xa5, sizeof(o));
        TEST_EQ_INT(py_offsets_for_version(bad[i], &o), -ENOTSUP);
        TEST_EQ_INT(o.minor, 0xa5a5a5a5u); /* not written */
    }
}

/* A 3.14 _Py_DebugOffsets (760 bytes, laid out as docs/cpython.md §3.1 says) with the values of
 * 3.14.10 (those of fixtures/debug_offsets_3.14.10.bin), or those of a free-threaded 3.14.10t
 * compiled from its headers, never run (docs/cpython.md §13). */
static void make_314(unsigned char *b, int ft)
{
    static const uint64_t rt[] = {316616, 784, 808};
    static const uint64_t is[] = {225864, 7280, 7272, 7344, 7360, 7408, 7688, 7672,
                                  7680,   16,   7784, 0,    7800, 7792, 7992, 0};
    static const uint64_t is_ft[] = {249976, 7280, 7272, 7344, 7360, 7408, 7712, 7696,
                                     7704,   16,   7808, 0,    7832, 7824, 8024, 17300};
    static const uint64_t ts[] = {832, 0, 8, 16, 72, 152, 160, 232, 32};
    static const uint64_t fr[] = {88, 8, 0, 56, 80, 74, 64, 0};
    static const uint64_t fr_ft[] = {88, 8, 0, 56, 80, 78, 64, 72};
    static const uint64_t co[] = {216, 112, 120, 128, 136, 68, 52, 96, 104, 208, 0};
    static const uint64_t co_ft[] = {240, 128, 136, 144, 152, 84, 68, 112, 120, 232, 224};
    static const uint64_t obj[] = {16, 8}, obj_ft[] = {32, 24};
    static const uint64_t bytes[] = {40, 16, 32}, bytes_ft[] = {56, 32, 48};
    static const uint64_t uni[] = {64, 32, 16, 40}, uni_ft[] = {80, 48, 32, 56};
    static const uint64_t type[] = {416, 24, 88, 168}, type_ft[] = {432, 40, 104, 184};
    static const uint64_t dict[] = {48, 32, 40}, dict_ft[] = {64, 48, 56};

    memset(b, 0, 760);
    memcpy(b, "xdebugpy", 8);
    put_u64(b, 8, 0x030e0af0);
    put_u64(b, 16, (uint64_t)ft);
    put_group(b, 24, rt, 3);
    put_group(b, 48, ft ? is_ft : is, 16);
    put_group(b, 176, ts, 9);
    put_group(b, 248, ft ? fr_ft : fr, 8);
    put_group(b, 312, ft ? co_ft : co, 11);
    put_group(b, 400, ft ? obj_ft : obj, 2);
    put_group(b, 416, ft ? type_ft : type, 4);
    put_group(b, 528, ft ? dict_ft : dict, 3);
    put_group(b, 592, ft ? bytes_ft : bytes, 3);
    put_group(b, 616, ft ? uni_ft : uni, 4);
}

static void test_debug_314(void)
{
    unsigned char b[760];
    struct py_offsets o;
    char ver[32];

    make_314(b, 0);
    TEST_EQ_INT(py_offsets_from_debug(b, sizeof(b), &o), 0);
    TEST_EQ_INT(o.version, 0x030e0af0);
    TEST_EQ_INT(o.minor, 14);
    TEST_EQ_INT(o.free_threaded, 0);
    TEST_EQ_INT(o.rt_finalizing, 784);
    TEST_EQ_INT(o.rt_interp_head, 808);
    TEST_EQ_INT(o.is_next, 7272);
    TEST_EQ_INT(o.is_threads_head, 7344);
    TEST_EQ_INT(o.is_gil_ptr, 16);
    TEST_EQ_INT(o.gil_size, 208);
    TEST_EQ_INT(o.is_code_generation, 7992);
    TEST_EQ_INT(o.gil_locked, 16);
    TEST_EQ_INT(o.gil_last_holder, 8);
    TEST_EQ_INT(o.ts_frame, 72);
    TEST_EQ_INT(o.ts_status, 32);
    TEST_EQ_INT(o.ts_holds_gil, 36);
    TEST_EQ_INT(o.ts_holds_gil_bit, -1);
    TEST_EQ_INT(o.fr_owner, 74);
    TEST_EQ_INT(o.fr_owner_max, 4);
    TEST_EQ_INT(o.ts_base_frame, 0);
    TEST_CHECK(o.code_tag_mask == ~(uint64_t)3);
    TEST_EQ_INT(o.co_size, 216);
    TEST_EQ_INT(o.co_code_adaptive, 208);
    TEST_EQ_INT(o.co_firsttraceable, 192); /* docs/cpython.md §6.6 */
    TEST_EQ_INT(o.ob_type, 8);
    TEST_EQ_INT(o.u_ascii_size, 40);
    TEST_EQ_INT(o.u_compact_size, 56);
    TEST_EQ_INT(o.u_kind_shift, 2);
    TEST_EQ_INT(o.u_compact_bit, 5);
    TEST_EQ_INT(o.u_ascii_bit, 6);
    TEST_EQ_INT(o.dict_layout, PY_DICT_313);
    TEST_EQ_INT(o.fr_localsplus, 80);
    TEST_CHECK(o.local_tag_mask == ~(uint64_t)3); /* localsplus holds _PyStackRefs */
    TEST_EQ_INT(o.tp_flags, 168);
    TEST_EQ_INT(o.dict_keys, 32);
    TEST_EQ_INT(o.dict_values, 40);
    TEST_EQ_INT(o.dict_values_off, 8);
    check_coverage(&o);
    py_offsets_version_str(&o, ver, sizeof(ver));
    TEST_EQ_STR(ver, "3.14.10");
    TEST_EQ_INT(py_offsets_from_debug(b, 759, &o), -EINVAL);

    make_314(b, 1);
    TEST_EQ_INT(py_offsets_from_debug(b, sizeof(b), &o), 0);
    TEST_EQ_INT(o.free_threaded, 1);
    TEST_EQ_INT(o.u_kind_shift, 8);
    TEST_EQ_INT(o.u_compact_bit, 11);
    TEST_EQ_INT(o.u_ascii_bit, 12);
    TEST_EQ_INT(o.ob_type, 24);
    TEST_EQ_INT(o.ob_size, 32);
    TEST_EQ_INT(o.bytes_sval, 48);
    TEST_EQ_INT(o.u_state, 48);
    TEST_EQ_INT(o.u_length, 32);
    TEST_EQ_INT(o.u_ascii_size, 56);
    TEST_EQ_INT(o.u_compact_size, 72);
    TEST_EQ_INT(o.gil_locked, 24);
    TEST_EQ_INT(o.gil_last_holder, 16);
    TEST_EQ_INT(o.is_code_generation, 8024);
    TEST_EQ_INT(o.fr_owner, 78);
    TEST_EQ_INT(o.co_filename, 128);
    TEST_EQ_INT(o.co_qualname, 144);
    TEST_EQ_INT(o.co_firstlineno, 84);
    TEST_EQ_INT(o.co_code_adaptive, 232);
    TEST_EQ_INT(o.co_firsttraceable, 208); /* before co_tlbc; docs/cpython.md §6.6 */
    TEST_EQ_INT(o.co_size, 240);
    TEST_EQ_INT(o.dict_layout, PY_DICT_NONE); /* free-threaded: no thread names */
    check_coverage(&o);
    py_offsets_version_str(&o, ver, sizeof(ver));
    TEST_EQ_STR(ver, "3.14.10t");
}

/* Decode buf after setting the uint64 at off to v; expect err and out left alone. */
static void expect_patched(const unsigned char *src, size_t len, size_t off, uint64_t v, int err)
{
    unsigned char b[1024];
    struct py_offsets o;

    memcpy(b, src, len);
    put_u64(b, off, v);
    memset(&o, 0xa5, sizeof(o));
    TEST_EQ_INT(py_offsets_from_debug(b, len, &o), err);
    if (err)
        TEST_EQ_INT(o.minor, 0xa5a5a5a5u);
}

/* Where the groups of _Py_DebugOffsets start in one minor version (docs/cpython.md §3.1). */
struct dbg_groups {
    unsigned minor;
    size_t rt, is, ts, fr, co, ob, tp, ht, dict, bytes, uni;
};

static const struct dbg_groups groups[] = {
    {13, 24, 48, 152, 224, 272, 352, 368, 0, 448, 512, 536},
    {14, 24, 48, 176, 248, 312, 400, 416, 0, 528, 592, 616},
    {15, 24, 48, 176, 312, 376, 464, 480, 528, 624, 688, 712},
};

/* Each offset decoded from the real bytes b is the value of its field, found by the group
 * table of docs/cpython.md §3.1 (group start + 8 x index), independently of the reader's
 * per-field positions (layout_313 ... layout_315). */
static void check_groups(const unsigned char *b, const struct py_offsets *o)
{
    const struct dbg_groups *g = NULL;
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
        if (groups[i].minor == o->minor)
            g = &groups[i];
    TEST_CHECK(g != NULL);
    if (!g)
        return;
#define AT(group, index) get_u64(b, g->group + 8 * (index))
    size_t im = o->minor >= 14;         /* interpreter_state.threads_main */
    size_t tb = o->minor >= 15 ? 3 : 0; /* base_frame, last_profiled_frame(_seq) */
    TEST_EQ_INT(o->version, get_u64(b, 8));
    TEST_EQ_INT(o->rt_finalizing, AT(rt, 1));
    TEST_EQ_INT(o->rt_interp_head, AT(rt, 2));
    TEST_EQ_INT(o->is_id, AT(is, 1));
    TEST_EQ_INT(o->is_next, AT(is, 2));
    TEST_EQ_INT(o->is_threads_head, AT(is, 3));
    TEST_EQ_INT(o->is_gil_ptr, AT(is, 8 + im));
    TEST_EQ_INT(o->gil_locked, AT(is, 11 + im) - AT(is, 9 + im));
    TEST_EQ_INT(o->gil_last_holder, AT(is, 12 + im) - AT(is, 9 + im));
    TEST_EQ_INT(o->is_code_generation, im ? AT(is, 14) : 0);
    TEST_EQ_INT(o->ts_size, AT(ts, 0));
    TEST_EQ_INT(o->ts_next, AT(ts, 2));
    TEST_EQ_INT(o->ts_interp, AT(ts, 3));
    TEST_EQ_INT(o->ts_frame, AT(ts, 4));
    TEST_EQ_INT(o->ts_base_frame, tb ? AT(ts, 5) : 0);
    TEST_EQ_INT(o->ts_thread_id, AT(ts, 5 + tb));
    TEST_EQ_INT(o->ts_native_thread_id, AT(ts, 6 + tb));
    TEST_EQ_INT(o->ts_datastack_chunk, AT(ts, 7 + tb));
    TEST_EQ_INT(o->ts_status, AT(ts, 8 + tb));
    if (tb)
        TEST_EQ_INT(o->ts_holds_gil, AT(ts, 12));
    TEST_EQ_INT(o->fr_size, AT(fr, 0));
    TEST_EQ_INT(o->fr_back, AT(fr, 1));
    TEST_EQ_INT(o->fr_code, AT(fr, 2));
    TEST_EQ_INT(o->fr_instr, AT(fr, 3));
    TEST_EQ_INT(o->fr_localsplus, AT(fr, 4));
    TEST_EQ_INT(o->fr_owner, AT(fr, 5));
    TEST_EQ_INT(o->co_size, AT(co, 0));
    TEST_EQ_INT(o->co_filename, AT(co, 1));
    TEST_EQ_INT(o->co_name, AT(co, 2));
    TEST_EQ_INT(o->co_qualname, AT(co, 3));
    TEST_EQ_INT(o->co_linetable, AT(co, 4));
    TEST_EQ_INT(o->co_firstlineno, AT(co, 5));
    TEST_EQ_INT(o->co_code_adaptive, AT(co, 9));
    TEST_EQ_INT(o->ob_type, AT(ob, 1));
    TEST_EQ_INT(o->tp_flags, AT(tp, 3));
    if (g->ht) {
        TEST_EQ_INT(o->tp_basicsize, AT(tp, 4));
        TEST_EQ_INT(o->tp_dictoffset, AT(tp, 5));
        TEST_EQ_INT(o->ht_cached_keys, AT(ht, 1));
        TEST_EQ_INT(o->u_compact_size, AT(uni, 4));
    }
    TEST_EQ_INT(o->dict_keys, AT(dict, 1));
    TEST_EQ_INT(o->dict_values, AT(dict, 2));
    TEST_EQ_INT(o->ob_size, AT(bytes, 1));
    TEST_EQ_INT(o->bytes_sval, AT(bytes, 2));
    TEST_EQ_INT(o->u_state, AT(uni, 1));
    TEST_EQ_INT(o->u_length, AT(uni, 2));
    TEST_EQ_INT(o->u_ascii_size, AT(uni, 3));
#undef AT
}

/* The fixture fixtures/debug_offsets_NAME.bin (1024 bytes), or NULL with a failure counted. */
static unsigned char *fixture(const char *name)
{
    char path[128];
    size_t len = 0;

    snprintf(path, sizeof(path), "fixtures/debug_offsets_%s.bin", name);
    unsigned char *b = (unsigned char *)test_read_fixture(path, &len);
    TEST_EQ_INT(len, 1024);
    if (b && len != 1024) {
        free(b);
        b = NULL;
    }
    return b;
}

/* The real tables of 3.13.0, 3.14.10 and 3.15.2, decoded: each field is what the group table
 * says, the table has its version's shape and kinds, the version string is the target's, and
 * exactly sizeof(_Py_DebugOffsets) bytes are enough. */
static void test_debug_real(void)
{
    static const struct {
        const char *name;
        size_t size;
    } real[] = {{"3.13.0", 584}, {"3.14.10", 760}, {"3.15.2", 888}};
    struct py_offsets o;
    char ver[32];

    for (size_t i = 0; i < sizeof(real) / sizeof(real[0]); i++) {
        unsigned char *b = fixture(real[i].name);
        if (!b)
            continue;
        TEST_EQ_INT(py_offsets_from_debug(b, 1024, &o), 0);
        check_kinds(&o, 13 + (unsigned)i);
        check_groups(b, &o);
        check_shape(&o);
        py_offsets_version_str(&o, ver, sizeof(ver));
        TEST_EQ_STR(ver, real[i].name);
        TEST_EQ_INT(py_offsets_from_debug(b, real[i].size, &o), 0);
        TEST_EQ_INT(py_offsets_from_debug(b, real[i].size - 1, &o), -EINVAL);
        free(b);
    }
}

/* The built-in tables against what real 3.13+ targets publish, where the structs did not
 * change: the object, str, type and dict headers and the thread-state links of COMMON_FIELDS
 * (every GIL build 3.8-3.15, docs/cpython.md §4), 3.12's str sizes (§8), code-object head and
 * frame links (the same in 3.12-3.15), its frame owner and locals (the same in 3.13) and
 * ht_cached_keys (the same in 3.13 and 3.14, §9.1); and what 3.13 and 3.14 do not publish
 * against 3.15, which does (tp_basicsize, tp_dictoffset, the compact str size). */
static void test_tables_vs_debug(void)
{
    static const char *const names[] = {"3.13.0", "3.14.10", "3.15.2"};
    struct py_offsets d[3], t;
    int ok = 1;

    for (size_t i = 0; i < 3; i++) {
        unsigned char *b = fixture(names[i]);
        ok = ok && b && py_offsets_from_debug(b, 1024, &d[i]) == 0;
        free(b);
    }
    TEST_CHECK(ok);
    if (!ok)
        return;
    for (unsigned minor = 8; minor <= 12; minor++) {
        TEST_EQ_INT(py_offsets_for_version(V(minor, 0, 0xf, 0), &t), 0);
        for (size_t i = 0; i < 3; i++) {
            TEST_EQ_INT(t.ob_type, d[i].ob_type);
            TEST_EQ_INT(t.ob_size, d[i].ob_size);
            TEST_EQ_INT(t.bytes_sval, d[i].bytes_sval);
            TEST_EQ_INT(t.u_length, d[i].u_length);
            TEST_EQ_INT(t.u_state, d[i].u_state);
            TEST_EQ_INT(t.tp_flags, d[i].tp_flags);
            TEST_EQ_INT(t.dict_keys, d[i].dict_keys);
            TEST_EQ_INT(t.dict_values, d[i].dict_values);
            TEST_EQ_INT(t.ts_next, d[i].ts_next);
            TEST_EQ_INT(t.ts_interp, d[i].ts_interp);
            TEST_EQ_INT(t.gil_locked, d[i].gil_locked);
            TEST_EQ_INT(t.gil_last_holder, d[i].gil_last_holder);
        }
        TEST_EQ_INT(t.tp_basicsize, d[2].tp_basicsize);
        TEST_EQ_INT(t.tp_dictoffset, d[2].tp_dictoffset);
    }
    /* t is 3.12's table */
    for (size_t i = 0; i < 3; i++) {
        TEST_EQ_INT(t.u_ascii_size, d[i].u_ascii_size);
        TEST_EQ_INT(t.u_compact_size, d[i].u_compact_size);
        TEST_EQ_INT(t.co_firstlineno, d[i].co_firstlineno);
        TEST_EQ_INT(t.co_filename, d[i].co_filename);
        TEST_EQ_INT(t.co_name, d[i].co_name);
        TEST_EQ_INT(t.co_qualname, d[i].co_qualname);
        TEST_EQ_INT(t.co_linetable, d[i].co_linetable);
        TEST_EQ_INT(t.fr_code, d[i].fr_code);
        TEST_EQ_INT(t.fr_back, d[i].fr_back);
        TEST_EQ_INT(t.fr_instr, d[i].fr_instr);
    }
    TEST_EQ_INT(t.fr_owner, d[0].fr_owner);
    TEST_EQ_INT(t.fr_localsplus, d[0].fr_localsplus);
    TEST_EQ_INT(t.ht_cached_keys, d[0].ht_cached_keys);
    TEST_EQ_INT(t.ht_cached_keys, d[1].ht_cached_keys);
    for (size_t i = 0; i < 2; i++) {
        TEST_EQ_INT(d[i].tp_basicsize, d[2].tp_basicsize);
        TEST_EQ_INT(d[i].tp_dictoffset, d[2].tp_dictoffset);
        TEST_EQ_INT(d[i].u_compact_size, d[2].u_compact_size);
    }
}

/* The real 3.14.10 bytes decode as the image make_314 builds does. */
static void test_debug_314_real(void)
{
    unsigned char *real = fixture("3.14.10"), made[760];
    struct py_offsets a, b;

    if (!real)
        return;
    make_314(made, 0);
    memset(&a, 0, sizeof(a));
    memset(&b, 0, sizeof(b));
    TEST_EQ_INT(py_offsets_from_debug(real, 1024, &a), 0);
    TEST_EQ_INT(py_offsets_from_debug(made, sizeof(made), &b), 0);
    TEST_CHECK(memcmp(&a, &b, sizeof(a)) == 0);
    free(real);
}

/* Debian's Py_DEBUG build of 3.15.2 differs only in the runtime's and the interpreter's sizes,
 * which the readers do not use: the offsets are the release build's. */
static void test_debug_315_pydebug(void)
{
    unsigned char *rel = fixture("3.15.2"), *dbg = fixture("3.15.2-debug");
    struct py_offsets a, b;

    if (rel && dbg) {
        TEST_CHECK(memcmp(rel, dbg, 888) != 0);
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        TEST_EQ_INT(py_offsets_from_debug(rel, 1024, &a), 0);
        TEST_EQ_INT(py_offsets_from_debug(dbg, 1024, &b), 0);
        TEST_CHECK(memcmp(&a, &b, sizeof(a)) == 0);
    }
    free(rel);
    free(dbg);
}

/* 3.15's new fields: refused when they point outside their structs; implausible attribute
 * offsets only turn thread names off. */
static void test_debug_315_corrupt(void)
{
    unsigned char *real = fixture("3.15.2"), b[1024];
    struct py_offsets o;

    if (!real)
        return;
    expect_patched(real, 1024, 216, 888, -EINVAL);      /* base_frame == ts size */
    expect_patched(real, 1024, 272, 886, -EINVAL);      /* holds_gil + 4 > ts size */
    expect_patched(real, 1024, 744, 40, -EINVAL);       /* compact size == ascii size */
    expect_patched(real, 1024, 744, 200, -EINVAL);      /* compact size > the str buffer */
    expect_patched(real, 1024, 8, 0x030e0af0, -EINVAL); /* 3.15 bytes read as 3.14 */
    static const struct {
        size_t pos;
        uint64_t v;
    } names_off[] = {{536, 944}, {536, 100}, {528, 4096}, {512, 424}, {520, 1 << 20}};
    for (size_t i = 0; i < sizeof(names_off) / sizeof(names_off[0]); i++) {
        memcpy(b, real, sizeof(b));
        put_u64(b, names_off[i].pos, names_off[i].v);
        TEST_EQ_INT(py_offsets_from_debug(b, sizeof(b), &o), 0);
        TEST_EQ_INT(o.dict_layout, PY_DICT_NONE);
    }
    free(real);
}

static void test_debug_corrupt(void)
{
    unsigned char b[760];
    size_t len;
    unsigned char *real =
        (unsigned char *)test_read_fixture("fixtures/debug_offsets_3.13.0.bin", &len);
    struct py_offsets o;

    if (!real)
        return;
    TEST_EQ_INT(len, 1024);
    if (len != 1024) {
        free(real);
        return;
    }
    expect_patched(real, 1024, 0, 0, -EINVAL); /* no cookie */
    memcpy(b, real, 24);
    b[7] = 'Y'; /* "xdebugpY" */
    TEST_EQ_INT(py_offsets_from_debug(b, 24, &o), -EINVAL);
    expect_patched(real, 1024, 8, 0x031000f0, -ENOTSUP); /* 3.16: layout unknown */
    expect_patched(real, 1024, 8, 0x030c01f0, -ENOTSUP); /* 3.12 has no debug offsets */
    expect_patched(real, 1024, 8, 0x040000f0, -EINVAL);  /* major 4 */
    expect_patched(real, 1024, 16, 2, -EINVAL);          /* free_threaded not 0/1 */
    expect_patched(real, 1024, 48, 100, -EINVAL);        /* interpreter_state.size */
    expect_patched(real, 1024, 48, 1ULL << 40, -EINVAL); /* interpreter_state.size */
    expect_patched(real, 1024, 72, 194968, -EINVAL);     /* threads_head == is size */
    expect_patched(real, 1024, 152, 8, -EINVAL);         /* thread_state.size */
    expect_patched(real, 1024, 184, 304, -EINVAL);       /* current_frame == ts size */
    expect_patched(real, 1024, 224, 1 << 20, -EINVAL);   /* interpreter_frame.size */
    expect_patched(real, 1024, 264, 80, -EINVAL);        /* owner == frame size */
    expect_patched(real, 1024, 272, 0, -EINVAL);         /* code_object.size */
    expect_patched(real, 1024, 296, 208, -EINVAL);       /* qualname == code size */
    expect_patched(real, 1024, 344, 209, -EINVAL);       /* co_code_adaptive > size */
    /* Implausible offsets for instance attributes only turn thread names off. */
    static const struct {
        size_t pos;
        uint64_t v;
    } names_off[] = {{256, 80}, {368, 0}, {392, 416}, {448, 1 << 20}, {456, 48}, {464, 1ULL << 40}};
    for (size_t i = 0; i < sizeof(names_off) / sizeof(names_off[0]); i++) {
        memcpy(b, real, 584);
        put_u64(b, names_off[i].pos, names_off[i].v);
        TEST_EQ_INT(py_offsets_from_debug(b, 584, &o), 0);
        TEST_EQ_INT(o.dict_layout, PY_DICT_NONE);
    }
    /* Too short: less than the header, or than the 3.13 layout. */
    TEST_EQ_INT(py_offsets_from_debug(real, 0, &o), -EINVAL);
    TEST_EQ_INT(py_offsets_from_debug(real, 23, &o), -EINVAL);
    TEST_EQ_INT(py_offsets_from_debug(real, 24, &o), -EINVAL);
    TEST_EQ_INT(py_offsets_from_debug(real, 300, &o), -EINVAL);
    /* A 3.14 version in a 3.13-sized buffer is too short too. */
    make_314(b, 0);
    TEST_EQ_INT(py_offsets_from_debug(b, 584, &o), -EINVAL);
    free(real);
}

static void test_version_str(void)
{
    struct py_offsets o;
    char buf[32];

    memset(&o, 0, sizeof(o));
    o.version = V(12, 1, 0xf, 0);
    py_offsets_version_str(&o, buf, sizeof(buf));
    TEST_EQ_STR(buf, "3.12.1");
    o.version = V(13, 0, 0xc, 2);
    py_offsets_version_str(&o, buf, sizeof(buf));
    TEST_EQ_STR(buf, "3.13.0rc2");
    o.version = V(13, 0, 0xf, 0);
    o.free_threaded = 1;
    py_offsets_version_str(&o, buf, sizeof(buf));
    TEST_EQ_STR(buf, "3.13.0t");
    o.version = V(14, 0, 0xb, 3);
    py_offsets_version_str(&o, buf, sizeof(buf));
    TEST_EQ_STR(buf, "3.14.0b3t");
    o.free_threaded = 0;
    o.version = V(15, 0, 0xa, 1);
    py_offsets_version_str(&o, buf, sizeof(buf));
    TEST_EQ_STR(buf, "3.15.0a1");
    o.version = V(8, 18, 0xf, 0);
    py_offsets_version_str(&o, buf, 4); /* truncated, still terminated */
    TEST_EQ_STR(buf, "3.8");
}

/* Hostile _Py_DebugOffsets that would make the readers index their local buffers out of
 * bounds (unwind.c code_resolve() hdr[PY_CODE_MAX], sample_interp() ts[PY_TSTATE_MAX],
 * py_str_layout()). Each must be refused, or decode to offsets inside the structs read. */
static void test_hostile(void)
{
    static const struct {
        size_t off[2];
        uint64_t v[2];
        const char *what;
    } bad[] = {
        {{176, 176}, {1 << 20, 1 << 20}, "thread_state.interp is not checked"},
        {{192, 192}, {303, 303}, "thread_id + 8 > thread_state.size"},
        {{360, 360}, {4096, 4096}, "pyobject.ob_type is not checked"},
        {{520, 520}, {4096, 4096}, "bytes_object.ob_size is not checked"},
        {{344, 344}, {8, 8}, "co_code_adaptive 8: _co_firsttraceable = 8 - 16 wraps"},
        {{304, 304}, {207, 207}, "co_linetable + 8 > code_object.size"},
        {{552, 552}, {0xfffffffc, 0xfffffffc}, "unicode length: py_str_layout's check wraps"},
        {{560, 560}, {0xfffffff0, 0xfffffff0}, "asciiobject_size: u_compact_size wraps to 0"},
        {{224, 232}, {128, 127}, "frame previous + 8 > interpreter_frame.size"},
    };
    unsigned char b[1024];
    struct py_offsets o;
    size_t len;
    unsigned char *real =
        (unsigned char *)test_read_fixture("fixtures/debug_offsets_3.13.0.bin", &len);

    if (!real || len != sizeof(b)) {
        free(real);
        return;
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int f0 = test_failed;
        memcpy(b, real, sizeof(b));
        put_u64(b, bad[i].off[0], bad[i].v[0]);
        put_u64(b, bad[i].off[1], bad[i].v[1]);
        if (py_offsets_from_debug(b, sizeof(b), &o) == 0)
            check_coverage(&o);
        if (test_failed != f0)
            fprintf(stderr, "  accepted: %s\n", bad[i].what);
    }
    /* 64-bit offsets are cut to 32 bits before they are checked: 2^32 + 128 reads as 128. */
    memcpy(b, real, sizeof(b));
    put_u64(b, 296, (1ULL << 32) + 128);
    TEST_EQ_INT(py_offsets_from_debug(b, sizeof(b), &o), -EINVAL);
    free(real);
}

void test_py_offsets(void)
{
    test_tables();
    test_tables_unsupported();
    test_tables_vs_debug();
    test_debug_real();
    test_debug_314();
    test_debug_314_real();
    test_debug_315_pydebug();
    test_debug_315_corrupt();
    test_debug_corrupt();
    test_version_str();
    test_hostile();
}
