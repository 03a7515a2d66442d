package io.jnet.kernel.netlink;

import io.jnet.kernel.sys.ErrnoException;

/** The kernel refused a netlink request: what was asked, the errno and the kernel's extended-ACK text. */
public final class NetlinkException extends ErrnoException {

    private final String extack;
    private final int seq;
    private final int badAttrOffset;

    public NetlinkException(String what, int errno, String extack, int seq) {
        this(what, errno, extack, seq, -1);
    }

    /** With the offset of the attribute the kernel blamed (NLMSGERR_ATTR_OFFS), or -1 when it named none. */
    public NetlinkException(String what, int errno, String extack, int seq, int badAttrOffset) {
        super(what, errno, extack);
        this.extack = extack;
        this.seq = seq;
        this.badAttrOffset = badAttrOffset;
    }

    /**
     * The byte offset, from the start of the failed request's nlmsghdr, of the attribute the kernel rejected; -1
     * when it named none.
     */
    public int badAttrOffset() {
        return badAttrOffset;
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
