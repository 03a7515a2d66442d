#!/usr/bin/env bash
# Overlay benchmarks (issue 14), as root, in throwaway namespaces only (jt-*-<tag>): an underlay bridge, etcd, and hosts
# as namespaces with a `jnet daemon --etcd` each. Measures
#   1. convergence: from a joining host's claim (its daemon's log) until every base host pings its VTEP address and
#      back (both directions need the other's route, neighbour and FDB entry), over JOINS joins;
#   2. ADD on an overlay network against ADD on a bridge network, the same host and daemon, through the shim;
#   3. TCP throughput between two containers across hosts (VXLAN) against two containers on one bridge.
# Usage: docs/overlay-bench.sh   (env: DIST=cli/target/jnet TTL=10 JOINS=20 ADDS=30 MB=2000 REPEAT=3
#                                       PARTS="converge add throughput")
set -euo pipefail
DIST=$(realpath "${DIST:-cli/target/jnet}")
J=$DIST/bin/jnet
TTL=${TTL:-10}; JOINS=${JOINS:-20}; ADDS=${ADDS:-30}; MB=${MB:-2000}; REPEAT=${REPEAT:-3}
PARTS=${PARTS:-converge add throughput}
part() { [[ " $PARTS " == *" $1 "* ]]; }
W=$(mktemp -d /tmp/jt-ovb-XXXXXX)
TAG=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
NSS=(); PIDS=()
ETCD=http://10.77.0.100:2379

cleanup() {
  set +e    # clean up everything even when a step finds nothing
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  sleep 2
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  findmnt -rn -o TARGET | grep "^$W" | sort -r | while read -r m; do umount "$m" || true; done
  for ((i=${#NSS[@]}-1; i>=0; i--)); do ip netns delete "${NSS[i]}" 2>/dev/null || true; done
  rm -rf "$W"
}
trap cleanup EXIT

mkns() { REPLY=jt-$1-$TAG; ip netns add "$REPLY"; NSS+=("$REPLY"); }
now() { date +%s.%N; }
p() { sort -n | awk -v q="$1" '{a[NR]=$1} END {i=int(q*NR+0.999999); if (i<1) i=1; printf "%.0f", a[i]}'; }

mkns ul; UL=$REPLY
ip -n "$UL" link add br0 type bridge
ip -n "$UL" addr add 10.77.0.254/24 dev br0
ip -n "$UL" link set br0 up
attach() {   # namespace, last octet
  ip -n "$UL" link add "u$2" type veth peer name eth0 netns "$1"
  ip -n "$UL" link set "u$2" master br0 up
  ip -n "$1" addr add "10.77.0.$2/24" dev eth0
  ip -n "$1" link set eth0 up
  ip -n "$1" link set lo up
  ip -n "$1" route add default via 10.77.0.254
}
mkns etcd; attach "$REPLY" 100
ip netns exec "$REPLY" /usr/bin/etcd --name jt --data-dir "$W/etcd" --listen-client-urls $ETCD \
  --advertise-client-urls $ETCD --listen-peer-urls http://10.77.0.100:2380 \
  --initial-advertise-peer-urls http://10.77.0.100:2380 --initial-cluster jt=http://10.77.0.100:2380 \
  > "$W/etcd.log" 2>&1 &
PIDS+=($!)
until ETCDCTL_API=3 ip netns exec "$REPLY" etcdctl --endpoints $ETCD endpoint health >/dev/null 2>&1; do sleep 0.2; done

declare -A HNS
host() {     # n: a host namespace on the underlay with its daemon
  mkns "h$1"; HNS[$1]=$REPLY; attach "$REPLY" "$1"
  mkdir -p "$W/h$1"
  nsenter --net="/run/netns/$REPLY" env JNET_ROOT="$W/h$1/root" "$J" daemon --socket "$W/h$1.sock" \
    --etcd $ETCD --lease-ttl "$TTL" > "$W/h$1.log" 2>&1 &
  PIDS+=($!); DPID=$!
}
jn() { local n=$1; shift; nsenter --net="/run/netns/${HNS[$n]}" env JNET_ROOT="$W/h$n/root" \
  JNET_RUN_DIR="$W/h$n/run" JNET_ETCD=$ETCD "$J" "$@"; }
await_claim() { until grep -q "network $2: claimed\|network $2: reclaimed" "$W/h$1.log" 2>/dev/null; do sleep 0.05; done; }

for n in 1 2 3; do host $n; done
jn 1 network create --driver overlay --subnet 10.100.0.0/16 ov1 >/dev/null
for n in 1 2 3; do await_claim $n ov1; done

if part converge; then
echo "== convergence: $JOINS joins, 3 peers, lease TTL $TTL s"
: > "$W/converge.txt"
for ((j=1; j<=JOINS; j++)); do
  n=$((10 + j))
  host $n; joined=$DPID
  await_claim $n ov1
  line=$(grep "network ov1: claimed" "$W/h$n.log")
  claimed=$(date -d "${line%% *}" +%s.%N)
  vtep=$(sed -n 's/.*claimed \(10\.100\.[0-9]*\)\.0\/24.*/\1.0/p' <<<"$line")
  loops=()
  for b in 1 2 3; do
    ( deadline=$(( $(date +%s) + 60 ))
      until ip netns exec "${HNS[$b]}" ping -c1 -W0.1 "$vtep" >/dev/null 2>&1; do
        [ "$(date +%s)" -lt "$deadline" ] || { echo "host $b never reached $vtep" >&2; exit 1; }
      done
      now > "$W/reach.$b" ) &
    loops+=($!)
  done
  wait "${loops[@]}"
  last=$(cat "$W"/reach.* | sort -n | tail -1)
  ms=$(awk -v a="$claimed" -v b="$last" 'BEGIN {printf "%.0f", (b - a) * 1000}')
  echo "join $j: $vtep reachable from every peer $ms ms after its claim"
  echo "$ms" >> "$W/converge.txt"
  rm -f "$W"/reach.*
  kill "$joined"                       # its lease expires after the TTL; the next join takes the next subnet
done
echo "convergence p50 $(p 0.5 < "$W/converge.txt") ms, p99 $(p 0.99 < "$W/converge.txt") ms, max $(sort -n "$W/converge.txt" | tail -1) ms"
fi

jn 1 network create br1 --subnet 10.250.0.0/24 >/dev/null
if part add; then
echo "== ADD on overlay vs bridge: $ADDS each, interleaved (order alternating), through the shim to host 1's daemon"
conf() { jn 1 network conflist "$1" | python3 -c 'import json,sys; c=json.load(sys.stdin); p=c["plugins"][0]; p["cniVersion"]=c["cniVersion"]; p["name"]=c["name"]; print(json.dumps(p))'; }
conf ov1 > "$W/ov1.json"; conf br1 > "$W/br1.json"
cni() {   # command, network, container namespace → ms of the exec
  local t0 t1
  t0=$(now)
  CNI_COMMAND=$1 CNI_CONTAINERID="bench-$3" CNI_NETNS="/run/netns/$3" CNI_IFNAME=eth0 CNI_PATH="$DIST/bin" \
    JNET_SOCKET="$W/h1.sock" JNET_SHIM=daemon nsenter --net="/run/netns/${HNS[1]}" "$DIST/bin/jnet-bridge" \
    < "$W/$2.json" > "$W/out.json"
  t1=$(now)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.1f\n", (b - a) * 1000}'
}
: > "$W/add.ov1"; : > "$W/add.br1"
for ((i=1; i<=ADDS; i++)); do
  order="ov1 br1"; (( i % 2 )) || order="br1 ov1"
  for net in $order; do
    mkns "c$net$i"; c=$REPLY
    cni ADD $net "$c" >> "$W/add.$net"
    cni DEL $net "$c" > /dev/null
  done
done
o=$(p 0.5 < "$W/add.ov1"); b=$(p 0.5 < "$W/add.br1")
echo "ADD p50: overlay $o ms, bridge $b ms, ratio $(awk -v a="$o" -v b="$b" 'BEGIN {printf "%.2f", a / b}')"
fi

if part throughput; then
echo "== TCP throughput, $MB MiB, $REPEAT repeats: across hosts (VXLAN) vs one bridge"
jn 1 create --network ov1 --name xa >/dev/null
jn 2 create --network ov1 --name xb >/dev/null
jn 1 create --network br1 --name ya >/dev/null
jn 1 create --network br1 --name yb >/dev/null
addr() { nsenter --net="$W/h$1/run/netns/$2" ip -4 -o addr show eth0 | awk '{print $4}' | cut -d/ -f1; }
XB=$(addr 2 xb); YB=$(addr 1 yb)
nsenter --net="$W/h2/run/netns/xb" socat -u -b 1048576 TCP-LISTEN:5201,reuseaddr,fork OPEN:/dev/null & PIDS+=($!)
nsenter --net="$W/h1/run/netns/yb" socat -u -b 1048576 TCP-LISTEN:5201,reuseaddr,fork OPEN:/dev/null & PIDS+=($!)
sleep 1
send() {   # from netns, to address → MiB/s
  local t0 t1
  t0=$(now)
  nsenter --net="$1" socat -u -b 1048576 "OPEN:/dev/zero,readbytes=$((MB << 20))" "TCP:$2:5201"
  t1=$(now)
  awk -v a="$t0" -v b="$t1" -v mb="$MB" 'BEGIN {printf "%.0f\n", mb / (b - a)}'
}
: > "$W/tp.vx"; : > "$W/tp.br"
for ((r=1; r<=REPEAT; r++)); do
  send "$W/h1/run/netns/xa" "$XB" >> "$W/tp.vx"
  send "$W/h1/run/netns/ya" "$YB" >> "$W/tp.br"
done
v=$(p 0.5 < "$W/tp.vx"); b=$(p 0.5 < "$W/tp.br")
echo "throughput median: VXLAN across hosts $v MiB/s [$(tr '\n' ' ' < "$W/tp.vx")], one bridge $b MiB/s [$(tr '\n' ' ' < "$W/tp.br")], ratio $(awk -v a="$v" -v b="$b" 'BEGIN {printf "%.2f", a / b}')"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
