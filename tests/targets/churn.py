"""Target of the 'threads churn' functional check: starts and joins short-lived threads
(each runs worker(), named "worker") for DURATION seconds, so that samples catch threads being
born and dying. With INFOFILE, writes "PID COMM" (the kernel's name of the process) to it.

usage: churn.py [DURATION] [INFOFILE]
"""
import os
import sys
import threading
import time


def worker():
    x = 0
    for i in range(2000):
        x = (x * 7 + i) % 1000003
    return x


def main():
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    if len(sys.argv) > 2:
        with open("/proc/self/comm") as fh:
            comm = fh.read().strip()
        with open(sys.argv[2], "w") as fh:
            fh.write("%d %s\n" % (os.getpid(), comm))
    end = time.perf_counter() + duration
    while time.perf_counter() < end:
        threads = [threading.Thread(target=worker, name="worker") for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()


main()
