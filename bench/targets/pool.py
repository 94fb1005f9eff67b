"""Bench target for `spyglass monitor`: N threads in all (default 50), the others waking every
50 ms to do a little work, as a thread pool that is mostly waiting does. Prints 'ready' once
they all run, then lives until killed."""
import signal
import sys
import threading
import time

signal.alarm(900)  # ends on its own if a harness dies

n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
started = threading.Barrier(n)


def worker():
    started.wait()
    x = 0
    while True:
        time.sleep(0.05)
        for i in range(100):
            x += i


for _ in range(n - 1):
    threading.Thread(target=worker, daemon=True).start()
started.wait()
print("ready", flush=True)
while True:
    time.sleep(1)
