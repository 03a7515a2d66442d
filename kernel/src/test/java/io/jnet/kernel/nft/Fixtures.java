package io.jnet.kernel.nft;

import java.net.InetAddress;
import java.net.UnknownHostException;

import static io.jnet.kernel.nft.Datatype.IFNAME;
import static io.jnet.kernel.nft.Datatype.INET_PROTO;
import static io.jnet.kernel.nft.Datatype.INET_SERVICE;
import static io.jnet.kernel.nft.Datatype.IPV4_ADDR;
import static io.jnet.kernel.nft.Datatype.IPV6_ADDR;

/** The objects of the golden captures' setup (capture.sh's BASE), built with this library. */
final class Fixtures {
    static final Table T = new Table(Family.INET, "jnet");
    static final NftSet DNAT4 = NftSet.map(T, "dnat4", SetType.of(INET_PROTO, INET_SERVICE),
            SetType.of(IPV4_ADDR, INET_SERVICE));
    static final NftSet SUBNETS = NftSet.set(T, "subnets", SetType.of(IPV4_ADDR)).withInterval();
    static final NftSet PORTS = NftSet.map(T, "ports", SetType.of(INET_PROTO, INET_SERVICE),
            SetType.of(IPV4_ADDR, INET_SERVICE)).withInterval();
    static final NftSet VM = NftSet.verdictMap(T, "vm", SetType.of(IFNAME));
    static final NftSet HOSTPORTS = NftSet.map(T, "hostports", SetType.of(IPV4_ADDR, INET_PROTO, INET_SERVICE),
            SetType.of(IPV4_ADDR, INET_SERVICE));
    static final NftSet DNAT6 = NftSet.map(T, "dnat6", SetType.of(INET_PROTO, INET_SERVICE),
            SetType.of(IPV6_ADDR, INET_SERVICE));
    static final Chain ISOLATION = Chain.regular(T, "isolation");
    static final Chain FORWARD = Chain.base(T, "forward", Chain.Type.FILTER, Chain.HookPoint.FORWARD,
            Chain.PRIORITY_FILTER, Chain.Policy.DROP);
    static final Chain POSTROUTING = Chain.base(T, "postrouting", Chain.Type.NAT, Chain.HookPoint.POSTROUTING,
            Chain.PRIORITY_SRCNAT, Chain.Policy.ACCEPT);
    static final Chain PREROUTING = Chain.base(T, "prerouting", Chain.Type.NAT, Chain.HookPoint.PREROUTING,
            Chain.PRIORITY_DSTNAT, Chain.Policy.ACCEPT);

    private Fixtures() {
    }

    /** BASE: the table with its sets, maps and chains. */
    static NftBatch base() {
        return new NftBatch().addTable(T).addSet(DNAT4).addSet(SUBNETS).addSet(PORTS).addSet(VM)
                .addChain(ISOLATION).addChain(FORWARD).addChain(POSTROUTING).addChain(PREROUTING);
    }

    static InetAddress ip(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(literal, e);
        }
    }

    static Bytes addr(String literal) {
        return Bytes.address(ip(literal));
    }

    /** {@code <proto> . <port>}. */
    static Bytes protoPort(int proto, int port) {
        return Bytes.concat(Bytes.u8(proto), Bytes.be16(port));
    }

    /** {@code <address> . <port>}. */
    static Bytes addrPort(String address, int port) {
        return Bytes.concat(addr(address), Bytes.be16(port));
    }
}
