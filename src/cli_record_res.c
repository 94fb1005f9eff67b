/* record --resources: mon_thread around the sampling, out_monitor for the file and the line.
 * SPDX-License-Identifier: MIT */
#include "cli_record_res.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cli_attach.h"
#include "cli_msg.h"
#include "meta.h"
#include "mon.h"
#include "mon_thread.h"
#include "out_monitor.h"
#include "util_file.h"
#include "util_xalloc.h"

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);

    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

int rec_res_open(struct rec_res *r)
{
    r->exit_code = -1;
    if (!r->path)
        return 0;
    int err = file_out_open(&r->file, r->path, 0);

    if (err) {
        cli_write_error(r->path, err);
        return -1;
    }
    return 0;
}

void rec_res_start(struct rec_res *r, int pid, int launched)
{
    int err;

    if (!r->path && !r->report)
        return;
    if ((err = mon_thread_start(pid, r->interval, launched, &r->mt)) < 0)
        cli_msg(stderr,
                "spyglass: warning: cannot read the resources of process %d (%s); %s "
                "will hold no series\n",
                pid, strerror(-err), r->path ? r->path : "the report");
}

void rec_res_stop(struct rec_res *r)
{
    if (r->mt)
        mon_thread_stop(r->mt, &r->m, &r->elapsed);
    r->mt = NULL;
}

static int write_series(struct rec_res *r, const char *command, int pid)
{
    struct out_monitor_meta meta = {0};
    char date[32];
    int err;

    meta_date(date, sizeof(date), time(NULL));
    meta.version = SPYGLASS_VERSION;
    meta.date = date;
    meta.command = command ? command : "";
    meta.pid = pid;
    meta.interval = r->interval;
    meta.elapsed = r->elapsed;
    meta.exit_code = r->exit_code;
    meta.interrupted = r->interrupted;
    mon_get_stats(r->m, &meta.st);
    meta.self_cpu = (double)meta.st.self_cpu_ns / 1e9;
    err = ends_with(r->path, ".json")  ? out_monitor_json(r->file.f, r->m, &meta)
          : ends_with(r->path, ".svg") ? out_monitor_svg(r->file.f, r->m, &meta)
                                       : out_monitor_csv(r->file.f, r->m);
    return file_out_close(&r->file, err);
}

int rec_res_finish(struct rec_res *r, const char *command, int pid)
{
    int err = 0;

    if (!r->file.f) { /* readings for the report only */
        if (r->m)
            mon_free(r->m);
        r->m = NULL;
        return 0;
    }
    if (r->m)
        err = write_series(r, command, pid);
    else
        file_out_abort(&r->file); /* nothing was read: the file stays as it was */
    if (r->m)
        mon_free(r->m);
    r->m = NULL;
    if (err) {
        cli_write_error(r->path, err);
        return -1;
    }
    return 0;
}

static void bytes(char *buf, size_t size, double b)
{
    if (!(b >= 0))
        snprintf(buf, size, "?");
    else if (b >= 1 << 30)
        snprintf(buf, size, "%.2f GiB", b / (1 << 30));
    else if (b >= 1 << 20)
        snprintf(buf, size, "%.1f MiB", b / (1 << 20));
    else if (b >= 1 << 10)
        snprintf(buf, size, "%.1f KiB", b / (1 << 10));
    else
        snprintf(buf, size, "%.0f B", b);
}

void rec_res_summary(FILE *f, const struct rec_res *r)
{
    struct out_monitor_sum cpu, rss;
    struct mon_stats st;
    char peak[32], rd[32], wr[32], rx[32], tx[32];

    if (!r->m || mon_rows(r->m) == 0)
        return;
    out_monitor_summarise(r->m, MON_CPU, &cpu);
    out_monitor_summarise(r->m, MON_RSS, &rss);
    mon_get_stats(r->m, &st);
    bytes(peak, sizeof(peak), rss.peak);
    bytes(rd, sizeof(rd), mon_total(r->m, MON_DISK_READ));
    bytes(wr, sizeof(wr), mon_total(r->m, MON_DISK_WRITE));
    bytes(rx, sizeof(rx), mon_total(r->m, MON_NET_RX));
    bytes(tx, sizeof(tx), mon_total(r->m, MON_NET_TX));
    cli_msg(f,
            "resources: CPU mean %.0f%% (peak %.0f%%), peak RSS %s, disk read %s, written %s, "
            "network received %s, sent %s; %zu readings (%s), monitor CPU %.3f s\n",
            cpu.mean, cpu.peak, peak, rd, wr, rx, tx, mon_rows(r->m),
            r->path ? r->path : "in the report", (double)st.self_cpu_ns / 1e9);
}

void rec_res_html(const struct rec_res *r, struct rec_res_html *out)
{
    static const struct {
        enum mon_metric k;
        const char *chart;
    } shown[REC_RES_HTML_SERIES] = {
        {MON_CPU, "cpu"},        {MON_CPU_WAIT, "cpu"},    {MON_RSS, "memory"},
        {MON_DISK_READ, "disk"}, {MON_DISK_WRITE, "disk"}, {MON_NET_RX, "network"},
        {MON_NET_TX, "network"},
    };
    size_t n = r->m ? mon_rows(r->m) : 0;

    memset(out, 0, sizeof(*out));
    if (!n)
        return;
    out->t = xcalloc(n, sizeof(double));
    for (size_t i = 0; i < n; i++)
        out->t[i] = mon_time(r->m, i);
    for (int j = 0; j < REC_RES_HTML_SERIES; j++) {
        const struct mon_metric_info *info = mon_metric_info(shown[j].k);
        out->v[j] = xcalloc(n, sizeof(double));
        for (size_t i = 0; i < n; i++)
            out->v[j][i] = mon_value(r->m, i, shown[j].k);
        out->series[j] = (struct out_html_series){
            .name = info->name,
            .label = info->label,
            .unit = info->unit,
            .chart = shown[j].chart,
            .v = out->v[j],
        };
    }
    out->res = (struct out_html_res){
        .n = n, .t = out->t, .series = out->series, .nseries = REC_RES_HTML_SERIES};
}

void rec_res_html_free(struct rec_res_html *h)
{
    free(h->t);
    for (int j = 0; j < REC_RES_HTML_SERIES; j++)
        free(h->v[j]);
    memset(h, 0, sizeof(*h));
}
