/* System-wide readings: /proc/stat, /proc/loadavg, /proc/pressure/cpu (PSI), /proc/cpuinfo,
 * /proc/meminfo, and cpufreq and thermal_throttle in sysfs. Formats: docs/linux.md §17.
 * SPDX-License-Identifier: MIT */
#include "proc_sys.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util_sbuf.h"

#define TEXT_MAX (16u << 20) /* refuse to read a /proc file larger than this */
#define CPU_DIR  "/sys/devices/system/cpu"

/* The numbers read from the aggregate cpu line (user .. steal, docs/linux.md §17); the fewest
 * accepted. */
enum { CPU_FIELDS = 8, CPU_FIELDS_MIN = 4 };

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* The end of the line at p: its '\n' or the NUL. */
static const char *eol(const char *p)
{
    return strchrnul(p, '\n');
}

/* The start of the line after the one ending at e. */
static const char *next_line(const char *e)
{
    return *e ? e + 1 : e;
}

/* If line [p, e) starts with key followed by a blank (or ends there), the text after key. */
static const char *after_key(const char *p, const char *e, const char *key)
{
    size_t n = strlen(key);

    if ((size_t)(e - p) < n || memcmp(p, key, n) != 0)
        return NULL;
    return p + n == e || is_blank(p[n]) ? p + n : NULL;
}

/* A decimal number of at least one digit that fits in 64 bits, at *p before e. */
static int get_u64(const char **p, const char *e, uint64_t *v)
{
    const char *s = *p;
    uint64_t x = 0;

    for (; s < e && is_digit(*s); s++) {
        uint64_t d = (uint64_t)(*s - '0');

        if (x > (UINT64_MAX - d) / 10)
            return -EINVAL;
        x = x * 10 + d;
    }
    if (s == *p)
        return -EINVAL;
    *p = s;
    *v = x;
    return 0;
}

/* A decimal "123" or "1.25" (the kernel writes fixed point with a dot, whatever the locale). */
static int get_dec(const char **p, const char *e, double *v)
{
    const char *s = *p;
    uint64_t ip;
    double x, scale = 0.1;

    if (get_u64(&s, e, &ip) < 0)
        return -EINVAL;
    x = (double)ip;
    if (s < e && *s == '.') {
        if (++s == e || !is_digit(*s))
            return -EINVAL;
        for (; s < e && is_digit(*s); s++, scale /= 10)
            x += (*s - '0') * scale;
    }
    *p = s;
    *v = x;
    return 0;
}

/* Up to max blank-separated numbers of [p, e) into v; tokens after the max-th are ignored.
 * Returns how many, or -EINVAL for a token before them that is not a number. */
static int numbers(const char *p, const char *e, uint64_t *v, int max)
{
    int n = 0;

    for (;;) {
        while (p < e && is_blank(*p))
            p++;
        if (p == e || n == max)
            return n;
        if (get_u64(&p, e, &v[n]) < 0 || (p < e && !is_blank(*p)))
            return -EINVAL;
        n++;
    }
}

static void cpu_fields(struct proc_sys_cpu *c, const uint64_t *v)
{
    c->user = v[0];
    c->nice = v[1];
    c->system = v[2];
    c->idle = v[3];
    c->iowait = v[4];
    c->irq = v[5];
    c->softirq = v[6];
    c->steal = v[7];
}

int proc_sys_cpu_parse(const char *text, struct proc_sys_cpu *out)
{
    struct proc_sys_cpu c = {0};
    int have_cpu = 0, have_running = 0;

    for (const char *p = text, *e; *p; p = next_line(e)) {
        uint64_t v[CPU_FIELDS] = {0};
        const char *q;

        e = eol(p);
        if ((q = after_key(p, e, "cpu"))) {
            if (have_cpu)
                continue;
            if (numbers(q, e, v, CPU_FIELDS) < CPU_FIELDS_MIN)
                return -EINVAL;
            cpu_fields(&c, v);
            have_cpu = 1;
        } else if (e - p > 3 && memcmp(p, "cpu", 3) == 0 && is_digit(p[3])) {
            if (c.ncpu == INT_MAX)
                return -EINVAL;
            c.ncpu++;
        } else if ((q = after_key(p, e, "procs_running"))) {
            if (numbers(q, e, v, 2) != 1)
                return -EINVAL;
            c.procs_running = v[0];
            have_running = 1;
        }
    }
    if (!have_cpu || !have_running || c.ncpu == 0)
        return -EINVAL;
    *out = c;
    return 0;
}

/* path = root + a + b. Returns 0 or -ENAMETOOLONG. */
static int join(char *path, size_t size, const char *root, const char *a, const char *b)
{
    return (size_t)snprintf(path, size, "%s%s%s", root, a, b) < size ? 0 : -ENAMETOOLONG;
}

/* Read the whole file at path into b (emptied first). Returns 0 or a negative errno. */
static int read_text(const char *path, struct sbuf *b)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

    sbuf_reset(b);
    if (fd < 0)
        return -errno;
    for (;;) {
        ssize_t n;

        sbuf_reserve(b, 4096);
        n = read(fd, b->buf + b->len, b->cap - b->len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0 || b->len + (size_t)n > TEXT_MAX) {
            err = n < 0 ? -errno : n > 0 ? -EFBIG : 0;
            break;
        }
        b->len += (size_t)n;
        b->buf[b->len] = '\0';
    }
    close(fd);
    return err;
}

/* Read the file root + rel and give its text to parse(text, arg). */
static int read_parse(const char *root, const char *rel, int (*parse)(const char *, void *),
                      void *arg)
{
    char path[PATH_MAX];
    struct sbuf b;
    int err;

    if (join(path, sizeof(path), root, rel, "") < 0)
        return -ENAMETOOLONG;
    sbuf_init(&b);
    err = read_text(path, &b);
    if (err == 0)
        err = parse(sbuf_str(&b), arg);
    sbuf_destroy(&b);
    return err;
}

static int parse_cpu(const char *text, void *arg)
{
    return proc_sys_cpu_parse(text, arg);
}

int proc_sys_cpu_read(struct proc_sys_cpu *out)
{
    return read_parse("", "/proc/stat", parse_cpu, out);
}

/* b - a, or 0 when the counter went backwards; sums saturate (text can hold any numbers). */
static uint64_t delta(uint64_t a, uint64_t b)
{
    return b > a ? b - a : 0;
}

static uint64_t sat_add(uint64_t x, uint64_t y)
{
    return x > UINT64_MAX - y ? UINT64_MAX : x + y;
}

uint64_t proc_sys_cpu_busy(const struct proc_sys_cpu *a, const struct proc_sys_cpu *b)
{
    const uint64_t d[] = {delta(a->user, b->user),       delta(a->nice, b->nice),
                          delta(a->system, b->system),   delta(a->irq, b->irq),
                          delta(a->softirq, b->softirq), delta(a->steal, b->steal)};
    uint64_t sum = 0;

    for (size_t i = 0; i < sizeof(d) / sizeof(d[0]); i++)
        sum = sat_add(sum, d[i]);
    return sum;
}

uint64_t proc_sys_cpu_total(const struct proc_sys_cpu *a, const struct proc_sys_cpu *b)
{
    return sat_add(sat_add(proc_sys_cpu_busy(a, b), delta(a->idle, b->idle)),
                   delta(a->iowait, b->iowait));
}

/* A number in [0, INT_MAX] at *p. */
static int get_int(const char **p, const char *e, int *v)
{
    uint64_t x;

    if (get_u64(p, e, &x) < 0 || x > INT_MAX)
        return -EINVAL;
    *v = (int)x;
    return 0;
}

/* Skip blanks at *p. Returns 0 when a token follows before e, else -EINVAL. */
static int skip_blanks(const char **p, const char *e)
{
    const char *s = *p;

    while (s < e && is_blank(*s))
        s++;
    *p = s;
    return s < e ? 0 : -EINVAL;
}

static int at_end_of_token(const char *p, const char *e)
{
    return p == e || is_blank(*p);
}

int proc_sys_loadavg_parse(const char *text, struct proc_sys_load *out)
{
    const char *p = text, *e = eol(text);
    double avg[3];
    int running, total;

    for (int i = 0; i < 3; i++) {
        if (skip_blanks(&p, e) < 0 || get_dec(&p, e, &avg[i]) < 0 || !at_end_of_token(p, e))
            return -EINVAL;
    }
    if (skip_blanks(&p, e) < 0 || get_int(&p, e, &running) < 0 || p == e || *p++ != '/' ||
        get_int(&p, e, &total) < 0 || !at_end_of_token(p, e))
        return -EINVAL;
    out->avg1 = avg[0];
    out->avg5 = avg[1];
    out->avg15 = avg[2];
    out->running = running;
    out->total = total;
    return 0;
}

/* The value of "name=" among the blank-separated tokens of [p, e). */
static int psi_field(const char *p, const char *e, const char *name, double *v)
{
    size_t n = strlen(name);

    while (skip_blanks(&p, e) == 0) {
        if ((size_t)(e - p) > n && memcmp(p, name, n) == 0 && p[n] == '=') {
            double x;

            p += n + 1;
            if (get_dec(&p, e, &x) < 0 || !at_end_of_token(p, e))
                return -EINVAL;
            *v = x;
            return 0;
        }
        while (p < e && !is_blank(*p))
            p++;
    }
    return -EINVAL;
}

int proc_sys_psi_parse(const char *text, double *some_avg10)
{
    for (const char *p = text, *e; *p; p = next_line(e)) {
        const char *q;

        e = eol(p);
        if ((q = after_key(p, e, "some")))
            return psi_field(q, e, "avg10", some_avg10);
    }
    return -EINVAL;
}

static int parse_load(const char *text, void *arg)
{
    return proc_sys_loadavg_parse(text, arg);
}

static int parse_psi(const char *text, void *arg)
{
    return proc_sys_psi_parse(text, arg);
}

int proc_sys_load_read(struct proc_sys_load *out)
{
    struct proc_sys_load l = {.psi_some10 = -1};
    int err = read_parse("", "/proc/loadavg", parse_load, &l);

    if (err < 0)
        return err;
    if (read_parse("", "/proc/pressure/cpu", parse_psi, &l.psi_some10) < 0)
        l.psi_some10 = -1;
    *out = l;
    return 0;
}

/* The value of the first line "key<blanks>: value" of text with a non-empty value, trimmed of
 * blanks; NULL when there is none. */
static const char *cpuinfo_value(const char *text, const char *key, size_t *len)
{
    size_t n = strlen(key);

    for (const char *p = text, *e; *p; p = next_line(e)) {
        const char *c, *k, *v, *ve;

        e = eol(p);
        if (!(c = memchr(p, ':', (size_t)(e - p))))
            continue;
        for (k = c; k > p && is_blank(k[-1]); k--)
            ;
        if ((size_t)(k - p) != n || memcmp(p, key, n) != 0)
            continue;
        for (v = c + 1; v < e && is_blank(*v); v++)
            ;
        for (ve = e; ve > v && is_blank(ve[-1]); ve--)
            ;
        if (ve > v) {
            *len = (size_t)(ve - v);
            return v;
        }
    }
    return NULL;
}

static int is_utf8_cont(char c)
{
    return ((unsigned char)c & 0xc0) == 0x80;
}

/* Copy s[0..len) into buf (size > 0): control bytes and runs of blanks become one space, no
 * space at either end, and a cut (when buf is too small) falls on a UTF-8 character boundary. */
static void copy_clean(char *buf, size_t size, const char *s, size_t len)
{
    size_t k = 0, i;

    for (i = 0; i < len && k + 1 < size; i++) {
        char c = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];

        if (c == ' ' && (k == 0 || buf[k - 1] == ' '))
            continue;
        buf[k++] = c;
    }
    if (i < len && is_utf8_cont(s[i])) {
        while (k > 0 && is_utf8_cont(buf[k - 1]))
            k--;
        if (k > 0 && (unsigned char)buf[k - 1] >= 0xc0)
            k--;
    }
    while (k > 0 && buf[k - 1] == ' ')
        k--;
    buf[k] = '\0';
}

int proc_sys_cpuinfo_model(const char *text, char *buf, size_t size)
{
    static const char *const keys[] = {"model name", "Processor", "cpu model", "cpu", "uarch"};
    const char *v, *part;
    size_t len, plen;
    char tmp[160];

    assert(buf && size > 0);
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if ((v = cpuinfo_value(text, keys[i], &len))) {
            copy_clean(buf, size, v, len);
            return 0;
        }
    }
    if (!(v = cpuinfo_value(text, "CPU implementer", &len)) ||
        !(part = cpuinfo_value(text, "CPU part", &plen)))
        return -ENOENT;
    /* Both are short hex numbers on real machines; %.*s keeps an odd one within tmp. */
    snprintf(tmp, sizeof(tmp), "CPU implementer %.*s part %.*s", (int)(len > 64 ? 64 : len), v,
             (int)(plen > 64 ? 64 : plen), part);
    copy_clean(buf, size, tmp, strlen(tmp));
    return 0;
}

int proc_sys_meminfo_parse(const char *text, uint64_t *mem_total)
{
    for (const char *p = text, *e; *p; p = next_line(e)) {
        const char *q;
        uint64_t kb;

        e = eol(p);
        if (!(q = after_key(p, e, "MemTotal:")))
            continue;
        if (skip_blanks(&q, e) < 0 || get_u64(&q, e, &kb) < 0 || !at_end_of_token(q, e) ||
            skip_blanks(&q, e) < 0 || e - q < 2 || memcmp(q, "kB", 2) != 0 ||
            kb > UINT64_MAX / 1024)
            return -EINVAL;
        for (q += 2; q < e && is_blank(*q); q++)
            ;
        if (q != e)
            return -EINVAL;
        *mem_total = kb * 1024;
        return 0;
    }
    return -EINVAL;
}

/* A small sysfs file into buf (size > 1), without its trailing newline or blanks. */
static int read_small(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;
    ssize_t n;

    if (fd < 0)
        return -errno;
    do
        n = read(fd, buf, size - 1);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        err = -errno;
    close(fd);
    if (err < 0)
        return err;
    while (n > 0 && (buf[n - 1] == '\n' || is_blank(buf[n - 1])))
        n--;
    buf[n] = '\0';
    return 0;
}

/* A sysfs file holding one number. */
static int read_u64(const char *path, uint64_t *v)
{
    char buf[64];
    uint64_t x[2];

    if (read_small(path, buf, sizeof(buf)) < 0 || numbers(buf, buf + strlen(buf), x, 2) != 1)
        return -EINVAL;
    *v = x[0];
    return 0;
}

/* cpufreq of cpu0: policy limits and current frequency, in kHz in sysfs. */
static void read_freq(const char *root, struct proc_sys_machine *m)
{
    static const char dir[] = CPU_DIR "/cpu0/cpufreq";
    const struct {
        const char *file;
        double *mhz;
    } freq[] = {{"/scaling_min_freq", &m->freq_min_mhz},
                {"/scaling_max_freq", &m->freq_max_mhz},
                {"/scaling_cur_freq", &m->freq_cur_mhz}};
    char path[PATH_MAX], gov[64];
    struct stat st;
    uint64_t khz;

    if (join(path, sizeof(path), root, dir, "") < 0 || stat(path, &st) < 0 || !S_ISDIR(st.st_mode))
        return;
    m->freq_visible = 1;
    if (join(path, sizeof(path), root, dir, "/scaling_governor") == 0 &&
        read_small(path, gov, sizeof(gov)) == 0)
        copy_clean(m->governor, sizeof(m->governor), gov, strlen(gov));
    for (size_t i = 0; i < sizeof(freq) / sizeof(freq[0]); i++) {
        if (join(path, sizeof(path), root, dir, freq[i].file) == 0 && read_u64(path, &khz) == 0)
            *freq[i].mhz = (double)khz / 1000.0;
    }
}

/* Whether name is "cpuN". */
static int is_cpu_dir(const char *name)
{
    return strncmp(name, "cpu", 3) == 0 && name[3] &&
           strspn(name + 3, "0123456789") == strlen(name + 3);
}

static uint64_t throttle_at(const char *root)
{
    char path[PATH_MAX];
    uint64_t sum = 0, v;
    struct dirent *de;
    DIR *d;

    if (join(path, sizeof(path), root, CPU_DIR, "") < 0 || !(d = opendir(path)))
        return 0;
    while ((de = readdir(d))) {
        if (!is_cpu_dir(de->d_name) ||
            join(path, sizeof(path), root, CPU_DIR "/", de->d_name) < 0 ||
            strlen(path) + sizeof("/thermal_throttle/core_throttle_count") > sizeof(path))
            continue;
        strcat(path, "/thermal_throttle/core_throttle_count");
        if (read_u64(path, &v) == 0)
            sum = sat_add(sum, v);
    }
    closedir(d);
    return sum;
}

uint64_t proc_sys_throttle_count(void)
{
    return throttle_at("");
}

static int parse_model(const char *text, void *arg)
{
    struct proc_sys_machine *m = arg;

    return proc_sys_cpuinfo_model(text, m->cpu_model, sizeof(m->cpu_model));
}

static int parse_mem(const char *text, void *arg)
{
    return proc_sys_meminfo_parse(text, arg);
}

int proc_sys_machine_read_at(const char *root, struct proc_sys_machine *out)
{
    struct proc_sys_machine m;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    struct utsname u;

    memset(&m, 0, sizeof(m));
    m.ncpu = ncpu > 0 && ncpu <= INT_MAX ? (int)ncpu : 0;
    if (uname(&u) == 0) {
        char kernel[sizeof(u.sysname) + sizeof(u.release) + 1];

        snprintf(kernel, sizeof(kernel), "%s %s", u.sysname, u.release);
        copy_clean(m.kernel, sizeof(m.kernel), kernel, strlen(kernel));
        copy_clean(m.hostname, sizeof(m.hostname), u.nodename, strlen(u.nodename));
    }
    if (read_parse(root, "/proc/cpuinfo", parse_model, &m) < 0)
        m.cpu_model[0] = '\0';
    if (read_parse(root, "/proc/meminfo", parse_mem, &m.mem_total) < 0)
        m.mem_total = 0;
    read_freq(root, &m);
    m.throttle_count = throttle_at(root);
    *out = m;
    return 0;
}

int proc_sys_machine_read(struct proc_sys_machine *out)
{
    return proc_sys_machine_read_at("", out);
}
