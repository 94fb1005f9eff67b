"""Questions about a collapsed profile of tests/targets/asyncwork.py recorded with --async, for
tests/functional/async.sh. Frames are 'qualname (path:line)', 'Task NAME', 'thread NAME (TID)'
and state leaves '<...>'; the lines of the target's awaits are found by their '# AWAIT-...'
markers in its source.

usage: async_check.py COMMAND FILE TARGET [ARGS...]
  chains FILE TARGET     every stack holding a worker's Task frame reads, from its first Task
                         frame: Task main, main (at the gather), Task WORKER, outer, middle, inner
                         (each at its await), and a stack of a suspended worker ends there in
                         asyncio's sleep (then maybe <await>); a running one has the frames of
                         its thread as far as they go (a call may be under way); a task not
                         started yet is outer at its first line (under Task main, main once the
                         gather awaits it); parents come before children.
                         Prints the share of the task-bearing weight that is well formed and the
                         first bad stacks; exit 1 below 99.9%.
  presence FILE TARGET   each worker's own samples (it is the innermost task) against main's own
                         samples at the gather: each within 8% (a task whose chain keeps changing
                         while read on a loaded machine loses a few). Prints the worst ratio.
  share FILE TARGET TASK of the main thread's samples in the event loop (stacks holding
                         run_forever), the % under Task TASK (it was running), and their number
  burn FILE TARGET TASK  of the samples in burn (a CPU task's burst), the % under Task TASK, and
                         their number
  notasks FILE TARGET    no Task frame at all (exit 1 otherwise)
  states FILE TARGET     every suspended worker stack ends in <await>, no thread stack does
Exit status 0 when the answer exists and holds, 1 (with a message) otherwise.
"""
import os
import re
import sys

LINE = re.compile(r"^(.+) ([0-9]+)$")
FRAME = re.compile(r"^(.*) \((.*?)(?::([0-9]+))?\)$")
WORKER = re.compile(r"^Task (sleeper-[0-9]+|cpu-[01])$")


def read(path):
    stacks = []
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        for n, line in enumerate(fh, 1):
            m = LINE.match(line.rstrip("\n"))
            if not m:
                sys.exit("%s:%d: not a collapsed line" % (path, n))
            stacks.append((m.group(1).split(";"), int(m.group(2))))
    if not stacks:
        sys.exit("%s: no stacks" % path)
    return stacks


def markers(target):
    lines = {}
    with open(target, encoding="utf-8") as fh:
        for n, text in enumerate(fh, 1):
            m = re.search(r"# ((?:AWAIT|DEF)-[A-Z-]+)", text)
            if m:
                lines[m.group(1)] = n
    return lines


def is_state(frame):
    return frame.startswith("<") and frame.endswith(">")


def leaf_of(s):
    """The last frame of stack s that is not a state."""
    return s[-2] if len(s) > 1 and is_state(s[-1]) else s[-1]


def func(frame):
    """(name, file, line) of a Python frame, or None."""
    m = FRAME.match(frame)
    if not m or frame.startswith("Task ") or frame.startswith("thread "):
        return None
    return m.group(1), m.group(2), int(m.group(3) or 0)


def is_at(frame, name, target, line):
    f = func(frame)
    return f is not None and f[0] == name and f[1] == target and f[2] == line


def tasks_in(s):
    return [i for i, f in enumerate(s) if f.startswith("Task ")]


def loop_below(s, a):
    """Whether the event loop's frames come before index a: a thread's stack."""
    return any(f.startswith("BaseEventLoop.run_forever ") for f in s[:a])


def well_formed(s, target, ln):
    """None when stack s (with a worker's Task frame) reads as it should, else why not."""
    t = tasks_in(s)
    rest = [f for f in s[t[-1] + 1:] if not is_state(f)] if t else []
    if len(t) == 1 and WORKER.match(s[t[0]]) and not loop_below(s, t[0]) and len(rest) == 1 and \
            is_at(rest[0], "outer", target, ln["DEF-OUTER"]):
        return None  # created before the gather: no task awaits it yet
    if len(t) != 2:
        return "%d Task frames" % len(t)
    a, b = t
    if s[a] != "Task main" or not WORKER.match(s[b]):
        return "tasks %s, %s: main must come first" % (s[a], s[b])
    if b != a + 2 or not is_at(s[a + 1], "main", target, ln["AWAIT-MAIN"]):
        return "main's frames under Task main"
    rest = [f for f in s[b + 1:] if not is_state(f)]
    if not loop_below(s, a):
        if a != 0 and not (a == 1 and s[0].startswith("thread ")):
            return "a suspended task's stack has frames before Task main"
        if len(rest) == 1 and is_at(rest[0], "outer", target, ln["DEF-OUTER"]):
            return None  # created, not started yet
        cpu = s[b].startswith("Task cpu")
        want = [("outer", ln["AWAIT-OUTER"]), ("middle", ln["AWAIT-MIDDLE"]),
                ("inner", ln["AWAIT-INNER-CPU" if cpu else "AWAIT-INNER"])]
        for k, (name, line) in enumerate(want):
            if k >= len(rest) or not is_at(rest[k], name, target, line):
                return "frame %d under %s is not %s:%d" % (k + 1, s[b], name, line)
        sleep = func(rest[3]) if len(rest) == 4 else None
        if sleep is None or sleep[0] != "sleep" or not sleep[1].endswith("asyncio/tasks.py"):
            return "a suspended worker's leaf is not asyncio's sleep"
        return None
    # Running: the frames on the thread, as far as they go (a call may be under way).
    want = [("outer", {ln["AWAIT-OUTER"], ln["DEF-OUTER"]}),
            ("middle", {ln["AWAIT-MIDDLE"], ln["DEF-MIDDLE"]}), ("inner", None)]
    if not rest:
        return "no frame under %s" % s[b]
    for k, (name, lines) in enumerate(want[:len(rest)]):
        f = func(rest[k])
        if f is None or f[0] != name or f[1] != target or (lines and f[2] not in lines):
            return "frame %d under a running %s is %s" % (k + 1, s[b], rest[k])
    return None


def own_task(s):
    t = tasks_in(s)
    return s[t[-1]] if t else None


def main():
    cmd, path, args = sys.argv[1], sys.argv[2], sys.argv[4:]
    target = os.path.abspath(sys.argv[3])
    stacks = read(path)
    ln = markers(target)
    if cmd == "chains":
        good = bad = 0
        shown = 0
        for s, c in stacks:
            if not any(WORKER.match(f) for f in s):
                continue
            why = well_formed(s, target, ln)
            if why is None:
                good += c
                continue
            bad += c
            if shown < 3:
                t = tasks_in(s)
                print("bad (%s): %s%s %d" % (why, "...;" if t and t[0] else "",
                                            ";".join(s[t[0] if t else 0:])[:800], c))
                shown += 1
        if good + bad == 0:
            sys.exit("no stack has a worker's Task frame")
        share = 100.0 * good / (good + bad)
        print("%.2f%% of %d worker samples well formed" % (share, good + bad))
        sys.exit(0 if share >= 99.9 else 1)
    elif cmd == "presence":
        own = {}
        gather = 0
        for s, c in stacks:
            name = own_task(s)
            if name is None:
                continue
            own[name] = own.get(name, 0) + c
            if name == "Task main" and is_at(leaf_of(s), "main", target, ln["AWAIT-MAIN"]):
                gather += c
        workers = ["Task sleeper-%02d" % i for i in range(18)] + ["Task cpu-0", "Task cpu-1"]
        if gather == 0:
            sys.exit("no sample of main suspended at the gather")
        worst = min(workers, key=lambda w: -abs(own.get(w, 0) - gather))
        ratio = own.get(worst, 0) / gather
        print("%s: %d own samples, main at the gather: %d (ratio %.3f)" % (
            worst, own.get(worst, 0), gather, ratio))
        sys.exit(0 if abs(ratio - 1) <= 0.08 else 1)
    elif cmd == "share":
        loop = mine = 0
        for s, c in stacks:
            if any(f.startswith("BaseEventLoop.run_forever ") for f in s):
                loop += c
                if "Task " + args[0] in s:
                    mine += c
        if loop == 0:
            sys.exit("no stack in the event loop")
        print("%.2f %d" % (100.0 * mine / loop, loop))
    elif cmd == "burn":
        burn = mine = 0
        for s, c in stacks:
            leaf = func(leaf_of(s))
            if leaf is not None and leaf[0] == "burn":
                burn += c
                if "Task " + args[0] in s:
                    mine += c
        if burn == 0:
            sys.exit("no sample in burn")
        print("%.2f %d" % (100.0 * mine / burn, burn))
    elif cmd == "notasks":
        n = sum(c for s, c in stacks if tasks_in(s))
        if n:
            sys.exit("%d samples have Task frames" % n)
    elif cmd == "states":
        for s, c in stacks:
            if not any(WORKER.match(f) for f in s):
                continue
            running = any(f.startswith("BaseEventLoop.run_forever ") for f in s)
            if running == (s[-1] == "<await>"):
                sys.exit("%s stack ends in %s: %s" % (
                    "a running" if running else "a suspended", s[-1], ";".join(s)[:400]))
    else:
        sys.exit("unknown command " + cmd)


main()
