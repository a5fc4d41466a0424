#!/usr/bin/env python3
"""Ten clients that pipeline GETs of a large value and read nothing, against one Shardis pool.

Measures, while they run, Shardis' resident memory (sampled every 50 ms) and the latency of
another client's GETs (one connection, one GET at a time), then prints both next to the memory
budget the README documents (heap + direct memory + 200 MiB of JVM). Bounded: --seconds of load,
every process it starts is stopped by PID on exit. Python 3 standard library only.

  benchmarks/scripts/non-reading-clients.py --dist proxy/target/shardis-0.1.0-SNAPSHOT \\
      [--java-opts "-Xmx256m -XX:MaxDirectMemorySize=256m"] [--clients 10] [--value-kb 512] [--seconds 10]
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
from procs import call, free_port, rss_bytes  # noqa: E402
from procs import resp as command  # noqa: E402


def wait_port(port, proc, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"process {proc.pid} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"nothing listens on {port} after {seconds}s")


def read_reply(f):
    line = f.readline()
    if not line:
        raise EOFError
    if line[:1] == b"$":
        n = int(line[1:-2])
        return None if n < 0 else f.read(n + 2)[:-2]
    return line[:-2]


def size_of(opts, flag, fallback):
    m = re.search(flag + r"(\d+)([kKmMgG]?)", opts)
    if not m:
        return fallback
    return int(m.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[m.group(2).lower()]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dist", required=True, help="an unpacked Shardis distribution (bin/shardis)")
    ap.add_argument("--java-opts", default="")
    ap.add_argument("--clients", type=int, default=10)
    ap.add_argument("--value-kb", type=int, default=512)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--pool-keys", default="", help="extra pool keys, e.g. 'max_client_reply_bytes: 0'")
    a = ap.parse_args()

    work = tempfile.mkdtemp(prefix="shardis-nonreading-")
    redis_port, shardis_port, stats_port = free_port(), free_port(), free_port()
    procs = []
    try:
        redis = subprocess.Popen(["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                  "--appendonly", "no", "--dir", work], stdout=subprocess.DEVNULL)
        procs.append(redis)
        wait_port(redis_port, redis)
        with open(os.path.join(work, "shardis.yml"), "w") as f:
            f.write(f"alpha:\n  listen: 127.0.0.1:{shardis_port}\n  servers:\n    - 127.0.0.1:{redis_port}:1\n")
            if a.pool_keys:
                f.write(f"  {a.pool_keys}\n")
        env = dict(os.environ, JAVA_OPTS=a.java_opts)
        log = open(os.path.join(work, "shardis.log"), "w")
        shardis = subprocess.Popen([os.path.join(a.dist, "bin", "shardis"), "-c", os.path.join(work, "shardis.yml"),
                                    "-s", str(stats_port)], env=env, stdout=log, stderr=subprocess.STDOUT)
        procs.append(shardis)
        wait_port(shardis_port, shardis)
        call(redis_port, "SET", "big", b"x" * (a.value_kb * 1024))
        call(redis_port, "SET", "small", "1")
        call(redis_port, "CONFIG", "RESETSTAT")
        # Warm-up of the reader's path, so that JIT compilation is not what is measured.
        with socket.create_connection(("127.0.0.1", shardis_port)) as s:
            f = s.makefile("rb")
            for _ in range(2000):
                s.sendall(command("GET", "small"))
                read_reply(f)
        rss_idle = rss_bytes(shardis.pid)

        stop = threading.Event()
        sent = [0] * a.clients
        reconnects = [0] * a.clients

        def greedy(i):
            batch = command("GET", "big") * 1000
            while not stop.is_set():
                s = socket.create_connection(("127.0.0.1", shardis_port))
                s.setblocking(False)
                view = memoryview(batch)
                try:
                    while not stop.is_set():
                        try:
                            n = s.send(view)
                            sent[i] += n
                            view = view[n:] if n < len(view) else memoryview(batch)
                        except BlockingIOError:
                            time.sleep(0.002)
                except OSError:
                    reconnects[i] += 1  # disconnected by Shardis: come back, as a careless client would
                finally:
                    s.close()

        rss_max = [0]

        def sampler():
            while not stop.is_set():
                rss_max[0] = max(rss_max[0], rss_bytes(shardis.pid))
                time.sleep(0.05)

        latencies = []

        def reader():
            s = socket.create_connection(("127.0.0.1", shardis_port))
            f = s.makefile("rb")
            get = command("GET", "small")
            while not stop.is_set():
                t = time.perf_counter()
                s.sendall(get)
                read_reply(f)
                latencies.append(time.perf_counter() - t)
                time.sleep(0.005)
            s.close()

        threads = [threading.Thread(target=greedy, args=(i,), daemon=True) for i in range(a.clients)]
        threads += [threading.Thread(target=sampler, daemon=True), threading.Thread(target=reader, daemon=True)]
        for t in threads:
            t.start()
        time.sleep(a.seconds)
        stop.set()
        for t in threads:
            t.join(timeout=10)
        rss_end = rss_bytes(shardis.pid)
        stats = call(redis_port, "INFO", "commandstats").decode()
        gets = int(re.search(r"cmdstat_get:calls=(\d+)", stats).group(1))

        lat = sorted(latencies)
        pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
        heap = size_of(a.java_opts, "-Xmx", None)
        direct = size_of(a.java_opts, "-XX:MaxDirectMemorySize=", 1 << 30)
        log.flush()
        drops = open(os.path.join(work, "shardis.log")).read().count("disconnected:")
        mib = lambda b: b / (1 << 20)
        print(f"java opts: '{a.java_opts}' pool keys: '{a.pool_keys}'")
        print(f"{a.clients} non-reading clients x GET of {a.value_kb} KB for {a.seconds:.0f} s: "
              f"{sum(sent) // len(command('GET', 'big'))} GETs sent, {gets - 2000 - len(latencies)} of them run by Redis, "
              f"{sum(reconnects)} reconnects after a disconnect, {drops} disconnect log lines")
        print(f"Shardis RSS: idle {mib(rss_idle):.0f} MiB, max {mib(rss_max[0]):.0f} MiB, end {mib(rss_end):.0f} MiB; "
              + (f"budget (heap {mib(heap):.0f} + direct {mib(direct):.0f} + 200) = {mib(heap + direct) + 200:.0f} MiB"
                 if heap else f"direct memory {mib(direct):.0f} MiB, heap the JVM's default"))
        print(f"other client's GET: n={len(lat)} p50 {pct(0.50):.2f} ms, p99 {pct(0.99):.2f} ms, max {lat[-1] * 1000:.2f} ms")
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()


if __name__ == "__main__":
    sys.exit(main())
