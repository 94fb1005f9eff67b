/* The run record of the exports: collected from proc_sys around a run.
 * SPDX-License-Identifier: MIT */
#include "meta.h"

#include <stdio.h>
#include <string.h>

#include "proc_sys.h"

#define OTHER_CPU_WINDOW_NS 200000000L /* the look at other processes' CPU before the run */

/* Share (0..1) of the machine's CPU time used by others over a short window; -1 unknown. */
static double other_cpu_now(void)
{
    struct proc_sys_cpu a, b;
    struct timespec ts = {0, OTHER_CPU_WINDOW_NS};

    if (proc_sys_cpu_read(&a) < 0)
        return -1;
    nanosleep(&ts, NULL);
    if (proc_sys_cpu_read(&b) < 0 || proc_sys_cpu_total(&a, &b) == 0)
        return -1;
    return (double)proc_sys_cpu_busy(&a, &b) / (double)proc_sys_cpu_total(&a, &b);
}

/* The three load averages into v; zeros when /proc/loadavg cannot be read. */
static void load_now(double v[3], double *psi)
{
    struct proc_sys_load l;

    memset(&l, 0, sizeof(l));
    l.psi_some10 = -1;
    proc_sys_load_read(&l);
    v[0] = l.avg1;
    v[1] = l.avg5;
    v[2] = l.avg15;
    if (psi)
        *psi = l.psi_some10;
}

void meta_begin_at(struct meta *m, const char *version, const char *root)
{
    struct proc_sys_machine mach;

    memset(m, 0, sizeof(*m));
    m->version = version;
    proc_sys_machine_read_at(root, &mach);
    snprintf(m->cpu_model, sizeof(m->cpu_model), "%s", mach.cpu_model);
    snprintf(m->kernel, sizeof(m->kernel), "%s", mach.kernel);
    snprintf(m->hostname, sizeof(m->hostname), "%s", mach.hostname);
    snprintf(m->governor, sizeof(m->governor), "%s", mach.governor);
    m->cpu_count = mach.ncpu;
    m->cpu_freq_visible = mach.freq_visible;
    m->cpu_freq_mhz = mach.freq_cur_mhz;
    m->mem_total = mach.mem_total;
    load_now(m->load_before, &m->cpu_pressure_before);
    m->other_cpu_before = other_cpu_now();
    m->other_cpu_during = -1;
}

void meta_begin(struct meta *m, const char *version)
{
    meta_begin_at(m, version, "");
}

void meta_end(struct meta *m, double other_cpu, double elapsed)
{
    load_now(m->load_after, NULL);
    meta_date(m->date, sizeof(m->date), time(NULL));
    m->other_cpu_during = other_cpu;
    m->elapsed = elapsed;
}

void meta_date(char *buf, size_t size, time_t t)
{
    struct tm tm;

    gmtime_r(&t, &tm);
    if (strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0 && size > 0)
        buf[0] = '\0';
}
