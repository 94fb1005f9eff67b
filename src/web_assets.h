/* The report page's sources (web/report.html, report.css, model.js, report.js), embedded in the
 * binary at build time by scripts/embed.sh into $(BUILD)/gen/web_assets.c. Each array holds the
 * file's bytes (or the files' joined) and a terminating NUL; the _len constant counts the bytes
 * without the NUL.
 * SPDX-License-Identifier: MIT */
#ifndef WEB_ASSETS_H
#define WEB_ASSETS_H

#include <stddef.h>

/* The page skeleton, with the markers out_html fills: @@TITLE@@, @@CSS@@, @@DATA@@, @@JS@@. */
extern const char web_report_html[];
extern const size_t web_report_html_len;
/* The style sheet (inlined in a <style> element). */
extern const char web_report_css[];
extern const size_t web_report_css_len;
/* The viewer (inlined in a <script> element at the end of the body): web/model.js and
 * web/report.js joined. */
extern const char web_report_js[];
extern const size_t web_report_js_len;

#endif
