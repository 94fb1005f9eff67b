"""Questions about a spyglass collapsed profile, for tests/functional/run.sh.

A collapsed line is 'frame;frame;...;frame COUNT', root first; a Python frame is
'qualname (path:line)', a thread root 'thread NAME (TID)'. A frame belongs to function NAME when
it reads 'NAME (...)'.

usage: stacks.py COMMAND FILE [ARGS...]
  valid FILE                 every line well formed; prints 'LINES lines, COUNT samples'
  leafshare FILE A B         % of the samples whose leaf is A among those whose leaf is A or B
  hotline FILE F             line number of the most sampled leaf frame of F
  share FILE F...            for each F: % of all samples whose stack contains F
  top FILE                   the most sampled stack: frame count, then one frame a line
  roots FILE F ROOT_REGEX    every stack containing F has a root matching ROOT_REGEX, and every
                             stack is rooted in a 'thread NAME (TID)' frame
  threadnames FILE PID NAME...  every stack is rooted in 'thread MainThread (PID)' or in
                             'thread NAME (TID)' with one of the NAMEs and TID != PID
  whole FILE SCRIPT MAXPCT   of the samples with a frame of file SCRIPT or of asyncio, at most MAXPCT% lack
                             '<module> (SCRIPT:N)' as their outermost frame (below a thread
                             frame); and no frame of code a .pth file ran at start-up (its function
                             spyglass_pth, or a '<string>' module frame beside a frame of
                             SCRIPT) sits outside site's addpackage. Prints 'CUT TOTAL'
Exit status 0 when the answer exists, 1 (with a message) otherwise.
"""
import re
import sys
from collections import Counter

LINE = re.compile(r"^(.+) ([0-9]+)$")


def read(path):
    stacks = []
    with open(path, encoding="utf-8", errors="surrogateescape") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            m = LINE.match(line)
            if not m:
                sys.exit("%s:%d: not a collapsed line: %r" % (path, n, line[:300]))
            stacks.append((m.group(1).split(";"), int(m.group(2))))
    if not stacks:
        sys.exit("%s: no stacks" % path)
    return stacks


def is_func(frame, name):
    return frame.startswith(name + " (") and frame.endswith(")")


def line_of(frame):
    m = re.search(r":([0-9]+)\)$", frame)
    return int(m.group(1)) if m else None


def main():
    cmd, path, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    stacks = read(path)
    total = sum(c for _, c in stacks)
    if cmd == "valid":
        print("%d lines, %d samples" % (len(stacks), total))
    elif cmd == "leafshare":
        a = sum(c for s, c in stacks if is_func(s[-1], args[0]))
        b = sum(c for s, c in stacks if is_func(s[-1], args[1]))
        if a + b == 0:
            sys.exit("no stack has %s or %s as its leaf" % (args[0], args[1]))
        print("%.2f" % (100.0 * a / (a + b)))
    elif cmd == "hotline":
        lines = Counter()
        for s, c in stacks:
            if is_func(s[-1], args[0]):
                lines[line_of(s[-1])] += c
        if not lines:
            sys.exit("no stack has %s as its leaf" % args[0])
        print(lines.most_common(1)[0][0])
    elif cmd == "share":
        print(" ".join("%.2f" % (100.0 * sum(c for s, c in stacks
                                              if any(is_func(fr, name) for fr in s)) / total)
                       for name in args))
    elif cmd == "top":
        s, _ = max(stacks, key=lambda sc: sc[1])
        print(len(s))
        for fr in s:
            print(fr)
    elif cmd == "roots":
        name, root = args[0], re.compile(args[1])
        with_f = [s for s, _ in stacks if any(is_func(fr, name) for fr in s)]
        if not with_f:
            sys.exit("no stack contains %s" % name)
        bad = [s[0] for s in with_f if not root.fullmatch(s[0])]
        bad += [s[0] for s, _ in stacks if not re.fullmatch(r"thread .* \([0-9]+\)", s[0])]
        if bad:
            sys.exit("unexpected root frames: %s" % ", ".join(sorted(set(bad))[:5]))
        print("%d stacks with %s, all rooted in %s" % (len(with_f), name, with_f[0][0]))
    elif cmd == "threadnames":
        pid, names = args[0], set(args[1:])
        bad = Counter()
        for s, c in stacks:
            m = re.fullmatch(r"thread (.*) \(([0-9]+)\)", s[0])
            ok = m and ((m.group(1) == "MainThread" and m.group(2) == pid) or
                        (m.group(1) in names and m.group(2) != pid))
            if not ok:
                bad[s[0]] += c
        if bad:
            sys.exit("%d samples with unexpected root frames: %s" % (
                sum(bad.values()),
                ", ".join("%a x%d" % (r, c) for r, c in bad.most_common(6))))
        print("all %d samples rooted in expected thread frames" % total)
    elif cmd == "whole":
        script, maxpct = args[0], float(args[1])
        total = cut = 0
        cuts, strays = Counter(), Counter()
        for s, c in stacks:
            fr = s[1:] if s and s[0].startswith("thread ") else s
            for i, f in enumerate(fr):
                # Under site's processing of .pth files (addpackage up to 3.14; 3.15's
                # StartupState._exec_imports, both in site.py) it is start-up, not a splice.
                if " (<string>:" not in f or any(
                        is_func(a, "addpackage") or " (<frozen site>:" in a or "/site.py:" in a
                        for a in fr[:i]):
                    continue
                # The .pth file's own function, or a module-level '<string>' frame right next
                # to a frame of SCRIPT: start-up code spliced into a live stack. (Other
                # '<string>' frames are real: dataclasses and namedtuple exec their methods.)
                near = fr[max(i - 1, 0):i] + fr[i + 1:i + 2]
                if is_func(f, "spyglass_pth") or (
                        is_func(f, "<module>") and any(" (%s:" % script in a for a in near)):
                    strays[";".join(x.split(" (")[0] for x in fr)] += c
            # The script's stacks, and asyncio's: the script imports asyncio under its
            # <module> and runs it under main(), so a stack of asyncio alone (3.13's
            # `call_soon;_call_soon`, called from C) lost its outer frames.
            if not any(" (%s:" % script in f or "/asyncio/" in f for f in fr):
                continue
            total += c
            if not (fr and is_func(fr[0], "<module>") and " (%s:" % script in fr[0]):
                cut += c
                cuts[";".join(x.split(" (")[0] for x in fr[:6])] += c
        print(cut, total)
        if strays:
            sys.exit("a start-up <string> frame inside a live stack: %s" % ", ".join(
                "%a x%d" % sc for sc in strays.most_common(3)))
        if not total:
            sys.exit("no stack has a frame of %s" % script)
        if 100.0 * cut > maxpct * total:
            sys.exit("%d of %d samples (%.2f%%) lack their outermost frame, e.g. %s" % (
                cut, total, 100.0 * cut / total,
                ", ".join("%a x%d" % sc for sc in cuts.most_common(3))))
    else:
        sys.exit("unknown command " + cmd)


main()
