package io.jnet.kernel.nft;

import java.util.Objects;
import java.util.Optional;

/**
 * One nf_tables expression of a rule, as the kernel executes it (what {@code nft --debug=netlink} prints). The
 * records hold exactly the attributes that go on the wire, so that decoding an encoded expression gives it back.
 * {@link Rules} builds the usual nft matches and statements from these.
 */
public sealed interface Expr {

    /**
     * The form the kernel reports back: it fills in defaults (nat's max registers, implied nat flags) and live
     * counters. Compare rules read from the kernel with what was written by comparing canonical forms.
     */
    default Expr canonical() {
        return this;
    }

    /** {@code meta load <key> => <dreg>}. */
    record Meta(MetaKey key, Reg dreg) implements Expr {
    }

    /** {@code meta set <key> with <sreg>}, e.g. {@code meta mark set ...}. */
    record MetaSet(MetaKey key, Reg sreg) implements Expr {
    }

    /** {@code payload load <length>b @ <base> header + <offset> => <dreg>}. */
    record Payload(PayloadBase base, int offset, int length, Reg dreg) implements Expr {
        public Payload {
            if (offset < 0 || length <= 0 || length > 64) {
                throw new IllegalArgumentException("payload offset " + offset + " length " + length);
            }
        }
    }

    /** {@code cmp <op> <sreg> <data>}. */
    record Cmp(CmpOp op, Reg sreg, Bytes data) implements Expr {
    }

    /** {@code range eq|neq <sreg> <from> <to>} (inclusive, compared as unsigned big-endian numbers). */
    record Range(CmpOp op, Reg sreg, Bytes from, Bytes to) implements Expr {
        public Range {
            if (op != CmpOp.EQ && op != CmpOp.NEQ) {
                throw new IllegalArgumentException("range takes eq or neq, not " + op);
            }
            if (from.length() != to.length()) {
                throw new IllegalArgumentException("range bounds of different lengths: " + from + ", " + to);
            }
        }
    }

    /** {@code bitwise <dreg> = (<sreg> & <mask>) ^ <xor>} over {@code mask.length()} bytes. */
    record Bitwise(Reg sreg, Reg dreg, Bytes mask, Bytes xor) implements Expr {
        public Bitwise {
            if (mask.length() != xor.length() || mask.length() == 0) {
                throw new IllegalArgumentException("bitwise mask " + mask + " and xor " + xor + " differ in length");
            }
        }
    }

    /** {@code immediate <dreg> <data>}: a value into a register, or a verdict into {@link Reg#VERDICT}. */
    record Immediate(Reg dreg, Data data) implements Expr {
        public Immediate {
            if ((data instanceof Verdict) != dreg.equals(Reg.VERDICT)) {
                throw new IllegalArgumentException("verdicts, and only verdicts, go to the verdict register");
            }
        }
    }

    /** {@code lookup <sreg> set <set>}: membership in a named set; {@code inverted} is {@code != @set}. */
    record Lookup(Reg sreg, String set, boolean inverted) implements Expr {
        public Lookup {
            Names.check("set", set);
        }
    }

    /**
     * {@code lookup <sreg> set <map> dreg <dreg>}: the value a named map holds for the key, into a register, or a
     * verdict map's verdict into {@link Reg#VERDICT}. No match ends the rule.
     */
    record MapLookup(Reg sreg, String map, Reg dreg) implements Expr {
        public MapLookup {
            Names.check("map", map);
        }
    }

    /** {@code ct load <key> => <dreg> [, dir <direction>]}. */
    record Ct(CtKey key, Optional<CtDirection> direction, Reg dreg) implements Expr {
        public Ct {
            Objects.requireNonNull(direction);
        }

        public static Ct of(CtKey key, Reg dreg) {
            return new Ct(key, Optional.empty(), dreg);
        }
    }

    /** {@code ct set <key> with <sreg>}, e.g. {@code ct mark set ...}. */
    record CtSet(CtKey key, Reg sreg) implements Expr {
    }

    /**
     * {@code nat snat|dnat <family> addr_min <reg> [addr_max <reg>] [proto_min <reg> [proto_max <reg>]] [flags]}.
     * {@code flags} are the NF_NAT_RANGE_* bits that are sent; nft sends {@link #PROTO_SPECIFIED} for a port
     * given as an immediate, and the kernel adds {@link #MAP_IPS} and {@link #PROTO_SPECIFIED} by itself.
     */
    record Nat(NatType type, Family family, Optional<Reg> addrMin, Optional<Reg> addrMax, Optional<Reg> protoMin,
               Optional<Reg> protoMax, int flags) implements Expr {

        public static final int MAP_IPS = 0x1;
        public static final int PROTO_SPECIFIED = 0x2;
        public static final int RANDOM = 0x4;
        public static final int PERSISTENT = 0x8;
        public static final int RANDOM_FULLY = 0x10;
        public static final int NETMAP = 0x40;

        public Nat {
            if (family != Family.IP && family != Family.IP6) {
                throw new IllegalArgumentException("nat family is ip or ip6, not " + family);
            }
            if (addrMax.isPresent() && addrMin.isEmpty() || protoMax.isPresent() && protoMin.isEmpty()) {
                throw new IllegalArgumentException("a nat range maximum needs its minimum");
            }
        }

        @Override
        public Expr canonical() {
            int implied = (addrMin.isPresent() ? MAP_IPS : 0) | (protoMin.isPresent() ? PROTO_SPECIFIED : 0);
            return new Nat(type, family, addrMin, addrMax.or(() -> addrMin), protoMin, protoMax.or(() -> protoMin),
                    flags | implied);
        }
    }

    /** {@code masq [proto_min <reg> [proto_max <reg>]] [flags]} (flags as for {@link Nat}). */
    record Masquerade(int flags, Optional<Reg> protoMin, Optional<Reg> protoMax) implements Expr {
        public Masquerade {
            if (protoMax.isPresent() && protoMin.isEmpty()) {
                throw new IllegalArgumentException("a port range maximum needs its minimum");
            }
        }

        @Override
        public Expr canonical() {
            return new Masquerade(flags, protoMin, protoMax.or(() -> protoMin));
        }
    }

    /** {@code counter}: the kernel reports what it counted; a new counter starts from the values sent. */
    record Counter(long packets, long bytes) implements Expr {
        @Override
        public Expr canonical() {
            return new Counter(0, 0);
        }
    }

    /** {@code fib <flags> <result> => <dreg>}, e.g. {@code fib daddr type}. */
    record Fib(int flags, FibResult result, Reg dreg) implements Expr {
        public static final int SADDR = 0x1;
        public static final int DADDR = 0x2;
        public static final int MARK = 0x4;
        public static final int IIF = 0x8;
        public static final int OIF = 0x10;
        public static final int PRESENT = 0x20;
    }

    /** An expression this library does not model, kept as its name and raw NFTA_EXPR_DATA (whole attributes). */
    record Unknown(String name, Bytes data) implements Expr {
        public Unknown {
            if (data.length() % 4 != 0) {
                throw new IllegalArgumentException("expression data are padded attributes, not " + data);
            }
        }
    }

    /** NFT_META_* keys that jnet's rules use. */
    enum MetaKey {
        LEN(0), PROTOCOL(1), PRIORITY(2), MARK(3), IIF(4), OIF(5), IIFNAME(6), OIFNAME(7), IIFTYPE(8), OIFTYPE(9),
        SKUID(10), SKGID(11), NFPROTO(15), L4PROTO(16), PKTTYPE(19), IIFGROUP(21), OIFGROUP(22), IIFKIND(26),
        OIFKIND(27);

        final int wire;

        MetaKey(int wire) {
            this.wire = wire;
        }

        static MetaKey of(int wire) {
            for (MetaKey k : values()) {
                if (k.wire == wire) {
                    return k;
                }
            }
            throw new IllegalArgumentException("meta key " + wire);
        }
    }

    /** NFT_CT_* keys; the address keys and the proto ports need a direction. */
    enum CtKey {
        STATE(0), DIRECTION(1), STATUS(2), MARK(3), EXPIRATION(5), L3PROTOCOL(7), SRC(8), DST(9), PROTOCOL(10),
        PROTO_SRC(11), PROTO_DST(12), ZONE(17), SRC_IP(19), DST_IP(20), SRC_IP6(21), DST_IP6(22), ID(23);

        final int wire;

        CtKey(int wire) {
            this.wire = wire;
        }

        static CtKey of(int wire) {
            for (CtKey k : values()) {
                if (k.wire == wire) {
                    return k;
                }
            }
            throw new IllegalArgumentException("ct key " + wire);
        }
    }

    enum CtDirection {
        ORIGINAL(0), REPLY(1);

        /** The kernel's number for it. */
        final int wire;

        CtDirection(int wire) {
            this.wire = wire;
        }

        static CtDirection of(int wire) {
            for (CtDirection v : values()) {
                if (v.wire == wire) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown conntrack direction " + wire);
        }
    }

    enum PayloadBase {
        LINK(0), NETWORK(1), TRANSPORT(2), INNER(3);

        /** The kernel's number for it. */
        final int wire;

        PayloadBase(int wire) {
            this.wire = wire;
        }

        static PayloadBase of(int wire) {
            for (PayloadBase v : values()) {
                if (v.wire == wire) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown payload base " + wire);
        }
    }

    enum CmpOp {
        EQ(0), NEQ(1), LT(2), LTE(3), GT(4), GTE(5);

        /** The kernel's number for it. */
        final int wire;

        CmpOp(int wire) {
            this.wire = wire;
        }

        static CmpOp of(int wire) {
            for (CmpOp v : values()) {
                if (v.wire == wire) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown comparison " + wire);
        }
    }

    enum NatType {
        SNAT(0), DNAT(1);

        /** The kernel's number for it. */
        final int wire;

        NatType(int wire) {
            this.wire = wire;
        }

        static NatType of(int wire) {
            for (NatType v : values()) {
                if (v.wire == wire) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown nat type " + wire);
        }
    }

    enum FibResult {
        OIF(1), OIFNAME(2), ADDRTYPE(3);

        final int wire;

        FibResult(int wire) {
            this.wire = wire;
        }

        static FibResult of(int wire) {
            for (FibResult r : values()) {
                if (r.wire == wire) {
                    return r;
                }
            }
            throw new IllegalArgumentException("fib result " + wire);
        }
    }
}
