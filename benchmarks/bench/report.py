"""Medians, ratios and the Markdown tables, from rows of results addressed by column name."""
import csv
import statistics

# The columns of the CSV of timed runs, in order.
COLUMNS = ("scenario", "group", "round", "target", "test", "pipeline", "clients", "data_size",
           "requests", "rps", "avg_ms", "p50_ms", "p99_ms", "p999_ms", "max_ms",
           "proxy_cpu_us_per_request", "redis_cpu_us_per_request")
# The classic run's CSV keeps the columns it always had.
CLASSIC_COLUMNS = ("round", "target", "test", "pipeline", "clients", "data_size", "requests", "rps",
                   "avg_ms", "p50_ms", "p99_ms", "proxy_cpu_us_per_request",
                   "redis_cpu_us_per_request")
ORDER = ("direct", "nutcracker", "predixy", "baseline", "shardis")


def rotation(targets, round_number):
    """The order of targets in a round (counted from 1): each round starts with the next target,
    so no target always runs first or last; every other round runs the cycle backwards, so no
    target always follows the same one (a JVM still compiling or collecting after its run takes
    CPU from whichever runs next)."""
    n = len(targets)
    if round_number % 2:
        return [targets[(i + round_number - 1) % n] for i in range(n)]
    return [targets[(round_number - 1 - i + 2 * n) % n] for i in range(n)]


def median(values):
    values = [v for v in values if v is not None and v != ""]
    return statistics.median(float(v) for v in values) if values else None


def ratio(a, b):
    return f"{a / b:.2f}" if a is not None and b else "–"


def rps(v):
    return f"{v:.0f}" if v is not None else "–"


def micros(v):
    return f"{v:.2f}" if v is not None else "–"


def millis(v):
    return f"{v:.3f}" if v is not None else "–"


def mib(v):
    return f"{v / 1048576:.1f}" if v is not None else "–"


def cell(value):
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}" if value < 100 else f"{value:.2f}"
    return str(value)


def write_csv(path, columns, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(columns)
        for row in rows:
            w.writerow([cell(row.get(c)) for c in columns])


def read_csv(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


class Results:
    """Timed runs as dicts; medians over rounds of one column for one selection."""

    def __init__(self, rows=None):
        self.rows = rows if rows is not None else []

    def add(self, row):
        self.rows.append(row)

    def median(self, column, **where):
        return median([r.get(column) for r in self.rows
                       if all(str(r.get(k)) == str(v) for k, v in where.items())])


def label(target):
    return {"shardis": "Shardis", "baseline": "baseline Shardis"}.get(target, target)


def classic_table(results, targets, tests, pipelines, note_lines):
    """One row per test and pipeline depth: each target's median req/s; Shardis against every
    other target and each other proxy against direct, as ratios of medians of the same run; each
    proxy's median CPU time per request. Targets not run leave no columns."""
    wanted = [t for t in ORDER if t in targets]
    proxies = [t for t in wanted if t != "direct"]
    others = [t for t in wanted if t != "shardis"]
    header = ["test", "pipeline"] + [f"{label(t)} req/s" for t in wanted]
    align = ["---", "---:"] + ["---:"] * len(wanted)
    if "shardis" in wanted:
        header += [f"Shardis/{label(t).replace(' Shardis', '')}" for t in others]
    if "direct" in wanted:
        header += [f"{label(t)}/direct" for t in proxies if t != "shardis"]
    header += [f"CPU µs/req {label(t)}" for t in proxies]
    align += ["---:"] * (len(header) - len(align))
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    for test in tests:
        for p in pipelines:
            rate = {t: results.median("rps", target=t, test=test.upper(), pipeline=p) for t in wanted}
            cpu = {t: results.median("proxy_cpu_us_per_request", target=t, test=test.upper(),
                                     pipeline=p) for t in wanted}
            row = [test.upper(), str(p)] + [rps(rate[t]) for t in wanted]
            if "shardis" in wanted:
                row += [ratio(rate["shardis"], rate[t]) for t in others]
            if "direct" in wanted:
                row += [ratio(rate[t], rate["direct"]) for t in proxies if t != "shardis"]
            row += [micros(cpu[t]) for t in proxies]
            lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines + [""] + note_lines) + "\n"


def tls_table(results, tests, pipelines, note_lines):
    """--tls: what TLS costs, each figure against its plain counterpart of the same run."""
    lines = ["| test | pipeline | direct req/s | direct-tls req/s | Shardis req/s | Shardis TLS "
             "OpenSSL req/s | Shardis TLS JDK req/s | OpenSSL/plain | JDK/plain | Redis TLS/plain "
             "| CPU µs/req Shardis | CPU µs/req TLS OpenSSL | CPU µs/req TLS JDK |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for test in tests:
        for p in pipelines:
            def m(target, column="rps"):
                return results.median(column, target=target, test=test.upper(), pipeline=p)
            d, dt, s, so, sj = (m(t) for t in ("direct", "direct-tls", "shardis", "shardis-tls",
                                               "shardis-tls-jdk"))
            c = [m(t, "proxy_cpu_us_per_request") for t in ("shardis", "shardis-tls",
                                                             "shardis-tls-jdk")]
            lines.append(f"| {test.upper()} | {p} | {rps(d)} | {rps(dt)} | {rps(s)} | {rps(so)} | "
                         f"{rps(sj)} | {ratio(so, s)} | {ratio(sj, s)} | {ratio(dt, d)} | "
                         f"{micros(c[0])} | {micros(c[1])} | {micros(c[2])} |")
    return "\n".join(lines + [""] + note_lines) + "\n"


def suite_summary(results, specs):
    """The suite's table of ratios: one row per spec (scenario, group, test, pipeline, clients,
    targets of that row by kind), Shardis against each other kind of the same row, and each
    proxy's CPU time per request and p99."""
    lines = ["| scenario | test | P | clients | Shardis req/s | ÷ nutcracker | ÷ direct | ÷ predixy "
             "| ÷ baseline | CPU µs/req Shardis | nutcracker | predixy | p99 ms Shardis | "
             "nutcracker | direct |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for spec in specs:
        by_kind = spec["targets"]

        def m(kind, column):
            t = by_kind.get(kind)
            if t is None:
                return None
            return results.median(column, scenario=spec["scenario"], target=t, test=spec["test"],
                                  pipeline=spec["pipeline"], clients=spec["clients"])
        s = m("shardis", "rps")
        row = [spec["title"], spec["test_label"], str(spec["pipeline"]), str(spec["clients"]),
               rps(s)]
        row += [ratio(s, m(k, "rps")) if k in by_kind else "" for k in
                ("nutcracker", "direct", "predixy", "baseline")]
        row += [micros(m(k, "proxy_cpu_us_per_request")) if k in by_kind else "" for k in
                ("shardis", "nutcracker", "predixy")]
        row += [millis(m(k, "p99_ms")) if k in by_kind else "" for k in
                ("shardis", "nutcracker", "direct")]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines) + "\n"


def suite_raw(results, scenario_order):
    """Every target's medians, scenario by scenario."""
    lines = ["| scenario | group | target | test | P | clients | size B | runs | req/s | avg ms | "
             "p50 ms | p99 ms | p99.9 ms | max ms | CPU µs/req proxy | CPU µs/req redis |",
             "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    keys = []
    for r in results.rows:
        k = (r["scenario"], r["group"] or "", r["target"], r["test"], r["pipeline"], r["clients"],
             r["data_size"])
        if k not in keys:
            keys.append(k)
    keys.sort(key=lambda k: scenario_order.index(k[0]) if k[0] in scenario_order else 99)
    for scenario, group, target, test, p, c, size in keys:
        sel = dict(scenario=scenario, target=target, test=test, pipeline=p, clients=c,
                   data_size=size)
        runs = len([r for r in results.rows
                    if all(str(r.get(k)) == str(v) for k, v in sel.items())])
        m = {col: results.median(col, **sel) for col in
             ("rps", "avg_ms", "p50_ms", "p99_ms", "p999_ms", "max_ms",
              "proxy_cpu_us_per_request", "redis_cpu_us_per_request")}
        lines.append(f"| {scenario} | {group} | {target} | {test} | {p} | {c} | {size} | {runs} | "
                     f"{rps(m['rps'])} | {millis(m['avg_ms'])} | {millis(m['p50_ms'])} | "
                     f"{millis(m['p99_ms'])} | {millis(m['p999_ms'])} | {millis(m['max_ms'])} | "
                     f"{micros(m['proxy_cpu_us_per_request'])} | "
                     f"{micros(m['redis_cpu_us_per_request'])} |")
    return "\n".join(lines) + "\n"
