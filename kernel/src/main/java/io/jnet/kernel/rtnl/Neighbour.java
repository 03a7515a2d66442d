package io.jnet.kernel.rtnl;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * An IPv4 ARP or IPv6 neighbour-discovery entry: on link {@code index}, {@code address} is at {@code mac}. An
 * overlay maps each peer's VTEP address to its VTEP MAC with a {@link #permanent} entry on the VXLAN device.
 * {@code toString} reads like {@code ip neigh}.
 *
 * @param mac   the link-layer address; empty for an entry still being resolved (or failed)
 * @param state NUD_* state bits, e.g. {@link #NUD_PERMANENT}
 * @param flags NTF_* flags, e.g. {@link #NTF_ROUTER}
 */
public record Neighbour(int index, InetAddress address, Optional<MacAddress> mac, int state, int flags) {

    public static final int NUD_INCOMPLETE = 0x01;
    public static final int NUD_REACHABLE = 0x02;
    public static final int NUD_STALE = 0x04;
    public static final int NUD_FAILED = 0x20;
    public static final int NUD_NOARP = 0x40;
    /** Static: never resolved, aged or garbage-collected. */
    public static final int NUD_PERMANENT = 0x80;
    public static final int NTF_SELF = 0x02;
    public static final int NTF_MASTER = 0x04;
    public static final int NTF_ROUTER = 0x80;

    public Neighbour {
        if (index <= 0) {
            throw new IllegalArgumentException("link index must be positive: " + index);
        }
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(mac, "mac");
        if ((state & ~0xffff) != 0 || (flags & ~0xff) != 0) {
            throw new IllegalArgumentException("state is 16 bits and flags 8: " + state + ", " + flags);
        }
    }

    /** A static entry, as {@code ip neigh replace ADDRESS lladdr MAC dev INDEX nud permanent} makes. */
    public static Neighbour permanent(int index, InetAddress address, MacAddress mac) {
        return new Neighbour(index, address, Optional.of(mac), NUD_PERMANENT, 0);
    }

    public Family family() {
        return Family.of(address);
    }

    public boolean isPermanent() {
        return (state & NUD_PERMANENT) != 0;
    }

    @Override
    public String toString() {
        return address.getHostAddress() + " dev " + index + mac.map(m -> " lladdr " + m).orElse("")
                + " nud 0x" + Integer.toHexString(state);
    }
}
