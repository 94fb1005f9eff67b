/* System-wide readings for benchmark noise detection and metadata: /proc/stat CPU times,
 * /proc/loadavg, /proc/pressure/cpu, /proc/cpuinfo model, CPU frequency and throttling where
 * visible. proc_sys_*_parse(text) are pure; proc_sys_*_read() do the I/O. See proc(5).
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

int proc_sys_cpu_parse(const char *text, struct proc_sys_cpu *out);
int proc_sys_cpu_read(struct proc_sys_cpu *out);

/* Busy ticks (everything but idle and iowait) between two readings. */
uint64_t proc_sys_cpu_busy(const struct proc_sys_cpu *a, const struct proc_sys_cpu *b);
/* All ticks between two readings. */
uint64_t proc_sys_cpu_total(const struct proc_sys_cpu *a, const struct proc_sys_cpu *b);

struct proc_sys_load {
    double avg1, avg5, avg15; /* /proc/loadavg */
    int running, total;       /* "R/T" field: runnable tasks / all tasks */
    double psi_some10;        /* /proc/pressure/cpu "some avg10", percent; -1 when absent */
};

int proc_sys_loadavg_parse(const char *text, struct proc_sys_load *out);
int proc_sys_psi_parse(const char *text, double *some_avg10);
/* Fills every field; psi_some10 = -1 when /proc/pressure/cpu cannot be read. */
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

int proc_sys_cpuinfo_model(const char *text, char *buf, size_t size);
int proc_sys_machine_read(struct proc_sys_machine *out);

/* Sum of thermal throttle events across CPUs right now (0 when not visible). */
uint64_t proc_sys_throttle_count(void);

#endif
