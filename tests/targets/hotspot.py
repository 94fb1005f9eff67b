"""Target of the HTML report checks (tests/functional/html.sh): the main thread spends about 70%
of its time in hot_loop and 30% in cold_loop (the same loop body, 7000 and 3000 iterations per
round), most of hot_loop's on the line marked HOT; a thread named "sleeper" sleeps meanwhile.
Runs for DURATION seconds.

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
    end = time.perf_counter() + duration
    while time.perf_counter() < end:
        hot_loop(7000)
        cold_loop(3000)


def nap(stop):
    while not stop:
        time.sleep(0.01)


def main():
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 1.5
    stop = []
    sleeper = threading.Thread(target=nap, args=(stop,), name="sleeper")
    sleeper.start()
    work(duration)
    stop.append(1)
    sleeper.join()


main()
