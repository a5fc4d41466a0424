#!/usr/bin/env python3
"""Latency percentiles and GC pauses of Shardis against nutcracker and Redis, in one run.

Starts redis-servers, one nutcracker and one Shardis per JVM variant (collector and Java), all
in front of the same servers, then runs redis-benchmark (GET and SET, pipeline 1, at 50 clients
and at 1 client) against each target in a rotating order for several rounds. Prints one table of
medians: throughput, p50, p99, p99.9 and maximum latency, the proxy's CPU microseconds per
request, and each Shardis variant's GC pauses over the whole run (count, longest, total), read
from its -Xlog:gc log, so that a p99.9 can be set beside the pauses that may have made it.

p99.9 is the first percentile at or above 99.9% that redis-benchmark prints in its "Latency by
percentile distribution" (an HdrHistogram iteration: 99.902% in practice).

Loopback only; every process it starts it stops by PID. Standard library only.

Usage: benchmarks/scripts/latency-gc.py [--dist DIR] [--rounds N] [--variants LIST]
       [--java-new JAVA_HOME] [--servers N] [--requests N] [--tests get,set]
Variants: parallel (bin/shardis' default), g1, zgc (generational ZGC; needs a Java 21+ given by
--java-new, found under /usr/lib/jvm when not), parallel-new (the default collector on the newer
Java).
"""
import argparse
import glob
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
from procs import HZ, cpu_ticks, free_port, gc_pauses, pings  # noqa: E402
from runs import parse_full  # noqa: E402


def wait_port(port, seconds=30, log=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pings(port):
            return
        time.sleep(0.1)
    tail = open(log, errors="replace").read()[-2000:] if log and os.path.exists(log) else ""
    raise SystemExit(f"nothing answered PING on port {port} within {seconds} s ({log})\n{tail}")


def newer_java(given):
    if given:
        return given
    for home in sorted(glob.glob("/usr/lib/jvm/*"), reverse=True):
        release = os.path.join(home, "release")
        if os.path.exists(release):
            text = open(release).read()
            m = re.search(r'JAVA_VERSION="(\d+)', text)
            if m and int(m.group(1)) >= 21:
                return home
    return None


def bench(port, test, clients, requests):
    """One redis-benchmark run: rps, p50, p99, p99.9, max (ms)."""
    out = subprocess.run(
        ["redis-benchmark", "-p", str(port), "-t", test, "-c", str(clients), "-n", str(requests),
         "-d", "64", "-r", "100000", "-P", "1"],
        capture_output=True, text=True, timeout=600).stdout
    r = parse_full(out)
    if r is None:
        raise SystemExit(f"redis-benchmark printed no summary against port {port}")
    return r["rps"], r["p50_ms"], r["p99_ms"], r["p999_ms"], r["max_ms"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dist", default=None, help="Shardis distribution (default proxy/target/shardis-*)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200000, help="requests per run at 50 clients")
    parser.add_argument("--single-requests", type=int, default=30000, help="requests per run at 1 client")
    parser.add_argument("--servers", type=int, default=1)
    parser.add_argument("--tests", default="get,set")
    parser.add_argument("--variants", default="parallel,g1,zgc")
    parser.add_argument("--java-new", default=None, help="JAVA_HOME of a Java 21+ for zgc and parallel-new")
    parser.add_argument("--workers", type=int, default=os.cpu_count())
    args = parser.parse_args()

    found = glob.glob(os.path.join(ROOT, "proxy", "target", "shardis-*", "bin", "shardis"))
    dist = args.dist or (os.path.dirname(os.path.dirname(found[0])) if found else None)
    if not dist or not os.path.exists(os.path.join(dist, "bin", "shardis")):
        raise SystemExit("no Shardis distribution: build it (mvn -B -pl proxy -am package -DskipTests) or give --dist")
    for tool in ("redis-server", "redis-benchmark"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is needed (apt-get install redis-server redis-tools)")
    nutcracker = shutil.which("nutcracker") or ("/usr/sbin/nutcracker" if os.path.exists("/usr/sbin/nutcracker") else None)
    java_new = newer_java(args.java_new)

    work = tempfile.mkdtemp(prefix="shardis-latency-")
    procs = []

    def start(cmd, log, env=None):
        p = subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, env=env, cwd=work)
        procs.append(p)
        return p

    try:
        servers = []
        for i in range(args.servers):
            port = free_port()
            start(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                   "--appendonly", "no", "--dir", work], os.path.join(work, f"redis{i}.log"))
            wait_port(port)
            servers.append(port)
        server_lines = "".join(f"    - 127.0.0.1:{p}:1 s{i}\n" for i, p in enumerate(servers))
        targets = {"direct": (servers[0], None)}
        if nutcracker:
            port = free_port()
            conf = os.path.join(work, "nutcracker.yml")
            with open(conf, "w") as f:
                f.write(f"alpha:\n  listen: 127.0.0.1:{port}\n  hash: fnv1a_64\n  distribution: ketama\n"
                        f"  redis: true\n  servers:\n{server_lines}")
            p = start([nutcracker, "-c", conf, "-s", str(free_port()), "-a", "127.0.0.1"],
                      os.path.join(work, "nutcracker.log"))
            wait_port(port, log=os.path.join(work, "nutcracker.log"))
            targets["nutcracker"] = (port, p.pid)
        else:
            print("nutcracker not found: left out", file=sys.stderr)
        gc_logs = {}
        for variant in [v for v in args.variants.split(",") if v]:
            env = dict(os.environ)
            opts = {"parallel": "", "g1": "-XX:+UseG1GC", "zgc": "-XX:+UseZGC",
                    "parallel-new": ""}.get(variant)
            if opts is None:
                raise SystemExit(f"unknown variant {variant}: expected parallel, g1, zgc, parallel-new")
            if variant in ("zgc", "parallel-new"):
                if not java_new:
                    print(f"no Java 21+ found for {variant}: left out", file=sys.stderr)
                    continue
                env["JAVA_HOME"] = java_new
                if variant == "zgc" and "ZGenerational" not in opts:
                    release = open(os.path.join(java_new, "release")).read()
                    if int(re.search(r'JAVA_VERSION="(\d+)', release).group(1)) < 23:
                        opts += " -XX:+ZGenerational"
            log = os.path.join(work, f"gc-{variant}.log")
            gc_logs[variant] = log
            env["JAVA_OPTS"] = f"{opts} -Xlog:gc,gc+phases=info:file={log}".strip()
            port = free_port()
            conf = os.path.join(work, f"shardis-{variant}.yml")
            with open(conf, "w") as f:
                f.write(f"alpha:\n  listen: 127.0.0.1:{port}\n  hash: fnv1a_64\n  distribution: ketama\n"
                        f"  redis: true\n  servers:\n{server_lines}")
            p = start([os.path.join(dist, "bin", "shardis"), "-c", conf, "-s", str(free_port()),
                       "-a", "127.0.0.1", "-w", str(args.workers), "--http", "off"],
                      os.path.join(work, f"shardis-{variant}.log"), env)
            wait_port(port, 60, os.path.join(work, f"shardis-{variant}.log"))
            targets[f"shardis-{variant}"] = (port, p.pid)

        names = list(targets)
        results = {}
        tests = [t for t in args.tests.split(",") if t]
        for test in tests:
            for name in names:  # warm-up, not counted
                bench(targets[name][0], test, 50, args.requests // 2)
        for rnd in range(args.rounds):
            order = names if rnd % 2 == 0 else list(reversed(names))
            for test in tests:
                for clients, requests in ((50, args.requests), (1, args.single_requests)):
                    for name in order:
                        port, pid = targets[name]
                        before = cpu_ticks(pid) if pid else 0
                        r = bench(port, test, clients, requests)
                        cpu = (cpu_ticks(pid) - before) * 1e6 / HZ / requests if pid else None
                        results.setdefault((test, clients, name), []).append(r + (cpu,))
                        print(f"round {rnd + 1} {test} c={clients} {name}: {r[0]:.0f} rps p99 {r[2]} "
                              f"p99.9 {r[3]} max {r[4]} ms"
                              + (f", {cpu:.2f} us/req" if cpu is not None else ""), file=sys.stderr)

        def med(values):
            values = [v for v in values if v is not None]
            return statistics.median(values) if values else None

        print(f"\n{args.servers} server(s), 64 B values, pipeline 1, {args.rounds} rounds, medians; "
              f"ratios against nutcracker in the same run\n")
        print("| test | clients | target | req/s | ÷ nutcracker | p50 ms | p99 ms | p99.9 ms | max ms | CPU µs/req |")
        print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|")
        for test in tests:
            for clients in (50, 1):
                base = results.get((test, clients, "nutcracker"))
                base_rps = med([r[0] for r in base]) if base else None
                for name in names:
                    rows = results[(test, clients, name)]
                    rps = med([r[0] for r in rows])
                    ratio = f"{rps / base_rps:.2f}" if base_rps else "–"
                    cpu = med([r[5] for r in rows])
                    print(f"| {test.upper()} | {clients} | {name} | {rps:.0f} | {ratio} | "
                          f"{med([r[1] for r in rows]):.3f} | {med([r[2] for r in rows]):.3f} | "
                          f"{med([r[3] for r in rows]):.3f} | {med([r[4] for r in rows]):.3f} | "
                          + (f"{cpu:.2f}" if cpu is not None else "–") + " |")
        print("\n| Shardis variant | GC pauses | longest ms | total ms |")
        print("|---|---:|---:|---:|")
        for variant, log in gc_logs.items():
            pauses = gc_pauses(log)
            print(f"| {variant} | {len(pauses)} | {max(pauses, default=0):.3f} | {sum(pauses):.1f} |")
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=15)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
