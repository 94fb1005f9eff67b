"""The measurements of bench/html.sh (see its header for the method). Prints '#' lines per run,
then the medians and ratios, and RESULT lines.

usage: html_bench.py SPYGLASS PYSPY PYTHON CHROMIUM|- WORKDIR
  environment: REPS (5 for the writes, 3 for the live runs), STACKS (50000), SAMPLES (1000000),
  DURATION (8 s), RATE (1000 Hz), BENCH_KEEP=1 (keep WORKDIR)
"""
import json
import os
import re
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(*a):
    print(*a, flush=True)


def timed(cmd, **kw):
    """Wall seconds of cmd, and its completed process (stdout discarded, stderr kept)."""
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kw)
    return time.perf_counter() - t0, r


def mb(n):
    return "%.2f MB" % (n / 1e6)


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def writes(sg, py, work, reps):
    """spyglass report of a synthetic collapsed profile into html, svg and collapsed."""
    stacks = int(os.environ.get("STACKS", "50000"))
    samples = int(os.environ.get("SAMPLES", "1000000"))
    src = os.path.join(work, "synth.collapsed")
    t, r = timed([py, os.path.join(BENCH, "lib", "gen_stacks.py"), src, str(stacks), str(samples)])
    if r.returncode:
        sys.exit("bench: gen_stacks.py failed: " + r.stderr.decode())
    log("# synthetic profile: %d distinct stacks, %d samples, %s of collapsed text (made in %.1f s)"
        % (stacks, samples, mb(os.path.getsize(src)), t))
    res = {}
    for fmt in ("collapsed", "html", "svg"):
        out = os.path.join(work, "synth." + fmt)
        ts = []
        for _ in range(reps):
            t, r = timed([sg, "report", src, "-f", fmt, "-o", out])
            if r.returncode:
                sys.exit("bench: spyglass report -f %s failed: %s" % (fmt, r.stderr.decode()))
            ts.append(t)
        res[fmt] = (med(ts), os.path.getsize(out))
        log("# report -f %-9s %s s -> %s" % (fmt, " ".join("%.3f" % x for x in ts),
                                            mb(res[fmt][1])))
    return res, os.path.join(work, "synth.html")


def page_open(chrome, page, work, reps):
    """Seconds Chromium takes to load page (headless, --dump-dom) beyond an empty page, and the
    viewer's own account of its start (spyglass.timings(), ms)."""
    empty = os.path.join(work, "empty.html")
    with open(empty, "w") as fh:
        fh.write("<!DOCTYPE html><html><body>x</body></html>")
    timing = os.path.join(work, "timed.html")
    with open(page, encoding="utf-8") as fh:
        html = fh.read()
    end = html.rindex("</body>")
    with open(timing, "w", encoding="utf-8") as fh:
        fh.write(html[:end] + "<script>document.body.dataset.timings = JSON.stringify("
                 "window.spyglass.timings());</script>" + html[end:])

    def load(path):
        cmd = [chrome, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
               "--no-first-run", "--user-data-dir=" + os.path.join(work, "chrome"),
               "--window-size=1400,1000", "--dump-dom", "file://" + path]
        t0 = time.perf_counter()
        r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=120)
        return time.perf_counter() - t0, r.stdout.decode("utf-8", "replace")

    base, full, inner = [], [], []
    for _ in range(reps):
        base.append(load(empty)[0])
        t, dom = load(timing)
        full.append(t)
        m = re.search(r'data-timings="([^"]*)"', dom)
        steps = json.loads(m.group(1).replace("&quot;", '"')) if m else {}
        inner.append(sum(steps.values()))
        log("# chromium: empty page %.2f s, report %.2f s; viewer steps %s" % (base[-1], t, steps))
    return med(full) - med(base), med(inner)


def page_stats(page):
    """Distinct stacks of an html report (tree nodes that end a stack) and the bytes of the
    source texts it holds."""
    with open(page, encoding="utf-8") as fh:
        m = re.search(r'id="spyglass-data">(.*?)</script>', fh.read(), re.S)
    if not m:
        return 0, 0
    d = json.loads(m.group(1))
    return len(d["tree"]["self"]) // 2, len(json.dumps(d.get("sources", [])))  # [d, w, d, w...]


def live(sg, pyspy, py, work, reps):
    """Both profilers launch bench/targets/manystacks.py DURATION and record it at RATE until
    it exits; the time beyond DURATION is start-up plus writing the output."""
    dur = float(os.environ.get("DURATION", "8"))
    rate = os.environ.get("RATE", "1000")
    target = [py, os.path.join(BENCH, "targets", "manystacks.py"), str(dur)]
    html, svg = os.path.join(work, "live.html"), os.path.join(work, "live.svg")
    tools = {
        "spyglass": [sg, "record", "-r", rate, "-q", "-o", html, "--"] + target,
        "py-spy": [pyspy, "record", "-r", rate, "-o", svg, "--"] + target,
    }
    post = {"spyglass": [], "py-spy": []}
    size = {"spyglass": [], "py-spy": []}
    stacks, srcs = [], []
    for i in range(reps):
        for name in (("spyglass", "py-spy") if i % 2 == 0 else ("py-spy", "spyglass")):
            t, r = timed(tools[name])
            if r.returncode:
                sys.exit("bench: %s failed (%d): %s" % (name, r.returncode, r.stderr.decode()[-400:]))
            post[name].append(t - dur)
            size[name].append(os.path.getsize(html if name == "spyglass" else svg))
        n, sb = page_stats(html)
        stacks.append(n)
        srcs.append(sb)
        log("# live run %d: after sampling spyglass %.3f s, py-spy %.3f s; spyglass html %s "
            "(%d distinct stacks, sources %s), py-spy svg %s"
            % (i + 1, post["spyglass"][-1], post["py-spy"][-1], mb(size["spyglass"][-1]), n,
               mb(sb), mb(size["py-spy"][-1])))
    return (dur, rate, {k: med(v) for k, v in post.items()}, {k: med(v) for k, v in size.items()},
            med(stacks), med(srcs))


def main():
    sg, pyspy, py, chrome, work = sys.argv[1:6]
    reps = int(os.environ.get("REPS", "5"))
    res, page = writes(sg, py, work, reps)
    t_html, s_html = res["html"]
    t_parse = res["collapsed"][0]
    log("report -f html: %.3f s median (report -f collapsed, reading and writing text: %.3f s), "
        "%s (collapsed input %s)" % (t_html, t_parse, mb(s_html),
                                     mb(os.path.getsize(os.path.join(work, "synth.collapsed")))))
    log("RESULT html write %s samples / %s stacks: %.3f s median (goal < 1 s): %s; %s"
        % (os.environ.get("SAMPLES", "1000000"), os.environ.get("STACKS", "50000"), t_html,
           "PASS" if t_html < 1 else "FAIL", mb(s_html)))
    if chrome != "-":
        extra, inner = page_open(chrome, page, work, min(reps, 3))
        log("RESULT html open in Chromium: %.2f s beyond an empty page (viewer start %.0f ms; "
            "goal a few seconds): %s" % (extra, inner, "PASS" if extra < 5 else "FAIL"))
    dur, rate, post, size, stacks, srcs = live(sg, pyspy, py, work,
                                               int(os.environ.get("LIVE_REPS", "3")))
    log("RESULT html vs py-spy svg, manystacks.py %g s at %s Hz (~%d distinct stacks): after "
        "sampling %.3f s vs %.3f s (ratio %.2f), output %s vs %s (ratio %.2f; without the "
        "source texts, which the svg lacks, %s: ratio %.2f)"
        % (dur, rate, stacks, post["spyglass"], post["py-spy"],
           post["spyglass"] / post["py-spy"] if post["py-spy"] > 0 else float("nan"),
           mb(size["spyglass"]), mb(size["py-spy"]), size["spyglass"] / size["py-spy"],
           mb(size["spyglass"] - srcs), (size["spyglass"] - srcs) / size["py-spy"]))


main()
