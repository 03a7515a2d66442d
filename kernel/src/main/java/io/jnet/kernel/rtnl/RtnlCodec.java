package io.jnet.kernel.rtnl;

import io.jnet.kernel.netlink.Nl;
import io.jnet.kernel.netlink.NlAttrs;
import io.jnet.kernel.netlink.NlMessage;
import io.jnet.kernel.netlink.NlWriter;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

import static io.jnet.kernel.rtnl.Rtnl.*;

/**
 * Pure rtnetlink encoders and decoders, so that golden tests can check the bytes without a socket. Attributes are
 * written in the order iproute2 writes them (see the golden files), so a capture of {@code ip} can be compared.
 */
final class RtnlCodec {
    static final int NO_FD = -1;

    private static final int CREATE = Nl.F_REQUEST | Nl.F_ACK | Nl.F_CREATE | Nl.F_EXCL;
    private static final int REPLACE = Nl.F_REQUEST | Nl.F_ACK | Nl.F_CREATE | Nl.F_REPLACE;
    private static final int CHANGE = Nl.F_REQUEST | Nl.F_ACK;
    private static final int EXT_MASK = RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS;

    private RtnlCodec() {
    }

    // ---- links

    static void getLink(NlWriter w, String name) {
        w.begin(RTM_GETLINK, Nl.F_REQUEST);
        ifinfomsg(w, AF_UNSPEC, 0, 0, 0);
        w.attrU32(IFLA_EXT_MASK, EXT_MASK);
        w.attrString(IFLA_IFNAME, name);
    }

    static void getLink(NlWriter w, int index) {
        w.begin(RTM_GETLINK, Nl.F_REQUEST);
        ifinfomsg(w, AF_UNSPEC, index, 0, 0);
        w.attrU32(IFLA_EXT_MASK, EXT_MASK);
    }

    static void dumpLinks(NlWriter w) {
        w.begin(RTM_GETLINK, Nl.F_REQUEST | Nl.F_DUMP);
        ifinfomsg(w, AF_UNSPEC, 0, 0, 0);
        w.attrU32(IFLA_EXT_MASK, EXT_MASK);
    }

    /**
     * RTM_NEWLINK that creates {@code spec}. {@code peerNsFd} is the descriptor of the veth peer's namespace, or
     * {@link #NO_FD}; {@code bridgeData} false leaves out a bridge's IFLA_INFO_DATA (for kernels that refuse
     * IFLA_BR_VLAN_FILTERING because they were built without bridge VLAN filtering).
     */
    static void newLink(NlWriter w, LinkSpec spec, int peerNsFd, boolean bridgeData) {
        w.begin(RTM_NEWLINK, CREATE);
        ifinfomsg(w, AF_UNSPEC, 0, 0, 0);
        mtuAndMac(w, spec.mtu(), spec.mac());
        w.attrString(IFLA_IFNAME, spec.name());
        int linkinfo = w.nest(IFLA_LINKINFO);
        // NLA_STRING takes the kind with or without a NUL; iproute2 sends it without, and so do we
        w.attr(IFLA_INFO_KIND, spec.kind().getBytes(StandardCharsets.US_ASCII));
        if (spec instanceof LinkSpec.Bridge bridge && bridgeData) {
            int data = w.nest(IFLA_INFO_DATA);
            w.attrU8(IFLA_BR_VLAN_FILTERING, bridge.vlanFiltering() ? 1 : 0);
            w.endNest(data);
        } else if (spec instanceof LinkSpec.Veth veth) {
            int data = w.nest(IFLA_INFO_DATA);
            int peer = w.nest(VETH_INFO_PEER);
            ifinfomsg(w, AF_UNSPEC, 0, 0, 0);
            mtuAndMac(w, veth.peerMtu(), veth.peerMac());
            if (peerNsFd != NO_FD) {
                w.attrU32(IFLA_NET_NS_FD, peerNsFd);
            }
            w.attrString(IFLA_IFNAME, veth.peerName());
            w.endNest(peer);
            w.endNest(data);
        } else if (spec instanceof LinkSpec.Vxlan vxlan) {
            int data = w.nest(IFLA_INFO_DATA);
            vxlanData(w, vxlan.info());
            w.endNest(data);
        }
        w.endNest(linkinfo);
    }

    /** In iproute2's order; the port is big-endian, as the kernel's policy wants. */
    private static void vxlanData(NlWriter w, VxlanInfo info) {
        if (info.underlay() > 0) {
            w.attrU32(IFLA_VXLAN_LINK, info.underlay());
        }
        w.attrU32(IFLA_VXLAN_ID, info.vni());
        info.local().ifPresent(a ->
                w.attrAddress(Family.of(a) == Family.INET ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6, a));
        w.attrU8(IFLA_VXLAN_LEARNING, info.learning() ? 1 : 0);
        w.attrU16be(IFLA_VXLAN_PORT, info.port());
    }

    private static VxlanInfo decodeVxlan(NlAttrs data) {
        InetAddress local = data.has(IFLA_VXLAN_LOCAL) ? data.address(IFLA_VXLAN_LOCAL)
                : data.address(IFLA_VXLAN_LOCAL6);
        return new VxlanInfo(data.u32(IFLA_VXLAN_ID, 0), Optional.ofNullable(local),
                data.u16be(IFLA_VXLAN_PORT, VxlanInfo.IANA_PORT), data.u8(IFLA_VXLAN_LEARNING, 1) != 0,
                data.u32(IFLA_VXLAN_LINK, 0));
    }

    private static void mtuAndMac(NlWriter w, int mtu, Optional<MacAddress> mac) {
        if (mtu > 0) {
            w.attrU32(IFLA_MTU, mtu);
        }
        mac.ifPresent(m -> w.attr(IFLA_ADDRESS, m.toBytes()));
    }

    static void deleteLink(NlWriter w, int index) {
        w.begin(RTM_DELLINK, CHANGE);
        ifinfomsg(w, AF_UNSPEC, index, 0, 0);
    }

    static void deleteLink(NlWriter w, String name) {
        w.begin(RTM_DELLINK, CHANGE);
        ifinfomsg(w, AF_UNSPEC, 0, 0, 0);
        w.attrString(IFLA_IFNAME, name);
    }

    static void setFlags(NlWriter w, int index, int flags, int change) {
        w.begin(RTM_NEWLINK, CHANGE);
        ifinfomsg(w, AF_UNSPEC, index, flags, change);
    }

    /** Sets IFLA_MASTER; 0 releases the link from its master. */
    static void setMaster(NlWriter w, int index, int master) {
        change(w, index).attrU32(IFLA_MASTER, master);
    }

    static void setMtu(NlWriter w, int index, int mtu) {
        change(w, index).attrU32(IFLA_MTU, mtu);
    }

    static void setMac(NlWriter w, int index, MacAddress mac) {
        change(w, index).attr(IFLA_ADDRESS, mac.toBytes());
    }

    static void rename(NlWriter w, int index, String name) {
        change(w, index).attrString(IFLA_IFNAME, name);
    }

    static void moveToNetns(NlWriter w, int index, int netnsFd) {
        change(w, index).attrU32(IFLA_NET_NS_FD, netnsFd);
    }

    private static NlWriter change(NlWriter w, int index) {
        w.begin(RTM_NEWLINK, CHANGE);
        ifinfomsg(w, AF_UNSPEC, index, 0, 0);
        return w;
    }

    /** Bridge port flags in IFLA_PROTINFO of an AF_BRIDGE RTM_SETLINK, as {@code bridge link set} sends them. */
    static void setBridgePort(NlWriter w, int index, Map<BridgePortFlag, Boolean> settings) {
        w.begin(RTM_SETLINK, CHANGE);
        ifinfomsg(w, AF_BRIDGE, index, 0, 0);
        int protinfo = w.nest(IFLA_PROTINFO | Nl.NLA_F_NESTED);
        for (BridgePortFlag flag : BridgePortFlag.values()) {
            Boolean on = settings.get(flag);
            if (on != null) {
                w.attrU8(flag.attribute(), on ? 1 : 0);
            }
        }
        w.endNest(protinfo);
    }

    static void ifinfomsg(NlWriter w, int family, int index, int flags, int change) {
        // struct ifinfomsg { u8 family; u8 pad; u16 type; s32 index; u32 flags; u32 change; }
        w.u8(family).u8(0).u16(0).u32(index).u32(flags).u32(change);
    }

    static Link decodeLink(NlMessage m) {
        ByteBuffer p = m.payload();
        int index = p.getInt(4);
        int flags = p.getInt(8);
        NlAttrs attrs = m.attrs(IFINFOMSG_LEN);
        NlAttrs info = attrs.nested(IFLA_LINKINFO);
        String kind = info == null ? null : info.string(IFLA_INFO_KIND);
        String slaveKind = info == null ? null : info.string(IFLA_INFO_SLAVE_KIND);
        Set<BridgePortFlag> portFlags = EnumSet.noneOf(BridgePortFlag.class);
        NlAttrs slaveData = info == null ? null : info.nested(IFLA_INFO_SLAVE_DATA);
        if ("bridge".equals(slaveKind) && slaveData != null) {
            for (BridgePortFlag flag : BridgePortFlag.values()) {
                if (slaveData.u8(flag.attribute(), 0) != 0) {
                    portFlags.add(flag);
                }
            }
        }
        NlAttrs data = info == null ? null : info.nested(IFLA_INFO_DATA);
        Optional<VxlanInfo> vxlan = "vxlan".equals(kind) && data != null ? Optional.of(decodeVxlan(data)) : Optional.empty();
        ByteBuffer nsid = attrs.get(IFLA_LINK_NETNSID);
        String name = attrs.string(IFLA_IFNAME);
        return new Link(index, name == null ? "" : name, kind == null ? "" : kind, flags, attrs.u32(IFLA_MTU, 0),
                mac(attrs.bytes(IFLA_ADDRESS)), attrs.u32(IFLA_MASTER, 0),
                OperState.of(attrs.u8(IFLA_OPERSTATE, 0)), attrs.u32(IFLA_LINK, 0),
                nsid == null || nsid.remaining() < 4 ? OptionalInt.empty() : OptionalInt.of(nsid.getInt(0)),
                slaveKind == null ? "" : slaveKind, portFlags, vxlan);
    }

    static String mac(byte[] b) {
        return b == null || b.length != 6 ? "" : MacAddress.of(b).toString();
    }

    // ---- addresses

    static void newAddress(NlWriter w, Address a) {
        w.begin(RTM_NEWADDR, CREATE);
        ifaddrmsg(w, a.family().af(), a.prefixLength(), a.flags() & 0xff, a.scope(), a.index());
        w.attrAddress(IFA_LOCAL, a.address());
        a.broadcast().ifPresent(b -> w.attrAddress(IFA_BROADCAST, b));
        w.attrAddress(IFA_ADDRESS, a.address());
        if (a.flags() != 0) {
            // the kernel takes IFA_FLAGS over ifa_flags, and only it holds flags above 0xff
            w.attrU32(IFA_FLAGS, a.flags());
        }
    }

    static void deleteAddress(NlWriter w, Address a) {
        w.begin(RTM_DELADDR, CHANGE);
        ifaddrmsg(w, a.family().af(), a.prefixLength(), 0, 0, a.index());
        w.attrAddress(IFA_LOCAL, a.address());
        w.attrAddress(IFA_ADDRESS, a.address());
    }

    static void dumpAddresses(NlWriter w) {
        dumpAddresses(w, 0);
    }

    /** The addresses of the interface {@code index}, or of all with 0; a kernel with strict checking filters. */
    static void dumpAddresses(NlWriter w, int index) {
        w.begin(RTM_GETADDR, Nl.F_REQUEST | Nl.F_DUMP);
        ifaddrmsg(w, AF_UNSPEC, 0, 0, 0, index);
    }

    private static void ifaddrmsg(NlWriter w, int family, int prefixLength, int flags, int scope, int index) {
        // struct ifaddrmsg { u8 family; u8 prefixlen; u8 flags; u8 scope; u32 index; }
        w.u8(family).u8(prefixLength).u8(flags).u8(scope).u32(index);
    }

    /** Null for families other than IPv4 and IPv6. */
    static Address decodeAddress(NlMessage m) {
        ByteBuffer p = m.payload();
        int family = p.get(0) & 0xff;
        if (family != AF_INET && family != AF_INET6) {
            return null;
        }
        NlAttrs attrs = m.attrs(IFADDRMSG_LEN);
        InetAddress address = attrs.has(IFA_LOCAL) ? attrs.address(IFA_LOCAL) : attrs.address(IFA_ADDRESS);
        int flags = attrs.u32(IFA_FLAGS, p.get(2) & 0xff);
        return new Address(p.getInt(4), address, p.get(1) & 0xff, Optional.ofNullable(attrs.address(IFA_BROADCAST)),
                flags, p.get(3) & 0xff);
    }

    // ---- routes

    static void newRoute(NlWriter w, Route r, boolean replace) {
        w.begin(RTM_NEWROUTE, replace ? REPLACE : CREATE);
        rtmsg(w, r, r.protocol(), r.scope(), r.type(), r.flags());
        routeAttributes(w, r);
        if (r.mtu() > 0 || r.advmss() > 0) {
            int metrics = w.nest(RTA_METRICS);
            if (r.mtu() > 0) {
                w.attrU32(RTAX_MTU, r.mtu());
            }
            if (r.advmss() > 0) {
                w.attrU32(RTAX_ADVMSS, r.advmss());
            }
            w.endNest(metrics);
        }
    }

    /** Deletes by destination, gateway, metric, table and link; any protocol, scope and type match, as with ip. */
    static void deleteRoute(NlWriter w, Route r) {
        w.begin(RTM_DELROUTE, CHANGE);
        rtmsg(w, r, 0, RT_SCOPE_NOWHERE, RTN_UNSPEC, 0);
        routeAttributes(w, r);
    }

    static void dumpRoutes(NlWriter w, Family family) {
        w.begin(RTM_GETROUTE, Nl.F_REQUEST | Nl.F_DUMP);
        w.u8(family.af()).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0).u32(0);
    }

    private static void rtmsg(NlWriter w, Route r, int protocol, int scope, int type, int flags) {
        // struct rtmsg { u8 family, dst_len, src_len, tos, table, protocol, scope, type; u32 flags; }
        w.u8(r.family().af()).u8(r.prefixLength()).u8(0).u8(0)
                .u8(r.table() < 256 ? r.table() : RT_TABLE_UNSPEC).u8(protocol).u8(scope).u8(type).u32(flags);
    }

    private static void routeAttributes(NlWriter w, Route r) {
        if (r.prefixLength() > 0) {
            w.attrAddress(RTA_DST, r.destination());
        }
        r.gateway().ifPresent(g -> w.attrAddress(RTA_GATEWAY, g));
        if (r.priority() > 0) {
            w.attrU32(RTA_PRIORITY, r.priority());
        }
        if (r.table() >= 256) {
            w.attrU32(RTA_TABLE, r.table());
        }
        if (r.oif() > 0) {
            w.attrU32(RTA_OIF, r.oif());
        }
    }

    /** Null for families other than IPv4 and IPv6. */
    static Route decodeRoute(NlMessage m) {
        ByteBuffer p = m.payload();
        int af = p.get(0) & 0xff;
        if (af != AF_INET && af != AF_INET6) {
            return null;
        }
        Family family = Family.ofAf(af);
        NlAttrs attrs = m.attrs(RTMSG_LEN);
        InetAddress dst = attrs.address(RTA_DST);
        NlAttrs metrics = attrs.nested(RTA_METRICS);
        return new Route(dst == null ? family.any() : dst, p.get(1) & 0xff,
                Optional.ofNullable(attrs.address(RTA_GATEWAY)), attrs.u32(RTA_OIF, 0),
                attrs.u32(RTA_TABLE, p.get(4) & 0xff), attrs.u32(RTA_PRIORITY, 0), p.get(6) & 0xff, p.get(5) & 0xff,
                p.get(7) & 0xff, p.getInt(8), metrics == null ? 0 : metrics.u32(RTAX_MTU, 0),
                metrics == null ? 0 : metrics.u32(RTAX_ADVMSS, 0));
    }
}
