/* System-wide readings for benchmark noise detection and metadata: /proc/stat CPU times,
 * /proc/loadavg, /proc/pressure/cpu, /proc/cpuinfo model, CPU frequency and throttling where
 * visible. proc_sys_*_parse(text) are pure; proc_sys_*_read() do the I/O. See docs/linux.md §17.
 * The parsers take NUL-terminated text, never read past its NUL, and return -EINVAL for
 * malformed text; out-parameters are written only on success.
 * SPDX-License-Identifier: MIT */
#ifndef PROC_SYS_H
#define PROC_SYS_H

#include <stddef.h>
#include <stdint.h>

/* Aggregate "cpu" line of /proc/stat, in USER_HZ ticks. */
struct proc_sys_cpu {
    uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
    uint64_t procs_running; /* "procs_running" line: runnable tasks right now */
    int ncpu;               /* number of "cpuN" lines */
};

/* Needs the first "cpu " line with at least 4 numbers (fields a kernel older than 2.6.11 lacks
 * are 0; guest times, already in user and nice, and any later fields are ignored), at least one
 * "cpuN" line and a "procs_running" line. Returns 0 or -EINVAL. */
int proc_sys_cpu_parse(const char *text, struct proc_sys_cpu *out);
/* Returns 0, -EINVAL or the negative errno of reading /proc/stat. */
int proc_sys_cpu_read(struct proc_sys_cpu *out);

/* Busy ticks (everything but idle and iowait) between two readings. A counter that went
 * backwards (iowait can) counts as 0. */
uint64_t proc_sys_cpu_busy(const struct proc_sys_cpu *a, const struct proc_sys_cpu *b);
/* All ticks between two readings: busy + idle + iowait, with the same rule. */
uint64_t proc_sys_cpu_total(const struct proc_sys_cpu *a, const struct proc_sys_cpu *b);

struct proc_sys_load {
    double avg1, avg5, avg15; /* /proc/loadavg */
    int running, total;       /* "R/T" field: runnable tasks / all tasks */
    double psi_some10;        /* /proc/pressure/cpu "some avg10", percent; -1 when absent */
};

/* Fills avg1..total from the first line ("0.52 0.58 0.59 2/345 12345"; the last pid is not
 * needed); psi_some10 is left as it is. Returns 0 or -EINVAL. */
int proc_sys_loadavg_parse(const char *text, struct proc_sys_load *out);
/* The avg10 value of the "some" line. Returns 0 or -EINVAL. */
int proc_sys_psi_parse(const char *text, double *some_avg10);
/* Fills every field; psi_some10 = -1 when /proc/pressure/cpu cannot be read. Returns 0, -EINVAL
 * or the negative errno of reading /proc/loadavg. */
int proc_sys_load_read(struct proc_sys_load *out);

/* Machine description for reports. Strings are NUL-terminated and may be empty. */
struct proc_sys_machine {
    char cpu_model[128]; /* first "model name" of /proc/cpuinfo */
    int ncpu;            /* online CPUs */
    char kernel[128];    /* uname: sysname release */
    char hostname[64];
    uint64_t mem_total; /* bytes, /proc/meminfo MemTotal */
    int freq_visible;   /* 1 when /sys/devices/system/cpu/cpu0/cpufreq exists */
    char governor[32];  /* scaling_governor of cpu0, or "" */
    double freq_min_mhz, freq_max_mhz, freq_cur_mhz; /* cpu0; 0 when not visible */
    uint64_t throttle_count; /* sum of thermal_throttle/core_throttle_count; 0 when absent */
};

/* Copy the CPU model of /proc/cpuinfo text into buf (size > 0): the first non-empty "model
 * name", else the first "Processor" (older ARM), "cpu model" (MIPS), "cpu" (POWER) or "uarch"
 * (RISC-V), else "CPU implementer X part Y" (arm64). Runs of blanks become one space; a long
 * value is cut at a UTF-8 character boundary. Returns 0, or -ENOENT when there is none. */
int proc_sys_cpuinfo_model(const char *text, char *buf, size_t size);
/* MemTotal of /proc/meminfo text, in bytes. Returns 0 or -EINVAL. */
int proc_sys_meminfo_parse(const char *text, uint64_t *mem_total);
/* Fills every field; what cannot be read is left "" or 0. Returns 0. */
int proc_sys_machine_read(struct proc_sys_machine *out);
/* As proc_sys_machine_read() with the /proc and /sys files looked up under the directory root
 * ("" for the real ones), so tests can use a fake tree; ncpu, kernel and hostname always
 * describe the running system. */
int proc_sys_machine_read_at(const char *root, struct proc_sys_machine *out);

/* Sum of thermal throttle events across CPUs right now (0 when not visible). */
uint64_t proc_sys_throttle_count(void);

#endif
