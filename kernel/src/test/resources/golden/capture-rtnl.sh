#!/usr/bin/env bash
# Captures the rtnetlink requests that iproute2 sends, as the golden files in rtnl/ that RtnlGoldenTest compares
# our encoders with. Developer-run, not CI: it needs root, strace and iproute2, and it works only inside two
# throwaway namespaces (jt-cap-<random>-h as the "host", jt-cap-<random>-c as the "container") that it deletes
# on exit; the overlay messages (VXLAN, neighbour, FDB) come from a third, jt-cap-<random>-o. The machine's own
# namespace is never touched.
#
# Where we deliberately differ from iproute2 the file is derived from ip's bytes by a documented edit (see
# derive below), and its comments say what changed and why.
#
# usage: sudo kernel/src/test/resources/golden/capture-rtnl.sh [output-dir]
set -euo pipefail

out=${1:-$(cd "$(dirname "$0")" && pwd)/rtnl}
mkdir -p "$out"
tag=$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')
H=jt-cap-$tag-h
C=jt-cap-$tag-c
O=jt-cap-$tag-o
trace=$(mktemp)
cleanup() {
    ip netns delete "$H" 2>/dev/null || true
    ip netns delete "$C" 2>/dev/null || true
    ip netns delete "$O" 2>/dev/null || true
    rm -f "$trace"
}
trap cleanup EXIT
ip netns add "$H"
ip netns add "$C"
ip netns add "$O"

versions="iproute2 $(ip -V | sed 's/.*iproute2-\([^,]*\).*/\1/'), Linux $(uname -r)"

# messages CMD... : runs CMD under strace and prints every netlink message it sent, one hex string per line,
# each cut to its nlmsg_len (iproute2 sends dump requests from a larger zero-padded struct).
messages() {
    strace -f -qq -e trace=sendmsg,sendto -e write=all -xx -s 4096 -o "$trace" "$@" >/dev/null 2>&1 || true
    awk '/^ \| [0-9a-f]+  / { line = substr($0, 11, 48); gsub(/ /, "", line); buf = buf line; next }
         { if (buf != "") print buf; buf = "" }
         END { if (buf != "") print buf }' "$trace" |
    while read -r buf; do
        while [ ${#buf} -ge 32 ]; do
            local len=$((16#${buf:6:2}${buf:4:2}${buf:2:2}${buf:0:2}))
            [ "$len" -ge 16 ] && [ $((len * 2)) -le ${#buf} ] || break
            # iproute2 probes for RTM_NEWLINK support with an empty request of sequence number 0; skip it
            [ "${buf:16:8}" = 00000000 ] || echo "${buf:0:$((len * 2))}"
            local aligned=$(( (len + 3) / 4 * 4 ))
            buf=${buf:$((aligned * 2))}
        done
    done
}

# pick TYPE N : the Nth (1-based; -1 = last) message of netlink type TYPE from stdin
pick() {
    local type=$(printf '%02x%02x' $(($1 & 0xff)) $(($1 >> 8)))
    local all
    all=$(awk -v t="$type" 'substr($0, 9, 4) == t')
    if [ "$2" = -1 ]; then echo "$all" | tail -n1; else echo "$all" | sed -n "$2p"; fi
}

# le32 N : N as 4 little-endian bytes in hex
le32() { printf '%02x%02x%02x%02x' $(($1 & 0xff)) $((($1 >> 8) & 0xff)) $((($1 >> 16) & 0xff)) $((($1 >> 24) & 0xff)); }

# set_bytes HEX OFFSET NEWHEX : overwrites bytes at OFFSET
set_bytes() { echo "${1:0:$(($2 * 2))}$3${1:$(($2 * 2 + ${#3}))}"; }

# append_attr HEX TYPE VALUEHEX : appends a netlink attribute (padded) and fixes nlmsg_len
append_attr() {
    local hex=$1 type=$2 value=$3
    local len=$((4 + ${#value} / 2))
    local attr
    attr=$(printf '%02x%02x%02x%02x' $((len & 0xff)) $((len >> 8)) $((type & 0xff)) $((type >> 8)))$value
    while [ $((${#attr} % 8)) -ne 0 ]; do attr=${attr}00; done
    hex=$hex$attr
    set_bytes "$hex" 0 "$(le32 $((${#hex} / 2)))"
}

# write NAME DESCRIPTION COMMAND HEX [NOTE...] : writes rtnl/NAME.hex
write() {
    local name=$1 description=$2 command=$3 hex=$4
    shift 4
    [ -n "$hex" ] || { echo "no message captured for $name" >&2; exit 1; }
    {
        echo "# $description"
        echo "# captured by capture-rtnl.sh ($versions) with"
        echo "#   strace -f -e trace=sendmsg,sendto -e write=all -xx -s 4096 $command"
        echo "# where $H is the throwaway \"host\" namespace, $C the \"container\" one and $O the \"overlay\" one"
        for note in "$@"; do echo "# $note"; done
        echo "$hex" | fold -w 32 | sed 's/\(........\)/\1 /g; s/ $//'
    } > "$out/$name.hex"
    echo "wrote $name.hex"
}

# capture NAME TYPE N DESCRIPTION -- CMD... : the Nth message of TYPE that CMD sent, unchanged
capture() {
    local name=$1 type=$2 n=$3 description=$4
    shift 5
    write "$name" "$description" "$*" "$(messages "$@" | pick "$type" "$n")"
}

RTM_NEWLINK=16 RTM_DELLINK=17 RTM_GETLINK=18 RTM_SETLINK=19
RTM_NEWADDR=20 RTM_DELADDR=21 RTM_GETADDR=22 RTM_NEWROUTE=24 RTM_DELROUTE=25 RTM_GETROUTE=26
RTM_NEWNEIGH=28 RTM_DELNEIGH=29 RTM_GETNEIGH=30

# --- links, in the "host" namespace: lo is 1; the first bridge (refused by kernels without bridge VLAN filtering, deleted otherwise) takes index 2, so br0 is 3, veth1 4 (its peer eth0 is 2 in the container), v1 5 and v0 6
capture newlink-bridge $RTM_NEWLINK 1 "RTM_NEWLINK: create bridge br0, MTU 1400, MAC 02:42:ac:11:00:01, vlan_filtering 0" -- \
    ip -n "$H" link add br0 mtu 1400 address 02:42:ac:11:00:01 type bridge vlan_filtering 0
ip -n "$H" link delete br0 2>/dev/null || true
capture newlink-bridge-plain $RTM_NEWLINK 1 "RTM_NEWLINK: create bridge br0 without IFLA_INFO_DATA (kernels built without bridge VLAN filtering)" -- \
    ip -n "$H" link add br0 type bridge
capture newlink-veth-peer-netns $RTM_NEWLINK 1 "RTM_NEWLINK: create veth veth1 (MTU, MAC) with peer eth0 (MTU, MAC) born in another namespace" -- \
    ip -n "$H" link add veth1 mtu 1400 address 02:00:00:00:00:01 type veth peer name eth0 mtu 1400 address 02:00:00:00:00:02 netns "$C"
capture newlink-veth $RTM_NEWLINK 1 "RTM_NEWLINK: create veth v0 with peer v1 in the same namespace" -- \
    ip -n "$H" link add v0 type veth peer name v1
capture getlink-name $RTM_GETLINK 1 "RTM_GETLINK: get link veth1 by name" -- \
    ip -n "$H" link set dev veth1 up
capture setlink-up $RTM_NEWLINK 1 "RTM_NEWLINK: set link 4 up (ifi_flags IFF_UP, ifi_change IFF_UP)" -- \
    ip -n "$H" link set dev veth1 up
capture setlink-down $RTM_NEWLINK 1 "RTM_NEWLINK: set link 4 down" -- \
    ip -n "$H" link set dev veth1 down
capture setlink-master $RTM_NEWLINK 1 "RTM_NEWLINK: set master of link 4 to link 3 (IFLA_MASTER)" -- \
    ip -n "$H" link set dev veth1 master br0
capture setlink-brport $RTM_SETLINK 1 "RTM_SETLINK (AF_BRIDGE): bridge port flags of link 4 in IFLA_PROTINFO: hairpin on, learning on, isolated off" -- \
    bridge -n "$H" link set dev veth1 hairpin on learning on isolated off
capture setlink-nomaster $RTM_NEWLINK 1 "RTM_NEWLINK: release link 4 from its master (IFLA_MASTER 0)" -- \
    ip -n "$H" link set dev veth1 nomaster
capture setlink-mtu $RTM_NEWLINK 1 "RTM_NEWLINK: set MTU of link 4 to 1300" -- \
    ip -n "$H" link set dev veth1 mtu 1300
capture setlink-address $RTM_NEWLINK 1 "RTM_NEWLINK: set MAC of link 4 to 02:00:00:00:00:03" -- \
    ip -n "$H" link set dev veth1 address 02:00:00:00:00:03
capture setlink-name $RTM_NEWLINK 1 "RTM_NEWLINK: rename link 6 (v0) to v2" -- \
    ip -n "$H" link set dev v0 name v2
capture setlink-netns $RTM_NEWLINK 1 "RTM_NEWLINK: move link 6 (v2) into another namespace (IFLA_NET_NS_FD is the descriptor ip had open: 4)" -- \
    ip -n "$H" link set dev v2 netns "$C"
capture dellink-index $RTM_DELLINK 1 "RTM_DELLINK: delete link 3 (br0) by index" -- \
    ip -n "$H" link delete dev br0
write dellink-name "RTM_DELLINK: delete link v1 by name (ifi_index 0, IFLA_IFNAME)" "ip -n $H link delete dev v1" \
    "$(append_attr "$(set_bytes "$(messages ip -n "$H" link delete dev v1 | pick $RTM_DELLINK 1)" 20 00000000)" 3 "763100")" \
    "DEVIATION (derived): ip resolves the name first and deletes by index; we send IFLA_IFNAME with ifi_index 0 so" \
    "that the kernel resolves it, in one round trip and without a race. Edit: ifi_index set to 0, IFLA_IFNAME v1 appended."
write getlink-dump "RTM_GETLINK dump of all links" "ip -n $H link show" \
    "$(set_bytes "$(set_bytes "$(messages ip -n "$H" link show | pick $RTM_GETLINK 1)" 16 00)" 36 09000000)" \
    "DEVIATION (derived): ip asks with ifi_family AF_PACKET and IFLA_EXT_MASK RTEXT_FILTER_VF (1); we ask with AF_UNSPEC" \
    "(the same dump handler answers) and RTEXT_FILTER_VF|RTEXT_FILTER_SKIP_STATS (9), as ip does for a single link."
capture newlink-dummy $RTM_NEWLINK 1 "RTM_NEWLINK: create dummy dm0, MTU 1400, MAC 02:00:00:00:00:0d" -- \
    ip -n "$H" link add dm0 mtu 1400 address 02:00:00:00:00:0d type dummy

# --- addresses and routes, in the "container" namespace: lo is 1, eth0 is 2
ip -n "$C" link set dev eth0 up
capture newaddr-v4 $RTM_NEWADDR 1 "RTM_NEWADDR: add 10.233.5.2/24 broadcast 10.233.5.255 to link 2" -- \
    ip -n "$C" addr add 10.233.5.2/24 broadcast 10.233.5.255 dev eth0
write newaddr-v6-nodad "RTM_NEWADDR: add fd00:233:5::2/64 to link 2 with IFA_F_NODAD" "ip -n $C addr add fd00:233:5::2/64 dev eth0 nodad" \
    "$(append_attr "$(messages ip -n "$C" addr add fd00:233:5::2/64 dev eth0 nodad | pick $RTM_NEWADDR 1)" 8 "$(le32 2)")" \
    "DEVIATION (derived): ip puts flags that fit in 8 bits only in ifa_flags; we also send the full u32 in IFA_FLAGS" \
    "(which the kernel prefers when present), so flags above 0xff need no second code path. Edit: IFA_FLAGS 2 appended."
capture deladdr-v4 $RTM_DELADDR 1 "RTM_DELADDR: delete 10.233.5.2/24 from link 2" -- \
    ip -n "$C" addr del 10.233.5.2/24 dev eth0
ip -n "$C" addr add 10.233.5.2/24 dev eth0
capture getaddr-dump $RTM_GETADDR 1 "RTM_GETADDR dump of all addresses (ifaddrmsg all zero)" -- \
    ip -n "$C" addr show
capture newroute-v4-default-onlink $RTM_NEWROUTE 1 "RTM_NEWROUTE: default via 10.233.5.1 metric 100 dev 2 onlink (table main, proto boot)" -- \
    ip -n "$C" route add default via 10.233.5.1 metric 100 dev eth0 onlink
capture newroute-v4-link-metrics $RTM_NEWROUTE 1 "RTM_NEWROUTE: 10.233.6.0/24 table 100 dev 2 scope link, RTA_METRICS mtu 1400 advmss 1360" -- \
    ip -n "$C" route add 10.233.6.0/24 table 100 dev eth0 mtu 1400 advmss 1360
capture newroute-v4-table1000 $RTM_NEWROUTE 1 "RTM_NEWROUTE: 10.233.8.0/24 table 1000 dev 2 (a table above 255 goes in RTA_TABLE, rtm_table 0)" -- \
    ip -n "$C" route add 10.233.8.0/24 table 1000 dev eth0
capture newroute-v6-replace-default $RTM_NEWROUTE 1 "RTM_NEWROUTE (replace): default via fd00:233:5::1 metric 1024 dev 2" -- \
    ip -n "$C" route replace default via fd00:233:5::1 metric 1024 dev eth0
capture delroute-v4-default $RTM_DELROUTE 1 "RTM_DELROUTE: default via 10.233.5.1 metric 100 dev 2" -- \
    ip -n "$C" route del default via 10.233.5.1 metric 100 dev eth0
capture getroute-dump-v4 $RTM_GETROUTE 1 "RTM_GETROUTE dump of IPv4 routes in every table" -- \
    ip -n "$C" -4 route show table all
capture getroute-dump-v6 $RTM_GETROUTE 1 "RTM_GETROUTE dump of IPv6 routes in every table" -- \
    ip -n "$C" -6 route show table all
capture getlink-index $RTM_GETLINK 1 "RTM_GETLINK: get link 2 by index (ip resolves route output devices this way)" -- \
    ip -n "$C" -4 route show table all

# --- an overlay host, flannel's vxlan model, in the "overlay" namespace: lo is 1, the underlay ul0 3 (its peer
# ul1 2: a veth's peer is created first), vx0 4, vx6 5. The peer's subnet is 10.244.2.0/24, its VTEP address
# 10.244.2.0 with MAC 02:00:00:00:00:0b, its underlay address 198.18.0.2.
ip -n "$O" link add ul0 type veth peer name ul1
capture newlink-vxlan $RTM_NEWLINK 1 "RTM_NEWLINK: create vxlan vx0 (MTU 1450, MAC 02:00:00:00:00:0a), VNI 42, local 198.18.0.1, port 4789, learning off, underlay link 3" -- \
    ip -n "$O" link add vx0 mtu 1450 address 02:00:00:00:00:0a type vxlan id 42 local 198.18.0.1 dstport 4789 nolearning dev ul0
capture newlink-vxlan6 $RTM_NEWLINK 1 "RTM_NEWLINK: create vxlan vx6, VNI 43, IPv6 local fd00:198:18::1 (IFLA_VXLAN_LOCAL6), port 4789, learning off" -- \
    ip -n "$O" link add vx6 type vxlan id 43 local fd00:198:18::1 dstport 4789 nolearning
ip -n "$O" link set dev vx0 up
capture newneigh-v4-permanent $RTM_NEWNEIGH 1 "RTM_NEWNEIGH (replace): 10.244.2.0 lladdr 02:00:00:00:00:0b dev 4 nud permanent" -- \
    ip -n "$O" neigh replace 10.244.2.0 lladdr 02:00:00:00:00:0b dev vx0 nud permanent
capture newneigh-v6-permanent $RTM_NEWNEIGH 1 "RTM_NEWNEIGH (replace): fd00:244:2:: lladdr 02:00:00:00:00:0b dev 4 nud permanent" -- \
    ip -n "$O" neigh replace fd00:244:2:: lladdr 02:00:00:00:00:0b dev vx0 nud permanent
capture getneigh-dump-dev $RTM_GETNEIGH 1 "RTM_GETNEIGH dump of the neighbours of link 4 (NDA_IFINDEX)" -- \
    ip -n "$O" neigh show dev vx0
capture delneigh-v4 $RTM_DELNEIGH 1 "RTM_DELNEIGH: 10.244.2.0 dev 4 (ip sends the state nud permanent along)" -- \
    ip -n "$O" neigh del 10.244.2.0 dev vx0
capture newfdb-append $RTM_NEWNEIGH 1 "RTM_NEWNEIGH (AF_BRIDGE, append): 02:00:00:00:00:0b dev 4 dst 198.18.0.2 self, state permanent|noarp" -- \
    bridge -n "$O" fdb append 02:00:00:00:00:0b dev vx0 dst 198.18.0.2 self permanent
capture newfdb-replace $RTM_NEWNEIGH 1 "RTM_NEWNEIGH (AF_BRIDGE, replace): 02:00:00:00:00:0b dev 4 dst 198.18.0.2 self, state permanent|noarp" -- \
    bridge -n "$O" fdb replace 02:00:00:00:00:0b dev vx0 dst 198.18.0.2 self permanent
capture getfdb-dump-dev $RTM_GETNEIGH 1 "RTM_GETNEIGH (AF_BRIDGE) dump of the FDB of link 4 (ndm_ifindex)" -- \
    bridge -n "$O" fdb show dev vx0
capture delfdb $RTM_DELNEIGH 1 "RTM_DELNEIGH (AF_BRIDGE): 02:00:00:00:00:0b dev 4 dst 198.18.0.2 self" -- \
    bridge -n "$O" fdb del 02:00:00:00:00:0b dev vx0 dst 198.18.0.2 self
capture newroute-v4-replace-via-onlink $RTM_NEWROUTE 1 "RTM_NEWROUTE (replace): 10.244.2.0/24 via 10.244.2.0 dev 4 onlink, the route to a peer's subnet" -- \
    ip -n "$O" route replace 10.244.2.0/24 via 10.244.2.0 dev vx0 onlink
