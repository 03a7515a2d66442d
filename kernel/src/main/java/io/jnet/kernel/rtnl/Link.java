package io.jnet.kernel.rtnl;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A network interface as the kernel reports it.
 *
 * @param kind        the IFLA_INFO_KIND ("bridge", "veth", ...) or "" for devices without one (lo, physical)
 * @param flags       the IFF_* device flags
 * @param mac         "aa:bb:cc:dd:ee:ff", or "" for devices without a link-layer address
 * @param master      the index of the bridge this link is a port of, or 0
 * @param operState   the operational state (IFLA_OPERSTATE)
 * @param peerIndex   IFLA_LINK: for a veth, the index of its peer (in the peer's namespace), otherwise 0
 * @param linkNetnsId IFLA_LINK_NETNSID: the id, in this namespace, of the namespace {@code peerIndex} lives in;
 *                    empty when the peer is in the same namespace
 * @param slaveKind   the kind of the master this link is enslaved to ("bridge"), or ""
 * @param portFlags   for a bridge port, the {@link BridgePortFlag}s that are on; empty otherwise
 * @param vxlan       for a VXLAN device, its parameters as the kernel reports them; empty otherwise
 */
public record Link(int index, String name, String kind, int flags, int mtu, String mac, int master,
                   OperState operState, int peerIndex, OptionalInt linkNetnsId, String slaveKind,
                   Set<BridgePortFlag> portFlags, Optional<VxlanInfo> vxlan) {

    public static final int IFF_UP = 0x1;
    public static final int IFF_BROADCAST = 0x2;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_RUNNING = 0x40;
    public static final int IFF_PROMISC = 0x100;
    public static final int IFF_LOWER_UP = 0x10000;

    public Link {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(mac, "mac");
        Objects.requireNonNull(operState, "operState");
        Objects.requireNonNull(linkNetnsId, "linkNetnsId");
        Objects.requireNonNull(slaveKind, "slaveKind");
        portFlags = Set.copyOf(portFlags);
        Objects.requireNonNull(vxlan, "vxlan");
    }

    /** Administratively up (IFF_UP). */
    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }

    /** The link has carrier (IFF_LOWER_UP), e.g. a veth whose peer is up as well. */
    public boolean hasCarrier() {
        return (flags & IFF_LOWER_UP) != 0;
    }

    public Optional<MacAddress> macAddress() {
        return mac.isEmpty() ? Optional.empty() : Optional.of(MacAddress.parse(mac));
    }

    public boolean isBridgePort() {
        return "bridge".equals(slaveKind);
    }
}
