#!/usr/bin/env bash
# Regenerates the golden nf_tables captures in this directory from the real nft(8).
# Developer-run, as root:   kernel/src/test/resources/golden/nft/capture.sh [case-name...]
# Every nft runs inside a throwaway network namespace (jt-cap-<random>) that is deleted afterwards; the machine's
# own ruleset is never read or changed. Needs nft, strace, python3 and iproute2.
#
# Each <case>.hex holds the setup and the command (as `#` comments), the IR that `nft --debug=netlink` printed,
# and then one line per netlink message of the batch that nft sent: "<type> <flags> <payload>" in hex, where the
# payload is everything after the 16-byte nlmsghdr (sequence numbers and port ids are not compared).
set -euo pipefail

DIR=$(cd "$(dirname "$0")" && pwd)
WORK=$(mktemp -d)
NS=""
cleanup() {
    if [[ -n "$NS" ]]; then ip netns delete "$NS" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

BASE='table inet jnet {
  map dnat4 { type inet_proto . inet_service : ipv4_addr . inet_service; }
  set subnets { type ipv4_addr; flags interval; }
  map ports { type inet_proto . inet_service : ipv4_addr . inet_service; flags interval; }
  map vm { type ifname : verdict; }
  chain isolation { }
  chain forward { type filter hook forward priority filter; policy drop; }
  chain postrouting { type nat hook postrouting priority srcnat; policy accept; }
  chain prerouting { type nat hook prerouting priority dstnat; policy accept; }
}'

# Splits the sendmsg(2) buffers that strace dumped into messages and prints the batch (the one that begins with
# NFNL_MSG_BATCH_BEGIN).
cat > "$WORK/split.py" <<'EOF'
import re, sys
buffers, cur = [], None
for line in open(sys.argv[1]):
    if line.startswith('sendmsg('):
        cur = bytearray(); buffers.append(cur); continue
    m = re.match(r' \| [0-9a-f]{5}  ((?:[0-9a-f]{2} {1,2})+)', line)
    if m and cur is not None:
        cur += bytes.fromhex(m.group(1).replace(' ', ''))
for d in buffers:
    if len(d) < 6 or int.from_bytes(d[4:6], 'little') != 0x10:
        continue
    off = 0
    while off < len(d):
        n = int.from_bytes(d[off:off + 4], 'little')
        t = int.from_bytes(d[off + 4:off + 6], 'little')
        f = int.from_bytes(d[off + 6:off + 8], 'little')
        print('%04x %04x %s' % (t, f, d[off + 16:off + n].hex()))
        off += (n + 3) & ~3
EOF

# capture <name> <setup> <command>; "@HANDLE@" in the command becomes the handle of the rule commented "victim"
capture() {
    local name=$1 setup=$2 command=$3
    NS="jt-cap-$(head -c3 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    ip netns add "$NS"
    if [[ -n "$setup" ]]; then
        printf '%s\n' "$setup" > "$WORK/setup.nft"
        ip netns exec "$NS" nft -f "$WORK/setup.nft"
    fi
    if [[ "$command" == *@HANDLE@* ]]; then
        local handle
        handle=$(ip netns exec "$NS" nft -a list ruleset | sed -n 's/.*comment "victim" # handle \([0-9]*\).*/\1/p')
        command=${command//@HANDLE@/$handle}
    fi
    printf '%s\n' "$command" > "$WORK/command.nft"
    ip netns exec "$NS" strace -qq -o "$WORK/strace.txt" -e trace=sendmsg -e write=all \
        nft --debug=netlink -f "$WORK/command.nft" > "$WORK/ir.txt" 2>&1
    {
        echo "# golden capture: $name"
        echo "# $(nft --version), kernel $(uname -r), captured by capture.sh in a throwaway netns"
        if [[ -n "$setup" ]]; then
            echo "# setup (nft -f):"
            sed 's/^/#   /' "$WORK/setup.nft"
        fi
        echo "# command: strace -e trace=sendmsg -e write=all nft --debug=netlink -f <file>:"
        sed 's/^/#   /' "$WORK/command.nft"
        echo "# nft --debug=netlink:"
        sed -e '/^$/d' -e 's/^/#   /' "$WORK/ir.txt"
        echo "# messages: type flags payload-after-nlmsghdr"
        python3 "$WORK/split.py" "$WORK/strace.txt"
    } > "$DIR/$name.hex"
    ip netns delete "$NS"
    NS=""
    echo "captured $name"
}

declare -a CASES=(
    # tables
    "table-add-inet||add table inet jnet"
    "table-add-ip||add table ip jnet"
    "table-add-ip6||add table ip6 jnet"
    "table-delete|add table inet jnet|delete table inet jnet"
    # add-then-delete in one batch: the form of a destroy on kernels without DESTROY messages (before 6.3)
    "table-destroy-fallback||add table inet jnet
delete table inet jnet"
    # chains
    "chain-add-regular|add table inet jnet|add chain inet jnet isolation"
    "chain-add-nat-postrouting|add table inet jnet|add chain inet jnet postrouting { type nat hook postrouting priority srcnat; policy accept; }"
    "chain-add-nat-prerouting|add table inet jnet|add chain inet jnet prerouting { type nat hook prerouting priority dstnat; policy accept; }"
    "chain-add-filter-forward-drop|add table inet jnet|add chain inet jnet forward { type filter hook forward priority filter; policy drop; }"
    "chain-add-route-output|add table ip jnet|add chain ip jnet output { type route hook output priority mangle; policy accept; }"
    "chain-add-filter-input-negative|add table ip6 jnet|add chain ip6 jnet input { type filter hook input priority -5; policy accept; }"
    "chain-flush|BASE|flush chain inet jnet forward"
    "chain-delete|BASE|delete chain inet jnet isolation"
    # rules
    "rule-masquerade|BASE|add rule inet jnet postrouting iifname \"br0\" oifname != \"br0\" ip saddr 10.233.0.0/24 masquerade comment \"masq br0\""
    "rule-dnat-map|BASE|add rule inet jnet prerouting fib daddr type local dnat ip to meta l4proto . th dport map @dnat4"
    "rule-ct-state|BASE|add rule inet jnet forward ct state established,related accept"
    "rule-vmap|BASE|add rule inet jnet forward iifname vmap @vm"
    "rule-verdicts|BASE|add rule inet jnet forward jump isolation
add rule inet jnet forward goto isolation
add rule inet jnet isolation return
add rule inet jnet forward drop
add rule inet jnet forward continue
add rule inet jnet forward counter accept"
    "rule-insert|BASE|insert rule inet jnet forward oifname \"br0\" drop comment \"ICC\""
    "rule-snat-ip|BASE|add rule inet jnet postrouting ip saddr 10.233.0.0/24 snat ip to 198.18.0.1"
    "rule-snat-ip6|BASE|add rule inet jnet postrouting ip6 saddr fd00:1::/64 snat ip6 to fd00::1"
    "rule-snat-range|BASE|add rule inet jnet postrouting meta l4proto tcp snat ip to 10.0.0.1-10.0.0.5:100-200"
    "rule-dnat-port-range|BASE|add rule inet jnet prerouting meta l4proto tcp dnat ip to 10.233.0.2:8000-8010"
    "rule-dnat-addr|BASE|add rule inet jnet prerouting ip daddr 198.18.0.1 dnat ip to 10.233.0.2"
    "rule-lookup-inverted|BASE|add rule inet jnet forward ip saddr != @subnets drop"
    "rule-meta-mark|BASE|add rule inet jnet forward meta mark 0x2000 accept
add rule inet jnet forward meta mark set 0x2000
add rule inet jnet forward ct mark set meta mark"
    "rule-ct-original-daddr|BASE|add rule inet jnet forward ct original ip daddr 10.0.0.1 accept"
    "rule-hairpin|BASE|add rule inet jnet postrouting iifname \"br0\" oifname \"br0\" ct status dnat masquerade"
    "rule-cmp-ops|BASE|add rule inet jnet forward tcp dport 1000-2000 accept
add rule inet jnet forward tcp dport < 1024 accept
add rule inet jnet forward tcp dport > 1024 accept"
    "rule-range-neq|BASE|add rule inet jnet forward tcp dport != 1000-2000 accept"
    "rule-masq-flags|BASE|add rule inet jnet postrouting masquerade random,persistent
add rule inet jnet postrouting meta l4proto tcp masquerade to :1024-65535"
    "rule-prefix-bitwise|BASE|add rule inet jnet forward ip saddr 10.233.0.0/23 accept"
    "rule-ip6-daddr|BASE|add rule inet jnet forward ip6 daddr fd00::5 accept"
    "rule-iif|BASE|add rule inet jnet forward iif \"lo\" accept
add rule inet jnet forward meta iiftype ether accept"
    "rule-martian|BASE|add rule inet jnet prerouting iifname != \"lo\" ip saddr 127.0.0.0/8 drop"
    "rule-delete|BASE
add rule inet jnet forward drop comment \"victim\"|delete rule inet jnet forward handle @HANDLE@"
    # sets and maps
    "set-add-interval|add table inet jnet|add set inet jnet subnets { type ipv4_addr; flags interval; }"
    "map-add-concat|add table inet jnet|add map inet jnet dnat4 { type inet_proto . inet_service : ipv4_addr . inet_service; }"
    "map-add-concat-interval|add table inet jnet|add map inet jnet ports { type inet_proto . inet_service : ipv4_addr . inet_service; flags interval; }"
    "vmap-add|add table inet jnet|add map inet jnet vm { type ifname : verdict; }"
    "set-add-ip6-mark|add table inet jnet|add set inet jnet v6 { type ipv6_addr; }
add set inet jnet marks { type mark; }"
    "set-delete|BASE|delete map inet jnet dnat4"
    "set-and-rule-one-batch|add table inet jnet
add chain inet jnet forward { type filter hook forward priority filter; policy drop; }|add set inet jnet blocked { type ipv4_addr; }
add element inet jnet blocked { 198.18.0.9 }
add rule inet jnet forward ip saddr @blocked drop"
    # elements
    "elem-add-concat|BASE|add element inet jnet dnat4 { tcp . 8080 : 10.233.0.2 . 80, udp . 53 : 10.233.0.3 . 53 }"
    "elem-delete-concat|BASE
add element inet jnet dnat4 { tcp . 8080 : 10.233.0.2 . 80 }|delete element inet jnet dnat4 { tcp . 8080 }"
    "elem-add-interval|BASE|add element inet jnet subnets { 10.233.0.0/24, 10.233.5.1 }"
    "elem-delete-interval|BASE
add element inet jnet subnets { 10.233.0.0/24 }|delete element inet jnet subnets { 10.233.0.0/24 }"
    "elem-add-concat-interval|BASE|add element inet jnet ports { tcp . 8000-8010 : 10.233.0.2 . 80 }"
    "elem-delete-concat-interval|BASE
add element inet jnet ports { tcp . 8000-8010 : 10.233.0.2 . 80 }|delete element inet jnet ports { tcp . 8000-8010 }"
    "elem-add-vmap|BASE|add element inet jnet vm { \"br0\" : jump isolation, \"br1\" : drop }"
    "elem-destroy-fallback|BASE|add element inet jnet dnat4 { tcp . 8080 : 10.233.0.2 . 80 }
delete element inet jnet dnat4 { tcp . 8080 }"
    "elem-add-interval-edges|BASE|add element inet jnet subnets { 0.0.0.0/8, 255.0.0.0/8 }"
    "elem-add-interval-map|add table inet jnet
add map inet jnet pr { type inet_service : ipv4_addr; flags interval; }|add element inet jnet pr { 1000-2000 : 10.0.0.1 }"
    # the DNAT maps of published ports, for IPv6 and per host address
    "map-add-hostports|add table inet jnet|add map inet jnet hostports { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }
add map inet jnet dnat6 { type inet_proto . inet_service : ipv6_addr . inet_service; }"
    "rule-dnat-maps|add table inet jnet
add map inet jnet hostports { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }
add map inet jnet dnat6 { type inet_proto . inet_service : ipv6_addr . inet_service; }
add chain inet jnet prerouting { type nat hook prerouting priority dstnat; policy accept; }|add rule inet jnet prerouting dnat ip to ip daddr . meta l4proto . th dport map @hostports
add rule inet jnet prerouting dnat ip6 to meta l4proto . th dport map @dnat6"
    "elem-add-hostports|add table inet jnet
add map inet jnet hostports { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }
add map inet jnet dnat6 { type inet_proto . inet_service : ipv6_addr . inet_service; }|add element inet jnet hostports { 198.18.0.1 . tcp . 8080 : 10.233.0.2 . 80 }
add element inet jnet dnat6 { udp . 53 : fd00:1::2 . 5353 }"
)

want=" $* "
for c in "${CASES[@]}"; do
    name=${c%%|*}
    rest=${c#*|}
    setup=${rest%%|*}
    command=${rest#*|}
    setup=${setup//BASE/$BASE}
    if [[ $# -eq 0 || "$want" == *" $name "* ]]; then
        capture "$name" "$setup" "$command"
    fi
done
