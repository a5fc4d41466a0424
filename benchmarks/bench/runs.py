"""One redis-benchmark run against one target: its figures and what it cost the target's CPU."""
import os
import re
import subprocess

from procs import HZ, cpu_ticks, log

FIELDS = ("rps", "avg_ms", "p50_ms", "p99_ms", "p999_ms", "max_ms")

# Untimed runs per case that a fresh Shardis JVM gets before the timed rounds. Counted with
# -XX:+PrintCompilation (runs of 200,000 GETs and 200,000 SETs, 50 clients, one server): 2,236
# compilations before the first run, 4,410 after it, 5,535 after the second, then about 50 a
# run. One untimed run left the first timed round paying for the JIT's second wave (CPU per
# request counted the compiler threads too); three leave it past both.
JIT_WARM_RUNS = 3


class Target:
    """Something redis-benchmark runs against: a port, the PID whose CPU it costs (none for
    'direct'), the kind (direct, nutcracker, shardis, predixy, baseline) that the ratios name, and
    the group it belongs to within a scenario (None: every group, e.g. the one nutcracker in
    front of the pools of several Shardis transports)."""

    def __init__(self, name, port, pid=None, kind=None, group=None, mode=(), gc_log=None,
                 shardis=None):
        self.name, self.port, self.pid = name, port, pid
        self.kind = kind or name
        self.group, self.mode, self.gc_log, self.shardis = group, list(mode), gc_log, shardis


def parse_csv(text):
    """The first row of results of 'redis-benchmark --csv', after the "test",... header:
    "SET","344827.59","2.084","0.312","1.615","2.935","14.191","14.383" (rps, avg, min, p50, p95,
    p99, max). Cluster mode first prints the masters it found ("Cluster has 3 master nodes:",
    "Master 0: ID 127.0.0.1:PORT", blank lines), which are not quoted. None when there is none."""
    for line in text.splitlines():
        parts = line.strip().split('"')
        if len(parts) >= 5 and parts[0] == "" and parts[1] != "test":
            values = [p for p in parts[1::2]]
            try:
                return {"test": values[0], "rps": float(values[1]), "avg_ms": float(values[2]),
                        "p50_ms": float(values[4]), "p99_ms": float(values[6]),
                        "max_ms": float(values[7]) if len(values) > 7 else None, "p999_ms": None}
            except (IndexError, ValueError):
                return None
    return None


PERCENTILE_LINE = re.compile(r"^\s*([\d.]+)% <= ([\d.]+) milliseconds")
SUMMARY_RPS = re.compile(r"throughput summary: ([\d.]+) requests per second")


def parse_full(text):
    """redis-benchmark's full output (no --csv, no -q) of one test: the summary's throughput, avg,
    p50, p99 and max, and p99.9: the first percentile at or above 99.9% in its "Latency by
    percentile distribution" (an HdrHistogram iteration: 99.902% in practice), since 7.0's CSV
    stops at p99. Progress lines end in \\r. None when no summary was printed."""
    text = text.replace("\r", "\n")
    m = SUMMARY_RPS.search(text)
    if not m:
        return None
    lines = text.splitlines()
    heads = [i for i, line in enumerate(lines) if "avg" in line and "min" in line and "p50" in line]
    if not heads or heads[-1] + 1 >= len(lines):
        return None
    names = lines[heads[-1]].split()
    values = dict(zip(names, (float(v) for v in lines[heads[-1] + 1].split())))
    p999 = None
    in_distribution = False
    for line in lines:
        if line.startswith("Latency by percentile distribution"):
            in_distribution = True
            continue
        if in_distribution:
            pm = PERCENTILE_LINE.match(line)
            if not pm:
                if p999 is None and line.strip() == "":
                    continue
                break
            if float(pm.group(1)) >= 99.9:
                p999 = float(pm.group(2))
                break
    return {"rps": float(m.group(1)), "avg_ms": values.get("avg"), "p50_ms": values.get("p50"),
            "p99_ms": values.get("p99"), "max_ms": values.get("max"),
            "p999_ms": p999 if p999 is not None else values.get("max")}


class Runner:
    """Runs redis-benchmark against targets, each run bounded in time and its process ended on
    Ctrl-C like every other one."""

    def __init__(self, procs, work, run_timeout, redis_pids, tls_ca=None):
        self.procs, self.work, self.run_timeout = procs, work, run_timeout
        self.redis_pids = redis_pids  # a callable: the PIDs of every redis-server of the moment
        self.tls_ca = tls_ca

    def run(self, target, test, pipeline, clients, requests, data_size, keyspace, full=False,
            command=None, label=None):
        """One run: a dict of FIELDS plus proxy_cpu_us_per_request and redis_cpu_us_per_request,
        or None when it failed. full: parse the whole output (p99.9, max) instead of --csv.
        command: a custom command line (e.g. MGET key:__rand_int__ ...) instead of -t test."""
        cmd = ["redis-benchmark", *target.mode]
        if "--tls" in target.mode:
            cmd += ["--cacert", self.tls_ca]
        cmd += ["-h", "127.0.0.1", "-p", str(target.port)]
        if command is None:
            cmd += ["-t", test]
        cmd += ["-d", str(data_size), "-c", str(clients), "-n", str(requests), "-P", str(pipeline),
                "-r", str(keyspace)]
        cmd += [] if full else ["--csv", "-q"]
        if command is not None:
            cmd += command.split()
        out_path = os.path.join(self.work, "run.out")
        proxy_before = cpu_ticks(target.pid)
        redis_before = sum(cpu_ticks(p) for p in self.redis_pids())
        proc = self.procs.start(cmd, "redis-benchmark", out_path)
        what = f"{target.name} {label or test} P{pipeline} c{clients}"
        try:
            proc.wait(timeout=self.run_timeout)
        except subprocess.TimeoutExpired:
            self.procs.stop_procs(proc)
            log(f"    {what}: redis-benchmark ran past {self.run_timeout}s")
            return None
        finally:
            self.procs.procs = [(p, n) for p, n in self.procs.procs if p is not proc]
        proxy_after = cpu_ticks(target.pid)
        redis_after = sum(cpu_ticks(p) for p in self.redis_pids())
        with open(out_path, errors="replace") as f:
            text = f.read()
        if proc.returncode != 0:
            log(f"    {what}: redis-benchmark failed ({proc.returncode}): {text.strip()[-300:]}")
            return None
        result = parse_full(text) if full else parse_csv(text)
        if result is None:
            log(f"    {what}: no result from redis-benchmark")
            return None
        result["proxy_cpu_us_per_request"] = (
            (proxy_after - proxy_before) * 1e6 / HZ / requests if target.pid else None)
        result["redis_cpu_us_per_request"] = (redis_after - redis_before) * 1e6 / HZ / requests
        return result
