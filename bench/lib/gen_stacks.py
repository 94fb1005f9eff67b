"""Write a synthetic collapsed profile for bench/html.sh: NSTACKS distinct stacks (default
50000) whose weights add up to TOTAL (default 1000000), shaped like a real program's: 3000
functions in 150 files, each calling a few callees from a few call sites, stacks 8 to 24 deep
that share their prefixes (new stacks branch off earlier ones), weights falling off like a
Zipf law (a few hot stacks, a long tail). Deterministic for a given SEED.

usage: gen_stacks.py OUT [NSTACKS] [TOTAL] [SEED]
"""
import random
import sys


def main():
    out = sys.argv[1]
    nstacks = int(sys.argv[2]) if len(sys.argv) > 2 else 50000
    total = int(sys.argv[3]) if len(sys.argv) > 3 else 1000000
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    nfiles, nfuncs = 150, 3000
    files = ["/srv/app/pkg%d/module_%d.py" % (i % 12, i) for i in range(nfiles)]
    funcs = []
    for i in range(nfuncs):
        name = "Class%d.method_%d" % (i % 97, i) if i % 3 else "function_%d" % i
        funcs.append((name, files[i % nfiles], 10 + (i * 37) % 900))
    callees = [rng.sample(range(nfuncs), rng.randint(3, 8)) for _ in range(nfuncs)]
    labels = {}

    def label(f, k):
        key = (f, k)
        if key not in labels:
            name, path, line = funcs[f]
            labels[key] = "%s (%s:%d)" % (name, path, line + 3 * k)
        return labels[key]

    root = [("<module> (/srv/app/main.py:1)", 0)]
    stacks, seen = [], set()
    while len(stacks) < nstacks:
        if stacks and rng.random() < 0.97:
            base = rng.choice(stacks)
            keep = rng.randint(2, len(base))
            stack = base[:keep]
        else:
            stack = list(root)
        depth = rng.randint(8, 24)
        while len(stack) < depth:
            f = rng.choice(callees[stack[-1][1]])
            stack.append((label(f, rng.randint(0, 2)), f))
        key = ";".join(s for s, _ in stack)
        if key not in seen:
            seen.add(key)
            stacks.append(stack)
    raw = [1.0 / (i + 10) ** 1.1 for i in range(nstacks)]
    rng.shuffle(raw)
    scale = (total - nstacks) / sum(raw)
    weights = [1 + int(r * scale) for r in raw]
    weights[0] += total - sum(weights)
    with open(out, "w", encoding="utf-8") as fh:
        for stack, w in zip(stacks, weights):
            fh.write(";".join(s for s, _ in stack))
            fh.write(" %d\n" % w)


main()
