"""Built-in demo workload for `make demo`: a little log-processing job with a background
thread, so the profile has something to show: parsing, regexes, sorting, hashing, sleeping."""
import hashlib
import json
import random
import re
import threading
import time

LINE = re.compile(r"(?P<ip>\d+\.\d+\.\d+\.\d+) \[(?P<ts>[^\]]+)\] \"(?P<method>\w+) (?P<path>\S+)\" (?P<status>\d+) (?P<size>\d+)")


def make_logs(n):
    rng = random.Random(42)
    paths = ["/", "/api/users", "/api/orders", "/static/app.js", "/login", "/search"]
    out = []
    for i in range(n):
        ip = ".".join(str(rng.randint(1, 254)) for _ in range(4))
        out.append('%s [2026-11-23T10:%02d:%02d] "%s %s" %d %d' % (
            ip, i % 60, i % 59, rng.choice(["GET", "POST"]), rng.choice(paths),
            rng.choice([200, 200, 200, 404, 500]), rng.randint(100, 50000)))
    return out


def parse(lines):
    return [m.groupdict() for m in map(LINE.match, lines) if m]


def summarize(records):
    by_path = {}
    for r in records:
        s = by_path.setdefault(r["path"], {"hits": 0, "bytes": 0, "errors": 0})
        s["hits"] += 1
        s["bytes"] += int(r["size"])
        s["errors"] += r["status"] != "200"
    return sorted(by_path.items(), key=lambda kv: -kv[1]["bytes"])


def fingerprint(records):
    h = hashlib.sha256()
    for r in records:
        h.update(json.dumps(r, sort_keys=True).encode())
    return h.hexdigest()


def heartbeat(stop):
    while not stop.is_set():
        time.sleep(0.05)


def main(seconds=3.0):
    stop = threading.Event()
    t = threading.Thread(target=heartbeat, args=(stop,), name="heartbeat")
    t.start()
    end = time.time() + seconds
    rounds = 0
    while time.time() < end:
        records = parse(make_logs(2000))
        summarize(records)
        fingerprint(records)
        rounds += 1
    stop.set()
    t.join()
    print("demo workload: %d rounds" % rounds)


if __name__ == "__main__":
    main()
