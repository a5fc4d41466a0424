#!/usr/bin/env bash
# Shardis' CPU per request for RESP2 and RESP3 clients, side by side in one run: one redis-server,
# one Shardis (this checkout's distribution under proxy/target, or $1), and redis-benchmark with
# and without -3 (HELLO 3) in alternating order for several rounds. Prints the median CPU
# microseconds per request of each and their ratio. Loopback only; what it starts it stops by PID.
# Usage: benchmarks/scripts/resp3-cpu.sh [DIST_DIR] ; env ROUNDS (5), REQUESTS (200000), PIPELINE (16), TESTS (get,set)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
dist=${1:-$(ls -d "$root"/proxy/target/shardis-*/ | head -n 1)}
rounds=${ROUNDS:-5} requests=${REQUESTS:-200000} pipeline=${PIPELINE:-16} tests=${TESTS:-get,set}
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)
proxy_port=$(free_port)
cat >"$work/shardis.yml" <<YAML
alpha:
  listen: 127.0.0.1:$proxy_port
  redis: true
  servers:
    - 127.0.0.1:$redis_port:1 s1
YAML
"$dist/bin/shardis" -c "$work/shardis.yml" -s "$(free_port)" -a 127.0.0.1 -w 1 >"$work/shardis.log" 2>&1 &
shardis=$!
pids+=("$shardis")
for _ in $(seq 1 300); do redis-cli -p "$proxy_port" PING >/dev/null 2>&1 && break; sleep 0.1; done
redis-benchmark -p "$proxy_port" -t "$tests" -n 20000 -P "$pipeline" -q >/dev/null 2>&1 # warm-up, both paths
redis-benchmark -3 -p "$proxy_port" -t "$tests" -n 20000 -P "$pipeline" -q >/dev/null 2>&1

declare -A samples=([2]="" [3]="")
for round in $(seq 1 "$rounds"); do
  order=(2 3); ((round % 2 == 0)) && order=(3 2)
  for proto in "${order[@]}"; do
    flag=(); [[ $proto == 3 ]] && flag=(-3)
    before=$(ticks "$shardis")
    redis-benchmark ${flag[@]+"${flag[@]}"} -p "$proxy_port" -t "$tests" -n "$requests" -P "$pipeline" -c 50 -q >/dev/null 2>&1
    after=$(ticks "$shardis")
    n=$((requests * $(tr ',' '\n' <<<"$tests" | wc -l)))
    us=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$n" 'BEGIN { printf "%.3f", t * 1e6 / hz / n }')
    samples[$proto]+="$us "
    echo "round $round RESP$proto: $us us/request" >&2
  done
done
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
m2=$(median "${samples[2]}") m3=$(median "${samples[3]}")
echo "| tests $tests, -P $pipeline, 50 clients | RESP2 | RESP3 | RESP3 / RESP2 |"
echo "|---|---|---|---|"
echo "| Shardis CPU µs per request (median of $rounds) | $m2 | $m3 | $(awk -v a="$m2" -v b="$m3" 'BEGIN { printf "%.2f", b / a }') |"
