package io.jnet.kernel.rtnl;

import io.jnet.kernel.netlink.Nl;
import io.jnet.kernel.netlink.NlAttrs;
import io.jnet.kernel.netlink.NlMessage;
import io.jnet.kernel.netlink.NlWriter;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.Optional;

import static io.jnet.kernel.rtnl.Rtnl.*;

/**
 * Pure encoders and decoders for neighbour entries (ARP/ND) and forwarding-database entries (AF_BRIDGE
 * neighbours), in iproute2's attribute order ({@code ip neigh}, {@code bridge fdb}; see the golden files).
 */
final class NeighCodec {

    private static final int REPLACE = Nl.F_REQUEST | Nl.F_ACK | Nl.F_CREATE | Nl.F_REPLACE;
    private static final int APPEND = Nl.F_REQUEST | Nl.F_ACK | Nl.F_CREATE | Nl.F_APPEND;
    private static final int CHANGE = Nl.F_REQUEST | Nl.F_ACK;

    private NeighCodec() {
    }

    // ---- neighbours

    static void replaceNeighbour(NlWriter w, Neighbour n) {
        w.begin(RTM_NEWNEIGH, REPLACE);
        ndmsg(w, n.family().af(), n.index(), n.state(), n.flags());
        w.attrAddress(NDA_DST, n.address());
        n.mac().ifPresent(m -> w.attr(NDA_LLADDR, m.toBytes()));
    }

    /** The kernel matches on link and address; the state goes along as {@code ip neigh del} sends it. */
    static void deleteNeighbour(NlWriter w, Neighbour n) {
        w.begin(RTM_DELNEIGH, CHANGE);
        ndmsg(w, n.family().af(), n.index(), n.state(), n.flags());
        w.attrAddress(NDA_DST, n.address());
    }

    /** The ARP and ND entries of one link: strict checking takes the filter as NDA_IFINDEX, not in the header. */
    static void dumpNeighbours(NlWriter w, int index) {
        w.begin(RTM_GETNEIGH, Nl.F_REQUEST | Nl.F_DUMP);
        ndmsg(w, AF_UNSPEC, 0, 0, 0);
        w.attrU32(NDA_IFINDEX, index);
    }

    /** Null for families other than IPv4 and IPv6, and for entries without a destination. */
    static Neighbour decodeNeighbour(NlMessage m) {
        ByteBuffer p = m.payload();
        int family = p.get(0) & 0xff;
        if (family != AF_INET && family != AF_INET6) {
            return null;
        }
        NlAttrs attrs = m.attrs(NDMSG_LEN);
        InetAddress address = attrs.address(NDA_DST);
        if (address == null) {
            return null;
        }
        return new Neighbour(p.getInt(4), address, mac(attrs), p.getShort(8) & 0xffff, p.get(10) & 0xff);
    }

    // ---- forwarding database

    /** Adds the entry, or another destination for its MAC (VXLAN: only the all-zero and multicast MACs take more). */
    static void appendFdb(NlWriter w, FdbEntry e) {
        newFdb(w, e, APPEND);
    }

    /** Adds the entry, or replaces the destination of its MAC. */
    static void replaceFdb(NlWriter w, FdbEntry e) {
        newFdb(w, e, REPLACE);
    }

    private static void newFdb(NlWriter w, FdbEntry e, int flags) {
        w.begin(RTM_NEWNEIGH, flags);
        fdbBody(w, e);
    }

    /** With a destination, a VXLAN device deletes only that one of the MAC's destinations. */
    static void deleteFdb(NlWriter w, FdbEntry e) {
        w.begin(RTM_DELNEIGH, CHANGE);
        fdbBody(w, e);
    }

    private static void fdbBody(NlWriter w, FdbEntry e) {
        ndmsg(w, AF_BRIDGE, e.index(), e.state(), e.flags());
        w.attr(NDA_LLADDR, e.mac().toBytes());
        e.destination().ifPresent(d -> w.attrAddress(NDA_DST, d));
    }

    /** The entries of one device (a bridge port's in its bridge, and the device's own): the filter is the header's. */
    static void dumpFdb(NlWriter w, int index) {
        w.begin(RTM_GETNEIGH, Nl.F_REQUEST | Nl.F_DUMP);
        ndmsg(w, AF_BRIDGE, index, 0, 0);
    }

    /** Null for other families and entries without a MAC. */
    static FdbEntry decodeFdb(NlMessage m) {
        ByteBuffer p = m.payload();
        if ((p.get(0) & 0xff) != AF_BRIDGE) {
            return null;
        }
        NlAttrs attrs = m.attrs(NDMSG_LEN);
        Optional<MacAddress> mac = mac(attrs);
        return mac.map(a -> new FdbEntry(p.getInt(4), a, Optional.ofNullable(attrs.address(NDA_DST)),
                p.getShort(8) & 0xffff, p.get(10) & 0xff)).orElse(null);
    }

    private static Optional<MacAddress> mac(NlAttrs attrs) {
        byte[] b = attrs.bytes(NDA_LLADDR);
        return b == null || b.length != 6 ? Optional.empty() : Optional.of(MacAddress.of(b));
    }

    private static void ndmsg(NlWriter w, int family, int index, int state, int flags) {
        // struct ndmsg { u8 family; u8 pad1; u16 pad2; s32 ifindex; u16 state; u8 flags; u8 type; }
        w.u8(family).u8(0).u16(0).u32(index).u16(state).u8(flags).u8(0);
    }
}
