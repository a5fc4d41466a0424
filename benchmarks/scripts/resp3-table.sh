#!/usr/bin/env bash
# RESP3 against RESP2 clients through one Shardis, in one run: a sharded pool of 4 redis-servers,
# redis-benchmark with and without -3 in alternating order, for GET, HGETALL of a 10-field hash and
# MGET of 10 keys spread over the 4 servers, at pipeline 1 and 16. Prints a table of the medians:
# throughput (requests per second) and Shardis' CPU microseconds per request, and their ratios.
# Loopback only; what it starts it stops by PID.
# Usage: benchmarks/scripts/resp3-table.sh [DIST_DIR] ; env ROUNDS (3), CLIENTS (50)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dist=${1:-$(ls -d "$root"/proxy/target/shardis-*/ | head -n 1)}
rounds=${ROUNDS:-3} clients=${CLIENTS:-50}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

servers=""
for i in 1 2 3 4; do
  port=$(free_port)
  mkdir -p "$work/r$i"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work/r$i" >"$work/r$i/log" 2>&1 &
  pids+=($!)
  servers+="    - 127.0.0.1:$port:1 s$i"$'\n'
done
proxy_port=$(free_port)
cat >"$work/shardis.yml" <<YAML
alpha:
  listen: 127.0.0.1:$proxy_port
  hash: fnv1a_64
  distribution: ketama
  redis: true
  servers:
$servers
YAML
"$dist/bin/shardis" -c "$work/shardis.yml" -s "$(free_port)" -a 127.0.0.1 >"$work/shardis.log" 2>&1 &
shardis=$!
pids+=("$shardis")
for _ in $(seq 1 300); do redis-cli -p "$proxy_port" PING >/dev/null 2>&1 && break; sleep 0.1; done

keys=(k0 k1 k2 k3 k4 k5 k6 k7 k8 k9)
for k in "${keys[@]}"; do redis-cli -p "$proxy_port" SET "$k" "$(printf 'v%.0s' {1..64})" >/dev/null; done
fields=()
for f in 0 1 2 3 4 5 6 7 8 9; do fields+=("f$f" "$(printf 'x%.0s' {1..64})"); done
redis-cli -p "$proxy_port" HSET h "${fields[@]}" >/dev/null

declare -A commands=([GET]="GET k0" [HGETALL]="HGETALL h" [MGET]="MGET ${keys[*]}")
declare -A rps cpu
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
for name in GET HGETALL MGET; do
  for pipeline in 1 16; do
    requests=$((pipeline == 1 ? 50000 : 200000))
    # shellcheck disable=SC2086
    redis-benchmark -p "$proxy_port" -n 100000 -P "$pipeline" -c "$clients" -q ${commands[$name]} >/dev/null 2>&1
    # shellcheck disable=SC2086
    redis-benchmark -3 -p "$proxy_port" -n 100000 -P "$pipeline" -c "$clients" -q ${commands[$name]} >/dev/null 2>&1
    for round in $(seq 1 "$rounds"); do
      order=(2 3); ((round % 2 == 0)) && order=(3 2)
      for proto in "${order[@]}"; do
        flag=(); [[ $proto == 3 ]] && flag=(-3)
        before=$(ticks "$shardis")
        # shellcheck disable=SC2086
        out=$(redis-benchmark ${flag[@]+"${flag[@]}"} -p "$proxy_port" -n "$requests" -P "$pipeline" -c "$clients" -q \
          ${commands[$name]} 2>/dev/null | tr '\r' '\n' | grep 'requests per second' | tail -n 1)
        after=$(ticks "$shardis")
        r=$(sed -E 's/.*: ([0-9.]+) requests per second.*/\1/' <<<"$out")
        us=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$requests" 'BEGIN { printf "%.3f", t * 1e6 / hz / n }')
        rps[$name,$pipeline,$proto]+="$r "
        cpu[$name,$pipeline,$proto]+="$us "
        echo "$name P$pipeline round $round RESP$proto: $r req/s, $us us/request" >&2
      done
    done
  done
done
echo "| command, $clients clients | pipeline | RESP2 req/s | RESP3 req/s | RESP3 ÷ RESP2 | RESP2 CPU µs/req | RESP3 CPU µs/req | RESP3 ÷ RESP2 |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for name in GET HGETALL MGET; do
  for pipeline in 1 16; do
    r2=$(median "${rps[$name,$pipeline,2]}") r3=$(median "${rps[$name,$pipeline,3]}")
    c2=$(median "${cpu[$name,$pipeline,2]}") c3=$(median "${cpu[$name,$pipeline,3]}")
    label=$name; [[ $name == HGETALL ]] && label="HGETALL (10 fields)"; [[ $name == MGET ]] && label="MGET (10 keys, 4 servers)"
    echo "| $label | $pipeline | $r2 | $r3 | $(awk -v a="$r2" -v b="$r3" 'BEGIN { printf "%.2f", b / a }') | $c2 | $c3 | $(awk -v a="$c2" -v b="$c3" 'BEGIN { printf "%.2f", b / a }') |"
  done
done
