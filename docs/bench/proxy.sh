#!/usr/bin/env bash
# jnet's userland proxy against Debian's docker-proxy on the same loopback path, [::1] -> 127.0.0.1, in a sandbox
# network namespace: bulk throughput (MB/s, 1 GiB through one connection) and sequential connections per second
# (connect, one-byte echo, close). Medians of R runs each; "direct" is the path without a proxy.
# Usage (root): docs/bench/proxy.sh [R]   (needs mvn -B -q -DskipTests package and the daemon's test classes:
#               mvn -B -q -pl daemon -am test-compile)
set -euo pipefail
R=${1:-5}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CP="$ROOT/daemon/target/test-classes:$(ls "$ROOT"/cli/target/jnet/lib/*.jar | tr '\n' ':')"
NS=jt-pxy-$$
LOG=$(mktemp -d /tmp/jt-pxy.XXXX)
PIDS=()
cleanup() {
  set +e
  for p in "${PIDS[@]}"; do kill "$p"; done
  sleep 0.5
  ip netns del "$NS"
  rm -rf "$LOG"
}
trap cleanup EXIT
ip netns add "$NS"; ip -n "$NS" link set lo up
IN=(ip netns exec "$NS")
bench() { "${IN[@]}" java -XX:+UseSerialGC -cp "$CP" io.jnet.daemon.proxy.ProxyBench "$@"; }
start() {   # a server or proxy in the namespace; waits for its "ready" or its port
  "$@" >"$LOG/${#PIDS[@]}.log" 2>&1 &
  PIDS+=($!)
}
start "${IN[@]}" java -XX:+UseSerialGC -cp "$CP" io.jnet.daemon.proxy.ProxyBench servers 9001 9002
start "${IN[@]}" java -XX:+UseSerialGC -Xmx256m -cp "$CP" io.jnet.daemon.proxy.ProxyBench proxy ::1 9201 9001 9202 9002
# docker-proxy reports to dockerd on fd 3 and exits when it cannot
start "${IN[@]}" /usr/sbin/docker-proxy -proto tcp -host-ip ::1 -host-port 9101 -container-ip 127.0.0.1 \
  -container-port 9001 3>/dev/null
start "${IN[@]}" /usr/sbin/docker-proxy -proto tcp -host-ip ::1 -host-port 9102 -container-ip 127.0.0.1 \
  -container-port 9002 3>/dev/null
for port in 9001 9002 9101 9102 9201 9202; do
  for _ in $(seq 100); do "${IN[@]}" ss -Hltn | grep -q ":$port " && break; sleep 0.1; done
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
run() {   # label host port(echo) port(discard)
  local tp cr
  bench connections "$2" "$3" 2000 >/dev/null   # warm-up (the JIT of the proxy under test and of the client)
  bench throughput "$2" "$4" 268435456 >/dev/null
  tp=$(for _ in $(seq "$R"); do bench throughput "$2" "$4" 1073741824; done | median)
  cr=$(for _ in $(seq "$R"); do bench connections "$2" "$3" 5000; done | median)
  printf "%-14s %8s MB/s %8s conn/s\n" "$1" "$tp" "$cr"
}
run direct 127.0.0.1 9001 9002
run docker-proxy ::1 9101 9102
run jnet ::1 9201 9202
