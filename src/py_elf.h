/* What an ELF file (libpython or a python executable) tells about the interpreter in it:
 * _PyRuntime, Py_Version, PyCode_Type, the .PyRuntime and .AsyncioDebug sections, the version
 * string, and whether it is a debug build.
 * Read with elfutils' libelf. See docs/cpython.md §2.
 * SPDX-License-Identifier: MIT */
#ifndef PY_ELF_H
#define PY_ELF_H

#include <stdint.h>

struct py_elf {
    int is_dyn;             /* ET_DYN (shared object or PIE): addresses need the load bias */
    uint64_t load_vaddr;    /* p_vaddr of the first PT_LOAD, rounded down to its alignment */
    uint64_t runtime;       /* link-time address of _PyRuntime, 0 if not found */
    uint64_t runtime_size;  /* its st_size (or the section size), 0 if unknown */
    uint64_t py_version;    /* link-time address of Py_Version (3.11+), 0 if absent */
    uint64_t code_type;     /* link-time address of PyCode_Type, 0 if absent */
    int py_debug;           /* a Py_DEBUG build: it defines _Py_RefTotal (release builds do not;
                             * checked on Debian's 3.13-3.15 and their -dbg builds) */
    uint64_t asyncio_debug; /* 3.14+: link-time address of the .AsyncioDebug section (the asyncio
                             * module's debug offsets), 0 if absent */
    uint64_t asyncio_debug_size; /* its size in bytes */
    char version[16];            /* "3.9.18" found in read-only data, "" if not found */
};

/* Read path (opened read-only; may be a /proc/PID/root/... path) into out. Returns 0 (even when
 * no symbol was found: check out->runtime), -ENOENT/-EACCES when it cannot be opened, or
 * -ENOEXEC when it is not a 64-bit ELF file. */
int py_elf_read(const char *path, struct py_elf *out);

/* Find a "3.X.Y" version string in a buffer of read-only data, as Py_GetVersion's PY_VERSION
 * literal: "3.<1-2 digits>.<1-2 digits>", optionally followed by a release tag (a/b/rc/+),
 * ending in a NUL and not preceded by a digit or '.' (the linker may have merged the literal
 * into the tail of a longer string). Copies it into out (NUL-terminated, len >= 16) and returns 0,
 * or returns -ENOENT. Pure; exposed for tests and fuzzing. */
int py_elf_find_version(const char *buf, uint64_t len, char *out, unsigned len_out);

#endif
