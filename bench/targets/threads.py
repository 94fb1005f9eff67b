"""Benchmark target: N threads, most of them off CPU for various reasons, two on CPU.

usage: threads.py [N]   (default 10; at least 2)

Thread i (from 0): 0 and 1 spin (contending for the GIL); the others cycle through the waits
a server has: a long time.sleep, a threading.Lock held forever, sock.recv on a 127.0.0.1
connection that stays silent, os.read on a silent pipe, and queue.get with a 10 ms timeout
(a futex that times out and is entered again, 100 times a second). Each thread sits 3 frames
deep under its Thread frames. Prints "ready" once every thread has started; runs until killed
(at most 15 minutes, via SIGALRM).
"""
import os
import queue
import signal
import socket
import sys
import threading
import time

held = threading.Lock()
held.acquire()


def spin():
    x = 0
    while True:
        x += 1


def wait(kind, conn, rfd):
    if kind == 0:
        time.sleep(3600)
    elif kind == 1:
        held.acquire()
    elif kind == 2:
        conn.recv(1)
    elif kind == 3:
        os.read(rfd, 1)
    else:
        q = queue.Queue()
        while True:
            try:
                q.get(timeout=0.01)
            except queue.Empty:
                pass


def outer(i, conn, rfd):
    inner(i, conn, rfd)


def inner(i, conn, rfd):
    if i < 2:
        spin()
    else:
        wait((i - 2) % 5, conn, rfd)


def main():
    n = max(2, int(sys.argv[1]) if len(sys.argv) > 1 else 10)
    signal.alarm(900)
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(128)
    conns = []
    rfd, _wfd = os.pipe()
    for i in range(n):
        conn = None
        if i >= 2 and (i - 2) % 5 == 2:
            conn = socket.create_connection(srv.getsockname())
            conns.append(srv.accept()[0])
        threading.Thread(target=outer, args=(i, conn, rfd), daemon=True).start()
    time.sleep(0.2)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    signal.pause()


if __name__ == "__main__":
    main()
