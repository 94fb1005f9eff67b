"""Target of the async functional checks (tests/functional/async.sh).

An asyncio program whose main task (named "main") gathers 20 named tasks, each a chain of three
coroutines outer -> middle -> inner:
  sleeper-00 .. sleeper-17  await asyncio.sleep in inner, with a little work between sleeps;
  cpu-0, cpu-1              alternate CPU-bound bursts (burn, called from inner: 10 and 4 ms)
                            with short sleeps (10 and 12 ms).
The main task first sleeps 0.3 s (a profiler looks for asyncio's debug offsets once it is
imported), then the tasks run for DURATION seconds. The program measures, with
time.perf_counter, the time main's coroutine ran (LOOP, the sleep included) and the total time of
each CPU task's bursts. It writes one
line to OUTFILE: "LOOP BURST0 BURST1" (seconds). With READYFILE, it writes its PID there once the
tasks are running (for attach tests).

usage: asyncwork.py OUTFILE DURATION [READYFILE]
"""
import asyncio
import os
import random
import sys
import time

clock = time.perf_counter
burst = {"cpu-0": 0.0, "cpu-1": 0.0}
stop_at = 0.0


def burn(seconds):
    end = clock() + seconds
    acc = 0
    while clock() < end:
        for i in range(200):
            acc = (acc * 1103515245 + i) % 2147483648
    return acc


async def inner(name, rnd):
    while clock() < stop_at:
        if name.startswith("cpu"):
            t0 = clock()
            burn(0.01 if name == "cpu-0" else 0.004)
            burst[name] += clock() - t0
            await asyncio.sleep(0.01 if name == "cpu-0" else 0.012)  # AWAIT-INNER-CPU
        else:
            sum(range(rnd.randint(10, 200)))
            await asyncio.sleep(rnd.uniform(0.005, 0.03))  # AWAIT-INNER


async def middle(name, rnd):  # DEF-MIDDLE
    await inner(name, rnd)  # AWAIT-MIDDLE


async def outer(name, rnd):  # DEF-OUTER (a task not started yet)
    await middle(name, rnd)  # AWAIT-OUTER


async def main(out, duration, ready):
    global stop_at
    asyncio.current_task().set_name("main")
    t0 = clock()
    await asyncio.sleep(0.3)  # a profiler finds asyncio's offsets once it is imported
    stop_at = clock() + duration
    rnd = random.Random()
    names = ["sleeper-%02d" % i for i in range(18)] + ["cpu-0", "cpu-1"]
    tasks = [asyncio.create_task(outer(n, random.Random(rnd.random())), name=n) for n in names]
    if ready:
        with open(ready + ".tmp", "w") as fh:
            fh.write("%d\n" % os.getpid())
        os.rename(ready + ".tmp", ready)
    await asyncio.gather(*tasks)  # AWAIT-MAIN
    loop = clock() - t0
    with open(out, "w") as fh:
        fh.write("%.6f %.6f %.6f\n" % (loop, burst["cpu-0"], burst["cpu-1"]))


asyncio.run(main(sys.argv[1], float(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None))
