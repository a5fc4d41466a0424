#!/usr/bin/env python3
"""Holds idle client connections open to one proxy, for the suite's idle-clients scenario.

  idle_clients.py PORT COUNT SOURCE_ADDRESS

Opens COUNT connections to 127.0.0.1:PORT from SOURCE_ADDRESS (e.g. 127.0.0.3: one source
address has only Linux's ephemeral range of ports, about 28,000, towards one port), sends each a
PING and reads its PONG, so that the proxy has accepted and served every one, then prints
"open N" and holds them, sending nothing more, until its standard input closes. Raises its own
open-files limit to the hard limit first. Standard library only.
"""
import resource
import socket
import sys

# Linux's IP_BIND_ADDRESS_NO_PORT: a bind() to an address alone leaves the port to connect(),
# which then needs it unique per destination only, not per source address.
IP_BIND_ADDRESS_NO_PORT = getattr(socket, "IP_BIND_ADDRESS_NO_PORT", 24)
BATCH = 500


def main():
    port, count, source = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    held = []
    error = ""
    try:
        while len(held) < count:
            batch = []
            for _ in range(min(BATCH, count - len(held))):
                s = socket.socket()
                try:
                    s.setsockopt(socket.IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, 1)
                    s.bind((source, 0))
                    s.settimeout(30)
                    s.connect(("127.0.0.1", port))
                    s.sendall(b"*1\r\n$4\r\nPING\r\n")
                except OSError:
                    s.close()
                    raise
                batch.append(s)
            for s in batch:
                if not s.recv(64).startswith(b"+PONG"):
                    raise OSError("no PONG")
            held.extend(batch)
    except OSError as e:
        error = f" error {e}"
    print(f"open {len(held)}{error}", flush=True)
    sys.stdin.read()  # until the parent closes it
    for s in held:
        s.close()


if __name__ == "__main__":
    main()
