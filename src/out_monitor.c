/* Writers of `spyglass monitor`: CSV, JSON, SVG, the summary table and the live line.
 * SPDX-License-Identifier: MIT */
#include "out_monitor.h"

#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "out_json.h"
#include "stats_dist.h"
#include "util_file.h"
#include "util_sbuf.h"
#include "util_xalloc.h"

#define SVG_W      960
#define SVG_PANEL  150
#define SVG_LEFT   90
#define SVG_RIGHT  20
#define SVG_TOP    50
#define SVG_GAP    45
#define SVG_POINTS 1500 /* points per line at most: buckets keep their largest value */

/* ---- numbers for people ---- */

/* v with a binary prefix: "512 B", "1.50 KiB", "12.3 MiB". */
static void human(struct sbuf *b, double v, const char *unit)
{
    static const char *const pre[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi"};
    int p = 0;

    if (!isfinite(v)) {
        sbuf_adds(b, "-");
        return;
    }
    if (strcmp(unit, "%") == 0) {
        sbuf_printf(b, "%.1f%%", v);
        return;
    }
    if (unit[0] != 'B') { /* counts and counts per second */
        sbuf_printf(b, v >= 100 || v == floor(v) ? "%.0f%s" : "%.1f%s", v, unit);
        return;
    }
    while (fabs(v) >= 1024 && p < 5) {
        v /= 1024;
        p++;
    }
    sbuf_printf(b,
                p == 0    ? "%.0f %s%s"
                : v < 10  ? "%.2f %s%s"
                : v < 100 ? "%.1f %s%s"
                          : "%.0f %s%s",
                v, pre[p], unit);
}

void out_monitor_summarise(const struct mon *m, enum mon_metric k, struct out_monitor_sum *out)
{
    size_t n = mon_rows(m);
    double *v, sum = 0;

    out->peak = out->mean = out->p95 = NAN;
    out->total = mon_total(m, k);
    if (n == 0)
        return;
    v = xmalloc(n * sizeof(double));
    out->peak = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        v[i] = mon_value(m, i, k);
        sum += v[i];
        if (v[i] > out->peak)
            out->peak = v[i];
    }
    out->mean = sum / (double)n;
    out->p95 = stats_dist_quantile(v, n, 0.95);
    free(v);
}

/* ---- CSV ---- */

/* A CSV number: a whole one exactly, another with 6 significant digits; an empty field for a
 * value not measured. */
static void csv_num(struct sbuf *b, double v)
{
    if (!isfinite(v))
        return;
    if (v == floor(v) && fabs(v) < 1e15)
        sbuf_printf(b, "%.0f", v);
    else
        sbuf_printf(b, "%.6g", v);
}

int out_monitor_csv(FILE *f, const struct mon *m)
{
    struct file_w w;
    struct sbuf *b = &w.b;

    file_w_init(&w, f);
    sbuf_adds(b, "time_s");
    for (int k = 0; k < MON_NMETRICS; k++)
        sbuf_printf(b, ",%s", mon_metric_info(k)->name);
    sbuf_addc(b, '\n');
    for (size_t i = 0; i < mon_rows(m) && !w.err; i++) {
        sbuf_printf(b, "%.6f", mon_time(m, i));
        for (int k = 0; k < MON_NMETRICS; k++) {
            sbuf_addc(b, ',');
            csv_num(b, mon_value(m, i, k));
        }
        sbuf_addc(b, '\n');
        file_w_spill(&w);
    }
    return file_w_finish(&w);
}

/* ---- JSON ---- */

static void jmeta(struct sbuf *b, const struct out_monitor_meta *mt)
{
    const struct mon_stats *st = &mt->st;

    sbuf_printf(b, "{\"schema\":\"%s\",\"spyglass_version\":", OUT_MONITOR_SCHEMA);
    out_json_str(b, mt->version);
    out_json_key_str(b, "date", mt->date);
    out_json_key_str(b, "command", mt->command);
    sbuf_printf(b, ",\"pid\":%d,\"interval\":", mt->pid);
    out_json_num(b, mt->interval);
    out_json_key_num(b, "elapsed", mt->elapsed);
    if (mt->exit_code >= 0)
        sbuf_printf(b, ",\"exit_code\":%d", mt->exit_code);
    else
        sbuf_adds(b, ",\"exit_code\":null");
    sbuf_printf(b, ",\"interrupted\":%s,\"samples\":%zu", mt->interrupted ? "true" : "false",
                (size_t)st->ticks);
    sbuf_adds(b, ",\"monitor\":{\"cpu_seconds\":");
    out_json_num(b, mt->self_cpu);
    out_json_key_num(b, "cpu_pct", mt->elapsed > 0 ? 100 * mt->self_cpu / mt->elapsed : NAN);
    out_json_key_num(b, "tick_cpu_seconds", (double)st->self_cpu_ns / 1e9);
    out_json_key_num(b, "tick_mean_us",
                     st->ticks ? (double)st->self_cpu_ns / 1e3 / (double)st->ticks : NAN);
    out_json_key_num(b, "tick_max_us", (double)st->max_tick_ns / 1e3);
    sbuf_printf(b,
                ",\"slow_samples\":%" PRIu64 ",\"tree_scans\":%" PRIu64 ",\"merges\":%" PRIu64
                ",\"io_denied\":%s,\"net_error\":%s,\"destroy_listening\":%s,"
                "\"sockets_lost\":%" PRIu64 ",\"cpus\":%d,\"cpu_moved_seconds\":",
                st->slow_ticks, st->tree_scans, st->merges, st->io_denied ? "true" : "false",
                st->net_error ? "true" : "false", st->destroy_listening ? "true" : "false",
                st->sockets_lost, st->ncpu > 0 ? st->ncpu : 1);
    out_json_num(b, (double)st->cpu_moved_ns / 1e9);
    if (mt->self_hwm)
        sbuf_printf(b, ",\"peak_rss_bytes\":%" PRIu64 "}", mt->self_hwm);
    else
        sbuf_adds(b, ",\"peak_rss_bytes\":null}");
}

static void jmetrics(struct sbuf *b, const struct mon *m)
{
    sbuf_adds(b, ",\"metrics\":[");
    for (int k = 0; k < MON_NMETRICS; k++) {
        const struct mon_metric_info *in = mon_metric_info(k);
        struct out_monitor_sum s;

        out_monitor_summarise(m, k, &s);
        sbuf_adds(b, k ? ",{\"name\":" : "{\"name\":");
        out_json_str(b, in->name);
        out_json_key_str(b, "label", in->label);
        out_json_key_str(b, "unit", in->unit);
        out_json_key_num(b, "peak", s.peak);
        out_json_key_num(b, "mean", s.mean);
        out_json_key_num(b, "p95", s.p95);
        out_json_key_num(b, "total", s.total);
        sbuf_adds(b, ",\"total_unit\":");
        if (in->total_unit)
            out_json_str(b, in->total_unit);
        else
            sbuf_adds(b, "null");
        sbuf_addc(b, '}');
    }
    sbuf_adds(b, "],\"totals\":{");
    for (int k = 0, first = 1; k < MON_NMETRICS; k++) {
        if (!mon_metric_info(k)->rate)
            continue;
        sbuf_printf(b, "%s\"%s\":", first ? "" : ",", mon_metric_info(k)->total_name);
        out_json_num(b, mon_total(m, k));
        first = 0;
    }
    sbuf_addc(b, '}');
}

/* The usage members of p, from "cpu_user_seconds" to the object's closing brace. */
static void jusage(struct sbuf *b, const struct mon_proc *p)
{
    out_json_key_num(b, "cpu_user_seconds", p->cpu_user);
    out_json_key_num(b, "cpu_sys_seconds", p->cpu_sys);
    out_json_key_num(b, "cpu_wait_seconds", p->cpu_wait);
    sbuf_printf(b,
                ",\"disk_read_bytes\":%" PRIu64 ",\"disk_write_bytes\":%" PRIu64
                ",\"net_rx_bytes\":%" PRIu64 ",\"net_tx_bytes\":%" PRIu64
                ",\"ctx_switches\":%" PRIu64 ",\"peak_rss_bytes\":%" PRIu64
                ",\"peak_pss_bytes\":%" PRIu64 ",\"peak_uss_bytes\":%" PRIu64
                ",\"peak_threads\":%d,\"peak_open_files\":%d}",
                p->read_bytes, p->write_bytes, p->rx_bytes, p->tx_bytes, p->ctxsw, p->peak_rss,
                p->peak_pss, p->peak_uss, p->peak_threads, p->peak_fds);
}

static void jproc(struct sbuf *b, const struct mon_proc *p)
{
    sbuf_printf(b, "{\"pid\":%d,\"ppid\":%d,\"comm\":", p->pid, p->ppid);
    out_json_str(b, p->comm);
    out_json_key_str(b, "cmdline", p->cmdline);
    out_json_key_num(b, "start", p->start);
    out_json_key_num(b, "end", p->end >= 0 ? p->end : NAN);
    sbuf_printf(b, ",\"preexisting\":%s", p->preexisting ? "true" : "false");
    jusage(b, p);
}

static void jmerged(struct sbuf *b, const struct mon *m)
{
    struct mon_merged g;

    mon_get_merged(m, &g);
    /* the merged processes' usage, in a process's record to be written as one */
    const struct mon_proc u = {.cpu_user = g.cpu_user,
                               .cpu_sys = g.cpu_sys,
                               .cpu_wait = g.cpu_wait,
                               .read_bytes = g.read_bytes,
                               .write_bytes = g.write_bytes,
                               .rx_bytes = g.rx_bytes,
                               .tx_bytes = g.tx_bytes,
                               .ctxsw = g.ctxsw,
                               .peak_rss = g.peak_rss,
                               .peak_pss = g.peak_pss,
                               .peak_uss = g.peak_uss,
                               .peak_threads = g.peak_threads,
                               .peak_fds = g.peak_fds};
    sbuf_printf(b, ",\"merged\":{\"processes\":%zu,\"first_start\":", g.count);
    out_json_num(b, g.count ? g.first_start : NAN);
    out_json_key_num(b, "last_end", g.count ? g.last_end : NAN);
    jusage(b, &u);
}

int out_monitor_json(FILE *f, const struct mon *m, const struct out_monitor_meta *meta)
{
    struct file_w w;
    struct sbuf *b = &w.b;

    file_w_init(&w, f);
    jmeta(b, meta);
    jmetrics(b, m);
    sbuf_adds(b, ",\"processes\":[");
    for (size_t i = 0; i < mon_nprocs(m); i++) {
        if (i)
            sbuf_addc(b, ',');
        jproc(b, mon_proc(m, i));
        file_w_spill(&w);
    }
    sbuf_addc(b, ']');
    jmerged(b, m);
    sbuf_adds(b, ",\"columns\":[\"time_s\"");
    for (int k = 0; k < MON_NMETRICS; k++)
        sbuf_printf(b, ",\"%s\"", mon_metric_info(k)->name);
    sbuf_adds(b, "],\"series\":[");
    for (size_t i = 0; i < mon_rows(m) && !w.err; i++) {
        sbuf_printf(b, "%s[%.6f", i ? "," : "", mon_time(m, i));
        for (int k = 0; k < MON_NMETRICS; k++) {
            sbuf_addc(b, ',');
            out_json_num(b, mon_value(m, i, k));
        }
        sbuf_addc(b, ']');
        file_w_spill(&w);
    }
    sbuf_adds(b, "]}\n");
    return file_w_finish(&w);
}

/* ---- SVG ---- */

struct panel {
    const char *title;
    enum mon_metric k[3];
    int n;
};

static const struct panel panels[] = {
    {"CPU (% of one CPU)", {MON_CPU, MON_CPU_WAIT}, 2},
    {"Memory", {MON_RSS, MON_PSS, MON_USS}, 3},
    {"Disk", {MON_DISK_READ, MON_DISK_WRITE}, 2},
    {"Network (TCP payload)", {MON_NET_RX, MON_NET_TX}, 2},
    {"Tasks", {MON_PROCS, MON_THREADS, MON_FDS}, 3},
};
static const char *const colours[] = {"#1f77b4", "#d62728", "#2ca02c"};

/* The largest value of metric k among the rows of bucket j of nb. */
static double bucket_max(const struct mon *m, enum mon_metric k, size_t j, size_t nb)
{
    size_t n = mon_rows(m), a = j * n / nb, e = (j + 1) * n / nb;
    double v = 0;

    for (size_t i = a; i < e || i == a; i++) {
        double x = mon_value(m, i, k);

        if (i == a || x > v)
            v = x;
    }
    return v;
}

static void svg_line(struct sbuf *b, const struct mon *m, enum mon_metric k, double ymax, int y0,
                     double tmax, const char *colour)
{
    size_t n = mon_rows(m), nb = n < SVG_POINTS ? n : SVG_POINTS;
    double w = SVG_W - SVG_LEFT - SVG_RIGHT;

    sbuf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.2\" points=\"", colour);
    for (size_t j = 0; j < nb; j++) {
        size_t i = (j + 1) * n / nb - 1;
        double x = SVG_LEFT + (tmax > 0 ? mon_time(m, i) / tmax : 0) * w;
        double v = bucket_max(m, k, j, nb), y = y0 + SVG_PANEL - v / ymax * SVG_PANEL;

        sbuf_printf(b, "%s%.1f,%.1f", j ? " " : "", x, y);
    }
    sbuf_adds(b, "\"/>\n");
}

static void svg_panel(struct sbuf *b, const struct mon *m, const struct panel *p, int y0,
                      double tmax)
{
    const char *unit = mon_metric_info(p->k[0])->unit;
    double ymax = 0;
    int x = SVG_LEFT;

    for (int i = 0; i < p->n; i++)
        for (size_t r = 0; r < mon_rows(m); r++)
            ymax = fmax(ymax, mon_value(m, r, p->k[i]));
    ymax = ymax > 0 ? ymax * 1.05 : 1;
    sbuf_printf(b, "<text x=\"%d\" y=\"%d\" class=\"t\">", SVG_LEFT, y0 - 8);
    sbuf_add_xml(b, p->title);
    sbuf_adds(b, "</text>\n");
    for (int i = 0; i < p->n; i++) {
        x += 190;
        sbuf_printf(b, "<text x=\"%d\" y=\"%d\" fill=\"%s\">", x, y0 - 8, colours[i]);
        sbuf_add_xml(b, mon_metric_info(p->k[i])->label);
        sbuf_adds(b, "</text>\n");
    }
    sbuf_printf(b, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"f\"/>\n", SVG_LEFT,
                y0, SVG_W - SVG_LEFT - SVG_RIGHT, SVG_PANEL);
    sbuf_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", SVG_LEFT - 6, y0 + 10);
    human(b, ymax, unit);
    sbuf_printf(b, "</text>\n<text x=\"%d\" y=\"%d\" text-anchor=\"end\">0</text>\n", SVG_LEFT - 6,
                y0 + SVG_PANEL);
    for (int i = 0; i < p->n && mon_rows(m); i++)
        svg_line(b, m, p->k[i], ymax, y0, tmax, colours[i]);
}

int out_monitor_svg(FILE *f, const struct mon *m, const struct out_monitor_meta *meta)
{
    int np = (int)(sizeof(panels) / sizeof(panels[0]));
    int h = SVG_TOP + np * (SVG_PANEL + SVG_GAP) + 10;
    double tmax = mon_rows(m) ? mon_time(m, mon_rows(m) - 1) : 0;
    struct file_w w;
    struct sbuf *b = &w.b;

    file_w_init(&w, f);
    sbuf_printf(b,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">\n"
                "<style>.t{font-weight:bold}.f{fill:none;stroke:#999}</style>\n"
                "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n",
                SVG_W, h, SVG_W, h);
    sbuf_printf(
        b, "<text x=\"%d\" y=\"22\" font-size=\"15\" class=\"t\">spyglass monitor: ", SVG_LEFT);
    if (meta->command[0])
        sbuf_add_xml(b, meta->command);
    else
        sbuf_printf(b, "pid %d", meta->pid);
    sbuf_printf(b, "</text>\n<text x=\"%d\" y=\"38\">%zu samples every %g s over %.2f s", SVG_LEFT,
                mon_rows(m), meta->interval, tmax);
    sbuf_adds(b, " (time on the x axis, seconds)</text>\n");
    for (int i = 0; i < np; i++) {
        int y0 = SVG_TOP + 20 + i * (SVG_PANEL + SVG_GAP);

        svg_panel(b, m, &panels[i], y0, tmax);
        sbuf_printf(b,
                    "<text x=\"%d\" y=\"%d\">0</text><text x=\"%d\" y=\"%d\" "
                    "text-anchor=\"end\">%.2f s</text>\n",
                    SVG_LEFT, y0 + SVG_PANEL + 14, SVG_W - SVG_RIGHT, y0 + SVG_PANEL + 14, tmax);
    }
    sbuf_adds(b, "</svg>\n");
    return file_w_finish(&w);
}

/* ---- summary and live line ---- */

static void cell(struct sbuf *b, double v, const char *unit, int width)
{
    struct sbuf c;

    sbuf_init(&c);
    human(&c, v, unit);
    sbuf_printf(b, " %*s", width, sbuf_str(&c));
    sbuf_destroy(&c);
}

static void summary_rows(struct sbuf *b, const struct mon *m)
{
    sbuf_printf(b, "  %-18s %12s %12s %12s %14s\n", "metric", "peak", "mean", "p95", "total");
    for (int k = 0; k < MON_NMETRICS; k++) {
        const struct mon_metric_info *in = mon_metric_info(k);
        struct out_monitor_sum s;

        out_monitor_summarise(m, k, &s);
        sbuf_printf(b, "  %-18s", in->label);
        cell(b, s.peak, in->unit, 12);
        cell(b, s.mean, in->unit, 12);
        cell(b, s.p95, in->unit, 12);
        if (in->rate && strcmp(in->total_unit, "s") == 0)
            sbuf_printf(b, " %12.3f s", s.total);
        else if (in->rate)
            cell(b, s.total, in->total_unit, 14);
        sbuf_addc(b, '\n');
    }
}

/* The merged ended processes as the table's last line. */
static void summary_merged(struct sbuf *b, const struct mon *m)
{
    struct mon_merged g;

    mon_get_merged(m, &g);
    if (!g.count)
        return;
    sbuf_printf(b, "  %7s %7s %9.3f %9.3f", "-", "-", g.cpu_user + g.cpu_sys, g.cpu_wait);
    cell(b, (double)g.peak_rss, "B", 10);
    cell(b, (double)g.write_bytes, "B", 10);
    cell(b, (double)g.rx_bytes, "B", 10);
    cell(b, (double)g.tx_bytes, "B", 10);
    sbuf_printf(b, " %7.2fs  (%zu more ended processes, merged)\n", g.last_end, g.count);
}

static void summary_procs(struct sbuf *b, const struct mon *m)
{
    sbuf_printf(b, "  %7s %7s %9s %9s %10s %10s %10s %10s %8s  %s\n", "pid", "ppid", "cpu s",
                "wait s", "peak RSS", "disk w", "net rx", "net tx", "ended", "command");
    for (size_t i = 0; i < mon_nprocs(m); i++) {
        const struct mon_proc *p = mon_proc(m, i);

        sbuf_printf(b, "  %7d %7d %9.3f %9.3f", p->pid, p->ppid, p->cpu_user + p->cpu_sys,
                    p->cpu_wait);
        cell(b, (double)p->peak_rss, "B", 10);
        cell(b, (double)p->write_bytes, "B", 10);
        cell(b, (double)p->rx_bytes, "B", 10);
        cell(b, (double)p->tx_bytes, "B", 10);
        if (p->end >= 0)
            sbuf_printf(b, " %7.2fs  ", p->end);
        else
            sbuf_printf(b, " %8s  ", "running");
        /* one line per process, whatever its arguments: control bytes escaped */
        sbuf_add_term(b, p->cmdline[0] ? p->cmdline : p->comm);
        sbuf_addc(b, '\n');
    }
    summary_merged(b, m);
}

int out_monitor_summary(FILE *f, const struct mon *m, const struct out_monitor_meta *meta)
{
    const struct mon_stats *st = &meta->st;
    struct mon_merged g;
    struct file_w w;
    struct sbuf *b = &w.b;

    file_w_init(&w, f);
    sbuf_printf(b, "spyglass: monitored process %d for %.2f s: %zu samples every %g s", meta->pid,
                meta->elapsed, mon_rows(m), meta->interval);
    if (st->merges)
        sbuf_printf(b, " (kept as %zu rows)", mon_rows(m));
    sbuf_adds(b, meta->interrupted ? ", interrupted\n" : "\n");
    summary_rows(b, m);
    mon_get_merged(m, &g);
    sbuf_printf(b, "spyglass: %zu process%s", mon_nprocs(m) + g.count,
                mon_nprocs(m) + g.count == 1 ? "" : "es");
    if (g.count)
        sbuf_printf(b, " (the %zu ended ones with the least CPU merged into the last line)",
                    g.count);
    sbuf_addc(b, '\n');
    summary_procs(b, m);
    sbuf_printf(b,
                "spyglass: the monitor used %.3f s of CPU (%.2f%% of one CPU; %.1f us per "
                "sample, slowest %.1f us)",
                meta->self_cpu, meta->elapsed > 0 ? 100 * meta->self_cpu / meta->elapsed : 0,
                st->ticks ? (double)st->self_cpu_ns / 1e3 / (double)st->ticks : 0,
                (double)st->max_tick_ns / 1e3);
    if (meta->self_hwm) {
        sbuf_adds(b, " and at most");
        cell(b, (double)meta->self_hwm, "B", 0);
        sbuf_adds(b, " of memory");
    }
    sbuf_addc(b, '\n');
    if (st->io_denied)
        sbuf_adds(b, "spyglass: warning: some /proc/PID/io could not be read: their disk "
                     "bytes are missing\n");
    if (st->net_error)
        sbuf_adds(b, "spyglass: warning: sock_diag failed: network figures are missing\n");
    if (st->sockets_lost)
        sbuf_printf(b,
                    "spyglass: %" PRIu64 " TCP socket(s) closed without final counters (%s): "
                    "the bytes of their last interval may be missing\n",
                    st->sockets_lost,
                    st->destroy_listening ? "the kernel sent no destroy message"
                                          : "not subscribed to the destroy groups");
    return file_w_finish(&w);
}

int out_monitor_live_header(FILE *f)
{
    struct file_w w;
    struct sbuf *b = &w.b;

    file_w_init(&w, f);
    sbuf_printf(b, "%8s %7s %7s %10s %10s %10s %10s %10s %5s %5s %5s\n", "time", "cpu", "wait",
                "rss", "disk r/s", "disk w/s", "net rx/s", "net tx/s", "procs", "thr", "fds");
    return file_w_finish(&w);
}

static double window(const struct mon *m, size_t from, size_t to, enum mon_metric k, double dt)
{
    double a = from == SIZE_MAX ? 0 : mon_cumulative(m, from, k);

    return dt > 0 ? (mon_cumulative(m, to, k) - a) / dt : 0;
}

int out_monitor_live(FILE *f, const struct mon *m, size_t from, size_t to)
{
    static const enum mon_metric rates[] = {MON_DISK_READ, MON_DISK_WRITE, MON_NET_RX, MON_NET_TX};
    double t = mon_time(m, to), dt = t - (from == SIZE_MAX ? 0 : mon_time(m, from));
    struct file_w w;
    struct sbuf *b = &w.b;

    file_w_init(&w, f);
    sbuf_printf(b, "%7.2fs", t);
    cell(b, 100 * window(m, from, to, MON_CPU, dt), "%", 7);
    cell(b, 100 * window(m, from, to, MON_CPU_WAIT, dt), "%", 7);
    cell(b, mon_value(m, to, MON_RSS), "B", 10);
    for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++)
        cell(b, window(m, from, to, rates[i], dt), "B", 10);
    sbuf_printf(b, " %5.0f %5.0f %5.0f\n", mon_value(m, to, MON_PROCS),
                mon_value(m, to, MON_THREADS), mon_value(m, to, MON_FDS));
    return file_w_finish(&w);
}
