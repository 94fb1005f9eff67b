/* Find a CPython interpreter in a live process: maps -> ELF -> _PyRuntime -> version ->
 * offsets. Never executes the target's binary.
 * SPDX-License-Identifier: MIT */
#include "py_proc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc_maps.h"
#include "py_elf.h"
#include "util_xalloc.h"

#define MAX_CANDIDATES 8
#define SUPPORTED      "spyglass supports 3.8 to 3.15"
#define NEWEST_MINOR   15

static void say(char *detail, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void say(char *detail, size_t len, const char *fmt, ...)
{
    va_list ap;
    if (!detail || !len)
        return;
    va_start(ap, fmt);
    vsnprintf(detail, len, fmt, ap);
    va_end(ap);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* 0: libpython3.X*.so*, 1: a python3* executable, -1: not a candidate. Extension modules
 * (foo.cpython-312-x86_64-linux-gnu.so) and python2 are excluded. */
static int candidate_rank(const char *path)
{
    const char *b = base_name(path);
    if (strstr(b, ".cpython-") || strstr(b, "python2"))
        return -1;
    if (strncmp(b, "libpython3", 10) == 0 && strstr(b, ".so"))
        return 0;
    if (strncmp(b, "python", 6) == 0 && !strstr(b, ".so"))
        return 1;
    return -1;
}

/* Minor version from a name like libpython3.10.so.1.0 or python3.9; 0 if none. */
static unsigned minor_from_name(const char *path)
{
    const char *s = strstr(base_name(path), "python3.");
    unsigned minor = 0;
    if (!s)
        return 0;
    for (s += 8; *s >= '0' && *s <= '9' && minor < 100; s++)
        minor = minor * 10 + (unsigned)(*s - '0');
    return minor;
}

/* "3.9.18" -> 0x030912f0; 0 if it does not parse. */
static unsigned version_from_string(const char *s)
{
    unsigned major, minor, micro = 0;
    if (sscanf(s, "%u.%u.%u", &major, &minor, &micro) < 2 || major != 3 || minor > 99)
        return 0;
    return (major << 24) | (minor << 16) | ((micro & 0xff) << 8) | 0xf0;
}

/* Load bias of the object at path: start of its offset-0 mapping minus its first p_vaddr. */
static uint64_t load_bias(const struct proc_maps *maps, const char *path, const struct py_elf *e)
{
    if (!e->is_dyn)
        return 0;
    for (size_t i = 0; i < maps->n; i++)
        if (maps->v[i].offset == 0 && strcmp(maps->v[i].path, path) == 0)
            return maps->v[i].start - e->load_vaddr;
    return 0;
}

/* Try the candidates in rank order; on success fill p->runtime, p->code_type, p->path and *elf. */
static int find_runtime(struct py_proc *p, const struct proc_maps *maps, struct py_elf *elf,
                        char *detail, size_t dlen)
{
    const char *cand[MAX_CANDIDATES], *unopened = NULL;
    int ncand = 0, seen_any = 0, open_err = 0;

    for (int rank = 0; rank <= 1; rank++) {
        for (size_t i = 0; i < maps->n && ncand < MAX_CANDIDATES; i++) {
            const char *path = maps->v[i].path;
            int dup = 0;
            if (path[0] != '/' || candidate_rank(path) != rank)
                continue;
            for (int j = 0; j < ncand; j++)
                dup |= strcmp(cand[j], path) == 0;
            if (!dup)
                cand[ncand++] = path;
        }
    }
    for (int i = 0; i < ncand; i++) {
        char full[PATH_MAX + 32];
        snprintf(full, sizeof(full), "/proc/%d/root%s", p->pid, cand[i]);
        seen_any = 1;
        int rc = py_elf_read(full, elf);
        if (rc != 0 && rc != -ENOEXEC && !unopened) { /* it could not be opened */
            unopened = cand[i];
            open_err = rc;
        }
        if (rc != 0 || !elf->runtime)
            continue;
        uint64_t bias = load_bias(maps, cand[i], elf);
        p->runtime = bias + elf->runtime;
        p->code_type = elf->code_type ? bias + elf->code_type : 0;
        p->py_debug = elf->py_debug;
        snprintf(p->path, sizeof(p->path), "%s", cand[i]);
        return 0;
    }
    unsigned minor = ncand ? minor_from_name(cand[0]) : 0;
    if (minor && minor < 8) {
        say(detail, dlen, "Python 3.%u is not supported (" SUPPORTED ")", minor);
        return -ENOTSUP;
    }
    /* spyglass opens it with its own rights, through /proc/PID/root. Another error (the
     * process gone, so /proc/PID/root with it) stays -ENOEXEC, which callers retry. */
    if (unopened && (open_err == -EACCES || open_err == -EPERM)) {
        say(detail, dlen, "cannot open %s: permission denied", unopened);
        return -EACCES;
    }
    if (unopened) {
        say(detail, dlen, "cannot open %s: %s", unopened, strerror(-open_err));
        return -ENOEXEC;
    }
    if (seen_any)
        say(detail, dlen, "found %s but no _PyRuntime in it", cand[0]);
    else
        say(detail, dlen, "no libpython or python executable is mapped");
    return -ENOEXEC;
}

static int detect_version(struct py_proc *p, const struct py_elf *elf, char *detail, size_t dlen)
{
    unsigned char dbg[PY_DEBUG_OFFSETS_MAX];
    uint64_t v = 0;
    int err;

    if (target_read(p->t, p->runtime, dbg, 24) == 0 && memcmp(dbg, "xdebugpy", 8) == 0) {
        size_t n = sizeof(dbg);
        if (elf->runtime_size && elf->runtime_size < n)
            n = (size_t)elf->runtime_size;
        err = target_read(p->t, p->runtime, dbg, n);
        if (!err)
            err = py_offsets_from_debug(dbg, n, &p->off);
        if (err == -ENOTSUP) {
            uint64_t ver;
            memcpy(&ver, dbg + 8, 8);
            unsigned minor = (unsigned)(ver >> 16) & 0xff;
            say(detail, dlen, "Python %u.%u is not supported%s (" SUPPORTED ")",
                (unsigned)(ver >> 24) & 0xff, minor, minor > NEWEST_MINOR ? " yet" : "");
        } else if (err) {
            say(detail, dlen, "the _Py_DebugOffsets of %s look corrupt", p->path);
        }
        return err;
    }
    if (elf->py_version &&
        target_read_u64(p->t, elf->py_version + (p->runtime - elf->runtime), &v) == 0 &&
        (v >> 24) == 3)
        v &= 0xffffffff;
    else if (elf->version[0] &&
             (!minor_from_name(p->path) ||
              ((version_from_string(elf->version) >> 16) & 0xff) == minor_from_name(p->path)))
        v = version_from_string(elf->version);
    if (!v && minor_from_name(p->path))
        v = (3u << 24) | (minor_from_name(p->path) << 16) | 0xf0;
    if (!v) {
        say(detail, dlen, "cannot tell the Python version of %s", p->path);
        return -ENOEXEC;
    }
    if (((v >> 16) & 0xff) >= 13) {
        /* 3.13+ always carry _Py_DebugOffsets: the cookie is not readable yet (the loader is
         * still mapping the object), so try again later. */
        say(detail, dlen, "the Python interpreter is not initialised");
        return -EAGAIN;
    }
    err = py_offsets_for_version((unsigned)v, &p->off);
    if (err) {
        say(detail, dlen, "Python %u.%u is not supported (" SUPPORTED ")", (unsigned)(v >> 24),
            (unsigned)(v >> 16) & 0xff);
        return -ENOTSUP;
    }
    if (p->py_debug) {
        /* Py_DEBUG adds fields to the runtime and interpreter states of 3.8-3.12 (reference
         * totals), which the built-in tables do not know; 3.13+ publish their own offsets. */
        say(detail, dlen,
            "Python %u.%u debug builds (Py_DEBUG) are not supported (spyglass supports debug "
            "builds of 3.13 to 3.15)",
            (unsigned)(v >> 24), (unsigned)(v >> 16) & 0xff);
        return -ENOTSUP;
    }
    p->off.version = (unsigned)v;
    return 0;
}

/* Before 3.11 a thread state holds only the pthread_t, the address of glibc's struct pthread,
 * whose tid field is at a glibc-internal offset (0x2d0 on x86_64 for years). Find it from the
 * main thread, whose TID is the PID: prefer 0x2d0, else the first aligned match. */
static int calibrate_pthread_tid(struct py_proc *p)
{
    uint64_t main_thread;
    uint32_t words[512];

    if (!p->off.rt_main_thread ||
        target_read_u64(p->t, p->runtime + p->off.rt_main_thread, &main_thread) != 0 ||
        !main_thread || target_read(p->t, main_thread, words, sizeof(words)) != 0)
        return -1;
    if (words[0x2d0 / 4] == (uint32_t)p->pid)
        return 0x2d0;
    for (int i = 4; i < 512; i++)
        if (words[i] == (uint32_t)p->pid)
            return i * 4;
    return -1;
}

void py_proc_calibrate_tid(struct py_proc *p)
{
    if (!p->off.ts_native_thread_id && p->pthread_tid_off < 0)
        p->pthread_tid_off = calibrate_pthread_tid(p);
}

int py_proc_image_gone(const struct py_proc *p)
{
    return proc_image_gone(&p->image);
}

int py_proc_interp_head(struct py_proc *p, uint64_t *interp)
{
    return target_read_u64(p->t, p->runtime + p->off.rt_interp_head, interp);
}

int py_proc_read_runtime(struct py_proc *p, const struct py_elf *elf, char *detail, size_t dlen)
{
    uint64_t interp = 0;
    int err = detect_version(p, elf, detail, dlen);

    if (err)
        return err;
    py_offsets_version_str(&p->off, p->version, sizeof(p->version));
    if (p->py_debug)
        strncat(p->version, " (debug)", sizeof(p->version) - strlen(p->version) - 1);
    err = py_proc_interp_head(p, &interp);
    if (err == -EFAULT || (!err && !interp)) {
        say(detail, dlen, "the Python interpreter is not initialised");
        return -EAGAIN;
    }
    return err;
}

static int open_target(struct py_proc *p, char *detail, size_t dlen)
{
    int err = target_linux_open(p->pid, &p->t);
    if (err == -ESRCH)
        say(detail, dlen, "no process with pid %d", p->pid);
    else if (err)
        say(detail, dlen, "cannot read the memory of process %d", p->pid);
    return err;
}

int py_proc_open(int pid, struct py_proc **out, char *detail, size_t dlen)
{
    struct proc_maps maps = {NULL, 0};
    struct py_elf elf;
    struct py_proc *p = xcalloc(1, sizeof(*p));
    int err;

    p->pid = pid;
    p->pthread_tid_off = -1;
    p->image.fd = -1;
    /* The image first: an exec after this point is seen at the end (no mixing of two). */
    err = proc_image_open(pid, &p->image);
    if (err == -ESRCH) {
        say(detail, dlen, "no process with pid %d", pid);
        goto out;
    }
    err = proc_maps_read(pid, &maps);
    if (err) {
        say(detail, dlen, err == -ESRCH ? "no process with pid %d" : "cannot read /proc/%d/maps",
            pid);
        err = err == -EACCES ? -EPERM : err; /* the ptrace access check refused */
        goto out;
    }
    err = open_target(p, detail, dlen);
    if (err == -EACCES)
        err = -EPERM;
    if (err)
        goto out;
    err = find_runtime(p, &maps, &elf, detail, dlen);
    if (err)
        goto out;
    p->image.addr = p->runtime; /* mapped: the cheap read (proc_image.h) */
    p->fixed_layout = !elf.is_dyn || proc_image_fixed_layout(pid) != 0;
    err = py_proc_read_runtime(p, &elf, detail, dlen);
    if (err)
        goto out;
    if (py_proc_image_gone(p) == 1) {
        say(detail, dlen, "the process is replacing its program (exec)");
        err = -EAGAIN;
        goto out;
    }
    py_proc_calibrate_tid(p);
out:
    proc_maps_destroy(&maps);
    if (err) {
        py_proc_free(p);
        return err;
    }
    *out = p;
    return 0;
}

void py_proc_free(struct py_proc *p)
{
    if (!p)
        return;
    proc_image_close(&p->image);
    target_free(p->t);
    free(p);
}
