/* Symbols, sections and version string of a CPython ELF object, via libelf.
 * SPDX-License-Identifier: MIT */
#include "py_elf.h"

#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <string.h>
#include <unistd.h>

static void scan_symbols(Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh, struct py_elf *out)
{
    Elf_Data *data = elf_getdata(scn, NULL);
    if (!data || sh->sh_entsize == 0)
        return;
    size_t n = sh->sh_size / sh->sh_entsize;
    for (size_t i = 0; i < n; i++) {
        GElf_Sym sym;
        if (!gelf_getsym(data, (int)i, &sym) || sym.st_value == 0 || sym.st_shndx == SHN_UNDEF)
            continue;
        const char *name = elf_strptr(elf, sh->sh_link, sym.st_name);
        if (!name || (name[0] != '_' && name[0] != 'P'))
            continue;
        if (strcmp(name, "_PyRuntime") == 0 && !out->runtime) {
            out->runtime = sym.st_value;
            out->runtime_size = sym.st_size;
        } else if (strcmp(name, "Py_Version") == 0) {
            out->py_version = sym.st_value;
        } else if (strcmp(name, "PyCode_Type") == 0) {
            out->code_type = sym.st_value;
        } else if (strcmp(name, "_Py_RefTotal") == 0) {
            out->py_debug = 1;
        }
    }
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int py_elf_find_version(const char *buf, uint64_t len, char *out, unsigned len_out)
{
    for (uint64_t i = 0; i + 5 < len; i++) {
        /* The linker may tail-merge the literal into a longer string ("/x/3.8.18"). */
        if (buf[i] != '3' || buf[i + 1] != '.' ||
            (i > 0 && (is_digit(buf[i - 1]) || buf[i - 1] == '.')))
            continue;
        uint64_t j = i + 2, k;
        for (k = 0; j < len && is_digit(buf[j]) && k < 3; j++, k++)
            ;
        if (k == 0 || k > 2 || j >= len || buf[j] != '.')
            continue;
        for (j++, k = 0; j < len && is_digit(buf[j]) && k < 3; j++, k++)
            ;
        if (k == 0 || k > 2)
            continue;
        uint64_t end = j;
        while (end < len && end - i < 15 && buf[end] != '\0' &&
               (is_digit(buf[end]) || buf[end] == 'a' || buf[end] == 'b' || buf[end] == 'r' ||
                buf[end] == 'c' || buf[end] == '+'))
            end++;
        if (end >= len || buf[end] != '\0' || end - i + 1 > len_out)
            continue;
        memcpy(out, buf + i, end - i);
        out[end - i] = '\0';
        return 0;
    }
    return -ENOENT;
}

static void scan_sections(Elf *elf, struct py_elf *out)
{
    size_t shstrndx;
    Elf_Scn *scn = NULL;
    if (elf_getshdrstrndx(elf, &shstrndx) != 0)
        return;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh))
            continue;
        const char *name = elf_strptr(elf, shstrndx, sh.sh_name);
        if (sh.sh_type == SHT_DYNSYM || sh.sh_type == SHT_SYMTAB) {
            scan_symbols(elf, scn, &sh, out);
        } else if (name && strcmp(name, ".PyRuntime") == 0 && !out->runtime) {
            out->runtime = sh.sh_addr;
            out->runtime_size = sh.sh_size;
        } else if (name && strcmp(name, ".AsyncioDebug") == 0 && sh.sh_type == SHT_PROGBITS) {
            out->asyncio_debug = sh.sh_addr;
            out->asyncio_debug_size = sh.sh_size;
        } else if (name && strcmp(name, ".rodata") == 0 && !out->version[0]) {
            Elf_Data *data = elf_getdata(scn, NULL);
            if (data && data->d_buf)
                py_elf_find_version(data->d_buf, data->d_size, out->version, sizeof(out->version));
        }
    }
}

static int load_vaddr(Elf *elf, struct py_elf *out)
{
    size_t n;
    if (elf_getphdrnum(elf, &n) != 0)
        return -ENOEXEC;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
            uint64_t align = ph.p_align ? ph.p_align : 1;
            out->load_vaddr = ph.p_vaddr & ~(align - 1);
            return 0;
        }
    }
    return -ENOEXEC;
}

int py_elf_read(const char *path, struct py_elf *out)
{
    int fd = -1, err = 0;
    Elf *elf = NULL;
    GElf_Ehdr eh;

    memset(out, 0, sizeof(*out));
    if (elf_version(EV_CURRENT) == EV_NONE)
        return -ENOEXEC;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh) ||
        gelf_getclass(elf) != ELFCLASS64) {
        err = -ENOEXEC;
        goto out;
    }
    out->is_dyn = eh.e_type == ET_DYN;
    err = load_vaddr(elf, out);
    if (err)
        goto out;
    scan_sections(elf, out);
out:
    if (elf)
        elf_end(elf);
    close(fd);
    return err;
}
