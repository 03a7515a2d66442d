package io.jnet.kernel.rtnl;

import io.jnet.kernel.netlink.Nl;
import io.jnet.kernel.netlink.NlAttrs;
import io.jnet.kernel.netlink.NlMessage;
import io.jnet.kernel.netlink.NlWriter;
import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.sys.ErrnoException;

import java.nio.ByteBuffer;
import java.util.Optional;

import static io.jnet.kernel.rtnl.Rtnl.*;

/** rtnetlink on one socket (and so in one namespace): links, addresses and routes. */
public final class Rtnetlink implements AutoCloseable {

    private final NetlinkSocket socket;

    public Rtnetlink(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** rtnetlink in the calling thread's namespace. */
    public static Rtnetlink open() throws ErrnoException {
        return new Rtnetlink(NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE));
    }

    /** The link with this name, or empty when there is none. */
    public Optional<Link> link(String name) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.getLink(w, name);
        try {
            return Optional.of(RtnlCodec.decodeLink(socket.get(w, "get link " + name)));
        } catch (ErrnoException e) {
            if (e.isNotFound()) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Sets a link administratively up or down. */
    public void setUp(int index, boolean up) throws ErrnoException {
        NlWriter w = socket.writer();
        RtnlCodec.setFlags(w, index, up ? Link.IFF_UP : 0, Link.IFF_UP);
        socket.ack(w, (up ? "set up" : "set down") + " link " + index);
    }

    @Override
    public void close() {
        socket.close();
    }

    /** Pure encoders and decoders, so that golden tests can check the bytes without a socket. */
    static final class RtnlCodec {
        private RtnlCodec() {
        }

        static void getLink(NlWriter w, String name) {
            w.begin(RTM_GETLINK, Nl.F_REQUEST);
            ifinfomsg(w, AF_UNSPEC, 0, 0, 0);
            w.attrU32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
            w.attrString(IFLA_IFNAME, name);
        }

        static void setFlags(NlWriter w, int index, int flags, int change) {
            w.begin(RTM_NEWLINK, Nl.F_REQUEST | Nl.F_ACK);
            ifinfomsg(w, AF_UNSPEC, index, flags, change);
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
            return new Link(index, attrs.string(IFLA_IFNAME), kind == null ? "" : kind, flags,
                    attrs.u32(IFLA_MTU, 0), mac(attrs.bytes(IFLA_ADDRESS)), attrs.u32(IFLA_MASTER, 0));
        }

        static String mac(byte[] b) {
            if (b == null || b.length != 6) {
                return "";
            }
            StringBuilder s = new StringBuilder(17);
            for (int i = 0; i < b.length; i++) {
                if (i > 0) {
                    s.append(':');
                }
                s.append(Character.forDigit((b[i] >> 4) & 0xf, 16)).append(Character.forDigit(b[i] & 0xf, 16));
            }
            return s.toString();
        }
    }
}
