package io.jnet.kernel.nft;

import io.jnet.kernel.nft.Expr.Bitwise;
import io.jnet.kernel.nft.Expr.Cmp;
import io.jnet.kernel.nft.Expr.CmpOp;
import io.jnet.kernel.nft.Expr.Ct;
import io.jnet.kernel.nft.Expr.CtKey;
import io.jnet.kernel.nft.Expr.Fib;
import io.jnet.kernel.nft.Expr.FibResult;
import io.jnet.kernel.nft.Expr.Immediate;
import io.jnet.kernel.nft.Expr.Lookup;
import io.jnet.kernel.nft.Expr.MapLookup;
import io.jnet.kernel.nft.Expr.Masquerade;
import io.jnet.kernel.nft.Expr.Meta;
import io.jnet.kernel.nft.Expr.MetaKey;
import io.jnet.kernel.nft.Expr.Nat;
import io.jnet.kernel.nft.Expr.NatType;
import io.jnet.kernel.nft.Expr.Payload;
import io.jnet.kernel.nft.Expr.PayloadBase;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The matches and statements of nft's language as the expressions that nft itself generates for them (checked
 * against {@code nft --debug=netlink} by the golden tests), for rules in an {@code inet} table. For example
 * {@code iifname "br0" oifname != "br0" ip saddr 10.233.0.0/24 masquerade} is
 * <pre>{@code
 * Rule.in(postrouting).add(Rules.iifname("br0")).add(Rules.oifnameNot("br0"))
 *     .add(Rules.saddr(InetAddress.getByName("10.233.0.0"), 24)).add(Rules.masquerade()).build();
 * }</pre>
 */
public final class Rules {

    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int SCTP = 132;

    /** ct state bits (host byte order, as {@code ct state} compares them). */
    public static final int CT_STATE_INVALID = 0x1;
    public static final int CT_STATE_ESTABLISHED = 0x2;
    public static final int CT_STATE_RELATED = 0x4;
    public static final int CT_STATE_NEW = 0x8;
    public static final int CT_STATE_UNTRACKED = 0x40;

    /** ct status bits (IPS_*). */
    public static final int CT_STATUS_SNAT = 0x10;
    public static final int CT_STATUS_DNAT = 0x20;

    private static final int RTN_LOCAL = 2;
    private static final int IPV4_SADDR = 12;
    private static final int IPV4_DADDR = 16;
    private static final int IPV6_SADDR = 8;
    private static final int IPV6_DADDR = 24;
    private static final int TH_SPORT = 0;
    private static final int TH_DPORT = 2;

    private Rules() {
    }

    /** {@code iifname "<name>"}. */
    public static List<Expr> iifname(String name) {
        return ifname(MetaKey.IIFNAME, CmpOp.EQ, name);
    }

    /** {@code iifname != "<name>"}. */
    public static List<Expr> iifnameNot(String name) {
        return ifname(MetaKey.IIFNAME, CmpOp.NEQ, name);
    }

    /** {@code oifname "<name>"}. */
    public static List<Expr> oifname(String name) {
        return ifname(MetaKey.OIFNAME, CmpOp.EQ, name);
    }

    /** {@code oifname != "<name>"}. */
    public static List<Expr> oifnameNot(String name) {
        return ifname(MetaKey.OIFNAME, CmpOp.NEQ, name);
    }

    private static List<Expr> ifname(MetaKey key, CmpOp op, String name) {
        return List.of(new Meta(key, Reg.R1), new Cmp(op, Reg.R1, Bytes.ifname(name)));
    }

    /** {@code meta nfproto ipv4|ipv6}: the implicit dependency of an ip or ip6 match in an inet table. */
    public static List<Expr> nfproto(Family family) {
        return List.of(new Meta(MetaKey.NFPROTO, Reg.R1), new Cmp(CmpOp.EQ, Reg.R1, Bytes.u8(family.wire)));
    }

    /** {@code meta l4proto <proto>}, e.g. {@link #TCP}. */
    public static List<Expr> l4proto(int protocol) {
        return List.of(new Meta(MetaKey.L4PROTO, Reg.R1), new Cmp(CmpOp.EQ, Reg.R1, Bytes.u8(protocol)));
    }

    /** {@code meta mark <mark>}. */
    public static List<Expr> mark(int mark) {
        return List.of(new Meta(MetaKey.MARK, Reg.R1), new Cmp(CmpOp.EQ, Reg.R1, Bytes.host32(mark)));
    }

    /** {@code ip saddr <prefix>} or {@code ip6 saddr <prefix>}. */
    public static List<Expr> saddr(InetAddress address, int prefixLength) {
        return prefix(address, prefixLength, true, CmpOp.EQ);
    }

    /** {@code ip daddr <prefix>} or {@code ip6 daddr <prefix>}. */
    public static List<Expr> daddr(InetAddress address, int prefixLength) {
        return prefix(address, prefixLength, false, CmpOp.EQ);
    }

    /** {@code ip saddr != <prefix>} or the ip6 form. */
    public static List<Expr> saddrNot(InetAddress address, int prefixLength) {
        return prefix(address, prefixLength, true, CmpOp.NEQ);
    }

    /** {@code ip daddr != <prefix>} or the ip6 form. */
    public static List<Expr> daddrNot(InetAddress address, int prefixLength) {
        return prefix(address, prefixLength, false, CmpOp.NEQ);
    }

    /**
     * A prefix as nft matches it: a whole-byte prefix loads only those bytes; any other prefix loads the address,
     * masks it with a bitwise and compares the masked network.
     */
    private static List<Expr> prefix(InetAddress address, int prefixLength, boolean source, CmpOp op) {
        boolean v4 = address instanceof Inet4Address;
        int bytes = v4 ? 4 : 16;
        if (prefixLength <= 0 || prefixLength > bytes * 8) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " for " + address.getHostAddress());
        }
        int offset = v4 ? (source ? IPV4_SADDR : IPV4_DADDR) : (source ? IPV6_SADDR : IPV6_DADDR);
        List<Expr> out = new ArrayList<>(nfproto(v4 ? Family.IP : Family.IP6));
        Bytes network = Element.prefix(Bytes.address(address), prefixLength).key();
        if (prefixLength % 8 == 0) {
            out.add(new Payload(PayloadBase.NETWORK, offset, prefixLength / 8, Reg.R1));
            out.add(new Cmp(op, Reg.R1, network.resize(prefixLength / 8)));
        } else {
            out.add(new Payload(PayloadBase.NETWORK, offset, bytes, Reg.R1));
            out.add(new Bitwise(Reg.R1, Reg.R1, mask(bytes, prefixLength), Bytes.zeros(bytes)));
            out.add(new Cmp(op, Reg.R1, network));
        }
        return out;
    }

    private static Bytes mask(int bytes, int prefixLength) {
        byte[] m = new byte[bytes];
        for (int bit = 0; bit < prefixLength; bit++) {
            m[bit / 8] |= (byte) (0x80 >>> (bit % 8));
        }
        return Bytes.of(m);
    }

    /** {@code ip saddr @set} / {@code ip saddr != @set} for a set of ipv4_addr. */
    public static List<Expr> saddrIn(String set, boolean inverted) {
        return addressLookup(IPV4_SADDR, set, inverted);
    }

    /** {@code ip daddr @set} / {@code ip daddr != @set} for a set of ipv4_addr. */
    public static List<Expr> daddrIn(String set, boolean inverted) {
        return addressLookup(IPV4_DADDR, set, inverted);
    }

    private static List<Expr> addressLookup(int offset, String set, boolean inverted) {
        List<Expr> out = new ArrayList<>(nfproto(Family.IP));
        out.add(new Payload(PayloadBase.NETWORK, offset, 4, Reg.R1));
        out.add(new Lookup(Reg.R1, set, inverted));
        return out;
    }

    /** {@code th dport <port>} after a {@link #l4proto} match: {@code tcp dport 80} is l4proto + this. */
    public static List<Expr> dport(int port) {
        return List.of(new Payload(PayloadBase.TRANSPORT, TH_DPORT, 2, Reg.R1),
                new Cmp(CmpOp.EQ, Reg.R1, Bytes.be16(port)));
    }

    /** {@code th sport <port>} after a {@link #l4proto} match. */
    public static List<Expr> sport(int port) {
        return List.of(new Payload(PayloadBase.TRANSPORT, TH_SPORT, 2, Reg.R1),
                new Cmp(CmpOp.EQ, Reg.R1, Bytes.be16(port)));
    }

    /** {@code ct state <bits>}, any of them, e.g. {@code ct state established,related}. */
    public static List<Expr> ctState(int bits) {
        return ctBits(CtKey.STATE, bits);
    }

    /** {@code ct status <bits>}, any of them, e.g. {@code ct status dnat}. */
    public static List<Expr> ctStatus(int bits) {
        return ctBits(CtKey.STATUS, bits);
    }

    private static List<Expr> ctBits(CtKey key, int bits) {
        return List.of(Ct.of(key, Reg.R1),
                new Bitwise(Reg.R1, Reg.R1, Bytes.host32(bits), Bytes.host32(0)),
                new Cmp(CmpOp.NEQ, Reg.R1, Bytes.host32(0)));
    }

    /** {@code fib daddr type local}: the destination is an address of this host. */
    public static List<Expr> fibDaddrLocal() {
        return List.of(new Fib(Fib.DADDR, FibResult.ADDRTYPE, Reg.R1),
                new Cmp(CmpOp.EQ, Reg.R1, Bytes.host32(RTN_LOCAL)));
    }

    /** {@code iifname vmap @map} for a map of ifname to verdict. */
    public static List<Expr> iifnameVmap(String map) {
        return List.of(new Meta(MetaKey.IIFNAME, Reg.R1), new MapLookup(Reg.R1, map, Reg.VERDICT));
    }

    /** {@code oifname vmap @map} for a map of ifname to verdict. */
    public static List<Expr> oifnameVmap(String map) {
        return List.of(new Meta(MetaKey.OIFNAME, Reg.R1), new MapLookup(Reg.R1, map, Reg.VERDICT));
    }

    /**
     * {@code dnat ip to meta l4proto . th dport map @map} (or {@code dnat ip6}) for a map of
     * {@code inet_proto . inet_service : ipv4_addr . inet_service} (or {@code ipv6_addr . inet_service}).
     */
    public static List<Expr> dnatByProtoPort(Family family, String map) {
        return List.of(new Meta(MetaKey.L4PROTO, Reg.R1),
                new Payload(PayloadBase.TRANSPORT, TH_DPORT, 2, Reg.atOffset(4)),
                new MapLookup(Reg.R1, map, Reg.R1),
                dnatFromRegisters(family));
    }

    /**
     * {@code dnat ip to meta l4proto . th dport map @map} (or {@code dnat ip6}) for a map of
     * {@code inet_proto . inet_service : ipv4_addr} (or {@code ipv6_addr}): only the address changes, so a range
     * of ports published as one interval element keeps each port's number. (nft adds a byteorder expression for
     * the one-byte protocol in an interval key, which changes nothing and which nft lists the same way.)
     */
    public static List<Expr> dnatAddressByProtoPort(Family family, String map) {
        return List.of(new Meta(MetaKey.L4PROTO, Reg.R1),
                new Payload(PayloadBase.TRANSPORT, TH_DPORT, 2, Reg.atOffset(4)),
                new MapLookup(Reg.R1, map, Reg.R1),
                new Nat(NatType.DNAT, family, Optional.of(Reg.R1), Optional.empty(), Optional.empty(),
                        Optional.empty(), 0));
    }

    /**
     * {@code dnat ip to ip daddr . meta l4proto . th dport map @map} (or the ip6 form) for a map of
     * {@code ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service}: ports published on one host address.
     */
    public static List<Expr> dnatByDaddrProtoPort(Family family, String map) {
        boolean v4 = family == Family.IP;
        int address = v4 ? 4 : 16;
        List<Expr> out = new ArrayList<>(nfproto(family));
        out.add(new Payload(PayloadBase.NETWORK, v4 ? IPV4_DADDR : IPV6_DADDR, address, Reg.R1));
        out.add(new Meta(MetaKey.L4PROTO, Reg.atOffset(address)));
        out.add(new Payload(PayloadBase.TRANSPORT, TH_DPORT, 2, Reg.atOffset(address + 4)));
        out.add(new MapLookup(Reg.R1, map, Reg.R1));
        out.add(dnatFromRegisters(family));
        return out;
    }

    /**
     * The nat that takes the address from R1 and the port from the register after the address: NFT_REG32_01
     * after an IPv4 address, the 128-bit R2 after an IPv6 address (nft's names for them).
     */
    private static Nat dnatFromRegisters(Family family) {
        Reg port = Reg.atOffset(family == Family.IP ? 4 : 16);
        return new Nat(NatType.DNAT, family, Optional.of(Reg.R1), Optional.empty(), Optional.of(port),
                Optional.empty(), 0);
    }

    /** {@code snat ip to <address>} (or {@code snat ip6}). */
    public static List<Expr> snat(InetAddress to) {
        Family family = to instanceof Inet4Address ? Family.IP : Family.IP6;
        return List.of(new Immediate(Reg.R1, Bytes.address(to)),
                new Nat(NatType.SNAT, family, Optional.of(Reg.R1), Optional.empty(), Optional.empty(),
                        Optional.empty(), 0));
    }

    /** {@code dnat ip to <address>:<port>} (or {@code dnat ip6}), after an {@link #l4proto} match. */
    public static List<Expr> dnat(InetAddress to, int port) {
        Family family = to instanceof Inet4Address ? Family.IP : Family.IP6;
        return List.of(new Immediate(Reg.R1, Bytes.address(to)), new Immediate(Reg.R2, Bytes.be16(port)),
                new Nat(NatType.DNAT, family, Optional.of(Reg.R1), Optional.empty(), Optional.of(Reg.R2),
                        Optional.empty(), Nat.PROTO_SPECIFIED));
    }

    /** {@code masquerade}. */
    public static Expr masquerade() {
        return new Masquerade(0, Optional.empty(), Optional.empty());
    }

    /** {@code counter}. */
    public static Expr counter() {
        return new Expr.Counter(0, 0);
    }

    public static Expr accept() {
        return verdict(Verdict.ACCEPT);
    }

    public static Expr drop() {
        return verdict(Verdict.DROP);
    }

    /** {@code return}. */
    public static Expr returnFromChain() {
        return verdict(Verdict.RETURN);
    }

    public static Expr jump(String chain) {
        return verdict(Verdict.jump(chain));
    }

    public static Expr goTo(String chain) {
        return verdict(Verdict.goTo(chain));
    }

    public static Expr verdict(Verdict verdict) {
        return new Immediate(Reg.VERDICT, verdict);
    }
}
