"""Benchmark workload of fixed CPU-bound work that times itself.

usage: work.py [SCALE] [loop]   (default 1.0; about 2.5 s on CPython 3.11 at SCALE 1)

Prints "ready", waits for a line on stdin (the harness sends it once a profiler is
attached), runs the work, prints "time WALL CPU" (perf_counter and process_time around
the work only, seconds) and exits. With "loop", does that again for every line it reads,
until stdin ends or a line says "quit".
"""
import signal
import sys
import time


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def mix(n):
    acc = 0
    d = {}
    for i in range(n):
        acc = (acc * 31 + i) & 0xFFFFFFFF
        d[i & 1023] = acc
    return acc + len(d)


def strings(n):
    out = []
    for i in range(n):
        out.append("%d:%x" % (i, i * 7))
    return len(",".join(out))


def work(scale):
    total = 0
    rounds = max(1, int(round(200 * scale)))
    for _ in range(rounds):
        total += fib(22)
        total += mix(60000)
        total += strings(30000)
    return total


def main():
    scale = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    signal.alarm(900)
    work(0.1)  # warm up (3.11+ specialisation, allocator)
    loop = len(sys.argv) > 2 and sys.argv[2] == "loop"
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while True:
        line = sys.stdin.readline()
        if not line or line.strip() == "quit":
            break
        c0 = time.process_time()
        t0 = time.perf_counter()
        work(scale)
        t1 = time.perf_counter()
        c1 = time.process_time()
        sys.stdout.write("time %.6f %.6f\n" % (t1 - t0, c1 - c0))
        sys.stdout.flush()
        if not loop:
            break


if __name__ == "__main__":
    main()
