/* Unit tests for py_offsets: the built-in 3.8-3.12 tables against offsetof() values from each
 * version's headers (docs/cpython.md §4), the _Py_DebugOffsets reader on the real bytes of
 * CPython 3.13.0, 3.14.10, 3.15.2 and Debian's 3.15.2 debug build (fixtures/debug_offsets_*.bin,
 * written by fixtures/gen_debug_offsets.sh) and on 3.14 / 3.14t images built from the values of
 * 3.14.10 and of a 3.14t compiled from its headers (make_314), corrupt inputs, and the version
 * string.
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

/* The instance-attribute offsets (thread names) of 3.8-3.12: offsetof() against pyenv's 3.8.18
 * ... 3.12.1 headers (docs/cpython.md §4, §9). */
static void test_tables_dict(void)
{
    static const struct {
        unsigned minor;
        enum py_dict_layout layout;
        uint32_t localsplus, cached_keys, pre_values;
    } want[] = {
        {8, PY_DICT_38, 360, 872, 0},  {9, PY_DICT_38, 360, 864, 0},
        {10, PY_DICT_38, 352, 872, 0}, {11, PY_DICT_311, 72, 872, 32},
        {12, PY_DICT_312, 72, 880, 0},
    };
    struct py_offsets o;

    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        TEST_EQ_INT(py_offsets_for_version(V(want[i].minor, 1, 0xf, 0), &o), 0);
        TEST_EQ_INT(o.dict_layout, want[i].layout);
        TEST_EQ_INT(o.fr_localsplus, want[i].localsplus);
        TEST_EQ_INT(o.ht_cached_keys, want[i].cached_keys);
        TEST_EQ_INT(o.pre_values, want[i].pre_values);
        TEST_EQ_INT(o.pre_dict, want[i].minor >= 11 ? 24 : 0);
        TEST_EQ_INT(o.tp_basicsize, 32);
        TEST_EQ_INT(o.tp_flags, 168);
        TEST_EQ_INT(o.tp_dictoffset, 288);
        TEST_EQ_INT(o.dict_keys, 32);
        TEST_EQ_INT(o.dict_values, 40);
        TEST_EQ_INT(o.dict_values_off, 0);
        TEST_CHECK(o.local_tag_mask == ~(uint64_t)0);
    }
}

static void test_tables(void)
{
    struct py_offsets o;

    TEST_EQ_INT(py_offsets_for_version(V(8, 18, 0xf, 0), &o), 0);
    TEST_EQ_INT(o.version, V(8, 18, 0xf, 0));
    TEST_EQ_INT(o.minor, 8);
    TEST_EQ_INT(o.frames, PY_FRAMES_OBJECT);
    TEST_EQ_INT(o.gil, PY_GIL_TSTATE_CURRENT);
    TEST_EQ_INT(o.linetable, PY_LINETABLE_LNOTAB);
    TEST_EQ_INT(o.rt_tstate_current, 1368);
    TEST_EQ_INT(o.rt_gil, 1152); /* _PyRuntime.ceval.gil: GIL waiters' futexes */
    TEST_EQ_INT(o.gil_size, 208);
    TEST_EQ_INT(o.rt_interp_head, 32);
    TEST_EQ_INT(o.rt_main_thread, 72);
    TEST_EQ_INT(o.is_threads_head, 8);
    TEST_EQ_INT(o.ts_frame, 24);
    TEST_EQ_INT(o.ts_thread_id, 176);
    TEST_EQ_INT(o.fr_back, 24);
    TEST_EQ_INT(o.fr_code, 32);
    TEST_EQ_INT(o.fr_instr, 104);
    TEST_EQ_INT(o.co_firstlineno, 40);
    TEST_EQ_INT(o.co_filename, 104);
    TEST_EQ_INT(o.co_name, 112);
    TEST_EQ_INT(o.co_linetable, 120);
    TEST_EQ_INT(o.co_qualname, 0);
    TEST_EQ_INT(o.u_ascii_size, 48);
    TEST_EQ_INT(o.u_compact_size, 72);
    TEST_EQ_INT(o.free_threaded, 0);
    check_coverage(&o);

    TEST_EQ_INT(py_offsets_for_version(V(9, 18, 0xf, 0), &o), 0);
    TEST_EQ_INT(o.rt_tstate_current, 568);
    TEST_EQ_INT(o.fr_instr, 104);
    TEST_EQ_INT(o.linetable, PY_LINETABLE_LNOTAB);
    check_coverage(&o);

    TEST_EQ_INT(py_offsets_for_version(V(10, 13, 0xf, 0), &o), 0);
    TEST_EQ_INT(o.rt_tstate_current, 568);
    TEST_EQ_INT(o.fr_instr, 96);
    TEST_EQ_INT(o.linetable, PY_LINETABLE_310);
    TEST_EQ_INT(o.frames, PY_FRAMES_OBJECT);
    check_coverage(&o);

    TEST_EQ_INT(py_offsets_for_version(V(11, 7, 0xf, 0), &o), 0);
    TEST_EQ_INT(o.frames, PY_FRAMES_INTERP);
    TEST_EQ_INT(o.gil, PY_GIL_TSTATE_CURRENT);
    TEST_EQ_INT(o.linetable, PY_LINETABLE_311);
    TEST_EQ_INT(o.rt_tstate_current, 576);
    TEST_EQ_INT(o.rt_gil, 360);
    TEST_EQ_INT(o.rt_interp_head, 40);
    TEST_EQ_INT(o.is_threads_head, 16);
    TEST_EQ_INT(o.ts_cframe, 56);
    TEST_EQ_INT(o.cf_current_frame, 8);
    TEST_EQ_INT(o.ts_native_thread_id, 160);
    TEST_EQ_INT(o.ts_datastack_chunk, 296);
    TEST_EQ_INT(o.fr_code, 32);
    TEST_EQ_INT(o.fr_back, 48);
    TEST_EQ_INT(o.fr_instr, 56);
    TEST_EQ_INT(o.fr_owner, 69);
    TEST_EQ_INT(o.fr_owner_max, 2);
    TEST_EQ_INT(o.ts_base_frame, 0);
    TEST_EQ_INT(o.co_firstlineno, 72);
    TEST_EQ_INT(o.co_qualname, 128);
    TEST_EQ_INT(o.co_firsttraceable, 168);
    TEST_EQ_INT(o.co_code_adaptive, 184);
    TEST_EQ_INT(o.u_ascii_size, 48);
    check_coverage(&o);

    TEST_EQ_INT(py_offsets_for_version(V(12, 1, 0xf, 0), &o), 0);
    TEST_EQ_INT(o.minor, 12);
    TEST_EQ_INT(o.gil, PY_GIL_STRUCT);
    TEST_EQ_INT(o.is_threads_head, 72);
    TEST_EQ_INT(o.is_gil_ptr, 384);
    TEST_EQ_INT(o.gil_last_holder, 8);
    TEST_EQ_INT(o.gil_locked, 16);
    TEST_EQ_INT(o.rt_main_thread, 64);
    TEST_EQ_INT(o.ts_status, 24);
    TEST_EQ_INT(o.ts_cframe, 56);
    TEST_EQ_INT(o.cf_current_frame, 0);
    TEST_EQ_INT(o.ts_thread_id, 136);
    TEST_EQ_INT(o.ts_native_thread_id, 144);
    TEST_EQ_INT(o.ts_datastack_chunk, 232);
    TEST_EQ_INT(o.fr_code, 0);
    TEST_EQ_INT(o.fr_back, 8);
    TEST_EQ_INT(o.fr_owner, 70);
    TEST_EQ_INT(o.fr_owner_max, 3);
    TEST_EQ_INT(o.co_firstlineno, 68);
    TEST_EQ_INT(o.co_firsttraceable, 176);
    TEST_EQ_INT(o.co_code_adaptive, 192);
    TEST_EQ_INT(o.u_ascii_size, 40);
    TEST_EQ_INT(o.u_compact_size, 56);
    TEST_EQ_INT(o.ts_holds_gil_bit, -1);
    TEST_CHECK(o.code_tag_mask == ~(uint64_t)0);
    check_coverage(&o);

    /* Only major.minor matter: a pre-release of 3.12 gets the same table. */
    TEST_EQ_INT(py_offsets_for_version(V(12, 0, 0xa, 1), &o), 0);
    TEST_EQ_INT(o.is_threads_head, 72);
    TEST_EQ_INT(o.version, V(12, 0, 0xa, 1));
}

static void test_tables_unsupported(void)
{
    static const unsigned bad[] = {
        V(7, 16, 0xf, 0),
        V(13, 0, 0xf, 0),
        V(14, 0, 0xa, 1),
        V(15, 0, 0xf, 0),
        0x020712f0,
        0x04080000,
        0,
    };
    struct py_offsets o;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        memset(&o, 0xa5, sizeof(o));
        TEST_EQ_INT(py_offsets_for_version(bad[i], &o), -ENOTSUP);
        TEST_EQ_INT(o.minor, 0xa5a5a5a5u); /* not written */
    }
}

/* The real _Py_DebugOffsets of pyenv's 3.13.0 against the values it holds, decoded field by
 * field with the group layout of docs/cpython.md §3.1. */
static void test_debug_313(void)
{
    struct py_offsets o;
    char ver[32];
    size_t len;
    unsigned char *b =
        (unsigned char *)test_read_fixture("fixtures/debug_offsets_3.13.0.bin", &len);

    if (!b)
        return;
    TEST_EQ_INT(len, 1024);
    TEST_EQ_INT(py_offsets_from_debug(b, len, &o), 0);
    TEST_EQ_INT(o.version, 0x030d00f0);
    TEST_EQ_INT(o.minor, 13);
    TEST_EQ_INT(o.free_threaded, 0);
    TEST_EQ_INT(o.frames, PY_FRAMES_INTERP);
    TEST_EQ_INT(o.gil, PY_GIL_STRUCT);
    TEST_EQ_INT(o.linetable, PY_LINETABLE_311);
    TEST_EQ_INT(o.rt_finalizing, 608);
    TEST_EQ_INT(o.rt_interp_head, 632);
    TEST_EQ_INT(o.is_next, 7264);
    TEST_EQ_INT(o.is_threads_head, 7344);
    TEST_EQ_INT(o.is_gil_ptr, 16);
    TEST_EQ_INT(o.gil_size, 208);
    TEST_EQ_INT(o.is_code_generation, 0);
    TEST_EQ_INT(o.gil_locked, 16);
    TEST_EQ_INT(o.gil_last_holder, 8);
    TEST_EQ_INT(o.ts_next, 8);
    TEST_EQ_INT(o.ts_interp, 16);
    TEST_EQ_INT(o.ts_frame, 72);
    TEST_EQ_INT(o.ts_cframe, 0);
    TEST_EQ_INT(o.ts_thread_id, 152);
    TEST_EQ_INT(o.ts_native_thread_id, 160);
    TEST_EQ_INT(o.ts_datastack_chunk, 232);
    TEST_EQ_INT(o.ts_status, 32);
    TEST_EQ_INT(o.ts_holds_gil_bit, 5);
    TEST_EQ_INT(o.ts_holds_gil, 0);
    TEST_EQ_INT(o.fr_back, 8);
    TEST_EQ_INT(o.fr_code, 0);
    TEST_EQ_INT(o.fr_instr, 56);
    TEST_EQ_INT(o.fr_owner, 70);
    TEST_EQ_INT(o.fr_owner_max, 3);
    TEST_EQ_INT(o.ts_base_frame, 0);
    TEST_CHECK(o.code_tag_mask == ~(uint64_t)0);
    TEST_EQ_INT(o.co_size, 208);
    TEST_EQ_INT(o.co_filename, 112);
    TEST_EQ_INT(o.co_name, 120);
    TEST_EQ_INT(o.co_qualname, 128);
    TEST_EQ_INT(o.co_linetable, 136);
    TEST_EQ_INT(o.co_firstlineno, 68);
    TEST_EQ_INT(o.co_code_adaptive, 200);
    TEST_EQ_INT(o.co_firsttraceable, 184); /* docs/cpython.md §6.6 */
    TEST_EQ_INT(o.ob_type, 8);
    TEST_EQ_INT(o.ob_size, 16);
    TEST_EQ_INT(o.bytes_sval, 32);
    TEST_EQ_INT(o.u_state, 32);
    TEST_EQ_INT(o.u_length, 16);
    TEST_EQ_INT(o.u_ascii_size, 40);
    TEST_EQ_INT(o.u_compact_size, 56);
    TEST_EQ_INT(o.u_kind_shift, 2);
    TEST_EQ_INT(o.u_compact_bit, 5);
    TEST_EQ_INT(o.u_ascii_bit, 6);
    TEST_EQ_INT(o.dict_layout, PY_DICT_313);
    TEST_EQ_INT(o.fr_localsplus, 72);
    TEST_CHECK(o.local_tag_mask == ~(uint64_t)0);
    TEST_EQ_INT(o.tp_flags, 168);
    TEST_EQ_INT(o.tp_basicsize, 32);
    TEST_EQ_INT(o.tp_dictoffset, 288);
    TEST_EQ_INT(o.ht_cached_keys, 880);
    TEST_EQ_INT(o.dict_keys, 32);
    TEST_EQ_INT(o.dict_values, 40);
    TEST_EQ_INT(o.dict_values_off, 8);
    TEST_EQ_INT(o.pre_dict, 24);
    check_coverage(&o);
    py_offsets_version_str(&o, ver, sizeof(ver));
    TEST_EQ_STR(ver, "3.13.0");
    /* Exactly sizeof(_Py_DebugOffsets) is enough; one byte less is not. */
    TEST_EQ_INT(py_offsets_from_debug(b, 584, &o), 0);
    TEST_EQ_INT(py_offsets_from_debug(b, 583, &o), -EINVAL);
    free(b);
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
    TEST_EQ_INT(a.ht_cached_keys, 880); /* not published before 3.15 */
    TEST_EQ_INT(a.u_compact_size, 56);
    free(real);
}

/* The real _Py_DebugOffsets of Debian's 3.15.2 (888 bytes; layout: docs/cpython.md §3.1, §12),
 * each value also read live from a running 3.15.2. */
static void test_debug_315(void)
{
    unsigned char *b = fixture("3.15.2");
    struct py_offsets o;
    char ver[32];

    if (!b)
        return;
    TEST_EQ_INT(py_offsets_from_debug(b, 1024, &o), 0);
    TEST_EQ_INT(o.version, 0x030f02f0);
    TEST_EQ_INT(o.minor, 15);
    TEST_EQ_INT(o.free_threaded, 0);
    TEST_EQ_INT(o.frames, PY_FRAMES_INTERP);
    TEST_EQ_INT(o.gil, PY_GIL_STRUCT);
    TEST_EQ_INT(o.linetable, PY_LINETABLE_311);
    TEST_EQ_INT(o.rt_finalizing, 912);
    TEST_EQ_INT(o.rt_interp_head, 936);
    TEST_EQ_INT(o.is_next, 7264);
    TEST_EQ_INT(o.is_threads_head, 7336);
    TEST_EQ_INT(o.is_gil_ptr, 16);
    TEST_EQ_INT(o.is_code_generation, 7944);
    TEST_EQ_INT(o.gil_size, 208);
    TEST_EQ_INT(o.gil_locked, 16);
    TEST_EQ_INT(o.gil_last_holder, 8);
    TEST_EQ_INT(o.ts_size, 888);
    TEST_EQ_INT(o.ts_next, 8);
    TEST_EQ_INT(o.ts_interp, 16);
    TEST_EQ_INT(o.ts_frame, 72);
    TEST_EQ_INT(o.ts_base_frame, 80);
    TEST_EQ_INT(o.ts_cframe, 0);
    TEST_EQ_INT(o.ts_thread_id, 176);
    TEST_EQ_INT(o.ts_native_thread_id, 184);
    TEST_EQ_INT(o.ts_datastack_chunk, 256);
    TEST_EQ_INT(o.ts_status, 32);
    TEST_EQ_INT(o.ts_holds_gil, 36); /* published from 3.15 on */
    TEST_EQ_INT(o.ts_holds_gil_bit, -1);
    TEST_EQ_INT(o.fr_size, 88);
    TEST_EQ_INT(o.fr_back, 8);
    TEST_EQ_INT(o.fr_code, 0);
    TEST_EQ_INT(o.fr_instr, 56);
    TEST_EQ_INT(o.fr_owner, 74);
    TEST_EQ_INT(o.fr_owner_max, 3); /* INTERPRETER; CSTACK removed */
    TEST_CHECK(o.code_tag_mask == ~(uint64_t)3);
    TEST_EQ_INT(o.co_size, 216);
    TEST_EQ_INT(o.co_filename, 112);
    TEST_EQ_INT(o.co_name, 120);
    TEST_EQ_INT(o.co_qualname, 128);
    TEST_EQ_INT(o.co_linetable, 136);
    TEST_EQ_INT(o.co_firstlineno, 68);
    TEST_EQ_INT(o.co_code_adaptive, 208);
    TEST_EQ_INT(o.co_firsttraceable, 192);
    TEST_EQ_INT(o.ob_type, 8);
    TEST_EQ_INT(o.ob_size, 16);
    TEST_EQ_INT(o.bytes_sval, 32);
    TEST_EQ_INT(o.u_state, 32);
    TEST_EQ_INT(o.u_length, 16);
    TEST_EQ_INT(o.u_ascii_size, 40);
    TEST_EQ_INT(o.u_compact_size, 56); /* published from 3.15 on */
    TEST_EQ_INT(o.u_kind_shift, 2);
    TEST_EQ_INT(o.u_compact_bit, 5);
    TEST_EQ_INT(o.u_ascii_bit, 6);
    TEST_EQ_INT(o.dict_layout, PY_DICT_313);
    TEST_EQ_INT(o.fr_localsplus, 80);
    TEST_CHECK(o.local_tag_mask == ~(uint64_t)3);
    TEST_EQ_INT(o.tp_flags, 168);
    TEST_EQ_INT(o.tp_basicsize, 32);
    TEST_EQ_INT(o.tp_dictoffset, 288);
    TEST_EQ_INT(o.ht_cached_keys, 888); /* 880 before 3.15 */
    TEST_EQ_INT(o.dict_keys, 32);
    TEST_EQ_INT(o.dict_values, 40);
    TEST_EQ_INT(o.dict_values_off, 8);
    TEST_EQ_INT(o.pre_dict, 24);
    check_coverage(&o);
    py_offsets_version_str(&o, ver, sizeof(ver));
    TEST_EQ_STR(ver, "3.15.2");
    TEST_EQ_INT(py_offsets_from_debug(b, 888, &o), 0);
    TEST_EQ_INT(py_offsets_from_debug(b, 887, &o), -EINVAL);
    free(b);
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
    test_tables_dict();
    test_debug_313();
    test_debug_314();
    test_debug_314_real();
    test_debug_315();
    test_debug_315_pydebug();
    test_debug_315_corrupt();
    test_debug_corrupt();
    test_version_str();
    test_hostile();
}
