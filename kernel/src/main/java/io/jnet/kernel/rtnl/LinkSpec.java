package io.jnet.kernel.rtnl;

import io.jnet.kernel.netns.NetNs;

import java.util.Objects;
import java.util.Optional;

/**
 * A link to create. An MTU of 0 and an empty MAC leave the kernel's defaults. Start from {@link #bridge},
 * {@link #veth}, {@link #vxlan} or {@link #dummy} and refine with the {@code with*} methods.
 */
public sealed interface LinkSpec permits LinkSpec.Bridge, LinkSpec.Veth, LinkSpec.Vxlan, LinkSpec.Dummy {

    String name();

    int mtu();

    Optional<MacAddress> mac();

    /** The IFLA_INFO_KIND. */
    String kind();

    static Bridge bridge(String name) {
        return new Bridge(name, 0, Optional.empty(), false);
    }

    /** A veth pair whose peer stays in the namespace of the socket until {@link Veth#withPeerNetns} says otherwise. */
    static Veth veth(String name, String peerName) {
        return new Veth(name, 0, Optional.empty(), peerName, Optional.empty(), 0, Optional.empty());
    }

    /** A VXLAN device with these parameters, e.g. {@code vxlan("vx0", VxlanInfo.of(42).withLocal(underlayIp))}. */
    static Vxlan vxlan(String name, VxlanInfo info) {
        return new Vxlan(name, 0, Optional.empty(), info);
    }

    static Dummy dummy(String name) {
        return new Dummy(name, 0, Optional.empty());
    }

    /** A bridge; VLAN filtering is sent explicitly (off unless asked for). */
    record Bridge(String name, int mtu, Optional<MacAddress> mac, boolean vlanFiltering) implements LinkSpec {
        public Bridge {
            IfName.check(name, "bridge");
            checkMtu(mtu);
            Objects.requireNonNull(mac, "mac");
        }

        @Override
        public String kind() {
            return "bridge";
        }

        public Bridge withMtu(int mtu) {
            return new Bridge(name, mtu, mac, vlanFiltering);
        }

        public Bridge withMac(MacAddress mac) {
            return new Bridge(name, mtu, Optional.of(mac), vlanFiltering);
        }

        public Bridge withVlanFiltering(boolean on) {
            return new Bridge(name, mtu, mac, on);
        }
    }

    /**
     * A veth pair. The peer is born in {@code peerNetns} (IFLA_NET_NS_FD) under its final name, so it never appears in
     * the creating namespace; the handle must stay open until the link is created.
     */
    record Veth(String name, int mtu, Optional<MacAddress> mac, String peerName, Optional<NetNs> peerNetns,
                int peerMtu, Optional<MacAddress> peerMac) implements LinkSpec {
        public Veth {
            IfName.check(name, "veth");
            IfName.check(peerName, "veth peer");
            checkMtu(mtu);
            checkMtu(peerMtu);
            Objects.requireNonNull(mac, "mac");
            Objects.requireNonNull(peerNetns, "peerNetns");
            Objects.requireNonNull(peerMac, "peerMac");
        }

        /** Sets the MTU of both ends, as a container link wants. */
        @Override
        public String kind() {
            return "veth";
        }

        public Veth withMtu(int mtu) {
            return new Veth(name, mtu, mac, peerName, peerNetns, mtu, peerMac);
        }

        public Veth withMac(MacAddress mac) {
            return new Veth(name, mtu, Optional.of(mac), peerName, peerNetns, peerMtu, peerMac);
        }

        public Veth withPeerNetns(NetNs netns) {
            return new Veth(name, mtu, mac, peerName, Optional.of(netns), peerMtu, peerMac);
        }

        public Veth withPeerMtu(int peerMtu) {
            return new Veth(name, mtu, mac, peerName, peerNetns, peerMtu, peerMac);
        }

        public Veth withPeerMac(MacAddress peerMac) {
            return new Veth(name, mtu, mac, peerName, peerNetns, peerMtu, Optional.of(peerMac));
        }
    }

    /**
     * A VXLAN device. Give it a fixed MAC when peers must know it in advance (it is the VTEP MAC of their FDB and
     * neighbour entries), and an MTU 50 bytes (IPv4 underlay; 70 for IPv6) below the underlay's.
     */
    record Vxlan(String name, int mtu, Optional<MacAddress> mac, VxlanInfo info) implements LinkSpec {
        public Vxlan {
            IfName.check(name, "vxlan");
            checkMtu(mtu);
            Objects.requireNonNull(mac, "mac");
            Objects.requireNonNull(info, "info");
        }

        @Override
        public String kind() {
            return "vxlan";
        }

        public Vxlan withMtu(int mtu) {
            return new Vxlan(name, mtu, mac, info);
        }

        public Vxlan withMac(MacAddress mac) {
            return new Vxlan(name, mtu, Optional.of(mac), info);
        }
    }

    /** A dummy device (tests; kernels built without CONFIG_DUMMY refuse it). */
    record Dummy(String name, int mtu, Optional<MacAddress> mac) implements LinkSpec {
        public Dummy {
            IfName.check(name, "dummy");
            checkMtu(mtu);
            Objects.requireNonNull(mac, "mac");
        }

        @Override
        public String kind() {
            return "dummy";
        }

        public Dummy withMtu(int mtu) {
            return new Dummy(name, mtu, mac);
        }

        public Dummy withMac(MacAddress mac) {
            return new Dummy(name, mtu, Optional.of(mac));
        }
    }

    private static void checkMtu(int mtu) {
        if (mtu < 0 || mtu > 65535) {
            throw new IllegalArgumentException("MTU out of range: " + mtu);
        }
    }
}
