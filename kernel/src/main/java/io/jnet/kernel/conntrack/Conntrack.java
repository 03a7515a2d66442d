package io.jnet.kernel.conntrack;

import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.netlink.Nl;
import io.jnet.kernel.netlink.NlWriter;
import io.jnet.kernel.sys.ErrnoException;

/**
 * Connection tracking over ctnetlink. A UDP "connection" lives as long as packets keep coming, so a flow that
 * started before a port was published (or after it was removed) keeps bypassing the new DNAT unless its entry is
 * deleted: {@link #flush} does that with one kernel-side filtered delete.
 */
public final class Conntrack implements AutoCloseable {

    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;

    static final int NFNL_SUBSYS_CTNETLINK = 1;
    static final int IPCTNL_MSG_CT_DELETE = 2;
    static final int CTA_TUPLE_ORIG = 1;
    static final int CTA_TUPLE_PROTO = 2;
    static final int CTA_PROTO_NUM = 1;
    static final int CTA_PROTO_DST_PORT = 3;
    static final int CTA_FILTER = 25;
    static final int CTA_FILTER_ORIG_FLAGS = 1;
    // the kernel's CTA_FILTER_F_* bits (net/netfilter/nf_conntrack_netlink.c)
    static final int CTA_FILTER_F_CTA_PROTO_NUM = 1 << 3;
    static final int CTA_FILTER_F_CTA_PROTO_DST_PORT = 1 << 5;

    private final NetlinkSocket socket;

    public Conntrack(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** ctnetlink in the calling thread's namespace. */
    public static Conntrack open() throws ErrnoException {
        return new Conntrack(NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER));
    }

    /** Deletes every entry of one family whose original direction goes to {@code protocol}/{@code dstPort}. */
    public void flush(int family, int protocol, int dstPort) throws ErrnoException {
        NlWriter w = socket.writer();
        encodeFlush(w, family, protocol, dstPort);
        try {
            socket.ack(w, "delete conntrack entries to " + (protocol == 17 ? "udp" : "protocol " + protocol) + "/"
                    + dstPort + (family == AF_INET6 ? " (IPv6)" : ""));
        } catch (ErrnoException e) {
            if (!e.isNotFound()) { // ENOENT: nothing matched
                throw e;
            }
        }
    }

    static void encodeFlush(NlWriter w, int family, int protocol, int dstPort) {
        w.begin(NFNL_SUBSYS_CTNETLINK << 8 | IPCTNL_MSG_CT_DELETE, Nl.F_REQUEST | Nl.F_ACK);
        // struct nfgenmsg; version 1 makes the kernel honour the family when it filters
        w.u8(family).u8(1).u16be(0);
        int tuple = w.nest(CTA_TUPLE_ORIG | Nl.NLA_F_NESTED);
        int proto = w.nest(CTA_TUPLE_PROTO | Nl.NLA_F_NESTED);
        w.attrU8(CTA_PROTO_NUM, protocol);
        w.attrU16be(CTA_PROTO_DST_PORT, dstPort);
        w.endNest(proto);
        w.endNest(tuple);
        int filter = w.nest(CTA_FILTER | Nl.NLA_F_NESTED);
        w.attrU32(CTA_FILTER_ORIG_FLAGS, CTA_FILTER_F_CTA_PROTO_NUM | CTA_FILTER_F_CTA_PROTO_DST_PORT);
        w.endNest(filter);
    }

    @Override
    public void close() {
        socket.close();
    }
}
