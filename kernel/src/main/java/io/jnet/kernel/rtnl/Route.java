package io.jnet.kernel.rtnl;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A unicast route. A default route is the destination 0.0.0.0/0 (or ::/0). Start from {@link #defaultVia} or
 * {@link #link} and refine with the {@code with*} methods. {@code toString} reads like {@code ip route}.
 *
 * @param oif      the output link's index, or 0
 * @param table    the routing table; {@link #TABLE_MAIN} unless asked otherwise
 * @param priority the metric (RTA_PRIORITY); 0 leaves the kernel's default (0 for IPv4, 1024 for IPv6)
 * @param flags    RTNH_F_* flags, e.g. {@link #RTNH_F_ONLINK}
 * @param mtu      RTAX_MTU, or 0
 * @param advmss   RTAX_ADVMSS, or 0
 */
public record Route(InetAddress destination, int prefixLength, Optional<InetAddress> gateway, int oif, int table,
                    int priority, int scope, int protocol, int type, int flags, int mtu, int advmss) {

    public static final int TABLE_MAIN = 254;
    public static final int TABLE_LOCAL = 255;
    public static final int SCOPE_UNIVERSE = 0;
    public static final int SCOPE_LINK = 253;
    public static final int SCOPE_HOST = 254;
    public static final int PROTO_KERNEL = 2;
    /** What iproute2 uses for routes a person adds. */
    public static final int PROTO_BOOT = 3;
    public static final int PROTO_STATIC = 4;
    public static final int TYPE_UNICAST = 1;
    public static final int TYPE_LOCAL = 2;
    /** The gateway is on the link even if no address's prefix covers it. */
    public static final int RTNH_F_ONLINK = 4;

    public Route {
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(gateway, "gateway");
        Family family = Family.of(destination);
        if (prefixLength < 0 || prefixLength > family.bits()) {
            throw new IllegalArgumentException("prefix length " + prefixLength + " out of range for " + destination);
        }
        if (gateway.isPresent() && Family.of(gateway.get()) != family) {
            throw new IllegalArgumentException("gateway " + gateway.get().getHostAddress() + " is not of the family of "
                    + destination.getHostAddress());
        }
        if (table <= 0 || oif < 0 || priority < 0 || mtu < 0 || advmss < 0) {
            throw new IllegalArgumentException("table must be positive and oif, priority, mtu, advmss not negative");
        }
    }

    /** The default route via a gateway, out of link {@code oif} (0 lets the kernel pick the link). */
    public static Route defaultVia(InetAddress gateway, int oif) {
        return via(Family.of(gateway).any(), 0, gateway, oif);
    }

    /**
     * A prefix via a gateway out of link {@code oif}. An overlay's route to a peer's subnet is
     * {@code via(subnet, len, peerVtepAddress, vxlanIndex).withOnlink(true)}: the gateway is on no local prefix.
     */
    public static Route via(InetAddress destination, int prefixLength, InetAddress gateway, int oif) {
        return new Route(destination, prefixLength, Optional.of(gateway), oif, TABLE_MAIN, 0, SCOPE_UNIVERSE,
                PROTO_BOOT, TYPE_UNICAST, 0, 0, 0);
    }

    /** A directly connected prefix on link {@code oif} (scope link, no gateway). */
    public static Route link(InetAddress destination, int prefixLength, int oif) {
        return new Route(destination, prefixLength, Optional.empty(), oif, TABLE_MAIN, 0, SCOPE_LINK, PROTO_BOOT,
                TYPE_UNICAST, 0, 0, 0);
    }

    public Route withMetric(int priority) {
        return new Route(destination, prefixLength, gateway, oif, table, priority, scope, protocol, type, flags, mtu, advmss);
    }

    public Route withTable(int table) {
        return new Route(destination, prefixLength, gateway, oif, table, priority, scope, protocol, type, flags, mtu, advmss);
    }

    public Route withOnlink(boolean onlink) {
        int f = onlink ? flags | RTNH_F_ONLINK : flags & ~RTNH_F_ONLINK;
        return new Route(destination, prefixLength, gateway, oif, table, priority, scope, protocol, type, f, mtu, advmss);
    }

    public Route withMtu(int mtu) {
        return new Route(destination, prefixLength, gateway, oif, table, priority, scope, protocol, type, flags, mtu, advmss);
    }

    public Route withAdvmss(int advmss) {
        return new Route(destination, prefixLength, gateway, oif, table, priority, scope, protocol, type, flags, mtu, advmss);
    }

    public Route withScope(int scope) {
        return new Route(destination, prefixLength, gateway, oif, table, priority, scope, protocol, type, flags, mtu, advmss);
    }

    public Route withProtocol(int protocol) {
        return new Route(destination, prefixLength, gateway, oif, table, priority, scope, protocol, type, flags, mtu, advmss);
    }

    public Family family() {
        return Family.of(destination);
    }

    public boolean isDefault() {
        return prefixLength == 0;
    }

    public boolean isOnlink() {
        return (flags & RTNH_F_ONLINK) != 0;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(isDefault() ? "default" : destination.getHostAddress() + "/" + prefixLength);
        gateway.ifPresent(g -> s.append(" via ").append(g.getHostAddress()));
        if (oif != 0) {
            s.append(" dev ").append(oif);
        }
        if (table != TABLE_MAIN) {
            s.append(" table ").append(table);
        }
        if (priority != 0) {
            s.append(" metric ").append(priority);
        }
        if (isOnlink()) {
            s.append(" onlink");
        }
        if (mtu != 0) {
            s.append(" mtu ").append(mtu);
        }
        if (advmss != 0) {
            s.append(" advmss ").append(advmss);
        }
        return s.toString();
    }
}
