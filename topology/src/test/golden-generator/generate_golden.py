#!/usr/bin/env python3
"""Records where nutcracker (Twemproxy) places keys, as golden files for ShardRingGoldenTest.

It starts real redis-server processes and the real nutcracker on 127.0.0.1, with one pool per
scenario (every hash function x {ketama, modula}, over several server lists), writes a fixed set
of keys through each pool, then asks every Redis server which keys it holds. Each pool gives one
file under topology/src/test/resources/golden/: the pool's settings and servers, then one line
per key, "<server index> <key in hex>" ("-" for the empty key).

Pools with auto_eject_hosts list one server nobody listens on; the first request that reaches it
gets it ejected (server_failure_limit: 1, a retry timeout of an hour), and only then are the keys
written, so those files record the continuum rebuilt without it.

Rerun (needs redis-server and nutcracker on PATH or in /usr/sbin; takes a few seconds):
    python3 topology/src/test/golden-generator/generate_golden.py
It rewrites every golden file; server ports differ from run to run, so every placement does too,
but each file stays self-consistent. The build does not run this script.
"""

import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HASHES = ["one_at_a_time", "md5", "crc16", "crc32", "crc32a", "fnv1_64", "fnv1a_64",
          "fnv1_32", "fnv1a_32", "hsieh", "murmur", "jenkins"]
DISTRIBUTIONS = ["ketama", "modula"]
OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "golden")
NUTCRACKER_VERSION = "0.5.0"


# --- a minimal binary-safe RESP client ---------------------------------------------------------

class Resp:
    def __init__(self, port=None, path=None, timeout=10):
        if path:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            self.sock.connect(path)
        else:
            self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    @staticmethod
    def encode(*args):
        out = [b"*%d\r\n" % len(args)]
        for arg in args:
            if isinstance(arg, str):
                arg = arg.encode()
            out.append(b"$%d\r\n%s\r\n" % (len(arg), arg))
        return b"".join(out)

    def send(self, *commands):
        self.sock.sendall(b"".join(self.encode(*c) for c in commands))

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("connection closed")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def reply(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode()
        if kind == b"-":
            return RuntimeError(rest.decode(errors="replace"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.reply() for _ in range(n)]
        raise ValueError("bad reply line %r" % line)

    def call(self, *args):
        self.send(args)
        return self.reply()


# --- processes ---------------------------------------------------------------------------------

def free_port(taken):
    while True:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port not in taken:
            taken.add(port)
            return port


def port_is_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def wait_until(what, condition, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            if condition():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError("timed out waiting for " + what)


def binary(name):
    for d in os.environ.get("PATH", "").split(os.pathsep) + ["/usr/sbin", "/usr/local/sbin"]:
        candidate = os.path.join(d, name)
        if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    sys.exit("no %s on PATH or in /usr/sbin" % name)


class Redis:
    def __init__(self, workdir, port, unix_socket=None):
        self.port = port
        self.unix_socket = unix_socket
        args = [binary("redis-server"), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--daemonize", "no", "--dir", workdir,
                "--logfile", os.path.join(workdir, "redis-%d.log" % port)]
        if unix_socket:
            args += ["--unixsocket", unix_socket, "--unixsocketperm", "700"]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until("redis-server on %d" % port, lambda: Resp(port).call("PING") == "PONG")

    def keys(self):
        client = Resp(self.port)
        found, cursor = [], b"0"
        while True:
            cursor, batch = client.call("SCAN", cursor, "COUNT", "1000")
            found.extend(batch)
            if cursor == b"0":
                client.close()
                return found

    def flush(self):
        client = Resp(self.port)
        client.call("FLUSHALL")
        client.close()

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=20)


# --- what to record ----------------------------------------------------------------------------

def key_set():
    """ASCII keys, every single byte, binary keys with bytes >= 0x80 and 0x00, short keys of every
    length up to 16, long keys, and hash-tag edge cases for the tags "{}" and "$$"."""
    rng = random.Random(20240601)
    keys = [b""]
    keys += [b"key:%d" % i for i in range(120)]
    keys += [w.encode() for w in ["foo", "bar", "baz", "user:1000", "user:1000:profile", "session:abc",
                                  "counter", "a", "b", "z", "0", "hello world", "caf\u00e9", "\u00fcber",
                                  "\u65e5\u672c"]]
    keys += [bytes([b]) for b in range(256)]
    for length in range(1, 17):
        keys.append(bytes(rng.randrange(256) for _ in range(length)))
        keys.append(bytes(rng.randrange(0x80, 256) for _ in range(length)))
        keys.append(bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(length)))
    for _ in range(60):
        keys.append(bytes(rng.randrange(256) for _ in range(rng.randrange(17, 64))))
    keys += [b"\x00", b"\x00\x00\x00", b"a\x00b", b"\x80", b"\xff\xff", b"\r\n", b" "]
    keys += [b"long:" + bytes(rng.choice(b"abcdef") for _ in range(n)) for n in (100, 250, 1000)]
    keys += [b"{user1000}.following", b"{user1000}.followers", b"{user1000}", b"user1000",
             b"{}", b"{", b"}", b"}{", b"{}{x}", b"{}x", b"x{}", b"{{}}", b"{{x}}", b"a{b}c{d}", b"{a", b"a}",
             b"a{b", b"}a{b}", b"{\x80\xff}", b"pre{\x00}post", b"{b}", b"b", b"x{b}y", b"{ab}{cd}",
             b"$$", b"$a$", b"a$b$c", b"$$x$y$", b"x$\xfe$", b"$", b"tag$user1000$rest", b"user1000$"]
    seen, unique = set(), []
    for k in keys:
        if k not in seen:
            seen.add(k)
            unique.append(k)
    return unique


def scenarios(redis_by_role, dead_port):
    """Each scenario: (file stem, hash_tag or None, eject, [(config entry, role or None if dead)])."""
    r = redis_by_role
    varied = [
        ("127.0.0.1:%d:1" % r["s0"].port, "s0"),
        ("127.0.0.1:%d:2 alpha" % r["s1"].port, "s1"),
        ("%s:1" % r["s2"].unix_socket, "s2"),
        ("127.0.0.1:%d:3" % r["s3"].port, "s3"),
        ("127.0.0.1:%d:5 beta" % r["s4"].port, "s4"),
    ]
    named = [("127.0.0.1:%d:1 shard%d" % (r["n%d" % i].port, i + 1), "n%d" % i) for i in range(8)]
    with_dead = [
        ("127.0.0.1:%d:1" % r["s0"].port, "s0"),
        ("127.0.0.1:%d:2 alpha" % r["s1"].port, "s1"),
        ("127.0.0.1:%d:3" % dead_port, None),
        ("127.0.0.1:%d:1" % r["s3"].port, "s3"),
        ("127.0.0.1:%d:4 beta" % r["s4"].port, "s4"),
    ]
    result = []
    for dist in DISTRIBUTIONS:
        for h in HASHES:
            result.append(("varied-%s-%s" % (dist, h), h, dist, "{}", False, varied))
            result.append(("named-%s-%s" % (dist, h), h, dist, None, False, named))
            result.append(("ejected-%s-%s" % (dist, h), h, dist, "$$", True, with_dead))
    return result


def pool_yaml(name, port, h, dist, tag, eject, servers):
    lines = ["%s:" % name, "  listen: 127.0.0.1:%d" % port, "  redis: true", "  hash: %s" % h,
             "  distribution: %s" % dist, "  timeout: 5000"]
    if tag:
        lines.append('  hash_tag: "%s"' % tag)
    if eject:
        lines += ["  auto_eject_hosts: true", "  server_failure_limit: 1", "  server_retry_timeout: 3600000"]
    lines.append("  servers:")
    lines += ["    - %s" % entry for entry, _ in servers]
    return "\n".join(lines) + "\n"


def eject_dead_server(client, keys):
    """Sends GETs until one fails: the request that reached the dead server, which is now ejected."""
    for key in keys:
        reply = client.call("GET", key)
        if isinstance(reply, RuntimeError):
            return
    raise RuntimeError("no key reached the dead server")


def record(stem, h, dist, tag, eject, servers, port, redis_by_role, keys):
    client = Resp(port)
    if eject:
        eject_dead_server(client, keys)
    client.send(*[("SET", k, b"v") for k in keys])
    for k in keys:
        reply = client.reply()
        if reply != "OK":
            raise RuntimeError("%s: SET %r answered %r" % (stem, k, reply))
    client.close()
    placement = {}
    for index, (_, role) in enumerate(servers):
        if role is None:
            continue
        for k in redis_by_role[role].keys():
            if k in placement:
                raise RuntimeError("%s: key %r on two servers" % (stem, k))
            placement[k] = index
    missing = [k for k in keys if k not in placement]
    if missing or len(placement) != len(keys):
        raise RuntimeError("%s: %d keys not found, %d found" % (stem, len(missing), len(placement)))
    for _, role in servers:
        if role is not None:
            redis_by_role[role].flush()
    lines = ["# Key placement by nutcracker %s, recorded by topology/src/test/golden-generator/generate_golden.py"
             % NUTCRACKER_VERSION,
             "# Servers in configuration order; lines below: <server index> <key in hex, '-' when empty>.",
             "hash: %s" % h, "distribution: %s" % dist, "hash_tag: %s" % (tag or "")]
    for entry, role in servers:
        lines.append("server: %s | %s" % (entry, "live" if role else "ejected"))
    lines.append("keys: %d" % len(keys))
    for k in keys:
        lines.append("%d %s" % (placement[k], k.hex() if k else "-"))
    with open(os.path.join(OUT_DIR, stem + ".txt"), "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    workdir = tempfile.mkdtemp(prefix="golden-")
    taken = set()
    redis = {}
    nutcracker = None
    try:
        # A short socket path: ketama hashes it, and nutcracker caps a point's name at 85 bytes.
        for role in ["s0", "s1", "s4"] + ["n%d" % i for i in range(8)]:
            redis[role] = Redis(workdir, free_port(taken))
        # On port 11211 nutcracker hashes the host alone (libmemcached's rule); use it when it is free.
        redis["s3"] = Redis(workdir, 11211 if port_is_free(11211) else free_port(taken))
        redis["s2"] = Redis(workdir, free_port(taken), unix_socket=os.path.join(workdir, "s2.sock"))
        dead_port = free_port(taken)
        all_scenarios = scenarios(redis, dead_port)
        config, ports = [], {}
        for stem, h, dist, tag, eject, servers in all_scenarios:
            ports[stem] = free_port(taken)
            config.append(pool_yaml(stem, ports[stem], h, dist, tag, eject, servers))
        conf_file = os.path.join(workdir, "nutcracker.yml")
        with open(conf_file, "w") as f:
            f.write("".join(config))
        stats_port = free_port(taken)
        nutcracker = subprocess.Popen([binary("nutcracker"), "-c", conf_file, "-s", str(stats_port),
                                       "-a", "127.0.0.1", "-o", os.path.join(workdir, "nutcracker.log")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for stem in ports:
            wait_until("nutcracker pool " + stem, lambda: not port_is_free(ports[stem]))
        if not port_is_free(dead_port):
            raise RuntimeError("the dead server's port %d got taken" % dead_port)
        keys = key_set()
        os.makedirs(OUT_DIR, exist_ok=True)
        for stem, h, dist, tag, eject, servers in all_scenarios:
            record(stem, h, dist, tag, eject, servers, ports[stem], redis, keys)
            print("recorded", stem)
    finally:
        if nutcracker:
            nutcracker.send_signal(signal.SIGTERM)
            nutcracker.wait(timeout=20)
        for r in redis.values():
            r.stop()
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
