package io.jnet.kernel.nft;

import io.jnet.kernel.netlink.NetlinkSocket;
import io.jnet.kernel.netlink.NlMessage;
import io.jnet.kernel.sys.Errno;
import io.jnet.kernel.sys.ErrnoException;

import java.util.ArrayList;
import java.util.List;

/**
 * The nf_tables notifications of the calling thread's network namespace: a NETLINK_NETFILTER socket subscribed to
 * {@link NftEvent#GROUP}. Every committed batch is reported object by object, whoever sent it.
 */
public final class NftEvents implements AutoCloseable {

    private final NetlinkSocket socket;

    private NftEvents(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Listens in the calling thread's namespace; {@link #next} waits at most {@code timeoutMillis}. */
    public static NftEvents open(int timeoutMillis) throws ErrnoException {
        return on(NetlinkSocket.open(NetlinkSocket.NETLINK_NETFILTER), timeoutMillis);
    }

    /** Listens on a NETLINK_NETFILTER socket (of another namespace, say), which this then owns. */
    public static NftEvents on(NetlinkSocket socket, int timeoutMillis) throws ErrnoException {
        try {
            socket.subscribe(NftEvent.GROUP, timeoutMillis);
            return new NftEvents(socket);
        } catch (ErrnoException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * The events of the next datagram, or none when the timeout passed first; {@link NftEvent#lost()} when the kernel
     * dropped some because they came faster than they were read.
     */
    public List<NftEvent> next() throws ErrnoException {
        List<NlMessage> messages;
        try {
            messages = socket.receiveEvents();
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOBUFS) {
                return List.of(NftEvent.lost());
            }
            throw e;
        }
        List<NftEvent> out = new ArrayList<>();
        for (NlMessage m : messages) {
            NftEvent.decode(m).ifPresent(out::add);
        }
        return out;
    }

    @Override
    public void close() {
        socket.close();
    }
}
