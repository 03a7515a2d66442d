package io.jnet.kernel.rtnl;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * A forwarding-database entry (an AF_BRIDGE neighbour) of link {@code index}: frames to {@code mac} go to
 * {@code destination}. On a VXLAN device the destination is the peer's underlay address, the remote end of the
 * tunnel; see {@link #vxlanPeer}. {@code toString} reads like {@code bridge fdb}.
 *
 * @param destination NDA_DST: for a VXLAN device, the remote VTEP's underlay address; empty for a bridge's entries
 * @param state       NUD_* state bits ({@link Neighbour#NUD_PERMANENT} for a static entry)
 * @param flags       NTF_* flags: {@link Neighbour#NTF_SELF} for the device's own table,
 *                    {@link Neighbour#NTF_MASTER} for its bridge's
 */
public record FdbEntry(int index, MacAddress mac, Optional<InetAddress> destination, int state, int flags) {

    public FdbEntry {
        if (index <= 0) {
            throw new IllegalArgumentException("link index must be positive: " + index);
        }
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(destination, "destination");
        if ((state & ~0xffff) != 0 || (flags & ~0xff) != 0) {
            throw new IllegalArgumentException("state is 16 bits and flags 8: " + state + ", " + flags);
        }
    }

    /**
     * A static entry in a VXLAN device's own table: the peer VTEP {@code mac} is reached at {@code underlay}. The
     * state is permanent and noarp, exactly what {@code bridge fdb append|replace MAC dev DEV dst IP self permanent}
     * sends, so that the kernel reports back what was asked.
     */
    public static FdbEntry vxlanPeer(int index, MacAddress mac, InetAddress underlay) {
        return new FdbEntry(index, mac, Optional.of(underlay), Neighbour.NUD_PERMANENT | Neighbour.NUD_NOARP,
                Neighbour.NTF_SELF);
    }

    public boolean isPermanent() {
        return (state & Neighbour.NUD_PERMANENT) != 0;
    }

    @Override
    public String toString() {
        return mac + " dev " + index + destination.map(d -> " dst " + d.getHostAddress()).orElse("")
                + ((flags & Neighbour.NTF_SELF) != 0 ? " self" : "")
                + ((flags & Neighbour.NTF_MASTER) != 0 ? " master" : "")
                + (isPermanent() ? " permanent" : "");
    }
}
