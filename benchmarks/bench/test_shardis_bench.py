"""Unit tests of shardis-bench's pure parts: options, rotation, medians and ratios, parsing of
redis-benchmark's output. Nothing is started. Run: python3 -m unittest discover benchmarks/bench
"""
import contextlib
import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import procs  # noqa: E402
import report  # noqa: E402
import shardis_bench  # noqa: E402
import suite  # noqa: E402
from runs import parse_csv, parse_full  # noqa: E402

CSV = ('"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms",'
       '"p99_latency_ms","max_latency_ms"\n'
       '"SET","344827.59","2.084","0.312","1.615","2.935","14.191","14.383"\n'
       '"GET","1000.00","1.000","0.100","0.900","1.500","2.000","3.000"\n')

CLUSTER_CSV = ("Cluster has 3 master nodes:\n\nMaster 0: 0123 127.0.0.1:20001\n\n" + CSV)

FULL = """\rSET: rps=0.0 (overall: nan) avg_msec=nan (overall: nan)\r\
SET: rps=51234.0 (overall: 51234.0) avg_msec=0.512 (overall: 0.512)\r\
====== SET ======
  100000 requests completed in 1.95 seconds
  50 parallel clients
  64 bytes payload
  keep alive: 1
  host configuration "save":
  multi-thread: no

Latency by percentile distribution:
0.000% <= 0.103 milliseconds (cumulative count 1)
50.000% <= 0.455 milliseconds (cumulative count 50770)
99.000% <= 1.327 milliseconds (cumulative count 99010)
99.805% <= 2.111 milliseconds (cumulative count 99810)
99.902% <= 3.007 milliseconds (cumulative count 99910)
99.951% <= 4.015 milliseconds (cumulative count 99960)
100.000% <= 9.823 milliseconds (cumulative count 100000)

Cumulative distribution of latencies:
0.010% <= 0.103 milliseconds (cumulative count 10)

Summary:
  throughput summary: 51282.05 requests per second
  latency summary (msec):
          avg       min       p50       p95       p99       max
        0.489     0.096     0.455     0.775     1.327     9.823
"""


class Options(unittest.TestCase):
    def parse(self, *argv, env=None):
        return shardis_bench.parse_options(list(argv), env or {})

    def test_defaults(self):
        o = self.parse()
        self.assertEqual((o.rounds, o.requests, o.pipelined, o.pipelines, o.tests, o.clients),
                         (3, 200000, 1000000, [1, 16], ["set", "get"], 50))
        self.assertEqual(o.targets, ["direct", "nutcracker", "shardis"])
        self.assertEqual(o.cluster, 0)
        self.assertTrue(o.shardis_launcher.endswith(os.path.join("bin", "shardis")))

    def test_short_and_long_options(self):
        o = self.parse("-r", "5", "-n", "10", "-N", "20", "-P", "1,4,16", "-t", "get",
                       "-c", "7", "-d", "1024", "-s", "4", "-k", "99", "-w", "3",
                       "--run-timeout", "9", "-o", "x.csv")
        self.assertEqual((o.rounds, o.requests, o.pipelined, o.pipelines, o.tests, o.clients,
                          o.data_size, o.servers, o.keyspace, o.workers, o.run_timeout,
                          o.output), (5, 10, 20, [1, 4, 16], ["get"], 7, 1024, 4, 99, 3, 9,
                                      "x.csv"))

    def test_flags_that_start_with_a_dash_are_values(self):
        o = self.parse("--shardis-args", "-i 1000", "--baseline-java-opts", "-XX:+UseG1GC",
                       "--baseline-args", "--transport epoll")
        self.assertEqual(o.shardis_args, "-i 1000")
        self.assertEqual(o.baseline_java_opts, "-XX:+UseG1GC")
        self.assertEqual(o.baseline_args, "--transport epoll")

    def test_environment(self):
        o = self.parse(env={"SHARDIS_BENCH_TARGETS": "direct,shardis",
                            "SHARDIS_BENCH_ARGS": "-i 5"})
        self.assertEqual(o.targets, ["direct", "shardis"])
        self.assertEqual(o.shardis_args, "-i 5")

    def test_refusals(self):
        for argv, words in [
            (["-r", "0"], "positive whole number"),
            (["-P", "1,x"], "positive whole numbers"),
            (["--cluster", "2"], "3 masters or more"),
            (["--cluster", "three"], "number of masters"),
            (["--cluster", "3", "-s", "2"], "do not go together"),
            (["--tls", "--cluster", "3"], "do not go together"),
            (["--targets", "direct,bogus"], "unknown target 'bogus'"),
            (["--targets", "shardis-tls"], "needs --tls"),
            (["--targets", "predixy"], "needs --predixy"),
            (["--predixy", "/bin/sh"], "goes with --cluster"),
            (["--cluster", "3", "--predixy", "/nonexistent"], "not an executable"),
            (["--baseline-dist", "/nonexistent"], "not a Shardis distribution"),
            (["--shardis-args", "-w 4"], "--workers"),
            (["--shardis-args", "--workers=4"], "--workers"),
            (["--scenarios", "idle"], "goes with --suite"),
            (["--suite", "--scenarios", "idle,nope"], "unknown scenario"),
            (["--suite", "--targets", "shardis"], "does not go with --suite"),
            (["--suite", "--tls"], "do not go together"),
            (["--bogus"], "unrecognized"),
        ]:
            with self.subTest(argv=argv):
                with self.assertRaises(procs.BenchError) as e:
                    self.parse(*argv)
                self.assertIn(words, str(e.exception))

    def test_cluster_leaves_nutcracker_out(self):
        o = self.parse("--cluster", "3")
        self.assertEqual(o.targets, ["direct", "shardis"])
        with contextlib.redirect_stderr(io.StringIO()) as err:
            o = self.parse("--cluster", "3", "--targets", "nutcracker,shardis")
        self.assertEqual(o.targets, ["shardis"])
        self.assertIn("leaving it out", err.getvalue())

    def test_tls_targets(self):
        o = self.parse("--tls")
        self.assertEqual(o.targets, ["direct", "direct-tls", "shardis", "shardis-tls",
                                     "shardis-tls-jdk"])

    def test_predixy_and_baseline_join_the_default_targets(self):
        with tempfile.TemporaryDirectory() as d:
            os.makedirs(os.path.join(d, "bin"))
            os.makedirs(os.path.join(d, "lib"))
            launcher = os.path.join(d, "bin", "shardis")
            with open(launcher, "w") as f:
                f.write("#!/bin/sh\n")
            os.chmod(launcher, 0o755)
            open(os.path.join(d, "lib", "a.jar"), "w").close()
            o = self.parse("--cluster", "3", "--predixy", launcher, "--baseline-dist", d)
            self.assertEqual(o.targets, ["direct", "shardis", "predixy", "baseline"])
            self.assertEqual(o.baseline_launcher, os.path.realpath(launcher))

    def test_suite(self):
        o = self.parse("--suite", "--quick")
        self.assertEqual(o.scenarios, list(shardis_bench.SCENARIOS))
        self.assertEqual(o.cluster, 3)
        self.assertEqual(o.rounds, 1)
        self.assertLess(o.requests, 200000)
        o = self.parse("--suite", "--quick", "-r", "2", "--idle-clients", "30000",
                       "--scenarios", "idle,mget")
        self.assertEqual((o.rounds, o.idle_clients, o.scenarios), (2, [30000], ["idle", "mget"]))


class Reports(unittest.TestCase):
    def test_rotation(self):
        targets = ["a", "b", "c"]
        self.assertEqual(report.rotation(targets, 1), ["a", "b", "c"])
        self.assertEqual(report.rotation(targets, 2), ["b", "a", "c"])
        self.assertEqual(report.rotation(targets, 3), ["c", "a", "b"])
        self.assertEqual(report.rotation(targets, 4), ["a", "c", "b"])
        for r in range(1, 7):
            self.assertEqual(sorted(report.rotation(targets, r)), targets)

    def test_median_and_ratio(self):
        self.assertEqual(report.median([3, 1, 2]), 2)
        self.assertEqual(report.median(["4", 1, None, "", 2, 3]), 2.5)
        self.assertIsNone(report.median([None, ""]))
        self.assertEqual(report.ratio(3.0, 2.0), "1.50")
        self.assertEqual(report.ratio(None, 2.0), "–")
        self.assertEqual(report.ratio(3.0, None), "–")

    def rows(self):
        rows = []
        for rnd, (d, n, s) in enumerate([(100, 80, 90), (200, 70, 100), (150, 90, 110)], 1):
            for target, rate, cpu in (("direct", d, None), ("nutcracker", n, 5.0),
                                      ("shardis", s, 4.0 + rnd)):
                rows.append(dict(round=rnd, target=target, test="GET", pipeline=1, clients=50,
                                 rps=rate, proxy_cpu_us_per_request=cpu))
        return report.Results(rows)

    def test_classic_table(self):
        table = report.classic_table(self.rows(), ["direct", "nutcracker", "shardis"], ["get"],
                                     [1], ["note"])
        lines = table.splitlines()
        self.assertEqual(lines[0], "| test | pipeline | direct req/s | nutcracker req/s | "
                                   "Shardis req/s | Shardis/direct | Shardis/nutcracker | "
                                   "nutcracker/direct | CPU µs/req nutcracker | "
                                   "CPU µs/req Shardis |")
        # Medians: direct 150, nutcracker 80, Shardis 100; CPU 5 and 6.
        self.assertEqual(lines[2], "| GET | 1 | 150 | 80 | 100 | 0.67 | 1.25 | 0.53 | 5.00 | 6.00 |")
        self.assertEqual(lines[-1], "note")

    def test_suite_summary(self):
        results = self.rows()
        for r in results.rows:
            r["scenario"] = "sharded"
        spec = dict(scenario="sharded", title="sharded, 4 servers", test="GET", test_label="GET",
                    pipeline=1, clients=50,
                    targets={"direct": "direct", "nutcracker": "nutcracker", "shardis": "shardis"})
        line = report.suite_summary(results, [spec]).splitlines()[2]
        self.assertEqual(line, "| sharded, 4 servers | GET | 1 | 50 | 100 | 1.25 | 0.67 |  |  | "
                               "6.00 | 5.00 |  | – | – | – |")

    def test_csv_round_trip_keeps_named_columns(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "r.csv")
            report.write_csv(path, report.CLASSIC_COLUMNS,
                             [dict(round=1, target="shardis", test="GET", rps=1234.5,
                                   proxy_cpu_us_per_request=None, redis_cpu_us_per_request=2.0)])
            row = report.read_csv(path)[0]
            self.assertEqual((row["target"], row["rps"], row["proxy_cpu_us_per_request"],
                              row["redis_cpu_us_per_request"]), ("shardis", "1234.50", "", "2.000"))


class Parsing(unittest.TestCase):
    def test_transport_that_ran(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "shardis.log")
            with open(path, "w") as f:
                f.write("09:00:00.000 INFO  i.s.p.ShardisServer - transport epoll (passed over: "
                        "io_uring: not available)\n")
            self.assertEqual(suite.in_use(path, "io_uring"), " (ran epoll)")
            self.assertEqual(suite.in_use(path, "epoll"), "")


    def test_csv(self):
        r = parse_csv(CSV)
        self.assertEqual((r["test"], r["rps"], r["avg_ms"], r["p50_ms"], r["p99_ms"], r["max_ms"]),
                         ("SET", 344827.59, 2.084, 1.615, 14.191, 14.383))

    def test_csv_after_cluster_preamble(self):
        self.assertEqual(parse_csv(CLUSTER_CSV)["rps"], 344827.59)

    def test_csv_without_results(self):
        self.assertIsNone(parse_csv('"test","rps"\n'))
        self.assertIsNone(parse_csv("Could not connect to Redis at 127.0.0.1:1\n"))

    def test_full_output(self):
        r = parse_full(FULL)
        self.assertEqual((r["rps"], r["avg_ms"], r["p50_ms"], r["p99_ms"], r["p999_ms"],
                          r["max_ms"]), (51282.05, 0.489, 0.455, 1.327, 3.007, 9.823))

    def test_full_output_without_summary(self):
        self.assertIsNone(parse_full("SET: rps=0.0\r"))

    def test_gc_pauses(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "gc.log")
            first = ("[0.010s][info][gc] Using Parallel\n"
                     "[1.000s][info][gc] GC(0) Pause Young (Allocation Failure) 64M->3M(245M) "
                     "4.123ms\n")
            with open(path, "w") as f:
                f.write(first + "[2.000s][info][gc] GC(1) Pause Full (System.gc()) "
                                "9M->2M(245M) 1.5ms\n")
            self.assertEqual(procs.gc_pauses(path), [4.123, 1.5])
            # From an offset on: the pauses of the timed rounds only.
            self.assertEqual(procs.gc_pauses(path, len(first)), [1.5])


if __name__ == "__main__":
    unittest.main()
