#!/usr/bin/env python3
"""Whole-proxy benchmark: redis-benchmark against Redis directly, through Twemproxy (nutcracker)
and through Shardis, in one run on one machine; or, with --cluster, against a Redis Cluster
directly, through Shardis and (given its binary) through predixy. A second Shardis distribution
may run beside the first as a baseline. Prints medians, ratios and each proxy's CPU cost per
request as a Markdown table and keeps every measurement in a CSV file. With --suite, runs every
scenario (sharded pool, cluster, latency, idle clients, many servers, MGET, large values,
transports) in one go and prints one table of ratios.

Everything it starts listens on loopback and is stopped by PID when it ends, however it ends.
Python 3 standard library only; bin/shardis-bench runs it.
"""
import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import procs as P  # noqa: E402
import report  # noqa: E402
from runs import JIT_WARM_RUNS, Runner, Target  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLAIN_TARGETS = ("direct", "nutcracker", "shardis")
TLS_TARGETS = ("direct-tls", "shardis-tls", "shardis-tls-jdk")

USAGE = """\
Usage: shardis-bench [options]

Runs 'redis-benchmark -t TEST -d 64 -c 50 -n N -P P --csv -q' for every test and pipeline depth
against a redis-server directly, through nutcracker and through Shardis, in a rotating order
for several rounds, and reports medians. With --cluster M, against a Redis Cluster instead:
'redis-benchmark --cluster --threads 1' straight to its nodes, and plain redis-benchmark
through Shardis. With --suite, every scenario in one run and one table of ratios.

Options:
  -r, --rounds N          rounds (default 3)
  -n, --requests N        requests per run without pipelining (default 200000)
  -N, --pipelined N       requests per run with pipelining (default 1000000)
  -P, --pipelines LIST    pipeline depths, comma-separated (default 1,16)
  -t, --tests LIST        redis-benchmark tests, comma-separated, run in this order (default set,get)
  -c, --clients N         parallel connections (default 50)
  -d, --data-size N       value size in bytes (default 64)
  -s, --servers N         redis-servers behind the proxies (default 1; 4 in the suite's
                          sharded scenarios); with more, the pool shards keys over them
                          (nutcracker's defaults: fnv1a_64, ketama) and 'direct' is the first
                          server alone
      --cluster M         a Redis Cluster of M masters (3 or more) with one replica each,
                          made with 'redis-cli --cluster create', instead of plain
                          redis-servers: 'direct' is then 'redis-benchmark --cluster
                          --threads 1' to the nodes and Shardis fronts it as a
                          'cluster: { seeds: [...] }' pool; nutcracker cannot front a
                          cluster and is left out (in the suite: the cluster scenario's size,
                          default 3)
  -k, --keyspace N        random keys per test, redis-benchmark -r (default 100000)
      --tls               TLS towards the clients: a test CA is made with openssl, and
                          redis-benchmark --tls --cacert runs against redis-server's own
                          tls-port (direct-tls) and Shardis pools with tls: blocks, one with
                          the OpenSSL engine (shardis-tls) and one with the JDK's
                          (shardis-tls-jdk), beside the plain targets in the same run
      --predixy PATH      with --cluster (or in the suite's cluster scenario), also predixy (a
                          binary built from its own source, e.g. github.com/joyieldInc/predixy's
                          src/predixy) as the target 'predixy': a config with one
                          ClusterServerPool of every node, bound on a free loopback port,
                          WorkerThreads as --workers, no LatencyMonitor (its default)
      --baseline-dist DIR another Shardis distribution (a directory with bin/shardis and
                          lib/, e.g. proxy/target/shardis-VERSION of another checkout or
                          an unpacked tarball) as the target 'baseline', with the same
                          pool and workers, for a regression check in one run
      --baseline-args ARGS  flags for the baseline alone, after --shardis-args (also from
                          SHARDIS_BENCH_BASELINE_ARGS): with --baseline-dist set to this
                          checkout's own distribution, one flag against another in one run,
                          e.g. --baseline-args '--transport epoll'
      --baseline-java-opts OPTS  JVM flags for the baseline alone, after JAVA_OPTS, e.g.
                          '-XX:+UseG1GC' or '-Dio.netty.allocator.type=pooled'
      --shardis-dist DIR  the distribution the target 'shardis' runs (default this
                          checkout's, built first when stale)
  -w, --workers N         event-loop threads of Shardis (-w) and worker threads of
                          predixy (default: the number of cores, Shardis' own default)
      --targets LIST      any of direct,nutcracker,shardis (default all three, or
                          direct,shardis with --cluster; also from SHARDIS_BENCH_TARGETS);
                          predixy with --predixy and baseline with --baseline-dist, each
                          added to the default targets by its option;
                          with --tls also direct-tls,shardis-tls,shardis-tls-jdk (default
                          direct,direct-tls,shardis,shardis-tls,shardis-tls-jdk)
  -o, --output FILE       raw results as CSV (default ./shardis-bench-<time>.csv);
                          the table is written next to it as .md
      --run-timeout S     longest one redis-benchmark run may take (default 300)
      --shardis-args ARGS extra flags for Shardis and the baseline, e.g. '-i 1000' (also
                          from SHARDIS_BENCH_ARGS); the workers are set by --workers

Suite (every scenario in one run, one table of ratios):
      --suite             run the scenarios below in turn, each with its own servers and
                          proxies, in rotating rounds; -r, -n, -N, -c, -k, -w, --predixy,
                          --baseline-dist, --shardis-args and --run-timeout apply
      --scenarios LIST    which, comma-separated (default all): sharded, cluster, latency,
                          idle, many-servers, mget, large-values, transports
      --quick             tiny counts for a smoke run (1 round, a few thousand requests,
                          small idle-client counts); explicit options still win
      --idle-clients LIST idle connections to hold open, comma-separated (default
                          10000,50000; counts above the proxy's open-files limit are left out)
      --many-servers N    the large ketama pool of the many-servers scenario (default 64,
                          against 4)
      --mget-keys N       keys per MGET (default 100)
      --large-size N      value size of the large-values scenario in bytes (default 1048576)
      --scenario-timeout S  longest one scenario's timed runs may take; what is left is
                          skipped (default 900)
  -h, --help              this help

Environment: JAVA_OPTS is passed to Shardis' JVM by bin/shardis.
"""

SCENARIOS = ("sharded", "cluster", "latency", "idle", "many-servers", "mget", "large-values",
             "transports")


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise P.BenchError(f"{message} (see --help)")


def positive(text):
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive whole number, got '{text}'")
    return int(text)


def positive_list(text):
    items = [t for t in text.split(",") if t != ""]
    for t in items:
        if not t.isdigit() or int(t) < 1:
            raise argparse.ArgumentTypeError(f"expected positive whole numbers, got '{t}'")
    return [int(t) for t in items]


def name_list(text):
    return [t for t in text.split(",") if t != ""]


def parse_options(argv, environ=None):
    """The options as a namespace, checked and with the targets resolved; raises BenchError."""
    environ = os.environ if environ is None else environ
    p = Parser(prog="shardis-bench", add_help=False, usage=argparse.SUPPRESS)
    a = p.add_argument
    a("-h", "--help", action="store_true")
    a("-r", "--rounds", type=positive)
    a("-n", "--requests", type=positive)
    a("-N", "--pipelined", type=positive)
    a("-P", "--pipelines", type=positive_list)
    a("-t", "--tests", type=name_list)
    a("-c", "--clients", type=positive)
    a("-d", "--data-size", type=positive)
    a("-s", "--servers", type=positive)
    a("--cluster")
    a("-k", "--keyspace", type=positive)
    a("--tls", action="store_true")
    a("--predixy")
    a("--baseline-dist")
    a("--baseline-args", default=environ.get("SHARDIS_BENCH_BASELINE_ARGS", ""))
    a("--baseline-java-opts", default="")
    a("--shardis-dist")
    a("-w", "--workers", type=positive, default=os.cpu_count())
    a("--targets", type=name_list)
    a("-o", "--output")
    a("--run-timeout", type=positive, default=300)
    a("--shardis-args", default=environ.get("SHARDIS_BENCH_ARGS", ""))
    a("--suite", action="store_true")
    a("--scenarios", type=name_list)
    a("--quick", action="store_true")
    a("--idle-clients", type=positive_list)
    a("--many-servers", type=positive)
    a("--mget-keys", type=positive)
    a("--large-size", type=positive)
    a("--scenario-timeout", type=positive)
    # Values of these may start with '-' ('-i 1000', '-XX:+UseG1GC'): glued on, argparse takes them.
    glued, argv = [], list(argv)
    while argv:
        arg = argv.pop(0)
        if arg in ("--shardis-args", "--baseline-args", "--baseline-java-opts") and argv:
            arg = f"{arg}={argv.pop(0)}"
        glued.append(arg)
    o = p.parse_args(glued)
    if o.help:
        return o

    o.servers_given = o.servers is not None
    o.cluster_given = o.cluster is not None
    quick = o.quick
    defaults = dict(rounds=1 if quick else 3, requests=2000 if quick else 200000,
                    pipelined=10000 if quick else 1000000, pipelines=[1, 16],
                    tests=["set", "get"], clients=50, data_size=64, keyspace=100000,
                    idle_clients=[200, 1000] if quick else [10000, 50000],
                    many_servers=64, mget_keys=100, large_size=1048576,
                    scenario_timeout=300 if quick else 900)
    for key, value in defaults.items():
        if getattr(o, key) is None:
            setattr(o, key, value)
    if o.servers is None:
        o.servers = 1

    if o.cluster is None:
        o.cluster = 0
    else:
        if not o.cluster.isdigit() or int(o.cluster) < 1:
            raise P.BenchError(f"--cluster takes a number of masters, got '{o.cluster}'")
        o.cluster = int(o.cluster)
        # Fewer than three masters cannot outvote a failed one: redis-cli refuses such a cluster.
        if o.cluster < 3:
            raise P.BenchError("--cluster needs 3 masters or more (Redis Cluster's minimum), "
                               f"got {o.cluster}")
        if o.servers_given and not o.suite:
            raise P.BenchError("--servers and --cluster do not go together: the cluster's nodes "
                               "are the servers")
    if o.tls:
        if o.cluster:
            raise P.BenchError("--tls and --cluster do not go together yet")
        if o.suite:
            raise P.BenchError("--tls and --suite do not go together: run bin/shardis-bench --tls")
    if o.suite and o.targets is not None:
        raise P.BenchError("--targets does not go with --suite: each scenario has its own targets "
                           "(choose scenarios with --scenarios)")
    if o.scenarios is not None and not o.suite:
        raise P.BenchError("--scenarios goes with --suite")
    o.scenarios = o.scenarios or list(SCENARIOS)
    for s in o.scenarios:
        if s not in SCENARIOS:
            raise P.BenchError(f"unknown scenario '{s}': expected {', '.join(SCENARIOS)}")

    # Both Shardis and predixy get the same number of threads, named once.
    words = o.shardis_args.split()
    if any(w in ("-w", "--workers") or w.startswith("--workers=") or
           (w.startswith("-w") and w[2:].isdigit()) for w in words):
        raise P.BenchError("give Shardis' event-loop threads with --workers (they are predixy's "
                           "worker threads too), not in --shardis-args")

    targets_given = o.targets is not None or bool(environ.get("SHARDIS_BENCH_TARGETS"))
    if o.targets is None:
        o.targets = name_list(environ.get("SHARDIS_BENCH_TARGETS", "")) or list(PLAIN_TARGETS)
    if o.tls and not targets_given:
        o.targets = ["direct", "direct-tls", "shardis", "shardis-tls", "shardis-tls-jdk"]
    if o.predixy:
        if not o.cluster and not (o.suite and "cluster" in o.scenarios):
            raise P.BenchError("--predixy goes with --cluster: predixy fronts a Redis Cluster here")
        if not (os.path.isfile(o.predixy) and os.access(o.predixy, os.X_OK)):
            raise P.BenchError(f"--predixy: '{o.predixy}' is not an executable file (build "
                               "predixy from its source and give its src/predixy)")
        o.predixy = os.path.realpath(o.predixy)
        if not targets_given:
            o.targets.append("predixy")
    if o.baseline_dist:
        o.baseline_launcher = dist_launcher(o.baseline_dist, "--baseline-dist")
        if not targets_given:
            o.targets.append("baseline")
    else:
        o.baseline_launcher = None
    o.shardis_launcher = (dist_launcher(o.shardis_dist, "--shardis-dist") if o.shardis_dist
                          else os.path.join(ROOT, "bin", "shardis"))
    for t in o.targets:
        if t in PLAIN_TARGETS:
            continue
        if t == "predixy" and not o.predixy:
            raise P.BenchError("target 'predixy' needs --predixy PATH")
        if t == "baseline" and not o.baseline_dist:
            raise P.BenchError("target 'baseline' needs --baseline-dist DIR")
        if t in TLS_TARGETS:
            if not o.tls:
                raise P.BenchError(f"target '{t}' needs --tls")
            continue
        if t not in ("predixy", "baseline"):
            raise P.BenchError(f"unknown target '{t}': expected direct, nutcracker, shardis, "
                               "predixy, baseline (and with --tls direct-tls, shardis-tls, "
                               "shardis-tls-jdk)")
    if o.cluster and "nutcracker" in o.targets:
        # nutcracker knows nothing of hash slots or MOVED: in front of a cluster it would answer
        # wrongly.
        if targets_given:
            P.log("nutcracker cannot front a Redis Cluster (it knows no hash slots or MOVED): "
                  "leaving it out")
        o.targets = [t for t in o.targets if t != "nutcracker"]
        if not o.targets:
            raise P.BenchError("with --cluster the targets are direct and shardis: nutcracker "
                               "cannot front a Redis Cluster")
    if o.suite and not o.cluster:
        o.cluster = 3
    return o


def dist_launcher(directory, option):
    launcher = os.path.join(directory, "bin", "shardis")
    lib = os.path.join(directory, "lib")
    if not (os.access(launcher, os.X_OK) and os.path.isdir(lib)
            and any(n.endswith(".jar") for n in os.listdir(lib))):
        raise P.BenchError(f"{option}: '{directory}' is not a Shardis distribution (bin/shardis "
                           "and lib/*.jar), e.g. proxy/target/shardis-VERSION after 'mvn -pl "
                           "proxy -am package'")
    return os.path.realpath(launcher)


def check_tools(o):
    required = ["redis-server", "redis-benchmark"]
    if o.cluster or o.suite:
        required.append("redis-cli")
    for tool in required:
        if not P.which(tool):
            raise P.BenchError(f"{tool} is needed (Debian/Ubuntu: apt-get install redis-server "
                               "redis-tools)")
    if ("nutcracker" in o.targets or o.suite) and not P.which("nutcracker"):
        raise P.BenchError("nutcracker is needed (apt-get install nutcracker), or leave it out: "
                           "--targets direct,shardis")
    if o.tls and not P.which("openssl"):
        raise P.BenchError("--tls needs the openssl command to make a test CA (apt-get install "
                           "openssl)")


def output_paths(o):
    output = o.output or time.strftime("./shardis-bench-%Y%m%dT%H%M%SZ.csv", time.gmtime())
    base = output[:-4] if output.endswith(".csv") else output
    try:
        open(output, "w").close()
    except OSError as e:
        raise P.BenchError(f"cannot write {output}: {e.strerror}")
    return output, base + ".md"


def classic(o, procs, work):
    """The classic run: one set of servers and proxies, every target, test and depth."""
    output, table_file = output_paths(o)
    redis_version = P.program_version(["redis-server", "--version"]).split("v=")[-1].split()[0]
    tls = None
    tls_port = None
    if o.tls:
        tls = P.make_test_ca(procs, os.path.join(work, "tls"))
        tls_port = P.free_port()
    # One redis-server serves all targets. Runs never overlap, so the targets never compete for
    # it, and the proxies' numbers then differ from the direct ones by the proxy hop alone, not by
    # which of three redis-server processes happened to get the better core, caches or memory.
    # With --servers N, N redis-servers: the first is also the 'direct' target. With --cluster M,
    # the cluster's nodes; 'direct' starts from the first and finds the rest.
    if o.cluster:
        servers = P.start_cluster(procs, work, o.cluster)
    else:
        servers = P.start_redis_servers(procs, work, o.servers, tls, first_tls_port=tls_port)
    targets = {}
    if "direct" in o.targets:
        targets["direct"] = Target("direct", servers[0].port,
                                   mode=["--cluster", "--threads", "1"] if o.cluster else [])
    if "direct-tls" in o.targets:
        targets["direct-tls"] = Target("direct-tls", tls_port, mode=["--tls"])
    nutcracker_version = None
    if "nutcracker" in o.targets:
        port = P.free_port()
        proc = P.start_nutcracker(procs, work, "nutcracker", port, servers)
        targets["nutcracker"] = Target("nutcracker", port, proc.pid)
        nutcracker_version = P.program_version([P.which("nutcracker"), "--version"])
    shardis_launcher = P.ShardisLauncher(o.shardis_launcher)
    cluster_nodes = servers if o.cluster else None
    shardis = None
    if any(t in o.targets for t in ("shardis", "shardis-tls", "shardis-tls-jdk")):
        shardis_launcher.version()
        port = P.free_port()
        text = P.pool_config("bench", port, servers, cluster_nodes)
        tls_ports = {}
        if o.tls:
            # The same pool twice more, speaking TLS to its clients with each engine.
            for engine, name in (("openssl", "shardis-tls"), ("jdk", "shardis-tls-jdk")):
                tls_ports[name] = P.free_port()
                text += P.pool_config(f"bench_tls_{engine}", tls_ports[name], servers, extra=(
                    f"  tls:\n    cert_file: {tls['cert']}\n    key_file: {tls['key']}\n"
                    f"    engine: {engine}\n"))
        shardis = P.start_shardis(procs, work, shardis_launcher, "shardis", text, port, o.workers,
                                  o.shardis_args.split(), os.environ.get("JAVA_OPTS", ""))
        if o.tls and not P.wait_until(lambda: all(P.port_in_use(p) for p in tls_ports.values()),
                                      shardis.proc, 30):
            raise P.BenchError(f"Shardis' TLS pools did not start\n{P.tail(shardis.log)}")
        targets["shardis"] = Target("shardis", port, shardis.pid)
        for name, p in tls_ports.items():
            targets[name] = Target(name, p, shardis.pid, mode=["--tls"])
    baseline_launcher = None
    if "baseline" in o.targets:
        baseline_launcher = P.ShardisLauncher(o.baseline_launcher)
        baseline_launcher.version()
        port = P.free_port()
        b = P.start_shardis(procs, work, baseline_launcher, "baseline",
                            P.pool_config("bench", port, servers, cluster_nodes), port, o.workers,
                            o.shardis_args.split() + o.baseline_args.split(),
                            f"{os.environ.get('JAVA_OPTS', '')} {o.baseline_java_opts}".strip())
        targets["baseline"] = Target("baseline", port, b.pid)
    predixy_version = None
    if "predixy" in o.targets:
        port = P.free_port()
        proc, predixy_version = P.start_predixy(procs, work, o.predixy, port, servers, o.workers)
        targets["predixy"] = Target("predixy", port, proc.pid)

    target_list = [t for t in o.targets if t in targets]
    runs = len(target_list) * len(o.tests) * len(o.pipelines) * o.rounds
    P.log(f"Shardis whole-proxy benchmark: {', '.join(target_list)}; tests {','.join(o.tests)}; "
          f"pipelines {','.join(map(str, o.pipelines))}; {o.rounds} rounds ({runs} timed runs)")
    P.log(f"  {os.cpu_count()} cores ({P.cpu_model()}); clients, proxies and redis-server share them")
    ports = " ".join(str(s.port) for s in servers)
    pids = " ".join(str(s.pid) for s in servers)
    if o.cluster:
        P.log(f"  Redis Cluster of {o.cluster} masters with one replica each, redis-server "
              f"{redis_version} on 127.0.0.1:{ports} (pids {pids})")
        if "direct" in targets:
            P.log(f"  direct: redis-benchmark --cluster --threads 1 from 127.0.0.1:{servers[0].port}")
    else:
        P.log(f"  {o.servers} redis-server {redis_version} on 127.0.0.1:{ports} (pids {pids})")
    if nutcracker_version:
        t = targets["nutcracker"]
        P.log(f"  {nutcracker_version} on 127.0.0.1:{t.port} (pid {t.pid})")
    java_opts = os.environ.get("JAVA_OPTS", "")
    if shardis:
        P.log(f"  {shardis_launcher.version()} from {shardis_launcher.home} on 127.0.0.1:"
              f"{shardis.port} (pid {shardis.pid}), {o.workers} workers"
              + (f", JAVA_OPTS={java_opts}" if java_opts else ""))
    if baseline_launcher:
        t = targets["baseline"]
        P.log(f"  baseline: {baseline_launcher.version()} from {baseline_launcher.home} on "
              f"127.0.0.1:{t.port} (pid {t.pid}), {o.workers} workers")
    if predixy_version:
        t = targets["predixy"]
        P.log(f"  {predixy_version} ({o.predixy}) on 127.0.0.1:{t.port} (pid {t.pid}), "
              f"WorkerThreads {o.workers}")
    P.log(f"  load average at start: {P.load_average()}")
    if o.tls:
        P.log(f"  TLS: redis-server tls-port 127.0.0.1:{tls_port}; Shardis OpenSSL engine on "
              f"{targets.get('shardis-tls', Target('', '–')).port}, JDK engine on "
              f"{targets.get('shardis-tls-jdk', Target('', '–')).port}")

    runner = Runner(procs, work, o.run_timeout, lambda: [s.pid for s in servers],
                    tls["ca"] if tls else None)

    def requests_for(pipeline):
        return o.requests if pipeline == 1 else o.pipelined

    def bench(target, test, pipeline):
        return runner.run(targets[target], test, pipeline, o.clients, requests_for(pipeline),
                          o.data_size, o.keyspace)

    jvm_targets = [t for t in ("shardis", "shardis-tls", "shardis-tls-jdk", "baseline")
                   if t in targets]
    if jvm_targets:
        P.log(f"Warming up Shardis' JVM (JIT): {JIT_WARM_RUNS} untimed runs per target, test and "
              "pipeline depth...")
        for t in jvm_targets:
            for _ in range(JIT_WARM_RUNS):
                for pipeline in o.pipelines:
                    for test in o.tests:
                        bench(t, test, pipeline)

    results = report.Results()
    report.write_csv(output, report.CLASSIC_COLUMNS, [])
    for rnd in range(1, o.rounds + 1):
        order = report.rotation(target_list, rnd)
        P.log(f"Round {rnd} of {o.rounds}: {' '.join(order)} (load average {P.load_average()})")
        for pipeline in o.pipelines:
            for target in order:
                for test in o.tests:
                    r = bench(target, test, pipeline)
                    if r is None:
                        continue
                    row = dict(r, round=rnd, target=target, test=test.upper(), pipeline=pipeline,
                               clients=o.clients, data_size=o.data_size,
                               requests=requests_for(pipeline))
                    results.add(row)
                    report.write_csv(output, report.CLASSIC_COLUMNS, results.rows)
                    P.log(f"    {target:<10} {test.upper():<4} P{pipeline:<3} "
                          f"{r['rps']:12.2f} req/s")

    cores = os.cpu_count()
    if o.cluster:
        note = (f"Medians of {o.rounds} rounds; redis-benchmark -c {o.clients} -d {o.data_size} "
                f"-r {o.keyspace}, -n {o.requests} without pipelining, -n {o.pipelined} with it; "
                f"a Redis Cluster of {o.cluster} masters with one replica each, 'direct' being "
                "redis-benchmark --cluster --threads 1 (each client connected to one master); "
                f"{o.workers} worker threads for each proxy")
        if predixy_version:
            note += f" (predixy WorkerThreads {o.workers}, {predixy_version})"
        note += f"; {cores} cores shared by clients, proxies and the {2 * o.cluster} redis-servers."
    elif o.tls:
        note = (f"Medians of {o.rounds} rounds; redis-benchmark -c {o.clients} -d {o.data_size} "
                f"-r {o.keyspace}, -n {o.requests} without pipelining, -n {o.pipelined} with it; "
                "TLS targets with --tls --cacert (TLS 1.3, a P-256 certificate); Shardis' backend "
                f"is plain TCP in every pool; {cores} cores shared by clients, Shardis and "
                "redis-server.")
    else:
        note = (f"Medians of {o.rounds} rounds; redis-benchmark -c {o.clients} -d {o.data_size} "
                f"-r {o.keyspace}, {o.servers} redis-server(s), -n {o.requests} without "
                f"pipelining, -n {o.pipelined} with it; Shardis with {o.workers} event loops; "
                f"{cores} cores shared by clients, proxies and redis-server.")
    notes = [note]
    if baseline_launcher:
        notes.append(f"baseline: {baseline_launcher.version()} from {baseline_launcher.home}; "
                     f"Shardis: {shardis_launcher.version()} from {shardis_launcher.home}.")
        extra = ""
        if o.baseline_args:
            extra += f" flags '{o.baseline_args}'"
        if o.baseline_java_opts:
            extra += f" JVM '{o.baseline_java_opts}'"
        if extra:
            notes.append(f"baseline alone with:{extra}.")
    if not o.tls:
        notes.append(f"Load average (1, 5, 15 min) at the end: {P.load_average()}.")
    if o.tls:
        table = report.tls_table(results, o.tests, o.pipelines, notes)
    else:
        table = report.classic_table(results, target_list, o.tests, o.pipelines, notes)
    with open(table_file, "w") as f:
        f.write(table)
    print(table, end="", flush=True)
    P.log("")
    P.log(f"Raw results: {output}")
    P.log(f"Table:       {table_file}")


def main(argv):
    try:
        o = parse_options(argv)
        if o.help:
            print(USAGE, end="")
            return 0
        check_tools(o)
    except P.BenchError as e:
        P.log(f"shardis-bench: {e}")
        return 1
    work = tempfile.mkdtemp(prefix="shardis-bench.")
    procs = P.Processes(work)
    P.exit_on_signals()
    try:
        if o.suite:
            import suite
            suite.run(o, procs, work)
        else:
            classic(o, procs, work)
        return 0
    except P.BenchError as e:
        P.log(f"shardis-bench: {e}")
        return 1
    finally:
        procs.stop_all()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
