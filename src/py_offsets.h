/* Struct offsets of CPython internals per version: built-in tables for 3.8-3.12 (x86_64 Linux,
 * from the headers of 3.8.18, 3.9.18, 3.10.13, 3.11.7, 3.12.1) and, for 3.13-3.15, the target's
 * own _Py_DebugOffsets plus the few facts it does not publish. See docs/cpython.md §3
 * (_Py_DebugOffsets) and §4 (the built-in tables).
 * SPDX-License-Identifier: MIT */
#ifndef PY_OFFSETS_H
#define PY_OFFSETS_H

#include <stddef.h>
#include <stdint.h>

#include "py_linetable.h"

enum py_frames {
    PY_FRAMES_OBJECT = 0, /* 3.8-3.10: chain of heap PyFrameObject via f_back */
    PY_FRAMES_INTERP = 1, /* 3.11+: _PyInterpreterFrame chain via previous */
};

/* How an object's instance attributes are stored (py_dict). */
enum py_dict_layout {
    PY_DICT_NONE = 0, /* not supported (free-threaded builds): attributes are not read */
    PY_DICT_38 = 1,   /* 3.8-3.10: __dict__ at tp_dictoffset; keys {dk_size, dk_lookup, ...} */
    PY_DICT_311 = 2,  /* 3.11: managed dict: values pointer at obj-32, dict pointer at obj-24 */
    PY_DICT_312 = 3,  /* 3.12: managed dict: obj-24 holds the dict, or values-1 (tagged) */
    PY_DICT_313 = 4,  /* 3.13+: inline values after the object (tp_basicsize), dict at obj-24 */
};

enum py_gil {
    PY_GIL_TSTATE_CURRENT = 0, /* 3.8-3.11: _PyRuntime.gilstate.tstate_current is the holder */
    PY_GIL_STRUCT = 1,         /* 3.12+: interp->ceval.gil -> {last_holder, locked} */
};

/* The bytes of _Py_DebugOffsets (3.13: 584, 3.14: 760, 3.15: 888) that the reader needs at most. */
#define PY_DEBUG_OFFSETS_MAX 1024
/* The largest structs the reader accepts (readers size their buffers by these): a target
 * reporting larger ones is refused as implausible. */
#define PY_TSTATE_MAX 4096
#define PY_FRAME_MAX  128
#define PY_CODE_MAX   512

struct py_offsets {
    unsigned version; /* PY_VERSION_HEX, e.g. 0x030c01f0 */
    unsigned minor;   /* 8 .. 15 */
    int free_threaded;
    enum py_frames frames;
    enum py_gil gil;
    enum py_linetable_kind linetable;

    /* _PyRuntimeState */
    uint32_t rt_finalizing;     /* PyThreadState* (or int in 3.8), non-zero while finalizing */
    uint32_t rt_interp_head;    /* interpreters.head */
    uint32_t rt_main_thread;    /* pthread_t of the main thread; 0 if unknown */
    uint32_t rt_tstate_current; /* gilstate.tstate_current (PY_GIL_TSTATE_CURRENT) */
    uint32_t rt_gil;            /* ceval.gil, the embedded GIL (PY_GIL_TSTATE_CURRENT) */
    /* PyInterpreterState */
    uint32_t is_next;
    uint32_t is_threads_head;
    uint32_t is_gil_ptr;         /* ceval.gil (PY_GIL_STRUCT) */
    uint32_t is_code_generation; /* 3.14: _code_object_generation; 0 = none */
    uint32_t is_id;              /* int64_t id (0: the main interpreter); 0 = none */
    /* struct _gil_runtime_state */
    uint32_t gil_size; /* bytes: its mutexes and condition variables are where GIL waiters
                        * block (futex addresses inside it) */
    uint32_t gil_last_holder;
    uint32_t gil_locked;
    /* PyThreadState */
    uint32_t ts_size; /* bytes to read of a thread state */
    uint32_t ts_next;
    uint32_t ts_interp;
    uint32_t ts_frame;            /* 3.8-3.10 frame, 3.13+ current_frame; 0 when via cframe */
    uint32_t ts_cframe;           /* 3.11-3.12: cframe pointer; 0 = none */
    uint32_t cf_current_frame;    /* _PyCFrame.current_frame */
    uint32_t ts_thread_id;        /* pthread_t */
    uint32_t ts_native_thread_id; /* kernel TID (3.11+); 0 = none */
    uint32_t ts_recursion_depth;  /* 3.8-3.10, a cheap change detector; 0 = none */
    uint32_t ts_datastack_chunk;  /* 3.11+ */
    uint32_t ts_datastack_top;    /* 3.11+: end of the newest chunk's live frames (the pointer
                                   * after datastack_chunk in every version) */
    uint32_t ts_status;           /* 3.12+: _status word */
    int ts_holds_gil_bit;         /* 3.13: bit of _status; -1 = none */
    uint32_t ts_holds_gil;        /* 3.14+: int holds_gil; 0 = none */
    uint32_t ts_base_frame; /* 3.15+: tstate->base_frame, the bottom sentinel of every whole chain;
                             * 0 = none */
    /* PyFrameObject (3.8-3.10) or _PyInterpreterFrame (3.11+) */
    uint32_t fr_size;       /* bytes to read of a frame */
    uint32_t fr_back;       /* f_back / previous */
    uint32_t fr_code;       /* f_code / f_executable */
    uint32_t fr_instr;      /* f_lasti (int, <= 3.10) / prev_instr, instr_ptr (pointer) */
    uint32_t fr_owner;      /* 3.11+: owner byte */
    uint32_t fr_gen;        /* 3.8-3.10: f_gen, the generator owning the frame (0: a call);
                             * 0 = none */
    uint32_t fr_state;      /* 3.8-3.10: f_executing (3.8, 3.9) / f_state (3.10); 0 = none */
    unsigned fr_owner_max;  /* 3.11+: the largest valid owner value (2 in 3.11: THREAD, GENERATOR,
                             * FRAME_OBJECT; 3 in 3.12, 3.13: + CSTACK; 4 in 3.14: + INTERPRETER,
                             * CSTACK; 3 in 3.15: INTERPRETER, CSTACK removed); 0 before 3.11 */
    uint64_t code_tag_mask; /* mask applied to fr_code (3.14: ~3, _PyStackRef) */
    /* PyCodeObject */
    uint32_t co_size; /* bytes to read of a code object header */
    uint32_t co_filename;
    uint32_t co_name;
    uint32_t co_qualname;  /* 3.11+; 0 = none */
    uint32_t co_linetable; /* co_lnotab (3.8/3.9) or co_linetable */
    uint32_t co_firstlineno;
    uint32_t co_code_adaptive;  /* 3.11+: inline bytecode */
    uint32_t co_firsttraceable; /* 3.11+ */
    /* objects */
    uint32_t ob_type;
    uint32_t ob_size;    /* PyVarObject.ob_size */
    uint32_t bytes_sval; /* PyBytesObject.ob_sval */
    /* str (PyASCIIObject / PyCompactUnicodeObject) */
    uint32_t u_length;
    uint32_t u_state;
    uint32_t u_ascii_size;   /* data offset of compact ASCII strings */
    uint32_t u_compact_size; /* data offset of compact non-ASCII strings */
    uint8_t u_kind_shift;    /* kind: 3 bits */
    uint8_t u_compact_bit;
    uint8_t u_ascii_bit;
    /* Instance attributes (py_dict; the Python names of threads): the first local of a frame,
     * type and dict objects. Not read when dict_layout is PY_DICT_NONE. */
    enum py_dict_layout dict_layout;
    uint32_t fr_localsplus;   /* f_localsplus (3.8-3.10) / localsplus (3.11+) of a frame */
    uint64_t local_tag_mask;  /* mask applied to a local (3.14: ~3, _PyStackRef) */
    uint32_t tp_basicsize;    /* PyTypeObject */
    uint32_t tp_flags;        /* unsigned long */
    uint32_t tp_dictoffset;   /* Py_ssize_t */
    uint32_t ht_cached_keys;  /* PyHeapTypeObject: shared keys of split instance dicts */
    uint32_t dict_keys;       /* PyDictObject.ma_keys */
    uint32_t dict_values;     /* PyDictObject.ma_values */
    uint32_t dict_values_off; /* PyDictValues.values: 0 (3.11, 3.12), 8 (3.13+, after a header) */
    uint32_t pre_dict;        /* 3.11+: the managed dict pointer is this many bytes before the
                               * object (-MANAGED_DICT_OFFSET) */
    uint32_t pre_values;      /* 3.11: the values pointer is this many bytes before the object */
};

/* Fill out from the built-in table for version (PY_VERSION_HEX, only major.minor matter).
 * Returns 0, or -ENOTSUP for versions without a table (< 3.8, or 3.13+ which must use
 * py_offsets_from_debug). */
int py_offsets_for_version(unsigned version, struct py_offsets *out);

/* Fill out from the bytes of a target's _Py_DebugOffsets (len bytes read at _PyRuntime).
 * Checks the "xdebugpy" cookie, the version (3.13, 3.14 and 3.15 layouts are known) and that each
 * offset is plausible (within its struct's published size). Returns 0, -EINVAL (no cookie,
 * or implausible values) or -ENOTSUP (a minor version whose layout is not known). Pure. */
int py_offsets_from_debug(const void *buf, size_t len, struct py_offsets *out);

/* Format "3.12.1" (or "3.13.0rc2", "3.13.0t" when free-threaded) into buf. */
void py_offsets_version_str(const struct py_offsets *o, char *buf, size_t len);

#endif
