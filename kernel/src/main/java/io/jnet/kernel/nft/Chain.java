package io.jnet.kernel.nft;

import java.util.Optional;

/**
 * A chain of a table: a regular chain (reached by jump/goto) or a base chain that hooks into the stack
 * ({@link #base()} present).
 */
public record Chain(Table table, String name, Optional<Hook> base) {

    /** Named priorities, as nft spells them for the ip, ip6 and inet families. */
    public static final int PRIORITY_RAW = -300;
    public static final int PRIORITY_MANGLE = -150;
    public static final int PRIORITY_DSTNAT = -100;
    public static final int PRIORITY_FILTER = 0;
    public static final int PRIORITY_SECURITY = 50;
    public static final int PRIORITY_SRCNAT = 100;

    public enum Type {
        FILTER("filter"), NAT("nat"), ROUTE("route");

        final String wire;

        Type(String wire) {
            this.wire = wire;
        }

        static Type of(String wire) {
            for (Type t : values()) {
                if (t.wire.equals(wire)) {
                    return t;
                }
            }
            throw new IllegalArgumentException("unknown chain type " + wire);
        }
    }

    /** The netfilter hook points of the ip, ip6 and inet families (NF_INET_*). */
    public enum HookPoint {
        PREROUTING(0), INPUT(1), FORWARD(2), OUTPUT(3), POSTROUTING(4);

        /** The kernel's number for it. */
        final int wire;

        HookPoint(int wire) {
            this.wire = wire;
        }

        static HookPoint of(int wire) {
            for (HookPoint v : values()) {
                if (v.wire == wire) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown hook " + wire);
        }
    }

    /** A base chain's default verdict (NF_DROP, NF_ACCEPT). */
    public enum Policy {
        DROP(0), ACCEPT(1);

        /** The kernel's number for it. */
        final int wire;

        Policy(int wire) {
            this.wire = wire;
        }

        static Policy of(int wire) {
            for (Policy v : values()) {
                if (v.wire == wire) {
                    return v;
                }
            }
            throw new IllegalArgumentException("unknown chain policy " + wire);
        }
    }

    /** How a base chain hooks in: its type, hook, (signed) priority and default policy. */
    public record Hook(Type type, HookPoint hook, int priority, Policy policy) {
    }

    public Chain {
        Names.check("chain", name);
    }

    public static Chain regular(Table table, String name) {
        return new Chain(table, name, Optional.empty());
    }

    public static Chain base(Table table, String name, Type type, HookPoint hook, int priority, Policy policy) {
        return new Chain(table, name, Optional.of(new Hook(type, hook, priority, policy)));
    }

    @Override
    public String toString() {
        return "chain " + table + " " + name;
    }
}
