# Helpers shared by bin/shardis and bin/shardis-bench. Sourced, never run on its own.
# shellcheck shell=bash disable=SC2034 # SHARDIS_* are set here for the scripts that source this

shardis_note() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
shardis_die() { shardis_note "$@"; exit 1; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_in_use() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a loopback port nobody listens on. Ports come from below Linux's ephemeral range
# (32768 and up) so they cannot collide with the source ports of outgoing connections.
free_port() {
  local port tries
  for ((tries = 0; tries < 200; tries++)); do
    port=$((20000 + RANDOM % 12000))
    if ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
  done
  shardis_die "found no free loopback port"
}

# True when a Redis-speaking server on 127.0.0.1:$1 answers PING with +PONG.
# Plain bash, so it works even where redis-cli is not installed. PING goes as a RESP array:
# nutcracker does not take inline commands.
redis_pings() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    # shellcheck disable=SC2016 # '$4' is RESP's bulk-length marker, not a variable
    printf '*1\r\n$4\r\nPING\r\n' >&3
    IFS= read -r -t 2 reply <&3 || exit 1
    [[ $reply == "+PONG"* ]]
  ) 2>/dev/null
}

# wait_until_pings PORT PID SECONDS: waits for PONG on PORT while process PID stays alive.
wait_until_pings() {
  local port=$1 pid=$2 deadline=$((SECONDS + $3))
  until redis_pings "$port"; do
    kill -0 "$pid" 2>/dev/null || return 1
    ((SECONDS < deadline)) || return 1
    sleep 0.1
  done
}

# stop_pid PID [NAME]: asks a child process to stop with TERM, waits up to 10 s, then KILLs it.
stop_pid() {
  local pid=$1 name=${2:-process} deadline
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  deadline=$((SECONDS + 10))
  while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    shardis_note "$name (pid $pid) ignored TERM for 10 s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || true
}

# Sets SHARDIS_JAVA to a Java 17+ launcher: $JAVA_HOME/bin/java, else java on PATH.
find_java() {
  local java version major
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    java=$JAVA_HOME/bin/java
  elif command -v java >/dev/null 2>&1; then
    java=$(command -v java)
  else
    shardis_die "no Java found: install a JDK or JRE 17 or newer (Debian: apt-get install openjdk-17-jre-headless), or set JAVA_HOME"
  fi
  # `java -version` prints e.g. openjdk version "17.0.15" 2025-04-15, or "1.8.0_402" before Java 9.
  version=$("$java" -version 2>&1 | awk -F'"' '/version/ { print $2; exit }')
  major=${version%%.*}
  [[ $major == 1 ]] && { major=${version#1.}; major=${major%%.*}; }
  [[ $major =~ ^[0-9]+$ ]] || shardis_die "cannot tell the version of $java (it printed '$version')"
  ((major >= 17)) || shardis_die "$java is Java $version; Shardis needs Java 17 or newer (set JAVA_HOME)"
  SHARDIS_JAVA=$java
}

# Prints the newest distribution directory built in a source checkout, if any.
newest_dist_dir() {
  local root=$1 dir newest=""
  for dir in "$root"/proxy/target/shardis-*/; do
    [[ -d ${dir}lib ]] || continue
    if [[ -z $newest || ${dir}lib -nt ${newest}lib ]]; then
      newest=$dir
    fi
  done
  [[ -n $newest ]] && echo "${newest%/}"
}

# Prints the first source file or pom newer than the distribution's lib/, if any.
# Test sources are left out: they do not change what the distribution runs.
first_source_newer_than() {
  local root=$1 stamp=$2
  find "$root" \( -name target -o -name .git \) -prune -o -type f \
    \( -name pom.xml -o -path '*/src/main/*' -o -path '*/src/assembly/*' \) \
    -newer "$stamp" -print -quit
}

# Prints why the checkout's distribution needs a build; prints nothing when it is current.
dist_staleness() {
  local root=$1 dist stale
  dist=$(newest_dist_dir "$root") || true
  if [[ -z $dist ]]; then
    echo "no distribution in $root/proxy/target yet; building it with Maven (a minute or two the first time)..."
  elif stale=$(first_source_newer_than "$root" "$dist/lib") && [[ -n $stale ]]; then
    echo "sources changed since the last build (${stale#"$root"/}); rebuilding with Maven..."
  fi
}

# Builds the distribution in a source checkout when it is missing or older than the sources.
# Launchers started together (a test suite, a benchmark) build once: the lock serialises them
# and each looks again once it holds it.
build_dist_if_stale() {
  local root=$1 dist reason lock_fd
  [[ -z $(dist_staleness "$root") ]] && return 0
  mkdir -p "$root/proxy/target"
  exec {lock_fd}>"$root/proxy/target/.shardis-build.lock"
  command -v flock >/dev/null 2>&1 && flock "$lock_fd"
  reason=$(dist_staleness "$root")
  if [[ -z $reason ]]; then
    exec {lock_fd}>&-
    return 0
  fi
  shardis_note "$reason"
  command -v mvn >/dev/null 2>&1 || shardis_die "Maven (mvn) is needed to build Shardis from source: apt-get install maven"
  # Maven's output goes to stderr so that stdout stays the proxy's own (e.g. for -V), without
  # the colour codes Maven 3.8 prints even in batch mode.
  (cd "$root" && set -o pipefail && mvn -B -q -DskipTests package -pl proxy -am 2>&1 \
    | sed 's/\x1b\[[0-9;]*m//g') >&2 \
    || shardis_die "the build failed; run 'mvn -B -DskipTests package -pl proxy -am' in $root to see why"
  dist=$(newest_dist_dir "$root") || shardis_die "the build produced no distribution under $root/proxy/target"
  # Maven may leave unchanged jars (and so lib/'s time) as they were; mark the build as current.
  touch "$dist/lib"
  exec {lock_fd}>&-
}

# Sets SHARDIS_HOME (its lib/ holds the jars) and SHARDIS_CONF_DIR for the script in $1 (a bin/ dir):
# a tarball install (bin/../lib/*.jar), or a source checkout, built first when needed.
resolve_home() {
  local bin_dir root
  bin_dir=$(cd "$1" && pwd)
  if compgen -G "$bin_dir/../lib/*.jar" >/dev/null; then
    SHARDIS_HOME=$(cd "$bin_dir/.." && pwd)
    SHARDIS_CONF_DIR=$SHARDIS_HOME/conf
  elif [[ -f $bin_dir/../pom.xml && -d $bin_dir/../proxy ]]; then
    root=$(cd "$bin_dir/.." && pwd)
    build_dist_if_stale "$root"
    SHARDIS_HOME=$(newest_dist_dir "$root")
    # In a checkout the editable conf/ is the repository's own, not the copy in target/.
    SHARDIS_CONF_DIR=$root/conf
  else
    shardis_die "cannot find Shardis' jars: expected $bin_dir/../lib/*.jar (an installed tarball) or a source checkout around $bin_dir"
  fi
}
