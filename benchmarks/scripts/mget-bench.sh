#!/usr/bin/env bash
# MGET of many keys through nutcracker and Shardis (and a baseline Shardis distribution) fronting
# the same ketama pool of redis-servers, in one run, alternating targets round after round.
# Prints one line per run: round, target, req/s, p50 and p99 in ms, the proxy's CPU µs per MGET
# (utime + stime from /proc/PID/stat over the run). Everything listens on loopback and is stopped
# by PID when the script ends.
#
#   benchmarks/scripts/mget-bench.sh [-s SERVERS] [-k KEYS_PER_MGET] [-n REQUESTS] [-r ROUNDS]
#       [-c CLIENTS] [-w WORKERS] [--shardis-dist DIR] [--baseline-dist DIR] [--targets LIST]
#       [--warmup-series N] [--baseline-java-opts OPTS]
#
# --warmup-series N: before the rounds, N back-to-back runs of -n/10 MGETs against each freshly
# started Shardis, each line with the seconds of traffic since its first MGET, to show how long it
# takes to reach its steady speed. --baseline-java-opts: JVM flags for the baseline alone (with
# --baseline-dist set to the same distribution, one JVM flag against none in one run).
set -euo pipefail
here=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
repo=$(readlink -f "$here/../..")
. "$repo/bin/lib/common.sh"
PATH=$PATH:/usr/local/sbin:/usr/sbin

servers=4 keys=100 requests=20000 rounds=3 clients=50 workers=$(nproc) keyspace=100000
shardis_dist="" baseline_dist="" targets="" series=0 baseline_java_opts=""
while [[ $# -gt 0 ]]; do
  case $1 in
    -s) servers=$2; shift 2 ;;
    -k) keys=$2; shift 2 ;;
    -n) requests=$2; shift 2 ;;
    -r) rounds=$2; shift 2 ;;
    -c) clients=$2; shift 2 ;;
    -w) workers=$2; shift 2 ;;
    --shardis-dist) shardis_dist=$2; shift 2 ;;
    --baseline-dist) baseline_dist=$2; shift 2 ;;
    --targets) targets=$2; shift 2 ;;
    --warmup-series) series=$2; shift 2 ;;
    --baseline-java-opts) baseline_java_opts=$2; shift 2 ;;
    *) shardis_die "unknown option '$1'" ;;
  esac
done
[[ -n $shardis_dist ]] || shardis_dist=$(ls -d "$repo"/proxy/target/shardis-*/ | head -n 1)
if [[ -z $targets ]]; then
  targets=nutcracker,shardis
  [[ -z $baseline_dist ]] || targets=$targets,baseline
fi
IFS=, read -r -a target_list <<<"$targets"

work=$(mktemp -d "${TMPDIR:-/tmp}/mget-bench.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do stop_pid "$pid"; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

ports=()
for ((i = 1; i <= servers; i++)); do
  p=$(free_port)
  mkdir -p "$work/redis$i"
  redis-server --port "$p" --bind 127.0.0.1 --save '' --appendonly no --dir "$work/redis$i" \
    --logfile "$work/redis$i/redis.log" >/dev/null 2>&1 &
  pids+=($!)
  ports+=("$p")
  wait_until_pings "$p" "$!" 15 || shardis_die "redis-server did not start"
done
pool() {
  printf 'bench:\n  listen: 127.0.0.1:%s\n  redis: true\n  servers:\n' "$1"
  for ((i = 0; i < servers; i++)); do
    printf '    - 127.0.0.1:%s:1 shard%s\n' "${ports[i]}" "$((i + 1))"
  done
}
declare -A port pid_of
port[nutcracker]=$(free_port)
pool "${port[nutcracker]}" >"$work/nutcracker.yml"
nutcracker -c "$work/nutcracker.yml" -s "$(free_port)" -a 127.0.0.1 -o "$work/nutcracker.log" >/dev/null 2>&1 &
pid_of[nutcracker]=$!
pids+=($!)
wait_until_pings "${port[nutcracker]}" "$!" 15 || shardis_die "nutcracker did not start"

start_shardis() { # NAME DIST [JAVA_OPTS]
  port[$1]=$(free_port)
  pool "${port[$1]}" >"$work/$1.yml"
  JAVA_OPTS="${JAVA_OPTS:-} ${3:-}" "$2/bin/shardis" -c "$work/$1.yml" -s "$(free_port)" -a 127.0.0.1 --http "127.0.0.1:$(free_port)" -w "$workers" >"$work/$1.log" 2>&1 &
  pid_of[$1]=$!
  pids+=($!)
  wait_until_pings "${port[$1]}" "$!" 60 || { tail "$work/$1.log" >&2; shardis_die "Shardis $1 did not start"; }
}

# 64-byte values under most keys of the keyspace, placed by nutcracker (Shardis places alike).
redis-benchmark -h 127.0.0.1 -p "${port[nutcracker]}" -t set -d 64 -c 50 -n $((keyspace * 2)) -r "$keyspace" -q >/dev/null

mget=(MGET)
for ((k = 0; k < keys; k++)); do mget+=("key:__rand_int__"); done
ticks=$(getconf CLK_TCK)
cpu() { local s; s=$(<"/proc/$1/stat"); s=${s##*) }; set -- $s; echo $((${12} + ${13})); }

run() { # TARGET REQUESTS LABEL
  local before after line
  before=$(cpu "${pid_of[$1]}")
  line=$(redis-benchmark -h 127.0.0.1 -p "${port[$1]}" -c "$clients" -n "$2" -r "$keyspace" --csv "${mget[@]}" \
    | awk -F'"' '$1 == "" && NF >= 5 && $2 != "test" { print; exit }')
  after=$(cpu "${pid_of[$1]}")
  awk -F'"' -v label="$3" -v t="$1" -v n="$2" -v hz="$ticks" -v c=$((after - before)) \
    '{ printf "%s %-10s rps %9.0f p50 %6.3f p99 %6.3f cpu_us %7.2f\n", label, t, $4, $10, $14, c * 1e6 / hz / n }' <<<"$line"
}

for t in "${target_list[@]}"; do
  case $t in
    shardis) start_shardis shardis "$shardis_dist" ;;
    baseline) start_shardis baseline "$baseline_dist" "$baseline_java_opts" ;;
  esac
  if [[ $t != nutcracker ]] && ((series > 0)); then
    first=$(date +%s.%N)
    for ((i = 1; i <= series; i++)); do
      line=$(run "$t" $((requests / 10)) "warm$i")
      echo "$line after $(awk -v a="$first" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
    done
  fi
done
echo "# $servers servers, MGET of $keys keys, -c $clients -n $requests, $workers workers, load $(cut -d' ' -f1-3 /proc/loadavg)"
for ((round = 1; round <= rounds; round++)); do
  order=()
  for ((i = 0; i < ${#target_list[@]}; i++)); do
    order+=("${target_list[(i + round - 1) % ${#target_list[@]}]}")
  done
  for t in "${order[@]}"; do run "$t" "$requests" "r$round"; done
done
