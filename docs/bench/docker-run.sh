#!/usr/bin/env bash
# The network cost of `docker run --rm` with jnet against Docker's own bridge driver, in one dockerd confined to a
# sandbox network namespace and a private mount namespace (as DockerIT's fixture does), never the machine's Docker.
# Cost = (run on the network) - (run with --network none), each the median of N interleaved runs.
# Usage (root): docs/bench/docker-run.sh [N]   (needs the distribution: mvn -B -q -DskipTests package)
set -euo pipefail
N=${1:-12}
JNET=$(cd "$(dirname "$0")/../.." && pwd)/cli/target/jnet/bin/jnet
TAG=jt-bench-$$
D=$(mktemp -d /tmp/$TAG.XXXX)
NS=jt-host-$$
HOLDER= DOCKERD= JNETD=
cleanup() {
  set +e
  if [ -n "$DOCKERD" ]; then
    ids=$(DOCKER_HOST=unix://$D/docker.sock docker ps -aq); [ -n "$ids" ] && DOCKER_HOST=unix://$D/docker.sock docker rm -f $ids >/dev/null
    kill "$DOCKERD"; for _ in $(seq 100); do kill -0 "$DOCKERD" 2>/dev/null || break; sleep 0.2; done
  fi
  if [ -n "$JNETD" ]; then
    kill "$JNETD"; for _ in $(seq 100); do kill -0 "$JNETD" 2>/dev/null || break; sleep 0.2; done
  fi
  [ -n "$HOLDER" ] && kill "$HOLDER"
  ip netns del "$NS" 2>/dev/null
  for h in /sys/fs/cgroup/*/; do [ -d "$h/$TAG" ] && find "$h/$TAG" -depth -type d -exec rmdir {} \; ; done
  rm -rf "$D"
}
trap cleanup EXIT
ip netns add "$NS"; ip -n "$NS" link set lo up
nsenter --net=/run/netns/$NS unshare --mount --propagation private sh -c \
  'mount -t tmpfs jt-docker /run && mount -t tmpfs jt-docker /etc/docker && mkdir /etc/docker/plugins && exec sleep 3600' &
HOLDER=$!; sleep 1
ENTER=(nsenter --mount=/proc/$HOLDER/ns/mnt --net=/run/netns/$NS)   # execs: $! is the daemon's own PID
mkdir -p "$D/jnet"
JNET_ROOT=$D/jnet/root "${ENTER[@]}" "$JNET" daemon --socket "$D/jnet/jnet.sock" --docker-socket "$D/jnet/plugins/jnet.sock" \
  >"$D/jnet.log" 2>&1 &
JNETD=$!
for _ in $(seq 150); do [ -S "$D/jnet/plugins/jnet.sock" ] && break; sleep 0.2; done
"${ENTER[@]}" sh -c "echo unix://$D/jnet/plugins/jnet.sock > /etc/docker/plugins/jnet.spec"
# iptables on (inside the sandbox namespace only), so that Docker's bridge driver does its full work
"${ENTER[@]}" dockerd --data-root "$D/data" --exec-root "$D/exec" --pidfile "$D/dockerd.pid" -H "unix://$D/docker.sock" \
  --storage-driver vfs --bridge=none --ip6tables=false --cgroup-parent=/$TAG --containerd-namespace $TAG \
  --containerd-plugins-namespace $TAG-plugins >"$D/dockerd.log" 2>&1 &
DOCKERD=$!
export DOCKER_HOST=unix://$D/docker.sock
for _ in $(seq 300); do docker version >/dev/null 2>&1 && break; sleep 0.2; done
mkdir -p "$D/rootfs/bin"; cp /bin/busybox "$D/rootfs/bin/"; ln -s busybox "$D/rootfs/bin/true"; ln -s busybox "$D/rootfs/bin/sh"
tar -C "$D/rootfs" -cf "$D/image.tar" .; docker import "$D/image.tar" jt-bench:1 >/dev/null
docker network create -d jnet --ipam-driver jnet --subnet 10.88.0.0/24 jn >/dev/null
docker network create -d bridge --subnet 10.89.0.0/24 br >/dev/null
ms() { local s e; s=$(date +%s%N); docker run --rm --network "$1" jt-bench:1 true >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
for n in none jn br; do ms $n >/dev/null; done   # warm-up
: >"$D/times"
for i in $(seq "$N"); do for n in none jn br; do echo "$n $(ms $n)" >>"$D/times"; done; done
python3 - "$D/times" "$N" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    n, v = line.split(); t.setdefault(n, []).append(int(v))
m = {n: statistics.median(v) for n, v in t.items()}
print(f"docker run --rm, median of {sys.argv[2]} (ms): none {m['none']:.0f}, jnet {m['jn']:.0f}, bridge {m['br']:.0f}")
print(f"network cost (ms): jnet {m['jn'] - m['none']:.0f}, Docker's bridge {m['br'] - m['none']:.0f}")
for n in ('none', 'jn', 'br'):
    print(f"  {n:5} p25 {statistics.quantiles(t[n], n=4)[0]:.0f}  p75 {statistics.quantiles(t[n], n=4)[2]:.0f}  all {t[n]}")
PY
echo "jnet daemon, per Docker call (median ms):"
grep -o 'docker /[A-Za-z.]* ok ([0-9.]* ms)' "$D/jnet.log" | awk '{gsub(/[()]/,""); print $2, $4}' | sort | python3 -c '
import sys, statistics
t = {}
for line in sys.stdin:
    k, v = line.split(); t.setdefault(k, []).append(float(v))
for k, v in t.items():
    if len(v) > 3:
        print(f"  {k:45} {statistics.median(v):6.1f}  (n={len(v)})")
'
