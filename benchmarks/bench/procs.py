"""The processes a benchmark starts, and the loopback plumbing around them.

Every process is started in its own session (so a Ctrl-C at the terminal reaches this program
alone) and kept in a Processes registry; Processes.stop_all() ends each one by its PID, TERM
first and KILL after ten seconds, and runs on every exit: normal end, error, Ctrl-C, TERM, HUP.
"""
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import time

HZ = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    """A failure worth one line to the user, not a traceback."""


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def tail(path, lines=20):
    """The last lines of a log, so that a failed start explains itself."""
    try:
        with open(path, errors="replace") as f:
            text = f.read().splitlines()[-lines:]
    except OSError:
        return ""
    return f"--- last lines of {path}:\n" + "\n".join(text) if text else ""


class Processes:
    """The registry of started processes, each ended by PID."""

    def __init__(self, work):
        self.work = work
        self.procs = []  # (Popen, name)

    def start(self, cmd, name, log_path=None, env=None, cwd=None, stdin=None, pipe=False):
        """Starts cmd, output to log_path (none: discarded); pipe: stdout is read by the caller
        and only stderr goes to log_path."""
        out = open(log_path, "w") if log_path else subprocess.DEVNULL
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE if pipe else out,
                                    stderr=out if pipe else subprocess.STDOUT, stdin=stdin,
                                    env=env, cwd=cwd or self.work, start_new_session=True)
        finally:
            if log_path:
                out.close()
        self.procs.append((proc, name))
        return proc

    def stop(self, procs):
        """TERM to every one of procs, then waits up to 10 s in all, then KILL."""
        procs = [(p, n) for p, n in procs if p.poll() is None]
        for proc, _ in procs:
            try:
                proc.send_signal(signal.SIGTERM)
            except OSError:
                pass
        deadline = time.monotonic() + 10
        for proc, name in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log(f"shardis-bench: {name} (pid {proc.pid}) ignored TERM for 10 s; killing it")
                proc.kill()
                proc.wait()
        gone = {id(p) for p, _ in procs}
        self.procs = [(p, n) for p, n in self.procs if id(p) not in gone and p.poll() is None]

    def stop_procs(self, *procs):
        self.stop([(p, n) for p, n in self.procs if p in procs])

    def stop_all(self):
        # Clients first, then proxies, then servers: the reverse of the order they started in.
        self.stop(list(reversed(self.procs)))


def exit_on_signals():
    """Ctrl-C, TERM and HUP end the program through its finally blocks, which stop everything."""

    def handler(signum, _frame):
        for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(s, signal.SIG_IGN)
        raise SystemExit(130 if signum == signal.SIGINT else 143)

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, handler)


def run_bounded(procs, cmd, seconds, log_path, name):
    """Runs cmd for at most seconds, output to log_path; True when it ended with status 0."""
    proc = procs.start(cmd, name, log_path)
    try:
        proc.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        procs.stop_procs(proc)
        return False
    finally:
        procs.procs = [(p, n) for p, n in procs.procs if p is not proc]
    return proc.returncode == 0


# --- loopback ports -------------------------------------------------------------------------------

def port_in_use(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def _bindable(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


_handed_out = set()


def free_port(low=20000, high=32000, also_free=0):
    """A loopback port nobody listens on, not handed out before. Ports come from below Linux's
    ephemeral range (32768 and up) so they cannot collide with the source ports of outgoing
    connections. also_free: an offset whose port must be free too (a cluster node's bus)."""
    for _ in range(500):
        port = random.randrange(low, high)
        wanted = [port] + ([port + also_free] if also_free else [])
        if port in _handed_out or (also_free and port + also_free in _handed_out):
            continue
        if all(not port_in_use(p) and _bindable(p) for p in wanted):
            _handed_out.update(wanted)
            return port
    raise BenchError("found no free loopback port")


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out


def call(port, *args, timeout=5.0):
    """One command over a fresh connection; the reply's first line (bulk: its value)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(resp(*args))
        f = s.makefile("rb")
        line = f.readline()
        if line[:1] == b"$":
            n = int(line[1:-2])
            return None if n < 0 else f.read(n + 2)[:-2]
        return line.rstrip(b"\r\n")


def pings(port):
    """True when a Redis-speaking server answers PING (as a RESP array: nutcracker reads no
    inline commands) with +PONG."""
    try:
        return call(port, "PING", timeout=2) == b"+PONG"
    except (OSError, ValueError):
        return False


def wait_until(condition, proc, seconds, interval=0.1):
    """Waits for condition() while proc (if any) stays alive; False on death or timeout."""
    deadline = time.monotonic() + seconds
    while not condition():
        if proc is not None and proc.poll() is not None:
            return False
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True


# --- what a process costs ---------------------------------------------------------------------

def cpu_ticks(pid):
    """CPU time a process has used so far, in clock ticks: utime + stime, fields 14 and 15 of
    /proc/PID/stat (all threads together). The name in field 2 may hold spaces, so the fields
    are counted from the ')' that closes it."""
    if not pid:
        return 0
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def open_files_limit(pid):
    """The soft limit of open files of a running process, from /proc/PID/limits."""
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max open files"):
                value = line.split()[3]
                return None if value == "unlimited" else int(value)
    return None


def load_average():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "unknown CPU"


def program_version(cmd):
    """The first line a program prints for its version, on stdout or stderr."""
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=30).stdout.strip().splitlines()
    return out[0].replace("This is ", "") if out else "unknown version"


def which(tool):
    # nutcracker installs to /usr/sbin, which a user's PATH may lack.
    return shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/local/sbin:/usr/sbin")


# --- servers ----------------------------------------------------------------------------------

def make_test_ca(procs, directory):
    """A throw-away CA and a certificate for localhost and 127.0.0.1, made with openssl."""
    os.makedirs(directory, exist_ok=True)
    d = directory
    ext = os.path.join(d, "server.ext")
    with open(ext, "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    steps = [
        ["openssl", "req", "-x509", *ec, "-days", "2", "-subj", "/CN=shardis-bench test CA",
         "-keyout", f"{d}/ca.key", "-out", f"{d}/ca.crt"],
        ["openssl", "req", *ec, "-subj", "/CN=localhost", "-keyout", f"{d}/server.key",
         "-out", f"{d}/server.csr"],
        ["openssl", "x509", "-req", "-in", f"{d}/server.csr", "-CA", f"{d}/ca.crt", "-CAkey",
         f"{d}/ca.key", "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", f"{d}/server.crt"],
    ]
    for step in steps:
        if not run_bounded(procs, step, 60, f"{d}/openssl.log", "openssl"):
            raise BenchError(f"openssl could not make a test CA\n{tail(f'{d}/openssl.log')}")
    return {"ca": f"{d}/ca.crt", "cert": f"{d}/server.crt", "key": f"{d}/server.key"}


class Redis:
    def __init__(self, port, proc, directory):
        self.port, self.proc, self.dir = port, proc, directory

    @property
    def pid(self):
        return self.proc.pid


def start_redis_servers(procs, work, count, tls=None, prefix="redis", first_tls_port=None):
    """count plain redis-servers; with tls (a test CA), the first also listens on a TLS port
    (first_tls_port), so that 'direct-tls' is Redis' own TLS cost."""
    servers = []
    for i in range(1, count + 1):
        port = free_port()
        d = os.path.join(work, f"{prefix}{i}")
        os.makedirs(d, exist_ok=True)
        cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", d, "--logfile", f"{d}/redis.log", "--daemonize", "no"]
        if tls and i == 1:
            cmd += ["--tls-port", str(first_tls_port), "--tls-cert-file", tls["cert"],
                    "--tls-key-file", tls["key"], "--tls-ca-cert-file", tls["ca"],
                    "--tls-auth-clients", "no"]
        servers.append(Redis(port, procs.start(cmd, "redis-server"), d))
    for s in servers:
        if not wait_until(lambda: pings(s.port), s.proc, 15):
            raise BenchError(f"redis-server did not start\n{tail(s.dir + '/redis.log')}")
    return servers


def _cli(port, *args, timeout=5):
    try:
        return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(port), *args],
                              capture_output=True, text=True, timeout=timeout).stdout
    except subprocess.TimeoutExpired:
        return ""


def cluster_view(port):
    """One node's view of the cluster, one sorted line per node: address, role, master, slots."""
    lines = []
    for line in _cli(port, "cluster", "nodes").replace("\r", "").splitlines():
        f = line.split()
        if len(f) < 8:
            continue
        address = f[1].split("@")[0]
        flags = f[2].replace("myself,", "")
        lines.append(" ".join([address, flags, f[3]] + f[8:]))
    return sorted(lines)


def cluster_settled(servers, masters):
    """True once the cluster is ready to measure rather than still forming: every node says
    cluster_state:ok, all describe the same nodes, roles and slots (M masters holding slots, M
    replicas, none failing or in handshake), and every replica's link to its master is up, so no
    initial sync runs during a timed run."""
    first = None
    for s in servers:
        if "cluster_state:ok" not in _cli(s.port, "cluster", "info"):
            return False
        view = cluster_view(s.port)
        if not view:
            return False
        if first is None:
            first = view
        elif view != first:
            return False
        replication = _cli(s.port, "info", "replication")
        if "role:master" not in replication and "master_link_status:up" not in replication:
            return False
    holding = [v for v in first if v.split()[1] == "master" and len(v.split()) > 3]
    replicas = [v for v in first if v.split()[1] == "slave"]
    return len(holding) == masters and len(replicas) == masters


def start_cluster(procs, work, masters):
    """2×M cluster-enabled redis-servers, joined by redis-cli into M masters with a replica each.
    The nodes announce 127.0.0.1, as clients here reach them there. Node ports stay below 22768 so
    that each cluster bus port (port + 10000) is below the ephemeral range too."""
    servers = []
    for i in range(1, 2 * masters + 1):
        port = free_port(20000, 22768, also_free=10000)
        d = os.path.join(work, f"cluster{i}")
        os.makedirs(d, exist_ok=True)
        cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--cluster-enabled", "yes", "--cluster-announce-ip",
               "127.0.0.1", "--cluster-config-file", "nodes.conf",
               "--repl-diskless-sync-delay", "0", "--dir", d, "--logfile", f"{d}/redis.log",
               "--daemonize", "no"]
        servers.append(Redis(port, procs.start(cmd, "redis-server (cluster node)"), d))
    for s in servers:
        if not wait_until(lambda: pings(s.port), s.proc, 15):
            raise BenchError(f"redis-server (cluster node) did not start\n{tail(s.dir + '/redis.log')}")
    log(f"Creating a Redis Cluster of {masters} masters with one replica each...")
    create_log = os.path.join(work, "cluster-create.log")
    if not run_bounded(procs, ["redis-cli", "--cluster", "create",
                               *[f"127.0.0.1:{s.port}" for s in servers],
                               "--cluster-replicas", "1", "--cluster-yes"], 60, create_log,
                       "redis-cli"):
        raise BenchError(f"redis-cli --cluster create failed\n{tail(create_log)}")
    if not wait_until(lambda: cluster_settled(servers, masters), None, 60, 0.2):
        view = "\n".join(cluster_view(servers[0].port))
        raise BenchError("the Redis Cluster did not settle within 60 s (every node "
                         "cluster_state:ok, one slot map, replicas in sync); as "
                         f"127.0.0.1:{servers[0].port} sees it:\n{view}")
    return servers


def pool_config(name, port, servers=None, cluster=None, extra=""):
    """One pool in nutcracker's YAML: the default hash and distribution (fnv1a_64, ketama), one
    server connection, no timeout. cluster: the nodes as a Shardis 'cluster: { seeds }' pool."""
    text = f"{name}:\n  listen: 127.0.0.1:{port}\n"
    if cluster:
        seeds = ", ".join(f"127.0.0.1:{s.port}" for s in cluster)
        return text + f"  cluster:\n    seeds: [{seeds}]\n" + extra
    text += "  redis: true\n" + extra + "  servers:\n"
    for i, s in enumerate(servers, 1):
        text += f"    - 127.0.0.1:{s.port}:1" + (f" shard{i}\n" if len(servers) > 1 else "\n")
    return text


def start_nutcracker(procs, work, name, port, servers):
    conf = os.path.join(work, f"{name}.yml")
    with open(conf, "w") as f:
        f.write(pool_config("bench", port, servers))
    log_path = os.path.join(work, f"{name}.log")
    proc = procs.start([which("nutcracker"), "-c", conf, "-s", str(free_port()), "-a", "127.0.0.1",
                        "-o", log_path], "nutcracker")
    if not wait_until(lambda: pings(port), proc, 15):
        raise BenchError(f"nutcracker did not start\n{tail(log_path)}")
    return proc


class ShardisLauncher:
    """One Shardis distribution's bin/shardis: its version and the flags its -h lists."""

    def __init__(self, path):
        self.path = path
        self.home = os.path.dirname(os.path.dirname(path))
        self._help = None
        self._version = None

    def version(self):
        if self._version is None:
            # A source checkout's bin/shardis builds the distribution first when it is stale.
            out = subprocess.run([self.path, "-V"], stdout=subprocess.PIPE, text=True)
            if out.returncode != 0:
                raise BenchError(f"{self.path} -V failed; to benchmark the others alone: "
                                 "--targets direct,nutcracker")
            self._version = out.stdout.strip().removeprefix("This is ")
        return self._version

    def has_flag(self, flag):
        if self._help is None:
            out = subprocess.run([self.path, "-h"], stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
            self._help = out.stdout
        return flag in self._help


class Shardis:
    def __init__(self, proc, port, http_port, gc_log, log_path):
        self.proc, self.port, self.http_port, self.gc_log, self.log = proc, port, http_port, gc_log, log_path

    @property
    def pid(self):
        return self.proc.pid


def start_shardis(procs, work, launcher, name, config_text, listen_port, workers, args=(),
                  java_opts="", gc_log=False, wait_ports=()):
    """Starts one Shardis with the given launcher. bin/shardis execs the JVM, so the PID is
    Shardis' own and /proc/PID/stat counts its CPU. The HTTP listener is put on a free port when
    that Shardis has one, with no drain grace so that it stops at once."""
    conf = os.path.join(work, f"{name}.yml")
    with open(conf, "w") as f:
        f.write(config_text)
    log_path = os.path.join(work, f"{name}.log")
    cmd = [launcher.path, "-c", conf, "-s", str(free_port()), "-a", "127.0.0.1"]
    http_port = None
    if launcher.has_flag("--http"):
        http_port = free_port()
        cmd += ["--http", f"127.0.0.1:{http_port}"]
        if launcher.has_flag("--drain-grace"):
            cmd += ["--drain-grace", "0"]
    cmd += ["-w", str(workers), *args]
    env = dict(os.environ)
    gc_path = None
    if gc_log:
        gc_path = os.path.join(work, f"{name}-gc.log")
        java_opts = f"{java_opts} -Xlog:gc:file={gc_path}".strip()
    env["JAVA_OPTS"] = java_opts
    proc = procs.start(cmd, f"Shardis ({name})", log_path, env=env)
    for port in (listen_port, *wait_ports):
        if not wait_until(lambda: pings(port), proc, 60):
            raise BenchError(f"Shardis ({name}) did not start\n{tail(log_path)}\n"
                             "to benchmark the others alone: --targets direct,nutcracker")
    return Shardis(proc, listen_port, http_port, gc_path, log_path)


def predixy_ready(port):
    """predixy answers PING before it has read the slot map, so it is ready once SETs of keys in
    different slots, hence on different masters, come back OK."""
    try:
        return all(call(port, "SET", f"shardis-bench:probe:{k}", "1") == b"+OK" for k in "abcdef")
    except OSError:
        return False


def start_predixy(procs, work, binary, port, nodes, workers):
    """One ClusterServerPool with every node as a server, reads from masters (its default
    priorities), no LatencyMonitor (none unless configured), the same threads as Shardis."""
    conf = os.path.join(work, "predixy.conf")
    with open(conf, "w") as f:
        f.write(f"Name shardis-bench\nBind 127.0.0.1:{port}\nWorkerThreads {workers}\n"
                f"ClientTimeout 0\nLog {work}/predixy.log\nClusterServerPool {{\n    Servers {{\n")
        for n in nodes:
            f.write(f"        + 127.0.0.1:{n.port}\n")
        f.write("    }\n}\n")
    out = os.path.join(work, "predixy.out")
    proc = procs.start([binary, conf], "predixy", out)
    if not wait_until(lambda: predixy_ready(port), proc, 30, 0.2):
        raise BenchError("predixy did not start or did not serve the cluster within 30 s\n"
                         f"{tail(out)}\n{tail(work + '/predixy.log')}\n"
                         "leave it out with --targets direct,shardis")
    version = subprocess.run([binary, "-v"], capture_output=True, text=True).stdout
    m = re.search(r"(predixy-\S+)", version + "")
    return proc, (m.group(1) if m else "predixy")


def gc_pauses(path, start=0):
    """Pauses in a -Xlog:gc file from byte offset start on, in ms."""
    pauses = []
    if path and os.path.exists(path):
        with open(path, errors="replace") as f:
            f.seek(start)
            for line in f:
                m = re.search(r"Pause.*?([\d.]+)ms\s*$", line)
                if m:
                    pauses.append(float(m.group(1)))
    return pauses


def file_size(path):
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def metrics_heap_bytes(http_port):
    """Heap in use from Shardis' /metrics: jvm_memory_used_bytes{area="heap"}."""
    import urllib.request
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{http_port}/metrics", timeout=10) as r:
            text = r.read().decode()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("jvm_memory_used_bytes") and 'area="heap"' in line:
            return float(line.split()[-1])
    return None
