package io.jnet.kernel.rtnl;

/**
 * A network interface as the kernel reports it.
 *
 * @param kind   the IFLA_INFO_KIND ("bridge", "veth", ...) or "" for devices without one (lo, physical)
 * @param master the index of the bridge this link is a port of, or 0
 * @param mac    "aa:bb:cc:dd:ee:ff", or "" for devices without a link-layer address
 */
public record Link(int index, String name, String kind, int flags, int mtu, String mac, int master) {

    public static final int IFF_UP = 0x1;
    public static final int IFF_LOOPBACK = 0x8;
    public static final int IFF_RUNNING = 0x40;

    public boolean isUp() {
        return (flags & IFF_UP) != 0;
    }
}
