"""--suite: every scenario in one run, each with its own servers and proxies, in rotating rounds,
and one table of ratios at the end (Shardis against nutcracker, direct Redis, predixy and a
baseline, each proxy's CPU time per request) beside the raw medians, GC pauses and idle-client
memory. Every figure set beside another comes from the same run."""
import math
import os
import re
import resource
import select
import subprocess
import sys
import time

import procs as P
import report
from runs import JIT_WARM_RUNS, Runner, Target

HERE = os.path.dirname(os.path.abspath(__file__))
ORDER = ("sharded", "cluster", "latency", "idle", "many-servers", "mget", "large-values",
         "transports")
# Connections per source address: below the about 28,000 ports of Linux's ephemeral range.
PER_SOURCE_ADDRESS = 25000


class Case:
    """One kind of run: redis-benchmark's test (or a custom command), depth, clients, size."""

    def __init__(self, test, pipeline, clients, requests, data_size, keyspace, command=None,
                 label=None):
        self.test, self.pipeline, self.clients, self.requests = test, pipeline, clients, requests
        self.data_size, self.keyspace, self.command = data_size, keyspace, command
        self.label = label or test.upper()


class Suite:
    def __init__(self, o, procs, work, output):
        self.o, self.procs, self.work, self.output = o, procs, work, output
        self.results = report.Results()
        self.specs = []  # rows of the table of ratios
        self.gc = []  # (scenario, target, pauses)
        self.idle_rows = []  # rows of the idle-clients table
        self.notes = []  # one line per scenario: what ran
        self.redis = []  # the redis-servers of the scenario running
        self.launcher = P.ShardisLauncher(o.shardis_launcher)
        self.baseline = P.ShardisLauncher(o.baseline_launcher) if o.baseline_launcher else None
        self.runner = Runner(procs, work, o.run_timeout, lambda: [s.pid for s in self.redis])

    def requests_for(self, pipeline):
        return self.o.requests if pipeline == 1 else self.o.pipelined

    def throughput_cases(self, pipelines=None):
        o = self.o
        return [Case(t, p, o.clients, self.requests_for(p), o.data_size, o.keyspace)
                for p in (pipelines or o.pipelines) for t in o.tests]

    # --- what a scenario starts -------------------------------------------------------------

    def servers(self, count, prefix):
        servers = P.start_redis_servers(self.procs, self.work, count, prefix=prefix)
        self.redis += servers
        return servers

    def nutcracker(self, name, servers, group=None):
        port = P.free_port()
        proc = P.start_nutcracker(self.procs, self.work, name, port, servers)
        return Target(name, port, proc.pid, kind="nutcracker", group=group)

    def shardis(self, name, servers=None, cluster=None, group=None, args=(), baseline=False):
        o = self.o
        launcher = self.baseline if baseline else self.launcher
        port = P.free_port()
        java_opts = os.environ.get("JAVA_OPTS", "")
        extra = o.shardis_args.split() + list(args)
        if baseline:
            java_opts = f"{java_opts} {o.baseline_java_opts}".strip()
            extra += o.baseline_args.split()
        s = P.start_shardis(self.procs, self.work, launcher, name,
                            P.pool_config("bench", port, servers, cluster), port, o.workers,
                            extra, java_opts, gc_log=True)
        return Target(name, port, s.pid, kind="baseline" if baseline else "shardis", group=group,
                      gc_log=s.gc_log, shardis=s)

    def with_baseline(self, targets, servers=None, cluster=None):
        if self.baseline:
            targets.append(self.shardis("baseline", servers, cluster, baseline=True))
        return targets

    # --- running --------------------------------------------------------------------------------

    def rounds(self, scenario, targets, cases, titles, warm_runs=JIT_WARM_RUNS):
        """Warms every JVM target up with warm_runs untimed runs per case, then runs every case
        against every target in rotating rounds, within --scenario-timeout. titles: group -> the
        title of its rows in the table of ratios."""
        o = self.o
        for t in targets:
            if t.kind in ("shardis", "baseline"):
                for c in cases:
                    for _ in range(warm_runs):
                        self.run_one(t, c)
        gc_start = {t.name: P.file_size(t.gc_log) for t in targets if t.gc_log}
        deadline = time.monotonic() + o.scenario_timeout
        names = [t.name for t in targets]
        by_name = {t.name: t for t in targets}
        skipped = 0
        for rnd in range(1, o.rounds + 1):
            order = report.rotation(names, rnd)
            P.log(f"  {scenario}: round {rnd} of {o.rounds}: {' '.join(order)} "
                  f"(load average {P.load_average()})")
            for c in cases:
                for name in order:
                    if time.monotonic() >= deadline:
                        skipped += 1
                        continue
                    t = by_name[name]
                    r = self.run_one(t, c)
                    if r is None:
                        continue
                    self.results.add(dict(r, scenario=scenario, group=t.group, round=rnd,
                                          target=t.name, test=c.label, pipeline=c.pipeline,
                                          clients=c.clients, data_size=c.data_size,
                                          requests=c.requests))
                    report.write_csv(self.output, report.COLUMNS, self.results.rows)
                    P.log(f"    {t.name:<14} {c.label:<8} P{c.pipeline:<3} c{c.clients:<4} "
                          f"{r['rps']:12.2f} req/s  p99 {report.millis(r['p99_ms'])} ms")
        if skipped:
            P.log(f"  {scenario}: {skipped} runs skipped: past --scenario-timeout "
                  f"{o.scenario_timeout}s")
        for t in targets:
            if t.gc_log:
                self.gc.append((scenario, t.name, P.gc_pauses(t.gc_log, gc_start[t.name])))
        groups = [g for g in dict.fromkeys(t.group for t in targets) if g is not None] or [None]
        for g in groups:
            members = [t for t in targets if t.group in (None, g)]
            kinds = {}
            for t in members:
                kinds.setdefault(t.kind, t.name)
            if "shardis" not in kinds:
                continue
            for c in cases:
                self.specs.append(dict(scenario=scenario, title=titles[g], test=c.label,
                                       test_label=c.label, pipeline=c.pipeline,
                                       clients=c.clients, targets=kinds))

    def run_one(self, target, case):
        return self.runner.run(target, case.test, case.pipeline, case.clients, case.requests,
                               case.data_size, case.keyspace, full=True, command=case.command,
                               label=case.label)

    def scenario(self, name, body):
        """Runs one scenario; whatever it started is stopped when it ends."""
        mark = len(self.procs.procs)
        P.log(f"Scenario {name} (load average {P.load_average()})")
        started = time.monotonic()
        try:
            body()
        finally:
            self.procs.stop(list(reversed(self.procs.procs[mark:])))
            self.redis = []
        P.log(f"  {name}: {time.monotonic() - started:.0f} s")

    # --- the scenarios --------------------------------------------------------------------------

    def pool_size(self):
        return self.o.servers if self.o.servers_given else 4

    def sharded(self):
        n = self.pool_size()
        servers = self.servers(n, "sharded")
        targets = [Target("direct", servers[0].port), self.nutcracker("nutcracker", servers),
                   self.shardis("shardis", servers)]
        self.with_baseline(targets, servers)
        self.notes.append(f"sharded: a ketama pool of {n} redis-servers ('direct': the first "
                          "alone), redis-benchmark -t " + ",".join(self.o.tests) +
                          f" -c {self.o.clients} -d {self.o.data_size} -r {self.o.keyspace}, "
                          f"-n {self.o.requests} at P1, {self.o.pipelined} at P16.")
        self.rounds("sharded", targets, self.throughput_cases(), {None: f"sharded, {n} servers"})

    def cluster(self):
        m = self.o.cluster
        nodes = P.start_cluster(self.procs, self.work, m)
        self.redis += nodes
        targets = [Target("direct", nodes[0].port, mode=["--cluster", "--threads", "1"]),
                   self.shardis("shardis", cluster=nodes)]
        version = ""
        if self.o.predixy:
            port = P.free_port()
            proc, version = P.start_predixy(self.procs, self.work, self.o.predixy, port, nodes,
                                            self.o.workers)
            targets.append(Target("predixy", port, proc.pid))
        self.with_baseline(targets, cluster=nodes)
        self.notes.append(f"cluster: a Redis Cluster of {m} masters + {m} replicas; 'direct' is "
                          "redis-benchmark --cluster --threads 1 (each client on one master)"
                          + (f"; {version} with WorkerThreads {self.o.workers}" if version else "")
                          + ".")
        self.rounds("cluster", targets, self.throughput_cases(), {None: f"cluster {m}+{m}"})

    def latency(self):
        o = self.o
        n = self.pool_size()
        servers = self.servers(n, "latency")
        targets = [Target("direct", servers[0].port), self.nutcracker("nutcracker", servers),
                   self.shardis("shardis", servers)]
        single = max(o.requests // 10, 500)
        cases = []
        for t in o.tests:
            cases.append(Case(t, 1, o.clients, o.requests, o.data_size, o.keyspace))
            cases.append(Case(t, 1, 1, single, o.data_size, o.keyspace))
        self.notes.append(f"latency: the same pool of {n}, P1 at {o.clients} clients "
                          f"(-n {o.requests}) and at 1 client (-n {single}); p99.9 is "
                          "redis-benchmark's first percentile at or above 99.9% of its full "
                          "output; GC pauses from each Shardis' -Xlog:gc file over the timed "
                          "rounds.")
        self.rounds("latency", targets, cases, {None: "latency"})

    def transports(self):
        n = self.pool_size()
        servers = self.servers(n, "transports")
        targets = [self.nutcracker("nutcracker", servers)]
        names = {}
        for transport in ("epoll", "io_uring", "nio"):
            t = self.shardis(f"shardis-{transport}", servers, group=transport,
                             args=["--transport", transport])
            targets.append(t)
            names[transport] = f"transport {transport}" + in_use(t.shardis.log, transport)
        self.notes.append(f"transports: one Shardis per --transport on the same pool of {n}, "
                          "nutcracker beside them.")
        self.rounds("transports", targets, self.throughput_cases(), names)

    def many_servers(self):
        o = self.o
        targets = []
        titles = {}
        for n in (4, o.many_servers):
            servers = self.servers(n, f"pool{n}-")
            targets += [self.nutcracker(f"nutcracker-{n}", servers, group=str(n)),
                        self.shardis(f"shardis-{n}", servers, group=str(n))]
            titles[str(n)] = f"ketama pool of {n}"
        self.notes.append(f"many-servers: ketama pools of 4 and {o.many_servers} redis-servers, "
                          "each with its own nutcracker and Shardis, all in the same rounds, P1.")
        self.rounds("many-servers", targets, self.throughput_cases([1]), titles)

    def mget(self):
        o = self.o
        keyspace = min(o.keyspace, 10000)
        command = "MGET " + " ".join(["key:__rand_int__"] * o.mget_keys)
        requests = max(o.requests // 20, 200)
        targets = []
        titles = {}
        for n in (4, 16):
            servers = self.servers(n, f"mget{n}-")
            nut = self.nutcracker(f"nutcracker-{n}", servers, group=str(n))
            # The keys MGET reads, written first (redis-benchmark's SET keys: key:NNNNNNNNNNNN).
            self.runner.run(nut, "set", 16, 50, 3 * keyspace, 64, keyspace, full=True)
            targets += [nut, self.shardis(f"shardis-{n}", servers, group=str(n))]
            titles[str(n)] = f"MGET of {o.mget_keys}, {n} servers"
        # A split MGET reaches its steady cost only after some 40,000-60,000 of them (C2 at work,
        # README: Warm-up): each Shardis gets six untimed runs first, not three.
        self.notes.append(f"mget: MGET of {o.mget_keys} random keys of {keyspace} (written "
                          f"first), {o.clients} clients, P1, -n {requests}, over pools of 4 and 16, "
                          f"after 6 untimed runs per Shardis.")
        self.rounds("mget", targets, [Case("mget", 1, o.clients, requests, 64, keyspace,
                                           command=command, label=f"MGET{o.mget_keys}")], titles,
                    warm_runs=6)

    def large_values(self):
        o = self.o
        servers = self.servers(1, "large")
        targets = [Target("direct", servers[0].port), self.nutcracker("nutcracker", servers),
                   self.shardis("shardis", servers)]
        self.with_baseline(targets, servers)
        clients = min(o.clients, 10)
        requests = max(o.requests // 200, 100)
        # 20 keys: at most 20 values held by redis-server, and every GET finds one once the first
        # round's SETs ran.
        cases = [Case(t, 1, clients, requests, o.large_size, 20) for t in ("set", "get")]
        self.notes.append(f"large-values: {o.large_size} B values, {clients} clients, P1, "
                          f"-n {requests}, 20 keys, one redis-server.")
        self.rounds("large-values", targets, cases, {None: f"values of {size(o.large_size)}"})

    def idle(self):
        o = self.o
        servers = self.servers(1, "idle")
        proxies = [self.nutcracker("nutcracker", servers), self.shardis("shardis", servers)]
        self.notes.append("idle: N connections held open (one PING each, then nothing) to "
                          "nutcracker and Shardis in front of one redis-server; RSS from "
                          "/proc, Shardis' heap from /metrics (jvm_memory_used_bytes, heap) "
                          "after a full GC (jcmd GC.run), and their growth per connection.")
        for count in o.idle_clients:
            for t in proxies:
                self.idle_rows.append(self.hold_idle(t, count))

    def hold_idle(self, target, count):
        """Opens count idle connections to target, measures it, closes them again."""
        row = dict(target=target.name, connections=count, open=0, rss_before=None,
                   rss_after=None, heap_before=None, heap_after=None, note="")
        limit = P.open_files_limit(target.pid)
        if limit is not None and count > limit - 100:
            row["note"] = f"left out: the proxy's open-files limit is {limit}"
            P.log(f"  idle: {count} connections to {target.name}: {row['note']}")
            return row
        # The heap first: its full GC may give memory back, and RSS is read after it.
        row["heap_before"] = self.heap(target)
        row["rss_before"] = P.rss_bytes(target.pid)
        mark = len(self.procs.procs)
        holders = []
        try:
            # Each holder process has its own source address and stays within its open-files
            # limit (the hard limit, which it raises its own to).
            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            per_holder = PER_SOURCE_ADDRESS if hard == resource.RLIM_INFINITY else min(
                PER_SOURCE_ADDRESS, hard - 100)
            left = count
            for i in range(math.ceil(count / per_holder)):
                n = min(per_holder, left)
                left -= n
                holders.append(self.procs.start(
                    [sys.executable, os.path.join(HERE, "idle_clients.py"), str(target.port),
                     str(n), f"127.0.0.{i + 1}"], "idle clients",
                    os.path.join(self.work, "idle-clients.log"), stdin=subprocess.PIPE,
                    pipe=True))
            errors = []
            deadline = time.monotonic() + max(60, count / 200)
            for h in holders:
                ready, _, _ = select.select([h.stdout], [], [], max(0, deadline - time.monotonic()))
                line = h.stdout.readline().decode().split() if ready else []
                if len(line) >= 2 and line[0] == "open":
                    row["open"] += int(line[1])
                    if len(line) > 2:
                        errors.append(" ".join(line[2:]))
                else:
                    errors.append("no answer")
            if errors:
                row["note"] = "; ".join(sorted(set(errors)))
            row["heap_after"] = self.heap(target)
            row["rss_after"] = P.rss_bytes(target.pid)
            P.log(f"  idle: {row['open']} of {count} connections open to {target.name}: RSS "
                  f"{report.mib(row['rss_before'])} -> {report.mib(row['rss_after'])} MiB"
                  + (f", heap {report.mib(row['heap_before'])} -> "
                     f"{report.mib(row['heap_after'])} MiB" if row["heap_after"] else "")
                  + (f" ({row['note']})" if row["note"] else ""))
        finally:
            for h in holders:
                try:
                    h.stdin.close()
                except OSError:
                    pass
            self.procs.stop(list(reversed(self.procs.procs[mark:])))
            # The proxy closes them at its pace; wait until it has.
            time.sleep(1)
        return row

    def heap(self, target):
        """Shardis' heap in use after a full GC; None for other proxies."""
        s = target.shardis
        if s is None or not s.http_port:
            return None
        jcmd = P.which("jcmd")
        if jcmd:
            try:
                subprocess.run([jcmd, str(s.pid), "GC.run"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=60)
            except subprocess.TimeoutExpired:
                pass
        return P.metrics_heap_bytes(s.http_port)


def in_use(log_path, wanted):
    """' (ran X)' when Shardis' start-up log ("transport X" or "transport X (passed over: ...)")
    says it fell back from the wanted transport to another."""
    try:
        with open(log_path, errors="replace") as f:
            text = f.read()
    except OSError:
        return ""
    m = re.search(r"\btransport (io_uring|epoll|nio)\b", text)
    return f" (ran {m.group(1)})" if m and m.group(1) != wanted else ""


def size(n):
    for unit, scale in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= scale and n % scale == 0:
            return f"{n // scale} {unit}"
    return f"{n} B"


def idle_table(rows):
    lines = ["| proxy | connections | open | RSS before MiB | RSS with them MiB | KiB per "
             "connection | heap before MiB | heap with them MiB | note |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        per = ("–" if not r["open"] or r["rss_after"] is None else
               f"{(r['rss_after'] - r['rss_before']) / 1024 / r['open']:.1f}")
        lines.append(f"| {r['target']} | {r['connections']} | {r['open']} | "
                     f"{report.mib(r['rss_before'])} | {report.mib(r['rss_after'])} | {per} | "
                     f"{report.mib(r['heap_before'])} | {report.mib(r['heap_after'])} | "
                     f"{r['note']} |")
    return "\n".join(lines) + "\n"


def gc_table(rows):
    lines = ["| scenario | Shardis | GC pauses | longest ms | total ms |", "|---|---|---:|---:|---:|"]
    for scenario, target, pauses in rows:
        lines.append(f"| {scenario} | {target} | {len(pauses)} | {max(pauses, default=0):.3f} | "
                     f"{sum(pauses):.1f} |")
    return "\n".join(lines) + "\n"


def run(o, procs, work):
    from shardis_bench import output_paths

    output, table_file = output_paths(o)
    # The proxies inherit this limit (nutcracker keeps it; the JVM raises its own to the hard one).
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    suite = Suite(o, procs, work, output)
    report.write_csv(output, report.COLUMNS, [])
    P.log(f"Shardis benchmark suite: {', '.join(o.scenarios)}; {o.rounds} rounds; "
          f"{os.cpu_count()} cores ({P.cpu_model()}); load average {P.load_average()}")
    P.log(f"  {suite.launcher.version()} from {suite.launcher.home}, {o.workers} workers"
          + (f"; baseline {suite.baseline.version()} from {suite.baseline.home}"
             if suite.baseline else ""))
    bodies = {"sharded": suite.sharded, "cluster": suite.cluster, "latency": suite.latency,
              "idle": suite.idle, "many-servers": suite.many_servers, "mget": suite.mget,
              "large-values": suite.large_values, "transports": suite.transports}
    started = time.monotonic()
    for name in [s for s in ORDER if s in o.scenarios]:
        suite.scenario(name, bodies[name])
    idle_csv = None
    if suite.idle_rows:
        idle_csv = output[:-4] + "-idle.csv" if output.endswith(".csv") else output + "-idle.csv"
        report.write_csv(idle_csv, ("target", "connections", "open", "rss_before", "rss_after",
                                    "heap_before", "heap_after", "note"), suite.idle_rows)
    parts = []
    if suite.specs:
        parts.append("Ratios of medians of the same run (Shardis ÷ each other target; CPU µs per "
                     "request of each proxy from /proc; p99 from redis-benchmark):\n")
        parts.append(report.suite_summary(suite.results, suite.specs))
    if suite.idle_rows:
        parts.append("\nIdle clients:\n")
        parts.append(idle_table(suite.idle_rows))
    if suite.gc:
        parts.append("\nShardis' GC pauses over each scenario's timed rounds (-Xlog:gc):\n")
        parts.append(gc_table(suite.gc))
    if suite.results.rows:
        parts.append("\nRaw figures, medians over rounds:\n")
        parts.append(report.suite_raw(suite.results, list(ORDER)))
    parts.append("\n" + f"{o.rounds} rounds in rotating order; {o.workers} Shardis event loops; "
                 f"{os.cpu_count()} cores shared by clients, proxies and redis-servers; the suite "
                 f"took {(time.monotonic() - started) / 60:.1f} min; load average (1, 5, 15 min) "
                 f"at the end: {P.load_average()}.\n")
    parts += [f"- {n}\n" for n in suite.notes]
    table = "".join(parts)
    with open(table_file, "w") as f:
        f.write(table)
    print(table, end="", flush=True)
    P.log("")
    P.log(f"Raw results: {output}" + (f" and {idle_csv}" if idle_csv else ""))
    P.log(f"Tables:      {table_file}")
