"""Target of the 'threadnames' functional checks: threads with Python names for DURATION seconds.

  worker-1       threading.Thread(name=...), spins in spin()
  wörker-ü       threading.Thread(name=...), sleeps in nap() (a non-ASCII name: Latin-1 kind)
  名前-7          a Thread subclass named in __init__, spins in spin() (a UCS-2 name)
  renamed-late   starts as "before-rename" and renames itself after 0.3 s, sleeps in nap()
  (raw)          a thread started with _thread.start_new_thread (not threading's: no Python
                 name), sleeps in raw()

With INFOFILE (not '-'), writes one line per thread once all run: "NAME TID" (the kernel thread
id), the main thread first as "MainThread PID"; for the _thread one "raw TID COMM" with the
kernel's name of that thread.

usage: threadnames.py [DURATION] [INFOFILE]
"""
import os
import sys
import threading
import time
import _thread

stop = False


def spin():
    x = 0
    while not stop:
        for _ in range(200):
            x = (x * 7 + 3) % 1000003
    return x


def nap():
    while not stop:
        time.sleep(0.02)


class Named(threading.Thread):
    def __init__(self):
        super().__init__(name="名前-7")

    def run(self):
        spin()


def renaming():
    time.sleep(0.3)
    threading.current_thread().name = "renamed-late"
    nap()


raw_tid = []


def raw():
    tid = threading.get_native_id()
    with open("/proc/self/task/%d/comm" % tid, encoding="utf-8", errors="replace") as fh:
        raw_tid.append((tid, fh.read().strip()))
    while not stop:
        time.sleep(0.02)


def main():
    global stop
    duration = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    info = sys.argv[2] if len(sys.argv) > 2 and sys.argv[2] != "-" else None
    threads = [
        threading.Thread(target=spin, name="worker-1"),
        threading.Thread(target=nap, name="wörker-ü"),
        Named(),
        threading.Thread(target=renaming, name="before-rename"),
    ]
    for t in threads:
        t.start()
    _thread.start_new_thread(raw, ())
    while not raw_tid or threads[3].name != "renamed-late":
        time.sleep(0.01)
    if info:
        with open(info + ".tmp", "w", encoding="utf-8") as fh:
            fh.write("MainThread %d\n" % os.getpid())
            for t in threads:
                fh.write("%s %d\n" % (t.name, t.native_id))
            fh.write("raw %d %s\n" % raw_tid[0])
        os.rename(info + ".tmp", info)
    end = time.monotonic() + duration
    while time.monotonic() < end:
        time.sleep(0.02)
    stop = True
    for t in threads:
        t.join()


main()
