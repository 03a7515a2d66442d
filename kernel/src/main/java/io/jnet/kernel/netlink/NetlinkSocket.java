package io.jnet.kernel.netlink;

import io.jnet.kernel.sys.Errno;
import io.jnet.kernel.sys.ErrnoException;
import io.jnet.kernel.sys.Fd;
import io.jnet.kernel.sys.Sys;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * A netlink socket of one protocol, bound in the network namespace of the thread that opened it. It can be used
 * from any thread afterwards, but not from two at once. The kernel handles rtnetlink and nfnetlink requests
 * synchronously inside send(2), so every reply to a request is queued by the time {@link #send} returns.
 */
public final class NetlinkSocket implements AutoCloseable {
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_NETFILTER = 12;

    private static final int RECV_BUFFER = 256 * 1024;
    private static final int MAX_DUMP_ATTEMPTS = 10;
    private static final int MSG_DONTWAIT = 0x40;

    private final Fd fd;
    private final int protocol;
    private final int portId;
    private final ByteBuffer in = ByteBuffer.allocateDirect(RECV_BUFFER).order(ByteOrder.nativeOrder());
    private ByteBuffer out = ByteBuffer.allocateDirect(16 * 1024).order(ByteOrder.nativeOrder());
    private int seq;

    private NetlinkSocket(Fd fd, int protocol, int portId) {
        this.fd = fd;
        this.protocol = protocol;
        this.portId = portId;
        this.seq = (int) (System.nanoTime() & 0x3fffffff) | 1;
    }

    /**
     * Opens a socket in the calling thread's network namespace, with extended ACKs and capped ACKs on, and strict
     * checking for rtnetlink.
     */
    public static NetlinkSocket open(int protocol) throws ErrnoException {
        Fd fd = Sys.socket(Sys.AF_NETLINK, Sys.SOCK_RAW, protocol);
        try {
            int portId = Sys.bindNetlink(fd, 0);
            Sys.setsockopt(fd, Sys.SOL_NETLINK, Sys.NETLINK_EXT_ACK, 1);
            Sys.setsockopt(fd, Sys.SOL_NETLINK, Sys.NETLINK_CAP_ACK, 1);
            if (protocol == NETLINK_ROUTE) {
                strictChecking(fd);
            }
            // big batches (nf_tables elements) and their replies need more than the 212 KiB default
            try {
                Sys.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_RCVBUFFORCE, 4 << 20);
                Sys.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_SNDBUFFORCE, 4 << 20);
            } catch (ErrnoException unprivileged) {
                Sys.setsockopt(fd, Sys.SOL_SOCKET, Sys.SO_RCVBUF, 4 << 20);
            }
            return new NetlinkSocket(fd, protocol, portId);
        } catch (ErrnoException | RuntimeException e) {
            fd.close();
            throw e;
        }
    }

    /**
     * Strict checking (Linux 4.20+), as iproute2 turns it on: the kernel validates dump requests and honours their
     * filters (an address dump for one interface index, say), so a filtered dump costs what it returns, not what
     * the namespace holds. Older kernels ignore the filters, and callers filter the replies too.
     */
    private static void strictChecking(Fd fd) throws ErrnoException {
        try {
            Sys.setsockopt(fd, Sys.SOL_NETLINK, Sys.NETLINK_GET_STRICT_CHK, 1);
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOPROTOOPT) {
                throw e;
            }
        }
    }

    public int protocol() {
        return protocol;
    }

    /** The port id the kernel gave this socket: the sender that its notifications name. */
    public int portId() {
        return portId;
    }

    /**
     * Joins a multicast group (NETLINK_ADD_MEMBERSHIP), so that the kernel's notifications of that group queue here,
     * and makes {@link #receiveEvents} give up after {@code timeoutMillis}.
     */
    public void subscribe(int group, int timeoutMillis) throws ErrnoException {
        Sys.setsockopt(fd, Sys.SOL_NETLINK, Sys.NETLINK_ADD_MEMBERSHIP, group);
        Sys.setReceiveTimeout(fd, timeoutMillis);
    }

    /**
     * The notifications of one datagram, copied; empty when none came within the timeout of {@link #subscribe}.
     * Throws ENOBUFS when the kernel dropped notifications because the queue was full.
     */
    public List<NlMessage> receiveEvents() throws ErrnoException {
        int n;
        try {
            n = Sys.recv(fd, in.clear(), 0);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.EAGAIN) {
                return List.of();
            }
            throw e;
        }
        checkTruncation(n, "notifications");
        List<NlMessage> out = new ArrayList<>();
        for (NlMessage m : NlMessage.parseAll(in.limit(n))) {
            out.add(copy(m));
        }
        return out;
    }

    /** A writer whose sequence numbers continue this socket's. */
    public NlWriter writer() {
        return new NlWriter(seq);
    }

    /** Sends one request that carries {@link Nl#F_ACK} and waits for its acknowledgement. */
    public void ack(NlWriter request, String what) throws ErrnoException {
        int first = send(request);
        receive(first, what, null);
    }

    /** Sends one request and returns its single reply message (e.g. RTM_GETLINK by name). */
    public NlMessage get(NlWriter request, String what) throws ErrnoException {
        int first = send(request);
        List<NlMessage> replies = new ArrayList<>();
        receive(first, what, replies);
        if (replies.isEmpty()) {
            throw new ErrnoException(what + ": no reply", Errno.ENODATA);
        }
        return replies.get(0);
    }

    /**
     * Runs a dump. The request is rebuilt by {@code build} (given the writer to use) for each attempt, because a dump
     * that the kernel marks {@link Nl#F_DUMP_INTR} (the set changed while it was read) must be repeated.
     */
    public List<NlMessage> dump(java.util.function.Consumer<NlWriter> build, String what) throws ErrnoException {
        for (int attempt = 0; attempt < MAX_DUMP_ATTEMPTS; attempt++) {
            NlWriter w = writer();
            build.accept(w);
            int first = send(w);
            List<NlMessage> replies = new ArrayList<>();
            if (!receive(first, what, replies)) {
                return replies;
            }
        }
        throw new ErrnoException(what + ": dump interrupted " + MAX_DUMP_ATTEMPTS + " times", Errno.EINTR);
    }

    /**
     * Sends a batch of messages and collects the acknowledgements and errors that the kernel queued for them. Returns
     * the error replies by sequence number (empty when everything succeeded); {@code describe} names a message in
     * the exception when the caller wants one thrown instead (pass null to only collect).
     */
    public Map<Integer, NetlinkException> transact(NlWriter batch, Function<Integer, String> describe)
            throws ErrnoException {
        int first = send(batch);
        int last = batch.nextSeq() - 1;
        Map<Integer, NetlinkException> errors = new LinkedHashMap<>();
        while (true) {
            int n;
            try {
                n = Sys.recv(fd, in.clear(), MSG_DONTWAIT);
            } catch (ErrnoException e) {
                if (e.errno() == Errno.EAGAIN) {
                    break;
                }
                throw e;
            }
            checkTruncation(n, "batch");
            for (NlMessage m : NlMessage.parseAll(in.limit(n))) {
                if (m.seq() < first || m.seq() > last || m.type() != Nl.NLMSG_ERROR) {
                    continue;
                }
                NetlinkException error = errorOf(m, describe == null ? "message " + m.seq() : describe.apply(m.seq()));
                if (error != null) {
                    errors.put(m.seq(), error);
                }
            }
        }
        if (describe != null && !errors.isEmpty()) {
            throw errors.values().iterator().next();
        }
        return errors;
    }

    private int send(NlWriter w) throws ErrnoException {
        int first = seq;
        out = w.copyTo(out);
        seq = w.nextSeq();
        Sys.send(fd, out);
        return first;
    }

    /**
     * Reads replies to the request with sequence number {@code expected} until its ACK, its error or the end of the
     * dump. Data messages go to {@code sink}. Returns true when the kernel flagged the dump as interrupted.
     */
    private boolean receive(int expected, String what, List<NlMessage> sink) throws ErrnoException {
        boolean interrupted = false;
        while (true) {
            int n = Sys.recv(fd, in.clear(), 0);
            checkTruncation(n, what);
            for (NlMessage m : NlMessage.parseAll(in.limit(n))) {
                if (m.seq() != expected) {
                    continue; // a late reply to an earlier request that gave up
                }
                interrupted |= (m.flags() & Nl.F_DUMP_INTR) != 0;
                switch (m.type()) {
                    case Nl.NLMSG_ERROR -> {
                        NetlinkException error = errorOf(m, what);
                        if (error != null) {
                            throw error;
                        }
                        return interrupted;
                    }
                    case Nl.NLMSG_DONE -> {
                        int status = m.payload().remaining() >= 4 ? m.payload().getInt(0) : 0;
                        if (status < 0) {
                            throw new NetlinkException(what, -status, extack(m, 4), m.seq());
                        }
                        return interrupted;
                    }
                    case Nl.NLMSG_NOOP, Nl.NLMSG_OVERRUN -> {
                    }
                    default -> {
                        if (sink != null) {
                            sink.add(copy(m));
                        }
                        if ((m.flags() & Nl.F_MULTI) == 0) {
                            return interrupted;
                        }
                    }
                }
            }
        }
    }

    private void checkTruncation(int n, String what) throws ErrnoException {
        if (n > in.capacity()) {
            throw new ErrnoException(what + ": reply of " + n + " bytes exceeds the receive buffer", Errno.EMSGSIZE);
        }
    }

    /** Null for an ACK (error 0), otherwise the exception with the extended-ACK text. */
    private static NetlinkException errorOf(NlMessage m, String what) {
        ByteBuffer p = m.payload();
        int error = p.getInt(0);
        if (error == 0) {
            return null;
        }
        // struct nlmsgerr: int error; struct nlmsghdr msg; [payload unless capped]; [TLVs if NLM_F_ACK_TLVS]
        int offset = 4 + Nl.HEADER_LEN;
        if ((m.flags() & Nl.F_CAPPED) == 0 && p.remaining() >= offset) {
            offset = 4 + Nl.align(p.getInt(4));
        }
        boolean tlvs = (m.flags() & Nl.F_ACK_TLVS) != 0;
        String text = tlvs ? extack(m, offset) : "";
        int badAttr = tlvs && offset < p.limit()
                ? NlAttrs.parse(p.duplicate().position(offset)).u32(Nl.NLMSGERR_ATTR_OFFS, -1) : -1;
        return new NetlinkException(what, -error, text, m.seq(), badAttr);
    }

    private static String extack(NlMessage m, int offset) {
        if (offset >= m.payload().limit()) {
            return "";
        }
        String msg = NlAttrs.parse(m.payload().duplicate().position(offset)).string(Nl.NLMSGERR_ATTR_MSG);
        return msg == null ? "" : msg;
    }

    /** Replies are views into the receive buffer, which the next read overwrites. */
    private static NlMessage copy(NlMessage m) {
        ByteBuffer p = ByteBuffer.allocate(m.payload().remaining()).order(ByteOrder.nativeOrder());
        p.put(m.payload().duplicate()).flip();
        return new NlMessage(m.type(), m.flags(), m.seq(), m.pid(), p);
    }

    @Override
    public void close() {
        fd.close();
    }
}
