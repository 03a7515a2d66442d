package io.jnet.kernel.netlink;

import io.jnet.kernel.sys.ErrnoException;

/** The kernel refused a netlink request: what was asked, the errno and the kernel's extended-ACK text. */
public final class NetlinkException extends ErrnoException {

    private final String extack;
    private final int seq;

    public NetlinkException(String what, int errno, String extack, int seq) {
        super(what, errno, extack);
        this.extack = extack;
        this.seq = seq;
    }

    /** The kernel's extended-ACK message, or "" when it sent none. */
    public String extack() {
        return extack;
    }

    /** The sequence number of the request that failed. */
    public int seq() {
        return seq;
    }
}
