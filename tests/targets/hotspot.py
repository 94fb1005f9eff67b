"""Target of the HTML report checks (tests/functional/html.sh): the main thread spends about 70%
of its time in hot_loop and 30% in cold_loop (the same loop body, 7000 and 3000 iterations per
round), most of hot_loop's on the line marked HOT; a thread named "sleeper" sleeps meanwhile.
Runs for DURATION seconds, then prints to stderr the truths the report is checked against: its
own CPU share ("hotspot: cpu C s of W s", process CPU time over wall time of main()) and the wall
time spent in each loop ("hotspot: hot_loop H s cold_loop C s"; preemption lands in whichever loop
was running, as it does in wall-mode samples).

usage: hotspot.py [DURATION]
"""
import sys
import threading
import time


def hot_loop(n):
    x = 0
    for i in range(n):
        x = ((x * 31 + i) ^ (x >> 3)) % 1000003  # HOT
    return x


def cold_loop(n):
    x = 0
    for i in range(n):
        x = ((x * 31 + i) ^ (x >> 3)) % 1000003
    return x


def work(duration):
    """Returns the wall seconds spent in hot_loop and in cold_loop."""
    end = time.perf_counter() + duration
    hot = cold = 0.0
    while True:
        t0 = time.perf_counter()
        if t0 >= end:
            return hot, cold
        hot_loop(7000)
        t1 = time.perf_counter()
        cold_loop(3000)
        hot, cold = hot + t1 - t0, cold + time.perf_counter() - t1


def nap(stop):
    while not stop:
        time.sleep(0.01)


def main():
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 1.5
    t0, c0 = time.perf_counter(), time.process_time()
    stop = []
    sleeper = threading.Thread(target=nap, args=(stop,), name="sleeper")
    sleeper.start()
    hot, cold = work(duration)
    stop.append(1)
    sleeper.join()
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print("hotspot: cpu %.3f s of %.3f s" % (cpu, wall), file=sys.stderr)
    print("hotspot: hot_loop %.4f s cold_loop %.4f s" % (hot, cold), file=sys.stderr)


main()
