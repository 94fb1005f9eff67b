/* The record of where and when a benchmark ran, which `spyglass bench` and `spyglass timeit`
 * put in their exports as "metadata": the machine (proc_sys), its load before and after, the
 * share of the CPUs used by other processes, the date and the duration. meta_begin() and
 * meta_end() collect it around a run; out_json_meta() writes it.
 * SPDX-License-Identifier: MIT */
#ifndef META_H
#define META_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Fields are named after the export's members (docs/bench-schema.json, timeit-schema.json).
 * Strings are NUL-terminated and may be empty. */
struct meta {
    const char *version;        /* spyglass's; borrowed */
    char date[32];              /* ISO 8601 UTC when the run ended, "2024-05-01T12:00:00Z" */
    char cpu_model[128];        /* /proc/cpuinfo */
    char kernel[128];           /* uname: sysname release */
    char hostname[64];          /* uname: nodename */
    char governor[32];          /* cpu0's scaling governor, "" when not visible */
    int cpu_count;              /* online CPUs */
    int cpu_freq_visible;       /* 1 when CPU frequency scaling can be seen (cpufreq in sysfs) */
    double cpu_freq_mhz;        /* cpu0's current frequency, 0 when not visible */
    uint64_t mem_total;         /* bytes */
    double load_before[3];      /* load averages over 1, 5 and 15 minutes before the run */
    double load_after[3];       /* ... after it */
    double cpu_pressure_before; /* /proc/pressure/cpu "some avg10" before (percent), -1 absent */
    double other_cpu_before;    /* share (0..1) of the CPUs used by other processes during the
                                   200 ms before the run, -1 unknown */
    double other_cpu_during;    /* ... while it ran (measured by the engine), -1 unknown */
    double elapsed;             /* seconds the whole run took */
};

/* Start the record of a run: version, the machine, the load averages and CPU pressure, then
 * the share of the CPUs that other processes use over 200 ms (this call sleeps that long).
 * What cannot be read is left "" or 0 (-1 for the pressure and the share). */
void meta_begin(struct meta *m, const char *version);

/* As meta_begin() with the machine's /proc and /sys files looked up under the directory root
 * ("" for the real ones; see proc_sys_machine_read_at()), so that tests can use a fixed tree.
 * The load, pressure and shares always describe the running system. */
void meta_begin_at(struct meta *m, const char *version, const char *root);

/* Finish the record after the run: the load averages after it, the date, and what the engine
 * measured: other_cpu (share 0..1 of the CPUs used by other processes, -1 unknown) and elapsed
 * (seconds). */
void meta_end(struct meta *m, double other_cpu, double elapsed);

/* Format time t (seconds since the epoch) as ISO 8601 UTC ("1970-01-01T00:00:00Z") into
 * buf[0..size-1]. */
void meta_date(char *buf, size_t size, time_t t);

#endif
